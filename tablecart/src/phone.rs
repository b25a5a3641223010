//! The phone's side: the last snapshot from the server, and the changes
//! this phone made that the server has not yet answered. The screen shows
//! the snapshot with those changes applied again on top (a rebase), so a
//! tap shows at once, offline too, and the server's word wins when it comes.
//!
//! Why a change that never leaves the phone is in no round: the server cuts
//! a round from its own lines only, and a change reaches them only by being
//! delivered. One delivered after the round its phone saw was cut lands in
//! the open round's cart, and that phone is told
//! ([`Notice::MovedToLaterRound`]); it is never added to a round behind it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::KEPT_OUTCOMES;
use crate::ids::{Diner, PhoneId};
use crate::line::Line;
use crate::mutation::{Change, Mutation};
use crate::outcome::{Gone, Outcome, Rejection};
use crate::round::{RoundSummary, SendRequest};
use crate::rules;
use crate::snapshot::{CartSnapshot, ExpiredLine};

/// One phone's cart, stored whole by the widget (IndexedDB) after every
/// change, so the queue and its sequence numbers survive a reload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneCart {
    phone: PhoneId,
    diner: Diner,
    /// The next mutation's sequence number.
    next_seq: u64,
    snapshot: CartSnapshot,
    pending: Vec<Pending>,
    notices: Vec<Notice>,
}

/// A phone's cart for one table visit, as the widget keeps it. The visit
/// travels with the queue: changes made before the table was cleared are
/// refused by the server (`visit-ended`) and never reach the next party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitCart {
    pub visit_id: String,
    pub cart: PhoneCart,
    /// "Send to kitchen" pressed and not yet answered: kept with the round
    /// the diner saw, so a press made offline is made again, unchanged,
    /// when the phone is back (the server answers a round cut meanwhile
    /// with that round, never a second one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub press: Option<SendRequest>,
}

impl VisitCart {
    /// Takes the table's state from the server: this visit's is applied
    /// (`PhoneCart::on_server_state`); another visit's starts a new cart
    /// with the same phone and diner, and says whether changes (or a
    /// press) of the ended visit were dropped unsent.
    pub fn on_table_state(&mut self, visit_id: &str, snapshot: CartSnapshot) -> bool {
        if self.visit_id == visit_id {
            self.cart.on_server_state(snapshot);
            return false;
        }
        let dropped = !self.cart.pending.is_empty() || self.press.is_some();
        let (phone, diner) = (self.cart.phone.clone(), self.cart.diner.clone());
        *self = VisitCart {
            visit_id: visit_id.to_owned(),
            cart: PhoneCart::new(phone, diner, snapshot),
            press: None,
        };
        dropped
    }

    /// The press to make: the one waiting for an answer, else a new one for
    /// the round on screen, kept until answered ([`VisitCart::answered`]).
    pub fn press(&mut self) -> SendRequest {
        self.press
            .get_or_insert_with(|| self.cart.send_request())
            .clone()
    }

    /// The server answered the press (or refused it for good).
    pub fn answered(&mut self) {
        self.press = None;
    }
}

/// A change the server has not answered yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub mutation: Mutation,
    /// The phone's clock when made: its preview's `touched_at`.
    #[serde(with = "time::serde::rfc3339")]
    pub made_at: OffsetDateTime,
}

/// Something to tell the diner, from the server's answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// The server refused this phone's change; it is gone from the screen.
    Rejected { mutation: Mutation, why: Rejection },
    /// The round the diner saw had been sent: the change waits in round `open`.
    MovedToLaterRound {
        mutation: Mutation,
        saw: u32,
        open: u32,
    },
    /// Someone sent a round to the kitchen.
    RoundSent(RoundSummary),
    /// A line nobody sent expired.
    LineExpired(ExpiredLine),
}

impl PhoneCart {
    /// A phone joining the table, with the snapshot it was first given.
    pub fn new(phone: PhoneId, diner: Diner, snapshot: CartSnapshot) -> Self {
        let next_seq = snapshot.applied_up_to(&phone) + 1;
        Self {
            phone,
            diner,
            next_seq,
            snapshot,
            pending: Vec::new(),
            notices: Vec::new(),
        }
    }

    /// Makes a change: shown at once, queued for the server. Refused here,
    /// without queueing, when the screen already shows it cannot apply
    /// (someone else's unconfirmed line, a line that is gone).
    pub fn apply_local(
        &mut self,
        change: Change,
        now: OffsetDateTime,
    ) -> Result<Mutation, Rejection> {
        let mutation = Mutation {
            phone: self.phone.clone(),
            seq: self.next_seq,
            round: self.snapshot.round,
            by: self.diner.clone(),
            change,
        };
        let mut lines = self.view();
        rules::apply(&mut lines, &mutation, now, |id| self.gone(id))?;
        self.next_seq += 1;
        self.pending.push(Pending {
            mutation: mutation.clone(),
            made_at: now,
        });
        Ok(mutation)
    }

    /// What the screen shows: the server's lines with this phone's pending
    /// changes applied on top, in order. One the server will refuse may
    /// show until its answer comes; one that no longer applies is skipped.
    pub fn view(&self) -> Vec<Line> {
        let mut lines = self.snapshot.lines.clone();
        for pending in &self.pending {
            // A refusal here is the server's to report, in its own words.
            let _ = rules::apply(&mut lines, &pending.mutation, pending.made_at, |id| {
                self.gone(id)
            });
        }
        lines
    }

    /// Takes the server's state: drops the changes it has answered (telling
    /// the diner of any refused or moved) and keeps the rest on top. An older
    /// snapshot than the one held (a late broadcast) is ignored.
    pub fn on_server_state(&mut self, snapshot: CartSnapshot) {
        if snapshot.version < self.snapshot.version {
            return;
        }
        let log = snapshot.acks.get(&self.phone).cloned().unwrap_or_default();
        let (answered, still): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|pending| pending.mutation.seq <= log.last_seq);
        self.pending = still;
        for Pending { mutation, .. } in answered {
            match log.outcome(mutation.seq).cloned() {
                Some(Outcome::Rejected(why)) => {
                    self.notices.push(Notice::Rejected { mutation, why });
                }
                Some(Outcome::AppliedToLaterRound { saw, open }) => {
                    self.notices.push(Notice::MovedToLaterRound {
                        mutation,
                        saw,
                        open,
                    });
                }
                _ => {}
            }
        }
        let seen_round = self.snapshot.last_round.as_ref().map(|round| round.number);
        if let Some(round) = &snapshot.last_round
            && seen_round < Some(round.number)
        {
            self.notices.push(Notice::RoundSent(round.clone()));
        }
        for expired in &snapshot.expired {
            if !self.snapshot.expired.contains(expired) {
                self.notices.push(Notice::LineExpired(expired.clone()));
            }
        }
        // Never reuse a number the server has seen, even if this phone's
        // storage was rolled back.
        self.next_seq = self.next_seq.max(log.last_seq + 1);
        self.snapshot = snapshot;
    }

    /// The next changes to push, in order: at most [`KEPT_OUTCOMES`], so every
    /// answer is still in the snapshot that follows.
    pub fn to_send(&self) -> Vec<Mutation> {
        self.pending
            .iter()
            .take(KEPT_OUTCOMES)
            .map(|pending| pending.mutation.clone())
            .collect()
    }

    /// "Send to kitchen" for the round on screen. Push the pending changes
    /// first: the server cuts only once it has this phone's changes up to now.
    pub fn send_request(&self) -> SendRequest {
        SendRequest {
            phone: self.phone.clone(),
            round: self.snapshot.round,
            after_seq: self.next_seq - 1,
            by: self.diner.clone(),
        }
    }

    /// The notices not yet shown, oldest first.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    pub fn pending(&self) -> &[Pending] {
        &self.pending
    }

    pub fn snapshot(&self) -> &CartSnapshot {
        &self.snapshot
    }

    pub fn phone(&self) -> &PhoneId {
        &self.phone
    }

    /// Who this phone's changes are made by.
    pub fn diner(&self) -> &Diner {
        &self.diner
    }

    /// The next sequence number: a line this phone adds is named with it.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// A new name or emoji, for the changes made from now on.
    pub fn set_diner(&mut self, diner: Diner) {
        self.diner = diner;
    }

    /// What the phone knows of why a line left: only expiries are broadcast
    /// by line; anything else the server says in its answer.
    fn gone(&self, id: &crate::LineId) -> Option<Gone> {
        self.snapshot
            .expired
            .iter()
            .any(|expired| &expired.line == id)
            .then_some(Gone::Expired)
    }
}
