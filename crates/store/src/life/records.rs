//! Records.

use crate::db::{now, Exec, Store, Tx};
use crate::error::{StoreError, StoreResult};
use crate::member::Page;
use crate::scope::Scope;
use crate::Visible;
use crate::{args, Val};
use chrono::{DateTime, NaiveDate, Utc};
use domain::life::{self as dl, RecordInput, RecordStatus};
use domain::org::Org;
use domain::{path, FieldErrors};
use serde::Serialize;
use serde_json::json;

use super::*;

/// A record as stored (without its attendance, resolutions and attachments).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Record {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub path: String,
    pub types: String,
    pub title: String,
    pub held_on: NaiveDate,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub place: String,
    pub host: String,
    pub recorder: String,
    pub lecturer: Option<String>,
    /// The member who gave a 党课, when known (chosen, or matched by name on entry).
    pub lecturer_member_id: Option<i64>,
    /// 所属年度 (LIFE-18); records entered before it existed may lack it.
    pub belongs_to_year: Option<i64>,
    pub agenda: Option<String>,
    pub minutes: Option<String>,
    pub observers: Option<String>,
    pub expected: i64,
    pub present: i64,
    pub on_leave: i64,
    pub absent: i64,
    pub voters_expected: i64,
    pub voters_present: i64,
    pub has_attendance: bool,
    pub quorum_ok: Option<bool>,
    pub status: String,
    pub return_reason: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
    pub created_by: String,
    pub created_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Advanced by every change of the record (content, submission, review).
    pub version: i64,
}

impl Record {
    pub fn type_codes(&self) -> Vec<String> {
        self.types.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
    }
    pub fn state(&self) -> RecordStatus {
        RecordStatus::from_code(&self.status).unwrap_or(RecordStatus::Draft)
    }
    pub fn has_minutes(&self) -> bool {
        self.minutes.as_deref().is_some_and(|m| !m.trim().is_empty())
    }
}

const RECORD_COLS: &str = "r.id, r.org_id, o.name AS org_name, r.path, r.types, r.title, r.held_on, r.start_time, r.end_time, \
    r.place, r.host, r.recorder, r.lecturer, r.lecturer_member_id, r.belongs_to_year, r.agenda, r.minutes, r.observers, r.expected, r.present, r.on_leave, r.absent, \
    r.voters_expected, r.voters_present, r.has_attendance, r.quorum_ok, r.status, r.return_reason, r.submitted_at, \
    r.reviewed_at, r.reviewed_by, r.created_by, r.created_on, r.created_at, r.updated_at, r.version";

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct AttendanceRow {
    pub member_id: i64,
    pub name: String,
    pub is_voter: bool,
    pub status: String,
    pub reason: Option<String>,
}

impl AttendanceRow {
    pub fn label(&self) -> &'static str {
        dl::Attend::from_code(&self.status).map_or("", dl::Attend::label)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct ResolutionRow {
    pub seq: i64,
    pub text: String,
    pub voters_expected: i64,
    pub yes: i64,
    pub no: i64,
    pub abstain: i64,
    pub method: String,
    pub passed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct AttachmentMeta {
    pub id: i64,
    pub record_id: i64,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A record with everything that belongs to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordFull {
    pub record: Record,
    pub attendance: Vec<AttendanceRow>,
    pub resolutions: Vec<ResolutionRow>,
    pub attachments: Vec<AttachmentMeta>,
    /// May the caller review it (its organization's superior is in the caller's scope)?
    pub reviewable: bool,
}

fn today_cst() -> NaiveDate {
    Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8")).date_naive()
}

/// The outcome of saving a record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Saved {
    pub id: i64,
    /// Problems that did not stop saving (held without quorum), each naming its rule.
    pub warnings: Vec<String>,
}

/// Check a record as entered against the roster of its meeting's date. `roster_on`: the date of the
/// roster the attendance was entered from, against which attendance, votes and the lecturer are
/// checked while the meeting's date itself is missing or wrong (so that every problem of the
/// record is found at once, not one round after the date is put right).
async fn validated(
    store: &Store,
    org: &Org,
    input: &RecordInput,
    today: NaiveDate,
    roster_on: Option<NaiveDate>,
) -> StoreResult<dl::ValidRecord> {
    if !dl::records_life(org.kind) {
        let mut e = FieldErrors::default();
        e.push("党组织", format!("{}不登记组织生活，请选择其下级党组织", org.kind.label()));
        return Err(e.into());
    }
    let all_types = types(store).await?;
    let held_on = domain::dates::parse_date(&input.held_on).ok();
    let usable = held_on.filter(|d| dl::usable_date(*d, today));
    let (roster, officers) = match usable.or(roster_on).or(held_on) {
        Some(d) => {
            (roster_of(store.read(), org, d).await?, crate::officer::officers_around(store.read(), org, d).await?)
        }
        None => (vec![], vec![]),
    };
    // the lecturer chosen by member id: named on the record by that member's name
    let mut input = input.clone();
    let mut errs = FieldErrors::default();
    let chosen = match input.lecturer_member_id.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(id) => {
                let name = roster
                    .iter()
                    .find(|r| r.member_id == id)
                    .map(|r| r.name.clone())
                    .or_else(|| officers.iter().find(|o| o.member_id == id).map(|o| o.name.clone()));
                match name {
                    Some(n) => {
                        if input.lecturer.trim().is_empty() {
                            input.lecturer = n;
                        }
                        Some(id)
                    }
                    None => {
                        errs.push(
                            "授课人",
                            "所选授课人在会议当日既不是本组织党员，也不是本组织或上级党组织的班子成员 (REC-10)",
                        );
                        None
                    }
                }
            }
            Err(_) => {
                errs.push("授课人", format!("“{t}”不是有效的党员编号"));
                None
            }
        },
    };
    let year = match held_on {
        Some(d) => {
            let (rules, windows) = (rules(store).await?, year_windows(store).await?);
            let yearly = dl::is_yearly(&rules, &input.types, &org.path, org.kind, org.has_committee, d);
            match dl::resolve_year(&input.belongs_to_year, d, yearly, dl::year_window_for(&windows, &org.path, d)) {
                Ok(y) => Some(y),
                Err(e) => {
                    errs.0.extend(e.0);
                    None
                }
            }
        }
        None => None,
    };
    let mut v = match dl::validate(&input, &all_types, &roster, today) {
        Ok(v) if errs.is_empty() => v,
        Ok(_) => return Err(errs.into()),
        Err(mut e) => {
            e.0.extend(errs.0);
            return Err(e.into());
        }
    };
    v.belongs_to_year = year;
    // the lecturer named by text: the one officer (of this organization or above) or member of
    // the roster of that name on the date, when exactly one person has it
    v.lecturer_member_id = chosen.or_else(|| {
        let name = v.lecturer.as_deref()?;
        let mut ids: Vec<i64> = officers.iter().filter(|o| o.name == name).map(|o| o.member_id).collect();
        if ids.is_empty() {
            ids = roster.iter().filter(|r| r.name == name).map(|r| r.member_id).collect();
        }
        ids.sort_unstable();
        ids.dedup();
        (ids.len() == 1).then(|| ids[0])
    });
    Ok(v)
}

/// Check a record as entered for an organization in scope without saving it: every problem at
/// once (see [`validated`] for `roster_on`), or the warnings saving it would give. Reads only.
pub async fn check(
    store: &Store,
    scope: &Scope,
    org_id: i64,
    input: &RecordInput,
    roster_on: Option<NaiveDate>,
) -> StoreResult<Vec<String>> {
    let org = crate::org::get(store, scope, org_id).await?;
    Ok(validated(store, &org, input, today_cst(), roster_on).await?.warnings)
}

/// Enter a record for an organization in scope, as a draft (or submitted at once). Checked on
/// entry (see [`domain::life::validate`]); attendance, resolutions and the record are written in
/// one transaction and audited.
pub async fn create(
    store: &Store,
    scope: &Scope,
    org_id: i64,
    input: &RecordInput,
    submit: bool,
) -> StoreResult<Saved> {
    let org = crate::org::get(store, scope, org_id).await?;
    let today = today_cst();
    let v = validated(store, &org, input, today, None).await?;
    let t = now();
    let status = if submit { RecordStatus::Submitted } else { RecordStatus::Draft };
    let by = scope.actor().name.clone();
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO life_record (org_id, path, types, title, held_on, start_time, end_time, place, host, recorder, lecturer, \
             agenda, minutes, observers, expected, present, on_leave, absent, voters_expected, voters_present, has_attendance, \
             quorum_ok, belongs_to_year, lecturer_member_id, status, submitted_at, created_by, created_on, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, \
             $24, $25, $26, $27, $28, $29, $30) RETURNING id",
            &[
                vec![Val::from(org.id), Val::from(org.path.clone())],
                content_vals(&v),
                args![status.code(), submit.then_some(t), by, today, t, t].to_vec(),
            ]
            .concat(),
        )
        .await?;
    write_children(&mut tx, id, &v).await?;
    crate::audit::record(
        &mut tx,
        scope,
        "life.create",
        &format!("life_record:{id}"),
        "ok",
        audit_detail(&org, &v, status),
    )
    .await?;
    if submit {
        let e = crate::message::LifeEvent {
            record_id: id,
            org_id: org.id,
            path: &org.path,
            org_name: &org.name,
            title: &v.title,
            held_on: v.held_on,
        };
        crate::message::life_submitted(&mut tx, scope, &e).await?;
    }
    tx.commit().await?;
    Ok(Saved { id, warnings: v.warnings })
}

/// The stored content of a record, in column order from `types` to `lecturer_member_id` (what create and
/// update both write).
fn content_vals(v: &dl::ValidRecord) -> Vec<Val> {
    vec![
        Val::from(v.types.join(",")),
        Val::from(v.title.clone()),
        Val::from(v.held_on),
        Val::from(v.start_time.clone()),
        Val::from(v.end_time.clone()),
        Val::from(v.place.clone()),
        Val::from(v.host.clone()),
        Val::from(v.recorder.clone()),
        Val::from(v.lecturer.clone()),
        Val::from(v.agenda.clone()),
        Val::from(v.minutes.clone()),
        Val::from(v.observers.clone()),
        Val::from(v.counts.expected),
        Val::from(v.counts.present),
        Val::from(v.counts.leave),
        Val::from(v.counts.absent),
        Val::from(v.counts.voters_expected),
        Val::from(v.counts.voters_present),
        Val::from(!v.attendance.is_empty() || (v.counts.expected > 0 && v.counts.present > 0)),
        Val::OptBool(v.quorum_ok),
        Val::from(v.belongs_to_year.map(i64::from)),
        Val::from(v.lecturer_member_id),
    ]
}

fn audit_detail(org: &Org, v: &dl::ValidRecord, status: RecordStatus) -> serde_json::Value {
    json!({
        "org": org.id, "types": v.types, "title": v.title, "held_on": v.held_on, "status": status.code(),
        "expected": v.counts.expected, "present": v.counts.present, "leave": v.counts.leave, "absent": v.counts.absent,
        "quorum_ok": v.quorum_ok, "resolutions": v.resolutions.len(), "has_minutes": v.minutes.is_some(),
        "belongs_to_year": v.belongs_to_year, "lecturer_member_id": v.lecturer_member_id,
    })
}

async fn write_children(tx: &mut Tx, id: i64, v: &dl::ValidRecord) -> StoreResult<()> {
    for chunk in v.attendance.chunks(150) {
        let mut sql =
            String::from("INSERT INTO life_attendance (record_id, member_id, name, is_voter, status, reason) VALUES ");
        let mut a: Vec<Val> = Vec::with_capacity(chunk.len() * 6);
        for (i, at) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let b = a.len();
            sql.push_str(&format!("(${}, ${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6));
            a.extend(args![
                id,
                at.member_id,
                at.name.clone(),
                at.voter,
                at.status.code(),
                (!at.reason.is_empty()).then(|| at.reason.clone())
            ]);
        }
        tx.x().execute(&sql, &a).await?;
    }
    for (i, r) in v.resolutions.iter().enumerate() {
        tx.x()
            .execute(
                "INSERT INTO life_resolution (record_id, seq, text, voters_expected, yes, no, abstain, method, passed) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &args![id, i as i64 + 1, r.text.clone(), r.voters_expected, r.yes, r.no, r.abstain, r.method.clone(), r.passed],
            )
            .await?;
    }
    Ok(())
}

async fn load_record(exec: Exec<'_>, id: i64) -> StoreResult<Option<Record>> {
    exec.fetch_optional(
        &format!("SELECT {RECORD_COLS} FROM life_record r JOIN org o ON o.id = r.org_id WHERE r.id = $1"),
        &args![id],
    )
    .await
}

/// A record whose organization is in scope; anything else is not found.
pub async fn get(store: &Store, scope: &Scope, id: i64) -> StoreResult<RecordFull> {
    let record = load_record(store.read(), id)
        .await?
        .filter(|r| scope.contains(&r.path))
        .ok_or(StoreError::NotFound("会议记录"))?;
    let attendance = store
        .read()
        .fetch_all(
            "SELECT member_id, name, is_voter, status, reason FROM life_attendance WHERE record_id = $1 \
             ORDER BY CASE status WHEN 'present' THEN 0 WHEN 'leave' THEN 1 ELSE 2 END, member_id",
            &args![id],
        )
        .await?;
    let resolutions = store
        .read()
        .fetch_all(
            "SELECT seq, text, voters_expected, yes, no, abstain, method, passed FROM life_resolution WHERE record_id = $1 ORDER BY seq",
            &args![id],
        )
        .await?;
    let attachments = attachments_of(store, id).await?;
    let reviewable = dl::reviewer_path(&record.path).is_some_and(|p| scope.contains(p));
    Ok(RecordFull { record, attendance, resolutions, attachments, reviewable })
}

/// Change a draft or returned record (it becomes a draft again). Audited with the changed fields.
pub async fn update(store: &Store, scope: &Scope, id: i64, input: &RecordInput) -> StoreResult<Saved> {
    let old = get(store, scope, id).await?.record;
    if !old.state().editable() {
        return Err(StoreError::Refused(format!("记录{}，不能修改；如需更正请由上级退回", old.state().label())));
    }
    if input.version.is_some_and(|seen| seen != old.version) {
        return Err(StoreError::Stale("会议记录"));
    }
    let org = crate::org::get(store, scope, old.org_id).await?;
    let v = validated(store, &org, input, today_cst(), None).await?;
    let mut tx = store.begin().await?;
    let changed = tx
        .x()
        .execute(
            "UPDATE life_record SET types = $1, title = $2, held_on = $3, start_time = $4, end_time = $5, place = $6, host = $7, \
             recorder = $8, lecturer = $9, agenda = $10, minutes = $11, observers = $12, expected = $13, present = $14, \
             on_leave = $15, absent = $16, voters_expected = $17, voters_present = $18, has_attendance = $19, quorum_ok = $20, \
             belongs_to_year = $21, lecturer_member_id = $22, status = 'draft', updated_at = $23, version = version + 1 \
             WHERE id = $24 AND status IN ('draft', 'returned') AND version = $25",
            &[content_vals(&v), args![now(), id, old.version].to_vec()].concat(),
        )
        .await?;
    if changed == 0 {
        // changed meanwhile: submitted or reviewed (refused as before), or edited by someone else
        let now_stored = get(store, scope, id).await?.record;
        return Err(if now_stored.state().editable() {
            StoreError::Stale("会议记录")
        } else {
            StoreError::Refused("记录已被提交或审核，未作修改".into())
        });
    }
    tx.x().execute("DELETE FROM life_attendance WHERE record_id = $1", &args![id]).await?;
    tx.x().execute("DELETE FROM life_resolution WHERE record_id = $1", &args![id]).await?;
    write_children(&mut tx, id, &v).await?;
    let before = json!({ "types": old.types, "title": old.title, "held_on": old.held_on, "present": old.present, "status": old.status });
    let after = audit_detail(&org, &v, RecordStatus::Draft);
    crate::audit::record(
        &mut tx,
        scope,
        "life.update",
        &format!("life_record:{id}"),
        "ok",
        crate::audit::diff(&before, &after),
    )
    .await?;
    tx.commit().await?;
    Ok(Saved { id, warnings: v.warnings })
}

/// Submit a draft or returned record to the superior for review.
pub async fn submit(store: &Store, scope: &Scope, id: i64) -> StoreResult<()> {
    let r = get(store, scope, id).await?.record;
    if !r.state().editable() {
        return Err(StoreError::Refused(format!("记录{}，无需再次提交", r.state().label())));
    }
    let mut tx = store.begin().await?;
    tx.x()
        .execute(
            "UPDATE life_record SET status = 'submitted', submitted_at = $1, updated_at = $1, version = version + 1 WHERE id = $2",
            &args![now(), id],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "life.submit",
        &format!("life_record:{id}"),
        "ok",
        json!({ "from": r.status }),
    )
    .await?;
    crate::message::life_submitted(&mut tx, scope, &message_event(&r)).await?;
    tx.commit().await?;
    Ok(())
}

/// The superior's review of a submitted record: accept, or return with a reason. Needs the
/// record's organization's parent in scope (nobody reviews their own organization's records).
pub async fn review(store: &Store, scope: &Scope, id: i64, accept: bool, reason: &str) -> StoreResult<()> {
    let full = get(store, scope, id).await?;
    if !full.reviewable {
        return Err(StoreError::Refused("会议记录由上级党组织审核，不能审核本组织的记录".into()));
    }
    let r = full.record;
    if r.state() != RecordStatus::Submitted {
        return Err(StoreError::Refused(format!("记录{}，只有待审核的记录可以审核", r.state().label())));
    }
    let reason = reason.trim();
    if !accept && reason.is_empty() {
        let mut e = FieldErrors::default();
        e.push("退回原因", "退回时请写明原因");
        return Err(e.into());
    }
    if reason.chars().count() > 500 {
        let mut e = FieldErrors::default();
        e.push("退回原因", "不能超过 500 字");
        return Err(e.into());
    }
    let (status, action) = if accept { ("accepted", "life.accept") } else { ("returned", "life.return") };
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE life_record SET status = $1, return_reason = $2, reviewed_at = $3, reviewed_by = $4, updated_at = $3, \
             version = version + 1 \
             WHERE id = $5 AND status = 'submitted'",
            &args![status, (!accept).then(|| reason.to_string()), now(), scope.actor().name.clone(), id],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Refused("记录已被他人审核".into()));
    }
    crate::audit::record(&mut tx, scope, action, &format!("life_record:{id}"), "ok", json!({ "reason": reason }))
        .await?;
    crate::message::life_reviewed(&mut tx, scope, &message_event(&r), accept, reason).await?;
    tx.commit().await?;
    Ok(())
}

/// Most records one bulk review may decide.
pub const REVIEW_MANY_MAX: usize = 500;

/// How a record is named in a bulk review's refusal: its title, organization and date.
pub fn record_name(r: &Record) -> String {
    format!("“{}”（{}，{}）", r.title, r.org_name, r.held_on)
}

/// The superior's review of many submitted records at once: all accepted, or all returned, each
/// with its reason (`(id, reason)`; the reason is required to return, at most 500 characters). One
/// transaction: every record is checked first (in scope, reviewable by the caller, submitted, a
/// reason when returned), and the first that fails refuses the whole request, naming the record,
/// with nothing written. Each record is audited on its own, as a single review is.
pub async fn review_many(store: &Store, scope: &Scope, items: &[(i64, String)], accept: bool) -> StoreResult<usize> {
    if items.len() > REVIEW_MANY_MAX {
        return Err(StoreError::Refused(format!("一次最多审核 {REVIEW_MANY_MAX} 条记录，请分批审核")));
    }
    let mut checked: Vec<(Record, String)> = Vec::with_capacity(items.len());
    for (id, reason) in items {
        if checked.iter().any(|(r, _)| r.id == *id) {
            continue;
        }
        let full = get(store, scope, *id).await?;
        let r = full.record;
        let name = record_name(&r);
        if !full.reviewable {
            return Err(StoreError::Refused(format!("会议记录由上级党组织审核，不能审核本组织的记录{name}")));
        }
        if r.state() != RecordStatus::Submitted {
            return Err(StoreError::Refused(format!("记录{name}{}，只有待审核的记录可以审核", r.state().label())));
        }
        let reason = reason.trim().to_string();
        let mut e = FieldErrors::default();
        if !accept && reason.is_empty() {
            e.push("退回原因", format!("退回记录{name}时请写明原因"));
        } else if reason.chars().count() > 500 {
            e.push("退回原因", format!("记录{name}的退回原因不能超过 500 字"));
        }
        if !e.is_empty() {
            return Err(e.into());
        }
        checked.push((r, reason));
    }
    let (status, action) = if accept { ("accepted", "life.accept") } else { ("returned", "life.return") };
    let mut tx = store.begin().await?;
    let t = now();
    for (r, reason) in &checked {
        let n = tx
            .x()
            .execute(
                "UPDATE life_record SET status = $1, return_reason = $2, reviewed_at = $3, reviewed_by = $4, updated_at = $3, \
             version = version + 1 \
                 WHERE id = $5 AND status = 'submitted'",
                &args![status, (!accept).then(|| reason.clone()), t, scope.actor().name.clone(), r.id],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Refused(format!("记录{}已被他人审核，本次审核未保存任何记录", record_name(r))));
        }
        crate::audit::record(
            &mut tx,
            scope,
            action,
            &format!("life_record:{}", r.id),
            "ok",
            json!({ "reason": reason, "together_with": checked.len() }),
        )
        .await?;
        crate::message::life_reviewed(&mut tx, scope, &message_event(r), accept, reason).await?;
    }
    tx.commit().await?;
    Ok(checked.len())
}

/// The record as the messages about it (submitted, returned) name it.
pub(crate) fn message_event(r: &Record) -> crate::message::LifeEvent<'_> {
    crate::message::LifeEvent {
        record_id: r.id,
        org_id: r.org_id,
        path: &r.path,
        org_name: &r.org_name,
        title: &r.title,
        held_on: r.held_on,
    }
}

/// Filters of the record list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordFilter {
    pub type_code: Option<String>,
    pub status: Option<RecordStatus>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only records awaiting the caller's review (submitted, organization strictly below `org`).
    pub to_review: bool,
}

/// Records of an organization's subtree (read through the scope), newest first, a page at a time.
pub async fn list(
    store: &Store,
    org: &Visible<Org>,
    f: &RecordFilter,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<Record>> {
    let per_page = per_page.clamp(1, 500);
    let page = page.max(1);
    let mut w = String::from("r.path >= $1 AND r.path < $2");
    let mut a: Vec<Val> = args![org.path.clone(), path::subtree_end(&org.path)].to_vec();
    if f.to_review {
        a.push(Val::from(org.path.clone()));
        w.push_str(&format!(" AND r.status = 'submitted' AND r.path <> ${}", a.len()));
    }
    if let Some(t) = &f.type_code {
        // types are comma-joined codes: match a whole code
        a.push(Val::from(format!("%,{t},%")));
        w.push_str(&format!(" AND (',' || r.types || ',') LIKE ${}", a.len()));
    }
    if let Some(s) = f.status {
        a.push(Val::from(s.code()));
        w.push_str(&format!(" AND r.status = ${}", a.len()));
    }
    if let Some(d) = f.from {
        a.push(Val::from(d));
        w.push_str(&format!(" AND r.held_on >= ${}", a.len()));
    }
    if let Some(d) = f.to {
        a.push(Val::from(d));
        w.push_str(&format!(" AND r.held_on <= ${}", a.len()));
    }
    let total =
        store.read().scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM life_record r WHERE {w}"), &a).await?;
    let n = a.len();
    a.push(Val::from(per_page));
    a.push(Val::from((page - 1) * per_page));
    let items = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {RECORD_COLS} FROM life_record r JOIN org o ON o.id = r.org_id WHERE {w} \
                 ORDER BY r.held_on DESC, r.id DESC LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            ),
            &a,
        )
        .await?;
    Ok(Page { items, total, page, per_page })
}
