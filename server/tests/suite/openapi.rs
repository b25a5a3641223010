//! The contract is published as OpenAPI 3.1, generated from the code.

use crate::support::TestServer;

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint_and_wire_type() {
    let server = TestServer::start(&[]).await;
    let doc = server.get_json("/api/openapi.json").await;
    assert!(doc["openapi"].as_str().expect("version").starts_with("3.1"));
    for path in [
        "/api/v1/menu",
        "/api/v1/orders",
        "/api/v1/orders/{id}",
        "/api/v1/orders/{id}/events",
        "/api/v1/kitchen/orders",
        "/api/v1/kitchen/orders/{id}/status",
        "/api/v1/kitchen/board",
        "/api/v1/kitchen/events",
        "/api/v1/kitchen/undo",
        "/api/v1/kitchen/intake",
        "/api/v1/kitchen/items/{id}/sold-out",
        "/api/v1/kitchen/session",
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/v1/admin/dashboard",
        "/api/v1/admin/tables",
        "/api/v1/admin/tables/{id}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    let post = &doc["paths"]["/api/v1/orders"]["post"];
    for status in ["201", "400", "409", "413", "422", "503"] {
        assert!(
            post["responses"][status].is_object(),
            "POST /orders documents {status}"
        );
    }
    let schemas = &doc["components"]["schemas"];
    for schema in [
        "Menu",
        "OrderRequest",
        "PlacedOrder",
        "Problem",
        "StatusUpdate",
        "DayFigures",
        "DiningTable",
    ] {
        assert!(schemas[schema].is_object(), "{schema} schema");
    }
    let problem_fields = &schemas["Problem"]["properties"];
    assert!(
        problem_fields["type"].is_object(),
        "problem `type` keeps its wire name"
    );
}

/// Found by Schemathesis: what the server refuses, the document says.
#[tokio::test]
async fn the_document_states_the_key_format_and_the_kitchens_bad_request() {
    let server = TestServer::start(&[]).await;
    let doc = server.get_json("/api/openapi.json").await;
    let parameters = doc["paths"]["/api/v1/orders"]["post"]["parameters"]
        .as_array()
        .expect("parameters");
    let key = parameters
        .iter()
        .find(|parameter| parameter["name"] == "Idempotency-Key")
        .expect("the Idempotency-Key header");
    let pattern = key["schema"]["pattern"].as_str().expect("a pattern");
    assert!(pattern.contains("{16,128}"), "{pattern}");
    let change = &doc["paths"]["/api/v1/kitchen/orders/{id}/status"]["post"];
    assert!(change["responses"]["400"].is_object());
}

/// What the edge answers before a handler runs is in the document too, and
/// `/metrics` says it wants the admin token.
#[tokio::test]
async fn the_document_states_the_edges_answers() {
    let server = TestServer::start(&[]).await;
    let doc = server.get_json("/api/openapi.json").await;
    for (path, method) in [
        ("/api/v1/orders", "post"),
        ("/api/v1/kitchen/undo", "post"),
        ("/api/v1/kitchen/intake", "put"),
        ("/api/v1/admin/tables/{id}", "delete"),
    ] {
        let operation = &doc["paths"][path][method];
        for status in ["403", "408", "413", "415"] {
            assert!(
                operation["responses"][status].is_object(),
                "{method} {path} documents {status}"
            );
        }
        assert!(
            operation["requestBody"]["content"]["application/json"].is_object(),
            "{method} {path} takes JSON"
        );
    }
    let metrics = &doc["paths"]["/metrics"]["get"];
    assert!(metrics["responses"]["401"].is_object());
    assert!(metrics["security"][0]["admin_token"].is_array());
}
