//! The benchmark's generator writes valid, unique rows; the baseline inserts them all.

use crate::common;

use common::*;
use exchange::bench::{raw_insert_baseline, write_members_csv_for_bench};
use exchange::{import_file, ImportOptions};
use store::{org, Scope, Store};

on_both!(generated_rows_import_cleanly_and_the_baseline_inserts_them, |s: Store| async move {
    let t = tree(&s).await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bench.csv");
    write_members_csv_for_bench(&p, 3000, "中共测试县委/中共甲镇委员会/甲村党支部", 7).unwrap();
    let progress = count_progress();
    let r = import_file(&s, &Scope::all(), &p, &ImportOptions { dry_run: true, ..opts() }, &progress).await.unwrap();
    assert_eq!((r.rows, r.ok, r.bad, r.inserted), (3000, 3000, 0, 3000), "{:?}", &r.errors[..r.errors.len().min(5)]);
    assert_eq!(progress.done.load(std::sync::atomic::Ordering::SeqCst), 3000);
    assert_eq!(member_count(&s).await, 0);

    let branch = org::get(&s, &Scope::all(), t.branch).await.unwrap();
    let n = raw_insert_baseline(&s, &p, branch.id, &branch.path).await.unwrap();
    assert_eq!(n, 3000);
    assert_eq!(member_count(&s).await, 3000);
});

#[test]
fn generator_is_deterministic_and_unique() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    write_members_csv_for_bench(&a, 20_000, "某党支部", 1).unwrap();
    write_members_csv_for_bench(&b, 20_000, "某党支部", 1).unwrap();
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(text, std::fs::read_to_string(&b).unwrap());
    let ids: std::collections::HashSet<&str> = text.lines().skip(1).filter_map(|l| l.split(',').nth(1)).collect();
    assert_eq!(ids.len(), 20_000);
}

/// The import benchmark at full size (1,000,000 rows by default; `DANGJIAN_BENCH_ROWS` to change),
/// on SQLite, or on PostgreSQL with `DANGJIAN_BENCH_BACKEND=postgres`:
/// `cargo test -p exchange --release --test bench_helpers -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: a million rows"]
async fn million_row_import() {
    let n: u64 = std::env::var("DANGJIAN_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let pg = std::env::var("DANGJIAN_BENCH_BACKEND").is_ok_and(|b| b.starts_with("postgres"));
    let fresh = || async move {
        if pg {
            store::testing::TestDb::postgres().await
        } else {
            store::testing::TestDb::sqlite().await
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bench.csv");
    let t0 = std::time::Instant::now();
    write_members_csv_for_bench(&p, n, "中共测试县委/中共甲镇委员会/甲村党支部", 42).unwrap();
    println!("generated {n} rows in {:?} ({} MB)", t0.elapsed(), std::fs::metadata(&p).unwrap().len() >> 20);
    println!("peak memory before importing: {}", peak_memory());
    let a = fresh().await;
    tree(&a.store).await;
    let t0 = std::time::Instant::now();
    let r = import_file(&a.store, &Scope::all(), &p, &opts(), &store::NoProgress).await.unwrap();
    println!(
        "{} import: {:?}: {} (peak memory so far: {})",
        a.store.backend().name(),
        t0.elapsed(),
        r.summary(),
        peak_memory()
    );
    assert_eq!((r.ok, r.bad), (n, 0));
    a.finish().await;
    let b = fresh().await;
    let t = tree(&b.store).await;
    let branch = org::get(&b.store, &Scope::all(), t.branch).await.unwrap();
    let t0 = std::time::Instant::now();
    let inserted = raw_insert_baseline(&b.store, &p, branch.id, &branch.path).await.unwrap();
    println!(
        "{} baseline: {:?}: {inserted} rows (peak memory so far: {})",
        b.store.backend().name(),
        t0.elapsed(),
        peak_memory()
    );
    b.finish().await;
}

/// The process's peak resident memory (Linux), for the benchmark's report.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l["VmHWM:".len()..].trim().to_string()))
        .unwrap_or_else(|| "?".into())
}
