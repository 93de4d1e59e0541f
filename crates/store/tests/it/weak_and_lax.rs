//! 软弱涣散 on SQLite and PostgreSQL: the life cycle of WEAK-05 step by step (and the steps
//! refused), 销号 only when every plan item is accepted, 跟踪问效 for the months set; an overdue
//! item becomes a finding and a message up the tree once (the sweep is idempotent); proposals from
//! data (no organization life for N months, a 书记 post vacant over 3 months); the WEAK-06 links
//! listed as findings; the local criteria as dated versions; scope. Every write is audited.

use chrono::NaiveDate;
use domain::account::{PasswordPolicy, Role};
use domain::life::RecordInput;
use domain::message::Audience;
use domain::officer::OfficerInput;
use domain::org::{Org, OrgInput, OrgKind, Sector};
use domain::weak_and_lax::{self as rules, Origin, TickInput, TransitionInput, ValidCriterion, ValidItem};
use store::account::NewAccount;
use store::message::Visibility;
use store::testing::TestDb;
use store::weak_and_lax as weak;
use store::{member, message, org, Actor, Scope, Store, StoreError};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn mk_org(s: &Store, parent: Option<i64>, name: &str, kind: OrgKind, sector: Sector) -> Org {
    let input = OrgInput {
        name: name.into(),
        kind: Some(kind),
        sector: Some(sector),
        has_committee: kind != OrgKind::Branch,
        founded_on: Some(d("2015-01-01")),
        ..Default::default()
    };
    let o = org::create(s, &Scope::all(), parent, &input, d("2026-01-05")).await.unwrap();
    org::get(s, &Scope::all(), o.id).await.unwrap()
}

async fn account(s: &Store, name: &str, role: Role, org: i64) -> i64 {
    let new = NewAccount {
        username: name.into(),
        display_name: name.into(),
        password: "Test#2026pass".into(),
        grants: vec![(role, Some(org))],
        ..Default::default()
    };
    store::account::create_account(s, &Scope::all(), &new, &PasswordPolicy::default()).await.unwrap().account.id
}

fn vis(role: Role, path: &str) -> Visibility {
    Audience::ALL
        .iter()
        .map(|a| {
            let scope = if domain::access::role_has(role, a.perm()) {
                Scope::subtrees([path.to_string()])
            } else {
                Scope::none()
            };
            (*a, scope)
        })
        .collect()
}

fn acting(name: &str, path: &str) -> Scope {
    Scope::subtrees([path.to_string()]).acting_as(Actor::new(name, "组织部"))
}

/// 县委 (组织部 account) → 镇 → 一村 (rural), 二村 (rural); 乙县委 → 乙村 beside it.
struct W {
    county: Org,
    town: Org,
    v1: Org,
    v2: Org,
    other: Org,
    dept: i64,
    worker: i64,
}

async fn build(s: &Store) -> W {
    let city = mk_org(s, None, "中共样例市委", OrgKind::LocalCommittee, Sector::Organs).await;
    let county = mk_org(s, Some(city.id), "中共甲县委", OrgKind::LocalCommittee, Sector::Organs).await;
    let town = mk_org(s, Some(county.id), "中共甲镇委员会", OrgKind::Committee, Sector::Rural).await;
    let v1 = mk_org(s, Some(town.id), "一村党支部", OrgKind::Branch, Sector::Rural).await;
    let v2 = mk_org(s, Some(town.id), "二村党支部", OrgKind::Branch, Sector::Rural).await;
    let oc = mk_org(s, Some(city.id), "中共乙县委", OrgKind::LocalCommittee, Sector::Organs).await;
    let other = mk_org(s, Some(oc.id), "乙村党支部", OrgKind::Branch, Sector::Rural).await;
    W {
        dept: account(s, "county_dept", Role::OrgDeptAdmin, county.id).await,
        worker: account(s, "v1_worker", Role::PartyWorker, v1.id).await,
        county,
        town,
        v1,
        v2,
        other,
    }
}

async fn step(
    s: &Store,
    sc: &Scope,
    id: i64,
    action: &str,
    on: &str,
    r: &str,
    note: &str,
) -> Result<weak::WeakOrg, String> {
    let w = weak::get(s, sc, id).await.unwrap();
    let f = weak::facts(s, &w).await.unwrap();
    let input = TransitionInput { action: action.into(), on: on.into(), decision_ref: r.into(), note: note.into() };
    let t = rules::transition(&input, &f, d(on)).map_err(|e| format!("{e:?}"))?;
    weak::apply(s, sc, id, &t).await.map_err(|e| e.to_string())
}

fn item(problem: &str, due: &str) -> ValidItem {
    ValidItem { problem: problem.into(), measure: "整改措施".into(), owner: "村支书".into(), deadline: d(due) }
}

// WEAK-05: suspected → confirmed → rectifying → accepted → monitored (1 year) → closed, each
// step from its own state only; 销号 only when every item is accepted
#[tokio::test]
async fn life_cycle_to_closing() {
    for db in TestDb::both().await {
        let s = &db.store;
        let w = build(s).await;
        let sc = acting("县委组织部", &w.county.path);
        let v1 = org::visible(s, &sc, w.v1.id).await.unwrap();
        let in_force = weak::criteria_in_force(s, &v1, d("2026-02-01")).await.unwrap();
        assert_eq!(in_force.len(), 10, "the national ten (WEAK-01)");
        let ticks = rules::check_ticks(
            &[TickInput { code: "N04".into(), evidence: "全年仅召开一次党员大会".into() }],
            &in_force,
        )
        .unwrap();
        let r = weak::create(s, &sc, &v1, Origin::Manual, "乡镇复核属实", &ticks, d("2026-02-01")).await.unwrap();
        assert_eq!(r.state, "suspected");
        // a second identification while one is open is refused
        assert!(matches!(
            weak::create(s, &sc, &v1, Origin::Manual, "", &ticks, d("2026-02-02")).await,
            Err(StoreError::Refused(_))
        ));
        // skipping a step, or confirming without the decision's reference, is refused
        assert!(step(s, &sc, r.id, "start", "2026-02-10", "", "").await.is_err());
        assert!(step(s, &sc, r.id, "confirm", "2026-02-10", "", "").await.unwrap_err().contains("认定依据"));
        let c = step(s, &sc, r.id, "confirm", "2026-02-10", "县委常委会〔2026〕2号", "").await.unwrap();
        assert_eq!((c.state.as_str(), c.confirmed_on), ("confirmed", Some(d("2026-02-10"))));
        assert_eq!(c.decision_ref, "县委常委会〔2026〕2号");
        // no plan yet: rectification cannot start
        assert!(step(s, &sc, r.id, "start", "2026-02-12", "", "").await.unwrap_err().contains("整改方案"));
        let a = weak::add_item(s, &sc, r.id, &item("组织生活不经常", "2026-06-30")).await.unwrap();
        let b = weak::add_item(s, &sc, r.id, &item("无活动场所", "2026-09-30")).await.unwrap();
        // reporting before rectification starts is refused
        assert!(matches!(
            weak::report_item(s, &sc, a.id, "已按月召开", d("2026-02-12")).await,
            Err(StoreError::Refused(_))
        ));
        step(s, &sc, r.id, "start", "2026-02-12", "", "").await.unwrap();
        weak::report_item(s, &sc, a.id, "3至5月按月召开主题党日", d("2026-05-31")).await.unwrap();
        weak::report_item(s, &sc, b.id, "活动场所已建成", d("2026-06-01")).await.unwrap();
        // one accepted, one returned: 销号 refused, naming the plan
        weak::decide_item(s, &sc, a.id, true, "", d("2026-06-02")).await.unwrap();
        let back = weak::decide_item(s, &sc, b.id, false, "缺少验收照片", d("2026-06-02")).await.unwrap();
        assert_eq!((back.status.as_str(), back.return_reason.as_str()), ("returned", "缺少验收照片"));
        let refused = step(s, &sc, r.id, "accept", "2026-06-03", "", "").await.unwrap_err();
        assert!(refused.contains("全部验收") && refused.contains("已验收 1 项"), "{refused}");
        // deciding twice is refused
        assert!(matches!(
            weak::decide_item(s, &sc, a.id, true, "", d("2026-06-03")).await,
            Err(StoreError::Refused(_))
        ));
        weak::report_item(s, &sc, b.id, "补充验收照片", d("2026-06-05")).await.unwrap();
        weak::decide_item(s, &sc, b.id, true, "", d("2026-06-06")).await.unwrap();
        let acc = step(s, &sc, r.id, "accept", "2026-06-10", "", "").await.unwrap();
        assert_eq!((acc.state.as_str(), acc.accepted_on), ("accepted", Some(d("2026-06-10"))));
        let mon = step(s, &sc, r.id, "monitor", "2026-06-10", "", "").await.unwrap();
        assert_eq!(mon.monitor_ends_on, Some(d("2027-06-10")), "跟踪问效 1 year (WEAK-05)");
        assert!(step(s, &sc, r.id, "close", "2026-12-01", "", "").await.unwrap_err().contains("期满"));
        let closed = step(s, &sc, r.id, "close", "2027-06-10", "", "").await.unwrap();
        assert_eq!((closed.state.as_str(), closed.closed_on), ("closed", Some(d("2027-06-10"))));
        // the history names every step
        let ev = weak::events(s, &closed).await.unwrap();
        let steps: Vec<&str> = ev.iter().map(|e| e.to_state.as_str()).collect();
        assert_eq!(steps, ["suspected", "confirmed", "rectifying", "accepted", "monitored", "closed"]);
        assert!(ev.iter().all(|e| e.done_by == "县委组织部"));
        // closed: the organization may be identified again
        weak::create(s, &sc, &v1, Origin::Manual, "", &ticks, d("2027-07-01")).await.unwrap();

        // dismissed with a reason
        let v2 = org::visible(s, &sc, w.v2.id).await.unwrap();
        let r2 = weak::create(s, &sc, &v2, Origin::Manual, "", &ticks, d("2026-02-01")).await.unwrap();
        assert!(step(s, &sc, r2.id, "dismiss", "2026-02-05", "", "").await.unwrap_err().contains("说明"));
        let dis = step(s, &sc, r2.id, "dismiss", "2026-02-05", "", "核实后问题已解决").await.unwrap();
        assert_eq!((dis.state.as_str(), dis.reason.as_str()), ("dismissed", "核实后问题已解决"));

        // a step applied from a state read earlier is refused (another officer moved it)
        let r3 = weak::create(s, &sc, &v2, Origin::Manual, "", &ticks, d("2026-03-01")).await.unwrap();
        let f = weak::facts(s, &r3).await.unwrap();
        let t = rules::transition(
            &TransitionInput { action: "confirm".into(), decision_ref: "x".into(), ..Default::default() },
            &f,
            d("2026-03-02"),
        )
        .unwrap();
        weak::apply(s, &sc, r3.id, &t).await.unwrap();
        assert!(matches!(weak::apply(s, &sc, r3.id, &t).await, Err(StoreError::Refused(_))));

        // scope: another county's 组织部 does not find it
        let other_sc = acting("乙县委组织部", &w.other.path);
        assert!(matches!(weak::get(s, &other_sc, r.id).await, Err(StoreError::NotFound(_))));
        assert!(matches!(
            weak::report_item(s, &other_sc, a.id, "x", d("2026-06-01")).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(store::audit::verify(s).await.unwrap().ok());
        db.finish().await;
    }
}

// an overdue item becomes a finding and a message up the tree (and to the organization), once
#[tokio::test]
async fn overdue_items_found_and_told_once() {
    for db in TestDb::both().await {
        let s = &db.store;
        let w = build(s).await;
        let sc = acting("县委组织部", &w.county.path);
        let v1 = org::visible(s, &sc, w.v1.id).await.unwrap();
        let in_force = weak::criteria_in_force(s, &v1, d("2026-02-01")).await.unwrap();
        let ticks =
            rules::check_ticks(&[TickInput { code: "N09".into(), evidence: "无活动场所".into() }], &in_force).unwrap();
        let r = weak::create(s, &sc, &v1, Origin::Manual, "", &ticks, d("2026-02-01")).await.unwrap();
        step(s, &sc, r.id, "confirm", "2026-02-10", "县委常委会〔2026〕2号", "").await.unwrap();
        let late = weak::add_item(s, &sc, r.id, &item("活动场所建设", "2026-05-31")).await.unwrap();
        let done = weak::add_item(s, &sc, r.id, &item("建立制度", "2026-04-30")).await.unwrap();
        weak::add_item(s, &sc, r.id, &item("班子调整", "2026-12-31")).await.unwrap();
        step(s, &sc, r.id, "start", "2026-02-12", "", "").await.unwrap();
        weak::report_item(s, &sc, done.id, "制度上墙", d("2026-04-20")).await.unwrap();
        weak::decide_item(s, &sc, done.id, true, "", d("2026-04-25")).await.unwrap();
        weak::set_links(s, &sc, r.id, &("张副县长".into(), "李镇长".into(), "县财政局".into())).await.unwrap();

        let county = org::visible(s, &Scope::all(), w.county.id).await.unwrap();
        let first = weak::sweep(s, &Scope::all(), &county, d("2026-06-15")).await.unwrap();
        assert_eq!((first.overdue_items, first.newly_told), (1, 1), "{first:?}");
        let (found, _) = weak::findings(s, &county, 50, 0).await.unwrap();
        let overdue: Vec<_> = found.iter().filter(|f| f.kind == "overdue_item").collect();
        assert_eq!(overdue.len(), 1);
        assert_eq!(overdue[0].item_id, Some(late.id));
        assert!(overdue[0].message.contains("活动场所建设") && overdue[0].message.contains("2026-05-31"));
        // the 组织部 above (nearest 管理分类定级 accounts) and the village's own worker are told
        let dept_vis = vis(Role::OrgDeptAdmin, &w.county.path);
        let m = message::inbox(s, w.dept, &dept_vis, false, 1, 50).await.unwrap();
        assert_eq!(m.total, 1, "{m:?}");
        assert!(m.items[0].title.contains("一村党支部") && m.items[0].link == format!("/weak-and-lax/{}", r.id));
        assert_eq!(message::unread(s, w.worker, &vis(Role::PartyWorker, &w.v1.path)).await.unwrap(), 1);
        // idempotent: the same day or later, no second message, the same findings
        let again = weak::sweep(s, &Scope::all(), &county, d("2026-06-16")).await.unwrap();
        assert_eq!((again.overdue_items, again.newly_told, again.findings), (1, 0, first.findings));
        assert_eq!(message::inbox(s, w.dept, &dept_vis, false, 1, 50).await.unwrap().total, 1);
        // accepted late: no longer a finding
        weak::report_item(s, &sc, late.id, "场所建成", d("2026-06-20")).await.unwrap();
        weak::decide_item(s, &sc, late.id, true, "", d("2026-06-21")).await.unwrap();
        let after = weak::sweep(s, &Scope::all(), &county, d("2026-06-22")).await.unwrap();
        assert_eq!(after.overdue_items, 0);
        assert!(store::audit::verify(s).await.unwrap().ok());
        db.finish().await;
    }
}

// WEAK-06: a weak village organization lacking a link is listed, naming what is missing; the
// 第一书记 link is satisfied by a village posting in post on the day
#[tokio::test]
async fn missing_links_are_findings() {
    for db in TestDb::both().await {
        let s = &db.store;
        let w = build(s).await;
        let sc = acting("县委组织部", &w.county.path);
        let v2 = org::visible(s, &sc, w.v2.id).await.unwrap();
        let in_force = weak::criteria_in_force(s, &v2, d("2026-02-01")).await.unwrap();
        let ticks =
            rules::check_ticks(&[TickInput { code: "N03".into(), evidence: "班子内耗".into() }], &in_force).unwrap();
        let r = weak::create(s, &sc, &v2, Origin::Manual, "", &ticks, d("2026-02-01")).await.unwrap();
        let town = org::visible(s, &Scope::all(), w.town.id).await.unwrap();
        // suspected: no links required yet
        weak::sweep(s, &Scope::all(), &town, d("2026-02-05")).await.unwrap();
        assert_eq!(weak::findings(s, &town, 50, 0).await.unwrap().1, 0);
        step(s, &sc, r.id, "confirm", "2026-02-10", "县委常委会〔2026〕2号", "").await.unwrap();
        weak::set_links(s, &sc, r.id, &("张副县长".into(), String::new(), "县财政局".into())).await.unwrap();
        weak::sweep(s, &Scope::all(), &town, d("2026-02-15")).await.unwrap();
        let (f, n) = weak::findings(s, &town, 50, 0).await.unwrap();
        assert_eq!(n, 1);
        assert_eq!(f[0].kind, "missing_link");
        assert!(f[0].message.contains("包村乡镇领导") && !f[0].message.contains("联系县级领导"), "{}", f[0].message);
        assert!(f[0].message.contains("驻村第一书记"), "no posting yet: {}", f[0].message);
        // WEAK-06: a first secretary posted to 二村 from March is its 第一书记 link from then on
        let posting = domain::first_secretary::PostingInput {
            name: "驻村干部".into(),
            sending_unit: "县财政局".into(),
            kind: "village".into(),
            org_ids: vec![w.v2.id.to_string()],
            starts_on: "2026-03-01".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        store::first_secretary::create(s, &sc, std::slice::from_ref(&v2), &posting).await.unwrap();
        weak::sweep(s, &Scope::all(), &town, d("2026-02-20")).await.unwrap();
        assert!(weak::findings(s, &town, 50, 0).await.unwrap().0[0].message.contains("驻村第一书记"));
        weak::set_links(s, &sc, r.id, &("张副县长".into(), "李副镇长".into(), "县财政局".into())).await.unwrap();
        weak::sweep(s, &Scope::all(), &town, d("2026-03-02")).await.unwrap();
        assert_eq!(weak::findings(s, &town, 50, 0).await.unwrap().1, 0, "every link in place, the posting included");
        assert_eq!(weak::first_secretary_orgs(s, &town.path, d("2026-03-02")).await.unwrap().len(), 1);
        db.finish().await;
    }
}

fn life(title: &str, on: &str) -> RecordInput {
    RecordInput {
        types: vec!["party_lecture".into()],
        title: title.into(),
        held_on: on.into(),
        place: "村委会".into(),
        host: "书记".into(),
        recorder: "委员".into(),
        lecturer: "书记".into(),
        expected: "10".into(),
        present: "9".into(),
        ..Default::default()
    }
}

// proposals from data: no organization life for N months (N is data), a 书记 post vacant more
// than 3 months (WEAK-01 local, from 班子成员); idempotent
#[tokio::test]
async fn proposals_from_data() {
    for db in TestDb::both().await {
        let s = &db.store;
        let w = build(s).await;
        let sc = acting("县委组织部", &w.county.path);
        let today = d("2026-09-01");
        // 一村 met in August; 二村 last met in January (more than 6 months ago)
        store::life::create(s, &Scope::all(), w.v1.id, &life("八月党课", "2026-08-10"), false).await.unwrap();
        store::life::create(s, &Scope::all(), w.v2.id, &life("一月党课", "2026-01-20"), false).await.unwrap();
        // 一村's 书记 left on 2026-05-15 and nobody took the post
        let m = member::create(
            s,
            &Scope::all(),
            w.v1.id,
            &domain::member::MemberInput {
                name: "王书记".into(),
                id_number: domain::idcard::compose("110105", d("1970-03-01"), 11),
                category: Some(domain::member::Category::Full),
                join_date: Some(d("2000-07-01")),
                ..Default::default()
            },
            today,
        )
        .await
        .unwrap()
        .id;
        let o = domain::officer::validate(
            &OfficerInput {
                member_id: m.to_string(),
                role: "secretary".into(),
                started_on: "2021-01-01".into(),
                ended_on: "2026-05-15".into(),
                ..Default::default()
            },
            today,
        )
        .unwrap();
        store::officer::add(s, &Scope::all(), w.v1.id, &o).await.unwrap();

        let town = org::visible(s, &sc, w.town.id).await.unwrap();
        let p = weak::propose(s, &sc, &town, today).await.unwrap();
        // 一村 (vacant post), 二村 (no life since January) and the town (no record at all)
        assert_eq!(p.created.len(), 3, "{p:?}");
        let (rows, _) = weak::list(s, &town, &weak::Filter::default(), 50, 0).await.unwrap();
        let of = |id: i64| rows.iter().find(|r| r.org_id == id).unwrap().clone();
        let r1 = of(w.v1.id);
        assert_eq!((r1.state.as_str(), r1.origin.as_str()), ("suspected", "vacant_secretary"));
        let t1 = weak::ticks(s, &r1).await.unwrap();
        assert_eq!(t1.len(), 1);
        assert_eq!(t1[0].code, "N01", "the national item 1 while the local preset is not adopted");
        assert!(t1[0].evidence.contains("2026-05-15"), "{}", t1[0].evidence);
        let r2 = of(w.v2.id);
        assert_eq!(r2.origin, "no_life");
        let t2 = weak::ticks(s, &r2).await.unwrap();
        assert_eq!(t2[0].code, "N04");
        assert!(t2[0].evidence.contains("2026-01-20"), "{}", t2[0].evidence);
        assert_eq!(of(w.town.id).origin, "no_life");
        // a second run proposes nothing new: what is open is left as it is
        let again = weak::propose(s, &sc, &town, today).await.unwrap();
        assert!(again.created.is_empty(), "{again:?}");
        assert_eq!(again.already, 3);

        // N is data: a county version of 12 months, and a vacancy counted from the local preset
        let county = org::visible(s, &sc, w.county.id).await.unwrap();
        let s12 = rules::Settings { no_life_months: 12, ..rules::DEFAULT_SETTINGS };
        weak::set_settings(s, &sc, &county, &s12, d("2026-01-01")).await.unwrap();
        assert_eq!(weak::settings(s, &town, today).await.unwrap().no_life_months, 12);
        assert_eq!(weak::adopt_preset(s, &sc, &county, d("2026-01-01")).await.unwrap(), rules::LOCAL_PRESET.len());
        assert_eq!(weak::adopt_preset(s, &sc, &county, d("2026-01-01")).await.unwrap(), 0, "already in force");
        assert!(weak::criteria_in_force(s, &town, today).await.unwrap().iter().any(|c| c.code == "L01"));
        assert!(!weak::criteria_in_force(s, &town, d("2025-12-31")).await.unwrap().iter().any(|c| c.code == "L01"));
        let code = weak::add_criterion(
            s,
            &sc,
            &county,
            &ValidCriterion { label: "村集体经济连续3年空壳".into(), valid_from: d("2026-03-01") },
        )
        .await
        .unwrap();
        assert!(code.starts_with('C'));
        // the criteria page's rows; another county's 组织部 cannot retire them
        let local = weak::local_criteria(s, &town).await.unwrap();
        assert_eq!(local.len(), rules::LOCAL_PRESET.len() + 1);
        let other_sc = acting("乙县委组织部", &w.other.path);
        assert!(matches!(weak::retire_criterion(s, &other_sc, local[0].id, today).await, Err(StoreError::NotFound(_))));
        weak::retire_criterion(s, &sc, local[0].id, today).await.unwrap();
        assert!(!weak::criteria_in_force(s, &town, today).await.unwrap().iter().any(|c| c.code == local[0].code));
        assert!(store::audit::verify(s).await.unwrap().ok());
        db.finish().await;
    }
}

// the grading cycle's hook: the bottom become suspected, ticking 年度考核末位 where adopted
#[tokio::test]
async fn bottom_of_grading_proposed() {
    for db in TestDb::both().await {
        let s = &db.store;
        let w = build(s).await;
        let sc = acting("县委组织部", &w.county.path);
        let county = org::visible(s, &sc, w.county.id).await.unwrap();
        weak::adopt_preset(s, &sc, &county, d("2026-01-01")).await.unwrap();
        let p =
            weak::propose_bottom(s, &sc, &[w.v1.id, w.v2.id], "2026年度分类定级为较差", d("2026-12-20")).await.unwrap();
        assert_eq!(p.created.len(), 2);
        let r = weak::get(s, &sc, p.created[0]).await.unwrap();
        assert_eq!(r.origin, "bottom");
        assert_eq!(weak::ticks(s, &r).await.unwrap()[0].code, "L04");
        // out of scope: nothing is written
        assert!(matches!(
            weak::propose_bottom(s, &sc, &[w.other.id], "较差", d("2026-12-20")).await,
            Err(StoreError::NotFound(_))
        ));
        db.finish().await;
    }
}
