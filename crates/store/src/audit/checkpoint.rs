//! Signed checkpoints outside the database: (number, hash, time) of the chain's last record,
//! signed with the audit key and appended as one JSON line to a file that the database's writers
//! cannot reach. Whoever rewrites the database can make a chain that hangs together, but not one
//! that reaches the numbers and hashes the checkpoints remember.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::key::Key;

/// One checkpoint line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The last record's number at the time (0 for an empty chain).
    pub seq: i64,
    /// That record's hash.
    pub hash: String,
    /// When the checkpoint was written (RFC 3339, UTC+8).
    pub at: String,
    /// The identifier of the key that signed it.
    pub key_id: String,
    /// The first record hashed with that key (the switch-over point stored in `audit_key`).
    pub key_from: i64,
    /// HMAC-SHA-256 of the fields above.
    pub sig: String,
}

impl Checkpoint {
    fn parts(&self) -> [String; 6] {
        [
            "dangjian-audit-checkpoint".into(),
            self.seq.to_string(),
            self.hash.clone(),
            self.at.clone(),
            self.key_id.clone(),
            self.key_from.to_string(),
        ]
    }

    pub(crate) fn signed(key: &Key, seq: i64, hash: &str, at: String, key_from: i64) -> Checkpoint {
        let mut c = Checkpoint { seq, hash: hash.to_string(), at, key_id: key.id(), key_from, sig: String::new() };
        let parts = c.parts();
        c.sig = key.mac_hex(&parts.each_ref().map(String::as_str));
        c
    }

    /// Was this line signed with `key`?
    pub fn signature_holds(&self, key: &Key) -> bool {
        let parts = self.parts();
        key.check(&parts.each_ref().map(String::as_str), &self.sig)
    }
}

/// Append one line (a single write on a file opened for appending, so that two processes
/// writing at once do not interleave their lines).
pub(crate) fn append(path: &Path, c: &Checkpoint) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut line = serde_json::to_string(c).map_err(std::io::Error::other)?;
    line.push('\n');
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    f.write_all(line.as_bytes())?;
    f.sync_data()
}

/// A line of the checkpoint file: its number (from 1) and what it holds.
pub(crate) type Line = (usize, Result<Checkpoint, String>);

/// Every line of the file, or `None` when there is no file.
pub(crate) fn read(path: &Path) -> std::io::Result<Option<Vec<Line>>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(Some(
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| (i + 1, serde_json::from_str::<Checkpoint>(l).map_err(|e| e.to_string())))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_lines_hold_and_forged_ones_do_not() {
        let k = Key::from_bytes([3; 32]);
        let c = Checkpoint::signed(&k, 12, "ab", "2026-12-01T01:00:00+08:00".into(), 1);
        assert!(c.signature_holds(&k));
        assert!(!c.signature_holds(&Key::from_bytes([4; 32])));
        let forged = Checkpoint { seq: 9, ..c.clone() };
        assert!(!forged.signature_holds(&k));
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cp.log");
        assert_eq!(read(&p).unwrap(), None);
        append(&p, &c).unwrap();
        append(&p, &forged).unwrap();
        let lines = read(&p).unwrap().unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].0, 2);
        assert_eq!(lines[0].1.as_ref().unwrap(), &c);
    }
}
