//! The phone's storage, in a real browser: what is saved comes back, an
//! order and its emptied cart commit together, and a corrupt record is set
//! aside instead of breaking the widget.
#![cfg(target_arch = "wasm32")]

use rexie::TransactionMode;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wendan::cart::Cart;
use wendan::store::record::Record;
use wendan::store::{Store, StoreError, schema};
use wendan_outbox::OutboxEntry;
use wendan_protocol::IdempotencyKey;
use wendan_protocol::fixtures::dine_in;

wasm_bindgen_test_configure!(run_in_browser);

/// A database of its own for each test.
async fn fresh_store(test: &str) -> (Store, String) {
    let name = format!("wendan-test-{test}-{}", js_sys::Date::now());
    let store = Store::open_indexed(&name).await.expect("IndexedDB opens");
    (store, name)
}

fn cart_with_potatoes() -> Cart {
    let mut cart = Cart::default();
    cart.add("potato-slices", vec![], "crispy");
    cart
}

fn entry(key: &str, cart: &Cart) -> OutboxEntry {
    let now = time::OffsetDateTime::from_unix_timestamp(1_795_000_000).expect("time");
    let request = dine_in(cart.order_lines(), now, 1000);
    OutboxEntry::new(IdempotencyKey::new(key).expect("key"), request, 2700)
}

#[wasm_bindgen_test]
async fn a_saved_cart_comes_back() {
    let (store, _) = fresh_store("cart").await;
    assert_eq!(
        store.load_cart().await.expect("empty cart"),
        Cart::default()
    );
    let cart = cart_with_potatoes();
    store.save_cart(&cart).await.expect("saved");
    assert_eq!(store.load_cart().await.expect("loaded"), cart);
}

#[wasm_bindgen_test]
async fn placing_saves_the_order_and_empties_the_cart_together() {
    let (store, _) = fresh_store("place").await;
    let cart = cart_with_potatoes();
    store.save_cart(&cart).await.expect("saved");
    let order = entry("key-place-000000001", &cart);

    store.place(&order, cart.revision).await.expect("placed");
    let outbox = store.outbox().await.expect("outbox");
    assert_eq!(outbox.entries, vec![order.clone()]);
    assert!(store.load_cart().await.expect("cart").is_empty());

    // A second tap, or another tab, holding the same (now ordered) cart.
    let again = store.place(&order, cart.revision).await;
    assert_eq!(again, Err(StoreError::CartChanged));
    assert_eq!(store.outbox().await.expect("outbox").entries.len(), 1);
}

#[wasm_bindgen_test]
async fn the_same_order_key_is_never_saved_twice() {
    let (store, _) = fresh_store("key").await;
    let cart = cart_with_potatoes();
    store.save_cart(&cart).await.expect("saved");
    let order = entry("key-twice-000000001", &cart);
    store.place(&order, cart.revision).await.expect("placed");
    let refilled = Cart::emptied(cart.revision);
    let mut refilled = refilled;
    refilled.add("beef-tripe", vec![], "");
    store.save_cart(&refilled).await.expect("saved");
    let duplicate = store.place(&order, refilled.revision).await;
    assert_eq!(duplicate, Err(StoreError::AlreadyPlaced));
    assert!(
        !store.load_cart().await.expect("cart").is_empty(),
        "nothing was emptied"
    );
}

#[wasm_bindgen_test]
async fn a_corrupt_record_is_set_aside_and_the_rest_still_load() {
    let (store, name) = fresh_store("corrupt").await;
    let cart = cart_with_potatoes();
    store.save_cart(&cart).await.expect("saved");
    let good = entry("key-good-0000000001", &cart);
    store.place(&good, cart.revision).await.expect("placed");

    // A record mangled by an old bug or a disk error.
    let db = schema::open(&name).await.expect("open");
    let transaction = db
        .transaction(&[schema::OUTBOX], TransactionMode::ReadWrite)
        .expect("tx");
    let bad = Record {
        key: "key-bad-00000000001".into(),
        json: "{\"state\": \"half-written".into(),
    };
    let outbox = transaction.store(schema::OUTBOX).expect("store");
    outbox
        .put(&bad.to_js().expect("js"), None)
        .await
        .expect("put");
    transaction.done().await.expect("done");

    let load = store.outbox().await.expect("outbox still loads");
    assert_eq!(load.entries, vec![good]);
    assert!(matches!(
        load.set_aside.as_slice(),
        [StoreError::Corrupt { .. }]
    ));
    let again = store.outbox().await.expect("outbox");
    assert!(
        again.set_aside.is_empty(),
        "moved out of the way, reported once"
    );

    let transaction = db
        .transaction(&[schema::QUARANTINE], TransactionMode::ReadOnly)
        .expect("tx");
    let kept = transaction
        .store(schema::QUARANTINE)
        .expect("store")
        .get(JsValue::from_str("outbox:key-bad-00000000001"))
        .await
        .expect("get");
    assert!(kept.is_some(), "kept for support, not deleted");
}
