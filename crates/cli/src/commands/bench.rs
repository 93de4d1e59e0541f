//! `dangjian bench …`: benchmarks recorded in docs/PERFORMANCE.md.

use anyhow::Result;
use clap::Subcommand;

use crate::Ctx;

#[derive(Subcommand)]
pub enum BenchCmd {}

pub async fn run(_ctx: &Ctx, _c: BenchCmd) -> Result<()> {
    Ok(())
}
