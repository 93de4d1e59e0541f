//! 测评 on SQLite and PostgreSQL: the default targets of a subtree (a 村党委 at its top level,
//! other branches), codes kept as keyed hashes and claimed once (two uses at the same moment: one
//! answer kept, the other refused), the window, a member answering once for the target above
//! their branch, the tally computed by hand (satisfied over counted, 不了解 left out; member
//! coverage from the roster; resident coverage only with a base entered; GRADE-08 targets), the
//! scope, and the audit trail.

use chrono::NaiveDate;
use domain::member::{Category, MemberInput};
use domain::org::{OrgInput, OrgKind, Sector};
use domain::survey::{preset, Answer, Audience, BaseKind, ValidSurvey};
use store::testing::TestDb;
use store::{member, org, survey, Scope, Store, StoreError};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-11-21";

async fn mk_org(s: &Store, parent: Option<i64>, name: &str, kind: OrgKind, sector: Sector) -> i64 {
    let input = OrgInput {
        name: name.into(),
        kind: Some(kind),
        sector: Some(sector),
        has_committee: kind != OrgKind::Branch,
        founded_on: Some(d("2015-01-01")),
        ..Default::default()
    };
    org::create(s, &Scope::all(), parent, &input, d(TODAY)).await.unwrap().id
}

async fn mk_member(s: &Store, org: i64, seq: u32) -> i64 {
    let input = MemberInput {
        name: format!("党员{seq}"),
        id_number: domain::idcard::compose("110105", d("1970-01-01"), seq),
        category: Some(Category::Full),
        join_date: Some(d("2000-07-01")),
        ..Default::default()
    };
    member::create(s, &Scope::all(), org, &input, d(TODAY)).await.unwrap().id
}

fn answer(pairs: &[(&str, &str)]) -> Answer {
    let q = preset("satisfaction").unwrap().input().validate().unwrap();
    let mut all: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    // the required choice item that does not feed the rate
    all.push(("q5".into(), "公开栏".into()));
    q.check_answer(&all).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_answers_and_the_tally_by_hand() {
    for db in TestDb::both().await {
        let s = &db.store;
        let all = Scope::all();
        let city = mk_org(s, None, "中共样例市委", OrgKind::LocalCommittee, Sector::Other).await;
        let county = mk_org(s, Some(city), "中共甲县委", OrgKind::LocalCommittee, Sector::Other).await;
        let village = mk_org(s, Some(county), "一村党委", OrgKind::Committee, Sector::Rural).await;
        let b1 = mk_org(s, Some(village), "一村第一党支部", OrgKind::Branch, Sector::Rural).await;
        let b2 = mk_org(s, Some(village), "一村第二党支部", OrgKind::Branch, Sector::Rural).await;
        let organ = mk_org(s, Some(county), "县机关党支部", OrgKind::Branch, Sector::Organs).await;
        let other = mk_org(s, Some(city), "中共乙县委", OrgKind::LocalCommittee, Sector::Other).await;
        for i in 0..3 {
            mk_member(s, b1, 10 + i).await;
        }
        let voter = mk_member(s, b2, 20).await;
        mk_member(s, organ, 30).await;

        let issuer = org::visible(s, &all, county).await.unwrap();
        // the default targets: the 村党委 (not its branches below it) and the organs' branch
        assert_eq!(survey::default_targets(s, &issuer).await.unwrap(), vec![village, organ]);
        let v = ValidSurvey {
            questionnaire: preset("satisfaction").unwrap().input().validate().unwrap(),
            audience: Audience::Both,
            opens_on: d("2026-11-01"),
            closes_on: d("2026-11-30"),
            member_permille: 1000,  // GRADE-08: every member
            resident_permille: 100, // GRADE-08: a tenth of the resident base
        };
        let x = survey::create(s, &all, &issuer, &v, &[]).await.unwrap();
        // outside the caller's scope it is not found
        let narrow = Scope::subtrees(vec![org::get(s, &all, other).await.unwrap().path]);
        assert!(matches!(survey::get(s, &narrow, x.id).await, Err(StoreError::NotFound(_))));

        // codes: a batch's size is checked, the codes are kept only as keyed hashes
        assert!(matches!(survey::issue_codes(s, &all, &x, village, 0).await, Err(StoreError::Invalid(_))));
        assert!(matches!(survey::issue_codes(s, &all, &x, b1, 3).await, Err(StoreError::Invalid(_))), "not a target");
        let codes = survey::issue_codes(s, &all, &x, village, 4).await.unwrap();
        assert_eq!(codes.len(), 4);
        assert!(codes.iter().all(|c| domain::survey::normalize_code(c).as_deref() == Some(c.as_str())));
        let found = survey::by_code(s, &codes[0]).await.unwrap().unwrap();
        assert_eq!((found.survey.id, found.org_id), (x.id, village));
        assert!(survey::by_code(s, "ABCD-EFGH-JKMN").await.unwrap().is_none());

        // two uses of one code at the same moment: exactly one answer is kept
        let a1 = answer(&[("q1", "满意"), ("q2", "基本满意"), ("q3", "不满意"), ("q4", "不了解")]); // 2 of 3
        let on = d(TODAY);
        let (r1, r2) = tokio::join!(
            survey::answer_with_code(s, &codes[0], &a1, on),
            survey::answer_with_code(s, &codes[0], &a1, on)
        );
        assert_eq!([r1.is_ok(), r2.is_ok()].iter().filter(|x| **x).count(), 1, "{r1:?} {r2:?}");
        let refused = if r1.is_ok() { r2 } else { r1 };
        assert!(matches!(refused, Err(StoreError::Refused(m)) if m.contains("已经使用过")));
        // the window: after the close date the code answers nothing
        let a2 = answer(&[("q1", "不满意"), ("q2", "不满意"), ("q3", "不了解"), ("q4", "不了解")]); // 0 of 2
        let late = survey::answer_with_code(s, &codes[1], &a2, d("2026-12-01")).await;
        assert!(matches!(late, Err(StoreError::Refused(m)) if m.contains("已于 2026-11-30 结束")));
        let early = survey::answer_with_code(s, &codes[1], &a2, d("2026-10-31")).await;
        assert!(matches!(early, Err(StoreError::Refused(m)) if m.contains("尚未开始")));
        survey::answer_with_code(s, &codes[1], &a2, on).await.unwrap();

        // a member of 一村第二党支部 answers for 一村党委, once
        let a3 = answer(&[("q1", "满意"), ("q2", "满意"), ("q3", "满意"), ("q4", "不满意")]); // 3 of 4
        let me = Scope::all().acting_as(store::Actor::new("党员20", "党员"));
        survey::answer_as_member(s, &me, &x, voter, &a3, on).await.unwrap();
        let again = survey::answer_as_member(s, &me, &x, voter, &a3, on).await;
        assert!(matches!(again, Err(StoreError::Refused(m)) if m.contains("已参加过")));
        let open =
            survey::open_for_member(s, voter, &member::get(s, &all, voter).await.unwrap().path, on).await.unwrap();
        assert_eq!(open.iter().map(|(x, done)| (x.id, *done)).collect::<Vec<_>>(), vec![(x.id, true)]);

        // the tally by hand: 一村党委 5 satisfied of 9 counted = 555.6‰ → 556; members 1 of 4 =
        // 250‰ (< 1000); no resident base: coverage not claimed
        let t = survey::satisfaction(s, x.id, None, on).await.unwrap();
        assert_eq!(t.len(), 2);
        let vt = &t[0];
        assert_eq!((vt.org_id, vt.satisfied, vt.counted, vt.rate_permille), (village, 5, 9, Some(556)));
        assert_eq!((vt.member_answers, vt.resident_answers, vt.members, vt.member_coverage), (1, 2, 4, Some(250)));
        assert_eq!((vt.resident_coverage, vt.meets_coverage), (None, None));
        assert_eq!((t[1].org_id, t[1].rate_permille, t[1].answers, t[1].members), (organ, None, 0, 1));
        // a base of 20 households: 2 answered = 100‰, the residents' target met, the members' not
        survey::set_bases(s, &all, &x, &[(village, Some(20), BaseKind::Households)]).await.unwrap();
        let t = survey::satisfaction(s, x.id, Some(&[village]), on).await.unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!((t[0].resident_coverage, t[0].meets_coverage), (Some(100), Some(false)));
        let bad = survey::set_bases(s, &all, &x, &[(b1, Some(5), BaseKind::Residents)]).await;
        assert!(matches!(bad, Err(StoreError::Invalid(_))));

        // answered: the questionnaire is no longer changed
        assert!(matches!(survey::update(s, &all, x.id, x.version, &v).await, Err(StoreError::Refused(_))));
        // every write audited, the chain intact
        let actions: Vec<String> = store::audit::recent(s, 20).await.unwrap().into_iter().map(|r| r.action).collect();
        for a in ["survey.create", "survey.codes", "survey.answer", "survey.base"] {
            assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
        }
        assert!(store::audit::verify(s).await.unwrap().ok());
        db.finish().await;
    }
}
