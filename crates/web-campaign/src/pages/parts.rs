//! A campaign's parts: its documents, the versions of its standard, funding put in, and the values
//! organizations report for its reported indicators.

use askama::Template;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::campaign::indicator::{StandardInput, SOURCES};
use domain::FieldErrors;
use serde::Deserialize;
use store::campaign::Campaign;
use web_core::access::Perm;
use web_core::form::{attach_errors, with_status, Field};
use web_core::pages::{render, today, urlencode};
use web_core::picker::{OrgPicker, Purpose};
use web_core::{error_page, Caller, Nav, Shared};

use super::campaign::crumbs;
use super::{at, milli, notice, problems};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OkQuery {
    ok: String,
    page: String,
}

// ----- documents -----

/// `POST /campaigns/{id}/documents`: a file with its title (multipart).
pub async fn upload(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>, req: Request) -> Response {
    let c = match service::campaign::get(&s.store, &caller, id).await {
        Ok((c, a)) if a.full => c,
        Ok(_) => return caller.fail(service::ServiceError::NotFound("创建活动")),
        Err(e) => return caller.fail(e),
    };
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let (mut csrf, mut title, mut name, mut content) = (String::new(), String::new(), String::new(), Vec::new());
    let mut too_large = false;
    if is_multipart {
        let Ok(mut mp) = Multipart::from_request(req, &s).await else {
            return error_page(StatusCode::BAD_REQUEST, "上传失败", "上传的内容无法识别，请重新选择文件上传。");
        };
        loop {
            match mp.next_field().await {
                Ok(Some(f)) => match f.name().unwrap_or("") {
                    "csrf" => csrf = f.text().await.unwrap_or_default(),
                    "title" => title = f.text().await.unwrap_or_default(),
                    "file" => {
                        name = f.file_name().unwrap_or("").to_string();
                        match f.bytes().await {
                            Ok(b) if b.len() > store::life::MAX_ATTACHMENT => too_large = true,
                            Ok(b) => content = b.to_vec(),
                            Err(_) => too_large = true,
                        }
                    }
                    _ => {}
                },
                Ok(None) => break,
                Err(_) => {
                    too_large = true;
                    break;
                }
            }
        }
    } else {
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Plain {
            csrf: String,
        }
        csrf = Form::<Plain>::from_request(req, &s).await.map(|f| f.0.csrf).unwrap_or_default();
    }
    web_core::tri!(caller.check_csrf(&csrf));
    if too_large {
        return error_page(StatusCode::PAYLOAD_TOO_LARGE, "上传失败", "文件超过 10 MB 的上限，或上传不完整，请重试。");
    }
    match service::campaign::add_document(&s.store, &caller, c.id, &title, &name, content).await {
        Ok(_) => Redirect::to(&format!("/campaigns/{id}?ok=document")).into_response(),
        Err(service::ServiceError::Invalid(e)) => {
            let msg = e.0.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("；");
            error_page(StatusCode::UNPROCESSABLE_ENTITY, "上传失败", &format!("{msg}。请返回活动页面重新上传。"))
        }
        Err(e) => caller.fail(e),
    }
}

/// `GET /campaigns/documents/{id}`.
pub async fn download(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let (doc, bytes) = match service::campaign::document(&s.store, &caller, id).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&doc.mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let fallback: String = doc
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        urlencode(&doc.name)
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}

// ----- the standard -----

struct Version {
    valid_from: String,
    note: String,
    total: i64,
    rows: Vec<(String, String, String, String, i64, String)>,
}

#[derive(Template)]
#[template(path = "campaign/standard.html")]
struct StandardPage {
    nav: Nav,
    c: Campaign,
    notice: Option<&'static str>,
    versions: Vec<Version>,
    can_manage: bool,
    valid_from: String,
    note: String,
    lines: String,
    errors: Vec<String>,
    refusal: Option<String>,
    sources: Vec<(&'static str, &'static str, String, &'static str)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StandardForm {
    csrf: String,
    valid_from: String,
    note: String,
    lines: String,
}

async fn standard_view(
    s: &Shared,
    caller: &Caller,
    id: i64,
    f: Option<StandardForm>,
    errs: FieldErrors,
    refusal: Option<String>,
    ok: &str,
) -> Response {
    let v = match service::campaign::view(&s.store, caller, id).await {
        Ok(v) => v,
        Err(e) => return caller.fail(e),
    };
    let f = f.unwrap_or_else(|| StandardForm {
        valid_from: today().to_string(),
        lines: v
            .standards
            .last()
            .map(|st| {
                st.indicators
                    .iter()
                    .map(|i| {
                        let steps = i
                            .steps
                            .iter()
                            .map(|(a, b)| {
                                format!(
                                    "{}:{}",
                                    domain::campaign::indicator::fmt_milli(*a),
                                    domain::campaign::indicator::fmt_milli(*b * 100)
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("、");
                        let unit = if i.source == "reported" { i.unit.clone() } else { String::new() };
                        format!(
                            "{}|{}|{}|{}|{}|{}|{}|{}|{}",
                            i.code,
                            i.label,
                            i.source,
                            i.param,
                            i.weight,
                            i.scoring.code(),
                            domain::campaign::indicator::fmt_milli(i.target_milli),
                            steps,
                            unit
                        )
                        .trim_end_matches('|')
                        .to_string()
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default(),
        ..Default::default()
    });
    let bad = !errs.is_empty() || refusal.is_some();
    let page = StandardPage {
        nav: caller.nav("campaigns").crumbs(crumbs(Some(&v.campaign), "创建标准")),
        notice: notice(ok),
        versions: v
            .standards
            .iter()
            .rev()
            .map(|st| Version {
                valid_from: st.valid_from.to_string(),
                note: st.note.clone(),
                total: st.total_weight(),
                rows: st
                    .indicators
                    .iter()
                    .map(|i| {
                        let src = i.source().map_or(i.source.clone(), |x| x.label.to_string());
                        let param = i
                            .source()
                            .and_then(|x| x.param)
                            .and_then(|(_, ps)| ps.iter().find(|(c, _)| *c == i.param))
                            .map_or(String::new(), |(_, l)| l.to_string());
                        (i.code.clone(), i.label.clone(), src, param, i.weight, i.rule_text())
                    })
                    .collect(),
            })
            .collect(),
        can_manage: v.can_manage,
        valid_from: f.valid_from,
        note: f.note,
        lines: f.lines,
        errors: errs.0.iter().map(|e| e.to_string()).collect(),
        refusal,
        sources: SOURCES
            .iter()
            .map(|x| {
                let params = x.param.map_or(String::new(), |(what, ps)| {
                    format!(
                        "{what}：{}",
                        ps.iter()
                            .map(|(c, l)| if c.is_empty() { format!("（空）{l}") } else { format!("{c} {l}") })
                            .collect::<Vec<_>>()
                            .join("，")
                    )
                });
                (x.code, x.label, params, x.describe)
            })
            .collect(),
        c: v.campaign,
    };
    let status = if !page.errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else if page.refusal.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let _ = bad;
    with_status(render(&page), status)
}

/// `GET /campaigns/{id}/standard`: every version, and the form for a new one.
pub async fn standard_page(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Response {
    standard_view(&s, &caller, id, None, FieldErrors::default(), None, &q.ok).await
}

/// `POST /campaigns/{id}/standard`: a new version from a date.
pub async fn standard_add(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<StandardForm>,
) -> Response {
    web_core::tri!(service::campaign::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let input = StandardInput::from_lines(&f.valid_from, &f.note, &f.lines);
    match service::campaign::add_standard(&s.store, &caller, id, &input).await {
        Ok(_) => Redirect::to(&format!("/campaigns/{id}/standard?ok=standard")).into_response(),
        Err(e) => {
            let (errs, refusal, _) = web_core::tri!(problems(&caller, e));
            standard_view(&s, &caller, id, Some(f), errs, refusal, "").await
        }
    }
}

// ----- funding -----

#[derive(Template)]
#[template(path = "campaign/funding.html")]
struct FundingPage {
    nav: Nav,
    c: Campaign,
    notice: Option<&'static str>,
    rows: Vec<(String, i64, String, String, String)>,
    by_year: Vec<(i64, String)>,
    total: String,
    can_report: bool,
    picker: Option<OrgPicker>,
    fields: Vec<Field>,
    others: Vec<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct FundingForm {
    csrf: String,
    org: String,
    year: String,
    amount: String,
    note: String,
}

async fn funding_view(s: &Shared, caller: &Caller, id: i64, f: FundingForm, errs: FieldErrors, ok: &str) -> Response {
    let (c, _) = match service::campaign::get(&s.store, caller, id).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let (rows, total) = match service::campaign::funding(&s.store, caller, id, None).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let mut by_year: std::collections::BTreeMap<i64, i64> = Default::default();
    for r in &rows {
        *by_year.entry(r.year).or_default() += r.amount_yuan;
    }
    let can_report = caller.has(Perm::ReportCampaigns);
    let picker = if can_report {
        let chosen = match f.org.trim().parse::<i64>() {
            Ok(o) => service::org::get(&s.store, caller, Perm::ReportCampaigns, o).await.ok(),
            Err(_) => None,
        };
        Some(
            OrgPicker::new(
                s,
                caller,
                Purpose::Campaigns,
                "org",
                "投入单位",
                chosen.as_ref(),
                &format!("/campaigns/{id}/funding"),
            )
            .await,
        )
    } else {
        None
    };
    let mut fields = vec![
        Field::new("year", "年度", "number", &f.year).req(),
        Field::new("amount", "金额", "text", &f.amount).req().hint("元，或写作 200万"),
        Field::new("note", "说明", "text", &f.note).wide(),
    ];
    let others = attach_errors(&mut fields, &errs);
    let status = if errs.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    with_status(
        render(&FundingPage {
            nav: caller.nav("campaigns").crumbs(crumbs(Some(&c), "投入经费")),
            notice: notice(ok),
            rows: rows
                .iter()
                .map(|r| {
                    (
                        r.org_name.clone(),
                        r.year,
                        domain::campaign::yuan(r.amount_yuan),
                        r.note.clone(),
                        at(&r.created_at),
                    )
                })
                .collect(),
            by_year: by_year.into_iter().map(|(y, a)| (y, domain::campaign::yuan(a))).collect(),
            total: domain::campaign::yuan(total),
            can_report,
            picker,
            fields,
            others,
            c,
        }),
        status,
    )
}

pub async fn funding_page(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Response {
    let f = FundingForm { year: chrono::Datelike::year(&today()).to_string(), ..Default::default() };
    funding_view(&s, &caller, id, f, FieldErrors::default(), &q.ok).await
}

pub async fn funding_add(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<FundingForm>,
) -> Response {
    web_core::tri!(service::campaign::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let org = match f.org.trim().parse::<i64>() {
        Ok(o) => o,
        Err(_) => {
            let e = FieldErrors(vec![domain::FieldError::new("投入单位", "请选择投入单位")]);
            return funding_view(&s, &caller, id, f, e, "").await;
        }
    };
    match service::campaign::add_funding(&s.store, &caller, id, org, &f.year, &f.amount, &f.note, today()).await {
        Ok(_) => Redirect::to(&format!("/campaigns/{id}/funding?ok=funding")).into_response(),
        Err(e) => {
            let (errs, refusal, _) = web_core::tri!(problems(&caller, e));
            let mut errs = errs;
            if let Some(r) = refusal {
                errs.push("投入单位", r);
            }
            funding_view(&s, &caller, id, f, errs, "").await
        }
    }
}

// ----- reported values -----

struct ReportRow {
    id: i64,
    org: String,
    label: String,
    as_on: String,
    value: String,
    evidence: String,
    status: &'static str,
    pending: bool,
    reason: String,
    by: String,
}

#[derive(Template)]
#[template(path = "campaign/reports.html")]
struct ReportsPage {
    nav: Nav,
    c: Campaign,
    notice: Option<&'static str>,
    rows: Vec<ReportRow>,
    total: usize,
    page: i64,
    pages: i64,
    can_review: bool,
    can_report: bool,
    picker: Option<OrgPicker>,
    fields: Vec<Field>,
    others: Vec<String>,
    refusal: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ReportForm {
    csrf: String,
    org: String,
    code: String,
    as_on: String,
    value: String,
    evidence: String,
}

const PER_PAGE: usize = 50;

#[allow(clippy::too_many_arguments)]
async fn reports_view(
    s: &Shared,
    caller: &Caller,
    id: i64,
    f: ReportForm,
    errs: FieldErrors,
    refusal: Option<String>,
    ok: &str,
    page: &str,
) -> Response {
    let (c, a, all) = match service::campaign::reports(&s.store, caller, id).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let v = match service::campaign::view(&s.store, caller, id).await {
        Ok(v) => v,
        Err(e) => return caller.fail(e),
    };
    let latest = v.standards.last();
    let label = |code: &str| -> String {
        v.standards
            .iter()
            .rev()
            .flat_map(|st| st.indicators.iter())
            .find(|i| i.code == code)
            .map_or(code.to_string(), |i| i.label.clone())
    };
    let reported: Vec<(String, String)> = latest
        .map(|st| {
            st.indicators
                .iter()
                .filter(|i| i.source == "reported")
                .map(|i| {
                    (
                        i.code.clone(),
                        format!(
                            "{}{}",
                            i.label,
                            if i.unit.is_empty() { String::new() } else { format!("（{}）", i.unit) }
                        ),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let page_no = web_core::paging::clamp(web_core::paging::asked(page), all.len() as i64, PER_PAGE as i64);
    let rows = all
        .iter()
        .skip((page_no as usize - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|r| ReportRow {
            id: r.id,
            org: r.org_name.clone(),
            label: label(&r.code),
            as_on: r.as_on.to_string(),
            value: milli(Some(r.value_milli)),
            evidence: r.evidence.clone(),
            status: r.status_label(),
            pending: r.status == "submitted",
            reason: r.reason.clone(),
            by: r.created_by.clone(),
        })
        .collect();
    let can_report = caller.has(Perm::ReportCampaigns) && !reported.is_empty();
    let picker = if can_report {
        let chosen = match f.org.trim().parse::<i64>() {
            Ok(o) => service::org::get(&s.store, caller, Perm::ReportCampaigns, o).await.ok(),
            Err(_) => None,
        };
        Some(
            OrgPicker::new(
                s,
                caller,
                Purpose::Campaigns,
                "org",
                "填报单位",
                chosen.as_ref(),
                &format!("/campaigns/{id}/reports"),
            )
            .await,
        )
    } else {
        None
    };
    let mut opts = vec![(String::new(), "请选择".to_string())];
    opts.extend(reported.iter().cloned());
    let mut fields = vec![
        Field::select("code", "指标", &f.code, opts).req(),
        Field::new("as_on", "统计日期", "date", &f.as_on).req(),
        Field::new("value", "数值", "text", &f.value).req(),
        Field::new("evidence", "佐证材料", "textarea", &f.evidence)
            .req()
            .wide()
            .hint("说明数据来源、台账名称或文件编号，审核人据此核对"),
    ];
    let others = attach_errors(&mut fields, &errs);
    let status = if refusal.is_some() {
        StatusCode::CONFLICT
    } else if errs.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    with_status(
        render(&ReportsPage {
            nav: caller.nav("campaigns").crumbs(crumbs(Some(&c), "指标填报")),
            notice: notice(ok),
            rows,
            total: all.len(),
            page: page_no,
            pages: web_core::paging::pages(all.len() as i64, PER_PAGE as i64),
            can_review: a.full && caller.can_at(Perm::ManageCampaigns, &c.org_path),
            can_report,
            picker,
            fields,
            others,
            refusal,
            c,
        }),
        status,
    )
}

pub async fn reports_page(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Response {
    let f = ReportForm { as_on: today().to_string(), ..Default::default() };
    reports_view(&s, &caller, id, f, FieldErrors::default(), None, &q.ok, &q.page).await
}

pub async fn report_add(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ReportForm>,
) -> Response {
    web_core::tri!(service::campaign::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let org = match f.org.trim().parse::<i64>() {
        Ok(o) => o,
        Err(_) => {
            let e = FieldErrors(vec![domain::FieldError::new("填报单位", "请选择填报单位")]);
            return reports_view(&s, &caller, id, f, e, None, "", "").await;
        }
    };
    match service::campaign::report(&s.store, &caller, id, org, &f.code, &f.as_on, &f.value, &f.evidence).await {
        Ok(_) => Redirect::to(&format!("/campaigns/{id}/reports?ok=reported")).into_response(),
        Err(e) => {
            let (errs, refusal, _) = web_core::tri!(problems(&caller, e));
            reports_view(&s, &caller, id, f, errs, refusal, "", "").await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    csrf: String,
    /// `accept` or `return`.
    decision: String,
    reason: String,
}

/// `POST /campaigns/reports/{id}/review`.
pub async fn report_review(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::ManageCampaigns));
    web_core::tri!(caller.check_csrf(&f.csrf));
    // anything but 通过 is a return, which needs its reason
    let accept = f.decision == "accept";
    match service::campaign::review_report(&s.store, &caller, id, accept, &f.reason).await {
        Ok(r) => Redirect::to(&format!(
            "/campaigns/{}/reports?ok={}",
            r.campaign_id,
            if accept { "accepted" } else { "returned" }
        ))
        .into_response(),
        Err(service::ServiceError::Invalid(e)) => error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "未能退回",
            &format!("{}。请返回填报列表重新办理。", e.0.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("；")),
        ),
        Err(e) => caller.fail(e),
    }
}
