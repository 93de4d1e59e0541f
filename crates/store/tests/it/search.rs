//! The organization picker and the member search, on both backends: every organization of a
//! city-sized tree reachable (no silent cap), each hit with its parents, the caller's scope
//! respected; members found by name, full ID number and its last 4–6 characters, audited.

use chrono::NaiveDate;
use domain::member::{Category, MemberInput};
use domain::org::{OrgInput, OrgKind, Sector};
use domain::path;
use store::member::MemberSearch;
use store::org_bulk::{self, BulkOrg};
use store::testing::TestDb;
use store::{member, org, Scope};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
}

fn valid(name: &str, kind: OrgKind) -> domain::org::ValidOrg {
    OrgInput { name: name.into(), kind: Some(kind), sector: Some(Sector::Community), ..Default::default() }
        .validate(today())
        .unwrap()
}

/// A city of 2 counties × 20 towns × 50 branches (4,043 organizations), the branches of every
/// town named alike (第1党支部 … 第50党支部), as villages' branches are. Returns the paths of the
/// city and the two counties.
async fn city(s: &store::Store) -> (String, String, String) {
    let mut tx = s.begin().await.unwrap();
    let root_org = valid("中共测试市委", OrgKind::LocalCommittee);
    let root_path = path::segment(1);
    let root =
        org_bulk::insert_orgs(&mut tx, &[BulkOrg { parent_id: None, path: &root_path, next_child: 3, org: &root_org }])
            .await
            .unwrap()[0]
            .0;
    let mut counties = Vec::new();
    for c in 1..=2u32 {
        let co = valid(&format!("中共第{c}县委"), OrgKind::LocalCommittee);
        let cp = format!("{root_path}{}", path::segment(c));
        let cid =
            org_bulk::insert_orgs(&mut tx, &[BulkOrg { parent_id: Some(root), path: &cp, next_child: 21, org: &co }])
                .await
                .unwrap()[0]
                .0;
        let towns: Vec<(String, domain::org::ValidOrg)> = (1..=20u32)
            .map(|t| (format!("{cp}{}", path::segment(t)), valid(&format!("中共{c}县{t}镇委员会"), OrgKind::Committee)))
            .collect();
        let rows: Vec<BulkOrg> =
            towns.iter().map(|(p, o)| BulkOrg { parent_id: Some(cid), path: p, next_child: 51, org: o }).collect();
        let written = org_bulk::insert_orgs(&mut tx, &rows).await.unwrap();
        let branch: Vec<domain::org::ValidOrg> =
            (1..=50u32).map(|b| valid(&format!("第{b}党支部"), OrgKind::Branch)).collect();
        for (tid, tp) in written {
            let paths: Vec<String> = (1..=50u32).map(|b| format!("{tp}{}", path::segment(b))).collect();
            let rows: Vec<BulkOrg> = paths
                .iter()
                .zip(&branch)
                .map(|(p, o)| BulkOrg { parent_id: Some(tid), path: p, next_child: 1, org: o })
                .collect();
            org_bulk::insert_orgs(&mut tx, &rows).await.unwrap();
        }
        counties.push(cp);
    }
    tx.commit().await.unwrap();
    (root_path, counties[0].clone(), counties[1].clone())
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

on_both!(picker_reaches_every_organization_with_its_parents, |s: store::Store| async move {
    let (city_path, county1, county2) = city(&s).await;
    let all = Scope::subtrees([city_path.clone()]);
    // no silent cap: the whole city counted and every organization reachable page by page
    let (total, first) = org::pick(&s, &all, "", &[], 0, 200).await.unwrap();
    assert_eq!(total, 1 + 2 + 40 + 2000);
    assert_eq!(first.len(), 200);
    let mut seen = std::collections::HashSet::new();
    let mut offset = 0;
    while offset < total {
        let (t, page) = org::pick(&s, &all, "", &[], offset, 200).await.unwrap();
        assert_eq!(t, total);
        assert!(!page.is_empty(), "page at {offset} empty");
        for p in &page {
            assert!(seen.insert(p.org.id), "{} listed twice", p.org.name);
        }
        offset += page.len() as i64;
    }
    assert_eq!(seen.len() as i64, total);

    // a repeated name: each of the 40 found, told apart by its parents
    let (n, hits) = org::pick(&s, &all, "第37党支部", &[], 0, 100).await.unwrap();
    assert_eq!(n, 40);
    let chains: std::collections::HashSet<String> = hits.iter().map(|h| h.parents.join("/")).collect();
    assert_eq!(chains.len(), 40, "every hit shows a different parent chain");
    let h = &hits[0];
    assert_eq!(h.parents, vec!["中共测试市委", "中共第1县委", "中共1县1镇委员会"]);
    // several words narrow the search; the name's words in any order
    let (n, _) = org::pick(&s, &all, "第3 支部", &[], 0, 10).await.unwrap();
    assert_eq!(n, 40 * 11, "第3, 第30…第39 of every town");
    // with several words, the parent's name tells the repeated names apart
    let (n, hits) = org::pick(&s, &all, "1县1镇 第37党支部", &[], 0, 10).await.unwrap();
    assert_eq!(n, 1);
    assert_eq!(hits[0].parents.last().map(String::as_str), Some("中共1县1镇委员会"));
    // one word matches the organization's own name only, not its children's parent
    let (n, _) = org::pick(&s, &all, "1县1镇", &[], 0, 10).await.unwrap();
    assert_eq!(n, 1);
    // an exact name comes before longer names containing it
    let (_, hits) = org::pick(&s, &all, "中共第2县委", &[], 0, 5).await.unwrap();
    assert_eq!(hits[0].org.name, "中共第2县委");
    // only some kinds: the committees above branches
    let (n, hits) = org::pick(&s, &all, "", &[OrgKind::Committee], 0, 100).await.unwrap();
    assert_eq!(n, 40);
    assert!(hits.iter().all(|h| h.org.kind == OrgKind::Committee));

    // a county's user never sees the other county: not in the count, not in the hits, and the
    // parents shown start at the top of the user's own view
    let county = Scope::subtrees([county1.clone()]);
    let (n, hits) = org::pick(&s, &county, "第37党支部", &[], 0, 100).await.unwrap();
    assert_eq!(n, 20);
    assert!(hits.iter().all(|h| h.org.path.starts_with(&county1)));
    assert_eq!(hits[0].parents, vec!["中共第1县委", "中共1县1镇委员会"]);
    let (n, hits) = org::pick(&s, &county, "中共第2县委", &[], 0, 100).await.unwrap();
    assert_eq!((n, hits.len()), (0, 0));
    let (n, _) = org::pick(&s, &county, "", &[], 0, 10).await.unwrap();
    assert_eq!(n, 1 + 20 + 1000);
    assert!(!county2.is_empty());
    // nothing at all for a caller without the permission (an empty scope)
    let (n, hits) = org::pick(&s, &Scope::none(), "", &[], 0, 10).await.unwrap();
    assert_eq!((n, hits.len()), (0, 0));
    // a query's wildcards are taken literally
    let (n, _) = org::pick(&s, &all, "%", &[], 0, 10).await.unwrap();
    assert_eq!(n, 0);
});

fn member_input(name: &str, birth: NaiveDate, seq: u32) -> MemberInput {
    MemberInput {
        name: name.into(),
        id_number: domain::idcard::compose("520328", birth, seq),
        category: Some(Category::Full),
        join_date: NaiveDate::from_ymd_opt(2010, 7, 1),
        full_date: NaiveDate::from_ymd_opt(2011, 7, 1),
        ..Default::default()
    }
}

fn org_input(name: &str, kind: OrgKind) -> OrgInput {
    OrgInput { name: name.into(), kind: Some(kind), sector: Some(Sector::Community), ..Default::default() }
}

on_both!(members_found_by_name_and_id_digits_within_scope_and_audited, |s: store::Store| async move {
    let all = Scope::all();
    let city = org::create(&s, &all, None, &org_input("中共测试市委", OrgKind::LocalCommittee), today()).await.unwrap();
    let a =
        org::create(&s, &all, Some(city.id), &org_input("中共甲县委", OrgKind::LocalCommittee), today()).await.unwrap();
    let b =
        org::create(&s, &all, Some(city.id), &org_input("中共乙县委", OrgKind::LocalCommittee), today()).await.unwrap();
    let branch_a = org::create(&s, &all, Some(a.id), &org_input("甲村党支部", OrgKind::Branch), today()).await.unwrap();
    let group =
        org::create(&s, &all, Some(branch_a.id), &org_input("第一党小组", OrgKind::PartyGroup), today()).await.unwrap();
    let branch_b = org::create(&s, &all, Some(b.id), &org_input("乙村党支部", OrgKind::Branch), today()).await.unwrap();
    let birth = NaiveDate::from_ymd_opt(1980, 3, 14).unwrap();
    let zhang = member::create(&s, &all, group.id, &member_input("张三", birth, 123), today()).await.unwrap();
    // in the other county, a member whose ID number ends in the same four characters
    // born on a day that gives the same check character: the same last four characters
    let li_birth = (1..60)
        .map(|d| birth + chrono::Duration::days(d))
        .find(|b| {
            domain::idcard::compose("520328", *b, 123).ends_with(&domain::idcard::compose("520328", birth, 123)[14..])
        })
        .unwrap();
    let li = member::create(&s, &all, branch_b.id, &member_input("李四", li_birth, 123), today()).await.unwrap();
    member::create(&s, &all, branch_a.id, &member_input("张三丰", birth, 456), today()).await.unwrap();

    let county_a = Scope::subtrees([a.path.clone()]).acting_as(store::Actor::new("xian", "党组织管理员"));
    let tail = |n: usize| zhang.id_number[zhang.id_number.len() - n..].to_string();
    let audits = |s: store::Store| async move {
        store::audit::recent(&s, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.action == "member.search_id")
            .collect::<Vec<_>>()
    };

    // the full number
    let (n, hits) =
        member::search(&s, &county_a, &MemberSearch::IdNumber(zhang.id_number.clone()), 0, 20).await.unwrap();
    assert_eq!((n, hits[0].member.id), (1, zhang.id));
    // a member of a 党小组 shows the branch too
    assert_eq!(hits[0].org_name, "第一党小组");
    assert_eq!(hits[0].branch_name.as_deref(), Some("甲村党支部"));
    let rec = &audits(s.clone()).await[0];
    assert_eq!(rec.target, format!("member:{}", zhang.id));
    assert_eq!(rec.actor, "xian");
    assert!(!rec.detail.contains(&zhang.id_number), "the full number is never in the trail: {}", rec.detail);
    assert!(rec.detail.contains(&domain::mask::id_number(&zhang.id_number)), "{}", rec.detail);

    // the last 4 and the last 6 characters, only inside the caller's scope
    for k in [4, 5, 6] {
        let (n, hits) = member::search(&s, &county_a, &MemberSearch::IdTail(tail(k)), 0, 20).await.unwrap();
        assert_eq!(n, 1, "last {k}");
        assert_eq!(hits[0].member.id, zhang.id);
        let (n, _) = member::search(&s, &all, &MemberSearch::IdTail(tail(k)), 0, 20).await.unwrap();
        assert_eq!(n, if li.id_number.ends_with(&tail(k)) { 2 } else { 1 }, "last {k}, whole tree");
        if k == 4 {
            assert_eq!(n, 2, "the other county's member has the same last four");
        }
    }
    let rec = &audits(s.clone()).await[0];
    assert!(rec.detail.contains(&tail(6)), "{}", rec.detail);
    // a member of another county is not found by their full number either
    let before = audits(s.clone()).await.len();
    let (n, hits) = member::search(&s, &county_a, &MemberSearch::IdNumber(li.id_number.clone()), 0, 20).await.unwrap();
    assert_eq!((n, hits.len()), (0, 0));
    // and finding nobody is not recorded
    assert_eq!(audits(s.clone()).await.len(), before);

    // by name, part of it
    let (n, hits) = member::search(&s, &county_a, &MemberSearch::Name("张三".into()), 0, 20).await.unwrap();
    assert_eq!(n, 2);
    assert!(hits.iter().all(|h| h.member.name.starts_with("张三")));
    let (n, _) = member::search(&s, &county_a, &MemberSearch::Name("李四".into()), 0, 20).await.unwrap();
    assert_eq!(n, 0);
    assert_eq!(audits(s.clone()).await.len(), before, "a name search is not an ID search");
    let (n, _) = member::search(&s, &Scope::none(), &MemberSearch::Name("张".into()), 0, 20).await.unwrap();
    assert_eq!(n, 0);
});
