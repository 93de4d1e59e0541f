//! The store conformance suite: every scenario runs on SQLite and on a real PostgreSQL server.

use chrono::NaiveDate;
use domain::member::{Category, MemberInput, Status};
use domain::org::{Facility, FacilityKind, FacilityStatus, OrgInput, OrgKind, Sector};
use store::member::MemberFilter;
use store::testing::TestDb;
use store::{member, org, rollup, Scope, StoreError};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}
fn today() -> NaiveDate {
    d("2026-11-21")
}
fn org_input(name: &str, kind: OrgKind) -> OrgInput {
    OrgInput { name: name.into(), kind: Some(kind), sector: Some(Sector::Community), ..Default::default() }
}
fn member_input(name: &str, seq: u32, category: Category) -> MemberInput {
    let birth = d("1980-01-01") + chrono::Duration::days(seq as i64);
    MemberInput {
        name: name.into(),
        id_number: domain::idcard::compose("520328", birth, seq),
        category: Some(category),
        join_date: Some(d("2010-07-01")),
        full_date: (category == Category::Full).then(|| d("2011-07-01")),
        phone: Some("13800138000".into()),
        ..Default::default()
    }
}

macro_rules! on_both {
    ($name:ident, $body:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for db in TestDb::both().await {
                let f = $body;
                f(db.store.clone()).await;
                db.finish().await;
            }
        }
    };
}

async fn small_tree(s: &store::Store) -> (i64, i64, i64, i64) {
    let all = Scope::all();
    let city = org::create(s, &all, None, &org_input("中共测试市委", OrgKind::LocalCommittee), today()).await.unwrap();
    let county =
        org::create(s, &all, Some(city.id), &org_input("中共甲县委", OrgKind::LocalCommittee), today()).await.unwrap();
    let town =
        org::create(s, &all, Some(county.id), &org_input("中共乙镇委员会", OrgKind::Committee), today()).await.unwrap();
    let branch = org::create(s, &all, Some(town.id), &org_input("丙村党支部", OrgKind::Branch), today()).await.unwrap();
    (city.id, county.id, town.id, branch.id)
}

on_both!(org_tree_basics, |s: store::Store| async move {
    let all = Scope::all();
    let (city, county, town, branch) = small_tree(&s).await;
    let b = org::get(&s, &all, branch).await.unwrap();
    assert_eq!(b.path.len(), 16);
    let anc = org::ancestors(&s, &all, branch).await.unwrap();
    assert_eq!(anc.iter().map(|o| o.id).collect::<Vec<_>>(), vec![city, county, town]);
    let kids = org::children(&s, &all, town).await.unwrap();
    assert_eq!(kids.len(), 1);
    // a scope on the county sees the branch but not the city
    let county_path = org::get(&s, &all, county).await.unwrap().path;
    let sc = Scope::subtrees([county_path]);
    assert!(org::get(&s, &sc, branch).await.is_ok());
    assert!(matches!(org::get(&s, &sc, city).await, Err(StoreError::NotFound(_))));
    assert_eq!(org::ancestors(&s, &sc, branch).await.unwrap().len(), 2);
    // duplicate sibling name refused, naming the field
    let e = org::create(&s, &all, Some(town), &org_input("丙村党支部", OrgKind::Branch), today()).await.unwrap_err();
    assert!(e.to_string().contains("组织名称"), "{e}");
    // a branch cannot hold a committee
    let e = org::create(&s, &all, Some(branch), &org_input("错误党委", OrgKind::Committee), today()).await.unwrap_err();
    assert!(matches!(e, StoreError::Refused(_)));
    // search
    let found = org::search(&s, &all, city, "丙村", 10).await.unwrap();
    assert_eq!(found.len(), 1);
    let found = org::search(&s, &all, city, "%", 10).await.unwrap();
    assert!(found.is_empty(), "LIKE wildcards are escaped");
    // facilities round trip
    let mut input = org_input("丁社区党支部", OrgKind::Branch);
    input.facilities =
        vec![Facility { kind: FacilityKind::ServiceStation, status: FacilityStatus::Built, year: Some(2020) }];
    let o = org::create(&s, &all, Some(town), &input, today()).await.unwrap();
    assert_eq!(org::get(&s, &all, o.id).await.unwrap().facilities, input.facilities);
});

on_both!(members_and_rollups, |s: store::Store| async move {
    let all = Scope::all();
    let (city, _county, town, branch) = small_tree(&s).await;
    for i in 0..5 {
        let cat = if i < 4 { Category::Full } else { Category::Probationary };
        let mut mi = member_input(&format!("党员{i}"), i + 1, cat);
        if cat == Category::Probationary {
            mi.join_date = Some(d("2026-03-01"));
        }
        member::create(&s, &all, branch, &mi, today()).await.unwrap();
    }
    let c = rollup::subtree(&s, &all, city).await.unwrap();
    assert_eq!((c.total, c.full_members, c.probationary), (5, 4, 1));
    assert_eq!(c, rollup::live(&s, &all, city).await.unwrap());
    assert_eq!(c, rollup::recursive_baseline(&s, &all, city).await.unwrap());
    // duplicate ID number refused
    let e = member::create(&s, &all, branch, &member_input("重复", 1, Category::Full), today()).await.unwrap_err();
    assert!(e.to_string().contains("公民身份号码"), "{e}");
    // members cannot be attached to a committee
    let e = member::create(&s, &all, town, &member_input("错", 99, Category::Full), today()).await.unwrap_err();
    assert!(e.to_string().contains("所在党组织"), "{e}");
    // list, pagination, filters
    let p = member::list(&s, &all, city, &MemberFilter::default(), 1, 2).await.unwrap();
    assert_eq!((p.total, p.items.len(), p.pages()), (5, 2, 3));
    let p2 = member::list(&s, &all, city, &MemberFilter::default(), 2, 2).await.unwrap();
    assert!(p.items.iter().all(|a| p2.items.iter().all(|b| a.id != b.id)));
    let f = MemberFilter { category: Some(Category::Probationary), ..Default::default() };
    assert_eq!(member::list(&s, &all, city, &f, 1, 50).await.unwrap().total, 1);
    let f = MemberFilter { name: Some("党员3".into()), ..Default::default() };
    assert_eq!(member::list(&s, &all, city, &f, 1, 50).await.unwrap().total, 1);
    // status change leaves the roll-up
    let m = member::list(&s, &all, city, &MemberFilter::default(), 1, 1).await.unwrap().items.remove(0);
    let mut mi = MemberInput::from(&m);
    mi.status = Some(Status::Deceased);
    mi.status_date = Some(d("2026-10-01"));
    member::update(&s, &all, m.id, None, &mi, today()).await.unwrap();
    assert_eq!(rollup::subtree(&s, &all, city).await.unwrap().total, 4);
    assert!(rollup::verify(&s).await.unwrap().is_empty());
    // the same ID number may now be registered again (history kept)
    member::create(&s, &all, branch, &MemberInput { status: None, status_date: None, ..mi.clone() }, today())
        .await
        .unwrap();
    assert!(rollup::verify(&s).await.unwrap().is_empty());
});

on_both!(move_and_dissolve, |s: store::Store| async move {
    let all = Scope::all();
    let (city, county, town, branch) = small_tree(&s).await;
    member::create(&s, &all, branch, &member_input("甲", 1, Category::Full), today()).await.unwrap();
    let county2 =
        org::create(&s, &all, Some(city), &org_input("中共乙县委", OrgKind::LocalCommittee), today()).await.unwrap();
    let r = org::move_subtree(&s, &all, town, county2.id).await.unwrap();
    assert_eq!((r.orgs_moved, r.members_moved), (2, 1));
    assert_eq!(rollup::subtree(&s, &all, county).await.unwrap().total, 0);
    assert_eq!(rollup::subtree(&s, &all, county2.id).await.unwrap().total, 1);
    assert!(rollup::verify(&s).await.unwrap().is_empty());
    let m = member::list(&s, &all, county2.id, &MemberFilter::default(), 1, 10).await.unwrap();
    assert_eq!(m.total, 1);
    assert!(m.items[0].path.starts_with(&county2.path));
    // cannot move under itself
    assert!(matches!(org::move_subtree(&s, &all, town, branch).await, Err(StoreError::Refused(_))));
    // dissolve refused with members, then allowed
    let e = org::dissolve(&s, &all, branch, today()).await.unwrap_err();
    assert!(e.to_string().contains("名党员"), "{e}");
    let e = org::dissolve(&s, &all, town, today()).await.unwrap_err();
    assert!(e.to_string().contains("下级党组织"), "{e}");
    let empty = org::create(&s, &all, Some(town), &org_input("空支部", OrgKind::Branch), today()).await.unwrap();
    org::dissolve(&s, &all, empty.id, today()).await.unwrap();
    assert!(org::get(&s, &all, empty.id).await.is_err());
    assert_eq!(org::children(&s, &all, town).await.unwrap().len(), 1);
});

// The members page's roster (`roster_lines`: the listed columns only, on SQLite read on the
// calling thread) lists exactly what the full roster (`roster_in`) lists, for every filter, order
// and page, including the count and a page past the end.
on_both!(roster_lines_match_the_full_roster, |s: store::Store| async move {
    use store::member::MemberSort;
    let all = Scope::all();
    let (city, _county, town, branch) = small_tree(&s).await;
    let other = org::create(&s, &all, Some(town), &org_input("丁村党支部", OrgKind::Branch), today()).await.unwrap().id;
    for k in 0..9u32 {
        let mut mi = member_input(
            &format!("成员{}", 9 - k),
            300 + k,
            if k % 3 == 0 { Category::Probationary } else { Category::Full },
        );
        if mi.category == Some(Category::Probationary) {
            mi.join_date = Some(d("2026-03-01"));
        }
        mi.is_mobile = k % 4 == 1;
        mi.mobile_to = mi.is_mobile.then(|| "外省".to_string());
        mi.is_needy = k % 5 == 2;
        mi.phone = (k != 4).then(|| format!("1390000{k:04}"));
        member::create(&s, &all, if k % 2 == 0 { branch } else { other }, &mi, today()).await.unwrap();
    }
    // a former member
    let m = member::list(&s, &all, city, &MemberFilter::default(), 1, 1).await.unwrap().items.remove(0);
    let mut mi = MemberInput::from(&m);
    mi.status = Some(Status::Deceased);
    mi.status_date = Some(d("2026-10-01"));
    member::update(&s, &all, m.id, None, &mi, today()).await.unwrap();

    let root = org::visible(&s, &all, city).await.unwrap();
    let filters = [
        MemberFilter::default(),
        MemberFilter { category: Some(Category::Probationary), ..Default::default() },
        MemberFilter { name: Some("成员".into()), mobile: Some(true), ..Default::default() },
        MemberFilter { needy: Some(true), ..Default::default() },
        MemberFilter { status: Some(Status::Deceased), ..Default::default() },
    ];
    let mut compared = 0;
    for f in &filters {
        for sort in [MemberSort::Tree, MemberSort::Name, MemberSort::JoinDate, MemberSort::BirthDate] {
            for desc in [false, true] {
                for page in [1, 2, 3, 99] {
                    let full = member::roster_in(&s, &root, f, sort, desc, page, 3).await.unwrap();
                    let lines = member::roster_lines(&s, &root, f, sort, desc, page, 3).await.unwrap();
                    assert_eq!((lines.total, lines.page, lines.per_page), (full.total, full.page, full.per_page));
                    let want: Vec<_> = full
                        .items
                        .iter()
                        .map(|l| {
                            let m = &l.member;
                            (m.id, m.org_id, l.org_name.clone(), m.name.clone(), m.sex, m.id_number.clone())
                        })
                        .collect();
                    let got: Vec<_> = lines
                        .items
                        .iter()
                        .map(|l| (l.id, l.org_id, l.org_name.clone(), l.name.clone(), l.sex, l.id_number.clone()))
                        .collect();
                    assert_eq!(got, want, "{f:?} {sort:?} desc={desc} page={page}");
                    for (l, full) in lines.items.iter().zip(&full.items) {
                        let m = &full.member;
                        assert_eq!(
                            (l.birth_date, l.category, l.join_date, &l.phone, l.is_mobile, l.is_lost_contact),
                            (m.birth_date, m.category, m.join_date, &m.phone, m.is_mobile, m.is_lost_contact)
                        );
                        assert_eq!((l.is_needy, l.status, l.status_date), (m.is_needy, m.status, m.status_date));
                    }
                    compared += lines.items.len();
                }
            }
        }
    }
    assert!(compared > 100, "the scenarios list members ({compared})");
});
