//! What every handler shares.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use anyhow::Context;
use tokio::sync::watch;

use crate::admission::Admission;
use crate::config::Config;
use crate::dashboard::IntakeCounts;
use crate::idempotency::InFlight;
use crate::menu::PublishedMenu;
use crate::metrics::Metrics;
use crate::storage::{EventBus, Storage};

#[derive(Clone)]
pub struct AppState {
    menus: Arc<RwLock<Menus>>,
    pub storage: Storage,
    pub in_flight: InFlight,
    pub admission: Admission,
    pub metrics: Arc<Metrics>,
    pub events: EventBus,
    pub kitchen_token: Option<Arc<str>>,
    pub admin_token: Option<Arc<str>>,
    /// Where diners reach the widget (`--public-url`), for QR codes.
    pub public_url: Arc<str>,
    /// 409s, replays and 503s per minute, persisted for the dashboard.
    pub intake_counts: IntakeCounts,
    paused: Arc<RwLock<Option<String>>>,
    /// Becomes true when the server is stopping: long-lived streams end so
    /// that the graceful shutdown is not held open by them.
    pub stopping: watch::Receiver<bool>,
}

/// The current menu and the versions published before it since start, so a
/// `menu-changed` answer can say which lines changed.
struct Menus {
    current: Arc<PublishedMenu>,
    by_version: HashMap<String, Arc<PublishedMenu>>,
}

impl AppState {
    pub async fn open(config: &Config, stopping: watch::Receiver<bool>) -> anyhow::Result<Self> {
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
        let current = Arc::new(menu);
        let by_version = HashMap::from([(current.menu.version.clone(), Arc::clone(&current))]);
        Ok(Self {
            menus: Arc::new(RwLock::new(Menus {
                current,
                by_version,
            })),
            storage,
            in_flight: InFlight::default(),
            admission: Admission::new(config.max_pending_orders),
            metrics,
            events,
            kitchen_token: config.kitchen_token().map(Arc::from),
            admin_token: config.admin_token().map(Arc::from),
            public_url: Arc::from(config.public_url()),
            intake_counts: IntakeCounts::default(),
            paused: Arc::new(RwLock::new(None)),
            stopping,
        })
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
        self.paused
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn read_menus(&self) -> std::sync::RwLockReadGuard<'_, Menus> {
        // A poisoned lock only means a writer panicked; every write replaces
        // whole `Arc`s, so what is inside is still consistent.
        self.menus
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Resolves once the server starts stopping.
pub async fn stopped(mut stopping: watch::Receiver<bool>) {
    // An error means the sender is gone: the server is stopping anyway.
    let _ = stopping.wait_for(|stopping| *stopping).await;
}
