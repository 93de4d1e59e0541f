//! 党组 in the tree.

use crate::gen::Level;
use crate::people::{self, Namer};
use crate::tree::{Role, Tree};
use chrono::{Duration, NaiveDate};
use domain::org::{FormedBy, OrgInput, OrgKind, Sector};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

const LEADING_BODIES: [&str; 5] = ["人民政府", "人大常委会", "政协", "人民法院", "人民检察院"];
const DEPARTMENTS: &[&str] = &[
    "教育局",
    "财政局",
    "民政局",
    "卫生健康局",
    "农业农村局",
    "自然资源局",
    "交通运输局",
    "人力资源和社会保障局",
    "住房和城乡建设局",
    "水务局",
    "商务局",
    "文体广电旅游局",
];
const PROVINCE_DEPARTMENTS: &[&str] =
    &["教育厅", "财政厅", "民政厅", "卫生健康委员会", "农业农村厅", "自然资源厅", "交通运输厅", "人力资源和社会保障厅"];

/// Add the 党组 of a place under its 地方党委 (`parent`; None: the base of a county subtree).
/// Returns how many were added. They hold no members (a 党组 is not a grassroots organization).
#[allow(clippy::too_many_arguments)]
pub(crate) fn add_leading_groups(
    tree: &mut Tree,
    parent: Option<usize>,
    place: &str,
    region: &str,
    level: Level,
    rng: &mut ChaCha8Rng,
    namer: &Namer,
    today: NaiveDate,
) -> usize {
    let mut bodies: Vec<String> = LEADING_BODIES
        .iter()
        .map(|b| match (*b, level) {
            ("人民法院", Level::City) => "中级人民法院".to_string(),
            ("人民法院", Level::Province) => "高级人民法院".to_string(),
            (b, _) => b.to_string(),
        })
        .collect();
    let (list, n) = match level {
        Level::County => (DEPARTMENTS, rng.gen_range(3..=6)),
        Level::City => (DEPARTMENTS, rng.gen_range(5..=8)),
        Level::Province => (PROVINCE_DEPARTMENTS, rng.gen_range(5..=8)),
    };
    let mut picks = rand::seq::index::sample(rng, list.len(), n.min(list.len())).into_vec();
    picks.sort_unstable();
    bodies.extend(picks.into_iter().map(|i| list[i].to_string()));
    let mut added = 0;
    for body in bodies {
        let name = format!("中共{place}{body}党组");
        if tree.name_taken(parent, &name) {
            continue;
        }
        let founded = NaiveDate::from_ymd_opt(1980, 1, 1).expect("date") + Duration::days(rng.gen_range(0..=11_000));
        let secretary = namer.person(rng, today, 0.15, (45, 58));
        let input = OrgInput {
            name,
            kind: Some(OrgKind::LeadingGroup),
            sector: Some(Sector::Organs),
            region_code: Some(region.to_string()),
            formed_by: Some(FormedBy::Single),
            founded_on: Some(founded.min(today)),
            secretary: Some(secretary.name),
            contact_phone: Some(people::landline(rng)),
            ..Default::default()
        };
        tree.add(parent, input, Role::Other);
        added += 1;
    }
    added
}
