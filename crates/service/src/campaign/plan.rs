//! 党建规划: an organization drafts its annual or three-to-five-year plan and submits it
//! (填报创建活动 where it is); the superior approves it or returns it with a reason (管理创建活动
//! at the organization's superior), and the organization is told. Progress against every target
//! is computed as of a day from the indicator source registry over the organization's subtree
//! (`store::campaign::measure::measure_org`), never typed.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use domain::access::Perm;
use domain::campaign::indicator::{fmt_milli, source};
use domain::campaign::plan::{self as rules, PlanInput, PlanStatus, Standing};
use domain::message::{Audience, Draft, Kind as MessageKind};
use domain::org::Org;
use domain::FieldErrors;
use store::campaign::plan::{Milestone, Plan, Target};
use store::{Store, Visible};

use crate::{Ctx, ServiceError, ServiceResult};

/// May the caller approve or return plans of the organization at `path` (管理创建活动 at its
/// superior)?
pub fn may_review(ctx: &Ctx, path: &str) -> bool {
    domain::path::parent(path).is_some_and(|p| ctx.can_at(Perm::ManageCampaigns, p))
}

/// Draft a plan of the organization `org_id`.
pub async fn create(store: &Store, ctx: &Ctx, org_id: i64, input: &PlanInput) -> ServiceResult<Plan> {
    let (scope, org) = ctx.org(store, Perm::ReportCampaigns, org_id).await?;
    let v = input.validate()?;
    Ok(store::campaign::plan::create(store, &scope, &org, &v).await?)
}

/// Just the plan, where the caller reads campaigns.
pub async fn get(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<Plan> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    Ok(store::campaign::plan::get(store, &scope, id).await?)
}

/// A plan with its targets and milestones, read to change it (填报创建活动 where it is).
pub async fn for_edit(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<(Plan, Vec<Target>, Vec<Milestone>)> {
    let scope = ctx.require(Perm::ReportCampaigns)?;
    let p = store::campaign::plan::get(store, &scope, id).await?;
    let t = store::campaign::plan::targets(store, &p).await?;
    let m = store::campaign::plan::milestones(store, &p).await?;
    Ok((p, t, m))
}

/// Change a draft or returned plan at the version the editor read.
pub async fn update(store: &Store, ctx: &Ctx, id: i64, version: &str, input: &PlanInput) -> ServiceResult<Plan> {
    let scope = ctx.require(Perm::ReportCampaigns)?;
    let p = store::campaign::plan::get(store, &scope, id).await?;
    if !p.status().editable() {
        return Err(ServiceError::Refused(format!("该规划{}，不能修改", p.status_label())));
    }
    let mut e = FieldErrors::default();
    let version =
        version.trim().parse::<i64>().map_err(|_| e.push("版本", "缺少所修改的版本，请从规划页面重新打开修改")).ok();
    let v = input.validate();
    match (v, version) {
        (Ok(v), Some(version)) if e.is_empty() => {
            Ok(store::campaign::plan::update(store, &scope, id, version, &v).await?)
        }
        (v, _) => {
            if let Err(x) = v {
                e.0.extend(x.0);
            }
            Err(e.into())
        }
    }
}

/// Submit a draft or returned plan, at the version the submitter read.
pub async fn submit(store: &Store, ctx: &Ctx, id: i64, version: &str) -> ServiceResult<Plan> {
    let scope = ctx.require(Perm::ReportCampaigns)?;
    let p = store::campaign::plan::get(store, &scope, id).await?;
    let Ok(version) = version.trim().parse::<i64>() else {
        return Err(FieldErrors(vec![domain::FieldError::new("版本", "请在规划页面点击“提交审核”提交")]).into());
    };
    if !p.status().editable() {
        return Err(ServiceError::Refused(format!("该规划{}，不能再次提交", p.status_label())));
    }
    Ok(store::campaign::plan::submit(store, &scope, id, version).await?)
}

/// Approve (`approve`) or return (`return`, with a reason) a submitted plan; the organization is
/// told either way.
pub async fn review(store: &Store, ctx: &Ctx, id: i64, decision: &str, reason: &str) -> ServiceResult<Plan> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    let p = store::campaign::plan::get(store, &scope, id).await?;
    if !may_review(ctx, &p.org_path) {
        return Err(ServiceError::Denied(format!(
            "党建规划由上级党组织审核：您不能审核{}的规划，请由其上级党组织审核。",
            p.org_name
        )));
    }
    if !p.status().reviewable() {
        return Err(ServiceError::Refused(format!("该规划{}，不在待审核状态", p.status_label())));
    }
    let mut e = FieldErrors::default();
    let approve = match decision {
        "approve" => Some(true),
        "return" => Some(false),
        _ => {
            e.push("审核意见", "请选择批准或退回");
            None
        }
    };
    let reason = domain::text::optional(&Some(reason.to_string()), "退回理由", 500, &mut e).unwrap_or_default();
    if approve == Some(false) && reason.is_empty() {
        e.push("退回理由", "退回时须写明理由");
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let approve = approve.expect("checked");
    let p = store::campaign::plan::review(store, &scope, id, approve, &reason).await?;
    let org = store::org::visible(store, &scope, p.org_id).await?;
    let draft = Draft {
        kind: MessageKind::Notice,
        audience: Audience::CampaignReporters,
        subject: format!("party_plan:{}", p.id),
        title: format!("{}“{}”{}", p.kind_label(), p.title, if approve { "已批准" } else { "被退回" }),
        body: if approve {
            format!("{} 的{}（{}）已批准。", p.org_name, p.kind_label(), p.years())
        } else {
            format!("{} 的{}（{}）被退回：{reason}", p.org_name, p.kind_label(), p.years())
        },
        link: format!("/plans/{}", p.id),
    };
    crate::message::post(store, ctx, &org, &draft).await?;
    Ok(p)
}

/// Mark a milestone of an approved plan done on `on` (not after today).
pub async fn milestone_done(
    store: &Store,
    ctx: &Ctx,
    plan_id: i64,
    milestone: &str,
    on: &str,
    today: NaiveDate,
) -> ServiceResult<Milestone> {
    let scope = ctx.require(Perm::ReportCampaigns)?;
    store::campaign::plan::get(store, &scope, plan_id).await?;
    let mut e = FieldErrors::default();
    let m = milestone.trim().parse::<i64>().map_err(|_| e.push("里程碑", "请选择里程碑")).ok();
    let d = match on.trim() {
        "" => {
            e.push("完成日期", "不能为空");
            None
        }
        t => domain::dates::parse_date(t).map_err(|x| e.push("完成日期", x)).ok(),
    };
    if let Some(d) = d.filter(|d| *d > today) {
        e.push("完成日期", format!("{d} 晚于今天"));
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(store::campaign::plan::milestone_done(store, &scope, plan_id, m.expect("checked"), d.expect("checked")).await?)
}

/// One target with what its source measures as of the day.
#[derive(Debug, Clone)]
pub struct Progress {
    pub target: Target,
    pub source_label: &'static str,
    /// The parameter in words (`村（社区）党员群众综合服务站`), empty when none.
    pub param_label: &'static str,
    pub unit: &'static str,
    /// `≥95%`, `≤1条`.
    pub target_text: String,
    /// `92.5%（37/40）`, `3个`.
    pub value_text: String,
    pub standing: Standing,
    pub percent: Option<i64>,
}

/// Measure every target of a plan over `org`'s subtree as of `on` (each source and parameter read
/// once).
async fn progress(
    store: &Store,
    org: &Visible<Org>,
    targets: Vec<Target>,
    on: NaiveDate,
) -> ServiceResult<Vec<Progress>> {
    let mut cache: HashMap<(String, String), domain::campaign::round::Measure> = HashMap::new();
    let mut out = Vec::new();
    for t in targets {
        let key = (t.source.clone(), t.param.clone());
        if !cache.contains_key(&key) {
            let m = store::campaign::measure::measure_org(store, org, &t.source, &t.param, on).await?;
            cache.insert(key.clone(), m);
        }
        let m = &cache[&key];
        let src = source(&t.source);
        let hi = src.is_none_or(|s| s.higher_is_better);
        let unit = src.map_or("", |s| s.unit);
        let value = m.value();
        let value_text = match m.den {
            Some(den) => format!("{:.1}%（{}/{}）", value, m.num, den),
            None => format!("{}{unit}", fmt_milli((value * 1000.0).round() as i64)),
        };
        out.push(Progress {
            source_label: src.map_or("", |s| s.label),
            param_label: src
                .and_then(|s| s.param)
                .and_then(|(_, allowed)| allowed.iter().find(|(c, _)| *c == t.param && !c.is_empty()))
                .map_or("", |(_, l)| *l),
            unit,
            target_text: format!("{}{}{unit}", if hi { "≥" } else { "≤" }, fmt_milli(t.target_milli)),
            value_text,
            standing: rules::standing(hi, t.target_milli, value, t.due_on, on),
            percent: rules::percent_of_target(hi, t.target_milli, value),
            target: t,
        });
    }
    Ok(out)
}

/// A plan's page: the plan, each target's progress as of `on`, its milestones, and what the
/// caller may do with it.
#[derive(Debug, Clone)]
pub struct View {
    pub plan: Plan,
    pub progress: Vec<Progress>,
    pub milestones: Vec<Milestone>,
    pub on: NaiveDate,
    /// Change and submit it (填报创建活动 where it is, while a draft or returned).
    pub can_edit: bool,
    /// Approve or return it (管理创建活动 at the superior, while submitted).
    pub can_review: bool,
    /// Mark milestones done (填报创建活动 where it is, once approved).
    pub can_mark: bool,
}

pub async fn view(store: &Store, ctx: &Ctx, id: i64, on: NaiveDate) -> ServiceResult<View> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    let plan = store::campaign::plan::get(store, &scope, id).await?;
    let org = store::org::visible(store, &scope, plan.org_id).await?;
    let targets = store::campaign::plan::targets(store, &plan).await?;
    let milestones = store::campaign::plan::milestones(store, &plan).await?;
    let progress = progress(store, &org, targets, on).await?;
    let reports = ctx.can_at(Perm::ReportCampaigns, &plan.org_path);
    Ok(View {
        can_edit: reports && plan.status().editable(),
        can_review: plan.status().reviewable() && may_review(ctx, &plan.org_path),
        can_mark: reports && plan.status() == PlanStatus::Approved,
        plan,
        progress,
        milestones,
        on,
    })
}

/// One page of the plans of organizations in the subtree of `org_id`.
pub async fn list(store: &Store, ctx: &Ctx, org_id: i64, limit: i64, offset: i64) -> ServiceResult<(Vec<Plan>, i64)> {
    let (_, org) = ctx.org(store, Perm::ReadCampaigns, org_id).await?;
    Ok(store::campaign::plan::list(store, &org, limit, offset).await?)
}

/// The 党建规划 card of an organization's page: its own plans covering this year, each with how
/// many targets are reached today; `None` when the caller does not read campaigns there.
#[derive(Debug, Clone)]
pub struct Card {
    pub plans: Vec<(Plan, usize, usize)>,
    /// The caller may draft one (填报创建活动 there).
    pub can_draft: bool,
}

pub async fn card(store: &Store, ctx: &Ctx, org_id: i64, today: NaiveDate) -> ServiceResult<Option<Card>> {
    if !ctx.has(Perm::ReadCampaigns) {
        return Ok(None);
    }
    let scope = ctx.scope_for(Perm::ReadCampaigns);
    let org = match store::org::visible(store, &scope, org_id).await {
        Ok(o) => o,
        Err(store::StoreError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut plans = Vec::new();
    for p in store::campaign::plan::of_org(store, &org, today.year()).await? {
        let targets = store::campaign::plan::targets(store, &p).await?;
        let n = targets.len();
        let reached =
            progress(store, &org, targets, today).await?.iter().filter(|x| x.standing == Standing::Reached).count();
        plans.push((p, reached, n));
    }
    Ok(Some(Card { plans, can_draft: ctx.can_at(Perm::ReportCampaigns, &org.path) }))
}
