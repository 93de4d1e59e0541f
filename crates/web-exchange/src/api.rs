//! `/api/v1/import` and `/api/v1/export`: rosters and organization files as CSV or `.xlsx`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use exchange::{FileFormat, ImportKind, ImportOptions};
use serde::Serialize;
use service::exchange::{ExportRequest, ExportWhat};
use service::personal::WhenDenied;
use service::ServiceError;
use utoipa::ToSchema;

use web_core::access::Perm;
use web_core::api::doc;
use web_core::api::input;
use web_core::api::{check, invalid, json, ApiCaller, ApiFieldError, Params};
use web_core::pages::today;
use web_core::tri;
use web_core::Shared;

/// One problem in one cell of an imported file.
#[derive(Serialize, ToSchema)]
pub struct ImportError {
    /// The row as the spreadsheet shows it (the first data row is usually 2).
    pub row: u64,
    /// The column's header as written in the file.
    #[schema(example = "公民身份号码")]
    pub column: String,
    #[schema(example = "校验码不正确")]
    pub reason: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Serialize, ToSchema)]
pub struct ImportResult {
    #[schema(schema_with = import_kind_schema)]
    pub kind: String,
    /// `csv` or `xlsx`.
    #[schema(example = "csv")]
    pub format: String,
    /// The text encoding a CSV file was read as.
    pub encoding: Option<String>,
    /// Data rows read (blank rows are skipped).
    pub rows: u64,
    /// Rows without problems.
    pub ok: u64,
    /// Rows with at least one problem; these are never written.
    pub bad: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub errors: Vec<ImportError>,
    /// More bad rows than are kept: `errors` holds the first ones.
    pub errors_truncated: bool,
    /// The changes were committed.
    pub written: bool,
    pub dry_run: bool,
    pub strict: bool,
    /// A Chinese summary for people.
    pub summary: String,
}

fn import_kind_schema() -> utoipa::openapi::Object {
    doc::enum_object([("members", "党员名册"), ("orgs", "党组织")].into_iter(), "文件内容", false)
}

/// Query parameters of an import.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ImportParams {
    /// The import target: organization references are resolved inside its subtree, rows with an
    /// empty 所在党组织 / 上级党组织 go under it. Left out: references are resolved in the caller's
    /// whole scope.
    org: Option<i64>,
    /// `csv` or `xlsx`; left out, it is recognised from the content.
    format: Option<String>,
    /// `members` or `orgs`; left out, it is recognised from the header row. Importing
    /// organizations needs 维护党组织.
    kind: Option<String>,
    /// Check and report only, write nothing. **Defaults to true**: a commit says `dry_run=false`.
    dry_run: Option<bool>,
    /// Write nothing at all if any row is bad.
    strict: Option<bool>,
}

fn format_of(q: &Params, body: &[u8], errs: &mut Vec<ApiFieldError>) -> FileFormat {
    match q.get("format").to_ascii_lowercase().as_str() {
        "csv" => FileFormat::Csv,
        "xlsx" => FileFormat::Xlsx,
        // a .xlsx file is a zip archive
        "" if body.starts_with(b"PK\x03\x04") => FileFormat::Xlsx,
        "" => FileFormat::Csv,
        v => {
            errs.push(ApiFieldError::new("format", format!("“{v}”无效，应为 csv 或 xlsx")));
            FileFormat::Csv
        }
    }
}

fn ext(f: FileFormat) -> &'static str {
    match f {
        FileFormat::Csv => ".csv",
        FileFormat::Xlsx => ".xlsx",
    }
}

fn format_code(f: FileFormat) -> &'static str {
    match f {
        FileFormat::Csv => "csv",
        FileFormat::Xlsx => "xlsx",
    }
}

fn busy() -> Response {
    web_core::problem(StatusCode::INTERNAL_SERVER_ERROR, "系统繁忙", "处理文件时出错，请稍后再试。")
}

/// 导入 / Import a file
///
/// The file is the raw request body (a CSV in UTF-8, UTF-16 or GBK, or an `.xlsx` workbook),
/// checked row by row in the caller's scope: rows naming organizations outside it are errors.
/// A dry run (the default) reports what a commit would do; `dry_run=false` writes the good rows
/// (or, with `strict=true`, nothing if any row is bad), in one transaction, audited.
#[utoipa::path(
    post, path = "/api/v1/import", operation_id = "importFile", tag = "exchange",
    params(ImportParams),
    request_body(description = "The file itself", content(
        ("text/csv"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )),
    responses(
        (status = 200, description = "The import report (rows with problems are in `errors`)", body = ImportResult),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 413, description = "The file is larger than 64 MiB", body = web_core::api::Problem, content_type = "application/problem+json"),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn import(
    State(s): State<Shared>,
    caller: ApiCaller,
    q: Params,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    tri!(caller.require(Perm::Exchange));
    let members_scope = caller.scope_for_all(&[Perm::Exchange, Perm::EditMembers]);
    let orgs_scope = caller.scope_for_all(&[Perm::Exchange, Perm::EditOrgs]);
    let mut errs = Vec::new();
    let org = q.id("org", &mut errs);
    let kind = match q.get("kind").to_ascii_lowercase().as_str() {
        "" => None,
        "members" => Some(ImportKind::Members),
        "orgs" => Some(ImportKind::Orgs),
        v => {
            errs.push(ApiFieldError::new("kind", format!("“{v}”无效，应为 members 或 orgs")));
            None
        }
    };
    let dry_run = q.flag("dry_run", true, &mut errs);
    let strict = q.flag("strict", false, &mut errs);
    tri!(check(errs));
    // what the file holds decides the right it needs: without 维护党组织 only rosters
    let can_orgs = !orgs_scope.roots().is_empty();
    let (kind, scope) = match kind {
        Some(ImportKind::Orgs) if !can_orgs => return caller.forbidden(Perm::EditOrgs),
        Some(ImportKind::Orgs) => (Some(ImportKind::Orgs), orgs_scope),
        Some(ImportKind::Members) => (Some(ImportKind::Members), members_scope),
        None if !can_orgs => (Some(ImportKind::Members), members_scope),
        None if orgs_scope == members_scope => (None, members_scope),
        None => {
            return invalid(vec![ApiFieldError::new(
                "kind",
                "请用 kind 参数指明文件内容：members（党员）或 orgs（党组织）",
            )])
        }
    };
    if let Some(id) = org {
        if let Err(e) = service::exchange::import_org(&s.store, &caller, kind, id).await {
            return caller.fail(e);
        }
    }
    let body = tri!(input::bytes(body));
    let mut errs = Vec::new();
    let format = format_of(&q, &body, &mut errs);
    tri!(check(errs));
    if body.is_empty() {
        return invalid(vec![ApiFieldError::new("请求体", "文件为空：请把 CSV 或 .xlsx 文件作为请求体上传")]);
    }
    let file = match tempfile::Builder::new().prefix("dj-import-").suffix(ext(format)).tempfile() {
        Ok(f) => f,
        Err(_) => return busy(),
    };
    if tokio::fs::write(file.path(), &body).await.is_err() {
        return busy();
    }
    let opts = ImportOptions { kind, under: org, dry_run, strict, ..ImportOptions::new(today()) };
    let report = match exchange::import_file(&s.store, &scope, file.path(), &opts, &store::NoProgress).await {
        Ok(r) => r,
        Err(e) => {
            return match e.downcast::<store::StoreError>() {
                Ok(e) => caller.fail(e),
                // the file could not be read as a roster at all: the reason is for the user
                Err(e) => invalid(vec![ApiFieldError::new("文件", e.to_string())]),
            };
        }
    };
    let summary = report.summary();
    let result = ImportResult {
        kind: match report.kind {
            ImportKind::Members => "members".into(),
            ImportKind::Orgs => "orgs".into(),
        },
        format: format_code(report.format).into(),
        encoding: report.encoding,
        rows: report.rows,
        ok: report.ok,
        bad: report.bad,
        inserted: report.inserted,
        updated: report.updated,
        unchanged: report.unchanged,
        errors: report
            .errors
            .into_iter()
            .map(|e| ImportError { row: e.row, column: e.column, reason: e.reason })
            .collect(),
        errors_truncated: report.errors_truncated,
        written: report.written,
        dry_run: report.dry_run,
        strict: report.strict,
        summary,
    };
    json(StatusCode::OK, &result)
}

/// Query parameters of an export.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ExportParams {
    /// The subtree to export; may be left out when the caller has a single top organization.
    org: Option<i64>,
    /// `members` (the roster, every status, default) or `orgs`.
    what: Option<String>,
    /// `csv` (UTF-8 with BOM, default) or `xlsx`.
    format: Option<String>,
    /// Export ID numbers and phones (of members, or organizations' contact phones) in full (needs
    /// 查看个人敏感信息 on the organization; audited). A masked roster cannot be imported back.
    unmask: Option<bool>,
}

/// 导出 / Export a subtree
///
/// The roster (members of every status) or the organizations of a subtree, with the headers the
/// import reads. ID numbers and phones (organizations' contact phones too) are masked unless
/// `unmask=true` is granted.
#[utoipa::path(
    get, path = "/api/v1/export", operation_id = "exportFile", tag = "exchange",
    params(ExportParams),
    responses(
        (status = 200, description = "The file, as an attachment", content(
            ("text/csv"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )),
        (status = 401, response = doc::Unauthorized),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
pub async fn export(State(s): State<Shared>, caller: ApiCaller, q: Params) -> Response {
    tri!(caller.require(Perm::Exchange));
    let mut errs = Vec::new();
    let org_id = q.id("org", &mut errs);
    let members = match q.get("what").to_ascii_lowercase().as_str() {
        "" | "members" => true,
        "orgs" => false,
        v => {
            errs.push(ApiFieldError::new("what", format!("“{v}”无效，应为 members 或 orgs")));
            true
        }
    };
    let format = match q.get("format").to_ascii_lowercase().as_str() {
        "" | "csv" => FileFormat::Csv,
        "xlsx" => FileFormat::Xlsx,
        v => {
            errs.push(ApiFieldError::new("format", format!("“{v}”无效，应为 csv 或 xlsx")));
            FileFormat::Csv
        }
    };
    let asked = q.flag("unmask", false, &mut errs);
    tri!(check(errs));
    let org_id = match org_id {
        Some(id) => id,
        None => tri!(caller.default_org(Perm::Exchange)).id,
    };
    let dir = match tempfile::Builder::new().prefix("dj-export-").tempdir() {
        Ok(d) => d,
        Err(_) => return busy(),
    };
    let path = dir.path().join(format!("export{}", ext(format)));
    let req = ExportRequest {
        org_id,
        what: if members { ExportWhat::Members } else { ExportWhat::Orgs },
        format,
        include_former: true,
        unmask: asked,
        when_denied: WhenDenied::Refuse,
        via: "api",
    };
    let org = match service::exchange::export(&s.store, &caller, &req, &path, &store::NoProgress).await {
        Ok(done) => done.org,
        Err(ServiceError::Refused(msg)) => return invalid(vec![ApiFieldError::new("format", msg)]),
        Err(e) => return caller.fail(e),
    };
    let bytes = match tokio::fs::read(&path).await {
        Ok(b) => b,
        Err(_) => return busy(),
    };
    let what = if members { "党员名册" } else { "党组织" };
    let name = format!("{}-{what}{}", org.name, ext(format));
    let content_type = match format {
        FileFormat::Csv => "text/csv; charset=utf-8",
        FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    let disposition = format!(
        "attachment; filename=\"{}{}\"; filename*=UTF-8''{}",
        if members { "members" } else { "orgs" },
        ext(format),
        web_core::pages::urlencode(&name)
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response()
}
