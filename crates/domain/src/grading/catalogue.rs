//! The indicator catalogue of a grading scheme: what is scored, with how many points, and how.
//! Versioned data like the scheme; GRADE-04's seven indicators are the preset.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::campaign::indicator::{Indicator, Scoring};
use crate::FieldErrors;

crate::labelled_enum! {
    /// How an item gets its points.
    ItemKind {
        Assessed = "assessed", "评定";
        Computed = "computed", "系统计算";
        Satisfaction = "satisfaction", "满意率折算";
        Bonus = "bonus", "加分";
        Deduction = "deduction", "减分";
        Veto = "veto", "一票否决";
    }
}

/// One item of a catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueItem {
    pub code: String,
    pub label: String,
    pub kind: ItemKind,
    /// Full points (thousandths): an indicator's weight, a bonus's or deduction's most.
    pub max_milli: i64,
    pub guidance: String,
    /// For computed items: the registry source, its parameter and the target earning full points.
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub param: String,
    #[serde(default)]
    pub target_milli: i64,
}

/// A catalogue version: items, and caps on the bonus and deduction sums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub items: Vec<CatalogueItem>,
    pub bonus_cap_milli: i64,
    pub deduction_cap_milli: i64,
}

fn item(code: &str, label: &str, kind: ItemKind, max: i64, guidance: &str) -> CatalogueItem {
    CatalogueItem {
        code: code.into(),
        label: label.into(),
        kind,
        max_milli: max * 1000,
        guidance: guidance.into(),
        source: String::new(),
        param: String::new(),
        target_milli: 0,
    }
}

/// The sources a computed item may read: the registry's computed sources that need no campaign,
/// a campaign's published dispatch round total and its task completion (parameter: the campaign's
/// id), so the creation campaign's results and tasks feed the grade.
pub const ROUND_TOTAL: &str = "round_total";

/// A campaign's task completion (parameter: the campaign's id): the share of its tasks due by the
/// cycle's date assigned within the organization's subtree and confirmed done.
pub const TASK_COMPLETION: &str = "task_completion";

pub fn computable(source: &str) -> bool {
    matches!(source, "facility_coverage" | "life_completion" | "life_findings" | "training_coverage" | "demo_sites")
        || source == ROUND_TOTAL
        || source == TASK_COMPLETION
}

pub fn source_label(source: &str) -> &'static str {
    if source == ROUND_TOTAL {
        "创建活动调度总分"
    } else {
        crate::campaign::indicator::source(source).map_or("未知来源", |s| s.label)
    }
}

impl Catalogue {
    /// GRADE-04: the seven indicators, 100 points, with bonus, deduction and veto items.
    /// Three are computed from recorded work, 群众评价 from the satisfaction rate.
    pub fn preset() -> Catalogue {
        let mut life = item(
            "work_system",
            "工作制度",
            ItemKind::Computed,
            15,
            "三会一课等组织生活按规定召开的比例（合规引擎判定），达到 100% 得满分",
        );
        life.source = "life_completion".into();
        life.target_milli = 100_000;
        let mut site = item(
            "venue",
            "活动阵地",
            ItemKind::Computed,
            10,
            "村（社区）党员群众综合服务站建成情况，覆盖率 100% 得满分",
        );
        site.source = "facility_coverage".into();
        site.param = "service_station".into();
        site.target_milli = 100_000;
        Catalogue {
            items: vec![
                item("leader", "党组织带头人", ItemKind::Assessed, 15, "书记政治素质、履职能力、群众威信"),
                item("thinking", "工作思路", ItemKind::Assessed, 10, "年度计划清楚、目标明确、措施具体"),
                life,
                site,
                item("support", "保障机制", ItemKind::Assessed, 10, "经费、报酬、办公条件等保障落实"),
                item("results", "工作业绩", ItemKind::Assessed, 25, "完成年度任务、服务群众、推动发展的实绩"),
                item("masses", "群众评价", ItemKind::Satisfaction, 15, "党员群众满意度测评的满意率折算"),
                item("bonus_honour", "表彰奖励", ItemKind::Bonus, 3, "受到县级以上表彰的，每项加 1 分"),
                item("bonus_innovation", "创新经验推广", ItemKind::Bonus, 2, "经验做法被上级推广的加分"),
                item("deduct_late", "工作滞后", ItemKind::Deduction, 5, "上级部署工作未按时完成的，每项减 1 分"),
                item("veto_discipline", "严重违纪违法", ItemKind::Veto, 0, "班子成员发生严重违纪违法问题"),
                item("veto_incident", "重大群体性事件", ItemKind::Veto, 0, "发生重大群体性事件或安全责任事故"),
            ],
            bonus_cap_milli: 5_000,
            deduction_cap_milli: 10_000,
        }
    }

    pub fn item(&self, code: &str) -> Option<&CatalogueItem> {
        self.items.iter().find(|i| i.code == code)
    }

    /// The items an assessor scores (assessed, bonus, deduction, veto).
    pub fn scored(&self) -> impl Iterator<Item = &CatalogueItem> {
        self.items
            .iter()
            .filter(|i| matches!(i.kind, ItemKind::Assessed | ItemKind::Bonus | ItemKind::Deduction | ItemKind::Veto))
    }

    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::default();
        if self.items.is_empty() {
            e.push("指标", "至少须有一项指标");
        }
        let mut seen = std::collections::HashSet::new();
        for i in &self.items {
            if i.code.trim().is_empty() || i.label.trim().is_empty() {
                e.push("指标", "每项指标须有代码和名称");
            }
            if !seen.insert(i.code.as_str()) {
                e.push("指标", format!("指标代码“{}”重复", i.code));
            }
            if i.max_milli < 0 || i.max_milli > 100_000 {
                e.push("分值", format!("“{}”的分值须在 0 至 100 之间", i.label));
            }
            if i.kind == ItemKind::Computed && !computable(&i.source) {
                e.push("指标来源", format!("“{}”的来源“{}”不能为党组织计算", i.label, i.source));
            }
        }
        let base: i64 = self.base_items().map(|i| i.max_milli).sum();
        if base != 100_000 {
            e.push("分值", format!("基本指标分值合计须为 100 分，现为 {}", super::points_text(base)));
        }
        if self.bonus_cap_milli < 0 || self.deduction_cap_milli < 0 {
            e.push("加减分上限", "上限不能为负数");
        }
        e.into_result(())
    }

    /// The indicators making up the 100 points.
    pub fn base_items(&self) -> impl Iterator<Item = &CatalogueItem> {
        self.items.iter().filter(|i| matches!(i.kind, ItemKind::Assessed | ItemKind::Computed | ItemKind::Satisfaction))
    }

    /// The registry indicator a computed item reads, for [`Indicator::score`].
    pub fn indicator(i: &CatalogueItem) -> Indicator {
        Indicator {
            code: i.code.clone(),
            label: i.label.clone(),
            source: i.source.clone(),
            param: i.param.clone(),
            weight: 1,
            scoring: Scoring::Linear,
            target_milli: i.target_milli,
            steps: Vec::new(),
            unit: String::new(),
        }
    }

    /// Points of a computed item for a measured value: linear to the target (lower is better for
    /// a source that says so).
    pub fn computed_points(i: &CatalogueItem, value: f64) -> i64 {
        let share = if i.source == ROUND_TOTAL {
            if i.target_milli <= 0 {
                1.0
            } else {
                (value * 1000.0 / i.target_milli as f64).clamp(0.0, 1.0)
            }
        } else {
            Self::indicator(i).score(value)
        };
        (i.max_milli as f64 * share).round() as i64
    }

    /// One assessor's total: assessed items as scored (each within its points), computed and
    /// satisfaction items as given, bonuses and deductions each summed and capped; never below 0.
    /// Returns the total and the veto items marked (a veto item scored above 0).
    pub fn total(&self, scored: &HashMap<String, i64>, computed: &HashMap<String, i64>) -> (i64, Vec<String>) {
        let (mut base, mut bonus, mut deduct) = (0i64, 0i64, 0i64);
        let mut vetoes = Vec::new();
        for i in &self.items {
            match i.kind {
                ItemKind::Assessed => base += scored.get(&i.code).copied().unwrap_or(0).clamp(0, i.max_milli),
                ItemKind::Computed | ItemKind::Satisfaction => {
                    base += computed.get(&i.code).copied().unwrap_or(0).clamp(0, i.max_milli)
                }
                ItemKind::Bonus => bonus += scored.get(&i.code).copied().unwrap_or(0).clamp(0, i.max_milli),
                ItemKind::Deduction => deduct += scored.get(&i.code).copied().unwrap_or(0).clamp(0, i.max_milli),
                ItemKind::Veto => {
                    if scored.get(&i.code).copied().unwrap_or(0) > 0 {
                        vetoes.push(i.label.clone());
                    }
                }
            }
        }
        let total = base + bonus.min(self.bonus_cap_milli) - deduct.min(self.deduction_cap_milli);
        (total.max(0), vetoes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preset_has_the_seven_indicators() {
        // GRADE-04
        let c = Catalogue::preset();
        c.validate().unwrap();
        let labels: Vec<&str> = c.base_items().map(|i| i.label.as_str()).collect();
        assert_eq!(labels, ["党组织带头人", "工作思路", "工作制度", "活动阵地", "保障机制", "工作业绩", "群众评价"]);
    }

    #[test]
    fn bonus_and_deduction_capped() {
        let mut c = Catalogue::preset();
        c.bonus_cap_milli = 4_000;
        c.deduction_cap_milli = 3_000;
        let s: HashMap<String, i64> = [
            ("leader", 15_000),
            ("thinking", 10_000),
            ("support", 10_000),
            ("results", 25_000),
            ("bonus_honour", 3_000),
            ("bonus_innovation", 2_000),
            ("deduct_late", 5_000),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let comp: HashMap<String, i64> = [("work_system", 15_000), ("venue", 10_000), ("masses", 15_000)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let (t, v) = c.total(&s, &comp);
        assert_eq!(t, 100_000 + 4_000 - 3_000);
        assert!(v.is_empty());
        let mut s2 = s.clone();
        s2.insert("veto_discipline".into(), 1);
        s2.insert("leader".into(), 99_000); // clamped to the item's points
        let (t2, v2) = c.total(&s2, &comp);
        assert_eq!(t2, t);
        assert_eq!(v2, ["严重违纪违法"]);
    }

    #[test]
    fn computed_points_linear_to_target() {
        let c = Catalogue::preset();
        let life = c.item("work_system").unwrap();
        assert_eq!(Catalogue::computed_points(life, 100.0), 15_000);
        assert_eq!(Catalogue::computed_points(life, 50.0), 7_500);
        let mut round = life.clone();
        round.source = ROUND_TOTAL.into();
        round.target_milli = 80_000;
        assert_eq!(Catalogue::computed_points(&round, 40.0), 7_500);
        assert_eq!(Catalogue::computed_points(&round, 95.0), 15_000);
    }

    #[test]
    fn validation_names_fields() {
        let mut c = Catalogue::preset();
        c.items[0].max_milli = 20_000;
        c.items[2].source = "funding".into();
        let e = c.validate().unwrap_err();
        assert!(e.has("分值") && e.has("指标来源"));
    }
}
