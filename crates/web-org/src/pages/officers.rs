//! 班子成员: an organization's officers with their terms — the history (every term, the ended
//! ones too), appointing, ending a term and correcting one. Reading needs 查看党组织, changing
//! needs 维护党组织 where the organization is; every change goes through
//! `service::org::officers` (checked, written and audited in one transaction). A term is never
//! deleted: the history is what later checks look back on (who was 书记 on a 党课's date).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::officer::{OfficerInput, OfficerRole, DUTIES};
use domain::org::Org;
use domain::FieldErrors;
use serde::Deserialize;
use service::ServiceError;
use store::officer::Officer;
use store::Visible;
use web_core::access::Perm;
use web_core::form::{attach_errors, with_status, Field};
use web_core::pages::{render, today};
use web_core::Shared;
use web_core::{Caller, Crumb, Nav};

/// One term as the pages show it.
pub struct OfficerRow {
    pub id: i64,
    pub member_id: i64,
    pub name: String,
    pub member_org: String,
    pub role: &'static str,
    pub duties: String,
    pub started_on: String,
    pub ended_on: String,
    pub current: bool,
}

impl OfficerRow {
    pub fn of(o: &Officer, on: chrono::NaiveDate) -> Self {
        OfficerRow {
            id: o.id,
            member_id: o.member_id,
            name: o.name.clone(),
            member_org: o.member_org.clone(),
            role: o.role_label(),
            duties: if o.duties.is_empty() { "—".into() } else { o.duties.clone() },
            started_on: o.started_on.to_string(),
            ended_on: o.ended_on.map_or(String::new(), |d| d.to_string()),
            current: o.current_on(on),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OfficersQuery {
    ok: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct OfficerForm {
    csrf: String,
    /// The term being corrected (the correct form only).
    officer: String,
    member_id: String,
    role: String,
    duties: String,
    started_on: String,
    ended_on: String,
}

impl OfficerForm {
    fn input(&self) -> OfficerInput {
        OfficerInput {
            member_id: self.member_id.clone(),
            role: self.role.clone(),
            duties: self.duties.clone(),
            started_on: self.started_on.clone(),
            ended_on: self.ended_on.clone(),
        }
    }
    fn of(o: &Officer) -> Self {
        OfficerForm {
            officer: o.id.to_string(),
            member_id: o.member_id.to_string(),
            role: o.role().code().to_string(),
            duties: o.duties.clone(),
            started_on: o.started_on.to_string(),
            ended_on: o.ended_on.map(|d| d.to_string()).unwrap_or_default(),
            ..Default::default()
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndForm {
    csrf: String,
    officer: String,
    ended_on: String,
}

#[derive(Template)]
#[template(path = "org/officers.html")]
struct OfficersPage {
    nav: Nav,
    id: i64,
    name: String,
    notice: Option<&'static str>,
    refusal: Option<String>,
    rows: Vec<OfficerRow>,
    can_edit: bool,
    /// The correct form (an officer id) or the appoint form.
    correcting: Option<i64>,
    fields: Vec<Field>,
    others: Vec<String>,
    today: String,
}

fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "added" => "已登记任职。",
        "ended" => "已登记离任。该任职保留在历史记录中。",
        "corrected" => "已更正。更正前的内容记录在审计日志中。",
        _ => return None,
    })
}

async fn trail(s: &Shared, caller: &Caller, o: &Org, last: &str) -> Vec<Crumb> {
    let ancestors = service::org::ancestors(&s.store, caller, Perm::ReadOrgs, o.id).await.unwrap_or_default();
    let mut trail = vec![Crumb::new("/orgs", "组织树")];
    trail.extend(ancestors.into_iter().map(|a| Crumb::new(format!("/orgs/{}", a.id), a.name)));
    trail.push(Crumb::new(format!("/orgs/{}", o.id), o.name.clone()));
    trail.push(Crumb::new("", last.to_string()));
    trail
}

/// The members offered for a post: those of the organization's subtree (a 党组, which has no
/// members of its own, and a very large subtree take the member's number instead).
async fn member_field(s: &Shared, caller: &Caller, o: &Org, value: &str) -> Field {
    const MAX: i64 = 500;
    if let Ok(p) = service::member::list(&s.store, caller, Perm::ReadMembers, o.id, &Default::default(), 1, MAX).await {
        if p.total > 0 && p.total <= MAX {
            let mut opts = vec![(String::new(), "请选择".to_string())];
            opts.extend(p.items.iter().map(|m| (m.id.to_string(), m.name.clone())));
            if !value.is_empty() && !opts.iter().any(|x| x.0 == value) {
                opts.push((value.to_string(), format!("党员编号 {value}")));
            }
            return Field::select("member_id", "党员", value, opts).req().hint("本组织及下级组织的党员");
        }
    }
    Field::new("member_id", "党员", "number", value).req().hint("党员编号（党员详情页地址中的数字）")
}

async fn fields_for(s: &Shared, caller: &Caller, o: &Org, f: &OfficerForm) -> Vec<Field> {
    let roles: Vec<(String, String)> = std::iter::once((String::new(), "请选择".to_string()))
        .chain(OfficerRole::ALL.iter().map(|r| (r.code().to_string(), r.label().to_string())))
        .collect();
    let role = OfficerRole::parse(&f.role).map_or(f.role.clone(), |r| r.code().to_string());
    vec![
        member_field(s, caller, o, &f.member_id).await,
        Field::select("role", "职务", &role, roles).req(),
        Field::new("duties", "分工", "text", &f.duties).hint(format!("多项用“、”分隔，如：{}", DUTIES[..3].join("、"))),
        Field::new("started_on", "任职日期", "date", &f.started_on).req(),
        Field::new("ended_on", "离任日期", "date", &f.ended_on).hint("仍在任的留空"),
    ]
}

struct View<'a> {
    notice: Option<&'static str>,
    refusal: Option<String>,
    correcting: Option<i64>,
    form: &'a OfficerForm,
    errs: &'a FieldErrors,
}

async fn page(s: &Shared, caller: &Caller, o: &Visible<Org>, v: View<'_>) -> Response {
    let list = match service::org::officers::history(&s.store, caller, o.id).await {
        Ok(l) => l,
        Err(e) => return caller.fail(e),
    };
    let today = today();
    let can_edit = caller.can_at(Perm::EditOrgs, &o.path);
    let mut fields = if can_edit { fields_for(s, caller, o, v.form).await } else { Vec::new() };
    let others = attach_errors(&mut fields, v.errs);
    let title = if v.correcting.is_some() { "更正任职" } else { "班子成员" };
    render(&OfficersPage {
        nav: caller.nav("orgs").crumbs(trail(s, caller, o, title).await),
        id: o.id,
        name: o.name.clone(),
        notice: v.notice,
        refusal: v.refusal,
        rows: list.iter().map(|x| OfficerRow::of(x, today)).collect(),
        can_edit,
        correcting: v.correcting,
        fields,
        others,
        today: today.to_string(),
    })
}

/// `GET /orgs/{id}/officers`: every term, latest first, and (for editors) the appoint form.
pub async fn officers_page(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<OfficersQuery>,
) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::ReadOrgs, id).await);
    let form = OfficerForm { started_on: today().to_string(), ..Default::default() };
    let view =
        View { notice: notice(&q.ok), refusal: None, correcting: None, form: &form, errs: &FieldErrors::default() };
    page(&s, &caller, &o, view).await
}

/// The page again after a use case refused or found problems.
async fn again(
    s: &Shared,
    caller: &Caller,
    o: &Visible<Org>,
    correcting: Option<i64>,
    form: &OfficerForm,
    e: ServiceError,
) -> Response {
    let (errs, refusal, status) = match e {
        ServiceError::Invalid(e) => (e, None, StatusCode::UNPROCESSABLE_ENTITY),
        ServiceError::Refused(m) => (FieldErrors::default(), Some(m), StatusCode::CONFLICT),
        e => return caller.fail(e),
    };
    let view = View { notice: None, refusal, correcting, form, errs: &errs };
    with_status(page(s, caller, o, view).await, status)
}

/// `POST /orgs/{id}/officers`: appoint.
pub async fn officer_add(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<OfficerForm>,
) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    match service::org::officers::add(&s.store, &caller, o.id, &f.input(), today()).await {
        Ok(_) => Redirect::to(&format!("/orgs/{id}/officers?ok=added")).into_response(),
        Err(e) => again(&s, &caller, &o, None, &f, e).await,
    }
}

/// The term named by a form, when it belongs to this organization.
async fn term_of(s: &Shared, caller: &Caller, o: &Org, raw: &str) -> Result<Officer, String> {
    let Ok(officer) = raw.trim().parse::<i64>() else {
        return Err("请选择要办理的任职。".into());
    };
    match service::org::officers::get(&s.store, caller, Perm::EditOrgs, officer).await {
        Ok(t) if t.org_id == o.id => Ok(t),
        _ => Err("该任职不存在或不属于本组织。".into()),
    }
}

/// `POST /orgs/{id}/officers/end`: end a term on a date (the last day in post).
pub async fn officer_end(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<EndForm>,
) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    let blank = OfficerForm { started_on: today().to_string(), ..Default::default() };
    let term = match term_of(&s, &caller, &o, &f.officer).await {
        Ok(t) => t,
        Err(m) => return again(&s, &caller, &o, None, &blank, ServiceError::Refused(m)).await,
    };
    let on = match domain::dates::parse_date(&f.ended_on) {
        Ok(d) => d,
        Err(m) => {
            let e = FieldErrors(vec![domain::FieldError::new("离任日期", format!("{}：{m}", term.name))]);
            return again(&s, &caller, &o, None, &blank, ServiceError::Invalid(e)).await;
        }
    };
    match service::org::officers::end(&s.store, &caller, term.id, on, today()).await {
        Ok(_) => Redirect::to(&format!("/orgs/{id}/officers?ok=ended")).into_response(),
        Err(e) => again(&s, &caller, &o, None, &blank, e).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CorrectQuery {
    officer: String,
}

/// `GET /orgs/{id}/officers/correct?officer=…`: the correct form of one term.
pub async fn officer_correct_page(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<CorrectQuery>,
) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    match term_of(&s, &caller, &o, &q.officer).await {
        Ok(t) => {
            let form = OfficerForm::of(&t);
            let view = View {
                notice: None,
                refusal: None,
                correcting: Some(t.id),
                form: &form,
                errs: &FieldErrors::default(),
            };
            page(&s, &caller, &o, view).await
        }
        Err(m) => {
            let blank = OfficerForm { started_on: today().to_string(), ..Default::default() };
            again(&s, &caller, &o, None, &blank, ServiceError::Refused(m)).await
        }
    }
}

/// `POST /orgs/{id}/officers/correct`: correct a term entered wrongly.
pub async fn officer_correct(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<OfficerForm>,
) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    let term = match term_of(&s, &caller, &o, &f.officer).await {
        Ok(t) => t,
        Err(m) => return again(&s, &caller, &o, None, &f, ServiceError::Refused(m)).await,
    };
    match service::org::officers::correct(&s.store, &caller, term.id, &f.input(), today()).await {
        Ok(_) => Redirect::to(&format!("/orgs/{id}/officers?ok=corrected")).into_response(),
        Err(e) => again(&s, &caller, &o, Some(term.id), &f, e).await,
    }
}
