//! The audit trail: every write is recorded, in the same transaction as the change, with time
//! (RFC 3339 with offset), actor, role, scope, source IP, action, target, result and the changed
//! fields before and after (personal data redacted).
//!
//! Records are chained: each record's hash covers its fields and the previous record's hash. From
//! the switch-over point stored in `audit_key` on, the hash is HMAC-SHA-256 under a key kept
//! outside the database ([`Key`]); records written before this database had a key keep their
//! plain SHA-256 hashes. Signed checkpoints in a file outside the database ([`checkpoint`]) remember
//! how far the chain reached. [`verify`] names every problem it finds: missing, altered or
//! inserted records, a head that disagrees, a checkpoint the chain no longer reaches, a forged
//! checkpoint, a switch-over point that moved.

mod checkpoint;
mod key;
mod verify;

use std::path::PathBuf;

use chrono::{FixedOffset, Utc};
use serde::Serialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::args;
use crate::db::{Store, Tx};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;

pub use checkpoint::Checkpoint;
pub use key::{Key, KeySource};
pub use verify::{verify, Finding, Verification};

/// The hash the chain starts from.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Fields never written to the trail with their values (查询留痕 without the value).
pub const PERSONAL_FIELDS: &[&str] = &["id_number", "phone", "contact_phone"];

/// What a store needs to append to the chain: the key, and the file its checkpoints go to.
#[derive(Debug, Clone)]
pub struct Setup {
    pub key: Key,
    pub checkpoints: PathBuf,
}

/// One audit record.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Record {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub scope: String,
    pub source_ip: Option<String>,
    pub action: String,
    pub target: String,
    pub result: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl Record {
    fn parts(&self) -> [&str; 11] {
        [
            "",
            &self.at,
            &self.actor,
            &self.role,
            &self.scope,
            self.source_ip.as_deref().unwrap_or(""),
            &self.action,
            &self.target,
            &self.result,
            &self.detail,
            &self.prev_hash,
        ]
    }

    /// The hash of records written before the database had a key: SHA-256 over the fields, each
    /// preceded by its length.
    pub fn plain_hash(&self) -> String {
        let seq = self.seq.to_string();
        let mut parts = self.parts();
        parts[0] = &seq;
        let mut h = Sha256::new();
        for part in parts {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        key::hex(&h.finalize())
    }

    /// The hash of records from the switch-over on: HMAC-SHA-256 under the key, over the same
    /// length-prefixed fields.
    pub fn keyed_hash(&self, key: &Key) -> String {
        let seq = self.seq.to_string();
        let mut parts = self.parts();
        parts[0] = &seq;
        key.mac_hex(&parts)
    }

    fn keyed_hash_holds(&self, key: &Key) -> bool {
        let seq = self.seq.to_string();
        let mut parts = self.parts();
        parts[0] = &seq;
        key.check(&parts, &self.hash)
    }
}

/// Replace personal values in a JSON detail by a marker, keeping the fact that they changed.
pub fn redact(mut v: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for (k, val) in m.iter_mut() {
                    if PERSONAL_FIELDS.contains(&k.as_str()) && !val.is_null() {
                        *val = Value::String("［已脱敏］".into());
                    } else {
                        walk(val);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    v
}

/// The fields that differ between two JSON objects, as `{field: {"before": …, "after": …}}`.
pub fn diff(before: &Value, after: &Value) -> Value {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return json!({ "before": before, "after": after });
    };
    let mut out = Map::new();
    // the record's version is bookkeeping that every change advances, not a change of its own
    for (k, av) in a.iter().filter(|(k, _)| k.as_str() != "version") {
        let bv = b.get(k).unwrap_or(&Value::Null);
        if bv != av {
            out.insert(k.clone(), json!({ "before": bv, "after": av }));
        }
    }
    for (k, bv) in b {
        if !a.contains_key(k) {
            out.insert(k.clone(), json!({ "before": bv, "after": Value::Null }));
        }
    }
    Value::Object(out)
}

fn now_text() -> String {
    let cst = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    Utc::now().with_timezone(&cst).to_rfc3339_opts(chrono::SecondsFormat::Micros, false)
}

fn no_key() -> StoreError {
    StoreError::Refused(
        "未配置审计密钥，不能写入审计记录：请用 --audit-key-file、DANGJIAN_AUDIT_KEY_FILE 或 DANGJIAN_AUDIT_KEY 配置"
            .into(),
    )
}

fn head_missing() -> StoreError {
    StoreError::Refused(
        "审计链头（audit_head）缺失，审计记录无法续写：请审计管理员运行 dangjian audit verify 查明原因".into(),
    )
}

/// The chain's head, locked until the transaction ends, so appends get consecutive numbers. On
/// PostgreSQL through `audit_head_for_append()`, which runs with the owner's rights: the
/// application's role may not lock or update the head itself.
async fn lock_head(tx: &mut Tx) -> StoreResult<(i64, String)> {
    let sql = match tx.backend() {
        crate::Backend::Postgres => "SELECT seq, hash FROM audit_head_for_append()",
        crate::Backend::Sqlite => "SELECT seq, hash FROM audit_head WHERE id = 1",
    };
    tx.x().fetch_optional(sql, &[]).await?.ok_or_else(head_missing)
}

/// Append a record inside the caller's transaction (so the record and the change commit or roll
/// back together). Appends are serialised by the head row's lock; the database moves the head
/// when the record is inserted (a trigger that also refuses a record that does not follow it).
pub async fn record(
    tx: &mut Tx,
    scope: &Scope,
    action: &str,
    target: &str,
    result: &str,
    detail: Value,
) -> StoreResult<i64> {
    let setup = tx.audit().ok_or_else(no_key)?;
    let (seq, prev) = lock_head(tx).await?;
    let actor = scope.actor();
    let mut r = Record {
        seq: seq + 1,
        at: now_text(),
        actor: actor.name.clone(),
        role: actor.role.clone(),
        scope: scope.describe(),
        source_ip: actor.source_ip.clone(),
        action: action.to_string(),
        target: target.to_string(),
        result: result.to_string(),
        detail: redact(detail).to_string(),
        prev_hash: prev,
        hash: String::new(),
    };
    r.hash = r.keyed_hash(&setup.key);
    let Record { seq, at, actor, role, scope, source_ip, action, target, result, detail, prev_hash, hash } = r;
    tx.x()
        .execute(
            "INSERT INTO audit_log (seq, at, actor, role, scope, source_ip, action, target, result, detail, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &args![seq, at, actor, role, scope, source_ip, action, target, result, detail, prev_hash, hash],
        )
        .await?;
    Ok(seq)
}

/// What [`attach`] found or did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adoption {
    pub key_id: String,
    /// The first record hashed with the key.
    pub from_seq: i64,
    /// The key was adopted now (this database had no key before).
    pub newly: bool,
}

/// The switch-over points stored in `audit_key`: (first keyed number, key identifier, tag).
pub(crate) type Marker = (i64, String, String);

fn marker_tag(key: &Key, from_seq: i64, key_id: &str) -> String {
    key.mac_hex(&["dangjian-audit-key-from", &from_seq.to_string(), key_id])
}

pub(crate) fn marker_holds(key: &Key, m: &Marker) -> bool {
    key.check(&["dangjian-audit-key-from", &m.0.to_string(), &m.1], &m.2)
}

fn other_key(m: &Marker, key: &Key) -> StoreError {
    StoreError::Refused(format!(
        "审计密钥与数据库不符：数据库自第 {} 条审计记录起使用标识为 {} 的密钥，当前密钥的标识为 {}。\
         请使用原来的密钥文件（或 DANGJIAN_AUDIT_KEY），否则审计记录无法校验",
        m.0,
        m.1,
        key.id()
    ))
}

/// Give the store its audit key and checkpoint file, checking the key against the database.
///
/// A database that has no key yet adopts this one: records from the next number on are keyed
/// (the switch-over point and the key's identifier go to `audit_key`, tagged with the key), and a
/// first checkpoint of the chain as it stood is written. A database keyed with another key is
/// refused: appending under a second key would break the chain for good.
pub async fn attach(store: Store, setup: Setup) -> StoreResult<(Store, Adoption)> {
    let store = store.with_audit(setup);
    let setup = store.audit_setup().cloned().expect("just attached");
    let key = &setup.key;
    let known: Option<Marker> = store
        .read()
        .fetch_optional("SELECT from_seq, key_id, tag FROM audit_key ORDER BY from_seq DESC LIMIT 1", &[])
        .await?;
    if let Some(m) = known {
        if m.1 != key.id() {
            return Err(other_key(&m, key));
        }
        return Ok((store, Adoption { key_id: m.1, from_seq: m.0, newly: false }));
    }
    let mut tx = store.begin().await?;
    let (seq, hash) = lock_head(&mut tx).await?;
    let raced: Option<Marker> = tx
        .x()
        .fetch_optional("SELECT from_seq, key_id, tag FROM audit_key ORDER BY from_seq DESC LIMIT 1", &[])
        .await?;
    if let Some(m) = raced {
        tx.rollback().await?;
        if m.1 != key.id() {
            return Err(other_key(&m, key));
        }
        return Ok((store, Adoption { key_id: m.1, from_seq: m.0, newly: false }));
    }
    let from = seq + 1;
    let id = key.id();
    let at = now_text();
    let inserted = tx
        .x()
        .execute(
            "INSERT INTO audit_key (from_seq, key_id, adopted_at, tag) VALUES ($1, $2, $3, $4)",
            &args![from, id.clone(), at.clone(), marker_tag(key, from, &id)],
        )
        .await;
    if let Err(StoreError::Db(sqlx::Error::Database(d))) = &inserted {
        if d.code().as_deref() == Some("42501") {
            return Err(StoreError::Refused(
                "数据库还没有启用审计密钥，当前数据库账号无权启用：请先用数据库所有者账号、以同一密钥运行 dangjian migrate"
                    .into(),
            ));
        }
    }
    inserted?;
    tx.commit().await?;
    let first = Checkpoint::signed(key, seq, &hash, at, from);
    checkpoint::append(&setup.checkpoints, &first).map_err(|e| checkpoint_unwritable(&setup, e))?;
    Ok((store, Adoption { key_id: id, from_seq: from, newly: true }))
}

fn checkpoint_unwritable(setup: &Setup, e: std::io::Error) -> StoreError {
    StoreError::Refused(format!("无法写入审计检查点文件 {}：{e}", setup.checkpoints.display()))
}

/// Verify the chain and, when it holds, sign its last record into the checkpoint file. A chain
/// that does not verify is not signed (a checkpoint would vouch for the damage): the findings
/// come back instead.
pub async fn checkpoint(store: &Store) -> StoreResult<Result<Checkpoint, Verification>> {
    let setup = store.audit_setup().cloned().ok_or_else(no_key)?;
    let v = verify(store).await?;
    if !v.ok() {
        return Ok(Err(v));
    }
    let Some(from) = v.keyed_from else {
        return Err(StoreError::Refused("数据库还没有启用审计密钥：请先运行 dangjian migrate".into()));
    };
    let c = Checkpoint::signed(&setup.key, v.last_seq, &v.last_hash, now_text(), from);
    checkpoint::append(&setup.checkpoints, &c).map_err(|e| checkpoint_unwritable(&setup, e))?;
    Ok(Ok(c))
}

/// Record an outcome in its own transaction (refusals, reads of personal data).
pub async fn record_now(
    store: &Store,
    scope: &Scope,
    action: &str,
    target: &str,
    result: &str,
    detail: Value,
) -> StoreResult<i64> {
    let mut tx = store.begin().await?;
    let seq = record(&mut tx, scope, action, target, result, detail).await?;
    tx.commit().await?;
    Ok(seq)
}

/// The chain's key and checkpoints as a status page shows them (nothing is verified here).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyStatus {
    /// The key's identifier and the first keyed record, when the database has a key.
    pub keyed: Option<(String, i64)>,
    /// The identifier of the key this store holds.
    pub store_key_id: Option<String>,
    /// The checkpoint file, and its last line when it reads as a checkpoint.
    pub checkpoint_file: Option<String>,
    pub last_checkpoint: Option<Checkpoint>,
}

pub async fn key_status(store: &Store) -> StoreResult<KeyStatus> {
    let keyed: Option<(i64, String)> = store
        .read()
        .fetch_optional("SELECT from_seq, key_id FROM audit_key ORDER BY from_seq DESC LIMIT 1", &[])
        .await?;
    let setup = store.audit_setup();
    let last_checkpoint = setup
        .and_then(|s| checkpoint::read(&s.checkpoints).ok().flatten())
        .and_then(|lines| lines.into_iter().rev().find_map(|(_, c)| c.ok()));
    Ok(KeyStatus {
        keyed: keyed.map(|(from, id)| (id, from)),
        store_key_id: setup.map(|s| s.key.id()),
        checkpoint_file: setup.map(|s| s.checkpoints.display().to_string()),
        last_checkpoint,
    })
}

/// The newest records, newest first (for the CLI and, later, the audit viewer).
pub async fn recent(store: &Store, limit: i64) -> StoreResult<Vec<Record>> {
    store
        .read()
        .fetch_all(
            "SELECT seq, at, actor, role, scope, source_ip, action, target, result, detail, prev_hash, hash \
             FROM audit_log ORDER BY seq DESC LIMIT $1",
            &args![limit],
        )
        .await
}

/// What to show of the trail: every condition is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Records at or after this China time (UTC+8).
    pub from: Option<chrono::NaiveDateTime>,
    /// Records before this China time (exclusive).
    pub before: Option<chrono::NaiveDateTime>,
    /// Exactly this actor (username, as recorded).
    pub actor: Option<String>,
    /// Actions starting with this (`account.` for every account action).
    pub action_prefix: Option<String>,
    /// Exactly this target (`account:12`).
    pub target: Option<String>,
    /// Exactly this result (`ok`, `invalid`, …).
    pub result: Option<String>,
}

impl Filter {
    /// The WHERE clause and its arguments. Times compare as text: every record's `at` is written
    /// by [`record`] as RFC 3339 in UTC+8 with a fixed layout, so text order is time order.
    fn clause(&self) -> (String, Vec<crate::Val>) {
        let mut w = String::from("1 = 1");
        let mut a: Vec<crate::Val> = Vec::new();
        let fmt = |t: &chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
        if let Some(t) = &self.from {
            a.push(fmt(t).into());
            w.push_str(&format!(" AND at >= ${}", a.len()));
        }
        if let Some(t) = &self.before {
            a.push(fmt(t).into());
            w.push_str(&format!(" AND at < ${}", a.len()));
        }
        let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        if let Some(v) = text(&self.actor) {
            a.push(v.into());
            w.push_str(&format!(" AND actor = ${}", a.len()));
        }
        if let Some(v) = text(&self.action_prefix) {
            let esc = v.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            a.push(format!("{esc}%").into());
            w.push_str(&format!(" AND action LIKE ${} ESCAPE '\\'", a.len()));
        }
        if let Some(v) = text(&self.target) {
            a.push(v.into());
            w.push_str(&format!(" AND target = ${}", a.len()));
        }
        if let Some(v) = text(&self.result) {
            a.push(v.into());
            w.push_str(&format!(" AND result = ${}", a.len()));
        }
        (w, a)
    }
}

const RECORD_COLS: &str = "seq, at, actor, role, scope, source_ip, action, target, result, detail, prev_hash, hash";

/// The records matching `f`, newest first, one page at a time.
pub async fn search(store: &Store, f: &Filter, page: i64, per_page: i64) -> StoreResult<crate::member::Page<Record>> {
    let per_page = per_page.clamp(1, 1000);
    let page = page.max(1);
    let (w, mut a) = f.clause();
    let total = store.read().scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE {w}"), &a).await?;
    let n = a.len();
    a.push(per_page.into());
    a.push(((page - 1) * per_page).into());
    let items = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {RECORD_COLS} FROM audit_log WHERE {w} ORDER BY seq DESC LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            ),
            &a,
        )
        .await?;
    Ok(crate::member::Page { items, total, page, per_page })
}

/// Up to `limit` records matching `f` with numbers below `below` (all when `None`), newest first:
/// for exports, read batch after batch.
pub async fn batch(store: &Store, f: &Filter, below: Option<i64>, limit: i64) -> StoreResult<Vec<Record>> {
    let (mut w, mut a) = f.clause();
    if let Some(b) = below {
        a.push(b.into());
        w.push_str(&format!(" AND seq < ${}", a.len()));
    }
    a.push(limit.clamp(1, 10_000).into());
    store
        .read()
        .fetch_all(&format!("SELECT {RECORD_COLS} FROM audit_log WHERE {w} ORDER BY seq DESC LIMIT ${}", a.len()), &a)
        .await
}

/// The chain's head: how many records, and when the last one was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Head {
    pub records: i64,
    pub last_at: Option<String>,
}

pub async fn head(store: &Store) -> StoreResult<Head> {
    // a missing head row is a verification finding; here the last record stands in for it
    let seq = match store.read().fetch_optional::<(i64,)>("SELECT seq FROM audit_head WHERE id = 1", &[]).await? {
        Some((seq,)) => seq,
        None => store.read().scalar("SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM audit_log", &[]).await?,
    };
    let last: Option<(String,)> =
        store.read().fetch_optional("SELECT at FROM audit_log WHERE seq = $1", &args![seq]).await?;
    Ok(Head { records: seq, last_at: last.map(|(a,)| a) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_personal_values_and_diffs() {
        let d = diff(
            &json!({"name": "张三", "phone": "13800138000", "x": 1}),
            &json!({"name": "张三", "phone": "13900139000", "x": 2}),
        );
        let r = redact(d);
        assert_eq!(r["x"], json!({"before": 1, "after": 2}));
        assert_eq!(r["phone"], json!("［已脱敏］"));
        assert!(!r.to_string().contains("138001"));
        assert!(r.get("name").is_none());
    }
}
