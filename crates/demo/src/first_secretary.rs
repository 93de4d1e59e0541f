//! 第一书记、党建工作指导员 and 支部联系人 in the demo: a first secretary for the weak villages (all
//! but one, so a WEAK-06 link is still found missing) and for some other villages, one whose term
//! ends within 90 days; instructors for some non-public firms' organizations (up to three each);
//! the months' days (some below the minimum), work logs and last year's assessments; contacts for
//! most branches (some left without, one contact over the limit), named among the 列席人员 of some
//! of their branches' meetings so attendance comes from the meeting records. Written through the
//! store's functions as the demo actor; every choice follows from the seed and `today`.

use chrono::{Datelike, Duration, NaiveDate};
use domain::contact_person::AssignInput;
use domain::first_secretary::{AssessInput, DaysInput, Kind, LogInput, PostingInput};
use domain::org::{Org, OrgKind, Sector};
use rand::seq::SliceRandom;
use rand::Rng;
use serde::Serialize;
use store::first_secretary as fs;
use store::{Actor, Scope, Store};

/// What the demo holds of postings and contacts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FirstSecretarySummary {
    /// Village postings, and how many of them serve a weak-and-lax village.
    pub first_secretaries: u64,
    pub weak_covered: u64,
    pub instructors: u64,
    /// Months below the minimum, log entries, assessments, terms ending within 90 days.
    pub short_months: u64,
    pub logs: u64,
    pub assessments: u64,
    pub ending_soon: u64,
    /// Branches with a contact, without one, contacts over their limit, meetings the contacts
    /// sat in on.
    pub contacts: u64,
    pub without_contact: u64,
    pub over_limit: u64,
    pub attended: u64,
}

impl FirstSecretarySummary {
    pub fn report(&self) -> String {
        if self.first_secretaries == 0 && self.contacts == 0 {
            return String::new();
        }
        format!(
            "  第一书记 {} 名（覆盖软弱涣散村 {} 个）、党建工作指导员 {} 名，工作日志 {} 条，考核 {} 次，90 天内期满 {} 名；\
             支部联系人联系党支部 {} 个，未确定联系人 {} 个，超过联系数 {} 人，列席会议 {} 次\n",
            self.first_secretaries,
            self.weak_covered,
            self.instructors,
            self.logs,
            self.assessments,
            self.ending_soon,
            self.contacts,
            self.without_contact,
            self.over_limit,
            self.attended
        )
    }
}

const SENDERS: &[&str] = &["县委办公室", "县财政局", "县农业农村局", "县交通运输局", "县卫生健康局", "县供电公司"];
const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"];
const GIVEN: &[&str] = &["建国", "志强", "海燕", "晓东", "丽华", "永红", "文斌", "春梅", "国庆", "德明"];
const LOGS: &[(&str, &str)] = &[
    ("strengthen", "召开支委会，研究发展党员和后备力量培养"),
    ("poverty", "对接产业项目，走访种养殖大户"),
    ("serve", "入户走访困难群众，协调解决饮水问题"),
    ("governance", "参加村民议事会，推动“四议两公开”"),
    ("stability", "调解邻里土地纠纷"),
];
const FIRM_LOGS: &[(&str, &str)] = &[
    ("policy", "宣讲非公企业党建政策"),
    ("organize", "指导企业筹建党支部"),
    ("develop", "与入党积极分子谈话"),
    ("solve", "协调解决企业用工难题"),
];

fn name(rng: &mut impl Rng) -> String {
    format!("{}{}", SURNAMES.choose(rng).expect("names"), GIVEN.choose(rng).expect("names"))
}

async fn post(
    store: &Store,
    sc: &Scope,
    orgs: &[Org],
    kind: Kind,
    start: NaiveDate,
    rng: &mut impl Rng,
) -> anyhow::Result<Option<fs::Posting>> {
    let input = PostingInput {
        name: name(rng),
        sending_unit: (*SENDERS.choose(rng).expect("senders")).into(),
        kind: kind.code().into(),
        org_ids: orgs.iter().map(|o| o.id.to_string()).collect(),
        starts_on: start.to_string(),
        ..Default::default()
    };
    let Ok(v) = input.validate() else { return Ok(None) };
    let mut vis = Vec::new();
    for o in orgs {
        vis.push(store::org::visible(store, sc, o.id).await?);
    }
    Ok(Some(fs::create(store, sc, &vis, &v).await?))
}

/// Months, days, logs and an assessment of a posting up to `today`.
async fn work(
    store: &Store,
    sc: &Scope,
    p: &fs::Posting,
    today: NaiveDate,
    rng: &mut impl Rng,
    s: &mut FirstSecretarySummary,
) -> anyhow::Result<()> {
    let village = p.kind() == Kind::Village;
    // the last six months before this one, within the term
    for back in 1..=6 {
        let m =
            domain::dates::add_months(NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("date"), -back);
        if m < NaiveDate::from_ymd_opt(p.starts_on.year(), p.starts_on.month(), 1).expect("date") {
            break;
        }
        let days = if village { rng.gen_range(15..=24) } else { rng.gen_range(7..=14) };
        let input = DaysInput { month: m.format("%Y-%m").to_string(), days: days.to_string(), note: String::new() };
        if let Ok(v) = input.validate(p.starts_on, p.ends_on, today) {
            fs::set_days(store, sc, p, &v).await?;
            if days < if village { 20 } else { 10 } {
                s.short_months += 1;
            }
        }
    }
    let list = if village { LOGS } else { FIRM_LOGS };
    for i in 0..rng.gen_range(3..=6) {
        let on = today - Duration::days(rng.gen_range(1..150));
        let (duty, content) = list[(i + p.id as usize) % list.len()];
        let input = LogInput { on: on.to_string(), duty: duty.into(), content: content.into() };
        if let Ok(v) = input.validate(p.kind(), p.starts_on, p.ends_on, today) {
            fs::add_log(store, sc, p, &v).await?;
            s.logs += 1;
        }
    }
    // last year's yearly assessment for those posted before it
    if p.starts_on.year() < today.year() {
        let absences = if rng.gen_bool(0.15) { 2 } else { 0 };
        let grade = match (absences, rng.gen_range(0..10)) {
            (2, _) => "basic",
            (_, 0..=2) => "excellent",
            _ => "competent",
        };
        let input = AssessInput {
            kind: "yearly".into(),
            year: (today.year() - 1).to_string(),
            grade: grade.into(),
            absences: absences.to_string(),
            note: "县委组织部会同乡镇党委考核".into(),
        };
        if let Ok(v) = input.validate(p.starts_on, p.ends_on, today) {
            fs::assess(store, sc, p, &v).await?;
            s.assessments += 1;
        }
    }
    Ok(())
}

/// Write the postings and contacts under `root_id` as of `today`; then sweep the weak-and-lax
/// organizations again (their WEAK-06 links now read the postings). Returns the summary and the
/// weak-and-lax findings after the sweep.
pub(crate) async fn build(
    store: &Store,
    seed: u64,
    today: NaiveDate,
    root_id: i64,
) -> anyhow::Result<(FirstSecretarySummary, u64)> {
    let sc = Scope::all().acting_as(Actor::new("demo", "演示数据"));
    let mut rng = crate::rng_for(seed, "first_secretary");
    let mut s = FirstSecretarySummary::default();
    let nodes: Vec<Org> = store::org::subtree(store, &sc, root_id, None).await?.into_iter().map(|n| n.org).collect();
    let root = store::org::visible(store, &sc, root_id).await?;

    // first secretaries: the weak villages but the first, and one village in eight besides
    let (weak, _) = store::weak_and_lax::list(store, &root, &store::weak_and_lax::Filter::default(), 1_000, 0).await?;
    let weak_ids: Vec<i64> = weak.iter().filter(|w| w.state().open() && w.is_village()).map(|w| w.org_id).collect();
    let villages: Vec<&Org> = nodes.iter().filter(|o| o.kind == OrgKind::Branch && o.sector == Sector::Rural).collect();
    let mut chosen: Vec<&Org> = Vec::new();
    for (i, v) in villages.iter().enumerate() {
        let is_weak = weak_ids.contains(&v.id);
        if (is_weak && weak_ids.first() != Some(&v.id)) || (!is_weak && i % 8 == 3) {
            chosen.push(v);
        }
    }
    for (i, v) in chosen.iter().enumerate() {
        // one term ends within 90 days; the others started in the last two years
        let start = if i == 1 { today - Duration::days(700) } else { today - Duration::days(rng.gen_range(60..650)) };
        if let Some(p) = post(store, &sc, &[(*v).clone()], Kind::Village, start, &mut rng).await? {
            s.first_secretaries += 1;
            if weak_ids.contains(&v.id) {
                s.weak_covered += 1;
            }
            if p.ends_on <= today + Duration::days(90) {
                s.ending_soon += 1;
            }
            work(store, &sc, &p, today, &mut rng, &mut s).await?;
        }
    }
    // instructors: the non-public firms' branches, three (or two) each, for the first few
    let firms: Vec<Org> = nodes
        .iter()
        .filter(|o| o.sector == Sector::PrivateEnterprise && matches!(o.kind, OrgKind::Branch | OrgKind::JointBranch))
        .cloned()
        .collect();
    for (i, group) in firms.chunks(3).take(6).enumerate() {
        let group = if i % 2 == 1 && group.len() > 2 { &group[..2] } else { group };
        let kind = if i == 0 { Kind::FirmLeader } else { Kind::Instructor };
        let start = today - Duration::days(rng.gen_range(90..500));
        if let Some(p) = post(store, &sc, group, kind, start, &mut rng).await? {
            s.instructors += 1;
            work(store, &sc, &p, today, &mut rng, &mut s).await?;
        }
    }

    // contacts: members of another branch under the same superior, one branch each; one contact
    // takes three; one branch in eight has none
    let mut members: Vec<(i64, i64, String)> = Vec::new();
    store::member::for_each_chunk(store, &sc, root_id, 5_000, |chunk| {
        members.extend(chunk.into_iter().filter(|m| m.status.is_current()).map(|m| (m.id, m.org_id, m.name)));
        Ok(())
    })
    .await?;
    let branches: Vec<&Org> =
        nodes.iter().filter(|o| matches!(o.kind, OrgKind::Branch | OrgKind::JointBranch)).collect();
    let mut children: std::collections::HashMap<Option<i64>, Vec<i64>> = Default::default();
    for o in &nodes {
        children.entry(o.parent_id).or_default().push(o.id);
    }
    let mut by_org: std::collections::HashMap<i64, Vec<(i64, i64, String)>> = Default::default();
    for m in members {
        by_org.entry(m.1).or_default().push(m);
    }
    let mut used: std::collections::HashSet<i64> = Default::default();
    let from = NaiveDate::from_ymd_opt(today.year() - 1, 1, 1).expect("date");
    let mut assigned: Vec<(i64, String)> = Vec::new();
    let mut heavy: Option<(i64, String, usize)> = None;
    for (i, b) in branches.iter().enumerate() {
        if i % 8 == 5 {
            continue;
        }
        let pick = match heavy.as_ref() {
            Some((m, n, k)) if *k < 3 && matches!(i % 8, 1 | 2) => Some((*m, n.clone())),
            _ => {
                let candidates: Vec<&(i64, i64, String)> = children
                    .get(&b.parent_id)
                    .into_iter()
                    .flatten()
                    .filter(|o| **o != b.id)
                    .flat_map(|o| by_org.get(o).into_iter().flatten())
                    .filter(|(id, _, _)| !used.contains(id))
                    .take(3)
                    .collect();
                candidates.choose(&mut rng).map(|(id, _, name)| (*id, name.clone()))
            }
        };
        let Some((m, mname)) = pick else { continue };
        let input = AssignInput {
            org_id: b.id.to_string(),
            member_id: m.to_string(),
            from: from.to_string(),
            note: String::new(),
        };
        let Ok(v) = input.validate(today) else { continue };
        let vis = store::org::visible(store, &sc, b.id).await?;
        if store::contact_person::assign(store, &sc, &vis, &v).await.is_err() {
            continue;
        }
        used.insert(m);
        match heavy.as_mut() {
            None => heavy = Some((m, mname.clone(), 1)),
            Some((hm, _, k)) if *hm == m => *k += 1,
            _ => {}
        }
        assigned.push((b.id, mname));
    }
    s.contacts = assigned.len() as u64;
    s.without_contact = store::contact_person::without_contact(store, &root, today, 1).await?.1 as u64;
    s.over_limit = store::contact_person::over_limit(store, &root, today).await?.len() as u64;
    // the contacts sit in on about two of three of their branches' important meetings
    let counted = domain::contact_person::params(today).counted_types;
    let ids: Vec<i64> = assigned.iter().map(|a| a.0).collect();
    let recs = store::life_bulk::records_of(store, &ids, from, today).await?;
    let mut rows = Vec::new();
    for (id, org, _, types, observers) in recs {
        if !types.split(',').any(|t| counted.iter().any(|c| c == t)) || !rng.gen_bool(0.66) {
            continue;
        }
        let Some((_, who)) = assigned.iter().find(|a| a.0 == org) else { continue };
        let text = match observers.filter(|o| !o.trim().is_empty()) {
            Some(o) => format!("{o}、{who}（联系人）"),
            None => format!("{who}（联系人）"),
        };
        rows.push((id, text));
    }
    s.attended = rows.len() as u64;
    store::life_bulk::set_observers(store, &rows).await?;

    let swept = store::weak_and_lax::sweep(store, &sc, &root, today).await?;
    Ok((s, swept.findings as u64))
}
