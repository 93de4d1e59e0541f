//! The 创新型党组织创建 campaign's year as the platform would have recorded it, written through the
//! store's innovation functions as the demo's own work, so every write is audited.
//!
//! - 创新清单: most participants submit the year's list by its deadline (INNO-01), items with a
//!   goal, measures, an owner and dated milestones; some lists are perfunctory, as the supervision
//!   of speech 001 found (创新清单内容简单应付): too few items (INNO-02), or items without measures
//!   (INNO-03) or milestones (INNO-04); some come after the deadline, a few never. Some lists are
//!   kept current later in the year (statuses move as milestones pass).
//! - 创新动态: an update per quarter (the campaign's cadence), mostly within the days allowed
//!   (INNO-05), some late, some periods never reported (创新动态没有及时上报); one county gives its
//!   subtree more days by a local version of the rule, another asks more items from mid-year.
//! - 项目化管理: projects at every stage — waiting for approval, approved, implementing, mid-term
//!   review passed, accepted — one not approved at its approval gate and one that failed its
//!   mid-term review and stays in implementation; some pass a gate at the second review after
//!   rework. Every gate has its reviewers, a score and, when failed, the reason.
//!
//! So the findings page shows every kind of finding as of the demo date. Every choice comes from
//! the seed and the place, every date from the demo's `today`.

use anyhow::{anyhow, Context};
use chrono::{Datelike, Duration, NaiveDate};
use domain::campaign::innovation::{
    self as inno, GateInput, ItemFacts, ItemInput, Kind, ListFacts, ListInput, ProjectInput, Rule, RuleInput, Stage,
};
use domain::campaign::round::Participant;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use store::campaign::{self as sc, innovation as si, Campaign};
use store::Progress;

use super::{committee_of, place_of, Writer};

/// An innovation a list may name: title, goal, measures, milestones (month-day, what is due).
struct Idea {
    title: &'static str,
    goal: &'static str,
    measures: &'static str,
    milestones: &'static [(&'static str, &'static str)],
}

const IDEAS: &[Idea] = &[
    Idea {
        title: "党建引领网格化治理",
        goal: "党组织覆盖每一个网格，群众诉求网格内受理、限时办结",
        measures: "按 100 至 150 户划分网格，党员任网格长；建立诉求登记、交办、回访台账",
        milestones: &[
            ("04-30", "完成网格划分和网格长选配"),
            ("07-31", "诉求台账全面运行"),
            ("11-30", "总结网格治理经验"),
        ],
    },
    Idea {
        title: "党组织领办合作社",
        goal: "村集体经济收入年内增长 20%，带动脱贫户稳定增收",
        measures: "村党组织书记领办合作社，党员带头入股，收益按章程分配并公开",
        milestones: &[("05-31", "完成合作社注册和章程制定"), ("08-31", "首批产品上市"), ("12-15", "年终分红公示")],
    },
    Idea {
        title: "党员积分制管理",
        goal: "党员参与组织生活、志愿服务情况量化可比，激励先进、鞭策后进",
        measures: "制定积分细则，按月公示积分，年度积分作为评先评优依据",
        milestones: &[("04-15", "印发积分细则"), ("06-30", "首次季度积分公示"), ("12-20", "年度积分评定")],
    },
    Idea {
        title: "“红色物业”进小区",
        goal: "物业服务企业党组织覆盖，小区矛盾纠纷就地化解",
        measures: "社区党组织、业委会、物业企业“三方联动”，党员物业人员亮身份",
        milestones: &[("05-15", "建立三方联席会议制度"), ("09-30", "覆盖辖区全部老旧小区")],
    },
    Idea {
        title: "智慧党建平台应用",
        goal: "组织生活线上登记、线上审核，党员学习全程留痕",
        measures: "组织党务工作者培训，逐支部录入组织生活记录，每月通报使用情况",
        milestones: &[("04-30", "完成党务工作者培训"), ("07-31", "支部录入率达到 100%"), ("10-31", "开展应用评比")],
    },
    Idea {
        title: "书记领办民生项目",
        goal: "每名党组织书记领办一件群众急难愁盼的实事",
        measures: "书记公开承诺、群众评议，项目清单化、台账化推进",
        milestones: &[("03-31", "公布书记领办项目清单"), ("06-30", "开展中期评议"), ("12-10", "群众满意度测评")],
    },
    Idea {
        title: "机关支部与村结对共建",
        goal: "机关支部与后进村结对，帮助理清发展思路、办成实事",
        measures: "每个机关支部联系一个村，每季度到村开展一次联学共建活动",
        milestones: &[("04-30", "确定结对关系"), ("09-30", "每对至少办成一件实事")],
    },
    Idea {
        title: "党员志愿服务品牌",
        goal: "打造一个有辨识度的党员志愿服务品牌，常态化开展服务",
        measures: "组建党员志愿服务队，固定每月党员服务日，服务项目清单向群众公开",
        milestones: &[("05-31", "组建志愿服务队"), ("08-31", "推出服务项目清单"), ("11-30", "评选优秀志愿者")],
    },
    Idea {
        title: "“两新”组织党建全覆盖",
        goal: "规模以上非公企业和社会组织党的组织和工作全覆盖",
        measures: "逐户排查，有党员的单独或联合组建，无党员的选派党建指导员",
        milestones: &[("04-30", "完成摸底排查"), ("08-31", "完成组建和选派"), ("12-20", "开展覆盖质量评估")],
    },
];

/// What an update of a quarter says: `{q}` the quarter, `{t}` an item of the list.
const UPDATE_TEXTS: &[&str] = &[
    "{q}，围绕“{t}”召开专题推进会，对照清单逐项检查进度，解决了场地和经费问题。",
    "{q}，“{t}”完成阶段目标，组织党员群众现场观摩，收集意见建议 20 余条。",
    "{q}，“{t}”在两个支部先行试点，形成工作流程和台账样式，下一步全面推开。",
    "{q}，召开党委会议专题研究“{t}”，明确责任人和时间节点，已按计划推进。",
];

/// Why a gate is failed.
const GATE_FAILS: &[(Stage, &str)] = &[
    (Stage::Approval, "项目目标不具体，与本单位党建工作实际结合不紧，不予立项"),
    (Stage::Implementation, "实施方案未明确经费来源和责任分工，请完善后再评审"),
    (Stage::MidTerm, "中期进度滞后于计划，阶段成果不足，请整改后再评估"),
    (Stage::Acceptance, "成果材料不完整，缺少群众评价，请补充后再验收"),
];

const PROJECTS: &[&str] = &[
    "“党建+产业”示范带建设",
    "村级集体经济“破零”工程",
    "党员创业孵化基地",
    "网格党建组团服务",
    "机关党建与业务融合",
    "乡村振兴“领头雁”培育",
    "红色物业进小区",
    "非公企业党建强基",
    "党员教育“微课堂”",
    "“一村一品”产业党建",
];

/// How a participant's list of the year goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListFate {
    /// By the deadline, complete.
    Full,
    /// By the deadline, fewer items than the rule asks (INNO-02).
    Thin,
    /// By the deadline, items without measures or milestones (INNO-03, INNO-04).
    Bare,
    /// After the deadline (INNO-01).
    Late,
    /// Never submitted (INNO-01).
    Missing,
}

impl ListFate {
    fn draw(rng: &mut ChaCha8Rng) -> ListFate {
        match rng.gen::<f64>() {
            r if r < 0.08 => ListFate::Missing,
            r if r < 0.18 => ListFate::Late,
            r if r < 0.28 => ListFate::Thin,
            r if r < 0.38 => ListFate::Bare,
            _ => ListFate::Full,
        }
    }
}

/// Where a project is left on the demo date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Course {
    Proposed,
    Approved,
    Implementing,
    MidTerm,
    Accepted,
    /// Failed its approval gate: not approved.
    Rejected,
    /// Failed its mid-term review and stays in implementation.
    FailedMidTerm,
}

const COURSES: [Course; 7] = [
    Course::Accepted,
    Course::MidTerm,
    Course::Implementing,
    Course::Rejected,
    Course::Approved,
    Course::FailedMidTerm,
    Course::Proposed,
];

impl Writer<'_> {
    /// The 创新型 campaign's lists, updates and projects, with a local version or two of the rules.
    pub(super) async fn innovation(&mut self, progress: &dyn Progress) -> anyhow::Result<()> {
        let Some((c, _)) = sc::list(self.store, &self.scope).await?.into_iter().find(|(c, _)| c.kind == "innovation")
        else {
            return Ok(());
        };
        progress.start("生成创新清单、创新动态和创新项目", Some(3));
        // the participants from the campaign's start to the demo date
        let first: Vec<i64> = sc::participants(self.store, &c, c.starts_on).await?.iter().map(|p| p.org_id).collect();
        let parts: Vec<Participant> = sc::participants(self.store, &c, self.cal.today)
            .await?
            .into_iter()
            .filter(|p| first.contains(&p.org_id))
            .collect();
        if parts.is_empty() {
            return Ok(());
        }
        self.innovation_rules().await.context("写入创新规则失败")?;
        let titles = self.innovation_lists(&c, &parts).await.context("写入创新清单失败")?;
        progress.inc(1);
        self.innovation_updates(&c, &parts, &titles).await.context("写入创新动态失败")?;
        progress.inc(1);
        self.innovation_projects(&c, &parts).await.context("写入创新项目失败")?;
        let root = store::org::visible(self.store, &self.scope, self.root().id).await?;
        self.s.innovation_findings = si::findings(self.store, &c, &root, self.cal.today).await?.len() as u64;
        progress.inc(1);
        progress.finish();
        Ok(())
    }

    /// A county gives its subtree 15 days to report an update from the year's start; another asks
    /// four items of the lists submitted from mid-year.
    async fn innovation_rules(&mut self) -> anyhow::Result<()> {
        let counties = self.p.counties.clone();
        let second = counties.get(1).copied().unwrap_or(counties[0]);
        let rules = [
            (counties[0], "INNO-05", "15", self.cal.base, "创新动态报送时间"),
            (second, "INNO-02", "4", self.cal.at(0.5), "创新清单条目"),
        ];
        for (org, rule_id, value, from, what) in rules {
            let place = place_of(&self.p.orgs[org]);
            let input = RuleInput {
                rule_id: rule_id.into(),
                value: value.into(),
                valid_from: from.to_string(),
                valid_to: String::new(),
                source: format!("{}组织部关于调整{what}的通知", committee_of(&place)),
            };
            let v = input.validate().map_err(|e| anyhow!("演示数据生成了无效的创新规则：{e}"))?;
            si::add_rule(self.store, &self.scope, self.p.orgs[org].id, &v).await?;
            self.s.innovation_rules += 1;
        }
        Ok(())
    }

    /// A responsible person of a participant.
    fn owner(&self, rng: &mut ChaCha8Rng) -> String {
        let post = ["党委副书记", "组织委员", "党建办主任", "宣传委员"].choose(rng).copied().unwrap_or("组织委员");
        format!("{}（{post}）", self.person(rng))
    }

    /// Items of a list for `year`: `n` ideas; `bare` items lose their measures or milestones.
    fn items(&self, rng: &mut ChaCha8Rng, year: i32, n: usize, bare: usize, on: NaiveDate) -> Vec<ItemInput> {
        let mut ideas: Vec<&Idea> = IDEAS.iter().collect();
        ideas.shuffle(rng);
        ideas
            .into_iter()
            .take(n)
            .enumerate()
            .map(|(k, idea)| {
                let milestones: Vec<(NaiveDate, &str)> = idea
                    .milestones
                    .iter()
                    .filter_map(|(md, what)| {
                        NaiveDate::parse_from_str(&format!("{year}-{md}"), "%Y-%m-%d").ok().map(|d| (d, *what))
                    })
                    .collect();
                // the first bare item has no measures, the second no milestones, and so on
                let (no_measures, no_milestones) = (k < bare && k % 2 == 0, k < bare && k % 2 == 1);
                ItemInput {
                    title: idea.title.into(),
                    goal: if no_measures { String::new() } else { idea.goal.into() },
                    measures: if no_measures { String::new() } else { idea.measures.into() },
                    owner: self.owner(rng),
                    milestones: if no_milestones {
                        String::new()
                    } else {
                        milestones.iter().map(|(d, w)| format!("{d} {w}")).collect::<Vec<_>>().join("\n")
                    },
                    status: status_on(&milestones, on).into(),
                }
            })
            .collect()
    }

    /// The year's lists; the titles of each participant's items (for its updates).
    async fn innovation_lists(&mut self, c: &Campaign, parts: &[Participant]) -> anyhow::Result<Vec<Vec<String>>> {
        let year = self.cal.year();
        let today = self.cal.today;
        let rules = si::rules(self.store).await?;
        let mut titles = Vec::new();
        for (k, p) in parts.iter().enumerate() {
            let mut rng = self.rng(&format!("innovation-list-{}", p.path));
            let mut fate = ListFate::draw(&mut rng);
            // every kind of finding is there to see
            fate = match k {
                1 => ListFate::Missing,
                2 => ListFate::Late,
                3 => ListFate::Thin,
                4 => ListFate::Bare,
                _ => fate,
            };
            let deadline = inno::list_deadline(&rules, &p.path, year, c.starts_on)
                .ok_or_else(|| anyhow!("{year} 年没有创新清单的提交期限"))?;
            let on = match fate {
                ListFate::Missing => None,
                ListFate::Late => Some(deadline + Duration::days(rng.gen_range(3..=40))).filter(|d| *d < today),
                _ => {
                    let from = (c.starts_on + Duration::days(7)).min(deadline);
                    Some(from + Duration::days(rng.gen_range(0..=(deadline - from).num_days()))).filter(|d| *d < today)
                }
            };
            let Some(on) = on else {
                self.s.innovation_lists_missing += 1;
                titles.push(vec![]);
                continue;
            };
            let (n, bare) = match fate {
                ListFate::Thin => (rng.gen_range(1..=2), 0),
                ListFate::Bare => (rng.gen_range(3..=4), 2),
                _ => (rng.gen_range(3..=5), 0),
            };
            let input = ListInput { year: year.to_string(), items: self.items(&mut rng, year, n, bare, on) };
            let v = input.validate().map_err(|e| anyhow!("演示数据生成了无效的创新清单：{e}"))?;
            let l = si::submit_list(self.store, &self.scope, c.id, p.org_id, &v, on).await?;
            self.s.innovation_lists += 1;
            self.s.innovation_lists_late += u64::from(on > deadline);
            // perfunctory as the rules in force on its day judge it
            let facts = ListFacts {
                year,
                submitted_on: on,
                items: v
                    .items
                    .iter()
                    .map(|i| ItemFacts {
                        title: i.title.clone(),
                        has_measures: !i.measures.is_empty(),
                        milestones: i.milestones.len(),
                    })
                    .collect(),
            };
            self.s.innovation_lists_perfunctory += u64::from(!inno::perfunctory(&facts, &rules, &p.path).is_empty());
            titles.push(input.items.iter().map(|i| i.title.clone()).collect());
            // kept current: statuses move on as the milestones pass
            if rng.gen_bool(0.4) {
                let at = on + Duration::days(rng.gen_range(60..=150));
                if at < today && at.year() == year {
                    let items = input
                        .items
                        .iter()
                        .map(|i| {
                            let ms: Vec<(NaiveDate, &str)> = i
                                .milestones
                                .lines()
                                .filter_map(|l| l.split_once(' '))
                                .filter_map(|(d, w)| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok().map(|d| (d, w)))
                                .collect();
                            ItemInput { status: status_on(&ms, at).into(), ..i.clone() }
                        })
                        .collect();
                    let v = ListInput { year: year.to_string(), items }
                        .validate()
                        .map_err(|e| anyhow!("演示数据生成了无效的创新清单：{e}"))?;
                    si::update_list(self.store, &self.scope, l.id, l.seen(), &v, at).await?;
                    self.s.innovation_list_changes += 1;
                }
            }
        }
        Ok(titles)
    }

    /// An update per quarter, mostly in time; some late, some never.
    async fn innovation_updates(
        &mut self,
        c: &Campaign,
        parts: &[Participant],
        titles: &[Vec<String>],
    ) -> anyhow::Result<()> {
        let today = self.cal.today;
        let rules: Vec<Rule> = si::rules(self.store).await?;
        let cadence = si::cadence(self.store, c).await?;
        let periods = cadence.periods(c.starts_on, today.min(c.ends_on));
        for (k, (p, items)) in parts.iter().zip(titles).enumerate() {
            let mut rng = self.rng(&format!("innovation-updates-{}", p.path));
            for (n, period) in periods.iter().enumerate() {
                let grace = inno::rule_for(&rules, Kind::UpdateGrace, &p.path, period.end).map_or(10, |r| r.value);
                let due = period.end + Duration::days(grace);
                let judged = due < today;
                let r: f64 = rng.gen();
                // one late and one missing for certain
                let (late, missing) = match (k, n) {
                    (2, 0) => (true, false),
                    (3, 1) => (false, true),
                    _ => ((0.82..0.91).contains(&r), r >= 0.91),
                };
                let on = if !judged {
                    // not yet due: some have reported already
                    let last = today.min(due) - Duration::days(1);
                    (period.start < last && rng.gen_bool(0.5))
                        .then(|| period.start + Duration::days(rng.gen_range(0..=(last - period.start).num_days())))
                        .map(|d| d.max(period.end - Duration::days(20)).min(last))
                } else if missing {
                    None
                } else if late {
                    Some(due + Duration::days(rng.gen_range(2..=30))).filter(|d| *d < today)
                } else {
                    let from = (period.end - Duration::days(10)).max(period.start);
                    Some(from + Duration::days(rng.gen_range(0..=(due - from).num_days())))
                };
                let Some(on) = on else {
                    if judged {
                        self.s.innovation_updates_missing += 1;
                    }
                    continue;
                };
                let title = items.choose(&mut rng).map_or("创新型党组织创建", String::as_str);
                let text = UPDATE_TEXTS.choose(&mut rng).copied().unwrap_or(UPDATE_TEXTS[0]);
                let content = text.replace("{q}", &period.label()).replace("{t}", title);
                si::report_update(self.store, &self.scope, c.id, p.org_id, &period.key, &content, on).await?;
                self.s.innovation_updates += 1;
                if on > due {
                    self.s.innovation_updates_late += 1;
                }
            }
        }
        Ok(())
    }

    /// Projects at every stage, through their gates.
    async fn innovation_projects(&mut self, c: &Campaign, parts: &[Participant]) -> anyhow::Result<()> {
        let today = self.cal.today;
        let mut n = 0;
        for (k, p) in parts.iter().enumerate() {
            let mut rng = self.rng(&format!("innovation-project-{}", p.path));
            if k >= COURSES.len() && !rng.gen_bool(0.4) {
                continue;
            }
            let course = COURSES[n % COURSES.len()];
            // a township of a county proposes some of them
            let at = self.p.by_id.get(&p.org_id).copied();
            let org = at
                .filter(|_| n % 3 == 2)
                .and_then(|i| self.p.townships_of(i).choose(&mut rng).copied())
                .or(at)
                .ok_or_else(|| anyhow!("{} 不在演示数据的党组织中", p.name))?;
            n += 1;
            let title = format!("{}{}", place_of(&self.p.orgs[org]), PROJECTS[(k + n) % PROJECTS.len()]);
            let summary = format!("{}：对照创新型党组织创建标准，以项目化方式推进，明确目标、节点和责任人。", title);
            let v =
                ProjectInput { title, summary }.validate().map_err(|e| anyhow!("演示数据生成了无效的创新项目：{e}"))?;
            let proposed = if course == Course::Proposed {
                self.cal.between(&mut rng, 0.9, 0.98)
            } else {
                self.cal.between(&mut rng, 0.12, 0.2)
            };
            let project = si::propose(self.store, &self.scope, c.id, self.p.orgs[org].id, &v, proposed).await?;
            self.s.innovation_projects += 1;
            // the gates held, in order: (gate, passed, when as a share of the year)
            let mut gates: Vec<(Stage, bool, f64, f64)> = match course {
                Course::Proposed => vec![],
                Course::Rejected => vec![(Stage::Approval, false, 0.22, 0.3)],
                _ => vec![(Stage::Approval, true, 0.22, 0.3)],
            };
            if matches!(course, Course::Implementing | Course::MidTerm | Course::Accepted | Course::FailedMidTerm) {
                if rng.gen_bool(0.3) {
                    gates.push((Stage::Implementation, false, 0.32, 0.36));
                    gates.push((Stage::Implementation, true, 0.38, 0.44));
                } else {
                    gates.push((Stage::Implementation, true, 0.32, 0.44));
                }
            }
            match course {
                Course::FailedMidTerm => gates.push((Stage::MidTerm, false, 0.6, 0.7)),
                Course::MidTerm | Course::Accepted => gates.push((Stage::MidTerm, true, 0.6, 0.7)),
                _ => {}
            }
            if course == Course::Accepted {
                gates.push((Stage::Acceptance, true, 0.86, 0.96));
            }
            for (gate, passed, a, b) in gates {
                let on = self.cal.between(&mut rng, a, b).max(proposed).min(today);
                let reviewers: Vec<String> = (0..rng.gen_range(3..=5)).map(|_| self.person(&mut rng)).collect();
                let note = if passed {
                    String::new()
                } else {
                    GATE_FAILS.iter().find(|(g, _)| *g == gate).map_or("请完善后再评审", |(_, w)| *w).to_string()
                };
                let input = GateInput {
                    gate: gate.code().into(),
                    reviewers: reviewers.join("、"),
                    score: if passed { rng.gen_range(75..=95) } else { rng.gen_range(45..=59) }.to_string(),
                    result: if passed { "通过" } else { "不通过" }.into(),
                    note,
                    decided_on: on.to_string(),
                };
                let v = input.validate(today).map_err(|e| anyhow!("演示数据生成了无效的项目评审：{e}"))?;
                si::decide(self.store, &self.scope, project.id, &v).await?;
                self.s.project_gates += 1;
                if !passed {
                    self.s.project_gates_failed += 1;
                }
            }
            match course {
                Course::Proposed => self.s.projects_proposed += 1,
                Course::Approved => self.s.projects_approved += 1,
                Course::Implementing | Course::FailedMidTerm => self.s.projects_implementing += 1,
                Course::MidTerm => self.s.projects_mid_term += 1,
                Course::Accepted => self.s.projects_accepted += 1,
                Course::Rejected => self.s.projects_rejected += 1,
            }
        }
        Ok(())
    }
}

/// An item's status on `on` by its milestones: all passed 已完成, some 推进中, none 未开始 (an item
/// without milestones is under way once the list is in).
fn status_on(milestones: &[(NaiveDate, &str)], on: NaiveDate) -> &'static str {
    let passed = milestones.iter().filter(|(d, _)| *d <= on).count();
    match passed {
        0 if milestones.is_empty() => "推进中",
        0 => "未开始",
        n if n == milestones.len() => "已完成",
        _ => "推进中",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_milestones() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let ms = [(d("2026-04-30"), "甲"), (d("2026-09-30"), "乙")];
        assert_eq!(status_on(&ms, d("2026-03-01")), "未开始");
        assert_eq!(status_on(&ms, d("2026-05-01")), "推进中");
        assert_eq!(status_on(&ms, d("2026-09-30")), "已完成");
        assert_eq!(status_on(&[], d("2026-05-01")), "推进中");
    }

    #[test]
    fn every_idea_makes_a_valid_item() {
        for idea in IDEAS {
            let ms = idea.milestones.iter().map(|(md, w)| format!("2026-{md} {w}")).collect::<Vec<_>>().join("\n");
            assert!(inno::parse_milestones(&ms, 2026).is_ok(), "{}", idea.title);
        }
    }
}
