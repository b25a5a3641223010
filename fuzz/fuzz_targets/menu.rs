//! A menu file as the server loads it: JSON → `Menu` → consistency checks →
//! publishing; a published menu must read back (it is what every widget
//! parses) and price every item it lists.

#![no_main]

mod server;

use libfuzzer_sys::fuzz_target;
use wendan_protocol::Menu;
use wendan_protocol::order::OrderLine;
use wendan_protocol::pricing::price_line;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(published) = server::menu::PublishedMenu::from_json(text) else {
        return;
    };
    let menu = &published.menu;
    let read_back: Menu =
        serde_json::from_slice(&published.json).expect("a published menu reads back");
    assert_eq!(&read_back, menu);
    let _ = menu.opening_hours.is_open_at(server::NOON_IN_BEIJING);
    for item in &menu.items {
        let line = OrderLine {
            item_id: item.id.clone(),
            qty: 1,
            options: item
                .option_groups
                .iter()
                .flat_map(|group| group.options.iter().take(group.min as usize))
                .map(|option| option.id.clone())
                .collect(),
            note: None,
        };
        let _ = (price_line(menu, &line), item.has_required_options());
        let _ = menu.items_in(&item.category).count();
    }
});
