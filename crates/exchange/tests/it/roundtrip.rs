//! Export then import into an empty database gives the same organizations and members (every
//! field), on SQLite and on PostgreSQL, as CSV and as .xlsx; formula injection is neutralised;
//! a masked export cannot be imported.

use crate::common;

use std::collections::HashMap;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};
use common::*;
use domain::member::{Category, Education, Member, MemberInput, Occupation, Sex, Status};
use domain::org::{Facility, FacilityKind, FacilityStatus, FormedBy, Org, OrgInput, OrgKind, Sector};
use exchange::{export_members, export_orgs, import_file, FileFormat, ImportKind, ImportOptions};
use store::testing::TestDb;
use store::{member, org, Backend, NoProgress, Scope, Store};

struct Source {
    county: i64,
    branch: i64,
    orgs: u64,
    members: u64,
}

async fn source(s: &Store) -> Source {
    let all = Scope::all();
    let t = today();
    let county = org::create(
        s,
        &all,
        None,
        &OrgInput {
            name: "中共湄潭县委".into(),
            short_name: Some("湄潭县委".into()),
            kind: Some(OrgKind::LocalCommittee),
            sector: Some(Sector::Organs),
            region_code: Some("520328".into()),
            founded_on: Some(d("1949-11-20")),
            has_committee: true,
            secretary: Some("县委书记".into()),
            contact_phone: Some("0851-24221234".into()),
            address: Some("-1 层 机要室".into()),
            annual_funds: Some(1_200_000),
            ..Default::default()
        },
        t,
    )
    .await
    .unwrap();
    let town = org::create(
        s,
        &all,
        Some(county.id),
        &OrgInput {
            name: "中共湄江街道工委".into(),
            kind: Some(OrgKind::WorkingCommittee),
            sector: Some(Sector::Community),
            formed_by: Some(FormedBy::Joint),
            term_number: Some(2),
            term_start: Some(d("2022-01-01")),
            has_committee: true,
            facilities: vec![Facility {
                kind: FacilityKind::ServiceCenter,
                status: FacilityStatus::Built,
                year: Some(2019),
            }],
            ..Default::default()
        },
        t,
    )
    .await
    .unwrap();
    let branch = org::create(
        s,
        &all,
        Some(town.id),
        &OrgInput {
            name: "某社区党支部".into(),
            kind: Some(OrgKind::Branch),
            sector: Some(Sector::Community),
            term_number: Some(4),
            term_start: Some(d("2023-03-01")),
            term_end: Some(d("2026-03-01")),
            annual_funds: Some(30_000),
            facilities: vec![
                Facility { kind: FacilityKind::ServiceStation, status: FacilityStatus::Built, year: Some(2020) },
                Facility { kind: FacilityKind::ActivityVenue, status: FacilityStatus::Planned, year: None },
                Facility { kind: FacilityKind::LivelihoodStation, status: FacilityStatus::Planned, year: Some(2027) },
            ],
            ..Default::default()
        },
        t,
    )
    .await
    .unwrap();
    let branch2 = org::create(s, &all, Some(town.id), &org_input("另一社区党支部", OrgKind::Branch), t).await.unwrap();
    let group = org::create(s, &all, Some(branch.id), &org_input("第一党小组", OrgKind::PartyGroup), t).await.unwrap();
    let direct = org::create(s, &all, Some(county.id), &org_input("县直机关党支部", OrgKind::Branch), t).await.unwrap();

    let mut n = 0;
    let mut add = |org_id: i64, m: MemberInput| {
        n += 1;
        let s = s.clone();
        async move {
            member::create(&s, &Scope::all(), org_id, &m, today()).await.unwrap();
        }
    };
    add(
        branch.id,
        MemberInput {
            sex: Some(Sex::Male),
            ethnicity: Some("苗族".into()),
            birth_date: Some(d("1980-01-02")),
            education: Some(Education::Bachelor),
            job_post: Some("网格员".into()),
            phone: Some("13800138000".into()),
            work_unit: Some("=HYPERLINK(\"x\")".into()),
            residence_community: Some("湄江社区".into()),
            occupation: Some(Occupation::Manager),
            is_mobile: true,
            mobile_to: Some("浙江省宁波市".into()),
            is_lost_contact: true,
            is_needy: true,
            ..member_input("全字段", 1)
        },
    )
    .await;
    add(
        branch.id,
        MemberInput {
            category: Some(Category::Probationary),
            join_date: Some(d("2026-03-01")),
            full_date: None,
            work_unit: Some("@SUM(1)".into()),
            phone: Some("0851-28221234".into()),
            ..member_input("预备", 2)
        },
    )
    .await;
    add(
        branch.id,
        MemberInput { status: Some(Status::Deceased), status_date: Some(d("2024-02-29")), ..member_input("故人", 3) },
    )
    .await;
    // one person twice: an earlier episode (transferred out) and a current membership
    add(
        branch2.id,
        MemberInput {
            join_date: Some(d("2001-07-01")),
            full_date: Some(d("2002-07-01")),
            status: Some(Status::TransferredOut),
            status_date: Some(d("2005-05-01")),
            work_unit: Some("旧单位".into()),
            ..member_input("两段", 4)
        },
    )
    .await;
    add(
        branch.id,
        MemberInput { join_date: Some(d("2016-07-01")), full_date: Some(d("2017-07-01")), ..member_input("两段", 4) },
    )
    .await;
    add(group.id, member_input("小组成员", 5)).await;
    add(direct.id, MemberInput { work_unit: Some("'=已带引号".into()), ..member_input("县直", 6) }).await;
    add(branch2.id, MemberInput { education: Some(Education::Secondary), ..member_input("中专", 7) }).await;
    Source { county: county.id, branch: branch.id, orgs: 6, members: n }
}

type Snapshot = (Vec<(String, Org)>, Vec<(String, Member)>);

/// Every organization and member of a subtree, with ids and paths blanked and organizations
/// named by their chain from the root.
async fn snapshot(s: &Store, root: i64) -> Snapshot {
    let all = Scope::all();
    let mut orgs: Vec<Org> = org::subtree(s, &all, root, None).await.unwrap().into_iter().map(|n| n.org).collect();
    org::load_facilities(s.read(), &mut orgs).await.unwrap();
    let mut chain_of_path: HashMap<String, String> = HashMap::new();
    let mut chain_of_id: HashMap<i64, String> = HashMap::new();
    let mut out_orgs = Vec::new();
    for o in orgs {
        let chain = match domain::path::parent(&o.path).and_then(|p| chain_of_path.get(p)) {
            Some(p) => format!("{p}/{}", o.name),
            None => o.name.clone(),
        };
        chain_of_path.insert(o.path.clone(), chain.clone());
        chain_of_id.insert(o.id, chain.clone());
        let mut o = o;
        o.id = 0;
        o.parent_id = None;
        o.path = String::new();
        o.facilities.sort_by_key(|f| f.kind);
        out_orgs.push((chain, o));
    }
    let mut out_members: Vec<(String, Member)> = members(s, root)
        .await
        .into_iter()
        .map(|mut m| {
            let chain = chain_of_id.get(&m.org_id).cloned().unwrap_or_default();
            m.id = 0;
            m.org_id = 0;
            m.path = String::new();
            (chain, m)
        })
        .collect();
    out_members.sort_by_key(|(c, m)| (m.id_number.clone(), m.status.code(), m.status_date, c.clone()));
    (out_orgs, out_members)
}

async fn fresh(like: &Store) -> TestDb {
    match like.backend() {
        Backend::Sqlite => TestDb::sqlite().await,
        Backend::Postgres => TestDb::postgres().await,
    }
}

fn ext(f: FileFormat) -> &'static str {
    match f {
        FileFormat::Csv => "csv",
        FileFormat::Xlsx => "xlsx",
    }
}

/// Export the subtree at `root`, import into an empty database, compare; import again: unchanged.
async fn round_trip(s: &Store, root: i64, orgs: u64, members: u64, format: FileFormat, dir: &Path) {
    let all = Scope::all();
    let op = dir.join(format!("orgs-{root}.{}", ext(format)));
    let mp = dir.join(format!("members-{root}.{}", ext(format)));
    assert_eq!(export_orgs(s, &all, root, &op, format, &NoProgress).await.unwrap(), orgs);
    assert_eq!(export_members(s, &all, root, &mp, format, true, &NoProgress).await.unwrap(), members);

    let dest = fresh(s).await;
    let d = &dest.store;
    let r = import_file(d, &all, &op, &opts(), &NoProgress).await.unwrap();
    assert_eq!(r.kind, ImportKind::Orgs);
    assert_eq!((r.bad, r.inserted), (0, orgs), "{:?}", r.errors);
    let r = import_file(d, &all, &mp, &opts(), &NoProgress).await.unwrap();
    assert_eq!(r.kind, ImportKind::Members);
    assert_eq!((r.bad, r.inserted), (0, members), "{:?}", r.errors);
    let roots = org::roots(d, &all).await.unwrap();
    assert_eq!(roots.len(), 1);
    assert_eq!(snapshot(d, roots[0].id).await, snapshot(s, root).await, "{format:?}");
    assert!(store::rollup::verify(d).await.unwrap().is_empty());
    assert_eq!(
        store::rollup::subtree(d, &all, roots[0].id).await.unwrap(),
        store::rollup::subtree(s, &all, root).await.unwrap()
    );

    let r = import_file(d, &all, &op, &opts(), &NoProgress).await.unwrap();
    assert_eq!((r.bad, r.inserted, r.updated, r.unchanged), (0, 0, 0, orgs), "{:?}", r.errors);
    let r = import_file(d, &all, &mp, &opts(), &NoProgress).await.unwrap();
    assert_eq!((r.bad, r.inserted, r.updated, r.unchanged), (0, 0, 0, members), "{:?}", r.errors);
    // and with the root as the import target (chains then start at the target itself), in the
    // root's own scope
    let scope = Scope::subtrees([roots[0].path.clone()]);
    let o = ImportOptions { under: Some(roots[0].id), ..opts() };
    let r = import_file(d, &scope, &op, &o, &NoProgress).await.unwrap();
    assert_eq!((r.bad, r.inserted, r.updated, r.unchanged), (0, 0, 0, orgs), "{:?}", r.errors);
    let r = import_file(d, &scope, &mp, &o, &NoProgress).await.unwrap();
    assert_eq!((r.bad, r.inserted, r.updated, r.unchanged), (0, 0, 0, members), "{:?}", r.errors);
    dest.finish().await;
}

on_both!(export_then_import_into_an_empty_database_is_identical, |s: Store| async move {
    let src = source(&s).await;
    let dir = tempfile::tempdir().unwrap();
    for format in [FileFormat::Csv, FileFormat::Xlsx] {
        round_trip(&s, src.county, src.orgs, src.members, format, dir.path()).await;
    }
    // a branch as the export root: its members carry its own name, its row no parent
    round_trip(&s, src.branch, 2, 5, FileFormat::Csv, dir.path()).await;
});

fn xlsx_strings(path: &Path) -> Vec<String> {
    let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .flat_map(|r| r.iter().filter_map(|c| if let Data::String(s) = c { Some(s.clone()) } else { None }))
        .collect()
}

on_both!(formula_injection_is_neutralised, |s: Store| async move {
    let src = source(&s).await;
    let dir = tempfile::tempdir().unwrap();
    let all = Scope::all();
    let csv = dir.path().join("m.csv");
    export_members(&s, &all, src.county, &csv, FileFormat::Csv, true, &NoProgress).await.unwrap();
    let bytes = std::fs::read(&csv).unwrap();
    assert!(bytes.starts_with("\u{FEFF}".as_bytes()), "UTF-8 BOM");
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
    assert!(text.contains(",'@SUM(1),"), "{text}");
    assert!(text.contains(",''=已带引号,"), "{text}");
    assert!(!text.contains(",=") && !text.contains(",@") && !text.contains(",\"="), "{text}");
    let orgs_csv = dir.path().join("o.csv");
    export_orgs(&s, &all, src.county, &orgs_csv, FileFormat::Csv, &NoProgress).await.unwrap();
    assert!(std::fs::read_to_string(&orgs_csv).unwrap().contains(",'-1 层 机要室,"));

    let xlsx = dir.path().join("m.xlsx");
    export_members(&s, &all, src.county, &xlsx, FileFormat::Xlsx, true, &NoProgress).await.unwrap();
    let strings = xlsx_strings(&xlsx);
    assert!(strings.iter().any(|c| c == "'=HYPERLINK(\"x\")"), "{strings:?}");
    assert!(strings.iter().any(|c| c == "'@SUM(1)"));
    assert!(strings.iter().all(|c| !c.starts_with(['=', '+', '-', '@'])), "{strings:?}");
    // and back: the work units are exactly what was stored
    let dest = fresh(&s).await;
    import_file(&dest.store, &all, &orgs_csv, &opts(), &NoProgress).await.unwrap();
    let r = import_file(&dest.store, &all, &xlsx, &opts(), &NoProgress).await.unwrap();
    assert_eq!(r.bad, 0, "{:?}", r.errors);
    let root = org::roots(&dest.store, &all).await.unwrap()[0].id;
    let units: Vec<String> = members(&dest.store, root).await.into_iter().filter_map(|m| m.work_unit).collect();
    for w in ["=HYPERLINK(\"x\")", "@SUM(1)", "'=已带引号"] {
        assert!(units.iter().any(|u| u == w), "{w} not in {units:?}");
    }
    dest.finish().await;
});

on_both!(masked_export_is_rejected_on_import, |s: Store| async move {
    let src = source(&s).await;
    let dir = tempfile::tempdir().unwrap();
    let all = Scope::all();
    let op = dir.path().join("o.xlsx");
    let mp = dir.path().join("m.csv");
    export_orgs(&s, &all, src.county, &op, FileFormat::Xlsx, &NoProgress).await.unwrap();
    export_members(&s, &all, src.county, &mp, FileFormat::Csv, false, &NoProgress).await.unwrap();
    let text = std::fs::read_to_string(&mp).unwrap();
    assert!(text.contains("520328********") && text.contains("138****8000"), "{text}");
    assert!(!text.contains(&id(1)));
    let dest = fresh(&s).await;
    import_file(&dest.store, &all, &op, &opts(), &NoProgress).await.unwrap();
    let r =
        import_file(&dest.store, &all, &mp, &ImportOptions { dry_run: false, ..opts() }, &NoProgress).await.unwrap();
    assert_eq!((r.ok, r.bad), (0, src.members), "{:?}", r.errors);
    let id_errors: Vec<_> = r.errors.iter().filter(|e| e.column == "公民身份号码").collect();
    assert_eq!(id_errors.len() as u64, src.members);
    assert!(id_errors.iter().all(|e| e.reason.contains("脱敏")), "{id_errors:?}");
    assert!(r.errors.iter().any(|e| e.column == "联系电话" && e.reason.contains("脱敏")));
    assert_eq!(member_count(&dest.store).await, 0);
    dest.finish().await;
});
