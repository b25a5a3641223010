//! The frame every admin page shares: language, stylesheet, navigation.
//! No inline script or style: the CSP forbids 'unsafe-inline'.

use maud::{DOCTYPE, Markup, html};

use super::words::Lang;

/// Which page is showing, for the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Dashboard,
    Tables,
    Login,
}

impl Section {
    fn path(self) -> &'static str {
        match self {
            Section::Dashboard => "/admin",
            Section::Tables => "/admin/tables",
            Section::Login => "/admin/login",
        }
    }
}

/// A whole page around `body`. `keep` is query text the language switch
/// keeps (e.g. `day=2026-11-23&`), already URL-safe.
pub fn page(lang: Lang, section: Section, title: &str, keep: &str, body: Markup) -> Markup {
    let words = lang.words();
    let other = lang.other();
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                // No referrer to other sites; to this one, so that the
                // forms' posts carry their real `Origin` (see `same_origin`).
                meta name="referrer" content="same-origin";
                title { (title) " · " (words.admin) }
                link rel="stylesheet" href="/admin/admin.css";
            }
            body {
                header class="bar" {
                    span class="brand" { (words.admin) }
                    @if section != Section::Login {
                        nav aria-label=(words.admin) {
                            a href={ "/admin?lang=" (lang.code()) }
                                aria-current=[(section == Section::Dashboard).then_some("page")] { (words.dashboard) }
                            a href={ "/admin/tables?lang=" (lang.code()) }
                                aria-current=[(section == Section::Tables).then_some("page")] { (words.tables) }
                        }
                    }
                    a class="lang" href={ (section.path()) "?" (keep) "lang=" (other.code()) } lang=(other.code()) {
                        (other.words().language_name)
                    }
                    @if section != Section::Login {
                        form method="post" action="/admin/logout" {
                            button type="submit" class="link" { (words.log_out) }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}
