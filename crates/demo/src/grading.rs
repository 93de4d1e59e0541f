//! The demo's 分类定级: the first two counties under the root (a district build: the district) each
//! grade their subtree, the first under the four grades on 100 points with the satisfaction cap
//! (GRADE-05/06), the second under the scored stars (GRADE-10). Each grades the two years before
//! the demo date through publicity to final grades (so moving up has transitions to show, and a
//! few objections were raised and answered), and opens the demo year's cycle, scored and computed
//! but not yet published, its satisfaction rates read from the county's 满意度测评 tally (so the
//! GRADE-06 cap acts on survey results). Assessors' scores lean by organization, so a grade mostly
//! carries from one year to the next and some organizations move up or down.

use chrono::{Datelike, NaiveDate};
use domain::grading::{AssessorKind, Catalogue, ItemKind, Scheme, StepPreset};
use domain::org::OrgKind;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use store::grading::{self as g, ScoreInput};
use store::{Actor, Scope, Store};

/// What the demo wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct GradingSummary {
    pub cycles: u64,
    pub final_grades: u64,
    /// Entries of the open cycle whose satisfaction rate came from a survey's tally.
    pub from_surveys: u64,
    pub objections: u64,
}

/// An organization's lean (its usual share of the assessed points, in percent), drawn once so
/// that its grades of the two years are related: GRADE-09's shape, 好 10 %, 较好 60 %, 一般 20 %,
/// 较差 10 %, for the points scheme's bounds.
fn lean(rng: &mut ChaCha8Rng) -> i64 {
    match rng.gen_range(0..100) {
        0..10 => rng.gen_range(92..99),
        10..70 => rng.gen_range(82..90),
        70..90 => rng.gen_range(65..79),
        _ => rng.gen_range(45..58),
    }
}

fn scores(cat: &Catalogue, pct: i64) -> Vec<ScoreInput> {
    cat.scored()
        .filter(|i| i.kind == ItemKind::Assessed)
        .map(|i| ScoreInput {
            item: i.code.clone(),
            points_milli: i.max_milli * pct / 100,
            note: String::new(),
            version: 0,
        })
        .collect()
}

pub async fn build(
    store: &Store,
    rng: &mut ChaCha8Rng,
    today: NaiveDate,
    root_id: i64,
) -> anyhow::Result<GradingSummary> {
    let scope = Scope::all().acting_as(Actor::new("demo", "演示数据"));
    let mut counties: Vec<i64> = store::org::subtree(store, &scope, root_id, Some(1))
        .await?
        .into_iter()
        .filter(|n| n.depth == 1 && n.org.kind == OrgKind::LocalCommittee)
        .take(2)
        .map(|n| n.org.id)
        .collect();
    if counties.is_empty() {
        counties.push(root_id);
    }
    let mut out = GradingSummary::default();
    for (n, county) in counties.into_iter().enumerate() {
        let root = store::org::visible(store, &scope, county).await?;
        let surveys = store::survey::list(store, &root, 100, 0).await?.0;
        let (preset, name) =
            if n == 0 { ("points", "分类定级办法（四档）") } else { ("scored_stars", "星级评定办法") };
        let first = today.year() - 2;
        let from = NaiveDate::from_ymd_opt(first, 1, 1).expect("a date");
        let scheme =
            g::create_scheme(store, &scope, &root, name, from, &Scheme::preset(preset).expect("a shipped preset"))
                .await?;
        let cat = Catalogue::preset();
        let catalogue = g::create_catalogue(store, &scope, &root, "分类定级指标（七项）", from, &cat).await?;
        let mut leans: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
        for year in first..=today.year() {
            let c = g::open_cycle(
                store,
                &scope,
                &root,
                year,
                &format!("{year}年度基层党组织分类定级"),
                scheme.id,
                catalogue.id,
                &StepPreset::Grade07.steps(),
            )
            .await?;
            out.cycles += 1;
            let (entries, _) = g::entries(store, &scope, &c, &Default::default(), i64::MAX / 2, 0).await?;
            let mut rates = Vec::new();
            for e in &entries {
                let base = *leans.entry(e.org_id).or_insert_with(|| lean(rng));
                let pct = (base + rng.gen_range(-4..=4)).clamp(30, 100);
                g::score(store, &scope, e.id, AssessorKind::Superior, &scores(&cat, pct)).await?;
                // earlier years' rates as entered from that year's 测评; some below GRADE-06's 90 %
                let rate = (880 + (base - 80) * 4 + rng.gen_range(-30..=30)).clamp(500, 1000);
                rates.push((e.org_id, rate));
            }
            if year < today.year() {
                g::set_satisfaction(store, &scope, c.id, &rates, &format!("{year}年度党员群众满意度测评（录入）"))
                    .await?;
                let year_end = NaiveDate::from_ymd_opt(year, 12, 20).expect("a date");
                g::compute(store, &scope, &root, &c, year_end).await?;
                let c = g::cycle(store, &scope, c.id).await?;
                let published = NaiveDate::from_ymd_opt(year + 1, 1, 6).expect("a date");
                let c = g::publish(store, &scope, &root, &c, published).await?;
                // a member or two objects in the window; the county answers
                for e in entries.iter().filter(|e| e.org_id % 97 == (year as i64) % 97).take(2) {
                    let o =
                        g::object(store, &scope, e.id, true, "对本支部的定级结果有不同意见，请复核", published).await?;
                    g::answer(store, &scope, o.id, "经复核，评分依据充分，维持原等次").await?;
                    out.objections += 1;
                }
                let after = c.publicity_end_on.expect("published") + chrono::Duration::days(1);
                out.final_grades += g::finalize(store, &scope, &root, &c, after).await? as u64;
            } else {
                // this year's: the rates of the county's 满意度测评, where it has one
                if let Some(sv) = surveys.iter().find(|s| s.org_id == county) {
                    let tally = store::survey::satisfaction(store, sv.id, None, today).await?;
                    let ids: std::collections::HashSet<i64> = entries.iter().map(|e| e.org_id).collect();
                    let from_survey: Vec<(i64, i64)> = tally
                        .iter()
                        .filter(|t| ids.contains(&t.org_id))
                        .filter_map(|t| t.rate_permille.map(|r| (t.org_id, i64::from(r))))
                        .collect();
                    if !from_survey.is_empty() {
                        let source = format!("测评《{}》（{} 至 {}）", sv.title, sv.opens_on, sv.closes_on);
                        out.from_surveys +=
                            g::set_satisfaction(store, &scope, c.id, &from_survey, &source).await? as u64;
                    }
                }
                g::compute(store, &scope, &root, &c, today).await?;
            }
        }
    }
    Ok(out)
}
