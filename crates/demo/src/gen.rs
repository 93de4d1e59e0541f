//! The organization generator: townships, villages and communities, and the organs, public
//! institutions, schools, state and non-public enterprises and social organizations of a county,
//! a city or the province, with terms, facilities, funds and planned members.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate};
use domain::dates::add_years;
use domain::org::{Facility, FacilityKind, FacilityStatus, FormedBy, OrgInput, OrgKind, Sector};
use domain::rules::default_term_years;
use rand::seq::index::sample;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::data::{self, cn_num};
use crate::people::{self, Kind, Mix, Namer};
use crate::plan::{CountyPlan, TownKind, TownPlan, VillagePlan};
use crate::tree::{Hold, Role, Tree};
use crate::Scale;

/// Thresholds the structural rules use (RULES ORG-06, ORG-07): organizations are sized above them
/// unless a deliberate finding is wanted.
const COMMITTEE_MIN: u32 = 105;
const GENERAL_BRANCH_MIN: u32 = 52;

/// How many units of each sector a county, city or province has.
#[derive(Debug, Clone)]
pub struct Units {
    pub depts: (usize, usize),
    pub dept_multi: f64,
    pub dept_branches: (u32, u32),
    pub retired: (u32, u32),
    pub institutions: (usize, usize),
    pub hospital_branches: (usize, usize),
    pub schools: (usize, usize),
    pub colleges: (usize, usize),
    pub soe: (usize, usize),
    pub nonpublic: (usize, usize),
    pub social: (usize, usize),
}

/// The knobs of a scale.
#[derive(Debug, Clone)]
pub struct Profile {
    pub village_gb: f64,
    pub village_committee: f64,
    pub gb_branches: (u32, u32),
    pub committee_branches: (u32, u32),
    pub town_institutions: (usize, usize),
    pub town_schools: (usize, usize),
    pub town_joint: f64,
    pub party_groups: f64,
    pub size_scale: f64,
    pub overdue: f64,
    pub county: Units,
    pub city: Units,
    pub province: Units,
}

impl Profile {
    pub fn for_scale(scale: Scale) -> Profile {
        let city = Units {
            depts: (24, 30),
            dept_multi: 0.15,
            dept_branches: (2, 6),
            retired: (2, 2),
            institutions: (4, 6),
            hospital_branches: (4, 6),
            schools: (4, 6),
            colleges: (1, 1),
            soe: (3, 5),
            nonpublic: (6, 10),
            social: (3, 5),
        };
        let province = Units { depts: (30, 36), colleges: (3, 4), nonpublic: (10, 14), ..city.clone() };
        match scale {
            Scale::District | Scale::City => Profile {
                village_gb: 0.055,
                village_committee: 0.015,
                gb_branches: (2, 4),
                committee_branches: (3, 5),
                town_institutions: (0, 0),
                town_schools: (0, 0),
                town_joint: 0.25,
                party_groups: 0.15,
                size_scale: 1.0,
                overdue: 0.03,
                county: Units {
                    depts: (12, 17),
                    dept_multi: 0.1,
                    dept_branches: (2, 4),
                    retired: (1, 1),
                    institutions: (2, 4),
                    hospital_branches: (3, 5),
                    schools: (5, 8),
                    colleges: (0, 0),
                    soe: (1, 3),
                    nonpublic: (5, 9),
                    social: (3, 5),
                },
                city,
                province,
            },
            Scale::Province => Profile {
                village_gb: 0.4,
                village_committee: 0.25,
                gb_branches: (2, 5),
                committee_branches: (4, 8),
                town_institutions: (5, 9),
                town_schools: (4, 8),
                town_joint: 0.9,
                party_groups: 0.2,
                size_scale: 1.42,
                overdue: 0.03,
                county: Units {
                    depts: (45, 50),
                    dept_multi: 0.8,
                    dept_branches: (4, 10),
                    retired: (3, 6),
                    institutions: (25, 30),
                    hospital_branches: (6, 9),
                    schools: (90, 130),
                    colleges: (0, 0),
                    soe: (18, 25),
                    nonpublic: (700, 800),
                    social: (180, 240),
                },
                city,
                province,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Province,
    City,
    County,
}

/// Where the generator is working.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// 湄潭县 / 遵义市 / 贵州省 (short forms of autonomous names: 道真县, 黔东南州).
    pub place: String,
    /// 贵州省遵义市湄潭县.
    pub full: String,
    pub region: &'static str,
    /// County code for members' ID numbers.
    pub seat: &'static str,
    pub pref: &'static str,
    pub mix: Arc<Mix>,
    pub level: Level,
}

/// The short form of a division name: 道真仡佬族苗族自治县 → 道真县, 黔东南苗族侗族自治州 → 黔东南州.
pub fn short_place(name: &str) -> String {
    for (suffix, short) in [("自治县", "县"), ("自治州", "州")] {
        if name.ends_with(suffix) {
            let first = domain::member::ETHNICITIES.iter().filter_map(|e| name.find(e)).min().unwrap_or(0);
            if first > 0 {
                return format!("{}{short}", &name[..first]);
            }
        }
    }
    name.to_string()
}

fn pick<'a>(rng: &mut ChaCha8Rng, v: &[&'a str]) -> &'a str {
    v[rng.gen_range(0..v.len())]
}

fn range(rng: &mut ChaCha8Rng, r: (usize, usize)) -> usize {
    if r.1 <= r.0 {
        r.0
    } else {
        rng.gen_range(r.0..=r.1)
    }
}

fn range32(rng: &mut ChaCha8Rng, r: (u32, u32)) -> u32 {
    if r.1 <= r.0 {
        r.0
    } else {
        rng.gen_range(r.0..=r.1)
    }
}

/// A year from `from` to `to` (just `to` when the range is empty: data generated for an early date).
fn years_from(rng: &mut ChaCha8Rng, from: i32, to: i32) -> i32 {
    if from >= to {
        to
    } else {
        rng.gen_range(from..=to)
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid constant date")
}

pub struct Gen<'a> {
    pub rng: ChaCha8Rng,
    pub today: NaiveDate,
    pub p: &'a Profile,
    pub namer: &'a Namer,
    pub tree: Tree,
    pub ctx: Ctx,
    /// Communities of this county (township + community name), for members' residence.
    pub communities: Vec<String>,
    no_committee: HashSet<usize>,
}

impl<'a> Gen<'a> {
    pub fn new(rng: ChaCha8Rng, today: NaiveDate, p: &'a Profile, namer: &'a Namer, tree: Tree, ctx: Ctx) -> Self {
        Gen { rng, today, p, namer, tree, ctx, communities: Vec::new(), no_committee: HashSet::new() }
    }

    fn unique(&mut self, parent: Option<usize>, name: String) -> String {
        if !self.tree.name_taken(parent, &name) {
            return name;
        }
        (2..).map(|k| format!("{name}（{}）", cn_num(k))).find(|n| !self.tree.name_taken(parent, n)).unwrap_or(name)
    }

    fn founded_floor(&self, kind: OrgKind, sector: Sector, role: Role) -> NaiveDate {
        match (role, sector) {
            (Role::Township, Sector::Community) | (Role::Village, Sector::Community) => ymd(1984, 1, 1),
            (Role::Township, _) | (Role::Village, _) => ymd(1950, 3, 1),
            _ => match sector {
                Sector::Organs | Sector::Other => ymd(1950, 1, 1),
                Sector::PublicInstitution => ymd(1956, 1, 1),
                Sector::School => ymd(1952, 9, 1),
                Sector::StateEnterprise => ymd(1990, 1, 1),
                Sector::PrivateEnterprise if kind.is_committee() => ymd(2002, 1, 1),
                Sector::PrivateEnterprise => ymd(2005, 1, 1),
                Sector::SocialOrganization => ymd(2008, 1, 1),
                Sector::Rural => ymd(1950, 3, 1),
                Sector::Community => ymd(1984, 1, 1),
            },
        }
    }

    /// Set the term ending on `end` (start, number and founding date follow).
    fn set_term(&mut self, idx: usize, end: NaiveDate) {
        let o = &self.tree.nodes[idx].org;
        let (kind, sector) = (o.kind.unwrap_or(OrgKind::Branch), o.sector.unwrap_or(Sector::Other));
        let years = default_term_years(kind, sector);
        let start = add_years(end, -years);
        let founded = o.founded_on.map(|f| f.min(start)).unwrap_or(start);
        let number = 1 + ((start - founded).num_days() as f64 / (years as f64 * 365.25)).floor() as i32;
        let o = &mut self.tree.nodes[idx].org;
        o.term_start = Some(start);
        o.term_end = Some(end);
        o.term_number = Some(number.clamp(1, 30));
        o.founded_on = Some(founded);
    }

    fn road_address(&mut self) -> String {
        let road = pick(&mut self.rng, data::ROADS);
        let n = self.rng.gen_range(1..300);
        format!("{}{road}{n}号", self.ctx.full)
    }

    /// Add an organization with a term, a founding date, a secretary and contacts.
    fn org(&mut self, parent: Option<usize>, name: String, kind: OrgKind, sector: Sector, role: Role) -> usize {
        let name = self.unique(parent, name);
        let today = self.today;
        let years = default_term_years(kind, sector);
        let end = if kind.is_grassroots() && self.rng.gen_bool(self.p.overdue) {
            today - Duration::days(self.rng.gen_range(1..=540))
        } else {
            today + Duration::days(self.rng.gen_range(0..(years as i64 * 365)))
        };
        // not before the parent organization
        let parent_founded = parent.and_then(|p| self.tree.nodes[p].org.founded_on);
        let floor = self.founded_floor(kind, sector, role).max(parent_founded.unwrap_or(NaiveDate::MIN));
        let start = add_years(end, -years);
        let founded = if kind == OrgKind::LocalCommittee {
            ymd(1949, 11, 1) + Duration::days(self.rng.gen_range(0..240))
        } else if floor >= start {
            start
        } else {
            let span = (start - floor).num_days().min(365 * 60);
            start - Duration::days(self.rng.gen_range(0..=span))
        };
        let secretary = self.namer.person(&mut self.rng, today, 0.18, (38, 58));
        let contact_phone = people::landline(&mut self.rng);
        let address = self.road_address();
        let input = OrgInput {
            name,
            short_name: None,
            kind: Some(kind),
            sector: Some(sector),
            region_code: Some(self.ctx.region.to_string()),
            formed_by: Some(FormedBy::Single),
            founded_on: Some(founded),
            has_committee: false,
            term_number: None,
            term_start: None,
            term_end: None,
            secretary: Some(secretary.name),
            contact_phone: Some(contact_phone),
            address: Some(address),
            annual_funds: None,
            facilities: vec![],
            version: None,
        };
        let idx = self.tree.add(parent, input, role);
        self.set_term(idx, end);
        idx
    }

    /// A 地方党委 (the root, a prefecture or a county) with its own region code.
    pub fn local(&mut self, parent: Option<usize>, name: String, short: String, region: &'static str) -> usize {
        let i = self.org(parent, name, OrgKind::LocalCommittee, Sector::Other, Role::Local);
        let o = &mut self.tree.nodes[i].org;
        o.region_code = Some(region.to_string());
        o.short_name = Some(short);
        i
    }

    fn size(&mut self, kind: Kind) -> u32 {
        let m = kind.mean_size() * self.p.size_scale;
        let x = m * (0.55 + 0.45 * (self.rng.gen::<f64>() + self.rng.gen::<f64>()));
        (x.round() as u32).clamp(4, 48)
    }

    fn probationary(&mut self, n: u32) -> u32 {
        let p = (0..n).filter(|_| self.rng.gen_bool(0.03)).count() as u32;
        p.min(n.saturating_sub(3))
    }

    fn new_hold(&mut self, kind: Kind, n: u32, unit: Option<String>, community: Option<String>) -> Hold {
        let probationary = self.probationary(n);
        Hold {
            n,
            probationary,
            kind,
            region: self.ctx.seat,
            pref: self.ctx.pref,
            mix: self.ctx.mix.clone(),
            unit,
            community,
            secretary: None,
            committee: false,
            group: false,
        }
    }

    /// Plan the members of a branch: a secretary (its first member, also named on the branch),
    /// and, in some larger branches, 党小组 sharing the members.
    fn hold(&mut self, idx: usize, kind: Kind, unit: Option<String>, community: Option<String>) {
        let n = self.size(kind);
        let mut h = self.new_hold(kind, n, unit, community);
        let ages = match kind {
            Kind::Student => (30, 50),
            Kind::Retired | Kind::CommunityRetired | Kind::RuralElder => (62, 75),
            Kind::Private | Kind::Social => (28, 55),
            _ => (32, 58),
        };
        let sec = self.namer.person(&mut self.rng, self.today, 0.22, ages);
        let o = &mut self.tree.nodes[idx].org;
        o.secretary = Some(sec.name.clone());
        o.contact_phone = Some(sec.phone.clone());
        h.secretary = Some(sec);
        if n >= 16 && self.rng.gen_bool(self.p.party_groups) {
            let groups = self.rng.gen_range(2..=(n / 6).clamp(2, 4));
            let keep = 3;
            let rest = n - keep;
            let mut prob = h.probationary;
            h.n = keep;
            h.probationary = 0;
            for g in 0..groups {
                let gn = rest / groups + u32::from(g < rest % groups);
                let gp = prob.min(gn.saturating_sub(2)).min(1 + prob / groups);
                prob -= gp;
                let leader = self.namer.person(&mut self.rng, self.today, 0.3, (30, 60));
                let mut gh = h.clone();
                gh.secretary = Some(leader.clone());
                gh.n = gn;
                gh.probationary = gp;
                gh.group = true;
                let name = format!("第{}党小组", cn_num(g + 1));
                let sector = self.tree.nodes[idx].org.sector;
                let region = self.tree.nodes[idx].org.region_code.clone();
                let gi = self.tree.add(
                    Some(idx),
                    OrgInput {
                        name,
                        kind: Some(OrgKind::PartyGroup),
                        sector,
                        region_code: region,
                        formed_by: Some(FormedBy::Single),
                        contact_phone: Some(leader.phone),
                        secretary: Some(leader.name),
                        ..Default::default()
                    },
                    Role::Other,
                );
                self.tree.nodes[gi].hold = Some(gh);
            }
            h.probationary = prob.min(1);
        }
        self.tree.nodes[idx].hold = Some(h);
    }

    fn branch(&mut self, parent: usize, name: String, sector: Sector, kind: Kind, unit: Option<String>) -> usize {
        let b = self.org(Some(parent), name, OrgKind::Branch, sector, Role::Other);
        self.hold(b, kind, unit, None);
        b
    }

    /// Grow the planned members of a subtree to at least `min` (committees ≥ 100, general
    /// branches ≥ 50 members).
    fn ensure_min(&mut self, idx: usize, min: u32) {
        let holds: Vec<usize> = self
            .tree
            .subtree(idx)
            .into_iter()
            .filter(|i| self.tree.nodes[*i].hold.as_ref().is_some_and(|h| !h.group))
            .collect();
        let mut total = self.tree.planned(idx).0;
        while total < min {
            let Some(&i) = holds
                .iter()
                .filter(|i| self.tree.nodes[**i].hold.as_ref().is_some_and(|h| h.n + self.group_members(**i) < 45))
                .min_by_key(|i| self.tree.nodes[**i].hold.as_ref().map(|h| h.n).unwrap_or(0))
            else {
                break;
            };
            if let Some(h) = self.tree.nodes[i].hold.as_mut() {
                h.n += 1;
            }
            total += 1;
        }
    }

    fn group_members(&self, idx: usize) -> u32 {
        self.tree.nodes[idx].children.iter().filter_map(|c| self.tree.nodes[*c].hold.as_ref()).map(|h| h.n).sum()
    }

    /// A general branch or committee with `k` branches named by `names`.
    fn with_branches(
        &mut self,
        parent: Option<usize>,
        name: String,
        kind: OrgKind,
        sector: Sector,
        branches: Vec<(String, Kind)>,
        unit: Option<String>,
    ) -> usize {
        let o = self.org(parent, name, kind, sector, Role::Other);
        for (bn, k) in branches {
            self.branch(o, bn, sector, k, unit.clone());
        }
        self.ensure_min(o, if kind == OrgKind::GeneralBranch { GENERAL_BRANCH_MIN } else { COMMITTEE_MIN });
        o
    }

    fn numbered(prefix: &str, k: u32, suffix: &str, kind: Kind) -> Vec<(String, Kind)> {
        (1..=k).map(|j| (format!("{prefix}第{}{suffix}", cn_num(j)), kind)).collect()
    }

    // ----- townships, villages, communities -----

    pub fn county(&mut self, plan: &CountyPlan) {
        for t in &plan.towns {
            self.township(t);
        }
        self.local_units(None);
        self.anomalies();
        self.finalize();
    }

    fn township(&mut self, t: &TownPlan) {
        let street = t.kind == TownKind::Street;
        let (name, kind, sector, short) = if street {
            (
                format!("中共{}工作委员会", t.name),
                OrgKind::WorkingCommittee,
                Sector::Community,
                format!("{}党工委", t.name),
            )
        } else {
            (format!("中共{}委员会", t.name), OrgKind::Committee, Sector::Rural, format!("{}党委", t.name))
        };
        let ti = self.org(None, name, kind, sector, Role::Township);
        let year = self.today.year();
        let center = if t.center_built {
            Facility {
                kind: FacilityKind::ServiceCenter,
                status: FacilityStatus::Built,
                year: Some(years_from(&mut self.rng, 2009, year)),
            }
        } else {
            Facility { kind: FacilityKind::ServiceCenter, status: FacilityStatus::Planned, year: Some(year + 1) }
        };
        let venue = Facility {
            kind: FacilityKind::ActivityVenue,
            status: FacilityStatus::Built,
            year: Some(years_from(&mut self.rng, 2005, year)),
        };
        let address =
            format!("{}{}{}{}号", self.ctx.full, t.name, pick(&mut self.rng, data::ROADS), self.rng.gen_range(1..120));
        {
            let o = &mut self.tree.nodes[ti].org;
            o.short_name = Some(short);
            o.facilities = vec![center, venue];
            o.address = Some(address);
        }
        let gov = if street { format!("{}办事处", t.name) } else { format!("{}人民政府", t.name) };
        let b = self.org(Some(ti), format!("{}机关党支部", t.name), OrgKind::Branch, Sector::Organs, Role::Other);
        self.hold(b, Kind::Official, Some(gov), None);

        let stem = t.name.strip_suffix('镇').filter(|s| s.chars().count() <= 3 && !s.contains('族'));
        let mut used = HashSet::new();
        let mut village_names = Vec::new();
        for (i, v) in t.villages.iter().enumerate() {
            let s = if i == 0 { stem } else { None };
            let vn = self.village(ti, t, v, s, &mut used);
            if !v.community {
                village_names.push(vn);
            }
        }
        let k = range(&mut self.rng, self.p.town_institutions);
        let picks =
            sample(&mut self.rng, data::TOWN_INSTITUTIONS.len(), k.min(data::TOWN_INSTITUTIONS.len())).into_vec();
        let mut picks = picks;
        picks.sort_unstable();
        for i in picks {
            let inst = data::TOWN_INSTITUTIONS[i].replace("{t}", &t.name);
            self.branch(ti, format!("{inst}党支部"), Sector::PublicInstitution, Kind::Institution, Some(inst));
        }
        let k = range(&mut self.rng, self.p.town_schools);
        let mut schools =
            vec![format!("{}中学", t.name), format!("{}中心小学", t.name), format!("{}中心幼儿园", t.name)];
        schools.extend(village_names.iter().map(|v| format!("{}{}小学", t.name, v.trim_end_matches('村'))));
        for s in schools.into_iter().take(k) {
            self.branch(ti, format!("{s}党支部"), Sector::School, Kind::Teacher, Some(s));
        }
        if self.rng.gen_bool(self.p.town_joint) {
            let b = self.org(
                Some(ti),
                format!("{}非公企业联合党支部", t.name),
                OrgKind::JointBranch,
                Sector::PrivateEnterprise,
                Role::Other,
            );
            self.tree.nodes[b].org.formed_by = Some(FormedBy::Joint);
            self.hold(b, Kind::Private, None, None);
        }
    }

    fn village_name(&mut self, community: bool, stem: Option<&str>, used: &mut HashSet<String>) -> String {
        if let Some(s) = stem.filter(|_| community) {
            let n = format!("{s}社区");
            if used.insert(n.clone()) {
                return n;
            }
        }
        for _ in 0..500 {
            let rng = &mut self.rng;
            let n = if community {
                if rng.gen_bool(0.6) {
                    format!("{}社区", pick(rng, data::COMMUNITY_NAMES))
                } else {
                    format!("{}{}社区", pick(rng, data::PLACE_FIRST), pick(rng, data::COMMUNITY_SUFFIX))
                }
            } else if rng.gen_bool(0.15) {
                format!("{}家{}村", pick(rng, data::PLACE_CLAN), pick(rng, data::PLACE_SECOND))
            } else {
                format!("{}{}村", pick(rng, data::PLACE_FIRST), pick(rng, data::PLACE_SECOND))
            };
            if used.insert(n.clone()) {
                return n;
            }
        }
        let n = format!("第{}{}", cn_num(used.len() as u32 + 1), if community { "社区" } else { "村" });
        used.insert(n.clone());
        n
    }

    fn village(
        &mut self,
        ti: usize,
        t: &TownPlan,
        v: &VillagePlan,
        stem: Option<&str>,
        used: &mut HashSet<String>,
    ) -> String {
        let vname = self.village_name(v.community, stem, used);
        let sector = if v.community { Sector::Community } else { Sector::Rural };
        let r: f64 = self.rng.gen();
        let kind = if r < self.p.village_committee {
            OrgKind::Committee
        } else if r < self.p.village_committee + self.p.village_gb {
            OrgKind::GeneralBranch
        } else {
            OrgKind::Branch
        };
        let name = match kind {
            OrgKind::Committee => format!("中共{vname}委员会"),
            OrgKind::GeneralBranch => format!("{vname}党总支"),
            _ => format!("{vname}党支部"),
        };
        let o = self.org(Some(ti), name, kind, sector, Role::Village);
        let year = self.today.year();
        let rng = &mut self.rng;
        let mut fac = Vec::new();
        if v.station_built {
            fac.push(Facility {
                kind: FacilityKind::ServiceStation,
                status: FacilityStatus::Built,
                year: Some(years_from(rng, 2009, year)),
            });
        } else if rng.gen_bool(0.7) {
            fac.push(Facility {
                kind: FacilityKind::ServiceStation,
                status: FacilityStatus::Planned,
                year: Some(year + rng.gen_range(1..=2)),
            });
        }
        if rng.gen_bool(0.92) {
            fac.push(Facility {
                kind: FacilityKind::ActivityVenue,
                status: FacilityStatus::Built,
                year: Some(years_from(rng, 1995, year)),
            });
        } else {
            fac.push(Facility {
                kind: FacilityKind::ActivityVenue,
                status: FacilityStatus::Planned,
                year: Some(year + 1),
            });
        }
        if rng.gen_bool(if v.community { 0.35 } else { 0.45 }) {
            fac.push(Facility {
                kind: FacilityKind::RemoteEducation,
                status: FacilityStatus::Built,
                year: Some(years_from(rng, 2008, year.min(2016))),
            });
        }
        if v.community && rng.gen_bool(0.3) {
            fac.push(Facility {
                kind: FacilityKind::LivelihoodStation,
                status: FacilityStatus::Built,
                year: Some(years_from(rng, 2012, year)),
            });
        }
        // speech 002: villages ≥ 7000 yuan a year, communities ≥ 10000
        let funds = if v.community {
            if rng.gen_bool(0.85) {
                rng.gen_range(100..=600) * 100
            } else {
                rng.gen_range(50..100) * 100
            }
        } else if rng.gen_bool(0.88) {
            rng.gen_range(70..=300) * 100
        } else {
            rng.gen_range(30..70) * 100
        };
        {
            let full = format!("{}{}{vname}", self.ctx.full, t.name);
            let n = &mut self.tree.nodes[o].org;
            n.facilities = fac;
            n.annual_funds = Some(funds);
            n.address = Some(full);
        }
        let community = v.community.then(|| format!("{}{vname}", t.name));
        if let Some(c) = &community {
            self.communities.push(c.clone());
        }
        let base = if v.community { Kind::Community } else { Kind::Rural };
        if kind == OrgKind::Branch {
            self.hold(o, base, None, community);
        } else {
            let k = if kind == OrgKind::Committee {
                range32(&mut self.rng, self.p.committee_branches)
            } else {
                range32(&mut self.rng, self.p.gb_branches)
            };
            let specials: &[(&str, Kind, f64)] = if v.community {
                &[("离退休党员党支部", Kind::CommunityRetired, 0.4)]
            } else {
                &[
                    ("流动党员党支部", Kind::RuralMobile, 0.3),
                    ("产业党支部", Kind::Rural, 0.3),
                    ("老党员党支部", Kind::RuralElder, 0.2),
                ]
            };
            let mut named: Vec<(String, Kind)> = Vec::new();
            for (s, sk, p) in specials {
                if (named.len() as u32) < k - 1 && self.rng.gen_bool(*p) {
                    named.push((format!("{vname}{s}"), *sk));
                }
            }
            let plain = k - named.len() as u32;
            let suffix = if v.community { "网格党支部" } else { "党支部" };
            let mut all = Self::numbered(&vname, plain, suffix, base);
            all.extend(named);
            for (bn, bk) in all {
                let b = self.org(Some(o), bn, OrgKind::Branch, sector, Role::Other);
                self.hold(b, bk, None, community.clone());
            }
            self.ensure_min(o, if kind == OrgKind::GeneralBranch { GENERAL_BRANCH_MIN } else { COMMITTEE_MIN });
        }
        vname
    }

    // ----- organs, institutions, schools, enterprises, social organizations -----

    fn units(&self) -> Units {
        match self.ctx.level {
            Level::County => self.p.county.clone(),
            Level::City => self.p.city.clone(),
            Level::Province => self.p.province.clone(),
        }
    }

    /// Pick `n` items of a list, keeping the list's order.
    fn choose(&mut self, len: usize, n: usize) -> Vec<usize> {
        let mut v = sample(&mut self.rng, len, n.min(len)).into_vec();
        v.sort_unstable();
        v
    }

    /// The organs, institutions, schools, enterprises and social organizations of the current
    /// place, under `parent` (None: the base of a county subtree).
    pub fn local_units(&mut self, parent: Option<usize>) {
        let u = self.units();
        let place = self.ctx.place.clone();
        let level = self.ctx.level;

        // 机关: the organs working committee and a branch (or more) per department
        let wc = self.org(
            parent,
            format!("中共{place}直属机关工作委员会"),
            OrgKind::WorkingCommittee,
            Sector::Organs,
            Role::Other,
        );
        self.tree.nodes[wc].org.short_name = Some(format!("{place}直属机关工委"));
        let list = if level == Level::Province { data::PROVINCE_DEPARTMENTS } else { data::DEPARTMENTS };
        let n = range(&mut self.rng, u.depts);
        for i in self.choose(list.len(), n) {
            let dept = list[i].replace("{p}", &place);
            if self.rng.gen_bool(u.dept_multi) {
                let k = range32(&mut self.rng, u.dept_branches);
                let mut branches = Self::numbered(&format!("{dept}机关"), k, "党支部", Kind::Official);
                if self.rng.gen_bool(0.4) {
                    branches.push((format!("{dept}离退休干部党支部"), Kind::Retired));
                }
                let (name, kind) = if k >= 4 {
                    (format!("中共{}机关委员会", dept.trim_start_matches("中共")), OrgKind::OrgansCommittee)
                } else {
                    (format!("{dept}机关党总支"), OrgKind::GeneralBranch)
                };
                self.with_branches(Some(wc), name, kind, Sector::Organs, branches, Some(dept));
            } else {
                self.branch(wc, format!("{dept}机关党支部"), Sector::Organs, Kind::Official, Some(dept));
            }
        }
        for j in 1..=range32(&mut self.rng, u.retired) {
            self.branch(wc, format!("{place}机关离退休干部第{}党支部", cn_num(j)), Sector::Organs, Kind::Retired, None);
        }

        // 事业单位: the people's hospital as a committee, the TCM hospital as a general branch
        let n = range(&mut self.rng, u.institutions);
        let mut picks = vec![0, 1];
        picks.extend(self.choose(data::INSTITUTIONS.len() - 2, n.saturating_sub(2)).into_iter().map(|i| i + 2));
        for i in picks.into_iter().take(n) {
            let inst = data::INSTITUTIONS[i].replace("{p}", &place);
            match i {
                0 => {
                    let k = range(&mut self.rng, u.hospital_branches);
                    let mut branches: Vec<(String, Kind)> = self
                        .choose(data::HOSPITAL_BRANCHES.len(), k)
                        .into_iter()
                        .map(|j| (format!("{inst}{}党支部", data::HOSPITAL_BRANCHES[j]), Kind::Institution))
                        .collect();
                    if self.rng.gen_bool(0.5) {
                        branches.push((format!("{inst}离退休党支部"), Kind::Retired));
                    }
                    self.with_branches(
                        parent,
                        format!("中共{inst}委员会"),
                        OrgKind::Committee,
                        Sector::PublicInstitution,
                        branches,
                        Some(inst),
                    );
                }
                1 => {
                    let k = self.rng.gen_range(2..=3);
                    let branches = Self::numbered(&inst, k, "党支部", Kind::Institution);
                    self.with_branches(
                        parent,
                        format!("{inst}党总支"),
                        OrgKind::GeneralBranch,
                        Sector::PublicInstitution,
                        branches,
                        Some(inst),
                    );
                }
                _ => {
                    let b = self.org(
                        parent,
                        format!("{inst}党支部"),
                        OrgKind::Branch,
                        Sector::PublicInstitution,
                        Role::Other,
                    );
                    self.hold(b, Kind::Institution, Some(inst), None);
                }
            }
        }

        // 学校: the education system's committee over the schools; universities at city level
        let ec =
            self.org(parent, format!("中共{place}教育系统委员会"), OrgKind::Committee, Sector::School, Role::Other);
        let n = range(&mut self.rng, u.schools);
        let mut fixed = vec![
            format!("{place}民族中学"),
            format!("{place}实验小学"),
            format!("{place}特殊教育学校"),
            format!("{place}中等职业学校"),
        ];
        let mut names = Vec::new();
        let (mut mid, mut pri, mut kin) = (1, 1, 1);
        while names.len() < n {
            let r = names.len() % 4;
            let s = match r {
                0 => {
                    mid += 1;
                    format!("{place}第{}中学", cn_num(mid - 1))
                }
                1 => {
                    pri += 1;
                    format!("{place}第{}小学", cn_num(pri - 1))
                }
                2 if !fixed.is_empty() => fixed.remove(0),
                _ => {
                    kin += 1;
                    format!("{place}第{}幼儿园", cn_num(kin - 1))
                }
            };
            names.push(s);
        }
        for s in names {
            if self.rng.gen_bool(0.2) {
                let k = self.rng.gen_range(2..=3);
                let mut branches = Self::numbered(&format!("{s}教工"), k, "党支部", Kind::Teacher);
                branches.push((format!("{s}离退休教师党支部"), Kind::Retired));
                self.with_branches(
                    Some(ec),
                    format!("{s}党总支"),
                    OrgKind::GeneralBranch,
                    Sector::School,
                    branches,
                    Some(s),
                );
            } else {
                let b = self.org(Some(ec), format!("{s}党支部"), OrgKind::Branch, Sector::School, Role::Other);
                self.hold(b, Kind::Teacher, Some(s), None);
            }
        }
        self.ensure_min(ec, COMMITTEE_MIN);
        let colleges: Vec<String> = match level {
            Level::County => vec![],
            Level::City => {
                let c = place.trim_end_matches(['市', '州']).to_string();
                data::CITY_COLLEGES.iter().map(|x| x.replace("{c}", &c)).collect()
            }
            Level::Province => data::PROVINCE_COLLEGES.iter().map(|x| x.to_string()).collect(),
        };
        let n = range(&mut self.rng, u.colleges);
        for college in colleges.into_iter().take(n) {
            let c = self.org(parent, format!("中共{college}委员会"), OrgKind::Committee, Sector::School, Role::Other);
            let k = self.rng.gen_range(3..=4);
            for j in self.choose(data::COLLEGE_SCHOOLS.len(), k) {
                let school = format!("{college}{}", data::COLLEGE_SCHOOLS[j]);
                let mut branches = vec![(format!("{school}教工党支部"), Kind::Teacher)];
                branches.extend(Self::numbered(
                    &format!("{school}学生"),
                    self.rng.gen_range(1..=2),
                    "党支部",
                    Kind::Student,
                ));
                self.with_branches(
                    Some(c),
                    format!("{school}党总支"),
                    OrgKind::GeneralBranch,
                    Sector::School,
                    branches,
                    Some(college.clone()),
                );
            }
            self.branch(c, format!("{college}机关党支部"), Sector::School, Kind::Institution, Some(college.clone()));
            self.ensure_min(c, COMMITTEE_MIN);
        }

        // 国有企业
        let n = range(&mut self.rng, u.soe);
        for (k, i) in self.choose(data::STATE_ENTERPRISES.len(), n).into_iter().enumerate() {
            let soe = data::STATE_ENTERPRISES[i].replace("{p}", &place);
            let r: f64 = self.rng.gen();
            if k == 0 && (level != Level::County || r < 0.3) {
                let mut branches = vec![(format!("{soe}机关党支部"), Kind::StateEmployee)];
                branches.extend(Self::numbered(&soe, self.rng.gen_range(3..=4), "党支部", Kind::StateEmployee));
                self.with_branches(
                    parent,
                    format!("中共{soe}委员会"),
                    OrgKind::Committee,
                    Sector::StateEnterprise,
                    branches,
                    Some(soe),
                );
            } else if r < 0.25 {
                let branches = Self::numbered(&soe, self.rng.gen_range(2..=3), "党支部", Kind::StateEmployee);
                self.with_branches(
                    parent,
                    format!("{soe}党总支"),
                    OrgKind::GeneralBranch,
                    Sector::StateEnterprise,
                    branches,
                    Some(soe),
                );
            } else {
                let b = self.org(parent, format!("{soe}党支部"), OrgKind::Branch, Sector::StateEnterprise, Role::Other);
                self.hold(b, Kind::StateEmployee, Some(soe), None);
            }
        }

        // 两新: non-public enterprises (单独组建、联合组建、行业统建) and social organizations
        let tw = self.org(
            parent,
            format!("中共{place}非公有制经济组织和社会组织工作委员会"),
            OrgKind::WorkingCommittee,
            Sector::PrivateEnterprise,
            Role::Other,
        );
        self.tree.nodes[tw].org.short_name = Some(format!("{place}两新工委"));
        let seat = place.trim_end_matches(['县', '区', '市', '州', '省']).to_string();
        let n = range(&mut self.rng, u.nonpublic);
        let mut industries: Vec<usize> = (0..data::INDUSTRY_BRANCHES.len()).collect();
        let mut joint_no = 0;
        for _ in 0..n {
            let r: f64 = self.rng.gen();
            if r < 0.68 || (r >= 0.88 && industries.is_empty()) {
                let company = self.company(tw, &seat);
                let big: f64 = self.rng.gen();
                if big < 0.02 {
                    let branches = Self::numbered(&company, self.rng.gen_range(4..=5), "党支部", Kind::Private);
                    self.with_branches(
                        Some(tw),
                        format!("中共{company}委员会"),
                        OrgKind::Committee,
                        Sector::PrivateEnterprise,
                        branches,
                        Some(company),
                    );
                } else if big < 0.1 {
                    let branches = Self::numbered(&company, self.rng.gen_range(2..=3), "党支部", Kind::Private);
                    self.with_branches(
                        Some(tw),
                        format!("{company}党总支"),
                        OrgKind::GeneralBranch,
                        Sector::PrivateEnterprise,
                        branches,
                        Some(company),
                    );
                } else {
                    self.branch(
                        tw,
                        format!("{company}党支部"),
                        Sector::PrivateEnterprise,
                        Kind::Private,
                        Some(company),
                    );
                }
            } else if r < 0.88 {
                joint_no += 1;
                let area = pick(
                    &mut self.rng,
                    &["经济开发区", "工业园区", "商贸城", "物流园区", "农产品加工园区", "高新技术产业园区", "城区商圈"],
                );
                let b = self.org(
                    Some(tw),
                    format!("{place}{area}非公企业第{}联合党支部", cn_num(joint_no)),
                    OrgKind::JointBranch,
                    Sector::PrivateEnterprise,
                    Role::Other,
                );
                self.tree.nodes[b].org.formed_by = Some(FormedBy::Joint);
                self.hold(b, Kind::Private, None, None);
            } else {
                let i = industries.remove(self.rng.gen_range(0..industries.len()));
                let ind = data::INDUSTRY_BRANCHES[i];
                let b = self.org(
                    Some(tw),
                    format!("{place}{ind}党支部"),
                    OrgKind::Branch,
                    Sector::PrivateEnterprise,
                    Role::Other,
                );
                self.tree.nodes[b].org.formed_by = Some(FormedBy::Industry);
                self.hold(b, Kind::Private, None, None);
            }
        }
        let n = range(&mut self.rng, u.social);
        let mut assoc: Vec<usize> = (0..data::ASSOCIATIONS.len()).collect();
        let mut joint_no = 0;
        for _ in 0..n {
            let r: f64 = self.rng.gen();
            if r < 0.6 && !assoc.is_empty() {
                let a = data::ASSOCIATIONS[assoc.remove(self.rng.gen_range(0..assoc.len()))];
                let unit = format!("{place}{a}");
                self.branch(tw, format!("{unit}党支部"), Sector::SocialOrganization, Kind::Social, Some(unit));
            } else if r < 0.85 {
                let unit =
                    format!("{place}{}{}", pick(&mut self.rng, data::BRANDS), pick(&mut self.rng, data::NONPROFITS));
                self.branch(tw, format!("{unit}党支部"), Sector::SocialOrganization, Kind::Social, Some(unit));
            } else {
                joint_no += 1;
                let b = self.org(
                    Some(tw),
                    format!("{place}社会组织第{}联合党支部", cn_num(joint_no)),
                    OrgKind::JointBranch,
                    Sector::SocialOrganization,
                    Role::Other,
                );
                self.tree.nodes[b].org.formed_by = Some(FormedBy::Joint);
                self.hold(b, Kind::Social, None, None);
            }
        }
    }

    /// A company name not yet used under `parent`.
    fn company(&mut self, parent: usize, seat: &str) -> String {
        for _ in 0..200 {
            let rng = &mut self.rng;
            let prefix = match rng.gen_range(0..3) {
                0 => "贵州",
                1 => self.ctx.place.as_str(),
                _ => seat,
            };
            let brand = pick(rng, data::BRANDS);
            let ind = pick(rng, data::INDUSTRIES);
            let total: u32 = data::COMPANY_SUFFIX.iter().map(|(_, w)| w).sum();
            let mut x = rng.gen_range(0..total);
            let mut suffix = data::COMPANY_SUFFIX[0].0;
            for (s, w) in data::COMPANY_SUFFIX {
                if x < *w {
                    suffix = s;
                    break;
                }
                x -= w;
            }
            let name = format!("{prefix}{brand}{ind}{suffix}");
            if !self.tree.name_taken(Some(parent), &format!("{name}党支部"))
                && !self.tree.name_taken(Some(parent), &format!("{name}党总支"))
                && !self.tree.name_taken(Some(parent), &format!("中共{name}委员会"))
            {
                return name;
            }
        }
        format!("{}{}有限公司", self.ctx.place, cn_num(self.tree.nodes.len() as u32))
    }

    // ----- deliberate findings and final flags -----

    /// Break the structural rules in a few organizations, so the rule checks have something to
    /// find (at least one of each in every county): ORG-01, ORG-02, ORG-05, ORG-06, ORG-07,
    /// TERM-04, TERM-05.
    fn anomalies(&mut self) {
        let n = self.tree.nodes.len();
        let parent_kind = |t: &Tree, i: usize| t.nodes[i].parent.map(|p| (t.nodes[p].kind(), t.nodes[p].role));
        // plain branches whose size does not hold up a general branch's or committee's threshold
        let plain: Vec<usize> = (0..n)
            .filter(|&i| {
                let nd = &self.tree.nodes[i];
                nd.kind().is_branch()
                    && nd.children.is_empty()
                    && nd.hold.is_some()
                    && match parent_kind(&self.tree, i) {
                        None => true,
                        Some((k, role)) => {
                            !(k == OrgKind::GeneralBranch || (k == OrgKind::Committee && role != Role::Township))
                        }
                    }
            })
            .collect();
        let count = |share: f64| ((plain.len() as f64 * share).round() as usize).max(1);
        let picks = sample(&mut self.rng, plain.len(), (count(0.012) + count(0.015) + count(0.008)).min(plain.len()))
            .into_vec();
        let (a, b) = (count(0.012), count(0.012) + count(0.015));
        for (j, &pi) in picks.iter().enumerate() {
            let i = plain[pi];
            let Some(h) = self.tree.nodes[i].hold.as_mut() else { continue };
            if j < a {
                // ORG-01: fewer than 3 full members
                let n = self.rng.gen_range(2..=4);
                h.n = n;
                h.probationary = n - 2;
            } else if j < b {
                // ORG-05: 7 or more full members and no committee
                h.n = h.n.max(9);
                h.probationary = h.probationary.min(h.n - 7);
                self.no_committee.insert(i);
            } else {
                // ORG-02: more than 50 members
                h.n = self.rng.gen_range(51..=68);
            }
        }
        // ORG-06: a committee (not a township's) under 100 members; ORG-07: a general branch under 50
        for (kind, lo, hi) in [(OrgKind::Committee, 60u32, 95u32), (OrgKind::GeneralBranch, 24, 46)] {
            let cands: Vec<usize> = (0..n)
                .filter(|&i| {
                    let nd = &self.tree.nodes[i];
                    nd.kind() == kind
                        && nd.role != Role::Township
                        && nd.parent.is_none_or(|p| {
                            self.tree.nodes[p].kind() != OrgKind::Committee || self.tree.nodes[p].role == Role::Township
                        })
                        && nd.children.iter().all(|c| self.tree.nodes[*c].kind().is_branch())
                        && !nd.children.is_empty()
                })
                .collect();
            if cands.is_empty() {
                continue;
            }
            let target = cands[self.rng.gen_range(0..cands.len())];
            let want = self.rng.gen_range(lo..=hi);
            let kids: Vec<usize> =
                self.tree.subtree(target).into_iter().filter(|i| self.tree.nodes[*i].hold.is_some()).collect();
            let per = (want / kids.len() as u32).max(4);
            for i in kids {
                if let Some(h) = self.tree.nodes[i].hold.as_mut() {
                    let n = if h.group { (per / 3).max(3) } else { per };
                    h.n = n;
                    h.probationary = h.probationary.min(n.saturating_sub(3));
                }
            }
        }
        // TERM-04 and TERM-05: make sure each occurs at least once
        let grassroots: Vec<usize> = (0..n).filter(|&i| self.tree.nodes[i].kind().is_grassroots()).collect();
        if grassroots.is_empty() {
            return;
        }
        let today = self.today;
        let overdue = |t: &Tree, i: usize| t.nodes[i].org.term_end.is_some_and(|e| e < today);
        let soon =
            |t: &Tree, i: usize| t.nodes[i].org.term_end.is_some_and(|e| e >= today && (e - today).num_days() <= 90);
        if !grassroots.iter().any(|&i| overdue(&self.tree, i)) {
            let i = grassroots[self.rng.gen_range(0..grassroots.len())];
            let end = today - Duration::days(self.rng.gen_range(30..=300));
            self.set_term(i, end);
        }
        if !grassroots.iter().any(|&i| soon(&self.tree, i)) {
            let free: Vec<usize> = grassroots.iter().copied().filter(|&i| !overdue(&self.tree, i)).collect();
            if let Some(&i) = free.get(self.rng.gen_range(0..free.len().max(1))) {
                let end = today + Duration::days(self.rng.gen_range(10..=80));
                self.set_term(i, end);
            }
        }
    }

    /// Committees: branches with 7 or more full members have one (except the deliberate ORG-05
    /// cases); general branches and committees always do.
    pub fn finalize(&mut self) {
        for i in 0..self.tree.nodes.len() {
            let kind = self.tree.nodes[i].kind();
            let has = if kind.is_branch() {
                self.tree.planned(i).1 >= 7 && !self.no_committee.contains(&i)
            } else {
                kind != OrgKind::PartyGroup
            };
            self.tree.nodes[i].org.has_committee = has;
            if let Some(h) = self.tree.nodes[i].hold.as_mut() {
                h.committee = has && kind.is_branch();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_places() {
        assert_eq!(short_place("道真仡佬族苗族自治县"), "道真县");
        assert_eq!(short_place("黔东南苗族侗族自治州"), "黔东南州");
        assert_eq!(short_place("湄潭县"), "湄潭县");
    }
}
