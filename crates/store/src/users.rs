//! Console users and their sessions, as values: a login, a role, a password (to be
//! hashed by the server), a user as stored, a session. The scripts that keep them are in
//! `console`; the rows that hold them in `tables`.

use std::fmt;

use claims_domain::{InvalidValue, KstDateTime, Scope};

use crate::credentials::SecretHash;

/// A console login: 3 to 64 of `a-z 0-9 . _ - @`, compared as written (lowercase only, so
/// `Kim` and `kim` cannot be two people). It is also the `agentId` an agent's cancellations
/// record.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Login(String);

impl Login {
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        let value = value.trim();
        let ok = (3..=64).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b".-_@".contains(&b));
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(InvalidValue::new(
                "login",
                format!(
                    "must be 3 to 64 characters of a-z, 0-9, '.', '_', '-' or '@', got {value:?}"
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a console user is: an operator, a service-center agent, or a vendor's staff member
/// who sees exactly what that vendor's API key (with the same scope) sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserRole {
    Admin,
    ServiceCenter,
    Vendor(Scope),
}

/// A role without its scope: what a page lets in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleKind {
    Admin,
    ServiceCenter,
    Vendor,
}

impl UserRole {
    pub fn kind(&self) -> RoleKind {
        match self {
            UserRole::Admin => RoleKind::Admin,
            UserRole::ServiceCenter => RoleKind::ServiceCenter,
            UserRole::Vendor(_) => RoleKind::Vendor,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            UserRole::Admin => "admin",
            UserRole::ServiceCenter => "service-center",
            UserRole::Vendor(_) => "vendor",
        }
    }

    /// The role named `name`; `vendor` needs `scope`, the others refuse one.
    pub fn parse(name: &str, scope: Option<Scope>) -> Result<Self, InvalidValue> {
        match (name.trim(), scope) {
            ("admin", None) => Ok(UserRole::Admin),
            ("service-center", None) => Ok(UserRole::ServiceCenter),
            ("vendor", Some(scope)) => Ok(UserRole::Vendor(scope)),
            ("vendor", None) => Err(InvalidValue::new(
                "vendor",
                "a vendor user needs the vendor (splVenId) it works for",
            )),
            ("admin" | "service-center", Some(_)) => Err(InvalidValue::new(
                "vendor",
                "only a vendor user is bound to a vendor",
            )),
            (other, _) => Err(InvalidValue::new(
                "role",
                format!("must be admin, service-center or vendor, got {other:?}"),
            )),
        }
    }

    pub fn scope(&self) -> Option<&Scope> {
        match self {
            UserRole::Vendor(scope) => Some(scope),
            _ => None,
        }
    }
}

/// A password as typed: 10 to 256 characters. Only its hash is ever stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        let chars = value.chars().count();
        if chars < Self::MIN_CHARS {
            Err(InvalidValue::new(
                "password",
                format!("is {chars} characters long; at least 10 needed"),
            ))
        } else if chars > Self::MAX_CHARS {
            Err(InvalidValue::new(
                "password",
                format!("is {chars} characters long; at most 256 allowed"),
            ))
        } else {
            Ok(Self(value.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

/// A console user to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub login: Login,
    pub role: UserRole,
    /// The password's hash in the PHC string format (`$argon2id$…`).
    pub password_hash: String,
}

/// A console user as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub login: Login,
    pub role: UserRole,
    pub created_at: KstDateTime,
}

/// A session to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// The SHA-256 of the session cookie.
    pub hash: SecretHash,
    pub login: Login,
    /// The token every state-changing form of this session carries.
    pub csrf: String,
}

/// A live session: its user and its CSRF token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub csrf: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use claims_domain::VendorId;

    #[test]
    fn logins() {
        assert_eq!(Login::parse(" agent.kim ").unwrap().as_str(), "agent.kim");
        for bad in ["ab", "Agent", "a b c", "김상담", &"a".repeat(65)] {
            assert!(Login::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn roles_and_scopes() {
        let scope = Scope {
            vendor: VendorId::parse("v", "0000012345").unwrap(),
            lower_rank: None,
        };
        assert_eq!(UserRole::parse("admin", None).unwrap(), UserRole::Admin);
        assert!(UserRole::parse("vendor", None).is_err());
        assert!(UserRole::parse("admin", Some(scope.clone())).is_err());
        assert_eq!(
            UserRole::parse("vendor", Some(scope.clone()))
                .unwrap()
                .scope(),
            Some(&scope)
        );
        assert!(UserRole::parse("storefront", None).is_err());
    }

    #[test]
    fn passwords_do_not_print() {
        assert!(Password::parse("short").is_err());
        let password = Password::parse("correct horse battery").unwrap();
        assert_eq!(format!("{password:?}"), "Password(..)");
    }
}
