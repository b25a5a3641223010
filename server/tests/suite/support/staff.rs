//! Staff logging in and out, as the kitchen display and the admin's
//! browser do.
#![allow(dead_code)]

use reqwest::header::SET_COOKIE;
use reqwest::{Response, StatusCode};
use serde_json::json;

use super::TestServer;

/// A client that does not follow redirects, to see them.
pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// `name=value` of the answer's `Set-Cookie`, if it sets one.
pub fn cookie_pair(response: &Response) -> Option<String> {
    let set = response.headers().get(SET_COOKIE)?.to_str().ok()?;
    let pair = set.split(';').next()?;
    pair.split_once('=')
        .is_some_and(|(_, value)| !value.is_empty())
        .then(|| pair.to_owned())
}

/// The whole `Set-Cookie` of an answer.
pub fn set_cookie(response: &Response) -> String {
    response.headers()[SET_COOKIE]
        .to_str()
        .expect("ascii cookie")
        .to_owned()
}

impl TestServer {
    /// `POST /api/v1/kitchen/session` with `token`.
    pub async fn kitchen_login(&self, token: &str) -> Response {
        self.client
            .post(self.url("/api/v1/kitchen/session"))
            .json(&json!({ "token": token }))
            .send()
            .await
            .expect("POST /api/v1/kitchen/session")
    }

    /// The kitchen session cookie for `token`.
    pub async fn kitchen_cookie(&self, token: &str) -> String {
        let login = self.kitchen_login(token).await;
        assert_eq!(login.status(), StatusCode::NO_CONTENT);
        cookie_pair(&login).expect("a session cookie")
    }

    /// `POST /admin/login` with `token`, not following the redirect.
    pub async fn admin_login(&self, token: &str) -> Response {
        no_redirects()
            .post(self.url("/admin/login"))
            .form(&[("token", token), ("next", "/admin")])
            .send()
            .await
            .expect("POST /admin/login")
    }

    /// The admin session cookie for `token`.
    pub async fn admin_cookie(&self, token: &str) -> String {
        let login = self.admin_login(token).await;
        assert_eq!(login.status(), StatusCode::SEE_OTHER);
        cookie_pair(&login).expect("a session cookie")
    }

    /// A GET with only `cookie` as credentials; its status.
    pub async fn status_with_cookie(&self, path: &str, cookie: &str) -> StatusCode {
        no_redirects()
            .get(self.url(path))
            .header("Cookie", cookie)
            .send()
            .await
            .expect("GET")
            .status()
    }
}
