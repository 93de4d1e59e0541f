//! 软弱涣散基层党组织: identifying weak and lax organizations against a versioned criteria list,
//! their life cycle to 销号 (WEAK-05), the rectification plan (一村一策) item by item, and the
//! links every weak village organization must have (WEAK-06, the "四个一").
//!
//! The criteria are dated data: the national ten of WEAK-01 are shipped ([`NATIONAL`]); the local
//! additions of WEAK-01/WEAK-07 are an optional preset ([`LOCAL_PRESET`]) a 组织部 adopts, and it
//! may add its own; each local criterion is valid from a date and may be retired. The numbers the
//! proposals from data use (months without organization life, months of a vacant secretary post)
//! and the months of 跟踪问效 are dated settings too ([`Settings`]), the nearest ancestor's
//! version in force winning.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::text;
use crate::FieldErrors;

/// One criterion of the list: a stable code (`N01`…`N10` national, `L01`… the local preset,
/// `C…` added by a 组织部) and its wording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Criterion {
    pub code: String,
    pub label: String,
}

/// WEAK-01, the national list (items 1–10, confidence M), in force since the 2014 campaign.
pub const NATIONAL: &[(&str, &str)] = &[
    ("N01", "班子配备不齐、书记长期缺职、工作处于停滞状态"),
    ("N02", "书记不胜任现职、工作不在状态、严重影响班子整体战斗力"),
    ("N03", "班子不团结、内耗严重、工作不能正常开展"),
    ("N04", "组织制度形同虚设、不开展组织活动"),
    ("N05", "换届选举拉票贿选问题突出"),
    ("N06", "宗族宗教和黑恶势力干扰渗透严重"),
    ("N07", "党务村务财务不公开、民主管理混乱"),
    ("N08", "社会治安问题和信访矛盾纠纷集中"),
    ("N09", "无村级组织活动场所"),
    ("N10", "服务意识差、服务能力弱、群众意见大"),
];

/// The day the national list is in force from (the 2014–2015 rectification campaign, WEAK-03).
pub fn national_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2014, 1, 1).expect("date")
}

/// WEAK-01 / WEAK-07 local additions (confidence L): a preset a 组织部 may adopt as its own dated
/// version.
pub const LOCAL_PRESET: &[(&str, &str)] = &[
    ("L01", "书记出缺超过3个月"),
    ("L02", "连续2年以上无发展对象"),
    ("L03", "群众满意率低于60%"),
    ("L04", "年度考核末位"),
    ("L05", "村务监督委员会形同虚设"),
    ("L06", "惠农政策执行不公"),
];

/// The criterion a proposal ticks for missing organization life (WEAK-01 item 4).
pub const NO_LIFE: &str = "N04";
/// The criteria a vacant secretary post ticks: the local one when in force, else item 1.
pub const VACANT_LOCAL: &str = "L01";
pub const VACANT_NATIONAL: &str = "N01";
/// The criterion the grading's bottom ticks, when the local preset is in force.
pub const BOTTOM_LOCAL: &str = "L04";

/// The national criteria as [`Criterion`]s.
pub fn national() -> Vec<Criterion> {
    NATIONAL.iter().map(|(c, l)| Criterion { code: (*c).into(), label: (*l).into() }).collect()
}

/// A local criterion as typed by a 组织部.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CriterionInput {
    pub label: String,
    pub valid_from: String,
}

/// A checked local criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidCriterion {
    pub label: String,
    pub valid_from: NaiveDate,
}

impl CriterionInput {
    pub fn validate(&self) -> Result<ValidCriterion, FieldErrors> {
        let mut e = FieldErrors::default();
        let label = text::required(&self.label, "认定标准", 100, &mut e);
        let valid_from = date(&mut e, "施行日期", &self.valid_from);
        e.into_result(())?;
        Ok(ValidCriterion { label, valid_from: valid_from.expect("checked") })
    }
}

/// The numbers of the proposals and of 跟踪问效, as a dated version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// Propose an organization without any organization-life record for this many months.
    pub no_life_months: i32,
    /// Propose an organization whose 书记 post has been vacant for more than this many months
    /// (WEAK-01 local: 3).
    pub vacancy_months: i32,
    /// Months an organization is followed after 销号 (WEAK-05: 1 year).
    pub monitor_months: i32,
}

/// The shipped settings: WEAK-01 local (3 months vacant, L), WEAK-05 (12 months followed, M); six
/// months without any organization life is a design default (a branch holds a 党员大会 each
/// quarter, LIFE rules, so two missed quarters in a row).
pub const DEFAULT_SETTINGS: Settings = Settings { no_life_months: 6, vacancy_months: 3, monitor_months: 12 };

/// Settings as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SettingsInput {
    pub no_life_months: String,
    pub vacancy_months: String,
    pub monitor_months: String,
    pub valid_from: String,
}

impl SettingsInput {
    pub fn validate(&self) -> Result<(Settings, NaiveDate), FieldErrors> {
        let mut e = FieldErrors::default();
        let n = months(&mut e, "无组织生活月数", &self.no_life_months, 1, 36);
        let v = months(&mut e, "书记缺职月数", &self.vacancy_months, 1, 24);
        let m = months(&mut e, "跟踪问效月数", &self.monitor_months, 1, 60);
        let from = date(&mut e, "施行日期", &self.valid_from);
        e.into_result(())?;
        Ok((
            Settings {
                no_life_months: n.expect("checked"),
                vacancy_months: v.expect("checked"),
                monitor_months: m.expect("checked"),
            },
            from.expect("checked"),
        ))
    }
}

fn months(e: &mut FieldErrors, field: &'static str, s: &str, lo: i32, hi: i32) -> Option<i32> {
    match s.trim().trim_end_matches("个月").parse::<i32>() {
        Ok(n) if (lo..=hi).contains(&n) => Some(n),
        _ if s.trim().is_empty() => {
            e.push(field, "必填");
            None
        }
        _ => {
            e.push(field, format!("“{}”应为 {lo} 至 {hi} 的整数（月）", s.trim()));
            None
        }
    }
}

pub(crate) fn date(e: &mut FieldErrors, field: &'static str, s: &str) -> Option<NaiveDate> {
    if s.trim().is_empty() {
        e.push(field, "必填");
        return None;
    }
    crate::dates::parse_date(s.trim()).map_err(|x| e.push(field, x)).ok()
}

crate::labelled_enum! {
    /// Where an identified organization stands (WEAK-05).
    State {
        Suspected = "suspected", "疑似（待认定）";
        Confirmed = "confirmed", "已认定";
        Rectifying = "rectifying", "整顿中";
        Accepted = "accepted", "已验收销号";
        Monitored = "monitored", "跟踪问效";
        Closed = "closed", "已结束";
        Dismissed = "dismissed", "未认定";
    }
}

impl State {
    /// Still on the list (counts as weak and lax, and a second identification is refused).
    pub fn open(self) -> bool {
        !matches!(self, State::Closed | State::Dismissed)
    }
    /// Criteria and evidence may still be ticked.
    pub fn criteria_editable(self) -> bool {
        matches!(self, State::Suspected | State::Confirmed)
    }
    /// The rectification plan may still get items.
    pub fn plan_editable(self) -> bool {
        matches!(self, State::Confirmed | State::Rectifying)
    }
    /// The organization is weak and lax in the WEAK-06 sense (its links are required).
    pub fn needs_links(self) -> bool {
        matches!(self, State::Confirmed | State::Rectifying)
    }
}

crate::labelled_enum! {
    /// What the superior does to an identification.
    Action {
        Confirm = "confirm", "认定";
        Dismiss = "dismiss", "不予认定";
        Start = "start", "开始整顿";
        Accept = "accept", "验收销号";
        Monitor = "monitor", "转入跟踪问效";
        Close = "close", "结束跟踪";
        Reopen = "reopen", "重新整顿";
    }
}

crate::labelled_enum! {
    /// How an identification came about.
    Origin {
        Manual = "manual", "排查认定";
        NoLife = "no_life", "数据提示：长期无组织生活";
        VacantSecretary = "vacant_secretary", "数据提示：书记缺职";
        Bottom = "bottom", "定级末位";
    }
}

/// What a transition needs besides the action, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TransitionInput {
    pub action: String,
    /// The day it takes effect (the decision's date); today when empty.
    #[serde(default)]
    pub on: String,
    /// The decision's reference (e.g. the 县委常委会 minutes), required to confirm.
    #[serde(default)]
    pub decision_ref: String,
    /// Why (required to dismiss and to reopen).
    #[serde(default)]
    pub note: String,
}

/// A checked transition.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub action: Action,
    pub from: State,
    pub to: State,
    pub on: NaiveDate,
    pub decision_ref: String,
    pub note: String,
}

/// What the organization's record says when a transition is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub state: State,
    /// Criteria ticked.
    pub ticked: usize,
    /// Plan items, and how many of them are accepted.
    pub items: usize,
    pub items_accepted: usize,
    /// The last day of 跟踪问效, once monitored.
    pub monitor_until: Option<NaiveDate>,
    /// The day of the last transition (a new one may not be dated before it).
    pub last_on: Option<NaiveDate>,
}

/// The state an action leads to from `from`, if the action is allowed there (WEAK-05:
/// suspected → confirmed → rectifying → accepted → monitored → closed; suspected → dismissed;
/// monitored → rectifying again when it relapses).
pub fn next(from: State, action: Action) -> Option<State> {
    use Action as A;
    use State as S;
    match (from, action) {
        (S::Suspected, A::Confirm) => Some(S::Confirmed),
        (S::Suspected, A::Dismiss) => Some(S::Dismissed),
        (S::Confirmed, A::Start) => Some(S::Rectifying),
        (S::Rectifying, A::Accept) => Some(S::Accepted),
        (S::Accepted, A::Monitor) => Some(S::Monitored),
        (S::Monitored, A::Close) => Some(S::Closed),
        (S::Monitored, A::Reopen) => Some(S::Rectifying),
        _ => None,
    }
}

/// Judge a transition against the record (WEAK-05). `today` bounds the date; every refusal names
/// its field in Chinese.
pub fn transition(input: &TransitionInput, facts: &Facts, today: NaiveDate) -> Result<Transition, FieldErrors> {
    let mut e = FieldErrors::default();
    let Some(action) = Action::parse(&input.action) else {
        e.push("操作", format!("应为 {}", Action::labels()));
        return Err(e);
    };
    let on = if input.on.trim().is_empty() { Some(today) } else { date(&mut e, "日期", &input.on) };
    if let Some(d) = on {
        if d > today {
            e.push("日期", format!("{d} 晚于今天"));
        }
        if let Some(last) = facts.last_on.filter(|l| d < *l) {
            e.push("日期", format!("{d} 早于上一环节的日期 {last}"));
        }
    }
    let decision_ref = text::optional(&Some(input.decision_ref.clone()), "认定依据", 200, &mut e).unwrap_or_default();
    let note = text::optional(&Some(input.note.clone()), "说明", 500, &mut e).unwrap_or_default();
    let to = next(facts.state, action);
    if to.is_none() {
        e.push("操作", format!("当前状态为“{}”，不能“{}”", facts.state.label(), action.label()));
    }
    match action {
        Action::Confirm => {
            if decision_ref.is_empty() {
                e.push("认定依据", "认定须写明决定依据，如县委常委会会议纪要文号");
            }
            if facts.ticked == 0 {
                e.push("认定标准", "认定前至少勾选一项软弱涣散认定标准并写明事实依据");
            }
        }
        Action::Dismiss if note.is_empty() => e.push("说明", "不予认定须写明理由"),
        Action::Reopen if note.is_empty() => e.push("说明", "重新整顿须写明原因"),
        Action::Start if facts.items == 0 => e.push("整改方案", "开始整顿前须制定整改方案（至少一项整改事项）"),
        Action::Accept if facts.items == 0 || facts.items_accepted < facts.items => e.push(
            "整改方案",
            format!("整改事项须全部验收通过后方可销号：共 {} 项，已验收 {} 项", facts.items, facts.items_accepted),
        ),
        Action::Close => {
            if let (Some(until), Some(d)) = (facts.monitor_until, on) {
                if d < until {
                    e.push("日期", format!("跟踪问效至 {until}，期满后方可结束"));
                }
            }
        }
        _ => {}
    }
    e.into_result(())?;
    Ok(Transition { action, from: facts.state, to: to.expect("checked"), on: on.expect("checked"), decision_ref, note })
}

/// The last day of 跟踪问效 when monitoring starts on `from`.
pub fn monitor_until(from: NaiveDate, s: &Settings) -> NaiveDate {
    crate::dates::add_months(from, s.monitor_months)
}

crate::labelled_enum! {
    /// Where a plan item stands: open, reported done by the organization, accepted by the
    /// superior, or returned to it with a reason.
    ItemStatus {
        Open = "open", "整改中";
        Reported = "reported", "待验收";
        Accepted = "accepted", "已验收";
        Returned = "returned", "已退回";
    }
}

impl ItemStatus {
    /// The organization may report it done.
    pub fn reportable(self) -> bool {
        matches!(self, ItemStatus::Open | ItemStatus::Returned)
    }
}

/// An item is overdue on `today` when its deadline passed and it is not accepted.
pub fn overdue(deadline: NaiveDate, status: ItemStatus, today: NaiveDate) -> bool {
    deadline < today && status != ItemStatus::Accepted
}

/// A plan item as typed (the plan editor; one a line `问题|措施|责任人|完成期限`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ItemInput {
    pub problem: String,
    pub measure: String,
    pub owner: String,
    pub deadline: String,
}

/// A checked item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidItem {
    pub problem: String,
    pub measure: String,
    pub owner: String,
    pub deadline: NaiveDate,
}

impl ItemInput {
    pub fn validate(&self, today: NaiveDate) -> Result<ValidItem, FieldErrors> {
        let mut e = FieldErrors::default();
        let problem = text::required(&self.problem, "存在问题", 300, &mut e);
        let measure = text::required(&self.measure, "整改措施", 500, &mut e);
        let owner = text::required(&self.owner, "责任人", 50, &mut e);
        let deadline = date(&mut e, "完成时限", &self.deadline);
        if let Some(d) = deadline.filter(|d| *d < today) {
            e.push("完成时限", format!("{d} 早于今天"));
        }
        e.into_result(())?;
        Ok(ValidItem { problem, measure, owner, deadline: deadline.expect("checked") })
    }
}

/// The WEAK-06 links of a weak village organization: the 第一书记 (every case since 2021, H), the
/// county leader linked, the township leader in charge and the paired county department (the
/// "四个一", L). Returns what is missing, in words.
pub fn missing_links(
    first_secretary: bool,
    county_leader: &str,
    township_leader: &str,
    paired_dept: &str,
) -> Vec<&'static str> {
    let mut m = Vec::new();
    if !first_secretary {
        m.push("驻村第一书记");
    }
    if county_leader.trim().is_empty() {
        m.push("联系县级领导");
    }
    if township_leader.trim().is_empty() {
        m.push("包村乡镇领导");
    }
    if paired_dept.trim().is_empty() {
        m.push("结对帮扶县直部门");
    }
    m
}

/// The WEAK-06 links as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LinksInput {
    pub county_leader: String,
    pub township_leader: String,
    pub paired_dept: String,
}

impl LinksInput {
    pub fn validate(&self) -> Result<(String, String, String), FieldErrors> {
        let mut e = FieldErrors::default();
        let a = text::optional(&Some(self.county_leader.clone()), "联系县级领导", 100, &mut e).unwrap_or_default();
        let b = text::optional(&Some(self.township_leader.clone()), "包村乡镇领导", 100, &mut e).unwrap_or_default();
        let c = text::optional(&Some(self.paired_dept.clone()), "结对帮扶县直部门", 100, &mut e).unwrap_or_default();
        e.into_result((a, b, c))
    }
}

/// A criterion ticked with its evidence, as typed: the code and the facts.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct TickInput {
    pub code: String,
    #[serde(default)]
    pub evidence: String,
}

/// Check ticks against the criteria in force: every code must be one of them, each evidence is
/// required and at most 1000 characters.
pub fn check_ticks(ticks: &[TickInput], in_force: &[Criterion]) -> Result<Vec<(Criterion, String)>, FieldErrors> {
    let mut e = FieldErrors::default();
    let mut out: Vec<(Criterion, String)> = Vec::new();
    for t in ticks {
        let Some(c) = in_force.iter().find(|c| c.code == t.code.trim()) else {
            e.push("认定标准", format!("“{}”不是现行认定标准", t.code.trim()));
            continue;
        };
        if out.iter().any(|(x, _)| x.code == c.code) {
            continue;
        }
        let ev = text::required(&t.evidence, "事实依据", 1000, &mut e);
        out.push((c.clone(), ev));
    }
    e.into_result(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts(state: State) -> Facts {
        Facts { state, ticked: 1, items: 2, items_accepted: 2, monitor_until: None, last_on: Some(d("2026-01-10")) }
    }

    fn t(action: &str) -> TransitionInput {
        TransitionInput {
            action: action.into(), decision_ref: "县委常委会〔2026〕3号".into(), ..Default::default()
        }
    }

    // WEAK-05: the life cycle, each step from its own state only
    #[test]
    fn life_cycle_in_order() {
        let today = d("2026-03-01");
        let steps = [
            (State::Suspected, "confirm", State::Confirmed),
            (State::Confirmed, "start", State::Rectifying),
            (State::Rectifying, "accept", State::Accepted),
            (State::Accepted, "monitor", State::Monitored),
        ];
        for (from, a, to) in steps {
            assert_eq!(transition(&t(a), &facts(from), today).unwrap().to, to);
        }
        // skipping a step is refused, naming the operation
        let e = transition(&t("accept"), &facts(State::Confirmed), today).unwrap_err();
        assert!(e.has("操作"));
        let e = transition(&t("confirm"), &facts(State::Rectifying), today).unwrap_err();
        assert!(e.has("操作"));
    }

    // WEAK-05: 销号 only when every item is accepted
    #[test]
    fn accept_needs_every_item_accepted() {
        let today = d("2026-03-01");
        let mut f = facts(State::Rectifying);
        f.items_accepted = 1;
        let e = transition(&t("accept"), &f, today).unwrap_err();
        assert!(e.has("整改方案"));
        f.items = 0;
        f.items_accepted = 0;
        assert!(transition(&t("accept"), &f, today).is_err());
    }

    #[test]
    fn confirm_needs_a_reference_and_a_criterion() {
        let today = d("2026-03-01");
        let mut f = facts(State::Suspected);
        f.ticked = 0;
        let e = transition(&TransitionInput { action: "confirm".into(), ..Default::default() }, &f, today).unwrap_err();
        assert!(e.has("认定依据") && e.has("认定标准"));
        let e = transition(&TransitionInput { action: "dismiss".into(), ..Default::default() }, &f, today).unwrap_err();
        assert!(e.has("说明"));
    }

    // WEAK-05: 跟踪问效 for a year before closing
    #[test]
    fn close_after_the_monitoring_year() {
        let start = d("2026-01-10");
        let until = monitor_until(start, &DEFAULT_SETTINGS);
        assert_eq!(until, d("2027-01-10"));
        let mut f = facts(State::Monitored);
        f.monitor_until = Some(until);
        assert!(transition(&t("close"), &f, d("2026-12-31")).unwrap_err().has("日期"));
        assert_eq!(transition(&t("close"), &f, d("2027-01-10")).unwrap().to, State::Closed);
        // a date in the future or before the last step is refused
        assert!(transition(&TransitionInput { on: "2027-02-01".into(), ..t("close") }, &f, d("2027-01-10")).is_err());
        assert!(transition(
            &TransitionInput { on: "2026-01-01".into(), ..t("confirm") },
            &facts(State::Suspected),
            d("2026-03-01")
        )
        .unwrap_err()
        .has("日期"));
    }

    #[test]
    fn overdue_items() {
        let today = d("2026-06-01");
        assert!(overdue(d("2026-05-31"), ItemStatus::Open, today));
        assert!(overdue(d("2026-05-31"), ItemStatus::Reported, today));
        assert!(!overdue(d("2026-05-31"), ItemStatus::Accepted, today));
        assert!(!overdue(d("2026-06-01"), ItemStatus::Open, today));
    }

    // WEAK-06: every weak village gets a first secretary and the three links
    #[test]
    fn missing_links_named() {
        assert_eq!(missing_links(true, "张县长", "李镇长", "县财政局"), Vec::<&str>::new());
        assert_eq!(missing_links(false, "张县长", "", "县财政局"), vec!["驻村第一书记", "包村乡镇领导"]);
    }

    // WEAK-01: ticks only against the criteria in force, each with its facts
    #[test]
    fn ticks_checked() {
        let list = national();
        let ok = check_ticks(&[TickInput { code: "N04".into(), evidence: "半年无会议记录".into() }], &list).unwrap();
        assert_eq!(ok[0].0.label, "组织制度形同虚设、不开展组织活动");
        let e = check_ticks(&[TickInput { code: "L01".into(), evidence: "x".into() }], &list).unwrap_err();
        assert!(e.has("认定标准"));
        let e = check_ticks(&[TickInput { code: "N01".into(), evidence: " ".into() }], &list).unwrap_err();
        assert!(e.has("事实依据"));
    }

    #[test]
    fn items_and_settings_validated() {
        let today = d("2026-03-01");
        let e = ItemInput { deadline: "2026-02-01".into(), ..Default::default() }.validate(today).unwrap_err();
        assert!(e.has("存在问题") && e.has("整改措施") && e.has("责任人") && e.has("完成时限"));
        let s = SettingsInput {
            no_life_months: "6".into(),
            vacancy_months: "3".into(),
            monitor_months: "12".into(),
            valid_from: "2026-01-01".into(),
        };
        assert_eq!(s.validate().unwrap().0, DEFAULT_SETTINGS);
        let bad = SettingsInput { no_life_months: "0".into(), ..s };
        assert!(bad.validate().unwrap_err().has("无组织生活月数"));
    }
}
