//! Every word Wendan shows a person, one dictionary per language.
//!
//! Each language is one file (`zh_cn.rs`, `zh_tw.rs`, `en.rs`) that fills in
//! the same structs (`shape.rs`): a word missing from any language is a
//! compile error, not an empty label at the lunch rush. The widget, the
//! server's admin pages, the kitchen display (handed its words by the
//! server) and the loader restaurants embed all read from here.
//!
//! The dictionaries are plain data. Matching an enum (an order's status, a
//! kitchen button, an outbox stage) to its word happens next to that enum's
//! users, exhaustively, so a new state does not compile until it has a word.
//! Plurals are chosen by the platform (`Intl.PluralRules` in browsers), so a
//! [`Plural`] holds every form a language needs.

pub mod shape;

mod en;
mod zh_cn;
mod zh_tw;

pub use shape::*;

/// A language Wendan is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Simplified Chinese, as read on the mainland (简体中文).
    ZhCn,
    /// Traditional Chinese, as read in Taiwan, Hong Kong and Macau (繁體中文).
    ZhTw,
    English,
}

impl Language {
    /// Every language, in the order a picker lists them.
    pub const ALL: [Language; 3] = [Language::ZhCn, Language::ZhTw, Language::English];

    /// The BCP 47 tag used in menus, `<html lang>`, `?lang=` and `Intl`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::ZhTw => "zh-TW",
            Language::English => "en",
        }
    }

    /// The language with its script, as `Intl.Locale.prototype.maximize`
    /// writes it: how a browser's own data matches `zh-HK` to Traditional
    /// Chinese (the loader on a restaurant's page matches this way).
    pub fn likely_script(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-Hans",
            Language::ZhTw => "zh-Hant",
            Language::English => "en-Latn",
        }
    }

    /// The language's name in itself, as a picker shows it.
    pub fn native_name(self) -> &'static str {
        NAMES[self.index()]
    }

    /// Reads a BCP 47 tag or a browser preference: Traditional Chinese for
    /// `zh-TW`, `zh-HK`, `zh-MO` and any `zh-Hant`, Simplified for any other
    /// Chinese, English for any English; `None` for a language we lack.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let mut subtags = tag.split(['-', '_']).map(str::to_ascii_lowercase);
        match subtags.next()?.as_str() {
            "zh" => {
                let traditional =
                    subtags.any(|subtag| matches!(subtag.as_str(), "tw" | "hk" | "mo" | "hant"));
                Some(if traditional {
                    Language::ZhTw
                } else {
                    Language::ZhCn
                })
            }
            "en" => Some(Language::English),
            _ => None,
        }
    }

    /// The first language we have among an explicit request (`?lang=`) and
    /// then the person's preferences, in order; else `fallback`.
    pub fn choose<'a>(
        requested: Option<&'a str>,
        preferences: impl IntoIterator<Item = &'a str>,
        fallback: Language,
    ) -> Self {
        requested
            .into_iter()
            .chain(preferences)
            .find_map(Self::from_tag)
            .unwrap_or(fallback)
    }

    /// The language the widget speaks when none of the diner's is ours.
    pub const WIDGET_FALLBACK: Language = Language::English;

    /// The diner's widget's words. Each part of the product reads only its
    /// own section, so the widget's wasm carries none of the staff pages'.
    pub fn widget(self) -> &'static WidgetWords {
        WIDGET[self.index()]
    }

    /// The admin pages' words.
    pub fn admin(self) -> &'static AdminWords {
        ADMIN[self.index()]
    }

    /// The kitchen display's words.
    pub fn kitchen(self) -> &'static KitchenWords {
        KITCHEN[self.index()]
    }

    /// The loader's words.
    pub fn loader(self) -> &'static LoaderWords {
        LOADER[self.index()]
    }

    /// The place in [`Language::ALL`], and in each section's table below.
    /// A table lookup rather than a `match` per section: one load where the
    /// widget reads a word (some forty places), not a branch for each.
    const fn index(self) -> usize {
        self as usize
    }
}

// One entry per language, in the order of `Language::ALL` (a test checks
// it); a language added to `ALL` without its entries does not compile.
const LANGUAGES: usize = Language::ALL.len();
static WIDGET: [&WidgetWords; LANGUAGES] = [&zh_cn::WIDGET, &zh_tw::WIDGET, &en::WIDGET];
static ADMIN: [&AdminWords; LANGUAGES] = [&zh_cn::ADMIN, &zh_tw::ADMIN, &en::ADMIN];
static KITCHEN: [&KitchenWords; LANGUAGES] = [&zh_cn::KITCHEN, &zh_tw::KITCHEN, &en::KITCHEN];
static LOADER: [&LoaderWords; LANGUAGES] = [&zh_cn::LOADER, &zh_tw::LOADER, &en::LOADER];
static NAMES: [&str; LANGUAGES] = [
    zh_cn::LANGUAGE_NAME,
    zh_tw::LANGUAGE_NAME,
    en::LANGUAGE_NAME,
];

#[cfg(test)]
mod tests;
