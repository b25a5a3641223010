//! The language a staff page speaks: the product's one list
//! (`wendan_words::Language`), read from `?lang=`. Staff pages default to
//! Simplified Chinese, the restaurant's own; diners' pages to the browser's.

pub use wendan_words::Language;

/// `?lang=` as given: any tag we have a dictionary for, else Simplified Chinese.
pub fn from_query(value: Option<&str>) -> Language {
    value.and_then(Language::from_tag).unwrap_or(Language::ZhCn)
}

/// A page's language from `?lang=`, else the browser's `Accept-Language`
/// (in its order; weights are ignored, browsers list by preference), else
/// Simplified Chinese.
pub fn from_request(query: Option<&str>, accept_language: Option<&str>) -> Language {
    let preferences = accept_language
        .unwrap_or("")
        .split(',')
        .map(|entry| entry.split(';').next().unwrap_or("").trim());
    Language::choose(query, preferences, Language::ZhCn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_staff_page_reads_any_of_our_languages_and_else_speaks_chinese() {
        assert_eq!(from_query(Some("en")), Language::English);
        assert_eq!(from_query(Some("zh-TW")), Language::ZhTw);
        assert_eq!(from_query(Some("zh-HK")), Language::ZhTw);
        assert_eq!(from_query(Some("fr")), Language::ZhCn);
        assert_eq!(from_query(None), Language::ZhCn);
    }

    #[test]
    fn a_page_without_lang_follows_the_browsers_languages_in_order() {
        let from = |header| from_request(None, Some(header));
        assert_eq!(from("fr-FR,zh-HK;q=0.9,en;q=0.8"), Language::ZhTw);
        assert_eq!(from("en-US,en;q=0.9"), Language::English);
        assert_eq!(from("ja"), Language::ZhCn);
        assert_eq!(from_request(Some("en"), Some("zh-TW")), Language::English);
        assert_eq!(from_request(None, None), Language::ZhCn);
    }
}
