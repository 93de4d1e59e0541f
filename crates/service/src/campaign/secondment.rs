//! 跟岗学习: a unit nominates a current member of its subtree for a period (填报创建活动 where
//! the unit is), attesting the party-work post, release from work and writing ability; the
//! reviewer above the unit (管理创建活动 at its superior) sees every condition the nomination fails
//! on the day, and accepts or rejects it with a reason — required to reject, and to accept a
//! nomination that fails a condition. The conditions failed on the day of the decision are kept
//! with it, and the unit is told. The member's birth date, sex and occupation decide the
//! statutory retirement age (RETIRE-01/02); the ID number is neither read nor shown.

use chrono::NaiveDate;
use domain::access::Perm;
use domain::campaign::retirement;
use domain::campaign::secondment::{self as rules, Status};
use domain::message::{Audience, Draft, Kind as MessageKind};
use domain::FieldErrors;
use store::campaign::secondment::{NewNomination, Nomination, Nominee};
use store::Store;

use crate::{Ctx, ServiceError, ServiceResult};

/// How many members a name search offers.
pub const CANDIDATES: i64 = 20;

/// A nomination as typed.
#[derive(Debug, Clone, Default)]
pub struct NominationInput {
    /// The member's number (chosen among the candidates of a name).
    pub member: String,
    pub starts_on: String,
    pub ends_on: String,
    pub party_post: bool,
    pub full_time: bool,
    pub writing: bool,
    pub host_unit: String,
}

/// May the caller decide on nominations of the unit at `path` (管理创建活动 at its superior)?
pub fn may_review(ctx: &Ctx, path: &str) -> bool {
    domain::path::parent(path).is_some_and(|p| ctx.can_at(Perm::ManageCampaigns, p))
}

/// Current members of the unit's subtree whose name holds `name`, to choose the nominee among.
pub async fn candidates(store: &Store, ctx: &Ctx, org_id: i64, name: &str) -> ServiceResult<Vec<Nominee>> {
    let (_, org) = ctx.org(store, Perm::ReportCampaigns, org_id).await?;
    Ok(store::campaign::secondment::nominees_named(store, &org, name, CANDIDATES).await?)
}

fn date(e: &mut FieldErrors, field: &'static str, s: &str) -> Option<NaiveDate> {
    match s.trim() {
        "" => {
            e.push(field, "不能为空");
            None
        }
        t => domain::dates::parse_date(t).map_err(|m| e.push(field, m)).ok(),
    }
}

/// Nominate a member of the unit `org_id`'s subtree.
pub async fn nominate(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    input: &NominationInput,
    today: NaiveDate,
) -> ServiceResult<Nomination> {
    let (scope, org) = ctx.org(store, Perm::ReportCampaigns, org_id).await?;
    let mut e = FieldErrors::default();
    let who = match input.member.trim().parse::<i64>() {
        Ok(id) => match store::campaign::secondment::nominee(store, &org, id).await? {
            Some(w) => Some(w),
            None => {
                e.push("党员", format!("不是{}及其下级党组织的在册党员", org.name));
                None
            }
        },
        Err(_) => {
            e.push("党员", "请选择被推荐的党员");
            None
        }
    };
    let starts_on = date(&mut e, "跟岗开始日期", &input.starts_on);
    let ends_on = date(&mut e, "跟岗结束日期", &input.ends_on);
    let host_unit = domain::text::optional(&Some(input.host_unit.clone()), "跟岗单位", 100, &mut e).unwrap_or_default();
    if let (Some(s), Some(t)) = (starts_on, ends_on) {
        if t < s {
            e.push("跟岗结束日期", format!("不能早于跟岗开始日期（{s}）"));
        }
    }
    // the conditions' own input checks (the birth date, the period) name their fields too
    if let (Some(w), true) = (&who, e.is_empty()) {
        let n = rules::Nomination {
            member_name: w.name.clone(),
            person: rules::Person::BirthSex { birth: Some(w.birth_date), sex: Some(w.sex()) },
            category: Some(w.category()),
            party_work_post: input.party_post,
            released_full_time: input.full_time,
            writing_attested: input.writing,
            period_start: starts_on,
            period_end: ends_on,
        };
        if let Err(x) = n.validate(today) {
            e.0.extend(x.0);
        }
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let who = who.expect("checked");
    let n = NewNomination {
        member_id: who.id,
        category: who.category(),
        party_post: input.party_post,
        full_time: input.full_time,
        writing: input.writing,
        starts_on: starts_on.expect("checked"),
        ends_on: ends_on.expect("checked"),
        host_unit,
    };
    Ok(store::campaign::secondment::nominate(store, &scope, &org, &n, None).await?)
}

/// A condition the nomination does not meet, as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FailureLine {
    pub rule_id: String,
    pub label: &'static str,
    pub explanation: String,
}

/// A nomination's page: the conditions it fails (checked today while it waits, as kept with the
/// decision once decided), the statutory retirement that decides SEC-02, the conditions in force
/// and whether the caller decides on it.
#[derive(Debug, Clone)]
pub struct View {
    pub nomination: Nomination,
    pub failures: Vec<FailureLine>,
    /// The failures are checked today (waiting) rather than kept (decided).
    pub live: bool,
    /// `2043-01-10（法定退休年龄63岁，RETIRE-02）`.
    pub retirement: String,
    /// The conditions in force today: rule ID, what it asks, its source and confidence.
    pub conditions: Vec<(String, String, String, String)>,
    pub can_review: bool,
}

fn label_of(rule_id: &str) -> &'static str {
    rules::shipped().iter().find(|c| c.rule_id == rule_id).map_or("", |c| c.kind.label())
}

/// What the conditions in force on `on` find wrong with a nomination.
pub fn failures_on(n: &Nomination, on: NaiveDate) -> ServiceResult<Vec<rules::Failure>> {
    Ok(rules::check(&n.judged(), rules::shipped(), on)?)
}

pub async fn view(store: &Store, ctx: &Ctx, id: i64, today: NaiveDate) -> ServiceResult<View> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    let n = store::campaign::secondment::get(store, &scope, id).await?;
    let live = n.status() == Status::Pending;
    let failures = if live {
        failures_on(&n, today)?
            .into_iter()
            .map(|f| FailureLine { label: f.label(), rule_id: f.rule_id, explanation: f.explanation })
            .collect()
    } else {
        rules::read_failure_lines(&n.failures)
            .into_iter()
            .map(|(rule_id, explanation)| FailureLine { label: label_of(&rule_id), rule_id, explanation })
            .collect()
    };
    let r = retirement::retirement(n.member_birth, n.category());
    let retirement = format!("{}（法定退休年龄{}，{}）", r.date, r.age_label(), r.regime.rule_id);
    let conditions = rules::in_force(rules::shipped(), today)
        .into_iter()
        .map(|c| (c.rule_id.clone(), c.describe(), c.citation(), c.confidence.clone()))
        .collect();
    let can_review = live && may_review(ctx, &n.org_path);
    Ok(View { nomination: n, failures, live, retirement, conditions, can_review })
}

/// Accept (`accept`) or reject (`reject`) a waiting nomination; the conditions it fails today are
/// kept with the decision, and the nominating unit is told.
pub async fn decide(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    decision: &str,
    reason: &str,
    today: NaiveDate,
) -> ServiceResult<Nomination> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    let n = store::campaign::secondment::get(store, &scope, id).await?;
    if !may_review(ctx, &n.org_path) {
        return Err(ServiceError::Denied(format!(
            "跟岗学习推荐由推荐单位的上级审核：您不能审核{}的推荐，请由其上级党组织审核。",
            n.org_name
        )));
    }
    if n.status() != Status::Pending {
        return Err(ServiceError::Refused(format!("该推荐{}，不能再次审核", n.status_label())));
    }
    let mut e = FieldErrors::default();
    let accept = match decision {
        "accept" => Some(true),
        "reject" => Some(false),
        _ => {
            e.push("审核意见", "请选择同意或不同意");
            None
        }
    };
    let reason = domain::text::optional(&Some(reason.to_string()), "理由", 500, &mut e).unwrap_or_default();
    let failures = failures_on(&n, today)?;
    match accept {
        Some(false) if reason.is_empty() => e.push("理由", "不同意时须写明理由"),
        Some(true) if reason.is_empty() && !failures.is_empty() => {
            e.push("理由", format!("有 {} 项条件不符合（{}），同意时须写明理由", failures.len(), ids(&failures)))
        }
        _ => {}
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let accept = accept.expect("checked");
    let kept = rules::failure_lines(&failures);
    let n = store::campaign::secondment::decide(store, &scope, id, accept, &reason, &kept).await?;
    let org = store::org::visible(store, &scope, n.org_id).await?;
    let verdict = if accept { "已同意" } else { "未同意" };
    let draft = Draft {
        kind: MessageKind::Notice,
        audience: Audience::CampaignReporters,
        subject: format!("secondment_nomination:{}", n.id),
        title: format!("{} 的跟岗学习推荐{verdict}", n.member_name),
        body: format!(
            "{} 推荐 {} 跟岗学习（{} 至 {}）{verdict}{}",
            n.org_name,
            n.member_name,
            n.starts_on,
            n.ends_on,
            if reason.is_empty() { "。".to_string() } else { format!("：{reason}") }
        ),
        link: format!("/secondments/{}", n.id),
    };
    crate::message::post(store, ctx, &org, &draft).await?;
    Ok(n)
}

fn ids(f: &[rules::Failure]) -> String {
    f.iter().map(|x| x.rule_id.as_str()).collect::<Vec<_>>().join("、")
}

/// One page of nominations of units in the subtree of `org_id` (waiting only when
/// `pending_only`), each with the number of conditions it fails (today while waiting, as kept once
/// decided).
pub struct Listing {
    pub rows: Vec<(Nomination, usize)>,
    pub total: i64,
}

pub async fn list(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    pending_only: bool,
    limit: i64,
    offset: i64,
    today: NaiveDate,
) -> ServiceResult<Listing> {
    let (_, org) = ctx.org(store, Perm::ReadCampaigns, org_id).await?;
    let (rows, total) = store::campaign::secondment::list(store, &org, pending_only, limit, offset).await?;
    let rows = rows
        .into_iter()
        .map(|n| {
            let failing = if n.status() == Status::Pending {
                failures_on(&n, today).map_or(0, |f| f.len())
            } else {
                rules::read_failure_lines(&n.failures).len()
            };
            (n, failing)
        })
        .collect();
    Ok(Listing { rows, total })
}
