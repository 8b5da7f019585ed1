//! Vendors and API keys.

use std::collections::BTreeMap;

use claims_domain::vendors::{self, ScopeRejection, Standing};
use claims_domain::{KstDateTime, Scope, VendorId};
use claims_store::{
    ApiKeyInfo, Conflict, KeyId, NewApiKey, NewToken, NewVendor, NotFound, Role, SecretHash,
    StoreError, TokenId, TokenInfo, Vendor,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::convert::{self, db_error};

/// Where a vendor id stands in the registry.
pub(crate) fn standing(connection: &Connection, id: &VendorId) -> Result<Standing, StoreError> {
    let parent: Option<Option<String>> = connection
        .prepare_cached("SELECT parent_spl_ven_id FROM vendors WHERE spl_ven_id = ?1")
        .map_err(db_error)?
        .query_row([id.as_str()], |row| row.get::<_, Option<String>>(0))
        .optional()
        .map_err(db_error)?;
    Ok(match parent {
        None => Standing::Unknown,
        Some(None) => Standing::TopLevel,
        Some(Some(parent)) => Standing::LowerRankOf(convert::vendor(&parent)?),
    })
}

/// The standings of `ids`, for the domain's checks.
pub(crate) fn standings<'a>(
    connection: &Connection,
    ids: impl IntoIterator<Item = &'a VendorId>,
) -> Result<BTreeMap<VendorId, Standing>, StoreError> {
    ids.into_iter()
        .map(|id| Ok((id.clone(), standing(connection, id)?)))
        .collect()
}

/// Looks a vendor up in standings fetched for it.
pub(crate) fn lookup(
    standings: &BTreeMap<VendorId, Standing>,
) -> impl Fn(&VendorId) -> Standing + '_ {
    |id| standings.get(id).cloned().unwrap_or(Standing::Unknown)
}

fn read_vendor(row: &Row<'_>) -> Result<Vendor, StoreError> {
    Ok(Vendor {
        id: convert::vendor(&row.get::<_, String>(0).map_err(db_error)?)?,
        name: convert::text(row.get(1).map_err(db_error)?),
        parent: convert::opt_vendor(
            row.get::<_, Option<String>>(2)
                .map_err(db_error)?
                .as_deref(),
        )?,
        created_at: convert::time(row.get(3).map_err(db_error)?)?,
    })
}

pub(crate) fn add_vendor(
    connection: &mut Connection,
    vendor: &NewVendor,
    now: KstDateTime,
) -> Result<Vendor, StoreError> {
    let tx = connection
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(db_error)?;
    if standing(&tx, &vendor.id)? != Standing::Unknown {
        return Err(Conflict::VendorExists(vendor.id.clone()).into());
    }
    if let Some(parent) = &vendor.parent {
        vendors::check_parent(parent, standing(&tx, parent)?)?;
    }
    tx.execute(
        "INSERT INTO vendors (spl_ven_id, name, parent_spl_ven_id, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            vendor.id.as_str(),
            vendor.name.as_str(),
            vendor.parent.as_ref().map(VendorId::as_str),
            now.unix_seconds()
        ],
    )
    .map_err(db_error)?;
    tx.commit().map_err(db_error)?;
    Ok(Vendor {
        id: vendor.id.clone(),
        name: vendor.name.clone(),
        parent: vendor.parent.clone(),
        created_at: now,
    })
}

pub(crate) fn vendor(connection: &Connection, id: &VendorId) -> Result<Option<Vendor>, StoreError> {
    let mut statement = connection
        .prepare_cached(
            "SELECT spl_ven_id, name, parent_spl_ven_id, created_at FROM vendors WHERE spl_ven_id = ?1",
        )
        .map_err(db_error)?;
    let mut rows = statement.query([id.as_str()]).map_err(db_error)?;
    match rows.next().map_err(db_error)? {
        Some(row) => read_vendor(row).map(Some),
        None => Ok(None),
    }
}

pub(crate) fn vendors(connection: &Connection) -> Result<Vec<Vendor>, StoreError> {
    let mut statement = connection
        .prepare_cached(
            "SELECT spl_ven_id, name, parent_spl_ven_id, created_at FROM vendors ORDER BY spl_ven_id",
        )
        .map_err(db_error)?;
    let mut rows = statement.query([]).map_err(db_error)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(db_error)? {
        out.push(read_vendor(row)?);
    }
    Ok(out)
}

/// Checks a key's scope against the hierarchy.
fn check_scope(connection: &Connection, scope: &Scope) -> Result<(), StoreError> {
    let standings = standings(
        connection,
        std::iter::once(&scope.vendor).chain(&scope.lower_rank),
    )?;
    vendors::check_key_scope(scope, lookup(&standings)).map_err(|rejection| match rejection {
        ScopeRejection::UnknownVendor(vendor) => NotFound::Vendor(vendor).into(),
        ScopeRejection::Invalid(invalid) => invalid.into(),
    })
}

const KEY_COLUMNS: &str = "key_id, spl_ven_id, lrnk_spl_ven_id, created_at, revoked_at";

fn read_key(row: &Row<'_>) -> Result<ApiKeyInfo, StoreError> {
    Ok(ApiKeyInfo {
        id: KeyId::parse(&row.get::<_, String>(0).map_err(db_error)?).map_err(convert::corrupt)?,
        scope: Scope {
            vendor: convert::vendor(&row.get::<_, String>(1).map_err(db_error)?)?,
            lower_rank: convert::opt_vendor(
                row.get::<_, Option<String>>(2)
                    .map_err(db_error)?
                    .as_deref(),
            )?,
        },
        created_at: convert::time(row.get(3).map_err(db_error)?)?,
        revoked_at: convert::opt_time(row.get(4).map_err(db_error)?)?,
    })
}

pub(crate) fn add_api_key(
    connection: &mut Connection,
    key: &NewApiKey,
    now: KstDateTime,
) -> Result<ApiKeyInfo, StoreError> {
    let tx = connection
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(db_error)?;
    check_scope(&tx, &key.scope)?;
    tx.execute(
        "INSERT INTO api_keys (key_id, key_hash, spl_ven_id, lrnk_spl_ven_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            key.id.as_str(),
            &key.hash.0[..],
            key.scope.vendor.as_str(),
            key.scope.lower_rank.as_ref().map(VendorId::as_str),
            now.unix_seconds()
        ],
    )
    .map_err(db_error)?;
    tx.commit().map_err(db_error)?;
    Ok(ApiKeyInfo {
        id: key.id.clone(),
        scope: key.scope.clone(),
        created_at: now,
        revoked_at: None,
    })
}

pub(crate) fn revoke_api_key(
    connection: &mut Connection,
    id: &KeyId,
    now: KstDateTime,
) -> Result<ApiKeyInfo, StoreError> {
    revoke(
        connection,
        "api_keys",
        "key_id",
        KEY_COLUMNS,
        id.as_str(),
        now,
        read_key,
    )?
    .ok_or_else(|| NotFound::ApiKey(id.clone()).into())
}

/// Revokes the credential `id` of `table` if it is live (a revoked one keeps its time),
/// then reads it back with `read`, in one transaction; `None` when there is no such id.
fn revoke<T>(
    connection: &mut Connection,
    table: &str,
    id_column: &str,
    columns: &str,
    id: &str,
    now: KstDateTime,
    read: impl Fn(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    let tx = connection
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(db_error)?;
    tx.execute(
        &format!(
            "UPDATE {table} SET revoked_at = ?2 WHERE {id_column} = ?1 AND revoked_at IS NULL"
        ),
        params![id, now.unix_seconds()],
    )
    .map_err(db_error)?;
    let revoked = {
        let mut statement = tx
            .prepare_cached(&format!(
                "SELECT {columns} FROM {table} WHERE {id_column} = ?1"
            ))
            .map_err(db_error)?;
        let mut rows = statement.query([id]).map_err(db_error)?;
        rows.next().map_err(db_error)?.map(read).transpose()?
    };
    tx.commit().map_err(db_error)?;
    Ok(revoked)
}

pub(crate) fn api_keys(
    connection: &Connection,
    vendor: &VendorId,
) -> Result<Vec<ApiKeyInfo>, StoreError> {
    let mut statement = connection
        .prepare_cached(&format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE spl_ven_id = ?1 ORDER BY created_at, key_id"
        ))
        .map_err(db_error)?;
    let mut rows = statement.query([vendor.as_str()]).map_err(db_error)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(db_error)? {
        out.push(read_key(row)?);
    }
    Ok(out)
}

/// Looks a live key up by its hash.
pub(crate) const KEY_LOOKUP_SQL: &str =
    "SELECT spl_ven_id, lrnk_spl_ven_id FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL";

pub(crate) fn scope_for_key(
    connection: &Connection,
    hash: &SecretHash,
) -> Result<Option<Scope>, StoreError> {
    let found: Option<(String, Option<String>)> = connection
        .prepare_cached(KEY_LOOKUP_SQL)
        .map_err(db_error)?
        .query_row([&hash.0[..]], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
        .map_err(db_error)?;
    found
        .map(|(vendor, lower)| {
            Ok(Scope {
                vendor: convert::vendor(&vendor)?,
                lower_rank: convert::opt_vendor(lower.as_deref())?,
            })
        })
        .transpose()
}

const TOKEN_COLUMNS: &str = "token_id, role, created_at, revoked_at";

fn read_token(row: &Row<'_>) -> Result<TokenInfo, StoreError> {
    Ok(TokenInfo {
        id: TokenId::parse(&row.get::<_, String>(0).map_err(db_error)?)
            .map_err(convert::corrupt)?,
        role: Role::parse(&row.get::<_, String>(1).map_err(db_error)?).map_err(convert::corrupt)?,
        created_at: convert::time(row.get(2).map_err(db_error)?)?,
        revoked_at: convert::opt_time(row.get(3).map_err(db_error)?)?,
    })
}

pub(crate) fn add_token(
    connection: &mut Connection,
    token: &NewToken,
    now: KstDateTime,
) -> Result<TokenInfo, StoreError> {
    connection
        .execute(
            "INSERT INTO api_tokens (token_id, token_hash, role, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![token.id.as_str(), &token.hash.0[..], token.role.as_str(), now.unix_seconds()],
        )
        .map_err(db_error)?;
    Ok(TokenInfo {
        id: token.id.clone(),
        role: token.role,
        created_at: now,
        revoked_at: None,
    })
}

pub(crate) fn revoke_token(
    connection: &mut Connection,
    id: &TokenId,
    now: KstDateTime,
) -> Result<TokenInfo, StoreError> {
    revoke(
        connection,
        "api_tokens",
        "token_id",
        TOKEN_COLUMNS,
        id.as_str(),
        now,
        read_token,
    )?
    .ok_or_else(|| NotFound::Token(id.clone()).into())
}

pub(crate) fn tokens(connection: &Connection) -> Result<Vec<TokenInfo>, StoreError> {
    let mut statement = connection
        .prepare_cached(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at, token_id"
        ))
        .map_err(db_error)?;
    let mut rows = statement.query([]).map_err(db_error)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(db_error)? {
        out.push(read_token(row)?);
    }
    Ok(out)
}

pub(crate) fn role_for_token(
    connection: &Connection,
    hash: &SecretHash,
) -> Result<Option<Role>, StoreError> {
    let found: Option<String> = connection
        .prepare_cached("SELECT role FROM api_tokens WHERE token_hash = ?1 AND revoked_at IS NULL")
        .map_err(db_error)?
        .query_row([&hash.0[..]], |row| row.get(0))
        .optional()
        .map_err(db_error)?;
    found
        .map(|role| Role::parse(&role).map_err(convert::corrupt))
        .transpose()
}
