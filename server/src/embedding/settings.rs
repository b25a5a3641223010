//! The embedding flags: sites allowed to frame the widget and the brand.

use axum::http::Uri;
use clap::Args;
use wendan_protocol::theme::{EmbedConfig, Theme};

#[derive(Debug, Clone, Default, Args)]
pub struct EmbedArgs {
    /// Restaurant sites allowed to embed the widget in a frame, as origins
    /// (`https://shop.example,https://www.shop.example`). The widget also
    /// takes commands only from these. Empty: only the ordering site itself.
    #[arg(
        long,
        env = "WENDAN_FRAME_ANCESTORS",
        value_delimiter = ',',
        value_parser = parse_origin
    )]
    pub frame_ancestors: Vec<String>,

    /// Brand colour of buttons and header (`#rrggbb`); darkened if white
    /// text on it would fall below 4.5:1 contrast.
    #[arg(long, env = "WENDAN_BRAND_COLOR")]
    pub brand_color: Option<String>,

    /// Logo shown in the widget's header: a path on this server (`/logo.svg`).
    #[arg(long, env = "WENDAN_BRAND_LOGO")]
    pub brand_logo: Option<String>,

    /// Corner radius of buttons and panels, in CSS pixels (0–32).
    #[arg(long, env = "WENDAN_CORNER_RADIUS")]
    pub corner_radius: Option<u8>,
}

impl EmbedArgs {
    /// What `GET /api/v1/embed` publishes: the brand as it will be used
    /// (a failing colour darkened, a bad field dropped, each with a warning).
    pub fn published(&self) -> EmbedConfig {
        let (theme, warnings) = self.requested_theme().checked();
        for warning in warnings {
            tracing::warn!(%warning, "theme");
        }
        EmbedConfig {
            frame_ancestors: self.frame_ancestors.clone(),
            theme,
        }
    }
}

impl EmbedArgs {
    /// The brand as the flags ask for it, before it is checked
    /// (`wendan-server doctor` reports what checking would change).
    pub fn requested_theme(&self) -> Theme {
        Theme {
            color: self.brand_color.clone(),
            logo: self.brand_logo.clone(),
            radius_px: self.corner_radius,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OriginError {
    #[error("{0:?} is not a URL")]
    NotAUrl(String),
    #[error(
        "{0:?} must be http:// or https:// and a host, without a path (like https://shop.example)"
    )]
    NotAnOrigin(String),
}

/// `https://Shop.Example:8443/` → `https://shop.example:8443`: scheme and
/// host only, because that is what `frame-ancestors` and `postMessage`
/// compare. Paths, queries, user info and wildcards are refused.
pub fn parse_origin(text: &str) -> Result<String, OriginError> {
    let trimmed = text.trim();
    let uri: Uri = trimmed
        .parse()
        .map_err(|_| OriginError::NotAUrl(trimmed.to_owned()))?;
    let refuse = || OriginError::NotAnOrigin(trimmed.to_owned());
    let scheme = uri.scheme_str().ok_or_else(refuse)?.to_ascii_lowercase();
    let authority = uri.authority().ok_or_else(refuse)?;
    let host_ok = authority
        .host()
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
    let clean = matches!(scheme.as_str(), "http" | "https")
        && !authority.as_str().contains('@')
        && !authority.host().is_empty()
        && host_ok
        && matches!(uri.path(), "" | "/")
        && uri.query().is_none();
    if !clean {
        return Err(refuse());
    }
    Ok(format!(
        "{scheme}://{}",
        authority.as_str().to_ascii_lowercase()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised() {
        assert_eq!(
            parse_origin(" https://Shop.Example/ ").expect("origin"),
            "https://shop.example"
        );
        assert_eq!(
            parse_origin("http://127.0.0.1:8081").expect("origin"),
            "http://127.0.0.1:8081"
        );
    }

    #[test]
    fn anything_but_an_origin_is_refused() {
        for bad in [
            "shop.example",
            "https://shop.example/menu",
            "https://shop.example/?a=1",
            "ftp://shop.example",
            "https://*.shop.example",
            "https://user@shop.example",
            "'self'",
            "https://a.example; script-src *",
            "",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_failing_brand_colour_is_published_darkened() {
        let args = EmbedArgs {
            brand_color: Some("#ffd400".into()),
            ..EmbedArgs::default()
        };
        let published = args.published();
        assert_ne!(published.theme.color.as_deref(), Some("#ffd400"));
        assert!(published.theme.color.is_some());
    }
}
