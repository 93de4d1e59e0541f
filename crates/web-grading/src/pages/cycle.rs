//! 分类定级 cycles: the cycles over or within the caller's scope, newest first, one page at a
//! time, each with its year, organization, steps and publicity window.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Form;
use serde::Deserialize;
use service::ServiceError;
use web_core::access::Perm;
use web_core::error_page;
use web_core::pages::render;
use web_core::pages::today;
use web_core::routes::{Routes, Target};
use web_core::{Caller, Crumb, Nav, Shared};

const PER_PAGE: i64 = 50;

pub fn routes(r: Routes) -> Routes {
    r.add("GET", "/grading", Target::None, get(list))
        .add("GET", "/grading/{id}", Target::GradingCycle, get(show))
        .add("POST", "/grading/{id}/compute", Target::GradingCycle, post(compute))
        .add("POST", "/grading/{id}/publish", Target::GradingCycle, post(publish))
        .add("POST", "/grading/{id}/finalize", Target::GradingCycle, post(finalize))
        .add("POST", "/grading/{id}/satisfaction", Target::GradingCycle, post(satisfaction))
        .add("POST", "/grading/{id}/weak", Target::GradingCycle, post(propose_weak))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    page: String,
}

/// One cycle as the list shows it.
struct Row {
    cycle: store::grading::Cycle,
    /// The cycle's steps in order.
    steps: String,
    publicity: String,
}

#[derive(Template)]
#[template(path = "grading/cycles.html")]
struct ListPage {
    nav: Nav,
    /// The caller may open a cycle (管理分类定级 somewhere).
    may_open: bool,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
}

fn row(c: store::grading::Cycle) -> Row {
    let steps = c.steps().into_iter().map(|s| s.label).collect::<Vec<_>>().join(" → ");
    let publicity = match (c.publicity_on, c.publicity_end_on) {
        (Some(a), Some(b)) => format!("{a} 至 {b}"),
        _ => "未公示".into(),
    };
    Row { cycle: c, steps, publicity }
}

/// `GET /grading`: the grading cycles the caller sees.
pub async fn list(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    let read = |p: i64| service::grading::cycles(&s.store, &caller, PER_PAGE, (p - 1) * PER_PAGE);
    let ((rows, total), page) =
        match web_core::paging::within_total(web_core::paging::asked(&q.page), PER_PAGE, |x| x.1, read).await {
            Ok(x) => x,
            Err(e) => return caller.fail(e),
        };
    render(&ListPage {
        nav: caller.nav("grading").crumbs(vec![Crumb::new("", "分类定级")]),
        may_open: caller.has(Perm::ManageGrading),
        rows: rows.into_iter().map(row).collect(),
        total,
        page,
        pages: web_core::paging::pages(total, PER_PAGE),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    page: String,
    grade: String,
    ok: String,
    /// What reading a survey's tally did (after `POST /grading/{id}/satisfaction`).
    read: String,
}

/// One entry as the cycle's table shows it.
struct EntryRow {
    id: i64,
    org_name: String,
    state: &'static str,
    total: String,
    grade: String,
    lowered: String,
}

#[derive(Template)]
#[template(path = "grading/cycle.html")]
struct ShowPage {
    nav: Nav,
    notice: Option<&'static str>,
    may_manage: bool,
    /// The caller may read a survey's tally into the cycle (分类定级评分).
    may_assess: bool,
    /// The surveys of the cycle's organization the caller manages (id, title), for the choice;
    /// empty: the survey's number is typed.
    surveys: Vec<(i64, String)>,
    /// What reading a survey's tally did, when it was just done.
    read: Option<String>,
    warnings: Vec<String>,
    cycle: store::grading::Cycle,
    steps: Vec<String>,
    publicity: String,
    counts: Vec<(String, i64)>,
    /// The scheme's grades (code, label) for the filter.
    grades: Vec<(String, String)>,
    grade: String,
    rows: Vec<EntryRow>,
    total: i64,
    page: i64,
    pages: i64,
}

/// `GET /grading/{id}`: a cycle with its steps, how many entries stand in each state and grade,
/// and the entries of the caller's subtree (filtered by grade), one page at a time.
pub async fn show(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Response {
    let view = match service::grading::cycle(&s.store, &caller, id).await {
        Ok(v) => v,
        Err(e) => return caller.fail(e),
    };
    let grade = q.grade.trim().to_string();
    let filter = store::grading::EntryFilter { state: None, grade: (!grade.is_empty()).then(|| grade.clone()) };
    let read = |p: i64| service::grading::entries(&s.store, &caller, id, &filter, PER_PAGE, (p - 1) * PER_PAGE);
    let ((entries, total), page) =
        match web_core::paging::within_total(web_core::paging::asked(&q.page), PER_PAGE, |x| x.1, read).await {
            Ok(x) => x,
            Err(e) => return caller.fail(e),
        };
    let scheme = &view.scheme;
    let rows = entries
        .into_iter()
        .map(|e| EntryRow {
            id: e.id,
            state: e.state().label(),
            total: e.computed_milli.map_or_else(|| "—".into(), |m| format!("{:.1}", m as f64 / 1000.0)),
            grade: e.grade.as_deref().map_or_else(|| "—".into(), |g| scheme.label(g)),
            lowered: if e.lowered_by.is_empty() { String::new() } else { e.lowered_why.clone() },
            org_name: e.org_name,
        })
        .collect();
    let counts = view
        .counts
        .iter()
        .map(|(k, n)| {
            let label =
                domain::grading::EntryState::from_code(k).map_or_else(|| scheme.label(k), |s| s.label().to_string());
            (label, *n)
        })
        .collect();
    let c = &view.cycle;
    let surveys = if caller.has(Perm::ManageSurveys) {
        service::survey::list(&s.store, &caller, c.org_id, 100, 0)
            .await
            .map(|(l, _)| {
                l.into_iter().map(|v| (v.id, format!("{}（{} 至 {}）", v.title, v.opens_on, v.closes_on))).collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    render(&ShowPage {
        nav: caller.nav("grading").crumbs(vec![Crumb::new("/grading", "分类定级"), Crumb::new("", &c.title)]),
        notice: match q.ok.as_str() {
            "computed" => Some("已按定级方案计算等次。"),
            "published" => Some("已公示，公示期内可提出异议。"),
            "finalized" => Some("已核准定级。"),
            "opened" => Some("已开展分类定级，定级对象已列出。"),
            _ => None,
        },
        may_manage: view.may_manage,
        may_assess: caller.can_at(Perm::AssessGrading, &c.org_path),
        surveys,
        read: (!q.read.is_empty()).then(|| q.read.clone()),
        warnings: c.warning_lines().into_iter().map(str::to_string).collect(),
        steps: c.steps().into_iter().map(|s| format!("{}（{}）", s.label, s.owner.label())).collect(),
        publicity: row(c.clone()).publicity,
        counts,
        grades: scheme.bands.iter().map(|b| (b.code.clone(), b.label.clone())).collect(),
        grade,
        rows,
        total,
        page,
        pages: web_core::paging::pages(total, PER_PAGE),
        cycle: view.cycle,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    csrf: String,
}

/// After an action: back to the cycle with a notice, or the refusal (a grade computed before the
/// steps are done, finalizing before publicity ends or with an unanswered objection) shown as it is.
fn after(caller: &Caller, id: i64, title: &str, ok: &str, r: Result<(), ServiceError>) -> Response {
    match r {
        Ok(()) => Redirect::to(&format!("/grading/{id}?ok={ok}")).into_response(),
        Err(ServiceError::Refused(m)) => web_core::form::with_status(
            error_page(StatusCode::CONFLICT, title, &format!("{m}。请返回定级工作页面。")),
            StatusCode::CONFLICT,
        ),
        Err(ServiceError::Invalid(e)) => {
            let msg = e.0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("；");
            web_core::form::with_status(
                error_page(StatusCode::UNPROCESSABLE_ENTITY, title, &format!("{msg}。请返回定级工作页面。")),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => caller.fail(e),
    }
}

/// The cycle, when the caller manages it: a cycle they only read (one opened above them) is as
/// out of their scope as any other record they may not change (404).
async fn managed(s: &Shared, caller: &Caller, id: i64) -> Result<(), Response> {
    let view = service::grading::cycle(&s.store, caller, id).await.map_err(|e| caller.fail(e))?;
    caller.require(Perm::ManageGrading)?;
    if view.may_manage {
        Ok(())
    } else {
        Err(caller.fail(ServiceError::NotFound("定级工作")))
    }
}

/// `POST /grading/{id}/compute`: 计算等次 for every entry of the cycle (管理分类定级).
pub async fn compute(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    web_core::tri!(managed(&s, &caller, id).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    let r = service::grading::compute(&s.store, &caller, id, today()).await.map(|_| ());
    after(&caller, id, "未能计算等次", "computed", r)
}

/// `POST /grading/{id}/publish`: 公示 the computed grades for the scheme's days.
pub async fn publish(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    web_core::tri!(managed(&s, &caller, id).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    let r = service::grading::publish(&s.store, &caller, id, today()).await.map(|_| ());
    after(&caller, id, "未能公示", "published", r)
}

/// `POST /grading/{id}/finalize`: 定级 once publicity has ended and every objection is answered.
pub async fn finalize(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    web_core::tri!(managed(&s, &caller, id).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    let r = service::grading::finalize(&s.store, &caller, id, today()).await.map(|_| ());
    after(&caller, id, "未能定级", "finalized", r)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SatisfactionForm {
    csrf: String,
    survey: String,
}

/// `POST /grading/{id}/satisfaction`: read the satisfaction rates of the cycle's organizations from
/// a 测评's tally (分类定级评分); back to the cycle saying how many were set, which had no rate and
/// which fall short of the survey's coverage targets.
pub async fn satisfaction(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<SatisfactionForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::AssessGrading));
    if let Err(e) = service::grading::cycle(&s.store, &caller, id).await {
        return caller.fail(e);
    }
    web_core::tri!(caller.check_csrf(&f.csrf));
    let Ok(survey) = f.survey.trim().parse::<i64>() else {
        let mut e = domain::FieldErrors::default();
        e.push("测评", "请选择或填写测评编号");
        return after(&caller, id, "未能读取满意率", "", Err(ServiceError::Invalid(e)));
    };
    match service::grading::satisfaction_from_survey(&s.store, &caller, id, survey, today()).await {
        Ok(r) => {
            let mut said = format!("已从{}读取 {} 个党组织的满意率", r.source, r.set);
            if !r.without_rate.is_empty() {
                said.push_str(&format!("；{} 个无测评结果（{}）", r.without_rate.len(), names(&r.without_rate)));
            }
            if !r.below_coverage.is_empty() {
                said.push_str(&format!(
                    "；{} 个测评覆盖面未达标（{}），请评定时斟酌",
                    r.below_coverage.len(),
                    names(&r.below_coverage)
                ));
            }
            if r.kept > 0 {
                said.push_str(&format!("；{} 个已公示或已定级，未改动", r.kept));
            }
            let q = serde_urlencoded::to_string([("read", said.as_str())]).unwrap_or_default();
            Redirect::to(&format!("/grading/{id}?{q}")).into_response()
        }
        Err(e) => after(&caller, id, "未能读取满意率", "", Err(e)),
    }
}

/// The first few names of a list, and how many more.
fn names(all: &[String]) -> String {
    let mut s = all.iter().take(5).cloned().collect::<Vec<_>>().join("、");
    if all.len() > 5 {
        s.push_str(&format!(" 等 {} 个", all.len()));
    }
    s
}

/// `POST /grading/{id}/weak`: the organizations graded final at the lowest grade become suspected
/// weak and lax (管理分类定级); back to the cycle saying how many were listed.
pub async fn propose_weak(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    web_core::tri!(managed(&s, &caller, id).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    match service::grading::propose_bottom(&s.store, &caller, id, today()).await {
        Ok(p) => {
            let said = if p.checked == 0 {
                "没有确定为末等的党组织，未列入软弱涣散排查".to_string()
            } else {
                format!(
                    "末等党组织 {} 个：{} 个已列为疑似软弱涣散党组织，待认定；{} 个已在整顿中",
                    p.checked,
                    p.created.len(),
                    p.already
                )
            };
            let q = serde_urlencoded::to_string([("read", said.as_str())]).unwrap_or_default();
            Redirect::to(&format!("/grading/{id}?{q}")).into_response()
        }
        Err(e) => after(&caller, id, "未能列入软弱涣散排查", "", Err(e)),
    }
}
