//! The roster: filters, order, pages.

use crate::args;
use crate::db::{Backend, Store, Val};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::Visible;
use chrono::NaiveDate;
use domain::member::{Category, Member, Occupation, Sex, Status};
use domain::path;
use serde::Serialize;

use super::*;

/// Filters for listing members.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct MemberFilter {
    /// Part of the name.
    pub name: Option<String>,
    pub category: Option<Category>,
    /// `None` = current members only.
    pub status: Option<Status>,
    pub occupation: Option<Occupation>,
    pub mobile: Option<bool>,
    pub lost_contact: Option<bool>,
    pub needy: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

/// Sort orders of the roster; each ends with the id, so pages are stable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberSort {
    /// Tree order (by organization), then id.
    #[default]
    Tree,
    Name,
    JoinDate,
    BirthDate,
}

impl MemberSort {
    pub fn code(self) -> &'static str {
        match self {
            MemberSort::Tree => "tree",
            MemberSort::Name => "name",
            MemberSort::JoinDate => "join_date",
            MemberSort::BirthDate => "birth_date",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [MemberSort::Tree, MemberSort::Name, MemberSort::JoinDate, MemberSort::BirthDate]
            .into_iter()
            .find(|m| m.code() == s)
    }
    fn order_by(self, desc: bool) -> String {
        let dir = if desc { "DESC" } else { "ASC" };
        match self {
            MemberSort::Tree => format!("m.path {dir}, m.id {dir}"),
            MemberSort::Name => format!("m.name {dir}, m.id {dir}"),
            MemberSort::JoinDate => format!("m.join_date {dir}, m.id {dir}"),
            MemberSort::BirthDate => format!("m.birth_date {dir}, m.id {dir}"),
        }
    }
}

/// List the members of the subtree under `org_id`, in tree order then by id (a total order, so
/// pages are stable), one page at a time.
pub async fn list(
    store: &Store,
    scope: &Scope,
    org_id: i64,
    f: &MemberFilter,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<Member>> {
    list_sorted(store, scope, org_id, f, MemberSort::Tree, false, page, per_page).await
}

/// [`list`] in another order (ascending, or descending when `desc`); ties are broken by id.
#[allow(clippy::too_many_arguments)]
pub async fn list_sorted(
    store: &Store,
    scope: &Scope,
    org_id: i64,
    f: &MemberFilter,
    sort: MemberSort,
    desc: bool,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<Member>> {
    let org = crate::org::visible(store, scope, org_id).await?;
    list_sorted_in(store, &org, f, sort, desc, page, per_page).await
}

/// How many members the subtree at `root` holds: current members only, or former ones too.
pub async fn count_in(store: &Store, root: &Visible<domain::org::Org>, include_former: bool) -> StoreResult<i64> {
    let status = if include_former { "" } else { " AND status = 'normal'" };
    store
        .read()
        .scalar(
            &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM member WHERE path >= $1 AND path < $2{status}"),
            &args![root.path.clone(), path::subtree_end(&root.path)],
        )
        .await
}

/// [`list_sorted`] for an organization already read through the caller's scope.
pub async fn list_sorted_in(
    store: &Store,
    org: &Visible<domain::org::Org>,
    f: &MemberFilter,
    sort: MemberSort,
    desc: bool,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<Member>> {
    let p = roster_in(store, org, f, sort, desc, page, per_page).await?;
    Ok(Page {
        items: p.items.into_iter().map(|l| l.member).collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    })
}

/// A member of a roster page, with the name of its organization.
#[derive(Debug, Clone)]
pub struct Listed {
    pub member: Member,
    pub org_name: String,
}

/// A member of a roster page as the database returns it: `[[MEMBER_COLS…], org name]` (see
/// [`roster_in`]); [`MemberRow`] reads its fields from a JSON array in declaration order, which
/// is the order of [`MEMBER_COLS`].
#[derive(serde::Deserialize)]
struct ListedRow(MemberRow, String);

/// The WHERE clause, its arguments and the count expression of a roster page (members of
/// `org`'s subtree matching `f`): the count is the roll-up row for the unfiltered views, a range
/// count otherwise. The LIMIT and OFFSET arguments are the caller's to append.
/// A roster page's query: the page and its size (clamped), the WHERE clause and its arguments
/// followed by LIMIT and OFFSET, the count expression, whether the read is quick, and the order.
struct RosterQuery {
    page: i64,
    per_page: i64,
    where_: String,
    a: Vec<Val>,
    total: String,
    quick: bool,
    order: String,
}

fn roster_query(
    org: &domain::org::Org,
    f: &MemberFilter,
    sort: MemberSort,
    desc: bool,
    page: i64,
    per_page: i64,
) -> RosterQuery {
    let per_page = per_page.clamp(1, 1000);
    let page = page.max(1);
    let (where_, mut a, total, plain) = roster_filter(org, f);
    a.push(Val::from(per_page));
    a.push(Val::from((page - 1) * per_page));
    RosterQuery {
        page,
        per_page,
        where_,
        a,
        total,
        quick: roster_is_quick(plain, sort, page, per_page),
        order: sort.order_by(desc),
    }
}

fn roster_filter(org: &domain::org::Org, f: &MemberFilter) -> (String, Vec<Val>, String, bool) {
    let mut where_ = String::from("m.path >= $1 AND m.path < $2 AND m.status = $3");
    let mut a: Vec<Val> =
        args![org.path.clone(), path::subtree_end(&org.path), f.status.unwrap_or(Status::Normal).code()].to_vec();
    let push = |cond: &str, v: Val, a: &mut Vec<Val>, w: &mut String| {
        a.push(v);
        w.push_str(&format!(" AND {cond} ${}", a.len()));
    };
    if let Some(n) = f.name.as_deref().map(domain::member::normalize_text).filter(|s| !s.is_empty()) {
        let esc = n.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        push("m.name LIKE", Val::from(format!("%{esc}%")), &mut a, &mut where_);
        where_.push_str(" ESCAPE '\\'");
    }
    if let Some(c) = f.category {
        push("m.category =", Val::from(c.code()), &mut a, &mut where_);
    }
    if let Some(o) = f.occupation {
        push("m.occupation =", Val::from(o.code()), &mut a, &mut where_);
    }
    if let Some(b) = f.mobile {
        push("m.is_mobile =", Val::from(b), &mut a, &mut where_);
    }
    if let Some(b) = f.lost_contact {
        push("m.is_lost_contact =", Val::from(b), &mut a, &mut where_);
    }
    if let Some(b) = f.needy {
        push("m.is_needy =", Val::from(b), &mut a, &mut where_);
    }
    // the common unfiltered views are counted by the roll-up (one row) instead of a range count
    let plain = f.status.is_none_or(Status::is_current)
        && f.name.as_deref().is_none_or(|n| n.trim().is_empty())
        && f.occupation.is_none()
        && f.mobile.is_none()
        && f.lost_contact.is_none()
        && f.needy.is_none();
    let total = if plain {
        a.push(Val::from(org.id));
        let col = match f.category {
            None => "total",
            Some(Category::Full) => "full_members",
            Some(Category::Probationary) => "probationary",
        };
        format!("COALESCE((SELECT {col} FROM org_stats WHERE org_id = ${}), 0)", a.len())
    } else {
        format!("(SELECT COUNT(*) FROM member m WHERE {where_})")
    };
    (where_, a, total, plain)
}

/// Is this roster page quick to read: counted by the roll-up, in tree order (the path index's
/// order, so the page is the index range's first rows) and near the start? Otherwise it counts
/// or sorts a subtree, which for a city is tens of milliseconds.
fn roster_is_quick(plain: bool, sort: MemberSort, page: i64, per_page: i64) -> bool {
    plain && sort == MemberSort::Tree && page * per_page <= 5_000
}

/// The count of a roster page past the end (no row carried it), on a direct connection: the
/// count expression alone, whose parameters are all of the page's but LIMIT and OFFSET.
fn count_alone(c: &rusqlite::Connection, total: &str, a: &[Val]) -> rusqlite::Result<i64> {
    c.prepare_cached(&crate::db::lite(&format!("SELECT CAST({total} AS BIGINT)")))?
        .query_row(rusqlite::params_from_iter(a[..a.len() - 2].iter()), |r| r.get(0))
}

/// Run a roster read directly on SQLite: on this thread when it is quick, otherwise with the
/// worker's other tasks handed off first.
fn roster_direct<R>(
    store: &Store,
    quick: bool,
    f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<R>,
) -> Option<StoreResult<R>> {
    if quick {
        store.direct(f)
    } else {
        store.direct_long(f)
    }
}

/// [`list_sorted_in`] with each member's organization name: one query, one row. The count (the
/// roll-up row for the unfiltered views, a range count otherwise), the page and the organization
/// names come back together, the page as a single JSON array built by the database, so the page
/// costs one round trip to the database instead of four and one row instead of fifty.
pub async fn roster_in(
    store: &Store,
    org: &Visible<domain::org::Org>,
    f: &MemberFilter,
    sort: MemberSort,
    desc: bool,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<Listed>> {
    let RosterQuery { page, per_page, where_, a, total, quick, order } =
        roster_query(org, f, sort, desc, page, per_page);
    // SQLite: on this thread, the count as the last column of each row (an uncorrelated subquery,
    // evaluated once), the rows read directly
    let direct_sql = format!(
        "SELECT {MEMBER_COLS}, o.name, CAST({total} AS BIGINT) FROM member m JOIN org o ON o.id = m.org_id \
         WHERE {where_} ORDER BY {order} LIMIT ${} OFFSET ${}",
        a.len() - 1,
        a.len(),
    );
    let direct = roster_direct(store, quick, |c| {
        let mut st = c.prepare_cached(&crate::db::lite(&direct_sql))?;
        let mut rows = st.query(rusqlite::params_from_iter(a.iter()))?;
        let (mut items, mut counted) = (Vec::with_capacity(per_page as usize), None);
        while let Some(r) = rows.next()? {
            let m = MemberRow::from_direct(r, 0)?;
            items.push(Listed { member: m.into_member(), org_name: r.get(24)? });
            counted = Some(r.get::<_, i64>(25)?);
        }
        let total = match counted {
            Some(t) => t,
            None => count_alone(c, &total, &a)?,
        };
        Ok((items, total))
    });
    if let Some(r) = direct {
        let (items, total) = r?;
        return Ok(Page { items, total, page, per_page });
    }
    // PostgreSQL: each member as a JSON array of MEMBER_COLS in order (no keys to write and match)
    let (agg, arr) = match store.backend() {
        Backend::Sqlite => ("json_group_array", "json_array"),
        Backend::Postgres => ("json_agg", "json_build_array"),
    };
    let sql = format!(
        "SELECT CAST({total} AS BIGINT), CAST((SELECT {agg}({arr}({arr}({MEMBER_COLS}), m.org_name) ORDER BY {order}) \
           FROM (SELECT {MEMBER_COLS}, o.name AS org_name FROM member m JOIN org o ON o.id = m.org_id \
                 WHERE {where_} ORDER BY {order} LIMIT ${} OFFSET ${}) m) AS TEXT)",
        a.len() - 1,
        a.len(),
    );
    let (total, json): (i64, Option<String>) = store.read().fetch_one(&sql, &a).await?;
    let rows: Vec<ListedRow> = match json {
        Some(j) => serde_json::from_str(&j).map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))?,
        None => Vec::new(),
    };
    let items = rows.into_iter().map(|ListedRow(m, o)| Listed { member: m.into_member(), org_name: o }).collect();
    Ok(Page { items, total, page, per_page })
}

/// One line of the roster page: what the list shows of a member, nothing more (the ID number
/// and phone as stored: the page masks them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterLine {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    pub sex: Sex,
    pub id_number: String,
    pub birth_date: NaiveDate,
    pub category: Category,
    pub join_date: NaiveDate,
    pub phone: Option<String>,
    pub is_mobile: bool,
    pub is_lost_contact: bool,
    pub is_needy: bool,
    pub status: Status,
    pub status_date: Option<NaiveDate>,
}

const LINE_COLS: &str = "m.id, m.org_id, m.name, m.sex, m.id_number, m.birth_date, m.category, m.join_date, m.phone, \
    m.is_mobile, m.is_lost_contact, m.is_needy, m.status, m.status_date";

/// A text column of a [`Store::direct`] read, borrowed (codes that map to an enum).
fn code_at<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    r.get_ref(i)?
        .as_str()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: i64,
    org_id: i64,
    name: String,
    sex: String,
    id_number: String,
    birth_date: NaiveDate,
    category: String,
    join_date: NaiveDate,
    phone: Option<String>,
    is_mobile: bool,
    is_lost_contact: bool,
    is_needy: bool,
    status: String,
    status_date: Option<NaiveDate>,
    org_name: String,
    total: i64,
}

/// The roster page of the members page: [`roster_in`]'s members, filter, order and count, with
/// only the columns the page shows. On SQLite it reads on the calling thread, and each
/// organization's name once per page (a page in tree order holds a few organizations).
pub async fn roster_lines(
    store: &Store,
    org: &Visible<domain::org::Org>,
    f: &MemberFilter,
    sort: MemberSort,
    desc: bool,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<RosterLine>> {
    let RosterQuery { page, per_page, where_, a, total, quick, order } =
        roster_query(org, f, sort, desc, page, per_page);
    let (lim, off) = (a.len() - 1, a.len());
    let direct = roster_direct(store, quick, |c| {
        let sql = format!(
            "SELECT {LINE_COLS}, CAST({total} AS BIGINT) FROM member m WHERE {where_} ORDER BY {order} LIMIT ${lim} OFFSET ${off}"
        );
        let mut st = c.prepare_cached(&crate::db::lite(&sql))?;
        // each organization's name once, read while the page's statement is open: the page,
        // its count and the names come from one read transaction (one snapshot, one WAL lock)
        let mut name_of = c.prepare_cached("SELECT name FROM org WHERE id = ?1")?;
        let mut known: Vec<(i64, String)> = Vec::new();
        let mut rows = st.query(rusqlite::params_from_iter(a.iter()))?;
        let (mut items, mut counted) = (Vec::with_capacity(per_page as usize), None);
        while let Some(r) = rows.next()? {
            let org_id: i64 = r.get(1)?;
            let org_name = match known.iter().find(|(id, _)| *id == org_id) {
                Some((_, n)) => n.clone(),
                None => {
                    let n: String = name_of.query_row([org_id], |r| r.get(0))?;
                    known.push((org_id, n.clone()));
                    n
                }
            };
            items.push(RosterLine {
                id: r.get(0)?,
                org_id,
                org_name,
                name: r.get(2)?,
                sex: Sex::from_code(code_at(r, 3)?).unwrap_or(Sex::Male),
                id_number: r.get(4)?,
                birth_date: crate::db::direct_date(r, 5)?,
                category: Category::from_code(code_at(r, 6)?).unwrap_or(Category::Full),
                join_date: crate::db::direct_date(r, 7)?,
                phone: r.get(8)?,
                is_mobile: r.get(9)?,
                is_lost_contact: r.get(10)?,
                is_needy: r.get(11)?,
                status: Status::from_code(code_at(r, 12)?).unwrap_or(Status::Normal),
                status_date: crate::db::direct_opt_date(r, 13)?,
            });
            counted = Some(r.get::<_, i64>(14)?);
        }
        drop(rows);
        let total = match counted {
            Some(t) => t,
            None => count_alone(c, &total, &a)?,
        };
        Ok((items, total))
    });
    if let Some(r) = direct {
        let (items, total) = r?;
        return Ok(Page { items, total, page, per_page });
    }
    let sql = format!(
        "SELECT {LINE_COLS}, o.name AS org_name, CAST({total} AS BIGINT) AS total FROM member m \
         JOIN org o ON o.id = m.org_id WHERE {where_} ORDER BY {order} LIMIT ${lim} OFFSET ${off}"
    );
    let rows: Vec<LineRow> = store.read().fetch_all(&sql, &a).await?;
    let total = match rows.first() {
        Some(r) => r.total,
        None => store.read().scalar(&format!("SELECT CAST({total} AS BIGINT)"), &a[..a.len() - 2]).await?,
    };
    let items = rows
        .into_iter()
        .map(|r| RosterLine {
            id: r.id,
            org_id: r.org_id,
            org_name: r.org_name,
            name: r.name,
            sex: Sex::from_code(&r.sex).unwrap_or(Sex::Male),
            id_number: r.id_number,
            birth_date: r.birth_date,
            category: Category::from_code(&r.category).unwrap_or(Category::Full),
            join_date: r.join_date,
            phone: r.phone,
            is_mobile: r.is_mobile,
            is_lost_contact: r.is_lost_contact,
            is_needy: r.is_needy,
            status: Status::from_code(&r.status).unwrap_or(Status::Normal),
            status_date: r.status_date,
        })
        .collect();
    Ok(Page { items, total, page, per_page })
}
