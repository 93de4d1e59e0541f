//! Deterministic demo data: a district, the city of speech 000 (遵义市: 14 counties, 243 townships
//! and streets, 1990 villages and communities, 224 township service centres and 1276 village
//! service stations built) or a whole province (贵州省, 88 counties, over 200,000 organizations and
//! 5,000,000 members).
//!
//! The same seed always gives the same data: every random choice comes from a ChaCha8 stream
//! derived from the seed and the place being generated. Generation streams one county at a
//! time, so a province never holds its members in memory. The district and the city also get a
//! year of organization life and of campaigns (创建活动: standards, sites, training, dispatch
//! rounds), written through the store's own functions after the tree and its members.
//!
//! ```no_run
//! # async fn f(store: &store::Store) -> anyhow::Result<()> {
//! let opts = demo::DemoOptions {
//!     scale: demo::Scale::City,
//!     seed: 2026,
//!     today: chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
//! };
//! let summary = demo::build(store, &opts, &store::NoProgress).await?;
//! println!("{}", summary.report());
//! # Ok(()) }
//! ```

mod campaign;
mod data;
mod first_secretary;
mod gen;
mod grading;
mod life;
mod people;
mod plan;
mod survey;
mod tree;
mod weak_and_lax;
mod write;

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use domain::member::{Category, Sex};
use domain::org::{FacilityKind, FacilityStatus, OrgKind, Sector};
use domain::region;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use store::member::BulkRow;
use store::{Progress, Store, Tx};

use gen::{short_place, Ctx, Gen, Level, Profile};
use people::{Ids, MemberGen, Mix, Namer};
use plan::CountyPlan;
use tree::{Hold, Role, Tree};

pub use campaign::CampaignSummary;
pub use first_secretary::FirstSecretarySummary;
pub use grading::GradingSummary;
pub use life::{FindingCount, LifeProfile, LifeSummary, ProfileCount};
pub use weak_and_lax::WeakSummary;

/// How much to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// One district (播州区): about 300 organizations and 6,000–7,000 members.
    District,
    /// The city of speech 000 (遵义市): about 3,900 grassroots organizations, 80,000 members.
    City,
    /// The province (贵州省): over 200,000 organizations and 5,000,000 members.
    Province,
}

impl Scale {
    pub fn label(self) -> &'static str {
        match self {
            Scale::District => "区县",
            Scale::City => "地市",
            Scale::Province => "省",
        }
    }
}

impl FromStr for Scale {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "district" | "区县" | "区" | "县" => Ok(Scale::District),
            "city" | "地市" | "市" => Ok(Scale::City),
            "province" | "省" => Ok(Scale::Province),
            other => Err(format!("规模“{other}”无法识别，应为 district（区县）、city（地市）或 province（省）")),
        }
    }
}

impl std::fmt::Display for Scale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Scale::District => "district",
            Scale::City => "city",
            Scale::Province => "province",
        })
    }
}

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub scale: Scale,
    pub seed: u64,
    /// The date the data is generated for: ages, join dates, terms and facility years are
    /// relative to it.
    pub today: NaiveDate,
}

/// Grassroots organizations of one sector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectorCount {
    pub sector: String,
    pub grassroots_orgs: u64,
}

/// What a build produced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DemoSummary {
    pub scale: String,
    pub seed: u64,
    pub root_id: i64,
    pub root_name: String,
    /// Every organization written, including 地方党委 and 党小组.
    pub orgs: u64,
    /// 基层党组织: committees, general branches and branches (RULES STAT 7.1).
    pub grassroots_orgs: u64,
    pub committees: u64,
    pub general_branches: u64,
    pub branches: u64,
    pub party_groups: u64,
    /// 党组 (leading groups of the government, congress, CPPCC, court, procuratorate and
    /// departments), under their 地方党委; not grassroots organizations.
    pub leading_groups: u64,
    pub prefectures: u64,
    pub counties: u64,
    pub townships: u64,
    pub villages_communities: u64,
    pub villages: u64,
    pub communities: u64,
    pub service_centers_built: u64,
    pub service_stations_built: u64,
    pub members: u64,
    pub full_members: u64,
    pub probationary: u64,
    pub female: u64,
    pub minority: u64,
    pub mobile: u64,
    pub by_sector: Vec<SectorCount>,
    /// The year of organization life (none at province scale).
    pub life: LifeSummary,
    /// The campaigns of the year (none at province scale).
    pub campaigns: CampaignSummary,
    /// 测评: surveys issued and answers written.
    pub surveys: u64,
    pub survey_answers: u64,
    /// Weak-and-lax organizations in every state of their rectification (none at province scale).
    pub weak_and_lax: WeakSummary,
    /// 分类定级: two graded years and the demo year's cycle in two counties (none at province scale).
    pub grading: GradingSummary,
    /// 第一书记、党建工作指导员 and 支部联系人 (none at province scale).
    pub first_secretaries: FirstSecretarySummary,
}

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

impl DemoSummary {
    /// Members per branch (党支部 in the wide sense).
    pub fn members_per_branch(&self) -> f64 {
        if self.branches == 0 {
            0.0
        } else {
            self.members as f64 / self.branches as f64
        }
    }

    /// A Chinese report of the figures.
    pub fn report(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!("演示数据已生成（规模：{}，种子 {}）\n", self.scale, self.seed));
        s.push_str(&format!("  顶层党组织：{}（编号 {}）\n", self.root_name, self.root_id));
        if self.prefectures > 0 {
            s.push_str(&format!("  市（州）{} 个，", self.prefectures));
        } else {
            s.push_str("  ");
        }
        s.push_str(&format!(
            "县（市、区）{} 个，乡镇（街道）{} 个，村（社区）{} 个（村 {}、社区 {}）\n",
            self.counties, self.townships, self.villages_communities, self.villages, self.communities
        ));
        s.push_str(&format!(
            "  党组织 {} 个，其中基层党组织 {} 个（党委 {}、党总支 {}、党支部 {}），另有党小组 {} 个\n",
            self.orgs, self.grassroots_orgs, self.committees, self.general_branches, self.branches, self.party_groups
        ));
        if self.leading_groups > 0 {
            s.push_str(&format!("  党组 {} 个（政府、人大、政协、法院、检察院及部分部门）\n", self.leading_groups));
        }
        let sectors: Vec<String> =
            self.by_sector.iter().map(|c| format!("{} {}", c.sector, c.grassroots_orgs)).collect();
        s.push_str(&format!("  基层党组织按领域：{}\n", sectors.join("、")));
        s.push_str(&format!(
            "  党员 {} 名（正式党员 {}、预备党员 {}），平均每个党支部 {:.1} 名；女党员占 {:.1}%，少数民族党员占 {:.1}%，流动党员 {} 名\n",
            self.members,
            self.full_members,
            self.probationary,
            self.members_per_branch(),
            pct(self.female, self.members),
            pct(self.minority, self.members),
            self.mobile
        ));
        s.push_str(&format!(
            "  党务政务综合服务中心：已建成 {} 个，覆盖 {:.1}% 的乡镇（街道）\n",
            self.service_centers_built,
            pct(self.service_centers_built, self.townships)
        ));
        s.push_str(&format!(
            "  党员群众综合服务站：已建成 {} 个，覆盖 {:.1}% 的村（社区）\n",
            self.service_stations_built,
            pct(self.service_stations_built, self.villages_communities)
        ));
        s.push_str(&self.life.report());
        s.push_str(&self.campaigns.report());
        if self.surveys > 0 {
            s.push_str(&format!(
                "  测评：{} 个（党员、群众满意度测评），答卷 {} 份\n",
                self.surveys, self.survey_answers
            ));
        }
        if self.grading.cycles > 0 {
            s.push_str(&format!(
                "  分类定级：{} 次定级工作，确定等次 {} 个，异议 {} 件，本年度满意率取自测评 {} 个\n",
                self.grading.cycles, self.grading.final_grades, self.grading.objections, self.grading.from_surveys
            ));
        }
        s.push_str(&self.first_secretaries.report());
        s
    }
}

/// A 64-bit seed for one part of the build: FNV-1a of the key, mixed with the seed (splitmix64).
fn sub_seed(seed: u64, key: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut z = seed ^ h;
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn rng_for(seed: u64, key: &str) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(sub_seed(seed, key))
}

/// Members to generate in one organization.
struct HoldRec {
    org_id: i64,
    path: String,
    hold: Hold,
}

/// One unit of generation: the top of the tree, or one county.
struct Area {
    key: String,
    holds: Vec<HoldRec>,
}

fn county_ctx(c: &CountyPlan, pref: &'static str, pref_name: &str) -> Ctx {
    Ctx {
        place: short_place(c.name),
        full: region::full_name(c.code).unwrap_or_else(|| c.name.to_string()),
        region: c.code,
        seat: c.code,
        pref,
        mix: Arc::new(Mix::for_place(&[c.name], &[pref_name])),
        level: Level::County,
    }
}

fn upper_ctx(code: &'static str, level: Level) -> Ctx {
    let d = region::lookup(code);
    let name = d.map(|d| d.name).unwrap_or(code);
    let (seat, pref) = match level {
        Level::Province => {
            let first_pref = plan::counties_of("520100").first().map(|c| c.code).unwrap_or(code);
            (first_pref, "520100")
        }
        _ => (plan::counties_of(code).first().map(|c| c.code).unwrap_or(code), code),
    };
    Ctx {
        place: short_place(name),
        full: region::full_name(code).unwrap_or_else(|| name.to_string()),
        region: code,
        seat,
        pref,
        mix: Arc::new(Mix::for_place(&[name], &[])),
        level,
    }
}

/// Tallies of what was written.
#[derive(Default)]
struct Tally {
    s: DemoSummary,
    sectors: HashMap<Sector, u64>,
}

impl Tally {
    fn tree(&mut self, t: &Tree) {
        for n in &t.nodes {
            let kind = n.kind();
            self.s.orgs += 1;
            if kind.is_grassroots() {
                self.s.grassroots_orgs += 1;
                *self.sectors.entry(n.org.sector.unwrap_or(Sector::Other)).or_default() += 1;
            }
            if kind.is_committee() {
                self.s.committees += 1;
            } else if kind == OrgKind::GeneralBranch {
                self.s.general_branches += 1;
            } else if kind.is_branch() {
                self.s.branches += 1;
            } else if kind == OrgKind::PartyGroup {
                self.s.party_groups += 1;
            } else if kind == OrgKind::LeadingGroup {
                self.s.leading_groups += 1;
            }
            match n.role {
                Role::Township => self.s.townships += 1,
                Role::Village => {
                    self.s.villages_communities += 1;
                    if n.org.sector == Some(Sector::Community) {
                        self.s.communities += 1;
                    } else {
                        self.s.villages += 1;
                    }
                }
                _ => {}
            }
            for f in &n.org.facilities {
                if f.status == FacilityStatus::Built {
                    match f.kind {
                        FacilityKind::ServiceCenter => self.s.service_centers_built += 1,
                        FacilityKind::ServiceStation => self.s.service_stations_built += 1,
                        _ => {}
                    }
                }
            }
        }
    }
}

/// Collect the member plans of a written tree.
fn holds_of(tree: &mut Tree, ids: &[i64]) -> Vec<HoldRec> {
    tree.nodes
        .iter_mut()
        .zip(ids)
        .filter_map(|(n, id)| {
            n.hold.take().map(|hold| HoldRec { org_id: *id, path: std::mem::take(&mut n.path), hold })
        })
        .collect()
}

async fn next_tx(store: &Store, tx: Tx, per_area: bool) -> anyhow::Result<Tx> {
    if per_area {
        tx.commit().await.context("提交事务失败")?;
        Ok(store.begin().await?)
    } else {
        Ok(tx)
    }
}

/// Members written per `insert_new` call (it writes 400-row statements; the roll-up update per
/// call is one statement per affected organization and ancestor).
const MEMBER_CHUNK: usize = 2000;

/// Build the demo data into an empty database.
///
/// District and city scale are written in one transaction. The province is written one county
/// per transaction (a single transaction of 5 million rows would hold the writer too long); if a
/// province build is interrupted, start again on a fresh database.
pub async fn build(store: &Store, opts: &DemoOptions, progress: &dyn Progress) -> anyhow::Result<DemoSummary> {
    let existing = store::org_bulk::org_count(store).await?;
    if existing > 0 {
        bail!(
            "数据库中已有 {existing} 个党组织，演示数据只能生成到空数据库中。请使用新的数据库（SQLite 可换一个文件或删除现有文件）后重试"
        );
    }
    let today = opts.today;
    let seed = opts.seed;
    let per_area = opts.scale == Scale::Province;
    let profile = Profile::for_scale(opts.scale);
    let namer = Namer::default();
    let prefs = plan::geography(opts.scale, &mut rng_for(seed, "plan"));

    // the top of the tree: root, prefectures, counties and the units above county level
    let first = prefs.first().context("没有可生成的地区")?;
    let mut top =
        Gen::new(rng_for(seed, "top"), today, &profile, &namer, Tree::under("", 1), upper_ctx(first.code, Level::City));
    let mut counties: Vec<(usize, &CountyPlan, Ctx)> = Vec::new();
    // 地方党委 above county level, which get their 党组 in the top tree
    let mut uppers: Vec<(usize, Ctx)> = Vec::new();
    match opts.scale {
        Scale::District => {
            let c = first.counties.first().context("没有可生成的区县")?;
            let ctx = county_ctx(c, first.code, first.name);
            top.ctx = ctx.clone();
            let i = top.local(None, format!("中共{}委", c.name), format!("{}委", ctx.place), c.code);
            counties.push((i, c, ctx));
        }
        Scale::City => {
            let ctx = upper_ctx(first.code, Level::City);
            top.ctx = ctx.clone();
            let root = top.local(None, format!("中共{}委", ctx.place), format!("{}委", ctx.place), first.code);
            for c in &first.counties {
                let cc = county_ctx(c, first.code, first.name);
                top.ctx = cc.clone();
                let i = top.local(Some(root), format!("中共{}委", c.name), format!("{}委", cc.place), c.code);
                counties.push((i, c, cc));
            }
            top.ctx = ctx.clone();
            top.local_units(Some(root));
            uppers.push((root, ctx));
        }
        Scale::Province => {
            let ctx = upper_ctx(plan::PROVINCE_CODE, Level::Province);
            top.ctx = ctx.clone();
            let root = top.local(None, format!("中共{}委", ctx.place), format!("{}委", ctx.place), plan::PROVINCE_CODE);
            for p in &prefs {
                let pc = upper_ctx(p.code, Level::City);
                top.ctx = pc.clone();
                let pi = top.local(Some(root), format!("中共{}委", pc.place), format!("{}委", pc.place), p.code);
                for c in &p.counties {
                    let cc = county_ctx(c, p.code, p.name);
                    top.ctx = cc.clone();
                    let i = top.local(Some(pi), format!("中共{}委", c.name), format!("{}委", cc.place), c.code);
                    counties.push((i, c, cc));
                }
                top.ctx = pc.clone();
                top.local_units(Some(pi));
                uppers.push((pi, pc));
            }
            top.ctx = ctx.clone();
            top.local_units(Some(root));
            uppers.insert(0, (root, ctx));
        }
    }
    top.finalize();
    let mut lg_rng = rng_for(seed, "leading-groups-top");
    for (i, c) in &uppers {
        life::add_leading_groups(&mut top.tree, Some(*i), &c.place, c.region, c.level, &mut lg_rng, &namer, today);
    }

    let mut tally = Tally::default();
    tally.s.scale = opts.scale.to_string();
    tally.s.seed = seed;
    tally.s.counties = counties.len() as u64;
    tally.s.prefectures = if opts.scale == Scale::Province { prefs.len() as u64 } else { 0 };

    progress.start("生成党组织", Some(counties.len() as u64 + 1));
    let mut tx = store.begin().await?;
    let mut top_tree = top.tree;
    tally.tree(&top_tree);
    let top_ids = write::insert_tree(&mut tx, &top_tree, None, today).await?;
    tally.s.root_id = top_ids.first().copied().unwrap_or_default();
    tally.s.root_name = top_tree.nodes.first().map(|n| n.org.name.clone()).unwrap_or_default();
    let county_ids: Vec<(i64, String)> =
        counties.iter().map(|(i, _, _)| (top_ids[*i], top_tree.nodes[*i].path.clone())).collect();
    let mut areas = vec![Area { key: "top".into(), holds: holds_of(&mut top_tree, &top_ids) }];
    drop(top_tree);
    tx = next_tx(store, tx, per_area).await?;
    progress.inc(1);

    let mut communities: HashMap<&'static str, Vec<String>> = HashMap::new();
    for ((_, c, ctx), (county_id, county_path)) in counties.iter().zip(&county_ids) {
        let key = format!("county-{}", c.code);
        let mut g = Gen::new(rng_for(seed, &key), today, &profile, &namer, Tree::under(county_path, 0), ctx.clone());
        g.county(c);
        let mut lg_rng = rng_for(seed, &format!("{key}-leading-groups"));
        life::add_leading_groups(&mut g.tree, None, &ctx.place, ctx.region, Level::County, &mut lg_rng, &namer, today);
        tally.tree(&g.tree);
        let ids = write::insert_tree(&mut tx, &g.tree, Some(*county_id), today).await?;
        write::set_next_child(&mut tx, *county_id, g.tree.base_next).await?;
        communities.insert(c.code, std::mem::take(&mut g.communities));
        areas.push(Area { key, holds: holds_of(&mut g.tree, &ids) });
        tx = next_tx(store, tx, per_area).await?;
        progress.inc(1);
    }
    progress.finish();

    // members, one area at a time
    let total: u64 = areas.iter().flat_map(|a| &a.holds).map(|h| h.hold.n as u64).sum();
    progress.start("生成党员", Some(total));
    let all_counties: Vec<&'static str> =
        region::children(plan::PROVINCE_CODE).flat_map(|p| plan::counties_of(p.code)).map(|d| d.code).collect();
    let mut pref_counties: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
    let mut ids = Ids::new(today);
    let no_communities: Vec<String> = Vec::new();
    for area in areas {
        let mut rng = rng_for(seed, &format!("{}-members", area.key));
        let mut rows: Vec<BulkRow> = Vec::with_capacity(MEMBER_CHUNK);
        for rec in area.holds {
            let pc = pref_counties
                .entry(rec.hold.pref)
                .or_insert_with(|| plan::counties_of(rec.hold.pref).into_iter().map(|d| d.code).collect());
            let mut mg = MemberGen {
                today,
                namer: &namer,
                ids: &mut ids,
                communities: communities.get(rec.hold.region).unwrap_or(&no_communities),
                counties: &all_counties,
                pref_counties: pc,
            };
            for i in 0..rec.hold.n {
                let input = mg.member(&mut rng, &rec.hold, i);
                let v = input
                    .validate(today)
                    .map_err(|e| anyhow::anyhow!("演示数据生成了无效的党员“{}”：{e}", input.name))?;
                let s = &mut tally.s;
                s.members += 1;
                match v.category {
                    Category::Full => s.full_members += 1,
                    Category::Probationary => s.probationary += 1,
                }
                s.female += (v.sex == Sex::Female) as u64;
                s.minority += (v.ethnicity != "汉族") as u64;
                s.mobile += v.is_mobile as u64;
                rows.push(BulkRow { org_id: rec.org_id, org_path: rec.path.clone(), member: v });
            }
            if rows.len() >= MEMBER_CHUNK {
                let full = rows.len() / MEMBER_CHUNK * MEMBER_CHUNK;
                for chunk in rows[..full].chunks(MEMBER_CHUNK) {
                    store::member::insert_new(&mut tx, chunk).await.context("写入党员失败")?;
                }
                progress.inc(full as u64);
                rows.drain(..full);
            }
        }
        if !rows.is_empty() {
            store::member::insert_new(&mut tx, &rows).await.context("写入党员失败")?;
            progress.inc(rows.len() as u64);
        }
        tx = next_tx(store, tx, per_area).await?;
    }
    progress.finish();
    // a year of organization life, in the same transaction (not at province scale: a year of
    // meetings for 250,000 organizations is not a demo)
    let with_life = opts.scale != Scale::Province;
    if with_life {
        tally.s.life = life::build(&mut tx, seed, today, &namer, progress).await?;
    }
    let detail = serde_json::json!({ "scale": opts.scale.to_string(), "seed": opts.seed });
    store::audit::record(&mut tx, &store::Scope::all(), "demo.build", "database", "ok", detail).await?;
    tx.commit().await.context("提交事务失败")?;

    progress.start("更新统计信息", None);
    store.analyze().await?;
    progress.finish();
    if with_life {
        life::check(store, today, &mut tally.s.life, progress).await?;
        // the campaigns read the officers and organization life just written
        tally.s.campaigns = campaign::build(store, opts.scale, seed, today, tally.s.root_id, &namer, progress).await?;
        // 测评: the first two counties' 满意度测评 with members' and residents' answers
        progress.start("生成测评", None);
        let made = survey::build(store, &mut rng_for(seed, "surveys"), today, tally.s.root_id).await?;
        progress.finish();
        tally.s.surveys = made.surveys;
        tally.s.survey_answers = made.answers;
        // 分类定级: two graded years and this year's cycle, reading the surveys just answered
        progress.start("生成分类定级", None);
        tally.s.grading = grading::build(store, &mut rng_for(seed, "grading"), today, tally.s.root_id).await?;
        progress.finish();
        tally.s.weak_and_lax = weak_and_lax::build(store, seed, today, tally.s.root_id).await?;
        // first secretaries for the weak villages (then their WEAK-06 links are swept again) and
        // contact persons sitting in on the meetings just written
        progress.start("生成第一书记与支部联系人", None);
        let (fs, findings) = first_secretary::build(store, seed, today, tally.s.root_id).await?;
        progress.finish();
        tally.s.first_secretaries = fs;
        tally.s.weak_and_lax.findings = findings;
    }

    let mut sectors: Vec<SectorCount> = Sector::ALL
        .iter()
        .filter_map(|s| {
            tally.sectors.get(s).map(|n| SectorCount { sector: s.label().to_string(), grassroots_orgs: *n })
        })
        .collect();
    sectors.retain(|c| c.grassroots_orgs > 0);
    tally.s.by_sector = sectors;
    Ok(tally.s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_parse() {
        assert_eq!("city".parse::<Scale>(), Ok(Scale::City));
        assert_eq!(" Province ".parse::<Scale>(), Ok(Scale::Province));
        assert_eq!("district".parse::<Scale>(), Ok(Scale::District));
        assert!("nation".parse::<Scale>().unwrap_err().contains("district"));
    }

    /// The planned organizations and members of a scale's counties (no database): the city's
    /// grassroots organizations are about 3,900 and the province's counties alone exceed 200,000
    /// organizations and 5,000,000 members. Run with `--nocapture` to see the figures.
    #[test]
    fn planned_sizes() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).expect("date");
        for (scale, seed) in [(Scale::City, 1), (Scale::City, 2), (Scale::Province, 1)] {
            let profile = Profile::for_scale(scale);
            let namer = Namer::default();
            let prefs = plan::geography(scale, &mut rng_for(seed, "plan"));
            let (mut orgs, mut grassroots, mut branches, mut members) = (0u64, 0u64, 0u64, 0u64);
            for p in &prefs {
                for c in &p.counties {
                    let ctx = county_ctx(c, p.code, p.name);
                    let mut g = Gen::new(rng_for(seed, c.code), today, &profile, &namer, Tree::under("0001", 0), ctx);
                    g.county(c);
                    for n in &g.tree.nodes {
                        orgs += 1;
                        grassroots += n.kind().is_grassroots() as u64;
                        branches += n.kind().is_branch() as u64;
                        members += n.hold.as_ref().map(|h| h.n as u64).unwrap_or(0);
                    }
                }
            }
            println!("{scale} (seed {seed}), counties only: {orgs} orgs, {grassroots} grassroots, {branches} branches, {members} members");
            let per_branch = members as f64 / branches as f64;
            assert!((20.0..=25.0).contains(&per_branch), "{per_branch}");
            match scale {
                // the city level adds about 100 more
                Scale::City => assert!((3_650..=3_950).contains(&grassroots), "{grassroots}"),
                _ => assert!(orgs > 215_000 && members > 5_050_000, "{orgs} orgs, {members} members"),
            }
        }
    }

    #[test]
    fn sub_seeds_differ() {
        assert_ne!(sub_seed(1, "top"), sub_seed(2, "top"));
        assert_ne!(sub_seed(1, "top"), sub_seed(1, "county-520328"));
        assert_eq!(sub_seed(1, "top"), sub_seed(1, "top"));
    }
}
