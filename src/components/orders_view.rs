use leptos::prelude::*;
use wendan_outbox::{DeliveryState, OutboxEntry, Stage};
use wendan_protocol::money::format_minor;
use wendan_protocol::pricing::price_line;
use wendan_protocol::{CallReason, OrderStatus};
use wendan_words::Language;

use wendan_payments::PaymentState;
use wendan_payments::wire::receipt_state;

use super::PaymentStep;
use crate::actions::change_cart;
use crate::i18n::{problem_text, state_text, violation_text, words};
use crate::table_service;
use crate::widget::use_widget;

/// My orders: every order this phone placed, with where it is. Works
/// offline (it is read from the phone) and prints as a receipt.
#[component]
pub fn OrdersView() -> impl IntoView {
    let widget = use_widget();
    let language = move || widget.language.get();
    view! {
        <section id="my-orders" class="orders" aria-labelledby="my-orders-title">
            <h2 id="my-orders-title">{move || words(language()).my_orders}</h2>
            <Show when=move || widget.orders.with(|o| !o.is_empty())
                fallback=move || view! { <p>{move || words(language()).no_orders}</p> }>
                <ul>
                    <For
                        each=move || widget.orders.get()
                        key=|entry| (entry.key.to_string(), entry.state_name())
                        children=move |entry| view! { <OrderCard entry language=language() /> }
                    />
                </ul>
            </Show>
        </section>
    }
}

#[component]
fn OrderCard(entry: OutboxEntry, language: Language) -> impl IntoView {
    let widget = use_widget();
    let lang = language.tag();
    let stage = entry.stage();
    let (currency, lines) = widget.menu.with_untracked(|menu| {
        let Some(menu) = menu.as_ref().map(|m| &m.menu) else {
            return (String::new(), Vec::new());
        };
        let lines = entry
            .request
            .items
            .iter()
            .map(|line| {
                let priced = price_line(menu, line);
                let name = priced
                    .as_ref()
                    .map_or(line.item_id.clone(), |p| p.name.get(lang).to_owned());
                let options = priced
                    .map(|p| {
                        p.options
                            .iter()
                            .map(|o| o.name.get(lang).to_owned())
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                format!(
                    "{} × {}{}",
                    name,
                    line.qty,
                    if options.is_empty() {
                        String::new()
                    } else {
                        format!(" ({options})")
                    }
                )
            })
            .collect();
        (menu.currency.clone(), lines)
    });
    let total = format_minor(entry.request.client.total_minor, &currency);
    let placed_at = entry.request.client.created_at;
    let placed_at = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        placed_at.year(),
        u8::from(placed_at.month()),
        placed_at.day(),
        placed_at.hour(),
        placed_at.minute()
    );
    let number = match &entry.state {
        DeliveryState::Received { order } => Some(format!("#{}", order.number)),
        _ => None,
    };
    let reason = match &entry.state {
        DeliveryState::Rejected { problem } | DeliveryState::PriceChanged { problem } => {
            let mut why = problem_text(language, problem.kind()).to_owned();
            for error in &problem.errors {
                why.push_str(&format!(" · {}", violation_text(language, &error.code)));
            }
            if let Some(message) = &problem.message {
                why.push_str(&format!(" · {message}"));
            }
            if let Some(total) = problem.new_total_minor {
                why.push_str(&format!(
                    " · {} {}",
                    words(language).total,
                    format_minor(total, &currency)
                ));
            }
            Some(why)
        }
        DeliveryState::Received { order } => order.status_reason.clone(),
        _ => None,
    };
    // A refused or expired order is never resent: its lines go back into
    // the cart, to review and place as a new order with a new key.
    let again = match stage {
        Stage::Rejected => Some(words(language).edit_and_send_again),
        Stage::PriceChanged => Some(words(language).confirm_new_total),
        Stage::Expired => Some(words(language).order_again),
        Stage::Saved | Stage::Sending | Stage::AtRestaurant(_) => None,
    };
    let lines_again = entry.request.items.clone();
    let order_again = move |_| {
        let lines = lines_again.clone();
        change_cart(widget, move |cart| {
            lines.iter().for_each(|line| cart.add_line(line))
        });
        widget.open_cart.update(|n| *n += 1);
    };
    let ready_banner = (stage == Stage::AtRestaurant(OrderStatus::Ready)).then(|| {
        view! { <p class="order-ready-banner">{words(language).ready_banner}</p> }
    });
    let still_cooking = matches!(
        stage,
        Stage::AtRestaurant(OrderStatus::Received | OrderStatus::Preparing)
    );
    let asked = RwSignal::new(false);
    let notify_me = move || {
        (still_cooking && !asked.get() && crate::ready_notice::can_ask()).then(|| {
            let on_click = move |_| crate::ready_notice::ask(move || asked.set(true));
            view! { <button type="button" class="notify-me" on:click=on_click>{words(language).notify_me}</button> }
        })
    };
    // The order's payment, for an order the restaurant has: its state on the
    // card (`data-payment`, the automation contract) and its step.
    let placed = match &entry.state {
        DeliveryState::Received { order } => Some((order.id.clone(), order.status)),
        _ => None,
    };
    let payment_word = {
        let placed = placed.clone();
        move || {
            let (id, status) = placed.as_ref()?;
            widget.payments.with(|payments| {
                receipt_state(*status, payments.get(id)).map(PaymentState::contract_word)
            })
        }
    };
    let payment_step = placed.map(|(order_id, status)| {
        let total = total.clone();
        view! { <PaymentStep order_id status total language /> }
    });
    // 催单: an order of this table the kitchen has not finished.
    let hurry = still_cooking
        .then(|| match &entry.state {
            DeliveryState::Received { order } if widget.table_link().is_some() => {
                order.table.as_ref().map(|_| order.id.clone())
            }
            _ => None,
        })
        .flatten()
        .map(|order_id| {
            let status_id = order_id.clone();
            let hurried = move || {
                widget.calls.with(|queue| {
                    queue
                        .find(CallReason::Hurry, Some(&status_id))
                        .map(|call| {
                            if call.is_waiting() {
                                words(language).calls.waiting
                            } else {
                                words(language).calls.hurried
                            }
                        })
                })
            };
            let press = move |_| {
                table_service::press(widget, CallReason::Hurry, Some(order_id.clone()))
            };
            view! {
                <button type="button" class="hurry" on:click=press>{words(language).calls.hurry}</button>
                <p class="hurry-status" role="status">{hurried}</p>
            }
        });
    let again = again.map(|label| {
        view! { <button type="button" class="primary" on:click=order_again>{label}</button> }
    });
    view! {
        <li class="order" data-order-key=entry.key.to_string() data-state=stage.name()
            data-payment=payment_word>
            <div class="order-head">
                <span class="order-ref">{format!("{} {}", words(language).reference, entry.local_ref())}</span>
                <span class="order-number">{number}</span>
            </div>
            {ready_banner}
            <p class="order-state" role="status">{state_text(language, stage)}</p>
            <p class="order-reason">{reason}</p>
            {payment_step}
            <ul class="order-lines">{lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
            <p class="order-meta">
                {format!("{} {placed_at} UTC · {} {total}", words(language).placed_at, words(language).total)}
            </p>
            {notify_me}
            {hurry}
            {again}
        </li>
    }
}
