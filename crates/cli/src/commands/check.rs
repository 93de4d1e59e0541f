//! `dangjian check` (structural findings) and `dangjian stats` (the roll-up table).

use anyhow::Result;
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use domain::rules::Severity;

use super::{parse_date_arg, pick_org, today};
use crate::Ctx;

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(Args)]
pub struct CheckArgs {
    /// 检查哪个党组织的子树（默认顶级）/ subtree to check (default: the top)
    #[arg(long)]
    org: Option<i64>,
    /// 按哪一天判断（默认今天）/ judge as of this date (default: today)
    #[arg(long, value_parser = parse_date_arg)]
    on: Option<NaiveDate>,
    /// 输出格式 / output format
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// 表格最多显示几行（0 = 全部）/ max table rows (0 = all)
    #[arg(long, default_value_t = 40)]
    limit: usize,
}

#[derive(Subcommand)]
pub enum StatsCmd {
    /// 查看子树统计 / show a subtree's figures
    Show {
        #[arg(long)]
        org: Option<i64>,
    },
    /// 用全量重算核对汇总表 / verify the roll-up against a full recompute
    Verify,
    /// 全量重算汇总表 / recompute the roll-up table
    Rebuild,
}

pub async fn run(ctx: &Ctx, a: CheckArgs) -> Result<()> {
    let store = ctx.open().await?;
    let all = ctx.scope();
    let root = pick_org(&store, &all, a.org).await?;
    let on = a.on.unwrap_or_else(today);
    let findings = store::org::findings(&store, &all, root.id, on).await?;
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&findings)?),
        Format::Table => print_findings(&root.name, on, &findings, a.limit),
    }
    Ok(())
}

pub fn print_findings(root: &str, on: NaiveDate, findings: &[store::org::OrgFinding], limit: usize) {
    let mut by_rule: std::collections::BTreeMap<&str, usize> = Default::default();
    for f in findings {
        *by_rule.entry(f.finding.rule_id).or_default() += 1;
    }
    println!("{root} 组织结构检查（{on}）：共 {} 条", findings.len());
    for (rule, n) in &by_rule {
        println!("  {rule}  {n} 条");
    }
    if findings.is_empty() {
        return;
    }
    let mut sorted: Vec<&store::org::OrgFinding> = findings.iter().collect();
    sorted.sort_by(|a, b| b.finding.severity.cmp(&a.finding.severity).then(a.path.cmp(&b.path)));
    let shown = if limit == 0 { sorted.len() } else { limit.min(sorted.len()) };
    let rows: Vec<Vec<String>> = sorted[..shown]
        .iter()
        .map(|f| {
            vec![
                match f.finding.severity {
                    Severity::Error => "错误".into(),
                    s => s.label().into(),
                },
                f.finding.rule_id.into(),
                format!("{} #{}", f.org_name, f.org_id),
                f.finding.message.clone(),
            ]
        })
        .collect();
    println!();
    print!("{}", crate::table::render(&["级别", "规则", "党组织", "问题"], &rows));
    if shown < sorted.len() {
        println!("……另有 {} 条，用 --limit 0 显示全部，或 --format json 输出。", sorted.len() - shown);
    }
}

pub async fn stats(ctx: &Ctx, cmd: StatsCmd) -> Result<()> {
    let store = ctx.open().await?;
    let all = ctx.scope();
    match cmd {
        StatsCmd::Show { org } => {
            let root = pick_org(&store, &all, org).await?;
            let c = store::rollup::subtree(&store, &all, root.id).await?;
            println!("{}：{}", root.name, serde_json::to_string_pretty(&c)?);
        }
        StatsCmd::Verify => {
            let bad = store::rollup::verify(&store).await?;
            if bad.is_empty() {
                println!("汇总表与全量重算一致。");
            } else {
                for m in bad.iter().take(20) {
                    println!("#{} {}：汇总 {:?}，重算 {:?}", m.org_id, m.path, m.stored, m.computed);
                }
                anyhow::bail!("{} 个党组织的汇总与重算不一致，可运行 dangjian stats rebuild 修复", bad.len());
            }
        }
        StatsCmd::Rebuild => {
            let n = store::rollup::recompute(&store, &all).await?;
            println!("已重算 {n} 个党组织的汇总。");
        }
    }
    Ok(())
}
