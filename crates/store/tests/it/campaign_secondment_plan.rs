//! Secondment nominations and party-building plans on SQLite and PostgreSQL: a unit nominates
//! only current members of its subtree (never reading their ID number), one member is not
//! nominated twice over overlapping periods, the decision keeps the conditions that failed and is
//! taken once; a plan is drafted, refused a twin over the same years, changed at the version read,
//! submitted, returned with a reason, approved, its milestones marked done; one registry source is
//! measured for one organization as of a date without a campaign, and the campaign-only sources
//! are refused naming the field. Every write is audited.

use chrono::NaiveDate;
use domain::campaign::plan::{targets_from_lines, PlanInput};
use domain::campaign::retirement::Category;
use domain::campaign::secondment as rules;
use domain::campaign::site::SiteInput;
use domain::member::{Category as MemberCategory, MemberInput, Occupation};
use domain::org::{Facility, FacilityKind, FacilityStatus, OrgInput, OrgKind, Sector};
use store::campaign::measure::measure_org;
use store::campaign::secondment::NewNomination;
use store::campaign::{plan, secondment, site};
use store::testing::TestDb;
use store::{member, org, Scope, Store, StoreError};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-11-21";

async fn mk_org(s: &Store, parent: Option<i64>, name: &str, kind: OrgKind, facilities: Vec<Facility>) -> i64 {
    let input = OrgInput {
        name: name.into(),
        kind: Some(kind),
        sector: Some(Sector::Rural),
        has_committee: kind != OrgKind::Branch,
        founded_on: Some(d("2015-01-01")),
        facilities,
        ..Default::default()
    };
    org::create(s, &Scope::all(), parent, &input, d(TODAY)).await.unwrap().id
}

async fn mk_member(s: &Store, org: i64, name: &str, birth: &str, seq: u32, occupation: Option<Occupation>) -> i64 {
    let input = MemberInput {
        name: name.into(),
        id_number: domain::idcard::compose("110105", d(birth), seq),
        category: Some(MemberCategory::Full),
        join_date: Some(d("2000-07-01")),
        occupation,
        ..Default::default()
    };
    member::create(s, &Scope::all(), org, &input, d(TODAY)).await.unwrap().id
}

fn built(kind: FacilityKind, year: i32) -> Facility {
    Facility { kind, status: FacilityStatus::Built, year: Some(year) }
}

/// 市委 → 甲县委 → 一镇 (service centre built 2025) → 一村 (station built 2020); 甲县委 → 二镇 →
/// 二村; 乙县委 (乙村) beside 甲县委.
struct Tree {
    county: i64,
    town1: i64,
    village1: i64,
    village2: i64,
    other_county: i64,
    other_branch: i64,
}

async fn build(s: &Store) -> Tree {
    let city = mk_org(s, None, "中共样例市委", OrgKind::LocalCommittee, vec![]).await;
    let county = mk_org(s, Some(city), "中共甲县委", OrgKind::LocalCommittee, vec![]).await;
    let town1 =
        mk_org(s, Some(county), "中共一镇委员会", OrgKind::Committee, vec![built(FacilityKind::ServiceCenter, 2025)])
            .await;
    let town2 = mk_org(s, Some(county), "中共二镇委员会", OrgKind::Committee, vec![]).await;
    let village1 =
        mk_org(s, Some(town1), "一村党支部", OrgKind::Branch, vec![built(FacilityKind::ServiceStation, 2020)]).await;
    let village2 = mk_org(s, Some(town2), "二村党支部", OrgKind::Branch, vec![]).await;
    let other_county = mk_org(s, Some(city), "中共乙县委", OrgKind::LocalCommittee, vec![]).await;
    let other_branch = mk_org(s, Some(other_county), "乙村党支部", OrgKind::Branch, vec![]).await;
    Tree { county, town1, village1, village2, other_county, other_branch }
}

async fn scope_of(s: &Store, id: i64) -> Scope {
    Scope::subtrees([org::get(s, &Scope::all(), id).await.unwrap().path])
}

async fn last_action(s: &Store) -> String {
    store::audit::recent(s, 1).await.unwrap().remove(0).action
}

fn nomination(member_id: i64, category: Category, from: &str, to: &str) -> NewNomination {
    NewNomination {
        member_id,
        category,
        party_post: true,
        full_time: true,
        writing: true,
        starts_on: d(from),
        ends_on: d(to),
        host_unit: "区委组织部党建办".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secondment_nominations_are_checked_decided_and_kept() {
    for db in TestDb::both().await {
        let s = &db.store;
        let t = build(s).await;
        let all = Scope::all();
        let man = mk_member(s, t.village1, "张三", "1980-06-01", 11, None).await;
        let worker = mk_member(s, t.village1, "李四", "1975-03-08", 12, Some(Occupation::Worker)).await;
        let cadre = mk_member(s, t.village2, "王五", "1975-03-08", 14, Some(Occupation::Manager)).await;
        let outsider = mk_member(s, t.other_branch, "赵六", "1980-01-01", 13, None).await;
        let town1 = org::visible(s, &all, t.town1).await.unwrap();
        let county = org::visible(s, &all, t.county).await.unwrap();

        // only current members of the unit's subtree; a woman's category follows her occupation
        let w = secondment::nominee(s, &town1, worker).await.unwrap().unwrap();
        assert_eq!(
            (w.name.as_str(), w.org_name.as_str(), w.category()),
            ("李四", "一村党支部", Category::FemaleWorker)
        );
        let c = secondment::nominee(s, &county, cadre).await.unwrap().unwrap();
        assert_eq!(c.category(), Category::FemaleCadre);
        assert!(secondment::nominee(s, &town1, cadre).await.unwrap().is_none(), "二村 is not below 一镇");
        assert!(secondment::nominee(s, &county, outsider).await.unwrap().is_none());
        let named = secondment::nominees_named(s, &county, "李", 20).await.unwrap();
        assert_eq!(named.iter().map(|n| n.id).collect::<Vec<_>>(), [worker]);
        assert!(secondment::nominees_named(s, &county, "%", 20).await.unwrap().is_empty(), "no wildcard of one's own");
        let json = serde_json::to_string(&w).unwrap();
        assert!(!json.contains("110105"), "a nominee carries no ID number: {json}");

        let town_scope = scope_of(s, t.town1).await;
        match secondment::nominate(
            s,
            &town_scope,
            &town1,
            &nomination(cadre, Category::FemaleCadre, "2027-03-01", "2027-08-31"),
            None,
        )
        .await
        {
            Err(StoreError::Invalid(e)) => assert!(e.has("党员") && e.to_string().contains("一镇"), "{e}"),
            other => panic!("{other:?}"),
        }

        let n1 = secondment::nominate(
            s,
            &town_scope,
            &town1,
            &nomination(man, Category::Male, "2027-03-01", "2027-08-31"),
            None,
        )
        .await
        .unwrap();
        assert_eq!(last_action(s).await, "secondment.nominate");
        assert_eq!(
            (n1.status_label(), n1.member_org_name.as_str(), n1.host_unit.as_str()),
            ("待审核", "一村党支部", "区委组织部党建办")
        );
        assert_eq!(n1.member_birth, d("1980-06-01"));
        assert!(!serde_json::to_string(&n1).unwrap().contains("110105"));
        assert!(rules::check(&n1.judged(), rules::shipped(), d(TODAY)).unwrap().is_empty());
        // the same member over an overlapping period is refused; a later period is not
        match secondment::nominate(
            s,
            &town_scope,
            &town1,
            &nomination(man, Category::Male, "2027-08-01", "2027-12-31"),
            None,
        )
        .await
        {
            Err(StoreError::Refused(m)) => assert!(m.contains("张三") && m.contains("2027-03-01 至 2027-08-31"), "{m}"),
            other => panic!("{other:?}"),
        }
        let mut weak = nomination(worker, Category::FemaleWorker, "2027-09-01", "2027-12-31");
        weak.writing = false;
        let n2 = secondment::nominate(s, &town_scope, &town1, &weak, None).await.unwrap();
        let n3 = secondment::nominate(
            s,
            &all,
            &county,
            &nomination(cadre, Category::FemaleCadre, "2027-01-01", "2027-06-30"),
            None,
        )
        .await
        .unwrap();

        // read through the scope: the unit and those above it, not a sibling
        assert!(secondment::get(s, &town_scope, n3.id).await.is_err(), "二村's nomination is not 一镇's");
        assert!(secondment::get(s, &scope_of(s, t.other_county).await, n1.id).await.is_err());
        let (rows, total) = secondment::list(s, &county, false, 2, 0).await.unwrap();
        assert_eq!((rows.len(), total), (2, 3), "paged");
        let (rows, total) = secondment::list(s, &town1, false, 10, 0).await.unwrap();
        assert_eq!((total, rows.iter().map(|n| n.id).collect::<Vec<_>>()), (2, vec![n2.id, n1.id]), "latest first");

        // decided once, with what failed kept; rejecting needs a reason
        let f = rules::check(&n2.judged(), rules::shipped(), d(TODAY)).unwrap();
        assert_eq!(
            f.iter().map(|x| x.rule_id.as_str()).collect::<Vec<_>>(),
            ["SEC-02", "SEC-04"],
            "a woman worker born 1975-03 retired 2025-05-08"
        );
        let kept = rules::failure_lines(&f);
        match secondment::decide(s, &all, n2.id, false, " ", &kept).await {
            Err(StoreError::Invalid(e)) => assert!(e.has("理由")),
            other => panic!("{other:?}"),
        }
        let r = secondment::decide(s, &all, n2.id, false, "不符合年龄条件", &kept).await.unwrap();
        assert_eq!(last_action(s).await, "secondment.reject");
        assert_eq!(
            (r.status_label(), r.reason.as_str(), r.failures.as_str()),
            ("未同意", "不符合年龄条件", kept.as_str())
        );
        assert!(r.decided_at.is_some() && r.decided_by.is_some());
        assert!(matches!(secondment::decide(s, &all, n2.id, true, "", "").await, Err(StoreError::Refused(_))));
        let a = secondment::decide(s, &all, n1.id, true, "", "").await.unwrap();
        assert_eq!(last_action(s).await, "secondment.accept");
        assert_eq!(a.status_label(), "已同意");
        let (rows, _) = secondment::list(s, &county, true, 10, 0).await.unwrap();
        assert_eq!(rows.iter().map(|n| n.id).collect::<Vec<_>>(), [n3.id], "only the one waiting");
        // a rejected nomination no longer blocks the member
        secondment::nominate(
            s,
            &town_scope,
            &town1,
            &nomination(worker, Category::FemaleWorker, "2027-10-01", "2027-12-31"),
            None,
        )
        .await
        .unwrap();
        assert!(store::audit::verify(s).await.unwrap().ok());
        db.finish().await;
    }
}

fn plan_input(kind: &str, from: &str, to: &str, lines: &str) -> PlanInput {
    PlanInput {
        kind: kind.into(),
        title: "甲县党建工作规划".into(),
        from_year: from.into(),
        to_year: to.into(),
        targets: targets_from_lines(lines),
        milestones: "2026-03-31 制定实施方案\n2026-09-30 中期评估".into(),
    }
}

const LINES: &str = "服务中心覆盖率|facility_coverage|service_center|100|2026-12-31|建设二镇服务中心|组织科\n\
                     示范点|demo_sites|county|2|2026-10-31";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_are_drafted_submitted_reviewed_and_measured() {
    for db in TestDb::both().await {
        let s = &db.store;
        let t = build(s).await;
        let all = Scope::all();
        let county = org::visible(s, &all, t.county).await.unwrap();
        let cscope = scope_of(s, t.county).await;

        let v = plan_input("annual", "2026", "", LINES).validate().unwrap();
        let p = plan::create(s, &cscope, &county, &v).await.unwrap();
        assert_eq!(last_action(s).await, "plan.create");
        assert_eq!(
            (p.status_label(), p.kind_label(), p.years(), p.version),
            ("草稿", "年度计划", "2026年".to_string(), 1)
        );
        let targets = plan::targets(s, &p).await.unwrap();
        assert_eq!(targets.iter().map(|t| t.source.as_str()).collect::<Vec<_>>(), ["facility_coverage", "demo_sites"]);
        assert_eq!((targets[0].target_milli, targets[0].responsible.as_str()), (100_000, "组织科"));
        let ms = plan::milestones(s, &p).await.unwrap();
        assert_eq!(ms.iter().map(|m| m.content.as_str()).collect::<Vec<_>>(), ["制定实施方案", "中期评估"]);

        // one annual plan a year; a multi-year plan beside it is fine
        assert!(
            matches!(plan::create(s, &cscope, &county, &v).await, Err(StoreError::Refused(m)) if m.contains("已有年度计划"))
        );
        let multi = plan_input("multi_year", "2026", "2028", "覆盖率|facility_coverage|service_station|100|2028-12-31")
            .validate()
            .unwrap();
        let p5 = plan::create(s, &cscope, &county, &multi).await.unwrap();

        // changed at the version read; a stale version writes nothing
        let mut changed = plan_input("annual", "2026", "", LINES);
        changed.title = "甲县2026年党建工作计划".into();
        let changed = changed.validate().unwrap();
        let p = plan::update(s, &cscope, p.id, 1, &changed).await.unwrap();
        assert_eq!(last_action(s).await, "plan.update");
        assert_eq!((p.title.as_str(), p.version), ("甲县2026年党建工作计划", 2));
        assert!(matches!(plan::update(s, &cscope, p.id, 1, &changed).await, Err(StoreError::Stale(_))));
        assert!(matches!(plan::submit(s, &cscope, p.id, 1).await, Err(StoreError::Stale(_))));

        // submitted, returned with a reason, changed, submitted again, approved
        let p = plan::submit(s, &cscope, p.id, 2).await.unwrap();
        assert_eq!((last_action(s).await.as_str(), p.status_label()), ("plan.submit", "待审核"));
        assert!(matches!(plan::update(s, &cscope, p.id, p.version, &changed).await, Err(StoreError::Refused(_))));
        assert!(
            matches!(plan::review(s, &all, p.id, false, "").await, Err(StoreError::Invalid(e)) if e.has("退回理由"))
        );
        let p = plan::review(s, &all, p.id, false, "目标偏低").await.unwrap();
        assert_eq!(
            (last_action(s).await.as_str(), p.status_label(), p.reason.as_str()),
            ("plan.return", "已退回", "目标偏低")
        );
        assert!(matches!(plan::review(s, &all, p.id, true, "").await, Err(StoreError::Refused(_))));
        let p = plan::update(s, &cscope, p.id, p.version, &changed).await.unwrap();
        assert_eq!(p.status_label(), "已退回", "stays returned until submitted again");
        let p = plan::submit(s, &cscope, p.id, p.version).await.unwrap();
        let p = plan::review(s, &all, p.id, true, "").await.unwrap();
        assert_eq!((last_action(s).await.as_str(), p.status_label()), ("plan.approve", "已批准"));
        assert!(p.reviewed_at.is_some());

        // milestones of an approved plan only
        let ms = plan::milestones(s, &p).await.unwrap();
        let m = plan::milestone_done(s, &cscope, p.id, ms[0].id, d("2026-03-30")).await.unwrap();
        assert_eq!((last_action(s).await.as_str(), m.done_on), ("plan.milestone", Some(d("2026-03-30"))));
        assert!(matches!(
            plan::milestone_done(s, &cscope, p.id, ms[0].id, d("2026-04-01")).await,
            Err(StoreError::Refused(_))
        ));
        assert!(
            matches!(plan::milestone_done(s, &cscope, p.id, 999_999, d("2026-04-01")).await, Err(StoreError::Invalid(e)) if e.has("里程碑"))
        );
        let m5 = plan::milestones(s, &p5).await.unwrap();
        assert!(
            matches!(
                plan::milestone_done(s, &cscope, p5.id, m5[0].id, d("2026-04-01")).await,
                Err(StoreError::Refused(_))
            ),
            "a draft's milestones wait"
        );

        // scope: the county and above, not a sibling; lists page; the organization's own plans
        assert!(plan::get(s, &scope_of(s, t.other_county).await, p.id).await.is_err());
        assert!(
            plan::get(s, &scope_of(s, t.town1).await, p.id).await.is_err(),
            "a township does not see its county's plan"
        );
        let (rows, total) = plan::list(s, &county, 1, 0).await.unwrap();
        assert_eq!((rows.len(), total), (1, 2));
        assert_eq!(rows[0].id, p5.id, "the later end first");
        assert_eq!(plan::of_org(s, &county, 2027).await.unwrap().iter().map(|x| x.id).collect::<Vec<_>>(), [p5.id]);
        assert_eq!(
            plan::of_org(s, &county, 2026).await.unwrap().iter().map(|x| x.id).collect::<Vec<_>>(),
            [p5.id, p.id]
        );
        assert!(store::audit::verify(s).await.unwrap().ok());
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_source_is_measured_for_one_organization_as_of_a_date() {
    for db in TestDb::both().await {
        let s = &db.store;
        let t = build(s).await;
        let all = Scope::all();
        let county = org::visible(s, &all, t.county).await.unwrap();
        let town1 = org::visible(s, &all, t.town1).await.unwrap();
        let m = |o, src: &'static str, param: &'static str, on: &'static str| {
            let o = match o {
                1 => town1.clone(),
                _ => county.clone(),
            };
            async move { measure_org(s, &o, src, param, d(on)).await.map(|m| (m.num, m.den)) }
        };
        // service centres over the townships, stations over the villages, by the year built
        assert_eq!(m(0, "facility_coverage", "service_center", "2026-06-01").await.unwrap(), (1.0, Some(2.0)));
        assert_eq!(m(0, "facility_coverage", "service_center", "2024-06-01").await.unwrap(), (0.0, Some(2.0)));
        assert_eq!(m(0, "facility_coverage", "service_station", "2026-06-01").await.unwrap(), (1.0, Some(2.0)));
        assert_eq!(m(1, "facility_coverage", "service_station", "2026-06-01").await.unwrap(), (1.0, Some(1.0)));
        // sites named by the date, at a level
        site::add(
            s,
            &all,
            &SiteInput {
                org_id: t.village1.to_string(),
                level: "county".into(),
                feature: "村级集体经济".into(),
                named_on: "2026-03-01".into(),
                ..Default::default()
            }
            .validate()
            .unwrap(),
            None,
        )
        .await
        .unwrap();
        assert_eq!(m(0, "demo_sites", "", "2026-06-01").await.unwrap(), (1.0, None));
        assert_eq!(m(0, "demo_sites", "county", "2026-06-01").await.unwrap(), (1.0, None));
        assert_eq!(m(0, "demo_sites", "city", "2026-06-01").await.unwrap(), (0.0, None));
        assert_eq!(m(0, "demo_sites", "", "2026-02-28").await.unwrap(), (0.0, None));
        // secretaries in post: none recorded; organization life as the engine judges it
        assert_eq!(m(0, "training_coverage", "", "2026-06-01").await.unwrap(), (0.0, Some(0.0)));
        let (_, den) = m(0, "life_completion", "", "2026-06-01").await.unwrap();
        assert!(den.unwrap() > 0.0, "two branches have meetings due by June");
        let (met, _) = m(0, "life_completion", "theme_day", "2026-06-01").await.unwrap();
        assert_eq!(met, 0.0);
        let (findings, den) = m(0, "life_findings", "", "2026-06-01").await.unwrap();
        assert!(findings > 0.0 && den.is_none(), "findings per organization: {findings}");
        // the campaign-only sources, and unknown ones, are refused naming the field
        for (src, says) in
            [("funding", "只在创建活动中计算"), ("reported", "只在创建活动中计算"), ("nowhere", "不在指标来源目录中")]
        {
            match m(0, src, "", "2026-06-01").await {
                Err(StoreError::Invalid(e)) => assert!(e.has("指标来源") && e.to_string().contains(says), "{src}: {e}"),
                other => panic!("{src}: {other:?}"),
            }
        }
        let _ = t.village2;
        db.finish().await;
    }
}

/// A dispatch round keeps where each participant stood against its own approved plans on the
/// round's date (drafts, other years and non-participants left out), rewrites it when the draft is
/// computed again, and freezes it with the round.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_keeps_the_participants_plan_standing_and_freezes_it() {
    use domain::campaign::CampaignInput;
    use store::campaign::{round, standard};
    for db in TestDb::both().await {
        let s = &db.store;
        let t = build(s).await;
        let all = Scope::all();
        let city_id = org::get(s, &all, t.county).await.unwrap().parent_id.unwrap();
        let city = org::visible(s, &all, city_id).await.unwrap();
        let county = org::visible(s, &all, t.county).await.unwrap();
        let other = org::visible(s, &all, t.other_county).await.unwrap();
        let town1 = org::visible(s, &all, t.town1).await.unwrap();
        let approve = |p: plan::Plan| async move {
            let p = plan::submit(s, &Scope::all(), p.id, p.version).await.unwrap();
            plan::review(s, &Scope::all(), p.id, true, "").await.unwrap()
        };
        // the county: centres 1 of 2 (reached at 50 %), no sites (one target past its date, one not)
        let lines = "服务中心覆盖率|facility_coverage|service_center|50|2026-12-31\n\
                     示范点|demo_sites|county|2|2026-02-28\n\
                     示范点（年底）|demo_sites|county|1|2026-12-31";
        let p =
            plan::create(s, &all, &county, &plan_input("annual", "2026", "", lines).validate().unwrap()).await.unwrap();
        let p = approve(p).await;
        // left out: a draft of the other county, next year's plan, a township's plan
        plan::create(s, &all, &other, &plan_input("annual", "2026", "", LINES).validate().unwrap()).await.unwrap();
        let mut next = plan_input("annual", "2027", "", "示范点|demo_sites|county|3|2027-12-31");
        next.milestones = String::new();
        let next = plan::create(s, &all, &county, &next.validate().unwrap()).await.unwrap();
        approve(next).await;
        let tp =
            plan::create(s, &all, &town1, &plan_input("annual", "2026", "", LINES).validate().unwrap()).await.unwrap();
        approve(tp).await;
        // the county's multi-year plan beside its annual one (stations 1 of 2, due in 2028)
        let multi = plan_input("multi_year", "2026", "2028", "覆盖率|facility_coverage|service_station|100|2028-12-31");
        let multi = plan::create(s, &all, &county, &multi.validate().unwrap()).await.unwrap();
        let multi = approve(multi).await;

        let input = CampaignInput {
            name: "服务型党组织创建".into(),
            kind: "service".into(),
            starts_on: "2026-01-01".into(),
            ends_on: "2026-12-31".into(),
            takes_part: "level".into(),
            depth: "1".into(),
            name_top: "1".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let c = store::campaign::create(s, &all, &city, &input, &[], &[]).await.unwrap();
        let std = domain::campaign::indicator::StandardInput::from_lines(
            "2026-01-01",
            "",
            "sites|示范点数量|demo_sites||100|linear|1",
        )
        .validate()
        .unwrap();
        standard::add(s, &all, c.id, &std).await.unwrap();

        let r = round::compute(s, &all, c.id, d("2026-03-15"), "", &store::NoProgress).await.unwrap();
        let got = round::plans(s, &r).await.unwrap();
        assert_eq!(
            got.iter().map(|x| (x.org_id, x.plan_id, x.targets, x.reached, x.overdue)).collect::<Vec<_>>(),
            [(t.county, multi.id, 1, 0, 0), (t.county, p.id, 3, 1, 1)]
        );
        assert_eq!((got[1].kind_label(), got[1].years()), ("年度计划", "2026年".to_string()));

        // a site named on 03-01, entered before the draft is computed again: the year-end target
        // is reached, the one of two sites by February still overdue
        let site = SiteInput {
            org_id: t.village1.to_string(),
            level: "county".into(),
            feature: "村级集体经济".into(),
            named_on: "2026-03-01".into(),
            ..Default::default()
        };
        site::add(s, &all, &site.validate().unwrap(), None).await.unwrap();
        let r = round::recompute(s, &all, r.id, &store::NoProgress).await.unwrap();
        let again: Vec<_> = round::plans(s, &r).await.unwrap().iter().map(|x| (x.reached, x.overdue)).collect();
        assert_eq!(again, [(0, 0), (2, 1)]);

        // published: frozen with the round, in the store and in the database
        let r = round::publish(s, &all, r.id, "").await.unwrap();
        let id = store::Val::from(r.id);
        for sql in [
            "UPDATE dispatch_plan SET reached = 3 WHERE round_id = $1",
            "DELETE FROM dispatch_plan WHERE round_id = $1",
        ] {
            let mut tx = s.begin().await.unwrap();
            let e = store::testing::raw(tx.x()).execute(sql, std::slice::from_ref(&id)).await;
            tx.rollback().await.ok();
            assert!(e.is_err_and(|e| e.to_string().contains("published")), "{sql}");
        }
        assert_eq!(round::plans(s, &r).await.unwrap().len(), 2);

        // a draft thrown away takes its plan standing with it
        let r2 = round::compute(s, &all, c.id, d("2026-04-15"), "", &store::NoProgress).await.unwrap();
        assert_eq!(round::plans(s, &r2).await.unwrap().len(), 2);
        round::discard(s, &all, r2.id).await.unwrap();
        db.finish().await;
    }
}
