//! 会议记录 list.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use domain::life::{self as dl, RecordStatus};
use serde::Deserialize;
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
}

pub async fn records(State(s): State<Shared>, caller: Caller, Query(q): Query<RecordsQuery>) -> Response {
    let scope = web_core::tri!(caller.require(Perm::ReadLife));
    let org = match web_core::pages::org_param(&s, &caller, Perm::ReadLife, &scope, &q.org).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let types = match life_types(&s, &caller).await {
        Ok(t) => t,
        Err(e) => return caller.fail(e),
    };
    let can_review = service::life::records::reviews_below(&caller, &org.path);
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
    let page_no = q.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let page = match service::life::records::list(&s.store, &caller, &org, &filter, page_no, PER_PAGE).await {
        Ok(p) => p,
        Err(e) => return caller.fail(e),
    };
    let review_count = if can_review && !to_review {
        service::life::records::awaiting_review(&s.store, &caller, &org).await.unwrap_or(0)
    } else {
        page.total
    };
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
    render(&RecordsPage {
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
    })
}
