//! How a failed request is answered: one mapping from a use case's [`ServiceError`] to what the
//! page or the API shows.
//!
//! * Missing and outside the caller's scope are the same 404 ("not found" and "not yours" cannot
//!   be told apart).
//! * A role without the permission is 403 with the permission's name; a permission held, but not
//!   for this record, 403 with who may.
//! * Invalid input is 422 naming each field in Chinese; a state that refuses the operation 409
//!   with what to do.
//! * Anything else is a calm 500 that reveals nothing of the system.

use axum::http::StatusCode;
use axum::response::Response;
use service::ServiceError;

use crate::caller::Surface;
use crate::{error_page, problem};

/// The answer to a failed use case on `surface`.
pub fn answer(surface: Surface, e: ServiceError) -> Response {
    let (status, title, msg) = match &e {
        ServiceError::Forbidden(_) => (StatusCode::FORBIDDEN, "无权访问", e.to_string()),
        ServiceError::Denied(_) => (StatusCode::FORBIDDEN, "无权办理", e.to_string()),
        ServiceError::NotFound(_) => {
            (StatusCode::NOT_FOUND, "页面不存在", "您要找的记录不存在，或不在您的管理范围内。".to_string())
        }
        ServiceError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "填写有误", e.to_string()),
        ServiceError::Refused(_) => (StatusCode::CONFLICT, "无法完成", e.to_string()),
        ServiceError::Internal(_) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "系统繁忙", "读取数据时出错，请稍后再试。".to_string())
        }
    };
    match surface {
        Surface::Page => error_page(status, title, &msg),
        Surface::Api => problem(status, title, &msg),
    }
}
