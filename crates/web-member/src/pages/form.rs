//! Create and edit.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::member::{Category, Education, Member, MemberInput, Occupation, Sex, Status};
use domain::org::Org;
use domain::FieldErrors;
use serde::Deserialize;
use service::ServiceError;
use store::member::StatusChange;
use web_core::access::Perm;
use web_core::form::{attach_errors, checked, merge_errors, opt_date, options, unmasked_or, with_status, Field};
use web_core::form::{differences, Difference};
use web_core::pages::{render, today};
use web_core::Shared;
use web_core::{Caller, Crumb, Nav};

use super::*;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct MemberForm {
    csrf: String,
    /// The version of the record the form was filled from: a save on an older one is refused.
    version: String,
    name: String,
    sex: String,
    id_number: String,
    ethnicity: String,
    birth_date: String,
    education: String,
    category: String,
    join_date: String,
    full_date: String,
    job_post: String,
    phone: String,
    work_unit: String,
    residence_community: String,
    occupation: String,
    is_mobile: String,
    mobile_to: String,
    is_lost_contact: String,
    is_needy: String,
    status: String,
    status_date: String,
}

fn flag(b: bool) -> String {
    if b {
        "1".into()
    } else {
        String::new()
    }
}

impl MemberForm {
    /// The form of a stored member: ID number and phone masked.
    fn of(m: &Member) -> Self {
        let d = |v: Option<chrono::NaiveDate>| v.map(|d| d.to_string()).unwrap_or_default();
        MemberForm {
            name: m.name.clone(),
            sex: m.sex.code().into(),
            id_number: domain::mask::id_number(&m.id_number),
            ethnicity: m.ethnicity.clone(),
            birth_date: m.birth_date.to_string(),
            education: m.education.map(|e| e.code().to_string()).unwrap_or_default(),
            category: m.category.code().into(),
            join_date: m.join_date.to_string(),
            full_date: d(m.full_date),
            job_post: m.job_post.clone().unwrap_or_default(),
            phone: m.phone.as_deref().map(domain::mask::phone).unwrap_or_default(),
            work_unit: m.work_unit.clone().unwrap_or_default(),
            residence_community: m.residence_community.clone().unwrap_or_default(),
            occupation: m.occupation.map(|o| o.code().to_string()).unwrap_or_default(),
            is_mobile: flag(m.is_mobile),
            mobile_to: m.mobile_to.clone().unwrap_or_default(),
            is_lost_contact: flag(m.is_lost_contact),
            is_needy: flag(m.is_needy),
            status: m.status.code().into(),
            status_date: d(m.status_date),
            version: m.version.to_string(),
            ..Default::default()
        }
    }

    /// The input and the problems of parsing it. Editing (`stored`): the ID number stays the stored
    /// one unless the caller may edit it and typed a new one; a phone left as its mask stays; the
    /// status is changed on its own page.
    fn input(&self, stored: Option<&Member>, may_edit_id: bool) -> (MemberInput, FieldErrors) {
        let mut errs = FieldErrors::default();
        let text = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
        let id_number = match stored {
            Some(m) if !may_edit_id => m.id_number.clone(),
            Some(m) => unmasked_or(&self.id_number, Some(&m.id_number), domain::mask::id_number),
            None => self.id_number.clone(),
        };
        let phone = unmasked_or(&self.phone, stored.and_then(|m| m.phone.as_deref()), domain::mask::phone);
        let (status, status_date) = match stored {
            Some(m) => (Some(m.status), m.status_date),
            None => (Status::from_code(&self.status), opt_date(&self.status_date, "状态日期", &mut errs)),
        };
        let input = MemberInput {
            name: self.name.clone(),
            sex: Sex::from_code(&self.sex),
            id_number,
            ethnicity: text(&self.ethnicity),
            birth_date: opt_date(&self.birth_date, "出生日期", &mut errs),
            education: Education::from_code(&self.education),
            category: Category::from_code(&self.category),
            join_date: opt_date(&self.join_date, "入党日期", &mut errs),
            full_date: opt_date(&self.full_date, "转正日期", &mut errs),
            job_post: text(&self.job_post),
            phone: text(&phone),
            work_unit: text(&self.work_unit),
            residence_community: text(&self.residence_community),
            occupation: Occupation::from_code(&self.occupation),
            is_mobile: checked(&self.is_mobile),
            mobile_to: text(&self.mobile_to),
            is_lost_contact: checked(&self.is_lost_contact),
            is_needy: checked(&self.is_needy),
            status,
            status_date,
            version: self.version.trim().parse().ok(),
        };
        (input, errs)
    }

    /// The fields; `id_mode` is how the ID number shows: "new" (typed in full), "edit" (masked,
    /// replaceable), "locked" (masked, read only).
    fn fields(&self, id_mode: &str, with_status: bool) -> Vec<Field> {
        let ethnicities = options(domain::member::ETHNICITIES.iter().map(|e| (*e, *e)), None);
        let id_field = Field::new("id_number", "公民身份号码", "text", &self.id_number).req();
        let id_field = match id_mode {
            "new" => id_field.hint("18 位，性别和出生日期将按号码核对"),
            "edit" => id_field.hint("显示为脱敏号码；如需更正请输入完整的新号码，不修改则保持原号码"),
            _ => id_field.readonly().hint("您没有修改公民身份号码的权限"),
        };
        let mut v = vec![
            Field::new("name", "姓名", "text", &self.name).req().section("基本信息"),
            id_field,
            Field::select(
                "sex",
                "性别",
                &self.sex,
                options(Sex::ALL.iter().map(|c| (c.code(), c.label())), Some("按身份证号自动识别")),
            ),
            Field::new("birth_date", "出生日期", "date", &self.birth_date).hint("不填则按身份证号"),
            Field::select(
                "ethnicity",
                "民族",
                if self.ethnicity.is_empty() { "汉族" } else { &self.ethnicity },
                ethnicities,
            ),
            Field::select(
                "education",
                "学历",
                &self.education,
                options(Education::ALL.iter().map(|c| (c.code(), c.label())), Some("未填写")),
            ),
            Field::select(
                "category",
                "人员类别",
                &self.category,
                options(Category::ALL.iter().map(|c| (c.code(), c.label())), Some("请选择")),
            )
            .req()
            .section("党籍信息"),
            Field::new("join_date", "入党日期", "date", &self.join_date).req(),
            Field::new("full_date", "转正日期", "date", &self.full_date).hint("正式党员填写"),
        ];
        if with_status {
            v.push(
                Field::select(
                    "status",
                    "党籍状态",
                    &self.status,
                    options(Status::ALL.iter().map(|c| (c.code(), c.label())), None),
                )
                .hint("登记历史党员时选择，一般为“正常”"),
            );
            v.push(Field::new("status_date", "状态日期", "date", &self.status_date).hint("状态不是“正常”时填写"));
        }
        v.extend([
            Field::new("phone", "联系电话", "tel", &self.phone).section("工作与联系"),
            Field::new("work_unit", "工作单位", "text", &self.work_unit),
            Field::new("job_post", "工作岗位", "text", &self.job_post),
            Field::select(
                "occupation",
                "职业",
                &self.occupation,
                options(Occupation::ALL.iter().map(|c| (c.code(), c.label())), Some("未填写")),
            ),
            Field::new("residence_community", "现居住社区", "text", &self.residence_community),
            Field::new("is_mobile", "流动党员", "check", &self.is_mobile).section("管理标记"),
            Field::new("mobile_to", "流动去向", "text", &self.mobile_to).hint("流动党员填写，如：浙江省宁波市"),
            Field::new("is_lost_contact", "失联党员", "check", &self.is_lost_contact),
            Field::new("is_needy", "困难党员", "check", &self.is_needy),
        ]);
        if id_mode != "new" {
            if let Some(p) = v.iter_mut().find(|f| f.name == "phone") {
                p.hint = "显示为脱敏号码；不修改则保持原号码".into();
            }
        }
        v
    }
}

#[derive(Template)]
#[template(path = "member/form.html")]
struct MemberFormPage {
    nav: Nav,
    title: String,
    action: String,
    cancel: String,
    fields: Vec<Field>,
    others: Vec<String>,
    error_count: usize,
    refusal: Option<String>,
    /// Editing: the standing, changed on its own page.
    status_line: Option<(String, bool)>,
    id: i64,
    /// The version of the record the form was filled from (empty for a new member).
    version: String,
    /// The save was refused because the record changed meanwhile: the differences.
    is_stale: bool,
    stale: Vec<Difference>,
    stale_what: &'static str,
}

#[allow(clippy::too_many_arguments)]
fn member_form_page(
    caller: &Caller,
    section: &'static str,
    trail: Vec<Crumb>,
    title: String,
    action: String,
    cancel: String,
    mut fields: Vec<Field>,
    errs: &FieldErrors,
    refusal: Option<String>,
    status_line: Option<(String, bool)>,
    id: i64,
    version: &str,
    stale: Option<Vec<Difference>>,
) -> Response {
    let others = attach_errors(&mut fields, errs);
    render(&MemberFormPage {
        nav: caller.nav(section).crumbs(trail),
        title,
        action,
        cancel,
        fields,
        others,
        error_count: errs.0.len(),
        refusal,
        status_line,
        id,
        version: version.to_string(),
        is_stale: stale.is_some(),
        stale: stale.unwrap_or_default(),
        stale_what: "该党员的信息",
    })
}

#[derive(Template)]
#[template(path = "member/pick.html")]
struct PickPage {
    nav: Nav,
    id: i64,
    name: String,
    kind: &'static str,
    picker: web_core::picker::OrgPicker,
}

/// Members belong to branches: for another kind of organization, pick with the one organization
/// picker the 党支部 or 党小组 to enter the member into (found by name, each with its parents).
async fn pick_page(s: &Shared, caller: &Caller, o: &Org, trail: Vec<Crumb>) -> Response {
    let picker = web_core::picker::OrgPicker::new(
        s,
        caller,
        web_core::picker::Purpose::MemberOrg,
        "org",
        "编入哪个党支部或党小组",
        None,
        "/orgs/{id}/members/new",
    )
    .await
    .submitting();
    render(&PickPage {
        nav: caller.nav("orgs").crumbs(trail),
        id: o.id,
        name: o.name.clone(),
        kind: o.kind.label(),
        picker,
    })
}

/// `?org=` of the pick page: the branch picked there.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PickedQuery {
    org: String,
}

async fn new_trail(s: &Shared, caller: &Caller, o: &Org) -> Vec<Crumb> {
    let ancestors = service::org::ancestors(&s.store, caller, Perm::ReadOrgs, o.id).await.unwrap_or_default();
    let mut trail = vec![Crumb::new("/orgs", "组织树")];
    trail.extend(ancestors.into_iter().map(|a| Crumb::new(format!("/orgs/{}", a.id), a.name)));
    trail.push(Crumb::new(format!("/orgs/{}", o.id), o.name.clone()));
    trail.push(Crumb::new("", "新增党员"));
    trail
}

pub async fn new_page(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<PickedQuery>,
) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::EditMembers, id).await);
    if !o.kind.holds_members() {
        // the pick page's choice: the form of the branch picked (which checks it)
        if let Ok(picked) = q.org.trim().parse::<i64>() {
            return axum::response::Redirect::to(&format!("/orgs/{picked}/members/new")).into_response();
        }
    }
    let trail = new_trail(&s, &caller, &o).await;
    if !o.kind.holds_members() {
        return pick_page(&s, &caller, &o, trail).await;
    }
    let form = MemberForm { category: "full".into(), status: "normal".into(), ..Default::default() };
    member_form_page(
        &caller,
        "orgs",
        trail,
        format!("在“{}”新增党员", o.name),
        format!("/orgs/{id}/members/new"),
        format!("/orgs/{id}"),
        form.fields("new", true),
        &FieldErrors::default(),
        None,
        None,
        0,
        "",
        None,
    )
}

pub async fn new_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<MemberForm>,
) -> Response {
    let (_, o) = web_core::tri!(caller.org(&s.store, Perm::EditMembers, id).await);
    web_core::tri!(caller.check_csrf(&f.csrf));
    if !o.kind.holds_members() {
        let trail = new_trail(&s, &caller, &o).await;
        return with_status(pick_page(&s, &caller, &o, trail).await, StatusCode::CONFLICT);
    }
    let (input, parse_errs) = f.input(None, true);
    let today = today();
    let result = match input.validate(today) {
        Err(e) => Err(ServiceError::Invalid(merge_errors(parse_errs, e))),
        Ok(_) if !parse_errs.is_empty() => Err(ServiceError::Invalid(parse_errs)),
        Ok(_) => service::member::create(&s.store, &caller, id, &input, today).await,
    };
    let (errs, refusal, status) = match result {
        Ok(m) => return Redirect::to(&format!("/members/{}?ok=member_created", m.id)).into_response(),
        Err(ServiceError::Invalid(e)) => (e, None, StatusCode::UNPROCESSABLE_ENTITY),
        Err(ServiceError::Refused(m)) => (FieldErrors::default(), Some(m), StatusCode::CONFLICT),
        Err(e) => return caller.fail(e),
    };
    let trail = new_trail(&s, &caller, &o).await;
    let page = member_form_page(
        &caller,
        "orgs",
        trail,
        format!("在“{}”新增党员", o.name),
        format!("/orgs/{id}/members/new"),
        format!("/orgs/{id}"),
        f.fields("new", true),
        &errs,
        refusal,
        None,
        0,
        "",
        None,
    );
    with_status(page, status)
}

pub(crate) async fn member_trail(s: &Shared, caller: &Caller, m: &Member, last: &str) -> Vec<Crumb> {
    let org_name = org_name_of(s, caller, Perm::ReadOrgs, m.org_id).await;
    let mut trail = vec![Crumb::new("/members", "党员名册")];
    if !org_name.is_empty() {
        trail.push(Crumb::new(format!("/members?org={}", m.org_id), org_name));
    }
    trail.push(Crumb::new(format!("/members/{}", m.id), m.name.clone()));
    trail.push(Crumb::new("", last));
    trail
}

fn status_line(m: &Member, caller: &Caller) -> (String, bool) {
    let text = format!("{}{}", m.status.label(), m.status_date.map(|d| format!("（{d}）")).unwrap_or_default());
    (text, caller.can_at(Perm::EditMembers, &m.path) && !StatusChange::open_to(m).is_empty())
}

pub async fn edit_page(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    web_core::tri!(caller.require(Perm::EditMembers));
    let m = match service::member::get(&s.store, &caller, Perm::EditMembers, id).await {
        Ok(m) => m,
        Err(e) => return caller.fail(e),
    };
    let id_mode = if caller.can_at(Perm::ViewPersonal, &m.path) { "edit" } else { "locked" };
    let trail = member_trail(&s, &caller, &m, "编辑").await;
    member_form_page(
        &caller,
        "members",
        trail,
        format!("编辑党员“{}”", m.name),
        format!("/members/{id}/edit"),
        format!("/members/{id}"),
        MemberForm::of(&m).fields(id_mode, false),
        &FieldErrors::default(),
        None,
        Some(status_line(&m, &caller)),
        id,
        &m.version.to_string(),
        None,
    )
}

pub async fn edit_post(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<MemberForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::EditMembers));
    let m = match service::member::get(&s.store, &caller, Perm::EditMembers, id).await {
        Ok(m) => m,
        Err(e) => return caller.fail(e),
    };
    web_core::tri!(caller.check_csrf(&f.csrf));
    let may_edit_id = caller.can_at(Perm::ViewPersonal, &m.path);
    let (input, parse_errs) = f.input(Some(&m), may_edit_id);
    let today = today();
    let result = match input.validate(today) {
        Err(e) => Err(ServiceError::Invalid(merge_errors(parse_errs, e))),
        Ok(_) if !parse_errs.is_empty() => Err(ServiceError::Invalid(parse_errs)),
        Ok(_) => service::member::update(&s.store, &caller, id, None, &input, today).await,
    };
    let (mut errs, refusal, status) = match result {
        Ok(_) => return Redirect::to(&format!("/members/{id}?ok=saved")).into_response(),
        Err(ServiceError::Invalid(e)) => (e, None, StatusCode::UNPROCESSABLE_ENTITY),
        Err(ServiceError::Refused(r)) => (FieldErrors::default(), Some(r), StatusCode::CONFLICT),
        Err(ServiceError::Stale(_)) => return stale_edit(&s, &caller, id, f).await,
        Err(e) => return caller.fail(e),
    };
    // a message about the stored ID number must not echo it to a caller who may not see it
    if !may_edit_id {
        for e in errs.0.iter_mut().filter(|e| e.field == "公民身份号码") {
            e.message = "登记的号码有误，请联系有权限的管理员更正".into();
        }
    }
    let mut form = f;
    if !may_edit_id {
        form.id_number = domain::mask::id_number(&m.id_number);
    }
    let id_mode = if may_edit_id { "edit" } else { "locked" };
    let trail = member_trail(&s, &caller, &m, "编辑").await;
    let page = member_form_page(
        &caller,
        "members",
        trail,
        format!("编辑党员“{}”", m.name),
        format!("/members/{id}/edit"),
        format!("/members/{id}"),
        form.fields(id_mode, false),
        &errs,
        refusal,
        Some(status_line(&m, &caller)),
        id,
        &form.version,
        None,
    );
    with_status(page, status)
}

/// The edit form again after a save refused because the member's record changed meanwhile: what
/// the user typed is kept (the ID number masked as ever unless the caller may see it), the fields
/// that differ from the stored record are listed beside each other, and the form carries the
/// stored version, so saving again applies what the user typed.
async fn stale_edit(s: &Shared, caller: &Caller, id: i64, typed: MemberForm) -> Response {
    let current = match service::member::get(&s.store, caller, Perm::EditMembers, id).await {
        Ok(m) => m,
        Err(e) => return caller.fail(e),
    };
    let may_edit_id = caller.can_at(Perm::ViewPersonal, &current.path);
    let id_mode = if may_edit_id { "edit" } else { "locked" };
    let mut kept = MemberForm { version: current.version.to_string(), ..typed };
    if !may_edit_id {
        kept.id_number = domain::mask::id_number(&current.id_number);
    }
    let diffs = differences(&kept.fields(id_mode, false), &MemberForm::of(&current).fields(id_mode, false));
    let trail = member_trail(s, caller, &current, "编辑").await;
    let page = member_form_page(
        caller,
        "members",
        trail,
        format!("编辑党员“{}”", current.name),
        format!("/members/{id}/edit"),
        format!("/members/{id}"),
        kept.fields(id_mode, false),
        &FieldErrors::default(),
        None,
        Some(status_line(&current, caller)),
        id,
        &kept.version,
        Some(diffs),
    );
    with_status(page, StatusCode::CONFLICT)
}
