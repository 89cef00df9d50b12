//! Passwords: the rules a new one must meet, and hashing with argon2id at OWASP's parameters
//! (19 MiB, 2 passes, 1 lane).
//!
//! Hashing costs tens of milliseconds of CPU on purpose, so it runs on tokio's blocking pool, never
//! on the async workers that serve other requests. Hashes imported from the previous system are
//! bcrypt; they verify here and the caller replaces them with argon2id at the next sign-in.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("hashing failed")]
    Hash(String),
    #[error("the blocking hashing task failed")]
    Join(#[from] tokio::task::JoinError),
}

pub use super::PasswordRule;

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Checks a new password; `context` holds words of the user's own (e-mail, name) that make a
/// password guessable for them in particular.
pub fn check_new_password(password: &str, context: &[&str]) -> Result<(), PasswordRule> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordRule::TooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordRule::TooLong);
    }
    // zxcvbn knows the common-password lists, keyboard walks, dates and l33t spellings; a score
    // below 2 means fewer than about a million guesses.
    if (zxcvbn::zxcvbn(password, context).score() as u8) < 2 {
        return Err(PasswordRule::TooCommon);
    }
    Ok(())
}

/// m = 19 MiB, t = 2, p = 1: OWASP's minimum recommendation for argon2id.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub async fn hash_password(password: String) -> Result<String, PasswordError> {
    tokio::task::spawn_blocking(move || {
        // A fresh random salt per hash, from the operating system.
        hasher()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| PasswordError::Hash(e.to_string()))
    })
    .await?
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Right, but stored in an older format (bcrypt): store a new argon2id hash.
    YesRehash,
}

/// Checks a password against a stored hash: argon2 PHC or bcrypt (`$2a$`, `$2b$`, `$2y$`). A
/// missing or malformed hash still costs one argon2 verification, so the time taken does not tell
/// whether the account exists.
pub async fn verify_password(
    password: String,
    stored: Option<String>,
) -> Result<Verified, PasswordError> {
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_default();
        if stored.starts_with("$2") {
            return Ok(match bcrypt::verify(password.as_bytes(), &stored) {
                Ok(true) => Verified::YesRehash,
                _ => Verified::No,
            });
        }
        match PasswordHash::new(&stored) {
            Ok(parsed) => Ok(
                if hasher()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
                {
                    Verified::Yes
                } else {
                    Verified::No
                },
            ),
            Err(_) => {
                let dummy = PasswordHash::new(DUMMY_HASH)
                    .map_err(|e| PasswordError::Hash(e.to_string()))?;
                // The result is irrelevant: this verification exists only to take the same time.
                let _same_time = hasher().verify_password(password.as_bytes(), &dummy);
                Ok(Verified::No)
            }
        }
    })
    .await?
}

/// The argon2id hash (same parameters) of a random value nobody knows, verified against when an
/// account has no usable hash.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$oUaNqrTZmMWmUcTnk9KH0vnrxZYh+9/rMEoCRyFLLnM";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_own_password_and_no_other() {
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert_eq!(
            verify_password("correct horse battery".into(), Some(hash.clone()))
                .await
                .unwrap(),
            Verified::Yes
        );
        assert_eq!(
            verify_password("correct horse battery!".into(), Some(hash))
                .await
                .unwrap(),
            Verified::No
        );
    }

    #[tokio::test]
    async fn a_missing_or_malformed_hash_verifies_nothing() {
        assert_eq!(
            verify_password("anything".into(), Some("not-a-hash".into()))
                .await
                .unwrap(),
            Verified::No
        );
        assert_eq!(
            verify_password("anything".into(), None).await.unwrap(),
            Verified::No
        );
    }

    #[tokio::test]
    async fn a_bcrypt_hash_from_the_previous_system_verifies_and_asks_for_a_rehash() {
        let legacy = bcrypt::hash("senha-antiga-123", 4).unwrap();
        assert_eq!(
            verify_password("senha-antiga-123".into(), Some(legacy.clone()))
                .await
                .unwrap(),
            Verified::YesRehash
        );
        assert_eq!(
            verify_password("senha-errada-123".into(), Some(legacy))
                .await
                .unwrap(),
            Verified::No
        );
    }

    #[test]
    fn the_dummy_hash_parses_with_the_real_parameters() {
        let parsed = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
    }

    #[test]
    fn new_passwords_need_length_and_must_not_be_common() {
        assert_eq!(
            check_new_password("curta", &[]),
            Err(PasswordRule::TooShort)
        );
        assert_eq!(
            check_new_password(&"x".repeat(129), &[]),
            Err(PasswordRule::TooLong)
        );
        for common in [
            "12345678",
            "password",
            "senha123",
            "qwertyuiop",
            "iloveyou1",
        ] {
            assert_eq!(
                check_new_password(common, &[]),
                Err(PasswordRule::TooCommon),
                "{common}"
            );
        }
        assert_eq!(
            check_new_password("ana.souza@acme.com.br", &["ana.souza@acme.com.br"]),
            Err(PasswordRule::TooCommon)
        );
        // No composition rules: a long passphrase of plain words is fine.
        assert_eq!(
            check_new_password("girafa caneca bicicleta nublado", &[]),
            Ok(())
        );
        assert_eq!(check_new_password("Tr0ub4dor&3xyz!", &[]), Ok(()));
    }
}
