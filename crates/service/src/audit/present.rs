//! An audit record in words, for the 审计管理员's viewer: the action, the target, the scope and
//! every detail field by its Chinese name; coded values by their labels (人员类别 预备党员, not
//! `probationary`); moments in China time to the second; organizations by name instead of their
//! id or tree path. The names of the labels are those of [`domain::audit`] and of the domain's
//! enums; this module only walks the recorded detail. The record itself stays as stored (the hash
//! chain covers it, the export carries it).

use std::collections::HashMap;

use domain::audit::{action_label, code_label, entity_label, field_label, field_rank, result_label, subject};
use domain::member::{Category, Education, Occupation, Sex, Status};
use domain::org::{Facility, FormedBy, OrgKind, Sector};
use serde_json::{Map, Value};
use store::audit::Record;

/// Fields holding an organization's id.
const ORG_IDS: &[&str] = &["org", "org_id", "parent_id", "from_parent", "to_parent", "under"];
/// Fields holding an organization's tree path.
const ORG_PATHS: &[&str] = &["old_path", "new_path"];
/// Fields not shown: bookkeeping (`version`), what another field shows already (a record's
/// `path` restates its organization, a grant's `role_label` its role).
const HIDDEN: &[&str] = &["version", "path", "role_label"];
/// Objects shown as their fields: a new record's content, a status change's changes, a move.
const TRANSPARENT: &[&str] = &["after", "changes", "move"];

/// One record of the trail as the viewer shows it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The record as stored.
    pub record: Record,
    /// When, in China time: `2026-12-07 14:03:05`.
    pub time: String,
    /// The action in words (`None` for a code the product does not name).
    pub action: Option<&'static str>,
    /// The result in words.
    pub result: Option<&'static str>,
    /// What it was done to: `党员（编号 12）`, `党组织 中共甲县委`.
    pub target: String,
    /// The scope the actor acted in: the organizations by name, 全部, or —.
    pub scope: String,
    /// The detail as (field, value) lines; a change reads `旧 → 新`.
    pub lines: Vec<(String, String)>,
}

/// The organizations a page of records names, by id and by path, as the viewer may see them.
#[derive(Debug, Default)]
pub struct Names {
    pub by_id: HashMap<i64, String>,
    pub by_path: HashMap<String, String>,
}

/// The organizations a set of records names: (ids, paths) to look up in one query.
pub fn org_refs(records: &[Record]) -> (Vec<i64>, Vec<String>) {
    let (mut ids, mut paths) = (Vec::new(), Vec::new());
    for r in records {
        if let Some(id) = r.target.strip_prefix("org:").and_then(|i| i.parse().ok()) {
            ids.push(id);
        }
        paths.extend(scope_paths(&r.scope).map(str::to_string));
        if let Ok(v) = serde_json::from_str::<Value>(&r.detail) {
            collect("", &v, &mut ids, &mut paths);
        }
    }
    (ids, paths)
}

fn collect(key: &str, v: &Value, ids: &mut Vec<i64>, paths: &mut Vec<String>) {
    match v {
        Value::Number(n) if ORG_IDS.contains(&key) => ids.extend(n.as_i64()),
        Value::String(s) if ORG_PATHS.contains(&key) => paths.push(s.clone()),
        Value::Object(m) => m.iter().for_each(|(k, x)| collect(k, x, ids, paths)),
        Value::Array(a) => a.iter().for_each(|x| collect(key, x, ids, paths)),
        _ => {}
    }
}

fn scope_paths(scope: &str) -> impl Iterator<Item = &str> {
    scope.split(',').map(str::trim).filter(|p| !p.is_empty() && *p != "*")
}

/// The record in words.
pub fn entry(record: Record, names: &Names) -> Entry {
    let a = record.action.as_str();
    let lines = match serde_json::from_str::<Value>(&record.detail) {
        Ok(v) => {
            let mut out = Vec::new();
            walk(a, "", "", &v, names, &mut out);
            out
        }
        Err(_) => vec![(String::new(), record.detail.clone())],
    };
    Entry {
        time: domain::dates::china_time_of(&record.at).unwrap_or_else(|| record.at.clone()),
        action: action_label(a),
        result: result_label(&record.result),
        target: target(&record.target, names),
        scope: scope(&record.scope, names),
        lines,
        record,
    }
}

fn target(t: &str, names: &Names) -> String {
    let Some((kind, rest)) = t.split_once(':') else {
        return entity_label(t).map_or_else(|| t.to_string(), str::to_string);
    };
    let Some(label) = entity_label(kind) else { return t.to_string() };
    let named = (kind == "org").then(|| rest.parse::<i64>().ok().and_then(|i| names.by_id.get(&i))).flatten();
    match named {
        Some(name) => format!("{label} {name}"),
        None if rest == "*" => format!("{label}（多个）"),
        None if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) => format!("{label}（编号 {rest}）"),
        None => format!("{label} {rest}"),
    }
}

fn scope(s: &str, names: &Names) -> String {
    match s.trim() {
        "*" => "全部".into(),
        "" => "—".into(),
        s => scope_paths(s)
            .map(|p| names.by_path.get(p).cloned().unwrap_or_else(|| p.to_string()))
            .collect::<Vec<_>>()
            .join("、"),
    }
}

fn label(action: &str, prefix: &str, key: &str) -> String {
    let l = field_label(action, key).unwrap_or(key);
    match (prefix.is_empty(), l.is_empty()) {
        (true, _) => l.to_string(),
        (false, true) => prefix.to_string(),
        (false, false) => format!("{prefix} · {l}"),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn is_change(m: &Map<String, Value>) -> bool {
    m.len() == 2 && m.contains_key("before") && m.contains_key("after")
}

fn is_grant(m: &Map<String, Value>) -> bool {
    m.contains_key("role") && m.contains_key("org_id")
}

/// The fields of an object, in the order of their subject's table.
fn ordered<'a>(action: &str, m: &'a Map<String, Value>) -> Vec<(&'a String, &'a Value)> {
    let mut fields: Vec<(&String, &Value)> = m.iter().collect();
    fields.sort_by_key(|(k, _)| field_rank(action, k));
    fields
}

fn walk(action: &str, prefix: &str, key: &str, v: &Value, names: &Names, out: &mut Vec<(String, String)>) {
    if HIDDEN.contains(&key) {
        return;
    }
    match v {
        Value::Object(m) if is_change(m) => {
            let (before, after) = (value(action, key, &m["before"], names), value(action, key, &m["after"], names));
            out.push((label(action, prefix, key), format!("{before} → {after}")));
        }
        Value::Object(m) if is_grant(m) => out.push((label(action, prefix, key), grant(m, names))),
        Value::Object(m) => {
            let inner = if key.is_empty() || TRANSPARENT.contains(&key) {
                prefix.to_string()
            } else {
                label(action, prefix, key)
            };
            // a new record's empty fields say nothing (a change from or to empty is shown)
            let fresh = key == "after";
            for (k, x) in ordered(action, m) {
                if !(fresh && is_empty(x)) {
                    walk(action, &inner, k, x, names, out);
                }
            }
        }
        _ => out.push((label(action, prefix, key), value(action, key, v, names))),
    }
}

/// A value in words: coded values by their labels, moments in China time, organizations by
/// name, 是/否, （空）.
fn value(action: &str, key: &str, v: &Value, names: &Names) -> String {
    match v {
        Value::Null => "（空）".into(),
        Value::Bool(b) => if *b { "是" } else { "否" }.into(),
        Value::Number(n) => match n.as_i64().filter(|_| ORG_IDS.contains(&key)).and_then(|i| names.by_id.get(&i)) {
            Some(name) => name.clone(),
            None => n.to_string(),
        },
        Value::String(s) => text(action, key, s, names),
        Value::Array(a) if a.is_empty() => "（无）".into(),
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::Object(m) if is_grant(m) => grant(m, names),
                Value::Object(m) if key == "facilities" => {
                    serde_json::from_value::<Facility>(x.clone()).map_or_else(|_| x.to_string(), |f| f.describe())
                }
                Value::Object(m) => serde_json::to_string(m).unwrap_or_default(),
                _ => value(action, key, x, names),
            })
            .collect::<Vec<_>>()
            .join("、"),
        Value::Object(m) => serde_json::to_string(m).unwrap_or_default(),
    }
}

fn text(action: &str, key: &str, s: &str, names: &Names) -> String {
    if s.is_empty() {
        return "（空）".into();
    }
    if ORG_PATHS.contains(&key) {
        return names.by_path.get(s).cloned().unwrap_or_else(|| s.to_string());
    }
    if let Some(l) = code(action, key, s) {
        return l;
    }
    domain::dates::china_time_of(s).unwrap_or_else(|| s.to_string())
}

/// A coded value in words, by the enum that defines the code.
fn code(action: &str, key: &str, s: &str) -> Option<String> {
    let l = |o: Option<&'static str>| o.map(str::to_string);
    match (subject(action), key) {
        ("member", "sex") => l(Sex::from_code(s).map(Sex::label)),
        ("member", "category") => l(Category::from_code(s).map(Category::label)),
        ("member", "education") => l(Education::from_code(s).map(Education::label)),
        ("member", "occupation") => l(Occupation::from_code(s).map(Occupation::label)),
        ("member", "status") => l(Status::from_code(s).map(Status::label)),
        ("org", "kind") => l(OrgKind::from_code(s).map(OrgKind::label)),
        ("org", "sector") => l(Sector::from_code(s).map(Sector::label)),
        ("org", "formed_by") => l(FormedBy::from_code(s).map(FormedBy::label)),
        ("life", "status" | "from") => l(domain::life::RecordStatus::from_code(s).map(|x| x.label())),
        ("life", "types" | "type") => domain::life::type_of(domain::life::shipped_types(), s).map(|t| t.label.clone()),
        ("life", "period") => l(domain::life::PeriodKind::from_code(s).map(|x| x.label())),
        ("life", "roster") => l(domain::life::RosterKind::from_code(s).map(|x| x.label())),
        ("officer", "role") => l(domain::officer::OfficerRole::parse(s).map(|x| x.label())),
        ("message", "kind") => l(domain::message::Kind::from_code(s).map(|x| x.label())),
        ("message", "audience") => l(domain::message::Audience::from_code(s).map(|x| x.label())),
        ("import", "kind") => {
            l(serde_json::from_value::<::exchange::ImportKind>(Value::String(s.into())).ok().map(|k| k.label()))
        }
        (_, "role") => l(domain::account::Role::from_code(s).map(|r| r.label())),
        (_, "format") => {
            l(serde_json::from_value::<::exchange::FileFormat>(Value::String(s.into())).ok().map(|f| f.label()))
        }
        _ => l(code_label(key, s)),
    }
}

/// A grant: `党组织管理员（中共甲县委）`.
fn grant(m: &Map<String, Value>, names: &Names) -> String {
    let role = m.get("role").and_then(Value::as_str).unwrap_or_default();
    let role = domain::account::Role::from_code(role).map_or_else(|| role.to_string(), |r| r.label().to_string());
    match m.get("org_id").and_then(Value::as_i64) {
        Some(id) => {
            format!("{role}（{}）", names.by_id.get(&id).cloned().unwrap_or_else(|| format!("党组织编号 {id}")))
        }
        None => role,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(action: &str, target: &str, scope: &str, detail: Value) -> Record {
        Record {
            seq: 1,
            at: "2026-12-07T14:03:05.123456+08:00".into(),
            actor: "u".into(),
            role: "党务工作者".into(),
            scope: scope.into(),
            source_ip: None,
            action: action.into(),
            target: target.into(),
            result: "ok".into(),
            detail: detail.to_string(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn names() -> Names {
        Names {
            by_id: HashMap::from([(5, "甲社区党支部".to_string()), (2, "中共甲县委".to_string())]),
            by_path: HashMap::from([("00010002".to_string(), "中共甲县委".to_string())]),
        }
    }

    fn line<'a>(e: &'a Entry, field: &str) -> &'a str {
        e.lines.iter().find(|(k, _)| k == field).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("{field}: {e:?}"))
    }

    #[test]
    fn a_new_member_reads_in_chinese_with_its_organization_by_name() {
        let detail = serde_json::json!({ "after": {
            "id": 9, "org_id": 5, "path": "000100020003", "name": "张三", "sex": "male", "category": "probationary",
            "is_mobile": false, "join_date": "2026-01-02", "version": 1, "status": "normal", "education": null,
        }});
        let r = record("member.create", "member:9", "00010002", detail);
        let (ids, paths) = org_refs(std::slice::from_ref(&r));
        assert!(ids.contains(&5) && paths.contains(&"00010002".to_string()));
        let e = entry(r, &names());
        assert_eq!(e.time, "2026-12-07 14:03:05");
        assert_eq!(e.action, Some("新增党员"));
        assert_eq!(e.target, "党员（编号 9）");
        assert_eq!(e.scope, "中共甲县委");
        assert_eq!(line(&e, "人员类别"), "预备党员");
        assert_eq!(line(&e, "性别"), "男");
        assert_eq!(line(&e, "党籍状态"), "正常");
        assert_eq!(line(&e, "是否流动党员"), "否");
        assert_eq!(line(&e, "党组织"), "甲社区党支部");
        assert!(!e.lines.iter().any(|(k, _)| k == "学历"), "a new record's empty fields are left out: {e:?}");
        assert_eq!(e.lines[0].0, "姓名", "in the order of the member's fields: {e:?}");
        assert!(!e
            .lines
            .iter()
            .any(|(k, v)| k.contains("path") || k.contains("version") || v.contains("000100020003")));
    }

    #[test]
    fn changes_times_sessions_and_grants_read_in_chinese() {
        let e = entry(
            record(
                "session.create",
                "account:3",
                "",
                serde_json::json!({ "session": "abc", "is_totp_pending": true, "expires_at": "2026-12-07T06:03:05.123456789Z" }),
            ),
            &names(),
        );
        assert_eq!(line(&e, "待完成两步验证"), "是");
        assert_eq!(line(&e, "到期时间"), "2026-12-07 14:03:05");
        assert_eq!((e.target.as_str(), e.scope.as_str()), ("账号（编号 3）", "—"));

        let e = entry(
            record(
                "org.update",
                "org:2",
                "*",
                serde_json::json!({ "kind": { "before": "committee", "after": "general_branch" } }),
            ),
            &names(),
        );
        assert_eq!(line(&e, "组织类别"), "党委 → 党总支");
        assert_eq!((e.target.as_str(), e.scope.as_str()), ("党组织 中共甲县委", "全部"));

        let e = entry(
            record(
                "account.grant",
                "account:4",
                "",
                serde_json::json!({ "username": "w", "grant": { "role": "org_admin", "role_label": "党组织管理员", "org_id": 2 } }),
            ),
            &names(),
        );
        assert_eq!(line(&e, "授权"), "党组织管理员（中共甲县委）");

        // a path the viewer cannot name stays as it is
        let e =
            entry(record("life.submit", "life_record:7", "99990001", serde_json::json!({ "from": "draft" })), &names());
        assert_eq!(e.scope, "99990001");
        assert_eq!(line(&e, "原状态"), "草稿");
        assert_eq!(e.target, "会议记录（编号 7）");
    }
}
