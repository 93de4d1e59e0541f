//! `dangjian import` / `dangjian export`, and the import benchmark.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use exchange::{FileFormat, ImportKind, ImportOptions};

use super::{pick_org, today};
use crate::Ctx;

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    Members,
    Orgs,
    /// 班子成员: officers with their terms (all rows or none)
    Officers,
}

#[derive(Args)]
pub struct ImportArgs {
    /// 要导入的 .xlsx 或 .csv 文件（UTF-8 或 GBK）/ the .xlsx or .csv file (UTF-8 or GBK)
    file: PathBuf,
    /// 文件内容：members（党员）、orgs（党组织）或 officers（班子成员），省略则按表头判断（党员或党组织）/ what the file holds
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// 导入到哪个党组织之下（省略则在全库范围内匹配）/ import under this organization
    #[arg(long)]
    under: Option<i64>,
    /// 只检查、不写入 / check only, write nothing
    #[arg(long)]
    dry_run: bool,
    /// 有任何错误行就全部不写入 / write nothing if any row is bad
    #[arg(long)]
    strict: bool,
    /// 把错误行写入此 .xlsx，改正后可再次导入 / write the bad rows to this .xlsx for correction
    #[arg(long, value_name = "OUT.xlsx")]
    errors: Option<PathBuf>,
    /// 最多显示几条错误（0 = 全部）/ max errors shown (0 = all)
    #[arg(long, default_value_t = 30)]
    show: usize,
    /// 输出 JSON 报告 / print the report as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum WhatArg {
    Members,
    Orgs,
}

#[derive(Args)]
pub struct ExportArgs {
    /// 导出哪个党组织的子树（默认顶级）/ subtree to export (default: the top)
    #[arg(long)]
    org: Option<i64>,
    /// members（党员名册）或 orgs（党组织）/ roster or organizations
    #[arg(long, value_enum, default_value = "members")]
    what: WhatArg,
    /// 输出文件，按扩展名 .xlsx 或 .csv / output file (.xlsx or .csv)
    #[arg(long)]
    out: PathBuf,
    /// 导出脱敏的身份证号和电话（脱敏文件不能再导入）/ mask ID numbers and phones
    #[arg(long)]
    masked: bool,
}

pub async fn import(ctx: &Ctx, a: ImportArgs) -> Result<()> {
    if matches!(a.kind, Some(KindArg::Officers)) {
        return import_officers(ctx, a).await;
    }
    let store = ctx.open().await?;
    let all = ctx.scope();
    let opts = ImportOptions {
        kind: a.kind.map(|k| match k {
            KindArg::Members => ImportKind::Members,
            KindArg::Orgs | KindArg::Officers => ImportKind::Orgs,
        }),
        under: a.under,
        dry_run: a.dry_run,
        strict: a.strict,
        error_workbook: a.errors.clone(),
        file_name: a.file.file_name().map(|n| n.to_string_lossy().into_owned()),
        ..ImportOptions::new(today())
    };
    let bar = ctx.bar();
    let t = Instant::now();
    let report = exchange::import_file(&store, &all, &a.file, &opts, &bar).await?;
    store::Progress::finish(&bar);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}", report.summary());
        let shown = if a.show == 0 { report.errors.len() } else { a.show.min(report.errors.len()) };
        if shown > 0 {
            let rows: Vec<Vec<String>> = report.errors[..shown]
                .iter()
                .map(|e| vec![format!("第 {} 行", e.row), e.column.clone(), e.reason.clone()])
                .collect();
            print!("\n{}", crate::table::render(&["行", "列", "问题"], &rows));
            if shown < report.errors.len() {
                println!(
                    "……另有 {} 条，用 --show 0 显示全部，或用 --errors 导出错误工作簿。",
                    report.errors.len() - shown
                );
            }
        }
        println!("用时 {:.1} 秒。", t.elapsed().as_secs_f64());
    }
    if report.bad > 0 && (a.strict || a.dry_run) {
        std::process::exit(2);
    }
    Ok(())
}

pub async fn export(ctx: &Ctx, a: ExportArgs) -> Result<()> {
    let store = ctx.open().await?;
    let all = ctx.scope();
    let root = pick_org(&store, &all, a.org).await?;
    let format = FileFormat::from_path(&a.out)?;
    let bar = ctx.bar();
    let t = Instant::now();
    let operator = service::Ctx::operator(all.actor().clone());
    let req = service::exchange::ExportRequest {
        org_id: root.id,
        what: match a.what {
            WhatArg::Members => service::exchange::ExportWhat::Members,
            WhatArg::Orgs => service::exchange::ExportWhat::Orgs,
        },
        format,
        include_former: true,
        unmask: !a.masked,
        when_denied: service::personal::WhenDenied::Refuse,
        via: "cli",
    };
    let n = service::exchange::export(&store, &operator, &req, &a.out, &bar).await?.rows;
    store::Progress::finish(&bar);
    let what = match a.what {
        WhatArg::Members => "名党员",
        WhatArg::Orgs => "个党组织",
    };
    println!("已导出“{}”的 {n} {what}到 {}（{:.1} 秒）。", root.name, a.out.display(), t.elapsed().as_secs_f64());
    if !a.masked {
        println!("注意：文件含完整身份证号和电话，请妥善保管；对外提供请加 --masked。");
    }
    Ok(())
}

/// `dangjian bench import`: import an N-row CSV into a fresh SQLite file beside a baseline that
/// inserts the same rows with one prepared statement in one transaction, in the same run.
pub async fn bench_import(ctx: &Ctx, rows: u64) -> Result<()> {
    let dir = tempfile::Builder::new().prefix("dangjian-bench-").tempdir()?;
    let csv = dir.path().join("members.csv");
    let setup = |name: &'static str| {
        let p = dir.path().join(name);
        async move {
            let s = store::Store::open(p.to_str().unwrap_or_default()).await?;
            // a throw-away key for the throw-away database
            let setup = store::audit::Setup {
                key: store::audit::Key::generate(),
                checkpoints: p.with_extension("audit-checkpoints"),
            };
            let (s, _) = store::audit::attach(s, setup).await?;
            let all = ctx.scope();
            let mk = |n: &str, k| domain::org::OrgInput {
                name: n.into(),
                kind: Some(k),
                sector: Some(domain::org::Sector::Organs),
                ..Default::default()
            };
            let root =
                store::org::create(&s, &all, None, &mk("基准党委", domain::org::OrgKind::Committee), today()).await?;
            let b = store::org::create(&s, &all, Some(root.id), &mk("基准支部", domain::org::OrgKind::Branch), today())
                .await?;
            Ok::<_, anyhow::Error>((s, b))
        }
    };
    println!("生成 {rows} 行 CSV …");
    let t = Instant::now();
    exchange::bench::write_members_csv_for_bench(&csv, rows, "基准党委/基准支部", 7)?;
    let size = std::fs::metadata(&csv)?.len();
    println!("  {:.1} MB，{:.1} 秒", size as f64 / 1e6, t.elapsed().as_secs_f64());

    let (imp_store, _) = setup("import.db").await?;
    let rss_before = super::bench::peak_rss_mb().unwrap_or(0.0);
    let bar = ctx.bar();
    let t = Instant::now();
    let report = exchange::import_file(&imp_store, &ctx.scope(), &csv, &ImportOptions::new(today()), &bar).await?;
    let import_secs = t.elapsed().as_secs_f64();
    store::Progress::finish(&bar);
    let rss = super::bench::peak_rss_mb().unwrap_or(0.0);
    if report.inserted != rows {
        let first: Vec<String> = report.errors.iter().take(5).map(|e| e.to_string()).collect();
        bail!("导入只写入了 {} 行：{}\n{}", report.inserted, report.summary(), first.join("\n"));
    }

    let (base_store, branch) = setup("baseline.db").await?;
    let t = Instant::now();
    let n = exchange::bench::raw_insert_baseline(&base_store, &csv, branch.id, &branch.path).await?;
    let base_secs = t.elapsed().as_secs_f64();
    let (ir, br) = (rows as f64 / import_secs, n as f64 / base_secs);
    // the practical limit: SQLite's own shell reading the same file into a table without
    // constraints, indexes or checks
    let shell = sqlite_shell_import(&csv, &dir.path().join("plain.db"));
    println!("| 方式 | 行数 | 用时 | 行/秒 |");
    println!("|---|---:|---:|---:|");
    println!("| dangjian import（校验、去重、汇总） | {rows} | {import_secs:.1} s | {ir:.0} |");
    println!("| 裸插入基线（单条预编译语句、单事务） | {n} | {base_secs:.1} s | {br:.0} |");
    if let Ok(secs) = shell {
        println!("| sqlite3 .import 到无约束的表（实际上限） | {rows} | {secs:.1} s | {:.0} |", rows as f64 / secs);
    }
    println!(
        "导入速率为裸插入基线的 {:.0}%；导入结束时进程峰值内存 {rss:.0} MB（导入前 {rss_before:.0} MB）",
        ir / br * 100.0
    );
    match shell {
        Ok(secs) => println!("导入速率为 sqlite3 .import 的 {:.0}%", ir / (rows as f64 / secs) * 100.0),
        Err(e) => println!("未测 sqlite3 .import：{e}"),
    }
    Ok(())
}

/// Seconds SQLite's shell (`sqlite3`) takes to `.import` the CSV into a new table of database
/// `db`, in one transaction.
fn sqlite_shell_import(csv: &std::path::Path, db: &std::path::Path) -> Result<f64> {
    use std::io::Write;
    let t = Instant::now();
    let mut child = std::process::Command::new("sqlite3")
        .arg(db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .map_err(|e| anyhow::anyhow!("找不到 sqlite3 命令（{e}）"))?;
    let script = format!("BEGIN;\n.import --csv '{}' plain\nCOMMIT;\n", csv.display());
    child.stdin.take().ok_or_else(|| anyhow::anyhow!("sqlite3 无输入"))?.write_all(script.as_bytes())?;
    let status = child.wait()?;
    if !status.success() {
        bail!("sqlite3 .import 失败（{status}）");
    }
    Ok(t.elapsed().as_secs_f64())
}

/// `dangjian import --kind officers`: a 班子成员 sheet, checked whole and written only when every
/// row is good (one transaction, each term audited); re-importing it adds nothing.
async fn import_officers(ctx: &Ctx, a: ImportArgs) -> Result<()> {
    let store = ctx.open().await?;
    let operator = service::Ctx::operator(ctx.scope().actor().clone());
    let file = a.file.clone();
    let rows = tokio::task::spawn_blocking(move || exchange::officers::read_officers(&file)).await??;
    if a.dry_run {
        println!("共 {} 行班子成员（只检查，未写入：写入时会逐行核对党组织、党员和任职日期）。", rows.len());
        return Ok(());
    }
    let report = service::org::officers::import(&store, &operator, &rows, today()).await?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if report.errors.is_empty() {
        println!("班子成员：新增 {} 条任职，{} 条与已有记录相同而跳过。", report.added, report.skipped);
    } else {
        println!("班子成员表有 {} 处问题，未写入任何记录：", report.errors.len());
        let shown = if a.show == 0 { report.errors.len() } else { a.show.min(report.errors.len()) };
        for e in &report.errors[..shown] {
            println!("  {e}");
        }
    }
    if !report.errors.is_empty() {
        std::process::exit(2);
    }
    Ok(())
}
