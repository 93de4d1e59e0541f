//! Types and rules.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use domain::life::{self as dl, Applies};
use serde::Serialize;
use utoipa::ToSchema;
use web_core::access::Perm;
use web_core::api::doc;
use web_core::api::{json, ApiCaller};
use web_core::tri;
use web_core::Shared;

use super::*;

/// A type of organization life.
#[derive(Serialize, ToSchema)]
pub struct LifeTypeOut {
    #[schema(example = "branch_assembly")]
    pub code: String,
    #[schema(example = "支部党员大会")]
    pub label: String,
    #[schema(schema_with = roster_schema)]
    pub roster: String,
    #[schema(schema_with = quorum_schema)]
    pub quorum: String,
    /// Resolutions may be voted on.
    pub votes: bool,
    /// A lecturer (授课人) is required.
    pub lecturer: bool,
    pub sort: i64,
    /// The rule its quorum check cites.
    pub rule: String,
    /// Added by this deployment (not shipped).
    pub local: bool,
}

/// 组织生活类型 / Types of organization life
///
/// The shipped types and the deployment's local ones, in display order.
#[utoipa::path(
    get, path = "/api/v1/life/types", operation_id = "lifeTypes", tag = "life",
    responses(
        (status = 200, description = "The types", body = Vec<LifeTypeOut>),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
    )
)]
pub async fn types(State(s): State<Shared>, caller: ApiCaller) -> Response {
    tri!(caller.require(Perm::ReadLife));
    let types = tri!(all_types(&s, &caller).await);
    let out: Vec<LifeTypeOut> = types
        .into_iter()
        .map(|t| LifeTypeOut {
            roster: t.roster.code().into(),
            quorum: t.quorum.code().into(),
            code: t.code,
            label: t.label,
            votes: t.votes,
            lecturer: t.lecturer,
            sort: t.sort,
            rule: t.rule,
            local: t.local,
        })
        .collect();
    json(StatusCode::OK, &out)
}

/// One version of a frequency rule.
#[derive(Serialize, ToSchema)]
pub struct LifeRuleOut {
    /// The database id of a local version; `null` for a shipped (national) one.
    pub id: Option<i64>,
    #[schema(example = "LIFE-01")]
    pub rule_id: String,
    #[schema(example = "branch_assembly")]
    pub type_code: String,
    #[schema(example = "支部党员大会")]
    pub type_label: String,
    /// The kinds of organization it applies to.
    #[schema(schema_with = applies_schema)]
    pub applies: Vec<String>,
    #[schema(example = "党支部")]
    pub applies_label: String,
    #[schema(schema_with = period_schema)]
    pub period: String,
    /// At least this many per period (0 lifts the requirement).
    pub min: i64,
    /// The requirement in words.
    #[schema(example = "每季度至少 1 次")]
    pub requirement: String,
    pub valid_from: NaiveDate,
    /// Valid until this day (exclusive); `null`: still in force.
    pub valid_to: Option<NaiveDate>,
    #[schema(schema_with = severity_schema)]
    pub severity: String,
    /// The organization whose subtree a local version covers; `null`: nationwide.
    pub scope_org_id: Option<i64>,
    pub scope_org_name: Option<String>,
    #[schema(example = "《中国共产党支部工作条例（试行）》")]
    pub source: String,
    #[schema(example = "第十一条")]
    pub article: String,
    /// How certain the rule is: H (the text says so), M, L (local practice).
    #[schema(example = "H")]
    pub confidence: String,
}

/// 组织生活规则 / Frequency rules
///
/// Every version of every frequency rule that concerns the caller: the national ones, and local
/// versions for organizations in the caller's scope or above it, each with its dates, scope,
/// source and article.
#[utoipa::path(
    get, path = "/api/v1/life/rules", operation_id = "lifeRules", tag = "life",
    responses(
        (status = 200, description = "The rule versions", body = Vec<LifeRuleOut>),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
    )
)]
pub async fn rules(State(s): State<Shared>, caller: ApiCaller) -> Response {
    tri!(caller.require(Perm::ReadLife));
    let (types, rules) = match service::life::rules::list(&s.store, &caller).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let out: Vec<LifeRuleOut> = rules
        .iter()
        .map(|r| LifeRuleOut {
            id: r.id,
            rule_id: r.rule_id.clone(),
            type_code: r.type_code.clone(),
            type_label: dl::type_of(&types, &r.type_code).map_or_else(|| r.type_code.clone(), |t| t.label.clone()),
            applies: r.applies.iter().map(|a| a.code().to_string()).collect(),
            applies_label: Applies::labels(&r.applies),
            period: r.period.code().into(),
            min: r.min,
            requirement: r.describe(),
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            severity: web_core::pages::sev_code(r.severity).into(),
            scope_org_id: r.org_id,
            scope_org_name: r.org_name.clone(),
            source: r.source.clone(),
            article: r.article.clone(),
            confidence: r.confidence.clone(),
        })
        .collect();
    json(StatusCode::OK, &out)
}
