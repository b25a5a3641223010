//! Reading systemd unit and environment files as systemd does, for the
//! package's check: it starts the unit's own `ExecStart=` line, so the
//! command line lives in one place, the unit.
//!
//! Hand-written: no crate parses units with systemd's command-line quoting.
//! It supports what Wendan's units use and refuses the rest (command
//! prefixes, `%` specifiers, `$VAR` substitution), so a unit that needs
//! more fails the check instead of running differently.

use anyhow::{Context, bail};

/// A unit file's settings in order: `(section, key, value)`.
#[derive(Debug, Clone, Default)]
pub struct Unit {
    entries: Vec<(String, String, String)>,
}

impl Unit {
    pub fn parse(text: &str) -> Self {
        let mut entries = Vec::new();
        let mut section = String::new();
        let mut pending = String::new();
        for raw in text.lines() {
            let line = raw.trim();
            if pending.is_empty() && (line.starts_with('#') || line.starts_with(';')) {
                continue;
            }
            if let Some(continued) = line.strip_suffix('\\') {
                pending.push_str(continued);
                pending.push(' ');
                continue;
            }
            pending.push_str(line);
            let whole = std::mem::take(&mut pending);
            if let Some(name) = whole.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                section = name.to_owned();
            } else if let Some((key, value)) = whole.split_once('=') {
                entries.push((
                    section.clone(),
                    key.trim().to_owned(),
                    value.trim().to_owned(),
                ));
            }
        }
        Self { entries }
    }

    /// Every value of `key` in `section`, in order (an empty value resets, as in systemd).
    pub fn all(&self, section: &str, key: &str) -> Vec<&str> {
        let mut values = Vec::new();
        for (s, k, value) in &self.entries {
            if s == section && k == key {
                if value.is_empty() {
                    values.clear();
                } else {
                    values.push(value.as_str());
                }
            }
        }
        values
    }

    /// The keys set in `section`, each once, in order of first appearance.
    pub fn keys(&self, section: &str) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        for (s, key, _) in &self.entries {
            if s == section && !keys.contains(key) {
                keys.push(key.clone());
            }
        }
        keys
    }

    /// The last value of `key` in `section`.
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|(s, k, _)| s == section && k == key)
            .map(|(_, _, value)| value.as_str())
    }
}

/// Splits an `Exec*=` value into arguments, as systemd.service(5) says:
/// words, "double" and 'single' quotes, backslash escapes, `%%` → `%` and
/// `$$` → `$`.
pub fn command_line(value: &str) -> anyhow::Result<Vec<String>> {
    if value.starts_with(['@', '-', ':', '+', '!']) {
        bail!("the check does not support command prefixes: {value}");
    }
    let mut words = Vec::new();
    let mut chars = value.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(words);
        }
        let mut word = String::new();
        let mut quote = None;
        while let Some(c) = chars.next() {
            match (c, quote) {
                (q @ ('"' | '\''), None) => quote = Some(q),
                (q, Some(open)) if q == open => quote = None,
                (c, None) if c.is_whitespace() => break,
                ('\\', _) => match chars.next() {
                    Some('n') => word.push('\n'),
                    Some('t') => word.push('\t'),
                    Some(other) => word.push(other),
                    None => bail!("a command line ends in a backslash: {value}"),
                },
                ('%', _) => match chars.next() {
                    Some('%') => word.push('%'),
                    other => bail!("the check does not expand specifier %{other:?} in: {value}"),
                },
                ('$', _) => match chars.next() {
                    Some('$') => word.push('$'),
                    _ => bail!("the check does not substitute variables: {value}"),
                },
                (c, _) => word.push(c),
            }
        }
        if quote.is_some() {
            bail!("unbalanced quotes in: {value}");
        }
        words.push(word);
    }
}

/// `NAME=value` pairs of an `EnvironmentFile=`, as systemd reads it:
/// comments (`#`, `;`), blank lines, optional quotes around the value.
pub fn environment_file(text: &str) -> anyhow::Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for (number, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let (name, value) = line
            .split_once('=')
            .with_context(|| format!("line {}: not NAME=value: {line}", number + 1))?;
        let name = name.trim();
        let valid = name
            .chars()
            .enumerate()
            .all(|(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()));
        if name.is_empty() || !valid {
            bail!("line {}: {name:?} is not a variable name", number + 1);
        }
        let value = value.trim();
        let unquoted = match (value.chars().next(), value.chars().last()) {
            (Some(q @ ('"' | '\'')), Some(end)) if value.len() >= 2 && end == q => {
                let inner = &value[1..value.len() - 1];
                if q == '"' {
                    inner.replace("\\\"", "\"").replace("\\\\", "\\")
                } else {
                    inner.to_owned()
                }
            }
            _ => value.to_owned(),
        };
        pairs.push((name.to_owned(), unquoted));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped(name: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../deploy/debian")
            .join(name);
        std::fs::read_to_string(path).expect("unit file")
    }

    #[test]
    fn the_server_unit_starts_the_server_with_the_widget_inside() {
        let unit = Unit::parse(&shipped("wendan.service"));
        let exec = unit.get("Service", "ExecStart").expect("ExecStart");
        assert_eq!(
            command_line(exec).expect("command"),
            ["/usr/bin/wendan-server"]
        );
        assert_eq!(unit.get("Service", "User"), Some("wendan"));
        assert_eq!(
            unit.all("Service", "SystemCallFilter"),
            ["@system-service", "~@privileged @resources"]
        );
    }

    #[test]
    fn the_backup_unit_names_each_backup_by_the_time() {
        let unit = Unit::parse(&shipped("wendan-backup.service"));
        let exec = unit.get("Service", "ExecStart").expect("ExecStart");
        assert_eq!(
            command_line(exec).expect("command"),
            [
                "/bin/sh",
                "-c",
                "exec /usr/bin/wendan-server backup \"/var/lib/wendan/backups/wendan-$(date -u +%Y%m%dT%H%M%SZ).sqlite3\""
            ]
        );
    }

    #[test]
    fn quotes_escapes_and_continuations_are_read_as_systemd_reads_them() {
        let unit = Unit::parse(
            "[Service]\n# a comment\nExecStart=/bin/echo 'a b' \\\n  \"c\\\"d\" e%%f\n",
        );
        let exec = unit.get("Service", "ExecStart").expect("ExecStart");
        assert_eq!(
            command_line(exec).expect("command"),
            ["/bin/echo", "a b", "c\"d", "e%f"]
        );
    }

    #[test]
    fn what_the_check_cannot_honour_is_refused() {
        assert!(command_line("-/bin/true").is_err(), "prefix");
        assert!(command_line("/bin/echo %n").is_err(), "specifier");
        assert!(command_line("/bin/echo $HOME").is_err(), "variable");
        assert!(command_line("/bin/echo 'open").is_err(), "quotes");
    }

    #[test]
    fn an_empty_value_resets_a_list_setting() {
        let unit = Unit::parse("[Service]\nEnvironment=A=1\nEnvironment=\nEnvironment=B=2\n");
        assert_eq!(unit.all("Service", "Environment"), ["B=2"]);
    }

    #[test]
    fn the_shipped_environment_file_sets_the_database_and_leaves_tokens_unset() {
        let pairs = environment_file(&shipped("wendan.env")).expect("parses");
        let value = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(
            value("WENDAN_DATABASE"),
            Some("sqlite:///var/lib/wendan/wendan.sqlite3")
        );
        assert_eq!(value("WENDAN_KITCHEN_TOKEN"), None);
        assert_eq!(value("WENDAN_ADMIN_TOKEN"), None);
    }

    #[test]
    fn environment_values_may_be_quoted() {
        let pairs = environment_file("A=\"x y\"\n; note\nB='z'\nC = plain \n").expect("parses");
        assert_eq!(
            pairs,
            [
                ("A".to_owned(), "x y".to_owned()),
                ("B".to_owned(), "z".to_owned()),
                ("C".to_owned(), "plain".to_owned())
            ]
        );
        assert!(environment_file("1A=x").is_err());
    }
}
