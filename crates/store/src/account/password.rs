//! Passwords.

use crate::error::{StoreError, StoreResult};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use domain::account::{self as rules, PasswordPolicy};
use domain::FieldErrors;
use rand::rngs::OsRng;
use rand::RngCore;

/// An Argon2id hash string with the default parameters (salt "dangjian-dummy-salt") that no
/// password matches. It is verified against when the account does not exist or the name is
/// locked, so that the answer takes as long as a real check.
pub(crate) const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$ZGFuZ2ppYW4tZHVtbXktc2FsdA$3v0q9YrZbW7R1Jm1vJ6pQp2aZKk1d3Qx6B9mX0uQ2tI";

/// Passwords longer than this (in bytes) are not hashed at all (they cannot be valid: the policy
/// allows 128 characters, at most 512 bytes).
const MAX_PASSWORD_BYTES: usize = 1024;

pub(crate) fn hash_blocking(password: &str) -> StoreResult<String> {
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Refused(format!("无法生成密码盐：{e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Refused(format!("无法计算密码摘要：{e}")))
}

/// How many Argon2 verifications this process has run: lets a test prove that a sign-in for an
/// unknown account costs one verification like any other (no timing side channel), without timing.
pub static ARGON2_VERIFICATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

pub(crate) fn verify_blocking(password: &str, phc: &str) -> bool {
    ARGON2_VERIFICATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if password.len() > MAX_PASSWORD_BYTES {
        // same work as a real check, and never a match
        let _ = PasswordHash::new(DUMMY_HASH).map(|h| Argon2::default().verify_password(b"", &h));
        return false;
    }
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Argon2 takes tens of milliseconds of CPU: run it off the async workers.
pub(crate) async fn hash_password(password: &str) -> StoreResult<String> {
    let p = password.to_string();
    tokio::task::spawn_blocking(move || hash_blocking(&p))
        .await
        .map_err(|_| StoreError::Refused("密码处理被中断，请重试".into()))?
}

pub(crate) async fn verify_password(password: &str, phc: &str) -> bool {
    let (p, h) = (password.to_string(), phc.to_string());
    tokio::task::spawn_blocking(move || verify_blocking(&p, &h)).await.unwrap_or(false)
}

/// A random initial password that satisfies `policy` for `username` (see
/// [`domain::account::generate_password`]).
pub fn random_password(policy: &PasswordPolicy, username: &str) -> String {
    loop {
        let p = rules::generate_password(&mut OsRng);
        if policy.check(&p, username).is_ok() {
            return p;
        }
    }
}

pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(domain::FieldError::new(field, message).into())
}

pub(crate) fn policy_errors(field: &'static str, problems: Vec<String>) -> FieldErrors {
    let mut e = FieldErrors::default();
    for p in problems {
        e.push(field, p);
    }
    e
}
