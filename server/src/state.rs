//! What every handler shares.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use anyhow::Context;
use tokio::sync::watch;

use crate::admission::Admission;
use crate::auth::{Gate, Tokens};
use crate::cashier::Cashier;
use crate::config::Config;
use crate::dashboard::IntakeCounts;
use crate::idempotency::InFlight;
use crate::kitchen::age::AgeThresholds;
use crate::kitchen::controls::KitchenControls;
use crate::limits::{EventStreamLimits, OrderRateLimits};
use crate::menu::PublishedMenu;
use crate::metrics::Metrics;
use crate::payments::PaymentProviders;
use crate::storage::{EventBus, KitchenStore, Storage};
use crate::tables::visits::VisitOpening;

/// Cloned for every request (axum's `State`, the latency middleware), so it
/// is one `Arc`: a clone is one reference-count change, not one per field,
/// which under load on several cores is contended cache-line traffic.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    menus: RwLock<Menus>,
    pub storage: Storage,
    pub in_flight: InFlight,
    pub admission: Admission,
    pub metrics: Arc<Metrics>,
    pub events: EventBus,
    pub order_limits: Arc<OrderRateLimits>,
    pub stream_limits: EventStreamLimits,
    /// Whether the client address comes from `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// Staff credentials: the tokens, their sessions, failed attempts.
    pub gate: Arc<Gate>,
    /// When the display colours a ticket's age.
    pub age_thresholds: AgeThresholds,
    /// Who opens a table's visit (`--table-visits`).
    pub visit_opening: VisitOpening,
    /// `--table-cart`: whether the table's phones share one cart.
    pub table_cart: crate::tables::visits::TableCart,
    /// `--cart-line-ttl-secs`: when an untouched line of a table's cart expires.
    pub cart_line_ttl_secs: u32,
    /// The kitchen's switches as last read from the database.
    controls: RwLock<KitchenControls>,
    /// Where diners reach the widget (`--public-url`), for QR codes.
    pub public_url: Arc<str>,
    /// 409s, replays and 503s per minute, persisted for the dashboard.
    pub intake_counts: IntakeCounts,
    /// Takes orders' payments: the providers this restaurant enabled, and
    /// the one door every payment update goes through.
    pub cashier: Arc<Cashier>,
    /// Becomes true when the server is stopping: long-lived streams end so
    /// that the graceful shutdown is not held open by them.
    pub stopping: watch::Receiver<bool>,
}

/// What the `Kitchen` and `Admin` guards need of the state.
impl axum::extract::FromRef<AppState> for Arc<Gate> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.gate)
    }
}

/// The current menu and the versions published before it since start, so a
/// `menu-changed` answer can say which lines changed.
struct Menus {
    /// The menu file, before the kitchen's sold-out marks.
    base: wendan_protocol::Menu,
    current: Arc<PublishedMenu>,
    by_version: HashMap<String, Arc<PublishedMenu>>,
}

impl AppState {
    pub async fn open(
        config: &Config,
        payments: PaymentProviders,
        stopping: watch::Receiver<bool>,
    ) -> anyhow::Result<Self> {
        // Before anything is opened: a server that would let anyone in with
        // an empty token does not start.
        let tokens = Tokens::configured(config.kitchen_token(), config.admin_token(), config.demo)?;
        let menu = match &config.menu {
            Some(path) => PublishedMenu::from_file(path),
            None => PublishedMenu::demo(),
        }
        .context("cannot load the menu")?;
        let metrics = Metrics::new();
        let batch_metrics = Arc::clone(&metrics);
        let events = EventBus::default();
        let storage = Storage::open(
            &config.database,
            events.clone(),
            Arc::new(move |size| batch_metrics.commit_batch_size.observe(size as f64)),
        )
        .await
        .with_context(|| format!("cannot open the database {}", config.database))?;
        let gate = Arc::new(Gate::new(
            tokens,
            storage.clone(),
            config.limits.wrong_tokens_per_address_per_minute,
            &config.public_url(),
            config.limits.trust_forwarded_for,
        ));
        let age_thresholds =
            AgeThresholds::from_minutes(config.kitchen_warn_minutes, config.kitchen_late_minutes)?;
        let base = menu.menu.clone();
        let current = Arc::new(menu);
        let by_version = HashMap::from([(current.menu.version.clone(), Arc::clone(&current))]);
        let admission = Admission::new(config.max_pending_orders);
        let stream_limits = EventStreamLimits::new(
            config.limits.max_event_streams,
            config.limits.max_event_streams_per_address,
        );
        let in_intake = admission.clone();
        metrics.sample(
            "orders_in_intake",
            "Order requests being handled now (shed past --max-pending-orders)",
            move || in_intake.busy() as i64,
        );
        let streams = stream_limits.clone();
        metrics.sample(
            "event_streams_open",
            "Live status and kitchen event streams open now",
            move || streams.open_streams() as i64,
        );
        metrics.sample_storage(&storage);
        let storage_for_cashier = storage.clone();
        let state = Self(Arc::new(Shared {
            menus: RwLock::new(Menus {
                base,
                current,
                by_version,
            }),
            storage,
            in_flight: InFlight::default(),
            admission,
            metrics,
            events,
            order_limits: Arc::new(OrderRateLimits::new(
                config.limits.orders_per_address_per_minute,
                config.limits.orders_per_device_per_minute,
            )),
            stream_limits,
            trust_forwarded_for: config.limits.trust_forwarded_for,
            gate,
            age_thresholds,
            visit_opening: config.table_visits,
            table_cart: config.table_cart,
            cart_line_ttl_secs: config.cart_line_ttl_secs,
            controls: RwLock::new(KitchenControls::default()),
            public_url: Arc::from(config.public_url()),
            intake_counts: IntakeCounts::default(),
            cashier: Arc::new(Cashier::new(Arc::new(payments), storage_for_cashier)),
            stopping,
        }));
        state
            .reload_controls()
            .await
            .context("cannot read the kitchen's switches")?;
        tokio::spawn(follow_controls(state.clone()));
        Ok(state)
    }

    /// The menu as published right now.
    pub fn menu(&self) -> Arc<PublishedMenu> {
        Arc::clone(&self.read_menus().current)
    }

    /// A menu version published earlier, if this process still knows it.
    pub fn menu_version(&self, version: &str) -> Option<Arc<PublishedMenu>> {
        self.read_menus().by_version.get(version).cloned()
    }

    /// The restaurant's message while intake is paused.
    pub fn paused(&self) -> Option<String> {
        self.controls().paused
    }

    /// The kitchen's switches as this process last read them.
    pub fn controls(&self) -> KitchenControls {
        self.controls
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Re-reads the switches from the database and republishes the menu
    /// with the sold-out marks: a new content, so a new version and ETag.
    pub async fn reload_controls(&self) -> Result<KitchenControls, crate::storage::StorageError> {
        let controls = self.storage.controls().await?;
        // The pause first: whoever sees the new menu also sees the pause.
        *self
            .controls
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = controls.clone();
        {
            let mut menus = self
                .menus
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            match PublishedMenu::publish(controls.apply_to(&menus.base)) {
                Ok(published) => {
                    let published = Arc::new(published);
                    menus
                        .by_version
                        .insert(published.menu.version.clone(), Arc::clone(&published));
                    menus.current = published;
                }
                // Marks only flip `sold_out`, which cannot break a menu that
                // loaded; if it ever did, the previous menu stays.
                Err(error) => tracing::error!(%error, "cannot publish the marked menu"),
            }
        }
        Ok(controls)
    }

    fn read_menus(&self) -> std::sync::RwLockReadGuard<'_, Menus> {
        // A poisoned lock only means a writer panicked; every write replaces
        // whole `Arc`s, so what is inside is still consistent.
        self.menus
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Re-reads the switches whenever any replica changes them, until stopping.
async fn follow_controls(state: AppState) {
    let mut changes = state.events.subscribe_controls();
    let stopping = stopped(state.stopping.clone());
    tokio::pin!(stopping);
    loop {
        tokio::select! {
            () = &mut stopping => return,
            received = changes.recv() => {
                if let Err(tokio::sync::broadcast::error::RecvError::Closed) = received {
                    return;
                }
                // A lagged receiver re-reads too: the database has the truth.
                if let Err(error) = state.reload_controls().await {
                    tracing::warn!(error = &error as &dyn std::error::Error, "cannot re-read the kitchen's switches");
                }
            }
        }
    }
}

/// Resolves once the server starts stopping.
pub async fn stopped(mut stopping: watch::Receiver<bool>) {
    // An error means the sender is gone: the server is stopping anyway.
    let _ = stopping.wait_for(|stopping| *stopping).await;
}
