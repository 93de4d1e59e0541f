//! The import engine.
//!
//! A blocking thread reads the file row by row, parses and validates each row (pure work) and
//! sends chunks over a bounded channel; the async side resolves organization references (cached),
//! checks duplicates, and writes batches inside one transaction. Only bad rows are kept (at most
//! [`MAX_KEPT_BAD_ROWS`]), so a CSV of any length streams in bounded memory.
//!
//! Members: current members (党籍状态 正常) go through [`store::member::upsert_batch`], which
//! updates by ID number. Former members (history rows: 死亡, 已转出, …) are matched by
//! (ID number, 党籍状态, 状态日期) against the history already stored, so re-importing a file
//! duplicates no one; a history row for someone currently a member in scope is a status change,
//! unless the same file also lists that person as a current member (then it is an earlier episode
//! and is kept as history).

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use anyhow::{anyhow, Context};
use chrono::NaiveDate;
use domain::member::{normalize_text, Category, Education, MemberInput, Occupation, Sex, Status, ValidMember};
use domain::org::{Facility, FacilityKind, FacilityStatus, FormedBy, Org, OrgInput, OrgKind, Sector, ValidOrg};
use store::member::{BulkReport, BulkRow};
use store::{Progress, Scope, Store, StoreError, Tx};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::cell::Cell;
use crate::columns::{facility_field, m, o, Layout, REASON_HEADER};
use crate::source::{open_table, RowIter};
use crate::writer::SheetWriter;
use crate::{FileFormat, ImportKind, ImportOptions, ImportReport, RowError, MAX_KEPT_BAD_ROWS};

/// Valid member rows written per call of `upsert_batch`.
const BATCH: usize = 2000;
/// Rows per message from the reading thread.
const CHUNK: usize = 256;
/// Messages buffered between the reading thread and the writer.
const CHANNEL: usize = 8;

/// Problems of one row: (column as the user wrote it, reason).
type Errs = Vec<(String, String)>;

/// A parsed row on its way from the reading thread.
struct Item<P> {
    row: u64,
    cells: Vec<Cell>,
    errors: Errs,
    parsed: P,
}

/// A bad row, kept for the report and the error workbook.
struct BadRow {
    row: u64,
    cells: Vec<Cell>,
    errors: Errs,
}

/// Import a member roster or an organization file (`.xlsx` or `.csv`) into the subtree the caller
/// may write (see [`ImportOptions`]). Returns the report; an `Err` means the file could not be
/// read at all (or the database failed), in which case nothing was written.
pub async fn import_file(
    store: &Store,
    scope: &Scope,
    path: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> anyhow::Result<ImportReport> {
    let format = FileFormat::from_path(path)?;
    let error_format = match &opts.error_workbook {
        Some(p) if p == path => anyhow::bail!("错误工作簿不能与导入的文件是同一个文件：{}", p.display()),
        Some(p) => Some(FileFormat::from_path(p).map_err(|e| anyhow!("错误工作簿：{e}"))?),
        None => None,
    };
    let target = match opts.under {
        Some(id) => Some(store::org::get(store, scope, id).await.map_err(|e| anyhow!("导入到的{e}"))?),
        None => None,
    };
    let p = path.to_path_buf();
    let want = opts.kind;
    let table =
        tokio::task::spawn_blocking(move || open_table(&p, format, want)).await.context("读取文件时出现内部错误")??;
    let layout = Arc::new(table.layout);
    let kind = layout.kind;
    if kind == ImportKind::Members && !layout.has(m::ORG) && target.is_none() {
        anyhow::bail!("文件没有“所在党组织”列：请增加该列写明每名党员所在的党支部，或指定导入到哪个党支部");
    }

    let tx = store.begin().await?;
    let mut run = Run {
        store,
        scope,
        target,
        layout: layout.clone(),
        tx,
        resolved: HashMap::new(),
        member_orgs: HashMap::new(),
        bad: Vec::new(),
        bad_count: 0,
        rows: 0,
        counts: BulkReport::default(),
    };
    progress.start(&format!("导入{}", kind.label()), table.len);
    let outcome = match kind {
        ImportKind::Members => {
            let (rx, reader) = spawn_reader(table.rows, layout.clone(), opts.today, parse_member);
            run.members(rx, reader, progress).await
        }
        ImportKind::Orgs => {
            let (rx, reader) = spawn_reader(table.rows, layout.clone(), opts.today, parse_org);
            run.orgs(rx, reader, progress).await
        }
    };
    progress.finish();
    // on error the transaction is dropped, which rolls it back
    outcome?;

    let Run { mut tx, mut bad, bad_count, rows, counts, .. } = run;
    bad.sort_by_key(|b| b.row);
    let errors: Vec<RowError> = bad
        .iter()
        .flat_map(|b| b.errors.iter().map(|(c, r)| RowError { row: b.row, column: c.clone(), reason: r.clone() }))
        .collect();
    // the error workbook before the commit: if it cannot be written, nothing is
    let mut error_workbook = None;
    if let (Some(wb_path), Some(wb_format), false) = (&opts.error_workbook, error_format, bad.is_empty()) {
        let p = wb_path.clone();
        let l = layout.clone();
        tokio::task::spawn_blocking(move || write_error_workbook(&p, wb_format, &l, &bad))
            .await
            .context("写错误工作簿时出现内部错误")??;
        error_workbook = Some(wb_path.clone());
    }
    let written = if opts.dry_run || (opts.strict && bad_count > 0) {
        tx.rollback().await?;
        false
    } else {
        let action = match kind {
            ImportKind::Members => "member.import",
            ImportKind::Orgs => "org.import",
        };
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let detail = serde_json::json!({
            "file": file, "rows": rows, "bad": bad_count, "inserted": counts.inserted,
            "updated": counts.updated, "unchanged": counts.unchanged, "under": opts.under,
        });
        store::audit::record(&mut tx, scope, action, &format!("file:{file}"), "ok", detail).await?;
        tx.commit().await?;
        true
    };
    Ok(ImportReport {
        kind,
        format,
        encoding: table.encoding.map(str::to_string),
        rows,
        ok: rows - bad_count,
        bad: bad_count,
        inserted: counts.inserted,
        updated: counts.updated,
        unchanged: counts.unchanged,
        errors,
        errors_truncated: bad_count > MAX_KEPT_BAD_ROWS as u64,
        written,
        dry_run: opts.dry_run,
        strict: opts.strict,
        error_workbook,
    })
}

type Parse<P> = fn(&Layout, &[Cell], NaiveDate) -> (P, Errs);
type Chunks<P> = mpsc::Receiver<anyhow::Result<Vec<Item<P>>>>;

/// Read, parse and validate on a blocking thread; chunks of rows come out of the channel.
fn spawn_reader<P: Send + 'static>(
    rows: RowIter,
    layout: Arc<Layout>,
    today: NaiveDate,
    parse: Parse<P>,
) -> (Chunks<P>, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(CHANNEL);
    let handle = tokio::task::spawn_blocking(move || {
        let mut chunk = Vec::with_capacity(CHUNK);
        for r in rows {
            match r {
                Ok(raw) if layout.is_blank(&raw.cells) => {}
                Ok(raw) => {
                    let (parsed, errors) = parse(&layout, &raw.cells, today);
                    chunk.push(Item { row: raw.row, cells: raw.cells, errors, parsed });
                    if chunk.len() >= CHUNK
                        && tx.blocking_send(Ok(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))).is_err()
                    {
                        return; // the importer stopped
                    }
                }
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            }
        }
        if !chunk.is_empty() {
            let _ = tx.blocking_send(Ok(chunk));
        }
    });
    (rx, handle)
}

/// The end of the channel is only the end of the file if the reading thread did not panic.
async fn reader_done(reader: JoinHandle<()>) -> anyhow::Result<()> {
    reader.await.map_err(|e| anyhow!("读取文件时出现内部错误：{e}"))
}

// ---------------------------------------------------------------------------------------------
// Parsing (pure, on the reading thread)

/// Record a cell conversion's failure against its column.
fn take<T: Default>(l: &Layout, errs: &mut Errs, field: usize, r: Result<T, String>) -> T {
    r.unwrap_or_else(|e| {
        errs.push((l.col_name(field), e));
        T::default()
    })
}

/// Add validation errors, except on columns whose cell could not even be read (their
/// validation message would only repeat the problem, e.g. "不能为空" after an unreadable date).
fn add_validation(l: &Layout, errs: &mut Errs, fe: domain::FieldErrors) {
    let unreadable: HashSet<String> = errs.iter().map(|(c, _)| c.clone()).collect();
    for e in fe.0 {
        let col = if e.field == "阵地设施" {
            FacilityKind::ALL
                .iter()
                .find(|k| e.message.contains(k.label()))
                .map(|k| l.col_name(facility_field(*k)))
                .unwrap_or_else(|| e.field.to_string())
        } else {
            l.col_for_label(e.field)
        };
        if !unreadable.contains(&col) {
            errs.push((col, e.message));
        }
    }
}

fn parse_sex(s: &str) -> Option<Sex> {
    Sex::parse(s).or_else(|| Sex::parse(s.trim_end_matches('性')))
}

struct MemberParsed {
    valid: Option<ValidMember>,
    org_ref: String,
}

fn parse_member(l: &Layout, row: &[Cell], today: NaiveDate) -> (MemberParsed, Errs) {
    let mut errs = Errs::new();
    let c = |f: usize| l.cell(row, f);
    let id_cell = c(m::ID);
    let id_number = id_cell.text();
    if id_number.contains('*') {
        errs.push((l.col_name(m::ID), "是脱敏后的号码（含 *），无法导入；请使用未脱敏的导出文件".into()));
    } else if id_cell.is_number() && id_number.len() >= 16 {
        errs.push((
            l.col_name(m::ID),
            "以数字格式保存，Excel 已把末尾几位改成 0；请把该列设为文本格式后重新填写号码".into(),
        ));
    }
    let phone = c(m::PHONE).opt();
    if phone.as_deref().is_some_and(|p| p.contains('*')) {
        errs.push((l.col_name(m::PHONE), "是脱敏后的号码（含 *），无法导入；请使用未脱敏的导出文件".into()));
    }
    let input = MemberInput {
        name: c(m::NAME).text(),
        sex: take(l, &mut errs, m::SEX, c(m::SEX).choice(parse_sex, Sex::labels)),
        id_number,
        ethnicity: c(m::ETHNICITY).opt(),
        birth_date: take(l, &mut errs, m::BIRTH, c(m::BIRTH).date()),
        education: take(l, &mut errs, m::EDUCATION, c(m::EDUCATION).choice(Education::parse, Education::labels)),
        category: take(l, &mut errs, m::CATEGORY, c(m::CATEGORY).choice(Category::parse, Category::labels)),
        join_date: take(l, &mut errs, m::JOIN, c(m::JOIN).date()),
        full_date: take(l, &mut errs, m::FULL, c(m::FULL).date()),
        job_post: c(m::JOB_POST).opt(),
        phone,
        work_unit: c(m::WORK_UNIT).opt(),
        residence_community: c(m::RESIDENCE).opt(),
        occupation: take(l, &mut errs, m::OCCUPATION, c(m::OCCUPATION).choice(Occupation::parse, Occupation::labels)),
        is_mobile: take(l, &mut errs, m::MOBILE, c(m::MOBILE).boolean()),
        mobile_to: c(m::MOBILE_TO).opt(),
        is_lost_contact: take(l, &mut errs, m::LOST, c(m::LOST).boolean()),
        is_needy: take(l, &mut errs, m::NEEDY, c(m::NEEDY).boolean()),
        status: take(l, &mut errs, m::STATUS, c(m::STATUS).choice(Status::parse, Status::labels)),
        status_date: take(l, &mut errs, m::STATUS_DATE, c(m::STATUS_DATE).date()),
    };
    let valid = match input.validate(today) {
        Ok(v) => Some(v),
        Err(fe) => {
            add_validation(l, &mut errs, fe);
            None
        }
    };
    let valid = valid.filter(|_| errs.is_empty());
    (MemberParsed { valid, org_ref: c(m::ORG).text() }, errs)
}

struct OrgParsed {
    valid: Option<ValidOrg>,
    name: String,
    parent_ref: String,
}

/// A facility cell: `建成2020`, `规划2026`, `建成`, `2020年建成`; blank (or 无/否) means none.
fn parse_facility(kind: FacilityKind, cell: &Cell) -> Result<Option<Facility>, String> {
    let Some(s) = cell.opt() else { return Ok(None) };
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if matches!(t.as_str(), "无" | "否" | "没有" | "未建" | "-" | "—" | "/") {
        return Ok(None);
    }
    let status = if t.contains("规划") {
        FacilityStatus::Planned
    } else if t.contains("建成") || t.contains("已建") {
        FacilityStatus::Built
    } else {
        return Err(format!("“{s}”应写成“建成2020”“规划2026”或“建成”"));
    };
    let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    let year = match digits.len() {
        0 => None,
        4 => digits.parse::<i32>().ok(),
        _ => return Err(format!("“{s}”中的年份应为 4 位数字，例如“建成2020”")),
    };
    Ok(Some(Facility { kind, status, year }))
}

fn parse_org(l: &Layout, row: &[Cell], today: NaiveDate) -> (OrgParsed, Errs) {
    let mut errs = Errs::new();
    let c = |f: usize| l.cell(row, f);
    let term_number = take(l, &mut errs, o::TERM_NUMBER, c(o::TERM_NUMBER).integer());
    let term_number = match term_number.map(i32::try_from) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            errs.push((l.col_name(o::TERM_NUMBER), "应为 1 到 100 之间的整数".into()));
            None
        }
    };
    let mut facilities = Vec::new();
    for kind in FacilityKind::ALL {
        let f = facility_field(*kind);
        if let Some(fac) = take(l, &mut errs, f, parse_facility(*kind, c(f))) {
            facilities.push(fac);
        }
    }
    let input = OrgInput {
        name: c(o::NAME).text(),
        short_name: c(o::SHORT).opt(),
        kind: take(l, &mut errs, o::KIND, c(o::KIND).choice(OrgKind::parse, OrgKind::labels)),
        sector: take(l, &mut errs, o::SECTOR, c(o::SECTOR).choice(Sector::parse, Sector::labels)),
        region_code: c(o::REGION).opt(),
        formed_by: take(l, &mut errs, o::FORMED_BY, c(o::FORMED_BY).choice(FormedBy::parse, FormedBy::labels)),
        founded_on: take(l, &mut errs, o::FOUNDED, c(o::FOUNDED).date()),
        has_committee: take(l, &mut errs, o::COMMITTEE, c(o::COMMITTEE).boolean()),
        term_number,
        term_start: take(l, &mut errs, o::TERM_START, c(o::TERM_START).date()),
        term_end: take(l, &mut errs, o::TERM_END, c(o::TERM_END).date()),
        secretary: c(o::SECRETARY).opt(),
        contact_phone: c(o::PHONE).opt(),
        address: c(o::ADDRESS).opt(),
        annual_funds: take(l, &mut errs, o::FUNDS, c(o::FUNDS).integer()),
        facilities,
    };
    let valid = match input.validate(today) {
        Ok(v) => Some(v),
        Err(fe) => {
            add_validation(l, &mut errs, fe);
            None
        }
    };
    let valid = valid.filter(|_| errs.is_empty());
    (OrgParsed { valid, name: normalize_text(&input.name), parent_ref: c(o::PARENT).text() }, errs)
}

// ---------------------------------------------------------------------------------------------
// Writing (async, in one transaction)

/// A valid member row waiting for its batch.
struct Pending {
    row: u64,
    cells: Vec<Cell>,
    bulk: BulkRow,
}

struct Run<'a> {
    store: &'a Store,
    scope: &'a Scope,
    target: Option<Org>,
    layout: Arc<Layout>,
    tx: Tx,
    /// Organization references resolved so far (normalised reference → organization or reason).
    resolved: HashMap<String, Result<Org, String>>,
    /// 所在党组织 cells resolved so far (cell text → (org id, path) or reason).
    member_orgs: HashMap<String, Result<(i64, String), String>>,
    bad: Vec<BadRow>,
    bad_count: u64,
    rows: u64,
    counts: BulkReport,
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
        if self.bad.len() < MAX_KEPT_BAD_ROWS {
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
        self.resolved.insert(key, res.clone());
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
        self.member_orgs.insert(reference.to_string(), res.clone());
        Ok(res)
    }

    async fn members(
        &mut self,
        mut rx: Chunks<MemberParsed>,
        reader: JoinHandle<()>,
        progress: &dyn Progress,
    ) -> anyhow::Result<()> {
        let mut pending: Vec<Pending> = Vec::with_capacity(BATCH);
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
                pending.push(Pending { row, cells, bulk: BulkRow { org_id, org_path, member: v } });
                if pending.len() >= BATCH {
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

    async fn orgs(
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

// ---------------------------------------------------------------------------------------------
// Error workbook

/// The bad rows with the file's headers and values as they were (typed cells stay typed), and a
/// last column 错误原因; a previous 错误原因 column is replaced. Usually `.xlsx`; a `.csv` path gets
/// a CSV (UTF-8 with BOM).
fn write_error_workbook(path: &Path, format: FileFormat, layout: &Layout, bad: &[BadRow]) -> anyhow::Result<()> {
    let keep: Vec<usize> = (0..layout.headers.len()).filter(|i| !layout.is_reason_col(*i)).collect();
    let mut headers: Vec<&str> = keep.iter().map(|i| layout.headers[*i].as_str()).collect();
    headers.push(REASON_HEADER);
    let id_col = match layout.kind {
        ImportKind::Members => layout.idx[m::ID],
        ImportKind::Orgs => layout.idx[o::NAME],
    };
    let mut widths: Vec<f64> = keep.iter().map(|i| if Some(*i) == id_col { 22.0 } else { 14.0 }).collect();
    widths.push(60.0);
    // values are written as read: a guard already in the file stays, none is added (it would not
    // be removed again on import)
    let mut w = SheetWriter::create(path, format, false)?;
    w.header(&headers, &widths)?;
    for b in bad {
        let mut cells: Vec<Cell> = keep.iter().map(|i| b.cells.get(*i).cloned().unwrap_or(Cell::Empty)).collect();
        let reason = b.errors.iter().map(|(c, r)| format!("{c}：{r}")).collect::<Vec<_>>().join("；");
        cells.push(Cell::Text(reason));
        w.row(&cells)?;
    }
    w.finish()
}
