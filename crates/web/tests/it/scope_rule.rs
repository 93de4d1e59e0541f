//! The scope rule, enforced on the source: a page, an API handler or a use case reads business
//! data only through a scope made from the caller's grants ([`service::Ctx`]), and reads below an
//! organization only with a `store::Visible<Org>` (which the store alone makes, from a scoped
//! lookup; see the compile-fail examples on `store::scope::Visible`). A scope made by hand
//! (`Scope::all()`, `Scope::subtrees(…)`) is allowed only where the caller's own grants are
//! resolved, each listed here with its reason; any other use fails this test.

use std::path::{Path, PathBuf};

/// (file, the expression, how many times, why it is allowed)
const ALLOWED: &[(&str, &str, usize, &str)] = &[
    (
        "web-core/src/auth.rs",
        "Scope::all()",
        1,
        "the linked member of a 党员 account is read to find its branch, before any grant exists",
    ),
    ("web-core/src/auth.rs", "Scope::subtrees(", 2, "the union of the caller's own grants"),
    ("service/src/ctx.rs", "Scope::subtrees(", 1, "a permission's scope, from the caller's grants"),
    ("service/src/ctx.rs", "Scope::all()", 1, "the operator at the command line on the server holds the whole tree"),
    ("service/src/member.rs", "Scope::subtrees(", 1, "a 党员's own branch, from the caller's grants"),
    (
        "service/src/account.rs",
        "Scope::all()",
        1,
        "the 安全管理员 names the organization of a grant; only its name and path are shown",
    ),
    (
        "service/src/audit.rs",
        "Scope::all()",
        1,
        "the 审计管理员 reads the whole trail; the organizations it mentions are shown by name only",
    ),
];

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

#[test]
fn business_reads_go_through_the_callers_scope() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for c in std::fs::read_dir(&crates).unwrap() {
        let c = c.unwrap().path();
        let name = c.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("web") || name == "service" {
            sources(&c.join("src"), &mut files);
        }
    }
    assert!(files.len() > 20, "found the sources of the web crates and the service layer");
    let mut problems = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&crates).unwrap().to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(f).unwrap();
        let code: String = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
        for expr in ["Scope::all()", "Scope::subtrees("] {
            let n = code.matches(expr).count();
            let allowed = ALLOWED.iter().find(|(af, ae, _, _)| *af == rel && *ae == expr).map_or(0, |a| a.2);
            if n != allowed {
                problems.push(format!("{rel}: {expr} {n} times, {allowed} allowed"));
            }
        }
    }
    assert!(problems.is_empty(), "scopes made by hand outside the listed places:\n{}", problems.join("\n"));
}

/// Raw SQL is private to the store; the test helper that reaches it is for tests only.
#[test]
fn no_crate_runs_sql_of_its_own() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut problems = Vec::new();
    for c in std::fs::read_dir(&crates).unwrap() {
        let c = c.unwrap().path();
        if c.file_name().is_some_and(|n| n == "store") {
            continue;
        }
        let mut files = Vec::new();
        sources(&c.join("src"), &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            if text.contains("store::testing") || text.contains("testing::raw") {
                problems.push(f.strip_prefix(&crates).unwrap().display().to_string());
            }
        }
    }
    assert!(problems.is_empty(), "product code reaching the store's raw SQL: {problems:?}");
}

/// Where a web crate still calls the store itself, and why: authentication makes the context that
/// every use case takes, so it cannot go through one.
const STORE_CALLS_ALLOWED: &[(&str, &str)] = &[
    ("web-core/src/auth.rs", "sign-in, sessions and the second factor resolve the caller before any context exists"),
    ("web-core/src/api/mod.rs", "an API token is resolved to its account before any context exists"),
];

/// Pages and API handlers are thin adapters: every read and write goes through a use case of the
/// service layer, which checks the permission first. A call of a store function (`store::org::get(…)`)
/// or an import of store functions or modules in a web crate fails this test; the store's types
/// and constants (`store::life::RuleInput { … }`, `store::life::MAX_ATTACHMENT`) are data and stay
/// allowed.
#[test]
fn web_crates_call_the_service_layer_not_the_store() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut problems = Vec::new();
    for c in std::fs::read_dir(&crates).unwrap() {
        let c = c.unwrap().path();
        let name = c.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("web") {
            continue;
        }
        let mut files = Vec::new();
        sources(&c.join("src"), &mut files);
        for f in files {
            let rel = f.strip_prefix(&crates).unwrap().to_string_lossy().replace('\\', "/");
            if STORE_CALLS_ALLOWED.iter().any(|(a, _)| *a == rel) {
                continue;
            }
            let text = std::fs::read_to_string(&f).unwrap();
            for (n, line) in text.lines().enumerate() {
                for call in store_calls(line) {
                    problems.push(format!("{rel}:{}: {call}", n + 1));
                }
            }
        }
    }
    assert!(problems.is_empty(), "web crates calling the store directly:\n{}", problems.join("\n"));
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
        // a function of a module (`store::org::get(`), not a type's constructor (`store::generation::Cache::new(`)
        let mut segs = path.rsplit("::");
        let (last, owner) = (segs.next().unwrap_or(""), segs.next().unwrap_or(""));
        let lower = |s: &str| s.starts_with(|c: char| c.is_ascii_lowercase());
        if lower(last) && lower(owner) && rest.trim_start().starts_with('(') {
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
    assert!(store_calls("Kept(store::generation::Cache::new(store::generation::Topic::Orgs, 8))").is_empty());
}
