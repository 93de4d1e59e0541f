//! Accounts, sign-in, sessions, two-factor sign-in, API tokens and scopes, on SQLite and on a real
//! PostgreSQL server. Times are passed explicitly, so lockouts and timeouts are tested without
//! sleeping. Every test ends by checking that the audit chain verifies and that no password, TOTP
//! secret, recovery code or token it handled appears anywhere in the audit trail.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::account::{self as rules, PasswordPolicy, Role};
use domain::member::{Category, MemberInput};
use domain::org::{OrgInput, OrgKind, Sector};
use store::account::{self, LoginLimits, LoginOutcome, NewAccount, SecondFactorOutcome, SessionLimits};
use store::testing::TestDb;
use store::{audit, member, org, Actor, Scope, Store, StoreError};

const PASSWORD: &str = "Zunyi-Branch-2026";

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}
fn t0() -> DateTime<Utc> {
    t("2026-05-01T08:00:00Z")
}
fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}
fn security_admin() -> Scope {
    let mut a = Actor::new("安全员甲", "安全管理员");
    a.source_ip = Some("10.0.0.9".into());
    Scope::none().acting_as(a)
}
fn mlps() -> PasswordPolicy {
    PasswordPolicy::default()
}
fn new_account(username: &str, grants: Vec<(Role, Option<i64>)>) -> NewAccount {
    NewAccount {
        username: username.into(),
        display_name: format!("{username} 同志"),
        password: PASSWORD.into(),
        grants,
        ..Default::default()
    }
}

/// 市委 → 甲县委 → 甲一支部, and 市委 → 乙县委 → 乙一支部, with one member in 甲一支部.
struct Tree {
    city: i64,
    a: i64,
    a1: i64,
    b: i64,
    b1: i64,
    member: i64,
}

async fn tree(s: &Store) -> Tree {
    let all = Scope::all();
    let mk =
        |n: &str, k| OrgInput { name: n.into(), kind: Some(k), sector: Some(Sector::Organs), ..Default::default() };
    let today = d("2026-05-01");
    let city = org::create(s, &all, None, &mk("中共测试市委", OrgKind::LocalCommittee), today).await.unwrap();
    let a = org::create(s, &all, Some(city.id), &mk("中共甲县委", OrgKind::LocalCommittee), today).await.unwrap();
    let a1 = org::create(s, &all, Some(a.id), &mk("甲一党支部", OrgKind::Branch), today).await.unwrap();
    let b = org::create(s, &all, Some(city.id), &mk("中共乙县委", OrgKind::LocalCommittee), today).await.unwrap();
    let b1 = org::create(s, &all, Some(b.id), &mk("乙一党支部", OrgKind::Branch), today).await.unwrap();
    let mi = MemberInput {
        name: "王五".into(),
        id_number: "11010519491231002X".into(),
        category: Some(Category::Full),
        join_date: Some(d("1975-07-01")),
        ..Default::default()
    };
    let m = member::create(s, &all, a1.id, &mi, today).await.unwrap();
    Tree { city: city.id, a: a.id, a1: a1.id, b: b.id, b1: b1.id, member: m.id }
}

/// The audit chain verifies, and none of `secrets` appears in any record.
async fn assert_trail_clean(s: &Store, secrets: &[String]) {
    let v = audit::verify(s).await.unwrap();
    assert!(v.ok(), "{:?}", v.problems);
    for r in audit::recent(s, 100_000).await.unwrap() {
        let whole = format!("{} {} {} {} {} {}", r.actor, r.role, r.scope, r.action, r.target, r.detail);
        for secret in secrets {
            assert!(!secret.is_empty());
            assert!(!whole.contains(secret.as_str()), "secret {secret:?} in the audit trail: {whole}");
        }
    }
}

async fn actions(s: &Store) -> Vec<(String, String)> {
    audit::recent(s, 100_000).await.unwrap().into_iter().rev().map(|r| (r.action, r.result)).collect()
}

async fn login(s: &Store, user: &str, password: &str, at: DateTime<Utc>) -> LoginOutcome {
    account::verify_login(s, user, password, Some("10.1.2.3"), at, &LoginLimits::default()).await.unwrap()
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

on_both!(create_and_sign_in, |s: Store| async move {
    let created =
        account::create_account(&s, &security_admin(), &new_account(" Zhang.San ", vec![]), &mlps()).await.unwrap();
    assert_eq!(created.account.username, "zhang.san", "trimmed and lower-cased");
    assert!(!created.account.must_change_password && !created.account.is_disabled && !created.account.has_totp);

    match login(&s, "ZHANG.SAN", PASSWORD, t0()).await {
        LoginOutcome::Ok { account, needs_totp, must_enrol_totp } => {
            assert_eq!(account.id, created.account.id);
            assert!(!needs_totp && !must_enrol_totp);
            assert!(!account.needs_password_change(&mlps(), t0()));
            assert!(account.needs_password_change(&mlps(), account.password_changed_at + Duration::days(90)));
            assert!(!account.needs_password_change(&PasswordPolicy::Asvs, t0() + Duration::days(900)));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(login(&s, "zhang.san", "Zunyi-Branch-2025", t0()).await, LoginOutcome::Invalid);
    assert_eq!(login(&s, "li.si", PASSWORD, t0()).await, LoginOutcome::Invalid, "unknown user: the same answer");

    // similar timing: an unknown user costs one Argon2 verification, as a known one does (counted,
    // not timed: the dummy hash's parameters equal a real hash's, see the unit test in account.rs)
    use std::sync::atomic::Ordering;
    let count = || store::account::ARGON2_VERIFICATIONS.load(Ordering::SeqCst);
    let at = t0() + Duration::hours(1);
    let before = count();
    login(&s, "zhang.san", "wrong password", at).await;
    let known = count() - before;
    let before = count();
    login(&s, "nobody.here", "wrong password", at).await;
    let unknown = count() - before;
    assert_eq!((known, unknown), (1, 1), "one verification each, known or not");

    // the policy and the username rules
    let weak = NewAccount { password: "abcdefgh".into(), ..new_account("wang.wu", vec![]) };
    let e = account::create_account(&s, &security_admin(), &weak, &mlps()).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(f) if f.has("密码")), "{e}");
    assert!(e.to_string().contains("至少三类"), "{e}");
    let short = NewAccount { password: "Abcdef1!xy".into(), ..new_account("wang.wu", vec![]) };
    let e = account::create_account(&s, &security_admin(), &short, &PasswordPolicy::Asvs).await.unwrap_err();
    assert!(e.to_string().contains("至少需要 12 个字符"), "{e}");
    let common = NewAccount { password: "woaini1314520".into(), ..new_account("wang.wu", vec![]) };
    let e = account::create_account(&s, &security_admin(), &common, &PasswordPolicy::Asvs).await.unwrap_err();
    assert!(e.to_string().contains("常见密码"), "{e}");
    let e = account::create_account(&s, &security_admin(), &new_account("王五", vec![]), &mlps()).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(f) if f.has("用户名")), "{e}");
    let e =
        account::create_account(&s, &security_admin(), &new_account("zhang.san", vec![]), &mlps()).await.unwrap_err();
    assert!(e.to_string().contains("已被使用"), "{e}");
    assert!(!format!("{weak:?}").contains("abcdefgh"), "Debug shows no password");

    // set_password: policy, not the same again, clears must-change, ends sessions
    let temp = NewAccount { must_change_password: true, ..new_account("wang.wu", vec![]) };
    let w = account::create_account(&s, &security_admin(), &temp, &mlps()).await.unwrap().account;
    assert!(w.must_change_password);
    let sess = account::create_session(&s, &security_admin(), w.id, None, None, t0(), &SessionLimits::default(), false)
        .await
        .unwrap();
    let e = account::set_password(&s, &security_admin(), w.id, PASSWORD, &mlps()).await.unwrap_err();
    assert!(e.to_string().contains("不能与当前密码相同"), "{e}");
    let e = account::set_password(&s, &security_admin(), w.id, "short", &mlps()).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(f) if f.has("新密码")), "{e}");
    let e =
        account::change_password(&s, &security_admin(), w.id, "not it", "Another-Pass-77", &mlps()).await.unwrap_err();
    assert!(e.to_string().contains("当前密码不正确"), "{e}");
    account::change_password(&s, &security_admin(), w.id, PASSWORD, "Another-Pass-77", &mlps()).await.unwrap();
    let w2 = account::get_account_with_grants(&s, w.id).await.unwrap().account;
    assert!(!w2.must_change_password && w2.password_changed_at > w.password_changed_at);
    assert!(account::touch_session(&s, &sess.token, t0(), &SessionLimits::default()).await.unwrap().is_none());
    assert!(matches!(login(&s, "wang.wu", "Another-Pass-77", t0()).await, LoginOutcome::Ok { .. }));
    assert_eq!(login(&s, "wang.wu", PASSWORD, t0()).await, LoginOutcome::Invalid);

    let list = account::list_accounts(&s).await.unwrap();
    assert_eq!(list.iter().map(|a| a.account.username.as_str()).collect::<Vec<_>>(), ["wang.wu", "zhang.san"]);
    assert_trail_clean(
        &s,
        &[PASSWORD.into(), "Zunyi-Branch-2025".into(), "Another-Pass-77".into(), "wrong password".into(), sess.token],
    )
    .await;
    let acts = actions(&s).await;
    assert_eq!(acts[0], ("account.create".into(), "ok".into()));
    assert!(acts.contains(&("account.login".into(), "invalid".into())));
    assert!(acts.contains(&("account.password".into(), "invalid".into())), "a wrong current password is audited");
});

on_both!(lockout_after_five_failures_and_unlock_after_the_window, |s: Store| async move {
    account::create_account(&s, &security_admin(), &new_account("zhang.san", vec![]), &mlps()).await.unwrap();
    let start = t0();
    for i in 0..4 {
        assert_eq!(login(&s, "zhang.san", "bad", start + Duration::seconds(10 * i)).await, LoginOutcome::Invalid);
    }
    let until = start + Duration::minutes(15);
    assert_eq!(
        login(&s, "zhang.san", "bad", start + Duration::seconds(40)).await,
        LoginOutcome::Locked { until },
        "the fifth failure locks"
    );
    assert_eq!(
        login(&s, "zhang.san", PASSWORD, start + Duration::minutes(5)).await,
        LoginOutcome::Locked { until },
        "no password is checked while locked"
    );
    assert_eq!(login(&s, "zhang.san", PASSWORD, until - Duration::seconds(1)).await, LoginOutcome::Locked { until });
    assert!(matches!(login(&s, "zhang.san", PASSWORD, until + Duration::seconds(1)).await, LoginOutcome::Ok { .. }));

    // unknown names lock the same way: no way to tell them apart
    for i in 0..4 {
        assert_eq!(login(&s, "li.si", "bad", start + Duration::seconds(10 * i)).await, LoginOutcome::Invalid);
    }
    assert!(matches!(login(&s, "li.si", "bad", start + Duration::seconds(40)).await, LoginOutcome::Locked { .. }));

    // failures before a successful sign-in do not count afterwards
    let later = start + Duration::hours(2);
    for i in 0..4 {
        assert_eq!(login(&s, "zhang.san", "bad", later + Duration::seconds(i)).await, LoginOutcome::Invalid);
    }
    assert!(matches!(login(&s, "zhang.san", PASSWORD, later + Duration::seconds(5)).await, LoginOutcome::Ok { .. }));
    for i in 0..4 {
        assert_eq!(login(&s, "zhang.san", "bad", later + Duration::seconds(10 + i)).await, LoginOutcome::Invalid);
    }

    // configurable
    let strict = LoginLimits { max_failures: 2, window: Duration::minutes(60), ..Default::default() };
    let at = start + Duration::hours(5);
    let r = account::verify_login(&s, "zhang.san", "bad", None, at, &strict).await.unwrap();
    assert_eq!(r, LoginOutcome::Invalid);
    let r = account::verify_login(&s, "zhang.san", "bad", None, at + Duration::seconds(1), &strict).await.unwrap();
    assert_eq!(r, LoginOutcome::Locked { until: at + Duration::minutes(60) });

    #[derive(sqlx::FromRow)]
    struct Attempt {
        username_key: String,
        outcome: String,
    }
    let rows: Vec<Attempt> = store::testing::raw(s.read())
        .fetch_all("SELECT username_key, outcome FROM login_attempt WHERE username_key = 'li.si' ORDER BY id", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r.username_key == "li.si" && r.outcome == "invalid"));
    assert_eq!(account::prune_login_attempts(&s, &security_admin(), start + Duration::seconds(20)).await.unwrap(), 4);
    assert_trail_clean(&s, &[PASSWORD.into()]).await;
});

on_both!(disabled_accounts_cannot_sign_in_and_their_sessions_end, |s: Store| async move {
    let a = account::create_account(&s, &security_admin(), &new_account("zhang.san", vec![]), &mlps()).await.unwrap();
    let id = a.account.id;
    let limits = SessionLimits::default();
    let s1 =
        account::create_session(&s, &security_admin(), id, Some("10.1.2.3"), Some("Firefox"), t0(), &limits, false)
            .await
            .unwrap();
    let s2 = account::create_session(&s, &security_admin(), id, None, None, t0(), &limits, false).await.unwrap();
    assert_ne!(s1.token, s2.token, "a new session id at every sign-in");
    assert_eq!(s1.token.len(), 64);
    let (_, api) = account::create_api_token(&s, &security_admin(), id, "报表", t0()).await.unwrap();
    assert!(account::resolve_api_token(&s, &api, t0()).await.unwrap().is_some());
    assert!(account::touch_session(&s, &s1.token, t0(), &limits).await.unwrap().is_some());

    assert_eq!(account::disable_account(&s, &security_admin(), id).await.unwrap(), 2);
    assert!(account::touch_session(&s, &s1.token, t0(), &limits).await.unwrap().is_none());
    assert!(account::touch_session(&s, &s2.token, t0(), &limits).await.unwrap().is_none());
    assert!(account::resolve_api_token(&s, &api, t0()).await.unwrap().is_none());
    assert_eq!(login(&s, "zhang.san", PASSWORD, t0()).await, LoginOutcome::Disabled);
    assert_eq!(
        login(&s, "zhang.san", "wrong", t0()).await,
        LoginOutcome::Invalid,
        "a wrong password says nothing more"
    );
    let e = account::create_session(&s, &security_admin(), id, None, None, t0(), &limits, false).await.unwrap_err();
    assert!(e.to_string().contains("已停用"), "{e}");

    account::enable_account(&s, &security_admin(), id).await.unwrap();
    assert!(matches!(login(&s, "zhang.san", PASSWORD, t0()).await, LoginOutcome::Ok { .. }));
    assert!(account::touch_session(&s, &s1.token, t0(), &limits).await.unwrap().is_none(), "ended stays ended");
    assert_trail_clean(&s, &[PASSWORD.into(), s1.token.clone(), s2.token.clone(), s1.csrf_token.clone(), api]).await;
});

on_both!(session_idle_and_absolute_timeouts, |s: Store| async move {
    let id = account::create_account(&s, &security_admin(), &new_account("zhang.san", vec![]), &mlps())
        .await
        .unwrap()
        .account
        .id;
    let limits = SessionLimits::default();
    let start = t0();
    let new = account::create_session(&s, &security_admin(), id, Some("10.1.2.3"), Some("Edge"), start, &limits, false)
        .await
        .unwrap();
    assert_eq!(new.expires_at, start + Duration::hours(12));
    assert!(!format!("{new:?}").contains(&new.token), "Debug shows no token");
    let live = account::touch_session(&s, &new.token, start + Duration::minutes(29), &limits).await.unwrap().unwrap();
    assert_eq!(
        (live.account_id, live.csrf_token.as_str(), live.ip.as_deref()),
        (id, new.csrf_token.as_str(), Some("10.1.2.3"))
    );
    assert_eq!(live.last_seen_at, start + Duration::minutes(29));
    // idle: 30 minutes after the last use
    assert!(account::touch_session(&s, &new.token, start + Duration::minutes(58), &limits).await.unwrap().is_some());
    assert!(account::touch_session(&s, &new.token, start + Duration::minutes(88), &limits).await.unwrap().is_none());
    assert!(
        account::touch_session(&s, &new.token, start + Duration::minutes(89), &limits).await.unwrap().is_none(),
        "an expired session stays ended"
    );

    // absolute: 12 hours after sign-in however busy the session is
    let busy = account::create_session(&s, &security_admin(), id, None, None, start, &limits, false).await.unwrap();
    let mut at = start;
    while at < start + Duration::hours(12) - Duration::minutes(20) {
        at += Duration::minutes(20);
        assert!(account::touch_session(&s, &busy.token, at, &limits).await.unwrap().is_some(), "{at}");
    }
    assert!(account::touch_session(&s, &busy.token, start + Duration::hours(12), &limits).await.unwrap().is_none());

    // touches within a minute are not written
    let quiet = account::create_session(&s, &security_admin(), id, None, None, start, &limits, false).await.unwrap();
    let seen = account::touch_session(&s, &quiet.token, start + Duration::seconds(30), &limits).await.unwrap().unwrap();
    assert_eq!(seen.last_seen_at, start);

    // configurable limits
    let short = SessionLimits { idle: Duration::minutes(5), absolute: Duration::hours(1), ..SessionLimits::default() };
    let sh = account::create_session(&s, &security_admin(), id, None, None, start, &short, false).await.unwrap();
    assert_eq!(sh.expires_at, start + Duration::hours(1));
    assert!(account::touch_session(&s, &sh.token, start + Duration::minutes(6), &short).await.unwrap().is_none());

    // sign-out; unknown and malformed tokens
    let out = account::create_session(&s, &security_admin(), id, None, None, start, &limits, false).await.unwrap();
    assert!(account::end_session(&s, &security_admin(), &out.token).await.unwrap());
    assert!(!account::end_session(&s, &security_admin(), &out.token).await.unwrap());
    assert!(account::touch_session(&s, &out.token, start, &limits).await.unwrap().is_none());
    assert!(account::touch_session(&s, &"0".repeat(64), start, &limits).await.unwrap().is_none());
    assert!(account::touch_session(&s, "x", start, &limits).await.unwrap().is_none());

    // end_all_sessions
    let x1 = account::create_session(&s, &security_admin(), id, None, None, start, &limits, false).await.unwrap();
    let x2 = account::create_session(&s, &security_admin(), id, None, None, start, &limits, false).await.unwrap();
    assert_eq!(account::end_all_sessions(&s, &security_admin(), id).await.unwrap(), 3, "quiet, x1 and x2");
    assert!(account::touch_session(&s, &x1.token, start, &limits).await.unwrap().is_none());
    assert!(account::touch_session(&s, &x2.token, start, &limits).await.unwrap().is_none());

    let acts = actions(&s).await;
    let reasons: Vec<String> = audit::recent(&s, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "session.end")
        .map(|r| r.detail)
        .collect();
    assert!(reasons.iter().any(|r| r.contains("idle_timeout")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("absolute_timeout")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("logout")), "{reasons:?}");
    assert!(acts.contains(&("session.end_all".into(), "ok".into())));
    let secrets: Vec<String> = [&new, &busy, &quiet, &sh, &out, &x1, &x2]
        .iter()
        .flat_map(|n| [n.token.clone(), n.csrf_token.clone()])
        .chain([PASSWORD.to_string()])
        .collect();
    assert_trail_clean(&s, &secrets).await;
});

on_both!(totp_enrolment_verification_and_recovery_codes, |s: Store| async move {
    let tr = tree(&s).await;
    let limits = LoginLimits::default();
    let admin = account::create_account(
        &s,
        &security_admin(),
        &new_account("zzb.admin", vec![(Role::OrgDeptAdmin, Some(tr.city))]),
        &mlps(),
    )
    .await
    .unwrap();
    let id = admin.account.id;
    // 组织部管理员 must enrol before working
    match login(&s, "zzb.admin", PASSWORD, t0()).await {
        LoginOutcome::Ok { needs_totp: false, must_enrol_totp: true, .. } => {}
        other => panic!("{other:?}"),
    }
    let me = account::scope_for(&s, id).await.unwrap();
    let en = account::begin_totp_enrolment(&s, &me, id).await.unwrap();
    assert!(en.uri.starts_with("otpauth://totp/dangjian%20"), "{}", en.uri);
    assert!(en.uri.contains(":zzb.admin?secret=") && en.uri.contains(&en.secret_base32), "{}", en.uri);
    assert!(!format!("{en:?}").contains(&en.secret_base32));
    let secret = rules::base32_decode(&en.secret_base32).unwrap();
    assert_eq!(secret.len(), 20);
    let now = t0() + Duration::minutes(1);
    let wrong = if rules::totp(&secret, now.timestamp()) == "000000" { "111111" } else { "000000" };
    let e = account::confirm_totp(&s, &me, id, wrong, now).await.unwrap_err();
    assert!(e.to_string().contains("验证码不正确"), "{e}");
    let first_code = rules::totp(&secret, now.timestamp());
    let codes = account::confirm_totp(&s, &me, id, &first_code, now).await.unwrap();
    assert_eq!(codes.len(), 10);
    assert!(account::get_account_with_grants(&s, id).await.unwrap().account.has_totp);
    assert!(account::begin_totp_enrolment(&s, &me, id).await.is_err(), "enrolled once; reset first to change phones");

    let at = now + Duration::minutes(1);
    match login(&s, "zzb.admin", PASSWORD, at).await {
        LoginOutcome::Ok { needs_totp: true, must_enrol_totp: false, .. } => {}
        other => panic!("{other:?}"),
    }
    let pending = account::create_session(&s, &me, id, None, None, at, &SessionLimits::default(), true).await.unwrap();
    assert_eq!(pending.expires_at, at + Duration::minutes(5));
    assert!(
        account::touch_session(&s, &pending.token, at, &SessionLimits::default())
            .await
            .unwrap()
            .unwrap()
            .is_totp_pending
    );

    let code = rules::totp(&secret, at.timestamp());
    let ok = account::verify_totp_or_recovery(&s, &me, id, &code, at, &limits).await.unwrap();
    assert_eq!(ok, SecondFactorOutcome::Ok { used_recovery_code: false, recovery_codes_left: 10 });
    assert_eq!(
        account::verify_totp_or_recovery(&s, &me, id, &code, at, &limits).await.unwrap(),
        SecondFactorOutcome::Invalid,
        "a code is used once"
    );
    let next = at + Duration::seconds(30);
    let code2 = rules::totp(&secret, next.timestamp());
    assert!(matches!(
        account::verify_totp_or_recovery(&s, &me, id, &code2, next, &limits).await.unwrap(),
        SecondFactorOutcome::Ok { .. }
    ));
    let full = account::promote_session(&s, &me, &pending.token, at, &SessionLimits::default()).await.unwrap().unwrap();
    assert_ne!(full.token, pending.token);
    assert!(!full.is_totp_pending && full.expires_at == at + Duration::hours(12));
    assert!(account::touch_session(&s, &pending.token, at, &SessionLimits::default()).await.unwrap().is_none());
    assert!(
        !account::touch_session(&s, &full.token, at, &SessionLimits::default()).await.unwrap().unwrap().is_totp_pending
    );

    // recovery codes: single use, any case, with or without the hyphen
    let later = at + Duration::hours(1);
    let r = account::verify_totp_or_recovery(&s, &me, id, &codes[0], later, &limits).await.unwrap();
    assert_eq!(r, SecondFactorOutcome::Ok { used_recovery_code: true, recovery_codes_left: 9 });
    let r = account::verify_totp_or_recovery(&s, &me, id, &codes[0], later, &limits).await.unwrap();
    assert_eq!(r, SecondFactorOutcome::Invalid);
    let typed = codes[1].replace('-', " ").to_uppercase();
    let r = account::verify_totp_or_recovery(&s, &me, id, &typed, later, &limits).await.unwrap();
    assert_eq!(r, SecondFactorOutcome::Ok { used_recovery_code: true, recovery_codes_left: 8 });

    // wrong codes count towards the lockout, and a lock stops the second factor too
    let burst = later + Duration::hours(1);
    for i in 0..4 {
        let r = account::verify_totp_or_recovery(&s, &me, id, "abcd-efgh", burst + Duration::seconds(i), &limits).await;
        assert_eq!(r.unwrap(), SecondFactorOutcome::Invalid);
    }
    let r = account::verify_totp_or_recovery(&s, &me, id, "000000", burst + Duration::seconds(5), &limits).await;
    assert!(matches!(r.unwrap(), SecondFactorOutcome::Locked { .. }));
    let good = rules::totp(&secret, (burst + Duration::seconds(6)).timestamp());
    let r = account::verify_totp_or_recovery(&s, &me, id, &good, burst + Duration::seconds(6), &limits).await;
    assert!(matches!(r.unwrap(), SecondFactorOutcome::Locked { .. }));
    assert!(matches!(
        login(&s, "zzb.admin", PASSWORD, burst + Duration::seconds(7)).await,
        LoginOutcome::Locked { .. }
    ));

    // new codes replace the old; a reset switches two-factor off
    let fresh = account::regenerate_recovery_codes(&s, &me, id).await.unwrap();
    let after = burst + Duration::hours(1);
    let r = account::verify_totp_or_recovery(&s, &me, id, &codes[2], after, &limits).await.unwrap();
    assert_eq!(r, SecondFactorOutcome::Invalid, "old codes are gone");
    account::reset_totp(&s, &security_admin(), id).await.unwrap();
    assert!(!account::get_account_with_grants(&s, id).await.unwrap().account.has_totp);
    let r = account::verify_totp_or_recovery(&s, &me, id, &fresh[0], after, &limits).await.unwrap();
    assert_eq!(r, SecondFactorOutcome::Invalid);

    let mut secrets: Vec<String> = codes.iter().chain(&fresh).cloned().collect();
    secrets.extend([en.secret_base32.clone(), PASSWORD.into(), pending.token.clone(), full.token.clone()]);
    secrets.extend(codes.iter().map(|c| c.replace('-', "")));
    assert_trail_clean(&s, &secrets).await;
    let acts = actions(&s).await;
    for a in
        ["account.totp_begin", "account.totp_enable", "account.recovery_codes", "account.totp_reset", "session.promote"]
    {
        assert!(acts.iter().any(|(x, _)| x == a), "{a} not audited: {acts:?}");
    }
    assert!(acts.contains(&("account.login".into(), "second_factor_ok".into())));
    assert!(acts.contains(&("account.login".into(), "second_factor_invalid".into())));
});

on_both!(api_tokens, |s: Store| async move {
    let tr = tree(&s).await;
    let a = account::create_account(
        &s,
        &security_admin(),
        &new_account("zhang.san", vec![(Role::OrgAdmin, Some(tr.a))]),
        &mlps(),
    )
    .await
    .unwrap();
    let other = account::create_account(&s, &security_admin(), &new_account("li.si", vec![]), &mlps()).await.unwrap();
    let me = account::scope_for(&s, a.account.id).await.unwrap();
    let (rec, token) = account::create_api_token(&s, &me, a.account.id, " 统计报送 ", t0()).await.unwrap();
    assert!(token.starts_with("dj_") && token.len() == 43, "{token}");
    assert!(token[3..].chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(rec.name, "统计报送");
    let (_, token2) = account::create_api_token(&s, &me, a.account.id, "第二个", t0()).await.unwrap();
    assert_ne!(token, token2);
    assert!(account::create_api_token(&s, &me, a.account.id, "  ", t0()).await.is_err());

    let (found, acc) = account::resolve_api_token(&s, &token, t0() + Duration::minutes(3)).await.unwrap().unwrap();
    assert_eq!((found.id, acc.id), (rec.id, a.account.id));
    assert_eq!(found.last_used_at, Some(t0() + Duration::minutes(3)));
    // scoped like the user
    let scope = account::scope_for(&s, acc.id).await.unwrap();
    assert!(org::get(&s, &scope, tr.a1).await.is_ok());
    assert!(org::get(&s, &scope, tr.b1).await.is_err());

    assert!(account::resolve_api_token(&s, "dj_0000000000000000000000000000000000000000", t0())
        .await
        .unwrap()
        .is_none());
    assert!(account::resolve_api_token(&s, "nonsense", t0()).await.unwrap().is_none());
    let e = account::revoke_api_token(&s, &me, other.account.id, rec.id).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "someone else's token: {e}");
    account::revoke_api_token(&s, &me, a.account.id, rec.id).await.unwrap();
    assert!(account::resolve_api_token(&s, &token, t0()).await.unwrap().is_none());
    assert!(account::resolve_api_token(&s, &token2, t0()).await.unwrap().is_some());
    assert!(matches!(account::revoke_api_token(&s, &me, a.account.id, rec.id).await, Err(StoreError::NotFound(_))));
    let listed = account::list_api_tokens(&s, a.account.id).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().any(|t| t.id == rec.id && t.revoked_at.is_some()));
    assert_trail_clean(&s, &[token, token2, PASSWORD.into()]).await;
    let acts = actions(&s).await;
    assert!(acts.contains(&("api_token.create".into(), "ok".into())));
    assert!(acts.contains(&("api_token.revoke".into(), "ok".into())));
});

on_both!(role_combinations_and_grants, |s: Store| async move {
    let tr = tree(&s).await;
    let sa = security_admin();
    let both = new_account("zhang.san", vec![(Role::SecurityAdmin, None), (Role::AuditAdmin, None)]);
    let e = account::create_account(&s, &sa, &both, &mlps()).await.unwrap_err();
    assert!(e.to_string().contains("安全管理员和审计管理员不能由同一账号兼任"), "{e}");
    let mixed = new_account("zhang.san", vec![(Role::SystemAdmin, None), (Role::OrgAdmin, Some(tr.a))]);
    let e = account::create_account(&s, &sa, &mixed, &mlps()).await.unwrap_err();
    assert!(e.to_string().contains("系统管理员不能同时担任业务角色“党组织管理员”"), "{e}");
    assert!(account::list_accounts(&s).await.unwrap().is_empty(), "nothing was created");

    let sec = account::create_account(&s, &sa, &new_account("sec.admin", vec![(Role::SecurityAdmin, None)]), &mlps())
        .await
        .unwrap();
    let id = sec.account.id;
    let e = account::grant_role(&s, &sa, id, Role::AuditAdmin, None).await.unwrap_err();
    assert!(e.to_string().contains("安全管理员和审计管理员"), "{e}");
    let e = account::grant_role(&s, &sa, id, Role::OrgAdmin, Some(tr.a)).await.unwrap_err();
    assert!(e.to_string().contains("不能同时担任业务角色"), "{e}");
    let e = account::grant_role(&s, &sa, id, Role::SystemAdmin, None).await.unwrap_err();
    assert!(e.to_string().contains("三员分立"), "{e}");

    let w = account::create_account(&s, &sa, &new_account("worker", vec![]), &mlps()).await.unwrap().account.id;
    let e = account::grant_role(&s, &sa, w, Role::OrgAdmin, None).await.unwrap_err();
    assert!(e.to_string().contains("须指定党组织"), "{e}");
    let e = account::grant_role(&s, &sa, w, Role::OrgAdmin, Some(999_999)).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound("党组织")), "{e}");
    let e = account::grant_role(&s, &sa, w, Role::AuditAdmin, Some(tr.a)).await.unwrap_err();
    assert!(e.to_string().contains("不按党组织授予"), "{e}");
    let e = account::grant_role(&s, &sa, w, Role::Member, None).await.unwrap_err();
    assert!(e.to_string().contains("关联到党员"), "{e}");
    account::grant_role(&s, &sa, w, Role::OrgAdmin, Some(tr.a)).await.unwrap();
    account::grant_role(&s, &sa, w, Role::OrgAdmin, Some(tr.b)).await.unwrap();
    account::grant_role(&s, &sa, w, Role::PartyWorker, Some(tr.a1)).await.unwrap();
    let e = account::grant_role(&s, &sa, w, Role::OrgAdmin, Some(tr.a)).await.unwrap_err();
    assert!(e.to_string().contains("已有此授权"), "{e}");
    let got = account::find_account(&s, "WORKER").await.unwrap();
    assert_eq!(got.roles(), [Role::OrgAdmin, Role::PartyWorker]);
    assert_eq!(got.roles_text(), "党组织管理员（中共甲县委）、党组织管理员（中共乙县委）、党务工作者（甲一党支部）");
    account::revoke_role(&s, &sa, w, Role::OrgAdmin, Some(tr.b)).await.unwrap();
    assert!(matches!(account::revoke_role(&s, &sa, w, Role::OrgAdmin, Some(tr.b)).await, Err(StoreError::NotFound(_))));
    assert_eq!(account::get_account_with_grants(&s, w).await.unwrap().grants.len(), 2);

    // a member account, and one member per account
    let mut m = new_account("wang.wu", vec![(Role::Member, None)]);
    m.member_id = Some(tr.member);
    account::create_account(&s, &sa, &m, &mlps()).await.unwrap();
    let mut again = new_account("wang.wu2", vec![]);
    again.member_id = Some(tr.member);
    let e = account::create_account(&s, &sa, &again, &mlps()).await.unwrap_err();
    assert!(e.to_string().contains("已有账号"), "{e}");

    assert_trail_clean(&s, &[PASSWORD.into()]).await;
    let acts = actions(&s).await;
    assert_eq!(acts.iter().filter(|(a, _)| a == "account.grant").count(), 3);
    assert_eq!(acts.iter().filter(|(a, _)| a == "account.revoke").count(), 1);
    assert_eq!(acts.iter().filter(|(a, _)| a == "account.create").count(), 3, "refused creations leave nothing");
});

on_both!(scope_for_grants, |s: Store| async move {
    let tr = tree(&s).await;
    let sa = security_admin();
    let path = |id: i64| {
        let s = s.clone();
        async move { org::get(&s, &Scope::all(), id).await.unwrap().path }
    };
    let (city, a, a1, b, b1) =
        (path(tr.city).await, path(tr.a).await, path(tr.a1).await, path(tr.b).await, path(tr.b1).await);

    let w = account::create_account(&s, &sa, &new_account("county.a", vec![(Role::OrgAdmin, Some(tr.a))]), &mlps())
        .await
        .unwrap()
        .account
        .id;
    let sc = account::scope_for(&s, w).await.unwrap();
    assert_eq!(sc.roots(), std::slice::from_ref(&a));
    assert!(sc.contains(&a1) && !sc.contains(&b1) && !sc.contains(&city));
    assert_eq!((sc.actor().name.as_str(), sc.actor().role.as_str()), ("county.a", "党组织管理员"));
    assert!(org::get(&s, &sc, tr.a1).await.is_ok());
    assert!(matches!(org::get(&s, &sc, tr.b1).await, Err(StoreError::NotFound(_))));
    assert!(matches!(org::get(&s, &sc, tr.city).await, Err(StoreError::NotFound(_))));

    account::grant_role(&s, &sa, w, Role::PartyWorker, Some(tr.b1)).await.unwrap();
    account::grant_role(&s, &sa, w, Role::PartyWorker, Some(tr.a1)).await.unwrap();
    let sc = account::scope_for(&s, w).await.unwrap();
    assert_eq!(sc.roots(), [a.clone(), b1.clone()], "the union, with 甲一 inside 甲 merged");
    assert!(!sc.contains(&b));

    let boss =
        account::create_account(&s, &sa, &new_account("zzb", vec![(Role::OrgDeptAdmin, Some(tr.city))]), &mlps())
            .await
            .unwrap()
            .account
            .id;
    let sc = account::scope_for(&s, boss).await.unwrap();
    assert!(sc.contains(&a1) && sc.contains(&b1));
    assert_eq!(sc.actor().role, "组织部管理员");

    let auditor = account::create_account(&s, &sa, &new_account("auditor", vec![(Role::AuditAdmin, None)]), &mlps())
        .await
        .unwrap()
        .account
        .id;
    let sc = account::scope_for(&s, auditor).await.unwrap();
    assert!(sc.roots().is_empty() && !sc.contains(&city));
    assert_eq!(sc.actor().role, "审计管理员");
    assert!(org::roots(&s, &sc).await.unwrap().is_empty(), "the administrator triad sees no business data");

    let mut m = new_account("wang.wu", vec![(Role::Member, None)]);
    m.member_id = Some(tr.member);
    let mid = account::create_account(&s, &sa, &m, &mlps()).await.unwrap().account.id;
    let sc = account::scope_for(&s, mid).await.unwrap();
    assert_eq!(sc.roots(), std::slice::from_ref(&a1), "a member sees their own branch");
    assert_eq!(sc.actor().role, "党员");

    let nobody = account::create_account(&s, &sa, &new_account("nobody", vec![]), &mlps()).await.unwrap().account.id;
    let sc = account::scope_for(&s, nobody).await.unwrap();
    assert!(sc.roots().is_empty());
    assert_eq!(sc.actor().role, "无角色");

    account::disable_account(&s, &sa, w).await.unwrap();
    assert!(account::scope_for(&s, w).await.unwrap().roots().is_empty(), "a disabled account sees nothing");
    assert!(matches!(account::scope_for(&s, 999_999).await, Err(StoreError::NotFound(_))));
    assert_trail_clean(&s, &[PASSWORD.into()]).await;
});

// One scenario touching every write, then: one audit record per write, in order, with the
// caller as actor, and a chain that verifies.
on_both!(every_write_is_audited, |s: Store| async move {
    let sa = security_admin();
    let start = audit::verify(&s).await.unwrap().records;
    let id = account::create_account(&s, &sa, &new_account("zhang.san", vec![]), &mlps()).await.unwrap().account.id;
    account::grant_role(&s, &sa, id, Role::SystemAdmin, None).await.unwrap();
    account::revoke_role(&s, &sa, id, Role::SystemAdmin, None).await.unwrap();
    account::set_password(&s, &sa, id, "Another-Pass-77", &mlps()).await.unwrap();
    login(&s, "zhang.san", "Another-Pass-77", t0()).await;
    let sess = account::create_session(&s, &sa, id, None, None, t0(), &SessionLimits::default(), false).await.unwrap();
    account::end_session(&s, &sa, &sess.token).await.unwrap();
    let en = account::begin_totp_enrolment(&s, &sa, id).await.unwrap();
    let secret = rules::base32_decode(&en.secret_base32).unwrap();
    let codes = account::confirm_totp(&s, &sa, id, &rules::totp(&secret, t0().timestamp()), t0()).await.unwrap();
    let (tok, token) = account::create_api_token(&s, &sa, id, "接口", t0()).await.unwrap();
    account::revoke_api_token(&s, &sa, id, tok.id).await.unwrap();
    account::end_all_sessions(&s, &sa, id).await.unwrap();
    account::disable_account(&s, &sa, id).await.unwrap();
    account::enable_account(&s, &sa, id).await.unwrap();
    let recs = audit::recent(&s, 100).await.unwrap();
    let mine: Vec<_> = recs.iter().rev().skip(start as usize).collect();
    let got: Vec<&str> = mine.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        got,
        [
            "account.create",
            "account.grant",
            "account.revoke",
            "account.password",
            "account.login",
            "session.create",
            "session.end",
            "account.totp_begin",
            "account.totp_enable",
            "api_token.create",
            "api_token.revoke",
            "session.end_all",
            "account.disable",
            "account.enable",
        ]
    );
    for r in mine.iter().filter(|r| r.action != "account.login") {
        assert_eq!(
            (r.actor.as_str(), r.role.as_str(), r.source_ip.as_deref()),
            ("安全员甲", "安全管理员", Some("10.0.0.9"))
        );
        assert!(r.target.starts_with("account:") || r.target.starts_with("api_token:"), "{}", r.target);
    }
    let login_rec = mine.iter().find(|r| r.action == "account.login").unwrap();
    assert_eq!(
        (login_rec.actor.as_str(), login_rec.source_ip.as_deref(), login_rec.result.as_str()),
        ("zhang.san", Some("10.1.2.3"), "ok")
    );
    let mut secrets =
        vec![PASSWORD.to_string(), "Another-Pass-77".into(), sess.token, sess.csrf_token, en.secret_base32, token];
    secrets.extend(codes);
    assert_trail_clean(&s, &secrets).await;
    // nor in the tables where hashes belong
    #[derive(sqlx::FromRow)]
    struct H {
        password_hash: String,
    }
    let h: H = store::testing::raw(s.read())
        .fetch_one("SELECT password_hash FROM account WHERE id = $1", &store::args![id])
        .await
        .unwrap();
    assert!(h.password_hash.starts_with("$argon2id$v=19$") && !h.password_hash.contains("Another-Pass-77"));
});

async fn login_from(s: &Store, user: &str, password: &str, ip: &str, at: DateTime<Utc>) -> LoginOutcome {
    account::verify_login(s, user, password, Some(ip), at, &LoginLimits::default()).await.unwrap()
}

fn is_ok(o: &LoginOutcome) -> bool {
    matches!(o, LoginOutcome::Ok { .. })
}

on_both!(one_address_guessing_locks_the_name_there_not_the_owner_elsewhere, |s: Store| async move {
    account::create_account(&s, &security_admin(), &new_account("zhang.san", vec![]), &mlps()).await.unwrap();
    let start = t0();
    for i in 0..4 {
        let o = login_from(&s, "zhang.san", "bad", "10.9.9.9", start + Duration::seconds(i)).await;
        assert_eq!(o, LoginOutcome::Invalid);
    }
    let o = login_from(&s, "zhang.san", "bad", "10.9.9.9", start + Duration::seconds(5)).await;
    assert!(matches!(o, LoginOutcome::Locked { .. }), "the fifth failure locks the name for that address");
    let o = login_from(&s, "zhang.san", PASSWORD, "10.9.9.9", start + Duration::seconds(6)).await;
    assert!(matches!(o, LoginOutcome::Locked { .. }), "even the right password, from there");
    // the owner, from the office
    let o = login_from(&s, "zhang.san", PASSWORD, "10.1.1.1", start + Duration::seconds(7)).await;
    assert!(is_ok(&o), "the owner is not locked out from another address: {o:?}");
    assert!(account::recent_lockouts(&s, start - Duration::days(1)).await.unwrap().is_empty(), "no event for this");
});

on_both!(a_name_guessed_from_many_addresses_is_locked_everywhere_and_shown, |s: Store| async move {
    account::create_account(&s, &security_admin(), &new_account("zhang.san", vec![]), &mlps()).await.unwrap();
    let start = t0();
    let mut n = 0;
    for a in 1..=5 {
        for _ in 0..4 {
            n += 1;
            let _ = login_from(&s, "zhang.san", "bad", &format!("10.8.0.{a}"), start + Duration::seconds(n)).await;
        }
    }
    // 20 failures from five addresses: locked everywhere, the owner's address too
    let o = login_from(&s, "zhang.san", PASSWORD, "10.1.1.1", start + Duration::seconds(30)).await;
    assert!(matches!(o, LoginOutcome::Locked { .. }), "{o:?}");
    let events = account::recent_lockouts(&s, start - Duration::days(1)).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].kind, events[0].username.as_deref()), (account::LockKind::Name, Some("zhang.san")));
    // after the window, the owner signs in
    let o = login_from(&s, "zhang.san", PASSWORD, "10.1.1.1", start + Duration::minutes(20)).await;
    assert!(is_ok(&o), "{o:?}");
});

on_both!(an_address_spraying_many_names_is_stopped_for_every_name, |s: Store| async move {
    account::create_account(&s, &security_admin(), &new_account("zhang.san", vec![]), &mlps()).await.unwrap();
    let start = t0();
    // 30 names, one guess each: no name reaches its limit, the address does
    for i in 0..30 {
        let o = login_from(&s, &format!("user{i}"), "bad", "10.7.7.7", start + Duration::seconds(i)).await;
        if i < 29 {
            assert_eq!(o, LoginOutcome::Invalid, "guess {i}");
        }
    }
    let o = login_from(&s, "zhang.san", PASSWORD, "10.7.7.7", start + Duration::seconds(40)).await;
    assert!(matches!(o, LoginOutcome::Locked { .. }), "the address is stopped for every name: {o:?}");
    let o = login_from(&s, "zhang.san", PASSWORD, "10.1.1.1", start + Duration::seconds(41)).await;
    assert!(is_ok(&o), "other addresses are not: {o:?}");
    let events = account::recent_lockouts(&s, start - Duration::days(1)).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].kind, events[0].ip.as_deref()), (account::LockKind::Address, Some("10.7.7.7")));
});
