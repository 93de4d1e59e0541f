//! Planning the year.

use crate::people::Namer;
use chrono::{Datelike, Duration, NaiveDate};
use domain::life::{self as dl, LifeRule, LifeType, Period, PeriodKind};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

use super::*;

#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) types: Vec<&'static str>,
    pub(crate) date: NaiveDate,
    /// Every period it counts for is still running on `today`.
    pub(crate) open: bool,
    /// The period it was planned for.
    period: Period,
    pub(crate) no_quorum: bool,
    /// A 支部党员大会 re-held after one without a quorum.
    pub(crate) reheld: bool,
    /// To be held together with the month's 主题党日.
    joint: bool,
}

pub(crate) struct Ctx<'a> {
    pub(crate) today: NaiveDate,
    pub(crate) from: NaiveDate,
    pub(crate) types: &'static [LifeType],
    pub(crate) rules: &'static [LifeRule],
    pub(crate) namer: &'a Namer,
    pub(crate) silent_days: i64,
}

fn clamp(d: NaiveDate, lo: NaiveDate, hi: NaiveDate) -> NaiveDate {
    d.max(lo).min(hi)
}

impl Ctx<'_> {
    /// When an organization holds a meeting of `code` in `p`: monthly meetings near the
    /// organization's fixed day, quarterly ones early in the quarter, yearly ones when they are
    /// customarily held (组织生活会 and 民主评议 at the turn of the year, 党课 around 七一).
    fn date_for(
        &self,
        code: &str,
        p: &Period,
        fixed: u32,
        anchor: Option<NaiveDate>,
        rng: &mut ChaCha8Rng,
    ) -> NaiveDate {
        let days = |a: i64, b: i64, rng: &mut ChaCha8Rng| p.start + Duration::days(rng.gen_range(a..=b));
        let d = match p.kind {
            PeriodKind::Month => p.start + Duration::days(fixed as i64 - 1 + rng.gen_range(-2..=3)),
            PeriodKind::Quarter => {
                let m = match rng.gen_range(0..20) {
                    0..=7 => 0,
                    8..=15 => 1,
                    _ => 2,
                };
                domain::dates::add_months(p.start, m) + Duration::days(rng.gen_range(0..=27))
            }
            PeriodKind::Year => match code {
                "life_meeting" | "democratic_review" | "democratic_life" => match (code, anchor) {
                    ("democratic_review", Some(a)) => a + Duration::days(rng.gen_range(0..=2)),
                    _ if rng.gen_bool(0.75) => days(8, 58, rng),
                    _ => days(305, 350, rng),
                },
                "party_lecture" if rng.gen_bool(0.55) => days(165, 190, rng),
                _ => days(0, (p.end - p.start).num_days(), rng),
            },
        };
        clamp(d, p.start, p.end)
    }

    /// The meetings an organization holds in the year, by its profile.
    pub(crate) fn plan(&self, o: &OrgRec, profile: LifeProfile, rng: &mut ChaCha8Rng) -> Vec<Plan> {
        // each organization's own day of the month for its monthly meetings (固定主题党日 and the like)
        let fixed: HashMap<&str, u32> = ["theme_day", "committee_meeting", "group_meeting"]
            .into_iter()
            .map(|c| (c, rng.gen_range(3..=25)))
            .collect();
        let mut plans: Vec<Plan> = Vec::new();
        let mut anchors: HashMap<&str, NaiveDate> = HashMap::new();
        for t in self.types {
            for kind in PeriodKind::ALL {
                for p in Period::covering(kind, self.from, self.today) {
                    // periods mostly before the year are left out (their rest is history)
                    let start = p.start.max(self.from);
                    if (p.end - start).num_days() * 2 < (p.end - p.start).num_days() {
                        continue;
                    }
                    let Some(rule) = dl::rule_for(self.rules, &t.code, &o.path, o.kind, o.has_committee, p.start)
                    else {
                        continue;
                    };
                    if rule.period != kind || rule.min <= 0 {
                        continue;
                    }
                    let lo = start.max(o.founded_on.unwrap_or(start));
                    if lo > p.end {
                        continue;
                    }
                    for _ in 0..rule.min {
                        if profile == LifeProfile::Irregular && rng.gen_bool(0.25) {
                            continue;
                        }
                        let day = fixed.get(t.code.as_str()).copied().unwrap_or(10);
                        let anchor = anchors.get("life_meeting").copied();
                        let mut date = self.date_for(&t.code, &p, day, anchor, rng);
                        if date < lo {
                            date = lo + Duration::days(rng.gen_range(0..=(p.end - lo).num_days()));
                        }
                        anchors.insert(t.code.as_str(), date);
                        plans.push(Plan {
                            types: vec![t.code.as_str()],
                            date,
                            open: p.end >= self.today,
                            period: p,
                            no_quorum: false,
                            reheld: false,
                            joint: false,
                        });
                    }
                }
            }
        }

        // 支部党员大会 without a quorum (re-held within the quarter by regular branches), and a
        // few held together with the month's 主题党日
        let mut extra = Vec::new();
        for pl in plans.iter_mut().filter(|p| p.types == ["branch_assembly"]) {
            let closed = !pl.open;
            if profile == LifeProfile::Regular && closed && rng.gen_bool(0.02) {
                let end = pl.period.end.min(self.today);
                let mut first = pl.date;
                let mut second = first + Duration::days(rng.gen_range(7..=14));
                if second > end {
                    second = end;
                    first = clamp(second - Duration::days(rng.gen_range(7..=14)), pl.period.start, second);
                }
                pl.date = first;
                pl.no_quorum = true;
                extra.push(Plan { date: second, no_quorum: false, reheld: true, ..pl.clone() });
            } else if profile == LifeProfile::Irregular && rng.gen_bool(0.12) {
                pl.no_quorum = true;
            } else if o.kind.is_branch() && rng.gen_bool(0.05) {
                pl.joint = true;
            }
        }
        plans.extend(extra);
        let joint: Vec<usize> = (0..plans.len()).filter(|&i| plans[i].joint).collect();
        let mut drop = Vec::new();
        for i in joint {
            let (y, m) = (plans[i].date.year(), plans[i].date.month());
            let theme = (0..plans.len())
                .find(|&j| plans[j].types == ["theme_day"] && plans[j].date.year() == y && plans[j].date.month() == m);
            if let Some(j) = theme {
                plans[j].types = vec!["branch_assembly", "theme_day"];
                plans[j].open = plans[j].open && plans[i].open;
                drop.push(i);
            } else {
                plans[i].joint = false;
            }
        }
        drop.sort_unstable();
        for i in drop.into_iter().rev() {
            plans.remove(i);
        }

        if profile == LifeProfile::Silent {
            let cutoff = self.today - Duration::days(rng.gen_range(60..=90));
            plans.retain(|p| p.date <= cutoff);
        } else if o.kind.is_branch() {
            // a branch that keeps its life has met within the last weeks: its 主题党日 (or
            // 支委会) of the running month is held by now
            let recent = self.today - Duration::days((self.silent_days * 2 / 3).max(1));
            if !plans.iter().any(|p| p.date <= self.today && p.date >= recent) {
                let this_month = |p: &Plan, code: &str| p.period.contains(self.today) && p.types.contains(&code);
                let pick = plans
                    .iter()
                    .position(|p| this_month(p, "theme_day"))
                    .or_else(|| plans.iter().position(|p| this_month(p, "committee_meeting")));
                if let Some(i) = pick {
                    let p = &mut plans[i];
                    p.date = clamp(self.today - Duration::days(rng.gen_range(0..=6)), p.period.start, self.today);
                }
            }
        }
        plans.retain(|p| p.date <= self.today);
        plans.sort_by_key(|p| (p.date, p.reheld));
        plans
    }
}
