use leptos::prelude::*;
use wendan_protocol::Menu;
use wendan_protocol::menu::Item;
use wendan_protocol::money::format_minor;
use wendan_words::Language;

use crate::actions::add_to_cart;
use crate::i18n::{tag_text, words};
use crate::widget::Widget;

/// The menu, category by category, with a category bar that stays in reach.
#[component]
pub fn MenuView(menu: Menu, language: Language) -> impl IntoView {
    let lang = language.tag();
    let nav = menu
        .categories
        .iter()
        .map(|category| {
            view! {
                <a href=format!("#category-{}", category.id)>{category.name.get(lang).to_owned()}</a>
            }
        })
        .collect_view();
    let sections = menu
        .categories
        .iter()
        .map(|category| {
            let items = menu
                .items_in(&category.id)
                .map(|item| view! { <ItemCard item=item.clone() currency=menu.currency.clone() language /> })
                .collect_view();
            view! {
                <section class="menu-category" id=format!("category-{}", category.id)>
                    <h2>{category.name.get(lang).to_owned()}</h2>
                    <ul>{items}</ul>
                </section>
            }
        })
        .collect_view();
    view! {
        <nav class="category-bar" aria-label=words(language).categories>{nav}</nav>
        <div class="menu">{sections}</div>
    }
}

/// One dish: what it is, what it costs, and how to add it.
#[component]
fn ItemCard(item: Item, currency: String, language: Language) -> impl IntoView {
    let lang = language.tag();
    let name = item.name.get(lang).to_owned();
    let description = item.description.get(lang).to_owned();
    let price = format_minor(item.price_minor, &currency);
    let labels: Vec<String> = item
        .tags
        .iter()
        .chain(&item.allergens)
        .map(|code| tag_text(language, code))
        .collect();
    let action = if item.sold_out {
        view! { <span class="sold-out">{words(language).sold_out}</span> }.into_any()
    } else {
        let widget = use_context::<Widget>();
        let (id, has_options) = (item.id.clone(), !item.option_groups.is_empty());
        let add = move |_| {
            let Some(widget) = widget else { return };
            if has_options {
                widget.choosing.set(Some(id.clone()));
            } else {
                add_to_cart(widget, &id, Vec::new(), "");
            }
        };
        view! {
            <button class="add" aria-label=format!("{} {name}", words(language).add) on:click=add>
                "+"
            </button>
        }
        .into_any()
    };
    view! {
        <li class="menu-item" data-item-id=item.id.clone()>
            <div class="menu-item-text">
                <span class="menu-item-name">{name.clone()}</span>
                <span class="menu-item-description">{description}</span>
                <span class="menu-item-tags">{labels.join(" · ")}</span>
            </div>
            <div class="menu-item-buy">
                <span class="menu-item-price">{price}</span>
                {action}
            </div>
        </li>
    }
}
