//! Whether the kitchen takes this order now, and at what price: the checks
//! an order passes before it is stored, in the order a diner would want to
//! hear them. Pure: no I/O, so every rule is tested directly.

use time::OffsetDateTime;
use wendan_protocol::pricing::{Quote, changed_lines, quote};
use wendan_protocol::validation::is_expired;
use wendan_protocol::{Menu, OrderRequest, Problem, ProblemType};

/// Checks `request` against the current menu and prices it. `menu_then` is
/// the menu version the diner saw, if the server still knows it; `paused`
/// is the restaurant's message when it has paused intake.
pub fn check(
    menu: &Menu,
    menu_then: Option<&Menu>,
    request: &OrderRequest,
    now: OffsetDateTime,
    paused: Option<&str>,
) -> Result<Quote, Box<Problem>> {
    if let Some(message) = paused {
        let mut problem = Problem::new(ProblemType::RestaurantClosed)
            .with_detail("the kitchen has paused new orders");
        problem.message = Some(message.to_owned());
        return Err(Box::new(problem));
    }
    if !menu.opening_hours.is_open_at(now) {
        let closed =
            Problem::new(ProblemType::RestaurantClosed).with_detail("the restaurant is closed now");
        return Err(Box::new(closed));
    }
    if is_expired(menu, request) {
        return Err(Box::new(
            Problem::new(ProblemType::OrderExpired).with_detail(format!(
                "the order waited {} s on the device; at most {} s are allowed",
                request.age_on_device().whole_seconds(),
                menu.max_order_age_secs
            )),
        ));
    }
    let quote = quote(menu, request).map_err(|errors| {
        let mut problem = Problem::new(ProblemType::InvalidOrder)
            .with_detail(format!("{} problem(s) with the order", errors.len()));
        problem.errors = errors;
        Box::new(problem)
    })?;
    if quote.total_minor != request.client.total_minor {
        let mut problem = Problem::new(ProblemType::MenuChanged).with_detail(format!(
            "the order costs {} now, not {}",
            quote.total_minor, request.client.total_minor
        ));
        problem.new_total_minor = Some(quote.total_minor);
        problem.changed_lines = changed_lines(menu_then, &quote, request);
        return Err(Box::new(problem));
    }
    Ok(quote)
}

#[cfg(test)]
mod tests {
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

    fn kind(result: Result<Quote, Box<Problem>>) -> Option<ProblemType> {
        result.err().and_then(|problem| problem.kind())
    }

    #[test]
    fn the_server_total_is_accepted_whatever_the_menu_version() {
        let quote = check(&menu(), None, &tripe(7600), NOON_IN_BEIJING, None).expect("accepted");
        assert_eq!(quote.total_minor, 7600);
    }

    #[test]
    fn a_different_total_is_menu_changed_with_the_new_total() {
        let problem =
            check(&menu(), None, &tripe(7000), NOON_IN_BEIJING, None).expect_err("changed");
        assert_eq!(problem.kind(), Some(ProblemType::MenuChanged));
        assert_eq!(problem.new_total_minor, Some(7600));
        assert_eq!(problem.changed_lines.len(), 1);
    }

    #[test]
    fn an_order_too_old_on_the_device_is_expired() {
        let mut old = tripe(7600);
        old.client.sent_at = old.client.created_at + time::Duration::minutes(46);
        assert_eq!(
            kind(check(&menu(), None, &old, NOON_IN_BEIJING, None)),
            Some(ProblemType::OrderExpired)
        );
    }

    #[test]
    fn a_paused_or_closed_restaurant_refuses_with_its_message() {
        let problem = check(
            &menu(),
            None,
            &tripe(7600),
            NOON_IN_BEIJING,
            Some("厨房太忙"),
        )
        .expect_err("paused");
        assert_eq!(problem.kind(), Some(ProblemType::RestaurantClosed));
        assert_eq!(problem.message.as_deref(), Some("厨房太忙"));

        let mut lunch_only = menu();
        lunch_only.opening_hours.periods[0].open = "11:00".into();
        lunch_only.opening_hours.periods[0].close = "11:30".into();
        assert_eq!(
            kind(check(
                &lunch_only,
                None,
                &tripe(7600),
                NOON_IN_BEIJING,
                None
            )),
            Some(ProblemType::RestaurantClosed)
        );
    }

    #[test]
    fn invalid_orders_list_every_problem() {
        let mut bad = tripe(0);
        bad.items[0].qty = 0;
        bad.table = None;
        let problem = check(&menu(), None, &bad, NOON_IN_BEIJING, None).expect_err("invalid");
        assert_eq!(problem.kind(), Some(ProblemType::InvalidOrder));
        assert_eq!(problem.errors.len(), 2);
    }
}
