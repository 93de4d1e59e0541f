//! Findings and compliance.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use domain::life::{self as dl, FindingKind};
use serde::Serialize;
use utoipa::ToSchema;
use web_core::access::Perm;
use web_core::api::doc;
use web_core::api::{check, json, page_of, ApiCaller, ApiFieldError, Params};
use web_core::pages::today;
use web_core::tri;
use web_core::Shared;

use super::*;

/// A record cited as evidence, with why it was or was not counted.
#[derive(Serialize, ToSchema)]
pub struct LifeEvidenceRecord {
    pub id: i64,
    pub held_on: NaiveDate,
    pub title: String,
    #[schema(example = "计入")]
    pub note: String,
}

/// Why a finding was made.
#[derive(Serialize, ToSchema)]
pub struct LifeEvidence {
    /// The rule as applied.
    #[schema(example = "LIFE-01：每季度至少 1 次（2018-10-28 起施行）")]
    pub requirement: String,
    /// Records counted toward the requirement.
    pub counted: Vec<LifeEvidenceRecord>,
    /// Records not counted, each with the reason.
    pub excluded: Vec<LifeEvidenceRecord>,
}

impl From<dl::Evidence> for LifeEvidence {
    fn from(e: dl::Evidence) -> Self {
        let rec =
            |r: dl::EvidenceRecord| LifeEvidenceRecord { id: r.id, held_on: r.held_on, title: r.title, note: r.note };
        LifeEvidence {
            requirement: e.requirement,
            counted: e.counted.into_iter().map(rec).collect(),
            excluded: e.excluded.into_iter().map(rec).collect(),
        }
    }
}

/// A finding of the compliance engine, explainable: the rule, the period, the evidence.
#[derive(Serialize, ToSchema)]
pub struct LifeFinding {
    /// The stored finding's id (findings of the daily job); `null` in a live evaluation.
    pub id: Option<i64>,
    pub org_id: i64,
    pub org_name: String,
    #[schema(schema_with = finding_kind_schema)]
    pub kind: String,
    #[schema(example = "未按期召开")]
    pub kind_label: String,
    #[schema(example = "LIFE-01")]
    pub rule_id: String,
    /// The rule's source and article.
    pub source: String,
    #[schema(schema_with = severity_schema)]
    pub severity: String,
    /// The type of meeting concerned, if any.
    pub type_code: Option<String>,
    /// The period concerned (`2026-Q1`), if any.
    pub period_key: Option<String>,
    #[schema(example = "2026年第一季度")]
    pub period_label: Option<String>,
    /// The record concerned, if any.
    pub record_id: Option<i64>,
    pub message: String,
    pub evidence: LifeEvidence,
    /// The day the daily job computed it; `null` in a live evaluation.
    pub computed_on: Option<NaiveDate>,
}

fn live_finding(f: &dl::Finding, org_name: &str) -> LifeFinding {
    LifeFinding {
        id: None,
        org_id: f.org_id,
        org_name: org_name.to_string(),
        kind: f.kind.code().into(),
        kind_label: f.kind.label().into(),
        rule_id: f.rule_id.clone(),
        source: f.source.clone(),
        severity: web_core::pages::sev_code(f.severity).into(),
        type_code: f.type_code.clone(),
        period_key: f.period_key.clone(),
        period_label: f.period_label.clone(),
        record_id: f.record_id,
        message: f.message.clone(),
        evidence: f.evidence.clone().into(),
        computed_on: None,
    }
}

/// One page of the daily job's findings.
#[derive(Serialize, ToSchema)]
pub struct LifeFindingList {
    /// The organization whose subtree is listed.
    pub org_id: i64,
    /// The day the daily job last ran (`null`: never).
    pub last_run: Option<NaiveDate>,
    pub items: Vec<LifeFinding>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Query parameters of the findings.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct FindingListParams {
    /// The organization whose whole subtree is listed; may be left out when the caller has a
    /// single top organization.
    org: Option<i64>,
    /// Only findings of this kind, by code or label.
    kind: Option<String>,
    /// Page number, from 1.
    page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    per_page: Option<i64>,
}

/// 组织生活检查结果 / Findings of the daily job
///
/// What the daily compliance job found in an organization's subtree at its last run, errors
/// first, each with its rule, period and evidence.
#[utoipa::path(
    get, path = "/api/v1/life/findings", operation_id = "lifeFindings", tag = "life",
    params(FindingListParams),
    responses(
        (status = 200, description = "One page of findings", body = LifeFindingList),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn findings(State(s): State<Shared>, caller: ApiCaller, q: Params) -> Response {
    tri!(caller.require(Perm::ReadLife));
    let mut errs = Vec::new();
    let org_id = q.id("org", &mut errs);
    let (page, per_page) = q.paging(&mut errs);
    let kind = match q.get("kind") {
        "" => None,
        v => {
            let k = FindingKind::ALL.into_iter().find(|k| k.code() == v || k.label() == v);
            if k.is_none() {
                let all = FindingKind::ALL.iter().map(|k| format!("{}（{}）", k.code(), k.label()));
                errs.push(ApiFieldError::new(
                    "kind",
                    format!("“{v}”无效，应为 {}", all.collect::<Vec<_>>().join("、")),
                ));
            }
            k
        }
    };
    tri!(check(errs));
    let org = tri!(org_param(&s, &caller, org_id, Perm::ReadLife).await);
    let last_run = match service::life::compliance::last_run(&s.store, &caller).await {
        Ok(r) => r.map(|(d, _)| d),
        Err(e) => return caller.fail(e),
    };
    match service::life::compliance::findings(&s.store, &caller, &org, kind, page, per_page).await {
        Ok(p) => {
            let items = p
                .items
                .into_iter()
                .map(|f| LifeFinding {
                    id: Some(f.id),
                    kind_label: f.kind_label().into(),
                    evidence: f.evidence().into(),
                    org_id: f.org_id,
                    org_name: f.org_name,
                    kind: f.kind,
                    rule_id: f.rule_id,
                    source: f.source,
                    severity: f.severity,
                    type_code: f.type_code,
                    period_key: f.period_key,
                    period_label: f.period_label,
                    record_id: f.record_id,
                    message: f.message,
                    computed_on: Some(f.computed_on),
                })
                .collect();
            json(StatusCode::OK, &LifeFindingList { org_id: org.id, last_run, items, total: p.total, page, per_page })
        }
        Err(e) => caller.fail(e),
    }
}

/// One period of one type for one organization.
#[derive(Serialize, ToSchema)]
pub struct LifeCell {
    /// `2026-03`, `2026-Q1`, `2026`.
    #[schema(example = "2026-Q1")]
    pub key: String,
    #[schema(example = "2026年第一季度")]
    pub label: String,
    #[schema(schema_with = period_schema)]
    pub period: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    #[schema(schema_with = cell_state_schema)]
    pub state: String,
    /// Meetings counted.
    pub held: i64,
    /// Required.
    pub min: i64,
    /// The rule version that governs the period.
    pub rule_id: String,
    /// The records counted.
    pub records: Vec<i64>,
}

/// One type's periods for one organization.
#[derive(Serialize, ToSchema)]
pub struct LifeLine {
    pub type_code: String,
    pub label: String,
    /// Periods that fell due (over, or already met).
    pub due: i64,
    /// Of those, met.
    pub met: i64,
    pub cells: Vec<LifeCell>,
}

/// How one organization stands.
#[derive(Serialize, ToSchema)]
pub struct LifeOrgCompliance {
    pub id: i64,
    pub name: String,
    #[schema(schema_with = org_kind_schema)]
    pub kind: String,
    /// Periods due, over all types.
    pub due: i64,
    /// Of those, met.
    pub met: i64,
    /// Met share of due periods in percent (one decimal); `null` when nothing fell due.
    pub rate: Option<f64>,
    /// Meetings counted in the range.
    pub held: i64,
    /// The last recorded activity.
    pub last_activity: Option<NaiveDate>,
    pub lines: Vec<LifeLine>,
    pub findings: Vec<LifeFinding>,
}

/// Totals over a subtree.
#[derive(Serialize, ToSchema)]
pub struct LifeTotals {
    pub due: i64,
    pub met: i64,
    pub rate: Option<f64>,
    pub held: i64,
    pub findings: i64,
}

/// Totals over a child organization's subtree.
#[derive(Serialize, ToSchema)]
pub struct LifeChildTotals {
    pub id: i64,
    pub name: String,
    #[schema(schema_with = org_kind_schema)]
    pub kind: String,
    /// Organizations in its subtree that were judged.
    pub orgs: i64,
    pub due: i64,
    pub met: i64,
    pub rate: Option<f64>,
    pub held: i64,
    pub findings: i64,
}

/// A live compliance evaluation of a subtree.
#[derive(Serialize, ToSchema)]
pub struct LifeCompliance {
    pub org_id: i64,
    pub org_name: String,
    pub year: i32,
    /// The quarter judged, or `null` for the whole year.
    pub quarter: Option<u32>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Periods ending before this day are over.
    pub as_of: NaiveDate,
    /// Organizations judged (the subtree's, those that existed in the range).
    pub orgs_total: i64,
    /// Records read.
    pub records: i64,
    /// The whole subtree.
    pub totals: LifeTotals,
    /// Each direct child's subtree.
    pub children: Vec<LifeChildTotals>,
    /// Whether `orgs` was left out (see the `children_only` parameter).
    pub children_only: bool,
    /// Each organization of the subtree in tree order, a page at a time (empty with
    /// `children_only`).
    pub orgs: Vec<LifeOrgCompliance>,
    pub page: i64,
    pub per_page: i64,
}

/// Subtrees larger than this answer with the children's totals only, unless asked otherwise.
pub const CHILDREN_ONLY_ABOVE: usize = 200;

/// Query parameters of the compliance evaluation.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ComplianceParams {
    /// The organization whose whole subtree is judged; may be left out when the caller has a
    /// single top organization.
    org: Option<i64>,
    /// The year (default: this year).
    year: Option<i32>,
    /// Only this quarter of the year, 1 to 4.
    quarter: Option<u32>,
    /// Leave out the per-organization detail (`orgs`) and answer with the totals of the subtree
    /// and of each direct child only. Default: `true` when the subtree has more than 200
    /// organizations, `false` otherwise.
    children_only: Option<bool>,
    /// Page of `orgs`, from 1.
    page: Option<i64>,
    /// Organizations per page, 1 to 200 (default 50).
    per_page: Option<i64>,
}

use domain::life::rate_percent as rate;

/// 组织生活达标情况 / Compliance of a subtree
///
/// Judges every organization of a subtree for a year or a quarter, now: for each type the due
/// periods (months, quarters, the year) against the meetings held, under the rule version in
/// force in each period (local overrides included), with the findings and their evidence.
#[utoipa::path(
    get, path = "/api/v1/life/compliance", operation_id = "lifeCompliance", tag = "life",
    params(ComplianceParams),
    responses(
        (status = 200, description = "The evaluation", body = LifeCompliance),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn compliance(State(s): State<Shared>, caller: ApiCaller, q: Params) -> Response {
    tri!(caller.require(Perm::ReadLife));
    let today = today();
    let mut errs = Vec::new();
    let org_id = q.id("org", &mut errs);
    let (page, per_page) = q.paging(&mut errs);
    let window = match dl::Window::parse(q.get("year"), q.get("quarter"), today) {
        Ok(w) => Some(w),
        Err((year, quarter)) => {
            errs.extend(year.map(|m| ApiFieldError::new("year", m)));
            errs.extend(quarter.map(|m| ApiFieldError::new("quarter", m)));
            None
        }
    };
    let asked_children_only = match q.get("children_only") {
        "" => None,
        _ => Some(q.flag("children_only", false, &mut errs)),
    };
    tri!(check(errs));
    let org = tri!(org_param(&s, &caller, org_id, Perm::ReadLife).await);
    let Some(window) = window else { return caller.not_found() };
    let (year, quarter, from, to) = (window.year, window.quarter, window.from, window.to);
    let ev = match service::life::compliance::judge(&s.store, &caller, &org, &window, today).await {
        Ok(ev) => ev,
        Err(e) => return caller.fail(e),
    };
    let children_only = asked_children_only.unwrap_or(ev.orgs.len() > CHILDREN_ONLY_ABOVE);
    let names: std::collections::HashMap<i64, &str> = ev.orgs.iter().map(|o| (o.id, o.name.as_str())).collect();
    let (due, met, held, found) = ev.totals_under(&org.path);
    let children = ev
        .orgs
        .iter()
        .filter(|o| domain::path::parent(&o.path) == Some(org.path.as_str()))
        .map(|c| {
            let (due, met, held, findings) = ev.totals_under(&c.path);
            LifeChildTotals {
                id: c.id,
                name: c.name.clone(),
                kind: c.kind.code().into(),
                orgs: ev.orgs.iter().filter(|o| domain::path::is_within(&o.path, &c.path)).count() as i64,
                due,
                met,
                rate: rate(due, met),
                held,
                findings: findings as i64,
            }
        })
        .collect();
    let orgs = if children_only {
        Vec::new()
    } else {
        let pairs: Vec<(&dl::OrgLife, &dl::OrgCompliance)> = ev.orgs.iter().zip(ev.results.iter()).collect();
        page_of(pairs, page, per_page)
            .into_iter()
            .map(|(o, r)| LifeOrgCompliance {
                id: o.id,
                name: o.name.clone(),
                kind: o.kind.code().into(),
                due: r.due,
                met: r.met,
                rate: rate(r.due, r.met),
                held: r.held,
                last_activity: r.last_activity,
                lines: r
                    .lines
                    .iter()
                    .map(|l| LifeLine {
                        type_code: l.type_code.clone(),
                        label: l.label.clone(),
                        due: l.due,
                        met: l.met,
                        cells: l
                            .cells
                            .iter()
                            .map(|c| LifeCell {
                                key: c.key.clone(),
                                label: c.label.clone(),
                                period: c.period.kind.code().into(),
                                start: c.period.start,
                                end: c.period.end,
                                state: c.state.code().into(),
                                held: c.held,
                                min: c.min,
                                rule_id: c.rule_id.clone(),
                                records: c.records.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
                findings: r
                    .findings
                    .iter()
                    .map(|f| live_finding(f, names.get(&f.org_id).copied().unwrap_or("")))
                    .collect(),
            })
            .collect()
    };
    json(
        StatusCode::OK,
        &LifeCompliance {
            org_id: org.id,
            org_name: org.name.clone(),
            year,
            quarter,
            from,
            to,
            as_of: today,
            orgs_total: ev.orgs.len() as i64,
            records: ev.records as i64,
            totals: LifeTotals { due, met, rate: rate(due, met), held, findings: found as i64 },
            children,
            children_only,
            orgs,
            page,
            per_page,
        },
    )
}
