//! The restaurant's brand on the widget, as CSS custom properties set
//! through CSSOM (`style.setProperty`), which the Content-Security-Policy
//! allows; a `style` attribute in markup it would block.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wendan_protocol::theme::Theme;

use crate::url::query_param;

/// The loader's attributes, passed as `?color=&radius=&logo=`.
pub fn from_query() -> Theme {
    Theme {
        color: query_param("color"),
        logo: query_param("logo"),
        radius_px: query_param("radius").and_then(|radius| {
            let parsed = radius.trim().trim_end_matches("px").parse().ok();
            if parsed.is_none() {
                web_sys::console::warn_1(&format!("corner radius {radius:?} ignored").into());
            }
            parsed
        }),
    }
}

/// Applies what passes the checks (warning about the rest) and returns it.
pub fn apply(requested: &Theme) -> Theme {
    let (theme, warnings) = requested.checked();
    for warning in warnings {
        web_sys::console::warn_1(&format!("theme: {warning}").into());
    }
    let Some(root) = document()
        .document_element()
        .and_then(|root| root.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return theme;
    };
    let style = root.style();
    if let Some(color) = &theme.color {
        let _ = style.set_property("--brand", color);
    }
    if let Some(radius) = theme.radius_px {
        let _ = style.set_property("--radius", &format!("{radius}px"));
    }
    if let Some(logo) = &theme.logo {
        let _ = style.set_property("--brand-logo", &format!("url(\"{logo}\")"));
        let _ = style.set_property("--brand-logo-display", "inline-block");
    }
    theme
}
