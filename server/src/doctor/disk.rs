//! Free space where SQLite keeps the orders: a full disk stops intake.

use std::path::Path;

use super::Finding;

const AREA: &str = "disk";
const MIB: u64 = 1024 * 1024;
/// Below this, intake is weeks from stopping (an order and its idempotency
/// record take a few KiB; the WAL and a backup need room too).
const PROBLEM_BELOW: u64 = 256 * MIB;
const WARNING_BELOW: u64 = 2048 * MIB;

pub fn check(database: &Path) -> Finding {
    // The file may not exist yet: its directory, or the nearest that does.
    let Some(dir) = database
        .ancestors()
        .skip(1)
        .map(|dir| {
            if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            }
        })
        .find(|dir| dir.is_dir())
    else {
        return Finding::warning(AREA, "no directory to measure", "check WENDAN_DATABASE");
    };
    match rustix::fs::statvfs(dir) {
        Ok(stats) => free_space(
            dir,
            stats.f_bavail.saturating_mul(stats.f_frsize),
            stats.f_blocks.saturating_mul(stats.f_frsize),
        ),
        Err(error) => Finding::warning(
            AREA,
            format!(
                "cannot measure the free space of {}: {error}",
                dir.display()
            ),
            "check it yourself with df -h",
        ),
    }
}

/// The verdict on `available` bytes free (for this user) of `total`.
pub fn free_space(dir: &Path, available: u64, total: u64) -> Finding {
    let said = format!(
        "{} MiB free of {} MiB under {}",
        available / MIB,
        total / MIB,
        dir.display()
    );
    let fix =
        "free space or move the database (WENDAN_DATABASE) to a larger disk; old backups can go";
    if available < PROBLEM_BELOW {
        Finding::problem(AREA, said, fix)
    } else if available < WARNING_BELOW {
        Finding::warning(AREA, said, fix)
    } else {
        Finding::ok(AREA, said)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Verdict;

    #[test]
    fn little_space_warns_and_almost_none_is_a_problem() {
        let dir = Path::new("/var/lib/wendan");
        assert_eq!(
            free_space(dir, 100 * MIB, 10_000 * MIB).verdict,
            Verdict::Problem
        );
        assert_eq!(
            free_space(dir, 1000 * MIB, 10_000 * MIB).verdict,
            Verdict::Warning
        );
        let plenty = free_space(dir, 5000 * MIB, 10_000 * MIB);
        assert_eq!(plenty.verdict, Verdict::Ok);
        assert_eq!(
            plenty.found,
            "5000 MiB free of 10000 MiB under /var/lib/wendan"
        );
    }

    #[test]
    fn a_database_not_created_yet_is_measured_at_its_directory() {
        let dir = tempfile::tempdir().expect("dir");
        let found = check(&dir.path().join("not-yet/wendan.sqlite3"));
        assert!(
            found.found.ends_with(&dir.path().display().to_string()),
            "{}",
            found.found
        );
    }
}
