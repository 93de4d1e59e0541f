//! Organization life: the use cases of records (list, read, enter, change, submit, review), their
//! attachments and rosters, the types and rules, 党组 work divisions, and the compliance views
//! (the table of a subtree, its workbook, an organization's card and calendar, the daily job's
//! findings). Pages and the API call the same functions here, so a rule that decides what a
//! reader sees is written once. The window a compliance figure is for and the completion rate
//! are pure and live in `domain::life` ([`domain::life::Window`], [`domain::life::rate`]), used
//! by the pages, the API and the workbook alike.

pub mod attachments;
pub mod compliance;
pub mod divisions;
pub mod records;
pub mod roster;
pub mod rules;

/// The pages and the API of organization life (`crates/web-life`) are adapters: they parse the
/// request, call the use cases here and render the answer. Any read or write of the store they
/// made themselves would bypass the permission and the rule written here once; this test fails on
/// a call of a store function (`store::life::get(…)`) or an import of store functions or modules
/// in their sources. Store types and constants (`store::life::RuleInput { … }`,
/// `store::life::MAX_ATTACHMENT`) are data and stay allowed.
#[cfg(test)]
mod adapters {
    use std::path::{Path, PathBuf};

    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    fn ident(s: &str) -> &str {
        let end = s.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(s.len());
        &s[..end]
    }

    /// The store calls and function or module imports of one line of code.
    fn store_calls(line: &str) -> Vec<String> {
        let mut found = Vec::new();
        let code = line.trim_start();
        if code.starts_with("//") {
            return found;
        }
        if let Some(rest) = code.strip_prefix("use store::") {
            let items = rest.trim_end_matches(';').replace(['{', '}'], ",");
            for item in items.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                let last = item.split(" as ").next().unwrap_or(item).rsplit("::").next().unwrap_or(item).trim();
                if !last.starts_with(|c: char| c.is_ascii_uppercase()) && !items.contains(&format!("{last}::")) {
                    found.push(format!("use store::{}", rest.trim_end_matches(';')));
                    break;
                }
            }
            return found;
        }
        let mut at = 0;
        while let Some(i) = code[at..].find("store::") {
            let start = at + i;
            at = start + "store::".len();
            if code[..start].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let mut path = String::from("store");
            let mut rest = &code[at..];
            loop {
                let id = ident(rest);
                if id.is_empty() {
                    break;
                }
                path.push_str("::");
                path.push_str(id);
                rest = &rest[id.len()..];
                match rest.strip_prefix("::") {
                    Some(r) => rest = r,
                    None => break,
                }
            }
            let last = path.rsplit("::").next().unwrap_or("");
            if last.starts_with(|c: char| c.is_ascii_lowercase()) && rest.trim_start().starts_with('(') {
                found.push(format!("{path}(…)"));
            }
        }
        found
    }

    #[test]
    fn the_scanner_finds_calls_and_imports_but_not_types_or_constants() {
        assert_eq!(store_calls("    let f = store::life::get(&s.store, &scope, id).await?;"), ["store::life::get(…)"]);
        assert_eq!(store_calls("match store::org::visible (&s.store, scope, id) {"), ["store::org::visible(…)"]);
        assert_eq!(store_calls("use store::life;"), ["use store::life"]);
        assert_eq!(store_calls("use store::life::{types, Record};"), ["use store::life::{types, Record}"]);
        assert!(store_calls("use store::life::{Record, RecordFull};").is_empty());
        assert!(store_calls("use store::{Scope, Visible};").is_empty());
        assert!(store_calls("let input = store::life::RuleInput { org_id: o.id };").is_empty());
        assert!(store_calls("if b.len() > store::life::MAX_ATTACHMENT {").is_empty());
        assert!(store_calls("caller.fail(store::StoreError::Refused(m))").is_empty());
        assert!(store_calls("// reads as `store::life::get(…)` would").is_empty());
        assert!(store_calls("service::life::records::get(&s.store, caller, id)").is_empty());
    }

    #[test]
    fn the_pages_and_api_of_organization_life_call_the_service_layer_not_the_store() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web-life/src");
        let mut files = Vec::new();
        sources(&dir, &mut files);
        assert!(files.len() > 10, "found the sources of the organization-life pages and API");
        let mut problems = Vec::new();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            for (n, line) in text.lines().enumerate() {
                for call in store_calls(line) {
                    problems.push(format!("{}:{}: {call}", f.strip_prefix(&dir).unwrap().display(), n + 1));
                }
            }
        }
        assert!(
            problems.is_empty(),
            "organization life reads the store around the service layer:\n{}",
            problems.join("\n")
        );
    }
}
