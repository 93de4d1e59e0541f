//! `dangjian import` / `dangjian export`.

use anyhow::Result;
use clap::Args;

use crate::Ctx;

#[derive(Args)]
pub struct ImportArgs {}
#[derive(Args)]
pub struct ExportArgs {}

pub async fn import(_ctx: &Ctx, _a: ImportArgs) -> Result<()> {
    anyhow::bail!("pending")
}
pub async fn export(_ctx: &Ctx, _a: ExportArgs) -> Result<()> {
    anyhow::bail!("pending")
}
