//! The widget's shared state, wrapped in signals at the edge: plain domain
//! values (cart, outbox entries, menu) that the components read and change.

use std::collections::BTreeMap;

use leptos::prelude::*;
use wendan_outbox::OutboxEntry;
use wendan_payments::wire::{PaymentOptions, PaymentView};
use wendan_tablecart::CallQueue;
use wendan_words::Language;

use crate::cart::Cart;
use crate::errors::{PayError, StoreError};
use crate::i18n::store_error_text;
use crate::store::{CachedMenu, Store};

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
