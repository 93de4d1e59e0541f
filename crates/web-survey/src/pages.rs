//! The pages of surveys: the list of a subtree, issuing one from a preset (the questionnaire as
//! text, one item a line), the survey with its tally per target (paged, sortable by rate, a chart
//! with its table), resident bases, printing a batch of codes, the free-text answers; and a
//! member's open surveys and answer form.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::survey::{
    preset, AnswerErrors, Audience, ItemKind, PersonalField, Questionnaire, QuestionnaireInput, SurveyInput, PRESETS,
};
use domain::FieldErrors;
use serde::Deserialize;
use service::survey::{AnswerError, Sort, View};
use service::ServiceError;
use store::survey::{Survey, Target, TextAnswer};
use web_core::access::Perm;
use web_core::form::{attach_errors, with_status, Field};
use web_core::pages::{org_param, render, today};
use web_core::picker::{OrgPicker, Purpose};
use web_core::{error_page, tri, Caller, Crumb, Nav, Shared};

const PER_PAGE: i64 = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    org: String,
    page: String,
    ok: String,
    sort: String,
    preset: String,
}

fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "已发起测评。下一步：录入各参评组织的群众基数，为群众生成答题码。",
        "saved" => "已保存。修改前的内容记录在审计日志中。",
        "bases" => "已保存群众基数。",
        "answered" => "已提交答卷，谢谢您的参与。",
        _ => return None,
    })
}

/// What a refused or invalid use case leaves for the page shown again.
fn problems(caller: &Caller, e: ServiceError) -> Result<(FieldErrors, Option<String>, StatusCode), Response> {
    match e {
        ServiceError::Invalid(e) => Ok((e, None, StatusCode::UNPROCESSABLE_ENTITY)),
        ServiceError::Refused(m) => Ok((FieldErrors::default(), Some(m), StatusCode::CONFLICT)),
        ServiceError::Stale(w) => {
            Ok((FieldErrors::default(), Some(ServiceError::Stale(w).to_string()), StatusCode::CONFLICT))
        }
        e => Err(caller.fail(e)),
    }
}

#[derive(Template)]
#[template(path = "survey/list.html")]
struct ListPage {
    nav: Nav,
    notice: Option<&'static str>,
    org_id: i64,
    org_name: String,
    picker: OrgPicker,
    rows: Vec<Survey>,
    today: chrono::NaiveDate,
    total: i64,
    page: i64,
    pages: i64,
}

/// `GET /surveys?org=`: the surveys issued in a subtree.
pub async fn list(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    let scope = tri!(caller.require(Perm::ManageSurveys));
    let org = tri!(org_param(&s, &caller, Perm::ManageSurveys, &scope, &q.org).await.map_err(|e| caller.fail(e)));
    let read = |p: i64| service::survey::list(&s.store, &caller, org.id, PER_PAGE, (p - 1) * PER_PAGE);
    let ((rows, total), page) = tri!(web_core::paging::within_total(
        web_core::paging::asked(&q.page),
        PER_PAGE,
        |x: &(Vec<Survey>, i64)| x.1,
        read
    )
    .await
    .map_err(|e| caller.fail(e)));
    let picker = OrgPicker::new(&s, &caller, Purpose::Orgs, "org", "党组织", Some(&org), "/surveys").await.submitting();
    render(&ListPage {
        nav: caller.nav("surveys").crumbs(vec![Crumb::new("", "测评")]),
        notice: notice(&q.ok),
        org_id: org.id,
        org_name: org.name.clone(),
        picker,
        rows,
        today: today(),
        total,
        page,
        pages: web_core::paging::pages(total, PER_PAGE),
    })
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SurveyForm {
    csrf: String,
    org: String,
    version: String,
    title: String,
    instructions: String,
    items: String,
    personal: String,
    audience: String,
    opens_on: String,
    closes_on: String,
    member_target: String,
    resident_target: String,
}

impl SurveyForm {
    fn input(&self) -> SurveyInput {
        SurveyInput {
            questionnaire: QuestionnaireInput {
                title: self.title.clone(),
                instructions: self.instructions.clone(),
                items: self.items.clone(),
                personal: self.personal.clone(),
            },
            audience: self.audience.clone(),
            opens_on: self.opens_on.clone(),
            closes_on: self.closes_on.clone(),
            member_target: self.member_target.clone(),
            resident_target: self.resident_target.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "survey/form.html")]
struct FormPage {
    nav: Nav,
    title: &'static str,
    action: String,
    picker: Option<OrgPicker>,
    org_name: String,
    version: String,
    fields: Vec<Field>,
    others: Vec<String>,
    refusal: Option<String>,
    presets: Vec<(&'static str, &'static str)>,
    org_id: String,
}

async fn form(
    s: &Shared,
    caller: &Caller,
    f: &SurveyForm,
    survey: Option<(i64, String)>,
    errs: &FieldErrors,
    refusal: Option<String>,
) -> Response {
    let personal = web_core::form::options(PersonalField::ALL.iter().map(|k| (k.code(), k.label())), None);
    let audience = web_core::form::options(Audience::ALL.iter().map(|k| (k.code(), k.label())), Some("请选择"));
    let mut fields = vec![
        Field::new("title", "问卷标题", "text", &f.title).req().wide(),
        Field::new("instructions", "答题说明", "textarea", &f.instructions).wide().hint("显示在问卷开头，如是否记名、答题码只能用一次"),
        Field::new("items", "题目", "textarea", &f.items).req().wide().hint(
            "每行一题：类型|题目|选项|标记。类型为 评价、单选、多选、文字；选项用“、”分隔，评价题选项后加“+”计为满意、加“~”不计入满意率（如“不了解~”）；文字题的选项写字数上限；标记写“满意率”表示该题计入满意率，写“选答”表示可不答",
        ),
        Field::select("personal", "个人信息", &f.personal, personal).hint("默认不收集；如收集，答题人在答题前会看到所收集的项目，查看时脱敏显示"),
        Field::select("audience", "参评对象", &f.audience, audience).req(),
        Field::new("opens_on", "开始日期", "date", &f.opens_on).req(),
        Field::new("closes_on", "截止日期", "date", &f.closes_on).req(),
        Field::new("member_target", "党员覆盖目标", "number", &f.member_target).hint("百分数；不填按 GRADE-08 预设：党员 100%"),
        Field::new("resident_target", "群众覆盖目标", "number", &f.resident_target).hint("百分数；不填按 GRADE-08 预设：群众不少于群众基数的 10%"),
    ];
    let others = attach_errors(&mut fields, errs);
    let (picker, title, action, org_name) = match &survey {
        None => {
            let chosen = match f.org.trim().parse::<i64>() {
                Ok(o) => service::org::get(&s.store, caller, Perm::ManageSurveys, o).await.ok(),
                Err(_) => None,
            };
            let mut picker =
                OrgPicker::new(s, caller, Purpose::Orgs, "org", "发起组织", chosen.as_ref(), "/surveys/new").await;
            if let Some(e) = errs.0.iter().find(|e| e.field == "发起组织") {
                picker.error = e.message.clone();
            }
            (Some(picker), "发起测评", "/surveys/new".to_string(), String::new())
        }
        Some((id, name)) => (None, "修改测评", format!("/surveys/{id}/edit"), name.clone()),
    };
    let status = if refusal.is_some() {
        StatusCode::CONFLICT
    } else if errs.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let crumb = match &survey {
        Some((id, _)) => Crumb::new(format!("/surveys/{id}"), "测评"),
        None => Crumb::new("/surveys", "测评"),
    };
    with_status(
        render(&FormPage {
            nav: caller.nav("surveys").crumbs(vec![crumb, Crumb::new("", title)]),
            title,
            action,
            picker,
            org_name,
            version: f.version.clone(),
            fields,
            others,
            refusal,
            presets: service::survey::presets(),
            org_id: f.org.clone(),
        }),
        status,
    )
}

fn from_input(q: QuestionnaireInput, org: &str) -> SurveyForm {
    let t = today();
    SurveyForm {
        org: org.to_string(),
        title: q.title,
        instructions: q.instructions,
        items: q.items,
        personal: q.personal,
        audience: Audience::Both.code().into(),
        opens_on: t.to_string(),
        closes_on: (t + chrono::Duration::days(30)).to_string(),
        ..Default::default()
    }
}

/// `GET /surveys/new?org=&preset=`: the form, filled from a preset (the 满意度测评 by default).
pub async fn new_page(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    let scope = tri!(caller.require(Perm::ManageSurveys));
    if !q.org.trim().is_empty() {
        tri!(org_param(&s, &caller, Perm::ManageSurveys, &scope, &q.org).await.map_err(|e| caller.fail(e)));
    }
    let p = preset(&q.preset).unwrap_or(&PRESETS[0]);
    let f = from_input(p.input(), &q.org);
    form(&s, &caller, &f, None, &FieldErrors::default(), None).await
}

pub async fn create(
    State(s): State<Shared>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    Form(mut f): Form<SurveyForm>,
) -> Response {
    let scope = tri!(caller.require(Perm::ManageSurveys));
    if f.org.trim().is_empty() {
        f.org = q.org.clone();
    }
    let org = if f.org.trim().is_empty() {
        None
    } else {
        Some(tri!(org_param(&s, &caller, Perm::ManageSurveys, &scope, &f.org).await.map_err(|e| caller.fail(e))))
    };
    tri!(caller.check_csrf(&f.csrf));
    let Some(org) = org else {
        let mut errs = FieldErrors(vec![domain::FieldError::new("发起组织", "请选择发起测评的党组织")]);
        if let Err(e) = f.input().validate() {
            errs.0.extend(e.0);
        }
        return form(&s, &caller, &f, None, &errs, None).await;
    };
    match service::survey::create(&s.store, &caller, org.id, &f.input(), &[]).await {
        Ok(x) => Redirect::to(&format!("/surveys/{}?ok=created", x.id)).into_response(),
        Err(e) => {
            let (errs, refusal, _) = tri!(problems(&caller, e));
            form(&s, &caller, &f, None, &errs, refusal).await
        }
    }
}

pub async fn edit_page(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let x = tri!(service::survey::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    if x.answers > 0 {
        let m = format!("该测评已收到 {} 份答卷，问卷和测评期不能再修改。", x.answers);
        return error_page(StatusCode::CONFLICT, "不能修改", &m);
    }
    let q = x.questionnaire().as_input();
    let f = SurveyForm {
        version: x.version.to_string(),
        audience: x.audience.clone(),
        opens_on: x.opens_on.to_string(),
        closes_on: x.closes_on.to_string(),
        member_target: permille_percent(x.member_permille),
        resident_target: permille_percent(x.resident_permille),
        ..from_input(q, "")
    };
    form(&s, &caller, &f, Some((id, x.org_name.clone())), &FieldErrors::default(), None).await
}

fn permille_percent(v: i64) -> String {
    if v % 10 == 0 {
        (v / 10).to_string()
    } else {
        format!("{}.{}", v / 10, v % 10)
    }
}

pub async fn update(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<SurveyForm>,
) -> Response {
    let x = tri!(service::survey::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    tri!(caller.check_csrf(&f.csrf));
    match service::survey::update(&s.store, &caller, id, &f.version, &f.input()).await {
        Ok(_) => Redirect::to(&format!("/surveys/{id}?ok=saved")).into_response(),
        Err(e) => {
            let (errs, refusal, _) = tri!(problems(&caller, e));
            form(&s, &caller, &f, Some((id, x.org_name.clone())), &errs, refusal).await
        }
    }
}

#[derive(Template)]
#[template(path = "survey/show.html")]
struct ShowPage {
    nav: Nav,
    notice: Option<&'static str>,
    error: Option<String>,
    v: View,
    state: &'static str,
    rate: String,
    chart: String,
    sort: String,
    page: i64,
    pages: i64,
    bases: String,
    bases_error: Option<String>,
    /// (org id, name, codes made, used) per target.
    code_rows: Vec<(i64, String, i64, i64)>,
    choice_items: Vec<(String, Vec<(String, i64)>)>,
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    s: &Shared,
    caller: &Caller,
    id: i64,
    q: &ListQuery,
    error: Option<(String, StatusCode)>,
    bases: Option<(String, String)>,
) -> Response {
    let sort = Sort::parse(&q.sort);
    let page = web_core::paging::asked(&q.page).max(1);
    let v = match service::survey::view(&s.store, caller, id, today(), sort, PER_PAGE, (page - 1) * PER_PAGE).await {
        Ok(v) => v,
        Err(e) => return caller.fail(e),
    };
    let pages = web_core::paging::pages(v.tally_total, PER_PAGE);
    let chart = web_core::charts::scores(
        "各参评组织满意率",
        &v.tally
            .iter()
            .filter_map(|t| t.rate_permille.map(|r| (t.org_name.clone(), r as f64 / 10.0, 100.0)))
            .collect::<Vec<_>>(),
    );
    let rate = domain::survey::fmt_permille(domain::survey::rate_permille(v.overall.0, v.overall.1));
    let names: std::collections::HashMap<i64, String> =
        v.targets.iter().map(|t| (t.org_id, t.org_name.clone())).collect();
    let code_rows =
        v.codes.iter().map(|(o, made, used)| (*o, names.get(o).cloned().unwrap_or_default(), *made, *used)).collect();
    let choice_items = v
        .questionnaire
        .items
        .iter()
        .zip(v.distribution.iter())
        .filter(|(i, _)| i.kind != ItemKind::Text)
        .map(|(i, d)| (i.text.clone(), d.clone()))
        .collect();
    let (bases, bases_error) = match bases {
        Some((text, err)) => (text, Some(err)),
        None => (service::survey::base_lines(&v.targets), None),
    };
    let status = error.as_ref().map_or(StatusCode::OK, |e| e.1);
    with_status(
        render(&ShowPage {
            nav: caller.nav("surveys").crumbs(vec![
                Crumb::new(format!("/surveys?org={}", v.survey.org_id), "测评"),
                Crumb::new("", v.survey.title.clone()),
            ]),
            notice: notice(&q.ok),
            error: error.map(|e| e.0),
            state: v.survey.window(v.on).label(),
            rate,
            chart,
            sort: q.sort.clone(),
            page,
            pages,
            bases,
            bases_error,
            code_rows,
            choice_items,
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
    show_page(&s, &caller, id, &q, None, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    csrf: String,
    bases: String,
    org: String,
    count: String,
}

pub async fn bases(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    tri!(service::survey::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    tri!(caller.check_csrf(&f.csrf));
    match service::survey::set_bases(&s.store, &caller, id, &f.bases).await {
        Ok(_) => Redirect::to(&format!("/surveys/{id}?ok=bases")).into_response(),
        Err(e) => {
            let (errs, refusal, status) = tri!(problems(&caller, e));
            let msg = refusal.unwrap_or_else(|| errs.0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("；"));
            let r = show_page(&s, &caller, id, &ListQuery::default(), None, Some((f.bases.clone(), msg))).await;
            with_status(r, status)
        }
    }
}

#[derive(Template)]
#[template(path = "survey/codes.html")]
struct CodesPage {
    survey: Survey,
    target: Target,
    /// (shown code, link, QR SVG).
    cards: Vec<(String, String, String)>,
    entry: String,
}

/// The address residents open, from the request's host (`http` unless cookies are `Secure`).
fn base_url(s: &Shared, headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("{}://{host}", if s.secure_cookies { "https" } else { "http" })
}

/// `POST /surveys/{id}/codes`: make a batch of codes for one target and print them on A4 sheets
/// (QR code, link and short code each). The codes are shown this once: only their keyed hash is
/// kept, so a lost sheet is replaced by a new batch.
pub async fn codes(
    State(s): State<Shared>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    tri!(service::survey::get(&s.store, &caller, id).await.map_err(|e| caller.fail(e)));
    tri!(caller.check_csrf(&f.csrf));
    match service::survey::issue_codes(&s.store, &caller, id, &f.org, &f.count).await {
        Ok((survey, target, codes)) => {
            let base = base_url(&s, &headers);
            let cards = codes
                .iter()
                .map(|c| {
                    let link = format!("{base}/s/{c}");
                    (domain::survey::show_code(c), link.clone(), web_core::qr::svg(&link))
                })
                .collect();
            let mut r = render(&CodesPage { survey, target, cards, entry: format!("{base}/s") });
            // the codes are on this page only: never kept by a cache
            r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => {
            let (errs, refusal, status) = tri!(problems(&caller, e));
            let msg = refusal.unwrap_or_else(|| errs.0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("；"));
            show_page(&s, &caller, id, &ListQuery::default(), Some((msg, status)), None).await
        }
    }
}

#[derive(Template)]
#[template(path = "survey/texts.html")]
struct TextsPage {
    nav: Nav,
    survey: Survey,
    rows: Vec<TextAnswer>,
    total: i64,
    page: i64,
    pages: i64,
}

/// `GET /surveys/{id}/texts`: the free-text answers, personal fields masked.
pub async fn texts(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Response {
    let read = |p: i64| service::survey::texts(&s.store, &caller, id, PER_PAGE, (p - 1) * PER_PAGE);
    let ((survey, rows, total), page) = tri!(web_core::paging::within_total(
        web_core::paging::asked(&q.page),
        PER_PAGE,
        |x: &(Survey, Vec<TextAnswer>, i64)| x.2,
        read
    )
    .await
    .map_err(|e| caller.fail(e)));
    render(&TextsPage {
        nav: caller
            .nav("surveys")
            .crumbs(vec![Crumb::new(format!("/surveys/{id}"), survey.title.clone()), Crumb::new("", "文字意见")]),
        survey,
        rows,
        total,
        page,
        pages: web_core::paging::pages(total, PER_PAGE),
    })
}

#[derive(Template)]
#[template(path = "survey/mine.html")]
struct MinePage {
    nav: Nav,
    rows: Vec<(Survey, bool)>,
    member: bool,
}

/// `GET /surveys/mine`: the open surveys the signed-in member may answer.
pub async fn mine(State(s): State<Shared>, caller: Caller) -> Response {
    let rows = tri!(service::survey::mine(&s.store, &caller, today()).await.map_err(|e| caller.fail(e)));
    render(&MinePage {
        nav: caller.nav("surveys_mine").crumbs(vec![Crumb::new("", "我的测评")]),
        member: caller.own_member.is_some(),
        rows,
    })
}

/// One item of an answer form as shown: its number, what it asks, the choices with whether each
/// is chosen, the text typed, its problem.
pub(crate) struct ItemView {
    pub n: usize,
    pub kind: &'static str,
    pub text: String,
    pub required: bool,
    pub choices: Vec<(String, bool)>,
    pub value: String,
    pub max_len: u32,
    pub error: Option<String>,
}

/// The items of a questionnaire with what was typed and the problems.
pub(crate) fn item_views(q: &Questionnaire, pairs: &[(String, String)], errs: &AnswerErrors) -> Vec<ItemView> {
    q.items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let key = format!("q{}", i + 1);
            let given: Vec<&str> = pairs.iter().filter(|(k, _)| *k == key).map(|(_, v)| v.as_str()).collect();
            ItemView {
                n: i + 1,
                kind: it.kind.code(),
                text: it.text.clone(),
                required: it.required,
                choices: it.choices.iter().map(|c| (c.label.clone(), given.contains(&c.label.as_str()))).collect(),
                value: if it.kind == ItemKind::Text { given.join("\n") } else { String::new() },
                max_len: it.max_len,
                error: errs.items.get(&i).cloned(),
            }
        })
        .collect()
}

pub(crate) fn personal_value(pairs: &[(String, String)]) -> String {
    pairs.iter().find(|(k, _)| k == "personal").map(|(_, v)| v.clone()).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "survey/answer.html")]
struct AnswerPage {
    nav: Nav,
    survey: Survey,
    q: Questionnaire,
    target: Target,
    answered: bool,
    items: Vec<ItemView>,
    personal: String,
    personal_error: Option<String>,
    error: Option<String>,
    action: String,
}

fn answer_form(
    caller: &Caller,
    x: (Survey, Target, bool),
    pairs: &[(String, String)],
    errs: &AnswerErrors,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let (survey, target, answered) = x;
    let q = survey.questionnaire();
    let r = render(&AnswerPage {
        nav: caller
            .nav("surveys_mine")
            .crumbs(vec![Crumb::new("/surveys/mine", "我的测评"), Crumb::new("", survey.title.clone())]),
        items: item_views(&q, pairs, errs),
        personal: personal_value(pairs),
        personal_error: errs.personal.clone(),
        error,
        action: format!("/surveys/{}/answer", survey.id),
        q,
        survey,
        target,
        answered,
    });
    with_status(r, status)
}

/// `GET /surveys/{id}/answer`: a member's answer form (open surveys whose target is above the
/// member's organization; anything else is not found).
pub async fn answer_page(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let x = tri!(service::survey::for_member(&s.store, &caller, id, today()).await.map_err(|e| caller.fail(e)));
    answer_form(&caller, x, &[], &AnswerErrors::default(), None, StatusCode::OK)
}

pub async fn answer(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let x = tri!(service::survey::for_member(&s.store, &caller, id, today()).await.map_err(|e| caller.fail(e)));
    let csrf = pairs.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or("");
    tri!(caller.check_csrf(csrf));
    match service::survey::answer_as_member(&s.store, &caller, id, &pairs, today()).await {
        Ok(_) => Redirect::to("/surveys/mine?ok=answered").into_response(),
        Err(AnswerError::Invalid(errs)) => {
            answer_form(&caller, x, &pairs, &errs, None, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(AnswerError::Service(ServiceError::Refused(m))) => {
            answer_form(&caller, x, &pairs, &AnswerErrors::default(), Some(m), StatusCode::CONFLICT)
        }
        Err(AnswerError::Service(e)) => caller.fail(e),
    }
}
