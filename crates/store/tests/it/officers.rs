//! 班子成员 on SQLite and PostgreSQL: terms with dates and their history (ending never deletes),
//! the one-secretary-at-a-time check, scope, audit and import; and what organization life takes
//! from them — the 党委（党组）书记's own yearly 党课 anywhere in the subtree (LIFE-06S) — and the
//! 所属年度 of a yearly meeting held early the next year (LIFE-18, REC-04).

use chrono::NaiveDate;
use domain::life::{CellState, RecordInput};
use domain::member::{Category, MemberInput};
use domain::officer::{OfficerInput, OfficerRole};
use domain::org::{OrgInput, OrgKind, Sector};
use store::officer::ImportRow;
use store::testing::TestDb;
use store::{life, member, officer, org, Scope, Store, StoreError};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-11-21";

async fn mk_org(s: &Store, parent: Option<i64>, name: &str, kind: OrgKind) -> i64 {
    let input = OrgInput {
        name: name.into(),
        kind: Some(kind),
        sector: Some(Sector::Organs),
        has_committee: true,
        founded_on: Some(d("2015-01-01")),
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

fn term(member: i64, role: &str, from: &str, to: &str) -> domain::officer::ValidOfficer {
    domain::officer::validate(
        &OfficerInput {
            member_id: member.to_string(),
            role: role.into(),
            duties: String::new(),
            started_on: from.into(),
            ended_on: to.into(),
        },
        d(TODAY),
    )
    .unwrap()
}

struct World {
    county: i64,
    town: i64,
    branch: i64,
    bureau_group: i64,
    old_secretary: i64,
    secretary: i64,
    member: i64,
    other_county_member: i64,
}

async fn build(s: &Store) -> World {
    let city = mk_org(s, None, "中共样例市委", OrgKind::LocalCommittee).await;
    let county = mk_org(s, Some(city), "中共样例县委", OrgKind::LocalCommittee).await;
    let other = mk_org(s, Some(city), "中共邻县委", OrgKind::LocalCommittee).await;
    let town = mk_org(s, Some(county), "中共样例镇委员会", OrgKind::Committee).await;
    let branch = mk_org(s, Some(town), "镇机关党支部", OrgKind::Branch).await;
    let bureau_group = mk_org(s, Some(county), "县教育局党组", OrgKind::LeadingGroup).await;
    let other_branch = mk_org(s, Some(other), "邻县党支部", OrgKind::Branch).await;
    World {
        county,
        town,
        branch,
        bureau_group,
        old_secretary: mk_member(s, branch, "赵前任", 1).await,
        secretary: mk_member(s, branch, "钱书记", 2).await,
        member: mk_member(s, branch, "孙委员", 3).await,
        other_county_member: mk_member(s, other_branch, "李外县", 4).await,
    }
}

fn county_scope(path: &str) -> Scope {
    Scope::subtrees([path.to_string()])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terms_keep_their_history_one_secretary_at_a_time_in_scope_and_audited() {
    for db in TestDb::both().await {
        let s = &db.store;
        let w = build(s).await;
        let all = Scope::all();
        let first = officer::add(s, &all, w.town, &term(w.old_secretary, "书记", "2021-03-01", "")).await.unwrap();
        assert_eq!((first.name.as_str(), first.role(), first.ended_on), ("赵前任", OfficerRole::Secretary, None));
        // a second 书记 while the first is in post is refused, naming the one in post
        let e = officer::add(s, &all, w.town, &term(w.secretary, "书记", "2025-07-01", "")).await.unwrap_err();
        match e {
            StoreError::Invalid(e) => assert!(e.has("任职日期") && e.to_string().contains("赵前任"), "{e}"),
            other => panic!("{other:?}"),
        }
        // ending the first term (never deleting it), then the new secretary
        let ended = officer::end(s, &all, first.id, d("2025-06-30")).await.unwrap();
        assert_eq!(ended.ended_on, Some(d("2025-06-30")));
        assert!(matches!(officer::end(s, &all, first.id, d("2025-07-30")).await, Err(StoreError::Refused(_))));
        officer::add(s, &all, w.town, &term(w.secretary, "书记", "2025-07-01", "")).await.unwrap();
        let mut v = term(w.member, "委员", "2025-07-01", "");
        v.duties = vec!["组织委员".into(), "纪检委员".into()];
        let m = officer::add(s, &all, w.town, &v).await.unwrap();
        assert_eq!(m.duties, "组织委员、纪检委员");
        // correcting a term: the post, kept in the audit trail
        let mut fix = term(w.member, "副书记", "2025-07-01", "");
        fix.duties = vec!["组织委员".into()];
        let fixed = officer::correct(s, &all, m.id, &fix).await.unwrap();
        assert_eq!(fixed.role(), OfficerRole::Deputy);

        let town = org::visible(s, &all, w.town).await.unwrap();
        let now: Vec<(String, &str)> = officer::list(s, &town, Some(d(TODAY)))
            .await
            .unwrap()
            .iter()
            .map(|o| (o.name.clone(), o.role_label()))
            .collect();
        assert_eq!(now, [("钱书记".to_string(), "书记"), ("孙委员".to_string(), "副书记")]);
        let history = officer::list(s, &town, None).await.unwrap();
        assert_eq!(history.len(), 3, "the ended term stays in the history");
        assert_eq!(officer::list(s, &town, Some(d("2024-01-01"))).await.unwrap()[0].name, "赵前任");

        let actions: Vec<String> = store::audit::recent(s, 20).await.unwrap().into_iter().map(|r| r.action).collect();
        for a in ["officer.add", "officer.end", "officer.correct"] {
            assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
        }

        // scope: another county's 组织部 neither sees nor changes the town's officers, and a
        // county cannot name a member it does not manage
        let county_path = org::get(s, &all, w.county).await.unwrap().path;
        let other = county_scope(&format!("{}X", county_path));
        assert!(matches!(officer::get(s, &other, first.id).await, Err(StoreError::NotFound(_))));
        assert!(matches!(
            officer::add(s, &other, w.town, &term(w.member, "委员", "2026-01-01", "")).await,
            Err(StoreError::NotFound(_))
        ));
        let county = county_scope(&county_path);
        match officer::add(s, &county, w.town, &term(w.other_county_member, "委员", "2026-01-01", "")).await {
            Err(StoreError::Invalid(e)) => assert!(e.has("党员"), "{e}"),
            other => panic!("{other:?}"),
        }
        db.finish().await;
    }
}

fn lecture(title: &str, held: &str, lecturer: &str) -> RecordInput {
    RecordInput {
        types: vec!["party_lecture".into()],
        title: title.into(),
        held_on: held.into(),
        start_time: "09:00".into(),
        end_time: "10:30".into(),
        place: "党员活动室".into(),
        host: "钱书记".into(),
        recorder: "孙委员".into(),
        lecturer: lecturer.into(),
        agenda: "专题党课".into(),
        minutes: "授课内容摘要".into(),
        expected: "3".into(),
        present: "3".into(),
        ..Default::default()
    }
}

fn year_state(ev: &life::Evaluation, org: i64, ty: &str, key: &str) -> CellState {
    let (_, r) = ev.result_of(org).unwrap();
    r.lines.iter().find(|l| l.type_code == ty).unwrap().cells.iter().find(|c| c.key == key).unwrap().state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn life_06s_the_secretarys_own_lecture_anywhere_below_counts_for_a_committee_and_a_party_group() {
    for db in TestDb::both().await {
        let s = &db.store;
        let w = build(s).await;
        let all = Scope::all();
        officer::add(s, &all, w.town, &term(w.secretary, "书记", "2025-07-01", "")).await.unwrap();
        officer::add(s, &all, w.bureau_group, &term(w.old_secretary, "书记", "2020-01-01", "")).await.unwrap();
        let county = org::visible(s, &all, w.county).await.unwrap();
        let judge = || life::evaluate(s, &county, d("2026-01-01"), d("2026-12-31"), d("2027-04-10"), None);

        // nobody lectured: both the 党委 and the 党组 miss their secretary's 党课
        let ev = judge().await.unwrap();
        assert_eq!(year_state(&ev, w.town, "party_lecture", "2026"), CellState::Missing);
        assert_eq!(year_state(&ev, w.bureau_group, "party_lecture", "2026"), CellState::Missing);

        // the town's secretary lectured in the branch (named by text: matched to the officer),
        // the 党组's secretary lectured in the same branch (chosen by member id)
        let saved =
            life::create(s, &all, w.branch, &lecture("书记讲党课", "2026-05-10", "钱书记"), false).await.unwrap();
        let rec = life::get(s, &all, saved.id).await.unwrap().record;
        assert_eq!(rec.lecturer_member_id, Some(w.secretary));
        let chosen = RecordInput {
            lecturer: String::new(),
            lecturer_member_id: w.old_secretary.to_string(),
            ..lecture("局党组书记讲党课", "2026-06-10", "")
        };
        let saved2 = life::create(s, &all, w.branch, &chosen, false).await.unwrap();
        let rec2 = life::get(s, &all, saved2.id).await.unwrap().record;
        assert_eq!((rec2.lecturer.as_deref(), rec2.lecturer_member_id), (Some("赵前任"), Some(w.old_secretary)));

        let ev = judge().await.unwrap();
        assert_eq!(year_state(&ev, w.town, "party_lecture", "2026"), CellState::Met, "the 党委 itself recorded none");
        assert_eq!(year_state(&ev, w.bureau_group, "party_lecture", "2026"), CellState::Met);
        // the 党组 judged on its own still sees its secretary's lecture in the unit around it
        let group = org::visible(s, &all, w.bureau_group).await.unwrap();
        let alone = life::evaluate(s, &group, d("2026-01-01"), d("2026-12-31"), d("2027-04-10"), None).await.unwrap();
        assert_eq!(year_state(&alone, w.bureau_group, "party_lecture", "2026"), CellState::Met);

        // a member neither in the roster nor an officer cannot be chosen as lecturer
        let stranger = RecordInput {
            lecturer_member_id: w.other_county_member.to_string(),
            ..lecture("外人讲党课", "2026-06-11", "某人")
        };
        match life::create(s, &all, w.branch, &stranger, false).await {
            Err(StoreError::Invalid(e)) => assert!(e.has("授课人"), "{e}"),
            other => panic!("{other:?}"),
        }
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn life_18_a_yearly_meeting_held_in_january_counts_for_the_year_it_concludes() {
    for db in TestDb::both().await {
        let s = &db.store;
        let w = build(s).await;
        let all = Scope::all();
        let meeting = |held: &str, year: &str| RecordInput {
            types: vec!["life_meeting".into()],
            belongs_to_year: year.into(),
            expected: String::new(),
            present: String::new(),
            ..lecture("2025年度组织生活会", held, "")
        };
        let id = life::create(s, &all, w.branch, &meeting("2026-01-24", ""), false).await.unwrap().id;
        assert_eq!(life::get(s, &all, id).await.unwrap().record.belongs_to_year, Some(2025));
        let branch = org::visible(s, &all, w.branch).await.unwrap();
        let y2025 = life::evaluate(s, &branch, d("2025-01-01"), d("2025-12-31"), d("2026-02-01"), None).await.unwrap();
        assert_eq!(year_state(&y2025, w.branch, "life_meeting", "2025"), CellState::Met);
        // the 2026 组织生活会 may still be held until the window at the start of 2027 closes
        let y2026 = |as_of: &'static str| life::evaluate(s, &branch, d("2026-01-01"), d("2026-12-31"), d(as_of), None);
        let state_2026 = |ev: &life::Evaluation| year_state(ev, w.branch, "life_meeting", "2026");
        assert_eq!(state_2026(&y2026("2027-01-20").await.unwrap()), CellState::Open);
        assert_eq!(state_2026(&y2026("2027-03-31").await.unwrap()), CellState::Open);
        assert_eq!(state_2026(&y2026("2027-04-01").await.unwrap()), CellState::Missing);
        // the card names the record it counted though it was held the next year
        let card = life::card(s, &branch, 2025, d("2026-02-01")).await.unwrap();
        assert_eq!(year_state(&card, w.branch, "life_meeting", "2025"), CellState::Met);

        // past the window the previous year is refused, naming the field and the rule
        match life::create(s, &all, w.branch, &meeting("2026-05-10", "2025"), false).await {
            Err(StoreError::Invalid(e)) => assert!(e.has("所属年度") && e.to_string().contains("LIFE-18"), "{e}"),
            other => panic!("{other:?}"),
        }
        // a county's own window (until 01-15) wins in its subtree: January 24th is the new year
        life::add_year_window(
            s,
            &all,
            &life::YearWindowInput {
                org_id: w.county,
                until: "01-15".into(),
                valid_from: "2020-01-01".into(),
                valid_to: String::new(),
                source: "中共样例县委组织部《关于组织生活会时间安排的通知》".into(),
            },
        )
        .await
        .unwrap();
        assert_eq!(state_2026(&y2026("2027-01-20").await.unwrap()), CellState::Missing, "closed on 01-15 there");
        let id2 = life::create(s, &all, w.branch, &meeting("2026-01-24", ""), false).await.unwrap().id;
        assert_eq!(life::get(s, &all, id2).await.unwrap().record.belongs_to_year, Some(2026));
        assert!(store::audit::recent(s, 5).await.unwrap().iter().any(|r| r.action == "life.year_window.add"));
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officers_sheet_is_imported_whole_or_not_at_all_and_twice_adds_nothing() {
    for db in TestDb::both().await {
        let s = &db.store;
        let w = build(s).await;
        let all = Scope::all();
        let row = |line: usize, org: &str, who: &str, role: &str, duties: &str| ImportRow {
            line,
            org: org.into(),
            member: who.into(),
            role: role.into(),
            duties: duties.into(),
            started_on: "2024-01-01".into(),
            ended_on: String::new(),
        };
        let good = vec![
            row(2, "中共样例镇委员会", "钱书记", "党委书记", ""),
            row(3, "中共样例镇委员会", "孙委员", "委员", "组织委员"),
        ];
        let mut bad = good.clone();
        bad.push(row(4, "不存在的党委", "孙委员", "委员", ""));
        let r = officer::import(s, &all, &bad, d(TODAY)).await.unwrap();
        assert_eq!(r.added, 0);
        assert!(r.errors.iter().any(|e| e.contains("第 4 行") && e.contains("不存在的党委")), "{r:?}");
        let town = org::visible(s, &all, w.town).await.unwrap();
        assert!(officer::list(s, &town, None).await.unwrap().is_empty(), "nothing written");
        let r = officer::import(s, &all, &good, d(TODAY)).await.unwrap();
        assert_eq!((r.added, r.skipped, r.errors.len()), (2, 0, 0), "{r:?}");
        let r = officer::import(s, &all, &good, d(TODAY)).await.unwrap();
        assert_eq!((r.added, r.skipped), (0, 2));
        let now = officer::list(s, &town, Some(d(TODAY))).await.unwrap();
        assert_eq!((now[0].role(), now[1].duties.as_str()), (OfficerRole::Secretary, "组织委员"));
        db.finish().await;
    }
}
