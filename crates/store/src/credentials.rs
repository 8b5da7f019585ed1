//! Credentials as the store keeps them: hashes, public ids, scopes and roles.

use std::fmt;

use claims_domain::{InvalidValue, KstDateTime, Scope, Text};

/// The SHA-256 of a credential. Credentials are high-entropy random strings, so a fast
/// hash is enough to make a stolen table useless; only the hash is ever stored.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecretHash(pub [u8; 32]);

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretHash(..)")
    }
}

// Public identifiers of credentials: a prefix and 16 lowercase hex digits. They name a
// credential in listings and revocations and reveal nothing of the credential itself.
claims_domain::random_id!(
    /// The public id of a vendor API key: `key_0123456789abcdef`.
    KeyId, "key_"
);

claims_domain::random_id!(
    /// The public id of a platform token: `tok_0123456789abcdef`.
    TokenId, "tok_"
);

/// An API key to record (its hash only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiKey {
    pub id: KeyId,
    pub hash: SecretHash,
    pub scope: Scope,
}

/// What a listing shows of an API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyInfo {
    pub id: KeyId,
    pub scope: Scope,
    pub created_at: KstDateTime,
    pub revoked_at: Option<KstDateTime>,
}

/// What a platform token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Registers vendors, issues and revokes keys, places and reads orders.
    Admin,
    /// The storefront: places orders, reads them, cancels on behalf of their customers.
    Storefront,
    /// The service center: reads orders and cancels them as an agent.
    ServiceCenter,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Storefront, Role::ServiceCenter];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Storefront => "storefront",
            Role::ServiceCenter => "service-center",
        }
    }

    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == value.trim())
            .ok_or_else(|| {
                InvalidValue::new(
                    "role",
                    format!("{value:?} is not a role; use admin, storefront or service-center"),
                )
            })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A platform token to record (its hash only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub id: TokenId,
    pub hash: SecretHash,
    pub role: Role,
    /// What the token is for (empty when not given).
    pub label: Text,
}

/// What a listing shows of a platform token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: TokenId,
    pub role: Role,
    pub label: Text,
    pub created_at: KstDateTime,
    pub revoked_at: Option<KstDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_ids() {
        let id = KeyId::from_random([0, 1, 2, 0xab, 0xcd, 0xef, 0x10, 0xff]);
        assert_eq!(id.as_str(), "key_000102abcdef10ff");
        assert_eq!(KeyId::parse("keyId", id.as_str()).unwrap(), id);
        for bad in [
            "",
            "key_",
            "key_000102ABCDEF10FF",
            "kex_000102abcdef10ff",
            "key_000102abcdef10f",
            "tok_000102abcdef10ff",
        ] {
            assert!(KeyId::parse("keyId", bad).is_err(), "{bad}");
        }
        let token = TokenId::from_random([7; 8]);
        assert_eq!(TokenId::parse("tokenId", token.as_str()).unwrap(), token);
        assert!(TokenId::parse("tokenId", "key_0707070707070707").is_err());
    }

    #[test]
    fn hashes_do_not_print() {
        assert_eq!(format!("{:?}", SecretHash([7; 32])), "SecretHash(..)");
    }

    #[test]
    fn roles() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        assert_eq!(Role::parse("vendor").unwrap_err().field, "role");
    }
}
