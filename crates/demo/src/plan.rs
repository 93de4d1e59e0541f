//! The geography of a build: which prefectures, counties, townships and villages exist, and which
//! townships and villages have their service facilities built. Drawn once from the plan RNG, so
//! the exact figures (243 townships, 1990 villages, 224 centres, 1276 stations) hold for every seed.

use domain::region::{self, Level};
use rand::seq::index::sample;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::Scale;

const TOWNS: &str = include_str!("../../../data/gbt2260/towns-52.csv");

/// The city of speech 000 (遵义市) and its figures.
pub const CITY_CODE: &str = "520300";
pub const CITY_TOWNSHIPS: usize = 243;
pub const CITY_VILLAGES: usize = 1990;
pub const CITY_CENTERS_BUILT: usize = 224;
pub const CITY_STATIONS_BUILT: usize = 1276;
/// The district built at district scale: 播州区 (the former 遵义县, host of the first dispatch
/// round's on-site meeting).
pub const DISTRICT_CODE: &str = "520304";
pub const PROVINCE_CODE: &str = "520000";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TownKind {
    /// 镇 (and the odd 农场): a 党委.
    Zhen,
    /// 乡 (including 民族乡): a 党委.
    Xiang,
    /// 街道: a 党工委.
    Street,
}

#[derive(Debug, Clone)]
pub struct VillagePlan {
    pub community: bool,
    /// 党员群众综合服务站 built.
    pub station_built: bool,
}

#[derive(Debug, Clone)]
pub struct TownPlan {
    pub name: String,
    pub kind: TownKind,
    /// 党务政务综合服务中心 built.
    pub center_built: bool,
    pub villages: Vec<VillagePlan>,
}

#[derive(Debug, Clone)]
pub struct CountyPlan {
    pub code: &'static str,
    pub name: &'static str,
    pub towns: Vec<TownPlan>,
}

#[derive(Debug, Clone)]
pub struct PrefPlan {
    pub code: &'static str,
    pub name: &'static str,
    pub counties: Vec<CountyPlan>,
}

/// Real township names of a county (towns-52.csv), cleaned: a county prefix some rows carry
/// ("道真仡佬族苗族自治县尹珍街道") is removed. 黔西县 (520522) became 黔西市 (520581) in 2021; the
/// township list is filed under the new code.
pub fn real_towns(county: &str) -> Vec<String> {
    let key = if county == "520522" { "520581" } else { county };
    let cname = region::lookup(county).map(|d| d.name).unwrap_or("");
    TOWNS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .filter(|(c, _)| *c == key)
        .map(|(_, n)| {
            let n = n.trim();
            match n.strip_prefix(cname) {
                Some(rest) if !cname.is_empty() && rest.chars().count() >= 3 => rest.to_string(),
                _ => n.to_string(),
            }
        })
        .collect()
}

pub fn town_kind(name: &str) -> TownKind {
    if name.ends_with("街道") {
        TownKind::Street
    } else if name.ends_with('乡') {
        TownKind::Xiang
    } else {
        TownKind::Zhen
    }
}

/// Counties (county-level divisions) under a prefecture, by code.
pub fn counties_of(pref: &str) -> Vec<&'static region::Division> {
    let mut v: Vec<_> = region::children(pref).filter(|d| d.level == Level::County).collect();
    v.sort_by_key(|d| d.code);
    v
}

/// Split `total` over `weights` proportionally (largest remainder, ties to the earlier index),
/// giving each at least `min`.
pub fn apportion(total: usize, weights: &[f64], min: usize) -> Vec<usize> {
    let n = weights.len();
    if n == 0 {
        return vec![];
    }
    let spare = total.saturating_sub(min * n);
    let sum: f64 = weights.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let exact: Vec<f64> = weights.iter().map(|w| spare as f64 * w / sum).collect();
    let mut out: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut left = spare - out.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        fb.partial_cmp(&fa).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out.iter().map(|o| o + min).collect()
}

fn synthetic_town(rng: &mut ChaCha8Rng, taken: &[String]) -> String {
    use crate::data::{PLACE_FIRST, PLACE_SECOND};
    loop {
        let a = PLACE_FIRST[rng.gen_range(0..PLACE_FIRST.len())];
        let b = PLACE_SECOND[rng.gen_range(0..PLACE_SECOND.len())];
        let suffix = if rng.gen_bool(0.75) { "镇" } else { "乡" };
        let name = format!("{a}{b}{suffix}");
        if !taken.contains(&name) {
            return name;
        }
    }
}

fn villages_for(rng: &mut ChaCha8Rng, kind: TownKind, n: usize) -> Vec<VillagePlan> {
    (0..n)
        .map(|i| {
            let community = match kind {
                TownKind::Street => rng.gen_bool(0.8),
                // the seat of a town usually has one 社区 (居委会)
                TownKind::Zhen => i == 0 && n >= 3 && rng.gen_bool(0.6),
                TownKind::Xiang => i == 0 && n >= 4 && rng.gen_bool(0.1),
            };
            VillagePlan { community, station_built: false }
        })
        .collect()
}

fn town_weight(rng: &mut ChaCha8Rng, kind: TownKind) -> f64 {
    match kind {
        TownKind::Zhen => 7.0 + rng.gen_range(0.0..6.0),
        TownKind::Xiang => 5.0 + rng.gen_range(0.0..5.0),
        TownKind::Street => 4.0 + rng.gen_range(0.0..5.0),
    }
}

/// Mark exactly `built` of all townships (centres) and villages (stations) as built.
fn mark_built(rng: &mut ChaCha8Rng, prefs: &mut [PrefPlan], centers: usize, stations: usize) {
    let towns: Vec<(usize, usize, usize)> = prefs
        .iter()
        .enumerate()
        .flat_map(|(p, pp)| {
            pp.counties.iter().enumerate().flat_map(move |(c, cp)| (0..cp.towns.len()).map(move |t| (p, c, t)))
        })
        .collect();
    for i in sample(rng, towns.len(), centers.min(towns.len())).into_vec() {
        let (p, c, t) = towns[i];
        prefs[p].counties[c].towns[t].center_built = true;
    }
    let mut villages = Vec::new();
    for (p, c, t) in &towns {
        for v in 0..prefs[*p].counties[*c].towns[*t].villages.len() {
            villages.push((*p, *c, *t, v));
        }
    }
    for i in sample(rng, villages.len(), stations.min(villages.len())).into_vec() {
        let (p, c, t, v) = villages[i];
        prefs[p].counties[c].towns[t].villages[v].station_built = true;
    }
}

/// The city of speech 000: 14 counties, 243 of their 254 townships, 1990 villages/communities.
fn city(rng: &mut ChaCha8Rng) -> PrefPlan {
    let counties = counties_of(CITY_CODE);
    let real: Vec<Vec<String>> = counties.iter().map(|c| real_towns(c.code)).collect();
    let quotas = apportion(CITY_TOWNSHIPS, &real.iter().map(|t| t.len() as f64).collect::<Vec<_>>(), 0);
    let mut plans = Vec::new();
    for ((c, towns), q) in counties.iter().zip(&real).zip(&quotas) {
        let mut keep = sample(rng, towns.len(), (*q).min(towns.len())).into_vec();
        keep.sort_unstable();
        let towns = keep
            .into_iter()
            .map(|i| TownPlan {
                name: towns[i].clone(),
                kind: town_kind(&towns[i]),
                center_built: false,
                villages: vec![],
            })
            .collect();
        plans.push(CountyPlan { code: c.code, name: c.name, towns });
    }
    let weights: Vec<f64> = plans
        .iter()
        .flat_map(|c| c.towns.iter().map(|t| t.kind))
        .collect::<Vec<_>>()
        .into_iter()
        .map(|k| town_weight(rng, k))
        .collect();
    let counts = apportion(CITY_VILLAGES, &weights, 2);
    let mut i = 0;
    for c in plans.iter_mut() {
        for t in c.towns.iter_mut() {
            t.villages = villages_for(rng, t.kind, counts[i]);
            i += 1;
        }
    }
    let name = region::lookup(CITY_CODE).map(|d| d.name).unwrap_or("遵义市");
    PrefPlan { code: CITY_CODE, name, counties: plans }
}

/// The geography for a scale. District scale is the city's plan restricted to one county, so the
/// district looks exactly like that county in the city build.
pub fn geography(scale: Scale, rng: &mut ChaCha8Rng) -> Vec<PrefPlan> {
    match scale {
        Scale::City | Scale::District => {
            let mut prefs = vec![city(rng)];
            mark_built(rng, &mut prefs, CITY_CENTERS_BUILT, CITY_STATIONS_BUILT);
            if scale == Scale::District {
                prefs[0].counties.retain(|c| c.code == DISTRICT_CODE);
            }
            prefs
        }
        Scale::Province => {
            let mut prefs = Vec::new();
            let mut pref_divs: Vec<_> =
                region::children(PROVINCE_CODE).filter(|d| d.level == Level::Prefecture).collect();
            pref_divs.sort_by_key(|d| d.code);
            let (mut n_towns, mut n_villages) = (0usize, 0usize);
            for p in pref_divs {
                let mut counties = Vec::new();
                for c in counties_of(p.code) {
                    let mut names = real_towns(c.code);
                    while names.len() < 8 {
                        let n = synthetic_town(rng, &names);
                        names.push(n);
                    }
                    let towns: Vec<TownPlan> = names
                        .into_iter()
                        .map(|name| {
                            let kind = town_kind(&name);
                            let n = match kind {
                                TownKind::Zhen => rng.gen_range(10..=20),
                                TownKind::Xiang => rng.gen_range(8..=14),
                                TownKind::Street => rng.gen_range(6..=12),
                            };
                            n_towns += 1;
                            n_villages += n;
                            TownPlan { name, kind, center_built: false, villages: villages_for(rng, kind, n) }
                        })
                        .collect();
                    counties.push(CountyPlan { code: c.code, name: c.name, towns });
                }
                prefs.push(PrefPlan { code: p.code, name: p.name, counties });
            }
            let centers = n_towns * CITY_CENTERS_BUILT / CITY_TOWNSHIPS;
            let stations = n_villages * CITY_STATIONS_BUILT / CITY_VILLAGES;
            mark_built(rng, &mut prefs, centers, stations);
            prefs
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn apportion_is_exact() {
        let v = apportion(243, &[23.0, 14.0, 24.0, 25.0], 0);
        assert_eq!(v.iter().sum::<usize>(), 243);
        let v = apportion(10, &[1.0, 1.0, 1.0], 2);
        assert_eq!(v.iter().sum::<usize>(), 10);
        assert!(v.iter().all(|x| *x >= 2));
    }

    #[test]
    fn city_figures() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let p = geography(Scale::City, &mut rng);
        let c = &p[0].counties;
        assert_eq!(c.len(), 14);
        let towns: Vec<&TownPlan> = c.iter().flat_map(|c| &c.towns).collect();
        assert_eq!(towns.len(), 243);
        assert_eq!(towns.iter().filter(|t| t.center_built).count(), 224);
        assert_eq!(towns.iter().map(|t| t.villages.len()).sum::<usize>(), 1990);
        assert_eq!(towns.iter().flat_map(|t| &t.villages).filter(|v| v.station_built).count(), 1276);
        assert!(towns.iter().all(|t| !t.name.contains("自治县")));
    }

    #[test]
    fn province_covers_all_counties() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let p = geography(Scale::Province, &mut rng);
        assert_eq!(p.len(), 9);
        assert_eq!(p.iter().map(|p| p.counties.len()).sum::<usize>(), 88);
        assert!(p.iter().flat_map(|p| &p.counties).all(|c| c.towns.len() >= 8));
    }
}
