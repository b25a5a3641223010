//! Telling every other tab (and the worker) that the outbox or the cart
//! changed, so two tabs never show different truth: a BroadcastChannel.
//!
//! One channel object per page or worker, used to post and to listen: a
//! BroadcastChannel never delivers a message to the object that posted it,
//! so a tab does not reload what it has just written itself.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{BroadcastChannel, MessageEvent};

pub const CHANNEL: &str = "wendan-outbox";
pub const CHANGED: &str = "outbox-changed";
pub const CART_CHANGED: &str = "cart-changed";

thread_local! {
    static SHARED: Option<BroadcastChannel> = BroadcastChannel::new(CHANNEL).ok();
}

pub fn outbox_changed() {
    post(CHANGED);
}

pub fn cart_changed() {
    post(CART_CHANGED);
}

fn post(message: &str) {
    SHARED.with(|channel| {
        if let Some(channel) = channel {
            let _ = channel.post_message(&message.into());
        }
    });
}

/// Calls `on_message` with each message another tab or the worker posts,
/// for the lifetime of this page.
pub fn listen(on_message: impl Fn(&str) + 'static) {
    let handler = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        if let Some(message) = event.data().as_string() {
            on_message(&message);
        }
    });
    SHARED.with(|channel| {
        if let Some(channel) = channel {
            channel.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        }
    });
    handler.forget();
}
