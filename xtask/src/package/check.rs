//! The package's own check, on this machine, as docs/deploy.md tells an
//! operator: install it with dpkg, configure it, check it with the doctor,
//! start the service as its unit says and order through it, upgrade to a
//! higher version while it runs and restart it, find the order and its
//! state and idempotency record intact, run the backup service, then
//! remove and purge the package and see what stays.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use wendan_protocol::Menu;
use wendan_protocol::fixtures::{dine_in, line};
use wendan_protocol::pricing::quote;

use super::launch::{Launch, check_understood};
use super::systemd::Unit;
use crate::http;
use crate::process::{capture, execute, stdout_of};

const UNITS: &str = "/usr/lib/systemd/system";
const ENV_FILE: &str = "/etc/wendan/wendan.env";
const STATE: &str = "/var/lib/wendan";
const USER: &str = "wendan";

/// The doctor as docs/deploy.md runs it: as the service's user, with its
/// settings and its widget directory. The check fails if the guide differs.
pub const DOCTOR: &str =
    "runuser -u wendan -- sh -c 'set -a; . /etc/wendan/wendan.env; exec wendan-server doctor'";

/// How docs/deploy.md keeps a restaurant's own menu readable by the service.
pub const MENU_PERMISSIONS: &str =
    "chown root:wendan /etc/wendan/menu.json && chmod 0640 /etc/wendan/menu.json";

/// `[Service]` settings the launcher does not apply: systemd's sandbox,
/// reviewed by `systemd-analyze security`, and the life cycle that systemd
/// drives (the check stops the server with SIGTERM, as `KillSignal=` says).
const NOT_APPLIED: &[&str] = &[
    "ProtectSystem",
    "ProtectHome",
    "PrivateTmp",
    "PrivateDevices",
    "PrivateMounts",
    "PrivateNetwork",
    "DevicePolicy",
    "ProtectKernelTunables",
    "ProtectKernelModules",
    "ProtectKernelLogs",
    "ProtectControlGroups",
    "ProtectClock",
    "ProtectHostname",
    "ProtectProc",
    "ProcSubset",
    "RestrictAddressFamilies",
    "RestrictNamespaces",
    "RestrictRealtime",
    "RestrictSUIDSGID",
    "LockPersonality",
    "MemoryDenyWriteExecute",
    "RemoveIPC",
    "SystemCallArchitectures",
    "SystemCallFilter",
    "KillSignal",
    "TimeoutStopSec",
    "Restart",
    "RestartSec",
    "Nice",
    "IOSchedulingClass",
];

/// The most exposure `systemd-analyze security` may find in wendan.service
/// (in tenths: 15 is "1.5 OK"); weakening the hardening fails the check.
const EXPOSURE_THRESHOLD: &str = "15";

pub struct Packages {
    pub version: String,
    pub first: PathBuf,
    pub upgrade_version: String,
    pub upgrade: PathBuf,
}

/// Seconds per step, printed at the end.
#[derive(Default)]
pub struct Timings(Vec<(String, Duration)>);

impl Timings {
    pub fn time<T>(
        &mut self,
        step: &str,
        work: impl FnOnce() -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        println!("\n== package check: {step}");
        let started = Instant::now();
        let result = work();
        self.0.push((step.to_owned(), started.elapsed()));
        result
    }

    pub fn print(&self) {
        println!("\n== package check timings");
        for (step, took) in &self.0 {
            println!("{:>8.2} s  {step}", took.as_secs_f64());
        }
    }
}

pub fn run(root: &Path, packages: &Packages, timings: &mut Timings) -> anyhow::Result<()> {
    preconditions(root)?;
    let work = std::env::temp_dir().join(format!("wendan-package-check-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let user_existed = stdout_of(Command::new("getent").args(["passwd", USER])).is_some();
    let outcome = scenario(packages, &work, timings);
    // Whatever happened: nothing of the check stays on this machine.
    let _ = capture(Command::new("dpkg").args(["--purge", "wendan"]));
    let _ = std::fs::remove_dir_all(STATE);
    if !user_existed {
        let _ = capture(Command::new("deluser").args(["--system", "--quiet", USER]));
        let _ = capture(Command::new("delgroup").args(["--system", "--quiet", USER]));
    }
    if outcome.is_ok() {
        let _ = std::fs::remove_dir_all(&work);
    } else {
        println!(
            "the server's and the backup's output are in {}",
            work.display()
        );
    }
    outcome
}

fn preconditions(root: &Path) -> anyhow::Result<()> {
    ensure!(
        crate::postgres::is_root(),
        "the package check installs the package: run it as root, or build only with --no-check"
    );
    let installed = stdout_of(Command::new("dpkg-query").args(["-W", "-f=${Status}", "wendan"]));
    ensure!(
        installed.is_none_or(|status| status.ends_with("not-installed")),
        "wendan is installed on this machine; the check installs, upgrades and purges it. \
         Run it on a build machine, or dpkg --purge wendan first"
    );
    for path in [STATE, "/etc/wendan"] {
        ensure!(
            !Path::new(path).exists(),
            "{path} exists: the check would change someone's orders or settings"
        );
    }
    let guide = std::fs::read_to_string(root.join("docs/deploy.md"))?;
    for line in [DOCTOR, MENU_PERMISSIONS] {
        ensure!(
            guide.contains(line),
            "docs/deploy.md no longer says what the check runs: {line}"
        );
    }
    Ok(())
}

fn scenario(packages: &Packages, work: &Path, timings: &mut Timings) -> anyhow::Result<()> {
    timings.time("install with dpkg -i", || {
        install(&packages.first, &packages.version)
    })?;
    timings.time("what the package installed", installed_as_documented)?;
    timings.time("the units (systemd-analyze verify, security)", review_units)?;
    timings.time("put the menu in place as the guide says", || {
        std::fs::copy(
            "/usr/share/wendan/menus/demo-hotpot.json",
            "/etc/wendan/menu.json",
        )?;
        execute(Command::new("sh").args(["-c", MENU_PERMISSIONS]))
    })?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let kitchen_token = random_hex(24)?;
    let admin_token = random_hex(24)?;
    timings.time("configure /etc/wendan/wendan.env", || {
        let text = std::fs::read_to_string(ENV_FILE)?;
        let text = set_setting(&text, "WENDAN_LISTEN", &address.to_string());
        let text = set_setting(&text, "WENDAN_KITCHEN_TOKEN", &kitchen_token);
        let text = set_setting(&text, "WENDAN_ADMIN_TOKEN", &admin_token);
        Ok(std::fs::write(ENV_FILE, text)?)
    })?;
    timings.time("the doctor, as the guide runs it", || {
        let output = Command::new("sh").args(["-c", DOCTOR]).output()?;
        print!("{}", String::from_utf8_lossy(&output.stdout));
        ensure!(
            output.status.success(),
            "the doctor found problems: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(())
    })?;
    let log = work.join("wendan.service.log");
    let mut service = timings.time("start wendan.service's ExecStart, as its user", || {
        Service::start(&log, address)
    })?;
    // Dine-in orders are taken only at the restaurant's own tables (step 6),
    // with the code from the table's QR link.
    let code = timings.time("add the restaurant's table A12, as the admin would", || {
        add_table(address, &admin_token, "A12")
    })?;
    let order = timings.time("order through it over HTTP", || {
        place_order(address, &kitchen_token, &code)
    })?;

    timings.time(
        "upgrade with dpkg -i to a higher version, the server running",
        || {
            install(&packages.upgrade, &packages.upgrade_version)?;
            let settings = std::fs::read_to_string(ENV_FILE)?;
            ensure!(
                settings.contains(&kitchen_token),
                "the upgrade replaced the edited settings"
            );
            Ok(())
        },
    )?;
    let restart = Instant::now();
    timings.time(
        "restart the server (SIGTERM, drain, start, healthy)",
        || {
            service.stop()?;
            service = Service::start(&log, address)?;
            Ok(())
        },
    )?;
    let unavailable = restart.elapsed();
    timings.time("the order, its state and its key survived", || {
        order.survived(address, &kitchen_token)
    })?;
    timings.time("the backup service's command", || back_up(work))?;
    service.stop()?;
    timings.time("dpkg -r: programs gone, settings and orders kept", removed)?;
    timings.time("dpkg --purge: settings gone, orders kept", purged)?;
    println!(
        "\nthe server did not answer for {:.2} s while it restarted after the upgrade",
        unavailable.as_secs_f64()
    );
    Ok(())
}

fn install(package: &Path, version: &str) -> anyhow::Result<()> {
    execute(
        Command::new("dpkg")
            .arg("-i")
            .arg(package)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    let installed = stdout_of(Command::new("dpkg-query").args(["-W", "-f=${Version}", "wendan"]));
    ensure!(
        installed.as_deref() == Some(version),
        "installed {installed:?}, expected {version}"
    );
    let said =
        stdout_of(Command::new("/usr/bin/wendan-server").arg("--version")).unwrap_or_default();
    println!("{said}");
    let release = version.split('-').next().unwrap_or(version);
    ensure!(
        said.starts_with(&format!("wendan-server {release} (commit ")),
        "wendan-server --version said {said:?}"
    );
    Ok(())
}

fn installed_as_documented() -> anyhow::Result<()> {
    for file in [
        "/usr/bin/wendan-server",
        "/usr/share/wendan/menus/demo-hotpot.json",
        "/usr/share/wendan/nginx/wendan.conf",
        "/usr/lib/systemd/system/wendan.service",
        "/usr/lib/systemd/system/wendan-backup.service",
        "/usr/lib/systemd/system/wendan-backup.timer",
        "/etc/wendan/menu.json",
    ] {
        ensure!(
            Path::new(file).is_file(),
            "the package did not install {file}"
        );
    }
    let conffiles = stdout_of(Command::new("dpkg-query").args(["-W", "-f=${Conffiles}", "wendan"]))
        .unwrap_or_default();
    ensure!(
        conffiles.contains(ENV_FILE),
        "{ENV_FILE} is not a conffile: {conffiles}"
    );
    let owner = |path: &str| stdout_of(Command::new("stat").args(["-c", "%U:%G %a", path]));
    for (path, expected) in [
        (ENV_FILE, "root:wendan 640"),
        (STATE, "wendan:wendan 750"),
        ("/var/lib/wendan/backups", "wendan:wendan 750"),
    ] {
        let found = owner(path);
        ensure!(
            found.as_deref() == Some(expected),
            "{path}: {found:?}, expected {expected}"
        );
    }
    let shell = stdout_of(Command::new("getent").args(["passwd", USER])).unwrap_or_default();
    ensure!(
        shell.ends_with(":/usr/sbin/nologin"),
        "the user cannot log in: {shell}"
    );
    Ok(())
}

fn review_units() -> anyhow::Result<()> {
    let units = [
        "wendan.service",
        "wendan-backup.service",
        "wendan-backup.timer",
    ]
    .map(|unit| format!("{UNITS}/{unit}"));
    execute(Command::new("systemd-analyze").arg("verify").args(&units))?;
    execute(Command::new("systemd-analyze").args([
        "security",
        "--offline=true",
        &format!("--threshold={EXPOSURE_THRESHOLD}"),
        "--no-pager",
        &units[0],
    ]))?;
    for unit in &units[..2] {
        let parsed = Unit::parse(&std::fs::read_to_string(unit)?);
        check_understood(&parsed, NOT_APPLIED).with_context(|| unit.clone())?;
        ensure!(
            parsed
                .get("Service", "KillSignal")
                .is_none_or(|signal| signal == "SIGTERM"),
            "{unit}: the check stops with SIGTERM"
        );
    }
    Ok(())
}

/// `NAME=value` in place of the line that sets or comments out NAME.
pub fn set_setting(text: &str, name: &str, value: &str) -> String {
    let setting = format!("{name}={value}");
    let mut done = false;
    let mut lines: Vec<String> = text
        .lines()
        .map(|line| {
            let is_it = line
                .trim_start_matches('#')
                .split_once('=')
                .is_some_and(|(n, _)| n.trim() == name);
            if is_it && !done {
                done = true;
                setting.clone()
            } else {
                line.to_owned()
            }
        })
        .collect();
    if !done {
        lines.push(setting);
    }
    lines.join("\n") + "\n"
}

fn random_hex(bytes: usize) -> anyhow::Result<String> {
    use std::io::Read;
    let mut buffer = vec![0; bytes];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buffer)?;
    Ok(buffer.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// wendan-server started from the installed unit, stopped with SIGTERM.
struct Service(Option<Child>);

impl Service {
    fn start(log: &Path, address: SocketAddr) -> anyhow::Result<Self> {
        let launch = Launch::from_unit_file(Path::new(&format!("{UNITS}/wendan.service")))?;
        ensure!(
            launch.variable("WENDAN_LISTEN") == Some(address.to_string().as_str()),
            "the service would not listen where the settings say"
        );
        let child = launch.start(log)?;
        let service = Self(Some(child));
        let deadline = Instant::now() + Duration::from_secs(20);
        while !http::get(address, "/healthz").is_ok_and(|answer| answer.status == 200) {
            ensure!(
                Instant::now() < deadline,
                "the service did not become healthy; see {}",
                log.display()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(service)
    }

    fn stop(&mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.0.take() else {
            return Ok(());
        };
        let pid = libc::pid_t::try_from(child.id())?;
        // SAFETY: signals our own child, which has not been reaped yet.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let status = child.wait()?;
        ensure!(
            status.success(),
            "the server did not stop cleanly: {status}"
        );
        Ok(())
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The order placed before the upgrade.
struct Placed {
    key: String,
    body: Vec<u8>,
    id: String,
}

/// Adds `table`; its code, from the QR link the admin API answers with.
fn add_table(address: SocketAddr, admin_token: &str, table: &str) -> anyhow::Result<String> {
    let bearer = format!("Bearer {admin_token}");
    let added = http::request(
        address,
        "PUT",
        &format!("/api/v1/admin/tables/{table}"),
        &[
            ("authorization", &bearer),
            ("content-type", "application/json"),
        ],
        b"{}".to_vec(),
    )?;
    ensure!(
        matches!(added.status, 200 | 201),
        "PUT /api/v1/admin/tables/{table}: {} {}",
        added.status,
        added.text()
    );
    let listed: serde_json::Value = serde_json::from_slice(&added.body)?;
    listed["url"]
        .as_str()
        .and_then(|url| url.split_once("&code="))
        .map(|(_, code)| code.to_owned())
        .with_context(|| format!("no code in table {table}'s link: {}", added.text()))
}

fn place_order(address: SocketAddr, kitchen_token: &str, code: &str) -> anyhow::Result<Placed> {
    // The widget inside the binary (the package installs no dist/).
    let page = http::get(address, "/")?;
    ensure!(
        page.status == 200 && page.text().contains("<html"),
        "GET / is not the widget"
    );
    ensure!(
        !std::path::Path::new("/usr/share/wendan/dist").exists(),
        "the package still installs /usr/share/wendan/dist"
    );
    let menu: Menu = serde_json::from_slice(&http::get(address, "/api/v1/menu")?.body)?;
    let now = time::OffsetDateTime::now_utc();
    // The first dish that needs no choices, priced as the widget prices it.
    let mut order = menu
        .items
        .iter()
        .map(|item| dine_in(vec![line(&item.id, 2, &[])], now, 0))
        .find(|order| quote(&menu, order).is_ok())
        .context("the menu has no dish without required choices")?;
    order.client.total_minor = quote(&menu, &order)
        .map_err(|errors| anyhow::anyhow!("{errors:?}"))?
        .total_minor;
    order.client.menu_version = menu.version.clone();
    order.table_code = Some(code.to_owned());
    let key = random_hex(16)?;
    let body = serde_json::to_vec(&order)?;
    let created = post_order(address, &key, &body)?;
    ensure!(
        created.status == 201,
        "POST /api/v1/orders: {} {}",
        created.status,
        created.text()
    );
    let placed: serde_json::Value = serde_json::from_slice(&created.body)?;
    let id = placed["id"].as_str().context("no order id")?.to_owned();
    let bearer = format!("Bearer {kitchen_token}");
    let moved = http::request(
        address,
        "POST",
        &format!("/api/v1/kitchen/orders/{id}/status"),
        &[
            ("authorization", &bearer),
            ("content-type", "application/json"),
        ],
        br#"{"status":"preparing"}"#.to_vec(),
    )?;
    ensure!(
        moved.status == 200,
        "the kitchen could not start it: {} {}",
        moved.status,
        moved.text()
    );
    println!("order {id} placed (key {key}) and being prepared");
    Ok(Placed { key, body, id })
}

fn post_order(address: SocketAddr, key: &str, body: &[u8]) -> anyhow::Result<http::Answer> {
    http::request(
        address,
        "POST",
        "/api/v1/orders",
        &[
            ("idempotency-key", key),
            ("content-type", "application/json"),
        ],
        body.to_vec(),
    )
}

impl Placed {
    fn survived(&self, address: SocketAddr, kitchen_token: &str) -> anyhow::Result<()> {
        let found = http::get(address, &format!("/api/v1/orders/{}", self.id))?;
        ensure!(found.status == 200, "the order is gone: {}", found.status);
        let order: serde_json::Value = serde_json::from_slice(&found.body)?;
        ensure!(
            order["status"] == "preparing",
            "the order's state changed: {}",
            order["status"]
        );
        let bearer = format!("Bearer {kitchen_token}");
        let queue = http::request(
            address,
            "GET",
            "/api/v1/kitchen/orders",
            &[("authorization", &bearer)],
            Vec::new(),
        )?;
        ensure!(
            queue.text().contains(&self.id),
            "the kitchen's queue lost the order"
        );
        // The diner's phone retries after the restart: the same answer, not a second order.
        let replay = post_order(address, &self.key, &self.body)?;
        let replayed = replay
            .headers
            .get("idempotent-replayed")
            .is_some_and(|value| value == "true");
        ensure!(
            replay.status == 201 && replayed,
            "the retry was not a replay: {}",
            replay.status
        );
        ensure!(
            replay.text().contains(&self.id),
            "the retry named another order"
        );
        println!(
            "order {} is still being prepared; a retry of its key replays it",
            self.id
        );
        Ok(())
    }
}

fn back_up(work: &Path) -> anyhow::Result<()> {
    let unit_path = format!("{UNITS}/wendan-backup.service");
    let unit = Unit::parse(&std::fs::read_to_string(&unit_path)?);
    for condition in unit.all("Unit", "ConditionPathExists") {
        ensure!(
            Path::new(condition).exists(),
            "the backup would be skipped: no {condition}"
        );
    }
    let log = work.join("wendan-backup.service.log");
    Launch::from_unit_file(Path::new(&unit_path))?.run_all(&log)?;
    let said = std::fs::read_to_string(&log)?;
    print!("{said}");
    ensure!(
        said.contains("backed up 1 orders"),
        "the backup does not hold the order"
    );
    let backups: Vec<String> = std::fs::read_dir(format!("{STATE}/backups"))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    ensure!(
        backups.len() == 1 && backups[0].starts_with("wendan-") && backups[0].ends_with(".sqlite3"),
        "backups: {backups:?}"
    );
    Ok(())
}

fn removed() -> anyhow::Result<()> {
    execute(Command::new("dpkg").args(["-r", "wendan"]))?;
    ensure!(
        !Path::new("/usr/bin/wendan-server").exists(),
        "the program stayed"
    );
    for kept in [
        ENV_FILE,
        "/var/lib/wendan/wendan.sqlite3",
        "/var/lib/wendan/backups",
    ] {
        ensure!(
            Path::new(kept).exists(),
            "removing the package removed {kept}"
        );
    }
    ensure!(
        stdout_of(Command::new("getent").args(["passwd", USER])).is_some(),
        "the user went"
    );
    Ok(())
}

fn purged() -> anyhow::Result<()> {
    execute(Command::new("dpkg").args(["--purge", "wendan"]))?;
    ensure!(
        !Path::new("/etc/wendan").exists(),
        "purging left /etc/wendan"
    );
    ensure!(
        Path::new("/var/lib/wendan/wendan.sqlite3").exists(),
        "purging removed the orders"
    );
    let status = stdout_of(Command::new("dpkg-query").args(["-W", "-f=${Status}", "wendan"]));
    if status
        .as_deref()
        .is_some_and(|status| !status.ends_with("not-installed"))
    {
        bail!("dpkg still knows the package: {status:?}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::set_setting;

    #[test]
    fn a_setting_replaces_its_commented_line_or_is_added() {
        let text = "# tokens\n#WENDAN_ADMIN_TOKEN=\nWENDAN_LISTEN=127.0.0.1:8080\n";
        let set = set_setting(text, "WENDAN_ADMIN_TOKEN", "abc");
        assert_eq!(
            set,
            "# tokens\nWENDAN_ADMIN_TOKEN=abc\nWENDAN_LISTEN=127.0.0.1:8080\n"
        );
        let moved = set_setting(&set, "WENDAN_LISTEN", "127.0.0.1:9");
        assert!(moved.contains("\nWENDAN_LISTEN=127.0.0.1:9\n"));
        assert!(set_setting(text, "RUST_LOG", "debug").ends_with("RUST_LOG=debug\n"));
    }

    #[test]
    fn the_deployment_guide_says_what_the_check_runs() {
        let guide = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/deploy.md");
        let text = std::fs::read_to_string(guide).expect("docs/deploy.md");
        assert!(text.contains(super::DOCTOR));
        assert!(text.contains(super::MENU_PERMISSIONS));
    }
}
