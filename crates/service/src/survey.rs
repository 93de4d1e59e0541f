//! 测评: issuing a survey over an organization's subtree (管理测评问卷 where it is issued), entering
//! the resident base of its targets, printing residents' one-time codes, reading its tally and
//! free-text answers; a member answering with their account (no permission: a current member whose
//! organization lies under a target, while the survey is open); a resident answering with a code.
//!
//! [`satisfaction`] is what other capabilities read (the grading cycle's GRADE-06 cap): the
//! satisfaction rate and coverage of chosen organizations in one call.

use chrono::NaiveDate;
use domain::access::Perm;
use domain::survey::{self as rules, Answer, AnswerErrors, BaseKind, SurveyInput};
use domain::FieldErrors;
use store::survey::{CodeView, Satisfaction, Survey, Target, TextAnswer};
use store::Store;

use crate::{Ctx, ServiceError, ServiceResult};

/// Issue a survey at `org_id`; `targets` empty means the default targets of its subtree.
pub async fn create(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    input: &SurveyInput,
    targets: &[i64],
) -> ServiceResult<Survey> {
    let (scope, org) = ctx.org(store, Perm::ManageSurveys, org_id).await?;
    let v = input.validate()?;
    Ok(store::survey::create(store, &scope, &org, &v, targets).await?)
}

/// A survey issued in the caller's 管理测评问卷 scope.
pub async fn get(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<Survey> {
    let scope = ctx.require(Perm::ManageSurveys)?;
    Ok(store::survey::get(store, &scope, id).await?)
}

/// Change a survey nobody has answered yet, at the version the editor read.
pub async fn update(store: &Store, ctx: &Ctx, id: i64, version: &str, input: &SurveyInput) -> ServiceResult<Survey> {
    let scope = ctx.require(Perm::ManageSurveys)?;
    store::survey::get(store, &scope, id).await?;
    let mut e = FieldErrors::default();
    let version =
        version.trim().parse::<i64>().map_err(|_| e.push("版本", "缺少所修改的版本，请从测评页面重新打开修改")).ok();
    match (input.validate(), version) {
        (Ok(v), Some(version)) => Ok(store::survey::update(store, &scope, id, version, &v).await?),
        (v, _) => {
            if let Err(x) = v {
                e.0.extend(x.0);
            }
            Err(e.into())
        }
    }
}

/// One page of the surveys issued in the subtree of `org_id`.
pub async fn list(store: &Store, ctx: &Ctx, org_id: i64, limit: i64, offset: i64) -> ServiceResult<(Vec<Survey>, i64)> {
    let (_, org) = ctx.org(store, Perm::ManageSurveys, org_id).await?;
    Ok(store::survey::list(store, &org, limit, offset).await?)
}

/// How a tally is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Tree order.
    Tree,
    /// Lowest satisfaction rate first (none last).
    RateAsc,
    /// Highest first.
    RateDesc,
}

impl Sort {
    pub fn parse(s: &str) -> Sort {
        match s {
            "rate" => Sort::RateAsc,
            "-rate" => Sort::RateDesc,
            _ => Sort::Tree,
        }
    }
}

/// A survey's page: the survey, its targets with their tally as of `on` (one page of them, in the
/// order asked), the codes made and used per target, the distribution of choices.
#[derive(Debug, Clone)]
pub struct View {
    pub survey: Survey,
    pub questionnaire: domain::survey::Questionnaire,
    pub targets: Vec<Target>,
    pub tally: Vec<Satisfaction>,
    pub tally_total: i64,
    /// The whole survey: satisfied, counted, answers.
    pub overall: (i64, i64, i64),
    /// Targets meeting / not meeting coverage / without a resident base.
    pub coverage_counts: (usize, usize, usize),
    pub codes: Vec<(i64, i64, i64)>,
    pub distribution: Vec<Vec<(String, i64)>>,
    pub on: NaiveDate,
}

pub async fn view(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    on: NaiveDate,
    sort: Sort,
    limit: i64,
    offset: i64,
) -> ServiceResult<View> {
    let survey = get(store, ctx, id).await?;
    let targets = store::survey::targets(store, &survey).await?;
    let mut tally = store::survey::satisfaction(store, survey.id, None, on).await?;
    let overall = tally.iter().fold((0, 0, 0), |a, t| (a.0 + t.satisfied, a.1 + t.counted, a.2 + t.answers));
    let coverage_counts = tally.iter().fold((0, 0, 0), |a, t| match t.meets_coverage {
        Some(true) => (a.0 + 1, a.1, a.2),
        Some(false) => (a.0, a.1 + 1, a.2),
        None => (a.0, a.1, a.2 + 1),
    });
    match sort {
        Sort::Tree => {}
        Sort::RateAsc => tally.sort_by_key(|t| (t.rate_permille.is_none(), t.rate_permille)),
        Sort::RateDesc => tally.sort_by_key(|t| (t.rate_permille.is_none(), std::cmp::Reverse(t.rate_permille))),
    }
    let tally_total = tally.len() as i64;
    let tally = tally.into_iter().skip(offset.max(0) as usize).take(limit.max(0) as usize).collect();
    Ok(View {
        questionnaire: survey.questionnaire(),
        codes: store::survey::code_counts(store, &survey).await?,
        distribution: store::survey::distribution(store, &survey).await?,
        survey,
        targets,
        tally,
        tally_total,
        overall,
        coverage_counts,
        on,
    })
}

/// The satisfaction rate and coverage of the organizations `org_ids` (all targets when empty)
/// evaluated by survey `survey_id`, as of `on` (members counted on the close date, or `on` while
/// open). The caller must hold 管理测评问卷 or 查看分类定级 over the survey's issuer; organizations
/// that are not targets of the survey are simply absent from the answer.
pub async fn satisfaction(
    store: &Store,
    ctx: &Ctx,
    survey_id: i64,
    org_ids: &[i64],
    on: NaiveDate,
) -> ServiceResult<Vec<Satisfaction>> {
    let manage = ctx.scope_for(Perm::ManageSurveys);
    let read = ctx.scope_for(Perm::ReadGrading);
    if !ctx.has(Perm::ManageSurveys) && !ctx.has(Perm::ReadGrading) {
        return Err(ServiceError::Forbidden(Perm::ManageSurveys));
    }
    let s = match store::survey::get(store, &manage, survey_id).await {
        Ok(s) => s,
        Err(store::StoreError::NotFound(_)) => store::survey::get(store, &read, survey_id).await?,
        Err(e) => return Err(e.into()),
    };
    let ids = if org_ids.is_empty() { None } else { Some(org_ids) };
    Ok(store::survey::satisfaction(store, s.id, ids, on).await?)
}

/// Enter resident bases, one target a line: `组织名称或编号|数量|户或人` (an empty number clears it).
pub async fn set_bases(store: &Store, ctx: &Ctx, id: i64, lines: &str) -> ServiceResult<usize> {
    let s = get(store, ctx, id).await?;
    let scope = ctx.require(Perm::ManageSurveys)?;
    let targets = store::survey::targets(store, &s).await?;
    let mut e = FieldErrors::default();
    let mut out = Vec::new();
    for (n, l) in lines.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let p: Vec<&str> = l.split(['|', '\t']).map(str::trim).collect();
        let who = p[0];
        let Some(t) = targets.iter().find(|t| t.org_name == who || t.org_id.to_string() == who) else {
            e.push("群众基数", format!("第{}行：“{who}”不是本测评的参评组织", n + 1));
            continue;
        };
        let num = match p.get(1).copied().unwrap_or("") {
            "" => None,
            x => match x.trim_end_matches(['户', '人']).parse::<i64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    e.push("群众基数", format!("第{}行：{}的数量“{x}”应为整数", n + 1, t.org_name));
                    continue;
                }
            },
        };
        let kind = match p.get(2).copied().unwrap_or("户") {
            "" => BaseKind::Households,
            k => match BaseKind::parse(k) {
                Some(k) => k,
                None => {
                    e.push("群众基数", format!("第{}行：单位“{k}”应为 户 或 人", n + 1));
                    continue;
                }
            },
        };
        out.push((t.org_id, num, kind));
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(store::survey::set_bases(store, &scope, &s, &out).await?)
}

/// The resident base of every target as the form's lines.
pub fn base_lines(targets: &[Target]) -> String {
    targets
        .iter()
        .map(|t| match t.resident_base {
            Some(n) => format!(
                "{}|{n}|{}",
                t.org_name,
                t.base_kind.as_deref().and_then(BaseKind::from_code).unwrap_or(BaseKind::Households).label()
            ),
            None => format!("{}|", t.org_name),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Make a batch of codes for residents of a target; the codes are returned this once.
pub async fn issue_codes(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    org: &str,
    count: &str,
) -> ServiceResult<(Survey, Target, Vec<String>)> {
    let s = get(store, ctx, id).await?;
    let scope = ctx.require(Perm::ManageSurveys)?;
    let mut e = FieldErrors::default();
    let targets = store::survey::targets(store, &s).await?;
    let target = org.trim().parse::<i64>().ok().and_then(|o| targets.into_iter().find(|t| t.org_id == o));
    if target.is_none() {
        e.push("参评组织", "请选择本测评的参评组织");
    }
    let n = count.trim().parse::<i64>().ok().filter(|n| (1..=store::survey::MAX_BATCH).contains(n));
    if n.is_none() {
        e.push("数量", format!("应为 1 至 {} 的整数", store::survey::MAX_BATCH));
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let t = target.expect("checked");
    let codes = store::survey::issue_codes(store, &scope, &s, t.org_id, n.expect("checked")).await?;
    Ok((s, t, codes))
}

/// One page of the free-text answers (personal fields masked).
pub async fn texts(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    limit: i64,
    offset: i64,
) -> ServiceResult<(Survey, Vec<TextAnswer>, i64)> {
    let s = get(store, ctx, id).await?;
    let (rows, total) = store::survey::texts(store, &s, limit, offset).await?;
    Ok((s, rows, total))
}

/// What a resident's code opens (`None`: no such code).
pub async fn by_code(store: &Store, code: &str) -> ServiceResult<Option<CodeView>> {
    Ok(store::survey::by_code(store, code).await?)
}

/// Why an answer was not taken.
#[derive(Debug)]
pub enum AnswerError {
    /// The answer's own problems, per item and of the personal field.
    Invalid(AnswerErrors),
    /// Anything else: refused (used code, closed window), not found.
    Service(ServiceError),
}

impl From<ServiceError> for AnswerError {
    fn from(e: ServiceError) -> Self {
        AnswerError::Service(e)
    }
}

impl From<store::StoreError> for AnswerError {
    fn from(e: store::StoreError) -> Self {
        AnswerError::Service(e.into())
    }
}

/// A resident answers with a code (no account): checked against the questionnaire as issued,
/// within the window, the code claimed once.
pub async fn answer_with_code(
    store: &Store,
    code: &str,
    pairs: &[(String, String)],
    on: NaiveDate,
) -> Result<i64, AnswerError> {
    let Some(v) = store::survey::by_code(store, code).await? else {
        return Err(ServiceError::NotFound("答题码").into());
    };
    let a: Answer = v.survey.questionnaire().check_answer(pairs).map_err(AnswerError::Invalid)?;
    Ok(store::survey::answer_with_code(store, code, &a, on).await?)
}

/// The caller's own member record: (member id, organization path), `None` for an account not
/// linked to a current member.
async fn own_member(store: &Store, ctx: &Ctx) -> ServiceResult<Option<(i64, String)>> {
    let Some((member_id, _)) = ctx.own_member else { return Ok(None) };
    Ok(store::survey::member_path(store, member_id).await?.map(|p| (member_id, p)))
}

/// The surveys open today that the caller, as a member, may answer, with whether answered.
pub async fn mine(store: &Store, ctx: &Ctx, on: NaiveDate) -> ServiceResult<Vec<(Survey, bool)>> {
    match own_member(store, ctx).await? {
        Some((id, path)) => Ok(store::survey::open_for_member(store, id, &path, on).await?),
        None => Ok(Vec::new()),
    }
}

/// A survey the caller answers as a member (open, members asked, the member under a target):
/// the survey, the target the answer is attributed to, and whether already answered. Anything
/// else is not found.
pub async fn for_member(store: &Store, ctx: &Ctx, id: i64, on: NaiveDate) -> ServiceResult<(Survey, Target, bool)> {
    let Some((member_id, path)) = own_member(store, ctx).await? else { return Err(ServiceError::NotFound("测评")) };
    let s = store::survey::open_for_member(store, member_id, &path, on)
        .await?
        .into_iter()
        .find(|(s, _)| s.id == id)
        .ok_or(ServiceError::NotFound("测评"))?;
    let t = store::survey::target_of_member(store, &s.0, &path).await?.ok_or(ServiceError::NotFound("测评"))?;
    Ok((s.0, t, s.1))
}

/// A member's answer.
pub async fn answer_as_member(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    pairs: &[(String, String)],
    on: NaiveDate,
) -> Result<i64, AnswerError> {
    let (s, _, answered) = for_member(store, ctx, id, on).await?;
    if answered {
        return Err(ServiceError::Refused("您已参加过本次测评，每人只能答一次".into()).into());
    }
    let a = s.questionnaire().check_answer(pairs).map_err(AnswerError::Invalid)?;
    let (member_id, _) = own_member(store, ctx).await?.ok_or(ServiceError::NotFound("测评"))?;
    Ok(store::survey::answer_as_member(store, &ctx.scope, &s, member_id, &a, on).await?)
}

/// The 工作台's to-do: open surveys the member has not answered yet.
pub async fn todos(store: &Store, ctx: &Ctx, on: NaiveDate) -> ServiceResult<Vec<Survey>> {
    Ok(mine(store, ctx, on).await?.into_iter().filter(|(_, done)| !done).map(|(s, _)| s).collect())
}

/// The preset questionnaires a user may start from, and the input of one.
pub fn presets() -> Vec<(&'static str, &'static str)> {
    rules::PRESETS.iter().map(|p| (p.key, p.label)).collect()
}

/// The targets of a survey in the caller's 管理测评问卷 scope.
pub async fn targets(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<Vec<Target>> {
    let s = get(store, ctx, id).await?;
    Ok(store::survey::targets(store, &s).await?)
}
