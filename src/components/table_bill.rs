//! The table's bill (本桌账单): what everyone at the table ordered this
//! visit and what is still to pay, read from the restaurant when the diner
//! asks (so a phone that did not order sees the others' rounds). Shown
//! only on a table's link (`?table=&code=`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use wendan_payments::bill::TableBill;
use wendan_protocol::ProblemType;
use wendan_protocol::money::format_minor;
use wendan_words::Language;

use crate::api;
use crate::errors::ApiError;
use crate::i18n::{payment_text, problem_text, words};
use crate::widget::use_widget;

/// The last answer about the bill, for the view.
#[derive(Debug, Clone)]
enum Loaded {
    Bill(TableBill),
    /// No open visit: nothing was ordered since the table was cleared.
    NothingYet,
    Failed(ApiError),
}

#[component]
pub fn TableBillView() -> impl IntoView {
    let widget = use_widget();
    let loaded = RwSignal::new(None::<Loaded>);
    let loading = RwSignal::new(false);
    let language = move || widget.language.get();
    let load = move |_| {
        let Some((table, code)) = widget.table_link() else {
            return;
        };
        loading.set(true);
        spawn_local(async move {
            let answer = match api::table_bill(&table, &code).await {
                Ok(bill) => Loaded::Bill(bill),
                Err(ApiError::Refused(ProblemType::NotFound)) => Loaded::NothingYet,
                Err(error) => Loaded::Failed(error),
            };
            loaded.set(Some(answer));
            loading.set(false);
        });
    };
    view! {
        <Show when=move || widget.at_table()>
            <section class="bill" aria-labelledby="bill-title">
                <h2 id="bill-title">{move || words(language()).bill.heading}</h2>
                <button type="button" class="show-bill" on:click=load disabled=move || loading.get()>
                    {move || words(language()).bill.show}
                </button>
                <div role="status" aria-live="polite">
                    {move || loaded.get().map(|answer| shown(answer, language()))}
                </div>
            </section>
        </Show>
    }
}

fn shown(answer: Loaded, language: Language) -> AnyView {
    let words = &words(language).bill;
    match answer {
        Loaded::NothingYet => view! { <p class="bill-empty">{words.nothing_yet}</p> }.into_any(),
        Loaded::Failed(ApiError::Refused(kind)) => {
            view! { <p class="bill-error">{problem_text(language, Some(kind))}</p> }.into_any()
        }
        Loaded::Failed(error) => {
            view! { <p class="bill-error">{format!("{} ({error})", words.could_not_load)}</p> }
                .into_any()
        }
        Loaded::Bill(bill) => bill_view(bill, language),
    }
}

fn bill_view(bill: TableBill, language: Language) -> AnyView {
    let words = &words(language).bill;
    let currency = bill.currency.clone();
    let lines = bill
        .orders
        .iter()
        .map(|order| {
            let paid = order
                .payment
                .filter(|_| !order.owed)
                .map(|state| payment_text(language, state));
            view! {
                <li data-order=order.order_id.clone() data-owed=order.owed.to_string()>
                    <span class="bill-number">{format!("#{}", order.number)}</span>
                    <span class="bill-amount">{format_minor(order.total_minor, &currency)}</span>
                    {paid.map(|paid| view! { <span class="bill-paid">{paid}</span> })}
                </li>
            }
        })
        .collect_view();
    let owed = bill.owed_minor;
    view! {
        <div data-bill=bill.visit.id.clone() data-owed-minor=owed.to_string()>
            <ul class="bill-orders">{lines}</ul>
            <p class="bill-total">
                {words.total} " " {format_minor(bill.total_minor, &currency)}
            </p>
            {if owed > 0 {
                view! {
                    <p class="bill-owed">
                        <strong>{words.owed} " " {format_minor(owed, &currency)}</strong>
                        " · " {words.pay_at_counter}
                    </p>
                }
                    .into_any()
            } else {
                view! { <p class="bill-owed">{words.all_paid}</p> }.into_any()
            }}
        </div>
    }
    .into_any()
}
