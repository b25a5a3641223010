//! The built widget (Trunk's `dist/`) at `/`: from inside the binary (the
//! `embedded-widget` feature, which `cargo xtask build` turns on), or from
//! `--static DIR` (development, and a build without the feature).
//!
//! Either way the same rules hold. Real files are served, as their `.br` or
//! `.gz` copy (which `cargo xtask build` writes next to each) when the
//! browser takes one, always with `Vary: Accept-Encoding` so that a cache
//! never hands a brotli body to a browser that asked for none. A file whose
//! name carries Trunk's content hash never changes, so it is cached for a
//! year (`immutable`); everything else (the shell, the service worker, the
//! loader) is revalidated on every use, so a new version is seen at once.
//! The widget's own routes (`/`, `/?table=A1`, any extension-less path) get
//! the app shell, `index.html`. A path that looks like a file and is none
//! (`/x.php`, `/wp-login.php`) or names a hidden one (`/.env`,
//! `/.git/config`) is 404: answering those 200 with the shell tells every
//! scanner it found something, and dist/ holds no hidden file to serve.

#[cfg(feature = "embedded-widget")]
mod embedded;

use std::convert::Infallible;
use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::handler::HandlerWithoutStateExt;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use wendan_protocol::ProblemType;

use crate::problem::ApiError;

/// Where the widget's files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WidgetSource {
    /// A directory (`--static`).
    Dir(std::path::PathBuf),
    /// The copy built into this binary.
    #[cfg(feature = "embedded-widget")]
    Embedded,
}

impl WidgetSource {
    /// `--static` if given, else the widget inside the binary if it has one;
    /// `None`: this server serves only the API (a build without the widget).
    pub fn choose(static_dir: Option<&Path>) -> Option<Self> {
        match static_dir {
            Some(dir) => Some(WidgetSource::Dir(dir.to_owned())),
            #[cfg(feature = "embedded-widget")]
            None => Some(WidgetSource::Embedded),
            #[cfg(not(feature = "embedded-widget"))]
            None => None,
        }
    }
}

/// Whether this binary carries the widget.
pub const EMBEDDED: bool = cfg!(feature = "embedded-widget");

/// The widget's files, with the shell for its routes and the cache rules.
pub fn router(source: &WidgetSource) -> Router {
    let files = match source {
        WidgetSource::Dir(dir) => from_dir(dir),
        #[cfg(feature = "embedded-widget")]
        WidgetSource::Embedded => embedded::router(),
    };
    files
        .layer(middleware::from_fn(cache_rules))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
}

/// The files under `dir`, through tower-http's `ServeDir`.
fn from_dir(dir: &Path) -> Router {
    let index = ServeFile::new(dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let shell = move |request: Request| {
        let index = index.clone();
        async move {
            if looks_like_a_file(request.uri().path()) {
                return not_found();
            }
            let Ok(response) = index.oneshot(request).await;
            response.into_response()
        }
    };
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(shell.into_service());
    let guarded = move |request: Request| {
        let files = files.clone();
        async move {
            if names_a_hidden_file(request.uri().path()) {
                return not_found();
            }
            let Ok::<_, Infallible>(response) = files.oneshot(request).await;
            response.into_response()
        }
    };
    Router::new().fallback_service(guarded.into_service())
}

/// Hashed files for a year, everything else revalidated (see the module's doc).
async fn cache_rules(request: Request, next: Next) -> Response {
    let rule = cache_control(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(rule));
    }
    response
}

fn cache_control(path: &str) -> &'static str {
    if has_content_hash(path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

/// Trunk names built files `name-<16 hex digits>.ext` (`wendan-b068bd32fb96c9a2_bg.wasm`).
fn has_content_hash(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    file.split(['-', '_', '.'])
        .any(|part| part.len() == 16 && part.bytes().all(|byte| byte.is_ascii_hexdigit()))
}

/// Whether an `Accept-Encoding` value takes `coding` (and not with `q=0`).
// Serves the embedded widget; kept here so that every build tests it.
#[cfg_attr(not(feature = "embedded-widget"), allow(dead_code))]
fn accepts(accept_encoding: &str, coding: &str) -> bool {
    accept_encoding.split(',').any(|entry| {
        let mut parts = entry.split(';').map(str::trim);
        let named = parts
            .next()
            .is_some_and(|name| name.eq_ignore_ascii_case(coding));
        let refused = parts.any(|parameter| {
            parameter
                .strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        named && !refused
    })
}

/// `If-None-Match` names this version (or `*`).
// Serves the embedded widget; kept here so that every build tests it.
#[cfg_attr(not(feature = "embedded-widget"), allow(dead_code))]
fn fresh(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .map(|tag| tag.trim().trim_start_matches("W/"))
                .any(|tag| tag == etag || tag == "*")
        })
}

fn not_found() -> Response {
    ApiError::new(ProblemType::NotFound)
        .detail("no such file")
        .into_response()
}

/// A segment that starts with a dot, also percent-encoded (`%2e`), which
/// `ServeDir` decodes.
fn names_a_hidden_file(path: &str) -> bool {
    path.split('/').any(|segment| {
        segment.starts_with('.')
            || segment
                .get(..3)
                .is_some_and(|start| start.eq_ignore_ascii_case("%2e"))
    })
}

/// The last segment has an extension (`x.php`, `config.json`): a request
/// for a file, never one of the widget's routes. Hidden names count too.
fn looks_like_a_file(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or_default();
    names_a_hidden_file(path) || last.contains('.') || last.to_ascii_lowercase().contains("%2e")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_named_by_their_content_are_cached_for_good() {
        for path in [
            "/wendan-b068bd32fb96c9a2_bg.wasm",
            "/wendan-b068bd32fb96c9a2.js",
            "/widget-a3c93a5dfde5fd9f.css",
            "/icon-8a8c4410f4c31826.svg",
        ] {
            assert_eq!(
                cache_control(path),
                "public, max-age=31536000, immutable",
                "{path}"
            );
        }
        for path in [
            "/",
            "/index.html",
            "/service-worker.js",
            "/wendan-sw_bg.wasm",
            "/embed.js",
            "/precache.json",
            "/table/A1",
        ] {
            assert_eq!(cache_control(path), "no-cache", "{path}");
        }
    }

    #[test]
    fn an_encoding_is_taken_unless_refused() {
        assert!(accepts("gzip, deflate, br", "br"));
        assert!(accepts("br;q=1.0, gzip;q=0.8", "gzip"));
        assert!(!accepts("gzip;q=0, br", "gzip"));
        assert!(!accepts("identity", "br"));
        assert!(!accepts("", "gzip"));
    }

    #[test]
    fn a_request_naming_this_version_is_fresh() {
        let asking = |tags: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::IF_NONE_MATCH, tags.parse().expect("value"));
            headers
        };
        assert!(fresh(&asking("\"abc\""), "\"abc\""));
        assert!(fresh(&asking("\"x\", W/\"abc\""), "\"abc\""));
        assert!(fresh(&asking("*"), "\"abc\""));
        assert!(!fresh(&asking("\"abd\""), "\"abc\""));
        assert!(!fresh(&HeaderMap::new(), "\"abc\""));
    }

    #[test]
    fn the_widgets_routes_are_not_files() {
        for path in ["/", "/orders", "/table/A1", "/a/b/c"] {
            assert!(!looks_like_a_file(path), "{path}");
            assert!(!names_a_hidden_file(path), "{path}");
        }
    }

    #[test]
    fn scanners_paths_look_like_files() {
        for path in [
            "/x.php",
            "/wp-login.php",
            "/admin/config.json",
            "/a/b.tar.gz",
            "/x%2Ephp",
        ] {
            assert!(looks_like_a_file(path), "{path}");
        }
    }

    #[test]
    fn dot_segments_are_hidden_files() {
        for path in [
            "/.env",
            "/.git/config",
            "/.well-known/x",
            "/a/.htaccess",
            "/%2eenv",
            "/%2E%2E/etc",
        ] {
            assert!(names_a_hidden_file(path), "{path}");
            assert!(looks_like_a_file(path), "{path}");
        }
    }
}
