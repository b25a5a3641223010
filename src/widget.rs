//! The widget's shared state, wrapped in signals at the edge: plain domain
//! values (cart, outbox entries, menu) that the components read and change.

use std::collections::BTreeMap;

use leptos::prelude::*;
use wendan_outbox::OutboxEntry;
use wendan_payments::wire::{PaymentOptions, PaymentView};
use wendan_protocol::OrderStatus;
use wendan_tablecart::{CallQueue, RoundOrder, VisitCart};
use wendan_words::Language;

use crate::cart::Cart;
use crate::errors::{PayError, StoreError};
use crate::i18n::store_error_text;
use crate::store::{CachedMenu, Store};

/// A round the table sent, with its order as the table follows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundView {
    pub order: RoundOrder,
    /// "🐼 小王": who pressed "Send to kitchen".
    pub sent_by: String,
    /// `None` until first read.
    pub status: Option<OrderStatus>,
}

/// Everything the components share, passed through context.
#[derive(Clone, Copy)]
pub struct Widget {
    pub language: RwSignal<Language>,
    pub menu: RwSignal<Option<CachedMenu>>,
    pub cart: RwSignal<Cart>,
    pub orders: RwSignal<Vec<OutboxEntry>>,
    /// The table from `?table=`, shown and locked; pickup when absent.
    pub table: RwSignal<Option<String>>,
    /// The table's secret from `?code=`, kept with the table and sent with
    /// each dine-in order: the server takes no order for a table without it.
    pub table_code: RwSignal<Option<String>>,
    /// Whether the server answered lately: `None` before any contact.
    pub reachable: RwSignal<Option<bool>>,
    /// A problem the diner must know about (storage full, blocked, corrupt).
    pub notice: RwSignal<Option<String>>,
    pub store: StoredValue<Option<Store>, LocalStorage>,
    /// Whether the stored cart has been read: until then a change stays on
    /// screen only and is added to the stored cart when it arrives
    /// (`actions::reload_cart`), so an early tap is neither lost nor
    /// overwritten.
    pub cart_loaded: StoredValue<bool>,
    /// The item whose options the diner is choosing, if any.
    pub choosing: RwSignal<Option<String>>,
    /// Bumped to open the cart from elsewhere ("Edit and send again").
    pub open_cart: RwSignal<u32>,
    /// A web-view (`?mode=webview` or a mini-program, see `embed::webview`):
    /// no service worker, the page delivers alone.
    pub webview: bool,
    /// A new version of the widget is installed and waiting.
    pub update_available: RwSignal<bool>,
    /// The last status change the kitchen sent, said in the live region.
    pub announcement: RwSignal<Option<String>>,
    /// Each order's payment as last known, by order id (`payment`).
    pub payments: RwSignal<BTreeMap<String, PaymentView>>,
    /// How this restaurant's diners can pay, once asked.
    pub payment_options: RwSignal<Option<PaymentOptions>>,
    /// Why the last "Pay" did not reach a provider, and for which order.
    pub payment_error: RwSignal<Option<(String, PayError)>>,
    /// The order whose provider page opened in a new window (framed widget).
    pub paying_elsewhere: RwSignal<Option<String>>,
    /// This table's calls for service, kept until acknowledged (`table_service`).
    pub calls: RwSignal<CallQueue>,
    /// This phone's share of the table's cart (`table_cart`); `None` where
    /// each phone keeps its own cart (pickup, or the restaurant's choice).
    pub table_cart: RwSignal<Option<VisitCart>>,
    /// Whether the server has said if the table shares a cart.
    pub table_cart_joined: StoredValue<bool>,
    /// A push of the table cart's queue is under way.
    pub table_cart_pushing: StoredValue<bool>,
    /// The table's one live stream, once open.
    pub table_cart_stream: StoredValue<Option<web_sys::EventSource>, LocalStorage>,
    /// "Send to kitchen" is under way (the button is disabled).
    pub round_sending: RwSignal<bool>,
    /// The table's rounds sent since this page opened, with their orders.
    pub rounds: RwSignal<Vec<RoundView>>,
    /// What the table's cart last told this diner, newest last (a few).
    pub table_cart_notices: RwSignal<Vec<String>>,
}

impl Widget {
    pub fn new(
        language: Language,
        table: Option<String>,
        table_code: Option<String>,
        webview: bool,
    ) -> Self {
        Self {
            language: RwSignal::new(language),
            menu: RwSignal::new(None),
            cart: RwSignal::new(Cart::default()),
            orders: RwSignal::new(Vec::new()),
            table: RwSignal::new(table),
            table_code: RwSignal::new(table_code),
            reachable: RwSignal::new(None),
            notice: RwSignal::new(None),
            store: StoredValue::new_local(None),
            cart_loaded: StoredValue::new(false),
            choosing: RwSignal::new(None),
            open_cart: RwSignal::new(0),
            webview,
            update_available: RwSignal::new(false),
            announcement: RwSignal::new(None),
            payments: RwSignal::new(BTreeMap::new()),
            payment_options: RwSignal::new(None),
            payment_error: RwSignal::new(None),
            paying_elsewhere: RwSignal::new(None),
            calls: RwSignal::new(CallQueue::default()),
            table_cart: RwSignal::new(None),
            table_cart_joined: StoredValue::new(false),
            table_cart_pushing: StoredValue::new(false),
            table_cart_stream: StoredValue::new_local(None),
            round_sending: RwSignal::new(false),
            rounds: RwSignal::new(Vec::new()),
            table_cart_notices: RwSignal::new(Vec::new()),
        }
    }

    /// The table's id and code when the page is a table's QR link: what
    /// the table's visit, bill and calls need. Not tracked.
    pub fn table_link(&self) -> Option<(String, String)> {
        Some((
            self.table.get_untracked()?,
            self.table_code.get_untracked()?,
        ))
    }

    /// Whether the page is a table's QR link (tracked, for the views).
    pub fn at_table(&self) -> bool {
        self.table.with(Option::is_some) && self.table_code.with(Option::is_some)
    }

    pub fn store(&self) -> Option<Store> {
        self.store.get_value()
    }

    /// Tells the diner about a storage failure, in their language: it is
    /// never dropped silently.
    pub fn show_store_error(&self, error: &StoreError) {
        let text = store_error_text(self.language.get_untracked(), error);
        self.notice.set(Some(text));
    }
}

/// The widget state from context.
pub fn use_widget() -> Widget {
    expect_context::<Widget>()
}
