//! What a use case answers when it does not succeed. Each variant says what the surface shows:
//! pages and the API map them to 403, 404, 422, 409 and 500 in one place (`web-core`), the
//! command line to a message and an exit code.

use domain::access::Perm;
use domain::FieldErrors;
use store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The caller's role lacks the permission anywhere (403).
    #[error("您的角色没有“{}”权限。如需办理，请联系安全管理员授权。", .0.label())]
    Forbidden(Perm),
    /// The caller holds the permission, but not for this record; the message says who may (403).
    #[error("{0}")]
    Denied(String),
    /// Missing, or outside the caller's scope: the same answer on purpose (404).
    #[error("{0}不存在或不在您的管理范围内")]
    NotFound(&'static str),
    /// The input has problems, each naming its field in Chinese (422).
    #[error("{0}")]
    Invalid(FieldErrors),
    /// The record's present state refuses the operation; the message says why (409).
    #[error("{0}")]
    Refused(String),
    /// The edit was made on an older version than the stored one (409): the surface shows the
    /// stored record beside what the user typed.
    #[error("该{0}已被他人修改，您的修改没有保存。请核对最新内容后再保存。")]
    Stale(&'static str),
    /// Anything else: the database or the system failed. Logged once where the request ends,
    /// shown to the user as a calm message with the request's id (500).
    #[error(transparent)]
    Internal(StoreError),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ServiceError::NotFound(what),
            StoreError::Invalid(errs) => ServiceError::Invalid(errs),
            StoreError::Refused(msg) => ServiceError::Refused(msg),
            StoreError::Stale(what) => ServiceError::Stale(what),
            other => ServiceError::Internal(other),
        }
    }
}

impl From<FieldErrors> for ServiceError {
    fn from(e: FieldErrors) -> Self {
        ServiceError::Invalid(e)
    }
}
