//! 组织生活 views of the compliance engine: the compliance table of a subtree (one row per child
//! organization, sortable, with a chart of the rates and a ranking of the least regular) and its
//! roll-up as `.xlsx`; an organization's compliance card (per type a row of period cells, the
//! findings each with its explanation) and its printed sheet; its month calendar; the stored
//! findings of the daily job.
//!
//! The table, the card and the calendar judge live (as of today); the findings page and the home
//! page's to-dos read what the daily job stored. Records themselves are the record pages'
//! (`/life/records/{id}`, `/orgs/{id}/life/new`): this module only links to them.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use domain::life::Window;
use domain::life::{self as dl, CellState, FindingKind, PeriodKind, RecordStatus};
use serde::Deserialize;
use service::life::compliance::{Card, Month, Table};
use store::life::Evaluation;

use web_core::access::Perm;
use web_core::charts;
use web_core::pages::{render, sev_code, today, urlencode};
use web_core::routes::{Routes, Target};
use web_core::{Caller, Crumb, Nav, Shared};

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// Child organizations per page of the compliance table.
const CHILDREN_PER_PAGE: usize = 100;
/// Stored findings per page.
const FINDINGS_PER_PAGE: i64 = 50;
/// Entries of the ranking.
const RANKED: usize = 10;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/life/compliance", Target::OrgQuery, get(compliance))
        .add("GET", "/life/compliance.xlsx", Target::OrgQuery, get(compliance_xlsx))
        .add("GET", "/orgs/{id}/life", Target::Org, get(card))
        .add("GET", "/orgs/{id}/life/print", Target::Org, get(card_print))
        .add("GET", "/life/calendar", Target::OrgQuery, get(calendar))
        .add("GET", "/life/findings", Target::OrgQuery, get(findings))
}

/// The window asked for: a valid year (default this one) and an optional quarter 1–4.
fn window(year: &str, quarter: &str) -> Window {
    Window::parse_or_this_year(year, quarter, today())
}

fn rate_text(due: i64, met: i64) -> String {
    match domain::life::rate(due, met) {
        Some(r) => format!("{:.1}%", r * 100.0),
        None => "—".into(),
    }
}

/// A short column heading for a kind of finding (the full label is its title).
fn kind_short(k: FindingKind) -> &'static str {
    match k {
        FindingKind::Missing => "未按期",
        FindingKind::NoQuorum => "人数不足",
        FindingKind::Incomplete => "不完整",
        FindingKind::Unreviewed => "未审核",
        FindingKind::Late => "逾期录入",
        FindingKind::Silent => "静默",
        FindingKind::NoDivision => "无分工",
        FindingKind::NoTimes => "无起止时间",
        FindingKind::NoAgenda => "无议程",
        FindingKind::NoAttachment => "无附件",
    }
}

fn kind_index(k: FindingKind) -> usize {
    FindingKind::ALL.iter().position(|x| *x == k).unwrap_or(0)
}

fn sev_label(code: &str) -> &'static str {
    match code {
        "error" => "错误",
        "info" => "提示",
        _ => "警告",
    }
}

// ---------------------------------------------------------------------------------------------
// 合规检查: the subtree table

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ComplianceQuery {
    org: String,
    year: String,
    quarter: String,
    sort: String,
    desc: String,
    page: String,
}

/// What one row of the table counts.
#[derive(Default, Clone)]
struct Tally {
    due: i64,
    met: i64,
    held: i64,
    findings: usize,
    kinds: [usize; FindingKind::ALL.len()],
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.due += o.due;
        self.met += o.met;
        self.held += o.held;
        self.findings += o.findings;
        for (a, b) in self.kinds.iter_mut().zip(o.kinds) {
            *a += b;
        }
    }
    fn rate(&self) -> Option<f64> {
        domain::life::rate(self.due, self.met)
    }
}

pub struct Row {
    id: i64,
    name: String,
    kind: &'static str,
    dissolved: bool,
    /// The organization has organizations under it (its own compliance page is a drill-down).
    has_children: bool,
    due: i64,
    met: i64,
    rate: String,
    low: bool,
    held: i64,
    findings: usize,
    kinds: Vec<usize>,
}

/// A sortable column heading.
pub struct Head {
    label: &'static str,
    title: &'static str,
    href: String,
    arrow: &'static str,
    num: bool,
}

/// One entry of the ranking of the least regular organizations.
pub struct Ranked {
    id: i64,
    name: String,
    parent: String,
    rate: String,
    low: bool,
    met: i64,
    due: i64,
    /// What is missing: `主题党日 3 期、党课 1 期`.
    missing: String,
}

#[derive(Template)]
#[template(path = "life/compliance.html")]
struct CompliancePage {
    nav: Nav,
    org_id: i64,
    org_name: String,
    parent: Option<(i64, String)>,
    window_label: String,
    year: i32,
    quarter: u32,
    years: Vec<i32>,
    as_of: String,
    heads: Vec<Head>,
    kind_cols: usize,
    own: Option<Row>,
    rows: Vec<Row>,
    total: Row,
    children: usize,
    page: usize,
    pages: usize,
    page_link: String,
    chart: String,
    low_rate: f64,
    ranked: Vec<Ranked>,
    regular: usize,
    judged: usize,
}

/// The kinds that occur in the subtree: the table's finding columns.
fn kinds_shown(t: &Tally) -> Vec<FindingKind> {
    FindingKind::ALL.into_iter().filter(|k| t.kinds[kind_index(*k)] > 0).collect()
}

fn row_of(
    id: i64,
    name: &str,
    kind: &'static str,
    dissolved: bool,
    has_children: bool,
    t: &Tally,
    shown: &[FindingKind],
) -> Row {
    Row {
        id,
        name: name.to_string(),
        kind,
        dissolved,
        has_children,
        due: t.due,
        met: t.met,
        rate: rate_text(t.due, t.met),
        low: t.rate().is_some_and(|r| r * 100.0 < charts::LOW_RATE),
        held: t.held,
        findings: t.findings,
        kinds: shown.iter().map(|k| t.kinds[kind_index(*k)]).collect(),
    }
}

/// Every organization's own tally in the window (findings and meetings as the window counts them).
fn own_tallies(ev: &Evaluation, w: &Window, held: Option<&HashMap<i64, i64>>) -> Vec<Tally> {
    ev.results
        .iter()
        .map(|r| {
            let (due, met) = w.totals(r);
            let mut t = Tally {
                due,
                met,
                held: held.map_or(r.held, |h| h.get(&r.org_id).copied().unwrap_or(0)),
                ..Default::default()
            };
            for f in r.findings.iter().filter(|f| w.holds_finding(f.period_key.as_deref())) {
                t.findings += 1;
                t.kinds[kind_index(f.kind)] += 1;
            }
            t
        })
        .collect()
}

/// GET /life/compliance?org=&year=&quarter=&sort=&desc=&page=
pub async fn compliance(State(s): State<Shared>, caller: Caller, Query(q): Query<ComplianceQuery>) -> Response {
    let scope = web_core::tri!(caller.require(Perm::ReadLife));
    let org = match web_core::pages::org_param(&s, &caller, Perm::ReadLife, &scope, &q.org).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let w = window(&q.year, &q.quarter);
    // the year of the window judged for the subtree; a quarter's meetings are those held in it
    let Table { evaluation: ev, held, superior } =
        match service::life::compliance::table(&s.store, &caller, &org, &w, today()).await {
            Ok(t) => t,
            Err(e) => return caller.fail(e),
        };
    let tallies = own_tallies(&ev, &w, held.as_ref());
    let child_len = org.path.len() + domain::path::SEG_WIDTH;
    // the children in tree order, each with its subtree's tally
    let mut children: Vec<(usize, Tally, bool)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut own: Option<Tally> = None;
    let mut total = Tally::default();
    for (i, (o, t)) in ev.orgs.iter().zip(&tallies).enumerate() {
        total.add(t);
        if o.id == org.id {
            own = Some(t.clone());
            continue;
        }
        if o.path.len() < child_len || !o.path.starts_with(&org.path) {
            continue;
        }
        let key = &o.path[..child_len];
        match index.get(key) {
            Some(k) => {
                let c = &mut children[*k];
                c.1.add(t);
                c.2 = true;
            }
            None => {
                index.insert(key, children.len());
                children.push((i, t.clone(), false));
            }
        }
    }
    let shown = kinds_shown(&total);

    // sorting: by a column, or tree order
    let desc = q.desc == "1";
    let sort = q.sort.trim();
    let key = |t: &Tally| -> Option<f64> {
        match sort {
            "due" => Some(t.due as f64),
            "met" => Some(t.met as f64),
            "rate" => t.rate(),
            "held" => Some(t.held as f64),
            "findings" => Some(t.findings as f64),
            k => FindingKind::from_code(k).map(|k| t.kinds[kind_index(k)] as f64),
        }
    };
    let sorting = sort == "name" || key(&Tally::default()).is_some() || sort == "rate";
    if sort == "name" {
        children.sort_by(|a, b| ev.orgs[a.0].name.cmp(&ev.orgs[b.0].name));
        if desc {
            children.reverse();
        }
    } else if sorting {
        // rows without a value (nothing due) last, whichever the direction; ties in tree order
        children.sort_by(|a, b| match (key(&a.1), key(&b.1)) {
            (Some(x), Some(y)) => {
                let o = x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal);
                if desc {
                    o.reverse()
                } else {
                    o
                }
            }
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
    }

    let base = format!(
        "/life/compliance?org={}&year={}{}",
        org.id,
        w.year,
        w.quarter.map(|q| format!("&quarter={q}")).unwrap_or_default()
    );
    let mut heads = Vec::new();
    let mut head = |label: &'static str, title: &'static str, code: &str, num: bool| {
        let on = sort == code;
        // numbers first descending (the largest), names ascending
        let next_desc = if on { !desc } else { num && code != "rate" };
        heads.push(Head {
            label,
            title,
            href: format!("{base}&sort={code}{}", if next_desc { "&desc=1" } else { "" }),
            arrow: match (on, desc) {
                (false, _) => "",
                (true, false) => " ↑",
                (true, true) => " ↓",
            },
            num,
        });
    };
    head("党组织", "按名称排序", "name", false);
    head("应召开", "应召开的周期数（已结束或已完成）", "due", true);
    head("已召开", "按规定次数召开的周期数", "met", true);
    head("完成率", "已召开 ÷ 应召开", "rate", true);
    head("会议数", "登记的会议（不含被退回的）", "held", true);
    head("问题数", "发现的问题", "findings", true);
    for k in &shown {
        head(kind_short(*k), k.label(), k.code(), true);
    }

    let n = children.len();
    let pages = n.div_ceil(CHILDREN_PER_PAGE).max(1);
    let page = q.page.trim().parse::<usize>().unwrap_or(1).clamp(1, pages);
    let rows: Vec<Row> = children
        .iter()
        .skip((page - 1) * CHILDREN_PER_PAGE)
        .take(CHILDREN_PER_PAGE)
        .map(|(i, t, has)| {
            let o = &ev.orgs[*i];
            row_of(o.id, &o.name, o.kind.label(), o.dissolved_on.is_some(), *has, t, &shown)
        })
        .collect();
    let own_row = own.filter(|t| t.due > 0 || t.findings > 0 || t.held > 0).map(|t| {
        let has_lines = ev.result_of(org.id).is_some_and(|(_, r)| !r.lines.is_empty());
        let mut r = row_of(org.id, &org.name, org.kind.label(), false, false, &t, &shown);
        if !has_lines {
            r.rate = "—".into();
        }
        r
    });
    let total_row = row_of(org.id, "合计", "", false, false, &total, &shown);
    let chart_items: Vec<(String, i64, i64)> = rows.iter().map(|r| (r.name.clone(), r.met, r.due)).collect();
    let chart = if chart_items.is_empty() {
        String::new()
    } else {
        charts::rates(&format!("{} 下级党组织完成率（{}）", org.name, w.label()), &chart_items)
    };

    // the ranking: organizations of the whole subtree by their own rate, the irregular ones
    let by_path: HashMap<&str, &str> = ev.orgs.iter().map(|o| (o.path.as_str(), o.name.as_str())).collect();
    let mut judged: Vec<(usize, &Tally)> = tallies.iter().enumerate().filter(|(_, t)| t.due > 0).collect();
    let judged_n = judged.len();
    judged.sort_by(|a, b| {
        let (ra, rb) = (a.1.rate().unwrap_or(1.0), b.1.rate().unwrap_or(1.0));
        ra.partial_cmp(&rb)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then((b.1.due - b.1.met).cmp(&(a.1.due - a.1.met)))
            .then(a.0.cmp(&b.0))
    });
    let regular = judged.iter().filter(|(_, t)| t.met == t.due).count();
    let ranked = judged
        .iter()
        .filter(|(_, t)| t.met < t.due)
        .take(RANKED)
        .map(|(i, t)| {
            let o = &ev.orgs[*i];
            let missing = ev.results[*i]
                .lines
                .iter()
                .filter_map(|l| {
                    let n = l.cells.iter().filter(|c| w.holds(&c.period) && c.state == CellState::Missing).count();
                    (n > 0).then(|| format!("{} {n} 期", l.label))
                })
                .collect::<Vec<_>>()
                .join("、");
            Ranked {
                id: o.id,
                name: o.name.clone(),
                parent: domain::path::parent(&o.path)
                    .and_then(|p| by_path.get(p))
                    .map_or(String::new(), |n| n.to_string()),
                rate: rate_text(t.due, t.met),
                low: t.rate().is_some_and(|r| r * 100.0 < charts::LOW_RATE),
                met: t.met,
                due: t.due,
                missing,
            }
        })
        .collect();

    let parent = superior.map(|p| (p.id, p.name));
    let this_year = today().year();
    let page_link = match sort {
        "" => base.clone(),
        s => format!("{base}&sort={s}{}", if desc { "&desc=1" } else { "" }),
    };
    let trail = vec![Crumb::new("/life/compliance", "合规检查"), Crumb::new("", org.name.clone())];
    render(&CompliancePage {
        nav: caller.nav("compliance").crumbs(trail),
        org_id: org.id,
        org_name: org.name.clone(),
        parent,
        window_label: w.label(),
        year: w.year,
        quarter: w.quarter.unwrap_or(0),
        years: (this_year - 4..=this_year).rev().collect(),
        as_of: ev.as_of.to_string(),
        kind_cols: shown.len(),
        heads,
        own: own_row,
        rows,
        total: total_row,
        children: n,
        page,
        pages,
        page_link,
        chart,
        low_rate: charts::LOW_RATE,
        ranked,
        regular,
        judged: judged_n,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct XlsxQuery {
    org: String,
    year: String,
    quarter: String,
}

/// GET /life/compliance.xlsx?org=&year=&quarter=: the roll-up (应召开 vs 已召开 per type per
/// organization) and the findings of the window as a workbook. Audited.
pub async fn compliance_xlsx(State(s): State<Shared>, caller: Caller, Query(q): Query<XlsxQuery>) -> Response {
    let scope = web_core::tri!(caller.require(Perm::ReadLife));
    let org = match web_core::pages::org_param(&s, &caller, Perm::ReadLife, &scope, &q.org).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let w = window(&q.year, &q.quarter);
    let write = |ev: &Evaluation| exchange::life::rollup_workbook(ev, &w);
    let bytes = match service::life::compliance::export(&s.store, &caller, &org, &w, today(), write).await {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => {
            return web_core::error_page(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "导出失败",
                &format!("{e}。请稍后再试。"),
            )
        }
        Err(e) => return caller.fail(e),
    };
    let stamp = match w.quarter {
        Some(q) => format!("{}Q{q}", w.year),
        None => w.year.to_string(),
    };
    let name = format!("{}-组织生活汇总-{}.xlsx", org.name, w.label());
    let disposition =
        format!("attachment; filename=\"dangjian-life-{stamp}.xlsx\"; filename*=UTF-8''{}", urlencode(&name));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(XLSX_TYPE)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------------
// 合规卡片: one organization's year

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CardQuery {
    year: String,
}

/// A counted record as a link.
pub struct RecLink {
    id: i64,
    label: String,
    title: String,
}

/// One period cell of the card (or a gap where no rule asked anything).
pub struct CardCell {
    span: usize,
    gap: bool,
    state: &'static str,
    state_label: &'static str,
    period: String,
    held: i64,
    min: i64,
    rule_id: String,
    records: Vec<RecLink>,
}

/// One type's periods of one length (a type whose rule changed length mid-year has two).
pub struct CardLine {
    label: String,
    rows: usize,
    first: bool,
    due: i64,
    met: i64,
    cells: Vec<CardCell>,
}

pub struct EvRec {
    pub id: i64,
    pub held_on: String,
    pub title: String,
    pub note: String,
}

/// A finding with its explanation.
pub struct Explained {
    pub severity: &'static str,
    pub severity_code: &'static str,
    pub kind: &'static str,
    pub rule_id: String,
    pub source: String,
    pub period: String,
    pub message: String,
    pub requirement: String,
    pub record_id: Option<i64>,
    pub counted: Vec<EvRec>,
    pub excluded: Vec<EvRec>,
    /// The card of the organization (the findings page links there).
    pub org_id: i64,
    pub org_name: String,
    pub year: i32,
}

#[derive(Template)]
#[template(path = "life/card.html")]
struct CardPage {
    nav: Nav,
    org_id: i64,
    org_name: String,
    kind: &'static str,
    year: i32,
    this_year: i32,
    as_of: String,
    existed: bool,
    months: Vec<u32>,
    lines: Vec<CardLine>,
    due: i64,
    met: i64,
    rate: String,
    held: i64,
    last_activity: String,
    findings: Vec<Explained>,
    can_record: bool,
    has_children: bool,
    legend: Vec<(&'static str, &'static str, &'static str)>,
    /// The findings name their organization (not on its own card).
    show_org: bool,
}

fn ev_recs(v: &[dl::EvidenceRecord]) -> Vec<EvRec> {
    v.iter()
        .map(|r| EvRec { id: r.id, held_on: r.held_on.to_string(), title: r.title.clone(), note: r.note.clone() })
        .collect()
}

fn explained(f: &dl::Finding, org_id: i64, org_name: &str, year: i32) -> Explained {
    Explained {
        severity: f.severity.label(),
        severity_code: sev_code(f.severity),
        kind: f.kind.label(),
        rule_id: f.rule_id.clone(),
        source: f.source.clone(),
        period: f.period_label.clone().unwrap_or_default(),
        message: f.message.clone(),
        requirement: f.evidence.requirement.clone(),
        record_id: f.record_id,
        counted: ev_recs(&f.evidence.counted),
        excluded: ev_recs(&f.evidence.excluded),
        org_id,
        org_name: org_name.to_string(),
        year,
    }
}

const LEGEND: [(&str, &str, &str); 5] = [
    ("met", "已召开", "达到规定次数"),
    ("missing", "未召开", "周期已结束，未达到规定次数"),
    ("open", "待召开", "周期进行中，尚未达到规定次数"),
    ("upcoming", "未到期", "周期尚未开始"),
    ("exempt", "不适用", "该周期内组织未全程存在"),
];

/// The cells of one line, one row per period length, with gaps filled so each row spans the year.
fn card_lines(line: &dl::TypeLine, recs: &HashMap<i64, (NaiveDate, String)>) -> Vec<CardLine> {
    let mut out = Vec::new();
    let kinds: Vec<PeriodKind> =
        PeriodKind::ALL.into_iter().filter(|k| line.cells.iter().any(|c| c.period.kind == *k)).collect();
    for (n, k) in kinds.iter().enumerate() {
        let mut cells = Vec::new();
        let mut month = 1u32; // the next month to fill
        for c in line.cells.iter().filter(|c| c.period.kind == *k) {
            let start = c.period.start.month();
            let end = c.period.end.month();
            if start > month {
                cells.push(CardCell {
                    span: (start - month) as usize,
                    gap: true,
                    state: "",
                    state_label: "",
                    period: String::new(),
                    held: 0,
                    min: 0,
                    rule_id: String::new(),
                    records: vec![],
                });
            }
            let records = c
                .records
                .iter()
                .map(|id| match recs.get(id) {
                    Some((d, t)) => {
                        RecLink { id: *id, label: format!("{}月{}日", d.month(), d.day()), title: t.clone() }
                    }
                    None => RecLink { id: *id, label: format!("记录 {id}"), title: String::new() },
                })
                .collect();
            cells.push(CardCell {
                span: (end + 1).saturating_sub(start.max(month)).max(1) as usize,
                gap: false,
                state: c.state.code(),
                state_label: c.state.label(),
                period: c.label.clone(),
                held: c.held,
                min: c.min,
                rule_id: c.rule_id.clone(),
                records,
            });
            month = end + 1;
        }
        if month <= 12 {
            cells.push(CardCell {
                span: (13 - month) as usize,
                gap: true,
                state: "",
                state_label: "",
                period: String::new(),
                held: 0,
                min: 0,
                rule_id: String::new(),
                records: vec![],
            });
        }
        out.push(CardLine {
            label: line.label.clone(),
            rows: kinds.len(),
            first: n == 0,
            due: line.due,
            met: line.met,
            cells,
        });
    }
    out
}

/// What the card and its printed sheet show of an organization's year.
struct CardParts {
    /// The organization existed in the year (it has a verdict).
    existed: bool,
    lines: Vec<CardLine>,
    /// Errors first, then warnings, then the rest.
    findings: Vec<Explained>,
    due: i64,
    met: i64,
    held: i64,
    last_activity: String,
}

fn card_parts(ev: &Evaluation, records: Vec<dl::RecordFacts>, org: &domain::org::Org, year: i32) -> CardParts {
    let recs: HashMap<i64, (NaiveDate, String)> = records.into_iter().map(|r| (r.id, (r.held_on, r.title))).collect();
    let result = ev.result_of(org.id).map(|(_, r)| r);
    let lines = result.map(|r| r.lines.iter().flat_map(|l| card_lines(l, &recs)).collect()).unwrap_or_default();
    let mut findings: Vec<Explained> =
        result.map(|r| r.findings.iter().map(|f| explained(f, org.id, &org.name, year)).collect()).unwrap_or_default();
    findings.sort_by_key(|f| match f.severity_code {
        "error" => 0,
        "warning" => 1,
        _ => 2,
    });
    let (due, met, held) = result.map_or((0, 0, 0), |r| (r.due, r.met, r.held));
    CardParts {
        existed: result.is_some(),
        lines,
        findings,
        due,
        met,
        held,
        last_activity: result.and_then(|r| r.last_activity).map_or("—".into(), |d| d.to_string()),
    }
}

/// GET /orgs/{id}/life?year=: the organization's compliance card.
pub async fn card(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<CardQuery>,
) -> Response {
    let (_, org) = web_core::tri!(caller.org(&s.store, Perm::ReadLife, id).await);
    let w = window(&q.year, "");
    let Card { evaluation: ev, records, has_children } =
        match service::life::compliance::card(&s.store, &caller, &org, &w, today()).await {
            Ok(c) => c,
            Err(e) => return caller.fail(e),
        };
    let CardParts { existed, lines, findings, due, met, held, last_activity } = card_parts(&ev, records, &org, w.year);
    let trail = vec![
        Crumb::new("/life/compliance", "合规检查"),
        Crumb::new(format!("/orgs/{}", org.id), org.name.clone()),
        Crumb::new("", "组织生活合规卡片"),
    ];
    render(&CardPage {
        nav: caller.nav("compliance").crumbs(trail),
        org_id: org.id,
        kind: org.kind.label(),
        year: w.year,
        this_year: today().year(),
        as_of: ev.as_of.to_string(),
        existed,
        months: (1..=12).collect(),
        lines,
        due,
        met,
        rate: rate_text(due, met),
        held,
        last_activity,
        findings,
        can_record: caller.can_at(Perm::RecordLife, &org.path),
        has_children,
        legend: LEGEND.to_vec(),
        show_org: false,
        org_name: org.name.clone(),
    })
}

/// The printed 合规卡片 a branch keeps in its archive: one A4 sheet, landscape for the grid of
/// twelve months, with the findings and their rule IDs, and who printed it when.
#[derive(Template)]
#[template(path = "life/card_print.html")]
struct CardPrintPage {
    nav: Nav,
    org_id: i64,
    org_name: String,
    /// The organizations above it the reader sees, top first, and itself.
    org_chain: String,
    kind: &'static str,
    year: i32,
    as_of: String,
    existed: bool,
    months: Vec<u32>,
    lines: Vec<CardLine>,
    due: i64,
    met: i64,
    rate: String,
    held: i64,
    last_activity: String,
    findings: Vec<Explained>,
    legend: Vec<(&'static str, &'static str, &'static str)>,
    printed_on: String,
    printed_by: String,
}

/// GET /orgs/{id}/life/print?year=: the compliance card as a printed sheet.
pub async fn card_print(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<CardQuery>,
) -> Response {
    let (_, org) = web_core::tri!(caller.org(&s.store, Perm::ReadLife, id).await);
    let w = window(&q.year, "");
    let Card { evaluation: ev, records, .. } =
        match service::life::compliance::card(&s.store, &caller, &org, &w, today()).await {
            Ok(c) => c,
            Err(e) => return caller.fail(e),
        };
    // the organizations above are a heading: without them the sheet names the organization alone
    let mut chain: Vec<String> = service::org::ancestors(&s.store, &caller, Perm::ReadLife, org.id)
        .await
        .map(|a| a.into_iter().map(|o| o.name).collect())
        .unwrap_or_default();
    chain.push(org.name.clone());
    let CardParts { existed, lines, findings, due, met, held, last_activity } = card_parts(&ev, records, &org, w.year);
    let trail = vec![
        Crumb::new("/life/compliance", "合规检查"),
        Crumb::new(format!("/orgs/{}", org.id), org.name.clone()),
        Crumb::new(format!("/orgs/{}/life?year={}", org.id, w.year), "组织生活合规卡片"),
        Crumb::new("", "打印"),
    ];
    render(&CardPrintPage {
        nav: caller.nav("compliance").crumbs(trail),
        org_id: org.id,
        org_chain: chain.join(" / "),
        kind: org.kind.label(),
        year: w.year,
        as_of: ev.as_of.to_string(),
        existed,
        months: (1..=12).collect(),
        lines,
        due,
        met,
        rate: rate_text(due, met),
        held,
        last_activity,
        findings,
        legend: LEGEND.to_vec(),
        printed_on: today().format("%Y年%m月%d日").to_string(),
        printed_by: caller.account.account.display_name.clone(),
        org_name: org.name.clone(),
    })
}

// ---------------------------------------------------------------------------------------------
// 组织生活日历

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CalendarQuery {
    org: String,
    month: String,
}

pub struct DayRec {
    id: i64,
    types: String,
    title: String,
    status: &'static str,
    draft: bool,
    org_name: Option<String>,
}

pub struct Day {
    day: u32,
    /// In the month shown (the grid's leading and trailing days are blank).
    inside: bool,
    today: bool,
    date: String,
    records: Vec<DayRec>,
}

pub struct DueItem {
    type_label: String,
    period: String,
    end: String,
    state: &'static str,
    state_label: &'static str,
    held: i64,
    min: i64,
    rule_id: String,
    kind: &'static str,
}

#[derive(Template)]
#[template(path = "life/calendar.html")]
struct CalendarPage {
    nav: Nav,
    org_id: i64,
    org_name: String,
    branch: bool,
    month_label: String,
    year: i32,
    prev: String,
    next: String,
    this_month: String,
    weeks: Vec<Vec<Day>>,
    due: Vec<DueItem>,
    records: usize,
    can_record: bool,
    picker: web_core::picker::OrgPicker,
    /// The month shown, kept when another organization is picked.
    picker_month: String,
}

fn parse_month(s: &str) -> Option<NaiveDate> {
    let (y, m) = s.trim().split_once('-')?;
    let (y, m) = (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?);
    if !domain::life::window_years(today()).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, 1)
}

/// GET /life/calendar?org=&month=YYYY-MM: the month of one organization.
pub async fn calendar(State(s): State<Shared>, caller: Caller, Query(q): Query<CalendarQuery>) -> Response {
    let scope = web_core::tri!(caller.require(Perm::ReadLife));
    let org = match web_core::pages::org_param(&s, &caller, Perm::ReadLife, &scope, &q.org).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let now = today();
    let first = parse_month(&q.month).unwrap_or_else(|| now.with_day(1).expect("day 1"));
    let last = domain::dates::add_months(first, 1).pred_opt().expect("a day before");
    // a branch's month includes its 党小组; a committee shows its own records
    let Month { evaluation: ev, records: facts, names } =
        match service::life::compliance::month(&s.store, &caller, &org, first, last, now).await {
            Ok(m) => m,
            Err(e) => return caller.fail(e),
        };
    let branch = org.kind.is_branch();
    let types = &ev.types;
    let mut by_day: HashMap<u32, Vec<DayRec>> = HashMap::new();
    let mut sorted = facts.clone();
    sorted.sort_by_key(|r| (r.held_on, r.id));
    for r in &sorted {
        by_day.entry(r.held_on.day()).or_default().push(DayRec {
            id: r.id,
            types: dl::codes_label(types, &r.types),
            title: r.title.clone(),
            status: r.status.label(),
            draft: matches!(r.status, RecordStatus::Draft | RecordStatus::Returned),
            org_name: (r.org_id != org.id).then(|| names.get(&r.org_id).cloned().unwrap_or_default()),
        });
    }
    // Monday-first weeks
    let lead = first.weekday().num_days_from_monday() as i64;
    let mut weeks = Vec::new();
    let mut d = first - chrono::Duration::days(lead);
    while d <= last {
        let mut week = Vec::new();
        for _ in 0..7 {
            let inside = d.month() == first.month() && d.year() == first.year();
            week.push(Day {
                day: d.day(),
                inside,
                today: d == now,
                date: d.to_string(),
                records: if inside { by_day.remove(&d.day()).unwrap_or_default() } else { vec![] },
            });
            d += chrono::Duration::days(1);
        }
        weeks.push(week);
    }
    let mut due: Vec<DueItem> = ev
        .result_of(org.id)
        .map(|(_, r)| {
            dl::due_on(r, first)
                .into_iter()
                .map(|(l, c)| DueItem {
                    type_label: l.label.clone(),
                    period: c.label.clone(),
                    end: c.period.end.to_string(),
                    state: c.state.code(),
                    state_label: c.state.label(),
                    held: c.held,
                    min: c.min,
                    rule_id: c.rule_id.clone(),
                    kind: c.period.kind.label(),
                })
                .collect()
        })
        .unwrap_or_default();
    due.sort_by(|a, b| a.end.cmp(&b.end).then(a.type_label.cmp(&b.type_label)));
    let month = |d: NaiveDate| format!("{}-{:02}", d.year(), d.month());
    let trail = vec![Crumb::new("/life/calendar", "组织生活日历"), Crumb::new("", org.name.clone())];
    let back = format!("/life/calendar?month={}", month(first));
    let picker = web_core::picker::OrgPicker::new(
        &s,
        &caller,
        web_core::picker::Purpose::Life,
        "org",
        "查看哪个党组织",
        Some(&org),
        &back,
    )
    .await
    .submitting();
    render(&CalendarPage {
        picker,
        picker_month: month(first),
        nav: caller.nav("calendar").crumbs(trail),
        org_id: org.id,
        branch,
        month_label: format!("{}年{}月", first.year(), first.month()),
        year: first.year(),
        prev: month(domain::dates::add_months(first, -1)),
        next: month(domain::dates::add_months(first, 1)),
        this_month: month(now),
        weeks,
        due,
        records: facts.len(),
        can_record: caller.can_at(Perm::RecordLife, &org.path),
        org_name: org.name.clone(),
    })
}

// ---------------------------------------------------------------------------------------------
// 问题清单: the stored findings of the daily job

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FindingsQuery {
    org: String,
    kind: String,
    page: String,
}

#[derive(Template)]
#[template(path = "life/findings.html")]
struct FindingsPage {
    nav: Nav,
    org_id: i64,
    org_name: String,
    kind: String,
    /// (code, label, count)
    kinds: Vec<(&'static str, &'static str, i64)>,
    all: i64,
    items: Vec<Explained>,
    total: i64,
    page: i64,
    pages: i64,
    page_link: String,
    last_run: Option<(String, i64)>,
    show_org: bool,
}

/// A stored finding with its explanation; its card's year from its period (or the day it was found).
pub fn stored_explained(f: &store::life::StoredFinding) -> Explained {
    let ev = f.evidence();
    let year = f.period_key.as_deref().and_then(dl::Period::parse_key).map_or(f.computed_on.year(), |p| p.start.year());
    Explained {
        severity: sev_label(&f.severity),
        severity_code: match f.severity.as_str() {
            "error" => "error",
            "info" => "info",
            _ => "warning",
        },
        kind: f.kind_label(),
        rule_id: f.rule_id.clone(),
        source: f.source.clone(),
        period: f.period_label.clone().unwrap_or_default(),
        message: f.message.clone(),
        requirement: ev.requirement,
        record_id: f.record_id,
        counted: ev_recs(&ev.counted),
        excluded: ev_recs(&ev.excluded),
        org_id: f.org_id,
        org_name: f.org_name.clone(),
        year,
    }
}

/// GET /life/findings?org=&kind=&page=: what the daily job found in a subtree.
pub async fn findings(State(s): State<Shared>, caller: Caller, Query(q): Query<FindingsQuery>) -> Response {
    let scope = web_core::tri!(caller.require(Perm::ReadLife));
    let org = match web_core::pages::org_param(&s, &caller, Perm::ReadLife, &scope, &q.org).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let kind = FindingKind::from_code(q.kind.trim());
    let page_no = web_core::paging::asked(&q.page);
    let read = |p| service::life::compliance::findings(&s.store, &caller, &org, kind, p, FINDINGS_PER_PAGE);
    let (page, counts, last) = match tokio::try_join!(
        web_core::paging::within(page_no, read),
        service::life::compliance::finding_counts(&s.store, &caller, &org),
        service::life::compliance::last_run(&s.store, &caller),
    ) {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let count = |k: FindingKind| counts.iter().find(|(c, _)| c == k.code()).map_or(0, |c| c.1);
    let kinds = FindingKind::ALL.iter().map(|k| (k.code(), k.label(), count(*k))).filter(|k| k.2 > 0).collect();
    let mut page_link = format!("/life/findings?org={}", org.id);
    if let Some(k) = kind {
        page_link.push_str(&format!("&kind={}", k.code()));
    }
    let trail = vec![Crumb::new("/life/findings", "问题清单"), Crumb::new("", org.name.clone())];
    render(&FindingsPage {
        nav: caller.nav("findings").crumbs(trail),
        org_id: org.id,
        org_name: org.name.clone(),
        kind: kind.map_or(String::new(), |k| k.code().to_string()),
        kinds,
        all: counts.iter().map(|c| c.1).sum(),
        items: page.items.iter().map(stored_explained).collect(),
        total: page.total,
        pages: page.pages(),
        page: page.page,
        page_link,
        last_run: last.map(|(d, ms)| (d.to_string(), ms)),
        show_org: true,
    })
}
