//! Password hashing (argon2), run on blocking threads so that the async workers
//! keep serving while a hash is computed; the rules a new password must meet (a
//! minimum length, not one of the common passwords of `data/common-passwords.txt`).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use qcdc_core::{CoreError, CoreResult, ErrorCode};

fn internal(e: impl std::fmt::Display) -> CoreError {
    tracing::error!(error = %e, "password hashing");
    CoreError::new(ErrorCode::Internal, "Không xử lý được mật khẩu")
}

/// The PHC string of a password.
pub async fn hash(password: &str) -> CoreResult<String> {
    let p = password.to_string();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(p.as_bytes())
            .map(|h| h.to_string())
            .map_err(internal)
    })
    .await
    .map_err(internal)?
}

/// Whether `password` matches the stored PHC string.
pub async fn verify(password: &str, stored: &str) -> CoreResult<bool> {
    let p = password.to_string();
    let s = stored.to_string();
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&s) else {
            return false;
        };
        Argon2::default()
            .verify_password(p.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .map_err(internal)
}

/// The minimum length of a password.
pub const MIN_LENGTH: usize = 8;

/// The longest password taken (argon2 hashes anything, but a megabyte "password"
/// is an attack on the server's time, not a password).
pub const MAX_LENGTH: usize = 256;

const COMMON: &str = include_str!("../../../data/common-passwords.txt");

fn common() -> &'static std::collections::HashSet<String> {
    static SET: std::sync::OnceLock<std::collections::HashSet<String>> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_lowercase)
            .collect()
    })
}

/// Whether a password is one of the common ones (case aside).
pub fn is_common(password: &str) -> bool {
    common().contains(&password.trim().to_lowercase())
}

/// Refuses a password too short, too long, with control characters, or common.
pub fn check_new(password: &str) -> CoreResult<()> {
    let n = password.chars().count();
    if n < MIN_LENGTH {
        return Err(CoreError::invalid(format!(
            "Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự"
        )));
    }
    if n > MAX_LENGTH {
        return Err(CoreError::invalid(format!(
            "Mật khẩu dài quá {MAX_LENGTH} ký tự"
        )));
    }
    if password.chars().any(char::is_control) {
        return Err(CoreError::invalid(
            "Mật khẩu không được chứa ký tự điều khiển",
        ));
    }
    if is_common(password) {
        return Err(CoreError::invalid(
            "Mật khẩu này quá phổ biến (nằm trong danh sách mật khẩu hay bị đoán); hãy chọn mật khẩu khác",
        ));
    }
    Ok(())
}

/// A temporary password for an admin to hand over: 12 letters and digits without
/// the look-alikes (0/O, 1/l/I).
pub fn generate() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..12)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_and_short_passwords_are_refused() {
        for p in [
            "123456a@",
            "12345678",
            "password",
            "PassWord1",
            "matkhau123",
            "Anhyeuem123",
            "qwerty123",
        ] {
            assert!(check_new(p).is_err(), "{p}");
        }
        assert!(check_new("mat-khau-demo").is_ok());
        assert!(check_new("Mây trắng bay 1975").is_ok());
        assert!(check_new("tam\0thoi123").is_err());
        assert!(check_new(&"x".repeat(MAX_LENGTH + 1)).is_err());
        assert!(common().len() > 15_000);
    }
}
