//! 任务: an organization's task board in a campaign (given to it, assigned by it, overdue and
//! returned; completion by subtree; the form to assign a task down its subtree), one task with its
//! assignments and their reports (the forms to report progress with evidence, to split a received
//! share among subordinates, and to accept or return a report), and an evidence file.

use askama::Template;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::campaign::task::{Assign, CascadeInput, ReportInput, Status, TaskInput};
use domain::FieldErrors;
use serde::Deserialize;
use service::campaign::task::{Tab, TaskView};
use store::campaign::task::Assignment;
use store::campaign::Campaign;
use web_core::access::Perm;
use web_core::form::{attach_errors, with_status, Field};
use web_core::pages::{render, today, urlencode};
use web_core::picker::{OrgPicker, Purpose};
use web_core::{error_page, Caller, Crumb, Nav, Shared};

use super::campaign::{crumbs, form_pairs};
use super::{at, problems};

const PER_PAGE: i64 = 30;

/// Largest body a progress report takes: its files together.
pub const MAX_REPORT_BYTES: usize = 2 * store::life::MAX_ATTACHMENT + 1024 * 1024;

/// Notices after a redirect.
fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "task_created" => "已布置任务。承办单位在任务页报送进展，报送后由布置单位审核。",
        "task_split" => "已分解任务。各下级党组织在本页报送进展，由本单位审核；本单位的进展仍向上级报送。",
        "task_reported" => "已报送进展，等待布置单位审核。",
        "task_accepted" => "已审核通过，进展已计入。",
        "task_returned" => "已退回，并已通知承办单位。",
        _ => return None,
    })
}

fn percent(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

// ----- the board -----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct BoardQuery {
    org: String,
    tab: String,
    page: String,
    ok: String,
}

struct CompletionRow {
    name: String,
    own: bool,
    assignments: i64,
    complete: i64,
    rate: String,
    overdue: i64,
    progress: String,
}

struct MineRow {
    task_id: i64,
    assignment_id: i64,
    content: String,
    assigner: String,
    progress: String,
    due_on: String,
    status: &'static str,
    late: bool,
    returned: bool,
}

struct AssignedRow {
    task_id: i64,
    content: String,
    target: String,
    due_on: String,
    assignments: i64,
    complete: i64,
    waiting: i64,
    split: bool,
}

struct FindingRow {
    task_id: i64,
    assignment_id: i64,
    content: String,
    org: String,
    assigner: String,
    due_on: String,
    what: String,
    incoming: bool,
}

struct Choice {
    id: i64,
    name: String,
    depth: usize,
    checked: bool,
}

#[derive(Template)]
#[template(path = "campaign/tasks.html")]
struct BoardPage {
    nav: Nav,
    c: Campaign,
    notice: Option<&'static str>,
    picker: OrgPicker,
    org_id: i64,
    org_name: String,
    /// Which list (`mine`, `assigned`, `overdue`).
    view: &'static str,
    counts: (i64, i64, i64),
    page: i64,
    pages: i64,
    completion: Vec<CompletionRow>,
    mine: Vec<MineRow>,
    assigned: Vec<AssignedRow>,
    findings: Vec<FindingRow>,
    can_assign: bool,
    fields: Vec<Field>,
    others: Vec<String>,
    choices: Vec<Choice>,
    chosen_error: Option<String>,
    refusal: Option<String>,
}

/// The assigning form as typed (repeated `chosen` values kept).
#[derive(Default, Clone)]
pub struct TaskForm {
    csrf: String,
    org: String,
    content: String,
    target: String,
    unit: String,
    due_on: String,
    measures: String,
    responsible: String,
    assign: String,
    depth: String,
    chosen: Vec<i64>,
}

impl TaskForm {
    fn parse(body: &str) -> TaskForm {
        let mut f = TaskForm::default();
        for (k, v) in form_pairs(body) {
            let slot = match k.as_str() {
                "csrf" => &mut f.csrf,
                "org" => &mut f.org,
                "content" => &mut f.content,
                "target" => &mut f.target,
                "unit" => &mut f.unit,
                "due_on" => &mut f.due_on,
                "measures" => &mut f.measures,
                "responsible" => &mut f.responsible,
                "assign" => &mut f.assign,
                "depth" => &mut f.depth,
                "chosen" => {
                    if let Ok(id) = v.trim().parse() {
                        f.chosen.push(id);
                    }
                    continue;
                }
                _ => continue,
            };
            *slot = v;
        }
        f
    }
    fn input(&self) -> TaskInput {
        TaskInput {
            content: self.content.clone(),
            target: self.target.clone(),
            unit: self.unit.clone(),
            due_on: self.due_on.clone(),
            measures: self.measures.clone(),
            responsible: self.responsible.clone(),
            assign: self.assign.clone(),
            depth: self.depth.clone(),
        }
    }
}

fn task_fields(f: &TaskForm) -> Vec<Field> {
    let assign: Vec<(String, String)> = Assign::ALL.iter().map(|a| (a.code().into(), a.label().into())).collect();
    let chosen = Assign::parse(&f.assign).map_or(f.assign.clone(), |a| a.code().to_string());
    vec![
        Field::new("content", "任务内容", "textarea", &f.content).req().wide().hint("任务明确：做什么、做到什么程度"),
        Field::new("target", "目标数值", "text", &f.target)
            .hint("目标量化：每个承办单位的目标数，如 12；是否完成类任务不填"),
        Field::new("unit", "计量单位", "text", &f.unit).hint("如 个、次、人、%"),
        Field::new("due_on", "完成期限", "date", &f.due_on).req(),
        Field::new("responsible", "责任人", "text", &f.responsible)
            .req()
            .hint("责任明晰：责任单位和责任人，如“县委组织部 王某”"),
        Field::new("measures", "工作措施", "textarea", &f.measures).wide().hint("措施配套：推进的办法、保障和节点"),
        Field::select("assign", "下达方式", &chosen, assign).req(),
        Field::new("depth", "下达层级", "number", &f.depth).hint("按层级下达时填写：1 为直属下级，2 为再下一级"),
    ]
}

async fn board_view(
    s: &Shared,
    caller: &Caller,
    id: i64,
    q: &BoardQuery,
    f: Option<TaskForm>,
    errs: FieldErrors,
    refusal: Option<String>,
) -> Response {
    let org = match (f.as_ref().map(|f| f.org.trim()), q.org.trim()) {
        (Some(o), _) if !o.is_empty() => o.parse::<i64>().ok(),
        (_, "") => None,
        (_, o) => match o.parse::<i64>() {
            Ok(o) => Some(o),
            Err(_) => return caller.fail(service::ServiceError::NotFound("党组织")),
        },
    };
    let tab = Tab::parse(&q.tab);
    let asked = web_core::paging::asked(&q.page);
    let b = match service::campaign::task::board(&s.store, caller, id, org, tab, asked, PER_PAGE, today()).await {
        Ok(b) => b,
        Err(e) => return caller.fail(e),
    };
    let on = today();
    let picker = OrgPicker::new(
        s,
        caller,
        Purpose::Campaigns,
        "org",
        "党组织",
        Some(&b.org),
        &format!("/campaigns/{id}/tasks?tab={}", tab.code()),
    )
    .await
    .submitting();
    let f = f.unwrap_or_else(|| TaskForm { assign: "level".into(), depth: "1".into(), ..Default::default() });
    let mut errs = errs;
    let mine_chosen: Vec<String> = errs.0.iter().filter(|e| e.field == "承办单位").map(|e| e.message.clone()).collect();
    errs.0.retain(|e| e.field != "承办单位");
    let chosen_error = (!mine_chosen.is_empty()).then(|| mine_chosen.join("；"));
    let mut fields = task_fields(&f);
    let others = attach_errors(&mut fields, &errs);
    let choices = if b.can_assign {
        service::org::subtree(&s.store, caller, Perm::ManageCampaigns, b.org.id, Some(2))
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|n| n.depth > 0)
            .take(600)
            .map(|n| Choice { id: n.org.id, checked: f.chosen.contains(&n.org.id), name: n.org.name, depth: n.depth })
            .collect()
    } else {
        vec![]
    };
    let status = if refusal.is_some() {
        StatusCode::CONFLICT
    } else if errs.is_empty() && chosen_error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = BoardPage {
        nav: caller.nav("campaigns").crumbs(crumbs(Some(&b.campaign), "任务")),
        notice: notice(&q.ok),
        picker,
        org_id: b.org.id,
        org_name: b.org.name.clone(),
        view: tab.code(),
        counts: b.counts,
        page: b.page,
        pages: web_core::paging::pages(b.total, PER_PAGE),
        completion: b
            .completion
            .iter()
            .map(|x| CompletionRow {
                name: x.org_name.clone(),
                own: x.own,
                assignments: x.assignments,
                complete: x.complete,
                rate: percent(x.rate()),
                overdue: x.overdue,
                progress: if x.quantified > 0 { percent(x.progress) } else { "—".into() },
            })
            .collect(),
        mine: b
            .mine
            .iter()
            .map(|a| MineRow {
                task_id: a.task_id,
                assignment_id: a.id,
                content: a.content.clone(),
                assigner: a.assigner_name.clone(),
                progress: a.progress_text(),
                due_on: a.due_on.to_string(),
                status: a.status_label(),
                late: a.overdue_on(on),
                returned: !a.complete() && a.status() == Status::Returned,
            })
            .collect(),
        assigned: b
            .assigned
            .iter()
            .map(|x| AssignedRow {
                task_id: x.task.id,
                content: x.task.content.clone(),
                target: x.task.target_text(),
                due_on: x.task.due_on.to_string(),
                assignments: x.assignments,
                complete: x.complete,
                waiting: x.waiting,
                split: x.task.parent_assignment_id.is_some(),
            })
            .collect(),
        findings: b
            .findings
            .iter()
            .map(|a| FindingRow {
                task_id: a.task_id,
                assignment_id: a.id,
                content: a.content.clone(),
                org: a.org_name.clone(),
                assigner: a.assigner_name.clone(),
                due_on: a.due_on.to_string(),
                what: if a.overdue_on(on) {
                    format!("逾期 {} 天", (on - a.due_on).num_days())
                } else {
                    "被退回待重报".to_string()
                },
                incoming: a.org_id == b.org.id,
            })
            .collect(),
        can_assign: b.can_assign,
        fields,
        others,
        choices,
        chosen_error,
        refusal,
        c: b.campaign,
    };
    with_status(render(&page), status)
}

/// `GET /campaigns/{id}/tasks?org=&tab=`: an organization's task board.
pub async fn board(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<BoardQuery>,
) -> Response {
    board_view(&s, &caller, id, &q, None, FieldErrors::default(), None).await
}

/// `POST /campaigns/{id}/tasks`: assign a task from the board's organization.
pub async fn create(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<BoardQuery>,
    body: String,
) -> Response {
    // the campaign must be one the caller sees before the form is looked at
    web_core::tri!(service::campaign::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    let f = TaskForm::parse(&body);
    web_core::tri!(caller.check_csrf(&f.csrf));
    let org = f.org.trim().parse::<i64>().ok();
    match service::campaign::task::create(&s.store, &caller, id, org, &f.input(), &f.chosen, today()).await {
        Ok(t) => Redirect::to(&format!("/campaigns/tasks/{}?ok=task_created", t.id)).into_response(),
        Err(e) => {
            let (errs, refusal, _) = web_core::tri!(problems(&caller, e));
            board_view(&s, &caller, id, &q, Some(f), errs, refusal).await
        }
    }
}

// ----- one task -----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TaskQuery {
    page: String,
    /// An assignment whose page to show.
    focus: String,
    ok: String,
}

struct FileRow {
    id: i64,
    name: String,
    size: String,
}

struct ReportRow {
    at: String,
    by: String,
    value: String,
    done: bool,
    note: String,
    decision: &'static str,
    pending: bool,
    reason: String,
    decided: String,
    files: Vec<FileRow>,
}

/// What was typed in a section's form that failed, with its problems.
#[derive(Default, Clone)]
struct Typed {
    value: String,
    done: bool,
    note: String,
    due_on: String,
    measures: String,
    responsible: String,
    shares: Vec<(i64, String)>,
    reason: String,
}

struct Section {
    id: i64,
    org: String,
    share: String,
    progress: String,
    status: &'static str,
    late: bool,
    cascade: Option<i64>,
    reports: Vec<ReportRow>,
    can_decide: bool,
    can_report: bool,
    can_split: bool,
    quantified: bool,
    /// (id, name, what is typed for it) of the subordinates the share may be split among.
    subordinates: Vec<(i64, String, String)>,
    /// Which form the problems are of (`report`, `split`, `decide`) and the problems.
    form: &'static str,
    errors: Vec<String>,
    typed: Typed,
}

#[derive(Template)]
#[template(path = "campaign/task.html")]
struct TaskPage {
    nav: Nav,
    notice: Option<&'static str>,
    c: Campaign,
    id: i64,
    content: String,
    target: String,
    unit: String,
    due_on: String,
    measures: String,
    responsible: String,
    assigner: String,
    parent: Option<(i64, String, String)>,
    full: bool,
    total: usize,
    complete: usize,
    waiting: usize,
    late: usize,
    sections: Vec<Section>,
    page: i64,
    pages: i64,
    max_files: usize,
}

/// A form of a section that failed.
struct Problem {
    assignment: i64,
    form: &'static str,
    errors: Vec<String>,
    typed: Typed,
    status: StatusCode,
}

fn size_text(n: i64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / 1048576.0)
    } else {
        format!("{} KB", (n + 1023) / 1024)
    }
}

async fn task_view(
    s: &Shared,
    caller: &Caller,
    id: i64,
    page: &str,
    focus: Option<i64>,
    p: Option<Problem>,
    ok: &str,
) -> Response {
    let asked = web_core::paging::asked(page);
    let focus = p.as_ref().map(|p| p.assignment).or(focus);
    let v = match service::campaign::task::view(&s.store, caller, id, asked, PER_PAGE, focus).await {
        Ok(v) => v,
        Err(e) => return caller.fail(e),
    };
    let on = today();
    let mut sections = Vec::new();
    for a in v.shown() {
        sections.push(section(s, caller, &v, a, on, p.as_ref()).await);
    }
    let t = &v.task;
    let status = p.as_ref().map_or(StatusCode::OK, |p| p.status);
    let page = TaskPage {
        nav: caller.nav("campaigns").crumbs({
            let mut c = crumbs(Some(&v.campaign), "");
            c.push(Crumb::new(format!("/campaigns/{}/tasks", v.campaign.id), "任务"));
            c.push(Crumb::new("", t.content.chars().take(20).collect::<String>()));
            c
        }),
        notice: notice(ok),
        id: t.id,
        content: t.content.clone(),
        target: t.target_text(),
        unit: t.unit.clone(),
        due_on: t.due_on.to_string(),
        measures: t.measures.clone(),
        responsible: t.responsible.clone(),
        assigner: t.org_name.clone(),
        parent: v.parent.as_ref().map(|a| (a.task_id, a.assigner_name.clone(), a.progress_text())),
        full: v.access.full,
        total: v.assignments.len(),
        complete: v.assignments.iter().filter(|a| a.complete()).count(),
        waiting: v.assignments.iter().filter(|a| a.status() == Status::Reported).count(),
        late: v.assignments.iter().filter(|a| a.overdue_on(on)).count(),
        sections,
        page: v.page,
        pages: web_core::paging::pages(v.assignments.len() as i64, PER_PAGE),
        max_files: store::campaign::task::MAX_EVIDENCE,
        c: v.campaign,
    };
    with_status(render(&page), status)
}

async fn section(
    s: &Shared,
    caller: &Caller,
    v: &TaskView,
    a: &Assignment,
    on: chrono::NaiveDate,
    p: Option<&Problem>,
) -> Section {
    let mine = p.filter(|p| p.assignment == a.id);
    let can_split = v.can_split(caller, a);
    let typed = mine.map(|p| p.typed.clone()).unwrap_or_default();
    let subordinates = if can_split {
        service::campaign::task::subordinates(&s.store, caller, a, on)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|(id, name)| {
                let t = typed.shares.iter().find(|(o, _)| *o == id).map(|(_, t)| t.clone()).unwrap_or_default();
                (id, name, t)
            })
            .collect()
    } else {
        vec![]
    };
    Section {
        id: a.id,
        org: a.org_name.clone(),
        share: domain::campaign::task::target_text(a.share_milli, &a.unit),
        progress: a.progress_text(),
        status: a.status_label(),
        late: a.overdue_on(on),
        cascade: a.cascade_id,
        reports: v
            .reports
            .iter()
            .filter(|(r, _)| r.assignment_id == a.id)
            .map(|(r, files)| ReportRow {
                at: at(&r.created_at),
                by: r.created_by.clone(),
                value: r
                    .value_milli
                    .map(|x| format!("{}{}", domain::campaign::indicator::fmt_milli(x), a.unit))
                    .unwrap_or_default(),
                done: r.done == 1,
                note: r.note.clone(),
                decision: r.decision_label(),
                pending: r.pending(),
                reason: r.reason.clone(),
                decided: match (&r.decided_by, &r.decided_at) {
                    (Some(b), Some(t)) => format!("{b} {}", at(t)),
                    _ => String::new(),
                },
                files: files
                    .iter()
                    .map(|f| FileRow { id: f.id, name: f.name.clone(), size: size_text(f.size) })
                    .collect(),
            })
            .collect(),
        can_decide: v.can_decide && a.status() == Status::Reported,
        can_report: v.can_report(caller, a),
        can_split: can_split && !subordinates.is_empty(),
        quantified: a.share_milli.is_some(),
        subordinates,
        form: mine.map_or("", |p| p.form),
        errors: mine.map(|p| p.errors.clone()).unwrap_or_default(),
        typed,
    }
}

/// `GET /campaigns/tasks/{id}`: a task with the assignments the caller sees.
pub async fn show(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<TaskQuery>,
) -> Response {
    task_view(&s, &caller, id, &q.page, q.focus.trim().parse().ok(), None, &q.ok).await
}

/// The problems of a failed action for its section, or the answer when it is not one.
fn failed(caller: &Caller, e: service::ServiceError) -> Result<(Vec<String>, StatusCode), Response> {
    let (errs, refusal, status) = problems(caller, e)?;
    let mut out: Vec<String> = errs.0.iter().map(|e| e.to_string()).collect();
    out.extend(refusal);
    Ok((out, status))
}

fn redirect(task_id: i64, assignment_id: i64, ok: &str) -> Response {
    Redirect::to(&format!("/campaigns/tasks/{task_id}?focus={assignment_id}&ok={ok}#a{assignment_id}")).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecideForm {
    csrf: String,
    /// `accept` or `return`.
    decision: String,
    reason: String,
}

/// `POST /campaigns/tasks/assignments/{id}/decide`: accept or return the report waiting on it.
pub async fn decide(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> Response {
    // a task the caller assigned, before the form is looked at
    let (task, _) =
        web_core::tri!(service::campaign::task::deciding(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    web_core::tri!(caller.check_csrf(&f.csrf));
    // anything but 通过 is a return, which needs its reason
    let accept = f.decision == "accept";
    match service::campaign::task::decide(&s.store, &caller, id, accept, &f.reason, today()).await {
        Ok(_) => redirect(task.id, id, if accept { "task_accepted" } else { "task_returned" }),
        Err(e) => {
            let (errors, status) = web_core::tri!(failed(&caller, e));
            let typed = Typed { reason: f.reason.clone(), ..Default::default() };
            let p = Problem { assignment: id, form: "decide", errors, typed, status };
            task_view(&s, &caller, task.id, "", None, Some(p), "").await
        }
    }
}

/// `POST /campaigns/tasks/assignments/{id}/cascade`: split a held share among subordinates
/// (`share_<organization>` fields: a number, or a mark for a deliverable).
pub async fn cascade(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>, body: String) -> Response {
    let (task, _) = web_core::tri!(service::campaign::task::holding(&s.store, &caller, Perm::ManageCampaigns, id)
        .await
        .map_err(|e| caller.fail(e)));
    let mut csrf = String::new();
    let mut input = CascadeInput::default();
    for (k, v) in form_pairs(&body) {
        match k.as_str() {
            "csrf" => csrf = v,
            "due_on" => input.due_on = v,
            "measures" => input.measures = v,
            "responsible" => input.responsible = v,
            k => {
                if let Some(org) = k.strip_prefix("share_").and_then(|o| o.parse::<i64>().ok()) {
                    input.shares.push((org, v));
                }
            }
        }
    }
    web_core::tri!(caller.check_csrf(&csrf));
    match service::campaign::task::cascade(&s.store, &caller, id, &input, today()).await {
        Ok(t) => Redirect::to(&format!("/campaigns/tasks/{}?ok=task_split", t.id)).into_response(),
        Err(e) => {
            let (errors, status) = web_core::tri!(failed(&caller, e));
            let typed = Typed {
                due_on: input.due_on.clone(),
                measures: input.measures.clone(),
                responsible: input.responsible.clone(),
                shares: input.shares.clone(),
                ..Default::default()
            };
            let p = Problem { assignment: id, form: "split", errors, typed, status };
            task_view(&s, &caller, task.id, "", None, Some(p), "").await
        }
    }
}

/// `POST /campaigns/tasks/assignments/{id}/report`: progress with its evidence files (multipart:
/// `value`, `done`, `note`, `files` repeated).
pub async fn report(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>, req: Request) -> Response {
    let (task, _) = web_core::tri!(service::campaign::task::holding(&s.store, &caller, Perm::ReportCampaigns, id)
        .await
        .map_err(|e| caller.fail(e)));
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let mut csrf = String::new();
    let mut input = ReportInput::default();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut too_large = false;
    if is_multipart {
        let Ok(mut mp) = Multipart::from_request(req, &s).await else {
            return error_page(StatusCode::BAD_REQUEST, "上传失败", "上传的内容无法识别，请重新选择文件上传。");
        };
        loop {
            match mp.next_field().await {
                Ok(Some(f)) => match f.name().unwrap_or("") {
                    "csrf" => csrf = f.text().await.unwrap_or_default(),
                    "value" => input.value = f.text().await.unwrap_or_default(),
                    "done" => input.done = !f.text().await.unwrap_or_default().trim().is_empty(),
                    "note" => input.note = f.text().await.unwrap_or_default(),
                    "files" => {
                        let name = f.file_name().unwrap_or("").to_string();
                        match f.bytes().await {
                            Ok(b) if b.len() > store::life::MAX_ATTACHMENT => too_large = true,
                            Ok(b) => files.push((name, b.to_vec())),
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
            value: String,
            done: String,
            note: String,
        }
        let p = Form::<Plain>::from_request(req, &s).await.map(|f| f.0).unwrap_or_default();
        csrf = p.csrf;
        input = ReportInput { value: p.value, done: !p.done.trim().is_empty(), note: p.note };
    }
    web_core::tri!(caller.check_csrf(&csrf));
    let typed = Typed { value: input.value.clone(), done: input.done, note: input.note.clone(), ..Default::default() };
    if too_large {
        let errors = vec![format!(
            "佐证材料：每个文件不超过 10 MB，一次报送的文件合计不超过 {} MB，或上传不完整，请重试",
            MAX_REPORT_BYTES / 1048576
        )];
        let p = Problem { assignment: id, form: "report", errors, typed, status: StatusCode::PAYLOAD_TOO_LARGE };
        return task_view(&s, &caller, task.id, "", None, Some(p), "").await;
    }
    match service::campaign::task::report(&s.store, &caller, id, &input, files).await {
        Ok(_) => redirect(task.id, id, "task_reported"),
        Err(e) => {
            let (errors, status) = web_core::tri!(failed(&caller, e));
            let p = Problem { assignment: id, form: "report", errors, typed, status };
            task_view(&s, &caller, task.id, "", None, Some(p), "").await
        }
    }
}

/// `GET /campaigns/tasks/evidence/{id}`.
pub async fn evidence(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let (file, bytes) = match service::campaign::task::evidence(&s.store, &caller, id).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&file.mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let fallback: String = file
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        urlencode(&file.name)
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}
