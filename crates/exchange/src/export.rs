//! Exports of a subtree: the roster (every status) and the organizations, with the headers the
//! import reads, so that an export imports back into an empty database unchanged.

use std::collections::HashMap;
use std::path::Path;

use anyhow::anyhow;
use domain::member::Member;
use domain::org::{FacilityKind, FacilityStatus, Org};
use domain::path as tree;
use store::{Progress, Scope, Store, StoreError, Visible};

use crate::cell::Cell;
use crate::columns::{facility_field, m, o, MEMBER, ORG};
use crate::writer::{SheetWriter, XLSX_MAX_ROWS};
use crate::FileFormat;

/// Members fetched per query.
const CHUNK: i64 = 2000;

/// Name chains (`根/下级/…`) of every organization of the subtree at `root`, dissolved ones
/// included (former members may still point at them), by organization id.
async fn name_chains(store: &Store, root: &Visible<Org>) -> anyhow::Result<HashMap<i64, String>> {
    let rows = store::org::names_in(store, root).await?;
    let mut by_path: HashMap<String, String> = HashMap::with_capacity(rows.len());
    let mut by_id = HashMap::with_capacity(rows.len());
    for (id, path, name) in rows {
        let chain = match tree::parent(&path).and_then(|p| by_path.get(p)) {
            Some(parent) if path != root.path => format!("{parent}/{name}"),
            _ => name,
        };
        by_id.insert(id, chain.clone());
        by_path.insert(path, chain);
    }
    Ok(by_id)
}

fn widths(defs: &[crate::columns::ColDef], wide: &[(usize, f64)]) -> Vec<f64> {
    (0..defs.len()).map(|i| wide.iter().find(|(j, _)| *j == i).map(|(_, w)| *w).unwrap_or(12.0)).collect()
}

fn member_cells(mb: &Member, chain: &str, unmask: bool) -> Vec<Cell> {
    let mut c = vec![Cell::Empty; MEMBER.len()];
    c[m::NAME] = Cell::text_or_empty(mb.name.clone());
    c[m::ID] = Cell::text_or_empty(if unmask { mb.id_number.clone() } else { domain::mask::id_number(&mb.id_number) });
    c[m::SEX] = Cell::Text(mb.sex.label().into());
    c[m::ETHNICITY] = Cell::text_or_empty(mb.ethnicity.clone());
    c[m::BIRTH] = Cell::Date(mb.birth_date);
    c[m::EDUCATION] = Cell::opt_text(mb.education.map(|e| e.label()));
    c[m::CATEGORY] = Cell::Text(mb.category.label().into());
    c[m::JOIN] = Cell::Date(mb.join_date);
    c[m::FULL] = Cell::opt_date(mb.full_date);
    c[m::JOB_POST] = Cell::opt_text(mb.job_post.as_deref());
    c[m::PHONE] = match &mb.phone {
        Some(p) if !unmask => Cell::text_or_empty(domain::mask::phone(p)),
        p => Cell::opt_text(p.as_deref()),
    };
    c[m::ORG] = Cell::text_or_empty(chain.to_string());
    c[m::WORK_UNIT] = Cell::opt_text(mb.work_unit.as_deref());
    c[m::RESIDENCE] = Cell::opt_text(mb.residence_community.as_deref());
    c[m::OCCUPATION] = Cell::opt_text(mb.occupation.map(|x| x.label()));
    c[m::MOBILE] = Cell::yes_no(mb.is_mobile);
    c[m::MOBILE_TO] = Cell::opt_text(mb.mobile_to.as_deref());
    c[m::LOST] = Cell::yes_no(mb.is_lost_contact);
    c[m::NEEDY] = Cell::yes_no(mb.is_needy);
    c[m::STATUS] = Cell::Text(mb.status.label().into());
    c[m::STATUS_DATE] = Cell::opt_date(mb.status_date);
    c
}

/// Export the roster of the subtree at `org_id` (members of every status, in tree order) to
/// `path` as CSV (UTF-8 with BOM) or `.xlsx`, with the headers [`crate::import_file`] reads.
/// 所在党组织 is the chain of names from the export root (`根/…/支部`). With `unmask` false, ID
/// numbers and phones are masked (such a file cannot be imported back). Returns the number of
/// members written.
pub async fn export_members(
    store: &Store,
    scope: &Scope,
    org_id: i64,
    path: &Path,
    format: FileFormat,
    unmask: bool,
    progress: &dyn Progress,
) -> anyhow::Result<u64> {
    let opts = MemberExport { unmask, include_former: true };
    export_members_with(store, scope, org_id, path, format, &opts, progress).await
}

/// What a roster export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberExport {
    /// ID numbers and phones in full (otherwise masked; a masked file cannot be imported back).
    pub unmask: bool,
    /// Former members (死亡, 已转出, …) too; otherwise current members only.
    pub include_former: bool,
}

/// [`export_members`] with the choice of former members: with `include_former` false only
/// current members (党籍状态 正常) are written. Returns the number of members written.
pub async fn export_members_with(
    store: &Store,
    scope: &Scope,
    org_id: i64,
    path: &Path,
    format: FileFormat,
    opts: &MemberExport,
    progress: &dyn Progress,
) -> anyhow::Result<u64> {
    let include_former = opts.include_former;
    let root = store::org::visible(store, scope, org_id).await?;
    let chains = name_chains(store, &root).await?;
    let total = store::member::count_in(store, &root, include_former).await?;
    if format == FileFormat::Xlsx && total >= XLSX_MAX_ROWS as i64 {
        anyhow::bail!("共 {total} 名党员，超过 Excel 工作表的行数上限（{XLSX_MAX_ROWS} 行），请改为导出 CSV 文件");
    }
    let mut w = SheetWriter::create(path, format, "党员名册", true)?;
    let written = write_members(store, scope, org_id, &mut w, &chains, opts, total, progress).await;
    progress.finish();
    match written.and_then(|n| w.finish().map(|_| n)) {
        Ok(n) => Ok(n),
        Err(e) => {
            // no half-written export is left behind
            let _ = std::fs::remove_file(path);
            Err(e)
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn write_members(
    store: &Store,
    scope: &Scope,
    org_id: i64,
    w: &mut SheetWriter,
    chains: &HashMap<i64, String>,
    opts: &MemberExport,
    total: i64,
    progress: &dyn Progress,
) -> anyhow::Result<u64> {
    let headers: Vec<&str> = MEMBER.iter().map(|c| c.name).collect();
    w.header(&headers, &widths(MEMBER, &[(m::ID, 22.0), (m::ORG, 40.0), (m::WORK_UNIT, 24.0), (m::PHONE, 15.0)]))?;
    progress.start("导出党员", Some(total.max(0) as u64));
    let mut n: u64 = 0;
    let mut failure: Option<anyhow::Error> = None;
    let streamed = store::member::for_each_chunk(store, scope, org_id, CHUNK, |chunk| {
        for mb in &chunk {
            if !opts.include_former && !mb.status.is_current() {
                continue;
            }
            let chain = chains.get(&mb.org_id).map(String::as_str).unwrap_or("");
            if let Err(e) = w.row(&member_cells(mb, chain, opts.unmask)) {
                failure = Some(e);
                return Err(StoreError::Refused("写入导出文件失败".into()));
            }
            n += 1;
        }
        progress.inc(chunk.len() as u64);
        Ok(())
    })
    .await;
    if let Some(e) = failure {
        return Err(e);
    }
    streamed?;
    Ok(n)
}

fn facility_text(status: FacilityStatus, year: Option<i32>) -> String {
    match year {
        Some(y) => format!("{}{y}", status.label()),
        None => status.label().to_string(),
    }
}

fn org_cells(org: &Org, parent_chain: &str, unmask: bool) -> Vec<Cell> {
    let mut c = vec![Cell::Empty; ORG.len()];
    c[o::NAME] = Cell::text_or_empty(org.name.clone());
    c[o::SHORT] = Cell::opt_text(org.short_name.as_deref());
    c[o::PARENT] = Cell::text_or_empty(parent_chain.to_string());
    c[o::KIND] = Cell::Text(org.kind.label().into());
    c[o::SECTOR] = Cell::Text(org.sector.label().into());
    c[o::REGION] = Cell::opt_text(org.region_code.as_deref());
    c[o::FORMED_BY] = Cell::Text(org.formed_by.label().into());
    c[o::FOUNDED] = Cell::opt_date(org.founded_on);
    c[o::TERM_NUMBER] = org.term_number.map(|n| Cell::Int(n as i64)).unwrap_or(Cell::Empty);
    c[o::TERM_START] = Cell::opt_date(org.term_start);
    c[o::TERM_END] = Cell::opt_date(org.term_end);
    c[o::COMMITTEE] = Cell::yes_no(org.has_committee);
    c[o::SECRETARY] = Cell::opt_text(org.secretary.as_deref());
    c[o::PHONE] = match &org.contact_phone {
        Some(p) if !unmask => Cell::text_or_empty(domain::mask::phone(p)),
        p => Cell::opt_text(p.as_deref()),
    };
    c[o::ADDRESS] = Cell::opt_text(org.address.as_deref());
    c[o::FUNDS] = org.annual_funds.map(Cell::Int).unwrap_or(Cell::Empty);
    for f in &org.facilities {
        c[facility_field(f.kind)] = Cell::Text(facility_text(f.status, f.year));
    }
    c
}

/// Export the active organizations of the subtree at `org_id` (the root first, in tree order) to
/// `path` as CSV (UTF-8 with BOM) or `.xlsx`. 上级党组织 is the chain of names from the export
/// root; the root's own row leaves it empty. Returns the number of organizations written.
/// Contact phones are written in full: see [`export_orgs_with`] for a masked file.
pub async fn export_orgs(
    store: &Store,
    scope: &Scope,
    org_id: i64,
    path: &Path,
    format: FileFormat,
    progress: &dyn Progress,
) -> anyhow::Result<u64> {
    export_orgs_with(store, scope, org_id, path, format, true, progress).await
}

/// [`export_orgs`], with contact phones masked unless `unmask` (a masked file cannot set phones
/// when imported back).
pub async fn export_orgs_with(
    store: &Store,
    scope: &Scope,
    org_id: i64,
    path: &Path,
    format: FileFormat,
    unmask: bool,
    progress: &dyn Progress,
) -> anyhow::Result<u64> {
    let nodes = store::org::subtree(store, scope, org_id, None).await?;
    let root = nodes
        .first()
        .and_then(|n| Visible::within(scope, n.org.clone()))
        .ok_or_else(|| anyhow!("党组织不存在或不在您的管理范围内"))?;
    let chains = name_chains(store, &root).await?;
    let mut orgs: Vec<Org> = nodes.into_iter().map(|n| n.org).collect();
    // facilities, a few hundred organizations per range query
    for chunk in orgs.chunks_mut(500) {
        store::org::load_facilities(store.read(), chunk).await?;
    }
    if format == FileFormat::Xlsx && orgs.len() >= XLSX_MAX_ROWS as usize {
        anyhow::bail!(
            "共 {} 个党组织，超过 Excel 工作表的行数上限（{XLSX_MAX_ROWS} 行），请改为导出 CSV 文件",
            orgs.len()
        );
    }
    progress.start("导出党组织", Some(orgs.len() as u64));
    let mut w = SheetWriter::create(path, format, "党组织", true)?;
    let written = (|| {
        let headers: Vec<&str> = ORG.iter().map(|c| c.name).collect();
        let mut wide = vec![(o::NAME, 30.0), (o::PARENT, 40.0), (o::ADDRESS, 30.0), (o::FUNDS, 16.0)];
        wide.extend(FacilityKind::ALL.iter().map(|k| (facility_field(*k), 20.0)));
        w.header(&headers, &widths(ORG, &wide))?;
        for org in &orgs {
            let parent = if org.id == root.id {
                ""
            } else {
                org.parent_id.and_then(|p| chains.get(&p)).map(String::as_str).unwrap_or("")
            };
            w.row(&org_cells(org, parent, unmask))?;
            progress.inc(1);
        }
        w.finish()
    })();
    progress.finish();
    if let Err(e) = written {
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    Ok(orgs.len() as u64)
}
