//! A year of organization life (三会一课 and the rest) for the demo, so every view and every finding
//! of the compliance engine has something to show.
//!
//! What is due comes from the shipped frequency rules (`data/rules/life.csv`, through
//! [`domain::life::rule_for`]), not from frequencies written here: for the twelve months up to the
//! demo's `today`, each organization the rules cover gets the meetings its rules ask for, period
//! by period. How well it keeps them is its [`LifeProfile`], drawn from the seed and its path:
//! most are regular, some skip periods, some have fallen silent, some keep records without minutes
//! or attendance, a few enter everything late. Attendance is taken from the organization's
//! members on the meeting's date (as [`store::life::roster`] computes it), and every record passes
//! [`domain::life::validate`], so its counts, quorum and votes are what the application itself
//! would have stored.
//!
//! The demo also gives each 地方党委 a handful of 党组 (the leading groups of the government, the
//! people's congress, the CPPCC, the court, the procuratorate and some departments); most have
//! their members' party-building work division recorded, a few do not.

mod groups;
mod officers;
mod plan;
mod profiles;
mod readback;
mod sheet;
mod text;
mod write;

pub(crate) use groups::*;
pub(crate) use officers::*;
pub(crate) use plan::*;
pub use profiles::*;
pub(crate) use readback::*;
pub(crate) use sheet::*;
pub(crate) use text::*;
pub(crate) use write::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_villages() {
        assert_eq!(unit_of("遵义市教育局机关党支部"), "遵义市教育局机关");
        assert_eq!(unit_of("中共湄江镇委员会"), "湄江镇");
        assert_eq!(unit_of("中共遵义市人民政府党组"), "遵义市人民政府");
        assert_eq!(village_of("苟家村第一党支部").as_deref(), Some("苟家村"));
        assert_eq!(village_of("中共新华社区委员会").as_deref(), Some("新华社区"));
        assert_eq!(titles("遵义市人民政府").0, "市长");
        assert_eq!(titles("湄潭县人民政府").1, "副县长");
        assert_eq!(titles("遵义市财政局").0, "局长");
    }

    #[test]
    fn profiles_are_mostly_regular() {
        let n = 4000;
        let regular = (0..n).filter(|i| LifeProfile::of(2026, &format!("p{i}")) == LifeProfile::Regular).count();
        assert!((0.77..0.83).contains(&(regular as f64 / n as f64)), "{regular}");
        assert_eq!(LifeProfile::of(7, "0001"), LifeProfile::of(7, "0001"));
    }
}
