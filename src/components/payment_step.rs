use leptos::prelude::*;
use leptos::task::spawn_local;
use wendan_payments::wire::{ProviderId, can_pay, receipt_state};
use wendan_protocol::OrderStatus;
use wendan_words::Language;

use crate::errors::PayError;
use crate::i18n::{pay_error_text, payment_text, provider_name, words};
use crate::payment;
use crate::widget::use_widget;

/// An order's payment on its receipt: where it stands (with the provider's
/// reference once paid), and while the order waits for its money, the
/// diner's choice of provider and "Pay". Shows nothing for an order with no
/// payment step (the bill is settled later).
#[component]
pub fn PaymentStep(
    order_id: String,
    status: OrderStatus,
    /// The order's total, as the diner pays it (`¥26.00`).
    total: String,
    language: Language,
) -> impl IntoView {
    let widget = use_widget();
    let words = &words(language).payment;
    let kept = {
        let order_id = order_id.clone();
        move || {
            widget
                .payments
                .with(|payments| payments.get(&order_id).cloned())
        }
    };
    let state = {
        let kept = kept.clone();
        move || receipt_state(status, kept().as_ref())
    };
    let payable = {
        let state = state.clone();
        move || state().is_some_and(|state| can_pay(status, state))
    };
    if payable() {
        payment::want_options(widget);
    }
    let chosen = RwSignal::new(None::<ProviderId>);
    let busy = RwSignal::new(false);
    let providers = move || {
        widget.payment_options.with(|options| {
            options
                .as_ref()
                .map(|options| options.providers.clone())
                .unwrap_or_default()
        })
    };
    // The first provider the restaurant lists, until the diner picks one.
    let provider = move || chosen.get().or_else(|| providers().first().copied());
    let line = {
        let kept = kept.clone();
        move || {
            let state = state()?;
            let reference = kept()
                .and_then(|view| view.reference)
                .map(|reference| format!(" · {} {reference}", words.reference));
            Some(format!(
                "{}{}",
                payment_text(language, state),
                reference.unwrap_or_default()
            ))
        }
    };
    let sandbox = move || {
        let kept_sandbox = kept().is_some_and(|view| view.sandbox);
        let offered_sandbox = widget
            .payment_options
            .with(|options| options.as_ref().is_some_and(|options| options.sandbox));
        (kept_sandbox || offered_sandbox)
            .then(|| view! { <p class="payment-sandbox">{words.sandbox}</p> })
    };
    let error = {
        let order_id = order_id.clone();
        move || {
            widget.payment_error.with(|error| match error {
                Some((id, why)) if *id == order_id => Some(pay_error_text(language, why)),
                _ => None,
            })
        }
    };
    let elsewhere = {
        let order_id = order_id.clone();
        move || {
            (widget.paying_elsewhere.get().as_ref() == Some(&order_id))
                .then_some(words.opened_elsewhere)
        }
    };
    let choices = move || {
        let listed = providers();
        (listed.len() > 1).then(|| {
            let options = listed
                .into_iter()
                .map(|id| {
                    let checked = move || provider() == Some(id);
                    view! {
                        <label class="payment-choice">
                            <input type="radio" name="payment-provider" value=id.as_str()
                                prop:checked=checked on:change=move |_| chosen.set(Some(id)) />
                            {provider_name(language, id)}
                        </label>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="payment-choices">
                    <legend>{words.pay_with}</legend>
                    {options}
                </fieldset>
            }
        })
    };
    let on_pay = {
        let order_id = order_id.clone();
        move |_| {
            let order_id = order_id.clone();
            let chosen = chosen.get_untracked();
            busy.set(true);
            spawn_local(async move {
                // Tapped before the restaurant's choices arrived: wait for
                // them (the tap is not dropped), then pay with the first.
                let provider = match chosen {
                    Some(provider) => Some(provider),
                    None => payment::first_provider(widget).await,
                };
                match provider {
                    Some(provider) => payment::pay(widget, order_id, provider).await,
                    None => widget.payment_error.set(Some((
                        order_id,
                        PayError::CouldNotStart("the ways to pay are not known".into()),
                    ))),
                }
                busy.set(false);
            });
        }
    };
    let pay_button = move || {
        payable().then(|| {
            view! {
                {choices}
                <p class="pay-row">
                    <button type="button" class="primary pay" on:click=on_pay.clone()
                        disabled=move || busy.get()>{words.pay}</button>
                    <span class="pay-amount">{total.clone()}</span>
                </p>
            }
        })
    };
    view! {
        <div class="payment">
            <p class="payment-state" role="status">{line}</p>
            {sandbox}
            <p class="error payment-error" role="alert">{error}</p>
            <p class="notice">{elsewhere}</p>
            {pay_button}
        </div>
    }
}
