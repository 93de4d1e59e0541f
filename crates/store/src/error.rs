//! Store errors. Messages are Chinese sentences a user can act on; database detail stays in logs.

use domain::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Not found, or outside the caller's scope (the two are indistinguishable on purpose).
    #[error("{0}不存在或不在您的管理范围内")]
    NotFound(&'static str),
    #[error("{0}")]
    Invalid(FieldErrors),
    /// A state that refuses the operation, with what to do about it.
    #[error("{0}")]
    Refused(String),
    /// The edit was made on an older version of the record than the stored one: somebody else
    /// changed it meanwhile. Nothing was written.
    #[error("该{0}已被他人修改，您的修改没有保存。请核对最新内容后再保存。")]
    Stale(&'static str),
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<FieldErrors> for StoreError {
    fn from(e: FieldErrors) -> Self {
        StoreError::Invalid(e)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// Is this a unique-constraint violation from either backend?
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}
