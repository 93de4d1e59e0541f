//! The pages of campaigns, demonstration sites, training and tasks, secondment nominations,
//! party-building plans, innovation lists and projects.

pub mod campaign;
pub mod innovation;
pub mod parts;
pub mod plan;
pub mod round;
pub mod secondment;
pub mod site;
pub mod task;
pub mod training;

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use domain::org::Org;
use domain::FieldErrors;
use service::ServiceError;
use store::Visible;
use web_core::access::Perm;
use web_core::pages::org_param;
use web_core::picker::{OrgPicker, Purpose};
use web_core::routes::{Routes, Target};
use web_core::{Caller, Shared};

pub fn routes(r: Routes) -> Routes {
    r.add("GET", "/campaigns", Target::None, get(campaign::list))
        .add("GET,POST", "/campaigns/new", Target::OrgQuery, get(campaign::new_page).post(campaign::create))
        .add("GET", "/campaigns/{id}", Target::Campaign, get(campaign::show))
        .add("GET,POST", "/campaigns/{id}/edit", Target::Campaign, get(campaign::edit_page).post(campaign::update))
        .add(
            "POST",
            "/campaigns/{id}/documents",
            Target::Campaign,
            post(parts::upload).layer(axum::extract::DefaultBodyLimit::max(store::life::MAX_ATTACHMENT + 1024 * 1024)),
        )
        .add("GET", "/campaigns/documents/{id}", Target::CampaignDocument, get(parts::download))
        .add(
            "GET,POST",
            "/campaigns/{id}/standard",
            Target::Campaign,
            get(parts::standard_page).post(parts::standard_add),
        )
        .add("GET,POST", "/campaigns/{id}/funding", Target::Campaign, get(parts::funding_page).post(parts::funding_add))
        .add("GET,POST", "/campaigns/{id}/reports", Target::Campaign, get(parts::reports_page).post(parts::report_add))
        .add("POST", "/campaigns/reports/{id}/review", Target::IndicatorReport, post(parts::report_review))
        .add("POST", "/campaigns/{id}/rounds", Target::Campaign, post(round::compute))
        .add("GET", "/campaigns/rounds/{id}", Target::DispatchRound, get(round::show))
        .add("GET", "/campaigns/rounds/{id}/export.xlsx", Target::DispatchRound, get(round::export))
        .add("POST", "/campaigns/rounds/{id}/recompute", Target::DispatchRound, post(round::recompute))
        .add("POST", "/campaigns/rounds/{id}/publish", Target::DispatchRound, post(round::publish))
        .add("POST", "/campaigns/rounds/{id}/discard", Target::DispatchRound, post(round::discard))
        .add("POST", "/campaigns/rounds/{id}/meeting", Target::DispatchRound, post(round::meeting))
        .add("GET", "/sites", Target::OrgQuery, get(site::list))
        .add("GET,POST", "/sites/new", Target::OrgQuery, get(site::new_page).post(site::create))
        .add("GET", "/sites/{id}", Target::DemoSite, get(site::show))
        .add("POST", "/sites/{id}/review", Target::DemoSite, post(site::review))
        .add("GET", "/training", Target::OrgQuery, get(training::list))
        .add("GET,POST", "/training/new", Target::OrgQuery, get(training::new_page).post(training::create))
        .add("GET", "/training/coverage", Target::OrgQuery, get(training::coverage))
        .add("GET", "/training/{id}", Target::TrainingClass, get(training::show))
        .add("POST", "/training/{id}/attend", Target::TrainingClass, post(training::attend))
        // 任务: tasks assigned down a campaign's subtree, progress reported up with evidence
        .add("GET,POST", "/campaigns/{id}/tasks", Target::Campaign, get(task::board).post(task::create))
        .add("GET", "/campaigns/tasks/{id}", Target::CampaignTask, get(task::show))
        .add("POST", "/campaigns/tasks/assignments/{id}/cascade", Target::TaskAssignment, post(task::cascade))
        .add(
            "POST",
            "/campaigns/tasks/assignments/{id}/report",
            Target::TaskAssignment,
            post(task::report).layer(axum::extract::DefaultBodyLimit::max(task::MAX_REPORT_BYTES)),
        )
        .add("POST", "/campaigns/tasks/assignments/{id}/decide", Target::TaskAssignment, post(task::decide))
        .add("GET", "/campaigns/tasks/evidence/{id}", Target::TaskEvidence, get(task::evidence))
        // 跟岗学习 and 党建规划
        .add("GET", "/secondments", Target::OrgQuery, get(secondment::list))
        .add("GET,POST", "/secondments/new", Target::OrgQuery, get(secondment::new_page).post(secondment::create))
        .add("GET", "/secondments/{id}", Target::Secondment, get(secondment::show))
        .add("POST", "/secondments/{id}/review", Target::Secondment, post(secondment::review))
        .add("GET", "/plans", Target::OrgQuery, get(plan::list))
        .add("GET,POST", "/plans/new", Target::OrgQuery, get(plan::new_page).post(plan::create))
        .add("GET", "/plans/{id}", Target::Plan, get(plan::show))
        .add("GET,POST", "/plans/{id}/edit", Target::Plan, get(plan::edit_page).post(plan::update))
        .add("POST", "/plans/{id}/submit", Target::Plan, post(plan::submit))
        .add("POST", "/plans/{id}/review", Target::Plan, post(plan::review))
        .add("POST", "/plans/{id}/milestones", Target::Plan, post(plan::milestone))
        // 创新清单、创新动态 and 项目化管理
        .add("GET", "/campaigns/{id}/innovation", Target::Campaign, get(innovation::page))
        .add("POST", "/campaigns/{id}/innovation/lists", Target::Campaign, post(innovation::list_submit))
        .add("POST", "/campaigns/{id}/innovation/updates", Target::Campaign, post(innovation::update_report))
        .add("POST", "/campaigns/{id}/innovation/cadence", Target::Campaign, post(innovation::cadence))
        .add("POST", "/campaigns/{id}/innovation/rules", Target::Campaign, post(innovation::rule_add))
        .add(
            "GET,POST",
            "/campaigns/innovation/lists/{id}",
            Target::InnovationList,
            get(innovation::list_show).post(innovation::list_save),
        )
        .add(
            "GET,POST",
            "/campaigns/{id}/projects",
            Target::Campaign,
            get(innovation::projects).post(innovation::propose),
        )
        .add("GET", "/campaigns/projects/{id}", Target::InnovationProject, get(innovation::project))
        .add("POST", "/campaigns/projects/{id}/gates", Target::InnovationProject, post(innovation::gate))
}

/// The organization a subtree's list is of (`?org=`, the caller's top when none), read with
/// 查看创建活动; an organization out of scope is answered as not found.
pub(crate) async fn list_org(s: &Shared, caller: &Caller, raw: &str) -> Result<Visible<Org>, Response> {
    let scope = caller.require(Perm::ReadCampaigns)?;
    org_param(s, caller, Perm::ReadCampaigns, &scope, raw).await.map_err(|e| caller.fail(e))
}

/// The organization a form is for, when one is named (`None` when the field is empty), checked
/// for the permission the form acts under.
pub(crate) async fn form_org(
    s: &Shared,
    caller: &Caller,
    perm: Perm,
    raw: &str,
) -> Result<Option<Visible<Org>>, Response> {
    let scope = caller.require(perm)?;
    if raw.trim().is_empty() {
        return Ok(None);
    }
    org_param(s, caller, perm, &scope, raw).await.map(Some).map_err(|e| caller.fail(e))
}

/// The organization picker of a list page, submitting on choice.
pub(crate) async fn list_picker(s: &Shared, caller: &Caller, org: &Visible<Org>, action: &str) -> OrgPicker {
    OrgPicker::new(s, caller, Purpose::Campaigns, "org", "党组织", Some(org), action).await.submitting()
}

pub(crate) use web_core::paging::paged;

/// A moment as shown (China time, to the minute).
pub(crate) fn at(t: &DateTime<Utc>) -> String {
    let off = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    t.with_timezone(&off).format("%Y-%m-%d %H:%M").to_string()
}

/// What a refused or invalid use case leaves for the page shown again: the field problems, a
/// refusal, and the status; anything else is answered as the error it is.
pub(crate) fn problems(
    caller: &Caller,
    e: ServiceError,
) -> Result<(FieldErrors, Option<String>, StatusCode), Response> {
    match e {
        ServiceError::Invalid(e) => Ok((e, None, StatusCode::UNPROCESSABLE_ENTITY)),
        ServiceError::Refused(m) => Ok((FieldErrors::default(), Some(m), StatusCode::CONFLICT)),
        ServiceError::Stale(w) => {
            Ok((FieldErrors::default(), Some(ServiceError::Stale(w).to_string()), StatusCode::CONFLICT))
        }
        e => Err(caller.fail(e)),
    }
}

/// A number in thousandths as shown (`92.2`), or `—`.
pub(crate) fn milli(v: Option<i64>) -> String {
    v.map(domain::campaign::indicator::fmt_milli).unwrap_or_else(|| "—".into())
}

/// Notices after a redirect.
pub(crate) fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "已发起创建活动。下一步：设定创建标准。",
        "updated" => "已保存。修改前的内容记录在审计日志中。",
        "document" => "已上传文件。",
        "standard" => "已保存新版本的创建标准。已发布的调度仍按当时生效的标准，不受影响。",
        "funding" => "已登记投入经费。",
        "reported" => "已提交填报，等待审核。",
        "accepted" => "已审核通过，该数值从其统计日期起计入调度。",
        "returned" => "已退回，并已通知填报单位。",
        "computed" => "已生成调度草稿。核对无误后发布；发布后不可更改。",
        "recomputed" => "已按当前数据重新计算。",
        "published" => "已发布。参与单位已收到通知；本次调度的结果已冻结，更正请新建一次调度。",
        "discarded" => "已删除调度草稿。",
        "meeting" => "已登记会议。",
        "site" => "已命名示范点。",
        "reviewed" => "已登记复核。",
        "class" => "已登记培训班。",
        "attended" => "已登记学员出勤。",
        "nominated" => "已提交推荐，等待上级党组织审核。",
        "nomination_accepted" => "已同意该推荐，并已通知推荐单位。",
        "nomination_rejected" => "已不同意该推荐，并已通知推荐单位。",
        "plan_created" => "已保存规划草稿。核对目标后提交上级审核。",
        "plan_saved" => "已保存。修改前的内容记录在审计日志中。",
        "plan_submitted" => "已提交上级党组织审核。",
        "plan_approved" => "已批准，并已通知该党组织。",
        "plan_returned" => "已退回，并已通知该党组织。",
        "milestone" => "已登记里程碑完成。",
        _ => return None,
    })
}
