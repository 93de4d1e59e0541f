//! `dangjian demo`: build the demo city (or district, or province) and show what it holds.

use anyhow::Result;
use clap::Args;

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

pub async fn run(_ctx: &Ctx, _a: DemoArgs) -> Result<()> {
    anyhow::bail!("demo: wiring pending")
}
