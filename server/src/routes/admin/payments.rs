//! The dashboard's payments section: the chosen trading day's payments
//! counted by state, the money captured and refunded, and the latest ones
//! listed with how their money arrived, a capture the notification never
//! brought marked as repaired by the server's query.

use maud::{Markup, html};
use wendan_payments::{Amount, PaymentState};
use wendan_protocol::money::format_minor;
use wendan_words::AdminPaymentWords;

use crate::payments::ProviderId;
use crate::storage::payments::{CapturedBy, DayPayments};

/// How many of a day's payments the page lists (all are counted): enough
/// for a busy service, few enough for the page to stay small.
pub const LISTED: u32 = 200;

/// The state's name (every state has one: a new state does not compile
/// until it is named).
fn state_word(words: &AdminPaymentWords, state: PaymentState) -> &'static str {
    match state {
        PaymentState::Unpaid => words.unpaid,
        PaymentState::Pending => words.pending,
        PaymentState::Paid => words.paid,
        PaymentState::Failed => words.failed,
        PaymentState::Closed => words.closed,
        PaymentState::RefundPending => words.refund_pending,
        PaymentState::Refunded => words.refunded,
        PaymentState::Counter => words.counter,
    }
}

fn provider_word(words: &AdminPaymentWords, provider: ProviderId) -> &'static str {
    match provider {
        ProviderId::Wechat => words.wechat,
        ProviderId::Alipay => words.alipay,
        ProviderId::Stripe => words.stripe,
        ProviderId::Counter => words.at_counter,
    }
}

fn captured_word(words: &AdminPaymentWords, by: CapturedBy) -> &'static str {
    match by {
        CapturedBy::Notification => words.by_notification,
        CapturedBy::Query => words.by_query,
        CapturedBy::CloseAnswer => words.by_close,
        CapturedBy::Counter => words.by_counter,
    }
}

fn money(amount: &Amount) -> String {
    format_minor(amount.minor, amount.currency.as_str())
}

/// One line per currency; a day without any reads as nothing taken.
fn totals(amounts: &[Amount]) -> Markup {
    html! {
        @if amounts.is_empty() {
            span class="big" { "–" }
        }
        @for (place, amount) in amounts.iter().enumerate() {
            @if place > 0 { br; }
            span class="big" { (money(amount)) }
        }
    }
}

/// The section, or a line saying the day had no payments.
pub fn section(words: &AdminPaymentWords, day: &DayPayments) -> Markup {
    html! {
        section class="payments" aria-labelledby="payments-title" {
            h2 id="payments-title" { (words.title) }
            p class="hint" { (words.hint) }
            @if day.states.is_empty() {
                p class="empty" { (words.none) }
            } @else {
                dl class="summary" {
                    div { dt { (words.captured) } dd data-figure="captured" { (totals(&day.captured)) } }
                    div { dt { (words.refunded_total) } dd data-figure="refunded" { (totals(&day.refunded)) } }
                    div {
                        dt { (words.repaired) }
                        dd {
                            span class="big" data-figure="repaired" { (day.repaired) }
                            br;
                            span class="muted" { (words.repaired_hint) }
                        }
                    }
                }
                table class="data payment-states" {
                    caption { (words.by_state) }
                    thead { tr { th scope="col" { (words.state) } th scope="col" class="number" { (words.count) } } }
                    tbody {
                        @for (state, count) in &day.states {
                            tr data-payment-state=(state.as_str()) {
                                th scope="row" { (state_word(words, *state)) }
                                td class="number" { (count) }
                            }
                        }
                    }
                }
                table class="data payment-list" {
                    caption { (words.latest) }
                    thead {
                        tr {
                            th scope="col" class="number" { (words.order) }
                            th scope="col" { (words.provider) }
                            th scope="col" { (words.state) }
                            th scope="col" class="number" { (words.amount) }
                            th scope="col" { (words.reference) }
                            th scope="col" { (words.settled_by) }
                        }
                    }
                    tbody {
                        @for payment in &day.latest {
                            tr data-order=(payment.order_id) data-payment-state=(payment.state.as_str())
                                data-repaired=[payment.captured_by.is_some_and(CapturedBy::repaired).then_some("true")] {
                                th scope="row" class="number" { "#" (payment.order_number) }
                                td { (payment.provider.map_or("–", |p| provider_word(words, p))) }
                                td { (state_word(words, payment.state)) }
                                td class="number" { (money(&payment.amount)) }
                                td class="reference" { (payment.reference.as_deref().unwrap_or("–")) }
                                td {
                                    @match payment.captured_by {
                                        Some(by) if by.repaired() => strong class="repaired" { (captured_word(words, by)) },
                                        Some(by) => (captured_word(words, by)),
                                        None => "–",
                                    }
                                }
                            }
                        }
                    }
                }
                p class="hint" { (words.listed) " " (day.latest.len()) " / " (day.count()) }
            }
        }
    }
}
