//! 开展分类定级: opening a year's cycle over an organization's subtree (管理分类定级), with the
//! scheme and the indicator catalogue chosen among those in use, or made from the shipped presets
//! on the spot.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Form;
use chrono::Datelike;
use domain::grading::{StepPreset, PRESETS};
use domain::FieldErrors;
use serde::Deserialize;
use web_core::access::Perm;
use web_core::form::{attach_errors, with_status, Field};
use web_core::pages::{render, today};
use web_core::picker::{OrgPicker, Purpose};
use web_core::routes::{Routes, Target};
use web_core::{Caller, Crumb, Nav, Shared};

use super::{page_org, problems};

pub fn routes(r: Routes) -> Routes {
    r.add("GET", "/grading/new", Target::None, get(new_page)).add(
        "POST",
        "/grading/new",
        Target::None,
        axum::routing::post(create),
    )
}

/// The form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct OpenForm {
    csrf: String,
    org: String,
    year: String,
    title: String,
    /// A scheme's id, or `preset:<code>` for a new scheme from a preset.
    scheme: String,
    /// A catalogue's id, or `preset` for a new catalogue from GRADE-04.
    catalogue: String,
    steps: String,
}

#[derive(Template)]
#[template(path = "grading/new.html")]
struct NewPage {
    nav: Nav,
    picker: OrgPicker,
    fields: Vec<Field>,
    others: Vec<String>,
    refusal: Option<String>,
}

fn default_title(year: &str) -> String {
    format!("{}年度基层党组织分类定级", year.trim())
}

async fn form_page(
    s: &Shared,
    caller: &Caller,
    org: Option<&store::Visible<domain::org::Org>>,
    f: &OpenForm,
    errs: &FieldErrors,
    refusal: Option<String>,
    status: StatusCode,
) -> Response {
    let mut schemes: Vec<(String, String)> = vec![(String::new(), "请选择".into())];
    if let Ok(rows) = service::grading::schemes(&s.store, caller).await {
        schemes.extend(
            rows.into_iter().map(|r| (r.id.to_string(), format!("{}（{}，{}）", r.name, r.kind_label(), r.org_name))),
        );
    }
    schemes.extend(PRESETS.iter().map(|(code, label)| (format!("preset:{code}"), format!("新建：{label}"))));
    let mut catalogues: Vec<(String, String)> = vec![(String::new(), "请选择".into())];
    if let Ok(rows) = service::grading::catalogues(&s.store, caller).await {
        catalogues.extend(rows.into_iter().map(|r| (r.id.to_string(), format!("{}（{}）", r.name, r.org_name))));
    }
    catalogues.push(("preset".into(), "新建：基层党组织建设七项指标（GRADE-04）".into()));
    let steps = StepPreset::ALL.iter().map(|p| (p.code().to_string(), p.label().to_string())).collect();
    let mut fields = vec![
        Field::new("year", "年度", "number", &f.year).req(),
        Field::new("title", "标题", "text", &f.title).req().wide(),
        Field::select("scheme", "定级方案", &f.scheme, schemes)
            .req()
            .wide()
            .hint("选用本级或上级已有的方案，或按模板新建（自该年 1 月 1 日起生效，之后可在方案中增加新版本）。"),
        Field::select("catalogue", "指标体系", &f.catalogue, catalogues).req().wide(),
        Field::select("steps", "工作步骤", &f.steps, steps).req().wide(),
    ];
    let others = attach_errors(&mut fields, errs);
    let mut picker = OrgPicker::new(s, caller, Purpose::Orgs, "org", "党组织", org.map(|o| &**o), "/grading/new").await;
    if let Some(e) = errs.0.iter().find(|e| e.field == "党组织" || e.field == "组织") {
        picker.error = e.message.clone();
    }
    let others = others.into_iter().filter(|l| !l.starts_with("党组织") && !l.starts_with("组织")).collect();
    with_status(
        render(&NewPage {
            nav: caller.nav("grading").crumbs(vec![Crumb::new("/grading", "分类定级"), Crumb::new("", "开展分类定级")]),
            picker,
            fields,
            others,
            refusal,
        }),
        status,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    org: String,
}

/// `GET /grading/new`: the form, this year and the GRADE-07 steps chosen.
pub async fn new_page(State(s): State<Shared>, caller: Caller, Query(q): Query<NewQuery>) -> Response {
    web_core::tri!(caller.require(Perm::ManageGrading));
    let org = if q.org.trim().is_empty() {
        None
    } else {
        Some(web_core::tri!(page_org(&s, &caller, Perm::ManageGrading, &q.org).await))
    };
    let year = today().year().to_string();
    let f = OpenForm {
        title: default_title(&year),
        year,
        steps: StepPreset::Grade07.code().into(),
        catalogue: "preset".into(),
        ..OpenForm::default()
    };
    form_page(&s, &caller, org.as_ref(), &f, &FieldErrors::default(), None, StatusCode::OK).await
}

/// `POST /grading/new`: open the cycle; a preset scheme or catalogue is made first, only once the
/// rest of the form is sound, and the form shown again points at what was made.
pub async fn create(State(s): State<Shared>, caller: Caller, Form(mut f): Form<OpenForm>) -> Response {
    web_core::tri!(caller.require(Perm::ManageGrading));
    let org = if f.org.trim().is_empty() {
        None
    } else {
        Some(web_core::tri!(page_org(&s, &caller, Perm::ManageGrading, &f.org).await))
    };
    web_core::tri!(caller.check_csrf(&f.csrf));
    let mut e = FieldErrors::default();
    if org.is_none() {
        e.push("党组织", "请选择开展定级的党组织");
    }
    let year = f.year.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        e.push("年度", "请填写 2000 至 2100 的年度，如 2026");
    }
    if f.title.trim().is_empty() {
        e.push("标题", "请填写标题");
    }
    if StepPreset::from_code(f.steps.trim()).is_none() {
        e.push("工作步骤", "请选择工作步骤");
    }
    if f.scheme.trim().is_empty() {
        e.push("定级方案", "请选择定级方案");
    }
    if f.catalogue.trim().is_empty() {
        e.push("指标体系", "请选择指标体系");
    }
    if !e.is_empty() {
        return form_page(&s, &caller, org.as_ref(), &f, &e, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let (Some(org), Some(year)) = (org, year) else {
        return form_page(&s, &caller, None, &f, &e, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let from = format!("{year}-01-01");
    if let Some(code) = f.scheme.trim().strip_prefix("preset:") {
        let name = PRESETS.iter().find(|p| p.0 == code).map_or("定级方案", |p| p.1);
        let name = name.split('（').next().unwrap_or(name).to_string();
        match service::grading::create_scheme(&s.store, &caller, org.id, &format!("{year}年{name}"), code, &from).await
        {
            Ok(row) => f.scheme = row.id.to_string(),
            Err(err) => {
                let (errs, refusal, status) = web_core::tri!(problems(&caller, err));
                return form_page(&s, &caller, Some(&org), &f, &errs, refusal, status).await;
            }
        }
    }
    if f.catalogue.trim() == "preset" {
        match service::grading::create_catalogue(
            &s.store,
            &caller,
            org.id,
            &format!("{year}年基层党组织建设指标"),
            &from,
        )
        .await
        {
            Ok(row) => f.catalogue = row.id.to_string(),
            Err(err) => {
                let (errs, refusal, status) = web_core::tri!(problems(&caller, err));
                return form_page(&s, &caller, Some(&org), &f, &errs, refusal, status).await;
            }
        }
    }
    let input = service::grading::CycleInput {
        org_id: Some(org.id),
        year: f.year.clone(),
        title: f.title.clone(),
        scheme_id: f.scheme.trim().parse().ok(),
        catalogue_id: f.catalogue.trim().parse().ok(),
        steps: f.steps.clone(),
    };
    match service::grading::open_cycle(&s.store, &caller, &input).await {
        Ok(c) => Redirect::to(&format!("/grading/{}?ok=opened", c.id)).into_response(),
        Err(err) => {
            let (errs, refusal, status) = web_core::tri!(problems(&caller, err));
            form_page(&s, &caller, Some(&org), &f, &errs, refusal, status).await
        }
    }
}
