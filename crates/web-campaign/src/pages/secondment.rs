//! 跟岗学习: the nominations of a subtree, nominating a member (found by name, a choice offered
//! when several share it), one nomination with the conditions it fails and the statutory
//! retirement that decides SEC-02, and the reviewer's decision.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::FieldErrors;
use serde::Deserialize;
use service::campaign::secondment::{NominationInput, View};
use service::ServiceError;
use web_core::access::Perm;
use web_core::form::{attach_errors, checked, with_status, Field};
use web_core::pages::{render, today};
use web_core::picker::{OrgPicker, Purpose};
use web_core::{Caller, Crumb, Nav, Shared};

use super::{at, form_org, list_org, list_picker, notice, paged, problems};

const PER_PAGE: i64 = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    org: String,
    page: String,
    /// `pending`: only those waiting for a decision.
    show: String,
    ok: String,
}

struct Row {
    id: i64,
    member: String,
    member_org: String,
    unit: String,
    period: String,
    host_unit: String,
    status: &'static str,
    pending: bool,
    check: String,
}

#[derive(Template)]
#[template(path = "campaign/secondments.html")]
struct ListPage {
    nav: Nav,
    notice: Option<&'static str>,
    org_id: i64,
    org_name: String,
    picker: OrgPicker,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    pending_only: bool,
    can_nominate: bool,
}

/// `GET /secondments?org=`: the nominations of units in a subtree, those waiting first.
pub async fn list(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    let org = match list_org(&s, &caller, &q.org).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let pending_only = q.show == "pending";
    let on = today();
    let read = |p: i64| {
        service::campaign::secondment::list(&s.store, &caller, org.id, pending_only, PER_PAGE, (p - 1) * PER_PAGE, on)
    };
    let (found, page) = match paged(&caller, &q.page, PER_PAGE, |x| x.total, read).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let picker = list_picker(&s, &caller, &org, "/secondments").await;
    let rows = found
        .rows
        .into_iter()
        .map(|(n, failing)| Row {
            id: n.id,
            pending: n.status == "pending",
            status: n.status_label(),
            check: match failing {
                0 => "符合全部条件".into(),
                k => format!("{k} 项不符合"),
            },
            period: format!("{} 至 {}", n.starts_on, n.ends_on),
            member: n.member_name,
            member_org: n.member_org_name,
            unit: n.org_name,
            host_unit: n.host_unit,
        })
        .collect();
    render(&ListPage {
        nav: caller.nav("secondments").crumbs(vec![Crumb::new("/campaigns", "创建活动"), Crumb::new("", "跟岗学习")]),
        notice: notice(&q.ok),
        org_id: org.id,
        org_name: org.name.clone(),
        picker,
        rows,
        total: found.total,
        page,
        pages: web_core::paging::pages(found.total, PER_PAGE),
        pending_only,
        can_nominate: caller.can_at(Perm::ReportCampaigns, &org.path),
    })
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct NominationForm {
    csrf: String,
    org: String,
    /// The name typed to find the member.
    member_name: String,
    /// The member chosen among those of that name.
    member: String,
    starts_on: String,
    ends_on: String,
    host_unit: String,
    party_post: String,
    full_time: String,
    writing: String,
}

#[derive(Template)]
#[template(path = "campaign/secondment_form.html")]
struct FormPage {
    nav: Nav,
    picker: OrgPicker,
    fields: Vec<Field>,
    others: Vec<String>,
    /// The member's name, kept while a choice among several is offered.
    member_name: String,
    conditions: Vec<(String, String)>,
}

/// The form; `choices` are the members sharing the typed name, offered as a choice.
async fn form(
    s: &Shared,
    caller: &Caller,
    f: &NominationForm,
    choices: &[store::campaign::secondment::Nominee],
    errs: &FieldErrors,
) -> Response {
    let chosen = match f.org.trim().parse::<i64>() {
        Ok(o) => service::org::get(&s.store, caller, Perm::ReportCampaigns, o).await.ok(),
        Err(_) => None,
    };
    let mut picker =
        OrgPicker::new(s, caller, Purpose::Campaigns, "org", "推荐单位", chosen.as_ref(), "/secondments/new").await;
    let member = if choices.len() > 1 {
        let options = std::iter::once((String::new(), "请选择".to_string()))
            .chain(choices.iter().map(|c| {
                (
                    c.id.to_string(),
                    format!("{}（{}，{}，{} 年生）", c.name, c.org_name, c.sex().label(), c.birth_date.format("%Y")),
                )
            }))
            .collect();
        Field::select("member", "党员", &f.member, options).req().hint("同名的党员有多名，请选择")
    } else {
        Field::new("member_name", "党员", "text", &f.member_name)
            .req()
            .hint("输入姓名查找推荐单位及其下级党组织的在册党员；出生日期、性别和职业取自党员信息")
    };
    let mut fields = vec![
        member,
        Field::new("starts_on", "跟岗开始日期", "date", &f.starts_on).req(),
        Field::new("ends_on", "跟岗结束日期", "date", &f.ends_on).req(),
        Field::new("host_unit", "跟岗单位", "text", &f.host_unit).wide().hint("如“区委组织部党建办”"),
        Field::new("party_post", "在党务工作岗位任职", "check", &f.party_post),
        Field::new("full_time", "跟岗期间脱产", "check", &f.full_time),
        Field::new("writing", "具备一定的文字写作能力", "check", &f.writing),
    ];
    let mut errs = errs.clone();
    if let Some(i) = errs.0.iter().position(|e| e.field == "推荐单位") {
        picker.error = errs.0.remove(i).message;
    }
    let others = attach_errors(&mut fields, &errs);
    let status =
        if errs.is_empty() && picker.error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let conditions = domain::campaign::secondment::in_force(domain::campaign::secondment::shipped(), today())
        .into_iter()
        .map(|c| (c.rule_id.clone(), c.describe()))
        .collect();
    with_status(
        render(&FormPage {
            nav: caller
                .nav("secondments")
                .crumbs(vec![Crumb::new("/secondments", "跟岗学习"), Crumb::new("", "推荐跟岗学习")]),
            picker,
            fields,
            others,
            member_name: if choices.len() > 1 { f.member_name.clone() } else { String::new() },
            conditions,
        }),
        status,
    )
}

pub async fn new_page(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    if let Err(r) = form_org(&s, &caller, Perm::ReportCampaigns, &q.org).await {
        return r;
    }
    let f = NominationForm { org: q.org.clone(), party_post: "1".into(), ..Default::default() };
    form(&s, &caller, &f, &[], &FieldErrors::default()).await
}

pub async fn create(
    State(s): State<Shared>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    Form(mut f): Form<NominationForm>,
) -> Response {
    if f.org.trim().is_empty() {
        f.org = q.org.clone();
    }
    let org = match form_org(&s, &caller, Perm::ReportCampaigns, &f.org).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    web_core::tri!(caller.check_csrf(&f.csrf));
    let Some(org) = org else {
        return form(&s, &caller, &f, &[], &FieldErrors(vec![domain::FieldError::new("推荐单位", "请选择推荐单位")]))
            .await;
    };
    // the member: chosen among several of a name, or the one the typed name finds
    if f.member.trim().is_empty() && !f.member_name.trim().is_empty() {
        let found = match service::campaign::secondment::candidates(&s.store, &caller, org.id, &f.member_name).await {
            Ok(c) => c,
            Err(e) => return caller.fail(e),
        };
        match found.len() {
            0 => {
                let e = format!("{}及其下级党组织中没有姓名含“{}”的在册党员", org.name, f.member_name.trim());
                return form(&s, &caller, &f, &[], &FieldErrors(vec![domain::FieldError::new("党员", e)])).await;
            }
            1 => f.member = found[0].id.to_string(),
            n => {
                // exactly one of that very name is meant
                let exact: Vec<_> = found.iter().filter(|c| c.name == f.member_name.trim()).collect();
                if exact.len() == 1 {
                    f.member = exact[0].id.to_string();
                } else {
                    let e = format!("有 {n} 名党员姓名含“{}”，请选择", f.member_name.trim());
                    return form(&s, &caller, &f, &found, &FieldErrors(vec![domain::FieldError::new("党员", e)])).await;
                }
            }
        }
    }
    let input = NominationInput {
        member: f.member.clone(),
        starts_on: f.starts_on.clone(),
        ends_on: f.ends_on.clone(),
        party_post: checked(&f.party_post),
        full_time: checked(&f.full_time),
        writing: checked(&f.writing),
        host_unit: f.host_unit.clone(),
    };
    match service::campaign::secondment::nominate(&s.store, &caller, org.id, &input, today()).await {
        Ok(n) => Redirect::to(&format!("/secondments/{}?ok=nominated", n.id)).into_response(),
        Err(e) => {
            let (mut errs, refusal, _) = web_core::tri!(problems(&caller, e));
            if let Some(r) = refusal {
                errs.push("党员", r);
            }
            // a member chosen but refused is looked for again by name
            if errs.has("党员") {
                f.member.clear();
            }
            form(&s, &caller, &f, &[], &errs).await
        }
    }
}

#[derive(Template)]
#[template(path = "campaign/secondment.html")]
struct ShowPage {
    nav: Nav,
    notice: Option<&'static str>,
    v: View,
    sex: &'static str,
    category: &'static str,
    created_at: String,
    decided_at: String,
    today: String,
    error: Option<String>,
    decision: String,
    reason: String,
}

fn show_page(
    caller: &Caller,
    v: View,
    notice: Option<&'static str>,
    error: Option<(String, StatusCode)>,
    f: &ReviewForm,
) -> Response {
    let status = error.as_ref().map_or(StatusCode::OK, |e| e.1);
    with_status(
        render(&ShowPage {
            nav: caller
                .nav("secondments")
                .crumbs(vec![Crumb::new("/secondments", "跟岗学习"), Crumb::new("", v.nomination.member_name.clone())]),
            notice,
            sex: v.nomination.sex().label(),
            category: v.nomination.category().label(),
            created_at: at(&v.nomination.created_at),
            decided_at: v.nomination.decided_at.as_ref().map(at).unwrap_or_default(),
            today: today().to_string(),
            error: error.map(|e| e.0),
            decision: f.decision.clone(),
            reason: f.reason.clone(),
            v,
        }),
        status,
    )
}

pub async fn show(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Response {
    let v = match service::campaign::secondment::view(&s.store, &caller, id, today()).await {
        Ok(v) => v,
        Err(e) => return caller.fail(e),
    };
    show_page(&caller, v, notice(&q.ok), None, &ReviewForm::default())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    csrf: String,
    /// `accept` or `reject`.
    decision: String,
    reason: String,
}

pub async fn review(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::ManageCampaigns));
    // the nomination must be one the caller sees before the form is looked at
    let v = match service::campaign::secondment::view(&s.store, &caller, id, today()).await {
        Ok(v) => v,
        Err(e) => return caller.fail(e),
    };
    web_core::tri!(caller.check_csrf(&f.csrf));
    match service::campaign::secondment::decide(&s.store, &caller, id, &f.decision, &f.reason, today()).await {
        Ok(n) => Redirect::to(&format!(
            "/secondments/{id}?ok={}",
            if n.status == "accepted" { "nomination_accepted" } else { "nomination_rejected" }
        ))
        .into_response(),
        Err(e @ ServiceError::Denied(_)) => caller.fail(e),
        Err(e) => match problems(&caller, e) {
            Ok((errs, refusal, status)) => {
                let msg =
                    refusal.unwrap_or_else(|| errs.0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("；"));
                show_page(&caller, v, None, Some((msg, status)), &f)
            }
            Err(r) => r,
        },
    }
}
