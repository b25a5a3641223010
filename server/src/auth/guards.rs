//! Authorisation as types in handler signatures: a handler that takes
//! `Kitchen` or `Admin` runs only for a request that carries that part's
//! token (`Authorization: Bearer …`) or a live session cookie. Generic over
//! the state (`FromRef`), so this module needs only the `Gate`.

use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::gate::Gate;
use super::scope::Scope;
use crate::limits::connections::Peer;

/// Proof that the request carries the kitchen token or a kitchen session.
pub struct Kitchen;

/// Proof that the request carries the admin token or an admin session.
pub struct Admin;

impl<S> FromRequestParts<S> for Kitchen
where
    S: Send + Sync,
    Arc<Gate>: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        authorize(parts, state, Scope::Kitchen)
            .await
            .map(|()| Kitchen)
    }
}

impl<S> FromRequestParts<S> for Admin
where
    S: Send + Sync,
    Arc<Gate>: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        authorize(parts, state, Scope::Admin).await.map(|()| Admin)
    }
}

async fn authorize<S>(parts: &mut Parts, state: &S, scope: Scope) -> Result<(), Response>
where
    S: Send + Sync,
    Arc<Gate>: FromRef<S>,
{
    let ConnectInfo(Peer(peer)) = ConnectInfo::<Peer>::from_request_parts(parts, state)
        .await
        .map_err(IntoResponse::into_response)?;
    let gate = Arc::<Gate>::from_ref(state);
    let address = gate.client_address(peer, &parts.headers);
    gate.authorize(scope, address, &parts.headers)
        .await
        .map_err(IntoResponse::into_response)
}
