//! Demo builds: the district on SQLite and PostgreSQL, determinism per seed, and the city of
//! speech 000 with its exact figures.

use std::collections::{BTreeSet, HashSet};

use chrono::NaiveDate;
use demo::{build, DemoOptions, DemoSummary, Scale};
use domain::member::{Category, Member, Sex};
use domain::org::Org;
use store::testing::TestDb;
use store::{args, member, org, rollup, NoProgress, Scope, Store};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 21).expect("date")
}

fn opts(scale: Scale, seed: u64) -> DemoOptions {
    DemoOptions { scale, seed, today: today() }
}

async fn snapshot(s: &Store, root: i64) -> (Vec<Org>, Vec<Member>) {
    let all = Scope::all();
    let mut orgs: Vec<Org> = org::subtree(s, &all, root, None).await.unwrap().into_iter().map(|n| n.org).collect();
    org::load_facilities(s.read(), &mut orgs).await.unwrap();
    let mut members = Vec::new();
    member::for_each_chunk(s, &all, root, 5000, |c| {
        members.extend(c);
        Ok(())
    })
    .await
    .unwrap();
    (orgs, members)
}

async fn count(s: &Store, sql: &str, a: &[store::Val]) -> u64 {
    store::testing::raw(s.read()).scalar(sql, a).await.unwrap() as u64
}

/// Every member is valid as generated: ID numbers parse and agree with sex and birth date, are
/// unique, join dates respect age and probation.
fn check_members(members: &[Member]) {
    let today = today();
    let mut seen = HashSet::new();
    for m in members {
        let id = domain::idcard::parse(&m.id_number, today).unwrap_or_else(|e| panic!("{}: {e}", m.id_number));
        assert_eq!(id.number, m.id_number);
        assert_eq!(id.birth, m.birth_date, "{}", m.id_number);
        assert_eq!(id.sex == domain::idcard::Sex::Male, m.sex == Sex::Male, "{}", m.id_number);
        assert!(id.region.starts_with("52"), "{}", m.id_number);
        assert!(seen.insert(m.id_number.clone()), "duplicate {}", m.id_number);
        assert!(domain::dates::age_on(m.birth_date, m.join_date) >= 18, "{m:?}");
        assert!(m.join_date <= today);
        match m.category {
            Category::Full => assert_eq!(m.full_date, Some(domain::dates::add_years(m.join_date, 1)), "{m:?}"),
            Category::Probationary => {
                assert_eq!(m.full_date, None);
                assert!(domain::dates::add_years(m.join_date, 2) >= today, "{m:?}");
            }
        }
        assert!(domain::member::parse_ethnicity(&m.ethnicity).is_some());
        assert_eq!(m.is_mobile, m.mobile_to.is_some());
        if let Some(p) = &m.phone {
            assert!(p.len() == 11 && p.starts_with('1'), "{p}");
        }
        assert!((1..=4).contains(&m.name.chars().count()), "{}", m.name);
    }
    let share = |f: &dyn Fn(&Member) -> bool| members.iter().filter(|m| f(m)).count() as f64 / members.len() as f64;
    let prob = share(&|m| m.category == Category::Probationary);
    assert!((0.015..0.05).contains(&prob), "probationary share {prob}");
    assert!(share(&|m| m.is_mobile) > 0.01);
    assert!(share(&|m| m.is_lost_contact) > 0.0);
    assert!(share(&|m| m.is_needy) > 0.005);
    assert!(share(&|m| m.ethnicity != "汉族") > 0.05);
    assert!(share(&|m| m.sex == Sex::Female) > 0.15);
}

/// What holds for every build.
async fn check_build(s: &Store, sum: &DemoSummary) {
    let all = Scope::all();
    assert_eq!(count(s, "SELECT CAST(COUNT(*) AS BIGINT) FROM org", &[]).await, sum.orgs);
    assert_eq!(count(s, "SELECT CAST(COUNT(*) AS BIGINT) FROM member WHERE status = 'normal'", &[]).await, sum.members);
    assert_eq!(rollup::subtree(s, &all, sum.root_id).await.unwrap().total as u64, sum.members);
    assert!(rollup::verify(s).await.unwrap().is_empty(), "roll-ups agree with a recompute");
    assert_eq!(
        count(
            s,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM org_facility WHERE kind = 'service_center' AND status = 'built'",
            &[]
        )
        .await,
        sum.service_centers_built
    );
    assert_eq!(
        count(
            s,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM org_facility WHERE kind = 'service_station' AND status = 'built'",
            &[]
        )
        .await,
        sum.service_stations_built
    );
    // every parent's next child number is past its children, so new organizations get fresh paths
    let clash = count(
        s,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM org c JOIN org p ON c.parent_id = p.id \
         WHERE length(c.path) <> length(p.path) + 4 OR substr(c.path, 1, length(p.path)) <> p.path",
        &[],
    )
    .await;
    assert_eq!(clash, 0, "children's paths extend their parent's");
    let findings = org::findings(s, &all, sum.root_id, today()).await.unwrap();
    let ids: BTreeSet<&str> = findings.iter().map(|f| f.finding.rule_id).collect();
    for rule in ["ORG-01", "ORG-02", "ORG-05", "ORG-06", "ORG-07", "TERM-04", "TERM-05"] {
        assert!(ids.contains(rule), "no {rule} finding: {ids:?}");
    }
    // most organizations comply: deliberate breaches are a few per cent of grassroots organizations
    let structural = findings.iter().filter(|f| f.finding.rule_id.starts_with("ORG")).count() as f64;
    assert!(structural < 0.06 * sum.grassroots_orgs as f64, "{structural} structural findings");
    let overdue = findings.iter().filter(|f| f.finding.rule_id == "TERM-04").count() as f64;
    assert!(overdue < 0.06 * sum.grassroots_orgs as f64, "{overdue} overdue terms");
    // new organizations can still be created anywhere in the built tree: every parent's next
    // child number is past the children written in bulk
    let county: (i64,) = store::testing::raw(s.read())
        .fetch_one("SELECT id FROM org WHERE kind = 'local_committee' ORDER BY path DESC LIMIT 1", &[])
        .await
        .unwrap();
    let township: (i64,) = store::testing::raw(s.read())
        .fetch_one("SELECT id FROM org WHERE parent_id = $1 ORDER BY path LIMIT 1", &args![county.0])
        .await
        .unwrap();
    for parent in [sum.root_id, county.0, township.0] {
        let input = domain::org::OrgInput {
            name: "新建测试党支部".into(),
            kind: Some(domain::org::OrgKind::Branch),
            sector: Some(domain::org::Sector::Other),
            ..Default::default()
        };
        let o = org::create(s, &all, Some(parent), &input, today()).await.unwrap();
        org::dissolve(s, &all, o.id, today()).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn district_builds_on_both_backends() {
    let mut snaps = Vec::new();
    for db in TestDb::both().await {
        let s = db.store.clone();
        let sum = build(&s, &opts(Scale::District, 7), &NoProgress).await.unwrap();
        assert_eq!(sum.root_name, "中共播州区委");
        assert_eq!((sum.counties, sum.prefectures), (1, 0));
        assert!(sum.townships >= 15 && sum.villages_communities >= 120, "{sum:?}");
        assert!((250..=600).contains(&sum.orgs), "{} orgs", sum.orgs);
        assert!((4_500..=9_000).contains(&sum.members), "{} members", sum.members);
        assert!(sum.report().contains("中共播州区委"));
        check_build(&s, &sum).await;
        crate::campaign::check(&s, &sum, today()).await;
        check_survey(&s, &sum).await;
        // 软弱涣散: every state of WEAK-05, last year's identification closed, overdue items found
        let states: Vec<&str> = sum.weak_and_lax.by_state.iter().map(|(c, _)| c.as_str()).collect();
        for st in ["suspected", "dismissed", "confirmed", "rectifying", "accepted", "monitored", "closed"] {
            assert!(states.contains(&st), "{st} in {:?}", sum.weak_and_lax);
        }
        assert!(sum.weak_and_lax.findings > 0 && sum.weak_and_lax.items > 0, "{:?}", sum.weak_and_lax);
        check_grading(&s, &sum).await;
        check_first_secretaries(&s, &sum).await;
        let snap = snapshot(&s, sum.root_id).await;
        check_members(&snap.1);
        assert_eq!(snap.1.len() as u64, sum.members);
        snaps.push(snap);
        // a second build is refused, with a reason
        let e = build(&s, &opts(Scale::District, 7), &NoProgress).await.unwrap_err();
        assert!(e.to_string().contains("已有"), "{e}");
        db.finish().await;
    }
    assert!(snaps[0] == snaps[1], "SQLite and PostgreSQL hold the same data for the same seed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_seed_same_data_other_seed_other_data() {
    let mut snaps = Vec::new();
    let mut sums = Vec::new();
    for seed in [11, 11, 12] {
        let db = TestDb::sqlite().await;
        let sum = build(&db.store, &opts(Scale::District, seed), &NoProgress).await.unwrap();
        snaps.push(snapshot(&db.store, sum.root_id).await);
        sums.push(sum);
        db.finish().await;
    }
    assert_eq!(sums[0], sums[1]);
    assert!(snaps[0].0 == snaps[1].0, "same organizations");
    assert!(snaps[0].1 == snaps[1].1, "same members");
    assert!(snaps[0].0 != snaps[2].0, "another seed, other organizations");
    let names = |v: &[Member]| v.iter().map(|m| m.id_number.clone()).collect::<Vec<_>>();
    assert_ne!(names(&snaps[0].1), names(&snaps[2].1), "another seed, other members");
    // the district's figures for the service network do not depend on the seed's luck elsewhere
    assert_eq!(sums[0].townships, sums[2].townships);
}

/// Speech 000: 243 townships and streets, 224 with service centres (92%); 1990 villages and
/// communities, 1276 with service stations; speech 002: about 3,900 grassroots organizations.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn city_reproduces_the_speech_figures() {
    let db = TestDb::sqlite().await;
    let s = &db.store;
    let sum = build(s, &opts(Scale::City, 2026), &NoProgress).await.unwrap();
    assert_eq!(sum.root_name, "中共遵义市委");
    assert_eq!(sum.counties, 14);
    assert_eq!(sum.townships, 243);
    assert_eq!(sum.villages_communities, 1990);
    assert_eq!(sum.service_centers_built, 224);
    assert_eq!(sum.service_stations_built, 1276);
    assert!((3_700..=4_100).contains(&sum.grassroots_orgs), "{} grassroots organizations", sum.grassroots_orgs);
    let per_branch = sum.members_per_branch();
    assert!((18.0..=26.0).contains(&per_branch), "{per_branch} members per branch");
    let report = sum.report();
    assert!(report.contains("92.2%") && report.contains("64.1%"), "{report}");

    // the same figures, counted in the database
    let root = sum.root_id;
    let counties = "SELECT id FROM org WHERE parent_id = $1 AND kind = 'local_committee'";
    assert_eq!(count(s, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM ({counties}) c"), &args![root]).await, 14);
    let towns = format!(
        "SELECT id FROM org WHERE parent_id IN ({counties}) AND kind IN ('committee', 'working_committee') \
         AND sector IN ('rural', 'community')"
    );
    assert_eq!(count(s, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM ({towns}) t"), &args![root]).await, 243);
    let villages = format!("SELECT id FROM org WHERE parent_id IN ({towns}) AND sector IN ('rural', 'community')");
    assert_eq!(count(s, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM ({villages}) v"), &args![root]).await, 1990);
    let built = |kind: &str, of: &str| {
        format!("SELECT CAST(COUNT(*) AS BIGINT) FROM org_facility WHERE kind = '{kind}' AND status = 'built' AND org_id IN ({of})")
    };
    assert_eq!(count(s, &built("service_center", &towns), &args![root]).await, 224);
    assert_eq!(count(s, &built("service_station", &villages), &args![root]).await, 1276);
    let grassroots = count(
        s,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM org WHERE kind IN ('committee', 'working_committee', 'organs_committee', \
         'general_branch', 'branch', 'joint_branch', 'temporary_branch')",
        &[],
    )
    .await;
    assert_eq!(grassroots, sum.grassroots_orgs);
    let mut kids = org::children(s, &Scope::all(), root).await.unwrap().into_iter().map(|o| o.name).collect::<Vec<_>>();
    kids.sort();
    for name in ["中共湄潭县委", "中共红花岗区委", "中共道真仡佬族苗族自治县委", "中共赤水市委"]
    {
        assert!(kids.iter().any(|k| k == name), "{name} missing: {kids:?}");
    }
    // non-public enterprises are organised all three ways
    for formed in ["single", "joint", "industry"] {
        let n = count(
            s,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM org WHERE sector = 'private_enterprise' AND formed_by = $1",
            &args![formed],
        )
        .await;
        assert!(n > 0, "no non-public organization formed by {formed}");
    }
    // villages mostly meet the funding thresholds of speech 002
    let funded = count(
        s,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM org WHERE id IN ({villages}) AND sector = 'rural' AND annual_funds >= 7000"),
        &args![root],
    )
    .await;
    assert!(funded as f64 > 0.8 * sum.villages as f64, "{funded} of {} villages funded", sum.villages);
    check_build(s, &sum).await;
    crate::campaign::check_city(s, &sum, today()).await;
    db.finish().await;
}

/// The district's 满意度测评: answered by members and residents, some targets below 90 %
/// (GRADE-06 has work to do), some without a resident base (未录入群众基数).
async fn check_survey(s: &Store, sum: &DemoSummary) {
    assert_eq!(sum.surveys, 1, "{sum:?}");
    assert!(sum.survey_answers > 500, "{} answers", sum.survey_answers);
    assert!(sum.report().contains("测评：1 个"));
    let root = store::org::visible(s, &store::Scope::all(), sum.root_id).await.unwrap();
    let (list, _) = store::survey::list(s, &root, 10, 0).await.unwrap();
    let t = store::survey::satisfaction(s, list[0].id, None, today()).await.unwrap();
    assert!(t.iter().any(|x| x.below(900)) && t.iter().any(|x| x.rate_permille.is_some_and(|r| r >= 900)));
    assert!(t.iter().any(|x| x.meets_coverage.is_none()) && t.iter().all(|x| x.member_answers <= x.members));
}

/// 第一书记 and 支部联系人: the weak villages have first secretaries (all but one, whose WEAK-06
/// link is still found missing), one term ends within 90 days, instructors serve firms; most
/// branches have a contact, some none, one contact is over the limit, and the attendance rates come
/// from the meeting records the contacts sat in on.
async fn check_first_secretaries(s: &store::Store, sum: &demo::DemoSummary) {
    let f = &sum.first_secretaries;
    assert!(f.first_secretaries > 3 && f.weak_covered > 0 && f.ending_soon > 0, "{f:?}");
    assert!(f.instructors > 0 && f.logs > 0 && f.assessments > 0 && f.short_months > 0, "{f:?}");
    assert!(f.contacts > f.without_contact && f.without_contact > 0 && f.over_limit == 1 && f.attended > 0, "{f:?}");
    let all = store::Scope::all();
    let root = store::org::visible(s, &all, sum.root_id).await.unwrap();
    let today = today();
    let from = chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 1, 1).unwrap();
    let att = store::contact_person::attendance(s, &root, from, today).await.unwrap();
    assert!(att.iter().any(|a| a.rate_permille.is_some_and(|r| r > 0 && r < 1000)), "rates from the records");
    let missing = store::weak_and_lax::findings(s, &root, 500, 0).await.unwrap().0;
    assert!(
        missing.iter().any(|x| x.kind == "missing_link" && x.message.contains("驻村第一书记")),
        "one weak village left"
    );
    assert!(sum.report().contains("第一书记"));
}

/// 分类定级: two final years and this year's cycle; the final grades spread over the scheme's
/// grades (GRADE-09's shape), both years share organizations so moving up has transitions, and
/// this year's satisfaction rates come from the 测评 tally, the GRADE-06 cap acting on some.
async fn check_grading(s: &store::Store, sum: &demo::DemoSummary) {
    let g = &sum.grading;
    assert_eq!(g.cycles, 3, "{g:?}");
    assert!(g.final_grades > 100 && g.objections > 0 && g.from_surveys > 0, "{g:?}");
    let raw = || store::testing::raw(s.read());
    let grades =
        raw().scalar("SELECT COUNT(DISTINCT grade) FROM grade_entry WHERE state = 'final'", &[]).await.unwrap();
    assert!(grades >= 3, "final grades spread over the scheme: {grades}");
    let capped = raw()
        .scalar(
            "SELECT COUNT(*) FROM grade_entry e JOIN grade_cycle c ON c.id = e.cycle_id \
             WHERE e.lowered_by LIKE '%GRADE-06%' AND e.satisfaction_source LIKE '测评《%'",
            &[],
        )
        .await
        .unwrap();
    assert!(capped > 0, "the cap acts on a survey's rate this year");
    assert!(sum.report().contains("分类定级"));
}
