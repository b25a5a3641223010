//! `wendan-server doctor` against real databases and a real TLS endpoint:
//! what it says, and its exit code (0: nothing to fix; 1: a problem).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::TestServer;

const SERVER_BIN: &str = env!("CARGO_BIN_EXE_wendan-server");

fn doctor(args: &[&str]) -> (i32, String) {
    let output: Output = Command::new(SERVER_BIN)
        .args(args)
        .env("RUST_LOG", "off")
        .output()
        .expect("run wendan-server doctor");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.code().expect("exit code"), text)
}

fn line_with<'a>(text: &'a str, words: &str) -> &'a str {
    text.lines()
        .find(|line| line.contains(words))
        .unwrap_or_else(|| panic!("no line with {words:?} in:\n{text}"))
}

/// Asserts that the finding saying `words` is `verdict` (ok, WARNING, PROBLEM).
fn assert_finding(text: &str, verdict: &str, words: &str) {
    let line = line_with(text, words);
    assert!(
        line.starts_with(verdict),
        "{words:?} is not {verdict}:\n{text}"
    );
}

#[tokio::test]
async fn a_migrated_database_passes_and_its_migrations_are_counted() {
    let mut server = TestServer::start(&[]).await;
    // Ready once its database is open and migrated.
    let ready = server.client.get(server.url("/readyz")).send().await;
    assert_eq!(ready.expect("readyz").status(), 200);
    let (code, text) = doctor(&["--database", &server.database, "--demo", "doctor"]);
    assert_eq!(code, 0, "{text}");
    assert_finding(&text, "ok", "migrations applied");
    if server.database.starts_with("postgres://") {
        assert_finding(&text, "ok", "clock");
    } else {
        assert_finding(&text, "ok", "MiB free");
    }
    server.stop().await;
}

#[test]
fn an_unreachable_postgres_is_a_problem() {
    let port = unused_port();
    let url = format!("postgres://wendan:secret@127.0.0.1:{port}/wendan");
    let (code, text) = doctor(&["--database", &url, "--demo", "doctor"]);
    assert_eq!(code, 1, "{text}");
    assert_finding(
        &text,
        "PROBLEM",
        "cannot connect to PostgreSQL wendan@127.0.0.1",
    );
    assert!(
        !text.contains("secret"),
        "the password is never printed:\n{text}"
    );
}

#[test]
fn a_database_from_a_newer_build_is_a_problem_and_nothing_is_changed() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("orders.sqlite3");
    set_user_version(&path, 99);
    let database = format!("sqlite://{}", path.display());
    let (code, text) = doctor(&["--database", &database, "--demo", "doctor"]);
    assert_eq!(code, 1, "{text}");
    assert_finding(&text, "PROBLEM", "a newer wendan-server wrote it");
    assert_eq!(user_version(&path), 99, "the doctor changes nothing");
}

#[test]
fn a_missing_database_directory_is_a_problem() {
    let (code, text) = doctor(&[
        "--database",
        "sqlite:///nonexistent-wendan-dir/orders.sqlite3",
        "--demo",
        "doctor",
    ]);
    assert_eq!(code, 1, "{text}");
    assert_finding(&text, "PROBLEM", "does not exist");
}

#[test]
fn a_certificate_about_to_expire_is_a_problem_and_an_untrusted_one_is_named() {
    let tls = TlsServer::start(3);
    let url = tls.url();

    let (code, text) = doctor(&["--demo", "doctor", "--url", &url]);
    assert_eq!(code, 1, "{text}");
    assert_finding(&text, "PROBLEM", "browsers will refuse the certificate");
    assert_finding(&text, "PROBLEM", "certificate expires in");
    assert_finding(&text, "WARNING", "Strict-Transport-Security");
    // openssl's test server is not wendan-server behind a proxy.
    assert_finding(&text, "PROBLEM", "not wendan-server's ok");

    let (_, trusted) = doctor(&["--demo", "doctor", "--url", &url, "--ca-file", &tls.ca()]);
    assert_finding(&trusted, "ok", "the certificate is trusted");
    assert_finding(&trusted, "PROBLEM", "certificate expires in");
}

#[test]
fn a_certificate_with_months_left_is_fine() {
    let tls = TlsServer::start(90);
    let (url, ca) = (tls.url(), tls.ca());
    let (_, text) = doctor(&["--demo", "doctor", "--url", &url, "--ca-file", &ca]);
    let line = line_with(&text, "the certificate is valid until");
    assert!(
        line.starts_with("ok") && line.contains("(89 days)"),
        "{text}"
    );
}

fn unused_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// A certificate for localhost valid for `days`, made with openssl.
fn self_signed(dir: &Path, days: u32) -> (std::path::PathBuf, std::path::PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        // A server's certificate, not a CA's (rustls refuses a CA as the end entity).
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-addext", "extendedKeyUsage=serverAuth"])
        .args(["-days", &days.to_string()])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("run openssl");
    assert!(status.success());
    (cert, key)
}

/// `openssl s_server -www` with a certificate for localhost valid for some
/// days: a TLS endpoint that answers any GET with 200.
struct TlsServer {
    child: Child,
    port: u16,
    cert: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl TlsServer {
    fn start(days: u32) -> Self {
        let dir = tempfile::tempdir().expect("dir");
        let (cert, key) = self_signed(dir.path(), days);
        let port = unused_port();
        let child = Command::new("openssl")
            .args(["s_server", "-quiet", "-www", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(&cert)
            .arg("-key")
            .arg(&key)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run openssl s_server");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "openssl s_server did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            port,
            cert,
            _dir: dir,
        }
    }

    fn url(&self) -> String {
        format!("https://localhost:{}/", self.port)
    }

    /// Its certificate, to trust with --ca-file.
    fn ca(&self) -> String {
        self.cert.display().to_string()
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An SQLite file whose schema a build with `version` migrations wrote.
fn set_user_version(path: &Path, version: u32) {
    let connection = rusqlite::Connection::open(path).expect("create");
    connection
        .pragma_update(None, "user_version", version)
        .expect("user_version");
}

fn user_version(path: &Path) -> u32 {
    let connection = rusqlite::Connection::open(path).expect("open");
    connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .expect("user_version")
}
