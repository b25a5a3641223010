//! What the widget reads back from IndexedDB or localStorage: the `json` of
//! a `{key, json}` record (src/store/record.rs decodes it with
//! `serde_json::from_str`), as an outbox entry or as the cart. Storage can
//! hold anything an older version, another tab or a bad disk wrote, so a
//! decoded value must also be safe to use: the outbox schedules and retries
//! it, the cart counts and prices it.

#![no_main]

mod server;

#[allow(dead_code)]
#[path = "../../src/cart.rs"]
mod cart;

/// What `cart.rs` prefills a new cart from.
#[allow(dead_code)]
#[path = "../../src/profile.rs"]
mod profile;

use libfuzzer_sys::fuzz_target;
use time::Duration;
use wendan_outbox::random::SplitMix64;
use wendan_outbox::{Backoff, OutboxEntry, Outcome, schedule};

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(entry) = serde_json::from_str::<OutboxEntry>(json) {
        use_entry(entry);
    }
    if let Ok(cart) = serde_json::from_str::<cart::Cart>(json) {
        use_cart(cart);
    }
});

fn use_entry(entry: OutboxEntry) {
    let written = serde_json::to_string(&entry).expect("a decoded entry encodes");
    let again: OutboxEntry = serde_json::from_str(&written).expect("and decodes again");
    assert_eq!(again, entry);

    let now = server::NOON_IN_BEIJING;
    let entries = vec![entry.clone()];
    let _ = schedule::due(&entries, now);
    let _ = schedule::next_wake(&entries);
    let _ = schedule::pending_count(&entries);
    let _ = (entry.state_name(), entry.local_ref(), entry.wakes_at());

    let backoff = Backoff::default();
    let mut random = SplitMix64::new(1);
    // `now` is the phone's clock, a real date; the stored dates are anything.
    for now in [now, now + Duration::days(1)] {
        let mut entry = entry.clone();
        let _ = entry.is_due(now);
        entry.recover_interrupted(now);
        entry.network_is_back(now);
        if entry.start_attempt(now).is_some() {
            let throttled = Outcome::Throttled {
                retry_after: Some(Duration::seconds(5)),
            };
            entry.finish_attempt(throttled, now, &backoff, &mut random);
            entry.finish_attempt(Outcome::no_answer("fuzz"), now, &backoff, &mut random);
            let _ = entry.wakes_at();
        }
    }
}

fn use_cart(cart: cart::Cart) {
    let written = serde_json::to_string(&cart).expect("a decoded cart encodes");
    let again: cart::Cart = serde_json::from_str(&written).expect("and decodes again");
    assert_eq!(again, cart);
    let menu = &server::DEMO_MENU.menu;
    let _ = (cart.count(), cart.is_empty(), cart.total_minor(menu));
    let _ = cart.order_lines();
    let mut edited = cart.clone();
    if let Some(line) = cart.lines.first() {
        edited.set_qty(line.line_id, line.qty.saturating_add(1));
        edited.add(&line.item_id, line.options.clone(), &line.note);
        edited.remove(line.line_id);
    }
}
