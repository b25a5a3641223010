//! Random evenings at one table: three phones making changes, going
//! offline, pressing "Send to kitchen", and a network that delays,
//! duplicates and reorders everything. Whatever happens, once every phone
//! has delivered its queue, all of them show exactly the server's cart; no
//! mutation was applied twice, no round was cut twice, and every dish added
//! went to the kitchen once, is still in the cart, or left it for a reason.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use wendan_tablecart::{
    Change, Gone, LineId, Mutation, NewLine, Outcome, PhoneCart, PhoneId, RoundOutcome,
    SendRequest, TableCart,
};

/// SplitMix64, seeded: every failing evening can be replayed by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

enum Message {
    Mutation(Mutation),
    Send(SendRequest),
}

struct Evening {
    rng: Rng,
    seconds: i64,
    table: TableCart,
    phones: Vec<PhoneCart>,
    online: Vec<bool>,
    /// Snapshots on their way to each phone, delivered in any order.
    inbox: Vec<Vec<wendan_tablecart::CartSnapshot>>,
    /// Requests on their way to the server, delivered in any order.
    network: Vec<Message>,
    /// Every `(phone, seq)` the server applied, with its first answer.
    applied: BTreeMap<(PhoneId, u64), Outcome>,
    /// Lines whose add the server applied.
    added: BTreeSet<LineId>,
    rounds_cut: u32,
    next_line: usize,
    /// How often each kind of answer came, to show the evenings covered them.
    seen: BTreeMap<&'static str, usize>,
}

impl Evening {
    fn new(seed: u64) -> Self {
        let table = TableCart::new(600);
        let phones = ["a", "b", "c"]
            .iter()
            .map(|who| PhoneCart::new(phone(who), diner(who), table.snapshot()))
            .collect();
        Self {
            rng: Rng(seed),
            seconds: 0,
            table,
            phones,
            online: vec![true; 3],
            inbox: vec![Vec::new(); 3],
            network: Vec::new(),
            applied: BTreeMap::new(),
            added: BTreeSet::new(),
            rounds_cut: 0,
            next_line: 0,
            seen: BTreeMap::new(),
        }
    }

    fn now(&self) -> time::OffsetDateTime {
        at(0) + time::Duration::seconds(self.seconds)
    }

    fn step(&mut self) {
        self.seconds += self.rng.below(20) as i64;
        let who = self.rng.below(3);
        match self.rng.below(100) {
            0..35 => self.change(who),
            35..55 if self.online[who] => self.push(who),
            55..75 => self.deliver(),
            75..85 if self.online[who] => self.receive(who),
            85..90 if self.online[who] => {
                self.push(who);
                let request = self.phones[who].send_request();
                self.network.push(Message::Send(request));
            }
            90..95 => self.online[who] = !self.online[who],
            95..100 => {
                let expired = self.table.expire(self.now());
                *self.seen.entry("expired").or_default() += expired.len();
                self.broadcast();
            }
            _ => {}
        }
    }

    /// A diner taps something on what their screen shows.
    fn change(&mut self, who: usize) {
        let view = self.phones[who].view();
        let pick = |rng: &mut Rng| -> Option<LineId> {
            (!view.is_empty()).then(|| view[rng.below(view.len())].id.clone())
        };
        let change = match (self.rng.below(6), pick(&mut self.rng)) {
            (0 | 1, _) | (_, None) => {
                self.next_line += 1;
                Change::AddLine(NewLine {
                    id: LineId::new(format!("{who}-{}", self.next_line)),
                    item_id: ["beef", "tofu", "lamb"][self.rng.below(3)].into(),
                    options: vec![],
                    note: None,
                    qty: 1 + self.rng.below(3) as u32,
                    unit_price_minor: 3800,
                    menu_version: "m1".into(),
                })
            }
            (2, Some(line)) => Change::ChangeQty {
                line,
                delta: [-2, -1, 1, 2][self.rng.below(4)],
            },
            (3, Some(line)) => Change::EditLine {
                line,
                options: vec![["mala", "tomato"][self.rng.below(2)].into()],
                note: None,
                unit_price_minor: 4000,
                menu_version: "m1".into(),
            },
            (4, Some(line)) => Change::ConfirmLine { line },
            (_, Some(line)) => Change::RemoveLine { line },
        };
        let now = self.now();
        // A refusal on the phone is the phone's answer; nothing is queued.
        let _ = self.phones[who].apply_local(change, now);
    }

    fn push(&mut self, who: usize) {
        for mutation in self.phones[who].to_send() {
            self.network.push(Message::Mutation(mutation));
        }
    }

    /// One request reaches the server, or a copy of it (it may come again).
    fn deliver(&mut self) {
        if self.network.is_empty() {
            return;
        }
        let index = self.rng.below(self.network.len());
        let message = if self.rng.chance(20) {
            match &self.network[index] {
                Message::Mutation(m) => Message::Mutation(m.clone()),
                Message::Send(s) => Message::Send(s.clone()),
            }
        } else {
            self.network.swap_remove(index)
        };
        match message {
            Message::Mutation(mutation) => self.apply(&mutation),
            Message::Send(request) => self.send(&request),
        }
        self.broadcast();
    }

    fn apply(&mut self, mutation: &Mutation) {
        let key = (mutation.phone.clone(), mutation.seq);
        let before = self.table.clone();
        let last = before.snapshot().applied_up_to(&mutation.phone);
        let outcome = self.table.apply(mutation, self.now());
        let now_last = self.table.snapshot().applied_up_to(&mutation.phone);
        let kind = match (&outcome, now_last == last) {
            (Outcome::OutOfOrder { .. }, _) => "out of order",
            (_, true) => "duplicate",
            (Outcome::Applied, _) => "applied",
            (Outcome::AppliedToLaterRound { .. }, _) => "moved to a later round",
            (Outcome::Rejected(_), _) => "rejected",
            (Outcome::AlreadyApplied, _) => "already applied",
        };
        *self.seen.entry(kind).or_default() += 1;
        if now_last == last {
            // Not applied: a duplicate (same answer, nothing changed) or early.
            match &outcome {
                Outcome::OutOfOrder { expected } => assert_eq!(*expected, last + 1),
                Outcome::AlreadyApplied => assert!(self.applied.contains_key(&key)),
                original => assert_eq!(self.applied.get(&key), Some(original)),
            }
            assert!(
                self.table == before,
                "a duplicate or early mutation changed the table"
            );
            return;
        }
        assert_eq!(
            (last + 1, now_last),
            (mutation.seq, mutation.seq),
            "in sequence"
        );
        assert!(
            self.applied.insert(key, outcome.clone()).is_none(),
            "applied twice"
        );
        if let (Change::AddLine(new), true) = (&mutation.change, outcome.is_applied()) {
            self.added.insert(new.id.clone());
        }
    }

    fn send(&mut self, request: &SendRequest) {
        let open = self.table.open_round();
        match self.table.send_round(request, self.now()) {
            RoundOutcome::Sent(round) => {
                *self.seen.entry("round sent").or_default() += 1;
                self.rounds_cut += 1;
                assert_eq!(
                    round.number, self.rounds_cut,
                    "rounds are cut once, in order"
                );
                assert_eq!(round.number, open);
            }
            RoundOutcome::AlreadySent(round) => {
                *self.seen.entry("round already sent").or_default() += 1;
                assert_eq!(round.number, request.round);
                assert!(round.number < open);
            }
            RoundOutcome::Empty | RoundOutcome::NotYet { .. } => {
                assert_eq!(self.table.open_round(), open)
            }
            other => panic!("a phone's own request: {other:?}"),
        }
    }

    fn broadcast(&mut self) {
        let snapshot = self.table.snapshot();
        for (inbox, online) in self.inbox.iter_mut().zip(&self.online) {
            if *online {
                inbox.push(snapshot.clone());
                // Older broadcasts beyond a few are lost on the way.
                if inbox.len() > 4 {
                    inbox.remove(0);
                }
            }
        }
    }

    /// A phone receives one of the snapshots on their way, maybe a stale one.
    fn receive(&mut self, who: usize) {
        if self.inbox[who].is_empty() {
            return;
        }
        let index = self.rng.below(self.inbox[who].len());
        let snapshot = self.inbox[who].swap_remove(index);
        self.phones[who].on_server_state(snapshot);
    }

    /// Everyone back online; everything in flight and queued is delivered.
    fn settle(&mut self) {
        self.online = vec![true; 3];
        while !self.network.is_empty() {
            self.deliver();
        }
        for _ in 0..100 {
            if self.phones.iter().all(|phone| phone.pending().is_empty()) {
                break;
            }
            for who in 0..3 {
                for mutation in self.phones[who].to_send() {
                    self.apply(&mutation);
                }
                self.phones[who].on_server_state(self.table.snapshot());
            }
        }
        for phone in &mut self.phones {
            phone.on_server_state(self.table.snapshot());
        }
    }

    fn check(&self, seed: u64) {
        let server = self.table.snapshot();
        for phone in &self.phones {
            assert!(phone.pending().is_empty(), "seed {seed}: all delivered");
            assert_eq!(phone.view(), self.table.lines(), "seed {seed}: converged");
            let made = phone.send_request().after_seq;
            assert_eq!(server.applied_up_to(phone.phone()), made, "seed {seed}");
            for seq in 1..=made {
                assert!(self.applied.contains_key(&(phone.phone().clone(), seq)));
            }
        }
        let rounds = self.table.rounds();
        assert_eq!(rounds.len(), self.rounds_cut as usize, "seed {seed}");
        let mut seen = BTreeMap::new();
        for line in rounds
            .iter()
            .flat_map(|round| &round.lines)
            .chain(self.table.lines())
        {
            *seen.entry(line.id.clone()).or_insert(0) += 1;
        }
        assert!(
            seen.values().all(|count| *count == 1),
            "seed {seed}: a line in two places"
        );
        for id in &self.added {
            match (seen.contains_key(id), self.table.gone(id)) {
                (true, None) => assert!(self.table.lines().iter().any(|line| &line.id == id)),
                (true, Some(Gone::Sent { round })) => {
                    let round = &rounds[*round as usize - 1];
                    assert!(round.lines.iter().any(|line| &line.id == id));
                }
                (false, Some(Gone::Removed { .. } | Gone::Expired)) => {}
                other => panic!("seed {seed}: line {id:?} vanished: {other:?}"),
            }
        }
    }
}

#[test]
fn random_evenings_at_one_table_always_converge() {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut adds = 0;
    for seed in 0..200 {
        let mut evening = Evening::new(seed);
        for _ in 0..400 {
            evening.step();
        }
        evening.settle();
        evening.check(seed);
        for (kind, count) in evening.seen {
            *seen.entry(kind).or_default() += count;
        }
        adds += evening.added.len();
    }
    // The evenings exercised every case, not just the easy ones.
    for kind in [
        "applied",
        "moved to a later round",
        "rejected",
        "duplicate",
        "out of order",
        "round sent",
        "round already sent",
        "expired",
    ] {
        assert!(seen.get(kind).is_some_and(|n| *n >= 20), "{kind}: {seen:?}");
    }
    assert!(adds > 2000, "{adds} adds");
    eprintln!("{adds} adds; {seen:?}");
}
