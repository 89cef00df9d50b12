//! The stored text `v1:<key id>:<nonce>:<ciphertext>` and the associated data that binds it to
//! its row (the crate documentation describes both). Kept apart from the keyring so the format
//! can be read, and changed to a `v2`, in one place.

use aes_gcm::{Aes256Gcm, aead::Nonce};
use base64::{Engine, engine::general_purpose::STANDARD};
use zeroize::Zeroizing;

use crate::{Binding, VaultError};

const VERSION: &str = "v1";
pub(crate) const TAG_LEN: usize = 16;
const MAX_KEY_ID_LEN: usize = 64;
/// Separates this use of a key from any other the keyring might be put to later.
const CONTEXT: &str = "performancy/integrations.encrypted_config";

/// A sealed text taken apart; the ciphertext includes its tag.
pub(crate) struct SealedText<'a> {
    pub key_id: &'a str,
    pub nonce: Nonce<Aes256Gcm>,
    /// Wiped on drop because it is decrypted in place into the plaintext.
    pub ciphertext: Zeroizing<Vec<u8>>,
}

impl<'a> SealedText<'a> {
    pub fn parse(sealed: &'a str) -> Result<Self, VaultError> {
        let malformed = |reason| VaultError::MalformedSealed { reason };
        let mut parts = sealed.split(':');
        let (Some(version), Some(key_id), Some(nonce), Some(ciphertext), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(malformed("expected `v1:<key id>:<nonce>:<ciphertext>`"));
        };
        if version != VERSION {
            return Err(malformed("unsupported format version"));
        }
        if !is_valid_key_id(key_id) {
            return Err(malformed("invalid key id"));
        }
        let nonce = STANDARD
            .decode(nonce)
            .ok()
            .and_then(|bytes| Nonce::<Aes256Gcm>::try_from(bytes.as_slice()).ok())
            .ok_or(malformed("the nonce is not 12 bytes of standard base64"))?;
        let mut decoded = Zeroizing::new(Vec::with_capacity(base64::decoded_len_estimate(
            ciphertext.len(),
        )));
        STANDARD
            .decode_vec(ciphertext, &mut decoded)
            .map_err(|_| malformed("the ciphertext is not standard base64"))?;
        if decoded.len() < TAG_LEN {
            return Err(malformed("the ciphertext is shorter than its tag"));
        }
        Ok(Self {
            key_id,
            nonce,
            ciphertext: decoded,
        })
    }

    pub fn format(key_id: &str, nonce: &Nonce<Aes256Gcm>, ciphertext: &[u8]) -> String {
        format!(
            "{VERSION}:{key_id}:{}:{}",
            STANDARD.encode(nonce),
            STANDARD.encode(ciphertext)
        )
    }
}

/// Key ids are stored in the clear inside the sealed text, so they must not contain its `:`
/// separator, nor the `,` of the keyring spec.
pub(crate) fn is_valid_key_id(key_id: &str) -> bool {
    (1..=MAX_KEY_ID_LEN).contains(&key_id.len())
        && key_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Length-prefixed, so that `("ab", "c")` and `("a", "bc")` bind differently.
pub(crate) fn associated_data(key_id: &str, binding: &Binding<'_>) -> Vec<u8> {
    let parts = [
        CONTEXT,
        VERSION,
        key_id,
        binding.company_id,
        binding.integration_id,
    ];
    let mut aad = Vec::with_capacity(parts.iter().map(|part| 8 + part.len()).sum());
    for part in parts {
        aad.extend_from_slice(&(part.len() as u64).to_be_bytes());
        aad.extend_from_slice(part.as_bytes());
    }
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONCE: &str = "AAAAAAAAAAAAAAAA";
    const CIPHERTEXT: &str = "AAAAAAAAAAAAAAAAAAAAAA==";

    fn reason(sealed: &str) -> &'static str {
        match SealedText::parse(sealed) {
            Err(VaultError::MalformedSealed { reason }) => reason,
            Err(other) => panic!("{sealed:?} gave {other:?}"),
            Ok(_) => panic!("{sealed:?} was accepted"),
        }
    }

    #[test]
    fn a_well_formed_text_is_taken_apart() {
        let sealed = format!("v1:k2026a:{NONCE}:{CIPHERTEXT}");
        let parsed = SealedText::parse(&sealed).unwrap();
        assert_eq!(parsed.key_id, "k2026a");
        assert_eq!(parsed.nonce.as_slice(), [0; 12]);
        assert_eq!(parsed.ciphertext.as_slice(), [0; 16]);
    }

    #[test]
    fn texts_of_the_wrong_shape_are_malformed() {
        for sealed in [
            "",
            "v1",
            "v1:k1",
            &format!("v1:k1:{NONCE}"),
            &format!("v1:k1:{NONCE}:{CIPHERTEXT}:extra"),
            "v1:nonce:ciphertext",
        ] {
            assert!(reason(sealed).starts_with("expected"), "{sealed:?}");
        }
    }

    #[test]
    fn another_version_is_malformed() {
        assert_eq!(
            reason(&format!("v2:k1:{NONCE}:{CIPHERTEXT}")),
            "unsupported format version"
        );
    }

    #[test]
    fn an_empty_or_odd_key_id_is_malformed() {
        for key_id in ["", "k 1", "k.1", "ключ", &"k".repeat(65)] {
            assert_eq!(
                reason(&format!("v1:{key_id}:{NONCE}:{CIPHERTEXT}")),
                "invalid key id",
                "{key_id:?}"
            );
        }
    }

    #[test]
    fn a_nonce_of_the_wrong_length_or_alphabet_is_malformed() {
        for nonce in [
            "",
            "AAAA",
            "AAAAAAAAAAAAAAAAAAAA",
            "AAAAAAAAAAAAAAA!",
            "AAAAAAAAAAAAAAA",
        ] {
            assert!(
                reason(&format!("v1:k1:{nonce}:{CIPHERTEXT}")).starts_with("the nonce"),
                "{nonce:?}"
            );
        }
    }

    #[test]
    fn a_ciphertext_that_is_not_base64_or_shorter_than_a_tag_is_malformed() {
        assert_eq!(
            reason(&format!("v1:k1:{NONCE}:AAA*")),
            "the ciphertext is not standard base64"
        );
        assert_eq!(
            reason(&format!("v1:k1:{NONCE}:AAAA")),
            "the ciphertext is shorter than its tag"
        );
        assert_eq!(
            reason(&format!("v1:k1:{NONCE}:")),
            "the ciphertext is shorter than its tag"
        );
    }

    #[test]
    fn formatting_then_parsing_gives_the_same_parts() {
        let nonce = Nonce::<Aes256Gcm>::from([7; 12]);
        let text = SealedText::format("k2025", &nonce, &[9; 20]);
        let parsed = SealedText::parse(&text).unwrap();
        assert_eq!(parsed.key_id, "k2025");
        assert_eq!(parsed.nonce, nonce);
        assert_eq!(parsed.ciphertext.as_slice(), [9; 20]);
        assert!(text.is_ascii());
    }

    #[test]
    fn shifting_characters_between_company_and_integration_changes_the_binding() {
        let split_one_way = Binding {
            company_id: "ab",
            integration_id: "c",
        };
        let split_the_other = Binding {
            company_id: "a",
            integration_id: "bc",
        };
        assert_ne!(
            associated_data("k1", &split_one_way),
            associated_data("k1", &split_the_other)
        );
    }
}
