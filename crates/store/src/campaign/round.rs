//! 调度 rounds as stored. Computing a round measures every indicator of the standard in force on
//! its date for every participant ([`super::measure`]), ranks them (`domain::campaign::round`)
//! against the latest published round before it, and writes the lines as a draft, which may be
//! computed again. Publishing keeps the digest of the standard and every line; from then on the
//! round cannot change (the store refuses it, and the database's triggers refuse any write that
//! goes around the store). A correction is a new round.

use chrono::{DateTime, NaiveDate, Utc};
use domain::campaign::round::{self as dr, Band, Line};
use serde::Serialize;
use serde_json::json;

use super::plan::RoundPlan;
use super::{get, get_full, Access, Campaign};
use crate::args;
use crate::db::{now, Store, Tx, Val};
use crate::error::{StoreError, StoreResult};
use crate::progress::Progress;
use crate::scope::Scope;

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Round {
    pub id: i64,
    pub campaign_id: i64,
    pub seq: i64,
    pub title: String,
    pub as_on: NaiveDate,
    pub standard_id: i64,
    pub status: String,
    pub previous_id: Option<i64>,
    pub summary: String,
    pub digest: String,
    pub computed_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub published_by: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl Round {
    pub fn published(&self) -> bool {
        self.status == "published"
    }
    pub fn status_label(&self) -> &'static str {
        if self.published() {
            "已发布"
        } else {
            "草稿"
        }
    }
}

const COLS: &str =
    "id, campaign_id, seq, title, as_on, standard_id, status, previous_id, summary, digest, computed_at, \
    published_at, published_by, created_by, created_at";

async fn load(store: &Store, id: i64) -> StoreResult<Round> {
    store
        .read()
        .fetch_optional(&format!("SELECT {COLS} FROM dispatch_round WHERE id = $1"), &args![id])
        .await?
        .ok_or(StoreError::NotFound("调度"))
}

/// A round of a campaign the caller sees; a draft only for the issuer's side.
pub async fn get_round(store: &Store, scope: &Scope, id: i64) -> StoreResult<(Campaign, Access, Round)> {
    let r = load(store, id).await?;
    let (c, a) = get(store, scope, r.campaign_id).await.map_err(|_| StoreError::NotFound("调度"))?;
    if !a.full && !r.published() {
        return Err(StoreError::NotFound("调度"));
    }
    Ok((c, a, r))
}

/// The rounds of a campaign, latest first; drafts only for the issuer's side.
pub async fn list(store: &Store, c: &Campaign, a: &Access) -> StoreResult<Vec<Round>> {
    let all: Vec<Round> = store
        .read()
        .fetch_all(&format!("SELECT {COLS} FROM dispatch_round WHERE campaign_id = $1 ORDER BY seq DESC"), &args![c.id])
        .await?;
    Ok(all.into_iter().filter(|r| a.full || r.published()).collect())
}

#[derive(sqlx::FromRow)]
struct LineRow {
    org_id: i64,
    org_name: String,
    org_path: String,
    rank: i64,
    total_milli: i64,
    previous_rank: Option<i64>,
    band: String,
    detail: String,
}

impl LineRow {
    fn into_line(self) -> Line {
        Line {
            org_id: self.org_id,
            org_name: self.org_name,
            org_path: self.org_path,
            rank: self.rank,
            total_milli: self.total_milli,
            previous_rank: self.previous_rank,
            band: Band::from_code(&self.band).unwrap_or(Band::Middle),
            cells: serde_json::from_str(&self.detail).unwrap_or_default(),
        }
    }
}

/// Every line of a round, by rank.
pub async fn lines(store: &Store, r: &Round) -> StoreResult<Vec<Line>> {
    lines_in(store.read(), r.id).await
}

async fn lines_in(exec: crate::db::Exec<'_>, round_id: i64) -> StoreResult<Vec<Line>> {
    let rows: Vec<LineRow> = exec
        .fetch_all(
            "SELECT org_id, org_name, org_path, rank, total_milli, previous_rank, band, detail FROM dispatch_line \
             WHERE round_id = $1 ORDER BY rank, org_path",
            &args![round_id],
        )
        .await?;
    Ok(rows.into_iter().map(LineRow::into_line).collect())
}

async fn previous_published(store: &Store, c: &Campaign, before: NaiveDate, except: i64) -> StoreResult<Option<Round>> {
    store
        .read()
        .fetch_optional(
            &format!(
                "SELECT {COLS} FROM dispatch_round WHERE campaign_id = $1 AND status = 'published' AND as_on <= $2 AND id <> $3 \
                 ORDER BY as_on DESC, seq DESC LIMIT 1"
            ),
            &args![c.id, before, except],
        )
        .await
}

/// Measure and rank: the lines of a round of `c` on `as_on`, with the previous published round.
async fn standing(
    store: &Store,
    scope: &Scope,
    c: &Campaign,
    as_on: NaiveDate,
    except: i64,
    progress: &dyn Progress,
) -> StoreResult<(i64, Option<i64>, Vec<Line>, Vec<RoundPlan>)> {
    let std = super::standard::in_force(store, c, as_on).await?.ok_or_else(|| {
        StoreError::Refused(format!("{as_on} 没有生效的创建标准；请先为本活动设定标准（生效日期不晚于调度日期）"))
    })?;
    let issuer = crate::org::visible(store, scope, c.org_id).await?;
    progress.start("参与党组织", None);
    let parts = super::participants(store, c, as_on).await?;
    progress.finish();
    if parts.is_empty() {
        return Err(StoreError::Refused(format!("{as_on} 本活动没有参与的党组织")));
    }
    progress.start("计算指标", Some(std.indicators.len() as u64));
    let measures = super::measure::measure_with(store, c, &issuer, &parts, &std.indicators, as_on, progress).await?;
    progress.finish();
    let prev = previous_published(store, c, as_on, except).await?;
    let prev_lines = match &prev {
        Some(p) => lines(store, p).await?,
        None => Vec::new(),
    };
    let ranked = dr::rank(&parts, &std.indicators, &measures, c.name_top, &prev_lines);
    progress.start("党建规划进展", None);
    let plans = super::plan::in_round(store, c, &issuer, &parts, as_on).await?;
    progress.finish();
    Ok((std.id, prev.map(|p| p.id), ranked, plans))
}

async fn write_lines(tx: &mut Tx, round_id: i64, lines: &[Line], progress: &dyn Progress) -> StoreResult<()> {
    progress.start("写入调度结果", Some(lines.len() as u64));
    for chunk in lines.chunks(200) {
        let mut sql = String::from(
            "INSERT INTO dispatch_line (round_id, org_id, org_name, org_path, rank, total_milli, previous_rank, band, detail) VALUES ",
        );
        let mut a: Vec<Val> = Vec::with_capacity(chunk.len() * 9);
        for (i, l) in chunk.iter().enumerate() {
            let b = i * 9;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9
            ));
            a.extend([
                Val::from(round_id),
                Val::from(l.org_id),
                Val::from(l.org_name.clone()),
                Val::from(l.org_path.clone()),
                Val::from(l.rank),
                Val::from(l.total_milli),
                Val::from(l.previous_rank),
                Val::from(l.band.code()),
                Val::from(serde_json::to_string(&l.cells).expect("cells serialize")),
            ]);
        }
        tx.x().execute(&sql, &a).await?;
        progress.inc(chunk.len() as u64);
    }
    progress.finish();
    Ok(())
}

async fn write_plans(tx: &mut Tx, round_id: i64, plans: &[RoundPlan]) -> StoreResult<()> {
    for chunk in plans.chunks(200) {
        let mut sql = String::from(
            "INSERT INTO dispatch_plan (round_id, org_id, plan_id, kind, title, from_year, to_year, targets, reached, overdue) VALUES ",
        );
        let mut a: Vec<Val> = Vec::with_capacity(chunk.len() * 10);
        for (i, p) in chunk.iter().enumerate() {
            let b = i * 10;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9,
                b + 10
            ));
            a.extend([
                Val::from(round_id),
                Val::from(p.org_id),
                Val::from(p.plan_id),
                Val::from(p.kind.clone()),
                Val::from(p.title.clone()),
                Val::from(p.from_year),
                Val::from(p.to_year),
                Val::from(p.targets),
                Val::from(p.reached),
                Val::from(p.overdue),
            ]);
        }
        tx.x().execute(&sql, &a).await?;
    }
    Ok(())
}

/// Where the round's participants stood against their own approved plans on its date, by
/// organization (see [`super::plan::in_round`]).
pub async fn plans(store: &Store, r: &Round) -> StoreResult<Vec<RoundPlan>> {
    store
        .read()
        .fetch_all(
            "SELECT d.org_id, d.plan_id, d.kind, d.title, d.from_year, d.to_year, d.targets, d.reached, d.overdue \
             FROM dispatch_plan d JOIN org o ON o.id = d.org_id WHERE d.round_id = $1 \
             ORDER BY o.path, CASE d.kind WHEN 'multi_year' THEN 0 ELSE 1 END, d.plan_id",
            &args![r.id],
        )
        .await
}

/// Compute a new round as a draft (the issuer in scope): its number follows the campaign's last.
pub async fn compute(
    store: &Store,
    scope: &Scope,
    campaign_id: i64,
    as_on: NaiveDate,
    title: &str,
    progress: &dyn Progress,
) -> StoreResult<Round> {
    let c = get_full(store, scope, campaign_id).await?;
    if as_on < c.starts_on {
        return Err(domain::FieldErrors(vec![domain::FieldError::new(
            "调度日期",
            format!("{as_on} 早于活动开始日期 {}", c.starts_on),
        )])
        .into());
    }
    let (standard_id, previous_id, ranked, plans) = standing(store, scope, &c, as_on, 0, progress).await?;
    let mut tx = store.begin().await?;
    let seq = tx
        .x()
        .scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM dispatch_round WHERE campaign_id = $1", &args![c.id])
        .await?;
    let title = if title.trim().is_empty() { format!("第{seq}次调度") } else { title.trim().to_string() };
    let t = now();
    let id = tx
        .x()
        .scalar(
            "INSERT INTO dispatch_round (campaign_id, seq, title, as_on, standard_id, status, previous_id, computed_at, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9) RETURNING id",
            &args![c.id, seq, title.clone(), as_on, standard_id, previous_id, t, scope.actor().name.clone(), t],
        )
        .await?;
    write_lines(&mut tx, id, &ranked, progress).await?;
    write_plans(&mut tx, id, &plans).await?;
    crate::audit::record(
        &mut tx,
        scope,
        "dispatch.compute",
        &format!("dispatch_round:{id}"),
        "ok",
        json!({ "campaign": c.id, "seq": seq, "title": title, "as_on": as_on, "standard": standard_id, "participants": ranked.len() }),
    )
    .await?;
    tx.commit().await?;
    load(store, id).await
}

/// Compute a draft again from the data as it is now (a published round refuses).
pub async fn recompute(store: &Store, scope: &Scope, id: i64, progress: &dyn Progress) -> StoreResult<Round> {
    let r = load(store, id).await?;
    let c = get_full(store, scope, r.campaign_id).await.map_err(|_| StoreError::NotFound("调度"))?;
    if r.published() {
        return Err(StoreError::Refused(format!("{}已发布，不能重新计算；如需更正请新建一次调度", r.title)));
    }
    let (standard_id, previous_id, ranked, plans) = standing(store, scope, &c, r.as_on, r.id, progress).await?;
    let mut tx = store.begin().await?;
    // claim the draft before rewriting its lines (see `publish`)
    let n = tx
        .x()
        .execute(
            "UPDATE dispatch_round SET standard_id = $1, previous_id = $2, computed_at = $3 WHERE id = $4 AND status = 'draft'",
            &args![standard_id, previous_id, now(), r.id],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Refused("该调度已被他人发布，请刷新后查看".into()));
    }
    tx.x().execute("DELETE FROM dispatch_line WHERE round_id = $1", &args![r.id]).await?;
    tx.x().execute("DELETE FROM dispatch_plan WHERE round_id = $1", &args![r.id]).await?;
    write_lines(&mut tx, r.id, &ranked, progress).await?;
    write_plans(&mut tx, r.id, &plans).await?;
    crate::audit::record(
        &mut tx,
        scope,
        "dispatch.recompute",
        &format!("dispatch_round:{id}"),
        "ok",
        json!({ "campaign": c.id, "as_on": r.as_on, "standard": standard_id, "participants": ranked.len() }),
    )
    .await?;
    tx.commit().await?;
    load(store, id).await
}

/// The digest of a round as stored now (its standard and lines).
pub async fn digest_now(store: &Store, r: &Round) -> StoreResult<String> {
    let std = super::standard::by_id(store, r.standard_id).await?;
    let l = lines(store, r).await?;
    Ok(dr::digest(r.campaign_id, r.seq, r.as_on, &std.indicators, &l))
}

/// Publish a draft with its summary: the digest is kept and the round is frozen.
pub async fn publish(store: &Store, scope: &Scope, id: i64, summary: &str) -> StoreResult<Round> {
    let r = load(store, id).await?;
    let c = get_full(store, scope, r.campaign_id).await.map_err(|_| StoreError::NotFound("调度"))?;
    if r.published() {
        return Err(StoreError::Refused(format!(
            "{}已于 {} 发布",
            r.title,
            r.published_at.map(|t| t.to_string()).unwrap_or_default()
        )));
    }
    let std = super::standard::by_id(store, r.standard_id).await?;
    let mut tx = store.begin().await?;
    // claim the draft first (on PostgreSQL the row stays locked until commit, so a recompute
    // cannot rewrite the lines between reading them and keeping their digest)
    let n = tx
        .x()
        .execute(
            "UPDATE dispatch_round SET published_by = $1 WHERE id = $2 AND status = 'draft'",
            &args![scope.actor().name.clone(), r.id],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Refused("该调度已被他人发布，请刷新后查看".into()));
    }
    let current = lines_in(tx.x(), r.id).await?;
    let digest = dr::digest(r.campaign_id, r.seq, r.as_on, &std.indicators, &current);
    let n = tx
        .x()
        .execute(
            "UPDATE dispatch_round SET status = 'published', digest = $1, summary = $2, published_at = $3, published_by = $4 \
             WHERE id = $5 AND status = 'draft'",
            &args![digest.clone(), summary.trim(), now(), scope.actor().name.clone(), r.id],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Refused("该调度已被他人发布，请刷新后查看".into()));
    }
    crate::audit::record(
        &mut tx,
        scope,
        "dispatch.publish",
        &format!("dispatch_round:{id}"),
        "ok",
        json!({ "campaign": c.id, "seq": r.seq, "as_on": r.as_on, "digest": digest }),
    )
    .await?;
    tx.commit().await?;
    load(store, id).await
}

/// Delete a draft (a published round refuses).
pub async fn discard(store: &Store, scope: &Scope, id: i64) -> StoreResult<()> {
    let r = load(store, id).await?;
    let c = get_full(store, scope, r.campaign_id).await.map_err(|_| StoreError::NotFound("调度"))?;
    if r.published() {
        return Err(StoreError::Refused(format!("{}已发布，不能删除", r.title)));
    }
    let mut tx = store.begin().await?;
    tx.x().execute("DELETE FROM dispatch_meeting WHERE round_id = $1", &args![r.id]).await?;
    tx.x().execute("DELETE FROM dispatch_line WHERE round_id = $1", &args![r.id]).await?;
    tx.x().execute("DELETE FROM dispatch_plan WHERE round_id = $1", &args![r.id]).await?;
    tx.x().execute("DELETE FROM dispatch_round WHERE id = $1 AND status = 'draft'", &args![r.id]).await?;
    crate::audit::record(
        &mut tx,
        scope,
        "dispatch.discard",
        &format!("dispatch_round:{id}"),
        "ok",
        json!({ "campaign": c.id, "seq": r.seq }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A 现场会 or 观摩会 of a round.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Meeting {
    pub id: i64,
    pub round_id: i64,
    pub kind: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub sites: String,
    pub speakers: String,
    pub materials: String,
    pub summary: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Meeting {
    pub fn kind_label(&self) -> &'static str {
        if self.kind == "observation" {
            "观摩会"
        } else {
            "现场会"
        }
    }
    /// The units that gave exchange speeches, one a line: as typed, or kept as
    /// `organization id:level:name` (level county, township, village, community), shown as
    /// `name（县）`.
    pub fn speaker_list(&self) -> Vec<String> {
        self.speakers
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| {
                let parts: Vec<&str> = l.splitn(3, ':').collect();
                match parts.as_slice() {
                    [id, level, name] if id.parse::<i64>().is_ok() => {
                        let level = match *level {
                            "county" => "县级",
                            "township" => "乡镇",
                            "village" => "村",
                            "community" => "社区",
                            other => other,
                        };
                        format!("{name}（{level}）")
                    }
                    _ => l.to_string(),
                }
            })
            .collect()
    }
    pub fn site_list(&self) -> Vec<&str> {
        self.sites.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
    }
}

/// What a meeting is given as.
#[derive(Debug, Clone, Default)]
pub struct MeetingInput {
    pub kind: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub sites: String,
    pub speakers: String,
    pub materials: String,
    pub summary: String,
}

pub async fn meetings(store: &Store, r: &Round) -> StoreResult<Vec<Meeting>> {
    store
        .read()
        .fetch_all(
            "SELECT id, round_id, kind, held_on, place, sites, speakers, materials, summary, created_by, created_at, updated_at \
             FROM dispatch_meeting WHERE round_id = $1 ORDER BY held_on, id",
            &args![r.id],
        )
        .await
}

/// Record the meeting of a round (the issuer in scope). A meeting belongs with the round but is
/// not part of its frozen standing: its summary is written after it is held.
pub async fn add_meeting(store: &Store, scope: &Scope, round_id: i64, m: &MeetingInput) -> StoreResult<i64> {
    let r = load(store, round_id).await?;
    let c = get_full(store, scope, r.campaign_id).await.map_err(|_| StoreError::NotFound("调度"))?;
    let mut tx = store.begin().await?;
    let t = now();
    let id = tx
        .x()
        .scalar(
            "INSERT INTO dispatch_meeting (round_id, kind, held_on, place, sites, speakers, materials, summary, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            &args![
                r.id,
                m.kind.clone(),
                m.held_on,
                m.place.clone(),
                m.sites.clone(),
                m.speakers.clone(),
                m.materials.clone(),
                m.summary.clone(),
                scope.actor().name.clone(),
                t,
                t
            ],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "dispatch.meeting",
        &format!("dispatch_meeting:{id}"),
        "ok",
        json!({ "campaign": c.id, "round": r.id, "kind": m.kind, "held_on": m.held_on, "place": m.place,
                "speakers": m.speakers.lines().count(), "sites": m.sites.lines().count() }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
