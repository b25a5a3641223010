use serde_json::Value;

use super::*;

#[test]
fn a_tag_or_preference_finds_its_language() {
    for (tag, language) in [
        ("zh-CN", Language::ZhCn),
        ("zh", Language::ZhCn),
        ("zh-Hans-CN", Language::ZhCn),
        ("zh_SG", Language::ZhCn),
        ("zh-TW", Language::ZhTw),
        ("zh-HK", Language::ZhTw),
        ("zh-mo", Language::ZhTw),
        ("zh-Hant", Language::ZhTw),
        ("en", Language::English),
        ("en-GB", Language::English),
    ] {
        assert_eq!(Language::from_tag(tag), Some(language), "{tag}");
    }
    assert_eq!(Language::from_tag("fr-FR"), None);
    assert_eq!(Language::from_tag(""), None);
}

#[test]
fn an_explicit_request_beats_preferences_and_the_fallback_is_last() {
    fn choose(requested: Option<&str>, preferences: &[&str], fallback: Language) -> Language {
        Language::choose(requested, preferences.iter().copied(), fallback)
    }
    assert_eq!(
        choose(Some("en"), &["zh-CN"], Language::ZhCn),
        Language::English
    );
    assert_eq!(
        choose(Some("de"), &["fr", "zh-HK", "en"], Language::English),
        Language::ZhTw
    );
    assert_eq!(choose(None, &["ja"], Language::ZhCn), Language::ZhCn);
    for language in Language::ALL {
        assert_eq!(Language::from_tag(language.tag()), Some(language));
    }
}

/// The section tables are indexed by a language's place in `ALL`.
#[test]
fn every_language_is_at_its_own_place_in_the_list() {
    for (place, language) in Language::ALL.into_iter().enumerate() {
        assert_eq!(language as usize, place, "{language:?}");
    }
    assert_eq!(Language::ZhTw.kitchen().page.title, "廚房");
    assert_eq!(Language::English.widget().cart, "Cart");
}

#[test]
fn a_plural_takes_the_form_the_platform_names() {
    let english = Language::English.widget().waiting_to_send;
    assert_eq!(english.format("one", 1), "1 order waiting to send");
    assert_eq!(english.format("other", 3), "3 orders waiting to send");
    // Forms English lacks (Arabic's "few", say) read as "other".
    assert_eq!(english.format("few", 3), "3 orders waiting to send");
}

/// Every word of a language, with its path (`widget.stages.saved`).
fn words(language: Language) -> Vec<(String, String)> {
    fn walk(path: &str, value: &Value, out: &mut Vec<(String, String)>) {
        match value {
            Value::Object(fields) => {
                for (name, field) in fields {
                    walk(&format!("{path}.{name}"), field, out);
                }
            }
            Value::String(text) => out.push((path.to_owned(), text.clone())),
            other => panic!("{path} is not a word: {other}"),
        }
    }
    let value = serde_json::json!({
        "name": language.native_name(),
        "widget": language.widget(),
        "admin": language.admin(),
        "kitchen": language.kitchen(),
        "loader": language.loader(),
    });
    let mut out = Vec::new();
    walk(language.tag(), &value, &mut out);
    out
}

fn has_han(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn every_word_is_written_and_in_its_own_script() {
    for language in Language::ALL {
        let words = words(language);
        assert!(
            words.len() > 150,
            "{}: only {} words",
            language.tag(),
            words.len()
        );
        for (path, text) in words {
            assert!(!text.trim().is_empty(), "{path} is empty");
            let chinese = language != Language::English;
            assert_eq!(has_han(&text), chinese, "{path}: {text:?}");
        }
    }
}

/// Characters written one way in Simplified and another in Traditional
/// Chinese, as pairs (simplified, traditional): a word copied from the
/// wrong dictionary shows up here.
const DIFFERENT_IN_EACH_SCRIPT: &[(char, char)] = &[
    ('单', '單'),
    ('订', '訂'),
    ('这', '這'),
    ('个', '個'),
    ('网', '網'),
    ('络', '絡'),
    ('机', '機'),
    ('设', '設'),
    ('认', '認'),
    ('删', '刪'),
    ('关', '關'),
    ('数', '數'),
    ('选', '選'),
    ('项', '項'),
    ('时', '時'),
    ('间', '間'),
    ('请', '請'),
    ('没', '沒'),
    ('码', '碼'),
    ('过', '過'),
    ('钟', '鐘'),
    ('务', '務'),
    ('厅', '廳'),
    ('载', '載'),
    ('车', '車'),
    ('备', '備'),
    ('录', '錄'),
    ('发', '發'),
    ('厨', '廚'),
];

#[test]
fn traditional_chinese_is_not_simplified_chinese() {
    for (simplified, traditional) in DIFFERENT_IN_EACH_SCRIPT {
        for (path, text) in words(Language::ZhTw) {
            assert!(
                !text.contains(*simplified),
                "{path}: {text:?} has the simplified {simplified}"
            );
        }
        for (path, text) in words(Language::ZhCn) {
            assert!(
                !text.contains(*traditional),
                "{path}: {text:?} has the traditional {traditional}"
            );
        }
    }
}

#[test]
fn every_language_names_itself_in_its_own_words() {
    let names: Vec<&str> = Language::ALL
        .iter()
        .map(|language| language.native_name())
        .collect();
    assert_eq!(names, ["简体中文", "繁體中文", "English"]);
}
