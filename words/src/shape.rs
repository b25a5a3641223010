//! What every language must say: one struct per part of the product. Each
//! language file fills every field, so a word missing anywhere is a compile
//! error. Every section serializes: the server hands the kitchen's and the
//! loader's to their pages, and the tests walk every word of every language.

use serde::Serialize;

/// A sentence with a count, in every plural form a language needs: the
/// platform (`Intl.PluralRules`) picks the form, `{n}` is the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Plural {
    pub one: &'static str,
    pub other: &'static str,
}

impl Plural {
    /// The sentence for `count`, given its CLDR plural category (`one`,
    /// `other`, …) as `Intl.PluralRules.select` names it; forms a language
    /// does not distinguish read as `other`.
    pub fn format(&self, category: &str, count: impl std::fmt::Display) -> String {
        let form = match category {
            "one" => self.one,
            _ => self.other,
        };
        form.replace("{n}", &count.to_string())
    }
}

/// The diner's widget.
#[derive(Serialize)]
pub struct WidgetWords {
    pub loading: &'static str,
    pub cart: &'static str,
    pub cart_empty: &'static str,
    pub total: &'static str,
    pub add: &'static str,
    pub sold_out: &'static str,
    pub required: &'static str,
    pub optional: &'static str,
    pub choose_up_to: &'static str,
    pub note: &'static str,
    pub order_note: &'static str,
    pub quantity: &'static str,
    pub remove: &'static str,
    pub checkout: &'static str,
    pub review: &'static str,
    pub back: &'static str,
    pub place_order: &'static str,
    pub dine_in_at_table: &'static str,
    pub pickup_name: &'static str,
    pub my_orders: &'static str,
    pub no_orders: &'static str,
    pub reference: &'static str,
    pub placed_at: &'static str,
    pub online: &'static str,
    pub offline: &'static str,
    pub waiting_to_send: Plural,
    pub menu_updated: &'static str,
    pub storage_fallback: &'static str,
    pub close: &'static str,
    pub categories: &'static str,
    pub edit_and_send_again: &'static str,
    pub confirm_new_total: &'static str,
    pub order_again: &'static str,
    /// The language picker's label.
    pub language: &'static str,
    pub update_available: &'static str,
    pub ready_banner: &'static str,
    pub notify_me: &'static str,
    pub stages: StageWords,
    pub payment: PaymentWords,
    pub bill: BillWords,
    pub calls: CallWords,
    pub table_cart: TableCartWords,
    pub store_errors: StoreErrorWords,
    pub place_errors: PlaceErrorWords,
    pub menu_errors: MenuErrorWords,
    pub refusals: RefusalWords,
    pub violations: ViolationWords,
    pub tags: TagWords,
}

/// Where a diner's order is: on the phone, on its way, at the restaurant.
#[derive(Serialize)]
pub struct StageWords {
    pub saved: &'static str,
    pub sending: &'static str,
    pub awaiting_payment: &'static str,
    pub received: &'static str,
    pub preparing: &'static str,
    pub ready: &'static str,
    pub completed: &'static str,
    pub cancelled: &'static str,
    pub rejected: &'static str,
    pub price_changed: &'static str,
    pub expired: &'static str,
}

/// The payment step of an order, and the receipt's payment line. Each
/// state's sentence is what the diner reads while the phone is in it; the
/// one for `pending` is what stands between a diner and paying twice.
#[derive(Serialize)]
pub struct PaymentWords {
    /// The button (automation contract: "Pay" / "支付").
    pub pay: &'static str,
    pub pay_with: &'static str,
    pub wechat: &'static str,
    pub alipay: &'static str,
    pub stripe: &'static str,
    pub counter_choice: &'static str,
    pub unpaid: &'static str,
    pub pending: &'static str,
    pub paid: &'static str,
    pub failed: &'static str,
    pub refunded: &'static str,
    pub counter: &'static str,
    pub reference: &'static str,
    pub sandbox: &'static str,
    /// "Pay" reached nobody, or was refused: nothing was charged.
    pub could_not_start: &'static str,
    /// The provider's page opened in a new window (the widget is embedded).
    pub opened_elsewhere: &'static str,
    /// No way to pay from this page (a channel the page cannot start).
    pub not_here: &'static str,
    /// A WeChat Moments snapshot of the page cannot pay: open it fully.
    pub wechat_snapshot: &'static str,
}

/// The table's bill (本桌账单), which every phone at the table reads.
#[derive(Serialize)]
pub struct BillWords {
    pub heading: &'static str,
    /// Reads (or re-reads) the bill from the restaurant.
    pub show: &'static str,
    pub total: &'static str,
    /// What the table still has to pay.
    pub owed: &'static str,
    pub all_paid: &'static str,
    /// Nothing ordered at the table since it was last cleared.
    pub nothing_yet: &'static str,
    /// How the bill is settled while online bill payment is not offered.
    pub pay_at_counter: &'static str,
    pub could_not_load: &'static str,
}

/// Service for the table: 呼叫服务员 and 催单 (automation contract: the
/// buttons "Call staff" / "呼叫服务员" and "Hurry" / "催单").
#[derive(Serialize)]
pub struct CallWords {
    pub call_staff: &'static str,
    pub hurry: &'static str,
    /// The question above the reasons.
    pub what_for: &'static str,
    pub water: &'static str,
    pub broth: &'static str,
    pub bill: &'static str,
    pub other: &'static str,
    /// The call reached the restaurant.
    pub called: &'static str,
    /// The call waits on the phone for the network.
    pub waiting: &'static str,
    /// The hurry reached the kitchen.
    pub hurried: &'static str,
}

/// The table's shared cart (多人点餐): one cart for every phone at the table.
#[derive(Serialize)]
pub struct TableCartWords {
    pub heading: &'static str,
    pub empty: &'static str,
    /// The button that sends the table's cart to the kitchen as one order.
    pub send: &'static str,
    pub sending: &'static str,
    pub total: &'static str,
    /// The field for the name the table sees beside this phone's dishes.
    pub your_name: &'static str,
    /// Who added a line: "added by {name}".
    pub added_by: &'static str,
    /// "{name}" sent round's order "{number}".
    pub sent_by: &'static str,
    /// This phone's changes wait on the phone for the network.
    pub waiting: &'static str,
    /// A change of this phone's reached the server after the round it was
    /// made for had gone: it is in the next round.
    pub moved_to_next_round: &'static str,
    /// The server did not make a change of this phone's (the dish was
    /// removed or sent, or it is someone else's to change).
    pub change_refused: &'static str,
    /// A line nobody sent for the table's time was taken out.
    pub expired: &'static str,
    /// The table was cleared: the cart starts again for the next party.
    pub cleared: &'static str,
}

/// What went wrong with the phone's storage, and what it means for orders.
#[derive(Serialize)]
pub struct StoreErrorWords {
    pub unavailable: &'static str,
    pub quota: &'static str,
    pub corrupt: &'static str,
    pub already_placed: &'static str,
    pub cart_changed: &'static str,
    pub failed: &'static str,
}

/// Why "Place order" saved nothing.
#[derive(Serialize)]
pub struct PlaceErrorWords {
    pub no_storage: &'static str,
    pub no_menu: &'static str,
    pub no_random_source: &'static str,
}

/// Why the menu could not be loaded.
#[derive(Serialize)]
pub struct MenuErrorWords {
    /// The last menu saved on the phone is shown: ordering still works.
    pub showing_saved: &'static str,
    pub not_loaded: &'static str,
}

/// Why the restaurant refused an order (by problem type).
#[derive(Serialize)]
pub struct RefusalWords {
    pub invalid_order: &'static str,
    pub restaurant_closed: &'static str,
    pub menu_changed: &'static str,
    pub order_expired: &'static str,
    pub key_reused: &'static str,
    /// A dine-in order with a missing, wrong or replaced table code.
    pub table_code_refused: &'static str,
    /// Staff open tables as they seat diners, and have not opened this one.
    pub table_not_open: &'static str,
    pub other: &'static str,
}

/// A line-level refusal (`FieldError::code`).
#[derive(Serialize)]
pub struct ViolationWords {
    pub sold_out: &'static str,
    pub not_on_menu: &'static str,
    pub quantity: &'static str,
    pub too_few_options: &'static str,
    pub too_many_options: &'static str,
    pub note_too_long: &'static str,
    pub table_missing: &'static str,
    pub unknown_table: &'static str,
    pub table_not_allowed: &'static str,
    pub pickup_name_missing: &'static str,
    pub pickup_name_not_allowed: &'static str,
    pub device_id_invalid: &'static str,
    pub device_clock_wrong: &'static str,
    pub other: &'static str,
}

/// Dietary tags and allergens, by their menu code.
#[derive(Serialize)]
pub struct TagWords {
    pub spicy: &'static str,
    pub signature: &'static str,
    pub vegetarian: &'static str,
    pub vegan: &'static str,
    pub popular: &'static str,
    pub new: &'static str,
    pub gluten: &'static str,
    pub soy: &'static str,
    pub peanut: &'static str,
    pub sesame: &'static str,
    pub shellfish: &'static str,
    pub fish: &'static str,
    pub egg: &'static str,
    pub milk: &'static str,
    pub tree_nut: &'static str,
    pub celery: &'static str,
}

/// The admin pages (dashboard, tables, login).
#[derive(Serialize)]
pub struct AdminWords {
    /// The language picker's label.
    pub language: &'static str,
    pub admin: &'static str,
    pub dashboard: &'static str,
    pub tables: &'static str,
    pub log_out: &'static str,
    pub log_in: &'static str,
    pub token: &'static str,
    pub wrong_token: &'static str,
    pub held_back: &'static str,
    pub login_hint: &'static str,
    pub day: &'static str,
    pub show: &'static str,
    pub previous_day: &'static str,
    pub next_day: &'static str,
    pub no_orders: &'static str,
    pub orders: &'static str,
    pub peak: &'static str,
    pub per_minute: &'static str,
    pub delivery_delay: &'static str,
    pub delivery_delay_hint: &'static str,
    pub delayed: &'static str,
    pub ticket_time: &'static str,
    pub ticket_time_hint: &'static str,
    pub replays: &'static str,
    pub replays_hint: &'static str,
    pub conflicts: &'static str,
    pub conflicts_hint: &'static str,
    pub shed: &'static str,
    pub shed_hint: &'static str,
    pub orders_per_minute: &'static str,
    pub median: &'static str,
    pub slowest: &'static str,
    pub seconds: &'static str,
    pub minutes: &'static str,
    pub count: &'static str,
    pub times_note: &'static str,
    pub table_id: &'static str,
    pub label: &'static str,
    pub seats: &'static str,
    pub add_table: &'static str,
    pub delete: &'static str,
    /// Replaces a table's secret code: its old QR code stops taking orders.
    pub new_code: &'static str,
    pub new_code_hint: &'static str,
    /// A move to a table id the restaurant does not have.
    pub no_such_table: &'static str,
    pub no_tables: &'static str,
    pub print_hint: &'static str,
    pub scan_to_order: &'static str,
    pub qr_code: &'static str,
    pub payments: AdminPaymentWords,
}

/// The dashboard's payments section: a day's payments, their states, and
/// the ones the server's own query had to repair. One word per payment
/// state (`wendan_payments::PaymentState`) and per provider.
#[derive(Serialize)]
pub struct AdminPaymentWords {
    pub title: &'static str,
    pub hint: &'static str,
    pub none: &'static str,
    pub by_state: &'static str,
    pub state: &'static str,
    pub count: &'static str,
    pub captured: &'static str,
    pub refunded_total: &'static str,
    pub repaired: &'static str,
    pub repaired_hint: &'static str,
    pub latest: &'static str,
    /// Before "shown / all", under the list.
    pub listed: &'static str,
    pub order: &'static str,
    pub provider: &'static str,
    pub amount: &'static str,
    pub reference: &'static str,
    pub settled_by: &'static str,
    pub by_notification: &'static str,
    pub by_query: &'static str,
    pub by_close: &'static str,
    pub by_counter: &'static str,
    pub unpaid: &'static str,
    pub pending: &'static str,
    pub paid: &'static str,
    pub failed: &'static str,
    pub closed: &'static str,
    pub refund_pending: &'static str,
    pub refunded: &'static str,
    pub counter: &'static str,
    pub wechat: &'static str,
    pub alipay: &'static str,
    pub stripe: &'static str,
    pub at_counter: &'static str,
}

/// The kitchen display: its own chrome, the statuses and the buttons. The
/// server hands all of it to the page (`kitchen.js` keeps no words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KitchenWords {
    pub page: KitchenPageWords,
    pub tables: KitchenTableWords,
    pub calls: KitchenCallWords,
    pub statuses: KitchenStatusWords,
    pub actions: KitchenActionWords,
}

/// The kitchen page's chrome, keyed as `kitchen.js` reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KitchenPageWords {
    pub title: &'static str,
    pub tickets: &'static str,
    pub no_tickets: &'static str,
    pub all_day: &'static str,
    pub keys: &'static str,
    pub undo: &'static str,
    pub undo_number: &'static str,
    pub sound_on: &'static str,
    pub sound_off: &'static str,
    pub pause: &'static str,
    pub resume: &'static str,
    pub sold_out: &'static str,
    /// The language picker's label.
    pub language: &'static str,
    pub login: &'static str,
    pub token: &'static str,
    pub log_in: &'static str,
    pub wrong_token: &'static str,
    pub cancel_reason: &'static str,
    pub cancel_order: &'static str,
    pub back: &'static str,
    pub pause_title: &'static str,
    pub pause_message: &'static str,
    pub pause_intake: &'static str,
    pub pause_default: &'static str,
    pub paused_banner: &'static str,
    pub close: &'static str,
    pub connecting: &'static str,
    pub live: &'static str,
    pub lost: &'static str,
    pub cancel_title: &'static str,
    pub add_on: &'static str,
    pub table: &'static str,
    pub pickup: &'static str,
    pub order_note: &'static str,
    pub allergy: &'static str,
    pub failed: &'static str,
    pub available: &'static str,
    pub marked_sold_out: &'static str,
    /// Pay-first orders not yet paid: for the counter, not the cooks.
    pub waiting_for_payment: &'static str,
    /// Staff took the money at the counter: the order goes to the kitchen.
    pub mark_paid: &'static str,
    /// The diner is paying online: staff must not take money too.
    pub paying_online: &'static str,
    pub pays_at_counter: &'static str,
    pub not_paid: &'static str,
}

/// The display's open tables (开台 → 清台) and their bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KitchenTableWords {
    pub heading: &'static str,
    pub none_open: &'static str,
    /// Opens a table by hand (as the party is seated).
    pub open_table: &'static str,
    /// Which table to open.
    pub table_to_open: &'static str,
    /// The party left: the table is free again (清台).
    pub clear: &'static str,
    /// The party moves to another table (换桌).
    pub move_to: &'static str,
    /// Which table the party moves to.
    pub move_where: &'static str,
    /// Take what is owed at the counter and clear the table.
    pub settle: &'static str,
    pub owed: &'static str,
    pub paid_up: &'static str,
    pub open_since: &'static str,
    /// How many orders (rounds) the party sent.
    pub rounds: &'static str,
    /// A move to a table that has its own party.
    pub table_taken: &'static str,
    /// Settling refused: a diner is paying one of the orders online.
    pub paying_online_now: &'static str,
}

/// Tables' calls on the kitchen display, each reason keyed by its wire word
/// (`CallReason::as_str`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KitchenCallWords {
    pub heading: &'static str,
    /// Staff answered the call: it leaves every display.
    pub done: &'static str,
    pub hurry: &'static str,
    pub water: &'static str,
    pub broth: &'static str,
    pub bill: &'static str,
    pub other: &'static str,
}

/// A status badge on a ticket, keyed by the status's wire name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KitchenStatusWords {
    pub awaiting_payment: &'static str,
    pub received: &'static str,
    pub preparing: &'static str,
    pub ready: &'static str,
    pub completed: &'static str,
    pub cancelled: &'static str,
}

/// A ticket's button, keyed by the action's wire name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KitchenActionWords {
    pub start: &'static str,
    pub bump: &'static str,
    pub complete: &'static str,
    pub recall: &'static str,
    pub cancel: &'static str,
}

/// The loader restaurants put on their own sites (`embed.js`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LoaderWords {
    /// The floating button's label, unless the site sets `data-label`.
    pub order: &'static str,
    pub close: &'static str,
}
