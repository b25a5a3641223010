//! Request forgery from other origins.
//!
//! The staff's cookies are `SameSite=Strict`, but a *site* is scheme and
//! host without the port: a page on another port of the same host (the
//! demo's restaurant site on :8081, anything else on the machine) could
//! post a form with them. So every state-changing request is refused when
//! the browser says it comes from elsewhere: `Sec-Fetch-Site` other than
//! `same-origin` (or `none`, a person's own action), or an `Origin` that is
//! not this server's. A request with neither header is not from a browser
//! page (curl, scripts, server-to-server calls, payment webhooks) and
//! passes; staff endpoints still want their token or cookie.
//!
//! "This server's origin" is the authority the client addressed (`Host`,
//! which a page's own requests carry verbatim, through the proxies here
//! too), or the origin of `--public-url`, for a proxy that rewrites `Host`.
//! Like Go's `http.CrossOriginProtection`, the `Host` comparison leaves out
//! the scheme: behind a TLS proxy the server cannot see it, and one
//! host and port serve one scheme.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use wendan_protocol::ProblemType;

use crate::embedding::routes::CSP_REPORTS_PATH;
use crate::problem::ApiError;

const SEC_FETCH_SITE: &str = "sec-fetch-site";

/// Where this server is reached, besides the `Host` a request names.
#[derive(Debug, Clone, Default)]
pub struct OwnOrigin {
    /// `scheme://host[:port]` of `--public-url`, lower case.
    public: Option<Arc<str>>,
}

impl OwnOrigin {
    /// From `--public-url` (`https://order.example.com`); a URL without a
    /// scheme and host adds nothing.
    pub fn new(public_url: &str) -> Self {
        Self {
            public: origin_of(public_url).map(Arc::from),
        }
    }
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Forgery {
    #[error("the browser says this request comes from another {0} (Sec-Fetch-Site)")]
    FetchSite(&'static str),
    #[error("the request comes from the page at {0:?}, not from this server's own pages")]
    ForeignOrigin(String),
}

/// Refuses a state-changing request from another origin with 403.
pub async fn refuse_cross_origin(
    State(own): State<OwnOrigin>,
    request: Request,
    next: Next,
) -> Response {
    // Browsers report violations of the page's policy from wherever the
    // page is framed; the endpoint only logs, and limits itself.
    if request.uri().path() == CSP_REPORTS_PATH {
        return next.run(request).await;
    }
    match check(request.method(), request.headers(), &own) {
        Ok(()) => next.run(request).await,
        Err(forgery) => {
            tracing::info!(%forgery, path = %request.uri().path(), "cross-origin request refused");
            ApiError::new(ProblemType::CrossOriginRequest)
                .detail(forgery.to_string())
                .into_response()
        }
    }
}

/// Whether a request may change state here (safe methods always may).
pub fn check(method: &Method, headers: &HeaderMap, own: &OwnOrigin) -> Result<(), Forgery> {
    if is_safe(method) {
        return Ok(());
    }
    let mut same_origin_by_fetch_site = false;
    for site in headers.get_all(SEC_FETCH_SITE) {
        match site.as_bytes() {
            b"same-origin" => same_origin_by_fetch_site = true,
            b"none" => {}
            b"same-site" => return Err(Forgery::FetchSite("origin of this site")),
            _ => return Err(Forgery::FetchSite("site")),
        }
    }
    let mut origins = headers.get_all(header::ORIGIN).iter();
    let Some(origin) = origins.next() else {
        return Ok(());
    };
    let origin_text = String::from_utf8_lossy(origin.as_bytes()).into_owned();
    if origins.next().is_some() {
        return Err(Forgery::ForeignOrigin(format!("{origin_text} and another")));
    }
    // A page with `Referrer-Policy: no-referrer` sends `Origin: null` even
    // with its own form posts; the browser's `Sec-Fetch-Site` still says
    // where the page is. Without that word, `null` is refused.
    if origin == "null" && same_origin_by_fetch_site {
        return Ok(());
    }
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok());
    let ours = origin_of(&origin_text).is_some_and(|origin| {
        own.public.as_deref() == Some(origin.as_str())
            || host.is_some_and(|host| {
                origin
                    .split_once("://")
                    .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
            })
    });
    if ours {
        Ok(())
    } else {
        Err(Forgery::ForeignOrigin(origin_text))
    }
}

/// GET, HEAD, OPTIONS and TRACE change nothing here; every other method,
/// custom ones included, may.
pub fn is_safe(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// `scheme://host[:port]` in lower case, or `None` for `null` and anything
/// that is not an absolute http(s) URL.
fn origin_of(text: &str) -> Option<String> {
    let uri: Uri = text.trim().parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let authority = uri.authority()?.as_str().to_ascii_lowercase();
    if !matches!(scheme.as_str(), "http" | "https") || authority.contains('@') {
        return None;
    }
    Some(format!("{scheme}://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
                value.parse().expect("value"),
            );
        }
        headers
    }

    fn post(pairs: &[(&str, &str)]) -> Result<(), Forgery> {
        check(&Method::POST, &headers(pairs), &OwnOrigin::default())
    }

    #[test]
    fn a_request_without_browser_headers_passes() {
        assert_eq!(post(&[("host", "127.0.0.1:8080")]), Ok(()));
    }

    #[test]
    fn the_servers_own_pages_pass() {
        let own = [
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
            ("sec-fetch-site", "same-origin"),
        ];
        assert_eq!(post(&own), Ok(()));
        assert_eq!(
            post(&[
                ("host", "Order.Example"),
                ("origin", "https://order.example")
            ]),
            Ok(())
        );
    }

    #[test]
    fn another_port_of_the_same_host_is_another_origin() {
        let refused = post(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8081"),
        ]);
        assert!(matches!(refused, Err(Forgery::ForeignOrigin(_))));
    }

    #[test]
    fn the_browsers_word_that_it_is_another_site_is_enough() {
        for site in ["cross-site", "same-site", "something-new"] {
            let refused = post(&[("host", "127.0.0.1:8080"), ("sec-fetch-site", site)]);
            assert!(matches!(refused, Err(Forgery::FetchSite(_))), "{site}");
        }
        assert_eq!(post(&[("sec-fetch-site", "none")]), Ok(()));
    }

    #[test]
    fn a_null_origin_passes_only_when_the_browser_says_same_origin() {
        let no_referrer_page = [("origin", "null"), ("sec-fetch-site", "same-origin")];
        assert_eq!(post(&no_referrer_page), Ok(()));
        let sandboxed = [("origin", "null"), ("sec-fetch-site", "cross-site")];
        assert!(post(&sandboxed).is_err());
    }

    #[test]
    fn a_null_or_doubled_origin_is_refused() {
        assert!(post(&[("host", "127.0.0.1:8080"), ("origin", "null")]).is_err());
        assert!(
            post(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080"),
                ("origin", "http://evil.example"),
            ])
            .is_err()
        );
    }

    #[test]
    fn the_public_url_counts_as_our_origin_behind_a_proxy_that_rewrites_host() {
        let own = OwnOrigin::new("https://Order.Example/");
        let behind_proxy = headers(&[
            ("host", "10.0.0.5:8080"),
            ("origin", "https://order.example"),
        ]);
        assert_eq!(check(&Method::PUT, &behind_proxy, &own), Ok(()));
        let other_scheme = headers(&[
            ("host", "10.0.0.5:8080"),
            ("origin", "http://order.example"),
        ]);
        assert!(check(&Method::PUT, &other_scheme, &own).is_err());
    }

    #[test]
    fn reading_is_never_refused() {
        let foreign = headers(&[
            ("origin", "http://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ]);
        for method in [Method::GET, Method::HEAD, Method::OPTIONS] {
            assert_eq!(check(&method, &foreign, &OwnOrigin::default()), Ok(()));
        }
        let custom = Method::from_bytes(b"BREW").expect("method");
        assert!(check(&custom, &foreign, &OwnOrigin::default()).is_err());
    }
}
