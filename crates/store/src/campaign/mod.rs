//! 创建活动 as stored: campaigns, their participants, leadership group, documents and funding
//! (this file); standard versions ([`standard`]); the indicator source registry's answers
//! ([`measure`]); values reported by organizations ([`reported`]); dispatch rounds ([`round`]);
//! demonstration sites ([`site`]) and training classes ([`training`]); tasks pushed down and
//! their progress reported up ([`task`]); secondment nominations ([`secondment`]) and
//! organizations' party-building plans ([`plan`]); innovation lists, updates and projects
//! ([`innovation`]).
//!
//! Scope: a caller whose scope holds the issuing organization sees the campaign in full; a caller
//! inside the campaign's territory (below the issuer, and for a chosen set, at or below or above
//! one of the chosen organizations) sees the campaign and the lines of the participants that are
//! theirs. Anything else is not found. Every write is audited in its transaction.

pub mod innovation;
pub mod measure;
pub mod plan;
pub mod reported;
pub mod round;
pub mod secondment;
pub mod site;
pub mod standard;
pub mod task;
pub mod training;

use chrono::{DateTime, NaiveDate, Utc};
use domain::campaign::round::Participant;
use domain::campaign::{Kind, Leader, LeaderRole, TakesPart, ValidCampaign};
use domain::org::Org;
use domain::path;
use serde::Serialize;
use serde_json::json;

use crate::args;
use crate::db::{now, Exec, Store, Val};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::Visible;

/// A campaign as stored, with its issuer's name and path.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Campaign {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub name: String,
    pub kind: String,
    pub kind_label: String,
    pub theme: String,
    pub ideas: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub takes_part: String,
    pub depth: Option<i64>,
    pub name_top: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl Campaign {
    pub fn kind(&self) -> Kind {
        Kind::from_code(&self.kind).unwrap_or(Kind::Custom)
    }
    pub fn takes_part(&self) -> TakesPart {
        TakesPart::from_code(&self.takes_part).unwrap_or(TakesPart::Chosen)
    }
    /// `2026-01-01 至 2026-12-31`.
    pub fn period(&self) -> String {
        format!("{} 至 {}", self.starts_on, self.ends_on)
    }
    pub fn ideas_list(&self) -> Vec<String> {
        domain::campaign::split_list(&self.ideas)
    }
}

/// How much of a campaign a caller sees.
#[derive(Debug, Clone, PartialEq)]
pub struct Access {
    /// The issuer is in the caller's scope: everything.
    pub full: bool,
    /// Otherwise the roots of the caller's scope: a participant's line is theirs when it is within
    /// one of them, or one of them is within it.
    roots: Vec<String>,
}

impl Access {
    /// May the caller see the line of the participant at `p`?
    pub fn sees(&self, p: &str) -> bool {
        self.full || self.roots.iter().any(|r| path::is_within(p, r) || path::is_within(r, p))
    }
}

const COLS: &str = "c.id, c.org_id, o.name AS org_name, o.path AS org_path, c.name, c.kind, c.kind_label, c.theme, \
    c.ideas, c.starts_on, c.ends_on, c.takes_part, c.depth, c.name_top, c.created_by, c.created_at, c.updated_at, c.version";
const FROM: &str = "campaign c JOIN org o ON o.id = c.org_id";

async fn load(exec: Exec<'_>, id: i64) -> StoreResult<Option<Campaign>> {
    exec.fetch_optional(&format!("SELECT {COLS} FROM {FROM} WHERE c.id = $1"), &args![id]).await
}

async fn chosen_paths(exec: Exec<'_>, id: i64) -> StoreResult<Vec<String>> {
    let rows: Vec<(String,)> = exec
        .fetch_all(
            "SELECT o.path FROM campaign_part p JOIN org o ON o.id = p.org_id WHERE p.campaign_id = $1",
            &args![id],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// What the caller sees of a campaign, `None` when nothing.
async fn access_to(store: &Store, scope: &Scope, c: &Campaign) -> StoreResult<Option<Access>> {
    if scope.contains(&c.org_path) {
        return Ok(Some(Access { full: true, roots: vec![] }));
    }
    let inside: Vec<String> = scope.roots().iter().filter(|r| path::is_within(r, &c.org_path)).cloned().collect();
    if inside.is_empty() {
        return Ok(None);
    }
    if c.takes_part() == TakesPart::Chosen {
        let chosen = chosen_paths(store.read(), c.id).await?;
        let roots: Vec<String> = inside
            .into_iter()
            .filter(|r| chosen.iter().any(|p| path::is_within(p, r) || path::is_within(r, p)))
            .collect();
        return Ok((!roots.is_empty()).then_some(Access { full: false, roots }));
    }
    Ok(Some(Access { full: false, roots: inside }))
}

/// A campaign the caller may see, with how much.
pub async fn get(store: &Store, scope: &Scope, id: i64) -> StoreResult<(Campaign, Access)> {
    let c = load(store.read(), id).await?.ok_or(StoreError::NotFound("创建活动"))?;
    match access_to(store, scope, &c).await? {
        Some(a) => Ok((c, a)),
        None => Err(StoreError::NotFound("创建活动")),
    }
}

/// A campaign whose issuer is in the caller's scope (what changing it needs).
pub async fn get_full(store: &Store, scope: &Scope, id: i64) -> StoreResult<Campaign> {
    match get(store, scope, id).await? {
        (c, a) if a.full => Ok(c),
        _ => Err(StoreError::NotFound("创建活动")),
    }
}

/// The campaigns the caller sees: issued in the scope, or above it and reaching into it; latest
/// first.
pub async fn list(store: &Store, scope: &Scope) -> StoreResult<Vec<(Campaign, Access)>> {
    let mut conds = Vec::new();
    let mut a: Vec<Val> = Vec::new();
    if !scope.is_all() {
        for r in scope.roots() {
            a.push(r.clone().into());
            a.push(path::subtree_end(r).into());
            conds.push(format!("(o.path >= ${} AND o.path < ${})", a.len() - 1, a.len()));
            for anc in path::ancestors(r) {
                a.push(anc.to_string().into());
                conds.push(format!("o.path = ${}", a.len()));
            }
        }
        if conds.is_empty() {
            return Ok(vec![]);
        }
    }
    let filter = if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" OR ")) };
    let all: Vec<Campaign> = store
        .read()
        .fetch_all(&format!("SELECT {COLS} FROM {FROM} {filter} ORDER BY c.starts_on DESC, c.id DESC"), &a)
        .await?;
    let mut out = Vec::new();
    for c in all {
        if let Some(acc) = access_to(store, scope, &c).await? {
            out.push((c, acc));
        }
    }
    Ok(out)
}

async fn check_chosen(
    store: &Store,
    scope: &Scope,
    issuer: &Org,
    v: &ValidCampaign,
    chosen: &[i64],
) -> StoreResult<Vec<Org>> {
    let mut out = Vec::new();
    if v.takes_part != TakesPart::Chosen {
        return Ok(out);
    }
    let mut e = domain::FieldErrors::default();
    if chosen.is_empty() {
        e.push("参与党组织", "指定参与范围时至少选择一个党组织");
    }
    for id in chosen {
        match crate::org::get(store, scope, *id).await {
            Ok(o) if path::is_within(&o.path, &issuer.path) && o.path != issuer.path => out.push(o),
            Ok(o) => e.push("参与党组织", format!("{} 不在发起组织 {} 的下级范围内", o.name, issuer.name)),
            Err(_) => e.push("参与党组织", format!("编号 {id} 的党组织不存在或不在管理范围内")),
        }
    }
    e.into_result(out).map_err(Into::into)
}

fn detail(v: &ValidCampaign, chosen: &[Org], leaders: &[Leader]) -> serde_json::Value {
    json!({
        "name": v.name, "kind": v.kind.code(), "kind_label": v.kind_label, "theme": v.theme, "ideas": v.ideas_text(),
        "starts_on": v.starts_on, "ends_on": v.ends_on, "takes_part": v.takes_part.code(), "depth": v.depth,
        "name_top": v.name_top, "chosen": chosen.iter().map(|o| o.id).collect::<Vec<_>>(),
        "leaders": leaders.iter().map(|l| format!("{} {} {}", l.role.label(), l.name, l.post)).collect::<Vec<_>>(),
    })
}

async fn write_parts(tx: &mut crate::Tx, id: i64, chosen: &[Org], leaders: &[Leader]) -> StoreResult<()> {
    tx.x().execute("DELETE FROM campaign_part WHERE campaign_id = $1", &args![id]).await?;
    for o in chosen {
        tx.x().execute("INSERT INTO campaign_part (campaign_id, org_id) VALUES ($1, $2)", &args![id, o.id]).await?;
    }
    tx.x().execute("DELETE FROM campaign_leader WHERE campaign_id = $1", &args![id]).await?;
    for (i, l) in leaders.iter().enumerate() {
        tx.x()
            .execute(
                "INSERT INTO campaign_leader (campaign_id, role, name, post, ord) VALUES ($1, $2, $3, $4, $5)",
                &args![id, l.role.code(), l.name.clone(), l.post.clone(), i as i64],
            )
            .await?;
    }
    Ok(())
}

/// Issue a campaign from an organization in scope, with its participants and leadership group;
/// one transaction, audited.
pub async fn create(
    store: &Store,
    scope: &Scope,
    issuer: &Visible<Org>,
    v: &ValidCampaign,
    chosen: &[i64],
    leaders: &[Leader],
) -> StoreResult<Campaign> {
    let chosen = check_chosen(store, scope, issuer, v, chosen).await?;
    let mut tx = store.begin().await?;
    let t = now();
    let id = tx
        .x()
        .scalar(
            "INSERT INTO campaign (org_id, name, kind, kind_label, theme, ideas, starts_on, ends_on, takes_part, depth, \
             name_top, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             RETURNING id",
            &args![
                issuer.id,
                v.name.clone(),
                v.kind.code(),
                v.kind_label.clone(),
                v.theme.clone(),
                v.ideas_text(),
                v.starts_on,
                v.ends_on,
                v.takes_part.code(),
                v.depth,
                v.name_top,
                scope.actor().name.clone(),
                t,
                t
            ],
        )
        .await?;
    write_parts(&mut tx, id, &chosen, leaders).await?;
    let mut d = detail(v, &chosen, leaders);
    d["org"] = json!(issuer.id);
    crate::audit::record(&mut tx, scope, "campaign.create", &format!("campaign:{id}"), "ok", d).await?;
    tx.commit().await?;
    get_full(store, scope, id).await
}

/// Change a campaign (the issuer in scope), at the version the editor read.
pub async fn update(
    store: &Store,
    scope: &Scope,
    id: i64,
    version: i64,
    v: &ValidCampaign,
    chosen: &[i64],
    leaders: &[Leader],
) -> StoreResult<Campaign> {
    let old = get_full(store, scope, id).await?;
    let issuer = crate::org::get(store, scope, old.org_id).await?;
    let chosen = check_chosen(store, scope, &issuer, v, chosen).await?;
    let before = json!({
        "name": old.name, "kind": old.kind, "kind_label": old.kind_label, "theme": old.theme, "ideas": old.ideas,
        "starts_on": old.starts_on, "ends_on": old.ends_on, "takes_part": old.takes_part, "depth": old.depth,
        "name_top": old.name_top,
    });
    let mut tx = store.begin().await?;
    let n = tx
        .x()
        .execute(
            "UPDATE campaign SET name = $1, kind = $2, kind_label = $3, theme = $4, ideas = $5, starts_on = $6, ends_on = $7, \
             takes_part = $8, depth = $9, name_top = $10, updated_at = $11, version = version + 1 WHERE id = $12 AND version = $13",
            &args![
                v.name.clone(),
                v.kind.code(),
                v.kind_label.clone(),
                v.theme.clone(),
                v.ideas_text(),
                v.starts_on,
                v.ends_on,
                v.takes_part.code(),
                v.depth,
                v.name_top,
                now(),
                id,
                version
            ],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale("创建活动"));
    }
    write_parts(&mut tx, id, &chosen, leaders).await?;
    crate::audit::record(
        &mut tx,
        scope,
        "campaign.update",
        &format!("campaign:{id}"),
        "ok",
        crate::audit::diff(&before, &detail(v, &chosen, leaders)),
    )
    .await?;
    tx.commit().await?;
    get_full(store, scope, id).await
}

/// One entry of the leadership group as stored.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct LeaderRow {
    pub role: String,
    pub name: String,
    pub post: String,
}

impl LeaderRow {
    pub fn role_label(&self) -> &'static str {
        LeaderRole::from_code(&self.role).map_or("成员", |r| r.label())
    }
    pub fn is_department(&self) -> bool {
        self.role == LeaderRole::Department.code()
    }
}

pub async fn leaders(store: &Store, c: &Campaign) -> StoreResult<Vec<LeaderRow>> {
    store
        .read()
        .fetch_all("SELECT role, name, post FROM campaign_leader WHERE campaign_id = $1 ORDER BY ord", &args![c.id])
        .await
}

/// The chosen organizations of a campaign (empty for one taking part by level).
pub async fn chosen(store: &Store, c: &Campaign) -> StoreResult<Vec<(i64, String)>> {
    store
        .read()
        .fetch_all(
            "SELECT o.id, o.name FROM campaign_part p JOIN org o ON o.id = p.org_id WHERE p.campaign_id = $1 ORDER BY o.path",
            &args![c.id],
        )
        .await
}

/// The participants on a date, in tree order: the chosen organizations, or those `depth` levels
/// below the issuer that existed that day.
pub async fn participants(store: &Store, c: &Campaign, on: NaiveDate) -> StoreResult<Vec<Participant>> {
    #[derive(sqlx::FromRow)]
    struct P {
        id: i64,
        name: String,
        path: String,
    }
    let alive = "(o.founded_on IS NULL OR o.founded_on <= $2) AND (o.dissolved_on IS NULL OR o.dissolved_on > $3)";
    let rows: Vec<P> = match c.takes_part() {
        TakesPart::Chosen => {
            store
                .read()
                .fetch_all(
                    &format!(
                        "SELECT o.id, o.name, o.path FROM campaign_part p JOIN org o ON o.id = p.org_id \
                         WHERE p.campaign_id = $1 AND {alive} ORDER BY o.path"
                    ),
                    &args![c.id, on, on],
                )
                .await?
        }
        TakesPart::Level => {
            let len = (c.org_path.len() + path::SEG_WIDTH * c.depth.unwrap_or(1) as usize) as i64;
            store
                .read()
                .fetch_all(
                    &format!(
                        "SELECT o.id, o.name, o.path FROM org o WHERE o.path > $1 AND o.path < $4 AND length(o.path) = $5 \
                         AND {alive} ORDER BY o.path"
                    ),
                    &args![c.org_path.clone(), on, on, path::subtree_end(&c.org_path), len],
                )
                .await?
        }
    };
    Ok(rows.into_iter().map(|p| Participant { org_id: p.id, name: p.name, path: p.path }).collect())
}

/// Funding put in, one row.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Funding {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub year: i64,
    pub amount_yuan: i64,
    pub note: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// Record funding put in by an organization (in the caller's scope, within the campaign's
/// territory) in a year.
pub async fn add_funding(
    store: &Store,
    scope: &Scope,
    campaign_id: i64,
    org_id: i64,
    year: i32,
    amount_yuan: i64,
    note: &str,
) -> StoreResult<i64> {
    let (c, _) = get(store, scope, campaign_id).await?;
    let org = crate::org::get(store, scope, org_id).await?;
    // the campaign's territory: the issuer's subtree, and for a chosen set only the chosen
    // organizations with what is above them up to the issuer and below them
    let inside = path::is_within(&org.path, &c.org_path)
        && (c.takes_part() != TakesPart::Chosen
            || chosen_paths(store.read(), c.id)
                .await?
                .iter()
                .any(|p| path::is_within(&org.path, p) || path::is_within(p, &org.path)));
    if !inside {
        return Err(domain::FieldErrors(vec![domain::FieldError::new(
            "投入单位",
            format!("{} 不在本活动的范围内", org.name),
        )])
        .into());
    }
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO campaign_funding (campaign_id, org_id, year, amount_yuan, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            &args![c.id, org.id, year as i64, amount_yuan, note.to_string(), scope.actor().name.clone(), now()],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "campaign.funding",
        &format!("campaign_funding:{id}"),
        "ok",
        json!({ "campaign": c.id, "org": org.id, "year": year, "amount_yuan": amount_yuan, "note": note }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The funding rows of a campaign within the subtree of `under` (tree order, then year).
pub async fn funding(store: &Store, c: &Campaign, under: &Visible<Org>) -> StoreResult<Vec<Funding>> {
    store
        .read()
        .fetch_all(
            "SELECT f.id, f.org_id, o.name AS org_name, o.path AS org_path, f.year, f.amount_yuan, f.note, f.created_by, f.created_at \
             FROM campaign_funding f JOIN org o ON o.id = f.org_id \
             WHERE f.campaign_id = $1 AND o.path >= $2 AND o.path < $3 ORDER BY o.path, f.year, f.id",
            &args![c.id, under.path.clone(), path::subtree_end(&under.path)],
        )
        .await
}

/// A document of a campaign (方案, 意见), without its content.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Document {
    pub id: i64,
    pub campaign_id: i64,
    pub title: String,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

pub async fn documents(store: &Store, c: &Campaign) -> StoreResult<Vec<Document>> {
    store
        .read()
        .fetch_all(
            "SELECT id, campaign_id, title, name, mime, size, sha256, created_by, created_at FROM campaign_document \
             WHERE campaign_id = $1 ORDER BY id",
            &args![c.id],
        )
        .await
}

/// Attach a document (方案, 意见) to a campaign whose issuer is in scope: a PDF, an office
/// document or a picture of at most 10 MB, checked by its content as organization-life
/// attachments are.
pub async fn add_document(
    store: &Store,
    scope: &Scope,
    campaign_id: i64,
    title: &str,
    name: &str,
    content: Vec<u8>,
) -> StoreResult<i64> {
    use sha2::Digest;
    let c = get_full(store, scope, campaign_id).await?;
    let mut e = domain::FieldErrors::default();
    let title = domain::text::required(title, "文件标题", 100, &mut e);
    let name = crate::life::attachments::clean_name(name);
    let mut mime = "";
    if name.is_empty() {
        e.push("文件", "请选择文件");
    } else if content.is_empty() {
        e.push("文件", format!("“{name}”是空文件"));
    } else if content.len() > crate::life::MAX_ATTACHMENT {
        e.push("文件", format!("“{name}”有 {:.1} MB，超过 10 MB 的上限", content.len() as f64 / 1048576.0));
    } else {
        match crate::life::sniff(&name, &content) {
            Ok(m) => mime = m,
            Err(m) => e.push("文件", format!("“{name}”：{m}")),
        }
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let sha: String = sha2::Sha256::digest(&content).iter().map(|b| format!("{b:02x}")).collect();
    let size = content.len() as i64;
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO campaign_document (campaign_id, title, name, mime, size, sha256, content, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &args![c.id, title.clone(), name.clone(), mime, size, sha.clone(), Val::Bytes(Some(content)), scope.actor().name.clone(), now()],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "campaign.document",
        &format!("campaign_document:{id}"),
        "ok",
        json!({ "campaign": c.id, "title": title, "name": name, "size": size, "sha256": sha }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A document with its content, for a caller who sees the campaign.
pub async fn document(store: &Store, scope: &Scope, id: i64) -> StoreResult<(Document, Vec<u8>)> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        doc: Document,
        content: Vec<u8>,
    }
    let row: Row = store
        .read()
        .fetch_optional(
            "SELECT id, campaign_id, title, name, mime, size, sha256, created_by, created_at, content FROM campaign_document WHERE id = $1",
            &args![id],
        )
        .await?
        .ok_or(StoreError::NotFound("文件"))?;
    get(store, scope, row.doc.campaign_id).await.map_err(|_| StoreError::NotFound("文件"))?;
    Ok((row.doc, row.content))
}
