//! Content-Security-Policy violation reports as browsers send them, read
//! into the few fields worth a log line.
//!
//! Two formats reach `/api/v1/csp-reports`: `report-uri`'s
//! `application/csp-report` (`{"csp-report": {"document-uri": …}}`) and
//! the Reporting API's `application/reports+json` (`[{"type":
//! "csp-violation", "body": {"documentURL": …}}]`). Anyone can post here,
//! so nothing of a report reaches the log raw: each field is cut to
//! [`MAX_FIELD_CHARS`] and logged as a quoted, escaped string, so a newline
//! in it cannot start a forged log line.

use serde::Deserialize;
use serde_json::Value;

/// Longest field kept; a URL or sample past it is cut.
pub const MAX_FIELD_CHARS: usize = 200;

/// The marker every report's log line carries; the end-to-end tests fail on
/// any line with it (see `tests/e2e/support/server.mjs`).
pub const LOG_MESSAGE: &str = "CSP violation reported";

/// One violation, in the fields that say what was blocked where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Violation {
    pub document: String,
    pub directive: String,
    pub blocked: String,
    pub source: String,
    pub sample: String,
    pub disposition: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("a report is `application/csp-report` or `application/reports+json`")]
    UnknownType,
    #[error("not a violation report: {0}")]
    Unreadable(#[from] serde_json::Error),
}

/// The violations in a body of `content_type` (its essence, lower case).
pub fn parse(content_type: &str, body: &[u8]) -> Result<Vec<Violation>, ReportError> {
    match content_type {
        // Some browsers label the `report-uri` format plain JSON.
        "application/csp-report" | "application/json" => {
            let report: LegacyReport = serde_json::from_slice(body)?;
            Ok(vec![report.csp_report.into()])
        }
        "application/reports+json" => {
            let reports: Vec<Report> = serde_json::from_slice(body)?;
            Ok(reports
                .into_iter()
                .filter(|report| report.kind == "csp-violation")
                .map(|report| report.body.into())
                .collect())
        }
        _ => Err(ReportError::UnknownType),
    }
}

/// Logs one violation: fields escaped (`?`), never the raw text.
pub fn log(violation: &Violation) {
    tracing::warn!(
        target: "wendan_server::csp",
        document = ?violation.document,
        directive = ?violation.directive,
        blocked = ?violation.blocked,
        source = ?violation.source,
        sample = ?violation.sample,
        disposition = ?violation.disposition,
        "{LOG_MESSAGE}"
    );
}

#[derive(Deserialize)]
struct LegacyReport {
    #[serde(rename = "csp-report")]
    csp_report: LegacyBody,
}

/// `report-uri`'s fields (CSP Level 2, kebab-case).
#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case", default)]
struct LegacyBody {
    document_uri: Option<Value>,
    violated_directive: Option<Value>,
    effective_directive: Option<Value>,
    blocked_uri: Option<Value>,
    source_file: Option<Value>,
    line_number: Option<Value>,
    script_sample: Option<Value>,
    disposition: Option<Value>,
}

#[derive(Deserialize)]
struct Report {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    body: ReportBody,
}

/// The Reporting API's `csp-violation` body (camelCase).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ReportBody {
    #[serde(rename = "documentURL")]
    document_url: Option<Value>,
    effective_directive: Option<Value>,
    #[serde(rename = "blockedURL")]
    blocked_url: Option<Value>,
    source_file: Option<Value>,
    line_number: Option<Value>,
    sample: Option<Value>,
    disposition: Option<Value>,
}

impl From<LegacyBody> for Violation {
    fn from(body: LegacyBody) -> Self {
        Violation {
            document: field(body.document_uri.as_ref()),
            directive: field(
                body.effective_directive
                    .or(body.violated_directive)
                    .as_ref(),
            ),
            blocked: field(body.blocked_uri.as_ref()),
            source: source(body.source_file.as_ref(), body.line_number.as_ref()),
            sample: field(body.script_sample.as_ref()),
            disposition: field(body.disposition.as_ref()),
        }
    }
}

impl From<ReportBody> for Violation {
    fn from(body: ReportBody) -> Self {
        Violation {
            document: field(body.document_url.as_ref()),
            directive: field(body.effective_directive.as_ref()),
            blocked: field(body.blocked_url.as_ref()),
            source: source(body.source_file.as_ref(), body.line_number.as_ref()),
            sample: field(body.sample.as_ref()),
            disposition: field(body.disposition.as_ref()),
        }
    }
}

/// A string or number as text, cut to [`MAX_FIELD_CHARS`]; anything else empty.
fn field(value: Option<&Value>) -> String {
    let text = match value {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    };
    text.chars().take(MAX_FIELD_CHARS).collect()
}

/// `file:line`, or whichever of them is known.
fn source(file: Option<&Value>, line: Option<&Value>) -> String {
    match (field(file), field(line)) {
        (file, line) if line.is_empty() => file,
        (file, line) => format!("{file}:{line}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_uri_report_is_read() {
        let body = br#"{"csp-report":{"document-uri":"http://127.0.0.1:8080/","violated-directive":"style-src-elem","effective-directive":"style-src-elem","blocked-uri":"inline","source-file":"http://127.0.0.1:8080/x.js","line-number":12,"disposition":"enforce"}}"#;
        let violations = parse("application/csp-report", body).expect("report");
        assert_eq!(
            violations,
            vec![Violation {
                document: "http://127.0.0.1:8080/".into(),
                directive: "style-src-elem".into(),
                blocked: "inline".into(),
                source: "http://127.0.0.1:8080/x.js:12".into(),
                sample: String::new(),
                disposition: "enforce".into(),
            }]
        );
    }

    #[test]
    fn reporting_api_reports_are_read_and_other_types_skipped() {
        let body = br#"[
            {"type":"csp-violation","age":1,"url":"http://a/","user_agent":"x","body":{"documentURL":"http://a/","effectiveDirective":"frame-ancestors","blockedURL":"http://a/","disposition":"enforce"}},
            {"type":"deprecation","body":{"id":"x"}}
        ]"#;
        let violations = parse("application/reports+json", body).expect("reports");
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].directive, "frame-ancestors");
        assert_eq!(violations[0].document, "http://a/");
    }

    #[test]
    fn anything_else_is_refused() {
        assert!(matches!(
            parse("text/plain", b"{}"),
            Err(ReportError::UnknownType)
        ));
        assert!(matches!(
            parse("application/csp-report", b"line one\nline two"),
            Err(ReportError::Unreadable(_))
        ));
    }

    #[test]
    fn long_fields_are_cut() {
        let long = "x".repeat(5000);
        let body = format!(r#"{{"csp-report":{{"blocked-uri":"{long}"}}}}"#);
        let violations = parse("application/csp-report", body.as_bytes()).expect("report");
        assert_eq!(violations[0].blocked.chars().count(), MAX_FIELD_CHARS);
    }
}
