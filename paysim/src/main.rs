//! `wendan-paysim`: the payment sandbox as a program. Makes its keys (or
//! reads them), writes them where the merchant's server can read them, and
//! serves until Ctrl-C.

use std::path::PathBuf;

use clap::Parser;
use tokio::net::TcpListener;
use wendan_paysim::{SandboxConfig, SandboxKeys, serve};

#[derive(Debug, Parser)]
#[command(about = "Payment sandbox (no real money): WeChat Pay, Alipay and Stripe as documented")]
struct Args {
    #[arg(long, env = "PAYSIM_LISTEN", default_value = "127.0.0.1:8090")]
    listen: String,
    /// Keys are read from here if present, else made and written here.
    #[arg(long, env = "PAYSIM_KEYS_DIR", default_value = "paysim-keys")]
    keys_dir: PathBuf,
    #[arg(long, env = "PAYSIM_SEED", default_value_t = 16)]
    seed: u64,
    /// Provider retry schedules are divided by this.
    #[arg(long, env = "PAYSIM_TIME_SCALE", default_value_t = 100)]
    time_scale: u32,
    /// Where Stripe events are posted (the merchant's webhook endpoint).
    #[arg(long, env = "PAYSIM_STRIPE_WEBHOOK_URL")]
    stripe_webhook_url: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args = Args::parse();
    let keys = if args.keys_dir.join("wechat_merchant_key.pem").exists() {
        SandboxKeys::read(&args.keys_dir)?
    } else {
        let keys = SandboxKeys::generate(args.seed)?;
        keys.write(&args.keys_dir)?;
        keys
    };
    let config = SandboxConfig {
        seed: args.seed,
        time_scale: args.time_scale,
        stripe_webhook_url: args.stripe_webhook_url,
        ..SandboxConfig::default()
    };
    let listener = TcpListener::bind(&args.listen).await?;
    let running = serve(listener, config.clone(), keys).await?;
    println!(
        "Payment sandbox — no real money — on http://{}",
        running.addr
    );
    println!("keys in {}", args.keys_dir.display());
    println!(
        "WeChat mchid {} appid {}; Alipay app_id {}; ledger at http://{}/sandbox/ledger",
        config.wechat_mchid, config.wechat_appid, config.alipay_app_id, running.addr
    );
    tokio::signal::ctrl_c().await?;
    running.task.abort();
    Ok(())
}
