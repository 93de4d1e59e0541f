//! 审计管理员: the audit trail viewer (filters, newest first, 50 a page), its CSV export (itself
//! recorded in the trail, as a sensitive read) and the hash chain check. Read only: nothing here
//! changes a record.
//!
//! The viewer shows each record in words (`service::audit::Entry`): actions, targets, fields and
//! coded values by their Chinese names, times in China time to the second, organizations by name
//! (personal values were redacted when the record was written). The export keeps every record
//! exactly as stored — codes, the detail as JSON, the time with its offset and fraction, the hash —
//! so a file can be checked against the chain and read by a program; it adds the action's name.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::Deserialize;
use serde_json::json;
use service::ServiceError;
use store::audit::Filter;

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

/// How alarming a result is (a tag class).
fn result_class(result: &str) -> &'static str {
    match result {
        "ok" | "found" | "second_factor_ok" => "ok-tag",
        "invalid" | "second_factor_invalid" => "sev-warning",
        "locked" | "disabled" => "sev-error",
        _ => "",
    }
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
    target_code: String,
    /// The target as a query value: the link filters the trail by it.
    target_query: String,
    result: String,
    result_label: &'static str,
    result_class: &'static str,
    lines: Vec<(String, String)>,
}

impl From<service::audit::Entry> for Row {
    fn from(e: service::audit::Entry) -> Self {
        let r = e.record;
        Row {
            seq: r.seq,
            time: e.time,
            actor: r.actor,
            role: r.role,
            scope: e.scope,
            ip: r.source_ip.unwrap_or_else(|| "—".into()),
            action_label: e.action.unwrap_or(""),
            action: r.action,
            target: e.target,
            target_query: urlencode(&r.target),
            target_code: r.target,
            result_label: e.result.unwrap_or(""),
            result_class: result_class(&r.result),
            result: r.result,
            lines: e.lines,
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
    /// The actions offered in the filter: (code, label).
    actions: &'static [(&'static str, &'static str)],
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
                actions: domain::audit::ACTIONS,
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
        total: found.total,
        page: found.page,
        pages: found.pages(),
        rows: found.items.into_iter().map(Row::from).collect(),
        q,
        link,
        export_max: EXPORT_MAX,
        actions: domain::audit::ACTIONS,
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
            domain::audit::action_label(&r.action).unwrap_or("").to_string(),
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
