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
    Ok(Transitions { org_name: org.name.clone(), from_year, to_year, matrix, before, after, bottom_twice })
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
