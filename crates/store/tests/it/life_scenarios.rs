//! Organization-life scenarios on SQLite and PostgreSQL: a year of records for a handful of
//! organizations, judged by the compliance engine with the exact findings expected — including a
//! local rule changed mid-year (党课 quarterly → monthly from 2026-07-01, LIFE-06), quorum edge
//! cases (LIFE-02), a silent branch (LIFE-14), a 党组 without a work division (LIFE-15), records
//! without minutes (REC-10) or without the signed 签到表 kept with them (REC-13), entered late
//! (REC-15) or never submitted (REC-16) — plus the roster on a past date across a member's move,
//! the review workflow and the daily job.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use domain::life::{AttendanceInput, FindingKind, RecordInput, ResolutionInput};
use domain::member::{Category, MemberInput};
use domain::org::{OrgInput, OrgKind, Sector};
use store::testing::TestDb;
use store::{life, member, org, Actor, Scope, Store, StoreError, Val};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-11-21";

struct World {
    county: i64,
    town: i64,
    b1: i64,
    b2: i64,
    b3: i64,
    group_without: i64,
    group_with: i64,
    mover: i64,
}

async fn mk_org(s: &Store, parent: Option<i64>, name: &str, kind: OrgKind, committee: bool) -> i64 {
    let input = OrgInput {
        name: name.into(),
        kind: Some(kind),
        sector: Some(Sector::Community),
        has_committee: committee,
        founded_on: Some(d("2015-01-01")),
        ..Default::default()
    };
    org::create(s, &Scope::all(), parent, &input, d(TODAY)).await.unwrap().id
}

async fn mk_member(s: &Store, org: i64, n: u32, probationary: bool, post: Option<&str>) -> i64 {
    let input = MemberInput {
        name: format!("党员{n}"),
        id_number: domain::idcard::compose("110105", d("1970-01-01") + chrono::Duration::days(n as i64), 11 + n * 2),
        category: Some(if probationary { Category::Probationary } else { Category::Full }),
        join_date: Some(if probationary { d("2025-12-01") } else { d("2000-07-01") }),
        job_post: post.map(str::to_string),
        ..Default::default()
    };
    member::create(s, &Scope::all(), org, &input, d(TODAY)).await.unwrap().id
}

async fn build(s: &Store) -> World {
    let city = mk_org(s, None, "中共样例市委", OrgKind::LocalCommittee, true).await;
    let county = mk_org(s, Some(city), "中共样例县委", OrgKind::LocalCommittee, true).await;
    let other_county = mk_org(s, Some(city), "中共邻县委", OrgKind::LocalCommittee, true).await;
    let town = mk_org(s, Some(county), "中共样例镇委员会", OrgKind::Committee, true).await;
    let b1 = mk_org(s, Some(town), "第一党支部", OrgKind::Branch, true).await;
    let b2 = mk_org(s, Some(town), "第二党支部", OrgKind::Branch, false).await;
    let b3 = mk_org(s, Some(other_county), "第三党支部", OrgKind::Branch, false).await;
    let group_without = mk_org(s, Some(county), "县教育局党组", OrgKind::LeadingGroup, false).await;
    let group_with = mk_org(s, Some(county), "县卫健局党组", OrgKind::LeadingGroup, false).await;
    // B1: secretary and a committee member, a full member, a probationary member
    mk_member(s, b1, 1, false, Some("党支部书记")).await;
    mk_member(s, b1, 2, false, Some("组织委员")).await;
    mk_member(s, b1, 3, false, None).await;
    mk_member(s, b1, 4, true, None).await;
    // B2: three full members; B3: two
    mk_member(s, b2, 5, false, Some("党支部书记")).await;
    mk_member(s, b2, 6, false, None).await;
    let mover = mk_member(s, b2, 7, false, None).await;
    mk_member(s, b3, 8, false, Some("党支部书记")).await;
    mk_member(s, b3, 9, false, None).await;
    life::add_division(
        s,
        &Scope::all(),
        group_with,
        &life::DivisionInput {
            member_name: "王局长".into(),
            post: "党组书记".into(),
            duty: "全面负责党建工作".into(),
            since: "2026-01-01".into(),
        },
    )
    .await
    .unwrap();
    World { county, town, b1, b2, b3, group_without, group_with, mover }
}

/// A record with everyone on the roster present except the members named absent.
async fn record(s: &Store, org: i64, types: &[&str], held: &str, absent: usize) -> RecordInput {
    let roster = life::roster(s, &Scope::all(), org, d(held)).await.unwrap();
    let committee_only = types == ["committee_meeting"];
    let roster: Vec<_> = roster.into_iter().filter(|r| !committee_only || r.committee).collect();
    RecordInput {
        types: types.iter().map(|t| t.to_string()).collect(),
        title: format!("{held} {}", types.join("+")),
        held_on: held.into(),
        start_time: "14:30".into(),
        end_time: "16:00".into(),
        agenda: "一、学习传达上级精神；二、研究部署工作".into(),
        place: "党员活动室".into(),
        host: "书记".into(),
        recorder: "组织委员".into(),
        lecturer: if types.contains(&"party_lecture") { "书记".into() } else { String::new() },
        minutes: "学习传达上级精神，研究部署工作。".into(),
        attendance: roster
            .iter()
            .enumerate()
            .map(|(i, r)| AttendanceInput {
                member_id: r.member_id,
                status: if i < absent { "absent".into() } else { "present".into() },
                reason: if i < absent { "外出务工".into() } else { String::new() },
            })
            .collect(),
        expected: "5".into(),
        present: "5".into(),
        ..Default::default()
    }
}

/// Keep the signed 签到表 with a record (REC-13).
async fn attach(s: &Store, id: i64) {
    life::add_attachment(s, &Scope::all(), id, "签到表.pdf", b"%PDF-1.4\n%signed\n").await.unwrap();
}

/// A record with its 签到表.
async fn add(s: &Store, org: i64, types: &[&str], held: &str) -> i64 {
    let id = add_bare(s, org, types, held).await;
    attach(s, id).await;
    id
}

/// A record without any attachment.
async fn add_bare(s: &Store, org: i64, types: &[&str], held: &str) -> i64 {
    let input = record(s, org, types, held, 0).await;
    life::create(s, &Scope::all(), org, &input, false).await.unwrap().id
}

fn months(to: u32) -> impl Iterator<Item = String> {
    (1..=to).map(|m| format!("2026-{m:02}-15"))
}

async fn exec(s: &Store, sql: &str, a: &[Val]) {
    let mut tx = s.begin().await.unwrap();
    store::testing::raw(tx.x()).execute(sql, a).await.unwrap();
    tx.commit().await.unwrap();
}

/// Seed the year. Returns the ids of the records the expectations name.
async fn seed(s: &Store, w: &World) -> (i64, i64, i64, i64, i64) {
    // B1 (with a committee): regular all year
    for m in months(11) {
        add(s, w.b1, &["theme_day"], &m).await;
        add(s, w.b1, &["committee_meeting"], &m).await;
    }
    for q in ["2026-02-10", "2026-05-10", "2026-08-10", "2026-11-10"] {
        add(s, w.b1, &["branch_assembly"], q).await;
    }
    // 党课: quarterly, then monthly from July under the county's rule
    for day in ["2026-02-11", "2026-05-11", "2026-07-11", "2026-08-11", "2026-09-11", "2026-10-11"] {
        add(s, w.b1, &["party_lecture"], day).await;
    }
    // November's counts, but nothing signed was kept with it (REC-13)
    let no_sheet = add_bare(s, w.b1, &["party_lecture"], "2026-11-11").await;
    // B2: 主题党日 missing in March; the Q3 党员大会 without a quorum; 党课 quarterly in the first
    // half, then monthly under the county's rule (September missing, October without minutes)
    for m in months(11).filter(|m| !m.starts_with("2026-03")) {
        add(s, w.b2, &["theme_day"], &m).await;
    }
    add(s, w.b2, &["branch_assembly"], "2026-02-20").await;
    // a joint record counts for both types (May 主题党日 also recorded above: two that month)
    add(s, w.b2, &["branch_assembly", "theme_day"], "2026-05-20").await;
    let mut q3 = record(s, w.b2, &["branch_assembly"], "2026-08-20", 2).await;
    // 1 of 3 voters present: no quorum (LIFE-02)
    q3.title = "第三季度党员大会".into();
    let no_quorum = life::create(s, &Scope::all(), w.b2, &q3, false).await.unwrap();
    attach(s, no_quorum.id).await;
    assert!(no_quorum.warnings[0].contains("LIFE-02"), "{:?}", no_quorum.warnings);
    add(s, w.b2, &["branch_assembly"], "2026-11-05").await;
    for day in ["2026-02-25", "2026-05-25", "2026-07-25", "2026-08-25"] {
        add(s, w.b2, &["party_lecture"], day).await;
    }
    let mut oct = record(s, w.b2, &["party_lecture"], "2026-10-25", 0).await;
    oct.minutes.clear();
    let no_minutes = life::create(s, &Scope::all(), w.b2, &oct, false).await.unwrap().id;
    attach(s, no_minutes).await;
    // B3: regular until July, then silent; July's 主题党日 entered a month late
    for m in months(7) {
        add(s, w.b3, &["theme_day"], &m).await;
    }
    add(s, w.b3, &["branch_assembly"], "2026-03-01").await;
    add(s, w.b3, &["branch_assembly"], "2026-06-01").await;
    add(s, w.b3, &["party_lecture"], "2026-03-02").await;
    add(s, w.b3, &["party_lecture"], "2026-06-02").await;
    // every record accepted and entered on its day, except as set below
    exec(s, "UPDATE life_record SET status = 'accepted', created_on = held_on", &[]).await;
    let late: (i64,) = store::testing::raw(s.read())
        .fetch_one(
            "SELECT id FROM life_record WHERE org_id = $1 AND held_on = $2",
            &[Val::from(w.b3), Val::from(d("2026-07-15"))],
        )
        .await
        .unwrap();
    exec(s, "UPDATE life_record SET created_on = $1 WHERE id = $2", &[Val::from(d("2026-08-20")), Val::from(late.0)])
        .await;
    // B2's August 主题党日 still a draft
    let draft: (i64,) = store::testing::raw(s.read())
        .fetch_one(
            "SELECT id FROM life_record WHERE org_id = $1 AND held_on = $2 AND types = 'theme_day'",
            &[Val::from(w.b2), Val::from(d("2026-08-15"))],
        )
        .await
        .unwrap();
    exec(s, "UPDATE life_record SET status = 'draft' WHERE id = $1", &[Val::from(draft.0)]).await;
    (no_quorum.id, no_minutes, late.0, draft.0, no_sheet)
}

type Key = (i64, FindingKind, String, Option<String>, Option<i64>);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_of_records_gives_exactly_the_expected_findings() {
    for db in TestDb::both().await {
        let s = &db.store;
        let w = build(s).await;
        // the county's local rule: 党课 monthly from 2026-07-01 (LIFE-06, local version)
        let rule = life::add_rule(
            s,
            &Scope::all(),
            &life::RuleInput {
                org_id: w.county,
                type_code: "party_lecture".into(),
                period: "month".into(),
                min: "1".into(),
                valid_from: "2026-07-01".into(),
                source: "中共样例县委组织部《关于规范党课的通知》".into(),
                article: "第二条".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(rule.rule_id, "LIFE-06");
        let (no_quorum, no_minutes, late, draft, no_sheet) = seed(s, &w).await;

        let root = org::visible(s, &Scope::all(), w.county).await.unwrap();
        let ev = life::evaluate(s, &root, d("2026-01-01"), d("2026-12-31"), d(TODAY), None).await.unwrap();
        let b3_root = org::visible(s, &Scope::all(), w.b3).await.unwrap();
        let ev3 = life::evaluate(s, &b3_root, d("2026-01-01"), d("2026-12-31"), d(TODAY), None).await.unwrap();
        let got: BTreeSet<Key> = ev
            .results
            .iter()
            .chain(ev3.results.iter())
            .flat_map(|r| &r.findings)
            .map(|f| (f.org_id, f.kind, f.rule_id.clone(), f.period_key.clone(), f.record_id))
            .collect();
        let p = |s: &str| Some(s.to_string());
        let aug = p("2026-08");
        let expected: BTreeSet<Key> = [
            // B1: one record without its 签到表
            (w.b1, FindingKind::NoAttachment, "REC-13".into(), p("2026-11"), Some(no_sheet)),
            // B2
            (w.b2, FindingKind::Missing, "LIFE-07".into(), p("2026-03"), None),
            (w.b2, FindingKind::Missing, "LIFE-01".into(), p("2026-Q3"), None),
            (w.b2, FindingKind::Missing, "LIFE-06".into(), p("2026-09"), None),
            (w.b2, FindingKind::NoQuorum, "LIFE-02".into(), aug.clone(), Some(no_quorum)),
            (w.b2, FindingKind::Incomplete, "REC-10".into(), p("2026-10"), Some(no_minutes)),
            (w.b2, FindingKind::Unreviewed, "REC-16".into(), aug.clone(), Some(draft)),
            // B3: silent since July; August to October's 主题党日 and Q3's 党员大会 and 党课 missing
            (w.b3, FindingKind::Missing, "LIFE-07".into(), aug.clone(), None),
            (w.b3, FindingKind::Missing, "LIFE-07".into(), p("2026-09"), None),
            (w.b3, FindingKind::Missing, "LIFE-07".into(), p("2026-10"), None),
            (w.b3, FindingKind::Missing, "LIFE-01".into(), p("2026-Q3"), None),
            (w.b3, FindingKind::Missing, "LIFE-06".into(), p("2026-Q3"), None),
            (w.b3, FindingKind::Late, "REC-15".into(), p("2026-07"), Some(late)),
            (w.b3, FindingKind::Silent, "LIFE-14".into(), None, None),
            // the 党组 without a work division
            (w.group_without, FindingKind::NoDivision, "LIFE-15".into(), None, None),
        ]
        .into_iter()
        .collect();
        let extra: Vec<_> = got.difference(&expected).collect();
        let missing: Vec<_> = expected.difference(&got).collect();
        assert!(extra.is_empty() && missing.is_empty(), "{:?}: extra {extra:?}\nmissing {missing:?}", s.backend());

        // B1 is regular: everything due was held, so its rate is 100 %
        let (_, b1) = ev.result_of(w.b1).unwrap();
        assert!(b1.due > 0 && b1.met == b1.due, "{} of {}", b1.met, b1.due);
        assert!(ev.result_of(w.group_with).unwrap().1.findings.is_empty());
        // B2's Q3 finding explains itself: the record without a quorum was not counted
        let (_, b2) = ev.result_of(w.b2).unwrap();
        let q3 = b2.findings.iter().find(|f| f.period_key.as_deref() == Some("2026-Q3")).unwrap();
        assert_eq!(q3.evidence.excluded.iter().map(|e| e.id).collect::<Vec<_>>(), vec![no_quorum]);
        assert!(q3.source.contains("第十一条"));
        // September's 党课 finding cites the local rule in force from July
        let sept = b2.findings.iter().find(|f| f.period_key.as_deref() == Some("2026-09")).unwrap();
        assert!(sept.evidence.requirement.contains("中共样例县委") && sept.evidence.requirement.contains("2026-07-01"));
        // the 党课 line switched from quarters to months in July
        let lecture = b2.lines.iter().find(|l| l.type_code == "party_lecture").unwrap();
        let keys: Vec<&str> = lecture.cells.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["2026-Q1", "2026-Q2", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]);
        // the town's own lines: the 党委 secretary's yearly 党课 (LIFE-06S) is still open
        let (_, town) = ev.result_of(w.town).unwrap();
        assert!(town.lines.iter().any(|l| l.type_code == "party_lecture" && l.cells[0].key == "2026"));

        // the daily job stores the same findings
        let report = life::run_daily(s, d(TODAY), None).await.unwrap();
        let city_findings = report.findings;
        assert_eq!(city_findings, got.len(), "{:?}", s.backend());
        let page = life::findings(s, &root, None, 1, 100).await.unwrap();
        assert_eq!(page.total as usize, expected.iter().filter(|k| k.0 != w.b3).count());
        let stored = page.items.iter().find(|f| f.record_id == Some(no_quorum)).unwrap();
        assert_eq!(stored.rule_id, "LIFE-02");
        assert_eq!(life::last_run(s).await.unwrap().map(|r| r.0), Some(d(TODAY)));
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quorum_edges_roster_on_a_date_and_review() {
    for db in TestDb::both().await {
        let s = &db.store;
        let w = build(s).await;
        let all = Scope::all().acting_as(Actor::new("测试", "党务工作者"));
        // B1: 3 voters and 1 probationary member. 2 voters present is more than half (LIFE-02);
        // with only 1 voter and the probationary member present there is no quorum.
        let ok = record(s, w.b1, &["branch_assembly"], "2026-10-10", 0).await;
        let mut two = ok.clone();
        // roster order is by join date: the three full members first
        two.attendance[0].status = "leave".into();
        two.attendance[0].reason = "因病请假".into();
        two.resolutions =
            vec![ResolutionInput { text: "同意某某转正".into(), yes: "2".into(), ..Default::default() }];
        let saved = life::create(s, &all, w.b1, &two, false).await.unwrap();
        assert!(saved.warnings.is_empty());
        let full = life::get(s, &all, saved.id).await.unwrap();
        assert_eq!((full.record.expected, full.record.present, full.record.on_leave), (4, 3, 1));
        assert_eq!((full.record.voters_expected, full.record.voters_present), (3, 2));
        assert!(full.resolutions[0].passed, "2 ayes of 3 voters pass");
        let mut one = ok.clone();
        for a in one.attendance.iter_mut().take(2) {
            a.status = "absent".into();
            a.reason = "出差".into();
        }
        let saved = life::create(s, &all, w.b1, &one, false).await.unwrap();
        assert!(saved.warnings[0].contains("LIFE-02"));
        assert_eq!(life::get(s, &all, saved.id).await.unwrap().record.quorum_ok, Some(false));
        // a vote without a quorum is refused
        one.resolutions = vec![ResolutionInput { text: "x".into(), yes: "1".into(), ..Default::default() }];
        match life::create(s, &all, w.b1, &one, false).await {
            Err(StoreError::Invalid(e)) => assert!(e.to_string().contains("不能进行表决"), "{e}"),
            other => panic!("{other:?}"),
        }

        // the mover leaves B2 for B1 today: before today they were on B2's roster, not B1's
        let before_b2 = life::roster(s, &all, w.b2, d("2026-10-01")).await.unwrap();
        assert!(before_b2.iter().any(|r| r.member_id == w.mover));
        let m = member::get(s, &Scope::all(), w.mover).await.unwrap();
        let input = MemberInput {
            name: m.name.clone(),
            id_number: m.id_number.clone(),
            category: Some(Category::Full),
            join_date: Some(m.join_date),
            ..Default::default()
        };
        member::update(s, &Scope::all(), w.mover, Some(w.b1), &input, d(TODAY)).await.unwrap();
        let b2_then = life::roster(s, &all, w.b2, d("2026-10-01")).await.unwrap();
        let b1_then = life::roster(s, &all, w.b1, d("2026-10-01")).await.unwrap();
        assert!(b2_then.iter().any(|r| r.member_id == w.mover), "on B2's roster before the move");
        assert!(!b1_then.iter().any(|r| r.member_id == w.mover), "not on B1's roster before the move");
        let real_today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
        let b1_now = life::roster(s, &all, w.b1, real_today).await.unwrap();
        assert!(b1_now.iter().any(|r| r.member_id == w.mover));
        // attendees must be members on the date (REC-08): the mover cannot attend B1's October meeting
        let mut stranger = record(s, w.b1, &["theme_day"], "2026-10-12", 0).await;
        stranger.attendance.push(AttendanceInput {
            member_id: w.mover,
            status: "present".into(),
            reason: String::new(),
        });
        match life::create(s, &all, w.b1, &stranger, false).await {
            Err(StoreError::Invalid(e)) => assert!(e.to_string().contains("REC-08"), "{e}"),
            other => panic!("{other:?}"),
        }
        // the probationary member (joined 2025-12-01) is not on a roster before joining
        let early = life::roster(s, &all, w.b1, d("2025-06-01")).await.unwrap();
        assert_eq!(early.len(), 3);

        // review runs upward: the branch cannot accept its own record; the town can
        let id = saved.id;
        let branch_scope = Scope::subtrees([org::get(s, &Scope::all(), w.b1).await.unwrap().path]);
        life::submit(s, &branch_scope, id).await.unwrap();
        assert!(!life::get(s, &branch_scope, id).await.unwrap().reviewable);
        assert!(matches!(life::review(s, &branch_scope, id, true, "").await, Err(StoreError::Refused(_))));
        let town_scope = Scope::subtrees([org::get(s, &Scope::all(), w.town).await.unwrap().path]);
        match life::review(s, &town_scope, id, false, " ").await {
            Err(StoreError::Invalid(e)) => assert!(e.has("退回原因")),
            other => panic!("{other:?}"),
        }
        life::review(s, &town_scope, id, false, "缺少签到表").await.unwrap();
        let r = life::get(s, &town_scope, id).await.unwrap().record;
        assert_eq!((r.status.as_str(), r.return_reason.as_deref()), ("returned", Some("缺少签到表")));
        // a returned record may be corrected (it becomes a draft) and submitted again
        life::update(s, &branch_scope, id, &ok).await.unwrap();
        life::submit(s, &branch_scope, id).await.unwrap();
        life::review(s, &town_scope, id, true, "").await.unwrap();
        assert!(matches!(life::update(s, &branch_scope, id, &ok).await, Err(StoreError::Refused(_))));
        // another county sees nothing of it
        let b3_scope = Scope::subtrees([org::get(s, &Scope::all(), w.b3).await.unwrap().path]);
        assert!(matches!(life::get(s, &b3_scope, id).await, Err(StoreError::NotFound(_))));
        // attachments: type and size checked; stored in the database
        match life::add_attachment(s, &branch_scope, id, "a.png", b"\x89PNG\r\n\x1a\nxx").await {
            Err(StoreError::Refused(_)) => {}
            other => panic!("accepted records take no attachments: {other:?}"),
        }
        let draft = life::create(s, &branch_scope, w.b1, &ok, false).await.unwrap().id;
        let att = life::add_attachment(s, &branch_scope, draft, "签到表.png", b"\x89PNG\r\n\x1a\nxx").await.unwrap();
        let (meta, bytes) = life::attachment(s, &branch_scope, draft, att).await.unwrap();
        assert_eq!((meta.mime.as_str(), bytes.len()), ("image/png", 10));
        for (name, bytes) in [("a.exe", &b"MZ\x90\x00"[..]), ("a.pdf", &b"\x89PNG\r\n\x1a\n"[..])] {
            match life::add_attachment(s, &branch_scope, draft, name, bytes).await {
                Err(StoreError::Invalid(e)) => assert!(e.has("附件"), "{e}"),
                other => panic!("{name}: {other:?}"),
            }
        }
        // every write is in the audit trail, and the chain holds
        let v = store::audit::verify(s).await.unwrap();
        assert!(v.ok(), "{:?}", v.problems);
        let n: i64 = store::testing::raw(s.read())
            .scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action LIKE 'life.%'", &[])
            .await
            .unwrap();
        assert!(n >= 10, "{n}");
        let _ = w.group_without;
        db.finish().await;
    }
}

/// The subtree judged from what was kept and brought up to date, and judged afresh: the same.
async fn kept_is_fresh(
    s: &Store,
    root: &store::Visible<domain::org::Org>,
    as_of: &str,
    label: &str,
) -> life::Evaluation {
    let (from, to) = (d("2026-01-01"), d("2026-12-31"));
    let kept = life::evaluate(s, root, from, to, d(as_of), None).await.unwrap();
    let fresh = life::evaluate(s, root, from, to, d(as_of), Some(life::params_on(d(as_of)))).await.unwrap();
    assert_eq!(kept, fresh, "{label}: the kept evaluation differs from a fresh one");
    kept
}

fn has_finding(ev: &life::Evaluation, org: i64, rule: &str, period: &str) -> bool {
    ev.results
        .iter()
        .flat_map(|r| &r.findings)
        .any(|f| f.org_id == org && f.rule_id == rule && f.period_key.as_deref() == Some(period))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_evaluation_brought_up_to_date_is_the_fresh_one_after_every_kind_of_change() {
    for db in TestDb::both().await {
        let s = &db.store;
        let w = build(s).await;
        seed(s, &w).await;
        let root = org::visible(s, &Scope::all(), w.county).await.unwrap();
        let ev = kept_is_fresh(s, &root, TODAY, "first view").await;
        assert!(has_finding(&ev, w.b2, "LIFE-07", "2026-03"));
        kept_is_fresh(s, &root, TODAY, "nothing changed").await;

        // a record entered: B2's March 主题党日 is no longer missing
        let march = add(s, w.b2, &["theme_day"], "2026-03-15").await;
        let ev = kept_is_fresh(s, &root, TODAY, "a record entered").await;
        assert!(!has_finding(&ev, w.b2, "LIFE-07", "2026-03"), "the kept evaluation must see the new record");
        // returned by the superior, written by another process
        let other = db.another().await;
        exec(&other, "UPDATE life_record SET status = 'returned' WHERE id = $1", &[Val::from(march)]).await;
        let ev = kept_is_fresh(s, &root, TODAY, "a record returned elsewhere").await;
        assert!(has_finding(&ev, w.b2, "LIFE-07", "2026-03"));
        // deleted
        exec(s, "DELETE FROM life_attachment WHERE record_id = $1", &[Val::from(march)]).await;
        kept_is_fresh(s, &root, TODAY, "its attachments deleted (REC-13)").await;
        exec(s, "DELETE FROM life_attendance WHERE record_id = $1", &[Val::from(march)]).await;
        exec(s, "DELETE FROM life_record WHERE id = $1", &[Val::from(march)]).await;
        kept_is_fresh(s, &root, TODAY, "a record deleted").await;

        // the 党组's secretary, a member of B1, gives a 党课 in B1 (LIFE-06S counts it for the 党组)
        let (secretary,): (i64,) = store::testing::raw(s.read())
            .fetch_one("SELECT id FROM member WHERE org_id = $1 ORDER BY id LIMIT 1", &[Val::from(w.b1)])
            .await
            .unwrap();
        exec(
            s,
            "INSERT INTO org_officer (org_id, member_id, role, duties, started_on, created_at, updated_at) \
             VALUES ($1, $2, 'secretary', '', $3, $4, $4)",
            &[Val::from(w.group_with), Val::from(secretary), Val::from(d("2026-01-01")), Val::Time(chrono::Utc::now())],
        )
        .await;
        kept_is_fresh(s, &root, TODAY, "a 书记 term added").await;
        let lecture = add(s, w.b1, &["party_lecture"], "2026-06-20").await;
        exec(
            s,
            "UPDATE life_record SET lecturer_member_id = $1, status = 'accepted' WHERE id = $2",
            &[Val::from(secretary), Val::from(lecture)],
        )
        .await;
        kept_is_fresh(s, &root, TODAY, "a 党组 secretary's 党课 in a branch").await;
        exec(s, "UPDATE member SET name = '王书记' WHERE id = $1", &[Val::from(secretary)]).await;
        kept_is_fresh(s, &root, TODAY, "the secretary renamed").await;
        // the 党组 without a division gets one; a local rule changes what every organization owes
        life::add_division(
            s,
            &Scope::all(),
            w.group_without,
            &life::DivisionInput {
                member_name: "李局长".into(),
                post: "党组书记".into(),
                duty: "全面负责党建工作".into(),
                since: "2026-01-01".into(),
            },
        )
        .await
        .unwrap();
        kept_is_fresh(s, &root, TODAY, "a 党组 division added").await;
        life::add_rule(
            s,
            &Scope::all(),
            &life::RuleInput {
                org_id: w.county,
                type_code: "branch_assembly".into(),
                period: "month".into(),
                min: "1".into(),
                valid_from: "2026-09-01".into(),
                source: "中共样例县委组织部《关于加强支部党员大会的通知》".into(),
                article: "第一条".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        kept_is_fresh(s, &root, TODAY, "a local rule added").await;
        // an organization renamed: the tree itself
        exec(s, "UPDATE org SET name = '第二党支部（改）' WHERE id = $1", &[Val::from(w.b2)]).await;
        kept_is_fresh(s, &root, TODAY, "an organization renamed").await;
        // a later day, and a record outside the subtree
        add(s, w.b3, &["theme_day"], "2026-11-16").await;
        kept_is_fresh(s, &root, "2026-12-05", "a later day").await;
        kept_is_fresh(s, &root, TODAY, "back to the day before").await;
    }
}

/// The daily job keeps the previous year in view until a quarter after its yearly meetings could
/// last be held (LIFE-18): with the national window (to 03-31) until 30 June, with a subtree's
/// window to 06-30 until 30 September, so a yearly meeting still missing when its window closes
/// is reported.
#[test]
fn life_18_the_daily_job_judges_the_previous_year_until_its_window_has_closed() {
    let national = domain::life::shipped_year_windows().to_vec();
    let year_of = |as_of: &str, ws: &[domain::life::YearWindow]| life::daily_range(d(as_of), ws).0;
    assert_eq!(life::daily_range(d("2026-02-15"), &national), (d("2025-01-01"), d("2026-12-31")));
    assert_eq!(year_of("2026-04-01", &national), d("2025-01-01"), "the window closed yesterday: still judged");
    assert_eq!(year_of("2026-06-30", &national), d("2025-01-01"));
    assert_eq!(year_of("2026-07-01", &national), d("2026-01-01"));
    let mut local = national[0].clone();
    (local.until_month, local.until_day, local.org_path) = (6, 30, Some("0001".into()));
    let ws = [national.clone(), vec![local]].concat();
    assert_eq!(year_of("2026-09-30", &ws), d("2025-01-01"));
    assert_eq!(year_of("2026-10-01", &ws), d("2026-01-01"));
}
