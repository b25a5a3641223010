//! An order body as the server reads it: JSON → `OrderRequest` → validation
//! → the intake checks and pricing against the demo menu.

#![no_main]

mod server;

use libfuzzer_sys::fuzz_target;
use wendan_protocol::OrderRequest;
use wendan_protocol::validation::validate;

fuzz_target!(|data: &[u8]| {
    let Ok(request) = serde_json::from_slice::<OrderRequest>(data) else {
        return;
    };
    let menu = &server::DEMO_MENU.menu;
    let errors = validate(menu, &request);
    // `now` is the server's clock, a real date; the order's dates are anything
    // (expiry compares the device's own two dates).
    let checked = server::intake::check(menu, Some(menu), &request, server::NOON_IN_BEIJING, None);
    if let Ok(quote) = checked {
        assert!(errors.is_empty(), "a priced order had errors: {errors:?}");
        assert_eq!(quote.total_minor, request.client.total_minor);
    }
    let _ = serde_json::to_vec(&request).expect("an order read from JSON writes back");
});
