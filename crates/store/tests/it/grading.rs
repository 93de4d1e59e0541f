//! The grading cycle on SQLite and PostgreSQL: the scheme version in force in the cycle's year is
//! the one applied (a version starting the next year is not), grades follow the bounds on both
//! sides, the satisfaction cap and a veto lower the grade and are named, quotas warn without
//! demoting, two assessors scoring at once both keep their scores, publicity takes the scheme's
//! days, objections are raised in the window and answered, finalizing is refused early and with
//! an unanswered objection, a reviewed final grade is recorded, and moving up reads two years'
//! final grades. Every write is audited; a sibling subtree sees nothing.

use chrono::NaiveDate;
use domain::grading::{grade_progress, AssessorKind, Catalogue, Scheme, StepPreset};
use domain::org::{OrgInput, OrgKind, Sector};
use store::grading::{self as g, ScoreInput};
use store::testing::TestDb;
use store::{org, Actor, Scope, Store, StoreError};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn mk(s: &Store, parent: Option<i64>, name: &str, kind: OrgKind, sector: Sector) -> i64 {
    let input = OrgInput {
        name: name.into(),
        kind: Some(kind),
        sector: Some(sector),
        has_committee: kind != OrgKind::Branch,
        founded_on: Some(d("2015-01-01")),
        ..Default::default()
    };
    org::create(s, &Scope::all(), parent, &input, d("2026-01-05")).await.unwrap().id
}

async fn scope_of(s: &Store, id: i64, name: &str) -> Scope {
    Scope::subtrees([org::get(s, &Scope::all(), id).await.unwrap().path]).acting_as(Actor::new(name, "组织部管理员"))
}

fn full(cat: &Catalogue, points: i64) -> Vec<ScoreInput> {
    // the assessed items scored at `points` percent of their full points
    cat.scored()
        .filter(|i| i.kind == domain::grading::ItemKind::Assessed)
        .map(|i| ScoreInput {
            item: i.code.clone(),
            points_milli: i.max_milli * points / 100,
            note: String::new(),
            version: 0,
        })
        .collect()
}

/// A catalogue of assessed items only (100 points) plus a veto: totals are what the assessors give.
fn assessed_only() -> Catalogue {
    let mut c = Catalogue::preset();
    c.items.retain(|i| matches!(i.kind, domain::grading::ItemKind::Assessed | domain::grading::ItemKind::Veto));
    let extra = 100_000 - c.base_items().map(|i| i.max_milli).sum::<i64>();
    c.items[0].max_milli += extra;
    c.validate().unwrap();
    c
}

#[tokio::test]
async fn a_cycle_from_scores_to_final_grades() {
    for db in TestDb::both().await {
        let s = &db.store;
        let city = mk(s, None, "中共样例市委", OrgKind::LocalCommittee, Sector::Other).await;
        let county = mk(s, Some(city), "中共甲县委", OrgKind::LocalCommittee, Sector::Other).await;
        let town = mk(s, Some(county), "中共一镇委员会", OrgKind::Committee, Sector::Rural).await;
        let mut branches = Vec::new();
        for i in 0..4 {
            branches.push(mk(s, Some(town), &format!("{i}村党支部"), OrgKind::Branch, Sector::Rural).await);
        }
        let other = mk(s, Some(city), "中共乙县委", OrgKind::LocalCommittee, Sector::Other).await;
        let other_branch = mk(s, Some(other), "乙村党支部", OrgKind::Branch, Sector::Rural).await;
        let sc = scope_of(s, county, "县委组织部").await;
        let root = org::visible(s, &sc, county).await.unwrap();

        // GRADE-05/06 in force from 2024; a stricter version starting 2027 must not apply to 2026
        let scheme =
            g::create_scheme(s, &sc, &root, "县分类定级办法", d("2024-01-01"), &Scheme::preset("points").unwrap())
                .await
                .unwrap();
        let mut strict = Scheme::preset("points").unwrap();
        strict.bands[0].min_milli = 99_000;
        g::add_scheme_version(s, &sc, scheme.id, d("2027-01-01"), &strict, "2027年起提高标准").await.unwrap();
        let cat = assessed_only();
        let catalogue = g::create_catalogue(s, &sc, &root, "县定级指标", d("2024-01-01"), &cat).await.unwrap();
        let c = g::open_cycle(
            s,
            &sc,
            &root,
            2026,
            "2026年度分类定级",
            scheme.id,
            catalogue.id,
            &StepPreset::Grade07.steps(),
        )
        .await
        .unwrap();
        let sv = g::scheme_version(s, c.scheme_version_id).await.unwrap();
        assert_eq!(sv.valid_from, d("2024-01-01"), "the version of the cycle's year");
        // a second cycle of the same year is refused
        let again =
            g::open_cycle(s, &sc, &root, 2026, "重复", scheme.id, catalogue.id, &StepPreset::Grade07.steps()).await;
        assert!(matches!(again, Err(StoreError::Refused(_))));
        // and a version may no longer begin in a year already graded
        let late = g::add_scheme_version(s, &sc, scheme.id, d("2026-06-01"), &strict, "").await;
        assert!(matches!(late, Err(StoreError::Invalid(e)) if e.has("生效日期")));

        let (entries, total) = g::entries(s, &sc, &c, &Default::default(), 50, 0).await.unwrap();
        assert_eq!(total, 5, "the township and its four branches");
        let entry = |org: i64| entries.iter().find(|e| e.org_id == org).unwrap().id;

        // the sibling county sees neither the cycle's entries nor an entry
        let other_sc = scope_of(s, other, "乙县").await;
        assert!(matches!(g::entry(s, &other_sc, entry(branches[0])).await, Err(StoreError::NotFound(_))));
        assert!(matches!(g::cycle(s, &other_sc, c.id).await, Err(StoreError::NotFound(_))));
        let _ = other_branch;

        // two assessors score the same entry at once: both scores are kept
        let a1 = sc.clone().acting_as(Actor::new("评定人甲", "组织部管理员"));
        let a2 = sc.clone().acting_as(Actor::new("评定人乙", "组织部管理员"));
        let e0 = entry(branches[0]);
        let (full100, full80) = (full(&cat, 100), full(&cat, 80));
        let (r1, r2) = tokio::join!(
            g::score(s, &a1, e0, AssessorKind::Superior, &full100),
            g::score(s, &a2, e0, AssessorKind::Superior, &full80),
        );
        r1.unwrap();
        r2.unwrap();
        let (_, e0row) = g::entry(s, &sc, e0).await.unwrap();
        let both = g::scores(s, &e0row).await.unwrap();
        assert_eq!(both.iter().filter(|x| x.assessor == "评定人甲").count(), full(&cat, 100).len());
        assert_eq!(both.iter().filter(|x| x.assessor == "评定人乙").count(), full(&cat, 100).len());
        // saving again over a score read before (version 0 again) is refused, nothing lost
        let stale = g::score(s, &a1, e0, AssessorKind::Superior, &full(&cat, 50)).await;
        assert!(matches!(stale, Err(StoreError::Stale(_))));
        // out-of-range points name the field
        let bad = vec![ScoreInput {
            item: cat.items[0].code.clone(),
            points_milli: 999_000,
            note: String::new(),
            version: 0,
        }];
        assert!(
            matches!(g::score(s, &sc, e0, AssessorKind::Superior, &bad).await, Err(StoreError::Invalid(e)) if e.has("得分"))
        );

        // branch 1: exactly 90 → 好; branch 2: 89.99 → 较好 (GRADE-05 both sides)
        let b1 = full(&cat, 90);
        g::score(s, &sc, entry(branches[1]), AssessorKind::Superior, &b1).await.unwrap();
        let mut b2 = full(&cat, 90);
        b2[0].points_milli -= 10;
        g::score(s, &sc, entry(branches[2]), AssessorKind::Superior, &b2).await.unwrap();
        // branch 3: 100 points but a veto (一票否决)
        let mut b3 = full(&cat, 100);
        b3.push(ScoreInput {
            item: "veto_discipline".into(),
            points_milli: 1,
            note: "书记受党纪处分".into(),
            version: 0,
        });
        g::score(s, &sc, entry(branches[3]), AssessorKind::Superior, &b3).await.unwrap();
        // the township: 95 points, satisfaction 89.9 % (GRADE-06 cap)
        g::score(s, &sc, entry(town), AssessorKind::Superior, &full(&cat, 95)).await.unwrap();
        g::set_satisfaction(
            s,
            &sc,
            c.id,
            &[(town, 899), (branches[1], 950)],
            "测评录入（说明：2026年党员群众满意度测评）",
        )
        .await
        .unwrap();
        assert!(matches!(
            g::set_satisfaction(s, &sc, c.id, &[(town, 1200)], "x").await,
            Err(StoreError::Invalid(e)) if e.has("满意率")
        ));

        let sum = g::compute(s, &sc, &root, &c, d("2026-12-20")).await.unwrap();
        assert_eq!(sum.graded, 5);
        let sc2 = sc.clone();
        let cid = c.id;
        let grade = |org: i64| {
            let sc = sc2.clone();
            async move { g::entry_of(s, &sc, cid, org).await.unwrap().1 }
        };
        let e = grade(branches[0]).await;
        assert_eq!(e.computed_milli, Some(90_000), "two assessors' totals averaged");
        assert_eq!(grade(branches[1]).await.grade.as_deref(), Some("good"));
        assert_eq!(grade(branches[2]).await.grade.as_deref(), Some("fair"));
        let vetoed = grade(branches[3]).await;
        assert_eq!((vetoed.grade.as_deref(), vetoed.lowered_by.as_str()), (Some("poor"), "一票否决"));
        let capped = grade(town).await;
        assert_eq!((capped.grade.as_deref(), capped.grade_by_score.as_deref()), (Some("average"), Some("good")));
        assert_eq!(capped.lowered_by, "GRADE-06");

        // finalize before publicity is refused; publicity takes the scheme's 5 days (GRADE-11)
        let c = g::cycle(s, &sc, c.id).await.unwrap();
        assert!(matches!(g::finalize(s, &sc, &root, &c, d("2027-01-10")).await, Err(StoreError::Refused(_))));
        let c = g::publish(s, &sc, &root, &c, d("2027-01-04")).await.unwrap();
        assert_eq!(c.publicity_end_on, Some(d("2027-01-08")));
        // scoring stops in publicity
        assert!(matches!(
            g::score(s, &a1, e0, AssessorKind::Superior, &full(&cat, 10)).await,
            Err(StoreError::Refused(_))
        ));
        // a member of branch 3 objects (anonymously), inside the window
        let member = scope_of(s, branches[3], "党员王某").await;
        let obj =
            g::object(s, &member, entry(branches[3]), true, "对一票否决的认定有异议", d("2027-01-05")).await.unwrap();
        assert_eq!(obj.by(), "匿名");
        assert!(obj.raised_by.is_none());
        // after the window no objection is taken
        assert!(matches!(
            g::object(s, &member, entry(branches[3]), false, "晚了", d("2027-01-09")).await,
            Err(StoreError::Refused(_))
        ));
        // still inside the window: refused; after it, refused while an objection waits
        assert!(
            matches!(g::finalize(s, &sc, &root, &c, d("2027-01-08")).await, Err(StoreError::Refused(m)) if m.contains("公示期"))
        );
        assert!(
            matches!(g::finalize(s, &sc, &root, &c, d("2027-01-09")).await, Err(StoreError::Refused(m)) if m.contains("异议"))
        );
        g::answer(s, &sc, obj.id, "经核实，该支部书记受党纪处分属实，维持原等次").await.unwrap();
        assert!(matches!(g::answer(s, &sc, obj.id, "再答一次").await, Err(StoreError::Refused(_))));
        assert_eq!(g::finalize(s, &sc, &root, &c, d("2027-01-09")).await.unwrap(), 5);

        // a review of a final grade is recorded with the old and the new grade
        let rv = g::review(s, &sc, entry(branches[2]), "good", "复核时补充了表彰材料").await.unwrap();
        assert_eq!((rv.old_grade.as_str(), rv.new_grade.as_str()), ("fair", "good"));
        assert!(
            matches!(g::review(s, &sc, entry(branches[2]), "bogus", "").await, Err(StoreError::Invalid(e)) if e.has("复核等次") && e.has("复核理由"))
        );

        // moving up: 2026's finals; a 2027 cycle opened under the 2027 version with last grades
        let finals = g::grade_progress::finals(s, &root, 2026).await.unwrap();
        assert_eq!(finals.len(), 5);
        let c27 = g::open_cycle(
            s,
            &sc,
            &root,
            2027,
            "2027年度分类定级",
            scheme.id,
            catalogue.id,
            &StepPreset::Grade07.steps(),
        )
        .await
        .unwrap();
        assert_eq!(g::scheme_version(s, c27.scheme_version_id).await.unwrap().valid_from, d("2027-01-01"));
        let (_, e27) = g::entry_of(s, &sc, c27.id, branches[3]).await.unwrap();
        assert_eq!(e27.last_grade.as_deref(), Some("poor"));
        let m = grade_progress::matrix(
            &finals.iter().map(|f| f.as_final()).collect::<Vec<_>>(),
            &finals.iter().map(|f| f.as_final()).collect::<Vec<_>>(),
        );
        assert_eq!(m.same, 5);

        // every write audited
        let n = store::testing::raw(s.read())
            .scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'grading.%'", &[])
            .await
            .unwrap();
        assert!(n >= 14, "{n}");
        db.finish().await;
    }
}

#[tokio::test]
async fn quotas_warn_and_steps_move_and_return() {
    for db in TestDb::both().await {
        let s = &db.store;
        let city = mk(s, None, "中共样例市委", OrgKind::LocalCommittee, Sector::Other).await;
        let street = mk(s, Some(city), "某街道党工委", OrgKind::Committee, Sector::Community).await;
        let mut communities = Vec::new();
        for i in 0..3 {
            communities.push(mk(s, Some(street), &format!("{i}社区党支部"), OrgKind::Branch, Sector::Community).await);
        }
        let sc = scope_of(s, city, "市委组织部").await;
        let root = org::visible(s, &sc, city).await.unwrap();
        let scheme =
            g::create_scheme(s, &sc, &root, "星级评定", d("2025-01-01"), &Scheme::preset("scored_stars").unwrap())
                .await
                .unwrap();
        let cat = assessed_only();
        let catalogue = g::create_catalogue(s, &sc, &root, "指标", d("2025-01-01"), &cat).await.unwrap();
        let c = g::open_cycle(
            s,
            &sc,
            &root,
            2026,
            "2026年度星级评定",
            scheme.id,
            catalogue.id,
            &StepPreset::Grade07.steps(),
        )
        .await
        .unwrap();
        let (entries, _) = g::entries(s, &sc, &c, &Default::default(), 50, 0).await.unwrap();
        for e in &entries {
            g::score(s, &sc, e.id, AssessorKind::Superior, &full(&cat, 96)).await.unwrap();
        }
        let sum = g::compute(s, &sc, &root, &c, d("2026-12-01")).await.unwrap();
        // GRADE-10: every one ★5 (over 10 %) and no community at the bottom: two warnings, no demotion
        assert_eq!(sum.warnings.len(), 2, "{:?}", sum.warnings);
        let (entries, _) = g::entries(s, &sc, &c, &Default::default(), 50, 0).await.unwrap();
        assert!(entries.iter().all(|e| e.grade.as_deref() == Some("star5")));
        assert_eq!(g::cycle(s, &sc, c.id).await.unwrap().warning_lines().len(), 2);
        // filter by grade and state
        let f = g::EntryFilter { grade: Some("star5".into()), state: Some("graded".into()) };
        assert_eq!(g::entries(s, &sc, &c, &f, 2, 0).await.unwrap().1, 4);

        // steps: forward, back with a reason, refused without one, stale version refused
        let e = &entries[0];
        let e1 = g::step(s, &sc, e.id, e.version, true, "").await.unwrap();
        assert_eq!(e1.step, 1);
        assert!(
            matches!(g::step(s, &sc, e.id, e1.version, false, " ").await, Err(StoreError::Invalid(x)) if x.has("退回理由"))
        );
        assert!(matches!(g::step(s, &sc, e.id, e.version, true, "").await, Err(StoreError::Stale(_))));
        let e2 = g::step(s, &sc, e.id, e1.version, false, "自评材料不全").await.unwrap();
        assert_eq!((e2.step, e2.state.as_str(), e2.return_reason.as_str()), (0, "returned", "自评材料不全"));
        db.finish().await;
    }
}

#[tokio::test]
async fn computed_items_read_once_for_every_organization() {
    use domain::org::{Facility, FacilityKind, FacilityStatus};
    for db in TestDb::both().await {
        let s = &db.store;
        let city = mk(s, None, "中共样例市委", OrgKind::LocalCommittee, Sector::Other).await;
        let county = mk(s, Some(city), "中共甲县委", OrgKind::LocalCommittee, Sector::Other).await;
        // a village is a branch under a township under the county (facility coverage's units)
        let town = mk(s, Some(county), "中共一镇委员会", OrgKind::Committee, Sector::Rural).await;
        let with_station = OrgInput {
            name: "有服务站的村党支部".into(),
            kind: Some(OrgKind::Branch),
            sector: Some(Sector::Rural),
            founded_on: Some(d("2015-01-01")),
            facilities: vec![Facility {
                kind: FacilityKind::ServiceStation,
                status: FacilityStatus::Built,
                year: Some(2020),
            }],
            ..Default::default()
        };
        let built = org::create(s, &Scope::all(), Some(town), &with_station, d("2026-01-05")).await.unwrap().id;
        let without = mk(s, Some(town), "无服务站的村党支部", OrgKind::Branch, Sector::Rural).await;
        let sc = scope_of(s, county, "县委组织部").await;
        let root = org::visible(s, &sc, county).await.unwrap();
        let scheme = g::create_scheme(s, &sc, &root, "县办法", d("2024-01-01"), &Scheme::preset("points").unwrap())
            .await
            .unwrap();
        // GRADE-04 preset: 工作制度 and 活动阵地 computed, 群众评价 from the satisfaction rate
        let catalogue =
            g::create_catalogue(s, &sc, &root, "七项指标", d("2024-01-01"), &Catalogue::preset()).await.unwrap();
        let c = g::open_cycle(s, &sc, &root, 2026, "2026年度", scheme.id, catalogue.id, &StepPreset::Grade07.steps())
            .await
            .unwrap();
        g::set_satisfaction(s, &sc, c.id, &[(built, 1000)], "测评录入").await.unwrap();
        g::compute(s, &sc, &root, &c, d("2026-06-30")).await.unwrap();
        let (_, e) = g::entry_of(s, &sc, c.id, built).await.unwrap();
        let venue = e.computed().into_iter().find(|x| x.item == "venue").unwrap();
        assert_eq!((venue.value, venue.points_milli, venue.as_of), (100.0, 10_000, d("2026-06-30")));
        assert_eq!(venue.source, "服务阵地覆盖率");
        // nobody scored: the total is what the platform computed (活动阵地 10 + 群众评价 15 + 工作制度)
        assert!(e.computed_milli.unwrap() >= 25_000, "{:?}", e.computed_milli);
        let (_, e2) = g::entry_of(s, &sc, c.id, without).await.unwrap();
        let venue2 = e2.computed().into_iter().find(|x| x.item == "venue").unwrap();
        assert_eq!(venue2.points_milli, 0);
        db.finish().await;
    }
}
