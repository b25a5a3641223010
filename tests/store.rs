//! The phone's storage, in a real browser: what is saved comes back, an
//! order and its emptied cart commit together, a corrupt record is set
//! aside instead of breaking the widget, and an order queued under an older
//! schema version survives the upgrade.
#![cfg(target_arch = "wasm32")]

use rexie::{ObjectStore, Rexie, TransactionMode};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wendan::cart::Cart;
use wendan::errors::StoreError;
use wendan::profile::Profile;
use wendan::store::record::Record;
use wendan::store::{Store, schema};
use wendan_outbox::OutboxEntry;
use wendan_protocol::IdempotencyKey;
use wendan_protocol::fixtures::dine_in;
use wendan_protocol::order::OrderMode;

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

/// The schema as version 1 shipped it, frozen here on purpose: the widget's
/// own schema moves on, this must not.
async fn open_version_1(name: &str) -> Rexie {
    Rexie::builder(name)
        .version(1)
        .add_object_store(ObjectStore::new("cart").key_path("key"))
        .add_object_store(ObjectStore::new("outbox").key_path("key"))
        .add_object_store(ObjectStore::new("menu").key_path("key"))
        .add_object_store(ObjectStore::new("quarantine").key_path("key"))
        .build()
        .await
        .expect("a version 1 database")
}

/// A `{key, json}` record exactly as version 1 wrote it.
fn version_1_record<T: serde::Serialize>(key: &str, value: &T) -> JsValue {
    let record = js_sys::Object::new();
    let json = serde_json::to_string(value).expect("json");
    js_sys::Reflect::set(&record, &"key".into(), &key.into()).expect("key");
    js_sys::Reflect::set(&record, &"json".into(), &json.into()).expect("json");
    record.into()
}

fn pickup_entry(key: &str, cart: &Cart, name: &str) -> OutboxEntry {
    let mut order = entry(key, cart);
    order.request.mode = OrderMode::Pickup;
    order.request.table = None;
    order.request.pickup_name = Some(name.into());
    order
}

#[wasm_bindgen_test]
async fn an_order_queued_under_version_1_is_still_queued_after_the_upgrade() {
    let name = format!("wendan-test-upgrade-{}", js_sys::Date::now());
    let queued = entry("key-upgrade-0000001", &cart_with_potatoes());
    let mut cart = cart_with_potatoes();
    cart.add("beef-tripe", vec![], "");

    let old = open_version_1(&name).await;
    let transaction = old
        .transaction(&["outbox", "cart"], TransactionMode::ReadWrite)
        .expect("tx");
    let outbox = transaction.store("outbox").expect("outbox");
    let record = version_1_record(queued.key.as_str(), &queued);
    outbox.put(&record, None).await.expect("put order");
    let carts = transaction.store("cart").expect("cart");
    let record = version_1_record("current", &cart);
    carts.put(&record, None).await.expect("put cart");
    transaction.done().await.expect("done");
    old.close();

    let store = Store::open_indexed(&name).await.expect("upgrades to v2");
    let load = store.outbox().await.expect("outbox");
    assert_eq!(load.entries, vec![queued], "the queued order, unchanged");
    assert!(load.set_aside.is_empty());
    assert_eq!(store.load_cart().await.expect("cart"), cart);
    assert_eq!(
        store.load_profile().await.expect("profile"),
        Profile::default()
    );

    let order = pickup_entry("key-upgrade-0000002", &cart, "Li Wei");
    store.place(&order, cart.revision).await.expect("placed");
    assert_eq!(
        store.load_profile().await.expect("profile").pickup_name,
        "Li Wei"
    );
    assert_eq!(store.outbox().await.expect("outbox").entries.len(), 2);
    let upgraded = schema::open(&name).await.expect("open");
    assert_eq!(upgraded.version().expect("version"), schema::DB_VERSION);
}

/// Placing a pickup order remembers the name for the next cart, on either
/// backend; a dine-in order does not forget it.
async fn the_pickup_name_round_trips_on(store: &Store, reopen: impl AsyncFn() -> Store) {
    assert_eq!(
        store.load_profile().await.expect("profile"),
        Profile::default()
    );
    let mut cart = cart_with_potatoes();
    cart.set_pickup_name("Li Wei");
    store.save_cart(&cart).await.expect("saved");
    let order = pickup_entry(
        &format!("key-name-{}", js_sys::Date::now()),
        &cart,
        " Li Wei ",
    );

    let emptied = store.place(&order, cart.revision).await.expect("placed");
    assert!(emptied.is_empty());
    assert_eq!(emptied.pickup_name, "Li Wei", "the next cart has the name");
    assert_eq!(store.load_cart().await.expect("cart"), emptied);

    let mut dine_in_cart = emptied.clone();
    dine_in_cart.add("beef-tripe", vec![], "");
    store.save_cart(&dine_in_cart).await.expect("saved");
    let dine_in = entry(&format!("key-dine-{}", js_sys::Date::now()), &dine_in_cart);
    store
        .place(&dine_in, dine_in_cart.revision)
        .await
        .expect("placed");

    let again = reopen().await;
    assert_eq!(
        again.load_profile().await.expect("profile").pickup_name,
        "Li Wei"
    );
    let mut fresh = again.load_cart().await.expect("cart");
    fresh.prefill(&again.load_profile().await.expect("profile"));
    assert_eq!(fresh.pickup_name, "Li Wei");
}

#[wasm_bindgen_test]
async fn the_pickup_name_round_trips_in_indexed_db() {
    let (store, name) = fresh_store("profile").await;
    let reopen = async || Store::open_indexed(&name).await.expect("reopens");
    the_pickup_name_round_trips_on(&store, reopen).await;
}

/// The page's localStorage, emptied for the test.
fn cleared_local_storage() -> web_sys::Storage {
    let storage = web_sys::window()
        .and_then(|window| window.local_storage().ok().flatten())
        .expect("localStorage");
    storage.clear().expect("cleared");
    storage
}

#[wasm_bindgen_test]
async fn the_pickup_name_round_trips_in_local_storage() {
    cleared_local_storage();
    let store = Store::open_local().expect("localStorage");
    let reopen = async || Store::open_local().expect("reopens");
    the_pickup_name_round_trips_on(&store, reopen).await;
}

#[wasm_bindgen_test]
async fn an_unreadable_local_outbox_is_set_aside_not_overwritten() {
    let storage = cleared_local_storage();
    storage
        .set_item("wendan.outbox", "{not json")
        .expect("written");
    let store = Store::open_local().expect("localStorage");
    assert!(matches!(
        store.outbox().await,
        Err(StoreError::Corrupt { .. })
    ));
    assert_eq!(
        storage.get_item("wendan.quarantine.outbox").expect("read"),
        Some("{not json".into()),
        "kept for support"
    );

    // The next order starts a fresh outbox instead of failing for ever.
    let cart = cart_with_potatoes();
    store.save_cart(&cart).await.expect("saved");
    let order = entry("key-local-000000001", &cart);
    store.place(&order, cart.revision).await.expect("placed");
    assert_eq!(store.outbox().await.expect("outbox").entries, vec![order]);
}

#[wasm_bindgen_test]
async fn one_bad_local_entry_does_not_hide_the_others() {
    let storage = cleared_local_storage();
    storage
        .set_item("wendan.outbox", r#"{"key-bad": {"key": 1}}"#)
        .expect("written");
    let store = Store::open_local().expect("localStorage");
    let cart = cart_with_potatoes();
    store.save_cart(&cart).await.expect("saved");
    let order = entry("key-local-000000002", &cart);
    store.place(&order, cart.revision).await.expect("placed");

    let load = store.outbox().await.expect("outbox");
    assert_eq!(load.entries, vec![order]);
    assert!(matches!(
        load.set_aside.as_slice(),
        [StoreError::Corrupt { key, .. }] if key == "key-bad"
    ));
}
