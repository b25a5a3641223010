//! The database: reachable, its migrations applied or pending, and (for
//! PostgreSQL, on another machine) its clock against this one.

use std::path::Path;
use std::time::Duration;

use time::OffsetDateTime;
use tokio_postgres::NoTls;
use wendan_server::storage::{SchemaState, postgres, sqlite};

use super::{Finding, with_causes};

const AREA: &str = "database";

/// How long an unreachable database may keep the doctor waiting.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub async fn check(url: &str) -> Vec<Finding> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        return check_sqlite(Path::new(path));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return check_postgres(url).await;
    }
    vec![Finding::problem(
        AREA,
        "WENDAN_DATABASE is neither sqlite://PATH nor postgres://…",
        "set it to sqlite:///var/lib/wendan/wendan.sqlite3 or postgres://USER@HOST:PORT/DB",
    )]
}

fn check_sqlite(path: &Path) -> Vec<Finding> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return vec![Finding::problem(
            AREA,
            format!("the directory {} does not exist", dir.display()),
            "create it, owned by the server's user (the package makes /var/lib/wendan)",
        )];
    }
    let mut findings = Vec::new();
    let writable = |path: &Path| rustix::fs::access(path, rustix::fs::Access::WRITE_OK).is_ok();
    if !writable(dir) || (path.exists() && !writable(path)) {
        findings.push(Finding::problem(
            AREA,
            format!(
                "{} is not writable by this user: SQLite writes the database and its journal there",
                dir.display()
            ),
            "run the doctor as the server's user (sudo -u wendan …), or give that user the directory",
        ));
    }
    findings.push(match sqlite::schema_state(path) {
        Ok(None) => Finding::ok(
            AREA,
            format!(
                "no database yet at {}: the server creates it when it starts",
                path.display()
            ),
        ),
        Ok(Some(state)) => schema(&format!("SQLite {}", path.display()), state),
        Err(error) => Finding::problem(
            AREA,
            format!("cannot read {}: {}", path.display(), with_causes(&error)),
            "is it a Wendan database? Restore a backup (wendan-server restore FILE) if it is damaged",
        ),
    });
    findings
}

async fn check_postgres(url: &str) -> Vec<Finding> {
    let config: tokio_postgres::Config = match url.parse() {
        Ok(config) => config,
        Err(error) => {
            return vec![Finding::problem(
                AREA,
                format!("WENDAN_DATABASE is not a PostgreSQL URL: {error}"),
                "write it as postgres://USER@HOST:PORT/DB",
            )];
        }
    };
    let place = describe(&config);
    let connected = tokio::time::timeout(CONNECT_TIMEOUT, config.connect(NoTls)).await;
    let client = match connected {
        Ok(Ok((client, connection))) => {
            tokio::spawn(connection);
            client
        }
        Ok(Err(error)) => return vec![unreachable(&place, &with_causes(&error))],
        Err(_) => {
            let waited = format!("no answer in {} s", CONNECT_TIMEOUT.as_secs());
            return vec![unreachable(&place, &waited)];
        }
    };
    let mut findings = vec![match postgres::schema_state(&client).await {
        Ok(state) => schema(&place, state),
        Err(error) => Finding::problem(
            AREA,
            format!("cannot read the schema of {place}: {}", with_causes(&error)),
            "grant the server's user access to its database",
        ),
    }];
    let asked = OffsetDateTime::now_utc();
    match client.query_one("SELECT now()", &[]).await {
        Ok(row) => {
            let answered = OffsetDateTime::now_utc();
            let database_now: OffsetDateTime = row.get(0);
            // The database read its clock somewhere in the round trip: assume the middle.
            let local_now = asked + (answered - asked) / 2;
            findings.push(clock_skew(database_now - local_now));
        }
        Err(error) => findings.push(Finding::warning(
            "clock",
            format!("cannot read the database's clock: {error}"),
            "check that the server's user may run SELECT now()",
        )),
    }
    findings
}

/// `PostgreSQL postgres@db.example:5432/wendan`: where, never the password.
fn describe(config: &tokio_postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("?");
    let db = config.get_dbname().unwrap_or(user);
    format!("PostgreSQL {user}@{host}:{port}/{db}")
}

fn unreachable(place: &str, cause: &str) -> Finding {
    Finding::problem(
        AREA,
        format!("cannot connect to {place}: {cause}"),
        "check WENDAN_DATABASE, that PostgreSQL runs and listens there, and that pg_hba.conf lets this user in",
    )
}

/// Applied, pending, or written by a newer build.
pub fn schema(place: &str, state: SchemaState) -> Finding {
    if state.is_newer_than_this_build() {
        return Finding::problem(
            AREA,
            format!(
                "{place} has {} migrations; this build knows {}: a newer wendan-server wrote it",
                state.applied, state.known
            ),
            "install that newer version again, or restore a backup taken before the upgrade",
        );
    }
    match (state.applied, state.pending()) {
        (_, 0) => Finding::ok(
            AREA,
            format!("{place}: reachable, all {} migrations applied", state.known),
        ),
        (0, _) => Finding::ok(
            AREA,
            format!("{place}: reachable, empty; the server creates the schema when it starts"),
        ),
        (applied, pending) => Finding::warning(
            AREA,
            format!(
                "{place}: {applied} of {} migrations applied, {pending} pending: the server applies them when it starts",
                state.known
            ),
            "take a backup first (SQLite: wendan-server backup FILE; PostgreSQL: pg_dump)",
        ),
    }
}

/// Order ages, the dashboard's minutes and the replicas' timestamps all
/// assume one clock. Positive `skew`: the database is ahead of this machine.
pub fn clock_skew(skew: time::Duration) -> Finding {
    let millis = skew.whole_milliseconds().unsigned_abs();
    let side = if skew.is_positive() {
        "behind"
    } else {
        "ahead of"
    };
    let said = format!("this machine's clock is {millis} ms {side} the database's");
    let fix = "keep both clocks synchronised with NTP (systemd-timesyncd or chrony)";
    match millis {
        0..=1_000 => Finding::ok("clock", format!("{said} (within 1 s)")),
        1_001..=30_000 => Finding::warning("clock", said, fix),
        _ => Finding::problem("clock", said, fix),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Verdict;

    #[test]
    fn a_schema_is_applied_pending_empty_or_too_new() {
        let state = |applied, known| SchemaState { applied, known };
        assert_eq!(schema("db", state(3, 3)).verdict, Verdict::Ok);
        assert_eq!(schema("db", state(0, 3)).verdict, Verdict::Ok);
        let pending = schema("db", state(2, 3));
        assert_eq!(pending.verdict, Verdict::Warning);
        assert!(pending.found.contains("1 pending"), "{}", pending.found);
        assert_eq!(schema("db", state(4, 3)).verdict, Verdict::Problem);
    }

    #[test]
    fn a_clock_a_second_off_is_fine_more_warns_half_a_minute_is_a_problem() {
        let ms = time::Duration::milliseconds;
        assert_eq!(clock_skew(ms(-900)).verdict, Verdict::Ok);
        let ahead = clock_skew(ms(-4_000));
        assert_eq!(ahead.verdict, Verdict::Warning);
        assert!(ahead.found.contains("4000 ms ahead of"), "{}", ahead.found);
        assert!(clock_skew(ms(4_000)).found.contains("behind"));
        assert_eq!(clock_skew(ms(31_000)).verdict, Verdict::Problem);
    }

    #[test]
    fn the_postgres_place_never_shows_the_password() {
        let config: tokio_postgres::Config = "postgres://wendan:s3cret@db.example:6543/orders"
            .parse()
            .expect("url");
        let place = describe(&config);
        assert_eq!(place, "PostgreSQL wendan@db.example:6543/orders");
    }
}
