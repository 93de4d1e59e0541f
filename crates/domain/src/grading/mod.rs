//! 分类定级: the annual grading of grassroots organizations.
//!
//! A **grade scheme** is versioned, dated data owned by a 组织部: its grades with their lower
//! bounds on 100 points, how several assessors' totals combine, the satisfaction cap, the quotas,
//! whether a grade may rise only one step a year, whether a new organization is left ungraded,
//! and the days of publicity. The common schemes are shipped as presets (GRADE-05/06 points,
//! GRADE-10 scored stars, GRADE-11 stepwise stars, GRADE-01 three grades); a cycle applies the
//! version in force in its year.
//!
//! An **indicator catalogue** (GRADE-04's seven indicators as the preset) says what is scored:
//! each indicator is either computed from the indicator source registry or the entry's
//! satisfaction rate, or assessed by the assessors; bonus and deduction items have caps; veto
//! items (一票否决) lower the grade whatever the score.
//!
//! [`apply`] turns a total into a grade and names the rule that lowered it (RULES §19: apply the
//! cap and the vetoes after the score and record which rule lowered the grade). Quotas are
//! warnings to the assessors ([`quota_warnings`]), never a demotion.

pub mod catalogue;
pub mod grade_progress;
pub mod input;
pub mod steps;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::FieldErrors;

pub use catalogue::{Catalogue, CatalogueItem, ItemKind};
pub use steps::{Step, StepPreset};

crate::labelled_enum! {
    /// The kind of a grade scheme.
    SchemeKind {
        Points = "points", "百分制分档";
        ScoredStars = "scored_stars", "按分定星";
        StepwiseStars = "stepwise_stars", "逐级晋星";
        ThreeGrades = "three_grades", "先进、一般、后进";
    }
}

crate::labelled_enum! {
    /// Who scores: the organization itself, its superior, or an assessment panel.
    AssessorKind {
        SelfAssessment = "self", "支部自评";
        Superior = "superior", "上级评定";
        Panel = "panel", "评议组";
    }
}

crate::labelled_enum! {
    /// How the totals of several assessors combine into one.
    Combine {
        Mean = "mean", "平均";
        TrimmedMean = "trimmed_mean", "去掉最高分和最低分后平均";
        Weighted = "weighted", "按评分主体加权";
    }
}

/// One grade of a scheme: a total at or above `min_milli` (thousandths of a point) earns it,
/// unless a better grade's bound is also met. Grades are listed best first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    pub code: String,
    pub label: String,
    pub min_milli: i64,
}

/// A satisfaction cap: below `below_permille` the grade is at most `at_most`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cap {
    pub below_permille: i64,
    pub at_most: String,
    pub rule: String,
}

/// At most `max_permille` of the graded organizations at grade `band` (GRADE-10 ★5 ≤ 10 %).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopQuota {
    pub band: String,
    pub max_permille: i64,
}

/// At least this share of the graded organizations at grade `band` or below: communities and the
/// others apart (GRADE-10: communities ≥ 10 %, others ≥ 5 %).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BottomQuota {
    pub band: String,
    pub community_min_permille: i64,
    pub other_min_permille: i64,
}

/// One version of a grade scheme: the rules a cycle of a year in force applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    pub kind: SchemeKind,
    /// Best first; the last one's bound is 0 (the grade of everything below the others).
    pub bands: Vec<Band>,
    pub publicity_days: i64,
    pub combine: Combine,
    /// For [`Combine::Weighted`]: the weight of each assessor kind, in thousandths.
    pub weights: Vec<(AssessorKind, i64)>,
    pub cap: Option<Cap>,
    pub top_quota: Option<TopQuota>,
    pub bottom_quota: Option<BottomQuota>,
    /// A grade may rise at most one step above last year's (GRADE-11), unless 破格.
    pub one_step: bool,
    /// A new organization (no grade last year and founded in the cycle's year) gets the lowest grade.
    pub new_org_lowest: bool,
    /// The rule IDs this version implements, shown beside it.
    pub rules: String,
}

/// The shipped schemes.
pub const PRESETS: &[(&str, &str)] = &[
    ("points", "百分制四档（GRADE-05 好/较好/一般/较差，GRADE-06 满意率低于90%最高一般）"),
    ("scored_stars", "按分定星（GRADE-10 95/85/75/65/60，五星不超过10%，后进比例下限）"),
    ("stepwise_stars", "逐级晋星（GRADE-11 每年最多升一星，破格须记录理由，一票否决，新建组织不定星）"),
    ("three_grades", "先进、一般、后进（GRADE-01）"),
];

fn band(code: &str, label: &str, min: i64) -> Band {
    Band { code: code.into(), label: label.into(), min_milli: min * 1000 }
}

fn stars() -> Vec<Band> {
    vec![
        band("star5", "五星", 95),
        band("star4", "四星", 85),
        band("star3", "三星", 75),
        band("star2", "二星", 65),
        band("star1", "一星", 60),
        band("none", "未定星", 0),
    ]
}

impl Scheme {
    /// A preset by its code (see [`PRESETS`]).
    pub fn preset(code: &str) -> Option<Scheme> {
        let base = Scheme {
            kind: SchemeKind::Points,
            bands: Vec::new(),
            publicity_days: 5,
            combine: Combine::Mean,
            weights: Vec::new(),
            cap: None,
            top_quota: None,
            bottom_quota: None,
            one_step: false,
            new_org_lowest: false,
            rules: String::new(),
        };
        Some(match code {
            // GRADE-05 bounds, GRADE-06 cap
            "points" => Scheme {
                bands: vec![
                    band("good", "好", 90),
                    band("fair", "较好", 80),
                    band("average", "一般", 60),
                    band("poor", "较差", 0),
                ],
                cap: Some(Cap { below_permille: 900, at_most: "average".into(), rule: "GRADE-06".into() }),
                combine: Combine::Weighted,
                weights: vec![(AssessorKind::SelfAssessment, 300), (AssessorKind::Superior, 700)],
                rules: "GRADE-05、GRADE-06、GRADE-07".into(),
                ..base
            },
            // GRADE-10
            "scored_stars" => Scheme {
                kind: SchemeKind::ScoredStars,
                bands: stars(),
                top_quota: Some(TopQuota { band: "star5".into(), max_permille: 100 }),
                bottom_quota: Some(BottomQuota {
                    band: "star1".into(),
                    community_min_permille: 100,
                    other_min_permille: 50,
                }),
                combine: Combine::TrimmedMean,
                rules: "GRADE-10、GRADE-11".into(),
                ..base
            },
            // GRADE-11 (嵊州)
            "stepwise_stars" => Scheme {
                kind: SchemeKind::StepwiseStars,
                bands: stars(),
                one_step: true,
                new_org_lowest: true,
                rules: "GRADE-10、GRADE-11".into(),
                ..base
            },
            // GRADE-01; the bounds are a design default
            "three_grades" => Scheme {
                kind: SchemeKind::ThreeGrades,
                bands: vec![band("advanced", "先进", 85), band("average", "一般", 60), band("backward", "后进", 0)],
                rules: "GRADE-01".into(),
                ..base
            },
            _ => return None,
        })
    }

    pub fn position(&self, code: &str) -> Option<usize> {
        self.bands.iter().position(|b| b.code == code)
    }
    pub fn label(&self, code: &str) -> String {
        self.bands.iter().find(|b| b.code == code).map_or_else(|| code.to_string(), |b| b.label.clone())
    }
    pub fn lowest(&self) -> usize {
        self.bands.len().saturating_sub(1)
    }

    /// The grade a total earns by score alone.
    pub fn by_score(&self, total_milli: i64) -> usize {
        self.bands.iter().position(|b| total_milli >= b.min_milli).unwrap_or(self.lowest())
    }

    /// Check a scheme as a 组织部 sets it.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::default();
        if self.bands.len() < 2 {
            e.push("等次", "至少须有两个等次");
        }
        for w in self.bands.windows(2) {
            if w[1].min_milli >= w[0].min_milli {
                e.push("等次", format!("“{}”的分数下限须低于“{}”", w[1].label, w[0].label));
            }
        }
        if self.bands.last().is_some_and(|b| b.min_milli != 0) {
            e.push("等次", "最低等次的分数下限须为 0");
        }
        if self.bands.iter().any(|b| b.code.trim().is_empty() || b.label.trim().is_empty()) {
            e.push("等次", "每个等次须有代码和名称");
        }
        if !(1..=30).contains(&self.publicity_days) {
            e.push("公示天数", "公示天数须在 1 至 30 天之间");
        }
        if let Some(c) = &self.cap {
            if self.position(&c.at_most).is_none() {
                e.push("满意率封顶", format!("等次“{}”不在本方案中", c.at_most));
            }
            if !(1..=1000).contains(&c.below_permille) {
                e.push("满意率封顶", "满意率界限须在 0.1% 至 100% 之间");
            }
        }
        if let Some(q) = &self.top_quota {
            if self.position(&q.band).is_none() {
                e.push("比例上限", format!("等次“{}”不在本方案中", q.band));
            }
        }
        if let Some(q) = &self.bottom_quota {
            if self.position(&q.band).is_none() {
                e.push("比例下限", format!("等次“{}”不在本方案中", q.band));
            }
        }
        if self.combine == Combine::Weighted && self.weights.iter().map(|(_, w)| *w).sum::<i64>() != 1000 {
            e.push("评分权重", "各评分主体的权重之和须为 100%");
        }
        e.into_result(())
    }
}

/// Combine several assessors' totals (in thousandths of a point) into one, by the scheme's rule.
/// A weighted combination reweighs over the kinds that did score.
pub fn combine(scheme: &Scheme, totals: &[(AssessorKind, i64)]) -> Option<i64> {
    if totals.is_empty() {
        return None;
    }
    let mean = |v: &[i64]| (v.iter().sum::<i64>() as f64 / v.len() as f64).round() as i64;
    Some(match scheme.combine {
        Combine::Mean => mean(&totals.iter().map(|t| t.1).collect::<Vec<_>>()),
        Combine::TrimmedMean => {
            let mut v: Vec<i64> = totals.iter().map(|t| t.1).collect();
            v.sort_unstable();
            if v.len() >= 3 {
                v.remove(0);
                v.pop();
            }
            mean(&v)
        }
        Combine::Weighted => {
            let (mut sum, mut weight) = (0.0, 0i64);
            for kind in AssessorKind::ALL {
                let of: Vec<i64> = totals.iter().filter(|t| t.0 == *kind).map(|t| t.1).collect();
                let w = scheme.weights.iter().find(|(k, _)| k == kind).map_or(0, |(_, w)| *w);
                if !of.is_empty() && w > 0 {
                    sum += mean(&of) as f64 * w as f64;
                    weight += w;
                }
            }
            if weight == 0 {
                mean(&totals.iter().map(|t| t.1).collect::<Vec<_>>())
            } else {
                (sum / weight as f64).round() as i64
            }
        }
    })
}

/// What [`apply`] is given about one organization.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub total_milli: i64,
    pub satisfaction_permille: Option<i64>,
    /// The veto items hit (labels).
    pub vetoes: Vec<String>,
    /// Last year's final grade (a code of this scheme), if any.
    pub last_grade: Option<String>,
    /// 破格: the recorded reason for rising more than one step.
    pub exceptional: Option<String>,
    /// Founded in the cycle's year and never graded.
    pub new_org: bool,
}

/// A rule that lowered the grade, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lowered {
    pub rule: String,
    pub why: String,
}

/// The grade, the grade the score alone earned, and the rules that lowered it (in the order applied).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub grade: String,
    pub by_score: String,
    pub lowered: Vec<Lowered>,
}

impl Outcome {
    /// The rule IDs that lowered the grade, joined: what the entry keeps as `lowered_by`.
    pub fn lowered_by(&self) -> String {
        self.lowered.iter().map(|l| l.rule.as_str()).collect::<Vec<_>>().join("、")
    }
}

/// Apply a scheme to one organization's facts: the score's grade, then the vetoes (一票否决: the
/// lowest grade), the satisfaction cap (GRADE-06), one step at a time (GRADE-11, unless 破格 with
/// a reason) and new organizations (GRADE-11). Each rule that actually lowers the grade is named.
pub fn apply(s: &Scheme, f: &Facts) -> Outcome {
    let score = s.by_score(f.total_milli);
    let mut at = score;
    let mut lowered = Vec::new();
    let mut lower = |at: &mut usize, to: usize, rule: &str, why: String| {
        if to > *at {
            *at = to;
            lowered.push(Lowered { rule: rule.into(), why });
        }
    };
    if !f.vetoes.is_empty() {
        lower(&mut at, s.lowest(), "一票否决", format!("触及一票否决事项：{}", f.vetoes.join("、")));
    }
    if let (Some(cap), Some(rate)) = (&s.cap, f.satisfaction_permille) {
        if rate < cap.below_permille {
            if let Some(max) = s.position(&cap.at_most) {
                lower(
                    &mut at,
                    max,
                    &cap.rule,
                    format!(
                        "群众满意率 {} 低于 {}，最高评为“{}”",
                        permille_text(rate),
                        permille_text(cap.below_permille),
                        s.bands[max].label
                    ),
                );
            }
        }
    }
    if s.new_org_lowest && f.new_org && f.last_grade.is_none() {
        lower(&mut at, s.lowest(), "GRADE-11", "新建党组织当年不定级".into());
    }
    if s.one_step && !f.new_org {
        let exceptional = f.exceptional.as_deref().is_some_and(|r| !r.trim().is_empty());
        let last = f.last_grade.as_deref().and_then(|c| s.position(c)).unwrap_or(s.lowest());
        let max = last.saturating_sub(1);
        if !exceptional {
            let last_label = f.last_grade.as_deref().map_or("未定级".to_string(), |c| s.label(c));
            lower(
                &mut at,
                max,
                "GRADE-11",
                format!("上年为“{last_label}”，每年最多晋升一级（未经破格），最高评为“{}”", s.bands[max].label),
            );
        }
    }
    Outcome { grade: s.bands[at].code.clone(), by_score: s.bands[score].code.clone(), lowered }
}

/// `89.9%`.
pub fn permille_text(p: i64) -> String {
    if p % 10 == 0 {
        format!("{}%", p / 10)
    } else {
        format!("{}.{}%", p / 10, p % 10)
    }
}

/// `89.99` from thousandths of a point.
pub fn points_text(milli: i64) -> String {
    crate::campaign::indicator::fmt_milli(milli)
}

/// One graded organization, for the quotas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graded {
    pub grade: String,
    pub community: bool,
}

/// The quotas of a scheme checked over one cycle's grades: warnings to the assessors (GRADE-10),
/// never a demotion.
pub fn quota_warnings(s: &Scheme, graded: &[Graded]) -> Vec<String> {
    let mut out = Vec::new();
    let n = graded.len() as i64;
    if n == 0 {
        return out;
    }
    if let Some(q) = &s.top_quota {
        let k = graded.iter().filter(|g| g.grade == q.band).count() as i64;
        if k * 1000 > q.max_permille * n {
            out.push(format!(
                "“{}”{} 个，占 {}，超过比例上限 {}（GRADE-10），请评定组复核",
                s.label(&q.band),
                k,
                permille_text(k * 1000 / n),
                permille_text(q.max_permille)
            ));
        }
    }
    if let Some(q) = &s.bottom_quota {
        let Some(at) = s.position(&q.band) else { return out };
        for (community, min, who) in
            [(true, q.community_min_permille, "社区党组织"), (false, q.other_min_permille, "其他党组织")]
        {
            let of: Vec<&Graded> = graded.iter().filter(|g| g.community == community).collect();
            if of.is_empty() || min == 0 {
                continue;
            }
            let m = of.len() as i64;
            let k = of.iter().filter(|g| s.position(&g.grade).is_some_and(|p| p >= at)).count() as i64;
            if k * 1000 < min * m {
                out.push(format!(
                    "{who}中“{}”及以下 {} 个，占 {}，低于比例下限 {}（GRADE-10），请评定组复核",
                    s.label(&q.band),
                    k,
                    permille_text(k * 1000 / m),
                    permille_text(min)
                ));
            }
        }
    }
    out
}

/// The last day of `year`: a scheme version applies to a cycle of `year` when it began by then.
pub fn year_end(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).expect("valid date")
}

/// The version in force for a cycle of `year` among `(effective_from, version)`: the latest one
/// that began in or before the year.
pub fn in_force<T>(versions: &[(NaiveDate, T)], year: i32) -> Option<&T> {
    versions.iter().filter(|(d, _)| *d <= year_end(year)).max_by_key(|(d, _)| *d).map(|(_, v)| v)
}

crate::labelled_enum! {
    /// Where an organization stands in a cycle.
    EntryState {
        Open = "open", "评定中";
        Returned = "returned", "已退回";
        Graded = "graded", "已计算";
        Publicity = "publicity", "公示中";
        Final = "final", "已定级";
    }
}

/// Parse a points value typed by a user (`89.5`) into thousandths, between 0 and `max` points.
pub fn parse_points(s: &str, field: &'static str, max_milli: i64, e: &mut FieldErrors) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        e.push(field, "请填写分数");
        return None;
    }
    match crate::campaign::indicator::parse_milli(s) {
        Some(v) if (0..=max_milli).contains(&v) => Some(v),
        Some(_) => {
            e.push(field, format!("分数须在 0 至 {} 之间", points_text(max_milli)));
            None
        }
        None => {
            e.push(field, format!("“{s}”不是有效的分数"));
            None
        }
    }
}

/// Parse a rate typed as a percentage (`92.5`) into permille.
pub fn parse_percent(s: &str, field: &'static str, e: &mut FieldErrors) -> Option<i64> {
    let s = s.trim().trim_end_matches('%');
    match s.parse::<f64>() {
        Ok(v) if (0.0..=100.0).contains(&v) => Some((v * 10.0).round() as i64),
        Ok(_) => {
            e.push(field, "须在 0 至 100 之间");
            None
        }
        Err(_) => {
            e.push(field, format!("“{s}”不是有效的百分比"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points() -> Scheme {
        Scheme::preset("points").unwrap()
    }
    fn facts(total: i64) -> Facts {
        Facts { total_milli: total, ..Default::default() }
    }

    #[test]
    fn presets_validate() {
        for (code, _) in PRESETS {
            Scheme::preset(code).unwrap().validate().unwrap();
        }
        assert_eq!(Scheme::preset("points").unwrap().publicity_days, 5); // GRADE-11
    }

    #[test]
    fn points_bounds_both_sides() {
        // GRADE-05: ≥90 好, 80–89 较好, 60–79 一般, <60 较差
        let s = points();
        for (total, grade) in [
            (100_000, "good"),
            (90_000, "good"),
            (89_990, "fair"),
            (80_000, "fair"),
            (79_990, "average"),
            (60_000, "average"),
            (59_990, "poor"),
            (0, "poor"),
        ] {
            let o = apply(&s, &facts(total));
            assert_eq!(o.grade, grade, "{total}");
            assert!(o.lowered.is_empty());
        }
    }

    #[test]
    fn satisfaction_caps_at_average() {
        // GRADE-06: rate < 90 % ⇒ at most 一般
        let s = points();
        let o = apply(&s, &Facts { total_milli: 95_000, satisfaction_permille: Some(899), ..Default::default() });
        assert_eq!(o.grade, "average");
        assert_eq!(o.by_score, "good");
        assert_eq!(o.lowered_by(), "GRADE-06");
        let o = apply(&s, &Facts { total_milli: 95_000, satisfaction_permille: Some(900), ..Default::default() });
        assert_eq!(o.grade, "good");
        assert!(o.lowered.is_empty());
        // a cap that does not lower is not named
        let o = apply(&s, &Facts { total_milli: 70_000, satisfaction_permille: Some(500), ..Default::default() });
        assert_eq!(o.grade, "average");
        assert!(o.lowered.is_empty());
    }

    #[test]
    fn veto_lowers_to_the_lowest() {
        let s = points();
        let o = apply(&s, &Facts { total_milli: 98_000, vetoes: vec!["发生严重违纪".into()], ..Default::default() });
        assert_eq!(o.grade, "poor");
        assert_eq!(o.lowered_by(), "一票否决");
    }

    #[test]
    fn scored_stars_bounds() {
        // GRADE-10: 95/85/75/65/60 → ★5…★1, <60 none
        let s = Scheme::preset("scored_stars").unwrap();
        for (total, grade) in [
            (95_000, "star5"),
            (94_990, "star4"),
            (85_000, "star4"),
            (84_990, "star3"),
            (75_000, "star3"),
            (74_990, "star2"),
            (65_000, "star2"),
            (64_990, "star1"),
            (60_000, "star1"),
            (59_990, "none"),
        ] {
            assert_eq!(apply(&s, &facts(total)).grade, grade, "{total}");
        }
    }

    #[test]
    fn one_star_at_a_time_unless_exceptional() {
        // GRADE-11
        let s = Scheme::preset("stepwise_stars").unwrap();
        let f = Facts { total_milli: 96_000, last_grade: Some("star2".into()), ..Default::default() };
        let o = apply(&s, &f);
        assert_eq!(o.grade, "star3");
        assert_eq!(o.lowered_by(), "GRADE-11");
        let o = apply(&s, &Facts { exceptional: Some("获评全国先进基层党组织".into()), ..f.clone() });
        assert_eq!(o.grade, "star5");
        assert!(o.lowered.is_empty());
        // an empty reason is no 破格
        let o = apply(&s, &Facts { exceptional: Some("  ".into()), ..f });
        assert_eq!(o.grade, "star3");
        // falling is never limited
        let o = apply(&s, &Facts { total_milli: 61_000, last_grade: Some("star5".into()), ..Default::default() });
        assert_eq!(o.grade, "star1");
        // no grade last year: at most one star
        let o = apply(&s, &facts(99_000));
        assert_eq!(o.grade, "star1");
    }

    #[test]
    fn new_org_no_star() {
        // GRADE-11
        let s = Scheme::preset("stepwise_stars").unwrap();
        let o = apply(&s, &Facts { total_milli: 99_000, new_org: true, ..Default::default() });
        assert_eq!(o.grade, "none");
        assert_eq!(o.lowered_by(), "GRADE-11");
    }

    #[test]
    fn quotas_warn_never_demote() {
        // GRADE-10: ★5 ≤ 10 %; bottom ≥ 10 % communities, ≥ 5 % others
        let s = Scheme::preset("scored_stars").unwrap();
        let mut g: Vec<Graded> = (0..10).map(|_| Graded { grade: "star3".into(), community: false }).collect();
        g[0].grade = "star5".into();
        g[1].grade = "none".into();
        assert!(quota_warnings(&s, &g).is_empty());
        g[2].grade = "star5".into();
        let w = quota_warnings(&s, &g);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("五星") && w[0].contains("20%"));
        // ten communities, none at the bottom
        let c: Vec<Graded> = (0..10).map(|_| Graded { grade: "star3".into(), community: true }).collect();
        let w = quota_warnings(&s, &c);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("社区党组织"));
        // the grades themselves are untouched: quotas are a separate reading
        assert_eq!(apply(&s, &facts(99_000)).grade, "star5");
    }

    #[test]
    fn combining_assessors() {
        let mut s = points();
        let t = [(AssessorKind::SelfAssessment, 100_000), (AssessorKind::Superior, 80_000)];
        assert_eq!(combine(&s, &t), Some(86_000)); // 30 % / 70 %
        assert_eq!(combine(&s, &t[1..]), Some(80_000)); // reweighs over who scored
        s.combine = Combine::Mean;
        assert_eq!(combine(&s, &t), Some(90_000));
        s.combine = Combine::TrimmedMean;
        let t3 = [
            (AssessorKind::Panel, 70_000),
            (AssessorKind::Panel, 90_000),
            (AssessorKind::Panel, 99_000),
            (AssessorKind::Panel, 80_000),
        ];
        assert_eq!(combine(&s, &t3), Some(85_000));
        assert_eq!(combine(&s, &[]), None);
    }

    #[test]
    fn version_in_force_by_year() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let v = [(d(2024, 1, 1), "a"), (d(2026, 7, 1), "b"), (d(2027, 1, 1), "c")];
        assert_eq!(in_force(&v, 2025), Some(&"a"));
        assert_eq!(in_force(&v, 2026), Some(&"b"));
        assert_eq!(in_force(&v, 2027), Some(&"c"));
        assert_eq!(in_force(&v, 2023), None);
    }

    #[test]
    fn scheme_validation_names_fields() {
        let mut s = points();
        s.bands[1].min_milli = 95_000;
        s.publicity_days = 0;
        let e = s.validate().unwrap_err();
        assert!(e.has("等次") && e.has("公示天数") && !e.has("评分权重"));
        let mut s = points();
        s.weights = vec![(AssessorKind::Superior, 500)];
        assert!(s.validate().unwrap_err().has("评分权重"));
    }

    #[test]
    fn parsing_inputs() {
        let mut e = FieldErrors::default();
        assert_eq!(parse_points("89.99", "得分", 100_000, &mut e), Some(89_990));
        assert_eq!(parse_points("101", "得分", 100_000, &mut e), None);
        assert_eq!(parse_percent("92.5%", "满意率", &mut e), Some(925));
        assert_eq!(parse_percent("abc", "满意率", &mut e), None);
        assert_eq!(e.0.len(), 2);
    }
}
