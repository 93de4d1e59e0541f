//! `dangjian member …`: the roster.

use anyhow::Result;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use domain::member::{Category, Education, Member, MemberInput, Occupation, Sex, Status};
use store::member::MemberFilter;

use super::{parse_date_arg, pick_org, today};
use crate::Ctx;

#[derive(Subcommand)]
pub enum MemberCmd {
    /// 新增党员 / add a member
    Add(MemberFields),
    /// 查看党员（默认脱敏）/ show a member (masked by default)
    Show {
        id: i64,
        /// 显示完整身份证号和电话 / show full ID number and phone
        #[arg(long)]
        unmask: bool,
    },
    /// 列出子树内的党员 / list members of a subtree
    List(ListArgs),
}

#[derive(Args)]
pub struct MemberFields {
    /// 所在党组织 ID / organization id
    #[arg(long)]
    org: i64,
    /// 姓名 / name
    #[arg(long)]
    name: String,
    /// 公民身份号码 / citizen ID number
    #[arg(long)]
    id_number: String,
    /// 性别（可省略，由身份证号推出）/ sex (default: from the ID number)
    #[arg(long, value_parser = |s: &str| Sex::parse(s).ok_or("性别应为 男 或 女"))]
    sex: Option<Sex>,
    /// 民族 / ethnicity
    #[arg(long)]
    ethnicity: Option<String>,
    /// 学历 / education
    #[arg(long, value_parser = |s: &str| Education::parse(s).ok_or(format!("学历应为 {}", Education::labels())))]
    education: Option<Education>,
    /// 人员类别：正式党员 / 预备党员 / category
    #[arg(long, value_parser = |s: &str| Category::parse(s).ok_or("人员类别应为 正式党员 或 预备党员"), default_value = "正式党员")]
    category: Category,
    /// 入党日期 / date of joining
    #[arg(long, value_parser = parse_date_arg)]
    join_date: NaiveDate,
    /// 转正日期 / date of full membership
    #[arg(long, value_parser = parse_date_arg)]
    full_date: Option<NaiveDate>,
    /// 工作岗位 / post
    #[arg(long)]
    job_post: Option<String>,
    /// 联系电话 / phone
    #[arg(long)]
    phone: Option<String>,
    /// 工作单位 / employer
    #[arg(long)]
    work_unit: Option<String>,
    /// 现居住社区 / residence community
    #[arg(long)]
    residence: Option<String>,
    /// 职业 / occupation
    #[arg(long, value_parser = |s: &str| Occupation::parse(s).ok_or(format!("职业应为 {}", Occupation::labels())))]
    occupation: Option<Occupation>,
    /// 流动去向（填写即为流动党员）/ where a mobile member is
    #[arg(long)]
    mobile_to: Option<String>,
    /// 失联党员 / lost contact
    #[arg(long)]
    lost_contact: bool,
    /// 困难党员 / in hardship
    #[arg(long)]
    needy: bool,
}

#[derive(Args)]
pub struct ListArgs {
    /// 党组织 ID（含全部下级）/ organization (whole subtree)
    #[arg(long)]
    org: Option<i64>,
    /// 姓名包含 / name contains
    #[arg(long)]
    name: Option<String>,
    /// 人员类别 / category
    #[arg(long, value_parser = |s: &str| Category::parse(s).ok_or("人员类别应为 正式党员 或 预备党员"))]
    category: Option<Category>,
    /// 党籍状态（默认 正常）/ status (default: current)
    #[arg(long, value_parser = |s: &str| Status::parse(s).ok_or(format!("状态应为 {}", Status::labels())))]
    status: Option<Status>,
    /// 只看流动党员 / mobile members only
    #[arg(long)]
    mobile: bool,
    /// 只看失联党员 / lost-contact members only
    #[arg(long)]
    lost_contact: bool,
    /// 只看困难党员 / members in hardship only
    #[arg(long)]
    needy: bool,
    #[arg(long, default_value_t = 1)]
    page: i64,
    #[arg(long, default_value_t = 50)]
    per_page: i64,
    /// 输出 JSON / JSON output
    #[arg(long)]
    json: bool,
}

pub fn row(m: &Member, org_name: &str) -> Vec<String> {
    vec![
        m.id.to_string(),
        m.name.clone(),
        m.sex.label().into(),
        domain::mask::id_number(&m.id_number),
        m.category.label().into(),
        m.join_date.to_string(),
        m.phone.as_deref().map(domain::mask::phone).unwrap_or_default(),
        org_name.to_string(),
    ]
}

pub async fn run(ctx: &Ctx, cmd: MemberCmd) -> Result<()> {
    let store = ctx.open().await?;
    let all = ctx.scope();
    match cmd {
        MemberCmd::Add(f) => {
            let input = MemberInput {
                name: f.name,
                sex: f.sex,
                id_number: f.id_number,
                ethnicity: f.ethnicity,
                birth_date: None,
                education: f.education,
                category: Some(f.category),
                join_date: Some(f.join_date),
                full_date: f.full_date,
                job_post: f.job_post,
                phone: f.phone,
                work_unit: f.work_unit,
                residence_community: f.residence,
                occupation: f.occupation,
                is_mobile: f.mobile_to.is_some(),
                mobile_to: f.mobile_to,
                is_lost_contact: f.lost_contact,
                is_needy: f.needy,
                status: None,
                status_date: None,
                version: None,
            };
            let ctx = service::Ctx::operator(all.actor().clone());
            let m = service::member::create(&store, &ctx, f.org, &input, today()).await?;
            println!("已新增党员“{}”（{}），ID {}。", m.name, domain::mask::id_number(&m.id_number), m.id);
        }
        MemberCmd::Show { id, unmask } => {
            // 查询留痕: an unmasked read is recorded, without the values
            let m = if unmask {
                store::member::read_personal(&store, &all, id).await?
            } else {
                store::member::get(&store, &all, id).await?
            };
            let org = store::org::get(&store, &all, m.org_id).await.map(|o| o.name).unwrap_or_default();
            let (idn, phone) = if unmask {
                (m.id_number.clone(), m.phone.clone().unwrap_or_default())
            } else {
                (domain::mask::id_number(&m.id_number), m.phone.as_deref().map(domain::mask::phone).unwrap_or_default())
            };
            let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
            let fields: Vec<(&str, String)> = vec![
                ("ID", m.id.to_string()),
                ("姓名", m.name.clone()),
                ("性别", m.sex.label().into()),
                ("公民身份号码", idn),
                ("民族", m.ethnicity.clone()),
                ("出生日期", m.birth_date.to_string()),
                ("学历", m.education.map(|e| e.label().to_string()).unwrap_or_else(|| "—".into())),
                ("人员类别", m.category.label().into()),
                ("入党日期", m.join_date.to_string()),
                ("转正日期", m.full_date.map(|d| d.to_string()).unwrap_or_else(|| "—".into())),
                ("工作岗位", opt(&m.job_post)),
                ("联系电话", if phone.is_empty() { "—".into() } else { phone }),
                ("所在党组织", org),
                ("工作单位", opt(&m.work_unit)),
                ("现居住社区", opt(&m.residence_community)),
                ("职业", m.occupation.map(|o| o.label().to_string()).unwrap_or_else(|| "—".into())),
                ("流动党员", if m.is_mobile { format!("是（{}）", opt(&m.mobile_to)) } else { "否".into() }),
                ("失联党员", if m.is_lost_contact { "是" } else { "否" }.into()),
                ("困难党员", if m.is_needy { "是" } else { "否" }.into()),
                (
                    "党籍状态",
                    format!("{}{}", m.status.label(), m.status_date.map(|d| format!("（{d}）")).unwrap_or_default()),
                ),
            ];
            for (k, v) in fields {
                println!("{}", crate::table::kv(k, &v));
            }
        }
        MemberCmd::List(a) => {
            let root = pick_org(&store, &all, a.org).await?;
            let filter = MemberFilter {
                name: a.name,
                category: a.category,
                status: a.status,
                occupation: None,
                mobile: a.mobile.then_some(true),
                lost_contact: a.lost_contact.then_some(true),
                needy: a.needy.then_some(true),
            };
            let page = store::member::list(&store, &all, root.id, &filter, a.page, a.per_page).await?;
            if a.json {
                let masked: Vec<Member> = page
                    .items
                    .iter()
                    .map(|m| Member {
                        id_number: domain::mask::id_number(&m.id_number),
                        phone: m.phone.as_deref().map(domain::mask::phone),
                        ..m.clone()
                    })
                    .collect();
                let out = serde_json::json!({"total": page.total, "page": page.page, "per_page": page.per_page, "items": masked});
                println!("{}", serde_json::to_string_pretty(&out)?);
                return Ok(());
            }
            let mut names = std::collections::HashMap::new();
            let mut rows = Vec::new();
            for m in &page.items {
                if let std::collections::hash_map::Entry::Vacant(e) = names.entry(m.org_id) {
                    e.insert(store::org::get(&store, &all, m.org_id).await.map(|o| o.name).unwrap_or_default());
                }
                rows.push(row(m, &names[&m.org_id]));
            }
            print!(
                "{}",
                crate::table::render(
                    &["ID", "姓名", "性别", "公民身份号码", "人员类别", "入党日期", "联系电话", "所在党组织"],
                    &rows
                )
            );
            println!("第 {}/{} 页，共 {} 名（{}）。", page.page, page.pages(), page.total, root.name);
        }
    }
    Ok(())
}
