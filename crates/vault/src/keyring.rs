//! The keys that seal and open integration configs: several, so that rotation can open what an
//! old key sealed while a new one seals, and exactly one active.
//!
//! Each key is held only as its AES-256-GCM cipher state, which the `zeroize` feature of
//! `aes-gcm` wipes on drop; the decoded key bytes live in a wiped buffer for just as long as it
//! takes to build it. Nothing here prints a key: `Debug` shows ids only.

use std::fmt;

use aes_gcm::{
    Aes256Gcm, KeyInit,
    aead::{AeadInOut, Generate, Nonce, common::getrandom},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde::{Serialize, de::DeserializeOwned};
use zeroize::Zeroizing;

use crate::{
    Binding, VaultError,
    sealed::{SealedText, TAG_LEN, associated_data, is_valid_key_id},
};

const KEY_LEN: usize = 32;

/// Cloning copies the cipher states; every copy is wiped when dropped.
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<SealingKey>,
    /// Index into `keys` of the key that seals.
    active: usize,
}

#[derive(Clone)]
struct SealingKey {
    id: String,
    cipher: Aes256Gcm,
}

impl Keyring {
    /// Builds a keyring from a spec of comma-separated `<key id>:<base64 key>` entries, such as
    /// `k2026a:BASE64,k2025:BASE64` (whitespace around entries is ignored), and the id of the key
    /// that seals.
    pub fn parse(spec: &str, active: &str) -> Result<Self, VaultError> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Err(VaultError::EmptyKeyring);
        }
        let entries = spec
            .split(',')
            .enumerate()
            .map(|(index, entry)| {
                entry
                    .trim()
                    .split_once(':')
                    .ok_or(VaultError::MalformedSpec { entry: index + 1 })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_keys(entries, active)
    }

    /// Builds a keyring from `(key id, base64 key)` pairs, for configuration that lists keys
    /// rather than packing them into one string. Entries are numbered from 1 in errors.
    pub fn from_keys<'a>(
        keys: impl IntoIterator<Item = (&'a str, &'a str)>,
        active: &str,
    ) -> Result<Self, VaultError> {
        let mut ring = Vec::new();
        for (index, (id, encoded)) in keys.into_iter().enumerate() {
            let key = SealingKey::decode(index + 1, id, encoded)?;
            if ring.iter().any(|known: &SealingKey| known.id == key.id) {
                return Err(VaultError::DuplicateKeyId { key_id: key.id });
            }
            ring.push(key);
        }
        if ring.is_empty() {
            return Err(VaultError::EmptyKeyring);
        }
        if !is_valid_key_id(active) {
            return Err(VaultError::InvalidActiveKeyId);
        }
        let active = ring
            .iter()
            .position(|key| key.id == active)
            .ok_or_else(|| VaultError::ActiveKeyMissing {
                key_id: active.to_owned(),
            })?;
        Ok(Self { keys: ring, active })
    }

    /// A fresh random key in the base64 form the spec takes, for a command that prints one.
    pub fn generate_key() -> Result<Zeroizing<String>, VaultError> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        getrandom::fill(key.as_mut_slice()).map_err(VaultError::Random)?;
        Ok(Zeroizing::new(STANDARD.encode(key.as_slice())))
    }

    pub fn active_key_id(&self) -> &str {
        &self.keys[self.active].id
    }

    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|key| key.id.as_str())
    }

    /// Seals `plaintext` under the active key with a fresh nonce, bound to `binding`.
    pub fn seal(&self, binding: &Binding<'_>, plaintext: &[u8]) -> Result<String, VaultError> {
        let key = &self.keys[self.active];
        let nonce = Nonce::<Aes256Gcm>::try_generate().map_err(VaultError::Random)?;
        // Room for the tag up front, so appending it cannot leave a copy of the plaintext behind
        // in a reallocated buffer.
        let mut buffer = Zeroizing::new(Vec::with_capacity(plaintext.len() + TAG_LEN));
        buffer.extend_from_slice(plaintext);
        key.cipher
            .encrypt_in_place(&nonce, &associated_data(&key.id, binding), &mut *buffer)
            .map_err(|_| VaultError::PlaintextTooLong)?;
        Ok(SealedText::format(&key.id, &nonce, &buffer))
    }

    /// Opens text sealed by any key of this keyring for this same `binding`.
    pub fn open(
        &self,
        binding: &Binding<'_>,
        sealed: &str,
    ) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        let SealedText {
            key_id,
            nonce,
            ciphertext: mut buffer,
        } = SealedText::parse(sealed)?;
        let key = self
            .keys
            .iter()
            .find(|key| key.id == key_id)
            .ok_or_else(|| VaultError::UnknownKeyId {
                key_id: key_id.to_owned(),
            })?;
        key.cipher
            .decrypt_in_place(&nonce, &associated_data(&key.id, binding), &mut *buffer)
            .map_err(|_| VaultError::AuthenticationFailed)?;
        Ok(buffer)
    }

    /// Whether `sealed` names a key other than the active one, and so should go through
    /// [`Keyring::reseal`]. A malformed text is an error rather than a `true` or `false`, so a
    /// rotation run reports it instead of skipping or rewriting it.
    pub fn needs_reseal(&self, sealed: &str) -> Result<bool, VaultError> {
        let parsed = SealedText::parse(sealed)?;
        Ok(parsed.key_id != self.active_key_id())
    }

    /// Opens `sealed` and seals its plaintext again under the active key, for the same
    /// `binding`, with a fresh nonce. It always re-seals; ask [`Keyring::needs_reseal`] first to
    /// avoid rewriting rows that are already current.
    pub fn reseal(&self, binding: &Binding<'_>, sealed: &str) -> Result<String, VaultError> {
        let plaintext = self.open(binding, sealed)?;
        self.seal(binding, &plaintext)
    }

    /// Seals `config` as JSON. The encoded JSON is wiped after sealing; serde_json may still
    /// leave copies in buffers it outgrew while encoding, so this is best effort.
    pub fn seal_json<T: Serialize + ?Sized>(
        &self,
        binding: &Binding<'_>,
        config: &T,
    ) -> Result<String, VaultError> {
        let plaintext =
            Zeroizing::new(serde_json::to_vec(config).map_err(|_| VaultError::ConfigNotEncodable)?);
        self.seal(binding, &plaintext)
    }

    /// Opens `sealed` and decodes it as JSON. The decoded value is the caller's to protect.
    pub fn open_json<T: DeserializeOwned>(
        &self,
        binding: &Binding<'_>,
        sealed: &str,
    ) -> Result<T, VaultError> {
        let plaintext = self.open(binding, sealed)?;
        // serde_json's own message may quote the secret it failed on, so only its position goes on.
        serde_json::from_slice(&plaintext).map_err(|error| VaultError::ConfigNotDecodable {
            line: error.line(),
            column: error.column(),
        })
    }
}

impl SealingKey {
    fn decode(entry: usize, id: &str, encoded: &str) -> Result<Self, VaultError> {
        if !is_valid_key_id(id) {
            return Err(VaultError::InvalidKeyId { entry });
        }
        let encoded = encoded.trim();
        // Decoded into a buffer sized up front and wiped on drop, on error paths too; base64's
        // error text is dropped because it quotes the offending byte of the key.
        let mut bytes = Zeroizing::new(Vec::with_capacity(base64::decoded_len_estimate(
            encoded.len(),
        )));
        STANDARD
            .decode_vec(encoded, &mut bytes)
            .map_err(|_| VaultError::KeyNotBase64 {
                key_id: id.to_owned(),
            })?;
        let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| VaultError::BadKeyLength {
            key_id: id.to_owned(),
            length: bytes.len(),
        })?;
        Ok(Self {
            id: id.to_owned(),
            cipher,
        })
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("active", &self.active_key_id())
            .field("keys", &self.keys)
            .finish()
    }
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealingKey")
            .field("id", &self.id)
            .field("key", &"[redacted]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;
    use serde_json::json;

    const ACME: Binding<'static> = Binding {
        company_id: "acme",
        integration_id: "hubspot-1",
    };
    const SECRET: &str = "pat-na1-7f3c9e1d-secret-refresh-token";

    /// A distinctive 32-byte key: every byte `byte`.
    fn key(byte: u8) -> String {
        STANDARD.encode([byte; KEY_LEN])
    }

    fn keyring(entries: &[(&str, u8)], active: &str) -> Keyring {
        let encoded: Vec<(&str, String)> = entries.iter().map(|&(id, b)| (id, key(b))).collect();
        Keyring::from_keys(encoded.iter().map(|(id, k)| (*id, k.as_str())), active).unwrap()
    }

    fn single() -> Keyring {
        keyring(&[("k2026a", 0xAB)], "k2026a")
    }

    /// Re-encodes `sealed` after changing its parts, to tamper with what the base64 hides.
    fn tampered(
        sealed: &str,
        change: impl FnOnce(&mut String, &mut Vec<u8>, &mut Vec<u8>),
    ) -> String {
        let parts: Vec<&str> = sealed.split(':').collect();
        let mut key_id = parts[1].to_owned();
        let mut nonce = STANDARD.decode(parts[2]).unwrap();
        let mut ciphertext = STANDARD.decode(parts[3]).unwrap();
        change(&mut key_id, &mut nonce, &mut ciphertext);
        format!(
            "v1:{key_id}:{}:{}",
            STANDARD.encode(nonce),
            STANDARD.encode(ciphertext)
        )
    }

    #[test]
    fn sealed_config_opens_to_the_same_bytes() {
        let ring = single();
        let sealed = ring.seal(&ACME, SECRET.as_bytes()).unwrap();
        assert_eq!(
            ring.open(&ACME, &sealed).unwrap().as_slice(),
            SECRET.as_bytes()
        );
    }

    #[test]
    fn an_empty_config_round_trips() {
        let ring = single();
        let sealed = ring.seal(&ACME, b"").unwrap();
        assert!(ring.open(&ACME, &sealed).unwrap().is_empty());
    }

    #[test]
    fn sealed_text_is_ascii_in_the_documented_shape_and_hides_the_plaintext() {
        let sealed = single().seal(&ACME, SECRET.as_bytes()).unwrap();
        let parts: Vec<&str> = sealed.split(':').collect();
        assert_eq!(parts.len(), 4, "{sealed}");
        assert_eq!(parts[0], "v1");
        assert_eq!(parts[1], "k2026a");
        assert_eq!(STANDARD.decode(parts[2]).unwrap().len(), 12);
        assert_eq!(STANDARD.decode(parts[3]).unwrap().len(), SECRET.len() + 16);
        assert!(sealed.is_ascii());
        assert!(!sealed.contains("secret"));
    }

    #[test]
    fn sealing_the_same_config_twice_gives_different_texts_and_nonces() {
        let ring = single();
        let first = ring.seal(&ACME, SECRET.as_bytes()).unwrap();
        let second = ring.seal(&ACME, SECRET.as_bytes()).unwrap();
        assert_ne!(first, second);
        assert_ne!(first.split(':').nth(2), second.split(':').nth(2));
        assert_eq!(
            ring.open(&ACME, &first).unwrap(),
            ring.open(&ACME, &second).unwrap()
        );
    }

    #[test]
    fn config_copied_to_another_company_does_not_open() {
        let ring = single();
        let sealed = ring.seal(&ACME, SECRET.as_bytes()).unwrap();
        let other_tenant = Binding {
            company_id: "globex",
            ..ACME
        };
        assert_eq!(
            ring.open(&other_tenant, &sealed),
            Err(VaultError::AuthenticationFailed)
        );
    }

    #[test]
    fn config_copied_to_another_integration_of_the_same_company_does_not_open() {
        let ring = single();
        let sealed = ring.seal(&ACME, SECRET.as_bytes()).unwrap();
        let other_row = Binding {
            integration_id: "hubspot-2",
            ..ACME
        };
        assert_eq!(
            ring.open(&other_row, &sealed),
            Err(VaultError::AuthenticationFailed)
        );
    }

    #[test]
    fn moving_characters_between_company_and_integration_ids_does_not_open() {
        let ring = single();
        let sealed = ring
            .seal(
                &Binding {
                    company_id: "ab",
                    integration_id: "c",
                },
                SECRET.as_bytes(),
            )
            .unwrap();
        let shifted = Binding {
            company_id: "a",
            integration_id: "bc",
        };
        assert_eq!(
            ring.open(&shifted, &sealed),
            Err(VaultError::AuthenticationFailed)
        );
    }

    #[test]
    fn flipping_any_bit_of_the_ciphertext_or_tag_fails_authentication() {
        let ring = single();
        let sealed = ring.seal(&ACME, SECRET.as_bytes()).unwrap();
        for index in 0..SECRET.len() + 16 {
            for bit in [0x01, 0x80] {
                let forged = tampered(&sealed, |_, _, ciphertext| ciphertext[index] ^= bit);
                assert_eq!(
                    ring.open(&ACME, &forged),
                    Err(VaultError::AuthenticationFailed),
                    "byte {index}"
                );
            }
        }
    }

    #[test]
    fn truncated_or_extended_ciphertext_fails_authentication() {
        let ring = single();
        let sealed = ring.seal(&ACME, SECRET.as_bytes()).unwrap();
        let truncated = tampered(&sealed, |_, _, ciphertext| {
            ciphertext.pop();
        });
        let extended = tampered(&sealed, |_, _, ciphertext| ciphertext.push(0));
        assert_eq!(
            ring.open(&ACME, &truncated),
            Err(VaultError::AuthenticationFailed)
        );
        assert_eq!(
            ring.open(&ACME, &extended),
            Err(VaultError::AuthenticationFailed)
        );
    }

    #[test]
    fn a_changed_nonce_fails_authentication() {
        let ring = single();
        let sealed = ring.seal(&ACME, SECRET.as_bytes()).unwrap();
        for index in 0..12 {
            let forged = tampered(&sealed, |_, nonce, _| nonce[index] ^= 1);
            assert_eq!(
                ring.open(&ACME, &forged),
                Err(VaultError::AuthenticationFailed),
                "byte {index}"
            );
        }
    }

    #[test]
    fn relabelling_the_key_id_fails_even_when_the_named_key_exists() {
        let ring = keyring(&[("k2026a", 0xAB), ("k2025", 0xCD)], "k2026a");
        let sealed = ring.seal(&ACME, SECRET.as_bytes()).unwrap();
        let relabelled = tampered(&sealed, |key_id, _, _| *key_id = "k2025".to_owned());
        assert_eq!(
            ring.open(&ACME, &relabelled),
            Err(VaultError::AuthenticationFailed)
        );
    }

    #[test]
    fn text_sealed_under_a_key_the_keyring_lacks_reports_that_key() {
        let old = keyring(&[("k2024", 0x11)], "k2024");
        let sealed = old.seal(&ACME, SECRET.as_bytes()).unwrap();
        assert_eq!(
            single().open(&ACME, &sealed),
            Err(VaultError::UnknownKeyId {
                key_id: "k2024".to_owned()
            })
        );
    }

    #[test]
    fn another_key_under_the_same_id_fails_authentication() {
        let sealed = single().seal(&ACME, SECRET.as_bytes()).unwrap();
        let impostor = keyring(&[("k2026a", 0x00)], "k2026a");
        assert_eq!(
            impostor.open(&ACME, &sealed),
            Err(VaultError::AuthenticationFailed)
        );
    }

    #[test]
    fn malformed_text_is_refused_before_any_key_is_tried() {
        let ring = single();
        for sealed in [
            "",
            "plain text",
            "v1:nonce:ciphertext",
            "v2:k2026a:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==",
        ] {
            assert!(
                matches!(
                    ring.open(&ACME, sealed),
                    Err(VaultError::MalformedSealed { .. })
                ),
                "{sealed:?}"
            );
        }
    }

    #[test]
    fn rotation_moves_a_config_to_the_new_key_and_the_old_key_can_then_go() {
        let before = keyring(&[("k2025", 0x25)], "k2025");
        let sealed_before = before.seal(&ACME, SECRET.as_bytes()).unwrap();

        let during = keyring(&[("k2026a", 0xAB), ("k2025", 0x25)], "k2026a");
        assert_eq!(
            during.open(&ACME, &sealed_before).unwrap().as_slice(),
            SECRET.as_bytes()
        );
        assert_eq!(during.needs_reseal(&sealed_before), Ok(true));

        let resealed = during.reseal(&ACME, &sealed_before).unwrap();
        assert!(resealed.starts_with("v1:k2026a:"), "{resealed}");
        assert_eq!(during.needs_reseal(&resealed), Ok(false));

        let after = single();
        assert_eq!(
            after.open(&ACME, &resealed).unwrap().as_slice(),
            SECRET.as_bytes()
        );
        assert_eq!(
            after.open(&ACME, &sealed_before),
            Err(VaultError::UnknownKeyId {
                key_id: "k2025".to_owned()
            })
        );
    }

    #[test]
    fn resealing_keeps_the_binding() {
        let during = keyring(&[("k2026a", 0xAB), ("k2025", 0x25)], "k2025");
        let sealed = during.seal(&ACME, SECRET.as_bytes()).unwrap();
        let rotated = keyring(&[("k2026a", 0xAB), ("k2025", 0x25)], "k2026a");
        let resealed = rotated.reseal(&ACME, &sealed).unwrap();
        let other_tenant = Binding {
            company_id: "globex",
            ..ACME
        };
        assert_eq!(
            rotated.open(&other_tenant, &resealed),
            Err(VaultError::AuthenticationFailed)
        );
        assert_eq!(
            rotated.reseal(&other_tenant, &sealed),
            Err(VaultError::AuthenticationFailed)
        );
    }

    #[test]
    fn needs_reseal_reports_malformed_text_instead_of_guessing() {
        assert!(matches!(
            single().needs_reseal("v1:nonce:ciphertext"),
            Err(VaultError::MalformedSealed { .. })
        ));
    }

    #[test]
    fn a_spec_string_gives_the_same_keyring_as_a_list() {
        let spec = format!(" k2026a:{},\n k2025:{} ", key(0xAB), key(0x25));
        let parsed = Keyring::parse(&spec, "k2026a").unwrap();
        assert_eq!(parsed.active_key_id(), "k2026a");
        assert_eq!(parsed.key_ids().collect::<Vec<_>>(), ["k2026a", "k2025"]);

        let listed = keyring(&[("k2026a", 0xAB), ("k2025", 0x25)], "k2026a");
        let sealed = listed.seal(&ACME, SECRET.as_bytes()).unwrap();
        assert_eq!(
            parsed.open(&ACME, &sealed).unwrap().as_slice(),
            SECRET.as_bytes()
        );
    }

    #[test]
    fn keys_that_are_not_32_bytes_are_refused_with_their_length() {
        for length in [0, 16, 31, 33, 64] {
            let spec = format!("k1:{}", STANDARD.encode(vec![7u8; length]));
            assert_eq!(
                Keyring::parse(&spec, "k1").unwrap_err(),
                VaultError::BadKeyLength {
                    key_id: "k1".to_owned(),
                    length
                }
            );
        }
    }

    #[test]
    fn keys_that_are_not_standard_base64_are_refused() {
        let url_safe = "-".repeat(43) + "=";
        for encoded in ["not base64!", url_safe.as_str(), &key(1)[..43]] {
            assert_eq!(
                Keyring::parse(&format!("k1:{encoded}"), "k1").unwrap_err(),
                VaultError::KeyNotBase64 {
                    key_id: "k1".to_owned()
                },
                "{encoded:?}"
            );
        }
    }

    #[test]
    fn malformed_specs_are_refused_with_the_entry_at_fault() {
        let good = format!("k1:{}", key(1));
        assert_eq!(
            Keyring::parse("", "k1").unwrap_err(),
            VaultError::EmptyKeyring
        );
        assert_eq!(
            Keyring::parse("  \n", "k1").unwrap_err(),
            VaultError::EmptyKeyring
        );
        assert_eq!(
            Keyring::parse(&key(1), "k1").unwrap_err(),
            VaultError::MalformedSpec { entry: 1 }
        );
        assert_eq!(
            Keyring::parse(&format!("{good},"), "k1").unwrap_err(),
            VaultError::MalformedSpec { entry: 2 }
        );
        assert_eq!(
            Keyring::parse(&format!("{good},k2"), "k1").unwrap_err(),
            VaultError::MalformedSpec { entry: 2 }
        );
        assert_eq!(
            Keyring::parse(&format!("{good},k 2:{}", key(2)), "k1").unwrap_err(),
            VaultError::InvalidKeyId { entry: 2 }
        );
        assert_eq!(
            Keyring::parse(&format!(":{}", key(2)), "k1").unwrap_err(),
            VaultError::InvalidKeyId { entry: 1 }
        );
    }

    #[test]
    fn a_key_id_may_appear_only_once() {
        let spec = format!("k1:{},k1:{}", key(1), key(2));
        assert_eq!(
            Keyring::parse(&spec, "k1").unwrap_err(),
            VaultError::DuplicateKeyId {
                key_id: "k1".to_owned()
            }
        );
    }

    #[test]
    fn the_active_key_must_be_in_the_keyring() {
        let spec = format!("k1:{}", key(1));
        assert_eq!(
            Keyring::parse(&spec, "k2").unwrap_err(),
            VaultError::ActiveKeyMissing {
                key_id: "k2".to_owned()
            }
        );
        assert_eq!(
            Keyring::parse(&spec, "").unwrap_err(),
            VaultError::InvalidActiveKeyId
        );
    }

    #[test]
    fn an_empty_list_is_refused() {
        assert_eq!(
            Keyring::from_keys([], "k1").unwrap_err(),
            VaultError::EmptyKeyring
        );
    }

    #[test]
    fn debug_shows_key_ids_but_never_key_bytes() {
        let ring = keyring(&[("k2026a", 0xAB), ("k2025", 0xCD)], "k2026a");
        for shown in [format!("{ring:?}"), format!("{ring:#?}")] {
            assert!(
                shown.contains("k2026a") && shown.contains("k2025"),
                "{shown}"
            );
            for leak in [
                key(0xAB),
                key(0xCD),
                "171".to_owned(),
                "205".to_owned(),
                "ab, ab".to_owned(),
                "AB".to_owned(),
            ] {
                assert!(!shown.contains(&leak), "{leak} in {shown}");
            }
            assert!(shown.contains("[redacted]"), "{shown}");
        }
    }

    #[test]
    fn error_messages_never_quote_keys_or_plaintext() {
        let ring = single();
        let sealed = ring.seal(&ACME, SECRET.as_bytes()).unwrap();
        let wrong_row = Binding {
            company_id: "globex",
            ..ACME
        };
        #[derive(Debug, Deserialize)]
        struct NumericToken {
            #[allow(dead_code, reason = "only its failure to decode matters")]
            token: u64,
        }
        let as_json = ring.seal_json(&ACME, &json!({ "token": SECRET })).unwrap();
        let bad_key = format!("k1:{}!", &key(0xAB)[..40]);

        let errors = [
            ring.open(&wrong_row, &sealed).unwrap_err(),
            ring.open_json::<NumericToken>(&ACME, &as_json).unwrap_err(),
            Keyring::parse(&bad_key, "k1").unwrap_err(),
            Keyring::parse(&format!("k1:{}", &key(0xAB)[..40]), "k1").unwrap_err(),
            Keyring::parse(&key(0xAB), "k1").unwrap_err(),
            Keyring::parse(&format!("k1:{}", key(0xAB)), &key(0xAB)).unwrap_err(),
        ];
        assert!(matches!(errors[1], VaultError::ConfigNotDecodable { .. }));
        for error in errors {
            for shown in [error.to_string(), format!("{error:?}")] {
                assert!(!shown.contains("secret"), "{shown}");
                assert!(!shown.contains(&key(0xAB)[..8]), "{shown}");
            }
        }
    }

    #[test]
    fn generated_keys_are_fresh_32_byte_keys_the_keyring_accepts() {
        let first = Keyring::generate_key().unwrap();
        let second = Keyring::generate_key().unwrap();
        assert_ne!(*first, *second);
        assert_eq!(STANDARD.decode(first.as_str()).unwrap().len(), KEY_LEN);
        let ring = Keyring::parse(&format!("new:{}", first.as_str()), "new").unwrap();
        let sealed = ring.seal(&ACME, SECRET.as_bytes()).unwrap();
        assert_eq!(
            ring.open(&ACME, &sealed).unwrap().as_slice(),
            SECRET.as_bytes()
        );
    }

    #[test]
    fn json_configs_round_trip_as_values_and_as_types() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct HubSpotConfig {
            refresh_token: String,
            portal_id: u64,
        }
        let ring = single();
        let config = HubSpotConfig {
            refresh_token: SECRET.to_owned(),
            portal_id: 4_242,
        };
        let sealed = ring.seal_json(&ACME, &config).unwrap();
        assert_eq!(
            ring.open_json::<HubSpotConfig>(&ACME, &sealed).unwrap(),
            config
        );
        assert_eq!(
            ring.open_json::<serde_json::Value>(&ACME, &sealed).unwrap(),
            json!({ "refresh_token": SECRET, "portal_id": 4_242 })
        );
    }

    #[test]
    fn cipher_state_is_wiped_on_drop() {
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wiped_on_drop::<Aes256Gcm>();
        wiped_on_drop::<Zeroizing<Vec<u8>>>();
    }

    proptest! {
        #[test]
        fn any_config_round_trips_for_any_binding(
            plaintext in proptest::collection::vec(any::<u8>(), 0..512),
            company_id in "\\PC{0,24}",
            integration_id in "\\PC{0,24}",
        ) {
            let ring = single();
            let binding = Binding { company_id: &company_id, integration_id: &integration_id };
            let sealed = ring.seal(&binding, &plaintext).unwrap();
            prop_assert!(sealed.is_ascii());
            let opened = ring.open(&binding, &sealed).unwrap();
            prop_assert_eq!(opened.as_slice(), plaintext.as_slice());
        }

        #[test]
        fn any_other_binding_fails_to_open(
            plaintext in proptest::collection::vec(any::<u8>(), 0..64),
            sealed_for in ("[a-z0-9-]{0,8}", "[a-z0-9-]{0,8}"),
            opened_for in ("[a-z0-9-]{0,8}", "[a-z0-9-]{0,8}"),
        ) {
            prop_assume!(sealed_for != opened_for);
            let ring = single();
            let sealed = ring
                .seal(&Binding { company_id: &sealed_for.0, integration_id: &sealed_for.1 }, &plaintext)
                .unwrap();
            let opened = ring.open(&Binding { company_id: &opened_for.0, integration_id: &opened_for.1 }, &sealed);
            prop_assert_eq!(opened, Err(VaultError::AuthenticationFailed));
        }
    }
}
