//! Create and edit.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::org::{Facility, FacilityKind, FacilityStatus, FormedBy, Org, OrgInput, OrgKind, Sector};
use domain::FieldErrors;
use serde::Deserialize;
use service::ServiceError;
use web_core::access::Perm;
use web_core::pages::{render, today};
use web_core::Shared;
use web_core::{Caller, Crumb, Nav};

use super::*;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct OrgForm {
    csrf: String,
    /// The version of the record the form was filled from: a save on an older one is refused.
    version: String,
    name: String,
    short_name: String,
    kind: String,
    sector: String,
    region_code: String,
    formed_by: String,
    founded_on: String,
    has_committee: String,
    term_number: String,
    term_start: String,
    term_end: String,
    secretary: String,
    contact_phone: String,
    address: String,
    annual_funds: String,
    fac_service_center: String,
    fac_service_center_year: String,
    fac_service_station: String,
    fac_service_station_year: String,
    fac_activity_venue: String,
    fac_activity_venue_year: String,
    fac_remote_education: String,
    fac_remote_education_year: String,
    fac_livelihood_station: String,
    fac_livelihood_station_year: String,
}

impl OrgForm {
    fn facility(&self, k: FacilityKind) -> (&str, &str) {
        match k {
            FacilityKind::ServiceCenter => (&self.fac_service_center, &self.fac_service_center_year),
            FacilityKind::ServiceStation => (&self.fac_service_station, &self.fac_service_station_year),
            FacilityKind::ActivityVenue => (&self.fac_activity_venue, &self.fac_activity_venue_year),
            FacilityKind::RemoteEducation => (&self.fac_remote_education, &self.fac_remote_education_year),
            FacilityKind::LivelihoodStation => (&self.fac_livelihood_station, &self.fac_livelihood_station_year),
        }
    }
    fn set_facility(&mut self, k: FacilityKind, status: String, year: String) {
        let (s, y) = match k {
            FacilityKind::ServiceCenter => (&mut self.fac_service_center, &mut self.fac_service_center_year),
            FacilityKind::ServiceStation => (&mut self.fac_service_station, &mut self.fac_service_station_year),
            FacilityKind::ActivityVenue => (&mut self.fac_activity_venue, &mut self.fac_activity_venue_year),
            FacilityKind::RemoteEducation => (&mut self.fac_remote_education, &mut self.fac_remote_education_year),
            FacilityKind::LivelihoodStation => {
                (&mut self.fac_livelihood_station, &mut self.fac_livelihood_station_year)
            }
        };
        *s = status;
        *y = year;
    }

    /// The form of a stored organization (the contact phone masked).
    fn of(o: &Org) -> Self {
        let d = |v: Option<chrono::NaiveDate>| v.map(|d| d.to_string()).unwrap_or_default();
        let mut f = OrgForm {
            name: o.name.clone(),
            short_name: o.short_name.clone().unwrap_or_default(),
            kind: o.kind.code().into(),
            sector: o.sector.code().into(),
            region_code: o.region_code.clone().unwrap_or_default(),
            formed_by: o.formed_by.code().into(),
            founded_on: d(o.founded_on),
            has_committee: if o.has_committee { "1".into() } else { String::new() },
            term_number: o.term_number.map(|n| n.to_string()).unwrap_or_default(),
            term_start: d(o.term_start),
            term_end: d(o.term_end),
            secretary: o.secretary.clone().unwrap_or_default(),
            contact_phone: o.contact_phone.as_deref().map(domain::mask::phone).unwrap_or_default(),
            address: o.address.clone().unwrap_or_default(),
            annual_funds: o.annual_funds.map(|n| n.to_string()).unwrap_or_default(),
            version: o.version.to_string(),
            ..Default::default()
        };
        for fac in &o.facilities {
            f.set_facility(fac.kind, fac.status.code().into(), fac.year.map(|y| y.to_string()).unwrap_or_default());
        }
        f
    }

    /// The input, and the problems of parsing it (dates, numbers, choices).
    fn input(&self, stored_phone: Option<&str>) -> (OrgInput, FieldErrors) {
        let mut errs = FieldErrors::default();
        let text = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
        let mut facilities = Vec::new();
        for k in FacilityKind::ALL {
            let (st, y) = self.facility(*k);
            let year = opt_int::<i32>(y, "阵地设施", "年份", &mut errs);
            match FacilityStatus::from_code(st) {
                Some(status) => facilities.push(Facility { kind: *k, status, year }),
                None if year.is_some() => errs.push("阵地设施", format!("填写了{}的年份，请选择规划或建成", k.label())),
                None => {}
            }
        }
        let phone = unmasked_or(&self.contact_phone, stored_phone, domain::mask::phone);
        let input = OrgInput {
            name: self.name.clone(),
            short_name: text(&self.short_name),
            kind: OrgKind::from_code(&self.kind),
            sector: Sector::from_code(&self.sector),
            region_code: text(&self.region_code),
            formed_by: FormedBy::from_code(&self.formed_by),
            founded_on: opt_date(&self.founded_on, "成立日期", &mut errs),
            has_committee: checked(&self.has_committee),
            term_number: opt_int(&self.term_number, "届次", "整数", &mut errs),
            term_start: opt_date(&self.term_start, "届期开始", &mut errs),
            term_end: opt_date(&self.term_end, "届期结束", &mut errs),
            secretary: text(&self.secretary),
            contact_phone: text(&phone),
            address: text(&self.address),
            annual_funds: opt_int(&self.annual_funds, "年度运转经费", "整数（元）", &mut errs),
            facilities,
            version: self.version.trim().parse().ok(),
        };
        (input, errs)
    }

    fn fields(&self, kinds: &[OrgKind]) -> Vec<Field> {
        vec![
            Field::new("name", "组织名称", "text", &self.name).req().wide().section("基本情况"),
            Field::new("short_name", "简称", "text", &self.short_name),
            Field::select(
                "kind",
                "组织类别",
                &self.kind,
                options(kinds.iter().map(|k| (k.code(), k.label())), Some("请选择")),
            )
            .req(),
            Field::select(
                "sector",
                "所属领域",
                &self.sector,
                options(Sector::ALL.iter().map(|k| (k.code(), k.label())), Some("请选择（默认：其他）")),
            ),
            Field::select(
                "formed_by",
                "组建方式",
                &self.formed_by,
                options(FormedBy::ALL.iter().map(|k| (k.code(), k.label())), None),
            ),
            Field::new("region_code", "行政区划代码", "text", &self.region_code).hint("6 位 GB/T 2260 代码，如 520302"),
            Field::new("founded_on", "成立日期", "date", &self.founded_on),
            Field::new("has_committee", "支部委员会", "check", &self.has_committee)
                .hint("已设立委员会（党委、总支、支委会）"),
            Field::new("term_number", "届次", "number", &self.term_number).section("届期").hint("如 3（第三届）"),
            Field::new("term_start", "届期开始", "date", &self.term_start),
            Field::new("term_end", "届期结束", "date", &self.term_end).hint("不填时按组织类别和领域的任期自动推算"),
            Field::new("secretary", "书记", "text", &self.secretary).section("联系与保障"),
            Field::new("contact_phone", "联系电话", "tel", &self.contact_phone)
                .hint("显示为脱敏号码；不修改则保持原号码"),
            Field::new("annual_funds", "年度运转经费", "number", &self.annual_funds).hint("单位：元"),
            Field::new("address", "地址", "text", &self.address).wide(),
        ]
    }

    fn facility_rows(&self, kinds_error: bool) -> Vec<FacilityInput> {
        FacilityKind::ALL
            .iter()
            .map(|k| {
                let (st, y) = self.facility(*k);
                FacilityInput {
                    code: k.code(),
                    label: k.label(),
                    status: st.to_string(),
                    year: y.to_string(),
                    error: kinds_error,
                }
            })
            .collect()
    }
}

pub struct FacilityInput {
    code: &'static str,
    label: &'static str,
    status: String,
    year: String,
    error: bool,
}

#[derive(Template)]
#[template(path = "org/form.html")]
struct OrgFormPage {
    nav: Nav,
    title: String,
    action: String,
    cancel: String,
    fields: Vec<Field>,
    facilities: Vec<FacilityInput>,
    facility_statuses: Vec<(String, String)>,
    facility_error: Option<String>,
    others: Vec<String>,
    refusal: Option<String>,
    error_count: usize,
    show_form: bool,
    /// The version of the record the form was filled from (empty for a new organization).
    version: String,
    /// The save was refused because the record changed meanwhile: the differences.
    is_stale: bool,
    stale: Vec<Difference>,
    stale_what: &'static str,
}

#[allow(clippy::too_many_arguments)]
fn org_form_page(
    caller: &Caller,
    trail: Vec<Crumb>,
    title: String,
    action: String,
    cancel: String,
    form: &OrgForm,
    kinds: &[OrgKind],
    errs: &FieldErrors,
    refusal: Option<String>,
    stale: Option<Vec<Difference>>,
) -> Response {
    let mut fields = form.fields(kinds);
    let mut others = attach_errors(&mut fields, errs);
    let fac: Vec<String> =
        errs.0.iter().filter(|e| e.field == "阵地设施").map(|e| e.message.clone()).collect::<Vec<_>>();
    others.retain(|m| !m.starts_with("阵地设施："));
    let facility_error = if fac.is_empty() { None } else { Some(fac.join("；")) };
    render(&OrgFormPage {
        nav: caller.nav("orgs").crumbs(trail),
        title,
        action,
        cancel,
        error_count: errs.0.len(),
        show_form: !kinds.is_empty(),
        fields,
        facilities: form.facility_rows(facility_error.is_some()),
        facility_statuses: options(FacilityStatus::ALL.iter().map(|k| (k.code(), k.label())), Some("未建")),
        facility_error,
        others,
        refusal,
        version: form.version.clone(),
        is_stale: stale.is_some(),
        stale: stale.unwrap_or_default(),
        stale_what: "该党组织",
    })
}

pub(crate) async fn org_trail(s: &Shared, caller: &Caller, o: &Org, last: &str) -> Vec<Crumb> {
    let ancestors = service::org::ancestors(&s.store, caller, Perm::ReadOrgs, o.id).await.unwrap_or_default();
    let mut trail = vec![Crumb::new("/orgs", "组织树")];
    trail.extend(ancestors.into_iter().map(|a| Crumb::new(format!("/orgs/{}", a.id), a.name)));
    trail.push(Crumb::new(format!("/orgs/{}", o.id), o.name.clone()));
    trail.push(Crumb::new("", last));
    trail
}

fn child_kinds(parent: &Org) -> Vec<OrgKind> {
    OrgKind::ALL.iter().copied().filter(|k| parent.kind.allows_child(*k)).collect()
}

pub async fn new_page(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let (_, parent) = web_core::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    let kinds = child_kinds(&parent);
    let trail = org_trail(&s, &caller, &parent, "新建下级组织").await;
    let refusal = kinds.is_empty().then(|| format!("{}（{}）下不能设立下级党组织。", parent.name, parent.kind.label()));
    let form = OrgForm { kind: kinds.first().map(|k| k.code().to_string()).unwrap_or_default(), ..Default::default() };
    org_form_page(
        &caller,
        trail,
        format!("在“{}”下新建党组织", parent.name),
        format!("/orgs/{id}/new"),
        format!("/orgs/{id}"),
        &form,
        &kinds,
        &FieldErrors::default(),
        refusal,
        None,
    )
}

pub async fn new_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<OrgForm>,
) -> Response {
    let (_, parent) = web_core::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    let kinds = child_kinds(&parent);
    let (input, parse_errs) = f.input(None);
    let today = today();
    let result = match input.validate(today) {
        Err(e) => Err(ServiceError::Invalid(merge_errors(parse_errs, e))),
        Ok(_) if !parse_errs.is_empty() => Err(ServiceError::Invalid(parse_errs)),
        Ok(_) => service::org::create(&s.store, &caller, Some(id), &input, today).await,
    };
    match result {
        Ok(o) => Redirect::to(&format!("/orgs/{}?ok=created", o.id)).into_response(),
        Err(ServiceError::Invalid(errs)) => {
            let trail = org_trail(&s, &caller, &parent, "新建下级组织").await;
            let page = org_form_page(
                &caller,
                trail,
                format!("在“{}”下新建党组织", parent.name),
                format!("/orgs/{id}/new"),
                format!("/orgs/{id}"),
                &f,
                &kinds,
                &errs,
                None,
                None,
            );
            with_status(page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(ServiceError::Refused(m)) => {
            let trail = org_trail(&s, &caller, &parent, "新建下级组织").await;
            let page = org_form_page(
                &caller,
                trail,
                format!("在“{}”下新建党组织", parent.name),
                format!("/orgs/{id}/new"),
                format!("/orgs/{id}"),
                &f,
                &kinds,
                &FieldErrors::default(),
                Some(m),
                None,
            );
            with_status(page, StatusCode::CONFLICT)
        }
        Err(e) => caller.fail(e),
    }
}

/// The kinds an organization may be changed to under its parent (all when the parent is outside
/// the caller's view; the store checks).
async fn edit_kinds(s: &Shared, caller: &Caller, o: &Org) -> Vec<OrgKind> {
    let parent = match o.parent_id {
        Some(p) => service::org::get(&s.store, caller, Perm::ReadOrgs, p).await.ok(),
        None => None,
    };
    match parent {
        Some(p) => child_kinds(&p),
        None => OrgKind::ALL.to_vec(),
    }
}

pub async fn edit_page(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    let kinds = edit_kinds(&s, &caller, &o).await;
    edit_form(&s, &caller, &o, &OrgForm::of(&o), &kinds, None).await
}

/// The edit form of `o` filled with `form`; `stale`: the differences from the stored record when
/// a save was refused because it changed meanwhile.
async fn edit_form(
    s: &Shared,
    caller: &Caller,
    o: &Org,
    form: &OrgForm,
    kinds: &[OrgKind],
    stale: Option<Vec<Difference>>,
) -> Response {
    let trail = org_trail(s, caller, o, "编辑").await;
    let id = o.id;
    org_form_page(
        caller,
        trail,
        format!("编辑“{}”", o.name),
        format!("/orgs/{id}/edit"),
        format!("/orgs/{id}"),
        form,
        kinds,
        &FieldErrors::default(),
        None,
        stale,
    )
}

pub async fn edit_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<OrgForm>,
) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::EditOrgs, id).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    let (input, parse_errs) = f.input(o.contact_phone.as_deref());
    let today = today();
    let result = match input.validate(today) {
        Err(e) => Err(ServiceError::Invalid(merge_errors(parse_errs, e))),
        Ok(_) if !parse_errs.is_empty() => Err(ServiceError::Invalid(parse_errs)),
        Ok(_) => service::org::update(&s.store, &caller, id, &input, today).await,
    };
    let (errs, refusal, status) = match result {
        Ok(_) => return Redirect::to(&format!("/orgs/{id}?ok=saved")).into_response(),
        Err(ServiceError::Invalid(errs)) => (errs, None, StatusCode::UNPROCESSABLE_ENTITY),
        Err(ServiceError::Refused(m)) => (FieldErrors::default(), Some(m), StatusCode::CONFLICT),
        Err(ServiceError::Stale(_)) => return stale_edit(&s, &caller, id, f).await,
        Err(e) => return caller.fail(e),
    };
    let kinds = edit_kinds(&s, &caller, &o).await;
    let trail = org_trail(&s, &caller, &o, "编辑").await;
    let page = org_form_page(
        &caller,
        trail,
        format!("编辑“{}”", o.name),
        format!("/orgs/{id}/edit"),
        format!("/orgs/{id}"),
        &f,
        &kinds,
        &errs,
        refusal,
        None,
    );
    with_status(page, status)
}

/// The edit form again after a save refused because the organization changed meanwhile: what the
/// user typed is kept, the fields that differ from the stored record are listed beside each other,
/// and the form now carries the stored version, so saving again applies what the user typed.
async fn stale_edit(s: &Shared, caller: &Caller, id: i64, typed: OrgForm) -> Response {
    let current = match service::org::get(&s.store, caller, Perm::EditOrgs, id).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let kinds = edit_kinds(s, caller, &current).await;
    let diffs = differences(&typed.fields(&kinds), &OrgForm::of(&current).fields(&kinds));
    let kept = OrgForm { version: current.version.to_string(), ..typed };
    let page = edit_form(s, caller, &current, &kept, &kinds, Some(diffs)).await;
    with_status(page, StatusCode::CONFLICT)
}
