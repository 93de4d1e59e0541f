//! Request bodies, read by hand after the access check: the body is raw bytes until then, and a
//! JSON object is taken apart field by field so that every problem (bad JSON, a wrong type, an
//! unknown field, an invalid value) is reported in Chinese with the field's label, all at once.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::{invalid, ApiFieldError};

/// A field as given: absent, `null`, a value, or something that was reported as a problem.
pub enum Given<T> {
    Absent,
    Null,
    Value(T),
    Bad,
}

impl<T> Given<T> {
    /// For an edit: `None` = leave as it is, `Some(None)` = clear, `Some(Some(v))` = set.
    pub fn patch(self) -> Option<Option<T>> {
        match self {
            Given::Absent | Given::Bad => None,
            Given::Null => Some(None),
            Given::Value(v) => Some(Some(v)),
        }
    }
    pub fn value(self) -> Option<T> {
        match self {
            Given::Value(v) => Some(v),
            _ => None,
        }
    }
    pub fn is_absent(&self) -> bool {
        matches!(self, Given::Absent | Given::Null)
    }
}

/// The body's bytes, or 413/400 problem+json when it could not be read (answered only after
/// the access check, by the handler).
pub fn bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, Response> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            crate::problem(StatusCode::PAYLOAD_TOO_LARGE, "文件过大", "请求体超过允许的大小，请拆分后再提交。")
        } else {
            crate::problem(StatusCode::BAD_REQUEST, "请求有误", "读取请求体失败，请重试。")
        }
    })
}

/// A JSON object body being taken apart.
pub struct Fields {
    map: Map<String, Value>,
    pub errors: Vec<ApiFieldError>,
}

impl Fields {
    /// Parse the body as a JSON object (422 for anything else).
    pub fn parse(body: &[u8]) -> Result<Fields, Response> {
        let bad = |m: String| invalid(vec![ApiFieldError::new("请求体", m)]);
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(bad("请求体为空：应为一个 JSON 对象".into()));
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => Ok(Fields { map, errors: Vec::new() }),
            Ok(_) => Err(bad("应为一个 JSON 对象（{…}）".into())),
            Err(e) if e.is_syntax() || e.is_eof() => {
                Err(bad(format!("不是有效的 JSON（第 {} 行第 {} 列附近）", e.line(), e.column())))
            }
            Err(_) => Err(bad("不是有效的 UTF-8 JSON 文本".into())),
        }
    }

    /// Was any field given at all (besides those already taken)?
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn err(&mut self, label: &str, message: impl Into<String>) {
        self.errors.push(ApiFieldError::new(label, message));
    }

    fn take(&mut self, key: &str) -> Given<Value> {
        match self.map.remove(key) {
            None => Given::Absent,
            Some(Value::Null) => Given::Null,
            Some(v) => Given::Value(v),
        }
    }

    fn typed<T>(&mut self, key: &str, label: &str, what: &str, f: impl FnOnce(&Value) -> Option<T>) -> Given<T> {
        match self.take(key) {
            Given::Value(v) => match f(&v) {
                Some(t) => Given::Value(t),
                None => {
                    self.err(label, format!("{what}（字段 {key}）"));
                    Given::Bad
                }
            },
            Given::Absent => Given::Absent,
            Given::Null => Given::Null,
            Given::Bad => Given::Bad,
        }
    }

    /// A text field.
    pub fn text(&mut self, key: &str, label: &str) -> Given<String> {
        self.typed(key, label, "应为文字", |v| v.as_str().map(str::to_string))
    }

    /// A text field holding personal data (an ID number, a phone): a masked value read from this
    /// API (`138****5678`) cannot be written back.
    pub fn personal(&mut self, key: &str, label: &str) -> Given<String> {
        match self.text(key, label) {
            Given::Value(v) if v.contains('*') => {
                self.err(label, "是脱敏后的号码（含 *），不能写入；不修改时请不要提交该字段");
                Given::Bad
            }
            other => other,
        }
    }

    /// A whole number (also written as a string of digits).
    pub fn int(&mut self, key: &str, label: &str) -> Given<i64> {
        self.typed(key, label, "应为整数", |v| match v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
    }

    /// A number, whole or decimal (`12`, `92.5`, also written as a string), as the text the
    /// domain parses and checks (its range, its unit).
    pub fn number(&mut self, key: &str, label: &str) -> Given<String> {
        self.typed(key, label, "应为数字", |v| match v {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) => Some(s.trim().to_string()),
            _ => None,
        })
    }

    /// A list of ids (`[12, 15]`, each also written as a string of digits).
    pub fn ids(&mut self, key: &str, label: &str) -> Given<Vec<i64>> {
        match self.take(key) {
            Given::Value(Value::Array(items)) => {
                let mut out = Vec::new();
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    let id = match item {
                        Value::Number(n) => n.as_i64(),
                        Value::String(s) => s.trim().parse().ok(),
                        _ => None,
                    };
                    match id {
                        Some(id) if id > 0 => out.push(id),
                        _ => {
                            self.err(label, format!("第 {} 项应为正整数编号", i + 1));
                            ok = false;
                        }
                    }
                }
                if ok {
                    Given::Value(out)
                } else {
                    Given::Bad
                }
            }
            Given::Value(_) => {
                self.err(label, format!("应为编号的列表（字段 {key}）"));
                Given::Bad
            }
            Given::Absent => Given::Absent,
            Given::Null => Given::Null,
            Given::Bad => Given::Bad,
        }
    }

    /// A yes/no field (`true`/`false`).
    pub fn flag(&mut self, key: &str, label: &str) -> Given<bool> {
        self.typed(key, label, "应为 true 或 false", Value::as_bool)
    }

    /// A date, `YYYY-MM-DD`.
    pub fn date(&mut self, key: &str, label: &str) -> Given<NaiveDate> {
        self.typed(key, label, "应为 YYYY-MM-DD 格式的日期", |v| {
            v.as_str().and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
        })
    }

    /// One of a labelled enum's values, by code or Chinese label.
    pub fn choice<E>(&mut self, key: &str, label: &str, parse: fn(&str) -> Option<E>, labels: String) -> Given<E> {
        match self.text(key, label) {
            Given::Value(s) => match parse(&s) {
                Some(e) => Given::Value(e),
                None => {
                    self.err(label, format!("“{s}”无效，应为 {labels}"));
                    Given::Bad
                }
            },
            Given::Absent => Given::Absent,
            Given::Null => Given::Null,
            Given::Bad => Given::Bad,
        }
    }

    /// A list of texts (`["a", "b"]`).
    pub fn texts(&mut self, key: &str, label: &str) -> Given<Vec<String>> {
        match self.take(key) {
            Given::Value(Value::Array(items)) => {
                let mut out = Vec::new();
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    match item.as_str() {
                        Some(t) => out.push(t.to_string()),
                        None => {
                            self.err(label, format!("第 {} 项应为文字", i + 1));
                            ok = false;
                        }
                    }
                }
                if ok {
                    Given::Value(out)
                } else {
                    Given::Bad
                }
            }
            Given::Value(_) => {
                self.err(label, format!("应为文字的列表（字段 {key}）"));
                Given::Bad
            }
            Given::Absent => Given::Absent,
            Given::Null => Given::Null,
            Given::Bad => Given::Bad,
        }
    }

    /// A list of objects, each handed to `f` as its own [`Fields`] (problems reported under
    /// `label`).
    pub fn list<T>(&mut self, key: &str, label: &str, mut f: impl FnMut(&mut Fields) -> Option<T>) -> Given<Vec<T>> {
        match self.take(key) {
            Given::Value(Value::Array(items)) => {
                let mut out = Vec::new();
                let mut ok = true;
                for (i, item) in items.into_iter().enumerate() {
                    let Value::Object(map) = item else {
                        self.err(label, format!("第 {} 项应为一个 JSON 对象", i + 1));
                        ok = false;
                        continue;
                    };
                    let mut sub = Fields { map, errors: Vec::new() };
                    let got = f(&mut sub);
                    sub.finish();
                    for e in sub.errors {
                        self.err(label, format!("第 {} 项：{}{}", i + 1, prefix(&e.field, label), e.message));
                        ok = false;
                    }
                    if let Some(t) = got {
                        out.push(t);
                    }
                }
                if ok {
                    Given::Value(out)
                } else {
                    Given::Bad
                }
            }
            Given::Value(_) => {
                self.err(label, format!("应为一个列表（字段 {key}）"));
                Given::Bad
            }
            Given::Absent => Given::Absent,
            Given::Null => Given::Null,
            Given::Bad => Given::Bad,
        }
    }

    /// A field that must be given: its value, or a problem naming it (`不能为空：{hint}`); a value
    /// of the wrong type was reported already.
    pub fn required<T>(&mut self, given: Given<T>, label: &str, hint: &str) -> Option<T> {
        match given {
            Given::Value(v) => Some(v),
            Given::Bad => None,
            Given::Absent | Given::Null => {
                self.err(label, format!("不能为空：{hint}"));
                None
            }
        }
    }

    /// Report the fields nobody asked for (a typo should not be silently ignored).
    pub fn finish(&mut self) {
        let mut keys: Vec<String> = self.map.keys().cloned().collect();
        keys.sort();
        for k in keys {
            self.err(&k, "不认识的字段，请对照接口文档");
        }
        self.map.clear();
    }

    /// Add domain validation problems, except for fields that already have a problem of their
    /// own (which would only repeat it less clearly).
    pub fn add_domain(&mut self, errs: &domain::FieldErrors) {
        let own: Vec<String> = self.errors.iter().map(|e| e.field.clone()).collect();
        for e in &errs.0 {
            if !own.iter().any(|f| f == e.field) {
                self.err(e.field, e.message.clone());
            }
        }
    }

    /// 422 when there were problems, listed in the order of `labels` (the form's order; others,
    /// such as unknown fields, last).
    pub fn check(&mut self, labels: &[&str]) -> Result<(), Response> {
        self.finish();
        self.errors.sort_by_key(|e| labels.iter().position(|l| *l == e.field).unwrap_or(labels.len()));
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(invalid(std::mem::take(&mut self.errors)))
        }
    }
}

fn prefix(field: &str, label: &str) -> String {
    if field == label {
        String::new()
    } else {
        format!("{field}：")
    }
}
