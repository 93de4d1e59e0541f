//! The campaigns the caller sees, issuing one, its page and changing it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::campaign::{CampaignInput, Kind, TakesPart};
use domain::org::Org;
use domain::FieldErrors;
use serde::Deserialize;
use store::campaign::Campaign;
use web_core::access::Perm;
use web_core::form::{attach_errors, with_status, Field};
use web_core::pages::{render, today};
use web_core::picker::{OrgPicker, Purpose};
use web_core::{Caller, Crumb, Nav, Shared};

use super::{at, notice, problems};

const PER_PAGE: usize = 30;

pub(crate) fn crumbs(c: Option<&Campaign>, last: &str) -> Vec<Crumb> {
    let mut v = vec![Crumb::new("/campaigns", "创建活动")];
    if let Some(c) = c {
        v.push(Crumb::new(format!("/campaigns/{}", c.id), c.name.clone()));
    }
    if !last.is_empty() {
        v.push(Crumb::new("", last.to_string()));
    }
    v
}

struct Row {
    id: i64,
    name: String,
    kind: String,
    issuer: String,
    period: String,
    takes_part: String,
    full: bool,
}

#[derive(Template)]
#[template(path = "campaign/list.html")]
struct ListPage {
    nav: Nav,
    rows: Vec<Row>,
    total: usize,
    page: i64,
    pages: i64,
    can_issue: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    page: String,
}

fn takes_part_text(c: &Campaign) -> String {
    match c.takes_part() {
        TakesPart::Level => match c.depth {
            Some(1) => "直属下级党组织".to_string(),
            Some(d) => format!("下 {d} 级党组织"),
            None => "下级党组织".to_string(),
        },
        TakesPart::Chosen => "指定党组织".to_string(),
    }
}

/// `GET /campaigns`: the campaigns the caller sees, latest first.
pub async fn list(State(s): State<Shared>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    let all = match service::campaign::list(&s.store, &caller).await {
        Ok(a) => a,
        Err(e) => return caller.fail(e),
    };
    let page = web_core::paging::clamp(web_core::paging::asked(&q.page), all.len() as i64, PER_PAGE as i64);
    let start = ((page - 1) as usize) * PER_PAGE;
    let rows = all
        .iter()
        .skip(start)
        .take(PER_PAGE)
        .map(|(c, a)| Row {
            id: c.id,
            name: c.name.clone(),
            kind: c.kind_label.clone(),
            issuer: c.org_name.clone(),
            period: c.period(),
            takes_part: takes_part_text(c),
            full: a.full,
        })
        .collect();
    render(&ListPage {
        nav: caller.nav("campaigns").crumbs(crumbs(None, "")),
        rows,
        total: all.len(),
        page,
        pages: web_core::paging::pages(all.len() as i64, PER_PAGE as i64),
        can_issue: caller.has(Perm::ManageCampaigns),
    })
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CampaignForm {
    csrf: String,
    org: String,
    version: String,
    name: String,
    kind: String,
    kind_label: String,
    theme: String,
    ideas: String,
    starts_on: String,
    ends_on: String,
    takes_part: String,
    depth: String,
    name_top: String,
    leaders: String,
    /// The chosen organizations, `chosen=12&chosen=15` (read from the raw form).
    #[serde(skip)]
    chosen: Vec<i64>,
}

impl CampaignForm {
    fn input(&self) -> CampaignInput {
        CampaignInput {
            name: self.name.clone(),
            kind: self.kind.clone(),
            kind_label: self.kind_label.clone(),
            theme: self.theme.clone(),
            ideas: self.ideas.clone(),
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
            takes_part: self.takes_part.clone(),
            depth: self.depth.clone(),
            name_top: self.name_top.clone(),
        }
    }
    fn of(c: &Campaign, leaders: &[store::campaign::LeaderRow], chosen: &[(i64, String)]) -> Self {
        CampaignForm {
            org: c.org_id.to_string(),
            version: c.version.to_string(),
            name: c.name.clone(),
            kind: c.kind.clone(),
            kind_label: if c.kind() == Kind::Custom { c.kind_label.clone() } else { String::new() },
            theme: c.theme.clone(),
            ideas: c.ideas.clone(),
            starts_on: c.starts_on.to_string(),
            ends_on: c.ends_on.to_string(),
            takes_part: c.takes_part.clone(),
            depth: c.depth.map(|d| d.to_string()).unwrap_or_default(),
            name_top: c.name_top.to_string(),
            leaders: leaders
                .iter()
                .map(|l| format!("{} {} {}", l.role_label(), l.name, l.post).trim().to_string())
                .collect::<Vec<_>>()
                .join("\n"),
            chosen: chosen.iter().map(|c| c.0).collect(),
            ..Default::default()
        }
    }
    /// Parse the urlencoded body, repeated `chosen` values included.
    fn parse(body: &str) -> Self {
        let mut f: CampaignForm = serde_urlencoded_lite(body);
        f.chosen = form_pairs(body).filter(|(k, _)| k == "chosen").filter_map(|(_, v)| v.trim().parse().ok()).collect();
        f
    }
}

/// The pairs of an urlencoded body (repeated names kept).
pub(crate) fn form_pairs(body: &str) -> impl Iterator<Item = (String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(body).unwrap_or_default().into_iter()
}

/// The single-valued fields of a form (the last value of a repeated one wins).
fn serde_urlencoded_lite(body: &str) -> CampaignForm {
    let mut f = CampaignForm::default();
    for (k, v) in form_pairs(body) {
        let slot = match k.as_str() {
            "csrf" => &mut f.csrf,
            "org" => &mut f.org,
            "version" => &mut f.version,
            "name" => &mut f.name,
            "kind" => &mut f.kind,
            "kind_label" => &mut f.kind_label,
            "theme" => &mut f.theme,
            "ideas" => &mut f.ideas,
            "starts_on" => &mut f.starts_on,
            "ends_on" => &mut f.ends_on,
            "takes_part" => &mut f.takes_part,
            "depth" => &mut f.depth,
            "name_top" => &mut f.name_top,
            "leaders" => &mut f.leaders,
            _ => continue,
        };
        *slot = v;
    }
    f
}

struct Choice {
    id: i64,
    name: String,
    depth: usize,
    checked: bool,
}

#[derive(Template)]
#[template(path = "campaign/form.html")]
struct FormPage {
    nav: Nav,
    /// Editing this campaign (else issuing a new one).
    editing: Option<i64>,
    picker: Option<OrgPicker>,
    issuer_name: String,
    org: String,
    version: String,
    fields: Vec<Field>,
    leaders: String,
    leaders_error: Option<String>,
    choices: Vec<Choice>,
    chosen_error: Option<String>,
    others: Vec<String>,
    refusal: Option<String>,
}

fn fields_for(f: &CampaignForm) -> Vec<Field> {
    let kinds: Vec<(String, String)> =
        Kind::ALL.iter().map(|k| (k.code().to_string(), k.label().to_string())).collect();
    let kind = Kind::parse(&f.kind).map_or(f.kind.clone(), |k| k.code().to_string());
    let parts: Vec<(String, String)> = vec![
        ("level".into(), "按层级：发起单位以下某一级的全部党组织".into()),
        ("chosen".into(), "指定党组织（在下方勾选）".into()),
    ];
    let tp = TakesPart::parse(&f.takes_part).map_or(f.takes_part.clone(), |t| t.code().to_string());
    vec![
        Field::new("name", "活动名称", "text", &f.name).req().wide(),
        Field::select("kind", "活动类型", &kind, kinds).req(),
        Field::new("kind_label", "类型名称", "text", &f.kind_label)
            .hint("活动类型选“自定义”时填写，如：党建引领基层治理"),
        Field::new("starts_on", "开始日期", "date", &f.starts_on).req(),
        Field::new("ends_on", "结束日期", "date", &f.ends_on).req(),
        Field::new("theme", "主题", "text", &f.theme).wide(),
        Field::new("ideas", "核心理念", "text", &f.ideas).wide().hint("用“、”分隔，如：服务、创新、整合"),
        Field::select("takes_part", "参与范围", &tp, parts).req(),
        Field::new("depth", "参与层级", "number", &f.depth)
            .hint("按层级参与时填写：1 为直属下级（如市委下的各县），2 为再下一级（如乡镇）"),
        Field::new("name_top", "通报先进后进数", "number", &f.name_top)
            .hint("每次调度通报的先进、后进单位各几名，默认 3"),
    ]
}

async fn form_page(
    s: &Shared,
    caller: &Caller,
    issuer: &Org,
    editing: Option<i64>,
    f: &CampaignForm,
    errs: &FieldErrors,
    refusal: Option<String>,
) -> Response {
    let mut fields = fields_for(f);
    let mut errs = errs.clone();
    let take = |name: &str, errs: &mut FieldErrors| -> Option<String> {
        let mine: Vec<String> = errs.0.iter().filter(|e| e.field == name).map(|e| e.message.clone()).collect();
        errs.0.retain(|e| e.field != name);
        (!mine.is_empty()).then(|| mine.join("；"))
    };
    let leaders_error = take("领导小组", &mut errs);
    let chosen_error = take("参与党组织", &mut errs);
    let others = attach_errors(&mut fields, &errs);
    let nodes =
        service::org::subtree(&s.store, caller, Perm::ReadCampaigns, issuer.id, Some(2)).await.unwrap_or_default();
    let choices = nodes
        .into_iter()
        .filter(|n| n.depth > 0)
        .take(600)
        .map(|n| Choice { id: n.org.id, checked: f.chosen.contains(&n.org.id), name: n.org.name, depth: n.depth })
        .collect();
    let picker = if editing.is_none() {
        Some(
            OrgPicker::new(s, caller, Purpose::ManageCampaigns, "org", "发起单位", Some(issuer), "/campaigns/new")
                .await
                .hint("活动在该组织及其下级范围内开展"),
        )
    } else {
        None
    };
    let title = if editing.is_some() { "修改创建活动" } else { "发起创建活动" };
    let c = match editing {
        Some(id) => service::campaign::get(&s.store, caller, id).await.ok().map(|x| x.0),
        None => None,
    };
    let status = if refusal.is_some() {
        StatusCode::CONFLICT
    } else if errs.is_empty() && leaders_error.is_none() && chosen_error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    with_status(
        render(&FormPage {
            nav: caller.nav("campaigns").crumbs(crumbs(c.as_ref(), title)),
            editing,
            picker,
            issuer_name: issuer.name.clone(),
            org: issuer.id.to_string(),
            version: f.version.clone(),
            fields,
            leaders: f.leaders.clone(),
            leaders_error,
            choices,
            chosen_error,
            others,
            refusal,
        }),
        status,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    org: String,
}

/// `GET /campaigns/new?org=`: the form to issue a campaign from an organization.
pub async fn new_page(State(s): State<Shared>, caller: Caller, Query(q): Query<NewQuery>) -> Response {
    let scope = web_core::tri!(caller.require(Perm::ManageCampaigns));
    let issuer = match web_core::pages::org_param(&s, &caller, Perm::ManageCampaigns, &scope, &q.org).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let y = chrono::Datelike::year(&today());
    let f = CampaignForm {
        starts_on: format!("{y}-01-01"),
        ends_on: format!("{y}-12-31"),
        takes_part: "level".into(),
        depth: "1".into(),
        name_top: "3".into(),
        ..Default::default()
    };
    form_page(&s, &caller, &issuer, None, &f, &FieldErrors::default(), None).await
}

/// `POST /campaigns/new`: issue it.
pub async fn create(State(s): State<Shared>, caller: Caller, Query(q): Query<NewQuery>, body: String) -> Response {
    let f = CampaignForm::parse(&body);
    let scope = web_core::tri!(caller.require(Perm::ManageCampaigns));
    let org = if f.org.is_empty() { q.org.clone() } else { f.org.clone() };
    let issuer = match web_core::pages::org_param(&s, &caller, Perm::ManageCampaigns, &scope, &org).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    web_core::tri!(caller.check_csrf(&f.csrf));
    match service::campaign::create(&s.store, &caller, issuer.id, &f.input(), &f.chosen, &f.leaders).await {
        Ok(c) => Redirect::to(&format!("/campaigns/{}?ok=created", c.id)).into_response(),
        Err(e) => {
            let (errs, refusal, _) = web_core::tri!(problems(&caller, e));
            form_page(&s, &caller, &issuer, None, &f, &errs, refusal).await
        }
    }
}

/// `GET /campaigns/{id}/edit`.
pub async fn edit_page(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let v = match service::campaign::view(&s.store, &caller, id).await {
        Ok(v) => v,
        Err(e) => return caller.fail(e),
    };
    if !v.can_manage {
        return caller.fail(service::ServiceError::NotFound("创建活动"));
    }
    let issuer = match service::org::get(&s.store, &caller, Perm::ManageCampaigns, v.campaign.org_id).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let f = CampaignForm::of(&v.campaign, &v.leaders, &v.chosen);
    form_page(&s, &caller, &issuer, Some(id), &f, &FieldErrors::default(), None).await
}

/// `POST /campaigns/{id}/edit`: save at the version read.
pub async fn update(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>, body: String) -> Response {
    let f = CampaignForm::parse(&body);
    let c = match service::campaign::get(&s.store, &caller, id).await {
        Ok((c, a)) if a.full && caller.can_at(Perm::ManageCampaigns, &c.org_path) => c,
        Ok(_) => return caller.fail(service::ServiceError::NotFound("创建活动")),
        Err(e) => return caller.fail(e),
    };
    web_core::tri!(caller.check_csrf(&f.csrf));
    let issuer = match service::org::get(&s.store, &caller, Perm::ManageCampaigns, c.org_id).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let version = f.version.trim().parse::<i64>().unwrap_or(0);
    match service::campaign::update(&s.store, &caller, id, version, &f.input(), &f.chosen, &f.leaders).await {
        Ok(_) => Redirect::to(&format!("/campaigns/{id}?ok=updated")).into_response(),
        Err(e) => {
            let (errs, refusal, _) = web_core::tri!(problems(&caller, e));
            form_page(&s, &caller, &issuer, Some(id), &f, &errs, refusal).await
        }
    }
}

struct StdRow {
    valid_from: String,
    indicators: Vec<(String, String, String, i64, String)>,
    total: i64,
}

struct RoundRow {
    id: i64,
    title: String,
    as_on: String,
    status: &'static str,
    published: bool,
    at: String,
}

struct DocRow {
    id: i64,
    title: String,
    name: String,
    size: String,
}

#[derive(Template)]
#[template(path = "campaign/show.html")]
struct ShowPage {
    nav: Nav,
    c: Campaign,
    full: bool,
    notice: Option<&'static str>,
    takes_part: String,
    ideas: Vec<String>,
    leaders: Vec<(String, String, String)>,
    departments: Vec<String>,
    chosen: Vec<(i64, String)>,
    documents: Vec<DocRow>,
    standards: Vec<StdRow>,
    rounds: Vec<RoundRow>,
    can_manage: bool,
    can_report: bool,
    today: String,
    funding_total: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    ok: String,
}

/// `GET /campaigns/{id}`: what the campaign is, who leads it, its documents, standard and rounds.
pub async fn show(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Response {
    let v = match service::campaign::view(&s.store, &caller, id).await {
        Ok(v) => v,
        Err(e) => return caller.fail(e),
    };
    let funding_total = match service::campaign::funding(&s.store, &caller, id, None).await {
        Ok((_, t)) => domain::campaign::yuan(t),
        Err(_) => "—".into(),
    };
    let (departments, people): (Vec<_>, Vec<_>) = v.leaders.iter().partition(|l| l.is_department());
    render(&ShowPage {
        nav: caller.nav("campaigns").crumbs(crumbs(Some(&v.campaign), "")),
        full: v.access.full,
        notice: notice(&q.ok),
        takes_part: takes_part_text(&v.campaign),
        ideas: v.campaign.ideas_list(),
        leaders: people.iter().map(|l| (l.role_label().to_string(), l.name.clone(), l.post.clone())).collect(),
        departments: departments.iter().map(|l| l.name.clone()).collect(),
        chosen: v.chosen.clone(),
        documents: v
            .documents
            .iter()
            .map(|d| DocRow {
                id: d.id,
                title: d.title.clone(),
                name: d.name.clone(),
                size: format!("{:.1} KB", d.size as f64 / 1024.0),
            })
            .collect(),
        standards: v
            .standards
            .iter()
            .rev()
            .map(|st| StdRow {
                valid_from: st.valid_from.to_string(),
                total: st.total_weight(),
                indicators: st
                    .indicators
                    .iter()
                    .map(|i| {
                        let src = i.source().map_or(i.source.clone(), |x| x.label.to_string());
                        (i.label.clone(), src, i.unit.clone(), i.weight, i.rule_text())
                    })
                    .collect(),
            })
            .collect(),
        rounds: v
            .rounds
            .iter()
            .map(|r| RoundRow {
                id: r.id,
                title: r.title.clone(),
                as_on: r.as_on.to_string(),
                status: r.status_label(),
                published: r.published(),
                at: r.published_at.as_ref().map(at).unwrap_or_else(|| at(&r.computed_at)),
            })
            .collect(),
        can_manage: v.can_manage,
        can_report: v.can_report,
        today: today().to_string(),
        funding_total,
        c: v.campaign,
    })
}
