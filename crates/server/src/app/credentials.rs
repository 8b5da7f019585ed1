//! Issuing and checking credentials.
//!
//! A vendor API key is a random UUID (122 random bits); a platform token is `sct_` and 64 hex
//! digits (256 random bits). Both are shown once and stored only as their SHA-256. A request's
//! credential is hashed and looked up by hash, so the comparison never touches a stored
//! secret and its timing depends only on the hash, which an attacker cannot steer.

use std::fmt;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use claims_domain::{KstDateTime, Scope, Text};
use claims_store::{
    ApiKeyInfo, KeyId, NewApiKey, NewToken, Role, SecretHash, Store, StoreError, TokenId, TokenInfo,
};
use sha2::{Digest, Sha256};

/// The longest credential looked at. Keys are 36 characters and tokens 68; anything
/// longer is neither, and is refused without being hashed or looked up.
pub const MAX_CREDENTIAL_LEN: usize = 200;

/// Why a request carries no usable credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    /// No `Authorization` header, or nothing in it.
    Missing,
    /// A value that is not visible ASCII text.
    NotText,
    /// Longer than [`MAX_CREDENTIAL_LEN`].
    TooLong,
}

/// The credential in `Authorization`: sent raw, as SSG's vendors send their key, or after
/// `Bearer`; surrounding spaces ignored. The one reading of the header that the vendor API,
/// the platform API and the rate limiter share.
pub fn presented(headers: &HeaderMap) -> Result<&str, Unusable> {
    let value = headers
        .get(AUTHORIZATION)
        .ok_or(Unusable::Missing)?
        .to_str()
        .map_err(|_| Unusable::NotText)?
        .trim();
    let credential = match value.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ => value,
    };
    if credential.is_empty() {
        Err(Unusable::Missing)
    } else if credential.len() > MAX_CREDENTIAL_LEN {
        Err(Unusable::TooLong)
    } else {
        Ok(credential)
    }
}

/// A credential in clear, as shown once to its owner. Its `Debug` form hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The credential itself, for showing it to its owner exactly once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> SecretHash {
        hash_secret(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// The hash under which a credential is stored. API keys are UUIDs, which clients may send
/// in either case, so they are hashed in lower case.
pub fn hash_secret(secret: &str) -> SecretHash {
    let digest = Sha256::digest(secret.trim().to_ascii_lowercase().as_bytes());
    SecretHash(digest.into())
}

/// A new random API key and a new random id for it.
pub fn new_api_key() -> (KeyId, Secret) {
    let key = uuid::Uuid::new_v4().hyphenated().to_string();
    (KeyId::from_random(rand::random()), Secret(key))
}

/// How every platform token begins, which tells it apart from a vendor API key.
pub const TOKEN_PREFIX: &str = "sct_";

/// A new random platform token and a new random id for it.
pub fn new_token() -> (TokenId, Secret) {
    let bytes: [u8; 32] = rand::random();
    let mut token = String::from(TOKEN_PREFIX);
    for byte in bytes {
        token.push_str(&format!("{byte:02x}"));
    }
    (TokenId::from_random(rand::random()), Secret(token))
}

/// Issues a platform token with `role`: stores its hash and returns the token, to be shown
/// once.
pub async fn issue_token(
    store: &dyn Store,
    role: Role,
    label: Text,
    now: KstDateTime,
) -> Result<(TokenInfo, Secret), StoreError> {
    let (id, secret) = new_token();
    let info = store
        .add_token(
            NewToken {
                id,
                hash: secret.hash(),
                role,
                label,
            },
            now,
        )
        .await?;
    Ok((info, secret))
}

/// Issues a key for `scope`: stores its hash and returns the key, to be shown once.
pub async fn issue_api_key(
    store: &dyn Store,
    scope: Scope,
    now: KstDateTime,
) -> Result<(ApiKeyInfo, Secret), StoreError> {
    let (id, secret) = new_api_key();
    let info = store
        .add_api_key(
            NewApiKey {
                id,
                hash: secret.hash(),
                scope,
            },
            now,
        )
        .await?;
    Ok((info, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_uuids_hashed_case_insensitively() {
        let (id, key) = new_api_key();
        let (other_id, other_key) = new_api_key();
        assert_ne!(id, other_id);
        assert_ne!(key, other_key);
        assert_eq!(key.expose().len(), 36);
        assert!(uuid::Uuid::parse_str(key.expose()).is_ok());
        assert_eq!(hash_secret(&key.expose().to_uppercase()), key.hash());
        assert_ne!(other_key.hash(), key.hash());
    }

    #[test]
    fn tokens_are_long_random_and_marked() {
        let (id, token) = new_token();
        let (other_id, other) = new_token();
        assert_ne!(id, other_id);
        assert_ne!(token, other);
        assert!(token.expose().starts_with(TOKEN_PREFIX));
        assert_eq!(token.expose().len(), 4 + 64);
    }

    #[test]
    fn credentials_are_read_raw_or_after_bearer() {
        use axum::http::HeaderValue;
        let mut headers = HeaderMap::new();
        assert_eq!(presented(&headers), Err(Unusable::Missing));
        for (sent, read) in [
            (" abc ", "abc"),
            ("bearer sct_x", "sct_x"),
            ("Bearer  k ", "k"),
        ] {
            headers.insert(AUTHORIZATION, HeaderValue::from_static(sent));
            assert_eq!(presented(&headers), Ok(read), "{sent:?}");
        }
        headers.insert(AUTHORIZATION, HeaderValue::from_static("   "));
        assert_eq!(presented(&headers), Err(Unusable::Missing));
        let long = "k".repeat(MAX_CREDENTIAL_LEN + 1);
        headers.insert(AUTHORIZATION, HeaderValue::from_str(&long).unwrap());
        assert_eq!(presented(&headers), Err(Unusable::TooLong));
        headers.insert(AUTHORIZATION, HeaderValue::from_bytes(b"k\xff").unwrap());
        assert_eq!(presented(&headers), Err(Unusable::NotText));
    }

    #[test]
    fn secrets_do_not_print() {
        let (_, key) = new_api_key();
        assert_eq!(format!("{key:?}"), "Secret(..)");
    }
}
