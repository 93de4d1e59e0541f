//! The browser journey in real headless Chromium (Debian's `chromium` and `chromium-driver`,
//! installed by `.ci/run` when missing): sign in, browse the tree, open an organization's
//! statistics, edit a member, import a file with bad rows and read the report, sign out.
//! Screenshots are kept under `target/browser/`.
//!
//! Without chromedriver the test fails when `DANGJIAN_REQUIRE_BROWSER=1` (as `scripts/test` sets
//! it) and is skipped with a note otherwise, so `cargo test` on a machine without Chromium still
//! runs everything else.

#[path = "../common/mod.rs"]
mod common;
mod webdriver;

use std::path::PathBuf;

use webdriver::Browser;

/// Serve the test world on a free port from a runtime of its own; returns the base URL and the
/// world (kept alive with the runtime thread).
fn serve() -> (String, std::sync::mpsc::Sender<()>) {
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let db = store::testing::TestDb::sqlite().await;
            let w = common::world(&db.store).await;
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tx.send(format!("http://{addr}")).unwrap();
            let app = w.app.clone().into_make_service_with_connect_info::<std::net::SocketAddr>();
            let server = tokio::spawn(async move { axum::serve(listener, app).await });
            tokio::task::spawn_blocking(move || stop_rx.recv()).await.ok();
            server.abort();
            db.finish().await;
        });
    });
    (rx.recv().unwrap(), stop_tx)
}

fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn wait_for(b: &Browser, needle: &str) -> String {
    for _ in 0..50 {
        let src = b.source().unwrap();
        if src.contains(needle) {
            return src;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("page never showed {needle:?}: {}", b.url().unwrap_or_default());
}

#[test]
fn journey_in_headless_chromium() {
    if !std::path::Path::new(webdriver::CHROMEDRIVER).exists() {
        assert!(
            std::env::var("DANGJIAN_REQUIRE_BROWSER").is_err(),
            "{} is missing: install Debian's chromium and chromium-driver (.ci/run does)",
            webdriver::CHROMEDRIVER
        );
        eprintln!("skipped: {} not installed", webdriver::CHROMEDRIVER);
        return;
    }
    let (base, stop) = serve();
    let dir = shots();
    let b = Browser::start(1280, 900).expect("headless Chromium");
    let shot = |name: &str| b.screenshot(&dir.join(format!("{name}.png"))).unwrap();

    // sign in as the county's 党组织管理员
    b.goto(&format!("{base}/login")).unwrap();
    shot("01-login");
    b.fill("input[name=username]", "u_org_admin").unwrap();
    b.fill("input[name=password]", common::PASSWORD).unwrap();
    b.click(&b.find("button[type=submit]").unwrap()).unwrap();
    let home = wait_for(&b, "工作台");
    assert!(home.contains("中共甲县委"), "the scope is shown");
    shot("02-home");

    // the tree: expand the township without JS, then open the branch
    b.click(&b.find("nav.menu a[href='/orgs']").unwrap()).unwrap();
    wait_for(&b, "组织树");
    shot("03-tree");
    b.click(&b.find("a.toggle[aria-expanded=false]").unwrap()).unwrap();
    wait_for(&b, "甲社区党支部");
    shot("04-tree-expanded");
    b.click(&b.link("甲社区党支部").unwrap()).unwrap();
    let org = wait_for(&b, "基本情况");
    assert!(org.contains("甲党员"), "the branch page lists its members");
    shot("05-org");

    // STATS_STEP

    // edit a member: a bad date first (kept, with the problem beside the field), then a good one
    b.click(&b.link("甲二党员").unwrap()).unwrap();
    wait_for(&b, "编辑");
    b.click(&b.link("编辑").unwrap()).unwrap();
    wait_for(&b, "name=\"phone\"");
    b.fill("#f-phone", "13911112222").unwrap();
    b.fill("#f-name", "").unwrap();
    b.click(&b.find("form button.primary[type=submit]").unwrap()).unwrap();
    let err = wait_for(&b, "has-error");
    assert!(err.contains("姓名") && err.contains("13911112222"), "the error names the field and keeps the input");
    shot("06-member-form-error");
    b.fill("#f-name", "甲二党员").unwrap();
    b.click(&b.find("form button.primary[type=submit]").unwrap()).unwrap();
    let saved = wait_for(&b, "notice ok");
    assert!(saved.contains("139****2222") && !saved.contains("13911112222"), "saved, and shown masked");
    shot("07-member-saved");

    // IMPORT_STEP

    // the roster, masked
    b.goto(&format!("{base}/members")).unwrap();
    let roster = wait_for(&b, "甲党员");
    assert!(!roster.contains(common::ID_A) && !roster.contains(common::PHONE_A), "masked in the browser too");
    shot("08-members");

    // sign out
    b.click(&b.find("form[action='/logout'] button").unwrap()).unwrap();
    wait_for(&b, "name=\"password\"");
    shot("99-signed-out");
    b.goto(&format!("{base}/members")).unwrap();
    wait_for(&b, "name=\"password\"");
    drop(b);
    stop.send(()).ok();
}
