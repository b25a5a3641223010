//! The table's shared cart (多人点餐): every dish anyone at the table added,
//! with who added it, the table's total, this diner's name, and the rounds
//! sent to the kitchen with their orders' state. The bar at the bottom
//! holds "Send to kitchen" (送厨房), in reach of the thumb, where the
//! phone's own cart bar is elsewhere.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wendan_outbox::Stage;
use wendan_protocol::money::format_minor;
use wendan_protocol::order::OrderLine;
use wendan_protocol::pricing::price_line;
use wendan_tablecart::{Line, total_minor};

use crate::i18n::{state_text, words};
use crate::table_cart::{self, diner_label};
use crate::widget::use_widget;

#[component]
pub fn TableCartView() -> impl IntoView {
    let widget = use_widget();
    let language = move || widget.language.get();
    let currency = move || {
        widget.menu.with(|m| {
            m.as_ref()
                .map(|m| m.menu.currency.clone())
                .unwrap_or_default()
        })
    };
    let shown = move || {
        widget.table_cart.with(|kept| {
            kept.as_ref()
                .map(|kept| kept.cart.view())
                .unwrap_or_default()
        })
    };
    let waiting = move || {
        widget.table_cart.with(|kept| {
            kept.as_ref()
                .is_some_and(|kept| !kept.cart.pending().is_empty())
        })
    };
    let total = move || format_minor(total_minor(&shown()), &currency());
    let lines = move || {
        let language = language();
        let currency = currency();
        shown()
            .into_iter()
            .map(|line| line_view(widget, &line, language, &currency))
            .collect_view()
    };
    let name = move || {
        widget.table_cart.with(|kept| {
            kept.as_ref()
                .map(|kept| kept.cart.diner().name.clone())
                .unwrap_or_default()
        })
    };
    let rounds = move || {
        let language = language();
        widget.rounds.with(|rounds| {
            rounds
                .iter()
                .map(|round| {
                    let state = round.status.map_or("sending", |status| status.as_str());
                    let said = round
                        .status
                        .map_or(words(language).stages.sending, |status| {
                            state_text(language, Stage::AtRestaurant(status))
                        });
                    view! {
                        <li class="order round" data-order-key=round.order.id.clone() data-state=state>
                            <span class="order-number">{format!("#{}", round.order.number)}</span>
                            " "
                            <span class="round-by">{round.sent_by.clone()}</span>
                            <p class="order-state" role="status">{said}</p>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let send = move |_| spawn_local(table_cart::send(widget));
    view! {
        <Show when=move || table_cart::active(widget)>
            <section class="table-cart" id="table-cart" aria-labelledby="table-cart-title">
                <h2 id="table-cart-title">{move || words(language()).table_cart.heading}</h2>
                <label class="field">
                    {move || words(language()).table_cart.your_name}
                    <input type="text" maxlength=wendan_tablecart::ids::MAX_DINER_NAME_CHARS autocomplete="nickname"
                        prop:value=name
                        on:change=move |ev| table_cart::set_name(widget, &event_target_value(&ev)) />
                </label>
                <Show when=move || !shown().is_empty()
                    fallback=move || view! { <p class="table-cart-empty">{move || words(language()).table_cart.empty}</p> }>
                    <ul class="cart-lines">{lines}</ul>
                </Show>
                <p class="table-cart-waiting" role="status">
                    {move || waiting().then(|| words(language()).table_cart.waiting)}
                </p>
                <ul class="table-cart-notices" role="status">
                    {move || widget.table_cart_notices.get().into_iter().map(|text| view! { <li>{text}</li> }).collect_view()}
                </ul>
                <ul class="rounds">{rounds}</ul>
            </section>
            <div class="cart-bar table-cart-bar">
                <a class="cart-button" href="#table-cart">{move || words(language()).table_cart.heading}</a>
                <span class="cart-total" aria-label=move || words(language()).table_cart.total>{total}</span>
                <button type="button" class="primary send-round"
                    disabled=move || widget.round_sending.get() || table_cart::press_waiting(widget) || shown().is_empty()
                    on:click=send>
                    {move || if widget.round_sending.get() || table_cart::press_waiting(widget) {
                        words(language()).table_cart.sending
                    } else {
                        words(language()).table_cart.send
                    }}
                </button>
            </div>
        </Show>
    }
}

/// One line of the table's cart, with who added it and "−"/"+" for anyone.
fn line_view(
    widget: crate::widget::Widget,
    line: &Line,
    language: wendan_words::Language,
    currency: &str,
) -> impl IntoView + use<> {
    let lang = language.tag();
    let priced = widget.menu.with_untracked(|menu| {
        let menu = &menu.as_ref()?.menu;
        price_line(
            menu,
            &OrderLine {
                item_id: line.item_id.clone(),
                qty: i64::from(line.qty),
                options: line.options.clone(),
                note: None,
            },
        )
    });
    let name = priced
        .as_ref()
        .map(|p| p.name.get(lang).to_owned())
        .unwrap_or_else(|| line.item_id.clone());
    let options = priced
        .as_ref()
        .map(|p| {
            p.options
                .iter()
                .map(|o| o.name.get(lang).to_owned())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let added_by = diner_label(&line.added_by);
    let by_text = words(language)
        .table_cart
        .added_by
        .replace("{name}", &added_by);
    let amount = format_minor(line.total_minor(), currency);
    let (less, more) = (line.id.clone(), line.id.clone());
    view! {
        <li class="cart-line" data-cart-line=line.id.as_str().to_owned() data-qty=line.qty
            data-added-by=added_by>
            <div class="cart-line-text">
                <span class="cart-line-name">{name.clone()}</span>
                <span class="cart-line-options">{options}</span>
                <span class="cart-line-by">{by_text}</span>
            </div>
            <div class="qty" role="group" aria-label=format!("{} {name}", words(language).quantity)>
                <button type="button" aria-label="−1"
                    on:click=move |_| table_cart::change_qty(widget, less.clone(), -1)>"−"</button>
                <span>{line.qty}</span>
                <button type="button" aria-label="+1"
                    on:click=move |_| table_cart::change_qty(widget, more.clone(), 1)>"+"</button>
            </div>
            <span class="cart-line-amount">{amount}</span>
        </li>
    }
}
