//! 软弱涣散 to 销号: one function per use case, for pages, API and the command line alike.
//!
//! Reading needs 查看分类定级 where the organization is. Identifying, ticking criteria, moving an
//! identification through its life cycle (WEAK-05), accepting or returning plan items and setting
//! the WEAK-06 links need 管理分类定级 at the organization's superior (nobody identifies or
//! accepts their own organization); the organization itself (分类定级评分 where it is) adds items
//! to its plan and reports them done. Local criteria and settings are set by 管理分类定级 at the
//! organization they are set for.

use chrono::NaiveDate;
use domain::access::Perm;
use domain::weak_and_lax::{
    self as rules, Criterion, CriterionInput, ItemInput, LinksInput, Origin, Settings, SettingsInput, State, TickInput,
    TransitionInput,
};
use domain::FieldErrors;
use store::weak_and_lax::{Event, Filter, Finding, Item, LocalCriterion, Proposed, Swept, Tick, WeakOrg};
use store::Store;

use crate::{Ctx, ServiceError, ServiceResult};

/// May the caller decide on the organization at `path` (管理分类定级 at its superior)?
pub fn may_decide(ctx: &Ctx, path: &str) -> bool {
    domain::path::parent(path).is_some_and(|p| ctx.can_at(Perm::ManageGrading, p))
}

/// May the caller work on the organization's own plan (分类定级评分 where it is)?
pub fn may_work(ctx: &Ctx, path: &str) -> bool {
    ctx.can_at(Perm::AssessGrading, path)
}

fn deny(w: &WeakOrg) -> ServiceError {
    ServiceError::Denied(format!(
        "软弱涣散党组织由上级党组织认定、验收：您不能办理{}的记录，请由其上级党组织（组织部）办理。",
        w.org_name
    ))
}

fn version(v: &str) -> ServiceResult<i64> {
    v.trim().parse::<i64>().map_err(|_| {
        FieldErrors(vec![domain::FieldError::new("版本", "缺少所修改的版本，请从记录页面重新打开后提交")]).into()
    })
}

/// One page of identifications in the subtree of `org_id`, with a state and a year filter.
pub async fn list(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    state: &str,
    year: &str,
    limit: i64,
    offset: i64,
) -> ServiceResult<(Vec<WeakOrg>, i64)> {
    let (_, org) = ctx.org(store, Perm::ReadGrading, org_id).await?;
    let f = filter(state, year)?;
    Ok(store::weak_and_lax::list(store, &org, &f, limit, offset).await?)
}

/// The list's filter, refusing a state or year it does not know (naming the field).
pub fn filter(state: &str, year: &str) -> ServiceResult<Filter> {
    let mut e = FieldErrors::default();
    let state = match state.trim() {
        "" => None,
        s => State::parse(s).or_else(|| {
            e.push("状态", format!("应为 {}", State::labels()));
            None
        }),
    };
    let year = match year.trim() {
        "" => None,
        y => match y.trim_end_matches('年').parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => Some(y),
            _ => {
                e.push("年度", format!("“{y}”应为 2000 至 2100 的年份"));
                None
            }
        },
    };
    e.into_result(Filter { state, year }).map_err(Into::into)
}

/// How many identifications of each state the subtree holds.
pub async fn counts(store: &Store, ctx: &Ctx, org_id: i64, year: Option<i32>) -> ServiceResult<Vec<(String, i64)>> {
    let (_, org) = ctx.org(store, Perm::ReadGrading, org_id).await?;
    Ok(store::weak_and_lax::counts(store, &org, year).await?)
}

/// An identification with everything its page shows.
pub struct Record {
    pub weak: WeakOrg,
    pub ticks: Vec<Tick>,
    pub events: Vec<Event>,
    pub items: Vec<Item>,
    /// The criteria in force for the organization today (for ticking).
    pub criteria: Vec<Criterion>,
    /// WEAK-06 links missing (a village organization on the list).
    pub missing: Vec<&'static str>,
    pub may_decide: bool,
    pub may_work: bool,
}

/// Read an identification (查看分类定级 where the organization is).
pub async fn get(store: &Store, ctx: &Ctx, id: i64, today: NaiveDate) -> ServiceResult<Record> {
    let scope = ctx.require(Perm::ReadGrading)?;
    let weak = store::weak_and_lax::get(store, &scope, id).await?;
    let org = store::org::visible(store, &scope, weak.org_id).await?;
    let ticks = store::weak_and_lax::ticks(store, &weak).await?;
    let events = store::weak_and_lax::events(store, &weak).await?;
    let items = store::weak_and_lax::items(store, &weak).await?;
    let criteria = store::weak_and_lax::criteria_in_force(store, &org, today).await?;
    let missing = if weak.is_village() && weak.state().needs_links() {
        let fs = store::weak_and_lax::first_secretary_orgs(store, &weak.org_path, today).await?;
        rules::missing_links(fs.contains(&weak.org_id), &weak.county_leader, &weak.township_leader, &weak.paired_dept)
    } else {
        Vec::new()
    };
    Ok(Record {
        may_decide: may_decide(ctx, &weak.org_path),
        may_work: may_work(ctx, &weak.org_path),
        weak,
        ticks,
        events,
        items,
        criteria,
        missing,
    })
}

/// Read an identification to decide on it: 管理分类定级 at the organization's superior.
async fn for_decision(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<(store::Scope, WeakOrg)> {
    let scope = ctx.require(Perm::ManageGrading)?;
    let w = store::weak_and_lax::get(store, &scope, id).await?;
    if !may_decide(ctx, &w.org_path) {
        return Err(deny(&w));
    }
    Ok((scope, w))
}

/// Enter an organization as suspected (排查), ticking criteria in force with their facts.
pub async fn create(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    reason: &str,
    ticks: &[TickInput],
    today: NaiveDate,
) -> ServiceResult<WeakOrg> {
    let (scope, org) = ctx.org(store, Perm::ManageGrading, org_id).await?;
    if !may_decide(ctx, &org.path) {
        return Err(ServiceError::Denied(format!(
            "软弱涣散党组织由上级党组织排查认定：您不能认定{}，请由其上级党组织办理。",
            org.name
        )));
    }
    let in_force = store::weak_and_lax::criteria_in_force(store, &org, today).await?;
    let mut e = FieldErrors::default();
    let reason = domain::text::optional(&Some(reason.to_string()), "排查情况", 1000, &mut e).unwrap_or_default();
    if ticks.is_empty() {
        e.push("认定标准", "至少勾选一项认定标准");
    }
    let checked = rules::check_ticks(ticks, &in_force).map_err(|x| e.0.extend(x.0)).ok();
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(store::weak_and_lax::create(store, &scope, &org, Origin::Manual, &reason, &checked.expect("checked"), today)
        .await?)
}

/// Replace the ticked criteria (while suspected or confirmed), at the version read.
pub async fn set_ticks(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    ver: &str,
    ticks: &[TickInput],
    today: NaiveDate,
) -> ServiceResult<WeakOrg> {
    let (scope, w) = for_decision(store, ctx, id).await?;
    if !w.state().criteria_editable() {
        return Err(ServiceError::Refused(format!("该记录{}，认定标准不能再修改", w.state_label())));
    }
    let org = store::org::visible(store, &scope, w.org_id).await?;
    let in_force = store::weak_and_lax::criteria_in_force(store, &org, today).await?;
    let mut e = FieldErrors::default();
    if ticks.is_empty() {
        e.push("认定标准", "至少勾选一项认定标准");
    }
    let checked = rules::check_ticks(ticks, &in_force).map_err(|x| e.0.extend(x.0)).ok();
    let v = version(ver).map_err(|_| e.push("版本", "缺少所修改的版本，请从记录页面重新打开后提交")).ok();
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(store::weak_and_lax::set_ticks(store, &scope, id, v.expect("checked"), &checked.expect("checked")).await?)
}

/// Move an identification through its life cycle (WEAK-05); the organization is told.
pub async fn transition(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    input: &TransitionInput,
    today: NaiveDate,
) -> ServiceResult<WeakOrg> {
    let (scope, w) = for_decision(store, ctx, id).await?;
    let facts = store::weak_and_lax::facts(store, &w).await?;
    let t = rules::transition(input, &facts, today)?;
    let w = store::weak_and_lax::apply(store, &scope, id, &t).await?;
    let org = store::org::visible(store, &scope, w.org_id).await?;
    let draft = domain::message::Draft {
        kind: domain::message::Kind::Notice,
        audience: domain::message::Audience::GradingAssessors,
        subject: format!("weak_org:{}", w.id),
        title: format!("软弱涣散整顿：{}{}", w.org_name, t.action.label()),
        body: format!(
            "{} 的软弱涣散整顿记录（{}年）于 {} {}，当前状态：{}。{}",
            w.org_name,
            w.year,
            t.on,
            t.action.label(),
            w.state_label(),
            [t.decision_ref.as_str(), t.note.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join("；")
        ),
        link: format!("/weak-and-lax/{}", w.id),
    };
    crate::message::post(store, ctx, &org, &draft).await?;
    Ok(w)
}

/// Set the WEAK-06 links of an identification.
pub async fn set_links(store: &Store, ctx: &Ctx, id: i64, input: &LinksInput) -> ServiceResult<WeakOrg> {
    let (scope, _) = for_decision(store, ctx, id).await?;
    let v = input.validate()?;
    Ok(store::weak_and_lax::set_links(store, &scope, id, &v).await?)
}

/// Add an item to the rectification plan: the organization (分类定级评分 where it is) or its
/// superior.
pub async fn add_item(
    store: &Store,
    ctx: &Ctx,
    weak_id: i64,
    input: &ItemInput,
    today: NaiveDate,
) -> ServiceResult<Item> {
    let scope = ctx.require(Perm::AssessGrading)?;
    let w = store::weak_and_lax::get(store, &scope, weak_id).await?;
    if !w.state().plan_editable() {
        return Err(ServiceError::Refused(format!("该记录{}：认定后、验收前方可制定整改方案", w.state_label())));
    }
    let v = input.validate(today)?;
    Ok(store::weak_and_lax::add_item(store, &scope, weak_id, &v).await?)
}

fn item_id(e: &mut FieldErrors, s: &str) -> Option<i64> {
    s.trim().parse::<i64>().map_err(|_| e.push("整改事项", "请选择整改事项")).ok()
}

/// The organization reports an item of its plan done, with evidence (分类定级评分 where it is).
pub async fn report_item(
    store: &Store,
    ctx: &Ctx,
    weak_id: i64,
    item: &str,
    evidence: &str,
    today: NaiveDate,
) -> ServiceResult<Item> {
    let scope = ctx.require(Perm::AssessGrading)?;
    let w = store::weak_and_lax::get(store, &scope, weak_id).await?;
    let mut e = FieldErrors::default();
    let id = item_id(&mut e, item);
    let ev = domain::text::required(evidence, "整改成效", 1000, &mut e);
    if !e.is_empty() {
        return Err(e.into());
    }
    let (iw, _) = store::weak_and_lax::item(store, &scope, id.expect("checked")).await?;
    if iw.id != w.id {
        return Err(ServiceError::NotFound("整改事项"));
    }
    Ok(store::weak_and_lax::report_item(store, &scope, id.expect("checked"), &ev, today).await?)
}

/// The superior accepts (`accept`) a reported item or returns it (`return`, with a reason); the
/// organization is told of a return.
pub async fn decide_item(
    store: &Store,
    ctx: &Ctx,
    weak_id: i64,
    item: &str,
    decision: &str,
    reason: &str,
    today: NaiveDate,
) -> ServiceResult<Item> {
    let (scope, w) = for_decision(store, ctx, weak_id).await?;
    let mut e = FieldErrors::default();
    let id = item_id(&mut e, item);
    let accept = match decision {
        "accept" => Some(true),
        "return" => Some(false),
        _ => {
            e.push("验收意见", "请选择验收通过或退回");
            None
        }
    };
    let reason = domain::text::optional(&Some(reason.to_string()), "退回理由", 500, &mut e).unwrap_or_default();
    if accept == Some(false) && reason.is_empty() {
        e.push("退回理由", "退回时须写明理由");
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let (iw, _) = store::weak_and_lax::item(store, &scope, id.expect("checked")).await?;
    if iw.id != w.id {
        return Err(ServiceError::NotFound("整改事项"));
    }
    let accept = accept.expect("checked");
    let i = store::weak_and_lax::decide_item(store, &scope, id.expect("checked"), accept, &reason, today).await?;
    if !accept {
        let org = store::org::visible(store, &scope, w.org_id).await?;
        let draft = domain::message::Draft {
            kind: domain::message::Kind::Returned,
            audience: domain::message::Audience::GradingAssessors,
            subject: format!("weak_item:{}", i.id),
            title: format!("整改事项被退回：{}", i.problem.chars().take(40).collect::<String>()),
            body: format!("{} 的整改事项“{}”未通过验收：{reason}。请继续整改后重新报告。", w.org_name, i.problem),
            link: format!("/weak-and-lax/{}", w.id),
        };
        crate::message::post(store, ctx, &org, &draft).await?;
    }
    Ok(i)
}

/// Propose from data in the subtree of `org_id` (管理分类定级 there): no organization life for
/// the months set, a 书记 post vacant too long.
pub async fn propose(store: &Store, ctx: &Ctx, org_id: i64, today: NaiveDate) -> ServiceResult<Proposed> {
    let (scope, org) = ctx.org(store, Perm::ManageGrading, org_id).await?;
    Ok(store::weak_and_lax::propose(store, &scope, &org, today).await?)
}

/// The grading cycle's hook: its bottom organizations become suspected with the reason given.
/// Every organization must be in the caller's scope of 管理分类定级 (else nothing is written).
pub async fn propose_bottom(
    store: &Store,
    ctx: &Ctx,
    org_ids: &[i64],
    reason: &str,
    today: NaiveDate,
) -> ServiceResult<Proposed> {
    let scope = ctx.require(Perm::ManageGrading)?;
    let mut e = FieldErrors::default();
    let reason = domain::text::required(reason, "排查情况", 500, &mut e);
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(store::weak_and_lax::propose_bottom(store, &scope, org_ids, &reason, today).await?)
}

/// The daily sweep of the subtree of `org_id` (管理分类定级 there; the command line runs it for
/// the whole tree as the operator).
pub async fn sweep(store: &Store, ctx: &Ctx, org_id: i64, today: NaiveDate) -> ServiceResult<Swept> {
    let (scope, org) = ctx.org(store, Perm::ManageGrading, org_id).await?;
    Ok(store::weak_and_lax::sweep(store, &scope, &org, today).await?)
}

/// The findings of the subtree, paged.
pub async fn findings(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    limit: i64,
    offset: i64,
) -> ServiceResult<(Vec<Finding>, i64)> {
    let (_, org) = ctx.org(store, Perm::ReadGrading, org_id).await?;
    Ok(store::weak_and_lax::findings(store, &org, limit, offset).await?)
}

/// The criteria page: in force today, the local rows at and above the organization, and the
/// settings in force.
pub async fn criteria(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    today: NaiveDate,
) -> ServiceResult<(Vec<Criterion>, Vec<LocalCriterion>, Settings)> {
    let (_, org) = ctx.org(store, Perm::ReadGrading, org_id).await?;
    Ok((
        store::weak_and_lax::criteria_in_force(store, &org, today).await?,
        store::weak_and_lax::local_criteria(store, &org).await?,
        store::weak_and_lax::settings(store, &org, today).await?,
    ))
}

/// Add a local criterion at `org_id`.
pub async fn add_criterion(store: &Store, ctx: &Ctx, org_id: i64, input: &CriterionInput) -> ServiceResult<String> {
    let (scope, org) = ctx.org(store, Perm::ManageGrading, org_id).await?;
    let v = input.validate()?;
    Ok(store::weak_and_lax::add_criterion(store, &scope, &org, &v).await?)
}

/// Adopt the local preset at `org_id` from a date.
pub async fn adopt_preset(store: &Store, ctx: &Ctx, org_id: i64, from: &str) -> ServiceResult<usize> {
    let (scope, org) = ctx.org(store, Perm::ManageGrading, org_id).await?;
    let mut e = FieldErrors::default();
    let from = match from.trim() {
        "" => {
            e.push("施行日期", "必填");
            None
        }
        s => domain::dates::parse_date(s).map_err(|x| e.push("施行日期", x)).ok(),
    };
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(store::weak_and_lax::adopt_preset(store, &scope, &org, from.expect("checked")).await?)
}

/// Retire a local criterion from a date.
pub async fn retire_criterion(store: &Store, ctx: &Ctx, id: &str, on: &str) -> ServiceResult<()> {
    let scope = ctx.require(Perm::ManageGrading)?;
    let mut e = FieldErrors::default();
    let id = id.trim().parse::<i64>().map_err(|_| e.push("认定标准", "请选择要停用的认定标准")).ok();
    let on = domain::dates::parse_date(on.trim()).map_err(|x| e.push("停用日期", x)).ok();
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(store::weak_and_lax::retire_criterion(store, &scope, id.expect("checked"), on.expect("checked")).await?)
}

/// Set a dated version of the settings at `org_id`.
pub async fn set_settings(store: &Store, ctx: &Ctx, org_id: i64, input: &SettingsInput) -> ServiceResult<()> {
    let (scope, org) = ctx.org(store, Perm::ManageGrading, org_id).await?;
    let (s, from) = input.validate()?;
    Ok(store::weak_and_lax::set_settings(store, &scope, &org, &s, from).await?)
}
