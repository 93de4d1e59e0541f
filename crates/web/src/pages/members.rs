//! 党员名册 and 党员详情; create, edit, status changes; 我的信息.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Form;
use domain::account::Role;
use domain::member::{Category, Education, Member, MemberInput, Occupation, Sex, Status};
use domain::org::Org;
use domain::FieldErrors;
use serde::Deserialize;
use std::sync::Arc;
use store::member::{MemberFilter, MemberSort, StatusChange};
use store::{Scope, StoreError};

use super::orgs::{
    attach_errors, checked, merge_errors, ok_notice, opt_date, options, unmasked_or, with_status, Field,
};
use super::{render, today, urlencode};
use crate::access::Perm;
use crate::routes::{Routes, Target};
use crate::Shared;
use crate::{Caller, Crumb, Nav};

pub(super) fn routes(r: Routes) -> Routes {
    r.add("GET", "/members", Target::OrgQuery, get(members))
        .add("GET", "/members/{id}", Target::Member, get(member))
        .add("GET,POST", "/members/{id}/edit", Target::Member, get(edit_page).post(edit_post))
        .add("GET,POST", "/members/{id}/status", Target::Member, get(status_page).post(status_post))
        .add("GET,POST", "/orgs/{id}/members/new", Target::Org, get(new_page).post(new_post))
        .add("GET", "/me", Target::None, get(me))
}

fn or_dash(v: &Option<String>) -> String {
    v.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "—".into())
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

// ---------------------------------------------------------------------------------------------
// 党员名册

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MembersQuery {
    org: String,
    name: String,
    category: String,
    status: String,
    occupation: String,
    mobile: String,
    lost: String,
    needy: String,
    sort: String,
    dir: String,
    page: String,
}

pub struct MemberRow {
    id: i64,
    name: String,
    sex: &'static str,
    id_number: String,
    category: &'static str,
    join_date: domain::dates::Ymd,
    birth_date: domain::dates::Ymd,
    phone: String,
    org_id: i64,
    org_name: String,
    tags: Vec<&'static str>,
    status: String,
}

/// A sortable column heading: its label, link and arrow.
pub struct SortHead {
    label: &'static str,
    href: String,
    arrow: &'static str,
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    nav: Nav,
    org_id: i64,
    org_name: String,
    q: MembersQuery,
    categories: &'static [(&'static str, &'static str)],
    statuses: &'static [(&'static str, &'static str)],
    occupations: &'static [(&'static str, &'static str)],
    former: bool,
    heads: Vec<SortHead>,
    /// The table's rows ([`MemberRows`]), already rendered.
    tbody: std::sync::Arc<str>,
    empty: bool,
    total: i64,
    page: i64,
    pages: i64,
    page_link: String,
    filtered: bool,
}

/// The rows of a roster page, rendered on their own.
#[derive(Template)]
#[template(path = "members_rows.html")]
struct MemberRows {
    rows: Vec<MemberRow>,
    former: bool,
}

const PER_PAGE: i64 = 50;

type Options = Vec<(&'static str, &'static str)>;

/// The filter form's choices (code, label), each list led by its "all" choice: made once.
static FILTER_OPTIONS: std::sync::LazyLock<(Options, Options, Options)> = std::sync::LazyLock::new(|| {
    let all = |first: &'static str, rest: Options| [("", first)].into_iter().chain(rest).collect::<Options>();
    (
        all("全部", Category::ALL.iter().map(|c| (c.code(), c.label())).collect()),
        all(
            "正常（在册党员）",
            Status::ALL.iter().filter(|s| **s != Status::Normal).map(|s| (s.code(), s.label())).collect(),
        ),
        all("全部", Occupation::ALL.iter().map(|c| (c.code(), c.label())).collect()),
    )
});

/// What a roster page's rows are of: the filters (with the organization), the order and the page.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RosterKey {
    filters: String,
    sort: MemberSort,
    desc: bool,
    page: i64,
}

/// A roster page's rows, rendered, with its count: kept in [`crate::AppState::rosters`].
pub struct RosterView {
    tbody: Arc<str>,
    /// No row on this page (none match, or past the last page).
    empty: bool,
    total: i64,
    pages: i64,
    page: i64,
}

/// The roster cache: up to this many pages (of about 17 KB each).
pub const ROSTER_PAGES_KEPT: usize = 512;

/// Why a roster page could not be shown.
enum RosterFail {
    Store(StoreError),
    Render,
}

impl From<StoreError> for RosterFail {
    fn from(e: StoreError) -> Self {
        RosterFail::Store(e)
    }
}

fn roster_view(page: store::member::Page<store::member::RosterLine>, former: bool) -> Result<RosterView, RosterFail> {
    let (pages, total, page_now) = (page.pages(), page.total, page.page);
    let rows: Vec<MemberRow> = page
        .items
        .into_iter()
        .map(|m| MemberRow {
            id: m.id,
            id_number: domain::mask::id_number(&m.id_number),
            name: m.name,
            sex: m.sex.label(),
            category: m.category.label(),
            join_date: domain::dates::Ymd(m.join_date),
            birth_date: domain::dates::Ymd(m.birth_date),
            phone: m.phone.as_deref().map(domain::mask::phone).unwrap_or_default(),
            org_id: m.org_id,
            org_name: m.org_name,
            tags: [(m.is_mobile, "流动"), (m.is_lost_contact, "失联"), (m.is_needy, "困难")]
                .into_iter()
                .filter_map(|(b, t)| b.then_some(t))
                .collect(),
            // shown for former members only
            status: if former {
                format!("{}{}", m.status.label(), m.status_date.map(|d| format!("（{d}）")).unwrap_or_default())
            } else {
                String::new()
            },
        })
        .collect();
    let empty = rows.is_empty();
    let mut tbody = String::with_capacity(16 * 1024);
    (MemberRows { rows, former }).render_into(&mut tbody).map_err(|_| RosterFail::Render)?;
    Ok(RosterView { tbody: tbody.into(), empty, total, pages, page: page_now })
}

pub async fn members(State(s): State<Shared>, caller: Caller, Query(q): Query<MembersQuery>) -> Response {
    let scope = crate::tri!(caller.require(Perm::ReadMembers));
    let org = match super::org_param(&s, &caller, Perm::ReadMembers, &scope, &q.org).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let status = Status::from_code(&q.status).filter(|s| *s != Status::Normal);
    let former = status.is_some();
    let sort = MemberSort::from_code(&q.sort).unwrap_or_default();
    let desc = q.dir == "desc";
    let page_no = q.page.trim().parse::<i64>().unwrap_or(1).max(1);
    // the filters as a query string, without sort and page: with them, what the rows are of
    let mut filters = format!("/members?org={}", org.id);
    for (k, v) in [
        ("name", q.name.trim()),
        ("category", q.category.as_str()),
        ("status", q.status.as_str()),
        ("occupation", q.occupation.as_str()),
    ] {
        if !v.is_empty() {
            filters.push_str(&format!("&{k}={}", urlencode(v)));
        }
    }
    for (k, v) in [("mobile", &q.mobile), ("lost", &q.lost), ("needy", &q.needy)] {
        if checked(v) {
            filters.push_str(&format!("&{k}=1"));
        }
    }
    let filter = MemberFilter {
        name: Some(q.name.trim().to_string()).filter(|n| !n.is_empty()),
        category: Category::from_code(&q.category),
        status,
        occupation: Occupation::from_code(&q.occupation),
        mobile: checked(&q.mobile).then_some(true),
        lost_contact: checked(&q.lost).then_some(true),
        needy: checked(&q.needy).then_some(true),
    };
    // The rows are the same for every caller who may see this organization (masked for all), so
    // a page read and rendered once is shown again until the roster's generation moves.
    let key = RosterKey { filters: filters.clone(), sort, desc, page: page_no };
    let view = s
        .rosters
        .get_or_load(&s.store, caller.generations, key, || async {
            let page = store::member::roster_lines(&s.store, &org, &filter, sort, desc, page_no, PER_PAGE).await?;
            Ok::<_, RosterFail>(Arc::new(roster_view(page, former)?))
        })
        .await;
    let view = match view {
        Ok(v) => v,
        Err(RosterFail::Store(e)) => return caller.fail(e),
        Err(RosterFail::Render) => return super::render_failed(),
    };
    let heads = [("姓名", MemberSort::Name), ("出生日期", MemberSort::BirthDate), ("入党日期", MemberSort::JoinDate)]
        .into_iter()
        .map(|(label, by)| {
            let on = sort == by;
            let next = if on && !desc { "desc" } else { "asc" };
            SortHead {
                label,
                href: format!("{filters}&sort={}&dir={next}", by.code()),
                arrow: match (on, desc) {
                    (false, _) => "",
                    (true, false) => " ↑",
                    (true, true) => " ↓",
                },
            }
        })
        .collect();
    let page_link = if sort == MemberSort::Tree {
        filters.clone()
    } else {
        format!("{filters}&sort={}&dir={}", sort.code(), if desc { "desc" } else { "asc" })
    };
    let filtered = filters != format!("/members?org={}", org.id);
    let trail = vec![Crumb::new("/members", "党员名册"), Crumb::new("", org.name.clone())];
    render(&MembersPage {
        nav: caller.nav("members").crumbs(trail),
        org_id: org.id,
        org_name: org.name,
        categories: &FILTER_OPTIONS.0,
        statuses: &FILTER_OPTIONS.1,
        occupations: &FILTER_OPTIONS.2,
        former,
        heads,
        pages: view.pages,
        total: view.total,
        page: view.page,
        tbody: view.tbody.clone(),
        empty: view.empty,
        page_link,
        filtered,
        q,
    })
}

// ---------------------------------------------------------------------------------------------
// 党员详情

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberQuery {
    unmask: String,
    ok: String,
}

pub struct HistoryRow {
    at: String,
    actor: String,
    what: String,
    on: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    nav: Nav,
    id: i64,
    name: String,
    notice: Option<&'static str>,
    warning: Option<&'static str>,
    fields: Vec<(&'static str, String)>,
    org_id: i64,
    unmasked: bool,
    can_unmask: bool,
    unmask_link: String,
    can_edit: bool,
    can_change_status: bool,
    history: Vec<HistoryRow>,
    /// The 我的信息 page: the branch's basics follow.
    me: bool,
    branch: Vec<(&'static str, String)>,
    branch_link: bool,
}

/// The member's fields for display; the ID number and phone unmasked only when `unmasked`.
fn member_fields(m: &Member, org_name: &str, unmasked: bool) -> Vec<(&'static str, String)> {
    let (idn, phone) = if unmasked {
        (m.id_number.clone(), m.phone.clone().unwrap_or_else(|| "—".into()))
    } else {
        (
            domain::mask::id_number(&m.id_number),
            m.phone.as_deref().map(domain::mask::phone).unwrap_or_else(|| "—".into()),
        )
    };
    let status = format!("{}{}", m.status.label(), m.status_date.map(|d| format!("（{d}）")).unwrap_or_default());
    vec![
        ("姓名", m.name.clone()),
        ("性别", m.sex.label().into()),
        ("公民身份号码", idn),
        ("民族", m.ethnicity.clone()),
        ("出生日期", m.birth_date.to_string()),
        ("学历", m.education.map(|e| e.label().to_string()).unwrap_or_else(|| "—".into())),
        ("人员类别", m.category.label().into()),
        ("入党日期", m.join_date.to_string()),
        ("转正日期", m.full_date.map(|d| d.to_string()).unwrap_or_else(|| "—".into())),
        ("党籍状态", status),
        ("所在党组织", org_name.to_string()),
        ("联系电话", phone),
        ("工作单位", or_dash(&m.work_unit)),
        ("工作岗位", or_dash(&m.job_post)),
        ("职业", m.occupation.map(|o| o.label().to_string()).unwrap_or_else(|| "—".into())),
        ("现居住社区", or_dash(&m.residence_community)),
        ("流动党员", if m.is_mobile { format!("是（流向：{}）", or_dash(&m.mobile_to)) } else { "否".into() }),
        ("失联党员", yes_no(m.is_lost_contact).into()),
        ("困难党员", yes_no(m.is_needy).into()),
    ]
}

fn history_rows(events: Vec<store::member::StatusEvent>) -> Vec<HistoryRow> {
    events
        .into_iter()
        .map(|e| HistoryRow {
            at: e.at.get(..16).unwrap_or(&e.at).replace('T', " "),
            actor: e.actor,
            what: e.what,
            on: e.on.map(|d| d.to_string()).unwrap_or_default(),
            reason: e.reason.unwrap_or_default(),
        })
        .collect()
}

async fn org_name_of(s: &Shared, scope: &Scope, org_id: i64) -> String {
    store::org::names(&s.store, scope, &[org_id]).await.ok().and_then(|m| m.get(&org_id).cloned()).unwrap_or_default()
}

pub async fn member(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<MemberQuery>,
) -> Response {
    let scope = crate::tri!(caller.require(Perm::ReadMembers));
    let m = match store::member::get(&s.store, &scope, id).await {
        Ok(m) => m,
        Err(e) => return caller.fail(e),
    };
    let can_unmask = caller.can_at(Perm::ViewPersonal, &m.path);
    let wants = q.unmask == "1";
    let (m, unmasked) = if wants && can_unmask {
        match store::member::read_personal(&s.store, &caller.scope_for(Perm::ViewPersonal), id).await {
            Ok(m) => (m, true),
            Err(e) => return caller.fail(e),
        }
    } else {
        (m, false)
    };
    let org_name = org_name_of(&s, &scope, m.org_id).await;
    let history = match store::member::status_history(&s.store, &scope, id).await {
        Ok(h) => history_rows(h),
        Err(e) => return caller.fail(e),
    };
    let can_edit = caller.can_at(Perm::EditMembers, &m.path);
    let mut trail = vec![Crumb::new("/members", "党员名册")];
    if !org_name.is_empty() {
        trail.push(Crumb::new(format!("/members?org={}", m.org_id), org_name.clone()));
    }
    trail.push(Crumb::new("", m.name.clone()));
    render(&MemberPage {
        nav: caller.nav("members").crumbs(trail),
        id,
        name: m.name.clone(),
        notice: ok_notice(&q.ok),
        warning: (wants && !can_unmask).then_some("您的角色没有查看完整身份证号和手机号的权限，仍显示脱敏信息。"),
        fields: member_fields(&m, &org_name, unmasked),
        org_id: m.org_id,
        unmasked,
        can_unmask,
        unmask_link: format!("/members/{id}?unmask=1"),
        can_edit,
        can_change_status: can_edit && !StatusChange::open_to(&m).is_empty(),
        history,
        me: false,
        branch: Vec::new(),
        branch_link: false,
    })
}

// ---------------------------------------------------------------------------------------------
// 我的信息

pub async fn me(State(s): State<Shared>, caller: Caller, Query(q): Query<MemberQuery>) -> Response {
    let Some((mid, _)) = caller.own_member else { return caller.not_found() };
    // the account's own record, whatever the scope switcher's focus
    let paths: Vec<String> = caller.grants.iter().filter(|(r, _)| *r == Role::Member).map(|(_, p)| p.clone()).collect();
    if paths.is_empty() {
        return caller.not_found();
    }
    let own = Scope::subtrees(paths).acting_as(caller.actor.clone());
    let unmasked = q.unmask == "1";
    let read = if unmasked {
        store::member::read_personal(&s.store, &own, mid).await
    } else {
        store::member::get(&s.store, &own, mid).await
    };
    let m = match read {
        Ok(m) => m,
        Err(e) => return caller.fail(e),
    };
    let branch: Option<Org> = store::org::get(&s.store, &own, m.org_id).await.ok();
    let org_name = branch.as_ref().map(|b| b.name.clone()).unwrap_or_default();
    let branch_fields = branch
        .as_ref()
        .map(|b| {
            b.describe()
                .into_iter()
                .filter(|(k, _)| {
                    matches!(*k, "组织名称" | "组织类别" | "书记" | "联系电话" | "地址" | "届次" | "成立日期")
                })
                .collect()
        })
        .unwrap_or_default();
    let history = store::member::status_history(&s.store, &own, mid).await.map(history_rows).unwrap_or_default();
    render(&MemberPage {
        nav: caller.nav("me").crumbs(vec![Crumb::new("", "我的信息")]),
        id: mid,
        name: m.name.clone(),
        notice: None,
        warning: None,
        fields: member_fields(&m, &org_name, unmasked),
        org_id: m.org_id,
        unmasked,
        can_unmask: true,
        unmask_link: "/me?unmask=1".into(),
        can_edit: false,
        can_change_status: false,
        history,
        me: true,
        branch_link: branch.as_ref().is_some_and(|b| caller.can_at(Perm::ReadOrgs, &b.path)),
        branch: branch_fields,
    })
}

// ---------------------------------------------------------------------------------------------
// Create and edit

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberForm {
    csrf: String,
    name: String,
    sex: String,
    id_number: String,
    ethnicity: String,
    birth_date: String,
    education: String,
    category: String,
    join_date: String,
    full_date: String,
    job_post: String,
    phone: String,
    work_unit: String,
    residence_community: String,
    occupation: String,
    is_mobile: String,
    mobile_to: String,
    is_lost_contact: String,
    is_needy: String,
    status: String,
    status_date: String,
}

fn flag(b: bool) -> String {
    if b {
        "1".into()
    } else {
        String::new()
    }
}

impl MemberForm {
    /// The form of a stored member: ID number and phone masked.
    fn of(m: &Member) -> Self {
        let d = |v: Option<chrono::NaiveDate>| v.map(|d| d.to_string()).unwrap_or_default();
        MemberForm {
            name: m.name.clone(),
            sex: m.sex.code().into(),
            id_number: domain::mask::id_number(&m.id_number),
            ethnicity: m.ethnicity.clone(),
            birth_date: m.birth_date.to_string(),
            education: m.education.map(|e| e.code().to_string()).unwrap_or_default(),
            category: m.category.code().into(),
            join_date: m.join_date.to_string(),
            full_date: d(m.full_date),
            job_post: m.job_post.clone().unwrap_or_default(),
            phone: m.phone.as_deref().map(domain::mask::phone).unwrap_or_default(),
            work_unit: m.work_unit.clone().unwrap_or_default(),
            residence_community: m.residence_community.clone().unwrap_or_default(),
            occupation: m.occupation.map(|o| o.code().to_string()).unwrap_or_default(),
            is_mobile: flag(m.is_mobile),
            mobile_to: m.mobile_to.clone().unwrap_or_default(),
            is_lost_contact: flag(m.is_lost_contact),
            is_needy: flag(m.is_needy),
            status: m.status.code().into(),
            status_date: d(m.status_date),
            ..Default::default()
        }
    }

    /// The input and the problems of parsing it. Editing (`stored`): the ID number stays the stored
    /// one unless the caller may edit it and typed a new one; a phone left as its mask stays; the
    /// status is changed on its own page.
    fn input(&self, stored: Option<&Member>, may_edit_id: bool) -> (MemberInput, FieldErrors) {
        let mut errs = FieldErrors::default();
        let text = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
        let id_number = match stored {
            Some(m) if !may_edit_id => m.id_number.clone(),
            Some(m) => unmasked_or(&self.id_number, Some(&m.id_number), domain::mask::id_number),
            None => self.id_number.clone(),
        };
        let phone = unmasked_or(&self.phone, stored.and_then(|m| m.phone.as_deref()), domain::mask::phone);
        let (status, status_date) = match stored {
            Some(m) => (Some(m.status), m.status_date),
            None => (Status::from_code(&self.status), opt_date(&self.status_date, "状态日期", &mut errs)),
        };
        let input = MemberInput {
            name: self.name.clone(),
            sex: Sex::from_code(&self.sex),
            id_number,
            ethnicity: text(&self.ethnicity),
            birth_date: opt_date(&self.birth_date, "出生日期", &mut errs),
            education: Education::from_code(&self.education),
            category: Category::from_code(&self.category),
            join_date: opt_date(&self.join_date, "入党日期", &mut errs),
            full_date: opt_date(&self.full_date, "转正日期", &mut errs),
            job_post: text(&self.job_post),
            phone: text(&phone),
            work_unit: text(&self.work_unit),
            residence_community: text(&self.residence_community),
            occupation: Occupation::from_code(&self.occupation),
            is_mobile: checked(&self.is_mobile),
            mobile_to: text(&self.mobile_to),
            is_lost_contact: checked(&self.is_lost_contact),
            is_needy: checked(&self.is_needy),
            status,
            status_date,
        };
        (input, errs)
    }

    /// The fields; `id_mode` is how the ID number shows: "new" (typed in full), "edit" (masked,
    /// replaceable), "locked" (masked, read only).
    fn fields(&self, id_mode: &str, with_status: bool) -> Vec<Field> {
        let ethnicities = options(domain::member::ETHNICITIES.iter().map(|e| (*e, *e)), None);
        let id_field = Field::new("id_number", "公民身份号码", "text", &self.id_number).req();
        let id_field = match id_mode {
            "new" => id_field.hint("18 位，性别和出生日期将按号码核对"),
            "edit" => id_field.hint("显示为脱敏号码；如需更正请输入完整的新号码，不修改则保持原号码"),
            _ => id_field.readonly().hint("您没有修改公民身份号码的权限"),
        };
        let mut v = vec![
            Field::new("name", "姓名", "text", &self.name).req().section("基本信息"),
            id_field,
            Field::select(
                "sex",
                "性别",
                &self.sex,
                options(Sex::ALL.iter().map(|c| (c.code(), c.label())), Some("按身份证号自动识别")),
            ),
            Field::new("birth_date", "出生日期", "date", &self.birth_date).hint("不填则按身份证号"),
            Field::select(
                "ethnicity",
                "民族",
                if self.ethnicity.is_empty() { "汉族" } else { &self.ethnicity },
                ethnicities,
            ),
            Field::select(
                "education",
                "学历",
                &self.education,
                options(Education::ALL.iter().map(|c| (c.code(), c.label())), Some("未填写")),
            ),
            Field::select(
                "category",
                "人员类别",
                &self.category,
                options(Category::ALL.iter().map(|c| (c.code(), c.label())), Some("请选择")),
            )
            .req()
            .section("党籍信息"),
            Field::new("join_date", "入党日期", "date", &self.join_date).req(),
            Field::new("full_date", "转正日期", "date", &self.full_date).hint("正式党员填写"),
        ];
        if with_status {
            v.push(
                Field::select(
                    "status",
                    "党籍状态",
                    &self.status,
                    options(Status::ALL.iter().map(|c| (c.code(), c.label())), None),
                )
                .hint("登记历史党员时选择，一般为“正常”"),
            );
            v.push(Field::new("status_date", "状态日期", "date", &self.status_date).hint("状态不是“正常”时填写"));
        }
        v.extend([
            Field::new("phone", "联系电话", "tel", &self.phone).section("工作与联系"),
            Field::new("work_unit", "工作单位", "text", &self.work_unit),
            Field::new("job_post", "工作岗位", "text", &self.job_post),
            Field::select(
                "occupation",
                "职业",
                &self.occupation,
                options(Occupation::ALL.iter().map(|c| (c.code(), c.label())), Some("未填写")),
            ),
            Field::new("residence_community", "现居住社区", "text", &self.residence_community),
            Field::new("is_mobile", "流动党员", "check", &self.is_mobile).section("管理标记"),
            Field::new("mobile_to", "流动去向", "text", &self.mobile_to).hint("流动党员填写，如：浙江省宁波市"),
            Field::new("is_lost_contact", "失联党员", "check", &self.is_lost_contact),
            Field::new("is_needy", "困难党员", "check", &self.is_needy),
        ]);
        if id_mode != "new" {
            if let Some(p) = v.iter_mut().find(|f| f.name == "phone") {
                p.hint = "显示为脱敏号码；不修改则保持原号码".into();
            }
        }
        v
    }
}

#[derive(Template)]
#[template(path = "member_form.html")]
struct MemberFormPage {
    nav: Nav,
    title: String,
    action: String,
    cancel: String,
    fields: Vec<Field>,
    others: Vec<String>,
    error_count: usize,
    refusal: Option<String>,
    /// Editing: the standing, changed on its own page.
    status_line: Option<(String, bool)>,
    id: i64,
}

#[allow(clippy::too_many_arguments)]
fn member_form_page(
    caller: &Caller,
    section: &'static str,
    trail: Vec<Crumb>,
    title: String,
    action: String,
    cancel: String,
    mut fields: Vec<Field>,
    errs: &FieldErrors,
    refusal: Option<String>,
    status_line: Option<(String, bool)>,
    id: i64,
) -> Response {
    let others = attach_errors(&mut fields, errs);
    render(&MemberFormPage {
        nav: caller.nav(section).crumbs(trail),
        title,
        action,
        cancel,
        fields,
        others,
        error_count: errs.0.len(),
        refusal,
        status_line,
        id,
    })
}

#[derive(Template)]
#[template(path = "member_pick.html")]
struct PickPage {
    nav: Nav,
    name: String,
    kind: &'static str,
    branches: Vec<(i64, String)>,
    more: bool,
}

const PICK_LIMIT: usize = 100;

/// Members belong to branches: for another kind of organization, offer the branches below it.
async fn pick_page(s: &Shared, caller: &Caller, scope: &Scope, o: &Org, trail: Vec<Crumb>) -> Response {
    let nodes = match store::org::subtree(&s.store, scope, o.id, Some(3)).await {
        Ok(n) => n,
        Err(e) => return caller.fail(e),
    };
    let mut branches: Vec<(i64, String)> =
        nodes.into_iter().filter(|n| n.org.kind.holds_members()).map(|n| (n.org.id, n.org.name)).collect();
    let more = branches.len() > PICK_LIMIT;
    branches.truncate(PICK_LIMIT);
    render(&PickPage {
        nav: caller.nav("orgs").crumbs(trail),
        name: o.name.clone(),
        kind: o.kind.label(),
        branches,
        more,
    })
}

async fn new_trail(s: &Shared, caller: &Caller, o: &Org) -> Vec<Crumb> {
    let ancestors = store::org::ancestors(&s.store, &caller.scope, o.id).await.unwrap_or_default();
    let mut trail = vec![Crumb::new("/orgs", "组织树")];
    trail.extend(ancestors.into_iter().map(|a| Crumb::new(format!("/orgs/{}", a.id), a.name)));
    trail.push(Crumb::new(format!("/orgs/{}", o.id), o.name.clone()));
    trail.push(Crumb::new("", "新增党员"));
    trail
}

pub async fn new_page(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let (scope, o) = crate::tri!(caller.org(&s.store, Perm::EditMembers, id).await);
    let trail = new_trail(&s, &caller, &o).await;
    if !o.kind.holds_members() {
        return pick_page(&s, &caller, &scope, &o, trail).await;
    }
    let form = MemberForm { category: "full".into(), status: "normal".into(), ..Default::default() };
    member_form_page(
        &caller,
        "orgs",
        trail,
        format!("在“{}”新增党员", o.name),
        format!("/orgs/{id}/members/new"),
        format!("/orgs/{id}"),
        form.fields("new", true),
        &FieldErrors::default(),
        None,
        None,
        0,
    )
}

pub async fn new_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<MemberForm>,
) -> Response {
    let (scope, o) = crate::tri!(caller.org(&s.store, Perm::EditMembers, id).await);
    crate::tri!(caller.check_csrf(&f.csrf));
    if !o.kind.holds_members() {
        let trail = new_trail(&s, &caller, &o).await;
        return with_status(pick_page(&s, &caller, &scope, &o, trail).await, StatusCode::CONFLICT);
    }
    let (input, parse_errs) = f.input(None, true);
    let today = today();
    let result = match input.validate(today) {
        Err(e) => Err(StoreError::Invalid(merge_errors(parse_errs, e))),
        Ok(_) if !parse_errs.is_empty() => Err(StoreError::Invalid(parse_errs)),
        Ok(_) => store::member::create(&s.store, &scope, id, &input, today).await,
    };
    let (errs, refusal, status) = match result {
        Ok(m) => return Redirect::to(&format!("/members/{}?ok=member_created", m.id)).into_response(),
        Err(StoreError::Invalid(e)) => (e, None, StatusCode::UNPROCESSABLE_ENTITY),
        Err(StoreError::Refused(m)) => (FieldErrors::default(), Some(m), StatusCode::CONFLICT),
        Err(e) => return caller.fail(e),
    };
    let trail = new_trail(&s, &caller, &o).await;
    let page = member_form_page(
        &caller,
        "orgs",
        trail,
        format!("在“{}”新增党员", o.name),
        format!("/orgs/{id}/members/new"),
        format!("/orgs/{id}"),
        f.fields("new", true),
        &errs,
        refusal,
        None,
        0,
    );
    with_status(page, status)
}

async fn member_trail(s: &Shared, caller: &Caller, m: &Member, last: &str) -> Vec<Crumb> {
    let org_name = org_name_of(s, &caller.scope, m.org_id).await;
    let mut trail = vec![Crumb::new("/members", "党员名册")];
    if !org_name.is_empty() {
        trail.push(Crumb::new(format!("/members?org={}", m.org_id), org_name));
    }
    trail.push(Crumb::new(format!("/members/{}", m.id), m.name.clone()));
    trail.push(Crumb::new("", last));
    trail
}

fn status_line(m: &Member, caller: &Caller) -> (String, bool) {
    let text = format!("{}{}", m.status.label(), m.status_date.map(|d| format!("（{d}）")).unwrap_or_default());
    (text, caller.can_at(Perm::EditMembers, &m.path) && !StatusChange::open_to(m).is_empty())
}

pub async fn edit_page(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let scope = crate::tri!(caller.require(Perm::EditMembers));
    let m = match store::member::get(&s.store, &scope, id).await {
        Ok(m) => m,
        Err(e) => return caller.fail(e),
    };
    let id_mode = if caller.can_at(Perm::ViewPersonal, &m.path) { "edit" } else { "locked" };
    let trail = member_trail(&s, &caller, &m, "编辑").await;
    member_form_page(
        &caller,
        "members",
        trail,
        format!("编辑党员“{}”", m.name),
        format!("/members/{id}/edit"),
        format!("/members/{id}"),
        MemberForm::of(&m).fields(id_mode, false),
        &FieldErrors::default(),
        None,
        Some(status_line(&m, &caller)),
        id,
    )
}

pub async fn edit_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<MemberForm>,
) -> Response {
    let scope = crate::tri!(caller.require(Perm::EditMembers));
    let m = match store::member::get(&s.store, &scope, id).await {
        Ok(m) => m,
        Err(e) => return caller.fail(e),
    };
    crate::tri!(caller.check_csrf(&f.csrf));
    let may_edit_id = caller.can_at(Perm::ViewPersonal, &m.path);
    let (input, parse_errs) = f.input(Some(&m), may_edit_id);
    let today = today();
    let result = match input.validate(today) {
        Err(e) => Err(StoreError::Invalid(merge_errors(parse_errs, e))),
        Ok(_) if !parse_errs.is_empty() => Err(StoreError::Invalid(parse_errs)),
        Ok(_) => store::member::update(&s.store, &scope, id, None, &input, today).await,
    };
    let (mut errs, refusal, status) = match result {
        Ok(_) => return Redirect::to(&format!("/members/{id}?ok=saved")).into_response(),
        Err(StoreError::Invalid(e)) => (e, None, StatusCode::UNPROCESSABLE_ENTITY),
        Err(StoreError::Refused(r)) => (FieldErrors::default(), Some(r), StatusCode::CONFLICT),
        Err(e) => return caller.fail(e),
    };
    // a message about the stored ID number must not echo it to a caller who may not see it
    if !may_edit_id {
        for e in errs.0.iter_mut().filter(|e| e.field == "公民身份号码") {
            e.message = "登记的号码有误，请联系有权限的管理员更正".into();
        }
    }
    let mut form = f;
    if !may_edit_id {
        form.id_number = domain::mask::id_number(&m.id_number);
    }
    let id_mode = if may_edit_id { "edit" } else { "locked" };
    let trail = member_trail(&s, &caller, &m, "编辑").await;
    let page = member_form_page(
        &caller,
        "members",
        trail,
        format!("编辑党员“{}”", m.name),
        format!("/members/{id}/edit"),
        format!("/members/{id}"),
        form.fields(id_mode, false),
        &errs,
        refusal,
        Some(status_line(&m, &caller)),
        id,
    );
    with_status(page, status)
}

// ---------------------------------------------------------------------------------------------
// 党籍变更

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    csrf: String,
    change: String,
    date: String,
    reason: String,
    confirm: String,
}

#[derive(Template)]
#[template(path = "member_status.html")]
struct StatusPage {
    nav: Nav,
    id: i64,
    name: String,
    summary: Vec<(&'static str, String)>,
    fields: Vec<Field>,
    others: Vec<String>,
    refusal: Option<String>,
    open: bool,
}

async fn status_view(
    s: &Shared,
    caller: &Caller,
    m: &Member,
    f: &StatusForm,
    errs: &FieldErrors,
    refusal: Option<String>,
) -> Response {
    let changes = StatusChange::open_to(m);
    let org_name = org_name_of(s, &caller.scope, m.org_id).await;
    let summary = vec![
        ("姓名", m.name.clone()),
        ("公民身份号码", domain::mask::id_number(&m.id_number)),
        ("所在党组织", org_name),
        ("人员类别", m.category.label().to_string()),
        ("入党日期", m.join_date.to_string()),
        ("党籍状态", format!("{}{}", m.status.label(), m.status_date.map(|d| format!("（{d}）")).unwrap_or_default())),
    ];
    let default_change = changes.first().map(|c| c.code()).unwrap_or_default();
    let mut fields = vec![
        Field::select(
            "change",
            "办理事项",
            if f.change.is_empty() { default_change } else { &f.change },
            changes.iter().map(|c| (c.code().to_string(), c.label().to_string())).collect(),
        )
        .req(),
        Field::new("date", "日期", "date", &f.date).req().hint("转正为转正日期（预备期满之日），其他为批准或发生之日"),
        Field::new("reason", "原因", "textarea", &f.reason)
            .req()
            .wide()
            .hint("写明办理依据，如：经××党委某年某月某日会议批准；转出写明转往的党组织"),
        Field::new("confirm", "确认办理", "check", &f.confirm).wide().hint("我已核对以上信息；办理后记入操作记录"),
    ];
    let others = attach_errors(&mut fields, errs);
    let trail = member_trail(s, caller, m, "党籍变更").await;
    render(&StatusPage {
        nav: caller.nav("members").crumbs(trail),
        id: m.id,
        name: m.name.clone(),
        summary,
        fields,
        others,
        refusal,
        open: !changes.is_empty(),
    })
}

pub async fn status_page(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let scope = crate::tri!(caller.require(Perm::EditMembers));
    let m = match store::member::get(&s.store, &scope, id).await {
        Ok(m) => m,
        Err(e) => return caller.fail(e),
    };
    let f = StatusForm { date: today().to_string(), ..Default::default() };
    status_view(&s, &caller, &m, &f, &FieldErrors::default(), None).await
}

pub async fn status_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> Response {
    let scope = crate::tri!(caller.require(Perm::EditMembers));
    let m = match store::member::get(&s.store, &scope, id).await {
        Ok(m) => m,
        Err(e) => return caller.fail(e),
    };
    crate::tri!(caller.check_csrf(&f.csrf));
    let mut errs = FieldErrors::default();
    let change = StatusChange::from_code(&f.change);
    if change.is_none() {
        errs.push("办理事项", "请选择要办理的事项");
    }
    let date = if f.date.trim().is_empty() {
        errs.push("日期", "不能为空");
        None
    } else {
        opt_date(&f.date, "日期", &mut errs)
    };
    if f.reason.trim().is_empty() {
        errs.push("原因", "不能为空，请写明办理依据");
    }
    if date.is_some_and(|d| d > today()) {
        errs.push("日期", "不能晚于今天");
    }
    if f.confirm != "1" && f.confirm != "yes" {
        errs.push("确认办理", "请核对后勾选");
    }
    let (Some(change), Some(date), true) = (change, date, errs.is_empty()) else {
        let r = status_view(&s, &caller, &m, &f, &errs, None).await;
        return with_status(r, StatusCode::UNPROCESSABLE_ENTITY);
    };
    match store::member::change_status(&s.store, &scope, id, change, date, &f.reason, today()).await {
        Ok(_) => Redirect::to(&format!("/members/{id}?ok=status")).into_response(),
        Err(StoreError::Invalid(mut e)) => {
            for fe in e.0.iter_mut() {
                if matches!(fe.field, "转正日期" | "状态日期") {
                    fe.message = format!("{}{}", if fe.field == "转正日期" { "转正日期" } else { "" }, fe.message);
                    fe.field = "日期";
                }
            }
            let r = status_view(&s, &caller, &m, &f, &e, None).await;
            with_status(r, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(StoreError::Refused(r)) => {
            let r = status_view(&s, &caller, &m, &f, &FieldErrors::default(), Some(r)).await;
            with_status(r, StatusCode::CONFLICT)
        }
        Err(e) => caller.fail(e),
    }
}
