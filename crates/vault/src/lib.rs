//! Seals the credentials of an integration (the JSON config of a CRM or AI provider: API keys,
//! OAuth refresh tokens) for the `integrations.encrypted_config` column, and opens them again.
//!
//! It is its own crate, with no Leptos, axum or database driver, because what it promises is
//! small and must hold everywhere it is used: the server's integration pages, the sync workers
//! and the key-rotation command all seal and open through the same [`Keyring`].
//!
//! # Stored format
//!
//! A sealed config is one ASCII string:
//!
//! ```text
//! v1:<key id>:<nonce>:<ciphertext>
//! ```
//!
//! - `v1` is the format version; anything else is refused as malformed.
//! - `<key id>` names the keyring key that sealed it (1 to 64 ASCII letters, digits, `-` or `_`),
//!   so opening needs no trial decryption and rotation can find the rows still under an old key.
//! - `<nonce>` is the 96-bit AES-GCM nonce, fresh from the operating system's RNG for every seal,
//!   in standard base64 with padding (16 characters).
//! - `<ciphertext>` is the AES-256-GCM ciphertext followed by its 16-byte tag, in standard base64
//!   with padding.
//!
//! The associated data, authenticated but not stored, binds the ciphertext to its row: a
//! context label, the version, the key id, the company id and the integration id, each prefixed
//! by its length as a big-endian `u64` so that no two different bindings share an encoding. A
//! ciphertext copied to another integration, or to another tenant, therefore fails to open, as
//! does one whose key id was relabelled.
//!
//! # Keys
//!
//! The keyring is configuration, never a default: a spec such as `k2026a:BASE64,k2025:BASE64`
//! (each key 32 bytes in standard base64, see [`Keyring::generate_key`]) and the id of the
//! active key, the one that seals. Rotating means adding a new key, making it active, running
//! [`Keyring::reseal`] over the rows for which [`Keyring::needs_reseal`] says so, and only then
//! dropping the old key from the spec.

mod error;
mod keyring;
mod sealed;

pub use error::VaultError;
pub use keyring::Keyring;
/// Plaintext returned by [`Keyring::open`] is wiped from memory when dropped.
pub use zeroize::Zeroizing;

/// The row a sealed config belongs to. It is part of the associated data, so text sealed for one
/// binding opens only for that same binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding<'a> {
    pub company_id: &'a str,
    pub integration_id: &'a str,
}
