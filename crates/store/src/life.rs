//! Organization life: records of meetings (三会一课 and the rest) with their attendance,
//! resolutions and attachments, the superior's review, 党组 work divisions, local types and rule
//! versions, the roster of an organization on a past date, and the compliance engine's inputs and
//! daily job (the verdicts themselves are `domain::life`).
//!
//! Scope: a record belongs to its organization; reading or writing it needs the organization in
//! the caller's scope. Reviewing needs the organization's *superior* in scope (review runs
//! 支部 → 党委 → 组织部), so nobody accepts their own organization's records.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::life::{
    self as dl, Applies, LifeRule, LifeType, OrgLife, PeriodKind, RecordFacts, RecordInput, RecordStatus, RosterEntry,
};
use domain::org::{Org, OrgKind};
use domain::{path, FieldErrors};
use serde::Serialize;
use serde_json::json;

use crate::db::{lite, now, Exec, Store, Tx};
use crate::error::{StoreError, StoreResult};
use crate::member::Page;
use crate::scope::Scope;
use crate::{args, Val};

// ---------------------------------------------------------------------------------------------
// Types and rules
// ---------------------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct TypeRow {
    code: String,
    label: String,
    roster: String,
    quorum: String,
    votes: bool,
    lecturer: bool,
    sort: i64,
    rule: String,
}

/// The shipped types and the deployment's local ones, in display order.
pub async fn types(store: &Store) -> StoreResult<Vec<LifeType>> {
    let rows: Vec<TypeRow> = store
        .read()
        .fetch_all(
            "SELECT code, label, roster, quorum, votes, lecturer, sort, rule FROM life_type ORDER BY sort, code",
            &[],
        )
        .await?;
    let mut out = dl::shipped_types().to_vec();
    out.extend(rows.into_iter().map(|r| LifeType {
        roster: dl::RosterKind::from_code(&r.roster).unwrap_or(dl::RosterKind::None),
        quorum: dl::Quorum::from_code(&r.quorum).unwrap_or(dl::Quorum::None),
        code: r.code,
        label: r.label,
        votes: r.votes,
        lecturer: r.lecturer,
        sort: r.sort,
        rule: r.rule,
        local: true,
    }));
    out.sort_by_key(|t| (t.sort, t.code.clone()));
    Ok(out)
}

/// A local type as entered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypeInput {
    pub code: String,
    pub label: String,
    /// `branch`, `committee` or `none`.
    pub roster: String,
}

/// Add a local type (组织部: the whole tree must be in scope). Audited.
pub async fn add_type(store: &Store, scope: &Scope, input: &TypeInput) -> StoreResult<LifeType> {
    if !scope.is_all() && !scope.roots().iter().any(|r| path::depth(r) <= 1) {
        return Err(StoreError::Refused("只有组织部可以增加组织生活类型".into()));
    }
    let existing = types(store).await?;
    let mut e = FieldErrors::default();
    let code = input.code.trim();
    let label = input.label.trim();
    if !dl::valid_type_code(code) {
        e.push("类型代码", "应为 2–40 位小写英文字母、数字或下划线，以字母开头");
    } else if dl::type_of(&existing, code).is_some() {
        e.push("类型代码", format!("“{code}”已存在"));
    }
    if label.is_empty() || label.chars().count() > 30 {
        e.push("类型名称", "请填写 1–30 字的名称");
    } else if existing.iter().any(|t| t.label == label) {
        e.push("类型名称", format!("“{label}”已存在"));
    }
    let roster = dl::RosterKind::from_code(input.roster.trim()).unwrap_or_else(|| {
        e.push("参会范围", "应为 branch（本组织党员）、committee（支部委员）或 none（手工填写人数）");
        dl::RosterKind::None
    });
    if !e.is_empty() {
        return Err(e.into());
    }
    let t = LifeType {
        code: code.into(),
        label: label.into(),
        roster,
        quorum: dl::Quorum::None,
        votes: false,
        lecturer: false,
        sort: 1000 + existing.iter().filter(|t| t.local).count() as i64,
        rule: "REC-02".into(),
        local: true,
    };
    let mut tx = store.begin().await?;
    tx.x()
        .execute(
            "INSERT INTO life_type (code, label, roster, quorum, votes, lecturer, sort, rule, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &args![t.code.clone(), t.label.clone(), roster.code(), "none", false, false, t.sort, t.rule.clone(), now()],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "life.type.add",
        &format!("life_type:{code}"),
        "ok",
        json!({ "label": label, "roster": roster.code() }),
    )
    .await?;
    tx.commit().await?;
    Ok(t)
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: i64,
    rule_id: String,
    type_code: String,
    applies: String,
    period: String,
    min_count: i64,
    org_id: i64,
    org_path: String,
    org_name: String,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    severity: String,
    source: String,
    article: String,
    confidence: String,
}

fn severity(s: &str) -> domain::rules::Severity {
    match s {
        "error" => domain::rules::Severity::Error,
        "info" => domain::rules::Severity::Info,
        _ => domain::rules::Severity::Warning,
    }
}

fn severity_code(s: domain::rules::Severity) -> &'static str {
    match s {
        domain::rules::Severity::Error => "error",
        domain::rules::Severity::Warning => "warning",
        domain::rules::Severity::Info => "info",
    }
}

/// Every rule version: the shipped national ones, then the local ones.
pub async fn rules(store: &Store) -> StoreResult<Vec<LifeRule>> {
    let rows: Vec<RuleRow> = store
        .read()
        .fetch_all(
            "SELECT r.id, r.rule_id, r.type_code, r.applies, r.period, r.min_count, r.org_id, o.path AS org_path, \
             o.name AS org_name, r.valid_from, r.valid_to, r.severity, r.source, r.article, r.confidence \
             FROM life_rule r JOIN org o ON o.id = r.org_id ORDER BY o.path, r.type_code, r.valid_from",
            &[],
        )
        .await?;
    let mut out = dl::shipped_rules().to_vec();
    out.extend(rows.into_iter().map(|r| LifeRule {
        id: Some(r.id),
        rule_id: r.rule_id,
        type_code: r.type_code,
        applies: Applies::parse_list(&r.applies).unwrap_or_default(),
        period: PeriodKind::from_code(&r.period).unwrap_or(PeriodKind::Year),
        min: r.min_count,
        org_id: Some(r.org_id),
        org_path: Some(r.org_path),
        org_name: Some(r.org_name),
        valid_from: r.valid_from,
        valid_to: r.valid_to,
        severity: severity(&r.severity),
        source: r.source,
        article: r.article,
        confidence: r.confidence,
    }));
    Ok(out)
}

/// A local rule version as entered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleInput {
    pub org_id: i64,
    pub type_code: String,
    /// `branch|party_group`…; empty: as the national version of the type.
    pub applies: String,
    pub period: String,
    pub min: String,
    pub valid_from: String,
    pub valid_to: String,
    pub source: String,
    pub article: String,
}

/// Add a local version of a frequency rule for an organization's subtree (in scope). Audited.
pub async fn add_rule(store: &Store, scope: &Scope, input: &RuleInput) -> StoreResult<LifeRule> {
    let org = crate::org::get(store, scope, input.org_id).await?;
    let all_types = types(store).await?;
    let mut e = FieldErrors::default();
    let ty = dl::type_of(&all_types, input.type_code.trim());
    if ty.is_none() {
        e.push("会议类型", format!("未知的会议类型“{}”", input.type_code.trim()));
    }
    let national = dl::shipped_rules().iter().find(|r| Some(r.type_code.as_str()) == ty.map(|t| t.code.as_str()));
    let applies = if input.applies.trim().is_empty() {
        national.map(|r| r.applies.clone()).unwrap_or_else(|| vec![Applies::Branch])
    } else {
        Applies::parse_list(input.applies.trim()).unwrap_or_else(|| {
            e.push("适用组织", "无效");
            vec![]
        })
    };
    let period = PeriodKind::from_code(input.period.trim());
    if period.is_none() {
        e.push("频次", "应为 每月、每季度 或 每年");
    }
    let min = match input.min.trim().parse::<i64>() {
        Ok(n) if (0..=31).contains(&n) => n,
        _ => {
            e.push("至少次数", "应为 0–31 的整数（0 表示不作要求）");
            0
        }
    };
    let from = match domain::dates::parse_date(&input.valid_from) {
        Ok(d) => Some(d),
        Err(m) => {
            e.push("生效日期", m);
            None
        }
    };
    let to = if input.valid_to.trim().is_empty() {
        None
    } else {
        match domain::dates::parse_date(&input.valid_to) {
            Ok(d) if from.is_some_and(|f| d <= f) => {
                e.push("失效日期", "应晚于生效日期");
                None
            }
            Ok(d) => Some(d),
            Err(m) => {
                e.push("失效日期", m);
                None
            }
        }
    };
    if input.source.trim().is_empty() {
        e.push("依据文件", "请填写本地规定的文件名称");
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let (ty, period, from) = (ty.expect("checked"), period.expect("checked"), from.expect("checked"));
    let rule_id = national.map_or_else(|| format!("LOCAL-{}", ty.code), |r| r.rule_id.clone());
    let article = if input.article.trim().is_empty() { "—".to_string() } else { input.article.trim().to_string() };
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO life_rule (rule_id, type_code, applies, period, min_count, org_id, valid_from, valid_to, severity, \
             source, article, confidence, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            &args![
                rule_id.clone(),
                ty.code.clone(),
                Applies::join(&applies),
                period.code(),
                min,
                org.id,
                from,
                to,
                "error",
                input.source.trim(),
                article.clone(),
                "L",
                now()
            ],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "life.rule.add",
        &format!("life_rule:{id}"),
        "ok",
        json!({ "org": org.id, "type": ty.code, "period": period.code(), "min": min, "from": from, "to": to, "source": input.source.trim() }),
    )
    .await?;
    tx.commit().await?;
    Ok(LifeRule {
        id: Some(id),
        rule_id,
        type_code: ty.code.clone(),
        applies,
        period,
        min,
        org_id: Some(org.id),
        org_path: Some(org.path.clone()),
        org_name: Some(org.name.clone()),
        valid_from: from,
        valid_to: to,
        severity: domain::rules::Severity::Error,
        source: input.source.trim().into(),
        article,
        confidence: "L".into(),
    })
}

// ---------------------------------------------------------------------------------------------
// The roster on a date
// ---------------------------------------------------------------------------------------------

/// Note a member's move between organizations (inside the moving transaction).
pub async fn record_move(tx: &mut Tx, member_id: i64, from_org: i64, to_org: i64) -> StoreResult<()> {
    let t = now();
    let today = t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8")).date_naive();
    tx.x()
        .execute(
            "INSERT INTO member_move (member_id, from_org_id, to_org_id, on_date, created_at) VALUES ($1, $2, $3, $4, $5)",
            &args![member_id, from_org, to_org, today, t],
        )
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct RosterRow {
    id: i64,
    org_id: i64,
    name: String,
    category: String,
    join_date: NaiveDate,
    full_date: Option<NaiveDate>,
    job_post: Option<String>,
    status: String,
    status_date: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct MoveRow {
    member_id: i64,
    from_org_id: i64,
    on_date: NaiveDate,
}

/// The members of an organization's subtree (a branch with its 党小组) on a date: who had joined
/// the party, had not left it, and belonged there then (moves since are undone), in roster order.
pub async fn roster(store: &Store, scope: &Scope, org_id: i64, on: NaiveDate) -> StoreResult<Vec<RosterEntry>> {
    let org = crate::org::get(store, scope, org_id).await?;
    roster_of(store.read(), &org, on).await
}

async fn roster_of(exec: Exec<'_>, org: &Org, on: NaiveDate) -> StoreResult<Vec<RosterEntry>> {
    if !org.kind.holds_members() {
        return Ok(vec![]);
    }
    let end = path::subtree_end(&org.path);
    // organizations of the subtree (dissolved ones too: members may have left them since)
    let sql = "SELECT id FROM org WHERE path >= $1 AND path < $2";
    let cols = "m.id, m.org_id, m.name, m.category, m.join_date, m.full_date, m.job_post, m.status, m.status_date";
    let (org_ids, mut rows, moves): (Vec<(i64,)>, Vec<RosterRow>, Vec<MoveRow>) = match exec {
        Exec::Sqlite(c) => {
            let ids = sqlx::query_as(&lite(sql)).bind(&org.path).bind(&end).fetch_all(&mut *c).await?;
            let rows = fetch_candidates(Exec::Sqlite(c), cols, &org.path, &end, on).await?;
            (ids, rows.0, rows.1)
        }
        Exec::Pg(c) => {
            let ids = sqlx::query_as(sql).bind(&org.path).bind(&end).fetch_all(&mut *c).await?;
            let rows = fetch_candidates(Exec::Pg(c), cols, &org.path, &end, on).await?;
            (ids, rows.0, rows.1)
        }
        Exec::SqlitePool(p) => {
            let ids = sqlx::query_as(&lite(sql)).bind(&org.path).bind(&end).fetch_all(p).await?;
            let rows = fetch_candidates(Exec::SqlitePool(p), cols, &org.path, &end, on).await?;
            (ids, rows.0, rows.1)
        }
        Exec::PgPool(p) => {
            let ids = sqlx::query_as(sql).bind(&org.path).bind(&end).fetch_all(p).await?;
            let rows = fetch_candidates(Exec::PgPool(p), cols, &org.path, &end, on).await?;
            (ids, rows.0, rows.1)
        }
    };
    let inside: HashSet<i64> = org_ids.into_iter().map(|r| r.0).collect();
    // where each member was on `on`: the origin of their earliest move after it, else where they are
    let mut first_move: HashMap<i64, &MoveRow> = HashMap::new();
    for m in &moves {
        first_move
            .entry(m.member_id)
            .and_modify(|x| {
                if m.on_date < x.on_date {
                    *x = m
                }
            })
            .or_insert(m);
    }
    let current = |r: &RosterRow| r.join_date <= on && (r.status == "normal" || r.status_date.is_some_and(|d| d > on));
    rows.retain(|r| {
        let org_then = first_move.get(&r.id).map_or(r.org_id, |m| m.from_org_id);
        inside.contains(&org_then) && current(r)
    });
    rows.sort_by(|a, b| a.join_date.cmp(&b.join_date).then(a.id.cmp(&b.id)));
    rows.dedup_by_key(|r| r.id);
    Ok(rows
        .into_iter()
        .map(|r| {
            let voter = r.category == "full" && r.full_date.is_none_or(|d| d <= on);
            RosterEntry {
                member_id: r.id,
                committee: r.job_post.as_deref().is_some_and(dl::is_committee_post),
                name: r.name,
                voter,
            }
        })
        .collect())
}

/// Members now in the subtree, plus those who moved out of it after `on`; and the moves after `on`
/// of all of them.
async fn fetch_candidates(
    exec: Exec<'_>,
    cols: &str,
    p: &str,
    end: &str,
    on: NaiveDate,
) -> StoreResult<(Vec<RosterRow>, Vec<MoveRow>)> {
    let members = format!(
        "SELECT {cols} FROM member m WHERE m.path >= $1 AND m.path < $2 \
         UNION SELECT {cols} FROM member m JOIN member_move mv ON mv.member_id = m.id \
         JOIN org f ON f.id = mv.from_org_id WHERE f.path >= $1 AND f.path < $2 AND mv.on_date > $3"
    );
    let moves =
        "SELECT mv.member_id, mv.from_org_id, mv.on_date FROM member_move mv JOIN member m ON m.id = mv.member_id \
                 LEFT JOIN org f ON f.id = mv.from_org_id WHERE mv.on_date > $3 \
                 AND ((m.path >= $1 AND m.path < $2) OR (f.path >= $1 AND f.path < $2))";
    let a = args![p, end, on];
    match exec {
        Exec::Sqlite(c) => {
            let rows = Exec::Sqlite(&mut *c).fetch_all(&members, &a).await?;
            let mv = Exec::Sqlite(c).fetch_all(moves, &a).await?;
            Ok((rows, mv))
        }
        Exec::Pg(c) => {
            let rows = Exec::Pg(&mut *c).fetch_all(&members, &a).await?;
            let mv = Exec::Pg(c).fetch_all(moves, &a).await?;
            Ok((rows, mv))
        }
        Exec::SqlitePool(pool) => Ok((
            Exec::SqlitePool(pool).fetch_all(&members, &a).await?,
            Exec::SqlitePool(pool).fetch_all(moves, &a).await?,
        )),
        Exec::PgPool(pool) => {
            Ok((Exec::PgPool(pool).fetch_all(&members, &a).await?, Exec::PgPool(pool).fetch_all(moves, &a).await?))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

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
    r.place, r.host, r.recorder, r.lecturer, r.agenda, r.minutes, r.observers, r.expected, r.present, r.on_leave, r.absent, \
    r.voters_expected, r.voters_present, r.has_attendance, r.quorum_ok, r.status, r.return_reason, r.submitted_at, \
    r.reviewed_at, r.reviewed_by, r.created_by, r.created_on, r.created_at, r.updated_at";

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

async fn validated(store: &Store, org: &Org, input: &RecordInput, today: NaiveDate) -> StoreResult<dl::ValidRecord> {
    if !dl::records_life(org.kind) {
        let mut e = FieldErrors::default();
        e.push("党组织", format!("{}不登记组织生活，请选择其下级党组织", org.kind.label()));
        return Err(e.into());
    }
    let all_types = types(store).await?;
    let held_on = domain::dates::parse_date(&input.held_on).ok();
    let roster = match held_on {
        Some(d) => roster_of(store.read(), org, d).await?,
        None => vec![],
    };
    Ok(dl::validate(input, &all_types, &roster, today)?)
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
    let v = validated(store, &org, input, today).await?;
    let t = now();
    let status = if submit { RecordStatus::Submitted } else { RecordStatus::Draft };
    let by = scope.actor().name.clone();
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO life_record (org_id, path, types, title, held_on, start_time, end_time, place, host, recorder, lecturer, \
             agenda, minutes, observers, expected, present, on_leave, absent, voters_expected, voters_present, has_attendance, \
             quorum_ok, status, submitted_at, created_by, created_on, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, \
             $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28) RETURNING id",
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
    tx.commit().await?;
    Ok(Saved { id, warnings: v.warnings })
}

/// The stored content of a record, in column order from `types` to `quorum_ok` (what create and
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
    ]
}

fn audit_detail(org: &Org, v: &dl::ValidRecord, status: RecordStatus) -> serde_json::Value {
    json!({
        "org": org.id, "types": v.types, "title": v.title, "held_on": v.held_on, "status": status.code(),
        "expected": v.counts.expected, "present": v.counts.present, "leave": v.counts.leave, "absent": v.counts.absent,
        "quorum_ok": v.quorum_ok, "resolutions": v.resolutions.len(), "has_minutes": v.minutes.is_some(),
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
    let reviewable = path::parent(&record.path).is_some_and(|p| scope.contains(p));
    Ok(RecordFull { record, attendance, resolutions, attachments, reviewable })
}

/// Change a draft or returned record (it becomes a draft again). Audited with the changed fields.
pub async fn update(store: &Store, scope: &Scope, id: i64, input: &RecordInput) -> StoreResult<Saved> {
    let old = get(store, scope, id).await?.record;
    if !old.state().editable() {
        return Err(StoreError::Refused(format!("记录{}，不能修改；如需更正请由上级退回", old.state().label())));
    }
    let org = crate::org::get(store, scope, old.org_id).await?;
    let v = validated(store, &org, input, today_cst()).await?;
    let mut tx = store.begin().await?;
    let changed = tx
        .x()
        .execute(
            "UPDATE life_record SET types = $1, title = $2, held_on = $3, start_time = $4, end_time = $5, place = $6, host = $7, \
             recorder = $8, lecturer = $9, agenda = $10, minutes = $11, observers = $12, expected = $13, present = $14, \
             on_leave = $15, absent = $16, voters_expected = $17, voters_present = $18, has_attendance = $19, quorum_ok = $20, \
             status = 'draft', updated_at = $21 WHERE id = $22 AND status IN ('draft', 'returned')",
            &[content_vals(&v), args![now(), id].to_vec()].concat(),
        )
        .await?;
    if changed == 0 {
        return Err(StoreError::Refused("记录已被提交或审核，未作修改".into()));
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
            "UPDATE life_record SET status = 'submitted', submitted_at = $1, updated_at = $1 WHERE id = $2",
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
            "UPDATE life_record SET status = $1, return_reason = $2, reviewed_at = $3, reviewed_by = $4, updated_at = $3 \
             WHERE id = $5 AND status = 'submitted'",
            &args![status, (!accept).then(|| reason.to_string()), now(), scope.actor().name.clone(), id],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Refused("记录已被他人审核".into()));
    }
    crate::audit::record(&mut tx, scope, action, &format!("life_record:{id}"), "ok", json!({ "reason": reason }))
        .await?;
    tx.commit().await?;
    Ok(())
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
pub async fn list(store: &Store, org: &Org, f: &RecordFilter, page: i64, per_page: i64) -> StoreResult<Page<Record>> {
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

// ---------------------------------------------------------------------------------------------
// Attachments
// ---------------------------------------------------------------------------------------------

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

fn clean_name(name: &str) -> String {
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

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

async fn attachments_of(store: &Store, record_id: i64) -> StoreResult<Vec<AttachmentMeta>> {
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

// ---------------------------------------------------------------------------------------------
// 党组 work divisions
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Division {
    pub id: i64,
    pub org_id: i64,
    pub member_name: String,
    pub post: String,
    pub duty: String,
    pub since: NaiveDate,
}

/// The work division of a 党组 in scope.
pub async fn divisions(store: &Store, scope: &Scope, org_id: i64) -> StoreResult<Vec<Division>> {
    let org = crate::org::get(store, scope, org_id).await?;
    store
        .read()
        .fetch_all(
            "SELECT id, org_id, member_name, post, duty, since FROM party_division WHERE org_id = $1 ORDER BY id",
            &args![org.id],
        )
        .await
}

/// A division entry as entered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DivisionInput {
    pub member_name: String,
    pub post: String,
    pub duty: String,
    pub since: String,
}

/// Record one member's party-building work division for a 党组 in scope. Audited.
pub async fn add_division(store: &Store, scope: &Scope, org_id: i64, input: &DivisionInput) -> StoreResult<i64> {
    let org = crate::org::get(store, scope, org_id).await?;
    let mut e = FieldErrors::default();
    if org.kind != OrgKind::LeadingGroup {
        e.push("党组织", "党建工作分工只为党组登记");
    }
    for (v, f, max) in [(&input.member_name, "姓名", 30), (&input.post, "职务", 40), (&input.duty, "分工", 500)] {
        if v.trim().is_empty() {
            e.push(f, format!("请填写{f}"));
        } else if v.trim().chars().count() > max {
            e.push(f, format!("不能超过 {max} 字"));
        }
    }
    let since = domain::dates::parse_date(&input.since).map_err(|m| e.push("起始日期", m)).ok();
    if !e.is_empty() {
        return Err(e.into());
    }
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO party_division (org_id, member_name, post, duty, since, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &args![org.id, input.member_name.trim(), input.post.trim(), input.duty.trim(), since, now()],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "life.division.add",
        &format!("org:{}", org.id),
        "ok",
        json!({ "division": id, "name": input.member_name.trim(), "post": input.post.trim(), "duty": input.duty.trim() }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Remove a division entry of a 党组 in scope. Audited.
pub async fn delete_division(store: &Store, scope: &Scope, org_id: i64, id: i64) -> StoreResult<()> {
    let list = divisions(store, scope, org_id).await?;
    let d = list.into_iter().find(|d| d.id == id).ok_or(StoreError::NotFound("分工"))?;
    let mut tx = store.begin().await?;
    tx.x().execute("DELETE FROM party_division WHERE id = $1", &args![id]).await?;
    crate::audit::record(
        &mut tx,
        scope,
        "life.division.delete",
        &format!("org:{org_id}"),
        "ok",
        json!({ "division": id, "name": d.member_name }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The compliance engine's inputs, the evaluation and the daily job
// ---------------------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct OrgLifeRow {
    id: i64,
    path: String,
    name: String,
    kind: String,
    has_committee: bool,
    founded_on: Option<NaiveDate>,
    dissolved_on: Option<NaiveDate>,
    has_division: bool,
}

#[derive(sqlx::FromRow)]
struct FactRow {
    id: i64,
    org_id: i64,
    types: String,
    title: String,
    held_on: NaiveDate,
    created_on: NaiveDate,
    status: String,
    quorum_ok: Option<bool>,
    has_minutes: bool,
    has_attendance: bool,
}

/// An evaluation of a subtree: the organizations (tree order) and each one's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub root: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub as_of: NaiveDate,
    pub params: dl::Params,
    pub orgs: Vec<OrgLife>,
    pub results: Vec<dl::OrgCompliance>,
    pub types: Vec<LifeType>,
    pub records: usize,
}

impl Evaluation {
    /// Totals over the subtree of `p` (due, met, held, findings).
    pub fn totals_under(&self, p: &str) -> (i64, i64, i64, usize) {
        let mut t = (0, 0, 0, 0);
        for (o, r) in self.orgs.iter().zip(&self.results) {
            if path::is_within(&o.path, p) {
                t.0 += r.due;
                t.1 += r.met;
                t.2 += r.held;
                t.3 += r.findings.len();
            }
        }
        t
    }
    pub fn result_of(&self, org_id: i64) -> Option<(&OrgLife, &dl::OrgCompliance)> {
        self.orgs.iter().zip(&self.results).find(|(o, _)| o.id == org_id)
    }
}

/// The organizations of a subtree as the engine needs them (those that existed at some point of
/// `[from, to]`).
async fn life_orgs(
    store: &Store,
    org: &Org,
    from: NaiveDate,
    to: NaiveDate,
    only_self: bool,
) -> StoreResult<Vec<OrgLife>> {
    let end = if only_self { format!("{}\u{1}", org.path) } else { path::subtree_end(&org.path) };
    let rows: Vec<OrgLifeRow> = store
        .read()
        .fetch_all(
            "SELECT o.id, o.path, o.name, o.kind, o.has_committee, o.founded_on, o.dissolved_on, \
             EXISTS (SELECT 1 FROM party_division d WHERE d.org_id = o.id) AS has_division \
             FROM org o WHERE o.path >= $1 AND o.path < $2 AND (o.dissolved_on IS NULL OR o.dissolved_on > $3) \
             AND (o.founded_on IS NULL OR o.founded_on <= $4) ORDER BY o.path",
            &args![org.path.clone(), end, from, to],
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(OrgLife {
                kind: OrgKind::from_code(&r.kind)?,
                id: r.id,
                path: r.path,
                name: r.name,
                has_committee: r.has_committee,
                founded_on: r.founded_on,
                dissolved_on: r.dissolved_on,
                has_division: r.has_division,
            })
        })
        .collect())
}

/// The records of a subtree held in `[from, to]`, as the engine needs them.
/// With `only_self`, the records of the organization itself.
pub async fn facts(
    store: &Store,
    org: &Org,
    from: NaiveDate,
    to: NaiveDate,
    only_self: bool,
) -> StoreResult<Vec<RecordFacts>> {
    let end = if only_self { format!("{}\u{1}", org.path) } else { path::subtree_end(&org.path) };
    let rows: Vec<FactRow> = store
        .read()
        .fetch_all(
            "SELECT r.id, r.org_id, r.types, r.title, r.held_on, r.created_on, r.status, r.quorum_ok, \
             (r.minutes IS NOT NULL AND r.minutes <> '') AS has_minutes, r.has_attendance \
             FROM life_record r WHERE r.path >= $1 AND r.path < $2 AND r.held_on >= $3 AND r.held_on <= $4",
            &args![org.path.clone(), end, from, to],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| RecordFacts {
            id: r.id,
            org_id: r.org_id,
            types: r.types.split(',').map(str::to_string).collect(),
            title: r.title,
            held_on: r.held_on,
            created_on: r.created_on,
            status: RecordStatus::from_code(&r.status).unwrap_or(RecordStatus::Draft),
            quorum_ok: r.quorum_ok,
            has_minutes: r.has_minutes,
            has_attendance: r.has_attendance,
        })
        .collect())
}

static SILENT_DAYS: std::sync::OnceLock<i64> = std::sync::OnceLock::new();

/// Set this process's silence threshold in days (`dangjian --silent-days`, `DANGJIAN_SILENT_DAYS`),
/// in place of LIFE-14's shipped value; the first call wins.
pub fn configure_silent_days(days: i64) {
    let _ = SILENT_DAYS.set(days);
}

/// The engine's parameters on a date: the shipped rule values, with the configured silence
/// threshold if one was set.
pub fn params_on(as_of: NaiveDate) -> dl::Params {
    let mut p = dl::Params::in_force(as_of);
    if let Some(d) = SILENT_DAYS.get() {
        p.silent_days = *d;
    }
    p
}

/// Judge the subtree of an organization (already read through the caller's scope) over
/// `[from, to]` as of `as_of`.
pub async fn evaluate(
    store: &Store,
    org: &Org,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    params: Option<dl::Params>,
) -> StoreResult<Evaluation> {
    evaluate_in(store, org, from, to, as_of, params, false).await
}

async fn evaluate_in(
    store: &Store,
    org: &Org,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    params: Option<dl::Params>,
    only_self: bool,
) -> StoreResult<Evaluation> {
    let params = params.unwrap_or_else(|| params_on(as_of));
    let (all_types, all_rules) = (types(store).await?, rules(store).await?);
    let orgs = life_orgs(store, org, from, to, only_self).await?;
    // look back far enough to see the last activity of organizations quiet at the start
    let look_from = from.min(to.min(as_of) - chrono::Duration::days(params.silent_days + 1));
    let recs = facts(store, org, look_from, to, only_self).await?;
    let results = dl::evaluate(&orgs, &recs, &all_rules, &all_types, from, to, as_of, params);
    Ok(Evaluation { root: org.id, from, to, as_of, params, orgs, results, types: all_types, records: recs.len() })
}

/// One stored finding of the daily job.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct StoredFinding {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub path: String,
    pub kind: String,
    pub rule_id: String,
    pub severity: String,
    pub type_code: Option<String>,
    pub period_key: Option<String>,
    pub period_label: Option<String>,
    pub record_id: Option<i64>,
    pub message: String,
    pub source: String,
    pub evidence: String,
    pub computed_on: NaiveDate,
}

impl StoredFinding {
    pub fn kind_label(&self) -> &'static str {
        dl::FindingKind::from_code(&self.kind).map_or("", dl::FindingKind::label)
    }
    pub fn evidence(&self) -> dl::Evidence {
        serde_json::from_str(&self.evidence).unwrap_or_default()
    }
}

/// What a run of the daily job did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobReport {
    pub as_of: NaiveDate,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub orgs: usize,
    pub records: usize,
    pub findings: usize,
    pub took_ms: i64,
}

/// The range the daily job judges on `as_of`: the current year, and the previous one too during
/// the first quarter (so last year's fourth quarter stays in view until it is dealt with).
pub fn daily_range(as_of: NaiveDate) -> (NaiveDate, NaiveDate) {
    let y = as_of.year();
    let from_year = if as_of.month() <= 3 { y - 1 } else { y };
    (NaiveDate::from_ymd_opt(from_year, 1, 1).expect("valid"), NaiveDate::from_ymd_opt(y, 12, 31).expect("valid"))
}

/// The daily job: judge the whole tree and replace the stored findings in one transaction (the
/// to-dos on home pages read them). Audited as the system.
pub async fn run_daily(store: &Store, as_of: NaiveDate, params: Option<dl::Params>) -> StoreResult<JobReport> {
    let started = std::time::Instant::now();
    let (from, to) = daily_range(as_of);
    let roots: Vec<(i64,)> = store
        .read()
        .fetch_all("SELECT id FROM org WHERE parent_id IS NULL AND dissolved_on IS NULL ORDER BY path", &[])
        .await?;
    let mut report = JobReport { as_of, from, to, orgs: 0, records: 0, findings: 0, took_ms: 0 };
    // judge first, on the read pool; the write transaction (SQLite's one writer) only replaces rows
    let mut rows: Vec<(String, dl::Finding)> = Vec::new();
    for (root,) in roots {
        let org = crate::org::get(store, &Scope::all(), root).await?;
        let ev = evaluate(store, &org, from, to, as_of, params).await?;
        report.orgs += ev.orgs.len();
        report.records += ev.records;
        let paths: HashMap<i64, &str> = ev.orgs.iter().map(|o| (o.id, o.path.as_str())).collect();
        for r in &ev.results {
            for f in &r.findings {
                rows.push((paths.get(&f.org_id).copied().unwrap_or_default().to_string(), f.clone()));
            }
        }
    }
    report.findings = rows.len();
    let mut tx = store.begin().await?;
    tx.x().execute("DELETE FROM life_finding", &[]).await?;
    for chunk in rows.chunks(200) {
        let mut sql = String::from(
            "INSERT INTO life_finding (org_id, path, kind, rule_id, severity, type_code, period_key, period_label, record_id, \
             message, source, evidence, computed_on) VALUES ",
        );
        let mut a: Vec<Val> = Vec::with_capacity(chunk.len() * 13);
        for (i, (p, f)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let b = a.len();
            sql.push('(');
            sql.push_str(&(1..=13).map(|k| format!("${}", b + k)).collect::<Vec<_>>().join(", "));
            sql.push(')');
            a.extend(args![
                f.org_id,
                p.clone(),
                f.kind.code(),
                f.rule_id.clone(),
                severity_code(f.severity),
                f.type_code.clone(),
                f.period_key.clone(),
                f.period_label.clone(),
                f.record_id,
                f.message.clone(),
                f.source.clone(),
                serde_json::to_string(&f.evidence).unwrap_or_default(),
                as_of
            ]);
        }
        tx.x().execute(&sql, &a).await?;
    }
    report.took_ms = started.elapsed().as_millis() as i64;
    let detail = serde_json::to_string(&report).unwrap_or_default();
    tx.x().execute("DELETE FROM job_run WHERE name = 'life.daily'", &[]).await?;
    tx.x()
        .execute(
            "INSERT INTO job_run (name, last_run_on, took_ms, detail) VALUES ('life.daily', $1, $2, $3)",
            &args![as_of, report.took_ms, detail],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        &Scope::all(),
        "life.daily",
        "life_finding",
        "ok",
        serde_json::to_value(&report).unwrap_or_default(),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// The day the daily job last ran, if ever.
pub async fn last_run(store: &Store) -> StoreResult<Option<(NaiveDate, i64)>> {
    store.read().fetch_optional("SELECT last_run_on, took_ms FROM job_run WHERE name = 'life.daily'", &[]).await
}

/// Stored findings of an organization's subtree (read through the scope): errors first, then by
/// organization; optionally of one kind.
pub async fn findings(
    store: &Store,
    org: &Org,
    kind: Option<dl::FindingKind>,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<StoredFinding>> {
    let per_page = per_page.clamp(1, 500);
    let page = page.max(1);
    let mut w = String::from("f.path >= $1 AND f.path < $2");
    let mut a: Vec<Val> = args![org.path.clone(), path::subtree_end(&org.path)].to_vec();
    if let Some(k) = kind {
        a.push(Val::from(k.code()));
        w.push_str(" AND f.kind = $3");
    }
    let total =
        store.read().scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM life_finding f WHERE {w}"), &a).await?;
    let n = a.len();
    a.push(Val::from(per_page));
    a.push(Val::from((page - 1) * per_page));
    let items = store
        .read()
        .fetch_all(
            &format!(
                "SELECT f.id, f.org_id, o.name AS org_name, f.path, f.kind, f.rule_id, f.severity, f.type_code, f.period_key, \
                 f.period_label, f.record_id, f.message, f.source, f.evidence, f.computed_on FROM life_finding f \
                 JOIN org o ON o.id = f.org_id WHERE {w} \
                 ORDER BY CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, f.path, f.id LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            ),
            &a,
        )
        .await?;
    Ok(Page { items, total, page, per_page })
}

/// Stored findings per kind in a subtree (the home page's summary).
pub async fn finding_counts(store: &Store, org: &Org) -> StoreResult<Vec<(String, i64)>> {
    store
        .read()
        .fetch_all(
            "SELECT kind, CAST(COUNT(*) AS BIGINT) FROM life_finding WHERE path >= $1 AND path < $2 GROUP BY kind ORDER BY kind",
            &args![org.path.clone(), path::subtree_end(&org.path)],
        )
        .await
}

/// Judge only `org` itself over its year (the calendar and the compliance card).
pub async fn card(store: &Store, org: &Org, year: i32, as_of: NaiveDate) -> StoreResult<Evaluation> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(StoreError::Refused("年份无效".into()))?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(StoreError::Refused("年份无效".into()))?;
    evaluate_in(store, org, from, to, as_of, None, true).await
}

// --- added for the record pages ---

/// The record an attachment belongs to, when that record's organization is in scope; anything
/// else (a missing attachment, or one of a record outside the scope) is not found.
pub async fn attachment_record(store: &Store, scope: &Scope, attachment_id: i64) -> StoreResult<i64> {
    let row: Option<(i64, String)> = store
        .read()
        .fetch_optional(
            "SELECT a.record_id, r.path FROM life_attachment a JOIN life_record r ON r.id = a.record_id WHERE a.id = $1",
            &args![attachment_id],
        )
        .await?;
    row.filter(|(_, p)| scope.contains(p)).map(|(id, _)| id).ok_or(StoreError::NotFound("附件"))
}
