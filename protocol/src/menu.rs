//! The menu a restaurant publishes: what can be ordered, with which options, at what price.
//!
//! This is also the documented file format for a restaurant's own menu
//! (`wendan-server --menu my-menu.json`); `server/menus/demo-hotpot.json` is an example.

use serde::{Deserialize, Serialize};

use crate::Localized;
use crate::opening_hours::OpeningHours;

/// How long an order may wait on a diner's phone before it is too old to send:
/// a lunch order that reaches the kitchen at dinner helps nobody.
pub const DEFAULT_MAX_ORDER_AGE_SECS: u32 = 45 * 60;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Menu {
    /// Changes whenever anything a diner sees changes; the server derives it
    /// from the content, so a file author may leave it empty.
    #[serde(default)]
    pub version: String,
    /// ISO 4217 code; all prices are integer minor units of it.
    pub currency: String,
    pub restaurant: Restaurant,
    pub opening_hours: OpeningHours,
    #[serde(default = "default_max_order_age_secs")]
    pub max_order_age_secs: u32,
    pub categories: Vec<Category>,
    pub items: Vec<Item>,
}

fn default_max_order_age_secs() -> u32 {
    DEFAULT_MAX_ORDER_AGE_SECS
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Restaurant {
    pub name: Localized,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    pub id: String,
    pub name: Localized,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Item {
    pub id: String,
    /// The id of the [`Category`] it is listed under.
    pub category: String,
    pub name: Localized,
    #[serde(default)]
    pub description: Localized,
    pub price_minor: i64,
    #[serde(default)]
    pub option_groups: Vec<OptionGroup>,
    /// Dietary and descriptive tags such as `spicy`, `vegetarian`, `signature`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Allergen codes such as `gluten`, `peanut`, `sesame`, `shellfish`.
    #[serde(default)]
    pub allergens: Vec<String>,
    /// "86'd" / 估清: listed so diners know it exists, but not orderable now.
    #[serde(default)]
    pub sold_out: bool,
}

/// A choice attached to an item: broth, spice level, size, add-ons.
/// `min` = 1 makes it required; `max` bounds how many options may be picked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OptionGroup {
    pub id: String,
    pub name: Localized,
    pub min: u32,
    pub max: u32,
    pub options: Vec<ItemOption>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemOption {
    /// Unique within its item, so an order line can name it alone.
    pub id: String,
    pub name: Localized,
    #[serde(default)]
    pub price_delta_minor: i64,
}

impl Menu {
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|item| item.id == id)
    }

    /// Items of a category, in menu order.
    pub fn items_in<'a>(&'a self, category_id: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.items
            .iter()
            .filter(move |item| item.category == category_id)
    }
}

impl Item {
    /// The group an option id belongs to, with the option itself.
    pub fn option(&self, option_id: &str) -> Option<(&OptionGroup, &ItemOption)> {
        self.option_groups.iter().find_map(|group| {
            group
                .options
                .iter()
                .find(|option| option.id == option_id)
                .map(|option| (group, option))
        })
    }

    /// True when the item has a group the diner must choose from.
    pub fn has_required_options(&self) -> bool {
        self.option_groups.iter().any(|group| group.min > 0)
    }
}
