//! Surveys through the API: the surveys issued in a subtree, one survey with its questionnaire
//! and targets, and its tally per target (the satisfaction rate and coverage the grading cycle
//! reads). 管理测评问卷 over the issuer, the same use cases as the pages (`service::survey`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use store::survey::{Satisfaction, Survey};
use utoipa::ToSchema;
use web_core::access::Perm;
use web_core::api::{check, doc, json, ApiCaller, ApiFieldError, Params};
use web_core::pages::today;
use web_core::{tri, Shared};

fn moment(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn q_date(q: &Params, key: &'static str, errs: &mut Vec<ApiFieldError>) -> Option<NaiveDate> {
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

/// A survey as the API gives it.
#[derive(Serialize, ToSchema)]
pub struct SurveyOut {
    pub id: i64,
    /// The issuing organization.
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    /// `members`, `residents` or `both`.
    pub audience: String,
    pub audience_label: String,
    pub opens_on: String,
    pub closes_on: String,
    /// 未开始, 进行中 or 已结束 today.
    pub state: String,
    /// Coverage targets in thousandths (GRADE-08: 1000 and 100).
    pub member_target_permille: i64,
    pub resident_target_permille: i64,
    pub answers: i64,
    pub created_by: String,
    pub created_at: String,
    pub version: i64,
}

fn survey_out(s: &Survey) -> SurveyOut {
    SurveyOut {
        id: s.id,
        org_id: s.org_id,
        org_name: s.org_name.clone(),
        title: s.title.clone(),
        audience: s.audience().code().into(),
        audience_label: s.audience_label().into(),
        opens_on: s.opens_on.to_string(),
        closes_on: s.closes_on.to_string(),
        state: s.window(today()).label().into(),
        member_target_permille: s.member_permille,
        resident_target_permille: s.resident_permille,
        answers: s.answers,
        created_by: s.created_by.clone(),
        created_at: moment(&s.created_at),
        version: s.version,
    }
}

/// One page of surveys.
#[derive(Serialize, ToSchema)]
pub struct SurveyList {
    pub org_id: i64,
    pub items: Vec<SurveyOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Query parameters of the surveys.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SurveyListParams {
    /// The organization whose subtree's surveys are listed; may be left out when the caller has a
    /// single top organization.
    org: Option<i64>,
    /// Page number, from 1.
    page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    per_page: Option<i64>,
}

/// 测评列表 / Surveys
///
/// The surveys issued by organizations in an organization's subtree, latest window first.
#[utoipa::path(
    get, path = "/api/v1/surveys", operation_id = "surveys", tag = "surveys",
    params(SurveyListParams),
    responses(
        (status = 200, description = "One page of surveys", body = SurveyList),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn list(State(s): State<Shared>, caller: ApiCaller, q: Params) -> Response {
    tri!(caller.require(Perm::ManageSurveys));
    let mut errs = Vec::new();
    let org = q.id("org", &mut errs);
    let (page, per_page) = q.paging(&mut errs);
    tri!(check(errs));
    let org = match org {
        Some(o) => o,
        None => tri!(caller.default_org(Perm::ManageSurveys)).id,
    };
    match service::survey::list(&s.store, &caller, org, per_page, (page - 1) * per_page).await {
        Ok((rows, total)) => json(
            StatusCode::OK,
            &SurveyList { org_id: org, items: rows.iter().map(survey_out).collect(), total, page, per_page },
        ),
        Err(e) => caller.service_fail(e),
    }
}

/// One item of the questionnaire.
#[derive(Serialize, ToSchema)]
pub struct ItemOut {
    /// `rating`, `single`, `multi` or `text`.
    pub kind: String,
    pub text: String,
    pub choices: Vec<String>,
    /// The choices counted as satisfied (a satisfaction item).
    pub satisfied_choices: Vec<String>,
    pub satisfaction: bool,
    pub required: bool,
    /// Free text: the most characters.
    pub max_len: u32,
}

/// A target organization with its resident base.
#[derive(Serialize, ToSchema)]
pub struct TargetOut {
    pub org_id: i64,
    pub org_name: String,
    /// `null`: not entered (resident coverage is then not claimed).
    pub resident_base: Option<i64>,
    /// `households` or `residents`.
    pub base_kind: Option<String>,
}

/// A survey with its questionnaire and targets.
#[derive(Serialize, ToSchema)]
pub struct SurveyDetail {
    pub survey: SurveyOut,
    pub instructions: String,
    /// The personal field asked of respondents: `none`, `phone` or `name`.
    pub personal: String,
    pub items: Vec<ItemOut>,
    pub targets: Vec<TargetOut>,
}

/// 测评 / A survey
///
/// The survey, its questionnaire as issued and the organizations it evaluates.
#[utoipa::path(
    get, path = "/api/v1/surveys/{id}", operation_id = "survey", tag = "surveys",
    params(("id" = i64, Path, description = "The survey")),
    responses(
        (status = 200, description = "The survey", body = SurveyDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
    )
)]
pub async fn show(State(s): State<Shared>, caller: ApiCaller, Path(id): Path<i64>) -> Response {
    tri!(caller.require(Perm::ManageSurveys));
    let x = match service::survey::get(&s.store, &caller, id).await {
        Ok(x) => x,
        Err(e) => return caller.service_fail(e),
    };
    let targets = match service::survey::targets(&s.store, &caller, id).await {
        Ok(t) => t,
        Err(e) => return caller.service_fail(e),
    };
    let q = x.questionnaire();
    let detail = SurveyDetail {
        survey: survey_out(&x),
        instructions: q.instructions.clone(),
        personal: q.personal.code().into(),
        items: q
            .items
            .iter()
            .map(|i| ItemOut {
                kind: i.kind.code().into(),
                text: i.text.clone(),
                choices: i.choices.iter().map(|c| c.label.clone()).collect(),
                satisfied_choices: i
                    .choices
                    .iter()
                    .filter(|c| c.counts == domain::survey::Counts::Satisfied)
                    .map(|c| c.label.clone())
                    .collect(),
                satisfaction: i.satisfaction,
                required: i.required,
                max_len: i.max_len,
            })
            .collect(),
        targets: targets
            .into_iter()
            .map(|t| TargetOut {
                org_id: t.org_id,
                org_name: t.org_name,
                resident_base: t.resident_base,
                base_kind: t.base_kind,
            })
            .collect(),
    };
    json(StatusCode::OK, &detail)
}

/// One target's tally.
#[derive(Serialize, ToSchema)]
pub struct TallyOut {
    pub org_id: i64,
    pub org_name: String,
    /// Satisfied share of the satisfaction items answered, in thousandths; `null` without any.
    pub rate_permille: Option<i32>,
    pub answers: i64,
    pub member_answers: i64,
    pub resident_answers: i64,
    /// Members of the target on the day counted (the close date, or `on` while open).
    pub members: i64,
    pub member_coverage_permille: Option<i32>,
    pub resident_base: Option<i64>,
    pub resident_coverage_permille: Option<i32>,
    /// Coverage targets met; `null` when residents are asked and no resident base was entered.
    pub meets_coverage: Option<bool>,
}

fn tally_out(t: &Satisfaction) -> TallyOut {
    TallyOut {
        org_id: t.org_id,
        org_name: t.org_name.clone(),
        rate_permille: t.rate_permille,
        answers: t.answers,
        member_answers: t.member_answers,
        resident_answers: t.resident_answers,
        members: t.members,
        member_coverage_permille: t.member_coverage,
        resident_base: t.resident_base,
        resident_coverage_permille: t.resident_coverage,
        meets_coverage: t.meets_coverage,
    }
}

/// The tally of a survey.
#[derive(Serialize, ToSchema)]
pub struct Tally {
    pub survey_id: i64,
    /// The day it is computed as of.
    pub on: String,
    pub items: Vec<TallyOut>,
}

/// Query parameters of a tally.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TallyParams {
    /// Only these organizations, comma separated (`12,15`); all targets when left out.
    org: Option<String>,
    /// As of this day (`YYYY-MM-DD`, default today): members are counted on the close date, or
    /// on this day while the survey is open.
    on: Option<String>,
}

/// 测评结果 / A survey's tally
///
/// Per target organization: answers by members and residents, the satisfaction rate
/// (满意率, read by grading's GRADE-06 cap) and coverage against the survey's targets (GRADE-08).
#[utoipa::path(
    get, path = "/api/v1/surveys/{id}/tally", operation_id = "surveyTally", tag = "surveys",
    params(("id" = i64, Path, description = "The survey"), TallyParams),
    responses(
        (status = 200, description = "The tally per target", body = Tally),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn tally(State(s): State<Shared>, caller: ApiCaller, Path(id): Path<i64>, q: Params) -> Response {
    tri!(caller.require(Perm::ManageSurveys));
    let mut errs = Vec::new();
    let on = q_date(&q, "on", &mut errs).unwrap_or_else(today);
    let orgs: Vec<i64> = q
        .get("org")
        .split(',')
        .filter(|v| !v.trim().is_empty())
        .filter_map(|v| match v.trim().parse::<i64>() {
            Ok(x) => Some(x),
            Err(_) => {
                errs.push(ApiFieldError::new("org", format!("“{v}”不是组织编号")));
                None
            }
        })
        .collect();
    tri!(check(errs));
    match service::survey::satisfaction(&s.store, &caller, id, &orgs, on).await {
        Ok(rows) => json(
            StatusCode::OK,
            &Tally { survey_id: id, on: on.to_string(), items: rows.iter().map(tally_out).collect() },
        ),
        Err(e) => caller.service_fail(e),
    }
}
