//! Shared helpers of the exchange tests: a small organization tree, members, files.
#![allow(dead_code)]

use std::path::Path;

use chrono::NaiveDate;
use domain::member::{Category, MemberInput};
use domain::org::{OrgInput, OrgKind, Sector};
use exchange::ImportOptions;
use store::{member, org, Scope, Store};

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub fn today() -> NaiveDate {
    d("2026-11-21")
}

pub fn opts() -> ImportOptions {
    ImportOptions::new(today())
}

/// A valid ID number, distinct per `seq` (born 1980 + seq days).
pub fn id(seq: u32) -> String {
    domain::idcard::compose("520328", d("1980-01-01") + chrono::Duration::days(seq as i64), seq)
}

/// Run a test body on a fresh SQLite database, then on a fresh PostgreSQL database.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for db in store::testing::TestDb::both().await {
                let f = $body;
                f(db.store.clone()).await;
                db.finish().await;
            }
        }
    };
}

pub struct Tree {
    pub county: i64,
    pub town: i64,
    pub branch: i64,
    pub branch2: i64,
    pub town2: i64,
    /// A second 甲村党支部, under 中共乙镇委员会.
    pub twin: i64,
}

pub fn org_input(name: &str, kind: OrgKind) -> OrgInput {
    OrgInput { name: name.into(), kind: Some(kind), sector: Some(Sector::Rural), ..Default::default() }
}

/// 中共测试县委 / {中共甲镇委员会 / {甲村党支部, 乙村党支部}, 中共乙镇委员会 / 甲村党支部}
pub async fn tree(s: &Store) -> Tree {
    let all = Scope::all();
    let t = today();
    let county = org::create(s, &all, None, &org_input("中共测试县委", OrgKind::LocalCommittee), t).await.unwrap();
    let town =
        org::create(s, &all, Some(county.id), &org_input("中共甲镇委员会", OrgKind::Committee), t).await.unwrap();
    let branch = org::create(s, &all, Some(town.id), &org_input("甲村党支部", OrgKind::Branch), t).await.unwrap();
    let branch2 = org::create(s, &all, Some(town.id), &org_input("乙村党支部", OrgKind::Branch), t).await.unwrap();
    let town2 =
        org::create(s, &all, Some(county.id), &org_input("中共乙镇委员会", OrgKind::Committee), t).await.unwrap();
    let twin = org::create(s, &all, Some(town2.id), &org_input("甲村党支部", OrgKind::Branch), t).await.unwrap();
    Tree { county: county.id, town: town.id, branch: branch.id, branch2: branch2.id, town2: town2.id, twin: twin.id }
}

pub fn member_input(name: &str, seq: u32) -> MemberInput {
    MemberInput {
        name: name.into(),
        id_number: id(seq),
        category: Some(Category::Full),
        join_date: Some(d("2010-07-01")),
        full_date: Some(d("2011-07-01")),
        ..Default::default()
    }
}

/// All members (any status) of the subtree at `org_id`.
pub async fn members(s: &Store, org_id: i64) -> Vec<domain::member::Member> {
    let mut out = Vec::new();
    member::for_each_chunk(s, &Scope::all(), org_id, 1000, |c| {
        out.extend(c);
        Ok(())
    })
    .await
    .unwrap();
    out
}

pub async fn member_count(s: &Store) -> i64 {
    store::testing::raw(s.read()).scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM member", &[]).await.unwrap()
}

/// Write a UTF-8 CSV (no BOM) from lines.
pub fn write_lines(path: &Path, lines: &[String]) {
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

pub const HEAD: &str = "姓名,公民身份号码,人员类别,入党日期,转正日期,所在党组织,工作单位,联系电话,党籍状态,状态日期";

/// A member line for [`HEAD`].
pub fn line(name: &str, id: &str, join: &str, org: &str) -> String {
    format!("{name},{id},正式党员,{join},2011-07-01,{org},,,,")
}

pub fn count_progress() -> CountProgress {
    CountProgress::default()
}

/// A progress that records what it is told.
#[derive(Default)]
pub struct CountProgress {
    pub done: std::sync::atomic::AtomicU64,
    pub started: std::sync::Mutex<Vec<(String, Option<u64>)>>,
}

impl store::Progress for CountProgress {
    fn start(&self, phase: &str, len: Option<u64>) {
        self.started.lock().unwrap().push((phase.to_string(), len));
    }
    fn inc(&self, n: u64) {
        self.done.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
    }
}
