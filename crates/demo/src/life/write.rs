//! Writing the records.

use crate::people::Namer;
use crate::rng_for;
use anyhow::{anyhow, Context};
use chrono::{Datelike, Duration, NaiveDate};
use domain::life::{
    self as dl, AttendanceInput, LifeType, Period, PeriodKind, Quorum, RecordInput, RecordStatus, ResolutionInput,
    RosterEntry, RosterKind,
};
use domain::org::{OrgKind, Sector};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use store::life_bulk::{self, BulkAttachment, BulkDivision, BulkRecord};
use store::{Progress, Store, Tx};

use super::*;

struct Member<'a> {
    entry: &'a RosterEntry,
    person: &'a Person,
}

struct Builder<'a> {
    ctx: Ctx<'a>,
    orgs: Vec<OrgRec>,
    by_id: HashMap<i64, usize>,
    people: Vec<Person>,
    /// Members directly in each organization, in roster order (join date, id).
    members_of: HashMap<i64, Vec<usize>>,
    children: HashMap<i64, Vec<usize>>,
    next_id: i64,
    batch: Vec<BulkRecord>,
    s: LifeSummary,
    officers: Officers,
}

impl<'a> Builder<'a> {
    /// The members of a branch (with its 党小组) or a 党小组 on a date, in roster order.
    fn roster(&self, o: &OrgRec, on: NaiveDate) -> (Vec<RosterEntry>, Vec<&Person>) {
        if !o.kind.holds_members() {
            return (vec![], vec![]);
        }
        let mut idx: Vec<usize> = self.members_of.get(&o.id).cloned().unwrap_or_default();
        for &c in self.children.get(&o.id).map(Vec::as_slice).unwrap_or(&[]) {
            idx.extend(self.members_of.get(&self.orgs[c].id).map(Vec::as_slice).unwrap_or(&[]));
        }
        let mut people: Vec<&Person> = idx.into_iter().map(|i| &self.people[i]).filter(|p| p.current(on)).collect();
        people.sort_by_key(|p| (p.join, p.id));
        let entries = people
            .iter()
            .map(|p| RosterEntry { member_id: p.id, name: p.name.clone(), voter: p.voter(on), committee: p.committee })
            .collect();
        (entries, people)
    }

    fn parent(&self, o: &OrgRec) -> Option<&OrgRec> {
        o.parent.and_then(|p| self.by_id.get(&p)).map(|&i| &self.orgs[i])
    }

    /// One record of `o` for `plan`, checked by `domain::life::validate`.
    fn record(
        &self,
        o: &OrgRec,
        plan: &Plan,
        profile: LifeProfile,
        slow_review: bool,
        latest: bool,
        rng: &mut ChaCha8Rng,
    ) -> anyhow::Result<BulkRecord> {
        let today = self.ctx.today;
        let d = plan.date;
        let codes: Vec<String> = plan.types.iter().map(|c| c.to_string()).collect();
        let my_types: Vec<&LifeType> = plan.types.iter().filter_map(|c| dl::type_of(self.ctx.types, c)).collect();
        let kind = dl::roster_kind(self.ctx.types, &codes);
        let (entries, persons) = self.roster(o, d);
        let roster: Vec<Member<'_>> =
            entries.iter().zip(&persons).map(|(entry, person)| Member { entry, person }).collect();
        let expected: Vec<&Member<'_>> = match kind {
            RosterKind::Branch => roster.iter().collect(),
            RosterKind::Committee => roster.iter().filter(|m| m.entry.committee).collect(),
            RosterKind::None => vec![],
        };
        let main = plan.types.iter().find(|c| **c != "theme_day").copied().unwrap_or(plan.types[0]);
        let parent = self.parent(o);
        let unit = unit_of(if o.kind == OrgKind::PartyGroup { parent.map_or(&o.name, |p| &p.name) } else { &o.name });

        // who
        let host = o
            .secretary
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| roster.first().map(|m| m.entry.name.clone()))
            .unwrap_or_else(|| self.ctx.namer.name(rng, domain::member::Sex::Male, 1975));
        let others: Vec<&Member<'_>> = roster.iter().filter(|m| m.entry.name != host).collect();
        let recorder = others
            .iter()
            .find(|m| m.entry.committee)
            .or_else(|| others.first())
            .map(|m| m.entry.name.clone())
            .unwrap_or_else(|| self.ctx.namer.name(rng, domain::member::Sex::Female, 1985));

        // attendance
        let lacks_attendance = profile == LifeProfile::Incomplete && rng.gen_bool(0.15);
        let mut attendance: Vec<AttendanceInput> = Vec::new();
        if kind != RosterKind::None && !lacks_attendance {
            let base = match (main, profile) {
                ("committee_meeting", _) => 0.95,
                (_, LifeProfile::Regular) => 0.9,
                _ => 0.8,
            };
            for m in &expected {
                let p = m.person;
                let age = domain::dates::age_on(p.birth, d);
                let chance = if p.lost {
                    0.0
                } else if p.mobile {
                    0.3
                } else if age >= 78 {
                    0.55
                } else {
                    base
                };
                let (status, reason) = if rng.gen_bool(chance) {
                    ("present", String::new())
                } else if p.lost {
                    ("absent", "失去联系".to_string())
                } else if rng.gen_bool(0.88) {
                    let why = if p.mobile {
                        "外出务工"
                    } else if age >= 78 {
                        "年老体弱，行动不便"
                    } else {
                        pick(rng, LEAVE)
                    };
                    ("leave", why.to_string())
                } else {
                    ("absent", pick(rng, ABSENT).to_string())
                };
                attendance.push(AttendanceInput { member_id: p.id, status: status.into(), reason });
            }
            let quorum = my_types.iter().map(|t| t.quorum).find(|q| *q != Quorum::None).unwrap_or(Quorum::None);
            let counted = |a: &[AttendanceInput], voters_only: bool| {
                let mut n = 0;
                let mut present = 0;
                for (m, at) in expected.iter().zip(a) {
                    if voters_only && !m.entry.voter {
                        continue;
                    }
                    n += 1;
                    present += (at.status == "present") as i64;
                }
                (present, n)
            };
            let voters_only = quorum == Quorum::Voters;
            if quorum != Quorum::None && plan.no_quorum {
                // no more than half of those who count present
                let (_, n) = counted(&attendance, voters_only);
                let mut allowed = n / 2;
                for (m, at) in expected.iter().zip(attendance.iter_mut()) {
                    if voters_only && !m.entry.voter {
                        continue;
                    }
                    if at.status == "present" {
                        if allowed > 0 {
                            allowed -= 1;
                        } else {
                            at.status = "leave".into();
                            at.reason = if m.person.mobile {
                                "外出务工"
                            } else {
                                pick(rng, &["农忙", "家中有事", "出差"])
                            }
                            .to_string();
                        }
                    }
                }
            } else if quorum != Quorum::None {
                // meetings held as they should be reach their quorum
                let mut order: Vec<usize> = (0..expected.len()).collect();
                order.sort_by_key(|&i| expected[i].person.lost);
                for i in order {
                    let (present, n) = counted(&attendance, voters_only);
                    if present * 2 > n {
                        break;
                    }
                    if (voters_only && !expected[i].entry.voter) || attendance[i].status == "present" {
                        continue;
                    }
                    attendance[i].status = "present".into();
                    attendance[i].reason.clear();
                }
            }
        }

        // resolutions
        let present_voters: Vec<&Member<'_>> = expected
            .iter()
            .zip(&attendance)
            .filter(|(m, a)| a.status == "present" && m.entry.voter)
            .map(|(m, _)| *m)
            .collect();
        let present_all = attendance.iter().filter(|a| a.status == "present").count() as i64;
        let voters_expected = expected.iter().filter(|m| m.entry.voter).count() as i64;
        let mut resolutions: Vec<ResolutionInput> = Vec::new();
        if !plan.no_quorum && !attendance.is_empty() {
            let mut texts: Vec<String> = Vec::new();
            if plan.types.contains(&"branch_assembly") {
                for m in &expected {
                    let p = m.person;
                    if !m.entry.voter && p.full && p.full_date.is_some_and(|f| f > d && f <= d + Duration::days(75)) {
                        texts.push(format!("同意{}同志按期转为中共正式党员", p.name));
                    }
                }
                if d.month() <= 3 && rng.gen_bool(0.4) {
                    texts.push(format!("通过《{unit}{}年度党建工作计划》", d.year()));
                }
                if rng.gen_bool(0.2) {
                    texts.push("通过本季度党费收缴使用情况报告".into());
                }
                if (5..=6).contains(&d.month()) && !present_voters.is_empty() && rng.gen_bool(0.25) {
                    let who = &present_voters[rng.gen_range(0..present_voters.len())].entry.name;
                    texts.push(format!("推荐{who}同志为“优秀共产党员”候选人"));
                }
                let abstain = if present_voters.len() > 6 && rng.gen_bool(0.15) { 1 } else { 0 };
                let yes = present_voters.len() as i64 - abstain;
                if yes * 2 > voters_expected {
                    for t in texts {
                        resolutions.push(ResolutionInput {
                            text: t,
                            yes: yes.to_string(),
                            no: "0".into(),
                            abstain: abstain.to_string(),
                            method: "举手表决".into(),
                            declared: Some(true),
                        });
                    }
                }
            } else if main == "committee_meeting" && rng.gen_bool(0.12) {
                let n = expected.len() as i64;
                if present_all * 2 > n {
                    let text = if rng.gen_bool(0.5) {
                        let who = self.ctx.namer.name(rng, domain::member::Sex::Male, 1995);
                        format!("确定{who}同志为发展对象")
                    } else {
                        format!("确定{}月主题党日活动方案", (d + Duration::days(20)).month())
                    };
                    resolutions.push(ResolutionInput {
                        text,
                        yes: present_all.to_string(),
                        no: "0".into(),
                        abstain: "0".into(),
                        method: "举手表决".into(),
                        declared: Some(true),
                    });
                }
            }
        }

        // numbers entered by hand: 谈心谈话 and 民主生活会 have no roster; a 党委's or 党总支's 党课
        // has one, but the organization holds no members of its own, so its roster is empty
        // (`validate` ignores these numbers for a roster type: the record lacks attendance)
        let (mut hand_expected, mut hand_present, mut hand_leave) = (0i64, 0i64, 0i64);
        let by_hand = kind == RosterKind::None || !o.kind.holds_members();
        if by_hand {
            hand_expected = match main {
                "heart_talk" => roster.len() as i64,
                "party_lecture" => rng.gen_range(40..=150),
                _ => rng.gen_range(5..=9),
            };
            hand_leave = if hand_expected > 3 && rng.gen_bool(0.25) { 1 } else { 0 };
            hand_present = hand_expected - hand_leave;
        }

        // what was said
        let (y, m) = (d.year(), d.month());
        let review_year = if m <= 3 { y - 1 } else { y };
        let topic = if rng.gen_bool(0.6) { pick(rng, MONTH_TOPICS[m as usize - 1]) } else { pick(rng, TOPICS) };
        let lecture = pick(rng, LECTURES);
        let label = dl::codes_label(self.ctx.types, &codes);
        let title = match (plan.types.as_slice(), main) {
            (["branch_assembly", "theme_day"], _) => format!("{y}年{m}月主题党日暨支部党员大会：{topic}"),
            (_, "theme_day") => format!("{y}年{m}月主题党日：{topic}"),
            (_, "branch_assembly") => format!(
                "{y}年第{}季度支部党员大会{}",
                ["一", "二", "三", "四"][(m as usize - 1) / 3],
                if plan.reheld { "（重新召开）" } else { "" }
            ),
            (_, "committee_meeting") => format!("{y}年{m}月支部委员会会议"),
            (_, "group_meeting") => format!("{y}年{m}月党小组会"),
            (_, "party_lecture") => format!("专题党课：{lecture}"),
            (_, "life_meeting") => format!("{review_year}年度组织生活会"),
            (_, "democratic_review") => format!("{review_year}年度民主评议党员"),
            (_, "heart_talk") => format!("{y}年度谈心谈话"),
            (_, "democratic_life") => format!("{unit}领导班子{review_year}年度民主生活会"),
            _ => format!("{y}年{m}月{label}"),
        };
        let agenda = match main {
            "theme_day" => format!("1. 集中学习{topic}；2. 开展主题实践活动；3. 交流心得体会"),
            "branch_assembly" => {
                let mut a = "1. 传达学习上级会议精神；2. 通报支部工作和党费收缴情况".to_string();
                for (i, r) in resolutions.iter().enumerate() {
                    a.push_str(&format!("；{}. 讨论表决：{}", i + 3, r.text));
                }
                a
            }
            "committee_meeting" => {
                "1. 研究本月党建工作安排；2. 讨论发展党员和党员教育管理工作；3. 研究主题党日活动方案".into()
            }
            "group_meeting" => "1. 组织学习；2. 汇报思想和工作情况；3. 收缴党费".into(),
            "party_lecture" => format!("专题党课：{lecture}"),
            "life_meeting" => "1. 通报上年度整改落实情况；2. 支部委员会对照检查；3. 党员开展批评和自我批评".into(),
            "democratic_review" => "1. 党员个人自评；2. 党员互评；3. 民主测评".into(),
            "heart_talk" => "支部书记与党员逐一谈心谈话，了解思想、工作和生活情况".into(),
            "democratic_life" => "1. 通报上年度民主生活会整改情况；2. 班子成员对照检查；3. 开展批评和自我批评".into(),
            _ => label.clone(),
        };
        // sloppy records also lack their times (REC-04) or agenda (REC-09), drawn from a side
        // stream so the rest of the year stays as it was
        let (lacks_times, lacks_agenda) = if profile == LifeProfile::Incomplete {
            let mut side = rng_for(0x7265_6334, &format!("{}-{d}-{main}", o.path));
            (side.gen_bool(0.12), side.gen_bool(0.12))
        } else {
            (false, false)
        };
        let agenda = if lacks_agenda { String::new() } else { agenda };
        let lacks_minutes = profile == LifeProfile::Incomplete && rng.gen_bool(0.2);
        let minutes = if lacks_minutes {
            String::new()
        } else {
            let present_names: Vec<&str> = expected
                .iter()
                .zip(&attendance)
                .filter(|(mm, a)| a.status == "present" && mm.entry.name != host)
                .map(|(mm, _)| mm.entry.name.as_str())
                .take(2)
                .collect();
            let speakers = if present_names.is_empty() {
                "与会同志".to_string()
            } else {
                format!("{}等同志", present_names.join("、"))
            };
            match main {
                "theme_day" => format!(
                    "{host}同志主持活动。全体党员集中学习了{topic}，并开展主题实践。{speakers}交流了体会，表示要立足岗位发挥先锋模范作用。"
                ),
                "branch_assembly" => format!(
                    "{host}同志主持会议，传达学习了上级有关会议精神，通报了本季度支部工作和党费收缴情况。{speakers}发言。{}",
                    if resolutions.is_empty() { "会议对下一步工作作了安排。".to_string() } else { "会议按程序进行了表决。".to_string() }
                ),
                "committee_meeting" => {
                    format!("{host}同志主持会议，支部委员逐项研究了本月党建工作，明确了责任分工和完成时限。")
                }
                "group_meeting" => format!("组长{host}同志带领组内党员学习，{speakers}汇报了近期思想和工作情况，会后收缴了党费。"),
                "party_lecture" => format!("授课人围绕“{lecture}”讲授专题党课，结合本单位实际提出了要求。{speakers}谈了学习体会。"),
                "life_meeting" | "democratic_review" => format!(
                    "{host}同志代表支部委员会作对照检查，党员逐一发言，开展批评和自我批评。{speakers}提出了意见建议，会议形成了问题清单。"
                ),
                "heart_talk" => format!("{host}同志与党员逐一谈心谈话，听取意见建议，对反映的困难作了记录并安排跟进。"),
                "democratic_life" => format!("{host}同志主持会议并作对照检查，班子成员逐一发言，相互开展批评，明确了整改措施。"),
                _ => format!("{host}同志主持，{speakers}发言。"),
            }
        };
        let outdoors = plan.types.contains(&"theme_day") && rng.gen_bool(0.25);
        let place = if outdoors {
            pick(rng, OUTINGS).to_string()
        } else {
            match (o.sector, village_of(&o.name).or_else(|| parent.and_then(|p| village_of(&p.name)))) {
                (Sector::Rural | Sector::Community, Some(v)) => {
                    format!("{v}{}", pick(rng, &["党群服务中心会议室", "党群服务中心党员活动室", "新时代文明实践站"]))
                }
                _ => format!("{unit}{}", pick(rng, &["会议室", "党员活动室", "三楼会议室"])),
            }
        };
        let (start, end) = match (o.sector, main) {
            (_, "theme_day") => ("09:00", "11:30"),
            (Sector::Rural, _) if rng.gen_bool(0.4) => ("19:30", "21:00"),
            (Sector::Organs, _) => ("16:00", "17:30"),
            _ => ("14:30", "16:30"),
        };
        let lecturer = if my_types.iter().any(|t| t.lecturer) {
            if o.kind.holds_members() && rng.gen_bool(0.3) {
                match parent.and_then(|p| p.secretary.clone().map(|s| (s, p))) {
                    Some((s, p)) if o.kind.is_branch() => format!("{s}（{}书记）", unit_of(&p.name)),
                    _ => recorder.clone(),
                }
            } else {
                host.clone()
            }
        } else {
            String::new()
        };
        let observers = match main {
            "life_meeting" if rng.gen_bool(0.4) => {
                parent.map(|p| format!("{}联系领导", unit_of(&p.name))).unwrap_or_default()
            }
            "democratic_life" => "上级纪检监察机关、组织部门有关同志到会指导".into(),
            _ => String::new(),
        };
        let input = RecordInput {
            types: codes,
            title,
            held_on: d.to_string(),
            start_time: if lacks_times { String::new() } else { start.into() },
            end_time: if lacks_times { String::new() } else { end.into() },
            place,
            host: host.clone(),
            recorder: recorder.clone(),
            lecturer,
            lecturer_member_id: String::new(),
            belongs_to_year: String::new(),
            agenda,
            minutes,
            observers,
            attendance,
            expected: if by_hand { hand_expected.to_string() } else { String::new() },
            present: if by_hand { hand_present.to_string() } else { String::new() },
            leave: if by_hand { hand_leave.to_string() } else { String::new() },
            absent: String::new(),
            resolutions,
            version: None,
        };
        let mut valid = dl::validate(&input, self.ctx.types, &entries, today)
            .map_err(|e| anyhow!("演示数据生成了无效的组织生活记录（{} {} {}）：{e}", o.name, d, input.title))?;
        // 所属年度 as the application sets it (LIFE-18, the shipped window)
        let yearly = dl::is_yearly(self.ctx.rules, &valid.types, &o.path, o.kind, o.has_committee, d);
        let window = dl::year_window_for(dl::shipped_year_windows(), &o.path, d);
        valid.belongs_to_year = dl::resolve_year("", d, yearly, window).ok();
        // the 党课 of a 党委, 党总支 or 党组 is its 书记's own (LIFE-06S), but for a few
        if valid.types.iter().any(|c| dl::type_of(self.ctx.types, c).is_some_and(|t| dl::secretary_lecture(t, o.kind)))
        {
            let sec = self.officers.secretaries.get(&o.id).and_then(|t| domain::officer::secretary_on(t, d));
            let other = self.officers.other_lecturer.get(&o.id);
            match (sec, other) {
                (_, Some((id, name))) if self.officers.lectured_by_others.contains(&o.id) => {
                    valid.lecturer = Some(name.clone());
                    valid.lecturer_member_id = Some(*id);
                }
                (Some(s), _) => {
                    valid.lecturer = Some(s.name.clone());
                    valid.lecturer_member_id = Some(s.member_id);
                }
                _ => {}
            }
        }

        // entry and review
        let late = match profile {
            LifeProfile::Late => rng.gen_bool(0.6),
            _ => rng.gen_bool(0.008),
        };
        let lag = if late {
            rng.gen_range(15..=75)
        } else {
            match rng.gen_range(0..20) {
                0..=7 => 0,
                8..=13 => 1,
                14..=18 => rng.gen_range(2..=5),
                _ => rng.gen_range(6..=9),
            }
        };
        let created_on = (d + Duration::days(lag)).min(today);
        let created_at = at(created_on, rng.gen_range(9 * 60..=21 * 60));
        let age = (today - created_on).num_days();
        let sloppy = !matches!(profile, LifeProfile::Regular);
        let x: f64 = rng.gen();
        let mut status = if age <= 3 {
            if x < 0.6 {
                RecordStatus::Draft
            } else {
                RecordStatus::Submitted
            }
        } else if age <= 14 {
            if x < 0.1 {
                RecordStatus::Draft
            } else if x < 0.6 {
                RecordStatus::Submitted
            } else {
                RecordStatus::Accepted
            }
        } else if age <= 30 {
            if x < 0.25 {
                RecordStatus::Submitted
            } else {
                RecordStatus::Accepted
            }
        } else if slow_review && x < 0.5 {
            RecordStatus::Submitted
        } else if sloppy && x < 0.05 {
            RecordStatus::Draft
        } else if sloppy && x < 0.1 {
            RecordStatus::Submitted
        } else {
            RecordStatus::Accepted
        };
        if plan.open && !latest && (7..=60).contains(&age) && rng.gen_bool(0.05) {
            status = RecordStatus::Returned;
        }
        let submitted_at = (status != RecordStatus::Draft)
            .then(|| (created_at + Duration::minutes(rng.gen_range(10..=2 * 24 * 60))).min(at(today, 12 * 60)));
        let reviewed_at = match (status, submitted_at) {
            (RecordStatus::Accepted | RecordStatus::Returned, Some(s)) => {
                Some((s + Duration::minutes(rng.gen_range(60..=9 * 24 * 60))).min(at(today, 17 * 60)).max(s))
            }
            _ => None,
        };
        let reviewed_by = reviewed_at.map(|_| {
            parent
                .and_then(|p| {
                    let who = p.short_name.clone().unwrap_or_else(|| unit_of(&p.name));
                    p.secretary.clone().map(|s| format!("{who} {s}"))
                })
                .unwrap_or_else(|| "上级党组织".into())
        });
        let return_reason = (status == RecordStatus::Returned).then(|| pick(rng, RETURNS).to_string());
        // the signed 签到表 kept with the record (REC-13); sloppy records sometimes have none, drawn
        // from a side stream so the rest of the year stays as it was
        let lacks_sheet =
            profile == LifeProfile::Incomplete && rng_for(0x7265_6331, &format!("{}-{d}-{main}", o.path)).gen_bool(0.3);
        let attachments = if lacks_sheet {
            vec![]
        } else {
            let held_on = d.to_string();
            let sheet = Sheet {
                title: &valid.title,
                held_on: &held_on,
                times: valid.start_time.as_deref().zip(valid.end_time.as_deref()),
                place: &valid.place,
                host: &valid.host,
                recorder: &valid.recorder,
                expected: valid.counts.expected,
                present: valid.counts.present,
            };
            vec![BulkAttachment { name: sheet.name(), mime: "application/pdf", content: sheet.pdf() }]
        };
        Ok(BulkRecord {
            id: 0,
            org_id: o.id,
            path: o.path.clone(),
            record: valid,
            status,
            return_reason,
            submitted_at,
            reviewed_at,
            reviewed_by,
            created_by: recorder,
            created_on,
            created_at,
            attachments,
        })
    }

    async fn push(&mut self, tx: &mut Tx, mut r: BulkRecord) -> anyhow::Result<()> {
        r.id = self.next_id;
        self.next_id += 1;
        self.s.records += 1;
        self.s.joint += (r.record.types.len() > 1) as u64;
        self.batch.push(r);
        if self.batch.len() >= 2_000 {
            self.flush(tx).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, tx: &mut Tx) -> anyhow::Result<()> {
        if !self.batch.is_empty() {
            let w = life_bulk::insert(tx, &self.batch).await.context("写入组织生活记录失败")?;
            self.s.attendance += w.attendance;
            self.s.resolutions += w.resolutions;
            self.s.attachments += w.attachments;
            self.batch.clear();
        }
        Ok(())
    }

    /// Work divisions of the 党组: most have one, at least one per 地方党委 does not.
    fn divisions(&mut self, rng_seed: u64) -> Vec<BulkDivision> {
        let mut by_parent: HashMap<Option<i64>, Vec<usize>> = HashMap::new();
        for (i, o) in self.orgs.iter().enumerate() {
            if o.kind == OrgKind::LeadingGroup {
                by_parent.entry(o.parent).or_default().push(i);
            }
        }
        let mut parents: Vec<(Option<i64>, Vec<usize>)> = by_parent.into_iter().collect();
        parents.sort_by_key(|(_, v)| self.orgs[v[0]].path.clone());
        let mut out = Vec::new();
        let today = self.ctx.today;
        for (_, groups) in parents {
            let key = self.orgs[groups[0]].path.clone();
            let mut rng = rng_for(rng_seed, &format!("life-division-{key}"));
            let without = ((groups.len() as f64 * 0.15).round() as usize).max(1);
            let skip: Vec<usize> =
                rand::seq::index::sample(&mut rng, groups.len(), without.min(groups.len())).into_vec();
            for (k, &i) in groups.iter().enumerate() {
                self.s.leading_groups += 1;
                if skip.contains(&k) {
                    continue;
                }
                self.s.with_division += 1;
                let o = &self.orgs[i];
                let body = unit_of(&o.name);
                let (head, vice) = titles(&body);
                let since = today - Duration::days(rng.gen_range(200..=1400));
                let mut rows = vec![(
                    o.secretary
                        .clone()
                        .unwrap_or_else(|| self.ctx.namer.name(&mut rng, domain::member::Sex::Male, 1970)),
                    format!("党组书记、{head}"),
                    "履行全面从严治党主体责任第一责任人职责，对本单位党的建设工作负总责".to_string(),
                )];
                let duties = [
                    "协助党组书记抓党建工作，具体负责机关党的建设和意识形态工作",
                    "负责分管领域党建工作和党风廉政建设，联系指导机关第一党支部",
                    "负责干部队伍建设和人才工作，联系指导机关第二党支部",
                    "负责精神文明建设和工会、共青团、妇女工作",
                    "负责分管领域党风廉政建设，联系指导离退休干部党支部",
                ];
                let n = rng.gen_range(3..=5);
                for (j, duty) in duties.iter().take(n).enumerate() {
                    let sex = if rng.gen_bool(0.25) { domain::member::Sex::Female } else { domain::member::Sex::Male };
                    let born = rng.gen_range(1966..=1982);
                    let name = self.ctx.namer.name(&mut rng, sex, born);
                    let post =
                        if j == 0 { format!("党组副书记、{vice}") } else { format!("党组成员、{vice}") };
                    rows.push((name, post, duty.to_string()));
                }
                for (name, post, duty) in rows {
                    out.push(BulkDivision {
                        org_id: o.id,
                        member_name: name,
                        post,
                        duty,
                        since,
                        created_at: at(since, 10 * 60),
                    });
                }
            }
        }
        self.s.divisions = out.len() as u64;
        out
    }
}

/// The head's and a deputy's administrative title in a 党组's body.
pub(crate) fn titles(body: &str) -> (String, String) {
    let pair = |h: &str| (h.to_string(), format!("副{h}"));
    if body.ends_with("人民政府") {
        let place = body.trim_end_matches("人民政府");
        let head = match place.chars().last() {
            Some('省') => "省长",
            Some('县') => "县长",
            Some('区') => "区长",
            _ => "市长",
        };
        pair(head)
    } else if body.ends_with("人大常委会") {
        pair("主任")
    } else if body.ends_with("政协") {
        pair("主席")
    } else if body.ends_with("法院") {
        pair("院长")
    } else if body.ends_with("检察院") {
        pair("检察长")
    } else if body.ends_with('厅') {
        pair("厅长")
    } else if body.ends_with("委员会") {
        pair("主任")
    } else {
        pair("局长")
    }
}

/// Generate the year of organization life inside the build's transaction.
pub(crate) async fn build(
    tx: &mut Tx,
    seed: u64,
    today: NaiveDate,
    namer: &Namer,
    progress: &dyn Progress,
) -> anyhow::Result<LifeSummary> {
    let orgs = store::org_bulk::live_orgs(tx).await.context("读取党组织失败")?;
    let members = store::org_bulk::all_members(tx).await.context("读取党员失败")?;
    let orgs: Vec<OrgRec> = orgs
        .into_iter()
        .filter_map(|(id, parent, path, name, short_name, kind, sector, has_committee, founded_on, secretary)| {
            Some(OrgRec {
                kind: OrgKind::from_code(&kind)?,
                sector: sector.as_deref().and_then(Sector::from_code).unwrap_or(Sector::Other),
                id,
                short_name,
                parent,
                path,
                name,
                has_committee,
                founded_on,
                secretary,
            })
        })
        .collect();
    let by_id: HashMap<i64, usize> = orgs.iter().enumerate().map(|(i, o)| (o.id, i)).collect();
    let mut children: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, o) in orgs.iter().enumerate() {
        if let Some(p) = o.parent {
            children.entry(p).or_default().push(i);
        }
    }
    let mut people = Vec::with_capacity(members.len());
    let mut members_of: HashMap<i64, Vec<usize>> = HashMap::new();
    for (id, org_id, name, category, join, full_date, job_post, status, status_date, mobile, lost, birth) in members {
        members_of.entry(org_id).or_default().push(people.len());
        people.push(Person {
            id,
            name,
            full: category == "full",
            full_date,
            join,
            left: (status != "normal").then_some(status_date),
            committee: job_post.as_deref().is_some_and(dl::is_committee_post),
            mobile,
            lost,
            birth,
        });
    }

    let types = dl::shipped_types();
    let rules = dl::shipped_rules();
    let from = domain::dates::add_months(Period::containing(PeriodKind::Month, today).start, -11);
    let ctx = Ctx { today, from, types, rules, namer, silent_days: dl::Params::in_force(today).silent_days };
    let next_id = life_bulk::next_record_id(tx).await?;
    let officers = officers::generate(seed, today, &orgs, &by_id, &people, &members_of, &children);
    store::officer::insert_bulk(tx, &officers.rows).await.context("写入班子成员失败")?;
    let mut b = Builder {
        officers,
        ctx,
        orgs,
        by_id,
        people,
        members_of,
        children,
        next_id,
        batch: Vec::new(),
        s: LifeSummary { from: Some(from), to: Some(today), ..Default::default() },
    };
    let covered: Vec<usize> = (0..b.orgs.len())
        .filter(|&i| {
            let o = &b.orgs[i];
            rules.iter().any(|r| r.applies.iter().any(|a| a.matches(o.kind, o.has_committee)))
        })
        .collect();
    b.s.orgs = covered.len() as u64;
    progress.start("生成组织生活", Some(covered.len() as u64));
    let mut profiles: HashMap<LifeProfile, u64> = HashMap::new();
    for (n, &i) in covered.iter().enumerate() {
        let o = &b.orgs[i];
        let profile = LifeProfile::of(seed, &o.path);
        if o.kind.is_branch() {
            *profiles.entry(profile).or_default() += 1;
        }
        let slow =
            domain::path::parent(&o.path).is_some_and(|p| rng_for(seed, &format!("life-review-{p}")).gen_bool(0.04));
        let mut rng = rng_for(seed, &format!("life-{}", o.path));
        let plans = b.ctx.plan(o, profile, &mut rng);
        let mut records = Vec::with_capacity(plans.len());
        for (k, plan) in plans.iter().enumerate() {
            records.push(b.record(o, plan, profile, slow, k + 1 == plans.len(), &mut rng)?);
        }
        for r in records {
            b.push(tx, r).await?;
        }
        if n % 64 == 63 {
            progress.inc(64);
        }
    }
    b.flush(tx).await?;
    progress.inc(covered.len() as u64 % 64);
    let divisions = b.divisions(seed);
    life_bulk::insert_divisions(tx, &divisions).await.context("写入党组分工失败")?;
    life_bulk::finish(tx).await?;
    progress.finish();
    b.s.by_profile = LifeProfile::ALL
        .iter()
        .map(|p| ProfileCount { profile: *p, branches: profiles.get(p).copied().unwrap_or(0) })
        .collect();
    Ok(b.s)
}

/// Run the daily compliance job once, so the home pages' to-dos are there on first start, and
/// count what it found.
pub(crate) async fn check(
    store: &Store,
    today: NaiveDate,
    s: &mut LifeSummary,
    progress: &dyn Progress,
) -> anyhow::Result<()> {
    progress.start("检查组织生活", None);
    store::life::run_daily(store, today, None).await.context("组织生活检查失败")?;
    let counts = store::life_bulk::finding_counts_all(store).await?;
    s.findings = dl::FindingKind::ALL
        .iter()
        .map(|k| FindingCount {
            kind: k.code().to_string(),
            label: k.label().to_string(),
            count: counts.iter().find(|(c, _)| c == k.code()).map_or(0, |(_, n)| *n as u64),
        })
        .collect();
    progress.finish();
    Ok(())
}
