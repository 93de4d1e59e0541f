//! 消息 on SQLite and PostgreSQL: a submitted record is announced to the nearest reviewers above
//! it, a returned one to its own organization's recorders; reviewing or resubmitting handles the
//! earlier message; a reader sees only their own messages within the scope of the audience's
//! permission; reading is per message or all at once, and audited. Bulk review decides many records
//! in one transaction and refuses the whole request, naming the record, when one cannot be decided.

use chrono::NaiveDate;
use domain::access::Perm;
use domain::account::{PasswordPolicy, Role};
use domain::life::RecordInput;
use domain::message::Audience;
use domain::org::{Org, OrgInput, OrgKind, Sector};
use store::account::NewAccount;
use store::message::Visibility;
use store::testing::TestDb;
use store::{life, message, org, Actor, Scope, Store, StoreError};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

struct W {
    county: Org,
    town: Org,
    branch: Org,
    other: Org,
    recorder: i64,
    town_admin: i64,
    county_admin: i64,
    other_recorder: i64,
}

async fn mk_org(s: &Store, parent: Option<i64>, name: &str, kind: OrgKind) -> Org {
    let input = OrgInput {
        name: name.into(),
        kind: Some(kind),
        sector: Some(Sector::Community),
        has_committee: kind != OrgKind::Branch,
        founded_on: Some(d("2015-01-01")),
        ..Default::default()
    };
    let o = org::create(s, &Scope::all(), parent, &input, d("2026-11-21")).await.unwrap();
    org::get(s, &Scope::all(), o.id).await.unwrap()
}

async fn account(s: &Store, name: &str, role: Role, org: i64) -> i64 {
    let new = NewAccount {
        username: name.into(),
        display_name: name.into(),
        password: "Test#2026pass".into(),
        grants: vec![(role, Some(org))],
        ..Default::default()
    };
    store::account::create_account(s, &Scope::all(), &new, &PasswordPolicy::default()).await.unwrap().account.id
}

async fn build(s: &Store) -> W {
    let county = mk_org(s, None, "中共样例县委", OrgKind::LocalCommittee).await;
    let town = mk_org(s, Some(county.id), "中共样例镇委员会", OrgKind::Committee).await;
    let branch = mk_org(s, Some(town.id), "样例村党支部", OrgKind::Branch).await;
    let other = mk_org(s, Some(town.id), "另一村党支部", OrgKind::Branch).await;
    W {
        recorder: account(s, "recorder", Role::PartyWorker, branch.id).await,
        town_admin: account(s, "town_admin", Role::OrgAdmin, town.id).await,
        county_admin: account(s, "county_admin", Role::OrgAdmin, county.id).await,
        other_recorder: account(s, "other_recorder", Role::PartyWorker, other.id).await,
        county,
        town,
        branch,
        other,
    }
}

/// What an account granted `role` on `path` may read.
fn vis(role: Role, path: &str) -> Visibility {
    Audience::ALL
        .iter()
        .map(|a| {
            let scope = if domain::access::role_has(role, a.perm()) {
                Scope::subtrees([path.to_string()])
            } else {
                Scope::none()
            };
            (*a, scope)
        })
        .collect()
}

fn input(title: &str) -> RecordInput {
    RecordInput {
        types: vec!["party_lecture".into()],
        title: title.into(),
        held_on: "2026-10-10".into(),
        place: "会议室".into(),
        host: "书记".into(),
        recorder: "委员".into(),
        lecturer: "书记".into(),
        expected: "3".into(),
        present: "3".into(),
        ..Default::default()
    }
}

fn acting(name: &str, path: &str) -> Scope {
    Scope::subtrees([path.to_string()]).acting_as(Actor::new(name, "党组织管理员"))
}

#[tokio::test]
async fn a_returned_record_reaches_its_recorders_and_nobody_else() {
    for db in TestDb::both().await {
        let s = &db.store;
        let w = build(s).await;
        let rec_scope = acting("recorder", &w.branch.path);
        let id = life::create(s, &rec_scope, w.branch.id, &input("十月党课"), true).await.unwrap().id;

        // submitted: the nearest reviewers above the branch (the town), not the county, not the author
        let town_vis = vis(Role::OrgAdmin, &w.town.path);
        let page = message::inbox(s, w.town_admin, &town_vis, false, 1, 50).await.unwrap();
        assert_eq!(page.total, 1, "{page:?}");
        assert_eq!(page.items[0].kind, "submitted");
        assert_eq!(page.items[0].link, format!("/life/records/{id}"));
        assert_eq!(message::unread(s, w.county_admin, &vis(Role::OrgAdmin, &w.county.path)).await.unwrap(), 0);
        assert_eq!(message::unread(s, w.recorder, &vis(Role::PartyWorker, &w.branch.path)).await.unwrap(), 0);

        // returned with a reason: the branch's recorder is told, with the reason; the town's
        // 待审核 message is handled
        life::review(s, &acting("town_admin", &w.town.path), id, false, "缺少签到表").await.unwrap();
        let rec_vis = vis(Role::PartyWorker, &w.branch.path);
        assert_eq!(message::unread(s, w.recorder, &rec_vis).await.unwrap(), 1);
        let m = &message::inbox(s, w.recorder, &rec_vis, true, 1, 50).await.unwrap().items[0];
        assert_eq!(m.kind, "returned");
        assert!(m.body.contains("缺少签到表") && m.title.contains("十月党课"), "{m:?}");
        assert_eq!(message::unread(s, w.town_admin, &town_vis).await.unwrap(), 0, "handled by the review");

        // scope: another branch's recorder, and the recorder outside the audience's scope, see nothing
        assert_eq!(message::unread(s, w.other_recorder, &vis(Role::PartyWorker, &w.other.path)).await.unwrap(), 0);
        assert_eq!(message::unread(s, w.recorder, &vis(Role::PartyWorker, &w.other.path)).await.unwrap(), 0);
        assert!(matches!(
            message::get(s, w.other_recorder, &vis(Role::PartyWorker, &w.other.path), m.id).await,
            Err(StoreError::NotFound(_))
        ));
        // and a mark-read of someone else's message changes nothing
        let n = message::mark_read(
            s,
            &Scope::none(),
            w.other_recorder,
            &vis(Role::PartyWorker, &w.other.path),
            Some(&[m.id]),
        )
        .await
        .unwrap();
        assert_eq!(n, 0);
        assert_eq!(message::unread(s, w.recorder, &rec_vis).await.unwrap(), 1);

        // read
        let n = message::mark_read(s, &rec_scope, w.recorder, &rec_vis, Some(&[m.id])).await.unwrap();
        assert_eq!(n, 1);
        assert_eq!(message::unread(s, w.recorder, &rec_vis).await.unwrap(), 0);
        assert_eq!(message::inbox(s, w.recorder, &rec_vis, false, 1, 50).await.unwrap().total, 1, "kept, read");

        // resubmitting handles nothing new for the recorder, and tells the town again
        life::submit(s, &rec_scope, id).await.unwrap();
        assert_eq!(message::unread(s, w.town_admin, &town_vis).await.unwrap(), 1);
        let all =
            message::mark_read(s, &acting("town_admin", &w.town.path), w.town_admin, &town_vis, None).await.unwrap();
        assert_eq!(all, 1);
        assert_eq!(message::unread(s, w.town_admin, &town_vis).await.unwrap(), 0);

        let audit = store::audit::recent(s, 50).await.unwrap();
        for action in ["message.post", "message.read", "message.read_all"] {
            assert!(audit.iter().any(|a| a.action == action), "{action} audited");
        }
        assert!(store::audit::verify(s).await.unwrap().ok());
        let _ = Perm::ReadLife;
        db.finish().await;
    }
}

#[tokio::test]
async fn without_officers_of_its_own_an_organization_is_served_by_the_nearest_level_above() {
    for db in TestDb::both().await {
        let s = &db.store;
        let county = mk_org(s, None, "中共样例县委", OrgKind::LocalCommittee).await;
        let town = mk_org(s, Some(county.id), "中共样例镇委员会", OrgKind::Committee).await;
        let branch = mk_org(s, Some(town.id), "样例村党支部", OrgKind::Branch).await;
        let county_admin = account(s, "county_admin", Role::OrgAdmin, county.id).await;
        let worker = account(s, "county_worker", Role::PartyWorker, county.id).await;
        let ids = message::recipients(s.read(), &branch.path, Audience::Recorders).await.unwrap();
        assert_eq!(ids, vec![county_admin, worker]);
        let ids = message::recipients(s.read(), &town.path, Audience::Reviewers).await.unwrap();
        assert_eq!(ids, vec![county_admin], "a 党务工作者 does not review");
        db.finish().await;
    }
}

#[tokio::test]
async fn bulk_review_decides_sixty_records_together_or_none() {
    for db in TestDb::both().await {
        let s = &db.store;
        let w = build(s).await;
        let rec = acting("recorder", &w.branch.path);
        let mut ids = Vec::new();
        for i in 0..60 {
            ids.push(life::create(s, &rec, w.branch.id, &input(&format!("党课{i}")), true).await.unwrap().id);
        }
        let other = life::create(s, &acting("other_recorder", &w.other.path), w.other.id, &input("另一村党课"), true)
            .await
            .unwrap()
            .id;
        let town = acting("town_admin", &w.town.path);

        // returning without a reason: refused, naming the record, nothing written
        let items: Vec<(i64, String)> = ids.iter().map(|id| (*id, String::new())).collect();
        match life::review_many(s, &town, &items, false).await {
            Err(StoreError::Invalid(e)) => assert!(e.0[0].message.contains("党课0"), "{e:?}"),
            other => panic!("{other:?}"),
        }
        // a record of the reviewer's own organization cannot be reviewed by it: the whole request
        // is refused naming it, and nothing is written
        let own = life::create(s, &town, w.town.id, &input("本级党课"), true).await.unwrap().id;
        let mixed: Vec<(i64, String)> = vec![(ids[0], String::new()), (own, String::new()), (ids[1], String::new())];
        match life::review_many(s, &town, &mixed, true).await {
            Err(StoreError::Refused(m)) => assert!(m.contains("本级党课"), "{m}"),
            other => panic!("{other:?}"),
        }
        for id in &ids {
            assert_eq!(life::get(s, &Scope::all(), *id).await.unwrap().record.status, "submitted");
        }

        // accept 60 at once: every one accepted and audited on its own
        let before = store::audit::recent(s, 1).await.unwrap()[0].seq;
        let items: Vec<(i64, String)> = ids.iter().map(|id| (*id, String::new())).collect();
        assert_eq!(life::review_many(s, &town, &items, true).await.unwrap(), 60);
        for id in &ids {
            assert_eq!(life::get(s, &Scope::all(), *id).await.unwrap().record.status, "accepted");
        }
        let audit = store::audit::recent(s, 200).await.unwrap();
        assert_eq!(audit.iter().filter(|a| a.seq > before && a.action == "life.accept").count(), 60);
        assert_eq!(life::get(s, &Scope::all(), other).await.unwrap().record.status, "submitted");
        // the town's 待审核 messages about them are handled
        let town_vis = vis(Role::OrgAdmin, &w.town.path);
        let unread = message::inbox(s, w.town_admin, &town_vis, true, 1, 200).await.unwrap();
        assert!(unread.items.iter().all(|m| !ids.iter().any(|id| m.subject == format!("life_record:{id}"))));
        assert!(store::audit::verify(s).await.unwrap().ok());
        db.finish().await;
    }
}
