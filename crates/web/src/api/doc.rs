//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers' `#[utoipa::path]`
//! attributes and the DTOs' `ToSchema` derives, served without authentication.

use std::sync::OnceLock;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Object, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToResponse};

use super::{exchange, life, members, orgs, ApiFieldError, Problem, ValidationProblem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "dangjian 基层党建 API",
        version = "1",
        description = "组织、党员、导入导出、统计与组织生活的 JSON 接口。\n\n\
            * 认证：`Authorization: Bearer dj_…`（在网页“账号安全”中创建 API 令牌）。令牌以所属账号的身份、\
            管理范围和权限行事；不使用会话 Cookie，因此无需 CSRF 令牌。\n\
            * 管理范围之外的记录与不存在的记录一样答 404；角色没有相应权限答 403。\n\
            * 错误为 RFC 9457 `application/problem+json`，`detail` 为中文；校验错误（422）另有 `errors` 列表，\
            `field` 为字段的中文名称。\n\
            * 公民身份号码和联系电话默认脱敏；`unmask=true` 须有“查看个人敏感信息”权限，每次读取记入审计（不含号码本身）。\n\
            * 枚举值输出为代码（如 `branch`），输入可写代码或中文名称（如 `党支部`）。日期为 `YYYY-MM-DD`。"
    ),
    paths(
        openapi,
        orgs::list,
        orgs::show,
        orgs::create,
        orgs::update,
        orgs::findings,
        orgs::stats,
        members::list,
        members::show,
        members::create,
        members::update,
        exchange::import,
        exchange::export,
        life::list,
        life::show,
        life::create,
        life::update,
        life::submit,
        life::review,
        life::roster,
        life::types,
        life::rules,
        life::findings,
        life::compliance,
    ),
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
        (name = "meta", description = "接口文档"),
    )
)]
pub struct ApiDoc;

/// The bearer scheme every operation (but the document itself) requires.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("dj_…（44 个字符）")
                    .description(Some("API 令牌，在网页“账号安全”中创建，只显示一次；可随时撤销。"))
                    .build(),
            ),
        );
    }
}

/// The document as pretty JSON (stable: the same code gives the same text).
pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
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

// ---------------------------------------------------------------------------------------------
// Reusable error responses

fn problem_response(description: &str, schema: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new().schema(Some(RefOr::Ref(Ref::from_schema_name(schema)))).build(),
        )
        .build()
}

macro_rules! problem_responses {
    ($($name:ident = $desc:literal, $schema:literal;)+) => {$(
        pub struct $name;
        impl<'a> ToResponse<'a> for $name {
            fn response() -> (&'a str, RefOr<utoipa::openapi::Response>) {
                (stringify!($name), problem_response($desc, $schema).into())
            }
        }
    )+};
}

problem_responses! {
    Forbidden = "The caller's role lacks the permission (or its password must be changed first)", "Problem";
    NotFound = "No such record, or outside the caller's scope (the same answer)", "Problem";
    Conflict = "The operation is refused in the record's present state (the detail says why)", "Problem";
    Invalid = "The request has problems; each is listed with its field", "ValidationProblem";
}

pub struct Unauthorized;

impl<'a> ToResponse<'a> for Unauthorized {
    fn response() -> (&'a str, RefOr<utoipa::openapi::Response>) {
        let mut r = problem_response("No token, or an invalid or revoked one", "Problem");
        r.headers.insert(
            "WWW-Authenticate".into(),
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::String))
                .description(Some("`Bearer realm=\"dangjian\"`"))
                .build(),
        );
        ("Unauthorized", r.into())
    }
}

// ---------------------------------------------------------------------------------------------
// Enumerations: the codes a field takes, from the domain's own lists

/// A string schema whose values are `codes`, with their Chinese labels in the description.
pub fn enum_object<'a>(values: impl Iterator<Item = (&'a str, &'a str)>, what: &str, nullable: bool) -> Object {
    let values: Vec<(&str, &str)> = values.collect();
    let listed = values.iter().map(|(c, l)| format!("`{c}` {l}")).collect::<Vec<_>>().join("，");
    let ty = if nullable { SchemaType::from_iter([Type::String, Type::Null]) } else { SchemaType::new(Type::String) };
    let mut codes: Vec<serde_json::Value> = values.iter().map(|(c, _)| (*c).into()).collect();
    if nullable {
        codes.push(serde_json::Value::Null);
    }
    ObjectBuilder::new()
        .schema_type(ty)
        .description(Some(format!("{what}：{listed}。")))
        .enum_values(Some(codes))
        .build()
}

/// Two schema functions for a labelled enum of the domain: the plain one and the nullable one.
macro_rules! enum_schemas {
    ($plain:ident, $opt:ident, $ty:ty, $what:literal) => {
        #[allow(dead_code)]
        fn $plain() -> utoipa::openapi::Object {
            $crate::api::doc::enum_object(<$ty>::ALL.iter().map(|v| (v.code(), v.label())), $what, false)
        }
        #[allow(dead_code)]
        fn $opt() -> utoipa::openapi::Object {
            $crate::api::doc::enum_object(<$ty>::ALL.iter().map(|v| (v.code(), v.label())), $what, true)
        }
    };
}
pub(crate) use enum_schemas;
