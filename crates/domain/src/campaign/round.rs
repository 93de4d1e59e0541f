//! 调度: a dispatch round's standing of every participant, computed from the indicators' values
//! as of the round's date. Pure: the store measures, this ranks, names leaders and laggards,
//! compares with the previous round and writes the digest a published round keeps.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::indicator::Indicator;

/// What a source measured for one organization: `num` over `den` (a share, shown as a
/// percentage), or `num` alone. `None` from the store means nothing to measure (a reported
/// indicator not yet reported).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    pub num: f64,
    pub den: Option<f64>,
}

impl Measure {
    pub fn count(n: f64) -> Measure {
        Measure { num: n, den: None }
    }
    pub fn share(num: f64, den: f64) -> Measure {
        Measure { num, den: Some(den) }
    }
    /// The value in the indicator's unit: a share as a percentage (an empty denominator is 0 %).
    pub fn value(&self) -> f64 {
        match self.den {
            Some(d) if d > 0.0 => self.num * 100.0 / d,
            Some(_) => 0.0,
            None => self.num,
        }
    }
}

crate::labelled_enum! {
    /// Where a participant stands in a round.
    Band {
        Leader = "leader", "先进";
        Middle = "middle", "中间";
        Laggard = "laggard", "后进";
    }
}

/// One indicator's value and score for one participant (values and scores in thousandths).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub code: String,
    pub value_milli: Option<i64>,
    pub num: Option<f64>,
    pub den: Option<f64>,
    pub score_milli: i64,
}

/// A participant as ranked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    pub org_id: i64,
    pub name: String,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub rank: i64,
    pub total_milli: i64,
    pub previous_rank: Option<i64>,
    pub band: Band,
    pub cells: Vec<Cell>,
}

impl Line {
    pub fn cell(&self, code: &str) -> Option<&Cell> {
        self.cells.iter().find(|c| c.code == code)
    }
    /// Places moved up since the previous round (negative: down).
    pub fn moved(&self) -> Option<i64> {
        self.previous_rank.map(|p| p - self.rank)
    }
}

fn milli(v: f64) -> i64 {
    (v * 1000.0).round() as i64
}

/// Rank the participants: total score descending (equal totals share a rank, 1, 2, 2, 4), then
/// by tree order for a stable listing; the first `name_top` ranks are the leaders, the last
/// `name_top` the laggards, each at most half of the participants (so never both).
pub fn rank(
    parts: &[Participant],
    indicators: &[Indicator],
    measures: &HashMap<(i64, String), Measure>,
    name_top: i64,
    previous: &[Line],
) -> Vec<Line> {
    let prev: HashMap<i64, i64> = previous.iter().map(|l| (l.org_id, l.rank)).collect();
    let mut lines: Vec<Line> = parts
        .iter()
        .map(|p| {
            let cells: Vec<Cell> = indicators
                .iter()
                .map(|i| match measures.get(&(p.org_id, i.code.clone())) {
                    Some(m) => {
                        let v = m.value();
                        Cell {
                            code: i.code.clone(),
                            value_milli: Some(milli(v)),
                            num: Some(m.num),
                            den: m.den,
                            score_milli: milli(i.score(v)),
                        }
                    }
                    None => Cell { code: i.code.clone(), value_milli: None, num: None, den: None, score_milli: 0 },
                })
                .collect();
            Line {
                org_id: p.org_id,
                org_name: p.name.clone(),
                org_path: p.path.clone(),
                rank: 0,
                total_milli: cells.iter().map(|c| c.score_milli).sum(),
                previous_rank: prev.get(&p.org_id).copied(),
                band: Band::Middle,
                cells,
            }
        })
        .collect();
    lines.sort_by(|a, b| b.total_milli.cmp(&a.total_milli).then_with(|| a.org_path.cmp(&b.org_path)));
    let n = lines.len();
    for i in 0..n {
        lines[i].rank =
            if i > 0 && lines[i].total_milli == lines[i - 1].total_milli { lines[i - 1].rank } else { i as i64 + 1 };
    }
    // never more than half on either side: with few participants, as many leaders as laggards
    let top = (name_top.max(0) as usize).min(lines.len() / 2);
    if n > 0 && top > 0 {
        let lead_rank = lines[(top - 1).min(n - 1)].rank;
        let lag_rank = lines[n.saturating_sub(top)].rank;
        for l in &mut lines {
            l.band = if l.rank <= lead_rank {
                Band::Leader
            } else if l.rank >= lag_rank {
                Band::Laggard
            } else {
                Band::Middle
            };
        }
    }
    lines
}

/// What changed for one participant since the previous round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub org_id: i64,
    pub org_name: String,
    pub moved: i64,
    /// Indicators whose score rose (code, score change in thousandths).
    pub improved: Vec<(String, i64)>,
    pub fell: Vec<(String, i64)>,
}

/// The changes since the previous round, largest rank moves first; participants new to the round
/// have no change.
pub fn changes(current: &[Line], previous: &[Line]) -> Vec<Change> {
    let prev: HashMap<i64, &Line> = previous.iter().map(|l| (l.org_id, l)).collect();
    let mut out: Vec<Change> = current
        .iter()
        .filter_map(|l| {
            let p = prev.get(&l.org_id)?;
            let mut improved = Vec::new();
            let mut fell = Vec::new();
            for c in &l.cells {
                let Some(pc) = p.cell(&c.code) else { continue };
                let d = c.score_milli - pc.score_milli;
                if d > 0 {
                    improved.push((c.code.clone(), d));
                } else if d < 0 {
                    fell.push((c.code.clone(), d));
                }
            }
            Some(Change { org_id: l.org_id, org_name: l.org_name.clone(), moved: p.rank - l.rank, improved, fell })
        })
        .collect();
    out.sort_by(|a, b| b.moved.abs().cmp(&a.moved.abs()).then(b.moved.cmp(&a.moved)));
    out
}

/// The digest a published round keeps: SHA-256 over its date, its standard's indicators and every
/// line, written in one fixed order, so any later change of the stored lines is found.
pub fn digest(campaign_id: i64, seq: i64, as_on: NaiveDate, indicators: &[Indicator], lines: &[Line]) -> String {
    let mut h = Sha256::new();
    h.update(format!("campaign={campaign_id};seq={seq};as_on={as_on}\n"));
    for i in indicators {
        h.update(format!(
            "indicator={}|{}|{}|{}|{}|{}|{}|{:?}\n",
            i.code,
            i.label,
            i.source,
            i.param,
            i.weight,
            i.scoring.code(),
            i.target_milli,
            i.steps
        ));
    }
    let mut sorted: Vec<&Line> = lines.iter().collect();
    sorted.sort_by_key(|l| l.org_id);
    for l in sorted {
        h.update(format!(
            "line={}|{}|{}|{}|{:?}|{}\n",
            l.org_id,
            l.org_name,
            l.rank,
            l.total_milli,
            l.previous_rank,
            l.band.code()
        ));
        for c in &l.cells {
            h.update(format!("cell={}|{:?}|{:?}|{:?}|{}\n", c.code, c.value_milli, c.num, c.den, c.score_milli));
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::indicator::Scoring;

    fn ind(code: &str, target: i64) -> Indicator {
        Indicator {
            code: code.into(),
            label: code.into(),
            source: "facility_coverage".into(),
            param: "service_center".into(),
            weight: 50,
            scoring: Scoring::Linear,
            target_milli: target,
            steps: vec![],
            unit: "%".into(),
        }
    }

    fn parts(n: i64) -> Vec<Participant> {
        (1..=n).map(|i| Participant { org_id: i, name: format!("县{i}"), path: format!("0001.{i:04}") }).collect()
    }

    #[test]
    fn ranks_share_equal_totals_and_name_leaders_and_laggards() {
        let inds = vec![ind("a", 100_000), ind("b", 100_000)];
        let mut m = HashMap::new();
        for (org, a, b) in [(1, 100.0, 100.0), (2, 50.0, 50.0), (3, 50.0, 50.0), (4, 10.0, 0.0), (5, 90.0, 90.0)] {
            m.insert((org, "a".to_string()), Measure::count(a));
            m.insert((org, "b".to_string()), Measure::count(b));
        }
        let lines = rank(&parts(5), &inds, &m, 1, &[]);
        let r: Vec<(i64, i64)> = lines.iter().map(|l| (l.org_id, l.rank)).collect();
        assert_eq!(r, vec![(1, 1), (5, 2), (2, 3), (3, 3), (4, 5)]);
        assert_eq!(lines[0].total_milli, 100_000);
        assert_eq!(lines[0].band, Band::Leader);
        assert_eq!(lines[4].band, Band::Laggard);
        assert_eq!(lines[2].band, Band::Middle);
        // two participants and three to name: one leader, one laggard
        let two = rank(&parts(2), &inds, &m, 3, &[]);
        assert_eq!((two[0].band, two[1].band), (Band::Leader, Band::Laggard));
    }

    #[test]
    fn a_share_is_a_percentage_and_a_missing_value_scores_nothing() {
        let inds = vec![ind("a", 90_000)];
        let mut m = HashMap::new();
        m.insert((1, "a".to_string()), Measure::share(224.0, 243.0));
        let lines = rank(&parts(2), &inds, &m, 1, &[]);
        assert_eq!(lines[0].cells[0].value_milli, Some(92_181));
        assert_eq!(lines[1].cells[0].value_milli, None);
        assert_eq!(lines[1].total_milli, 0);
    }

    #[test]
    fn changes_since_the_previous_round() {
        let inds = vec![ind("a", 100_000), ind("b", 100_000)];
        let mut m1 = HashMap::new();
        let mut m2 = HashMap::new();
        for (org, a, b) in [(1, 80.0, 80.0), (2, 60.0, 60.0), (3, 40.0, 40.0)] {
            m1.insert((org, "a".to_string()), Measure::count(a));
            m1.insert((org, "b".to_string()), Measure::count(b));
        }
        for (org, a, b) in [(1, 80.0, 70.0), (2, 60.0, 60.0), (3, 90.0, 90.0)] {
            m2.insert((org, "a".to_string()), Measure::count(a));
            m2.insert((org, "b".to_string()), Measure::count(b));
        }
        let first = rank(&parts(3), &inds, &m1, 1, &[]);
        let second = rank(&parts(3), &inds, &m2, 1, &first);
        let c = changes(&second, &first);
        assert_eq!(c[0].org_id, 3);
        assert_eq!(c[0].moved, 2);
        assert_eq!(c[0].improved.len(), 2);
        let one = c.iter().find(|c| c.org_id == 1).unwrap();
        assert_eq!(one.moved, -1);
        assert_eq!(one.fell, vec![("b".to_string(), -5_000)]);
        assert_eq!(second.iter().find(|l| l.org_id == 3).unwrap().previous_rank, Some(3));
    }

    #[test]
    fn the_digest_changes_with_any_line() {
        let inds = vec![ind("a", 100_000)];
        let mut m = HashMap::new();
        m.insert((1, "a".to_string()), Measure::count(50.0));
        let d = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let lines = rank(&parts(2), &inds, &m, 1, &[]);
        let a = digest(1, 1, d, &inds, &lines);
        assert_eq!(a, digest(1, 1, d, &inds, &lines));
        let mut changed = lines.clone();
        changed[0].cells[0].score_milli += 1;
        assert_ne!(a, digest(1, 1, d, &inds, &changed));
    }
}
