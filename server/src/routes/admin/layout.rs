//! The frame every admin page shares: language, stylesheet, navigation.
//! No inline script or style: the CSP forbids 'unsafe-inline'.

use maud::{DOCTYPE, Markup, html};

use wendan_words::{AdminWords, Language};

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

/// The admin pages' words in `language`.
pub fn words(language: Language) -> &'static AdminWords {
    language.admin()
}

/// A whole page around `body`. `keep` is query text the language switch
/// keeps (e.g. `day=2026-11-23&`), already URL-safe. The language picker is
/// a list of links, each language named in itself: it works without script.
pub fn page(lang: Language, section: Section, title: &str, keep: &str, body: Markup) -> Markup {
    let words = words(lang);
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
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
                            a href={ "/admin?lang=" (lang.tag()) }
                                aria-current=[(section == Section::Dashboard).then_some("page")] { (words.dashboard) }
                            a href={ "/admin/tables?lang=" (lang.tag()) }
                                aria-current=[(section == Section::Tables).then_some("page")] { (words.tables) }
                        }
                    }
                    nav class="languages" aria-label=(words.language) {
                        @for language in Language::ALL {
                            a href={ (section.path()) "?" (keep) "lang=" (language.tag()) }
                                lang=(language.tag())
                                aria-current=[(language == lang).then_some("true")] { (language.native_name()) }
                        }
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
