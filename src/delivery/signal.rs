//! Telling every tab (and the worker) that the outbox changed, so two tabs
//! never show different truth: a BroadcastChannel message.

use web_sys::BroadcastChannel;

pub const CHANNEL: &str = "wendan-outbox";
pub const CHANGED: &str = "outbox-changed";
pub const CART_CHANGED: &str = "cart-changed";

pub fn outbox_changed() {
    post(CHANGED);
}

pub fn cart_changed() {
    post(CART_CHANGED);
}

fn post(message: &str) {
    if let Ok(channel) = BroadcastChannel::new(CHANNEL) {
        let _ = channel.post_message(&message.into());
        channel.close();
    }
}
