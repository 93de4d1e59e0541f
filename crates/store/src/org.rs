//! 党组织 repository: create, edit, move, dissolve, browse and search the organization tree.

use chrono::NaiveDate;
use domain::org::{Facility, FacilityKind, FacilityStatus, FormedBy, Org, OrgInput, OrgKind, Sector, ValidOrg};
use domain::path;
use domain::rules::{self, Finding, OrgFacts};
use serde::Serialize;
use serde_json::json;

use crate::args;
use crate::db::{now, Exec, Store, Tx, Val};
use crate::error::{StoreError, StoreResult};
use crate::rollup::{self, Counts};
use crate::scope::Scope;

pub(crate) const ORG_COLS: &str = "o.id, o.parent_id, o.path, o.name, o.short_name, o.kind, o.sector, o.region_code, \
    o.formed_by, o.founded_on, o.has_committee, o.term_number, o.term_start, o.term_end, o.secretary, o.contact_phone, \
    o.address, o.annual_funds, o.dissolved_on, o.version";

#[derive(sqlx::FromRow, Debug)]
pub(crate) struct OrgRow {
    id: i64,
    parent_id: Option<i64>,
    path: String,
    name: String,
    short_name: Option<String>,
    kind: String,
    sector: String,
    region_code: Option<String>,
    formed_by: String,
    founded_on: Option<NaiveDate>,
    has_committee: bool,
    term_number: Option<i64>,
    term_start: Option<NaiveDate>,
    term_end: Option<NaiveDate>,
    secretary: Option<String>,
    contact_phone: Option<String>,
    address: Option<String>,
    annual_funds: Option<i64>,
    dissolved_on: Option<NaiveDate>,
    version: i64,
}

impl OrgRow {
    pub(crate) fn into_org(self) -> Org {
        Org {
            id: self.id,
            parent_id: self.parent_id,
            path: self.path,
            name: self.name,
            short_name: self.short_name,
            kind: OrgKind::from_code(&self.kind).unwrap_or(OrgKind::Branch),
            sector: Sector::from_code(&self.sector).unwrap_or(Sector::Other),
            region_code: self.region_code,
            formed_by: FormedBy::from_code(&self.formed_by).unwrap_or(FormedBy::Single),
            founded_on: self.founded_on,
            has_committee: self.has_committee,
            term_number: self.term_number.map(|n| n as i32),
            term_start: self.term_start,
            term_end: self.term_end,
            secretary: self.secretary,
            contact_phone: self.contact_phone,
            address: self.address,
            annual_funds: self.annual_funds,
            facilities: Vec::new(),
            version: self.version,
        }
    }
}

async fn fetch_row(exec: Exec<'_>, id: i64) -> StoreResult<Option<OrgRow>> {
    exec.fetch_optional(&format!("SELECT {ORG_COLS} FROM org o WHERE o.id = $1"), &args![id]).await
}

/// Load an organization the caller may see (dissolved ones included, for history).
async fn get_any(store: &Store, scope: &Scope, id: i64) -> StoreResult<(Org, Option<NaiveDate>)> {
    let row = fetch_row(store.read(), id).await?.ok_or(StoreError::NotFound("党组织"))?;
    if !scope.contains(&row.path) {
        return Err(StoreError::NotFound("党组织"));
    }
    let dissolved = row.dissolved_on;
    let mut org = row.into_org();
    load_facilities(store.read(), std::slice::from_mut(&mut org)).await?;
    Ok((org, dissolved))
}

/// Load an active organization the caller may see; out of scope reads as not found.
pub async fn get(store: &Store, scope: &Scope, id: i64) -> StoreResult<Org> {
    match get_any(store, scope, id).await? {
        (org, None) => Ok(org),
        (_, Some(_)) => Err(StoreError::NotFound("党组织")),
    }
}

/// Load an active organization the caller may see, marked as seen through the scope: what the
/// reads below an organization take. Out of scope reads as not found.
pub async fn visible(store: &Store, scope: &Scope, id: i64) -> StoreResult<crate::Visible<Org>> {
    get(store, scope, id).await.map(crate::Visible::new)
}

/// The active organizations read for [`visible_seen`], each with the tree's generation it was
/// read at; `None` for one that does not exist or is dissolved.
struct KeptOrgs(crate::generation::Cache<i64, Option<Org>>);

impl Default for KeptOrgs {
    fn default() -> Self {
        KeptOrgs(crate::generation::Cache::new(crate::generation::Topic::Orgs, 4096))
    }
}

/// [`visible`], read at most once per generation of the tree: the organization is kept in
/// memory with the generation it was read at and given out again while that holds (`seen`: the
/// generations as the request's session read found them; `None` reads the generation now). The
/// scope is applied to the kept organization on every call, so what one caller read is never
/// shown to another who may not see it.
pub async fn visible_seen(
    store: &Store,
    scope: &Scope,
    id: i64,
    seen: Option<crate::generation::Generations>,
) -> StoreResult<crate::Visible<Org>> {
    let kept = store.kept().get::<KeptOrgs>();
    let org = kept
        .0
        .get_or_load(store, seen, id, || async {
            let Some(row) = fetch_row(store.read(), id).await? else { return Ok::<_, StoreError>(None) };
            if row.dissolved_on.is_some() {
                return Ok(None);
            }
            let mut org = row.into_org();
            load_facilities(store.read(), std::slice::from_mut(&mut org)).await?;
            Ok(Some(org))
        })
        .await?;
    match org {
        Some(o) if scope.contains(&o.path) => Ok(crate::Visible::new(o)),
        _ => Err(StoreError::NotFound("党组织")),
    }
}

/// (id, path, name) of every organization of the subtree at `root`, dissolved ones included
/// (former members may still point at them), in path order.
pub async fn names_in(store: &Store, root: &crate::Visible<Org>) -> StoreResult<Vec<(i64, String, String)>> {
    store
        .read()
        .fetch_all(
            "SELECT id, path, name FROM org WHERE path >= $1 AND path < $2 ORDER BY path",
            &args![root.path.clone(), path::subtree_end(&root.path)],
        )
        .await
}

/// Load by path (active only).
pub async fn get_by_path(store: &Store, scope: &Scope, p: &str) -> StoreResult<Org> {
    if !scope.contains(p) {
        return Err(StoreError::NotFound("党组织"));
    }
    let row: OrgRow = store
        .read()
        .fetch_optional(
            &format!("SELECT {ORG_COLS} FROM org o WHERE o.path = $1 AND o.dissolved_on IS NULL"),
            &args![p],
        )
        .await?
        .ok_or(StoreError::NotFound("党组织"))?;
    Ok(row.into_org())
}

/// Fill `facilities` for a batch of organizations.
pub async fn load_facilities(exec: Exec<'_>, orgs: &mut [Org]) -> StoreResult<()> {
    if orgs.is_empty() {
        return Ok(());
    }
    #[derive(sqlx::FromRow)]
    struct F {
        org_id: i64,
        kind: String,
        status: String,
        year: Option<i64>,
    }
    let rows: Vec<F> = if orgs.len() == 1 {
        exec.fetch_all(
            "SELECT org_id, kind, status, year FROM org_facility WHERE org_id = $1 ORDER BY kind",
            &args![orgs[0].id],
        )
        .await?
    } else {
        // one range query over the batch's span of paths, filtered in memory
        let lo = orgs.iter().map(|o| o.path.as_str()).min().unwrap_or("").to_string();
        let hi = orgs.iter().map(|o| o.path.as_str()).max().unwrap_or("").to_string();
        exec.fetch_all(
            "SELECT f.org_id, f.kind, f.status, f.year FROM org_facility f JOIN org o ON o.id = f.org_id \
             WHERE o.path >= $1 AND o.path < $2 ORDER BY f.kind",
            &args![lo, path::subtree_end(&hi)],
        )
        .await?
    };
    let mut by_org: std::collections::HashMap<i64, Vec<Facility>> = std::collections::HashMap::new();
    for f in rows {
        if let (Some(kind), Some(status)) = (FacilityKind::from_code(&f.kind), FacilityStatus::from_code(&f.status)) {
            by_org.entry(f.org_id).or_default().push(Facility { kind, status, year: f.year.map(|y| y as i32) });
        }
    }
    for o in orgs.iter_mut() {
        o.facilities = by_org.remove(&o.id).unwrap_or_default();
    }
    Ok(())
}

/// The editable columns, in the order of the INSERT and UPDATE statements below.
fn org_fields(v: &ValidOrg) -> [Val; 15] {
    args![
        v.name.clone(),
        v.short_name.clone(),
        v.kind.code(),
        v.sector.code(),
        v.region_code.clone(),
        v.formed_by.code(),
        v.founded_on,
        v.has_committee,
        v.term_number,
        v.term_start,
        v.term_end,
        v.secretary.clone(),
        v.contact_phone.clone(),
        v.address.clone(),
        v.annual_funds,
    ]
}

async fn write_facilities(tx: &mut Tx, org_id: i64, facilities: &[Facility]) -> StoreResult<()> {
    tx.x().execute("DELETE FROM org_facility WHERE org_id = $1", &args![org_id]).await?;
    for f in facilities {
        tx.x()
            .execute(
                "INSERT INTO org_facility (org_id, kind, status, year) VALUES ($1, $2, $3, $4)",
                &args![org_id, f.kind.code(), f.status.code(), f.year],
            )
            .await?;
    }
    Ok(())
}

async fn sibling_named(tx: &mut Tx, parent_id: Option<i64>, name: &str, except: Option<i64>) -> StoreResult<bool> {
    let n = match parent_id {
        Some(p) => {
            tx.x()
                .scalar(
                    "SELECT CAST(COUNT(*) AS BIGINT) FROM org WHERE parent_id = $1 AND name = $2 AND dissolved_on IS NULL AND id <> $3",
                    &args![p, name, except.unwrap_or(-1)],
                )
                .await?
        }
        None => {
            tx.x()
                .scalar(
                    "SELECT CAST(COUNT(*) AS BIGINT) FROM org WHERE parent_id IS NULL AND name = $1 AND dissolved_on IS NULL AND id <> $2",
                    &args![name, except.unwrap_or(-1)],
                )
                .await?
        }
    };
    Ok(n > 0)
}

fn refuse_child(parent: &Org, kind: OrgKind) -> StoreError {
    StoreError::Refused(format!(
        "{}（{}）下不能设立{}，请选择合适的上级党组织或组织类别",
        parent.name,
        parent.kind.label(),
        kind.label()
    ))
}

/// Create an organization (validated) in its own transaction.
pub async fn create(
    store: &Store,
    scope: &Scope,
    parent_id: Option<i64>,
    input: &OrgInput,
    today: NaiveDate,
) -> StoreResult<Org> {
    let v = input.validate(today)?;
    let mut tx = store.begin().await?;
    let org = create_in(&mut tx, scope, parent_id, &v).await?;
    tx.commit().await?;
    Ok(org)
}

/// Create an organization inside the caller's transaction (bulk imports, demo builder).
pub async fn create_in(tx: &mut Tx, scope: &Scope, parent_id: Option<i64>, v: &ValidOrg) -> StoreResult<Org> {
    let path = match parent_id {
        Some(pid) => {
            let parent = fetch_row(tx.x(), pid).await?.filter(|p| p.dissolved_on.is_none() && scope.contains(&p.path));
            let parent = parent.ok_or(StoreError::NotFound("上级党组织"))?.into_org();
            if !parent.kind.allows_child(v.kind) {
                return Err(refuse_child(&parent, v.kind));
            }
            let seq = tx
                .x()
                .scalar(
                    "UPDATE org SET next_child = next_child + 1 WHERE id = $1 RETURNING next_child - 1",
                    &args![pid],
                )
                .await?;
            format!("{}{}", parent.path, path::segment(seq as u32))
        }
        None => {
            if !scope.is_all() {
                return Err(StoreError::Refused("只有系统范围的操作员可以创建顶级党组织".into()));
            }
            let last: Option<(String,)> = tx
                .x()
                .fetch_optional("SELECT path FROM org WHERE parent_id IS NULL ORDER BY path DESC LIMIT 1", &[])
                .await?;
            let seq = last.and_then(|(p,)| path::parse_segment(&p)).map(|s| s + 1).unwrap_or(1);
            path::segment(seq)
        }
    };
    if sibling_named(tx, parent_id, &v.name, None).await? {
        return Err(StoreError::Invalid(
            domain::FieldError::new("组织名称", format!("同一上级党组织下已有“{}”", v.name)).into(),
        ));
    }
    let t = now();
    let (id,): (i64,) = tx
        .x()
        .fetch_one(
            "INSERT INTO org (parent_id, path, name, short_name, kind, sector, region_code, formed_by, founded_on, has_committee, \
             term_number, term_start, term_end, secretary, contact_phone, address, annual_funds, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) RETURNING id",
            &[&args![parent_id, path.clone()][..], &org_fields(v), &args![t]].concat(),
        )
        .await?;
    tx.x().execute("INSERT INTO org_stats (org_id, path) VALUES ($1, $2)", &args![id, path.clone()]).await?;
    write_facilities(tx, id, &v.facilities).await?;
    let org = Org {
        id,
        parent_id,
        path,
        name: v.name.clone(),
        short_name: v.short_name.clone(),
        kind: v.kind,
        sector: v.sector,
        region_code: v.region_code.clone(),
        formed_by: v.formed_by,
        founded_on: v.founded_on,
        has_committee: v.has_committee,
        term_number: v.term_number,
        term_start: v.term_start,
        term_end: v.term_end,
        secretary: v.secretary.clone(),
        contact_phone: v.contact_phone.clone(),
        address: v.address.clone(),
        annual_funds: v.annual_funds,
        facilities: v.facilities.clone(),
        version: domain::org::first_version(),
    };
    crate::audit::record(tx, scope, "org.create", &format!("org:{id}"), "ok", json!({ "after": org })).await?;
    Ok(org)
}

/// Edit an organization's fields (not its place in the tree: see [`move_subtree`]).
pub async fn update(store: &Store, scope: &Scope, id: i64, input: &OrgInput, today: NaiveDate) -> StoreResult<Org> {
    let v = input.validate(today)?;
    let mut tx = store.begin().await?;
    let org = update_in(&mut tx, scope, id, &v).await?;
    tx.commit().await?;
    Ok(org)
}

pub async fn update_in(tx: &mut Tx, scope: &Scope, id: i64, v: &ValidOrg) -> StoreResult<Org> {
    let cur = fetch_row(tx.x(), id).await?.filter(|o| o.dissolved_on.is_none() && scope.contains(&o.path));
    let mut cur = cur.ok_or(StoreError::NotFound("党组织"))?.into_org();
    load_facilities(tx.x(), std::slice::from_mut(&mut cur)).await?;
    if v.kind != cur.kind {
        if let Some(pid) = cur.parent_id {
            let parent = fetch_row(tx.x(), pid).await?.ok_or(StoreError::NotFound("上级党组织"))?.into_org();
            if !parent.kind.allows_child(v.kind) {
                return Err(refuse_child(&parent, v.kind));
            }
        }
        let members = tx
            .x()
            .scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM member WHERE path = $1 AND status = 'normal'",
                &args![cur.path.clone()],
            )
            .await?;
        if members > 0 && !v.kind.holds_members() {
            return Err(StoreError::Refused(format!(
                "该组织直接管理 {members} 名党员，{}不能直接管理党员，请先将党员转入下属党支部",
                v.kind.label()
            )));
        }
        #[derive(sqlx::FromRow)]
        struct K {
            kind: String,
        }
        let kids: Vec<K> =
            tx.x().fetch_all("SELECT kind FROM org WHERE parent_id = $1 AND dissolved_on IS NULL", &args![id]).await?;
        if let Some(k) = kids.iter().filter_map(|k| OrgKind::from_code(&k.kind)).find(|k| !v.kind.allows_child(*k)) {
            return Err(StoreError::Refused(format!(
                "该组织下有{}，改为{}后不能再管理它们，请先调整下级组织",
                k.label(),
                v.kind.label()
            )));
        }
    }
    if v.version.is_some_and(|seen| seen != cur.version) {
        return Err(StoreError::Stale("党组织"));
    }
    if sibling_named(tx, cur.parent_id, &v.name, Some(id)).await? {
        return Err(StoreError::Invalid(
            domain::FieldError::new("组织名称", format!("同一上级党组织下已有“{}”", v.name)).into(),
        ));
    }
    // the version read above must still be the stored one when the row is written (a concurrent
    // edit that committed meanwhile makes this match nothing)
    let written = tx
        .x()
        .execute(
            "UPDATE org SET name = $1, short_name = $2, kind = $3, sector = $4, region_code = $5, formed_by = $6, founded_on = $7, \
             has_committee = $8, term_number = $9, term_start = $10, term_end = $11, secretary = $12, contact_phone = $13, \
             address = $14, annual_funds = $15, updated_at = $16, version = version + 1 WHERE id = $17 AND version = $18",
            &[&org_fields(v)[..], &args![now(), id, cur.version]].concat(),
        )
        .await?;
    if written == 0 {
        return Err(StoreError::Stale("党组织"));
    }
    write_facilities(tx, id, &v.facilities).await?;
    let row = fetch_row(tx.x(), id).await?.ok_or(StoreError::NotFound("党组织"))?;
    let mut org = row.into_org();
    org.facilities = v.facilities.clone();
    let changes = crate::audit::diff(&json!(cur), &json!(org));
    crate::audit::record(tx, scope, "org.update", &format!("org:{id}"), "ok", changes).await?;
    Ok(org)
}

/// What a move changed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MoveReport {
    pub old_path: String,
    pub new_path: String,
    pub orgs_moved: u64,
    pub members_moved: u64,
}

/// What would move, for the confirmation a user sees before moving.
pub async fn move_preview(store: &Store, scope: &Scope, id: i64) -> StoreResult<(i64, i64)> {
    let org = visible(store, scope, id).await?;
    let end = path::subtree_end(&org.path);
    let orgs = store
        .read()
        .scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM org WHERE path >= $1 AND path < $2 AND dissolved_on IS NULL",
            &args![org.path.clone(), end.clone()],
        )
        .await?;
    let members = rollup::of(store, &org).await?.total;
    Ok((orgs, members))
}

/// Move an organization and its whole subtree (organizations, members, roll-ups) under a new
/// parent, atomically.
pub async fn move_subtree(store: &Store, scope: &Scope, id: i64, new_parent_id: i64) -> StoreResult<MoveReport> {
    let mut tx = store.begin().await?;
    let org = fetch_row(tx.x(), id).await?.filter(|o| o.dissolved_on.is_none() && scope.contains(&o.path));
    let org = org.ok_or(StoreError::NotFound("党组织"))?.into_org();
    let parent =
        fetch_row(tx.x(), new_parent_id).await?.filter(|o| o.dissolved_on.is_none() && scope.contains(&o.path));
    let parent = parent.ok_or(StoreError::NotFound("目标上级党组织"))?.into_org();
    if path::is_within(&parent.path, &org.path) {
        return Err(StoreError::Refused("不能把党组织转移到它自己或它的下级党组织之下".into()));
    }
    if org.parent_id == Some(parent.id) {
        return Err(StoreError::Refused(format!("“{}”已经在“{}”之下", org.name, parent.name)));
    }
    if !parent.kind.allows_child(org.kind) {
        return Err(refuse_child(&parent, org.kind));
    }
    if sibling_named(&mut tx, Some(parent.id), &org.name, Some(org.id)).await? {
        return Err(StoreError::Refused(format!("“{}”下已有同名组织“{}”，请先改名", parent.name, org.name)));
    }
    let moved: Counts = tx
        .x()
        .fetch_optional(
            "SELECT total, full_members, probationary, female, minority, college_plus, mobile, lost_contact, needy FROM org_stats WHERE org_id = $1",
            &args![org.id],
        )
        .await?
        .unwrap_or_default();
    // take the moved totals off the old ancestors (not the moved org itself, which keeps its own)
    if let Some(old_parent) = path::parent(&org.path) {
        rollup::apply(&mut tx, old_parent, &Counts::default().minus(&moved)).await?;
    }
    let seq = tx
        .x()
        .scalar("UPDATE org SET next_child = next_child + 1 WHERE id = $1 RETURNING next_child - 1", &args![parent.id])
        .await?;
    let new_path = format!("{}{}", parent.path, path::segment(seq as u32));
    let old_end = path::subtree_end(&org.path);
    let cut = org.path.len() as i64 + 1;
    let rewrite = |table: &str| {
        format!("UPDATE {table} SET path = $1 || substr(path, CAST($2 AS INTEGER)) WHERE path >= $3 AND path < $4")
    };
    let a = args![new_path.clone(), cut, org.path.clone(), old_end.clone()];
    let orgs_moved = tx.x().execute(&rewrite("org"), &a).await?;
    let members_moved = tx.x().execute(&rewrite("member"), &a).await?;
    tx.x().execute(&rewrite("org_stats"), &a).await?;
    tx.x().execute(&rewrite("life_record"), &a).await?;
    tx.x().execute(&rewrite("life_finding"), &a).await?;
    tx.x()
        .execute(
            "UPDATE org SET parent_id = $1, updated_at = $2, version = version + 1 WHERE id = $3",
            &args![parent.id, now(), org.id],
        )
        .await?;
    rollup::apply(&mut tx, &parent.path, &moved).await?;
    let report = MoveReport { old_path: org.path, new_path, orgs_moved, members_moved };
    let detail = json!({ "from_parent": org.parent_id, "to_parent": parent.id, "move": report });
    crate::audit::record(&mut tx, scope, "org.move", &format!("org:{}", org.id), "ok", detail).await?;
    tx.commit().await?;
    Ok(report)
}

/// Dissolve (撤销) an organization: refused while it has active children or current members.
pub async fn dissolve(store: &Store, scope: &Scope, id: i64, on: NaiveDate) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let org = fetch_row(tx.x(), id).await?.filter(|o| o.dissolved_on.is_none() && scope.contains(&o.path));
    let org = org.ok_or(StoreError::NotFound("党组织"))?.into_org();
    let kids = tx
        .x()
        .scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM org WHERE parent_id = $1 AND dissolved_on IS NULL", &args![id])
        .await?;
    if kids > 0 {
        return Err(StoreError::Refused(format!(
            "“{}”下还有 {kids} 个下级党组织，不能撤销。请先将下级党组织转移到其他上级或逐个撤销",
            org.name
        )));
    }
    let members = tx
        .x()
        .scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM member WHERE path = $1 AND status = 'normal'",
            &args![org.path.clone()],
        )
        .await?;
    if members > 0 {
        return Err(StoreError::Refused(format!(
            "“{}”还有 {members} 名党员，不能撤销。请先为这些党员办理组织关系转接，或转入其他党组织",
            org.name
        )));
    }
    tx.x()
        .execute(
            "UPDATE org SET dissolved_on = $1, updated_at = $2, version = version + 1 WHERE id = $3",
            &args![on, now(), id],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "org.dissolve",
        &format!("org:{id}"),
        "ok",
        json!({ "name": org.name, "dissolved_on": on }),
    )
    .await?;
    tx.commit().await
}

/// Active children, in tree order.
pub async fn children(store: &Store, scope: &Scope, id: i64) -> StoreResult<Vec<Org>> {
    let org = get(store, scope, id).await?;
    let rows: Vec<OrgRow> = store
        .read()
        .fetch_all(
            &format!("SELECT {ORG_COLS} FROM org o WHERE o.parent_id = $1 AND o.dissolved_on IS NULL ORDER BY o.path"),
            &args![org.id],
        )
        .await?;
    Ok(rows.into_iter().map(OrgRow::into_org).collect())
}

/// Ancestors the caller may see, root first.
pub async fn ancestors(store: &Store, scope: &Scope, id: i64) -> StoreResult<Vec<Org>> {
    let org = get(store, scope, id).await?;
    let paths: Vec<&str> = path::ancestors(&org.path).into_iter().filter(|p| scope.contains(p)).collect();
    if paths.is_empty() {
        return Ok(vec![]);
    }
    let (ph, args) = in_list(1, paths.iter().map(|p| Val::from(*p)));
    let rows: Vec<OrgRow> = store
        .read()
        .fetch_all(&format!("SELECT {ORG_COLS} FROM org o WHERE o.path IN ({ph}) ORDER BY o.path"), &args)
        .await?;
    Ok(rows.into_iter().map(OrgRow::into_org).collect())
}

/// The names of these organizations, those the caller may see (one query, for listings).
pub async fn names(store: &Store, scope: &Scope, ids: &[i64]) -> StoreResult<std::collections::HashMap<i64, String>> {
    let mut out = std::collections::HashMap::new();
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(500) {
        let (ph, a) = in_list(1, chunk.iter().map(|i| Val::from(*i)));
        let rows: Vec<(i64, String, String)> =
            store.read().fetch_all(&format!("SELECT id, name, path FROM org WHERE id IN ({ph})"), &a).await?;
        out.extend(rows.into_iter().filter(|(_, _, p)| scope.contains(p)).map(|(i, n, _)| (i, n)));
    }
    Ok(out)
}

/// Organization names by id and by path, both in one query (for a listing that names
/// organizations either way, like the audit trail): those the caller may see, dissolved ones
/// included (history names them); an id or path outside the scope, or naming no organization, is
/// left out.
#[allow(clippy::type_complexity)]
pub async fn names_by(
    store: &Store,
    scope: &Scope,
    ids: &[i64],
    paths: &[String],
) -> StoreResult<(std::collections::HashMap<i64, String>, std::collections::HashMap<String, String>)> {
    let (mut by_id, mut by_path) = (std::collections::HashMap::new(), std::collections::HashMap::new());
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut paths: Vec<String> = paths.iter().filter(|p| scope.contains(p)).cloned().collect();
    paths.sort_unstable();
    paths.dedup();
    let (mut ids, mut paths) = (ids.as_slice(), paths.as_slice());
    while !ids.is_empty() || !paths.is_empty() {
        let (id_chunk, id_rest) = ids.split_at(ids.len().min(400));
        let (path_chunk, path_rest) = paths.split_at(paths.len().min(400));
        (ids, paths) = (id_rest, path_rest);
        let (id_ph, mut a) = in_list(1, id_chunk.iter().map(|i| Val::from(*i)));
        let (path_ph, b) = in_list(a.len() + 1, path_chunk.iter().map(Val::from));
        a.extend(b);
        let mut conds = Vec::new();
        if !id_chunk.is_empty() {
            conds.push(format!("id IN ({id_ph})"));
        }
        if !path_chunk.is_empty() {
            conds.push(format!("path IN ({path_ph})"));
        }
        let rows: Vec<(i64, String, String)> =
            store.read().fetch_all(&format!("SELECT id, path, name FROM org WHERE {}", conds.join(" OR ")), &a).await?;
        for (id, path, name) in rows.into_iter().filter(|(_, p, _)| scope.contains(p)) {
            if id_chunk.contains(&id) {
                by_id.insert(id, name.clone());
            }
            if path_chunk.contains(&path) {
                by_path.insert(path, name);
            }
        }
    }
    Ok((by_id, by_path))
}

/// `$n, $n+1, …` placeholders for an IN list.
pub(crate) fn in_list(start: usize, vals: impl Iterator<Item = Val>) -> (String, Vec<Val>) {
    let args: Vec<Val> = vals.collect();
    let ph = (0..args.len()).map(|i| format!("${}", start + i)).collect::<Vec<_>>().join(", ");
    (ph, args)
}

/// The top organizations the caller sees.
pub async fn roots(store: &Store, scope: &Scope) -> StoreResult<Vec<Org>> {
    let rows: Vec<OrgRow> = if scope.is_all() {
        store
            .read()
            .fetch_all(
                &format!(
                    "SELECT {ORG_COLS} FROM org o WHERE o.parent_id IS NULL AND o.dissolved_on IS NULL ORDER BY o.path"
                ),
                &[],
            )
            .await?
    } else if scope.roots().is_empty() {
        vec![]
    } else {
        let (ph, args) = in_list(1, scope.roots().iter().map(Val::from));
        store
            .read()
            .fetch_all(
                &format!(
                    "SELECT {ORG_COLS} FROM org o WHERE o.path IN ({ph}) AND o.dissolved_on IS NULL ORDER BY o.path"
                ),
                &args,
            )
            .await?
    };
    Ok(rows.into_iter().map(OrgRow::into_org).collect())
}

/// One node of a subtree listing.
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    pub org: Org,
    /// Depth below the listing's root (root = 0).
    pub depth: usize,
    pub counts: Counts,
}

#[derive(sqlx::FromRow)]
struct NodeRow {
    #[sqlx(flatten)]
    org: OrgRow,
    #[sqlx(flatten)]
    counts: Counts,
}

/// The active subtree under `id` in tree order, down to `max_depth` levels below it, each with
/// its roll-up.
pub async fn subtree(store: &Store, scope: &Scope, id: i64, max_depth: Option<usize>) -> StoreResult<Vec<Node>> {
    let root = get(store, scope, id).await?;
    let max_len = max_depth.map(|d| root.path.len() + d * path::SEG_WIDTH).unwrap_or(10_000) as i64;
    let rows: Vec<NodeRow> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {ORG_COLS}, s.total, s.full_members, s.probationary, s.female, s.minority, s.college_plus, s.mobile, \
                 s.lost_contact, s.needy FROM org o JOIN org_stats s ON s.org_id = o.id \
                 WHERE o.path >= $1 AND o.path < $2 AND o.dissolved_on IS NULL AND length(o.path) <= $3 ORDER BY o.path"
            ),
            &args![root.path.clone(), path::subtree_end(&root.path), max_len],
        )
        .await?;
    let base = path::depth(&root.path);
    Ok(rows
        .into_iter()
        .map(|r| {
            let org = r.org.into_org();
            Node { depth: path::depth(&org.path) - base, org, counts: r.counts }
        })
        .collect())
}

fn like_pattern(q: &str) -> String {
    let esc = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{esc}%")
}

/// Search active organizations by name (or short name) within the subtree of `under`.
pub async fn search(store: &Store, scope: &Scope, under: i64, q: &str, limit: i64) -> StoreResult<Vec<Org>> {
    let root = get(store, scope, under).await?;
    let q = domain::member::normalize_text(q);
    let rows: Vec<OrgRow> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {ORG_COLS} FROM org o WHERE o.path >= $1 AND o.path < $2 AND o.dissolved_on IS NULL \
                 AND (o.name LIKE $3 ESCAPE '\\' OR o.short_name LIKE $3 ESCAPE '\\') ORDER BY o.path LIMIT $4"
            ),
            &args![root.path.clone(), path::subtree_end(&root.path), like_pattern(&q), limit],
        )
        .await?;
    Ok(rows.into_iter().map(OrgRow::into_org).collect())
}

/// Active organizations with exactly this name inside the subtree at `under_path` ("" = anywhere).
pub async fn find_by_name(exec: Exec<'_>, under_path: &str, name: &str) -> StoreResult<Vec<Org>> {
    let rows: Vec<OrgRow> = exec
        .fetch_all(
            &format!(
                "SELECT {ORG_COLS} FROM org o WHERE o.name = $1 AND o.path >= $2 AND o.path < $3 AND o.dissolved_on IS NULL ORDER BY o.path LIMIT 20"
            ),
            &args![name, under_path, path::subtree_end(under_path)],
        )
        .await?;
    Ok(rows.into_iter().map(OrgRow::into_org).collect())
}

/// The child of `parent_id` (or a root, when `None`) with this name.
pub async fn child_named(exec: Exec<'_>, parent_id: Option<i64>, name: &str) -> StoreResult<Option<Org>> {
    let row: Option<OrgRow> = match parent_id {
        Some(p) => {
            exec.fetch_optional(
                &format!(
                    "SELECT {ORG_COLS} FROM org o WHERE o.parent_id = $1 AND o.name = $2 AND o.dissolved_on IS NULL"
                ),
                &args![p, name],
            )
            .await?
        }
        None => {
            exec.fetch_optional(
                &format!(
                    "SELECT {ORG_COLS} FROM org o WHERE o.parent_id IS NULL AND o.name = $1 AND o.dissolved_on IS NULL"
                ),
                &args![name],
            )
            .await?
        }
    };
    Ok(row.map(OrgRow::into_org))
}

/// The chain of names from the top of the caller's view down to this organization, joined with
/// `/`, as exports write it (e.g. `中共湄潭县委/中共湄江街道工委/…`).
pub fn name_chain(org: &Org, ancestors_root_first: &[&Org], from_depth: usize) -> String {
    let mut names: Vec<&str> = ancestors_root_first.iter().map(|o| o.name.as_str()).collect();
    names.push(&org.name);
    names[from_depth.min(names.len() - 1)..].join("/")
}

/// A finding about one organization.
#[derive(Debug, Clone, Serialize)]
pub struct OrgFinding {
    pub org_id: i64,
    pub org_name: String,
    pub path: String,
    #[serde(flatten)]
    pub finding: Finding,
}

/// Structural findings (RULES ORG / TERM) for every active organization in a subtree.
pub async fn findings(store: &Store, scope: &Scope, id: i64, on: NaiveDate) -> StoreResult<Vec<OrgFinding>> {
    let nodes = subtree(store, scope, id, None).await?;
    Ok(findings_in(&nodes, on))
}

/// Structural findings for a subtree listing already read with [`subtree`].
pub fn findings_in(nodes: &[Node], on: NaiveDate) -> Vec<OrgFinding> {
    let mut out = Vec::new();
    for n in nodes {
        let facts = OrgFacts {
            kind: n.org.kind,
            has_committee: n.org.has_committee,
            term_end: n.org.term_end,
            full_members: n.counts.full_members,
            subtree_members: n.counts.total,
        };
        for f in rules::check_structure(&facts, on) {
            out.push(OrgFinding {
                org_id: n.org.id,
                org_name: n.org.name.clone(),
                path: n.org.path.clone(),
                finding: f,
            });
        }
    }
    out
}

/// [`search`] with each hit's roll-up and depth below `under`, for the tree page.
pub async fn search_nodes(store: &Store, scope: &Scope, under: i64, q: &str, limit: i64) -> StoreResult<Vec<Node>> {
    let root = get(store, scope, under).await?;
    let q = domain::member::normalize_text(q);
    let rows: Vec<NodeRow> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {ORG_COLS}, s.total, s.full_members, s.probationary, s.female, s.minority, s.college_plus, s.mobile, \
                 s.lost_contact, s.needy FROM org o JOIN org_stats s ON s.org_id = o.id \
                 WHERE o.path >= $1 AND o.path < $2 AND o.dissolved_on IS NULL \
                 AND (o.name LIKE $3 ESCAPE '\\' OR o.short_name LIKE $3 ESCAPE '\\') ORDER BY o.path LIMIT $4"
            ),
            &args![root.path.clone(), path::subtree_end(&root.path), like_pattern(&q), limit],
        )
        .await?;
    let base = path::depth(&root.path);
    Ok(rows
        .into_iter()
        .map(|r| {
            let org = r.org.into_org();
            Node { depth: path::depth(&org.path) - base, org, counts: r.counts }
        })
        .collect())
}

/// How many active children each of these organizations has (those the caller may see; absent
/// means none), in one query per 500 ids: for the tree's expand marks.
pub async fn child_counts(
    store: &Store,
    scope: &Scope,
    ids: &[i64],
) -> StoreResult<std::collections::HashMap<i64, i64>> {
    let mut out = std::collections::HashMap::new();
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(500) {
        let (ph, a) = in_list(1, chunk.iter().map(|i| Val::from(*i)));
        let rows: Vec<(i64, String, i64)> = store
            .read()
            .fetch_all(
                &format!(
                    "SELECT p.id, p.path, CAST(COUNT(c.id) AS BIGINT) FROM org p JOIN org c ON c.parent_id = p.id \
                     WHERE p.id IN ({ph}) AND c.dissolved_on IS NULL GROUP BY p.id, p.path"
                ),
                &a,
            )
            .await?;
        out.extend(rows.into_iter().filter(|(_, p, _)| scope.contains(p)).map(|(i, _, n)| (i, n)));
    }
    Ok(out)
}

/// One organization an organization picker found: the organization and the names of its
/// ancestors that the caller may see, top first (so two 第一党支部 tell themselves apart).
#[derive(Debug, Clone, Serialize)]
pub struct Picked {
    pub org: Org,
    pub parents: Vec<String>,
}

/// Add a query parameter; its placeholder.
pub(crate) fn arg(args: &mut Vec<Val>, v: Val) -> String {
    args.push(v);
    format!("${}", args.len())
}

/// The words of a picker's query: at most five, each at most 30 characters.
fn pick_terms(q: &str) -> Vec<String> {
    domain::member::normalize_text(q).split_whitespace().take(5).map(|t| t.chars().take(30).collect()).collect()
}

/// The active organizations in `scope` whose name or short name contains every word of `q` — or,
/// with several words, whose own name contains some and whose parent's name the others — (all of
/// them when `q` is empty), of one of `kinds` (any kind when empty): how many there are,
/// and the `limit` of them from `offset` on, an exact name first, then in tree order, each with
/// its ancestors' names. Every organization of the scope is reachable: by the words of its name,
/// or page by page.
pub async fn pick(
    store: &Store,
    scope: &Scope,
    q: &str,
    kinds: &[OrgKind],
    offset: i64,
    limit: i64,
) -> StoreResult<(i64, Vec<Picked>)> {
    if scope.roots().is_empty() {
        return Ok((0, Vec::new()));
    }
    let mut cond = vec!["o.dissolved_on IS NULL".to_string()];
    let mut args: Vec<Val> = Vec::new();
    if !scope.is_all() {
        let ranges: Vec<String> = scope
            .roots()
            .iter()
            .map(|r| {
                let lo = arg(&mut args, Val::from(r.as_str()));
                let hi = arg(&mut args, Val::from(path::subtree_end(r)));
                format!("(o.path >= {lo} AND o.path < {hi})")
            })
            .collect();
        cond.push(format!("({})", ranges.join(" OR ")));
    }
    // each word in the organization's own name or short name, or in its parent's name (so "桂花社区
    // 第一党小组" finds the one among hundreds of 第一党小组), at least one in its own
    let terms = pick_terms(q);
    let mut own = Vec::new();
    for t in &terms {
        let p = arg(&mut args, Val::from(like_pattern(t)));
        let mine = format!("o.name LIKE {p} ESCAPE '\\' OR o.short_name LIKE {p} ESCAPE '\\'");
        cond.push(format!("({mine} OR p.name LIKE {p} ESCAPE '\\')"));
        own.push(mine);
    }
    if !own.is_empty() {
        cond.push(format!("({})", own.join(" OR ")));
    }
    if !kinds.is_empty() {
        let ph: Vec<String> = kinds.iter().map(|k| arg(&mut args, Val::from(k.code()))).collect();
        cond.push(format!("o.kind IN ({})", ph.join(", ")));
    }
    let cond = cond.join(" AND ");
    let from = "org o LEFT JOIN org p ON p.id = o.parent_id";
    let total =
        store.read().scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {from} WHERE {cond}"), &args).await?;
    if total == 0 || offset >= total {
        return Ok((total, Vec::new()));
    }
    let exact = arg(&mut args, Val::from(terms.join(" ")));
    let lim = arg(&mut args, Val::from(limit.clamp(1, 200)));
    let off = arg(&mut args, Val::from(offset.max(0)));
    let rows: Vec<OrgRow> = store
        .read()
        .fetch_all(
            &format!(
                "SELECT {ORG_COLS} FROM {from} WHERE {cond} \
                 ORDER BY CASE WHEN o.name = {exact} OR o.short_name = {exact} THEN 0 ELSE 1 END, o.path \
                 LIMIT {lim} OFFSET {off}"
            ),
            &args,
        )
        .await?;
    let orgs: Vec<Org> = rows.into_iter().map(OrgRow::into_org).collect();
    // the ancestors' names in one query: those the caller may see
    let mut paths: Vec<&str> =
        orgs.iter().flat_map(|o| path::ancestors(&o.path)).filter(|p| scope.contains(p)).collect();
    paths.sort_unstable();
    paths.dedup();
    let mut names: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for chunk in paths.chunks(500) {
        let (ph, a) = in_list(1, chunk.iter().map(|p| Val::from(*p)));
        let rows: Vec<(String, String)> =
            store.read().fetch_all(&format!("SELECT path, name FROM org WHERE path IN ({ph})"), &a).await?;
        names.extend(rows);
    }
    let items = orgs
        .into_iter()
        .map(|org| {
            let parents = path::ancestors(&org.path).into_iter().filter_map(|p| names.get(p).cloned()).collect();
            Picked { org, parents }
        })
        .collect();
    Ok((total, items))
}
