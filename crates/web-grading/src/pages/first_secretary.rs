//! 第一书记、党建工作指导员: the postings of a subtree (by kind, status and term ending), posting a
//! person to a village or to up to three firms, and a posting's page (the posting, its days there
//! month by month with those below the minimum flagged, its work log, its assessments, ending it).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Form;
use domain::first_secretary::{
    self as rules, AssessInput, AssessKind, DaysInput, Duty, EndInput, Grade, Kind, LogInput, PostingInput, Status,
};
use domain::FieldErrors;
use serde::Deserialize;
use store::first_secretary::{Assessment, Days, Log, Posting};
use web_core::access::Perm;
use web_core::form::{attach_errors, options, with_status, Field};
use web_core::pages::{render, today};
use web_core::picker::{OrgPicker, Purpose};
use web_core::routes::{Routes, Target};
use web_core::{Caller, Crumb, Nav, Shared};

use super::{lines, list_picker, page_org, paged, problems};

const PER_PAGE: i64 = 50;
const LOGS_PER_PAGE: i64 = 20;

pub fn routes(r: Routes) -> Routes {
    r.add("GET", "/first-secretaries", Target::OrgQuery, get(list))
        .add("GET,POST", "/first-secretaries/new", Target::OrgQuery, get(new_page).post(create))
        .add("GET", "/first-secretaries/{id}", Target::FirstSecretary, get(record))
        .add("POST", "/first-secretaries/{id}/days", Target::FirstSecretary, post(set_days))
        .add("POST", "/first-secretaries/{id}/logs", Target::FirstSecretary, post(add_log))
        .add("POST", "/first-secretaries/{id}/assessments", Target::FirstSecretary, post(assess))
        .add("POST", "/first-secretaries/{id}/end", Target::FirstSecretary, post(end))
}

fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "已登记选派。",
        "days" => "已登记在岗天数。",
        "log" => "已记入工作日志。",
        "assessed" => "已登记考核结果。",
        "ended" => "已办理期满或召回。",
        _ => return None,
    })
}

// ---- the list ---------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    org: String,
    kind: String,
    status: String,
    ending: String,
    page: String,
    ok: String,
}

/// A row of the list.
struct Row {
    p: Posting,
    status: &'static str,
    days_left: Option<i64>,
}

#[derive(Template)]
#[template(path = "grading/fs_list.html")]
struct ListPage {
    nav: Nav,
    notice: Option<&'static str>,
    org_id: i64,
    org_name: String,
    picker: OrgPicker,
    kind: String,
    status: String,
    ending: String,
    kinds: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    counts: Vec<(&'static str, i64)>,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    can_manage: bool,
    error: Option<String>,
    query: String,
}

/// `GET /first-secretaries?org=&kind=&status=&ending=`: the postings of a subtree.
pub async fn list(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    let org = web_core::tri!(page_org(&s, &caller, Perm::ReadGrading, &q.org).await);
    let today = today();
    let (f, error) = match service::first_secretary::filter(&q.kind, &q.status, &q.ending) {
        Ok(f) => (f, None),
        Err(service::ServiceError::Invalid(e)) => (Default::default(), Some(lines(&e).join("；"))),
        Err(e) => return caller.fail(e),
    };
    let read =
        |p: i64| service::first_secretary::list(&s.store, &caller, org.id, &f, today, PER_PAGE, (p - 1) * PER_PAGE);
    let ((rows, total), page) = web_core::tri!(paged(&caller, &q.page, PER_PAGE, |x| x.1, read).await);
    let counts = match service::first_secretary::in_post_counts(&s.store, &caller, org.id, today).await {
        Ok(c) => c,
        Err(e) => return caller.fail(e),
    };
    let counts =
        Kind::ALL.iter().map(|k| (k.label(), counts.iter().find(|c| c.0 == k.code()).map_or(0, |c| c.1))).collect();
    let picker = list_picker(&s, &caller, &org, "/first-secretaries").await;
    let kind = f.kind.map(|k| k.code()).unwrap_or("").to_string();
    let status = f.status.map(|k| k.code()).unwrap_or("").to_string();
    let ending = f.ending_within.map(|d| d.to_string()).unwrap_or_default();
    let status_code = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    with_status(
        render(&ListPage {
            nav: caller.nav("first_secretaries").crumbs(vec![Crumb::new("", "第一书记与党建指导员")]),
            notice: notice(&q.ok),
            org_id: org.id,
            org_name: org.name.clone(),
            picker,
            query: format!("org={}&kind={kind}&status={status}&ending={ending}", org.id),
            kind,
            status,
            ending,
            kinds: Kind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
            statuses: Status::ALL.iter().map(|k| (k.code(), k.label())).collect(),
            counts,
            rows: rows
                .into_iter()
                .map(|p| Row { status: p.status_label_on(today), days_left: p.days_left(today), p })
                .collect(),
            total,
            page,
            pages: web_core::paging::pages(total, PER_PAGE),
            can_manage: caller.can_at(Perm::ManageGrading, &org.path),
            error,
        }),
        status_code,
    )
}

// ---- a new posting ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "grading/fs_new.html")]
struct NewPage {
    nav: Nav,
    pickers: Vec<OrgPicker>,
    fields: Vec<Field>,
    duties: Vec<(&'static str, &'static str, &'static str, bool)>,
    others: Vec<String>,
    refusal: Option<String>,
    usual: i32,
}

fn pairs_get<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str())
}

const ORG_FIELDS: [&str; 3] = ["org", "org2", "org3"];

async fn new_form(
    s: &Shared,
    caller: &Caller,
    pairs: &[(String, String)],
    errs: &FieldErrors,
    refusal: Option<String>,
    status: StatusCode,
) -> Response {
    // the picker's page without JavaScript comes back with the organizations chosen so far
    let chosen_so_far: Vec<String> = ORG_FIELDS
        .iter()
        .filter(|f| !pairs_get(pairs, f).trim().is_empty())
        .map(|f| format!("{f}={}", pairs_get(pairs, f).trim()))
        .collect();
    let back = if chosen_so_far.is_empty() {
        "/first-secretaries/new".to_string()
    } else {
        format!("/first-secretaries/new?{}", chosen_so_far.join("&"))
    };
    let mut pickers = Vec::new();
    for (i, field) in ORG_FIELDS.iter().enumerate() {
        let raw = pairs_get(pairs, field);
        let chosen = match raw.trim().parse::<i64>() {
            Ok(id) => service::org::get(&s.store, caller, Perm::ManageGrading, id).await.ok(),
            Err(_) => None,
        };
        let label = if i == 0 { "派驻党组织" } else { "另一家企业党组织" };
        let mut p = OrgPicker::new(s, caller, Purpose::Orgs, field, label, chosen.as_ref(), &back).await;
        if i > 0 {
            p = p.optional().hint("党建工作指导员最多联系 3 家非公有制企业党组织（FS-13）；驻村第一书记不填");
        } else if let Some(e) = errs.0.iter().find(|e| e.field == "派驻党组织") {
            p.error = e.message.clone();
        }
        pickers.push(p);
    }
    let kind = pairs_get(pairs, "kind");
    let mut fields = vec![
        Field::new("name", "姓名", "text", pairs_get(pairs, "name")).req(),
        Field::new("member_id", "党员", "text", pairs_get(pairs, "member_id"))
            .hint("本平台党员的编号（党员名册中可查）；不是本平台党员的留空"),
        Field::new("sending_unit", "派出单位", "text", pairs_get(pairs, "sending_unit")).req(),
        Field::select(
            "kind",
            "选派类别",
            kind,
            options(Kind::ALL.iter().map(|k| (k.code(), k.label())), Some("请选择")),
        )
        .req(),
        Field::new("starts_on", "选派日期", "date", pairs_get(pairs, "starts_on")).req(),
        Field::new("ends_on", "期满日期", "date", pairs_get(pairs, "ends_on"))
            .hint("留空按通常任期计算（FS-06）；任期须为 1 至 3 年（FS-02）"),
    ];
    let mut errs_rest = FieldErrors(errs.0.iter().filter(|e| e.field != "派驻党组织").cloned().collect());
    let duty_err: Vec<String> = errs_rest.0.iter().filter(|e| e.field == "工作职责").map(|e| e.to_string()).collect();
    errs_rest.0.retain(|e| e.field != "工作职责");
    let mut others = attach_errors(&mut fields, &errs_rest);
    others.extend(duty_err);
    let ticked: Vec<&str> = pairs.iter().filter(|(k, _)| k == "duty").map(|(_, v)| v.as_str()).collect();
    let duties = Duty::ALL
        .iter()
        .map(|d| {
            let group =
                if rules::duties_for(Kind::Village).contains(d) { "第一书记" } else { "党建工作指导员" };
            (d.code(), d.label(), group, ticked.contains(&d.code()))
        })
        .collect();
    with_status(
        render(&NewPage {
            nav: caller
                .nav("first_secretaries")
                .crumbs(vec![Crumb::new("/first-secretaries", "第一书记与党建指导员"), Crumb::new("", "登记选派")]),
            pickers,
            fields,
            duties,
            others,
            refusal,
            usual: rules::params(today()).term_usual_years,
        }),
        status,
    )
}

/// `GET /first-secretaries/new?org=&org2=&org3=`: the form, with the organizations chosen so far
/// (the picker's page without JavaScript returns here with one more).
pub async fn new_page(State(s): State<Shared>, caller: Caller, Query(q): Query<Vec<(String, String)>>) -> Response {
    web_core::tri!(caller.require(Perm::ManageGrading));
    let mut pairs = Vec::new();
    for f in ORG_FIELDS {
        let raw = pairs_get(&q, f);
        if !raw.trim().is_empty() {
            let org = web_core::tri!(page_org(&s, &caller, Perm::ManageGrading, raw).await);
            pairs.push((f.to_string(), org.id.to_string()));
        }
    }
    new_form(&s, &caller, &pairs, &FieldErrors::default(), None, StatusCode::OK).await
}

pub async fn create(
    State(s): State<Shared>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    Form(mut pairs): Form<Vec<(String, String)>>,
) -> Response {
    web_core::tri!(caller.require(Perm::ManageGrading));
    if pairs_get(&pairs, "org").trim().is_empty() && !q.org.trim().is_empty() {
        pairs.retain(|(k, _)| k != "org");
        pairs.push(("org".into(), q.org.clone()));
    }
    // the organizations are read before anything else: out of scope is 404, whatever was typed
    for f in ORG_FIELDS {
        let raw = pairs_get(&pairs, f);
        if !raw.trim().is_empty() {
            web_core::tri!(page_org(&s, &caller, Perm::ManageGrading, raw).await);
        }
    }
    web_core::tri!(caller.check_csrf(pairs_get(&pairs, "csrf")));
    let input = PostingInput {
        name: pairs_get(&pairs, "name").into(),
        member_id: pairs_get(&pairs, "member_id").into(),
        sending_unit: pairs_get(&pairs, "sending_unit").into(),
        kind: pairs_get(&pairs, "kind").into(),
        org_ids: ORG_FIELDS.iter().map(|f| pairs_get(&pairs, f).to_string()).filter(|v| !v.trim().is_empty()).collect(),
        starts_on: pairs_get(&pairs, "starts_on").into(),
        ends_on: pairs_get(&pairs, "ends_on").into(),
        duties: pairs.iter().filter(|(k, _)| k == "duty").map(|(_, v)| v.clone()).collect(),
    };
    match service::first_secretary::create(&s.store, &caller, &input).await {
        Ok(p) => Redirect::to(&format!("/first-secretaries/{}?ok=created", p.id)).into_response(),
        Err(e) => {
            let (errs, refusal, status) = web_core::tri!(problems(&caller, e));
            new_form(&s, &caller, &pairs, &errs, refusal, status).await
        }
    }
}

// ---- a posting's page -------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RecordQuery {
    ok: String,
    page: String,
}

/// What a form of the posting's page typed, to show it again with its problems.
#[derive(Default, Clone, Deserialize)]
#[serde(default)]
pub struct Typed {
    csrf: String,
    // days
    month: String,
    days: String,
    // log
    on: String,
    duty: String,
    content: String,
    // assessment
    kind: String,
    year: String,
    grade: String,
    absences: String,
    // days' note, assessment's opinion
    note: String,
    // ending
    status: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "grading/fs.html")]
struct RecordPage {
    nav: Nav,
    notice: Option<&'static str>,
    /// The form the problems belong to (`days`, `log`, `assess`, `end`).
    form: &'static str,
    error: Vec<String>,
    refusal: Option<String>,
    p: Posting,
    status: &'static str,
    days_left: Option<i64>,
    days: Vec<Days>,
    short_months: usize,
    logs: Vec<Log>,
    logs_total: i64,
    page: i64,
    pages: i64,
    assessments: Vec<Assessment>,
    min_days: i32,
    may_manage: bool,
    may_log: bool,
    duties: Vec<(&'static str, &'static str)>,
    assess_kinds: Vec<(&'static str, &'static str)>,
    grades: Vec<(&'static str, &'static str)>,
    typed: Typed,
    today: String,
    this_month: String,
    this_year: i32,
    in_post: bool,
}

#[allow(clippy::too_many_arguments)]
async fn record_page(
    s: &Shared,
    caller: &Caller,
    id: i64,
    q: &RecordQuery,
    form: &'static str,
    typed: Typed,
    errs: &FieldErrors,
    refusal: Option<String>,
    status: StatusCode,
) -> Response {
    let today = today();
    let asked = web_core::paging::asked(&q.page);
    let mut r =
        match service::first_secretary::get(&s.store, caller, id, today, LOGS_PER_PAGE, (asked - 1) * LOGS_PER_PAGE)
            .await
        {
            Ok(r) => r,
            Err(e) => return caller.fail(e),
        };
    let pages = web_core::paging::pages(r.logs_total, LOGS_PER_PAGE);
    let page = web_core::paging::clamp(asked, r.logs_total, LOGS_PER_PAGE);
    if page != asked {
        match service::first_secretary::get(&s.store, caller, id, today, LOGS_PER_PAGE, (page - 1) * LOGS_PER_PAGE)
            .await
        {
            Ok(x) => r = x,
            Err(e) => return caller.fail(e),
        }
    }
    let kind = r.posting.kind();
    let st = r.posting.status_on(today);
    with_status(
        render(&RecordPage {
            nav: caller.nav("first_secretaries").crumbs(vec![
                Crumb::new(
                    format!("/first-secretaries?org={}", r.posting.orgs.first().map_or(0, |o| o.id)),
                    "第一书记与党建指导员",
                ),
                Crumb::new("", r.posting.name.clone()),
            ]),
            notice: notice(&q.ok),
            form,
            error: lines(errs),
            refusal,
            status: st.label(),
            days_left: r.posting.days_left(today),
            short_months: r.days.iter().filter(|d| d.short).count(),
            days: r.days,
            logs: r.logs,
            logs_total: r.logs_total,
            page,
            pages,
            assessments: r.assessments,
            min_days: r.params.min_days(kind),
            may_manage: r.may_manage,
            may_log: r.may_log && r.posting.status() != Status::Recalled,
            duties: rules::duties_for(kind).iter().map(|d| (d.code(), d.label())).collect(),
            assess_kinds: AssessKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
            grades: Grade::ALL.iter().map(|k| (k.code(), k.label())).collect(),
            typed,
            today: today.to_string(),
            this_month: today.format("%Y-%m").to_string(),
            this_year: chrono::Datelike::year(&today),
            in_post: r.posting.status() == Status::InPost,
            p: r.posting,
        }),
        status,
    )
}

/// `GET /first-secretaries/{id}`: a posting with its days, log and assessments.
pub async fn record(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<RecordQuery>,
) -> Response {
    record_page(&s, &caller, id, &q, "", Typed::default(), &FieldErrors::default(), None, StatusCode::OK).await
}

async fn after<T>(
    s: &Shared,
    caller: &Caller,
    id: i64,
    r: Result<T, service::ServiceError>,
    ok: &str,
    form: &'static str,
    typed: Typed,
) -> Response {
    match r {
        Ok(_) => Redirect::to(&format!("/first-secretaries/{id}?ok={ok}#{form}")).into_response(),
        Err(e) => {
            let (errs, refusal, status) = web_core::tri!(problems(caller, e));
            record_page(s, caller, id, &RecordQuery::default(), form, typed, &errs, refusal, status).await
        }
    }
}

/// `POST /first-secretaries/{id}/days`: a month's days there (a manager, or the person posted).
pub async fn set_days(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>, Form(f): Form<Typed>) -> Response {
    web_core::tri!(caller.check_csrf(&f.csrf));
    let input = DaysInput { month: f.month.clone(), days: f.days.clone(), note: f.note.clone() };
    let r = service::first_secretary::set_days(&s.store, &caller, id, &input, today()).await;
    after(&s, &caller, id, r, "days", "days", f).await
}

/// `POST /first-secretaries/{id}/logs`: a work-log entry (a manager, or the person posted).
pub async fn add_log(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>, Form(f): Form<Typed>) -> Response {
    web_core::tri!(caller.check_csrf(&f.csrf));
    let input = LogInput { on: f.on.clone(), duty: f.duty.clone(), content: f.content.clone() };
    let r = service::first_secretary::add_log(&s.store, &caller, id, &input, today()).await;
    after(&s, &caller, id, r, "log", "log", f).await
}

/// `POST /first-secretaries/{id}/assessments`: a yearly or end-of-term assessment.
pub async fn assess(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>, Form(f): Form<Typed>) -> Response {
    web_core::tri!(caller.require(Perm::ManageGrading));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let input = AssessInput {
        kind: f.kind.clone(),
        year: f.year.clone(),
        grade: f.grade.clone(),
        absences: f.absences.clone(),
        note: f.note.clone(),
    };
    let r = service::first_secretary::assess(&s.store, &caller, id, &input, today()).await;
    after(&s, &caller, id, r, "assessed", "assess", f).await
}

/// `POST /first-secretaries/{id}/end`: 期满 or 召回.
pub async fn end(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>, Form(f): Form<Typed>) -> Response {
    web_core::tri!(caller.require(Perm::ManageGrading));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let input = EndInput { status: f.status.clone(), on: f.on.clone(), reason: f.reason.clone() };
    let r = service::first_secretary::end(&s.store, &caller, id, &input, today()).await;
    after(&s, &caller, id, r, "ended", "end", f).await
}
