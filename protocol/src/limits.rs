//! How long each piece of free text may be, in characters (not bytes: a
//! Chinese name is as long as an English one), and what an identifier may be
//! made of. One set of limits for the widget's inputs, the server's checks
//! and the staff pages' forms: every tablet re-reads the kitchen board after
//! every event, so nothing a diner or a script types may grow it without bound.

/// An order's note and each line's note ("no coriander").
pub const MAX_NOTE_CHARS: usize = 140;
/// The name called out at the counter for a pickup order.
pub const MAX_PICKUP_NAME_CHARS: usize = 40;
/// A table's id, as the QR code carries it in `?table=`.
pub const MAX_TABLE_CHARS: usize = 32;
/// A table's secret code, as the QR code carries it in `?code=`: the
/// server makes 16 characters; a longer one is no table's.
pub const MAX_TABLE_CODE_CHARS: usize = 64;
/// A table's label on the staff pages, e.g. "窗边 Window".
pub const MAX_TABLE_LABEL_CHARS: usize = 40;
/// Why the kitchen cancelled an order; the diner reads it.
pub const MAX_CANCEL_REASON_CHARS: usize = 200;
/// What diners are told while the kitchen has paused intake.
pub const MAX_PAUSE_MESSAGE_CHARS: usize = 200;
/// A device id: the widget makes a UUID (36 characters).
pub const MAX_DEVICE_ID_CHARS: usize = 64;

/// Whether `text` fits in `limit` characters.
pub fn fits(text: &str, limit: usize) -> bool {
    text.chars().nth(limit).is_none()
}

/// Letters, digits, `-` and `_`: what goes into a URL, a log line or a
/// rate limiter's key unescaped, and looks the same to everyone (no
/// newlines, no bidirectional overrides, no look-alike letters).
pub fn is_plain_id(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

/// A table id: plain and at most [`MAX_TABLE_CHARS`] long.
pub fn is_table_id(id: &str) -> bool {
    is_plain_id(id) && id.len() <= MAX_TABLE_CHARS
}

/// A device id: plain and at most [`MAX_DEVICE_ID_CHARS`] long. It keys the
/// per-device rate limit and scopes idempotency keys, so it must be there.
pub fn is_device_id(id: &str) -> bool {
    is_plain_id(id) && id.len() <= MAX_DEVICE_ID_CHARS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_characters_not_bytes() {
        assert!(fits(
            &"满".repeat(MAX_PAUSE_MESSAGE_CHARS),
            MAX_PAUSE_MESSAGE_CHARS
        ));
        assert!(!fits(
            &"满".repeat(MAX_PAUSE_MESSAGE_CHARS + 1),
            MAX_PAUSE_MESSAGE_CHARS
        ));
        assert!(fits("", 0));
    }

    #[test]
    fn ids_are_plain_and_bounded() {
        assert!(is_table_id("A12"));
        assert!(is_table_id(&"A".repeat(MAX_TABLE_CHARS)));
        for bad in ["", "A 1", "A1\n", "A1\u{202e}", "Ａ1", &"A".repeat(33)] {
            assert!(!is_table_id(bad), "{bad:?}");
        }
        assert!(is_device_id("8e03978e-40d5-43e8-bc93-6894a57f9324"));
        assert!(is_device_id("unknown-device"));
        assert!(!is_device_id(""));
        assert!(!is_device_id(&"d".repeat(MAX_DEVICE_ID_CHARS + 1)));
    }
}
