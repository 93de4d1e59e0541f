//! 任务: the work a campaign pushes down and the progress reported up — 任务明确、目标量化、
//! 措施配套、责任明晰. A task says what is to be done, its target (a number in a unit, or a yes/no
//! deliverable), its deadline, the measures and the person responsible; an organization of the
//! campaign assigns it down its own subtree, to every organization at a level below it or to a
//! chosen set. The holder of an assignment may split its share further among its subordinates
//! (分解): the shares must add up to the share received. Each assignee reports progress with
//! evidence; the assigner accepts it (the progress counts from then) or returns it with a reason.
//!
//! Pure: the inputs and their checks, what counts as complete, and when a task is overdue as of
//! a date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::indicator::{fmt_milli, parse_milli};
use super::{date, int, text};
use crate::message::{Audience, Draft, Kind as MessageKind};
use crate::FieldErrors;

crate::labelled_enum! {
    /// Whom a task goes to.
    Assign {
        Level = "level", "某一级的全部下级党组织";
        Chosen = "chosen", "指定党组织";
    }
}

crate::labelled_enum! {
    /// Where an assignment stands.
    Status {
        Open = "open", "待办";
        Reported = "reported", "待审核";
        Accepted = "accepted", "已通过";
        Returned = "returned", "已退回";
    }
}

crate::labelled_enum! {
    /// What the overdue view reports about an assignment.
    FindingKind {
        Overdue = "overdue", "逾期未完成";
        Returned = "returned", "被退回待重报";
    }
}

/// A task as typed in the form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskInput {
    pub content: String,
    /// The target number; empty for a yes/no deliverable.
    pub target: String,
    pub unit: String,
    pub due_on: String,
    pub measures: String,
    pub responsible: String,
    /// `level` or `chosen`.
    pub assign: String,
    /// Levels below the assigner, for `level` (1 = its direct subordinates).
    pub depth: String,
}

/// A checked task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidTask {
    pub content: String,
    /// In thousandths of `unit`; `None`: a yes/no deliverable.
    pub target_milli: Option<i64>,
    pub unit: String,
    pub due_on: NaiveDate,
    pub measures: String,
    pub responsible: String,
    pub assign: Assign,
    pub depth: Option<i64>,
}

impl TaskInput {
    pub fn validate(&self) -> Result<ValidTask, FieldErrors> {
        let mut e = FieldErrors::default();
        let content = text(&mut e, "任务内容", &self.content, true, 500);
        let unit = text(&mut e, "计量单位", &self.unit, false, 10);
        let target_milli = match self.target.trim() {
            "" => {
                if !unit.is_empty() {
                    e.push("目标数值", "填写了计量单位时须填写目标数值；是否完成类任务两项都不填");
                }
                None
            }
            t => match parse_milli(t) {
                Some(v) if v > 0 => Some(v),
                _ => {
                    e.push("目标数值", format!("“{t}”应为大于 0 的数"));
                    None
                }
            },
        };
        let due_on = date(&mut e, "完成期限", &self.due_on);
        let measures = text(&mut e, "工作措施", &self.measures, false, 2000);
        let responsible = text(&mut e, "责任人", &self.responsible, true, 60);
        let assign = Assign::parse(&self.assign);
        if assign.is_none() {
            e.push("下达方式", format!("应为 {}", Assign::labels()));
        }
        let depth = match assign {
            Some(Assign::Level) => int(&mut e, "下达层级", &self.depth, 1, 6, None),
            _ => None,
        };
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ValidTask {
            content,
            target_milli,
            unit,
            due_on: due_on.expect("checked"),
            measures,
            responsible,
            assign: assign.expect("checked"),
            depth,
        })
    }
}

/// A split of a received assignment among subordinates, as typed: for a quantified task each
/// subordinate's share (empty: not given any), for a deliverable a mark on the chosen ones.
#[derive(Debug, Clone, Default)]
pub struct CascadeInput {
    pub due_on: String,
    pub measures: String,
    pub responsible: String,
    /// (organization, what was typed for it).
    pub shares: Vec<(i64, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidCascade {
    pub due_on: NaiveDate,
    pub measures: String,
    pub responsible: String,
    /// (organization, share in thousandths; `None` for a deliverable).
    pub shares: Vec<(i64, Option<i64>)>,
}

impl CascadeInput {
    /// Check a split of `received` (the share the holder was given, `None` for a deliverable) of a
    /// task due on `parent_due`, counted in `unit`.
    pub fn validate(
        &self,
        received: Option<i64>,
        unit: &str,
        parent_due: NaiveDate,
    ) -> Result<ValidCascade, FieldErrors> {
        let mut e = FieldErrors::default();
        let due_on =
            if self.due_on.trim().is_empty() { Some(parent_due) } else { date(&mut e, "完成期限", &self.due_on) };
        if let Some(d) = due_on {
            if d > parent_due {
                e.push("完成期限", format!("{d} 晚于上级下达的期限 {parent_due}"));
            }
        }
        let measures = text(&mut e, "工作措施", &self.measures, false, 2000);
        let responsible = text(&mut e, "责任人", &self.responsible, true, 60);
        let mut shares = Vec::new();
        match received {
            Some(total) => {
                let mut sum = 0i64;
                for (org, typed) in &self.shares {
                    let t = typed.trim();
                    if t.is_empty() {
                        continue;
                    }
                    match parse_milli(t) {
                        Some(v) if v > 0 => {
                            sum += v;
                            shares.push((*org, Some(v)));
                        }
                        _ => e.push("分解任务量", format!("“{t}”应为大于 0 的数")),
                    }
                }
                if shares.is_empty() {
                    e.push("分解任务量", "至少为一个下级党组织填写任务量");
                } else if e.is_empty() && sum != total {
                    e.push(
                        "分解任务量",
                        format!(
                            "各单位任务量合计 {}{unit}，应等于本单位承担的 {}{unit}",
                            fmt_milli(sum),
                            fmt_milli(total)
                        ),
                    );
                }
            }
            None => {
                shares = self.shares.iter().filter(|(_, t)| !t.trim().is_empty()).map(|(o, _)| (*o, None)).collect();
                if shares.is_empty() {
                    e.push("分解单位", "至少选择一个下级党组织");
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        if shares.iter().any(|(o, _)| !seen.insert(*o)) {
            e.push("分解单位", "同一党组织只能分配一次");
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ValidCascade { due_on: due_on.expect("checked"), measures, responsible, shares })
    }
}

/// Progress as reported: a value (cumulative, in the task's unit), whether it is done, and what
/// was done.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportInput {
    pub value: String,
    pub done: bool,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidReport {
    pub value_milli: Option<i64>,
    pub done: bool,
    pub note: String,
}

impl ReportInput {
    /// Check a report for a quantified task (`quantified`) or a deliverable.
    pub fn validate(&self, quantified: bool) -> Result<ValidReport, FieldErrors> {
        let mut e = FieldErrors::default();
        let value_milli = match self.value.trim() {
            "" => None,
            t if !quantified => {
                e.push("完成数值", format!("是否完成类任务不填数值（填写了“{t}”），完成时勾选“已完成”"));
                None
            }
            t => match parse_milli(t) {
                Some(v) if v >= 0 => Some(v),
                _ => {
                    e.push("完成数值", format!("“{t}”应为不小于 0 的数"));
                    None
                }
            },
        };
        if quantified && value_milli.is_none() && !self.done && !e.has("完成数值") {
            e.push("完成数值", "填写累计完成数值，或勾选“已完成”");
        }
        let note = text(&mut e, "进展说明", &self.note, true, 1000);
        e.into_result(ValidReport { value_milli, done: self.done, note })
    }
}

/// Is an accepted assignment complete: marked done, or a quantified one whose accepted progress
/// reached its share?
pub fn complete(share_milli: Option<i64>, progress_milli: i64, done: bool) -> bool {
    done || share_milli.is_some_and(|s| progress_milli >= s)
}

/// Is an assignment due on `due_on` and completed on `done_on` (if ever) overdue on `on`: its
/// deadline passed before that day, and it was not complete by then.
pub fn overdue(due_on: NaiveDate, done_on: Option<NaiveDate>, on: NaiveDate) -> bool {
    due_on < on && done_on.is_none_or(|d| d > on)
}

/// Progress towards a share as a fraction (0 to 1); a share of nothing is complete.
pub fn progress(progress_milli: i64, share_milli: i64) -> f64 {
    if share_milli <= 0 {
        1.0
    } else {
        (progress_milli as f64 / share_milli as f64).clamp(0.0, 1.0)
    }
}

/// `12.5个` or `是否完成`.
pub fn target_text(target_milli: Option<i64>, unit: &str) -> String {
    match target_milli {
        Some(t) => format!("{}{unit}", fmt_milli(t)),
        None => "是否完成".to_string(),
    }
}

/// A task and one of its assignments, as the messages about them name it.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    pub task_id: i64,
    pub assignment_id: i64,
    /// The organization the assignment is for.
    pub assignee: &'a str,
    pub content: &'a str,
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() > n {
        format!("{}…", s.chars().take(n).collect::<String>())
    } else {
        s.to_string()
    }
}

impl Notice<'_> {
    fn link(&self) -> String {
        format!("/campaigns/tasks/{}#a{}", self.task_id, self.assignment_id)
    }

    /// To the assigner: progress was reported and waits for its decision.
    pub fn reported(&self, report_id: i64, progress: &str, note: &str) -> Draft {
        Draft {
            kind: MessageKind::Notice,
            audience: Audience::CampaignReporters,
            subject: format!("task_report:{report_id}"),
            title: short(&format!("{} 报送了任务进展：{}", self.assignee, self.content), 90),
            body: short(&format!("{}：{progress}。{}", self.assignee, note), 900),
            link: self.link(),
        }
    }

    /// To the assignee: its report was returned, and why.
    pub fn returned(&self, reason: &str) -> Draft {
        Draft {
            kind: MessageKind::Notice,
            audience: Audience::CampaignReporters,
            subject: format!("task_assignment:{}", self.assignment_id),
            title: short(&format!("任务进展被退回：{}", self.content), 90),
            body: short(&format!("{} 报送的进展被退回，理由：{reason}。请补充后重新报送。", self.assignee), 900),
            link: self.link(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn input() -> TaskInput {
        TaskInput {
            content: "建成村级党群服务站".into(),
            target: "12".into(),
            unit: "个".into(),
            due_on: "2026-06-30".into(),
            measures: "整合资源、统一标识".into(),
            responsible: "县委组织部 王某".into(),
            assign: "level".into(),
            depth: "1".into(),
        }
    }

    #[test]
    fn a_task_names_every_field_at_fault() {
        let v = input().validate().unwrap();
        assert_eq!((v.target_milli, v.unit.as_str(), v.depth), (Some(12_000), "个", Some(1)));
        let deliverable =
            TaskInput { target: String::new(), unit: String::new(), assign: "chosen".into(), ..input() }.validate();
        assert_eq!(deliverable.unwrap().target_milli, None);
        let e = TaskInput {
            content: " ".into(),
            target: "-1".into(),
            due_on: "2026-02-30".into(),
            responsible: String::new(),
            assign: "all".into(),
            ..input()
        }
        .validate()
        .unwrap_err();
        for f in ["任务内容", "目标数值", "完成期限", "责任人", "下达方式"] {
            assert!(e.has(f), "{f}: {e:?}");
        }
        let e = TaskInput { target: String::new(), depth: "9".into(), ..input() }.validate().unwrap_err();
        assert!(e.has("目标数值") && e.has("下达层级"), "{e:?}");
    }

    #[test]
    fn shares_add_up_to_the_share_received() {
        let due = d("2026-06-30");
        let split = |shares: &[(i64, &str)], received: Option<i64>| {
            CascadeInput {
                responsible: "镇党委 李某".into(),
                shares: shares.iter().map(|(o, s)| (*o, s.to_string())).collect(),
                ..Default::default()
            }
            .validate(received, "个", due)
        };
        let v = split(&[(1, "5"), (2, "7"), (3, "")], Some(12_000)).unwrap();
        assert_eq!(v.shares, vec![(1, Some(5_000)), (2, Some(7_000))]);
        assert_eq!(v.due_on, due, "the superior's deadline unless an earlier one is given");
        let e = split(&[(1, "5"), (2, "6")], Some(12_000)).unwrap_err();
        assert!(format!("{e:?}").contains("合计 11个，应等于本单位承担的 12个"), "{e:?}");
        assert!(split(&[(1, "0")], Some(12_000)).unwrap_err().has("分解任务量"));
        assert!(split(&[], Some(12_000)).unwrap_err().has("分解任务量"));
        assert_eq!(split(&[(1, "on"), (2, "")], None).unwrap().shares, vec![(1, None)]);
        assert!(split(&[(1, "")], None).unwrap_err().has("分解单位"));
        let late = CascadeInput { due_on: "2026-07-01".into(), responsible: "某".into(), ..Default::default() }
            .validate(None, "", due)
            .unwrap_err();
        assert!(late.has("完成期限") && late.has("分解单位"));
    }

    #[test]
    fn a_report_gives_a_value_or_says_done() {
        let r = ReportInput { value: "7.5".into(), done: false, note: "已建成 7 个".into() }.validate(true).unwrap();
        assert_eq!(r.value_milli, Some(7_500));
        assert!(ReportInput { note: "x".into(), ..Default::default() }.validate(true).unwrap_err().has("完成数值"));
        assert!(ReportInput { done: true, note: "x".into(), ..Default::default() }.validate(true).is_ok());
        assert!(ReportInput { note: "推进中".into(), ..Default::default() }.validate(false).is_ok());
        let e = ReportInput { value: "3".into(), ..Default::default() }.validate(false).unwrap_err();
        assert!(e.has("完成数值") && e.has("进展说明"));
    }

    #[test]
    fn overdue_is_judged_as_of_a_date() {
        let due = d("2026-06-30");
        assert!(!overdue(due, None, d("2026-06-30")), "due that day is not yet overdue");
        assert!(overdue(due, None, d("2026-07-01")));
        assert!(overdue(due, Some(d("2026-07-10")), d("2026-07-05")), "completed only later");
        assert!(!overdue(due, Some(d("2026-07-10")), d("2026-07-10")));
        assert!(complete(Some(12_000), 12_000, false) && !complete(Some(12_000), 11_999, false));
        assert!(complete(None, 0, true) && !complete(None, 0, false));
        assert_eq!(progress(6_000, 12_000), 0.5);
        assert_eq!(target_text(Some(12_500), "个"), "12.5个");
    }

    #[test]
    fn messages_link_to_the_assignment_and_pass_the_check() {
        let long = "很长的任务内容".repeat(30);
        let n = Notice { task_id: 3, assignment_id: 7, assignee: "甲镇党委", content: &long };
        let up = n.reported(11, "累计 5个", "已建成");
        assert_eq!((up.subject.as_str(), up.link.as_str()), ("task_report:11", "/campaigns/tasks/3#a7"));
        up.check().unwrap();
        let down = n.returned("缺少照片");
        assert!(down.body.contains("缺少照片") && down.subject == "task_assignment:7");
        down.check().unwrap();
    }
}
