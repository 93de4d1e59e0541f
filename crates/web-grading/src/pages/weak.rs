//! 软弱涣散: the list of a subtree (by state and year), entering a suspected organization with the
//! criteria ticked and their facts, an organization's record (criteria, evidence, life-cycle
//! history, the WEAK-06 links, the rectification plan) with the superior's decisions, the plan
//! editor where the organization adds items and reports them done, the proposals from data, the
//! daily sweep's findings, and the criteria list with its settings.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Form;
use domain::weak_and_lax::{
    Criterion, CriterionInput, ItemInput, LinksInput, SettingsInput, State as WeakState, TickInput, TransitionInput,
};
use domain::FieldErrors;
use serde::Deserialize;
use store::weak_and_lax::{Finding, Item, LocalCriterion, WeakOrg};
use web_core::access::Perm;
use web_core::form::{attach_errors, with_status, Field};
use web_core::pages::{render, today};
use web_core::picker::{OrgPicker, Purpose};
use web_core::routes::{Routes, Target};
use web_core::{Caller, Crumb, Nav, Shared};

use super::{at, lines, list_picker, page_org, paged, problems};

const PER_PAGE: i64 = 50;

pub fn routes(r: Routes) -> Routes {
    r.add("GET", "/weak-and-lax", Target::OrgQuery, get(list))
        .add("GET,POST", "/weak-and-lax/new", Target::OrgQuery, get(new_page).post(create))
        .add("GET,POST", "/weak-and-lax/proposals", Target::OrgQuery, get(proposals).post(propose))
        .add("GET,POST", "/weak-and-lax/findings", Target::OrgQuery, get(findings).post(sweep))
        .add("GET,POST", "/weak-and-lax/criteria", Target::OrgQuery, get(criteria).post(change_criteria))
        .add("GET", "/weak-and-lax/{id}", Target::WeakAndLax, get(record))
        .add("POST", "/weak-and-lax/{id}/transition", Target::WeakAndLax, post(transition))
        .add("POST", "/weak-and-lax/{id}/criteria", Target::WeakAndLax, post(set_ticks))
        .add("POST", "/weak-and-lax/{id}/links", Target::WeakAndLax, post(set_links))
        .add("GET,POST", "/weak-and-lax/{id}/plan", Target::WeakAndLax, get(plan).post(add_item))
        .add("POST", "/weak-and-lax/{id}/items/report", Target::WeakAndLax, post(report_item))
        .add("POST", "/weak-and-lax/{id}/items/decide", Target::WeakAndLax, post(decide_item))
}

/// Notices after a redirect.
fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "已登记为疑似软弱涣散党组织，等待上级认定。",
        "moved" => "已办理，并已通知该党组织。",
        "criteria" => "已保存认定标准及事实依据。",
        "links" => "已保存“四个一”联系情况。",
        "item" => "已增加整改事项。",
        "reported" => "已报告整改完成，等待上级验收。",
        "accepted" => "该整改事项已验收通过。",
        "returned" => "该整改事项已退回，并已通知该党组织。",
        "swept" => "已按当前数据重新检查整改逾期和“四个一”联系情况；新逾期的事项已通知上级。",
        "criterion" => "已增加本级认定标准。",
        "preset" => "已采用地方增补认定标准。",
        "retired" => "已停用该认定标准。已勾选它的记录保持不变。",
        "settings" => "已保存新版本的参数，自施行日期起生效。",
        _ => return None,
    })
}

fn state_tabs() -> Vec<(&'static str, &'static str)> {
    WeakState::ALL.iter().map(|s| (s.code(), s.label())).collect()
}

// ---- the list ---------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    org: String,
    state: String,
    year: String,
    page: String,
    ok: String,
}

#[derive(Template)]
#[template(path = "grading/weak_list.html")]
struct ListPage {
    nav: Nav,
    notice: Option<&'static str>,
    org_id: i64,
    org_name: String,
    picker: OrgPicker,
    state: String,
    year: String,
    tabs: Vec<(&'static str, &'static str, i64)>,
    all: i64,
    rows: Vec<WeakOrg>,
    total: i64,
    page: i64,
    pages: i64,
    can_manage: bool,
    error: Option<String>,
}

/// `GET /weak-and-lax?org=&state=&year=`: the identifications of a subtree.
pub async fn list(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    let org = web_core::tri!(page_org(&s, &caller, Perm::ReadGrading, &q.org).await);
    let (state, year, error) = match service::weak_and_lax::filter(&q.state, &q.year) {
        Ok(f) => (q.state.clone(), q.year.clone(), (f.state, f.year, None)),
        Err(service::ServiceError::Invalid(e)) => {
            (String::new(), String::new(), (None, None, Some(lines(&e).join("；"))))
        }
        Err(e) => return caller.fail(e),
    };
    let (st, yr, error) = error;
    let st_code = st.map(|x| x.code()).unwrap_or("");
    let yr_text = yr.map(|y| y.to_string()).unwrap_or_default();
    let read = |p: i64| {
        service::weak_and_lax::list(&s.store, &caller, org.id, st_code, &yr_text, PER_PAGE, (p - 1) * PER_PAGE)
    };
    let ((rows, total), page) = web_core::tri!(paged(&caller, &q.page, PER_PAGE, |x| x.1, read).await);
    let counts = match service::weak_and_lax::counts(&s.store, &caller, org.id, yr).await {
        Ok(c) => c,
        Err(e) => return caller.fail(e),
    };
    let tabs =
        state_tabs().into_iter().map(|(c, l)| (c, l, counts.iter().find(|(x, _)| x == c).map_or(0, |x| x.1))).collect();
    let picker = list_picker(&s, &caller, &org, "/weak-and-lax").await;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let _ = (state, year);
    with_status(
        render(&ListPage {
            nav: caller.nav("weak_and_lax").crumbs(vec![Crumb::new("", "软弱涣散党组织整顿")]),
            notice: notice(&q.ok),
            org_id: org.id,
            org_name: org.name.clone(),
            picker,
            state: st_code.to_string(),
            year: yr_text.clone(),
            tabs,
            all: counts.iter().map(|x| x.1).sum(),
            rows,
            total,
            page,
            pages: web_core::paging::pages(total, PER_PAGE),
            can_manage: caller.can_at(Perm::ManageGrading, &org.path),
            error,
        }),
        status,
    )
}

// ---- entering a suspected organization ------------------------------------------------------

#[derive(Template)]
#[template(path = "grading/weak_new.html")]
struct NewPage {
    nav: Nav,
    picker: OrgPicker,
    criteria: Vec<Criterion>,
    /// Code → (ticked, evidence) as typed.
    typed: Vec<(bool, String)>,
    reason: String,
    others: Vec<String>,
    refusal: Option<String>,
}

/// The form's fields, repeated ones included: `tick` (a code each), `ev_<code>`, `org`, `reason`.
fn pairs_get<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str())
}

fn ticks_of(pairs: &[(String, String)]) -> Vec<TickInput> {
    pairs
        .iter()
        .filter(|(k, _)| k == "tick")
        .map(|(_, c)| TickInput { code: c.clone(), evidence: pairs_get(pairs, &format!("ev_{c}")).to_string() })
        .collect()
}

async fn new_form(
    s: &Shared,
    caller: &Caller,
    org: Option<&store::Visible<domain::org::Org>>,
    pairs: &[(String, String)],
    errs: &FieldErrors,
    refusal: Option<String>,
    status: StatusCode,
) -> Response {
    let criteria = match org {
        Some(o) => {
            service::weak_and_lax::criteria(&s.store, caller, o.id, today()).await.map(|x| x.0).unwrap_or_default()
        }
        None => domain::weak_and_lax::national(),
    };
    let ticks = ticks_of(pairs);
    let typed = criteria
        .iter()
        .map(|c| match ticks.iter().find(|t| t.code == c.code) {
            Some(t) => (true, t.evidence.clone()),
            None => (false, pairs_get(pairs, &format!("ev_{}", c.code)).to_string()),
        })
        .collect();
    let mut picker =
        OrgPicker::new(s, caller, Purpose::Orgs, "org", "党组织", org.map(|o| &**o), "/weak-and-lax/new").await;
    if let Some(e) = errs.0.iter().find(|e| e.field == "党组织") {
        picker.error = e.message.clone();
    }
    with_status(
        render(&NewPage {
            nav: caller
                .nav("weak_and_lax")
                .crumbs(vec![Crumb::new("/weak-and-lax", "软弱涣散党组织整顿"), Crumb::new("", "排查登记")]),
            picker,
            criteria,
            typed,
            reason: pairs_get(pairs, "reason").to_string(),
            others: lines(&FieldErrors(errs.0.iter().filter(|e| e.field != "党组织").cloned().collect())),
            refusal,
        }),
        status,
    )
}

pub async fn new_page(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    web_core::tri!(caller.require(Perm::ManageGrading));
    let org = if q.org.trim().is_empty() {
        None
    } else {
        Some(web_core::tri!(page_org(&s, &caller, Perm::ManageGrading, &q.org).await))
    };
    new_form(&s, &caller, org.as_ref(), &[], &FieldErrors::default(), None, StatusCode::OK).await
}

pub async fn create(
    State(s): State<Shared>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    web_core::tri!(caller.require(Perm::ManageGrading));
    let raw = match pairs_get(&pairs, "org") {
        "" => q.org.clone(),
        o => o.to_string(),
    };
    // the organization is read before anything else: out of scope is 404, whatever was typed
    let org = if raw.trim().is_empty() {
        None
    } else {
        Some(web_core::tri!(page_org(&s, &caller, Perm::ManageGrading, &raw).await))
    };
    web_core::tri!(caller.check_csrf(pairs_get(&pairs, "csrf")));
    let ticks = ticks_of(&pairs);
    let Some(org) = org.filter(|_| !pairs_get(&pairs, "org").is_empty()) else {
        let mut e = FieldErrors(vec![domain::FieldError::new("党组织", "请选择党组织")]);
        if ticks.is_empty() {
            e.push("认定标准", "至少勾选一项认定标准");
        }
        return new_form(&s, &caller, None, &pairs, &e, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match service::weak_and_lax::create(&s.store, &caller, org.id, pairs_get(&pairs, "reason"), &ticks, today()).await {
        Ok(w) => Redirect::to(&format!("/weak-and-lax/{}?ok=created", w.id)).into_response(),
        Err(e) => {
            let (errs, refusal, status) = web_core::tri!(problems(&caller, e));
            new_form(&s, &caller, Some(&org), &pairs, &errs, refusal, status).await
        }
    }
}

// ---- one organization's record ---------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RecordQuery {
    ok: String,
}

/// What a form of the record page typed, to show it again with its problems.
#[derive(Default, Clone)]
struct Typed {
    on: String,
    decision_ref: String,
    note: String,
    county_leader: String,
    township_leader: String,
    paired_dept: String,
    /// The criteria form: code → (ticked, evidence).
    ticks: Vec<TickInput>,
    /// An item's report or decision: the item and its text.
    item: String,
    text: String,
}

#[derive(Template)]
#[template(path = "grading/weak.html")]
struct RecordPage {
    nav: Nav,
    notice: Option<&'static str>,
    error: Vec<String>,
    refusal: Option<String>,
    w: WeakOrg,
    created_at: String,
    ticks: Vec<store::weak_and_lax::Tick>,
    events: Vec<(store::weak_and_lax::Event, String)>,
    items: Vec<(Item, bool)>,
    accepted: usize,
    /// The criteria in force, each with (ticked, evidence) as stored or typed.
    criteria: Vec<(Criterion, bool, String)>,
    missing: Vec<&'static str>,
    may_decide: bool,
    may_work: bool,
    /// The actions the superior may take from the current state.
    actions: Vec<(&'static str, &'static str)>,
    typed: Typed,
    today: String,
}

#[allow(clippy::too_many_arguments)]
async fn record_page(
    s: &Shared,
    caller: &Caller,
    id: i64,
    ok: &str,
    typed: Option<Typed>,
    errs: &FieldErrors,
    refusal: Option<String>,
    status: StatusCode,
) -> Response {
    let today = today();
    let r = match service::weak_and_lax::get(&s.store, caller, id, today).await {
        Ok(r) => r,
        Err(e) => return caller.fail(e),
    };
    let typed = typed.unwrap_or_else(|| Typed {
        county_leader: r.weak.county_leader.clone(),
        township_leader: r.weak.township_leader.clone(),
        paired_dept: r.weak.paired_dept.clone(),
        ticks: r.ticks.iter().map(|t| TickInput { code: t.code.clone(), evidence: t.evidence.clone() }).collect(),
        ..Default::default()
    });
    let mut criteria: Vec<(Criterion, bool, String)> = r
        .criteria
        .iter()
        .map(|c| match typed.ticks.iter().find(|t| t.code == c.code) {
            Some(t) => (c.clone(), true, t.evidence.clone()),
            None => (c.clone(), false, String::new()),
        })
        .collect();
    // a ticked criterion since retired still shows, as it was ticked
    for t in &r.ticks {
        if !criteria.iter().any(|(c, _, _)| c.code == t.code) {
            criteria.push((Criterion { code: t.code.clone(), label: t.label.clone() }, true, t.evidence.clone()));
        }
    }
    let st = r.weak.state();
    let actions = domain::weak_and_lax::Action::ALL
        .iter()
        .filter(|a| domain::weak_and_lax::next(st, **a).is_some())
        .map(|a| (a.code(), a.label()))
        .collect();
    let accepted = r.items.iter().filter(|i| i.status() == domain::weak_and_lax::ItemStatus::Accepted).count();
    with_status(
        render(&RecordPage {
            nav: caller.nav("weak_and_lax").crumbs(vec![
                Crumb::new(format!("/weak-and-lax?org={}", r.weak.org_id), "软弱涣散党组织整顿"),
                Crumb::new("", r.weak.org_name.clone()),
            ]),
            notice: notice(ok),
            error: lines(errs),
            refusal,
            created_at: at(&r.weak.created_at),
            ticks: r.ticks,
            events: r
                .events
                .into_iter()
                .map(|e| {
                    let t = at(&e.done_at);
                    (e, t)
                })
                .collect(),
            items: r
                .items
                .into_iter()
                .map(|i| {
                    let o = i.overdue(today);
                    (i, o)
                })
                .collect(),
            accepted,
            criteria,
            missing: r.missing,
            may_decide: r.may_decide,
            may_work: r.may_work,
            actions,
            typed,
            today: today.to_string(),
            w: r.weak,
        }),
        status,
    )
}

/// `GET /weak-and-lax/{id}`: an organization's record.
pub async fn record(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<RecordQuery>,
) -> Response {
    record_page(&s, &caller, id, &q.ok, None, &FieldErrors::default(), None, StatusCode::OK).await
}

/// Answer a write of the record page: back to it with a notice, or the page again with what was
/// typed and its problems.
async fn after<T>(
    s: &Shared,
    caller: &Caller,
    id: i64,
    r: Result<T, service::ServiceError>,
    ok: &str,
    typed: Typed,
    anchor: &str,
) -> Response {
    match r {
        Ok(_) => Redirect::to(&format!("/weak-and-lax/{id}?ok={ok}{anchor}")).into_response(),
        Err(e) => {
            let (errs, refusal, status) = web_core::tri!(problems(caller, e));
            record_page(s, caller, id, "", Some(typed), &errs, refusal, status).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TransitionForm {
    csrf: String,
    action: String,
    on: String,
    decision_ref: String,
    note: String,
}

pub async fn transition(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<TransitionForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::ManageGrading));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let input = TransitionInput {
        action: f.action.clone(),
        on: f.on.clone(),
        decision_ref: f.decision_ref.clone(),
        note: f.note.clone(),
    };
    let r = service::weak_and_lax::transition(&s.store, &caller, id, &input, today()).await;
    let typed = Typed { on: f.on, decision_ref: f.decision_ref, note: f.note, ..Default::default() };
    let typed = keep_links(&s, &caller, id, typed).await;
    after(&s, &caller, id, r, "moved", typed, "").await
}

/// The stored links and ticks beside a form's typed values (the page shows every form).
async fn keep_links(s: &Shared, caller: &Caller, id: i64, mut t: Typed) -> Typed {
    if let Ok(r) = service::weak_and_lax::get(&s.store, caller, id, today()).await {
        if t.county_leader.is_empty() && t.township_leader.is_empty() && t.paired_dept.is_empty() {
            t.county_leader = r.weak.county_leader.clone();
            t.township_leader = r.weak.township_leader.clone();
            t.paired_dept = r.weak.paired_dept.clone();
        }
        if t.ticks.is_empty() {
            t.ticks =
                r.ticks.iter().map(|x| TickInput { code: x.code.clone(), evidence: x.evidence.clone() }).collect();
        }
    }
    t
}

pub async fn set_ticks(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    web_core::tri!(caller.require(Perm::ManageGrading));
    web_core::tri!(caller.check_csrf(pairs_get(&pairs, "csrf")));
    let ticks = ticks_of(&pairs);
    let r =
        service::weak_and_lax::set_ticks(&s.store, &caller, id, pairs_get(&pairs, "version"), &ticks, today()).await;
    let typed = keep_links(&s, &caller, id, Typed { ticks: ticks.clone(), ..Default::default() }).await;
    let typed = Typed { ticks, ..typed };
    after(&s, &caller, id, r, "criteria", typed, "#criteria").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LinksForm {
    csrf: String,
    county_leader: String,
    township_leader: String,
    paired_dept: String,
}

pub async fn set_links(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<LinksForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::ManageGrading));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let input = LinksInput {
        county_leader: f.county_leader.clone(),
        township_leader: f.township_leader.clone(),
        paired_dept: f.paired_dept.clone(),
    };
    let r = service::weak_and_lax::set_links(&s.store, &caller, id, &input).await;
    let typed = Typed {
        county_leader: f.county_leader,
        township_leader: f.township_leader,
        paired_dept: f.paired_dept,
        ..Default::default()
    };
    let typed = keep_links(&s, &caller, id, typed).await;
    after(&s, &caller, id, r, "links", typed, "#links").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ItemActionForm {
    csrf: String,
    item: String,
    evidence: String,
    decision: String,
    reason: String,
}

pub async fn report_item(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ItemActionForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::AssessGrading));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let r = service::weak_and_lax::report_item(&s.store, &caller, id, &f.item, &f.evidence, today()).await;
    let typed = keep_links(&s, &caller, id, Typed { item: f.item, text: f.evidence, ..Default::default() }).await;
    after(&s, &caller, id, r, "reported", typed, "#plan").await
}

pub async fn decide_item(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ItemActionForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::ManageGrading));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let r = service::weak_and_lax::decide_item(&s.store, &caller, id, &f.item, &f.decision, &f.reason, today()).await;
    let ok = if f.decision == "accept" { "accepted" } else { "returned" };
    let typed = keep_links(&s, &caller, id, Typed { item: f.item, text: f.reason, ..Default::default() }).await;
    after(&s, &caller, id, r, ok, typed, "#plan").await
}

// ---- the plan editor --------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ItemForm {
    csrf: String,
    problem: String,
    measure: String,
    owner: String,
    deadline: String,
}

#[derive(Template)]
#[template(path = "grading/weak_plan.html")]
struct PlanPage {
    nav: Nav,
    notice: Option<&'static str>,
    w: WeakOrg,
    items: Vec<(Item, bool)>,
    fields: Vec<Field>,
    others: Vec<String>,
    refusal: Option<String>,
    editable: bool,
}

#[allow(clippy::too_many_arguments)]
async fn plan_page(
    s: &Shared,
    caller: &Caller,
    id: i64,
    f: &ItemForm,
    errs: &FieldErrors,
    refusal: Option<String>,
    status: StatusCode,
    ok: &str,
) -> Response {
    web_core::tri!(caller.require(Perm::AssessGrading));
    let today = today();
    let r = match service::weak_and_lax::get(&s.store, caller, id, today).await {
        Ok(r) if r.may_work || r.may_decide => r,
        Ok(_) => return caller.fail(service::ServiceError::NotFound("软弱涣散整顿记录")),
        Err(e) => return caller.fail(e),
    };
    let mut fields = vec![
        Field::new("problem", "存在问题", "textarea", &f.problem).req().wide(),
        Field::new("measure", "整改措施", "textarea", &f.measure).req().wide(),
        Field::new("owner", "责任人", "text", &f.owner).req(),
        Field::new("deadline", "完成时限", "date", &f.deadline).req(),
    ];
    let others = attach_errors(&mut fields, errs);
    with_status(
        render(&PlanPage {
            nav: caller.nav("weak_and_lax").crumbs(vec![
                Crumb::new(format!("/weak-and-lax/{id}"), r.weak.org_name.clone()),
                Crumb::new("", "整改方案"),
            ]),
            notice: notice(ok),
            editable: r.weak.state().plan_editable(),
            items: r
                .items
                .into_iter()
                .map(|i| {
                    let o = i.overdue(today);
                    (i, o)
                })
                .collect(),
            w: r.weak,
            fields,
            others,
            refusal,
        }),
        status,
    )
}

/// `GET /weak-and-lax/{id}/plan`: the rectification plan (一村一策) and a form for a new item.
pub async fn plan(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<RecordQuery>,
) -> Response {
    plan_page(&s, &caller, id, &ItemForm::default(), &FieldErrors::default(), None, StatusCode::OK, &q.ok).await
}

pub async fn add_item(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ItemForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::AssessGrading));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let input = ItemInput {
        problem: f.problem.clone(),
        measure: f.measure.clone(),
        owner: f.owner.clone(),
        deadline: f.deadline.clone(),
    };
    match service::weak_and_lax::add_item(&s.store, &caller, id, &input, today()).await {
        Ok(_) => Redirect::to(&format!("/weak-and-lax/{id}/plan?ok=item")).into_response(),
        Err(e) => {
            let (errs, refusal, status) = web_core::tri!(problems(&caller, e));
            plan_page(&s, &caller, id, &f, &errs, refusal, status, "").await
        }
    }
}

// ---- proposals from data ----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "grading/weak_proposals.html")]
struct ProposalsPage {
    nav: Nav,
    org_id: i64,
    org_name: String,
    picker: OrgPicker,
    rows: Vec<WeakOrg>,
    total: i64,
    page: i64,
    pages: i64,
    settings: domain::weak_and_lax::Settings,
    can_manage: bool,
    result: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProposalsQuery {
    org: String,
    page: String,
    created: String,
    already: String,
    checked: String,
}

/// `GET /weak-and-lax/proposals?org=`: the organizations still suspected, with what the data said.
pub async fn proposals(State(s): State<Shared>, caller: Caller, Query(q): Query<ProposalsQuery>) -> Response {
    let org = web_core::tri!(page_org(&s, &caller, Perm::ReadGrading, &q.org).await);
    let read =
        |p: i64| service::weak_and_lax::list(&s.store, &caller, org.id, "suspected", "", PER_PAGE, (p - 1) * PER_PAGE);
    let ((rows, total), page) = web_core::tri!(paged(&caller, &q.page, PER_PAGE, |x| x.1, read).await);
    let settings = match service::weak_and_lax::criteria(&s.store, &caller, org.id, today()).await {
        Ok(x) => x.2,
        Err(e) => return caller.fail(e),
    };
    let result = (!q.checked.is_empty()).then(|| {
        format!(
            "已检查 {} 个基层党组织：新提示 {} 个疑似软弱涣散党组织；{} 个已在整顿名单中，未重复提示。",
            q.checked,
            if q.created.is_empty() { "0" } else { &q.created },
            if q.already.is_empty() { "0" } else { &q.already }
        )
    });
    let picker = list_picker(&s, &caller, &org, "/weak-and-lax/proposals").await;
    render(&ProposalsPage {
        nav: caller.nav("weak_and_lax").crumbs(vec![
            Crumb::new(format!("/weak-and-lax?org={}", org.id), "软弱涣散党组织整顿"),
            Crumb::new("", "数据提示"),
        ]),
        org_id: org.id,
        org_name: org.name.clone(),
        picker,
        rows,
        total,
        page,
        pages: web_core::paging::pages(total, PER_PAGE),
        settings,
        can_manage: caller.can_at(Perm::ManageGrading, &org.path),
        result,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrgForm {
    csrf: String,
    org: String,
}

/// `POST /weak-and-lax/proposals?org=`: read the data of the subtree and propose.
pub async fn propose(
    State(s): State<Shared>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    Form(f): Form<OrgForm>,
) -> Response {
    let raw = if f.org.trim().is_empty() { q.org.clone() } else { f.org.clone() };
    let org = web_core::tri!(page_org(&s, &caller, Perm::ManageGrading, &raw).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    match service::weak_and_lax::propose(&s.store, &caller, org.id, today()).await {
        Ok(p) => Redirect::to(&format!(
            "/weak-and-lax/proposals?org={}&checked={}&created={}&already={}",
            org.id,
            p.checked,
            p.created.len(),
            p.already
        ))
        .into_response(),
        Err(e) => caller.fail(e),
    }
}

// ---- findings ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "grading/weak_findings.html")]
struct FindingsPage {
    nav: Nav,
    notice: Option<&'static str>,
    org_id: i64,
    org_name: String,
    picker: OrgPicker,
    rows: Vec<Finding>,
    total: i64,
    page: i64,
    pages: i64,
    can_manage: bool,
}

/// `GET /weak-and-lax/findings?org=`: overdue items and missing WEAK-06 links in a subtree.
pub async fn findings(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    let org = web_core::tri!(page_org(&s, &caller, Perm::ReadGrading, &q.org).await);
    let read = |p: i64| service::weak_and_lax::findings(&s.store, &caller, org.id, PER_PAGE, (p - 1) * PER_PAGE);
    let ((rows, total), page) = web_core::tri!(paged(&caller, &q.page, PER_PAGE, |x| x.1, read).await);
    let picker = list_picker(&s, &caller, &org, "/weak-and-lax/findings").await;
    render(&FindingsPage {
        nav: caller.nav("weak_and_lax").crumbs(vec![
            Crumb::new(format!("/weak-and-lax?org={}", org.id), "软弱涣散党组织整顿"),
            Crumb::new("", "整改督办"),
        ]),
        notice: notice(&q.ok),
        org_id: org.id,
        org_name: org.name.clone(),
        picker,
        rows,
        total,
        page,
        pages: web_core::paging::pages(total, PER_PAGE),
        can_manage: caller.can_at(Perm::ManageGrading, &org.path),
    })
}

/// `POST /weak-and-lax/findings?org=`: run the daily sweep of the subtree now.
pub async fn sweep(
    State(s): State<Shared>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    Form(f): Form<OrgForm>,
) -> Response {
    let raw = if f.org.trim().is_empty() { q.org.clone() } else { f.org.clone() };
    let org = web_core::tri!(page_org(&s, &caller, Perm::ManageGrading, &raw).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    match service::weak_and_lax::sweep(&s.store, &caller, org.id, today()).await {
        Ok(_) => Redirect::to(&format!("/weak-and-lax/findings?org={}&ok=swept", org.id)).into_response(),
        Err(e) => caller.fail(e),
    }
}

// ---- criteria and settings --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "grading/weak_criteria.html")]
struct CriteriaPage {
    nav: Nav,
    notice: Option<&'static str>,
    org_id: i64,
    org_name: String,
    picker: OrgPicker,
    in_force: Vec<Criterion>,
    local: Vec<LocalCriterion>,
    settings: domain::weak_and_lax::Settings,
    can_manage: bool,
    today: String,
    typed: CriteriaForm,
    errors: Vec<String>,
    refusal: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CriteriaForm {
    csrf: String,
    org: String,
    op: String,
    label: String,
    valid_from: String,
    id: String,
    no_life_months: String,
    vacancy_months: String,
    monitor_months: String,
}

#[allow(clippy::too_many_arguments)]
async fn criteria_page(
    s: &Shared,
    caller: &Caller,
    raw: &str,
    ok: &str,
    typed: CriteriaForm,
    errs: &FieldErrors,
    refusal: Option<String>,
    status: StatusCode,
) -> Response {
    let org = web_core::tri!(page_org(s, caller, Perm::ReadGrading, raw).await);
    let (in_force, local, settings) = match service::weak_and_lax::criteria(&s.store, caller, org.id, today()).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let picker = list_picker(s, caller, &org, "/weak-and-lax/criteria").await;
    with_status(
        render(&CriteriaPage {
            nav: caller.nav("weak_and_lax").crumbs(vec![
                Crumb::new(format!("/weak-and-lax?org={}", org.id), "软弱涣散党组织整顿"),
                Crumb::new("", "认定标准与参数"),
            ]),
            notice: notice(ok),
            org_id: org.id,
            org_name: org.name.clone(),
            picker,
            in_force,
            local,
            settings,
            can_manage: caller.can_at(Perm::ManageGrading, &org.path),
            today: today().to_string(),
            typed,
            errors: lines(errs),
            refusal,
        }),
        status,
    )
}

/// `GET /weak-and-lax/criteria?org=`: the criteria in force, local versions and the settings.
pub async fn criteria(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    criteria_page(&s, &caller, &q.org, &q.ok, CriteriaForm::default(), &FieldErrors::default(), None, StatusCode::OK)
        .await
}

/// `POST /weak-and-lax/criteria?org=`: add a criterion (`op=add`), adopt the local preset
/// (`preset`), retire one (`retire`) or set the settings (`settings`).
pub async fn change_criteria(
    State(s): State<Shared>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    Form(f): Form<CriteriaForm>,
) -> Response {
    let raw = if f.org.trim().is_empty() { q.org.clone() } else { f.org.clone() };
    let org = web_core::tri!(page_org(&s, &caller, Perm::ManageGrading, &raw).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    let r: Result<&str, service::ServiceError> = match f.op.as_str() {
        "add" => service::weak_and_lax::add_criterion(
            &s.store,
            &caller,
            org.id,
            &CriterionInput { label: f.label.clone(), valid_from: f.valid_from.clone() },
        )
        .await
        .map(|_| "criterion"),
        "preset" => {
            service::weak_and_lax::adopt_preset(&s.store, &caller, org.id, &f.valid_from).await.map(|_| "preset")
        }
        "retire" => {
            service::weak_and_lax::retire_criterion(&s.store, &caller, &f.id, &f.valid_from).await.map(|_| "retired")
        }
        "settings" => service::weak_and_lax::set_settings(
            &s.store,
            &caller,
            org.id,
            &SettingsInput {
                no_life_months: f.no_life_months.clone(),
                vacancy_months: f.vacancy_months.clone(),
                monitor_months: f.monitor_months.clone(),
                valid_from: f.valid_from.clone(),
            },
        )
        .await
        .map(|_| "settings"),
        _ => Err(FieldErrors(vec![domain::FieldError::new("操作", "请选择要办理的事项")]).into()),
    };
    match r {
        Ok(ok) => Redirect::to(&format!("/weak-and-lax/criteria?org={}&ok={ok}", org.id)).into_response(),
        Err(e) => {
            let (errs, refusal, status) = web_core::tri!(problems(&caller, e));
            let id = org.id.to_string();
            criteria_page(&s, &caller, &id, "", f, &errs, refusal, status).await
        }
    }
}
