//! The languages staff pages speak. One list, so a language added here is
//! one the compiler then asks every dictionary (`match` on `Lang`) to cover.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Every language, in the order a picker lists them.
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// `?lang=` as given; anything but `en` is Chinese, the restaurant's own.
    pub fn from_query(value: Option<&str>) -> Self {
        match value {
            Some(value) if value.eq_ignore_ascii_case("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    /// The BCP 47 tag, as pages and the kitchen display name it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Self {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}
