//! Peak-hour figures in Prometheus text format, served at `GET /metrics`:
//! to the admin on the main listener, and to anyone who reaches the
//! separate `--metrics-listen` one (a private address, for the scraper).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::auth::Admin;
use crate::request_log::RouteTemplate;
use crate::state::AppState;
use crate::storage::Storage;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProblemLabel {
    pub r#type: String,
}

/// A payment provider (`wechat`, `alipay`, `stripe`, `counter`): a fixed set.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProviderLabel {
    pub provider: &'static str,
}

/// A provider's notification and what the server answered: `accepted`
/// (acknowledged: recorded, or a repeat) or `rejected` (unverified or not
/// recorded: the provider sends it again). Two values per provider.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct NotificationLabel {
    pub provider: &'static str,
    pub verdict: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BuildLabel {
    pub version: String,
    pub commit: String,
}

/// A gauge read from its source when `/metrics` is scraped (a semaphore's
/// free places, say), so the source keeps no second count to drift.
struct Sampled {
    gauge: Gauge,
    read: Box<dyn Fn() -> i64 + Send + Sync>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabel {
    pub method: String,
    pub route: String,
    pub status: u16,
}

pub struct Metrics {
    registry: Mutex<Registry>,
    sampled: Mutex<Vec<Sampled>>,
    pub orders_created: Counter,
    pub replays: Counter,
    pub conflicts: Counter,
    pub rejected: Family<ProblemLabel, Counter>,
    pub shed: Counter,
    pub rate_limited: Counter,
    pub streams_refused: Counter,
    pub commit_batch_size: Histogram,
    pub delivery_delay: Histogram,
    pub request_seconds: Family<RouteLabel, Histogram>,
    pub payments_started: Family<ProviderLabel, Counter>,
    pub payment_notifications: Family<NotificationLabel, Counter>,
}

impl Metrics {
    pub fn new() -> Arc<Self> {
        let mut registry = Registry::with_prefix("wendan");
        let orders_created = Counter::default();
        let replays = Counter::default();
        let conflicts = Counter::default();
        let rejected = Family::<ProblemLabel, Counter>::default();
        let shed = Counter::default();
        let rate_limited = Counter::default();
        let streams_refused = Counter::default();
        let commit_batch_size = Histogram::new(exponential_buckets(1.0, 2.0, 12));
        // 0.25 s to about 2.3 h: a phone that was offline for a while.
        let delivery_delay = Histogram::new(exponential_buckets(0.25, 2.0, 16));
        let request_seconds = Family::<RouteLabel, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
        });
        registry.register(
            "orders_created",
            "Orders durably created",
            orders_created.clone(),
        );
        registry.register(
            "idempotent_replays",
            "Requests answered by replaying a stored answer",
            replays.clone(),
        );
        registry.register(
            "idempotency_conflicts",
            "409s: the key's first request was still in progress",
            conflicts.clone(),
        );
        registry.register("orders_rejected", "422s by problem type", rejected.clone());
        registry.register("orders_shed", "503s: intake was full", shed.clone());
        registry.register(
            "orders_rate_limited",
            "429s: too many new orders from one device or address",
            rate_limited.clone(),
        );
        registry.register(
            "event_streams_refused",
            "Live status streams refused: too many open",
            streams_refused.clone(),
        );
        registry.register(
            "commit_batch_size",
            "Writes committed together by one fsync",
            commit_batch_size.clone(),
        );
        registry.register(
            "order_delivery_delay_seconds",
            "From the diner's tap (on the server's clock) to the order being durable",
            delivery_delay.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Request latency by route and status",
            request_seconds.clone(),
        );
        let payments_started = Family::<ProviderLabel, Counter>::default();
        registry.register(
            "payments_started",
            "\"Pay\" answered with a provider payment (new or resumed), by provider",
            payments_started.clone(),
        );
        // A run of rejected notifications is forged traffic or a provider
        // key that no longer matches: both need a person.
        let payment_notifications = Family::<NotificationLabel, Counter>::default();
        registry.register(
            "payment_notifications",
            "Provider notifications, by provider and verdict (rejected: unverified or not recorded, sent again)",
            payment_notifications.clone(),
        );
        let build_info = Family::<BuildLabel, Gauge>::default();
        build_info
            .get_or_create(&BuildLabel {
                version: env!("CARGO_PKG_VERSION").to_owned(),
                commit: env!("WENDAN_GIT_COMMIT").to_owned(),
            })
            .set(1);
        registry.register(
            "build_info",
            "The running build: always 1, labelled with its version and commit",
            build_info,
        );
        Arc::new(Self {
            registry: Mutex::new(registry),
            sampled: Mutex::new(Vec::new()),
            orders_created,
            replays,
            conflicts,
            rejected,
            shed,
            rate_limited,
            streams_refused,
            commit_batch_size,
            delivery_delay,
            request_seconds,
            payments_started,
            payment_notifications,
        })
    }

    /// A gauge `wendan_<name>` whose value `read` gives at each scrape.
    pub fn sample(&self, name: &str, help: &str, read: impl Fn() -> i64 + Send + Sync + 'static) {
        let gauge = Gauge::default();
        lock(&self.registry).register(name, help, gauge.clone());
        lock(&self.sampled).push(Sampled {
            gauge,
            read: Box::new(read),
        });
    }

    /// The gauges of whichever backend is configured. Each backend exports
    /// only what it has: a constant 0 for PostgreSQL's absent writer queue
    /// would read as "keeping up", and a listener gauge on SQLite's single
    /// server as "deaf", so absent is the honest value for both.
    pub fn sample_storage(&self, storage: &Storage) {
        if let Some(queue) = storage.writer_queue() {
            self.sample(
                "writer_queue_depth",
                "Writes waiting for SQLite's writer thread (not yet taken into a group commit); SQLite only",
                move || saturating_i64(queue.depth()),
            );
        }
        if let Some(listener) = storage.notify_listener() {
            let up = listener.clone();
            self.sample(
                "notify_listener_up",
                "1 while this replica's LISTEN connection to PostgreSQL is open, else 0; PostgreSQL only",
                move || i64::from(up.is_up()),
            );
            self.sample(
                "notify_listener_last_heard_timestamp_seconds",
                "When this replica's LISTEN connection last (re)connected or heard a NOTIFY, in Unix seconds; PostgreSQL only",
                move || listener.last_heard(),
            );
        }
    }

    pub fn render(&self) -> String {
        for sampled in lock(&self.sampled).iter() {
            sampled.gauge.set((sampled.read)());
        }
        let mut text = String::new();
        let registry = self
            .registry
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Err(error) = encode(&mut text, &registry) {
            tracing::error!(%error, "cannot encode metrics");
        }
        text
    }
}

/// `GET /metrics` on the main listener: order volume and latency are the
/// restaurant's business, so only for the admin.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Prometheus/OpenMetrics text", body = String, content_type = "application/openmetrics-text"),
        (status = 401, description = "unauthorized", body = wendan_protocol::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn serve_metrics(_admin: Admin, State(state): State<AppState>) -> Response {
    state.metrics.response()
}

/// The `--metrics-listen` listener's whole router: `/metrics`, no token
/// (whoever can reach that address is the scraper), and nothing else.
pub fn metrics_only(metrics: Arc<Metrics>) -> Router {
    let render = move || {
        let metrics = Arc::clone(&metrics);
        async move { metrics.response() }
    };
    Router::new().route("/metrics", get(render))
}

impl Metrics {
    fn response(&self) -> Response {
        (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            self.render(),
        )
            .into_response()
    }
}

fn saturating_i64(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// A poisoned lock still holds good figures: a panic elsewhere must not
/// stop the scrape.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A method's label: the standard ones by name, any other `other`. Any
/// token is a method to HTTP, so labelling by the raw name let anyone add
/// series (a 4,000-character method was stored verbatim).
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Times every request, labelled by a fixed set of methods and by its
/// route template (never the raw path, which would make one series per
/// order id), so the number of series is bounded by the code, not by
/// what clients send.
pub async fn track_latency(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = method_label(request.method()).to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_owned(), |path| path.as_str().to_owned());
    let mut response = next.run(request).await;
    // The request's log line (`request_log`, outside the router) names it too.
    response
        .extensions_mut()
        .insert(RouteTemplate(route.clone()));
    let label = RouteLabel {
        method,
        route,
        status: response.status().as_u16(),
    };
    state
        .metrics
        .request_seconds
        .get_or_create(&label)
        .observe(started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_up_methods_share_one_label() {
        for name in ["PROPFIND", "BREW", &"X".repeat(4000)] {
            let method = Method::from_bytes(name.as_bytes()).expect("a token");
            assert_eq!(method_label(&method), "other");
        }
        assert_eq!(method_label(&Method::POST), "POST");
    }
}
