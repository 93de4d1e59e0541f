//! 账号与登录：roles and their separation, password policy profiles, TOTP second factor and
//! recovery codes. Pure: callers pass the time and the random number generator.
//!
//! Sources (these are security requirements, not party rules, so nothing here cites RULES.md):
//! - GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》(MLPS 2.0, 等保 2.0), level 3:
//!   8.1.4.1 身份鉴别 (passwords of some complexity changed periodically, login failure handling,
//!   two or more authentication factors for administrators) and 8.1.5 安全管理中心 (separate
//!   系统管理员, 审计管理员 and 安全管理员, "三员分立").
//! - OWASP Application Security Verification Standard 4.0.3, V2.1 Password Security (length at
//!   least 12, at most 128 permitted, no composition rules, breached/common passwords refused, no
//!   periodic rotation) and V2.8 One Time Verifier.
//! - RFC 6238 TOTP (built on RFC 4226 HOTP), RFC 4648 base32, and the `otpauth://` key URI format
//!   read by authenticator apps.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use rand::{CryptoRng, Rng};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::labelled_enum;

labelled_enum! {
    /// What an account may do. Declared from the most to the least powerful, so the smallest
    /// role of an account ([`highest`]) is the one shown as its role in the audit trail.
    ///
    /// The first three are the administrator triad of GB/T 22239-2019 8.1.5 (三员分立): they run
    /// the system, manage accounts and grants, or read the audit trail, and see no business data.
    /// The business roles 组织部管理员, 党组织管理员 and 党务工作者 are granted on an organization and
    /// cover its whole subtree; 党员 sees themself and the basics of their own branch.
    Role {
        SystemAdmin = "system_admin", "系统管理员";
        SecurityAdmin = "security_admin", "安全管理员";
        AuditAdmin = "audit_admin", "审计管理员";
        OrgDeptAdmin = "org_dept_admin", "组织部管理员";
        OrgAdmin = "org_admin", "党组织管理员";
        PartyWorker = "party_worker", "党务工作者";
        Member = "member", "党员";
    }
}

impl Role {
    /// 系统管理员, 安全管理员 or 审计管理员.
    pub fn is_admin_triad(self) -> bool {
        matches!(self, Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin)
    }
    /// Is this role granted on an organization (and so covers that organization's subtree)?
    /// 党员 is not: their scope follows from the member record linked to the account.
    pub fn needs_org(self) -> bool {
        matches!(self, Role::OrgDeptAdmin | Role::OrgAdmin | Role::PartyWorker)
    }
    /// Must an account holding this role sign in with a second factor? The administrator triad and
    /// 组织部管理员 (GB/T 22239-2019 8.1.4.1 d: two or more factors for administrators).
    pub fn requires_totp(self) -> bool {
        self.is_admin_triad() || self == Role::OrgDeptAdmin
    }
    /// Does this role see organizations and members at all?
    pub fn sees_business_data(self) -> bool {
        !self.is_admin_triad()
    }
}

/// The most powerful of these roles (see the declaration order of [`Role`]).
pub fn highest(roles: &[Role]) -> Option<Role> {
    roles.iter().copied().min()
}

/// The separation of duties (三员分立, GB/T 22239-2019 8.1.5): each of 系统管理员, 安全管理员 and
/// 审计管理员 is an account of its own — so no account can both grant rights and read or manage the
/// audit trail — and none of them holds a business role.
///
/// Stricter than "not 安全管理员 with 审计管理员": 系统管理员 is kept apart from the other two as
/// well, as 等保 assessments expect three distinct administrator accounts.
pub fn check_role_combination(roles: &[Role]) -> Result<(), String> {
    let mut triad: Vec<Role> = roles.iter().copied().filter(|r| r.is_admin_triad()).collect();
    triad.sort();
    triad.dedup();
    if triad.contains(&Role::SecurityAdmin) && triad.contains(&Role::AuditAdmin) {
        return Err(
            "安全管理员和审计管理员不能由同一账号兼任：授予权限与查看审计记录须由不同的人负责（三员分立），请另设账号"
                .into(),
        );
    }
    if triad.len() > 1 {
        let names: Vec<&str> = triad.iter().map(|r| r.label()).collect();
        return Err(format!(
            "{}不能由同一账号兼任：系统管理员、安全管理员、审计管理员须分别设账号（三员分立）",
            names.join("和")
        ));
    }
    if let (Some(admin), Some(business)) = (triad.first(), roles.iter().find(|r| !r.is_admin_triad())) {
        return Err(format!(
            "{}不能同时担任业务角色“{}”：管理员账号不接触业务数据，请为业务工作另设账号",
            admin.label(),
            business.label()
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Usernames

/// The form of a username that is stored and compared: trimmed and lower-cased.
pub fn normalize_username(s: &str) -> String {
    s.trim().to_lowercase()
}

/// 3 to 32 characters of `a-z 0-9 _ . -` (after [`normalize_username`]).
pub fn check_username(username: &str) -> Result<(), String> {
    let n = username.chars().count();
    if !(3..=32).contains(&n) {
        return Err(format!("用户名应为 3 至 32 个字符（现在 {n} 个）"));
    }
    if !username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-')) {
        return Err("用户名只能使用小写英文字母、数字和 _ . -".into());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Password policy

/// Longest password accepted by every profile (ASVS 4.0.3 V2.1.2 permits up to 128; longer ones
/// only cost hashing time).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Days between forced password changes under the MLPS profile unless configured otherwise.
pub const DEFAULT_MLPS_EXPIRY_DAYS: u32 = 90;

const COMMON_PASSWORDS: &str = include_str!("../../../data/passwords/common.txt");

/// Is this one of the common passwords in `data/passwords/common.txt` (compared case-insensitively)?
pub fn is_common_password(password: &str) -> bool {
    let p = password.trim().to_lowercase();
    COMMON_PASSWORDS.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).any(|l| l == p)
}

/// A password policy profile, chosen in configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum PasswordPolicy {
    /// 等保 (GB/T 22239-2019 8.1.4.1 a): at least 8 characters of at least three of the four
    /// classes (upper case, lower case, digits, symbols), not containing the username, changed
    /// every `expiry_days` days.
    Mlps { expiry_days: u32 },
    /// OWASP ASVS 4.0.3 V2.1: at least 12 characters (V2.1.1), at most 128 (V2.1.2), any
    /// characters and no composition rules (V2.1.4, V2.1.9), common passwords refused (V2.1.7), no
    /// periodic change (V2.1.10). The username is refused as a context-specific word.
    Asvs,
}

impl Default for PasswordPolicy {
    /// 等保, as government systems follow it.
    fn default() -> Self {
        PasswordPolicy::Mlps { expiry_days: DEFAULT_MLPS_EXPIRY_DAYS }
    }
}

impl PasswordPolicy {
    /// `mlps` (expiry 90 days), `mlps:N` (expiry N days) or `asvs`, case-insensitive.
    pub fn from_name(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "asvs" => Some(PasswordPolicy::Asvs),
            "mlps" | "等保" => Some(PasswordPolicy::default()),
            _ => {
                let days = s.strip_prefix("mlps:")?.trim().parse::<u32>().ok().filter(|d| *d > 0)?;
                Some(PasswordPolicy::Mlps { expiry_days: days })
            }
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            PasswordPolicy::Mlps { .. } => "mlps",
            PasswordPolicy::Asvs => "asvs",
        }
    }

    pub fn min_chars(&self) -> usize {
        match self {
            PasswordPolicy::Mlps { .. } => 8,
            PasswordPolicy::Asvs => 12,
        }
    }

    /// The requirements, as a user reads them next to the password field.
    pub fn describe(&self) -> String {
        match self {
            PasswordPolicy::Mlps { expiry_days } => format!(
                "密码至少 8 个字符，须包含大写字母、小写字母、数字、特殊符号中的至少三类，不能包含用户名；每 {expiry_days} 天须更换一次"
            ),
            PasswordPolicy::Asvs => {
                "密码至少 12 个字符（可以是一句话，任何字符都可以），不能是常见密码，不能包含用户名".into()
            }
        }
    }

    /// Every problem with `password` for the account `username`, in Chinese, each a phrase to show
    /// after the field's name ("密码：至少需要 12 个字符（现在 9 个）"); `Ok` when none.
    pub fn check(&self, password: &str, username: &str) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        let n = password.chars().count();
        let min = self.min_chars();
        if n < min {
            problems.push(format!("至少需要 {min} 个字符（现在 {n} 个）"));
        }
        if n > MAX_PASSWORD_CHARS {
            problems.push(format!("不能超过 {MAX_PASSWORD_CHARS} 个字符"));
        }
        match self {
            PasswordPolicy::Mlps { .. } => {
                let classes = character_classes(password);
                if classes < 3 {
                    problems.push(format!("须包含大写字母、小写字母、数字、特殊符号中的至少三类（现在 {classes} 类）"));
                }
            }
            PasswordPolicy::Asvs => {
                if is_common_password(password) {
                    problems.push("这是常见密码，很容易被猜中，请换一个（可以用一句好记的话）".into());
                }
            }
        }
        let user = normalize_username(username);
        if user.chars().count() >= 3 && password.to_lowercase().contains(&user) {
            problems.push("不能包含用户名".into());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Days between forced changes, if this profile has them.
    pub fn expiry_days(&self) -> Option<u32> {
        match self {
            PasswordPolicy::Mlps { expiry_days } => Some(*expiry_days),
            PasswordPolicy::Asvs => None,
        }
    }

    /// Has a password set at `changed_at` expired by `now`?
    pub fn is_expired(&self, changed_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        self.expiry_days().is_some_and(|d| now - changed_at >= Duration::days(i64::from(d)))
    }
}

/// How many of upper case, lower case, digits and other characters (symbols, including non-ASCII
/// characters such as 汉字) the password uses.
pub fn character_classes(password: &str) -> usize {
    let upper = password.chars().any(|c| c.is_ascii_uppercase());
    let lower = password.chars().any(|c| c.is_ascii_lowercase());
    let digit = password.chars().any(|c| c.is_ascii_digit());
    let other = password.chars().any(|c| !c.is_ascii_alphanumeric());
    [upper, lower, digit, other].into_iter().filter(|b| *b).count()
}

/// A random initial password that satisfies both profiles: three groups of five letters and
/// digits without look-alikes, joined by `-` (for example `Hk3mP-q7Rtw-9xYz2`), always with upper
/// case, lower case and digits. About 85 bits.
pub fn generate_password<R: Rng + CryptoRng>(rng: &mut R) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    loop {
        let groups: Vec<String> =
            (0..3).map(|_| (0..5).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()).collect();
        let p = groups.join("-");
        if character_classes(&p) == 4 {
            return p;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// TOTP (RFC 6238) and HOTP (RFC 4226)

/// Seconds per time step (RFC 6238 4.1 default X = 30).
pub const TOTP_STEP: i64 = 30;
/// Digits of a code, as authenticator apps show them.
pub const TOTP_DIGITS: u32 = 6;
/// Secret length in bytes: 160 bits, the HMAC-SHA-1 output size (RFC 4226 4 R6 recommends it).
pub const TOTP_SECRET_BYTES: usize = 20;

/// HOTP (RFC 4226 5.3): HMAC-SHA-1 of the counter, dynamically truncated to `digits` digits.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        // HMAC takes keys of any length, so this does not happen.
        return String::new();
    };
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let off = usize::from(h[h.len() - 1] & 0x0f);
    let bin = (u64::from(h[off] & 0x7f) << 24)
        | (u64::from(h[off + 1]) << 16)
        | (u64::from(h[off + 2]) << 8)
        | u64::from(h[off + 3]);
    let digits = digits.clamp(1, 9);
    format!("{:0width$}", bin % 10u64.pow(digits), width = digits as usize)
}

/// The time step containing `unix_secs` (RFC 6238 4.2, T0 = 0).
pub fn totp_step(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(TOTP_STEP)
}

/// The TOTP code for the step containing `unix_secs`, with `digits` digits.
pub fn totp_at(secret: &[u8], unix_secs: i64, digits: u32) -> String {
    hotp(secret, totp_step(unix_secs).max(0) as u64, digits)
}

/// The 6-digit code an authenticator app shows at `unix_secs`.
pub fn totp(secret: &[u8], unix_secs: i64) -> String {
    totp_at(secret, unix_secs, TOTP_DIGITS)
}

/// Check a 6-digit code against the steps before, at and after `unix_secs` (RFC 6238 5.2 allows
/// one step of clock drift). Returns the matching step; a step at or before `last_used_step` is
/// refused, so a code cannot be replayed (RFC 6238 5.2, ASVS 4.0.3 V2.8.4).
pub fn verify_totp(secret: &[u8], code: &str, unix_secs: i64, last_used_step: Option<i64>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != TOTP_DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = totp_step(unix_secs);
    let mut found = None;
    for step in [now - 1, now, now + 1] {
        if step < 0 || last_used_step.is_some_and(|last| step <= last) {
            continue;
        }
        // compare every candidate in constant time, without stopping at the first match
        if constant_time_eq(hotp(secret, step as u64, TOTP_DIGITS).as_bytes(), code.as_bytes()) {
            found = Some(step);
        }
    }
    found
}

/// A new random TOTP secret.
pub fn new_totp_secret<R: Rng + CryptoRng>(rng: &mut R) -> Vec<u8> {
    let mut s = vec![0u8; TOTP_SECRET_BYTES];
    rng.fill_bytes(&mut s);
    s
}

/// Compare two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as `otpauth://` URIs carry secrets.
pub fn base32_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in data {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decode RFC 4648 base32, ignoring case, spaces, hyphens and padding. `None` for other characters.
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 5 / 8);
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.chars().filter(|c| !c.is_whitespace() && *c != '-' && *c != '=') {
        let v = BASE32.iter().position(|&b| b as char == c.to_ascii_uppercase())? as u32;
        buf = ((buf << 5) | v) & 0xffff;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Some(out)
}

/// Percent-encode everything but RFC 3986 unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `otpauth://totp/…` URI an authenticator app reads from a QR code: label `issuer:account`,
/// the base32 secret, SHA-1, 6 digits, 30 seconds.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&algorithm=SHA1&digits={TOTP_DIGITS}&period={TOTP_STEP}",
        percent_encode(account),
        base32_encode(secret)
    )
}

// ---------------------------------------------------------------------------------------------
// Recovery codes

/// Recovery codes handed out when two-factor sign-in is switched on.
pub const RECOVERY_CODES: usize = 10;
/// Lower-case letters and digits without look-alikes (no 0/o, 1/l/i).
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// `n` random codes like `k7mq-x3pa` (8 characters of a 31-letter alphabet, about 40 bits each;
/// single use, and every try counts towards the login lockout).
pub fn generate_recovery_codes<R: Rng + CryptoRng>(rng: &mut R, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let mut s = String::with_capacity(9);
            for i in 0..8 {
                if i == 4 {
                    s.push('-');
                }
                s.push(RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())] as char);
            }
            s
        })
        .collect()
}

/// The canonical `xxxx-xxxx` form of what a user typed (any case, with or without the hyphen or
/// spaces), or `None` if it cannot be a recovery code.
pub fn normalize_recovery_code(input: &str) -> Option<String> {
    let s: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_lowercase()).collect();
    if s.len() != 8 || !s.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
        return None;
    }
    Some(format!("{}-{}", &s[..4], &s[4..]))
}

/// What is stored for a recovery code: SHA-256 of the salt (the account id) and the canonical code.
/// A fast hash is enough for random codes that are single use and rate-limited.
pub fn hash_recovery_code(salt: &str, code: &str) -> Option<String> {
    normalize_recovery_code(code).map(|c| sha256_hex(&format!("{salt}:{c}")))
}

/// Lower-case hex SHA-256, for storing high-entropy tokens (sessions, API tokens, recovery codes).
pub fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn rng() -> rand::rngs::StdRng {
        rand::rngs::StdRng::seed_from_u64(7)
    }

    #[test]
    fn roles_and_their_separation() {
        assert!(Role::SecurityAdmin.is_admin_triad() && !Role::OrgDeptAdmin.is_admin_triad());
        assert!(Role::OrgDeptAdmin.needs_org() && Role::OrgAdmin.needs_org() && Role::PartyWorker.needs_org());
        assert!(!Role::Member.needs_org() && !Role::SystemAdmin.needs_org());
        for r in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin, Role::OrgDeptAdmin] {
            assert!(r.requires_totp(), "{r}");
        }
        assert!(!Role::OrgAdmin.requires_totp() && !Role::Member.requires_totp());
        assert!(!Role::AuditAdmin.sees_business_data() && Role::Member.sees_business_data());
        assert_eq!(Role::parse("党务工作者"), Some(Role::PartyWorker));
        assert_eq!(Role::parse("org_dept_admin"), Some(Role::OrgDeptAdmin));
        assert_eq!(highest(&[Role::Member, Role::OrgAdmin]), Some(Role::OrgAdmin));
        assert_eq!(highest(&[]), None);

        assert!(check_role_combination(&[Role::OrgAdmin, Role::Member, Role::PartyWorker]).is_ok());
        assert!(check_role_combination(&[Role::SecurityAdmin]).is_ok());
        assert!(check_role_combination(&[]).is_ok());
        let e = check_role_combination(&[Role::SecurityAdmin, Role::AuditAdmin]).unwrap_err();
        assert!(e.contains("安全管理员和审计管理员不能由同一账号兼任"), "{e}");
        let e = check_role_combination(&[Role::SystemAdmin, Role::OrgAdmin]).unwrap_err();
        assert!(e.contains("系统管理员不能同时担任业务角色“党组织管理员”"), "{e}");
        let e = check_role_combination(&[Role::Member, Role::AuditAdmin]).unwrap_err();
        assert!(e.contains("审计管理员") && e.contains("党员"), "{e}");
        assert!(check_role_combination(&[Role::SystemAdmin, Role::SecurityAdmin]).is_err());
        assert!(check_role_combination(&[Role::SystemAdmin, Role::SystemAdmin]).is_ok());
    }

    #[test]
    fn usernames() {
        assert_eq!(normalize_username("  Zhang.San "), "zhang.san");
        assert!(check_username("zhang.san_01-x").is_ok());
        assert!(check_username("ab").is_err());
        assert!(check_username(&"a".repeat(33)).is_err());
        assert!(check_username("张三丰").is_err());
        assert!(check_username("a b c").is_err());
    }

    #[test]
    fn mlps_profile() {
        let p = PasswordPolicy::from_name("mlps").unwrap();
        assert_eq!(p, PasswordPolicy::Mlps { expiry_days: 90 });
        assert!(p.check("Abcdef12", "zhangsan").is_ok());
        assert!(p.check("abc-def-12", "zhangsan").is_ok(), "lower, digit, symbol");
        let e = p.check("abcdefgh", "zhangsan").unwrap_err();
        assert!(e[0].contains("至少三类（现在 1 类）"), "{e:?}");
        let e = p.check("Ab1!", "zhangsan").unwrap_err();
        assert!(e[0].contains("至少需要 8 个字符（现在 4 个）"), "{e:?}");
        let e = p.check("Zhangsan#2026", "zhangsan").unwrap_err();
        assert_eq!(e, vec!["不能包含用户名".to_string()]);
        assert!(p.check(&format!("Aa1!{}", "x".repeat(130)), "zhangsan").is_err());
        let changed = "2026-01-01T00:00:00Z".parse().unwrap();
        assert!(!p.is_expired(changed, "2026-03-31T23:59:59Z".parse().unwrap()));
        assert!(p.is_expired(changed, "2026-04-01T00:00:00Z".parse().unwrap()));
        assert_eq!(PasswordPolicy::from_name("MLPS:180"), Some(PasswordPolicy::Mlps { expiry_days: 180 }));
        assert_eq!(PasswordPolicy::from_name("mlps:0"), None);
        assert_eq!(PasswordPolicy::from_name("nist"), None);
    }

    #[test]
    fn asvs_profile() {
        let p = PasswordPolicy::from_name("asvs").unwrap();
        assert!(p.check("correct horse battery staple", "zhangsan").is_ok(), "no composition rules");
        assert!(p.check("我们的支部每月过一次组织生活", "zhangsan").is_ok(), "counts characters, not bytes");
        let e = p.check("党员活动室开放", "zhangsan").unwrap_err();
        assert!(e[0].contains("至少需要 12 个字符（现在 7 个）"), "21 bytes but 7 characters: {e:?}");
        for common in ["woaini1314520", "Password1234", "qwertyuiop123", "1qaz2wsx3edc4rfv"] {
            let e = p.check(common, "zhangsan").unwrap_err();
            assert!(e.iter().any(|m| m.contains("常见密码")), "{common}: {e:?}");
        }
        assert!(is_common_password("123456") && is_common_password("88888888") && is_common_password("a1b2c3d4"));
        assert!(!is_common_password("# 常见密码"), "comment lines are not entries");
        assert!(p.check("my name is zhangsan ok", "zhangsan").is_err());
        assert!(!p.is_expired("2000-01-01T00:00:00Z".parse().unwrap(), Utc::now()));
    }

    #[test]
    fn generated_passwords_satisfy_both_profiles() {
        let mut r = rng();
        for _ in 0..200 {
            let p = generate_password(&mut r);
            assert_eq!(p.len(), 17);
            assert!(PasswordPolicy::default().check(&p, "zhangsan").is_ok(), "{p}");
            assert!(PasswordPolicy::Asvs.check(&p, "zhangsan").is_ok(), "{p}");
        }
    }

    /// RFC 6238 Appendix B, SHA-1 rows (secret "12345678901234567890"), 8 digits and their last 6.
    #[test]
    fn totp_rfc6238_vectors() {
        let secret = b"12345678901234567890";
        for (t, code8) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            assert_eq!(totp_at(secret, t, 8), code8, "T={t}");
            assert_eq!(totp(secret, t), code8[2..], "T={t}");
        }
    }

    /// RFC 4226 Appendix D.
    #[test]
    fn hotp_rfc4226_vectors() {
        let expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871"];
        for (i, e) in expected.iter().enumerate() {
            assert_eq!(hotp(b"12345678901234567890", i as u64, 6), *e);
        }
    }

    #[test]
    fn totp_verification_window_and_replay() {
        let secret = b"12345678901234567890";
        let t = 1111111111; // step 37037037
        let step = totp_step(t);
        assert_eq!(verify_totp(secret, "050471", t, None), Some(step));
        assert_eq!(verify_totp(secret, "050 471", t, None), Some(step), "spaces ignored");
        let before = totp(secret, t - 30);
        let after = totp(secret, t + 30);
        assert_eq!(verify_totp(secret, &before, t, None), Some(step - 1));
        assert_eq!(verify_totp(secret, &after, t, None), Some(step + 1));
        assert_eq!(verify_totp(secret, &totp(secret, t - 60), t, None), None, "two steps old");
        assert_eq!(verify_totp(secret, &totp(secret, t + 60), t, None), None);
        assert_eq!(verify_totp(secret, "050471", t, Some(step)), None, "replayed");
        assert_eq!(verify_totp(secret, &after, t, Some(step)), Some(step + 1));
        assert_eq!(verify_totp(secret, "05047", t, None), None);
        assert_eq!(verify_totp(secret, "abcdef", t, None), None);
        assert_eq!(verify_totp(secret, "", t, None), None);
    }

    #[test]
    fn base32_and_uri() {
        // RFC 4648 section 10
        for (plain, enc) in
            [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB")]
        {
            assert_eq!(base32_encode(plain.as_bytes()), enc);
            assert_eq!(base32_decode(enc).unwrap(), plain.as_bytes());
        }
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("mzxw 6ytb-oi======").unwrap(), b"foobar");
        assert_eq!(base32_decode("MZXW1"), None);
        let secret = new_totp_secret(&mut rng());
        assert_eq!(base32_decode(&base32_encode(&secret)).unwrap(), secret);
        assert_eq!(base32_encode(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let uri = otpauth_uri("dangjian 党建", "zhang.san", b"12345678901234567890");
        assert_eq!(
            uri,
            "otpauth://totp/dangjian%20%E5%85%9A%E5%BB%BA:zhang.san?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=dangjian%20%E5%85%9A%E5%BB%BA&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn recovery_codes() {
        let codes = generate_recovery_codes(&mut rng(), RECOVERY_CODES);
        assert_eq!(codes.len(), 10);
        let unique: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), 10);
        for c in &codes {
            assert_eq!(c.len(), 9);
            assert_eq!(&c[4..5], "-");
            assert!(!c.contains(['0', '1', 'o', 'l', 'i']), "{c}");
            assert_eq!(normalize_recovery_code(c).as_deref(), Some(c.as_str()));
        }
        assert_eq!(normalize_recovery_code(" K7MQ X3PA ").as_deref(), Some("k7mq-x3pa"));
        assert_eq!(normalize_recovery_code("k7mqx3p"), None);
        assert_eq!(normalize_recovery_code("123456"), None, "a TOTP code is not a recovery code");
        let h = hash_recovery_code("42", "k7mq-x3pa").unwrap();
        assert_eq!(h.len(), 64);
        assert_eq!(hash_recovery_code("42", "K7MQX3PA").unwrap(), h);
        assert_ne!(hash_recovery_code("43", "k7mq-x3pa").unwrap(), h, "salted by account");
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "FIPS 180-2 test vector"
        );
    }
}
