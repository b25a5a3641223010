//! Which orders to send now. Every due order goes, each on its own: one
//! order stuck behind a refusal or a timeout never holds back the others
//! (Workbox's queue replays one at a time and stops at the first failure).

use time::OffsetDateTime;

use crate::OutboxEntry;

/// Indexes of the entries due at `now`, oldest order first.
pub fn due(entries: &[OutboxEntry], now: OffsetDateTime) -> Vec<usize> {
    let mut due: Vec<usize> = (0..entries.len())
        .filter(|&i| entries[i].is_due(now))
        .collect();
    due.sort_by_key(|&i| entries[i].request.client.created_at);
    due
}

/// The earliest moment any entry wants attention: when to wake up next.
pub fn next_wake(entries: &[OutboxEntry]) -> Option<OffsetDateTime> {
    entries.iter().filter_map(OutboxEntry::wakes_at).min()
}

/// Orders still the phone's to deliver, for "2 orders waiting to send".
pub fn pending_count(entries: &[OutboxEntry]) -> usize {
    entries.iter().filter(|entry| entry.is_pending()).count()
}
