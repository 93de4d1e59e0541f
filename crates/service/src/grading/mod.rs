//! 分类定级: one function per use case, called by the pages, the API and the command line alike.
//!
//! Schemes, catalogues and cycles are set by 管理分类定级 where their organization is; assessors
//! (分类定级评分) score, enter satisfaction, move steps on and answer objections for the
//! organizations in their scope; anyone holding 查看分类定级 sees the cycles over or within their
//! scope, the entries of their own subtree, and raises an objection to a grade in publicity.

pub mod grade_progress;

use chrono::NaiveDate;
use domain::access::Perm;
use domain::grading::{AssessorKind, Catalogue, Scheme, StepPreset};
use domain::FieldErrors;
use store::grading::{
    self as st, CatalogueRow, CatalogueVersion, ComputeSummary, Cycle, CycleObjection, Entry, EntryFilter, Objection,
    Review, SchemeRow, SchemeVersion, Score, ScoreInput,
};
use store::Store;

use crate::{Ctx, ServiceError, ServiceResult};

fn date(s: &str, field: &'static str, e: &mut FieldErrors) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            e.push(field, "请按 2026-01-01 的格式填写日期");
            None
        }
    }
}

/// A new scheme owned by `org_id` from a preset (see `domain::grading::PRESETS`).
pub async fn create_scheme(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    name: &str,
    preset: &str,
    valid_from: &str,
) -> ServiceResult<SchemeRow> {
    let (scope, org) = ctx.org(store, Perm::ManageGrading, org_id).await?;
    let mut e = FieldErrors::default();
    let scheme = Scheme::preset(preset);
    if scheme.is_none() {
        e.push("方案模板", "请选择方案模板");
    }
    let from = date(valid_from, "生效日期", &mut e);
    if name.trim().is_empty() {
        e.push("方案名称", "请填写方案名称");
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(st::create_scheme(store, &scope, &org, name, from.expect("checked"), &scheme.expect("checked")).await?)
}

/// A new dated version of a scheme, as typed: every bound, cap, quota, weight and window checked,
/// each problem naming its field. Only the 组织部 owning the scheme versions it.
pub async fn add_scheme_version(
    store: &Store,
    ctx: &Ctx,
    scheme_id: i64,
    valid_from: &str,
    input: &domain::grading::input::SchemeInput,
    note: &str,
) -> ServiceResult<SchemeVersion> {
    let scope = ctx.require(Perm::ManageGrading)?;
    let row = st::scheme_get(store, &scope, scheme_id).await?;
    // a scheme used from above is read, never versioned, by those below its owner
    if !scope.contains(&row.org_path) {
        return Err(ServiceError::NotFound("定级方案"));
    }
    let kind = domain::grading::SchemeKind::from_code(&row.kind).unwrap_or(domain::grading::SchemeKind::Points);
    let mut e = FieldErrors::default();
    let from = date(valid_from, "生效日期", &mut e);
    let scheme = match input.parse(kind) {
        Ok(s) => Some(s),
        Err(x) => {
            e.0.extend(x.0);
            None
        }
    };
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(st::add_scheme_version(store, &scope, scheme_id, from.expect("checked"), &scheme.expect("checked"), note)
        .await?)
}

pub async fn schemes(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<SchemeRow>> {
    let scope = ctx.require(Perm::ReadGrading)?;
    Ok(st::schemes(store, &scope).await?)
}

pub async fn scheme(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<(SchemeRow, Vec<SchemeVersion>)> {
    let scope = ctx.require(Perm::ReadGrading)?;
    let s = st::scheme_get(store, &scope, id).await?;
    let v = st::scheme_versions(store, &s).await?;
    Ok((s, v))
}

/// A new catalogue owned by `org_id` from the GRADE-04 preset.
pub async fn create_catalogue(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    name: &str,
    valid_from: &str,
) -> ServiceResult<CatalogueRow> {
    let (scope, org) = ctx.org(store, Perm::ManageGrading, org_id).await?;
    let mut e = FieldErrors::default();
    let from = date(valid_from, "生效日期", &mut e);
    if name.trim().is_empty() {
        e.push("指标体系名称", "请填写指标体系名称");
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(st::create_catalogue(store, &scope, &org, name, from.expect("checked"), &Catalogue::preset()).await?)
}

/// Edit a catalogue: its items, as typed, as a new dated version.
pub async fn edit_catalogue(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    valid_from: &str,
    input: &domain::grading::input::CatalogueInput,
    note: &str,
) -> ServiceResult<CatalogueVersion> {
    let scope = ctx.require(Perm::ManageGrading)?;
    let row = st::catalogue_get(store, &scope, id).await?;
    if !scope.contains(&row.org_path) {
        return Err(ServiceError::NotFound("指标体系"));
    }
    let mut e = FieldErrors::default();
    let from = date(valid_from, "生效日期", &mut e);
    let c = match input.parse() {
        Ok(c) => Some(c),
        Err(x) => {
            e.0.extend(x.0);
            None
        }
    };
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(st::add_catalogue_version(store, &scope, id, from.expect("checked"), &c.expect("checked"), note).await?)
}

pub async fn catalogues(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<CatalogueRow>> {
    let scope = ctx.require(Perm::ReadGrading)?;
    Ok(st::catalogues(store, &scope).await?)
}

pub async fn catalogue(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<(CatalogueRow, Vec<CatalogueVersion>)> {
    let scope = ctx.require(Perm::ReadGrading)?;
    let c = st::catalogue_get(store, &scope, id).await?;
    let v = st::catalogue_versions(store, &c).await?;
    Ok((c, v))
}

/// What opening a cycle takes, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CycleInput {
    pub org_id: Option<i64>,
    pub year: String,
    pub title: String,
    pub scheme_id: Option<i64>,
    pub catalogue_id: Option<i64>,
    pub steps: String,
}

/// Open the cycle of a year over an organization's subtree.
pub async fn open_cycle(store: &Store, ctx: &Ctx, input: &CycleInput) -> ServiceResult<Cycle> {
    let mut e = FieldErrors::default();
    let Some(org_id) = input.org_id else {
        return Err(FieldErrors(vec![domain::FieldError::new("组织", "请选择开展定级的党组织")]).into());
    };
    let (scope, org) = ctx.org(store, Perm::ManageGrading, org_id).await?;
    let year = input.year.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        e.push("年度", "请填写年度，如 2026");
    }
    let steps = StepPreset::from_code(input.steps.trim());
    if steps.is_none() {
        e.push("工作步骤", "请选择工作步骤");
    }
    if input.scheme_id.is_none() {
        e.push("定级方案", "请选择定级方案");
    }
    if input.catalogue_id.is_none() {
        e.push("指标体系", "请选择指标体系");
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(st::open_cycle(
        store,
        &scope,
        &org,
        year.expect("checked"),
        &input.title,
        input.scheme_id.expect("checked"),
        input.catalogue_id.expect("checked"),
        &steps.expect("checked").steps(),
    )
    .await?)
}

pub async fn cycles(store: &Store, ctx: &Ctx, limit: i64, offset: i64) -> ServiceResult<(Vec<Cycle>, i64)> {
    let scope = ctx.require(Perm::ReadGrading)?;
    Ok(st::cycles(store, &scope, limit, offset).await?)
}

/// A cycle with its scheme version and how many of the caller's entries stand in each state.
pub struct CycleView {
    pub cycle: Cycle,
    pub scheme: Scheme,
    pub counts: Vec<(String, i64)>,
    /// May the caller compute, publish and finalize it (管理分类定级 where it was opened)?
    pub may_manage: bool,
}

pub async fn cycle(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<CycleView> {
    let scope = ctx.require(Perm::ReadGrading)?;
    let c = st::cycle(store, &scope, id).await?;
    let scheme = st::scheme_version(store, c.scheme_version_id).await?.scheme()?;
    let counts = st::counts(store, &scope, &c).await?;
    let may_manage = ctx.can_at(Perm::ManageGrading, &c.org_path);
    Ok(CycleView { cycle: c, scheme, counts, may_manage })
}

pub async fn entries(
    store: &Store,
    ctx: &Ctx,
    cycle_id: i64,
    f: &EntryFilter,
    limit: i64,
    offset: i64,
) -> ServiceResult<(Vec<Entry>, i64)> {
    let scope = ctx.require(Perm::ReadGrading)?;
    let c = st::cycle(store, &scope, cycle_id).await?;
    Ok(st::entries(store, &scope, &c, f, limit, offset).await?)
}

/// An organization's scoring sheet: everything about its entry the caller may see.
pub struct Sheet {
    pub cycle: Cycle,
    pub entry: Entry,
    pub scheme: Scheme,
    pub catalogue: Catalogue,
    pub scores: Vec<Score>,
    pub objections: Vec<Objection>,
    pub reviews: Vec<Review>,
    pub may_score: bool,
    pub may_manage: bool,
}

pub async fn sheet(store: &Store, ctx: &Ctx, entry_id: i64) -> ServiceResult<Sheet> {
    let scope = ctx.require(Perm::ReadGrading)?;
    let (c, e) = st::entry(store, &scope, entry_id).await?;
    let scheme = st::scheme_version(store, c.scheme_version_id).await?.scheme()?;
    let catalogue = st::catalogue_version(store, c.catalogue_version_id).await?.catalogue()?;
    let may_score = ctx.can_at(Perm::AssessGrading, &e.org_path);
    // scores and objection authors are the assessors' reading; a member sees the grade and objections' answers
    let scores = if may_score { st::scores(store, &e).await? } else { Vec::new() };
    let mut objections = st::objections(store, &e).await?;
    if !may_score {
        for o in &mut objections {
            if o.raised_by.as_deref() != Some(ctx_name(ctx)) {
                o.raised_by = None;
                o.is_anonymous = true;
            }
        }
    }
    let reviews = st::reviews(store, &e).await?;
    let may_manage = ctx.can_at(Perm::ManageGrading, &c.org_path);
    Ok(Sheet { cycle: c, entry: e, scheme, catalogue, scores, objections, reviews, may_score, may_manage })
}

fn ctx_name(ctx: &Ctx) -> &str {
    &ctx.actor.name
}

/// One assessor's scores as typed: (item code, points as typed, note, version read).
pub async fn score(
    store: &Store,
    ctx: &Ctx,
    entry_id: i64,
    kind: &str,
    items: &[(String, String, String, String)],
) -> ServiceResult<Vec<Score>> {
    let scope = ctx.require(Perm::AssessGrading)?;
    let (c, e) = st::entry(store, &scope, entry_id).await?;
    let cat = st::catalogue_version(store, c.catalogue_version_id).await?.catalogue()?;
    let mut errs = FieldErrors::default();
    let kind = AssessorKind::from_code(kind.trim());
    if kind.is_none() {
        errs.push("评分主体", format!("请选择评分主体（{}）", AssessorKind::labels()));
    }
    if kind == Some(AssessorKind::SelfAssessment) && !ctx.can_at(Perm::AssessGrading, &e.org_path) {
        errs.push("评分主体", "支部自评由本组织填写");
    }
    let mut out = Vec::new();
    for (code, points, note, version) in items {
        let Some(item) = cat.item(code) else {
            errs.push("得分", format!("指标“{code}”不在本次定级的指标体系中"));
            continue;
        };
        if points.trim().is_empty() && version.trim().is_empty() {
            continue; // not scored
        }
        let p = if item.kind == domain::grading::ItemKind::Veto {
            Some(i64::from(matches!(points.trim(), "1" | "是" | "on" | "true")))
        } else {
            // the problem names the item, so a sheet of many items says which one is wrong
            let mut one = FieldErrors::default();
            let p = domain::grading::parse_points(points, "得分", item.max_milli, &mut one);
            for x in one.0 {
                errs.push("得分", format!("“{}”{}", item.label, x.message));
            }
            p
        };
        let v = version.trim().parse::<i64>().unwrap_or(0);
        if let Some(p) = p {
            out.push(ScoreInput { item: code.clone(), points_milli: p, note: note.trim().to_string(), version: v });
        }
    }
    if out.is_empty() && errs.is_empty() {
        errs.push("得分", "请至少填写一项得分");
    }
    if !errs.is_empty() {
        return Err(errs.into());
    }
    Ok(st::score(store, &scope, entry_id, kind.expect("checked"), &out).await?)
}

/// Enter the satisfaction rate of organizations of a cycle (percentages as typed), with where it
/// came from. A survey's tally can set the same rate through `store::grading::set_satisfaction`.
pub async fn set_satisfaction(
    store: &Store,
    ctx: &Ctx,
    cycle_id: i64,
    rates: &[(i64, String)],
    source: &str,
) -> ServiceResult<usize> {
    let scope = ctx.require(Perm::AssessGrading)?;
    let mut e = FieldErrors::default();
    let parsed: Vec<(i64, i64)> = rates
        .iter()
        .filter(|(_, r)| !r.trim().is_empty())
        .filter_map(|(org, r)| domain::grading::parse_percent(r, "满意率", &mut e).map(|p| (*org, p)))
        .collect();
    if source.trim().is_empty() {
        e.push("满意率来源", "请写明满意率的来源（如测评名称、说明）");
    }
    if parsed.is_empty() && e.is_empty() {
        e.push("满意率", "请填写满意率");
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(st::set_satisfaction(store, &scope, cycle_id, &parsed, source).await?)
}

/// What reading a survey's tally into a cycle did.
#[derive(Debug, Clone, Default)]
pub struct FromSurvey {
    /// The survey named as the rates' source.
    pub source: String,
    /// Entries whose satisfaction rate was set.
    pub set: usize,
    /// Entries of the caller's scope the survey gave no rate for (not a target, or nothing counted).
    pub without_rate: Vec<String>,
    /// Entries set whose survey coverage is below its target (GRADE-08), for the assessors to weigh.
    pub below_coverage: Vec<String>,
    /// Entries already in publicity or final, left as they were.
    pub kept: usize,
}

/// Read the satisfaction rate of a cycle's organizations from a survey's tally (the 党员群众满意度测评
/// step of GRADE-07; GRADE-06 caps the grade by it): every entry of the caller's scope whose
/// organization is a target of the survey with a counted rate gets that rate, the survey named as
/// its source. Entries in publicity or final keep theirs; the tally's coverage (GRADE-08) is
/// reported beside, never silently applied.
pub async fn satisfaction_from_survey(
    store: &Store,
    ctx: &Ctx,
    cycle_id: i64,
    survey_id: i64,
    today: NaiveDate,
) -> ServiceResult<FromSurvey> {
    let scope = ctx.require(Perm::AssessGrading)?;
    let c = st::cycle(store, &scope, cycle_id).await?;
    let tallies = crate::survey::satisfaction(store, ctx, survey_id, &[], today).await?;
    // the tally above was read through one of these scopes, so the survey is found in one of them
    let survey = match store::survey::get(store, &ctx.scope_for(Perm::ReadGrading), survey_id).await {
        Ok(s) => s,
        Err(_) => store::survey::get(store, &ctx.scope_for(Perm::ManageSurveys), survey_id).await?,
    };
    let by_org: std::collections::HashMap<i64, &store::survey::Satisfaction> =
        tallies.iter().map(|t| (t.org_id, t)).collect();
    let (entries, _) = st::entries(store, &scope, &c, &EntryFilter::default(), i64::MAX / 2, 0).await?;
    let mut out = FromSurvey {
        source: format!("测评《{}》（{} 至 {}，截至 {}）", survey.title, survey.opens_on, survey.closes_on, today),
        ..Default::default()
    };
    let mut rates = Vec::new();
    for e in &entries {
        if matches!(e.state.as_str(), "publicity" | "final") {
            out.kept += 1;
            continue;
        }
        match by_org.get(&e.org_id).and_then(|t| t.rate_permille.map(|r| (t, r))) {
            Some((t, r)) => {
                rates.push((e.org_id, i64::from(r)));
                if t.meets_coverage == Some(false) {
                    out.below_coverage.push(e.org_name.clone());
                }
            }
            None => out.without_rate.push(e.org_name.clone()),
        }
    }
    if rates.is_empty() {
        let mut e = FieldErrors::default();
        e.push("测评", "该测评没有本周期定级对象的满意率（参评组织不同，或尚无有效答卷）");
        return Err(e.into());
    }
    out.set = st::set_satisfaction(store, &scope, c.id, &rates, &out.source).await?;
    Ok(out)
}

/// Move an entry on to its next step, or return it with a reason.
pub async fn step(
    store: &Store,
    ctx: &Ctx,
    entry_id: i64,
    version: &str,
    forward: bool,
    reason: &str,
) -> ServiceResult<Entry> {
    let scope = ctx.require(Perm::AssessGrading)?;
    st::entry(store, &scope, entry_id).await?;
    let Ok(v) = version.trim().parse::<i64>() else {
        return Err(FieldErrors(vec![domain::FieldError::new("版本", "请从评分表页面操作")]).into());
    };
    Ok(st::step(store, &scope, entry_id, v, forward, reason).await?)
}

/// Record 破格 with its reason (管理分类定级).
pub async fn set_exceptional(store: &Store, ctx: &Ctx, entry_id: i64, reason: &str) -> ServiceResult<Entry> {
    let scope = ctx.require(Perm::ManageGrading)?;
    Ok(st::set_exceptional(store, &scope, entry_id, reason).await?)
}

async fn managed(
    store: &Store,
    ctx: &Ctx,
    cycle_id: i64,
) -> ServiceResult<(store::Scope, store::Visible<domain::org::Org>, Cycle)> {
    let scope = ctx.require(Perm::ManageGrading)?;
    let read = ctx.scope_for(Perm::ReadGrading);
    let c = st::cycle(store, &read, cycle_id).await?;
    if !ctx.can_at(Perm::ManageGrading, &c.org_path) {
        return Err(ServiceError::Denied(format!(
            "定级由开展本次定级的党组织（{}）的组织部门计算、公示和确定",
            c.org_name
        )));
    }
    let root = store::org::visible(store, &scope, c.org_id).await?;
    Ok((scope, root, c))
}

/// Compute every grade of a cycle not yet in publicity.
pub async fn compute(store: &Store, ctx: &Ctx, cycle_id: i64, today: NaiveDate) -> ServiceResult<ComputeSummary> {
    let (scope, root, c) = managed(store, ctx, cycle_id).await?;
    Ok(st::compute(store, &scope, &root, &c, today).await?)
}

/// Publish a cycle's grades for the scheme's days of publicity.
pub async fn publish(store: &Store, ctx: &Ctx, cycle_id: i64, today: NaiveDate) -> ServiceResult<Cycle> {
    let (scope, root, c) = managed(store, ctx, cycle_id).await?;
    Ok(st::publish(store, &scope, &root, &c, today).await?)
}

/// Make a cycle's grades final after publicity.
pub async fn finalize(store: &Store, ctx: &Ctx, cycle_id: i64, today: NaiveDate) -> ServiceResult<usize> {
    let (scope, root, c) = managed(store, ctx, cycle_id).await?;
    Ok(st::finalize(store, &scope, &root, &c, today).await?)
}

/// Object to a grade in publicity (查看分类定级 where the organization is).
pub async fn object(
    store: &Store,
    ctx: &Ctx,
    entry_id: i64,
    anonymous: bool,
    body: &str,
    today: NaiveDate,
) -> ServiceResult<Objection> {
    let scope = ctx.require(Perm::ReadGrading)?;
    Ok(st::object(store, &scope, entry_id, anonymous, body, today).await?)
}

pub async fn objections(store: &Store, ctx: &Ctx, cycle_id: i64) -> ServiceResult<Vec<CycleObjection>> {
    let scope = ctx.require(Perm::AssessGrading)?;
    let c = st::cycle(store, &scope, cycle_id).await?;
    Ok(st::cycle_objections(store, &scope, &c).await?)
}

/// Answer an objection (分类定级评分 where the organization is).
pub async fn answer(store: &Store, ctx: &Ctx, objection_id: i64, text: &str) -> ServiceResult<Objection> {
    let scope = ctx.require(Perm::AssessGrading)?;
    Ok(st::answer(store, &scope, objection_id, text).await?)
}

/// Review a final grade (管理分类定级 where the cycle was opened).
pub async fn review(store: &Store, ctx: &Ctx, entry_id: i64, new_grade: &str, reason: &str) -> ServiceResult<Review> {
    let read = ctx.require(Perm::ReadGrading)?;
    let (c, _) = st::entry(store, &read, entry_id).await?;
    let (scope, _, _) = managed(store, ctx, c.id).await?;
    Ok(st::review(store, &scope, entry_id, new_grade.trim(), reason).await?)
}

/// The grades of the caller's own organizations in publicity or final, latest first.
pub async fn mine(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<Entry>> {
    let scope = ctx.require(Perm::ReadGrading)?;
    Ok(st::own_entries(store, &scope, 20).await?)
}

/// The organizations a cycle graded final at its scheme's lowest grade become suspected weak and
/// lax (WEAK-01's local criterion for the bottom of the grading), each with the grade as its
/// reason; those already under an open identification are counted, not duplicated.
pub async fn propose_bottom(
    store: &Store,
    ctx: &Ctx,
    cycle_id: i64,
    today: NaiveDate,
) -> ServiceResult<store::weak_and_lax::Proposed> {
    let (_, _, c) = managed(store, ctx, cycle_id).await?;
    let scheme = st::scheme_version(store, c.scheme_version_id).await?.scheme()?;
    let lowest = &scheme.bands[scheme.lowest()];
    let bottom: Vec<i64> = st::cycle_entries(store, &c)
        .await?
        .into_iter()
        .filter(|e| e.is_final && e.grade.as_deref() == Some(lowest.code.as_str()))
        .map(|e| e.org_id)
        .collect();
    if bottom.is_empty() {
        return Ok(store::weak_and_lax::Proposed::default());
    }
    let reason = format!("{}年度分类定级确定为“{}”（{}）", c.year, lowest.label, c.title);
    crate::weak_and_lax::propose_bottom(store, ctx, &bottom, &reason, today).await
}
