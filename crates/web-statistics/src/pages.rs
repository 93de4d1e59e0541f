//! 统计分析: statistics of any subtree, SVG charts rendered on the server, each with its table.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use store::statistics::{Slice, SubtreeReport};

use web_core::access::Perm;
use web_core::charts;
use web_core::pages::{render, today, urlencode};
use web_core::picker::{OrgPicker, Purpose};
use web_core::routes::{Routes, Target};
use web_core::tri;
use web_core::{Caller, Crumb, Nav, Shared};

/// Children offered for drilling down.
const CHILD_LINKS: usize = 80;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatsQuery {
    org: String,
}

/// One row of a chart's table.
#[derive(Clone)]
pub struct Row {
    label: String,
    count: i64,
    share: String,
}

/// A chart and its table.
#[derive(Clone)]
pub struct Chart {
    title: &'static str,
    /// Shared with the cached [`StatsData`]: drawn once per cached report.
    svg: std::sync::Arc<str>,
    unit: &'static str,
    rows: Vec<Row>,
    total: i64,
    note: &'static str,
}

/// A coverage line and its table row.
pub struct CoverageRow {
    label: &'static str,
    facility: &'static str,
    units: i64,
    covered: i64,
    share: String,
}

#[derive(Template)]
#[template(path = "statistics/statistics.html")]
struct StatsPage {
    nav: Nav,
    org_id: i64,
    org_name: String,
    parent: Option<(i64, String)>,
    children: Vec<(i64, String)>,
    more_children: usize,
    today: String,
    members: i64,
    /// (figure, label, share of the members)
    figures: Vec<(String, &'static str, String)>,
    member_charts: Vec<Chart>,
    org_charts: Vec<Chart>,
    coverage_svg: std::sync::Arc<str>,
    coverage: Vec<CoverageRow>,
    picker: web_core::picker::OrgPicker,
}

fn share(part: i64, whole: i64) -> String {
    if whole <= 0 {
        "—".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

fn chart(title: &'static str, unit: &'static str, slices: &[Slice], donut: bool, note: &'static str) -> Chart {
    let items: Vec<(String, i64)> = slices.iter().map(|s| (s.label.clone(), s.count)).collect();
    let total: i64 = items.iter().map(|i| i.1).sum();
    let svg = if donut { charts::donut(title, &items) } else { charts::bars(title, &items) }.into();
    let rows =
        slices.iter().map(|s| Row { label: s.label.clone(), count: s.count, share: share(s.count, total) }).collect();
    Chart { title, svg, unit, rows, total, note }
}

/// Drop the zero rows of a long dimension (organization kinds, sectors), keeping the short
/// ones whole so their tables always list every value.
fn nonzero(slices: &[Slice]) -> Vec<Slice> {
    slices.iter().filter(|s| s.count > 0).cloned().collect()
}

/// The charts of a report (drawn once for each cached report: they depend on nothing else).
pub(crate) struct ChartSet {
    member_charts: Vec<Chart>,
    org_charts: Vec<Chart>,
    coverage_svg: std::sync::Arc<str>,
}

fn chart_set(r: &SubtreeReport) -> ChartSet {
    let member_charts = vec![
        chart("人员类别", "人", &r.by_category, true, ""),
        chart("性别", "人", &r.by_sex, true, ""),
        chart("年龄", "人", &r.by_age, false, "按统计当日计算周岁"),
        chart("民族", "人", &r.by_ethnicity, true, ""),
        chart("学历", "人", &r.by_education, false, ""),
        chart("职业", "人", &r.by_occupation, false, ""),
    ];
    let org_charts = vec![
        chart("党组织类别", "个", &nonzero(&r.orgs_by_kind), false, "含本组织，不含已撤销的组织"),
        chart("基层党组织所属领域", "个", &nonzero(&r.grassroots_by_sector), false, "党委、党总支、党支部"),
    ];
    let (t, v) = (r.township_centers, r.village_stations);
    let coverage_svg = charts::coverage(
        "服务阵地覆盖",
        &[
            ("乡镇（街道）党务政务综合服务中心".to_string(), t.covered, t.units),
            ("村（社区）党员群众综合服务站".to_string(), v.covered, v.units),
        ],
    )
    .into();
    ChartSet { member_charts, org_charts, coverage_svg }
}

fn page(
    caller: &Caller,
    r: &SubtreeReport,
    charts: &ChartSet,
    parent: Option<(i64, String)>,
    kids: &[(i64, String)],
) -> StatsPage {
    let pct = |part: i64| share(part, r.members);
    let count_of = |v: &[Slice], code: &str| v.iter().find(|s| s.code == code).map_or(0, |s| s.count);
    let college: i64 = r
        .by_education
        .iter()
        .filter(|s| domain::member::Education::from_code(&s.code).is_some_and(|e| e.is_college_plus()))
        .map(|s| s.count)
        .sum();
    let female = count_of(&r.by_sex, "female");
    let minority = count_of(&r.by_ethnicity, "minority");
    let figures = vec![
        (r.members.to_string(), "党员", String::new()),
        (count_of(&r.by_category, "full").to_string(), "正式党员", pct(count_of(&r.by_category, "full"))),
        (
            count_of(&r.by_category, "probationary").to_string(),
            "预备党员",
            pct(count_of(&r.by_category, "probationary")),
        ),
        (female.to_string(), "女党员", pct(female)),
        (minority.to_string(), "少数民族党员", pct(minority)),
        (college.to_string(), "大专及以上学历", pct(college)),
        (r.grassroots_orgs().to_string(), "基层党组织", String::new()),
    ];
    let t = r.township_centers;
    let v = r.village_stations;
    let coverage = vec![
        CoverageRow {
            label: "乡镇（街道）",
            facility: "党务政务综合服务中心",
            units: t.units,
            covered: t.covered,
            share: share(t.covered, t.units),
        },
        CoverageRow {
            label: "村（社区）",
            facility: "党员群众综合服务站",
            units: v.units,
            covered: v.covered,
            share: share(v.covered, v.units),
        },
    ];
    let more_children = kids.len().saturating_sub(CHILD_LINKS);
    let mut trail = vec![Crumb::new("/stats", "统计分析")];
    if let Some((id, name)) = &parent {
        trail.push(Crumb::new(format!("/stats?org={id}"), name.clone()));
    }
    trail.push(Crumb::new("", r.org.name.clone()));
    // the parent's name is in hand: the picker needs no query, so a repeated view still needs none
    let chosen = (r.org.id, r.org.name.clone(), parent.as_ref().map(|(_, n)| n.clone()).unwrap_or_default());
    let picker =
        OrgPicker::with(Purpose::Stats, "org", "统计哪个党组织（含全部下级）", Some(chosen), "/stats").submitting();
    StatsPage {
        picker,
        nav: caller.nav("stats").crumbs(trail),
        org_id: r.org.id,
        org_name: r.org.name.clone(),
        parent,
        children: kids.iter().take(CHILD_LINKS).cloned().collect(),
        more_children,
        today: r.today.to_string(),
        members: r.members,
        figures,
        member_charts: charts.member_charts.clone(),
        org_charts: charts.org_charts.clone(),
        coverage_svg: charts.coverage_svg.clone(),
        coverage,
    }
}

/// What the statistics page shows of a subtree, shared by every caller who may see it: kept while
/// the organizations' data generation is unchanged (see [`store::generation`]).
/// How many subtrees' statistics are kept (each with its charts, some tens of KB).
pub const STATS_KEPT: usize = 256;

/// Statistics of subtrees (on a day), each kept while the organizations' data generation is
/// unchanged.
struct Kept(store::generation::Cache<(i64, chrono::NaiveDate), std::sync::Arc<StatsData>>);

impl Default for Kept {
    fn default() -> Self {
        Kept(store::generation::Cache::new(store::generation::Topic::Orgs, STATS_KEPT))
    }
}

pub(crate) struct StatsData {
    report: SubtreeReport,
    charts: ChartSet,
    parent: Option<(i64, String)>,
    kids: Vec<(i64, String)>,
}

/// GET /stats?org={id}: the statistics of a subtree in the caller's 统计分析 scope (404 outside).
pub async fn stats(State(s): State<Shared>, caller: Caller, Query(q): Query<StatsQuery>) -> Response {
    let scope = tri!(caller.require(Perm::Stats));
    let org = match web_core::pages::org_param(&s, &caller, Perm::Stats, &scope, &q.org).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let key = (org.id, today());
    let load = || async {
        let (parent, kids) = service::statistics::neighbours(&s.store, &caller, &org).await?;
        let report = service::statistics::report(&s.store, org, today()).await?;
        let charts = chart_set(&report);
        Ok::<_, service::ServiceError>(std::sync::Arc::new(StatsData { report, charts, parent, kids }))
    };
    let data = match s.kept.get::<Kept>().0.get_or_load(&s.store, caller.generations, key, load).await {
        Ok(d) => d,
        Err(e) => return caller.fail(e),
    };
    // the parent link only when the caller may see the parent (the cache is shared by callers)
    let parent = data
        .parent
        .clone()
        .filter(|_| domain::path::parent(&data.report.org.path).is_some_and(|pp| caller.can_at(Perm::Stats, pp)));
    render(&page(&caller, &data.report, &data.charts, parent, &data.kids))
}

/// GET /stats/export.csv?org={id}: every table of the page as one CSV (UTF-8 with BOM).
pub async fn stats_csv(State(s): State<Shared>, caller: Caller, Query(q): Query<StatsQuery>) -> Response {
    let scope = tri!(caller.require(Perm::Stats));
    let org = match web_core::pages::org_param(&s, &caller, Perm::Stats, &scope, &q.org).await {
        Ok(o) => o,
        Err(e) => return caller.fail(e),
    };
    let r = match service::statistics::report(&s.store, org, today()).await {
        Ok(r) => r,
        Err(e) => return caller.fail(e),
    };
    let quote = |v: &str| format!("\"{}\"", v.replace('"', "\"\""));
    let mut out = String::from("\u{feff}");
    out.push_str(&format!("{},{}\n", quote(&r.org.name), quote(&format!("统计日期 {}", r.today))));
    out.push_str("分组,项目,数量,占比\n");
    let groups: [(&str, &[Slice]); 8] = [
        ("人员类别", &r.by_category),
        ("性别", &r.by_sex),
        ("年龄", &r.by_age),
        ("民族", &r.by_ethnicity),
        ("学历", &r.by_education),
        ("职业", &r.by_occupation),
        ("党组织类别", &r.orgs_by_kind),
        ("基层党组织所属领域", &r.grassroots_by_sector),
    ];
    for (g, slices) in groups {
        let total: i64 = slices.iter().map(|s| s.count).sum();
        for sl in slices {
            out.push_str(&format!("{},{},{},{}\n", quote(g), quote(&sl.label), sl.count, share(sl.count, total)));
        }
    }
    for (label, c) in
        [("乡镇（街道）党务政务综合服务中心", r.township_centers), ("村（社区）党员群众综合服务站", r.village_stations)]
    {
        out.push_str(&format!(
            "{},{},{},{}\n",
            quote("服务阵地覆盖"),
            quote(&format!("{label}（已建成/应建）")),
            quote(&format!("{}/{}", c.covered, c.units)),
            share(c.covered, c.units)
        ));
    }
    let name = format!("{}-统计表-{}.csv", r.org.name, r.today.format("%Y%m%d"));
    let disposition = format!(
        "attachment; filename=\"dangjian-stats-{}.csv\"; filename*=UTF-8''{}",
        r.today.format("%Y%m%d"),
        urlencode(&name)
    );
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        out,
    )
        .into_response()
}

pub fn routes(r: Routes) -> Routes {
    r.add("GET", "/stats", Target::OrgQuery, get(stats)).add(
        "GET",
        "/stats/export.csv",
        Target::OrgQuery,
        get(stats_csv),
    )
}
