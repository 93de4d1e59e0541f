//! 规则与类型 (组织生活): the types of organization life and every version of every frequency rule,
//! grouped by type, with dates, scope, source and confidence grade; the organization department
//! adds local rule versions and local types here. And a 党组's 党建工作分工
//! (`/orgs/{id}/divisions`): who of its members is responsible for what in party building.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Form;
use chrono::NaiveDate;
use domain::life::{self as dl, Applies, LifeRule, PeriodKind, Quorum, RosterKind};
use domain::org::{Org, OrgKind};
use domain::FieldErrors;
use serde::Deserialize;
use service::ServiceError;
use store::Visible;

use web_core::access::Perm;
use web_core::form::{attach_errors, options, with_status, Field};
use web_core::pages::{render, today};
use web_core::routes::{Routes, Target};
use web_core::Shared;
use web_core::{Caller, Crumb, Nav};

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET,POST", "/life/rules", Target::None, get(rules_page).post(rule_post))
        .add("POST", "/life/types", Target::None, post(type_post))
        .add("POST", "/life/rules/year", Target::None, post(year_window_post))
        .add("GET,POST", "/orgs/{id}/divisions", Target::Org, get(divisions_page).post(division_post))
        .add("POST", "/orgs/{id}/divisions/delete", Target::Org, post(division_delete))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OkQuery {
    ok: String,
}

fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "rule" => "已增加本地规则版本，自生效日期起对该党组织及其下级党组织适用。",
        "type" => "已增加组织生活类型。",
        "year" => "已设置本地所属年度窗口，自生效日期起对该党组织及其下级党组织登记的年度会议适用。",
        "added" => "已登记党建工作分工。",
        "deleted" => "已删除该项分工。",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// 规则与类型

pub struct TypeRow {
    code: String,
    label: String,
    roster: &'static str,
    quorum: &'static str,
    votes: bool,
    lecturer: bool,
    local: bool,
}

pub struct RuleRow {
    rule_id: String,
    applies: String,
    requirement: String,
    valid: String,
    /// `现行`, `已失效`, `未生效`.
    state: &'static str,
    scope: String,
    local: bool,
    citation: String,
    confidence: String,
    confidence_label: &'static str,
    confidence_grade: &'static str,
    confidence_note: &'static str,
}

pub struct TypeGroup {
    code: String,
    label: String,
    rules: Vec<RuleRow>,
}

#[derive(Template)]
#[template(path = "life/rules.html")]
struct RulesPage {
    nav: Nav,
    notice: Option<&'static str>,
    /// After a refused form: what went wrong and where the form is (`rule-form`, `type-form`).
    banner: Option<(&'static str, &'static str)>,
    types: Vec<TypeRow>,
    groups: Vec<TypeGroup>,
    /// 维护组织生活规则 somewhere: the forms are shown.
    can_manage: bool,
    rule_fields: Vec<Field>,
    rule_others: Vec<String>,
    /// A local type may be added (the whole tree in the caller's scope); else why not.
    can_add_type: bool,
    type_note: String,
    type_fields: Vec<Field>,
    type_others: Vec<String>,
    type_refusal: Option<String>,
    /// The 所属年度 window versions (LIFE-18) and the form of a local one.
    windows: Vec<WindowRow>,
    year_fields: Vec<Field>,
    year_others: Vec<String>,
}

pub struct WindowRow {
    rule_id: String,
    describe: String,
    valid: String,
    state: &'static str,
    scope: String,
    local: bool,
    citation: String,
    confidence: String,
    confidence_label: &'static str,
    confidence_grade: &'static str,
    confidence_note: &'static str,
}

fn window_row(w: &dl::YearWindow, today: NaiveDate) -> WindowRow {
    WindowRow {
        rule_id: w.rule_id.clone(),
        describe: w.describe(),
        valid: match w.valid_to {
            Some(t) => format!("{} 至 {}（不含）", w.valid_from, t),
            None => format!("{} 起", w.valid_from),
        },
        state: if w.in_force(today) {
            "现行"
        } else if w.valid_from > today {
            "未生效"
        } else {
            "已失效"
        },
        scope: w.org_name.clone().unwrap_or_else(|| "全国".into()),
        local: w.org_id.is_some(),
        citation: if w.article.is_empty() || w.article == "—" {
            w.source.clone()
        } else {
            format!("{} {}", w.source, w.article)
        },
        confidence: w.confidence.clone(),
        confidence_label: confidence_label(&w.confidence),
        confidence_grade: confidence_grade(&w.confidence),
        confidence_note: confidence_note(&w.confidence),
    }
}

/// The form of a local 所属年度 window as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct YearForm {
    csrf: String,
    org: String,
    until: String,
    valid_from: String,
    valid_to: String,
    source: String,
}

fn year_fields(form: &YearForm, orgs: Vec<(String, String)>) -> Vec<Field> {
    vec![
        Field::select("org", "党组织", &form.org, orgs).req().hint("适用于该党组织及其全部下级党组织"),
        Field::new("until", "截止月日", "text", &form.until)
            .req()
            .hint("如 03-31：每年 1 月 1 日至该日召开的年度会议默认计入上一年度；不晚于 06-30"),
        Field::new("valid_from", "生效日期", "date", &form.valid_from).req(),
        Field::new("valid_to", "失效日期", "date", &form.valid_to).hint("不填表示长期有效"),
        Field::new("source", "依据文件", "text", &form.source).req(),
    ]
}

fn default_year_form(caller: &Caller) -> YearForm {
    YearForm {
        org: caller.roots_for(Perm::ManageLifeRules).first().map(|o| o.id.to_string()).unwrap_or_default(),
        until: "03-31".into(),
        valid_from: today().to_string(),
        ..Default::default()
    }
}

/// `POST /life/rules/year`: a local version of the 所属年度 window (LIFE-18).
pub async fn year_window_post(State(s): State<Shared>, caller: Caller, Form(f): Form<YearForm>) -> Response {
    web_core::tri!(caller.require(Perm::ManageLifeRules));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let result = match f.org.trim().parse::<i64>() {
        Ok(org_id) => {
            let input = store::life::YearWindowInput {
                org_id,
                until: f.until.clone(),
                valid_from: f.valid_from.clone(),
                valid_to: f.valid_to.clone(),
                source: f.source.clone(),
            };
            service::life::rules::add_year_window(&s.store, &caller, &input).await.map(|_| ())
        }
        Err(_) => Err(ServiceError::Invalid(FieldErrors(vec![domain::FieldError::new("党组织", "请选择党组织")]))),
    };
    let errs = match result {
        Ok(()) => return Redirect::to("/life/rules?ok=year").into_response(),
        Err(ServiceError::Invalid(e)) => e,
        Err(ServiceError::NotFound(_)) => {
            FieldErrors(vec![domain::FieldError::new("党组织", "不存在或不在您的管理范围内")])
        }
        Err(e) => return caller.fail(e),
    };
    let (rule_form, type_form, none) = (default_rule_form(&caller), default_type_form(), FieldErrors::default());
    let view = RulesView {
        notice: None,
        rule_form: &rule_form,
        rule_errs: &none,
        type_form: &type_form,
        type_errs: &none,
        type_refusal: None,
        year_form: &f,
        year_errs: &errs,
    };
    with_status(rules_view(&s, &caller, view).await, StatusCode::UNPROCESSABLE_ENTITY)
}

fn quorum_label(q: Quorum) -> &'static str {
    match q {
        Quorum::Voters => "有表决权党员过半数",
        Quorum::All => "应到人员过半数",
        Quorum::None => "—",
    }
}

/// The grade of a confidence code as a word: `高`, `中`, `低`, `待核实`.
fn confidence_grade(c: &str) -> &'static str {
    confidence_label(c).split_once('：').map_or(confidence_label(c), |(g, _)| g)
}

/// What a confidence grade rests on: `正式文本明确规定`.
fn confidence_note(c: &str) -> &'static str {
    confidence_label(c).split_once('：').map_or("", |(_, n)| n)
}

fn confidence_label(c: &str) -> &'static str {
    match c {
        "H" => "高：正式文本明确规定",
        "M" => "中：多方一致，条文未逐字核对",
        "L" => "低：地方或单位做法",
        "U" => "待核实",
        _ => "",
    }
}

fn rule_row(r: &LifeRule, today: NaiveDate) -> RuleRow {
    let state = if r.in_force(today) {
        "现行"
    } else if r.valid_from > today {
        "未生效"
    } else {
        "已失效"
    };
    RuleRow {
        rule_id: r.rule_id.clone(),
        applies: Applies::labels(&r.applies),
        requirement: r.describe(),
        valid: match r.valid_to {
            Some(t) => format!("{} 至 {}（不含）", r.valid_from, t),
            None => format!("{} 起", r.valid_from),
        },
        state,
        scope: r.org_name.clone().unwrap_or_else(|| "全国".into()),
        local: r.org_id.is_some(),
        citation: r.citation(),
        confidence: r.confidence.clone(),
        confidence_label: confidence_label(&r.confidence),
        confidence_grade: confidence_grade(&r.confidence),
        confidence_note: confidence_note(&r.confidence),
    }
}

/// The rule form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RuleForm {
    csrf: String,
    org: String,
    type_code: String,
    applies: String,
    period: String,
    min: String,
    valid_from: String,
    valid_to: String,
    source: String,
    article: String,
}

/// The type form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct TypeForm {
    csrf: String,
    code: String,
    label: String,
    roster: String,
}

/// Organizations a local rule may be set for: the top organizations of the caller's scope for
/// 维护组织生活规则 and their direct children (a rule covers the whole subtree below it).
async fn rule_orgs(s: &Shared, caller: &Caller) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (root, children) in service::life::rules::rule_orgs(&s.store, caller).await.unwrap_or_default() {
        out.push((root.id.to_string(), root.name.clone()));
        out.extend(children.into_iter().take(300).map(|c| (c.id.to_string(), format!("　{}", c.name))));
    }
    out
}

fn rule_fields(form: &RuleForm, orgs: Vec<(String, String)>, types: &[dl::LifeType]) -> Vec<Field> {
    let type_opts = types.iter().map(|t| (t.code.clone(), t.label.clone())).collect();
    let mut applies = vec![(String::new(), "与全国规定相同".to_string())];
    applies.extend(Applies::ALL.iter().map(|a| (a.code().to_string(), a.label().to_string())));
    vec![
        Field::select("org", "党组织", &form.org, orgs).req().hint("规则适用于该党组织及其全部下级党组织"),
        Field::select("type_code", "会议类型", &form.type_code, type_opts).req(),
        Field::select("applies", "适用组织", &form.applies, applies),
        Field::select(
            "period",
            "频次",
            &form.period,
            options(PeriodKind::ALL.iter().map(|p| (p.code(), p.label())), None),
        )
        .req(),
        Field::new("min", "至少次数", "number", &form.min).req().hint("每个周期至少召开的次数；0 表示不作要求"),
        Field::new("valid_from", "生效日期", "date", &form.valid_from).req(),
        Field::new("valid_to", "失效日期", "date", &form.valid_to).hint("不填表示长期有效；当日起不再适用"),
        Field::new("source", "依据文件", "text", &form.source)
            .req()
            .hint("如：××县委组织部关于……的通知（×组发〔2025〕×号）"),
        Field::new("article", "条款", "text", &form.article),
    ]
}

fn type_fields(form: &TypeForm) -> Vec<Field> {
    let rosters = [RosterKind::Branch, RosterKind::Committee, RosterKind::None]
        .iter()
        .map(|r| (r.code().to_string(), r.label().to_string()))
        .collect();
    vec![
        Field::new("label", "类型名称", "text", &form.label).req().hint("如：党员冬训"),
        Field::new("code", "类型代码", "text", &form.code).req().hint("小写英文字母、数字或下划线，如 winter_training"),
        Field::select("roster", "参会范围", &form.roster, rosters).req(),
    ]
}

fn type_note(caller: &Caller) -> String {
    let names: Vec<String> = caller.roots_for(Perm::ManageLifeRules).into_iter().map(|o| o.name).collect();
    format!(
        "组织生活类型对全部党组织通用，只能由最上级党组织的组织部增加。您的管理范围是“{}”，不能增加类型；如需增加，请联系上级组织部。本地的频次要求可用上面的“增加本地规则版本”设定。",
        names.join("、")
    )
}

struct RulesView<'a> {
    notice: Option<&'static str>,
    rule_form: &'a RuleForm,
    rule_errs: &'a FieldErrors,
    type_form: &'a TypeForm,
    type_errs: &'a FieldErrors,
    type_refusal: Option<String>,
    year_form: &'a YearForm,
    year_errs: &'a FieldErrors,
}

async fn rules_view(s: &Shared, caller: &Caller, v: RulesView<'_>) -> Response {
    let (types, rules) = match service::life::rules::list(&s.store, caller).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let today = today();
    let groups = types
        .iter()
        .map(|t| TypeGroup {
            code: t.code.clone(),
            label: t.label.clone(),
            rules: rules.iter().filter(|r| r.type_code == t.code).map(|r| rule_row(r, today)).collect(),
        })
        .collect();
    let type_rows = types
        .iter()
        .map(|t| TypeRow {
            code: t.code.clone(),
            label: t.label.clone(),
            roster: t.roster.label(),
            quorum: quorum_label(t.quorum),
            votes: t.votes,
            lecturer: t.lecturer,
            local: t.local,
        })
        .collect();
    let can_manage = caller.has(Perm::ManageLifeRules);
    let (rule_fields, rule_others, type_fields, type_others) = if can_manage {
        let mut rf = rule_fields(v.rule_form, rule_orgs(s, caller).await, &types);
        let ro = attach_errors(&mut rf, v.rule_errs);
        let mut tf = type_fields(v.type_form);
        let to = attach_errors(&mut tf, v.type_errs);
        (rf, ro, tf, to)
    } else {
        (Vec::new(), Vec::new(), Vec::new(), Vec::new())
    };
    let windows = match service::life::rules::year_windows(&s.store, caller).await {
        Ok(w) => w.iter().map(|w| window_row(w, today)).collect(),
        Err(e) => return caller.fail(e),
    };
    let (year_fields, year_others) = if can_manage {
        let mut yf = year_fields(v.year_form, rule_orgs(s, caller).await);
        let yo = attach_errors(&mut yf, v.year_errs);
        (yf, yo)
    } else {
        (Vec::new(), Vec::new())
    };
    let can_add_type = can_manage && service::life::rules::may_add_types(caller);
    let banner = if !v.year_errs.is_empty() {
        Some(("所属年度窗口未设置：请按表单中的提示修改后重新提交。", "year-form"))
    } else if !v.rule_errs.is_empty() {
        Some(("规则版本未增加：请按表单中的提示修改后重新提交。", "rule-form"))
    } else if v.type_refusal.is_some() {
        Some(("未能增加组织生活类型，原因见下方。", "type-form"))
    } else if !v.type_errs.is_empty() {
        Some(("类型未增加：请按表单中的提示修改后重新提交。", "type-form"))
    } else {
        None
    };
    render(&RulesPage {
        nav: caller.nav("life_rules").crumbs(vec![Crumb::new("", "组织生活规则与类型")]),
        notice: v.notice,
        banner,
        types: type_rows,
        groups,
        can_manage,
        rule_fields,
        rule_others,
        can_add_type,
        type_note: if can_manage && !can_add_type { type_note(caller) } else { String::new() },
        type_fields,
        type_others,
        type_refusal: v.type_refusal,
        windows,
        year_fields,
        year_others,
    })
}

fn default_rule_form(caller: &Caller) -> RuleForm {
    RuleForm {
        org: caller.roots_for(Perm::ManageLifeRules).first().map(|o| o.id.to_string()).unwrap_or_default(),
        period: "quarter".into(),
        min: "1".into(),
        valid_from: today().to_string(),
        ..Default::default()
    }
}

fn default_type_form() -> TypeForm {
    TypeForm { roster: "branch".into(), ..Default::default() }
}

pub async fn rules_page(State(s): State<Shared>, caller: Caller, Query(q): Query<OkQuery>) -> Response {
    web_core::tri!(caller.require(Perm::ReadLife));
    let (rule_form, type_form, none) = (default_rule_form(&caller), default_type_form(), FieldErrors::default());
    let view = RulesView {
        notice: notice(&q.ok),
        rule_form: &rule_form,
        rule_errs: &none,
        type_form: &type_form,
        type_errs: &none,
        type_refusal: None,
        year_form: &default_year_form(&caller),
        year_errs: &none,
    };
    rules_view(&s, &caller, view).await
}

pub async fn rule_post(State(s): State<Shared>, caller: Caller, Form(f): Form<RuleForm>) -> Response {
    web_core::tri!(caller.require(Perm::ManageLifeRules));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let mut errs = FieldErrors::default();
    let org = match f.org.trim().parse::<i64>() {
        Ok(id) => match caller.ctx.org(&s.store, Perm::ManageLifeRules, id).await {
            Ok((_, o)) => Some(o),
            Err(ServiceError::NotFound(_)) => {
                errs.push("党组织", "不存在或不在您的管理范围内");
                None
            }
            Err(e) => return caller.fail(e),
        },
        Err(_) => {
            errs.push("党组织", "请选择党组织");
            None
        }
    };
    let result = match &org {
        Some(o) => {
            let input = store::life::RuleInput {
                org_id: o.id,
                type_code: f.type_code.clone(),
                applies: f.applies.clone(),
                period: f.period.clone(),
                min: f.min.clone(),
                valid_from: f.valid_from.clone(),
                valid_to: f.valid_to.clone(),
                source: f.source.clone(),
                article: f.article.clone(),
            };
            service::life::rules::add_rule(&s.store, &caller, &input).await.map(|_| ())
        }
        None => Err(ServiceError::Invalid(errs)),
    };
    let errs = match result {
        Ok(()) => return Redirect::to("/life/rules?ok=rule").into_response(),
        Err(ServiceError::Invalid(e)) => e,
        Err(ServiceError::Refused(m)) => {
            let mut e = FieldErrors::default();
            e.push("党组织", m);
            e
        }
        Err(e) => return caller.fail(e),
    };
    let (type_form, none) = (default_type_form(), FieldErrors::default());
    let view = RulesView {
        notice: None,
        rule_form: &f,
        rule_errs: &errs,
        type_form: &type_form,
        type_errs: &none,
        type_refusal: None,
        year_form: &default_year_form(&caller),
        year_errs: &none,
    };
    with_status(rules_view(&s, &caller, view).await, StatusCode::UNPROCESSABLE_ENTITY)
}

pub async fn type_post(State(s): State<Shared>, caller: Caller, Form(f): Form<TypeForm>) -> Response {
    web_core::tri!(caller.require(Perm::ManageLifeRules));
    web_core::tri!(caller.check_csrf(&f.csrf));
    let (errs, refusal, status) = if !service::life::rules::may_add_types(&caller) {
        (FieldErrors::default(), Some(type_note(&caller)), StatusCode::CONFLICT)
    } else {
        let input = store::life::TypeInput { code: f.code.clone(), label: f.label.clone(), roster: f.roster.clone() };
        match service::life::rules::add_type(&s.store, &caller, &input).await {
            Ok(_) => return Redirect::to("/life/rules?ok=type").into_response(),
            Err(ServiceError::Invalid(e)) => (e, None, StatusCode::UNPROCESSABLE_ENTITY),
            Err(ServiceError::Refused(m)) => (FieldErrors::default(), Some(m), StatusCode::CONFLICT),
            Err(e) => return caller.fail(e),
        }
    };
    let (rule_form, none) = (default_rule_form(&caller), FieldErrors::default());
    let view = RulesView {
        notice: None,
        rule_form: &rule_form,
        rule_errs: &none,
        type_form: &f,
        type_errs: &errs,
        type_refusal: refusal,
        year_form: &default_year_form(&caller),
        year_errs: &none,
    };
    with_status(rules_view(&s, &caller, view).await, status)
}

// ---------------------------------------------------------------------------------------------
// 党组 党建工作分工

pub struct DivisionRow {
    id: i64,
    name: String,
    post: String,
    duty: String,
    since: String,
}

#[derive(Template)]
#[template(path = "life/divisions.html")]
struct DivisionsPage {
    nav: Nav,
    id: i64,
    name: String,
    kind: &'static str,
    is_group: bool,
    notice: Option<&'static str>,
    refusal: Option<String>,
    rows: Vec<DivisionRow>,
    can_edit: bool,
    fields: Vec<Field>,
    others: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DivisionForm {
    csrf: String,
    member_name: String,
    post: String,
    duty: String,
    since: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeleteForm {
    csrf: String,
    division: String,
}

async fn trail(s: &Shared, caller: &Caller, o: &Visible<Org>) -> Vec<Crumb> {
    let ancestors = service::life::divisions::superiors(&s.store, caller, o).await.unwrap_or_default();
    let mut trail = vec![Crumb::new("/orgs", "组织树")];
    trail.extend(ancestors.into_iter().map(|a| Crumb::new(format!("/orgs/{}", a.id), a.name)));
    trail.push(Crumb::new(format!("/orgs/{}", o.id), o.name.clone()));
    trail.push(Crumb::new("", "党建工作分工"));
    trail
}

struct DivisionsView<'a> {
    notice: Option<&'static str>,
    refusal: Option<String>,
    form: &'a DivisionForm,
    errs: &'a FieldErrors,
}

async fn divisions_view(s: &Shared, caller: &Caller, o: &Visible<Org>, v: DivisionsView<'_>) -> Response {
    let is_group = o.kind == OrgKind::LeadingGroup;
    let rows = if is_group {
        match service::life::divisions::list(&s.store, caller, o).await {
            Ok(list) => list
                .into_iter()
                .map(|d| DivisionRow {
                    id: d.id,
                    name: d.member_name,
                    post: d.post,
                    duty: d.duty,
                    since: d.since.to_string(),
                })
                .collect(),
            Err(e) => return caller.fail(e),
        }
    } else {
        Vec::new()
    };
    let can_edit = is_group && caller.can_at(Perm::RecordLife, &o.path);
    let mut fields = vec![
        Field::new("member_name", "姓名", "text", &v.form.member_name).req(),
        Field::new("post", "职务", "text", &v.form.post).req().hint("如：党组书记、党组成员"),
        Field::new("since", "起始日期", "date", &v.form.since).req(),
        Field::new("duty", "分工", "textarea", &v.form.duty).req().wide().hint("分管的党建工作和联系的基层党组织"),
    ];
    let others = attach_errors(&mut fields, v.errs);
    let nav = caller.nav("orgs").crumbs(trail(s, caller, o).await);
    render(&DivisionsPage {
        nav,
        id: o.id,
        name: o.name.clone(),
        kind: o.kind.label(),
        is_group,
        notice: v.notice,
        refusal: v.refusal,
        rows,
        can_edit,
        fields,
        others,
    })
}

fn not_a_group(o: &Org) -> String {
    format!("“{}”是{}，不是党组。党建工作分工只为党组登记。", o.name, o.kind.label())
}

pub async fn divisions_page(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::ReadLife, id).await);
    let form = DivisionForm { since: today().to_string(), ..Default::default() };
    let view = DivisionsView { notice: notice(&q.ok), refusal: None, form: &form, errs: &FieldErrors::default() };
    divisions_view(&s, &caller, &o, view).await
}

pub async fn division_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<DivisionForm>,
) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::RecordLife, id).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    if o.kind != OrgKind::LeadingGroup {
        return refused(&s, &caller, &o, not_a_group(&o), StatusCode::CONFLICT).await;
    }
    let input = store::life::DivisionInput {
        member_name: f.member_name.clone(),
        post: f.post.clone(),
        duty: f.duty.clone(),
        since: f.since.clone(),
    };
    let (errs, refusal, status) = match service::life::divisions::add(&s.store, &caller, o.id, &input).await {
        Ok(_) => return Redirect::to(&format!("/orgs/{id}/divisions?ok=added")).into_response(),
        Err(ServiceError::Invalid(e)) => (e, None, StatusCode::UNPROCESSABLE_ENTITY),
        Err(ServiceError::Refused(m)) => (FieldErrors::default(), Some(m), StatusCode::CONFLICT),
        Err(e) => return caller.fail(e),
    };
    let view = DivisionsView { notice: None, refusal, form: &f, errs: &errs };
    with_status(divisions_view(&s, &caller, &o, view).await, status)
}

/// The divisions page again with a refusal above it.
async fn refused(s: &Shared, caller: &Caller, o: &Visible<Org>, message: String, status: StatusCode) -> Response {
    let form = DivisionForm { since: today().to_string(), ..Default::default() };
    let view = DivisionsView { notice: None, refusal: Some(message), form: &form, errs: &FieldErrors::default() };
    with_status(divisions_view(s, caller, o, view).await, status)
}

pub async fn division_delete(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<DeleteForm>,
) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::RecordLife, id).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    if o.kind != OrgKind::LeadingGroup {
        return refused(&s, &caller, &o, not_a_group(&o), StatusCode::CONFLICT).await;
    }
    let Ok(division) = f.division.trim().parse::<i64>() else {
        return refused(&s, &caller, &o, "请选择要删除的分工。".into(), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match service::life::divisions::delete(&s.store, &caller, o.id, division).await {
        Ok(()) => Redirect::to(&format!("/orgs/{id}/divisions?ok=deleted")).into_response(),
        Err(ServiceError::NotFound(_)) => {
            let m = "该项分工已不存在（可能已被他人删除）。".to_string();
            refused(&s, &caller, &o, m, StatusCode::CONFLICT).await
        }
        Err(e) => caller.fail(e),
    }
}
