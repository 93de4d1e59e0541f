//! Import: header aliases, dates, encodings, typed xlsx cells, dry runs, error workbooks, strict
//! and non-strict modes, re-imports, organization references. Every database test runs on SQLite
//! and on PostgreSQL.

use crate::common;

use calamine::{Data, Reader, Xlsx};
use common::*;
use domain::member::{Occupation, Status};
use domain::org::{FacilityKind, FacilityStatus, OrgKind};
use exchange::{detect_kind, import_file, ImportKind, ImportOptions, RowError};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use store::{member, org, NoProgress, Scope, Store};

fn err_at(errors: &[RowError], row: u64, column: &str) -> String {
    errors
        .iter()
        .filter(|e| e.row == row && e.column == column)
        .map(|e| e.reason.clone())
        .collect::<Vec<_>>()
        .join("；")
}

#[test]
fn detects_kind_from_headers() {
    assert_eq!(detect_kind(&["姓名", "身份证号码"]), Some(ImportKind::Members));
    assert_eq!(detect_kind(&["组织名称", "上级党组织"]), Some(ImportKind::Orgs));
    assert_eq!(detect_kind(&["名称", "备注"]), None);
}

on_both!(header_aliases_and_unknown_columns, |s: Store| async move {
    let t = tree(&s).await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("aliases.csv");
    write_lines(
        &p,
        &[
            " 姓 名 ,身份证号,党员类别,入党时间,转正时间,手机号码,所在支部,居住社区,人员职业,流动党员,流动去向,失联党员,困难党员,状态,状态日期,备注,错误原因".into(),
            format!("张三,{},正式党员,2010-07-01,2011-07-01,13800138000,甲村党支部,湄江社区,农民,是,浙江省宁波市,否,Y,正常,,随便写,旧的错误", id(1)),
            format!("李四,{},预备党员,2026-03-01,,0851-28221234,甲村党支部,,学生,否,,1,N,,,,", id(2)),
            // a template row: only an unknown column is filled
            ",,,,,,,,,,,,,,,3,".into(),
        ],
    );
    let r = import_file(&s, &Scope::all(), &p, &ImportOptions { under: Some(t.town), ..opts() }, &NoProgress)
        .await
        .unwrap();
    assert_eq!((r.rows, r.ok, r.bad, r.inserted), (2, 2, 0, 2), "{:?}", r.errors);
    assert!(r.written);
    let ms = members(&s, t.branch).await;
    let a = ms.iter().find(|m| m.name == "张三").unwrap();
    assert_eq!(a.phone.as_deref(), Some("13800138000"));
    assert_eq!(a.residence_community.as_deref(), Some("湄江社区"));
    assert_eq!(a.occupation, Some(Occupation::Farmer));
    assert!(a.is_mobile && !a.is_lost_contact && a.is_needy);
    assert_eq!(a.mobile_to.as_deref(), Some("浙江省宁波市"));
    let b = ms.iter().find(|m| m.name == "李四").unwrap();
    assert_eq!(b.phone.as_deref(), Some("0851-28221234"));
    assert!(b.is_lost_contact && !b.is_needy && !b.is_mobile);
    assert_eq!(b.status, Status::Normal);
});

on_both!(every_date_form, |s: Store| async move {
    let t = tree(&s).await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("dates.csv");
    let forms = ["2012-10-13", "2012/10/13", "2012.10.13", "2012年10月13日", "41195", "20121013", "２０１２-１０-１３"];
    let mut lines = vec![HEAD.to_string()];
    for (i, f) in forms.iter().enumerate() {
        lines.push(format!("党员{i},{},正式党员,{f},2013年10月13日,甲村党支部,,,,", id(i as u32 + 1)));
    }
    write_lines(&p, &lines);
    let r = import_file(&s, &Scope::all(), &p, &ImportOptions { under: Some(t.town), ..opts() }, &NoProgress)
        .await
        .unwrap();
    assert_eq!((r.ok, r.bad), (forms.len() as u64, 0), "{:?}", r.errors);
    for m in members(&s, t.branch).await {
        assert_eq!(m.join_date, d("2012-10-13"), "{}", m.name);
        assert_eq!(m.full_date, Some(d("2013-10-13")));
    }
});

on_both!(gbk_and_bom_csv, |s: Store| async move {
    let t = tree(&s).await;
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEAD}\r\n{}\r\n{}\r\n",
        line("张三", &id(1), "2010-07-01", "甲村党支部"),
        line("欧阳娜娜", &id(2), "2010-07-01", "甲村党支部")
    );
    let (gbk, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    let p = dir.path().join("gbk.csv");
    std::fs::write(&p, &gbk).unwrap();
    let o = ImportOptions { under: Some(t.town), ..opts() };
    let r = import_file(&s, &Scope::all(), &p, &o, &NoProgress).await.unwrap();
    assert_eq!((r.ok, r.bad), (2, 0), "{:?}", r.errors);
    assert!(r.encoding.as_deref().unwrap_or("").contains("GB18030"), "{:?}", r.encoding);
    let mut names: Vec<String> = members(&s, t.branch).await.into_iter().map(|m| m.name).collect();
    names.sort();
    assert_eq!(names, vec!["张三".to_string(), "欧阳娜娜".to_string()]);
    // the same file in UTF-8 with a BOM: the same people, unchanged
    let p = dir.path().join("bom.csv");
    std::fs::write(&p, format!("\u{FEFF}{text}")).unwrap();
    let r = import_file(&s, &Scope::all(), &p, &o, &NoProgress).await.unwrap();
    assert_eq!((r.ok, r.unchanged, r.inserted), (2, 2, 0), "{:?}", r.errors);
    assert_eq!(r.encoding.as_deref(), Some("UTF-8"));
    // Excel's "Unicode text": UTF-16LE with a BOM, tab-separated, here under a title line
    let tsv = format!("党员名册\n{}", text.replace(',', "\t"));
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(tsv.encode_utf16().flat_map(|u| u.to_le_bytes()));
    let p = dir.path().join("unicode.txt");
    std::fs::write(&p, &bytes).unwrap();
    let r = import_file(&s, &Scope::all(), &p, &o, &NoProgress).await.unwrap();
    assert_eq!((r.ok, r.unchanged), (2, 2), "{:?}", r.errors);
    assert_eq!(r.encoding.as_deref(), Some("UTF-16LE"));
});

on_both!(xlsx_with_typed_cells, |s: Store| async move {
    let t = tree(&s).await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("typed.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("yyyy年m月d日");
    // a title row above the header
    ws.write_string(0, 0, "党员名册").unwrap();
    let heads = [
        "姓名",
        "公民身份号码",
        "人员类别",
        "入党日期",
        "转正日期",
        "联系电话",
        "所在党组织",
        "是否困难党员",
        "出生日期",
    ];
    for (j, h) in heads.iter().enumerate() {
        ws.write_string(1, j as u16, *h).unwrap();
    }
    for (i, seq) in [1u32, 2].iter().enumerate() {
        let r = 2 + i as u32;
        ws.write_string(r, 0, format!("党员{seq}")).unwrap();
        ws.write_string(r, 1, id(*seq)).unwrap();
        ws.write_string(r, 2, "正式党员").unwrap();
        ws.write_date_with_format(r, 3, ExcelDateTime::from_ymd(2012, 10, 13).unwrap(), &date).unwrap();
        ws.write_number(r, 4, 41560.0).unwrap(); // 2013-10-13 as a serial number
        ws.write_number(r, 5, 13800138000.0).unwrap();
        ws.write_string(r, 6, "甲村党支部").unwrap();
        ws.write_boolean(r, 7, true).unwrap();
    }
    // birth date as text in the first row (agrees with the ID number)
    let birth = (d("1980-01-01") + chrono::Duration::days(1)).format("%Y/%m/%d").to_string();
    ws.write_string(2, 8, &birth).unwrap();
    // a bad row: an ID number stored as a number, a date that is not one
    ws.write_string(4, 0, "坏行").unwrap();
    ws.write_number(4, 1, 520328198001010011.0).unwrap();
    ws.write_string(4, 2, "正式党员").unwrap();
    ws.write_string(4, 3, "去年").unwrap();
    ws.write_string(4, 6, "甲村党支部").unwrap();
    wb.save(&p).unwrap();

    let progress = count_progress();
    let r =
        import_file(&s, &Scope::all(), &p, &ImportOptions { under: Some(t.town), ..opts() }, &progress).await.unwrap();
    assert_eq!((r.rows, r.ok, r.bad), (3, 2, 1), "{:?}", r.errors);
    assert_eq!(progress.done.load(std::sync::atomic::Ordering::SeqCst), 3);
    assert_eq!(progress.started.lock().unwrap()[0].1, Some(3));
    // rows are numbered as in Excel: title 1, header 2, data from 3
    assert!(err_at(&r.errors, 5, "公民身份号码").contains("文本格式"), "{:?}", r.errors);
    assert!(err_at(&r.errors, 5, "入党日期").contains("不是可识别的日期"), "{:?}", r.errors);
    let ms = members(&s, t.branch).await;
    assert_eq!(ms.len(), 2);
    for m in ms {
        assert_eq!(m.phone.as_deref(), Some("13800138000"));
        assert_eq!(m.join_date, d("2012-10-13"));
        assert_eq!(m.full_date, Some(d("2013-10-13")));
        assert!(m.is_needy);
    }
});

/// A file with one good row and one row per kind of problem.
fn bad_file(path: &std::path::Path) {
    write_lines(
        path,
        &[
            HEAD.to_string(),
            line("好人", &id(1), "2010-07-01", "甲村党支部"), // row 2: good
            line("校验错", "52032819800102002X", "2010-07-01", "甲村党支部"), // row 3: bad check digit
            line("日期错", &id(3), "2010-13-01", "甲村党支部"), // row 4: no such date
            line("无组织", &id(4), "2010-07-01", "不存在的党支部"), // row 5
            line("重复", &id(1), "2010-07-01", "乙村党支部"), // row 6: duplicate of row 2
            line("挂党委", &id(6), "2010-07-01", "中共甲镇委员会"), // row 7: a committee holds no members
            line("同名", &id(7), "2010-07-01", "中共测试县委/中共乙镇委员会/丙村党支部"), // row 8
        ],
    );
}

on_both!(dry_run_reports_rows_columns_reasons_and_writes_nothing, |s: Store| async move {
    let t = tree(&s).await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.csv");
    bad_file(&p);
    let o = ImportOptions { dry_run: true, ..opts() };
    // no target: 甲村党支部 is ambiguous in the whole database
    let r = import_file(&s, &Scope::all(), &p, &o, &NoProgress).await.unwrap();
    assert!(!r.written);
    assert_eq!((r.rows, r.bad), (7, 6), "{:?}", r.errors);
    assert!(err_at(&r.errors, 2, "所在党组织").contains("有多个同名党组织“甲村党支部”，请写出完整路径（用 / 分隔）"));
    // with the town as target every reference is unique
    let o = ImportOptions { dry_run: true, under: Some(t.town), ..opts() };
    let r = import_file(&s, &Scope::all(), &p, &o, &NoProgress).await.unwrap();
    assert_eq!((r.rows, r.ok, r.bad, r.inserted), (7, 1, 6, 1), "{:?}", r.errors);
    assert!(!r.written);
    assert!(err_at(&r.errors, 3, "公民身份号码").contains("校验码"), "{:?}", r.errors);
    assert!(err_at(&r.errors, 4, "入党日期").contains("不是真实存在的日期"), "{:?}", r.errors);
    assert!(!err_at(&r.errors, 4, "入党日期").contains("不能为空"), "{:?}", r.errors);
    assert_eq!(err_at(&r.errors, 5, "所在党组织"), "找不到党组织“不存在的党支部”");
    assert!(err_at(&r.errors, 6, "公民身份号码").contains("与第 2 行"), "{:?}", r.errors);
    assert!(err_at(&r.errors, 7, "所在党组织").contains("党支部或党小组"), "{:?}", r.errors);
    assert!(err_at(&r.errors, 8, "所在党组织").contains("找不到党组织"), "{:?}", r.errors);
    assert!(r.errors.iter().all(|e| e.row != 2));
    assert!(r.summary().contains("试运行"), "{}", r.summary());
    assert_eq!(member_count(&s).await, 0);
});

on_both!(strict_mode_writes_nothing_if_any_row_is_bad, |s: Store| async move {
    let t = tree(&s).await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.csv");
    bad_file(&p);
    let errors_csv = dir.path().join("errors.csv");
    let o = ImportOptions { strict: true, under: Some(t.town), error_workbook: Some(errors_csv.clone()), ..opts() };
    let r = import_file(&s, &Scope::all(), &p, &o, &NoProgress).await.unwrap();
    assert!(!r.written);
    assert_eq!((r.ok, r.bad), (1, 6));
    assert!(r.summary().contains("严格模式"), "{}", r.summary());
    assert_eq!(member_count(&s).await, 0);
    // the bad rows as CSV, when asked for a .csv file
    let text = std::fs::read_to_string(&errors_csv).unwrap();
    assert!(text.starts_with(&format!("\u{FEFF}{HEAD},错误原因")), "{text}");
    assert_eq!(text.lines().count(), 7, "{text}");
    assert!(!text.contains("好人"));
    // the error file may not overwrite the input
    let o = ImportOptions { error_workbook: Some(p.clone()), ..opts() };
    assert!(import_file(&s, &Scope::all(), &p, &o, &NoProgress).await.is_err());
});

on_both!(non_strict_writes_exactly_the_good_rows, |s: Store| async move {
    let t = tree(&s).await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.csv");
    bad_file(&p);
    let o = ImportOptions { under: Some(t.town), ..opts() };
    let r = import_file(&s, &Scope::all(), &p, &o, &NoProgress).await.unwrap();
    assert!(r.written);
    assert_eq!((r.ok, r.bad, r.inserted), (1, 6, 1));
    let ms = members(&s, t.county).await;
    assert_eq!(ms.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), vec!["好人"]);
    assert!(store::rollup::verify(&s).await.unwrap().is_empty());
});

fn read_xlsx(path: &std::path::Path) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

on_both!(error_workbook_holds_exactly_the_bad_rows_and_imports_once_corrected, |s: Store| async move {
    let t = tree(&s).await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("in.csv");
    write_lines(
        &p,
        &[
            format!("{HEAD},备注"),
            format!("{},甲", line("好人", &id(1), "2010-07-01", "甲村党支部")),
            format!("{},乙", line("坏号", "52032819800102002X", "2010-07-01", "甲村党支部")),
            format!("{},丙", line("好人二", &id(3), "2010-07-01", "乙村党支部")),
            format!("{},丁", line("坏日期", &id(4), "明年", "乙村党支部")),
        ],
    );
    let wb_path = dir.path().join("errors.xlsx");
    let o = ImportOptions { under: Some(t.town), error_workbook: Some(wb_path.clone()), ..opts() };
    let r = import_file(&s, &Scope::all(), &p, &o, &NoProgress).await.unwrap();
    assert_eq!((r.ok, r.bad, r.inserted), (2, 2, 2));
    assert_eq!(r.error_workbook.as_deref(), Some(wb_path.as_path()));
    // its sheet says what it holds, not Excel's "Sheet1"
    let wb: calamine::Xlsx<_> = calamine::open_workbook(&wb_path).unwrap();
    assert_eq!(calamine::Reader::sheet_names(&wb), ["错误行"]);
    let rows = read_xlsx(&wb_path);
    let mut want_head: Vec<String> = HEAD.split(',').map(str::to_string).collect();
    want_head.push("备注".into());
    want_head.push("错误原因".into());
    assert_eq!(rows[0], want_head);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[1][0], "坏号");
    assert_eq!(rows[1][1], "52032819800102002X");
    assert_eq!(rows[1][10], "乙");
    assert!(rows[1][11].starts_with("公民身份号码：") && rows[1][11].contains("校验码"), "{:?}", rows[1]);
    assert_eq!(rows[2][0], "坏日期");
    assert_eq!(rows[2][3], "明年");
    assert!(rows[2][11].contains("入党日期"), "{:?}", rows[2]);

    // correct both cells, keep the 错误原因 column, import the workbook again
    let fixed = dir.path().join("fixed.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (i, row) in rows.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            let v = match (i, j) {
                (1, 1) => id(2),
                (2, 3) => "2010-07-01".to_string(),
                _ => v.clone(),
            };
            ws.write_string(i as u32, j as u16, v).unwrap();
        }
    }
    wb.save(&fixed).unwrap();
    let o = ImportOptions { under: Some(t.town), error_workbook: Some(dir.path().join("errors2.xlsx")), ..opts() };
    let r = import_file(&s, &Scope::all(), &fixed, &o, &NoProgress).await.unwrap();
    assert_eq!((r.ok, r.bad, r.inserted), (2, 0, 2), "{:?}", r.errors);
    assert_eq!(r.error_workbook, None);
    assert_eq!(member_count(&s).await, 4);
});

on_both!(reimport_duplicates_no_one, |s: Store| async move {
    let t = tree(&s).await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("roster.csv");
    let mut lines = vec![HEAD.to_string()];
    for i in 1..=5 {
        lines.push(line(&format!("党员{i}"), &id(i), "2010-07-01", "甲村党支部"));
    }
    // history: someone who died, and a current member's earlier, transferred-out episode
    lines.push(format!("故人,{},正式党员,2001-07-01,2002-07-01,乙村党支部,,,死亡,2020-05-01", id(6)));
    lines.push(format!("党员1,{},正式党员,2001-07-01,2002-07-01,乙村党支部,,,已转出,2005-05-01", id(1)));
    write_lines(&p, &lines);
    let o = ImportOptions { under: Some(t.town), ..opts() };
    let r = import_file(&s, &Scope::all(), &p, &o, &NoProgress).await.unwrap();
    assert_eq!((r.ok, r.bad, r.inserted, r.updated, r.unchanged), (7, 0, 7, 0, 0), "{:?}", r.errors);
    let r = import_file(&s, &Scope::all(), &p, &o, &NoProgress).await.unwrap();
    assert_eq!((r.ok, r.bad, r.inserted, r.updated, r.unchanged), (7, 0, 0, 0, 7), "{:?}", r.errors);
    assert_eq!(member_count(&s).await, 7);
    let current = member::find_by_id_number(&s, &Scope::all(), &id(1)).await.unwrap().unwrap();
    assert_eq!(current.join_date, d("2010-07-01"));

    // an edit updates; a status change of a current member (not listed as current any more)
    lines[2] = line("党员2", &id(2), "2010-07-01", "乙村党支部");
    lines[3] = format!("党员3,{},正式党员,2010-07-01,2011-07-01,甲村党支部,,,死亡,2026-01-02", id(3));
    write_lines(&p, &lines);
    let r = import_file(&s, &Scope::all(), &p, &o, &NoProgress).await.unwrap();
    assert_eq!((r.inserted, r.updated, r.unchanged), (0, 2, 5), "{:?}", r.errors);
    assert_eq!(member_count(&s).await, 7);
    assert!(member::find_by_id_number(&s, &Scope::all(), &id(3)).await.unwrap().is_none());
    assert_eq!(store::rollup::subtree(&s, &Scope::all(), t.county).await.unwrap().total, 4);
    assert!(store::rollup::verify(&s).await.unwrap().is_empty());
    let r = import_file(&s, &Scope::all(), &p, &o, &NoProgress).await.unwrap();
    assert_eq!((r.inserted, r.updated, r.unchanged), (0, 0, 7), "{:?}", r.errors);
});

on_both!(members_registered_outside_the_scope_are_rejected, |s: Store| async move {
    let t = tree(&s).await;
    member::create(&s, &Scope::all(), t.twin, &member_input("别处", 9), today()).await.unwrap();
    let town = org::get(&s, &Scope::all(), t.town).await.unwrap();
    let scope = Scope::subtrees([town.path]);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("scope.csv");
    write_lines(
        &p,
        &[
            HEAD.into(),
            line("本处", &id(8), "2010-07-01", "甲村党支部"),
            line("别处", &id(9), "2010-07-01", "甲村党支部"),
        ],
    );
    for dry_run in [true, false] {
        let o = ImportOptions { dry_run, ..opts() };
        let r = import_file(&s, &scope, &p, &o, &NoProgress).await.unwrap();
        assert_eq!((r.ok, r.bad), (1, 1), "{:?}", r.errors);
        assert!(err_at(&r.errors, 3, "公民身份号码").contains("已在其他党组织登记"), "{:?}", r.errors);
    }
    assert_eq!(members(&s, t.twin).await.len(), 1);
    assert_eq!(members(&s, t.branch).await.len(), 1);
});

on_both!(org_files_resolve_chains_and_names, |s: Store| async move {
    let t = tree(&s).await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("orgs.csv");
    write_lines(
        &p,
        &[
            "组织名称,上级党组织,组织类别,所属领域,行政区划代码,成立日期,届次,届期开始,届期结束,是否设立委员会,书记,联系电话,年度运转经费（元）,活动场所,党员群众综合服务站".into(),
            "中共丙镇委员会,,党委,农村,520328,2001-07-01,3,2021-06-01,2026-06-01,是,王书记,0851-28221234,\"12,000\",建成2020,规划2027".into(),
            "丙村党支部,中共丙镇委员会,党支部,农村,,,,,,否,,,,建成,".into(),
            "丁村党支部,中共测试县委/中共丙镇委员会,党支部,农村,,,,,,否,,,,,".into(),
            "戊村党支部,甲村党支部,党支部,农村,,,,,,否,,,,,".into(),
            "己村党支部,中共测试县委/中共丁镇委员会,党支部,农村,,,,,,否,,,,,".into(),
            "党委挂支部下,丙村党支部,党委,农村,,,,,,否,,,,,".into(),
            "坏设施,中共丙镇委员会,党支部,农村,,,,,,否,,,,有,".into(),
        ],
    );
    let o = ImportOptions { under: Some(t.county), ..opts() };
    let r = import_file(&s, &Scope::all(), &p, &o, &NoProgress).await.unwrap();
    assert_eq!(r.kind, ImportKind::Orgs);
    assert_eq!((r.rows, r.ok, r.bad, r.inserted), (7, 3, 4, 3), "{:?}", r.errors);
    assert!(err_at(&r.errors, 5, "上级党组织").contains("有多个同名党组织“甲村党支部”"), "{:?}", r.errors);
    assert!(err_at(&r.errors, 6, "上级党组织").contains("没有名为“中共丁镇委员会”"), "{:?}", r.errors);
    assert!(err_at(&r.errors, 7, "组织类别").contains("不能设立"), "{:?}", r.errors);
    assert!(err_at(&r.errors, 8, "活动场所").contains("建成2020"), "{:?}", r.errors);
    let kids = org::children(&s, &Scope::all(), t.county).await.unwrap();
    let town3 = kids.iter().find(|o| o.name == "中共丙镇委员会").unwrap();
    let town3 = org::get(&s, &Scope::all(), town3.id).await.unwrap();
    assert_eq!(town3.kind, OrgKind::Committee);
    assert_eq!(town3.annual_funds, Some(12000));
    assert_eq!(town3.term_number, Some(3));
    assert!(town3.has_committee);
    assert_eq!(town3.contact_phone.as_deref(), Some("0851-28221234"));
    let fac = |k| town3.facilities.iter().find(|f| f.kind == k).map(|f| (f.status, f.year));
    assert_eq!(fac(FacilityKind::ActivityVenue), Some((FacilityStatus::Built, Some(2020))));
    assert_eq!(fac(FacilityKind::ServiceStation), Some((FacilityStatus::Planned, Some(2027))));
    assert_eq!(org::children(&s, &Scope::all(), town3.id).await.unwrap().len(), 2);
    // again: nothing new, nothing changed
    let r = import_file(&s, &Scope::all(), &p, &o, &NoProgress).await.unwrap();
    assert_eq!((r.inserted, r.updated, r.unchanged, r.bad), (0, 0, 3, 4), "{:?}", r.errors);
});
