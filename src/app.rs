use leptos::prelude::*;

use crate::api::fetch_menu;
use crate::components::MenuView;
use crate::language::Language;

/// The whole widget: loads the menu and shows it.
#[component]
pub fn App() -> impl IntoView {
    let language = browser_language();
    let menu = LocalResource::new(fetch_menu);
    view! {
        <Suspense fallback=|| view! { <p role="status">"…"</p> }>
            {move || {
                menu.get().map(|result| match result {
                    Ok(menu) => view! { <MenuView menu language /> }.into_any(),
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                })
            }}
        </Suspense>
    }
}

/// The diner's language from `?lang=` and `navigator.languages`.
fn browser_language() -> Language {
    let Some(window) = web_sys::window() else {
        return Language::En;
    };
    let requested = window
        .location()
        .search()
        .ok()
        .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok())
        .and_then(|params| params.get("lang"));
    let preferences: Vec<String> = window
        .navigator()
        .languages()
        .iter()
        .filter_map(|tag| tag.as_string())
        .collect();
    Language::choose(requested.as_deref(), preferences.iter().map(String::as_str))
}
