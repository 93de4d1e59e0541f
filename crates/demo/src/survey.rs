//! The demo's surveys: the first two counties under the root (a district build: the district)
//! each issue the preset 党组织满意度测评
//! (members and residents, a window around the demo date) over their subtree; most targets get a
//! resident base (a few are left without, so the tally says 未录入群众基数), members and residents
//! answer through the store's bulk writer (audited as one record per survey). Each target leans
//! satisfied or not by a draw from the seed, so some fall below 90 % and grading's GRADE-06 cap
//! has work to do. Respondents are capped per target to keep the build fast.

use chrono::{Duration, NaiveDate};
use domain::org::OrgKind;
use domain::survey::{preset, Audience, BaseKind, ValidSurvey};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use store::{Actor, Scope, Store};

/// Answers at most this many members and residents per target.
const MEMBERS_PER_TARGET: i64 = 12;
const RESIDENTS_PER_TARGET: i64 = 24;

/// What the demo wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurveySummary {
    pub surveys: u64,
    pub answers: u64,
}

fn pick<'a>(rng: &mut ChaCha8Rng, choices: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = choices.iter().map(|c| c.1).sum();
    let mut x = rng.gen_range(0..total);
    for (c, w) in choices {
        if x < *w {
            return c;
        }
        x -= w;
    }
    choices[0].0
}

/// One answer to the preset, leaning satisfied with weight `lean` (0–100).
fn answer(rng: &mut ChaCha8Rng, lean: u32) -> Vec<(String, String)> {
    let rating = [("满意", lean), ("基本满意", 12), ("不满意", 100 - lean.min(95)), ("不了解", 4)];
    let mut pairs: Vec<(String, String)> = (1..=4).map(|i| (format!("q{i}"), pick(rng, &rating).to_string())).collect();
    let how = [("公开栏", 3), ("党员或网格员上门", 3), ("微信群或公众号", 4), ("没有了解过", 1)];
    pairs.push(("q5".into(), pick(rng, &how).to_string()));
    for c in ["为民办实事", "环境整治", "帮扶困难群众", "发展集体经济", "矛盾纠纷调解"] {
        if rng.gen_bool(0.3) {
            pairs.push(("q6".into(), c.into()));
        }
    }
    if rng.gen_bool(0.08) {
        let said = ["希望多开展便民服务活动", "村务公开要更及时", "建议定期走访困难群众", "活动场所开放时间可以更长"];
        pairs.push(("q7".into(), said[rng.gen_range(0..said.len())].into()));
    }
    pairs
}

pub async fn build(
    store: &Store,
    rng: &mut ChaCha8Rng,
    today: NaiveDate,
    root_id: i64,
) -> anyhow::Result<SurveySummary> {
    let scope = Scope::all().acting_as(Actor::new("demo", "演示数据"));
    let q = preset("satisfaction").expect("the preset").input().validate().expect("the preset is valid");
    let mut issuers: Vec<i64> = store::org::subtree(store, &scope, root_id, Some(1))
        .await?
        .into_iter()
        .filter(|n| n.depth == 1 && n.org.kind == OrgKind::LocalCommittee)
        .take(2)
        .map(|n| n.org.id)
        .collect();
    if issuers.is_empty() {
        // a district build: the district itself is the county graded
        issuers.push(root_id);
    }
    let mut out = SurveySummary::default();
    for c in issuers {
        let issuer = store::org::visible(store, &scope, c).await?;
        let v = ValidSurvey {
            questionnaire: q.clone(),
            audience: Audience::Both,
            opens_on: today - Duration::days(20),
            closes_on: today + Duration::days(10),
            member_permille: 1000,
            resident_permille: 100,
        };
        let s = store::survey::create(store, &scope, &issuer, &v, &[]).await?;
        let targets = store::survey::targets(store, &s).await?;
        let mut bases = Vec::new();
        let (mut members, mut residents) = (Vec::new(), Vec::new());
        for t in &targets {
            // a target leans satisfied (most), lukewarm or dissatisfied
            let lean = match rng.gen_range(0..10) {
                0 => 45,
                1..=2 => 75,
                _ => 92,
            };
            let base = rng.gen_range(150..600i64);
            if rng.gen_range(0..8) > 0 {
                bases.push((t.org_id, Some(base), BaseKind::Households));
            }
            let who = store::survey::members_under(store, &t.org_path, MEMBERS_PER_TARGET).await?;
            for m in who {
                if rng.gen_range(0..10) < 8 {
                    let a = q.check_answer(&answer(rng, lean)).expect("a demo answer is valid");
                    members.push((m, t.org_id, a));
                }
            }
            for _ in 0..rng.gen_range(RESIDENTS_PER_TARGET / 2..=RESIDENTS_PER_TARGET) {
                let a = q.check_answer(&answer(rng, lean)).expect("a demo answer is valid");
                residents.push((t.org_id, a));
            }
        }
        store::survey::set_bases(store, &scope, &s, &bases).await?;
        out.answers += (members.len() + residents.len()) as u64;
        store::survey::bulk_answers(store, &scope, &s, &members, &residents).await?;
        out.surveys += 1;
    }
    Ok(out)
}
