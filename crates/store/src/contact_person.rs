//! 支部联系人 as stored: a branch's contact (a member of the superior committee) from a date until
//! a date; assigning a new contact ends the current one the day before. Read for a subtree: the
//! current contacts, the branches without one, the contacts over their limit (CONTACT-01), and
//! attendance per contact and period computed from the branch's meeting records (CONTACT-07) — a
//! meeting of a counted type, not a draft, held while the contact was its contact, counts as
//! attended when the contact is named among its 列席人员 or present on its roll. Every write is
//! audited in its transaction.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use domain::contact_person::{self as rules, ValidAssign};
use domain::org::Org;
use domain::path;
use serde::Serialize;
use serde_json::json;

use crate::args;
use crate::db::{now, Store};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::{Val, Visible};

/// One assignment.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Assignment {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub member_id: i64,
    pub member_name: String,
    /// The contact's own organization.
    pub member_org: String,
    pub from_on: NaiveDate,
    pub to_on: Option<NaiveDate>,
    pub note: String,
}

const COLS: &str = "a.id, a.org_id, o.name AS org_name, o.path AS org_path, a.member_id, m.name AS member_name, \
    mo.name AS member_org, a.from_on, a.to_on, a.note";
const FROM: &str =
    "contact_assignment a JOIN org o ON o.id = a.org_id JOIN member m ON m.id = a.member_id JOIN org mo ON mo.id = m.org_id";

/// The kinds of organization that take a contact: 党支部 and 联合党支部.
const BRANCH_KINDS: &str = "('branch', 'joint_branch')";

/// Assign `v.member_id` as the contact of the branch from `v.from`; a current contact is ended the
/// day before. The member must be in the caller's scope; a current contact who began on or
/// after that day is refused (correct it instead of stacking).
pub async fn assign(store: &Store, scope: &Scope, branch: &Visible<Org>, v: &ValidAssign) -> StoreResult<Assignment> {
    if !matches!(branch.kind, domain::org::OrgKind::Branch | domain::org::OrgKind::JointBranch) {
        return Err(
            domain::FieldErrors(vec![domain::FieldError::new("党支部", format!("{}不是党支部", branch.name))]).into()
        );
    }
    let m: Option<(String, i64)> =
        store.read().fetch_optional("SELECT path, org_id FROM member WHERE id = $1", &args![v.member_id]).await?;
    match m {
        Some((p, org)) if scope.contains(&p) => {
            if org == branch.id {
                return Err(domain::FieldErrors(vec![domain::FieldError::new(
                    "联系人",
                    "联系人应为上级党组织班子成员，不能是本支部党员",
                )])
                .into());
            }
        }
        _ => {
            return Err(domain::FieldErrors(vec![domain::FieldError::new("联系人", "在您的范围内没有这名党员")]).into())
        }
    }
    let current: Option<(i64, i64, NaiveDate)> = store
        .read()
        .fetch_optional(
            "SELECT id, member_id, from_on FROM contact_assignment WHERE org_id = $1 AND to_on IS NULL ORDER BY id DESC LIMIT 1",
            &args![branch.id],
        )
        .await?;
    if let Some((_, mid, from)) = current {
        if mid == v.member_id {
            return Err(StoreError::Refused(format!("该党员已是{}的联系人（自 {from} 起）", branch.name)));
        }
        if from >= v.from {
            return Err(StoreError::Refused(format!(
                "{}的现任联系人自 {from} 起联系，新联系人的起始日期应晚于该日",
                branch.name
            )));
        }
    }
    let mut tx = store.begin().await?;
    if let Some((cid, _, _)) = current {
        tx.x()
            .execute("UPDATE contact_assignment SET to_on = $1 WHERE id = $2", &args![v.from - Duration::days(1), cid])
            .await?;
    }
    let id = tx
        .x()
        .scalar(
            "INSERT INTO contact_assignment (org_id, member_id, from_on, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &args![branch.id, v.member_id, v.from, v.note.clone(), scope.actor().name.clone(), now()],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "contact_person.assign",
        &format!("contact_assignment:{id}"),
        "ok",
        json!({ "org": branch.id, "member": v.member_id, "from": v.from, "note": v.note,
                "ended": current.map(|c| c.0) }),
    )
    .await?;
    tx.commit().await?;
    store
        .read()
        .fetch_optional(&format!("SELECT {COLS} FROM {FROM} WHERE a.id = $1"), &args![id])
        .await?
        .ok_or(StoreError::NotFound("联系人"))
}

/// The contacts current on `on` of the branches in the subtree of `org`, in tree order; paged.
pub async fn current(
    store: &Store,
    org: &Visible<Org>,
    on: NaiveDate,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<Assignment>, i64)> {
    let w = "o.path >= $1 AND o.path < $2 AND a.from_on <= $3 AND (a.to_on IS NULL OR a.to_on >= $4)";
    let a = args![org.path.clone(), path::subtree_end(&org.path), on, on];
    let total = store.read().scalar(&format!("SELECT COUNT(*) FROM {FROM} WHERE {w}"), &a).await?;
    let rows = store
        .read()
        .fetch_all(
            &format!("SELECT {COLS} FROM {FROM} WHERE {w} ORDER BY o.path, a.id LIMIT $5 OFFSET $6"),
            &args![org.path.clone(), path::subtree_end(&org.path), on, on, limit, offset],
        )
        .await?;
    Ok((rows, total))
}

/// Every assignment of the subtree overlapping `[from, to]`.
async fn overlapping(
    store: &Store,
    org: &Visible<Org>,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<Assignment>> {
    store
        .read()
        .fetch_all(
            &format!(
                "SELECT {COLS} FROM {FROM} WHERE o.path >= $1 AND o.path < $2 AND a.from_on <= $3 \
                 AND (a.to_on IS NULL OR a.to_on >= $4) ORDER BY o.path, a.from_on, a.id"
            ),
            &args![org.path.clone(), path::subtree_end(&org.path), to, from],
        )
        .await
}

/// A branch without a contact.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Branch {
    pub id: i64,
    pub name: String,
}

/// The live branches of the subtree without a contact on `on`, in tree order (at most `limit`),
/// and how many there are.
pub async fn without_contact(
    store: &Store,
    org: &Visible<Org>,
    on: NaiveDate,
    limit: i64,
) -> StoreResult<(Vec<Branch>, i64)> {
    let w = format!(
        "o.path >= $1 AND o.path < $2 AND o.kind IN {BRANCH_KINDS} AND o.dissolved_on IS NULL AND NOT EXISTS \
         (SELECT 1 FROM contact_assignment a WHERE a.org_id = o.id AND a.from_on <= $3 AND (a.to_on IS NULL OR a.to_on >= $4))"
    );
    let a = args![org.path.clone(), path::subtree_end(&org.path), on, on];
    let total = store.read().scalar(&format!("SELECT COUNT(*) FROM org o WHERE {w}"), &a).await?;
    let rows = store
        .read()
        .fetch_all(
            &format!("SELECT o.id, o.name FROM org o WHERE {w} ORDER BY o.path LIMIT $5"),
            &args![org.path.clone(), path::subtree_end(&org.path), on, on, limit],
        )
        .await?;
    Ok((rows, total))
}

/// A contact over the limit (CONTACT-01): the member and the branches they hold on the day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Over {
    pub member_id: i64,
    pub member_name: String,
    pub member_org: String,
    pub branches: Vec<String>,
    pub limit: i64,
}

/// The contacts holding more than the CONTACT-01 limit in force on `on` among the branches of
/// the subtree.
pub async fn over_limit(store: &Store, org: &Visible<Org>, on: NaiveDate) -> StoreResult<Vec<Over>> {
    let limit = rules::params(on).max_branches;
    let (rows, _) = current(store, org, on, i64::MAX / 4, 0).await?;
    let mut by: Vec<Over> = Vec::new();
    for r in rows {
        match by.iter_mut().find(|o| o.member_id == r.member_id) {
            Some(o) => o.branches.push(r.org_name),
            None => by.push(Over {
                member_id: r.member_id,
                member_name: r.member_name,
                member_org: r.member_org,
                branches: vec![r.org_name],
                limit,
            }),
        }
    }
    by.retain(|o| o.branches.len() as i64 > limit);
    Ok(by)
}

/// Attendance of one assignment in a period (CONTACT-07).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attendance {
    pub assignment: Assignment,
    /// The part of the period the assignment covers.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Counted meetings the branch held in it, and how many the contact attended.
    pub held: i64,
    pub attended: i64,
    /// Attended of any type (visits, CONTACT-02).
    pub visits: i64,
    pub rate_permille: Option<i32>,
}

impl Attendance {
    pub fn rate_text(&self) -> String {
        rules::rate_text(self.rate_permille)
    }
}

/// Attendance of every assignment of the subtree overlapping `[from, to]`, in tree order: the
/// branch's meetings of the counted types (not drafts) held while the assignment ran, and those
/// the contact attended (named among the 列席人员, or present on the roll).
pub async fn attendance(
    store: &Store,
    org: &Visible<Org>,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<Attendance>> {
    let counted = rules::params(to).counted_types;
    let list = overlapping(store, org, from, to).await?;
    if list.is_empty() {
        return Ok(Vec::new());
    }
    // the records of the subtree in the period: (id, org, held_on, types, observers)
    type Rec = (i64, i64, NaiveDate, String, Option<String>);
    let recs: Vec<Rec> = store
        .read()
        .fetch_all(
            "SELECT r.id, r.org_id, r.held_on, r.types, r.observers FROM life_record r WHERE r.path >= $1 AND r.path < $2 \
             AND r.held_on >= $3 AND r.held_on <= $4 AND r.status <> 'draft'",
            &args![org.path.clone(), path::subtree_end(&org.path), from, to],
        )
        .await?;
    let mut by_org: HashMap<i64, Vec<&Rec>> = HashMap::new();
    for r in &recs {
        by_org.entry(r.1).or_default().push(r);
    }
    // contacts present on a roll
    let members: Vec<Val> = list.iter().map(|a| Val::from(a.member_id)).collect();
    let mut present: std::collections::HashSet<(i64, i64)> = Default::default();
    for chunk in members.chunks(500) {
        let mut a: Vec<Val> = args![org.path.clone(), path::subtree_end(&org.path), from, to].to_vec();
        a.extend(chunk.iter().cloned());
        let rows: Vec<(i64, i64)> = store
            .read()
            .fetch_all(
                &format!(
                    "SELECT t.record_id, t.member_id FROM life_attendance t JOIN life_record r ON r.id = t.record_id \
                     WHERE r.path >= $1 AND r.path < $2 AND r.held_on >= $3 AND r.held_on <= $4 AND t.status = 'present' \
                     AND t.member_id IN ({})",
                    (5..5 + chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
                ),
                &a,
            )
            .await?;
        present.extend(rows);
    }
    let mut out = Vec::new();
    for asg in list {
        let f = from.max(asg.from_on);
        let t = asg.to_on.map_or(to, |x| x.min(to));
        let (mut held, mut attended, mut visits) = (0, 0, 0);
        for r in by_org.get(&asg.org_id).map(|v| v.as_slice()).unwrap_or(&[]) {
            if r.2 < f || r.2 > t {
                continue;
            }
            let is_counted = r.3.split(',').any(|c| counted.iter().any(|x| x == c.trim()));
            let came = present.contains(&(r.0, asg.member_id))
                || r.4.as_deref().is_some_and(|o| rules::observer_named(o, &asg.member_name));
            if came {
                visits += 1;
            }
            if is_counted {
                held += 1;
                if came {
                    attended += 1;
                }
            }
        }
        out.push(Attendance {
            from: f,
            to: t,
            held,
            attended,
            visits,
            rate_permille: rules::rate_permille(attended, held),
            assignment: asg,
        });
    }
    Ok(out)
}
