//! `/api/v1/campaigns`: the campaigns the caller sees, the indicator source registry, one campaign
//! with its standard and rounds, computing a round, a round's standing (the caller's own line
//! unless the issuer is in scope), and publishing a draft. A campaign's tasks (`task`), its
//! innovation lists, updates and projects (`innovation`); 跟岗学习 nominations
//! (`secondment`) and 党建规划 (`plan`), `/api/v1/secondments` and `/api/v1/plans`.
//!
//! Every handler calls the use case the pages call, in the same scope and with the same audit:
//! the permission first (403), then the record through the caller's scope (404 outside it), then
//! the body (422, each problem naming its field in Chinese), then the use case (409 when the
//! record's state refuses it).

mod innovation;
mod plan;
mod secondment;
mod task;

pub use innovation::*;
pub use plan::*;
pub use secondment::*;
pub use task::*;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use web_core::access::Perm;
use web_core::api::input::{bytes, Fields};
use web_core::api::{doc, json, ApiCaller, ApiFieldError, Params};
use web_core::pages::today;
use web_core::{tri, Shared};

/// A campaign as the API gives it.
#[derive(Serialize, ToSchema)]
pub struct CampaignOut {
    pub id: i64,
    pub name: String,
    #[schema(example = "service")]
    pub kind: String,
    #[schema(example = "服务型党组织创建")]
    pub kind_label: String,
    pub org_id: i64,
    pub org_name: String,
    pub starts_on: String,
    pub ends_on: String,
    #[schema(example = "level")]
    pub takes_part: String,
    pub depth: Option<i64>,
    pub theme: String,
    pub ideas: Vec<String>,
    /// The caller sees the campaign in full (the issuer is in scope), else its own line.
    pub full: bool,
}

fn campaign_out(c: &store::campaign::Campaign, full: bool) -> CampaignOut {
    CampaignOut {
        id: c.id,
        name: c.name.clone(),
        kind: c.kind.clone(),
        kind_label: c.kind_label.clone(),
        org_id: c.org_id,
        org_name: c.org_name.clone(),
        starts_on: c.starts_on.to_string(),
        ends_on: c.ends_on.to_string(),
        takes_part: c.takes_part.clone(),
        depth: c.depth,
        theme: c.theme.clone(),
        ideas: c.ideas_list(),
        full,
    }
}

/// 创建活动列表 / Campaigns
///
/// The campaigns the caller sees: issued in its scope, or above it and reaching into it.
#[utoipa::path(
    get, path = "/api/v1/campaigns", operation_id = "campaigns", tag = "campaigns",
    responses(
        (status = 200, description = "The campaigns, latest first", body = Vec<CampaignOut>),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
    )
)]
pub async fn list(State(s): State<Shared>, caller: ApiCaller) -> Response {
    let all = match service::campaign::list(&s.store, &caller).await {
        Ok(a) => a,
        Err(e) => return caller.fail(e),
    };
    let out: Vec<CampaignOut> = all.iter().map(|(c, a)| campaign_out(c, a.full)).collect();
    json(StatusCode::OK, &out)
}

/// A registered indicator source.
#[derive(Serialize, ToSchema)]
pub struct SourceOut {
    #[schema(example = "facility_coverage")]
    pub code: String,
    pub label: String,
    /// `computed` from the platform's records, or `reported` by organizations.
    pub origin: String,
    pub unit: String,
    pub higher_is_better: bool,
    /// What the parameter chooses, with its allowed codes and labels.
    pub param: Option<String>,
    pub params: Vec<(String, String)>,
    pub describe: String,
}

/// 指标来源目录 / Indicator sources
///
/// The registry every standard's indicators read from.
#[utoipa::path(
    get, path = "/api/v1/campaigns/indicator-sources", operation_id = "indicatorSources", tag = "campaigns",
    responses(
        (status = 200, description = "The sources", body = Vec<SourceOut>),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
    )
)]
pub async fn sources(caller: ApiCaller) -> Response {
    tri!(caller.require(Perm::ReadCampaigns));
    let out: Vec<SourceOut> = domain::campaign::indicator::SOURCES
        .iter()
        .map(|x| SourceOut {
            code: x.code.into(),
            label: x.label.into(),
            origin: match x.origin {
                domain::campaign::indicator::Origin::Computed => "computed".into(),
                domain::campaign::indicator::Origin::Reported => "reported".into(),
            },
            unit: x.unit.into(),
            higher_is_better: x.higher_is_better,
            param: x.param.map(|(w, _)| w.to_string()),
            params: x.param.map_or(vec![], |(_, ps)| ps.iter().map(|(c, l)| (c.to_string(), l.to_string())).collect()),
            describe: x.describe.into(),
        })
        .collect();
    json(StatusCode::OK, &out)
}

/// An indicator of a standard version.
#[derive(Serialize, ToSchema)]
pub struct IndicatorOut {
    pub code: String,
    pub label: String,
    pub source: String,
    pub param: String,
    pub weight: i64,
    #[schema(example = "linear")]
    pub scoring: String,
    /// The target, as a decimal text (`92.2`).
    pub target: String,
    pub unit: String,
    pub rule: String,
}

#[derive(Serialize, ToSchema)]
pub struct StandardOut {
    pub valid_from: String,
    pub note: String,
    pub indicators: Vec<IndicatorOut>,
}

#[derive(Serialize, ToSchema)]
pub struct RoundSummaryOut {
    pub id: i64,
    pub seq: i64,
    pub title: String,
    pub as_on: String,
    #[schema(example = "published")]
    pub status: String,
    pub digest: String,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignDetailOut {
    pub campaign: CampaignOut,
    pub leaders: Vec<(String, String, String)>,
    pub standards: Vec<StandardOut>,
    pub rounds: Vec<RoundSummaryOut>,
}

fn round_summary(r: &store::campaign::round::Round) -> RoundSummaryOut {
    RoundSummaryOut {
        id: r.id,
        seq: r.seq,
        title: r.title.clone(),
        as_on: r.as_on.to_string(),
        status: r.status.clone(),
        digest: r.digest.clone(),
    }
}

/// 创建活动 / One campaign
///
/// The campaign with its leadership group, every version of its standard and its rounds (drafts
/// only for the issuer's side).
#[utoipa::path(
    get, path = "/api/v1/campaigns/{id}", operation_id = "campaign", tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign")),
    responses(
        (status = 200, description = "The campaign", body = CampaignDetailOut),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
    )
)]
pub async fn show(State(s): State<Shared>, caller: ApiCaller, Path(id): Path<i64>) -> Response {
    let v = match service::campaign::view(&s.store, &caller, id).await {
        Ok(v) => v,
        Err(e) => return caller.fail(e),
    };
    let out = CampaignDetailOut {
        campaign: campaign_out(&v.campaign, v.access.full),
        leaders: v.leaders.iter().map(|l| (l.role.clone(), l.name.clone(), l.post.clone())).collect(),
        standards: v
            .standards
            .iter()
            .map(|st| StandardOut {
                valid_from: st.valid_from.to_string(),
                note: st.note.clone(),
                indicators: st
                    .indicators
                    .iter()
                    .map(|i| IndicatorOut {
                        code: i.code.clone(),
                        label: i.label.clone(),
                        source: i.source.clone(),
                        param: i.param.clone(),
                        weight: i.weight,
                        scoring: i.scoring.code().into(),
                        target: domain::campaign::indicator::fmt_milli(i.target_milli),
                        unit: i.unit.clone(),
                        rule: i.rule_text(),
                    })
                    .collect(),
            })
            .collect(),
        rounds: v.rounds.iter().map(round_summary).collect(),
    };
    json(StatusCode::OK, &out)
}

/// 计算调度 / Compute a round
///
/// A new draft round as of a date (`{"as_on": "2026-06-30", "title": "第二次调度"}`), measured
/// from the data as of that date.
#[utoipa::path(
    post, path = "/api/v1/campaigns/{id}/rounds", operation_id = "computeRound", tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign")),
    responses(
        (status = 201, description = "The draft round", body = RoundSummaryOut),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn compute(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ManageCampaigns));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let as_on = f.text("as_on", "调度日期").value().unwrap_or_default();
    let title = f.text("title", "调度名称").value().unwrap_or_default();
    match service::campaign::round::compute(&s.store, &caller, id, &as_on, &title, today(), &store::NoProgress).await {
        Ok(r) => json(StatusCode::CREATED, &round_summary(&r)),
        Err(e) => caller.fail(e),
    }
}

/// One participant's standing in a round.
#[derive(Serialize, ToSchema)]
pub struct LineOut {
    pub org_id: i64,
    pub org_name: String,
    pub rank: i64,
    /// Total score, as a decimal text.
    pub total: String,
    pub previous_rank: Option<i64>,
    #[schema(example = "leader")]
    pub band: String,
    /// Each indicator: (code, value or null when not reported, score).
    pub cells: Vec<(String, Option<String>, String)>,
}

#[derive(Serialize, ToSchema)]
pub struct RoundOut {
    pub round: RoundSummaryOut,
    pub campaign_id: i64,
    pub participants: usize,
    /// The published digest still matches the stored lines.
    pub intact: Option<bool>,
    pub lines: Vec<LineOut>,
    /// The campaign's tasks overdue on the round's date, of the organizations the caller sees.
    pub overdue: Vec<OverdueOut>,
    /// Where the participants whose lines are given stood against their own approved 党建规划
    /// on the round's date, kept with the round.
    pub plans: Vec<RoundPlanOut>,
}

/// A task overdue on a round's date.
#[derive(Serialize, ToSchema)]
pub struct OverdueOut {
    pub org_id: i64,
    pub org_name: String,
    pub task: String,
    pub due_on: String,
}

/// One participant's plan in a round: its targets, how many were reached and how many were past
/// their date unreached.
#[derive(Serialize, ToSchema)]
pub struct RoundPlanOut {
    pub org_id: i64,
    pub plan_id: i64,
    #[schema(example = "annual")]
    pub kind: String,
    pub title: String,
    pub from_year: i64,
    pub to_year: i64,
    pub targets: i64,
    pub reached: i64,
    pub overdue: i64,
}

/// 调度结果 / A round's standing
///
/// Every line for the issuer's side; a participant's own line otherwise.
#[utoipa::path(
    get, path = "/api/v1/campaigns/rounds/{id}", operation_id = "round", tag = "campaigns",
    params(("id" = i64, Path, description = "The round")),
    responses(
        (status = 200, description = "The round", body = RoundOut),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
    )
)]
pub async fn round(State(s): State<Shared>, caller: ApiCaller, Path(id): Path<i64>) -> Response {
    let r = match service::campaign::round::report(&s.store, &caller, id).await {
        Ok(r) => r,
        Err(e) => return caller.fail(e),
    };
    let m = domain::campaign::indicator::fmt_milli;
    let out = RoundOut {
        round: round_summary(&r.round),
        campaign_id: r.campaign.id,
        participants: r.participants,
        intact: r.intact,
        lines: r
            .lines
            .iter()
            .map(|l| LineOut {
                org_id: l.org_id,
                org_name: l.org_name.clone(),
                rank: l.rank,
                total: m(l.total_milli),
                previous_rank: l.previous_rank,
                band: l.band.code().into(),
                cells: l.cells.iter().map(|c| (c.code.clone(), c.value_milli.map(m), m(c.score_milli))).collect(),
            })
            .collect(),
        overdue: r
            .overdue
            .iter()
            .map(|(org_id, org_name, task, due)| OverdueOut {
                org_id: *org_id,
                org_name: org_name.clone(),
                task: task.clone(),
                due_on: due.to_string(),
            })
            .collect(),
        plans: r
            .plans
            .iter()
            .map(|p| RoundPlanOut {
                org_id: p.org_id,
                plan_id: p.plan_id,
                kind: p.kind.clone(),
                title: p.title.clone(),
                from_year: p.from_year,
                to_year: p.to_year,
                targets: p.targets,
                reached: p.reached,
                overdue: p.overdue,
            })
            .collect(),
    };
    json(StatusCode::OK, &out)
}

/// 发布调度 / Publish a round
///
/// Publish a draft (`{"summary": "…"}`): its standing is frozen with a digest; a published round
/// answers 409.
#[utoipa::path(
    post, path = "/api/v1/campaigns/rounds/{id}/publish", operation_id = "publishRound", tag = "campaigns",
    params(("id" = i64, Path, description = "The round")),
    responses(
        (status = 200, description = "The published round", body = RoundSummaryOut),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn publish(
    State(s): State<Shared>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::ManageCampaigns));
    let body = tri!(bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let summary = f.text("summary", "调度小结").value().unwrap_or_default();
    match service::campaign::round::publish(&s.store, &caller, id, &summary).await {
        Ok(r) => json(StatusCode::OK, &round_summary(&r)),
        Err(e) => caller.fail(e),
    }
}

// ---------------------------------------------------------------------------------------------
// Shared by the parts

/// 201 with the new record and its address in `Location`.
pub(crate) fn created<T: Serialize>(location: &str, v: &T) -> Response {
    let mut res = json(StatusCode::CREATED, v);
    if let Ok(h) = location.parse() {
        res.headers_mut().insert(header::LOCATION, h);
    }
    res
}

/// A moment as the API gives it (RFC 3339, UTC).
pub(crate) fn moment(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A date query parameter (`YYYY-MM-DD`), `None` when absent.
pub(crate) fn q_date(q: &Params, key: &'static str, errs: &mut Vec<ApiFieldError>) -> Option<NaiveDate> {
    let v = q.get(key);
    if v.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errs.push(ApiFieldError::new(key, format!("“{v}”不是有效的日期，应为 YYYY-MM-DD")));
            None
        }
    }
}

/// A text field, empty when absent.
pub(crate) fn text(f: &mut Fields, key: &str, label: &str) -> String {
    f.text(key, label).value().unwrap_or_default()
}

/// A number in thousandths as the API gives it (`92.5`).
pub(crate) fn milli(v: i64) -> String {
    domain::campaign::indicator::fmt_milli(v)
}
