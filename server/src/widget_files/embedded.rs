//! The widget inside the binary: `dist/` as `cargo xtask build` left it
//! (with its `.br` and `.gz` copies), embedded by `rust-embed` at compile
//! time. Served from memory with the rules of `--static` (see the parent
//! module); the ETag is the file's SHA-256, which `rust-embed` computes at
//! build time, so a conditional request costs no hashing.

use std::borrow::Cow;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::{Embed, EmbeddedFile};

use super::{accepts, fresh, looks_like_a_file, names_a_hidden_file, not_found};

#[derive(Embed)]
#[folder = "$CARGO_MANIFEST_DIR/../dist"]
#[exclude = ".stage/*"]
struct Dist;

/// The app shell, for the widget's own routes.
const SHELL: &str = "index.html";

pub fn router() -> Router {
    Router::new().fallback(serve)
}

async fn serve(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = uri.path();
    if names_a_hidden_file(path) {
        return not_found();
    }
    let name = match path.trim_start_matches('/') {
        "" => SHELL,
        name if Dist::get(name).is_some() => name,
        _ if looks_like_a_file(path) => return not_found(),
        _ => SHELL,
    };
    let Some(plain) = Dist::get(name) else {
        return not_found();
    };
    let (file, encoding) = precompressed(name, &headers).unwrap_or((plain.clone(), None));
    let etag = etag(&file);
    let mut response = if fresh(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let body = match file.data {
            Cow::Borrowed(bytes) => Body::from(bytes),
            Cow::Owned(bytes) => Body::from(bytes),
        };
        let mut response = body.into_response();
        if let Ok(kind) = HeaderValue::from_str(plain.metadata.mimetype()) {
            response.headers_mut().insert(header::CONTENT_TYPE, kind);
        }
        if let Some(encoding) = encoding {
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        response
    };
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

/// The brotli or gzip copy of `name`, when the browser takes it (brotli first).
fn precompressed(name: &str, headers: &HeaderMap) -> Option<(EmbeddedFile, Option<&'static str>)> {
    let accepted = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    [("br", "br"), ("gzip", "gz")]
        .into_iter()
        .filter(|(coding, _)| accepts(accepted, coding))
        .find_map(|(coding, suffix)| {
            Dist::get(&format!("{name}.{suffix}")).map(|file| (file, Some(coding)))
        })
}

/// A strong validator: the stored bytes' SHA-256 (each encoding its own).
fn etag(file: &EmbeddedFile) -> String {
    let hash: String = file
        .metadata
        .sha256_hash()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("\"{hash}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_widget_is_inside_with_its_compressed_copies() {
        let shell = Dist::get(SHELL).expect("index.html is embedded");
        assert!(String::from_utf8_lossy(&shell.data).contains("<html"));
        assert!(Dist::get("index.html.br").is_some());
        assert!(Dist::iter().all(|name| !name.starts_with(".stage")));
    }
}
