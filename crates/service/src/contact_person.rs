//! 支部联系人: assigning a branch's contact (分类定级评分 over the branch) and the overview of a
//! subtree (查看分类定级): the current contacts, attendance per contact for a year (CONTACT-07),
//! the branches without a contact, the contacts over their limit (CONTACT-01) and those below the
//! visits minimum (CONTACT-02).

use chrono::{Datelike, NaiveDate};
use domain::access::Perm;
use domain::contact_person::{self as rules, AssignInput, Params};
use store::contact_person::{Assignment, Attendance, Branch, Over};
use store::Store;

use crate::{Ctx, ServiceResult};

/// Assign a contact to a branch from a date (the current one ends the day before).
pub async fn assign(store: &Store, ctx: &Ctx, input: &AssignInput, today: NaiveDate) -> ServiceResult<Assignment> {
    let scope = ctx.require(Perm::AssessGrading)?;
    let v = input.validate(today)?;
    let branch = store::org::visible(store, &scope, v.org_id).await?;
    Ok(store::contact_person::assign(store, &scope, &branch, &v).await?)
}

/// The overview of a subtree for a year (up to `today` in the current year).
pub struct Overview {
    pub year: i32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub params: Params,
    /// The current contacts (one page).
    pub current: Vec<Assignment>,
    pub current_total: i64,
    pub attendance: Vec<Attendance>,
    pub without: Vec<Branch>,
    pub without_total: i64,
    pub over: Vec<Over>,
    /// Attendance rows of contacts below CONTACT-02's visits a year.
    pub below: Vec<Attendance>,
}

/// The year as typed (this year when empty).
pub fn year(raw: &str, today: NaiveDate) -> ServiceResult<i32> {
    match raw.trim().trim_end_matches('年') {
        "" => Ok(today.year()),
        y => match y.parse::<i32>() {
            Ok(y) if (2000..=today.year()).contains(&y) => Ok(y),
            _ => Err(domain::FieldErrors(vec![domain::FieldError::new(
                "年度",
                format!("“{y}”应为 2000 至 {} 的年份", today.year()),
            )])
            .into()),
        },
    }
}

/// The current contacts of the subtree (paged) with the year's attendance and the three lists.
pub async fn overview(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    year: i32,
    today: NaiveDate,
    limit: i64,
    offset: i64,
) -> ServiceResult<Overview> {
    let (_, org) = ctx.org(store, Perm::ReadGrading, org_id).await?;
    let from = NaiveDate::from_ymd_opt(year, 1, 1).expect("date");
    let to = NaiveDate::from_ymd_opt(year, 12, 31).expect("date").min(today);
    let (current, current_total) = store::contact_person::current(store, &org, today, limit, offset).await?;
    let attendance = store::contact_person::attendance(store, &org, from, to).await?;
    let (without, without_total) = store::contact_person::without_contact(store, &org, today, 200).await?;
    let over = store::contact_person::over_limit(store, &org, today).await?;
    let params = rules::params(to);
    let below = attendance.iter().filter(|a| a.visits < params.min_visits_year).cloned().collect();
    Ok(Overview { year, from, to, params, current, current_total, attendance, without, without_total, over, below })
}
