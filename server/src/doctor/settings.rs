//! The configuration itself: tokens, the menu, the widget, URLs and the
//! flags that matter behind a reverse proxy. Tokens are never printed.

use std::net::IpAddr;

use reqwest::Url;
use wendan_server::Config;
use wendan_server::auth::{Scope, Token};
use wendan_server::config::{DEMO_ADMIN_TOKEN, DEMO_KITCHEN_TOKEN};
use wendan_server::menu::PublishedMenu;

use super::Finding;

const AREA: &str = "settings";

pub fn check(config: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    if config.demo {
        findings.push(Finding::warning(
            AREA,
            "--demo: the demo menu and the demo tokens (demo-kitchen, demo-admin)",
            "for a restaurant, set WENDAN_MENU to its menu and unset WENDAN_DEMO",
        ));
    }
    let kitchen = config.kitchen_token();
    let admin = config.admin_token();
    findings.push(token(
        Scope::Kitchen,
        kitchen,
        config.demo,
        "the kitchen display and its API stay locked",
    ));
    findings.push(token(
        Scope::Admin,
        admin,
        config.demo,
        "/admin (tables, QR codes, dashboard) stays locked",
    ));
    if kitchen.is_some() && kitchen == admin {
        findings.push(Finding::problem(
            AREA,
            "the kitchen and admin tokens are the same: whoever runs the kitchen display can open admin",
            "give each its own token",
        ));
    }
    findings.push(menu(config));
    findings.push(widget(config));
    findings.push(public_url(config));
    findings.extend(proxy(config));
    let (_, brand_warnings) = config.embed.requested_theme().checked();
    for warning in brand_warnings {
        findings.push(Finding::warning(
            AREA,
            format!("brand: {warning}"),
            "change WENDAN_BRAND_COLOR, WENDAN_BRAND_LOGO or WENDAN_CORNER_RADIUS",
        ));
    }
    findings
}

/// A token's finding, by the rule the server starts by (`auth::Token`):
/// what the server would refuse is a problem, a demo token a warning.
pub fn token(scope: Scope, token: Option<&str>, demo: bool, locked: &str) -> Finding {
    let name = scope.as_str();
    let fix = format!(
        "set {} in the environment file to a long random value, e.g. the output of `openssl rand -base64 32`",
        scope.setting()
    );
    let Some(token) = token else {
        return Finding::warning(AREA, format!("no {name} token: {locked}"), fix);
    };
    match Token::configured(scope, token, demo) {
        Err(refused) => {
            Finding::problem(AREA, format!("the server will not start: {refused}"), fix)
        }
        Ok(_) if token == DEMO_KITCHEN_TOKEN || token == DEMO_ADMIN_TOKEN => Finding::warning(
            AREA,
            format!("the {name} token is a published demo token"),
            fix,
        ),
        Ok(_) => Finding::ok(
            AREA,
            format!("{name} token set ({} characters)", token.chars().count()),
        ),
    }
}

fn menu(config: &Config) -> Finding {
    let Some(path) = &config.menu else {
        return if config.demo {
            Finding::ok(AREA, "menu: the built-in demo menu")
        } else {
            Finding::problem(
                AREA,
                "no menu: the server will not start",
                "set WENDAN_MENU to the restaurant's menu file (server/menus/demo-hotpot.json is the worked example)",
            )
        };
    };
    match PublishedMenu::from_file(path) {
        Ok(menu) => Finding::ok(
            AREA,
            format!(
                "menu {}: {} items in {} categories",
                path.display(),
                menu.menu.items.len(),
                menu.menu.categories.len()
            ),
        ),
        Err(error) => Finding::problem(
            AREA,
            format!("menu: {error}"),
            "fix the file (the format: server/menus/demo-hotpot.json, protocol/src/menu.rs)",
        ),
    }
}

fn widget(config: &Config) -> Finding {
    match &config.static_dir {
        Some(dir) if dir.join("index.html").is_file() => {
            Finding::ok(AREA, format!("widget served from {}", dir.display()))
        }
        Some(dir) => Finding::problem(
            AREA,
            format!(
                "{} has no index.html: diners would get no ordering page",
                dir.display()
            ),
            "point WENDAN_STATIC at the built widget (cargo xtask build writes dist/), or unset it to serve the widget inside the binary",
        ),
        None if wendan_server::widget_files::EMBEDDED => {
            Finding::ok(AREA, "widget served from inside this binary")
        }
        None => Finding::warning(
            AREA,
            "no --static and no widget inside this build: this server serves no ordering page, only the API, the kitchen and admin",
            "install the release build (cargo xtask build puts the widget inside), or set WENDAN_STATIC to the built widget",
        ),
    }
}

fn public_url(config: &Config) -> Finding {
    let Some(text) = &config.public_url else {
        return Finding::warning(
            AREA,
            format!(
                "no public URL: the tables' QR codes point at http://{}",
                config.listen
            ),
            "set WENDAN_PUBLIC_URL to the address diners use, e.g. https://order.example.com",
        );
    };
    let fix = "set WENDAN_PUBLIC_URL to an http(s) URL with a host, e.g. https://order.example.com";
    let Ok(url) = Url::parse(text) else {
        return Finding::problem(AREA, format!("public URL {text:?} is not a URL"), fix);
    };
    match (url.scheme(), url.host_str()) {
        ("https", Some(_)) => Finding::ok(AREA, format!("public URL {text}")),
        ("http", Some(host)) if is_loopback_host(host) => {
            Finding::ok(AREA, format!("public URL {text} (this machine only)"))
        }
        ("http", Some(_)) => Finding::warning(
            AREA,
            format!(
                "public URL {text} is plain HTTP: browsers run the service worker only over HTTPS, and mini-programs require it"
            ),
            "put nginx with TLS in front (deploy/nginx) and set an https:// URL",
        ),
        _ => Finding::problem(
            AREA,
            format!("public URL {text:?} is not http(s) with a host"),
            fix,
        ),
    }
}

/// Behind a reverse proxy every connection comes from the proxy: the
/// per-address limits need the forwarded address, and only from the proxy.
fn proxy(config: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    let listens_locally = config.listen.ip().is_loopback();
    let limits = &config.limits;
    if limits.trust_forwarded_for && !listens_locally {
        findings.push(Finding::warning(
            AREA,
            format!("X-Forwarded-For is trusted, but {} takes connections from anywhere: a client that reaches it directly can claim any address", config.listen),
            "listen on 127.0.0.1 behind the proxy (WENDAN_LISTEN), or firewall the port",
        ));
    }
    let public_host = config
        .public_url
        .as_deref()
        .and_then(|text| Url::parse(text).ok())
        .and_then(|url| url.host_str().map(str::to_owned));
    let behind_proxy = listens_locally && public_host.is_some_and(|host| !is_loopback_host(&host));
    if !behind_proxy {
        return findings;
    }
    if !limits.trust_forwarded_for {
        findings.push(Finding::warning(
            AREA,
            "behind a proxy without --trust-forwarded-for: all diners share the proxy's address for the per-address order and stream limits",
            "set WENDAN_TRUST_FORWARDED_FOR=true (the proxy must set X-Forwarded-For; deploy/nginx does)",
        ));
    }
    if limits.max_connections_per_address != 0 {
        findings.push(Finding::warning(
            AREA,
            format!("behind a proxy, --max-connections-per-address {} caps all diners together (each live status stream holds a connection)", limits.max_connections_per_address),
            "set WENDAN_MAX_CONNECTIONS_PER_ADDRESS=0 and limit each client in the proxy (deploy/nginx does)",
        ));
    }
    findings
}

fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare == "localhost"
        || bare.ends_with(".localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::doctor::Verdict;

    fn config(args: &[&str]) -> Config {
        Config::try_parse_from(std::iter::once("wendan-server").chain(args.iter().copied()))
            .expect("flags")
    }

    fn verdicts(findings: &[Finding]) -> Vec<(Verdict, &str)> {
        findings
            .iter()
            .map(|finding| (finding.verdict, finding.found.as_str()))
            .collect()
    }

    #[test]
    fn a_missing_token_locks_and_warns_a_short_one_is_a_problem() {
        let locked = "stays locked";
        assert_eq!(
            token(Scope::Kitchen, None, false, locked).verdict,
            Verdict::Warning
        );
        let short = token(Scope::Kitchen, Some("hunter2"), false, locked);
        assert_eq!(short.verdict, Verdict::Problem);
        assert!(short.found.contains("7 characters"), "{}", short.found);
        let guessable = token(Scope::Kitchen, Some("password12345678"), false, locked);
        assert_eq!(guessable.verdict, Verdict::Problem, "{}", guessable.found);
        assert_eq!(
            token(Scope::Admin, Some("demo-admin"), true, locked).verdict,
            Verdict::Warning
        );
        let good = token(
            Scope::Admin,
            Some("Vb3JcV6mY1xJ0qk8h0mM0w3u8y5RZr3a"),
            false,
            locked,
        );
        assert_eq!(good.verdict, Verdict::Ok);
        assert!(!good.found.contains("Vb3J"), "never print a token");
    }

    #[test]
    fn one_token_for_kitchen_and_admin_is_a_problem() {
        let same = "the-same-long-token-for-both";
        let findings = check(&config(&[
            "--demo",
            "--kitchen-token",
            same,
            "--admin-token",
            same,
        ]));
        assert!(
            findings
                .iter()
                .any(|finding| finding.verdict == Verdict::Problem
                    && finding.found.contains("are the same")),
            "{:?}",
            verdicts(&findings)
        );
    }

    #[test]
    fn a_plain_http_public_url_for_diners_warns_and_https_is_fine() {
        let plain = public_url(&config(&["--demo", "--public-url", "http://order.example"]));
        assert_eq!(plain.verdict, Verdict::Warning);
        let local = public_url(&config(&[
            "--demo",
            "--public-url",
            "http://127.0.0.1:8080",
        ]));
        assert_eq!(local.verdict, Verdict::Ok);
        let tls = public_url(&config(&[
            "--demo",
            "--public-url",
            "https://order.example",
        ]));
        assert_eq!(tls.verdict, Verdict::Ok);
        let broken = public_url(&config(&["--demo", "--public-url", "order.example"]));
        assert_eq!(broken.verdict, Verdict::Problem);
    }

    #[test]
    fn behind_a_proxy_the_forwarded_address_and_per_address_caps_are_checked() {
        let naive = proxy(&config(&[
            "--demo",
            "--public-url",
            "https://order.example",
        ]));
        assert_eq!(naive.len(), 2, "{:?}", verdicts(&naive));
        let tuned = proxy(&config(&[
            "--demo",
            "--public-url",
            "https://order.example",
            "--trust-forwarded-for",
            "--max-connections-per-address",
            "0",
        ]));
        assert!(tuned.is_empty(), "{:?}", verdicts(&tuned));
        let exposed = proxy(&config(&[
            "--demo",
            "--listen",
            "0.0.0.0:8080",
            "--trust-forwarded-for",
        ]));
        assert_eq!(exposed.len(), 1, "{:?}", verdicts(&exposed));
        assert!(exposed[0].found.contains("any address"));
    }

    #[test]
    fn a_menu_that_does_not_parse_is_a_problem() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("menu.json");
        std::fs::write(&path, "{\"items\": 3}").expect("write");
        let found = menu(&config(&["--menu", path.to_str().expect("utf-8")]));
        assert_eq!(found.verdict, Verdict::Problem);
        std::fs::write(&path, wendan_server::menu::DEMO_MENU_JSON).expect("write");
        let found = menu(&config(&["--menu", path.to_str().expect("utf-8")]));
        assert_eq!(found.verdict, Verdict::Ok, "{}", found.found);
    }

    #[test]
    fn a_widget_directory_without_index_html_is_a_problem() {
        let dir = tempfile::tempdir().expect("dir");
        let static_dir = dir.path().to_str().expect("utf-8");
        assert_eq!(
            widget(&config(&["--demo", "--static", static_dir])).verdict,
            Verdict::Problem
        );
        std::fs::write(dir.path().join("index.html"), "<!DOCTYPE html>").expect("write");
        assert_eq!(
            widget(&config(&["--demo", "--static", static_dir])).verdict,
            Verdict::Ok
        );
    }
}
