//! The browser journey in real headless Chromium (Debian's `chromium` and `chromium-driver`,
//! installed by `.ci/run` when missing): sign in, browse the tree, open an organization's
//! statistics, edit a member, import a file with bad rows and read the report, sign out; and
//! organization life: record a meeting and see its finding disappear from the compliance card,
//! then print the card (A4 landscape, at desktop and phone width); the rules page at phone width,
//! in Chinese labels; pick an organization with the picker's type-ahead and find a member from
//! the top bar.
//! Screenshots are kept under `target/browser/`.
//!
//! Without chromedriver the test fails when `DANGJIAN_REQUIRE_BROWSER=1` (as `scripts/test` sets
//! it) and is skipped with a note otherwise, so `cargo test` on a machine without Chromium still
//! runs everything else.

use crate::common;
mod webdriver;

use std::path::PathBuf;

use webdriver::Browser;

/// What a journey needs besides the test world.
#[derive(Clone, Copy, PartialEq)]
enum Extra {
    None,
    /// A campaign of county A with a draft dispatch round (its id).
    Campaign,
    /// A satisfaction survey of county A with one resident answer code (the code).
    Survey,
}

/// Serve the test world on a free port from a runtime of its own; returns the base URL, the
/// sender that stops it, 甲社区党支部's id and the session token of the county's 组织部管理员
/// (whose sign-in asks for a second factor a browser cannot give here).
fn serve() -> (String, std::sync::mpsc::Sender<()>, i64, String) {
    let (base, stop, branch_a, dept, _) = serve_inner(Extra::None);
    (base, stop, branch_a, dept)
}

/// [`serve`] with a campaign of county A (its standard set, a value reported and accepted) and a
/// draft dispatch round of it, whose id comes last.
fn serve_campaign() -> (String, std::sync::mpsc::Sender<()>, String, i64) {
    let (base, stop, _, dept, round) = serve_inner(Extra::Campaign);
    (base, stop, dept, round.parse().unwrap())
}

fn serve_inner(extra: Extra) -> (String, std::sync::mpsc::Sender<()>, i64, String, String) {
    let (tx, rx) = std::sync::mpsc::channel::<(String, i64, String, String)>();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let db = store::testing::TestDb::sqlite().await;
            let w = common::world(&db.store).await;
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let dept = w.logins[&domain::account::Role::OrgDeptAdmin].cookie.clone();
            let token = dept.strip_prefix("dj_session=").unwrap_or(&dept).to_string();
            let extra = match extra {
                Extra::None => String::new(),
                Extra::Campaign => draft_round(&w).await.to_string(),
                Extra::Survey => resident_code(&w).await,
            };
            tx.send((format!("http://{addr}"), w.branch_a, token, extra)).unwrap();
            let app = w.app.clone().into_make_service_with_connect_info::<std::net::SocketAddr>();
            let server = tokio::spawn(async move { axum::serve(listener, app).await });
            tokio::task::spawn_blocking(move || stop_rx.recv()).await.ok();
            server.abort();
            db.finish().await;
        });
    });
    let (base, branch_a, dept, extra) = rx.recv().unwrap();
    (base, stop_tx, branch_a, dept, extra)
}

/// A satisfaction survey of county A and one answer code printed for its first target (甲镇).
async fn resident_code(w: &common::World) -> String {
    let id = crate::survey::survey_target(w, w.county_a).await;
    let survey = store::survey::get(&w.store, &store::Scope::all(), id).await.unwrap();
    let target = store::survey::targets(&w.store, &survey).await.unwrap().remove(0);
    let sc = store::Scope::all().acting_as(store::Actor::new("组织部", "组织部管理员"));
    store::survey::issue_codes(&w.store, &sc, &survey, target.org_id, 1).await.unwrap().remove(0)
}

/// A campaign of county A over its townships and the city's campaign reaching into it: county A's
/// has a standard with a computed and a reported indicator, an accepted value and a draft round.
async fn draft_round(w: &common::World) -> i64 {
    let all = store::Scope::all();
    let org = store::org::visible(&w.store, &all, w.county_a).await.unwrap();
    let v = domain::campaign::CampaignInput {
        name: "甲县服务型党组织创建".into(),
        kind: "service".into(),
        starts_on: "2026-01-01".into(),
        ends_on: "2026-12-31".into(),
        takes_part: "chosen".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let leaders = domain::campaign::parse_leaders("组长 王某 县委副书记\n成员单位 县委组织部").unwrap();
    let c = store::campaign::create(&w.store, &all, &org, &v, &[w.town_a, w.branch_a], &leaders).await.unwrap();
    let std = domain::campaign::indicator::StandardInput::from_lines(
        "2026-01-01",
        "",
        "centers|服务中心覆盖率|facility_coverage|service_center|40|linear|90\nserved|服务群众事项办结率|reported||60|steps|0|80:60、95:100|%",
    )
    .validate()
    .unwrap();
    store::campaign::standard::add(&w.store, &all, c.id, &std).await.unwrap();
    let on = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let r = store::campaign::reported::submit(&w.store, &all, c.id, w.town_a, "served", on, 96_000, "办结台账")
        .await
        .unwrap();
    store::campaign::reported::review(&w.store, &all, r.id, true, "").await.unwrap();
    store::campaign::round::compute(&w.store, &all, c.id, on, "", &store::NoProgress).await.unwrap().id
}

fn browser_available() -> bool {
    if std::path::Path::new(webdriver::CHROMEDRIVER).exists() {
        return true;
    }
    assert!(
        std::env::var("DANGJIAN_REQUIRE_BROWSER").is_err(),
        "{} is missing: install Debian's chromium and chromium-driver (.ci/run does)",
        webdriver::CHROMEDRIVER
    );
    eprintln!("skipped: {} not installed", webdriver::CHROMEDRIVER);
    false
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
    if !browser_available() {
        return;
    }
    let (base, stop, _, _) = serve();
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

    // the branch's statistics: charts drawn on the server, each with its table
    b.click(&b.find("a[href^='/stats?org=']").unwrap()).unwrap();
    let stats = wait_for(&b, "<svg");
    assert!(stats.contains("性别") && stats.contains("年龄"), "statistics by sex and age band");
    shot("05b-stats");
    b.goto(&format!("{base}/orgs")).unwrap();
    wait_for(&b, "组织树");
    b.click(&b.find("a.toggle[aria-expanded=false]").unwrap()).unwrap();
    wait_for(&b, "甲社区党支部");
    b.click(&b.link("甲社区党支部").unwrap()).unwrap();
    wait_for(&b, "基本情况");

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

    // import a file with bad rows: the dry-run report names them; nothing is written until 确认导入
    let csv = std::env::temp_dir().join(format!("dj-browser-{}.csv", std::process::id()));
    std::fs::write(
        &csv,
        "姓名,公民身份号码,人员类别,入党日期,所在党组织\n\
         新党员,110105195001010012,正式党员,1980-07-01,甲社区党支部\n\
         坏行一,110105195001010013,正式党员,1980-07-01,甲社区党支部\n\
         坏行二,110105195001010012,预备党员,2099-01-01,不存在的支部\n",
    )
    .unwrap();
    b.click(&b.find("nav.menu a[href='/import']").unwrap()).unwrap();
    wait_for(&b, "上传并检查");
    b.type_into(&b.find("#file").unwrap(), csv.to_str().unwrap()).unwrap();
    b.click(&b.find("form button.primary[type=submit]").unwrap()).unwrap();
    let report = wait_for(&b, "下载错误行");
    shot("07b-import-report");
    assert!(
        report.contains("坏行一") || report.contains("第 3 行") || report.contains(">3<"),
        "the bad rows are listed"
    );
    assert!(report.contains("公民身份号码"), "with the column and the reason");
    shot("07b-import-report");
    b.click(&b.find("form[action$='/commit'] button.primary").unwrap()).unwrap();
    for _ in 0..50 {
        if b.url().unwrap().contains("ok=committed") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    shot("07c-import-done");
    b.goto(&format!("{base}/members?name=%E6%96%B0%E5%85%9A%E5%91%98")).unwrap();
    let found = wait_for(&b, "新党员");
    assert!(!found.contains("坏行一"), "only the good row was imported");
    std::fs::remove_file(&csv).ok();

    // the roster, masked
    b.goto(&format!("{base}/members")).unwrap();
    let roster = wait_for(&b, "甲党员");
    assert!(!roster.contains(common::ID_A) && !roster.contains(common::PHONE_A), "masked in the browser too");
    shot("08-members");
    // at phone width (secretaries use phones): the menu becomes a strip, tables scroll
    b.resize(390, 844).unwrap();
    b.goto(&format!("{base}/members")).unwrap();
    wait_for(&b, "甲党员");
    shot("09-members-phone");
    b.resize(1280, 900).unwrap();

    // sign out
    b.click(&b.find("form[action='/logout'] button").unwrap()).unwrap();
    wait_for(&b, "name=\"password\"");
    shot("99-signed-out");
    b.goto(&format!("{base}/members")).unwrap();
    wait_for(&b, "name=\"password\"");
    drop(b);
    stop.send(()).ok();
}

/// A 党务工作者 sees on the branch's compliance card that October's 主题党日 is missing
/// (LIFE-07), records it through the form (roster loaded for the meeting's date), submits it, and
/// the finding is gone from the card while September's remains.
#[test]
fn recording_a_meeting_clears_its_finding() {
    if !browser_available() {
        return;
    }
    let (base, stop, branch_a, _) = serve();
    let dir = shots();
    let b = Browser::start(1280, 1000).expect("headless Chromium");
    let shot = |name: &str| b.screenshot(&dir.join(format!("{name}.png"))).unwrap();
    b.goto(&format!("{base}/login")).unwrap();
    b.fill("input[name=username]", "u_party_worker").unwrap();
    b.fill("input[name=password]", common::PASSWORD).unwrap();
    b.click(&b.find("button[type=submit]").unwrap()).unwrap();
    wait_for(&b, "工作台");

    b.goto(&format!("{base}/orgs/{branch_a}/life?year=2026")).unwrap();
    let card = wait_for(&b, "发现的问题");
    assert!(card.contains("2026年10月应召开主题党日"), "October's 主题党日 is missing before");
    assert!(card.contains("LIFE-07"), "the finding names its rule");
    shot("20-life-card-before");

    b.click(&b.link("登记会议").unwrap()).unwrap();
    wait_for(&b, "会议基本情况");
    b.click(&b.find("input[name=types][value=theme_day]").unwrap()).unwrap();
    b.fill("#f-title", "十月主题党日：重温入党誓词").unwrap();
    b.execute("document.getElementById('f-held_on').value = '2026-10-15';").unwrap();
    b.fill("#f-place", "社区党群服务中心").unwrap();
    b.fill("#f-host", "甲书记").unwrap();
    b.fill("#f-recorder", "甲委员").unwrap();
    b.fill("#f-minutes", "集体重温入党誓词，交流学习体会。").unwrap();
    b.click(&b.find("button[name=action][value=roster]").unwrap()).unwrap();
    let form = wait_for(&b, "<strong>2026-10-15</strong>");
    assert!(form.contains("甲党员") && form.contains("甲二党员"), "the roster of 2026-10-15 is listed");
    shot("21-life-form-roster");
    b.click(&b.find("button.primary[name=action][value=submit]").unwrap()).unwrap();
    // the form itself shows the title: wait until the browser is on the record's own page
    for _ in 0..50 {
        if b.url().unwrap().contains("/life/records/") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(b.url().unwrap().contains("/life/records/"), "saved: on the record page");
    let record = wait_for(&b, "待审核");
    assert!(record.contains("重温入党誓词"), "saved and submitted");
    shot("22-life-record");

    b.goto(&format!("{base}/orgs/{branch_a}/life?year=2026")).unwrap();
    let card = wait_for(&b, "发现的问题");
    assert!(!card.contains("2026年10月应召开主题党日"), "October's finding is gone");
    assert!(card.contains("2026年9月应召开主题党日"), "September's is still there");
    shot("23-life-card-after");

    // the card printed for the archive: one landscape A4 sheet with the grid and the findings
    b.click(&b.link("打印").unwrap()).unwrap();
    let sheet = wait_for(&b, "print-sheet");
    assert!(sheet.contains("组织生活合规卡片") && sheet.contains("2026年度") && sheet.contains("打印人："));
    assert!(sheet.contains("LIFE-07") && !sheet.contains("2026年10月应召开主题党日"), "as the card is now");
    b.resize(1366, 900).unwrap();
    shot("24-life-card-print-1366");
    let pdf = b.cdp("Page.printToPDF", serde_json::json!({ "preferCSSPageSize": true })).unwrap();
    let pdf = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.decode(pdf["data"].as_str().unwrap()).unwrap()
    };
    std::fs::write(dir.join("24-life-card-print.pdf"), &pdf).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    let boxes: Vec<&str> = text.match_indices("/MediaBox").filter_map(|(i, _)| text[i..].split(']').next()).collect();
    let pages = boxes.len();
    assert!(boxes.iter().all(|b| b.starts_with("/MediaBox [0 0 841")), "A4 landscape: {boxes:?}");
    b.cdp("Emulation.setEmulatedMedia", serde_json::json!({ "media": "print" })).unwrap();
    shot("25-life-card-print-media");
    let menu = b.execute("return getComputedStyle(document.querySelector('nav.menu')).display").unwrap();
    assert_eq!(menu.as_str(), Some("none"), "the menu is not printed");
    b.cdp("Emulation.setEmulatedMedia", serde_json::json!({ "media": "" })).unwrap();
    // on a phone the sheet stays within the screen: the grid scrolls inside its own box
    b.resize(390, 844).unwrap();
    b.goto(&b.url().unwrap()).unwrap();
    wait_for(&b, "print-sheet");
    shot("26-life-card-print-390");
    let width = b.execute("return document.documentElement.scrollWidth").unwrap();
    assert!(width.as_u64().unwrap() <= 390, "the sheet is {width} px wide at 390 px ({pages} pages printed)");
    drop(b);
    stop.send(()).ok();
}

/// The organization picker's type-ahead and the top bar's search: an officer types part of a
/// name on the export page, reads the matches with their parents, chooses one with the keyboard
/// (the form now carries it), and finds a member by the last four characters of the ID number,
/// masked; at desktop and phone width.
#[test]
fn picking_an_organization_and_finding_a_member() {
    if !browser_available() {
        return;
    }
    let (base, stop, branch_a, _) = serve();
    let dir = shots();
    let b = Browser::start(1366, 900).expect("headless Chromium");
    let shot = |name: &str| b.screenshot(&dir.join(format!("{name}.png"))).unwrap();
    b.goto(&format!("{base}/login")).unwrap();
    b.fill("input[name=username]", "u_org_admin").unwrap();
    b.fill("input[name=password]", common::PASSWORD).unwrap();
    b.click(&b.find("button[type=submit]").unwrap()).unwrap();
    wait_for(&b, "工作台");
    for (width, height) in [(1366, 900), (390, 844)] {
        b.resize(width, height).unwrap();
        b.goto(&format!("{base}/export")).unwrap();
        wait_for(&b, "org-picker-input");
        b.fill(".org-picker-input", "社区").unwrap();
        // (focusing the box lists the first of all; the typed words narrow it to one)
        let list = wait_for(&b, "共 1 个，显示 1 个");
        assert!(list.contains("上级：中共甲县委 › 中共甲镇委员会"), "each match with its parents");
        assert!(!list.contains("乙社区党支部"), "only the caller's scope");
        shot(&format!("10-picker-typeahead-{width}"));
        // one match: Enter chooses it, and the form carries it
        b.type_into(&b.find(".org-picker-input").unwrap(), "\u{E007}").unwrap();
        wait_for(&b, "已选择：甲社区党支部");
        let value = b.execute("return document.querySelector('input[name=org]').value").unwrap();
        assert_eq!(value.as_str(), Some(branch_a.to_string().as_str()));
        shot(&format!("11-picker-chosen-{width}"));

        // the top bar's search: the last four characters of an ID number
        b.fill(".topsearch input[name=q]", &common::ID_A[14..]).unwrap();
        b.click(&b.find(".topsearch button").unwrap()).unwrap();
        let found = wait_for(&b, "按身份证号末位查找");
        assert!(found.contains("甲党员") && !found.contains(common::ID_A), "found, masked");
        shot(&format!("12-search-{width}"));
    }
    drop(b);
    stop.send(()).ok();
}

/// A branch secretary on a phone records a meeting: the roster follows the date as it changes
/// (the form's own script), 全部出席 marks everyone in one tap, the attendance rows are cards that
/// fit the screen; then the printed 会议记录 at phone and desktop width.
#[test]
fn a_meeting_recorded_on_a_phone_and_its_printed_record() {
    if !browser_available() {
        return;
    }
    let (base, stop, branch_a, _) = serve();
    let dir = shots();
    let b = Browser::start(390, 844).expect("headless Chromium");
    let shot = |name: &str| b.screenshot(&dir.join(format!("{name}.png"))).unwrap();
    b.goto(&format!("{base}/login")).unwrap();
    b.fill("input[name=username]", "u_party_worker").unwrap();
    b.fill("input[name=password]", common::PASSWORD).unwrap();
    b.click(&b.find("button[type=submit]").unwrap()).unwrap();
    wait_for(&b, "工作台");

    b.goto(&format!("{base}/orgs/{branch_a}/life/new")).unwrap();
    wait_for(&b, "会议基本情况");
    b.click(&b.find("input[name=types][value=theme_day]").unwrap()).unwrap();
    b.fill("#f-title", "十月主题党日：重温入党誓词").unwrap();
    b.fill("#f-place", "社区党群服务中心").unwrap();
    b.fill("#f-host", "甲党员").unwrap();
    b.fill("#f-recorder", "甲二党员").unwrap();
    b.fill("#f-minutes", "集体重温入党誓词，交流学习体会。").unwrap();
    // someone marked away before the date is set: kept when the roster of the date comes
    b.execute("document.querySelectorAll('select[name^=att_]')[1].value = 'absent';").unwrap();
    b.execute(
        "var d = document.getElementById('f-held_on'); d.value = '2026-10-15'; \
         d.dispatchEvent(new Event('change', { bubbles: true }));",
    )
    .unwrap();
    let form = wait_for(&b, "<strong>2026-10-15</strong>");
    assert!(form.contains("参会名单已按新的日期/类型更新"), "the script says the roster changed");
    let kept = b.execute("return document.querySelectorAll('select[name^=att_]')[1].value").unwrap();
    assert_eq!(kept.as_str(), Some("absent"), "the choice typed before is kept");
    // 全部出席 in one tap
    b.click(&b.find("button[data-all-present]").unwrap()).unwrap();
    let all = b
        .execute("return Array.prototype.every.call(document.querySelectorAll('select[name^=att_]'), function (s) { return s.value === 'present'; })")
        .unwrap();
    assert_eq!(all.as_bool(), Some(true), "everyone present");
    b.execute(
        "document.querySelectorAll('select[name^=att_]')[1].value = 'leave'; \
         document.querySelectorAll('input[name^=reason_]')[1].value = '外出务工';",
    )
    .unwrap();
    // at 390 px every row is a card: nothing cut off, nothing scrolled sideways
    let fits = b
        .execute(
            "var t = document.querySelector('table.att-table'); var w = window.innerWidth; \
             var ok = t.scrollWidth <= t.clientWidth + 1; \
             document.querySelectorAll('table.att-table select, table.att-table input').forEach(function (e) { \
               var r = e.getBoundingClientRect(); if (r.left < 0 || r.right > w) ok = false; }); \
             return ok;",
        )
        .unwrap();
    assert_eq!(fits.as_bool(), Some(true), "the attendance fits the phone's width");
    b.execute("document.querySelector('#attendance-block').scrollIntoView();").unwrap();
    shot("30-life-form-phone");
    b.execute("document.querySelector('#res-h').scrollIntoView();").unwrap();
    shot("30b-life-form-phone-resolutions");
    b.click(&b.find("button.primary[name=action][value=submit]").unwrap()).unwrap();
    for _ in 0..50 {
        if b.url().unwrap().contains("/life/records/") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(b.url().unwrap().contains("/life/records/"), "saved: on the record page");
    wait_for(&b, "待审核");

    b.click(&b.link("打印").unwrap()).unwrap();
    let sheet = wait_for(&b, "主持人（签字）");
    assert!(sheet.contains("甲二党员（外出务工）") && sheet.contains("重温入党誓词"), "the printed record");
    shot("31-life-print-390");
    b.resize(1366, 900).unwrap();
    b.goto(&b.url().unwrap()).unwrap();
    wait_for(&b, "记录人（签字）");
    shot("32-life-print-1366");
    b.execute("window.scrollTo(0, document.body.scrollHeight);").unwrap();
    shot("33-life-print-1366-foot");
    let pages = b.print_pdf(&dir.join("34-life-print.pdf")).unwrap();
    assert_eq!(pages, 1, "the record prints on one A4 page");
    drop(b);
    stop.send(()).ok();
}

/// The rules page on a phone: the 组织部管理员's view (types, every rule version, the 所属年度
/// windows and the forms) fits 390 px — each table scrolls in its own box or stacks — and speaks
/// in Chinese labels, never the internal codes of types, organization kinds or frequencies.
#[test]
fn the_rules_page_fits_a_phone_and_speaks_chinese() {
    if !browser_available() {
        return;
    }
    let (base, stop, _, dept) = serve();
    let dir = shots();
    let b = Browser::start(1366, 900).expect("headless Chromium");
    let shot = |name: &str| b.screenshot(&dir.join(format!("{name}.png"))).unwrap();
    b.goto(&format!("{base}/login")).unwrap();
    b.add_cookie("dj_session", &dept).unwrap();
    for (width, height) in [(1366, 900), (390, 844)] {
        b.resize(width, height).unwrap();
        b.goto(&format!("{base}/life/rules")).unwrap();
        let page = wait_for(&b, "增加本地规则版本");
        assert!(page.contains("支部党员大会") && page.contains("每季度至少 1 次"), "the rules are shown");
        shot(&format!("30-life-rules-{width}"));
        let scroll = b.execute("return document.documentElement.scrollWidth").unwrap();
        assert!(scroll.as_u64().unwrap() <= width as u64, "the page is {scroll} px wide at {width} px");
        let text = b.execute("return document.body.innerText").unwrap();
        let text = text.as_str().unwrap();
        for code in [
            "branch_assembly",
            "theme_day",
            "party_lecture",
            "life_meeting",
            "branch_committee",
            "general_branch",
            "quarter",
        ] {
            assert!(!text.contains(code), "{code} shown on the page at {width} px");
        }
    }
    b.execute("window.scrollTo(0, document.querySelector('#type-theme_day').offsetTop)").unwrap();
    shot("31-life-rules-390-rules");
    drop(b);
    stop.send(()).ok();
}

/// A dispatch round published by the county's 组织部 and read as its printed report: the draft
/// says it can still change, publishing freezes it with its digest, the report prints on A4
/// (ranking, chart with its table, leaders and laggards) and reads on a phone.
#[test]
fn a_dispatch_round_published_and_printed() {
    if !browser_available() {
        return;
    }
    let (base, stop, dept, round) = serve_campaign();
    let dir = shots();
    let b = Browser::start(1366, 900).expect("headless Chromium");
    let shot = |name: &str| b.screenshot(&dir.join(format!("{name}.png"))).unwrap();
    b.goto(&format!("{base}/login")).unwrap();
    b.add_cookie("dj_session", &dept).unwrap();
    b.goto(&format!("{base}/campaigns")).unwrap();
    wait_for(&b, "甲县服务型党组织创建");
    shot("40-campaigns");
    b.click(&b.link("甲县服务型党组织创建").unwrap()).unwrap();
    wait_for(&b, "领导小组");
    shot("41-campaign");
    b.click(&b.link("第1次调度").unwrap()).unwrap();
    let draft = wait_for(&b, "发布调度");
    assert!(draft.contains("草稿") && draft.contains("中共甲镇委员会"), "the draft");
    shot("42-round-draft");
    b.fill("#f-summary", "服务中心建设须加快；办结率整体较好。").unwrap();
    b.click(&b.find("form[action$='/publish'] button.primary").unwrap()).unwrap();
    let page = wait_for(&b, "与发布时一致");
    assert!(page.contains("已发布") && page.contains("服务中心建设须加快") && page.contains("先进单位"), "published");
    assert!(!page.contains("按当前数据重新计算"), "a published round offers no recompute");
    shot("43-round-published-1366");
    let pages = b.print_pdf(&dir.join("44-round-print.pdf")).unwrap();
    assert!((1..=2).contains(&pages), "the report prints on A4: {pages} pages");
    b.resize(390, 844).unwrap();
    b.goto(&format!("{base}/campaigns/rounds/{round}")).unwrap();
    wait_for(&b, "排名与指标明细");
    let fits = b.execute("return document.documentElement.scrollWidth <= window.innerWidth + 1;").unwrap();
    assert_eq!(fits.as_bool(), Some(true), "the page itself does not scroll sideways on a phone");
    shot("45-round-390");
    drop(b);
    stop.send(()).ok();
}

/// 分类定级 through publicity, as the county's 组织部 does it in the browser: open the year's cycle
/// from the presets, open a branch's scoring sheet, score it, move it on, compute and publish the
/// grades, and read the sheet in publicity — at desktop width and on a phone.
#[test]
fn a_branch_graded_through_publicity() {
    if !browser_available() {
        return;
    }
    let (base, stop, _, dept) = serve();
    let dir = shots();
    let b = Browser::start(1366, 900).expect("headless Chromium");
    let shot = |name: &str| b.screenshot(&dir.join(format!("{name}.png"))).unwrap();
    b.goto(&format!("{base}/login")).unwrap();
    b.add_cookie("dj_session", &dept).unwrap();
    b.goto(&format!("{base}/grading")).unwrap();
    wait_for(&b, "开展分类定级");
    b.click(&b.link("开展分类定级").unwrap()).unwrap();
    wait_for(&b, "定级方案");
    // the county, chosen with the picker's type-ahead
    wait_for(&b, "org-picker-input");
    b.fill(".org-picker-input", "甲县委").unwrap();
    wait_for(&b, "共 1 个，显示 1 个");
    b.type_into(&b.find(".org-picker-input").unwrap(), "\u{E007}").unwrap();
    wait_for(&b, "已选择：中共甲县委");
    b.fill("#f-year", "2026").unwrap();
    b.fill("#f-title", "甲县2026年度基层党组织分类定级").unwrap();
    b.execute("document.querySelector('#f-scheme').value = 'preset:points'").unwrap();
    b.execute("document.querySelector('#f-catalogue').value = 'preset'").unwrap();
    shot("50-grading-new");
    b.click(&b.find("form[action='/grading/new'] button.primary").unwrap()).unwrap();
    let page = wait_for(&b, "已开展分类定级");
    assert!(page.contains("甲社区党支部") && page.contains("评定中"), "the entries are listed");
    shot("51-grading-cycle");
    b.click(&b.link("甲社区党支部").unwrap()).unwrap();
    wait_for(&b, "保存评分");
    for (item, points) in [("leader", "14"), ("thinking", "9"), ("support", "8"), ("results", "22")] {
        b.fill(&format!("input[name=p_{item}]"), points).unwrap();
    }
    b.fill("input[name=n_leader]", "书记履职尽责").unwrap();
    b.execute("document.querySelector('#f-kind').value = 'superior'").unwrap();
    b.click(&b.find("#score button.primary").unwrap()).unwrap();
    let page = wait_for(&b, "已保存评分");
    assert!(page.contains("书记履职尽责"), "the score is listed with its note");
    b.click(&b.find("#steps button[value=forward]").unwrap()).unwrap();
    wait_for(&b, "已进入下一工作步骤");
    shot("52-grading-sheet-1366");
    b.click(&b.link("甲县2026年度基层党组织分类定级").unwrap()).unwrap();
    wait_for(&b, "计算等次");
    b.click(&b.find("form[action$='/compute'] button").unwrap()).unwrap();
    wait_for(&b, "已按定级方案计算等次");
    b.click(&b.find("form[action$='/publish'] button").unwrap()).unwrap();
    let page = wait_for(&b, "已公示");
    assert!(page.contains("公示中"), "the grades are in publicity");
    shot("53-grading-published");
    b.click(&b.link("甲社区党支部").unwrap()).unwrap();
    let page = wait_for(&b, "提交异议");
    assert!(page.contains("公示中") && page.contains("总分"), "the sheet in publicity offers an objection");
    b.resize(390, 844).unwrap();
    b.execute("window.scrollTo(0, 0)").unwrap();
    let fits = b.execute("return document.documentElement.scrollWidth <= window.innerWidth + 1;").unwrap();
    assert_eq!(fits.as_bool(), Some(true), "the sheet does not scroll sideways on a phone");
    shot("54-grading-sheet-390");
    drop(b);
    stop.send(()).ok();
}

/// A resident answers the satisfaction survey on a phone with the code printed for their
/// township: the page asks for nothing personal, an unanswered item is named, the answer is taken
/// once, and the same code cannot answer again.
#[test]
fn a_resident_answers_a_survey_on_a_phone() {
    if !browser_available() {
        return;
    }
    let (base, stop, _, _, code) = serve_inner(Extra::Survey);
    let dir = shots();
    let b = Browser::start(390, 844).expect("headless Chromium");
    let shot = |name: &str| b.screenshot(&dir.join(format!("{name}.png"))).unwrap();
    b.goto(&format!("{base}/s/{code}")).unwrap();
    let page = wait_for(&b, "提交答卷");
    assert!(
        page.contains("参评组织：中共甲镇委员会") && page.contains("不收集您的姓名"),
        "the form names the organization"
    );
    let fits = b.execute("return document.documentElement.scrollWidth <= window.innerWidth + 1;").unwrap();
    assert_eq!(fits.as_bool(), Some(true), "the form fits a phone");
    shot("60-survey-phone");
    // the first item left unanswered: named, and the others kept
    for n in 2..=4 {
        b.click(&b.find(&format!("input[name=q{n}][value='满意']")).unwrap()).unwrap();
    }
    b.click(&b.find("button.primary").unwrap()).unwrap();
    let page = wait_for(&b, "第1题");
    let kept = b.execute("return document.querySelector('input[name=q2][value=\"满意\"]').checked").unwrap();
    assert_eq!(kept.as_bool(), Some(true), "the answers given are kept");
    assert!(page.contains("请看标红的题目"), "the missing items are named");
    shot("61-survey-phone-missing");
    b.click(&b.find("input[name=q1][value='满意']").unwrap()).unwrap();
    b.click(&b.find("input[name=q5][value='公开栏']").unwrap()).unwrap();
    b.click(&b.find("button.primary").unwrap()).unwrap();
    let page = wait_for(&b, "notice ok");
    shot("62-survey-phone-done");
    assert!(!page.contains("提交答卷"), "answered once");
    b.goto(&format!("{base}/s/{code}")).unwrap();
    let again = b.source().unwrap();
    assert!(!again.contains("提交答卷"), "the code cannot answer again");
    drop(b);
    stop.send(()).ok();
}
