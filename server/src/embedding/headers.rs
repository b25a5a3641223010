//! Security headers on every response. The widget's policy allows no inline
//! script or style and no `eval`; wasm needs only `'wasm-unsafe-eval'`. The
//! WeChat JSSDK (`res.wx.qq.com`) is the one outside script, loaded only
//! inside a mini-program. `frame-ancestors` lists the restaurant sites of
//! `--frame-ancestors` for the widget; the staff's pages (the kitchen
//! display, the admin), their API and their files may be framed by no one,
//! whatever that list says: framed on a restaurant's site with the staff's
//! cookie, they could be clicked through by a page on top (clickjacking).
//! Violations are reported to `/api/v1/csp-reports`.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::set_header::SetResponseHeaderLayer;

use super::routes::CSP_REPORTS_PATH;

/// The WeChat JSSDK's origin (`jweixin-1.6.0.js`).
pub const WECHAT_JSSDK_ORIGIN: &str = "https://res.wx.qq.com";

/// The widget's `frame-ancestors` sources: itself and the restaurant sites
/// (already normalised origins).
pub fn widget_ancestors(frame_ancestors: &[String]) -> String {
    std::iter::once("'self'")
        .chain(frame_ancestors.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The staff's pages: no one may frame them.
pub const STAFF_ANCESTORS: &str = "'none'";

/// The Content-Security-Policy with `ancestors` as its `frame-ancestors`.
pub fn content_security_policy(ancestors: &str) -> String {
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

/// Whether `path` is the staff's: the kitchen display and the admin, their
/// API and their files.
pub fn is_staff_path(path: &str) -> bool {
    ["/kitchen", "/admin", "/api/v1/kitchen", "/api/v1/admin"]
        .iter()
        .any(|prefix| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
}

/// The framing headers of one kind of page.
#[derive(Clone)]
struct Framing {
    policy: HeaderValue,
    /// For browsers without `frame-ancestors`; it cannot name other sites,
    /// so it is left out where sites are allowed.
    frame_options: Option<HeaderValue>,
}

#[derive(Clone)]
struct FramingByPage {
    widget: Framing,
    staff: Framing,
}

/// Adds the policy and the usual hardening headers to every response
/// (the service worker's script too: a worker's policy is its own script's).
pub fn harden(
    router: Router,
    frame_ancestors: &[String],
) -> Result<Router, header::InvalidHeaderValue> {
    let framing = FramingByPage {
        widget: Framing {
            policy: HeaderValue::from_str(&content_security_policy(&widget_ancestors(
                frame_ancestors,
            )))?,
            // Browsers ignore X-Frame-Options when `frame-ancestors` is present.
            frame_options: frame_ancestors
                .is_empty()
                .then(|| HeaderValue::from_static("SAMEORIGIN")),
        },
        staff: Framing {
            policy: HeaderValue::from_str(&content_security_policy(STAFF_ANCESTORS))?,
            frame_options: Some(HeaderValue::from_static("DENY")),
        },
    };
    Ok(router
        .layer(middleware::from_fn_with_state(framing, set_framing))
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
        )))
}

/// The policy and `X-Frame-Options` of the page the request is for.
async fn set_framing(
    State(framing): State<FramingByPage>,
    request: Request,
    next: Next,
) -> Response {
    let framing = if is_staff_path(request.uri().path()) {
        framing.staff
    } else {
        framing.widget
    };
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, framing.policy);
    if let Some(options) = framing.frame_options {
        headers.insert(header::X_FRAME_OPTIONS, options);
    } else {
        headers.remove(header::X_FRAME_OPTIONS);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_has_no_inline_or_eval_and_lists_the_ancestors() {
        let policy = content_security_policy(&widget_ancestors(&["https://shop.example".into()]));
        assert!(!policy.contains("unsafe-inline"));
        assert!(!policy.contains("'unsafe-eval'"));
        assert!(policy.contains("'wasm-unsafe-eval'"));
        assert!(policy.contains("frame-ancestors 'self' https://shop.example;"));
    }

    #[test]
    fn staff_paths_are_the_kitchen_and_the_admin_and_their_api() {
        for path in [
            "/kitchen",
            "/kitchen/kitchen.js",
            "/admin",
            "/admin/tables/A1/delete",
            "/api/v1/kitchen/board",
            "/api/v1/admin/tables",
        ] {
            assert!(is_staff_path(path), "{path}");
        }
        for path in [
            "/",
            "/kitchenette",
            "/administrator",
            "/api/v1/menu",
            "/api/v1/orders",
        ] {
            assert!(!is_staff_path(path), "{path}");
        }
    }

    #[test]
    fn the_staff_policy_lets_no_one_frame() {
        let policy = content_security_policy(STAFF_ANCESTORS);
        assert!(policy.contains("frame-ancestors 'none';"), "{policy}");
    }
}
