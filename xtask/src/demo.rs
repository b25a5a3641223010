//! `cargo xtask demo`: the demo restaurant, served on http://127.0.0.1:8080/.

use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::process::tool;
use crate::{build, demo_site, setup};

pub const ADDRESS: &str = "127.0.0.1:8080";
/// The payment sandbox the demo's diners pay in (no real money).
pub const PAYSIM_ADDRESS: &str = "127.0.0.1:8090";
const PAYSIM_KEYS: &str = "target/demo-paysim-keys";

pub fn run(root: &Path) -> anyhow::Result<()> {
    // Only what the demo needs: browsers, nginx, wrk and PostgreSQL are
    // for `cargo xtask test`, `bench` and `chaos`.
    setup::for_build(root)?;
    // The widget is inside the server, as released.
    let (_, server) = build::widget_and_server(root)?;
    let base = format!("http://{ADDRESS}");
    println!();
    println!("Wendan demo: 蜀香火锅 Shu Xiang Hotpot");
    println!("  diner:    {base}/");
    println!("  table A1: its QR link (with the table's secret code) is on the tables page below");
    println!("  kitchen:  {base}/kitchen#token=demo-kitchen");
    println!("  menu API: {base}/api/v1/menu");
    println!("  admin:    {base}/admin?token=demo-admin  (peak-hour dashboard; the last lunch");
    println!("            rush is made up by --demo-rush)");
    println!("  tables:   {base}/admin/tables?token=demo-admin  (tables and their QR sheet)");
    println!(
        "  restaurant website embedding the widget: http://{}/",
        demo_site::ADDRESS
    );
    println!("  payments: pickup pays first, a table may pay later, in the payment sandbox");
    println!("            (no real money; its ledger: http://{PAYSIM_ADDRESS}/sandbox/ledger)");
    println!("Orders are kept in wendan-demo.sqlite3. Ctrl-C stops the server cleanly.");
    println!();
    // The fake restaurant site: its own process, so it outlives the exec
    // below; Ctrl-C reaches both (one process group).
    std::process::Command::new(std::env::current_exe()?)
        .arg("demo-site")
        .spawn()?;
    start_paysim(root, &server)?;
    let mut command = tool(root, server);
    command
        .args(["--listen", ADDRESS, "--demo", "--demo-rush"])
        .args(["--payment", "either", "--public-url", &base])
        .args(["--payment-sandbox", PAYSIM_KEYS])
        .args(["--payment-sandbox-url", &format!("http://{PAYSIM_ADDRESS}")])
        .args([
            "--frame-ancestors",
            &format!("http://{}", demo_site::ADDRESS),
        ])
        .args(["--database", "sqlite://wendan-demo.sqlite3"]);
    // Become the server, so Ctrl-C reaches it directly and it drains cleanly.
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        Err(command.exec().into())
    }
    #[cfg(not(unix))]
    {
        crate::process::execute(&mut command)
    }
}

/// Starts the payment sandbox beside the server (built with it, see
/// `build::server`) and waits until it listens: the server reads the keys
/// it writes when it starts.
fn start_paysim(root: &Path, server: &Path) -> anyhow::Result<()> {
    let paysim = server.with_file_name("wendan-paysim");
    std::process::Command::new(&paysim)
        .current_dir(root)
        .args(["--listen", PAYSIM_ADDRESS, "--keys-dir", PAYSIM_KEYS])
        .args([
            "--stripe-webhook-url",
            &format!("http://{ADDRESS}/api/v1/payments/stripe/webhook"),
        ])
        .spawn()
        .with_context(|| format!("cannot start {}", paysim.display()))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(PAYSIM_ADDRESS).is_err() {
        if Instant::now() > deadline {
            bail!("the payment sandbox did not listen on {PAYSIM_ADDRESS}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}
