//! 创新清单, 创新动态 and 项目化管理 on SQLite and PostgreSQL: a participant submits its list
//! once a year and keeps it current until the year ends (a stale save and a closed year refused);
//! updates by the campaign's cadence; the findings of a subtree as of a date under the shipped
//! rules and local versions (the nearest ancestor's wins); projects through their gates in order;
//! the indicator source `innovation_list` as of a date; every write audited.

use chrono::{Datelike, Duration, NaiveDate};
use domain::campaign::indicator::{Indicator, Scoring};
use domain::campaign::innovation::{
    Cadence, GateInput, ItemInput, ListInput, ProjectInput, RuleInput, Stage, ValidGate, ValidList,
};
use domain::campaign::{CampaignInput, ValidCampaign};
use domain::org::{OrgInput, OrgKind, Sector};
use store::campaign::{self, innovation, measure, Campaign};
use store::testing::TestDb;
use store::{org, Scope, Store, StoreError};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn mk_org(s: &Store, parent: Option<i64>, name: &str, kind: OrgKind) -> i64 {
    let input = OrgInput {
        name: name.into(),
        kind: Some(kind),
        sector: Some(Sector::Organs),
        has_committee: true,
        founded_on: Some(d("2015-01-01")),
        ..Default::default()
    };
    org::create(s, &Scope::all(), parent, &input, d("2026-01-01")).await.unwrap().id
}

/// A province with a city and a neighbouring city; the city's counties 甲 and 乙 take part in its
/// campaign (one level down); 甲一镇 lies below 甲.
struct Tree {
    city: i64,
    neighbour: i64,
    a: i64,
    b: i64,
    t1: i64,
}

async fn build(s: &Store) -> Tree {
    use OrgKind::*;
    let province = mk_org(s, None, "中共样例省委", LocalCommittee).await;
    let city = mk_org(s, Some(province), "中共样例市委", LocalCommittee).await;
    let neighbour = mk_org(s, Some(province), "中共邻市委", LocalCommittee).await;
    let a = mk_org(s, Some(city), "中共甲县委", LocalCommittee).await;
    let b = mk_org(s, Some(city), "中共乙县委", LocalCommittee).await;
    let t1 = mk_org(s, Some(a), "中共甲一镇委员会", Committee).await;
    Tree { city, neighbour, a, b, t1 }
}

async fn scope_of(s: &Store, id: i64) -> Scope {
    Scope::subtrees([org::get(s, &Scope::all(), id).await.unwrap().path])
}

fn campaign_input(from: &str, to: &str) -> ValidCampaign {
    CampaignInput {
        name: "创新型党组织创建".into(),
        kind: "innovation".into(),
        starts_on: from.into(),
        ends_on: to.into(),
        takes_part: "level".into(),
        depth: "1".into(),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

async fn city_campaign(s: &Store, t: &Tree, from: &str, to: &str) -> Campaign {
    let issuer = org::visible(s, &Scope::all(), t.city).await.unwrap();
    campaign::create(s, &Scope::all(), &issuer, &campaign_input(from, to), &[], &[]).await.unwrap()
}

fn item(title: &str, measures: &str, milestones: &str) -> ItemInput {
    ItemInput {
        title: title.into(),
        goal: "群众满意".into(),
        measures: measures.into(),
        owner: "王某".into(),
        milestones: milestones.into(),
        status: "推进中".into(),
    }
}

fn list(year: &str, items: Vec<ItemInput>) -> ValidList {
    ListInput { year: year.into(), items }.validate().unwrap()
}

/// Three items, each with measures and a milestone of `year`.
fn full(year: &str) -> ValidList {
    list(
        year,
        vec![
            item("党建+政务服务", "设立党员代办岗", &format!("{year}-06-30 完成试点")),
            item("网格化管理", "党员联系网格", &format!("{year}-09-30 全面推开")),
            item("党员先锋岗", "亮身份、作承诺", &format!("{year}-12-20 总结")),
        ],
    )
}

fn invalid<T: std::fmt::Debug>(r: Result<T, StoreError>, field: &str) {
    match r {
        Err(StoreError::Invalid(e)) => assert!(e.has(field), "{field}: {e}"),
        other => panic!("{field}: {other:?}"),
    }
}

fn refused<T: std::fmt::Debug>(r: Result<T, StoreError>, says: &str) {
    match r {
        Err(StoreError::Refused(m)) => assert!(m.contains(says), "{says}: {m}"),
        other => panic!("{says}: {other:?}"),
    }
}

fn not_found<T: std::fmt::Debug>(r: Result<T, StoreError>) {
    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
}

async fn audited(s: &Store, action: &str) -> serde_json::Value {
    let r = store::audit::recent(s, 1).await.unwrap().remove(0);
    assert_eq!((r.action.as_str(), r.result.as_str()), (action, "ok"), "the last write is audited as {action}");
    serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_is_submitted_once_kept_current_and_closed_with_its_year() {
    for db in TestDb::both().await {
        let s = &db.store;
        let t = build(s).await;
        let all = Scope::all();
        let c = city_campaign(s, &t, "2026-01-01", "2027-12-31").await;
        let a_scope = scope_of(s, t.a).await;
        let on = d("2026-03-10");

        // who may submit, for which year
        invalid(innovation::submit_list(s, &all, c.id, t.t1, &full("2026"), on).await, "党组织");
        invalid(innovation::submit_list(s, &all, c.id, t.a, &full("2028"), d("2027-12-01")).await, "年度");
        invalid(innovation::submit_list(s, &all, c.id, t.a, &full("2026"), d("2027-01-05")).await, "年度");
        not_found(innovation::submit_list(s, &a_scope, c.id, t.b, &full("2026"), on).await);

        let l = innovation::submit_list(s, &a_scope, c.id, t.a, &full("2026"), on).await.unwrap();
        assert_eq!((l.org_id, l.year, l.submitted_on), (t.a, 2026, on));
        let detail = audited(s, "innovation.list_submit").await;
        assert!(detail.to_string().contains("设立党员代办岗"), "{detail}");
        let items = innovation::items(s, &l).await.unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!((items[0].status_label(), items[0].milestone_lines().len()), ("推进中", 1));
        refused(innovation::submit_list(s, &all, c.id, t.a, &full("2026"), on).await, "已于 2026-03-10 提交");
        // next year's list may come during this year
        innovation::submit_list(s, &a_scope, c.id, t.a, &full("2027"), d("2026-12-20")).await.unwrap();

        // who sees it: the issuer's side, the county and what is below it; not the sibling
        for id in [t.city, t.a, t.t1] {
            innovation::get_list(s, &scope_of(s, id).await, l.id).await.unwrap();
        }
        let b_scope = scope_of(s, t.b).await;
        not_found(innovation::get_list(s, &b_scope, l.id).await);

        // kept current: items and statuses change, the day of submission stays
        let mut done = item("党建+政务服务", "设立党员代办岗", "2026-06-30 完成试点");
        done.status = "已完成".into();
        let changed = list("2026", vec![done, item("网格化管理", "党员联系网格", "2026-09-30 全面推开")]);
        let l2 = innovation::update_list(s, &a_scope, l.id, l.seen(), &changed, d("2026-07-01")).await.unwrap();
        assert_eq!(l2.submitted_on, on);
        let items = innovation::items(s, &l2).await.unwrap();
        assert_eq!(items.iter().map(|i| i.status_label()).collect::<Vec<_>>(), ["已完成", "推进中"]);
        let detail = audited(s, "innovation.list_update").await;
        assert!(detail.to_string().contains("done") && detail.to_string().contains("ongoing"), "{detail}");
        // a save over what someone changed meanwhile is refused; so are another year, another
        // county and the year's end
        assert!(matches!(
            innovation::update_list(s, &a_scope, l.id, l.seen(), &changed, d("2026-07-02")).await,
            Err(StoreError::Stale(_))
        ));
        invalid(innovation::update_list(s, &a_scope, l.id, l2.seen(), &full("2027"), d("2026-07-02")).await, "年度");
        not_found(innovation::update_list(s, &b_scope, l.id, l2.seen(), &changed, d("2026-07-02")).await);
        refused(
            innovation::update_list(s, &a_scope, l.id, l2.seen(), &changed, d("2027-01-01")).await,
            "2026 年已经结束",
        );
        assert_eq!(innovation::items(s, &l2).await.unwrap().len(), 2, "nothing was written");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_as_of_a_date_under_shipped_and_local_rules() {
    for db in TestDb::both().await {
        let s = &db.store;
        let t = build(s).await;
        let all = Scope::all();
        let c = city_campaign(s, &t, "2026-01-01", "2026-12-31").await;
        assert_eq!(innovation::cadence(s, &c).await.unwrap(), Cadence::Quarter, "quarterly unless set");
        let city = org::visible(s, &all, t.city).await.unwrap();
        let county_a = org::visible(s, &all, t.a).await.unwrap();

        // 甲: a thin list on time; 乙: none. 甲's first-quarter update on time, 乙's late.
        let thin = list(
            "2026",
            vec![
                item("党建+政务服务", "设立党员代办岗", "2026-06-30 完成试点"),
                item("网格化管理", "", "2026-09-30 全面推开"),
            ],
        );
        innovation::submit_list(s, &all, c.id, t.a, &thin, d("2026-03-01")).await.unwrap();
        innovation::report_update(s, &all, c.id, t.a, "2026-Q1", "设立代办岗 12 个", d("2026-04-05")).await.unwrap();
        audited(s, "innovation.update").await;
        innovation::report_update(s, &all, c.id, t.b, "2026年第一季度", "召开推进会", d("2026-04-20")).await.unwrap();

        let ids = |f: &[domain::campaign::innovation::Finding]| {
            f.iter().map(|f| format!("{} {} {}", f.org_name, f.rule_id, f.subject)).collect::<Vec<_>>()
        };
        let f = innovation::findings(s, &c, &city, d("2026-04-08")).await.unwrap();
        assert_eq!(
            ids(&f),
            ["中共甲县委 INNO-02 2026", "中共甲县委 INNO-03 2026", "中共乙县委 INNO-01 2026"],
            "乙's update is not yet due on 04-08"
        );
        assert_eq!(f[1].detail, "2026 年创新清单中“网格化管理”未写明措施");
        assert_eq!(f[2].detail, "2026 年创新清单未提交（期限 2026-03-31）");
        let f = innovation::findings(s, &c, &city, d("2026-04-30")).await.unwrap();
        assert_eq!(f.len(), 4);
        assert_eq!(f[3].detail, "2026年第一季度创新动态逾期报送（2026-04-20 报送，期限 2026-04-10）");
        // a county sees its own line
        let f = innovation::findings(s, &c, &county_a, d("2026-04-30")).await.unwrap();
        assert_eq!(ids(&f), ["中共甲县委 INNO-02 2026", "中共甲县委 INNO-03 2026"]);
        // before the campaign, nothing
        assert!(innovation::findings(s, &c, &city, d("2025-12-31")).await.unwrap().is_empty());

        // local versions: the city gives 30 days for updates, county 乙 only 5 (the nearer wins);
        // county 甲 asks 2 items
        let rule = |id: &str, value: &str| RuleInput {
            rule_id: id.into(),
            value: value.into(),
            valid_from: "2026-01-01".into(),
            valid_to: String::new(),
            source: "组织部通知".into(),
        };
        let r = innovation::add_rule(s, &all, t.city, &rule("INNO-05", "30").validate().unwrap()).await.unwrap();
        assert_eq!((r.org_name.as_deref(), r.value), (Some("中共样例市委"), 30));
        audited(s, "innovation.rule_add").await;
        let f = innovation::findings(s, &c, &city, d("2026-04-30")).await.unwrap();
        assert_eq!(f.len(), 3, "乙's update came within the city's 30 days: {f:?}");
        innovation::add_rule(s, &all, t.b, &rule("INNO-05", "5").validate().unwrap()).await.unwrap();
        innovation::add_rule(s, &all, t.a, &rule("INNO-02", "2").validate().unwrap()).await.unwrap();
        let f = innovation::findings(s, &c, &city, d("2026-04-30")).await.unwrap();
        assert_eq!(ids(&f), ["中共甲县委 INNO-03 2026", "中共乙县委 INNO-01 2026", "中共乙县委 INNO-05 2026-Q1"]);
        assert!(f[2].detail.contains("期限 2026-04-05"), "{}", f[2].detail);
        let rules = innovation::rules(s).await.unwrap();
        assert_eq!(rules.len(), 5 + 3, "the shipped versions and the local ones");
        // a local version for an organization outside the caller's scope is not found
        let a_scope = scope_of(s, t.a).await;
        not_found(innovation::add_rule(s, &a_scope, t.b, &rule("INNO-02", "4").validate().unwrap()).await);

        // the overview: each participant's list for the year and its updates
        let (rows, total) = innovation::overview(s, &c, &city, d("2026-04-30"), 2026, 50, 0).await.unwrap();
        assert_eq!(total, 2);
        assert_eq!(rows[0].org_id, t.a);
        assert_eq!(rows[0].list.map(|l| (l.1, l.2)), Some((d("2026-03-01"), 2)));
        assert_eq!(rows[0].perfunctory.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(), ["INNO-03"]);
        assert_eq!((rows[0].updates, rows[0].this_period, rows[0].last_period.as_deref()), (1, 0, Some("2026-Q1")));
        assert_eq!((rows[1].list, rows[1].updates), (None, 1));
        let (rows, total) = innovation::overview(s, &c, &city, d("2026-04-30"), 2026, 1, 1).await.unwrap();
        assert_eq!((rows.len(), total, rows[0].org_id), (1, 2, t.b), "the second page");
        let (ups, total) = innovation::updates(s, &c, &county_a, 50, 0).await.unwrap();
        assert_eq!((ups.len(), total, ups[0].period.as_str()), (1, 1, "2026-Q1"));

        // reporting an update: the period of the cadence, begun, within the campaign; a participant
        invalid(innovation::report_update(s, &all, c.id, t.a, "2026-Q3", "x", d("2026-04-05")).await, "报送期间");
        invalid(innovation::report_update(s, &all, c.id, t.a, "2025-Q4", "x", d("2026-04-05")).await, "报送期间");
        invalid(innovation::report_update(s, &all, c.id, t.a, "2026-04", "x", d("2026-04-05")).await, "报送期间");
        invalid(innovation::report_update(s, &all, c.id, t.t1, "2026-Q1", "x", d("2026-04-05")).await, "党组织");
        invalid(innovation::report_update(s, &all, c.id, t.a, "2026-Q1", " ", d("2026-04-05")).await, "动态内容");

        // monthly from now on: every month counts, and periods are months
        let a_scope_c = innovation::set_cadence(s, &a_scope, c.id, Cadence::Month).await;
        not_found(a_scope_c);
        innovation::set_cadence(s, &all, c.id, Cadence::Month).await.unwrap();
        let detail = audited(s, "innovation.cadence").await;
        assert!(detail.to_string().contains("month"), "{detail}");
        assert_eq!(innovation::cadence(s, &c).await.unwrap(), Cadence::Month);
        invalid(innovation::report_update(s, &all, c.id, t.a, "2026-Q2", "x", d("2026-05-05")).await, "报送期间");
        innovation::report_update(s, &all, c.id, t.a, "2026-04", "四月动态", d("2026-05-05")).await.unwrap();
        let f = innovation::findings(s, &c, &county_a, d("2026-05-31")).await.unwrap();
        let months: Vec<&str> = f.iter().filter(|f| f.rule_id == "INNO-05").map(|f| f.subject.as_str()).collect();
        assert_eq!(months, ["2026-01", "2026-02", "2026-03"], "April's update came on time");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projects_pass_their_gates_in_order() {
    for db in TestDb::both().await {
        let s = &db.store;
        let t = build(s).await;
        let all = Scope::all();
        let today = chrono::Utc::now().with_timezone(&domain::dates::china()).date_naive();
        let c = city_campaign(s, &t, &format!("{}-01-01", today.year()), &format!("{}-12-31", today.year())).await;
        let a_scope = scope_of(s, t.a).await;
        let input =
            ProjectInput { title: "党建引领网格治理".into(), summary: "以网格为单元组团服务".into() };
        let v = input.validate().unwrap();
        let neighbour = org::visible(s, &all, t.neighbour).await.unwrap();
        invalid(innovation::propose(s, &all, c.id, neighbour.id, &v, today).await, "申报单位");
        not_found(innovation::propose(s, &a_scope, c.id, t.b, &v, today).await);
        let p = innovation::propose(s, &a_scope, c.id, t.t1, &v, today).await.unwrap();
        assert_eq!((p.stage(), p.org_id), (Stage::Proposal, t.t1));
        audited(s, "innovation.project_propose").await;

        let gate = |g: &str, passed: bool, days: i64| -> ValidGate {
            GateInput {
                gate: g.into(),
                reviewers: "王某、李某、张某".into(),
                score: if passed { "85" } else { "55" }.into(),
                result: if passed { "通过" } else { "不通过" }.into(),
                note: if passed { "" } else { "措施不够具体" }.into(),
                decided_on: (today + Duration::days(days)).to_string(),
            }
            .validate(today + Duration::days(30))
            .unwrap()
        };
        // the county may propose but not hold the city's gates
        not_found(innovation::decide(s, &a_scope, p.id, &gate("approval", true, 1)).await);
        refused(innovation::decide(s, &all, p.id, &gate("implementation", true, 1)).await, "须先通过立项评审");
        let (p1, g) = innovation::decide(s, &all, p.id, &gate("approval", true, 1)).await.unwrap();
        assert_eq!((p1.stage(), g.gate_label(), g.score, g.passed()), (Stage::Approval, "立项评审", 85, true));
        assert_eq!(g.reviewers, "王某、李某、张某");
        let detail = audited(s, "innovation.gate").await;
        assert!(detail.to_string().contains("\"to\":\"approval\""), "{detail}");
        refused(innovation::decide(s, &all, p.id, &gate("approval", true, 2)).await, "不能重复评审");
        // a failed gate keeps the stage; the project is reviewed again after rework
        let (p2, _) = innovation::decide(s, &all, p.id, &gate("implementation", false, 2)).await.unwrap();
        assert_eq!(p2.stage(), Stage::Approval);
        invalid(innovation::decide(s, &all, p.id, &gate("implementation", true, 1)).await, "评审日期");
        invalid(innovation::decide(s, &all, p.id, &gate("implementation", true, -1)).await, "评审日期");
        for (g, days) in [("implementation", 3), ("mid_term", 4)] {
            innovation::decide(s, &all, p.id, &gate(g, true, days)).await.unwrap();
        }
        let (p3, _) = innovation::decide(s, &all, p.id, &gate("acceptance", false, 5)).await.unwrap();
        assert_eq!(p3.stage(), Stage::MidTerm);
        let (p4, _) = innovation::decide(s, &all, p.id, &gate("acceptance", true, 6)).await.unwrap();
        assert_eq!(p4.stage(), Stage::Acceptance);
        refused(innovation::decide(s, &all, p.id, &gate("acceptance", true, 7)).await, "不能再评审");
        let held = innovation::gates(s, &p4).await.unwrap();
        assert_eq!(
            held.iter().map(|g| (g.gate.as_str(), g.passed())).collect::<Vec<_>>(),
            [
                ("approval", true),
                ("implementation", false),
                ("implementation", true),
                ("mid_term", true),
                ("acceptance", false),
                ("acceptance", true)
            ]
        );

        // failing the approval gate: not approved, and that is the end
        let q = innovation::propose(
            s,
            &all,
            c.id,
            t.b,
            &ProjectInput { title: "机关党建品牌".into(), summary: String::new() }.validate().unwrap(),
            today,
        )
        .await
        .unwrap();
        let (q1, _) = innovation::decide(s, &all, q.id, &gate("approval", false, 1)).await.unwrap();
        assert_eq!(q1.stage(), Stage::Rejected);
        refused(innovation::decide(s, &all, q.id, &gate("approval", true, 2)).await, "未予立项");

        // who sees which
        let b_scope = scope_of(s, t.b).await;
        not_found(innovation::get_project(s, &b_scope, p.id).await);
        innovation::get_project(s, &a_scope, p.id).await.unwrap();
        let city = org::visible(s, &all, t.city).await.unwrap();
        let county_b = org::visible(s, &all, t.b).await.unwrap();
        let (rows, total) = innovation::projects(s, &c, &city, 50, 0).await.unwrap();
        assert_eq!((rows.len(), total), (2, 2));
        assert_eq!(rows[0].id, p.id, "tree order: 甲 before 乙");
        let (rows, total) = innovation::projects(s, &c, &county_b, 50, 0).await.unwrap();
        assert_eq!((rows.len(), total, rows[0].id), (1, 1, q.id));
        db.finish().await;
    }
}

/// A project entered for an earlier day is proposed on that day, and its gates may follow it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_entered_for_an_earlier_day_is_proposed_on_it() {
    for db in TestDb::both().await {
        let s = &db.store;
        let t = build(s).await;
        let all = Scope::all();
        let c = city_campaign(s, &t, "2026-01-01", "2026-12-31").await;
        let v = ProjectInput { title: "书记领办项目".into(), summary: String::new() }.validate().unwrap();
        let p = innovation::propose(s, &all, c.id, t.a, &v, d("2026-03-02")).await.unwrap();
        assert_eq!(p.proposed_on(), d("2026-03-02"));
        let gate = |on: &str| {
            GateInput {
                gate: "立项评审".into(),
                reviewers: "王某、李某".into(),
                score: "80".into(),
                result: "通过".into(),
                note: String::new(),
                decided_on: on.into(),
            }
            .validate(d("2026-11-21"))
            .unwrap()
        };
        invalid(innovation::decide(s, &all, p.id, &gate("2026-03-01")).await, "评审日期");
        let (p, g) = innovation::decide(s, &all, p.id, &gate("2026-03-02")).await.unwrap();
        assert_eq!((p.stage(), g.decided_on), (Stage::Approval, d("2026-03-02")));
        db.finish().await;
    }
}

fn ind(code: &str) -> Indicator {
    Indicator {
        code: code.into(),
        label: "创新清单".into(),
        source: "innovation_list".into(),
        param: String::new(),
        weight: 10,
        scoring: Scoring::YesNo,
        target_milli: 1_000,
        steps: vec![],
        unit: "份".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_innovation_list_source_is_measured_as_of_its_date() {
    for db in TestDb::both().await {
        let s = &db.store;
        let t = build(s).await;
        let all = Scope::all();
        let c = city_campaign(s, &t, "2026-01-01", "2027-12-31").await;
        let issuer = org::visible(s, &all, t.city).await.unwrap();
        // 甲 on 03-01 in full; 乙 on 05-01 with one item only
        innovation::submit_list(s, &all, c.id, t.a, &full("2026"), d("2026-03-01")).await.unwrap();
        let one = list("2026", vec![item("机关党建品牌", "亮身份", "2026-10-01 总结")]);
        innovation::submit_list(s, &all, c.id, t.b, &one, d("2026-05-01")).await.unwrap();
        let measured = |on: &'static str| {
            let issuer = issuer.clone();
            let c = c.clone();
            async move {
                let parts = campaign::participants(s, &c, d(on)).await.unwrap();
                let m = measure::measure(s, &c, &issuer, &parts, &[ind("list")], d(on)).await.unwrap();
                measure::read_inputs(s, &c, &issuer, &parts, &[ind("list")], d(on)).await.unwrap();
                [t.a, t.b].map(|o| m.get(&(o, "list".to_string())).map(|x| (x.num, x.den)))
            }
        };
        assert_eq!(measured("2026-02-28").await, [Some((0.0, None)), Some((0.0, None))], "nothing submitted yet");
        assert_eq!(measured("2026-03-01").await, [Some((1.0, None)), Some((0.0, None))]);
        assert_eq!(measured("2026-06-01").await, [Some((1.0, None)), Some((0.0, None))], "乙's list is perfunctory");
        // a local version asking one item for 乙 from 04-01: its list of 05-01 is judged by it
        let v = RuleInput {
            rule_id: "INNO-02".into(),
            value: "1".into(),
            valid_from: "2026-04-01".into(),
            valid_to: String::new(),
            source: "县委组织部通知".into(),
        }
        .validate()
        .unwrap();
        innovation::add_rule(s, &all, t.b, &v).await.unwrap();
        assert_eq!(measured("2026-06-01").await, [Some((1.0, None)), Some((1.0, None))]);
        assert_eq!(measured("2026-04-30").await, [Some((1.0, None)), Some((0.0, None))], "not yet submitted then");
        assert_eq!(measured("2027-02-01").await, [Some((0.0, None)), Some((0.0, None))], "no list for 2027");
        db.finish().await;
    }
}
