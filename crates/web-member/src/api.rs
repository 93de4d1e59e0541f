//! `/api/v1/members`: the roster, masked by default; create and edit members.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use chrono::NaiveDate;
use domain::member::{Category, Education, Member, MemberInput, Occupation, Sex, Status};
use serde::Serialize;
use store::member::MemberFilter;
use utoipa::ToSchema;

use web_core::access::Perm;
use web_core::api::doc;
use web_core::api::input::{self, Fields, Given};
use web_core::api::{check, json, ApiCaller, ApiFieldError, Params};
use web_core::enum_schemas;
use web_core::pages::today;
use web_core::tri;
use web_core::Shared;

enum_schemas!(sex_schema, sex_schema_opt, Sex, "性别");
enum_schemas!(education_schema, education_schema_opt, Education, "学历");
enum_schemas!(category_schema, category_schema_opt, Category, "人员类别");
enum_schemas!(occupation_schema, occupation_schema_opt, Occupation, "职业");
enum_schemas!(status_schema, status_schema_opt, Status, "党籍状态");

/// A member of the roster.
#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    pub id: i64,
    /// 所在党组织.
    pub org_id: i64,
    pub org_name: String,
    #[schema(example = "张三")]
    pub name: String,
    #[schema(schema_with = sex_schema)]
    pub sex: String,
    /// 公民身份号码, masked (`110105********002X`) unless `unmask=true` was granted.
    #[schema(example = "520302199001011230")]
    pub id_number: String,
    /// 民族.
    #[schema(example = "汉族")]
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    #[schema(schema_with = education_schema_opt)]
    pub education: Option<String>,
    #[schema(schema_with = category_schema)]
    pub category: String,
    /// 入党日期.
    pub join_date: NaiveDate,
    /// 转正日期.
    pub full_date: Option<NaiveDate>,
    /// 工作岗位.
    pub job_post: Option<String>,
    /// 联系电话, masked (`138****5678`) unless `unmask=true` was granted.
    #[schema(example = "138****5678")]
    pub phone: Option<String>,
    /// 工作单位.
    pub work_unit: Option<String>,
    /// 现居住社区.
    pub residence_community: Option<String>,
    #[schema(schema_with = occupation_schema_opt)]
    pub occupation: Option<String>,
    /// 流动党员.
    pub is_mobile: bool,
    /// 流动去向.
    pub mobile_to: Option<String>,
    /// 失联党员.
    pub is_lost_contact: bool,
    /// 困难党员.
    pub is_needy: bool,
    #[schema(schema_with = status_schema)]
    pub status: String,
    /// 状态日期 (of a status other than 正常).
    pub status_date: Option<NaiveDate>,
    /// ID number and phone are masked in this answer.
    pub masked: bool,
    /// The record's version: send it back in `PATCH` so that a change made meanwhile by someone
    /// else is not overwritten (a stale version answers 409).
    pub version: i64,
}

fn out(m: &Member, org_name: String, unmask: bool) -> MemberOut {
    MemberOut {
        id: m.id,
        org_id: m.org_id,
        org_name,
        name: m.name.clone(),
        sex: m.sex.code().into(),
        id_number: if unmask { m.id_number.clone() } else { domain::mask::id_number(&m.id_number) },
        ethnicity: m.ethnicity.clone(),
        birth_date: m.birth_date,
        education: m.education.map(|e| e.code().into()),
        category: m.category.code().into(),
        join_date: m.join_date,
        full_date: m.full_date,
        job_post: m.job_post.clone(),
        phone: m.phone.as_deref().map(|p| if unmask { p.to_string() } else { domain::mask::phone(p) }),
        work_unit: m.work_unit.clone(),
        residence_community: m.residence_community.clone(),
        occupation: m.occupation.map(|o| o.code().into()),
        is_mobile: m.is_mobile,
        mobile_to: m.mobile_to.clone(),
        is_lost_contact: m.is_lost_contact,
        is_needy: m.is_needy,
        status: m.status.code().into(),
        status_date: m.status_date,
        masked: !unmask,
        version: m.version,
    }
}

/// One page of members.
#[derive(Serialize, ToSchema)]
pub struct MemberList {
    /// The organization whose subtree is listed.
    pub org_id: i64,
    pub items: Vec<MemberOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Query parameters of the roster.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct MemberListParams {
    /// The organization whose whole subtree is listed; may be left out when the caller has a
    /// single top organization.
    org: Option<i64>,
    /// Part of the name.
    name: Option<String>,
    /// 人员类别, by code or label.
    category: Option<String>,
    /// 党籍状态, by code or label (default: 正常, current members).
    status: Option<String>,
    /// 职业, by code or label.
    occupation: Option<String>,
    /// Only mobile members (`true`) or only the others (`false`).
    mobile: Option<bool>,
    /// Only lost-contact members, or only the others.
    lost_contact: Option<bool>,
    /// Only members in hardship, or only the others.
    needy: Option<bool>,
    /// Show ID numbers and phones in full (needs 查看个人敏感信息 on the organization; audited).
    unmask: Option<bool>,
    /// Page number, from 1.
    page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    per_page: Option<i64>,
}

/// Parse an optional labelled value of the query string.
fn choice<E>(
    q: &Params,
    key: &'static str,
    parse: fn(&str) -> Option<E>,
    labels: String,
    errs: &mut Vec<ApiFieldError>,
) -> Option<E> {
    let v = q.get(key);
    if v.is_empty() {
        return None;
    }
    let got = parse(v);
    if got.is_none() {
        errs.push(ApiFieldError::new(key, format!("“{v}”无效，应为 {labels}")));
    }
    got
}

fn tri_flag(q: &Params, key: &'static str, errs: &mut Vec<ApiFieldError>) -> Option<bool> {
    if q.get(key).is_empty() {
        None
    } else {
        Some(q.flag(key, false, errs))
    }
}

/// 党员名册 / List members
///
/// The members of an organization's whole subtree, in tree order, one page at a time; current
/// members unless `status` says otherwise.
#[utoipa::path(
    get, path = "/api/v1/members", operation_id = "listMembers", tag = "members",
    params(MemberListParams),
    responses(
        (status = 200, description = "One page of members", body = MemberList),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn list(State(s): State<Shared>, caller: ApiCaller, q: Params) -> Response {
    let scope = tri!(caller.require(Perm::ReadMembers));
    let mut errs = Vec::new();
    let org_id = q.id("org", &mut errs);
    let (page, per_page) = q.paging(&mut errs);
    let filter = MemberFilter {
        name: Some(q.get("name").to_string()).filter(|n| !n.is_empty()),
        category: choice(&q, "category", Category::parse, Category::labels(), &mut errs),
        status: choice(&q, "status", Status::parse, Status::labels(), &mut errs),
        occupation: choice(&q, "occupation", Occupation::parse, Occupation::labels(), &mut errs),
        mobile: tri_flag(&q, "mobile", &mut errs),
        lost_contact: tri_flag(&q, "lost_contact", &mut errs),
        needy: tri_flag(&q, "needy", &mut errs),
    };
    let asked = q.flag("unmask", false, &mut errs);
    tri!(check(errs));
    let org = match org_id {
        Some(id) => match service::org::visible(&s.store, &caller, Perm::ReadMembers, id).await {
            Ok(o) => o,
            Err(e) => return caller.fail(e),
        },
        None => tri!(caller.default_org(Perm::ReadMembers)),
    };
    let unmask = tri!(caller.unmask_at(asked, &org.path));
    let found = match service::member::list(&s.store, &caller, Perm::ReadMembers, org.id, &filter, page, per_page).await
    {
        Ok(p) => p,
        Err(e) => return caller.fail(e),
    };
    let ids: Vec<i64> = found.items.iter().map(|m| m.org_id).collect();
    let names = service::org::names(&s.store, &caller, Perm::ReadMembers, &ids).await.unwrap_or_default();
    if unmask && !found.items.is_empty() {
        let members: Vec<i64> = found.items.iter().map(|m| m.id).collect();
        let detail = serde_json::json!({ "fields": ["公民身份号码", "联系电话"], "members": members, "via": "api" });
        tri!(caller.audit_personal(&s, &scope, "member.read_personal", &format!("org:{}", org.id), detail).await);
    }
    let items = found.items.iter().map(|m| out(m, names.get(&m.org_id).cloned().unwrap_or_default(), unmask)).collect();
    json(StatusCode::OK, &MemberList { org_id: org.id, items, total: found.total, page, per_page })
}

async fn org_names(s: &Shared, caller: &ApiCaller, perm: Perm, m: &Member) -> HashMap<i64, String> {
    service::org::names(&s.store, caller, perm, &[m.org_id]).await.unwrap_or_default()
}

/// 查看党员 / Get a member
#[utoipa::path(
    get, path = "/api/v1/members/{id}", operation_id = "getMember", tag = "members",
    params(("id" = i64, Path, description = "党员 ID"), web_core::api::UnmaskParams),
    responses(
        (status = 200, description = "The member", body = MemberOut),
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
    let scope = tri!(caller.require(Perm::ReadMembers));
    let m = tri!(read(&s, &caller, Perm::ReadMembers, id).await);
    let mut errs = Vec::new();
    let asked = q.flag("unmask", false, &mut errs);
    tri!(check(errs));
    let unmask = tri!(caller.unmask_at(asked, &m.path));
    if unmask {
        let detail = serde_json::json!({ "fields": ["公民身份号码", "联系电话"], "via": "api" });
        tri!(caller.audit_personal(&s, &scope, "member.read_personal", &format!("member:{}", m.id), detail).await);
    }
    let names = org_names(&s, &caller, Perm::ReadMembers, &m).await;
    json(StatusCode::OK, &out(&m, names.get(&m.org_id).cloned().unwrap_or_default(), unmask))
}

async fn read(
    s: &Shared,
    caller: &ApiCaller,
    perm: Perm,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Member, Response> {
    let Ok(Path(id)) = id else { return Err(caller.not_found()) };
    service::member::get(&s.store, caller, perm, id).await.map_err(|e| caller.fail(e))
}

/// Member fields, as `POST /api/v1/members` takes them. Sex and birth date may be left out: they
/// are taken from the ID number. Enumerations by code or Chinese label.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MemberCreate {
    /// 所在党组织: a branch (or party group) in the caller's scope.
    org_id: i64,
    /// 姓名.
    #[schema(example = "张三")]
    name: String,
    #[schema(schema_with = sex_schema_opt)]
    sex: Option<String>,
    /// 公民身份号码 (18 digits, the last may be X).
    #[schema(example = "520302199001011230")]
    id_number: String,
    /// 民族 (default 汉族).
    ethnicity: Option<String>,
    /// 出生日期.
    birth_date: Option<NaiveDate>,
    #[schema(schema_with = education_schema_opt)]
    education: Option<String>,
    #[schema(schema_with = category_schema)]
    category: String,
    /// 入党日期.
    join_date: NaiveDate,
    /// 转正日期.
    full_date: Option<NaiveDate>,
    /// 工作岗位.
    job_post: Option<String>,
    /// 联系电话.
    phone: Option<String>,
    /// 工作单位.
    work_unit: Option<String>,
    /// 现居住社区.
    residence_community: Option<String>,
    #[schema(schema_with = occupation_schema_opt)]
    occupation: Option<String>,
    /// 是否流动党员.
    is_mobile: Option<bool>,
    /// 流动去向 (required for a mobile member).
    mobile_to: Option<String>,
    /// 是否失联.
    is_lost_contact: Option<bool>,
    /// 是否困难党员.
    is_needy: Option<bool>,
    #[schema(schema_with = status_schema_opt)]
    status: Option<String>,
    /// 状态日期 (required with a status other than 正常).
    status_date: Option<NaiveDate>,
}

/// Changes to a member, as `PATCH /api/v1/members/{id}` takes them: only the fields given change;
/// `null` clears an optional field. `org_id` moves the member to another organization in the
/// caller's scope; `status` with `status_date` records 停止党籍, 出党, 死亡 or 已转出.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MemberPatch {
    /// 记录版本: the `version` of the member as read. When given and no longer the stored one
    /// (someone changed the record meanwhile), nothing is saved and the answer is 409.
    version: Option<i64>,
    org_id: Option<i64>,
    name: Option<String>,
    #[schema(schema_with = sex_schema_opt)]
    sex: Option<String>,
    id_number: Option<String>,
    ethnicity: Option<String>,
    birth_date: Option<NaiveDate>,
    #[schema(schema_with = education_schema_opt)]
    education: Option<String>,
    #[schema(schema_with = category_schema_opt)]
    category: Option<String>,
    join_date: Option<NaiveDate>,
    full_date: Option<NaiveDate>,
    job_post: Option<String>,
    phone: Option<String>,
    work_unit: Option<String>,
    residence_community: Option<String>,
    #[schema(schema_with = occupation_schema_opt)]
    occupation: Option<String>,
    is_mobile: Option<bool>,
    mobile_to: Option<String>,
    is_lost_contact: Option<bool>,
    is_needy: Option<bool>,
    #[schema(schema_with = status_schema_opt)]
    status: Option<String>,
    status_date: Option<NaiveDate>,
}

/// The keys of [`MemberCreate`] / [`MemberPatch`] besides `org_id`, with their labels (the
/// member's fields as the domain names them).
pub const MEMBER_FIELDS: &[(&str, &str)] = domain::member::FIELDS;

fn label(key: &str) -> &'static str {
    MEMBER_FIELDS.iter().find(|(k, _)| *k == key).map_or("", |(_, l)| l)
}

/// Apply the given fields to `input`.
fn apply(f: &mut Fields, input: &mut MemberInput) {
    let text = |f: &mut Fields, key: &str, slot: &mut Option<String>| {
        if let Some(v) = f.text(key, label(key)).patch() {
            *slot = v;
        }
    };
    let date = |f: &mut Fields, key: &str, slot: &mut Option<NaiveDate>| {
        if let Some(v) = f.date(key, label(key)).patch() {
            *slot = v;
        }
    };
    let flag = |f: &mut Fields, key: &str, slot: &mut bool| {
        if let Some(v) = f.flag(key, label(key)).patch() {
            *slot = v.unwrap_or(false);
        }
    };
    if let Some(v) = f.text("name", label("name")).patch() {
        input.name = v.unwrap_or_default();
    }
    if let Some(v) = f.personal("id_number", label("id_number")).patch() {
        input.id_number = v.unwrap_or_default();
        // a new number brings its own sex and birth date unless they are given too
        input.sex = None;
        input.birth_date = None;
    }
    if let Some(v) = f.choice("sex", label("sex"), Sex::parse, Sex::labels()).patch() {
        input.sex = v;
    }
    text(f, "ethnicity", &mut input.ethnicity);
    date(f, "birth_date", &mut input.birth_date);
    if let Some(v) = f.choice("education", label("education"), Education::parse, Education::labels()).patch() {
        input.education = v;
    }
    if let Some(v) = f.choice("category", label("category"), Category::parse, Category::labels()).patch() {
        input.category = v;
    }
    date(f, "join_date", &mut input.join_date);
    date(f, "full_date", &mut input.full_date);
    text(f, "job_post", &mut input.job_post);
    if let Some(v) = f.personal("phone", label("phone")).patch() {
        input.phone = v;
    }
    text(f, "work_unit", &mut input.work_unit);
    text(f, "residence_community", &mut input.residence_community);
    if let Some(v) = f.choice("occupation", label("occupation"), Occupation::parse, Occupation::labels()).patch() {
        input.occupation = v;
    }
    flag(f, "is_mobile", &mut input.is_mobile);
    text(f, "mobile_to", &mut input.mobile_to);
    flag(f, "is_lost_contact", &mut input.is_lost_contact);
    flag(f, "is_needy", &mut input.is_needy);
    if let Some(v) = f.choice("status", label("status"), Status::parse, Status::labels()).patch() {
        input.status = v;
    }
    date(f, "status_date", &mut input.status_date);
}

/// The target organization of `org_id`, read through the scope (404 outside it).
async fn target(s: &Shared, caller: &ApiCaller, perm: Perm, f: &mut Fields) -> Result<Given<i64>, Response> {
    match f.int("org_id", "所在党组织") {
        Given::Value(id) => match service::org::get(&s.store, caller, perm, id).await {
            Ok(o) => Ok(Given::Value(o.id)),
            Err(e) => Err(caller.fail(e)),
        },
        other => Ok(other),
    }
}

/// Validate, answering 422 with every problem.
fn validate(f: &mut Fields, input: &MemberInput) -> Result<(), Response> {
    if let Err(e) = input.validate(today()) {
        f.add_domain(&e);
    }
    let labels: Vec<&str> = std::iter::once("所在党组织").chain(MEMBER_FIELDS.iter().map(|(_, l)| *l)).collect();
    f.check(&labels)
}

/// 新增党员 / Add a member
///
/// To `org_id`, a branch in the caller's scope. Answers 201 with the member (masked) and its
/// address in `Location`.
#[utoipa::path(
    post, path = "/api/v1/members", operation_id = "createMember", tag = "members",
    request_body = MemberCreate,
    responses(
        (status = 201, description = "Created", body = MemberOut),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn create(State(s): State<Shared>, caller: ApiCaller, body: Result<Bytes, BytesRejection>) -> Response {
    tri!(caller.require(Perm::EditMembers));
    let body = tri!(input::bytes(body));
    let mut f = tri!(Fields::parse(&body));
    let org_id = match tri!(target(&s, &caller, Perm::EditMembers, &mut f).await) {
        Given::Value(id) => Some(id),
        Given::Bad => None,
        Given::Absent | Given::Null => {
            f.errors.push(ApiFieldError::new("所在党组织", "不能为空：请用 org_id 指明党员所在的党支部"));
            None
        }
    };
    let mut input = MemberInput::default();
    apply(&mut f, &mut input);
    tri!(validate(&mut f, &input));
    let Some(org_id) = org_id else { return caller.not_found() };
    match service::member::create(&s.store, &caller, org_id, &input, today()).await {
        Ok(m) => {
            let names = org_names(&s, &caller, Perm::EditMembers, &m).await;
            let mut res = json(StatusCode::CREATED, &out(&m, names.get(&m.org_id).cloned().unwrap_or_default(), false));
            if let Ok(v) = format!("/api/v1/members/{}", m.id).parse() {
                res.headers_mut().insert(header::LOCATION, v);
            }
            res
        }
        Err(e) => caller.store_fail(e),
    }
}

/// 修改党员信息 / Edit a member
///
/// Only the fields given change; `null` clears an optional field. A new `id_number` brings its
/// own sex and birth date unless those are given too. An empty object is refused (422).
#[utoipa::path(
    patch, path = "/api/v1/members/{id}", operation_id = "updateMember", tag = "members",
    params(("id" = i64, Path, description = "党员 ID")),
    request_body = MemberPatch,
    responses(
        (status = 200, description = "The member as saved (masked)", body = MemberOut),
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
    tri!(caller.require(Perm::EditMembers));
    let m = tri!(read(&s, &caller, Perm::EditMembers, id).await);
    let body = tri!(input::bytes(body));
    let mut f = tri!(Fields::parse(&body));
    if f.is_empty() {
        return web_core::api::invalid(vec![ApiFieldError::new("请求体", "没有要修改的字段")]);
    }
    let org_id = match tri!(target(&s, &caller, Perm::EditMembers, &mut f).await) {
        Given::Value(id) => Some(id),
        Given::Null => {
            f.errors.push(ApiFieldError::new("所在党组织", "不能为空"));
            None
        }
        Given::Absent | Given::Bad => None,
    };
    let mut input = MemberInput::from(&m);
    input.version = match f.int("version", "记录版本") {
        Given::Value(v) => Some(v),
        _ => None,
    };
    apply(&mut f, &mut input);
    tri!(validate(&mut f, &input));
    match service::member::update(&s.store, &caller, m.id, org_id, &input, today()).await {
        Ok(m) => {
            let names = org_names(&s, &caller, Perm::EditMembers, &m).await;
            json(StatusCode::OK, &out(&m, names.get(&m.org_id).cloned().unwrap_or_default(), false))
        }
        Err(e) => caller.store_fail(e),
    }
}
