//! Password hashing (argon2), run on blocking threads so that the async workers
//! keep serving while a hash is computed.

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

/// Refuses a password too short to be safe.
pub fn check_new(password: &str) -> CoreResult<()> {
    if password.chars().count() < MIN_LENGTH {
        return Err(CoreError::invalid(format!(
            "Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự"
        )));
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
