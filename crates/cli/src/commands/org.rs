//! `dangjian org …`: the organization tree.

use anyhow::{bail, Result};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use domain::org::{Facility, FacilityKind, FacilityStatus, FormedBy, OrgInput, OrgKind, Sector};

use super::{parse_date_arg, pick_org, today};
use crate::Ctx;

#[derive(Subcommand)]
pub enum OrgCmd {
    /// 显示组织树 / print the organization tree
    Tree {
        /// 从哪个党组织开始（默认顶级）/ start at this organization (default: the top)
        #[arg(long)]
        org: Option<i64>,
        /// 显示几层 / levels to show
        #[arg(long, default_value_t = 2)]
        depth: usize,
    },
    /// 新增党组织 / add an organization
    Add(OrgFields),
    /// 转移党组织及其全部下级和党员 / move an organization with its whole subtree
    Move {
        /// 要转移的党组织 / organization to move
        id: i64,
        /// 新的上级党组织 / new parent
        #[arg(long)]
        to: i64,
        /// 不再确认 / do not ask for confirmation
        #[arg(long)]
        yes: bool,
    },
    /// 查看党组织 / show an organization
    Show { id: i64 },
    /// 撤销党组织（须无下级组织和党员）/ dissolve an organization
    Dissolve { id: i64 },
    /// 在子树内按名称搜索 / search by name within a subtree
    Search {
        q: String,
        #[arg(long)]
        org: Option<i64>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

#[derive(Args)]
pub struct OrgFields {
    /// 上级党组织 ID（省略则创建顶级组织）/ parent id (omit for a top organization)
    #[arg(long)]
    parent: Option<i64>,
    /// 组织名称 / name
    #[arg(long)]
    name: String,
    #[arg(long)]
    short_name: Option<String>,
    /// 组织类别，如 党支部、党总支、党委 / kind
    #[arg(long, value_parser = parse_kind)]
    kind: OrgKind,
    /// 所属领域，如 农村、社区、机关 / sector
    #[arg(long, value_parser = parse_sector, default_value = "其他")]
    sector: Sector,
    /// 行政区划代码 (GB/T 2260) / region code
    #[arg(long)]
    region: Option<String>,
    /// 组建方式：单独组建、联合组建、行业统建 / how it was formed
    #[arg(long, value_parser = parse_formed, default_value = "单独组建")]
    formed_by: FormedBy,
    /// 成立日期 / founding date
    #[arg(long, value_parser = parse_date_arg)]
    founded: Option<NaiveDate>,
    /// 已设立支部委员会 / has an elected committee
    #[arg(long)]
    committee: bool,
    /// 届次 / term number
    #[arg(long)]
    term_number: Option<i32>,
    /// 届期开始 / term start
    #[arg(long, value_parser = parse_date_arg)]
    term_start: Option<NaiveDate>,
    /// 届期结束（省略则按 TERM-02 默认任期推算）/ term end (default from TERM-02)
    #[arg(long, value_parser = parse_date_arg)]
    term_end: Option<NaiveDate>,
    /// 书记 / secretary
    #[arg(long)]
    secretary: Option<String>,
    /// 联系电话 / contact phone
    #[arg(long)]
    phone: Option<String>,
    /// 地址 / address
    #[arg(long)]
    address: Option<String>,
    /// 年度运转经费（元）/ annual operating funds (yuan)
    #[arg(long)]
    funds: Option<i64>,
    /// 阵地设施，如 "党员群众综合服务站:建成:2020"（可重复）/ facility, repeatable
    #[arg(long = "facility", value_parser = parse_facility)]
    facilities: Vec<Facility>,
}

fn parse_kind(s: &str) -> Result<OrgKind, String> {
    OrgKind::parse(s).ok_or_else(|| format!("组织类别“{s}”无效，应为 {}", OrgKind::labels()))
}
fn parse_sector(s: &str) -> Result<Sector, String> {
    Sector::parse(s).ok_or_else(|| format!("所属领域“{s}”无效，应为 {}", Sector::labels()))
}
fn parse_formed(s: &str) -> Result<FormedBy, String> {
    FormedBy::parse(s).ok_or_else(|| format!("组建方式“{s}”无效，应为 {}", FormedBy::labels()))
}
fn parse_facility(s: &str) -> Result<Facility, String> {
    let mut it = s.split([':', '：']);
    let kind = it
        .next()
        .and_then(FacilityKind::parse)
        .ok_or_else(|| format!("设施类别无效，应为 {}", FacilityKind::labels()))?;
    let status = match it.next() {
        None => FacilityStatus::Built,
        Some(st) => FacilityStatus::parse(st).ok_or_else(|| format!("设施状态“{st}”无效，应为 规划 或 建成"))?,
    };
    let year = match it.next() {
        None => None,
        Some(y) => Some(y.trim().parse::<i32>().map_err(|_| format!("年份“{y}”无效"))?),
    };
    Ok(Facility { kind, status, year })
}

/// Print a tree listing with member counts.
pub fn print_tree(nodes: &[store::org::Node]) {
    for n in nodes {
        let indent = "  ".repeat(n.depth);
        let marker = if n.depth == 0 { "" } else { "└ " };
        println!(
            "{indent}{marker}{}〔{}〕 #{}  党员 {}（正式 {}，预备 {}）",
            n.org.name,
            n.org.kind.label(),
            n.org.id,
            n.counts.total,
            n.counts.full_members,
            n.counts.probationary
        );
    }
}

pub async fn run(ctx: &Ctx, cmd: OrgCmd) -> Result<()> {
    let store = ctx.open().await?;
    let all = ctx.scope();
    match cmd {
        OrgCmd::Tree { org, depth } => {
            let root = pick_org(&store, &all, org).await?;
            let nodes = store::org::subtree(&store, &all, root.id, Some(depth)).await?;
            print_tree(&nodes);
        }
        OrgCmd::Add(f) => {
            let input = OrgInput {
                name: f.name,
                short_name: f.short_name,
                kind: Some(f.kind),
                sector: Some(f.sector),
                region_code: f.region,
                formed_by: Some(f.formed_by),
                founded_on: f.founded,
                has_committee: f.committee,
                term_number: f.term_number,
                term_start: f.term_start,
                term_end: f.term_end,
                secretary: f.secretary,
                contact_phone: f.phone,
                address: f.address,
                annual_funds: f.funds,
                facilities: f.facilities,
                version: None,
            };
            let ctx = service::Ctx::operator(all.actor().clone());
            let o = service::org::create(&store, &ctx, f.parent, &input, today()).await?;
            println!("已新增党组织“{}”，ID {}。", o.name, o.id);
        }
        OrgCmd::Move { id, to, yes } => {
            let org = store::org::get(&store, &all, id).await?;
            let target = store::org::get(&store, &all, to).await?;
            let ctx = service::Ctx::operator(all.actor().clone());
            let (orgs, members) = service::org::move_preview(&store, &ctx, id).await?;
            println!("将把“{}”及其下级共 {orgs} 个党组织、{members} 名党员转移到“{}”之下。", org.name, target.name);
            if !yes {
                use std::io::{BufRead, IsTerminal, Write};
                if !std::io::stdin().is_terminal() {
                    bail!("请加 --yes 确认转移");
                }
                print!("确认转移吗？输入 y 确认：");
                std::io::stdout().flush().ok();
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                if !matches!(line.trim(), "y" | "Y" | "是") {
                    println!("已取消。");
                    return Ok(());
                }
            }
            let r = service::org::move_subtree(&store, &ctx, id, to).await?;
            println!("已转移 {} 个党组织、{} 名党员。", r.orgs_moved, r.members_moved);
        }
        OrgCmd::Show { id } => {
            let o = store::org::get(&store, &all, id).await?;
            let anc = store::org::ancestors(&store, &all, id).await?;
            let counts = store::rollup::subtree(&store, &all, id).await?;
            let crumbs: Vec<&str> = anc.iter().map(|a| a.name.as_str()).collect();
            if !crumbs.is_empty() {
                println!("{} › {}\n", crumbs.join(" › "), o.name);
            }
            for (k, v) in o.describe() {
                println!("{}", crate::table::kv(k, &v));
            }
            println!(
                "\n党员 {}：正式 {}，预备 {}；女 {}，少数民族 {}，大专及以上 {}；流动 {}，失联 {}，困难 {}",
                counts.total,
                counts.full_members,
                counts.probationary,
                counts.female,
                counts.minority,
                counts.college_plus,
                counts.mobile,
                counts.lost_contact,
                counts.needy
            );
            let kids = store::org::children(&store, &all, id).await?;
            if !kids.is_empty() {
                println!("\n下级党组织 {} 个：", kids.len());
                for k in kids.iter().take(30) {
                    println!("  #{:<8} {}〔{}〕", k.id, k.name, k.kind.label());
                }
                if kids.len() > 30 {
                    println!("  …（用 dangjian org tree --org {id} 查看全部）");
                }
            }
        }
        OrgCmd::Dissolve { id } => {
            let o = store::org::get(&store, &all, id).await?;
            let ctx = service::Ctx::operator(all.actor().clone());
            service::org::dissolve(&store, &ctx, id, today()).await?;
            println!("已撤销“{}”。", o.name);
        }
        OrgCmd::Search { q, org, limit } => {
            let root = pick_org(&store, &all, org).await?;
            let found = store::org::search(&store, &all, root.id, &q, limit).await?;
            let rows: Vec<Vec<String>> = found
                .iter()
                .map(|o| vec![o.id.to_string(), o.name.clone(), o.kind.label().into(), o.sector.label().into()])
                .collect();
            print!("{}", crate::table::render(&["ID", "组织名称", "类别", "领域"], &rows));
            println!("共 {} 个。", found.len());
        }
    }
    Ok(())
}
