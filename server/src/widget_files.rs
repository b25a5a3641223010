//! The built widget (`--static`, Trunk's `dist/`) at `/`.
//!
//! Real files are served, as their `.br` or `.gz` copy (which `cargo xtask
//! build` writes next to each) when the browser takes one, always with
//! `Vary: Accept-Encoding` so that a cache never hands a brotli body to a
//! browser that asked for none. The widget's own routes (`/`, `/?table=A1`,
//! any extension-less path) get the app shell, `index.html`. A path that
//! looks like a file and is none (`/x.php`, `/wp-login.php`) or names a
//! hidden one (`/.env`, `/.git/config`) is 404: answering those 200 with the
//! shell tells every scanner it found something, and dist/ holds no hidden
//! file to serve.

use std::convert::Infallible;
use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::handler::HandlerWithoutStateExt;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use wendan_protocol::ProblemType;

use crate::problem::ApiError;

/// The widget's files under `dir`, with the shell for its routes.
pub fn router(dir: &Path) -> Router {
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
    Router::new()
        .fallback_service(guarded.into_service())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
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
