//! 创建活动: campaigns (服务型、创新型党组织创建, 基层组织建设年, 机关党建 …) with their leadership
//! groups, documents and funding; their standards of indicators read from the indicator source
//! registry; values organizations report; dispatch rounds (调度) with their printed report,
//! workbook and on-site meetings; demonstration sites (示范点) and training classes (培训班); a
//! campaign's tasks and innovation lists, updates and projects; 跟岗学习 nominations and 党建规划;
//! `/api/v1/campaigns`, `/api/v1/secondments` and `/api/v1/plans`.

// handlers answer early with a finished `Response`
#![allow(clippy::result_large_err)]

pub mod api;
pub mod pages;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get as g, post as p};
use web_core::routes::{Routes, Target};

/// The pages and API routes of campaigns.
pub fn routes(r: Routes) -> Routes {
    pages::routes(r)
        .add("GET", "/api/v1/campaigns", Target::None, g(api::list))
        .add("GET", "/api/v1/campaigns/indicator-sources", Target::None, g(api::sources))
        .add("GET", "/api/v1/campaigns/{id}", Target::Campaign, g(api::show))
        .add("POST", "/api/v1/campaigns/{id}/rounds", Target::Campaign, p(api::compute))
        .add("GET", "/api/v1/campaigns/rounds/{id}", Target::DispatchRound, g(api::round))
        .add("POST", "/api/v1/campaigns/rounds/{id}/publish", Target::DispatchRound, p(api::publish))
        // 任务
        .add("GET,POST", "/api/v1/campaigns/{id}/tasks", Target::Campaign, g(api::tasks).post(api::create_task))
        .add("GET", "/api/v1/campaigns/tasks/{id}", Target::CampaignTask, g(api::task))
        .add("POST", "/api/v1/campaigns/tasks/assignments/{id}/cascade", Target::TaskAssignment, p(api::cascade_task))
        .add(
            "POST",
            "/api/v1/campaigns/tasks/assignments/{id}/report",
            Target::TaskAssignment,
            p(api::report_task).layer(DefaultBodyLimit::max(api::MAX_REPORT_JSON_BYTES)),
        )
        .add("POST", "/api/v1/campaigns/tasks/assignments/{id}/decide", Target::TaskAssignment, p(api::decide_task))
        .add("GET", "/api/v1/campaigns/tasks/evidence/{id}", Target::TaskEvidence, g(api::task_evidence))
        // 创新清单、创新动态 and 项目化管理
        .add("GET", "/api/v1/campaigns/{id}/innovation", Target::Campaign, g(api::innovation))
        .add("POST", "/api/v1/campaigns/{id}/innovation/lists", Target::Campaign, p(api::submit_innovation_list))
        .add("POST", "/api/v1/campaigns/{id}/innovation/updates", Target::Campaign, p(api::report_innovation_update))
        .add(
            "GET,PUT",
            "/api/v1/campaigns/innovation/lists/{id}",
            Target::InnovationList,
            g(api::innovation_list).put(api::update_innovation_list),
        )
        .add(
            "GET,POST",
            "/api/v1/campaigns/{id}/projects",
            Target::Campaign,
            g(api::innovation_projects).post(api::propose_project),
        )
        .add("GET", "/api/v1/campaigns/projects/{id}", Target::InnovationProject, g(api::innovation_project))
        .add("POST", "/api/v1/campaigns/projects/{id}/gates", Target::InnovationProject, p(api::project_gate))
        // 跟岗学习
        .add("GET", "/api/v1/secondments", Target::OrgQuery, g(api::secondments))
        .add("POST", "/api/v1/secondments", Target::None, p(api::nominate))
        .add("GET", "/api/v1/secondments/{id}", Target::Secondment, g(api::secondment))
        .add("POST", "/api/v1/secondments/{id}/review", Target::Secondment, p(api::review_secondment))
        // 党建规划
        .add("GET", "/api/v1/plans", Target::OrgQuery, g(api::plans))
        .add("POST", "/api/v1/plans", Target::None, p(api::create_plan))
        .add("GET,PUT", "/api/v1/plans/{id}", Target::Plan, g(api::plan).put(api::update_plan))
        .add("POST", "/api/v1/plans/{id}/submit", Target::Plan, p(api::submit_plan))
        .add("POST", "/api/v1/plans/{id}/review", Target::Plan, p(api::review_plan))
        .add("POST", "/api/v1/plans/{id}/milestones", Target::Plan, p(api::milestone_done))
}

/// The campaign operations of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    api::list,
    api::sources,
    api::show,
    api::compute,
    api::round,
    api::publish,
    api::tasks,
    api::create_task,
    api::task,
    api::cascade_task,
    api::report_task,
    api::decide_task,
    api::task_evidence,
    api::innovation,
    api::submit_innovation_list,
    api::report_innovation_update,
    api::innovation_list,
    api::update_innovation_list,
    api::innovation_projects,
    api::propose_project,
    api::innovation_project,
    api::project_gate,
    api::secondments,
    api::nominate,
    api::secondment,
    api::review_secondment,
    api::plans,
    api::create_plan,
    api::plan,
    api::update_plan,
    api::submit_plan,
    api::review_plan,
    api::milestone_done
))]
pub struct Doc;
