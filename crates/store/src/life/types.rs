//! Types and rules.

use crate::args;
use crate::db::{now, Store};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use chrono::NaiveDate;
use domain::life::{self as dl, Applies, LifeRule, LifeType, PeriodKind};
use domain::{path, FieldErrors};
use serde_json::json;

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

pub(crate) fn severity_code(s: domain::rules::Severity) -> &'static str {
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
    let (from, to) = validity(&input.valid_from, &input.valid_to, &input.source, &mut e);
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

#[derive(sqlx::FromRow)]
struct WindowRow {
    id: i64,
    until_md: String,
    org_id: i64,
    org_path: String,
    org_name: String,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    source: String,
}

/// Every version of the 所属年度 window (LIFE-18): the shipped one, then the local ones.
pub async fn year_windows(store: &Store) -> StoreResult<Vec<dl::YearWindow>> {
    let rows: Vec<WindowRow> = store
        .read()
        .fetch_all(
            "SELECT w.id, w.until_md, w.org_id, o.path AS org_path, o.name AS org_name, w.valid_from, w.valid_to, w.source \
             FROM life_year_window w JOIN org o ON o.id = w.org_id ORDER BY o.path, w.valid_from",
            &[],
        )
        .await?;
    let national = &dl::shipped_year_windows()[0];
    let mut out = dl::shipped_year_windows().to_vec();
    out.extend(rows.into_iter().filter_map(|r| {
        let (until_month, until_day) = dl::parse_until(&r.until_md).ok()?;
        Some(dl::YearWindow {
            id: Some(r.id),
            rule_id: national.rule_id.clone(),
            until_month,
            until_day,
            org_id: Some(r.org_id),
            org_path: Some(r.org_path),
            org_name: Some(r.org_name),
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            source: r.source,
            article: "—".into(),
            confidence: "L".into(),
        })
    }));
    Ok(out)
}

/// A local version of the 所属年度 window as entered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct YearWindowInput {
    pub org_id: i64,
    /// `03-31`.
    pub until: String,
    pub valid_from: String,
    pub valid_to: String,
    pub source: String,
}

/// Set a local version of the 所属年度 window for an organization's subtree (in scope), in force
/// from a date like any rule version. Audited.
pub async fn add_year_window(store: &Store, scope: &Scope, input: &YearWindowInput) -> StoreResult<dl::YearWindow> {
    let org = crate::org::get(store, scope, input.org_id).await?;
    let mut e = FieldErrors::default();
    let until = dl::parse_until(&input.until).map_err(|m| e.push("截止月日", m)).ok();
    let (from, to) = validity(&input.valid_from, &input.valid_to, &input.source, &mut e);
    let (Some((m, d)), Some(from)) = (until, from) else {
        return Err(e.into());
    };
    if !e.is_empty() {
        return Err(e.into());
    }
    let until_md = format!("{m:02}-{d:02}");
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO life_year_window (org_id, until_md, valid_from, valid_to, source, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &args![org.id, until_md.clone(), from, to, input.source.trim(), now()],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "life.year_window.add",
        &format!("life_year_window:{id}"),
        "ok",
        json!({ "org": org.id, "until": until_md, "from": from, "to": to, "source": input.source.trim() }),
    )
    .await?;
    tx.commit().await?;
    let national = &dl::shipped_year_windows()[0];
    Ok(dl::YearWindow {
        id: Some(id),
        rule_id: national.rule_id.clone(),
        until_month: m,
        until_day: d,
        org_id: Some(org.id),
        org_path: Some(org.path.clone()),
        org_name: Some(org.name.clone()),
        valid_from: from,
        valid_to: to,
        source: input.source.trim().into(),
        article: "—".into(),
        confidence: "L".into(),
    })
}

/// A local rule version's validity and source, as typed: the date it takes effect (required),
/// the date it lapses (optional, after the first) and the local document it rests on (required);
/// each problem pushed naming its field.
fn validity(
    valid_from: &str,
    valid_to: &str,
    source: &str,
    e: &mut FieldErrors,
) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let from = domain::dates::parse_date(valid_from).map_err(|m| e.push("生效日期", m)).ok();
    let to = if valid_to.trim().is_empty() {
        None
    } else {
        match domain::dates::parse_date(valid_to) {
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
    if source.trim().is_empty() {
        e.push("依据文件", "请填写本地规定的文件名称");
    }
    (from, to)
}
