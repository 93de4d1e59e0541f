//! 会议记录 list.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use domain::life::{self as dl, RecordStatus};
use serde::Deserialize;
use service::ServiceError;
use store::life::RecordFilter;
use web_core::access::Perm;
use web_core::pages::{render, today, urlencode};
use web_core::{Caller, Crumb, Nav, Shared};

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RecordsQuery {
    org: String,
    #[serde(rename = "type")]
    kind: String,
    status: String,
    year: String,
    /// `review`: the 待我审核 view.
    view: String,
    page: String,
    /// `all`: every record of the page selected for the bulk review (本页全选, without script).
    select: String,
    /// After a bulk review: `accepted` or `returned`, and how many.
    done: String,
    n: String,
}

pub struct RecordRow {
    id: i64,
    held_on: String,
    org_id: i64,
    org_name: String,
    types: String,
    title: String,
    expected: i64,
    present: i64,
    status_label: &'static str,
    status_class: &'static str,
    quorum_fail: bool,
    no_attendance: bool,
    /// Selected for the bulk review, and the reason typed for it.
    selected: bool,
    reason: String,
}

/// What a bulk review sent back with the page when it was refused: the selection and reasons as
/// typed, and why.
#[derive(Default)]
pub struct Bulk {
    error: Option<String>,
    decision: String,
    selected: Vec<i64>,
    reasons: std::collections::HashMap<i64, String>,
    reason: String,
}

#[derive(Template)]
#[template(path = "life/records.html")]
struct RecordsPage {
    nav: Nav,
    org_id: i64,
    org_name: String,
    q: RecordsQuery,
    type_options: Vec<(String, String)>,
    status_options: Vec<(String, String)>,
    year_options: Vec<(String, String)>,
    to_review: bool,
    can_review: bool,
    review_count: i64,
    can_record: bool,
    rows: Vec<RecordRow>,
    total: i64,
    page: i64,
    pages: i64,
    page_link: String,
    filtered: bool,
    clear_link: String,
    bulk: Bulk,
    done: Option<String>,
}

pub async fn records(State(s): State<Shared>, caller: Caller, Query(q): Query<RecordsQuery>) -> Response {
    records_view(&s, &caller, q, Bulk::default(), StatusCode::OK).await
}

async fn records_view(s: &Shared, caller: &Caller, q: RecordsQuery, bulk: Bulk, code: StatusCode) -> Response {
    let scope = web_core::tri!(caller.require(Perm::ReadLife));
    let org = match web_core::pages::org_param(s, caller, Perm::ReadLife, &scope, &q.org).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let types = match life_types(s, caller).await {
        Ok(t) => t,
        Err(e) => return caller.fail(e),
    };
    let can_review = service::life::records::reviews_below(caller, &org.path);
    let to_review = can_review && q.view == "review";
    let type_code = Some(q.kind.trim().to_string()).filter(|k| dl::type_of(&types, k).is_some());
    let status = if to_review { None } else { RecordStatus::from_code(q.status.trim()) };
    let year = q.year.trim().parse::<i32>().ok().filter(|y| dl::window_years(today()).contains(y));
    let filter = RecordFilter {
        type_code: type_code.clone(),
        status,
        from: year.and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1)),
        to: year.and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31)),
        to_review,
    };
    let page_no = web_core::paging::asked(&q.page);
    let read = |p| service::life::records::list(&s.store, caller, &org, &filter, p, PER_PAGE);
    let page = match web_core::paging::within(page_no, read).await {
        Ok(p) => p,
        Err(e) => return caller.fail(e),
    };
    let review_count = if can_review && !to_review {
        service::life::records::awaiting_review(&s.store, caller, &org).await.unwrap_or(0)
    } else {
        page.total
    };
    let select_all = to_review && q.select == "all";
    let rows = page
        .items
        .iter()
        .map(|r| RecordRow {
            id: r.id,
            held_on: r.held_on.to_string(),
            org_id: r.org_id,
            org_name: r.org_name.clone(),
            types: dl::codes_label(&types, &r.type_codes()),
            title: r.title.clone(),
            expected: r.expected,
            present: r.present,
            status_label: r.state().label(),
            status_class: status_class(r.state()),
            quorum_fail: r.quorum_ok == Some(false),
            no_attendance: !r.has_attendance,
            selected: select_all || bulk.selected.contains(&r.id),
            reason: bulk.reasons.get(&r.id).cloned().unwrap_or_default(),
        })
        .collect();
    let base = format!("/life?org={}{}", org.id, if to_review { "&view=review" } else { "" });
    let mut filters = base.clone();
    if let Some(t) = &type_code {
        filters.push_str(&format!("&type={}", urlencode(t)));
    }
    if let Some(st) = status {
        filters.push_str(&format!("&status={}", st.code()));
    }
    if let Some(y) = year {
        filters.push_str(&format!("&year={y}"));
    }
    let this_year = chrono::Datelike::year(&today());
    let mut years: Vec<i32> = (this_year - 5..=this_year).rev().collect();
    if let Some(y) = year.filter(|y| !years.contains(y)) {
        years.push(y);
    }
    let trail = vec![Crumb::new("/life", "会议记录"), Crumb::new("", org.name.clone())];
    let done = match (q.done.as_str(), q.n.parse::<i64>()) {
        ("accepted", Ok(n)) => Some(format!("已审核通过 {n} 条记录。")),
        ("returned", Ok(n)) => Some(format!("已退回 {n} 条记录，各记录的党组织已收到消息。")),
        _ => None,
    };
    let mut res = render(&RecordsPage {
        nav: caller.nav("life").crumbs(trail),
        org_id: org.id,
        org_name: org.name.clone(),
        type_options: std::iter::once((String::new(), "全部类型".to_string()))
            .chain(types.iter().map(|t| (t.code.clone(), t.label.clone())))
            .collect(),
        status_options: std::iter::once((String::new(), "全部状态".to_string()))
            .chain(RecordStatus::ALL.iter().map(|s| (s.code().to_string(), s.label().to_string())))
            .collect(),
        year_options: std::iter::once((String::new(), "全部年度".to_string()))
            .chain(years.into_iter().map(|y| (y.to_string(), format!("{y} 年"))))
            .collect(),
        to_review,
        can_review,
        review_count,
        can_record: caller.can_at(Perm::RecordLife, &org.path),
        rows,
        total: page.total,
        page: page.page,
        pages: page.pages(),
        filtered: filters != base,
        page_link: filters,
        clear_link: base,
        q,
        bulk,
        done,
    });
    if code != StatusCode::OK {
        *res.status_mut() = code;
    }
    res
}

/// 批量审核: the records selected on the 待我审核 view accepted together, or returned together,
/// each with its reason (its own, or the one written for all selected). Refused as a whole — the
/// page comes back with the selection and the reasons as typed, naming the record — when one of
/// them cannot be decided; nothing is written then.
pub async fn review_many(State(s): State<Shared>, caller: Caller, Form(f): Form<Vec<(String, String)>>) -> Response {
    web_core::tri!(caller.require(Perm::ReviewLife));
    let field = |k: &str| f.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
    web_core::tri!(caller.check_csrf(&field("csrf")));
    let mut bulk = Bulk { decision: field("decision"), reason: field("reason"), ..Default::default() };
    for (k, v) in &f {
        if k == "id" {
            if let Ok(id) = v.trim().parse::<i64>() {
                if !bulk.selected.contains(&id) {
                    bulk.selected.push(id);
                }
            }
        } else if let Some(id) = k.strip_prefix("reason_").and_then(|i| i.parse::<i64>().ok()) {
            if !v.trim().is_empty() {
                bulk.reasons.insert(id, v.clone());
            }
        }
    }
    let q = RecordsQuery { org: field("org"), view: "review".into(), page: field("page"), ..Default::default() };
    let accept = match bulk.decision.as_str() {
        "accept" => true,
        "return" => false,
        _ => {
            bulk.error = Some("请点击“审核通过所选”或“退回所选”".into());
            return records_view(&s, &caller, q, bulk, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let items: Vec<(i64, String)> = bulk
        .selected
        .iter()
        .map(|id| (*id, bulk.reasons.get(id).cloned().unwrap_or_else(|| bulk.reason.clone())))
        .collect();
    match service::life::records::review_many(&s.store, &caller, &items, accept).await {
        Ok(n) => Redirect::to(&format!(
            "/life?org={}&view=review&done={}&n={n}",
            urlencode(q.org.trim()),
            if accept { "accepted" } else { "returned" }
        ))
        .into_response(),
        Err(
            e @ (ServiceError::Invalid(_)
            | ServiceError::Refused(_)
            | ServiceError::Denied(_)
            | ServiceError::NotFound(_)),
        ) => {
            let code = match &e {
                ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                ServiceError::Refused(_) => StatusCode::CONFLICT,
                ServiceError::Denied(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::NOT_FOUND,
            };
            bulk.error = Some(match &e {
                ServiceError::Invalid(fe) => fe.0.iter().map(|x| x.message.clone()).collect::<Vec<_>>().join("；"),
                ServiceError::NotFound(_) => {
                    "所选记录中有的不存在或不在您的管理范围内，本次审核未保存任何记录。".into()
                }
                other => other.to_string(),
            });
            records_view(&s, &caller, q, bulk, code).await
        }
        Err(e) => caller.fail(e),
    }
}
