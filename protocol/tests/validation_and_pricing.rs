//! An order is priced from the menu, and every problem with it is reported at once.

use time::macros::datetime;
use wendan_protocol::device_clock::{DeviceClock, max_age};
use wendan_protocol::fixtures::{dine_in, line};
use wendan_protocol::menu::{Category, Item, ItemOption, OptionGroup, Restaurant};
use wendan_protocol::opening_hours::{OpeningHours, OpeningPeriod};
use wendan_protocol::order::{OrderLine, OrderMode};
use wendan_protocol::pricing::{changed_lines, quote};
use wendan_protocol::validation::validate;
use wendan_protocol::{Localized, Menu, OrderRequest};

fn text(en: &str) -> Localized {
    Localized::from([("en", en)])
}

fn option(id: &str, delta: i64) -> ItemOption {
    ItemOption {
        id: id.into(),
        name: text(id),
        price_delta_minor: delta,
    }
}

fn item(id: &str, price: i64, option_groups: Vec<OptionGroup>) -> Item {
    Item {
        id: id.into(),
        category: "mains".into(),
        name: text(id),
        description: Localized::default(),
        price_minor: price,
        option_groups,
        tags: vec![],
        allergens: vec![],
        sold_out: false,
    }
}

fn menu() -> Menu {
    let spice = OptionGroup {
        id: "spice".into(),
        name: text("Spice"),
        min: 1,
        max: 1,
        options: vec![option("mild", 0), option("hot", 0)],
    };
    let extras = OptionGroup {
        id: "extras".into(),
        name: text("Extras"),
        min: 0,
        max: 2,
        options: vec![
            option("egg", 300),
            option("beef", 1200),
            option("greens", 400),
        ],
    };
    let mut sold_out = item("duck", 2800, vec![]);
    sold_out.sold_out = true;
    Menu {
        version: "v1".into(),
        currency: "CNY".into(),
        restaurant: Restaurant { name: text("Test") },
        opening_hours: OpeningHours {
            utc_offset_minutes: 480,
            periods: vec![OpeningPeriod {
                open: "00:00".into(),
                close: "24:00".into(),
            }],
        },
        max_order_age_secs: 2700,
        categories: vec![Category {
            id: "mains".into(),
            name: text("Mains"),
        }],
        items: vec![
            item("pot", 6800, vec![spice]),
            item("noodles", 1600, vec![extras]),
            sold_out,
        ],
    }
}

fn order(items: Vec<OrderLine>) -> OrderRequest {
    dine_in(items, datetime!(2026-11-23 04:00 UTC), 0)
}

fn codes(order: &OrderRequest) -> Vec<(String, String)> {
    validate(&menu(), order)
        .into_iter()
        .map(|error| (error.pointer, error.code))
        .collect()
}

#[test]
fn a_valid_order_is_priced_with_option_deltas_times_quantity() {
    let order = order(vec![
        line("pot", 1, &["hot"]),
        line("noodles", 2, &["egg", "beef"]),
    ]);
    let quote = quote(&menu(), &order).expect("valid order");
    assert_eq!(quote.lines[0].line_total_minor, 6800);
    assert_eq!(quote.lines[1].unit_price_minor, 1600 + 300 + 1200);
    assert_eq!(quote.lines[1].line_total_minor, 2 * 3100);
    assert_eq!(quote.total_minor, 6800 + 6200);
}

#[test]
fn every_problem_is_reported_with_its_pointer() {
    let mut bad = order(vec![
        line("ghost", 1, &[]),
        line("duck", 1, &[]),
        line("pot", 0, &[]),
        line("noodles", 100, &["egg", "beef", "greens", "caviar"]),
    ]);
    bad.table = None;
    bad.items[1].note = Some("x".repeat(141));
    assert_eq!(
        codes(&bad),
        vec![
            ("/table".into(), "table_missing".into()),
            ("/items/0/item_id".into(), "unknown_item".into()),
            ("/items/1/item_id".into(), "sold_out".into()),
            ("/items/1/note".into(), "note_too_long".into()),
            ("/items/2/qty".into(), "qty_out_of_range".into()),
            ("/items/2/options".into(), "too_few_options".into()),
            ("/items/3/qty".into(), "qty_out_of_range".into()),
            ("/items/3/options/3".into(), "unknown_option".into()),
            ("/items/3/options".into(), "too_many_options".into()),
        ]
    );
    assert!(quote(&menu(), &bad).is_err());
}

#[test]
fn pickup_needs_a_name_and_an_order_needs_items() {
    let mut pickup = order(vec![]);
    pickup.mode = OrderMode::Pickup;
    pickup.table = None;
    pickup.pickup_name = Some("   ".into());
    assert_eq!(
        codes(&pickup),
        vec![
            ("/pickup_name".into(), "pickup_name_missing".into()),
            ("/items".into(), "empty_order".into()),
        ]
    );
}

#[test]
fn an_option_chosen_twice_is_rejected() {
    let twice = order(vec![line("noodles", 1, &["egg", "egg"])]);
    assert_eq!(
        codes(&twice),
        vec![("/items/0/options/1".into(), "duplicate_option".into())]
    );
}

#[test]
fn an_order_carries_only_its_own_modes_field() {
    let mut pickup = order(vec![line("noodles", 1, &[])]);
    pickup.mode = OrderMode::Pickup;
    pickup.pickup_name = Some("Li".into());
    pickup.table = Some("A9".into());
    assert_eq!(
        codes(&pickup),
        vec![("/table".into(), "table_not_allowed".into())]
    );
    pickup.table = None;
    assert_eq!(codes(&pickup), vec![]);

    let mut dine_in = order(vec![line("noodles", 1, &[])]);
    dine_in.pickup_name = Some("x".repeat(30_000));
    assert_eq!(
        codes(&dine_in),
        vec![("/pickup_name".into(), "pickup_name_not_allowed".into())]
    );
}

#[test]
fn a_device_id_is_required_plain_and_short() {
    for device in ["", "dev ice", "设备", &"d".repeat(65)] {
        let mut from = order(vec![line("noodles", 1, &[])]);
        from.client.device_id = device.to_owned();
        assert_eq!(
            codes(&from),
            vec![("/client/device_id".into(), "device_id_invalid".into())],
            "{device:?}"
        );
    }
}

#[test]
fn age_is_measured_on_the_device_clock() {
    let mut old = order(vec![line("pot", 1, &["mild"])]);
    // The phone's clock is three hours ahead; only the difference counts.
    let received = old.client.created_at - time::Duration::hours(3);
    let age = |order: &OrderRequest| {
        DeviceClock::read(order, received + order.age_on_device())
            .expect("readable")
            .age_on_device
    };
    assert!(age(&old) <= max_age(&menu()));
    old.client.sent_at = old.client.created_at + time::Duration::seconds(2701);
    assert!(age(&old) > max_age(&menu()));
}

#[test]
fn changed_lines_name_only_the_lines_whose_price_moved() {
    let order = order(vec![line("pot", 1, &["mild"]), line("noodles", 1, &[])]);
    let then = menu();
    let mut now_menu = menu();
    now_menu.items[1].price_minor = 1800;
    let now = quote(&now_menu, &order).expect("valid");
    let changed = changed_lines(Some(&then), &now, &order);
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].pointer, "/items/1");
    assert_eq!(changed[0].unit_price_minor, 1800);
    assert_eq!(changed_lines(None, &now, &order).len(), 2);
}
