//! The audit chain on the command line: the key every command opens the database with
//! ([`attach`]), `dangjian audit verify|checkpoint|list`, the server's daily checkpoint
//! ([`spawn_daily`]), `dangjian pg-grants` and `dangjian bench audit`.

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Result};
use clap::{Args, Subcommand};
use store::audit::{Key, KeySource, Setup};

use crate::Ctx;

/// Load (or create) the key and attach it: an existing database adopts it on first use, one keyed
/// with another key is refused. What happened for the first time is said on the terminal.
pub async fn attach(ctx: &Ctx, store: store::Store) -> Result<store::Store> {
    let (key, source) = match std::env::var("DANGJIAN_AUDIT_KEY") {
        Ok(hex) if !hex.trim().is_empty() => {
            (Key::from_hex(&hex).map_err(|e| anyhow!("环境变量 DANGJIAN_AUDIT_KEY：{e}"))?, KeySource::Environment)
        }
        _ => Key::load_or_create(&ctx.audit_key_file).map_err(anyhow::Error::msg)?,
    };
    let id = key.id();
    let setup = Setup { key, checkpoints: ctx.audit_checkpoints.clone() };
    let (store, adoption) = match store::audit::attach(store, setup).await {
        Ok(a) => a,
        Err(e) => {
            // a key made just now for a database that already has one is of no use: leave no
            // stray key file behind to be mistaken for the real one later
            if source == KeySource::Created {
                let _ = std::fs::remove_file(&ctx.audit_key_file);
            }
            bail!("{e}");
        }
    };
    if source == KeySource::Created {
        eprintln!(
            "已创建审计密钥文件 {}（仅所有者可读写，密钥标识 {id}）。请把它与数据库分开备份：没有它，审计记录无法校验。",
            ctx.audit_key_file.display()
        );
    }
    if adoption.newly {
        eprintln!(
            "审计密钥已启用：第 {} 条起的审计记录以密钥 {id} 计算 HMAC-SHA-256，之前的记录保留原哈希；检查点写入 {}。",
            adoption.from_seq,
            ctx.audit_checkpoints.display()
        );
    }
    Ok(store)
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// 校验哈希链、密钥和检查点，指出缺失、被改、被伪造之处 / verify the chain against the key
    /// and the checkpoints; names missing, altered and forged parts
    Verify,
    /// 校验后写一个签名检查点（服务每天自动写）/ verify, then append a signed checkpoint (the
    /// server writes one daily)
    Checkpoint,
    /// 最近的审计记录 / the most recent records
    List {
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
}

pub async fn run(ctx: &Ctx, cmd: AuditCmd) -> Result<()> {
    let store = ctx.open().await?;
    match cmd {
        AuditCmd::Verify => {
            let v = store::audit::verify(&store).await?;
            if !v.ok() {
                for p in &v.problems {
                    println!("  - {p}");
                }
                bail!("审计记录校验失败：共 {} 条记录，发现 {} 处问题", v.records, v.problems.len());
            }
            let keyed = match (&v.key_id, v.keyed_from) {
                (Some(id), Some(from)) => format!("第 {from} 条起带密钥（密钥标识 {id}）"),
                _ => "未启用密钥".into(),
            };
            println!(
                "审计记录完整：共 {} 条，{keyed}，哈希链与 {} 个检查点校验通过（{}）。",
                v.records,
                v.checkpoints,
                ctx.audit_checkpoints.display()
            );
        }
        AuditCmd::Checkpoint => match store::audit::checkpoint(&store).await? {
            Ok(c) => println!("已写入检查点：第 {} 条（{}），{}。", c.seq, c.at, ctx.audit_checkpoints.display()),
            Err(v) => {
                for p in &v.problems {
                    println!("  - {p}");
                }
                bail!("审计记录校验未通过，未写检查点（检查点不为已被破坏的链作证）");
            }
        },
        AuditCmd::List { limit } => {
            let rows: Vec<Vec<String>> = store::audit::recent(&store, limit)
                .await?
                .into_iter()
                .map(|r| {
                    let detail: String = r.detail.chars().take(60).collect();
                    vec![r.seq.to_string(), r.at, r.actor, r.action, r.target, r.result, detail]
                })
                .collect();
            print!("{}", crate::table::render(&["序号", "时间", "操作人", "操作", "对象", "结果", "内容"], &rows));
        }
    }
    Ok(())
}

/// The server's checkpoints: one at start, then one a day. A chain that does not verify is not
/// signed; the findings go to the log instead, every day until someone looks.
pub fn spawn_daily(store: store::Store) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(24 * 3600));
        loop {
            every.tick().await;
            match store::audit::checkpoint(&store).await {
                Ok(Ok(c)) => eprintln!("审计检查点：第 {} 条（{}）", c.seq, c.at),
                Ok(Err(v)) => {
                    eprintln!("审计记录校验失败，未写检查点：{}", v.problems.join("；"));
                }
                Err(e) => eprintln!("审计检查点写入失败：{e}（明日重试）"),
            }
        }
    });
}

#[derive(Args)]
pub struct PgGrantsArgs {
    /// 应用使用的数据库角色 / the application's database role
    #[arg(long, value_name = "ROLE")]
    role: String,
    /// 只打印 SQL，不执行 / print the statements without running them
    #[arg(long)]
    print: bool,
}

pub async fn pg_grants(ctx: &Ctx, a: PgGrantsArgs) -> Result<()> {
    if a.print {
        let db = crate::config::pg_database(&ctx.target);
        for s in store::pg_grants::statements(&db, &a.role).map_err(anyhow::Error::msg)? {
            println!("{s};");
        }
        return Ok(());
    }
    let store = ctx.open().await?;
    let ran = store::pg_grants::apply(&store, &a.role).await?;
    for s in &ran {
        println!("  {s};");
    }
    println!("已为 {} 授权：可读写业务数据、追加和读取审计记录；不能修改、删除审计记录，不能改动链头。", a.role);
    println!("每次升级（dangjian migrate）后请再运行一次。");
    Ok(())
}

/// `dangjian bench audit`: the keyed hash beside the plain SHA-256 it replaces, per record, and a
/// whole audited write (one record in its own transaction on a SQLite file) for scale.
pub async fn bench(records: usize) -> Result<()> {
    let r = store::audit::Record {
        seq: 123_456,
        at: "2026-12-07T09:30:00.123456+08:00".into(),
        actor: "zhang_admin".into(),
        role: "组织部管理员".into(),
        scope: "中共某市委组织部（含下级）".into(),
        source_ip: Some("10.0.0.8".into()),
        action: "member.update".into(),
        target: "member:48213".into(),
        result: "ok".into(),
        detail: r#"{"work_unit":{"before":"某局办公室","after":"某局综合科"},"phone":"［已脱敏］","position":{"before":null,"after":"科员"}}"#.into(),
        prev_hash: "9f2c".repeat(16),
        hash: String::new(),
    };
    let key = Key::generate();
    let n = 200_000;
    let mut plain = Vec::new();
    let mut keyed = Vec::new();
    let mut sink = 0usize;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..n {
            sink += r.plain_hash().len();
        }
        plain.push(t.elapsed());
        let t = Instant::now();
        for _ in 0..n {
            sink += r.keyed_hash(&key).len();
        }
        keyed.push(t.elapsed());
    }
    let per = |d: Duration| d.as_secs_f64() * 1e9 / n as f64;
    let (p, k) = (per(super::bench::median(plain)), per(super::bench::median(keyed)));
    println!("哈希（每条记录，{n} 次 × 5 轮的中位数）：SHA-256 {p:.0} ns，HMAC-SHA-256 {k:.0} ns，多 {:.0} ns", k - p);

    let dir = tempfile::Builder::new().prefix("dangjian-bench-").tempdir()?;
    let s = store::Store::open(dir.path().join("audit.db").to_str().unwrap_or_default()).await?;
    let setup = Setup { key, checkpoints: dir.path().join("audit.checkpoints") };
    let (s, _) = store::audit::attach(s, setup).await?;
    let scope = store::Scope::all();
    let t = Instant::now();
    for i in 0..records {
        store::audit::record_now(&s, &scope, "bench.write", &format!("bench:{i}"), "ok", serde_json::json!({"i": i}))
            .await?;
    }
    let w = t.elapsed().as_secs_f64() * 1e9 / records.max(1) as f64;
    println!(
        "一次带审计的写入（SQLite，独立事务，{records} 次平均）：{:.1} µs；密钥多出的哈希时间占 {:.2}%",
        w / 1e3,
        (k - p) / w * 100.0
    );
    let t = Instant::now();
    let v = store::audit::verify(&s).await?;
    println!(
        "校验 {} 条：{:.1} ms（{:.1} µs/条）{}",
        v.records,
        t.elapsed().as_secs_f64() * 1e3,
        t.elapsed().as_secs_f64() * 1e6 / v.records.max(1) as f64,
        if v.ok() { "" } else { "，未通过" }
    );
    std::hint::black_box(sink);
    s.close().await;
    Ok(())
}
