//! The building blocks of the OpenAPI 3.1 document of `/api/v1`: the bearer scheme, the error
//! responses every operation shares, and enumerations from the domain's own lists. Each
//! capability crate describes its operations; the `web` crate puts the document together.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Object, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, ToResponse};

/// The bearer scheme every operation (but the document itself) requires.
pub struct BearerAuth;

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
#[macro_export]
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
