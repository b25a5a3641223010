//! The HTTP contract as OpenAPI 3.1, generated from the handlers and the
//! protocol types, served at `GET /api/openapi.json`.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::admin::{dashboard as admin_dashboard, tables as admin_tables};
use crate::routes::{
    health, kitchen, kitchen_controls, kitchen_events, kitchen_session, menu, order_events, orders,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Wendan order intake",
        description = "Durable, idempotent order intake. Every error is RFC 9457 \
            `application/problem+json` with a stable `type` under `/problems/`."
    ),
    paths(
        menu::get_menu,
        orders::post_order,
        orders::get_order,
        order_events::order_events,
        kitchen::open_orders,
        kitchen::change_status,
        kitchen::kitchen_board,
        kitchen::undo_bump,
        kitchen_events::kitchen_events,
        kitchen_controls::set_intake,
        kitchen_controls::set_sold_out,
        kitchen_session::log_in,
        kitchen_session::log_out,
        health::healthz,
        health::readyz,
        crate::metrics::serve_metrics,
        admin_dashboard::api,
        admin_tables::list,
        admin_tables::put,
        admin_tables::delete,
        crate::embedding::routes::embed_config,
        crate::embedding::routes::csp_report,
    ),
    modifiers(&KitchenToken, &AdminToken),
    tags(
        (name = "diner", description = "What the widget uses"),
        (name = "kitchen", description = "The kitchen display's API (bearer token)"),
        (name = "operations", description = "Health and metrics"),
        (name = "admin", description = "Tables and the peak-hour dashboard (admin bearer token, or the /admin login cookie)"),
        (name = "embedding", description = "Restaurant sites embedding the widget"),
    )
)]
pub struct ApiDoc;

struct KitchenToken;

impl Modify for KitchenToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "kitchen_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

struct AdminToken;

impl Modify for AdminToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `GET /api/openapi.json`
pub async fn serve_openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
