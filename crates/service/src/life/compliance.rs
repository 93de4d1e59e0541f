//! Compliance of organization life: how regularly the organizations of a subtree held what the
//! dated frequency rules ask, judged live by the engine (`domain::life::evaluate`) or as the
//! daily job stored it. Read by everyone who reads organization life (查看组织生活), each view
//! through that scope: the compliance table of a subtree and its workbook, an organization's card
//! and its month calendar, the stored findings, and the API's evaluation. Where a page and the
//! API show the same thing they read it here, once.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::access::Perm;
use domain::life::{FindingKind, RecordFacts, RecordStatus, Window};
use domain::org::Org;
use store::life::{Evaluation, StoredFinding};
use store::member::Page;
use store::{Store, Visible};

use crate::{Ctx, ServiceResult};

/// The subtree of `org` judged over the whole year of the window, so that quarterly and yearly
/// periods are judged on all their records.
async fn year_of(store: &Store, org: &Visible<Org>, w: &Window, as_of: NaiveDate) -> ServiceResult<Evaluation> {
    let (from, to) = w.year_range();
    Ok(store::life::evaluate(store, org, from, to, as_of, None).await?)
}

/// What the compliance table of a subtree shows.
pub struct Table {
    /// The subtree judged over the window's year, as of the day asked.
    pub evaluation: Evaluation,
    /// For a quarter, the meetings each organization held in it (returned records do not count);
    /// for a whole year `None`: the evaluation's own count is the year's.
    pub held: Option<HashMap<i64, i64>>,
    /// The organization above `org`, when the caller reads organization life there too (the way
    /// up the tree); `None` at the top of the caller's view.
    pub superior: Option<Org>,
}

/// The compliance table of the subtree of `org` for a window (a year or one of its quarters), as
/// of `as_of`: for everyone who reads organization life; `org` was read through that scope.
pub async fn table(store: &Store, ctx: &Ctx, org: &Visible<Org>, w: &Window, as_of: NaiveDate) -> ServiceResult<Table> {
    let scope = ctx.require(Perm::ReadLife)?;
    let evaluation = year_of(store, org, w, as_of).await?;
    let held = if w.quarter.is_some() {
        let mut held: HashMap<i64, i64> = HashMap::new();
        for r in store::life::facts(store, org, w.from, w.to, false).await? {
            if r.status != RecordStatus::Returned {
                *held.entry(r.org_id).or_default() += 1;
            }
        }
        Some(held)
    } else {
        None
    };
    // the way up is a convenience: when it cannot be read, the table is shown without it
    let superior = match (org.parent_id, domain::path::parent(&org.path)) {
        (Some(pid), Some(pp)) if ctx.can_at(Perm::ReadLife, pp) => store::org::get(store, &scope, pid).await.ok(),
        _ => None,
    };
    Ok(Table { evaluation, held, superior })
}

/// The audit detail of an export: the organization, the window, how many organizations the file
/// holds and its format.
fn export_detail(org: &Org, w: &Window, orgs: usize) -> serde_json::Value {
    serde_json::json!({
        "org": org.id,
        "org_name": org.name,
        "period": w.label(),
        "year": w.year,
        "quarter": w.quarter,
        "orgs": orgs,
        "format": "xlsx",
    })
}

/// Export the roll-up of the subtree of `org` for a window (应召开 against 已召开 per type per
/// organization, and the findings) as a workbook: for everyone who reads organization life there.
/// The subtree is judged over the window's year; `write` makes the file of the evaluation. Every
/// export is recorded in the audit trail (`life.export`, with the organization, the window and
/// how many organizations it holds) once the file exists, and the file leaves only when that
/// record is written: data taken out of the system is accounted for (等保三级 audit of exports).
/// When `write` fails nothing is recorded and its error comes back as the inner `Err`.
pub async fn export<T, E>(
    store: &Store,
    ctx: &Ctx,
    org: &Visible<Org>,
    w: &Window,
    as_of: NaiveDate,
    write: impl FnOnce(&Evaluation) -> Result<T, E>,
) -> ServiceResult<Result<T, E>> {
    let scope = ctx.require(Perm::ReadLife)?;
    let evaluation = year_of(store, org, w, as_of).await?;
    let file = match write(&evaluation) {
        Ok(f) => f,
        Err(e) => return Ok(Err(e)),
    };
    let detail = export_detail(org, w, evaluation.orgs.len());
    store::audit::record_now(store, &scope, "life.export", &format!("org:{}", org.id), "ok", detail).await?;
    Ok(Ok(file))
}

/// The subtree of `org` judged over exactly the window (a year, or a quarter alone), as of
/// `as_of`: the API's evaluation, for everyone who reads organization life there.
pub async fn judge(
    store: &Store,
    ctx: &Ctx,
    org: &Visible<Org>,
    w: &Window,
    as_of: NaiveDate,
) -> ServiceResult<Evaluation> {
    ctx.require(Perm::ReadLife)?;
    Ok(store::life::evaluate(store, org, w.from, w.to, as_of, None).await?)
}

/// What an organization's compliance card shows.
pub struct Card {
    /// The organization itself judged over the year.
    pub evaluation: Evaluation,
    /// Its own records held in the year, to name the records a period counted.
    pub records: Vec<RecordFacts>,
    /// Organizations lie below it (its compliance table is a drill-down).
    pub has_children: bool,
}

/// The compliance card of `org` for the window's year, as of `as_of`: per type its periods and
/// the records each counted, and the findings. For everyone who reads organization life there.
pub async fn card(store: &Store, ctx: &Ctx, org: &Visible<Org>, w: &Window, as_of: NaiveDate) -> ServiceResult<Card> {
    let scope = ctx.require(Perm::ReadLife)?;
    let evaluation = store::life::card(store, org, w.year, as_of).await?;
    let (from, to) = w.year_range();
    let mut records = store::life::facts_counted(store, org, from, to, true).await?;
    // a 党委's 书记 may have given the 党课 it counted in one of its branches (LIFE-06S): name
    // those records too
    let known: std::collections::HashSet<i64> = records.iter().map(|r| r.id).collect();
    let wanted: std::collections::HashSet<i64> = evaluation
        .results
        .iter()
        .flat_map(|r| &r.lines)
        .flat_map(|l| &l.cells)
        .flat_map(|c| &c.records)
        .copied()
        .filter(|id| !known.contains(id))
        .collect();
    if !wanted.is_empty() {
        let below = store::life::facts_counted(store, org, from, to, false).await?;
        records.extend(below.into_iter().filter(|r| wanted.contains(&r.id)));
    }
    let has_children = !store::org::children(store, &scope, org.id).await?.is_empty();
    Ok(Card { evaluation, records, has_children })
}

/// What the calendar shows of a month.
pub struct Month {
    /// The organization itself judged over the month's year (what falls due).
    pub evaluation: Evaluation,
    /// The records held in the month: a branch's with its 党小组's, any other organization's own.
    pub records: Vec<RecordFacts>,
    /// The names of the other organizations those records belong to (the 党小组), as far as the
    /// caller may see them.
    pub names: HashMap<i64, String>,
}

/// The month `[first, last]` of `org` for its calendar, as of `as_of`: for everyone who reads
/// organization life there. A 党支部's month includes its 党小组's meetings; a committee's shows
/// its own.
pub async fn month(
    store: &Store,
    ctx: &Ctx,
    org: &Visible<Org>,
    first: NaiveDate,
    last: NaiveDate,
    as_of: NaiveDate,
) -> ServiceResult<Month> {
    let scope = ctx.require(Perm::ReadLife)?;
    let evaluation = store::life::card(store, org, chrono::Datelike::year(&first), as_of).await?;
    let records = store::life::facts(store, org, first, last, !org.kind.is_branch()).await?;
    let other: Vec<i64> = records.iter().map(|r| r.org_id).filter(|id| *id != org.id).collect();
    // the names only label the meetings: without them the meetings are still shown
    let names = if other.is_empty() {
        HashMap::new()
    } else {
        store::org::names(store, &scope, &other).await.unwrap_or_default()
    };
    Ok(Month { evaluation, records, names })
}

/// One page of what the daily job found in the subtree of `org` (errors first, then by
/// organization), optionally of one kind: for everyone who reads organization life there. The
/// findings page and the API's findings read them here.
pub async fn findings(
    store: &Store,
    ctx: &Ctx,
    org: &Visible<Org>,
    kind: Option<FindingKind>,
    page: i64,
    per_page: i64,
) -> ServiceResult<Page<StoredFinding>> {
    ctx.require(Perm::ReadLife)?;
    Ok(store::life::findings(store, org, kind, page, per_page).await?)
}

/// How many findings of each kind the daily job stored in the subtree of `org`: for everyone who
/// reads organization life there.
pub async fn finding_counts(store: &Store, ctx: &Ctx, org: &Visible<Org>) -> ServiceResult<Vec<(String, i64)>> {
    ctx.require(Perm::ReadLife)?;
    Ok(store::life::finding_counts(store, org).await?)
}

/// The day the daily job last ran and how long it took (ms), if it ever ran: shown beside its
/// findings to everyone who reads organization life.
pub async fn last_run(store: &Store, ctx: &Ctx) -> ServiceResult<Option<(NaiveDate, i64)>> {
    ctx.require(Perm::ReadLife)?;
    Ok(store::life::last_run(store).await?)
}
