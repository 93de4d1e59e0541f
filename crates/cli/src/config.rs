//! Configuration: where the database is.
//!
//! Precedence: `--db` on the command line, then the `DATABASE_URL` environment variable, then
//! `database` in the configuration file (`--config PATH`, or `./dangjian.toml` when present), then
//! the default `./dangjian.db` (SQLite). A value starting with `postgres://` selects PostgreSQL;
//! anything else is a SQLite file path.
//!
//! The audit chain's key: `DANGJIAN_AUDIT_KEY` (64 hex digits) when set, otherwise the key file
//! (`--audit-key-file`, `DANGJIAN_AUDIT_KEY_FILE`, `audit_key_file` in the file), by default beside
//! the SQLite file (`dangjian.db.audit-key`) or, on PostgreSQL, `<database>.audit-key` in the
//! working directory. Its checkpoints go to `<database>.audit-checkpoints` in
//! `--audit-checkpoint-dir` (`DANGJIAN_AUDIT_CHECKPOINT_DIR`, `audit_checkpoint_dir`), by default
//! the SQLite file's directory or, on PostgreSQL, the working directory.

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
    /// The audit key file.
    pub audit_key_file: Option<PathBuf>,
    /// Where the audit checkpoints are written.
    pub audit_checkpoint_dir: Option<PathBuf>,
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

/// Where stored messages (消息) are sent besides the message centre. Off by default: without
/// `--smtp-url` (or `DANGJIAN_SMTP_URL`) and without `--notify-log`, nothing leaves the system.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct MailConfig {
    /// `smtp://HOST[:PORT]`: a relay on the organization's own network.
    pub smtp_url: Option<String>,
    /// The sender address.
    pub from: String,
    /// Accounts receive at `username@domain`.
    pub domain: String,
    /// The site's address, to make links absolute in mail.
    pub site: String,
    /// Write a log line per message instead (for trying delivery out without a mail server).
    pub log_only: bool,
}

/// The sending channel the configuration asks for; `None` when none is configured.
pub fn channel(c: &MailConfig) -> Result<Option<Box<dyn service::message::Channel>>> {
    match c.smtp_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => {
            if c.domain.trim().is_empty() {
                anyhow::bail!("已设置邮件服务器（--smtp-url），还须设置收件邮箱域名（--smtp-domain）");
            }
            let ch = service::message::SmtpChannel::from_url(url, &c.from, &c.domain, &c.site)
                .map_err(|e| anyhow::anyhow!("邮件配置有误：{e}"))?;
            Ok(Some(Box::new(ch)))
        }
        None if c.log_only => Ok(Some(Box::new(service::message::LogChannel))),
        None => Ok(None),
    }
}

/// Resolve the database target from the flag, the environment and the file.
pub fn database(flag: Option<&str>, env: Option<&str>, file: &FileConfig) -> String {
    flag.map(str::to_string)
        .or_else(|| env.filter(|s| !s.is_empty()).map(str::to_string))
        .or_else(|| file.database.clone())
        .unwrap_or_else(|| DEFAULT_DB.to_string())
}

fn is_postgres(target: &str) -> bool {
    target.starts_with("postgres://") || target.starts_with("postgresql://")
}

/// The PostgreSQL database's name in a URL (`dangjian` when the URL names none).
pub fn pg_database(target: &str) -> String {
    let rest = target.split_once("://").map(|r| r.1).unwrap_or(target);
    let path = rest.split_once('/').map(|p| p.1).unwrap_or("");
    let name = path.split('?').next().unwrap_or("");
    if name.is_empty() {
        "dangjian".into()
    } else {
        name.to_string()
    }
}

/// Where the audit key file and the checkpoint file are for `target`, given the flags (or their
/// environment variables) and the configuration file.
pub fn audit_paths(
    target: &str,
    key_file: Option<&Path>,
    checkpoint_dir: Option<&Path>,
    file: &FileConfig,
) -> (PathBuf, PathBuf) {
    let key_file = key_file.map(Path::to_path_buf).or_else(|| file.audit_key_file.clone());
    let checkpoint_dir = checkpoint_dir.map(Path::to_path_buf).or_else(|| file.audit_checkpoint_dir.clone());
    let (dir, name) = if is_postgres(target) {
        (PathBuf::from("."), pg_database(target))
    } else {
        let p = Path::new(target.strip_prefix("sqlite://").unwrap_or(target));
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| DEFAULT_DB.into());
        let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_else(|| ".".into());
        (dir, name)
    };
    let key = key_file.unwrap_or_else(|| dir.join(format!("{name}.audit-key")));
    let checkpoints = checkpoint_dir.unwrap_or(dir).join(format!("{name}.audit-checkpoints"));
    (key, checkpoints)
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
    fn mail_is_off_unless_configured() {
        assert!(channel(&MailConfig::default()).unwrap().is_none());
        let log = MailConfig { log_only: true, ..Default::default() };
        assert_eq!(channel(&log).unwrap().unwrap().name(), "log");
        let smtp = MailConfig {
            smtp_url: Some("smtp://127.0.0.1:2525".into()),
            from: "dj@zzb.gov.cn".into(),
            domain: "zzb.gov.cn".into(),
            ..Default::default()
        };
        assert_eq!(channel(&smtp).unwrap().unwrap().name(), "smtp");
        let no_domain = MailConfig { domain: String::new(), ..smtp };
        assert!(channel(&no_domain).is_err());
    }

    #[test]
    fn precedence() {
        let file = FileConfig { database: Some("file.db".into()), ..Default::default() };
        assert_eq!(database(Some("flag.db"), Some("postgres://x"), &file), "flag.db");
        assert_eq!(database(None, Some("postgres://x"), &file), "postgres://x");
        assert_eq!(database(None, Some(""), &file), "file.db");
        assert_eq!(database(None, None, &FileConfig::default()), DEFAULT_DB);
        assert_eq!(redacted("postgres://u:secret@h:5432/db"), "postgres://u@h:5432/db");
    }

    #[test]
    fn audit_files_beside_the_database_or_where_configured() {
        let none = FileConfig::default();
        let (k, c) = audit_paths("/srv/dj/dangjian.db", None, None, &none);
        assert_eq!(k, Path::new("/srv/dj/dangjian.db.audit-key"));
        assert_eq!(c, Path::new("/srv/dj/dangjian.db.audit-checkpoints"));
        let (k, c) = audit_paths("dangjian.db", None, None, &none);
        assert_eq!(
            (k, c),
            (PathBuf::from("./dangjian.db.audit-key"), PathBuf::from("./dangjian.db.audit-checkpoints"))
        );
        let (k, c) = audit_paths(
            "postgres://app@h/dj?sslmode=require",
            Some(Path::new("/etc/dangjian/audit.key")),
            Some(Path::new("/var/lib/dangjian")),
            &none,
        );
        assert_eq!(k, Path::new("/etc/dangjian/audit.key"));
        assert_eq!(c, Path::new("/var/lib/dangjian/dj.audit-checkpoints"));
        let file = FileConfig { audit_checkpoint_dir: Some("/cp".into()), ..Default::default() };
        assert_eq!(audit_paths("postgres://h/", None, None, &file).1, Path::new("/cp/dangjian.audit-checkpoints"));
    }
}
