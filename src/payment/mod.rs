//! Paying for an order. "Pay" asks the server to start the order's payment
//! (or to resume the one in flight: the server never makes a second one,
//! whoever asks) and hands the diner to the provider's page. The phone keeps
//! each order's payment as last known (`store::Store::put_payment`), written
//! before the diner leaves, so a reload, a closed tab or a lost signal shows
//! the same state, and the receipt says "paid" offline.
//!
//! The diner's return to the page proves nothing: the page asks the server,
//! which asks the provider while the outcome is unknown. The rules of what
//! a receipt shows are plain Rust in `wendan_payments::wire`.
//!
//! [`wechat_browser`]: inside WeChat's own browser, WeChat Pay runs as JSAPI.

pub mod wechat_browser;

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;
use wendan_outbox::DeliveryState;
use wendan_payments::PaymentState;
use wendan_payments::wire::{Channel, Handoff, PaymentView, ProviderId};
use wendan_protocol::OrderStatus;

use crate::api;
use crate::delivery::clock;
use crate::embed::webview;
use crate::errors::PayError;
use crate::url::query_param;
use crate::widget::Widget;

/// The widget's `?payment_return=<order id>`: the provider's page sent the
/// diner back (the server's return URL names it, `server::payments::paths`).
pub use wendan_payments::wire::PAYMENT_RETURN_PARAMETER as RETURN_PARAMETER;

/// How often the page asks about payments whose outcome is unknown, while
/// it is visible. Each ask may make the server query the provider, so not
/// faster than a diner notices.
const CHECK_EVERY: Duration = Duration::from_secs(3);

/// Shows the payments the phone kept, asks about those still unknown (and
/// first about the one the diner just came back from), and keeps asking
/// while any stays unknown.
pub async fn start(widget: Widget) {
    let Some(store) = widget.store() else { return };
    match store.payments().await {
        Ok(kept) => widget.payments.set(
            kept.into_iter()
                .map(|view| (view.order_id.clone(), view))
                .collect(),
        ),
        Err(error) => widget.show_store_error(&error),
    }
    let authorised = wechat_browser::take_authorisation_return();
    if let Some(order_id) = query_param(RETURN_PARAMETER) {
        forget_return_parameter();
        // The server's return URL names the order in the hyphenated form;
        // the API and the phone name it in the simple one.
        let order_id = uuid::Uuid::parse_str(&order_id)
            .map(|id| id.simple().to_string())
            .unwrap_or(order_id);
        check(widget, &order_id).await;
        if let Some(authorised) = authorised {
            continue_after_authorisation(widget, order_id, authorised).await;
        }
    }
    check_unknown(widget).await;
    let _ = set_interval_with_handle(
        move || {
            if document().visibility_state() == web_sys::VisibilityState::Visible {
                spawn_local(check_unknown(widget));
            }
        },
        CHECK_EVERY,
    );
}

/// Asks about every payment whose outcome the phone is waiting for: one
/// in flight, and the money of an order the kitchen cancelled (until the
/// refund is confirmed, so the receipt says "Refunded").
async fn check_unknown(widget: Widget) {
    let cancelled: Vec<String> = widget.orders.with_untracked(|orders| {
        orders
            .iter()
            .filter_map(|entry| match &entry.state {
                DeliveryState::Received { order } if order.status == OrderStatus::Cancelled => {
                    Some(order.id.clone())
                }
                _ => None,
            })
            .collect()
    });
    let pending: Vec<String> = widget.payments.with_untracked(|payments| {
        payments
            .values()
            .filter(|view| {
                view.state == PaymentState::Pending
                    || (view.state.is_captured() && cancelled.contains(&view.order_id))
            })
            .map(|view| view.order_id.clone())
            .collect()
    });
    for order_id in pending {
        check(widget, &order_id).await;
    }
}

/// Asks the server where an order's payment stands, and keeps the answer.
/// Offline, the last known state stays.
pub async fn check(widget: Widget, order_id: &str) {
    if let Ok(view) = api::payment_status(order_id).await {
        keep(widget, view).await;
    }
}

/// Back from WeChat's authorisation, which the diner's "Pay" started: that
/// "Pay" goes on (unless the order no longer waits for its money), or the
/// diner hears why it cannot.
async fn continue_after_authorisation(
    widget: Widget,
    order_id: String,
    authorised: wechat_browser::AuthorisationReturn,
) {
    match authorised {
        wechat_browser::AuthorisationReturn::Openid => {
            let payable = widget.payments.with_untracked(|payments| {
                payments.get(&order_id).is_some_and(|view| {
                    wendan_payments::wire::can_pay(view.order_status, view.state)
                })
            });
            if payable {
                first_provider(widget).await;
                pay(widget, order_id, ProviderId::Wechat).await;
            }
        }
        wechat_browser::AuthorisationReturn::Failed(word) => {
            let why = if word == "snapshot" {
                PayError::WechatSnapshot
            } else {
                PayError::CouldNotStart(format!("WeChat authorisation: {word}"))
            };
            widget.payment_error.set(Some((order_id, why)));
        }
    }
}

/// Fetches how this restaurant's diners can pay, once, when an order first
/// shows a "Pay" button (not at start: most visits never pay online).
pub fn want_options(widget: Widget) {
    spawn_local(async move {
        first_provider(widget).await;
    });
}

/// The restaurant's first provider, fetching its choices if they are not
/// known yet: a "Pay" tapped before they arrive waits for them instead of
/// being dropped.
pub async fn first_provider(widget: Widget) -> Option<ProviderId> {
    if widget.payment_options.with_untracked(Option::is_none)
        && let Ok(options) = api::payment_options().await
    {
        widget.payment_options.set(Some(options));
    }
    widget.payment_options.with_untracked(|options| {
        options
            .as_ref()
            .and_then(|options| options.providers.first().copied())
    })
}

/// "Pay" with `provider`: the server starts (or resumes) the payment, the
/// phone keeps it as pending, then the diner goes to the provider.
pub async fn pay(widget: Widget, order_id: String, provider: ProviderId) {
    widget.payment_error.set(None);
    widget.paying_elsewhere.set(None);
    if widget.webview && provider == ProviderId::Wechat && webview::in_mini_program() {
        // The web-view cannot pay; the mini-program's own page can (it has
        // the diner's openid and `wx.requestPayment`).
        let sandbox = widget
            .payment_options
            .with_untracked(|options| options.as_ref().is_some_and(|options| options.sandbox));
        let handed = PaymentView::new(
            order_id.clone(),
            PaymentState::Pending,
            OrderStatus::AwaitingPayment,
            Some(provider),
            None,
            sandbox,
        );
        keep(widget, handed).await;
        if !webview::hand_over_payment(&order_id) {
            widget
                .payment_error
                .set(Some((order_id, PayError::NotHere)));
        }
        return;
    }
    let channel = match wechat_in_browser_channel(widget, provider) {
        Some(Ok(channel)) => channel,
        Some(Err(())) => {
            // The diner goes to WeChat's authorisation and comes back to
            // this "Pay" (`continue_after_authorisation`).
            if let Err(error) = wechat_browser::authorize(&order_id) {
                let why = PayError::CouldNotStart(format!("{error:?}"));
                widget.payment_error.set(Some((order_id, why)));
            }
            return;
        }
        None => Channel::by_redirect(provider),
    };
    let Some(key) = clock::new_idempotency_key() else {
        let why = PayError::CouldNotStart("no random source for the key".into());
        widget.payment_error.set(Some((order_id, why)));
        return;
    };
    let mut answer = match api::start_payment(&order_id, &channel, &key).await {
        Ok(answer) => answer,
        Err(error) => {
            // Nothing was charged; if the server did start the payment, the
            // check finds it and the next "Pay" resumes it.
            let why = PayError::CouldNotStart(error.to_string());
            widget.payment_error.set(Some((order_id.clone(), why)));
            check(widget, &order_id).await;
            return;
        }
    };
    let handoff = answer.handoff.take();
    // Kept before leaving: if the diner never comes back to this tab, the
    // next visit still knows a payment is in flight and asks about it.
    keep(widget, answer).await;
    match handoff {
        Some(Handoff::Redirect { url }) => open_provider_page(widget, &order_id, &url),
        Some(Handoff::Counter) | None => {}
        Some(Handoff::WechatBridge { payment }) => {
            match wechat_browser::invoke_bridge(&payment).await {
                // Paid or closed: only the server's word (notification or
                // query) says which.
                wechat_browser::BridgeOutcome::Done | wechat_browser::BridgeOutcome::Cancelled => {}
                wechat_browser::BridgeOutcome::Failed(message) => {
                    let why = PayError::CouldNotStart(message);
                    widget.payment_error.set(Some((order_id.clone(), why)));
                }
                wechat_browser::BridgeOutcome::Unavailable => {
                    widget
                        .payment_error
                        .set(Some((order_id.clone(), PayError::NotHere)));
                }
            }
            check(widget, &order_id).await;
        }
        Some(Handoff::MiniProgram { .. }) => {
            widget
                .payment_error
                .set(Some((order_id, PayError::NotHere)));
        }
    }
}

/// Inside WeChat's browser, with the restaurant set up for it: JSAPI with
/// the diner's `openid` (`Err` when it is not known yet). `None` elsewhere.
fn wechat_in_browser_channel(widget: Widget, provider: ProviderId) -> Option<Result<Channel, ()>> {
    let set_up = widget.payment_options.with_untracked(|options| {
        options
            .as_ref()
            .is_some_and(|options| options.wechat_in_browser)
    });
    (provider == ProviderId::Wechat && set_up && wechat_browser::in_wechat_browser()).then(|| {
        wechat_browser::remembered_openid()
            .map(|openid| Channel::WechatJsapi { openid })
            .ok_or(())
    })
}

/// At top level the page goes to the provider and comes back to the return
/// URL. Inside an iframe a provider's page refuses to be framed, so it
/// opens at top level in a new window, and this page keeps asking.
fn open_provider_page(widget: Widget, order_id: &str, url: &str) {
    if is_framed() {
        let _ = window().open_with_url_and_target(url, "_blank");
        widget.paying_elsewhere.set(Some(order_id.to_owned()));
    } else if let Err(error) = window().location().assign(url) {
        let why = PayError::CouldNotStart(format!("{error:?}"));
        widget.payment_error.set(Some((order_id.to_owned(), why)));
    }
}

fn is_framed() -> bool {
    let here: JsValue = window().into();
    match window().top() {
        Ok(Some(top)) => !js_sys::Object::is(&here, &top.into()),
        // A cross-origin top cannot even be compared: framed.
        _ => true,
    }
}

/// Keeps `view` on the phone and on screen. A failure to save is shown;
/// the screen still shows the server's word.
async fn keep(widget: Widget, view: PaymentView) {
    if let Some(store) = widget.store()
        && let Err(error) = store.put_payment(&view).await
    {
        widget.show_store_error(&error);
    }
    widget.payments.update(|payments| {
        payments.insert(view.order_id.clone(), view);
    });
}

/// Drops `?payment_return=` from the address, so a reload or a shared link
/// does not claim to be a return from paying.
fn forget_return_parameter() {
    let Ok(href) = window().location().href() else {
        return;
    };
    let Ok(url) = web_sys::Url::new(&href) else {
        return;
    };
    url.search_params().delete(RETURN_PARAMETER);
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url.href()));
    }
}
