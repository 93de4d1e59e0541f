//! The organization tree's use cases: founding an organization under another (or a top one) and
//! changing an organization's record. Each needs 维护党组织 where the organization is (for a new
//! one: where its parent is; a top organization only with the whole tree in scope).

pub mod officers;

use chrono::NaiveDate;
use domain::access::Perm;
use domain::org::{Org, OrgInput};
use store::Store;

use crate::{Ctx, ServiceResult};

/// Found an organization under `parent_id` (a top organization when `None`).
pub async fn create(
    store: &Store,
    ctx: &Ctx,
    parent_id: Option<i64>,
    input: &OrgInput,
    today: NaiveDate,
) -> ServiceResult<Org> {
    let scope = ctx.require(Perm::EditOrgs)?;
    Ok(store::org::create(store, &scope, parent_id, input, today).await?)
}

/// Change an organization's record.
pub async fn update(store: &Store, ctx: &Ctx, id: i64, input: &OrgInput, today: NaiveDate) -> ServiceResult<Org> {
    let scope = ctx.require(Perm::EditOrgs)?;
    Ok(store::org::update(store, &scope, id, input, today).await?)
}

/// What moving the organization `id` would take along: (organizations, members) of its subtree.
pub async fn move_preview(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<(i64, i64)> {
    let scope = ctx.require(Perm::EditOrgs)?;
    Ok(store::org::move_preview(store, &scope, id).await?)
}

/// Move the organization `id`, with its whole subtree and members, under `new_parent_id`; both
/// must be in the caller's scope of 维护党组织.
pub async fn move_subtree(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    new_parent_id: i64,
) -> ServiceResult<store::org::MoveReport> {
    let scope = ctx.require(Perm::EditOrgs)?;
    Ok(store::org::move_subtree(store, &scope, id, new_parent_id).await?)
}

/// Dissolve the organization `id` on the date `on` (refused while it has live children or
/// members).
pub async fn dissolve(store: &Store, ctx: &Ctx, id: i64, on: NaiveDate) -> ServiceResult<()> {
    let scope = ctx.require(Perm::EditOrgs)?;
    Ok(store::org::dissolve(store, &scope, id, on).await?)
}

// ---------------------------------------------------------------------------------------------
// Reads. Each answers through the caller's scope of `perm` (the permission the surface acts
// under: 查看党组织 to look, 维护党组织 to pick an organization to change, …). A role without the
// permission has an empty scope there, so an organization outside it is simply not found: missing
// and out of reach are the same answer on purpose.

use std::collections::HashMap;
use store::org::{Node, OrgFinding};
use store::rollup::Counts;
use store::Visible;

/// The organization `id`, as the caller sees it with `perm`.
pub async fn get(store: &Store, ctx: &Ctx, perm: Perm, id: i64) -> ServiceResult<Org> {
    Ok(store::org::get(store, &ctx.scope_for(perm), id).await?)
}

/// The organization `id` read through the caller's scope of `perm`, ready for the reads below
/// it (its roster, records, statistics).
pub async fn visible(store: &Store, ctx: &Ctx, perm: Perm, id: i64) -> ServiceResult<Visible<Org>> {
    Ok(store::org::visible(store, &ctx.scope_for(perm), id).await?)
}

/// The organization `id` and its live descendants down to `max_depth` levels (all when `None`),
/// in tree order, each with its roll-up figures.
pub async fn subtree(
    store: &Store,
    ctx: &Ctx,
    perm: Perm,
    id: i64,
    max_depth: Option<usize>,
) -> ServiceResult<Vec<Node>> {
    Ok(store::org::subtree(store, &ctx.scope_for(perm), id, max_depth).await?)
}

/// The live direct children of the organization `id`.
pub async fn children(store: &Store, ctx: &Ctx, perm: Perm, id: i64) -> ServiceResult<Vec<Org>> {
    Ok(store::org::children(store, &ctx.scope_for(perm), id).await?)
}

/// The ancestors of the organization `id` that the caller may see, top first (the breadcrumb).
pub async fn ancestors(store: &Store, ctx: &Ctx, perm: Perm, id: i64) -> ServiceResult<Vec<Org>> {
    Ok(store::org::ancestors(store, &ctx.scope_for(perm), id).await?)
}

/// The names of those of `ids` that the caller may see.
pub async fn names(store: &Store, ctx: &Ctx, perm: Perm, ids: &[i64]) -> ServiceResult<HashMap<i64, String>> {
    Ok(store::org::names(store, &ctx.scope_for(perm), ids).await?)
}

/// Organizations under `under` whose name or short name contains `q`, at most `limit`.
pub async fn search(store: &Store, ctx: &Ctx, perm: Perm, under: i64, q: &str, limit: i64) -> ServiceResult<Vec<Org>> {
    Ok(store::org::search(store, &ctx.scope_for(perm), under, q, limit).await?)
}

/// [`search`] with each hit's roll-up and depth below `under`, for the tree page.
pub async fn search_nodes(
    store: &Store,
    ctx: &Ctx,
    perm: Perm,
    under: i64,
    q: &str,
    limit: i64,
) -> ServiceResult<Vec<Node>> {
    Ok(store::org::search_nodes(store, &ctx.scope_for(perm), under, q, limit).await?)
}

/// How many live children each of `ids` has, for the tree's expand marks.
pub async fn child_counts(store: &Store, ctx: &Ctx, perm: Perm, ids: &[i64]) -> ServiceResult<HashMap<i64, i64>> {
    Ok(store::org::child_counts(store, &ctx.scope_for(perm), ids).await?)
}

/// The top organizations of the whole tree that the caller may see with `perm`.
pub async fn roots(store: &Store, ctx: &Ctx, perm: Perm) -> ServiceResult<Vec<Org>> {
    Ok(store::org::roots(store, &ctx.scope_for(perm)).await?)
}

/// The structural findings (ORG rules) of the subtree at `id` on the date `on`.
pub async fn findings(store: &Store, ctx: &Ctx, id: i64, on: NaiveDate) -> ServiceResult<Vec<OrgFinding>> {
    Ok(store::org::findings(store, &ctx.scope_for(Perm::ReadOrgs), id, on).await?)
}

/// The roll-up figures (members by category) of an organization already read through the scope.
pub async fn figures(store: &Store, org: &Visible<Org>) -> ServiceResult<Counts> {
    Ok(store::rollup::of(store, org).await?)
}

/// The roll-up figures of `org` when the caller may see it with `perm`; not found otherwise.
pub async fn figures_of(store: &Store, ctx: &Ctx, perm: Perm, org: Org) -> ServiceResult<Counts> {
    match Visible::within(&ctx.scope_for(perm), org) {
        Some(v) => figures(store, &v).await,
        None => Err(crate::ServiceError::NotFound("党组织")),
    }
}

/// The organization a view is about: `id` through the caller's scope of `perm` (not found outside
/// it), or, when none is given, the first top organization of the caller's view in which it holds
/// `perm`. A top organization of the view is already in hand and needs no read.
pub async fn chosen(store: &Store, ctx: &Ctx, perm: Perm, id: Option<i64>) -> ServiceResult<Visible<Org>> {
    let scope = ctx.scope_for(perm);
    let roots = ctx.roots_for(perm);
    let root = |r: Org| Visible::within(&scope, r).ok_or(crate::ServiceError::NotFound("党组织"));
    match id {
        None => roots.into_iter().next().ok_or(crate::ServiceError::NotFound("党组织")).and_then(root),
        Some(id) => match roots.into_iter().find(|r| r.id == id) {
            Some(r) => root(r),
            // read once per generation of the tree: a page below the caller's top costs no
            // more than one of its top
            None => Ok(store::org::visible_seen(store, &scope, id, ctx.generations).await?),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// The organization picker: one for every page that picks an organization.

use domain::org::OrgKind;
use store::org::Picked;

/// Organizations a picker shows on one page (and the script's list shows at most).
pub const PICK_PER_PAGE: i64 = 20;

/// Which organizations a picker offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PickOf {
    /// Every active organization (export, statistics, the roster, a move's new parent).
    #[default]
    Any,
    /// Those that hold members (党支部 and 党小组): a member's organization.
    HoldsMembers,
    /// Those that record organization life themselves: where a meeting is entered.
    RecordsLife,
}

impl PickOf {
    /// The kinds it offers; empty for every kind.
    pub fn kinds(self) -> Vec<OrgKind> {
        match self {
            PickOf::Any => Vec::new(),
            PickOf::HoldsMembers => OrgKind::ALL.iter().copied().filter(|k| k.holds_members()).collect(),
            PickOf::RecordsLife => OrgKind::ALL.iter().copied().filter(|k| domain::life::records_life(*k)).collect(),
        }
    }
}

/// One page of a picker's answer.
#[derive(Debug, Clone)]
pub struct OrgPick {
    /// How many organizations the query finds in all.
    pub total: i64,
    /// This page (from 1) and the number of pages.
    pub page: i64,
    pub pages: i64,
    pub items: Vec<Picked>,
}

impl OrgPick {
    /// What to say when this page does not show everything found: never a silent cut.
    pub fn more(&self) -> Option<String> {
        (self.total > self.items.len() as i64).then(|| format!("共 {} 个，请输入更多字缩小范围", self.total))
    }
}

/// The organizations the caller may pick acting under `perm` whose name or short name contains
/// every word of `q` (with several words, some may be in the parent's name; all organizations
/// when `q` is empty), of the kinds `of` offers: page `page`, counted from one, of
/// [`PICK_PER_PAGE`], an exact name first, then in tree order, each with the names of its
/// ancestors the caller may see. Needs `perm`; its scope bounds what is found, so a county's user
/// never finds another county's organizations.
pub async fn pick(store: &Store, ctx: &Ctx, perm: Perm, q: &str, of: PickOf, page: i64) -> ServiceResult<OrgPick> {
    let scope = ctx.require(perm)?;
    let page = page.clamp(1, 100_000);
    let (total, items) =
        store::org::pick(store, &scope, q, &of.kinds(), (page - 1) * PICK_PER_PAGE, PICK_PER_PAGE).await?;
    let pages = ((total + PICK_PER_PAGE - 1) / PICK_PER_PAGE).max(1);
    Ok(OrgPick { total, page, pages, items })
}
