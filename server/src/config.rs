//! Configuration: command-line flags, each with an environment variable fallback.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// `wendan-server --version`: the release and the commit it was built from
/// (`unknown` outside git; see `build.rs`).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("WENDAN_GIT_COMMIT"),
    ")"
);

#[derive(Debug, Clone, Parser)]
#[command(
    name = "wendan-server",
    version = VERSION,
    about = "Wendan order intake server",
    subcommand_negates_reqs = true
)]
pub struct Config {
    /// Without a command, the server runs.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Address to listen on.
    #[arg(long, env = "WENDAN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Where orders are kept: `sqlite://PATH` (created if absent).
    #[arg(
        long,
        global = true,
        env = "WENDAN_DATABASE",
        default_value = "sqlite://wendan.sqlite3"
    )]
    pub database: String,

    /// How log lines are written: `text` for people, `json` (one object per
    /// line) for log shippers. What is logged is chosen with `RUST_LOG`
    /// (default `info`: one line per request).
    #[arg(
        long,
        global = true,
        env = "WENDAN_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,

    /// The restaurant's menu, as JSON in the format of `server/menus/demo-hotpot.json`.
    #[arg(long, env = "WENDAN_MENU", required_unless_present = "demo")]
    pub menu: Option<PathBuf>,

    /// Use the built-in demo menu (a Sichuan hotpot restaurant) instead of `--menu`.
    #[arg(long, env = "WENDAN_DEMO", conflicts_with = "menu")]
    pub demo: bool,

    /// With `--demo`: seed the last finished lunch (11:00–14:00) with a
    /// made-up rush, so the admin dashboard has something to show. Skipped
    /// when that day already has orders.
    #[arg(long, env = "WENDAN_DEMO_RUSH", requires = "demo")]
    pub demo_rush: bool,

    /// Directory with the built widget (Trunk's `dist/`), served at `/`.
    #[arg(long = "static", env = "WENDAN_STATIC")]
    pub static_dir: Option<PathBuf>,

    /// Bearer token for the kitchen API and display: at least 16 characters
    /// and not easily guessed (e.g. `openssl rand -base64 24`); the server
    /// refuses to start with an empty one. With `--demo` and no token, the
    /// demo token `demo-kitchen` is used; otherwise the kitchen API stays
    /// locked until one is set.
    #[arg(long, env = "WENDAN_KITCHEN_TOKEN", hide_env_values = true)]
    pub kitchen_token: Option<String>,

    /// Minutes after which a kitchen ticket's timer turns yellow.
    #[arg(long, env = "WENDAN_KITCHEN_WARN_MINUTES", default_value_t = 5)]
    pub kitchen_warn_minutes: u32,

    /// Minutes after which a kitchen ticket's timer turns red.
    #[arg(long, env = "WENDAN_KITCHEN_LATE_MINUTES", default_value_t = 10)]
    pub kitchen_late_minutes: u32,
    /// Token for the admin pages (`/admin`) and API (`/api/v1/admin/…`),
    /// with the same rules as `--kitchen-token`. With `--demo` and no token,
    /// `demo-admin` is used; otherwise admin stays locked until one is set.
    #[arg(long, env = "WENDAN_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,

    /// The URL diners reach this server at (e.g. `https://order.example.com`),
    /// for the tables' QR codes; behind a proxy the server cannot guess it.
    /// Defaults to `http://<--listen>`.
    #[arg(long, env = "WENDAN_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Order requests handled at once; past this, intake answers 503 with
    /// Retry-After at once instead of queueing.
    #[arg(long, env = "WENDAN_MAX_PENDING_ORDERS", default_value_t = 4096)]
    pub max_pending_orders: usize,

    /// A second address serving only `GET /metrics`, without a token, for a
    /// scraper on a private network. Without it, `/metrics` on `--listen`
    /// needs the admin token.
    #[arg(long, env = "WENDAN_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,

    /// Who opens a table's visit (开台): `on-scan`, the first scan or
    /// order at the table; or `by-staff`, from the kitchen display or the
    /// admin area as the party is seated (until then the table takes no
    /// order). Staff clear a table (清台) or settle its bill either way.
    #[arg(long, env = "WENDAN_TABLE_VISITS", value_enum, default_value_t)]
    pub table_visits: crate::tables::visits::VisitOpening,

    /// How the phones at a table order: `per-phone` (each its own cart and
    /// orders) or `shared` (one cart for the table, sent in rounds).
    #[arg(long, env = "WENDAN_TABLE_CART", value_enum, default_value_t)]
    pub table_cart: crate::tables::visits::TableCart,

    /// How long a line of a table's shared cart that nobody changes stays
    /// before it expires (every phone at the table is told), in seconds.
    #[arg(long, env = "WENDAN_CART_LINE_TTL_SECS", default_value_t = wendan_tablecart::DEFAULT_LINE_TTL_SECS)]
    pub cart_line_ttl_secs: u32,

    #[command(flatten)]
    pub limits: LimitFlags,

    /// Embedding in restaurants' sites: `--frame-ancestors`, the brand.
    #[command(flatten)]
    pub embed: crate::embedding::EmbedArgs,

    /// Online payment: `--payment`, each provider's credentials, the sandbox.
    #[command(flatten)]
    pub payments: crate::payments::PaymentFlags,
}

/// Maintenance commands, run beside (or instead of) the server.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Copy the SQLite database (`--database`) to FILE while the server runs.
    Backup { file: PathBuf },
    /// Replace the SQLite database (`--database`) with the backup FILE; stop the server first.
    Restore { file: PathBuf },
    /// Ask the payment providers about every payment of one trading day
    /// that is not settled (pending, failed, a refund not confirmed, money
    /// kept for a cancelled order) and repair the database through the same
    /// transition the server uses. Safe beside a running server; prints what
    /// it repaired and what is still unknown (exit 1 if anything is).
    Reconcile {
        /// The trading day, `YYYY-MM-DD` in the restaurant's time, or `today`.
        #[arg(long)]
        day: String,
        /// Closing the day: close every attempt still open now (the diner
        /// can no longer pay it; a payment made meanwhile is still found),
        /// instead of leaving it open until it expires.
        #[arg(long)]
        close_open: bool,
    },
    /// Check the configuration, the database (migrations, clock), the disk
    /// and the public certificate, and say what to fix; exits 1 if
    /// something must be fixed. Changes nothing.
    Doctor {
        /// The public HTTPS address to check (certificate, HSTS, `/healthz`
        /// through the proxy); defaults to `--public-url` when it is https.
        #[arg(long)]
        url: Option<String>,
        /// A PEM CA certificate to trust besides the system's (a private CA).
        #[arg(long)]
        ca_file: Option<PathBuf>,
    },
}

/// Limits against scripts and connection floods (see `limits`). Sized so a
/// real rush never meets them; 0 switches a limit off (load tests do).
#[derive(Debug, Clone, clap::Args)]
pub struct LimitFlags {
    /// New orders per minute from one client address (burst of the same size).
    #[arg(
        long,
        env = "WENDAN_ORDERS_PER_ADDRESS_PER_MINUTE",
        default_value_t = 600
    )]
    pub orders_per_address_per_minute: u32,

    /// New orders per minute from one device (burst of the same size).
    #[arg(
        long,
        env = "WENDAN_ORDERS_PER_DEVICE_PER_MINUTE",
        default_value_t = 30
    )]
    pub orders_per_device_per_minute: u32,

    /// Wrong tokens and unknown session cookies per minute from one client
    /// address, per part (kitchen, admin), burst of the same size; past it,
    /// every attempt is answered 429, the right token too.
    #[arg(
        long,
        env = "WENDAN_WRONG_TOKENS_PER_ADDRESS_PER_MINUTE",
        default_value_t = 10
    )]
    pub wrong_tokens_per_address_per_minute: u32,

    /// Take the client address from the last `X-Forwarded-For` entry: set it
    /// only behind a load balancer that appends one.
    #[arg(long, env = "WENDAN_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,

    /// Open connections in all; more wait in the kernel's backlog.
    #[arg(long, env = "WENDAN_MAX_CONNECTIONS", default_value_t = 8192)]
    pub max_connections: usize,

    /// Open connections from one address; more are closed at once.
    #[arg(
        long,
        env = "WENDAN_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 512
    )]
    pub max_connections_per_address: usize,

    /// Seconds a connection may stay silent in both directions.
    #[arg(long, env = "WENDAN_IDLE_TIMEOUT_SECS", default_value_t = 60)]
    pub idle_timeout_secs: u64,

    /// Seconds a request's head may take to arrive whole, however its bytes
    /// trickle; also how long a kept-alive connection waits for its next
    /// request.
    #[arg(
        long,
        env = "WENDAN_HEADER_TIMEOUT_SECS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub header_timeout_secs: u64,

    /// Seconds a request's body may take to arrive whole, from its head
    /// (an order is at most 64 KiB; the widget gives up after 15 s).
    #[arg(
        long,
        env = "WENDAN_BODY_TIMEOUT_SECS",
        default_value_t = 20,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub body_timeout_secs: u64,

    /// Live status streams in all.
    #[arg(long, env = "WENDAN_MAX_EVENT_STREAMS", default_value_t = 4096)]
    pub max_event_streams: usize,

    /// Live status streams from one address.
    #[arg(
        long,
        env = "WENDAN_MAX_EVENT_STREAMS_PER_ADDRESS",
        default_value_t = 64
    )]
    pub max_event_streams_per_address: usize,
}

/// The kitchen token of the demo restaurant.
pub const DEMO_KITCHEN_TOKEN: &str = "demo-kitchen";

/// The admin token of the demo restaurant.
pub const DEMO_ADMIN_TOKEN: &str = "demo-admin";

impl Config {
    /// The kitchen token as configured, not yet validated (`auth::Tokens`).
    pub fn kitchen_token(&self) -> Option<&str> {
        match (&self.kitchen_token, self.demo) {
            (Some(token), _) => Some(token),
            (None, true) => Some(DEMO_KITCHEN_TOKEN),
            (None, false) => None,
        }
    }

    /// The admin token as configured, not yet validated (`auth::Tokens`).
    pub fn admin_token(&self) -> Option<&str> {
        match (&self.admin_token, self.demo) {
            (Some(token), _) => Some(token),
            (None, true) => Some(DEMO_ADMIN_TOKEN),
            (None, false) => None,
        }
    }

    /// Where diners reach the widget, without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
    }
}

/// The shape of log lines (`--log-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}
