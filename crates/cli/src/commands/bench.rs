//! `dangjian bench …`: benchmarks recorded in docs/PERFORMANCE.md, each beside a baseline measured
//! in the same run (these machines are noisy). Not run in CI.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use clap::Subcommand;
use domain::org::OrgKind;

use store::Progress;

use super::pick_org;
use crate::Ctx;

#[derive(Subcommand)]
pub enum BenchCmd {
    /// 子树统计（汇总表）对比递归查询基线 / subtree figures from the roll-up vs a recursive query
    Rollup {
        /// 每项重复次数 / iterations per target
        #[arg(long, default_value_t = 50)]
        iterations: usize,
        /// 基线重复次数（递归查询很慢）/ iterations for the slow baseline
        #[arg(long, default_value_t = 5)]
        baseline_iterations: usize,
    },
    /// 转移一个县级子树并转回 / move a county subtree away and back
    Move {
        #[arg(long, default_value_t = 5)]
        iterations: usize,
    },
    /// 导入 N 行 CSV，对比单语句裸插入基线 / import an N-row CSV vs a raw-insert baseline
    Import {
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
    },
    /// 组织生活：评估全市一年的合规情况，对比读取同样记录的基线 / evaluate a year of organization life
    /// for the whole tree vs reading the same records
    Life {
        #[arg(long, default_value_t = 7)]
        iterations: usize,
        /// 评估日期（默认今天）/ as of (default today)
        #[arg(long, value_parser = super::parse_date_arg)]
        as_of: Option<chrono::NaiveDate>,
    },
    /// 创建活动：为全树计算并发布一次调度，对比读取同样的输入 / a dispatch round for the whole tree
    /// vs reading the same inputs
    Campaign {
        #[arg(long, default_value_t = 5)]
        iterations: usize,
        /// 参与单位为顶级党组织以下第几级 / participants: the level this far below the top
        #[arg(long, default_value_t = 1)]
        depth: i64,
        /// 统计截至（默认今天）/ as of (default today)
        #[arg(long, value_parser = super::parse_date_arg)]
        as_on: Option<chrono::NaiveDate>,
        /// 读取调度报告的次数 / reads of the published report
        #[arg(long, default_value_t = 200)]
        reads: usize,
    },
    /// 分类定级：为全树每个党组织评分后计算等次，对比读取同样的评分 / grade every organization of
    /// the tree vs reading the same scores
    Grading {
        #[arg(long, default_value_t = 5)]
        iterations: usize,
        /// 定级年度（默认今年；该年度在顶级党组织尚未开展定级）/ the year graded (default this year)
        #[arg(long)]
        year: Option<i32>,
    },
    /// 审计链：带密钥的哈希对比不带密钥的 SHA-256，及一次带审计写入的耗时 / the audit chain's keyed
    /// hash vs plain SHA-256, and an audited write for scale
    Audit {
        /// 写入多少条 / audited writes to time
        #[arg(long, default_value_t = 2000)]
        records: usize,
    },
}

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// Peak resident set size of this process so far, from /proc (Linux).
pub fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

pub async fn run(ctx: &Ctx, cmd: BenchCmd) -> Result<()> {
    match cmd {
        BenchCmd::Rollup { iterations, baseline_iterations } => rollup(ctx, iterations, baseline_iterations).await,
        BenchCmd::Move { iterations } => move_bench(ctx, iterations).await,
        BenchCmd::Import { rows } => super::io::bench_import(ctx, rows).await,
        BenchCmd::Life { iterations, as_of } => life(ctx, iterations, as_of.unwrap_or_else(super::today)).await,
        BenchCmd::Audit { records } => super::audit::bench(records).await,
        BenchCmd::Grading { iterations, year } => grading(ctx, iterations, year).await,
        BenchCmd::Campaign { iterations, depth, as_on, reads } => {
            campaign(ctx, iterations, depth, as_on.unwrap_or_else(super::today), reads).await
        }
    }
}

async fn rollup(ctx: &Ctx, iterations: usize, baseline_iterations: usize) -> Result<()> {
    let store = ctx.open().await?;
    let all = ctx.scope();
    let root = pick_org(&store, &all, None).await?.into_inner();
    // one organization at each level: root, a prefecture (or county), a county, a branch
    let lvl1 = store::org::children(&store, &all, root.id).await?;
    let Some(l1) = lvl1.iter().find(|o| o.kind == OrgKind::LocalCommittee).cloned() else {
        bail!("需要演示数据：先运行 dangjian demo --scale city 或 --scale province");
    };
    let lvl2 = store::org::children(&store, &all, l1.id).await?;
    let l2 = lvl2.iter().find(|o| o.kind == OrgKind::LocalCommittee).cloned().unwrap_or_else(|| l1.clone());
    let branch = store::org::subtree(&store, &all, l2.id, None)
        .await?
        .into_iter()
        .find(|n| n.org.kind.is_branch() && n.counts.total > 0)
        .map(|n| n.org)
        .unwrap_or_else(|| l2.clone());
    let total = store::rollup::subtree(&store, &all, root.id).await?.total;
    println!(
        "{}：{}，根党员 {total} 名，每项 {iterations} 次（基线 {baseline_iterations} 次），取中位数",
        store.backend().name(),
        root.name
    );
    println!("| 目标 | 党员数 | 汇总表 (median) | 递归查询基线 (median) | 倍数 |");
    println!("|---|---:|---:|---:|---:|");
    for (label, org) in [("根", &root), ("地市/县", &l1), ("县", &l2), ("支部", &branch)] {
        let org = &store::Visible::within(&all, org.clone()).expect("the whole tree is in scope");
        let mut fast = Vec::new();
        let mut counts = None;
        for _ in 0..iterations {
            let t = Instant::now();
            counts = Some(store::rollup::subtree(&store, &all, org.id).await?);
            fast.push(t.elapsed());
        }
        let mut slow = Vec::new();
        let mut base = None;
        for _ in 0..baseline_iterations {
            let t = Instant::now();
            base = Some(store::rollup::recursive_baseline(&store, &all, org.id).await?);
            slow.push(t.elapsed());
        }
        if counts != base {
            bail!("{} 的汇总 {counts:?} 与递归查询 {base:?} 不一致", org.name);
        }
        let (f, s) = (median(fast), median(slow));
        println!(
            "| {label} {} | {} | {} | {} | {:.0}× |",
            org.name,
            counts.map(|c| c.total).unwrap_or(0),
            ms(f),
            ms(s),
            s.as_secs_f64() / f.as_secs_f64().max(1e-9)
        );
    }
    Ok(())
}

async fn move_bench(ctx: &Ctx, iterations: usize) -> Result<()> {
    let store = ctx.open().await?;
    let all = ctx.scope();
    let root = pick_org(&store, &all, None).await?;
    let counties: Vec<_> = store::org::children(&store, &all, root.id)
        .await?
        .into_iter()
        .filter(|o| o.kind == OrgKind::LocalCommittee)
        .collect();
    if counties.len() < 2 {
        bail!("需要至少两个县级党委：先运行 dangjian demo --scale city");
    }
    // the largest county subtree, moved as a whole under a sibling county and back
    let mut best = (0i64, counties[0].id);
    for c in &counties {
        let (orgs, _) = store::org::move_preview(&store, &all, c.id).await?;
        if orgs > best.0 {
            best = (orgs, c.id);
        }
    }
    let county = best.1;
    let other = counties.iter().map(|c| c.id).find(|id| *id != county).unwrap_or(county);
    let (orgs, members) = store::org::move_preview(&store, &all, county).await?;
    println!(
        "{}：转移县级子树 #{county}（{orgs} 个党组织、{members} 名党员）到另一县委之下再转回，{iterations} 轮",
        store.backend().name()
    );
    let mut times = Vec::new();
    for _ in 0..iterations {
        let t = Instant::now();
        store::org::move_subtree(&store, &all, county, other).await?;
        times.push(t.elapsed());
        let t = Instant::now();
        store::org::move_subtree(&store, &all, county, root.id).await?;
        times.push(t.elapsed());
    }
    let bad = store::rollup::verify(&store).await?;
    println!(
        "转移中位数 {}（最慢 {}），汇总核对 {}",
        ms(median(times.clone())),
        ms(*times.iter().max().unwrap_or(&Duration::ZERO)),
        if bad.is_empty() { "一致" } else { "不一致" }
    );
    if !bad.is_empty() {
        bail!("汇总不一致");
    }
    Ok(())
}

/// `store::life::evaluate` over the root's subtree for the year of `as_of`, beside the baseline of
/// reading the same records (`store::life::facts`, the engine's own read) in the same run; and
/// the pure engine (`domain::life::evaluate` on records already in memory), to show where the
/// time goes.
async fn life(ctx: &Ctx, iterations: usize, as_of: chrono::NaiveDate) -> Result<()> {
    use chrono::Datelike;
    let store = ctx.open().await?;
    let all = ctx.scope();
    let root = pick_org(&store, &all, None).await?;
    let year = as_of.year();
    let from = chrono::NaiveDate::from_ymd_opt(year, 1, 1).expect("valid");
    let to = chrono::NaiveDate::from_ymd_opt(year, 12, 31).expect("valid");
    let params = store::life::params_on(as_of);
    // the range the engine reads: back far enough to see the last activity before `from`
    let look_from = from.min(to.min(as_of) - chrono::Duration::days(params.silent_days + 1));
    let rules = store::life::rules(&store).await?;
    let windows = store::life::year_windows(&store).await?;
    // warm up the caches once
    let ev = store::life::evaluate(&store, &root, from, to, as_of, None).await?;
    if ev.records == 0 {
        bail!("没有组织生活记录：先运行 dangjian demo --scale city");
    }
    let findings: usize = ev.results.iter().map(|r| r.findings.len()).sum();
    println!(
        "{}：{}，{year} 年（评估日 {as_of}），{} 个党组织、{} 条记录、{} 个问题；每项 {iterations} 次，取中位数",
        store.backend().name(),
        root.name,
        ev.orgs.len(),
        ev.records,
        findings
    );
    let (mut read, mut engine, mut full, mut kept) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..iterations {
        let t = Instant::now();
        let recs = store::life::facts(&store, &root, look_from, to, false).await?;
        read.push(t.elapsed());
        if recs.len() != ev.records {
            bail!("读取的记录数 {} 与评估的 {} 不一致", recs.len(), ev.records);
        }
        let t = Instant::now();
        let results = domain::life::evaluate(&ev.orgs, &recs, &rules, &windows, &ev.types, from, to, as_of, params);
        engine.push(t.elapsed());
        if results.len() != ev.results.len() {
            bail!("引擎结果不一致");
        }
        // afresh: the parameters given, so nothing kept is used
        let t = Instant::now();
        let again = store::life::evaluate(&store, &root, from, to, as_of, Some(params)).await?;
        full.push(t.elapsed());
        if again.results.iter().map(|r| r.findings.len()).sum::<usize>() != findings {
            bail!("两次评估的问题数不一致");
        }
        let t = Instant::now();
        let kept_ev = store::life::evaluate(&store, &root, from, to, as_of, None).await?;
        kept.push(t.elapsed());
        if kept_ev != again {
            bail!("保留的评估与重新评估不一致");
        }
    }
    let (r, e, f, k) = (median(read), median(engine), median(full), median(kept));
    println!("| | median |");
    println!("|---|---:|");
    println!("| 基线：读取同样的记录 (`store::life::facts`) | {} |", ms(r));
    println!("| 引擎本身 (`domain::life::evaluate`，记录已在内存) | {} |", ms(e));
    println!("| 完整评估，重新读取 (`store::life::evaluate`，给定参数) | {} |", ms(f));
    println!("| 保留的评估，无变化 (`store::life::evaluate`) | {} |", ms(k));
    println!("完整评估是基线的 {:.1} 倍。", f.as_secs_f64() / r.as_secs_f64().max(1e-9));
    Ok(())
}

/// A dispatch round for the whole tree: a campaign issued by the top organization over the level
/// `depth` below it, its standard reading every computed source; the round computed and published
/// `iterations` times beside reading the same inputs, then the round's report read as its page
/// reads it.
async fn campaign(ctx: &Ctx, iterations: usize, depth: i64, as_on: chrono::NaiveDate, reads: usize) -> Result<()> {
    use chrono::Datelike;
    let store = ctx.open().await?;
    let all = ctx.scope();
    let top = pick_org(&store, &all, None).await?;
    let op = service::Ctx::operator(all.actor().clone());
    let input = domain::campaign::CampaignInput {
        name: format!("基准：调度计算（下 {depth} 级）"),
        kind: "service".into(),
        starts_on: format!("{}-01-01", as_on.year()),
        ends_on: format!("{}-12-31", as_on.year()),
        takes_part: "level".into(),
        depth: depth.to_string(),
        name_top: "5".into(),
        ..Default::default()
    };
    let c = service::campaign::create(&store, &op, top.id, &input, &[], "组长 基准 组织部部长").await?;
    let lines = "centers|乡镇服务中心覆盖率|facility_coverage|service_center|15|linear|95\n\
                 stations|村级服务站覆盖率|facility_coverage|service_station|15|steps|0|60:50、80:100\n\
                 life|组织生活完成率|life_completion||20|linear|95\n\
                 lecture|党课完成率|life_completion|party_lecture|10|linear|100\n\
                 findings|组织生活问题数|life_findings||10|yes_no|1\n\
                 training|支部书记轮训覆盖率|training_coverage||15|linear|90\n\
                 sites|示范点数量|demo_sites||10|linear|20\n\
                 funding|投入经费|funding||5|linear|100";
    let std = domain::campaign::indicator::StandardInput::from_lines(&format!("{}-01-01", as_on.year()), "", lines);
    let std = service::campaign::add_standard(&store, &op, c.id, &std).await?;
    let parts = store::campaign::participants(&store, &c, as_on).await?;
    if parts.is_empty() {
        bail!("{} 以下第 {depth} 级没有党组织", top.name);
    }
    println!(
        "{}：{}，{} 个参与单位（下 {depth} 级），{} 项指标，统计截至 {as_on}；每项 {iterations} 次，取中位数",
        store.backend().name(),
        top.name,
        parts.len(),
        std.indicators.len()
    );
    let bar = ctx.bar();
    let (mut base, mut rounds, mut publish) = (Vec::new(), Vec::new(), Vec::new());
    let mut first = None;
    let mut last = 0;
    let mut records = 0;
    for i in 0..iterations {
        let t = Instant::now();
        records = store::campaign::measure::read_inputs(&store, &c, &top, &parts, &std.indicators, as_on).await?;
        base.push(t.elapsed());
        let t = Instant::now();
        let r = service::campaign::round::compute(&store, &op, c.id, &as_on.to_string(), "", as_on, &bar).await?;
        let computed = t.elapsed();
        let t = Instant::now();
        service::campaign::round::publish(&store, &op, r.id, "基准").await?;
        let published = t.elapsed();
        if i == 0 {
            first = Some(computed + published);
        }
        rounds.push(computed);
        publish.push(published);
        last = r.id;
    }
    let (b, r, p) = (median(base), median(rounds), median(publish));
    println!("| | median |");
    println!("|---|---:|");
    println!("| 基线：读取同样的输入（{records} 条组织生活记录及各来源的数据） | {} |", ms(b));
    println!("| 计算调度（草稿：度量、排名、写入 {} 行） | {} |", parts.len(), ms(r));
    println!("| 发布（校验值、冻结、通知参与单位） | {} |", ms(p));
    println!("| 计算并发布，合计 | {} |", ms(r + p));
    if let Some(f) = first {
        println!("| 首次计算并发布（组织生活评估尚未保留） | {} |", ms(f));
    }
    if let Some(mb) = peak_rss_mb() {
        println!("进程内存峰值 {mb:.0} MB");
    }
    // the report as its page reads it (published: every later view reads the frozen lines)
    let mut views = Vec::with_capacity(reads);
    for _ in 0..reads {
        let t = Instant::now();
        let rep = service::campaign::round::report(&store, &op, last).await?;
        views.push(t.elapsed());
        if rep.intact != Some(true) {
            bail!("已发布调度的校验值不一致");
        }
    }
    views.sort();
    let p50 = views[views.len() / 2];
    let p99 = views[(views.len() * 99 / 100).min(views.len() - 1)];
    println!("调度报告的数据读取（service::campaign::round::report，{reads} 次）：p50 {}，p99 {}", ms(p50), ms(p99));
    Ok(())
}

/// Grading the whole tree: a cycle over the top organization with the GRADE-05/06 scheme and the
/// GRADE-04 catalogue (its computed items read every organization's organization life, facilities
/// and training), every organization scored by one assessor, then the grades computed
/// `iterations` times beside reading the same entries and scores.
async fn grading(ctx: &Ctx, iterations: usize, year: Option<i32>) -> Result<()> {
    use chrono::Datelike;
    let store = ctx.open().await?;
    let all = ctx.scope();
    let top = pick_org(&store, &all, None).await?;
    let op = service::Ctx::operator(all.actor().clone());
    let today = super::today();
    let year = year.unwrap_or(today.year());
    let from = format!("{year}-01-01");
    let scheme =
        service::grading::create_scheme(&store, &op, top.id, "基准：分类定级（四档）", "points", &from).await?;
    let catalogue = service::grading::create_catalogue(&store, &op, top.id, "基准：定级指标", &from).await?;
    let input = service::grading::CycleInput {
        org_id: Some(top.id),
        year: year.to_string(),
        title: format!("基准：{year}年度分类定级"),
        scheme_id: Some(scheme.id),
        catalogue_id: Some(catalogue.id),
        steps: domain::grading::StepPreset::Grade07.code().to_string(),
    };
    let c = service::grading::open_cycle(&store, &op, &input).await?;
    let (entries, n) = service::grading::entries(&store, &op, c.id, &Default::default(), i64::MAX / 2, 0).await?;
    println!("{}：{}，{year} 年度，{n} 个党组织；每项 {iterations} 次，取中位数", store.backend().name(), top.name);
    // every organization scored by one assessor, its points drawn from its id
    let cat = domain::grading::Catalogue::preset();
    let bar = ctx.bar();
    bar.start("评分", Some(entries.len() as u64));
    let t = Instant::now();
    for e in &entries {
        let pct = 50 + (e.org_id * 37 % 50);
        let items: Vec<store::grading::ScoreInput> = cat
            .scored()
            .filter(|i| i.kind == domain::grading::ItemKind::Assessed)
            .map(|i| store::grading::ScoreInput {
                item: i.code.clone(),
                points_milli: i.max_milli * pct / 100,
                note: String::new(),
                version: 0,
            })
            .collect();
        store::grading::score(&store, &all, e.id, domain::grading::AssessorKind::Superior, &items).await?;
        bar.inc(1);
    }
    bar.finish();
    let scoring = t.elapsed();
    let (mut base, mut graded) = (Vec::new(), Vec::new());
    let (mut read, mut sum) = ((0, 0), None);
    for _ in 0..iterations {
        let t = Instant::now();
        read = store::grading::read_scores(&store, &c).await?;
        base.push(t.elapsed());
        let t = Instant::now();
        sum = Some(service::grading::compute(&store, &op, c.id, today).await?);
        graded.push(t.elapsed());
    }
    let (b, g) = (median(base), median(graded));
    let sum = sum.expect("at least one iteration");
    println!("| | median |");
    println!("|---|---:|");
    println!("| 基线：读取同样的定级对象与评分（{} 个对象，{} 条评分） | {} |", read.0, read.1, ms(b));
    println!("| 计算等次（读取各计算指标、合并评分、套用方案、写入 {} 个等次） | {} |", sum.graded, ms(g));
    println!("逐个评分（{} 个党组织，每个一个事务并记审计）共 {}", entries.len(), ms(scoring));
    if let Some(mb) = peak_rss_mb() {
        println!("进程内存峰值 {mb:.0} MB");
    }
    Ok(())
}
