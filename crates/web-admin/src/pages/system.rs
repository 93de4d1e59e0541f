//! 系统管理员: the state of the running system — version, database, schema, accounts, sessions,
//! the audit trail's size and head, the policies in force. No business data: no organization or
//! member names or counts.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use chrono::{Duration, Utc};

use super::render;
use web_core::access::Perm;
use web_core::routes::{Routes, Target};
use web_core::tri;
use web_core::{Caller, Crumb, Nav, Shared};

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/system", Target::None, get(status))
}

#[derive(Template)]
#[template(path = "admin/system.html")]
struct SystemPage {
    nav: Nav,
    version: &'static str,
    backend: &'static str,
    location: String,
    schema: String,
    accounts: i64,
    disabled: i64,
    live_sessions: i64,
    live_tokens: i64,
    audit_records: i64,
    audit_last: String,
    /// Whether the audit chain is keyed, and by which key (its identifier, never the key).
    audit_key: String,
    /// The checkpoint file and its last checkpoint.
    audit_checkpoint: String,
    policy: String,
    expiry: String,
    session_limits: Vec<(&'static str, String)>,
    now: String,
}

/// A duration in words: `30 分钟`, `12 小时`.
fn words(d: Duration) -> String {
    let m = d.num_minutes();
    if m % 60 == 0 && m >= 60 {
        format!("{} 小时", m / 60)
    } else {
        format!("{m} 分钟")
    }
}

pub async fn status(State(s): State<Shared>, caller: Caller) -> Response {
    tri!(caller.require(Perm::RunSystem));
    let now = Utc::now();
    let location = s.store.location().await.unwrap_or_else(|_| "（无法读取）".into());
    let schema = match s.store.applied_migrations().await {
        Ok(m) => match m.last() {
            Some((v, d)) => format!("{v:04}（{d}），共 {} 个迁移", m.len()),
            None => "未迁移".into(),
        },
        Err(e) => return caller.fail(e),
    };
    let service::audit::SystemStatus { figures, head, keys } =
        match service::audit::system_status(&s.store, &caller, now, &s.limits).await {
            Ok(st) => st,
            Err(e) => return caller.fail(e),
        };
    let audit_last = head
        .last_at
        .as_deref()
        .and_then(|a| chrono::DateTime::parse_from_rfc3339(a).ok())
        .map(|t| t.format("%Y-%m-%d %H:%M:%S %:z").to_string())
        .unwrap_or_else(|| "暂无记录".into());
    let audit_key = match (&keys.keyed, &keys.store_key_id) {
        (Some((id, from)), Some(mine)) if id == mine => format!("已启用，标识 {id}，第 {from} 条记录起"),
        (Some((id, _)), Some(mine)) => format!("不一致：数据库为 {id}，本服务为 {mine}"),
        (Some((id, from)), None) => format!("数据库标识 {id}（第 {from} 条起），本服务未配置密钥"),
        (None, _) => "未启用".into(),
    };
    let audit_checkpoint = match (&keys.checkpoint_file, &keys.last_checkpoint) {
        (Some(f), Some(c)) => {
            format!("{f}，最近一次 {}（到第 {} 条）", c.at.get(..19).unwrap_or(&c.at).replace('T', " "), c.seq)
        }
        (Some(f), None) => format!("{f}，尚无检查点"),
        (None, _) => "未配置".into(),
    };
    let l = &s.limits;
    let ll = &s.login_limits;
    let session_limits = vec![
        ("空闲超时", words(l.idle)),
        ("会话最长", words(l.absolute)),
        ("两步验证限时", words(l.second_factor)),
        (
            "登录失败锁定",
            format!(
                "{} 分钟内失败 {} 次，锁定至最早一次失败满 {} 分钟",
                ll.window.num_minutes(),
                ll.max_failures,
                ll.window.num_minutes()
            ),
        ),
        (
            "Cookie",
            if s.secure_cookies {
                "仅 HTTPS 传输（Secure）".into()
            } else {
                "未设置 Secure（未启用 HTTPS）".into()
            },
        ),
    ];
    render(&SystemPage {
        nav: caller.nav("system").crumbs(vec![Crumb::new("", "系统状态")]),
        version: env!("CARGO_PKG_VERSION"),
        backend: s.store.backend().name(),
        location,
        schema,
        accounts: figures.accounts,
        disabled: figures.disabled,
        live_sessions: figures.live_sessions,
        live_tokens: figures.live_api_tokens,
        audit_records: head.records,
        audit_last,
        audit_key,
        audit_checkpoint,
        policy: format!(
            "{}（{}）：{}",
            match s.policy {
                domain::account::PasswordPolicy::Mlps { .. } => "等级保护",
                domain::account::PasswordPolicy::Asvs => "OWASP ASVS",
            },
            s.policy.name(),
            s.policy.describe()
        ),
        expiry: match s.policy.expiry_days() {
            Some(d) => format!("每 {d} 天须更换"),
            None => "不要求定期更换".into(),
        },
        session_limits,
        now: (now + Duration::hours(8)).format("%Y-%m-%d %H:%M:%S +08:00").to_string(),
    })
}
