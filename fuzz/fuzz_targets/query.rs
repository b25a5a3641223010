//! A query string as the admin pages read it: through serde_urlencoded (what
//! axum's `Query` runs) into the dashboard's `?day=…&lang=…` and into the
//! pairs the login redirect keeps, then the trading day it names, with its
//! span and neighbours, at the UTC offsets a menu may have. `day=9999-12-31`
//! and `day=-9999-01-01` once panicked in the date arithmetic (issue 14).

#![no_main]

#[allow(dead_code)]
#[path = "../../server/src/business_day.rs"]
mod business_day;

#[allow(dead_code)]
#[path = "../../server/src/dashboard/day.rs"]
mod day;

use libfuzzer_sys::fuzz_target;
use serde::Deserialize;

/// The dashboard's query (`routes/admin/dashboard.rs`).
#[derive(Deserialize)]
struct DayQuery {
    day: Option<String>,
    #[allow(dead_code)]
    lang: Option<String>,
}

/// UTC−12, UTC, Beijing, UTC+14: the ends of the range and the usual case.
const OFFSETS: [i16; 4] = [-720, 0, 480, 840];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(DayQuery { day: Some(day), .. }) = serde_urlencoded::from_str::<DayQuery>(text) {
        for offset in OFFSETS {
            let Ok(shown) = day::ShownDay::parse(&day, offset) else {
                continue;
            };
            assert!(shown.from < shown.to, "{shown:?}");
            assert_eq!(day::ShownDay::parse(&shown.name(), offset), Ok(shown));
            // Every day the page links to can be shown in turn.
            for linked in [shown.previous, shown.next].into_iter().flatten() {
                assert!(day::ShownDay::of(linked, offset).is_ok(), "{linked}");
            }
        }
    }
    if let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(text) {
        let _ = serde_urlencoded::to_string(&pairs);
    }
});
