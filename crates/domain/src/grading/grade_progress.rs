//! 晋位升级: how final grades moved between two years — the transition matrix (counts per
//! from→to), who moved up or down, and who stayed at the bottom two years running.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

/// One organization's final grade in a year, as a position in its scheme (0 best) and a label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Final {
    pub org_id: i64,
    pub grade: String,
    pub label: String,
    /// Position in its scheme, 0 best.
    pub rank: usize,
    /// Is this the lowest grade of its scheme?
    pub bottom: bool,
}

/// From→to counts; grades as labels, in the order first seen best first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Matrix {
    pub grades: Vec<String>,
    pub cells: BTreeMap<(String, String), i64>,
    pub up: i64,
    pub same: i64,
    pub down: i64,
    /// Graded in only one of the two years.
    pub unmatched: i64,
}

impl Matrix {
    pub fn count(&self, from: &str, to: &str) -> i64 {
        self.cells.get(&(from.to_string(), to.to_string())).copied().unwrap_or(0)
    }
}

/// The transitions between two years' final grades. Organizations graded under different schemes
/// in the two years compare by position.
pub fn matrix(before: &[Final], after: &[Final]) -> Matrix {
    let mut m = Matrix::default();
    let mut order: Vec<(usize, String)> = Vec::new();
    for f in before.iter().chain(after) {
        if !order.iter().any(|(_, l)| *l == f.label) {
            order.push((f.rank, f.label.clone()));
        }
    }
    order.sort_by_key(|(r, _)| *r);
    m.grades = order.into_iter().map(|(_, l)| l).collect();
    let next: HashMap<i64, &Final> = after.iter().map(|f| (f.org_id, f)).collect();
    let mut matched = 0;
    for b in before {
        let Some(a) = next.get(&b.org_id) else { continue };
        matched += 1;
        *m.cells.entry((b.label.clone(), a.label.clone())).or_default() += 1;
        match a.rank.cmp(&b.rank) {
            std::cmp::Ordering::Less => m.up += 1,
            std::cmp::Ordering::Equal => m.same += 1,
            std::cmp::Ordering::Greater => m.down += 1,
        }
    }
    m.unmatched = (before.len() + after.len()) as i64 - 2 * matched;
    m
}

/// Organizations at the bottom grade in both years.
pub fn bottom_twice(before: &[Final], after: &[Final]) -> Vec<i64> {
    let next: HashMap<i64, &Final> = after.iter().map(|f| (f.org_id, f)).collect();
    before.iter().filter(|b| b.bottom && next.get(&b.org_id).is_some_and(|a| a.bottom)).map(|b| b.org_id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(org_id: i64, label: &str, rank: usize, bottom: bool) -> Final {
        Final { org_id, grade: label.into(), label: label.into(), rank, bottom }
    }

    #[test]
    fn transitions_counted() {
        let before = [f(1, "好", 0, false), f(2, "一般", 2, false), f(3, "较差", 3, true), f(4, "较差", 3, true)];
        let after = [f(1, "较好", 1, false), f(2, "较好", 1, false), f(3, "较差", 3, true), f(5, "好", 0, false)];
        let m = matrix(&before, &after);
        assert_eq!(m.grades, ["好", "较好", "一般", "较差"]);
        assert_eq!(m.count("一般", "较好"), 1);
        assert_eq!(m.count("好", "较好"), 1);
        assert_eq!((m.up, m.same, m.down, m.unmatched), (1, 1, 1, 2));
        assert_eq!(bottom_twice(&before, &after), [3]);
    }
}
