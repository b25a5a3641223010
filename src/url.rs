//! The page's URL parameters: `?table=` with its `?code=`, `?lang=`, `?mode=`, and the
//! loader's `?embed=`, `?host=` and theme. A leaf: read by the app and by
//! `embed`, it imports nothing of the widget.

use leptos::prelude::window;

/// `?name=`, unless it is absent or blank.
pub fn query_param(name: &str) -> Option<String> {
    let search = window().location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(name).filter(|value| !value.trim().is_empty())
}
