//! "Call staff" (呼叫服务员) on a table's link: the diner picks why (water,
//! more broth, the bill, something else) and the page says whether the
//! restaurant has the call or it waits for the network.

use leptos::prelude::*;
use wendan_protocol::CallReason;
use wendan_words::Language;

use crate::i18n::words;
use crate::table_service;
use crate::widget::use_widget;

/// The reasons a diner picks from, in the order shown.
const REASONS: [CallReason; 4] = [
    CallReason::Water,
    CallReason::Broth,
    CallReason::Bill,
    CallReason::Other,
];

#[component]
pub fn TableService() -> impl IntoView {
    let widget = use_widget();
    let language = move || widget.language.get();
    let choosing = RwSignal::new(false);
    let last = RwSignal::new(None::<CallReason>);
    let choose = move |reason: CallReason| {
        choosing.set(false);
        last.set(Some(reason));
        table_service::press(widget, reason, None);
    };
    let reasons = move || {
        REASONS
            .into_iter()
            .map(|reason| {
                view! {
                    <button type="button" class="call-reason" data-reason=reason.as_str()
                        on:click=move |_| choose(reason)>
                        {reason_word(language(), reason)}
                    </button>
                }
            })
            .collect_view()
    };
    let status = move || {
        let reason = last.get()?;
        let words = &words(language()).calls;
        widget.calls.with(|queue| {
            queue.find(reason, None).map(|call| {
                if call.is_waiting() {
                    words.waiting
                } else {
                    words.called
                }
            })
        })
    };
    view! {
        <Show when=move || widget.at_table()>
            <section class="service" aria-label=move || words(language()).calls.call_staff>
                <button type="button" class="call-staff" aria-expanded=move || choosing.get().to_string()
                    on:click=move |_| choosing.update(|open| *open = !*open)>
                    {move || words(language()).calls.call_staff}
                </button>
                <Show when=move || choosing.get()>
                    <div role="group" class="call-reasons" aria-label=move || words(language()).calls.what_for>
                        {reasons}
                    </div>
                </Show>
                <p class="call-status" role="status">{status}</p>
            </section>
        </Show>
    }
}

/// A reason as the diner reads it. Exhaustive: a new reason does not
/// compile until it has its words.
pub fn reason_word(language: Language, reason: CallReason) -> &'static str {
    let words = &words(language).calls;
    match reason {
        CallReason::Hurry => words.hurry,
        CallReason::Water => words.water,
        CallReason::Broth => words.broth,
        CallReason::Bill => words.bill,
        CallReason::Other => words.other,
    }
}
