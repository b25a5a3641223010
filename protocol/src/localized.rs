//! Text given in several languages, keyed by BCP 47 tag (`zh-CN`, `en`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The language every menu must at least provide, and the last fallback.
pub const FALLBACK_LANGUAGE: &str = "en";

/// A piece of text in several languages: `{"zh-CN": "毛肚", "en": "Beef tripe"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Localized(BTreeMap<String, String>);

impl Localized {
    /// The text in `language`, else in its primary subtag's language
    /// (`zh-TW` → `zh-CN` if that is all there is), else English, else any.
    pub fn get(&self, language: &str) -> &str {
        if let Some(text) = self.0.get(language) {
            return text;
        }
        let primary = language.split('-').next().unwrap_or(language);
        let same_primary = self
            .0
            .iter()
            .find(|(tag, _)| tag.split('-').next() == Some(primary));
        same_primary
            .or_else(|| self.0.get_key_value(FALLBACK_LANGUAGE))
            .or_else(|| self.0.iter().next())
            .map(|(_, text)| text.as_str())
            .unwrap_or("")
    }

    pub fn is_empty(&self) -> bool {
        self.0.values().all(|text| text.trim().is_empty())
    }
}

impl<const N: usize> From<[(&str, &str); N]> for Localized {
    fn from(pairs: [(&str, &str); N]) -> Self {
        Self(
            pairs
                .into_iter()
                .map(|(tag, text)| (tag.to_owned(), text.to_owned()))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tripe() -> Localized {
        Localized::from([("zh-CN", "毛肚"), ("en", "Beef tripe")])
    }

    #[test]
    fn exact_language_wins() {
        assert_eq!(tripe().get("zh-CN"), "毛肚");
        assert_eq!(tripe().get("en"), "Beef tripe");
    }

    #[test]
    fn same_primary_language_is_preferred_over_english() {
        assert_eq!(tripe().get("zh-TW"), "毛肚");
        assert_eq!(tripe().get("en-GB"), "Beef tripe");
    }

    #[test]
    fn unknown_language_falls_back_to_english() {
        assert_eq!(tripe().get("fr"), "Beef tripe");
    }

    #[test]
    fn blank_text_counts_as_empty() {
        assert!(Localized::from([("en", "  ")]).is_empty());
        assert!(!tripe().is_empty());
    }
}
