//! Finding members across the caller's scope: by name, by the full ID number, or by its last
//! four to six characters (the expression index of migration 0012).

use domain::member::Member;
use domain::org::OrgKind;

use crate::db::{Backend, Store, Val};
use crate::error::StoreResult;
use crate::org::arg;
use crate::scope::Scope;

use super::*;

/// What a member search looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberSearch {
    /// A name, or part of one.
    Name(String),
    /// The whole ID number (upper-case `X`).
    IdNumber(String),
    /// The last four to six characters of the ID number (upper-case `X`).
    IdTail(String),
}

/// One member found, with the organization they belong to and, when that is a 党小组, the
/// branch above it (when the caller may see it).
#[derive(Debug, Clone)]
pub struct MemberHit {
    pub member: Member,
    pub org_name: String,
    pub org_kind: OrgKind,
    pub branch_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct HitRow {
    #[sqlx(flatten)]
    m: MemberRow,
    org_name: String,
    org_kind: String,
    parent_name: Option<String>,
    parent_path: Option<String>,
}

/// The ID-number tail index's expression on each backend (the same text as the migration's, or
/// the index is not used).
fn tail_expr(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => {
            "(substr(m.id_number, -1, 1) || substr(m.id_number, -2, 1) || substr(m.id_number, -3, 1) \
             || substr(m.id_number, -4, 1) || substr(m.id_number, -5, 1) || substr(m.id_number, -6, 1))"
        }
        Backend::Postgres => "(reverse(right(m.id_number, 6)) COLLATE \"C\")",
    }
}

/// The members in `scope` that `what` finds, of every standing (a former member is found by
/// their ID number too): how many, and `limit` of them from `offset` on, in tree order.
///
/// A search by ID number that finds someone ties a number to a person, as an unmasked read
/// does: it is recorded in the audit trail (`member.search_id`: what kind of search, the digits
/// of a tail search or the masked number of a full one — never the full number —, how many were
/// found and which members this page shows) before the members are returned. A search that finds
/// nobody reveals nothing and is not recorded.
pub async fn search(
    store: &Store,
    scope: &Scope,
    what: &MemberSearch,
    offset: i64,
    limit: i64,
) -> StoreResult<(i64, Vec<MemberHit>)> {
    if scope.roots().is_empty() {
        return Ok((0, Vec::new()));
    }
    let mut args: Vec<Val> = Vec::new();
    let mut cond = Vec::new();
    match what {
        MemberSearch::Name(n) => {
            let n: String = domain::member::normalize_text(n).chars().take(30).collect();
            let esc = n.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            let p = arg(&mut args, Val::from(format!("%{esc}%")));
            cond.push(format!("m.name LIKE {p} ESCAPE '\\'"));
        }
        MemberSearch::IdNumber(n) => {
            let p = arg(&mut args, Val::from(n.as_str()));
            cond.push(format!("m.id_number = {p}"));
        }
        MemberSearch::IdTail(t) => {
            let rev: String = t.chars().rev().collect();
            let e = tail_expr(store.read().backend());
            let lo = arg(&mut args, Val::from(rev.as_str()));
            let hi = arg(&mut args, Val::from(format!("{rev}~")));
            cond.push(format!("{e} >= {lo} AND {e} < {hi}"));
        }
    }
    if !scope.is_all() {
        let ranges: Vec<String> = scope
            .roots()
            .iter()
            .map(|r| {
                let lo = arg(&mut args, Val::from(r.as_str()));
                let hi = arg(&mut args, Val::from(domain::path::subtree_end(r)));
                format!("(m.path >= {lo} AND m.path < {hi})")
            })
            .collect();
        cond.push(format!("({})", ranges.join(" OR ")));
    }
    let cond = cond.join(" AND ");
    let total =
        store.read().scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM member m WHERE {cond}"), &args).await?;
    if total == 0 || offset >= total {
        return Ok((total, Vec::new()));
    }
    let lim = arg(&mut args, Val::from(limit.clamp(1, 200)));
    let off = arg(&mut args, Val::from(offset.max(0)));
    let rows: Vec<HitRow> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {MEMBER_COLS}, o.name AS org_name, o.kind AS org_kind, p.name AS parent_name, \
                 p.path AS parent_path FROM member m JOIN org o ON o.id = m.org_id LEFT JOIN org p ON p.id = o.parent_id \
                 WHERE {cond} ORDER BY m.path, m.id LIMIT {lim} OFFSET {off}"
            ),
            &args,
        )
        .await?;
    let hits: Vec<MemberHit> = rows
        .into_iter()
        .map(|r| {
            let org_kind = OrgKind::from_code(&r.org_kind).unwrap_or(OrgKind::Branch);
            let branch_name = match (org_kind, r.parent_path) {
                (OrgKind::PartyGroup, Some(pp)) if scope.contains(&pp) => r.parent_name,
                _ => None,
            };
            MemberHit { member: r.m.into_member(), org_name: r.org_name, org_kind, branch_name }
        })
        .collect();
    let searched = match what {
        MemberSearch::Name(_) => None,
        MemberSearch::IdNumber(n) => Some(("完整身份证号", domain::mask::id_number(n))),
        MemberSearch::IdTail(t) => Some(("身份证号末位", t.clone())),
    };
    if let Some((kind, shown)) = searched {
        let ids: Vec<i64> = hits.iter().map(|h| h.member.id).collect();
        let target = match ids.as_slice() {
            [one] if total == 1 => format!("member:{one}"),
            _ => "member:*".to_string(),
        };
        let detail = serde_json::json!({ "searched": kind, "query": shown, "found": total, "members": ids });
        crate::audit::record_now(store, scope, "member.search_id", &target, "ok", detail).await?;
    }
    Ok((total, hits))
}
