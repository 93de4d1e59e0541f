//! 消息: the stored messages of the message centre — one row per recipient account, with its read
//! state — and who receives them. What is computed on view (meetings falling due, terms ending,
//! the daily job's findings) is not stored; see [`domain::message`].
//!
//! Recipients: a message is about an organization and meant for the accounts holding a
//! permission there ([`Audience`]). It goes to the *nearest* level that has such accounts: the
//! organization's own officers when it has them, else those of the closest superior holding the
//! permission over it (who act for an organization without accounts of its own). Sending a
//! branch's returned record to every officer up to the city would bury the city's inbox, and
//! sending it to nobody is the failure this capability exists to prevent.
//!
//! Reading: the recipient must still hold the audience's permission over the organization (read
//! through `org`, so a moved subtree keeps its messages); a grant withdrawn hides its messages.
//! Every write (posting, reading) is recorded in the audit trail in the same transaction.

use chrono::{DateTime, NaiveDate, Utc};
use domain::access::role_has;
use domain::account::Role;
use domain::message::{Audience, Draft, Kind};
use domain::path;
use serde::Serialize;
use serde_json::json;

use crate::db::{now, Exec, Store, Tx};
use crate::error::StoreResult;
use crate::member::Page;
use crate::scope::Scope;
use crate::{args, Val};

/// A stored message as its recipient reads it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Message {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub kind: String,
    pub audience: String,
    pub subject: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl Message {
    pub fn kind(&self) -> Option<Kind> {
        Kind::from_code(&self.kind)
    }
    pub fn is_read(&self) -> bool {
        self.read_at.is_some()
    }
}

/// What the caller may read: for each audience, the scope of its permission. A message whose
/// organization lies outside its audience's scope is not the caller's to see.
pub type Visibility = Vec<(Audience, Scope)>;

/// The accounts that receive a message about the organization at `org_path` for `audience`: those
/// holding a role with the audience's permission on the nearest organization at or above it that
/// has any (enabled accounts, live organizations). Empty when nobody holds it anywhere above.
pub async fn recipients(exec: Exec<'_>, org_path: &str, audience: Audience) -> StoreResult<Vec<i64>> {
    let roles: Vec<&'static str> =
        Role::ALL.iter().filter(|r| r.needs_org() && role_has(**r, audience.perm())).map(|r| r.code()).collect();
    let mut levels: Vec<&str> = path::ancestors(org_path);
    levels.push(org_path);
    let mut a: Vec<Val> = Vec::new();
    let mut ph_roles = Vec::new();
    for r in &roles {
        a.push(Val::from(*r));
        ph_roles.push(format!("${}", a.len()));
    }
    let mut ph_paths = Vec::new();
    for l in &levels {
        a.push(Val::from(*l));
        ph_paths.push(format!("${}", a.len()));
    }
    if roles.is_empty() || levels.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, String)> = exec
        .fetch_all(
            &format!(
                "SELECT g.account_id, o.path FROM account_grant g JOIN org o ON o.id = g.org_id \
                 JOIN account a ON a.id = g.account_id \
                 WHERE g.role IN ({}) AND o.path IN ({}) AND o.dissolved_on IS NULL AND NOT a.is_disabled",
                ph_roles.join(", "),
                ph_paths.join(", ")
            ),
            &a,
        )
        .await?;
    let Some(nearest) = rows.iter().map(|(_, p)| p.len()).max() else { return Ok(Vec::new()) };
    let mut ids: Vec<i64> = rows.into_iter().filter(|(_, p)| p.len() == nearest).map(|(id, _)| id).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Post `draft` about the organization `org_id` (at `org_path`) inside an open transaction: one
/// row per recipient ([`recipients`]) and one audit record. The author (the scope's actor) does
/// not receive their own message. Returns how many accounts received it.
pub async fn post_in(tx: &mut Tx, scope: &Scope, org_id: i64, org_path: &str, draft: &Draft) -> StoreResult<usize> {
    draft.check()?;
    let by = scope.actor().name.clone();
    let author: Option<i64> = tx
        .x()
        .fetch_optional::<(i64,)>("SELECT id FROM account WHERE username = $1", &args![by.clone()])
        .await?
        .map(|r| r.0);
    let ids: Vec<i64> =
        recipients(tx.x(), org_path, draft.audience).await?.into_iter().filter(|id| Some(*id) != author).collect();
    let t = now();
    for chunk in ids.chunks(100) {
        let mut sql = String::from(
            "INSERT INTO message (account_id, org_id, kind, audience, subject, title, body, link, created_by, created_at) VALUES ",
        );
        let mut a: Vec<Val> = Vec::with_capacity(chunk.len() * 10);
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let b = a.len();
            sql.push('(');
            sql.push_str(&(1..=10).map(|k| format!("${}", b + k)).collect::<Vec<_>>().join(", "));
            sql.push(')');
            a.extend(args![
                *id,
                org_id,
                draft.kind.code(),
                draft.audience.code(),
                draft.subject.clone(),
                draft.title.trim().to_string(),
                draft.body.clone(),
                draft.link.clone(),
                by.clone(),
                t
            ]);
        }
        tx.x().execute(&sql, &a).await?;
    }
    crate::audit::record(
        tx,
        scope,
        "message.post",
        &draft.subject,
        "ok",
        json!({ "kind": draft.kind.code(), "audience": draft.audience.code(), "org": org_id, "recipients": ids.len() }),
    )
    .await?;
    Ok(ids.len())
}

/// Post `draft` about `org` (read through the author's scope) in a transaction of its own.
pub async fn post(
    store: &Store,
    scope: &Scope,
    org: &crate::Visible<domain::org::Org>,
    draft: &Draft,
) -> StoreResult<usize> {
    let mut tx = store.begin().await?;
    let n = post_in(&mut tx, scope, org.id, &org.path, draft).await?;
    tx.commit().await?;
    Ok(n)
}

/// An organization whose committee's term ends soon.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TermEnding {
    pub id: i64,
    pub name: String,
    pub term_end: NaiveDate,
}

/// The live organizations in `scope` whose term ends in `[from, to]`, soonest first, at most
/// `limit`, and how many there are in all.
pub async fn terms_ending(
    store: &Store,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> StoreResult<(Vec<TermEnding>, i64)> {
    if scope.roots().is_empty() {
        return Ok((Vec::new(), 0));
    }
    let mut a: Vec<Val> = args![from, to].to_vec();
    let mut w = String::from("o.term_end >= $1 AND o.term_end <= $2 AND o.dissolved_on IS NULL");
    if !scope.is_all() {
        let mut ranges = Vec::new();
        for r in scope.roots() {
            a.push(Val::from(r.clone()));
            a.push(Val::from(path::subtree_end(r)));
            ranges.push(format!("(o.path >= ${} AND o.path < ${})", a.len() - 1, a.len()));
        }
        w.push_str(&format!(" AND ({})", ranges.join(" OR ")));
    }
    let total = store.read().scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM org o WHERE {w}"), &a).await?;
    let n = a.len();
    a.push(Val::from(limit));
    let items = store
        .read()
        .fetch_all(
            &format!(
                "SELECT o.id, o.name, o.term_end FROM org o WHERE {w} ORDER BY o.term_end, o.path LIMIT ${}",
                n + 1
            ),
            &a,
        )
        .await?;
    Ok((items, total))
}

/// Mark the unread messages of `kind` about `subject` read for everyone, inside an open
/// transaction: the matter they announced has been handled (a submitted record reviewed by one of
/// its reviewers, a returned record submitted again). Returns how many were marked.
pub async fn handled_in(tx: &mut Tx, subject: &str, kind: Kind) -> StoreResult<u64> {
    tx.x()
        .execute(
            "UPDATE message SET read_at = $1 WHERE subject = $2 AND kind = $3 AND read_at IS NULL",
            &args![now(), subject.to_string(), kind.code()],
        )
        .await
}

/// An organization-life record as the messages about it name it.
#[derive(Debug, Clone)]
pub struct LifeEvent<'a> {
    pub record_id: i64,
    pub org_id: i64,
    pub path: &'a str,
    pub org_name: &'a str,
    pub title: &'a str,
    pub held_on: NaiveDate,
}

/// A record was submitted for review (in the submitting transaction): its earlier 退回 message is
/// handled, and the reviewers above it are told. A top organization's records have no reviewer.
pub async fn life_submitted(tx: &mut Tx, scope: &Scope, e: &LifeEvent<'_>) -> StoreResult<()> {
    let subject = format!("life_record:{}", e.record_id);
    handled_in(tx, &subject, Kind::Returned).await?;
    if let Some(reviewer) = domain::life::reviewer_path(e.path) {
        let draft = domain::message::submitted(e.record_id, e.org_name, e.title, e.held_on);
        post_in(tx, scope, e.org_id, reviewer, &draft).await?;
    }
    Ok(())
}

/// A record was reviewed (in the reviewing transaction): the 待审核 messages about it are
/// handled for every reviewer, and a returned record is announced to its organization's recorders
/// with the reason.
pub async fn life_reviewed(
    tx: &mut Tx,
    scope: &Scope,
    e: &LifeEvent<'_>,
    accept: bool,
    reason: &str,
) -> StoreResult<()> {
    let subject = format!("life_record:{}", e.record_id);
    handled_in(tx, &subject, Kind::Submitted).await?;
    if !accept {
        let draft = domain::message::returned(e.record_id, e.org_name, e.title, e.held_on, reason);
        post_in(tx, scope, e.org_id, e.path, &draft).await?;
    }
    Ok(())
}

/// The SQL condition (on `m` the message and `o` its organization) of what `vis` lets the reader
/// see, its arguments appended to `a`.
fn visible_sql(vis: &[(Audience, Scope)], a: &mut Vec<Val>) -> String {
    let mut parts = Vec::new();
    for (aud, scope) in vis {
        if scope.roots().is_empty() {
            continue;
        }
        a.push(Val::from(aud.code()));
        let mut part = format!("(m.audience = ${}", a.len());
        if !scope.is_all() {
            let mut ranges = Vec::new();
            for r in scope.roots() {
                a.push(Val::from(r.clone()));
                a.push(Val::from(path::subtree_end(r)));
                ranges.push(format!("(o.path >= ${} AND o.path < ${})", a.len() - 1, a.len()));
            }
            part.push_str(&format!(" AND ({})", ranges.join(" OR ")));
        }
        part.push(')');
        parts.push(part);
    }
    if parts.is_empty() {
        "1 = 0".into()
    } else {
        format!("({})", parts.join(" OR "))
    }
}

const COLS: &str = "m.id, m.org_id, o.name AS org_name, m.kind, m.audience, m.subject, m.title, m.body, m.link, \
    m.created_by, m.created_at, m.read_at";

/// One page of the account's messages that `vis` lets it see, newest first; only the unread ones
/// when `unread_only`.
pub async fn inbox(
    store: &Store,
    account_id: i64,
    vis: &[(Audience, Scope)],
    unread_only: bool,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<Message>> {
    let per_page = per_page.clamp(1, 200);
    let page = page.max(1);
    let mut a: Vec<Val> = args![account_id].to_vec();
    let mut w = format!("m.account_id = $1 AND {}", visible_sql(vis, &mut a));
    if unread_only {
        w.push_str(" AND m.read_at IS NULL");
    }
    let total = store
        .read()
        .scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM message m JOIN org o ON o.id = m.org_id WHERE {w}"), &a)
        .await?;
    let n = a.len();
    a.push(Val::from(per_page));
    a.push(Val::from((page - 1) * per_page));
    let items = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {COLS} FROM message m JOIN org o ON o.id = m.org_id WHERE {w} \
                 ORDER BY m.created_at DESC, m.id DESC LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            ),
            &a,
        )
        .await?;
    Ok(Page { items, total, page, per_page })
}

/// How many of the account's visible messages are unread: the top bar's count, read on every page
/// view. One count over the partial index `message_unread` (the account's unread rows only), each
/// row's organization read by its primary key.
pub async fn unread(store: &Store, account_id: i64, vis: &[(Audience, Scope)]) -> StoreResult<i64> {
    let mut a: Vec<Val> = args![account_id].to_vec();
    let w = visible_sql(vis, &mut a);
    store
        .read()
        .scalar(
            &format!(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM message m JOIN org o ON o.id = m.org_id \
                 WHERE m.account_id = $1 AND m.read_at IS NULL AND {w}"
            ),
            &a,
        )
        .await
}

/// One of the account's visible messages; not found otherwise (another's message, or one whose
/// organization left the reader's scope, is the same answer as a missing one).
pub async fn get(store: &Store, account_id: i64, vis: &[(Audience, Scope)], id: i64) -> StoreResult<Message> {
    let mut a: Vec<Val> = args![account_id, id].to_vec();
    let w = visible_sql(vis, &mut a);
    store
        .read()
        .fetch_optional(
            &format!("SELECT {COLS} FROM message m JOIN org o ON o.id = m.org_id WHERE m.account_id = $1 AND m.id = $2 AND {w}"),
            &a,
        )
        .await?
        .ok_or(crate::StoreError::NotFound("消息"))
}

/// Mark the account's visible messages `ids` read (those already read stay as they were);
/// `None` marks all of them. Audited with how many changed. Returns that number.
pub async fn mark_read(
    store: &Store,
    scope: &Scope,
    account_id: i64,
    vis: &[(Audience, Scope)],
    ids: Option<&[i64]>,
) -> StoreResult<u64> {
    let mut a: Vec<Val> = args![now(), account_id].to_vec();
    let w = visible_sql(vis, &mut a);
    let mut sql = format!(
        "UPDATE message SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL \
         AND id IN (SELECT m.id FROM message m JOIN org o ON o.id = m.org_id WHERE m.account_id = $2 AND {w})"
    );
    if let Some(ids) = ids {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut ph = Vec::new();
        for id in ids {
            a.push(Val::from(*id));
            ph.push(format!("${}", a.len()));
        }
        sql.push_str(&format!(" AND id IN ({})", ph.join(", ")));
    }
    let mut tx = store.begin().await?;
    let n = tx.x().execute(&sql, &a).await?;
    let target = match ids {
        Some([one]) => format!("message:{one}"),
        _ => format!("account:{account_id}"),
    };
    crate::audit::record(
        &mut tx,
        scope,
        if ids.is_some() { "message.read" } else { "message.read_all" },
        &target,
        "ok",
        json!({ "marked": n }),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// A message waiting for a sending channel, with what the channel needs to address it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Outgoing {
    pub id: i64,
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    pub title: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
}

/// Messages not yet passed to a sending channel, created at or after `since` (the channel does
/// not send what was posted before it was switched on), oldest first, unread only.
pub async fn undelivered(store: &Store, since: DateTime<Utc>, limit: i64) -> StoreResult<Vec<Outgoing>> {
    store
        .read()
        .fetch_all(
            "SELECT m.id, m.account_id, a.username, a.display_name, m.title, m.link, m.created_at \
             FROM message m JOIN account a ON a.id = m.account_id \
             WHERE m.delivered_at IS NULL AND m.read_at IS NULL AND m.created_at >= $1 AND NOT a.is_disabled \
             ORDER BY m.id LIMIT $2",
            &args![since, limit],
        )
        .await
}

/// Record that a channel passed these messages on (audited with how many).
pub async fn mark_delivered(store: &Store, scope: &Scope, channel: &str, ids: &[i64]) -> StoreResult<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut a: Vec<Val> = args![now()].to_vec();
    let mut ph = Vec::new();
    for id in ids {
        a.push(Val::from(*id));
        ph.push(format!("${}", a.len()));
    }
    let mut tx = store.begin().await?;
    let n =
        tx.x().execute(&format!("UPDATE message SET delivered_at = $1 WHERE id IN ({})", ph.join(", ")), &a).await?;
    crate::audit::record(&mut tx, scope, "message.deliver", channel, "ok", json!({ "delivered": n })).await?;
    tx.commit().await?;
    Ok(n)
}
