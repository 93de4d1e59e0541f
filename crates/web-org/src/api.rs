//! `/api/v1/orgs`: browse, search, create and edit organizations; their structural findings and
//! statistics.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use domain::org::{Facility, FacilityKind, FacilityStatus, FormedBy, Org, OrgInput, OrgKind, Sector};
use serde::Serialize;
use store::rollup::Counts;
use utoipa::ToSchema;

use web_core::access::Perm;
use web_core::api::doc;
use web_core::api::input::{self, Fields, Given};
use web_core::api::UnmaskParams;
use web_core::api::{check, json, page_of, ApiCaller, ApiFieldError, Params};
use web_core::enum_schemas;
use web_core::pages::today;
use web_core::tri;
use web_core::Shared;

enum_schemas!(kind_schema, kind_schema_opt, OrgKind, "组织类别");
enum_schemas!(sector_schema, sector_schema_opt, Sector, "所属领域");
enum_schemas!(formed_by_schema, formed_by_schema_opt, FormedBy, "组建方式");
enum_schemas!(facility_kind_schema, facility_kind_schema_opt, FacilityKind, "设施类别");
enum_schemas!(facility_status_schema, facility_status_schema_opt, FacilityStatus, "建设状态");

/// At most this many search hits are counted and paged through.
const SEARCH_LIMIT: i64 = 10_000;

/// An organization in a list.
#[derive(Serialize, ToSchema)]
pub struct OrgSummary {
    pub id: i64,
    /// The parent organization (`null` for a top-level one).
    pub parent_id: Option<i64>,
    #[schema(example = "甲社区党支部")]
    pub name: String,
    pub short_name: Option<String>,
    #[schema(schema_with = kind_schema)]
    pub kind: String,
    #[schema(schema_with = sector_schema)]
    pub sector: String,
    /// Current members in the organization's whole subtree.
    pub members: i64,
}

/// One page of organizations.
#[derive(Serialize, ToSchema)]
pub struct OrgList {
    pub items: Vec<OrgSummary>,
    /// How many there are in all (search hits are counted up to 10,000).
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// A facility of an organization.
#[derive(Serialize, ToSchema)]
pub struct FacilityOut {
    #[schema(schema_with = facility_kind_schema)]
    pub kind: String,
    #[schema(schema_with = facility_status_schema)]
    pub status: String,
    pub year: Option<i32>,
}

/// Counts of current members in a subtree.
#[derive(Serialize, ToSchema)]
pub struct MemberCounts {
    /// 党员总数.
    pub total: i64,
    /// 正式党员.
    pub full_members: i64,
    /// 预备党员.
    pub probationary: i64,
    /// 女党员.
    pub female: i64,
    /// 少数民族党员.
    pub minority: i64,
    /// 大专及以上学历.
    pub college_plus: i64,
    /// 流动党员.
    pub mobile: i64,
    /// 失联党员.
    pub lost_contact: i64,
    /// 困难党员.
    pub needy: i64,
}

impl From<Counts> for MemberCounts {
    fn from(c: Counts) -> Self {
        MemberCounts {
            total: c.total,
            full_members: c.full_members,
            probationary: c.probationary,
            female: c.female,
            minority: c.minority,
            college_plus: c.college_plus,
            mobile: c.mobile,
            lost_contact: c.lost_contact,
            needy: c.needy,
        }
    }
}

/// An organization with all its fields and the roll-up of its subtree.
#[derive(Serialize, ToSchema)]
pub struct OrgDetail {
    pub id: i64,
    pub parent_id: Option<i64>,
    #[schema(example = "甲社区党支部")]
    pub name: String,
    pub short_name: Option<String>,
    #[schema(schema_with = kind_schema)]
    pub kind: String,
    #[schema(schema_with = sector_schema)]
    pub sector: String,
    /// GB/T 2260 行政区划代码.
    pub region_code: Option<String>,
    #[schema(schema_with = formed_by_schema)]
    pub formed_by: String,
    pub founded_on: Option<NaiveDate>,
    /// 是否设立委员会.
    pub has_committee: bool,
    /// 届次.
    pub term_number: Option<i32>,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
    /// 书记.
    pub secretary: Option<String>,
    /// 联系电话, masked unless `unmask=true` was granted.
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    /// 年度运转经费, in yuan.
    pub annual_funds: Option<i64>,
    pub facilities: Vec<FacilityOut>,
    /// Current members of the whole subtree.
    pub members: MemberCounts,
    /// Personal data (联系电话) is masked in this answer.
    pub masked: bool,
    /// The record's version: send it back in `PATCH` so that a change made meanwhile by someone
    /// else is not overwritten (a stale version answers 409).
    pub version: i64,
}

fn detail(o: &Org, counts: Counts, unmask: bool) -> OrgDetail {
    OrgDetail {
        id: o.id,
        parent_id: o.parent_id,
        name: o.name.clone(),
        short_name: o.short_name.clone(),
        kind: o.kind.code().into(),
        sector: o.sector.code().into(),
        region_code: o.region_code.clone(),
        formed_by: o.formed_by.code().into(),
        founded_on: o.founded_on,
        has_committee: o.has_committee,
        term_number: o.term_number,
        term_start: o.term_start,
        term_end: o.term_end,
        secretary: o.secretary.clone(),
        contact_phone: o.contact_phone.as_deref().map(|p| if unmask { p.to_string() } else { domain::mask::phone(p) }),
        address: o.address.clone(),
        annual_funds: o.annual_funds,
        facilities: o
            .facilities
            .iter()
            .map(|f| FacilityOut { kind: f.kind.code().into(), status: f.status.code().into(), year: f.year })
            .collect(),
        members: counts.into(),
        masked: !unmask,
        version: o.version,
    }
}

fn summary(o: &Org, c: Counts) -> OrgSummary {
    OrgSummary {
        id: o.id,
        parent_id: o.parent_id,
        name: o.name.clone(),
        short_name: o.short_name.clone(),
        kind: o.kind.code().into(),
        sector: o.sector.code().into(),
        members: c.total,
    }
}

/// The organization named by the path, read through `scope` (404 outside it).
async fn read(
    s: &Shared,
    caller: &ApiCaller,
    perm: Perm,
    id: Result<Path<i64>, PathRejection>,
) -> Result<store::Visible<Org>, Response> {
    let Ok(Path(id)) = id else { return Err(caller.not_found()) };
    service::org::visible(&s.store, caller, perm, id).await.map_err(|e| caller.fail(e))
}

/// 党组织列表 / List organizations
///
/// Without parameters, the top organizations of the caller's scope; with `parent`, its direct
/// children; with `q`, organizations whose name or short name contains it, anywhere in the
/// caller's scope (or under `parent`).
#[utoipa::path(
    get, path = "/api/v1/orgs", operation_id = "listOrgs", tag = "orgs",
    params(OrgListParams),
    responses(
        (status = 200, description = "One page of organizations", body = OrgList),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn list(State(s): State<Shared>, caller: ApiCaller, q: Params) -> Response {
    tri!(caller.require(Perm::ReadOrgs));
    let mut errs = Vec::new();
    let parent = q.id("parent", &mut errs);
    let (page, per_page) = q.paging(&mut errs);
    tri!(check(errs));
    let parent = match parent {
        Some(id) => match service::org::get(&s.store, &caller, Perm::ReadOrgs, id).await {
            Ok(o) => Some(o),
            Err(e) => return caller.fail(e),
        },
        None => None,
    };
    let search = q.get("q");
    // (organization, its roll-up when already read)
    let found: Vec<(Org, Option<Counts>)> = if !search.is_empty() {
        let under = match &parent {
            Some(p) => vec![p.clone()],
            None => caller.roots_for(Perm::ReadOrgs),
        };
        let mut hits = Vec::new();
        for u in under {
            match service::org::search(&s.store, &caller, Perm::ReadOrgs, u.id, search, SEARCH_LIMIT).await {
                Ok(h) => hits.extend(h.into_iter().map(|o| (o, None))),
                Err(e) => return caller.fail(e),
            }
        }
        hits.truncate(SEARCH_LIMIT as usize);
        hits
    } else if let Some(p) = &parent {
        match service::org::subtree(&s.store, &caller, Perm::ReadOrgs, p.id, Some(1)).await {
            Ok(nodes) => nodes.into_iter().filter(|n| n.depth == 1).map(|n| (n.org, Some(n.counts))).collect(),
            Err(e) => return caller.fail(e),
        }
    } else {
        caller.roots_for(Perm::ReadOrgs).into_iter().map(|o| (o, None)).collect()
    };
    let total = found.len() as i64;
    let mut items = Vec::new();
    for (o, c) in page_of(found, page, per_page) {
        let c = match c {
            Some(c) => c,
            None => match service::org::figures_of(&s.store, &caller, Perm::ReadOrgs, o.clone()).await {
                Ok(c) => c,
                Err(e) => return caller.fail(e),
            },
        };
        items.push(summary(&o, c));
    }
    json(StatusCode::OK, &OrgList { items, total, page, per_page })
}

/// Query parameters of the organization list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct OrgListParams {
    /// List the direct children of this organization (or search under it, with `q`).
    parent: Option<i64>,
    /// Part of the name or short name.
    q: Option<String>,
    /// Page number, from 1.
    page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    per_page: Option<i64>,
}

/// 查看党组织 / Get an organization
#[utoipa::path(
    get, path = "/api/v1/orgs/{id}", operation_id = "getOrg", tag = "orgs",
    params(("id" = i64, Path, description = "党组织 ID"), UnmaskParams),
    responses(
        (status = 200, description = "The organization", body = OrgDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn show(
    State(s): State<Shared>,
    caller: ApiCaller,
    id: Result<Path<i64>, PathRejection>,
    q: Params,
) -> Response {
    let scope = tri!(caller.require(Perm::ReadOrgs));
    let o = tri!(read(&s, &caller, Perm::ReadOrgs, id).await);
    let mut errs = Vec::new();
    let asked = q.flag("unmask", false, &mut errs);
    tri!(check(errs));
    let unmask = tri!(caller.unmask_at(asked, &o.path));
    let counts = match service::org::figures(&s.store, &o).await {
        Ok(c) => c,
        Err(e) => return caller.fail(e),
    };
    if unmask {
        let detail = serde_json::json!({ "fields": ["联系电话"], "via": "api" });
        tri!(caller.audit_personal(&s, &scope, "org.read_personal", &format!("org:{}", o.id), detail).await);
    }
    json(StatusCode::OK, &detail(&o, counts, unmask))
}

/// Organization fields, as `POST /api/v1/orgs` takes them. Kinds, sectors and the like are given
/// by code or by Chinese label.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct OrgCreate {
    /// 上级党组织: where the new organization goes (in the caller's scope).
    parent_id: i64,
    /// 组织名称.
    #[schema(example = "乙村党支部")]
    name: String,
    /// 简称.
    short_name: Option<String>,
    #[schema(schema_with = kind_schema)]
    kind: String,
    #[schema(schema_with = sector_schema_opt)]
    sector: Option<String>,
    /// 行政区划代码 (GB/T 2260).
    region_code: Option<String>,
    #[schema(schema_with = formed_by_schema_opt)]
    formed_by: Option<String>,
    /// 成立日期.
    founded_on: Option<NaiveDate>,
    /// 是否设立委员会.
    has_committee: Option<bool>,
    /// 届次.
    term_number: Option<i32>,
    /// 届期开始.
    term_start: Option<NaiveDate>,
    /// 届期结束 (defaults from the start by TERM-02).
    term_end: Option<NaiveDate>,
    /// 书记.
    secretary: Option<String>,
    /// 联系电话.
    contact_phone: Option<String>,
    /// 地址.
    address: Option<String>,
    /// 年度运转经费 (yuan).
    annual_funds: Option<i64>,
    /// 阵地设施.
    facilities: Option<Vec<FacilityIn>>,
}

/// Changes to an organization, as `PATCH /api/v1/orgs/{id}` takes them: only the fields given
/// change; `null` clears an optional field. The place in the tree is not changed here.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct OrgPatch {
    /// 记录版本: the `version` of the organization as read. When given and no longer the stored
    /// one (someone changed the organization meanwhile), nothing is saved and the answer is 409.
    version: Option<i64>,
    name: Option<String>,
    short_name: Option<String>,
    #[schema(schema_with = kind_schema_opt)]
    kind: Option<String>,
    #[schema(schema_with = sector_schema_opt)]
    sector: Option<String>,
    region_code: Option<String>,
    #[schema(schema_with = formed_by_schema_opt)]
    formed_by: Option<String>,
    founded_on: Option<NaiveDate>,
    has_committee: Option<bool>,
    term_number: Option<i32>,
    term_start: Option<NaiveDate>,
    term_end: Option<NaiveDate>,
    secretary: Option<String>,
    contact_phone: Option<String>,
    address: Option<String>,
    annual_funds: Option<i64>,
    /// The whole list of facilities (replaces the current one).
    facilities: Option<Vec<FacilityIn>>,
}

/// A facility as given.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FacilityIn {
    #[schema(schema_with = facility_kind_schema)]
    kind: String,
    #[schema(schema_with = facility_status_schema)]
    status: String,
    year: Option<i32>,
}

/// The keys of [`OrgCreate`] / [`OrgPatch`], with their labels (the organization's fields as the
/// domain names them).
pub const ORG_FIELDS: &[(&str, &str)] = domain::org::FIELDS;

fn label(key: &str) -> &'static str {
    ORG_FIELDS.iter().find(|(k, _)| *k == key).map_or("", |(_, l)| l)
}

/// Apply the given fields to `input`.
fn apply(f: &mut Fields, input: &mut OrgInput) {
    let text = |f: &mut Fields, key: &str, slot: &mut Option<String>| {
        if let Some(v) = f.text(key, label(key)).patch() {
            *slot = v;
        }
    };
    if let Some(v) = f.text("name", label("name")).patch() {
        input.name = v.unwrap_or_default();
    }
    text(f, "short_name", &mut input.short_name);
    if let Some(v) = f.choice("kind", label("kind"), OrgKind::parse, OrgKind::labels()).patch() {
        input.kind = v;
    }
    if let Some(v) = f.choice("sector", label("sector"), Sector::parse, Sector::labels()).patch() {
        input.sector = v;
    }
    text(f, "region_code", &mut input.region_code);
    if let Some(v) = f.choice("formed_by", label("formed_by"), FormedBy::parse, FormedBy::labels()).patch() {
        input.formed_by = v;
    }
    if let Some(v) = f.date("founded_on", label("founded_on")).patch() {
        input.founded_on = v;
    }
    if let Some(v) = f.flag("has_committee", label("has_committee")).patch() {
        input.has_committee = v.unwrap_or(false);
    }
    if let Some(v) = f.int("term_number", label("term_number")).patch() {
        input.term_number = v.map(|n| i32::try_from(n).unwrap_or(i32::MAX));
    }
    if let Some(v) = f.date("term_start", label("term_start")).patch() {
        input.term_start = v;
    }
    if let Some(v) = f.date("term_end", label("term_end")).patch() {
        input.term_end = v;
    }
    text(f, "secretary", &mut input.secretary);
    if let Some(v) = f.personal("contact_phone", label("contact_phone")).patch() {
        input.contact_phone = v;
    }
    text(f, "address", &mut input.address);
    if let Some(v) = f.int("annual_funds", label("annual_funds")).patch() {
        input.annual_funds = v;
    }
    let facilities = f.list("facilities", label("facilities"), |x| {
        let kind = x.choice("kind", "设施类别", FacilityKind::parse, FacilityKind::labels());
        let status = x.choice("status", "建设状态", FacilityStatus::parse, FacilityStatus::labels());
        let year = x.int("year", "年份").value().map(|y| i32::try_from(y).unwrap_or(i32::MAX));
        let (kind_absent, status_absent) = (kind.is_absent(), status.is_absent());
        if kind_absent {
            x.errors.push(ApiFieldError::new("设施类别", "不能为空"));
        }
        if status_absent {
            x.errors.push(ApiFieldError::new("建设状态", "不能为空"));
        }
        Some(Facility { kind: kind.value()?, status: status.value()?, year })
    });
    if let Some(v) = facilities.patch() {
        input.facilities = v.unwrap_or_default();
    }
}

fn input_of(o: &Org) -> OrgInput {
    OrgInput {
        name: o.name.clone(),
        short_name: o.short_name.clone(),
        kind: Some(o.kind),
        sector: Some(o.sector),
        region_code: o.region_code.clone(),
        formed_by: Some(o.formed_by),
        founded_on: o.founded_on,
        has_committee: o.has_committee,
        term_number: o.term_number,
        term_start: o.term_start,
        term_end: o.term_end,
        secretary: o.secretary.clone(),
        contact_phone: o.contact_phone.clone(),
        address: o.address.clone(),
        annual_funds: o.annual_funds,
        facilities: o.facilities.clone(),
        version: None,
    }
}

/// Validate, answering 422 with every problem.
fn validate(f: &mut Fields, input: &OrgInput) -> Result<(), Response> {
    if let Err(e) = input.validate(today()) {
        f.add_domain(&e);
    }
    let labels: Vec<&str> = std::iter::once("上级党组织").chain(ORG_FIELDS.iter().map(|(_, l)| *l)).collect();
    f.check(&labels)
}

/// 新建党组织 / Create an organization
///
/// Under `parent_id`, which must be in the caller's scope. Answers 201 with the new organization
/// and its address in `Location`.
#[utoipa::path(
    post, path = "/api/v1/orgs", operation_id = "createOrg", tag = "orgs",
    request_body = OrgCreate,
    responses(
        (status = 201, description = "Created", body = OrgDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn create(State(s): State<Shared>, caller: ApiCaller, body: Result<Bytes, BytesRejection>) -> Response {
    tri!(caller.require(Perm::EditOrgs));
    let body = tri!(input::bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let parent = match f.int("parent_id", "上级党组织") {
        Given::Value(id) => match service::org::get(&s.store, &caller, Perm::EditOrgs, id).await {
            Ok(p) => Some(p),
            Err(e) => return caller.fail(e),
        },
        Given::Bad => None,
        Given::Absent | Given::Null => {
            f.errors.push(ApiFieldError::new("上级党组织", "不能为空：请用 parent_id 指明新组织的上级党组织"));
            None
        }
    };
    let mut input = OrgInput::default();
    apply(&mut f, &mut input);
    tri!(validate(&mut f, &input));
    let Some(parent) = parent else { return caller.not_found() };
    match service::org::create(&s.store, &caller, Some(parent.id), &input, today()).await {
        Ok(o) => {
            let mut res = json(StatusCode::CREATED, &detail(&o, Counts::default(), false));
            if let Ok(v) = format!("/api/v1/orgs/{}", o.id).parse() {
                res.headers_mut().insert(header::LOCATION, v);
            }
            res.into_response()
        }
        Err(e) => caller.store_fail(e),
    }
}

/// 修改党组织 / Edit an organization
///
/// Only the fields given change; `null` clears an optional field. An empty object is refused
/// (422).
#[utoipa::path(
    patch, path = "/api/v1/orgs/{id}", operation_id = "updateOrg", tag = "orgs",
    params(("id" = i64, Path, description = "党组织 ID")),
    request_body = OrgPatch,
    responses(
        (status = 200, description = "The organization as saved", body = OrgDetail),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn update(
    State(s): State<Shared>,
    caller: ApiCaller,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::EditOrgs));
    let o = tri!(read(&s, &caller, Perm::EditOrgs, id).await);
    let body = tri!(input::bytes(body));
    let mut f = tri!(Fields::parse(&body));
    if f.is_empty() {
        return web_core::api::invalid(vec![ApiFieldError::new("请求体", "没有要修改的字段")]);
    }
    if !matches!(f.int("parent_id", "上级党组织"), Given::Absent) {
        f.errors.push(ApiFieldError::new("上级党组织", "不能在这里修改：移动党组织请在网页上使用“移动”功能"));
    }
    let mut input = input_of(&o);
    if let Given::Value(v) = f.int("version", "记录版本") {
        input.version = Some(v);
    }
    apply(&mut f, &mut input);
    tri!(validate(&mut f, &input));
    let saved = match service::org::update(&s.store, &caller, o.id, &input, today()).await {
        Ok(o) => o,
        Err(e) => return caller.store_fail(e),
    };
    let counts = service::org::figures_of(&s.store, &caller, Perm::EditOrgs, saved.clone()).await.unwrap_or_default();
    json(StatusCode::OK, &detail(&saved, counts, false))
}

/// A structural finding (rules ORG / TERM) about one organization.
#[derive(Serialize, ToSchema)]
pub struct FindingOut {
    /// The rule, e.g. `ORG-01`.
    #[schema(example = "ORG-01")]
    pub rule_id: String,
    /// Where the rule comes from (document and article).
    pub source: String,
    #[schema(schema_with = severity_schema)]
    pub severity: String,
    pub org_id: i64,
    pub org_name: String,
    /// What is wrong, in Chinese.
    pub message: String,
}

fn severity_schema() -> utoipa::openapi::Object {
    doc::enum_object([("error", "错误"), ("warning", "警告"), ("info", "提示")].into_iter(), "严重程度", false)
}

/// One page of findings.
#[derive(Serialize, ToSchema)]
pub struct FindingList {
    pub items: Vec<FindingOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// 结构检查 / Structural findings of a subtree
///
/// Every active organization of the subtree checked against the structural rules (a branch with
/// too few full members, a missing committee, an expired term, …), in tree order.
#[utoipa::path(
    get, path = "/api/v1/orgs/{id}/findings", operation_id = "orgFindings", tag = "orgs",
    params(("id" = i64, Path, description = "党组织 ID"), PagingParams),
    responses(
        (status = 200, description = "One page of findings", body = FindingList),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn findings(
    State(s): State<Shared>,
    caller: ApiCaller,
    id: Result<Path<i64>, PathRejection>,
    q: Params,
) -> Response {
    tri!(caller.require(Perm::ReadOrgs));
    let o = tri!(read(&s, &caller, Perm::ReadOrgs, id).await);
    let mut errs = Vec::new();
    let (page, per_page) = q.paging(&mut errs);
    tri!(check(errs));
    let all = match service::org::findings(&s.store, &caller, o.id, today()).await {
        Ok(f) => f,
        Err(e) => return caller.fail(e),
    };
    let total = all.len() as i64;
    let items = page_of(all, page, per_page)
        .into_iter()
        .map(|f| FindingOut {
            rule_id: f.finding.rule_id.to_string(),
            source: f.finding.source,
            severity: web_core::pages::sev_code(f.finding.severity).to_string(),
            org_id: f.org_id,
            org_name: f.org_name,
            message: f.finding.message,
        })
        .collect();
    json(StatusCode::OK, &FindingList { items, total, page, per_page })
}

/// Paging of a list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PagingParams {
    /// Page number, from 1.
    page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    per_page: Option<i64>,
}

/// Organizations of one kind in a subtree.
#[derive(Serialize, ToSchema)]
pub struct KindCount {
    #[schema(schema_with = kind_schema)]
    pub kind: String,
    pub count: i64,
}

/// Organizations of a subtree.
#[derive(Serialize, ToSchema)]
pub struct OrgCounts {
    /// Active organizations, the subtree's root included.
    pub total: i64,
    /// 党的基层组织 (基层党委, 总支, 支部).
    pub grassroots: i64,
    /// 党支部 in the wide sense (ordinary, joint and temporary branches).
    pub branches: i64,
    /// By kind, in the order of the kinds; kinds with none are left out.
    pub by_kind: Vec<KindCount>,
}

/// Statistics of a subtree.
#[derive(Serialize, ToSchema)]
pub struct OrgStats {
    pub org_id: i64,
    pub org_name: String,
    /// Current members of the subtree.
    pub members: MemberCounts,
    pub orgs: OrgCounts,
}

/// 统计 / Statistics of a subtree
///
/// The roll-up of current members and the organizations of the subtree by kind.
#[utoipa::path(
    get, path = "/api/v1/orgs/{id}/stats", operation_id = "orgStats", tag = "stats",
    params(("id" = i64, Path, description = "党组织 ID")),
    responses(
        (status = 200, description = "The figures", body = OrgStats),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
    )
)]
pub async fn stats(State(s): State<Shared>, caller: ApiCaller, id: Result<Path<i64>, PathRejection>) -> Response {
    tri!(caller.require(Perm::Stats));
    let o = tri!(read(&s, &caller, Perm::Stats, id).await);
    let nodes = match service::org::subtree(&s.store, &caller, Perm::Stats, o.id, None).await {
        Ok(n) => n,
        Err(e) => return caller.fail(e),
    };
    let counts = nodes.first().map(|n| n.counts).unwrap_or_default();
    let by_kind = OrgKind::ALL
        .iter()
        .map(|k| KindCount { kind: k.code().into(), count: nodes.iter().filter(|n| n.org.kind == *k).count() as i64 })
        .filter(|k| k.count > 0)
        .collect();
    let orgs = OrgCounts {
        total: nodes.len() as i64,
        grassroots: nodes.iter().filter(|n| n.org.kind.is_grassroots()).count() as i64,
        branches: nodes.iter().filter(|n| n.org.kind.is_branch()).count() as i64,
        by_kind,
    };
    json(StatusCode::OK, &OrgStats { org_id: o.id, org_name: o.name.clone(), members: counts.into(), orgs })
}

/// One term of an officer (班子成员).
#[derive(Serialize, ToSchema)]
pub struct OfficerOut {
    pub id: i64,
    /// 党员 ID of the officer.
    pub member_id: i64,
    pub name: String,
    /// The organization the member is enrolled in.
    pub member_org: String,
    /// `secretary` 书记, `deputy` 副书记 or `member` 委员.
    #[schema(example = "secretary")]
    pub role: String,
    pub role_label: String,
    /// 分工, joined with `、` (empty when none).
    pub duties: String,
    pub started_on: NaiveDate,
    /// The last day in post; `null` while in post.
    pub ended_on: Option<NaiveDate>,
    /// In post today.
    pub current: bool,
}

/// 班子成员 / The officers of an organization
///
/// Every term of the organization's 书记, 副书记 and 委员, latest first: those in post and the
/// history (an ended term keeps its end date and is never removed).
#[utoipa::path(
    get, path = "/api/v1/orgs/{id}/officers", operation_id = "orgOfficers", tag = "orgs",
    params(("id" = i64, Path, description = "党组织 ID")),
    responses(
        (status = 200, description = "Every term, latest first", body = Vec<OfficerOut>),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
    )
)]
pub async fn officers(State(s): State<Shared>, caller: ApiCaller, id: Result<Path<i64>, PathRejection>) -> Response {
    tri!(caller.require(Perm::ReadOrgs));
    let o = tri!(read(&s, &caller, Perm::ReadOrgs, id).await);
    let today = today();
    match service::org::officers::history(&s.store, &caller, o.id).await {
        Ok(list) => {
            let out: Vec<OfficerOut> = list
                .into_iter()
                .map(|t| OfficerOut {
                    id: t.id,
                    member_id: t.member_id,
                    current: t.current_on(today),
                    role: t.role().code().to_string(),
                    role_label: t.role_label().to_string(),
                    name: t.name,
                    member_org: t.member_org,
                    duties: t.duties,
                    started_on: t.started_on,
                    ended_on: t.ended_on,
                })
                .collect();
            json(StatusCode::OK, &out)
        }
        Err(e) => caller.fail(e),
    }
}
