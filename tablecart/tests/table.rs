//! The server's cart: conflict rules, exactly-once, rounds and expiry.

mod common;

use common::*;
use wendan_tablecart::{
    DEFAULT_LINE_TTL_SECS, Field, Gone, KEPT_OUTCOMES, MAX_PHONES, Outcome, Rejection, RoundOrder,
    RoundOutcome, SendRequest, TableCart,
};

fn table() -> TableCart {
    TableCart::new(DEFAULT_LINE_TTL_SECS)
}

fn send(who: &str, round: u32, after_seq: u64) -> SendRequest {
    SendRequest {
        phone: phone(who),
        round,
        after_seq,
        by: diner(who),
    }
}

#[test]
fn an_added_line_is_in_the_cart_with_its_adder() {
    let mut table = table();
    assert_eq!(
        table.apply(&m("a", 1, 1, add("a-1", "beef")), at(0)),
        Outcome::Applied
    );
    let snapshot = table.snapshot();
    assert_eq!(snapshot.version, 1);
    assert_eq!(snapshot.applied_up_to(&phone("a")), 1);
    let line = &snapshot.lines[0];
    assert_eq!((line.item_id.as_str(), line.qty), ("beef", 1));
    assert_eq!(line.added_by, diner("a"));
    assert!(!line.confirmed);
    assert_eq!(table.total_minor(), 3800);
}

#[test]
fn two_quantity_changes_on_one_line_both_count() {
    let mut table = table();
    table.apply(&m("a", 1, 1, add("a-1", "beef")), at(0));
    assert_eq!(
        table.apply(&m("b", 1, 1, qty("a-1", 1)), at(1)),
        Outcome::Applied
    );
    assert_eq!(
        table.apply(&m("c", 1, 1, qty("a-1", 2)), at(1)),
        Outcome::Applied
    );
    assert_eq!(table.lines()[0].qty, 4);
    assert_eq!(table.total_minor(), 4 * 3800);
}

#[test]
fn a_quantity_reaching_zero_or_below_removes_the_line() {
    let mut table = table();
    table.apply(&m("a", 1, 1, add("a-1", "beef")), at(0));
    table.apply(&m("a", 2, 1, add("a-2", "tofu")), at(0));
    table.apply(&m("b", 1, 1, qty("a-1", -1)), at(1));
    table.apply(&m("b", 2, 1, qty("a-2", -5)), at(1));
    assert!(table.lines().is_empty());
    assert_eq!(
        table.gone(&line("a-1")),
        Some(&Gone::Removed { by: diner("b") })
    );
}

#[test]
fn a_quantity_above_the_maximum_is_refused() {
    let mut table = table();
    table.apply(&m("a", 1, 1, add("a-1", "beef")), at(0));
    let outcome = table.apply(&m("a", 2, 1, qty("a-1", 99)), at(0));
    assert_eq!(
        outcome,
        Outcome::Rejected(Rejection::QuantityTooLarge { max: 99 })
    );
    assert_eq!(table.lines()[0].qty, 1);
}

#[test]
fn an_edit_to_a_removed_line_brings_nothing_back_and_says_who_removed_it() {
    let mut table = table();
    table.apply(&m("a", 1, 1, add("a-1", "beef")), at(0));
    table.apply(&m("a", 2, 1, confirm("a-1")), at(0));
    table.apply(&m("b", 1, 1, remove("a-1")), at(1));
    let gone = Outcome::Rejected(Rejection::LineGone {
        line: line("a-1"),
        why: Gone::Removed { by: diner("b") },
    });
    assert_eq!(table.apply(&m("c", 1, 1, qty("a-1", 1)), at(1)), gone);
    assert_eq!(
        table.apply(&m("a", 3, 1, edit("a-1", "spicy")), at(1)),
        gone
    );
    assert_eq!(table.apply(&m("a", 4, 1, remove("a-1")), at(1)), gone);
    assert!(table.lines().is_empty());
}

#[test]
fn options_are_the_adders_until_they_confirm_then_anyones() {
    let mut table = table();
    table.apply(&m("a", 1, 1, add("a-1", "broth")), at(0));
    let not_yours = Outcome::Rejected(Rejection::NotYours {
        line: line("a-1"),
        added_by: diner("a"),
    });
    assert_eq!(
        table.apply(&m("b", 1, 1, edit("a-1", "mala")), at(1)),
        not_yours
    );
    assert_eq!(
        table.apply(&m("a", 2, 1, edit("a-1", "tomato")), at(1)),
        Outcome::Applied
    );
    assert_eq!(table.lines()[0].options, ["tomato"]);
    assert_eq!(table.lines()[0].unit_price_minor, 4200);

    assert_eq!(
        table.apply(&m("b", 2, 1, confirm("a-1")), at(2)),
        not_yours,
        "only the adder confirms"
    );
    assert_eq!(
        table.apply(&m("a", 3, 1, confirm("a-1")), at(2)),
        Outcome::Applied
    );
    assert_eq!(
        table.apply(&m("b", 3, 1, edit("a-1", "mala")), at(3)),
        Outcome::Applied
    );
    assert_eq!(table.lines()[0].options, ["mala"]);
}

#[test]
fn quantity_and_removal_are_anyones() {
    let mut table = table();
    table.apply(&m("a", 1, 1, add("a-1", "beef")), at(0));
    assert_eq!(
        table.apply(&m("b", 1, 1, qty("a-1", 1)), at(0)),
        Outcome::Applied
    );
    assert_eq!(
        table.apply(&m("b", 2, 1, remove("a-1")), at(0)),
        Outcome::Applied
    );
}

#[test]
fn a_duplicate_delivery_changes_nothing_and_gets_the_original_answer() {
    let mut table = table();
    let add_beef = m("a", 1, 1, add("a-1", "beef"));
    let meddle = m("b", 1, 1, edit("a-1", "mala"));
    let first = table.apply(&add_beef, at(0));
    let refused = table.apply(&meddle, at(0));
    let before = table.clone();
    assert_eq!(table.apply(&add_beef, at(1)), first);
    assert_eq!(table.apply(&meddle, at(1)), refused);
    assert!(matches!(
        refused,
        Outcome::Rejected(Rejection::NotYours { .. })
    ));
    assert_eq!(table, before, "nothing changed, not even the version");
}

#[test]
fn a_duplicate_older_than_the_kept_answers_is_still_not_applied_again() {
    let mut table = table();
    table.apply(&m("a", 1, 1, add("a-1", "beef")), at(0));
    for seq in 2..=(KEPT_OUTCOMES as u64 + 1) {
        table.apply(&m("a", seq, 1, qty("a-1", 1)), at(0));
    }
    let qty_before = table.lines()[0].qty;
    assert_eq!(
        table.apply(&m("a", 1, 1, add("a-1", "beef")), at(0)),
        Outcome::AlreadyApplied
    );
    assert_eq!(table.lines()[0].qty, qty_before);
}

#[test]
fn a_gap_in_a_phones_sequence_is_refused_unrecorded_until_the_missing_one_arrives() {
    let mut table = table();
    let first = m("a", 1, 1, add("a-1", "beef"));
    let second = m("a", 2, 1, qty("a-1", 1));
    assert_eq!(
        table.apply(&second, at(0)),
        Outcome::OutOfOrder { expected: 1 }
    );
    assert_eq!(table.version(), 0);
    assert_eq!(table.apply(&first, at(0)), Outcome::Applied);
    assert_eq!(table.apply(&second, at(0)), Outcome::Applied);
    assert_eq!(table.lines()[0].qty, 2);
}

#[test]
fn a_line_id_is_never_reused_even_after_the_line_left() {
    let mut table = table();
    table.apply(&m("a", 1, 1, add("x", "beef")), at(0));
    let taken = Outcome::Rejected(Rejection::LineIdTaken { line: line("x") });
    assert_eq!(table.apply(&m("b", 1, 1, add("x", "tofu")), at(0)), taken);
    table.apply(&m("a", 2, 1, remove("x")), at(0));
    assert_eq!(table.apply(&m("b", 2, 1, add("x", "tofu")), at(0)), taken);
}

#[test]
fn malformed_mutations_are_refused_and_a_malformed_phone_is_not_even_recorded() {
    let mut table = table();
    let mut long_note = m("a", 1, 1, add("a-1", "beef"));
    if let wendan_tablecart::Change::AddLine(new) = &mut long_note.change {
        new.note = Some("辣".repeat(141));
    }
    assert_eq!(
        table.apply(&long_note, at(0)),
        Outcome::Rejected(Rejection::Invalid(Field::Note))
    );
    assert_eq!(
        table.apply(&m("a", 2, 1, qty("a-1", 0)), at(0)),
        Outcome::Rejected(Rejection::Invalid(Field::Quantity))
    );
    let mut bad_phone = m("a", 1, 1, add("a-2", "beef"));
    bad_phone.phone = wendan_tablecart::PhoneId::new("a phone\n");
    assert_eq!(
        table.apply(&bad_phone, at(0)),
        Outcome::Rejected(Rejection::Invalid(Field::Phone))
    );
    assert_eq!(table.snapshot().acks.len(), 1);
}

#[test]
fn a_round_the_phone_cannot_have_seen_is_refused() {
    let mut table = table();
    let outcome = table.apply(&m("a", 1, 7, add("a-1", "beef")), at(0));
    assert_eq!(
        outcome,
        Outcome::Rejected(Rejection::FutureRound { round: 7 })
    );
}

#[test]
fn a_table_remembers_a_bounded_number_of_phones() {
    let mut table = table();
    for n in 0..MAX_PHONES {
        table.apply(&m(&n.to_string(), 1, 1, qty("none", 1)), at(0));
    }
    let outcome = table.apply(&m("late", 1, 1, add("l-1", "beef")), at(0));
    assert_eq!(
        outcome,
        Outcome::Rejected(Rejection::TableFull { max: MAX_PHONES })
    );
}

#[test]
fn sending_cuts_the_whole_cart_into_one_numbered_round_and_empties_it() {
    let mut table = table();
    table.apply(&m("a", 1, 1, add("a-1", "beef")), at(0));
    table.apply(&m("b", 1, 1, add("b-1", "tofu")), at(1));
    table.apply(&m("b", 2, 1, qty("b-1", 2)), at(1));
    let RoundOutcome::Sent(round) = table.send_round(&send("c", 1, 0), at(2)) else {
        panic!("the first send cuts round 1");
    };
    assert_eq!(round.number, 1);
    assert_eq!(round.sent_by, diner("c"));
    let order = round.order_lines();
    assert_eq!(order.len(), 2);
    assert_eq!((order[1].item_id.as_str(), order[1].qty), ("tofu", 3));
    assert_eq!(round.total_minor(), 4 * 3800);
    assert!(table.lines().is_empty());
    assert_eq!(table.open_round(), 2);
    assert_eq!(table.snapshot().last_round, Some(round.summary()));
}

#[test]
fn two_phones_pressing_together_make_one_round_and_both_are_told() {
    let mut table = table();
    table.apply(&m("a", 1, 1, add("a-1", "beef")), at(0));
    let first = table.send_round(&send("a", 1, 1), at(1));
    let second = table.send_round(&send("b", 1, 0), at(1));
    let RoundOutcome::Sent(round) = first else {
        panic!("one of them cuts");
    };
    assert_eq!(second, RoundOutcome::AlreadySent(round.clone()));
    assert_eq!(round.sent_by, diner("a"), "b is told a sent it");
    assert_eq!(table.rounds().len(), 1);
}

#[test]
fn one_phone_pressing_twice_makes_one_round() {
    let mut table = table();
    table.apply(&m("a", 1, 1, add("a-1", "beef")), at(0));
    let first = table.send_round(&send("a", 1, 1), at(1));
    table.apply(&m("b", 1, 2, add("b-1", "tofu")), at(1));
    let again = table.send_round(&send("a", 1, 1), at(1));
    let RoundOutcome::Sent(round) = first else {
        panic!("the first press cuts");
    };
    assert_eq!(again, RoundOutcome::AlreadySent(round));
    assert_eq!(table.rounds().len(), 1);
    assert_eq!(table.lines().len(), 1, "tofu waits for round 2");
}

#[test]
fn a_phone_back_after_an_hour_pressing_send_gets_the_round_already_sent() {
    let mut table = table();
    table.apply(&m("a", 1, 1, add("a-1", "beef")), at(0));
    table.send_round(&send("a", 1, 1), at(1));
    table.apply(&m("a", 2, 2, add("a-2", "tofu")), at(2));
    table.send_round(&send("a", 2, 2), at(3));
    // b pressed "send round 1" offline at minute 0 and comes back at 60.
    let late = table.send_round(&send("b", 1, 0), at(60));
    assert!(matches!(late, RoundOutcome::AlreadySent(round) if round.number == 1));
    assert_eq!(table.rounds().len(), 2);
    assert_eq!(
        table.send_round(&send("b", 9, 0), at(60)),
        RoundOutcome::UnknownRound { open: 3 }
    );
}

#[test]
fn a_send_waits_for_the_senders_own_changes() {
    let mut table = table();
    table.apply(&m("b", 1, 1, add("b-1", "tofu")), at(0));
    // a added beef (seq 1) and pressed send; the send overtook the add.
    assert_eq!(
        table.send_round(&send("a", 1, 1), at(1)),
        RoundOutcome::NotYet { applied_up_to: 0 }
    );
    table.apply(&m("a", 1, 1, add("a-1", "beef")), at(1));
    let RoundOutcome::Sent(round) = table.send_round(&send("a", 1, 1), at(1)) else {
        panic!("sent once the add arrived");
    };
    assert_eq!(round.lines.len(), 2);
}

#[test]
fn an_empty_cart_makes_no_round_and_keeps_the_number_open() {
    let mut table = table();
    assert_eq!(
        table.send_round(&send("a", 1, 0), at(0)),
        RoundOutcome::Empty
    );
    assert_eq!(table.open_round(), 1);
    assert!(table.rounds().is_empty());
}

#[test]
fn changes_arriving_after_the_cut_land_in_the_next_round_and_their_phone_is_told() {
    let mut table = table();
    table.apply(&m("a", 1, 1, add("a-1", "beef")), at(0));
    table.send_round(&send("a", 1, 1), at(1));
    // b made these offline while round 1 was open.
    assert_eq!(
        table.apply(&m("b", 1, 1, add("b-1", "tofu")), at(2)),
        Outcome::AppliedToLaterRound { saw: 1, open: 2 }
    );
    assert_eq!(
        table.apply(&m("b", 2, 1, qty("a-1", 1)), at(2)),
        Outcome::Rejected(Rejection::LineGone {
            line: line("a-1"),
            why: Gone::Sent { round: 1 }
        }),
        "the beef went to the kitchen: more beef is a new line"
    );
    assert_eq!(table.lines().len(), 1);
    assert_eq!(table.rounds()[0].lines.len(), 1);
}

#[test]
fn lines_nobody_touches_expire_and_the_table_is_told() {
    let mut table = TableCart::new(600);
    table.apply(&m("a", 1, 1, add("a-1", "beef")), at(0));
    table.apply(&m("a", 2, 1, add("a-2", "tofu")), at(0));
    table.apply(&m("b", 1, 1, qty("a-2", 1)), at(5));
    assert!(table.expire(at(9)).is_empty());
    let expired = table.expire(at(10));
    assert_eq!(expired.len(), 1);
    assert_eq!(
        (expired[0].line.as_str(), &expired[0].added_by),
        ("a-1", &diner("a"))
    );
    assert_eq!(table.snapshot().expired, expired);
    assert_eq!(table.lines().len(), 1, "touched at 5, tofu stays until 15");
    assert_eq!(
        table.apply(&m("b", 2, 1, qty("a-1", 1)), at(11)),
        Outcome::Rejected(Rejection::LineGone {
            line: line("a-1"),
            why: Gone::Expired
        })
    );
}

#[test]
fn an_expired_line_is_not_sent_even_if_no_sweep_ran() {
    let mut table = TableCart::new(600);
    table.apply(&m("a", 1, 1, add("a-1", "beef")), at(0));
    table.apply(&m("a", 2, 1, add("a-2", "tofu")), at(8));
    let RoundOutcome::Sent(round) = table.send_round(&send("a", 1, 2), at(12)) else {
        panic!("tofu is still there");
    };
    assert_eq!(round.lines.len(), 1);
    assert_eq!(table.gone(&line("a-1")), Some(&Gone::Expired));
}

#[test]
fn the_table_is_one_json_document_and_stays_small() {
    let mut table = table();
    // An evening: six phones, four rounds of ten lines with edits.
    let mut seqs = [0u64; 6];
    for round in 1..=4u32 {
        for n in 0..10 {
            let who = n % 6;
            let name = who.to_string();
            let id = format!("{name}-{round}-{n}");
            seqs[who] += 1;
            table.apply(
                &m(&name, seqs[who], round, add(&id, "beef")),
                at(i64::from(round)),
            );
            seqs[who] += 1;
            table.apply(
                &m(&name, seqs[who], round, edit(&id, "mala")),
                at(i64::from(round)),
            );
        }
        table.send_round(&send("0", round, seqs[0]), at(i64::from(round)));
    }
    let json = serde_json::to_string(&table).expect("serialises");
    let back: TableCart = serde_json::from_str(&json).expect("reads back");
    assert_eq!(back, table);
    assert!(json.len() < 48 * 1024, "{} bytes", json.len());
    let broadcast = serde_json::to_string(&table.snapshot()).expect("serialises");
    assert!(broadcast.len() < 8 * 1024, "{} bytes", broadcast.len());
}

#[test]
fn the_rounds_order_is_attached_for_every_later_press_and_every_phone_to_follow() {
    let mut table = table();
    table.apply(&m("a", 1, 1, add("a-1", "beef")), at(0));
    let RoundOutcome::Sent(_) = table.send_round(&send("a", 1, 1), at(1)) else {
        panic!("the first press cuts");
    };
    let version = table.version();
    let order = RoundOrder {
        id: "order-1".into(),
        number: 12,
    };
    assert!(table.attach_order(1, order.clone()));
    assert!(
        !table.attach_order(2, order.clone()),
        "round 2 was never cut"
    );
    assert!(table.version() > version, "phones hear of the order");
    let summary = table.snapshot().last_round.expect("round 1 was sent");
    assert_eq!(summary.order, Some(order.clone()));
    let RoundOutcome::AlreadySent(again) = table.send_round(&send("b", 1, 0), at(2)) else {
        panic!("a late press names round 1");
    };
    assert_eq!(again.order, Some(order));
}
