//! 创建活动 on SQLite and PostgreSQL: every indicator source answered as of a date (facility
//! coverage, organization life, branch secretaries' training, demonstration sites, funding,
//! accepted reported values); dispatch rounds computed, recomputed, published and then frozen
//! (by the store and by the database's triggers), ranked against the previous published round
//! and judged by the standard version in force on their date; what a participant, an outsider
//! and a non-chosen sibling see; the audit trail of every write; and the fields validation names.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::campaign::indicator::{Indicator, Scoring, StandardInput};
use domain::campaign::round::{Band, Measure};
use domain::campaign::site::SiteInput;
use domain::campaign::training::ClassInput;
use domain::campaign::{parse_leaders, CampaignInput, ValidCampaign};
use domain::life::{AttendanceInput, RecordInput};
use domain::member::{Category, MemberInput};
use domain::officer::OfficerInput;
use domain::org::{Facility, FacilityKind, FacilityStatus, OrgInput, OrgKind, Sector};
use domain::path;
use store::campaign::{self, measure, reported, round, site, standard, training, Campaign};
use store::testing::TestDb;
use store::{life, member, officer, org, NoProgress, Scope, Store, StoreError, Val};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-11-21";

fn built(kind: FacilityKind, year: Option<i32>) -> Facility {
    Facility { kind, status: FacilityStatus::Built, year }
}

fn planned(kind: FacilityKind) -> Facility {
    Facility { kind, status: FacilityStatus::Planned, year: None }
}

async fn mk_org(
    s: &Store,
    parent: Option<i64>,
    name: &str,
    kind: OrgKind,
    sector: Sector,
    founded: &str,
    facilities: Vec<Facility>,
) -> i64 {
    let input = OrgInput {
        name: name.into(),
        kind: Some(kind),
        sector: Some(sector),
        has_committee: true,
        founded_on: Some(d(founded)),
        facilities,
        ..Default::default()
    };
    org::create(s, &Scope::all(), parent, &input, d(TODAY)).await.unwrap().id
}

async fn mk_member(s: &Store, org: i64, name: &str, n: u32) -> i64 {
    let input = MemberInput {
        name: name.into(),
        id_number: domain::idcard::compose("110105", d("1970-01-01") + chrono::Duration::days(n as i64), 11 + n * 2),
        category: Some(Category::Full),
        join_date: Some(d("2000-07-01")),
        ..Default::default()
    };
    member::create(s, &Scope::all(), org, &input, d(TODAY)).await.unwrap().id
}

/// A province with two cities; the city issues the campaigns and has two counties (the
/// participants of a campaign one level down). County 甲: townships 甲一镇 (service centre built
/// 2025), 甲二镇 (built 2026), 甲三街道 (founded mid-2026, none) and an organs 工委 (not a
/// township); villages 一村 (station built 2020), 二村 (planned) and an organs branch (not a
/// village) under 甲一镇. County 乙: 乙一镇 (centre planned) with 社区 (station built, year
/// unknown), and 乙二镇 (centre built 2020) dissolved on 2026-02-01.
struct Tree {
    province: i64,
    city: i64,
    neighbour: i64,
    a: i64,
    b: i64,
    t1: i64,
    t4: i64,
    v1: i64,
    v2: i64,
    o1: i64,
    c1: i64,
    /// Branch secretaries: 一村, 二村 (until 2026-03-31), the organs branch (from 2026-05-01),
    /// 社区.
    s1: i64,
    s2: i64,
    s3: i64,
    s4: i64,
}

async fn build(s: &Store) -> Tree {
    use FacilityKind::{ServiceCenter as Centre, ServiceStation as Station};
    use OrgKind::*;
    let early = "2015-01-01";
    let province = mk_org(s, None, "中共样例省委", LocalCommittee, Sector::Organs, early, vec![]).await;
    let city = mk_org(s, Some(province), "中共样例市委", LocalCommittee, Sector::Organs, early, vec![]).await;
    let neighbour = mk_org(s, Some(province), "中共邻市委", LocalCommittee, Sector::Organs, early, vec![]).await;
    let a = mk_org(s, Some(city), "中共甲县委", LocalCommittee, Sector::Organs, early, vec![]).await;
    let b = mk_org(s, Some(city), "中共乙县委", LocalCommittee, Sector::Organs, early, vec![]).await;
    let t1 =
        mk_org(s, Some(a), "中共甲一镇委员会", Committee, Sector::Rural, early, vec![built(Centre, Some(2025))]).await;
    mk_org(s, Some(a), "中共甲二镇委员会", Committee, Sector::Rural, early, vec![built(Centre, Some(2026))]).await;
    mk_org(s, Some(a), "中共甲三街道工作委员会", WorkingCommittee, Sector::Community, "2026-06-01", vec![]).await;
    mk_org(
        s,
        Some(a),
        "中共甲县直属机关工作委员会",
        WorkingCommittee,
        Sector::Organs,
        early,
        vec![built(Centre, Some(2020))],
    )
    .await;
    let v1 = mk_org(s, Some(t1), "一村党支部", Branch, Sector::Rural, early, vec![built(Station, Some(2020))]).await;
    let v2 = mk_org(s, Some(t1), "二村党支部", Branch, Sector::Rural, early, vec![planned(Station)]).await;
    let o1 =
        mk_org(s, Some(t1), "甲一镇机关党支部", Branch, Sector::Organs, early, vec![built(Station, Some(2020))]).await;
    let t4 = mk_org(s, Some(b), "中共乙一镇委员会", Committee, Sector::Rural, early, vec![planned(Centre)]).await;
    let t5 =
        mk_org(s, Some(b), "中共乙二镇委员会", Committee, Sector::Rural, early, vec![built(Centre, Some(2020))]).await;
    org::dissolve(s, &Scope::all(), t5, d("2026-02-01")).await.unwrap();
    let c1 = mk_org(s, Some(t4), "乙一社区党支部", Branch, Sector::Community, early, vec![built(Station, None)]).await;
    Tree {
        province,
        city,
        neighbour,
        a,
        b,
        t1,
        t4,
        v1,
        v2,
        o1,
        c1,
        s1: mk_member(s, v1, "赵一村", 1).await,
        s2: mk_member(s, v2, "钱二村", 2).await,
        s3: mk_member(s, o1, "孙机关", 3).await,
        s4: mk_member(s, c1, "李社区", 4).await,
    }
}

async fn path_of(s: &Store, id: i64) -> String {
    org::get(s, &Scope::all(), id).await.unwrap().path
}

async fn scope_of(s: &Store, id: i64) -> Scope {
    Scope::subtrees([path_of(s, id).await])
}

fn campaign_input(name: &str, takes_part: &str) -> ValidCampaign {
    CampaignInput {
        name: name.into(),
        kind: "service".into(),
        starts_on: "2026-01-01".into(),
        ends_on: "2026-12-31".into(),
        takes_part: takes_part.into(),
        depth: "1".into(),
        name_top: "1".into(),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

/// The city's campaign over its counties.
async fn level_campaign(s: &Store, t: &Tree) -> Campaign {
    let issuer = org::visible(s, &Scope::all(), t.city).await.unwrap();
    let leaders = parse_leaders("组长 王某 市委副书记\n成员单位 市委组织部").unwrap();
    campaign::create(s, &Scope::all(), &issuer, &campaign_input("服务型党组织创建", "level"), &[], &leaders)
        .await
        .unwrap()
}

fn standard_input(valid_from: &str, lines: &str) -> domain::campaign::indicator::ValidStandard {
    StandardInput::from_lines(valid_from, "", lines).validate().unwrap()
}

fn ind(code: &str, source: &str, param: &str) -> Indicator {
    Indicator {
        code: code.into(),
        label: code.into(),
        source: source.into(),
        param: param.into(),
        weight: 10,
        scoring: Scoring::Linear,
        target_milli: 100_000,
        steps: vec![],
        unit: String::new(),
    }
}

/// One indicator of every source (and every parameter that changes what is counted).
fn every_source() -> Vec<Indicator> {
    vec![
        ind("centre", "facility_coverage", "service_center"),
        ind("station", "facility_coverage", "service_station"),
        ind("life", "life_completion", ""),
        ind("theme", "life_completion", "theme_day"),
        ind("findings", "life_findings", ""),
        ind("trained", "training_coverage", ""),
        ind("sites", "demo_sites", ""),
        ind("city_sites", "demo_sites", "city"),
        ind("county_sites", "demo_sites", "county"),
        ind("money", "funding", ""),
        ind("vol", "reported", ""),
    ]
}

async fn measured(s: &Store, c: &Campaign, on: &str) -> HashMap<(i64, String), Measure> {
    let issuer = org::visible(s, &Scope::all(), c.org_id).await.unwrap();
    let parts = campaign::participants(s, c, d(on)).await.unwrap();
    measure::measure(s, c, &issuer, &parts, &every_source(), d(on)).await.unwrap()
}

fn get(m: &HashMap<(i64, String), Measure>, org: i64, code: &str) -> Option<(f64, Option<f64>)> {
    m.get(&(org, code.to_string())).map(|x| (x.num, x.den))
}

fn share(num: f64, den: f64) -> Option<(f64, Option<f64>)> {
    Some((num, Some(den)))
}

fn count(n: f64) -> Option<(f64, Option<f64>)> {
    Some((n, None))
}

/// A 主题党日 with everyone on the roster present.
async fn theme_day(s: &Store, org: i64, held: &str) -> i64 {
    let roster = life::roster(s, &Scope::all(), org, d(held)).await.unwrap();
    let input = RecordInput {
        types: vec!["theme_day".into()],
        title: format!("{held} 主题党日"),
        held_on: held.into(),
        start_time: "14:30".into(),
        end_time: "16:00".into(),
        agenda: "一、学习传达上级精神；二、志愿服务".into(),
        place: "党员活动室".into(),
        host: "书记".into(),
        recorder: "组织委员".into(),
        minutes: "学习传达上级精神，开展志愿服务。".into(),
        attendance: roster
            .iter()
            .map(|r| AttendanceInput { member_id: r.member_id, status: "present".into(), reason: String::new() })
            .collect(),
        ..Default::default()
    };
    life::create(s, &Scope::all(), org, &input, false).await.unwrap().id
}

/// What the compliance engine says of the subtree at `root_path` in the year of `on` up to it:
/// (met, due) over every type or one, the findings and the organizations judged.
async fn life_of(s: &Store, issuer: i64, root_path: &str, on: &str, ty: Option<&str>) -> (i64, i64, usize, usize) {
    let on = d(on);
    let issuer = org::visible(s, &Scope::all(), issuer).await.unwrap();
    let from = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let e = life::evaluate(s, &issuer, from, on, on, None).await.unwrap();
    let mut out = (0, 0, 0, 0);
    for (o, r) in e.orgs.iter().zip(e.results.iter()) {
        if !path::is_within(&o.path, root_path) {
            continue;
        }
        let (met, due) = match ty {
            Some(t) => r.lines.iter().filter(|l| l.type_code == t).fold((0, 0), |a, l| (a.0 + l.met, a.1 + l.due)),
            None => (r.met, r.due),
        };
        out.0 += met;
        out.1 += due;
        out.2 += r.findings.len();
        out.3 += 1;
    }
    out
}

fn term(member: i64, from: &str, to: &str) -> domain::officer::ValidOfficer {
    domain::officer::validate(
        &OfficerInput {
            member_id: member.to_string(),
            role: "书记".into(),
            duties: String::new(),
            started_on: from.into(),
            ended_on: to.into(),
        },
        d(TODAY),
    )
    .unwrap()
}

fn class(name: &str, from: &str, to: &str) -> domain::campaign::training::ValidClass {
    ClassInput {
        name: name.into(),
        audience: "branch_secretaries".into(),
        starts_on: from.into(),
        ends_on: to.into(),
        sessions: "5".into(),
        place: "县委党校".into(),
    }
    .validate()
    .unwrap()
}

fn site_input(org: i64, level: &str, named: &str) -> domain::campaign::site::ValidSite {
    SiteInput {
        org_id: org.to_string(),
        level: level.into(),
        feature: "党建引领乡村振兴".into(),
        named_on: named.into(),
        cadres: "王某 市委组织部干部 2025-06-10".into(),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_indicator_source_is_measured_as_of_its_date() {
    for db in TestDb::both().await {
        let s = &db.store;
        let t = build(s).await;
        let all = Scope::all();
        let c = level_campaign(s, &t).await;
        standard::add(
            s,
            &all,
            c.id,
            &standard_input(
                "2026-01-01",
                "vol|志愿服务时长|reported||20|linear|100||小时\nmoney|投入经费|funding||80|linear|10",
            ),
        )
        .await
        .unwrap();
        let (a, b) = (t.a, t.b);
        let parts = campaign::participants(s, &c, d("2026-03-15")).await.unwrap();
        assert_eq!(parts.iter().map(|p| p.org_id).collect::<Vec<_>>(), [a, b], "the counties, in tree order");

        // facility coverage: service centres over townships, stations over villages and
        // communities; built in year Y counts from Y on; an organization founded after the date
        // or dissolved before it is not counted
        let m = measured(s, &c, "2025-12-31").await;
        assert_eq!(get(&m, a, "centre"), share(1.0, 2.0), "甲二镇's centre of 2026 not yet; 甲三街道 not yet founded");
        assert_eq!(get(&m, b, "centre"), share(1.0, 2.0), "乙二镇 still there with its centre");
        let m = measured(s, &c, "2026-03-15").await;
        assert_eq!(get(&m, a, "centre"), share(2.0, 2.0));
        assert_eq!(get(&m, b, "centre"), share(0.0, 1.0), "乙二镇 dissolved on 2026-02-01");
        assert_eq!(get(&m, a, "station"), share(1.0, 2.0), "一村 built, 二村 planned, the organs branch is no village");
        assert_eq!(get(&m, b, "station"), share(1.0, 1.0), "a station without a year counts");
        let m = measured(s, &c, "2026-07-01").await;
        assert_eq!(get(&m, a, "centre"), share(2.0, 3.0), "甲三街道 founded 2026-06-01, without a centre");
        let m = measured(s, &c, "2019-06-01").await;
        assert_eq!(get(&m, a, "station"), share(0.0, 2.0), "一村's station of 2020 not yet");
        assert_eq!(get(&m, b, "station"), share(1.0, 1.0));

        // organization life: as the compliance engine judges the year up to the date, over the
        // participant's subtree, every type or one
        let (a_path, b_path) = (path_of(s, a).await, path_of(s, b).await);
        let before = measured(s, &c, "2026-03-15").await;
        for (id, code) in [(t.v1, "2026-01-15"), (t.v1, "2026-02-15"), (t.v2, "2026-01-15"), (t.c1, "2026-02-15")] {
            theme_day(s, id, code).await;
        }
        let m = measured(s, &c, "2026-03-15").await;
        // every branch holds a 主题党日 monthly: January and February are over on 2026-03-15
        assert_eq!(get(&m, a, "theme"), share(3.0, 6.0), "甲: three branches, two months, three held");
        assert_eq!(get(&m, b, "theme"), share(1.0, 2.0), "乙: one community branch, one held");
        for (id, p) in [(a, &a_path), (b, &b_path)] {
            let (met, due, findings, orgs) = life_of(s, t.city, p, "2026-03-15", None).await;
            assert_eq!(get(&m, id, "life"), share(met as f64, due as f64));
            let per_org = (findings as f64 / orgs as f64 * 100.0).round() / 100.0;
            assert_eq!(get(&m, id, "findings"), count(per_org));
            let (met_t, due_t, _, _) = life_of(s, t.city, p, "2026-03-15", Some("theme_day")).await;
            assert_eq!(get(&m, id, "theme"), share(met_t as f64, due_t as f64));
        }
        let (num, den) = get(&m, a, "life").unwrap();
        let (num0, den0) = get(&before, a, "life").unwrap();
        assert_eq!((num - num0, den.unwrap() - den0.unwrap()), (3.0, 0.0), "three more periods met, the same ones due");

        // training coverage: branch secretaries in post on the date, trained in a class ending
        // in that year by the date
        officer::add(s, &all, t.v1, &term(t.s1, "2020-01-01", "")).await.unwrap();
        officer::add(s, &all, t.v2, &term(t.s2, "2020-01-01", "2026-03-31")).await.unwrap();
        officer::add(s, &all, t.o1, &term(t.s3, "2026-05-01", "")).await.unwrap();
        officer::add(s, &all, t.c1, &term(t.s4, "2021-01-01", "")).await.unwrap();
        let county_a = org::visible(s, &all, a).await.unwrap();
        let county_b = org::visible(s, &all, b).await.unwrap();
        let k0 =
            training::add(s, &all, &county_a, &class("2025年轮训班", "2025-11-20", "2025-11-30"), None).await.unwrap();
        training::attend(s, &all, k0.id, &[(t.s3, 5)]).await.unwrap();
        let k1 = training::add(s, &all, &county_a, &class("2026年第一期", "2026-03-01", "2026-03-10"), Some(c.id))
            .await
            .unwrap();
        let k1 = training::attend(s, &all, k1.id, &[(t.s1, 5), (t.s2, 3)]).await.unwrap();
        assert_eq!((k1.trainees, k1.completed), (2, 1), "3 of 5 sessions does not complete");
        let k2 = training::add(s, &all, &county_b, &class("2026年第二期", "2026-09-20", "2026-09-30"), Some(c.id))
            .await
            .unwrap();
        training::attend(s, &all, k2.id, &[(t.s4, 5)]).await.unwrap();
        let m = measured(s, &c, "2026-03-05").await;
        assert_eq!(get(&m, a, "trained"), share(0.0, 2.0), "the first class ends after the date");
        let m = measured(s, &c, "2026-03-15").await;
        assert_eq!(get(&m, a, "trained"), share(1.0, 2.0), "二村's secretary attended 3 of 5");
        assert_eq!(get(&m, b, "trained"), share(0.0, 1.0), "the second class ends after the date");
        let m = measured(s, &c, "2026-10-01").await;
        assert_eq!(
            get(&m, a, "trained"),
            share(1.0, 2.0),
            "二村's term ended; the organs branch's secretary trained in 2025"
        );
        assert_eq!(get(&m, b, "trained"), share(1.0, 1.0));

        // demonstration sites: named on or before the date, not revoked by it; by level
        site::add(s, &all, &site_input(t.v1, "市级", "2025-06-01"), Some(c.id)).await.unwrap();
        site::add(s, &all, &site_input(t.t1, "县级", "2026-05-01"), None).await.unwrap();
        let d3 = site::add(s, &all, &site_input(t.c1, "市级", "2025-01-01"), None).await.unwrap();
        site::review(s, &all, d3.id, d("2026-03-01"), true).await.unwrap();
        let d4 = site::add(s, &all, &site_input(t.t4, "县级", "2024-01-01"), None).await.unwrap();
        site::review(s, &all, d4.id, d("2025-06-01"), false).await.unwrap();
        site::review(s, &all, d4.id, d("2026-06-01"), true).await.unwrap();
        let m = measured(s, &c, "2026-03-15").await;
        assert_eq!(
            [get(&m, a, "sites"), get(&m, a, "city_sites"), get(&m, a, "county_sites")],
            [count(1.0), count(1.0), count(0.0)]
        );
        assert_eq!(
            [get(&m, b, "sites"), get(&m, b, "city_sites"), get(&m, b, "county_sites")],
            [count(1.0), count(0.0), count(1.0)],
            "the community's site revoked on 2026-03-01, the township's only on 2026-06-01"
        );
        let m = measured(s, &c, "2026-02-01").await;
        assert_eq!(get(&m, b, "sites"), count(2.0));
        let m = measured(s, &c, "2026-07-01").await;
        assert_eq!([get(&m, a, "sites"), get(&m, a, "county_sites")], [count(2.0), count(1.0)]);
        assert_eq!(get(&m, b, "sites"), count(0.0));

        // funding: every year up to the date's year, in 万元
        campaign::add_funding(s, &all, c.id, a, 2026, 50_000, "").await.unwrap();
        campaign::add_funding(s, &all, c.id, t.v1, 2025, 100_000, "村级阵地").await.unwrap();
        campaign::add_funding(s, &all, c.id, t.t1, 2027, 300_000, "").await.unwrap();
        campaign::add_funding(s, &all, c.id, b, 2026, 20_000, "").await.unwrap();
        let m = measured(s, &c, "2025-06-01").await;
        assert_eq!([get(&m, a, "money"), get(&m, b, "money")], [count(10.0), count(0.0)]);
        let m = measured(s, &c, "2026-03-15").await;
        assert_eq!([get(&m, a, "money"), get(&m, b, "money")], [count(15.0), count(2.0)]);
        let m = measured(s, &c, "2027-01-01").await;
        assert_eq!(get(&m, a, "money"), count(45.0));

        // reported: only accepted values dated on or before the date; the latest date wins, not
        // the latest entry
        let a_scope = scope_of(s, a).await;
        let rep = |on: &'static str, v: i64| {
            let (a_scope, cid) = (a_scope.clone(), c.id);
            async move { reported::submit(s, &a_scope, cid, a, "vol", d(on), v, "活动台账").await.unwrap().id }
        };
        let r2 = rep("2026-02-10", 20_000).await;
        let r1 = rep("2026-01-10", 10_000).await;
        let r3 = rep("2026-03-01", 99_000).await;
        rep("2026-03-05", 50_000).await;
        let r5 = rep("2026-04-01", 70_000).await;
        for r in [r2, r1, r5] {
            reported::review(s, &all, r, true, "").await.unwrap();
        }
        reported::review(s, &all, r3, false, "佐证材料不全").await.unwrap();
        let m = measured(s, &c, "2026-01-05").await;
        assert_eq!(get(&m, a, "vol"), None, "nothing accepted dated by then");
        let m = measured(s, &c, "2026-01-31").await;
        assert_eq!(get(&m, a, "vol"), count(10.0));
        let m = measured(s, &c, "2026-03-15").await;
        assert_eq!(get(&m, a, "vol"), count(20.0), "returned and unreviewed values do not count");
        assert_eq!(get(&m, b, "vol"), None, "乙 reported nothing");
        let m = measured(s, &c, "2026-05-01").await;
        assert_eq!(get(&m, a, "vol"), count(70.0));
        db.finish().await;
    }
}

/// A raw write around the store, in its own transaction (rolled back); the error's text.
async fn raw_write(s: &Store, sql: &str, a: &[Val]) -> String {
    let mut tx = s.begin().await.unwrap();
    let r = store::testing::raw(tx.x()).execute(sql, a).await;
    tx.rollback().await.ok();
    match r {
        Ok(n) => panic!("{sql} wrote {n} rows of a published round"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rounds_rank_recompute_publish_freeze_and_follow_the_standard_in_force() {
    for db in TestDb::both().await {
        let s = &db.store;
        let t = build(s).await;
        let all = Scope::all();
        let c = level_campaign(s, &t).await;
        let v1 = standard::add(
            s,
            &all,
            c.id,
            &standard_input(
                "2026-01-01",
                "centre|乡镇服务中心覆盖率|facility_coverage|service_center|50|linear|100\nmoney|投入经费|funding||50|linear|10",
            ),
        )
        .await
        .unwrap();
        campaign::add_funding(s, &all, c.id, t.a, 2026, 150_000, "").await.unwrap();

        // a draft, ranked: 甲 full marks, 乙 nothing
        let r1 = round::compute(s, &all, c.id, d("2026-03-15"), "", &NoProgress).await.unwrap();
        assert_eq!((r1.seq, r1.title.as_str(), r1.status.as_str(), r1.standard_id), (1, "第1次调度", "draft", v1.id));
        assert_eq!(r1.previous_id, None);
        let lines = round::lines(s, &r1).await.unwrap();
        let got: Vec<_> = lines.iter().map(|l| (l.org_id, l.rank, l.total_milli, l.band)).collect();
        assert_eq!(got, [(t.a, 1, 100_000, Band::Leader), (t.b, 2, 0, Band::Laggard)]);
        assert_eq!(lines[1].cell("centre").unwrap().value_milli, Some(0));

        // the data change, the draft is computed again with the new values
        campaign::add_funding(s, &all, c.id, t.b, 2026, 50_000, "").await.unwrap();
        let r1 = round::recompute(s, &all, r1.id, &NoProgress).await.unwrap();
        let lines = round::lines(s, &r1).await.unwrap();
        assert_eq!(lines[1].org_id, t.b);
        assert_eq!((lines[1].total_milli, lines[1].cell("money").unwrap().value_milli), (25_000, Some(5_000)));

        // publishing keeps the digest of what is stored
        let r1 = round::publish(s, &all, r1.id, "甲县领先，乙县经费投入不足").await.unwrap();
        assert!(r1.published() && r1.published_at.is_some());
        assert_eq!(r1.digest, round::digest_now(s, &r1).await.unwrap());
        assert_eq!(r1.summary, "甲县领先，乙县经费投入不足");

        // then the store refuses every change …
        assert!(matches!(round::recompute(s, &all, r1.id, &NoProgress).await, Err(StoreError::Refused(_))));
        assert!(matches!(round::discard(s, &all, r1.id).await, Err(StoreError::Refused(_))));
        assert!(matches!(round::publish(s, &all, r1.id, "again").await, Err(StoreError::Refused(_))));
        // … and so does the database, for any write going around the store
        let id = Val::from(r1.id);
        for (sql, a) in [
            ("UPDATE dispatch_line SET rank = 9 WHERE round_id = $1", vec![id.clone()]),
            ("UPDATE dispatch_line SET total_milli = total_milli + 1 WHERE round_id = $1", vec![id.clone()]),
            ("DELETE FROM dispatch_line WHERE round_id = $1", vec![id.clone()]),
            (
                "INSERT INTO dispatch_line (round_id, org_id, org_name, org_path, rank, total_milli, band, detail) \
                 VALUES ($1, $2, '中共邻市委', '', 3, 0, 'middle', '[]')",
                vec![id.clone(), Val::from(t.neighbour)],
            ),
            ("UPDATE dispatch_round SET summary = 'changed' WHERE id = $1", vec![id.clone()]),
            ("UPDATE dispatch_round SET status = 'draft' WHERE id = $1", vec![id.clone()]),
            ("DELETE FROM dispatch_round WHERE id = $1", vec![id.clone()]),
        ] {
            let e = raw_write(s, sql, &a).await;
            assert!(e.contains("published"), "{sql}: {e}");
        }
        let kept = round::get_round(s, &all, r1.id).await.unwrap().2;
        assert_eq!(kept, r1);
        assert_eq!(round::digest_now(s, &kept).await.unwrap(), r1.digest);
        assert_eq!(round::lines(s, &kept).await.unwrap(), lines);

        // a new version of the standard may not begin on or before the published round's date
        for on in ["2026-03-15", "2026-03-01"] {
            match standard::add(s, &all, c.id, &standard_input(on, "sites|示范点数量|demo_sites||100|linear|1")).await
            {
                Err(StoreError::Invalid(e)) => assert!(e.has("生效日期"), "{e}"),
                other => panic!("{on}: {other:?}"),
            }
        }
        let v2 =
            standard::add(s, &all, c.id, &standard_input("2026-07-01", "sites|示范点数量|demo_sites||100|linear|1"))
                .await
                .unwrap();

        // a second round: ranked against the published first, judged by the version in force on
        // its date (the old indicators before 2026-07-01)
        let r2 = round::compute(s, &all, c.id, d("2026-06-30"), "年中调度", &NoProgress).await.unwrap();
        assert_eq!((r2.seq, r2.standard_id, r2.previous_id), (2, v1.id, Some(r1.id)));
        let l2 = round::lines(s, &r2).await.unwrap();
        let prev: Vec<_> = l2.iter().map(|l| (l.org_id, l.previous_rank)).collect();
        assert_eq!(prev, [(t.a, Some(1)), (t.b, Some(2))]);
        let codes: Vec<&str> = l2[0].cells.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, ["centre", "money"]);
        let r2 = round::publish(s, &all, r2.id, "").await.unwrap();
        let r3 = round::compute(s, &all, c.id, d("2026-07-15"), "", &NoProgress).await.unwrap();
        assert_eq!((r3.seq, r3.standard_id, r3.previous_id), (3, v2.id, Some(r2.id)));
        let l3 = round::lines(s, &r3).await.unwrap();
        assert_eq!(l3[0].cells.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(), ["sites"]);
        // a draft may be thrown away; the round before a campaign starts is refused
        round::discard(s, &all, r3.id).await.unwrap();
        assert!(matches!(round::get_round(s, &all, r3.id).await, Err(StoreError::NotFound(_))));
        match round::compute(s, &all, c.id, d("2025-12-31"), "", &NoProgress).await {
            Err(StoreError::Invalid(e)) => assert!(e.has("调度日期"), "{e}"),
            other => panic!("{other:?}"),
        }
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn participants_see_their_own_lines_outsiders_nothing() {
    for db in TestDb::both().await {
        let s = &db.store;
        let t = build(s).await;
        let all = Scope::all();
        let c = level_campaign(s, &t).await;
        standard::add(s, &all, c.id, &standard_input("2026-01-01", "money|投入经费|funding||100|linear|10"))
            .await
            .unwrap();
        let (a_path, b_path, v1_path) = (path_of(s, t.a).await, path_of(s, t.b).await, path_of(s, t.v1).await);

        // the issuer's side and above: in full
        for id in [t.city, t.province] {
            let (_, acc) = campaign::get(s, &scope_of(s, id).await, c.id).await.unwrap();
            assert!(acc.full && acc.sees(&b_path));
        }
        // a participant county: the campaign, its own line only; nothing to change
        let a_scope = scope_of(s, t.a).await;
        let (seen, acc) = campaign::get(s, &a_scope, c.id).await.unwrap();
        assert_eq!(seen.id, c.id);
        assert!(!acc.full);
        assert!(acc.sees(&a_path) && acc.sees(&v1_path) && !acc.sees(&b_path));
        assert!(matches!(campaign::get_full(s, &a_scope, c.id).await, Err(StoreError::NotFound(_))));
        assert_eq!(campaign::list(s, &a_scope).await.unwrap().len(), 1);
        // outside the issuer's subtree: not found
        let outside = scope_of(s, t.neighbour).await;
        assert!(matches!(campaign::get(s, &outside, c.id).await, Err(StoreError::NotFound(_))));
        assert!(campaign::list(s, &outside).await.unwrap().is_empty());

        // a draft round is the issuer's alone; once published the participant sees it
        let r = round::compute(s, &all, c.id, d("2026-03-15"), "", &NoProgress).await.unwrap();
        assert!(matches!(round::get_round(s, &a_scope, r.id).await, Err(StoreError::NotFound(_))));
        assert!(round::list(s, &seen, &acc).await.unwrap().is_empty());
        round::get_round(s, &all, r.id).await.unwrap();
        round::publish(s, &all, r.id, "").await.unwrap();
        let (_, acc2, got) = round::get_round(s, &a_scope, r.id).await.unwrap();
        assert!(!acc2.full && got.published());
        let visible: Vec<i64> = round::lines(s, &got)
            .await
            .unwrap()
            .into_iter()
            .filter(|l| acc2.sees(&l.org_path))
            .map(|l| l.org_id)
            .collect();
        assert_eq!(visible, [t.a]);
        assert!(matches!(round::get_round(s, &outside, r.id).await, Err(StoreError::NotFound(_))));

        // a campaign over a chosen set: invisible under a non-chosen sibling
        let issuer = org::visible(s, &all, t.city).await.unwrap();
        let chosen =
            campaign::create(s, &all, &issuer, &campaign_input("示范县创建", "chosen"), &[t.a], &[]).await.unwrap();
        assert_eq!(campaign::chosen(s, &chosen).await.unwrap(), [(t.a, "中共甲县委".to_string())]);
        let v1_scope = scope_of(s, t.v1).await;
        let (_, acc) = campaign::get(s, &v1_scope, chosen.id).await.unwrap();
        assert!(!acc.full && acc.sees(&a_path) && !acc.sees(&b_path));
        for id in [t.b, t.t4, t.c1] {
            let sc = scope_of(s, id).await;
            assert!(matches!(campaign::get(s, &sc, chosen.id).await, Err(StoreError::NotFound(_))), "{id}");
            let listed: Vec<i64> = campaign::list(s, &sc).await.unwrap().into_iter().map(|(c, _)| c.id).collect();
            assert_eq!(listed, [c.id], "the level campaign only");
        }
        db.finish().await;
    }
}

async fn last_action(s: &Store) -> (String, String) {
    let r = store::audit::recent(s, 1).await.unwrap().remove(0);
    (r.action, r.result)
}

async fn audited(s: &Store, action: &str) {
    assert_eq!(last_action(s).await, (action.to_string(), "ok".to_string()), "the last write is audited as {action}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_is_audited() {
    for db in TestDb::both().await {
        let s = &db.store;
        let t = build(s).await;
        let all = Scope::all();
        let c = level_campaign(s, &t).await;
        audited(s, "campaign.create").await;
        let mut changed = campaign_input("服务型党组织创建（第二阶段）", "level");
        changed.theme = "服务群众".into();
        let c = campaign::update(s, &all, c.id, c.version, &changed, &[], &[]).await.unwrap();
        audited(s, "campaign.update").await;
        assert_eq!(c.version, 2);
        standard::add(
            s,
            &all,
            c.id,
            &standard_input(
                "2026-01-01",
                "vol|志愿服务时长|reported||50|linear|100||小时\nmoney|投入经费|funding||50|linear|10",
            ),
        )
        .await
        .unwrap();
        audited(s, "campaign.standard").await;
        campaign::add_funding(s, &all, c.id, t.a, 2026, 10_000, "").await.unwrap();
        audited(s, "campaign.funding").await;
        let r1 = reported::submit(s, &all, c.id, t.a, "vol", d("2026-02-01"), 12_000, "台账").await.unwrap();
        audited(s, "campaign.report").await;
        let r2 = reported::submit(s, &all, c.id, t.b, "vol", d("2026-02-01"), 8_000, "台账").await.unwrap();
        reported::review(s, &all, r1.id, true, "").await.unwrap();
        audited(s, "campaign.report_accept").await;
        let back = reported::review(s, &all, r2.id, false, "缺少佐证").await.unwrap();
        audited(s, "campaign.report_return").await;
        assert_eq!((back.status_label(), back.reason.as_str()), ("已退回", "缺少佐证"));
        let r = round::compute(s, &all, c.id, d("2026-03-01"), "", &NoProgress).await.unwrap();
        audited(s, "dispatch.compute").await;
        round::recompute(s, &all, r.id, &NoProgress).await.unwrap();
        audited(s, "dispatch.recompute").await;
        round::publish(s, &all, r.id, "").await.unwrap();
        audited(s, "dispatch.publish").await;
        let meeting = round::MeetingInput {
            kind: "site".into(),
            held_on: d("2026-03-20"),
            place: "甲一镇".into(),
            speakers: format!("{}:county:中共甲县委", t.a),
            ..Default::default()
        };
        round::add_meeting(s, &all, r.id, &meeting).await.unwrap();
        audited(s, "dispatch.meeting").await;
        let draft = round::compute(s, &all, c.id, d("2026-04-01"), "", &NoProgress).await.unwrap();
        round::discard(s, &all, draft.id).await.unwrap();
        audited(s, "dispatch.discard").await;
        let site = site::add(s, &all, &site_input(t.v1, "市级", "2025-06-01"), Some(c.id)).await.unwrap();
        audited(s, "demo_site.add").await;
        site::review(s, &all, site.id, d("2026-01-10"), false).await.unwrap();
        audited(s, "demo_site.review").await;
        site::review(s, &all, site.id, d("2026-06-10"), true).await.unwrap();
        audited(s, "demo_site.revoke").await;
        let county = org::visible(s, &all, t.a).await.unwrap();
        let k =
            training::add(s, &all, &county, &class("轮训班", "2026-03-01", "2026-03-10"), Some(c.id)).await.unwrap();
        audited(s, "training.add").await;
        training::attend(s, &all, k.id, &[(t.s1, 5)]).await.unwrap();
        audited(s, "training.attend").await;
        assert!(store::audit::verify(s).await.unwrap().records > 0);
        db.finish().await;
    }
}

fn invalid(r: Result<impl std::fmt::Debug, StoreError>, field: &str) {
    match r {
        Err(StoreError::Invalid(e)) => assert!(e.has(field), "{field}: {e}"),
        other => panic!("{field}: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_names_the_field() {
    for db in TestDb::both().await {
        let s = &db.store;
        let t = build(s).await;
        let all = Scope::all();
        let c = level_campaign(s, &t).await;
        standard::add(s, &all, c.id, &standard_input("2026-01-01", "vol|志愿服务时长|reported||100|linear|100||小时"))
            .await
            .unwrap();
        let r = reported::submit(s, &all, c.id, t.a, "vol", d("2026-02-01"), 12_000, "台账").await.unwrap();
        invalid(reported::review(s, &all, r.id, false, "  ").await, "退回理由");
        assert_eq!(reported::list(s, &all, &c).await.unwrap()[0].status, "submitted", "nothing was written");
        invalid(campaign::add_funding(s, &all, c.id, t.neighbour, 2026, 10_000, "").await, "投入单位");
        // a campaign over a chosen set: the chosen county, what is below it and the issuer
        // above it are in it; the sibling county is not
        let issuer = org::visible(s, &all, t.city).await.unwrap();
        let chosen =
            campaign::create(s, &all, &issuer, &campaign_input("示范县创建", "chosen"), &[t.a], &[]).await.unwrap();
        for id in [t.a, t.v1, t.city] {
            campaign::add_funding(s, &all, chosen.id, id, 2026, 10_000, "").await.unwrap();
        }
        for id in [t.b, t.c1] {
            invalid(campaign::add_funding(s, &all, chosen.id, id, 2026, 10_000, "").await, "投入单位");
        }
        let county = org::visible(s, &all, t.a).await.unwrap();
        let k = training::add(s, &all, &county, &class("轮训班", "2026-03-01", "2026-03-10"), None).await.unwrap();
        invalid(training::attend(s, &all, k.id, &[(t.s1, 6)]).await, "出勤课次");
        assert_eq!(training::get(s, &all, k.id).await.unwrap().trainees, 0, "nothing was written");
        db.finish().await;
    }
}
