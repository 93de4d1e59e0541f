//! Writing a generated subtree: level by level (parents first), through the store's bulk writes
//! (`store::org_bulk`), then the subtree's `org_stats` rows and facilities.

use std::collections::HashMap;

use anyhow::{anyhow, Context};
use chrono::NaiveDate;
use domain::org::{Facility, ValidOrg};
use store::org_bulk::{self, BulkOrg};
use store::Tx;

use crate::tree::Tree;

/// Insert every node of `tree` under the organization `base_id` (None: the nodes without a parent
/// are roots). Returns the new ids, by node index.
pub async fn insert_tree(tx: &mut Tx, tree: &Tree, base_id: Option<i64>, today: NaiveDate) -> anyhow::Result<Vec<i64>> {
    let n = tree.nodes.len();
    let valid: Vec<ValidOrg> = tree
        .nodes
        .iter()
        .map(|node| node.org.validate(today).map_err(|e| anyhow!("演示数据生成了无效的党组织“{}”：{e}", node.org.name)))
        .collect::<anyhow::Result<_>>()?;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (tree.nodes[i].path.len(), i));
    let mut ids = vec![0i64; n];
    let mut start = 0;
    while start < n {
        let depth = tree.nodes[order[start]].path.len();
        let mut end = start;
        while end < n && end - start < org_bulk::MAX_ORG_ROWS && tree.nodes[order[end]].path.len() == depth {
            end += 1;
        }
        let batch = &order[start..end];
        let rows: Vec<BulkOrg> = batch
            .iter()
            .map(|&i| {
                let node = &tree.nodes[i];
                BulkOrg {
                    parent_id: match node.parent {
                        Some(p) => Some(ids[p]),
                        None => base_id,
                    },
                    path: node.path.as_str(),
                    next_child: node.next_child as i64,
                    org: &valid[i],
                }
            })
            .collect();
        let written = org_bulk::insert_orgs(tx, &rows).await.context("写入党组织失败")?;
        let by_path: HashMap<String, i64> = written.into_iter().map(|(id, p)| (p, id)).collect();
        for &i in batch {
            ids[i] = *by_path
                .get(&tree.nodes[i].path)
                .ok_or_else(|| anyhow!("写入党组织后未取得“{}”的编号", tree.nodes[i].org.name))?;
        }
        start = end;
    }
    let stats: Vec<(i64, &str)> = order.iter().map(|&i| (ids[i], tree.nodes[i].path.as_str())).collect();
    org_bulk::insert_stats_rows(tx, &stats).await.context("写入党组织统计行失败")?;
    let id_of = &ids;
    let facilities: Vec<(i64, &Facility)> =
        order.iter().flat_map(|&i| valid[i].facilities.iter().map(move |f| (id_of[i], f))).collect();
    org_bulk::insert_facilities(tx, &facilities).await.context("写入阵地设施失败")?;
    Ok(ids)
}

/// Record how many children the subtree gave an organization that was written earlier.
pub async fn set_next_child(tx: &mut Tx, id: i64, next: u32) -> anyhow::Result<()> {
    org_bulk::set_next_child(tx, id, next as i64).await.context("更新党组织编号序列失败")?;
    Ok(())
}
