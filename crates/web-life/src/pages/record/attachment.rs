//! Attachments.

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use service::ServiceError;
use web_core::access::Perm;
use web_core::pages::urlencode;
use web_core::{error_page, Caller, Shared};

use super::*;

struct Upload {
    csrf: String,
    file_name: String,
    content: Option<Vec<u8>>,
    too_large: bool,
}

async fn read_multipart(mut mp: Multipart) -> Result<Upload, String> {
    let mut up = Upload { csrf: String::new(), file_name: String::new(), content: None, too_large: false };
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
        match field.name().unwrap_or("") {
            "file" => {
                up.file_name = field.file_name().unwrap_or("").to_string();
                match field.bytes().await {
                    Ok(b) if b.len() > store::life::MAX_ATTACHMENT => up.too_large = true,
                    Ok(b) => up.content = Some(b.to_vec()),
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        up.too_large = true;
                        break;
                    }
                    Err(_) => return Err("上传的内容不完整，请重新选择文件上传。".into()),
                }
            }
            "csrf" => up.csrf = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    Ok(up)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CsrfOnly {
    csrf: String,
}

pub async fn upload(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>, req: Request) -> Response {
    let full = web_core::tri!(for_recording(&s, &caller, id).await);
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
        // a plain form (no file at all): answered with the form's problem, never an extractor error
        let csrf = Form::<CsrfOnly>::from_request(req, &s).await.map(|f| f.0.csrf).unwrap_or_default();
        Upload { csrf, file_name: String::new(), content: None, too_large: false }
    };
    web_core::tri!(caller.check_csrf(&up.csrf));
    let problem = match (&up.content, up.too_large) {
        (_, true) => Some(format!(
            "“{}”超过 10 MB 的上限，请压缩照片或拆分文件后再上传",
            up.file_name.rsplit(['/', '\\']).next().unwrap_or("")
        )),
        (None, false) => Some("请选择要上传的文件".to_string()),
        (Some(c), false) if c.is_empty() && up.file_name.is_empty() => Some("请选择要上传的文件".to_string()),
        _ => None,
    };
    if let Some(m) = problem {
        let x = Extras { upload_error: Some(m), ..Default::default() };
        return record_view(&s, &caller, full, x, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let content = up.content.unwrap_or_default();
    match service::life::attachments::add(&s.store, &caller, id, &up.file_name, &content).await {
        Ok(_) => Redirect::to(&format!("/life/records/{id}?ok=attached#attachments")).into_response(),
        Err(ServiceError::Invalid(e)) => {
            let msg = e.0.iter().map(|x| x.message.as_str()).collect::<Vec<_>>().join("；");
            let x = Extras { upload_error: Some(msg), ..Default::default() };
            record_view(&s, &caller, full, x, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ServiceError::Refused(m)) => {
            let x = Extras { upload_error: Some(m), ..Default::default() };
            record_view(&s, &caller, full, x, StatusCode::CONFLICT).await
        }
        Err(e) => caller.fail(e),
    }
}

/// `filename*=UTF-8''…` with an ASCII fallback for old clients.
fn disposition(name: &str) -> String {
    let fallback: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{}", urlencode(name))
}

pub async fn download(State(s): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Response {
    let (_, meta, bytes) = match service::life::attachments::read(&s.store, &caller, id).await {
        Ok(x) => x,
        Err(e) => return caller.fail(e),
    };
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&meta.mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition(&meta.name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}

pub async fn delete_attachment(
    State(s): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    web_core::tri!(caller.require(Perm::RecordLife));
    let record_id = match service::life::attachments::record_of(&s.store, &caller, id).await {
        Ok(r) => r,
        Err(e) => return caller.fail(e),
    };
    web_core::tri!(caller.check_csrf(&f.csrf));
    let full = match service::life::records::get_for_recording(&s.store, &caller, record_id).await {
        Ok(f) => f,
        Err(e) => return caller.fail(e),
    };
    if f.confirm != "yes" {
        let x = Extras { upload_error: Some("删除附件前请勾选“确认”".into()), ..Default::default() };
        return record_view(&s, &caller, full, x, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match service::life::attachments::delete(&s.store, &caller, record_id, id).await {
        Ok(()) => Redirect::to(&format!("/life/records/{record_id}?ok=detached#attachments")).into_response(),
        Err(ServiceError::Refused(m)) => {
            let x = Extras { upload_error: Some(m), ..Default::default() };
            record_view(&s, &caller, full, x, StatusCode::CONFLICT).await
        }
        Err(e) => caller.fail(e),
    }
}
