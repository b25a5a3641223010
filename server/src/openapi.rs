//! The HTTP contract as OpenAPI 3.1, generated from the handlers and the
//! protocol types, served at `GET /api/openapi.json`.

use axum::Json;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Required};
use utoipa::{Modify, OpenApi};
use wendan_protocol::ProblemType;

use crate::routes::admin::{dashboard as admin_dashboard, tables as admin_tables};
use crate::routes::{health, kitchen, menu, order_events, orders, payments, table_cart, tables};

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
        kitchen::orders::open_orders,
        kitchen::orders::change_status,
        kitchen::orders::kitchen_board,
        kitchen::orders::undo_bump,
        kitchen::events::kitchen_events,
        kitchen::controls::set_intake,
        kitchen::controls::set_sold_out,
        kitchen::session::log_in,
        kitchen::session::log_out,
        health::healthz,
        health::readyz,
        health::reachable,
        crate::metrics::serve_metrics,
        admin_dashboard::api,
        admin_tables::list,
        admin_tables::put,
        admin_tables::delete,
        admin_tables::new_code_api,
        crate::embedding::routes::embed_config,
        crate::embedding::routes::csp_report,
        payments::options,
        payments::pay,
        payments::payment_status,
        payments::settle_at_counter,
        payments::wechat_notify,
        payments::wechat_authorize,
        payments::wechat_openid,
        payments::alipay_notify,
        payments::stripe_webhook,
        tables::scan,
        tables::bill,
        tables::call_staff,
        table_cart::cart,
        table_cart::push,
        table_cart::send_round,
        table_cart::cart_events,
        kitchen::tables::clear_call,
        kitchen::tables::open_table,
        kitchen::tables::clear,
        kitchen::tables::move_to,
        kitchen::tables::settle,
    ),
    modifiers(&KitchenToken, &AdminToken, &WrongTokensHeldBack, &EdgeAnswers),
    tags(
        (name = "diner", description = "What the widget uses"),
        (name = "kitchen", description = "The kitchen display's API (bearer token)"),
        (name = "operations", description = "Health and metrics"),
        (name = "admin", description = "Tables and the peak-hour dashboard (admin bearer token, or the /admin login cookie)"),
        (name = "embedding", description = "Restaurant sites embedding the widget"),
        (name = "payments", description = "The payment providers' notifications (signed; see docs/payments.md)"),
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

/// Every operation that refuses a wrong token (401) also holds back an
/// address that sent too many (429, `auth::throttle`): added here once
/// rather than in each handler's attribute.
struct WrongTokensHeldBack;

impl Modify for WrongTokensHeldBack {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                let Some(RefOr::T(unauthorized)) = responses.get("401") else {
                    continue;
                };
                let mut held_back = unauthorized.clone();
                held_back.description = "rate-limited: too many wrong tokens from this address; \
                    until `Retry-After` every attempt is refused, the right token too"
                    .to_owned();
                held_back.headers.insert(
                    "Retry-After".to_owned(),
                    RefOr::T(
                        HeaderBuilder::new()
                            .schema(Some(
                                ObjectBuilder::new()
                                    .schema_type(Type::Integer)
                                    .minimum(Some(1)),
                            ))
                            .description(Some("Seconds until an attempt is heard again"))
                            .build(),
                    ),
                );
                responses
                    .entry("429".to_owned())
                    .or_insert(RefOr::T(held_back));
            }
        }
    }
}

/// What every state-changing API request may meet before its handler: a
/// refusal from another origin (`same_origin`), a body that is not JSON
/// (`json_body`), too big or too slow (`limits::request_body`). Requests
/// that take no body still send `{}` as JSON, so the document says so.
struct EdgeAnswers;

impl Modify for EdgeAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/") || path == crate::embedding::routes::CSP_REPORTS_PATH {
                continue;
            }
            let changing = [
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in changing.into_iter().flatten() {
                add_edge_answers(operation);
            }
        }
    }
}

fn add_edge_answers(operation: &mut Operation) {
    if operation.request_body.is_none() {
        // Any JSON: the endpoint reads none of it.
        let anything = Object::with_type(SchemaType::AnyValue);
        let body = RequestBodyBuilder::new()
            .description(Some("Nothing is read from it: send `{}`"))
            .content("application/json", Content::new(Some(anything)))
            .required(Some(Required::True))
            .build();
        operation.request_body = Some(RefOr::T(body));
    }
    for kind in [
        ProblemType::CrossOriginRequest,
        ProblemType::RequestTimeout,
        ProblemType::PayloadTooLarge,
        ProblemType::UnsupportedMediaType,
    ] {
        let problem = Content::new(Some(Ref::from_schema_name("Problem")));
        let response = ResponseBuilder::new()
            .description(format!("{}: {}", kind.slug(), kind.title()))
            .content(crate::problem::PROBLEM_JSON, problem)
            .build();
        operation
            .responses
            .responses
            .entry(kind.status().to_string())
            .or_insert(RefOr::T(response));
    }
}

/// `GET /api/openapi.json`
pub async fn serve_openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_that_refuses_a_token_documents_being_held_back() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("json");
        let mut guarded = 0;
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("operations") {
                let responses = &operation["responses"];
                if responses.get("401").is_none() {
                    continue;
                }
                guarded += 1;
                let held_back = &responses["429"];
                assert!(
                    held_back["headers"]["Retry-After"].is_object(),
                    "{method} {path}"
                );
                assert_eq!(
                    held_back["content"], responses["401"]["content"],
                    "{method} {path}: a problem document"
                );
            }
        }
        // At least the kitchen's seven, its login and the admin's four.
        assert!(guarded >= 12, "{guarded}");
    }
}
