//! 创建标准 and the indicator source registry.
//!
//! An indicator reads its value from one registered source: either computed from what the
//! platform holds, for any organization's subtree as of any date (facility coverage, the
//! organization-life completion rate, demonstration sites, training coverage, funding …), or
//! reported by the organization with evidence and accepted by its superior. Every assessment
//! reads recorded work through this registry; a capability that records work adds its sources
//! here, and the store answers them ([`Source::code`] is what the store matches on).
//!
//! A standard is a dated version of weighted indicators: a round uses the version in force on its
//! date, so changing the standard never rewrites a past round.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{date, int, text};
use crate::FieldErrors;

/// Where a value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Origin {
    /// Computed from the platform's records, as of the round's date.
    Computed,
    /// Entered by the organization with evidence; counts once its superior accepts it.
    Reported,
}

/// One registered source.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Source {
    pub code: &'static str,
    pub label: &'static str,
    pub origin: Origin,
    /// What the value is counted in (`%`, `个`, `万元` …); empty: the indicator says.
    pub unit: &'static str,
    /// Higher values are better (coverage) or lower (findings).
    pub higher_is_better: bool,
    /// What the parameter chooses, if the source takes one, with its allowed values.
    pub param: Option<(&'static str, &'static [(&'static str, &'static str)])>,
    pub describe: &'static str,
}

/// Facility kinds a coverage indicator may count: the service network of speech 000.
pub const FACILITY_PARAMS: &[(&str, &str)] =
    &[("service_center", "乡镇（街道）党务政务综合服务中心"), ("service_station", "村（社区）党员群众综合服务站")];

/// Organization-life types a completion rate may be limited to (empty: every type).
pub const LIFE_PARAMS: &[(&str, &str)] = &[
    ("", "全部类型"),
    ("general_meeting", "党员大会"),
    ("committee_meeting", "支委会"),
    ("group_meeting", "党小组会"),
    ("party_lecture", "党课"),
    ("theme_day", "主题党日"),
    ("life_meeting", "组织生活会"),
];

pub const SITE_PARAMS: &[(&str, &str)] =
    &[("", "各级"), ("province", "省级"), ("city", "市级"), ("county", "县级"), ("township", "乡镇级")];

/// The registry. Later capabilities (grading, pairing, requests) add theirs here.
pub const SOURCES: &[Source] = &[
    Source {
        code: "facility_coverage",
        label: "服务阵地覆盖率",
        origin: Origin::Computed,
        unit: "%",
        higher_is_better: true,
        param: Some(("阵地类型", FACILITY_PARAMS)),
        describe:
            "乡镇（街道）建成党务政务综合服务中心、村（社区）建成党员群众综合服务站的比例（按建成年份计至统计日）",
    },
    Source {
        code: "life_completion",
        label: "组织生活完成率",
        origin: Origin::Computed,
        unit: "%",
        higher_is_better: true,
        param: Some(("组织生活类型", LIFE_PARAMS)),
        describe: "统计日所在年度截至统计日，应召开的组织生活中已按要求召开的比例（合规引擎判定）",
    },
    Source {
        code: "life_findings",
        label: "组织生活问题数",
        origin: Origin::Computed,
        unit: "条",
        higher_is_better: false,
        param: None,
        describe: "统计日所在年度截至统计日，合规引擎发现的问题条数（每个党组织平均）",
    },
    Source {
        code: "training_coverage",
        label: "支部书记轮训覆盖率",
        origin: Origin::Computed,
        unit: "%",
        higher_is_better: true,
        param: None,
        describe: "统计日在任的党支部书记（班子成员记录）中，当年参加培训班并结业的比例",
    },
    Source {
        code: "demo_sites",
        label: "示范点数量",
        origin: Origin::Computed,
        unit: "个",
        higher_is_better: true,
        param: Some(("示范点级别", SITE_PARAMS)),
        describe: "统计日有效的示范点个数（已命名、未撤销）",
    },
    Source {
        code: "funding",
        label: "投入经费",
        origin: Origin::Computed,
        unit: "万元",
        higher_is_better: true,
        param: None,
        describe: "本活动截至统计日所在年度的累计投入经费",
    },
    Source {
        code: "task_completion",
        label: "任务完成率",
        origin: Origin::Computed,
        unit: "%",
        higher_is_better: true,
        param: None,
        describe: "本活动截至统计日已到期的任务（含分解到下级的任务）中，统计日前经布置单位审核确认完成的比例",
    },
    Source {
        code: "innovation_list",
        label: "创新清单",
        origin: Origin::Computed,
        unit: "份",
        higher_is_better: true,
        param: None,
        describe: "统计日所在年度，参与单位截至统计日已提交、且不属于内容简单应付（条目数、措施、里程碑符合提交当日的规则 INNO-02 至 INNO-04）的创新清单：有为 1，无为 0",
    },
    Source {
        code: "reported",
        label: "填报指标",
        origin: Origin::Reported,
        unit: "",
        higher_is_better: true,
        param: None,
        describe: "由党组织填报数值并附佐证材料，上级审核通过后计入；取统计日前最近一次通过的填报",
    },
];

pub fn source(code: &str) -> Option<&'static Source> {
    SOURCES.iter().find(|s| s.code == code)
}

crate::labelled_enum! {
    /// How a value becomes a score.
    Scoring {
        Linear = "linear", "按目标值线性计分";
        Steps = "steps", "分档计分";
        YesNo = "yes_no", "达标即得分";
    }
}

/// One indicator of a standard version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub code: String,
    pub label: String,
    pub source: String,
    pub param: String,
    /// Points at full score.
    pub weight: i64,
    pub scoring: Scoring,
    /// Target value, in thousandths (92.2 % = 92200).
    pub target_milli: i64,
    /// Thresholds (value in thousandths, share of the weight in thousandths), for `Steps`.
    pub steps: Vec<(i64, i64)>,
    /// The unit shown; a computed source's own unless a reported indicator names one.
    pub unit: String,
}

impl Indicator {
    pub fn source(&self) -> Option<&'static Source> {
        source(&self.source)
    }
    pub fn higher_is_better(&self) -> bool {
        self.source().is_none_or(|s| s.higher_is_better)
    }

    /// The score of `value` (in the indicator's unit), between 0 and `weight`.
    pub fn score(&self, value: f64) -> f64 {
        let w = self.weight as f64;
        let target = self.target_milli as f64 / 1000.0;
        let hi = self.higher_is_better();
        let share = match self.scoring {
            Scoring::Linear => {
                if hi {
                    if target <= 0.0 {
                        1.0
                    } else {
                        (value / target).clamp(0.0, 1.0)
                    }
                } else if value <= target {
                    1.0
                } else {
                    // at twice the ceiling, nothing
                    (1.0 - (value - target) / target.max(1.0)).clamp(0.0, 1.0)
                }
            }
            Scoring::YesNo => {
                if (hi && value >= target) || (!hi && value <= target) {
                    1.0
                } else {
                    0.0
                }
            }
            Scoring::Steps => {
                let v = (value * 1000.0).round() as i64;
                let hit = if hi {
                    self.steps.iter().filter(|(t, _)| v >= *t).max_by_key(|(t, _)| *t)
                } else {
                    self.steps.iter().filter(|(t, _)| v <= *t).min_by_key(|(t, _)| *t)
                };
                hit.map_or(0.0, |(_, s)| *s as f64 / 1000.0)
            }
        };
        (w * share * 1000.0).round() / 1000.0
    }

    /// `目标 90%`, `达标 1个`, `分档 ≥80%:60%、≥90%:100%`.
    pub fn rule_text(&self) -> String {
        let t = fmt_milli(self.target_milli);
        let cmp = if self.higher_is_better() { "≥" } else { "≤" };
        match self.scoring {
            Scoring::Linear => format!("按目标 {t}{} 线性计分", self.unit),
            Scoring::YesNo => format!("{cmp}{t}{} 得满分", self.unit),
            Scoring::Steps => {
                let parts: Vec<String> = self
                    .steps
                    .iter()
                    .map(|(v, s)| format!("{cmp}{}{}得{}%", fmt_milli(*v), self.unit, fmt_milli(*s * 100)))
                    .collect();
                format!("分档：{}", parts.join("、"))
            }
        }
    }
}

/// A number in thousandths written plainly (92200 → `92.2`).
pub fn fmt_milli(v: i64) -> String {
    let s = format!("{:.3}", v as f64 / 1000.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A number as typed (`92.2`, `92.2%`) in thousandths.
pub fn parse_milli(s: &str) -> Option<i64> {
    let s = s.trim().trim_end_matches(['%', '％']).trim();
    let v: f64 = s.parse().ok()?;
    (v.is_finite() && v.abs() < 1e12).then(|| (v * 1000.0).round() as i64)
}

/// An indicator as typed: one a line in the standard form, `编码|名称|来源|参数|权重|计分|目标|分档|单位`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IndicatorInput {
    pub code: String,
    pub label: String,
    pub source: String,
    #[serde(default)]
    pub param: String,
    pub weight: String,
    pub scoring: String,
    pub target: String,
    #[serde(default)]
    pub steps: String,
    #[serde(default)]
    pub unit: String,
}

/// A standard version as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StandardInput {
    pub valid_from: String,
    #[serde(default)]
    pub note: String,
    pub indicators: Vec<IndicatorInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidStandard {
    pub valid_from: NaiveDate,
    pub note: String,
    pub indicators: Vec<Indicator>,
}

impl StandardInput {
    /// Read the indicator lines of the standard form (`|` or tab separated).
    pub fn from_lines(valid_from: &str, note: &str, lines: &str) -> StandardInput {
        let indicators = lines
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let p: Vec<String> = l.split(['|', '\t']).map(|s| s.trim().to_string()).collect();
                let g = |i: usize| p.get(i).cloned().unwrap_or_default();
                IndicatorInput {
                    code: g(0),
                    label: g(1),
                    source: g(2),
                    param: g(3),
                    weight: g(4),
                    scoring: g(5),
                    target: g(6),
                    steps: g(7),
                    unit: g(8),
                }
            })
            .collect();
        StandardInput { valid_from: valid_from.into(), note: note.into(), indicators }
    }

    pub fn validate(&self) -> Result<ValidStandard, FieldErrors> {
        let mut e = FieldErrors::default();
        let valid_from = date(&mut e, "生效日期", &self.valid_from);
        let note = text(&mut e, "说明", &self.note, false, 500);
        if self.indicators.is_empty() {
            e.push("指标", "至少一项指标");
        }
        if self.indicators.len() > 60 {
            e.push("指标", "不超过 60 项指标");
        }
        let mut out = Vec::new();
        let mut total = 0;
        for (i, x) in self.indicators.iter().enumerate() {
            let n = i + 1;
            let mut bad = |m: String| e.push("指标", format!("第 {n} 项：{m}"));
            let code = x.code.trim().to_string();
            if code.is_empty()
                || code.len() > 30
                || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                bad(format!("编码“{code}”应为 1 至 30 位字母、数字、下划线"));
            } else if out.iter().any(|o: &Indicator| o.code == code) {
                bad(format!("编码“{code}”重复"));
            }
            let label = crate::member::normalize_text(&x.label);
            if label.is_empty() || label.chars().count() > 60 {
                bad("名称必填，不超过 60 个字".into());
            }
            let src = SOURCES.iter().find(|s| s.code == x.source.trim() || s.label == x.source.trim());
            let Some(src) = src else {
                bad(format!(
                    "来源“{}”不在指标来源目录中（{}）",
                    x.source.trim(),
                    SOURCES.iter().map(|s| s.label).collect::<Vec<_>>().join("、")
                ));
                continue;
            };
            let param = x.param.trim().to_string();
            let param = match src.param {
                Some((what, allowed)) => match allowed.iter().find(|(c, l)| *c == param || *l == param) {
                    Some((c, _)) => c.to_string(),
                    None => {
                        bad(format!(
                            "{what}“{param}”应为 {}",
                            allowed.iter().map(|(_, l)| *l).collect::<Vec<_>>().join("、")
                        ));
                        String::new()
                    }
                },
                None => String::new(),
            };
            let weight = match x.weight.trim().parse::<i64>() {
                Ok(w) if (1..=100).contains(&w) => w,
                _ => {
                    bad(format!("权重“{}”应为 1 至 100 的整数", x.weight.trim()));
                    0
                }
            };
            total += weight;
            let scoring = match Scoring::parse(&x.scoring) {
                Some(s) => s,
                None => {
                    bad(format!("计分方式“{}”应为 {}", x.scoring.trim(), Scoring::labels()));
                    Scoring::Linear
                }
            };
            let target_milli = match parse_milli(&x.target) {
                Some(t) if t >= 0 => t,
                _ => {
                    bad(format!("目标值“{}”应为不小于 0 的数", x.target.trim()));
                    0
                }
            };
            let mut steps = Vec::new();
            if scoring == Scoring::Steps {
                for part in x.steps.split(['、', ',', '，', ';']).filter(|p| !p.trim().is_empty()) {
                    let kv: Vec<&str> = part.split([':', '：']).collect();
                    match (kv.first().and_then(|v| parse_milli(v)), kv.get(1).and_then(|v| parse_milli(v))) {
                        (Some(v), Some(s)) if (0..=100_000).contains(&s) => steps.push((v, s / 100)),
                        _ => bad(format!("分档“{part}”应写作 数值:得分百分比，如 90:100")),
                    }
                }
                if steps.is_empty() {
                    bad("分档计分须填写分档，如 80:60、90:100".into());
                }
                steps.sort();
            }
            let unit = match (src.unit, crate::member::normalize_text(&x.unit)) {
                ("", u) if u.is_empty() => "".to_string(),
                ("", u) => u,
                (s, _) => s.to_string(),
            };
            out.push(Indicator {
                code,
                label,
                source: src.code.to_string(),
                param,
                weight,
                scoring,
                target_milli,
                steps,
                unit,
            });
        }
        if total > 1000 {
            e.push("指标", format!("权重合计 {total}，不超过 1000"));
        }
        let _ = int;
        e.into_result(ValidStandard { valid_from: valid_from.unwrap_or_default(), note, indicators: out })
    }
}

/// The version of a standard in force on `on`: the latest whose `valid_from` is not after it.
pub fn in_force<T>(versions: &[(NaiveDate, T)], on: NaiveDate) -> Option<&T> {
    versions.iter().filter(|(d, _)| *d <= on).max_by_key(|(d, _)| *d).map(|(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ind(source: &str, scoring: Scoring, target: i64, steps: Vec<(i64, i64)>) -> Indicator {
        Indicator {
            code: "x".into(),
            label: "x".into(),
            source: source.into(),
            param: String::new(),
            weight: 20,
            scoring,
            target_milli: target,
            steps,
            unit: "%".into(),
        }
    }

    #[test]
    fn linear_scores_up_to_the_target() {
        let i = ind("facility_coverage", Scoring::Linear, 90_000, vec![]);
        assert_eq!(i.score(45.0), 10.0);
        assert_eq!(i.score(95.0), 20.0);
        assert_eq!(i.score(0.0), 0.0);
    }

    #[test]
    fn lower_is_better_for_findings() {
        let i = ind("life_findings", Scoring::YesNo, 2_000, vec![]);
        assert_eq!(i.score(1.5), 20.0);
        assert_eq!(i.score(2.5), 0.0);
        let s = ind("life_findings", Scoring::Steps, 0, vec![(1_000, 1_000), (3_000, 500)]);
        assert_eq!(s.score(0.5), 20.0);
        assert_eq!(s.score(2.0), 10.0);
        assert_eq!(s.score(4.0), 0.0);
    }

    #[test]
    fn steps_take_the_highest_threshold_reached() {
        let i = ind("facility_coverage", Scoring::Steps, 0, vec![(80_000, 600), (90_000, 1000)]);
        assert_eq!(i.score(79.9), 0.0);
        assert_eq!(i.score(85.0), 12.0);
        assert_eq!(i.score(92.2), 20.0);
    }

    #[test]
    fn a_standard_names_the_indicator_and_field_at_fault() {
        let s = StandardInput::from_lines(
            "2026-01-01",
            "",
            "centers|乡镇服务中心覆盖率|facility_coverage|service_center|30|linear|90\n\
             stations|村级服务站覆盖率|服务阵地覆盖率|村（社区）党员群众综合服务站|30|分档计分|0|60:50、80:100\n\
             life|组织生活完成率|life_completion||40|yes_no|95%",
        )
        .validate()
        .unwrap();
        assert_eq!(s.indicators.len(), 3);
        assert_eq!(s.indicators[1].param, "service_station");
        assert_eq!(s.indicators[1].steps, vec![(60_000, 500), (80_000, 1000)]);
        assert_eq!(s.indicators[2].target_milli, 95_000);
        let bad = StandardInput::from_lines(
            "2026-13-01",
            "",
            "a|甲|nowhere||0|linear|1\na|乙|facility_coverage|x|10|linear|1",
        )
        .validate()
        .unwrap_err();
        let text = format!("{bad:?}");
        assert!(bad.has("生效日期") && text.contains("第 1 项：来源") && text.contains("第 2 项：阵地类型"), "{text}");
    }

    #[test]
    fn the_version_in_force_is_the_latest_begun() {
        let d = |m| NaiveDate::from_ymd_opt(2026, m, 1).unwrap();
        let v = vec![(d(1), "a"), (d(7), "b")];
        assert_eq!(in_force(&v, d(6)), Some(&"a"));
        assert_eq!(in_force(&v, d(7)), Some(&"b"));
        assert_eq!(in_force(&v, NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()), None);
    }
}
