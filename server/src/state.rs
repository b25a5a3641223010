//! What every handler shares.

use std::sync::{Arc, RwLock};

use anyhow::Context;

use crate::config::Config;
use crate::menu::PublishedMenu;

#[derive(Clone)]
pub struct AppState {
    menu: Arc<RwLock<Arc<PublishedMenu>>>,
}

impl AppState {
    pub fn open(config: &Config) -> anyhow::Result<Self> {
        let menu = match &config.menu {
            Some(path) => PublishedMenu::from_file(path),
            None => PublishedMenu::demo(),
        }
        .context("cannot load the menu")?;
        Ok(Self {
            menu: Arc::new(RwLock::new(Arc::new(menu))),
        })
    }

    /// The menu as published right now.
    pub fn menu(&self) -> Arc<PublishedMenu> {
        // A poisoned lock only means a writer panicked after a complete swap
        // of an `Arc`; the value inside is still whole.
        let guard = self
            .menu
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(&guard)
    }
}
