//! What a credential opens: the kitchen display and API, or the admin pages
//! and API. Each has its own token, session cookie, lifetime and budget of
//! failed attempts, so a kitchen cookie never opens the admin and a script
//! guessing the kitchen token does not lock the owner out of the admin.

use std::fmt;

use time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Kitchen,
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 2] = [Scope::Kitchen, Scope::Admin];

    /// As stored in the `sessions` table.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Kitchen => "kitchen",
            Scope::Admin => "admin",
        }
    }

    /// The command-line flag and environment variable that set its token.
    pub fn setting(self) -> &'static str {
        match self {
            Scope::Kitchen => "--kitchen-token / WENDAN_KITCHEN_TOKEN",
            Scope::Admin => "--admin-token / WENDAN_ADMIN_TOKEN",
        }
    }

    pub fn cookie_name(self) -> &'static str {
        match self {
            Scope::Kitchen => "wendan_kitchen",
            Scope::Admin => "wendan_admin",
        }
    }

    /// How long a login lasts: a kitchen tablet a week of services, the
    /// admin a working day.
    pub fn session_lifetime(self) -> Duration {
        match self {
            Scope::Kitchen => Duration::days(7),
            Scope::Admin => Duration::hours(12),
        }
    }

    /// What a refused request is told to send instead.
    pub fn how_to_authenticate(self) -> &'static str {
        match self {
            Scope::Kitchen => {
                "send the kitchen token as `Authorization: Bearer …`, or log in at /kitchen"
            }
            Scope::Admin => {
                "send the admin token as `Authorization: Bearer …`, or log in at /admin/login"
            }
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}
