//! What stands behind the fault proxy: one wendan-server on SQLite, or two
//! replicas on one PostgreSQL behind nginx. The orchestrator kills (`kill -9`)
//! and restarts these processes on the schedule.

use std::fs::{File, OpenOptions};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::bench::http_get;
use crate::postgres::{TestPostgres, is_root};
use crate::process::stdout_of;

/// The chaos suite's own cluster: never the port `cargo xtask test` uses.
const POSTGRES_PORT: u16 = 54339;
const POSTGRES_DIR: &str = "/tmp/wendan-chaos-postgres";
/// The admin token `--demo` uses when none is given (wendan-server's
/// `DEMO_ADMIN_TOKEN`; xtask does not build the server's crate).
const DEMO_ADMIN_TOKEN: &str = "demo-admin";

/// One wendan-server process that can be killed and started again on the
/// same port and database.
pub struct ServerProcess {
    command: Vec<String>,
    bin: PathBuf,
    port: u16,
    log: PathBuf,
    child: Option<Child>,
}

impl ServerProcess {
    /// `extra` are further flags; `{self}` in them becomes this server's
    /// own address (a server that must name itself, as `--public-url`).
    fn start(
        bin: &Path,
        database: &str,
        dist: &Path,
        log: PathBuf,
        extra: &[String],
    ) -> anyhow::Result<Self> {
        let port = free_port()?;
        let own = format!("127.0.0.1:{port}");
        let mut command = vec![
            "--listen".into(),
            format!("127.0.0.1:{port}"),
            "--database".into(),
            database.into(),
            "--static".into(),
            dist.display().to_string(),
            "--demo".into(),
        ];
        command.extend(extra.iter().map(|arg| arg.replace("{self}", &own)));
        let mut server = Self {
            command,
            bin: bin.to_owned(),
            port,
            log,
            child: None,
        };
        server.restart()?;
        Ok(server)
    }

    pub fn address(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Starts the process (again) and waits until it is healthy.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        let log = append(&self.log)?;
        let child = Command::new(&self.bin)
            .args(&self.command)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .context("cannot start wendan-server")?;
        self.child = Some(child);
        wait_until(Duration::from_secs(20), || {
            http_get(self.port, "/healthz").is_ok_and(|body| body.ends_with("ok"))
        })
        .with_context(|| format!("wendan-server did not come up; see {}", self.log.display()))
    }

    /// Stops the process as systemd does (SIGTERM: it finishes the requests
    /// in flight and commits), then starts `bin` in its place on the same
    /// port and database. Returns how long the drain took.
    pub fn upgrade_to(&mut self, bin: &Path) -> anyhow::Result<Duration> {
        let started = Instant::now();
        if let Some(mut child) = self.child.take() {
            let pid = libc::pid_t::try_from(child.id()).context("a pid beyond pid_t")?;
            // SAFETY: kill(2) on our own child's pid, which it still is: the
            // child has not been waited for.
            if unsafe { libc::kill(pid, libc::SIGTERM) } != 0 {
                bail!("cannot send SIGTERM: {}", std::io::Error::last_os_error());
            }
            let drained = wait_until(Duration::from_secs(30), || {
                child.try_wait().is_ok_and(|status| status.is_some())
            });
            if drained.is_err() {
                let _ = child.kill();
                let _ = child.wait();
                bail!(
                    "wendan-server did not stop within 30 s of SIGTERM; see {}",
                    self.log.display()
                );
            }
        }
        let drain = started.elapsed();
        self.bin = bin.to_owned();
        self.restart()?;
        Ok(drain)
    }

    /// `kill -9`: no drain, no flush, nothing.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// nginx in front of the replicas, as the current user, from a generated config.
pub struct Nginx {
    child: Child,
    port: u16,
}

impl Nginx {
    fn start(dir: &Path, replicas: [SocketAddr; 2]) -> anyhow::Result<Self> {
        let port = free_port()?;
        let conf = dir.join("nginx.conf");
        std::fs::write(&conf, nginx_conf(dir, port, replicas, is_root()))?;
        let child = Command::new("nginx")
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&conf)
            .arg("-e")
            .arg(dir.join("error.log"))
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::from(append(&dir.join("error.log"))?))
            .spawn()
            .context("cannot start nginx (cargo xtask setup installs it)")?;
        let nginx = Self { child, port };
        wait_until(Duration::from_secs(10), || {
            http_get(port, "/healthz").is_ok_and(|body| body.ends_with("ok"))
        })
        .context("nginx did not come up")?;
        Ok(nginx)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM, nginx's fast shutdown: the master stops its workers too
        // (SIGKILL would orphan them, still listening; SIGQUIT would wait
        // for the SSE streams).
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// How the requests split between the replicas, from nginx's access log:
/// `(answered by A, answered by B, failed over, orders failed over)`.
fn balance(log: &str, [a, b]: [SocketAddr; 2]) -> (u64, u64, u64, u64) {
    let (a, b) = (a.to_string(), b.to_string());
    let mut counts = (0, 0, 0, 0);
    for line in log.lines() {
        let tried = line.split('"').nth(1).unwrap_or_default();
        match tried.rsplit(", ").next() {
            Some(last) if last == a => counts.0 += 1,
            Some(last) if last == b => counts.1 += 1,
            _ => {}
        }
        if tried.contains(", ") {
            counts.2 += 1;
            if line.starts_with("POST") {
                counts.3 += 1;
            }
        }
    }
    counts
}

/// `proxy_next_upstream ... non_idempotent` retries a POST on the other
/// replica when the first failed or timed out, possibly after it committed:
/// safe here because every order carries its Idempotency-Key, and the
/// replicas share one database, where the key is unique.
fn nginx_conf(dir: &Path, port: u16, replicas: [SocketAddr; 2], as_root: bool) -> String {
    let dir = dir.display();
    let user = if as_root { "user root;" } else { "" };
    let [a, b] = replicas;
    format!(
        "{user}
worker_processes 1;
pid {dir}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
    # Which replica answered each request, and which ones nginx tried first.
    log_format chaos '$request_method \"$upstream_addr\"';
    access_log {dir}/access.log chaos;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream wendan {{
        server {a} max_fails=1 fail_timeout=3s;
        server {b} max_fails=1 fail_timeout=3s;
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Connection \"\";
        proxy_set_header Host $http_host;
        proxy_connect_timeout 2s;
        proxy_next_upstream error timeout non_idempotent;
        proxy_next_upstream_tries 2;
        location / {{
            proxy_pass http://wendan;
            proxy_read_timeout 30s;
        }}
        # Order status streams (SSE): unbuffered, long-lived.
        location ~ ^/api/v1/orders/[^/]+/events$ {{
            proxy_pass http://wendan;
            proxy_buffering off;
            proxy_read_timeout 1h;
        }}
    }}
}}
"
    )
}

pub enum Backend {
    Sqlite {
        server: ServerProcess,
        database: PathBuf,
    },
    Postgres {
        // Field order is drop order: nginx, then the replicas, then the cluster.
        nginx: Nginx,
        replicas: [ServerProcess; 2],
        postgres: TestPostgres,
    },
}

impl Backend {
    pub fn sqlite(work: &Path, bin: &Path, dist: &Path) -> anyhow::Result<Self> {
        Self::sqlite_with(work, bin, dist, &[])
    }

    /// SQLite, the server started with the `extra` flags (see `ServerProcess::start`).
    pub fn sqlite_with(
        work: &Path,
        bin: &Path,
        dist: &Path,
        extra: &[String],
    ) -> anyhow::Result<Self> {
        let database = work.join("orders.sqlite3");
        let url = format!("sqlite://{}", database.display());
        let server = ServerProcess::start(bin, &url, dist, work.join("server.log"), extra)?;
        Ok(Backend::Sqlite { server, database })
    }

    pub fn postgres(work: &Path, bin: &Path, dist: &Path) -> anyhow::Result<Self> {
        Self::postgres_with(work, bin, dist, &[])
    }

    /// PostgreSQL with two replicas behind nginx, each started with `extra`.
    pub fn postgres_with(
        work: &Path,
        bin: &Path,
        dist: &Path,
        extra: &[String],
    ) -> anyhow::Result<Self> {
        let postgres = TestPostgres::start_at(POSTGRES_PORT, POSTGRES_DIR)?;
        let url = postgres.url();
        // One after the other: the first runs the migrations.
        let first = ServerProcess::start(bin, &url, dist, work.join("replica-a.log"), extra)?;
        let second = ServerProcess::start(bin, &url, dist, work.join("replica-b.log"), extra)?;
        let nginx = Nginx::start(work, [first.address(), second.address()])?;
        Ok(Backend::Postgres {
            nginx,
            replicas: [first, second],
            postgres,
        })
    }

    /// Where the fault proxy sends requests.
    pub fn address(&self) -> SocketAddr {
        match self {
            Backend::Sqlite { server, .. } => server.address(),
            Backend::Postgres { nginx, .. } => SocketAddr::from(([127, 0, 0, 1], nginx.port)),
        }
    }

    /// The process the `n`th kill hits: the server, or the replicas in turn
    /// (so nginx switches to the other one, then back).
    pub fn victim(&mut self, n: usize) -> (&mut ServerProcess, &'static str) {
        match self {
            Backend::Sqlite { server, .. } => (server, "the server"),
            Backend::Postgres { replicas, .. } => {
                let names = ["replica A", "replica B"];
                (&mut replicas[n % 2], names[n % 2])
            }
        }
    }

    /// Every server process up again, after the faults.
    pub fn ensure_up(&mut self) -> anyhow::Result<()> {
        let servers: Vec<&mut ServerProcess> = match self {
            Backend::Sqlite { server, .. } => vec![server],
            Backend::Postgres { replicas, .. } => replicas.iter_mut().collect(),
        };
        for server in servers {
            if !server.is_running() {
                server.restart()?;
            }
        }
        Ok(())
    }

    /// Creates the dining tables `ids` through the admin API, as a
    /// restaurant would: intake takes dine-in orders only at tables that
    /// exist, and the demo's own are A1–A12 and B1–B8. Each table's code,
    /// from the QR link the API answers with (`url`), as `id=code` joined by
    /// commas: what the diners' phones scan (tests/chaos/chaos.mjs).
    pub fn create_tables(&self, ids: impl IntoIterator<Item = String>) -> anyhow::Result<String> {
        let mut codes = Vec::new();
        for id in ids {
            let path = format!("/api/v1/admin/tables/{id}");
            let (status, body) = admin_put(self.address(), &path, "{}")
                .with_context(|| format!("cannot create table {id}"))?;
            if status != 200 {
                bail!("PUT {path} answered {status}");
            }
            let code = body
                .split("&code=")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .with_context(|| format!("no code in table {id}'s link: {body}"))?;
            codes.push(format!("{id}={code}"));
        }
        Ok(codes.join(","))
    }

    /// For PostgreSQL: how nginx spread the requests over the replicas.
    pub fn balancer_summary(&self, work: &Path) -> Option<String> {
        let Backend::Postgres { replicas, .. } = self else {
            return None;
        };
        let log = std::fs::read_to_string(work.join("access.log")).ok()?;
        let (a, b, failed_over, orders) =
            balance(&log, [replicas[0].address(), replicas[1].address()]);
        Some(format!(
            "nginx: replica A answered {a} requests, replica B {b}; \
             {failed_over} requests failed over to the other replica ({orders} of them order POSTs)"
        ))
    }

    /// Every stored order's key and delivery delay (server received_at −
    /// placed_at, the diner's tap on the server's clock, in ms), read from
    /// the database itself.
    pub fn stored_orders(&self) -> anyhow::Result<Vec<(String, f64)>> {
        let output = match self {
            Backend::Sqlite { database, .. } => stdout_of(
                Command::new("sqlite3")
                    .args(["-readonly", "-separator", "|"])
                    .arg(database)
                    .arg(
                        "SELECT idempotency_key, \
                         (julianday(received_at) - julianday(placed_at)) * 86400000.0 \
                         FROM orders",
                    ),
            ),
            Backend::Postgres { postgres, .. } => stdout_of(
                Command::new("psql")
                    .arg(postgres.url())
                    .args(["-X", "-A", "-t", "-F", "|", "-c"])
                    .arg(
                        "SELECT idempotency_key, \
                         EXTRACT(EPOCH FROM received_at - placed_at) * 1000 \
                         FROM orders",
                    ),
            ),
        }
        .context("cannot read the orders from the database")?;
        output
            .lines()
            .filter(|line| !line.is_empty())
            .map(|line| {
                let (key, delay) = line.split_once('|').context("a malformed row")?;
                Ok((key.to_owned(), delay.trim().parse()?))
            })
            .collect()
    }

    /// The database URL the servers use (for `wendan-server reconcile`).
    pub fn database_url(&self) -> String {
        match self {
            Backend::Sqlite { database, .. } => format!("sqlite://{}", database.display()),
            Backend::Postgres { postgres, .. } => postgres.url(),
        }
    }

    pub fn stop(self) -> anyhow::Result<()> {
        match self {
            Backend::Sqlite { .. } => Ok(()),
            Backend::Postgres {
                nginx,
                replicas,
                postgres,
            } => {
                drop(nginx);
                drop(replicas);
                postgres.stop()
            }
        }
    }
}

/// `PUT path` with a JSON `body` and the demo admin token; the status code.
/// Raw HTTP/1.0 over a socket, like `http_get`: one request, no client crate.
/// PUTs `body` with the demo admin token; the status and the answer's body.
fn admin_put(address: SocketAddr, path: &str, body: &str) -> anyhow::Result<(u16, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "PUT {path} HTTP/1.0\r\nHost: {address}\r\nAuthorization: Bearer {DEMO_ADMIN_TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .context("no HTTP status line")?;
    let body = response.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    Ok((status, body.to_owned()))
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn append(path: &Path) -> anyhow::Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))
}

fn wait_until(limit: Duration, mut ready: impl FnMut() -> bool) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if ready() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("not ready after {limit:?}")
}

#[cfg(test)]
mod tests {
    use super::balance;

    #[test]
    fn counts_answers_per_replica_and_failovers() {
        let a = "127.0.0.1:1".parse().expect("address");
        let b = "127.0.0.1:2".parse().expect("address");
        let log = "GET \"127.0.0.1:1\"\nPOST \"127.0.0.1:1, 127.0.0.1:2\"\nGET \"127.0.0.1:2\"\nGET \"-\"\n";
        assert_eq!(balance(log, [a, b]), (1, 2, 1, 1));
    }
}
