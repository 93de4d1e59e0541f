//! 法定退休年龄: the statutory retirement age as dated data, shipped as
//! `data/rules/retirement.csv`.
//!
//! RETIRE-01 (国发〔1978〕104号): men retire at 60, women cadres at 55, women workers at 50.
//! RETIRE-02 (全国人大常委会 decision of 2024-09-13, in force 2025-01-01, and the 国务院 办法 it
//! adopts): men 60 → 63 and women 55 → 58 by one month for every four months of birth from the
//! cohorts born 1965-01 and 1970-01, women 50 → 55 by one month for every two months of birth from
//! the cohort born 1975-01. Someone born before the first cohort keeps the original age, and so
//! does anyone who reached the original age before the new version came into force: a version
//! governs those who reach the original age while it is in force.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::dates::add_months;
use crate::labelled_enum;
use crate::member::Sex;

const CSV: &str = include_str!("../../../../data/rules/retirement.csv");

labelled_enum! {
    /// Whose statutory retirement age applies: men, women whose original age is 55 (cadres, and
    /// in practice women in management and professional posts), women whose original age is 50
    /// (workers).
    Category {
        Male = "male", "男职工" | "男";
        FemaleCadre = "female_cadre", "女干部" | "原法定退休年龄为五十五周岁的女职工";
        FemaleWorker = "female_worker", "女工人" | "原法定退休年龄为五十周岁的女职工";
    }
}

impl Category {
    /// The category of a person of `sex`: a woman is a cadre unless she is known to be a worker.
    pub fn of(sex: Sex, female_worker: bool) -> Category {
        match (sex, female_worker) {
            (Sex::Male, _) => Category::Male,
            (Sex::Female, false) => Category::FemaleCadre,
            (Sex::Female, true) => Category::FemaleWorker,
        }
    }
    /// The sex the category belongs to.
    pub fn sex(self) -> Sex {
        match self {
            Category::Male => Sex::Male,
            Category::FemaleCadre | Category::FemaleWorker => Sex::Female,
        }
    }
}

/// One version of the retirement age of one category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Regime {
    pub rule_id: String,
    pub category: Category,
    /// The original statutory age (周岁).
    pub base_age: i32,
    /// The first birth month (year, month) whose age is raised; `None`: no raise.
    pub first_cohort: Option<(i32, u32)>,
    /// Months of birth per month of delay (4 or 2); 0 with no raise.
    pub step_months: i32,
    /// The age the raise stops at (周岁).
    pub cap_age: i32,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub source: String,
    pub article: String,
    pub confidence: String,
}

impl Regime {
    /// The statutory age, in months, of someone born on `birth` under this version.
    pub fn age_months(&self, birth: NaiveDate) -> i32 {
        let base = self.base_age * 12;
        let Some((y, m)) = self.first_cohort else { return base };
        if self.step_months <= 0 {
            return base;
        }
        let since = (birth.year() - y) * 12 + birth.month() as i32 - m as i32;
        if since < 0 {
            return base;
        }
        let delay = since / self.step_months + 1;
        base + delay.min((self.cap_age - self.base_age) * 12)
    }
    /// `《…》 办法第一条；附件1 …`.
    pub fn citation(&self) -> String {
        if self.article.is_empty() || self.article == "—" {
            self.source.clone()
        } else {
            format!("{} {}", self.source, self.article)
        }
    }
}

/// Someone's statutory retirement: the age, the day it is reached, and the version it rests on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Retirement<'a> {
    pub age_months: i32,
    pub date: NaiveDate,
    pub regime: &'a Regime,
}

impl Retirement<'_> {
    /// `60岁2个月`, `63岁`.
    pub fn age_label(&self) -> String {
        age_label(self.age_months)
    }
}

/// An age in months as said in the decision's tables: `60岁1个月`, `63岁`.
pub fn age_label(months: i32) -> String {
    let (y, m) = (months / 12, months % 12);
    if m == 0 {
        format!("{y}岁")
    } else {
        format!("{y}岁{m}个月")
    }
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| e.to_string())
}

fn parse_month(s: &str) -> Option<(i32, u32)> {
    let (y, m) = s.split_once('-')?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    (1..=12).contains(&m).then_some((y, m))
}

/// Parse a retirement-age file (the shipped format).
pub fn parse_regimes(data: &str) -> Result<Vec<Regime>, String> {
    let mut out = Vec::new();
    let lines = data.lines().enumerate().filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty()).skip(1);
    for (n, line) in lines {
        let f: Vec<&str> = line.split(',').collect();
        let at = |m: &str| format!("第 {} 行：{m}", n + 1);
        if f.len() != 11 {
            return Err(at("应有 11 列"));
        }
        let first_cohort = if f[3].is_empty() {
            None
        } else {
            Some(parse_month(f[3]).ok_or_else(|| at("first_cohort 应为 YYYY-MM"))?)
        };
        let r = Regime {
            rule_id: f[0].to_string(),
            category: Category::from_code(f[1]).ok_or_else(|| at("category 无效"))?,
            base_age: f[2].parse().map_err(|_| at("base_age 无效"))?,
            first_cohort,
            step_months: f[4].parse().map_err(|_| at("step_months 无效"))?,
            cap_age: f[5].parse().map_err(|_| at("cap_age 无效"))?,
            valid_from: parse_date(f[6]).map_err(|e| at(&e))?,
            valid_to: if f[7].is_empty() { None } else { Some(parse_date(f[7]).map_err(|e| at(&e))?) },
            source: f[8].to_string(),
            article: f[9].to_string(),
            confidence: f[10].to_string(),
        };
        if r.cap_age < r.base_age {
            return Err(at("cap_age 不应小于 base_age"));
        }
        if r.first_cohort.is_some() != (r.step_months > 0) {
            return Err(at("first_cohort 与 step_months 应同时填写"));
        }
        out.push(r);
    }
    Ok(out)
}

/// The shipped versions.
pub fn shipped() -> &'static [Regime] {
    static R: OnceLock<Vec<Regime>> = OnceLock::new();
    R.get_or_init(|| parse_regimes(CSV).expect("data/rules/retirement.csv is valid (tested)"))
}

/// The statutory retirement of someone born on `birth` under the versions `regimes`: the version
/// in force on the day the original age is reached governs (so the raise concerns those who reach
/// the original age on or after the day it came into force); a day before the earliest version is
/// judged under the earliest. `None` when no version concerns the category.
pub fn retirement_under(regimes: &[Regime], birth: NaiveDate, cat: Category) -> Option<Retirement<'_>> {
    let mine = || regimes.iter().filter(move |r| r.category == cat);
    let governing = mine()
        .filter(|r| r.valid_from <= add_months(birth, r.base_age * 12))
        .max_by_key(|r| r.valid_from)
        .or_else(|| mine().min_by_key(|r| r.valid_from))?;
    let age_months = governing.age_months(birth);
    Some(Retirement { age_months, date: add_months(birth, age_months), regime: governing })
}

/// The statutory retirement under the shipped versions.
pub fn retirement(birth: NaiveDate, cat: Category) -> Retirement<'static> {
    retirement_under(shipped(), birth, cat).expect("every category has a shipped version (tested)")
}

/// The day someone born on `birth` reaches the statutory retirement age: the birthday plus the
/// age's years and months (DATE-01: the end of a shorter month).
pub fn retirement_date(birth: NaiveDate, cat: Category) -> NaiveDate {
    retirement(birth, cat).date
}

/// The statutory retirement age in months (`60岁1个月` is 721).
pub fn retirement_age_months(birth: NaiveDate, cat: Category) -> i32 {
    retirement(birth, cat).age_months
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn age(y: i32, m: u32, cat: Category) -> String {
        age_label(retirement_age_months(d(y, m, 15), cat))
    }

    #[test]
    fn shipped_versions_parse_for_every_category() {
        let r = shipped();
        assert_eq!(r.len(), 6);
        for c in Category::ALL {
            assert_eq!(r.iter().filter(|v| v.category == *c).count(), 2, "{c}");
        }
        assert!(r.iter().all(|v| matches!(v.rule_id.as_str(), "RETIRE-01" | "RETIRE-02")));
        assert!(r.iter().all(|v| ["H", "M", "L", "U"].contains(&v.confidence.as_str())));
    }

    #[test]
    fn malformed_files_are_refused_naming_the_line() {
        let head = "rule_id,category,base_age,first_cohort,step_months,cap_age,valid_from,valid_to,source,article,confidence\n";
        let bad = format!("{head}RETIRE-02,male,60,1965-13,4,63,2025-01-01,,s,a,H\n");
        assert!(parse_regimes(&bad).unwrap_err().contains("first_cohort"));
        let bad = format!("{head}RETIRE-02,male,60,1965-01,0,63,2025-01-01,,s,a,H\n");
        assert!(parse_regimes(&bad).unwrap_err().contains("第 2 行"));
        let bad = format!("{head}RETIRE-02,man,60,,0,60,2025-01-01,,s,a,H\n");
        assert!(parse_regimes(&bad).unwrap_err().contains("category"));
    }

    /// RETIRE-01: a man reaching 60 in 2024-12 retires at 60, under the old rule.
    #[test]
    fn retire_01_reached_before_2025_keeps_the_old_age() {
        let r = retirement(d(1964, 12, 31), Category::Male);
        assert_eq!(r.regime.rule_id, "RETIRE-01");
        assert_eq!(r.age_months, 720);
        assert_eq!(r.date, d(2024, 12, 31));
        assert_eq!(age(1964, 12, Category::FemaleCadre), "55岁");
        assert_eq!(age(1969, 12, Category::FemaleCadre), "55岁");
        assert_eq!(age(1974, 12, Category::FemaleWorker), "50岁");
        assert_eq!(retirement_date(d(1960, 2, 29), Category::Male), d(2020, 2, 29));
        // before the earliest version, the earliest governs
        assert_eq!(retirement_age_months(d(1900, 1, 1), Category::FemaleWorker), 600);
    }

    /// RETIRE-02 附件1: men born 1965-01..04 → 60岁1个月, 1965-05..08 → 60岁2个月, … 1976-09 → 63岁.
    #[test]
    fn retire_02_men_by_four_months_of_birth() {
        let r = retirement(d(1965, 1, 1), Category::Male);
        assert_eq!(r.regime.rule_id, "RETIRE-02");
        assert_eq!(r.age_label(), "60岁1个月");
        assert_eq!(r.date, d(2025, 2, 1));
        assert_eq!(age(1965, 4, Category::Male), "60岁1个月");
        assert_eq!(age(1965, 5, Category::Male), "60岁2个月");
        assert_eq!(retirement_date(d(1965, 5, 20), Category::Male), d(2025, 7, 20));
        assert_eq!(age(1965, 12, Category::Male), "60岁3个月");
        assert_eq!(age(1966, 1, Category::Male), "60岁4个月");
        assert_eq!(age(1970, 1, Category::Male), "61岁4个月");
        assert_eq!(age(1976, 8, Category::Male), "62岁11个月");
        assert_eq!(age(1976, 9, Category::Male), "63岁");
        assert_eq!(age(1980, 1, Category::Male), "63岁");
        assert_eq!(retirement_date(d(1980, 1, 10), Category::Male), d(2043, 1, 10));
        // the day clamps to the end of a shorter month (DATE-01)
        assert_eq!(retirement_date(d(1965, 1, 31), Category::Male), d(2025, 2, 28));
    }

    /// RETIRE-02 附件2: women whose original age is 55, born 1970-01..04 → 55岁1个月 … 1981-09 → 58岁.
    #[test]
    fn retire_02_women_cadres_by_four_months_of_birth() {
        assert_eq!(age(1970, 1, Category::FemaleCadre), "55岁1个月");
        assert_eq!(retirement_date(d(1970, 1, 5), Category::FemaleCadre), d(2025, 2, 5));
        assert_eq!(age(1970, 5, Category::FemaleCadre), "55岁2个月");
        assert_eq!(age(1981, 8, Category::FemaleCadre), "57岁11个月");
        assert_eq!(age(1981, 9, Category::FemaleCadre), "58岁");
        assert_eq!(age(1990, 6, Category::FemaleCadre), "58岁");
    }

    /// RETIRE-02 附件3: women whose original age is 50, born 1975-01..02 → 50岁1个月,
    /// 1975-03..04 → 50岁2个月 … 1984-11 → 55岁.
    #[test]
    fn retire_02_women_workers_by_two_months_of_birth() {
        assert_eq!(age(1975, 1, Category::FemaleWorker), "50岁1个月");
        assert_eq!(age(1975, 2, Category::FemaleWorker), "50岁1个月");
        assert_eq!(age(1975, 3, Category::FemaleWorker), "50岁2个月");
        assert_eq!(retirement_date(d(1975, 3, 8), Category::FemaleWorker), d(2025, 5, 8));
        assert_eq!(age(1984, 10, Category::FemaleWorker), "54岁11个月");
        assert_eq!(age(1984, 11, Category::FemaleWorker), "55岁");
        assert_eq!(age(1995, 1, Category::FemaleWorker), "55岁");
    }

    /// RETIRE-02 applies to those reaching the original age on or after 2025-01-01, whatever the
    /// cohort column says: a version in force later than its first cohort's birthday leaves those
    /// already retired under the old rule.
    #[test]
    fn retire_02_governs_from_the_day_it_came_into_force() {
        let mut v = shipped().to_vec();
        for r in v.iter_mut() {
            if r.rule_id == "RETIRE-02" {
                r.valid_from = d(2025, 3, 1);
            } else {
                r.valid_to = Some(d(2025, 3, 1));
            }
        }
        let born = d(1965, 1, 15); // reaches 60 on 2025-01-15, before the (hypothetical) start
        let r = retirement_under(&v, born, Category::Male).unwrap();
        assert_eq!((r.regime.rule_id.as_str(), r.age_months), ("RETIRE-01", 720));
        let r = retirement_under(&v, d(1965, 3, 1), Category::Male).unwrap();
        assert_eq!((r.regime.rule_id.as_str(), r.age_months), ("RETIRE-02", 721));
    }

    #[test]
    fn categories() {
        assert_eq!(Category::of(Sex::Male, true), Category::Male);
        assert_eq!(Category::of(Sex::Female, false), Category::FemaleCadre);
        assert_eq!(Category::of(Sex::Female, true), Category::FemaleWorker);
        assert_eq!(Category::FemaleWorker.sex(), Sex::Female);
        assert_eq!(Category::parse("女工人"), Some(Category::FemaleWorker));
    }
}
