//! Whether the kitchen takes this order now, and at what price: the checks
//! an order passes before it is stored, in the order a diner would want to
//! hear them. Pure: no I/O, so every rule is tested directly; the handler
//! reads what the checks need (the menu, the kitchen's switches, the table)
//! and passes it in.

use time::OffsetDateTime;
use wendan_protocol::device_clock::{DeviceClock, max_age, too_far_behind};
use wendan_protocol::limits::{MAX_TABLE_CHARS, fits, is_table_id};
use wendan_protocol::order::OrderMode;
use wendan_protocol::pricing::{Quote, changed_lines, quote};
use wendan_protocol::problem::FieldError;
use wendan_protocol::validation::Violation;
use wendan_protocol::{Menu, OrderRequest, Problem, ProblemType};

/// Everything besides the order that decides whether it is taken.
#[derive(Debug, Clone, Copy)]
pub struct Circumstances<'a> {
    /// The menu as published now.
    pub menu: &'a Menu,
    /// The menu version the diner saw, if the server still knows it.
    pub menu_then: Option<&'a Menu>,
    /// When the server received the order.
    pub now: OffsetDateTime,
    /// The restaurant's message while it has paused intake.
    pub paused: Option<&'a str>,
    /// Whether the table [`table_to_look_up`] named exists.
    pub table_exists: bool,
    /// Whether the order carries that table's current code
    /// (`DiningTable::code_matches`).
    pub table_code_matches: bool,
    /// Whether that table takes orders now: it has an open visit, or the
    /// first order opens one (`VisitOpening::scan_opens`).
    pub table_open: bool,
}

/// An order the kitchen takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Taken {
    pub quote: Quote,
    /// When the diner placed it, on the server's clock (see `DeviceClock`).
    pub placed_at: OffsetDateTime,
}

/// The table a dine-in order names, for the handler to look up before
/// [`check`]; `None` when there is nothing that could be a table.
pub fn table_to_look_up(request: &OrderRequest) -> Option<&str> {
    let table = request.table.as_deref()?.trim();
    (request.mode == OrderMode::DineIn && is_table_id(table)).then_some(table)
}

/// Checks `request` and prices it from the current menu.
pub fn check(at: Circumstances<'_>, request: &OrderRequest) -> Result<Taken, Box<Problem>> {
    let menu = at.menu;
    if let Some(message) = at.paused {
        let mut problem = Problem::new(ProblemType::RestaurantClosed)
            .with_detail("the kitchen has paused new orders");
        problem.message = Some(message.to_owned());
        return Err(Box::new(problem));
    }
    if !menu.opening_hours.is_open_at(at.now) {
        let closed =
            Problem::new(ProblemType::RestaurantClosed).with_detail("the restaurant is closed now");
        return Err(Box::new(closed));
    }
    let clock =
        DeviceClock::read(request, at.now).map_err(|error| invalid(vec![error.field_error()]))?;
    if clock.age_on_device > max_age(menu) {
        return Err(Box::new(
            Problem::new(ProblemType::OrderExpired).with_detail(format!(
                "the order waited {} s on the device; at most {} s are allowed",
                clock.age_on_device.whole_seconds(),
                menu.max_order_age_secs
            )),
        ));
    }
    if clock.assumed_age() > max_age(menu) {
        // As old as this, or sent from a phone this slow: no way to tell.
        return Err(invalid(vec![too_far_behind(clock.lag)]));
    }
    if at.table_exists && !at.table_code_matches && table_to_look_up(request).is_some() {
        return Err(Box::new(
            Problem::new(ProblemType::TableCodeRefused).with_detail(
                "the order does not carry this table's current code; scan the code on the table",
            ),
        ));
    }
    if at.table_exists && !at.table_open && table_to_look_up(request).is_some() {
        return Err(Box::new(Problem::new(ProblemType::TableNotOpen).with_detail(
            "staff open this restaurant's tables as they seat diners; ask them to open this one",
        )));
    }
    let table = unknown_table(request, at.table_exists);
    let quote = match quote(menu, request) {
        Ok(quote) if table.is_none() => quote,
        Ok(_) => return Err(invalid(table.into_iter().collect())),
        Err(errors) => return Err(invalid(table.into_iter().chain(errors).collect())),
    };
    if quote.total_minor != request.client.total_minor {
        let mut problem = Problem::new(ProblemType::MenuChanged).with_detail(format!(
            "the order costs {} now, not {}",
            quote.total_minor, request.client.total_minor
        ));
        problem.new_total_minor = Some(quote.total_minor);
        problem.changed_lines = changed_lines(at.menu_then, &quote, request);
        return Err(Box::new(problem));
    }
    Ok(Taken {
        quote,
        placed_at: clock.placed_at(at.now),
    })
}

/// A dine-in order's table must exist: its id is what the restaurant
/// printed on the table's QR code, never free text. A missing or too long
/// table is `validate`'s to report.
fn unknown_table(request: &OrderRequest, exists: bool) -> Option<FieldError> {
    let table = request.table.as_deref()?.trim();
    let named = request.mode == OrderMode::DineIn && !table.is_empty();
    (named && fits(table, MAX_TABLE_CHARS) && !exists).then(|| {
        Violation::UnknownTable.at(
            "/table",
            "there is no such table; scan the code on the table again",
        )
    })
}

fn invalid(errors: Vec<FieldError>) -> Box<Problem> {
    let mut problem = Problem::new(ProblemType::InvalidOrder)
        .with_detail(format!("{} problem(s) with the order", errors.len()));
    problem.errors = errors;
    Box::new(problem)
}

#[cfg(test)]
mod tests {
    use time::Duration;
    use time::macros::datetime;
    use wendan_protocol::fixtures::{dine_in, line};

    use super::*;
    use crate::menu::PublishedMenu;

    const NOON_IN_BEIJING: OffsetDateTime = datetime!(2026-11-23 04:00 UTC);

    fn menu() -> Menu {
        PublishedMenu::demo().expect("demo").menu
    }

    fn tripe(total_minor: i64) -> OrderRequest {
        dine_in(
            vec![line("beef-tripe", 2, &[])],
            NOON_IN_BEIJING,
            total_minor,
        )
    }

    fn at_noon(menu: &Menu) -> Circumstances<'_> {
        Circumstances {
            menu,
            menu_then: None,
            now: NOON_IN_BEIJING,
            paused: None,
            table_exists: true,
            table_code_matches: true,
            table_open: true,
        }
    }

    fn kind(result: Result<Taken, Box<Problem>>) -> Option<ProblemType> {
        result.err().and_then(|problem| problem.kind())
    }

    fn codes(result: Result<Taken, Box<Problem>>) -> Vec<String> {
        result
            .err()
            .map(|problem| problem.errors.iter().map(|e| e.code.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn the_server_total_is_accepted_whatever_the_menu_version() {
        let menu = menu();
        let taken = check(at_noon(&menu), &tripe(7600)).expect("accepted");
        assert_eq!(taken.quote.total_minor, 7600);
        assert_eq!(taken.placed_at, NOON_IN_BEIJING);
    }

    #[test]
    fn a_different_total_is_menu_changed_with_the_new_total() {
        let menu = menu();
        let problem = check(at_noon(&menu), &tripe(7000)).expect_err("changed");
        assert_eq!(problem.kind(), Some(ProblemType::MenuChanged));
        assert_eq!(problem.new_total_minor, Some(7600));
        assert_eq!(problem.changed_lines.len(), 1);
    }

    #[test]
    fn an_order_too_old_on_the_device_is_expired() {
        let menu = menu();
        let mut old = tripe(7600);
        old.client.created_at -= Duration::minutes(46);
        assert_eq!(
            kind(check(at_noon(&menu), &old)),
            Some(ProblemType::OrderExpired)
        );
    }

    #[test]
    fn a_stale_sent_at_cannot_hide_an_orders_age() {
        let menu = menu();
        let mut stale = tripe(7600);
        stale.client.created_at -= Duration::hours(2);
        stale.client.sent_at = stale.client.created_at;
        let refused = check(at_noon(&menu), &stale);
        assert_eq!(codes(refused), ["device_clock_wrong"]);
        // A phone 40 minutes slow, whose order waited 20 s, still orders.
        let mut slow = tripe(7600);
        slow.client.sent_at -= Duration::minutes(40);
        slow.client.created_at = slow.client.sent_at - Duration::seconds(20);
        let taken = check(at_noon(&menu), &slow).expect("taken");
        assert_eq!(taken.placed_at, NOON_IN_BEIJING - Duration::seconds(20));
    }

    #[test]
    fn impossible_timestamps_are_an_invalid_order() {
        let menu = menu();
        let mut backwards = tripe(7600);
        backwards.client.sent_at -= Duration::seconds(1);
        assert_eq!(
            codes(check(at_noon(&menu), &backwards)),
            ["sent_before_created"]
        );
        for year in [
            datetime!(1970-01-01 00:00 UTC),
            datetime!(0000-01-01 00:00 UTC),
            datetime!(9999-12-31 23:59:59 UTC),
        ] {
            let mut order = tripe(7600);
            order.client.created_at = year;
            order.client.sent_at = year;
            assert_eq!(
                codes(check(at_noon(&menu), &order)),
                ["device_clock_wrong"],
                "{year}"
            );
        }
    }

    #[test]
    fn only_tables_that_exist_take_orders_and_only_plain_ids_are_looked_up() {
        let menu = menu();
        let mut missing = at_noon(&menu);
        missing.table_exists = false;
        assert_eq!(codes(check(missing, &tripe(7600))), ["unknown_table"]);
        let mut bad = tripe(0);
        bad.items[0].qty = 0;
        assert_eq!(
            codes(check(missing, &bad)),
            ["unknown_table", "qty_out_of_range"],
            "listed with the other problems"
        );

        let mut order = tripe(7600);
        order.table = Some(" A12 ".into());
        assert_eq!(table_to_look_up(&order), Some("A12"));
        for free_text in ["VIP room", "A1\n#999", "A1\u{202e}"] {
            order.table = Some(free_text.into());
            assert_eq!(table_to_look_up(&order), None);
            assert_eq!(codes(check(missing, &order)), ["unknown_table"]);
        }
        order.table = Some("x".repeat(33));
        assert_eq!(codes(check(missing, &order)), ["table_too_long"]);
        let mut pickup = tripe(7600);
        pickup.mode = OrderMode::Pickup;
        pickup.table = None;
        pickup.pickup_name = Some("Li".into());
        assert_eq!(table_to_look_up(&pickup), None);
        assert!(check(missing, &pickup).is_ok(), "pickup has no table");
    }

    #[test]
    fn a_table_takes_orders_only_with_its_current_code() {
        let menu = menu();
        let mut wrong_code = at_noon(&menu);
        wrong_code.table_code_matches = false;
        assert_eq!(
            kind(check(wrong_code, &tripe(7600))),
            Some(ProblemType::TableCodeRefused)
        );
        let mut bad = tripe(0);
        bad.items[0].qty = 0;
        assert_eq!(
            kind(check(wrong_code, &bad)),
            Some(ProblemType::TableCodeRefused),
            "before what the order holds: nothing about the table is told"
        );
        let mut unknown = wrong_code;
        unknown.table_exists = false;
        assert_eq!(codes(check(unknown, &tripe(7600))), ["unknown_table"]);
        let mut pickup = tripe(7600);
        pickup.mode = OrderMode::Pickup;
        pickup.table = None;
        pickup.pickup_name = Some("Li".into());
        assert!(check(wrong_code, &pickup).is_ok(), "pickup has no table");
    }

    #[test]
    fn a_table_staff_have_not_opened_takes_no_order_but_pickup_is_unaffected() {
        let menu = menu();
        let mut closed_table = at_noon(&menu);
        closed_table.table_open = false;
        assert_eq!(
            kind(check(closed_table, &tripe(7600))),
            Some(ProblemType::TableNotOpen)
        );
        let mut wrong_code = closed_table;
        wrong_code.table_code_matches = false;
        assert_eq!(
            kind(check(wrong_code, &tripe(7600))),
            Some(ProblemType::TableCodeRefused),
            "a stranger's link learns nothing about whether the table is open"
        );
        let mut pickup = tripe(7600);
        pickup.mode = OrderMode::Pickup;
        pickup.table = None;
        pickup.pickup_name = Some("Li".into());
        assert!(check(closed_table, &pickup).is_ok());
    }

    #[test]
    fn a_paused_or_closed_restaurant_refuses_with_its_message() {
        let menu = menu();
        let mut paused = at_noon(&menu);
        paused.paused = Some("厨房太忙");
        let problem = check(paused, &tripe(7600)).expect_err("paused");
        assert_eq!(problem.kind(), Some(ProblemType::RestaurantClosed));
        assert_eq!(problem.message.as_deref(), Some("厨房太忙"));

        let mut lunch_only = menu.clone();
        lunch_only.opening_hours.periods[0].open = "11:00".into();
        lunch_only.opening_hours.periods[0].close = "11:30".into();
        assert_eq!(
            kind(check(at_noon(&lunch_only), &tripe(7600))),
            Some(ProblemType::RestaurantClosed)
        );
    }

    #[test]
    fn invalid_orders_list_every_problem() {
        let menu = menu();
        let mut bad = tripe(0);
        bad.items[0].qty = 0;
        bad.table = None;
        let problem = check(at_noon(&menu), &bad).expect_err("invalid");
        assert_eq!(problem.kind(), Some(ProblemType::InvalidOrder));
        assert_eq!(problem.errors.len(), 2);
    }
}
