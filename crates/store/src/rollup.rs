//! Member roll-ups per organization subtree.
//!
//! `org_stats` holds, for every organization, the counts of current members in its whole subtree.
//! Every member change applies a [`Delta`] to the organization and all its ancestors in the same
//! transaction (depth ≤ 8, so a handful of rows); a subtree move subtracts the moved totals from the
//! old ancestors and adds them to the new ones. Reading the figures for any subtree is then one
//! row. [`recompute`] rebuilds the table from the member rows and [`verify`] proves they agree.

use std::collections::HashMap;

use domain::member::{Category, Education, Sex, Status};
use domain::path;
use serde::Serialize;

use crate::db::{Exec, Store, Tx, Val};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;

/// Counts of current members in a subtree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Counts {
    pub total: i64,
    pub full_members: i64,
    pub probationary: i64,
    pub female: i64,
    pub minority: i64,
    pub college_plus: i64,
    pub mobile: i64,
    pub lost_contact: i64,
    pub needy: i64,
}

pub type Delta = Counts;

/// What the roll-up needs of one member.
#[derive(Debug, Clone, Copy)]
pub struct MemberFacts<'a> {
    pub status: Status,
    pub category: Category,
    pub sex: Sex,
    pub ethnicity: &'a str,
    pub education: Option<Education>,
    pub is_mobile: bool,
    pub is_lost_contact: bool,
    pub is_needy: bool,
}

impl Counts {
    /// The contribution of one member (zero unless the member is current).
    pub fn of(m: &MemberFacts<'_>) -> Counts {
        if !m.status.is_current() {
            return Counts::default();
        }
        let b = |x: bool| x as i64;
        Counts {
            total: 1,
            full_members: b(m.category == Category::Full),
            probationary: b(m.category == Category::Probationary),
            female: b(m.sex == Sex::Female),
            minority: b(m.ethnicity != "汉族"),
            college_plus: b(m.education.is_some_and(|e| e.is_college_plus())),
            mobile: b(m.is_mobile),
            lost_contact: b(m.is_lost_contact),
            needy: b(m.is_needy),
        }
    }
    fn fields(&self) -> [i64; 9] {
        [
            self.total,
            self.full_members,
            self.probationary,
            self.female,
            self.minority,
            self.college_plus,
            self.mobile,
            self.lost_contact,
            self.needy,
        ]
    }
    pub fn is_zero(&self) -> bool {
        self.fields().iter().all(|v| *v == 0)
    }
    pub fn add(&mut self, o: &Counts) {
        *self = self.plus(o);
    }
    pub fn plus(&self, o: &Counts) -> Counts {
        let (a, b) = (self.fields(), o.fields());
        Counts::from_fields(std::array::from_fn(|i| a[i] + b[i]))
    }
    pub fn minus(&self, o: &Counts) -> Counts {
        let (a, b) = (self.fields(), o.fields());
        Counts::from_fields(std::array::from_fn(|i| a[i] - b[i]))
    }
    fn from_fields(f: [i64; 9]) -> Counts {
        Counts {
            total: f[0],
            full_members: f[1],
            probationary: f[2],
            female: f[3],
            minority: f[4],
            college_plus: f[5],
            mobile: f[6],
            lost_contact: f[7],
            needy: f[8],
        }
    }
}

const COLS: &str = "total, full_members, probationary, female, minority, college_plus, mobile, lost_contact, needy";

/// Add `d` to the roll-up of the organization at `org_path` and of all its ancestors.
pub async fn apply(tx: &mut Tx, org_path: &str, d: &Delta) -> StoreResult<()> {
    if d.is_zero() {
        return Ok(());
    }
    let mut paths: Vec<&str> = path::ancestors(org_path);
    paths.push(org_path);
    let f = d.fields();
    let mut sql = String::from(
        "UPDATE org_stats SET total = total + $1, full_members = full_members + $2, probationary = probationary + $3, \
         female = female + $4, minority = minority + $5, college_plus = college_plus + $6, mobile = mobile + $7, \
         lost_contact = lost_contact + $8, needy = needy + $9 WHERE path IN (",
    );
    let mut args: Vec<Val> = f.iter().map(|v| Val::from(*v)).collect();
    for (i, p) in paths.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("${}", 10 + i));
        args.push(Val::from(*p));
    }
    sql.push(')');
    tx.x().execute(&sql, &args).await?;
    Ok(())
}

/// Apply many per-organization deltas at once (bulk imports): ancestors' deltas are summed in
/// memory first, so each affected row is updated once.
pub async fn apply_many(tx: &mut Tx, deltas: &HashMap<String, Delta>) -> StoreResult<()> {
    let mut rolled: HashMap<&str, Delta> = HashMap::new();
    for (p, d) in deltas {
        rolled.entry(p.as_str()).or_default().add(d);
        for a in path::ancestors(p) {
            rolled.entry(a).or_default().add(d);
        }
    }
    for (p, d) in rolled {
        if d.is_zero() {
            continue;
        }
        let f = d.fields();
        let mut args: Vec<Val> = f.iter().map(|v| Val::from(*v)).collect();
        args.push(Val::from(p));
        tx.x()
            .execute(
                "UPDATE org_stats SET total = total + $1, full_members = full_members + $2, probationary = probationary + $3, \
                 female = female + $4, minority = minority + $5, college_plus = college_plus + $6, mobile = mobile + $7, \
                 lost_contact = lost_contact + $8, needy = needy + $9 WHERE path = $10",
                &args,
            )
            .await?;
    }
    Ok(())
}

/// The roll-up of the subtree rooted at `org_id`: one row read.
pub async fn subtree(store: &Store, scope: &Scope, org_id: i64) -> StoreResult<Counts> {
    let org = crate::org::visible(store, scope, org_id).await?;
    of(store, &org).await
}

fn live_sql() -> String {
    "SELECT CAST(COUNT(*) AS BIGINT) AS total, \
       CAST(COALESCE(SUM(CASE WHEN category = 'full' THEN 1 ELSE 0 END), 0) AS BIGINT) AS full_members, \
       CAST(COALESCE(SUM(CASE WHEN category = 'probationary' THEN 1 ELSE 0 END), 0) AS BIGINT) AS probationary, \
       CAST(COALESCE(SUM(CASE WHEN sex = 'female' THEN 1 ELSE 0 END), 0) AS BIGINT) AS female, \
       CAST(COALESCE(SUM(CASE WHEN ethnicity <> '汉族' THEN 1 ELSE 0 END), 0) AS BIGINT) AS minority, \
       CAST(COALESCE(SUM(CASE WHEN education IN ('postgraduate', 'bachelor', 'college') THEN 1 ELSE 0 END), 0) AS BIGINT) AS college_plus, \
       CAST(COALESCE(SUM(CASE WHEN is_mobile THEN 1 ELSE 0 END), 0) AS BIGINT) AS mobile, \
       CAST(COALESCE(SUM(CASE WHEN is_lost_contact THEN 1 ELSE 0 END), 0) AS BIGINT) AS lost_contact, \
       CAST(COALESCE(SUM(CASE WHEN is_needy THEN 1 ELSE 0 END), 0) AS BIGINT) AS needy \
     FROM member m"
        .to_string()
}

/// The roll-up of an organization the caller has already read through its scope (so the scope is
/// not checked a second time): one row read.
pub async fn of(store: &Store, org: &crate::Visible<domain::org::Org>) -> StoreResult<Counts> {
    Ok(store
        .read()
        .fetch_optional::<Counts>(&format!("SELECT {COLS} FROM org_stats WHERE org_id = $1"), &crate::args![org.id])
        .await?
        .unwrap_or_default())
}

/// The same figures counted live from the member rows by path range (for small subtrees and to
/// check the roll-up).
pub async fn live(store: &Store, scope: &Scope, org_id: i64) -> StoreResult<Counts> {
    let org = crate::org::get(store, scope, org_id).await?;
    let sql = format!("{} WHERE m.path >= $1 AND m.path < $2 AND m.status = 'normal'", live_sql());
    store.read().fetch_one(&sql, &crate::args![org.path.clone(), path::subtree_end(&org.path)]).await
}

/// The baseline a naive implementation would use: walk the tree by `parent_id` with a recursive
/// query and count the members of every organization found. Used by the benchmark only.
pub async fn recursive_baseline(store: &Store, scope: &Scope, org_id: i64) -> StoreResult<Counts> {
    let org = crate::org::get(store, scope, org_id).await?;
    let sql = format!(
        "WITH RECURSIVE sub(id, path) AS (SELECT id, path FROM org WHERE id = $1 \
           UNION ALL SELECT o.id, o.path FROM org o JOIN sub ON o.parent_id = sub.id) \
         {} WHERE m.path IN (SELECT path FROM sub) AND m.status = 'normal'",
        live_sql()
    );
    store.read().fetch_one(&sql, &crate::args![org.id]).await
}

#[derive(sqlx::FromRow)]
struct PathCounts {
    path: String,
    #[sqlx(flatten)]
    counts: Counts,
}

/// Compute every organization's subtree counts from the member rows (direct counts grouped by
/// path, then summed up the tree in memory).
async fn compute(exec: Exec<'_>) -> StoreResult<HashMap<String, Counts>> {
    let sql = format!(
        "{} WHERE m.status = 'normal' GROUP BY m.path",
        live_sql().replacen("SELECT ", "SELECT m.path AS path, ", 1)
    );
    let direct: Vec<PathCounts> = exec.fetch_all(&sql, &[]).await?;
    let mut out: HashMap<String, Counts> = HashMap::new();
    for pc in direct {
        out.entry(pc.path.clone()).or_default().add(&pc.counts);
        for a in path::ancestors(&pc.path) {
            out.entry(a.to_string()).or_default().add(&pc.counts);
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize)]
pub struct Mismatch {
    pub org_id: i64,
    pub path: String,
    pub stored: Counts,
    pub computed: Counts,
}

/// Compare the maintained roll-up with a full recompute. Empty means they agree.
pub async fn verify(store: &Store) -> StoreResult<Vec<Mismatch>> {
    let computed = compute(store.read()).await?;
    #[derive(sqlx::FromRow)]
    struct Row {
        org_id: i64,
        path: String,
        #[sqlx(flatten)]
        counts: Counts,
    }
    let stored: Vec<Row> = store.read().fetch_all(&format!("SELECT org_id, path, {COLS} FROM org_stats"), &[]).await?;
    let orgs = store.read().scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM org", &[]).await?;
    let mut out = Vec::new();
    if orgs != stored.len() as i64 {
        return Err(StoreError::Refused(format!("统计表缺少 {} 个党组织的行", orgs - stored.len() as i64)));
    }
    for r in stored {
        let c = computed.get(&r.path).copied().unwrap_or_default();
        if c != r.counts {
            out.push(Mismatch { org_id: r.org_id, path: r.path, stored: r.counts, computed: c });
        }
    }
    Ok(out)
}

/// Rebuild the roll-up from the member rows in one transaction.
pub async fn recompute(store: &Store, scope: &Scope) -> StoreResult<usize> {
    if !scope.is_all() {
        return Err(StoreError::Refused("只有系统范围的操作员可以重算汇总表".into()));
    }
    let mut tx = store.begin().await?;
    let computed = compute(tx.x()).await?;
    tx.x()
        .execute(
            "UPDATE org_stats SET total = 0, full_members = 0, probationary = 0, female = 0, minority = 0, college_plus = 0, mobile = 0, lost_contact = 0, needy = 0",
            &[],
        )
        .await?;
    let n = computed.len();
    for (p, c) in computed {
        let mut args: Vec<Val> = c.fields().iter().map(|v| Val::from(*v)).collect();
        args.push(Val::from(p));
        tx.x()
            .execute(
                "UPDATE org_stats SET total = $1, full_members = $2, probationary = $3, female = $4, minority = $5, \
                 college_plus = $6, mobile = $7, lost_contact = $8, needy = $9 WHERE path = $10",
                &args,
            )
            .await?;
    }
    crate::audit::record(&mut tx, scope, "stats.recompute", "org_stats", "ok", serde_json::json!({ "orgs": n }))
        .await?;
    tx.commit().await?;
    Ok(n)
}
