//! The menu renders in the diner's language, in a real browser.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wendan::components::MenuView;
use wendan_protocol::Menu;
use wendan_words::Language;

wasm_bindgen_test_configure!(run_in_browser);

const MENU: &str = r#"{
  "version": "v1", "currency": "CNY",
  "restaurant": {"name": {"zh-CN": "测试火锅", "en": "Test Hotpot"}},
  "opening_hours": {"utc_offset_minutes": 480, "periods": [{"open": "00:00", "close": "24:00"}]},
  "categories": [{"id": "meats", "name": {"zh-CN": "荤菜", "en": "Meats"}}],
  "items": [{"id": "beef-tripe", "category": "meats", "price_minor": 3800,
             "name": {"zh-CN": "毛肚", "en": "Beef tripe"}}]
}"#;

fn render(language: Language) -> web_sys::HtmlElement {
    let menu: Menu = serde_json::from_str(MENU).expect("test menu parses");
    let document = web_sys::window()
        .and_then(|window| window.document())
        .expect("a document");
    let host: web_sys::HtmlElement = document
        .create_element("div")
        .expect("create div")
        .dyn_into()
        .expect("a div is an HtmlElement");
    document
        .body()
        .expect("a body")
        .append_child(&host)
        .expect("append");
    leptos::mount::mount_to(
        host.clone(),
        move || view! { <MenuView menu=menu.clone() language /> },
    )
    .forget();
    host
}

use wasm_bindgen::JsCast;

/// The "Add" button of dish `item_id`.
fn add_button(host: &web_sys::HtmlElement, item_id: &str) -> web_sys::Element {
    host.query_selector(&format!("[data-item-id='{item_id}'] button"))
        .expect("valid selector")
        .expect("an add button")
}

#[wasm_bindgen_test]
fn lists_items_with_yuan_prices_in_english() {
    let host = render(Language::English);
    let text = host.text_content().unwrap_or_default();
    assert!(text.contains("Meats"), "{text}");
    assert!(text.contains("Beef tripe"), "{text}");
    assert!(text.contains("¥38.00"), "{text}");
    let add = add_button(&host, "beef-tripe");
    assert_eq!(
        add.get_attribute("aria-label").as_deref(),
        Some("Add Beef tripe")
    );
}

#[wasm_bindgen_test]
fn lists_items_in_chinese() {
    let text = render(Language::ZhCn).text_content().unwrap_or_default();
    assert!(text.contains("毛肚"), "{text}");
    assert!(text.contains("荤菜"), "{text}");
}

/// A menu written only in Simplified Chinese and English reads in its
/// Chinese names for a Traditional Chinese diner, with the widget's own
/// words in Traditional Chinese.
#[wasm_bindgen_test]
fn a_traditional_chinese_diner_reads_the_chinese_names() {
    let host = render(Language::ZhTw);
    let text = host.text_content().unwrap_or_default();
    assert!(text.contains("毛肚"), "{text}");
    let add = add_button(&host, "beef-tripe");
    assert_eq!(
        add.get_attribute("aria-label").as_deref(),
        Some("加入 毛肚")
    );
}
