//! 跟岗学习 as stored: a unit nominates a current member of its subtree for a period; the
//! reviewer above it accepts or rejects, and the conditions that failed on the day of the decision
//! are kept with it (`failures`, one a line). A nomination reads the member's birth date, sex and
//! occupation — never the ID number. Every write is audited in its transaction.

use chrono::{DateTime, NaiveDate, Utc};
use domain::campaign::retirement::Category;
use domain::campaign::secondment::Status;
use domain::member::{Occupation, Sex};
use domain::org::Org;
use domain::path;
use serde::Serialize;
use serde_json::json;

use crate::args;
use crate::db::{now, Store};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::Visible;

/// A member as a nomination reads them.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Nominee {
    pub id: i64,
    pub name: String,
    pub org_name: String,
    pub sex: String,
    pub birth_date: NaiveDate,
    pub occupation: Option<String>,
}

impl Nominee {
    pub fn sex(&self) -> Sex {
        Sex::from_code(&self.sex).unwrap_or(Sex::Male)
    }
    /// Whose retirement age applies: a woman is a cadre unless her record says she is a worker
    /// (职业 工人).
    pub fn category(&self) -> Category {
        let worker = self.occupation.as_deref() == Some(Occupation::Worker.code());
        Category::of(self.sex(), worker)
    }
}

const NOMINEE_COLS: &str = "m.id, m.name, o.name AS org_name, m.sex, m.birth_date, m.occupation";

/// A current member of the subtree of `org`, or `None`.
pub async fn nominee(store: &Store, org: &Visible<Org>, member_id: i64) -> StoreResult<Option<Nominee>> {
    store
        .read()
        .fetch_optional(
            &format!(
                "SELECT {NOMINEE_COLS} FROM member m JOIN org o ON o.id = m.org_id \
                 WHERE m.id = $1 AND m.status = 'normal' AND m.path >= $2 AND m.path < $3"
            ),
            &args![member_id, org.path.clone(), path::subtree_end(&org.path)],
        )
        .await
}

/// Current members of the subtree of `org` whose name holds `name` (exact matches first), at
/// most `limit`.
pub async fn nominees_named(store: &Store, org: &Visible<Org>, name: &str, limit: i64) -> StoreResult<Vec<Nominee>> {
    let name: String = name.chars().filter(|c| !matches!(c, '%' | '_' | '\\')).collect();
    if name.trim().is_empty() {
        return Ok(vec![]);
    }
    store
        .read()
        .fetch_all(
            &format!(
                "SELECT {NOMINEE_COLS} FROM member m JOIN org o ON o.id = m.org_id \
                 WHERE m.status = 'normal' AND m.path >= $1 AND m.path < $2 AND m.name LIKE $3 \
                 ORDER BY CASE WHEN m.name = $4 THEN 0 ELSE 1 END, m.path, m.name, m.id LIMIT $5"
            ),
            &args![org.path.clone(), path::subtree_end(&org.path), format!("%{}%", name.trim()), name.trim(), limit],
        )
        .await
}

/// A nomination as stored, with its unit and member.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Nomination {
    pub id: i64,
    pub campaign_id: Option<i64>,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub member_id: i64,
    pub member_name: String,
    pub member_org_name: String,
    pub member_sex: String,
    pub member_birth: NaiveDate,
    pub category: String,
    pub party_post: i64,
    pub full_time: i64,
    pub writing: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub host_unit: String,
    pub status: String,
    pub failures: String,
    pub reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl Nomination {
    pub fn status(&self) -> Status {
        Status::from_code(&self.status).unwrap_or(Status::Pending)
    }
    pub fn status_label(&self) -> &'static str {
        self.status().label()
    }
    pub fn category(&self) -> Category {
        Category::from_code(&self.category).unwrap_or(Category::Male)
    }
    pub fn sex(&self) -> Sex {
        Sex::from_code(&self.member_sex).unwrap_or(Sex::Male)
    }
    /// The nomination as the conditions judge it.
    pub fn judged(&self) -> domain::campaign::secondment::Nomination {
        domain::campaign::secondment::Nomination {
            member_name: self.member_name.clone(),
            person: domain::campaign::secondment::Person::BirthSex {
                birth: Some(self.member_birth),
                sex: Some(self.sex()),
            },
            category: Some(self.category()),
            party_work_post: self.party_post == 1,
            released_full_time: self.full_time == 1,
            writing_attested: self.writing == 1,
            period_start: Some(self.starts_on),
            period_end: Some(self.ends_on),
        }
    }
}

const COLS: &str = "n.id, n.campaign_id, n.org_id, o.name AS org_name, o.path AS org_path, n.member_id, \
    m.name AS member_name, mo.name AS member_org_name, m.sex AS member_sex, m.birth_date AS member_birth, n.category, \
    n.party_post, n.full_time, n.writing, n.starts_on, n.ends_on, n.host_unit, n.status, n.failures, n.reason, \
    n.created_by, n.created_at, n.decided_by, n.decided_at";
const FROM: &str = "secondment_nomination n JOIN org o ON o.id = n.org_id JOIN member m ON m.id = n.member_id \
    JOIN org mo ON mo.id = m.org_id";

/// What a unit attests of its nominee, for a period.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNomination {
    pub member_id: i64,
    pub category: Category,
    pub party_post: bool,
    pub full_time: bool,
    pub writing: bool,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub host_unit: String,
}

/// Nominate a current member of the subtree of `org` (in the caller's scope); refused while the
/// member has another nomination, waiting or accepted, over an overlapping period.
pub async fn nominate(
    store: &Store,
    scope: &Scope,
    org: &Visible<Org>,
    n: &NewNomination,
    campaign_id: Option<i64>,
) -> StoreResult<Nomination> {
    if let Some(c) = campaign_id {
        super::get(store, scope, c).await?;
    }
    let Some(who) = nominee(store, org, n.member_id).await? else {
        return Err(domain::FieldErrors(vec![domain::FieldError::new(
            "党员",
            format!("编号 {} 的党员不是{}及其下级党组织的在册党员", n.member_id, org.name),
        )])
        .into());
    };
    let clash: Option<(NaiveDate, NaiveDate, String)> = store
        .read()
        .fetch_optional(
            "SELECT starts_on, ends_on, status FROM secondment_nomination WHERE member_id = $1 \
             AND status IN ('pending', 'accepted') AND starts_on <= $2 AND ends_on >= $3 ORDER BY starts_on LIMIT 1",
            &args![who.id, n.ends_on, n.starts_on],
        )
        .await?;
    if let Some((s, e, st)) = clash {
        return Err(StoreError::Refused(format!(
            "{} 已有{}的跟岗学习推荐（{s} 至 {e}），与本次期间重叠；请调整期间或等待该推荐审核",
            who.name,
            Status::from_code(&st).map_or("", |x| x.label())
        )));
    }
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO secondment_nomination (campaign_id, org_id, member_id, category, party_post, full_time, writing, \
             starts_on, ends_on, host_unit, status, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12) RETURNING id",
            &args![
                campaign_id,
                org.id,
                who.id,
                n.category.code(),
                n.party_post as i64,
                n.full_time as i64,
                n.writing as i64,
                n.starts_on,
                n.ends_on,
                n.host_unit.clone(),
                scope.actor().name.clone(),
                now()
            ],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "secondment.nominate",
        &format!("secondment_nomination:{id}"),
        "ok",
        json!({
            "org": org.id, "member": who.id, "campaign": campaign_id, "category": n.category.code(),
            "party_post": n.party_post, "full_time": n.full_time, "writing": n.writing,
            "starts_on": n.starts_on, "ends_on": n.ends_on, "host_unit": n.host_unit,
        }),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// A nomination whose unit is in the caller's scope.
pub async fn get(store: &Store, scope: &Scope, id: i64) -> StoreResult<Nomination> {
    let n: Nomination = store
        .read()
        .fetch_optional(&format!("SELECT {COLS} FROM {FROM} WHERE n.id = $1"), &args![id])
        .await?
        .ok_or(StoreError::NotFound("跟岗学习推荐"))?;
    if scope.contains(&n.org_path) {
        Ok(n)
    } else {
        Err(StoreError::NotFound("跟岗学习推荐"))
    }
}

/// The nominations of units in the subtree of `org` (only those waiting when `pending_only`):
/// waiting first, then the latest; paged.
pub async fn list(
    store: &Store,
    org: &Visible<Org>,
    pending_only: bool,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<Nomination>, i64)> {
    let which = if pending_only { "AND n.status = 'pending'" } else { "" };
    let total = store
        .read()
        .scalar(
            &format!(
                "SELECT COUNT(*) FROM secondment_nomination n JOIN org o ON o.id = n.org_id \
                 WHERE o.path >= $1 AND o.path < $2 {which}"
            ),
            &args![org.path.clone(), path::subtree_end(&org.path)],
        )
        .await?;
    let rows = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {COLS} FROM {FROM} WHERE o.path >= $1 AND o.path < $2 {which} \
                 ORDER BY CASE n.status WHEN 'pending' THEN 0 ELSE 1 END, n.created_at DESC, n.id DESC LIMIT $3 OFFSET $4"
            ),
            &args![org.path.clone(), path::subtree_end(&org.path), limit, offset],
        )
        .await?;
    Ok((rows, total))
}

/// Accept or reject a waiting nomination in the caller's scope, keeping the conditions that
/// failed on the day (`failures`, one a line) and the reason (required to reject).
pub async fn decide(
    store: &Store,
    scope: &Scope,
    id: i64,
    accept: bool,
    reason: &str,
    failures: &str,
) -> StoreResult<Nomination> {
    let n = get(store, scope, id).await?;
    if n.status() != Status::Pending {
        return Err(StoreError::Refused(format!("该推荐{}，不能再次审核", n.status_label())));
    }
    let reason = reason.trim();
    if !accept && reason.is_empty() {
        return Err(domain::FieldErrors(vec![domain::FieldError::new("理由", "不同意时须写明理由")]).into());
    }
    let status = if accept { Status::Accepted } else { Status::Rejected };
    let mut tx = store.begin().await?;
    let changed = tx
        .x()
        .execute(
            "UPDATE secondment_nomination SET status = $1, failures = $2, reason = $3, decided_by = $4, decided_at = $5 \
             WHERE id = $6 AND status = 'pending'",
            &args![status.code(), failures, reason, scope.actor().name.clone(), now(), id],
        )
        .await?;
    if changed == 0 {
        return Err(StoreError::Refused("该推荐已被他人审核，请刷新后查看".into()));
    }
    crate::audit::record(
        &mut tx,
        scope,
        if accept { "secondment.accept" } else { "secondment.reject" },
        &format!("secondment_nomination:{id}"),
        "ok",
        json!({ "org": n.org_id, "member": n.member_id, "failures": failures, "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}
