//! The table's shared cart on the phone (多人点餐, issue 18). The rules are
//! `wendan_tablecart`'s (`VisitCart`, `PhoneCart`): a tap changes the
//! screen at once and joins this phone's queue. This adapter keeps the
//! phone's share in the store after every change and before it is sent
//! (so the queue survives a reload or a closed tab), pushes the queue (at
//! once, every few seconds while it waits, and when the network is back),
//! follows the table's one live stream, and sends rounds to the kitchen.
//!
//! A restaurant whose phones each keep their own cart answers the table's
//! cart with 404: the widget then keeps the phone's own cart as before.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{EventSource, MessageEvent};
use wendan_protocol::menu::Menu;
use wendan_protocol::order::OrderLine;
use wendan_protocol::pricing::price_line;
use wendan_protocol::{OrderStatus, ProblemType};
use wendan_tablecart::{
    CartPush, CartState, Change, Diner, LineId, NewLine, Notice, PhoneCart, PhoneId, RoundOutcome,
    RoundPress, VisitCart,
};

use crate::api;
use crate::device::device_id;
use crate::errors::ApiError;
use crate::i18n::{self, words};
use crate::widget::{RoundView, Widget};

/// The table cart's notices shown at once, newest last.
const SHOWN_NOTICES: usize = 3;
/// The name this phone shows at tables, remembered for the next visit.
const DINER_KEY: &str = "wendan.diner";
/// Emoji a diner is shown with until they pick a name, chosen by the
/// phone's id so it stays the same across visits.
const EMOJI: [&str; 8] = ["🐼", "🐯", "🦊", "🐰", "🐨", "🐸", "🐧", "🐙"];

/// Whether this phone orders from the table's shared cart (tracked).
pub fn active(widget: Widget) -> bool {
    widget.table_cart.with(Option::is_some)
}

/// Joins the table's cart after the scan: shows the share kept on the
/// phone, then takes the server's cart and follows its stream. Without a
/// network the kept share stays, and is joined again on the next tick.
pub async fn join(widget: Widget) {
    let Some((table, code)) = widget.table_link() else {
        return;
    };
    if widget.table_cart.with_untracked(Option::is_none)
        && let Some(store) = widget.store()
    {
        match store.load_table_cart(&table).await {
            Ok(Some(kept)) => widget.table_cart.set(Some(kept)),
            Ok(None) => {}
            Err(error) => widget.show_store_error(&error),
        }
    }
    match api::table_cart(&table, &code).await {
        Ok(state) => {
            widget.table_cart_joined.set_value(true);
            adopt(widget, state).await;
            listen(widget, &table, &code);
            push(widget).await;
        }
        // The restaurant's phones each keep their own cart.
        Err(ApiError::Refused(ProblemType::NotFound)) => {
            widget.table_cart_joined.set_value(true);
            widget.table_cart.set(None);
        }
        // Not this table's code, or not open: the scan has said so, and
        // asking again would be refused again.
        Err(ApiError::Refused(_)) => widget.table_cart_joined.set_value(true),
        Err(_) => widget.reachable.set(Some(false)),
    }
}

/// Called every few seconds: joins if the first try found no network,
/// pushes a waiting queue, and follows the rounds' orders.
pub fn tick(widget: Widget) {
    if widget.table_link().is_none() {
        return;
    }
    if !widget.table_cart_joined.get_value() {
        spawn_local(join(widget));
        return;
    }
    let waiting = widget.table_cart.with_untracked(|kept| {
        kept.as_ref()
            .is_some_and(|kept| !kept.cart.pending().is_empty())
    });
    if waiting {
        spawn_local(push(widget));
    }
    if widget
        .table_cart
        .with_untracked(|kept| kept.as_ref().is_some_and(|kept| kept.press.is_some()))
    {
        spawn_local(send(widget));
    }
    spawn_local(follow_rounds(widget));
}

/// Adds a dish to the table's cart: on screen at once, then sent.
pub fn add(widget: Widget, item_id: &str, options: Vec<String>, note: &str) {
    let Some(unit_price_minor) = widget.menu.with_untracked(|menu| {
        let menu = &menu.as_ref()?.menu;
        unit_price(menu, item_id, &options)
    }) else {
        return;
    };
    let menu_version = widget
        .menu
        .with_untracked(|menu| menu.as_ref().map(|m| m.menu.version.clone()))
        .unwrap_or_default();
    let note = Some(note.trim())
        .filter(|note| !note.is_empty())
        .map(str::to_owned);
    let item_id = item_id.to_owned();
    change(widget, move |cart| {
        let id = LineId::new(format!("{}-{}", cart.phone().as_str(), cart.next_seq()));
        Change::AddLine(NewLine {
            id,
            item_id,
            options,
            note,
            qty: 1,
            unit_price_minor,
            menu_version,
        })
    });
}

/// "+1" or "−1" on a line: a delta, so two diners' taps both count.
pub fn change_qty(widget: Widget, line: LineId, delta: i32) {
    change(widget, move |_| Change::ChangeQty { line, delta });
}

/// A new name for this phone's changes from now on, remembered.
pub fn set_name(widget: Widget, name: &str) {
    let name: String = name
        .trim()
        .chars()
        .take(wendan_tablecart::ids::MAX_DINER_NAME_CHARS)
        .collect();
    let _ = LocalStorage::set(DINER_KEY, &name);
    widget.table_cart.update(|kept| {
        if let Some(kept) = kept {
            let emoji = kept.cart.diner().emoji.clone();
            kept.cart.set_diner(Diner::new(name, emoji));
        }
    });
    save(widget);
}

/// "Send to kitchen" (送厨房): this phone's changes first, then the round
/// on screen. Without a network the press waits and is made again on the
/// next tick: the round's number makes a late press the same round.
pub async fn send(widget: Widget) {
    let Some((table, code)) = widget.table_link() else {
        return;
    };
    if widget.round_sending.get_untracked() {
        return;
    }
    widget.round_sending.set(true);
    push(widget).await;
    // Kept before it is sent, with the round on screen: a press the network
    // does not carry is made again, unchanged, on a later tick or page.
    let Some(press) = widget
        .table_cart
        .try_update(|kept| {
            kept.as_mut().map(|kept| RoundPress {
                code,
                visit_id: kept.visit_id.clone(),
                request: kept.press(),
            })
        })
        .flatten()
    else {
        widget.round_sending.set(false);
        return;
    };
    save(widget);
    match api::send_round(&table, &press).await {
        Ok(sent) => {
            // `not_yet`: this phone's changes are still on their way; the
            // press stays and is made again on the next tick.
            if !matches!(sent.outcome, RoundOutcome::NotYet { .. }) {
                answered(widget);
            }
            adopt(
                widget,
                CartState {
                    visit_id: sent.visit_id,
                    cart: sent.cart,
                },
            )
            .await;
        }
        Err(ApiError::Refused(ProblemType::VisitEnded)) => spawn_local(rejoin(widget)),
        Err(ApiError::Refused(kind)) => {
            answered(widget);
            say(
                widget,
                i18n::problem_text(widget.language.get_untracked(), Some(kind)),
            );
        }
        Err(_) => {
            widget.reachable.set(Some(false));
            say(
                widget,
                words(widget.language.get_untracked()).table_cart.waiting,
            );
        }
    }
    widget.round_sending.set(false);
}

/// The press was answered: a new one will name the round then on screen.
fn answered(widget: Widget) {
    widget.table_cart.update(|kept| {
        if let Some(kept) = kept {
            kept.answered();
        }
    });
    save(widget);
}

/// Whether a press waits for an answer (tracked: the button says so).
pub fn press_waiting(widget: Widget) -> bool {
    widget
        .table_cart
        .with(|kept| kept.as_ref().is_some_and(|kept| kept.press.is_some()))
}

/// Pushes the queue in order, a batch at a time, until it is empty or the
/// network fails. One push at a time: a second caller returns at once.
async fn push(widget: Widget) {
    let Some((table, code)) = widget.table_link() else {
        return;
    };
    if widget.table_cart_pushing.get_value() {
        return;
    }
    widget.table_cart_pushing.set_value(true);
    while let Some((visit_id, mutations)) = widget.table_cart.with_untracked(|kept| {
        kept.as_ref()
            .map(|kept| (kept.visit_id.clone(), kept.cart.to_send()))
            .filter(|(_, mutations)| !mutations.is_empty())
    }) {
        let sent = mutations.len();
        let push = CartPush {
            code: code.clone(),
            visit_id,
            mutations,
        };
        match api::push_table_cart(&table, &push).await {
            Ok(state) => {
                widget.reachable.set(Some(true));
                let before = waiting(widget);
                adopt(widget, state).await;
                // The server answered none of them (it cannot, unless the
                // queue lost its place): wait for the stream or the tick.
                if waiting(widget) + sent > before {
                    break;
                }
            }
            Err(ApiError::Refused(ProblemType::VisitEnded)) => {
                // On its own task: joining pushes again.
                spawn_local(rejoin(widget));
                break;
            }
            Err(ApiError::Refused(kind)) => {
                say(
                    widget,
                    i18n::problem_text(widget.language.get_untracked(), Some(kind)),
                );
                break;
            }
            Err(_) => {
                widget.reachable.set(Some(false));
                break;
            }
        }
    }
    widget.table_cart_pushing.set_value(false);
}

/// The table was cleared: scan again (which opens the next visit where a
/// scan may) and join its cart; the ended visit's unsent changes are dropped
/// and the diner is told.
async fn rejoin(widget: Widget) {
    if let Some((table, code)) = widget.table_link() {
        let _ = api::scan_table(&table, &code).await;
    }
    join(widget).await;
}

fn waiting(widget: Widget) -> usize {
    widget
        .table_cart
        .with_untracked(|kept| kept.as_ref().map_or(0, |kept| kept.cart.pending().len()))
}

/// Makes a change on the phone (shown at once), keeps it, then sends it.
fn change(widget: Widget, make: impl FnOnce(&PhoneCart) -> Change) {
    let made = widget.table_cart.try_update(|kept| {
        let kept = kept.as_mut()?;
        let change = make(&kept.cart);
        kept.cart.apply_local(change, now()).ok()
    });
    if made.flatten().is_some() {
        save(widget);
        spawn_local(push(widget));
    } else {
        say(
            widget,
            words(widget.language.get_untracked())
                .table_cart
                .change_refused,
        );
    }
}

/// Takes the table's state from the server, tells the diner what its
/// answers mean, and keeps the result.
async fn adopt(widget: Widget, state: CartState) {
    let phone = PhoneId::new(device_id());
    let (dropped, notices) = widget
        .table_cart
        .try_update(|kept| match kept {
            Some(kept) => {
                let dropped = kept.on_table_state(&state.visit_id, state.cart);
                (dropped, kept.cart.take_notices())
            }
            None => {
                *kept = Some(VisitCart {
                    visit_id: state.visit_id,
                    cart: PhoneCart::new(phone, remembered_diner(), state.cart),
                    press: None,
                });
                (false, Vec::new())
            }
        })
        .unwrap_or_default();
    remember_last_round(widget);
    let language = widget.language.get_untracked();
    let table_words = &words(language).table_cart;
    if dropped {
        say(widget, table_words.cleared);
    }
    for notice in notices {
        match notice {
            Notice::Rejected { .. } => say(widget, table_words.change_refused),
            Notice::MovedToLaterRound { .. } => say(widget, table_words.moved_to_next_round),
            Notice::LineExpired(_) => say(widget, table_words.expired),
            Notice::RoundSent(round) => {
                if let Some(order) = round.order {
                    let sent_by = diner_label(&round.sent_by);
                    say(
                        widget,
                        &table_words
                            .sent_by
                            .replace("{name}", &sent_by)
                            .replace("{number}", &order.number.to_string()),
                    );
                }
            }
        }
    }
    save(widget);
    spawn_local(follow_rounds(widget));
}

/// The table's last round is followed on this page whether or not the
/// page heard it being sent (a page opened, or reloaded, after it was).
fn remember_last_round(widget: Widget) {
    let Some((order, sent_by)) = widget.table_cart.with_untracked(|kept| {
        let round = kept.as_ref()?.cart.snapshot().last_round.as_ref()?;
        Some((round.order.clone()?, diner_label(&round.sent_by)))
    }) else {
        return;
    };
    widget.rounds.update(|rounds| {
        if !rounds.iter().any(|known| known.order == order) {
            rounds.push(RoundView {
                order,
                sent_by,
                status: None,
            });
        }
    });
}

/// Reads the status of each round's order not yet final.
async fn follow_rounds(widget: Widget) {
    let open: Vec<String> = widget.rounds.with_untracked(|rounds| {
        rounds
            .iter()
            .filter(|round| !round.status.is_some_and(OrderStatus::is_final))
            .map(|round| round.order.id.clone())
            .collect()
    });
    for id in open {
        if let Ok(order) = api::order(&id).await {
            widget.rounds.update(|rounds| {
                if let Some(round) = rounds.iter_mut().find(|round| round.order.id == id) {
                    round.status = Some(order.status);
                }
            });
        }
    }
}

fn save(widget: Widget) {
    let (Some(store), Some((table, _))) = (widget.store(), widget.table_link()) else {
        return;
    };
    let Some(kept) = widget.table_cart.get_untracked() else {
        return;
    };
    spawn_local(async move {
        if let Err(error) = store.save_table_cart(&table, &kept).await {
            widget.show_store_error(&error);
        }
    });
}

/// One live stream for the whole table: every change anyone makes.
fn listen(widget: Widget, table: &str, code: &str) {
    if widget.table_cart_stream.with_value(Option::is_some) {
        return;
    }
    let Ok(source) = EventSource::new(&api::table_cart_events_path(table, code)) else {
        return;
    };
    let on_cart = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(data) = event.data().as_string() else {
            return;
        };
        if let Ok(state) = serde_json::from_str::<CartState>(&data) {
            spawn_local(adopt(widget, state));
        }
    });
    let on_open = Closure::<dyn Fn()>::new(move || {
        widget.reachable.set(Some(true));
        spawn_local(push(widget));
    });
    let listening = source
        .add_event_listener_with_callback("cart", on_cart.as_ref().unchecked_ref())
        .and_then(|()| {
            source.add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref())
        });
    if listening.is_ok() {
        // The page keeps one stream for the table as long as it is open.
        on_cart.forget();
        on_open.forget();
        widget.table_cart_stream.set_value(Some(source));
    }
}

/// One portion of `item_id` with `options`, priced from the menu shown,
/// as the table's total shows it (the server prices the round again).
fn unit_price(menu: &Menu, item_id: &str, options: &[String]) -> Option<i64> {
    let line = OrderLine {
        item_id: item_id.to_owned(),
        qty: 1,
        options: options.to_vec(),
        note: None,
    };
    price_line(menu, &line).map(|priced| priced.line_total_minor)
}

/// The diner as the table sees them: the remembered name, and an emoji.
fn remembered_diner() -> Diner {
    let name = LocalStorage::get::<String>(DINER_KEY).unwrap_or_default();
    let pick = device_id()
        .bytes()
        .fold(0usize, |sum, byte| sum + usize::from(byte));
    Diner::new(name, EMOJI[pick % EMOJI.len()])
}

/// "🐼 小王", or the emoji alone.
pub fn diner_label(diner: &Diner) -> String {
    format!("{} {}", diner.emoji, diner.name).trim().to_owned()
}

fn say(widget: Widget, text: &str) {
    widget.table_cart_notices.update(|shown| {
        shown.retain(|said| said != text);
        shown.push(text.to_owned());
        let extra = shown.len().saturating_sub(SHOWN_NOTICES);
        shown.drain(..extra);
    });
}

fn now() -> time::OffsetDateTime {
    crate::delivery::clock::now()
}
