//! Paying inside WeChat's own browser, which refuses H5 pay: JSAPI, through
//! `WeixinJSBridge.invoke('getBrandWCPayRequest', …)`. That needs the
//! diner's `openid`, which only WeChat's web authorisation gives: the first
//! "Pay" sends the diner through it (silent, a redirect there and back, see
//! the server's `payments::wechat_openid`), and the page continues that same
//! "Pay" when it comes back. The `openid` is kept on the phone, so later
//! payments go straight to WeChat's payment sheet.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use js_sys::{Function, Reflect};
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wendan_payments::wire::{
    BridgePayment, WECHAT_AUTHORIZE_PATH, WECHAT_OPENID_ERROR_FRAGMENT, WECHAT_OPENID_FRAGMENT,
};

use crate::embed::webview;

const OPENID_KEY: &str = "wendan.wechat_openid";

/// How long to wait for WeChat's bridge to be ready before saying this page
/// cannot pay.
const BRIDGE_WAIT: Duration = Duration::from_secs(5);

/// The WeChat browser itself (not a mini-program's web-view, which hands
/// payment to its native page instead).
pub fn in_wechat_browser() -> bool {
    let agent = window()
        .navigator()
        .user_agent()
        .unwrap_or_default()
        .to_ascii_lowercase();
    agent.contains("micromessenger") && !webview::in_mini_program()
}

/// The diner's `openid`, from an earlier authorisation on this phone.
pub fn remembered_openid() -> Option<String> {
    let storage = window().local_storage().ok().flatten()?;
    storage.get_item(OPENID_KEY).ok().flatten()
}

/// What WeChat's web authorisation brought back in the fragment.
pub enum AuthorisationReturn {
    /// The `openid` is kept: continue the diner's "Pay".
    Openid,
    /// No `openid`, and the server's word for why (`snapshot`, `refused`…).
    Failed(String),
}

/// Reads `#wechat_openid=…` or `#wechat_openid_error=…`, keeps the
/// `openid`, and drops the fragment from the address (a reload or a shared
/// link must not carry it).
pub fn take_authorisation_return() -> Option<AuthorisationReturn> {
    let hash = window().location().hash().ok()?;
    let fragment = hash.strip_prefix('#')?;
    let (name, value) = fragment.split_once('=')?;
    let outcome = if name == WECHAT_OPENID_FRAGMENT {
        let storage = window().local_storage().ok().flatten();
        if let Some(storage) = storage {
            let _ = storage.set_item(OPENID_KEY, value);
        }
        AuthorisationReturn::Openid
    } else if name == WECHAT_OPENID_ERROR_FRAGMENT {
        AuthorisationReturn::Failed(value.to_owned())
    } else {
        return None;
    };
    let location = window().location();
    let without = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&without));
    }
    Some(outcome)
}

/// Sends the diner to WeChat's silent authorisation for `order_id`.
pub fn authorize(order_id: &str) -> Result<(), JsValue> {
    let url = format!(
        "{WECHAT_AUTHORIZE_PATH}?order_id={}",
        js_sys::encode_uri_component(order_id)
    );
    window().location().assign(&url)
}

/// How WeChat's payment sheet ended.
pub enum BridgeOutcome {
    /// `get_brand_wcpay_request:ok`: WeChat says paid (the server confirms).
    Done,
    /// The diner closed the sheet.
    Cancelled,
    /// WeChat refused (its `err_msg`).
    Failed(String),
    /// No `WeixinJSBridge` on this page.
    Unavailable,
}

/// Opens WeChat's payment sheet with the server's signed parameters.
pub async fn invoke_bridge(payment: &BridgePayment) -> BridgeOutcome {
    let Some(bridge) = bridge_when_ready().await else {
        return BridgeOutcome::Unavailable;
    };
    let Ok(invoke) = Reflect::get(&bridge, &"invoke".into()).and_then(|f| f.dyn_into::<Function>())
    else {
        return BridgeOutcome::Unavailable;
    };
    let Some(parameters) = crate::embed::to_js(payment) else {
        return BridgeOutcome::Failed("the payment parameters".into());
    };
    let answered = js_sys::Promise::new(&mut |resolve: Function, _reject| {
        let callback = Closure::once_into_js(move |result: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &result);
        });
        let _ = invoke.call3(
            &bridge,
            &"getBrandWCPayRequest".into(),
            &parameters,
            &callback,
        );
    });
    let Ok(result) = wasm_bindgen_futures::JsFuture::from(answered).await else {
        return BridgeOutcome::Failed("no answer".into());
    };
    let message = Reflect::get(&result, &"err_msg".into())
        .ok()
        .and_then(|value| value.as_string())
        .unwrap_or_default();
    match message.as_str() {
        "get_brand_wcpay_request:ok" => BridgeOutcome::Done,
        "get_brand_wcpay_request:cancel" => BridgeOutcome::Cancelled,
        _ => BridgeOutcome::Failed(message),
    }
}

/// `window.WeixinJSBridge`, waiting for `WeixinJSBridgeReady` when the page
/// asks before WeChat has injected it (its documented pattern).
async fn bridge_when_ready() -> Option<JsValue> {
    let present = || {
        Reflect::get(&window(), &"WeixinJSBridge".into())
            .ok()
            .filter(JsValue::is_object)
    };
    if let Some(bridge) = present() {
        return Some(bridge);
    }
    let ready = Rc::new(Cell::new(false));
    let flag = ready.clone();
    let listener = Closure::<dyn Fn()>::new(move || flag.set(true));
    let _ = document()
        .add_event_listener_with_callback("WeixinJSBridgeReady", listener.as_ref().unchecked_ref());
    let step = Duration::from_millis(100);
    let mut waited = Duration::ZERO;
    while !ready.get() && present().is_none() && waited < BRIDGE_WAIT {
        gloo_timers::future::sleep(step).await;
        waited += step;
    }
    let _ = document().remove_event_listener_with_callback(
        "WeixinJSBridgeReady",
        listener.as_ref().unchecked_ref(),
    );
    present()
}
