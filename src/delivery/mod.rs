//! Delivering the outbox: the browser side of `wendan-outbox`.
//!
//! [`deliver`] is the one delivery loop: the page runs it (on placing, on
//! `online`, when the page becomes visible, on a timer) and so will the
//! service worker. It holds the cross-tab outbox lock while it runs, sends
//! every due order at once, and records each answer before looking again.
//! [`probe`] asks whether the server is back while orders wait on the network.

pub mod clock;
pub mod lock;
pub mod probe;
pub mod send;
pub mod signal;

use futures_util::future::join_all;
use wendan_outbox::schedule::due;
use wendan_outbox::{Backoff, OutboxEntry, Stage};

use crate::errors::StoreError;
use crate::store::Store;

/// What a delivery run saw, for the connectivity line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reach {
    /// Some attempt got an HTTP answer from the server.
    pub answered: bool,
    /// Some attempt got no answer at all.
    pub unreachable: bool,
}

/// Why delivery runs now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Placing, a timer, a page becoming visible: send what is due.
    Routine,
    /// `online`, a Background Sync event: orders waiting out a network
    /// failure are due at once (a server's Retry-After still stands).
    NetworkBack,
}

/// Runs delivery unless another tab or the worker is already delivering
/// (it will pick up anything due, including orders placed meanwhile).
pub async fn deliver(store: Store, trigger: Trigger) -> Result<Reach, StoreError> {
    // A network-back signal must not be lost to a run that started while the
    // network was still down: if someone holds the lock, try again shortly.
    let tries = match trigger {
        Trigger::Routine => 1,
        Trigger::NetworkBack => NETWORK_BACK_TRIES,
    };
    for attempt in 0..tries {
        if attempt > 0 {
            gloo_timers::future::sleep(NETWORK_BACK_PAUSE).await;
        }
        let run_store = store.clone();
        let work = async move { deliver_locked(&run_store, trigger).await };
        if let Some(result) = lock::if_available(lock::OUTBOX_LOCK, work).await {
            return result;
        }
    }
    Ok(Reach::default())
}

/// How long a network-back signal keeps trying for the lock: 50 × 200 ms.
const NETWORK_BACK_TRIES: u32 = 50;
const NETWORK_BACK_PAUSE: std::time::Duration = std::time::Duration::from_millis(200);

async fn deliver_locked(store: &Store, trigger: Trigger) -> Result<Reach, StoreError> {
    let backoff = Backoff::default();
    let mut random = clock::BrowserRandom;
    let mut reach = Reach::default();
    // Holding the lock, nobody else is sending: a "sending" entry is a send
    // that a closed tab or a stopped worker never finished.
    let mut first_pass = true;
    // An order just reached the server: the path works again, so orders
    // waiting out a network failure go now, not each at the end of its own
    // random wait (up to a minute after a long outage). A server's
    // `Retry-After` still stands, and only a success counts: a 503 proves
    // the path but not that the server wants more.
    let mut path_proven = false;
    loop {
        let mut entries = store.outbox().await?.entries;
        let now = clock::now();
        if path_proven {
            for entry in entries.iter_mut() {
                let before = entry.clone();
                entry.network_is_back(now);
                if *entry != before {
                    store.put_entry(entry).await?;
                }
            }
            path_proven = false;
        }
        if first_pass {
            for entry in entries.iter_mut().filter(|entry| entry.is_pending()) {
                let before = entry.clone();
                if entry.stage() == Stage::Sending {
                    entry.recover_interrupted(now);
                }
                if trigger == Trigger::NetworkBack {
                    entry.network_is_back(now);
                }
                if *entry != before {
                    store.put_entry(entry).await?;
                }
            }
            first_pass = false;
        }
        let due = due(&entries, now);
        if due.is_empty() {
            return Ok(reach);
        }
        let mut attempts: Vec<(OutboxEntry, wendan_protocol::OrderRequest)> = Vec::new();
        for index in due {
            let mut entry = entries[index].clone();
            let body = entry.start_attempt(now);
            store.put_entry(&entry).await?;
            if let Some(body) = body {
                attempts.push((entry, body));
            }
        }
        signal::outbox_changed();
        // The phone may have slept between reading `now` and this moment (a
        // suspended tab wakes minutes later, mid-loop): read the clock again
        // as the orders go out, so one that grew too old meanwhile is never
        // sent, and `sent_at` says when it really was.
        let send_time = clock::now();
        let mut ready = Vec::with_capacity(attempts.len());
        for (mut entry, _) in attempts {
            match entry.start_attempt(send_time) {
                Some(body) => ready.push((entry, body)),
                None => store.put_entry(&entry).await?,
            }
        }
        let attempts = ready;
        let sends = attempts
            .iter()
            .map(|(entry, body)| send::send_order(&entry.key, body));
        let outcomes = join_all(sends).await;
        for ((mut entry, _), outcome) in attempts.into_iter().zip(outcomes) {
            match &outcome {
                wendan_outbox::Outcome::Unknown(_) => reach.unreachable = true,
                wendan_outbox::Outcome::Delivered(_) => {
                    reach.answered = true;
                    path_proven = true;
                }
                _ => reach.answered = true,
            }
            entry.finish_attempt(outcome, clock::now(), &backoff, &mut random);
            store.put_entry(&entry).await?;
        }
        signal::outbox_changed();
    }
}
