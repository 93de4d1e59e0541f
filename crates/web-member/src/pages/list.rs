//! 党员名册.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::member::{Category, Occupation, Status};
use serde::Deserialize;
use service::ServiceError;
use std::sync::Arc;
use store::member::{MemberFilter, MemberSort};
use store::StoreError;
use web_core::access::Perm;
use web_core::form::checked;
use web_core::pages::{render, urlencode};
use web_core::Shared;
use web_core::{Caller, Crumb, Nav};

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
#[template(path = "member/list.html")]
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
    picker: web_core::picker::OrgPicker,
}

/// The rows of a roster page, rendered on their own.
#[derive(Template)]
#[template(path = "member/rows_partial.html")]
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

/// A roster page's rows, rendered, with its count: kept in [`RosterPages`].
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

/// Member list pages, rendered, each kept while the roster's data generation is unchanged.
pub struct RosterPages(store::generation::Cache<RosterKey, Arc<RosterView>>);

impl Default for RosterPages {
    fn default() -> Self {
        RosterPages(store::generation::Cache::new(store::generation::Topic::Orgs, ROSTER_PAGES_KEPT))
    }
}

/// Why a roster page could not be shown.
enum RosterFail {
    Service(ServiceError),
    Render,
}

impl From<StoreError> for RosterFail {
    fn from(e: StoreError) -> Self {
        RosterFail::Service(e.into())
    }
}

impl From<ServiceError> for RosterFail {
    fn from(e: ServiceError) -> Self {
        RosterFail::Service(e)
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
    let scope = web_core::tri!(caller.require(Perm::ReadMembers));
    let org = match web_core::pages::org_param(&s, &caller, Perm::ReadMembers, &scope, &q.org).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let status = Status::from_code(&q.status).filter(|s| *s != Status::Normal);
    let former = status.is_some();
    let sort = MemberSort::from_code(&q.sort).unwrap_or_default();
    let desc = q.dir == "desc";
    let page_no = web_core::paging::asked(&q.page);
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
        .kept
        .get::<RosterPages>()
        .0
        .get_or_load(&s.store, caller.generations, key, || async {
            let page = web_core::paging::within(page_no, |p| {
                service::member::roster_lines(&s.store, &org, &filter, sort, desc, p, PER_PAGE)
            })
            .await?;
            Ok::<_, RosterFail>(Arc::new(roster_view(page, former)?))
        })
        .await;
    let view = match view {
        Ok(v) => v,
        Err(RosterFail::Service(e)) => return caller.fail(e),
        Err(RosterFail::Render) => return web_core::pages::render_failed(),
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
    // the organization is in hand: the picker needs no query, so a repeated view still needs none
    let picker = web_core::picker::OrgPicker::with(
        web_core::picker::Purpose::Members,
        "org",
        "哪个党组织的党员（含下级）",
        Some((org.id, org.name.clone(), String::new())),
        &filters,
    )
    .submitting();
    render(&MembersPage {
        picker,
        nav: caller.nav("members").crumbs(trail),
        org_id: org.id,
        org_name: org.name.clone(),
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
