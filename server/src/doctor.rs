//! `wendan-server doctor`: what an operator should fix before (or while) the
//! server serves, checked with the server's own configuration: the tokens,
//! URLs and flags; the database (reachable, migrations applied or pending,
//! its clock against this machine's); the disk under SQLite; and the public
//! certificate. It only reads and connects: nothing is created or migrated.
//!
//! Each check turns what it measured into findings through plain functions
//! (unit-tested beside them); the probes that measure are thin.

mod certificate;
mod database;
mod disk;
mod settings;

use std::fmt;
use std::path::Path;

use wendan_server::Config;

/// How bad a finding is. Only problems fail the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// Works, but not as a restaurant wants it (a locked admin, plain HTTP).
    Warning,
    /// Must be fixed: the server will not start, or diners or staff lose out.
    Problem,
}

/// One thing checked, what was found and, unless it is fine, what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub area: &'static str,
    pub verdict: Verdict,
    pub found: String,
    pub fix: Option<String>,
}

impl Finding {
    pub fn ok(area: &'static str, found: impl Into<String>) -> Self {
        Self {
            area,
            verdict: Verdict::Ok,
            found: found.into(),
            fix: None,
        }
    }

    pub fn warning(area: &'static str, found: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            area,
            verdict: Verdict::Warning,
            found: found.into(),
            fix: Some(fix.into()),
        }
    }

    pub fn problem(area: &'static str, found: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            area,
            verdict: Verdict::Problem,
            found: found.into(),
            fix: Some(fix.into()),
        }
    }
}

/// Everything found, in the order checked.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    fn count(&self, verdict: Verdict) -> usize {
        self.findings
            .iter()
            .filter(|finding| finding.verdict == verdict)
            .count()
    }

    /// 0 when nothing must be fixed (warnings allowed), 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.count(Verdict::Problem) > 0)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        for finding in &self.findings {
            let label = match finding.verdict {
                Verdict::Ok => "ok",
                Verdict::Warning => "WARNING",
                Verdict::Problem => "PROBLEM",
            };
            writeln!(out, "{label:<8} {:<12} {}", finding.area, finding.found)?;
            if let Some(fix) = &finding.fix {
                writeln!(out, "{:<21} fix: {fix}", "")?;
            }
        }
        let (problems, warnings) = (self.count(Verdict::Problem), self.count(Verdict::Warning));
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let summary = format!(
            "{}, {}",
            plural(problems, "problem"),
            plural(warnings, "warning")
        );
        if problems > 0 {
            writeln!(out, "\n{summary}: fix the problems before serving.")
        } else {
            writeln!(out, "\n{summary}.")
        }
    }
}

/// Runs every check. `url` is the public HTTPS address to check (default:
/// `--public-url` when it is https); `ca_file` a CA to trust besides the system's.
pub async fn run(config: &Config, url: Option<&str>, ca_file: Option<&Path>) -> Report {
    let mut findings = settings::check(config);
    findings.extend(database::check(&config.database).await);
    if let Some(path) = config.database.strip_prefix("sqlite://") {
        findings.push(disk::check(Path::new(path)));
    }
    let public = config.public_url();
    let url = url.or_else(|| public.starts_with("https://").then_some(public.as_str()));
    match url {
        Some(url) => findings.extend(certificate::check(url, ca_file).await),
        None => findings.push(Finding::ok(
            "certificate",
            "not checked: no https URL (give --url https://… or set --public-url)",
        )),
    }
    Report { findings }
}

/// An error and its causes, `outer: inner: root`, as an operator needs them.
pub fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_problems_fail_the_run() {
        let mut report = Report::default();
        report.findings.push(Finding::ok("a", "fine"));
        report
            .findings
            .push(Finding::warning("b", "meh", "tune it"));
        assert_eq!(report.exit_code(), 0);
        report
            .findings
            .push(Finding::problem("c", "broken", "fix it"));
        assert_eq!(report.exit_code(), 1);
    }

    #[test]
    fn the_report_says_what_to_fix_under_each_finding() {
        let report = Report {
            findings: vec![
                Finding::ok("settings", "kitchen token set"),
                Finding::problem("database", "cannot connect", "start PostgreSQL"),
            ],
        };
        let text = report.to_string();
        assert!(
            text.contains("ok       settings     kitchen token set\n"),
            "{text}"
        );
        assert!(
            text.contains("PROBLEM  database     cannot connect\n"),
            "{text}"
        );
        assert!(text.contains("fix: start PostgreSQL\n"), "{text}");
        assert!(
            text.ends_with("1 problem, 0 warnings: fix the problems before serving.\n"),
            "{text}"
        );
    }
}
