//! 晋位升级 as read from the final grades: the organizations of a subtree graded final in a year,
//! each with its grade's position in the scheme it was graded under.

use domain::grading::grade_progress::Final;
use domain::org::Org;
use domain::path;
use serde::Serialize;
use std::collections::HashMap;

use crate::args;
use crate::db::Store;
use crate::error::StoreResult;
use crate::Visible;

/// One organization's final grade in a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FinalGrade {
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub grade: String,
    pub label: String,
    pub rank: usize,
    pub bottom: bool,
}

impl FinalGrade {
    pub fn as_final(&self) -> Final {
        Final {
            org_id: self.org_id,
            grade: self.grade.clone(),
            label: self.label.clone(),
            rank: self.rank,
            bottom: self.bottom,
        }
    }
}

/// The final grades of `year` of the organizations in the subtree of `org` (one read, plus the
/// scheme versions the cycles used), in tree order.
pub async fn finals(store: &Store, org: &Visible<Org>, year: i32) -> StoreResult<Vec<FinalGrade>> {
    let rows: Vec<(i64, String, String, String, i64)> = store
        .read()
        .fetch_all(
            "SELECT e.org_id, o.name, o.path, e.grade, c.scheme_version_id FROM grade_entry e \
             JOIN grade_cycle c ON c.id = e.cycle_id JOIN org o ON o.id = e.org_id \
             WHERE c.year = $1 AND e.is_final = $2 AND e.grade IS NOT NULL AND o.path >= $3 AND o.path < $4 \
             ORDER BY o.path",
            &args![year, true, org.path.clone(), path::subtree_end(&org.path)],
        )
        .await?;
    let mut schemes = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (org_id, org_name, org_path, grade, sv) in rows {
        if let std::collections::hash_map::Entry::Vacant(v) = schemes.entry(sv) {
            v.insert(super::scheme_version(store, sv).await?.scheme()?);
        }
        let s = &schemes[&sv];
        let rank = s.position(&grade).unwrap_or(s.lowest());
        out.push(FinalGrade {
            org_id,
            org_name,
            org_path,
            label: s.label(&grade),
            grade,
            rank,
            bottom: rank == s.lowest(),
        });
    }
    Ok(out)
}
