//! 数据导入 and 数据导出: upload, dry-run report, commit, error workbook; export of a subtree.
//!
//! An upload is checked by a dry run of [`exchange::import_file`] and kept as an import job
//! (`store::import_job`) of the uploading account, so the report can be read, the bad rows
//! downloaded, and the import committed later, once. Exports go through the caller's scope and
//! are masked unless the caller may see personal data there and asks for it; every export is
//! audited (what, where, how many rows, masked or not).

use std::path::Path as FsPath;

use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Form;
use domain::org::Org;
use exchange::{FileFormat, ImportKind, ImportOptions, ImportReport};
use serde::Deserialize;
use service::exchange::{ExportRequest, ExportWhat};
use service::personal::WhenDenied;
use service::ServiceError;
use store::import_job::{ImportJob, NewImportJob};
use store::Scope;

use web_core::access::Perm;
use web_core::pages::{render, today, urlencode};
use web_core::picker::{OrgPicker, Purpose};
use web_core::routes::{Routes, Target};
use web_core::tri;
use web_core::{error_page, Caller, Crumb, Nav, Shared};

/// The largest file accepted for import.
const MAX_UPLOAD: usize = 50 * 1024 * 1024;
/// Bad-row problems shown per page of the report.
const ERRORS_PER_PAGE: usize = 50;
const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An `{id}`-like query value: a positive number, or nothing.
fn parse_id(s: &str) -> Option<i64> {
    s.trim().parse::<i64>().ok().filter(|n| *n > 0)
}

/// A file name as the user's computer named it, without any directory part.
fn base_name(raw: &str) -> String {
    let name = raw.rsplit(['/', '\\']).next().unwrap_or("").trim();
    name.chars().filter(|c| !c.is_control()).take(120).collect()
}

/// `Content-Disposition` for a download with a Chinese name (RFC 6266 / 5987) and an ASCII
/// fallback for old clients.
fn attachment(name: &str, fallback: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{}", urlencode(name)))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

// ---------------------------------------------------------------------------------------------
// 数据导入

#[derive(Template)]
#[template(path = "exchange/import.html")]
struct ImportPage {
    nav: Nav,
    picker: OrgPicker,
    strict: bool,
    file_name: String,
    error: String,
    file_error: String,
    jobs: Vec<JobRow>,
}

pub struct JobRow {
    id: i64,
    file_name: String,
    org_name: String,
    kind: &'static str,
    created: String,
    state: &'static str,
    committed: bool,
}

fn kind_label(code: &str) -> &'static str {
    match code {
        "orgs" => "党组织",
        _ => "党员名册",
    }
}

fn china_time(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()
}

fn job_row(j: &ImportJob) -> JobRow {
    JobRow {
        id: j.id,
        file_name: j.file_name.clone(),
        org_name: j.org_name.clone(),
        kind: kind_label(&j.kind),
        created: china_time(j.created_at),
        state: match j.state.as_str() {
            "committed" => "已导入",
            "committing" => "正在导入",
            _ => "待确认",
        },
        committed: j.is_committed(),
    }
}

/// What the upload form carried (kept when it is shown again with problems).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ImportFields {
    csrf: String,
    org: String,
    strict: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ImportQuery {
    org: String,
}

struct FormState {
    org: String,
    strict: bool,
    file_name: String,
    error: String,
    file_error: String,
    org_error: String,
}

async fn import_page(s: &Shared, caller: &Caller, st: FormState) -> ImportPage {
    let chosen = match parse_id(&st.org) {
        Some(id) => service::exchange::org(&s.store, caller, id).await.ok(),
        None => None,
    };
    let mut picker = OrgPicker::new(s, caller, Purpose::Exchange, "org", "导入到的党组织", chosen.as_ref(), "/import")
        .await
        .hint("文件中的“所在党组织”“上级党组织”在此组织之下查找；没有填写所在党组织的党员编入此组织（应为党支部）。");
    picker.error = st.org_error;
    let jobs =
        service::exchange::recent_jobs(&s.store, caller, 10).await.unwrap_or_default().iter().map(job_row).collect();
    ImportPage {
        nav: caller.nav("import").crumbs(vec![Crumb::new("", "数据导入")]),
        picker,
        strict: st.strict,
        file_name: st.file_name,
        error: st.error,
        file_error: st.file_error,
        jobs,
    }
}

fn unprocessable(page: &ImportPage) -> Response {
    let mut res = render(page);
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    res
}

pub async fn import_form(State(s): State<Shared>, caller: Caller, Query(q): Query<ImportQuery>) -> Response {
    tri!(caller.require(Perm::Exchange));
    // with one organization in view (one root, or a chosen focus), it is the default target
    let roots = caller.roots_for(Perm::Exchange);
    let org = if q.org.is_empty() && roots.len() == 1 { roots[0].id.to_string() } else { q.org };
    let st = FormState {
        org,
        strict: false,
        file_name: String::new(),
        error: String::new(),
        file_error: String::new(),
        org_error: String::new(),
    };
    render(&import_page(&s, &caller, st).await)
}

/// The uploaded form: fields and the file.
struct Upload {
    fields: ImportFields,
    file_name: String,
    content: Option<Vec<u8>>,
    too_large: bool,
}

async fn read_multipart(mut mp: Multipart) -> Result<Upload, String> {
    let mut up = Upload { fields: ImportFields::default(), file_name: String::new(), content: None, too_large: false };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                up.too_large = true;
                break;
            }
            Err(_) => return Err("上传的内容不完整，请重新选择文件上传。".into()),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            up.file_name = base_name(field.file_name().unwrap_or(""));
            match field.bytes().await {
                Ok(b) if b.len() > MAX_UPLOAD => up.too_large = true,
                Ok(b) => up.content = Some(b.to_vec()),
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    up.too_large = true;
                    break;
                }
                Err(_) => return Err("上传的内容不完整，请重新选择文件上传。".into()),
            }
        } else {
            let value = field.text().await.unwrap_or_default();
            match name.as_str() {
                "csrf" => up.fields.csrf = value,
                "org" => up.fields.org = value,
                "strict" => up.fields.strict = value,
                _ => {}
            }
        }
    }
    Ok(up)
}

/// POST /import: upload a file and check it with a dry run; keep it as a job of the caller.
pub async fn upload(State(s): State<Shared>, caller: Caller, req: Request) -> Response {
    let scope = tri!(caller.require(Perm::Exchange));
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let up = if is_multipart {
        let mp = match Multipart::from_request(req, &s).await {
            Ok(mp) => mp,
            Err(_) => {
                return error_page(StatusCode::BAD_REQUEST, "上传失败", "上传的内容无法识别，请重新选择文件上传。")
            }
        };
        match read_multipart(mp).await {
            Ok(up) => up,
            Err(msg) => return error_page(StatusCode::BAD_REQUEST, "上传失败", &msg),
        }
    } else {
        // a plain form (no file at all): answered with the form's problems, never an extractor error
        let fields = Form::<ImportFields>::from_request(req, &s).await.map(|f| f.0).unwrap_or_default();
        Upload { fields, file_name: String::new(), content: None, too_large: false }
    };
    tri!(caller.check_csrf(&up.fields.csrf));

    let mut st = FormState {
        org: up.fields.org.clone(),
        strict: up.fields.strict == "yes",
        file_name: up.file_name.clone(),
        error: String::new(),
        file_error: String::new(),
        org_error: String::new(),
    };
    let org = match parse_id(&up.fields.org) {
        Some(id) => match service::exchange::org(&s.store, &caller, id).await {
            Ok(o) => Some(o),
            Err(ServiceError::NotFound(_)) => {
                st.org_error = "导入到的党组织不存在或不在您的管理范围内，请重新选择".into();
                None
            }
            Err(e) => return caller.fail(e),
        },
        None => {
            st.org_error = "请选择导入到的党组织".into();
            None
        }
    };
    let content = match (up.too_large, up.content) {
        (true, _) => {
            st.file_error = "文件超过 50 MB，请分成几个文件导入".into();
            None
        }
        (false, Some(c)) if !c.is_empty() => Some(c),
        (false, Some(_)) if !up.file_name.is_empty() => {
            st.file_error = "文件是空的，请选择包含数据的文件".into();
            None
        }
        _ => {
            st.file_error = "请选择要导入的文件（.xlsx 或 .csv）".into();
            None
        }
    };
    let format = if content.is_some() {
        match FileFormat::from_path(FsPath::new(&up.file_name)) {
            Ok(f) => Some(f),
            Err(e) => {
                st.file_error = e.to_string();
                None
            }
        }
    } else {
        None
    };
    let (Some(org), Some(content), Some(format)) = (org, content, format) else {
        return unprocessable(&import_page(&s, &caller, st).await);
    };

    // the dry run, on a private copy of the file
    let checked = dry_run(&s, &scope, &org, &content, format, st.strict, &up.file_name).await;
    let (mut report, workbook) = match checked {
        Ok(r) => r,
        Err(msg) => {
            st.file_error = format!("无法读取文件：{msg}");
            return unprocessable(&import_page(&s, &caller, st).await);
        }
    };
    if report.kind == ImportKind::Orgs && !caller.can_at(Perm::EditOrgs, &org.path) {
        st.file_error = "这是党组织文件：您的角色没有“维护党组织”权限，只能导入党员名册".into();
        return unprocessable(&import_page(&s, &caller, st).await);
    }
    // the workbook's bytes are kept with the job; the server's temporary path is nobody's business
    report.error_workbook = None;
    let report_json = match serde_json::to_string(&report) {
        Ok(j) => j,
        Err(_) => return error_page(StatusCode::INTERNAL_SERVER_ERROR, "系统繁忙", "生成检查报告时出错，请稍后再试。"),
    };
    let kind = match report.kind {
        ImportKind::Members => "members",
        ImportKind::Orgs => "orgs",
    };
    let new = NewImportJob {
        account_id: caller.account.account.id,
        org_id: org.id,
        file_name: &up.file_name,
        content: &content,
        is_strict: st.strict,
        kind,
        report: &report_json,
        error_workbook: workbook.as_deref(),
        rows: report.rows,
        bad: report.bad,
    };
    match service::exchange::create_job(&s.store, &caller, &new).await {
        Ok(id) => Redirect::to(&format!("/import/{id}")).into_response(),
        Err(e) => caller.fail(e),
    }
}

/// A temporary copy of an uploaded file, named with its format's extension.
async fn temp_copy(dir: &tempfile::TempDir, content: &[u8], format: FileFormat) -> Result<std::path::PathBuf, String> {
    let ext = match format {
        FileFormat::Csv => "csv",
        FileFormat::Xlsx => "xlsx",
    };
    let path = dir.path().join(format!("upload.{ext}"));
    tokio::fs::write(&path, content).await.map_err(|_| "服务器暂存文件失败，请稍后再试".to_string())?;
    Ok(path)
}

/// Check a file without writing: the report and the error workbook (when there are bad rows).
async fn dry_run(
    s: &Shared,
    scope: &Scope,
    org: &Org,
    content: &[u8],
    format: FileFormat,
    strict: bool,
    file_name: &str,
) -> Result<(ImportReport, Option<Vec<u8>>), String> {
    let dir = tempfile::Builder::new().prefix("dj-import-").tempdir().map_err(|_| "服务器暂存文件失败".to_string())?;
    let path = temp_copy(&dir, content, format).await?;
    let errors = dir.path().join("errors.xlsx");
    let opts = ImportOptions {
        kind: None,
        under: Some(org.id),
        dry_run: true,
        strict,
        error_workbook: Some(errors.clone()),
        file_name: Some(file_name.to_string()),
        ..ImportOptions::new(today())
    };
    let report =
        exchange::import_file(&s.store, scope, &path, &opts, &store::NoProgress).await.map_err(|e| e.to_string())?;
    let workbook = if report.error_workbook.is_some() { tokio::fs::read(&errors).await.ok() } else { None };
    Ok((report, workbook))
}

#[derive(Template)]
#[template(path = "exchange/import_report.html")]
struct ReportPage {
    nav: Nav,
    job: JobRow,
    org_id: i64,
    strict: bool,
    report: ImportReport,
    format: &'static str,
    summary: String,
    result: Option<ImportReport>,
    result_summary: String,
    errors: Vec<ErrorRow>,
    error_total: usize,
    page: usize,
    pages: usize,
    can_commit: bool,
    blocked: String,
    has_error_workbook: bool,
    notice: String,
    problem: String,
}

pub struct ErrorRow {
    row: u64,
    column: String,
    reason: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportQuery {
    page: String,
    ok: String,
}

async fn load_job(s: &Shared, caller: &Caller, id: i64) -> Result<ImportJob, Response> {
    service::exchange::job(&s.store, caller, id).await.map_err(|e| caller.fail(e))
}

#[allow(clippy::result_large_err)]
fn report_page(
    caller: &Caller,
    job: &ImportJob,
    page: i64,
    notice: &str,
    problem: &str,
) -> Result<ReportPage, Response> {
    let broken = || error_page(StatusCode::INTERNAL_SERVER_ERROR, "系统繁忙", "读取检查报告时出错，请重新上传文件。");
    let report: ImportReport = serde_json::from_str(&job.report).map_err(|_| broken())?;
    let result: Option<ImportReport> = match &job.result {
        Some(r) => Some(serde_json::from_str(r).map_err(|_| broken())?),
        None => None,
    };
    // the committed import's problems when there is one, else the dry run's
    let shown = result.as_ref().unwrap_or(&report);
    let error_total = shown.errors.len();
    let pages = error_total.div_ceil(ERRORS_PER_PAGE).max(1);
    let page = web_core::paging::clamp_usize(page, error_total, ERRORS_PER_PAGE);
    let errors = shown
        .errors
        .iter()
        .skip((page - 1) * ERRORS_PER_PAGE)
        .take(ERRORS_PER_PAGE)
        .map(|e| ErrorRow { row: e.row, column: e.column.clone(), reason: e.reason.clone() })
        .collect();
    let blocked = if !job.is_draft() {
        String::new()
    } else if report.ok == 0 {
        "文件中没有可以导入的正确行：请按错误原因改正后重新上传。".into()
    } else if job.is_strict && report.bad > 0 {
        "已选择严格模式：文件中有错误行，整个文件都不会写入。请改正错误行后重新上传，或取消严格模式重新上传。".into()
    } else {
        String::new()
    };
    let summary = report.summary();
    let result_summary = result.as_ref().map(|r| r.summary()).unwrap_or_default();
    Ok(ReportPage {
        nav: caller
            .nav("import")
            .crumbs(vec![Crumb::new("/import", "数据导入"), Crumb::new("", job.file_name.clone())]),
        job: job_row(job),
        org_id: job.org_id,
        strict: job.is_strict,
        format: report.format.label(),
        can_commit: job.is_draft() && blocked.is_empty(),
        blocked,
        summary,
        result_summary,
        report,
        result,
        errors,
        error_total,
        page,
        pages,
        has_error_workbook: job.has_error_workbook,
        notice: notice.to_string(),
        problem: problem.to_string(),
    })
}

/// GET /import/{id}: the dry run's report (and the import's, once committed).
pub async fn job(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<ReportQuery>,
) -> Response {
    tri!(caller.require(Perm::Exchange));
    let job = tri!(load_job(&s, &caller, id).await);
    let notice = match q.ok.as_str() {
        "committed" => "导入完成。",
        _ => "",
    };
    let page = web_core::paging::asked(&q.page);
    render(&tri!(report_page(&caller, &job, page, notice, "")))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CommitForm {
    csrf: String,
    confirm: String,
}

/// POST /import/{id}/commit: run the real import of a checked file, once.
pub async fn commit(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<CommitForm>,
) -> Response {
    let scope = tri!(caller.require(Perm::Exchange));
    let job = tri!(load_job(&s, &caller, id).await);
    tri!(caller.check_csrf(&f.csrf));
    if f.confirm != "yes" {
        let page = tri!(report_page(&caller, &job, 1, "", "请点击“确认导入”按钮确认后再导入。"));
        let mut res = render(&page);
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return res;
    }
    let write_scope = if job.kind == "orgs" {
        if !caller.can_at(Perm::EditOrgs, &job.org_path) {
            return caller.forbidden(Perm::EditOrgs);
        }
        caller.scope_for(Perm::EditOrgs)
    } else {
        if !caller.can_at(Perm::EditMembers, &job.org_path) {
            return caller.forbidden(Perm::EditMembers);
        }
        scope.clone()
    };
    let job = match service::exchange::claim_job(&s.store, &caller, id).await {
        Ok(j) => j,
        Err(e) => return caller.fail(e),
    };
    let outcome = run_import(&s, &caller, &write_scope, &job).await;
    match outcome {
        Ok(report) => {
            let json = serde_json::to_string(&report).unwrap_or_else(|_| "{}".into());
            if let Err(e) = service::exchange::finish_job(&s.store, &caller, id, Some(&json)).await {
                return caller.fail(e);
            }
            Redirect::to(&format!("/import/{id}?ok=committed")).into_response()
        }
        Err(msg) => {
            let _ = service::exchange::finish_job(&s.store, &caller, id, None).await;
            error_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "导入未完成",
                &format!("{msg}。没有写入任何数据，可以稍后重试。"),
            )
        }
    }
}

async fn run_import(s: &Shared, caller: &Caller, scope: &Scope, job: &ImportJob) -> Result<ImportReport, String> {
    let content = service::exchange::job_content(&s.store, caller, job.id)
        .await
        .map_err(|e| format!("读取上传的文件失败：{e}"))?;
    let format = FileFormat::from_path(FsPath::new(&job.file_name)).map_err(|e| e.to_string())?;
    let dir = tempfile::Builder::new().prefix("dj-import-").tempdir().map_err(|_| "服务器暂存文件失败".to_string())?;
    let path = temp_copy(&dir, &content, format).await?;
    let kind = if job.kind == "orgs" { ImportKind::Orgs } else { ImportKind::Members };
    let opts = ImportOptions {
        kind: Some(kind),
        under: Some(job.org_id),
        dry_run: false,
        strict: job.is_strict,
        error_workbook: None,
        file_name: Some(job.file_name.clone()),
        ..ImportOptions::new(today())
    };
    exchange::import_file(&s.store, scope, &path, &opts, &store::NoProgress).await.map_err(|e| e.to_string())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TemplateQuery {
    /// `orgs` for the organization template; the member roster's otherwise.
    kind: String,
}

fn template_kind(q: &TemplateQuery) -> ImportKind {
    match q.kind.as_str() {
        "orgs" => ImportKind::Orgs,
        _ => ImportKind::Members,
    }
}

/// The import template as a download named after what it holds (党员名册导入模板.xlsx).
fn template_file(caller: &Caller, what: ImportKind, format: FileFormat) -> Response {
    let bytes = match service::exchange::template(caller, what, format) {
        Ok(b) => b,
        Err(e) => return caller.fail(e),
    };
    let (stem, ascii) = match what {
        ImportKind::Members => ("党员名册导入模板", "member-import-template"),
        ImportKind::Orgs => ("党组织导入模板", "org-import-template"),
    };
    let (ext, mime) = match format {
        FileFormat::Xlsx => ("xlsx", XLSX_TYPE),
        FileFormat::Csv => ("csv", "text/csv; charset=utf-8"),
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (header::CONTENT_DISPOSITION, attachment(&format!("{stem}.{ext}"), &format!("{ascii}.{ext}"))),
        ],
        bytes,
    )
        .into_response()
}

/// GET /import/template.xlsx: the workbook to fill in (`?kind=orgs` for organizations): the
/// importer's headers, one example row that imports as it is, and a sheet explaining each column.
pub async fn template_xlsx(caller: Caller, Query(q): Query<TemplateQuery>) -> Response {
    template_file(&caller, template_kind(&q), FileFormat::Xlsx)
}

/// GET /import/template.csv: the same headers and example row as CSV (UTF-8 with BOM).
pub async fn template_csv(caller: Caller, Query(q): Query<TemplateQuery>) -> Response {
    template_file(&caller, template_kind(&q), FileFormat::Csv)
}

/// GET /import/{id}/errors.xlsx: the bad rows with their reasons, to correct and import again.
pub async fn errors_xlsx(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    tri!(caller.require(Perm::Exchange));
    let job = tri!(load_job(&s, &caller, id).await);
    let bytes = match service::exchange::job_errors(&s.store, &caller, id).await {
        Ok(Some(b)) => b,
        Ok(None) => return caller.not_found(),
        Err(e) => return caller.fail(e),
    };
    let stem = job.file_name.rsplit_once('.').map(|(a, _)| a).unwrap_or(&job.file_name).to_string();
    let name = format!("{stem}-错误行.xlsx");
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(XLSX_TYPE)),
            (header::CONTENT_DISPOSITION, attachment(&name, &format!("import-{id}-errors.xlsx"))),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------------
// 数据导出

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExportQuery {
    org: String,
    what: String,
    format: String,
    former: String,
    unmask: String,
}

#[derive(Template)]
#[template(path = "exchange/export.html")]
struct ExportPage {
    nav: Nav,
    picker: OrgPicker,
    what: String,
    format: String,
    former: bool,
    unmask: bool,
    may_unmask: bool,
    what_error: String,
    format_error: String,
    unmask_error: String,
    error: String,
}

async fn export_page(s: &Shared, caller: &Caller, q: &ExportQuery) -> ExportPage {
    let chosen = match parse_id(&q.org) {
        Some(id) => service::exchange::org(&s.store, caller, id).await.ok(),
        // the caller's first organization until another is chosen
        None if q.org.is_empty() && q.what.is_empty() => caller.roots_for(Perm::Exchange).into_iter().next(),
        None => None,
    };
    // back from the picker's page without JavaScript to this form, as it was filled in
    let back = format!(
        "/export?what={}&format={}&former={}&unmask={}",
        urlencode(&q.what),
        urlencode(&q.format),
        urlencode(&q.former),
        urlencode(&q.unmask)
    );
    let picker =
        OrgPicker::new(s, caller, Purpose::Exchange, "org", "导出哪个党组织（含全部下级）", chosen.as_ref(), &back)
            .await;
    ExportPage {
        nav: caller.nav("export").crumbs(vec![Crumb::new("", "数据导出")]),
        picker,
        what: if q.what.is_empty() { "members".into() } else { q.what.clone() },
        format: if q.format.is_empty() { "xlsx".into() } else { q.format.clone() },
        former: q.former == "yes",
        unmask: q.unmask == "yes",
        may_unmask: caller.roots_for(Perm::Exchange).iter().any(|o| caller.can_at(Perm::ViewPersonal, &o.path)),
        what_error: String::new(),
        format_error: String::new(),
        unmask_error: String::new(),
        error: String::new(),
    }
}

pub async fn export_form(State(s): State<Shared>, caller: Caller, Query(q): Query<ExportQuery>) -> Response {
    tri!(caller.require(Perm::Exchange));
    render(&export_page(&s, &caller, &q).await)
}

/// GET /export/download: the file, through the caller's scope, masked unless asked for and
/// allowed; audited.
pub async fn download(State(s): State<Shared>, caller: Caller, Query(q): Query<ExportQuery>) -> Response {
    tri!(caller.require(Perm::Exchange));
    let org = match parse_id(&q.org) {
        Some(id) => match service::exchange::org(&s.store, &caller, id).await {
            Ok(o) => Some(o),
            Err(e) => return caller.fail(e),
        },
        None => None,
    };
    let mut page = export_page(&s, &caller, &q).await;
    if org.is_none() {
        page.picker.error = "请选择要导出的党组织".into();
    }
    let members = match q.what.as_str() {
        "members" => Some(true),
        "orgs" => Some(false),
        _ => {
            page.what_error = "请选择导出党员名册还是党组织".into();
            None
        }
    };
    let format = match q.format.as_str() {
        "xlsx" => Some(FileFormat::Xlsx),
        "csv" => Some(FileFormat::Csv),
        _ => {
            page.format_error = "请选择文件格式：Excel（.xlsx）或 CSV".into();
            None
        }
    };
    let unmask = q.unmask == "yes";
    if let (true, Some(o)) = (unmask, &org) {
        if service::personal::unmask(&caller, true, &o.path, WhenDenied::Refuse).is_err() {
            page.unmask_error = match members {
                Some(false) => format!("您没有查看“{}”党组织完整联系电话的权限，只能导出脱敏的文件", o.name),
                _ => format!("您没有查看“{}”党员完整身份证号和手机号的权限，只能导出脱敏的名册", o.name),
            };
        }
    }
    let (Some(org), Some(members), Some(format), true) = (org, members, format, page.unmask_error.is_empty()) else {
        let mut res = render(&page);
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return res;
    };
    let include_former = q.former == "yes" && members;
    let (ext, content_type) = match format {
        FileFormat::Xlsx => ("xlsx", XLSX_TYPE),
        FileFormat::Csv => ("csv", "text/csv; charset=utf-8"),
    };
    let tmp = match tempfile::Builder::new().prefix("dj-export-").suffix(&format!(".{ext}")).tempfile() {
        Ok(t) => t,
        Err(_) => return error_page(StatusCode::INTERNAL_SERVER_ERROR, "系统繁忙", "服务器暂存文件失败，请稍后再试。"),
    };
    let req = ExportRequest {
        org_id: org.id,
        what: if members { ExportWhat::Members } else { ExportWhat::Orgs },
        format,
        include_former,
        unmask,
        when_denied: WhenDenied::Refuse,
        via: "page",
    };
    let done = match service::exchange::export(&s.store, &caller, &req, tmp.path(), &store::NoProgress).await {
        Ok(d) => d,
        Err(ServiceError::Refused(msg)) => {
            page.error = msg;
            let mut res = render(&page);
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return res;
        }
        Err(e) => return caller.fail(e),
    };
    let unmask = done.unmasked;
    let what = if members { "members" } else { "orgs" };
    // stream the file; its name is removed at once (the open handle keeps the data until sent)
    let file = match tmp.reopen() {
        Ok(f) => f,
        Err(_) => return error_page(StatusCode::INTERNAL_SERVER_ERROR, "系统繁忙", "读取导出文件失败，请稍后再试。"),
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    drop(tmp);
    let stamp = today().format("%Y%m%d");
    let label = match (members, unmask) {
        (true, true) => "党员名册（含完整证件号）",
        (true, false) => "党员名册",
        (false, true) => "党组织（含完整联系电话）",
        (false, false) => "党组织",
    };
    let name = format!("{}-{label}-{stamp}.{ext}", org.name);
    let fallback = format!("dangjian-{what}-{stamp}.{ext}");
    let mut res = Response::new(Body::from_stream(file_stream(tokio::fs::File::from_std(file))));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CONTENT_DISPOSITION, attachment(&name, &fallback));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&len.to_string()) {
        h.insert(header::CONTENT_LENGTH, v);
    }
    res
}

/// A file as a stream of 64 KiB chunks.
fn file_stream(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    use tokio::io::AsyncReadExt;
    futures_util::stream::unfold(Some(file), |state| async move {
        let mut f = state?;
        let mut buf = vec![0u8; 64 * 1024];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), Some(f)))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
}

pub(crate) fn routes(r: Routes) -> Routes {
    r.add(
        "GET,POST",
        "/import",
        Target::None,
        get(import_form).post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD + 1024 * 1024)),
    )
    .add("GET", "/import/template.xlsx", Target::None, get(template_xlsx))
    .add("GET", "/import/template.csv", Target::None, get(template_csv))
    .add("GET", "/import/{id}", Target::Import, get(job))
    .add("POST", "/import/{id}/commit", Target::Import, axum::routing::post(commit))
    .add("GET", "/import/{id}/errors.xlsx", Target::Import, get(errors_xlsx))
    .add("GET", "/export", Target::None, get(export_form))
    .add("GET", "/export/download", Target::OrgQuery, get(download))
}
