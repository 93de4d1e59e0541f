//! 示范点: organizations named demonstration sites at a level, in a sector ("一行业一特色"), for the
//! feature they demonstrate, with the cadres stationed to guide them (蹲点联系).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{date, text};
use crate::org::Sector;
use crate::FieldErrors;

crate::labelled_enum! {
    SiteLevel {
        Province = "province", "省级";
        City = "city", "市级";
        County = "county", "县级";
        Township = "township", "乡镇级";
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SiteInput {
    pub org_id: String,
    pub level: String,
    /// The sector; empty takes the organization's own.
    #[serde(default)]
    pub sector: String,
    pub feature: String,
    pub named_on: String,
    #[serde(default)]
    pub reviewed_on: String,
    /// Cadres stationed, one a line: `姓名 职务 起始日期`.
    #[serde(default)]
    pub cadres: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cadre {
    pub name: String,
    pub post: String,
    pub started_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidSite {
    pub org_id: i64,
    pub level: SiteLevel,
    pub sector: Option<Sector>,
    pub feature: String,
    pub named_on: NaiveDate,
    pub reviewed_on: Option<NaiveDate>,
    pub cadres: Vec<Cadre>,
}

impl SiteInput {
    pub fn validate(&self) -> Result<ValidSite, FieldErrors> {
        let mut e = FieldErrors::default();
        let org_id = match self.org_id.trim().parse::<i64>() {
            Ok(v) if v > 0 => v,
            _ => {
                e.push("党组织", "请选择党组织");
                0
            }
        };
        let level = SiteLevel::parse(&self.level);
        if level.is_none() {
            e.push("级别", format!("应为 {}", SiteLevel::labels()));
        }
        let sector = if self.sector.trim().is_empty() {
            None
        } else {
            let s = Sector::parse(&self.sector);
            if s.is_none() {
                e.push("所属领域", format!("应为 {}", Sector::labels()));
            }
            s
        };
        let feature = text(&mut e, "示范特色", &self.feature, true, 100);
        let named_on = date(&mut e, "命名日期", &self.named_on);
        let reviewed_on =
            if self.reviewed_on.trim().is_empty() { None } else { date(&mut e, "复核日期", &self.reviewed_on) };
        if let (Some(n), Some(r)) = (named_on, reviewed_on) {
            if r < n {
                e.push("复核日期", format!("{r} 早于命名日期 {n}"));
            }
        }
        let mut cadres = Vec::new();
        for (i, line) in self.cadres.lines().enumerate() {
            let p: Vec<&str> = line.split(['|', '\t', ' ', '\u{3000}']).filter(|s| !s.is_empty()).collect();
            if p.is_empty() {
                continue;
            }
            let started = p.last().and_then(|d| crate::dates::parse_date(d).ok());
            match (p.len(), started) {
                (n, Some(d)) if n >= 2 => cadres.push(Cadre {
                    name: crate::member::normalize_text(p[0]),
                    post: crate::member::normalize_text(&p[1..n - 1].join(" ")),
                    started_on: d,
                }),
                _ => e.push("蹲点干部", format!("第 {} 行应写作 姓名 职务 起始日期", i + 1)),
            }
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ValidSite {
            org_id,
            level: level.unwrap(),
            sector,
            feature,
            named_on: named_on.unwrap(),
            reviewed_on,
            cadres,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_names_its_level_feature_and_cadres() {
        let v = SiteInput {
            org_id: "7".into(),
            level: "市级".into(),
            feature: "村级集体经济".into(),
            named_on: "2025-06-01".into(),
            cadres: "王某 市委组织部干部 2025-06-10\n".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(v.level, SiteLevel::City);
        assert_eq!(v.cadres[0].post, "市委组织部干部");
        let e =
            SiteInput { level: "国家级".into(), cadres: "王某".into(), ..Default::default() }.validate().unwrap_err();
        assert!(e.has("党组织") && e.has("级别") && e.has("示范特色") && e.has("命名日期") && e.has("蹲点干部"));
    }
}
