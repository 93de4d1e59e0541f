//! 党组织详情.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::org::{FacilityKind, Org, OrgKind};
use domain::rules::{self, OrgFacts};
use serde::Deserialize;
use store::rollup::Counts;
use web_core::access::Perm;
use web_core::pages::{render, sev_code, today, FindingRow};
use web_core::Shared;
use web_core::{Caller, Crumb, Nav};

use super::*;

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

/// 党建规划: one of the organization's plans covering this year, with its targets reached today.
pub struct PlanRow {
    id: i64,
    title: String,
    kind: &'static str,
    years: String,
    status: &'static str,
    reached: usize,
    targets: usize,
}

#[derive(Template)]
#[template(path = "org/detail.html")]
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
    /// 导入导出 here: the subtree's roster and organizations can be exported from this page.
    can_export: bool,
    focused: bool,
    /// Offer 设为当前范围 (not for the caller's only top organization).
    can_focus: bool,
    /// A 党组 whose 党建工作分工 the caller may read.
    show_divisions: bool,
    /// 班子成员 in post today (书记 first); when any term is recorded they replace the 书记 text.
    officers: Vec<OfficerRow>,
    has_officer_history: bool,
    /// 党建规划 of this year, where the caller reads campaigns; and whether it may draft one.
    plans: Option<Vec<PlanRow>>,
    can_draft_plan: bool,
}

const CHILDREN_PER_PAGE: usize = 50;

pub async fn org(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>, Query(q): Query<OrgQuery>) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::ReadOrgs, id).await);
    let nodes = match service::org::subtree(&s.store, &caller, Perm::ReadOrgs, id, Some(1)).await {
        Ok(n) => n,
        Err(e) => return caller.fail(e),
    };
    let counts = nodes.first().map(|n| n.counts).unwrap_or_default();
    let ancestors = service::org::ancestors(&s.store, &caller, Perm::ReadOrgs, id).await.unwrap_or_default();
    let children_total = nodes.len().saturating_sub(1);
    let cpages = children_total.div_ceil(CHILDREN_PER_PAGE).max(1);
    let cpage = web_core::paging::clamp_usize(web_core::paging::asked(&q.cpage), children_total, CHILDREN_PER_PAGE);
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
    // the officers with dates, when recorded, say who the 书记 is; the 书记 text of the record
    // is shown only until then
    let history = match service::org::officers::history(&s.store, &caller, id).await {
        Ok(h) => h,
        Err(e) => return caller.fail(e),
    };
    let officers: Vec<OfficerRow> =
        history.iter().filter(|t| t.current_on(today)).map(|t| OfficerRow::of(t, today)).collect();
    let mut officers = officers;
    officers.sort_by_key(|r| match r.role {
        "书记" => 0,
        "副书记" => 1,
        _ => 2,
    });
    let has_officer_history = !history.is_empty();
    let fields: Vec<(&str, String)> = o
        .describe()
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "ID" | "组织名称" | "届次" | "阵地设施"))
        .filter(|(k, _)| !(has_officer_history && *k == "书记"))
        .collect();
    let show_members = caller.can_at(Perm::ReadMembers, &o.path);
    let (members, members_total) = if show_members {
        match service::member::list(&s.store, &caller, Perm::ReadMembers, id, &Default::default(), 1, 20).await {
            Ok(p) => {
                let ids: Vec<i64> = p.items.iter().map(|m| m.org_id).collect();
                let names = service::org::names(&s.store, &caller, Perm::ReadMembers, &ids).await.unwrap_or_default();
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
    let card = match service::campaign::plan::card(&s.store, &caller, id, today).await {
        Ok(c) => c,
        Err(e) => return caller.fail(e),
    };
    let can_draft_plan = card.as_ref().is_some_and(|c| c.can_draft);
    let plans = card.map(|c| {
        c.plans
            .into_iter()
            .map(|(p, reached, targets)| PlanRow {
                id: p.id,
                kind: p.kind_label(),
                years: p.years(),
                status: p.status_label(),
                title: p.title,
                reached,
                targets,
            })
            .collect()
    });
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
        can_export: caller.can_at(Perm::Exchange, &o.path),
        can_record_life: caller.can_at(Perm::RecordLife, &o.path) && domain::life::records_life(o.kind),
        focused: caller.focus.as_ref().is_some_and(|f| f.id == id),
        can_focus: !(caller.all_roots.len() == 1 && caller.all_roots[0].id == id),
        show_divisions: o.kind == OrgKind::LeadingGroup && caller.can_at(Perm::ReadLife, &o.path),
        officers,
        has_officer_history,
        plans,
        can_draft_plan,
    })
}

/// Is this organization the top of one of the caller's EditOrgs grants (moving or dissolving it
/// would take it out of the caller's own scope)?
pub(crate) fn top_of_grant(caller: &Caller, o: &Org) -> bool {
    match domain::path::parent(&o.path) {
        Some(p) => !caller.can_at(Perm::EditOrgs, p),
        None => true,
    }
}

pub(crate) const TOP_OF_GRANT: &str =
    "这是您管理范围的顶层党组织，转移或撤销后它将离开您的管理范围。如确需办理，请由上级党组织的管理员操作。";
