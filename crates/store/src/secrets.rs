//! Webhook secrets at rest. The server must sign with them, so they cannot be kept as
//! hashes; with a [`SecretsKey`] (given to the store when it opens, from the environment)
//! each is sealed with XChaCha20-Poly1305 under a random nonce before it is written, and
//! opened when read. Without a key they are kept in clear, as before; a secret written in
//! clear is still read once a key is given (it is sealed at its next rotation).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use claims_domain::InvalidValue;

use crate::StoreError;
use crate::stored::corrupt;

/// What a sealed secret starts with, as stored.
const SEALED: &str = "sealed:v1:";

/// The key webhook secrets are sealed with: 32 bytes, given as base64. Its `Debug` form
/// hides it.
#[derive(Clone)]
pub struct SecretsKey(Key);

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsKey(..)")
    }
}

impl SecretsKey {
    /// Reads a key written as base64 (standard alphabet, padded): 32 random bytes, as
    /// `head -c 32 /dev/urandom | base64` makes.
    pub fn parse(field: &str, text: &str) -> Result<Self, InvalidValue> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| InvalidValue::new(field, "is not base64"))?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|bytes: Vec<u8>| {
            InvalidValue::new(
                field,
                format!(
                    "holds {} bytes; a key is 32 (head -c 32 /dev/urandom | base64)",
                    bytes.len()
                ),
            )
        })?;
        Ok(SecretsKey(Key::from(bytes)))
    }

    fn seal(&self, secret: &str) -> String {
        let cipher = XChaCha20Poly1305::new(&self.0);
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = cipher
            .encrypt(&nonce, secret.as_bytes())
            .expect("sealing a short secret cannot fail");
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!("{SEALED}{}", STANDARD.encode(bytes))
    }

    fn open(&self, stored: &str) -> Result<String, StoreError> {
        let bytes = STANDARD
            .decode(stored)
            .map_err(|_| corrupt("a sealed secret that is not base64"))?;
        if bytes.len() < 24 {
            return Err(corrupt("a sealed secret too short to hold its nonce"));
        }
        let (nonce, sealed) = bytes.split_at(24);
        let opened = XChaCha20Poly1305::new(&self.0)
            .decrypt(XNonce::from_slice(nonce), sealed)
            .map_err(|_| {
                StoreError::internal(
                    "a webhook secret does not open with the configured secrets key \
                     (SSG_CLAIMS_SECRETS_KEY): it was sealed with another one",
                )
            })?;
        String::from_utf8(opened).map_err(|_| corrupt("a sealed secret that is not text"))
    }
}

/// A secret as it is stored: sealed with `key` when there is one, in clear otherwise.
pub(crate) fn keep(key: Option<&SecretsKey>, secret: &str) -> String {
    match key {
        Some(key) => key.seal(secret),
        None => secret.to_owned(),
    }
}

/// A secret as it was stored, opened: sealed ones need the key they were sealed with.
pub(crate) fn read(key: Option<&SecretsKey>, stored: &str) -> Result<String, StoreError> {
    match (stored.strip_prefix(SEALED), key) {
        (None, _) => Ok(stored.to_owned()),
        (Some(sealed), Some(key)) => key.open(sealed),
        (Some(_), None) => Err(StoreError::internal(
            "webhook secrets are sealed, and no secrets key is configured: set \
             SSG_CLAIMS_SECRETS_KEY to the key they were sealed with",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    #[test]
    fn secrets_seal_under_a_fresh_nonce_and_open_with_their_key_only() {
        let key = SecretsKey::parse("key", KEY).unwrap();
        let kept = keep(Some(&key), "whsec_c2VjcmV0");
        assert!(kept.starts_with(SEALED), "{kept}");
        assert!(!kept.contains("c2VjcmV0"));
        assert_ne!(kept, keep(Some(&key), "whsec_c2VjcmV0"), "a fresh nonce");
        assert_eq!(read(Some(&key), &kept).unwrap(), "whsec_c2VjcmV0");
        // In clear without a key; a clear one is read with or without.
        assert_eq!(keep(None, "whsec_x"), "whsec_x");
        assert_eq!(read(Some(&key), "whsec_x").unwrap(), "whsec_x");
        // Another key, or none, cannot open it.
        let other = SecretsKey::parse("key", &STANDARD.encode([7u8; 32])).unwrap();
        assert!(read(Some(&other), &kept).is_err());
        assert!(read(None, &kept).is_err());
        assert_eq!(format!("{key:?}"), "SecretsKey(..)");
    }

    #[test]
    fn a_key_is_32_bytes_of_base64() {
        assert!(SecretsKey::parse("key", "not base64!").is_err());
        let short = SecretsKey::parse("key", &STANDARD.encode([1u8; 16])).unwrap_err();
        assert!(short.to_string().contains("16 bytes"), "{short}");
    }
}
