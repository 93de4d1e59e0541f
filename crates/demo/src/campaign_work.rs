//! The work the demo's campaigns push down and gather up over the year, written through the
//! store's task, secondment and plan functions as the demo's own work, so every write is audited.
//!
//! - 任务: the 服务型 campaign's tasks from the city to its counties (a district: to its
//!   townships), quantified ones (服务站 built, secretaries trained, sites cultivated) and yes/no
//!   deliverables (an implementation plan, half-year and year-end summaries); a few counties split
//!   the 服务站 task among their townships, the shares adding up to what they received. Progress
//!   is reported with small evidence files (a one-page PDF, a photo), mostly accepted, some
//!   returned with a reason and reported again; some assignments are finished late, some are still
//!   undone past their deadline on the demo date, some wait for a decision. The 基层组织建设年
//!   campaign's county gives its townships a few tasks of its own.
//! - 跟岗学习: county units (a district's townships) nominate their party-affairs cadres for periods
//!   of the year; some accepted, some rejected with a reason — one of them because the nominee is
//!   within two years of the statutory retirement age (SEC-02) — and some still waiting.
//! - 党建规划: annual plans of the counties and some townships, multi-year plans of the city and
//!   some counties, with targets reading the registry (facility coverage, organization-life
//!   completion, training coverage, demonstration sites) and dated milestones, approved (their
//!   past milestones mostly done), submitted, returned with a reason, or still drafts.
//!
//! Every choice comes from the seed and the place, every date from the demo's `today`.

use std::collections::HashSet;

use anyhow::{anyhow, Context};
use chrono::{Datelike, Duration, NaiveDate};
use domain::campaign::plan::{PlanInput, TargetInput};
use domain::campaign::retirement;
use domain::campaign::secondment as rules;
use domain::campaign::task::{CascadeInput, ReportInput, TaskInput};
use domain::dates::{add_years, last_day_of_month};
use domain::officer::OfficerRole;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use store::campaign::{self as sc, task::Assignment, Campaign};
use store::Progress;

use super::{committee_of, place_of, Cal, Writer};

/// A task the campaign's issuer gives every participant.
struct Spec {
    content: &'static str,
    /// Each participant's share (city, district); `None`: a yes/no deliverable.
    target: Option<(i64, i64)>,
    unit: &'static str,
    /// Issued and due at these shares of the demo year up to `today` (see [`deadline`]).
    from: f64,
    due: f64,
    measures: &'static str,
    /// A district's townships get it too (they get fewer tasks than a city's counties).
    district: bool,
}

const SERVICE_TASKS: &[Spec] = &[
    Spec {
        content: "成立由党委书记任组长的服务型党组织创建工作领导小组",
        target: None,
        unit: "",
        from: 0.06,
        due: 0.1,
        measures: "党委书记任组长，组织、宣传、政务服务等部门为成员，明确办公室和联络员",
        district: false,
    },
    Spec {
        content: "制定服务型党组织创建实施方案",
        target: None,
        unit: "",
        from: 0.06,
        due: 0.16,
        measures: "对照创建标准，结合本地实际明确创建目标、步骤和责任分工，经党委会议研究后印发",
        district: true,
    },
    Spec {
        content: "建立服务群众事项受理、办理、办结台账",
        target: None,
        unit: "",
        from: 0.12,
        due: 0.4,
        measures: "乡镇（街道）、村（社区）两级建账，逐项登记受理时间、办理人和办结回访情况",
        district: false,
    },
    Spec {
        content: "报送上半年创建工作总结",
        target: None,
        unit: "",
        from: 0.4,
        due: 0.52,
        measures: "总结创建进展、特色做法和存在问题，附服务阵地建设和书记轮训数据",
        district: true,
    },
    Spec {
        content: "培育县级服务型党组织示范点",
        target: Some((4, 1)),
        unit: "个",
        from: 0.1,
        due: 0.68,
        measures: "按“一行业一特色”在农村、社区、机关、企业中选树，明确驻点指导干部",
        district: false,
    },
    Spec {
        content: "建成村（社区）党员群众综合服务站",
        target: Some((12, 3)),
        unit: "个",
        from: 0.1,
        due: 0.76,
        measures: "整合村级活动场所、便民服务点，统一标识、统一制度、统一服务流程",
        district: true,
    },
    Spec {
        content: "完善乡镇（街道）党务政务综合服务中心功能",
        target: Some((3, 1)),
        unit: "个",
        from: 0.2,
        due: 0.84,
        measures: "推行一站式服务、全程代办，公开服务事项、办理流程和时限",
        district: false,
    },
    Spec {
        content: "完成党支部书记轮训",
        target: Some((150, 15)),
        unit: "人",
        from: 0.12,
        due: 0.9,
        measures: "依托县级党校分期举办，每期不少于 5 天，结业考核合格方计入",
        district: true,
    },
    Spec {
        content: "开展党员志愿服务活动",
        target: Some((20, 4)),
        unit: "次",
        from: 0.3,
        due: 1.5,
        measures: "以党员服务日为载体，组织党员到服务站、示范点开展政策宣讲和便民服务",
        district: true,
    },
    Spec {
        content: "开展服务群众满意度测评",
        target: None,
        unit: "",
        from: 0.6,
        due: 1.7,
        measures: "随机抽取服务对象回访，测评结果纳入年度考核",
        district: false,
    },
    Spec {
        content: "报送全年创建工作总结和下一年度创建计划",
        target: None,
        unit: "",
        from: 0.7,
        due: 2.0,
        measures: "全面总结全年创建工作，提出下一年度目标任务和工作措施",
        district: true,
    },
];

const FOUNDATION_TASKS: &[Spec] = &[
    Spec {
        content: "完成村（社区）党组织分类定级",
        target: None,
        unit: "",
        from: 0.03,
        due: 0.3,
        measures: "按好、较好、一般、较差四类评定，结果报县委组织部审核",
        district: true,
    },
    Spec {
        content: "整顿转化后进村党组织",
        target: Some((1, 1)),
        unit: "个",
        from: 0.3,
        due: 0.86,
        measures: "一村一策制定整改方案，乡镇党委班子成员包村，县级领导联系指导",
        district: true,
    },
    Spec {
        content: "开展村（社区）干部集中培训",
        target: Some((2, 2)),
        unit: "期",
        from: 0.1,
        due: 1.6,
        measures: "围绕村级事务管理、集体经济发展和服务群众技能分期培训",
        district: true,
    },
];

/// Why a report of progress is returned.
const TASK_RETURNS: &[&str] = &[
    "佐证材料不能证明已建成投用，请补充挂牌和运行照片后重新报送",
    "完成数与台账不一致，请核实后重新报送",
    "材料未经党委（党工委）会议研究，请附会议纪要后重新报送",
    "内容过于简单，缺少数据和典型事例，请充实后重新报送",
];

/// How an assignment goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Finished before its deadline.
    OnTime,
    /// Finished after its deadline, before the demo date.
    Late,
    /// Past its deadline and not finished: partial progress at most.
    Overdue,
    /// Its report of completion was returned and not reported again.
    ReturnedLeft,
    /// Its last report waits for a decision.
    Waiting,
    /// Not yet due and not yet reported on.
    Untouched,
}

impl Fate {
    fn draw(rng: &mut ChaCha8Rng, past_due: bool) -> Fate {
        let r: f64 = rng.gen();
        if past_due {
            match r {
                r if r < 0.78 => Fate::OnTime,
                r if r < 0.88 => Fate::Late,
                r if r < 0.94 => Fate::Overdue,
                r if r < 0.97 => Fate::ReturnedLeft,
                _ => Fate::Waiting,
            }
        } else {
            match r {
                r if r < 0.2 => Fate::OnTime,
                r if r < 0.7 => Fate::Overdue, // in progress: partial so far
                r if r < 0.85 => Fate::Waiting,
                _ => Fate::Untouched,
            }
        }
    }
}

/// How an assignment stands after the demo wrote its reports.
struct Outcome {
    done_on: Option<NaiveDate>,
    progress_milli: i64,
}

/// A nomination the demo writes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Nominated {
    Accepted,
    /// Rejected: within two years of the statutory retirement age.
    NearRetirement,
    /// Rejected: cannot be released full-time for the period.
    NotReleased,
    Pending,
    /// Waiting, and near retirement: the reviewer sees SEC-02 fail.
    PendingNearRetirement,
}

impl Writer<'_> {
    fn due(&self, f: f64) -> NaiveDate {
        deadline(&self.cal, f)
    }

    /// The demo date, or `d` if earlier.
    fn by_today(&self, d: NaiveDate) -> Option<NaiveDate> {
        (d <= self.cal.today).then_some(d)
    }

    /// Tasks, nominations and plans, after the campaigns and before the rounds (so the draft
    /// round's 逾期任务 reads them).
    pub(super) async fn work(&mut self, service: &Campaign, progress: &dyn Progress) -> anyhow::Result<()> {
        progress.start("生成任务、跟岗学习和党建规划", Some(3));
        self.service_tasks(service).await.context("写入创建任务失败")?;
        self.foundation_tasks().await.context("写入创建任务失败")?;
        self.s.tasks_overdue = sc::task::overdue_on(self.store, service, self.cal.today).await?.len() as u64;
        progress.inc(1);
        self.nominations().await.context("写入跟岗学习推荐失败")?;
        progress.inc(1);
        self.plans().await.context("写入党建规划失败")?;
        progress.inc(1);
        progress.finish();
        Ok(())
    }

    /// A 责任人: a name and a post.
    fn responsible(&self, rng: &mut ChaCha8Rng, post: &str) -> String {
        format!("{}（{post}）", self.person(rng))
    }

    async fn service_tasks(&mut self, c: &Campaign) -> anyhow::Result<()> {
        let city = self.scale != crate::Scale::District;
        let place = place_of(self.root());
        let post = format!("{}组织部组织科科长", committee_of(&place));
        let units = self.p.units.clone();
        let mut forced_overdue = false;
        let mut forced_returned = false;
        for (n, spec) in SERVICE_TASKS.iter().enumerate().filter(|(_, t)| city || t.district) {
            let mut rng = self.rng(&format!("task-{n}"));
            let responsible = self.responsible(&mut rng, &post);
            let target = spec.target.map(|(a, b)| if city { a } else { b });
            let task = self.assign(c, 0, spec, target, &units, &responsible).await?;
            let (_, _, assignments) = sc::task::get(self.store, &self.scope, task.id).await?;
            let issued = self.cal.at(spec.from);
            let past_due = task.due_on < self.cal.today;
            for (k, a) in assignments.iter().enumerate() {
                let mut r = self.rng(&format!("task-{n}-{}", a.org_path));
                let mut fate = Fate::draw(&mut r, past_due);
                // the overdue view and the round's 逾期任务 are never empty, nor the returned ones
                if past_due && k == 1 && !forced_overdue && target.is_some() {
                    fate = Fate::Overdue;
                    forced_overdue = true;
                } else if past_due && k == 2 && !forced_returned && target.is_none() {
                    fate = Fate::ReturnedLeft;
                    forced_returned = true;
                }
                // the 服务站 task: some units split it among their townships (villages)
                if spec.content.contains("服务站") && k % 5 == 0 && target.is_some() {
                    self.cascade(a, &task, issued, &mut r).await?;
                } else {
                    self.progress(a, &task, issued, fate, &mut r).await?;
                }
            }
        }
        Ok(())
    }

    /// The 基层组织建设年 campaign's county gives its townships a few tasks.
    async fn foundation_tasks(&mut self) -> anyhow::Result<()> {
        let Some((c, _)) =
            sc::list(self.store, &self.scope).await?.into_iter().find(|(c, _)| c.kind == "foundation_year")
        else {
            return Ok(());
        };
        let Some(&county) = self.p.by_id.get(&c.org_id) else { return Ok(()) };
        let towns = self.p.townships_of(county);
        let post = format!("{}委组织部组织股股长", place_of(&self.p.orgs[county]));
        for (n, spec) in FOUNDATION_TASKS.iter().enumerate() {
            let mut rng = self.rng(&format!("foundation-task-{n}"));
            let responsible = self.responsible(&mut rng, &post);
            // the lagging villages are few: a third of the townships have one to turn round
            let to: Vec<usize> = if spec.content.contains("后进村") {
                towns.iter().copied().enumerate().filter(|(k, _)| k % 3 == 0).map(|(_, t)| t).collect()
            } else {
                towns.clone()
            };
            let target = spec.target.map(|(a, _)| a);
            let task = self.assign(&c, county, spec, target, &to, &responsible).await?;
            let (_, _, assignments) = sc::task::get(self.store, &self.scope, task.id).await?;
            let issued = self.cal.at(spec.from);
            let past_due = task.due_on < self.cal.today;
            for a in &assignments {
                let mut r = self.rng(&format!("foundation-task-{n}-{}", a.org_path));
                let fate = Fate::draw(&mut r, past_due);
                self.progress(a, &task, issued, fate, &mut r).await?;
            }
        }
        Ok(())
    }

    /// Assign a task from `assigner` to the chosen organizations.
    async fn assign(
        &mut self,
        c: &Campaign,
        assigner: usize,
        spec: &Spec,
        target: Option<i64>,
        to: &[usize],
        responsible: &str,
    ) -> anyhow::Result<sc::task::Task> {
        let input = TaskInput {
            content: spec.content.into(),
            target: target.map(|t| t.to_string()).unwrap_or_default(),
            unit: if target.is_some() { spec.unit.into() } else { String::new() },
            due_on: self.due(spec.due).to_string(),
            measures: spec.measures.into(),
            responsible: responsible.into(),
            assign: "chosen".into(),
            depth: String::new(),
        };
        let v = input.validate().map_err(|e| anyhow!("演示数据生成了无效的任务“{}”：{e}", spec.content))?;
        let org = store::org::visible(self.store, &self.scope, self.p.orgs[assigner].id).await?;
        let ids: Vec<i64> = to.iter().map(|&i| self.p.orgs[i].id).collect();
        let on = self.cal.at(spec.from);
        let t = sc::task::create(self.store, &self.scope, c.id, &org, &v, &ids, on).await?;
        self.s.tasks += 1;
        self.s.task_assignments += ids.len() as u64;
        Ok(t)
    }

    /// Split the 服务站 task among the unit's townships (a district's township: its villages), the
    /// shares adding up to what it received; the townships report to it, and it reports its total.
    async fn cascade(
        &mut self,
        a: &Assignment,
        task: &sc::task::Task,
        issued: NaiveDate,
        rng: &mut ChaCha8Rng,
    ) -> anyhow::Result<()> {
        let share = a.share_milli.unwrap_or(0) / 1000;
        let on = issued + Duration::days(rng.gen_range(5..=12));
        let mut subs: Vec<i64> = sc::task::subordinates(self.store, a, on)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .filter(|id| self.p.by_id.get(id).is_some_and(|&i| self.p.is_township(i) || self.p.is_village(i)))
            .collect();
        if subs.is_empty() || share <= 0 {
            return self.progress(a, task, issued, Fate::OnTime, rng).await.map(|_| ());
        }
        subs.shuffle(rng);
        subs.truncate((share as usize).min(8));
        subs.sort_unstable();
        let mut shares = vec![1i64; subs.len()];
        for _ in subs.len() as i64..share {
            shares[rng.gen_range(0..subs.len())] += 1;
        }
        let holder = self.p.by_id[&a.org_id];
        let post = if self.p.is_township(holder) {
            format!("{}党委组织委员", place_of(&self.p.orgs[holder]))
        } else {
            format!("{}组织部组织股股长", committee_of(&place_of(&self.p.orgs[holder])))
        };
        let input = CascadeInput {
            due_on: (task.due_on - Duration::days(15)).max(on).to_string(),
            measures: "分解到乡镇（街道）、村（社区），明确建设时限和验收标准".into(),
            responsible: self.responsible(rng, &post),
            shares: subs.iter().zip(&shares).map(|(o, s)| (*o, s.to_string())).collect(),
        };
        let v = input
            .validate(a.share_milli, &task.unit, task.due_on)
            .map_err(|e| anyhow!("演示数据生成了无效的任务分解：{e}"))?;
        let sub_task = sc::task::cascade(self.store, &self.scope, a.id, &v, on).await?;
        self.s.tasks += 1;
        self.s.tasks_cascaded += 1;
        self.s.task_assignments += subs.len() as u64;
        let (_, _, below) = sc::task::get(self.store, &self.scope, sub_task.id).await?;
        let past_due = sub_task.due_on < self.cal.today;
        let mut total = 0;
        let mut last: Option<NaiveDate> = None;
        let mut all_done = true;
        for b in &below {
            let mut r = self.rng(&format!("cascade-{}-{}", sub_task.id, b.org_path));
            let fate = match Fate::draw(&mut r, past_due) {
                // a share split down is mostly finished: the units chase it
                Fate::ReturnedLeft | Fate::Waiting if past_due => Fate::OnTime,
                f => f,
            };
            let o = self.progress(b, &sub_task, on, fate, &mut r).await?;
            total += o.progress_milli;
            all_done &= o.done_on.is_some();
            last = last.max(o.done_on);
        }
        // the unit reports the sum of what its townships finished
        let quantified = true;
        match (all_done, last) {
            (true, Some(d)) => {
                let at = d + Duration::days(rng.gen_range(1..=4));
                if self.by_today(at).is_some() {
                    let files = vec![self.done_file(a, task, at)];
                    self.report_task(a, quantified, Some(a.share_milli.unwrap_or(total)), true, at, files).await?;
                    let decided = at + Duration::days(rng.gen_range(2..=6));
                    if let Some(day) = self.by_today(decided) {
                        self.decide_task(a, None, day).await?;
                    }
                }
            }
            _ if total > 0 => {
                let at = self.cal.today.min(task.due_on) - Duration::days(rng.gen_range(3..=10));
                self.report_task(a, quantified, Some(total), false, at.max(on), vec![]).await?;
                let decided = at.max(on) + Duration::days(2);
                if let Some(day) = self.by_today(decided) {
                    self.decide_task(a, None, day).await?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Report progress on an assignment as its fate says, and decide on the reports.
    async fn progress(
        &mut self,
        a: &Assignment,
        task: &sc::task::Task,
        issued: NaiveDate,
        fate: Fate,
        rng: &mut ChaCha8Rng,
    ) -> anyhow::Result<Outcome> {
        let quantified = a.share_milli.is_some();
        let share = a.share_milli.unwrap_or(0);
        let due = task.due_on;
        let today = self.cal.today;
        let span = (due - issued).num_days().max(4);
        let mut out = Outcome { done_on: None, progress_milli: 0 };
        if fate == Fate::Untouched {
            return Ok(out);
        }
        // an interim report on a quantified task, about halfway
        if share >= 2000 && rng.gen_bool(0.6) {
            let at = issued + Duration::days(span * rng.gen_range(35..65) / 100);
            if at < today {
                // whole units, short of the share
                let value = (share * rng.gen_range(30..70) / 100 / 1000 * 1000).clamp(1000, share - 1000);
                let files = if rng.gen_bool(0.5) { vec![self.photo(a, at, rng)] } else { vec![] };
                self.report_task(a, true, Some(value), false, at, files).await?;
                let decided = at + Duration::days(rng.gen_range(1..=5));
                if fate == Fate::Waiting && !rng.gen_bool(0.4) || decided > today {
                    return Ok(out);
                }
                if rng.gen_bool(0.1) {
                    self.decide_task(a, Some(TASK_RETURNS[1]), decided).await?;
                    let again = decided + Duration::days(rng.gen_range(3..=8));
                    if again >= today {
                        return Ok(out);
                    }
                    self.report_task(a, true, Some(value), false, again, vec![self.photo(a, again, rng)]).await?;
                    let decided = again + Duration::days(rng.gen_range(1..=4));
                    if decided > today {
                        return Ok(out);
                    }
                    self.decide_task(a, None, decided).await?;
                } else {
                    self.decide_task(a, None, decided).await?;
                }
                out.progress_milli = value;
            }
        }
        // the report of completion
        let at = match fate {
            Fate::OnTime | Fate::ReturnedLeft | Fate::Waiting => {
                due - Duration::days(rng.gen_range(1..=(span / 3).clamp(2, 20)))
            }
            Fate::Late => due + Duration::days(rng.gen_range(5..=40)),
            Fate::Overdue | Fate::Untouched => return Ok(out),
        };
        let at = if at >= today {
            // not yet: a report due soon waits for its decision
            if fate != Fate::Waiting {
                return Ok(out);
            }
            today - Duration::days(1)
        } else {
            at
        };
        let at = at.max(issued + Duration::days(1));
        let value = quantified.then_some(share);
        let files = vec![self.done_file(a, task, at)];
        self.report_task(a, quantified, value, true, at, files).await?;
        if fate == Fate::Waiting {
            return Ok(out);
        }
        let decided = at + Duration::days(rng.gen_range(1..=5));
        let Some(day) = self.by_today(decided) else { return Ok(out) };
        let reason = TASK_RETURNS[rng.gen_range(0..TASK_RETURNS.len())];
        if fate == Fate::ReturnedLeft {
            self.decide_task(a, Some(reason), day).await?;
            return Ok(out);
        }
        if rng.gen_bool(0.08) {
            // returned once, corrected within days
            self.decide_task(a, Some(reason), day).await?;
            let again = day + Duration::days(rng.gen_range(2..=7));
            if again >= today {
                return Ok(out);
            }
            self.report_task(a, quantified, value, true, again, vec![self.done_file(a, task, again)]).await?;
            let day = again + Duration::days(rng.gen_range(1..=4));
            let Some(day) = self.by_today(day) else { return Ok(out) };
            self.decide_task(a, None, day).await?;
            out.done_on = Some(day);
        } else {
            self.decide_task(a, None, day).await?;
            out.done_on = Some(day);
        }
        out.progress_milli = value.unwrap_or(0);
        Ok(out)
    }

    /// Report progress on an assignment on `on`.
    async fn report_task(
        &mut self,
        a: &Assignment,
        quantified: bool,
        value_milli: Option<i64>,
        done: bool,
        on: NaiveDate,
        files: Vec<(String, Vec<u8>)>,
    ) -> anyhow::Result<()> {
        let value = value_milli.map(domain::campaign::indicator::fmt_milli).unwrap_or_default();
        let note = match (done, value_milli) {
            (true, Some(_)) => format!("截至 {on} 已全部完成，累计 {value}{}，佐证材料附后", a.unit),
            (true, None) => format!("已于 {on} 完成，相关材料附后"),
            (false, _) => format!("截至 {on} 累计完成 {value}{}，其余正在推进", a.unit),
        };
        let input = ReportInput { value, done, note };
        let v = input.validate(quantified).map_err(|e| anyhow!("演示数据生成了无效的任务进展：{e}"))?;
        self.s.evidence_files += files.len() as u64;
        sc::task::report(self.store, &self.scope, a.id, &v, files).await?;
        self.s.task_reports += 1;
        Ok(())
    }

    /// Accept (no reason) or return the report waiting on an assignment, on `on`.
    async fn decide_task(&mut self, a: &Assignment, reason: Option<&str>, on: NaiveDate) -> anyhow::Result<()> {
        sc::task::decide(self.store, &self.scope, a.id, reason.is_none(), reason.unwrap_or(""), on).await?;
        match reason {
            None => self.s.task_reports_accepted += 1,
            Some(_) => self.s.task_reports_returned += 1,
        }
        Ok(())
    }

    /// The report of completion as a one-page PDF.
    fn done_file(&self, a: &Assignment, task: &sc::task::Task, on: NaiveDate) -> (String, Vec<u8>) {
        let org = crate::life::unit_of(&a.org_name);
        let lines = [
            (20, 200, "任务完成情况报告".to_string()),
            (13, 60, task.content.clone()),
            (12, 60, format!("承办单位：{}", a.org_name)),
            (12, 60, format!("任务量：{}　完成期限：{}", task.target_text(), task.due_on)),
            (12, 60, format!("报送日期：{on}（盖章原件存档）")),
        ];
        (format!("{org}完成情况报告-{on}.pdf"), crate::life::page(&lines))
    }

    /// A photo of the work in progress: a small PNG.
    fn photo(&self, a: &Assignment, on: NaiveDate, rng: &mut ChaCha8Rng) -> (String, Vec<u8>) {
        let org = crate::life::unit_of(&a.org_name);
        (format!("{org}现场照片-{on}.png"), photo(rng.gen()))
    }

    /// Party-affairs cadres of a unit on `on`: the secretaries and deputies of its townships (a
    /// district's township: its own and its villages'), as (member, organization).
    async fn cadres(&self, unit: usize, on: NaiveDate) -> anyhow::Result<Vec<(i64, usize)>> {
        let places: Vec<usize> =
            self.p.subtree(unit).filter(|&i| self.p.is_township(i) || self.p.is_village(i)).take(12).collect();
        let mut out = Vec::new();
        for i in places {
            let vis = store::org::visible(self.store, &self.scope, self.p.orgs[i].id).await?;
            for o in store::officer::list(self.store, &vis, Some(on)).await? {
                if matches!(o.role(), OfficerRole::Secretary | OfficerRole::Deputy) {
                    out.push((o.member_id, i));
                }
            }
        }
        Ok(out)
    }

    /// 跟岗学习 nominations by the participating units, to the city's 党建办.
    async fn nominations(&mut self) -> anyhow::Result<()> {
        let city = self.scale != crate::Scale::District;
        let campaign = sc::list(self.store, &self.scope).await?.into_iter().find(|(c, _)| c.kind == "innovation");
        let campaign_id = campaign.map(|(c, _)| c.id);
        let place = place_of(self.root());
        let host = format!("{}组织部组织科（党建办）", committee_of(&place));
        let plan: &[Nominated] = if city {
            &[
                Nominated::Accepted,
                Nominated::NearRetirement,
                Nominated::Accepted,
                Nominated::NotReleased,
                Nominated::Pending,
                Nominated::PendingNearRetirement,
                Nominated::Accepted,
                Nominated::Pending,
            ]
        } else {
            &[
                Nominated::Accepted,
                Nominated::NearRetirement,
                Nominated::NotReleased,
                Nominated::Pending,
                Nominated::Accepted,
                Nominated::PendingNearRetirement,
            ]
        };
        let units = self.p.units.clone();
        let mut used: HashSet<i64> = HashSet::new();
        let mut rng = self.rng("secondment");
        for (k, &what) in plan.iter().enumerate() {
            let pending = matches!(what, Nominated::Pending | Nominated::PendingNearRetirement);
            let near = matches!(what, Nominated::NearRetirement | Nominated::PendingNearRetirement);
            // decided ones learn in the spring and summer, waiting ones from the coming month
            let starts_on = if pending {
                self.cal.today + Duration::days(rng.gen_range(10..=25))
            } else {
                self.cal.between(&mut rng, 0.3, 0.7)
            };
            let ends_on = starts_on + Duration::days(rng.gen_range(59..=91));
            let decided_on = starts_on - Duration::days(rng.gen_range(7..=20));
            // the unit whose turn it is, or the next that has someone fitting
            let mut found = None;
            for step in 0..units.len() {
                let unit = units[(k * 3 + 1 + step) % units.len()];
                let vis = store::org::visible(self.store, &self.scope, self.p.orgs[unit].id).await?;
                if let Some(who) = self.nominee(unit, &vis, starts_on, near, &used).await? {
                    found = Some((vis, who));
                    break;
                }
            }
            let Some((unit_vis, who)) = found else { continue };
            used.insert(who.id);
            let new = sc::secondment::NewNomination {
                member_id: who.id,
                category: who.category(),
                party_post: true,
                full_time: what != Nominated::NotReleased,
                writing: true,
                starts_on,
                ends_on,
                host_unit: host.clone(),
            };
            let n = sc::secondment::nominate(self.store, &self.scope, &unit_vis, &new, campaign_id).await?;
            if pending {
                self.s.nominations_pending += 1;
                continue;
            }
            let failures = rules::check(&n.judged(), rules::shipped(), decided_on)
                .map_err(|e| anyhow!("演示数据生成了无效的跟岗学习推荐：{e}"))?;
            let (accept, reason) = match what {
                Nominated::NearRetirement => {
                    (false, "该同志距法定退休年龄不足 2 年，不宜选派跟岗学习，请另行推荐年轻党务干部")
                }
                Nominated::NotReleased => (false, "跟岗学习须脱产进行，该同志跟岗期间不能脱产，请另行推荐"),
                _ => (true, ""),
            };
            if accept && !failures.is_empty() {
                return Err(anyhow!("演示数据选派的 {} 不符合跟岗学习条件", n.member_name));
            }
            let kept = rules::failure_lines(&failures);
            sc::secondment::decide(self.store, &self.scope, n.id, accept, reason, &kept).await?;
            if accept {
                self.s.nominations_accepted += 1;
            } else {
                self.s.nominations_rejected += 1;
            }
        }
        Ok(())
    }

    /// A cadre of the unit to nominate for a period from `starts_on`: one within two years of the
    /// statutory retirement age when `near` (SEC-02 fails), else one well before it.
    async fn nominee(
        &self,
        unit: usize,
        unit_vis: &store::Visible<domain::org::Org>,
        starts_on: NaiveDate,
        near: bool,
        used: &HashSet<i64>,
    ) -> anyhow::Result<Option<sc::secondment::Nominee>> {
        let fits = |birth: NaiveDate, category: retirement::Category| {
            let r = retirement::retirement_date(birth, category);
            if near {
                r > starts_on && r < add_years(starts_on, 2)
            } else {
                r > add_years(starts_on, 5)
            }
        };
        for (member, _) in self.cadres(unit, starts_on).await? {
            if used.contains(&member) {
                continue;
            }
            if let Some(w) = sc::secondment::nominee(self.store, unit_vis, member).await? {
                if fits(w.birth_date, w.category()) {
                    return Ok(Some(w));
                }
            }
        }
        // no cadre fits: a member of the unit who does
        let mut ids: Vec<(NaiveDate, i64)> = Vec::new();
        store::member::for_each_chunk(self.store, &self.scope, self.p.orgs[unit].id, 2000, |chunk| {
            for m in chunk {
                let worker = m.occupation == Some(domain::member::Occupation::Worker);
                if !used.contains(&m.id) && fits(m.birth_date, retirement::Category::of(m.sex, worker)) {
                    ids.push((m.birth_date, m.id));
                }
            }
            Ok(())
        })
        .await?;
        ids.sort_unstable();
        for (_, id) in ids {
            if let Some(w) = sc::secondment::nominee(self.store, unit_vis, id).await? {
                return Ok(Some(w));
            }
        }
        Ok(None)
    }

    /// Annual plans of the counties and some townships, multi-year plans of the city and some
    /// counties; approved, submitted, returned or drafts.
    async fn plans(&mut self) -> anyhow::Result<()> {
        let city = self.scale != crate::Scale::District;
        let year = self.cal.year();
        let mut owners: Vec<(usize, bool)> = vec![(0, true)];
        owners.extend(self.p.counties.iter().take(2).filter(|&&c| c != 0).map(|&c| (c, true)));
        if !city {
            owners.extend(self.p.units.iter().take(1).map(|&t| (t, true)));
        }
        owners.extend(self.p.counties.iter().map(|&c| (c, false)));
        let towns: Vec<usize> = if city {
            self.p.counties.iter().take(6).filter_map(|&c| self.p.townships_of(c).first().copied()).collect()
        } else {
            self.p.units.iter().take(5).copied().collect()
        };
        owners.extend(towns.into_iter().map(|t| (t, false)));
        for (k, (org, multi)) in owners.into_iter().enumerate() {
            let mut rng = self.rng(&format!("plan-{}-{multi}", self.p.orgs[org].path));
            let input = self.plan_input(org, multi, year, &mut rng);
            let v = input.validate().map_err(|e| anyhow!("演示数据生成了无效的党建规划“{}”：{e}", input.title))?;
            let vis = store::org::visible(self.store, &self.scope, self.p.orgs[org].id).await?;
            let p = sc::plan::create(self.store, &self.scope, &vis, &v).await?;
            const RETURNS: &[&str] = &[
                "目标未分解到年度，服务站覆盖率目标低于全市要求，请修改后重新报送",
                "里程碑安排过于笼统，请明确完成时限和责任人后重新报送",
            ];
            match k % 7 {
                6 => {
                    self.s.plans_draft += 1;
                    continue;
                }
                4 => {
                    sc::plan::submit(self.store, &self.scope, p.id, p.version).await?;
                    self.s.plans_submitted += 1;
                    continue;
                }
                2 => {
                    let p = sc::plan::submit(self.store, &self.scope, p.id, p.version).await?;
                    let reason = RETURNS[k / 7 % RETURNS.len()];
                    let p = sc::plan::review(self.store, &self.scope, p.id, false, reason).await?;
                    if k % 14 != 9 {
                        self.s.plans_returned += 1;
                        continue;
                    }
                    // changed as asked and approved at the second submission
                    let mut changed = input.clone();
                    for t in &mut changed.targets {
                        t.measures = format!("{}；按审核意见分解到季度", t.measures);
                    }
                    let v = changed.validate().map_err(|e| anyhow!("演示数据生成了无效的党建规划：{e}"))?;
                    let p = sc::plan::update(self.store, &self.scope, p.id, p.version, &v).await?;
                    let p = sc::plan::submit(self.store, &self.scope, p.id, p.version).await?;
                    sc::plan::review(self.store, &self.scope, p.id, true, "").await?;
                }
                _ => {
                    let p = sc::plan::submit(self.store, &self.scope, p.id, p.version).await?;
                    sc::plan::review(self.store, &self.scope, p.id, true, "").await?;
                }
            }
            self.s.plans_approved += 1;
            // the milestones past: most done, about on time
            for m in sc::plan::milestones(self.store, &p).await? {
                if m.due_on >= self.cal.today || rng.gen_bool(0.2) {
                    continue;
                }
                let first = NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January");
                let on = (m.due_on - Duration::days(rng.gen_range(0..=12))).max(first);
                sc::plan::milestone_done(self.store, &self.scope, p.id, m.id, on).await?;
                self.s.milestones_done += 1;
            }
        }
        Ok(())
    }

    fn plan_input(&self, org: usize, multi: bool, year: i32, rng: &mut ChaCha8Rng) -> PlanInput {
        let o = &self.p.orgs[org];
        let place = place_of(o);
        let township = self.p.is_township(org);
        let who = if township {
            let w = if o.kind == domain::org::OrgKind::WorkingCommittee { "党工委" } else { "党委" };
            format!("{place}{w}组织委员")
        } else {
            format!("{}组织部组织科", committee_of(&place))
        };
        let t = |label: &str, source: &str, param: &str, target: i64, due: String, measures: &str| TargetInput {
            label: label.into(),
            source: source.into(),
            param: param.into(),
            target: target.to_string(),
            due_on: due,
            measures: measures.into(),
            responsible: who.clone(),
        };
        let ymd = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).expect("date").to_string();
        if multi {
            let to = year + 4;
            let targets = vec![
                t(
                    "村（社区）服务站全覆盖",
                    "facility_coverage",
                    "service_station",
                    100,
                    ymd(year + 2, 12, 31),
                    "每年新建一批，三年内全覆盖",
                ),
                t(
                    "乡镇（街道）服务中心全覆盖",
                    "facility_coverage",
                    "service_center",
                    100,
                    ymd(year + 1, 12, 31),
                    "补齐未建乡镇（街道）服务中心",
                ),
                t("组织生活完成率", "life_completion", "", 98, ymd(to, 12, 31), "按月督促“三会一课”，季度通报"),
                t(
                    "党支部书记轮训覆盖率",
                    "training_coverage",
                    "",
                    100,
                    ymd(to, 12, 31),
                    "五年内党支部书记全部轮训一遍",
                ),
                t(
                    "县级以上示范点",
                    "demo_sites",
                    "county",
                    rng.gen_range(8..=20),
                    ymd(to, 12, 31),
                    "分年度培育、动态管理",
                ),
            ];
            let milestones = (0..5)
                .map(|k| {
                    let what = [
                        "完成规划宣讲和任务分解",
                        "服务中心全覆盖",
                        "服务站全覆盖",
                        "开展规划中期评估",
                        "完成规划总结评估",
                    ][k];
                    format!("{} {what}", ymd(year + k as i32, if k == 0 { 6 } else { 12 }, 30))
                })
                .collect::<Vec<_>>()
                .join("\n");
            return PlanInput {
                kind: "multi_year".into(),
                title: format!("{place}党建工作{}规划", domain::campaign::plan::years(year, to)),
                from_year: year.to_string(),
                to_year: to.to_string(),
                targets,
                milestones,
            };
        }
        let mut targets = vec![
            t(
                "村（社区）服务站覆盖率",
                "facility_coverage",
                "service_station",
                rng.gen_range(14..=19) * 5,
                ymd(year, 12, 31),
                "整合活动场所，年内新建一批服务站",
            ),
            t("组织生活完成率", "life_completion", "", 95, ymd(year, 12, 31), "按月提醒、季度通报“三会一课”"),
            t(
                "党支部书记轮训覆盖率",
                "training_coverage",
                "",
                rng.gen_range(12..=18) * 5,
                ymd(year, 11, 30),
                "分期举办党支部书记轮训班",
            ),
            t("示范点", "demo_sites", "", rng.gen_range(2..=8), ymd(year, 10, 31), "按“一行业一特色”培育"),
        ];
        if !township {
            targets.insert(
                1,
                t(
                    "乡镇（街道）服务中心覆盖率",
                    "facility_coverage",
                    "service_center",
                    100,
                    ymd(year, 12, 31),
                    "补齐服务中心，推行一站式服务",
                ),
            );
        }
        let milestones = [
            (3, 31, "印发年度党建工作要点"),
            (6, 30, "完成服务站建设年中督查"),
            (9, 30, "完成党支部书记轮训"),
            (12, 20, "开展年度党建述职评议"),
        ]
        .iter()
        .map(|(m, d, what)| format!("{} {what}", ymd(year, *m, *d)))
        .collect::<Vec<_>>()
        .join("\n");
        PlanInput {
            kind: "annual".into(),
            title: format!("{place}{year}年度党建工作计划"),
            from_year: year.to_string(),
            to_year: String::new(),
            targets,
            milestones,
        }
    }
}

/// A deadline at share `f` of the demo year up to `today`, at the end of its month; past 1 a date
/// after `today` towards the year's end (2 is 31 December).
fn deadline(cal: &Cal, f: f64) -> NaiveDate {
    let end = cal.end();
    if f > 1.0 {
        return end - Duration::days(((2.0 - f) * 20.0).round() as i64);
    }
    let d = cal.at(f);
    let last =
        NaiveDate::from_ymd_opt(d.year(), d.month(), last_day_of_month(d.year(), d.month())).expect("end of month");
    last.min(end)
}

/// A small photo (a PNG of 32 × 24 pixels): sky, a red banner and the ground, the colours
/// shifted by `tint`. Stored uncompressed, so it needs no compression library.
fn photo(tint: u8) -> Vec<u8> {
    const W: usize = 32;
    const H: usize = 24;
    let mut raw = Vec::with_capacity(H * (1 + 3 * W));
    for y in 0..H {
        raw.push(0); // no filter
        for x in 0..W {
            let px = match y {
                0..=9 => [120u8.wrapping_add(tint / 4), 170, 230],
                10..=14 if (4..28).contains(&x) => [200, 20, 30],
                _ => [90, 140u8.wrapping_add(tint / 8), 70],
            };
            raw.extend(px);
        }
    }
    // zlib: one stored deflate block
    let mut z = vec![0x78, 0x01, 0x01];
    let len = raw.len() as u16;
    z.extend(len.to_le_bytes());
    z.extend((!len).to_le_bytes());
    z.extend(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + byte as u32) % 65521;
        b = (b + a) % 65521;
    }
    z.extend(((b << 16) | a).to_be_bytes());

    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend((W as u32).to_be_bytes());
    ihdr.extend((H as u32).to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    for (kind, data) in [(b"IHDR", ihdr), (b"IDAT", z), (b"IEND", vec![])] {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(&data);
        out.extend(&body);
        out.extend(crc32(&body).to_be_bytes());
    }
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_photo_is_a_png_an_upload_accepts() {
        let png = photo(7);
        assert!(png.len() < 2600, "{} bytes", png.len());
        assert_eq!(store::life::sniff("现场照片.png", &png), Ok("image/png"));
        // the chunks' checksums: IEND's is the well-known constant
        assert!(png.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]));
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn deadlines_fall_at_month_ends_within_the_year() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let cal = Cal::new(d(2026, 11, 21));
        assert_eq!(deadline(&cal, 0.52), d(2026, 6, 30));
        assert_eq!(deadline(&cal, 0.1), d(2026, 2, 28));
        assert_eq!(deadline(&cal, 2.0), d(2026, 12, 31));
        assert_eq!(deadline(&cal, 1.5), d(2026, 12, 21));
        // early in a year the campaign year is the one before, and every deadline is past
        let early = Cal::new(d(2027, 2, 1));
        assert!(deadline(&early, 0.99) <= d(2026, 12, 31) && deadline(&early, 1.5) < early.today);
    }
}
