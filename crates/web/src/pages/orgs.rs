//! 组织树 and 党组织详情; create, edit, move, dissolve. Also the form helpers the member pages share
//! ([`Field`], [`attach_errors`]).

use std::collections::HashSet;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Form;
use domain::org::{Facility, FacilityKind, FacilityStatus, FormedBy, Org, OrgInput, OrgKind, Sector};
use domain::rules::{self, OrgFacts};
use domain::FieldErrors;
use serde::Deserialize;
use store::org::Node;
use store::stats::Counts;
use store::StoreError;

use super::{render, sev_code, today, FindingRow};
use crate::access::Perm;
use crate::routes::{Routes, Target};
use crate::Shared;
use crate::{Caller, Crumb, Nav};

pub(super) fn routes(r: Routes) -> Routes {
    r.add("GET", "/orgs", Target::OrgQuery, get(orgs))
        .add("GET", "/orgs/{id}", Target::Org, get(org))
        .add("GET,POST", "/orgs/{id}/new", Target::Org, get(new_page).post(new_post))
        .add("GET,POST", "/orgs/{id}/edit", Target::Org, get(edit_page).post(edit_post))
        .add("GET,POST", "/orgs/{id}/move", Target::Org, get(move_page).post(move_post))
        .add("GET,POST", "/orgs/{id}/dissolve", Target::Org, get(dissolve_page).post(dissolve_post))
}

// ---------------------------------------------------------------------------------------------
// Form helpers, shared with the member pages.

/// One field of a form as `org_fields.html` draws it. `label` is the domain's field label, so a
/// [`FieldErrors`] entry lands beside its field.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    /// `text`, `date`, `number`, `tel`, `select`, `check`, `textarea`.
    pub kind: &'static str,
    pub value: String,
    /// (code, label) choices of a select.
    pub options: Vec<(String, String)>,
    pub required: bool,
    pub readonly: bool,
    pub wide: bool,
    pub hint: String,
    pub error: Option<String>,
    /// A heading shown before this field (starts a group).
    pub section: &'static str,
}

impl Field {
    pub fn new(name: &'static str, label: &'static str, kind: &'static str, value: impl Into<String>) -> Self {
        Field {
            name,
            label,
            kind,
            value: value.into(),
            options: Vec::new(),
            required: false,
            readonly: false,
            wide: false,
            hint: String::new(),
            error: None,
            section: "",
        }
    }
    pub fn select(name: &'static str, label: &'static str, value: &str, options: Vec<(String, String)>) -> Self {
        Field { options, ..Field::new(name, label, "select", value) }
    }
    pub fn req(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = h.into();
        self
    }
    pub fn wide(mut self) -> Self {
        self.wide = true;
        self
    }
    pub fn readonly(mut self) -> Self {
        self.readonly = true;
        self
    }
    pub fn section(mut self, s: &'static str) -> Self {
        self.section = s;
        self
    }
    /// The HTML input type: a date field whose value is not ISO (typed otherwise) stays text so
    /// the browser keeps showing what was typed.
    pub fn input_type(&self) -> &'static str {
        match self.kind {
            "date" if self.value.is_empty() || self.value.parse::<chrono::NaiveDate>().is_ok() => "date",
            "date" => "text",
            "number" => "text",
            k => k,
        }
    }
    pub fn numeric(&self) -> bool {
        self.kind == "number"
    }
}

/// Choices for a select from (code, label) pairs, with an empty first choice when `empty` is given.
pub fn options(
    pairs: impl Iterator<Item = (&'static str, &'static str)>,
    empty: Option<&'static str>,
) -> Vec<(String, String)> {
    empty.map(|e| (String::new(), e.to_string())).into_iter().chain(pairs.map(|(c, l)| (c.into(), l.into()))).collect()
}

/// Put each error beside the field with its label; the rest are returned (shown above the form).
pub fn attach_errors(fields: &mut [Field], errs: &FieldErrors) -> Vec<String> {
    let mut rest = Vec::new();
    for e in &errs.0 {
        match fields.iter_mut().find(|f| f.label == e.field) {
            Some(f) => match &mut f.error {
                Some(m) => {
                    m.push('；');
                    m.push_str(&e.message);
                }
                None => f.error = Some(e.message.clone()),
            },
            None => rest.push(e.to_string()),
        }
    }
    rest
}

/// Parse an optional date field; a problem is reported under `label`.
pub fn opt_date(raw: &str, label: &'static str, errs: &mut FieldErrors) -> Option<chrono::NaiveDate> {
    if raw.trim().is_empty() {
        return None;
    }
    match domain::dates::parse_date(raw) {
        Ok(d) => Some(d),
        Err(m) => {
            errs.push(label, m);
            None
        }
    }
}

fn opt_int<T: std::str::FromStr>(raw: &str, label: &'static str, what: &str, errs: &mut FieldErrors) -> Option<T> {
    let t = domain::member::normalize_text(raw).replace([',', '，'], "");
    if t.is_empty() {
        return None;
    }
    match t.parse::<T>() {
        Ok(v) => Some(v),
        Err(_) => {
            errs.push(label, format!("“{t}”不是{what}"));
            None
        }
    }
}

/// A checkbox's value as sent by a browser.
pub fn checked(v: &str) -> bool {
    matches!(v, "1" | "on" | "yes" | "true")
}

/// Drop the domain's errors for fields that already failed to parse (their message says more).
pub fn merge_errors(parse: FieldErrors, domain: FieldErrors) -> FieldErrors {
    let mut out = parse.clone();
    out.0.extend(domain.0.into_iter().filter(|e| !parse.has(e.field)));
    out
}

/// A response with another status.
pub fn with_status(mut r: Response, status: StatusCode) -> Response {
    if r.status() == StatusCode::OK {
        *r.status_mut() = status;
    }
    r
}

/// The success notice for `?ok=`.
pub fn ok_notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "已新建党组织。",
        "saved" => "已保存。",
        "moved" => "已转移。本组织及其下级组织、党员已一并转到新的上级党组织之下。",
        "dissolved" => "已撤销党组织。",
        "member_created" => "已新增党员。",
        "status" => "已办理党籍变更。",
        _ => return None,
    })
}

/// A value kept from a masked field: when the submitted value is the mask of the stored one
/// (unchanged), the stored value stays.
pub fn unmasked_or(submitted: &str, stored: Option<&str>, mask: fn(&str) -> String) -> String {
    match stored {
        Some(s) if submitted.trim() == mask(s) => s.to_string(),
        _ => submitted.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// 组织树

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrgsQuery {
    root: String,
    /// Ids of the expanded organizations, comma separated.
    open: String,
    q: String,
}

pub struct TreeRow {
    id: i64,
    name: String,
    kind: &'static str,
    /// Indent in rem.
    indent: f32,
    total: i64,
    full: i64,
    probationary: i64,
    children: i64,
    open: bool,
    /// The link that expands or collapses this row.
    toggle: String,
    /// The parent's name (search results).
    parent: String,
}

#[derive(Template)]
#[template(path = "orgs.html")]
struct OrgsPage {
    nav: Nav,
    root_id: i64,
    root_name: String,
    q: String,
    open: String,
    rows: Vec<TreeRow>,
    truncated: bool,
    /// Several top organizations (no root chosen).
    forest: bool,
}

const TREE_ROWS: usize = 500;
const SEARCH_ROWS: usize = 200;
const MAX_OPEN: usize = 60;

fn open_list(ids: &[i64]) -> String {
    ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

pub async fn orgs(State(s): State<Shared>, caller: Caller, Query(q): Query<OrgsQuery>) -> Response {
    let scope = crate::tri!(caller.require(Perm::ReadOrgs));
    let tops: Vec<Org> = match q.root.trim() {
        "" => caller.roots_for(Perm::ReadOrgs),
        r => match r.parse::<i64>() {
            Ok(id) => match store::org::get(&s.store, &scope, id).await {
                Ok(o) => vec![o],
                Err(e) => return caller.fail(e),
            },
            Err(_) => return caller.not_found(),
        },
    };
    let Some(first) = tops.first().cloned() else { return caller.not_found() };
    let forest = tops.len() > 1;
    let search = domain::member::normalize_text(&q.q);
    let mut open: Vec<i64> = q.open.split(',').filter_map(|x| x.trim().parse().ok()).collect();
    open.dedup();
    open.truncate(MAX_OPEN);
    let open_set: HashSet<i64> = open.iter().copied().collect();
    let root_param = if forest { String::new() } else { first.id.to_string() };
    let mut rows = Vec::new();
    let mut truncated = false;
    if search.is_empty() {
        // depth-first: each top with its children, and the children of every open row
        let mut out: Vec<(Node, usize)> = Vec::new();
        for top in &tops {
            let mut stack: Vec<(Node, usize)> = Vec::new();
            let nodes = match store::org::subtree(&s.store, &scope, top.id, Some(1)).await {
                Ok(n) => n,
                Err(e) => return caller.fail(e),
            };
            let mut it = nodes.into_iter();
            let Some(head) = it.next() else { continue };
            let show_kids = !forest || open_set.contains(&head.org.id);
            out.push((head, 0));
            if show_kids {
                stack.extend(it.rev().map(|n| (n, 1)));
            }
            while let Some((n, lvl)) = stack.pop() {
                if out.len() >= TREE_ROWS {
                    truncated = true;
                    break;
                }
                let id = n.org.id;
                out.push((n, lvl));
                if open_set.contains(&id) {
                    match store::org::subtree(&s.store, &scope, id, Some(1)).await {
                        Ok(kids) => stack.extend(kids.into_iter().skip(1).rev().map(|k| (k, lvl + 1))),
                        Err(e) => return caller.fail(e),
                    }
                }
            }
        }
        let ids: Vec<i64> = out.iter().map(|(n, _)| n.org.id).collect();
        let kids = store::org::child_counts(&s.store, &scope, &ids).await.unwrap_or_default();
        for (n, lvl) in out {
            let children = kids.get(&n.org.id).copied().unwrap_or(0);
            let is_top = lvl == 0 && !forest;
            let is_open = is_top || open_set.contains(&n.org.id);
            let toggled: Vec<i64> = if is_open {
                open.iter().copied().filter(|i| *i != n.org.id).collect()
            } else {
                open.iter().copied().chain([n.org.id]).collect()
            };
            let toggle = if is_top || children == 0 {
                String::new()
            } else {
                format!("/orgs?root={root_param}&open={}#o{}", open_list(&toggled), n.org.id)
            };
            rows.push(tree_row(&n, lvl, children, is_open, toggle, String::new()));
        }
    } else {
        let mut found: Vec<Node> = Vec::new();
        for top in &tops {
            match store::org::search_nodes(&s.store, &scope, top.id, &search, (SEARCH_ROWS + 1) as i64).await {
                Ok(f) => found.extend(f),
                Err(e) => return caller.fail(e),
            }
        }
        truncated = found.len() > SEARCH_ROWS;
        found.truncate(SEARCH_ROWS);
        let parent_ids: Vec<i64> = found.iter().filter_map(|n| n.org.parent_id).collect();
        let names = store::org::names(&s.store, &scope, &parent_ids).await.unwrap_or_default();
        for n in &found {
            let parent = n.org.parent_id.and_then(|p| names.get(&p).cloned()).unwrap_or_default();
            rows.push(tree_row(n, 0, 0, false, String::new(), parent));
        }
    }
    let mut trail = vec![Crumb::new("/orgs", "组织树")];
    if !forest && q.root.trim().parse::<i64>().is_ok() {
        let ancestors = store::org::ancestors(&s.store, &scope, first.id).await.unwrap_or_default();
        trail.extend(ancestors.into_iter().map(|o| Crumb::new(format!("/orgs?root={}", o.id), o.name)));
        trail.push(Crumb::new("", first.name.clone()));
    }
    render(&OrgsPage {
        nav: caller.nav("orgs").crumbs(trail),
        root_id: if forest { 0 } else { first.id },
        root_name: if forest { format!("{} 个组织", tops.len()) } else { first.name.clone() },
        q: search,
        open: open_list(&open),
        rows,
        truncated,
        forest,
    })
}

fn tree_row(n: &Node, lvl: usize, children: i64, open: bool, toggle: String, parent: String) -> TreeRow {
    TreeRow {
        id: n.org.id,
        name: n.org.name.clone(),
        kind: n.org.kind.label(),
        indent: 0.5 + lvl as f32 * 1.4,
        total: n.counts.total,
        full: n.counts.full_members,
        probationary: n.counts.probationary,
        children,
        open,
        toggle,
        parent,
    }
}

// ---------------------------------------------------------------------------------------------
// 党组织详情

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrgQuery {
    ok: String,
    /// Page of the children list.
    cpage: String,
}

pub struct ChildRow {
    id: i64,
    name: String,
    kind: &'static str,
    total: i64,
    full: i64,
}

pub struct MemberLine {
    id: i64,
    name: String,
    sex: &'static str,
    category: &'static str,
    join_date: String,
    org_id: i64,
    org_name: String,
}

pub struct FacilityRow {
    label: &'static str,
    status: String,
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    nav: Nav,
    id: i64,
    name: String,
    notice: Option<&'static str>,
    counts: Counts,
    fields: Vec<(&'static str, String)>,
    facilities: Vec<FacilityRow>,
    term: String,
    term_notice: Option<(&'static str, String)>,
    findings: Vec<FindingRow>,
    children: Vec<ChildRow>,
    children_total: usize,
    cpage: usize,
    cpages: usize,
    show_members: bool,
    members: Vec<MemberLine>,
    members_total: i64,
    more_members: bool,
    show_stats: bool,
    can_create: bool,
    can_edit: bool,
    /// Move and dissolve: editable and not the top of the caller's own grant.
    can_restructure: bool,
    can_add_member: bool,
    /// 会议记录 of the organization, and 登记会议 where it records its own.
    show_life: bool,
    can_record_life: bool,
    focused: bool,
    /// Offer 设为当前范围 (not for the caller's only top organization).
    can_focus: bool,
    /// A 党组 whose 党建工作分工 the caller may read.
    show_divisions: bool,
}

const CHILDREN_PER_PAGE: usize = 50;

pub async fn org(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>, Query(q): Query<OrgQuery>) -> Response {
    let (scope, o) = crate::tri!(caller.org(&s.store, Perm::ReadOrgs, id).await);
    let nodes = match store::org::subtree(&s.store, &scope, id, Some(1)).await {
        Ok(n) => n,
        Err(e) => return caller.fail(e),
    };
    let counts = nodes.first().map(|n| n.counts).unwrap_or_default();
    let ancestors = store::org::ancestors(&s.store, &scope, id).await.unwrap_or_default();
    let children_total = nodes.len().saturating_sub(1);
    let cpages = children_total.div_ceil(CHILDREN_PER_PAGE).max(1);
    let cpage = q.cpage.parse::<usize>().unwrap_or(1).clamp(1, cpages);
    let children = nodes
        .iter()
        .skip(1 + (cpage - 1) * CHILDREN_PER_PAGE)
        .take(CHILDREN_PER_PAGE)
        .map(|n| ChildRow {
            id: n.org.id,
            name: n.org.name.clone(),
            kind: n.org.kind.label(),
            total: n.counts.total,
            full: n.counts.full_members,
        })
        .collect();
    let today = today();
    let facts = OrgFacts {
        kind: o.kind,
        has_committee: o.has_committee,
        term_end: o.term_end,
        full_members: counts.full_members,
        subtree_members: counts.total,
    };
    let all_findings = rules::check_structure(&facts, today);
    let term_notice = all_findings.iter().find(|f| f.rule_id.starts_with("TERM")).map(|f| {
        let cls = if f.severity == rules::Severity::Error { "err" } else { "warn" };
        (cls, f.message.clone())
    });
    let findings = all_findings
        .into_iter()
        .map(|f| FindingRow {
            severity: f.severity.label(),
            severity_code: sev_code(f.severity),
            rule_id: f.rule_id,
            source: f.source,
            org_id: o.id,
            org_name: o.name.clone(),
            message: f.message,
        })
        .collect();
    let term = match (o.term_number, o.term_start, o.term_end) {
        (None, None, None) => "未登记".to_string(),
        (n, s, e) => format!(
            "{}{}{}",
            n.map(|n| format!("第{n}届 ")).unwrap_or_default(),
            s.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            e.map(|d| format!(" 至 {d}")).unwrap_or_default()
        ),
    };
    let facilities = FacilityKind::ALL
        .iter()
        .map(|k| FacilityRow {
            label: k.label(),
            status: o
                .facilities
                .iter()
                .find(|f| f.kind == *k)
                .map(|f| format!("{}{}", f.status.label(), f.year.map(|y| format!("（{y} 年）")).unwrap_or_default()))
                .unwrap_or_else(|| "未登记".into()),
        })
        .collect();
    let fields: Vec<(&str, String)> =
        o.describe().into_iter().filter(|(k, _)| !matches!(*k, "ID" | "组织名称" | "届次" | "阵地设施")).collect();
    let show_members = caller.can_at(Perm::ReadMembers, &o.path);
    let (members, members_total) = if show_members {
        let mscope = caller.scope_for(Perm::ReadMembers);
        match store::member::list(&s.store, &mscope, id, &Default::default(), 1, 20).await {
            Ok(p) => {
                let ids: Vec<i64> = p.items.iter().map(|m| m.org_id).collect();
                let names = store::org::names(&s.store, &mscope, &ids).await.unwrap_or_default();
                let rows = p
                    .items
                    .iter()
                    .map(|m| MemberLine {
                        id: m.id,
                        name: m.name.clone(),
                        sex: m.sex.label(),
                        category: m.category.label(),
                        join_date: m.join_date.to_string(),
                        org_id: m.org_id,
                        org_name: names.get(&m.org_id).cloned().unwrap_or_default(),
                    })
                    .collect();
                (rows, p.total)
            }
            Err(e) => return caller.fail(e),
        }
    } else {
        (Vec::new(), 0)
    };
    let can_edit = caller.can_at(Perm::EditOrgs, &o.path);
    let mut trail = vec![Crumb::new("/orgs", "组织树")];
    trail.extend(ancestors.iter().map(|a| Crumb::new(format!("/orgs/{}", a.id), a.name.clone())));
    trail.push(Crumb::new("", o.name.clone()));
    render(&OrgPage {
        nav: caller.nav("orgs").crumbs(trail),
        id,
        name: o.name.clone(),
        notice: ok_notice(&q.ok),
        counts,
        fields,
        facilities,
        term,
        term_notice,
        findings,
        children,
        children_total,
        cpage,
        cpages,
        show_members,
        more_members: members_total > members.len() as i64,
        members,
        members_total,
        show_stats: caller.can_at(Perm::Stats, &o.path),
        can_create: can_edit && OrgKind::ALL.iter().any(|k| o.kind.allows_child(*k)),
        can_edit,
        can_restructure: can_edit && !top_of_grant(&caller, &o),
        can_add_member: caller.can_at(Perm::EditMembers, &o.path) && o.kind.holds_members(),
        show_life: caller.can_at(Perm::ReadLife, &o.path),
        can_record_life: caller.can_at(Perm::RecordLife, &o.path) && super::life::records_life(o.kind),
        focused: caller.focus.as_ref().is_some_and(|f| f.id == id),
        can_focus: !(caller.all_roots.len() == 1 && caller.all_roots[0].id == id),
        show_divisions: o.kind == OrgKind::LeadingGroup && caller.can_at(Perm::ReadLife, &o.path),
    })
}

/// Is this organization the top of one of the caller's EditOrgs grants (moving or dissolving it
/// would take it out of the caller's own scope)?
fn top_of_grant(caller: &Caller, o: &Org) -> bool {
    match domain::path::parent(&o.path) {
        Some(p) => !caller.can_at(Perm::EditOrgs, p),
        None => true,
    }
}

const TOP_OF_GRANT: &str =
    "这是您管理范围的顶层党组织，转移或撤销后它将离开您的管理范围。如确需办理，请由上级党组织的管理员操作。";

// ---------------------------------------------------------------------------------------------
// Create and edit

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrgForm {
    csrf: String,
    name: String,
    short_name: String,
    kind: String,
    sector: String,
    region_code: String,
    formed_by: String,
    founded_on: String,
    has_committee: String,
    term_number: String,
    term_start: String,
    term_end: String,
    secretary: String,
    contact_phone: String,
    address: String,
    annual_funds: String,
    fac_service_center: String,
    fac_service_center_year: String,
    fac_service_station: String,
    fac_service_station_year: String,
    fac_activity_venue: String,
    fac_activity_venue_year: String,
    fac_remote_education: String,
    fac_remote_education_year: String,
    fac_livelihood_station: String,
    fac_livelihood_station_year: String,
}

impl OrgForm {
    fn facility(&self, k: FacilityKind) -> (&str, &str) {
        match k {
            FacilityKind::ServiceCenter => (&self.fac_service_center, &self.fac_service_center_year),
            FacilityKind::ServiceStation => (&self.fac_service_station, &self.fac_service_station_year),
            FacilityKind::ActivityVenue => (&self.fac_activity_venue, &self.fac_activity_venue_year),
            FacilityKind::RemoteEducation => (&self.fac_remote_education, &self.fac_remote_education_year),
            FacilityKind::LivelihoodStation => (&self.fac_livelihood_station, &self.fac_livelihood_station_year),
        }
    }
    fn set_facility(&mut self, k: FacilityKind, status: String, year: String) {
        let (s, y) = match k {
            FacilityKind::ServiceCenter => (&mut self.fac_service_center, &mut self.fac_service_center_year),
            FacilityKind::ServiceStation => (&mut self.fac_service_station, &mut self.fac_service_station_year),
            FacilityKind::ActivityVenue => (&mut self.fac_activity_venue, &mut self.fac_activity_venue_year),
            FacilityKind::RemoteEducation => (&mut self.fac_remote_education, &mut self.fac_remote_education_year),
            FacilityKind::LivelihoodStation => {
                (&mut self.fac_livelihood_station, &mut self.fac_livelihood_station_year)
            }
        };
        *s = status;
        *y = year;
    }

    /// The form of a stored organization (the contact phone masked).
    fn of(o: &Org) -> Self {
        let d = |v: Option<chrono::NaiveDate>| v.map(|d| d.to_string()).unwrap_or_default();
        let mut f = OrgForm {
            name: o.name.clone(),
            short_name: o.short_name.clone().unwrap_or_default(),
            kind: o.kind.code().into(),
            sector: o.sector.code().into(),
            region_code: o.region_code.clone().unwrap_or_default(),
            formed_by: o.formed_by.code().into(),
            founded_on: d(o.founded_on),
            has_committee: if o.has_committee { "1".into() } else { String::new() },
            term_number: o.term_number.map(|n| n.to_string()).unwrap_or_default(),
            term_start: d(o.term_start),
            term_end: d(o.term_end),
            secretary: o.secretary.clone().unwrap_or_default(),
            contact_phone: o.contact_phone.as_deref().map(domain::mask::phone).unwrap_or_default(),
            address: o.address.clone().unwrap_or_default(),
            annual_funds: o.annual_funds.map(|n| n.to_string()).unwrap_or_default(),
            ..Default::default()
        };
        for fac in &o.facilities {
            f.set_facility(fac.kind, fac.status.code().into(), fac.year.map(|y| y.to_string()).unwrap_or_default());
        }
        f
    }

    /// The input, and the problems of parsing it (dates, numbers, choices).
    fn input(&self, stored_phone: Option<&str>) -> (OrgInput, FieldErrors) {
        let mut errs = FieldErrors::default();
        let text = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
        let mut facilities = Vec::new();
        for k in FacilityKind::ALL {
            let (st, y) = self.facility(*k);
            let year = opt_int::<i32>(y, "阵地设施", "年份", &mut errs);
            match FacilityStatus::from_code(st) {
                Some(status) => facilities.push(Facility { kind: *k, status, year }),
                None if year.is_some() => errs.push("阵地设施", format!("填写了{}的年份，请选择规划或建成", k.label())),
                None => {}
            }
        }
        let phone = unmasked_or(&self.contact_phone, stored_phone, domain::mask::phone);
        let input = OrgInput {
            name: self.name.clone(),
            short_name: text(&self.short_name),
            kind: OrgKind::from_code(&self.kind),
            sector: Sector::from_code(&self.sector),
            region_code: text(&self.region_code),
            formed_by: FormedBy::from_code(&self.formed_by),
            founded_on: opt_date(&self.founded_on, "成立日期", &mut errs),
            has_committee: checked(&self.has_committee),
            term_number: opt_int(&self.term_number, "届次", "整数", &mut errs),
            term_start: opt_date(&self.term_start, "届期开始", &mut errs),
            term_end: opt_date(&self.term_end, "届期结束", &mut errs),
            secretary: text(&self.secretary),
            contact_phone: text(&phone),
            address: text(&self.address),
            annual_funds: opt_int(&self.annual_funds, "年度运转经费", "整数（元）", &mut errs),
            facilities,
        };
        (input, errs)
    }

    fn fields(&self, kinds: &[OrgKind]) -> Vec<Field> {
        vec![
            Field::new("name", "组织名称", "text", &self.name).req().wide().section("基本情况"),
            Field::new("short_name", "简称", "text", &self.short_name),
            Field::select(
                "kind",
                "组织类别",
                &self.kind,
                options(kinds.iter().map(|k| (k.code(), k.label())), Some("请选择")),
            )
            .req(),
            Field::select(
                "sector",
                "所属领域",
                &self.sector,
                options(Sector::ALL.iter().map(|k| (k.code(), k.label())), Some("请选择（默认：其他）")),
            ),
            Field::select(
                "formed_by",
                "组建方式",
                &self.formed_by,
                options(FormedBy::ALL.iter().map(|k| (k.code(), k.label())), None),
            ),
            Field::new("region_code", "行政区划代码", "text", &self.region_code).hint("6 位 GB/T 2260 代码，如 520302"),
            Field::new("founded_on", "成立日期", "date", &self.founded_on),
            Field::new("has_committee", "支部委员会", "check", &self.has_committee)
                .hint("已设立委员会（党委、总支、支委会）"),
            Field::new("term_number", "届次", "number", &self.term_number).section("届期").hint("如 3（第三届）"),
            Field::new("term_start", "届期开始", "date", &self.term_start),
            Field::new("term_end", "届期结束", "date", &self.term_end).hint("不填时按组织类别和领域的任期自动推算"),
            Field::new("secretary", "书记", "text", &self.secretary).section("联系与保障"),
            Field::new("contact_phone", "联系电话", "tel", &self.contact_phone)
                .hint("显示为脱敏号码；不修改则保持原号码"),
            Field::new("annual_funds", "年度运转经费", "number", &self.annual_funds).hint("单位：元"),
            Field::new("address", "地址", "text", &self.address).wide(),
        ]
    }

    fn facility_rows(&self, kinds_error: bool) -> Vec<FacilityInput> {
        FacilityKind::ALL
            .iter()
            .map(|k| {
                let (st, y) = self.facility(*k);
                FacilityInput {
                    code: k.code(),
                    label: k.label(),
                    status: st.to_string(),
                    year: y.to_string(),
                    error: kinds_error,
                }
            })
            .collect()
    }
}

pub struct FacilityInput {
    code: &'static str,
    label: &'static str,
    status: String,
    year: String,
    error: bool,
}

#[derive(Template)]
#[template(path = "org_form.html")]
struct OrgFormPage {
    nav: Nav,
    title: String,
    action: String,
    cancel: String,
    fields: Vec<Field>,
    facilities: Vec<FacilityInput>,
    facility_statuses: Vec<(String, String)>,
    facility_error: Option<String>,
    others: Vec<String>,
    refusal: Option<String>,
    error_count: usize,
    show_form: bool,
}

#[allow(clippy::too_many_arguments)]
fn org_form_page(
    caller: &Caller,
    trail: Vec<Crumb>,
    title: String,
    action: String,
    cancel: String,
    form: &OrgForm,
    kinds: &[OrgKind],
    errs: &FieldErrors,
    refusal: Option<String>,
) -> Response {
    let mut fields = form.fields(kinds);
    let mut others = attach_errors(&mut fields, errs);
    let fac: Vec<String> =
        errs.0.iter().filter(|e| e.field == "阵地设施").map(|e| e.message.clone()).collect::<Vec<_>>();
    others.retain(|m| !m.starts_with("阵地设施："));
    let facility_error = if fac.is_empty() { None } else { Some(fac.join("；")) };
    render(&OrgFormPage {
        nav: caller.nav("orgs").crumbs(trail),
        title,
        action,
        cancel,
        error_count: errs.0.len(),
        show_form: !kinds.is_empty(),
        fields,
        facilities: form.facility_rows(facility_error.is_some()),
        facility_statuses: options(FacilityStatus::ALL.iter().map(|k| (k.code(), k.label())), Some("未建")),
        facility_error,
        others,
        refusal,
    })
}

async fn org_trail(s: &Shared, caller: &Caller, o: &Org, last: &str) -> Vec<Crumb> {
    let ancestors = store::org::ancestors(&s.store, &caller.scope, o.id).await.unwrap_or_default();
    let mut trail = vec![Crumb::new("/orgs", "组织树")];
    trail.extend(ancestors.into_iter().map(|a| Crumb::new(format!("/orgs/{}", a.id), a.name)));
    trail.push(Crumb::new(format!("/orgs/{}", o.id), o.name.clone()));
    trail.push(Crumb::new("", last));
    trail
}

fn child_kinds(parent: &Org) -> Vec<OrgKind> {
    OrgKind::ALL.iter().copied().filter(|k| parent.kind.allows_child(*k)).collect()
}

pub async fn new_page(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let (_, parent) = crate::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    let kinds = child_kinds(&parent);
    let trail = org_trail(&s, &caller, &parent, "新建下级组织").await;
    let refusal = kinds.is_empty().then(|| format!("{}（{}）下不能设立下级党组织。", parent.name, parent.kind.label()));
    let form = OrgForm { kind: kinds.first().map(|k| k.code().to_string()).unwrap_or_default(), ..Default::default() };
    org_form_page(
        &caller,
        trail,
        format!("在“{}”下新建党组织", parent.name),
        format!("/orgs/{id}/new"),
        format!("/orgs/{id}"),
        &form,
        &kinds,
        &FieldErrors::default(),
        refusal,
    )
}

pub async fn new_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<OrgForm>,
) -> Response {
    let (scope, parent) = crate::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    crate::tri!(caller.check_csrf(&f.csrf));
    let kinds = child_kinds(&parent);
    let (input, parse_errs) = f.input(None);
    let today = today();
    let result = match input.validate(today) {
        Err(e) => Err(StoreError::Invalid(merge_errors(parse_errs, e))),
        Ok(_) if !parse_errs.is_empty() => Err(StoreError::Invalid(parse_errs)),
        Ok(_) => store::org::create(&s.store, &scope, Some(id), &input, today).await,
    };
    match result {
        Ok(o) => Redirect::to(&format!("/orgs/{}?ok=created", o.id)).into_response(),
        Err(StoreError::Invalid(errs)) => {
            let trail = org_trail(&s, &caller, &parent, "新建下级组织").await;
            let page = org_form_page(
                &caller,
                trail,
                format!("在“{}”下新建党组织", parent.name),
                format!("/orgs/{id}/new"),
                format!("/orgs/{id}"),
                &f,
                &kinds,
                &errs,
                None,
            );
            with_status(page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(StoreError::Refused(m)) => {
            let trail = org_trail(&s, &caller, &parent, "新建下级组织").await;
            let page = org_form_page(
                &caller,
                trail,
                format!("在“{}”下新建党组织", parent.name),
                format!("/orgs/{id}/new"),
                format!("/orgs/{id}"),
                &f,
                &kinds,
                &FieldErrors::default(),
                Some(m),
            );
            with_status(page, StatusCode::CONFLICT)
        }
        Err(e) => caller.fail(e),
    }
}

/// The kinds an organization may be changed to under its parent (all when the parent is outside
/// the caller's view; the store checks).
async fn edit_kinds(s: &Shared, caller: &Caller, o: &Org) -> Vec<OrgKind> {
    let parent = match o.parent_id {
        Some(p) => store::org::get(&s.store, &caller.scope, p).await.ok(),
        None => None,
    };
    match parent {
        Some(p) => child_kinds(&p),
        None => OrgKind::ALL.to_vec(),
    }
}

pub async fn edit_page(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let (_, o) = crate::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    let kinds = edit_kinds(&s, &caller, &o).await;
    let trail = org_trail(&s, &caller, &o, "编辑").await;
    org_form_page(
        &caller,
        trail,
        format!("编辑“{}”", o.name),
        format!("/orgs/{id}/edit"),
        format!("/orgs/{id}"),
        &OrgForm::of(&o),
        &kinds,
        &FieldErrors::default(),
        None,
    )
}

pub async fn edit_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<OrgForm>,
) -> Response {
    let (scope, o) = crate::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    crate::tri!(caller.check_csrf(&f.csrf));
    let (input, parse_errs) = f.input(o.contact_phone.as_deref());
    let today = today();
    let result = match input.validate(today) {
        Err(e) => Err(StoreError::Invalid(merge_errors(parse_errs, e))),
        Ok(_) if !parse_errs.is_empty() => Err(StoreError::Invalid(parse_errs)),
        Ok(_) => store::org::update(&s.store, &scope, id, &input, today).await,
    };
    let (errs, refusal, status) = match result {
        Ok(_) => return Redirect::to(&format!("/orgs/{id}?ok=saved")).into_response(),
        Err(StoreError::Invalid(errs)) => (errs, None, StatusCode::UNPROCESSABLE_ENTITY),
        Err(StoreError::Refused(m)) => (FieldErrors::default(), Some(m), StatusCode::CONFLICT),
        Err(e) => return caller.fail(e),
    };
    let kinds = edit_kinds(&s, &caller, &o).await;
    let trail = org_trail(&s, &caller, &o, "编辑").await;
    let page = org_form_page(
        &caller,
        trail,
        format!("编辑“{}”", o.name),
        format!("/orgs/{id}/edit"),
        format!("/orgs/{id}"),
        &f,
        &kinds,
        &errs,
        refusal,
    );
    with_status(page, status)
}

// ---------------------------------------------------------------------------------------------
// Move

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveQuery {
    q: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    csrf: String,
    /// The destination parent's id.
    to: String,
    confirm: String,
    q: String,
}

pub struct Destination {
    id: i64,
    name: String,
    kind: &'static str,
    parent: String,
    /// Why it cannot take this organization, if it cannot.
    refusal: Option<String>,
}

#[derive(Template)]
#[template(path = "org_move.html")]
struct MovePage {
    nav: Nav,
    id: i64,
    name: String,
    kind: &'static str,
    parent_name: String,
    q: String,
    results: Vec<Destination>,
    truncated: bool,
    error: Option<String>,
    refusal: Option<String>,
    /// The confirmation step: (destination id, destination name, sub-organizations, members).
    confirm: Option<(i64, String, i64, i64)>,
}

const MOVE_RESULTS: usize = 50;

/// Why `dest` cannot take `o` (checked before the confirmation; the store checks again).
fn move_refusal(o: &Org, dest: &Org) -> Option<String> {
    if domain::path::is_within(&dest.path, &o.path) {
        Some("不能转移到它自己或它的下级党组织之下".into())
    } else if o.parent_id == Some(dest.id) {
        Some("已经是它的上级党组织".into())
    } else if !dest.kind.allows_child(o.kind) {
        Some(format!("{}下不能设立{}", dest.kind.label(), o.kind.label()))
    } else {
        None
    }
}

async fn parent_name(s: &Shared, caller: &Caller, o: &Org) -> String {
    let Some(p) = o.parent_id else { return "（无）".into() };
    store::org::names(&s.store, &caller.scope, &[p])
        .await
        .ok()
        .and_then(|m| m.get(&p).cloned())
        .unwrap_or_else(|| "（您的管理范围以外）".into())
}

#[allow(clippy::too_many_arguments)]
async fn move_view(
    s: &Shared,
    caller: &Caller,
    o: &Org,
    q: &str,
    error: Option<String>,
    refusal: Option<String>,
    confirm: Option<(i64, String, i64, i64)>,
) -> Result<Response, Response> {
    let scope = caller.scope_for(Perm::EditOrgs);
    let q = domain::member::normalize_text(q);
    let mut results = Vec::new();
    let mut truncated = false;
    if !q.is_empty() && refusal.is_none() && confirm.is_none() {
        let mut found = Vec::new();
        for root in caller.roots_for(Perm::EditOrgs) {
            found.extend(
                store::org::search(&s.store, &scope, root.id, &q, MOVE_RESULTS as i64 + 1)
                    .await
                    .map_err(|e| caller.fail(e))?,
            );
        }
        truncated = found.len() > MOVE_RESULTS;
        found.truncate(MOVE_RESULTS);
        let pids: Vec<i64> = found.iter().filter_map(|d| d.parent_id).collect();
        let names = store::org::names(&s.store, &caller.scope, &pids).await.unwrap_or_default();
        results = found
            .iter()
            .map(|d| Destination {
                id: d.id,
                name: d.name.clone(),
                kind: d.kind.label(),
                parent: d.parent_id.and_then(|p| names.get(&p).cloned()).unwrap_or_default(),
                refusal: move_refusal(o, d),
            })
            .collect();
        // the possible destinations first
        results.sort_by_key(|d: &Destination| d.refusal.is_some());
    }
    let trail = org_trail(s, caller, o, "转移").await;
    Ok(render(&MovePage {
        nav: caller.nav("orgs").crumbs(trail),
        id: o.id,
        name: o.name.clone(),
        kind: o.kind.label(),
        parent_name: parent_name(s, caller, o).await,
        q,
        results,
        truncated,
        error,
        refusal,
        confirm,
    }))
}

pub async fn move_page(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<MoveQuery>,
) -> Response {
    let (_, o) = crate::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    let refusal = top_of_grant(&caller, &o).then(|| TOP_OF_GRANT.to_string());
    match move_view(&s, &caller, &o, &q.q, None, refusal, None).await {
        Ok(r) | Err(r) => r,
    }
}

pub async fn move_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> Response {
    let (scope, o) = crate::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    crate::tri!(caller.check_csrf(&f.csrf));
    let view = |error: Option<String>, refusal: Option<String>, confirm, status| {
        let (s, caller, o, q) = (&s, &caller, &o, f.q.clone());
        async move {
            match move_view(s, caller, o, &q, error, refusal, confirm).await {
                Ok(r) => with_status(r, status),
                Err(r) => r,
            }
        }
    };
    if top_of_grant(&caller, &o) {
        return view(None, Some(TOP_OF_GRANT.into()), None, StatusCode::CONFLICT).await;
    }
    let Ok(to) = f.to.trim().parse::<i64>() else {
        return view(Some("请先搜索并选择新的上级党组织".into()), None, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let dest = match store::org::get(&s.store, &scope, to).await {
        Ok(d) => d,
        Err(e) => return caller.fail(e),
    };
    if let Some(r) = move_refusal(&o, &dest) {
        let msg = format!("不能转移到“{}”：{r}", dest.name);
        return view(Some(msg), None, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if f.confirm != "yes" {
        let (orgs, members) = match store::org::move_preview(&s.store, &scope, id).await {
            Ok(p) => p,
            Err(e) => return caller.fail(e),
        };
        return view(None, None, Some((dest.id, dest.name.clone(), orgs - 1, members)), StatusCode::OK).await;
    }
    match store::org::move_subtree(&s.store, &scope, id, dest.id).await {
        Ok(_) => Redirect::to(&format!("/orgs/{id}?ok=moved")).into_response(),
        Err(StoreError::Refused(m)) => view(None, Some(m), None, StatusCode::CONFLICT).await,
        Err(e) => caller.fail(e),
    }
}

// ---------------------------------------------------------------------------------------------
// Dissolve

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DissolveForm {
    csrf: String,
    date: String,
    /// The organization's name, typed to confirm.
    name: String,
}

#[derive(Template)]
#[template(path = "org_dissolve.html")]
struct DissolvePage {
    nav: Nav,
    id: i64,
    name: String,
    children: usize,
    members: i64,
    refusal: Option<String>,
    fields: Vec<Field>,
}

async fn dissolve_view(
    s: &Shared,
    caller: &Caller,
    o: &Org,
    form: &DissolveForm,
    errs: &FieldErrors,
    refusal: Option<String>,
) -> Response {
    let nodes = store::org::subtree(&s.store, &caller.scope_for(Perm::EditOrgs), o.id, Some(1)).await;
    let (children, members) = match nodes {
        Ok(n) => (n.len().saturating_sub(1), n.first().map_or(0, |r| r.counts.total)),
        Err(e) => return caller.fail(e),
    };
    let mut fields = vec![
        Field::new("date", "撤销日期", "date", &form.date).req(),
        Field::new("name", "确认名称", "text", &form.name).req().hint(format!("请输入组织全称“{}”以确认撤销", o.name)),
    ];
    let others = attach_errors(&mut fields, errs);
    let refusal = refusal.or_else(|| (!others.is_empty()).then(|| others.join("；")));
    let trail = org_trail(s, caller, o, "撤销").await;
    render(&DissolvePage {
        nav: caller.nav("orgs").crumbs(trail),
        id: o.id,
        name: o.name.clone(),
        children,
        members,
        refusal,
        fields,
    })
}

pub async fn dissolve_page(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let (_, o) = crate::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    let refusal = top_of_grant(&caller, &o).then(|| TOP_OF_GRANT.to_string());
    let form = DissolveForm { date: today().to_string(), ..Default::default() };
    dissolve_view(&s, &caller, &o, &form, &FieldErrors::default(), refusal).await
}

pub async fn dissolve_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<DissolveForm>,
) -> Response {
    let (scope, o) = crate::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    crate::tri!(caller.check_csrf(&f.csrf));
    if top_of_grant(&caller, &o) {
        let r = dissolve_view(&s, &caller, &o, &f, &FieldErrors::default(), Some(TOP_OF_GRANT.into())).await;
        return with_status(r, StatusCode::CONFLICT);
    }
    let mut errs = FieldErrors::default();
    let today = today();
    let date = if f.date.trim().is_empty() {
        errs.push("撤销日期", "不能为空");
        None
    } else {
        opt_date(&f.date, "撤销日期", &mut errs)
    };
    if let Some(d) = date {
        if d > today {
            errs.push("撤销日期", "不能晚于今天");
        }
        if o.founded_on.is_some_and(|f| d < f) {
            errs.push("撤销日期", "不能早于成立日期");
        }
    }
    if domain::member::normalize_text(&f.name) != o.name {
        errs.push("确认名称", format!("与组织全称“{}”不一致", o.name));
    }
    let (Some(date), true) = (date, errs.is_empty()) else {
        let r = dissolve_view(&s, &caller, &o, &f, &errs, None).await;
        return with_status(r, StatusCode::UNPROCESSABLE_ENTITY);
    };
    match store::org::dissolve(&s.store, &scope, id, date).await {
        Ok(()) => {
            let back = match o.parent_id {
                Some(p) if store::org::get(&s.store, &caller.scope, p).await.is_ok() => {
                    format!("/orgs/{p}?ok=dissolved")
                }
                _ => "/orgs".to_string(),
            };
            Redirect::to(&back).into_response()
        }
        Err(StoreError::Refused(m)) => {
            let r = dissolve_view(&s, &caller, &o, &f, &FieldErrors::default(), Some(m)).await;
            with_status(r, StatusCode::CONFLICT)
        }
        Err(e) => caller.fail(e),
    }
}
