//! The wallet page: the sandbox's stand-in for each provider's own payment
//! step (WeChat's payment sheet, Alipay's cashier, Stripe Checkout). The
//! diner taps "Pay", "Decline" or "Cancel"; H5, Alipay and Stripe return to
//! the merchant's page afterwards, as the real ones do. Tests tap by posting
//! the same form.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use crate::ledger::{Payment, Provider};
use crate::{Sandbox, alipay, now, stripe, wechat};

/// What the diner did in the wallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tap {
    Pay,
    Decline,
    Cancel,
}

/// Where the diner goes next, once the provider module has acted.
pub struct Tapped {
    pub merchant_ref: String,
    pub back_to: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Back {
    /// WeChat H5: where to return (the merchant appends it to `h5_url`).
    pub redirect_url: Option<String>,
}

pub fn routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/sandbox/wallet/{provider}/{handle}", get(page))
        .route("/sandbox/wallet/{provider}/{handle}/{tap}", post(tap))
}

fn find(sandbox: &Sandbox, provider: Provider, handle: &str) -> Option<Payment> {
    sandbox.with_ledger(|ledger| {
        let payment = ledger.by_handle(provider, handle)?;
        payment.expire_if_due(now().unix_timestamp());
        Some(payment.clone())
    })
}

fn money(minor: i64, currency: &str) -> String {
    format!(
        "{}.{:02} {}",
        minor / 100,
        minor % 100,
        currency.to_uppercase()
    )
}

async fn page(
    State(sandbox): State<Arc<Sandbox>>,
    Path((provider, handle)): Path<(String, String)>,
    Query(back): Query<Back>,
) -> Response {
    let Some(provider) = Provider::parse(&provider) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(payment) = find(&sandbox, provider, &handle) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    render(&payment, &back).into_response()
}

fn render(payment: &Payment, back: &Back) -> Markup {
    let title = match payment.provider {
        Provider::Wechat => "WeChat Pay 微信支付",
        Provider::Alipay => "Alipay 支付宝",
        Provider::Stripe => "Stripe Checkout",
    };
    let base = format!(
        "/sandbox/wallet/{}/{}",
        payment.provider.as_str(),
        payment.handle
    );
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Payment sandbox — no real money" }
            }
            body style="font-family: sans-serif; max-width: 28rem; margin: 2rem auto; padding: 0 1rem" {
                p role="alert" style="background: #fde68a; padding: .75rem; font-weight: bold" {
                    "Payment sandbox — no real money · 支付沙箱，非真实支付"
                }
                h1 { (title) }
                p { (payment.description) }
                p style="font-size: 2rem" data-amount=(payment.amount) { (money(payment.amount, &payment.currency)) }
                p { "Status: " span data-status=(format!("{:?}", payment.status).to_lowercase()) { (format!("{:?}", payment.status)) } }
                @for (tap, label) in [("pay", "Pay 支付"), ("decline", "Decline 拒绝"), ("cancel", "Cancel 取消")] {
                    form method="post" action=(format!("{base}/{tap}")) style="display: inline-block; margin-right: .5rem" {
                        @if let Some(url) = &back.redirect_url {
                            input type="hidden" name="redirect_url" value=(url);
                        }
                        button type="submit" name="tap" value=(tap) style="font-size: 1.25rem; padding: .5rem 1rem" { (label) }
                    }
                }
            }
        }
    }
}

async fn tap(
    State(sandbox): State<Arc<Sandbox>>,
    Path((provider, handle, tap)): Path<(String, String, String)>,
    Form(back): Form<Back>,
) -> Response {
    let tap = match tap.as_str() {
        "pay" => Tap::Pay,
        "decline" => Tap::Decline,
        "cancel" => Tap::Cancel,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let Some(provider) = Provider::parse(&provider) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(payment) = find(&sandbox, provider, &handle) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let tapped = match provider {
        Provider::Wechat => wechat::tap(&sandbox, &payment, tap, back.redirect_url),
        Provider::Alipay => alipay::tap(&sandbox, &payment, tap),
        Provider::Stripe => stripe::tap(&sandbox, &payment, tap),
    };
    if tap == Tap::Pay && sandbox.drop_after_pay(&tapped.merchant_ref) {
        // Captured, but the diner's network dropped: no way back to the shop.
        return (
            StatusCode::BAD_GATEWAY,
            "sandbox fault: the network dropped after paying",
        )
            .into_response();
    }
    match tapped.back_to {
        Some(url) => Redirect::to(&url).into_response(),
        None => {
            let payment = find(&sandbox, provider, &handle).unwrap_or(payment);
            render(&payment, &Back::default()).into_response()
        }
    }
}
