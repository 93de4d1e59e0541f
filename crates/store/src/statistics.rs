//! 统计分析: the figures of any subtree the caller may see: one `GROUP BY` over every member
//! dimension at once across the subtree's path range (`path >= p AND path < p || '~'`), current members only; organizations by
//! kind and sector; the coverage of the service network (党务政务综合服务中心 in townships and
//! streets, 党员群众综合服务站 in villages and communities). Also the audit record of an export.

use chrono::{Duration, NaiveDate};
use domain::dates::{add_years, age_on};
use domain::member::{Category, Education, Occupation, Sex};
use domain::org::{Org, OrgKind, Sector};
use domain::path;
use serde::Serialize;
use serde_json::json;

use crate::args;
use crate::db::{Store, Val};
use crate::error::StoreResult;
use crate::scope::Scope;
use crate::Visible;

/// Age bands of the statistics, on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AgeBand {
    UpTo30,
    From31To40,
    From41To50,
    From51To60,
    From61To70,
    Over70,
}

impl AgeBand {
    pub const ALL: [AgeBand; 6] = [
        AgeBand::UpTo30,
        AgeBand::From31To40,
        AgeBand::From41To50,
        AgeBand::From51To60,
        AgeBand::From61To70,
        AgeBand::Over70,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AgeBand::UpTo30 => "le30",
            AgeBand::From31To40 => "31_40",
            AgeBand::From41To50 => "41_50",
            AgeBand::From51To60 => "51_60",
            AgeBand::From61To70 => "61_70",
            AgeBand::Over70 => "gt70",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AgeBand::UpTo30 => "30岁及以下",
            AgeBand::From31To40 => "31—40岁",
            AgeBand::From41To50 => "41—50岁",
            AgeBand::From51To60 => "51—60岁",
            AgeBand::From61To70 => "61—70岁",
            AgeBand::Over70 => "70岁以上",
        }
    }

    /// The band of an age in whole years.
    pub fn of_age(age: i32) -> AgeBand {
        match age {
            i32::MIN..=30 => AgeBand::UpTo30,
            31..=40 => AgeBand::From31To40,
            41..=50 => AgeBand::From41To50,
            51..=60 => AgeBand::From51To60,
            61..=70 => AgeBand::From61To70,
            _ => AgeBand::Over70,
        }
    }

    /// The youngest age of the band (`None` for the first).
    pub(crate) fn lowest_age(self) -> Option<i32> {
        match self {
            AgeBand::UpTo30 => None,
            AgeBand::From31To40 => Some(31),
            AgeBand::From41To50 => Some(41),
            AgeBand::From51To60 => Some(51),
            AgeBand::From61To70 => Some(61),
            AgeBand::Over70 => Some(71),
        }
    }

    /// The band of a birth date by the cut-off dates (what the SQL does).
    pub fn of_birth(birth: NaiveDate, today: NaiveDate) -> AgeBand {
        let mut band = AgeBand::UpTo30;
        for b in AgeBand::ALL {
            if let Some(a) = b.lowest_age() {
                if birth <= born_by(today, a) {
                    band = b;
                }
            }
        }
        band
    }
}

/// The latest birth date of someone at least `years` old on `today` (consistent with
/// [`age_on`]: someone born on 02-29 turns N on 02-28 of a common year).
pub fn born_by(today: NaiveDate, years: i32) -> NaiveDate {
    let mut d = add_years(today, -years);
    while age_on(d + Duration::days(1), today) >= years {
        d += Duration::days(1);
    }
    d
}

/// One bar of a chart: a value of a dimension and its count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slice {
    pub code: String,
    pub label: String,
    pub count: i64,
}

/// Units that should have a facility, and those that have it built.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub units: i64,
    pub covered: i64,
}

impl Coverage {
    /// Per cent, one decimal (0 when there are no units).
    pub fn percent(&self) -> f64 {
        if self.units == 0 {
            0.0
        } else {
            (self.covered as f64 * 1000.0 / self.units as f64).round() / 10.0
        }
    }
}

/// The statistics of one subtree.
#[derive(Debug, Clone, Serialize)]
pub struct SubtreeReport {
    pub org: Org,
    pub today: NaiveDate,
    /// Current members.
    pub members: i64,
    pub by_category: Vec<Slice>,
    pub by_sex: Vec<Slice>,
    pub by_age: Vec<Slice>,
    pub by_education: Vec<Slice>,
    pub by_occupation: Vec<Slice>,
    /// 汉族 and 少数民族.
    pub by_ethnicity: Vec<Slice>,
    /// Active organizations of the subtree (the root included) by kind.
    pub orgs_by_kind: Vec<Slice>,
    /// Active grassroots organizations (党委, 党总支, 党支部) by sector.
    pub grassroots_by_sector: Vec<Slice>,
    /// Townships and streets (乡镇（街道）党（工）委) with a built 党务政务综合服务中心.
    pub township_centers: Coverage,
    /// Villages and communities (村（社区）党组织) with a built 党员群众综合服务站.
    pub village_stations: Coverage,
}

impl SubtreeReport {
    pub fn grassroots_orgs(&self) -> i64 {
        self.grassroots_by_sector.iter().map(|s| s.count).sum()
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct KeyCount {
    pub(crate) k: Option<String>,
    pub(crate) n: i64,
}

/// Current members counted by every dimension at once.
#[derive(sqlx::FromRow)]
struct Combo {
    category: Option<String>,
    sex: Option<String>,
    age: Option<String>,
    education: Option<String>,
    occupation: Option<String>,
    ethnicity: Option<String>,
    n: i64,
}

/// Counts by code, in the order of `order` (code, label), every value listed (zeros included);
/// codes the order does not know (and missing values) are added at the end as `missing`.
pub(crate) fn arrange(rows: Vec<KeyCount>, order: &[(&str, &str)], missing: &str) -> Vec<Slice> {
    let mut out: Vec<Slice> =
        order.iter().map(|(c, l)| Slice { code: c.to_string(), label: l.to_string(), count: 0 }).collect();
    let mut other = 0;
    for r in rows {
        match r.k.as_deref().and_then(|k| out.iter_mut().find(|s| s.code == k)) {
            Some(s) => s.count += r.n,
            None => other += r.n,
        }
    }
    if other > 0 {
        out.push(Slice { code: String::new(), label: missing.to_string(), count: other });
    }
    out
}

pub(crate) fn codes<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (code(*v), label(*v))).collect()
}

/// Kinds that are 基层党组织 (RULES STAT 7.1), as stored codes.
fn grassroots_codes() -> String {
    OrgKind::ALL.iter().filter(|k| k.is_grassroots()).map(|k| format!("'{}'", k.code())).collect::<Vec<_>>().join(", ")
}

/// A township or street (乡镇（街道）): a 党委 or 党工委 of the rural or community sector directly
/// under a 地方党委 (县委). A village or community: a rural or community 党组织 directly under one.
const TOWNSHIP: &str = "t.dissolved_on IS NULL AND t.kind IN ('committee', 'working_committee') \
     AND t.sector IN ('rural', 'community') AND EXISTS (SELECT 1 FROM org p WHERE p.id = t.parent_id AND p.kind = 'local_committee')";

fn built(alias: &str, kind: &str) -> String {
    format!(
        "CAST(COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM org_facility f WHERE f.org_id = {alias}.id \
         AND f.kind = '{kind}' AND f.status = 'built') THEN 1 ELSE 0 END), 0) AS BIGINT)"
    )
}

/// The statistics of the subtree at `org_id` (404 outside the scope) on `today`.
pub async fn subtree(store: &Store, scope: &Scope, org_id: i64, today: NaiveDate) -> StoreResult<SubtreeReport> {
    let org = crate::org::visible(store, scope, org_id).await?;
    of(store, org, today).await
}

/// The statistics of an organization already read through the caller's scope, from the figures
/// kept in memory per organization and brought up to date by what changed ([`crate::figures`]).
pub async fn of(store: &Store, org: Visible<Org>, today: NaiveDate) -> StoreResult<SubtreeReport> {
    crate::figures::report(store, org.into_inner(), today).await
}

/// [`of`], read afresh from the member and organization rows: the reference the kept figures are
/// tested against.
pub async fn of_read(store: &Store, org: Visible<Org>, today: NaiveDate) -> StoreResult<SubtreeReport> {
    let org = org.into_inner();
    let o = &org;
    let age_expr = {
        let mut e = String::from("CASE");
        let mut n = 3;
        for b in AgeBand::ALL.iter().rev() {
            if b.lowest_age().is_some() {
                e.push_str(&format!(" WHEN m.birth_date <= ${n} THEN '{}'", b.code()));
                n += 1;
            }
        }
        e.push_str(&format!(" ELSE '{}' END", AgeBand::UpTo30.code()));
        e
    };
    // oldest band first, as the CASE above tests them
    let cutoffs: Vec<Val> =
        AgeBand::ALL.iter().rev().filter_map(|b| b.lowest_age()).map(|a| Val::from(born_by(today, a))).collect();
    let range = args![o.path.clone(), path::subtree_end(&o.path)];
    // one scan of the subtree's current members, grouped by every dimension at once (a few
    // hundred combinations at most); the marginals are summed here
    let sql = format!(
        "SELECT m.category AS category, m.sex AS sex, {age_expr} AS age, m.education AS education, \
         m.occupation AS occupation, CASE WHEN m.ethnicity = '汉族' THEN 'han' ELSE 'minority' END AS ethnicity, \
         CAST(COUNT(*) AS BIGINT) AS n \
         FROM member m WHERE m.path >= $1 AND m.path < $2 AND m.status = 'normal' \
         GROUP BY m.category, m.sex, 3, m.education, m.occupation, 6"
    );
    let mut a: Vec<Val> = range.to_vec();
    a.extend_from_slice(&cutoffs);
    let combos: Vec<Combo> = store.read().fetch_all(&sql, &a).await?;
    let marginal = |pick: fn(&Combo) -> &Option<String>| -> Vec<KeyCount> {
        let mut m: Vec<KeyCount> = Vec::new();
        for c in &combos {
            let k = pick(c);
            match m.iter_mut().find(|x| &x.k == k) {
                Some(x) => x.n += c.n,
                None => m.push(KeyCount { k: k.clone(), n: c.n }),
            }
        }
        m
    };
    let category = marginal(|c| &c.category);
    let sex = marginal(|c| &c.sex);
    let age = marginal(|c| &c.age);
    let education = marginal(|c| &c.education);
    let occupation = marginal(|c| &c.occupation);
    let ethnicity = marginal(|c| &c.ethnicity);
    let kinds_sql = "SELECT kind AS k, CAST(COUNT(*) AS BIGINT) AS n FROM org \
                     WHERE path >= $1 AND path < $2 AND dissolved_on IS NULL GROUP BY kind";
    let sectors_sql = format!(
        "SELECT sector AS k, CAST(COUNT(*) AS BIGINT) AS n FROM org \
         WHERE path >= $1 AND path < $2 AND dissolved_on IS NULL AND kind IN ({}) GROUP BY sector",
        grassroots_codes()
    );
    let towns_sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT), {} FROM org t WHERE t.path >= $1 AND t.path < $2 AND {TOWNSHIP}",
        built("t", "service_center")
    );
    let villages_sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT), {} FROM org v JOIN org t ON t.id = v.parent_id \
         WHERE v.path >= $1 AND v.path < $2 AND v.dissolved_on IS NULL AND v.sector IN ('rural', 'community') AND {TOWNSHIP}",
        built("v", "service_station")
    );
    let (kinds, sectors, towns, villages) = tokio::try_join!(
        store.read().fetch_all::<KeyCount>(kinds_sql, &range),
        store.read().fetch_all::<KeyCount>(&sectors_sql, &range),
        store.read().fetch_one::<(i64, i64)>(&towns_sql, &range),
        store.read().fetch_one::<(i64, i64)>(&villages_sql, &range),
    )?;

    let by_category = arrange(category, &codes(Category::ALL, Category::code, Category::label), "其他");
    let members = by_category.iter().map(|s| s.count).sum();
    Ok(SubtreeReport {
        members,
        by_category,
        by_sex: arrange(sex, &codes(Sex::ALL, Sex::code, Sex::label), "其他"),
        by_age: arrange(age, &codes(&AgeBand::ALL, AgeBand::code, AgeBand::label), "其他"),
        by_education: arrange(education, &codes(Education::ALL, Education::code, Education::label), "未填写"),
        by_occupation: arrange(occupation, &codes(Occupation::ALL, Occupation::code, Occupation::label), "未填写"),
        by_ethnicity: arrange(ethnicity, &[("han", "汉族"), ("minority", "少数民族")], "其他"),
        orgs_by_kind: arrange(kinds, &codes(OrgKind::ALL, OrgKind::code, OrgKind::label), "其他"),
        grassroots_by_sector: arrange(sectors, &codes(Sector::ALL, Sector::code, Sector::label), "其他"),
        township_centers: Coverage { units: towns.0, covered: towns.1 },
        village_stations: Coverage { units: villages.0, covered: villages.1 },
        today,
        org,
    })
}

/// What an export wrote, for the audit trail.
#[derive(Debug, Clone)]
pub struct ExportRecord<'a> {
    /// `members` or `orgs`.
    pub what: &'a str,
    /// `xlsx` or `csv`.
    pub format: &'a str,
    pub rows: u64,
    pub include_former: bool,
    /// ID numbers and phones in full (查询留痕).
    pub unmasked: bool,
}

/// Record an export of the subtree at `org` in the audit trail: what, how many rows, whether
/// personal data was unmasked; never a value.
pub async fn record_export(store: &Store, scope: &Scope, org: &Org, e: &ExportRecord<'_>) -> StoreResult<i64> {
    let action = match (e.what, e.unmasked) {
        ("members", true) => "member.export_unmasked",
        ("members", false) => "member.export",
        _ => "org.export",
    };
    crate::audit::record_now(
        store,
        scope,
        action,
        &format!("org:{}", org.id),
        "ok",
        json!({ "org": org.id, "org_name": org.name, "format": e.format, "rows": e.rows,
                "include_former": e.include_former, "unmasked": e.unmasked }),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn bands_of_ages() {
        assert_eq!(AgeBand::of_age(18), AgeBand::UpTo30);
        assert_eq!(AgeBand::of_age(30), AgeBand::UpTo30);
        assert_eq!(AgeBand::of_age(31), AgeBand::From31To40);
        assert_eq!(AgeBand::of_age(40), AgeBand::From31To40);
        assert_eq!(AgeBand::of_age(41), AgeBand::From41To50);
        assert_eq!(AgeBand::of_age(60), AgeBand::From51To60);
        assert_eq!(AgeBand::of_age(61), AgeBand::From61To70);
        assert_eq!(AgeBand::of_age(70), AgeBand::From61To70);
        assert_eq!(AgeBand::of_age(71), AgeBand::Over70);
        assert_eq!(AgeBand::of_age(101), AgeBand::Over70);
    }

    #[test]
    fn birthday_boundaries() {
        let today = d(2026, 11, 21);
        // turns 31 today: 31-40; turns 31 tomorrow: still 30
        assert_eq!(AgeBand::of_birth(d(1995, 11, 21), today), AgeBand::From31To40);
        assert_eq!(AgeBand::of_birth(d(1995, 11, 22), today), AgeBand::UpTo30);
        assert_eq!(AgeBand::of_birth(d(1955, 11, 21), today), AgeBand::Over70);
        assert_eq!(AgeBand::of_birth(d(1955, 11, 22), today), AgeBand::From61To70);
        assert_eq!(born_by(today, 31), d(1995, 11, 21));
        // born on 02-29: 31 on 02-28 of a common year
        assert_eq!(born_by(d(2031, 2, 28), 31), d(2000, 2, 29));
        assert_eq!(AgeBand::of_birth(d(2000, 2, 29), d(2031, 2, 28)), AgeBand::From31To40);
        assert_eq!(AgeBand::of_birth(d(2000, 2, 29), d(2031, 2, 27)), AgeBand::UpTo30);
    }

    /// The cut-off dates the SQL uses agree with the age in whole years on every day of a span
    /// around leap days.
    #[test]
    fn cutoffs_agree_with_ages() {
        for today in [d(2026, 11, 21), d(2028, 2, 28), d(2028, 2, 29), d(2028, 3, 1), d(2027, 2, 28), d(2027, 3, 1)] {
            let mut birth = d(1940, 1, 1);
            while birth <= today {
                assert_eq!(
                    AgeBand::of_birth(birth, today),
                    AgeBand::of_age(age_on(birth, today)),
                    "born {birth}, on {today}"
                );
                birth += Duration::days(1);
            }
        }
    }

    #[test]
    fn coverage_percent() {
        assert_eq!(Coverage { units: 243, covered: 224 }.percent(), 92.2);
        assert_eq!(Coverage { units: 1990, covered: 1276 }.percent(), 64.1);
        assert_eq!(Coverage::default().percent(), 0.0);
    }
}
