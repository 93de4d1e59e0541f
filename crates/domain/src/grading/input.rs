//! A grade scheme and an indicator catalogue as a 组织部 types them: every bound, cap, quota,
//! weight and window of a new version, read from text and checked, each problem naming its field.

use serde::Deserialize;

use super::{
    permille_text, points_text, AssessorKind, BottomQuota, Cap, Catalogue, CatalogueItem, Combine, ItemKind, Scheme,
    SchemeKind, TopQuota,
};
use crate::FieldErrors;

/// A scheme version as typed. Percentages are typed as percent (`90`, `12.5`); grades one per
/// line as `代码|名称|分数下限`, best first.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SchemeInput {
    pub bands: String,
    pub publicity_days: String,
    pub combine: String,
    pub weight_self: String,
    pub weight_superior: String,
    pub weight_panel: String,
    /// Empty: no satisfaction cap.
    pub cap_below: String,
    pub cap_at_most: String,
    pub cap_rule: String,
    /// Empty: no top quota.
    pub top_band: String,
    pub top_max: String,
    /// Empty: no bottom quota.
    pub bottom_band: String,
    pub bottom_community: String,
    pub bottom_other: String,
    pub one_step: String,
    pub new_org_lowest: String,
    pub rules: String,
}

fn pct(p: i64) -> String {
    permille_text(p).trim_end_matches('%').to_string()
}

fn on(v: &str) -> bool {
    matches!(v.trim(), "1" | "on" | "true" | "是")
}

/// A percentage typed (`12.5`, `12.5%`) as permille, between 0 and 100 %.
fn percent(s: &str, field: &'static str, e: &mut FieldErrors) -> Option<i64> {
    let t = s.trim().trim_end_matches(['%', '％']);
    match t.parse::<f64>() {
        Ok(v) if (0.0..=100.0).contains(&v) => Some((v * 10.0).round() as i64),
        _ => {
            e.push(field, format!("“{}”应为 0 至 100 的百分数", s.trim()));
            None
        }
    }
}

impl SchemeInput {
    /// The form holding a version's rules (the next version starts from the last).
    pub fn from_scheme(s: &Scheme) -> SchemeInput {
        let weight = |k: AssessorKind| s.weights.iter().find(|w| w.0 == k).map_or_else(String::new, |w| pct(w.1));
        SchemeInput {
            bands: s
                .bands
                .iter()
                .map(|b| format!("{}|{}|{}", b.code, b.label, points_text(b.min_milli)))
                .collect::<Vec<_>>()
                .join("\n"),
            publicity_days: s.publicity_days.to_string(),
            combine: s.combine.code().into(),
            weight_self: weight(AssessorKind::SelfAssessment),
            weight_superior: weight(AssessorKind::Superior),
            weight_panel: weight(AssessorKind::Panel),
            cap_below: s.cap.as_ref().map_or_else(String::new, |c| pct(c.below_permille)),
            cap_at_most: s.cap.as_ref().map_or_else(String::new, |c| c.at_most.clone()),
            cap_rule: s.cap.as_ref().map_or_else(String::new, |c| c.rule.clone()),
            top_band: s.top_quota.as_ref().map_or_else(String::new, |q| q.band.clone()),
            top_max: s.top_quota.as_ref().map_or_else(String::new, |q| pct(q.max_permille)),
            bottom_band: s.bottom_quota.as_ref().map_or_else(String::new, |q| q.band.clone()),
            bottom_community: s.bottom_quota.as_ref().map_or_else(String::new, |q| pct(q.community_min_permille)),
            bottom_other: s.bottom_quota.as_ref().map_or_else(String::new, |q| pct(q.other_min_permille)),
            one_step: if s.one_step { "1".into() } else { String::new() },
            new_org_lowest: if s.new_org_lowest { "1".into() } else { String::new() },
            rules: s.rules.clone(),
        }
    }

    /// The scheme of `kind` these fields describe, or every problem found.
    pub fn parse(&self, kind: SchemeKind) -> Result<Scheme, FieldErrors> {
        let mut e = FieldErrors::default();
        let mut bands = Vec::new();
        for (n, line) in self.bands.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
            let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
            if parts.len() != 3 {
                e.push("等次", format!("第 {} 行应为“代码|名称|分数下限”", n + 1));
                continue;
            }
            let mut one = FieldErrors::default();
            if let Some(min) = super::parse_points(parts[2], "等次", 100_000, &mut one) {
                bands.push(super::Band { code: parts[0].into(), label: parts[1].into(), min_milli: min });
            }
            for x in one.0 {
                e.push("等次", format!("第 {} 行：{}", n + 1, x.message));
            }
        }
        let publicity_days = match self.publicity_days.trim().parse::<i64>() {
            Ok(d) => d,
            Err(_) => {
                e.push("公示天数", "请填写公示天数，如 5");
                0
            }
        };
        let combine = Combine::parse(&self.combine).unwrap_or_else(|| {
            e.push("合并方式", format!("应为 {}", Combine::labels()));
            Combine::Mean
        });
        let mut weights = Vec::new();
        for (k, v) in [
            (AssessorKind::SelfAssessment, &self.weight_self),
            (AssessorKind::Superior, &self.weight_superior),
            (AssessorKind::Panel, &self.weight_panel),
        ] {
            if !v.trim().is_empty() {
                if let Some(p) = percent(v, "评分权重", &mut e) {
                    if p > 0 {
                        weights.push((k, p));
                    }
                }
            }
        }
        let cap = if self.cap_below.trim().is_empty() {
            None
        } else {
            let below = percent(&self.cap_below, "满意率封顶", &mut e).unwrap_or(0);
            if self.cap_at_most.trim().is_empty() {
                e.push("满意率封顶", "请选择满意率不足时最高可评的等次");
            }
            Some(Cap {
                below_permille: below,
                at_most: self.cap_at_most.trim().into(),
                rule: if self.cap_rule.trim().is_empty() { "本地规定".into() } else { self.cap_rule.trim().into() },
            })
        };
        let top_quota = if self.top_band.trim().is_empty() {
            None
        } else {
            Some(TopQuota {
                band: self.top_band.trim().into(),
                max_permille: percent(&self.top_max, "比例上限", &mut e).unwrap_or(0),
            })
        };
        let bottom_quota = if self.bottom_band.trim().is_empty() {
            None
        } else {
            Some(BottomQuota {
                band: self.bottom_band.trim().into(),
                community_min_permille: percent(&self.bottom_community, "比例下限", &mut e).unwrap_or(0),
                other_min_permille: percent(&self.bottom_other, "比例下限", &mut e).unwrap_or(0),
            })
        };
        let s = Scheme {
            kind,
            bands,
            publicity_days,
            combine,
            weights,
            cap,
            top_quota,
            bottom_quota,
            one_step: on(&self.one_step),
            new_org_lowest: on(&self.new_org_lowest),
            rules: self.rules.trim().into(),
        };
        if e.is_empty() {
            if let Err(x) = s.validate() {
                e.0.extend(x.0);
            }
        }
        e.into_result(s)
    }
}

/// A catalogue version as typed: items one per line as
/// `代码|名称|类别|满分|评分说明|来源|参数|满分目标` (the last three for 系统计算 items only), and the
/// caps on the bonus and deduction sums in points.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CatalogueInput {
    pub items: String,
    pub bonus_cap: String,
    pub deduction_cap: String,
}

impl CatalogueInput {
    pub fn from_catalogue(c: &Catalogue) -> CatalogueInput {
        CatalogueInput {
            items: c
                .items
                .iter()
                .map(|i| {
                    let mut l = format!(
                        "{}|{}|{}|{}|{}",
                        i.code,
                        i.label,
                        i.kind.label(),
                        points_text(i.max_milli),
                        i.guidance
                    );
                    if i.kind == ItemKind::Computed {
                        l.push_str(&format!("|{}|{}|{}", i.source, i.param, points_text(i.target_milli)));
                    }
                    l
                })
                .collect::<Vec<_>>()
                .join("\n"),
            bonus_cap: points_text(c.bonus_cap_milli),
            deduction_cap: points_text(c.deduction_cap_milli),
        }
    }

    pub fn parse(&self) -> Result<Catalogue, FieldErrors> {
        let mut e = FieldErrors::default();
        let mut items = Vec::new();
        for (n, line) in self.items.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
            let p: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
            if p.len() < 4 {
                e.push("指标", format!("第 {} 行应为“代码|名称|类别|满分|评分说明”", n + 1));
                continue;
            }
            let Some(kind) = ItemKind::parse(p[2]) else {
                e.push("指标", format!("第 {} 行的类别“{}”应为 {}", n + 1, p[2], ItemKind::labels()));
                continue;
            };
            let mut one = FieldErrors::default();
            let max = if kind == ItemKind::Veto && p[3].is_empty() {
                Some(0)
            } else {
                super::parse_points(p[3], "分值", 100_000, &mut one)
            };
            let target = if kind == ItemKind::Computed {
                match p.get(7).copied().unwrap_or("") {
                    "" => {
                        one.push("分值", "系统计算的指标须写明满分目标");
                        None
                    }
                    t => super::parse_points(t, "分值", 100_000_000, &mut one),
                }
            } else {
                Some(0)
            };
            for x in one.0 {
                e.push("指标", format!("第 {} 行：{}", n + 1, x.message));
            }
            if let (Some(max), Some(target)) = (max, target) {
                items.push(CatalogueItem {
                    code: p[0].into(),
                    label: p[1].into(),
                    kind,
                    max_milli: max,
                    guidance: p.get(4).copied().unwrap_or("").into(),
                    source: if kind == ItemKind::Computed {
                        p.get(5).copied().unwrap_or("").into()
                    } else {
                        String::new()
                    },
                    param: if kind == ItemKind::Computed {
                        p.get(6).copied().unwrap_or("").into()
                    } else {
                        String::new()
                    },
                    target_milli: target,
                });
            }
        }
        let mut cap = |s: &str, field: &'static str| {
            let mut one = FieldErrors::default();
            let v = super::parse_points(s, field, 100_000, &mut one);
            e.0.extend(one.0);
            v.unwrap_or(0)
        };
        let bonus_cap_milli = cap(&self.bonus_cap, "加分上限");
        let deduction_cap_milli = cap(&self.deduction_cap, "减分上限");
        let c = Catalogue { items, bonus_cap_milli, deduction_cap_milli };
        if e.is_empty() {
            if let Err(x) = c.validate() {
                e.0.extend(x.0);
            }
        }
        e.into_result(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every preset reads back from its own form unchanged (GRADE-05/06/10/11/01 as data).
    #[test]
    fn presets_round_trip_through_the_form() {
        for (code, _) in super::super::PRESETS {
            let s = Scheme::preset(code).unwrap();
            assert_eq!(SchemeInput::from_scheme(&s).parse(s.kind).unwrap(), s, "{code}");
        }
        let c = Catalogue::preset();
        assert_eq!(CatalogueInput::from_catalogue(&c).parse().unwrap(), c);
    }

    /// GRADE-05 bounds as a 组织部 changes them: a raised bound is taken; bounds out of order, a
    /// cap on a grade not in the scheme and weights not adding up are each named.
    #[test]
    fn a_changed_scheme_is_checked_field_by_field() {
        let s = Scheme::preset("points").unwrap();
        let mut f = SchemeInput::from_scheme(&s);
        f.bands = "good|好|92\nfair|较好|80\naverage|一般|60\npoor|较差|0".into();
        assert_eq!(f.parse(s.kind).unwrap().bands[0].min_milli, 92_000);
        f.bands = "good|好|80\nfair|较好|85\npoor|较差|0".into();
        f.cap_at_most = "average".into();
        f.weight_self = "40".into();
        let e = f.parse(s.kind).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|x| x.field).collect();
        assert!(fields.contains(&"等次") && fields.contains(&"满意率封顶") && fields.contains(&"评分权重"), "{e:?}");
        f.publicity_days = "五".into();
        f.bands = "good|好\n".into();
        let e = f.parse(s.kind).unwrap_err();
        assert!(e.0.iter().any(|x| x.field == "公示天数"), "{e:?}");
        assert!(e.0.iter().any(|x| x.message.contains("第 1 行")), "{e:?}");
    }

    /// GRADE-04: the base indicators must add up to 100 points; a category not known is named.
    #[test]
    fn a_changed_catalogue_is_checked() {
        let mut f = CatalogueInput::from_catalogue(&Catalogue::preset());
        f.items = f.items.replace("leader|党组织带头人|评定|15", "leader|党组织带头人|评定|20");
        let e = f.parse().unwrap_err();
        assert!(e.0.iter().any(|x| x.message.contains("合计须为 100 分")), "{e:?}");
        f.items = "a|甲|打分|100|".into();
        let e = f.parse().unwrap_err();
        assert!(e.0.iter().any(|x| x.message.contains("类别“打分”")), "{e:?}");
    }
}
