//! One member: reading, entering, changing, status changes.

use crate::args;
use crate::db::{now, Exec, Store, Tx, Val};
use crate::error::{StoreError, StoreResult};
use crate::rollup::{self, Counts};
use crate::scope::Scope;
use chrono::NaiveDate;
use domain::member::{Category, Member, MemberInput, Status, ValidMember};
use serde::Serialize;
use serde_json::json;

use super::*;

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

pub(crate) fn member_args(v: &ValidMember) -> Vec<Val> {
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

pub(crate) const INSERT_COLS: &str =
    "name, sex, id_number, ethnicity, birth_date, education, category, join_date, full_date, job_post, phone, \
    work_unit, residence_community, occupation, is_mobile, mobile_to, is_lost_contact, is_needy, status, status_date, \
    org_id, path, created_at, updated_at";
pub(crate) const INSERT_WIDTH: usize = 24;

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
    if v.version.is_some_and(|seen| seen != old.version) {
        return Err(StoreError::Stale("党员信息"));
    }
    let mut a = member_args(v);
    a.extend(args![org.id, org.path.clone(), now(), id, old.version]);
    // the version read must still be the stored one when the row is written
    let written = tx
        .x()
        .execute(
            "UPDATE member SET name = $1, sex = $2, id_number = $3, ethnicity = $4, birth_date = $5, education = $6, category = $7, \
             join_date = $8, full_date = $9, job_post = $10, phone = $11, work_unit = $12, residence_community = $13, \
             occupation = $14, is_mobile = $15, mobile_to = $16, is_lost_contact = $17, is_needy = $18, status = $19, \
             status_date = $20, org_id = $21, path = $22, updated_at = $23, version = version + 1 WHERE id = $24 AND version = $25",
            &a,
        )
        .await?;
    if written == 0 {
        return Err(StoreError::Stale("党员信息"));
    }
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
