//! The audit chain's key: 32 random bytes kept outside the database (a file readable by its owner
//! only, or an environment variable), so that whoever can write the database still cannot write
//! a record, a hash or a checkpoint that verifies. The database holds only the key's identifier.

use std::io::Write;
use std::path::Path;

use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The key. Its `Debug` shows the identifier, never the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Key([u8; 32]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({})", self.id())
    }
}

/// How the key was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// Read from an existing key file.
    File,
    /// The key file did not exist and was created now.
    Created,
    /// Given in the environment (`DANGJIAN_AUDIT_KEY`).
    Environment,
}

impl Key {
    pub fn from_bytes(b: [u8; 32]) -> Key {
        Key(b)
    }

    /// A new key from the operating system's random source.
    pub fn generate() -> Key {
        let mut b = [0u8; 32];
        OsRng.fill_bytes(&mut b);
        Key(b)
    }

    /// 64 hexadecimal digits (32 bytes), surrounding white space ignored.
    pub fn from_hex(text: &str) -> Result<Key, String> {
        let t = text.trim();
        if t.len() != 64 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("审计密钥须为 64 位十六进制数字（32 字节），现为 {} 个字符", t.chars().count()));
        }
        let mut b = [0u8; 32];
        for (i, byte) in b.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&t[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
        }
        Ok(Key(b))
    }

    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// The key's identifier, stored in the database and in checkpoints: the first 8 bytes of
    /// HMAC(key, "dangjian-audit-key-id"), which names the key without revealing it.
    pub fn id(&self) -> String {
        hex(&self.mac(&["dangjian-audit-key-id"])[..8])
    }

    /// HMAC-SHA-256 over the parts, each preceded by its length (so that no two different lists
    /// of parts give the same input).
    pub(crate) fn mac(&self, parts: &[&str]) -> [u8; 32] {
        let mut m = HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key length");
        for p in parts {
            m.update(&(p.len() as u64).to_le_bytes());
            m.update(p.as_bytes());
        }
        m.finalize().into_bytes().into()
    }

    /// [`Key::mac`] as lowercase hex.
    pub(crate) fn mac_hex(&self, parts: &[&str]) -> String {
        hex(&self.mac(parts))
    }

    /// Does `tag` (hex) equal the MAC of `parts`? Compared in constant time.
    pub(crate) fn check(&self, parts: &[&str], tag: &str) -> bool {
        let Some(given) = unhex(tag) else { return false };
        let mut m = HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key length");
        for p in parts {
            m.update(&(p.len() as u64).to_le_bytes());
            m.update(p.as_bytes());
        }
        m.verify_slice(&given).is_ok()
    }

    /// Read the key file, or create it (readable and writable by its owner only) when it does not
    /// exist. An existing file that others may read or write is refused: a key that others can
    /// read no longer proves anything.
    pub fn load_or_create(path: &Path) -> Result<(Key, KeySource), String> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                check_private(path)?;
                let key = Key::from_hex(&text).map_err(|e| format!("审计密钥文件 {} 无效：{e}", path.display()))?;
                Ok((key, KeySource::File))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Key::generate();
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("无法创建审计密钥文件所在目录 {}：{e}", dir.display()))?;
                }
                let mut f =
                    private_new_file(path).map_err(|e| format!("无法创建审计密钥文件 {}：{e}", path.display()))?;
                writeln!(f, "{}", key.to_hex())
                    .and_then(|_| f.sync_all())
                    .map_err(|e| format!("无法写入审计密钥文件 {}：{e}", path.display()))?;
                Ok((key, KeySource::Created))
            }
            Err(e) => Err(format!("无法读取审计密钥文件 {}：{e}", path.display())),
        }
    }
}

#[cfg(unix)]
fn private_new_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn private_new_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| format!("无法读取审计密钥文件 {}：{e}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(format!(
            "审计密钥文件 {} 的权限为 {:o}，其他用户可以读取或修改：请执行 chmod 600 {}",
            path.display(),
            mode & 0o777,
            path.display()
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &Path) -> Result<(), String> {
    Ok(())
}

pub(crate) fn hex(b: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(DIGITS[(x >> 4) as usize] as char);
        s.push(DIGITS[(x & 15) as usize] as char);
    }
    s
}

fn unhex(t: &str) -> Option<Vec<u8>> {
    if !t.len().is_multiple_of(2) || !t.is_ascii() {
        return None;
    }
    (0..t.len() / 2).map(|i| u8::from_str_radix(&t[2 * i..2 * i + 2], 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_id() {
        let k = Key::from_bytes([7; 32]);
        assert_eq!(Key::from_hex(&k.to_hex()).unwrap(), k);
        assert_eq!(k.id().len(), 16);
        assert_ne!(k.id(), Key::from_bytes([8; 32]).id());
        assert!(!format!("{k:?}").contains(&k.to_hex()), "Debug never shows the key");
        assert!(Key::from_hex("abc").unwrap_err().contains("64 位"));
        let tag = k.mac_hex(&["a", "b"]);
        assert!(k.check(&["a", "b"], &tag));
        assert!(!k.check(&["ab", ""], &tag), "parts are length-prefixed");
        assert!(!Key::from_bytes([8; 32]).check(&["a", "b"], &tag));
    }

    #[cfg(unix)]
    #[test]
    fn key_file_is_created_private_and_refused_when_readable_by_others() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub").join("audit.key");
        let (k, src) = Key::load_or_create(&p).unwrap();
        assert_eq!(src, KeySource::Created);
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        let (again, src) = Key::load_or_create(&p).unwrap();
        assert_eq!((again, src), (k, KeySource::File));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(Key::load_or_create(&p).unwrap_err().contains("chmod 600"));
    }
}
