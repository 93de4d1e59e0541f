//! Bulk writes of a generated subtree: multi-row INSERTs level by level (parents first, each
//! statement returning the new ids with their paths), then the subtree's `org_stats` rows (zero
//! counts; members' roll-ups are added by `store::member::insert_new`) and facilities.

use std::collections::HashMap;

use anyhow::{anyhow, Context};
use chrono::NaiveDate;
use domain::org::ValidOrg;
use store::{Tx, Val};

use crate::tree::Tree;

/// Rows per multi-row INSERT (the store binds them as anonymous `?` on SQLite, so binding is linear).
const ORG_ROWS: usize = 200;
const SMALL_ROWS: usize = 500;

fn placeholders(rows: usize, width: usize) -> String {
    let mut s = String::with_capacity(rows * width * 5);
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..width {
            if c > 0 {
                s.push_str(", ");
            }
            s.push('$');
            s.push_str(&(r * width + c + 1).to_string());
        }
        s.push(')');
    }
    s
}

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
    let now = store::db::now();
    let mut ids = vec![0i64; n];
    let mut start = 0;
    while start < n {
        let depth = tree.nodes[order[start]].path.len();
        let mut end = start;
        while end < n && end - start < ORG_ROWS && tree.nodes[order[end]].path.len() == depth {
            end += 1;
        }
        let batch = &order[start..end];
        let sql = format!(
            "INSERT INTO org (parent_id, path, next_child, name, short_name, kind, sector, region_code, formed_by, founded_on, \
             has_committee, term_number, term_start, term_end, secretary, contact_phone, address, annual_funds, created_at, \
             updated_at) VALUES {} RETURNING id, path",
            placeholders(batch.len(), 20)
        );
        let mut args: Vec<Val> = Vec::with_capacity(batch.len() * 20);
        for &i in batch {
            let node = &tree.nodes[i];
            let v = &valid[i];
            let parent = match node.parent {
                Some(p) => Some(ids[p]),
                None => base_id,
            };
            args.extend([
                Val::I64(parent),
                Val::from(node.path.as_str()),
                Val::from(node.next_child as i64),
                Val::from(v.name.as_str()),
                Val::from(v.short_name.clone()),
                Val::from(v.kind.code()),
                Val::from(v.sector.code()),
                Val::from(v.region_code.clone()),
                Val::from(v.formed_by.code()),
                Val::from(v.founded_on),
                Val::from(v.has_committee),
                Val::from(v.term_number),
                Val::from(v.term_start),
                Val::from(v.term_end),
                Val::from(v.secretary.clone()),
                Val::from(v.contact_phone.clone()),
                Val::from(v.address.clone()),
                Val::from(v.annual_funds),
                Val::from(now),
                Val::from(now),
            ]);
        }
        let rows: Vec<(i64, String)> = tx.x().fetch_all(&sql, &args).await.context("写入党组织失败")?;
        let by_path: HashMap<String, i64> = rows.into_iter().map(|(id, p)| (p, id)).collect();
        for &i in batch {
            ids[i] = *by_path
                .get(&tree.nodes[i].path)
                .ok_or_else(|| anyhow!("写入党组织后未取得“{}”的编号", tree.nodes[i].org.name))?;
        }
        start = end;
    }
    for chunk in order.chunks(SMALL_ROWS) {
        let sql = format!("INSERT INTO org_stats (org_id, path) VALUES {}", placeholders(chunk.len(), 2));
        let args: Vec<Val> =
            chunk.iter().flat_map(|&i| [Val::from(ids[i]), Val::from(tree.nodes[i].path.as_str())]).collect();
        tx.x().execute(&sql, &args).await.context("写入党组织统计行失败")?;
    }
    let id_of = &ids;
    let facilities: Vec<Val> = order
        .iter()
        .flat_map(|&i| {
            valid[i].facilities.iter().flat_map(move |f| {
                [Val::from(id_of[i]), Val::from(f.kind.code()), Val::from(f.status.code()), Val::from(f.year)]
            })
        })
        .collect();
    for chunk in facilities.chunks(SMALL_ROWS / 2 * 4) {
        let sql = format!(
            "INSERT INTO org_facility (org_id, kind, status, year) VALUES {}",
            placeholders(chunk.len() / 4, 4)
        );
        tx.x().execute(&sql, chunk).await.context("写入阵地设施失败")?;
    }
    Ok(ids)
}

/// Record how many children the subtree gave an organization that was written earlier.
pub async fn set_next_child(tx: &mut Tx, id: i64, next: u32) -> anyhow::Result<()> {
    tx.x()
        .execute("UPDATE org SET next_child = $1 WHERE id = $2", &[Val::from(next as i64), Val::from(id)])
        .await
        .context("更新党组织编号序列失败")?;
    Ok(())
}
