//! The member roster's use cases: entering a member, changing a member's record, and the status
//! changes of party membership (转正、转出、停止党籍、出党、死亡、恢复). Each needs 维护党员信息 where
//! the member is; a member outside the caller's scope is not found.

use chrono::NaiveDate;
use domain::access::Perm;
use domain::member::{Member, MemberInput};
use store::member::StatusChange;
use store::Store;

use crate::{Ctx, ServiceResult};

/// Enter a new member into the organization `org_id`.
pub async fn create(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    input: &MemberInput,
    today: NaiveDate,
) -> ServiceResult<Member> {
    let scope = ctx.require(Perm::EditMembers)?;
    Ok(store::member::create(store, &scope, org_id, input, today).await?)
}

/// Change a member's record, and move it to `org_id` when given.
pub async fn update(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    org_id: Option<i64>,
    input: &MemberInput,
    today: NaiveDate,
) -> ServiceResult<Member> {
    let scope = ctx.require(Perm::EditMembers)?;
    Ok(store::member::update(store, &scope, id, org_id, input, today).await?)
}

/// A change of a member's party status on the date `on`, with its reason.
pub async fn change_status(
    store: &Store,
    ctx: &Ctx,
    id: i64,
    change: StatusChange,
    on: NaiveDate,
    reason: &str,
    today: NaiveDate,
) -> ServiceResult<Member> {
    let scope = ctx.require(Perm::EditMembers)?;
    Ok(store::member::change_status(store, &scope, id, change, on, reason, today).await?)
}

// ---------------------------------------------------------------------------------------------
// Reads. Each answers through the caller's scope of `perm` (查看党员名册 to look, 维护党员信息 to
// open a member for a change); a member outside it is not found. Personal data comes masked
// unless read with [`read_personal`], which records the read in the audit trail (查询留痕).

use domain::account::Role;
use domain::org::Org;
use store::member::{MemberFilter, MemberSort, Page, RosterLine, StatusEvent};
use store::{Scope, Visible};

/// The member `id`, as the caller sees it with `perm`.
pub async fn get(store: &Store, ctx: &Ctx, perm: Perm, id: i64) -> ServiceResult<Member> {
    Ok(store::member::get(store, &ctx.scope_for(perm), id).await?)
}

/// The member `id` with ID number and phone to be shown unmasked: needs 查看个人敏感信息 where the
/// member is, and the read is recorded in the audit trail before the record is returned.
pub async fn read_personal(store: &Store, ctx: &Ctx, id: i64) -> ServiceResult<Member> {
    let scope = ctx.require(Perm::ViewPersonal)?;
    Ok(store::member::read_personal(store, &scope, id).await?)
}

/// The changes of a member's category, standing and organization, oldest first.
pub async fn status_history(store: &Store, ctx: &Ctx, perm: Perm, id: i64) -> ServiceResult<Vec<StatusEvent>> {
    Ok(store::member::status_history(store, &ctx.scope_for(perm), id).await?)
}

/// One page of the members of the subtree at `org_id`, in tree order, through the caller's scope of
/// `perm`.
pub async fn list(
    store: &Store,
    ctx: &Ctx,
    perm: Perm,
    org_id: i64,
    filter: &MemberFilter,
    page: i64,
    per_page: i64,
) -> ServiceResult<Page<Member>> {
    Ok(store::member::list(store, &ctx.scope_for(perm), org_id, filter, page, per_page).await?)
}

/// The members page's roster of an organization already read through the scope: the lines the
/// page shows, filtered and ordered, with the count.
#[allow(clippy::too_many_arguments)]
pub async fn roster_lines(
    store: &Store,
    org: &Visible<Org>,
    filter: &MemberFilter,
    sort: MemberSort,
    desc: bool,
    page: i64,
    per_page: i64,
) -> ServiceResult<Page<RosterLine>> {
    Ok(store::member::roster_lines(store, org, filter, sort, desc, page, per_page).await?)
}

/// A 党员's own record (我的信息), whatever the scope switcher's focus: the member, their branch
/// and the history of their standing. Unmasked only when asked, and then audited.
pub struct OwnRecord {
    pub member: Member,
    pub branch: Option<Org>,
    pub history: Vec<StatusEvent>,
}

/// Read the caller's own member record ([`OwnRecord`]); not found for an account without one.
pub async fn own(store: &Store, ctx: &Ctx, unmask: bool) -> ServiceResult<OwnRecord> {
    let Some((mid, _)) = ctx.own_member else { return Err(crate::ServiceError::NotFound("记录")) };
    // the 党员 grant's branch, not narrowed by the focus: one's own record is always one's own
    let paths: Vec<String> = ctx.grants.iter().filter(|(r, _)| *r == Role::Member).map(|(_, p)| p.clone()).collect();
    if paths.is_empty() {
        return Err(crate::ServiceError::NotFound("记录"));
    }
    let own = Scope::subtrees(paths).acting_as(ctx.actor.clone());
    let member = if unmask {
        store::member::read_personal(store, &own, mid).await?
    } else {
        store::member::get(store, &own, mid).await?
    };
    let branch = store::org::get(store, &own, member.org_id).await.ok();
    let history = store::member::status_history(store, &own, mid).await.unwrap_or_default();
    Ok(OwnRecord { member, branch, history })
}

/// A member's record as the detail page and the printed 党员信息卡 show it.
pub struct Card {
    pub member: Member,
    /// ID number and phone in full (asked for, held where the member is, and audited).
    pub unmasked: bool,
    /// Asked for in full without 查看个人敏感信息 there: shown masked.
    pub unmask_denied: bool,
    /// The member's organization, and the names from the caller's highest visible ancestor down
    /// to it (`中共某县委 / 中共某镇委员会 / 某村党支部`).
    pub org_name: String,
    pub org_chain: Vec<String>,
    /// The changes of category, standing and organization, oldest first.
    pub history: Vec<StatusEvent>,
}

/// Read a member's [`Card`] with 查看党员名册; unmasked only when asked for and held where the
/// member is (the read is then audited), otherwise quietly masked.
pub async fn card(store: &Store, ctx: &Ctx, id: i64, unmask: bool) -> ServiceResult<Card> {
    let scope = ctx.require(Perm::ReadMembers)?;
    let member = store::member::get(store, &scope, id).await?;
    let may = ctx.can_at(Perm::ViewPersonal, &member.path);
    let (member, unmasked) = if unmask && may { (read_personal(store, ctx, id).await?, true) } else { (member, false) };
    let org_scope = ctx.scope_for(Perm::ReadOrgs);
    let org_name = store::org::names(store, &scope, &[member.org_id]).await?.remove(&member.org_id).unwrap_or_default();
    let mut org_chain: Vec<String> = match store::org::ancestors(store, &org_scope, member.org_id).await {
        Ok(a) => a.into_iter().map(|o| o.name).collect(),
        Err(_) => Vec::new(),
    };
    org_chain.push(org_name.clone());
    let history = store::member::status_history(store, &scope, id).await?;
    Ok(Card { member, unmasked, unmask_denied: unmask && !may, org_name, org_chain, history })
}

// ---------------------------------------------------------------------------------------------
// Finding members: the top bar's search.

use store::member::{MemberHit, MemberSearch};

/// Members the search shows on one page.
pub const SEARCH_PER_PAGE: i64 = 20;

/// What a search box's text looks for: a full ID number (18 characters, or an old 15-digit one),
/// its last 4–6 characters, or else a name. Digits of another length are refused with what to
/// type instead.
pub fn search_kind(q: &str) -> Result<MemberSearch, String> {
    let q = domain::member::normalize_text(q);
    let q = q.trim();
    if q.is_empty() {
        return Err("请输入姓名、身份证号（完整 18 位或末 4–6 位）或党组织名称".into());
    }
    let idish = q.chars().any(|c| c.is_ascii_digit())
        && q.char_indices().all(|(i, c)| c.is_ascii_digit() || ((c == 'x' || c == 'X') && i == q.len() - 1));
    if !idish {
        return Ok(MemberSearch::Name(q.chars().take(30).collect()));
    }
    let upper = q.to_ascii_uppercase();
    match upper.len() {
        18 | 15 => Ok(MemberSearch::IdNumber(upper)),
        4..=6 => Ok(MemberSearch::IdTail(upper)),
        n => Err(format!("身份证号请输入完整的 18 位，或末 4–6 位（您输入了 {n} 位）")),
    }
}

/// One page of members found.
pub struct MemberFound {
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub hits: Vec<MemberHit>,
}

/// The members in the caller's scope of 查看党员名册 that `q` finds ([`search_kind`]): by name,
/// by the full ID number or by its last 4–6 characters; page `page` (from 1), masked for display
/// like the roster. An ID search that finds someone is recorded in the audit trail (the kind of
/// search and the digits, never the full number). It needs only 查看党员名册, not 查看个人敏感信息:
/// the roster already shows the last four characters, and one who types a whole number knows it;
/// the audit record keeps who looked for whom.
pub async fn search(store: &Store, ctx: &Ctx, q: &str, page: i64) -> ServiceResult<MemberFound> {
    let scope = ctx.require(Perm::ReadMembers)?;
    let what = search_kind(q).map_err(|m| {
        let mut e = domain::FieldErrors::default();
        e.push("查找内容", m);
        crate::ServiceError::Invalid(e)
    })?;
    let page = page.clamp(1, 100_000);
    let (total, hits) =
        store::member::search(store, &scope, &what, (page - 1) * SEARCH_PER_PAGE, SEARCH_PER_PAGE).await?;
    let pages = ((total + SEARCH_PER_PAGE - 1) / SEARCH_PER_PAGE).max(1);
    Ok(MemberFound { total, page, pages, hits })
}

#[cfg(test)]
mod search_tests {
    use super::*;

    #[test]
    fn what_a_search_box_looks_for() {
        assert_eq!(search_kind("52032819800314123x"), Ok(MemberSearch::IdNumber("52032819800314123X".into())));
        assert_eq!(search_kind(" 1234 "), Ok(MemberSearch::IdTail("1234".into())));
        assert_eq!(search_kind("１２３４５６"), Ok(MemberSearch::IdTail("123456".into())));
        assert_eq!(search_kind("123X"), Ok(MemberSearch::IdTail("123X".into())));
        assert_eq!(search_kind("张三"), Ok(MemberSearch::Name("张三".into())));
        assert_eq!(search_kind("第1党支部"), Ok(MemberSearch::Name("第1党支部".into())));
        assert!(search_kind("123").unwrap_err().contains("末 4–6 位"));
        assert!(search_kind("12345678").unwrap_err().contains("8 位"));
        assert!(search_kind("  ").is_err());
        assert_eq!(search_kind("X123"), Ok(MemberSearch::Name("X123".into())));
    }
}
