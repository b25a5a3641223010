//! Configuration: command-line flags, each with an environment variable fallback.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(name = "wendan-server", version, about = "Wendan order intake server")]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "WENDAN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Where orders are kept: `sqlite://PATH` (created if absent).
    #[arg(
        long,
        env = "WENDAN_DATABASE",
        default_value = "sqlite://wendan.sqlite3"
    )]
    pub database: String,

    /// The restaurant's menu, as JSON in the format of `server/menus/demo-hotpot.json`.
    #[arg(long, env = "WENDAN_MENU", required_unless_present = "demo")]
    pub menu: Option<PathBuf>,

    /// Use the built-in demo menu (a Sichuan hotpot restaurant) instead of `--menu`.
    #[arg(long, env = "WENDAN_DEMO", conflicts_with = "menu")]
    pub demo: bool,

    /// Directory with the built widget (Trunk's `dist/`), served at `/`.
    #[arg(long = "static", env = "WENDAN_STATIC")]
    pub static_dir: Option<PathBuf>,

    /// Bearer token for the kitchen API and display. With `--demo` and no
    /// token, the demo token `demo-kitchen` is used; otherwise the kitchen
    /// API stays locked until one is set.
    #[arg(long, env = "WENDAN_KITCHEN_TOKEN", hide_env_values = true)]
    pub kitchen_token: Option<String>,

    /// Order requests handled at once; past this, intake answers 503 with
    /// Retry-After at once instead of queueing.
    #[arg(long, env = "WENDAN_MAX_PENDING_ORDERS", default_value_t = 4096)]
    pub max_pending_orders: usize,

    /// Embedding in restaurants' sites: `--frame-ancestors`, the brand.
    #[command(flatten)]
    pub embed: crate::embedding::EmbedArgs,
}

/// The kitchen token of the demo restaurant.
pub const DEMO_KITCHEN_TOKEN: &str = "demo-kitchen";

impl Config {
    pub fn kitchen_token(&self) -> Option<&str> {
        match (&self.kitchen_token, self.demo) {
            (Some(token), _) => Some(token),
            (None, true) => Some(DEMO_KITCHEN_TOKEN),
            (None, false) => None,
        }
    }
}
