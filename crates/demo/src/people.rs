//! People: names, ethnic mixes, ages, education and occupation by sector, and the members
//! themselves with valid, unique ID numbers.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use domain::dates::add_years;
use domain::member::{Category, Education, MemberInput, Occupation, Sex};
use rand::distributions::{Distribution, WeightedIndex};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::data;
use crate::tree::{Hold, Person};

/// The kind of members a branch has: decides ages, education, occupation and flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Rural,
    /// A village's 流动党员 branch: most members work away.
    RuralMobile,
    /// A village's 老党员 branch.
    RuralElder,
    Community,
    CommunityRetired,
    Official,
    Institution,
    Teacher,
    Student,
    StateEmployee,
    Private,
    Social,
    Retired,
}

impl Kind {
    /// Mean branch size for this kind.
    pub fn mean_size(self) -> f64 {
        match self {
            Kind::Rural => 27.0,
            Kind::RuralMobile => 18.0,
            Kind::RuralElder => 20.0,
            Kind::Community => 24.0,
            Kind::CommunityRetired => 26.0,
            Kind::Official => 14.0,
            Kind::Institution => 17.0,
            Kind::Teacher => 17.0,
            Kind::Student => 22.0,
            Kind::StateEmployee => 17.0,
            Kind::Private => 9.0,
            Kind::Social => 8.0,
            Kind::Retired => 24.0,
        }
    }
    fn female_share(self) -> f64 {
        match self {
            Kind::Rural | Kind::RuralMobile => 0.2,
            Kind::RuralElder => 0.12,
            Kind::Community => 0.48,
            Kind::CommunityRetired => 0.42,
            Kind::Official => 0.36,
            Kind::Institution => 0.55,
            Kind::Teacher => 0.6,
            Kind::Student => 0.56,
            Kind::StateEmployee => 0.32,
            Kind::Private => 0.3,
            Kind::Social => 0.42,
            Kind::Retired => 0.3,
        }
    }
}

/// An ethnic mix: ethnicities with weights.
#[derive(Debug, Clone)]
pub struct Mix {
    items: Vec<&'static str>,
    dist: WeightedIndex<u32>,
}

impl Mix {
    /// The mix of a place whose name (and its parents' names) may name ethnic groups: a
    /// 自治县 or 民族乡 has its named groups strongly represented, an autonomous prefecture less so.
    pub fn for_place(local_names: &[&str], wider_names: &[&str]) -> Mix {
        let named = |names: &[&str]| -> Vec<&'static str> {
            let mut v: Vec<&'static str> = Vec::new();
            for e in domain::member::ETHNICITIES.iter().copied().filter(|e| *e != "汉族") {
                if names.iter().any(|n| n.contains(e)) && !v.contains(&e) {
                    v.push(e);
                }
            }
            v
        };
        let local = named(local_names);
        let wider = named(wider_names);
        let mut items: Vec<(&'static str, u32)> = Vec::new();
        let (han, named_share, named_list) = if !local.is_empty() {
            (400, 500, local)
        } else if !wider.is_empty() {
            (450, 430, wider)
        } else {
            (850, 0, vec![])
        };
        items.push(("汉族", han));
        let rest = 1000 - han - named_share;
        for (i, e) in named_list.iter().enumerate() {
            // the first named group is the larger one
            let w =
                if i == 0 { named_share * 6 / 10 } else { named_share * 4 / 10 / (named_list.len() as u32 - 1).max(1) };
            items.push((e, w.max(1)));
        }
        let total: u32 = data::GUIZHOU_MINORITIES.iter().map(|(_, w)| w).sum();
        for (e, w) in data::GUIZHOU_MINORITIES {
            if let Some(it) = items.iter_mut().find(|(x, _)| x == e) {
                it.1 += rest * w / total;
            } else {
                items.push((e, (rest * w / total).max(1)));
            }
        }
        let dist = WeightedIndex::new(items.iter().map(|(_, w)| *w)).expect("positive weights");
        Mix { items: items.into_iter().map(|(e, _)| e).collect(), dist }
    }
    pub fn pick(&self, rng: &mut ChaCha8Rng) -> &'static str {
        self.items[self.dist.sample(rng)]
    }
}

/// Names and phone numbers.
pub struct Namer {
    surnames: WeightedIndex<u32>,
}

impl Default for Namer {
    fn default() -> Self {
        Namer { surnames: WeightedIndex::new(data::SURNAMES.iter().map(|(_, w)| *w)).expect("positive weights") }
    }
}

fn pick<'a>(rng: &mut ChaCha8Rng, v: &[&'a str]) -> &'a str {
    v[rng.gen_range(0..v.len())]
}

impl Namer {
    /// A name fitting the sex and the generation of someone born in `birth_year`.
    pub fn name(&self, rng: &mut ChaCha8Rng, sex: Sex, birth_year: i32) -> String {
        let surname = data::SURNAMES[self.surnames.sample(rng)].0;
        let era = if birth_year < 1965 {
            0
        } else if birth_year < 1985 {
            1
        } else {
            2
        };
        let (mid, last) = match sex {
            Sex::Male => (data::MALE_MID[era], data::MALE_CHARS),
            Sex::Female => (data::FEMALE_MID[era], data::FEMALE_CHARS),
        };
        let single = rng.gen_bool(if era == 2 { 0.4 } else { 0.25 }) && surname.chars().count() == 1;
        if single {
            format!("{surname}{}", pick(rng, last))
        } else {
            loop {
                let (a, b) = (pick(rng, mid), pick(rng, last));
                if a != b {
                    return format!("{surname}{a}{b}");
                }
            }
        }
    }

    pub fn person(&self, rng: &mut ChaCha8Rng, today: NaiveDate, female_share: f64, ages: (i32, i32)) -> Person {
        let sex = if rng.gen_bool(female_share) { Sex::Female } else { Sex::Male };
        let age = rng.gen_range(ages.0..=ages.1);
        Person { name: self.name(rng, sex, today.year() - age), sex, age, phone: mobile(rng) }
    }
}

pub fn mobile(rng: &mut ChaCha8Rng) -> String {
    format!("{}{:08}", pick(rng, data::MOBILE_PREFIX), rng.gen_range(0..100_000_000u32))
}

/// A landline in Guizhou (one area code, 0851, since 2015).
pub fn landline(rng: &mut ChaCha8Rng) -> String {
    format!("0851-{}{:07}", rng.gen_range(2..=8), rng.gen_range(0..10_000_000u32))
}

fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen_range(0..total.max(1));
    for (t, w) in items {
        if x < *w {
            return *t;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

/// Age bands (from, to, weight) of current members by kind.
fn age_bands(kind: Kind) -> &'static [(i32, i32, u32)] {
    match kind {
        Kind::Rural => {
            &[(21, 29, 6), (30, 39, 10), (40, 49, 16), (50, 59, 22), (60, 69, 22), (70, 79, 16), (80, 92, 8)]
        }
        Kind::RuralMobile => &[(21, 29, 25), (30, 39, 35), (40, 49, 28), (50, 58, 12)],
        Kind::RuralElder => &[(60, 69, 35), (70, 79, 40), (80, 93, 25)],
        Kind::Community => {
            &[(22, 29, 8), (30, 39, 14), (40, 49, 16), (50, 59, 18), (60, 69, 20), (70, 79, 16), (80, 92, 8)]
        }
        Kind::CommunityRetired | Kind::Retired => &[(58, 64, 20), (65, 74, 40), (75, 84, 30), (85, 95, 10)],
        Kind::Official => &[(23, 29, 15), (30, 39, 30), (40, 49, 30), (50, 59, 25)],
        Kind::Institution | Kind::Teacher | Kind::StateEmployee => {
            &[(23, 29, 15), (30, 39, 30), (40, 49, 30), (50, 60, 25)]
        }
        Kind::Student => &[(20, 21, 45), (22, 23, 40), (24, 27, 15)],
        Kind::Private => &[(22, 29, 25), (30, 39, 40), (40, 49, 25), (50, 58, 10)],
        Kind::Social => &[(25, 34, 25), (35, 49, 40), (50, 65, 35)],
    }
}

fn age_for(rng: &mut ChaCha8Rng, kind: Kind) -> i32 {
    let bands = age_bands(kind);
    let (a, b, _) = bands[weighted(rng, &bands.iter().enumerate().map(|(i, b)| (i, b.2)).collect::<Vec<_>>())];
    rng.gen_range(a..=b)
}

fn education(rng: &mut ChaCha8Rng, kind: Kind, age: i32) -> Education {
    use Education::*;
    let w: [u32; 6] = match kind {
        Kind::Rural | Kind::RuralElder if age >= 55 => [0, 1, 3, 6, 20, 70],
        Kind::Rural | Kind::RuralMobile | Kind::RuralElder => [0, 10, 16, 15, 25, 34],
        Kind::Community | Kind::CommunityRetired if age >= 55 => [0, 8, 12, 15, 30, 35],
        Kind::Community | Kind::CommunityRetired => [2, 35, 30, 12, 13, 8],
        Kind::Official if age >= 50 => [5, 50, 30, 8, 5, 2],
        Kind::Official => [12, 66, 18, 2, 1, 1],
        Kind::Institution => [12, 55, 23, 8, 2, 0],
        Kind::Teacher => [8, 67, 20, 5, 0, 0],
        Kind::StateEmployee => [5, 40, 30, 15, 8, 2],
        Kind::Private => [2, 28, 32, 18, 15, 5],
        Kind::Social => [3, 40, 32, 12, 10, 3],
        Kind::Student if age >= 23 => [70, 30, 0, 0, 0, 0],
        Kind::Student => [0, 92, 8, 0, 0, 0],
        Kind::Retired => [2, 25, 25, 18, 15, 15],
    };
    let levels = [Postgraduate, Bachelor, College, Secondary, HighSchool, Junior];
    weighted(rng, &levels.iter().copied().zip(w).collect::<Vec<_>>())
}

fn occupation(rng: &mut ChaCha8Rng, kind: Kind, age: i32) -> Occupation {
    use Occupation::*;
    let w: &[(Occupation, u32)] = match kind {
        Kind::Rural if age >= 60 => &[(Retired, 35), (Farmer, 65)],
        Kind::Rural => &[(Farmer, 72), (Worker, 12), (Other, 8), (Manager, 5), (Professional, 3)],
        Kind::RuralMobile => &[(Worker, 60), (Farmer, 15), (Other, 15), (Manager, 5), (Professional, 5)],
        Kind::RuralElder => &[(Farmer, 55), (Retired, 45)],
        Kind::Community if age >= 58 => &[(Retired, 80), (Other, 20)],
        Kind::Community => &[(Other, 30), (Worker, 20), (Manager, 20), (Professional, 20), (Official, 10)],
        Kind::CommunityRetired | Kind::Retired => &[(Retired, 1)],
        Kind::Official => &[(Official, 95), (Worker, 5)],
        Kind::Institution => &[(Professional, 70), (Manager, 20), (Worker, 10)],
        Kind::Teacher => &[(Professional, 88), (Manager, 12)],
        Kind::StateEmployee => &[(Manager, 35), (Professional, 30), (Worker, 35)],
        Kind::Private => &[(Manager, 30), (Professional, 25), (Worker, 45)],
        Kind::Social => &[(Professional, 40), (Manager, 30), (Other, 30)],
        Kind::Student => &[(Student, 1)],
    };
    weighted(rng, w)
}

fn job_post(rng: &mut ChaCha8Rng, kind: Kind) -> Option<&'static str> {
    let posts: &[&str] = match kind {
        Kind::Official => &["科员", "一级科员", "四级主任科员", "副科长", "科长", "办公室主任", "工勤人员"],
        Kind::Institution => &["医生", "护士", "主治医师", "技术员", "工程师", "会计", "编辑", "馆员"],
        Kind::Teacher => &["教师", "班主任", "教研组长", "教务主任", "副校长"],
        Kind::StateEmployee => &["技术员", "工程师", "客户经理", "会计", "部门经理", "班组长"],
        Kind::Private => &["技术员", "销售经理", "车间主任", "财务", "行政主管", "生产主管"],
        Kind::Social => &["会长助理", "秘书长", "社工", "项目主管"],
        Kind::Community => &["社区网格员", "居民", "个体经营者"],
        Kind::Rural | Kind::RuralMobile => &["村民", "村民小组长", "合作社社员", "种植大户"],
        _ => return None,
    };
    rng.gen_bool(0.6).then(|| pick(rng, posts))
}

/// Allocates ID numbers: the 3-digit sequence code is unique per (region, birth date, sex), so
/// numbers never collide across the whole build without keeping them in memory.
pub struct Ids {
    base: NaiveDate,
    days: usize,
    regions: HashMap<&'static str, usize>,
    counters: Vec<u16>,
}

/// Counties of Guizhou and, for members registered before 2016 in 播州区, the code of the former
/// 遵义县 (520321): an ID number keeps the code of its registration (RULES ID-05).
pub const OLD_ZUNYI_COUNTY: &str = "520321";

impl Ids {
    pub fn new(today: NaiveDate) -> Ids {
        let mut codes: Vec<&'static str> = domain::region::all()
            .iter()
            .filter(|d| d.code.starts_with("52") && d.level == domain::region::Level::County)
            .map(|d| d.code)
            .collect();
        codes.push(OLD_ZUNYI_COUNTY);
        let base = add_years(today, -101);
        let days = (today - base).num_days() as usize + 1;
        let regions: HashMap<&'static str, usize> = codes.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        let counters = vec![0u16; regions.len() * days * 2];
        Ids { base, days, regions, counters }
    }

    /// A fresh ID number for someone born on `birth` (moved a day later if that date is full).
    pub fn next(&mut self, region: &'static str, birth: NaiveDate, sex: Sex) -> (String, NaiveDate) {
        let r = self.regions.get(region).copied().unwrap_or(0);
        let mut birth = birth;
        loop {
            let day = ((birth - self.base).num_days().max(0) as usize).min(self.days - 1);
            let slot = (r * self.days + day) * 2 + (sex == Sex::Male) as usize;
            let c = self.counters[slot] as u32;
            if c < 500 {
                self.counters[slot] += 1;
                // a permutation of 0..500, so the sequence codes look scattered, not 001, 003 …
                let k = (c * 37 + (r as u32 * 131 + day as u32 * 7) % 500) % 500;
                let seq = k * 2 + (sex == Sex::Male) as u32;
                return (domain::idcard::compose(region, birth, seq), birth);
            }
            birth += Duration::days(1);
        }
    }
}

/// Everything member generation needs besides the RNG.
pub struct MemberGen<'a> {
    pub today: NaiveDate,
    pub namer: &'a Namer,
    pub ids: &'a mut Ids,
    /// Communities of the county, for in-service members' residence.
    pub communities: &'a [String],
    /// Counties of Guizhou, for members registered elsewhere.
    pub counties: &'a [&'static str],
    pub pref_counties: &'a [&'static str],
}

impl MemberGen<'_> {
    /// The `i`-th member of a hold (0 = the secretary when the hold has one).
    pub fn member(&mut self, rng: &mut ChaCha8Rng, h: &Hold, i: u32) -> MemberInput {
        let today = self.today;
        let probationary = i >= h.n - h.probationary;
        let secretary = if i == 0 { h.secretary.as_ref() } else { None };
        let (name, sex, age, phone) = match secretary {
            Some(p) => (Some(p.name.clone()), p.sex, p.age, Some(p.phone.clone())),
            None => {
                let sex = if rng.gen_bool(h.kind.female_share()) { Sex::Female } else { Sex::Male };
                let age = if probationary {
                    match h.kind {
                        Kind::Student => rng.gen_range(20..=23),
                        Kind::Retired | Kind::CommunityRetired | Kind::RuralElder => rng.gen_range(30..=45),
                        _ => rng.gen_range(22..=42),
                    }
                } else {
                    age_for(rng, h.kind)
                };
                (None, sex, age, None)
            }
        };
        let birth = add_years(today, -age) - Duration::days(rng.gen_range(0..365));
        let region = if h.region == "520304" {
            OLD_ZUNYI_COUNTY
        } else if rng.gen_bool(0.1) {
            if rng.gen_bool(0.6) && !self.pref_counties.is_empty() {
                self.pref_counties[rng.gen_range(0..self.pref_counties.len())]
            } else {
                self.counties[rng.gen_range(0..self.counties.len())]
            }
        } else {
            h.region
        };
        let (id_number, birth) = self.ids.next(region, birth, sex);
        let name = name.unwrap_or_else(|| self.namer.name(rng, sex, birth.year()));
        // the 18th birthday as `age_on` counts it (someone born on 02-29 turns 18 on 03-01)
        let mut adult = add_years(birth, domain::member::MIN_JOIN_AGE);
        if domain::dates::age_on(birth, adult) < domain::member::MIN_JOIN_AGE {
            adult += Duration::days(1);
        }
        let (join, full) = if probationary {
            let back = if rng.gen_bool(0.9) { rng.gen_range(20..365) } else { rng.gen_range(365..700) };
            let join = (today - Duration::days(back)).max(adult);
            (join, None)
        } else {
            let latest = add_years(today, -1) - Duration::days(1);
            let join_age = match h.kind {
                Kind::Official | Kind::Institution | Kind::Teacher => rng.gen_range(20..=35),
                Kind::Student => 19,
                Kind::Rural | Kind::RuralElder | Kind::Community => rng.gen_range(20..=52),
                _ => rng.gen_range(20..=42),
            };
            let mut join = add_years(birth, join_age) + Duration::days(rng.gen_range(0..365));
            if join > latest {
                let span = (latest - adult).num_days().max(0);
                join = adult + Duration::days(rng.gen_range(0..=span));
            }
            (join, Some(add_years(join, domain::member::PROBATION_YEARS)))
        };
        let occupation = occupation(rng, h.kind, age);
        let working = !matches!(occupation, Occupation::Retired | Occupation::Student | Occupation::Farmer) && age < 60;
        let is_mobile = age < 60
            && rng.gen_bool(match h.kind {
                Kind::RuralMobile => 0.85,
                Kind::Rural => 0.06,
                Kind::Community | Kind::Private => 0.03,
                _ => 0.005,
            });
        let mobile_to = is_mobile.then(|| weighted(rng, data::MOBILE_TO).to_string());
        let is_lost_contact = i > 0
            && rng.gen_bool(match h.kind {
                Kind::Rural | Kind::RuralMobile | Kind::Private => 0.008,
                Kind::Community => 0.005,
                _ => 0.001,
            });
        let is_needy = i > 0
            && rng.gen_bool(match h.kind {
                Kind::Rural | Kind::RuralElder => 0.05,
                Kind::Community => 0.03,
                Kind::CommunityRetired => 0.06,
                Kind::Retired => 0.01,
                _ => 0.003,
            });
        let phone = phone.or_else(|| rng.gen_bool(if age < 70 { 0.95 } else { 0.7 }).then(|| mobile(rng)));
        let job_post = if secretary.is_some() {
            Some(if h.group { "党小组组长" } else { "党支部书记" })
        } else if h.committee && (i == 1 || i == 2) {
            Some("支部委员")
        } else {
            job_post(rng, h.kind)
        };
        let residence_community = match (&h.community, h.kind) {
            (Some(c), _) => Some(c.clone()),
            (None, Kind::Rural | Kind::RuralMobile | Kind::RuralElder | Kind::Student) => None,
            (None, _) if !self.communities.is_empty() && rng.gen_bool(0.7) => {
                Some(self.communities[rng.gen_range(0..self.communities.len())].clone())
            }
            _ => None,
        };
        MemberInput {
            name,
            sex: Some(sex),
            id_number,
            ethnicity: Some(h.mix.pick(rng).to_string()),
            birth_date: Some(birth),
            education: Some(education(rng, h.kind, age)),
            category: Some(if probationary { Category::Probationary } else { Category::Full }),
            join_date: Some(join),
            full_date: full,
            job_post: job_post.map(str::to_string),
            phone,
            work_unit: if working || h.kind == Kind::Student { h.unit.clone() } else { None },
            residence_community,
            occupation: Some(occupation),
            is_mobile,
            mobile_to,
            is_lost_contact,
            is_needy,
            status: None,
            status_date: None,
            version: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn ids_are_unique_and_valid() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).expect("date");
        let mut ids = Ids::new(today);
        let birth = NaiveDate::from_ymd_opt(1980, 5, 5).expect("date");
        let mut seen = std::collections::HashSet::new();
        for i in 0..1200 {
            let sex = if i % 3 == 0 { Sex::Female } else { Sex::Male };
            let (n, b) = ids.next("520328", birth, sex);
            let id = domain::idcard::parse(&n, today).expect("valid");
            assert_eq!(id.birth, b);
            assert_eq!(id.sex == domain::idcard::Sex::Male, sex == Sex::Male);
            assert!(seen.insert(n));
        }
    }

    /// Every kind of member validates, whatever the birth date (02-29 included) and the date the
    /// data is generated for.
    #[test]
    fn generated_members_validate() {
        use crate::tree::{Hold, Person};
        let kinds = [
            Kind::Rural,
            Kind::RuralMobile,
            Kind::RuralElder,
            Kind::Community,
            Kind::CommunityRetired,
            Kind::Official,
            Kind::Institution,
            Kind::Teacher,
            Kind::Student,
            Kind::StateEmployee,
            Kind::Private,
            Kind::Social,
            Kind::Retired,
        ];
        let namer = Namer::default();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for today in ["2026-11-21", "2024-02-29", "2025-03-01", "2030-01-01"] {
            let today = NaiveDate::parse_from_str(today, "%Y-%m-%d").expect("date");
            let mut ids = Ids::new(today);
            let communities = vec!["湄江街道茶城社区".to_string()];
            for kind in kinds {
                let secretary =
                    Person { name: "王建国".into(), sex: Sex::Male, age: 45, phone: "13800138000".into() };
                let hold = Hold {
                    n: 400,
                    probationary: 40,
                    kind,
                    region: "520328",
                    pref: "520300",
                    mix: std::sync::Arc::new(Mix::for_place(&["湄潭县"], &["遵义市"])),
                    unit: Some("湄潭县财政局".into()),
                    community: None,
                    secretary: Some(secretary),
                    committee: true,
                    group: false,
                };
                let mut g = MemberGen {
                    today,
                    namer: &namer,
                    ids: &mut ids,
                    communities: &communities,
                    counties: &["520328", "520302", "520102"],
                    pref_counties: &["520328", "520302"],
                };
                for i in 0..hold.n {
                    let m = g.member(&mut rng, &hold, i);
                    if let Err(e) = m.validate(today) {
                        panic!("{kind:?} on {today}: {m:?}: {e}");
                    }
                }
            }
        }
    }

    #[test]
    fn mixes_follow_place_names() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let m = Mix::for_place(&["道真仡佬族苗族自治县"], &["遵义市"]);
        let n = (0..2000).filter(|_| m.pick(&mut rng) == "仡佬族").count();
        assert!(n > 400, "{n}");
        let m = Mix::for_place(&["湄潭县"], &["遵义市"]);
        let n = (0..2000).filter(|_| m.pick(&mut rng) == "汉族").count();
        assert!(n > 1500, "{n}");
    }
}
