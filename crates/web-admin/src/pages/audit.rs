//! 审计管理员: the audit trail viewer (filters, newest first, 50 a page), its CSV export (itself
//! recorded in the trail, as a sensitive read) and the hash chain check. Read only: nothing here
//! changes a record. Details are shown as the store wrote them (personal values already redacted).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::Deserialize;
use serde_json::{json, Value};
use service::ServiceError;
use store::audit::{Filter, Record};

use super::account::Errs;
use super::{render, urlencode};
use web_core::access::Perm;
use web_core::routes::{Routes, Target};
use web_core::tri;
use web_core::{Caller, Crumb, Nav, Shared};

const PER_PAGE: i64 = 50;
/// At most this many records in one export (narrow the filters for more).
const EXPORT_MAX: i64 = 100_000;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/audit", Target::None, get(viewer)).add("GET", "/audit/export", Target::None, get(export)).add(
        "GET",
        "/audit/verify",
        Target::None,
        get(verify),
    )
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AuditQuery {
    from: String,
    to: String,
    actor: String,
    action: String,
    target: String,
    result: String,
    page: String,
}

impl AuditQuery {
    /// The query string of the filters (without the page).
    fn link(&self) -> String {
        format!(
            "from={}&to={}&actor={}&action={}&target={}&result={}",
            urlencode(&self.from),
            urlencode(&self.to),
            urlencode(&self.actor),
            urlencode(&self.action),
            urlencode(&self.target),
            urlencode(&self.result)
        )
    }

    /// The store's filter, or the problems with the times typed.
    fn filter(&self) -> Result<Filter, Errs> {
        let mut errs = Errs::default();
        let from = parse_time(&self.from, false).unwrap_or_else(|m| {
            errs.push("起始时间", m);
            None
        });
        let before = parse_time(&self.to, true).unwrap_or_else(|m| {
            errs.push("截止时间", m);
            None
        });
        if let (Some(f), Some(b)) = (from, before) {
            if f >= b {
                errs.push("截止时间", "截止时间应晚于起始时间");
            }
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(Filter {
            from,
            before,
            actor: opt(&self.actor),
            action_prefix: opt(&self.action),
            target: opt(&self.target),
            result: opt(&self.result),
        })
    }
}

/// A China time typed as `2026-11-21`, `2026-11-21 08:30` (or with `T`, as a datetime-local
/// field sends it) or with seconds. An end time includes the whole day, minute or second typed,
/// so it is returned as the exclusive bound just after it.
fn parse_time(raw: &str, end: bool) -> Result<Option<NaiveDateTime>, String> {
    let s = raw.trim().replace('T', " ");
    if s.is_empty() {
        return Ok(None);
    }
    if let Ok(d) = NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
        let t = d.and_hms_opt(0, 0, 0).unwrap_or_default();
        return Ok(Some(if end { t + Duration::days(1) } else { t }));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M:%S") {
        return Ok(Some(if end { t + Duration::seconds(1) } else { t }));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M") {
        return Ok(Some(if end { t + Duration::minutes(1) } else { t }));
    }
    Err(format!("“{}”不是有效的时间，应写作 2026-11-21 或 2026-11-21 08:30（北京时间）", raw.trim()))
}

/// What an action code means, for the viewer.
fn action_label(action: &str) -> &'static str {
    match action {
        "account.create" => "新建账号",
        "account.grant" => "授予角色",
        "account.revoke" => "撤销授权",
        "account.disable" => "停用账号",
        "account.enable" => "启用账号",
        "account.password" => "修改密码",
        "account.password_reset" => "重置密码",
        "account.login" => "登录",
        "account.totp_begin" => "开始绑定两步验证",
        "account.totp_enable" => "启用两步验证",
        "account.totp_disable" => "关闭两步验证",
        "account.totp_reset" => "重置两步验证",
        "account.recovery_codes" => "重新生成恢复码",
        "account.member_lookup" => "按身份号码查找党员",
        "api_token.create" => "创建 API 令牌",
        "api_token.revoke" => "撤销 API 令牌",
        "session.create" => "开始会话",
        "session.promote" => "通过两步验证",
        "session.end" => "结束会话",
        "session.end_all" => "结束全部会话",
        "session.end_others" => "退出其他设备",
        "login_attempt.prune" => "清理登录记录",
        "audit.export" => "导出审计记录",
        "org.create" => "新建党组织",
        "org.update" => "修改党组织",
        "org.move" => "调整隶属关系",
        "org.dissolve" => "撤销党组织",
        "org.import" => "导入党组织",
        "member.create" => "新增党员",
        "member.update" => "修改党员信息",
        "member.import" => "导入党员",
        "stats.recompute" => "重算统计",
        _ => "",
    }
}

/// A result code in words, and how alarming it is (a tag class).
fn result_label(result: &str) -> (&'static str, &'static str) {
    match result {
        "ok" => ("成功", "ok-tag"),
        "found" => ("找到", "ok-tag"),
        "not_found" => ("未找到", ""),
        "password_ok" => ("密码正确，待两步验证", ""),
        "second_factor_ok" => ("两步验证通过", "ok-tag"),
        "invalid" => ("失败", "sev-warning"),
        "second_factor_invalid" => ("动态口令错误", "sev-warning"),
        "locked" => ("已锁定", "sev-error"),
        "disabled" => ("账号已停用", "sev-error"),
        _ => ("", ""),
    }
}

/// A detail value in words: text without quotes, nothing as （空）.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "（空）".into(),
        Value::Bool(true) => "是".into(),
        Value::Bool(false) => "否".into(),
        other => other.to_string(),
    }
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) if m.len() == 2 && m.contains_key("before") && m.contains_key("after") => {
            out.push((prefix.to_string(), format!("{} → {}", show(&m["before"]), show(&m["after"]))));
        }
        Value::Object(m) if !m.is_empty() => {
            for (k, x) in m {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&key, x, out);
            }
        }
        Value::Object(_) => {}
        _ => out.push((prefix.to_string(), show(v))),
    }
}

/// The before/after detail of a record as (field, value) lines; a change reads `旧 → 新`.
fn detail_lines(detail: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match serde_json::from_str::<Value>(detail) {
        Ok(v) => flatten("", &v, &mut out),
        Err(_) => out.push((String::new(), detail.to_string())),
    }
    out
}

/// `2026-11-21T10:30:05.123456+08:00` as `2026-11-21 10:30:05 +08:00`.
fn show_time(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at).map(|t| t.format("%Y-%m-%d %H:%M:%S %:z").to_string()).unwrap_or(at.into())
}

pub struct Row {
    seq: i64,
    time: String,
    actor: String,
    role: String,
    scope: String,
    ip: String,
    action: String,
    action_label: &'static str,
    target: String,
    result: String,
    result_label: &'static str,
    result_class: &'static str,
    lines: Vec<(String, String)>,
}

impl From<&Record> for Row {
    fn from(r: &Record) -> Self {
        let (result_label, result_class) = result_label(&r.result);
        Row {
            seq: r.seq,
            time: show_time(&r.at),
            actor: r.actor.clone(),
            role: r.role.clone(),
            scope: match r.scope.as_str() {
                "*" => "全部".into(),
                "" => "—".into(),
                s => s.to_string(),
            },
            ip: r.source_ip.clone().unwrap_or_else(|| "—".into()),
            action: r.action.clone(),
            action_label: action_label(&r.action),
            target: r.target.clone(),
            result: r.result.clone(),
            result_label,
            result_class,
            lines: detail_lines(&r.detail),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    nav: Nav,
    q: AuditQuery,
    errs: Errs,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    link: String,
    export_max: i64,
}

fn crumbs(caller: &Caller, last: &str) -> Nav {
    let mut c = vec![Crumb::new("/audit", "审计记录")];
    if last.is_empty() {
        c[0].href.clear();
    } else {
        c.push(Crumb::new("", last));
    }
    caller.nav("audit").crumbs(c)
}

pub async fn viewer(State(s): State<Shared>, caller: Caller, Query(q): Query<AuditQuery>) -> Response {
    tri!(caller.require(Perm::ReadAudit));
    let link = q.link();
    let filter = match q.filter() {
        Ok(f) => f,
        Err(errs) => {
            let page = AuditPage {
                nav: crumbs(&caller, ""),
                q,
                errs,
                rows: vec![],
                total: 0,
                page: 1,
                pages: 1,
                link,
                export_max: EXPORT_MAX,
            };
            let mut r = render(&page);
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return r;
        }
    };
    let page = web_core::paging::asked(&q.page);
    let read = |p| service::audit::search(&s.store, &caller, &filter, p, PER_PAGE);
    let found = match web_core::paging::within(page, read).await {
        Ok(p) => p,
        Err(e) => return caller.fail(e),
    };
    render(&AuditPage {
        nav: crumbs(&caller, ""),
        errs: Errs::default(),
        rows: found.items.iter().map(Row::from).collect(),
        total: found.total,
        page: found.page,
        pages: found.pages(),
        q,
        link,
        export_max: EXPORT_MAX,
    })
}

/// A CSV cell: quoted, and guarded against being read as a formula by a spreadsheet (a leading
/// `= + - @`, tab or carriage return gets an apostrophe in front).
fn cell(s: &str) -> String {
    let guarded = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

/// The filtered records as CSV (UTF-8 with a byte order mark so Excel reads the Chinese),
/// newest first. The export itself is recorded in the trail with its filters and size.
pub async fn export(State(s): State<Shared>, caller: Caller, Query(q): Query<AuditQuery>) -> Response {
    tri!(caller.require(Perm::ReadAudit));
    let filter = match q.filter() {
        Ok(f) => f,
        Err(errs) => {
            let msg = errs.others(&[]).join("；");
            return web_core::error_page(StatusCode::UNPROCESSABLE_ENTITY, "筛选条件有误", &msg);
        }
    };
    let filter_detail = json!({
        "from": q.from.trim(), "to": q.to.trim(), "actor": q.actor.trim(), "action": q.action.trim(),
        "target": q.target.trim(), "result": q.result.trim(),
    });
    let detail = |n: usize| json!({ "filter": filter_detail, "records": n });
    let records = match service::audit::export(&s.store, &caller, &filter, EXPORT_MAX, detail).await {
        Ok(r) => r,
        Err(ServiceError::Refused(msg)) => {
            return web_core::error_page(StatusCode::UNPROCESSABLE_ENTITY, "记录过多", &msg);
        }
        Err(e) => return caller.fail(e),
    };
    let mut out = String::from("\u{feff}");
    out.push_str("序号,时间,操作人,角色,范围,来源IP,操作,操作说明,对象,结果,详情,哈希\r\n");
    for r in &records {
        let fields = [
            r.seq.to_string(),
            r.at.clone(),
            r.actor.clone(),
            r.role.clone(),
            r.scope.clone(),
            r.source_ip.clone().unwrap_or_default(),
            r.action.clone(),
            action_label(&r.action).to_string(),
            r.target.clone(),
            r.result.clone(),
            r.detail.clone(),
            r.hash.clone(),
        ];
        out.push_str(&fields.iter().map(|f| cell(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    let now = chrono::Utc::now() + Duration::hours(8);
    let name = format!("attachment; filename=\"audit-{}.csv\"", now.format("%Y%m%d-%H%M"));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, name),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        out,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "admin/audit_verify.html")]
struct VerifyPage {
    nav: Nav,
    ok: bool,
    records: i64,
    /// (kind, the finding in full), in the order found.
    problems: Vec<(&'static str, String)>,
    /// How the records are keyed: "第 N 条起带密钥（标识 …）" or that the database has no key.
    keyed: String,
    checkpoints: usize,
}

/// Walk the chain against the key and the checkpoints and say whether it is intact, or name
/// every problem: missing, altered or inserted records, the head, the checkpoints, the key.
pub async fn verify(State(s): State<Shared>, caller: Caller) -> Response {
    tri!(caller.require(Perm::ReadAudit));
    let v = match service::audit::verify(&s.store, &caller).await {
        Ok(v) => v,
        Err(e) => return caller.fail(e),
    };
    let keyed = match (&v.key_id, v.keyed_from) {
        (Some(id), Some(from)) => {
            format!("第 {from} 条起的记录带密钥（HMAC-SHA-256，密钥标识 {id}），之前的记录为 SHA-256")
        }
        _ => "本数据库尚未启用审计密钥，全部记录为 SHA-256".into(),
    };
    render(&VerifyPage {
        nav: crumbs(&caller, "完整性校验"),
        ok: v.ok(),
        records: v.records,
        problems: v.findings.iter().map(|f| (f.label(), f.to_string())).collect(),
        keyed,
        checkpoints: v.checkpoints,
    })
}
