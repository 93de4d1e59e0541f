//! 软弱涣散 in the demo city: a handful of village organizations identified this year and last,
//! in every state of WEAK-05 — suspected (from the grading's bottom), dismissed, confirmed with a
//! plan being drafted, rectifying with items open, reported, returned and overdue, accepted,
//! followed (跟踪问效) and closed — written through the store's functions as the demo actor, so
//! every step is audited like real work; then the daily sweep finds the overdue items and the
//! missing WEAK-06 links. Which villages are chosen and the dates follow from the seed and the
//! demo's `today`.

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate};
use domain::org::{OrgKind, Sector};
use domain::weak_and_lax::{self as rules, Origin, TickInput, TransitionInput, ValidItem};
use rand::seq::SliceRandom;
use serde::Serialize;
use store::weak_and_lax as weak;
use store::{Actor, Scope, Store};

/// What the demo holds of weak and lax organizations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WeakSummary {
    pub identified: u64,
    /// Per state code, how many.
    pub by_state: Vec<(String, u64)>,
    pub items: u64,
    pub findings: u64,
}

/// The states the demo's organizations are left in, in order.
const PLAN: &[&str] = &[
    "suspected",
    "suspected",
    "dismissed",
    "confirmed",
    "rectifying",
    "rectifying",
    "rectifying",
    "accepted",
    "monitored",
    "monitored",
    "closed",
];

const PROBLEMS: &[(&str, &str, &str)] = &[
    ("三会一课不经常，组织生活不规范", "每月固定主题党日，按季度召开党员大会，会议记录报乡镇党委审核", "村党支部书记"),
    ("班子不团结，议事决策不规范", "乡镇党委约谈班子成员，落实“四议两公开”", "乡镇党委副书记"),
    ("党务村务财务公开不及时", "每季度在公开栏和微信群公开，乡镇纪委监督", "村务监督委员会主任"),
    ("无固定活动场所", "利用闲置校舍改建党群服务站", "驻村第一书记"),
    ("党员教育管理松散", "建立党员积分管理，开展集中轮训", "村党支部组织委员"),
];

async fn step(
    store: &Store,
    sc: &Scope,
    id: i64,
    action: &str,
    on: NaiveDate,
    r: &str,
    note: &str,
) -> anyhow::Result<()> {
    let w = weak::get(store, sc, id).await?;
    let f = weak::facts(store, &w).await?;
    let input =
        TransitionInput { action: action.into(), on: on.to_string(), decision_ref: r.into(), note: note.into() };
    let t = rules::transition(&input, &f, on).map_err(|e| anyhow::anyhow!("{action}: {e:?}"))?;
    weak::apply(store, sc, id, &t).await?;
    Ok(())
}

/// Write the demo's weak-and-lax organizations under `root_id` as of `today`.
pub(crate) async fn build(store: &Store, seed: u64, today: NaiveDate, root_id: i64) -> anyhow::Result<WeakSummary> {
    let sc = Scope::all().acting_as(Actor::new("demo", "演示数据"));
    let mut villages: Vec<domain::org::Org> = store::org::subtree(store, &sc, root_id, None)
        .await?
        .into_iter()
        .map(|n| n.org)
        .filter(|o| o.kind == OrgKind::Branch && o.sector == Sector::Rural)
        .collect();
    if villages.len() < PLAN.len() {
        return Ok(WeakSummary::default());
    }
    let mut rng = crate::rng_for(seed, "weak_and_lax");
    villages.shuffle(&mut rng);
    let year = today.year();
    let jan = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).expect("date");
    let mut s = WeakSummary::default();
    for (k, (state, village)) in PLAN.iter().zip(villages.iter()).enumerate() {
        let org = store::org::visible(store, &sc, village.id).await?;
        // closed and followed ones were identified the year before
        let y = if *state == "closed" { year - 1 } else { year };
        let found = jan(y, 2, 10 + k as u32);
        if *state == "suspected" && k == 0 {
            weak::propose_bottom(store, &sc, &[org.id], &format!("{}年度分类定级为较差（末位）", year - 1), found)
                .await?;
            s.identified += 1;
            continue;
        }
        let in_force = weak::criteria_in_force(store, &org, found).await?;
        let codes: &[(&str, &str)] = match k % 3 {
            0 => &[("N04", "上年度仅召开党员大会1次，无主题党日记录"), ("N10", "群众测评满意率52%")],
            1 => &[("N03", "两委班子长期不和，重大事项议而不决"), ("N07", "村务公开栏半年未更新")],
            _ => &[("N01", "书记长期外出务工，工作处于停滞状态"), ("N09", "无固定村级组织活动场所")],
        };
        let ticks: Vec<TickInput> =
            codes.iter().map(|(c, e)| TickInput { code: (*c).into(), evidence: (*e).into() }).collect();
        let ticks = rules::check_ticks(&ticks, &in_force).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let r = weak::create(store, &sc, &org, Origin::Manual, "村级自查、乡镇复核、县级核实属实", &ticks, found)
            .await
            .context("登记软弱涣散党组织失败")?;
        s.identified += 1;
        if *state == "suspected" {
            continue;
        }
        let decided = found + Duration::days(20);
        if *state == "dismissed" {
            step(store, &sc, r.id, "dismiss", decided, "", "县级核实：问题已于排查期间整改到位").await?;
            continue;
        }
        step(store, &sc, r.id, "confirm", decided, &format!("县委常委会会议纪要〔{y}〕{}号", 3 + k), "").await?;
        if k % 4 != 1 {
            weak::set_links(store, &sc, r.id, &("县委副书记".into(), "乡镇党委书记".into(), "县农业农村局".into()))
                .await?;
        } else {
            weak::set_links(store, &sc, r.id, &("县政协副主席".into(), String::new(), String::new())).await?;
        }
        // the plan: three items, deadlines spread over the months after the decision
        let mut ids = Vec::new();
        for (i, (p, m, o)) in PROBLEMS.iter().cycle().skip(k).take(3).enumerate() {
            let due = decided + Duration::days(90 + 60 * i as i64);
            let it = ValidItem { problem: (*p).into(), measure: (*m).into(), owner: (*o).into(), deadline: due };
            ids.push((weak::add_item(store, &sc, r.id, &it).await?.id, due));
            s.items += 1;
        }
        if *state == "confirmed" {
            continue;
        }
        step(store, &sc, r.id, "start", decided + Duration::days(5), "", "").await?;
        let finished = *state != "rectifying";
        let mut all_accepted = true;
        let mut last = decided + Duration::days(5);
        for (i, (id, due)) in ids.iter().enumerate() {
            let reported = *due - Duration::days(7);
            let decided_on = reported + Duration::days(3);
            // while rectifying: the first item reported and accepted, the second returned, the
            // third left open (overdue once its date has passed)
            let (report, accept) = if finished { (true, true) } else { (i < 2, i == 0) };
            if !report || reported > today {
                all_accepted = false;
                continue;
            }
            weak::report_item(store, &sc, *id, "已按措施完成，相关记录和照片已归档", reported).await?;
            if decided_on > today {
                all_accepted = false;
                continue;
            }
            if accept {
                weak::decide_item(store, &sc, *id, true, "", decided_on).await?;
                last = last.max(decided_on);
            } else {
                all_accepted = false;
                weak::decide_item(store, &sc, *id, false, "佐证材料不全，请补充会议记录", decided_on).await?;
            }
        }
        if !finished || !all_accepted {
            continue;
        }
        let accepted = last;
        step(store, &sc, r.id, "accept", accepted, "", "县委组织部逐项验收").await?;
        if *state == "accepted" {
            continue;
        }
        step(store, &sc, r.id, "monitor", accepted, "", "").await?;
        if *state == "closed" {
            let w = weak::get(store, &sc, r.id).await?;
            if let Some(end) = w.monitor_ends_on.filter(|e| *e <= today) {
                step(store, &sc, r.id, "close", end, "", "跟踪问效期满，未出现反弹").await?;
            }
        }
    }
    let root = store::org::visible(store, &sc, root_id).await?;
    let swept = weak::sweep(store, &sc, &root, today).await?;
    s.findings = swept.findings as u64;
    for st in rules::State::ALL {
        let (_, n) = weak::list(store, &root, &weak::Filter { state: Some(*st), year: None }, 1, 0).await?;
        if n > 0 {
            s.by_state.push((st.code().to_string(), n as u64));
        }
    }
    Ok(s)
}
