//! A restaurant's brand on the widget: colour, logo, corner radius. The
//! colour carries white text (buttons, the header), so a colour that would
//! fall below WCAG's 4.5:1 for normal text is darkened until it passes —
//! the server and the widget apply the same rule, so a restaurant sees the
//! colour it will get, with a warning, instead of an unreadable button.

use serde::{Deserialize, Serialize};

/// WCAG 2.x AA contrast for normal text.
pub const MIN_CONTRAST: f64 = 4.5;

/// The text colour used on the brand colour (`--brand-ink` in the widget).
pub const BRAND_INK: Rgb = Rgb(0xff, 0xff, 0xff);

/// The largest corner radius, in CSS pixels, that keeps buttons buttons.
pub const MAX_RADIUS_PX: u8 = 32;

/// Theming as the server publishes it (`GET /api/v1/embed`) and the loader's
/// attributes give it. Every field is optional: absent means the widget's own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Theme {
    /// `#rrggbb`: buttons and header; adjusted for contrast with white text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// A same-origin path (`/logo.svg`) shown in the widget's header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// Corner radius of buttons and panels, in CSS pixels (0–32).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radius_px: Option<u8>,
}

/// What a host page may do with the widget, from `GET /api/v1/embed`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmbedConfig {
    /// Origins (`https://shop.example`) allowed to frame and command the widget.
    pub frame_ancestors: Vec<String>,
    pub theme: Theme,
}

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThemeError {
    #[error("brand colour {0:?} is not #rrggbb or #rgb")]
    NotAColour(String),
    #[error("corner radius {0} is over {MAX_RADIUS_PX}px")]
    RadiusTooLarge(u16),
    #[error("logo {0:?} must be a path on the ordering site, like /logo.svg")]
    LogoNotSameOrigin(String),
}

/// A brand colour that passes contrast, and whether it had to be darkened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accessible {
    pub color: Rgb,
    pub adjusted: bool,
}

impl Rgb {
    /// `#rrggbb` or `#rgb`, case-insensitive.
    pub fn parse(text: &str) -> Result<Self, ThemeError> {
        let error = || ThemeError::NotAColour(text.to_owned());
        let hex = text.trim().strip_prefix('#').ok_or_else(error)?;
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(error());
        }
        let channel = |s: &str| u8::from_str_radix(s, 16).map_err(|_| error());
        match hex.len() {
            6 => Ok(Self(
                channel(&hex[0..2])?,
                channel(&hex[2..4])?,
                channel(&hex[4..6])?,
            )),
            3 => {
                let short = |i: usize| channel(&hex[i..=i]).map(|v| v * 17);
                Ok(Self(short(0)?, short(1)?, short(2)?))
            }
            _ => Err(error()),
        }
    }

    pub fn to_hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG relative luminance.
    pub fn luminance(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    /// WCAG contrast ratio, 1 to 21, whichever is lighter.
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (light, dark) = if a > b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }

    /// The same hue scaled toward black by `factor` (0 keeps it, 1 is black).
    fn darker(self, factor: f64) -> Self {
        let scale = |c: u8| (f64::from(c) * (1.0 - factor)).round().clamp(0.0, 255.0) as u8;
        Self(scale(self.0), scale(self.1), scale(self.2))
    }
}

/// `color` if white text on it passes 4.5:1, else the lightest darker shade
/// of it that does (black always does, so there is always an answer).
pub fn accessible_brand(color: Rgb) -> Accessible {
    if color.contrast(BRAND_INK) >= MIN_CONTRAST {
        return Accessible {
            color,
            adjusted: false,
        };
    }
    let darkened = (1..=100)
        .map(|step| color.darker(f64::from(step) / 100.0))
        .find(|shade| shade.contrast(BRAND_INK) >= MIN_CONTRAST)
        .unwrap_or(Rgb(0, 0, 0));
    Accessible {
        color: darkened,
        adjusted: true,
    }
}

impl Theme {
    /// Checks every field; the colour is returned as the accessible one.
    /// Errors refuse a field (the caller warns and keeps the default).
    pub fn checked(&self) -> (Theme, Vec<ThemeWarning>) {
        let mut warnings = Vec::new();
        let color = self
            .color
            .as_deref()
            .and_then(|text| match Rgb::parse(text) {
                Ok(rgb) => {
                    let accessible = accessible_brand(rgb);
                    if accessible.adjusted {
                        warnings.push(ThemeWarning::Darkened {
                            requested: rgb.to_hex(),
                            used: accessible.color.to_hex(),
                        });
                    }
                    Some(accessible.color.to_hex())
                }
                Err(error) => {
                    warnings.push(ThemeWarning::Refused(error));
                    None
                }
            });
        let radius_px = self.radius_px.and_then(|radius| {
            if radius <= MAX_RADIUS_PX {
                Some(radius)
            } else {
                warnings.push(ThemeWarning::Refused(ThemeError::RadiusTooLarge(
                    radius.into(),
                )));
                None
            }
        });
        let logo = self.logo.as_deref().and_then(|logo| {
            if is_same_origin_path(logo) {
                Some(logo.to_owned())
            } else {
                warnings.push(ThemeWarning::Refused(ThemeError::LogoNotSameOrigin(
                    logo.to_owned(),
                )));
                None
            }
        });
        (
            Theme {
                color,
                logo,
                radius_px,
            },
            warnings,
        )
    }
}

/// Why a theme is not used exactly as given: shown as a warning, never fatal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThemeWarning {
    // The ratio is written out, not formatted from `MIN_CONTRAST`: formatting
    // that `f64` was all that kept core's `f64` printing in the widget's
    // wasm (13,894 B of it). A test keeps the two in step.
    #[error("brand colour {requested} has less than 4.5:1 contrast with white text; using {used}")]
    Darkened { requested: String, used: String },
    #[error("{0}; ignored")]
    Refused(ThemeError),
}

/// `/logo.svg` yes; `//evil.example/x`, `https://…`, `javascript:` no. The
/// widget's Content-Security-Policy only loads images from its own origin.
fn is_same_origin_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && path
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '\'')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_wcag_reference_values() {
        let white = Rgb(255, 255, 255);
        let black = Rgb(0, 0, 0);
        assert!((white.contrast(black) - 21.0).abs() < 1e-9);
        assert!((white.contrast(white) - 1.0).abs() < 1e-9);
        // #767676 is the classic lightest grey that passes on white.
        let grey = Rgb::parse("#767676").expect("colour");
        assert!(grey.contrast(white) >= MIN_CONTRAST);
        assert!(Rgb::parse("#777777").expect("colour").contrast(white) < MIN_CONTRAST);
    }

    #[test]
    fn a_passing_colour_is_kept() {
        let brand = Rgb::parse("#b3261e").expect("the widget's own red");
        assert_eq!(
            accessible_brand(brand),
            Accessible {
                color: brand,
                adjusted: false
            }
        );
    }

    #[test]
    fn a_light_colour_is_darkened_until_it_passes_keeping_its_hue() {
        let yellow = Rgb::parse("#ffd400").expect("colour");
        let result = accessible_brand(yellow);
        assert!(result.adjusted);
        assert!(result.color.contrast(BRAND_INK) >= MIN_CONTRAST);
        // Red stays the strongest channel, and it is the lightest passing shade.
        assert!(result.color.0 > result.color.1 && result.color.2 == 0);
        let lighter = Rgb(
            result.color.0.saturating_add(3),
            result.color.1.saturating_add(3),
            0,
        );
        assert!(lighter.contrast(BRAND_INK) < MIN_CONTRAST + 0.2);
    }

    #[test]
    fn white_becomes_a_passing_grey() {
        let result = accessible_brand(Rgb(255, 255, 255));
        assert!(result.adjusted);
        assert!(result.color.contrast(BRAND_INK) >= MIN_CONTRAST);
    }

    #[test]
    fn colours_parse_in_long_and_short_form_and_garbage_is_refused() {
        assert_eq!(Rgb::parse("#FFF"), Ok(Rgb(255, 255, 255)));
        assert_eq!(Rgb::parse(" #0a0B0c "), Ok(Rgb(10, 11, 12)));
        for bad in ["red", "#12345", "#gggggg", "", "#", "ffffff", "#ff00ff00"] {
            assert!(Rgb::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_theme_is_checked_field_by_field() {
        let theme = Theme {
            color: Some("#ffd400".into()),
            logo: Some("https://evil.example/logo.png".into()),
            radius_px: Some(200),
        };
        let (checked, warnings) = theme.checked();
        assert_eq!(checked.logo, None);
        assert_eq!(checked.radius_px, None);
        let color = checked.color.expect("darkened, not refused");
        assert!(Rgb::parse(&color).expect("hex").contrast(BRAND_INK) >= MIN_CONTRAST);
        assert_eq!(warnings.len(), 3);
        assert!(matches!(warnings[0], ThemeWarning::Darkened { .. }));
        let told = warnings[0].to_string();
        assert!(told.contains(&format!("{MIN_CONTRAST}:1")), "{told}");
        assert!(told.contains(&color), "{told}");

        let good = Theme {
            color: Some("#1b5e20".into()),
            logo: Some("/logo.svg".into()),
            radius_px: Some(8),
        };
        assert_eq!(good.checked(), (good.clone(), vec![]));
        for bad_logo in ["//evil.example/x.png", "javascript:alert(1)", "/a\"b"] {
            let theme = Theme {
                logo: Some(bad_logo.into()),
                ..Theme::default()
            };
            assert_eq!(theme.checked().0.logo, None, "{bad_logo}");
        }
    }
}
