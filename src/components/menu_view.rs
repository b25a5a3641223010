use leptos::prelude::*;
use wendan_protocol::Menu;
use wendan_protocol::money::format_minor;

use crate::language::Language;

/// The menu, category by category, with prices in the menu's currency.
#[component]
pub fn MenuView(menu: Menu, language: Language) -> impl IntoView {
    let lang = language.tag();
    let sections = menu
        .categories
        .iter()
        .map(|category| {
            let items = menu
                .items_in(&category.id)
                .map(|item| {
                    let price = format_minor(item.price_minor, &menu.currency);
                    view! {
                        <li class="menu-item" data-item-id=item.id.clone()>
                            <span class="menu-item-name">{item.name.get(lang).to_owned()}</span>
                            <span class="menu-item-price">{price}</span>
                        </li>
                    }
                })
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
        <main class="menu">
            <h1>{menu.restaurant.name.get(lang).to_owned()}</h1>
            {sections}
        </main>
    }
}
