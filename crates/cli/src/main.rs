//! `dangjian`: 基层党建工作平台 / grassroots party-building platform.

mod commands;
mod config;
mod progress;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

const ABOUT: &str = "dangjian 基层党建工作平台：组织树、党员名册、导入导出、演示数据。\n\
dangjian grassroots party-building platform: organization tree, member roster, import/export, demo data.";

const AFTER: &str = "数据库 / Database: 默认 ./dangjian.db (SQLite)；--db PATH；DATABASE_URL=postgres://… 使用 PostgreSQL；\
或在 ./dangjian.toml 中写 database = \"…\"。\n\
Default ./dangjian.db (SQLite); --db PATH; DATABASE_URL=postgres://… for PostgreSQL; or database = \"…\" in ./dangjian.toml.";

#[derive(Parser)]
#[command(name = "dangjian", version, about = ABOUT, after_help = AFTER)]
pub struct Cli {
    /// SQLite 文件路径或 postgres:// 地址 / SQLite file path or postgres:// URL
    #[arg(long, global = true, value_name = "PATH|URL")]
    db: Option<String>,
    /// 配置文件 / configuration file (default ./dangjian.toml if present)
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// 不显示进度条 / no progress bars
    #[arg(long, global = true)]
    quiet: bool,
    /// 静默组织的天数（默认按 LIFE-14：30 天）/ days without recorded activity before an
    /// organization is reported silent (default LIFE-14's 30)
    #[arg(long, global = true, env = "DANGJIAN_SILENT_DAYS", value_name = "DAYS",
          value_parser = clap::value_parser!(i64).range(7..=366))]
    silent_days: Option<i64>,
    /// 审计密钥文件（不存在时创建，权限 0600）/ audit key file (created, mode 0600, when absent);
    /// default beside the SQLite file, or <database>.audit-key here for PostgreSQL.
    /// DANGJIAN_AUDIT_KEY (64 hex digits) takes precedence.
    #[arg(long, global = true, env = "DANGJIAN_AUDIT_KEY_FILE", value_name = "PATH")]
    audit_key_file: Option<PathBuf>,
    /// 审计检查点目录 / directory of the signed audit checkpoints (default: the SQLite file's
    /// directory, or here for PostgreSQL)
    #[arg(long, global = true, env = "DANGJIAN_AUDIT_CHECKPOINT_DIR", value_name = "DIR")]
    audit_checkpoint_dir: Option<PathBuf>,
    /// 日志格式 / log format: text (default) or json, one line per event on standard error
    #[arg(long, global = true, env = "DANGJIAN_LOG_FORMAT", value_name = "FORMAT", default_value = "text")]
    log_format: LogFormat,
    /// 导入文件允许的最多行数（含表头，默认 1000000）/ the last spreadsheet row an imported file
    /// may use (header included; default 1,000,000)
    #[arg(long, global = true, env = "DANGJIAN_IMPORT_MAX_ROWS", value_name = "ROWS",
          value_parser = clap::value_parser!(u64).range(2..))]
    import_max_rows: Option<u64>,
    #[command(subcommand)]
    command: Command,
}

/// How log lines are written.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    /// Readable lines, for a terminal.
    Text,
    /// One JSON object per line, for a log collector.
    Json,
}

/// Logs go to standard error, so command output on standard output stays clean, written by a
/// thread of their own so that a request never waits for the terminal or a pipe (lines are never
/// dropped: a full buffer slows the writers instead). `DANGJIAN_LOG` sets the levels in
/// `tracing`'s filter syntax (default: `info` for dangjian's own crates, `warn` for the
/// libraries). The returned guard writes out what is left when the program ends.
fn init_logging(format: LogFormat) -> tracing_appender::non_blocking::WorkerGuard {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("DANGJIAN_LOG")
        .unwrap_or_else(|_| EnvFilter::new("warn,web_core=info,web=info,service=info,store=info,dangjian=info"));
    let (writer, guard) =
        tracing_appender::non_blocking::NonBlockingBuilder::default().lossy(false).finish(std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).try_init(),
        LogFormat::Text => builder.with_ansi(false).try_init(),
    };
    guard
}

#[derive(Subcommand)]
enum Command {
    /// 启动网页服务 / start the web application
    Serve(commands::serve::ServeArgs),
    /// 创建或升级数据库结构 / create or upgrade the database schema
    Migrate,
    /// 生成演示数据（确定性）/ build deterministic demo data
    Demo(commands::demo::DemoArgs),
    /// 党组织：树、新增、转移、查看、撤销、搜索 / organizations: tree, add, move, show, dissolve, search
    #[command(subcommand)]
    Org(commands::org::OrgCmd),
    /// 党员：新增、查看、列表 / members: add, show, list
    #[command(subcommand)]
    Member(commands::member::MemberCmd),
    /// 从 .xlsx / .csv 导入党员或党组织 / import members or organizations from .xlsx / .csv
    Import(commands::io::ImportArgs),
    /// 导出子树的党员名册或党组织到 .xlsx / .csv / export a subtree's roster or organizations
    Export(commands::io::ExportArgs),
    /// 组织结构检查（ORG/TERM 规则）/ structural findings for a subtree
    Check(commands::check::CheckArgs),
    /// 组织生活：每日合规检查 / organization life: the daily compliance job
    #[command(subcommand)]
    Life(commands::life::LifeCmd),
    /// 创建活动：列表、计算并发布调度、校验已发布的调度 / campaigns: list, compute and publish a
    /// dispatch round, verify a published one
    #[command(subcommand)]
    Campaign(commands::campaign::CampaignCmd),
    /// 在线备份 SQLite 数据库 / consistent online backup of the SQLite database
    Backup(BackupArgs),
    /// 统计汇总表：核对或重算 / roll-up table: verify or recompute
    #[command(subcommand)]
    Stats(commands::check::StatsCmd),
    /// 审计记录：校验哈希链与检查点、写检查点、查看最近记录 / audit trail: verify the chain and its
    /// checkpoints, write a checkpoint, list recent records
    #[command(subcommand)]
    Audit(commands::audit::AuditCmd),
    /// PostgreSQL：为应用账号授权（数据库所有者在 migrate 之后运行）/ PostgreSQL: grant the
    /// application role its rights (run by the database owner after migrate)
    PgGrants(commands::audit::PgGrantsArgs),
    /// 账号与角色：新增、列表、授权、收回、停用、改密码 / accounts and roles: add, list, grant, revoke, disable, passwd
    User(commands::user::UserArgs),
    /// 性能基准（不在 CI 中运行）/ benchmarks (not run in CI)
    #[command(subcommand)]
    Bench(commands::bench::BenchCmd),
}

#[derive(Args)]
struct BackupArgs {
    /// 备份文件路径 / destination file
    out: PathBuf,
}

/// mimalloc instead of glibc's malloc: the server allocates and frees many small strings per
/// request on several threads (tokio's workers, SQLite's connection threads), where glibc's
/// arenas spent a tenth of a member-list request in `malloc`/`free`/`malloc_consolidate`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _logs = init_logging(cli.log_format);
    if let Some(days) = cli.silent_days {
        store::life::configure_silent_days(days);
    }
    if let Some(rows) = cli.import_max_rows {
        exchange::configure_import_max_rows(rows);
    }
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

pub struct Ctx {
    pub target: String,
    pub quiet: bool,
    /// The audit key file and the checkpoint file.
    pub audit_key_file: PathBuf,
    pub audit_checkpoints: PathBuf,
}

impl Ctx {
    /// Open (and migrate) the database with the audit key attached: every command may write
    /// audited records, and none may write them without the key.
    pub async fn open(&self) -> anyhow::Result<store::Store> {
        let store = store::Store::open(&self.target)
            .await
            .map_err(|e| anyhow::anyhow!("无法打开数据库 {}：{e}", config::redacted(&self.target)))?;
        commands::audit::attach(self, store).await
    }
    /// The command line acts on the whole database, as the operator who runs it (recorded in the
    /// audit trail as `cli:<login name>`).
    pub fn scope(&self) -> store::Scope {
        let user = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_else(|_| "unknown".into());
        store::Scope::all().acting_as(store::Actor::new(format!("cli:{user}"), "系统操作员"))
    }
    pub fn bar(&self) -> progress::Bar {
        progress::Bar::new(self.quiet)
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let file = config::load_file(cli.config.as_deref())?;
    let env = std::env::var("DATABASE_URL").ok();
    let target = config::database(cli.db.as_deref(), env.as_deref(), &file);
    let (audit_key_file, audit_checkpoints) =
        config::audit_paths(&target, cli.audit_key_file.as_deref(), cli.audit_checkpoint_dir.as_deref(), &file);
    let ctx = Ctx { target, quiet: cli.quiet, audit_key_file, audit_checkpoints };
    match cli.command {
        Command::Migrate => {
            let store = ctx.open().await?;
            println!("数据库 {}（{}）已是最新结构：", config::redacted(&ctx.target), store.backend().name());
            for (v, d) in store.applied_migrations().await? {
                println!("  {v:>4}  {d}");
            }
            if store.backend() == store::Backend::Postgres {
                println!("PostgreSQL：请随后以数据库所有者运行 dangjian pg-grants --role <应用账号> 为应用账号授权。");
            }
            Ok(())
        }
        Command::Demo(a) => commands::demo::run(&ctx, a).await,
        Command::Serve(a) => commands::serve::run(&ctx, a).await,
        Command::Org(c) => commands::org::run(&ctx, c).await,
        Command::Member(c) => commands::member::run(&ctx, c).await,
        Command::Import(a) => commands::io::import(&ctx, a).await,
        Command::Export(a) => commands::io::export(&ctx, a).await,
        Command::Check(a) => commands::check::run(&ctx, a).await,
        Command::Life(c) => commands::life::run(&ctx, c).await,
        Command::Campaign(c) => commands::campaign::run(&ctx, c).await,
        Command::Stats(c) => commands::check::stats(&ctx, c).await,
        Command::Backup(a) => {
            let store = ctx.open().await?;
            if a.out.exists() {
                anyhow::bail!("备份文件 {} 已存在，请换一个文件名", a.out.display());
            }
            store.backup_sqlite(&a.out).await?;
            let size = std::fs::metadata(&a.out).map(|m| m.len()).unwrap_or(0);
            println!("已备份到 {}（{:.1} MB），可在服务运行时执行。", a.out.display(), size as f64 / 1e6);
            println!(
                "审计密钥不在备份中：请另行备份 {}；用备份恢复后以 --audit-key-file 指向它，否则审计记录无法校验。",
                ctx.audit_key_file.display()
            );
            Ok(())
        }
        Command::Bench(c) => commands::bench::run(&ctx, c).await,
        Command::Audit(c) => commands::audit::run(&ctx, c).await,
        Command::PgGrants(a) => commands::audit::pg_grants(&ctx, a).await,
        Command::User(a) => commands::user::run(&ctx, a).await,
    }
}
