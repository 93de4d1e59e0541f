//! The demo campaign's dates and place names.

use super::*;

#[test]
fn rounds_fall_months_apart_within_the_year() {
    let cal = Cal::new(NaiveDate::from_ymd_opt(2026, 11, 21).unwrap());
    assert_eq!(cal.base, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    assert_eq!(cal.at(ROUND_1).month(), 5);
    assert!(cal.at(ROUND_1) < cal.at(STANDARD_2) && cal.at(STANDARD_2) < cal.at(ROUND_2));
    assert!((cal.at(ROUND_2) - cal.at(ROUND_1)).num_days() > 90);
    // early in a year, the campaign year is the one before
    let early = Cal::new(NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
    assert_eq!(early.year(), 2025);
    assert!(early.at(ROUND_2) < early.today);
}

#[test]
fn places_and_committees() {
    assert_eq!(place_named("中共湄潭县委", true), "湄潭县");
    assert_eq!(place_named("中共湄江镇委员会", false), "湄江镇");
    assert_eq!(committee_of("遵义市"), "市委");
    assert_eq!(committee_of("播州区"), "区委");
    assert_eq!(cn(2), "二");
}
