//! The one organization picker every page that picks an organization uses: a partial for the
//! page's form (`templates/org_picker_partial.html`: the chosen organization with the names of
//! its parents, and a link to find another), and `GET /orgs/pick`, which answers
//!
//! - without JavaScript, a page: a search box (name or short name, several words narrow it) and
//!   every match with its parents, 20 a page with the count, each a link back to the page that
//!   asked, with the organization chosen;
//! - for the picker's own script (`assets/picker.js`, asking with `Accept: application/json`), the
//!   first matches as JSON, with "共 N 个，请输入更多字缩小范围" when there are more.
//!
//! Both read through [`service::org::pick`] in the caller's scope of the permission the asking
//! page acts under (`perm=`, a [`Purpose`]): an export picks among what the caller may export, a
//! meeting among the organizations that record organization life, a member's organization among
//! those that hold members. Nothing is cut silently: the count is always said, and every
//! organization of the scope can be reached by the words of its name or page by page.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use domain::org::Org;
use serde::Deserialize;
use service::org::{OrgPick, PickOf};

use crate::access::Perm;
use crate::auth::same_site_path;
use crate::pages::{render, urlencode};
use crate::{Caller, Crumb, Nav, Shared};

/// What the asking page acts under: the permission whose scope bounds the choice, and which
/// organizations it offers. Named in the URL (`/orgs/pick?perm=exchange`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Looking at organizations (查看党组织).
    Orgs,
    /// A change to the tree: a move's new parent (维护党组织).
    EditOrgs,
    /// The roster of an organization (查看党员名册).
    Members,
    /// A member's own organization: those that hold members (维护党员信息).
    MemberOrg,
    /// Import and export (导入导出).
    Exchange,
    /// Statistics (统计分析).
    Stats,
    /// Organization life to read: the calendar, compliance (查看组织生活).
    Life,
    /// Where a meeting is entered: those that record organization life (登记组织生活).
    RecordLife,
    /// Campaigns, demonstration sites and training to read (查看创建活动).
    Campaigns,
    /// Where a campaign is issued, a site named, a class held (管理创建活动).
    ManageCampaigns,
}

impl Purpose {
    pub const ALL: [Purpose; 10] = [
        Purpose::Orgs,
        Purpose::EditOrgs,
        Purpose::Members,
        Purpose::MemberOrg,
        Purpose::Exchange,
        Purpose::Stats,
        Purpose::Life,
        Purpose::RecordLife,
        Purpose::Campaigns,
        Purpose::ManageCampaigns,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Purpose::Orgs => "orgs",
            Purpose::EditOrgs => "edit_orgs",
            Purpose::Members => "members",
            Purpose::MemberOrg => "member_org",
            Purpose::Exchange => "exchange",
            Purpose::Stats => "stats",
            Purpose::Life => "life",
            Purpose::RecordLife => "record_life",
            Purpose::Campaigns => "campaigns",
            Purpose::ManageCampaigns => "manage_campaigns",
        }
    }

    /// The purpose named in a URL; looking at organizations when none is named.
    pub fn parse(s: &str) -> Option<Purpose> {
        match s.trim() {
            "" => Some(Purpose::Orgs),
            c => Purpose::ALL.into_iter().find(|p| p.code() == c),
        }
    }

    pub fn perm(self) -> Perm {
        match self {
            Purpose::Orgs => Perm::ReadOrgs,
            Purpose::EditOrgs => Perm::EditOrgs,
            Purpose::Members => Perm::ReadMembers,
            Purpose::MemberOrg => Perm::EditMembers,
            Purpose::Exchange => Perm::Exchange,
            Purpose::Stats => Perm::Stats,
            Purpose::Life => Perm::ReadLife,
            Purpose::RecordLife => Perm::RecordLife,
            Purpose::Campaigns => Perm::ReadCampaigns,
            Purpose::ManageCampaigns => Perm::ManageCampaigns,
        }
    }

    pub fn of(self) -> PickOf {
        match self {
            Purpose::MemberOrg => PickOf::HoldsMembers,
            Purpose::RecordLife => PickOf::RecordsLife,
            _ => PickOf::Any,
        }
    }
}

/// The names of an organization's parents as the picker shows them.
pub fn chain(parents: &[String]) -> String {
    parents.join(" › ")
}

/// The picker in a page's form (`{% include "org_picker_partial.html" %}` with the page's field
/// `picker`): the chosen organization (a hidden field `field` holds its id) and where to find
/// another.
pub struct OrgPicker {
    /// The form field that carries the organization's id.
    pub field: &'static str,
    pub label: String,
    pub required: bool,
    /// The chosen organization's id, or empty.
    pub value: String,
    pub chosen_name: String,
    /// The names of the chosen organization's parents the caller may see.
    pub chosen_path: String,
    /// The script's JSON endpoint (`/orgs/pick?perm=…`).
    pub endpoint: String,
    /// The page without JavaScript (`/orgs/pick?perm=…&field=…&back=…`).
    pub find_href: String,
    /// Submit the form as soon as an organization is chosen (pages that show one organization).
    pub submit: bool,
    /// The id of the form the value belongs to when the partial stands outside it (else empty).
    pub form: String,
    pub hint: String,
    pub error: String,
}

impl OrgPicker {
    /// A picker for the form field `field`, acting under `purpose`, with `chosen` chosen (read
    /// through the caller's scope by the page). `back` is the page to return to from the page
    /// without JavaScript: a path of this site, its query kept; the chosen id replaces `field`
    /// in it, or its `{id}` when it has one (`/orgs/{id}/life/new`). Reads the chosen
    /// organization's parents (one query).
    pub async fn new(
        s: &Shared,
        caller: &Caller,
        purpose: Purpose,
        field: &'static str,
        label: impl Into<String>,
        chosen: Option<&Org>,
        back: &str,
    ) -> OrgPicker {
        let chosen = match chosen {
            Some(o) => {
                let parents = service::org::ancestors(&s.store, caller, purpose.perm(), o.id).await.unwrap_or_default();
                let names: Vec<String> = parents.into_iter().filter(|p| p.id != o.id).map(|p| p.name).collect();
                Some((o.id, o.name.clone(), chain(&names)))
            }
            None => None,
        };
        OrgPicker::with(purpose, field, label, chosen, back)
    }

    /// [`OrgPicker::new`] with the chosen organization's (id, name, parents' names) already in
    /// hand: no query (for pages that serve a repeated view from memory).
    pub fn with(
        purpose: Purpose,
        field: &'static str,
        label: impl Into<String>,
        chosen: Option<(i64, String, String)>,
        back: &str,
    ) -> OrgPicker {
        let (value, chosen_name, chosen_path) = match chosen {
            Some((id, name, path)) => (id.to_string(), name, path),
            None => (String::new(), String::new(), String::new()),
        };
        OrgPicker {
            field,
            label: label.into(),
            required: true,
            value,
            chosen_name,
            chosen_path,
            endpoint: format!("/orgs/pick?perm={}", purpose.code()),
            find_href: format!(
                "/orgs/pick?perm={}&field={field}&back={}",
                purpose.code(),
                urlencode(same_site_path(back).unwrap_or("/"))
            ),
            submit: false,
            form: String::new(),
            hint: String::new(),
            error: String::new(),
        }
    }

    /// Submit the form as soon as an organization is chosen.
    pub fn submitting(mut self) -> Self {
        self.submit = true;
        self
    }

    /// The value belongs to the form with this id (the partial stands outside it).
    pub fn in_form(mut self, id: impl Into<String>) -> Self {
        self.form = id.into();
        self
    }

    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = h.into();
        self
    }

    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }
}

/// `back` with the organization `id` chosen: its `{id}` replaced, or the query parameter `field`
/// set (replacing one already there; the page number dropped, as the list changes).
pub fn back_with(back: &str, field: &str, id: i64) -> String {
    let back = same_site_path(back).unwrap_or("/");
    if back.contains("{id}") {
        return back.replace("{id}", &id.to_string());
    }
    let (path, query) = back.split_once('?').unwrap_or((back, ""));
    let (query, frag) = query.split_once('#').map(|(q, f)| (q, Some(f))).unwrap_or((query, None));
    let mut parts: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let k = p.split('=').next().unwrap_or("");
            k != field && k != "page"
        })
        .map(str::to_string)
        .collect();
    parts.push(format!("{field}={id}"));
    let mut out = format!("{path}?{}", parts.join("&"));
    if let Some(f) = frag {
        out.push('#');
        out.push_str(f);
    }
    out
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PickQuery {
    q: String,
    perm: String,
    page: String,
    field: String,
    back: String,
    format: String,
}

#[derive(Template)]
#[template(path = "org_pick.html")]
struct PickPage {
    nav: Nav,
    q: String,
    perm: &'static str,
    field: String,
    back: String,
    what: &'static str,
    pick: OrgPick,
    rows: Vec<PickRow>,
    prev_href: String,
    next_href: String,
}

struct PickRow {
    name: String,
    short_name: String,
    kind: &'static str,
    parents: String,
    href: String,
}

/// A form field's name: a few lower-case letters and underscores, `org` otherwise.
fn field_name(s: &str) -> String {
    let ok = !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    if ok {
        s.to_string()
    } else {
        "org".to_string()
    }
}

fn wants_json(q: &PickQuery, headers: &HeaderMap) -> bool {
    q.format == "json"
        || headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"))
}

/// GET /orgs/pick: the picker's matches (see the module's documentation).
pub async fn pick(State(s): State<Shared>, caller: Caller, headers: HeaderMap, Query(q): Query<PickQuery>) -> Response {
    let Some(purpose) = Purpose::parse(&q.perm) else { return caller.not_found() };
    let page = crate::paging::asked(&q.page);
    let read = |p| service::org::pick(&s.store, &caller, purpose.perm(), &q.q, purpose.of(), p);
    let found = match crate::paging::within(page, read).await {
        Ok(f) => f,
        Err(e) => return caller.fail(e),
    };
    if wants_json(&q, &headers) {
        let items: Vec<serde_json::Value> = found
            .items
            .iter()
            .map(|p| {
                serde_json::json!({
                    "id": p.org.id,
                    "name": p.org.name,
                    "short_name": p.org.short_name,
                    "kind": p.org.kind.label(),
                    "parents": p.parents,
                    "path": chain(&p.parents),
                })
            })
            .collect();
        let body = serde_json::json!({
            "total": found.total,
            "page": found.page,
            "pages": found.pages,
            "more": found.more(),
            "items": items,
        });
        return (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            body.to_string(),
        )
            .into_response();
    }
    let field = field_name(&q.field);
    let back = same_site_path(&q.back).unwrap_or("").to_string();
    let rows = found
        .items
        .iter()
        .map(|p| PickRow {
            name: p.org.name.clone(),
            short_name: p.org.short_name.clone().unwrap_or_default(),
            kind: p.org.kind.label(),
            parents: chain(&p.parents),
            href: if back.is_empty() { format!("/orgs/{}", p.org.id) } else { back_with(&back, &field, p.org.id) },
        })
        .collect();
    let link = |page: i64| {
        format!(
            "/orgs/pick?perm={}&field={field}&back={}&q={}&page={page}",
            purpose.code(),
            urlencode(&back),
            urlencode(q.q.trim())
        )
    };
    let prev_href = if found.page > 1 { link(found.page - 1) } else { String::new() };
    let next_href = if found.page < found.pages { link(found.page + 1) } else { String::new() };
    let what = match purpose.of() {
        PickOf::Any => "党组织",
        PickOf::HoldsMembers => "党员所在的党支部、党小组",
        PickOf::RecordsLife => "登记组织生活的党组织",
    };
    render(&PickPage {
        nav: caller.nav("orgs").crumbs(vec![Crumb::new("", "选择党组织")]),
        q: q.q.trim().to_string(),
        perm: purpose.code(),
        field,
        back,
        what,
        pick: found,
        rows,
        prev_href,
        next_href,
    })
}

const SCRIPT: &str = include_str!("../assets/picker.js");

/// GET /assets/picker.js: the picker's type-ahead (our own, no third-party code).
pub async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], SCRIPT)
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_with_the_choice() {
        assert_eq!(back_with("/export?what=orgs&org=3", "org", 7), "/export?what=orgs&org=7");
        assert_eq!(back_with("/stats", "org", 7), "/stats?org=7");
        assert_eq!(back_with("/members?q=张&page=3&org=1", "org", 9), "/members?q=张&org=9");
        assert_eq!(back_with("/orgs/{id}/life/new", "org", 5), "/orgs/5/life/new");
        assert_eq!(back_with("//evil.example/x", "org", 5), "/?org=5");
        assert_eq!(back_with("/members/4/edit?x=1#branch", "org_id", 5), "/members/4/edit?x=1&org_id=5#branch");
    }

    #[test]
    fn purposes_round_trip() {
        for p in Purpose::ALL {
            assert_eq!(Purpose::parse(p.code()), Some(p));
        }
        assert_eq!(Purpose::parse(""), Some(Purpose::Orgs));
        assert_eq!(Purpose::parse("audit"), None);
        assert_eq!(field_name("org\"><script>"), "org");
        assert_eq!(field_name("parent"), "parent");
    }
}
