//! Where a credential is checked: the configured tokens, the stored
//! sessions and the budget of failed attempts together. The guards, the
//! kitchen's login and the admin's login all come through here, so each
//! attempt is counted and answered the same way.

use std::net::{IpAddr, SocketAddr};

use axum::http::header::{SET_COOKIE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;
use wendan_protocol::ProblemType;

use super::cookie::{bearer, cookie, secure_for, set_cookie};
use super::scope::Scope;
use super::session::{self, SessionId, Verdict};
use super::throttle::FailedAttempts;
use super::token::{Token, Tokens};
use crate::limits::client_ip::client_ip;
use crate::limits::rate::Limited;
use crate::problem::ApiError;
use crate::storage::{SessionStore, Storage, StorageError};

pub struct Gate {
    tokens: Tokens,
    storage: Storage,
    failed: FailedAttempts,
    /// Cookies get `Secure` (see `cookie::secure_for`).
    secure_cookies: bool,
    /// Whether the client address comes from `X-Forwarded-For`.
    trust_forwarded_for: bool,
}

/// Why a request is not let in.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("no {0} token is configured ({setting})", setting = .0.setting())]
    Locked(Scope),
    #[error("{}", .0.how_to_authenticate())]
    Missing(Scope),
    /// A wrong token, or a session that is unknown, expired or made with an
    /// old token; `forget` clears a refused cookie, so that the browser
    /// stops sending it.
    #[error("wrong {scope} token or session")]
    Wrong {
        scope: Scope,
        forget: Option<HeaderValue>,
    },
    #[error(
        "too many wrong tokens from this address: try again in {} s \
         (until then the right token is refused too)",
        .0.retry_after_secs
    )]
    HeldBack(Limited),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("cannot draw a random session id: {0}")]
    Random(#[from] getrandom::Error),
}

impl Gate {
    pub fn new(
        tokens: Tokens,
        storage: Storage,
        failures_per_minute: u32,
        public_url: &str,
        trust_forwarded_for: bool,
    ) -> Self {
        Self {
            tokens,
            storage,
            failed: FailedAttempts::new(failures_per_minute),
            secure_cookies: secure_for(public_url),
            trust_forwarded_for,
        }
    }

    /// The address failed attempts are counted for (see `limits::client_ip`).
    pub fn client_address(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        client_ip(peer, headers, self.trust_forwarded_for)
    }

    /// Trades `presented` for a new session of `scope`: the `Set-Cookie`.
    pub async fn log_in(
        &self,
        scope: Scope,
        address: IpAddr,
        presented: &str,
    ) -> Result<HeaderValue, Refusal> {
        let token = self.token(scope)?;
        self.check_token(token, scope, address, presented.trim())?;
        let id = SessionId::random()?;
        self.storage
            .create_session(session::start(&id, scope, token, OffsetDateTime::now_utc()))
            .await?;
        Ok(set_cookie(scope, Some(&id), self.secure_cookies))
    }

    /// Lets a request in to `scope` by its bearer token or, without one, by
    /// its session cookie.
    pub async fn authorize(
        &self,
        scope: Scope,
        address: IpAddr,
        headers: &HeaderMap,
    ) -> Result<(), Refusal> {
        let token = self.token(scope)?;
        if let Some(presented) = bearer(headers) {
            return self.check_token(token, scope, address, presented);
        }
        let Some(value) = cookie(headers, scope.cookie_name()) else {
            return Err(Refusal::Missing(scope));
        };
        self.failed
            .allowed(address, scope)
            .map_err(Refusal::HeldBack)?;
        let forget = || Refusal::Wrong {
            scope,
            forget: Some(set_cookie(scope, None, self.secure_cookies)),
        };
        // Not even an id (e.g. a cookie from before sessions were random):
        // refused and cleared, but not counted, so that a restaurant's
        // tablets reloading after an upgrade do not hold its address back.
        let Some(id) = SessionId::from_cookie(value) else {
            return Err(forget());
        };
        match self.storage.session(id.lookup_key()).await? {
            Some(stored) => {
                match session::verdict(&stored, &id, scope, token, OffsetDateTime::now_utc()) {
                    Verdict::Live => Ok(()),
                    // A session that was real once is no guess: not counted.
                    Verdict::Expired | Verdict::OtherScope | Verdict::TokenChanged => Err(forget()),
                }
            }
            // An id never given out, or logged out: a guess or a copy.
            None => {
                self.count_failure(scope, address)?;
                Err(forget())
            }
        }
    }

    /// Ends the session the request's cookie holds, if any, on every
    /// replica: the `Set-Cookie` that makes the browser forget it.
    pub async fn log_out(&self, scope: Scope, headers: &HeaderMap) -> Result<HeaderValue, Refusal> {
        if let Some(id) = cookie(headers, scope.cookie_name()).and_then(SessionId::from_cookie) {
            self.storage.delete_session(id.lookup_key()).await?;
        }
        Ok(set_cookie(scope, None, self.secure_cookies))
    }

    /// Forgets addresses whose budget is whole again.
    pub fn forget_idle(&self) {
        self.failed.forget_idle();
    }

    fn token(&self, scope: Scope) -> Result<&Token, Refusal> {
        self.tokens.get(scope).ok_or(Refusal::Locked(scope))
    }

    fn check_token(
        &self,
        token: &Token,
        scope: Scope,
        address: IpAddr,
        presented: &str,
    ) -> Result<(), Refusal> {
        self.failed
            .allowed(address, scope)
            .map_err(Refusal::HeldBack)?;
        if token.matches(presented) {
            return Ok(());
        }
        self.count_failure(scope, address)?;
        Err(Refusal::Wrong {
            scope,
            forget: None,
        })
    }

    fn count_failure(&self, scope: Scope, address: IpAddr) -> Result<(), Refusal> {
        self.failed.failed(address, scope).map_err(|limited| {
            tracing::warn!(
                %address,
                %scope,
                retry_after_secs = limited.retry_after_secs,
                "too many wrong tokens: this address is held back"
            );
            Refusal::HeldBack(limited)
        })
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let detail = self.to_string();
        match self {
            Refusal::Locked(_) | Refusal::Missing(_) => unauthorized(detail, None),
            Refusal::Wrong { forget, .. } => unauthorized(detail, forget),
            Refusal::HeldBack(limited) => ApiError::new(ProblemType::RateLimited)
                .detail(detail)
                .retry_after(limited.retry_after_secs)
                .into_response(),
            Refusal::Storage(error) => ApiError::from(error).into_response(),
            Refusal::Random(error) => {
                tracing::error!(%error, "cannot draw a random session id");
                ApiError::new(ProblemType::Internal).into_response()
            }
        }
    }
}

fn unauthorized(detail: String, forget: Option<HeaderValue>) -> Response {
    let mut response = ApiError::new(ProblemType::Unauthorized)
        .detail(detail)
        .into_response();
    let headers = response.headers_mut();
    headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    if let Some(forget) = forget {
        headers.insert(SET_COOKIE, forget);
    }
    response
}
