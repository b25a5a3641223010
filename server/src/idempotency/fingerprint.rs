//! What makes two requests "the same": every field the diner chose, and not
//! `client.sent_at`, which a retry sets anew by design.

use sha2::{Digest, Sha256};
use wendan_protocol::OrderRequest;

/// SHA-256 of the request's canonical JSON, with `sent_at` normalised away.
pub fn fingerprint(request: &OrderRequest) -> String {
    let mut canonical = request.clone();
    canonical.client.sent_at = canonical.client.created_at;
    // Serializing a plain struct cannot fail; an empty input would still be
    // deterministic, never a false match with a real body.
    let bytes = serde_json::to_vec(&canonical).unwrap_or_default();
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use wendan_protocol::fixtures::{dine_in, line};

    use super::*;

    fn request() -> OrderRequest {
        dine_in(
            vec![line("beef-tripe", 1, &[])],
            datetime!(2026-11-23 04:00 UTC),
            3800,
        )
    }

    #[test]
    fn a_retry_with_a_new_sent_at_is_the_same_request() {
        let mut retry = request();
        retry.client.sent_at = datetime!(2026-11-23 04:05 UTC);
        assert_eq!(fingerprint(&request()), fingerprint(&retry));
    }

    #[test]
    fn any_change_the_diner_made_is_a_different_request() {
        let mut more = request();
        more.items[0].qty = 2;
        assert_ne!(fingerprint(&request()), fingerprint(&more));
        let mut elsewhere = request();
        elsewhere.table = Some("A2".into());
        assert_ne!(fingerprint(&request()), fingerprint(&elsewhere));
    }
}
