//! Money as integer minor units (fen for CNY), formatted for people.
//!
//! Amounts never touch floating point: 0.1 + 0.2 is not a price.

/// Formats `amount_minor` of `currency` (ISO 4217) for display: `¥38.00`,
/// `-¥2.50`. Currencies without a known symbol are prefixed with their code.
pub fn format_minor(amount_minor: i64, currency: &str) -> String {
    let (symbol, decimals) = match currency {
        "CNY" => ("¥", 2),
        "USD" => ("$", 2),
        "EUR" => ("€", 2),
        "GBP" => ("£", 2),
        "JPY" => ("¥", 0),
        _ => ("", 2),
    };
    let sign = if amount_minor < 0 { "-" } else { "" };
    let prefix = if symbol.is_empty() {
        format!("{currency} ")
    } else {
        symbol.to_owned()
    };
    let magnitude = amount_minor.unsigned_abs();
    if decimals == 0 {
        return format!("{sign}{prefix}{magnitude}");
    }
    let unit = 10u64.pow(decimals);
    let width = decimals as usize;
    format!(
        "{sign}{prefix}{}.{:0width$}",
        magnitude / unit,
        magnitude % unit
    )
}

#[cfg(test)]
mod tests {
    use super::format_minor;

    #[test]
    fn yuan_has_two_decimals() {
        assert_eq!(format_minor(3800, "CNY"), "¥38.00");
        assert_eq!(format_minor(5, "CNY"), "¥0.05");
        assert_eq!(format_minor(-250, "CNY"), "-¥2.50");
    }

    #[test]
    fn yen_has_none_and_unknown_currencies_show_their_code() {
        assert_eq!(format_minor(500, "JPY"), "¥500");
        assert_eq!(format_minor(1234, "CHF"), "CHF 12.34");
    }
}
