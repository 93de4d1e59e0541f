//! Build demo data into a database and report the time it took:
//!
//! ```text
//! cargo run -p demo --release --example build_demo -- city /tmp/city.db [seed] [today]
//! ```
//!
//! The target is a SQLite file path (which must not hold organizations yet) or a `postgres://` URL.
//! With `DEMO_VERIFY=1` the roll-ups are checked against a full recount afterwards.

use std::time::Instant;

use chrono::NaiveDate;

struct Print;
impl store::Progress for Print {
    fn start(&self, phase: &str, len: Option<u64>) {
        eprintln!(
            "[{:>8.1}s] {phase} {}",
            started().elapsed().as_secs_f64(),
            len.map(|n| n.to_string()).unwrap_or_default()
        );
    }
}

fn started() -> &'static Instant {
    static T: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    T.get_or_init(Instant::now)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let scale: demo::Scale = args.get(1).map(String::as_str).unwrap_or("city").parse().map_err(anyhow::Error::msg)?;
    let target = args.get(2).cloned().unwrap_or_else(|| "demo.db".into());
    let seed = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(2026);
    let today = match args.get(4) {
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")?,
        None => chrono::Local::now().date_naive(),
    };
    started();
    let store = store::Store::open(&target).await?;
    // the audit key and checkpoints where `dangjian` looks for them beside a SQLite file
    let (key, _) = store::audit::Key::load_or_create(std::path::Path::new(&format!("{target}.audit-key")))
        .map_err(anyhow::Error::msg)?;
    let setup = store::audit::Setup { key, checkpoints: format!("{target}.audit-checkpoints").into() };
    let (store, _) = store::audit::attach(store, setup).await?;
    let opts = demo::DemoOptions { scale, seed, today };
    let summary = demo::build(&store, &opts, &Print).await?;
    let secs = started().elapsed().as_secs_f64();
    println!("{}", summary.report());
    println!("用时 {secs:.1} 秒");
    if std::env::var("DEMO_VERIFY").is_ok_and(|v| v == "1") {
        let t = Instant::now();
        let mismatches = store::rollup::verify(&store).await?;
        let findings = store::org::findings(&store, &store::Scope::all(), summary.root_id, today).await?;
        let mut by_rule = std::collections::BTreeMap::new();
        for f in &findings {
            *by_rule.entry(f.finding.rule_id).or_insert(0u64) += 1;
        }
        println!(
            "统计核对：{} 处不一致；结构检查：{by_rule:?}（核对用时 {:.1} 秒）",
            mismatches.len(),
            t.elapsed().as_secs_f64()
        );
    }
    store.close().await;
    Ok(())
}
