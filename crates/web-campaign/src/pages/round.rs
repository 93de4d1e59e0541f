//! 调度: computing a round, its report (one page that prints on A4: the ranking as a chart with
//! its table, leaders and laggards, what changed since the previous round, the on-site meeting),
//! its workbook, and the draft's actions (compute again, publish, discard).

use askama::Template;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use service::campaign::round::MeetingForm;
use web_core::access::Perm;
use web_core::pages::{render, today, urlencode};
use web_core::{error_page, Caller, Crumb, Nav, Shared};

use super::{at, milli, notice, problems};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ComputeForm {
    csrf: String,
    as_on: String,
    title: String,
}

fn refusal_page(title: &str, msg: &str, status: StatusCode) -> Response {
    web_core::form::with_status(error_page(status, title, msg), status)
}

/// `POST /campaigns/{id}/rounds`: compute a draft round as of a date.
pub async fn compute(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ComputeForm>,
) -> Response {
    web_core::tri!(service::campaign::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    web_core::tri!(caller.check_csrf(&f.csrf));
    match service::campaign::round::compute(&s.store, &caller, id, &f.as_on, &f.title, today(), &store::NoProgress)
        .await
    {
        Ok(r) => Redirect::to(&format!("/campaigns/rounds/{}?ok=computed", r.id)).into_response(),
        Err(e) => {
            let (errs, refusal, status) = web_core::tri!(problems(&caller, e));
            let msg = refusal.unwrap_or_else(|| errs.0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("；"));
            refusal_page("未能计算调度", &format!("{msg}。请返回活动页面修改后重试。"), status)
        }
    }
}

struct Cell {
    value: String,
    score: String,
}

struct LineRow {
    rank: i64,
    name: String,
    total: String,
    band: &'static str,
    band_code: &'static str,
    moved: String,
    cells: Vec<Cell>,
}

struct ChangeRow {
    name: String,
    moved: i64,
    improved: String,
    fell: String,
}

struct MeetingRow {
    kind: &'static str,
    held_on: String,
    place: String,
    sites: Vec<String>,
    speakers: Vec<String>,
    materials: Vec<String>,
    summary: String,
}

/// One participant's plan in a round's report.
struct PlanRow {
    org: String,
    id: i64,
    title: String,
    kind: String,
    reached: i64,
    targets: i64,
    overdue: i64,
}

#[derive(Template)]
#[template(path = "campaign/round.html")]
struct RoundPage {
    nav: Nav,
    notice: Option<&'static str>,
    campaign_id: i64,
    campaign: String,
    issuer: String,
    id: i64,
    title: String,
    as_on: String,
    published: bool,
    published_at: String,
    digest: String,
    intact: Option<bool>,
    summary: String,
    full: bool,
    participants: usize,
    standard_from: String,
    max_score: i64,
    heads: Vec<(String, String, i64)>,
    lines: Vec<LineRow>,
    chart: String,
    leaders: Vec<(i64, String, String)>,
    laggards: Vec<(i64, String, String)>,
    changes: Vec<ChangeRow>,
    previous: Option<(i64, String)>,
    meetings: Vec<MeetingRow>,
    /// The tasks overdue on the round's date the caller may see: (organization, task, deadline,
    /// days late).
    overdue: Vec<(String, String, String, i64)>,
    /// Where the participants stood against their own approved plans on the round's date.
    plans: Vec<PlanRow>,
    can_manage: bool,
    today: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OkQuery {
    ok: String,
}

/// `GET /campaigns/rounds/{id}`: the round's report.
pub async fn show(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>, Query(q): Query<OkQuery>) -> Response {
    let r = match service::campaign::round::report(&s.store, &caller, id).await {
        Ok(r) => r,
        Err(e) => return caller.fail(e),
    };
    let full_score: f64 = r.standard.total_weight() as f64;
    let heads = r.standard.indicators.iter().map(|i| (i.label.clone(), i.unit.clone(), i.weight)).collect();
    let lines: Vec<LineRow> = r
        .lines
        .iter()
        .map(|l| LineRow {
            rank: l.rank,
            name: l.org_name.clone(),
            total: milli(Some(l.total_milli)),
            band: l.band.label(),
            band_code: l.band.code(),
            moved: match l.moved() {
                Some(m) if m > 0 => format!("↑{m}"),
                Some(m) if m < 0 => format!("↓{}", -m),
                Some(_) => "—".into(),
                None => "新".into(),
            },
            cells: r
                .standard
                .indicators
                .iter()
                .map(|i| {
                    let c = l.cell(&i.code);
                    Cell {
                        value: match c.and_then(|c| c.value_milli) {
                            Some(v) => milli(Some(v)),
                            None => "未填报".into(),
                        },
                        score: milli(Some(c.map_or(0, |c| c.score_milli))),
                    }
                })
                .collect(),
        })
        .collect();
    let chart_items: Vec<(String, f64, f64)> = r
        .lines
        .iter()
        .take(40)
        .map(|l| (format!("{}. {}", l.rank, l.org_name), l.total_milli as f64 / 1000.0, full_score))
        .collect();
    let chart = web_core::charts::scores("调度得分", &chart_items);
    let short = |l: &domain::campaign::round::Line| (l.rank, l.org_name.clone(), milli(Some(l.total_milli)));
    let changes = r
        .changes
        .iter()
        .filter(|c| c.moved != 0 || !c.improved.is_empty() || !c.fell.is_empty())
        .map(|c| {
            let list = |v: &[(String, i64)]| {
                v.iter()
                    .map(|(code, d)| format!("{}（{:+.1}分）", r.label(code), *d as f64 / 1000.0))
                    .collect::<Vec<_>>()
                    .join("、")
            };
            ChangeRow { name: c.org_name.clone(), moved: c.moved, improved: list(&c.improved), fell: list(&c.fell) }
        })
        .collect();
    let can_manage = r.access.full && caller.can_at(Perm::ManageCampaigns, &r.campaign.org_path);
    render(&RoundPage {
        nav: caller.nav("campaigns").crumbs(vec![
            Crumb::new("/campaigns", "创建活动"),
            Crumb::new(format!("/campaigns/{}", r.campaign.id), r.campaign.name.clone()),
            Crumb::new("", r.round.title.clone()),
        ]),
        notice: notice(&q.ok),
        campaign_id: r.campaign.id,
        campaign: r.campaign.name.clone(),
        issuer: r.campaign.org_name.clone(),
        id: r.round.id,
        title: r.round.title.clone(),
        as_on: r.round.as_on.to_string(),
        published: r.round.published(),
        published_at: r.round.published_at.as_ref().map(at).unwrap_or_default(),
        digest: r.round.digest.chars().take(16).collect(),
        intact: r.intact,
        summary: r.round.summary.clone(),
        full: r.access.full,
        participants: r.participants,
        standard_from: r.standard.valid_from.to_string(),
        max_score: r.standard.total_weight(),
        heads,
        lines,
        chart,
        leaders: r.leaders.iter().map(short).collect(),
        laggards: r.laggards.iter().map(short).collect(),
        changes,
        previous: r.previous.as_ref().map(|p| (p.id, p.title.clone())),
        meetings: r
            .meetings
            .iter()
            .map(|m| MeetingRow {
                kind: m.kind_label(),
                held_on: m.held_on.to_string(),
                place: m.place.clone(),
                sites: m.site_list().into_iter().map(str::to_string).collect(),
                speakers: m.speaker_list(),
                materials: m.materials.lines().map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect(),
                summary: m.summary.clone(),
            })
            .collect(),
        overdue: r
            .overdue
            .iter()
            .map(|(_, org, task, due)| (org.clone(), task.clone(), due.to_string(), (r.round.as_on - *due).num_days()))
            .collect(),
        plans: {
            let names: std::collections::HashMap<i64, &str> =
                r.lines.iter().map(|l| (l.org_id, l.org_name.as_str())).collect();
            r.plans
                .iter()
                .map(|p| PlanRow {
                    org: names.get(&p.org_id).copied().unwrap_or_default().to_string(),
                    id: p.plan_id,
                    title: p.title.clone(),
                    kind: format!("{}（{}）", p.kind_label(), p.years()),
                    reached: p.reached,
                    targets: p.targets,
                    overdue: p.overdue,
                })
                .collect()
        },
        can_manage,
        today: today().to_string(),
    })
}

/// `GET /campaigns/rounds/{id}/export.xlsx`: the workbook of what the caller sees.
pub async fn export(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let (r, bytes) = match service::campaign::round::export(&s.store, &caller, id).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let name = format!("{}-{}.xlsx", r.campaign.name, r.round.title);
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"dispatch-{id}.xlsx\"; filename*=UTF-8''{}",
        urlencode(&name)
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    csrf: String,
    summary: String,
}

async fn act(s: &Shared, caller: &Caller, id: i64, csrf: &str) -> Result<(), Response> {
    // the round must be one the caller sees before anything else is looked at
    service::campaign::round::report(&s.store, caller, id).await.map_err(|e| caller.fail(e))?;
    caller.check_csrf(csrf)
}

fn after(caller: &Caller, e: service::ServiceError, title: &str) -> Response {
    match problems(caller, e) {
        Ok((errs, refusal, status)) => {
            let msg = refusal.unwrap_or_else(|| errs.0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("；"));
            refusal_page(title, &msg, status)
        }
        Err(r) => r,
    }
}

pub async fn recompute(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    web_core::tri!(act(&s, &caller, id, &f.csrf).await);
    match service::campaign::round::recompute(&s.store, &caller, id, &store::NoProgress).await {
        Ok(_) => Redirect::to(&format!("/campaigns/rounds/{id}?ok=recomputed")).into_response(),
        Err(e) => after(&caller, e, "未能重新计算"),
    }
}

pub async fn publish(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    web_core::tri!(act(&s, &caller, id, &f.csrf).await);
    match service::campaign::round::publish(&s.store, &caller, id, &f.summary).await {
        Ok(_) => Redirect::to(&format!("/campaigns/rounds/{id}?ok=published")).into_response(),
        Err(e) => after(&caller, e, "未能发布"),
    }
}

pub async fn discard(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    let r = web_core::tri!(service::campaign::round::report(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    web_core::tri!(caller.check_csrf(&f.csrf));
    match service::campaign::round::discard(&s.store, &caller, id).await {
        Ok(_) => Redirect::to(&format!("/campaigns/{}?ok=discarded", r.campaign.id)).into_response(),
        Err(e) => after(&caller, e, "未能删除"),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MeetingPost {
    csrf: String,
    #[serde(flatten)]
    m: MeetingForm,
}

pub async fn meeting(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<MeetingPost>,
) -> Response {
    web_core::tri!(act(&s, &caller, id, &f.csrf).await);
    match service::campaign::round::add_meeting(&s.store, &caller, id, &f.m).await {
        Ok(_) => Redirect::to(&format!("/campaigns/rounds/{id}?ok=meeting#meetings")).into_response(),
        Err(e) => after(&caller, e, "未能登记会议"),
    }
}
