//! Attachments.

use crate::db::{lite, now, Exec, Store};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::{args, Val};
use domain::FieldErrors;
use serde_json::json;

use super::*;

/// Largest attachment accepted.
pub const MAX_ATTACHMENT: usize = 10 * 1024 * 1024;

/// The kind of an attachment from its first bytes (the name's extension must agree): photos
/// (JPEG, PNG) and documents (PDF, Word/Excel/PowerPoint .docx/.xlsx/.pptx, OFD is not sniffed).
pub fn sniff(name: &str, bytes: &[u8]) -> Result<&'static str, String> {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let by_magic = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", &["jpg", "jpeg"][..]))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", &["png"][..]))
    } else if bytes.starts_with(b"%PDF-") {
        Some(("application/pdf", &["pdf"][..]))
    } else if bytes.starts_with(b"PK\x03\x04") {
        match ext.as_str() {
            "docx" => Some(("application/vnd.openxmlformats-officedocument.wordprocessingml.document", &["docx"][..])),
            "xlsx" => Some(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &["xlsx"][..])),
            "pptx" => {
                Some(("application/vnd.openxmlformats-officedocument.presentationml.presentation", &["pptx"][..]))
            }
            _ => None,
        }
    } else {
        None
    };
    match by_magic {
        Some((mime, exts)) if exts.contains(&ext.as_str()) => Ok(mime),
        Some(_) => Err(format!("文件内容与扩展名 .{ext} 不符")),
        None => Err("只接受照片（JPG、PNG）和文档（PDF、DOCX、XLSX、PPTX）".into()),
    }
}

pub(crate) fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let s: String =
        base.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | ':' | '*' | '?')).collect();
    let s = s.trim().to_string();
    if s.chars().count() > 120 {
        s.chars().rev().take(120).collect::<Vec<_>>().into_iter().rev().collect()
    } else {
        s
    }
}

/// Attach a file to a record that may still be edited. Type and size are checked; audited with
/// the name, size and digest.
pub async fn add_attachment(
    store: &Store,
    scope: &Scope,
    record_id: i64,
    name: &str,
    bytes: &[u8],
) -> StoreResult<i64> {
    let r = get(store, scope, record_id).await?;
    if !r.record.state().editable() {
        return Err(StoreError::Refused(format!("记录{}，不能再添加附件", r.record.state().label())));
    }
    let mut e = FieldErrors::default();
    let name = clean_name(name);
    if name.is_empty() {
        e.push("附件", "请选择文件");
        return Err(e.into());
    }
    if bytes.is_empty() {
        e.push("附件", format!("“{name}”是空文件"));
    } else if bytes.len() > MAX_ATTACHMENT {
        e.push("附件", format!("“{name}”有 {:.1} MB，超过 10 MB 的上限", bytes.len() as f64 / 1048576.0));
    }
    let mime = match sniff(&name, bytes) {
        Ok(m) => m,
        Err(m) => {
            e.push("附件", format!("“{name}”：{m}"));
            ""
        }
    };
    if r.attachments.len() >= 30 {
        e.push("附件", "每条记录最多 30 个附件");
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let digest = sha256_hex(bytes);
    let t = now();
    let sql = "INSERT INTO life_attachment (record_id, name, mime, size, sha256, content, created_by, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            sql,
            &[
                Val::from(record_id),
                Val::from(name.clone()),
                Val::from(mime),
                Val::from(bytes.len() as i64),
                Val::from(digest.clone()),
                Val::Bytes(Some(bytes.to_vec())),
                Val::from(scope.actor().name.clone()),
                Val::from(t),
            ],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "life.attach",
        &format!("life_record:{record_id}"),
        "ok",
        json!({ "attachment": id, "name": name, "size": bytes.len(), "sha256": digest }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) async fn attachments_of(store: &Store, record_id: i64) -> StoreResult<Vec<AttachmentMeta>> {
    store
        .read()
        .fetch_all(
            "SELECT id, record_id, name, mime, size, sha256, created_by, created_at FROM life_attachment WHERE record_id = $1 ORDER BY id",
            &args![record_id],
        )
        .await
}

/// One attachment of a record in scope, with its bytes.
pub async fn attachment(
    store: &Store,
    scope: &Scope,
    record_id: i64,
    id: i64,
) -> StoreResult<(AttachmentMeta, Vec<u8>)> {
    let r = get(store, scope, record_id).await?;
    let meta = r.attachments.into_iter().find(|a| a.id == id).ok_or(StoreError::NotFound("附件"))?;
    let (bytes,): (Vec<u8>,) = match store.read() {
        Exec::SqlitePool(p) => {
            sqlx::query_as(&lite("SELECT content FROM life_attachment WHERE id = $1")).bind(id).fetch_one(p).await?
        }
        Exec::PgPool(p) => {
            sqlx::query_as("SELECT content FROM life_attachment WHERE id = $1").bind(id).fetch_one(p).await?
        }
        _ => return Err(StoreError::Refused("内部错误：读取连接不可用".into())),
    };
    Ok((meta, bytes))
}

/// Remove an attachment of a record that may still be edited. Audited.
pub async fn delete_attachment(store: &Store, scope: &Scope, record_id: i64, id: i64) -> StoreResult<()> {
    let r = get(store, scope, record_id).await?;
    if !r.record.state().editable() {
        return Err(StoreError::Refused(format!("记录{}，不能删除附件", r.record.state().label())));
    }
    let meta = r.attachments.into_iter().find(|a| a.id == id).ok_or(StoreError::NotFound("附件"))?;
    let mut tx = store.begin().await?;
    tx.x().execute("DELETE FROM life_attachment WHERE id = $1", &args![id]).await?;
    crate::audit::record(
        &mut tx,
        scope,
        "life.detach",
        &format!("life_record:{record_id}"),
        "ok",
        json!({ "attachment": id, "name": meta.name, "sha256": meta.sha256 }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
