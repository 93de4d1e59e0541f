//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers' `#[utoipa::path]`
//! attributes and the DTOs' `ToSchema` derives of every capability, served without
//! authentication.

use std::sync::OnceLock;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use web_core::api::doc::{BearerAuth, Conflict, Forbidden, Invalid, NotFound, Unauthorized};
use web_core::api::{ApiFieldError, Problem, ValidationProblem};

pub use web_life::{CHILDREN_ONLY_ABOVE, LIFE_FIELDS};
pub use web_member::MEMBER_FIELDS;
pub use web_org::ORG_FIELDS;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "dangjian 基层党建 API",
        version = "1",
        description = "组织、党员、导入导出、统计、组织生活与创建活动的 JSON 接口。\n\n\
            * 认证：`Authorization: Bearer dj_…`（在网页“账号安全”中创建 API 令牌）。令牌以所属账号的身份、\
            管理范围和权限行事；不使用会话 Cookie，因此无需 CSRF 令牌。\n\
            * 管理范围之外的记录与不存在的记录一样答 404；角色没有相应权限答 403。\n\
            * 错误为 RFC 9457 `application/problem+json`，`detail` 为中文；校验错误（422）另有 `errors` 列表，\
            `field` 为字段的中文名称。\n\
            * 公民身份号码和联系电话默认脱敏；`unmask=true` 须有“查看个人敏感信息”权限，每次读取记入审计（不含号码本身）。\n\
            * 枚举值输出为代码（如 `branch`），输入可写代码或中文名称（如 `党支部`）。日期为 `YYYY-MM-DD`。"
    ),
    paths(openapi),
    components(
        schemas(Problem, ValidationProblem, ApiFieldError),
        responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid)
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "orgs", description = "党组织：浏览、搜索、新建、修改、结构检查"),
        (name = "members", description = "党员名册（默认脱敏）"),
        (name = "stats", description = "统计"),
        (name = "exchange", description = "导入导出（CSV、.xlsx）"),
        (name = "life", description = "组织生活：会议记录（三会一课等）与审核、类型与频次规则、检查结果、达标情况"),
        (name = "campaigns", description = "创建活动：活动、创建标准与指标来源、调度、任务、创新清单与创新项目；跟岗学习推荐；党建规划"),
        (name = "surveys", description = "测评：党员、群众满意度等测评，各参评组织的满意率与覆盖面"),
        (name = "grading", description = "分类定级：定级工作、各组织的评分表与等次、晋位升级；软弱涣散党组织排查、认定、整顿、验收销号与跟踪问效"),
        (name = "meta", description = "接口文档"),
    )
)]
pub struct ApiDoc;

/// The whole document: the core's, then each capability's operations in the order of the tags.
fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(web_org::Doc::openapi());
    doc.merge(web_member::Doc::openapi());
    doc.merge(web_exchange::Doc::openapi());
    doc.merge(web_life::Doc::openapi());
    doc.merge(web_campaign::Doc::openapi());
    doc.merge(web_survey::Doc::openapi());
    doc.merge(web_grading::Doc::openapi());
    doc
}

/// The document as pretty JSON (stable: the same code gives the same text).
pub fn openapi_json() -> String {
    document().to_pretty_json().unwrap_or_default()
}

/// 接口文档 / The OpenAPI document
///
/// This document, generated from the code. No token needed.
#[utoipa::path(
    get, path = "/api/v1/openapi.json", operation_id = "openapi", tag = "meta",
    security(()),
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json"))
)]
pub async fn openapi() -> Response {
    static DOC: OnceLock<String> = OnceLock::new();
    let text = DOC.get_or_init(openapi_json).clone();
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], text).into_response()
}
