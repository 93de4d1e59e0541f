//! Writing (async, in one transaction).

use crate::cell::Cell;
use crate::columns::{m, o, Layout};
use crate::{MAX_KEPT_BAD_BYTES, MAX_KEPT_BAD_ROWS};
use anyhow::anyhow;
use chrono::NaiveDate;
use domain::member::normalize_text;
use domain::org::{Facility, Org, ValidOrg};
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use store::member::{BulkReport, BulkRow};
use store::{Progress, Scope, Store, StoreError, Tx};
use tokio::task::JoinHandle;

use super::*;

/// A valid member row waiting for its batch.
struct Pending {
    row: u64,
    cells: Vec<Cell>,
    bulk: BulkRow,
}

pub(crate) struct Run<'a> {
    pub(crate) store: &'a Store,
    pub(crate) scope: &'a Scope,
    pub(crate) target: Option<Org>,
    pub(crate) layout: Arc<Layout>,
    pub(crate) tx: Tx,
    /// Organization references resolved so far (normalised reference → organization or reason).
    pub(crate) resolved: HashMap<String, Result<Org, String>>,
    /// 所在党组织 cells resolved so far (cell text → (org id, path) or reason).
    pub(crate) member_orgs: HashMap<String, Result<(i64, String), String>>,
    pub(crate) bad: Vec<BadRow>,
    /// Bytes of cell text in `bad`.
    pub(crate) bad_bytes: usize,
    pub(crate) bad_count: u64,
    pub(crate) rows: u64,
    pub(crate) counts: BulkReport,
}

/// Organization references remembered per import: a real file names a few hundred organizations;
/// a file that names a million different ones (or very long ones) is looked up row by row
/// instead of filling memory.
const MAX_CACHED_REFERENCES: usize = 20_000;
const MAX_CACHED_REFERENCE_BYTES: usize = 1024;

fn cacheable(key: &str, cached: usize) -> bool {
    cached < MAX_CACHED_REFERENCES && key.len() <= MAX_CACHED_REFERENCE_BYTES
}

/// A compact key for an ID number: its first 17 digits (the last is a check character).
fn id_key(id: &str) -> u64 {
    id.get(..17).and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        id.hash(&mut h);
        h.finish()
    })
}

fn same_org(o: &Org, v: &ValidOrg) -> bool {
    let sorted = |f: &[Facility]| {
        let mut f = f.to_vec();
        f.sort_by_key(|x| x.kind);
        f
    };
    o.name == v.name
        && o.short_name == v.short_name
        && o.kind == v.kind
        && o.sector == v.sector
        && o.region_code == v.region_code
        && o.formed_by == v.formed_by
        && o.founded_on == v.founded_on
        && o.has_committee == v.has_committee
        && o.term_number == v.term_number
        && o.term_start == v.term_start
        && o.term_end == v.term_end
        && o.secretary == v.secretary
        && o.contact_phone == v.contact_phone
        && o.address == v.address
        && o.annual_funds == v.annual_funds
        && sorted(&o.facilities) == sorted(&v.facilities)
}

impl Run<'_> {
    fn reject(&mut self, row: u64, cells: Vec<Cell>, mut errors: Errs) {
        let mut seen = HashSet::new();
        errors.retain(|e| seen.insert(e.clone()));
        self.bad_count += 1;
        let bytes = cells.iter().map(Cell::text_bytes).sum::<usize>();
        // kept while both budgets last; once one is spent, later bad rows are only counted
        if self.bad.len() < MAX_KEPT_BAD_ROWS
            && self.bad.len() as u64 + 1 == self.bad_count
            && self.bad_bytes + bytes <= MAX_KEPT_BAD_BYTES
        {
            self.bad_bytes += bytes;
            self.bad.push(BadRow { row, cells, errors });
        }
    }

    /// Resolve an organization reference: a name, or a chain of names joined by `/`.
    async fn resolve(&mut self, reference: &str) -> anyhow::Result<Result<Org, String>> {
        let parts: Vec<String> = reference.split('/').map(normalize_text).filter(|s| !s.is_empty()).collect();
        let key = parts.join("/");
        if let Some(hit) = self.resolved.get(&key) {
            return Ok(hit.clone());
        }
        let res = match parts.len() {
            0 => Err("不能为空".to_string()),
            1 => self.by_name(&key).await?,
            _ => self.by_chain(&parts).await?,
        };
        let res = res.and_then(|o| {
            if self.scope.contains(&o.path) {
                Ok(o)
            } else {
                Err(format!("找不到党组织“{key}”"))
            }
        });
        if cacheable(&key, self.resolved.len()) {
            self.resolved.insert(key, res.clone());
        }
        Ok(res)
    }

    /// A single name: exactly one active organization of that name inside the target's subtree
    /// (or the caller's scope).
    async fn by_name(&mut self, name: &str) -> anyhow::Result<Result<Org, String>> {
        let hits = match &self.target {
            Some(t) => store::org::find_by_name(self.tx.x(), &t.path, name).await?,
            None if self.scope.is_all() => store::org::find_by_name(self.tx.x(), "", name).await?,
            None => {
                let mut hits = Vec::new();
                for root in self.scope.roots().to_vec() {
                    hits.extend(store::org::find_by_name(self.tx.x(), &root, name).await?);
                }
                hits
            }
        };
        Ok(match hits.len() {
            0 => Err(format!("找不到党组织“{name}”")),
            1 => Ok(hits.into_iter().next().ok_or_else(|| anyhow!("内部错误"))?),
            _ => Err(format!("有多个同名党组织“{name}”，请写出完整路径（用 / 分隔）")),
        })
    }

    /// A chain: its first name is the target itself or one of its children (without a target:
    /// a top-level organization, or one of the caller's scope roots); then child by child.
    async fn by_chain(&mut self, parts: &[String]) -> anyhow::Result<Result<Org, String>> {
        let full = parts.join("/");
        let first = &parts[0];
        let mut cur = match &self.target {
            Some(t) if t.name == *first => t.clone(),
            Some(t) => match store::org::child_named(self.tx.x(), Some(t.id), first).await? {
                Some(o) => o,
                None => {
                    return Ok(Err(format!(
                        "找不到党组织“{full}”：路径的第一级应是导入到的党组织“{}”或它的直属下级，“{}”下没有“{first}”",
                        t.name, t.name
                    )))
                }
            },
            None if self.scope.is_all() => match store::org::child_named(self.tx.x(), None, first).await? {
                Some(o) => o,
                None => return Ok(Err(format!("找不到党组织“{full}”：没有名为“{first}”的顶级党组织"))),
            },
            None => {
                let roots = store::org::roots(self.store, self.scope).await?;
                match roots.into_iter().find(|o| o.name == *first) {
                    Some(o) => o,
                    None => return Ok(Err(format!("找不到党组织“{full}”：路径的第一级应是您管理的党组织"))),
                }
            }
        };
        for (i, name) in parts.iter().enumerate().skip(1) {
            match store::org::child_named(self.tx.x(), Some(cur.id), name).await? {
                Some(o) => cur = o,
                None => {
                    return Ok(Err(format!(
                        "找不到党组织“{full}”：“{}”下没有名为“{name}”的下级党组织",
                        parts[..i].join("/")
                    )))
                }
            }
        }
        Ok(Ok(cur))
    }

    /// The organization a member row goes to.
    async fn member_org(&mut self, reference: &str) -> anyhow::Result<Result<(i64, String), String>> {
        if let Some(hit) = self.member_orgs.get(reference) {
            return Ok(hit.clone());
        }
        let res = if reference.is_empty() {
            match &self.target {
                Some(t) => Ok(t.clone()),
                None => Err("不能为空：请写明党员所在的党支部（同名时写完整路径，用 / 分隔）".to_string()),
            }
        } else {
            self.resolve(reference).await?
        };
        let res = res.and_then(|o| {
            if o.kind.holds_members() {
                Ok((o.id, o.path))
            } else {
                Err(format!("“{}”是{}，党员应编入党支部或党小组", o.name, o.kind.label()))
            }
        });
        if cacheable(reference, self.member_orgs.len()) {
            self.member_orgs.insert(reference.to_string(), res.clone());
        }
        Ok(res)
    }

    pub(crate) async fn members(
        &mut self,
        mut rx: Chunks<MemberParsed>,
        reader: JoinHandle<()>,
        progress: &dyn Progress,
    ) -> anyhow::Result<()> {
        let mut pending: Vec<Pending> = Vec::with_capacity(BATCH);
        let mut pending_bytes = 0;
        let mut deferred: Vec<Pending> = Vec::new();
        // first row of each current member's ID number, and of each history record
        let mut seen_current: HashMap<u64, u64> = HashMap::new();
        let mut seen_history: HashMap<(u64, &'static str, Option<NaiveDate>), u64> = HashMap::new();
        let id_col = self.layout.col_name(m::ID);
        while let Some(chunk) = rx.recv().await {
            let chunk = chunk?;
            progress.inc(chunk.len() as u64);
            for item in chunk {
                self.rows += 1;
                let Item { row, cells, mut errors, parsed } = item;
                let org = match self.member_org(&parsed.org_ref).await? {
                    Ok(t) => Some(t),
                    Err(e) => {
                        errors.push((self.layout.col_name(m::ORG), e));
                        None
                    }
                };
                let (Some(v), Some((org_id, org_path)), true) = (parsed.valid, org, errors.is_empty()) else {
                    self.reject(row, cells, errors);
                    continue;
                };
                let key = id_key(&v.id_number);
                let first = if v.status.is_current() {
                    *seen_current.entry(key).or_insert(row)
                } else {
                    *seen_history.entry((key, v.status.code(), v.status_date)).or_insert(row)
                };
                if first != row {
                    let msg = if v.status.is_current() {
                        format!("与第 {first} 行的号码重复，同一人只能登记一次")
                    } else {
                        format!("与第 {first} 行重复（号码、党籍状态和状态日期都相同）")
                    };
                    self.reject(row, cells, vec![(id_col.clone(), msg)]);
                    continue;
                }
                pending_bytes += cells.iter().map(Cell::text_bytes).sum::<usize>();
                pending.push(Pending { row, cells, bulk: BulkRow { org_id, org_path, member: v } });
                if pending.len() >= BATCH || pending_bytes >= BATCH_BYTES {
                    pending_bytes = 0;
                    self.flush(std::mem::take(&mut pending), &mut deferred).await?;
                }
            }
        }
        reader_done(reader).await?;
        self.flush(pending, &mut deferred).await?;
        // deferred history rows of current members: an earlier episode if the file also lists the
        // person as current, otherwise a status change (the first one per person)
        let mut changes = Vec::new();
        let mut inserts = Vec::new();
        let mut changed: HashSet<u64> = HashSet::new();
        for p in deferred {
            let key = id_key(&p.bulk.member.id_number);
            if seen_current.contains_key(&key) || !changed.insert(key) {
                inserts.push(p.bulk);
            } else {
                changes.push(p);
            }
        }
        self.insert_history(&inserts).await?;
        self.upsert(changes).await
    }

    async fn flush(&mut self, batch: Vec<Pending>, deferred: &mut Vec<Pending>) -> anyhow::Result<()> {
        let (current, history): (Vec<Pending>, Vec<Pending>) =
            batch.into_iter().partition(|p| p.bulk.member.status.is_current());
        self.upsert(current).await?;
        self.history(history, deferred).await
    }

    /// `upsert_batch`, reporting its rejects against their rows.
    async fn upsert(&mut self, rows: Vec<Pending>) -> anyhow::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let (meta, bulk): (Vec<(u64, Vec<Cell>)>, Vec<BulkRow>) =
            rows.into_iter().map(|p| ((p.row, p.cells), p.bulk)).unzip();
        let mut meta: Vec<Option<(u64, Vec<Cell>)>> = meta.into_iter().map(Some).collect();
        let per_call = BATCH;
        for (k, part) in bulk.chunks(per_call).enumerate() {
            let rejects = store::member::upsert_batch(&mut self.tx, self.scope, part, &mut self.counts).await?;
            for r in rejects {
                if let Some((row, cells)) = meta.get_mut(k * per_call + r.index).and_then(Option::take) {
                    let col = self.layout.col_for_label(r.field);
                    self.reject(row, cells, vec![(col, r.message)]);
                }
            }
        }
        Ok(())
    }

    async fn insert_history(&mut self, rows: &[BulkRow]) -> anyhow::Result<()> {
        if !rows.is_empty() {
            store::member::insert_new(&mut self.tx, rows).await?;
            self.counts.inserted += rows.len() as u64;
        }
        Ok(())
    }

    /// History rows (former members): `upsert_history_batch` updates matching stored records and
    /// inserts new ones; rows of people who are current members in scope are deferred.
    async fn history(&mut self, rows: Vec<Pending>, deferred: &mut Vec<Pending>) -> anyhow::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let bulk: Vec<BulkRow> = rows.iter().map(|p| p.bulk.clone()).collect();
        let later = store::member::upsert_history_batch(&mut self.tx, self.scope, &bulk, &mut self.counts).await?;
        let later: HashSet<usize> = later.into_iter().collect();
        deferred.extend(rows.into_iter().enumerate().filter(|(i, _)| later.contains(i)).map(|(_, p)| p));
        Ok(())
    }

    pub(crate) async fn orgs(
        &mut self,
        mut rx: Chunks<OrgParsed>,
        reader: JoinHandle<()>,
        progress: &dyn Progress,
    ) -> anyhow::Result<()> {
        while let Some(chunk) = rx.recv().await {
            let chunk = chunk?;
            progress.inc(chunk.len() as u64);
            for item in chunk {
                self.rows += 1;
                self.org_row(item).await?;
            }
        }
        reader_done(reader).await
    }

    async fn org_row(&mut self, item: Item<OrgParsed>) -> anyhow::Result<()> {
        enum Place {
            Root,
            Under(Org),
            Itself(Org),
        }
        let Item { row, cells, mut errors, parsed } = item;
        let parent_col = self.layout.col_name(o::PARENT);
        let place = if parsed.parent_ref.is_empty() {
            match &self.target {
                Some(t) if t.name == parsed.name => Some(Place::Itself(t.clone())),
                Some(t) => Some(Place::Under(t.clone())),
                None if self.scope.is_all() => Some(Place::Root),
                None => {
                    errors.push((
                        parent_col,
                        "不能为空：请写明上级党组织（顶级党组织只能由系统范围的操作员导入）".into(),
                    ));
                    None
                }
            }
        } else {
            match self.resolve(&parsed.parent_ref).await? {
                Ok(p) => Some(Place::Under(p)),
                Err(e) => {
                    errors.push((parent_col, e));
                    None
                }
            }
        };
        let (Some(v), Some(place), true) = (parsed.valid, place, errors.is_empty()) else {
            self.reject(row, cells, errors);
            return Ok(());
        };
        let (parent_id, existing) = match place {
            Place::Itself(t) => (t.parent_id, Some(t)),
            Place::Under(p) => (Some(p.id), store::org::child_named(self.tx.x(), Some(p.id), &v.name).await?),
            Place::Root => (None, store::org::child_named(self.tx.x(), None, &v.name).await?),
        };
        let result = match existing {
            Some(mut cur) => {
                store::org::load_facilities(self.tx.x(), std::slice::from_mut(&mut cur)).await?;
                if same_org(&cur, &v) {
                    self.counts.unchanged += 1;
                    Ok(())
                } else {
                    store::org::update_in(&mut self.tx, self.scope, cur.id, &v).await.map(|_| self.counts.updated += 1)
                }
            }
            None => store::org::create_in(&mut self.tx, self.scope, parent_id, &v).await.map(|_| {
                self.counts.inserted += 1;
                // a new organization may make a single name ambiguous, or a failed reference good
                self.resolved.retain(|k, r| r.is_ok() && *k != v.name);
            }),
        };
        if let Err(e) = result {
            let errs = self.store_errors(e)?;
            self.reject(row, cells, errs);
        }
        Ok(())
    }

    /// A refusal of the store as row errors; database failures abort the import.
    fn store_errors(&self, e: StoreError) -> anyhow::Result<Errs> {
        Ok(match e {
            StoreError::Invalid(fe) => {
                fe.0.into_iter().map(|f| (self.layout.col_for_label(f.field), f.message)).collect()
            }
            StoreError::Refused(msg) => {
                let col = if msg.contains("顶级") { o::PARENT } else { o::KIND };
                vec![(self.layout.col_name(col), msg)]
            }
            e @ StoreError::NotFound(_) => vec![(self.layout.col_name(o::PARENT), e.to_string())],
            other => return Err(other.into()),
        })
    }
}
