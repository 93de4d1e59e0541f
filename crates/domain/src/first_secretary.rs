//! 第一书记 and 党建工作指导员: a posting of a person (a member of the platform when they are one)
//! from a sending unit to one village organization (驻村第一书记) or to up to three non-public
//! enterprise organizations (党建工作指导员, or the firm's 党组织负责人; FS-13), for a term of one
//! to three years (FS-02, usually two, FS-06), with its duties (FS-03), the days spent there each
//! month (≥ 20 in the village, FS-07; ≥ 10 at the firms, FS-13), a work log, and yearly and
//! end-of-term assessments (FS-12) capped by unexcused absences (FS-09).
//!
//! The numbers are dated versions shipped in `data/rules/first_secretary.csv` with their source
//! and confidence ([`params`]); a posting is judged by the version in force on the day concerned.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::dates::{add_years, last_day_of_month, parse_date};
use crate::text;
use crate::FieldErrors;

const CSV: &str = include_str!("../../../data/rules/first_secretary.csv");

crate::labelled_enum! {
    /// What the person is posted as.
    Kind {
        Village = "village", "驻村第一书记" | "第一书记";
        Instructor = "instructor", "党建工作指导员" | "指导员";
        FirmLeader = "firm_leader", "党组织负责人";
    }
}

impl Kind {
    /// Posted to non-public enterprise organizations (FS-13), not to a village.
    pub fn to_firms(self) -> bool {
        !matches!(self, Kind::Village)
    }
}

crate::labelled_enum! {
    /// Where a posting stands.
    Status {
        InPost = "in_post", "在岗";
        Expired = "expired", "期满";
        Recalled = "recalled", "召回";
    }
}

crate::labelled_enum! {
    /// A duty (FS-03 for first secretaries, 山西 adding 维护和谐稳定; FS-13 for instructors): what a
    /// work-log entry is about.
    Duty {
        Strengthen = "strengthen", "建强基层组织";
        Poverty = "poverty", "推动精准扶贫" | "推动乡村振兴";
        Serve = "serve", "为民办事服务";
        Governance = "governance", "提升治理水平";
        Stability = "stability", "维护和谐稳定";
        Policy = "policy", "宣传贯彻政策";
        Organize = "organize", "指导组建党组织";
        Develop = "develop", "发展党员";
        Solve = "solve", "帮助解决困难";
    }
}

/// The duties of a kind of posting, in order.
pub fn duties_for(kind: Kind) -> &'static [Duty] {
    match kind {
        Kind::Village => &[Duty::Strengthen, Duty::Poverty, Duty::Serve, Duty::Governance, Duty::Stability],
        Kind::Instructor | Kind::FirmLeader => &[Duty::Policy, Duty::Organize, Duty::Develop, Duty::Solve],
    }
}

crate::labelled_enum! {
    /// FS-12's grades (local wording).
    Grade {
        Excellent = "excellent", "优秀";
        Competent = "competent", "称职";
        Basic = "basic", "基本称职";
        Incompetent = "incompetent", "不称职";
    }
}

impl Grade {
    /// Position, best first.
    pub fn rank(self) -> usize {
        Grade::ALL.iter().position(|g| *g == self).unwrap_or(0)
    }
}

crate::labelled_enum! {
    /// FS-12: a yearly assessment or the one at the end of the term.
    AssessKind {
        Yearly = "yearly", "年度考核";
        TermEnd = "term_end", "期满考核";
    }
}

// ---- the numbers as dated data ---------------------------------------------------------------

/// One version of one number.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    pub rule_id: String,
    pub param: String,
    pub value: i64,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub source: String,
    pub confidence: String,
}

impl Param {
    pub fn in_force(&self, on: NaiveDate) -> bool {
        self.valid_from <= on && self.valid_to.is_none_or(|t| on < t)
    }
}

/// The numbers in force on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Params {
    pub term_min_years: i32,
    pub term_max_years: i32,
    pub term_usual_years: i32,
    pub village_min_days: i32,
    pub instructor_min_days: i32,
    pub instructor_max_firms: i32,
    pub absence_not_excellent: i32,
    pub absence_basic: i32,
    pub absence_incompetent: i32,
}

/// Before any version began: the earliest values (a posting is never judged without numbers).
const FALLBACK: Params = Params {
    term_min_years: 1,
    term_max_years: 3,
    term_usual_years: 2,
    village_min_days: 20,
    instructor_min_days: 10,
    instructor_max_firms: 3,
    absence_not_excellent: 1,
    absence_basic: 2,
    absence_incompetent: 3,
};

/// Parse a parameters file (the shipped format: `rule_id,param,value,valid_from,valid_to,source,
/// article,confidence`).
pub fn parse_params(data: &str) -> Result<Vec<Param>, String> {
    let mut out = Vec::new();
    let lines = data.lines().enumerate().filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty()).skip(1);
    for (n, line) in lines {
        let f: Vec<&str> = line.split(',').collect();
        let at = |m: &str| format!("第 {} 行：{m}", n + 1);
        if f.len() != 8 {
            return Err(at("应有 8 列"));
        }
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| at(&e.to_string()));
        out.push(Param {
            rule_id: f[0].into(),
            param: f[1].into(),
            value: f[2].parse().map_err(|_| at("value 应为整数"))?,
            valid_from: date(f[3])?,
            valid_to: if f[4].is_empty() { None } else { Some(date(f[4])?) },
            source: f[5].into(),
            confidence: f[7].into(),
        });
    }
    Ok(out)
}

/// The shipped versions.
pub fn shipped() -> &'static [Param] {
    static P: OnceLock<Vec<Param>> = OnceLock::new();
    P.get_or_init(|| parse_params(CSV).expect("data/rules/first_secretary.csv"))
}

/// The numbers in force on `on`.
pub fn params(on: NaiveDate) -> Params {
    params_from(shipped(), on)
}

pub fn params_from(rows: &[Param], on: NaiveDate) -> Params {
    let mut p = FALLBACK;
    let set = |name: &str, slot: &mut i32| {
        if let Some(r) = rows.iter().filter(|r| r.param == name && r.in_force(on)).max_by_key(|r| r.valid_from) {
            *slot = r.value as i32;
        }
    };
    set("term_min_years", &mut p.term_min_years);
    set("term_max_years", &mut p.term_max_years);
    set("term_usual_years", &mut p.term_usual_years);
    set("village_min_days", &mut p.village_min_days);
    set("instructor_min_days", &mut p.instructor_min_days);
    set("instructor_max_firms", &mut p.instructor_max_firms);
    set("absence_not_excellent", &mut p.absence_not_excellent);
    set("absence_basic", &mut p.absence_basic);
    set("absence_incompetent", &mut p.absence_incompetent);
    p
}

impl Params {
    /// The monthly minimum of days there for a kind (FS-07, FS-13).
    pub fn min_days(&self, kind: Kind) -> i32 {
        if kind.to_firms() {
            self.instructor_min_days
        } else {
            self.village_min_days
        }
    }
    /// The most organizations a posting of `kind` may serve (a village posting one, FS-13's
    /// three firms for instructors).
    pub fn max_orgs(&self, kind: Kind) -> usize {
        if kind.to_firms() {
            self.instructor_max_firms.max(1) as usize
        } else {
            1
        }
    }
    /// FS-09: the best grade allowed with `absences` unexcused absences found by spot checks.
    pub fn best_grade(&self, absences: i32) -> Grade {
        if absences >= self.absence_incompetent {
            Grade::Incompetent
        } else if absences >= self.absence_basic {
            Grade::Basic
        } else if absences >= self.absence_not_excellent {
            Grade::Competent
        } else {
            Grade::Excellent
        }
    }
}

// ---- a posting ------------------------------------------------------------------------------

/// A posting as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct PostingInput {
    pub name: String,
    /// The member's id when the person is a member of the platform (optional).
    #[serde(default)]
    pub member_id: String,
    pub sending_unit: String,
    pub kind: String,
    /// The receiving organizations' ids.
    #[serde(default)]
    pub org_ids: Vec<String>,
    pub starts_on: String,
    /// Empty: the usual term (FS-06).
    #[serde(default)]
    pub ends_on: String,
    /// Duty codes; empty: every duty of the kind.
    #[serde(default)]
    pub duties: Vec<String>,
}

/// A checked posting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidPosting {
    pub name: String,
    pub member_id: Option<i64>,
    pub sending_unit: String,
    pub kind: Kind,
    pub org_ids: Vec<i64>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub duties: Vec<Duty>,
}

impl ValidPosting {
    pub fn duty_codes(&self) -> String {
        self.duties.iter().map(|d| d.code()).collect::<Vec<_>>().join(",")
    }
}

/// Is the term from `start` to `end` (inclusive) within FS-02's bounds? `Err` says why.
pub fn check_term(start: NaiveDate, end: NaiveDate, p: &Params) -> Result<(), String> {
    if end <= start {
        return Err(format!("期满日期 {end} 应晚于选派日期 {start}"));
    }
    // a term of N years runs from the start to the day before the same date N years later
    let shortest = add_years(start, p.term_min_years).pred_opt().unwrap_or(start);
    let longest = add_years(start, p.term_max_years);
    if end < shortest {
        return Err(format!(
            "任期不足 {} 年（FS-02：任期 {}—{} 年），最早应至 {shortest}",
            p.term_min_years, p.term_min_years, p.term_max_years
        ));
    }
    if end > longest {
        return Err(format!(
            "任期超过 {} 年（FS-02：任期 {}—{} 年），最晚至 {longest}",
            p.term_max_years, p.term_min_years, p.term_max_years
        ));
    }
    Ok(())
}

/// The end of the usual term from `start` (FS-06).
pub fn usual_end(start: NaiveDate, p: &Params) -> NaiveDate {
    add_years(start, p.term_usual_years).pred_opt().unwrap_or(start)
}

fn date(e: &mut FieldErrors, field: &'static str, s: &str) -> Option<NaiveDate> {
    if s.trim().is_empty() {
        e.push(field, "必填");
        return None;
    }
    parse_date(s.trim()).map_err(|x| e.push(field, x)).ok()
}

impl PostingInput {
    /// Check a posting against the numbers in force on its start (FS-02 term, FS-13 firms).
    pub fn validate(&self) -> Result<ValidPosting, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = text::required(&self.name, "姓名", 50, &mut e);
        let member_id = match self.member_id.trim() {
            "" => None,
            s => s.parse::<i64>().map_err(|_| e.push("党员", "请从党员名册中选择，或留空")).ok(),
        };
        let sending_unit = text::required(&self.sending_unit, "派出单位", 100, &mut e);
        let kind = match self.kind.trim() {
            "" => {
                e.push("选派类别", "必填");
                None
            }
            k => Kind::parse(k).or_else(|| {
                e.push("选派类别", format!("应为 {}", Kind::labels()));
                None
            }),
        };
        let starts_on = date(&mut e, "选派日期", &self.starts_on);
        let p = params(starts_on.unwrap_or_else(|| NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")));
        let ends_on = match (self.ends_on.trim(), starts_on) {
            ("", Some(s)) => Some(usual_end(s, &p)),
            ("", None) => None,
            (x, _) => parse_date(x).map_err(|m| e.push("期满日期", m)).ok(),
        };
        if let (Some(s), Some(t)) = (starts_on, ends_on) {
            if let Err(m) = check_term(s, t, &p) {
                e.push("期满日期", m);
            }
        }
        let mut org_ids: Vec<i64> = Vec::new();
        for o in self.org_ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            match o.parse::<i64>() {
                Ok(id) if !org_ids.contains(&id) => org_ids.push(id),
                Ok(_) => {}
                Err(_) => e.push("派驻党组织", format!("“{o}”不是党组织编号")),
            }
        }
        if org_ids.is_empty() {
            e.push("派驻党组织", "请选择派驻的党组织");
        }
        if let Some(k) = kind {
            let max = p.max_orgs(k);
            if org_ids.len() > max {
                e.push(
                    "派驻党组织",
                    if k.to_firms() {
                        format!("一名{}最多联系 {max} 家企业党组织（FS-13），现选了 {} 个", k.label(), org_ids.len())
                    } else {
                        format!("驻村第一书记派驻一个村党组织，现选了 {} 个", org_ids.len())
                    },
                );
            }
        }
        let mut duties = Vec::new();
        for d in self.duties.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            match (Duty::parse(d), kind) {
                (Some(x), Some(k)) if duties_for(k).contains(&x) && duties.contains(&x) => {}
                (Some(x), Some(k)) if duties_for(k).contains(&x) => duties.push(x),
                (Some(x), Some(k)) => e.push("工作职责", format!("“{}”不是{}的职责", x.label(), k.label())),
                (None, _) => e.push("工作职责", format!("“{d}”不是职责清单中的一项")),
                _ => {}
            }
        }
        e.into_result(())?;
        let kind = kind.expect("checked");
        if duties.is_empty() {
            duties = duties_for(kind).to_vec();
        }
        Ok(ValidPosting {
            name,
            member_id,
            sending_unit,
            kind,
            org_ids,
            starts_on: starts_on.expect("checked"),
            ends_on: ends_on.expect("checked"),
            duties,
        })
    }
}

/// Ending a posting as typed: 期满 or 召回 (with its reason).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EndInput {
    pub status: String,
    #[serde(default)]
    pub on: String,
    #[serde(default)]
    pub reason: String,
}

/// A checked ending.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidEnd {
    pub status: Status,
    pub on: NaiveDate,
    pub reason: String,
}

impl EndInput {
    /// Check against the posting's start; recalling needs a reason (FS-12: not living in the
    /// village, not fit for the post).
    pub fn validate(&self, starts_on: NaiveDate, today: NaiveDate) -> Result<ValidEnd, FieldErrors> {
        let mut e = FieldErrors::default();
        let status = match Status::parse(self.status.trim()) {
            Some(s @ (Status::Expired | Status::Recalled)) => Some(s),
            _ => {
                e.push("状态", "应为 期满 或 召回");
                None
            }
        };
        let on = if self.on.trim().is_empty() { Some(today) } else { date(&mut e, "日期", &self.on) };
        if let Some(d) = on {
            if d > today {
                e.push("日期", format!("{d} 晚于今天"));
            }
            if d < starts_on {
                e.push("日期", format!("{d} 早于选派日期 {starts_on}"));
            }
        }
        let reason = text::optional(&Some(self.reason.clone()), "召回原因", 500, &mut e).unwrap_or_default();
        if status == Some(Status::Recalled) && reason.is_empty() {
            e.push("召回原因", "召回须写明原因（如不驻村、不胜任）");
        }
        e.into_result(())?;
        Ok(ValidEnd { status: status.expect("checked"), on: on.expect("checked"), reason })
    }
}

// ---- days there each month ----------------------------------------------------------------

/// A month's days as typed (`2026-03`, `18`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DaysInput {
    pub month: String,
    pub days: String,
    #[serde(default)]
    pub note: String,
}

/// A checked month: its first day, the days, the note.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDays {
    pub month: NaiveDate,
    pub days: i32,
    pub note: String,
}

impl ValidDays {
    /// `2026-03`.
    pub fn month_text(&self) -> String {
        format!("{:04}-{:02}", self.month.year(), self.month.month())
    }
}

/// Parse `2026-03` (or `2026-3`, `2026年3月`) as the first of the month.
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    let t = s.trim().trim_end_matches('月').replace('年', "-");
    let mut it = t.split('-');
    let y: i32 = it.next()?.trim().parse().ok()?;
    let m: u32 = it.next()?.trim().parse().ok()?;
    if it.next().is_some_and(|x| !x.trim().is_empty()) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, 1).filter(|_| (2000..=2100).contains(&y))
}

impl DaysInput {
    /// The month must fall within the term and not after this month; the days within the month.
    pub fn validate(
        &self,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<ValidDays, FieldErrors> {
        let mut e = FieldErrors::default();
        let month = match self.month.trim() {
            "" => {
                e.push("月份", "必填");
                None
            }
            s => parse_month(s).or_else(|| {
                e.push("月份", format!("“{s}”应为年月，如 2026-03"));
                None
            }),
        };
        if let Some(m) = month {
            let last =
                NaiveDate::from_ymd_opt(m.year(), m.month(), last_day_of_month(m.year(), m.month())).expect("date");
            if last < starts_on || m > ends_on {
                e.push("月份", format!("不在任期（{starts_on} 至 {ends_on}）内"));
            }
            if m > today {
                e.push("月份", "不能登记以后的月份");
            }
        }
        let max = month.map_or(31, |m| last_day_of_month(m.year(), m.month()) as i32);
        let days = match self.days.trim().trim_end_matches('天').parse::<i32>() {
            Ok(d) if (0..=max).contains(&d) => Some(d),
            _ if self.days.trim().is_empty() => {
                e.push("在岗天数", "必填");
                None
            }
            _ => {
                e.push("在岗天数", format!("“{}”应为 0 至 {max} 的整数", self.days.trim()));
                None
            }
        };
        let note = text::optional(&Some(self.note.clone()), "说明", 300, &mut e).unwrap_or_default();
        e.into_result(())?;
        Ok(ValidDays { month: month.expect("checked"), days: days.expect("checked"), note })
    }
}

/// FS-07 / FS-13: is a month's count below the minimum for the kind?
pub fn days_short(kind: Kind, days: i32, p: &Params) -> bool {
    days < p.min_days(kind)
}

// ---- the work log -----------------------------------------------------------------------------

/// A log entry as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LogInput {
    pub on: String,
    pub duty: String,
    pub content: String,
}

/// A checked log entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidLog {
    pub on: NaiveDate,
    pub duty: Duty,
    pub content: String,
}

impl LogInput {
    pub fn validate(
        &self,
        kind: Kind,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<ValidLog, FieldErrors> {
        let mut e = FieldErrors::default();
        let on = date(&mut e, "日期", &self.on);
        if let Some(d) = on {
            if d > today {
                e.push("日期", format!("{d} 晚于今天"));
            } else if d < starts_on || d > ends_on {
                e.push("日期", format!("不在任期（{starts_on} 至 {ends_on}）内"));
            }
        }
        let duty = match Duty::parse(self.duty.trim()) {
            Some(d) if duties_for(kind).contains(&d) => Some(d),
            _ => {
                let list: Vec<&str> = duties_for(kind).iter().map(|d| d.label()).collect();
                e.push("工作职责", format!("应为 {}", list.join("、")));
                None
            }
        };
        let content = text::required(&self.content, "工作内容", 2000, &mut e);
        e.into_result(())?;
        Ok(ValidLog { on: on.expect("checked"), duty: duty.expect("checked"), content })
    }
}

// ---- assessments ------------------------------------------------------------------------------

/// An assessment as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AssessInput {
    pub kind: String,
    pub year: String,
    pub grade: String,
    #[serde(default)]
    pub absences: String,
    #[serde(default)]
    pub note: String,
}

/// A checked assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidAssess {
    pub kind: AssessKind,
    pub year: i32,
    pub grade: Grade,
    pub absences: i32,
    pub note: String,
}

impl AssessInput {
    /// FS-12 grades; the year within the term and not after this year; FS-09's cap: a grade
    /// better than the unexcused absences allow is refused, naming the grade allowed.
    pub fn validate(
        &self,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<ValidAssess, FieldErrors> {
        let mut e = FieldErrors::default();
        let kind = AssessKind::parse(self.kind.trim()).or_else(|| {
            e.push("考核类别", format!("应为 {}", AssessKind::labels()));
            None
        });
        let year = match self.year.trim().trim_end_matches('年').parse::<i32>() {
            Ok(y) if y >= starts_on.year() && y <= ends_on.year() && y <= today.year() => Some(y),
            Ok(y) => {
                e.push("年度", format!("{y} 年不在任期内或尚未到来"));
                None
            }
            Err(_) => {
                e.push("年度", "应为年份，如 2026");
                None
            }
        };
        let grade = Grade::parse(self.grade.trim()).or_else(|| {
            e.push("考核等次", format!("应为 {}", Grade::labels()));
            None
        });
        let absences = match self.absences.trim() {
            "" => Some(0),
            s => match s.trim_end_matches('次').parse::<i32>() {
                Ok(n) if (0..=99).contains(&n) => Some(n),
                _ => {
                    e.push("无故缺勤次数", format!("“{s}”应为 0 至 99 的整数"));
                    None
                }
            },
        };
        let note = text::optional(&Some(self.note.clone()), "考核意见", 1000, &mut e).unwrap_or_default();
        if let (Some(g), Some(n), Some(y)) = (grade, absences, year) {
            let p = params(NaiveDate::from_ymd_opt(y, 12, 31).expect("date"));
            let best = p.best_grade(n);
            if g.rank() < best.rank() {
                e.push("考核等次", format!("抽查无故缺勤 {n} 次，最高只能评为“{}”（FS-09）", best.label()));
            }
        }
        e.into_result(())?;
        Ok(ValidAssess {
            kind: kind.expect("checked"),
            year: year.expect("checked"),
            grade: grade.expect("checked"),
            absences: absences.expect("checked"),
            note,
        })
    }
}

/// Days until the term ends (negative once past).
pub fn days_left(ends_on: NaiveDate, today: NaiveDate) -> i64 {
    (ends_on - today).num_days()
}

/// How many days before its end a term is announced in the message centre (as 换届 terms are).
pub const ENDING_NOTICE_DAYS: i64 = crate::message::TERM_NOTICE_DAYS;

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn posting(kind: &str, orgs: &[&str], start: &str, end: &str) -> PostingInput {
        PostingInput {
            name: "张三".into(),
            sending_unit: "县财政局".into(),
            kind: kind.into(),
            org_ids: orgs.iter().map(|s| s.to_string()).collect(),
            starts_on: start.into(),
            ends_on: end.into(),
            ..Default::default()
        }
    }

    #[test]
    fn shipped_params_parse() {
        let p = params(d("2026-06-01"));
        assert_eq!((p.term_min_years, p.term_max_years, p.term_usual_years), (1, 3, 2));
        assert_eq!((p.village_min_days, p.instructor_min_days, p.instructor_max_firms), (20, 10, 3));
    }

    // FS-02: a term of one to three years; FS-06: two years when no end is typed
    #[test]
    fn fs_02_term_bounds() {
        let p = params(d("2026-01-01"));
        assert!(check_term(d("2026-03-01"), d("2027-02-28"), &p).is_ok());
        assert!(check_term(d("2026-03-01"), d("2027-02-27"), &p).is_err());
        assert!(check_term(d("2026-03-01"), d("2029-03-01"), &p).is_ok());
        assert!(check_term(d("2026-03-01"), d("2029-03-02"), &p).is_err());
        let v = posting("village", &["5"], "2026-03-01", "").validate().unwrap();
        assert_eq!(v.ends_on, d("2028-02-29"));
        let e = posting("village", &["5"], "2026-03-01", "2026-09-01").validate().unwrap_err();
        assert!(e.has("期满日期"));
        assert!(e.0.iter().any(|x| x.message.contains("FS-02")));
    }

    // FS-13: an instructor serves up to three firms; a first secretary one village
    #[test]
    fn fs_13_three_firms() {
        assert!(posting("instructor", &["1", "2", "3"], "2026-01-01", "").validate().is_ok());
        let e = posting("instructor", &["1", "2", "3", "4"], "2026-01-01", "").validate().unwrap_err();
        assert!(e.has("派驻党组织") && e.0[0].message.contains("FS-13"));
        assert!(posting("village", &["1", "2"], "2026-01-01", "").validate().unwrap_err().has("派驻党组织"));
    }

    #[test]
    fn posting_fields_named() {
        let e = PostingInput::default().validate().unwrap_err();
        for f in ["姓名", "派出单位", "选派类别", "选派日期", "派驻党组织"] {
            assert!(e.has(f), "{f}: {e:?}");
        }
        let v = posting("第一书记", &["9"], "2026-01-01", "").validate().unwrap();
        assert_eq!(v.duties.len(), 5);
        let mut x = posting("village", &["9"], "2026-01-01", "");
        x.duties = vec!["develop".into()];
        assert!(x.validate().unwrap_err().has("工作职责"));
    }

    // FS-07 / FS-13: 20 days a month in the village, 10 at the firms
    #[test]
    fn fs_07_days_flag() {
        let p = params(d("2026-01-01"));
        assert!(days_short(Kind::Village, 19, &p));
        assert!(!days_short(Kind::Village, 20, &p));
        assert!(!days_short(Kind::Instructor, 10, &p));
        assert!(days_short(Kind::Instructor, 9, &p));
        let v = DaysInput { month: "2026-02".into(), days: "29".into(), note: String::new() };
        assert!(v.validate(d("2026-01-01"), d("2027-12-31"), d("2026-06-01")).unwrap_err().has("在岗天数"));
        let v = DaysInput { month: "2026-07".into(), days: "20".into(), note: String::new() };
        assert!(v.validate(d("2026-01-01"), d("2027-12-31"), d("2026-06-01")).unwrap_err().has("月份"));
        let v = DaysInput { month: "2026年3月".into(), days: "18天".into(), note: String::new() };
        assert_eq!(v.validate(d("2026-01-01"), d("2027-12-31"), d("2026-06-01")).unwrap().month_text(), "2026-03");
    }

    // FS-09: unexcused absences cap the grade; FS-12's four grades
    #[test]
    fn fs_09_absences_cap_the_grade() {
        let p = params(d("2026-01-01"));
        assert_eq!(p.best_grade(0), Grade::Excellent);
        assert_eq!(p.best_grade(1), Grade::Competent);
        assert_eq!(p.best_grade(2), Grade::Basic);
        assert_eq!(p.best_grade(3), Grade::Incompetent);
        let a = AssessInput {
            kind: "yearly".into(),
            year: "2026".into(),
            grade: "优秀".into(),
            absences: "1".into(),
            note: String::new(),
        };
        let e = a.validate(d("2026-01-01"), d("2027-12-31"), d("2026-12-20")).unwrap_err();
        assert!(e.has("考核等次"));
        let ok = AssessInput { grade: "称职".into(), ..a };
        assert_eq!(ok.validate(d("2026-01-01"), d("2027-12-31"), d("2026-12-20")).unwrap().grade, Grade::Competent);
    }

    #[test]
    fn logs_checked_against_the_kind() {
        let l = LogInput { on: "2026-03-02".into(), duty: "serve".into(), content: "走访困难户".into() };
        assert!(l.validate(Kind::Village, d("2026-01-01"), d("2027-12-31"), d("2026-06-01")).is_ok());
        let e = l.validate(Kind::Instructor, d("2026-01-01"), d("2027-12-31"), d("2026-06-01")).unwrap_err();
        assert!(e.has("工作职责"));
        let e = LogInput::default().validate(Kind::Village, d("2026-01-01"), d("2027-12-31"), d("2026-06-01"));
        assert!(e.unwrap_err().has("工作内容"));
    }

    #[test]
    fn ending_needs_a_reason_to_recall() {
        let e = EndInput { status: "recalled".into(), ..Default::default() }
            .validate(d("2026-01-01"), d("2026-06-01"))
            .unwrap_err();
        assert!(e.has("召回原因"));
        assert!(EndInput { status: "在岗".into(), ..Default::default() }
            .validate(d("2026-01-01"), d("2026-06-01"))
            .unwrap_err()
            .has("状态"));
    }
}
