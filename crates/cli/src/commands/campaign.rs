//! `dangjian campaign`: creation campaigns from the command line, through the same use cases as
//! the pages: list them, compute a dispatch round (with a progress bar; a province's round reads
//! hundreds of thousands of organizations) and publish it, and check a published round's digest.

use std::time::Instant;

use anyhow::{bail, Result};
use chrono::NaiveDate;
use clap::Subcommand;

use super::{parse_date_arg, today};
use crate::Ctx;

#[derive(Subcommand)]
pub enum CampaignCmd {
    /// 列出创建活动及其调度 / list campaigns and their rounds
    List,
    /// 计算一次调度（草稿），可随即发布 / compute a dispatch round (a draft), and publish it
    Round {
        /// 活动编号 / the campaign
        #[arg(long)]
        campaign: i64,
        /// 统计截至日期（默认今天）/ as of (default today)
        #[arg(long, value_parser = parse_date_arg)]
        as_on: Option<NaiveDate>,
        /// 调度名称（默认“第N次调度”）/ title
        #[arg(long, default_value = "")]
        title: String,
        /// 计算后立即发布 / publish at once
        #[arg(long)]
        publish: bool,
        /// 发布时的调度小结 / the summary kept when publishing
        #[arg(long, default_value = "")]
        summary: String,
    },
    /// 校验已发布调度的校验值 / check a published round's digest against its stored lines
    Verify {
        #[arg(long)]
        round: i64,
    },
}

pub async fn run(ctx: &Ctx, cmd: CampaignCmd) -> Result<()> {
    let store = ctx.open().await?;
    let op = service::Ctx::operator(ctx.scope().actor().clone());
    match cmd {
        CampaignCmd::List => {
            let all = service::campaign::list(&store, &op).await?;
            if all.is_empty() {
                println!("还没有创建活动。");
            }
            for (c, _) in all {
                let v = service::campaign::view(&store, &op, c.id).await?;
                println!("{:>5}  {}（{}，{}，{}）", c.id, c.name, c.kind_label, c.org_name, c.period());
                for r in v.rounds {
                    println!("         调度 {:>5}  {}  截至 {}  {}", r.id, r.title, r.as_on, r.status_label());
                }
            }
            Ok(())
        }
        CampaignCmd::Round { campaign, as_on, title, publish, summary } => {
            let as_on = as_on.unwrap_or_else(today);
            let bar = ctx.bar();
            let t = Instant::now();
            let r = service::campaign::round::compute(&store, &op, campaign, &as_on.to_string(), &title, today(), &bar)
                .await?;
            let computed = t.elapsed();
            let rep = service::campaign::round::report(&store, &op, r.id).await?;
            println!(
                "{}：{}（截至 {}）草稿已生成，编号 {}，{} 个参与单位，用时 {:.2} 秒。",
                rep.campaign.name,
                r.title,
                r.as_on,
                r.id,
                rep.participants,
                computed.as_secs_f64()
            );
            let names = |v: &[domain::campaign::round::Line]| {
                v.iter().take(10).map(|l| format!("{}（{}）", l.org_name, l.rank)).collect::<Vec<_>>().join("、")
            };
            println!("  先进：{}", names(&rep.leaders));
            println!("  后进：{}", names(&rep.laggards));
            if publish {
                let t = Instant::now();
                let p = service::campaign::round::publish(&store, &op, r.id, &summary).await?;
                println!("已发布（用时 {:.2} 秒），校验值 {}。", t.elapsed().as_secs_f64(), p.digest);
            }
            Ok(())
        }
        CampaignCmd::Verify { round } => {
            let rep = service::campaign::round::report(&store, &op, round).await?;
            match rep.intact {
                Some(true) => {
                    println!("{} {}：校验值与发布时一致（{}）。", rep.campaign.name, rep.round.title, rep.round.digest);
                    Ok(())
                }
                Some(false) => bail!("{} {}：存储的调度结果与发布时的校验值不一致", rep.campaign.name, rep.round.title),
                None => bail!("{} 尚未发布，没有校验值", rep.round.title),
            }
        }
    }
}
