//! Attachments of organization-life records (sign-in sheets, photos, minutes as files): added and
//! removed while the record may still change, by those who enter records; read by those who read
//! them.

use domain::access::Perm;
use store::life::AttachmentMeta;
use store::Store;

use crate::{Ctx, ServiceResult};

/// Attach a file to the record `record_id`; its type is checked from its content.
pub async fn add(store: &Store, ctx: &Ctx, record_id: i64, name: &str, bytes: &[u8]) -> ServiceResult<i64> {
    let scope = ctx.require(Perm::RecordLife)?;
    Ok(store::life::add_attachment(store, &scope, record_id, name, bytes).await?)
}

/// The attachment `id` and its content, with the record it belongs to.
pub async fn read(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<(i64, AttachmentMeta, Vec<u8>)> {
    let scope = ctx.require(Perm::ReadLife)?;
    let record_id = store::life::attachment_record(store, &scope, id).await?;
    let (meta, bytes) = store::life::attachment(store, &scope, record_id, id).await?;
    Ok((record_id, meta, bytes))
}

/// The record an attachment belongs to, for one who enters records there.
pub async fn record_of(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<i64> {
    let scope = ctx.require(Perm::RecordLife)?;
    Ok(store::life::attachment_record(store, &scope, id).await?)
}

/// Remove the attachment `id` of the record `record_id`.
pub async fn delete(store: &Store, ctx: &Ctx, record_id: i64, id: i64) -> ServiceResult<()> {
    let scope = ctx.require(Perm::RecordLife)?;
    Ok(store::life::delete_attachment(store, &scope, record_id, id).await?)
}
