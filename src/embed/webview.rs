//! Mini-program web-views: no service worker (WKWebView on iOS has none),
//! the page delivers alone; order events also go to the mini-program via
//! the WeChat JSSDK (`wx.miniProgram.postMessage`) when it is there, and
//! nothing changes when it is not.

use js_sys::{Function, Reflect};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::messages::HostEvent;
use crate::url::query_param;

/// The JSSDK a web-view page loads to talk to its mini-program.
pub const JSSDK_URL: &str = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js";

/// `?mode=webview`, or a WeChat mini-program's web-view recognised by its
/// user agent (`miniProgram`) or `window.__wxjs_environment`.
pub fn detect() -> bool {
    query_param("mode").as_deref() == Some("webview") || in_mini_program()
}

pub fn in_mini_program() -> bool {
    let agent = window()
        .navigator()
        .user_agent()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let environment = Reflect::get(&window(), &"__wxjs_environment".into())
        .ok()
        .and_then(|value| value.as_string());
    agent.contains("miniprogram") || environment.as_deref() == Some("miniprogram")
}

/// Inside a mini-program, loads the JSSDK unless the page already has it.
pub fn load_jssdk_if_in_mini_program(webview: bool) {
    if !webview || !in_mini_program() || mini_program().is_some() {
        return;
    }
    let Ok(script) = document().create_element("script") else {
        return;
    };
    let _ = script.set_attribute("src", JSSDK_URL);
    if let Some(head) = document().head() {
        let _ = head.append_child(&script);
    }
}

/// The restaurant's native payment page in its mini-program (the README
/// shows its code): it pays with `wx.requestPayment` and navigates back.
pub const MINI_PROGRAM_PAY_PAGE: &str = "/pages/wendan-pay/index";

/// `wx.miniProgram.navigateTo` the native payment page with the order's id;
/// `false` when the JSSDK is not there to do it.
pub fn hand_over_payment(order_id: &str) -> bool {
    let Some(program) = mini_program() else {
        return false;
    };
    let Ok(navigate) =
        Reflect::get(&program, &"navigateTo".into()).and_then(|f| f.dyn_into::<Function>())
    else {
        return false;
    };
    let url = format!(
        "{MINI_PROGRAM_PAY_PAGE}?order_id={}",
        js_sys::encode_uri_component(order_id)
    );
    let Some(options) = super::to_js(&serde_json::json!({ "url": url })) else {
        return false;
    };
    navigate.call1(&program, &options).is_ok()
}

/// `wx.miniProgram`, if the JSSDK is loaded.
fn mini_program() -> Option<JsValue> {
    let wx = Reflect::get(&window(), &"wx".into()).ok()?;
    let program = Reflect::get(&wx, &"miniProgram".into()).ok()?;
    (program.is_object()).then_some(program)
}

/// `wx.miniProgram.postMessage({data: event})`. The mini-program receives
/// the messages at its next back, share or destroy of the web-view page.
pub fn post(event: &HostEvent) {
    let Some(program) = mini_program() else {
        return;
    };
    let Ok(post) =
        Reflect::get(&program, &"postMessage".into()).and_then(|f| f.dyn_into::<Function>())
    else {
        return;
    };
    let Some(message) = super::to_js(&serde_json::json!({ "data": event })) else {
        return;
    };
    if let Err(error) = post.call1(&program, &message) {
        web_sys::console::warn_2(&"wx.miniProgram.postMessage failed".into(), &error);
    }
}
