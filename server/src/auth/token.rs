//! A configured token, validated once at start: the only way a string from
//! the command line or the environment becomes a credential.
//!
//! An empty token would be a real token (anyone sending `""` gets in), and an
//! unset variable in an env file makes exactly that; so empty is refused
//! always, and outside `--demo` so are short and obviously guessable ones.
//! Unset stays what the README promises: that part is locked.

use std::fmt;
use std::sync::Arc;

use subtle::ConstantTimeEq;

use super::scope::Scope;

/// Shortest token accepted outside `--demo`: 16 characters of
/// `openssl rand -base64 24` are about 96 bits, far beyond guessing at the
/// throttled rate (see `throttle`).
pub const MIN_CHARS: usize = 16;

/// Words a token made up only of (with digits and punctuation) is guessed
/// first: the demo's and the product's own names among them.
const GUESSABLE_WORDS: &[&str] = &[
    "password",
    "changeme",
    "change",
    "admin",
    "administrator",
    "kitchen",
    "secret",
    "token",
    "demo",
    "wendan",
    "letmein",
    "qwerty",
    "welcome",
    "default",
    "test",
    "root",
    "login",
    "abc",
];

/// A token the server accepts: never empty, and outside `--demo` long and
/// not obviously guessable. Its text is never printed.
#[derive(Clone)]
pub struct Token(Arc<str>);

/// Why the server refuses to start with a configured token; each says what
/// to do instead, without repeating the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error(
        "{} is set but empty: set a token of at least {MIN_CHARS} characters, e.g. from \
         `openssl rand -base64 24`, or remove the setting to keep the {scope} locked",
        .scope.setting()
    )]
    Empty { scope: Scope },
    #[error(
        "{} starts or ends with white space, which no login can send: remove it",
        .scope.setting()
    )]
    Padded { scope: Scope },
    #[error(
        "{} is only {length} characters long: set a token of at least {MIN_CHARS} characters, \
         e.g. from `openssl rand -base64 24`",
        .scope.setting()
    )]
    TooShort { scope: Scope, length: usize },
    #[error(
        "{} is easy to guess ({reason}): set a random token of at least {MIN_CHARS} \
         characters, e.g. from `openssl rand -base64 24`",
        .scope.setting()
    )]
    Guessable { scope: Scope, reason: &'static str },
}

impl Token {
    /// Validates the token configured for `scope`. With `demo`, a short or
    /// guessable token is allowed (the demo's own are both); an empty one
    /// never is.
    pub fn configured(scope: Scope, text: &str, demo: bool) -> Result<Self, TokenError> {
        if text.is_empty() {
            return Err(TokenError::Empty { scope });
        }
        if text.trim() != text {
            return Err(TokenError::Padded { scope });
        }
        if !demo {
            let length = text.chars().count();
            if length < MIN_CHARS {
                return Err(TokenError::TooShort { scope, length });
            }
            if let Some(reason) = guessable(text) {
                return Err(TokenError::Guessable { scope, reason });
            }
        }
        Ok(Token(Arc::from(text)))
    }

    /// Whether `presented` is this token, in constant time: how long the
    /// comparison takes says nothing about how much of a guess was right.
    pub fn matches(&self, presented: &str) -> bool {
        self.0.as_bytes().ct_eq(presented.as_bytes()).into()
    }

    /// For binding a session to the token it was made with.
    pub(super) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// The tokens the server was started with; without one, that part stays
/// locked.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    kitchen: Option<Token>,
    admin: Option<Token>,
}

impl Tokens {
    /// Validates the configured tokens (the `Config` → state boundary).
    pub fn configured(
        kitchen: Option<&str>,
        admin: Option<&str>,
        demo: bool,
    ) -> Result<Self, TokenError> {
        let validate = |scope, text: Option<&str>| {
            text.map(|text| Token::configured(scope, text, demo))
                .transpose()
        };
        Ok(Self {
            kitchen: validate(Scope::Kitchen, kitchen)?,
            admin: validate(Scope::Admin, admin)?,
        })
    }

    pub fn get(&self, scope: Scope) -> Option<&Token> {
        match scope {
            Scope::Kitchen => self.kitchen.as_ref(),
            Scope::Admin => self.admin.as_ref(),
        }
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Token(…)")
    }
}

/// Why `text` would be guessed early, if it would.
fn guessable(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next()?;
    if chars.all(|other| other == first) {
        return Some("one repeated character");
    }
    if is_run(&lower) {
        return Some("a run of consecutive characters");
    }
    if only_words_and_digits(&lower) {
        return Some("only common words, digits and punctuation");
    }
    None
}

/// `abcdef…`, `123456…`, `987654…`: each character one step from the last.
fn is_run(text: &str) -> bool {
    let codes: Vec<i64> = text.chars().map(|c| i64::from(u32::from(c))).collect();
    let steps: Vec<i64> = codes.windows(2).map(|pair| pair[1] - pair[0]).collect();
    steps.iter().all(|step| *step == 1) || steps.iter().all(|step| *step == -1)
}

/// What is left once the common words, digits and punctuation are taken out:
/// nothing, for `password1234567890`, `kitchen-token-2024`, `1234567812345678`.
fn only_words_and_digits(lower: &str) -> bool {
    let mut rest: String = lower
        .chars()
        .filter(|c| c.is_alphanumeric() && !c.is_ascii_digit())
        .collect();
    // Longest words first, so `administrator` is not left as `istrator`.
    let mut words = GUESSABLE_WORDS.to_vec();
    words.sort_by_key(|word| std::cmp::Reverse(word.len()));
    for word in words {
        rest = rest.replace(word, "");
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict(text: &str) -> Result<Token, TokenError> {
        Token::configured(Scope::Admin, text, false)
    }

    #[test]
    fn an_empty_token_is_refused_even_in_the_demo_and_says_what_to_do() {
        for demo in [false, true] {
            let refused = Token::configured(Scope::Admin, "", demo).expect_err("empty");
            assert_eq!(
                refused,
                TokenError::Empty {
                    scope: Scope::Admin
                }
            );
            let said = refused.to_string();
            assert!(said.starts_with("--admin-token / WENDAN_ADMIN_TOKEN is set but empty"));
            assert!(said.contains("openssl rand -base64 24") && said.contains("admin locked"));
        }
    }

    #[test]
    fn short_and_guessable_tokens_are_refused_outside_the_demo() {
        assert_eq!(
            strict("fifteen-chars-x").map(drop),
            Err(TokenError::TooShort {
                scope: Scope::Admin,
                length: 15
            })
        );
        for weak in [
            "aaaaaaaaaaaaaaaaaaaa",
            "1234567890123456",
            "abcdefghijklmnopq",
            "98765432109876543210",
            "passwordpassword",
            "Password123456789",
            "changeme-changeme",
            "admin-admin-admin",
            "kitchen-token-2024",
            "demo-kitchen-demo-admin",
            "WENDAN-ADMINISTRATOR",
        ] {
            assert!(
                matches!(strict(weak), Err(TokenError::Guessable { .. })),
                "{weak} is guessable"
            );
        }
    }

    #[test]
    fn random_and_passphrase_tokens_are_accepted() {
        for good in [
            "q5Vt0jv3Zp8yXkQ2mN7rL4aB",
            "our-noodle-house-kitchen-2024",
            "e2e-kitchen-P5s9Dg3k",
        ] {
            let token = strict(good).expect(good);
            assert!(token.matches(good));
            assert!(!token.matches(""));
            assert!(!token.matches(&good[1..]));
        }
    }

    #[test]
    fn the_demo_allows_its_short_tokens_but_not_padding() {
        assert!(Token::configured(Scope::Kitchen, "demo-kitchen", true).is_ok());
        assert_eq!(
            Token::configured(Scope::Kitchen, " demo-kitchen", true).map(drop),
            Err(TokenError::Padded {
                scope: Scope::Kitchen
            })
        );
    }

    #[test]
    fn a_token_is_never_printed() {
        let token = strict("q5Vt0jv3Zp8yXkQ2mN7rL4aB").expect("valid");
        assert_eq!(format!("{token:?}"), "Token(…)");
    }
}
