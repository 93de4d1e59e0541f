//! 创建活动: one function per use case. Reading needs 查看创建活动 (the campaign is seen in full
//! from the issuer's side, a participant sees its own line); issuing, setting the standard,
//! accepting reported values and running dispatch rounds need 管理创建活动 where the issuer is;
//! reporting values and funding needs 填报创建活动 where the reporting organization is. Tasks
//! ([`task`]) are assigned down and their progress reported up under the same permissions.
//! Secondment nominations ([`secondment`]) and party-building plans ([`plan`]) are made where the unit is and
//! decided by 管理创建活动 at its superior.

pub mod innovation;
pub mod plan;
pub mod round;
pub mod secondment;
pub mod site;
pub mod task;
pub mod training;

use chrono::NaiveDate;
use domain::access::Perm;
use domain::campaign::indicator::{parse_milli, StandardInput};
use domain::campaign::{parse_amount, parse_leaders, CampaignInput};
use domain::message::{Audience, Draft, Kind as MessageKind};
use store::campaign::reported::Report;
use store::campaign::round::Round;
use store::campaign::standard::Standard;
use store::campaign::{Access, Campaign, Document, Funding, LeaderRow};
use store::Store;

use crate::{Ctx, ServiceResult};

/// The campaigns the caller sees, latest first.
pub async fn list(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<(Campaign, Access)>> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    Ok(store::campaign::list(store, &scope).await?)
}

/// A campaign's page: what it is, who leads it, its documents, standard versions and rounds.
#[derive(Debug, Clone)]
pub struct View {
    pub campaign: Campaign,
    pub access: Access,
    pub leaders: Vec<LeaderRow>,
    pub chosen: Vec<(i64, String)>,
    pub documents: Vec<Document>,
    pub standards: Vec<Standard>,
    pub rounds: Vec<Round>,
    /// The caller may change it (管理创建活动 where the issuer is).
    pub can_manage: bool,
    /// The caller may report values and funding for some organization of it.
    pub can_report: bool,
}

pub async fn view(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<View> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    let (campaign, access) = store::campaign::get(store, &scope, id).await?;
    let leaders = store::campaign::leaders(store, &campaign).await?;
    let chosen = store::campaign::chosen(store, &campaign).await?;
    let documents = store::campaign::documents(store, &campaign).await?;
    let standards = store::campaign::standard::versions(store, &campaign).await?;
    let rounds = store::campaign::round::list(store, &campaign, &access).await?;
    let can_manage = ctx.can_at(Perm::ManageCampaigns, &campaign.org_path);
    let can_report = ctx.has(Perm::ReportCampaigns);
    Ok(View { campaign, access, leaders, chosen, documents, standards, rounds, can_manage, can_report })
}

/// Just the campaign, for a page that shows one of its parts.
pub async fn get(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<(Campaign, Access)> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    Ok(store::campaign::get(store, &scope, id).await?)
}

/// Issue a campaign from `issuer_id`, with its participants (a chosen set) and its leadership group
/// written one entry a line.
pub async fn create(
    store: &Store,
    ctx: &Ctx,
    issuer_id: i64,
    input: &CampaignInput,
    chosen: &[i64],
    leaders: &str,
) -> ServiceResult<Campaign> {
    let (scope, issuer) = ctx.org(store, Perm::ManageCampaigns, issuer_id).await?;
    let (v, l) = check(input, leaders)?;
    Ok(store::campaign::create(store, &scope, &issuer, &v, chosen, &l).await?)
}

fn check(
    input: &CampaignInput,
    leaders: &str,
) -> ServiceResult<(domain::campaign::ValidCampaign, Vec<domain::campaign::Leader>)> {
    // every problem of the form at once
    let v = input.validate();
    let l = parse_leaders(leaders);
    match (v, l) {
        (Ok(v), Ok(l)) => Ok((v, l)),
        (v, l) => {
            let mut e = domain::FieldErrors::default();
            if let Err(x) = v {
                e.0.extend(x.0);
            }
            if let Err(x) = l {
                e.0.extend(x.0);
            }
            Err(e.into())
        }
    }
}

/// Change a campaign at the version the editor read.
pub async fn update(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    version: i64,
    input: &CampaignInput,
    chosen: &[i64],
    leaders: &str,
) -> ServiceResult<Campaign> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    store::campaign::get_full(store, &scope, id).await?;
    let (v, l) = check(input, leaders)?;
    Ok(store::campaign::update(store, &scope, id, version, &v, chosen, &l).await?)
}

/// Attach a document to a campaign.
pub async fn add_document(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    title: &str,
    name: &str,
    bytes: Vec<u8>,
) -> ServiceResult<i64> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    Ok(store::campaign::add_document(store, &scope, id, title, name, bytes).await?)
}

/// A document with its content.
pub async fn document(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<(Document, Vec<u8>)> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    Ok(store::campaign::document(store, &scope, id).await?)
}

/// Record funding put in by an organization in a year (`amount` as typed: `2000000`, `200万`).
#[allow(clippy::too_many_arguments)]
pub async fn add_funding(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    org_id: i64,
    year: &str,
    amount: &str,
    note: &str,
    today: NaiveDate,
) -> ServiceResult<i64> {
    let scope = ctx.require(Perm::ReportCampaigns)?;
    let mut e = domain::FieldErrors::default();
    let y = match year.trim().parse::<i32>() {
        Ok(y) if (2000..=chrono::Datelike::year(&today) + 1).contains(&y) => y,
        _ => {
            e.push("年度", format!("“{}”应为 2000 至明年的年份", year.trim()));
            0
        }
    };
    let a = parse_amount(&mut e, "金额", amount);
    let note = domain::text::optional(&Some(note.to_string()), "说明", 200, &mut e).unwrap_or_default();
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(store::campaign::add_funding(store, &scope, id, org_id, y, a.unwrap_or(0), &note).await?)
}

/// The funding of a campaign under an organization the caller sees (the issuer when `None`),
/// with its total in yuan.
pub async fn funding(store: &Store, ctx: &Ctx, id: i64, under: Option<i64>) -> ServiceResult<(Vec<Funding>, i64)> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    let (c, a) = store::campaign::get(store, &scope, id).await?;
    let under = match under {
        Some(o) => store::org::visible(store, &scope, o).await?,
        None if a.full => store::org::visible(store, &scope, c.org_id).await?,
        None => {
            // a participant: the subtrees of its scope inside the campaign
            let roots = ctx.roots_for(Perm::ReadCampaigns);
            let first = roots.into_iter().find(|r| domain::path::is_within(&r.path, &c.org_path));
            match first {
                Some(r) => store::org::visible(store, &scope, r.id).await?,
                None => return Ok((vec![], 0)),
            }
        }
    };
    let rows = store::campaign::funding(store, &c, &under).await?;
    let total = rows.iter().map(|f| f.amount_yuan).sum();
    Ok((rows, total))
}

/// Add a version of the campaign's standard, its indicators one a line (see
/// `StandardInput::from_lines`).
pub async fn add_standard(store: &Store, ctx: &Ctx, id: i64, input: &StandardInput) -> ServiceResult<Standard> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    store::campaign::get_full(store, &scope, id).await?;
    let v = input.validate()?;
    Ok(store::campaign::standard::add(store, &scope, id, &v).await?)
}

/// Report a value of a reported indicator for an organization, with its evidence.
#[allow(clippy::too_many_arguments)]
pub async fn report(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    org_id: i64,
    code: &str,
    as_on: &str,
    value: &str,
    evidence: &str,
) -> ServiceResult<Report> {
    let scope = ctx.require(Perm::ReportCampaigns)?;
    let mut e = domain::FieldErrors::default();
    let d = domain::dates::parse_date(as_on).map_err(|m| e.push("统计日期", m)).ok();
    let v = parse_milli(value);
    if v.is_none() {
        e.push("数值", format!("“{}”不是有效的数", value.trim()));
    }
    let evidence = domain::text::required(evidence, "佐证材料", 1000, &mut e);
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(store::campaign::reported::submit(store, &scope, id, org_id, code.trim(), d.unwrap(), v.unwrap(), &evidence)
        .await?)
}

/// Accept or return a reported value; a returned one goes back to the organization as a message.
pub async fn review_report(
    store: &Store,
    ctx: &Ctx,
    report_id: i64,
    accept: bool,
    reason: &str,
) -> ServiceResult<Report> {
    let scope = ctx.require(Perm::ManageCampaigns)?;
    let r = store::campaign::reported::review(store, &scope, report_id, accept, reason).await?;
    if !accept {
        if let Ok(org) = store::org::visible(store, &scope, r.org_id).await {
            let draft = Draft {
                kind: MessageKind::Notice,
                audience: Audience::CampaignReporters,
                subject: format!("indicator_report:{}", r.id),
                title: format!("{} 的填报被退回", r.code),
                body: format!("{} 填报的 {} 数值被退回：{}", r.org_name, r.as_on, reason.trim()),
                link: format!("/campaigns/{}/reports", r.campaign_id),
            };
            crate::message::post(store, ctx, &org, &draft).await?;
        }
    }
    Ok(r)
}

/// The reported values the caller sees of a campaign.
pub async fn reports(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<(Campaign, Access, Vec<Report>)> {
    let scope = ctx.require(Perm::ReadCampaigns)?;
    let (c, a) = store::campaign::get(store, &scope, id).await?;
    let rows = store::campaign::reported::list(store, &scope, &c).await?;
    Ok((c, a, rows))
}
