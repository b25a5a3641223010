//! Security headers on every response. The widget's policy allows no inline
//! script or style and no `eval`; wasm needs only `'wasm-unsafe-eval'`. The
//! WeChat JSSDK (`res.wx.qq.com`) is the one outside script, loaded only
//! inside a mini-program. `frame-ancestors` lists the restaurant sites of
//! `--frame-ancestors`; violations are reported to `/api/v1/csp-reports`.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

use super::routes::CSP_REPORTS_PATH;

/// The WeChat JSSDK's origin (`jweixin-1.6.0.js`).
pub const WECHAT_JSSDK_ORIGIN: &str = "https://res.wx.qq.com";

/// The Content-Security-Policy for `frame_ancestors` (already normalised origins).
pub fn content_security_policy(frame_ancestors: &[String]) -> String {
    let ancestors: String = std::iter::once("'self'")
        .chain(frame_ancestors.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    [
        "default-src 'self'".to_owned(),
        format!("script-src 'self' 'wasm-unsafe-eval' {WECHAT_JSSDK_ORIGIN}"),
        "style-src 'self'".to_owned(),
        "img-src 'self'".to_owned(),
        "connect-src 'self'".to_owned(),
        "worker-src 'self'".to_owned(),
        "manifest-src 'self'".to_owned(),
        "object-src 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        "form-action 'self'".to_owned(),
        format!("frame-ancestors {ancestors}"),
        format!("report-uri {CSP_REPORTS_PATH}"),
    ]
    .join("; ")
}

/// Adds the policy and the usual hardening headers to every response
/// (the service worker's script too: a worker's policy is its own script's).
pub fn harden(
    router: Router,
    frame_ancestors: &[String],
) -> Result<Router, header::InvalidHeaderValue> {
    let policy = HeaderValue::from_str(&content_security_policy(frame_ancestors))?;
    let mut router = router
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            policy,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(
                "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ));
    // Browsers ignore X-Frame-Options when `frame-ancestors` is present; it is
    // for old ones, and it cannot name other sites, so only without a list.
    if frame_ancestors.is_empty() {
        router = router.layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        ));
    }
    Ok(router)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_has_no_inline_or_eval_and_lists_the_ancestors() {
        let policy = content_security_policy(&["https://shop.example".into()]);
        assert!(!policy.contains("unsafe-inline"));
        assert!(!policy.contains("'unsafe-eval'"));
        assert!(policy.contains("'wasm-unsafe-eval'"));
        assert!(policy.contains("frame-ancestors 'self' https://shop.example;"));
    }
}
