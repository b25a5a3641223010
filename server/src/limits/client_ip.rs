//! The diner's address, for per-address limits.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

/// The TCP peer, or — behind a load balancer that the operator trusts — the
/// address that load balancer appended to `X-Forwarded-For`. Only the last
/// entry is used: everything before it was written by the client and can be
/// forged.
pub fn client_ip(peer: SocketAddr, headers: &HeaderMap, trust_forwarded_for: bool) -> IpAddr {
    if !trust_forwarded_for {
        return peer.ip();
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .next_back()
        .and_then(|last| last.trim().parse().ok())
        .unwrap_or(peer.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer() -> SocketAddr {
        "192.0.2.10:5000".parse().expect("address")
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().expect("header value"));
        }
        headers
    }

    #[test]
    fn the_peer_counts_unless_the_proxy_is_trusted() {
        let headers = forwarded(&["198.51.100.7"]);
        assert_eq!(client_ip(peer(), &headers, false), peer().ip());
        assert_eq!(
            client_ip(peer(), &headers, true),
            "198.51.100.7".parse::<IpAddr>().expect("ip")
        );
    }

    #[test]
    fn only_the_entry_the_proxy_appended_is_believed() {
        let headers = forwarded(&["1.1.1.1, 2.2.2.2", "203.0.113.9"]);
        assert_eq!(
            client_ip(peer(), &headers, true),
            "203.0.113.9".parse::<IpAddr>().expect("ip")
        );
    }

    #[test]
    fn a_garbled_header_falls_back_to_the_peer() {
        let headers = forwarded(&["not-an-address"]);
        assert_eq!(client_ip(peer(), &headers, true), peer().ip());
        assert_eq!(client_ip(peer(), &HeaderMap::new(), true), peer().ip());
    }
}
