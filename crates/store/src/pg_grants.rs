//! PostgreSQL least privilege: what the application's role may do, applied by the database owner
//! after `dangjian migrate` (`dangjian pg-grants --role APP`, README "PostgreSQL").
//!
//! The application's role reads and writes the business tables, reads the audit trail and
//! appends to it, and nothing more there: no UPDATE, DELETE or TRUNCATE on `audit_log`, and no
//! write at all on `audit_head` (moved by the owner's trigger when a record is inserted), on
//! `audit_key` (the switch-over point, written once by the owner's `migrate`) or on the migration
//! history. So a compromised application can add records but not rewrite or remove them.

use crate::db::Store;
use crate::error::{StoreError, StoreResult};
use crate::Backend;

/// A role name as PostgreSQL folds unquoted names: lowercase letters, digits and `_`, not
/// starting with a digit, at most 63 bytes.
pub fn valid_role(role: &str) -> bool {
    let b = role.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && (b[0].is_ascii_lowercase() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The statements, in the order they run, for database `database` and role `role`.
pub fn statements(database: &str, role: &str) -> Result<Vec<String>, String> {
    if !valid_role(role) {
        return Err(format!("数据库角色名“{role}”无效：只能用小写字母、数字和下划线，且不以数字开头"));
    }
    let (db, r) = (ident(database), ident(role));
    Ok(vec![
        format!("GRANT CONNECT ON DATABASE {db} TO {r}"),
        format!("GRANT USAGE ON SCHEMA public TO {r}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}"),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}"),
        // the audit trail: read and append only
        format!("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {r}"),
        format!("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_head, audit_key, _sqlx_migrations FROM {r}"),
        format!("GRANT EXECUTE ON FUNCTION audit_head_for_append() TO {r}"),
    ])
}

/// Apply [`statements`] in one transaction, as the database's owner; returns what ran.
pub async fn apply(store: &Store, role: &str) -> StoreResult<Vec<String>> {
    if store.backend() != Backend::Postgres {
        return Err(StoreError::Refused("数据库授权只适用于 PostgreSQL；SQLite 没有数据库角色".into()));
    }
    let (database,): (String,) = store.read().fetch_one("SELECT current_database()::text", &[]).await?;
    let (exists,): (bool,) = store
        .read()
        .fetch_one("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", &crate::args![role])
        .await?;
    let stmts = statements(&database, role).map_err(StoreError::Refused)?;
    if !exists {
        return Err(StoreError::Refused(format!(
            "数据库角色 {role} 不存在：请先创建，例如 CREATE ROLE {role} LOGIN PASSWORD '…'"
        )));
    }
    let mut tx = store.begin().await?;
    for s in &stmts {
        if let Err(e) = tx.x().execute(s, &[]).await {
            if let StoreError::Db(sqlx::Error::Database(d)) = &e {
                if d.code().as_deref() == Some("42501") {
                    return Err(StoreError::Refused(
                        "当前数据库账号无权授权：请用数据库所有者账号（运行 dangjian migrate 的账号）执行".into(),
                    ));
                }
            }
            return Err(e);
        }
    }
    tx.commit().await?;
    Ok(stmts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names() {
        assert!(valid_role("dangjian_app"));
        assert!(!valid_role("App"));
        assert!(!valid_role("1app"));
        assert!(!valid_role("app; DROP TABLE x"));
        assert!(statements("dangjian", "x\"y").is_err());
        let s = statements("dang\"jian", "dangjian_app").unwrap();
        assert_eq!(s[0], "GRANT CONNECT ON DATABASE \"dang\"\"jian\" TO \"dangjian_app\"");
    }
}
