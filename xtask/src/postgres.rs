//! A throwaway PostgreSQL for the tests: Debian's server binaries, a private
//! cluster in /tmp, listening on loopback only, trust auth. Started by
//! `cargo xtask test`, stopped when it ends.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::process::{execute, stdout_of};

const PORT: u16 = 54329;
const DATA_DIR: &str = "/tmp/wendan-test-postgres";

pub struct TestPostgres {
    bin: PathBuf,
    port: u16,
    dir: &'static str,
}

impl TestPostgres {
    /// Starts a new, empty cluster (removing any left by an earlier run).
    pub fn start() -> anyhow::Result<Self> {
        Self::start_at(PORT, DATA_DIR)
    }

    /// The same, on another port and directory (the chaos suite's own).
    pub fn start_at(port: u16, dir: &'static str) -> anyhow::Result<Self> {
        let postgres = Self {
            bin: server_bin_dir()?,
            port,
            dir,
        };
        let data = Path::new(dir);
        if data.join("PG_VERSION").exists() {
            let stop = ["-D", dir, "-m", "immediate", "-w", "stop"];
            let _ = postgres.as_owner("pg_ctl").args(stop).output();
            std::fs::remove_dir_all(data).context("cannot remove the old test cluster")?;
        }
        println!("starting a test PostgreSQL cluster in {dir} on 127.0.0.1:{port}");
        if is_root() {
            let owned_dir = ["-d", "-o", "postgres", "-g", "postgres", dir];
            execute(Command::new("install").args(owned_dir))?;
        }
        let init = [
            "-D",
            dir,
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        ];
        execute(postgres.as_owner("initdb").args(init))?;
        let options =
            format!("-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c max_connections=300");
        let log = format!("{dir}/server.log");
        let start = ["-D", dir, "-o", &options, "-l", &log, "-w", "start"];
        execute(postgres.as_owner("pg_ctl").args(start))?;
        Ok(postgres)
    }

    /// The superuser URL tests create their own databases from.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    pub fn stop(&self) -> anyhow::Result<()> {
        execute(
            self.as_owner("pg_ctl")
                .args(["-D", self.dir, "-m", "fast", "-w", "stop"]),
        )
    }

    /// PostgreSQL refuses to run as root: as root, run as the `postgres` user.
    fn as_owner(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }
}

pub fn is_root() -> bool {
    stdout_of(Command::new("id").arg("-u")).as_deref() == Some("0")
}

/// The newest installed server's bin directory, e.g. /usr/lib/postgresql/15/bin.
fn server_bin_dir() -> anyhow::Result<PathBuf> {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<u32> = std::fs::read_dir(root)
        .context("PostgreSQL is not installed (cargo xtask setup installs it)")?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .filter(|version: &u32| root.join(version.to_string()).join("bin/initdb").exists())
        .collect();
    versions.sort_unstable();
    match versions.last() {
        Some(version) => Ok(root.join(version.to_string()).join("bin")),
        None => bail!("no PostgreSQL server under {}", root.display()),
    }
}
