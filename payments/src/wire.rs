//! What the diner's page and the server say to each other about a payment:
//! which provider, which channel, how the page hands over to the provider,
//! and where a payment stands. Plain serde types, compiled without the
//! `providers` feature, so the widget's wasm reads the very types the server
//! writes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use wendan_protocol::OrderStatus;

use crate::state::PaymentState;

/// Which provider: the word stored beside a payment and used in its paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProviderId {
    Wechat,
    Alipay,
    Stripe,
    /// Cash or a card terminal: staff take the money and mark it paid.
    Counter,
}

impl ProviderId {
    pub const ALL: [ProviderId; 4] = [
        ProviderId::Wechat,
        ProviderId::Alipay,
        ProviderId::Stripe,
        ProviderId::Counter,
    ];

    /// The stored word.
    pub const fn as_str(self) -> &'static str {
        match self {
            ProviderId::Wechat => "wechat",
            ProviderId::Alipay => "alipay",
            ProviderId::Stripe => "stripe",
            ProviderId::Counter => "counter",
        }
    }

    /// The name a person reads (logs, start-up errors).
    pub const fn name(self) -> &'static str {
        match self {
            ProviderId::Wechat => "WeChat Pay",
            ProviderId::Alipay => "Alipay",
            ProviderId::Stripe => "Stripe",
            ProviderId::Counter => "pay at the counter",
        }
    }

    /// Paid through a provider on the diner's phone (all but the counter).
    pub const fn is_online(self) -> bool {
        !matches!(self, ProviderId::Counter)
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A stored word that names no provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown payment provider {0:?}")]
pub struct UnknownProvider(pub String);

impl FromStr for ProviderId {
    type Err = UnknownProvider;

    fn from_str(word: &str) -> Result<Self, Self::Err> {
        ProviderId::ALL
            .into_iter()
            .find(|id| id.as_str() == word)
            .ok_or_else(|| UnknownProvider(word.to_owned()))
    }
}

/// Where and how the diner pays. Chosen when an attempt starts and stored
/// with it (it serialises to JSON), so that asking again sends the provider
/// the very same request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "channel", rename_all = "snake_case")]
pub enum Channel {
    /// Inside the WeChat browser (JSAPI): the diner's `openid` under the
    /// official account's appid, from `snsapi_base` authorisation.
    WechatJsapi { openid: String },
    /// A native mini-program page calls `wx.requestPayment` (the web-view
    /// cannot): the diner's `openid` under the mini-program's appid.
    WechatMiniProgram { openid: String },
    /// Another mobile browser (H5): the diner's IP address, which WeChat
    /// compares with the one that opens `h5_url`.
    WechatH5 { payer_client_ip: String },
    /// Alipay's mobile-web cashier (WAP), by redirect.
    AlipayWap,
    /// Stripe's hosted Checkout page, by redirect: no card data touches the widget.
    StripeCheckout,
    /// At the counter.
    Counter,
}

impl Channel {
    pub fn provider(&self) -> ProviderId {
        match self {
            Channel::WechatJsapi { .. }
            | Channel::WechatMiniProgram { .. }
            | Channel::WechatH5 { .. } => ProviderId::Wechat,
            Channel::AlipayWap => ProviderId::Alipay,
            Channel::StripeCheckout => ProviderId::Stripe,
            Channel::Counter => ProviderId::Counter,
        }
    }

    /// Whether what the page sent can be passed to a provider as it is. The
    /// channel arrives from the page and is stored with the attempt and sent
    /// to WeChat unchanged, so an `openid` must look like one (WeChat's are
    /// 28 URL-safe characters; it documents at most 128) and an address
    /// must parse; anything else would sit in the database and the
    /// provider's logs for nothing.
    pub fn check(&self) -> Result<(), ChannelRefused> {
        match self {
            Channel::WechatJsapi { openid } | Channel::WechatMiniProgram { openid } => {
                let plain = openid
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
                if openid.is_empty() || openid.len() > MAX_OPENID_CHARS || !plain {
                    return Err(ChannelRefused::Openid);
                }
            }
            Channel::WechatH5 { payer_client_ip } => {
                if !payer_client_ip.is_empty()
                    && payer_client_ip.parse::<std::net::IpAddr>().is_err()
                {
                    return Err(ChannelRefused::PayerAddress);
                }
            }
            Channel::AlipayWap | Channel::StripeCheckout | Channel::Counter => {}
        }
        Ok(())
    }
}

/// The longest `openid` WeChat documents (`string[1,128]`).
pub const MAX_OPENID_CHARS: usize = 128;

/// Why a channel the page sent cannot be used (see [`Channel::check`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChannelRefused {
    #[error("the openid is not one WeChat gives: 1 to 128 letters, digits, '-' or '_'")]
    Openid,
    #[error("payer_client_ip is not an IP address")]
    PayerAddress,
}

/// The parameters of WeChat's in-browser payment (`getBrandWCPayRequest`,
/// `wx.requestPayment`), signed by the server
/// ([`crate::wechat::jsapi::bridge_payment`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BridgePayment {
    pub app_id: String,
    /// Seconds, as a string (the bridge insists).
    pub time_stamp: String,
    pub nonce_str: String,
    /// `prepay_id=…`.
    pub package: String,
    pub sign_type: String,
    pub pay_sign: String,
}

/// How the diner's page continues after "Pay". Sent to the widget as JSON,
/// internally tagged (`{"kind": "redirect", "url": …}`) and read back through
/// [`FlatHandoff`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "FlatHandoff")]
pub enum Handoff {
    /// Open this at top level (WeChat H5's `h5_url` with our `redirect_url`,
    /// Alipay's signed gateway URL, Stripe Checkout). The diner comes back to
    /// the return URL, which proves nothing: only a notification or a query does.
    Redirect { url: String },
    /// Inside WeChat: `WeixinJSBridge.invoke('getBrandWCPayRequest', payment, …)`.
    WechatBridge { payment: BridgePayment },
    /// Inside a mini-program's web-view: `wx.miniProgram.navigateTo` the
    /// restaurant's native payment page with `order_id`; that page calls
    /// `wx.requestPayment(payment)` and navigates back.
    MiniProgram {
        order_id: String,
        payment: BridgePayment,
    },
    /// Nothing to open: the diner pays at the counter and staff settle it.
    Counter,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum HandoffKind {
    Redirect,
    WechatBridge,
    MiniProgram,
    Counter,
}

/// Every field any [`Handoff`] has. serde's derived reader for an internally
/// tagged enum buffers the object and compiles a second reader per variant,
/// tens of kilobytes of the widget's wasm (`outbox::stored_state` measured
/// it); this flat struct reads the same JSON in one pass.
#[derive(Deserialize)]
struct FlatHandoff {
    kind: HandoffKind,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    payment: Option<BridgePayment>,
    #[serde(default)]
    order_id: Option<String>,
}

impl TryFrom<FlatHandoff> for Handoff {
    type Error = &'static str;

    fn try_from(flat: FlatHandoff) -> Result<Self, Self::Error> {
        Ok(match flat.kind {
            HandoffKind::Redirect => Handoff::Redirect {
                url: flat.url.ok_or("a redirect needs its url")?,
            },
            HandoffKind::WechatBridge => Handoff::WechatBridge {
                payment: flat.payment.ok_or("the bridge needs its payment")?,
            },
            HandoffKind::MiniProgram => Handoff::MiniProgram {
                order_id: flat.order_id.ok_or("the hand-over needs its order")?,
                payment: flat.payment.ok_or("the hand-over needs its payment")?,
            },
            HandoffKind::Counter => Handoff::Counter,
        })
    }
}

/// An order's payment as the diner's page shows it (and keeps on the phone,
/// so the receipt says "paid" offline too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentView {
    pub order_id: String,
    /// The automation contract's word (`data-payment`):
    /// [`PaymentState::contract_word`] of `state`.
    pub payment: String,
    /// The stored state, finer than the contract's word.
    pub state: PaymentState,
    /// Where the order stands: `awaiting_payment` until the payment lets
    /// it go to the kitchen.
    pub order_status: OrderStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<ProviderId>,
    /// The provider's transaction reference (or `counter`), once paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Every online provider is the payment sandbox: no real money.
    pub sandbox: bool,
    /// Only in the answer to "Pay": how the page continues. Never kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff: Option<Handoff>,
}

impl PaymentView {
    pub fn new(
        order_id: impl Into<String>,
        state: PaymentState,
        order_status: OrderStatus,
        provider: Option<ProviderId>,
        reference: Option<String>,
        sandbox: bool,
    ) -> Self {
        PaymentView {
            order_id: order_id.into(),
            payment: state.contract_word().to_owned(),
            state,
            order_status,
            provider,
            reference,
            sandbox,
            handoff: None,
        }
    }

    /// The answer to "Pay": the payment, and how the page continues.
    pub fn with_handoff(self, handoff: Handoff) -> Self {
        PaymentView {
            handoff: Some(handoff),
            ..self
        }
    }
}

/// `GET /api/v1/payments/options`: how this restaurant's diners can pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentOptions {
    /// Enabled providers, online ones first, the counter last.
    pub providers: Vec<ProviderId>,
    /// Every online provider is the payment sandbox: no real money.
    pub sandbox: bool,
    /// Inside WeChat's own browser WeChat Pay runs as JSAPI, which needs the
    /// diner's `openid`: the server can learn it (it holds the official
    /// account's AppSecret) at [`WECHAT_AUTHORIZE_PATH`].
    #[serde(default)]
    pub wechat_in_browser: bool,
}

/// The widget's `?payment_return=<order id>`: a provider's page (or WeChat's
/// authorisation) sent the diner back; the server builds the URL, the
/// widget reads it.
pub const PAYMENT_RETURN_PARAMETER: &str = "payment_return";

/// Where a page inside the WeChat browser sends the diner to learn their
/// `openid` (`?order_id=…`): the server redirects to WeChat's `snsapi_base`
/// authorisation and back to the widget's return URL, with
/// `#wechat_openid=…` or `#wechat_openid_error=…` in the fragment (never
/// sent to a server, so never in a log).
pub const WECHAT_AUTHORIZE_PATH: &str = "/api/v1/payments/wechat/authorize";
/// The fragment parameter carrying the diner's `openid` back to the page.
pub const WECHAT_OPENID_FRAGMENT: &str = "wechat_openid";
/// The fragment parameter saying the `openid` could not be had, and why.
pub const WECHAT_OPENID_ERROR_FRAGMENT: &str = "wechat_openid_error";

impl Channel {
    /// The channel a web page starts for `provider` by redirecting to the
    /// provider's own page and back: WeChat H5 (the server names the diner's
    /// address), Alipay's mobile cashier, Stripe Checkout; or the counter.
    /// WeChat's JSAPI and mini-program channels need the diner's `openid`,
    /// which a page only has after WeChat's authorisation redirect.
    pub fn by_redirect(provider: ProviderId) -> Channel {
        match provider {
            ProviderId::Wechat => Channel::WechatH5 {
                payer_client_ip: String::new(),
            },
            ProviderId::Alipay => Channel::AlipayWap,
            ProviderId::Stripe => Channel::StripeCheckout,
            ProviderId::Counter => Channel::Counter,
        }
    }
}

/// What an order's receipt says about its payment: what the phone last
/// knew (`kept`), corrected by the order's own status (which may be newer:
/// it arrives over the live stream). `None`: the order has no payment step
/// (the bill is settled later).
pub fn receipt_state(
    order_status: OrderStatus,
    kept: Option<&PaymentView>,
) -> Option<PaymentState> {
    match kept {
        // Only a capture (or staff settling) lets a waiting order go to the
        // kitchen: the order has moved on, so the payment went through even
        // if the phone has not heard it yet.
        Some(kept)
            if kept.order_status == OrderStatus::AwaitingPayment
                && order_status.is_open()
                && !kept.state.is_captured() =>
        {
            Some(PaymentState::Paid)
        }
        Some(kept) => Some(kept.state),
        None => (order_status == OrderStatus::AwaitingPayment).then_some(PaymentState::Unpaid),
    }
}

/// Whether the diner can tap "Pay" for an order in `state`: to start, to
/// try again after a failure, or to go back to the payment in flight (the
/// server resumes it, never a second one).
pub fn can_pay(order_status: OrderStatus, state: PaymentState) -> bool {
    order_status == OrderStatus::AwaitingPayment
        && matches!(
            state,
            PaymentState::Unpaid
                | PaymentState::Pending
                | PaymentState::Failed
                | PaymentState::Closed
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_carries_only_what_a_provider_could_have_given() {
        let openid = |openid: &str| Channel::WechatJsapi {
            openid: openid.into(),
        };
        assert_eq!(openid("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o").check(), Ok(()));
        assert_eq!(openid(&"o".repeat(MAX_OPENID_CHARS)).check(), Ok(()));
        for bad in ["", "o pen", "o\u{202e}x", "ö"] {
            assert_eq!(openid(bad).check(), Err(ChannelRefused::Openid), "{bad:?}");
        }
        assert_eq!(
            openid(&"o".repeat(MAX_OPENID_CHARS + 1)).check(),
            Err(ChannelRefused::Openid)
        );
        let h5 = |address: &str| Channel::WechatH5 {
            payer_client_ip: address.into(),
        };
        assert_eq!(h5("").check(), Ok(()), "empty: the server names it");
        assert_eq!(h5("2001:db8::1").check(), Ok(()));
        assert_eq!(
            h5("203.0.113.7, 10.0.0.1").check(),
            Err(ChannelRefused::PayerAddress)
        );
    }

    fn kept(state: PaymentState, order_status: OrderStatus) -> PaymentView {
        PaymentView::new(
            "o-1",
            state,
            order_status,
            Some(ProviderId::Alipay),
            None,
            true,
        )
    }

    #[test]
    fn an_order_waiting_for_payment_with_nothing_kept_is_unpaid() {
        assert_eq!(
            receipt_state(OrderStatus::AwaitingPayment, None),
            Some(PaymentState::Unpaid)
        );
        assert_eq!(receipt_state(OrderStatus::Received, None), None);
    }

    #[test]
    fn an_order_the_kitchen_has_was_paid_even_if_the_phone_last_saw_pending() {
        let pending = kept(PaymentState::Pending, OrderStatus::AwaitingPayment);
        assert_eq!(
            receipt_state(OrderStatus::Preparing, Some(&pending)),
            Some(PaymentState::Paid)
        );
        // Cancelled for not being paid: the kept word stands.
        assert_eq!(
            receipt_state(OrderStatus::Cancelled, Some(&pending)),
            Some(PaymentState::Pending)
        );
        let refunded = kept(PaymentState::Refunded, OrderStatus::Cancelled);
        assert_eq!(
            receipt_state(OrderStatus::Cancelled, Some(&refunded)),
            Some(PaymentState::Refunded)
        );
    }

    #[test]
    fn pay_is_offered_only_while_the_order_waits_and_nothing_was_captured() {
        let waiting = OrderStatus::AwaitingPayment;
        for state in PaymentState::ALL {
            let offered = can_pay(waiting, state);
            let expected = !state.is_captured()
                && !matches!(state, PaymentState::Refunded | PaymentState::Counter);
            assert_eq!(offered, expected, "{state}");
            assert!(!can_pay(OrderStatus::Received, state), "{state}");
        }
    }

    #[test]
    fn the_view_carries_the_contract_word_and_reads_back() {
        let view = kept(PaymentState::Closed, OrderStatus::AwaitingPayment);
        assert_eq!(view.payment, "failed");
        let json = serde_json::to_string(&view).expect("serialises");
        assert_eq!(
            serde_json::from_str::<PaymentView>(&json).expect("reads back"),
            view
        );
        for handoff in [
            Handoff::Redirect {
                url: "https://pay.example/x".into(),
            },
            Handoff::Counter,
            Handoff::MiniProgram {
                order_id: "o-7".into(),
                payment: BridgePayment {
                    app_id: "wx1".into(),
                    time_stamp: "1".into(),
                    nonce_str: "n".into(),
                    package: "prepay_id=p".into(),
                    sign_type: "RSA".into(),
                    pay_sign: "s".into(),
                },
            },
        ] {
            let answer = view.clone().with_handoff(handoff);
            let json = serde_json::to_string(&answer).expect("serialises");
            assert_eq!(
                serde_json::from_str::<PaymentView>(&json).expect("reads back"),
                answer
            );
        }
        assert!(serde_json::from_str::<Handoff>(r#"{"kind":"redirect"}"#).is_err());
        assert_eq!(
            Channel::by_redirect(ProviderId::Wechat).provider(),
            ProviderId::Wechat
        );
    }
}
