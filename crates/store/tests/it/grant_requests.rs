//! Business grants take two people: a 安全管理员 who did not create the account proposes, a
//! business officer whose scope covers the organization confirms or rejects; until then the
//! request counts for nothing. On SQLite and on a real PostgreSQL server.

use domain::account::{PasswordPolicy, Role};
use domain::member::{Category, MemberInput};
use domain::org::{OrgInput, OrgKind, Sector};
use store::account::{self as acc, NewAccount, RequestStatus};
use store::testing::TestDb;
use store::{audit, member, org, Scope, Store, StoreError};

const PASSWORD: &str = "Zunyi-Branch-2026";

fn d(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn account(s: &Store, name: &str, grants: Vec<(Role, Option<i64>)>, created_by: Option<i64>) -> i64 {
    let new = NewAccount {
        username: name.into(),
        display_name: name.into(),
        password: PASSWORD.into(),
        grants,
        created_by,
        ..Default::default()
    };
    acc::create_account(s, &Scope::all(), &new, &PasswordPolicy::default()).await.unwrap().account.id
}

async fn scope_of(s: &Store, id: i64) -> Scope {
    acc::scope_for(s, id).await.unwrap()
}

fn refused(e: StoreError, words: &str) {
    assert!(matches!(&e, StoreError::Refused(m) if m.contains(words)), "expected refusal with {words:?}: {e}");
}

async fn actions(s: &Store) -> Vec<String> {
    audit::recent(s, 10_000).await.unwrap().into_iter().rev().map(|r| r.action).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_business_grant_takes_a_proposal_and_a_confirmation() {
    for db in TestDb::both().await {
        let s = db.store.clone();
        let all = Scope::all();
        let mk =
            |n: &str, k| OrgInput { name: n.into(), kind: Some(k), sector: Some(Sector::Organs), ..Default::default() };
        let today = d("2026-05-01");
        let city = org::create(&s, &all, None, &mk("中共测试市委", OrgKind::LocalCommittee), today).await.unwrap();
        let a = org::create(&s, &all, Some(city.id), &mk("中共甲县委", OrgKind::LocalCommittee), today).await.unwrap();
        let a1 = org::create(&s, &all, Some(a.id), &mk("甲一党支部", OrgKind::Branch), today).await.unwrap();
        let b = org::create(&s, &all, Some(city.id), &mk("中共乙县委", OrgKind::LocalCommittee), today).await.unwrap();
        let mi = MemberInput {
            name: "王五".into(),
            id_number: "11010519491231002X".into(),
            category: Some(Category::Full),
            join_date: Some(d("1975-07-01")),
            ..Default::default()
        };
        let wang = member::create(&s, &all, a1.id, &mi, today).await.unwrap();

        let sec1 = account(&s, "sec1", vec![(Role::SecurityAdmin, None)], None).await;
        let sec2 = account(&s, "sec2", vec![(Role::SecurityAdmin, None)], None).await;
        let city_officer = account(&s, "city.officer", vec![(Role::OrgDeptAdmin, Some(city.id))], None).await;
        let a_officer = account(&s, "a.officer", vec![(Role::OrgAdmin, Some(a.id))], None).await;
        let b_officer = account(&s, "b.officer", vec![(Role::OrgAdmin, Some(b.id))], None).await;
        let sec1_scope = scope_of(&s, sec1).await;
        let sec2_scope = scope_of(&s, sec2).await;

        // an administrator creating an account cannot hand it business roles at once
        let direct = NewAccount {
            username: "direct".into(),
            display_name: "direct".into(),
            password: PASSWORD.into(),
            grants: vec![(Role::OrgDeptAdmin, Some(city.id))],
            created_by: Some(sec1),
            ..Default::default()
        };
        let e = acc::create_account(&s, &sec1_scope, &direct, &PasswordPolicy::default()).await.unwrap_err();
        refused(e, "不能直接授予业务角色");

        let x = account(&s, "x.user", vec![], Some(sec1)).await;
        assert_eq!(acc::created_by(&s, x).await.unwrap(), Some(sec1));

        // the creator may not propose; nor may anyone propose for themself, nor an admin role
        let e = acc::propose_grant(&s, &sec1_scope, sec1, x, Role::OrgDeptAdmin, Some(city.id)).await.unwrap_err();
        refused(e, "该账号是您创建的");
        let e = acc::propose_grant(&s, &sec2_scope, sec2, sec2, Role::PartyWorker, Some(a.id)).await.unwrap_err();
        refused(e, "自己的账号");
        let e = acc::propose_grant(&s, &sec2_scope, sec2, x, Role::AuditAdmin, None).await.unwrap_err();
        refused(e, "不是业务角色");

        // a second administrator proposes: pending, and no effect at all
        let req = acc::propose_grant(&s, &sec2_scope, sec2, x, Role::OrgDeptAdmin, Some(city.id)).await.unwrap();
        assert!(acc::get_account_with_grants(&s, x).await.unwrap().grants.is_empty());
        assert!(scope_of(&s, x).await.roots().is_empty(), "a pending grant gives no scope");
        let r = acc::grant_request(&s, req).await.unwrap();
        assert_eq!((r.status, r.role, r.org_id), (RequestStatus::Pending, Role::OrgDeptAdmin, Some(city.id)));
        assert_eq!(r.proposed_by_name, "sec2");
        let e = acc::propose_grant(&s, &sec2_scope, sec2, x, Role::OrgDeptAdmin, Some(city.id)).await.unwrap_err();
        refused(e, "待确认");

        // who sees it: officers whose scope covers the city; not below, not administrators
        let city_scope = scope_of(&s, city_officer).await;
        let a_scope = scope_of(&s, a_officer).await;
        let b_scope = scope_of(&s, b_officer).await;
        assert_eq!(acc::pending_grants(&s, &city_scope).await.unwrap().iter().map(|r| r.id).collect::<Vec<_>>(), [req]);
        assert!(acc::pending_grants(&s, &a_scope).await.unwrap().is_empty());
        assert!(acc::pending_grants(&s, &sec2_scope).await.unwrap().is_empty());

        // who may decide: not an administrator, not an officer below, not the proposer
        let e = acc::confirm_grant(&s, &sec2_scope, sec2, req).await.unwrap_err();
        assert!(matches!(e, StoreError::NotFound(_)), "{e}");
        let e = acc::confirm_grant(&s, &a_scope, a_officer, req).await.unwrap_err();
        assert!(matches!(e, StoreError::NotFound(_)), "{e}");
        assert!(acc::get_account_with_grants(&s, x).await.unwrap().grants.is_empty());

        // rejected with a reason (none: refused, naming the field)
        let e = acc::reject_grant(&s, &city_scope, city_officer, req, "  ").await.unwrap_err();
        assert!(matches!(&e, StoreError::Invalid(f) if f.has("退回理由")), "{e}");
        acc::reject_grant(&s, &city_scope, city_officer, req, "非组织部工作人员").await.unwrap();
        let r = acc::grant_request(&s, req).await.unwrap();
        assert_eq!(r.status, RequestStatus::Rejected);
        assert_eq!(
            (r.decided_by_name.as_deref(), r.reason.as_deref()),
            (Some("city.officer"), Some("非组织部工作人员"))
        );
        let e = acc::confirm_grant(&s, &city_scope, city_officer, req).await.unwrap_err();
        refused(e, "已退回");
        assert!(acc::get_account_with_grants(&s, x).await.unwrap().grants.is_empty());

        // proposed again and confirmed: in effect, with the request it came from
        let req2 = acc::propose_grant(&s, &sec2_scope, sec2, x, Role::OrgAdmin, Some(a.id)).await.unwrap();
        acc::confirm_grant(&s, &a_scope, a_officer, req2).await.unwrap();
        let held = acc::get_account_with_grants(&s, x).await.unwrap();
        assert_eq!(held.grants.iter().map(|g| (g.role, g.org_id)).collect::<Vec<_>>(), [(Role::OrgAdmin, Some(a.id))]);
        assert!(scope_of(&s, x).await.contains(&a1.path));
        assert_eq!(acc::grant_request(&s, req2).await.unwrap().status, RequestStatus::Confirmed);
        let e = acc::confirm_grant(&s, &a_scope, a_officer, req2).await.unwrap_err();
        refused(e, "已确认");

        // an officer never decides on their own account
        let own = acc::propose_grant(&s, &sec2_scope, sec2, a_officer, Role::PartyWorker, Some(a1.id)).await.unwrap();
        let e = acc::confirm_grant(&s, &a_scope, a_officer, own).await.unwrap_err();
        refused(e, "自己账号");
        let e = acc::reject_grant(&s, &a_scope, a_officer, own, "不需要").await.unwrap_err();
        refused(e, "自己账号");

        // 党员: the request is about the linked member's branch
        let m = NewAccount {
            username: "wang.wu".into(),
            display_name: "王五".into(),
            password: PASSWORD.into(),
            member_id: Some(wang.id),
            created_by: Some(sec1),
            ..Default::default()
        };
        let wang_acc = acc::create_account(&s, &sec1_scope, &m, &PasswordPolicy::default()).await.unwrap().account.id;
        let mreq = acc::propose_grant(&s, &sec2_scope, sec2, wang_acc, Role::Member, None).await.unwrap();
        assert_eq!(acc::grant_request(&s, mreq).await.unwrap().org_name.as_deref(), Some("甲一党支部"));
        assert!(acc::pending_grants(&s, &a_scope).await.unwrap().iter().any(|r| r.id == mreq));
        assert!(acc::pending_grants(&s, &b_scope).await.unwrap().is_empty());
        let e = acc::confirm_grant(&s, &b_scope, b_officer, mreq).await.unwrap_err();
        assert!(matches!(e, StoreError::NotFound(_)), "{e}");

        // withdrawn by a 安全管理员: one person suffices to reduce
        acc::withdraw_request(&s, &sec1_scope, sec1, wang_acc, mreq).await.unwrap();
        assert_eq!(acc::grant_request(&s, mreq).await.unwrap().status, RequestStatus::Withdrawn);
        let e = acc::confirm_grant(&s, &a_scope, a_officer, mreq).await.unwrap_err();
        refused(e, "已撤回");
        assert!(acc::get_account_with_grants(&s, wang_acc).await.unwrap().grants.is_empty());

        // the account page's history: pending first
        let hist = acc::requests_of(&s, x).await.unwrap();
        assert_eq!(hist.len(), 2);

        // a request on an organization dissolved meanwhile: nobody's to confirm, only to withdraw
        let breq = acc::propose_grant(&s, &sec2_scope, sec2, x, Role::PartyWorker, Some(b.id)).await.unwrap();
        org::dissolve(&s, &all, b.id, d("2026-06-01")).await.unwrap();
        assert!(acc::pending_grants(&s, &city_scope).await.unwrap().iter().all(|r| r.id != breq));
        let e = acc::confirm_grant(&s, &city_scope, city_officer, breq).await.unwrap_err();
        assert!(matches!(e, StoreError::NotFound(_)), "{e}");
        acc::withdraw_request(&s, &sec2_scope, sec2, x, breq).await.unwrap();

        // revoking is immediate
        acc::revoke_role(&s, &sec2_scope, x, Role::OrgAdmin, Some(a.id)).await.unwrap();
        assert!(scope_of(&s, x).await.roots().is_empty());

        // a password reset by an administrator suspends the business grants into requests in his
        // name; an administrator role is kept
        let (_, suspended) =
            acc::reset_password(&s, &sec2_scope, sec2, a_officer, &PasswordPolicy::default()).await.unwrap();
        assert_eq!(suspended.iter().map(|g| g.role).collect::<Vec<_>>(), [Role::OrgAdmin]);
        assert!(scope_of(&s, a_officer).await.roots().is_empty());
        let back = acc::requests_of(&s, a_officer).await.unwrap();
        let back = back.iter().find(|r| r.role == Role::OrgAdmin).unwrap();
        assert_eq!((back.status, back.proposed_by), (RequestStatus::Pending, sec2));
        acc::confirm_grant(&s, &city_scope, city_officer, back.id).await.unwrap();
        assert!(scope_of(&s, a_officer).await.contains(&a1.path));
        let (_, kept) = acc::reset_password(&s, &sec1_scope, sec1, sec2, &PasswordPolicy::default()).await.unwrap();
        assert!(kept.is_empty());
        assert_eq!(acc::get_account_with_grants(&s, sec2).await.unwrap().grants.len(), 1);

        // every step recorded, as the person who took it, and the chain holds
        let trail = actions(&s).await;
        for want in ["account.grant_propose", "account.grant_reject", "account.grant_confirm", "account.grant_withdraw"]
        {
            assert!(trail.iter().any(|a| a == want), "{want} recorded: {trail:?}");
        }
        let confirmers: Vec<String> = audit::recent(&s, 10_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.action == "account.grant_confirm")
            .map(|r| r.actor)
            .collect();
        assert_eq!(confirmers, ["city.officer", "a.officer"], "newest first, each as who confirmed");
        assert!(audit::verify(&s).await.unwrap().ok());
        db.finish().await;
    }
}
