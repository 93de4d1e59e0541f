//! 第一书记 and 党建工作指导员 on SQLite and PostgreSQL: a posting within FS-02's term, an
//! instructor's three firms (FS-13), the monthly days flagged below FS-07's minimum, the log and
//! the assessments (FS-09's cap), ending it; scope (a posting is seen where one of its receiving
//! organizations is, and by the member posted); the terms ending within 90 days; WEAK-06's
//! organizations with a first secretary in post. Every write is audited.

use chrono::NaiveDate;
use domain::first_secretary::{AssessInput, DaysInput, EndInput, LogInput, PostingInput};
use domain::org::{Org, OrgInput, OrgKind, Sector};
use store::first_secretary as fs;
use store::testing::TestDb;
use store::{member, org, Actor, Scope, Store, StoreError};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub(crate) async fn mk_org(s: &Store, parent: Option<i64>, name: &str, kind: OrgKind, sector: Sector) -> Org {
    let input = OrgInput {
        name: name.into(),
        kind: Some(kind),
        sector: Some(sector),
        has_committee: kind != OrgKind::Branch,
        founded_on: Some(d("2015-01-01")),
        ..Default::default()
    };
    let o = org::create(s, &Scope::all(), parent, &input, d("2026-01-05")).await.unwrap();
    org::get(s, &Scope::all(), o.id).await.unwrap()
}

pub(crate) async fn mk_member(s: &Store, org: i64, name: &str, seq: u32) -> i64 {
    member::create(
        s,
        &Scope::all(),
        org,
        &domain::member::MemberInput {
            name: name.into(),
            id_number: domain::idcard::compose("110105", d("1980-03-01"), seq),
            category: Some(domain::member::Category::Full),
            join_date: Some(d("2005-07-01")),
            ..Default::default()
        },
        d("2026-01-10"),
    )
    .await
    .unwrap()
    .id
}

fn acting(path: &str) -> Scope {
    Scope::subtrees([path.to_string()]).acting_as(Actor::new("县委组织部", "组织部"))
}

/// 县委 → 镇 → 一村 (rural), 甲公司 乙公司 丙公司 丁公司 (private firms); 乙县委 → 乙村.
struct W {
    county: Org,
    town: Org,
    village: Org,
    firms: Vec<Org>,
    other: Org,
}

async fn build(s: &Store) -> W {
    let city = mk_org(s, None, "中共样例市委", OrgKind::LocalCommittee, Sector::Organs).await;
    let county = mk_org(s, Some(city.id), "中共甲县委", OrgKind::LocalCommittee, Sector::Organs).await;
    let town = mk_org(s, Some(county.id), "中共甲镇委员会", OrgKind::Committee, Sector::Rural).await;
    let village = mk_org(s, Some(town.id), "一村党支部", OrgKind::Branch, Sector::Rural).await;
    let mut firms = Vec::new();
    for n in ["甲公司党支部", "乙公司党支部", "丙公司党支部", "丁公司党支部"] {
        firms.push(mk_org(s, Some(town.id), n, OrgKind::Branch, Sector::PrivateEnterprise).await);
    }
    let oc = mk_org(s, Some(city.id), "中共乙县委", OrgKind::LocalCommittee, Sector::Organs).await;
    let other = mk_org(s, Some(oc.id), "乙村党支部", OrgKind::Branch, Sector::Rural).await;
    W { county, town, village, firms, other }
}

fn posting(kind: &str, orgs: &[i64], start: &str, end: &str) -> PostingInput {
    PostingInput {
        name: "张驻村".into(),
        sending_unit: "县财政局".into(),
        kind: kind.into(),
        org_ids: orgs.iter().map(|o| o.to_string()).collect(),
        starts_on: start.into(),
        ends_on: end.into(),
        ..Default::default()
    }
}

// FS-02: a term of one to three years (two when none is typed, FS-06); FS-13: three firms at most
#[tokio::test]
async fn first_secretary_term_and_firms() {
    for db in TestDb::both().await {
        let s = &db.store;
        let w = build(s).await;
        let sc = acting(&w.county.path);
        // FS-02
        assert!(posting("village", &[w.village.id], "2026-01-01", "2026-10-01")
            .validate()
            .unwrap_err()
            .has("期满日期"));
        assert!(posting("village", &[w.village.id], "2026-01-01", "2029-06-01")
            .validate()
            .unwrap_err()
            .has("期满日期"));
        let v = posting("village", &[w.village.id], "2026-01-01", "").validate().unwrap();
        let village = org::visible(s, &sc, w.village.id).await.unwrap();
        let p = fs::create(s, &sc, std::slice::from_ref(&village), &v).await.unwrap();
        assert_eq!((p.ends_on, p.status.as_str(), p.orgs.len()), (d("2027-12-31"), "in_post", 1));
        // FS-13: an instructor takes three firms, not four
        let ids: Vec<i64> = w.firms.iter().map(|f| f.id).collect();
        let e = posting("instructor", &ids, "2026-01-01", "").validate().unwrap_err();
        assert!(e.has("派驻党组织") && e.0.iter().any(|x| x.message.contains("FS-13")), "{e:?}");
        let v = posting("instructor", &ids[..3], "2026-01-01", "2027-12-31").validate().unwrap();
        let mut firms = Vec::new();
        for id in &ids[..3] {
            firms.push(org::visible(s, &sc, *id).await.unwrap());
        }
        let i = fs::create(s, &sc, &firms, &v).await.unwrap();
        assert_eq!(i.orgs.len(), 3);
        // listed under the town, filtered by kind; not seen from county B
        let town = org::visible(s, &sc, w.town.id).await.unwrap();
        let (rows, n) = fs::list(s, &town, &fs::Filter::default(), d("2026-06-01"), 50, 0).await.unwrap();
        assert_eq!((n, rows.len()), (2, 2));
        let f = fs::Filter { kind: Some(domain::first_secretary::Kind::Instructor), ..Default::default() };
        assert_eq!(fs::list(s, &town, &f, d("2026-06-01"), 50, 0).await.unwrap().1, 1);
        let other = acting(&org::get(s, &Scope::all(), w.other.id).await.unwrap().path);
        assert!(matches!(fs::get(s, &other, p.id).await, Err(StoreError::NotFound(_))));
        assert!(store::audit::verify(s).await.unwrap().ok());
        db.finish().await;
    }
}

// FS-07: a month below 20 days in the village is flagged (FS-13: 10 for an instructor); the log
// takes the kind's duties; FS-09 caps the grade; a recalled posting takes no more days
#[tokio::test]
async fn first_secretary_days_logs_and_assessments() {
    for db in TestDb::both().await {
        let s = &db.store;
        let w = build(s).await;
        let sc = acting(&w.county.path);
        let village = org::visible(s, &sc, w.village.id).await.unwrap();
        let v = posting("village", &[w.village.id], "2026-01-01", "").validate().unwrap();
        let p = fs::create(s, &sc, &[village], &v).await.unwrap();
        let today = d("2026-06-15");
        for (m, n) in [("2026-03", "22"), ("2026-04", "19"), ("2026-04", "20"), ("2026-05", "12")] {
            let v = DaysInput { month: m.into(), days: n.into(), note: String::new() }
                .validate(p.starts_on, p.ends_on, today)
                .unwrap();
            fs::set_days(s, &sc, &p, &v).await.unwrap();
        }
        let days = fs::days(s, &p).await.unwrap();
        // the April count corrected: one row a month
        assert_eq!(
            days.iter().map(|x| (x.month.as_str(), x.days, x.short)).collect::<Vec<_>>(),
            vec![("2026-05", 12, true), ("2026-04", 20, false), ("2026-03", 22, false)]
        );
        assert_eq!(days[0].min, 20);
        let l = LogInput { on: "2026-06-01".into(), duty: "serve".into(), content: "走访困难群众 5 户".into() }
            .validate(p.kind(), p.starts_on, p.ends_on, today)
            .unwrap();
        fs::add_log(s, &sc, &p, &l).await.unwrap();
        assert_eq!(fs::logs(s, &p, 20, 0).await.unwrap().1, 1);
        // FS-09: two unexcused absences allow 基本称职 at best
        let a = AssessInput {
            kind: "yearly".into(),
            year: "2026".into(),
            grade: "competent".into(),
            absences: "2".into(),
            note: String::new(),
        };
        assert!(a.validate(p.starts_on, p.ends_on, d("2026-12-20")).unwrap_err().has("考核等次"));
        let ok = AssessInput { grade: "basic".into(), ..a }.validate(p.starts_on, p.ends_on, d("2026-12-20")).unwrap();
        fs::assess(s, &sc, &p, &ok).await.unwrap();
        assert!(matches!(fs::assess(s, &sc, &p, &ok).await, Err(StoreError::Refused(_))), "one a year");
        assert_eq!(fs::assessments(s, &p).await.unwrap()[0].grade_label(), "基本称职");
        // recall, with a reason; a second ending is refused
        let e = EndInput { status: "recalled".into(), on: "2026-06-10".into(), reason: "长期不驻村".into() }
            .validate(p.starts_on, today)
            .unwrap();
        fs::end(s, &sc, &p, &e).await.unwrap();
        let p2 = fs::get(s, &sc, p.id).await.unwrap();
        assert_eq!((p2.status.as_str(), p2.ended_on), ("recalled", Some(d("2026-06-10"))));
        assert!(fs::end(s, &sc, &p2, &e).await.is_err());
        // WEAK-06: no longer in post after the recall
        assert!(fs::village_orgs_on(s, &w.town.path, d("2026-06-09")).await.unwrap().contains(&w.village.id));
        assert!(!fs::village_orgs_on(s, &w.town.path, d("2026-06-11")).await.unwrap().contains(&w.village.id));
        assert!(store::audit::verify(s).await.unwrap().ok());
        db.finish().await;
    }
}

// the member posted reads their own posting wherever it is; terms ending within 90 days are
// listed for the scope that manages them
#[tokio::test]
async fn first_secretary_own_posting_and_terms_ending() {
    for db in TestDb::both().await {
        let s = &db.store;
        let w = build(s).await;
        let sc = acting(&w.county.path);
        let m = mk_member(s, w.other.id, "李干部", 11).await;
        let mut input = posting("village", &[w.village.id], "2025-03-01", "2027-02-28");
        input.member_id = m.to_string();
        // the member lies in county B, outside the county's scope
        let village = org::visible(s, &sc, w.village.id).await.unwrap();
        assert!(fs::create(s, &sc, std::slice::from_ref(&village), &input.validate().unwrap()).await.is_err());
        let p = fs::create(s, &Scope::all(), &[village], &input.validate().unwrap()).await.unwrap();
        assert_eq!(fs::get_own(s, m, p.id).await.unwrap().id, p.id);
        assert!(fs::get_own(s, m + 1, p.id).await.is_err());
        let (e, n) = fs::terms_ending(s, &sc, d("2026-12-01"), d("2027-03-01"), 20).await.unwrap();
        assert_eq!((n, e[0].id), (1, p.id));
        let (_, n) = fs::terms_ending(s, &sc, d("2026-06-01"), d("2026-08-30"), 20).await.unwrap();
        assert_eq!(n, 0);
        let out = acting(&org::get(s, &Scope::all(), w.other.id).await.unwrap().path);
        assert_eq!(fs::terms_ending(s, &out, d("2026-12-01"), d("2027-03-01"), 20).await.unwrap().1, 0);
        db.finish().await;
    }
}
