//! An order body as the server reads it: JSON → `OrderRequest` → validation
//! → the intake checks (the device's clock too) and pricing against the demo
//! menu, with every plain table id taken to exist.

#![no_main]

mod server;

use libfuzzer_sys::fuzz_target;
use wendan_protocol::OrderRequest;
use wendan_protocol::device_clock::max_age;
use wendan_protocol::validation::validate;

fuzz_target!(|data: &[u8]| {
    let Ok(request) = serde_json::from_slice::<OrderRequest>(data) else {
        return;
    };
    let menu = &server::DEMO_MENU.menu;
    let errors = validate(menu, &request);
    // `now` is the server's clock, a real date; the order's dates are anything.
    let now = server::NOON_IN_BEIJING;
    let circumstances = server::intake::Circumstances {
        menu,
        menu_then: Some(menu),
        now,
        paused: None,
        table_exists: server::intake::table_to_look_up(&request).is_some(),
        table_code_matches: true,
        table_open: true,
    };
    if let Ok(taken) = server::intake::check(circumstances, &request) {
        assert!(errors.is_empty(), "a priced order had errors: {errors:?}");
        assert_eq!(taken.quote.total_minor, request.client.total_minor);
        // What the dashboard reads: never in the future, never older than allowed.
        let waited = now - taken.placed_at;
        assert!(
            !waited.is_negative() && waited <= max_age(menu),
            "placed {waited} before receipt"
        );
    }
    let _ = serde_json::to_vec(&request).expect("an order read from JSON writes back");
});
