//! 调度 rounds: computing a draft, computing it again, publishing it (frozen with its digest, the
//! participants told), discarding a draft, the report a round is read as, its meeting, and its
//! workbook. The report shows the issuer's side every line, a participant its own.

use chrono::NaiveDate;
use domain::access::Perm;
use domain::campaign::round::{changes, Band, Change, Line};
use domain::message::{Audience, Draft, Kind as MessageKind};
use store::campaign::round::{Meeting, MeetingInput, Round};
use store::campaign::standard::Standard;
use store::campaign::{Access, Campaign};
use store::{Progress, Store};

use crate::{Ctx, ServiceResult};

/// Compute a new draft round of campaign `id` as of `as_on`.
pub async fn compute(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    as_on: &str,
    title: &str,
    today: NaiveDate,
    progress: &dyn Progress,
) -> ServiceResult<Round> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    store::campaign::get_full(store, &scope, id).await?;
    let mut e = domain::FieldErrors::default();
    let d = domain::dates::parse_date(as_on).map_err(|m| e.push("调度日期", m)).ok();
    if let Some(d) = d {
        if d > today {
            e.push("调度日期", format!("{d} 晚于今天：调度只能按已发生的数据计算"));
        }
    }
    let title = domain::text::optional(&Some(title.to_string()), "调度名称", 60, &mut e).unwrap_or_default();
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(store::campaign::round::compute(store, &scope, id, d.unwrap(), &title, progress).await?)
}

/// Compute a draft again from the data as it is now.
pub async fn recompute(store: &Store, ctx: &Ctx, round_id: i64, progress: &dyn Progress) -> ServiceResult<Round> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    Ok(store::campaign::round::recompute(store, &scope, round_id, progress).await?)
}

/// Publish a draft with the experience it summarises; every participant's reporters are told
/// their standing.
pub async fn publish(store: &Store, ctx: &Ctx, round_id: i64, summary: &str) -> ServiceResult<Round> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    managed(store, &scope, round_id).await?;
    let mut e = domain::FieldErrors::default();
    let summary = domain::text::optional(&Some(summary.to_string()), "调度小结", 2000, &mut e).unwrap_or_default();
    if !e.is_empty() {
        return Err(e.into());
    }
    let r = store::campaign::round::publish(store, &scope, round_id, &summary).await?;
    let (c, _) = store::campaign::get(store, &scope, r.campaign_id).await?;
    let lines = store::campaign::round::lines(store, &r).await?;
    let n = lines.len();
    for l in &lines {
        let Ok(org) = store::org::visible(store, &scope, l.org_id).await else { continue };
        let draft = Draft {
            kind: MessageKind::Notice,
            audience: Audience::CampaignReporters,
            subject: format!("dispatch_round:{}", r.id),
            title: format!("{}{}已发布", c.name, r.title),
            body: format!(
                "{} 在{}（截至 {}）中列第 {} 名（共 {n} 个），{}。",
                l.org_name,
                r.title,
                r.as_on,
                l.rank,
                l.band.label()
            ),
            link: format!("/campaigns/rounds/{}", r.id),
        };
        crate::message::post(store, ctx, &org, &draft).await?;
    }
    Ok(r)
}

/// A round whose campaign the caller manages (its issuer in the scope of 管理创建活动); anything
/// else is not found, before any input is looked at.
async fn managed(store: &Store, scope: &store::Scope, round_id: i64) -> ServiceResult<Round> {
    match store::campaign::round::get_round(store, scope, round_id).await? {
        (_, a, r) if a.full => Ok(r),
        _ => Err(crate::ServiceError::NotFound("调度")),
    }
}

/// Delete a draft.
pub async fn discard(store: &Store, ctx: &Ctx, round_id: i64) -> ServiceResult<()> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    Ok(store::campaign::round::discard(store, &scope, round_id).await?)
}

/// A round as its report reads it.
#[derive(Debug, Clone)]
pub struct Report {
    pub campaign: Campaign,
    pub access: Access,
    pub round: Round,
    pub standard: Standard,
    /// The lines the caller sees, by rank.
    pub lines: Vec<Line>,
    /// How many took part (the caller may see fewer lines).
    pub participants: usize,
    pub leaders: Vec<Line>,
    pub laggards: Vec<Line>,
    /// What changed since the previous round, for the lines the caller sees.
    pub changes: Vec<Change>,
    pub previous: Option<Round>,
    pub meetings: Vec<Meeting>,
    /// For a published round: the stored lines still give the digest kept at publication.
    pub intact: Option<bool>,
    /// The campaign's tasks overdue on the round's date that the caller may see (all of them from
    /// the issuer's side, else those of its own organizations): (organization, its name, the
    /// task, the deadline).
    pub overdue: Vec<(i64, String, String, NaiveDate)>,
    /// Where the participants whose lines the caller sees stood against their own approved
    /// 党建规划 on the round's date, frozen with the round.
    pub plans: Vec<store::campaign::plan::RoundPlan>,
}

impl Report {
    /// The label of an indicator code (for changes).
    pub fn label(&self, code: &str) -> String {
        self.standard.indicators.iter().find(|i| i.code == code).map_or(code.to_string(), |i| i.label.clone())
    }
}

/// Read a round as its report: the caller sees every line from the issuer's side, its own
/// otherwise; a draft only from the issuer's side.
pub async fn report(store: &Store, ctx: &Ctx, round_id: i64) -> ServiceResult<Report> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    let (campaign, access, round) = store::campaign::round::get_round(store, &scope, round_id).await?;
    let standard = store::campaign::standard::by_id(store, round.standard_id).await?;
    let all = store::campaign::round::lines(store, &round).await?;
    let previous = match round.previous_id {
        Some(p) => store::campaign::round::get_round(store, &scope, p).await.ok().map(|(_, _, r)| r),
        None => None,
    };
    let prev_lines = match &previous {
        Some(p) => store::campaign::round::lines(store, p).await?,
        None => vec![],
    };
    // the lines just read give the digest again: one read of the lines serves both
    let intact = round.published().then(|| {
        domain::campaign::round::digest(round.campaign_id, round.seq, round.as_on, &standard.indicators, &all)
            == round.digest
    });
    let participants = all.len();
    let lines: Vec<Line> = all.into_iter().filter(|l| access.sees(&l.org_path)).collect();
    let leaders = lines.iter().filter(|l| l.band == Band::Leader).cloned().collect();
    let laggards = lines.iter().filter(|l| l.band == Band::Laggard).cloned().collect();
    let changes = changes(&lines, &prev_lines);
    let meetings = store::campaign::round::meetings(store, &round).await?;
    let shown: std::collections::HashSet<i64> = lines.iter().map(|l| l.org_id).collect();
    let plans =
        store::campaign::round::plans(store, &round).await?.into_iter().filter(|p| shown.contains(&p.org_id)).collect();
    let mut overdue = store::campaign::task::overdue_on(store, &campaign, round.as_on).await?;
    if !access.full {
        let mut seen: std::collections::HashMap<i64, bool> = std::collections::HashMap::new();
        let mut kept = Vec::new();
        for o in overdue {
            let sees = match seen.get(&o.0) {
                Some(s) => *s,
                None => {
                    let s = store::org::get(store, &scope, o.0).await.is_ok();
                    seen.insert(o.0, s);
                    s
                }
            };
            if sees {
                kept.push(o);
            }
        }
        overdue = kept;
    }
    Ok(Report {
        campaign,
        access,
        round,
        standard,
        lines,
        participants,
        leaders,
        laggards,
        changes,
        previous,
        meetings,
        intact,
        overdue,
        plans,
    })
}

/// A meeting as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct MeetingForm {
    pub kind: String,
    pub held_on: String,
    pub place: String,
    #[serde(default)]
    pub sites: String,
    #[serde(default)]
    pub speakers: String,
    #[serde(default)]
    pub materials: String,
    #[serde(default)]
    pub summary: String,
}

/// Record the 现场会 or 观摩会 of a round.
pub async fn add_meeting(store: &Store, ctx: &Ctx, round_id: i64, f: &MeetingForm) -> ServiceResult<i64> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    managed(store, &scope, round_id).await?;
    let mut e = domain::FieldErrors::default();
    let kind = match f.kind.trim() {
        "on_site" | "现场会" => "on_site",
        "observation" | "观摩会" => "observation",
        other => {
            e.push("会议类型", format!("“{other}”应为 现场会、观摩会"));
            ""
        }
    };
    let held_on = domain::dates::parse_date(&f.held_on).map_err(|m| e.push("召开日期", m)).ok();
    let place = domain::text::required(&f.place, "地点", 100, &mut e);
    let lines = |s: &str, field: &'static str, e: &mut domain::FieldErrors| -> String {
        domain::text::check_controls(s, field, e);
        let v: Vec<String> = s.lines().map(domain::member::normalize_text).filter(|l| !l.is_empty()).collect();
        if v.len() > 100 {
            e.push(field, "不超过 100 行");
        }
        v.join("\n")
    };
    let sites = lines(&f.sites, "观摩点", &mut e);
    let speakers = lines(&f.speakers, "交流发言单位", &mut e);
    let materials = lines(&f.materials, "会议材料", &mut e);
    domain::text::check_controls(&f.summary, "经验总结", &mut e);
    let summary = f.summary.trim().to_string();
    if summary.chars().count() > 5000 {
        e.push("经验总结", "不超过 5000 个字");
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let m = MeetingInput { kind: kind.into(), held_on: held_on.unwrap(), place, sites, speakers, materials, summary };
    Ok(store::campaign::round::add_meeting(store, &scope, round_id, &m).await?)
}

/// The round's workbook (排名, 指标明细, 变化), for what the caller sees; the export is audited.
pub async fn export(store: &Store, ctx: &Ctx, round_id: i64) -> ServiceResult<(Report, Vec<u8>)> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    let r = report(store, ctx, round_id).await?;
    let bytes = exchange::campaign::round_workbook(
        &r.campaign.name,
        &r.round,
        &r.standard,
        &r.lines,
        &r.changes,
        r.participants,
    )
    .map_err(|e| crate::ServiceError::Refused(e.to_string()))?;
    store::audit::record_now(
        store,
        &scope,
        "dispatch.export",
        &format!("dispatch_round:{}", r.round.id),
        "ok",
        serde_json::json!({ "campaign": r.campaign.id, "lines": r.lines.len(), "full": r.access.full }),
    )
    .await?;
    Ok((r, bytes))
}
