//! The menu the restaurant publishes: loaded once, versioned by content, served with an ETag.

use std::path::Path;

use sha2::{Digest, Sha256};
use wendan_protocol::Menu;

/// The demo restaurant, also the documented example of the menu file format.
pub const DEMO_MENU_JSON: &str = include_str!("../menus/demo-hotpot.json");

#[derive(Debug, thiserror::Error)]
pub enum MenuError {
    #[error("cannot read the menu file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the menu is not valid JSON of the menu format: {0}")]
    Parse(#[from] serde_json::Error),
    #[error("the menu is inconsistent: {0}")]
    Inconsistent(String),
}

/// A menu ready to serve: the parsed form for pricing, the bytes for GET.
#[derive(Debug, Clone)]
pub struct PublishedMenu {
    pub menu: Menu,
    pub json: bytes::Bytes,
    /// Strong validator, quoted as HTTP wants it.
    pub etag: String,
}

impl PublishedMenu {
    pub fn demo() -> Result<Self, MenuError> {
        Self::from_json(DEMO_MENU_JSON)
    }

    pub fn from_file(path: &Path) -> Result<Self, MenuError> {
        let text = std::fs::read_to_string(path).map_err(|source| MenuError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text)
    }

    pub fn from_json(text: &str) -> Result<Self, MenuError> {
        Self::publish(serde_json::from_str(text)?)
    }

    /// Checks `menu`, stamps it with a version derived from its content and
    /// serializes it once, so every GET is a copy of the same bytes.
    pub fn publish(mut menu: Menu) -> Result<Self, MenuError> {
        check_consistency(&menu)?;
        menu.version = String::new();
        let unversioned = serde_json::to_vec(&menu)?;
        let digest = Sha256::digest(&unversioned);
        menu.version = digest[..8]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        let json = bytes::Bytes::from(serde_json::to_vec(&menu)?);
        let etag = format!("\"{}\"", menu.version);
        Ok(Self { menu, json, etag })
    }
}

fn check_consistency(menu: &Menu) -> Result<(), MenuError> {
    let inconsistent = |why: String| Err(MenuError::Inconsistent(why));
    menu.opening_hours
        .check()
        .map_err(|error| MenuError::Inconsistent(error.to_string()))?;
    let mut item_ids = std::collections::HashSet::new();
    for item in &menu.items {
        if !item_ids.insert(item.id.as_str()) {
            return inconsistent(format!("item id `{}` is used twice", item.id));
        }
        if !menu
            .categories
            .iter()
            .any(|category| category.id == item.category)
        {
            return inconsistent(format!(
                "item `{}` names unknown category `{}`",
                item.id, item.category
            ));
        }
        if item.price_minor < 0 {
            return inconsistent(format!("item `{}` has a negative price", item.id));
        }
        let mut option_ids = std::collections::HashSet::new();
        for group in &item.option_groups {
            if group.min > group.max || group.max as usize > group.options.len() {
                return inconsistent(format!(
                    "option group `{}` of `{}` needs min ≤ max ≤ options",
                    group.id, item.id
                ));
            }
            for option in &group.options {
                if !option_ids.insert(option.id.as_str()) {
                    return inconsistent(format!(
                        "option id `{}` is used twice in `{}`",
                        option.id, item.id
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_menu_is_a_consistent_sichuan_hotpot_menu() {
        let demo = PublishedMenu::demo().expect("demo menu loads");
        assert_eq!(demo.menu.currency, "CNY");
        assert!(demo.menu.items.len() >= 28);
        assert!(demo.menu.categories.len() >= 5);
        assert_eq!(
            demo.menu.items.iter().filter(|item| item.sold_out).count(),
            1
        );
        assert!(
            demo.menu
                .items
                .iter()
                .all(|item| !item.name.get("zh-CN").is_empty()
                    && item.name.get("zh-CN") != item.name.get("en"))
        );
    }

    #[test]
    fn the_version_follows_the_content() {
        let first = PublishedMenu::demo().expect("demo");
        let again = PublishedMenu::demo().expect("demo");
        assert_eq!(first.etag, again.etag);
        let mut changed = first.menu.clone();
        changed.items[0].price_minor += 100;
        let changed = PublishedMenu::publish(changed).expect("valid");
        assert_ne!(changed.menu.version, first.menu.version);
    }

    #[test]
    fn an_item_in_a_missing_category_is_refused() {
        let mut menu = PublishedMenu::demo().expect("demo").menu;
        menu.items[0].category = "nowhere".into();
        assert!(matches!(
            PublishedMenu::publish(menu),
            Err(MenuError::Inconsistent(_))
        ));
    }
}
