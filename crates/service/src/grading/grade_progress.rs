//! 晋位升级: how final grades moved between two years over a subtree — the transition matrix with
//! the organizations behind every cell, those at the bottom grade two years running, and the
//! next-year grades of a chosen set (the effect of rectification: pass the organizations whose
//! rectification was closed).

use domain::access::Perm;
use domain::grading::grade_progress::{self as rules, Matrix};
use store::grading::grade_progress::{finals, FinalGrade};
use store::Store;

use crate::{Ctx, ServiceResult};

/// Two years' final grades over an organization's subtree and how they moved.
pub struct Transitions {
    pub org_name: String,
    pub from_year: i32,
    pub to_year: i32,
    pub matrix: Matrix,
    pub before: Vec<FinalGrade>,
    pub after: Vec<FinalGrade>,
    /// At the bottom grade in both years.
    pub bottom_twice: Vec<FinalGrade>,
    /// The effect of rectification: the weak-and-lax organizations identified in the first year
    /// whose rectification was accepted (销号), with their grades in both years.
    pub rectified: Vec<Rectified>,
}

/// A weak-and-lax organization of the first year whose rectification was accepted, and how its
/// grade moved.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rectified {
    pub weak_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub accepted_on: chrono::NaiveDate,
    /// The final grade of the first year and of the second, as labels, if graded.
    pub before: Option<String>,
    pub after: Option<String>,
    /// Up (> 0), the same (0) or down (< 0) by position; none when not graded in both years.
    pub moved: Option<i64>,
}

impl Transitions {
    /// The organizations of one cell (from → to), in tree order.
    pub fn cell(&self, from: &str, to: &str) -> Vec<(&FinalGrade, &FinalGrade)> {
        let next: std::collections::HashMap<i64, &FinalGrade> = self.after.iter().map(|f| (f.org_id, f)).collect();
        self.before
            .iter()
            .filter(|b| b.label == from)
            .filter_map(|b| next.get(&b.org_id).filter(|a| a.label == to).map(|a| (b, *a)))
            .collect()
    }
}

pub async fn transitions(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    from_year: i32,
    to_year: i32,
) -> ServiceResult<Transitions> {
    let (_, org) = ctx.org(store, Perm::ReadGrading, org_id).await?;
    if from_year >= to_year {
        return Err(domain::FieldErrors(vec![domain::FieldError::new("年度", "比较的后一年度须晚于前一年度")]).into());
    }
    let before = finals(store, &org, from_year).await?;
    let after = finals(store, &org, to_year).await?;
    let b: Vec<_> = before.iter().map(FinalGrade::as_final).collect();
    let a: Vec<_> = after.iter().map(FinalGrade::as_final).collect();
    let matrix = rules::matrix(&b, &a);
    let twice = rules::bottom_twice(&b, &a);
    let bottom_twice = after.iter().filter(|f| twice.contains(&f.org_id)).cloned().collect();
    let weak = store::weak_and_lax::Filter { state: None, year: Some(from_year) };
    let (weak, _) = store::weak_and_lax::list(store, &org, &weak, 100_000, 0).await?;
    let rectified = weak
        .into_iter()
        .filter_map(|w| {
            let on = w.accepted_on?;
            let b = before.iter().find(|f| f.org_id == w.org_id);
            let a = after.iter().find(|f| f.org_id == w.org_id);
            Some(Rectified {
                weak_id: w.id,
                org_id: w.org_id,
                org_name: w.org_name,
                accepted_on: on,
                before: b.map(|f| f.label.clone()),
                after: a.map(|f| f.label.clone()),
                moved: match (b, a) {
                    (Some(b), Some(a)) => Some(b.rank as i64 - a.rank as i64),
                    _ => None,
                },
            })
        })
        .collect();
    Ok(Transitions { org_name: org.name.clone(), from_year, to_year, matrix, before, after, bottom_twice, rectified })
}

/// The final grades of `year` of the given organizations (those the caller sees under `org_id`):
/// what became of a set of organizations, e.g. weak-and-lax ones whose rectification was closed.
pub async fn next_year_grades(
    store: &Store,
    ctx: &Ctx,
    org_id: i64,
    org_ids: &[i64],
    year: i32,
) -> ServiceResult<Vec<(i64, Option<FinalGrade>)>> {
    let (_, org) = ctx.org(store, Perm::ReadGrading, org_id).await?;
    let all = finals(store, &org, year).await?;
    Ok(org_ids.iter().map(|id| (*id, all.iter().find(|f| f.org_id == *id).cloned())).collect())
}
