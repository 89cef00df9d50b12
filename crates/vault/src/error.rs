//! What can go wrong in configuring a keyring, sealing and opening.
//!
//! Messages end up in logs and in the output of server commands, so none of them carries key
//! material, plaintext, or the text of an underlying base64 or JSON error (those quote the
//! offending input). Key ids are echoed only once validated: a valid id cannot be a pasted key,
//! since a 32-byte key in padded base64 always ends with `=`.

use aes_gcm::aead::common::getrandom;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("the keyring holds no key")]
    EmptyKeyring,
    #[error("keyring entry {entry} is malformed: expected `<key id>:<base64 key>`")]
    MalformedSpec { entry: usize },
    #[error(
        "keyring entry {entry} has an invalid key id: use 1 to 64 ASCII letters, digits, `-` or `_`"
    )]
    InvalidKeyId { entry: usize },
    #[error("the active key id is invalid: use 1 to 64 ASCII letters, digits, `-` or `_`")]
    InvalidActiveKeyId,
    #[error("key `{key_id}` appears more than once in the keyring")]
    DuplicateKeyId { key_id: String },
    #[error("key `{key_id}` is not valid standard base64")]
    KeyNotBase64 { key_id: String },
    #[error("key `{key_id}` is {length} bytes long; AES-256 needs exactly 32")]
    BadKeyLength { key_id: String, length: usize },
    #[error("the active key `{key_id}` is not in the keyring")]
    ActiveKeyMissing { key_id: String },
    #[error("the sealed text names key `{key_id}`, which this keyring does not hold")]
    UnknownKeyId { key_id: String },
    #[error("the sealed text is malformed: {reason}")]
    MalformedSealed { reason: &'static str },
    #[error(
        "the sealed text failed authentication: wrong key, another company or integration, or tampered"
    )]
    AuthenticationFailed,
    #[error("the plaintext is too long to seal")]
    PlaintextTooLong,
    #[error("the operating system's random number generator failed")]
    Random(#[source] getrandom::Error),
    #[error("the config could not be encoded as JSON")]
    ConfigNotEncodable,
    #[error("the opened config is not the expected JSON (line {line}, column {column})")]
    ConfigNotDecodable { line: usize, column: usize },
}
