//! 示范点: the sites of a subtree with their counts by level and sector, naming a site, one site
//! with its stationed cadres, and its reviews.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::campaign::site::{SiteInput, SiteLevel};
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
    /// `all`: withdrawn sites too.
    show: String,
    ok: String,
}

struct Row {
    id: i64,
    org: String,
    level: &'static str,
    sector: &'static str,
    feature: String,
    named_on: String,
    state: String,
}

#[derive(Template)]
#[template(path = "campaign/sites.html")]
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
    all: bool,
    /// Counts: level label, then per sector (label, n), and the level's total.
    levels: Vec<(&'static str, i64)>,
    sectors: Vec<(&'static str, i64)>,
    active: i64,
    can_name: bool,
}

/// `GET /sites?org=`: the sites of a subtree.
pub async fn list(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    let org = match list_org(&s, &caller, &q.org).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let on = today();
    let all = q.show == "all";
    let read = |p: i64| service::campaign::site::list(&s.store, &caller, org.id, on, all, PER_PAGE, (p - 1) * PER_PAGE);
    let (sites, page) = match paged(&caller, &q.page, PER_PAGE, |x| x.total, read).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut levels: Vec<(&'static str, i64)> = SiteLevel::ALL.iter().map(|l| (l.label(), 0)).collect();
    let mut sectors: std::collections::BTreeMap<&'static str, i64> = Default::default();
    let mut active = 0;
    for (level, sector, n) in &sites.counts {
        if let Some(l) = SiteLevel::from_code(level) {
            if let Some(x) = levels.iter_mut().find(|x| x.0 == l.label()) {
                x.1 += n;
            }
        }
        *sectors.entry(domain::org::Sector::from_code(sector).map_or("其他", |s| s.label())).or_default() += n;
        active += n;
    }
    let picker = list_picker(&s, &caller, &org, "/sites").await;
    render(&ListPage {
        nav: caller.nav("sites").crumbs(vec![Crumb::new("/campaigns", "创建活动"), Crumb::new("", "示范点")]),
        notice: notice(&q.ok),
        org_id: org.id,
        org_name: org.name.clone(),
        picker,
        rows: sites
            .rows
            .iter()
            .map(|x| Row {
                id: x.id,
                org: x.org_name.clone(),
                level: x.level_label(),
                sector: x.sector_label(),
                feature: x.feature.clone(),
                named_on: x.named_on.to_string(),
                state: match (x.revoked_on, x.reviewed_on) {
                    (Some(r), _) => format!("{r} 撤销"),
                    (None, Some(r)) => format!("{r} 复核保留"),
                    (None, None) => "有效".into(),
                },
            })
            .collect(),
        total: sites.total,
        page,
        pages: web_core::paging::pages(sites.total, PER_PAGE),
        all,
        levels,
        sectors: sectors.into_iter().collect(),
        active,
        can_name: caller.can_at(Perm::ManageCampaigns, &org.path),
    })
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SiteForm {
    csrf: String,
    org: String,
    level: String,
    sector: String,
    feature: String,
    named_on: String,
    reviewed_on: String,
    cadres: String,
}

#[derive(Template)]
#[template(path = "campaign/site_form.html")]
struct FormPage {
    nav: Nav,
    picker: OrgPicker,
    fields: Vec<Field>,
    others: Vec<String>,
}

async fn form(s: &Shared, caller: &Caller, f: &SiteForm, errs: &FieldErrors) -> Response {
    let chosen = match f.org.trim().parse::<i64>() {
        Ok(o) => service::org::get(&s.store, caller, Perm::ManageCampaigns, o).await.ok(),
        Err(_) => None,
    };
    let mut picker =
        OrgPicker::new(s, caller, Purpose::ManageCampaigns, "org", "党组织", chosen.as_ref(), "/sites/new").await;
    let levels = web_core::form::options(SiteLevel::ALL.iter().map(|l| (l.code(), l.label())), Some("请选择"));
    let sectors =
        web_core::form::options(domain::org::Sector::ALL.iter().map(|x| (x.code(), x.label())), Some("与党组织相同"));
    let mut fields = vec![
        Field::select("level", "级别", &f.level, levels).req(),
        Field::select("sector", "所属领域", &f.sector, sectors),
        Field::new("feature", "示范特色", "text", &f.feature)
            .req()
            .wide()
            .hint("一行业一特色：如“村级集体经济”“两新组织党建”"),
        Field::new("named_on", "命名日期", "date", &f.named_on).req(),
        Field::new("reviewed_on", "复核日期", "date", &f.reviewed_on),
        Field::new("cadres", "蹲点干部", "textarea", &f.cadres)
            .wide()
            .hint("每行一人：姓名 职务 起始日期，如“王某 市委组织部组织一科科长 2026-03-01”"),
    ];
    let mut errs = errs.clone();
    if let Some(i) = errs.0.iter().position(|e| e.field == "党组织") {
        picker.error = errs.0.remove(i).message;
    }
    let others = attach_errors(&mut fields, &errs);
    let status =
        if errs.is_empty() && picker.error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    with_status(
        render(&FormPage {
            nav: caller.nav("sites").crumbs(vec![Crumb::new("/sites", "示范点"), Crumb::new("", "命名示范点")]),
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
    let f = SiteForm { org: q.org.clone(), named_on: today().to_string(), ..Default::default() };
    form(&s, &caller, &f, &FieldErrors::default()).await
}

pub async fn create(
    State(s): State<Shared>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    Form(mut f): Form<SiteForm>,
) -> Response {
    if f.org.trim().is_empty() {
        f.org = q.org.clone();
    }
    if let Err(r) = form_org(&s, &caller, Perm::ManageCampaigns, &f.org).await {
        return r;
    }
    web_core::tri!(caller.check_csrf(&f.csrf));
    let input = SiteInput {
        org_id: f.org.clone(),
        level: f.level.clone(),
        sector: f.sector.clone(),
        feature: f.feature.clone(),
        named_on: f.named_on.clone(),
        reviewed_on: f.reviewed_on.clone(),
        cadres: f.cadres.clone(),
    };
    match service::campaign::site::add(&s.store, &caller, &input, None, today()).await {
        Ok(site) => Redirect::to(&format!("/sites/{}?ok=site", site.id)).into_response(),
        Err(e) => {
            let (mut errs, refusal, _) = web_core::tri!(problems(&caller, e));
            if let Some(r) = refusal {
                errs.push("党组织", r);
            }
            form(&s, &caller, &f, &errs).await
        }
    }
}

#[derive(Template)]
#[template(path = "campaign/site.html")]
struct ShowPage {
    nav: Nav,
    notice: Option<&'static str>,
    site: store::campaign::site::Site,
    cadres: Vec<store::campaign::site::Cadre>,
    can_review: bool,
    today: String,
}

pub async fn show(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Response {
    let (site, cadres) = match service::campaign::site::get(&s.store, &caller, id).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    render(&ShowPage {
        nav: caller.nav("sites").crumbs(vec![Crumb::new("/sites", "示范点"), Crumb::new("", site.org_name.clone())]),
        notice: notice(&q.ok),
        can_review: site.revoked_on.is_none() && caller.can_at(Perm::ManageCampaigns, &site.org_path),
        site,
        cadres,
        today: today().to_string(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    csrf: String,
    on: String,
    /// `keep` or `revoke`.
    decision: String,
}

pub async fn review(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::ManageCampaigns));
    // the site must be one the caller manages before the form is looked at
    let site = web_core::tri!(service::campaign::site::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    if !caller.can_at(Perm::ManageCampaigns, &site.0.org_path) {
        return caller.fail(service::ServiceError::NotFound("示范点"));
    }
    web_core::tri!(caller.check_csrf(&f.csrf));
    match service::campaign::site::review(&s.store, &caller, id, &f.on, f.decision == "revoke", today()).await {
        Ok(_) => Redirect::to(&format!("/sites/{id}?ok=reviewed")).into_response(),
        Err(e) => match problems(&caller, e) {
            Ok((errs, refusal, status)) => {
                let msg =
                    refusal.unwrap_or_else(|| errs.0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("；"));
                with_status(error_page(status, "未能登记复核", &msg), status)
            }
            Err(r) => r,
        },
    }
}
