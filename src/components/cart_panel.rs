use leptos::html::Dialog;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wendan_protocol::limits::{MAX_NOTE_CHARS, MAX_PICKUP_NAME_CHARS};
use wendan_protocol::money::format_minor;
use wendan_protocol::pricing::price_line;

use crate::actions::{change_cart, place_order};
use crate::i18n::{self, words};
use crate::widget::use_widget;

/// A User Timing mark, so benchmarks can measure tap-to-durable.
fn mark(name: &str) {
    if let Some(performance) = window().performance() {
        let _ = performance.mark(name);
    }
}

/// The cart button, and the cart itself: change lines, add notes, review
/// exactly what will be sent (WCAG 3.3.4), then place the order.
#[component]
pub fn CartPanel() -> impl IntoView {
    let widget = use_widget();
    let dialog = NodeRef::<Dialog>::new();
    let reviewing = RwSignal::new(false);
    let placing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let language = move || widget.language.get();
    let currency = move || {
        widget.menu.with(|m| {
            m.as_ref()
                .map(|m| m.menu.currency.clone())
                .unwrap_or_default()
        })
    };
    let total = move || {
        let total = widget.menu.with(|m| {
            m.as_ref()
                .map(|m| widget.cart.with(|c| c.total_minor(&m.menu)))
        });
        format_minor(total.unwrap_or(0), &currency())
    };
    let open = move |_| {
        reviewing.set(false);
        error.set(None);
        if let Some(dialog) = dialog.get() {
            let _ = dialog.show_modal();
        }
    };
    Effect::new(move |previous: Option<u32>| {
        let requested = widget.open_cart.get();
        if previous.is_some_and(|previous| previous != requested) {
            reviewing.set(false);
            if let Some(dialog) = dialog.get() {
                let _ = dialog.show_modal();
            }
        }
        requested
    });
    let close = move || {
        if let Some(dialog) = dialog.get() {
            dialog.close();
        }
    };
    let place = move |_| {
        // The button is disabled while placing: a double tap places once,
        // and the store refuses a cart that another tab already ordered.
        if placing.get_untracked() {
            return;
        }
        placing.set(true);
        mark("place-order-tap");
        spawn_local(async move {
            match place_order(widget).await {
                Ok(()) => {
                    close();
                    if let Some(orders) = leptos::prelude::document().get_element_by_id("my-orders")
                    {
                        orders.scroll_into_view();
                    }
                }
                Err(why) => error.set(Some(i18n::place_error_text(
                    widget.language.get_untracked(),
                    &why,
                ))),
            }
            placing.set(false);
        });
    };
    let lines = move || {
        let language = language();
        let lang = language.tag();
        let currency = currency();
        widget.menu.with(|menu| {
            let menu = &menu.as_ref()?.menu;
            Some(widget.cart.with(|cart| {
                cart.lines
                    .iter()
                    .map(|line| {
                        let priced = price_line(menu, &line.to_order_line());
                        let name = priced.as_ref().map(|p| p.name.get(lang).to_owned()).unwrap_or_else(|| line.item_id.clone());
                        let options = priced
                            .as_ref()
                            .map(|p| p.options.iter().map(|o| o.name.get(lang).to_owned()).collect::<Vec<_>>().join(", "))
                            .unwrap_or_default();
                        let amount = format_minor(priced.map(|p| p.line_total_minor).unwrap_or(0), &currency);
                        let (id, qty) = (line.line_id, line.qty);
                        let note = line.note.clone();
                        view! {
                            <li class="cart-line">
                                <div class="cart-line-text">
                                    <span class="cart-line-name">{name.clone()}</span>
                                    <span class="cart-line-options">{options}</span>
                                    <input type="text" maxlength=MAX_NOTE_CHARS aria-label=format!("{} {name}", words(language).note)
                                        placeholder=words(language).note
                                        prop:value=note
                                        on:change=move |ev| change_cart(widget, |c| c.set_line_note(id, &event_target_value(&ev))) />
                                </div>
                                <div class="qty" role="group" aria-label=format!("{} {name}", words(language).quantity)>
                                    <button type="button" aria-label="−1" on:click=move |_| change_cart(widget, |c| c.set_qty(id, qty - 1))>"−"</button>
                                    <span>{qty}</span>
                                    <button type="button" aria-label="+1" on:click=move |_| change_cart(widget, |c| c.set_qty(id, qty + 1))>"+"</button>
                                </div>
                                <span class="cart-line-amount">{amount}</span>
                                <button type="button" class="link" on:click=move |_| change_cart(widget, |c| c.remove(id))>
                                    {words(language).remove}
                                </button>
                            </li>
                        }
                    })
                    .collect_view()
            }))
        })
    };
    let destination = move || {
        let language = language();
        match widget.table.get() {
            Some(table) => view! {
                <p class="table">{format!("{} {table}", words(language).dine_in_at_table)}</p>
            }
            .into_any(),
            None => view! {
                <label class="field">
                    {words(language).pickup_name}
                    <input type="text" maxlength=MAX_PICKUP_NAME_CHARS autocomplete="name"
                        prop:value=move || widget.cart.with(|c| c.pickup_name.clone())
                        on:change=move |ev| change_cart(widget, |c| c.set_pickup_name(&event_target_value(&ev))) />
                </label>
            }
            .into_any(),
        }
    };
    let can_check_out = move || {
        widget.cart.with(|cart| {
            !cart.is_empty()
                && (widget.table.with(Option::is_some) || !cart.pickup_name.trim().is_empty())
        })
    };
    view! {
        <div class="cart-bar">
            <button type="button" class="cart-button" on:click=open>
                {move || words(language()).cart}
                <span class="badge" aria-hidden="true">{move || widget.cart.with(|c| c.count())}</span>
            </button>
            <span class="cart-total">{total}</span>
            <span class="visually-hidden" role="status">
                {move || format!("{} {}", words(language()).cart, widget.cart.with(|c| c.count()))}
            </span>
        </div>
        <dialog node_ref=dialog class="sheet" aria-labelledby="cart-title">
            <h2 id="cart-title">
                {move || if reviewing.get() { words(language()).review } else { words(language()).cart }}
            </h2>
            <Show when=move || widget.cart.with(|c| !c.is_empty())
                fallback=move || view! { <p>{move || words(language()).cart_empty}</p> }>
                <ul class="cart-lines" class:reviewing=move || reviewing.get()>{lines}</ul>
                <label class="field">
                    {move || words(language()).order_note}
                    <input type="text" maxlength=MAX_NOTE_CHARS
                        prop:value=move || widget.cart.with(|c| c.note.clone())
                        on:change=move |ev| change_cart(widget, |c| c.set_note(&event_target_value(&ev))) />
                </label>
                {destination}
                <p class="total">{move || words(language()).total} " " <strong>{total}</strong></p>
            </Show>
            <p role="alert" class="error">{move || error.get()}</p>
            <div class="dialog-actions">
                <button type="button" on:click=move |_| if reviewing.get() { reviewing.set(false) } else { close() }>
                    {move || if reviewing.get() { words(language()).back } else { words(language()).close }}
                </button>
                <Show when=move || !reviewing.get()
                    fallback=move || view! {
                        <button type="button" class="primary" disabled=move || placing.get() || !can_check_out() on:click=place>
                            {move || words(language()).place_order}
                        </button>
                    }>
                    <button type="button" class="primary" disabled=move || !can_check_out() on:click=move |_| reviewing.set(true)>
                        {move || words(language()).checkout}
                    </button>
                </Show>
            </div>
        </dialog>
    }
}
