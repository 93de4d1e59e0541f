//! GB/T 2260 administrative division codes (RULES DIV-01, DIV-02), from a dated list shipped
//! with the application (`data/gbt2260/divisions.csv`).

use std::collections::HashMap;
use std::sync::OnceLock;

/// The edition date of the shipped list.
pub const LIST_DATE: &str = "2021-01-04";
const DATA: &str = include_str!("../../../data/gbt2260/divisions.csv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Province,
    Prefecture,
    County,
}

#[derive(Debug, Clone)]
pub struct Division {
    pub code: &'static str,
    pub name: &'static str,
    pub level: Level,
    pub parent: Option<&'static str>,
}

fn table() -> &'static (Vec<Division>, HashMap<&'static str, usize>) {
    static T: OnceLock<(Vec<Division>, HashMap<&'static str, usize>)> = OnceLock::new();
    T.get_or_init(|| {
        let mut v = Vec::new();
        for line in DATA.lines().filter(|l| !l.starts_with('#')).skip(1) {
            let mut f = line.split(',');
            let (Some(code), Some(name), Some(level), parent) = (f.next(), f.next(), f.next(), f.next()) else {
                continue;
            };
            let level = match level {
                "province" => Level::Province,
                "prefecture" => Level::Prefecture,
                _ => Level::County,
            };
            v.push(Division { code, name, level, parent: parent.filter(|p| !p.is_empty()) });
        }
        let idx = v.iter().enumerate().map(|(i, d)| (d.code, i)).collect();
        (v, idx)
    })
}

pub fn lookup(code: &str) -> Option<&'static Division> {
    let (v, idx) = table();
    idx.get(code).map(|&i| &v[i])
}

pub fn all() -> &'static [Division] {
    &table().0
}

/// Direct children of a division.
pub fn children(code: &str) -> impl Iterator<Item = &'static Division> + '_ {
    all().iter().filter(move |d| d.parent == Some(code))
}

/// ID-05: an ID number's address code is the code at registration, and withdrawn codes stay valid,
/// so only the province prefix must exist in the current list.
pub fn province_exists(prefix2: &str) -> bool {
    lookup(&format!("{prefix2}0000")).is_some_and(|d| d.level == Level::Province)
}

/// The full name, e.g. `贵州省遵义市湄潭县`.
pub fn full_name(code: &str) -> Option<String> {
    let mut parts = Vec::new();
    let mut cur = lookup(code);
    while let Some(d) = cur {
        if d.name != "市辖区" {
            parts.push(d.name);
        }
        cur = d.parent.and_then(lookup);
    }
    (!parts.is_empty()).then(|| parts.iter().rev().copied().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_list_is_complete_div_02() {
        assert_eq!(all().iter().filter(|d| d.level == Level::Province).count(), 34);
        assert!(all().len() > 3000);
        assert_eq!(lookup("520300").unwrap().name, "遵义市");
        assert_eq!(children("520300").count(), 14);
        assert_eq!(full_name("520328").as_deref(), Some("贵州省遵义市湄潭县"));
        assert!(province_exists("11") && !province_exists("99"));
        // every parent exists
        for d in all() {
            if let Some(p) = d.parent {
                assert!(lookup(p).is_some(), "{} has missing parent {p}", d.code);
            }
        }
    }
}
