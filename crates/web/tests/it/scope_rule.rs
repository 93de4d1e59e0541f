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
        "web-admin/src/pages/admin.rs",
        "Scope::all()",
        1,
        "the 安全管理员 names the organization of a grant; only its name and path are shown",
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
