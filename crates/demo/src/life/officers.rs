//! 班子成员 for the demo: every organization (but the 党小组, led by a 组长) gets a 书记 who is a
//! member on the record, organizations with a committee a 副书记 and 委员 with their 分工, and
//! some a former 书记 whose term ended, so the history has something to show. Terms start after
//! the organization was founded and the member joined the party. A branch's 书记 is the member the
//! tree named as its secretary (its first member); a committee's comes from its subtree; a 党组's
//! from the organizations of the unit it sits in (it has no members of its own).
//!
//! The 党课 of the 党委, 党总支 and 党组 are given by their 书记 (LIFE-06S), except in a few
//! organizations drawn from the seed, where a 委员 gave it instead — those miss the requirement.

use crate::rng_for;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use domain::officer::{OfficerRole, Term};
use domain::org::OrgKind;
use rand::Rng;
use std::collections::{HashMap, HashSet};
use store::officer::BulkOfficer;

use super::*;

/// What the generation gives the record builder.
pub(crate) struct Officers {
    pub(crate) rows: Vec<BulkOfficer>,
    /// The 书记 terms of each organization, for the lecturer of its 党课.
    pub(crate) secretaries: HashMap<i64, Vec<Term>>,
    /// Organizations whose 党课 this year was given by someone other than the 书记.
    pub(crate) lectured_by_others: HashSet<i64>,
    /// A 委员 of each organization, who gives the 党课 where the 书记 did not.
    pub(crate) other_lecturer: HashMap<i64, (i64, String)>,
}

/// Up to `max` members of the subtree of `org` usable as officers on `on`, in tree order.
fn candidates(
    org: i64,
    people: &[Person],
    members_of: &HashMap<i64, Vec<usize>>,
    children: &HashMap<i64, Vec<usize>>,
    orgs: &[OrgRec],
    on: NaiveDate,
    max: usize,
) -> Vec<usize> {
    let mut out = Vec::new();
    let mut stack = vec![org];
    while let Some(id) = stack.pop() {
        for &p in members_of.get(&id).into_iter().flatten() {
            let person = &people[p];
            if person.left.is_none() && person.full && person.join <= on - Duration::days(365) {
                out.push(p);
                if out.len() >= max {
                    return out;
                }
            }
        }
        for &c in children.get(&id).into_iter().flatten().rev() {
            stack.push(orgs[c].id);
        }
    }
    out
}

const DUTIES: [&str; 5] = ["组织委员", "宣传委员", "纪检委员", "青年委员", "统战委员"];

pub(crate) fn generate(
    seed: u64,
    today: NaiveDate,
    orgs: &[OrgRec],
    by_id: &HashMap<i64, usize>,
    people: &[Person],
    members_of: &HashMap<i64, Vec<usize>>,
    children: &HashMap<i64, Vec<usize>>,
) -> Officers {
    let created_at = Utc.from_utc_datetime(&today.and_hms_opt(9, 0, 0).expect("a time"));
    let mut out = Officers {
        rows: Vec::new(),
        secretaries: HashMap::new(),
        lectured_by_others: HashSet::new(),
        other_lecturer: HashMap::new(),
    };
    for o in orgs.iter().filter(|o| o.kind != OrgKind::PartyGroup) {
        let mut rng = rng_for(seed, &format!("officers-{}", o.path));
        // a 党组 takes its officers from the unit around it
        let mut root = if o.kind == OrgKind::LeadingGroup { o.parent.unwrap_or(o.id) } else { o.id };
        let mut pool = candidates(root, people, members_of, children, orgs, today, 40);
        // an organization without members of long standing (a new branch) is led from above
        while pool.is_empty() {
            let Some(up) = by_id.get(&root).and_then(|i| orgs[*i].parent) else { break };
            root = up;
            pool = candidates(root, people, members_of, children, orgs, today, 40);
        }
        if pool.is_empty() {
            continue;
        }
        let founded = o.founded_on.unwrap_or(today - Duration::days(3650));
        let start = (today - Duration::days(rng.gen_range(120..=1700))).max(founded);
        let secretary = if o.kind.holds_members() {
            pool[0]
        } else {
            // someone of the subtree who is not already a branch secretary
            let plain: Vec<usize> = pool.iter().copied().filter(|p| !people[*p].committee).collect();
            let from = if plain.is_empty() { &pool } else { &plain };
            from[rng.gen_range(0..from.len())]
        };
        let start = start.max(people[secretary].join);
        let mut push = |member: usize, role: OfficerRole, duties: String, from: NaiveDate, to: Option<NaiveDate>| {
            out.rows.push(BulkOfficer {
                org_id: o.id,
                member_id: people[member].id,
                role,
                duties,
                started_on: from,
                ended_on: to,
                created_at,
            });
        };
        // a former secretary in about a quarter of the organizations
        let former = (pool.len() > 2 && rng.gen_bool(0.25) && start - Duration::days(400) > founded)
            .then(|| pool[pool.len() - 1])
            .filter(|p| *p != secretary && people[*p].join < start - Duration::days(1200));
        let mut terms = Vec::new();
        if let Some(f) = former {
            let from = (start - Duration::days(rng.gen_range(400..=1100))).max(founded).max(people[f].join);
            let to = start - Duration::days(1);
            push(f, OfficerRole::Secretary, String::new(), from, Some(to));
            terms.push(Term {
                org_id: o.id,
                member_id: people[f].id,
                name: people[f].name.clone(),
                role: OfficerRole::Secretary,
                started_on: from,
                ended_on: Some(to),
            });
        }
        push(secretary, OfficerRole::Secretary, String::new(), start, None);
        terms.push(Term {
            org_id: o.id,
            member_id: people[secretary].id,
            name: people[secretary].name.clone(),
            role: OfficerRole::Secretary,
            started_on: start,
            ended_on: None,
        });
        out.secretaries.insert(o.id, terms);
        if o.has_committee || !o.kind.holds_members() {
            // the committee: a 副书记 for committees above the branch, then 委员 with their 分工
            let others: Vec<usize> =
                pool.iter().copied().filter(|p| *p != secretary && Some(*p) != former).take(4).collect();
            for (k, &m) in others.iter().enumerate() {
                let role = if k == 0 && !o.kind.holds_members() { OfficerRole::Deputy } else { OfficerRole::Member };
                let duty =
                    if role == OfficerRole::Member { DUTIES[k % DUTIES.len()].to_string() } else { String::new() };
                push(m, role, duty, start.max(people[m].join), None);
                if role == OfficerRole::Member && !out.other_lecturer.contains_key(&o.id) {
                    out.other_lecturer.insert(o.id, (people[m].id, people[m].name.clone()));
                }
            }
        }
        // the few whose 党课 this year was not the 书记's own
        if !o.kind.holds_members() && rng_for(seed, &format!("lecturer-{}", o.path)).gen_bool(0.1) {
            out.lectured_by_others.insert(o.id);
        }
    }
    out
}
