//! 定级方案与指标体系: the schemes and catalogues a 组织部 sets, as dated versions. Every bound,
//! cap, quota, weight and publicity window of a scheme, and every item, weight and source of a
//! catalogue, is typed into a new version starting on a date; a cycle applies the version in
//! force in its year. Made from the shipped presets, then changed.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Form;
use domain::grading::input::{CatalogueInput, SchemeInput};
use domain::grading::{Combine, Scheme, PRESETS};
use domain::FieldErrors;
use serde::Deserialize;
use web_core::access::Perm;
use web_core::form::{attach_errors, with_status, Field};
use web_core::pages::{render, today};
use web_core::picker::{OrgPicker, Purpose};
use web_core::routes::{Routes, Target};
use web_core::{Caller, Crumb, Nav, Shared};

use super::{at, page_org, problems};

pub fn routes(r: Routes) -> Routes {
    r.add("GET", "/grading/schemes", Target::None, get(list))
        .add("POST", "/grading/schemes", Target::None, post(create_scheme))
        .add("POST", "/grading/catalogues", Target::None, post(create_catalogue))
        .add("GET", "/grading/schemes/{id}", Target::GradingScheme, get(scheme))
        .add("POST", "/grading/schemes/{id}", Target::GradingScheme, post(add_scheme_version))
        .add("GET", "/grading/catalogues/{id}", Target::GradingCatalogue, get(catalogue))
        .add("POST", "/grading/catalogues/{id}", Target::GradingCatalogue, post(edit_catalogue))
}

// ---- the list, and making one from a preset ---------------------------------------------------

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct NewForm {
    csrf: String,
    org: String,
    name: String,
    preset: String,
    valid_from: String,
}

struct Row {
    id: i64,
    name: String,
    kind: String,
    org_name: String,
    created: String,
}

#[derive(Template)]
#[template(path = "grading/schemes.html")]
struct ListPage {
    nav: Nav,
    schemes: Vec<Row>,
    catalogues: Vec<Row>,
    may_manage: bool,
    scheme_picker: OrgPicker,
    scheme_fields: Vec<Field>,
    scheme_others: Vec<String>,
    catalogue_picker: OrgPicker,
    catalogue_fields: Vec<Field>,
    catalogue_others: Vec<String>,
}

/// Which of the two forms was sent, with what was typed and its problems.
enum Sent<'a> {
    None,
    Scheme(&'a NewForm, &'a FieldErrors),
    Catalogue(&'a NewForm, &'a FieldErrors),
}

async fn picker(s: &Shared, caller: &Caller, field: &'static str, raw: &str, errs: &FieldErrors) -> OrgPicker {
    let org = if raw.trim().is_empty() { None } else { page_org(s, caller, Perm::ManageGrading, raw).await.ok() };
    let mut p = OrgPicker::new(s, caller, Purpose::Orgs, field, "所属党组织", org.as_deref(), "/grading/schemes")
        .await
        .hint("方案与指标体系归该党组织的组织部所有，其下级开展定级时也可选用");
    if let Some(e) = errs.0.iter().find(|e| e.field == "党组织") {
        p.error = e.message.clone();
    }
    p
}

async fn list_page(s: &Shared, caller: &Caller, sent: Sent<'_>, status: StatusCode) -> Response {
    let schemes = match service::grading::schemes(&s.store, caller).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let catalogues = match service::grading::catalogues(&s.store, caller).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let none = (
        NewForm { valid_from: format!("{}-01-01", chrono::Datelike::year(&today())), ..NewForm::default() },
        FieldErrors::default(),
    );
    let (sf, se) = match &sent {
        Sent::Scheme(f, e) => ((*f).clone(), (*e).clone()),
        _ => none.clone(),
    };
    let (cf, ce) = match &sent {
        Sent::Catalogue(f, e) => ((*f).clone(), (*e).clone()),
        _ => none,
    };
    let presets = std::iter::once((String::new(), "请选择".to_string()))
        .chain(PRESETS.iter().map(|(c, l)| (c.to_string(), l.to_string())))
        .collect();
    let mut scheme_fields = vec![
        Field::new("name", "方案名称", "text", &sf.name).req().wide(),
        Field::select("preset", "方案模板", &sf.preset, presets).req().wide(),
        Field::new("valid_from", "生效日期", "date", &sf.valid_from).req(),
    ];
    let scheme_others =
        attach_errors(&mut scheme_fields, &se).into_iter().filter(|l| !l.starts_with("党组织")).collect();
    let mut catalogue_fields = vec![
        Field::new("name", "指标体系名称", "text", &cf.name)
            .req()
            .wide()
            .hint("按基层党组织建设七项指标（GRADE-04）新建，之后可修改"),
        Field::new("valid_from", "生效日期", "date", &cf.valid_from).req(),
    ];
    let catalogue_others =
        attach_errors(&mut catalogue_fields, &ce).into_iter().filter(|l| !l.starts_with("党组织")).collect();
    let row = |id, name: String, kind: String, org_name: String, t| Row { id, name, kind, org_name, created: at(t) };
    with_status(
        render(&ListPage {
            nav: caller
                .nav("grading_schemes")
                .crumbs(vec![Crumb::new("/grading", "分类定级"), Crumb::new("", "方案与指标")]),
            schemes: schemes
                .iter()
                .map(|r| row(r.id, r.name.clone(), r.kind_label().to_string(), r.org_name.clone(), &r.created_at))
                .collect(),
            catalogues: catalogues
                .iter()
                .map(|r| row(r.id, r.name.clone(), String::new(), r.org_name.clone(), &r.created_at))
                .collect(),
            may_manage: caller.has(Perm::ManageGrading),
            scheme_picker: picker(s, caller, "org", &sf.org, &se).await,
            scheme_fields,
            scheme_others,
            catalogue_picker: picker(s, caller, "org", &cf.org, &ce).await,
            catalogue_fields,
            catalogue_others,
        }),
        status,
    )
}

/// `GET /grading/schemes`: the schemes and catalogues the caller may use (their own and their
/// ancestors'), with the forms making new ones from the presets (管理分类定级).
pub async fn list(State(s): State<Shared>, caller: Caller) -> Response {
    web_core::tri!(caller.require(Perm::ReadGrading));
    list_page(&s, &caller, Sent::None, StatusCode::OK).await
}

fn org_of(f: &NewForm) -> Result<i64, FieldErrors> {
    f.org.trim().parse::<i64>().map_err(|_| FieldErrors(vec![domain::FieldError::new("党组织", "请选择所属党组织")]))
}

/// `POST /grading/schemes`: a scheme from a preset, owned by the organization chosen.
pub async fn create_scheme(State(s): State<Shared>, caller: Caller, Form(f): Form<NewForm>) -> Response {
    web_core::tri!(caller.require(Perm::ManageGrading));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let org = match org_of(&f) {
        Ok(o) => o,
        Err(e) => return list_page(&s, &caller, Sent::Scheme(&f, &e), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    match service::grading::create_scheme(&s.store, &caller, org, &f.name, &f.preset, &f.valid_from).await {
        Ok(r) => Redirect::to(&format!("/grading/schemes/{}?ok=created", r.id)).into_response(),
        Err(e) => {
            let (errs, refusal, status) = web_core::tri!(problems(&caller, e));
            let mut errs = errs;
            if let Some(r) = refusal {
                errs.push("方案", r);
            }
            list_page(&s, &caller, Sent::Scheme(&f, &errs), status).await
        }
    }
}

/// `POST /grading/catalogues`: a catalogue from the GRADE-04 preset, owned by the organization chosen.
pub async fn create_catalogue(State(s): State<Shared>, caller: Caller, Form(f): Form<NewForm>) -> Response {
    web_core::tri!(caller.require(Perm::ManageGrading));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let org = match org_of(&f) {
        Ok(o) => o,
        Err(e) => return list_page(&s, &caller, Sent::Catalogue(&f, &e), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    match service::grading::create_catalogue(&s.store, &caller, org, &f.name, &f.valid_from).await {
        Ok(r) => Redirect::to(&format!("/grading/catalogues/{}?ok=created", r.id)).into_response(),
        Err(e) => {
            let (errs, refusal, status) = web_core::tri!(problems(&caller, e));
            let mut errs = errs;
            if let Some(r) = refusal {
                errs.push("指标体系", r);
            }
            list_page(&s, &caller, Sent::Catalogue(&f, &errs), status).await
        }
    }
}

// ---- one scheme and its versions --------------------------------------------------------------

/// A scheme version's rules in words, for the versions table.
fn summary(s: &Scheme) -> Vec<(&'static str, String)> {
    let mut out = vec![
        (
            "等次与分数线",
            s.bands
                .iter()
                .map(|b| format!("{} ≥ {}", b.label, domain::grading::points_text(b.min_milli)))
                .collect::<Vec<_>>()
                .join("，"),
        ),
        ("公示", format!("{} 天", s.publicity_days)),
    ];
    let mut combine = s.combine.label().to_string();
    if s.combine == Combine::Weighted {
        let w: Vec<String> =
            s.weights.iter().map(|(k, w)| format!("{} {}", k.label(), domain::grading::permille_text(*w))).collect();
        combine.push_str(&format!("（{}）", w.join("，")));
    }
    out.push(("多人评分合并", combine));
    if let Some(c) = &s.cap {
        out.push((
            "满意率封顶",
            format!(
                "满意率低于 {} 最高评为“{}”（{}）",
                domain::grading::permille_text(c.below_permille),
                s.label(&c.at_most),
                c.rule
            ),
        ));
    }
    if let Some(q) = &s.top_quota {
        out.push((
            "比例上限",
            format!(
                "“{}”不超过 {}（只提示，不自动降等）",
                s.label(&q.band),
                domain::grading::permille_text(q.max_permille)
            ),
        ));
    }
    if let Some(q) = &s.bottom_quota {
        out.push((
            "比例下限",
            format!(
                "“{}”及以下：社区不少于 {}，其他不少于 {}（只提示）",
                s.label(&q.band),
                domain::grading::permille_text(q.community_min_permille),
                domain::grading::permille_text(q.other_min_permille)
            ),
        ));
    }
    if s.one_step {
        out.push(("逐级晋升", "每年最多升一级，破格须记录理由".into()));
    }
    if s.new_org_lowest {
        out.push(("新建组织", "当年新建的党组织评为最低等次".into()));
    }
    if !s.rules.is_empty() {
        out.push(("依据", s.rules.clone()));
    }
    out
}

struct VersionRow {
    valid_from: String,
    note: String,
    by: String,
    at: String,
    lines: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "grading/scheme.html")]
struct SchemePage {
    nav: Nav,
    notice: Option<&'static str>,
    errors: Vec<String>,
    refusal: Option<String>,
    id: i64,
    name: String,
    kind: String,
    org_name: String,
    versions: Vec<VersionRow>,
    may_edit: bool,
    f: SchemeInput,
    valid_from: String,
    note: String,
    /// (code, label) of the grades of the last version, for the selects.
    grades: Vec<(String, String)>,
    combines: Vec<(&'static str, &'static str)>,
}

impl SchemePage {
    fn on(&self, v: &str) -> bool {
        matches!(v.trim(), "1" | "on" | "true")
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    ok: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SchemeForm {
    csrf: String,
    valid_from: String,
    note: String,
    #[serde(flatten)]
    f: SchemeInput,
}

fn notice(ok: &str) -> Option<&'static str> {
    match ok {
        "created" => Some("已按模板新建，可在下方修改后保存为新的版本。"),
        "versioned" => Some("已保存新的版本，自生效日期所在年度起的定级按此执行。"),
        _ => None,
    }
}

async fn scheme_page(
    s: &Shared,
    caller: &Caller,
    id: i64,
    ok: &str,
    typed: Option<(&SchemeForm, &FieldErrors, Option<String>)>,
    status: StatusCode,
) -> Response {
    let (row, versions) = match service::grading::scheme(&s.store, caller, id).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let latest = versions.first().and_then(|v| v.scheme().ok());
    let grades =
        latest.as_ref().map_or_else(Vec::new, |l| l.bands.iter().map(|b| (b.code.clone(), b.label.clone())).collect());
    let (f, valid_from, note, errors, refusal) = match typed {
        Some((t, e, r)) => (t.f.clone(), t.valid_from.clone(), t.note.clone(), super::lines(e), r),
        None => (
            latest.as_ref().map(SchemeInput::from_scheme).unwrap_or_default(),
            format!("{}-01-01", chrono::Datelike::year(&today()) + 1),
            String::new(),
            Vec::new(),
            None,
        ),
    };
    with_status(
        render(&SchemePage {
            nav: caller.nav("grading_schemes").crumbs(vec![
                Crumb::new("/grading", "分类定级"),
                Crumb::new("/grading/schemes", "方案与指标"),
                Crumb::new("", &row.name),
            ]),
            notice: notice(ok),
            errors,
            refusal,
            id: row.id,
            kind: row.kind_label().to_string(),
            org_name: row.org_name.clone(),
            may_edit: caller.can_at(Perm::ManageGrading, &row.org_path),
            versions: versions
                .iter()
                .map(|v| VersionRow {
                    valid_from: v.valid_from.to_string(),
                    note: v.note.clone(),
                    by: v.created_by.clone(),
                    at: at(&v.created_at),
                    lines: v.scheme().map(|s| summary(&s)).unwrap_or_default(),
                })
                .collect(),
            name: row.name,
            f,
            valid_from,
            note,
            grades,
            combines: Combine::ALL.iter().map(|c| (c.code(), c.label())).collect(),
        }),
        status,
    )
}

/// `GET /grading/schemes/{id}`: a scheme's versions, and the next version's form for its owner.
pub async fn scheme(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Response {
    scheme_page(&s, &caller, id, &q.ok, None, StatusCode::OK).await
}

/// `POST /grading/schemes/{id}`: a new version of the scheme from the date typed.
pub async fn add_scheme_version(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<SchemeForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::ManageGrading));
    if let Err(e) = service::grading::scheme(&s.store, &caller, id).await {
        return caller.fail(e);
    }
    web_core::tri!(caller.check_csrf(&f.csrf));
    match service::grading::add_scheme_version(&s.store, &caller, id, &f.valid_from, &f.f, &f.note).await {
        Ok(_) => Redirect::to(&format!("/grading/schemes/{id}?ok=versioned")).into_response(),
        Err(e) => {
            let (errs, refusal, status) = web_core::tri!(problems(&caller, e));
            scheme_page(&s, &caller, id, "", Some((&f, &errs, refusal)), status).await
        }
    }
}

// ---- one catalogue and its versions -----------------------------------------------------------

struct ItemRow {
    label: String,
    kind: &'static str,
    max: String,
    guidance: String,
    source: String,
}

struct CatalogueVersionRow {
    valid_from: String,
    note: String,
    by: String,
    at: String,
    items: Vec<ItemRow>,
    caps: String,
}

#[derive(Template)]
#[template(path = "grading/catalogue.html")]
struct CataloguePage {
    nav: Nav,
    notice: Option<&'static str>,
    errors: Vec<String>,
    refusal: Option<String>,
    id: i64,
    name: String,
    org_name: String,
    versions: Vec<CatalogueVersionRow>,
    may_edit: bool,
    f: CatalogueInput,
    valid_from: String,
    note: String,
    kinds: String,
    sources: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CatalogueForm {
    csrf: String,
    valid_from: String,
    note: String,
    #[serde(flatten)]
    f: CatalogueInput,
}

async fn catalogue_page(
    s: &Shared,
    caller: &Caller,
    id: i64,
    ok: &str,
    typed: Option<(&CatalogueForm, &FieldErrors, Option<String>)>,
    status: StatusCode,
) -> Response {
    let (row, versions) = match service::grading::catalogue(&s.store, caller, id).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let latest = versions.first().and_then(|v| v.catalogue().ok());
    let (f, valid_from, note, errors, refusal) = match typed {
        Some((t, e, r)) => (t.f.clone(), t.valid_from.clone(), t.note.clone(), super::lines(e), r),
        None => (
            latest.as_ref().map(CatalogueInput::from_catalogue).unwrap_or_default(),
            format!("{}-01-01", chrono::Datelike::year(&today()) + 1),
            String::new(),
            Vec::new(),
            None,
        ),
    };
    let sources = domain::campaign::indicator::SOURCES
        .iter()
        .filter(|x| domain::grading::catalogue::computable(x.code))
        .map(|x| format!("{}（{}）", x.code, x.label))
        .chain(std::iter::once(format!(
            "{}（创建活动最新调度总分，参数为活动编号）",
            domain::grading::catalogue::ROUND_TOTAL
        )))
        .collect::<Vec<_>>()
        .join("、");
    with_status(
        render(&CataloguePage {
            nav: caller.nav("grading_schemes").crumbs(vec![
                Crumb::new("/grading", "分类定级"),
                Crumb::new("/grading/schemes", "方案与指标"),
                Crumb::new("", &row.name),
            ]),
            notice: notice(ok),
            errors,
            refusal,
            id: row.id,
            org_name: row.org_name.clone(),
            may_edit: caller.can_at(Perm::ManageGrading, &row.org_path),
            versions: versions
                .iter()
                .map(|v| {
                    let c = v.catalogue().ok();
                    CatalogueVersionRow {
                        valid_from: v.valid_from.to_string(),
                        note: v.note.clone(),
                        by: v.created_by.clone(),
                        at: at(&v.created_at),
                        caps: c.as_ref().map_or_else(String::new, |c| {
                            format!(
                                "加分最多 {} 分，减分最多 {} 分",
                                domain::grading::points_text(c.bonus_cap_milli),
                                domain::grading::points_text(c.deduction_cap_milli)
                            )
                        }),
                        items: c
                            .map(|c| {
                                c.items
                                    .iter()
                                    .map(|i| ItemRow {
                                        label: i.label.clone(),
                                        kind: i.kind.label(),
                                        max: domain::grading::points_text(i.max_milli),
                                        guidance: i.guidance.clone(),
                                        source: if i.source.is_empty() {
                                            String::new()
                                        } else {
                                            domain::grading::catalogue::source_label(&i.source).to_string()
                                        },
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    }
                })
                .collect(),
            name: row.name,
            f,
            valid_from,
            note,
            kinds: domain::grading::ItemKind::labels(),
            sources,
        }),
        status,
    )
}

/// `GET /grading/catalogues/{id}`: a catalogue's versions, and the next version's form for its owner.
pub async fn catalogue(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Response {
    catalogue_page(&s, &caller, id, &q.ok, None, StatusCode::OK).await
}

/// `POST /grading/catalogues/{id}`: a new version of the catalogue from the date typed.
pub async fn edit_catalogue(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<CatalogueForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::ManageGrading));
    if let Err(e) = service::grading::catalogue(&s.store, &caller, id).await {
        return caller.fail(e);
    }
    web_core::tri!(caller.check_csrf(&f.csrf));
    match service::grading::edit_catalogue(&s.store, &caller, id, &f.valid_from, &f.f, &f.note).await {
        Ok(_) => Redirect::to(&format!("/grading/catalogues/{id}?ok=versioned")).into_response(),
        Err(e) => {
            let (errs, refusal, status) = web_core::tri!(problems(&caller, e));
            catalogue_page(&s, &caller, id, "", Some((&f, &errs, refusal)), status).await
        }
    }
}
