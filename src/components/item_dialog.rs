use leptos::html::Dialog;
use leptos::prelude::*;
use wendan_protocol::limits::MAX_NOTE_CHARS;
use wendan_protocol::money::format_minor;

use crate::actions::add_to_cart;
use crate::i18n::words;
use crate::widget::use_widget;

/// Choosing an item's options (broth, spice, size, extras) and a note.
/// A native modal `<dialog>`: it traps focus, Escape closes it, and focus
/// returns to the button that opened it.
#[component]
pub fn ItemDialog() -> impl IntoView {
    let widget = use_widget();
    let dialog = NodeRef::<Dialog>::new();
    let chosen = RwSignal::new(Vec::<String>::new());
    let note = RwSignal::new(String::new());
    Effect::new(move |_| {
        let open = widget.choosing.get().is_some();
        if let Some(dialog) = dialog.get() {
            if open && !dialog.open() {
                chosen.set(Vec::new());
                note.set(String::new());
                let _ = dialog.show_modal();
            } else if !open && dialog.open() {
                dialog.close();
            }
        }
    });
    let item = move || {
        let id = widget.choosing.get()?;
        widget
            .menu
            .with(|menu| menu.as_ref()?.menu.item(&id).cloned())
    };
    let missing_required = move || {
        item().is_some_and(|item| {
            chosen.with(|chosen| {
                item.option_groups.iter().any(|group| {
                    let picked = group
                        .options
                        .iter()
                        .filter(|o| chosen.contains(&o.id))
                        .count();
                    picked < group.min as usize
                })
            })
        })
    };
    let add = move |_| {
        if let Some(id) = widget.choosing.get_untracked() {
            let (options, text) = (chosen.get_untracked(), note.get_untracked());
            add_to_cart(widget, &id, options, &text);
        }
        widget.choosing.set(None);
    };
    let body = move || {
        let item = item()?;
        let language = widget.language.get();
        let lang = language.tag();
        let currency = widget
            .menu
            .with(|m| m.as_ref().map(|m| m.menu.currency.clone()))?;
        let groups = item
            .option_groups
            .iter()
            .map(|group| {
                let single = group.max == 1;
                let rule = if group.min > 0 {
                    words(language).required.to_owned()
                } else {
                    format!("{} {}", words(language).choose_up_to, group.max)
                };
                let max = group.max as usize;
                let options = group
                    .options
                    .iter()
                    .map(|option| {
                        let id = option.id.clone();
                        let siblings: Vec<String> =
                            group.options.iter().map(|o| o.id.clone()).collect();
                        let delta = if option.price_delta_minor == 0 {
                            String::new()
                        } else {
                            format!(" +{}", format_minor(option.price_delta_minor, &currency))
                        };
                        let checked_id = id.clone();
                        let toggle = move |_| {
                            chosen.update(|chosen| {
                                if chosen.contains(&id) {
                                    chosen.retain(|o| o != &id);
                                } else {
                                    if single {
                                        chosen.retain(|o| !siblings.contains(o));
                                    } else if chosen.iter().filter(|o| siblings.contains(o)).count()
                                        >= max
                                    {
                                        return;
                                    }
                                    chosen.push(id.clone());
                                }
                            })
                        };
                        view! {
                            <label class="option">
                                <input
                                    type=if single { "radio" } else { "checkbox" }
                                    name=group.id.clone()
                                    prop:checked=move || chosen.with(|c| c.contains(&checked_id))
                                    on:change=toggle
                                />
                                {format!("{}{delta}", option.name.get(lang))}
                            </label>
                        }
                    })
                    .collect_view();
                view! {
                    <fieldset>
                        <legend>{format!("{} ({rule})", group.name.get(lang))}</legend>
                        {options}
                    </fieldset>
                }
            })
            .collect_view();
        Some(view! {
            <h2 id="item-dialog-title">{item.name.get(lang).to_owned()}</h2>
            <p>{item.description.get(lang).to_owned()}</p>
            {groups}
            <label class="field">
                {words(language).note}
                <input type="text" maxlength=MAX_NOTE_CHARS
                    prop:value=move || note.get()
                    on:input=move |ev| note.set(event_target_value(&ev)) />
            </label>
            <div class="dialog-actions">
                <button type="button" on:click=move |_| widget.choosing.set(None)>
                    {words(language).close}
                </button>
                <button type="button" class="primary" disabled=missing_required on:click=add>
                    {format!("{} {}", words(language).add, item.name.get(lang))}
                </button>
            </div>
        })
    };
    view! {
        <dialog node_ref=dialog class="sheet" aria-labelledby="item-dialog-title"
            on:close=move |_| widget.choosing.set(None)>
            {body}
        </dialog>
    }
}
