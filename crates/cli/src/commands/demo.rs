//! `dangjian demo`: build the demo city (or district, or province) and show what it holds.
//! Until the web application lands this is the README's run command.

use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;

use super::{pick_org, today};
use crate::Ctx;

#[derive(Args)]
pub struct DemoArgs {
    /// 规模：district（区县）、city（地市，默认）、province（省）/ scale
    #[arg(long, default_value = "city")]
    pub scale: String,
    /// 随机种子（同一种子生成相同数据）/ seed (same seed, same data)
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// 先删除现有 SQLite 文件再生成 / delete the existing SQLite file first
    #[arg(long)]
    pub reset: bool,
}

pub async fn run(ctx: &Ctx, a: DemoArgs) -> Result<()> {
    let scale: demo::Scale = a.scale.parse().map_err(|e: String| anyhow::anyhow!(e))?;
    if a.reset {
        if ctx.target.starts_with("postgres") {
            anyhow::bail!("--reset 只用于 SQLite 文件；PostgreSQL 请自行删除并重建数据库");
        }
        for suffix in ["", "-wal", "-shm"] {
            let p = format!("{}{suffix}", ctx.target);
            if std::path::Path::new(&p).exists() {
                std::fs::remove_file(&p).with_context(|| format!("无法删除 {p}"))?;
            }
        }
    }
    let store = ctx.open().await?;
    let all = ctx.scope();
    let existing = store::org::roots(&store, &all).await?;
    if existing.is_empty() {
        println!("正在生成演示数据（{}，种子 {}）到 {} …", a.scale, a.seed, crate::config::redacted(&ctx.target));
        let t = Instant::now();
        let bar = ctx.bar();
        let summary = demo::build(&store, &demo::DemoOptions { scale, seed: a.seed, today: today() }, &bar).await?;
        store::Progress::finish(&bar);
        println!("{}", summary.report());
        println!("用时 {:.1} 秒。\n", t.elapsed().as_secs_f64());
    } else {
        println!(
            "数据库 {} 中已有数据，未重新生成（加 --reset 可删除后重建）。\n",
            crate::config::redacted(&ctx.target)
        );
    }
    let root = pick_org(&store, &all, None).await?;
    println!("组织树概要：");
    let nodes = store::org::subtree(&store, &all, root.id, Some(1)).await?;
    super::org::print_tree(&nodes);
    let findings = store::org::findings(&store, &all, root.id, today()).await?;
    println!();
    super::check::print_findings(&root.name, today(), &findings, 15);
    println!(
        "\n下一步：dangjian org tree --depth 3、dangjian member list、dangjian check --limit 0、dangjian export --help"
    );
    Ok(())
}
