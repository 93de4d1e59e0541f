//! 党建规划: the plans of a subtree, drafting and changing one (targets one a line, reading the
//! indicator source registry), one plan with the progress of every target computed as of today
//! and its milestones, submitting it, and the superior's approval or return.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::campaign::plan::{sources, target_line, targets_from_lines, PlanInput, PlanKind};
use domain::FieldErrors;
use serde::Deserialize;
use service::campaign::plan::View;
use service::ServiceError;
use web_core::access::Perm;
use web_core::form::{attach_errors, with_status, Field};
use web_core::pages::{render, today};
use web_core::picker::{OrgPicker, Purpose};
use web_core::{error_page, Caller, Crumb, Nav, Shared};

use super::{at, form_org, list_org, list_picker, notice, paged, problems};

const PER_PAGE: i64 = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    org: String,
    page: String,
    ok: String,
}

#[derive(Template)]
#[template(path = "campaign/plans.html")]
struct ListPage {
    nav: Nav,
    notice: Option<&'static str>,
    org_id: i64,
    org_name: String,
    picker: OrgPicker,
    rows: Vec<store::campaign::plan::Plan>,
    total: i64,
    page: i64,
    pages: i64,
    can_draft: bool,
}

/// `GET /plans?org=`: the plans of organizations in a subtree.
pub async fn list(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    let org = match list_org(&s, &caller, &q.org).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let read = |p: i64| service::campaign::plan::list(&s.store, &caller, org.id, PER_PAGE, (p - 1) * PER_PAGE);
    let ((rows, total), page) = match paged(&caller, &q.page, PER_PAGE, |x| x.1, read).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let picker = list_picker(&s, &caller, &org, "/plans").await;
    render(&ListPage {
        nav: caller.nav("plans").crumbs(vec![Crumb::new("/campaigns", "创建活动"), Crumb::new("", "党建规划")]),
        notice: notice(&q.ok),
        org_id: org.id,
        org_name: org.name.clone(),
        picker,
        rows,
        total,
        page,
        pages: web_core::paging::pages(total, PER_PAGE),
        can_draft: caller.can_at(Perm::ReportCampaigns, &org.path),
    })
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PlanForm {
    csrf: String,
    org: String,
    version: String,
    kind: String,
    title: String,
    from_year: String,
    to_year: String,
    /// One target a line: `名称|来源|参数|目标值|完成期限|措施|责任人`.
    targets: String,
    /// One milestone a line: `2026-06-30 完成村级服务站改造`.
    milestones: String,
}

impl PlanForm {
    fn input(&self) -> PlanInput {
        PlanInput {
            kind: self.kind.clone(),
            title: self.title.clone(),
            from_year: self.from_year.clone(),
            to_year: self.to_year.clone(),
            targets: targets_from_lines(&self.targets),
            milestones: self.milestones.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "campaign/plan_form.html")]
struct FormPage {
    nav: Nav,
    title: &'static str,
    action: String,
    /// The organization picker (a new plan); `None` when changing one.
    picker: Option<OrgPicker>,
    org_name: String,
    version: String,
    fields: Vec<Field>,
    others: Vec<String>,
    refusal: Option<String>,
    /// The sources a target may read: label, code, what the parameter chooses and its choices.
    sources: Vec<(&'static str, &'static str, String)>,
}

/// The form; `plan` is (id, organization name) when changing one.
async fn form(
    s: &Shared,
    caller: &Caller,
    f: &PlanForm,
    plan: Option<(i64, String)>,
    errs: &FieldErrors,
    refusal: Option<String>,
) -> Response {
    let kinds = web_core::form::options(PlanKind::ALL.iter().map(|k| (k.code(), k.label())), Some("请选择"));
    let mut fields = vec![
        Field::select("kind", "规划类型", &f.kind, kinds).req(),
        Field::new("title", "规划名称", "text", &f.title).req().wide(),
        Field::new("from_year", "起始年度", "number", &f.from_year).req(),
        Field::new("to_year", "截止年度", "number", &f.to_year).hint("年度计划可不填；三至五年规划跨 3 至 5 个年度"),
        Field::new("targets", "规划目标", "textarea", &f.targets).req().wide().hint(
            "每行一项：名称|指标来源|参数|目标值|完成期限|措施|责任人，如“村级服务站覆盖率|服务阵地覆盖率|村（社区）党员群众综合服务站|95|2026-12-31|整合村级活动场所|组织科”。进度按指标来源从平台数据自动计算，不需填报",
        ),
        Field::new("milestones", "里程碑", "textarea", &f.milestones)
            .wide()
            .hint("每行一项：日期 内容，如“2026-06-30 完成村级服务站改造”"),
    ];
    let others = attach_errors(&mut fields, errs);
    let (picker, title, action, org_name) = match &plan {
        None => {
            let chosen = match f.org.trim().parse::<i64>() {
                Ok(o) => service::org::get(&s.store, caller, Perm::ReportCampaigns, o).await.ok(),
                Err(_) => None,
            };
            let mut picker =
                OrgPicker::new(s, caller, Purpose::Campaigns, "org", "党组织", chosen.as_ref(), "/plans/new").await;
            if let Some(e) = errs.0.iter().find(|e| e.field == "党组织") {
                picker.error = e.message.clone();
            }
            (Some(picker), "制定党建规划", "/plans/new".to_string(), String::new())
        }
        Some((id, name)) => (None, "修改党建规划", format!("/plans/{id}/edit"), name.clone()),
    };
    let status = if refusal.is_some() {
        StatusCode::CONFLICT
    } else if errs.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let sources = sources()
        .map(|x| {
            let param = match x.param {
                Some((what, choices)) => format!(
                    "{what}：{}",
                    choices
                        .iter()
                        .map(|(c, l)| if c.is_empty() { format!("{l}（不填）") } else { l.to_string() })
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                None => "不带参数".into(),
            };
            (x.label, x.code, format!("{}；单位 {}；{param}", x.describe, if x.unit.is_empty() { "—" } else { x.unit }))
        })
        .collect();
    let crumb = match &plan {
        Some((id, _)) => Crumb::new(format!("/plans/{id}"), "党建规划"),
        None => Crumb::new("/plans", "党建规划"),
    };
    with_status(
        render(&FormPage {
            nav: caller.nav("plans").crumbs(vec![crumb, Crumb::new("", title)]),
            title,
            action,
            picker,
            org_name,
            version: f.version.clone(),
            fields,
            others,
            refusal,
            sources,
        }),
        status,
    )
}

pub async fn new_page(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    if let Err(r) = form_org(&s, &caller, Perm::ReportCampaigns, &q.org).await {
        return r;
    }
    let y = chrono::Datelike::year(&today()).to_string();
    let f = PlanForm { org: q.org.clone(), kind: "annual".into(), from_year: y, ..Default::default() };
    form(&s, &caller, &f, None, &FieldErrors::default(), None).await
}

pub async fn create(
    State(s): State<Shared>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    Form(mut f): Form<PlanForm>,
) -> Response {
    if f.org.trim().is_empty() {
        f.org = q.org.clone();
    }
    let org = match form_org(&s, &caller, Perm::ReportCampaigns, &f.org).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    web_core::tri!(caller.check_csrf(&f.csrf));
    let Some(org) = org else {
        let mut errs = FieldErrors(vec![domain::FieldError::new("党组织", "请选择党组织")]);
        if let Err(e) = f.input().validate() {
            errs.0.extend(e.0);
        }
        return form(&s, &caller, &f, None, &errs, None).await;
    };
    match service::campaign::plan::create(&s.store, &caller, org.id, &f.input()).await {
        Ok(p) => Redirect::to(&format!("/plans/{}?ok=plan_created", p.id)).into_response(),
        Err(e) => {
            let (errs, refusal, _) = web_core::tri!(problems(&caller, e));
            form(&s, &caller, &f, None, &errs, refusal).await
        }
    }
}

pub async fn edit_page(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let (p, targets, milestones) = match service::campaign::plan::for_edit(&s.store, &caller, id).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    if !p.status().editable() {
        let m = format!("该规划{}，不能修改。", p.status_label());
        return error_page(StatusCode::CONFLICT, "不能修改", &m);
    }
    let f = PlanForm {
        version: p.version.to_string(),
        kind: p.kind.clone(),
        title: p.title.clone(),
        from_year: p.from_year.to_string(),
        to_year: p.to_year.to_string(),
        targets: targets.iter().map(|t| target_line(&t.as_valid())).collect::<Vec<_>>().join("\n"),
        milestones: milestones.iter().map(|m| format!("{} {}", m.due_on, m.content)).collect::<Vec<_>>().join("\n"),
        ..Default::default()
    };
    form(&s, &caller, &f, Some((id, p.org_name.clone())), &FieldErrors::default(), None).await
}

pub async fn update(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>, Form(f): Form<PlanForm>) -> Response {
    // the plan must be one the caller may change before the form is looked at
    let (p, _, _) = match service::campaign::plan::for_edit(&s.store, &caller, id).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    web_core::tri!(caller.check_csrf(&f.csrf));
    match service::campaign::plan::update(&s.store, &caller, id, &f.version, &f.input()).await {
        Ok(_) => Redirect::to(&format!("/plans/{id}?ok=plan_saved")).into_response(),
        Err(e) => {
            let (errs, refusal, _) = web_core::tri!(problems(&caller, e));
            form(&s, &caller, &f, Some((id, p.org_name.clone())), &errs, refusal).await
        }
    }
}

#[derive(Template)]
#[template(path = "campaign/plan.html")]
struct ShowPage {
    nav: Nav,
    notice: Option<&'static str>,
    v: View,
    reviewed_at: String,
    today: String,
    error: Option<String>,
    reached: usize,
}

fn show_page(caller: &Caller, v: View, notice: Option<&'static str>, error: Option<(String, StatusCode)>) -> Response {
    let status = error.as_ref().map_or(StatusCode::OK, |e| e.1);
    let reached = v.progress.iter().filter(|x| x.standing == domain::campaign::plan::Standing::Reached).count();
    with_status(
        render(&ShowPage {
            nav: caller.nav("plans").crumbs(vec![
                Crumb::new(format!("/plans?org={}", v.plan.org_id), "党建规划"),
                Crumb::new("", v.plan.title.clone()),
            ]),
            notice,
            reviewed_at: v.plan.reviewed_at.as_ref().map(at).unwrap_or_default(),
            today: today().to_string(),
            error: error.map(|e| e.0),
            reached,
            v,
        }),
        status,
    )
}

pub async fn show(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Response {
    match service::campaign::plan::view(&s.store, &caller, id, today()).await {
        Ok(v) => show_page(&caller, v, notice(&q.ok), None),
        Err(e) => caller.fail(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    csrf: String,
    version: String,
    /// `yes`: sent by the plan page's button.
    confirm: String,
    /// `approve` or `return`.
    decision: String,
    reason: String,
    milestone: String,
    done_on: String,
}

/// After a write of the plan page: back to it with a notice, or the page again with the problem.
async fn answer<T>(s: &Shared, caller: &Caller, id: i64, r: Result<T, ServiceError>, ok: &str) -> Response {
    match r {
        Ok(_) => Redirect::to(&format!("/plans/{id}?ok={ok}")).into_response(),
        Err(e @ ServiceError::Denied(_)) => caller.fail(e),
        Err(e) => match problems(caller, e) {
            Ok((errs, refusal, status)) => {
                let msg =
                    refusal.unwrap_or_else(|| errs.0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("；"));
                match service::campaign::plan::view(&s.store, caller, id, today()).await {
                    Ok(v) => show_page(caller, v, None, Some((msg, status))),
                    Err(e) => caller.fail(e),
                }
            }
            Err(r) => r,
        },
    }
}

pub async fn submit(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    web_core::tri!(service::campaign::plan::for_edit(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let version = if f.confirm == "yes" { f.version.as_str() } else { "" };
    let r = service::campaign::plan::submit(&s.store, &caller, id, version).await;
    answer(&s, &caller, id, r, "plan_submitted").await
}

pub async fn review(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::ManageCampaigns));
    // the plan must be one the caller sees before the form is looked at
    web_core::tri!(service::campaign::plan::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let r = service::campaign::plan::review(&s.store, &caller, id, &f.decision, &f.reason).await;
    let ok = if f.decision == "approve" { "plan_approved" } else { "plan_returned" };
    answer(&s, &caller, id, r, ok).await
}

pub async fn milestone(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    web_core::tri!(service::campaign::plan::for_edit(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let r = service::campaign::plan::milestone_done(&s.store, &caller, id, &f.milestone, &f.done_on, today()).await;
    answer(&s, &caller, id, r, "milestone").await
}
