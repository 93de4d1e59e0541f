//! 测评 as stored: surveys (the questionnaire kept as issued), their targets with the resident
//! base entered per target, one-time answer codes (only a keyed hash is kept), and answers, each
//! attributed to one target. Every write by staff is audited in its transaction, and so is every
//! answer (without its content: who answered is the member or the code's target).
//!
//! The tallies are read here without a caller ([`satisfaction`]) so the grading cycle can read
//! many organizations of one survey in one call; the service checks the caller first.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::org::{Org, OrgKind, Sector};
use domain::path;
use domain::survey::{self as rules, Answer, Audience, BaseKind, Questionnaire, ValidSurvey, Window};
use rand::rngs::OsRng;
use rand::Rng;
use serde::Serialize;
use serde_json::json;

use crate::args;
use crate::db::{now, Store, Tx};
use crate::error::{StoreError, StoreResult};
use crate::scope::{Actor, Scope};
use crate::Visible;

/// The most codes printed in one batch.
pub const MAX_BATCH: i64 = 500;

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Survey {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub title: String,
    /// The questionnaire as issued (JSON of [`Questionnaire`]).
    #[serde(skip)]
    pub questionnaire: String,
    pub audience: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub member_permille: i64,
    pub resident_permille: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    pub answers: i64,
}

impl Survey {
    pub fn questionnaire(&self) -> Questionnaire {
        serde_json::from_str(&self.questionnaire).unwrap_or_else(|_| Questionnaire {
            title: self.title.clone(),
            instructions: String::new(),
            personal: rules::PersonalField::None,
            items: Vec::new(),
        })
    }
    pub fn audience(&self) -> Audience {
        Audience::from_code(&self.audience).unwrap_or(Audience::Both)
    }
    pub fn audience_label(&self) -> &'static str {
        self.audience().label()
    }
    pub fn window(&self, on: NaiveDate) -> Window {
        rules::window(self.opens_on, self.closes_on, on)
    }
    /// The day members are counted on: the close date, or `on` while the survey is still open.
    pub fn counted_on(&self, on: NaiveDate) -> NaiveDate {
        on.min(self.closes_on)
    }
}

const COLS: &str = "s.id, s.org_id, o.name AS org_name, o.path AS org_path, s.title, s.questionnaire, s.audience, \
    s.opens_on, s.closes_on, s.member_permille, s.resident_permille, s.created_by, s.created_at, s.updated_at, s.version, \
    (SELECT COUNT(*) FROM survey_answer a WHERE a.survey_id = s.id) AS answers";
const FROM: &str = "survey s JOIN org o ON o.id = s.org_id";

/// One organization evaluated by a survey.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Target {
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub resident_base: Option<i64>,
    pub base_kind: Option<String>,
}

impl Target {
    pub fn base_label(&self) -> String {
        match self.resident_base {
            Some(n) => {
                format!("{n}{}", self.base_kind.as_deref().and_then(BaseKind::from_code).map_or("", |k| k.label()))
            }
            None => "未录入".into(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: i64,
    path: String,
    kind: String,
    sector: String,
}

async fn active_subtree(store: &Store, root: &str) -> StoreResult<Vec<OrgRow>> {
    store
        .read()
        .fetch_all(
            "SELECT id, path, kind, sector FROM org WHERE path >= $1 AND path < $2 AND dissolved_on IS NULL ORDER BY path",
            &args![root.to_string(), path::subtree_end(root)],
        )
        .await
}

/// The organizations a survey issued at `org` evaluates unless told otherwise: in tree order, each
/// 村 or 社区 organization at its topmost grassroots level (村党委, 村党总支 or 村党支部), and every
/// other 党支部 not below one already chosen.
pub async fn default_targets(store: &Store, org: &Visible<Org>) -> StoreResult<Vec<i64>> {
    let rows = active_subtree(store, &org.path).await?;
    let mut chosen: Vec<&OrgRow> = Vec::new();
    for r in &rows {
        if chosen.last().is_some_and(|c| path::is_within(&r.path, &c.path)) {
            continue;
        }
        let kind = OrgKind::from_code(&r.kind);
        let sector = Sector::from_code(&r.sector);
        let village = matches!(sector, Some(Sector::Rural | Sector::Community))
            && kind.is_some_and(|k| k.is_grassroots() && !matches!(k, OrgKind::LocalCommittee));
        if village || kind.is_some_and(|k| k.is_branch()) {
            chosen.push(r);
        }
    }
    Ok(chosen.iter().map(|r| r.id).collect())
}

fn detail(v: &ValidSurvey) -> serde_json::Value {
    json!({
        "title": v.questionnaire.title, "audience": v.audience.code(), "opens_on": v.opens_on, "closes_on": v.closes_on,
        "member_permille": v.member_permille, "resident_permille": v.resident_permille,
        "personal": v.questionnaire.personal.code(),
        "items": v.questionnaire.items.iter().map(domain::survey::Item::line).collect::<Vec<_>>(),
    })
}

/// Issue a survey at `org` evaluating `targets` (organizations of its subtree; the default ones
/// when empty).
pub async fn create(
    store: &Store,
    scope: &Scope,
    org: &Visible<Org>,
    v: &ValidSurvey,
    targets: &[i64],
) -> StoreResult<Survey> {
    let targets = if targets.is_empty() { default_targets(store, org).await? } else { targets.to_vec() };
    if targets.is_empty() {
        return Err(StoreError::Refused(format!(
            "{}及其下级没有可参评的党组织（党支部或村、社区党组织），不能发起测评",
            org.name
        )));
    }
    let inside: std::collections::HashSet<i64> =
        active_subtree(store, &org.path).await?.into_iter().map(|r| r.id).collect();
    if let Some(bad) = targets.iter().find(|t| !inside.contains(t)) {
        return Err(domain::FieldErrors(vec![domain::FieldError::new(
            "参评组织",
            format!("组织 {bad} 不在{}及其下级中", org.name),
        )])
        .into());
    }
    let q = serde_json::to_string(&v.questionnaire).expect("a questionnaire serializes");
    let mut tx = store.begin().await?;
    let t = now();
    let id = tx
        .x()
        .scalar(
            "INSERT INTO survey (org_id, title, questionnaire, audience, opens_on, closes_on, member_permille, \
             resident_permille, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             RETURNING id",
            &args![
                org.id,
                v.questionnaire.title.clone(),
                q,
                v.audience.code(),
                v.opens_on,
                v.closes_on,
                v.member_permille,
                v.resident_permille,
                scope.actor().name.clone(),
                t,
                t
            ],
        )
        .await?;
    for o in &targets {
        tx.x().execute("INSERT INTO survey_target (survey_id, org_id) VALUES ($1, $2)", &args![id, *o]).await?;
    }
    let mut d = detail(v);
    d["org"] = json!(org.id);
    d["targets"] = json!(targets.len());
    crate::audit::record(&mut tx, scope, "survey.create", &format!("survey:{id}"), "ok", d).await?;
    tx.commit().await?;
    get(store, scope, id).await
}

async fn fetch(store: &Store, id: i64) -> StoreResult<Option<Survey>> {
    store.read().fetch_optional(&format!("SELECT {COLS} FROM {FROM} WHERE s.id = $1"), &args![id]).await
}

/// A survey issued in the caller's scope.
pub async fn get(store: &Store, scope: &Scope, id: i64) -> StoreResult<Survey> {
    match fetch(store, id).await? {
        Some(s) if scope.contains(&s.org_path) => Ok(s),
        _ => Err(StoreError::NotFound("测评")),
    }
}

/// Change a survey nobody has answered yet, at the version the editor read.
pub async fn update(store: &Store, scope: &Scope, id: i64, version: i64, v: &ValidSurvey) -> StoreResult<Survey> {
    let old = get(store, scope, id).await?;
    if old.answers > 0 {
        return Err(StoreError::Refused(format!(
            "该测评已收到 {} 份答卷，问卷和测评期不能再修改；如需调整请另行发起测评",
            old.answers
        )));
    }
    let before = json!({
        "title": old.title, "audience": old.audience, "opens_on": old.opens_on, "closes_on": old.closes_on,
        "member_permille": old.member_permille, "resident_permille": old.resident_permille,
        "items": old.questionnaire().items.iter().map(domain::survey::Item::line).collect::<Vec<_>>(),
    });
    let q = serde_json::to_string(&v.questionnaire).expect("a questionnaire serializes");
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE survey SET title = $1, questionnaire = $2, audience = $3, opens_on = $4, closes_on = $5, \
             member_permille = $6, resident_permille = $7, updated_at = $8, version = version + 1 \
             WHERE id = $9 AND version = $10 AND NOT EXISTS (SELECT 1 FROM survey_answer a WHERE a.survey_id = $11)",
            &args![
                v.questionnaire.title.clone(),
                q,
                v.audience.code(),
                v.opens_on,
                v.closes_on,
                v.member_permille,
                v.resident_permille,
                now(),
                id,
                version,
                id
            ],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale("测评"));
    }
    crate::audit::record(
        &mut tx,
        scope,
        "survey.update",
        &format!("survey:{id}"),
        "ok",
        crate::audit::diff(&before, &detail(v)),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// The surveys issued in the subtree of `org`: latest window first; paged.
pub async fn list(store: &Store, org: &Visible<Org>, limit: i64, offset: i64) -> StoreResult<(Vec<Survey>, i64)> {
    let a = || args![org.path.clone(), path::subtree_end(&org.path)];
    let total =
        store.read().scalar(&format!("SELECT COUNT(*) FROM {FROM} WHERE o.path >= $1 AND o.path < $2"), &a()).await?;
    let mut args = a().to_vec();
    args.push(limit.into());
    args.push(offset.into());
    let rows = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {COLS} FROM {FROM} WHERE o.path >= $1 AND o.path < $2 \
                 ORDER BY s.closes_on DESC, s.opens_on DESC, s.id DESC LIMIT $3 OFFSET $4"
            ),
            &args,
        )
        .await?;
    Ok((rows, total))
}

/// The targets of a survey, in tree order.
pub async fn targets(store: &Store, s: &Survey) -> StoreResult<Vec<Target>> {
    store
        .read()
        .fetch_all(
            "SELECT t.org_id, o.name AS org_name, o.path AS org_path, t.resident_base, t.base_kind \
             FROM survey_target t JOIN org o ON o.id = t.org_id WHERE t.survey_id = $1 ORDER BY o.path",
            &args![s.id],
        )
        .await
}

/// Enter the resident base of targets (`None` clears it): households or residents.
pub async fn set_bases(
    store: &Store,
    scope: &Scope,
    s: &Survey,
    bases: &[(i64, Option<i64>, BaseKind)],
) -> StoreResult<usize> {
    let known: HashMap<i64, Target> = targets(store, s).await?.into_iter().map(|t| (t.org_id, t)).collect();
    let mut e = domain::FieldErrors::default();
    for (org, n, _) in bases {
        if !known.contains_key(org) {
            e.push("群众基数", format!("组织 {org} 不是本测评的参评组织"));
        }
        if n.is_some_and(|n| !(1..=10_000_000).contains(&n)) {
            e.push("群众基数", format!("{}的群众基数应为 1 至 10000000", known.get(org).map_or("", |t| &t.org_name)));
        }
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let mut tx = store.begin().await?;
    let mut changed = Vec::new();
    for (org, n, kind) in bases {
        let old = &known[org];
        let kind_code = n.map(|_| kind.code().to_string());
        if old.resident_base == *n && old.base_kind == kind_code {
            continue;
        }
        tx.x()
            .execute(
                "UPDATE survey_target SET resident_base = $1, base_kind = $2 WHERE survey_id = $3 AND org_id = $4",
                &args![*n, kind_code.clone(), s.id, *org],
            )
            .await?;
        changed.push(json!({ "org": org, "from": old.resident_base, "to": n, "kind": kind_code }));
    }
    if !changed.is_empty() {
        crate::audit::record(
            &mut tx,
            scope,
            "survey.base",
            &format!("survey:{}", s.id),
            "ok",
            json!({ "bases": changed }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(changed.len())
}

/// The keyed hash a code is kept as: HMAC-SHA-256 under the audit key (outside the database).
fn code_hash(tx_key: &crate::audit::Key, code: &str) -> String {
    tx_key.mac(&["dangjian-survey-code", code]).iter().map(|b| format!("{b:02x}")).collect()
}

fn key_of(store: &Store) -> StoreResult<crate::audit::Key> {
    store
        .audit_setup()
        .map(|s| s.key.clone())
        .ok_or_else(|| StoreError::Refused("没有审计密钥，不能生成或核对答题码".into()))
}

fn random_code() -> String {
    let mut rng = OsRng;
    (0..rules::CODE_LEN).map(|_| rules::CODE_ALPHABET[rng.gen_range(0..rules::CODE_ALPHABET.len())] as char).collect()
}

/// Make `n` one-time codes for residents of the target `org_id`; the codes themselves are
/// returned this once (to be printed) and kept only as keyed hashes.
pub async fn issue_codes(store: &Store, scope: &Scope, s: &Survey, org_id: i64, n: i64) -> StoreResult<Vec<String>> {
    if !s.audience().residents() {
        return Err(StoreError::Refused(format!("该测评的参评对象为{}，不需要群众答题码", s.audience_label())));
    }
    if !(1..=MAX_BATCH).contains(&n) {
        return Err(domain::FieldErrors(vec![domain::FieldError::new(
            "数量",
            format!("每次生成 1 至 {MAX_BATCH} 个"),
        )])
        .into());
    }
    let target = targets(store, s)
        .await?
        .into_iter()
        .find(|t| t.org_id == org_id)
        .ok_or_else(|| domain::FieldErrors(vec![domain::FieldError::new("参评组织", "请选择本测评的参评组织")]))?;
    let key = key_of(store)?;
    let codes: Vec<String> = (0..n).map(|_| random_code()).collect();
    let mut tx = store.begin().await?;
    let batch =
        tx.x().scalar("SELECT COALESCE(MAX(batch), 0) + 1 FROM survey_code WHERE survey_id = $1", &args![s.id]).await?;
    let t = now();
    for c in &codes {
        tx.x()
            .execute(
                "INSERT INTO survey_code (survey_id, org_id, code_hash, batch, created_at) VALUES ($1, $2, $3, $4, $5)",
                &args![s.id, org_id, code_hash(&key, c), batch, t],
            )
            .await?;
    }
    crate::audit::record(
        &mut tx,
        scope,
        "survey.codes",
        &format!("survey:{}", s.id),
        "ok",
        json!({ "org": org_id, "org_name": target.org_name, "batch": batch, "count": n }),
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Codes made and used per target: (org id, made, used).
pub async fn code_counts(store: &Store, s: &Survey) -> StoreResult<Vec<(i64, i64, i64)>> {
    store
        .read()
        .fetch_all(
            "SELECT org_id, COUNT(*), COUNT(used_at) FROM survey_code WHERE survey_id = $1 GROUP BY org_id ORDER BY org_id",
            &args![s.id],
        )
        .await
}

/// A code's row: id, survey, target, target's name, when used.
type CodeRow = (i64, i64, i64, String, Option<DateTime<Utc>>);

/// What a code opens: the survey, the target it was printed for, and when it was used.
#[derive(Debug, Clone)]
pub struct CodeView {
    pub survey: Survey,
    pub code_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub used_at: Option<DateTime<Utc>>,
}

/// The survey a code opens, read without a caller (the code is the resident's only credential);
/// `None` for a code that was never made.
pub async fn by_code(store: &Store, code: &str) -> StoreResult<Option<CodeView>> {
    let Some(code) = rules::normalize_code(code) else { return Ok(None) };
    let key = key_of(store)?;
    let row: Option<CodeRow> = store
        .read()
        .fetch_optional(
            "SELECT c.id, c.survey_id, c.org_id, o.name, c.used_at FROM survey_code c JOIN org o ON o.id = c.org_id \
             WHERE c.code_hash = $1",
            &args![code_hash(&key, &code)],
        )
        .await?;
    let Some((code_id, survey_id, org_id, org_name, used_at)) = row else { return Ok(None) };
    let Some(survey) = fetch(store, survey_id).await? else { return Ok(None) };
    Ok(Some(CodeView { survey, code_id, org_id, org_name, used_at }))
}

fn refuse_window(s: &Survey, on: NaiveDate) -> StoreResult<()> {
    match s.window(on) {
        Window::Open => Ok(()),
        Window::NotYet => Err(StoreError::Refused(format!("该测评尚未开始（{} 开始）", s.opens_on))),
        Window::Closed => Err(StoreError::Refused(format!("该测评已于 {} 结束", s.closes_on))),
    }
}

async fn insert_answer(
    tx: &mut Tx,
    s: &Survey,
    org_id: i64,
    respondent: &str,
    member_id: Option<i64>,
    code_id: Option<i64>,
    a: &Answer,
) -> StoreResult<i64> {
    tx.x()
        .scalar(
            "INSERT INTO survey_answer (survey_id, org_id, respondent, member_id, code_id, answered_at, body, personal, \
             satisfied, counted) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            &args![
                s.id,
                org_id,
                respondent,
                member_id,
                code_id,
                now(),
                serde_json::to_string(&a.values).expect("values serialize"),
                a.personal.clone(),
                a.satisfied,
                a.counted
            ],
        )
        .await
}

/// A resident's answer with a code: the code is claimed (`used_at` set where it is still null)
/// and the answer written in one transaction, so of two uses of one code at the same moment
/// exactly one is kept and the other is refused.
pub async fn answer_with_code(store: &Store, code: &str, a: &Answer, on: NaiveDate) -> StoreResult<i64> {
    let Some(v) = by_code(store, code).await? else { return Err(StoreError::NotFound("答题码")) };
    if v.used_at.is_some() {
        return Err(StoreError::Refused("该答题码已经使用过，每个答题码只能答一次".into()));
    }
    refuse_window(&v.survey, on)?;
    let scope = Scope::none().acting_as(Actor::new(format!("答题码:{}", v.code_id), "群众"));
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute("UPDATE survey_code SET used_at = $1 WHERE id = $2 AND used_at IS NULL", &args![now(), v.code_id])
        .await?;
    if n == 0 {
        return Err(StoreError::Refused("该答题码已经使用过，每个答题码只能答一次".into()));
    }
    let id = match insert_answer(&mut tx, &v.survey, v.org_id, "resident", None, Some(v.code_id), a).await {
        Err(e) if e.is_unique_violation() => {
            return Err(StoreError::Refused("该答题码已经使用过，每个答题码只能答一次".into()))
        }
        x => x?,
    };
    crate::audit::record(
        &mut tx,
        &scope,
        "survey.answer",
        &format!("survey:{}", v.survey.id),
        "ok",
        json!({ "answer": id, "org": v.org_id, "respondent": "resident" }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The target a member at `member_path` answers for: the nearest target at or above the member's
/// organization.
pub async fn target_of_member(store: &Store, s: &Survey, member_path: &str) -> StoreResult<Option<Target>> {
    Ok(targets(store, s)
        .await?
        .into_iter()
        .filter(|t| path::is_within(member_path, &t.org_path))
        .max_by_key(|t| t.org_path.len()))
}

/// A member's own record: (member id, organization path) of a current member.
pub async fn member_path(store: &Store, member_id: i64) -> StoreResult<Option<String>> {
    let r: Option<(String,)> = store
        .read()
        .fetch_optional("SELECT path FROM member WHERE id = $1 AND status = 'normal'", &args![member_id])
        .await?;
    Ok(r.map(|x| x.0))
}

/// Has the member answered the survey?
pub async fn answered_by(store: &Store, s: &Survey, member_id: i64) -> StoreResult<bool> {
    Ok(store
        .read()
        .scalar("SELECT COUNT(*) FROM survey_answer WHERE survey_id = $1 AND member_id = $2", &args![s.id, member_id])
        .await?
        > 0)
}

/// A member's answer, attributed to the member's target; once per survey (a second is refused,
/// also when two arrive at once: the unique index decides).
pub async fn answer_as_member(
    store: &Store,
    scope: &Scope,
    s: &Survey,
    member_id: i64,
    a: &Answer,
    on: NaiveDate,
) -> StoreResult<i64> {
    if !s.audience().members() {
        return Err(StoreError::NotFound("测评"));
    }
    let path = member_path(store, member_id).await?.ok_or(StoreError::NotFound("测评"))?;
    let target = target_of_member(store, s, &path).await?.ok_or(StoreError::NotFound("测评"))?;
    refuse_window(s, on)?;
    if answered_by(store, s, member_id).await? {
        return Err(StoreError::Refused("您已参加过本次测评，每人只能答一次".into()));
    }
    let mut tx = store.begin().await?;
    let id = match insert_answer(&mut tx, s, target.org_id, "member", Some(member_id), None, a).await {
        Err(e) if e.is_unique_violation() => {
            return Err(StoreError::Refused("您已参加过本次测评，每人只能答一次".into()))
        }
        x => x?,
    };
    crate::audit::record(
        &mut tx,
        scope,
        "survey.answer",
        &format!("survey:{}", s.id),
        "ok",
        json!({ "answer": id, "org": target.org_id, "respondent": "member", "member": member_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The surveys open on `on` that the member at `member_path` may answer (members are asked and a
/// target lies at or above the member's organization), with whether the member has answered.
pub async fn open_for_member(
    store: &Store,
    member_id: i64,
    member_path: &str,
    on: NaiveDate,
) -> StoreResult<Vec<(Survey, bool)>> {
    let rows: Vec<Survey> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {COLS} FROM {FROM} WHERE s.audience IN ('members', 'both') AND s.opens_on <= $1 AND s.closes_on >= $2 \
                 AND EXISTS (SELECT 1 FROM survey_target t JOIN org x ON x.id = t.org_id WHERE t.survey_id = s.id \
                 AND substr($3, 1, length(x.path)) = x.path) ORDER BY s.closes_on, s.id"
            ),
            &args![on, on, member_path.to_string()],
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for s in rows {
        let done = answered_by(store, &s, member_id).await?;
        out.push((s, done));
    }
    Ok(out)
}

/// One target's tally: answers by members and residents, the satisfaction rate (GRADE-06 reads
/// it) and coverage against the survey's targets (GRADE-08).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Satisfaction {
    pub org_id: i64,
    pub org_name: String,
    /// Satisfied share of the satisfaction items answered with a choice that counts, in
    /// thousandths; `None` when there is none.
    pub rate_permille: Option<i32>,
    pub answers: i64,
    pub member_answers: i64,
    pub resident_answers: i64,
    /// Members of the target on the day counted (the close date, or today while open).
    pub members: i64,
    pub member_coverage: Option<i32>,
    pub resident_base: Option<i64>,
    pub base_kind: Option<String>,
    pub resident_coverage: Option<i32>,
    /// Both coverage targets met for the audiences asked; `None` when residents are asked and no
    /// resident base was entered (not claimed either way).
    pub meets_coverage: Option<bool>,
    pub satisfied: i64,
    pub counted: i64,
}

impl Satisfaction {
    /// The rate is known and below `permille` (GRADE-06 reads 900).
    pub fn below(&self, permille: i32) -> bool {
        self.rate_permille.is_some_and(|r| r < permille)
    }
    pub fn rate_text(&self) -> String {
        rules::fmt_permille(self.rate_permille)
    }
    pub fn member_coverage_text(&self) -> String {
        rules::fmt_permille(self.member_coverage)
    }
    pub fn resident_coverage_text(&self) -> String {
        match self.resident_base {
            None => "未录入群众基数".into(),
            Some(_) => rules::fmt_permille(self.resident_coverage),
        }
    }
}

/// Members of an organization's subtree on a date, from the roster: a branch's own roster, or for
/// a 村党委 or 党总支 the rosters of the branches below it.
async fn members_on(store: &Store, org_id: i64, on: NaiveDate) -> StoreResult<i64> {
    let all = Scope::all();
    let org = crate::org::get(store, &all, org_id).await?;
    if org.kind.holds_members() {
        return Ok(crate::life::roster_of(store.read(), &org, on).await?.len() as i64);
    }
    let mut n = 0;
    for r in active_subtree(store, &org.path).await? {
        if OrgKind::from_code(&r.kind).is_some_and(|k| k.is_branch()) {
            let b = crate::org::get(store, &all, r.id).await?;
            n += crate::life::roster_of(store.read(), &b, on).await?.len() as i64;
        }
    }
    Ok(n)
}

/// The tally of a survey's targets (all of them, or those in `org_ids`) as of `on`, in tree
/// order. Without a caller: the service checks the caller's scope first; the grading cycle reads
/// many organizations of one survey in one call.
pub async fn satisfaction(
    store: &Store,
    survey_id: i64,
    org_ids: Option<&[i64]>,
    on: NaiveDate,
) -> StoreResult<Vec<Satisfaction>> {
    let s = fetch(store, survey_id).await?.ok_or(StoreError::NotFound("测评"))?;
    let want: Option<std::collections::HashSet<i64>> = org_ids.map(|x| x.iter().copied().collect());
    let ts: Vec<Target> =
        targets(store, &s).await?.into_iter().filter(|t| want.as_ref().is_none_or(|w| w.contains(&t.org_id))).collect();
    let sums: Vec<(i64, String, i64, i64, i64)> = store
        .read()
        .fetch_all(
            "SELECT org_id, respondent, COUNT(*), CAST(COALESCE(SUM(satisfied), 0) AS BIGINT), CAST(COALESCE(SUM(counted), 0) AS BIGINT) \
             FROM survey_answer WHERE survey_id = $1 GROUP BY org_id, respondent",
            &args![s.id],
        )
        .await?;
    let mut by: HashMap<i64, (i64, i64, i64, i64)> = HashMap::new();
    for (org, who, n, sat, cnt) in sums {
        let e = by.entry(org).or_default();
        if who == "member" {
            e.0 += n
        } else {
            e.1 += n
        }
        e.2 += sat;
        e.3 += cnt;
    }
    let day = s.counted_on(on);
    let aud = s.audience();
    let mut out = Vec::with_capacity(ts.len());
    for t in ts {
        let (m, r, sat, cnt) = by.get(&t.org_id).copied().unwrap_or_default();
        let members = if aud.members() { members_on(store, t.org_id, day).await? } else { 0 };
        let member_coverage = if aud.members() { rules::coverage_permille(m, Some(members)) } else { None };
        let resident_coverage = if aud.residents() { rules::coverage_permille(r, t.resident_base) } else { None };
        let member_ok =
            !aud.members() || members == 0 || member_coverage.is_some_and(|c| c as i64 >= s.member_permille);
        let resident_ok = if aud.residents() {
            t.resident_base.map(|_| resident_coverage.is_some_and(|c| c as i64 >= s.resident_permille))
        } else {
            Some(true)
        };
        out.push(Satisfaction {
            org_id: t.org_id,
            org_name: t.org_name,
            rate_permille: rules::rate_permille(sat, cnt),
            answers: m + r,
            member_answers: m,
            resident_answers: r,
            members,
            member_coverage,
            resident_base: t.resident_base,
            base_kind: t.base_kind,
            resident_coverage,
            meets_coverage: resident_ok.map(|ok| ok && member_ok),
            satisfied: sat,
            counted: cnt,
        });
    }
    Ok(out)
}

/// One free-text answer.
#[derive(Debug, Clone, Serialize)]
pub struct TextAnswer {
    pub answer_id: i64,
    pub org_name: String,
    pub respondent: String,
    pub item: String,
    pub text: String,
    /// The personal field as given, masked (a phone shows its first three and last four digits).
    pub personal: String,
    pub answered_at: DateTime<Utc>,
}

/// An answer's row for its free text: id, target's name, respondent, body, personal, when.
type TextRow = (i64, String, String, String, String, DateTime<Utc>);

/// The free-text answers of a survey, newest first; paged by answer.
pub async fn texts(store: &Store, s: &Survey, limit: i64, offset: i64) -> StoreResult<(Vec<TextAnswer>, i64)> {
    let q = s.questionnaire();
    let text_items: Vec<usize> =
        q.items.iter().enumerate().filter(|(_, i)| i.kind == rules::ItemKind::Text).map(|(n, _)| n).collect();
    if text_items.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let total = s.answers;
    let rows: Vec<TextRow> = store
        .read()
        .fetch_all(
            "SELECT a.id, o.name, a.respondent, a.body, a.personal, a.answered_at FROM survey_answer a \
             JOIN org o ON o.id = a.org_id WHERE a.survey_id = $1 ORDER BY a.id DESC LIMIT $2 OFFSET $3",
            &args![s.id, limit, offset],
        )
        .await?;
    let mut out = Vec::new();
    for (id, org_name, respondent, body, personal, at) in rows {
        let values: Vec<Vec<String>> = serde_json::from_str(&body).unwrap_or_default();
        let personal = match q.personal {
            rules::PersonalField::Phone => domain::mask::phone(&personal),
            rules::PersonalField::Name => personal.chars().next().map(|c| format!("{c}**")).unwrap_or_default(),
            rules::PersonalField::None => String::new(),
        };
        for n in &text_items {
            if let Some(t) = values.get(*n).and_then(|v| v.first()).filter(|t| !t.is_empty()) {
                out.push(TextAnswer {
                    answer_id: id,
                    org_name: org_name.clone(),
                    respondent: if respondent == "member" { "党员".into() } else { "群众".into() },
                    item: q.items[*n].text.clone(),
                    text: t.clone(),
                    personal: personal.clone(),
                    answered_at: at,
                });
            }
        }
    }
    Ok((out, total))
}

/// Per choice of each choice item, how many answers chose it (the survey's distribution), for the
/// targets in `org_ids` or all.
pub async fn distribution(store: &Store, s: &Survey) -> StoreResult<Vec<Vec<(String, i64)>>> {
    let q = s.questionnaire();
    let bodies: Vec<(String,)> =
        store.read().fetch_all("SELECT body FROM survey_answer WHERE survey_id = $1", &args![s.id]).await?;
    let mut counts: Vec<Vec<(String, i64)>> =
        q.items.iter().map(|i| i.choices.iter().map(|c| (c.label.clone(), 0)).collect()).collect();
    for (b,) in bodies {
        let values: Vec<Vec<String>> = serde_json::from_str(&b).unwrap_or_default();
        for (n, v) in values.iter().enumerate() {
            if let Some(c) = counts.get_mut(n) {
                for x in v {
                    if let Some(e) = c.iter_mut().find(|e| &e.0 == x) {
                        e.1 += 1;
                    }
                }
            }
        }
    }
    Ok(counts)
}

/// Write answers in bulk (the demo): members' answers attributed as a member's would be, and
/// residents' through codes made and used at once; each survey's batch audited as one record.
pub async fn bulk_answers(
    store: &Store,
    scope: &Scope,
    s: &Survey,
    members: &[(i64, i64, Answer)],
    residents: &[(i64, Answer)],
) -> StoreResult<()> {
    let key = key_of(store)?;
    let mut tx = store.begin().await?;
    for (member, org, a) in members {
        insert_answer(&mut tx, s, *org, "member", Some(*member), None, a).await?;
    }
    let batch =
        tx.x().scalar("SELECT COALESCE(MAX(batch), 0) + 1 FROM survey_code WHERE survey_id = $1", &args![s.id]).await?;
    let t = now();
    for (org, a) in residents {
        let code_id = tx
            .x()
            .scalar(
                "INSERT INTO survey_code (survey_id, org_id, code_hash, batch, created_at, used_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                &args![s.id, *org, code_hash(&key, &random_code()), batch, t, t],
            )
            .await?;
        insert_answer(&mut tx, s, *org, "resident", None, Some(code_id), a).await?;
    }
    crate::audit::record(
        &mut tx,
        scope,
        "survey.answers_bulk",
        &format!("survey:{}", s.id),
        "ok",
        json!({ "members": members.len(), "residents": residents.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Current members in the subtree at `org_path`, by id, at most `limit` (the demo's respondents).
pub async fn members_under(store: &Store, org_path: &str, limit: i64) -> StoreResult<Vec<i64>> {
    let rows: Vec<(i64,)> = store
        .read()
        .fetch_all(
            "SELECT id FROM member WHERE path >= $1 AND path < $2 AND status = 'normal' ORDER BY id LIMIT $3",
            &args![org_path.to_string(), path::subtree_end(org_path), limit],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
