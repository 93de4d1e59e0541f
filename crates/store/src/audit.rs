//! The audit trail: every write is recorded, in the same transaction as the change, with time
//! (RFC 3339 with offset), actor, role, scope, source IP, action, target, result and the changed
//! fields before and after (personal data redacted). Records are hash-chained: each record's hash
//! covers its fields and the previous record's hash, so [`verify`] finds an edited, deleted,
//! inserted or truncated record.

use chrono::{FixedOffset, Utc};
use serde::Serialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::args;
use crate::db::{Store, Tx};
use crate::error::StoreResult;
use crate::scope::Scope;

/// The hash the chain starts from.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Fields never written to the trail with their values (查询留痕 without the value).
pub const PERSONAL_FIELDS: &[&str] = &["id_number", "phone", "contact_phone"];

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
    fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        for part in [
            self.seq.to_string().as_str(),
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
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
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

/// Append a record inside the caller's transaction (so the record and the change commit or roll
/// back together). Appends are serialised by the head row's lock.
pub async fn record(
    tx: &mut Tx,
    scope: &Scope,
    action: &str,
    target: &str,
    result: &str,
    detail: Value,
) -> StoreResult<i64> {
    let lock = match tx.backend() {
        crate::Backend::Postgres => " FOR UPDATE",
        crate::Backend::Sqlite => "",
    };
    let (seq, prev): (i64, String) =
        tx.x().fetch_one(&format!("SELECT seq, hash FROM audit_head WHERE id = 1{lock}"), &[]).await?;
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
    r.hash = r.compute_hash();
    tx.x()
        .execute(
            "INSERT INTO audit_log (seq, at, actor, role, scope, source_ip, action, target, result, detail, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &args![
                r.seq,
                r.at.clone(),
                r.actor.clone(),
                r.role.clone(),
                r.scope.clone(),
                r.source_ip.clone(),
                r.action.clone(),
                r.target.clone(),
                r.result.clone(),
                r.detail.clone(),
                r.prev_hash.clone(),
                r.hash.clone()
            ],
        )
        .await?;
    tx.x().execute("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", &args![r.seq, r.hash.clone()]).await?;
    Ok(r.seq)
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

/// What [`verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Verification {
    pub records: i64,
    /// Human-readable problems, in chain order; empty when the chain is intact.
    pub problems: Vec<String>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Walk the whole chain: consecutive numbers from 1, each record's hash recomputed from its
/// fields, each link to the previous hash, and the head matching the last record.
pub async fn verify(store: &Store) -> StoreResult<Verification> {
    let mut v = Verification::default();
    let mut prev_hash = GENESIS.to_string();
    let mut expect = 1i64;
    let mut after = 0i64;
    loop {
        let rows: Vec<Record> = store
            .read()
            .fetch_all(
                "SELECT seq, at, actor, role, scope, source_ip, action, target, result, detail, prev_hash, hash \
                 FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000",
                &args![after],
            )
            .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            if r.seq != expect {
                v.problems.push(format!("第 {expect} 至 {} 条记录缺失（被删除）", r.seq - 1));
            }
            if r.prev_hash != prev_hash {
                v.problems.push(format!("第 {} 条记录与前一条的链接不符（前面的记录被删除、插入或修改）", r.seq));
            }
            if r.compute_hash() != r.hash {
                v.problems.push(format!("第 {} 条记录的内容被修改（{} {} {}）", r.seq, r.at, r.action, r.target));
            }
            prev_hash = r.hash.clone();
            expect = r.seq + 1;
            v.records += 1;
        }
        after = rows.last().map(|r| r.seq).unwrap_or(after);
    }
    let (head_seq, head_hash): (i64, String) =
        store.read().fetch_one("SELECT seq, hash FROM audit_head WHERE id = 1", &[]).await?;
    if head_seq != expect - 1 {
        v.problems.push(format!("链头记录到第 {head_seq} 条，实际最后一条是第 {} 条（末尾记录被删除）", expect - 1));
    } else if head_hash != prev_hash {
        v.problems.push("链头与最后一条记录的哈希不符".into());
    }
    Ok(v)
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
    let (seq,): (i64,) = store.read().fetch_one("SELECT seq FROM audit_head WHERE id = 1", &[]).await?;
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
