//! What the answer to one delivery attempt means for the order.
//!
//! Only an answer the server could have sent on purpose is final: 201 is
//! delivered; 400, 413 and 422 are refusals to show the diner. Everything
//! else (no answer, a timeout, a 5xx, a captive portal's HTML page, a proxy's
//! 404) means "not known to be delivered": retry with the same key and body.

use time::{Duration, OffsetDateTime};
use wendan_protocol::{PlacedOrder, Problem, ProblemType};

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The restaurant has it (first answer or a replay of it).
    Delivered(PlacedOrder),
    /// The key's first request is still being handled: retry soon, unchanged.
    InProgress,
    /// 503 or 429: the server says when to come back, if it says.
    Throttled { retry_after: Option<Duration> },
    /// A final refusal, to be shown to the diner in their language.
    Refused(Problem),
    /// Nothing known: network error, timeout, 5xx, an answer we cannot read.
    Unknown(String),
}

impl Outcome {
    /// Classifies an HTTP answer. `retry_after` is the raw header value.
    /// The body is text because every JSON read in the widget goes through
    /// `serde_json::from_str`: one reader per type in the wasm, not two.
    pub fn from_response(
        status: u16,
        retry_after: Option<&str>,
        body: &str,
        now: OffsetDateTime,
    ) -> Outcome {
        match status {
            200 | 201 => match serde_json::from_str::<PlacedOrder>(body) {
                Ok(order) => Outcome::Delivered(order),
                Err(error) => Outcome::Unknown(format!("unreadable {status} answer: {error}")),
            },
            409 => match problem(body).and_then(|problem| problem.kind()) {
                Some(ProblemType::IdempotencyKeyInUse) => Outcome::InProgress,
                _ => Outcome::Unknown("409 without idempotency-key-in-use".into()),
            },
            429 | 503 => Outcome::Throttled {
                retry_after: retry_after.and_then(|value| parse_retry_after(value, now)),
            },
            400 | 413 | 422 => match problem(body) {
                Some(problem) => Outcome::Refused(problem),
                // A refusal we cannot read may not be ours (a proxy's page).
                None => Outcome::Unknown(format!("{status} without problem details")),
            },
            other => Outcome::Unknown(format!("HTTP {other}")),
        }
    }

    /// A request that got no answer at all.
    pub fn no_answer(why: impl Into<String>) -> Outcome {
        Outcome::Unknown(why.into())
    }
}

fn problem(body: &str) -> Option<Problem> {
    serde_json::from_str(body).ok()
}

/// `Retry-After`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str, now: OffsetDateTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u32>() {
        return Some(Duration::seconds(i64::from(seconds)));
    }
    let at = OffsetDateTime::from(httpdate::parse_http_date(value).ok()?);
    Some((at - now).max(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-11-23 12:00:00 UTC);

    fn problem_body(kind: ProblemType) -> String {
        serde_json::to_string(&Problem::new(kind)).expect("serializable")
    }

    #[test]
    fn refusals_are_final_and_keep_the_problem() {
        let outcome =
            Outcome::from_response(422, None, &problem_body(ProblemType::MenuChanged), NOW);
        let Outcome::Refused(problem) = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(problem.kind(), Some(ProblemType::MenuChanged));
    }

    #[test]
    fn a_key_in_use_is_retried_unchanged() {
        let body = problem_body(ProblemType::IdempotencyKeyInUse);
        assert_eq!(
            Outcome::from_response(409, None, &body, NOW),
            Outcome::InProgress
        );
    }

    #[test]
    fn shed_load_carries_its_retry_after() {
        let outcome = Outcome::from_response(503, Some("7"), "", NOW);
        assert_eq!(
            outcome,
            Outcome::Throttled {
                retry_after: Some(Duration::seconds(7))
            }
        );
        let dated = Outcome::from_response(429, Some("Mon, 23 Nov 2026 12:00:30 GMT"), "", NOW);
        assert_eq!(
            dated,
            Outcome::Throttled {
                retry_after: Some(Duration::seconds(30))
            }
        );
    }

    #[test]
    fn retry_after_takes_every_http_date_form_and_ignores_nonsense() {
        for form in [
            "Mon, 23 Nov 2026 12:00:30 GMT",
            "Monday, 23-Nov-26 12:00:30 GMT",
            "Mon Nov 23 12:00:30 2026",
        ] {
            assert_eq!(
                parse_retry_after(form, NOW),
                Some(Duration::seconds(30)),
                "{form}"
            );
        }
        assert_eq!(
            parse_retry_after("Mon, 23 Nov 2026 11:00:00 GMT", NOW),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(parse_retry_after("soon", NOW), None);
        assert_eq!(parse_retry_after("-5", NOW), None);
    }

    #[test]
    fn anything_unexplained_is_unknown_and_will_be_retried() {
        for (status, body) in [
            (500, "oops"),
            (502, ""),
            (404, "<html>captive portal</html>"),
            (201, "<html>captive portal</html>"),
            (422, "<html>proxy error</html>"),
        ] {
            let outcome = Outcome::from_response(status, None, body, NOW);
            assert!(
                matches!(outcome, Outcome::Unknown(_)),
                "{status}: {outcome:?}"
            );
        }
    }

    #[test]
    fn a_retry_after_in_the_past_means_now() {
        let past = parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", NOW);
        assert_eq!(past, Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", NOW), None);
    }
}
