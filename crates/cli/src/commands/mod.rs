//! One module per command group, named after the capability.

pub mod audit;
pub mod bench;
pub mod campaign;
pub mod check;
pub mod demo;
pub mod io;
pub mod life;
pub mod member;
pub mod org;
pub mod serve;
pub mod user;

use chrono::NaiveDate;

/// Today in China (UTC+8), which is the date every rule is judged on.
pub fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

pub fn parse_date_arg(s: &str) -> Result<NaiveDate, String> {
    domain::dates::parse_date(s)
}

/// The organization a command works on: the given id, or the single top organization.
pub async fn pick_org(
    store: &store::Store,
    scope: &store::Scope,
    id: Option<i64>,
) -> anyhow::Result<store::Visible<domain::org::Org>> {
    if let Some(id) = id {
        return Ok(store::org::visible(store, scope, id).await?);
    }
    let roots = store::org::roots(store, scope).await?;
    match roots.len() {
        0 => anyhow::bail!("数据库中还没有党组织：可运行 dangjian demo 生成演示数据，或用 dangjian import 导入"),
        1 => store::Visible::within(scope, roots.into_iter().next().expect("one"))
            .ok_or_else(|| anyhow::anyhow!("党组织不在管理范围内")),
        _ => anyhow::bail!(
            "有 {} 个顶级党组织，请用 --org 指定其一：{}",
            roots.len(),
            roots.iter().map(|o| format!("{}（{}）", o.name, o.id)).collect::<Vec<_>>().join("、")
        ),
    }
}
