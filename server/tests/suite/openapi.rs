//! The contract is published as OpenAPI 3.1, generated from the code.

use crate::support::TestServer;

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint_and_wire_type() {
    let server = TestServer::start(&[]).await;
    let doc = server.get_json("/api/openapi.json").await;
    assert!(doc["openapi"].as_str().expect("version").starts_with("3.1"));
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 18, "{} documented paths", paths.len());
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
        "ListedTable",
        "PaymentView",
        "PaymentOptions",
        "PaymentState",
        "Channel",
        "Handoff",
    ] {
        assert!(schemas[schema].is_object(), "{schema} schema");
    }
    for (path, method) in [
        ("/api/v1/orders/{id}/payments", "post"),
        ("/api/v1/orders/{id}/payment", "get"),
        ("/api/v1/payments/options", "get"),
        ("/api/v1/kitchen/orders/{id}/paid", "post"),
        ("/api/v1/admin/tables/{id}/code", "post"),
        ("/api/v1/payments/wechat/notify", "post"),
        ("/api/v1/payments/alipay/notify", "post"),
        ("/api/v1/payments/stripe/webhook", "post"),
    ] {
        assert!(
            paths[path][method].is_object(),
            "{method} {path} documented"
        );
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

/// The router is the list of endpoints; the document must not name one it
/// lacks, nor a method it does not take. Every documented operation is
/// called (without credentials, on a fresh server): an answer from the
/// router's own fallbacks (404 "no such API endpoint", 405, or an empty 404
/// outside `/api`) means the document and the router disagree.
#[tokio::test]
async fn every_documented_operation_is_routed() {
    let server = TestServer::start(&[]).await;
    let doc = server.get_json("/api/openapi.json").await;
    let mut called = 0;
    for (path, operations) in doc["paths"].as_object().expect("paths") {
        let concrete = path.replace("{id}", "no-such-id");
        for method in operations.as_object().expect("operations").keys() {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes())
                .expect("an HTTP method");
            let response = server
                .client
                .request(method.clone(), format!("{}{concrete}", server.base))
                .header("content-type", "application/json")
                .body("{}")
                .timeout(std::time::Duration::from_secs(5))
                .send()
                .await
                .expect("an answer");
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            assert_ne!(status, 405, "{method} {path} is documented but not routed");
            assert!(
                !(status == 404 && (body.is_empty() || body.contains("no such API endpoint"))),
                "{method} {path} is documented but not routed: {status} {body}"
            );
            called += 1;
        }
    }
    assert!(called >= 20, "{called} operations");
}
