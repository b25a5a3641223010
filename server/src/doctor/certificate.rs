//! The public address as a diner's browser meets it: a trusted certificate
//! that is not about to expire, HSTS, and `/healthz` answered through the
//! proxy by a Wendan server.

use std::path::Path;
use std::time::Duration;

use reqwest::{Client, Response, Url};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Finding, with_causes};

const AREA: &str = "certificate";
const TIMEOUT: Duration = Duration::from_secs(10);
/// Automatic renewal (certbot) renews at 30 days left: under this, it is not running.
const WARNING_DAYS: i64 = 21;
const PROBLEM_DAYS: i64 = 7;

pub async fn check(url: &str, ca_file: Option<&Path>) -> Vec<Finding> {
    let parsed = match Url::parse(url) {
        Ok(parsed) if parsed.scheme() == "https" => parsed,
        _ => {
            return vec![Finding::warning(
                AREA,
                format!("{url} is not an https:// URL: no certificate to check"),
                "give --url https://your-ordering-host",
            )];
        }
    };
    let health = match parsed.join("/healthz") {
        Ok(health) => health,
        Err(error) => {
            return vec![Finding::problem(
                AREA,
                format!("{url}: {error}"),
                "give a URL like https://order.example.com",
            )];
        }
    };
    let trusted = match client(ca_file, false) {
        Ok(client) => client.get(health.clone()).send().await,
        Err(problem) => return vec![problem],
    };
    match trusted {
        Ok(response) => {
            let mut findings = vec![Finding::ok(
                AREA,
                format!("{url}: the certificate is trusted"),
            )];
            findings.extend(examine(response).await);
            findings
        }
        Err(refused) => {
            // Read the certificate anyway, to say what is wrong with it.
            let looked = match client(ca_file, true) {
                Ok(client) => client.get(health).send().await,
                Err(problem) => return vec![problem],
            };
            match looked {
                Ok(response) => {
                    let mut findings = vec![Finding::problem(
                        AREA,
                        format!(
                            "{url}: browsers will refuse the certificate ({})",
                            with_causes(&refused)
                        ),
                        "use a certificate for this name from a CA browsers trust (e.g. Let's Encrypt with certbot)",
                    )];
                    findings.extend(examine(response).await);
                    findings
                }
                Err(_) => vec![Finding::problem(
                    AREA,
                    format!("cannot reach {url}: {}", with_causes(&refused)),
                    "check the name's DNS, the firewall, and that nginx listens on 443",
                )],
            }
        }
    }
}

fn client(ca_file: Option<&Path>, accept_any: bool) -> Result<Client, Finding> {
    let mut builder = Client::builder()
        .tls_info(true)
        .timeout(TIMEOUT)
        .danger_accept_invalid_certs(accept_any);
    if let Some(path) = ca_file {
        let pem = std::fs::read(path).map_err(|error| {
            Finding::problem(
                AREA,
                format!("cannot read {}: {error}", path.display()),
                "give a PEM file to --ca-file",
            )
        })?;
        let ca = reqwest::Certificate::from_pem(&pem).map_err(|error| {
            Finding::problem(
                AREA,
                format!("{} is not a PEM certificate: {error}", path.display()),
                "give a PEM file to --ca-file",
            )
        })?;
        builder = builder.add_root_certificate(ca);
    }
    builder.build().map_err(|error| {
        Finding::problem(
            AREA,
            format!("cannot set up TLS: {}", with_causes(&error)),
            "report this as a bug",
        )
    })
}

/// Expiry, HSTS and `/healthz` from one answer.
async fn examine(response: Response) -> Vec<Finding> {
    let mut findings = Vec::new();
    let certificate = response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate().map(<[u8]>::to_vec));
    findings.push(match certificate.as_deref().map(not_after) {
        Some(Ok(not_after)) => expiry(not_after, OffsetDateTime::now_utc()),
        Some(Err(error)) => Finding::warning(
            AREA,
            format!("cannot read the certificate: {error}"),
            "check it with openssl x509 -noout -enddate",
        ),
        None => Finding::warning(
            AREA,
            "the server sent no certificate to read",
            "check it with openssl s_client",
        ),
    });
    if !response
        .headers()
        .contains_key(reqwest::header::STRICT_TRANSPORT_SECURITY)
    {
        findings.push(Finding::warning(
            "https",
            "no Strict-Transport-Security header: a diner's first visit can be downgraded to HTTP",
            "add HSTS in the proxy (deploy/nginx/wendan.conf does)",
        ));
    }
    let status = response.status();
    let url = response.url().clone();
    let body = response.text().await.unwrap_or_default();
    findings.push(if status.is_success() && body.trim() == "ok" {
        Finding::ok(
            "https",
            format!("{url} answers ok: the proxy reaches wendan-server"),
        )
    } else {
        Finding::problem(
            "https",
            format!("{url} answered {status}, not wendan-server's ok"),
            "check the proxy's upstream (deploy/nginx) and that wendan-server runs",
        )
    });
    findings
}

fn not_after(der: &[u8]) -> Result<OffsetDateTime, String> {
    let (_, certificate) =
        x509_parser::parse_x509_certificate(der).map_err(|error| error.to_string())?;
    Ok(certificate.validity().not_after.to_datetime())
}

/// The verdict on a certificate valid until `not_after`, seen at `now`.
pub fn expiry(not_after: OffsetDateTime, now: OffsetDateTime) -> Finding {
    let date = not_after
        .format(&Rfc3339)
        .unwrap_or_else(|_| not_after.to_string());
    let days = (not_after - now).whole_days();
    let renew = "renew it (certbot renew) and reload nginx; check that renewal runs by itself (systemctl list-timers)";
    if not_after <= now {
        Finding::problem(AREA, format!("the certificate expired on {date}"), renew)
    } else if days < PROBLEM_DAYS {
        Finding::problem(
            AREA,
            format!("the certificate expires in {days} days ({date})"),
            renew,
        )
    } else if days < WARNING_DAYS {
        Finding::warning(
            AREA,
            format!("the certificate expires in {days} days ({date}): renewal is not happening"),
            renew,
        )
    } else {
        Finding::ok(
            AREA,
            format!("the certificate is valid until {date} ({days} days)"),
        )
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::doctor::Verdict;

    #[test]
    fn a_certificate_is_fine_then_warns_then_is_a_problem_as_it_nears_expiry() {
        let now = datetime!(2026-12-02 12:00 UTC);
        let in_days = |days| now + time::Duration::days(days);
        assert_eq!(expiry(in_days(60), now).verdict, Verdict::Ok);
        let soon = expiry(in_days(14), now);
        assert_eq!(soon.verdict, Verdict::Warning);
        assert!(soon.found.contains("14 days"), "{}", soon.found);
        assert_eq!(expiry(in_days(3), now).verdict, Verdict::Problem);
        let expired = expiry(in_days(-1), now);
        assert_eq!(expired.verdict, Verdict::Problem);
        assert!(
            expired.found.contains("expired on 2026-12-01"),
            "{}",
            expired.found
        );
    }
}
