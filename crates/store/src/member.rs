//! 党员 repository: the roster, scoped to the caller's subtrees, with roll-ups kept in step.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::member::{Category, Education, Member, MemberInput, Occupation, Sex, Status, ValidMember};
use domain::path;
use serde::Serialize;
use serde_json::json;

use crate::args;
use crate::db::{now, Backend, Exec, Store, Tx, Val};
use crate::error::{StoreError, StoreResult};
use crate::rollup::{self, Counts, MemberFacts};
use crate::scope::Scope;
use crate::Visible;

pub(crate) const MEMBER_COLS: &str = "m.id, m.org_id, m.path, m.name, m.sex, m.id_number, m.ethnicity, m.birth_date, m.education, \
    m.category, m.join_date, m.full_date, m.job_post, m.phone, m.work_unit, m.residence_community, m.occupation, m.is_mobile, \
    m.mobile_to, m.is_lost_contact, m.is_needy, m.status, m.status_date";

#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct MemberRow {
    id: i64,
    org_id: i64,
    path: String,
    name: String,
    sex: String,
    id_number: String,
    ethnicity: String,
    birth_date: NaiveDate,
    education: Option<String>,
    category: String,
    join_date: NaiveDate,
    full_date: Option<NaiveDate>,
    job_post: Option<String>,
    phone: Option<String>,
    work_unit: Option<String>,
    residence_community: Option<String>,
    occupation: Option<String>,
    #[serde(deserialize_with = "flag")]
    is_mobile: bool,
    mobile_to: Option<String>,
    #[serde(deserialize_with = "flag")]
    is_lost_contact: bool,
    #[serde(deserialize_with = "flag")]
    is_needy: bool,
    status: String,
    status_date: Option<NaiveDate>,
}

/// A flag in JSON built by the database: `true`/`false` from PostgreSQL, `1`/`0` from SQLite.
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a boolean or 0/1")
        }
        fn visit_bool<E>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_i64<E>(self, v: i64) -> Result<bool, E> {
            Ok(v != 0)
        }
        fn visit_u64<E>(self, v: u64) -> Result<bool, E> {
            Ok(v != 0)
        }
    }
    d.deserialize_any(V)
}

impl MemberRow {
    /// The [`MEMBER_COLS`] of a [`Store::direct`] read, from column `at` on.
    pub(crate) fn from_direct(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<MemberRow> {
        use crate::db::{direct_date, direct_opt_date};
        Ok(MemberRow {
            id: r.get(at)?,
            org_id: r.get(at + 1)?,
            path: r.get(at + 2)?,
            name: r.get(at + 3)?,
            sex: r.get(at + 4)?,
            id_number: r.get(at + 5)?,
            ethnicity: r.get(at + 6)?,
            birth_date: direct_date(r, at + 7)?,
            education: r.get(at + 8)?,
            category: r.get(at + 9)?,
            join_date: direct_date(r, at + 10)?,
            full_date: direct_opt_date(r, at + 11)?,
            job_post: r.get(at + 12)?,
            phone: r.get(at + 13)?,
            work_unit: r.get(at + 14)?,
            residence_community: r.get(at + 15)?,
            occupation: r.get(at + 16)?,
            is_mobile: r.get(at + 17)?,
            mobile_to: r.get(at + 18)?,
            is_lost_contact: r.get(at + 19)?,
            is_needy: r.get(at + 20)?,
            status: r.get(at + 21)?,
            status_date: direct_opt_date(r, at + 22)?,
        })
    }

    pub(crate) fn into_member(self) -> Member {
        Member {
            id: self.id,
            org_id: self.org_id,
            path: self.path,
            name: self.name,
            sex: Sex::from_code(&self.sex).unwrap_or(Sex::Male),
            id_number: self.id_number,
            ethnicity: self.ethnicity,
            birth_date: self.birth_date,
            education: self.education.as_deref().and_then(Education::from_code),
            category: Category::from_code(&self.category).unwrap_or(Category::Full),
            join_date: self.join_date,
            full_date: self.full_date,
            job_post: self.job_post,
            phone: self.phone,
            work_unit: self.work_unit,
            residence_community: self.residence_community,
            occupation: self.occupation.as_deref().and_then(Occupation::from_code),
            is_mobile: self.is_mobile,
            mobile_to: self.mobile_to,
            is_lost_contact: self.is_lost_contact,
            is_needy: self.is_needy,
            status: Status::from_code(&self.status).unwrap_or(Status::Normal),
            status_date: self.status_date,
        }
    }
}

pub fn facts_of_member(m: &Member) -> MemberFacts<'_> {
    MemberFacts {
        status: m.status,
        category: m.category,
        sex: m.sex,
        ethnicity: &m.ethnicity,
        education: m.education,
        is_mobile: m.is_mobile,
        is_lost_contact: m.is_lost_contact,
        is_needy: m.is_needy,
    }
}

pub fn facts_of_valid(m: &ValidMember) -> MemberFacts<'_> {
    MemberFacts {
        status: m.status,
        category: m.category,
        sex: m.sex,
        ethnicity: &m.ethnicity,
        education: m.education,
        is_mobile: m.is_mobile,
        is_lost_contact: m.is_lost_contact,
        is_needy: m.is_needy,
    }
}

/// Load a member the caller may see.
pub async fn get(store: &Store, scope: &Scope, id: i64) -> StoreResult<Member> {
    get_in(store.read(), scope, id).await?.ok_or(StoreError::NotFound("党员"))
}

async fn get_in(exec: Exec<'_>, scope: &Scope, id: i64) -> StoreResult<Option<Member>> {
    let row: Option<MemberRow> =
        exec.fetch_optional(&format!("SELECT {MEMBER_COLS} FROM member m WHERE m.id = $1"), &args![id]).await?;
    Ok(row.map(MemberRow::into_member).filter(|m| scope.contains(&m.path)))
}

/// The current member holding this ID number, if the caller may see them.
pub async fn find_by_id_number(store: &Store, scope: &Scope, id_number: &str) -> StoreResult<Option<Member>> {
    let row: Option<MemberRow> = store
        .read()
        .fetch_optional(
            &format!("SELECT {MEMBER_COLS} FROM member m WHERE m.id_number = $1 AND m.status = 'normal'"),
            &args![id_number],
        )
        .await?;
    Ok(row.map(MemberRow::into_member).filter(|m| scope.contains(&m.path)))
}

/// The organization a member is attached to: active, in scope, and of a kind that holds members.
async fn target_org(tx: &mut Tx, scope: &Scope, org_id: i64) -> StoreResult<domain::org::Org> {
    let row: Option<crate::org::OrgRow> = tx
        .x()
        .fetch_optional(
            &format!("SELECT {} FROM org o WHERE o.id = $1 AND o.dissolved_on IS NULL", crate::org::ORG_COLS),
            &args![org_id],
        )
        .await?;
    let org =
        row.map(|r| r.into_org()).filter(|o| scope.contains(&o.path)).ok_or(StoreError::NotFound("所在党组织"))?;
    if !org.kind.holds_members() {
        return Err(StoreError::Invalid(
            domain::FieldError::new(
                "所在党组织",
                format!("“{}”是{}，党员应编入党支部或党小组", org.name, org.kind.label()),
            )
            .into(),
        ));
    }
    Ok(org)
}

async fn check_unique(tx: &mut Tx, scope: &Scope, id_number: &str, except: Option<i64>) -> StoreResult<()> {
    #[derive(sqlx::FromRow)]
    struct Hit {
        name: String,
        path: String,
    }
    let hit: Option<Hit> = tx
        .x()
        .fetch_optional(
            "SELECT name, path FROM member WHERE id_number = $1 AND status = 'normal' AND id <> $2",
            &args![id_number, except.unwrap_or(-1)],
        )
        .await?;
    if let Some(h) = hit {
        let msg = if scope.contains(&h.path) {
            format!("已登记为党员“{}”，同一号码不能重复登记", h.name)
        } else {
            "已在其他党组织登记为党员，请办理组织关系转接，不要重复登记".to_string()
        };
        return Err(StoreError::Invalid(domain::FieldError::new("公民身份号码", msg).into()));
    }
    Ok(())
}

fn member_args(v: &ValidMember) -> Vec<Val> {
    Vec::from(args![
        v.name.clone(),
        v.sex.code(),
        v.id_number.clone(),
        v.ethnicity.clone(),
        v.birth_date,
        v.education.map(|e| e.code()),
        v.category.code(),
        v.join_date,
        v.full_date,
        v.job_post.clone(),
        v.phone.clone(),
        v.work_unit.clone(),
        v.residence_community.clone(),
        v.occupation.map(|o| o.code()),
        v.is_mobile,
        v.mobile_to.clone(),
        v.is_lost_contact,
        v.is_needy,
        v.status.code(),
        v.status_date
    ])
}

const INSERT_COLS: &str =
    "name, sex, id_number, ethnicity, birth_date, education, category, join_date, full_date, job_post, phone, \
    work_unit, residence_community, occupation, is_mobile, mobile_to, is_lost_contact, is_needy, status, status_date, \
    org_id, path, created_at, updated_at";
const INSERT_WIDTH: usize = 24;

/// Add a member (validated) to an organization.
pub async fn create(
    store: &Store,
    scope: &Scope,
    org_id: i64,
    input: &MemberInput,
    today: NaiveDate,
) -> StoreResult<Member> {
    let v = input.validate(today)?;
    let mut tx = store.begin().await?;
    let org = target_org(&mut tx, scope, org_id).await?;
    if v.status.is_current() {
        check_unique(&mut tx, scope, &v.id_number, None).await?;
    }
    let mut a = member_args(&v);
    let t = now();
    a.extend(args![org.id, org.path.clone(), t, t]);
    let ph = (1..=INSERT_WIDTH).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let (id,): (i64,) =
        tx.x().fetch_one(&format!("INSERT INTO member ({INSERT_COLS}) VALUES ({ph}) RETURNING id"), &a).await?;
    rollup::apply(&mut tx, &org.path, &Counts::of(&facts_of_valid(&v))).await?;
    let m = get_in(tx.x(), &Scope::all(), id).await?.ok_or(StoreError::NotFound("党员"))?;
    crate::audit::record(&mut tx, scope, "member.create", &format!("member:{id}"), "ok", json!({ "after": m })).await?;
    tx.commit().await?;
    Ok(m)
}

/// Edit a member, optionally moving them to another organization in scope; status changes
/// (停止党籍, 出党, 死亡, 已转出) are edits of the status fields (see also [`change_status`], which
/// records the reason).
pub async fn update(
    store: &Store,
    scope: &Scope,
    id: i64,
    org_id: Option<i64>,
    input: &MemberInput,
    today: NaiveDate,
) -> StoreResult<Member> {
    let v = input.validate(today)?;
    let mut tx = store.begin().await?;
    let old = get_in(tx.x(), scope, id).await?.ok_or(StoreError::NotFound("党员"))?;
    let m = write_update(&mut tx, scope, &old, org_id, &v).await?;
    let changes = crate::audit::diff(&json!(old), &json!(m));
    crate::audit::record(&mut tx, scope, "member.update", &format!("member:{id}"), "ok", changes).await?;
    tx.commit().await?;
    Ok(m)
}

/// Overwrite a member with a validated input (and the roll-ups), inside the caller's transaction.
async fn write_update(
    tx: &mut Tx,
    scope: &Scope,
    old: &Member,
    org_id: Option<i64>,
    v: &ValidMember,
) -> StoreResult<Member> {
    let id = old.id;
    let org = target_org(tx, scope, org_id.unwrap_or(old.org_id)).await?;
    if v.status.is_current() {
        check_unique(tx, scope, &v.id_number, Some(id)).await?;
    }
    let mut a = member_args(v);
    a.extend(args![org.id, org.path.clone(), now(), id]);
    tx.x()
        .execute(
            "UPDATE member SET name = $1, sex = $2, id_number = $3, ethnicity = $4, birth_date = $5, education = $6, category = $7, \
             join_date = $8, full_date = $9, job_post = $10, phone = $11, work_unit = $12, residence_community = $13, \
             occupation = $14, is_mobile = $15, mobile_to = $16, is_lost_contact = $17, is_needy = $18, status = $19, \
             status_date = $20, org_id = $21, path = $22, updated_at = $23 WHERE id = $24",
            &a,
        )
        .await?;
    rollup::apply(tx, &old.path, &Counts::default().minus(&Counts::of(&facts_of_member(old)))).await?;
    rollup::apply(tx, &org.path, &Counts::of(&facts_of_valid(v))).await?;
    if org.id != old.org_id {
        crate::life::record_move(tx, id, old.org_id, org.id).await?;
    }
    get_in(tx.x(), &Scope::all(), id).await?.ok_or(StoreError::NotFound("党员"))
}

/// A change of a member's standing, done with a date and a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// 转为正式党员: a probationary member becomes a full member on the date.
    Confirm,
    /// A current member leaves the roll: 已转出, 停止党籍, 出党 or 死亡.
    Leave(Status),
    /// 恢复党籍: a suspended member is current again.
    Restore,
}

impl StatusChange {
    pub fn label(self) -> &'static str {
        match self {
            StatusChange::Confirm => "转为正式党员",
            StatusChange::Leave(Status::TransferredOut) => "转出",
            StatusChange::Leave(s) => s.label(),
            StatusChange::Restore => "恢复党籍",
        }
    }
    /// The changes open to a member as they stand now.
    pub fn open_to(m: &Member) -> Vec<StatusChange> {
        match m.status {
            Status::Normal => {
                let mut v = Vec::new();
                if m.category == Category::Probationary {
                    v.push(StatusChange::Confirm);
                }
                for s in [Status::TransferredOut, Status::Suspended, Status::Expelled, Status::Deceased] {
                    v.push(StatusChange::Leave(s));
                }
                v
            }
            Status::Suspended => vec![StatusChange::Restore],
            _ => vec![],
        }
    }
    /// A stable code for forms.
    pub fn code(self) -> &'static str {
        match self {
            StatusChange::Confirm => "confirm",
            StatusChange::Restore => "restore",
            StatusChange::Leave(s) => s.code(),
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "confirm" => Some(StatusChange::Confirm),
            "restore" => Some(StatusChange::Restore),
            other => Status::from_code(other).filter(|s| *s != Status::Normal).map(StatusChange::Leave),
        }
    }
}

/// Change a member's standing (转正, 转出, 停止党籍, 出党, 死亡, 恢复党籍) on a date, with the reason
/// (e.g. the approving committee and document), recorded in the audit trail as `member.status`.
/// A change not open to the member as they stand is refused; a bad date or a missing reason is a
/// field error (转正日期 or 状态日期, 原因).
pub async fn change_status(
    store: &Store,
    scope: &Scope,
    id: i64,
    change: StatusChange,
    on: NaiveDate,
    reason: &str,
    today: NaiveDate,
) -> StoreResult<Member> {
    let mut tx = store.begin().await?;
    let old = get_in(tx.x(), scope, id).await?.ok_or(StoreError::NotFound("党员"))?;
    if !StatusChange::open_to(&old).contains(&change) {
        return Err(StoreError::Refused(format!(
            "“{}”当前为{}（{}），不能办理“{}”",
            old.name,
            old.category.label(),
            old.status.label(),
            change.label()
        )));
    }
    let reason = domain::member::normalize_text(reason);
    let mut errs = domain::FieldErrors::default();
    if reason.is_empty() {
        errs.push("原因", "不能为空，请写明办理依据（如党委批准意见、文号）");
    } else if reason.chars().count() > 200 {
        errs.push("原因", "不能超过 200 个字");
    }
    let mut input = MemberInput::from(&old);
    match change {
        StatusChange::Confirm => {
            input.category = Some(Category::Full);
            input.full_date = Some(on);
        }
        StatusChange::Leave(s) => {
            input.status = Some(s);
            input.status_date = Some(on);
        }
        StatusChange::Restore => {
            if on > today {
                errs.push("状态日期", "不能晚于今天");
            }
            input.status = Some(Status::Normal);
            input.status_date = None;
        }
    }
    let v = match input.validate(today) {
        Ok(v) if errs.is_empty() => v,
        Ok(_) => return Err(StoreError::Invalid(errs)),
        Err(mut e) => {
            e.0.extend(errs.0);
            return Err(StoreError::Invalid(e));
        }
    };
    let m = write_update(&mut tx, scope, &old, None, &v).await?;
    let mut detail = json!({
        "change": change.label(),
        "on": on,
        "reason": reason,
        "changes": crate::audit::diff(&json!(old), &json!(m)),
    });
    if change == StatusChange::Restore {
        detail["suspended_on"] = json!(old.status_date);
    }
    crate::audit::record(&mut tx, scope, "member.status", &format!("member:{id}"), "ok", detail).await?;
    tx.commit().await?;
    Ok(m)
}

/// Read a member to show their ID number and phone unmasked (查询留痕): the read is recorded in the
/// audit trail (which fields, not the values) before the record is returned.
pub async fn read_personal(store: &Store, scope: &Scope, id: i64) -> StoreResult<Member> {
    let m = get(store, scope, id).await?;
    let detail = json!({ "fields": ["公民身份号码", "联系电话"] });
    crate::audit::record_now(store, scope, "member.read_personal", &format!("member:{id}"), "ok", detail).await?;
    Ok(m)
}

/// One change of a member's standing, as the audit trail recorded it.
#[derive(Debug, Clone, Serialize)]
pub struct StatusEvent {
    /// When it was recorded (RFC 3339, China time).
    pub at: String,
    pub actor: String,
    /// What changed, in Chinese (e.g. "人员类别：预备党员 → 正式党员").
    pub what: String,
    /// The date of the change, when one was given.
    pub on: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// The changes of category, standing and organization of a member the caller may see, oldest
/// first, from the audit trail (registrations, edits and [`change_status`]; bulk imports record one
/// summary and are not listed per member).
pub async fn status_history(store: &Store, scope: &Scope, id: i64) -> StoreResult<Vec<StatusEvent>> {
    get(store, scope, id).await?;
    #[derive(sqlx::FromRow)]
    struct AuditRow {
        at: String,
        actor: String,
        action: String,
        detail: String,
    }
    let rows: Vec<AuditRow> = store
        .read()
        .fetch_all(
            "SELECT at, actor, action, detail FROM audit_log WHERE target = $1 \
             AND action IN ('member.create', 'member.update', 'member.status') ORDER BY seq",
            &args![format!("member:{id}")],
        )
        .await?;
    let label = |v: &serde_json::Value, f: fn(&str) -> Option<&'static str>| -> String {
        v.as_str().and_then(f).unwrap_or("—").to_string()
    };
    let cat = |c: &str| Category::from_code(c).map(Category::label);
    let st = |c: &str| Status::from_code(c).map(Status::label);
    let date = |v: &serde_json::Value| v.as_str().and_then(|s| s.parse::<NaiveDate>().ok());
    let mut out = Vec::new();
    for r in rows {
        let d: serde_json::Value = serde_json::from_str(&r.detail).unwrap_or_default();
        let mut ev = StatusEvent { at: r.at, actor: r.actor, what: String::new(), on: None, reason: None };
        match r.action.as_str() {
            "member.create" => {
                let a = &d["after"];
                ev.what = format!("登记为{}（党籍{}）", label(&a["category"], cat), label(&a["status"], st));
                ev.on = date(&a["join_date"]);
            }
            "member.status" => {
                ev.what = d["change"].as_str().unwrap_or("党籍变更").to_string();
                ev.on = date(&d["on"]);
                ev.reason = d["reason"].as_str().map(str::to_string);
            }
            _ => {
                let mut parts = Vec::new();
                if let Some(c) = d.get("category") {
                    parts.push(format!("人员类别：{} → {}", label(&c["before"], cat), label(&c["after"], cat)));
                    ev.on = d.get("full_date").and_then(|f| date(&f["after"]));
                }
                if let Some(s) = d.get("status") {
                    parts.push(format!("党籍状态：{} → {}", label(&s["before"], st), label(&s["after"], st)));
                    ev.on = d.get("status_date").and_then(|f| date(&f["after"])).or(ev.on);
                }
                if d.get("org_id").is_some() {
                    parts.push("所在党组织变更".to_string());
                }
                if parts.is_empty() {
                    continue;
                }
                ev.what = parts.join("；");
            }
        }
        out.push(ev);
    }
    Ok(out)
}

/// Filters for listing members.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct MemberFilter {
    /// Part of the name.
    pub name: Option<String>,
    pub category: Option<Category>,
    /// `None` = current members only.
    pub status: Option<Status>,
    pub occupation: Option<Occupation>,
    pub mobile: Option<bool>,
    pub lost_contact: Option<bool>,
    pub needy: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

/// Sort orders of the roster; each ends with the id, so pages are stable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberSort {
    /// Tree order (by organization), then id.
    #[default]
    Tree,
    Name,
    JoinDate,
    BirthDate,
}

impl MemberSort {
    pub fn code(self) -> &'static str {
        match self {
            MemberSort::Tree => "tree",
            MemberSort::Name => "name",
            MemberSort::JoinDate => "join_date",
            MemberSort::BirthDate => "birth_date",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [MemberSort::Tree, MemberSort::Name, MemberSort::JoinDate, MemberSort::BirthDate]
            .into_iter()
            .find(|m| m.code() == s)
    }
    fn order_by(self, desc: bool) -> String {
        let dir = if desc { "DESC" } else { "ASC" };
        match self {
            MemberSort::Tree => format!("m.path {dir}, m.id {dir}"),
            MemberSort::Name => format!("m.name {dir}, m.id {dir}"),
            MemberSort::JoinDate => format!("m.join_date {dir}, m.id {dir}"),
            MemberSort::BirthDate => format!("m.birth_date {dir}, m.id {dir}"),
        }
    }
}

/// List the members of the subtree under `org_id`, in tree order then by id (a total order, so
/// pages are stable), one page at a time.
pub async fn list(
    store: &Store,
    scope: &Scope,
    org_id: i64,
    f: &MemberFilter,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<Member>> {
    list_sorted(store, scope, org_id, f, MemberSort::Tree, false, page, per_page).await
}

/// [`list`] in another order (ascending, or descending when `desc`); ties are broken by id.
#[allow(clippy::too_many_arguments)]
pub async fn list_sorted(
    store: &Store,
    scope: &Scope,
    org_id: i64,
    f: &MemberFilter,
    sort: MemberSort,
    desc: bool,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<Member>> {
    let org = crate::org::visible(store, scope, org_id).await?;
    list_sorted_in(store, &org, f, sort, desc, page, per_page).await
}

/// How many members the subtree at `root` holds: current members only, or former ones too.
pub async fn count_in(store: &Store, root: &Visible<domain::org::Org>, include_former: bool) -> StoreResult<i64> {
    let status = if include_former { "" } else { " AND status = 'normal'" };
    store
        .read()
        .scalar(
            &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM member WHERE path >= $1 AND path < $2{status}"),
            &args![root.path.clone(), path::subtree_end(&root.path)],
        )
        .await
}

/// [`list_sorted`] for an organization already read through the caller's scope.
pub async fn list_sorted_in(
    store: &Store,
    org: &Visible<domain::org::Org>,
    f: &MemberFilter,
    sort: MemberSort,
    desc: bool,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<Member>> {
    let p = roster_in(store, org, f, sort, desc, page, per_page).await?;
    Ok(Page {
        items: p.items.into_iter().map(|l| l.member).collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    })
}

/// A member of a roster page, with the name of its organization.
#[derive(Debug, Clone)]
pub struct Listed {
    pub member: Member,
    pub org_name: String,
}

/// A member of a roster page as the database returns it: `[[MEMBER_COLS…], org name]` (see
/// [`roster_in`]); [`MemberRow`] reads its fields from a JSON array in declaration order, which
/// is the order of [`MEMBER_COLS`].
#[derive(serde::Deserialize)]
struct ListedRow(MemberRow, String);

/// The WHERE clause, its arguments and the count expression of a roster page (members of
/// `org`'s subtree matching `f`): the count is the roll-up row for the unfiltered views, a range
/// count otherwise. The LIMIT and OFFSET arguments are the caller's to append.
/// A roster page's query: the page and its size (clamped), the WHERE clause and its arguments
/// followed by LIMIT and OFFSET, the count expression, whether the read is quick, and the order.
struct RosterQuery {
    page: i64,
    per_page: i64,
    where_: String,
    a: Vec<Val>,
    total: String,
    quick: bool,
    order: String,
}

fn roster_query(
    org: &domain::org::Org,
    f: &MemberFilter,
    sort: MemberSort,
    desc: bool,
    page: i64,
    per_page: i64,
) -> RosterQuery {
    let per_page = per_page.clamp(1, 1000);
    let page = page.max(1);
    let (where_, mut a, total, plain) = roster_filter(org, f);
    a.push(Val::from(per_page));
    a.push(Val::from((page - 1) * per_page));
    RosterQuery {
        page,
        per_page,
        where_,
        a,
        total,
        quick: roster_is_quick(plain, sort, page, per_page),
        order: sort.order_by(desc),
    }
}

fn roster_filter(org: &domain::org::Org, f: &MemberFilter) -> (String, Vec<Val>, String, bool) {
    let mut where_ = String::from("m.path >= $1 AND m.path < $2 AND m.status = $3");
    let mut a: Vec<Val> =
        args![org.path.clone(), path::subtree_end(&org.path), f.status.unwrap_or(Status::Normal).code()].to_vec();
    let push = |cond: &str, v: Val, a: &mut Vec<Val>, w: &mut String| {
        a.push(v);
        w.push_str(&format!(" AND {cond} ${}", a.len()));
    };
    if let Some(n) = f.name.as_deref().map(domain::member::normalize_text).filter(|s| !s.is_empty()) {
        let esc = n.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        push("m.name LIKE", Val::from(format!("%{esc}%")), &mut a, &mut where_);
        where_.push_str(" ESCAPE '\\'");
    }
    if let Some(c) = f.category {
        push("m.category =", Val::from(c.code()), &mut a, &mut where_);
    }
    if let Some(o) = f.occupation {
        push("m.occupation =", Val::from(o.code()), &mut a, &mut where_);
    }
    if let Some(b) = f.mobile {
        push("m.is_mobile =", Val::from(b), &mut a, &mut where_);
    }
    if let Some(b) = f.lost_contact {
        push("m.is_lost_contact =", Val::from(b), &mut a, &mut where_);
    }
    if let Some(b) = f.needy {
        push("m.is_needy =", Val::from(b), &mut a, &mut where_);
    }
    // the common unfiltered views are counted by the roll-up (one row) instead of a range count
    let plain = f.status.is_none_or(Status::is_current)
        && f.name.as_deref().is_none_or(|n| n.trim().is_empty())
        && f.occupation.is_none()
        && f.mobile.is_none()
        && f.lost_contact.is_none()
        && f.needy.is_none();
    let total = if plain {
        a.push(Val::from(org.id));
        let col = match f.category {
            None => "total",
            Some(Category::Full) => "full_members",
            Some(Category::Probationary) => "probationary",
        };
        format!("COALESCE((SELECT {col} FROM org_stats WHERE org_id = ${}), 0)", a.len())
    } else {
        format!("(SELECT COUNT(*) FROM member m WHERE {where_})")
    };
    (where_, a, total, plain)
}

/// Is this roster page quick to read: counted by the roll-up, in tree order (the path index's
/// order, so the page is the index range's first rows) and near the start? Otherwise it counts
/// or sorts a subtree, which for a city is tens of milliseconds.
fn roster_is_quick(plain: bool, sort: MemberSort, page: i64, per_page: i64) -> bool {
    plain && sort == MemberSort::Tree && page * per_page <= 5_000
}

/// The count of a roster page past the end (no row carried it), on a direct connection: the
/// count expression alone, whose parameters are all of the page's but LIMIT and OFFSET.
fn count_alone(c: &rusqlite::Connection, total: &str, a: &[Val]) -> rusqlite::Result<i64> {
    c.prepare_cached(&crate::db::lite(&format!("SELECT CAST({total} AS BIGINT)")))?
        .query_row(rusqlite::params_from_iter(a[..a.len() - 2].iter()), |r| r.get(0))
}

/// Run a roster read directly on SQLite: on this thread when it is quick, otherwise with the
/// worker's other tasks handed off first.
fn roster_direct<R>(
    store: &Store,
    quick: bool,
    f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<R>,
) -> Option<StoreResult<R>> {
    if quick {
        store.direct(f)
    } else {
        store.direct_long(f)
    }
}

/// [`list_sorted_in`] with each member's organization name: one query, one row. The count (the
/// roll-up row for the unfiltered views, a range count otherwise), the page and the organization
/// names come back together, the page as a single JSON array built by the database, so the page
/// costs one round trip to the database instead of four and one row instead of fifty.
pub async fn roster_in(
    store: &Store,
    org: &Visible<domain::org::Org>,
    f: &MemberFilter,
    sort: MemberSort,
    desc: bool,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<Listed>> {
    let RosterQuery { page, per_page, where_, a, total, quick, order } =
        roster_query(org, f, sort, desc, page, per_page);
    // SQLite: on this thread, the count as the last column of each row (an uncorrelated subquery,
    // evaluated once), the rows read directly
    let direct_sql = format!(
        "SELECT {MEMBER_COLS}, o.name, CAST({total} AS BIGINT) FROM member m JOIN org o ON o.id = m.org_id \
         WHERE {where_} ORDER BY {order} LIMIT ${} OFFSET ${}",
        a.len() - 1,
        a.len(),
    );
    let direct = roster_direct(store, quick, |c| {
        let mut st = c.prepare_cached(&crate::db::lite(&direct_sql))?;
        let mut rows = st.query(rusqlite::params_from_iter(a.iter()))?;
        let (mut items, mut counted) = (Vec::with_capacity(per_page as usize), None);
        while let Some(r) = rows.next()? {
            let m = MemberRow::from_direct(r, 0)?;
            items.push(Listed { member: m.into_member(), org_name: r.get(23)? });
            counted = Some(r.get::<_, i64>(24)?);
        }
        let total = match counted {
            Some(t) => t,
            None => count_alone(c, &total, &a)?,
        };
        Ok((items, total))
    });
    if let Some(r) = direct {
        let (items, total) = r?;
        return Ok(Page { items, total, page, per_page });
    }
    // PostgreSQL: each member as a JSON array of MEMBER_COLS in order (no keys to write and match)
    let (agg, arr) = match store.backend() {
        Backend::Sqlite => ("json_group_array", "json_array"),
        Backend::Postgres => ("json_agg", "json_build_array"),
    };
    let sql = format!(
        "SELECT CAST({total} AS BIGINT), CAST((SELECT {agg}({arr}({arr}({MEMBER_COLS}), m.org_name) ORDER BY {order}) \
           FROM (SELECT {MEMBER_COLS}, o.name AS org_name FROM member m JOIN org o ON o.id = m.org_id \
                 WHERE {where_} ORDER BY {order} LIMIT ${} OFFSET ${}) m) AS TEXT)",
        a.len() - 1,
        a.len(),
    );
    let (total, json): (i64, Option<String>) = store.read().fetch_one(&sql, &a).await?;
    let rows: Vec<ListedRow> = match json {
        Some(j) => serde_json::from_str(&j).map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))?,
        None => Vec::new(),
    };
    let items = rows.into_iter().map(|ListedRow(m, o)| Listed { member: m.into_member(), org_name: o }).collect();
    Ok(Page { items, total, page, per_page })
}

/// One line of the roster page: what the list shows of a member, nothing more (the ID number
/// and phone as stored: the page masks them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterLine {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    pub sex: Sex,
    pub id_number: String,
    pub birth_date: NaiveDate,
    pub category: Category,
    pub join_date: NaiveDate,
    pub phone: Option<String>,
    pub is_mobile: bool,
    pub is_lost_contact: bool,
    pub is_needy: bool,
    pub status: Status,
    pub status_date: Option<NaiveDate>,
}

const LINE_COLS: &str = "m.id, m.org_id, m.name, m.sex, m.id_number, m.birth_date, m.category, m.join_date, m.phone, \
    m.is_mobile, m.is_lost_contact, m.is_needy, m.status, m.status_date";

/// A text column of a [`Store::direct`] read, borrowed (codes that map to an enum).
fn code_at<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    r.get_ref(i)?
        .as_str()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: i64,
    org_id: i64,
    name: String,
    sex: String,
    id_number: String,
    birth_date: NaiveDate,
    category: String,
    join_date: NaiveDate,
    phone: Option<String>,
    is_mobile: bool,
    is_lost_contact: bool,
    is_needy: bool,
    status: String,
    status_date: Option<NaiveDate>,
    org_name: String,
    total: i64,
}

/// The roster page of the members page: [`roster_in`]'s members, filter, order and count, with
/// only the columns the page shows. On SQLite it reads on the calling thread, and each
/// organization's name once per page (a page in tree order holds a few organizations).
pub async fn roster_lines(
    store: &Store,
    org: &Visible<domain::org::Org>,
    f: &MemberFilter,
    sort: MemberSort,
    desc: bool,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<RosterLine>> {
    let RosterQuery { page, per_page, where_, a, total, quick, order } =
        roster_query(org, f, sort, desc, page, per_page);
    let (lim, off) = (a.len() - 1, a.len());
    let direct = roster_direct(store, quick, |c| {
        let sql = format!(
            "SELECT {LINE_COLS}, CAST({total} AS BIGINT) FROM member m WHERE {where_} ORDER BY {order} LIMIT ${lim} OFFSET ${off}"
        );
        let mut st = c.prepare_cached(&crate::db::lite(&sql))?;
        // each organization's name once, read while the page's statement is open: the page,
        // its count and the names come from one read transaction (one snapshot, one WAL lock)
        let mut name_of = c.prepare_cached("SELECT name FROM org WHERE id = ?1")?;
        let mut known: Vec<(i64, String)> = Vec::new();
        let mut rows = st.query(rusqlite::params_from_iter(a.iter()))?;
        let (mut items, mut counted) = (Vec::with_capacity(per_page as usize), None);
        while let Some(r) = rows.next()? {
            let org_id: i64 = r.get(1)?;
            let org_name = match known.iter().find(|(id, _)| *id == org_id) {
                Some((_, n)) => n.clone(),
                None => {
                    let n: String = name_of.query_row([org_id], |r| r.get(0))?;
                    known.push((org_id, n.clone()));
                    n
                }
            };
            items.push(RosterLine {
                id: r.get(0)?,
                org_id,
                org_name,
                name: r.get(2)?,
                sex: Sex::from_code(code_at(r, 3)?).unwrap_or(Sex::Male),
                id_number: r.get(4)?,
                birth_date: crate::db::direct_date(r, 5)?,
                category: Category::from_code(code_at(r, 6)?).unwrap_or(Category::Full),
                join_date: crate::db::direct_date(r, 7)?,
                phone: r.get(8)?,
                is_mobile: r.get(9)?,
                is_lost_contact: r.get(10)?,
                is_needy: r.get(11)?,
                status: Status::from_code(code_at(r, 12)?).unwrap_or(Status::Normal),
                status_date: crate::db::direct_opt_date(r, 13)?,
            });
            counted = Some(r.get::<_, i64>(14)?);
        }
        drop(rows);
        let total = match counted {
            Some(t) => t,
            None => count_alone(c, &total, &a)?,
        };
        Ok((items, total))
    });
    if let Some(r) = direct {
        let (items, total) = r?;
        return Ok(Page { items, total, page, per_page });
    }
    let sql = format!(
        "SELECT {LINE_COLS}, o.name AS org_name, CAST({total} AS BIGINT) AS total FROM member m \
         JOIN org o ON o.id = m.org_id WHERE {where_} ORDER BY {order} LIMIT ${lim} OFFSET ${off}"
    );
    let rows: Vec<LineRow> = store.read().fetch_all(&sql, &a).await?;
    let total = match rows.first() {
        Some(r) => r.total,
        None => store.read().scalar(&format!("SELECT CAST({total} AS BIGINT)"), &a[..a.len() - 2]).await?,
    };
    let items = rows
        .into_iter()
        .map(|r| RosterLine {
            id: r.id,
            org_id: r.org_id,
            org_name: r.org_name,
            name: r.name,
            sex: Sex::from_code(&r.sex).unwrap_or(Sex::Male),
            id_number: r.id_number,
            birth_date: r.birth_date,
            category: Category::from_code(&r.category).unwrap_or(Category::Full),
            join_date: r.join_date,
            phone: r.phone,
            is_mobile: r.is_mobile,
            is_lost_contact: r.is_lost_contact,
            is_needy: r.is_needy,
            status: Status::from_code(&r.status).unwrap_or(Status::Normal),
            status_date: r.status_date,
        })
        .collect();
    Ok(Page { items, total, page, per_page })
}

/// Stream every member (any status) of a subtree in tree order, in chunks, for exports.
pub async fn for_each_chunk<F>(store: &Store, scope: &Scope, org_id: i64, chunk: i64, mut f: F) -> StoreResult<()>
where
    F: FnMut(Vec<Member>) -> StoreResult<()>,
{
    let org = crate::org::get(store, scope, org_id).await?;
    let end = path::subtree_end(&org.path);
    let (mut last_path, mut last_id) = (org.path.clone(), -1i64);
    loop {
        let rows: Vec<MemberRow> = store
            .read()
            .fetch_all(
                &format!(
                    "SELECT {MEMBER_COLS} FROM member m WHERE m.path < $1 AND (m.path > $2 OR (m.path = $2 AND m.id > $3)) \
                     ORDER BY m.path, m.id LIMIT $4"
                ),
                &args![end.clone(), last_path.clone(), last_id, chunk],
            )
            .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let items: Vec<Member> = rows.into_iter().map(MemberRow::into_member).collect();
        let last = items.last().expect("non-empty");
        last_path = last.path.clone();
        last_id = last.id;
        let done = (items.len() as i64) < chunk;
        f(items)?;
        if done {
            return Ok(());
        }
    }
}

/// The outcome of a bulk write.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct BulkReport {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// A row for a bulk write: a validated member and where it goes.
#[derive(Debug, Clone)]
pub struct BulkRow {
    pub org_id: i64,
    pub org_path: String,
    pub member: ValidMember,
}

/// Why a bulk row was refused (the caller reports it against the input row).
#[derive(Debug, Clone)]
pub struct BulkReject {
    pub index: usize,
    pub field: &'static str,
    pub message: String,
}

/// Insert or update many members inside the caller's transaction. Bulk writes do not audit each
/// row: the caller records one summary with [`crate::audit::record`] in the same transaction. A row whose ID number matches a
/// current member in scope updates that member (so re-importing a file duplicates no one); one
/// matching a member outside the scope is rejected. Roll-ups are applied once per organization.
pub async fn upsert_batch(
    tx: &mut Tx,
    scope: &Scope,
    rows: &[BulkRow],
    report: &mut BulkReport,
) -> StoreResult<Vec<BulkReject>> {
    let mut rejects = Vec::new();
    if rows.is_empty() {
        return Ok(rejects);
    }
    // existing current members with these ID numbers
    let mut existing: HashMap<String, Member> = HashMap::new();
    for chunk in rows.chunks(500) {
        let (ph, a) = crate::org::in_list(1, chunk.iter().map(|r| Val::from(r.member.id_number.clone())));
        let found: Vec<MemberRow> = tx
            .x()
            .fetch_all(
                &format!("SELECT {MEMBER_COLS} FROM member m WHERE m.status = 'normal' AND m.id_number IN ({ph})"),
                &a,
            )
            .await?;
        for r in found {
            let m = r.into_member();
            existing.insert(m.id_number.clone(), m);
        }
    }
    let mut deltas: HashMap<String, Counts> = HashMap::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    // an existing member may be written by one row of a batch only (a second row would apply its
    // roll-up change twice)
    let mut touched: HashMap<i64, usize> = HashMap::new();
    let mut inserts: Vec<&BulkRow> = Vec::new();
    let t = now();
    for (i, r) in rows.iter().enumerate() {
        let v = &r.member;
        if v.status.is_current() {
            if let Some(first) = seen.insert(&v.id_number, i) {
                rejects.push(BulkReject {
                    index: i,
                    field: "公民身份号码",
                    message: format!("与本批第 {} 行重复", first + 1),
                });
                continue;
            }
        }
        match existing.get(&v.id_number) {
            Some(old) if !scope.contains(&old.path) => {
                rejects.push(BulkReject {
                    index: i,
                    field: "公民身份号码",
                    message: "已在其他党组织登记为党员，请办理组织关系转接，不要重复登记".into(),
                });
            }
            Some(old) => {
                if let Some(first) = touched.insert(old.id, i) {
                    rejects.push(BulkReject {
                        index: i,
                        field: "公民身份号码",
                        message: format!("与本批第 {} 行是同一名党员", first + 1),
                    });
                    continue;
                }
                if old.org_id == r.org_id && old_equals(old, v) {
                    report.unchanged += 1;
                    continue;
                }
                write_row(tx, old.id, r, t).await?;
                if old.org_id != r.org_id {
                    crate::life::record_move(tx, old.id, old.org_id, r.org_id).await?;
                }
                let minus = Counts::default().minus(&Counts::of(&facts_of_member(old)));
                deltas.entry(old.path.clone()).or_default().add(&minus);
                deltas.entry(r.org_path.clone()).or_default().add(&Counts::of(&facts_of_valid(v)));
                report.updated += 1;
            }
            None => inserts.push(r),
        }
    }
    insert_many(tx, &inserts, t).await?;
    for r in &inserts {
        deltas.entry(r.org_path.clone()).or_default().add(&Counts::of(&facts_of_valid(&r.member)));
    }
    report.inserted += inserts.len() as u64;
    rollup::apply_many(tx, &deltas).await?;
    Ok(rejects)
}

/// Overwrite the stored member `id` with a bulk row.
async fn write_row(tx: &mut Tx, id: i64, r: &BulkRow, t: chrono::DateTime<chrono::Utc>) -> StoreResult<()> {
    let mut a = member_args(&r.member);
    a.extend(args![r.org_id, r.org_path.clone(), t, id]);
    tx.x()
        .execute(
            "UPDATE member SET name = $1, sex = $2, id_number = $3, ethnicity = $4, birth_date = $5, education = $6, \
             category = $7, join_date = $8, full_date = $9, job_post = $10, phone = $11, work_unit = $12, \
             residence_community = $13, occupation = $14, is_mobile = $15, mobile_to = $16, is_lost_contact = $17, \
             is_needy = $18, status = $19, status_date = $20, org_id = $21, path = $22, updated_at = $23 WHERE id = $24",
            &a,
        )
        .await?;
    Ok(())
}

/// Former members (history rows: 停止党籍, 出党, 死亡, 已转出) in bulk. A row that matches a stored
/// former-member record in scope with the same ID number, status and status date updates that
/// record (or leaves it unchanged), so re-importing history duplicates no one. A row for someone
/// who is a *current* member in scope is not written: its index is returned, for the caller to
/// apply as a status change through [`upsert_batch`] or to insert as an earlier episode through
/// [`insert_new`]. The rest are inserted. Former members are not counted, so roll-ups do not
/// change. Rows are expected to be distinct by (ID number, status, status date).
pub async fn upsert_history_batch(
    tx: &mut Tx,
    scope: &Scope,
    rows: &[BulkRow],
    report: &mut BulkReport,
) -> StoreResult<Vec<usize>> {
    let mut stored: HashMap<(String, Status, Option<NaiveDate>), Member> = HashMap::new();
    let mut current: HashMap<String, String> = HashMap::new();
    let mut ids: Vec<&str> = rows.iter().map(|r| r.member.id_number.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(500) {
        let (ph, a) = crate::org::in_list(1, chunk.iter().map(|s| Val::from(*s)));
        let found: Vec<MemberRow> = tx
            .x()
            .fetch_all(&format!("SELECT {MEMBER_COLS} FROM member m WHERE m.id_number IN ({ph}) ORDER BY m.id"), &a)
            .await?;
        for m in found.into_iter().map(MemberRow::into_member) {
            if m.status.is_current() {
                current.insert(m.id_number.clone(), m.path.clone());
            } else if scope.contains(&m.path) {
                stored.entry((m.id_number.clone(), m.status, m.status_date)).or_insert(m);
            }
        }
    }
    let t = now();
    let mut deferred = Vec::new();
    let mut inserts: Vec<&BulkRow> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let v = &r.member;
        debug_assert!(!v.status.is_current());
        if let Some(old) = stored.get(&(v.id_number.clone(), v.status, v.status_date)) {
            if old.org_id == r.org_id && old_equals(old, v) {
                report.unchanged += 1;
            } else {
                write_row(tx, old.id, r, t).await?;
                report.updated += 1;
            }
        } else if current.get(&v.id_number).is_some_and(|p| scope.contains(p)) {
            deferred.push(i);
        } else {
            inserts.push(r);
        }
    }
    insert_many(tx, &inserts, t).await?;
    report.inserted += inserts.len() as u64;
    Ok(deferred)
}

fn old_equals(old: &Member, v: &ValidMember) -> bool {
    old.name == v.name
        && old.sex == v.sex
        && old.ethnicity == v.ethnicity
        && old.birth_date == v.birth_date
        && old.education == v.education
        && old.category == v.category
        && old.join_date == v.join_date
        && old.full_date == v.full_date
        && old.job_post == v.job_post
        && old.phone == v.phone
        && old.work_unit == v.work_unit
        && old.residence_community == v.residence_community
        && old.occupation == v.occupation
        && old.is_mobile == v.is_mobile
        && old.mobile_to == v.mobile_to
        && old.is_lost_contact == v.is_lost_contact
        && old.is_needy == v.is_needy
        && old.status == v.status
        && old.status_date == v.status_date
}

/// Multi-row INSERTs, 400 rows per statement (24 parameters a row stays under both backends'
/// parameter limits).
async fn insert_many(tx: &mut Tx, rows: &[&BulkRow], t: chrono::DateTime<chrono::Utc>) -> StoreResult<()> {
    const PER_STMT: usize = 400;
    for chunk in rows.chunks(PER_STMT) {
        let mut sql = format!("INSERT INTO member ({INSERT_COLS}) VALUES ");
        let mut a: Vec<Val> = Vec::with_capacity(chunk.len() * INSERT_WIDTH);
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for j in 0..INSERT_WIDTH {
                if j > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", i * INSERT_WIDTH + j + 1));
            }
            sql.push(')');
            a.extend(member_args(&r.member));
            a.extend(args![r.org_id, r.org_path.clone(), t, t]);
        }
        tx.x().execute(&sql, &a).await?;
    }
    Ok(())
}

/// Insert validated members known to be new (demo builder): no look-ups, roll-ups in one pass.
pub async fn insert_new(tx: &mut Tx, rows: &[BulkRow]) -> StoreResult<()> {
    let refs: Vec<&BulkRow> = rows.iter().collect();
    insert_many(tx, &refs, now()).await?;
    let mut deltas: HashMap<String, Counts> = HashMap::new();
    for r in rows {
        deltas.entry(r.org_path.clone()).or_default().add(&Counts::of(&facts_of_valid(&r.member)));
    }
    rollup::apply_many(tx, &deltas).await
}
