//! `wendan-server backup FILE` and `wendan-server restore FILE`: SQLite's
//! online backup, safe while the server keeps taking orders.
//!
//! The backup copies the database in one step under one read transaction,
//! so it is a consistent snapshot: every order committed before it began is
//! in it, whole, with its idempotency record, and nothing half-written is.
//! It goes to `FILE.partial` first and is renamed when checked, so a crash
//! never leaves a file that looks like a good backup. PostgreSQL has its
//! own tools (`pg_dump`, base backups) and is refused here.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::backup::{Backup, StepResult};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("backup and restore are for SQLite; use pg_dump for PostgreSQL ({0})")]
    NotSqlite(String),
    #[error("{0} already exists; choose a new file")]
    Exists(PathBuf),
    #[error("{0} does not exist")]
    Missing(PathBuf),
    #[error("the database stayed busy; try again")]
    Busy,
    #[error("the copy failed its integrity check: {0}")]
    Corrupt(String),
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
}

/// What a backup or restore holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    pub orders: i64,
}

/// Copies the live database at `database` (a `sqlite://` URL) to `to`.
pub fn backup(database: &str, to: &Path) -> Result<Copied, BackupError> {
    let path = Path::new(sqlite_path(database)?);
    if !path.exists() {
        return Err(BackupError::Missing(path.to_owned()));
    }
    if to.exists() {
        return Err(BackupError::Exists(to.to_owned()));
    }
    let source = Connection::open(path)?;
    let partial = to.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let mut copy = Connection::open(&partial)?;
    copy_all(&source, &mut copy)?;
    let copied = check(&copy)?;
    drop(copy);
    std::fs::rename(&partial, to)?;
    Ok(copied)
}

/// Replaces the database at `database` with the backup `from`. Stop the
/// server first: a running server would not see the restored orders.
pub fn restore(database: &str, from: &Path) -> Result<Copied, BackupError> {
    if !from.exists() {
        return Err(BackupError::Missing(from.to_owned()));
    }
    let source = Connection::open(from)?;
    check(&source)?;
    let mut target = Connection::open(sqlite_path(database)?)?;
    copy_all(&source, &mut target)?;
    check(&target)
}

fn sqlite_path(database: &str) -> Result<&str, BackupError> {
    database
        .strip_prefix("sqlite://")
        .ok_or_else(|| BackupError::NotSqlite(database.to_owned()))
}

/// All pages in one step (a consistent snapshot); the writer may hold the
/// database for a moment, so a busy step is retried for up to 10 s.
fn copy_all(source: &Connection, target: &mut Connection) -> Result<(), BackupError> {
    let backup = Backup::new(source, target)?;
    for _ in 0..200 {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More | StepResult::Busy | StepResult::Locked => {
                std::thread::sleep(Duration::from_millis(50));
            }
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    Err(BackupError::Busy)
}

fn check(copy: &Connection) -> Result<Copied, BackupError> {
    let verdict: String = copy.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
    if verdict != "ok" {
        return Err(BackupError::Corrupt(verdict));
    }
    let orders = copy.query_row("SELECT COUNT(*) FROM orders", [], |row| row.get(0))?;
    Ok(Copied { orders })
}
