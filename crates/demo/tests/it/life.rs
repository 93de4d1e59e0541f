//! The demo's year of organization life, on the district (the smallest scale) on
//! SQLite and PostgreSQL: every kind of finding appears, regular branches have nothing missing,
//! and the stored records agree with their attendance, the roster of their date and the rules.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use demo::{build, DemoOptions, LifeProfile, Scale};
use domain::life::FindingKind;
use store::testing::TestDb;
use store::{args, Scope, Store};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 21).expect("date")
}

async fn count(s: &Store, sql: &str, a: &[store::Val]) -> i64 {
    store::testing::raw(s.read()).scalar(sql, a).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_of_life_shows_every_finding() {
    let seed = 2026;
    for db in TestDb::both().await {
        let s = &db.store;
        let sum =
            build(s, &DemoOptions { scale: Scale::District, seed, today: today() }, &store::NoProgress).await.unwrap();
        let life = &sum.life;
        assert_eq!(life.from, NaiveDate::from_ymd_opt(2025, 12, 1));
        assert!(life.records > 5_000, "{life:?}");
        assert!(sum.report().contains("组织生活"), "{}", sum.report());

        // the summary is what the database holds
        assert_eq!(count(s, "SELECT CAST(COUNT(*) AS BIGINT) FROM life_record", &[]).await as u64, life.records);
        assert_eq!(count(s, "SELECT CAST(COUNT(*) AS BIGINT) FROM life_attendance", &[]).await as u64, life.attendance);
        assert_eq!(
            count(s, "SELECT CAST(COUNT(*) AS BIGINT) FROM life_resolution", &[]).await as u64,
            life.resolutions
        );
        assert!(life.joint > 0 && life.resolutions > 0 && life.divisions > 0, "{life:?}");
        // the signed 签到表 kept with nearly every record (REC-13): a few sloppy ones lack it
        assert_eq!(
            count(s, "SELECT CAST(COUNT(*) AS BIGINT) FROM life_attachment", &[]).await as u64,
            life.attachments
        );
        assert!(life.attachments < life.records && life.attachments * 100 > life.records * 97, "{life:?}");
        let bare = count(
            s,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM life_record r WHERE NOT EXISTS \
             (SELECT 1 FROM life_attachment a WHERE a.record_id = r.id)",
            &[],
        )
        .await;
        assert_eq!(bare as u64, life.records - life.attachments, "one 签到表 a record");
        assert!(life.leading_groups > life.with_division && life.with_division > 0, "{life:?}");

        // every kind of finding, as the first daily run stored them
        let stored: HashMap<String, i64> = store::testing::raw(s.read())
            .fetch_all::<(String, i64)>("SELECT kind, CAST(COUNT(*) AS BIGINT) FROM life_finding GROUP BY kind", &[])
            .await
            .unwrap()
            .into_iter()
            .collect();
        for k in FindingKind::ALL {
            assert!(stored.get(k.code()).copied().unwrap_or(0) > 0, "no {} finding: {stored:?}", k.code());
            let c = life.findings.iter().find(|f| f.kind == k.code()).unwrap();
            assert_eq!(c.count as i64, stored[k.code()]);
        }

        // regular branches have nothing missing and are not silent; silent ones are
        let branches: Vec<(i64, String)> = store::testing::raw(s.read())
            .fetch_all(
                "SELECT id, path FROM org WHERE kind IN ('branch', 'joint_branch', 'temporary_branch') ORDER BY path",
                &[],
            )
            .await
            .unwrap();
        let with = |kind: &'static str| async move {
            let v: Vec<(i64,)> = store::testing::raw(s.read())
                .fetch_all("SELECT DISTINCT org_id FROM life_finding WHERE kind = $1", &args![kind])
                .await
                .unwrap();
            v.into_iter().map(|r| r.0).collect::<HashSet<i64>>()
        };
        let (missing, silent) = (with("missing").await, with("silent").await);
        let mut regular = 0;
        for (id, path) in &branches {
            match LifeProfile::of(seed, path) {
                LifeProfile::Regular => {
                    regular += 1;
                    assert!(!missing.contains(id), "regular branch {path} has a missing finding");
                    assert!(!silent.contains(id), "regular branch {path} is silent");
                }
                LifeProfile::Silent => assert!(silent.contains(id), "silent branch {path} not found silent"),
                _ => {}
            }
        }
        assert!(regular as f64 > 0.7 * branches.len() as f64, "{regular} of {}", branches.len());
        assert!(!missing.is_empty());

        // counts agree with the attendance rows (organizations that hold members; a 党委's own
        // meetings are counted by hand)
        let bad = count(
            s,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM life_record r WHERE r.has_attendance AND r.types <> 'heart_talk' \
             AND r.types <> 'democratic_life' \
             AND r.org_id IN (SELECT id FROM org WHERE kind IN ('branch', 'joint_branch', 'temporary_branch', 'party_group')) AND (\
               r.expected <> (SELECT COUNT(*) FROM life_attendance a WHERE a.record_id = r.id) \
               OR r.present <> (SELECT COUNT(*) FROM life_attendance a WHERE a.record_id = r.id AND a.status = 'present') \
               OR r.on_leave <> (SELECT COUNT(*) FROM life_attendance a WHERE a.record_id = r.id AND a.status = 'leave') \
               OR r.absent <> (SELECT COUNT(*) FROM life_attendance a WHERE a.record_id = r.id AND a.status = 'absent') \
               OR r.voters_expected <> (SELECT COUNT(*) FROM life_attendance a WHERE a.record_id = r.id AND a.is_voter) \
               OR r.voters_present <> (SELECT COUNT(*) FROM life_attendance a WHERE a.record_id = r.id AND a.is_voter \
                                        AND a.status = 'present'))",
            &[],
        )
        .await;
        assert_eq!(bad, 0, "records whose counts disagree with their attendance");
        // the quorum of a 支部党员大会 is more than half of the voting members (LIFE-02)
        let bad = count(
            s,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM life_record WHERE types LIKE '%branch_assembly%' AND has_attendance \
             AND quorum_ok <> (voters_present * 2 > voters_expected)",
            &[],
        )
        .await;
        assert_eq!(bad, 0);
        assert!(count(s, "SELECT CAST(COUNT(*) AS BIGINT) FROM life_record WHERE NOT quorum_ok", &[]).await > 0);
        // absences carry a reason
        assert_eq!(
            count(
                s,
                "SELECT CAST(COUNT(*) AS BIGINT) FROM life_attendance WHERE status <> 'present' AND (reason IS NULL OR reason = '')",
                &[]
            )
            .await,
            0
        );
        // statuses: mostly accepted, some of each other
        let statuses: HashMap<String, i64> = store::testing::raw(s.read())
            .fetch_all::<(String, i64)>("SELECT status, CAST(COUNT(*) AS BIGINT) FROM life_record GROUP BY status", &[])
            .await
            .unwrap()
            .into_iter()
            .collect();
        assert!(statuses["accepted"] as f64 > 0.7 * life.records as f64, "{statuses:?}");
        for st in ["draft", "submitted", "returned"] {
            assert!(statuses.get(st).copied().unwrap_or(0) > 0, "{statuses:?}");
        }

        // attendance is the roster of the meeting's date, as the store computes it
        let sample: Vec<(i64, i64, NaiveDate)> = store::testing::raw(s.read())
            .fetch_all(
                "SELECT id, org_id, held_on FROM life_record WHERE has_attendance AND types IN ('branch_assembly', \
                 'theme_day', 'group_meeting') ORDER BY id LIMIT 40",
                &[],
            )
            .await
            .unwrap();
        assert!(!sample.is_empty());
        let all = Scope::all();
        for (id, org, on) in sample {
            let roster: HashSet<i64> =
                store::life::roster(s, &all, org, on).await.unwrap().into_iter().map(|r| r.member_id).collect();
            let rec = store::life::get(s, &all, id).await.unwrap();
            let att: HashSet<i64> = rec.attendance.iter().map(|a| a.member_id).collect();
            assert_eq!(att, roster, "record {id}: attendance is the roster of {on}");
            assert!(!rec.record.host.is_empty() && !rec.record.place.is_empty());
        }

        // the engine over the same year agrees with what the daily run stored
        let root = store::org::visible(s, &all, sum.root_id).await.unwrap();
        let (from, to) = store::life::daily_range(today(), domain::life::shipped_year_windows());
        let ev = store::life::evaluate(s, &root, from, to, today(), None).await.unwrap();
        let total: usize = ev.results.iter().map(|r| r.findings.len()).sum();
        assert_eq!(total as i64, count(s, "SELECT CAST(COUNT(*) AS BIGINT) FROM life_finding", &[]).await);

        // records entered after the build get fresh ids
        let branch = branches[0].0;
        let input = domain::life::RecordInput {
            types: vec!["heart_talk".into()],
            title: "谈心谈话".into(),
            held_on: "2026-11-20".into(),
            place: "会议室".into(),
            host: "张三".into(),
            recorder: "李四".into(),
            expected: "3".into(),
            present: "3".into(),
            ..Default::default()
        };
        let saved = store::life::create(s, &all, branch, &input, false).await.unwrap();
        assert!(saved.id as u64 > life.records, "{} after {} records", saved.id, life.records);
        db.finish().await;
    }
}

/// The same seed gives the same year of life.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn life_is_deterministic() {
    let mut seen = Vec::new();
    for _ in 0..2 {
        let db = TestDb::sqlite().await;
        let sum =
            build(&db.store, &DemoOptions { scale: Scale::District, seed: 5, today: today() }, &store::NoProgress)
                .await
                .unwrap();
        let rows: Vec<(i64, String, NaiveDate, String, String, i64)> = store::testing::raw(db.store.read())
            .fetch_all("SELECT org_id, types, held_on, title, status, present FROM life_record ORDER BY id", &[])
            .await
            .unwrap();
        seen.push((sum.life, rows));
        db.finish().await;
    }
    assert!(seen[0] == seen[1]);
}

/// 班子成员: every organization but the 党小组 has a 书记 in post (a member on the record), some a
/// former one; the 党委's, 党总支's and 党组's yearly 党课 is their 书记's own for most and not
/// for a few (LIFE-06S), the same from the same seed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_for_every_organization_and_the_secretaries_lectures() {
    let db = TestDb::sqlite().await;
    let s = &db.store;
    build(s, &DemoOptions { scale: Scale::District, seed: 2026, today: today() }, &store::NoProgress).await.unwrap();
    let without = count(
        s,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM org o WHERE o.kind <> 'party_group' AND o.dissolved_on IS NULL \
         AND NOT EXISTS (SELECT 1 FROM org_officer f WHERE f.org_id = o.id AND f.role = 'secretary' AND f.ended_on IS NULL)",
        &[],
    )
    .await;
    let names: Vec<(String, String)> = store::testing::raw(s.read())
        .fetch_all(
            "SELECT o.name, o.kind FROM org o WHERE o.kind <> 'party_group' AND o.dissolved_on IS NULL \
             AND NOT EXISTS (SELECT 1 FROM org_officer f WHERE f.org_id = o.id AND f.role = 'secretary' AND f.ended_on IS NULL)",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(without, 0, "every organization has a 书记 in post: {names:?}");
    let ended = count(s, "SELECT CAST(COUNT(*) AS BIGINT) FROM org_officer WHERE ended_on IS NOT NULL", &[]).await;
    let members = count(s, "SELECT CAST(COUNT(*) AS BIGINT) FROM org_officer WHERE role = 'member'", &[]).await;
    assert!(ended > 0 && members > 0, "history {ended}, 委员 {members}");
    // no officer's term starts before the member joined or the organization was founded
    let bad = count(
        s,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM org_officer f JOIN member m ON m.id = f.member_id JOIN org o ON o.id = f.org_id \
         WHERE f.started_on < m.join_date OR (o.founded_on IS NOT NULL AND f.started_on < o.founded_on)",
        &[],
    )
    .await;
    assert_eq!(bad, 0);

    let top: (i64,) = store::testing::raw(s.read())
        .fetch_one("SELECT id FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 1", &[])
        .await
        .unwrap();
    let root = store::org::visible(s, &Scope::all(), top.0).await.unwrap();
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    let ev = store::life::evaluate(s, &root, d(2026, 1, 1), d(2026, 12, 31), d(2027, 4, 10), None).await.unwrap();
    let (mut met, mut missing) = (0, 0);
    for r in ev.results.iter() {
        for l in r.lines.iter().filter(|l| l.type_code == "party_lecture") {
            for c in l.cells.iter().filter(|c| c.rule_id == "LIFE-06S") {
                match c.state {
                    domain::life::CellState::Met => met += 1,
                    domain::life::CellState::Missing => missing += 1,
                    _ => {}
                }
            }
        }
    }
    assert!(met > missing && missing > 0, "LIFE-06S met {met}, missed {missing}");
    db.finish().await;
}
