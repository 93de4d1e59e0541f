//! 支部联系人: the contacts of a subtree's branches with the year's attendance (CONTACT-07), the
//! branches without a contact, the contacts over their limit (CONTACT-01) and those below the
//! visits minimum (CONTACT-02); assigning a branch's contact.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Form;
use domain::contact_person::AssignInput;
use domain::FieldErrors;
use serde::Deserialize;
use store::contact_person::{Assignment, Attendance, Branch, Over};
use web_core::access::Perm;
use web_core::form::{attach_errors, with_status, Field};
use web_core::pages::{render, today};
use web_core::picker::{OrgPicker, Purpose};
use web_core::routes::{Routes, Target};
use web_core::{Caller, Crumb, Nav, Shared};

use super::{lines, list_picker, page_org, problems};

const PER_PAGE: i64 = 50;

pub fn routes(r: Routes) -> Routes {
    r.add("GET", "/contact-persons", Target::OrgQuery, get(overview)).add(
        "GET,POST",
        "/contact-persons/assign",
        Target::OrgQuery,
        get(assign_page).post(assign),
    )
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct Q {
    org: String,
    year: String,
    page: String,
    ok: String,
}

#[derive(Template)]
#[template(path = "grading/contact.html")]
struct OverviewPage {
    nav: Nav,
    notice: Option<&'static str>,
    error: Option<String>,
    org_id: i64,
    org_name: String,
    picker: OrgPicker,
    year: i32,
    from: String,
    to: String,
    max_branches: i64,
    min_visits: i64,
    current: Vec<Assignment>,
    current_total: i64,
    page: i64,
    pages: i64,
    attendance: Vec<Attendance>,
    without: Vec<Branch>,
    without_total: i64,
    over: Vec<Over>,
    below: Vec<Attendance>,
    can_assign: bool,
}

/// `GET /contact-persons?org=&year=`: a subtree's contacts, attendance and the three lists.
pub async fn overview(State(s): State<Shared>, caller: Caller, Query(q): Query<Q>) -> Response {
    let org = web_core::tri!(page_org(&s, &caller, Perm::ReadGrading, &q.org).await);
    let today = today();
    let (year, error) = match service::contact_person::year(&q.year, today) {
        Ok(y) => (y, None),
        Err(service::ServiceError::Invalid(e)) => (chrono::Datelike::year(&today), Some(lines(&e).join("；"))),
        Err(e) => return caller.fail(e),
    };
    let asked = web_core::paging::asked(&q.page);
    let mut o = match service::contact_person::overview(
        &s.store,
        &caller,
        org.id,
        year,
        today,
        PER_PAGE,
        (asked - 1) * PER_PAGE,
    )
    .await
    {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let page = web_core::paging::clamp(asked, o.current_total, PER_PAGE);
    if page != asked {
        o = match service::contact_person::overview(
            &s.store,
            &caller,
            org.id,
            year,
            today,
            PER_PAGE,
            (page - 1) * PER_PAGE,
        )
        .await
        {
            Ok(o) => o,
            Err(e) => return caller.fail(e),
        };
    }
    let picker = list_picker(&s, &caller, &org, "/contact-persons").await;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    with_status(
        render(&OverviewPage {
            nav: caller.nav("contact_persons").crumbs(vec![Crumb::new("", "支部联系人")]),
            notice: (q.ok == "assigned").then_some("已确定该党支部的联系人；原联系人自前一日起不再联系。"),
            error,
            org_id: org.id,
            org_name: org.name.clone(),
            picker,
            year: o.year,
            from: o.from.to_string(),
            to: o.to.to_string(),
            max_branches: o.params.max_branches,
            min_visits: o.params.min_visits_year,
            pages: web_core::paging::pages(o.current_total, PER_PAGE),
            page,
            current: o.current,
            current_total: o.current_total,
            attendance: o.attendance,
            without: o.without,
            without_total: o.without_total,
            over: o.over,
            below: o.below,
            can_assign: caller.can_at(Perm::AssessGrading, &org.path),
        }),
        status,
    )
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AssignForm {
    csrf: String,
    org: String,
    member_id: String,
    from: String,
    note: String,
}

#[derive(Template)]
#[template(path = "grading/contact_assign.html")]
struct AssignPage {
    nav: Nav,
    picker: OrgPicker,
    fields: Vec<Field>,
    others: Vec<String>,
    refusal: Option<String>,
}

async fn assign_form(
    s: &Shared,
    caller: &Caller,
    f: &AssignForm,
    errs: &FieldErrors,
    refusal: Option<String>,
    status: StatusCode,
) -> Response {
    let chosen = match f.org.trim().parse::<i64>() {
        Ok(id) => service::org::get(&s.store, caller, Perm::AssessGrading, id).await.ok(),
        Err(_) => None,
    };
    let mut picker =
        OrgPicker::new(s, caller, Purpose::Orgs, "org", "党支部", chosen.as_ref(), "/contact-persons/assign").await;
    if let Some(e) = errs.0.iter().find(|e| e.field == "党支部") {
        picker.error = e.message.clone();
    }
    let mut fields = vec![
        Field::new("member_id", "联系人", "text", &f.member_id)
            .req()
            .hint("上级党组织班子成员的党员编号（党员名册中可查）；一人联系 1—2 个党支部（CONTACT-01）"),
        Field::new("from", "起始日期", "date", &f.from).hint("留空为今天；原联系人自前一日起不再联系"),
        Field::new("note", "备注", "text", &f.note).wide(),
    ];
    let rest = FieldErrors(errs.0.iter().filter(|e| e.field != "党支部").cloned().collect());
    let others = attach_errors(&mut fields, &rest);
    with_status(
        render(&AssignPage {
            nav: caller
                .nav("contact_persons")
                .crumbs(vec![Crumb::new("/contact-persons", "支部联系人"), Crumb::new("", "确定联系人")]),
            picker,
            fields,
            others,
            refusal,
        }),
        status,
    )
}

/// `GET /contact-persons/assign?org=`: the form.
pub async fn assign_page(State(s): State<Shared>, caller: Caller, Query(q): Query<Q>) -> Response {
    web_core::tri!(caller.require(Perm::AssessGrading));
    let mut f = AssignForm::default();
    if !q.org.trim().is_empty() {
        let org = web_core::tri!(page_org(&s, &caller, Perm::AssessGrading, &q.org).await);
        f.org = org.id.to_string();
    }
    assign_form(&s, &caller, &f, &FieldErrors::default(), None, StatusCode::OK).await
}

/// `POST /contact-persons/assign`: assign the contact.
pub async fn assign(
    State(s): State<Shared>,
    caller: Caller,
    Query(q): Query<Q>,
    Form(mut f): Form<AssignForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::AssessGrading));
    if f.org.trim().is_empty() {
        f.org = q.org.clone();
    }
    // the branch is read before anything else: out of scope is 404, whatever was typed
    if !f.org.trim().is_empty() {
        web_core::tri!(page_org(&s, &caller, Perm::AssessGrading, &f.org).await);
    }
    web_core::tri!(caller.check_csrf(&f.csrf));
    let input = AssignInput {
        org_id: f.org.clone(),
        member_id: f.member_id.clone(),
        from: f.from.clone(),
        note: f.note.clone(),
    };
    match service::contact_person::assign(&s.store, &caller, &input, today()).await {
        Ok(a) => {
            let top = if q.org.trim().is_empty() { a.org_id.to_string() } else { q.org.clone() };
            Redirect::to(&format!("/contact-persons?org={top}&ok=assigned")).into_response()
        }
        Err(e) => {
            let (errs, refusal, status) = web_core::tri!(problems(&caller, e));
            assign_form(&s, &caller, &f, &errs, refusal, status).await
        }
    }
}
