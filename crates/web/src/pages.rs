//! The pages: 工作台, 组织树, 党组织详情, 党员名册. Each handler first resolves the caller (the
//! extractor redirects to the login page without a session) and reads only through its scope.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::rules::{self, OrgFacts, Severity};
use serde::Deserialize;
use store::member::MemberFilter;
use store::stats::Counts;
use store::StoreError;

use crate::auth::{Caller, Nav};
use crate::{error_page, Shared};

fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(s) => Html(s).into_response(),
        Err(_) => error_page(StatusCode::INTERNAL_SERVER_ERROR, "页面出错", "页面生成失败，请稍后再试。"),
    }
}

/// Store errors as pages: out of scope and missing are the same 404.
fn store_error(e: StoreError) -> Response {
    match e {
        StoreError::NotFound(_) => {
            error_page(StatusCode::NOT_FOUND, "页面不存在", "您要找的记录不存在，或不在您的管理范围内。")
        }
        StoreError::Invalid(_) | StoreError::Refused(_) => {
            error_page(StatusCode::BAD_REQUEST, "无法完成", &e.to_string())
        }
        _ => error_page(StatusCode::INTERNAL_SERVER_ERROR, "系统繁忙", "读取数据时出错，请稍后再试。"),
    }
}

fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

pub struct FindingRow {
    pub severity: &'static str,
    pub severity_code: &'static str,
    pub rule_id: &'static str,
    pub source: String,
    pub org_id: i64,
    pub org_name: String,
    pub message: String,
}

fn sev_code(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    nav: Nav,
    counts: Counts,
    grassroots: usize,
    findings: Vec<FindingRow>,
    findings_total: usize,
}

pub async fn home(State(s): State<Shared>, caller: Caller) -> Response {
    let roots = caller.roots.clone();
    let mut counts = Counts::default();
    let mut grassroots = 0;
    let mut all = Vec::new();
    for r in &roots {
        let nodes = match store::org::subtree(&s.store, &caller.scope, r.id, None).await {
            Ok(n) => n,
            Err(e) => return store_error(e),
        };
        if let Some(top) = nodes.first() {
            counts.add(&top.counts);
        }
        grassroots += nodes.iter().filter(|n| n.org.kind.is_grassroots()).count();
        all.extend(store::org::findings_in(&nodes, today()));
    }
    all.sort_by(|a, b| b.finding.severity.cmp(&a.finding.severity).then(a.path.cmp(&b.path)));
    let findings_total = all.len();
    let findings = all
        .into_iter()
        .take(20)
        .map(|f| FindingRow {
            severity: f.finding.severity.label(),
            severity_code: sev_code(f.finding.severity),
            rule_id: f.finding.rule_id,
            source: f.finding.source,
            org_id: f.org_id,
            org_name: f.org_name,
            message: f.finding.message,
        })
        .collect();
    render(&Home { nav: caller.nav("home"), counts, grassroots, findings, findings_total })
}

#[derive(Deserialize)]
pub struct OrgsQuery {
    root: Option<i64>,
    depth: Option<usize>,
    q: Option<String>,
}

pub struct TreeRow {
    id: i64,
    name: String,
    kind: &'static str,
    sector: &'static str,
    indent: f32,
    total: i64,
    full: i64,
    probationary: i64,
    has_more: bool,
}

#[derive(Template)]
#[template(path = "orgs.html")]
struct Orgs {
    nav: Nav,
    crumbs: Vec<(i64, String)>,
    root_id: i64,
    root_name: String,
    q: String,
    depth: usize,
    nodes: Vec<TreeRow>,
    truncated: bool,
}

const TREE_ROWS: usize = 500;

pub async fn orgs(State(s): State<Shared>, caller: Caller, Query(q): Query<OrgsQuery>) -> Response {
    let root = match q.root {
        Some(id) => store::org::get(&s.store, &caller.scope, id).await,
        None => caller.roots.first().cloned().ok_or(StoreError::NotFound("党组织")),
    };
    let root = match root {
        Ok(r) => r,
        Err(e) => return store_error(e),
    };
    let depth = q.depth.unwrap_or(2).clamp(1, 4);
    let search = q.q.as_deref().map(str::trim).unwrap_or("").to_string();
    let base = domain::path::depth(&root.path);
    let (nodes, truncated) = if search.is_empty() {
        let nodes = match store::org::subtree(&s.store, &caller.scope, root.id, Some(depth)).await {
            Ok(n) => n,
            Err(e) => return store_error(e),
        };
        let truncated = nodes.len() > TREE_ROWS;
        let rows: Vec<TreeRow> = nodes
            .iter()
            .take(TREE_ROWS)
            .map(|n| TreeRow {
                id: n.org.id,
                name: n.org.name.clone(),
                kind: n.org.kind.label(),
                sector: n.org.sector.label(),
                indent: 0.7 + n.depth as f32 * 1.3,
                total: n.counts.total,
                full: n.counts.full_members,
                probationary: n.counts.probationary,
                has_more: n.depth == depth && !n.org.kind.holds_members(),
            })
            .collect();
        (rows, truncated)
    } else {
        let found = match store::org::search(&s.store, &caller.scope, root.id, &search, TREE_ROWS as i64 + 1).await {
            Ok(f) => f,
            Err(e) => return store_error(e),
        };
        let truncated = found.len() > TREE_ROWS;
        let mut rows = Vec::new();
        for o in found.into_iter().take(TREE_ROWS) {
            let c = store::stats::of(&s.store, &o).await.unwrap_or_default();
            rows.push(TreeRow {
                id: o.id,
                indent: 0.7 + (domain::path::depth(&o.path) - base) as f32 * 0.4,
                name: o.name,
                kind: o.kind.label(),
                sector: o.sector.label(),
                total: c.total,
                full: c.full_members,
                probationary: c.probationary,
                has_more: false,
            });
        }
        (rows, truncated)
    };
    let crumbs = store::org::ancestors(&s.store, &caller.scope, root.id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    render(&Orgs {
        nav: caller.nav("orgs"),
        crumbs,
        root_id: root.id,
        root_name: root.name,
        q: search,
        depth,
        nodes,
        truncated,
    })
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    nav: Nav,
    id: i64,
    name: String,
    crumbs: Vec<(i64, String)>,
    counts: Counts,
    fields: Vec<(&'static str, String)>,
    findings: Vec<FindingRow>,
    children: Vec<(i64, String, &'static str)>,
}

pub async fn org(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let o = match store::org::get(&s.store, &caller.scope, id).await {
        Ok(o) => o,
        Err(e) => return store_error(e),
    };
    let counts = store::stats::of(&s.store, &o).await.unwrap_or_default();
    let crumbs = store::org::ancestors(&s.store, &caller.scope, id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let children = store::org::children(&s.store, &caller.scope, id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.id, c.name, c.kind.label()))
        .collect();
    let facts = OrgFacts {
        kind: o.kind,
        has_committee: o.has_committee,
        term_end: o.term_end,
        full_members: counts.full_members,
        subtree_members: counts.total,
    };
    let findings = rules::check_structure(&facts, today())
        .into_iter()
        .map(|f| FindingRow {
            severity: f.severity.label(),
            severity_code: sev_code(f.severity),
            rule_id: f.rule_id,
            source: f.source,
            org_id: o.id,
            org_name: o.name.clone(),
            message: f.message,
        })
        .collect();
    let fields: Vec<(&str, String)> =
        o.describe().into_iter().filter(|(k, _)| *k != "ID" && *k != "组织名称").collect();
    render(&OrgPage { nav: caller.nav("orgs"), id, name: o.name.clone(), crumbs, counts, fields, findings, children })
}

#[derive(Deserialize)]
pub struct MembersQuery {
    org: Option<i64>,
    name: Option<String>,
    category: Option<String>,
    page: Option<i64>,
}

pub struct MemberRow {
    name: String,
    sex: &'static str,
    id_number: String,
    category: &'static str,
    join_date: String,
    phone: String,
    org_id: i64,
    org_name: String,
}

#[derive(Template)]
#[template(path = "members.html")]
struct Members {
    nav: Nav,
    org_id: i64,
    org_name: String,
    name: String,
    category: String,
    rows: Vec<MemberRow>,
    total: i64,
    page: i64,
    pages: i64,
    base_link: String,
}

const PER_PAGE: i64 = 50;

pub async fn members(State(s): State<Shared>, caller: Caller, Query(q): Query<MembersQuery>) -> Response {
    let org = match q.org {
        Some(id) => store::org::get(&s.store, &caller.scope, id).await,
        None => caller.roots.first().cloned().ok_or(StoreError::NotFound("党组织")),
    };
    let org = match org {
        Ok(o) => o,
        Err(e) => return store_error(e),
    };
    let category = q.category.clone().unwrap_or_default();
    let filter = MemberFilter {
        name: q.name.clone(),
        category: domain::member::Category::from_code(&category),
        ..Default::default()
    };
    let page = match store::member::list(&s.store, &caller.scope, org.id, &filter, q.page.unwrap_or(1), PER_PAGE).await
    {
        Ok(p) => p,
        Err(e) => return store_error(e),
    };
    let ids: Vec<i64> = page.items.iter().map(|m| m.org_id).collect();
    let names = store::org::names(&s.store, &caller.scope, &ids).await.unwrap_or_default();
    let mut rows = Vec::with_capacity(page.items.len());
    for m in &page.items {
        rows.push(MemberRow {
            name: m.name.clone(),
            sex: m.sex.label(),
            id_number: domain::mask::id_number(&m.id_number),
            category: m.category.label(),
            join_date: m.join_date.to_string(),
            phone: m.phone.as_deref().map(domain::mask::phone).unwrap_or_default(),
            org_id: m.org_id,
            org_name: names.get(&m.org_id).cloned().unwrap_or_default(),
        });
    }
    let name = q.name.clone().unwrap_or_default();
    let base_link = format!("/members?org={}&name={}&category={}", org.id, urlencode(&name), urlencode(&category));
    render(&Members {
        nav: caller.nav("members"),
        org_id: org.id,
        org_name: org.name,
        name,
        category,
        pages: page.pages(),
        total: page.total,
        page: page.page,
        rows,
        base_link,
    })
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
