//! `dangjian life`: organization life. `life check` runs the daily compliance job (the findings
//! behind the home page's to-dos and the 问题清单 page); `serve` also runs it at start and every
//! day at 01:00 China time ([`spawn_daily`]).

use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use clap::Subcommand;

use super::{parse_date_arg, today};
use crate::Ctx;

#[derive(Subcommand)]
pub enum LifeCmd {
    /// 每日合规检查：重算全部党组织的组织生活问题（待办）/ the daily compliance job: recompute every finding
    Check {
        /// 按哪一天判断（默认今天）/ judge as of this date (default: today, China time)
        #[arg(long, value_parser = parse_date_arg)]
        as_of: Option<NaiveDate>,
    },
}

pub async fn run(ctx: &Ctx, cmd: LifeCmd) -> Result<()> {
    let store = ctx.open().await?;
    match cmd {
        LifeCmd::Check { as_of } => {
            let as_of = as_of.unwrap_or_else(today);
            let report = store::life::run_daily(&store, as_of, None).await?;
            println!("{}", describe(&report));
            let mut by_kind: Vec<(domain::life::FindingKind, i64)> = Vec::new();
            let scope = ctx.scope();
            for root in store::org::roots(&store, &scope).await? {
                let Some(root) = store::Visible::within(&scope, root) else { continue };
                for (code, n) in store::life::finding_counts(&store, &root).await? {
                    if let Some(k) = domain::life::FindingKind::from_code(&code) {
                        match by_kind.iter_mut().find(|e| e.0 == k) {
                            Some(e) => e.1 += n,
                            None => by_kind.push((k, n)),
                        }
                    }
                }
            }
            by_kind.sort_by_key(|e| e.0);
            for (k, n) in by_kind {
                println!("  {:<10} {n} 条", k.label());
            }
            Ok(())
        }
    }
}

/// The job's report in a sentence.
pub fn describe(r: &store::life::JobReport) -> String {
    format!(
        "组织生活每日检查（判断日 {}，检查范围 {} 至 {}）：党组织 {} 个，会议记录 {} 条，发现问题 {} 条，用时 {:.1} 秒。",
        r.as_of,
        r.from,
        r.to,
        r.orgs,
        r.records,
        r.findings,
        r.took_ms as f64 / 1000.0
    )
}

/// How long from `now` until the next 01:00 China time (UTC+8).
pub fn until_next_run(now: DateTime<Utc>) -> Duration {
    let local = (now + chrono::Duration::hours(8)).naive_utc();
    let one = NaiveTime::from_hms_opt(1, 0, 0).expect("01:00");
    let mut next = local.date().and_time(one);
    if next <= local {
        next += chrono::Duration::days(1);
    }
    (next - local).to_std().unwrap_or(Duration::from_secs(60))
}

fn stamp() -> String {
    (Utc::now() + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Run the job once in its own task, so that neither an error nor a panic reaches the server.
async fn run_once(store: &store::Store) {
    let s = store.clone();
    let as_of = today();
    match tokio::spawn(async move { store::life::run_daily(&s, as_of, None).await }).await {
        Ok(Ok(r)) => println!("[{}] {}", stamp(), describe(&r)),
        Ok(Err(e)) => eprintln!("[{}] 组织生活每日检查失败：{e}（明日 01:00 重试）", stamp()),
        Err(e) => eprintln!("[{}] 组织生活每日检查异常中止：{e}（明日 01:00 重试）", stamp()),
    }
    // then the weak-and-lax sweep: overdue rectification items and missing WEAK-06 links, read
    // after the day's organization life
    let s = store.clone();
    match tokio::spawn(async move { store::weak_and_lax::sweep_all(&s, as_of).await }).await {
        Ok(Ok(r)) => println!(
            "[{}] 软弱涣散整改督办：发现问题 {} 条，其中逾期整改事项 {} 项（新通知 {} 项）。",
            stamp(),
            r.findings,
            r.overdue_items,
            r.newly_told
        ),
        Ok(Err(e)) => eprintln!("[{}] 软弱涣散整改督办失败：{e}（明日 01:00 重试）", stamp()),
        Err(e) => eprintln!("[{}] 软弱涣散整改督办异常中止：{e}（明日 01:00 重试）", stamp()),
    }
}

/// The daily job of a running server: at start when it has not run today (China time), then
/// every day at 01:00. Failures are logged and never stop the server.
pub fn spawn_daily(store: store::Store) {
    tokio::spawn(async move {
        match store::life::last_run(&store).await {
            Ok(Some((d, _))) if d == today() => {}
            Ok(_) => run_once(&store).await,
            Err(e) => eprintln!("[{}] 无法读取组织生活每日检查的运行记录：{e}", stamp()),
        }
        loop {
            tokio::time::sleep(until_next_run(Utc::now())).await;
            run_once(&store).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn next_run_is_one_in_the_morning_china_time() {
        // 2026-11-21 10:00 in Beijing: next run 2026-11-22 01:00, 15 hours later
        assert_eq!(until_next_run(at("2026-11-21T02:00:00Z")), Duration::from_secs(15 * 3600));
        // 00:30 in Beijing: half an hour later, the same day
        assert_eq!(until_next_run(at("2026-11-20T16:30:00Z")), Duration::from_secs(1800));
        // exactly 01:00: the next day
        assert_eq!(until_next_run(at("2026-11-20T17:00:00Z")), Duration::from_secs(24 * 3600));
    }

    #[test]
    fn report_in_chinese() {
        let r = store::life::JobReport {
            as_of: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
            from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            orgs: 3900,
            records: 52000,
            findings: 812,
            took_ms: 1530,
        };
        let s = describe(&r);
        assert!(s.contains("党组织 3900 个") && s.contains("发现问题 812 条") && s.contains("1.5 秒"), "{s}");
    }
}
