//! Both backends' migrations must describe the same schema: same tables, columns, nullability,
//! compatible types and the same indexes.

use std::collections::BTreeSet;

use store::testing::TestDb;

#[derive(sqlx::FromRow, Debug)]
struct Col {
    tbl: String,
    col: String,
    ty: String,
    nn: i64,
}

fn class(ty: &str, col: &str) -> &'static str {
    let t = ty.to_ascii_lowercase();
    let boolish = col.starts_with("is_")
        || col.starts_with("has_")
        || matches!(col, "votes" | "lecturer" | "quorum_ok" | "passed");
    match t.as_str() {
        "integer" | "bigint" if boolish => "bool",
        "boolean" => "bool",
        "integer" | "bigint" => "int",
        "date" => "date",
        "timestamp with time zone" => "time",
        "text" if col.ends_with("_at") => "time",
        "text"
            if col.ends_with("_date")
                || col.ends_with("_on")
                || matches!(col, "valid_from" | "valid_to" | "since")
                || col.starts_with("term_start")
                || col.starts_with("term_end") =>
        {
            "date"
        }
        "text" => "text",
        _ => "other",
    }
}

#[tokio::test]
async fn sqlite_and_postgres_schemas_agree() {
    let lite = TestDb::sqlite().await;
    let pg = TestDb::postgres().await;
    let lc: Vec<Col> = store::testing::raw(lite.store.read())
        .fetch_all(
            "SELECT m.name AS tbl, p.name AS col, p.type AS ty, CAST(p.\"notnull\" OR p.pk AS BIGINT) AS nn \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
            &[],
        )
        .await
        .unwrap();
    let pc: Vec<Col> = store::testing::raw(pg.store.read())
        .fetch_all(
            "SELECT table_name::text AS tbl, column_name::text AS col, data_type::text AS ty, \
             CAST(CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS BIGINT) AS nn \
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
            &[],
        )
        .await
        .unwrap();
    let norm = |v: &[Col]| -> BTreeSet<(String, String, &'static str, i64)> {
        v.iter().map(|c| (c.tbl.clone(), c.col.clone(), class(&c.ty, &c.col), c.nn)).collect()
    };
    let (a, b) = (norm(&lc), norm(&pc));
    assert!(a.len() > 40, "expected the foundation tables, got {a:?}");
    let only_lite: Vec<_> = a.difference(&b).collect();
    let only_pg: Vec<_> = b.difference(&a).collect();
    assert!(only_lite.is_empty() && only_pg.is_empty(), "SQLite only: {only_lite:#?}\nPostgreSQL only: {only_pg:#?}");

    #[derive(sqlx::FromRow)]
    struct Idx {
        name: String,
    }
    let li: BTreeSet<String> = store::testing::raw(lite.store.read())
        .fetch_all::<Idx>("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL", &[])
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.name)
        .collect();
    let pi: BTreeSet<String> = store::testing::raw(pg.store.read())
        .fetch_all::<Idx>(
            "SELECT indexname::text AS name FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' \
             AND indexname NOT LIKE '%_key'",
            &[],
        )
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.name)
        .collect();
    assert_eq!(li, pi, "explicit indexes differ");
    lite.finish().await;
    pg.finish().await;
}
