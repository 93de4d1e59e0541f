//! Configuration: where the database is.
//!
//! Precedence: `--db` on the command line, then the `DATABASE_URL` environment variable, then
//! `database` in the configuration file (`--config PATH`, or `./dangjian.toml` when present), then
//! the default `./dangjian.db` (SQLite). A value starting with `postgres://` selects PostgreSQL;
//! anything else is a SQLite file path.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

pub const DEFAULT_DB: &str = "dangjian.db";
pub const DEFAULT_CONFIG: &str = "dangjian.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// SQLite path or `postgres://` URL.
    pub database: Option<String>,
}

pub fn load_file(path: Option<&Path>) -> Result<FileConfig> {
    let (path, required) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from(DEFAULT_CONFIG), false),
    };
    if !path.exists() {
        if required {
            anyhow::bail!("配置文件 {} 不存在", path.display());
        }
        return Ok(FileConfig::default());
    }
    let text = std::fs::read_to_string(&path).with_context(|| format!("无法读取配置文件 {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("配置文件 {} 格式错误", path.display()))
}

/// Resolve the database target from the flag, the environment and the file.
pub fn database(flag: Option<&str>, env: Option<&str>, file: &FileConfig) -> String {
    flag.map(str::to_string)
        .or_else(|| env.filter(|s| !s.is_empty()).map(str::to_string))
        .or_else(|| file.database.clone())
        .unwrap_or_else(|| DEFAULT_DB.to_string())
}

/// A printable form of the target that hides any password in a URL.
pub fn redacted(target: &str) -> String {
    if let Some(rest) = target.split_once("://") {
        if let Some((creds, host)) = rest.1.split_once('@') {
            let user = creds.split(':').next().unwrap_or("");
            return format!("{}://{}@{}", rest.0, user, host);
        }
    }
    target.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence() {
        let file = FileConfig { database: Some("file.db".into()) };
        assert_eq!(database(Some("flag.db"), Some("postgres://x"), &file), "flag.db");
        assert_eq!(database(None, Some("postgres://x"), &file), "postgres://x");
        assert_eq!(database(None, Some(""), &file), "file.db");
        assert_eq!(database(None, None, &FileConfig::default()), DEFAULT_DB);
        assert_eq!(redacted("postgres://u:secret@h:5432/db"), "postgres://u@h:5432/db");
    }
}
