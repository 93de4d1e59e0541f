//! 培训班: the classes of a subtree, holding one, one class with its trainees and their attendance,
//! and rotation coverage of branch secretaries (the untrained listed first).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::campaign::training::{Audience, ClassInput, COMPLETION_SHARE};
use domain::FieldErrors;
use serde::Deserialize;
use web_core::access::Perm;
use web_core::form::{attach_errors, with_status, Field};
use web_core::pages::{render, today};
use web_core::picker::{OrgPicker, Purpose};
use web_core::{error_page, Caller, Crumb, Nav, Shared};

use super::{form_org, list_org, list_picker, notice, paged, problems};

const PER_PAGE: i64 = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    org: String,
    page: String,
    ok: String,
    on: String,
}

#[derive(Template)]
#[template(path = "campaign/training.html")]
struct ListPage {
    nav: Nav,
    org_id: i64,
    org_name: String,
    picker: OrgPicker,
    rows: Vec<store::campaign::training::Class>,
    total: i64,
    page: i64,
    pages: i64,
    can_hold: bool,
}

pub async fn list(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    let org = match list_org(&s, &caller, &q.org).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let read = |p: i64| service::campaign::training::list(&s.store, &caller, org.id, PER_PAGE, (p - 1) * PER_PAGE);
    let ((rows, total), page) = match paged(&caller, &q.page, PER_PAGE, |x| x.1, read).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let picker = list_picker(&s, &caller, &org, "/training").await;
    render(&ListPage {
        nav: caller.nav("training").crumbs(vec![Crumb::new("/campaigns", "创建活动"), Crumb::new("", "培训班")]),
        org_id: org.id,
        org_name: org.name.clone(),
        picker,
        rows,
        total,
        page,
        pages: web_core::paging::pages(total, PER_PAGE),
        can_hold: caller.can_at(Perm::ManageCampaigns, &org.path),
    })
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ClassForm {
    csrf: String,
    org: String,
    name: String,
    audience: String,
    starts_on: String,
    ends_on: String,
    sessions: String,
    place: String,
}

#[derive(Template)]
#[template(path = "campaign/training_form.html")]
struct FormPage {
    nav: Nav,
    picker: OrgPicker,
    fields: Vec<Field>,
    others: Vec<String>,
}

async fn form(s: &Shared, caller: &Caller, f: &ClassForm, errs: &FieldErrors) -> Response {
    let chosen = match f.org.trim().parse::<i64>() {
        Ok(o) => service::org::get(&s.store, caller, Perm::ManageCampaigns, o).await.ok(),
        Err(_) => None,
    };
    let mut picker =
        OrgPicker::new(s, caller, Purpose::ManageCampaigns, "org", "主办单位", chosen.as_ref(), "/training/new").await;
    let audiences = web_core::form::options(Audience::ALL.iter().map(|a| (a.code(), a.label())), Some("请选择"));
    let mut fields = vec![
        Field::new("name", "培训班名称", "text", &f.name).req().wide(),
        Field::select("audience", "培训对象", &f.audience, audiences).req(),
        Field::new("sessions", "课次", "number", &f.sessions)
            .req()
            .hint(format!("学员出勤达到课次的 {:.0}% 即为结业", COMPLETION_SHARE * 100.0)),
        Field::new("starts_on", "开班日期", "date", &f.starts_on).req(),
        Field::new("ends_on", "结业日期", "date", &f.ends_on).req(),
        Field::new("place", "地点", "text", &f.place).wide(),
    ];
    let mut errs = errs.clone();
    if let Some(i) = errs.0.iter().position(|e| e.field == "主办单位") {
        picker.error = errs.0.remove(i).message;
    }
    let others = attach_errors(&mut fields, &errs);
    let status =
        if errs.is_empty() && picker.error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    with_status(
        render(&FormPage {
            nav: caller.nav("training").crumbs(vec![Crumb::new("/training", "培训班"), Crumb::new("", "登记培训班")]),
            picker,
            fields,
            others,
        }),
        status,
    )
}

pub async fn new_page(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    if let Err(r) = form_org(&s, &caller, Perm::ManageCampaigns, &q.org).await {
        return r;
    }
    let t = today().to_string();
    let f =
        ClassForm { org: q.org.clone(), starts_on: t.clone(), ends_on: t, sessions: "5".into(), ..Default::default() };
    form(&s, &caller, &f, &FieldErrors::default()).await
}

pub async fn create(
    State(s): State<Shared>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    Form(mut f): Form<ClassForm>,
) -> Response {
    if f.org.trim().is_empty() {
        f.org = q.org.clone();
    }
    let org = match form_org(&s, &caller, Perm::ManageCampaigns, &f.org).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    web_core::tri!(caller.check_csrf(&f.csrf));
    let Some(org) = org else {
        return form(&s, &caller, &f, &FieldErrors(vec![domain::FieldError::new("主办单位", "请选择主办单位")])).await;
    };
    let input = ClassInput {
        name: f.name.clone(),
        audience: f.audience.clone(),
        starts_on: f.starts_on.clone(),
        ends_on: f.ends_on.clone(),
        sessions: f.sessions.clone(),
        place: f.place.clone(),
    };
    match service::campaign::training::add(&s.store, &caller, org.id, &input, None).await {
        Ok(k) => Redirect::to(&format!("/training/{}?ok=class", k.id)).into_response(),
        Err(e) => {
            let (errs, _, _) = web_core::tri!(problems(&caller, e));
            form(&s, &caller, &f, &errs).await
        }
    }
}

#[derive(Template)]
#[template(path = "campaign/class.html")]
struct ShowPage {
    nav: Nav,
    notice: Option<&'static str>,
    k: store::campaign::training::Class,
    trainees: Vec<store::campaign::training::Trainee>,
    can_attend: bool,
    error: Option<String>,
    rows_text: String,
}

pub async fn show(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Response {
    show_page(&s, &caller, id, notice(&q.ok), None, String::new()).await
}

async fn show_page(
    s: &Shared,
    caller: &Caller,
    id: i64,
    notice: Option<&'static str>,
    error: Option<String>,
    rows_text: String,
) -> Response {
    let (k, trainees) = match service::campaign::training::get(&s.store, caller, id).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    with_status(
        render(&ShowPage {
            nav: caller.nav("training").crumbs(vec![Crumb::new("/training", "培训班"), Crumb::new("", k.name.clone())]),
            notice,
            can_attend: caller.can_at(Perm::ReportCampaigns, &k.org_path),
            k,
            trainees,
            error,
            rows_text,
        }),
        status,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AttendForm {
    csrf: String,
    /// One trainee a line: `党员编号 出勤课次`.
    rows: String,
}

pub async fn attend(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<AttendForm>,
) -> Response {
    // the class must be one the caller sees before the form is looked at
    web_core::tri!(service::campaign::training::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in f.rows.lines().enumerate() {
        let p: Vec<&str> = line.split([' ', '\t', ',', '，', '\u{3000}']).filter(|x| !x.is_empty()).collect();
        match p.as_slice() {
            [] => continue,
            [m, a] => match (m.parse::<i64>(), a.parse::<i64>()) {
                (Ok(m), Ok(a)) => rows.push((m, a)),
                _ => bad.push(format!("第 {} 行应为“党员编号 出勤课次”两个整数", i + 1)),
            },
            _ => bad.push(format!("第 {} 行应为“党员编号 出勤课次”", i + 1)),
        }
    }
    if !bad.is_empty() {
        return show_page(&s, &caller, id, None, Some(format!("学员：{}", bad.join("；"))), f.rows).await;
    }
    match service::campaign::training::attend(&s.store, &caller, id, &rows).await {
        Ok(_) => Redirect::to(&format!("/training/{id}?ok=attended")).into_response(),
        Err(e) => match problems(&caller, e) {
            Ok((errs, refusal, _)) => {
                let msg =
                    refusal.unwrap_or_else(|| errs.0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("；"));
                show_page(&s, &caller, id, None, Some(msg), f.rows).await
            }
            Err(r) => r,
        },
    }
}

#[derive(Template)]
#[template(path = "campaign/coverage.html")]
struct CoveragePage {
    nav: Nav,
    org_id: i64,
    org_name: String,
    picker: OrgPicker,
    on: String,
    trained: i64,
    total: i64,
    rate: String,
    untrained: Vec<store::campaign::training::Secretary>,
    untrained_total: usize,
    page: i64,
    pages: i64,
}

/// `GET /training/coverage?org=&on=&page=`: rotation coverage of branch secretaries, the
/// untrained 50 a page.
pub async fn coverage(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    let org = match list_org(&s, &caller, &q.org).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let on = if q.on.trim().is_empty() {
        today()
    } else {
        match domain::dates::parse_date(&q.on) {
            Ok(d) => d,
            Err(m) => return error_page(StatusCode::UNPROCESSABLE_ENTITY, "日期无效", &format!("统计日期：{m}")),
        }
    };
    let (rows, trained, total) = match service::campaign::training::coverage(&s.store, &caller, org.id, on).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let untrained: Vec<_> = rows.into_iter().filter(|r| r.trained == 0).collect();
    let n = untrained.len();
    let page = web_core::paging::clamp(web_core::paging::asked(&q.page), n as i64, PER_PAGE);
    let picker = list_picker(&s, &caller, &org, "/training/coverage").await;
    render(&CoveragePage {
        nav: caller.nav("training").crumbs(vec![Crumb::new("/training", "培训班"), Crumb::new("", "轮训覆盖率")]),
        org_id: org.id,
        org_name: org.name.clone(),
        picker,
        on: on.to_string(),
        trained,
        total,
        rate: if total > 0 { format!("{:.1}%", trained as f64 * 100.0 / total as f64) } else { "—".into() },
        untrained: untrained.into_iter().skip(((page - 1) * PER_PAGE) as usize).take(PER_PAGE as usize).collect(),
        untrained_total: n,
        page,
        pages: web_core::paging::pages(n as i64, PER_PAGE),
    })
}
