//! A campaign's tasks on SQLite and PostgreSQL: assigned by level or to a chosen set within the
//! assigner's subtree and the campaign's territory; split by the holder of an assignment among
//! its subordinates with shares adding up to the share received (once); progress reported with
//! evidence, accepted or returned; what a holder, its superior, a sibling and an outsider see;
//! overdue assignments and the task completion source as of a date; the audit trail of every
//! write and the fields validation names.

use chrono::NaiveDate;
use domain::campaign::indicator::{Indicator, Scoring};
use domain::campaign::round::Measure;
use domain::campaign::task::{CascadeInput, ReportInput, TaskInput, ValidCascade};
use domain::campaign::{CampaignInput, ValidCampaign};
use domain::org::{OrgInput, OrgKind, Sector};
use store::campaign::{self, measure, task, Campaign};
use store::testing::TestDb;
use store::{org, Scope, Store, StoreError};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n0000";

/// 市 → 甲县 (甲一镇 → 一村、二村; 甲二镇), 乙县 (乙一镇); and a neighbouring city.
struct Tree {
    city: i64,
    neighbour: i64,
    a: i64,
    b: i64,
    t1: i64,
    t2: i64,
    t3: i64,
    v1: i64,
}

async fn mk(s: &Store, parent: Option<i64>, name: &str, kind: OrgKind) -> i64 {
    let input = OrgInput {
        name: name.into(),
        kind: Some(kind),
        sector: Some(Sector::Rural),
        has_committee: true,
        founded_on: Some(d("2015-01-01")),
        ..Default::default()
    };
    org::create(s, &Scope::all(), parent, &input, d("2026-11-21")).await.unwrap().id
}

async fn build(s: &Store) -> Tree {
    use OrgKind::*;
    let province = mk(s, None, "中共样例省委", LocalCommittee).await;
    let city = mk(s, Some(province), "中共样例市委", LocalCommittee).await;
    let neighbour = mk(s, Some(province), "中共邻市委", LocalCommittee).await;
    let a = mk(s, Some(city), "中共甲县委", LocalCommittee).await;
    let b = mk(s, Some(city), "中共乙县委", LocalCommittee).await;
    let t1 = mk(s, Some(a), "中共甲一镇委员会", Committee).await;
    let t2 = mk(s, Some(a), "中共甲二镇委员会", Committee).await;
    let t3 = mk(s, Some(b), "中共乙一镇委员会", Committee).await;
    let v1 = mk(s, Some(t1), "一村党支部", Branch).await;
    mk(s, Some(t1), "二村党支部", Branch).await;
    Tree { city, neighbour, a, b, t1, t2, t3, v1 }
}

async fn scope_of(s: &Store, id: i64) -> Scope {
    Scope::subtrees([org::get(s, &Scope::all(), id).await.unwrap().path])
}

fn campaign_input(takes_part: &str) -> ValidCampaign {
    CampaignInput {
        name: "服务型党组织创建".into(),
        kind: "service".into(),
        starts_on: "2026-01-01".into(),
        ends_on: "2026-12-31".into(),
        takes_part: takes_part.into(),
        depth: "1".into(),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

async fn city_campaign(s: &Store, t: &Tree, takes_part: &str, chosen: &[i64]) -> Campaign {
    let issuer = org::visible(s, &Scope::all(), t.city).await.unwrap();
    campaign::create(s, &Scope::all(), &issuer, &campaign_input(takes_part), chosen, &[]).await.unwrap()
}

fn task_input(target: &str, due: &str, assign: &str, depth: &str) -> domain::campaign::task::ValidTask {
    TaskInput {
        content: "建成党群服务站".into(),
        target: target.into(),
        unit: if target.is_empty() { String::new() } else { "个".into() },
        due_on: due.into(),
        measures: "整合资源".into(),
        responsible: "组织部 王某".into(),
        assign: assign.into(),
        depth: depth.into(),
    }
    .validate()
    .unwrap()
}

/// Assign from `assigner` as a caller whose scope is the assigner's subtree.
async fn assign(
    s: &Store,
    c: &Campaign,
    assigner: i64,
    v: &domain::campaign::task::ValidTask,
    chosen: &[i64],
) -> Result<task::Task, StoreError> {
    let scope = scope_of(s, assigner).await;
    let org = org::visible(s, &scope, assigner).await.unwrap();
    task::create(s, &scope, c.id, &org, v, chosen, d("2026-03-01")).await
}

/// The assignment of `task_id` held by `org`.
async fn of(s: &Store, task_id: i64, org: i64) -> task::Assignment {
    let (_, _, seen) = task::get(s, &Scope::all(), task_id).await.unwrap();
    seen.into_iter().find(|a| a.org_id == org).unwrap()
}

fn split(shares: &[(i64, &str)]) -> CascadeInput {
    CascadeInput {
        responsible: "县委组织部 李某".into(),
        shares: shares.iter().map(|(o, v)| (*o, v.to_string())).collect(),
        ..Default::default()
    }
}

fn invalid<T: std::fmt::Debug>(r: Result<T, StoreError>, field: &str) {
    match r {
        Err(StoreError::Invalid(e)) => assert!(e.has(field), "{field}: {e}"),
        other => panic!("{field}: {other:?}"),
    }
}

fn refused<T: std::fmt::Debug>(r: Result<T, StoreError>) {
    assert!(matches!(r, Err(StoreError::Refused(_))), "{r:?}");
}

fn not_found<T: std::fmt::Debug>(r: Result<T, StoreError>) {
    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
}

async fn last_action(s: &Store) -> String {
    store::audit::recent(s, 1).await.unwrap().remove(0).action
}

async fn report(
    s: &Store,
    holder: i64,
    assignment: i64,
    value: &str,
    done: bool,
    files: Vec<(&str, &[u8])>,
) -> Result<task::Report, StoreError> {
    let scope = scope_of(s, holder).await;
    let v = ReportInput { value: value.into(), done, note: "按计划推进".into() }.validate(true).unwrap();
    let files = files.into_iter().map(|(n, c)| (n.to_string(), c.to_vec())).collect();
    task::report(s, &scope, assignment, &v, files).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_go_down_the_subtree_and_shares_add_up_when_split() {
    for db in TestDb::both().await {
        let s = &db.store;
        let t = build(s).await;
        let c = city_campaign(s, &t, "level", &[]).await;

        // the city to its counties (one level), each given the task's target
        let city_task = assign(s, &c, t.city, &task_input("12", "2026-06-30", "level", "1"), &[]).await.unwrap();
        assert_eq!(last_action(s).await, "campaign_task.create");
        let (_, full, seen) = task::get(s, &Scope::all(), city_task.id).await.unwrap();
        assert!(full.full);
        assert_eq!(
            seen.iter().map(|a| (a.org_id, a.share_milli)).collect::<Vec<_>>(),
            [(t.a, Some(12_000)), (t.b, Some(12_000))]
        );
        // two levels down: the townships
        let towns = assign(s, &c, t.city, &task_input("", "2026-06-30", "level", "2"), &[]).await.unwrap();
        let (_, _, seen) = task::get(s, &Scope::all(), towns.id).await.unwrap();
        assert_eq!(seen.iter().map(|a| a.org_id).collect::<Vec<_>>(), [t.t1, t.t2, t.t3]);
        assert!(seen.iter().all(|a| a.share_milli.is_none()), "a deliverable has no shares");
        // a county assigns down its own subtree: a chosen village, not the other county's town
        let mine = assign(s, &c, t.a, &task_input("3", "2026-05-31", "chosen", ""), &[t.v1]).await.unwrap();
        assert_eq!(mine.org_id, t.a);
        invalid(assign(s, &c, t.a, &task_input("3", "2026-05-31", "chosen", ""), &[t.t3]).await, "承办单位");
        invalid(assign(s, &c, t.a, &task_input("3", "2026-05-31", "chosen", ""), &[t.a]).await, "承办单位");
        invalid(assign(s, &c, t.v1, &task_input("3", "2026-05-31", "level", "1"), &[]).await, "承办单位");
        invalid(assign(s, &c, t.city, &task_input("3", "2027-01-31", "level", "1"), &[]).await, "完成期限");
        // a campaign over a chosen county: 乙县 is outside its territory
        let chosen = city_campaign(s, &t, "chosen", &[t.a]).await;
        not_found(assign(s, &chosen, t.b, &task_input("3", "2026-05-31", "level", "1"), &[]).await);
        let from_b = org::visible(s, &Scope::all(), t.b).await.unwrap();
        let v = task_input("3", "2026-05-31", "level", "1");
        invalid(
            task::create(s, &scope_of(s, t.city).await, chosen.id, &from_b, &v, &[], d("2026-03-01")).await,
            "布置单位",
        );
        invalid(assign(s, &chosen, t.city, &task_input("3", "2026-05-31", "chosen", ""), &[t.t3]).await, "承办单位");
        let only_a = assign(s, &chosen, t.city, &task_input("3", "2026-05-31", "level", "1"), &[]).await.unwrap();
        let (_, _, seen) = task::get(s, &Scope::all(), only_a.id).await.unwrap();
        assert_eq!(seen.iter().map(|a| a.org_id).collect::<Vec<_>>(), [t.a], "only the chosen county");

        // 甲县 splits its 12 among its townships: the shares must add up, to its own subordinates
        let held = of(s, city_task.id, t.a).await;
        let a_scope = scope_of(s, t.a).await;
        let due = city_task.due_on;
        let e = split(&[(t.t1, "5"), (t.t2, "6")]).validate(held.share_milli, "个", due).unwrap_err();
        assert!(e.has("分解任务量"), "{e:?}");
        let bad = ValidCascade {
            due_on: due,
            measures: String::new(),
            responsible: "李某".into(),
            shares: vec![(t.t1, Some(5_000)), (t.t2, Some(6_000))],
        };
        invalid(task::cascade(s, &a_scope, held.id, &bad, d("2026-03-01")).await, "分解任务量");
        let stranger = ValidCascade { shares: vec![(t.t1, Some(5_000)), (t.v1, Some(7_000))], ..bad.clone() };
        invalid(task::cascade(s, &a_scope, held.id, &stranger, d("2026-03-01")).await, "分解单位");
        let late = ValidCascade { due_on: d("2026-07-01"), shares: vec![(t.t1, Some(12_000))], ..bad.clone() };
        invalid(task::cascade(s, &a_scope, held.id, &late, d("2026-03-01")).await, "完成期限");
        // only the holder's side splits it
        let good = split(&[(t.t1, "5"), (t.t2, "7")]).validate(held.share_milli, "个", due).unwrap();
        not_found(task::cascade(s, &scope_of(s, t.b).await, held.id, &good, d("2026-03-01")).await);
        not_found(task::cascade(s, &scope_of(s, t.t1).await, held.id, &good, d("2026-03-01")).await);
        let sub = task::cascade(s, &a_scope, held.id, &good, d("2026-03-01")).await.unwrap();
        assert_eq!(last_action(s).await, "campaign_task.cascade");
        assert_eq!(
            (sub.org_id, sub.parent_assignment_id, sub.target_milli, sub.content.as_str()),
            (t.a, Some(held.id), Some(12_000), "建成党群服务站")
        );
        let (_, _, seen) = task::get(s, &a_scope, sub.id).await.unwrap();
        assert_eq!(
            seen.iter().map(|a| (a.org_id, a.share_milli)).collect::<Vec<_>>(),
            [(t.t1, Some(5_000)), (t.t2, Some(7_000))]
        );
        assert_eq!(of(s, city_task.id, t.a).await.cascade_id, Some(sub.id));
        refused(task::cascade(s, &a_scope, held.id, &good, d("2026-03-01")).await);

        // who sees what: the assigner's side all; a county its own line; a township its
        // county's line above it; the neighbouring city nothing
        let (_, acc, seen) = task::get(s, &a_scope, city_task.id).await.unwrap();
        assert!(!acc.full);
        assert_eq!(seen.iter().map(|a| a.org_id).collect::<Vec<_>>(), [t.a]);
        let (_, _, seen) = task::get(s, &scope_of(s, t.t3).await, city_task.id).await.unwrap();
        assert_eq!(seen.iter().map(|a| a.org_id).collect::<Vec<_>>(), [t.b]);
        not_found(task::get(s, &scope_of(s, t.neighbour).await, city_task.id).await);
        not_found(task::get(s, &scope_of(s, t.b).await, sub.id).await);
        not_found(task::get(s, &scope_of(s, t.b).await, mine.id).await);
        let (_, acc, seen) = task::get(s, &scope_of(s, t.city).await, sub.id).await.unwrap();
        assert!(acc.full && seen.len() == 2);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_is_reported_with_evidence_and_accepted_or_returned() {
    for db in TestDb::both().await {
        let s = &db.store;
        let t = build(s).await;
        let c = city_campaign(s, &t, "level", &[]).await;
        let tk = assign(s, &c, t.city, &task_input("12", "2026-06-30", "level", "1"), &[]).await.unwrap();
        let a = of(s, tk.id, t.a).await;
        let city = scope_of(s, t.city).await;

        // the county reports 5 with a photo; the city is asked to decide
        not_found(report(s, t.b, a.id, "5", false, vec![]).await);
        let r1 = report(s, t.a, a.id, "5", false, vec![("现场.png", PNG)]).await.unwrap();
        assert_eq!(last_action(s).await, "campaign_task.report");
        assert_eq!(of(s, tk.id, t.a).await.status, "reported");
        refused(report(s, t.a, a.id, "6", false, vec![]).await);
        let files = task::reports(s, &[a.id]).await.unwrap();
        assert_eq!((files.len(), files[0].1.len(), files[0].1[0].name.as_str()), (1, 1, "现场.png"));
        let ev = files[0].1[0].id;
        assert_eq!(task::evidence(s, &scope_of(s, t.a).await, ev).await.unwrap().1, PNG);
        task::evidence(s, &city, ev).await.unwrap();
        not_found(task::evidence(s, &scope_of(s, t.b).await, ev).await);

        // only the assigner's side decides; a return needs its reason
        not_found(task::decide(s, &scope_of(s, t.a).await, a.id, true, "", d("2026-04-01")).await);
        invalid(task::decide(s, &city, a.id, false, " ", d("2026-04-01")).await, "退回理由");
        let (_, back, r) = task::decide(s, &city, a.id, false, "缺少台账", d("2026-04-01")).await.unwrap();
        assert_eq!(last_action(s).await, "campaign_task.return");
        assert_eq!((back.status.as_str(), back.progress_milli), ("returned", 0));
        assert_eq!((r.id, r.decision_label(), r.reason.as_str()), (r1.id, "已退回", "缺少台账"));
        refused(task::decide(s, &city, a.id, true, "", d("2026-04-01")).await);

        // reported again and accepted: the progress counts, the task is not yet complete
        report(s, t.a, a.id, "8", false, vec![]).await.unwrap();
        let (_, got, _) = task::decide(s, &city, a.id, true, "", d("2026-04-15")).await.unwrap();
        assert_eq!(last_action(s).await, "campaign_task.accept");
        assert_eq!((got.status.as_str(), got.progress_milli, got.done, got.done_on), ("accepted", 8_000, 0, None));
        assert_eq!(got.progress_text(), "8 / 12个");

        // completion needs evidence, checked by its content
        invalid(report(s, t.a, a.id, "12", true, vec![]).await, "佐证材料");
        invalid(report(s, t.a, a.id, "12", true, vec![("台账.png", b"not a picture")]).await, "佐证材料");
        assert_eq!(of(s, tk.id, t.a).await.status, "accepted", "nothing was written");
        report(s, t.a, a.id, "12", false, vec![("台账.png", PNG), ("", b"")]).await.unwrap();
        let (_, got, _) = task::decide(s, &city, a.id, true, "", d("2026-05-20")).await.unwrap();
        assert_eq!(
            (got.done, got.done_on, got.status_label()),
            (1, Some(d("2026-05-20")), "已完成"),
            "reached its share"
        );
        refused(report(s, t.a, a.id, "13", false, vec![]).await);
        let history = task::reports(s, &[a.id]).await.unwrap();
        assert_eq!(
            history.iter().map(|(r, _)| r.decision.as_str()).collect::<Vec<_>>(),
            ["accepted", "accepted", "returned"]
        );
        assert_eq!(history[0].1.len(), 1, "the empty file input is not kept");

        // a deliverable is complete when reported done and accepted
        let deliver = assign(s, &c, t.city, &task_input("", "2026-06-30", "level", "1"), &[]).await.unwrap();
        let b = of(s, deliver.id, t.b).await;
        let b_scope = scope_of(s, t.b).await;
        let v =
            ReportInput { done: true, note: "已完成制度建设".into(), ..Default::default() }.validate(false).unwrap();
        task::report(s, &b_scope, b.id, &v, vec![("制度.pdf".into(), b"%PDF-1.4 x".to_vec())]).await.unwrap();
        let (_, got, _) = task::decide(s, &city, b.id, true, "", d("2026-06-01")).await.unwrap();
        assert_eq!((got.done, got.progress_text().as_str()), (1, "已完成"));
        assert!(store::audit::verify(s).await.unwrap().ok());
        db.finish().await;
    }
}

fn completion_indicator() -> Indicator {
    Indicator {
        code: "tasks".into(),
        label: "任务完成率".into(),
        source: "task_completion".into(),
        param: String::new(),
        weight: 10,
        scoring: Scoring::Linear,
        target_milli: 100_000,
        steps: vec![],
        unit: "%".into(),
    }
}

async fn completion_of(s: &Store, c: &Campaign, on: &str) -> Vec<(i64, Option<(f64, Option<f64>)>)> {
    let issuer = org::visible(s, &Scope::all(), c.org_id).await.unwrap();
    let parts = campaign::participants(s, c, d(on)).await.unwrap();
    let m = measure::measure(s, c, &issuer, &parts, &[completion_indicator()], d(on)).await.unwrap();
    measure::read_inputs(s, c, &issuer, &parts, &[completion_indicator()], d(on)).await.unwrap();
    parts
        .iter()
        .map(|p| (p.org_id, m.get(&(p.org_id, "tasks".to_string())).map(|x: &Measure| (x.num, x.den))))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overdue_and_task_completion_are_read_as_of_a_date() {
    for db in TestDb::both().await {
        let s = &db.store;
        let t = build(s).await;
        let c = city_campaign(s, &t, "level", &[]).await;
        let city = scope_of(s, t.city).await;
        let tk = assign(s, &c, t.city, &task_input("10", "2026-03-31", "level", "1"), &[]).await.unwrap();
        assign(s, &c, t.city, &task_input("", "2026-09-30", "level", "1"), &[]).await.unwrap();
        let a = of(s, tk.id, t.a).await;
        // 甲县 splits its share between its townships (due the same day)
        let good = split(&[(t.t1, "4"), (t.t2, "6")]).validate(a.share_milli, "个", tk.due_on).unwrap();
        let sub = task::cascade(s, &scope_of(s, t.a).await, a.id, &good, d("2026-03-01")).await.unwrap();
        let t1 = of(s, sub.id, t.t1).await;
        report(s, t.t1, t1.id, "4", false, vec![]).await.unwrap();
        task::decide(s, &scope_of(s, t.a).await, t1.id, true, "", d("2026-04-05")).await.unwrap();
        report(s, t.a, a.id, "10", true, vec![("台账.png", PNG)]).await.unwrap();
        task::decide(s, &city, a.id, true, "", d("2026-04-10")).await.unwrap();

        // overdue: past the deadline, not complete by the day
        let names = |v: Vec<(i64, String, String, NaiveDate)>| v.into_iter().map(|x| x.0).collect::<Vec<_>>();
        assert!(task::overdue_on(s, &c, d("2026-03-31")).await.unwrap().is_empty(), "due that day is not late");
        assert_eq!(names(task::overdue_on(s, &c, d("2026-04-01")).await.unwrap()), [t.a, t.t1, t.t2, t.b]);
        assert_eq!(names(task::overdue_on(s, &c, d("2026-04-05")).await.unwrap()), [t.a, t.t2, t.b]);
        let on = task::overdue_on(s, &c, d("2026-04-10")).await.unwrap();
        assert_eq!(names(on.clone()), [t.t2, t.b]);
        assert_eq!((on[1].1.as_str(), on[1].2.as_str(), on[1].3), ("中共乙县委", "建成党群服务站", d("2026-03-31")));

        // the overdue view of 甲县 in both directions, and completion by subtree
        let county = org::visible(s, &city, t.a).await.unwrap();
        let (found, total) = task::findings(s, &c, &county, d("2026-04-06"), 50, 0).await.unwrap();
        assert_eq!(total, 2, "its own (overdue) and 甲二镇's (split by it)");
        assert_eq!(found.iter().map(|x| x.org_id).collect::<Vec<_>>(), [t.a, t.t2]);
        let (found, _) = task::findings(s, &c, &county, d("2026-04-10"), 50, 0).await.unwrap();
        assert_eq!(found.iter().map(|x| x.org_id).collect::<Vec<_>>(), [t.t2]);
        let top = org::visible(s, &city, t.city).await.unwrap();
        let rows = task::completion(s, &c, &top, d("2026-04-10")).await.unwrap();
        let a_row = rows.iter().find(|r| r.org_id == t.a).unwrap();
        assert_eq!((a_row.assignments, a_row.complete, a_row.overdue, a_row.quantified), (4, 2, 1, 3));
        assert!((a_row.progress - (1.0 + 1.0 + 0.0) / 3.0).abs() < 1e-9);
        assert!(rows.iter().all(|r| !r.own), "the city holds no assignment of its own");
        let (mine, n) = task::assigned_to(s, &c, &county, 50, 0).await.unwrap();
        assert_eq!((n, mine[0].task_id), (2, tk.id + 1), "the open one first");
        let (by, n) = task::assigned_by(s, &c, &county, 50, 0).await.unwrap();
        assert_eq!((n, by[0].assignments, by[0].complete), (1, 2, 1));

        // task completion: complete by the date over what fell due by it, in each subtree
        assert_eq!(
            completion_of(s, &c, "2026-03-30").await,
            [(t.a, Some((0.0, Some(0.0)))), (t.b, Some((0.0, Some(0.0))))]
        );
        assert_eq!(
            completion_of(s, &c, "2026-04-01").await,
            [(t.a, Some((0.0, Some(3.0)))), (t.b, Some((0.0, Some(1.0))))]
        );
        assert_eq!(completion_of(s, &c, "2026-04-05").await[0], (t.a, Some((1.0, Some(3.0)))));
        assert_eq!(completion_of(s, &c, "2026-04-10").await[0], (t.a, Some((2.0, Some(3.0)))));
        assert_eq!(
            completion_of(s, &c, "2026-10-01").await[1],
            (t.b, Some((0.0, Some(2.0)))),
            "the deliverable fell due"
        );
        db.finish().await;
    }
}
