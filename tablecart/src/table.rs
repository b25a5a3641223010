//! The server's side: one table visit's cart, applied in the server's own
//! order, each phone's mutations exactly once and in sequence.
//!
//! ```text
//!  mutation (phone, seq) ──► seq ≤ last: the original outcome, nothing changes
//!                          ├► seq > last + 1: OutOfOrder, nothing recorded
//!                          └► seq = last + 1: expire, apply or refuse, record, version + 1
//!  send round n ──► n < open: AlreadySent(round n) │ n > open: UnknownRound
//!                 └► n = open: NotYet until the sender's mutations arrived,
//!                    else expire, cut all lines into round n, open n + 1
//! ```
//!
//! The whole visit is one serialisable value ([`TableCart`] derives serde),
//! so the server keeps it in one row and changes it in one transaction: a
//! round's cut and the order made from it commit together or not at all.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::ids::LineId;
use crate::line::Line;
use crate::mutation::Mutation;
use crate::outcome::{Field, Gone, Outcome, Rejection};
use crate::round::{Round, RoundOrder, RoundOutcome, SendRequest};
use crate::rules::{self, Effect};
use crate::snapshot::{CartSnapshot, ExpiredLine};
use crate::{KEPT_EXPIRED, KEPT_OUTCOMES, MAX_PHONES};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableCart {
    /// What phones are sent; the rest below is the server's alone.
    state: CartSnapshot,
    /// Why each line that left the cart left: an edit to it is refused with
    /// the reason, and its id is never reused.
    gone: BTreeMap<LineId, Gone>,
    /// Every round cut, so a late send naming one gets that round back.
    rounds: Vec<Round>,
    line_ttl_secs: u32,
}

impl TableCart {
    /// An empty cart for a new table visit, round 1 open. Lines untouched for
    /// `line_ttl_secs` expire ([`crate::DEFAULT_LINE_TTL_SECS`]).
    pub fn new(line_ttl_secs: u32) -> Self {
        Self {
            state: CartSnapshot::new(),
            gone: BTreeMap::new(),
            rounds: Vec::new(),
            line_ttl_secs,
        }
    }

    /// Applies one mutation, exactly once per `(phone, seq)`. Expired lines
    /// go first, so when a sweep runs never changes what a change meets.
    pub fn apply(&mut self, mutation: &Mutation, now: OffsetDateTime) -> Outcome {
        // Not recorded: a log keyed by a malformed id would be stored.
        if !mutation.phone.is_valid() {
            return Outcome::Rejected(Rejection::Invalid(Field::Phone));
        }
        let last = self.state.applied_up_to(&mutation.phone);
        if mutation.seq <= last {
            return self
                .state
                .acks
                .get(&mutation.phone)
                .and_then(|log| log.outcome(mutation.seq))
                .cloned()
                .unwrap_or(Outcome::AlreadyApplied);
        }
        if mutation.seq != last + 1 {
            return Outcome::OutOfOrder { expected: last + 1 };
        }
        if !self.state.acks.contains_key(&mutation.phone) && self.state.acks.len() >= MAX_PHONES {
            return Outcome::Rejected(Rejection::TableFull { max: MAX_PHONES });
        }
        self.expire(now);
        let outcome = self.decide(mutation, now);
        let log = self.state.acks.entry(mutation.phone.clone()).or_default();
        log.last_seq = mutation.seq;
        log.recent.push_back((mutation.seq, outcome.clone()));
        while log.recent.len() > KEPT_OUTCOMES {
            log.recent.pop_front();
        }
        self.state.version += 1;
        outcome
    }

    fn decide(&mut self, mutation: &Mutation, now: OffsetDateTime) -> Outcome {
        let open = self.state.round;
        if mutation.round > open {
            return Outcome::Rejected(Rejection::FutureRound {
                round: mutation.round,
            });
        }
        let gone = &self.gone;
        match rules::apply(&mut self.state.lines, mutation, now, |id| {
            gone.get(id).cloned()
        }) {
            Err(rejection) => return Outcome::Rejected(rejection),
            Ok(Effect::Removed) => {
                let by = mutation.by.clone();
                self.gone
                    .insert(mutation.change.line().clone(), Gone::Removed { by });
            }
            Ok(Effect::Added | Effect::Changed) => {}
        }
        if mutation.round < open {
            Outcome::AppliedToLaterRound {
                saw: mutation.round,
                open,
            }
        } else {
            Outcome::Applied
        }
    }

    /// "Send to kitchen": cuts the open round, once. See [`SendRequest`].
    pub fn send_round(&mut self, request: &SendRequest, now: OffsetDateTime) -> RoundOutcome {
        if !request.phone.is_valid() {
            return RoundOutcome::Invalid(Field::Phone);
        }
        if !request.by.is_valid() {
            return RoundOutcome::Invalid(Field::Diner);
        }
        let open = self.state.round;
        if request.round > open {
            return RoundOutcome::UnknownRound { open };
        }
        if request.round < open {
            // Rounds are numbered from 1 with no gaps, so round n is at n − 1.
            let index = usize::try_from(request.round).unwrap_or(usize::MAX);
            return match index.checked_sub(1).and_then(|i| self.rounds.get(i)) {
                Some(round) => RoundOutcome::AlreadySent(round.clone()),
                None => RoundOutcome::UnknownRound { open },
            };
        }
        let applied_up_to = self.state.applied_up_to(&request.phone);
        if request.after_seq > applied_up_to {
            return RoundOutcome::NotYet { applied_up_to };
        }
        self.expire(now);
        if self.state.lines.is_empty() {
            return RoundOutcome::Empty;
        }
        let lines = std::mem::take(&mut self.state.lines);
        for line in &lines {
            self.gone
                .insert(line.id.clone(), Gone::Sent { round: open });
        }
        let round = Round {
            number: open,
            lines,
            sent_by: request.by.clone(),
            sent_by_phone: request.phone.clone(),
            sent_at: now,
            order: None,
        };
        self.rounds.push(round.clone());
        self.state.last_round = Some(round.summary());
        self.state.round = open.saturating_add(1);
        self.state.version += 1;
        RoundOutcome::Sent(round)
    }

    /// Records the order the server made of round `number`, in the same
    /// commit as the cut, so every phone can follow it. False if no such
    /// round was cut (nothing changes).
    pub fn attach_order(&mut self, number: u32, order: RoundOrder) -> bool {
        let index = usize::try_from(number).unwrap_or(usize::MAX);
        let Some(round) = index.checked_sub(1).and_then(|i| self.rounds.get_mut(i)) else {
            return false;
        };
        round.order = Some(order);
        if let Some(last) = &mut self.state.last_round
            && last.number == number
        {
            *last = round.summary();
        }
        self.state.version += 1;
        true
    }

    /// Removes the lines nobody touched for the time to live, and says which.
    /// Deterministic in `now`: the server calls it on a timer, and
    /// [`TableCart::apply`] and [`TableCart::send_round`] call it first.
    pub fn expire(&mut self, now: OffsetDateTime) -> Vec<ExpiredLine> {
        let ttl = Duration::seconds(i64::from(self.line_ttl_secs));
        // Saturating: `touched_at` comes back from storage and may be any date.
        let (stale, fresh): (Vec<Line>, Vec<Line>) = std::mem::take(&mut self.state.lines)
            .into_iter()
            .partition(|line| line.touched_at.saturating_add(ttl) <= now);
        self.state.lines = fresh;
        let expired: Vec<ExpiredLine> = stale
            .into_iter()
            .map(|line| {
                self.gone.insert(line.id.clone(), Gone::Expired);
                ExpiredLine {
                    line: line.id,
                    item_id: line.item_id,
                    added_by: line.added_by,
                    added_by_phone: line.added_by_phone,
                    at: now,
                }
            })
            .collect();
        if !expired.is_empty() {
            self.state.expired.extend(expired.iter().cloned());
            let extra = self.state.expired.len().saturating_sub(KEPT_EXPIRED);
            self.state.expired.drain(..extra);
            self.state.version += 1;
        }
        expired
    }

    /// What to broadcast to the table's phones.
    pub fn snapshot(&self) -> CartSnapshot {
        self.state.clone()
    }

    pub fn version(&self) -> u64 {
        self.state.version
    }

    /// The open round's number.
    pub fn open_round(&self) -> u32 {
        self.state.round
    }

    pub fn lines(&self) -> &[Line] {
        &self.state.lines
    }

    pub fn rounds(&self) -> &[Round] {
        &self.rounds
    }

    /// Why a line left the cart, if it did.
    pub fn gone(&self, line: &LineId) -> Option<&Gone> {
        self.gone.get(line)
    }

    /// The cart's total at the phones' prices.
    pub fn total_minor(&self) -> i64 {
        self.state.total_minor()
    }
}

impl Default for TableCart {
    fn default() -> Self {
        Self::new(crate::DEFAULT_LINE_TTL_SECS)
    }
}
