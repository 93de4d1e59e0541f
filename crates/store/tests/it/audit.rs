//! The audit trail on both backends: every write is recorded with its actor, personal data is
//! redacted, the hash chain verifies, and tampering (an edited, deleted or truncated record) is found.

use chrono::NaiveDate;
use domain::member::{Category, MemberInput};
use domain::org::{OrgInput, OrgKind, Sector};
use store::testing::TestDb;
use store::{audit, member, org, Actor, Scope};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn scope() -> Scope {
    let mut a = Actor::new("张管理", "组织部管理员");
    a.source_ip = Some("10.0.0.8".into());
    Scope::all().acting_as(a)
}

async fn some_writes(s: &store::Store) {
    let sc = scope();
    let today = d("2026-11-21");
    let mk =
        |n: &str, k| OrgInput { name: n.into(), kind: Some(k), sector: Some(Sector::Organs), ..Default::default() };
    let root = org::create(s, &sc, None, &mk("根党委", OrgKind::Committee), today).await.unwrap();
    let a = org::create(s, &sc, Some(root.id), &mk("甲支部", OrgKind::Branch), today).await.unwrap();
    let b = org::create(s, &sc, Some(root.id), &mk("乙党总支", OrgKind::GeneralBranch), today).await.unwrap();
    let mi = MemberInput {
        name: "王五".into(),
        id_number: "11010519491231002X".into(),
        category: Some(Category::Full),
        join_date: Some(d("1975-07-01")),
        phone: Some("13812345678".into()),
        ..Default::default()
    };
    let m = member::create(s, &sc, a.id, &mi, today).await.unwrap();
    let mut edit = mi.clone();
    edit.phone = Some("13987654321".into());
    edit.work_unit = Some("某局".into());
    member::update(s, &sc, m.id, None, &edit, today).await.unwrap();
    org::move_subtree(s, &sc, a.id, b.id).await.unwrap();
    let empty = org::create(s, &sc, Some(root.id), &mk("丙支部", OrgKind::Branch), today).await.unwrap();
    org::dissolve(s, &sc, empty.id, today).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_are_recorded_and_the_chain_verifies() {
    for db in TestDb::both().await {
        let s = &db.store;
        some_writes(s).await;
        let recs = audit::recent(s, 100).await.unwrap();
        let actions: Vec<&str> = recs.iter().rev().map(|r| r.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "org.create",
                "org.create",
                "org.create",
                "member.create",
                "member.update",
                "org.move",
                "org.create",
                "org.dissolve"
            ]
        );
        for r in &recs {
            assert_eq!(
                (r.actor.as_str(), r.role.as_str(), r.source_ip.as_deref()),
                ("张管理", "组织部管理员", Some("10.0.0.8"))
            );
            assert!(r.at.ends_with("+08:00"), "time with offset: {}", r.at);
            for secret in ["11010519491231002X", "13812345678", "13987654321"] {
                assert!(!r.detail.contains(secret), "personal data in the trail: {}", r.detail);
            }
        }
        let upd = recs.iter().find(|r| r.action == "member.update").unwrap();
        assert!(
            upd.detail.contains("work_unit") && upd.detail.contains("某局") && upd.detail.contains("phone"),
            "{}",
            upd.detail
        );
        assert!(!upd.detail.contains("\"name\""), "unchanged fields are not listed: {}", upd.detail);
        let v = audit::verify(s).await.unwrap();
        assert!(v.ok(), "{:?}", v.problems);
        assert_eq!(v.records, 8);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_is_found() {
    for db in TestDb::both().await {
        let s = &db.store;
        some_writes(s).await;
        let mut tx = s.begin().await.unwrap();
        store::testing::raw(tx.x()).execute("UPDATE audit_log SET actor = '别人' WHERE seq = 3", &[]).await.unwrap();
        tx.commit().await.unwrap();
        let v = audit::verify(s).await.unwrap();
        assert_eq!(v.problems.len(), 1, "{:?}", v.problems);
        assert!(v.problems[0].contains("第 3 条") && v.problems[0].contains("修改"), "{:?}", v.problems);

        let mut tx = s.begin().await.unwrap();
        store::testing::raw(tx.x()).execute("DELETE FROM audit_log WHERE seq = 5", &[]).await.unwrap();
        tx.commit().await.unwrap();
        let v = audit::verify(s).await.unwrap();
        assert!(v.problems.iter().any(|p| p.contains("第 5 至 5 条记录缺失")), "{:?}", v.problems);

        let mut tx = s.begin().await.unwrap();
        store::testing::raw(tx.x()).execute("DELETE FROM audit_log WHERE seq = 8", &[]).await.unwrap();
        tx.commit().await.unwrap();
        let v = audit::verify(s).await.unwrap();
        assert!(v.problems.iter().any(|p| p.contains("末尾记录被删除")), "{:?}", v.problems);
        db.finish().await;
    }
}

/// Concurrent writers still produce one unbroken chain (PostgreSQL serialises on the head row).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_keep_one_chain() {
    for db in TestDb::both().await {
        let s = db.store.clone();
        let root = org::create(
            &s,
            &scope(),
            None,
            &OrgInput {
                name: "根".into(),
                kind: Some(OrgKind::Committee),
                sector: Some(Sector::Organs),
                ..Default::default()
            },
            d("2026-11-21"),
        )
        .await
        .unwrap();
        let mut hs = vec![];
        for w in 0..4 {
            let s = s.clone();
            hs.push(tokio::spawn(async move {
                for k in 0..15 {
                    let input = OrgInput {
                        name: format!("支部{w}-{k}"),
                        kind: Some(OrgKind::Branch),
                        sector: Some(Sector::Organs),
                        ..Default::default()
                    };
                    org::create(&s, &scope(), Some(root.id), &input, d("2026-11-21")).await.unwrap();
                }
            }));
        }
        for h in hs {
            h.await.unwrap();
        }
        let v = audit::verify(&s).await.unwrap();
        assert!(v.ok(), "{:?}", v.problems);
        assert_eq!(v.records, 61);
        db.finish().await;
    }
}

/// The attacker's SQL: whoever can write the database (the file, or the owner's role).
async fn attack(s: &store::Store, sql: &str, args: &[store::Val]) {
    let mut tx = s.begin().await.unwrap();
    store::testing::raw(tx.x()).execute(sql, args).await.unwrap();
    tx.commit().await.unwrap();
}

fn written(c: Result<audit::Checkpoint, audit::Verification>) -> audit::Checkpoint {
    c.unwrap_or_else(|v| panic!("the chain verifies before the attack: {:?}", v.problems))
}

/// Cutting off the last records and moving the head back leaves a chain that hangs together; the
/// signed checkpoint outside the database still remembers how far it reached.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_tail_is_named_by_the_checkpoint() {
    for db in TestDb::both().await {
        let s = &db.store;
        some_writes(s).await;
        let c = written(audit::checkpoint(s).await.unwrap());
        assert_eq!(c.seq, 8);
        attack(s, "DELETE FROM audit_log WHERE seq > 5", &[]).await;
        attack(s, "UPDATE audit_head SET seq = 5, hash = (SELECT hash FROM audit_log WHERE seq = 5) WHERE id = 1", &[])
            .await;
        let v = audit::verify(s).await.unwrap();
        // line 1 is the first checkpoint, written when the key was adopted; line 2 the one above
        assert_eq!(v.findings, [audit::Finding::Missing { from: 6, to: 8, checkpoint: Some(2) }], "{:?}", v.problems);
        assert_eq!(v.problems, ["第 6–8 条审计记录缺失（检查点 2 记录到第 8 条）"]);
        // and the damaged chain is not signed
        let refused = audit::checkpoint(s).await.unwrap().unwrap_err();
        assert!(!refused.ok());
        db.finish().await;
    }
}

/// The old attack: edit a record, recompute every later plain SHA-256 hash and the head. Without
/// the key the recomputed hashes cannot be keyed ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rewritten_chain_fails_the_keyed_hash() {
    for db in TestDb::both().await {
        let s = &db.store;
        some_writes(s).await;
        attack(s, "UPDATE audit_log SET actor = '别人' WHERE seq = 3", &[]).await;
        let mut rows = audit::recent(s, 100).await.unwrap();
        rows.reverse();
        let mut prev = rows[1].hash.clone();
        for r in rows.iter_mut().skip(2) {
            r.prev_hash = prev;
            r.hash = r.plain_hash();
            prev = r.hash.clone();
            attack(
                s,
                "UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3",
                &store::args![r.prev_hash.clone(), r.hash.clone(), r.seq],
            )
            .await;
        }
        attack(s, "UPDATE audit_head SET hash = $1 WHERE id = 1", &store::args![prev]).await;
        let v = audit::verify(s).await.unwrap();
        assert!(
            matches!(
                &v.findings[..],
                [
                    audit::Finding::Altered { seq: 3, recomputed_plain: true, .. },
                    audit::Finding::MoreAltered { count: 5, from: 4, to: 8 },
                ]
            ),
            "{:?}",
            v.problems
        );
        assert!(v.problems[0].starts_with("第 3 条记录的内容被修改") && v.problems[0].contains("不带密钥重算"));
        db.finish().await;
    }
}

/// Deleting the head is a named finding, not a database error; appending is refused by name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_head_is_named() {
    for db in TestDb::both().await {
        let s = &db.store;
        some_writes(s).await;
        attack(s, "DELETE FROM audit_head", &[]).await;
        let v = audit::verify(s).await.unwrap();
        assert_eq!(v.findings, [audit::Finding::HeadMissing], "{:?}", v.problems);
        assert!(v.problems[0].contains("链头（audit_head）缺失"));
        let e = audit::record_now(s, &scope(), "test.after", "x", "ok", serde_json::json!({})).await.unwrap_err();
        assert!(e.to_string().contains("audit_head"), "{e}");
        assert_eq!(audit::head(s).await.unwrap().records, 8, "the status page still counts the records");
        db.finish().await;
    }
}

/// A checkpoint line written without the key (or edited) is named; it does not count as a
/// checkpoint, so it cannot make a shorter chain look truncated either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_checkpoint_is_named() {
    for db in TestDb::both().await {
        let s = &db.store;
        some_writes(s).await;
        let c = written(audit::checkpoint(s).await.unwrap());
        let file = db.audit_setup().checkpoints;
        let forged = audit::Checkpoint { seq: 100, ..c.clone() };
        let other = store::audit::Key::from_bytes([9; 32]);
        let mut text = std::fs::read_to_string(&file).unwrap();
        text.push_str(&serde_json::to_string(&forged).unwrap());
        text.push('\n');
        text.push_str("not a checkpoint\n");
        std::fs::write(&file, text).unwrap();
        let v = audit::verify(s).await.unwrap();
        assert!(
            matches!(
                &v.findings[..],
                [
                    audit::Finding::CheckpointForged { line: 3, seq: 100 },
                    audit::Finding::CheckpointUnreadable { line: 4, .. },
                ]
            ),
            "{:?}",
            v.problems
        );
        assert!(v.problems[0].contains("检查点 3 的签名不符"), "{:?}", v.problems);
        assert_eq!(v.checkpoints, 2);
        // a store with another key is refused at the door rather than appending a second chain
        let plain = db.open_plain().await;
        let e = audit::attach(plain, audit::Setup { key: other, checkpoints: file.clone() }).await.unwrap_err();
        assert!(e.to_string().contains("审计密钥与数据库不符"), "{e}");
        db.finish().await;
    }
}

/// A database written before it had a key: the old records keep their plain hashes and verify as
/// before; records from the switch-over on are keyed; the first checkpoint pins the old part.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_before_the_key_keep_their_plain_hashes() {
    for db in TestDb::both().await {
        let plain = db.open_plain().await;
        attack(&plain, "DELETE FROM audit_key", &[]).await;
        std::fs::remove_file(db.audit_setup().checkpoints).unwrap();
        let mut prev = audit::GENESIS.to_string();
        for seq in 1..=3i64 {
            let mut r = audit::Record {
                seq,
                at: format!("2026-01-0{seq}T09:00:00.000000+08:00"),
                actor: "cli:old".into(),
                role: "系统操作员".into(),
                scope: "全部".into(),
                source_ip: None,
                action: "org.create".into(),
                target: format!("org:{seq}"),
                result: "ok".into(),
                detail: "{}".into(),
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            r.hash = r.plain_hash();
            prev = r.hash.clone();
            attack(
                &plain,
                "INSERT INTO audit_log (seq, at, actor, role, scope, source_ip, action, target, result, detail, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8, $9, $10, $11)",
                &store::args![r.seq, r.at, r.actor, r.role, r.scope, r.action, r.target, r.result, r.detail, r.prev_hash, r.hash],
            )
            .await;
        }
        // without a key nothing is appended
        let e = audit::record_now(&plain, &scope(), "test.plain", "x", "ok", serde_json::json!({})).await.unwrap_err();
        assert!(e.to_string().contains("未配置审计密钥"), "{e}");
        let (s, adoption) = audit::attach(plain, db.audit_setup()).await.unwrap();
        assert_eq!((adoption.from_seq, adoption.newly), (4, true));
        some_writes(&s).await;
        let v = audit::verify(&s).await.unwrap();
        assert!(v.ok(), "{:?}", v.problems);
        assert_eq!((v.records, v.keyed_from, v.checkpoints), (11, Some(4), 1));
        let recs = audit::recent(&s, 100).await.unwrap();
        let key = store::testing::test_key();
        for r in &recs {
            let expect = if r.seq < 4 { r.plain_hash() } else { r.keyed_hash(&key) };
            assert_eq!(r.hash, expect, "record {}", r.seq);
        }
        // moving the switch-over point is found by its tag and by the checkpoints
        attack(&s, "UPDATE audit_key SET from_seq = 5", &[]).await;
        let v = audit::verify(&s).await.unwrap();
        assert!(v.findings.contains(&audit::Finding::MarkerForged { from: 5 }), "{:?}", v.problems);
        assert!(
            v.findings.contains(&audit::Finding::KeyFromMoved { line: 1, checkpoint_from: 4, db_from: 5 }),
            "{:?}",
            v.problems
        );
        // a store without the key says so instead of failing
        let v = audit::verify(&db.open_plain().await).await.unwrap();
        assert!(v.findings.iter().any(|f| matches!(f, audit::Finding::NoKey { .. })), "{:?}", v.problems);
        s.close().await;
        db.finish().await;
    }
}
