//! The `dangjian` binary end to end, on a temporary SQLite file.

use std::process::{Command, Output};

fn dj(db: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dangjian"))
        .arg("--db")
        .arg(db)
        .arg("--quiet")
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("DANGJIAN_AUDIT_KEY")
        .env_remove("DANGJIAN_AUDIT_KEY_FILE")
        .env_remove("DANGJIAN_AUDIT_CHECKPOINT_DIR")
        .output()
        .expect("run dangjian")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn help_is_bilingual() {
    let o = Command::new(env!("CARGO_BIN_EXE_dangjian")).arg("--help").output().unwrap();
    let t = text(&o);
    assert!(t.contains("基层党建工作平台") && t.contains("party-building platform"), "{t}");
    let o = Command::new(env!("CARGO_BIN_EXE_dangjian")).args(["org", "add", "--help"]).output().unwrap();
    let t = text(&o);
    assert!(t.contains("组织类别") && t.contains("kind"), "{t}");
}

#[test]
fn org_and_member_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let o = dj(&db, &["migrate"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("foundation"));

    let o = dj(&db, &["org", "add", "--name", "中共测试县委", "--kind", "县委", "--region", "520328"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = dj(
        &db,
        &[
            "org",
            "add",
            "--parent",
            "1",
            "--name",
            "测试村党支部",
            "--kind",
            "党支部",
            "--sector",
            "农村",
            "--term-start",
            "2024-03-01",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    // bad region code: the message names the field
    let o = dj(&db, &["org", "add", "--parent", "1", "--name", "错误支部", "--kind", "党支部", "--region", "999999"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("行政区划代码"), "{}", text(&o));

    // a member with a wrong check digit is refused, naming the field
    let o = dj(
        &db,
        &[
            "member",
            "add",
            "--org",
            "2",
            "--name",
            "张三",
            "--id-number",
            "110101202311012171",
            "--join-date",
            "2045-01-01",
        ],
    );
    assert!(!o.status.success());
    let t = text(&o);
    assert!(t.contains("公民身份号码") && t.contains("校验码"), "{t}");
    assert!(!t.contains("110101202311012171"), "the ID number is not echoed back: {t}");

    let o = dj(
        &db,
        &[
            "member",
            "add",
            "--org",
            "2",
            "--name",
            "李四",
            "--id-number",
            "11010519491231002x",
            "--join-date",
            "1975年7月1日",
            "--full-date",
            "1976.07.01",
            "--phone",
            "13812345678",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("110105********002X"), "masked in output: {t}");

    let o = dj(&db, &["member", "list"]);
    let t = text(&o);
    assert!(t.contains("李四") && t.contains("110105********002X") && t.contains("138****5678"), "{t}");
    assert!(!t.contains("11010519491231002X") && !t.contains("13812345678"), "{t}");

    let o = dj(&db, &["member", "show", "1", "--unmask"]);
    assert!(text(&o).contains("11010519491231002X"));

    // the branch has fewer than 3 full members: ORG-01 in the check output
    let o = dj(&db, &["check", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().any(|f| f["rule_id"] == "ORG-01"), "{v}");

    let o = dj(&db, &["org", "tree"]);
    assert!(text(&o).contains("测试村党支部"));
    let o = dj(&db, &["stats", "verify"]);
    assert!(o.status.success(), "{}", text(&o));

    let backup = dir.path().join("backup.db");
    let o = dj(&db, &["backup", backup.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    // the backup is the database without its audit key: it opens with the original key file
    let key = dir.path().join("t.db.audit-key");
    let o = dj(&backup, &["--audit-key-file", key.to_str().unwrap(), "member", "list"]);
    assert!(text(&o).contains("李四"), "the backup holds the data: {}", text(&o));

    // every write above is in the audit trail, as the operator who ran the command
    let o = dj(&db, &["audit", "list", "--limit", "50"]);
    let t = text(&o);
    assert!(t.contains("member.create") && t.contains("org.create") && t.contains("cli:"), "{t}");
    assert!(t.contains("member.read_personal"), "the unmasked read is recorded: {t}");
    assert!(!t.contains("11010519491231002X"), "{t}");
    let o = dj(&db, &["audit", "verify"]);
    assert!(o.status.success() && text(&o).contains("校验通过"), "{}", text(&o));
}

#[test]
fn user_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("u.db");
    assert!(dj(&db, &["org", "add", "--name", "中共测试县委", "--kind", "县委"]).status.success());
    // a generated initial password is printed once
    let o = dj(&db, &["user", "add", "xianadmin", "--name", "县管理员", "--role", "党组织管理员", "--org", "1"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("初始密码") || text(&o).contains("密码"), "{}", text(&o));
    // 三员分立: security and audit administrators cannot be one account
    let o = dj(&db, &["user", "add", "both", "--name", "两个角色", "--role", "安全管理员", "--role", "审计管理员"]);
    assert!(!o.status.success());
    let o = dj(&db, &["user", "list"]);
    let t = text(&o);
    assert!(t.contains("xianadmin") && t.contains("党组织管理员") && !t.contains("both"), "{t}");
    let o = dj(&db, &["user", "disable", "xianadmin"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = dj(&db, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
}

/// The audit key is created beside the database on first start (readable by its owner only, and
/// said on the terminal); checkpoints are written and verified; another key is refused; a cut-off
/// tail is named through the checkpoint.
#[test]
fn audit_key_and_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let o = dj(&db, &["migrate"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("已创建审计密钥文件") && text(&o).contains("分开备份"), "{}", text(&o));
    let key = dir.path().join("a.db.audit-key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let o = dj(&db, &["org", "add", "--name", "中共测试县委", "--kind", "县委", "--region", "520328"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(!text(&o).contains("已创建审计密钥文件"), "created once: {}", text(&o));
    let o = dj(&db, &["audit", "checkpoint"]);
    assert!(o.status.success() && text(&o).contains("已写入检查点：第 1 条"), "{}", text(&o));
    let o = dj(&db, &["audit", "verify"]);
    assert!(o.status.success() && text(&o).contains("2 个检查点"), "{}", text(&o));

    let o = Command::new(env!("CARGO_BIN_EXE_dangjian"))
        .args(["--quiet", "--db"])
        .arg(&db)
        .args(["audit", "verify"])
        .env("DANGJIAN_AUDIT_KEY", "ab".repeat(32))
        .output()
        .unwrap();
    assert!(!o.status.success() && text(&o).contains("审计密钥与数据库不符"), "{}", text(&o));

    // cut off the last record and move the head back, as someone holding the file could
    let c = cut_off_the_last_record(&db);
    assert!(c, "the file was edited");
    let o = dj(&db, &["audit", "verify"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("第 1 条审计记录缺失（检查点 2 记录到第 1 条）"), "{}", text(&o));
}

/// Delete the last audit record and move the head back, as someone holding the file could.
fn cut_off_the_last_record(db: &std::path::Path) -> bool {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = store::Store::open(db.to_str().unwrap()).await.unwrap();
        let mut tx = s.begin().await.unwrap();
        for sql in [
            "DELETE FROM audit_log WHERE seq = 1",
            "UPDATE audit_head SET seq = 0, hash = '0000000000000000000000000000000000000000000000000000000000000000'",
        ] {
            store::testing::raw(tx.x()).execute(sql, &[]).await.unwrap();
        }
        tx.commit().await.unwrap();
        s.close().await;
        true
    })
}
