//! Form helpers every capability's pages share: a field as `fields_partial.html` draws it, with
//! its error beside it, and the parsing of optional dates, numbers and checkboxes.

use axum::http::StatusCode;
use axum::response::Response;
use domain::FieldErrors;

/// One field of a form as `fields_partial.html` draws it. `label` is the domain's field label, so a
/// [`FieldErrors`] entry lands beside its field.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    /// `text`, `date`, `number`, `tel`, `select`, `check`, `textarea`.
    pub kind: &'static str,
    pub value: String,
    /// (code, label) choices of a select.
    pub options: Vec<(String, String)>,
    pub required: bool,
    pub readonly: bool,
    pub wide: bool,
    pub hint: String,
    pub error: Option<String>,
    /// A heading shown before this field (starts a group).
    pub section: &'static str,
}

impl Field {
    pub fn new(name: &'static str, label: &'static str, kind: &'static str, value: impl Into<String>) -> Self {
        Field {
            name,
            label,
            kind,
            value: value.into(),
            options: Vec::new(),
            required: false,
            readonly: false,
            wide: false,
            hint: String::new(),
            error: None,
            section: "",
        }
    }
    pub fn select(name: &'static str, label: &'static str, value: &str, options: Vec<(String, String)>) -> Self {
        Field { options, ..Field::new(name, label, "select", value) }
    }
    pub fn req(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = h.into();
        self
    }
    pub fn wide(mut self) -> Self {
        self.wide = true;
        self
    }
    pub fn readonly(mut self) -> Self {
        self.readonly = true;
        self
    }
    pub fn section(mut self, s: &'static str) -> Self {
        self.section = s;
        self
    }
    /// The HTML input type: a date field whose value is not ISO (typed otherwise) stays text so
    /// the browser keeps showing what was typed.
    pub fn input_type(&self) -> &'static str {
        match self.kind {
            "date" if self.value.is_empty() || self.value.parse::<chrono::NaiveDate>().is_ok() => "date",
            "date" => "text",
            "number" => "text",
            k => k,
        }
    }
    pub fn numeric(&self) -> bool {
        self.kind == "number"
    }
}

/// Choices for a select from (code, label) pairs, with an empty first choice when `empty` is given.
pub fn options(
    pairs: impl Iterator<Item = (&'static str, &'static str)>,
    empty: Option<&'static str>,
) -> Vec<(String, String)> {
    empty.map(|e| (String::new(), e.to_string())).into_iter().chain(pairs.map(|(c, l)| (c.into(), l.into()))).collect()
}

/// Put each error beside the field with its label; the rest are returned (shown above the form).
pub fn attach_errors(fields: &mut [Field], errs: &FieldErrors) -> Vec<String> {
    let mut rest = Vec::new();
    for e in &errs.0 {
        match fields.iter_mut().find(|f| f.label == e.field) {
            Some(f) => match &mut f.error {
                Some(m) => {
                    m.push('；');
                    m.push_str(&e.message);
                }
                None => f.error = Some(e.message.clone()),
            },
            None => rest.push(e.to_string()),
        }
    }
    rest
}

/// Parse an optional date field; a problem is reported under `label`.
pub fn opt_date(raw: &str, label: &'static str, errs: &mut FieldErrors) -> Option<chrono::NaiveDate> {
    if raw.trim().is_empty() {
        return None;
    }
    match domain::dates::parse_date(raw) {
        Ok(d) => Some(d),
        Err(m) => {
            errs.push(label, m);
            None
        }
    }
}

pub fn opt_int<T: std::str::FromStr>(raw: &str, label: &'static str, what: &str, errs: &mut FieldErrors) -> Option<T> {
    let t = domain::member::normalize_text(raw).replace([',', '，'], "");
    if t.is_empty() {
        return None;
    }
    match t.parse::<T>() {
        Ok(v) => Some(v),
        Err(_) => {
            errs.push(label, format!("“{t}”不是{what}"));
            None
        }
    }
}

/// A checkbox's value as sent by a browser.
pub fn checked(v: &str) -> bool {
    matches!(v, "1" | "on" | "yes" | "true")
}

/// Drop the domain's errors for fields that already failed to parse (their message says more).
pub fn merge_errors(parse: FieldErrors, domain: FieldErrors) -> FieldErrors {
    let mut out = parse.clone();
    out.0.extend(domain.0.into_iter().filter(|e| !parse.has(e.field)));
    out
}

/// A response with another status.
pub fn with_status(mut r: Response, status: StatusCode) -> Response {
    if r.status() == StatusCode::OK {
        *r.status_mut() = status;
    }
    r
}

/// The success notice for `?ok=`.
pub fn ok_notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "已新建党组织。",
        "saved" => "已保存。",
        "moved" => "已转移。本组织及其下级组织、党员已一并转到新的上级党组织之下。",
        "dissolved" => "已撤销党组织。",
        "member_created" => "已新增党员。",
        "status" => "已办理党籍变更。",
        _ => return None,
    })
}

/// A value kept from a masked field: when the submitted value is the mask of the stored one
/// (unchanged), the stored value stays.
pub fn unmasked_or(submitted: &str, stored: Option<&str>, mask: fn(&str) -> String) -> String {
    match stored {
        Some(s) if submitted.trim() == mask(s) => s.to_string(),
        _ => submitted.to_string(),
    }
}

/// One field whose value the user typed differs from the one stored meanwhile by someone else.
pub struct Difference {
    pub label: &'static str,
    /// What the user typed (kept in the form).
    pub yours: String,
    /// What is stored now.
    pub stored: String,
}

/// The fields of `yours` (the form as the user sent it) whose shown value differs from `stored`
/// (the same form filled from the record as it is stored now): what a page shows when a save was
/// refused because the record changed meanwhile (`stale_partial.html`). Choices are compared by
/// code and shown by label.
pub fn differences(yours: &[Field], stored: &[Field]) -> Vec<Difference> {
    let shown = |f: &Field| -> String {
        match f.kind {
            "select" => f.options.iter().find(|(c, _)| *c == f.value).map(|(_, l)| l.clone()).unwrap_or_default(),
            "check" => if f.value.is_empty() { "否" } else { "是" }.to_string(),
            _ => f.value.trim().to_string(),
        }
    };
    yours
        .iter()
        .filter_map(|y| {
            let s = stored.iter().find(|s| s.name == y.name)?;
            let (a, b) = (shown(y), shown(s));
            (a != b).then_some(Difference { label: y.label, yours: a, stored: b })
        })
        .collect()
}
