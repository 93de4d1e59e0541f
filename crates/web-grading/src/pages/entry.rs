//! One organization's entry in a grading cycle (评分表): its computed indicators with their source
//! and as-of date, the assessors' scores and the caller's own scoring form, the cycle's steps with
//! moving on and returning with a reason, 破格, publicity's objections and their answers, and the
//! recorded reviews of a final grade. Also `/grading/mine`: the grades of the caller's own
//! organizations.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Form;
use domain::grading::{AssessorKind, EntryState, ItemKind};
use domain::FieldErrors;
use serde::Deserialize;
use service::grading::Sheet;
use web_core::access::Perm;
use web_core::form::with_status;
use web_core::pages::{render, today};
use web_core::routes::{Routes, Target};
use web_core::{Caller, Crumb, Nav, Shared};

use super::{at, lines, problems};

pub fn routes(r: Routes) -> Routes {
    r.add("GET", "/grading/mine", Target::None, get(mine))
        .add("GET", "/grading/entries/{id}", Target::GradingEntry, get(show))
        .add("POST", "/grading/entries/{id}/score", Target::GradingEntry, post(score))
        .add("POST", "/grading/entries/{id}/step", Target::GradingEntry, post(step))
        .add("POST", "/grading/entries/{id}/exceptional", Target::GradingEntry, post(exceptional))
        .add("POST", "/grading/entries/{id}/object", Target::GradingEntry, post(object))
        .add("POST", "/grading/entries/{id}/answer", Target::GradingEntry, post(answer))
        .add("POST", "/grading/entries/{id}/review", Target::GradingEntry, post(review))
}

fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "scored" => "已保存评分。计算等次时按定级方案合并各评分主体的分数。",
        "advanced" => "已进入下一工作步骤。",
        "returned" => "已退回上一工作步骤，退回理由已告知本组织。",
        "exceptional" => "已记录破格理由。",
        "objected" => "已提出异议，评定人员答复后方可定级。",
        "answered" => "已答复异议。",
        "reviewed" => "已复核并改定等次，原等次与理由留有记录。",
        _ => return None,
    })
}

/// A computed indicator as read when the cycle was graded.
struct ComputedRow {
    label: String,
    source: String,
    as_of: String,
    value: String,
    points: String,
}

/// One scored item of the caller's form: the catalogue's item with what is typed and the version
/// of the caller's stored score (0: none yet).
struct ItemRow {
    code: String,
    label: String,
    kind: &'static str,
    veto: bool,
    max: String,
    guidance: String,
    points: String,
    note: String,
    version: i64,
}

/// One stored score as the assessors see them.
struct ScoreRow {
    assessor: String,
    kind: &'static str,
    item: String,
    points: String,
    note: String,
    at: String,
}

struct ObjectionRow {
    id: i64,
    by: String,
    body: String,
    answer: String,
    answered: String,
    at: String,
}

struct ReviewRow {
    from: String,
    to: String,
    reason: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "grading/entry.html")]
struct EntryPage {
    nav: Nav,
    notice: Option<&'static str>,
    refusal: Option<String>,
    errors: Vec<String>,
    /// Which form the problems are about (`score`, `step`, `exceptional`, `object`, `answer`, `review`).
    form: &'static str,
    cycle_id: i64,
    cycle_title: String,
    year: i64,
    entry: store::grading::Entry,
    state: &'static str,
    /// (label, done, current) of each step.
    steps: Vec<(String, bool, bool)>,
    grade: String,
    by_score: String,
    last_grade: String,
    computed: Vec<ComputedRow>,
    items: Vec<ItemRow>,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    scores: Vec<ScoreRow>,
    objections: Vec<ObjectionRow>,
    reviews: Vec<ReviewRow>,
    grades: Vec<(String, String)>,
    may_score: bool,
    may_manage: bool,
    /// Scores and steps may still change (not in publicity or final).
    open: bool,
    in_publicity: bool,
    publicity: String,
    one_step: bool,
    /// What the forms other than scoring hold as typed.
    typed: HashMap<String, String>,
}

impl EntryPage {
    fn typed(&self, key: &str) -> &str {
        self.typed.get(key).map_or("", String::as_str)
    }
}

fn pairs_get<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str())
}

/// The sheet's page, with what was typed kept when a form is shown again.
fn page(
    caller: &Caller,
    sheet: Sheet,
    q_ok: &str,
    form: &'static str,
    pairs: &[(String, String)],
    errs: &FieldErrors,
    refusal: Option<String>,
) -> EntryPage {
    let Sheet { cycle, entry, scheme, catalogue, scores, objections, reviews, may_score, may_manage } = sheet;
    let label = |g: &Option<String>| g.as_deref().map_or_else(|| "—".to_string(), |g| scheme.label(g));
    let me = caller.actor.name.clone();
    let mine: HashMap<&str, &store::grading::Score> =
        scores.iter().filter(|s| s.assessor == me).map(|s| (s.item.as_str(), s)).collect();
    let typed_form = form == "score";
    let items = catalogue
        .items
        .iter()
        .filter(|i| matches!(i.kind, ItemKind::Assessed | ItemKind::Bonus | ItemKind::Deduction | ItemKind::Veto))
        .map(|i| {
            let stored = mine.get(i.code.as_str());
            let (points, note) = if typed_form {
                (
                    pairs_get(pairs, &format!("p_{}", i.code)).to_string(),
                    pairs_get(pairs, &format!("n_{}", i.code)).to_string(),
                )
            } else {
                match stored {
                    Some(s) if i.kind == ItemKind::Veto => {
                        ((if s.points_milli > 0 { "1" } else { "" }).to_string(), s.note.clone())
                    }
                    Some(s) => (domain::grading::points_text(s.points_milli), s.note.clone()),
                    None => (String::new(), String::new()),
                }
            };
            ItemRow {
                code: i.code.clone(),
                label: i.label.clone(),
                kind: i.kind.label(),
                veto: i.kind == ItemKind::Veto,
                max: domain::grading::points_text(i.max_milli),
                guidance: i.guidance.clone(),
                points,
                note,
                // always the stored version: after a refused stale save the form holds what was
                // typed and saving again replaces the score now stored, which the table shows
                version: stored.map_or(0, |s| s.version),
            }
        })
        .collect();
    let item_label = |code: &str| catalogue.item(code).map_or_else(|| code.to_string(), |i| i.label.clone());
    let kind = if typed_form {
        pairs_get(pairs, "kind").to_string()
    } else {
        mine.values().next().map_or_else(
            || {
                if caller.can_at(Perm::ManageGrading, &cycle.org_path) {
                    AssessorKind::Superior.code().to_string()
                } else {
                    String::new()
                }
            },
            |s| s.assessor_kind.clone(),
        )
    };
    let steps = cycle.steps();
    let now_at = entry.step.max(0) as usize;
    let state = entry.state();
    let step_rows = steps
        .iter()
        .enumerate()
        .map(|(k, s)| {
            (
                format!("{}（{}）", s.label, s.owner.label()),
                k < now_at || state == EntryState::Final,
                k == now_at && state != EntryState::Final,
            )
        })
        .collect();
    let today = today();
    let publicity = match (cycle.publicity_on, cycle.publicity_end_on) {
        (Some(a), Some(b)) => format!("{a} 至 {b}"),
        _ => "未公示".into(),
    };
    let typed: HashMap<String, String> = if typed_form { HashMap::new() } else { pairs.iter().cloned().collect() };
    EntryPage {
        nav: caller.nav("grading").crumbs(vec![
            Crumb::new("/grading", "分类定级"),
            Crumb::new(format!("/grading/{}", cycle.id), &cycle.title),
            Crumb::new("", &entry.org_name),
        ]),
        notice: notice(q_ok),
        refusal,
        errors: lines(errs),
        form,
        cycle_id: cycle.id,
        cycle_title: cycle.title.clone(),
        year: cycle.year,
        state: entry.state_label(),
        steps: step_rows,
        grade: label(&entry.grade),
        by_score: label(&entry.grade_by_score),
        last_grade: label(&entry.last_grade),
        computed: entry
            .computed()
            .into_iter()
            .map(|c| ComputedRow {
                source: c.source.clone(),
                as_of: c.as_of.to_string(),
                value: format!("{:.1}", c.value),
                points: domain::grading::points_text(c.points_milli),
                label: c.label,
            })
            .collect(),
        items,
        kinds: AssessorKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        kind,
        scores: scores
            .iter()
            .map(|s| ScoreRow {
                assessor: s.assessor.clone(),
                kind: AssessorKind::from_code(&s.assessor_kind).map_or("", |k| k.label()),
                item: item_label(&s.item),
                points: if catalogue.item(&s.item).is_some_and(|i| i.kind == ItemKind::Veto) {
                    if s.points_milli > 0 {
                        "否决".into()
                    } else {
                        "否".into()
                    }
                } else {
                    domain::grading::points_text(s.points_milli)
                },
                note: s.note.clone(),
                at: at(&s.updated_at),
            })
            .collect(),
        objections: objections
            .iter()
            .map(|o| ObjectionRow {
                id: o.id,
                by: o.by(),
                body: o.body.clone(),
                answer: o.answer.clone(),
                answered: match (&o.answered_by, &o.answered_at) {
                    (Some(b), Some(t)) => format!("{b} {}", at(t)),
                    _ => String::new(),
                },
                at: at(&o.created_at),
            })
            .collect(),
        reviews: reviews
            .iter()
            .map(|r| ReviewRow {
                from: scheme.label(&r.old_grade),
                to: scheme.label(&r.new_grade),
                reason: r.reason.clone(),
                by: r.created_by.clone(),
                at: at(&r.created_at),
            })
            .collect(),
        grades: scheme.bands.iter().map(|b| (b.code.clone(), b.label.clone())).collect(),
        may_score,
        may_manage,
        open: !matches!(state, EntryState::Publicity | EntryState::Final),
        in_publicity: cycle.in_publicity(today),
        publicity,
        one_step: scheme.one_step,
        typed,
        entry,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    ok: String,
}

/// `GET /grading/entries/{id}`: an organization's 评分表.
pub async fn show(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Response {
    match service::grading::sheet(&s.store, &caller, id).await {
        Ok(sheet) => render(&page(&caller, sheet, &q.ok, "", &[], &FieldErrors::default(), None)),
        Err(e) => caller.fail(e),
    }
}

/// After a form: back to the sheet with a notice, or the sheet again with the problem beside the
/// form and what was typed.
async fn after<T>(
    s: &Shared,
    caller: &Caller,
    id: i64,
    form: &'static str,
    ok: &str,
    pairs: &[(String, String)],
    r: Result<T, service::ServiceError>,
) -> Response {
    match r {
        Ok(_) => Redirect::to(&format!("/grading/entries/{id}?ok={ok}")).into_response(),
        Err(e) => {
            let (errs, refusal, status) = web_core::tri!(problems(caller, e));
            match service::grading::sheet(&s.store, caller, id).await {
                Ok(sheet) => with_status(render(&page(caller, sheet, "", form, pairs, &errs, refusal)), status),
                Err(e) => caller.fail(e),
            }
        }
    }
}

/// Read before anything else: an entry out of the caller's scope is not found, whatever was sent.
async fn readable(s: &Shared, caller: &Caller, id: i64, pairs: &[(String, String)]) -> Result<Sheet, Response> {
    let sheet = service::grading::sheet(&s.store, caller, id).await.map_err(|e| caller.fail(e))?;
    caller.check_csrf(pairs_get(pairs, "csrf"))?;
    Ok(sheet)
}

/// `POST /grading/entries/{id}/score`: the caller's scores as one assessor (分类定级评分).
pub async fn score(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    web_core::tri!(caller.require(Perm::AssessGrading));
    web_core::tri!(readable(&s, &caller, id, &pairs).await);
    let items: Vec<(String, String, String, String)> = pairs
        .iter()
        .filter_map(|(k, _)| k.strip_prefix("v_"))
        .map(|code| {
            (
                code.to_string(),
                pairs_get(&pairs, &format!("p_{code}")).to_string(),
                pairs_get(&pairs, &format!("n_{code}")).to_string(),
                pairs_get(&pairs, &format!("v_{code}")).to_string(),
            )
        })
        // an item left empty that was never scored is not scored now
        .filter(|(_, p, _, v)| !(p.trim().is_empty() && v.trim() == "0"))
        .collect();
    let r = service::grading::score(&s.store, &caller, id, pairs_get(&pairs, "kind"), &items).await;
    after(&s, &caller, id, "score", "scored", &pairs, r).await
}

/// `POST /grading/entries/{id}/step`: move on to the next step, or return with a reason.
pub async fn step(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    web_core::tri!(caller.require(Perm::AssessGrading));
    web_core::tri!(readable(&s, &caller, id, &pairs).await);
    let forward = pairs_get(&pairs, "action") != "return";
    let r = service::grading::step(
        &s.store,
        &caller,
        id,
        pairs_get(&pairs, "version"),
        forward,
        pairs_get(&pairs, "reason"),
    )
    .await;
    after(&s, &caller, id, "step", if forward { "advanced" } else { "returned" }, &pairs, r).await
}

/// `POST /grading/entries/{id}/exceptional`: record 破格 with its reason (管理分类定级).
pub async fn exceptional(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    web_core::tri!(caller.require(Perm::ManageGrading));
    web_core::tri!(readable(&s, &caller, id, &pairs).await);
    let r = service::grading::set_exceptional(&s.store, &caller, id, pairs_get(&pairs, "exceptional")).await;
    after(&s, &caller, id, "exceptional", "exceptional", &pairs, r).await
}

/// `POST /grading/entries/{id}/object`: an objection to a grade in publicity, named or anonymous.
pub async fn object(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    web_core::tri!(caller.require(Perm::ReadGrading));
    web_core::tri!(readable(&s, &caller, id, &pairs).await);
    let anonymous = web_core::form::checked(pairs_get(&pairs, "anonymous"));
    let r = service::grading::object(&s.store, &caller, id, anonymous, pairs_get(&pairs, "body"), today()).await;
    after(&s, &caller, id, "object", "objected", &pairs, r).await
}

/// `POST /grading/entries/{id}/answer`: the assessor's answer to one of the entry's objections.
pub async fn answer(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    web_core::tri!(caller.require(Perm::AssessGrading));
    let sheet = web_core::tri!(readable(&s, &caller, id, &pairs).await);
    let objection = pairs_get(&pairs, "objection").trim().parse::<i64>().unwrap_or(0);
    // the objection must be one of this entry's: another entry's answers are given on its own sheet
    let own = sheet.objections.iter().any(|o| o.id == objection);
    let r = if own {
        service::grading::answer(&s.store, &caller, objection, pairs_get(&pairs, &format!("answer_{objection}"))).await
    } else {
        let mut e = FieldErrors::default();
        e.push("异议", "请选择本组织评分表上的异议作答");
        Err(e.into())
    };
    after(&s, &caller, id, "answer", "answered", &pairs, r).await
}

/// `POST /grading/entries/{id}/review`: change a final grade by a recorded review (管理分类定级).
pub async fn review(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    web_core::tri!(caller.require(Perm::ManageGrading));
    web_core::tri!(readable(&s, &caller, id, &pairs).await);
    let r =
        service::grading::review(&s.store, &caller, id, pairs_get(&pairs, "grade"), pairs_get(&pairs, "reason")).await;
    after(&s, &caller, id, "review", "reviewed", &pairs, r).await
}

// ---- the caller's own organizations ----------------------------------------------------------

struct MineRow {
    id: i64,
    cycle: String,
    org_name: String,
    state: &'static str,
    total: String,
    grade: String,
    lowered: String,
}

#[derive(Template)]
#[template(path = "grading/mine.html")]
struct MinePage {
    nav: Nav,
    rows: Vec<MineRow>,
}

/// `GET /grading/mine`: the grades of the caller's own organizations in publicity or final, latest
/// first, each opening its sheet (where an objection is raised during publicity).
pub async fn mine(State(s): State<Shared>, caller: Caller) -> Response {
    let entries = match service::grading::mine(&s.store, &caller).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let mut rows = Vec::with_capacity(entries.len());
    let mut cycles: HashMap<i64, (String, domain::grading::Scheme)> = HashMap::new();
    for e in entries {
        if let std::collections::hash_map::Entry::Vacant(slot) = cycles.entry(e.cycle_id) {
            match service::grading::cycle(&s.store, &caller, e.cycle_id).await {
                Ok(v) => {
                    slot.insert((v.cycle.title, v.scheme));
                }
                Err(err) => return caller.fail(err),
            }
        }
        let (title, scheme) = &cycles[&e.cycle_id];
        rows.push(MineRow {
            id: e.id,
            cycle: title.clone(),
            state: e.state_label(),
            total: e.total_text(),
            grade: e.grade.as_deref().map_or_else(|| "—".into(), |g| scheme.label(g)),
            lowered: e.lowered_why.clone(),
            org_name: e.org_name,
        });
    }
    render(&MinePage { nav: caller.nav("grading_mine").crumbs(vec![Crumb::new("", "本组织定级")]), rows })
}
