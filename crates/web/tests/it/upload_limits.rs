//! A 1.7 KB workbook with a header and one cell at XFD1048576 (which a reader that sizes a sheet
//! by its last cell would try to hold as 17 billion cells) posted to every upload route: the
//! import page and the import API refuse it with a Chinese message naming the uploaded file, the
//! sheet, the row and the column; the organization-life attachment upload stores it as an opaque
//! file without reading it. After each, the server keeps answering.

use crate::common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::*;
use domain::account::Role;
use store::testing::TestDb;
use store::Scope;

const BOUNDARY: &str = "----djuploadlimits";

/// CRC-32 (the zip archive's checksum), bit by bit: small inputs only.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A zip archive of stored (uncompressed) entries, written by hand.
fn stored_zip(entries: &[(&str, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, body) in entries {
        let (name, body) = (name.as_bytes(), body.as_bytes());
        let (crc, len, offset) = (crc32(body), body.len() as u32, out.len() as u32);
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&20u16.to_le_bytes()); // version needed
            v.extend_from_slice(&0u16.to_le_bytes()); // flags
            v.extend_from_slice(&0u16.to_le_bytes()); // stored
            v.extend_from_slice(&0u32.to_le_bytes()); // time and date
            v.extend_from_slice(&crc.to_le_bytes());
            v.extend_from_slice(&len.to_le_bytes());
            v.extend_from_slice(&len.to_le_bytes());
            v.extend_from_slice(&(name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // extra
        };
        out.extend_from_slice(b"PK\x03\x04");
        common(&mut out);
        out.extend_from_slice(name);
        out.extend_from_slice(body);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        common(&mut central);
        central.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let (cd_offset, cd_len, n) = (out.len() as u32, central.len() as u32, entries.len() as u16);
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&cd_len.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A roster header in row 1 and one cell at XFD1048576.
fn xfd_workbook() -> Vec<u8> {
    let cell = |r: &str, t: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>{t}</t></is></c>"#);
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">{}{}{}</row><row r="1048576">{}</row></sheetData></worksheet>"#,
        cell("A1", "姓名"),
        cell("B1", "公民身份号码"),
        cell("C1", "所在党组织"),
        cell("XFD1048576", "x")
    );
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    stored_zip(&[
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.into(),
        ),
        (
            "_rels/.rels",
            format!(r#"<Relationships><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
        ),
        (
            "xl/workbook.xml",
            format!(r#"<workbook xmlns:r="{rel}"><sheets><sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(r#"<Relationships><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ])
}

fn multipart(fields: &[(&str, &str)], name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    b.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .as_bytes(),
    );
    b.extend_from_slice(bytes);
    b.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    b
}

fn multipart_post(uri: &str, cookie: &str, body: Vec<u8>) -> Request<Body> {
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(Body::from(body))
        .unwrap()
}

/// The server still answers a page after the upload.
async fn still_answers(w: &World, cookie: &str) {
    let (st, _, body) = send(&w.app, get("/", cookie)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cell_at_xfd1048576_is_refused_or_stored_unread_on_every_upload_route() {
    let bytes = xfd_workbook();
    assert!(bytes.len() < 2048, "a small file: {} bytes", bytes.len());
    let db = TestDb::sqlite().await;
    let w = world(&db.store).await;
    let admin = &w.logins[&Role::OrgAdmin];
    let expected = ["文件《成员名单.xlsx》", "工作表“名册”", "第 1048576 行", "XFD", "200 列"];

    // the import page: the dry run refuses the file, nothing is kept as a job
    let form = multipart(&[("csrf", &admin.csrf), ("org", &w.branch_a.to_string())], "成员名单.xlsx", &bytes);
    let (st, _, page) = send(&w.app, multipart_post("/import", &admin.cookie, form)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    for e in expected {
        assert!(page.contains(e), "{e:?} not in the page: {page}");
    }
    assert!(!page.contains("dj-import") && !page.contains("/tmp"), "no server path: {page}");
    still_answers(&w, &admin.cookie).await;

    // the API: 422 problem+json naming the file field
    let token =
        store::account::create_api_token(&w.store, &Scope::none(), admin.account_id, "测试", chrono::Utc::now())
            .await
            .unwrap()
            .1;
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/import?org={}&format=xlsx", w.branch_a))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .body(Body::from(bytes.clone()))
        .unwrap();
    let (st, _, text) = send(&w.app, req).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let message = v["errors"][0]["message"].as_str().unwrap_or_default();
    for e in &expected[1..] {
        assert!(message.contains(e), "{e:?} not in {message}");
    }
    assert!(message.starts_with("上传的文件") && !text.contains("dj-import"), "{text}");
    still_answers(&w, &admin.cookie).await;

    // an organization-life attachment: an .xlsx is a document to keep, stored as it came
    let worker = &w.logins[&Role::PartyWorker];
    let input = domain::life::RecordInput {
        types: vec!["party_lecture".into()],
        title: "党课".into(),
        held_on: "2026-10-10".into(),
        place: "会议室".into(),
        host: "书记".into(),
        recorder: "委员".into(),
        lecturer: "书记".into(),
        expected: "2".into(),
        present: "2".into(),
        ..Default::default()
    };
    let record = store::life::create(&w.store, &Scope::all(), w.branch_a, &input, false).await.unwrap().id;
    let form = multipart(&[("csrf", &worker.csrf)], "签到表.xlsx", &bytes);
    let (st, _, body) =
        send(&w.app, multipart_post(&format!("/life/records/{record}/attachments"), &worker.cookie, form)).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
    let full = store::life::get(&w.store, &Scope::all(), record).await.unwrap();
    let att = full.attachments.iter().find(|a| a.name == "签到表.xlsx").expect("stored");
    let res = tower::ServiceExt::oneshot(w.app.clone(), get(&format!("/life/attachments/{}", att.id), &worker.cookie))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let got = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
    assert_eq!(&got[..], &bytes[..], "kept byte for byte");
    still_answers(&w, &worker.cookie).await;
    db.finish().await;
}
