//! Paying inside the WeChat browser (JSAPI): the diner's `openid` by the
//! official account's silent web authorisation against the sandbox's
//! WeChat, then the bridge parameters, then the payment. The page's part
//! (following the redirects, `WeixinJSBridge`) is in the Playwright suite.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use wendan_payments::rsa_sha256::VerifyingKey;
use wendan_payments::wire::BridgePayment;

use crate::payments::Shop;
use crate::paysim_harness::test_keys;

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|value| value.to_str().ok())
        .expect("a redirect")
        .to_owned()
}

/// The `wendan_wechat_state=…` pair the server set, for the next request.
fn state_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("wendan_wechat_state="))
        .and_then(|value| value.split(';').next())
        .expect("the state cookie")
        .to_owned()
}

/// The browser's trip: this server → WeChat's authorisation (the sandbox)
/// → back to this server with a code. Returns the URL WeChat sent the
/// browser back to and the state cookie the browser holds.
async fn authorise(shop: &Shop, order_id: &str) -> (String, String) {
    let start = shop
        .http
        .get(shop.server.url(&format!(
            "/api/v1/payments/wechat/authorize?order_id={order_id}"
        )))
        .send()
        .await
        .expect("authorize");
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let to_wechat = location(&start);
    assert!(
        to_wechat.contains("/connect/oauth2/authorize?appid=wx8888888888888888&redirect_uri=")
            && to_wechat.contains("&response_type=code&scope=snsapi_base&state=")
            && to_wechat.ends_with("#wechat_redirect"),
        "{to_wechat}"
    );
    let cookie = state_cookie(&start);
    let at_wechat = shop
        .http
        .get(to_wechat.trim_end_matches("#wechat_redirect"))
        .send()
        .await
        .expect("WeChat's authorisation");
    assert_eq!(at_wechat.status(), StatusCode::FOUND);
    (location(&at_wechat), cookie)
}

/// WeChat's return with `cookie`; where the browser is sent next.
async fn come_back(shop: &Shop, back: &str, cookie: Option<&str>) -> String {
    let mut request = shop.http.get(back);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    let response = request.send().await.expect("openid");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    location(&response)
}

#[tokio::test]
async fn inside_wechat_the_diner_pays_with_their_openid_from_the_silent_authorisation() {
    let shop = Shop::open("pay-first").await;
    let options = shop.server.get_json("/api/v1/payments/options").await;
    assert_eq!(options["wechat_in_browser"], true, "{options}");
    let order_id = shop.pickup_order().await;

    let (back, cookie) = authorise(&shop, &order_id).await;
    assert!(back.starts_with(&shop.server.url("/api/v1/payments/wechat/openid?order_id=")));
    let to_widget = come_back(&shop, &back, Some(&cookie)).await;
    let order = uuid::Uuid::parse_str(&order_id).expect("uuid");
    let (widget, openid) = to_widget
        .split_once("#wechat_openid=")
        .expect("the openid in the fragment");
    assert_eq!(
        widget,
        shop.server
            .url(&format!("/?payment_return={}", order.hyphenated()))
    );
    assert!(openid.starts_with('o') && openid.len() == 28, "{openid}");

    // The same browser is the same WeChat user next time.
    let second_order = shop.pickup_order().await;
    let (back, cookie2) = {
        let start = shop
            .http
            .get(shop.server.url(&format!(
                "/api/v1/payments/wechat/authorize?order_id={second_order}"
            )))
            .send()
            .await
            .expect("authorize");
        let cookie = state_cookie(&start);
        let at_wechat = shop
            .http
            .get(location(&start).trim_end_matches("#wechat_redirect"))
            .header(COOKIE, format!("paysim_wechat_openid={openid}"))
            .send()
            .await
            .expect("WeChat");
        (location(&at_wechat), cookie)
    };
    let again = come_back(&shop, &back, Some(&cookie2)).await;
    assert!(
        again.ends_with(&format!("#wechat_openid={openid}")),
        "{again}"
    );

    // JSAPI: the bridge parameters, signed with the merchant's key.
    let (status, answer) = shop
        .pay(
            &order_id,
            json!({"channel": "wechat_jsapi", "openid": openid}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["handoff"]["kind"], "wechat_bridge", "{answer}");
    let bridge: BridgePayment =
        serde_json::from_value(answer["handoff"]["payment"].clone()).expect("bridge payment");
    assert_eq!(bridge.app_id, "wx8888888888888888");
    let merchant: VerifyingKey = test_keys().wechat_merchant.verifying_key();
    bridge.verify(&merchant).expect("paySign verifies");
    let prepay = bridge.package.trim_start_matches("prepay_id=");
    let paid = shop
        .http
        .post(format!(
            "http://{}/sandbox/wallet/wechat/{prepay}/pay",
            shop.sandbox.addr
        ))
        .form(&Vec::<(&str, &str)>::new())
        .send()
        .await
        .expect("wallet");
    assert!(paid.status().is_success() || paid.status().is_redirection());
    let payment: Value = shop.wait_for_payment(&order_id, "paid").await;
    assert_eq!(payment["payment"], "paid", "{payment}");
    assert!(shop.kitchen_ids().await.contains(&order_id));
    let ledger = shop.ledger_payments(&order_id).await;
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0]["extra"]["openid"], openid, "{ledger:?}");
    assert_eq!(ledger[0]["extra"]["trade_type"], "JSAPI");
}

#[tokio::test]
async fn a_return_without_this_browsers_state_or_with_a_used_code_gives_no_openid() {
    let shop = Shop::open("pay-first").await;
    let order_id = shop.pickup_order().await;

    // Someone else's return link (no state cookie here): refused.
    let (back, cookie) = authorise(&shop, &order_id).await;
    let stranger = come_back(&shop, &back, None).await;
    assert!(
        stranger.ends_with("#wechat_openid_error=state"),
        "{stranger}"
    );
    let forged_state = come_back(&shop, &back, Some("wendan_wechat_state=0123")).await;
    assert!(
        forged_state.ends_with("#wechat_openid_error=state"),
        "{forged_state}"
    );

    // The code is single-use: the first exchange works, a replay is refused.
    let first = come_back(&shop, &back, Some(&cookie)).await;
    assert!(first.contains("#wechat_openid=o"), "{first}");
    let replay = come_back(&shop, &back, Some(&cookie)).await;
    assert!(replay.ends_with("#wechat_openid_error=refused"), "{replay}");
}

#[tokio::test]
async fn an_openid_or_payer_address_that_is_not_one_is_refused_before_any_provider_is_asked() {
    let shop = Shop::open("pay-first").await;
    let order_id = shop.pickup_order().await;
    let refused = [
        json!({"channel": "wechat_jsapi", "openid": ""}),
        json!({"channel": "wechat_jsapi", "openid": "o".repeat(129)}),
        json!({"channel": "wechat_mini_program", "openid": "o\n<script>"}),
        json!({"channel": "wechat_h5", "payer_client_ip": "not an address"}),
    ];
    for channel in refused {
        let (status, answer) = shop.pay(&order_id, channel.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{channel}: {answer}");
        assert_eq!(answer["type"], "/problems/malformed-request", "{answer}");
    }
    // Nothing reached the provider, and the order can still be paid.
    assert!(shop.ledger_payments(&order_id).await.is_empty());
    let (status, answer) = shop
        .pay(
            &order_id,
            json!({"channel": "wechat_jsapi", "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}
