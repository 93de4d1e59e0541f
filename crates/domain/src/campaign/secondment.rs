//! 跟岗学习: a unit nominates party-affairs cadres to learn alongside the 党建办 for a period, and
//! each nomination is checked against the conditions in force: a party-affairs worker (SEC-01),
//! not within a number of years of the statutory retirement age (SEC-02, see
//! [`super::retirement`]), released full-time for the period (SEC-03), writing ability attested
//! (SEC-04). The conditions are dated data (`data/rules/secondment.csv`, local practice); the
//! reviewer sees every condition that fails and why.

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::Serialize;

use super::retirement::{self, Category};
use crate::dates::{add_years, Ymd};
use crate::error::FieldErrors;
use crate::labelled_enum;
use crate::member::{normalize_text, Sex};

const CSV: &str = include_str!("../../../../data/rules/secondment.csv");

labelled_enum! {
    /// What a condition asks of a nominee.
    Kind {
        PartyPost = "party_post", "党务工作者";
        Retirement = "retirement", "距法定退休年龄";
        FullTime = "full_time", "脱产跟岗";
        Writing = "writing", "文字写作能力";
    }
}

/// One version of one condition: from `valid_from` (inclusive) to `valid_to` (exclusive).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    pub rule_id: String,
    pub kind: Kind,
    /// For [`Kind::Retirement`] the whole years the statutory retirement date must lie beyond the
    /// period's start; for the others 1 = required, 0 = lifted.
    pub value: i64,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub source: String,
    pub article: String,
    pub confidence: String,
}

impl Condition {
    pub fn in_force(&self, on: NaiveDate) -> bool {
        self.valid_from <= on && self.valid_to.is_none_or(|t| on < t)
    }
    /// The years a nominee must still have before the statutory retirement age (SEC-02).
    pub fn min_years_before_retirement(&self) -> Option<i32> {
        (self.kind == Kind::Retirement).then_some(self.value as i32)
    }
    pub fn citation(&self) -> String {
        if self.article.is_empty() || self.article == "—" {
            self.source.clone()
        } else {
            format!("{} {}", self.source, self.article)
        }
    }
    /// `跟岗开始时距法定退休年龄不少于 2 年`.
    pub fn describe(&self) -> String {
        match self.kind {
            _ if self.kind != Kind::Retirement && self.value == 0 => "不作要求".into(),
            Kind::PartyPost => "在党务工作岗位任职".into(),
            Kind::Retirement if self.value == 0 => "跟岗结束前不到法定退休年龄".into(),
            Kind::Retirement => format!("跟岗开始时距法定退休年龄不少于 {} 年", self.value),
            Kind::FullTime => "跟岗期间脱产".into(),
            Kind::Writing => "具备一定的文字写作能力".into(),
        }
    }
}

/// Parse a conditions file (the shipped format).
pub fn parse_conditions(data: &str) -> Result<Vec<Condition>, String> {
    let mut out = Vec::new();
    let lines = data.lines().enumerate().filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty()).skip(1);
    for (n, line) in lines {
        let f: Vec<&str> = line.split(',').collect();
        let at = |m: &str| format!("第 {} 行：{m}", n + 1);
        if f.len() != 8 {
            return Err(at("应有 8 列"));
        }
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| at(&e.to_string()));
        let kind = Kind::from_code(f[1]).ok_or_else(|| at("condition 无效"))?;
        let value: i64 = f[2].parse().map_err(|_| at("value 无效"))?;
        let range_ok = match kind {
            Kind::Retirement => (0..=20).contains(&value),
            _ => value == 0 || value == 1,
        };
        if !range_ok {
            return Err(at("value 超出范围"));
        }
        out.push(Condition {
            rule_id: f[0].to_string(),
            kind,
            value,
            valid_from: date(f[3])?,
            valid_to: if f[4].is_empty() { None } else { Some(date(f[4])?) },
            source: f[5].to_string(),
            article: f[6].to_string(),
            confidence: f[7].to_string(),
        });
    }
    Ok(out)
}

/// The shipped preset (local practice: a 组织部 may set its own versions).
pub fn shipped() -> &'static [Condition] {
    static C: OnceLock<Vec<Condition>> = OnceLock::new();
    C.get_or_init(|| parse_conditions(CSV).expect("data/rules/secondment.csv is valid (tested)"))
}

/// The version of each condition in force on `on` (the latest to come into force), in the order
/// of [`Kind::ALL`].
pub fn in_force(rules: &[Condition], on: NaiveDate) -> Vec<&Condition> {
    Kind::ALL
        .iter()
        .filter_map(|k| rules.iter().filter(|c| c.kind == *k && c.in_force(on)).max_by_key(|c| c.valid_from))
        .collect()
}

/// Who is nominated: by ID number, or by birth date and sex where there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Person {
    IdNumber(String),
    BirthSex { birth: Option<NaiveDate>, sex: Option<Sex> },
}

/// One nomination, as the unit enters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nomination {
    pub member_name: String,
    pub person: Person,
    /// Whose retirement age applies; `None` takes it from the sex, a woman counting as a cadre
    /// (original age 55) unless entered as a worker.
    pub category: Option<Category>,
    /// Holds a party-work post (SEC-01).
    pub party_work_post: bool,
    /// Released full-time for the period (SEC-03).
    pub released_full_time: bool,
    /// Writing ability attested (SEC-04).
    pub writing_attested: bool,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
}

/// A nomination that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    pub member_name: String,
    pub birth: NaiveDate,
    pub category: Category,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
}

impl Nomination {
    /// Check the input, naming each field in Chinese; `today` bounds the birth date.
    pub fn validate(&self, today: NaiveDate) -> Result<Valid, FieldErrors> {
        let mut errs = FieldErrors::default();
        let member_name = crate::text::required(&self.member_name, "姓名", crate::text::max::PERSON_NAME, &mut errs);
        let (birth, sex) = match &self.person {
            Person::IdNumber(raw) if normalize_text(raw).is_empty() => {
                errs.push("公民身份号码", "不能为空");
                (None, None)
            }
            Person::IdNumber(raw) => match crate::idcard::parse(raw, today) {
                Ok(id) => {
                    let sex = match id.sex {
                        crate::idcard::Sex::Male => Sex::Male,
                        crate::idcard::Sex::Female => Sex::Female,
                    };
                    (Some(id.birth), Some(sex))
                }
                Err(m) => {
                    errs.push("公民身份号码", m);
                    (None, None)
                }
            },
            Person::BirthSex { birth, sex } => {
                match birth {
                    None => errs.push("出生日期", "不能为空"),
                    Some(b) if *b > today => errs.push("出生日期", "不能晚于今天"),
                    _ => {}
                }
                if sex.is_none() {
                    errs.push("性别", "不能为空");
                }
                (birth.filter(|b| *b <= today), *sex)
            }
        };
        let category = match (self.category, sex) {
            (Some(c), Some(s)) if c.sex() != s => {
                errs.push("退休年龄类别", format!("“{}”与性别（{}）不符", c.label(), s.label()));
                None
            }
            (Some(c), _) => Some(c),
            (None, s) => s.map(|s| Category::of(s, false)),
        };
        match (self.period_start, self.period_end) {
            (None, _) => errs.push("跟岗开始日期", "不能为空"),
            (Some(_), None) => errs.push("跟岗结束日期", "不能为空"),
            (Some(s), Some(e)) if e < s => errs.push("跟岗结束日期", format!("不能早于跟岗开始日期（{}）", Ymd(s))),
            _ => {}
        }
        match (birth, category, self.period_start, self.period_end) {
            (Some(birth), Some(category), Some(period_start), Some(period_end)) if errs.is_empty() => {
                Ok(Valid { member_name, birth, category, period_start, period_end })
            }
            _ => Err(errs),
        }
    }
}

/// A condition the nominee does not meet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub rule_id: String,
    pub kind: Kind,
    /// What is wrong, for the reviewer: `距法定退休年龄不足2年（2027-03-01 退休，法定退休年龄60岁2个月）`.
    pub explanation: String,
    pub citation: String,
    pub confidence: String,
}

impl Failure {
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
    pub fn label(&self) -> &'static str {
        self.kind.label()
    }
}

labelled_enum! {
    /// Where a nomination stands: waiting for the reviewer above the nominating unit, or decided.
    Status {
        Pending = "pending", "待审核";
        Accepted = "accepted", "已同意";
        Rejected = "rejected", "未同意";
    }
}

/// The failures as kept with a decision, one a line: `SEC-02 距法定退休年龄不足2年（…）`.
pub fn failure_lines(failures: &[Failure]) -> String {
    failures
        .iter()
        .map(|f| format!("{} {}", f.rule_id, f.explanation.replace('\n', " ")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Kept failures read back as (rule ID, explanation).
pub fn read_failure_lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| match l.split_once(' ') {
            Some((id, why)) => (id.to_string(), why.to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

/// Judge a nomination against the conditions in force on `on` (the day it is judged; the
/// distance to retirement is measured from the period's start). Invalid input is refused with
/// every problem naming its field; otherwise the answer lists each failing condition, in the
/// order SEC-01 … SEC-04 (empty: the nominee meets them all).
pub fn check(n: &Nomination, rules: &[Condition], on: NaiveDate) -> Result<Vec<Failure>, FieldErrors> {
    let v = n.validate(on)?;
    let mut out = Vec::new();
    for c in in_force(rules, on) {
        let fail = |explanation: String| Failure {
            rule_id: c.rule_id.clone(),
            kind: c.kind,
            explanation,
            citation: c.citation(),
            confidence: c.confidence.clone(),
        };
        let required = c.value != 0;
        match c.kind {
            Kind::PartyPost if required && !n.party_work_post => {
                out.push(fail("未在党务工作岗位任职，跟岗学习应选派党务工作者".into()))
            }
            Kind::FullTime if required && !n.released_full_time => out.push(fail(format!(
                "未能在跟岗期间（{} 至 {}）脱产，跟岗学习应脱产进行",
                Ymd(v.period_start),
                Ymd(v.period_end)
            ))),
            Kind::Writing if required && !n.writing_attested => out.push(fail("未证明具备一定的文字写作能力".into())),
            Kind::Retirement => {
                let r = retirement::retirement(v.birth, v.category);
                let years = c.value as i32;
                let when = format!("{} 退休，法定退休年龄{}", Ymd(r.date), r.age_label());
                if r.date <= v.period_start {
                    out.push(fail(format!("跟岗开始时已达到法定退休年龄（{when}）")));
                } else if r.date < add_years(v.period_start, years) {
                    out.push(fail(format!("距法定退休年龄不足{years}年（{when}）")));
                } else if r.date <= v.period_end {
                    out.push(fail(format!("跟岗期间将达到法定退休年龄（{when}）")));
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idcard::compose;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    const ON: (i32, u32, u32) = (2026, 11, 21);
    fn on() -> NaiveDate {
        d(ON.0, ON.1, ON.2)
    }
    /// A nominee who meets every condition: a man born 1980 (retires 2043 at 63), secondment
    /// 2027-03-01 … 2027-08-31.
    fn good() -> Nomination {
        Nomination {
            member_name: "张三".into(),
            person: Person::IdNumber(compose("520328", d(1980, 6, 1), 11)),
            category: None,
            party_work_post: true,
            released_full_time: true,
            writing_attested: true,
            period_start: Some(d(2027, 3, 1)),
            period_end: Some(d(2027, 8, 31)),
        }
    }
    fn ids(n: &Nomination) -> Vec<String> {
        check(n, shipped(), on()).unwrap().into_iter().map(|f| f.rule_id).collect()
    }

    #[test]
    fn shipped_conditions_parse() {
        let v = in_force(shipped(), on());
        let got: Vec<&str> = v.iter().map(|c| c.rule_id.as_str()).collect();
        assert_eq!(got, ["SEC-01", "SEC-02", "SEC-03", "SEC-04"]);
        assert_eq!(v[1].min_years_before_retirement(), Some(2));
        assert_eq!(v[0].min_years_before_retirement(), None);
        assert!(shipped().iter().all(|c| ["L", "U"].contains(&c.confidence.as_str())));
        assert!(in_force(shipped(), d(2017, 1, 1)).is_empty());
        assert_eq!(v[1].describe(), "跟岗开始时距法定退休年龄不少于 2 年");
    }

    #[test]
    fn malformed_files_are_refused_naming_the_line() {
        let head = "rule_id,condition,value,valid_from,valid_to,source,article,confidence\n";
        assert!(parse_conditions(&format!("{head}SEC-01,party_post,2,2017-11-05,,s,—,L\n"))
            .unwrap_err()
            .contains("第 2 行"));
        assert!(parse_conditions(&format!("{head}SEC-09,nap,1,2017-11-05,,s,—,L\n"))
            .unwrap_err()
            .contains("condition"));
        assert!(parse_conditions(&format!("{head}SEC-01,party_post,1,2017-11-05,s,—,L\n"))
            .unwrap_err()
            .contains("8 列"));
    }

    #[test]
    fn a_nominee_meeting_every_condition_passes() {
        assert!(ids(&good()).is_empty());
    }

    /// SEC-01: a party-affairs worker.
    #[test]
    fn sec_01_party_post() {
        let mut n = good();
        n.party_work_post = false;
        let f = check(&n, shipped(), on()).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].rule_id.as_str(), f[0].code(), f[0].label()), ("SEC-01", "party_post", "党务工作者"));
        assert!(f[0].explanation.contains("党务工作岗位"));
        assert_eq!(f[0].confidence, "L");
    }

    /// SEC-02: not within 2 years of the statutory retirement age at the period's start; the
    /// retirement date follows RETIRE-02.
    #[test]
    fn sec_02_near_retirement() {
        let mut n = good();
        // a man born 1965-05-01 retires at 60岁2个月 on 2025-07-01: already retired
        n.person = Person::IdNumber(compose("520328", d(1965, 5, 1), 11));
        let f = check(&n, shipped(), on()).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule_id, "SEC-02");
        assert_eq!(f[0].explanation, "跟岗开始时已达到法定退休年龄（2025-07-01 退休，法定退休年龄60岁2个月）");
        // a man born 1967-01-01 retires at 60岁7个月 on 2027-08-01: within two years
        n.person = Person::BirthSex { birth: Some(d(1967, 1, 1)), sex: Some(Sex::Male) };
        let f = check(&n, shipped(), on()).unwrap();
        assert_eq!(f[0].explanation, "距法定退休年龄不足2年（2027-08-01 退休，法定退休年龄60岁7个月）");
        // exactly two years from the start passes: a woman cadre born 1973-03-01 retires at
        // 55岁10个月 on 2029-01-01, two years after a start on 2027-01-01
        n.person = Person::BirthSex { birth: Some(d(1973, 3, 1)), sex: Some(Sex::Female) };
        n.period_start = Some(d(2027, 1, 1));
        n.period_end = Some(d(2027, 6, 30));
        assert_eq!(retirement::retirement_date(d(1973, 3, 1), Category::FemaleCadre), d(2029, 1, 1));
        assert!(ids(&n).is_empty());
        n.period_start = Some(d(2027, 1, 2));
        assert_eq!(ids(&n), ["SEC-02"]);
        // the same woman as a worker is born before the first raised cohort: 50岁, 2023-03-01
        n.period_start = Some(d(2027, 1, 1));
        n.category = Some(Category::FemaleWorker);
        assert_eq!(ids(&n), ["SEC-02"]);
    }

    /// SEC-02 with the years lifted to 0 (a local version) still refuses a nominee who would
    /// retire during the period.
    #[test]
    fn sec_02_retiring_during_the_period() {
        let mut rules = shipped().to_vec();
        rules.push(Condition { value: 0, valid_from: d(2026, 1, 1), ..rules[1].clone() });
        let mut n = good();
        n.person = Person::BirthSex { birth: Some(d(1966, 10, 1)), sex: Some(Sex::Male) }; // 60岁6个月 → 2027-04-01
        let f = check(&n, &rules, on()).unwrap();
        assert_eq!(f[0].explanation, "跟岗期间将达到法定退休年龄（2027-04-01 退休，法定退休年龄60岁6个月）");
        n.period_end = Some(d(2027, 3, 31));
        assert!(check(&n, &rules, on()).unwrap().is_empty());
        // under the shipped version in force on an earlier day, two years are required
        assert_eq!(check(&n, &rules, d(2025, 12, 31)).unwrap()[0].rule_id, "SEC-02");
    }

    /// SEC-03: released full time for the period.
    #[test]
    fn sec_03_full_time() {
        let mut n = good();
        n.released_full_time = false;
        let f = check(&n, shipped(), on()).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule_id, "SEC-03");
        assert_eq!(f[0].explanation, "未能在跟岗期间（2027-03-01 至 2027-08-31）脱产，跟岗学习应脱产进行");
    }

    /// SEC-04: writing ability attested.
    #[test]
    fn sec_04_writing() {
        let mut n = good();
        n.writing_attested = false;
        assert_eq!(ids(&n), ["SEC-04"]);
    }

    /// The reviewer sees every failing condition, in order; a lifted condition (value 0) does not fail.
    #[test]
    fn every_failing_condition_is_listed_and_lifted_ones_pass() {
        let n = Nomination {
            person: Person::BirthSex { birth: Some(d(1966, 1, 1)), sex: Some(Sex::Male) },
            party_work_post: false,
            released_full_time: false,
            writing_attested: false,
            ..good()
        };
        assert_eq!(ids(&n), ["SEC-01", "SEC-02", "SEC-03", "SEC-04"]);
        let lifted: Vec<Condition> = shipped()
            .iter()
            .filter(|c| c.kind == Kind::Writing)
            .map(|c| Condition { value: 0, ..c.clone() })
            .chain(shipped().iter().filter(|c| c.kind != Kind::Writing).cloned())
            .collect();
        let got: Vec<String> = check(&n, &lifted, on()).unwrap().into_iter().map(|f| f.rule_id).collect();
        assert_eq!(got, ["SEC-01", "SEC-02", "SEC-03"]);
    }

    #[test]
    fn input_errors_name_their_fields() {
        let n = Nomination {
            member_name: " ".into(),
            person: Person::IdNumber("123".into()),
            period_start: Some(d(2027, 3, 1)),
            period_end: Some(d(2027, 2, 1)),
            ..good()
        };
        let e = check(&n, shipped(), on()).unwrap_err();
        assert!(e.has("姓名") && e.has("公民身份号码") && e.has("跟岗结束日期"), "{e}");
        assert!(e.to_string().contains("不能早于跟岗开始日期（2027-03-01）"));

        let n = Nomination {
            person: Person::BirthSex { birth: Some(d(2030, 1, 1)), sex: None },
            period_start: None,
            ..good()
        };
        let e = n.validate(on()).unwrap_err();
        assert!(e.has("出生日期") && e.has("性别") && e.has("跟岗开始日期"), "{e}");

        let n = Nomination { category: Some(Category::FemaleWorker), ..good() };
        let e = n.validate(on()).unwrap_err();
        assert_eq!(e.0[0].field, "退休年龄类别");
        assert!(e.0[0].message.contains("与性别（男）不符"));

        let n = Nomination { person: Person::IdNumber(String::new()), period_end: None, ..good() };
        let e = n.validate(on()).unwrap_err();
        assert!(e.has("公民身份号码") && e.has("跟岗结束日期"), "{e}");
    }

    #[test]
    fn failures_are_kept_one_a_line() {
        let n = Nomination { party_work_post: false, writing_attested: false, ..good() };
        let f = check(&n, shipped(), on()).unwrap();
        let kept = failure_lines(&f);
        assert_eq!(kept.lines().count(), 2);
        let back = read_failure_lines(&kept);
        assert_eq!(back[0].0, "SEC-01");
        assert_eq!(back[1], ("SEC-04".to_string(), "未证明具备一定的文字写作能力".to_string()));
        assert!(read_failure_lines("").is_empty());
        assert_eq!(Status::parse("待审核"), Some(Status::Pending));
    }

    /// The ID number gives birth date and sex: a woman (even 顺序码) is a cadre unless entered as a worker.
    #[test]
    fn id_number_gives_birth_and_sex() {
        let n = Nomination { person: Person::IdNumber(compose("110105", d(1975, 3, 8), 12)), ..good() };
        let v = n.validate(on()).unwrap();
        assert_eq!((v.birth, v.category), (d(1975, 3, 8), Category::FemaleCadre));
        let v = Nomination { category: Some(Category::FemaleWorker), ..n }.validate(on()).unwrap();
        assert_eq!(v.category, Category::FemaleWorker);
    }
}
