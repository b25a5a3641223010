//! Which language the diner reads: `?lang=` wins, else the browser's, else English.

/// The languages the widget's own text is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    ZhCn,
    En,
}

impl Language {
    /// The BCP 47 tag, as used in menus and `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
        }
    }

    /// Picks a language from an explicit request (`?lang=`) and then from the
    /// browser's preferences, in order; any Chinese variant reads zh-CN.
    pub fn choose<'a>(
        requested: Option<&'a str>,
        preferences: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        requested
            .into_iter()
            .chain(preferences)
            .find_map(Self::from_tag)
            .unwrap_or(Language::En)
    }

    fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Language::ZhCn),
            "en" => Some(Language::En),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Language;

    #[test]
    fn an_explicit_request_beats_the_browser() {
        assert_eq!(Language::choose(Some("en"), ["zh-CN"]), Language::En);
    }

    #[test]
    fn the_first_supported_browser_preference_is_used() {
        assert_eq!(
            Language::choose(None, ["fr-FR", "zh-TW", "en"]),
            Language::ZhCn
        );
        assert_eq!(Language::choose(Some("de"), ["en-US"]), Language::En);
    }

    #[test]
    fn english_is_the_fallback() {
        assert_eq!(Language::choose(None, ["ja"]), Language::En);
    }
}
