//! 创建活动 for the demo city (and, lighter, the district): the work of speech 000 as the platform
//! would have recorded it over the demo year, written through the store's campaign functions so
//! every row is audited like real work.
//!
//! - Four campaigns, one of each kind: 服务型党组织创建 issued by the city over its counties (a
//!   district: over its townships), with its leadership group of 37 member departments (speech
//!   000 counts 37 for 凤冈); 创新型 by the city over the organizations directly under it;
//!   基层组织建设年 issued by one county over its townships (speech 002); 机关党建 by the organs
//!   working committee over a chosen set of departments (speech 003).
//! - The 服务型 standard in two versions: indicators read from facility coverage (service centres
//!   and stations), the organization-life completion rate, branch secretaries' rotation training,
//!   demonstration sites, funding, and the reported 服务群众事项办结率; the second version, in
//!   force from mid-year, weighs training more and adds a provincial site.
//! - Funding by organization and year (余庆县 200万元 as speech 000 says), demonstration sites
//!   across sectors ("一行业一特色") with stationed cadres, reviewed and some revoked; training
//!   classes whose trainees are the branch secretaries in post, so rotation coverage grows between
//!   the rounds, differs by county and is never complete; reported values accepted, returned with
//!   a reason or still pending.
//! - Two published dispatch rounds months apart, each with its 现场会 (speech 000: exchange
//!   speeches by 4 counties, 1 town, 1 village and 1 community, sites visited, materials, the
//!   experience summarised), and a draft round on the demo date.
//!
//! Every choice comes from a ChaCha8 stream of the seed and the place, and every date from the
//! demo's `today`: the campaign year runs from 1 January (of the previous year when `today` falls
//! in its first quarter), the rounds at fixed shares of the time up to `today`.

use std::collections::{BTreeMap, HashMap, HashSet};

use anyhow::{anyhow, Context};
use chrono::{Datelike, Duration, NaiveDate};
use domain::campaign::indicator::StandardInput;
use domain::campaign::round::Line;
use domain::campaign::site::{SiteInput, SiteLevel};
use domain::campaign::training::{completes, ClassInput};
use domain::campaign::{CampaignInput, Leader, LeaderRole};
use domain::member::Sex;
use domain::officer::OfficerRole;
use domain::org::{Org, OrgKind, Sector};
use domain::path;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use store::campaign::{self as sc, round::MeetingInput, Campaign};
use store::{Actor, NoProgress, Progress, Scope, Store};

use crate::life::unit_of;
use crate::people::Namer;
use crate::{data, rng_for, Scale};

// tasks, secondment nominations and plans: the campaigns' work over the year
#[path = "campaign_work.rs"]
mod work;

// innovation lists, updates and projects of the 创新型 campaign
#[path = "campaign_innovation.rs"]
mod innovation;

/// What the campaigns hold after a build.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CampaignSummary {
    pub campaigns: u64,
    /// The 服务型 campaign, the one with rounds.
    pub service_campaign_id: i64,
    pub standards: u64,
    pub funding_yuan: i64,
    pub sites: u64,
    pub provincial_sites: u64,
    pub revoked_sites: u64,
    pub classes: u64,
    /// Enrolments (a secretary retaking a class counts twice).
    pub trainees: u64,
    pub completed: u64,
    pub reports_accepted: u64,
    pub reports_returned: u64,
    pub reports_pending: u64,
    pub rounds_published: u64,
    pub rounds_draft: u64,
    /// Tasks, those split from an assignment among them, and the assignments.
    pub tasks: u64,
    pub tasks_cascaded: u64,
    pub task_assignments: u64,
    /// Reports of progress, and the decisions on them.
    pub task_reports: u64,
    pub task_reports_accepted: u64,
    pub task_reports_returned: u64,
    pub evidence_files: u64,
    /// The 服务型 campaign's assignments overdue on the demo date.
    pub tasks_overdue: u64,
    pub nominations_accepted: u64,
    pub nominations_rejected: u64,
    pub nominations_pending: u64,
    pub plans_approved: u64,
    pub plans_submitted: u64,
    pub plans_returned: u64,
    pub plans_draft: u64,
    pub milestones_done: u64,
    /// The 创新型 campaign: lists submitted (perfunctory, after the deadline), participants without
    /// one, and later changes of lists.
    pub innovation_lists: u64,
    pub innovation_lists_perfunctory: u64,
    pub innovation_lists_late: u64,
    pub innovation_lists_missing: u64,
    pub innovation_list_changes: u64,
    /// Updates reported, those after the days allowed, and periods due without any.
    pub innovation_updates: u64,
    pub innovation_updates_late: u64,
    pub innovation_updates_missing: u64,
    /// Local versions of the innovation rules.
    pub innovation_rules: u64,
    /// Findings of the campaign's participants as of the demo date.
    pub innovation_findings: u64,
    /// Projects by where they stand on the demo date (a failed mid-term review stays in
    /// implementation), and the gates held on them.
    pub innovation_projects: u64,
    pub projects_proposed: u64,
    pub projects_approved: u64,
    pub projects_implementing: u64,
    pub projects_mid_term: u64,
    pub projects_accepted: u64,
    pub projects_rejected: u64,
    pub project_gates: u64,
    pub project_gates_failed: u64,
}

impl CampaignSummary {
    pub fn report(&self) -> String {
        if self.campaigns == 0 {
            return String::new();
        }
        format!(
            "  创建活动 {} 项，投入经费 {}；示范点 {} 个（省级 {} 个，已撤销 {} 个）；培训班 {} 期，学员 {} 人次（结业 {}）；\
             填报 {} 条（通过 {}、退回 {}、待审核 {}）；调度已发布 {} 次，草稿 {} 次\n\
             \x20 任务 {} 项（分解 {} 项，下达 {} 个单位次）；进展报送 {} 次（通过 {}、退回 {}），佐证材料 {} 份；逾期未完成 {} 个；\
             跟岗学习推荐 {} 人（同意 {}、未同意 {}、待审核 {}）；党建规划 {} 份（已批准 {}、待审核 {}、已退回 {}、草稿 {}），\
             里程碑完成 {} 个\n\
             \x20 创新清单 {} 份（简单应付 {}、逾期 {}，未提交 {} 个单位）；创新动态 {} 条（逾期 {}，未报送 {} 期）；\
             本地规则 {} 条；创新项目 {} 个（申报 {}、立项 {}、实施 {}、中期评估 {}、验收 {}、未立项 {}），\
             评审 {} 次（未通过 {}）；督查发现 {} 条\n",
            self.campaigns,
            domain::campaign::yuan(self.funding_yuan),
            self.sites,
            self.provincial_sites,
            self.revoked_sites,
            self.classes,
            self.trainees,
            self.completed,
            self.reports_accepted + self.reports_returned + self.reports_pending,
            self.reports_accepted,
            self.reports_returned,
            self.reports_pending,
            self.rounds_published,
            self.rounds_draft,
            self.tasks,
            self.tasks_cascaded,
            self.task_assignments,
            self.task_reports,
            self.task_reports_accepted,
            self.task_reports_returned,
            self.evidence_files,
            self.tasks_overdue,
            self.nominations_accepted + self.nominations_rejected + self.nominations_pending,
            self.nominations_accepted,
            self.nominations_rejected,
            self.nominations_pending,
            self.plans_approved + self.plans_submitted + self.plans_returned + self.plans_draft,
            self.plans_approved,
            self.plans_submitted,
            self.plans_returned,
            self.plans_draft,
            self.milestones_done,
            self.innovation_lists,
            self.innovation_lists_perfunctory,
            self.innovation_lists_late,
            self.innovation_lists_missing,
            self.innovation_updates,
            self.innovation_updates_late,
            self.innovation_updates_missing,
            self.innovation_rules,
            self.innovation_projects,
            self.projects_proposed,
            self.projects_approved,
            self.projects_implementing,
            self.projects_mid_term,
            self.projects_accepted,
            self.projects_rejected,
            self.project_gates,
            self.project_gates_failed,
            self.innovation_findings
        )
    }
}

/// The shares of the time from the campaign year's start to `today` at which the rounds are held
/// and the second version of the standard comes into force.
const ROUND_1: f64 = 0.42;
const STANDARD_2: f64 = 0.6;
const ROUND_2: f64 = 0.8;

/// Dates of the campaign year.
struct Cal {
    base: NaiveDate,
    span: i64,
    today: NaiveDate,
}

impl Cal {
    fn new(today: NaiveDate) -> Cal {
        let jan1 = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).expect("1 January");
        let this = jan1(today.year());
        let base = if (today - this).num_days() >= 90 { this } else { jan1(today.year() - 1) };
        Cal { base, span: (today - base).num_days(), today }
    }
    /// The day at share `f` of the time up to `today`.
    fn at(&self, f: f64) -> NaiveDate {
        self.base + Duration::days((f * self.span as f64).round() as i64)
    }
    fn between(&self, rng: &mut ChaCha8Rng, a: f64, b: f64) -> NaiveDate {
        self.at(rng.gen_range(a..b))
    }
    fn year(&self) -> i32 {
        self.base.year()
    }
    fn end(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year(), 12, 31).expect("31 December")
    }
}

/// The place an organization is named for: `中共湄潭县委` → `湄潭县`, `中共湄江镇委员会` → `湄江镇`.
fn place_of(o: &Org) -> String {
    place_named(&o.name, o.kind == OrgKind::LocalCommittee)
}

fn place_named(name: &str, local: bool) -> String {
    if local {
        let s = name.strip_prefix("中共").unwrap_or(name);
        s.strip_suffix('委').unwrap_or(s).to_string()
    } else {
        unit_of(name)
    }
}

/// `遵义市` → `市委`, `播州区` → `区委`.
fn committee_of(place: &str) -> String {
    format!("{}委", place.chars().last().map(String::from).unwrap_or_default())
}

fn cn(n: usize) -> &'static str {
    ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"].get(n.saturating_sub(1)).copied().unwrap_or("十")
}

/// The built tree as the campaigns see it.
struct Places {
    orgs: Vec<Org>,
    by_id: HashMap<i64, usize>,
    /// The 服务型 participants: the counties of a city, the townships of a district.
    units: Vec<usize>,
    /// The counties (the district itself at district scale).
    counties: Vec<usize>,
}

impl Places {
    async fn read(store: &Store, scope: &Scope, root_id: i64, scale: Scale) -> anyhow::Result<Places> {
        let orgs: Vec<Org> =
            store::org::subtree(store, scope, root_id, None).await?.into_iter().map(|n| n.org).collect();
        let by_id = orgs.iter().enumerate().map(|(i, o)| (o.id, i)).collect();
        let mut p = Places { orgs, by_id, units: vec![], counties: vec![] };
        p.counties = match scale {
            Scale::District => vec![0],
            _ => p.children(0).filter(|&i| p.orgs[i].kind == OrgKind::LocalCommittee).collect(),
        };
        p.units = match scale {
            Scale::District => p.townships_of(0),
            _ => p.counties.clone(),
        };
        if p.units.is_empty() {
            return Err(anyhow!("演示数据中没有可参与创建活动的县（区）或乡镇"));
        }
        Ok(p)
    }
    fn parent(&self, i: usize) -> Option<usize> {
        self.orgs[i].parent_id.and_then(|p| self.by_id.get(&p).copied())
    }
    fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let id = self.orgs[i].id;
        (i + 1..self.orgs.len()).filter(move |&j| self.orgs[j].parent_id == Some(id))
    }
    /// The organizations of the subtree of `i` (itself first): contiguous in tree order.
    fn subtree(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let root = self.orgs[i].path.clone();
        (i..self.orgs.len()).take_while(move |&j| path::is_within(&self.orgs[j].path, &root))
    }
    fn rural(&self, i: usize) -> bool {
        matches!(self.orgs[i].sector, Sector::Rural | Sector::Community)
    }
    /// A township or street: what the facility coverage counts a service centre for.
    fn is_township(&self, i: usize) -> bool {
        matches!(self.orgs[i].kind, OrgKind::Committee | OrgKind::WorkingCommittee)
            && self.rural(i)
            && self.parent(i).is_some_and(|p| self.orgs[p].kind == OrgKind::LocalCommittee)
    }
    /// A village or community: what the facility coverage counts a service station for.
    fn is_village(&self, i: usize) -> bool {
        self.rural(i) && self.parent(i).is_some_and(|p| self.is_township(p))
    }
    /// The township an organization is in (itself, if it is one).
    fn township_above(&self, i: usize) -> Option<usize> {
        let mut at = Some(i);
        while let Some(j) = at {
            if self.is_township(j) {
                return Some(j);
            }
            at = self.parent(j);
        }
        None
    }
    fn townships_of(&self, county: usize) -> Vec<usize> {
        self.children(county).filter(|&i| self.is_township(i)).collect()
    }
    fn named(&self, among: &[usize], key: &str) -> Option<usize> {
        among.iter().copied().find(|&i| self.orgs[i].name.contains(key))
    }
}

/// Trainees (member ids) with the sessions each attended.
type Attendance = Vec<(i64, i64)>;

/// A site as written, for the meetings' visits.
struct SiteRec {
    org: usize,
    unit: usize,
    level: SiteLevel,
    feature: String,
    named_on: NaiveDate,
    revoked_on: Option<NaiveDate>,
}

struct Writer<'a> {
    store: &'a Store,
    scope: Scope,
    p: Places,
    cal: Cal,
    seed: u64,
    scale: Scale,
    namer: &'a Namer,
    s: CampaignSummary,
}

/// Build the campaigns of a district or city after its organizations, members, officers and
/// organization life are written.
pub(crate) async fn build(
    store: &Store,
    scale: Scale,
    seed: u64,
    today: NaiveDate,
    root_id: i64,
    namer: &Namer,
    progress: &dyn Progress,
) -> anyhow::Result<CampaignSummary> {
    let scope = Scope::all().acting_as(Actor::new("demo", "演示数据"));
    let p = Places::read(store, &scope, root_id, scale).await?;
    let mut w = Writer { store, scope, p, cal: Cal::new(today), seed, scale, namer, s: CampaignSummary::default() };

    progress.start("生成创建活动", Some(5));
    let service = w.service_campaign().await.context("写入服务型党组织创建失败")?;
    progress.inc(1);
    w.other_campaigns().await.context("写入创建活动失败")?;
    progress.inc(1);
    w.funding(&service).await.context("写入创建经费失败")?;
    progress.inc(1);
    let sites = w.sites(&service).await.context("写入示范点失败")?;
    progress.inc(1);
    w.reports(&service).await.context("写入指标填报失败")?;
    progress.inc(1);
    progress.finish();

    progress.start("生成培训班", Some(w.p.units.len() as u64 + 1));
    w.rotation(&service, progress).await.context("写入培训班失败")?;
    w.special_classes(&service).await.context("写入培训班失败")?;
    progress.inc(1);
    progress.finish();

    w.work(&service, progress).await?;
    w.innovation(progress).await?;

    progress.start("计算调度", Some(3));
    w.rounds(&service, &sites, progress).await.context("计算调度失败")?;
    progress.finish();
    Ok(w.s)
}

impl Writer<'_> {
    fn rng(&self, key: &str) -> ChaCha8Rng {
        rng_for(self.seed, &format!("campaign-{key}"))
    }

    /// A cadre's name.
    fn person(&self, rng: &mut ChaCha8Rng) -> String {
        let sex = if rng.gen_bool(0.25) { Sex::Female } else { Sex::Male };
        let born = rng.gen_range(1966..=1990);
        self.namer.name(rng, sex, born)
    }

    fn root(&self) -> &Org {
        &self.p.orgs[0]
    }

    async fn create(
        &mut self,
        issuer: usize,
        input: CampaignInput,
        chosen: &[usize],
        leaders: Vec<Leader>,
    ) -> anyhow::Result<Campaign> {
        let v = input.validate().map_err(|e| anyhow!("演示数据生成了无效的创建活动“{}”：{e}", input.name))?;
        let org = store::org::visible(self.store, &self.scope, self.p.orgs[issuer].id).await?;
        let ids: Vec<i64> = chosen.iter().map(|&i| self.p.orgs[i].id).collect();
        let c = sc::create(self.store, &self.scope, &org, &v, &ids, &leaders).await?;
        self.s.campaigns += 1;
        Ok(c)
    }

    /// 组长, 副组长 and 成员 with their posts (`posts[0]` is the 组长's), then the member departments.
    fn group(&self, rng: &mut ChaCha8Rng, posts: &[String], departments: &[String]) -> Vec<Leader> {
        let mut out = Vec::new();
        for (k, post) in posts.iter().enumerate() {
            let role = match k {
                0 => LeaderRole::Leader,
                1 | 2 => LeaderRole::Deputy,
                _ => LeaderRole::Member,
            };
            out.push(Leader { role, name: self.person(rng), post: post.clone() });
        }
        out.extend(departments.iter().map(|d| Leader {
            role: LeaderRole::Department,
            name: d.clone(),
            post: String::new(),
        }));
        out
    }

    async fn service_campaign(&mut self) -> anyhow::Result<Campaign> {
        let place = place_of(self.root());
        let w = committee_of(&place);
        let mut rng = self.rng("service");
        // speech 000: 凤冈县's group counts 37 departments
        let departments: Vec<String> = data::DEPARTMENTS.iter().take(37).map(|d| d.replace("{p}", &place)).collect();
        let posts = [
            format!("{w}副书记"),
            format!("{w}常委、组织部部长"),
            format!("{w}组织部常务副部长"),
            format!("{w}组织部副部长"),
            format!("{w}组织部组织科科长"),
            format!("{place}直属机关工委常务副书记"),
            format!("{place}人民政府政务服务中心主任"),
        ];
        let leaders = self.group(&mut rng, &posts, &departments);
        let input = CampaignInput {
            name: format!("{place}服务型党组织创建"),
            kind: "service".into(),
            theme: "服务基层、服务群众、服务发展".into(),
            ideas: "服务、创新、整合".into(),
            starts_on: self.cal.at(0.05).to_string(),
            ends_on: self.cal.end().to_string(),
            takes_part: "chosen".into(),
            name_top: "3".into(),
            ..Default::default()
        };
        let units = self.p.units.clone();
        let c = self.create(0, input, &units, leaders).await?;
        self.s.service_campaign_id = c.id;
        self.standards(&c).await?;
        Ok(c)
    }

    /// The 服务型 standard: a first version from the campaign's start and a second from mid-year
    /// (training weighs more, a provincial site counts), so the two rounds use different versions.
    async fn standards(&mut self, c: &Campaign) -> anyhow::Result<()> {
        let (sites, funds) = if self.scale == Scale::District { (3, 20) } else { (12, 200) };
        let common = |center: i64, station: i64, training: i64| {
            format!(
                "center|乡镇（街道）党务政务综合服务中心覆盖率|facility_coverage|service_center|{center}|linear|95||\n\
                 station|村（社区）党员群众综合服务站覆盖率|facility_coverage|service_station|{station}|linear|80||\n\
                 life|组织生活完成率|life_completion||15|linear|95||\n\
                 training|党支部书记轮训覆盖率|training_coverage||{training}|steps|90|30:40、60:70、90:100|\n\
                 sites|示范点数量|demo_sites||10|linear|{sites}||\n\
                 funding|创建投入经费|funding||10|linear|{funds}||\n\
                 handled|服务群众事项办结率|reported||10|linear|95||%\n"
            )
        };
        let first = common(20, 20, 15);
        let second = format!("{}provincial|省级示范点|demo_sites|province|5|yes_no|1||\n", common(15, 15, 20));
        let versions = [
            (
                c.starts_on,
                "创建标准（试行）：服务阵地、组织生活、书记轮训、示范点、经费投入和服务群众事项办结率",
                first,
            ),
            (
                self.cal.at(STANDARD_2),
                "第一次调度后修订：提高党支部书记轮训权重，增设省级示范点指标，服务阵地指标权重相应调整",
                second,
            ),
        ];
        for (from, note, lines) in versions {
            let v = StandardInput::from_lines(&from.to_string(), note, &lines)
                .validate()
                .map_err(|e| anyhow!("演示数据生成了无效的创建标准：{e}"))?;
            debug_assert_eq!(v.indicators.iter().map(|i| i.weight).sum::<i64>(), 100);
            sc::standard::add(self.store, &self.scope, c.id, &v).await?;
            self.s.standards += 1;
        }
        Ok(())
    }

    async fn other_campaigns(&mut self) -> anyhow::Result<()> {
        let place = place_of(self.root());
        let w = committee_of(&place);
        let (end, year) = (self.cal.end().to_string(), self.cal.year());

        // 创新型: the city over the organizations directly under it
        let mut rng = self.rng("innovation");
        let posts = [
            format!("{w}常委、组织部部长"),
            format!("{w}组织部副部长"),
            format!("{place}直属机关工委书记"),
            format!("{w}组织部组织科科长"),
            format!("{place}科学技术局局长"),
        ];
        let depts: Vec<String> = ["中共{p}委组织部", "中共{p}委宣传部", "{p}科学技术局", "{p}人力资源和社会保障局"]
            .iter()
            .map(|d| d.replace("{p}", &place))
            .collect();
        let leaders = self.group(&mut rng, &posts, &depts);
        let input = CampaignInput {
            name: format!("{place}创新型党组织创建"),
            kind: "innovation".into(),
            theme: "把创新作为党建工作的主线和突破方向".into(),
            ideas: "学习、创新、担当、务实".into(),
            starts_on: self.cal.at(0.1).to_string(),
            ends_on: end.clone(),
            takes_part: "level".into(),
            depth: "1".into(),
            name_top: "5".into(),
            ..Default::default()
        };
        self.create(0, input, &[], leaders).await?;

        // 基层组织建设年: one county over its townships
        let county = self.p.named(&self.p.counties, "凤冈").unwrap_or(self.p.counties[0]);
        let towns = self.p.townships_of(county);
        if !towns.is_empty() {
            let cp = place_of(&self.p.orgs[county]);
            // its own committee by its full name: 凤冈县委
            let cw = format!("{cp}委");
            let mut rng = self.rng("foundation-year");
            let posts = [
                format!("{cw}书记"),
                format!("{cw}副书记"),
                format!("{cw}常委、组织部部长"),
                format!("{cw}组织部副部长"),
                format!("{cw}组织部组织股股长"),
            ];
            let depts: Vec<String> =
                ["中共{p}委组织部", "{p}财政局", "{p}农业农村局", "{p}民政局", "{p}人力资源和社会保障局"]
                    .iter()
                    .map(|d| d.replace("{p}", &cp))
                    .collect();
            let leaders = self.group(&mut rng, &posts, &depts);
            let input = CampaignInput {
                name: format!("{cp}{year}年基层组织建设年"),
                kind: "foundation_year".into(),
                theme: "强组织、增活力、促发展".into(),
                ideas: "分类定级、整改提高、晋位升级".into(),
                starts_on: self.cal.base.to_string(),
                ends_on: end.clone(),
                takes_part: "chosen".into(),
                name_top: "3".into(),
                ..Default::default()
            };
            self.create(county, input, &towns, leaders).await?;
        }

        // 机关党建: the organs working committee over a chosen set of departments
        let organs = self
            .p
            .children(0)
            .find(|&i| self.p.orgs[i].kind == OrgKind::WorkingCommittee && self.p.orgs[i].sector == Sector::Organs);
        if let Some(wc) = organs {
            let mut rng = self.rng("organs");
            let mut depts: Vec<usize> =
                self.p.children(wc).filter(|&i| !self.p.orgs[i].name.contains("离退休")).collect();
            depts.shuffle(&mut rng);
            depts.truncate(12);
            depts.sort_unstable();
            if !depts.is_empty() {
                let posts = [
                    format!("{w}常委、{place}直属机关工委书记"),
                    format!("{place}直属机关工委常务副书记"),
                    format!("{place}直属机关工委副书记"),
                    format!("{place}直属机关工委组织部部长"),
                    format!("{place}直属机关工委宣传部部长"),
                ];
                let members: Vec<String> = ["中共{p}委组织部", "{p}直属机关工委办公室", "{p}机关事务服务中心"]
                    .iter()
                    .map(|d| d.replace("{p}", &place))
                    .collect();
                let leaders = self.group(&mut rng, &posts, &members);
                let input = CampaignInput {
                    name: format!("{place}直属机关党建提升"),
                    kind: "organs".into(),
                    theme: "服务大局、促进发展".into(),
                    ideas: "固本强基、改进作风、改革创新".into(),
                    starts_on: self.cal.at(0.08).to_string(),
                    ends_on: end,
                    takes_part: "chosen".into(),
                    name_top: "3".into(),
                    ..Default::default()
                };
                self.create(wc, input, &depts, leaders).await?;
            }
        }
        Ok(())
    }

    /// Funding of the year: each county (a district: each township), some townships on top, and
    /// the city's own; 余庆县 puts in 200万元 (speech 000).
    async fn funding(&mut self, c: &Campaign) -> anyhow::Result<()> {
        let year = self.cal.year();
        let city = self.scale != Scale::District;
        let mut rows: Vec<(usize, i64, String)> = Vec::new();
        for &u in &self.p.units {
            let o = &self.p.orgs[u];
            let mut rng = self.rng(&format!("funding-{}", o.path));
            let wan = if o.name.contains("余庆") {
                200
            } else if city {
                rng.gen_range(40..=280)
            } else {
                rng.gen_range(3..=30)
            };
            let note =
                if city { "县级财政安排创建专项资金" } else { "乡镇（街道）创建工作经费" };
            rows.push((u, wan * 10_000, note.into()));
            if city && rng.gen_bool(0.35) {
                if let Some(&t) = self.p.townships_of(u).choose(&mut rng) {
                    rows.push((t, rng.gen_range(5..=30) * 10_000, "乡镇自筹用于服务中心功能完善".into()));
                }
            }
        }
        rows.push((0, if city { 500 } else { 60 } * 10_000, "统筹用于示范点培育和培训".into()));
        for (i, amount, note) in rows {
            sc::add_funding(self.store, &self.scope, c.id, self.p.orgs[i].id, year, amount, &note).await?;
            self.s.funding_yuan += amount;
        }
        Ok(())
    }

    /// An organization of the unit's subtree for a site, by kind of place, not yet a site.
    fn site_org(&self, rng: &mut ChaCha8Rng, unit: usize, level: SiteLevel, used: &HashSet<usize>) -> Option<usize> {
        let r: f64 = rng.gen();
        let high = matches!(level, SiteLevel::Province | SiteLevel::City);
        let want: &dyn Fn(&Places, usize) -> bool = if r < if high { 0.45 } else { 0.4 } {
            &|p, i| p.is_village(i) && p.orgs[i].sector == Sector::Rural
        } else if r < 0.6 {
            &|p, i| p.is_village(i) && p.orgs[i].sector == Sector::Community
        } else if r < 0.72 {
            &|p, i| p.is_township(i)
        } else {
            // organs, enterprises, schools, institutions, social organizations; a township's own
            // organs only for a township or county site
            if high {
                &|p, i| {
                    !p.rural(i)
                        && p.orgs[i].kind.is_grassroots()
                        && p.orgs[i].sector != Sector::Other
                        && !p.parent(i).is_some_and(|t| p.is_township(t))
                }
            } else {
                &|p, i| !p.rural(i) && p.orgs[i].kind.is_grassroots() && p.orgs[i].sector != Sector::Other
            }
        };
        let pick = |f: &dyn Fn(&Places, usize) -> bool, rng: &mut ChaCha8Rng| {
            let c: Vec<usize> = self.p.subtree(unit).filter(|&i| !used.contains(&i) && f(&self.p, i)).collect();
            c.choose(rng).copied()
        };
        pick(want, rng)
            .or_else(|| pick(&|p, i| p.is_village(i), rng))
            .or_else(|| pick(&|p, i| p.orgs[i].kind.is_grassroots(), rng))
    }

    async fn sites(&mut self, c: &Campaign) -> anyhow::Result<Vec<SiteRec>> {
        let city = self.scale != Scale::District;
        // (unit, level) of every site
        let mut plan: Vec<(usize, SiteLevel)> = Vec::new();
        let mut rng = self.rng("sites");
        let units = self.p.units.clone();
        let provincial: Vec<usize> = if city {
            let mut v: Vec<usize> =
                ["湄潭", "凤冈", "余庆", "红花岗", "播州"].iter().filter_map(|k| self.p.named(&units, k)).collect();
            for &u in &units {
                if v.len() >= 5 {
                    break;
                }
                if !v.contains(&u) {
                    v.push(u);
                }
            }
            v
        } else {
            units.choose_multiple(&mut rng, 1).copied().collect()
        };
        plan.extend(provincial.iter().map(|&u| (u, SiteLevel::Province)));
        if !city {
            plan.extend(units.choose_multiple(&mut rng, 2).map(|&u| (u, SiteLevel::City)));
        }
        for &u in &units {
            let mut r = self.rng(&format!("sites-{}", self.p.orgs[u].path));
            let (cities, counties, towns) = if city {
                (r.gen_range(0..=2), r.gen_range(2..=4), r.gen_range(3..=8))
            } else {
                (0, r.gen_range(0..=2), r.gen_range(1..=3))
            };
            plan.extend(std::iter::repeat_n((u, SiteLevel::City), cities));
            plan.extend(std::iter::repeat_n((u, SiteLevel::County), counties));
            plan.extend(std::iter::repeat_n((u, SiteLevel::Township), towns));
        }

        let mut used = HashSet::new();
        let mut out = Vec::new();
        for (k, (unit, level)) in plan.into_iter().enumerate() {
            let mut r = self.rng(&format!("site-{k}-{}", self.p.orgs[unit].path));
            let Some(org) = self.site_org(&mut r, unit, level, &used) else { continue };
            used.insert(org);
            let high = matches!(level, SiteLevel::Province | SiteLevel::City);
            let when: f64 = r.gen();
            let named_on = if when < if high { 0.7 } else { 0.35 } {
                self.cal.base - Duration::days(r.gen_range(20..=330))
            } else if when < 0.68 {
                self.cal.between(&mut r, 0.03, 0.4)
            } else if when < 0.92 {
                self.cal.between(&mut r, 0.45, 0.78)
            } else {
                self.cal.between(&mut r, 0.82, 0.99)
            };
            let o = &self.p.orgs[org];
            let feature = if self.p.is_township(org) {
                *TOWNSHIP_FEATURES.choose(&mut r).expect("features")
            } else {
                *features(o.sector).choose(&mut r).expect("features")
            };
            let county = self.p.counties.iter().copied().find(|&c| path::is_within(&o.path, &self.p.orgs[c].path));
            let county_w = format!("{}委", place_of(&self.p.orgs[county.unwrap_or(0)]));
            let posts: Vec<String> = match level {
                SiteLevel::Province => vec!["省委组织部组织二处干部".into(), "市委组织部组织科科长".into()],
                SiteLevel::City => vec!["市委组织部组织科干部".into(), "市委组织部党员教育中心干部".into()],
                SiteLevel::County => vec![format!("{county_w}组织部组织股股长")],
                SiteLevel::Township => match self.p.township_above(org) {
                    Some(t) => {
                        let town = &self.p.orgs[t];
                        let w = if town.kind == OrgKind::WorkingCommittee { "党工委" } else { "党委" };
                        vec![format!("{}{w}组织委员", unit_of(&town.name))]
                    }
                    None => vec![format!("{county_w}组织部组织股干部")],
                },
            };
            let cadres: Vec<String> = posts
                .iter()
                .map(|post| {
                    format!("{} {post} {}", self.person(&mut r), named_on + Duration::days(r.gen_range(3..=20)))
                })
                .collect();
            let input = SiteInput {
                org_id: o.id.to_string(),
                level: level.code().into(),
                feature: feature.into(),
                named_on: named_on.to_string(),
                cadres: cadres.join("\n"),
                ..Default::default()
            };
            let v = input.validate().map_err(|e| anyhow!("演示数据生成了无效的示范点（{}）：{e}", o.name))?;
            let site = sc::site::add(self.store, &self.scope, &v, Some(c.id)).await?;
            self.s.sites += 1;
            self.s.provincial_sites += (level == SiteLevel::Province) as u64;
            out.push((site.id, SiteRec { org, unit, level, feature: feature.into(), named_on, revoked_on: None }));
        }

        // reviews this year of the sites named before it: most kept, two withdrawn between the rounds
        let mut old: Vec<usize> = (0..out.len())
            .filter(|&k| out[k].1.named_on < self.cal.base && out[k].1.level != SiteLevel::Province)
            .collect();
        old.shuffle(&mut rng);
        for (n, &k) in old.iter().enumerate() {
            let revoke = n < 2;
            if !revoke && !rng.gen_bool(0.6) {
                continue;
            }
            let on = if revoke { self.cal.between(&mut rng, 0.5, 0.75) } else { self.cal.between(&mut rng, 0.1, 0.7) };
            sc::site::review(self.store, &self.scope, out[k].0, on, revoke).await?;
            if revoke {
                out[k].1.revoked_on = Some(on);
                self.s.revoked_sites += 1;
            }
        }
        Ok(out.into_iter().map(|(_, s)| s).collect())
    }

    /// 服务群众事项办结率 as each participant reports it: a first value before the first round, a
    /// second between the rounds, some a third not yet reviewed; most accepted, some returned.
    async fn reports(&mut self, c: &Campaign) -> anyhow::Result<()> {
        let units = self.p.units.clone();
        for (k, &u) in units.iter().enumerate() {
            let o = self.p.orgs[u].clone();
            let place = place_of(&o);
            let mut rng = self.rng(&format!("report-{}", o.path));
            let base: f64 = rng.gen_range(82.0..99.5);
            let first = self.cal.between(&mut rng, 0.26, 0.38);
            let returned = k % 7 == 2 || rng.gen_bool(0.08);
            self.report(c, &o, &place, first, base, returned.then(|| RETURNS[k % RETURNS.len()])).await?;
            if returned {
                // corrected within days and accepted before the round
                let again = first + Duration::days(rng.gen_range(5..=12));
                self.report(c, &o, &place, again, base - rng.gen_range(0.5..3.0), None).await?;
            }
            // the second value: when returned, the round still reads the first
            let second = self.cal.between(&mut rng, 0.62, 0.76);
            let value = (base + rng.gen_range(-6.0..6.5)).min(100.0);
            let returned = k % 7 == 4 || rng.gen_bool(0.1);
            self.report(c, &o, &place, second, value, returned.then(|| RETURNS[(k + 1) % RETURNS.len()])).await?;
            if k % 3 == 1 || rng.gen_bool(0.3) {
                let third = self.cal.between(&mut rng, 0.84, 0.97);
                let value = (value + rng.gen_range(-2.0..4.0)).min(100.0);
                let evidence = format!("{place}群众服务事项受理登记台账、办结回访记录（截至 {third}）");
                let milli = ((value * 10.0).round() * 100.0) as i64;
                sc::reported::submit(self.store, &self.scope, c.id, o.id, "handled", third, milli, &evidence).await?;
                self.s.reports_pending += 1;
            }
        }
        Ok(())
    }

    /// Submit a value and review it: accepted, or returned with `reason`.
    async fn report(
        &mut self,
        c: &Campaign,
        o: &Org,
        place: &str,
        on: NaiveDate,
        value: f64,
        reason: Option<&str>,
    ) -> anyhow::Result<()> {
        let evidence = format!("{place}群众服务事项受理登记台账、办结回访记录（截至 {on}）");
        let milli = ((value * 10.0).round() * 100.0) as i64;
        let r = sc::reported::submit(self.store, &self.scope, c.id, o.id, "handled", on, milli, &evidence).await?;
        sc::reported::review(self.store, &self.scope, r.id, reason.is_none(), reason.unwrap_or("")).await?;
        match reason {
            None => self.s.reports_accepted += 1,
            Some(_) => self.s.reports_returned += 1,
        }
        Ok(())
    }

    /// Write a class with its trainees; a class without trainees is not held.
    #[allow(clippy::too_many_arguments)]
    async fn class(
        &mut self,
        organizer: usize,
        campaign: Option<i64>,
        name: String,
        audience: &str,
        ends_on: NaiveDate,
        days: i64,
        sessions: i64,
        rows: &[(i64, i64)],
    ) -> anyhow::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let input = ClassInput {
            name: name.clone(),
            audience: audience.into(),
            starts_on: (ends_on - Duration::days(days - 1)).to_string(),
            ends_on: ends_on.to_string(),
            sessions: sessions.to_string(),
            // every organizer is a 地方党委: its party school
            place: format!("{}委党校", place_of(&self.p.orgs[organizer])),
        };
        let v = input.validate().map_err(|e| anyhow!("演示数据生成了无效的培训班“{name}”：{e}"))?;
        let org = store::org::visible(self.store, &self.scope, self.p.orgs[organizer].id).await?;
        let k = sc::training::add(self.store, &self.scope, &org, &v, campaign).await?;
        let k = sc::training::attend(self.store, &self.scope, k.id, rows).await?;
        self.s.classes += 1;
        self.s.trainees += k.trainees as u64;
        self.s.completed += k.completed as u64;
        Ok(())
    }

    /// The rotation of branch secretaries: in each unit a share of the secretaries in post is
    /// trained before the first round, more between the rounds, a few more after; a tenth of the
    /// trainees attend too few sessions and retake the next class. The shares differ by unit and
    /// stay short of everyone.
    async fn rotation(&mut self, c: &Campaign, progress: &dyn Progress) -> anyhow::Result<()> {
        const SESSIONS: i64 = 10;
        let periods = [0.33, 0.74, 0.95];
        let city = self.scale != Scale::District;
        // (period, organizer) → the class's last day, its trainees and their attendance
        let mut classes: BTreeMap<(usize, usize), (NaiveDate, Attendance)> = BTreeMap::new();
        let units = self.p.units.clone();
        for &u in &units {
            let organizer = if city { u } else { 0 };
            let o = self.p.orgs[u].clone();
            let mut rng = self.rng(&format!("rotation-{}", o.path));
            let first: f64 = rng.gen_range(0.12..0.5);
            let second = (first + rng.gen_range(0.05..0.4)).min(0.88);
            let third = if rng.gen_bool(0.5) { (second + rng.gen_range(0.03..0.1)).min(0.93) } else { second };
            let shift = self.rng(&format!("rotation-shift-{}", self.p.orgs[organizer].path)).gen_range(0..12);
            let vis = store::org::visible(self.store, &self.scope, o.id).await?;
            let mut trained: HashSet<i64> = HashSet::new();
            let mut retake: Vec<i64> = Vec::new();
            for (k, (end, share)) in periods.iter().zip([first, second, third]).enumerate() {
                let ends_on = self.cal.at(*end) - Duration::days(shift);
                let mut secs = sc::training::coverage(self.store, &vis, ends_on).await?;
                secs.sort_by_key(|s| (s.org_id, s.member_id));
                let in_post: HashSet<i64> = secs.iter().map(|s| s.member_id).collect();
                let done = secs.iter().filter(|s| trained.contains(&s.member_id)).count();
                let want = ((share * secs.len() as f64).round() as usize).saturating_sub(done);
                let mut fresh: Vec<i64> =
                    secs.iter().map(|s| s.member_id).filter(|m| !trained.contains(m) && !retake.contains(m)).collect();
                fresh.shuffle(&mut rng);
                let mut picked: Vec<i64> = retake.drain(..).filter(|m| in_post.contains(m)).collect();
                picked.extend(fresh.into_iter().take(want.saturating_sub(picked.len())));
                let entry = classes.entry((k, organizer)).or_insert_with(|| (ends_on, Vec::new()));
                for m in picked {
                    let attended = if rng.gen_bool(0.9) { rng.gen_range(8..=SESSIONS) } else { rng.gen_range(3..=7) };
                    if completes(attended, SESSIONS) {
                        trained.insert(m);
                    } else {
                        retake.push(m);
                    }
                    entry.1.push((m, attended));
                }
            }
            progress.inc(1);
        }
        let year = self.cal.year();
        for ((k, organizer), (ends_on, mut rows)) in classes {
            rows.sort_unstable();
            rows.dedup_by_key(|r| r.0);
            let name = format!("{}{year}年第{}期党支部书记轮训班", place_of(&self.p.orgs[organizer]), cn(k + 1));
            self.class(organizer, Some(c.id), name, "branch_secretaries", ends_on, 5, SESSIONS, &rows).await?;
        }
        Ok(())
    }

    /// The city's own classes: two for the townships' deputy secretaries early in the year
    /// (speech 000), one for the secretaries of lagging villages and one for those of non-public
    /// enterprises (speech 002).
    async fn special_classes(&mut self, c: &Campaign) -> anyhow::Result<()> {
        let mut rng = self.rng("classes");
        let city = place_of(self.root());
        let year = self.cal.year();
        let attend = |rng: &mut ChaCha8Rng, sessions: i64| {
            if rng.gen_bool(0.92) {
                sessions - rng.gen_range(0..=1)
            } else {
                sessions / 2
            }
        };

        let towns: Vec<usize> = (0..self.p.orgs.len()).filter(|&i| self.p.is_township(i)).collect();
        let on = self.cal.at(0.09);
        let mut deputies = Vec::new();
        for &t in &towns {
            let vis = store::org::visible(self.store, &self.scope, self.p.orgs[t].id).await?;
            let o = store::officer::list(self.store, &vis, Some(on)).await?;
            if let Some(d) = o.iter().find(|o| o.role() == OfficerRole::Deputy) {
                deputies.push(d.member_id);
            }
        }
        let half = deputies.len().div_ceil(2);
        for (k, part) in deputies.chunks(half.max(1)).enumerate() {
            let rows: Vec<(i64, i64)> = part.iter().map(|&m| (m, attend(&mut rng, 6))).collect();
            let name = format!("{city}乡镇（街道）党（工）委副书记服务型党组织创建专题培训班（第{}期）", cn(k + 1));
            let ends_on = self.cal.at(0.09 + 0.04 * k as f64);
            self.class(0, Some(c.id), name, "township_deputies", ends_on, 3, 6, &rows).await?;
        }

        // secretaries of the lagging villages
        let on = self.cal.at(0.55);
        let mut villages: Vec<usize> = (0..self.p.orgs.len()).filter(|&i| self.p.is_village(i)).collect();
        villages.shuffle(&mut rng);
        villages.truncate((villages.len() / 25).max(3));
        villages.sort_unstable();
        let mut rows = Vec::new();
        for v in villages {
            let vis = store::org::visible(self.store, &self.scope, self.p.orgs[v].id).await?;
            let o = store::officer::list(self.store, &vis, Some(on)).await?;
            if let Some(s) = o.iter().find(|o| o.role() == OfficerRole::Secretary) {
                rows.push((s.member_id, attend(&mut rng, 8)));
            }
        }
        rows.sort_unstable();
        rows.dedup_by_key(|r| r.0);
        let name = format!("{city}{year}年后进村党组织书记示范培训班");
        self.class(0, None, name, "lagging_village_secretaries", on, 4, 8, &rows).await?;

        // secretaries of non-public enterprises' branches
        let on = self.cal.at(0.3);
        let vis = store::org::visible(self.store, &self.scope, self.root().id).await?;
        let mut secs = sc::training::coverage(self.store, &vis, on).await?;
        secs.sort_by_key(|s| (s.org_id, s.member_id));
        let mut rows = Vec::new();
        for s in secs {
            let private =
                self.p.by_id.get(&s.org_id).is_some_and(|&i| self.p.orgs[i].sector == Sector::PrivateEnterprise);
            if private && rng.gen_bool(0.5) {
                rows.push((s.member_id, attend(&mut rng, 6)));
            }
        }
        rows.dedup_by_key(|r| r.0);
        let name = format!("{city}{year}年非公企业党组织书记培训班");
        self.class(0, None, name, "non_public_secretaries", on, 3, 6, &rows).await?;
        Ok(())
    }

    /// Two published rounds with their 现场会 and a draft on the demo date.
    async fn rounds(&mut self, c: &Campaign, sites: &[SiteRec], progress: &dyn Progress) -> anyhow::Result<()> {
        let city = self.scale != Scale::District;
        let hosts: [&[&str]; 2] = [&["红花岗", "汇川", "播州", "桐梓"], &["湄潭", "凤冈", "余庆"]];
        let mut previous: Vec<Line> = Vec::new();
        for (k, at) in [ROUND_1, ROUND_2].into_iter().enumerate() {
            let as_on = self.cal.at(at);
            let title = format!("第{}次调度", cn(k + 1));
            let r = sc::round::compute(self.store, &self.scope, c.id, as_on, &title, &NoProgress).await?;
            let lines = sc::round::lines(self.store, &r).await?;
            let mut rng = self.rng(&format!("meeting-{k}"));
            // where the meeting is held: the named counties, or the round's leaders
            let mut host: Vec<usize> = hosts[k].iter().filter_map(|n| self.p.named(&self.p.units, n)).collect();
            if host.len() < 2 {
                host = lines.iter().filter_map(|l| self.p.by_id.get(&l.org_id).copied()).skip(k * 2).take(2).collect();
            }
            let m = self.meeting(&mut rng, k, as_on, &host, &lines, sites, city);
            sc::round::add_meeting(self.store, &self.scope, r.id, &m).await?;
            let summary = standing_summary(&lines, &previous, city);
            sc::round::publish(self.store, &self.scope, r.id, &summary).await?;
            self.s.rounds_published += 1;
            previous = lines;
            progress.inc(1);
        }
        sc::round::compute(self.store, &self.scope, c.id, self.cal.today, "第三次调度", &NoProgress).await?;
        self.s.rounds_draft += 1;
        progress.inc(1);
        Ok(())
    }

    /// The 现场会 of round `k`: the sites visited in the host units, the exchange speeches (four
    /// units, then a town, a village and a community of the hosts), materials and the experience.
    #[allow(clippy::too_many_arguments)]
    fn meeting(
        &self,
        rng: &mut ChaCha8Rng,
        k: usize,
        as_on: NaiveDate,
        host: &[usize],
        lines: &[Line],
        sites: &[SiteRec],
        city: bool,
    ) -> MeetingInput {
        let held_on = as_on + Duration::days(1);
        let visited: Vec<String> = sites
            .iter()
            .filter(|s| host.contains(&s.unit) && s.named_on <= as_on && s.revoked_on.is_none_or(|r| r > held_on))
            .take(6)
            .map(|s| format!("{}（{}示范点：{}）", self.p.orgs[s.org].name, s.level.label(), s.feature))
            .collect();
        let line = |i: usize, level: &str| format!("{}:{level}:{}", self.p.orgs[i].id, self.p.orgs[i].name);
        let unit_level = if city { "county" } else { "township" };
        let mut speakers: Vec<usize> = host.to_vec();
        for l in lines {
            if speakers.len() >= 4 {
                break;
            }
            if let Some(&i) = self.p.by_id.get(&l.org_id) {
                if !speakers.contains(&i) {
                    speakers.push(i);
                }
            }
        }
        speakers.truncate(4);
        let mut out: Vec<String> = speakers.iter().map(|&i| line(i, unit_level)).collect();
        let in_hosts: Vec<usize> = host.iter().flat_map(|&h| self.p.subtree(h)).collect();
        if city {
            if let Some(&t) = in_hosts.iter().filter(|&&i| self.p.is_township(i)).collect::<Vec<_>>().choose(rng) {
                out.push(line(*t, "township"));
            }
        }
        for (sector, level) in [(Sector::Rural, "village"), (Sector::Community, "community")] {
            let c: Vec<usize> =
                in_hosts.iter().copied().filter(|&i| self.p.is_village(i) && self.p.orgs[i].sector == sector).collect();
            if let Some(&v) = c.choose(rng) {
                out.push(line(v, level));
            }
        }
        let place = host.iter().map(|&h| place_of(&self.p.orgs[h])).collect::<Vec<_>>().join("、");
        let units = if city { "县（区、市）" } else { "乡镇（街道）" };
        let summary = if k == 0 {
            "认识提高促成创建工作新态势：各地成立了由书记任组长、相关部门为成员的创建工作领导小组，\
             对乡镇（街道）党（工）委副书记进行了专题培训，创建主题和“服务、创新、整合”的核心理念基本形成共识；\
             服务阵地按规划推进。下一步要抓好党支部书记轮训，培育一批示范点，建立服务群众事项办结台账。"
        } else {
            "思路拓展推动创建工作新探索：在整合服务资源的手段上有新突破，盘活党内服务资源、政务服务资源、社会服务资源；\
             在服务网络的延伸上有新突破，服务中心、服务站与示范点连点成线；在创建机制上有新突破，\
             调度、观摩、通报常态化。存在的问题：部分单位书记轮训覆盖面不足，填报材料不规范被退回，须加快整改。"
        };
        MeetingInput {
            kind: "on_site".into(),
            held_on,
            place,
            sites: visited.join("\n"),
            speakers: out.join("\n"),
            materials: format!(
                "经验交流发言材料 {} 份；各{units}创建工作进展书面汇报 {} 份；现场观摩点简介 {} 份；第{}次调度排名通报",
                out.len(),
                lines.len(),
                visited.len(),
                cn(k + 1)
            ),
            summary: summary.into(),
        }
    }
}

/// The summary published with a round: who leads, who lags, who moved most.
fn standing_summary(lines: &[Line], previous: &[Line], city: bool) -> String {
    use domain::campaign::round::Band;
    let names = |b: Band| lines.iter().filter(|l| l.band == b).map(|l| l.org_name.clone()).collect::<Vec<_>>();
    let units = if city { "个县（区、市）" } else { "个乡镇（街道）" };
    let mut s = format!(
        "本次调度 {} {units}参加。先进：{}；后进：{}。",
        lines.len(),
        names(Band::Leader).join("、"),
        names(Band::Laggard).join("、")
    );
    if !previous.is_empty() {
        if let Some(best) = lines.iter().filter(|l| l.moved().is_some_and(|m| m > 0)).max_by_key(|l| l.moved()) {
            s.push_str(&format!("较上次调度进步最大的是{}（上升 {} 位）。", best.org_name, best.moved().unwrap_or(0)));
        }
    }
    s.push_str("后进单位须对照创建标准查找差距，限期整改。");
    s
}

const RETURNS: &[&str] = &[
    "佐证材料不全：缺少群众服务事项受理登记台账，请补充后重新填报",
    "办结数与受理数统计口径不一致，请核实后重新填报",
    "未附群众满意度回访记录，请补充",
];

const TOWNSHIP_FEATURES: &[&str] = &["党务政务综合服务中心规范化建设", "便民服务全程代办", "干部驻村联户服务"];

/// "一行业一特色": what a site of each sector demonstrates.
fn features(sector: Sector) -> &'static [&'static str] {
    match sector {
        Sector::Rural => &["村级集体经济发展", "党员创业带富", "茶产业党建", "乡村治理积分制", "合作社党建"],
        Sector::Community => &["网格化管理、组团式服务", "红色物业", "小区党建", "党员志愿服务"],
        Sector::Organs => &["机关作风建设", "党建与业务融合", "窗口服务标准化"],
        Sector::PublicInstitution => &["医德医风建设", "党员便民服务"],
        Sector::StateEnterprise => &["党员先锋岗", "党建引领安全生产"],
        Sector::PrivateEnterprise => &["党建强、发展强", "党员示范岗"],
        Sector::SocialOrganization => &["社会组织党建服务"],
        Sector::School => &["立德树人", "党员教师示范课堂"],
        Sector::Other => &["党建品牌创建"],
    }
}

#[cfg(test)]
#[path = "campaign_tests.rs"]
mod tests;
