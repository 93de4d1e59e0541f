//! 测评: questionnaires that members (signed in) and residents (with a one-time code, no account)
//! answer, issued by an organization over its subtree for a window of dates, each answer
//! attributed to one organization evaluated (a target). Nothing here is particular to grading:
//! the grading cycle reads a survey's satisfaction rate (GRADE-06) and its coverage (GRADE-08)
//! through the service's `satisfaction`, and later work-style evaluation and pairing feedback issue
//! surveys of their own.
//!
//! A questionnaire is written one item a line (`类型|题目|选项|标记`), the same text the presets
//! are shipped in (`data/surveys/`), so a user copies a preset and edits it as text.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::FieldErrors;
use crate::labelled_enum;

const PRESET_SATISFACTION: &str = include_str!("../../../data/surveys/satisfaction.txt");
const COVERAGE_CSV: &str = include_str!("../../../data/rules/survey_coverage.csv");

/// The most items a questionnaire holds, and the most choices of one item.
pub const MAX_ITEMS: usize = 50;
pub const MAX_CHOICES: usize = 12;
/// The longest free text an item may allow.
pub const MAX_TEXT: u32 = 2000;

labelled_enum! {
    /// What an item asks for.
    ItemKind {
        Rating = "rating", "评价";
        Single = "single", "单选";
        Multi = "multi", "多选";
        Text = "text", "文字";
    }
}

labelled_enum! {
    /// Who answers a survey: members signed in, residents with a code, or both.
    Audience {
        Members = "members", "党员";
        Residents = "residents", "群众";
        Both = "both", "党员和群众";
    }
}

impl Audience {
    pub fn members(self) -> bool {
        matches!(self, Audience::Members | Audience::Both)
    }
    pub fn residents(self) -> bool {
        matches!(self, Audience::Residents | Audience::Both)
    }
}

labelled_enum! {
    /// The personal data a questionnaire asks of a respondent (none by default), shown to the
    /// respondent before answering and masked when answers are read.
    PersonalField {
        None = "none", "不收集个人信息";
        Phone = "phone", "联系电话";
        Name = "name", "姓名";
    }
}

labelled_enum! {
    /// What a target's resident base counts.
    BaseKind {
        Households = "households", "户";
        Residents = "residents", "人";
    }
}

labelled_enum! {
    /// How a rating choice counts toward the satisfaction rate.
    Counts {
        Satisfied = "satisfied", "计为满意";
        NotSatisfied = "not_satisfied", "计为不满意";
        Excluded = "excluded", "不计入满意率";
    }
}

/// One choice of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub label: String,
    pub counts: Counts,
}

/// One checked item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub kind: ItemKind,
    pub text: String,
    /// The choices (none for free text).
    #[serde(default)]
    pub choices: Vec<Choice>,
    /// For free text: the most characters.
    #[serde(default)]
    pub max_len: u32,
    /// This item feeds the satisfaction rate (a rating item only).
    #[serde(default)]
    pub satisfaction: bool,
    /// The respondent must answer it.
    #[serde(default)]
    pub required: bool,
}

impl Item {
    /// The item written back as one line of the form.
    pub fn line(&self) -> String {
        let opts = match self.kind {
            ItemKind::Text => self.max_len.to_string(),
            _ => self
                .choices
                .iter()
                .map(|c| {
                    let mark = match (self.kind, c.counts) {
                        (ItemKind::Rating, Counts::Satisfied) => "+",
                        (ItemKind::Rating, Counts::Excluded) => "~",
                        _ => "",
                    };
                    format!("{}{mark}", c.label)
                })
                .collect::<Vec<_>>()
                .join("、"),
        };
        let mut marks = Vec::new();
        if self.satisfaction {
            marks.push("满意率");
        }
        if !self.required {
            marks.push("选答");
        }
        let mut l = format!("{}|{}|{}", self.kind.label(), self.text, opts);
        if !marks.is_empty() {
            l.push('|');
            l.push_str(&marks.join("、"));
        }
        l
    }
}

/// A questionnaire as typed: a title, instructions, items one a line, the personal field asked.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct QuestionnaireInput {
    pub title: String,
    #[serde(default)]
    pub instructions: String,
    pub items: String,
    #[serde(default)]
    pub personal: String,
}

/// A checked questionnaire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Questionnaire {
    pub title: String,
    pub instructions: String,
    pub personal: PersonalField,
    pub items: Vec<Item>,
}

impl Questionnaire {
    /// The items as the form's text, one a line.
    pub fn items_text(&self) -> String {
        self.items.iter().map(Item::line).collect::<Vec<_>>().join("\n")
    }
    /// Does any item feed the satisfaction rate?
    pub fn has_satisfaction(&self) -> bool {
        self.items.iter().any(|i| i.satisfaction)
    }
    /// The input that gives this questionnaire back (to copy and edit it).
    pub fn as_input(&self) -> QuestionnaireInput {
        QuestionnaireInput {
            title: self.title.clone(),
            instructions: self.instructions.clone(),
            items: self.items_text(),
            personal: self.personal.code().into(),
        }
    }
}

fn split_choices(s: &str) -> Vec<String> {
    s.split(['、', ',', '，', ';', '；', '/']).map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect()
}

/// Check one item line; problems are pushed naming the item (`第3题`).
fn item(e: &mut FieldErrors, n: usize, line: &str) -> Option<Item> {
    const F: &str = "题目";
    let p: Vec<&str> = line.split(['|', '\t']).map(str::trim).collect();
    let at = |m: String| format!("第{n}题：{m}");
    let Some(kind) = ItemKind::parse(p[0]) else {
        e.push(F, at(format!("类型“{}”应为 {}", p[0], ItemKind::labels())));
        return None;
    };
    let text = p.get(1).copied().unwrap_or("");
    if text.is_empty() {
        e.push(F, at("缺少题目内容（格式：类型|题目|选项|标记）".into()));
        return None;
    }
    if text.chars().count() > 200 {
        e.push(F, at("题目不能超过 200 字".into()));
    }
    let marks: Vec<String> = p.get(3).map(|m| split_choices(m)).unwrap_or_default();
    let mut satisfaction = false;
    let mut required = true;
    for m in &marks {
        match m.as_str() {
            "满意率" | "计入满意率" => satisfaction = true,
            "选答" | "可不答" => required = false,
            "必答" => required = true,
            x => e.push(F, at(format!("标记“{x}”应为 满意率、选答 或 必答"))),
        }
    }
    if p.len() > 4 {
        e.push(F, at("多了分隔符“|”（格式：类型|题目|选项|标记）".into()));
    }
    let opts = p.get(2).copied().unwrap_or("");
    let mut it = Item { kind, text: text.to_string(), choices: vec![], max_len: 0, satisfaction, required };
    match kind {
        ItemKind::Text => {
            it.max_len = match opts.trim_end_matches('字').parse::<u32>() {
                Ok(n) if (1..=MAX_TEXT).contains(&n) => n,
                _ if opts.is_empty() => 500,
                _ => {
                    e.push(F, at(format!("文字题的字数上限“{opts}”应为 1 至 {MAX_TEXT} 的整数")));
                    0
                }
            };
            if satisfaction {
                e.push(F, at("文字题不能计入满意率，满意率只取评价题".into()));
            }
        }
        _ => {
            let mut seen = std::collections::HashSet::new();
            for raw in split_choices(opts) {
                let (label, counts) = if let Some(l) = raw.strip_suffix('+') {
                    (l.trim(), Counts::Satisfied)
                } else if let Some(l) = raw.strip_suffix('~') {
                    (l.trim(), Counts::Excluded)
                } else {
                    (raw.as_str(), Counts::NotSatisfied)
                };
                if kind != ItemKind::Rating && counts != Counts::NotSatisfied {
                    e.push(F, at(format!("只有评价题的选项可标“+”或“~”（“{raw}”）")));
                }
                if label.is_empty() || label.chars().count() > 50 {
                    e.push(F, at(format!("选项“{raw}”应为 1 至 50 字")));
                } else if !seen.insert(label.to_string()) {
                    e.push(F, at(format!("选项“{label}”重复")));
                }
                it.choices.push(Choice { label: label.to_string(), counts });
            }
            if it.choices.len() < 2 || it.choices.len() > MAX_CHOICES {
                e.push(F, at(format!("应有 2 至 {MAX_CHOICES} 个选项，用“、”分隔（现有 {} 个）", it.choices.len())));
            }
            if satisfaction {
                if kind != ItemKind::Rating {
                    e.push(F, at("计入满意率的须是评价题".into()));
                } else {
                    let yes = it.choices.iter().any(|c| c.counts == Counts::Satisfied);
                    let no = it.choices.iter().any(|c| c.counts == Counts::NotSatisfied);
                    if !yes || !no {
                        e.push(
                            F,
                            at("计入满意率的评价题须至少有一个计为满意的选项（加“+”）和一个计为不满意的选项".into()),
                        );
                    }
                }
            }
        }
    }
    Some(it)
}

impl QuestionnaireInput {
    pub fn validate(&self) -> Result<Questionnaire, FieldErrors> {
        let mut e = FieldErrors::default();
        let title = crate::text::required(&self.title, "问卷标题", 100, &mut e);
        let instructions =
            crate::text::optional(&Some(self.instructions.clone()), "答题说明", 2000, &mut e).unwrap_or_default();
        let personal = match self.personal.trim() {
            "" => Some(PersonalField::None),
            p => PersonalField::parse(p),
        };
        if personal.is_none() {
            e.push("个人信息", format!("应为 {}", PersonalField::labels()));
        }
        let lines: Vec<&str> = self.items.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        if lines.is_empty() {
            e.push("题目", "至少一题（每行一题：类型|题目|选项|标记）");
        } else if lines.len() > MAX_ITEMS {
            e.push("题目", format!("最多 {MAX_ITEMS} 题，现有 {} 题", lines.len()));
        }
        let items: Vec<Item> = lines.iter().enumerate().filter_map(|(i, l)| item(&mut e, i + 1, l)).collect();
        if !e.is_empty() {
            return Err(e);
        }
        Ok(Questionnaire { title, instructions, personal: personal.expect("checked"), items })
    }
}

/// A preset questionnaire shipped as data: its key, its name and its text.
pub struct Preset {
    pub key: &'static str,
    pub label: &'static str,
    text: &'static str,
}

/// The presets a user copies and edits.
pub const PRESETS: &[Preset] =
    &[Preset {
        key: "satisfaction", label: "党组织满意度测评（党员、群众）", text: PRESET_SATISFACTION
    }];

impl Preset {
    /// The preset as a form's input: the first line the title, `说明：` lines the instructions,
    /// the rest the items; `#` lines are comments.
    pub fn input(&self) -> QuestionnaireInput {
        let mut lines = self.text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
        let title = lines.next().unwrap_or_default().to_string();
        let (mut instructions, mut items) = (Vec::new(), Vec::new());
        for l in lines {
            match l.strip_prefix("说明：") {
                Some(x) => instructions.push(x),
                None => items.push(l),
            }
        }
        QuestionnaireInput {
            title,
            instructions: instructions.join("\n"),
            items: items.join("\n"),
            personal: PersonalField::None.code().into(),
        }
    }
}

pub fn preset(key: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.key == key)
}

/// One version of the coverage a survey is to reach (GRADE-08): the share of a target's members
/// or of its resident base that should have answered, in thousandths.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageRule {
    pub rule_id: String,
    pub audience: String,
    pub permille: i32,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub source: String,
    pub confidence: String,
}

/// The shipped coverage versions (`data/rules/survey_coverage.csv`).
pub fn coverage_rules() -> Vec<CoverageRule> {
    COVERAGE_CSV
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("rule_id") && !l.trim().is_empty())
        .filter_map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            Some(CoverageRule {
                rule_id: c.first()?.to_string(),
                audience: c.get(1)?.to_string(),
                permille: c.get(2)?.parse().ok()?,
                valid_from: NaiveDate::parse_from_str(c.get(3)?, "%Y-%m-%d").ok()?,
                valid_to: c.get(4).and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()),
                source: c.get(5)?.to_string(),
                confidence: c.get(7).unwrap_or(&"").to_string(),
            })
        })
        .collect()
}

/// The coverage targets in force on `on` (members, residents), in thousandths; 1000 and 100 when
/// none is (the GRADE-08 figures).
pub fn coverage_on(on: NaiveDate) -> (i32, i32) {
    let rules = coverage_rules();
    let of = |a: &str, d: i32| {
        rules
            .iter()
            .filter(|r| r.audience == a && r.valid_from <= on && r.valid_to.is_none_or(|t| on < t))
            .max_by_key(|r| r.valid_from)
            .map_or(d, |r| r.permille)
    };
    (of("members", 1000), of("residents", 100))
}

/// The issue of a survey as typed: the questionnaire, the window, the audience and the coverage
/// targets (thousandths shown as percentages).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SurveyInput {
    #[serde(flatten)]
    pub questionnaire: QuestionnaireInput,
    pub audience: String,
    pub opens_on: String,
    pub closes_on: String,
    /// Percent of members (`100`).
    #[serde(default)]
    pub member_target: String,
    /// Percent of the resident base (`10`).
    #[serde(default)]
    pub resident_target: String,
}

/// A checked issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidSurvey {
    pub questionnaire: Questionnaire,
    pub audience: Audience,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub member_permille: i32,
    pub resident_permille: i32,
}

fn percent(e: &mut FieldErrors, field: &'static str, s: &str, default: i32) -> i32 {
    let s = s.trim().trim_end_matches(['%', '％']);
    if s.is_empty() {
        return default;
    }
    match s.parse::<f64>() {
        Ok(v) if (0.0..=100.0).contains(&v) => (v * 10.0).round() as i32,
        _ => {
            e.push(field, format!("“{s}”应为 0 至 100 的百分数"));
            default
        }
    }
}

impl SurveyInput {
    /// Check the issue; `today` bounds nothing (a survey may be entered for a past window, as
    /// paper answers are), but the window must be ordered and at most a year long.
    pub fn validate(&self) -> Result<ValidSurvey, FieldErrors> {
        let mut e = FieldErrors::default();
        let q = self.questionnaire.validate();
        let audience = Audience::parse(&self.audience);
        if audience.is_none() {
            e.push("参评对象", format!("应为 {}", Audience::labels()));
        }
        let date = |e: &mut FieldErrors, f: &'static str, s: &str| match s.trim() {
            "" => {
                e.push(f, "必填");
                None
            }
            t => crate::dates::parse_date(t).map_err(|x| e.push(f, x)).ok(),
        };
        let opens = date(&mut e, "开始日期", &self.opens_on);
        let closes = date(&mut e, "截止日期", &self.closes_on);
        if let (Some(o), Some(c)) = (opens, closes) {
            if c < o {
                e.push("截止日期", format!("{c} 早于开始日期 {o}"));
            } else if (c - o).num_days() > 366 {
                e.push("截止日期", "测评期不能超过一年");
            }
        }
        let (dm, dr) = coverage_on(opens.unwrap_or_else(|| chrono::Utc::now().date_naive()));
        let member_permille = percent(&mut e, "党员覆盖目标", &self.member_target, dm);
        let resident_permille = percent(&mut e, "群众覆盖目标", &self.resident_target, dr);
        let q = match q {
            Ok(q) => Some(q),
            Err(x) => {
                e.0.extend(x.0);
                None
            }
        };
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ValidSurvey {
            questionnaire: q.expect("checked"),
            audience: audience.expect("checked"),
            opens_on: opens.expect("checked"),
            closes_on: closes.expect("checked"),
            member_permille,
            resident_permille,
        })
    }
}

/// Where a survey stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    NotYet,
    Open,
    Closed,
}

pub fn window(opens: NaiveDate, closes: NaiveDate, on: NaiveDate) -> Window {
    if on < opens {
        Window::NotYet
    } else if on > closes {
        Window::Closed
    } else {
        Window::Open
    }
}

impl Window {
    pub fn label(self) -> &'static str {
        match self {
            Window::NotYet => "未开始",
            Window::Open => "进行中",
            Window::Closed => "已结束",
        }
    }
}

/// One answer as checked: what was chosen or written for each item (empty when not answered),
/// the personal field's value, and its share toward the satisfaction rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub values: Vec<Vec<String>>,
    #[serde(default)]
    pub personal: String,
    /// Satisfaction items answered with a choice counted as satisfied.
    pub satisfied: i32,
    /// Satisfaction items answered with a choice that counts (satisfied or not).
    pub counted: i32,
}

/// The problems of one answer: per item (by index) and of the personal field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnswerErrors {
    pub items: std::collections::BTreeMap<usize, String>,
    pub personal: Option<String>,
}

impl AnswerErrors {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.personal.is_none()
    }
    pub fn to_field_errors(&self) -> FieldErrors {
        let mut e = FieldErrors::default();
        for (i, m) in &self.items {
            e.push("题目", format!("第{}题：{m}", i + 1));
        }
        if let Some(m) = &self.personal {
            e.push("个人信息", m.clone());
        }
        e
    }
}

impl Questionnaire {
    /// Check an answer given as form pairs: `q1`, `q2` … (1-based, repeated for multiple
    /// choice) and `personal`.
    pub fn check_answer(&self, pairs: &[(String, String)]) -> Result<Answer, AnswerErrors> {
        let mut errs = AnswerErrors::default();
        let mut values = vec![Vec::<String>::new(); self.items.len()];
        let mut personal = String::new();
        for (k, v) in pairs {
            if k == "personal" {
                personal = v.trim().to_string();
            } else if let Some(i) = k.strip_prefix('q').and_then(|n| n.parse::<usize>().ok()) {
                if (1..=self.items.len()).contains(&i) && !v.trim().is_empty() {
                    values[i - 1].push(v.trim().to_string());
                }
            }
        }
        let (mut satisfied, mut counted) = (0, 0);
        for (i, (it, v)) in self.items.iter().zip(values.iter_mut()).enumerate() {
            if v.is_empty() {
                if it.required {
                    let m = if it.kind == ItemKind::Text { "请填写" } else { "请选择" };
                    errs.items.insert(i, m.into());
                }
                continue;
            }
            match it.kind {
                ItemKind::Text => {
                    let t = v.join("\n");
                    let n = t.chars().count();
                    if n > it.max_len as usize {
                        errs.items.insert(i, format!("最多 {} 字，现有 {n} 字", it.max_len));
                    } else if crate::text::has_control(&t.replace(['\n', '\r'], "")) {
                        errs.items.insert(i, "含有不可见的控制字符".into());
                    }
                    *v = vec![t];
                }
                _ => {
                    v.sort();
                    v.dedup();
                    if v.iter().any(|x| !it.choices.iter().any(|c| &c.label == x)) {
                        errs.items.insert(i, "请从所列选项中选择".into());
                    } else if it.kind != ItemKind::Multi && v.len() > 1 {
                        errs.items.insert(i, "只能选一项".into());
                    } else if it.satisfaction {
                        match it.choices.iter().find(|c| c.label == v[0]).map(|c| c.counts) {
                            Some(Counts::Satisfied) => {
                                satisfied += 1;
                                counted += 1
                            }
                            Some(Counts::NotSatisfied) => counted += 1,
                            _ => {}
                        }
                    }
                }
            }
        }
        match self.personal {
            PersonalField::None => personal.clear(),
            PersonalField::Phone => {
                if personal.is_empty() {
                    errs.personal = Some("请填写联系电话".into());
                } else if !(7..=15).contains(&personal.len())
                    || !personal.chars().all(|c| c.is_ascii_digit() || c == '-')
                {
                    errs.personal = Some(format!("联系电话“{personal}”应为 7 至 15 位数字"));
                }
            }
            PersonalField::Name => {
                let n = personal.chars().count();
                if n == 0 {
                    errs.personal = Some("请填写姓名".into());
                } else if n > 30 {
                    errs.personal = Some("姓名不能超过 30 字".into());
                }
            }
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(Answer { values, personal, satisfied, counted })
    }
}

/// The satisfaction rate in thousandths, rounded half up; `None` when no satisfaction item was
/// answered with a choice that counts (GRADE-06 reads it).
pub fn rate_permille(satisfied: i64, counted: i64) -> Option<i32> {
    (counted > 0).then(|| ((satisfied * 2000 + counted) / (2 * counted)) as i32)
}

/// Coverage in thousandths (answered of the base), `None` without a base.
pub fn coverage_permille(answered: i64, base: Option<i64>) -> Option<i32> {
    match base {
        Some(b) if b > 0 => Some(((answered * 2000 + b) / (2 * b)).min(i32::MAX as i64) as i32),
        _ => None,
    }
}

/// `92.5%`, `—`.
pub fn fmt_permille(v: Option<i32>) -> String {
    match v {
        Some(v) if v % 10 == 0 => format!("{}%", v / 10),
        Some(v) => format!("{}.{}%", v / 10, v % 10),
        None => "—".into(),
    }
}

/// The code alphabet: digits and capitals without 0, 1, I and O, which are read one for another.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Characters of a code: 12 of 32 symbols, 60 bits.
pub const CODE_LEN: usize = 12;

/// A code as typed, normalized (capitals, separators and spaces dropped, `O`→`0` is not needed
/// as neither is in the alphabet); `None` when it cannot be a code.
pub fn normalize_code(s: &str) -> Option<String> {
    let c: String = s.chars().filter(|c| !matches!(c, '-' | ' ' | '　')).collect::<String>().to_ascii_uppercase();
    (c.len() == CODE_LEN && c.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(c)
}

/// A code as printed: `ABCD-EFGH-JKLM`.
pub fn show_code(c: &str) -> String {
    c.as_bytes().chunks(4).map(|x| String::from_utf8_lossy(x).into_owned()).collect::<Vec<_>>().join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_preset_is_valid_and_round_trips_through_its_lines() {
        let q = preset("satisfaction").unwrap().input().validate().unwrap();
        assert_eq!(q.title, "党组织满意度测评");
        assert_eq!(q.items.iter().filter(|i| i.satisfaction).count(), 4);
        assert_eq!(q.personal, PersonalField::None);
        let again = q.as_input().validate().unwrap();
        assert_eq!(q, again);
        assert!(!q.items[6].required && q.items[6].max_len == 300);
    }

    #[test]
    fn problems_name_the_item() {
        let input = QuestionnaireInput {
            title: "测评".into(),
            items: "评价|班子|满意、不满意|满意率\n打分|书记|1、2\n单选|只有一项|甲\n文字|建议|99999".into(),
            ..Default::default()
        };
        let e = input.validate().unwrap_err();
        let all = e.to_string();
        assert!(all.contains("第1题：计入满意率的评价题须至少有一个计为满意"), "{all}");
        assert!(all.contains("第2题：类型“打分”"), "{all}");
        assert!(all.contains("第3题：应有 2 至"), "{all}");
        assert!(all.contains("第4题：文字题的字数上限"), "{all}");
        let e = QuestionnaireInput::default().validate().unwrap_err();
        assert!(e.0.iter().any(|x| x.field == "问卷标题") && e.0.iter().any(|x| x.field == "题目"));
    }

    #[test]
    fn an_answer_counts_satisfied_over_counted_and_leaves_out_not_known() {
        let q = preset("satisfaction").unwrap().input().validate().unwrap();
        let pairs: Vec<(String, String)> = [
            ("q1", "满意"),
            ("q2", "不满意"),
            ("q3", "不了解"),
            ("q4", "基本满意"),
            ("q5", "公开栏"),
            ("q6", "环境整治"),
            ("q6", "为民办实事"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let a = q.check_answer(&pairs).unwrap();
        assert_eq!((a.satisfied, a.counted), (2, 3));
        assert_eq!(a.values[5].len(), 2);
        let e = q.check_answer(&pairs[..2]).unwrap_err();
        assert_eq!(e.items.keys().copied().collect::<Vec<_>>(), vec![2, 3, 4]);
        let bad = vec![("q1".to_string(), "还行".to_string())];
        assert_eq!(q.check_answer(&bad).unwrap_err().items[&0], "请从所列选项中选择");
    }

    #[test]
    fn the_rate_rounds_half_up_and_is_none_without_counted_answers() {
        assert_eq!(rate_permille(2, 3), Some(667));
        assert_eq!(rate_permille(9, 10), Some(900));
        assert_eq!(rate_permille(0, 0), None);
        assert_eq!(fmt_permille(Some(667)), "66.7%");
        assert_eq!(fmt_permille(Some(900)), "90%");
        assert_eq!(coverage_permille(3, None), None);
        assert_eq!(coverage_permille(12, Some(100)), Some(120));
    }

    #[test]
    fn grade_08_coverage_is_dated_data() {
        // GRADE-08: members 100 %, residents at least 10 %
        assert_eq!(coverage_on(d("2026-11-01")), (1000, 100));
        assert!(coverage_rules().iter().all(|r| r.rule_id == "GRADE-08"));
    }

    #[test]
    fn codes_are_normalized_from_what_people_type() {
        assert_eq!(normalize_code("abcd-efgh-jkmn").as_deref(), Some("ABCDEFGHJKMN"));
        assert_eq!(normalize_code("ABCD EFGH JKM"), None);
        assert_eq!(normalize_code("ABCD-EFGH-JKM0"), None, "0 is not in the alphabet");
        assert_eq!(show_code("ABCDEFGHJKMN"), "ABCD-EFGH-JKMN");
    }

    #[test]
    fn the_window_says_not_yet_open_closed() {
        let (o, c) = (d("2026-11-01"), d("2026-11-30"));
        assert_eq!(window(o, c, d("2026-10-31")), Window::NotYet);
        assert_eq!(window(o, c, d("2026-11-30")), Window::Open);
        assert_eq!(window(o, c, d("2026-12-01")), Window::Closed);
    }
}
