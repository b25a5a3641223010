//! The router, assembled in one place.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{any, get, post, put};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;

use crate::config::Config;
use crate::embedding;
use crate::embedding::routes::ReportLimits;
use crate::limits::request_body::{BodyDeadline, enforce_body_deadline, problem_for_bare_413};
use crate::metrics::{serve_metrics, track_latency};
use crate::openapi::serve_openapi;
use crate::payments::paths::{
    ALIPAY_NOTIFY_PATH, STRIPE_WEBHOOK_PATH, WECHAT_AUTHORIZE_PATH, WECHAT_NOTIFY_PATH,
    WECHAT_OPENID_PATH,
};
use crate::request_log::log_request;
use crate::routes::{
    admin, health, json_only, kitchen, menu, order_events, orders, payments, table_cart, tables,
};
use crate::same_origin::{OwnOrigin, refuse_cross_origin};
use crate::state::AppState;
use crate::widget_files;
use crate::widget_files::WidgetSource;

pub fn router(state: AppState, config: &Config) -> anyhow::Result<Router> {
    let api = Router::new()
        .route("/api/v1/menu", get(menu::get_menu))
        .route(
            "/api/v1/orders",
            json_only(post(orders::post_order))
                .layer(DefaultBodyLimit::max(orders::MAX_BODY_BYTES)),
        )
        .route("/api/v1/orders/{id}", get(orders::get_order))
        .route(
            "/api/v1/orders/{id}/events",
            get(order_events::order_events),
        )
        .route(
            "/api/v1/orders/{id}/payments",
            json_only(post(payments::pay)),
        )
        .route("/api/v1/orders/{id}/payment", get(payments::payment_status))
        .route("/api/v1/payments/options", get(payments::options))
        .route(
            "/api/v1/tables/{table}/visit",
            json_only(post(tables::scan)),
        )
        .route("/api/v1/tables/{table}/bill", get(tables::bill))
        .route(
            "/api/v1/tables/{table}/calls",
            json_only(post(tables::call_staff)),
        )
        .route(
            "/api/v1/tables/{table}/cart",
            get(table_cart::cart).merge(json_only(post(table_cart::push))),
        )
        .route(
            "/api/v1/tables/{table}/cart/rounds",
            json_only(post(table_cart::send_round)),
        )
        .route(
            "/api/v1/tables/{table}/cart/events",
            get(table_cart::cart_events),
        )
        .route(
            "/api/v1/kitchen/orders/{id}/paid",
            json_only(post(payments::settle_at_counter)),
        )
        .route(WECHAT_NOTIFY_PATH, post(payments::wechat_notify))
        .route(WECHAT_AUTHORIZE_PATH, get(payments::wechat_authorize))
        .route(WECHAT_OPENID_PATH, get(payments::wechat_openid))
        .route(ALIPAY_NOTIFY_PATH, post(payments::alipay_notify))
        .route(STRIPE_WEBHOOK_PATH, post(payments::stripe_webhook))
        .merge(kitchen::routes())
        .merge(admin_routes())
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/api/v1/reachable", get(health::reachable))
        .route("/metrics", get(serve_metrics))
        .route("/api/openapi.json", get(serve_openapi))
        .route("/api/{*rest}", any(health::api_not_found))
        .method_not_allowed_fallback(health::method_not_allowed)
        .route_layer(middleware::from_fn_with_state(state.clone(), track_latency))
        .with_state(state)
        .merge(embedding::routes::routes(
            config.embed.published(),
            ReportLimits::new(config.limits.trust_forwarded_for),
        ));
    let app = match WidgetSource::choose(config.static_dir.as_deref()) {
        Some(source) => api.fallback_service(widget_files::router(&source)),
        None => api,
    };
    let app = embedding::harden(app, &config.embed.frame_ancestors)?;
    let body_deadline = BodyDeadline(Duration::from_secs(config.limits.body_timeout_secs));
    // The last layer added is the first to see a request. A body announced
    // bigger than the largest any endpoint takes (an order's) is refused
    // before it is read; endpoints that take less say so themselves.
    Ok(app
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(orders::MAX_BODY_BYTES))
        .layer(middleware::map_response(problem_for_bare_413))
        .layer(middleware::from_fn_with_state(
            body_deadline,
            enforce_body_deadline,
        ))
        .layer(middleware::from_fn_with_state(
            OwnOrigin::new(&config.public_url()),
            refuse_cross_origin,
        ))
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn(log_request)))
}

/// The admin's pages and API (see `routes::admin`).
fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin::dashboard::page_get))
        .route("/admin/admin.css", get(admin::stylesheet))
        .route(
            "/admin/login",
            get(admin::session::login_page).post(admin::session::log_in),
        )
        .route("/admin/logout", post(admin::session::log_out))
        .route(
            "/admin/tables",
            get(admin::tables::page_get).post(admin::tables::page_put),
        )
        .route(
            "/admin/tables/{id}/delete",
            post(admin::tables::page_delete),
        )
        .route(
            "/admin/tables/{id}/new-code",
            post(admin::tables::page_new_code),
        )
        .route("/admin/tables/{id}/open", post(admin::tables::page_open))
        .route("/admin/tables/{id}/clear", post(admin::tables::page_clear))
        .route("/admin/tables/{id}/move", post(admin::tables::page_move))
        .route("/api/v1/admin/dashboard", get(admin::dashboard::api))
        .route("/api/v1/admin/tables", get(admin::tables::list))
        .route(
            "/api/v1/admin/tables/{id}",
            json_only(put(admin::tables::put).delete(admin::tables::delete)),
        )
        .route(
            "/api/v1/admin/tables/{id}/code",
            json_only(post(admin::tables::new_code_api)),
        )
}
