//! The phone's cart: shown at once, queued, rebased on the server's word.

mod common;

use common::*;
use wendan_tablecart::{
    CartSnapshot, Gone, KEPT_OUTCOMES, Notice, Outcome, PhoneCart, Rejection, RoundOutcome,
    TableCart,
};

fn join(table: &TableCart, who: &str) -> PhoneCart {
    PhoneCart::new(phone(who), diner(who), table.snapshot())
}

/// Delivers the phone's queue to the table and the table's state back.
fn sync(phone: &mut PhoneCart, table: &mut TableCart, minute: i64) -> Vec<Outcome> {
    let outcomes = phone
        .to_send()
        .iter()
        .map(|mutation| table.apply(mutation, at(minute)))
        .collect();
    phone.on_server_state(table.snapshot());
    outcomes
}

#[test]
fn a_change_shows_at_once_and_waits_in_the_queue() {
    let table = TableCart::default();
    let mut a = join(&table, "a");
    let mutation = a.apply_local(add("a-1", "beef"), at(0)).expect("applies");
    assert_eq!((mutation.seq, mutation.round), (1, 1));
    assert_eq!(a.view().len(), 1);
    assert_eq!(a.pending().len(), 1);
    assert!(
        a.snapshot().lines.is_empty(),
        "the server has not said so yet"
    );
}

#[test]
fn the_servers_state_replaces_the_answered_changes_and_the_rest_stay_on_top() {
    let mut table = TableCart::default();
    let mut a = join(&table, "a");
    let mut b = join(&table, "b");
    a.apply_local(add("a-1", "beef"), at(0)).expect("applies");
    sync(&mut a, &mut table, 0);
    b.on_server_state(table.snapshot());
    // b taps +1 twice; only the first reaches the server before a's +1.
    b.apply_local(qty("a-1", 1), at(1)).expect("applies");
    b.apply_local(qty("a-1", 1), at(1)).expect("applies");
    let first = b.to_send().remove(0);
    table.apply(&first, at(1));
    a.apply_local(qty("a-1", 1), at(1)).expect("applies");
    sync(&mut a, &mut table, 1);
    b.on_server_state(table.snapshot());
    assert_eq!(b.pending().len(), 1);
    assert_eq!(b.view()[0].qty, 4, "server's 3 with b's pending +1 on top");
    sync(&mut b, &mut table, 2);
    assert!(b.pending().is_empty());
    assert_eq!(b.view(), table.lines());
    a.on_server_state(table.snapshot());
    assert_eq!(a.view(), table.lines());
}

#[test]
fn a_change_the_server_refused_disappears_and_the_diner_is_told_why() {
    let mut table = TableCart::default();
    let mut a = join(&table, "a");
    let mut b = join(&table, "b");
    a.apply_local(add("a-1", "beef"), at(0)).expect("applies");
    sync(&mut a, &mut table, 0);
    b.on_server_state(table.snapshot());
    a.apply_local(remove("a-1"), at(1)).expect("applies");
    sync(&mut a, &mut table, 1);
    // b, not yet told, adds one more beef.
    let late = b
        .apply_local(qty("a-1", 1), at(1))
        .expect("applies on b's screen");
    sync(&mut b, &mut table, 2);
    assert!(b.view().is_empty(), "nothing comes back");
    assert_eq!(
        b.take_notices(),
        [Notice::Rejected {
            mutation: late,
            why: Rejection::LineGone {
                line: line("a-1"),
                why: Gone::Removed { by: diner("a") }
            }
        }]
    );
}

#[test]
fn a_change_made_before_a_round_was_sent_is_told_it_waits_for_the_next() {
    let mut table = TableCart::default();
    let mut a = join(&table, "a");
    let mut b = join(&table, "b");
    a.apply_local(add("a-1", "beef"), at(0)).expect("applies");
    sync(&mut a, &mut table, 0);
    b.apply_local(add("b-1", "tofu"), at(0)).expect("applies");
    // b is offline; a sends round 1.
    assert!(matches!(
        table.send_round(&a.send_request(), at(1)),
        RoundOutcome::Sent(_)
    ));
    let offline_send = b.send_request();
    let outcomes = sync(&mut b, &mut table, 5);
    assert_eq!(outcomes, [Outcome::AppliedToLaterRound { saw: 1, open: 2 }]);
    let notices = b.take_notices();
    assert!(matches!(
        &notices[0],
        Notice::MovedToLaterRound {
            saw: 1,
            open: 2,
            ..
        }
    ));
    assert!(matches!(&notices[1], Notice::RoundSent(round) if round.sent_by == diner("a")));
    assert!(
        matches!(table.send_round(&offline_send, at(5)), RoundOutcome::AlreadySent(r) if r.number == 1)
    );
    assert_eq!(b.view().len(), 1, "tofu is in round 2's cart");
    assert_eq!(b.send_request().round, 2);
}

#[test]
fn a_late_broadcast_older_than_the_held_state_is_ignored() {
    let mut table = TableCart::default();
    let mut a = join(&table, "a");
    a.apply_local(add("a-1", "beef"), at(0)).expect("applies");
    let old = table.snapshot();
    sync(&mut a, &mut table, 0);
    a.on_server_state(old);
    assert_eq!(a.snapshot().version, 1);
    assert_eq!(a.view().len(), 1);
}

#[test]
fn offline_the_queue_grows_and_is_pushed_in_order_in_bounded_batches() {
    let mut table = TableCart::default();
    let mut a = join(&table, "a");
    a.apply_local(add("a-1", "beef"), at(0)).expect("applies");
    for _ in 0..50 {
        a.apply_local(qty("a-1", 1), at(0)).ok();
        a.apply_local(qty("a-1", -1), at(0)).ok();
    }
    assert_eq!(a.pending().len(), 101);
    let batch = a.to_send();
    assert_eq!(batch.len(), KEPT_OUTCOMES);
    assert!(batch.windows(2).all(|pair| pair[0].seq + 1 == pair[1].seq));
    while !a.pending().is_empty() {
        sync(&mut a, &mut table, 1);
    }
    assert_eq!(table.lines()[0].qty, 1);
    assert_eq!(a.view(), table.lines());
}

#[test]
fn someone_elses_unconfirmed_line_is_refused_on_the_phone_without_queueing() {
    let mut table = TableCart::default();
    let mut a = join(&table, "a");
    let mut b = join(&table, "b");
    a.apply_local(add("a-1", "broth"), at(0)).expect("applies");
    sync(&mut a, &mut table, 0);
    b.on_server_state(table.snapshot());
    assert_eq!(
        b.apply_local(edit("a-1", "mala"), at(1)),
        Err(Rejection::NotYours {
            line: line("a-1"),
            added_by: diner("a")
        })
    );
    assert!(b.pending().is_empty());
    assert_eq!(b.send_request().after_seq, 0, "no number was used");
    a.apply_local(confirm("a-1"), at(1)).expect("applies");
    sync(&mut a, &mut table, 1);
    b.on_server_state(table.snapshot());
    b.apply_local(edit("a-1", "mala"), at(2))
        .expect("confirmed: anyone's");
}

#[test]
fn the_table_is_told_of_expired_lines_once() {
    let mut table = TableCart::new(600);
    let mut a = join(&table, "a");
    a.apply_local(add("a-1", "beef"), at(0)).expect("applies");
    sync(&mut a, &mut table, 0);
    table.expire(at(10));
    a.on_server_state(table.snapshot());
    a.on_server_state(table.snapshot());
    let notices = a.take_notices();
    assert!(matches!(&notices[..], [Notice::LineExpired(e)] if e.line == line("a-1")));
    assert!(matches!(
        a.apply_local(qty("a-1", 1), at(11)),
        Err(Rejection::LineGone {
            why: Gone::Expired,
            ..
        })
    ));
}

#[test]
fn a_phone_that_lost_its_queue_never_reuses_a_number_the_server_has_seen() {
    let mut table = TableCart::default();
    let mut a = join(&table, "a");
    a.apply_local(add("a-1", "beef"), at(0)).expect("applies");
    sync(&mut a, &mut table, 0);
    let mut restored = PhoneCart::new(phone("a"), diner("a"), CartSnapshot::new());
    restored.on_server_state(table.snapshot());
    let next = restored.apply_local(qty("a-1", 1), at(1)).expect("applies");
    assert_eq!(next.seq, 2);
}

#[test]
fn the_phones_cart_is_stored_as_json_and_read_back_whole() {
    let mut table = TableCart::default();
    let mut a = join(&table, "a");
    a.apply_local(add("a-1", "beef"), at(0)).expect("applies");
    sync(&mut a, &mut table, 0);
    a.apply_local(qty("a-1", 2), at(1)).expect("applies");
    let json = serde_json::to_string(&a).expect("serialises");
    let back: PhoneCart = serde_json::from_str(&json).expect("reads back");
    assert_eq!(back, a);
    assert_eq!(back.view()[0].qty, 3);
}

#[test]
fn a_new_visit_starts_a_new_cart_and_says_the_old_changes_were_dropped() {
    let table = TableCart::new(wendan_tablecart::DEFAULT_LINE_TTL_SECS);
    let mut kept = wendan_tablecart::VisitCart {
        visit_id: "visit-1".into(),
        cart: join(&table, "a"),
        press: None,
    };
    kept.cart
        .apply_local(add("a-1", "beef"), at(0))
        .expect("shown at once");
    assert!(
        !kept.on_table_state("visit-1", table.snapshot()),
        "same visit"
    );
    assert_eq!(kept.cart.pending().len(), 1, "still waiting");
    assert!(kept.on_table_state("visit-2", table.snapshot()), "dropped");
    assert_eq!(kept.visit_id, "visit-2");
    assert!(kept.cart.pending().is_empty());
    assert!(kept.cart.view().is_empty(), "nothing of the last party's");
    assert_eq!(kept.cart.phone(), &phone("a"));
}

#[test]
fn a_press_waits_with_the_round_the_diner_saw_until_it_is_answered() {
    let mut table = TableCart::new(wendan_tablecart::DEFAULT_LINE_TTL_SECS);
    let mut kept = wendan_tablecart::VisitCart {
        visit_id: "visit-1".into(),
        cart: join(&table, "a"),
        press: None,
    };
    kept.cart
        .apply_local(add("a-1", "beef"), at(0))
        .expect("shown at once");
    let pressed = kept.press();
    assert_eq!((pressed.round, pressed.after_seq), (1, 1));
    // Meanwhile another phone's round 1 was cut: the waiting press still
    // names round 1, so the server answers it with that round.
    table.apply(&m("b", 1, 1, add("b-1", "tofu")), at(1));
    table.send_round(
        &wendan_tablecart::SendRequest {
            phone: phone("b"),
            round: 1,
            after_seq: 1,
            by: diner("b"),
        },
        at(2),
    );
    kept.on_table_state("visit-1", table.snapshot());
    assert_eq!(kept.press(), pressed, "the same press, unchanged");
    kept.answered();
    assert_eq!(kept.press().round, 2, "a new press names the open round");
}
