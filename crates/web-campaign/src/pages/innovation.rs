//! 创新清单, 创新动态 and 项目化管理: a campaign's innovation page (the participants' lists and
//! updates, the findings as of a date, the rules in force, and the forms to submit a list, report
//! an update, set the cadence and a local rule version), one list with its items and the form that
//! keeps it current, a campaign's projects with the form to propose one, and one project with its
//! gates and the form for the next.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Datelike, NaiveDate};
use domain::campaign::innovation::{
    self as inno, Cadence, GateInput, ItemInput, ItemStatus, ListInput, ProjectInput, RuleInput, Stage, STAGES,
};
use domain::FieldErrors;
use serde::Deserialize;
use store::campaign::Campaign;
use web_core::access::Perm;
use web_core::form::{attach_errors, with_status, Field};
use web_core::pages::{render, today};
use web_core::picker::{OrgPicker, Purpose};
use web_core::{Caller, Crumb, Nav, Shared};

use super::campaign::crumbs;
use super::{at, problems};

const PER_PAGE: usize = 50;
const UPDATES_PER_PAGE: i64 = 20;
/// Blank item rows offered after the items already typed.
const BLANK_ROWS: usize = 3;

/// Notices after a redirect.
fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "list" => "已提交创新清单。年度内可随时更新条目和进展，次年 1 月 1 日起清单关闭。",
        "list_saved" => "已保存。修改前的内容记录在审计日志中。",
        "update" => "已报送创新动态。",
        "cadence" => "已修改创新动态的报送周期，问题清单按新的周期计算。",
        "rule" => "已设置本地规则版本，自生效日期起适用于该党组织及其下级。",
        "proposed" => "已申报创新项目，等待立项评审。",
        "gate" => "已登记评审结论，并已通知项目所在单位。",
        _ => return None,
    })
}

fn parse_id(s: &str) -> Option<i64> {
    s.trim().parse::<i64>().ok()
}

/// An organization named in a form or query, read through the scope of `perm` (for the picker).
async fn chosen(s: &Shared, caller: &Caller, perm: Perm, id: &str) -> Option<domain::org::Org> {
    match parse_id(id) {
        Some(o) => service::org::get(&s.store, caller, perm, o).await.ok(),
        None => None,
    }
}

#[allow(clippy::too_many_arguments)]
async fn picker(
    s: &Shared,
    caller: &Caller,
    purpose: Purpose,
    field: &'static str,
    label: &str,
    value: &str,
    back: &str,
    error: Option<String>,
) -> OrgPicker {
    let org = chosen(s, caller, purpose.perm(), value).await;
    let mut p = OrgPicker::new(s, caller, purpose, field, label, org.as_ref(), back).await;
    if let Some(e) = error {
        p.error = e;
    }
    p
}

/// Take the errors of `field` out of `errs`, joined.
fn take(errs: &mut FieldErrors, field: &str) -> Option<String> {
    let mine: Vec<String> = errs.0.iter().filter(|e| e.field == field).map(|e| e.message.clone()).collect();
    errs.0.retain(|e| e.field != field);
    (!mine.is_empty()).then(|| mine.join("；"))
}

// ----- item rows of a list form -----

/// One item row of a list form.
struct ItemRow {
    n: usize,
    title: String,
    goal: String,
    measures: String,
    owner: String,
    milestones: String,
    status: String,
    /// A problem names this row (`第 n 项`).
    bad: bool,
}

fn status_options() -> Vec<(&'static str, &'static str)> {
    ItemStatus::ALL.iter().map(|s| (s.code(), s.label())).collect()
}

/// The rows of a form: the items typed (or stored), then blank rows.
fn item_rows(items: &[ItemInput], errs: &[String]) -> Vec<ItemRow> {
    let typed: Vec<&ItemInput> = items.iter().filter(|i| !i.is_blank()).collect();
    let blank = ItemInput { status: ItemStatus::Planned.code().into(), ..Default::default() };
    typed
        .into_iter()
        .chain(std::iter::repeat_n(&blank, BLANK_ROWS))
        .enumerate()
        .map(|(i, x)| {
            let n = i + 1;
            let status = ItemStatus::parse(&x.status).map_or(String::new(), |s| s.code().to_string());
            ItemRow {
                n,
                title: x.title.clone(),
                goal: x.goal.clone(),
                measures: x.measures.clone(),
                owner: x.owner.clone(),
                milestones: x.milestones.clone(),
                status,
                bad: errs.iter().any(|e| e.contains(&format!("第 {n} 项："))),
            }
        })
        .collect()
}

/// A list form as sent: the item fields repeat once per row, in order (`title`, `goal`, …).
#[derive(Debug, Clone, Default)]
struct ListForm {
    csrf: String,
    org: String,
    year: String,
    seen: String,
    items: Vec<ItemInput>,
}

impl ListForm {
    fn from_pairs(pairs: &[(String, String)], org_field: &str) -> ListForm {
        let mut f = ListForm::default();
        let mut cols: [Vec<String>; 6] = Default::default();
        for (k, v) in pairs {
            match k.as_str() {
                "csrf" => f.csrf = v.clone(),
                "year" => f.year = v.clone(),
                "seen" => f.seen = v.clone(),
                k if k == org_field => f.org = v.clone(),
                "title" => cols[0].push(v.clone()),
                "goal" => cols[1].push(v.clone()),
                "measures" => cols[2].push(v.clone()),
                "owner" => cols[3].push(v.clone()),
                "milestones" => cols[4].push(v.clone()),
                "status" => cols[5].push(v.clone()),
                _ => {}
            }
        }
        let n = cols.iter().map(Vec::len).max().unwrap_or(0).min(inno::MAX_ITEMS + BLANK_ROWS + 20);
        let at = |c: &Vec<String>, i: usize| c.get(i).cloned().unwrap_or_default();
        f.items = (0..n)
            .map(|i| ItemInput {
                title: at(&cols[0], i),
                goal: at(&cols[1], i),
                measures: at(&cols[2], i),
                owner: at(&cols[3], i),
                milestones: at(&cols[4], i),
                status: at(&cols[5], i),
            })
            .collect();
        f
    }
    fn input(&self) -> ListInput {
        ListInput { year: self.year.clone(), items: self.items.clone() }
    }
}

// ----- the innovation page of a campaign -----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PageQuery {
    org: String,
    on: String,
    year: String,
    page: String,
    fpage: String,
    upage: String,
    ok: String,
    /// The organization chosen for a form (the picker's page without JavaScript returns it here).
    list_org: String,
    update_org: String,
    rule_org: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct UpdateForm {
    csrf: String,
    update_org: String,
    period: String,
    content: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RuleForm {
    csrf: String,
    rule_org: String,
    rule_id: String,
    value: String,
    valid_from: String,
    valid_to: String,
    source: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CadenceForm {
    csrf: String,
    cadence: String,
}

/// The forms of the page as typed, with their problems (a page shown again after a refused post).
#[derive(Default)]
struct Forms {
    list: ListForm,
    list_errs: FieldErrors,
    list_refusal: Option<String>,
    update: UpdateForm,
    update_errs: FieldErrors,
    rule: RuleForm,
    rule_errs: FieldErrors,
    cadence_error: Option<String>,
    status: Option<StatusCode>,
}

struct OverviewLine {
    org: String,
    list_id: Option<i64>,
    submitted_on: String,
    items: usize,
    perfunctory: Vec<(String, String)>,
    this_period: usize,
    updates: usize,
    last_period: String,
}

struct FindingLine {
    rule_id: String,
    label: &'static str,
    org: String,
    subject: String,
    detail: String,
    citation: String,
}

struct UpdateLine {
    org: String,
    period: String,
    reported_on: String,
    content: String,
    by: String,
}

struct RuleLine {
    rule_id: String,
    label: &'static str,
    value: String,
    applies: String,
    from: String,
    to: String,
    source: String,
    confidence: String,
}

fn rule_line(r: &inno::Rule) -> RuleLine {
    RuleLine {
        rule_id: r.rule_id.clone(),
        label: r.kind.label(),
        value: r.value_text(),
        applies: r.applies_text(),
        from: r.valid_from.to_string(),
        to: r.valid_to.map_or("—".into(), |d| d.to_string()),
        source: r.citation(),
        confidence: r.confidence.clone(),
    }
}

#[derive(Template)]
#[template(path = "campaign/innovation.html")]
struct InnovationPage {
    nav: Nav,
    c: Campaign,
    notice: Option<&'static str>,
    full: bool,
    /// The organization the lines are read from.
    under_name: String,
    on: String,
    year: i32,
    cadence: &'static str,
    cadence_code: &'static str,
    current_period: String,
    period_hint: &'static str,
    lines: Vec<OverviewLine>,
    total: usize,
    page: usize,
    pages: usize,
    findings: Vec<FindingLine>,
    findings_total: usize,
    fpage: usize,
    fpages: usize,
    updates: Vec<UpdateLine>,
    updates_total: i64,
    upage: i64,
    upages: i64,
    in_force: Vec<RuleLine>,
    local: Vec<RuleLine>,
    can_manage: bool,
    can_report: bool,
    /// The view's own query (org, on, year), for the pager's links.
    keep: String,
    filter_picker: OrgPicker,
    list_picker: OrgPicker,
    list_year: String,
    list_rows: Vec<ItemRow>,
    list_errors: Vec<String>,
    list_refusal: Option<String>,
    statuses: Vec<(&'static str, &'static str)>,
    update_picker: OrgPicker,
    update_fields: Vec<Field>,
    update_others: Vec<String>,
    rule_picker: OrgPicker,
    rule_fields: Vec<Field>,
    rule_others: Vec<String>,
    cadences: Vec<(&'static str, &'static str)>,
    cadence_error: Option<String>,
}

fn date_or(raw: &str, or: NaiveDate) -> NaiveDate {
    if raw.trim().is_empty() {
        or
    } else {
        domain::dates::parse_date(raw).unwrap_or(or)
    }
}

async fn view(s: &Shared, caller: &Caller, id: i64, q: &PageQuery, forms: Forms) -> Response {
    let on = date_or(&q.on, today());
    let year = q.year.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).unwrap_or(on.year());
    let asked = web_core::paging::asked(&q.page);
    let uasked = web_core::paging::asked(&q.upage);
    let mut query = service::campaign::innovation::PageQuery {
        org: parse_id(&q.org),
        on,
        year,
        limit: PER_PAGE,
        offset: (asked as usize - 1).saturating_mul(PER_PAGE),
        updates_limit: UPDATES_PER_PAGE,
        updates_offset: (uasked - 1).saturating_mul(UPDATES_PER_PAGE),
    };
    let mut p = match service::campaign::innovation::page(&s.store, caller, id, &query).await {
        Ok(p) => p,
        Err(e) => return caller.fail(e),
    };
    let page = web_core::paging::clamp_usize(asked, p.total, PER_PAGE);
    let upage = web_core::paging::clamp(uasked, p.updates_total, UPDATES_PER_PAGE);
    if page as i64 != asked || upage != uasked {
        query.offset = (page - 1) * PER_PAGE;
        query.updates_offset = (upage - 1) * UPDATES_PER_PAGE;
        p = match service::campaign::innovation::page(&s.store, caller, id, &query).await {
            Ok(p) => p,
            Err(e) => return caller.fail(e),
        };
    }
    let fpage = web_core::paging::clamp_usize(web_core::paging::asked(&q.fpage), p.findings.len(), PER_PAGE);
    let c = p.campaign.clone();
    let under_id = p.under.as_ref().map_or(String::new(), |u| u.id.to_string());
    let keep = format!("org={under_id}&on={on}&year={year}");
    let back = format!("/campaigns/{id}/innovation?{keep}");
    let Forms {
        list,
        mut list_errs,
        list_refusal,
        update,
        mut update_errs,
        rule,
        mut rule_errs,
        cadence_error,
        status,
    } = forms;
    let list_org = if list.org.is_empty() { q.list_org.clone() } else { list.org.clone() };
    let list_picker =
        picker(s, caller, Purpose::Campaigns, "list_org", "提交单位", &list_org, &back, take(&mut list_errs, "党组织"))
            .await
            .hint("参与本活动的党组织，每年一份清单");
    let list_errors: Vec<String> = list_errs.0.iter().map(|e| e.to_string()).collect();
    let list_year = if list.year.is_empty() { year.to_string() } else { list.year.clone() };
    let update_org = if update.update_org.is_empty() { q.update_org.clone() } else { update.update_org.clone() };
    let update_picker = picker(
        s,
        caller,
        Purpose::Campaigns,
        "update_org",
        "报送单位",
        &update_org,
        &back,
        take(&mut update_errs, "党组织"),
    )
    .await;
    let current_period = p.cadence.period_of(today()).key;
    let mut update_fields = vec![
        Field::new(
            "period",
            "报送期间",
            "text",
            if update.period.is_empty() { current_period.clone() } else { update.period.clone() },
        )
        .req(),
        Field::new("content", "动态内容", "textarea", &update.content)
            .req()
            .wide()
            .hint("本期推进了哪些清单条目、取得了什么成效、下一步打算"),
    ];
    let update_others = attach_errors(&mut update_fields, &update_errs);
    let rule_org = if rule.rule_org.is_empty() { q.rule_org.clone() } else { rule.rule_org.clone() };
    let rule_picker = picker(
        s,
        caller,
        Purpose::ManageCampaigns,
        "rule_org",
        "适用党组织",
        if rule_org.is_empty() { &under_id } else { &rule_org },
        &back,
        take(&mut rule_errs, "党组织"),
    )
    .await
    .hint("规则版本适用于该党组织及其下级，下级另有版本的以下级为准");
    let rule_options = std::iter::once((String::new(), "请选择".to_string()))
        .chain(inno::rule_ids().into_iter().map(|(r, k)| (r.to_string(), format!("{r} {}", k.label()))))
        .collect();
    let mut rule_fields = vec![
        Field::select("rule_id", "规则", &rule.rule_id, rule_options).req(),
        Field::new("value", "规则值", "text", &rule.value)
            .req()
            .hint("提交期限写月日（如 04-30）；条目数、天数写整数；措施、里程碑写 1（要求）或 0（不作要求）"),
        Field::new(
            "valid_from",
            "生效日期",
            "date",
            if rule.valid_from.is_empty() { today().to_string() } else { rule.valid_from.clone() },
        )
        .req(),
        Field::new("valid_to", "失效日期", "date", &rule.valid_to),
        Field::new("source", "依据", "text", &rule.source).req().wide().hint("本地文件名称和文号"),
    ];
    let rule_others = attach_errors(&mut rule_fields, &rule_errs);
    let findings_total = p.findings.len();
    let page_view = InnovationPage {
        nav: caller.nav("campaigns").crumbs(crumbs(Some(&c), "创新清单")),
        notice: notice(&q.ok),
        full: p.access.full,
        under_name: p.under.as_ref().map_or(String::new(), |u| u.name.clone()),
        on: on.to_string(),
        year,
        cadence: p.cadence.label(),
        cadence_code: p.cadence.code(),
        period_hint: match p.cadence {
            Cadence::Month => "按月报送，写作 2026-03",
            Cadence::Quarter => "按季度报送，写作 2026-Q1",
        },
        current_period,
        lines: p
            .rows
            .iter()
            .map(|r| OverviewLine {
                org: r.org_name.clone(),
                list_id: r.list.map(|l| l.0),
                submitted_on: r.list.map_or(String::new(), |l| l.1.to_string()),
                items: r.list.map_or(0, |l| l.2),
                perfunctory: r.perfunctory.clone(),
                this_period: r.this_period,
                updates: r.updates,
                last_period: r.last_period.clone().unwrap_or_else(|| "—".into()),
            })
            .collect(),
        total: p.total,
        page,
        pages: web_core::paging::pages(p.total as i64, PER_PAGE as i64) as usize,
        findings: p
            .findings
            .iter()
            .skip((fpage - 1) * PER_PAGE)
            .take(PER_PAGE)
            .map(|f| FindingLine {
                rule_id: f.rule_id.clone(),
                label: f.label(),
                org: f.org_name.clone(),
                subject: f.subject.clone(),
                detail: f.detail.clone(),
                citation: f.citation.clone(),
            })
            .collect(),
        findings_total,
        fpage,
        fpages: web_core::paging::pages(findings_total as i64, PER_PAGE as i64) as usize,
        updates: p
            .updates
            .iter()
            .map(|u| UpdateLine {
                org: u.org_name.clone(),
                period: u.period.clone(),
                reported_on: u.reported_on.to_string(),
                content: u.content.clone(),
                by: format!("{} {}", u.created_by, at(&u.created_at)),
            })
            .collect(),
        updates_total: p.updates_total,
        upage,
        upages: web_core::paging::pages(p.updates_total, UPDATES_PER_PAGE),
        in_force: p.in_force.iter().map(rule_line).collect(),
        local: p.local.iter().map(rule_line).collect(),
        can_manage: p.can_manage,
        can_report: p.can_report,
        keep,
        filter_picker: OrgPicker::new(
            s,
            caller,
            Purpose::Campaigns,
            "org",
            "查看单位",
            p.under.as_deref(),
            &format!("/campaigns/{id}/innovation?on={on}&year={year}"),
        )
        .await
        .submitting(),
        list_picker,
        list_year,
        list_rows: item_rows(&list.items, &list_errors),
        list_errors,
        list_refusal,
        statuses: status_options(),
        update_picker,
        update_fields,
        update_others,
        rule_picker,
        rule_fields,
        rule_others,
        cadences: Cadence::ALL.iter().map(|x| (x.code(), x.label())).collect(),
        cadence_error,
        c,
    };
    with_status(render(&page_view), status.unwrap_or(StatusCode::OK))
}

/// `GET /campaigns/{id}/innovation`.
pub async fn page(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Response {
    view(&s, &caller, id, &q, Forms::default()).await
}

/// What a refused or invalid post leaves: its problems, a refusal and the status.
fn failed(caller: &Caller, e: service::ServiceError) -> Result<(FieldErrors, Option<String>, StatusCode), Response> {
    problems(caller, e)
}

/// `POST /campaigns/{id}/innovation/lists`: a new list (item fields repeat once per row).
pub async fn list_submit(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    web_core::tri!(caller.require(Perm::ReportCampaigns));
    web_core::tri!(service::campaign::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    let f = ListForm::from_pairs(&pairs, "list_org");
    web_core::tri!(caller.check_csrf(&f.csrf));
    let outcome = match parse_id(&f.org) {
        Some(org) => service::campaign::innovation::submit_list(&s.store, &caller, id, org, &f.input(), today())
            .await
            .map(|_| ()),
        None => {
            let mut e = f.input().validate().err().unwrap_or_default();
            e.0.insert(0, domain::FieldError::new("党组织", "请选择提交清单的党组织"));
            Err(e.into())
        }
    };
    match outcome {
        Ok(()) => Redirect::to(&format!("/campaigns/{id}/innovation?ok=list")).into_response(),
        Err(e) => {
            let (list_errs, list_refusal, status) = web_core::tri!(failed(&caller, e));
            let forms = Forms { list: f, list_errs, list_refusal, status: Some(status), ..Default::default() };
            view(&s, &caller, id, &PageQuery::default(), forms).await
        }
    }
}

/// `POST /campaigns/{id}/innovation/updates`.
pub async fn update_report(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<UpdateForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::ReportCampaigns));
    web_core::tri!(service::campaign::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let outcome = match parse_id(&f.update_org) {
        Some(org) => {
            service::campaign::innovation::report_update(&s.store, &caller, id, org, &f.period, &f.content, today())
                .await
                .map(|_| ())
        }
        None => {
            let mut e = FieldErrors(vec![domain::FieldError::new("党组织", "请选择报送单位")]);
            if f.content.trim().is_empty() {
                e.push("动态内容", "不能为空");
            }
            Err(e.into())
        }
    };
    match outcome {
        Ok(()) => Redirect::to(&format!("/campaigns/{id}/innovation?ok=update")).into_response(),
        Err(e) => {
            let (mut update_errs, refusal, status) = web_core::tri!(failed(&caller, e));
            if let Some(r) = refusal {
                update_errs.push("报送期间", r);
            }
            let forms = Forms { update: f, update_errs, status: Some(status), ..Default::default() };
            view(&s, &caller, id, &PageQuery::default(), forms).await
        }
    }
}

/// The campaign of a manager's post: 403 without 管理创建活动, 404 unless the caller manages its
/// issuer.
async fn managed(s: &Shared, caller: &Caller, id: i64) -> Result<Campaign, Response> {
    caller.require(Perm::ManageCampaigns)?;
    match service::campaign::get(&s.store, caller, id).await {
        Ok((c, a)) if a.full && caller.can_at(Perm::ManageCampaigns, &c.org_path) => Ok(c),
        Ok(_) => Err(caller.fail(service::ServiceError::NotFound("创建活动"))),
        Err(e) => Err(caller.fail(e)),
    }
}

/// `POST /campaigns/{id}/innovation/cadence`.
pub async fn cadence(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<CadenceForm>,
) -> Response {
    web_core::tri!(managed(&s, &caller, id).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    match service::campaign::innovation::set_cadence(&s.store, &caller, id, &f.cadence).await {
        Ok(_) => Redirect::to(&format!("/campaigns/{id}/innovation?ok=cadence")).into_response(),
        Err(e) => {
            let (errs, refusal, status) = web_core::tri!(failed(&caller, e));
            let msg = refusal.unwrap_or_else(|| errs.0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("；"));
            let forms = Forms { cadence_error: Some(msg), status: Some(status), ..Default::default() };
            view(&s, &caller, id, &PageQuery::default(), forms).await
        }
    }
}

/// `POST /campaigns/{id}/innovation/rules`: a local version of a rule.
pub async fn rule_add(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<RuleForm>,
) -> Response {
    web_core::tri!(managed(&s, &caller, id).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    let input = RuleInput {
        rule_id: f.rule_id.clone(),
        value: f.value.clone(),
        valid_from: f.valid_from.clone(),
        valid_to: f.valid_to.clone(),
        source: f.source.clone(),
    };
    let outcome = match parse_id(&f.rule_org) {
        Some(org) => service::campaign::innovation::add_rule(&s.store, &caller, id, org, &input).await.map(|_| ()),
        None => {
            let mut e = input.validate().err().unwrap_or_default();
            e.0.insert(0, domain::FieldError::new("党组织", "请选择适用的党组织"));
            Err(e.into())
        }
    };
    match outcome {
        Ok(()) => Redirect::to(&format!("/campaigns/{id}/innovation?ok=rule")).into_response(),
        Err(e) => {
            let (mut rule_errs, refusal, status) = web_core::tri!(failed(&caller, e));
            if let Some(r) = refusal {
                rule_errs.push("规则", r);
            }
            let forms = Forms { rule: f, rule_errs, status: Some(status), ..Default::default() };
            view(&s, &caller, id, &PageQuery::default(), forms).await
        }
    }
}

// ----- one list -----

struct ItemLine {
    n: usize,
    title: String,
    goal: String,
    measures: String,
    owner: String,
    milestones: Vec<String>,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "campaign/innovation_list.html")]
struct ListPage {
    nav: Nav,
    c: Campaign,
    notice: Option<&'static str>,
    list: store::campaign::innovation::List,
    deadline: String,
    updated: String,
    items: Vec<ItemLine>,
    perfunctory: Vec<(String, String)>,
    can_edit: bool,
    closed: bool,
    seen: i64,
    rows: Vec<ItemRow>,
    errors: Vec<String>,
    refusal: Option<String>,
    statuses: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OkQuery {
    ok: String,
    page: String,
}

#[allow(clippy::too_many_arguments)]
async fn list_view(
    s: &Shared,
    caller: &Caller,
    id: i64,
    typed: Option<ListForm>,
    errs: FieldErrors,
    refusal: Option<String>,
    status: StatusCode,
    ok: &str,
) -> Response {
    let today = today();
    let v = match service::campaign::innovation::list(&s.store, caller, id, today).await {
        Ok(v) => v,
        Err(e) => return caller.fail(e),
    };
    let stored: Vec<ItemInput> = v
        .items
        .iter()
        .map(|i| ItemInput {
            title: i.title.clone(),
            goal: i.goal.clone(),
            measures: i.measures.clone(),
            owner: i.owner.clone(),
            milestones: i.milestones.clone(),
            status: i.status.clone(),
        })
        .collect();
    let errors: Vec<String> = errs.0.iter().map(|e| e.to_string()).collect();
    let rows = item_rows(typed.as_ref().map_or(&stored, |f| &f.items), &errors);
    let page = ListPage {
        nav: caller.nav("campaigns").crumbs(vec![
            Crumb::new("/campaigns", "创建活动"),
            Crumb::new(format!("/campaigns/{}", v.campaign.id), v.campaign.name.clone()),
            Crumb::new(format!("/campaigns/{}/innovation", v.campaign.id), "创新清单"),
            Crumb::new("", format!("{} {} 年", v.list.org_name, v.list.year)),
        ]),
        notice: notice(ok),
        deadline: v.deadline.map_or("—".into(), |d| d.to_string()),
        updated: at(&v.list.updated_at),
        items: v
            .items
            .iter()
            .enumerate()
            .map(|(i, x)| ItemLine {
                n: i + 1,
                title: x.title.clone(),
                goal: x.goal.clone(),
                measures: x.measures.clone(),
                owner: x.owner.clone(),
                milestones: x.milestone_lines(),
                status: x.status_label(),
            })
            .collect(),
        perfunctory: v.perfunctory.clone(),
        can_edit: v.can_edit,
        closed: !v.list.open_on(today),
        seen: v.list.seen(),
        rows,
        errors,
        refusal,
        statuses: status_options(),
        c: v.campaign,
        list: v.list,
    };
    with_status(render(&page), status)
}

/// `GET /campaigns/innovation/lists/{id}`.
pub async fn list_show(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Response {
    list_view(&s, &caller, id, None, FieldErrors::default(), None, StatusCode::OK, &q.ok).await
}

/// `POST /campaigns/innovation/lists/{id}`: the list as the editor changed it.
pub async fn list_save(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    web_core::tri!(caller.require(Perm::ReportCampaigns));
    // the list's organization must be one the caller reports for before the form is looked at
    let v = web_core::tri!(service::campaign::innovation::list(&s.store, &caller, id, today())
        .await
        .map_err(|e| caller.fail(e)));
    if !caller.can_at(Perm::ReportCampaigns, &v.list.org_path) {
        return caller.fail(service::ServiceError::NotFound("创新清单"));
    }
    let f = ListForm::from_pairs(&pairs, "org");
    web_core::tri!(caller.check_csrf(&f.csrf));
    let seen = f.seen.trim().parse::<i64>().unwrap_or(0);
    match service::campaign::innovation::update_list(&s.store, &caller, id, seen, &f.input(), today()).await {
        Ok(_) => Redirect::to(&format!("/campaigns/innovation/lists/{id}?ok=list_saved")).into_response(),
        Err(e) => {
            let (errs, refusal, status) = web_core::tri!(failed(&caller, e));
            list_view(&s, &caller, id, Some(f), errs, refusal, status, "").await
        }
    }
}

// ----- projects -----

struct ProjectLine {
    id: i64,
    title: String,
    org: String,
    standing: &'static str,
    stage: &'static str,
    proposed_on: String,
}

#[derive(Template)]
#[template(path = "campaign/projects.html")]
struct ProjectsPage {
    nav: Nav,
    c: Campaign,
    notice: Option<&'static str>,
    full: bool,
    rows: Vec<ProjectLine>,
    total: i64,
    page: i64,
    pages: i64,
    can_propose: bool,
    picker: OrgPicker,
    fields: Vec<Field>,
    others: Vec<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ProjectForm {
    csrf: String,
    org: String,
    title: String,
    summary: String,
}

async fn projects_view(
    s: &Shared,
    caller: &Caller,
    id: i64,
    f: ProjectForm,
    mut errs: FieldErrors,
    status: StatusCode,
    q: &OkQuery,
) -> Response {
    const PER: i64 = PER_PAGE as i64;
    let asked = web_core::paging::asked(&q.page);
    let read = |p: i64| service::campaign::innovation::projects(&s.store, caller, id, None, PER, (p - 1) * PER);
    let mut v = match read(asked).await {
        Ok(v) => v,
        Err(e) => return caller.fail(e),
    };
    let page = web_core::paging::clamp(asked, v.total, PER);
    if page != asked {
        v = match read(page).await {
            Ok(v) => v,
            Err(e) => return caller.fail(e),
        };
    }
    let back = format!("/campaigns/{id}/projects");
    let picker = picker(s, caller, Purpose::Campaigns, "org", "申报单位", &f.org, &back, take(&mut errs, "申报单位"))
        .await
        .hint("参与本活动的党组织或其下级党组织");
    let mut fields = vec![
        Field::new("title", "项目名称", "text", &f.title).req().wide(),
        Field::new("summary", "项目简介", "textarea", &f.summary).wide().hint("要解决的问题、主要做法、预期成效"),
    ];
    let others = attach_errors(&mut fields, &errs);
    let c = v.campaign.clone();
    with_status(
        render(&ProjectsPage {
            nav: caller.nav("campaigns").crumbs(crumbs(Some(&c), "创新项目")),
            notice: notice(&q.ok),
            full: v.access.full,
            rows: v
                .rows
                .iter()
                .map(|p| ProjectLine {
                    id: p.id,
                    title: p.title.clone(),
                    org: p.org_name.clone(),
                    standing: p.stage().standing(),
                    stage: p.stage().code(),
                    proposed_on: p.proposed_on().to_string(),
                })
                .collect(),
            total: v.total,
            page,
            pages: web_core::paging::pages(v.total, PER),
            can_propose: v.can_propose,
            picker,
            fields,
            others,
            c,
        }),
        status,
    )
}

/// `GET /campaigns/{id}/projects`.
pub async fn projects(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Response {
    let f = ProjectForm::default();
    projects_view(&s, &caller, id, f, FieldErrors::default(), StatusCode::OK, &q).await
}

/// `POST /campaigns/{id}/projects`: a project proposed.
pub async fn propose(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ProjectForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::ReportCampaigns));
    web_core::tri!(service::campaign::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let input = ProjectInput { title: f.title.clone(), summary: f.summary.clone() };
    let outcome = match parse_id(&f.org) {
        Some(org) => service::campaign::innovation::propose(&s.store, &caller, id, org, &input, today()).await,
        None => {
            let mut e = input.validate().err().unwrap_or_default();
            e.0.insert(0, domain::FieldError::new("申报单位", "请选择申报单位"));
            Err(e.into())
        }
    };
    match outcome {
        Ok(p) => Redirect::to(&format!("/campaigns/projects/{}?ok=proposed", p.id)).into_response(),
        Err(e) => {
            let (mut errs, refusal, status) = web_core::tri!(failed(&caller, e));
            if let Some(r) = refusal {
                errs.push("申报单位", r);
            }
            projects_view(&s, &caller, id, f, errs, status, &OkQuery::default()).await
        }
    }
}

struct GateLine {
    gate: &'static str,
    decided_on: String,
    reviewers: String,
    score: i64,
    passed: bool,
    note: String,
    by: String,
}

#[derive(Template)]
#[template(path = "campaign/project.html")]
struct ProjectPage {
    nav: Nav,
    c: Campaign,
    notice: Option<&'static str>,
    p: store::campaign::innovation::Project,
    standing: &'static str,
    proposed_on: String,
    /// The stages in order with whether the project has reached each.
    steps: Vec<(&'static str, bool, bool)>,
    rejected: bool,
    gates: Vec<GateLine>,
    next: Option<(&'static str, &'static str)>,
    can_decide: bool,
    fields: Vec<Field>,
    others: Vec<String>,
    refusal: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct GateForm {
    csrf: String,
    gate: String,
    reviewers: String,
    score: String,
    result: String,
    note: String,
    decided_on: String,
}

#[allow(clippy::too_many_arguments)]
async fn project_view(
    s: &Shared,
    caller: &Caller,
    id: i64,
    f: Option<GateForm>,
    errs: FieldErrors,
    refusal: Option<String>,
    status: StatusCode,
    ok: &str,
) -> Response {
    let v = match service::campaign::innovation::project(&s.store, caller, id).await {
        Ok(v) => v,
        Err(e) => return caller.fail(e),
    };
    let f = f.unwrap_or_else(|| GateForm { decided_on: today().to_string(), ..Default::default() });
    let stage = v.project.stage();
    let reached = STAGES.iter().position(|x| *x == stage);
    let results = vec![
        (String::new(), "请选择".to_string()),
        ("passed".to_string(), "通过".to_string()),
        ("failed".to_string(), "不通过".to_string()),
    ];
    let mut fields = vec![
        Field::new("reviewers", "评审人", "text", &f.reviewers).req().wide().hint("多人用顿号分隔：王某、李某、张某"),
        Field::new("score", "评分", "number", &f.score).req().hint("0 至 100"),
        Field::select("result", "评审结论", &f.result, results).req(),
        Field::new("decided_on", "评审日期", "date", &f.decided_on).req(),
        Field::new("note", "评审意见", "textarea", &f.note).wide().hint("未通过时须写明意见"),
    ];
    let others = attach_errors(&mut fields, &errs);
    let c = v.campaign.clone();
    with_status(
        render(&ProjectPage {
            nav: caller.nav("campaigns").crumbs(vec![
                Crumb::new("/campaigns", "创建活动"),
                Crumb::new(format!("/campaigns/{}", c.id), c.name.clone()),
                Crumb::new(format!("/campaigns/{}/projects", c.id), "创新项目"),
                Crumb::new("", v.project.title.clone()),
            ]),
            notice: notice(ok),
            standing: stage.standing(),
            proposed_on: v.project.proposed_on().to_string(),
            steps: STAGES
                .iter()
                .enumerate()
                .map(|(i, x)| (x.gate_label(), reached.is_some_and(|r| i <= r), reached == Some(i)))
                .collect(),
            rejected: stage == Stage::Rejected,
            gates: v
                .gates
                .iter()
                .map(|g| GateLine {
                    gate: g.gate_label(),
                    decided_on: g.decided_on.to_string(),
                    reviewers: g.reviewers.clone(),
                    score: g.score,
                    passed: g.passed(),
                    note: g.note.clone(),
                    by: format!("{} {}", g.created_by, at(&g.created_at)),
                })
                .collect(),
            next: v.next.map(|n| (n.code(), n.gate_label())),
            can_decide: v.can_decide,
            fields,
            others,
            refusal,
            p: v.project,
            c,
        }),
        status,
    )
}

/// `GET /campaigns/projects/{id}`.
pub async fn project(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Response {
    project_view(&s, &caller, id, None, FieldErrors::default(), None, StatusCode::OK, &q.ok).await
}

/// `POST /campaigns/projects/{id}/gates`: the next gate's decision.
pub async fn gate(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>, Form(f): Form<GateForm>) -> Response {
    web_core::tri!(caller.require(Perm::ManageCampaigns));
    // the project's campaign must be one the caller manages before the form is looked at
    let v =
        web_core::tri!(service::campaign::innovation::project(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    if !v.can_decide {
        return caller.fail(service::ServiceError::NotFound("创新项目"));
    }
    web_core::tri!(caller.check_csrf(&f.csrf));
    let input = GateInput {
        gate: f.gate.clone(),
        reviewers: f.reviewers.clone(),
        score: f.score.clone(),
        result: f.result.clone(),
        note: f.note.clone(),
        decided_on: f.decided_on.clone(),
    };
    match service::campaign::innovation::decide(&s.store, &caller, id, &input, today()).await {
        Ok(_) => Redirect::to(&format!("/campaigns/projects/{id}?ok=gate")).into_response(),
        Err(e) => {
            let (errs, refusal, status) = web_core::tri!(failed(&caller, e));
            project_view(&s, &caller, id, Some(f), errs, refusal, status, "").await
        }
    }
}
