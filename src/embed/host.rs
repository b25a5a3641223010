//! Which page may hear the widget and command it. The loader names its page
//! (`?host=<origin>`); the widget believes it only if the server's
//! `--frame-ancestors` lists it and, where the browser says who the parent
//! is (`location.ancestorOrigins`), that agrees. Anything else: no bridge.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostRefused {
    #[error("not embedded in another page")]
    NotFramed,
    #[error("no ?host= from the loader")]
    NoHost,
    #[error("host {0} is not in the server's --frame-ancestors")]
    NotAllowed(String),
    #[error("host {claimed} is not the page framing the widget ({actual})")]
    NotTheParent { claimed: String, actual: String },
}

/// The origin to post to and accept commands from.
pub fn trusted_host(
    framed: bool,
    claimed: Option<&str>,
    allowed: &[String],
    parent_origin: Option<&str>,
) -> Result<String, HostRefused> {
    if !framed {
        return Err(HostRefused::NotFramed);
    }
    let claimed = claimed
        .map(|host| host.trim().trim_end_matches('/').to_ascii_lowercase())
        .filter(|host| !host.is_empty())
        .ok_or(HostRefused::NoHost)?;
    if !allowed.contains(&claimed) {
        return Err(HostRefused::NotAllowed(claimed));
    }
    if let Some(actual) = parent_origin
        && actual.to_ascii_lowercase() != claimed
    {
        return Err(HostRefused::NotTheParent {
            claimed,
            actual: actual.to_owned(),
        });
    }
    Ok(claimed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Vec<String> {
        vec![
            "https://shop.example".into(),
            "http://127.0.0.1:8081".into(),
        ]
    }

    #[test]
    fn an_allowed_parent_is_trusted() {
        assert_eq!(
            trusted_host(
                true,
                Some("https://Shop.Example/"),
                &allowed(),
                Some("https://shop.example")
            ),
            Ok("https://shop.example".into())
        );
        // Browsers without ancestorOrigins rely on the list (and frame-ancestors).
        assert_eq!(
            trusted_host(true, Some("http://127.0.0.1:8081"), &allowed(), None),
            Ok("http://127.0.0.1:8081".into())
        );
    }

    #[test]
    fn anything_else_gets_no_bridge() {
        assert_eq!(
            trusted_host(false, Some("https://shop.example"), &allowed(), None),
            Err(HostRefused::NotFramed)
        );
        assert_eq!(
            trusted_host(true, None, &allowed(), None),
            Err(HostRefused::NoHost)
        );
        assert!(matches!(
            trusted_host(true, Some("https://evil.example"), &allowed(), None),
            Err(HostRefused::NotAllowed(_))
        ));
        assert!(matches!(
            trusted_host(
                true,
                Some("https://shop.example"),
                &allowed(),
                Some("https://evil.example")
            ),
            Err(HostRefused::NotTheParent { .. })
        ));
    }
}
