//! 党员详情.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::member::Member;
use serde::Deserialize;
use store::member::StatusChange;
use web_core::access::Perm;
use web_core::form::ok_notice;
use web_core::pages::render;
use web_core::Shared;
use web_core::{Caller, Crumb, Nav};

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberQuery {
    pub(crate) unmask: String,
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
#[template(path = "member/detail.html")]
pub(crate) struct MemberPage {
    pub(crate) nav: Nav,
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) notice: Option<&'static str>,
    pub(crate) warning: Option<&'static str>,
    pub(crate) fields: Vec<(&'static str, String)>,
    pub(crate) org_id: i64,
    pub(crate) unmasked: bool,
    pub(crate) can_unmask: bool,
    pub(crate) unmask_link: String,
    pub(crate) can_edit: bool,
    pub(crate) can_change_status: bool,
    pub(crate) history: Vec<HistoryRow>,
    /// The 我的信息 page: the branch's basics follow.
    pub(crate) me: bool,
    pub(crate) branch: Vec<(&'static str, String)>,
    pub(crate) branch_link: bool,
}

/// The member's fields for display; the ID number and phone unmasked only when `unmasked`.
pub(crate) fn member_fields(m: &Member, org_name: &str, unmasked: bool) -> Vec<(&'static str, String)> {
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

pub(crate) fn history_rows(events: Vec<store::member::StatusEvent>) -> Vec<HistoryRow> {
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

pub(crate) async fn org_name_of(s: &Shared, caller: &Caller, perm: Perm, org_id: i64) -> String {
    service::org::names(&s.store, caller, perm, &[org_id])
        .await
        .ok()
        .and_then(|m| m.get(&org_id).cloned())
        .unwrap_or_default()
}

pub async fn member(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<MemberQuery>,
) -> Response {
    web_core::tri!(caller.require(Perm::ReadMembers));
    let wants = q.unmask == "1";
    let card = match service::member::card(&s.store, &caller, id, wants).await {
        Ok(c) => c,
        Err(e) => return caller.fail(e),
    };
    let (m, unmasked, org_name) = (&card.member, card.unmasked, card.org_name.clone());
    let can_unmask = caller.can_at(Perm::ViewPersonal, &m.path);
    let history = history_rows(card.history.clone());
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
        warning: card.unmask_denied.then_some("您的角色没有查看完整身份证号和手机号的权限，仍显示脱敏信息。"),
        fields: member_fields(m, &org_name, unmasked),
        org_id: m.org_id,
        unmasked,
        can_unmask,
        unmask_link: format!("/members/{id}?unmask=1"),
        can_edit,
        can_change_status: can_edit && !StatusChange::open_to(m).is_empty(),
        history,
        me: false,
        branch: Vec::new(),
        branch_link: false,
    })
}

/// The printed 党员信息卡 a branch keeps in its archive: one A4 page.
#[derive(Template)]
#[template(path = "member/card.html")]
pub(crate) struct CardPage {
    nav: Nav,
    id: i64,
    name: String,
    fields: Vec<(&'static str, String)>,
    org_chain: String,
    unmasked: bool,
    can_unmask: bool,
    warning: Option<&'static str>,
    history: Vec<HistoryRow>,
    printed_on: String,
    printed_by: String,
}

/// GET /members/{id}/print: the 党员信息卡, masked unless asked for and held (then audited).
pub async fn member_card(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<MemberQuery>,
) -> Response {
    let card = match service::member::card(&s.store, &caller, id, q.unmask == "1").await {
        Ok(c) => c,
        Err(e) => return caller.fail(e),
    };
    let m = &card.member;
    let trail = vec![
        Crumb::new("/members", "党员名册"),
        Crumb::new(format!("/members/{id}"), m.name.clone()),
        Crumb::new("", "党员信息卡"),
    ];
    render(&CardPage {
        nav: caller.nav("members").crumbs(trail),
        id,
        name: m.name.clone(),
        fields: member_fields(m, &card.org_name, card.unmasked),
        org_chain: card.org_chain.join(" / "),
        unmasked: card.unmasked,
        can_unmask: caller.can_at(Perm::ViewPersonal, &m.path),
        warning: card.unmask_denied.then_some("您的角色没有查看完整身份证号和手机号的权限，仍显示脱敏信息。"),
        history: history_rows(card.history),
        printed_on: web_core::pages::today().format("%Y年%m月%d日").to_string(),
        printed_by: caller.account.account.display_name.clone(),
    })
}
