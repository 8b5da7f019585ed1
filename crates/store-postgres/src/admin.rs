//! Vendors, API keys and platform tokens.

use std::collections::BTreeMap;

use claims_domain::vendors::{self, ScopeRejection, Standing};
use claims_domain::{KstDateTime, Scope, VendorId};
use claims_store::{
    ApiKeyInfo, Conflict, KeyId, NewApiKey, NewToken, NewVendor, NotFound, Role, SecretHash,
    StoreError, TokenId, TokenInfo, Vendor, stored,
};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use crate::columns::{self, opt_time, opt_vendor, time};
use crate::error::db_error;

/// Where a vendor id stands in the registry.
pub(crate) async fn standing(
    client: &impl GenericClient,
    id: &VendorId,
) -> Result<Standing, StoreError> {
    let statement = client
        .prepare_cached("SELECT parent_spl_ven_id FROM vendors WHERE spl_ven_id = $1")
        .await
        .map_err(db_error)?;
    let row = client
        .query_opt(&statement, &[&id.as_str()])
        .await
        .map_err(db_error)?;
    Ok(match row {
        None => Standing::Unknown,
        Some(row) => match row.try_get::<_, Option<&str>>(0).map_err(db_error)? {
            None => Standing::TopLevel,
            Some(parent) => Standing::LowerRankOf(stored::vendor(parent)?),
        },
    })
}

/// The standings of `ids`, for the domain's checks.
pub(crate) async fn standings(
    client: &impl GenericClient,
    ids: Vec<VendorId>,
) -> Result<BTreeMap<VendorId, Standing>, StoreError> {
    let mut out = BTreeMap::new();
    for id in ids {
        let standing = standing(client, &id).await?;
        out.insert(id, standing);
    }
    Ok(out)
}

/// Looks a vendor up in standings fetched for it.
pub(crate) fn lookup(
    standings: &BTreeMap<VendorId, Standing>,
) -> impl Fn(&VendorId) -> Standing + '_ {
    |id| standings.get(id).cloned().unwrap_or(Standing::Unknown)
}

const VENDOR_COLUMNS: &str = "spl_ven_id, name, parent_spl_ven_id, created_at";

fn read_vendor(row: &Row) -> Result<Vendor, StoreError> {
    Ok(Vendor {
        id: columns::vendor(row, 0)?,
        name: stored::text(row.try_get(1).map_err(db_error)?),
        parent: opt_vendor(row, 2)?,
        created_at: time(row, 3)?,
    })
}

pub(crate) async fn add_vendor(
    client: &mut deadpool_postgres::Object,
    vendor: &NewVendor,
    now: KstDateTime,
) -> Result<Vendor, StoreError> {
    let tx = client.transaction().await.map_err(db_error)?;
    if let Some(parent) = &vendor.parent {
        vendors::check_parent(parent, standing(&tx, parent).await?)?;
    }
    let inserted = tx
        .execute(
            "INSERT INTO vendors (spl_ven_id, name, parent_spl_ven_id, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (spl_ven_id) DO NOTHING",
            &[
                &vendor.id.as_str(),
                &vendor.name.as_str(),
                &vendor.parent.as_ref().map(VendorId::as_str),
                &now.timestamp(),
            ],
        )
        .await
        .map_err(db_error)?;
    if inserted == 0 {
        return Err(Conflict::VendorExists(vendor.id.clone()).into());
    }
    tx.commit().await.map_err(db_error)?;
    Ok(Vendor {
        id: vendor.id.clone(),
        name: vendor.name.clone(),
        parent: vendor.parent.clone(),
        created_at: now,
    })
}

pub(crate) async fn vendor(
    client: &impl GenericClient,
    id: &VendorId,
) -> Result<Option<Vendor>, StoreError> {
    let statement = client
        .prepare_cached(&format!(
            "SELECT {VENDOR_COLUMNS} FROM vendors WHERE spl_ven_id = $1"
        ))
        .await
        .map_err(db_error)?;
    let row = client
        .query_opt(&statement, &[&id.as_str()])
        .await
        .map_err(db_error)?;
    row.as_ref().map(read_vendor).transpose()
}

pub(crate) async fn vendors(client: &impl GenericClient) -> Result<Vec<Vendor>, StoreError> {
    let rows = client
        .query(
            &format!("SELECT {VENDOR_COLUMNS} FROM vendors ORDER BY spl_ven_id"),
            &[],
        )
        .await
        .map_err(db_error)?;
    rows.iter().map(read_vendor).collect()
}

/// Checks a key's scope against the hierarchy.
async fn check_scope(client: &impl GenericClient, scope: &Scope) -> Result<(), StoreError> {
    let ids = std::iter::once(&scope.vendor)
        .chain(&scope.lower_rank)
        .cloned()
        .collect();
    let standings = standings(client, ids).await?;
    vendors::check_key_scope(scope, lookup(&standings)).map_err(|rejection| match rejection {
        ScopeRejection::UnknownVendor(vendor) => NotFound::Vendor(vendor).into(),
        ScopeRejection::Invalid(invalid) => invalid.into(),
    })
}

const KEY_COLUMNS: &str = "key_id, spl_ven_id, lrnk_spl_ven_id, created_at, revoked_at";

fn read_key(row: &Row) -> Result<ApiKeyInfo, StoreError> {
    Ok(ApiKeyInfo {
        id: KeyId::parse(row.try_get(0).map_err(db_error)?).map_err(stored::corrupt)?,
        scope: Scope {
            vendor: columns::vendor(row, 1)?,
            lower_rank: opt_vendor(row, 2)?,
        },
        created_at: time(row, 3)?,
        revoked_at: opt_time(row, 4)?,
    })
}

pub(crate) async fn add_api_key(
    client: &mut deadpool_postgres::Object,
    key: &NewApiKey,
    now: KstDateTime,
) -> Result<ApiKeyInfo, StoreError> {
    let tx = client.transaction().await.map_err(db_error)?;
    check_scope(&tx, &key.scope).await?;
    tx.execute(
        "INSERT INTO api_keys (key_id, key_hash, spl_ven_id, lrnk_spl_ven_id, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &key.id.as_str(),
            &&key.hash.0[..],
            &key.scope.vendor.as_str(),
            &key.scope.lower_rank.as_ref().map(VendorId::as_str),
            &now.timestamp(),
        ],
    )
    .await
    .map_err(db_error)?;
    tx.commit().await.map_err(db_error)?;
    Ok(ApiKeyInfo {
        id: key.id.clone(),
        scope: key.scope.clone(),
        created_at: now,
        revoked_at: None,
    })
}

pub(crate) async fn revoke_api_key(
    client: &impl GenericClient,
    id: &KeyId,
    now: KstDateTime,
) -> Result<ApiKeyInfo, StoreError> {
    match revoke(client, "api_keys", "key_id", KEY_COLUMNS, id.as_str(), now).await? {
        Some(row) => read_key(&row),
        None => Err(NotFound::ApiKey(id.clone()).into()),
    }
}

/// Revokes the credential `id` of `table` if it is live (a revoked one keeps its time) and
/// reads its row either way, in one statement; `None` when there is no such id.
async fn revoke(
    client: &impl GenericClient,
    table: &str,
    id_column: &str,
    columns: &str,
    id: &str,
    now: KstDateTime,
) -> Result<Option<Row>, StoreError> {
    client
        .query_opt(
            &format!(
                "WITH revoked AS (UPDATE {table} SET revoked_at = $2 \
                                  WHERE {id_column} = $1 AND revoked_at IS NULL RETURNING {columns}) \
                 SELECT {columns} FROM revoked \
                 UNION ALL SELECT {columns} FROM {table} WHERE {id_column} = $1 AND NOT EXISTS (SELECT 1 FROM revoked)"
            ),
            &[&id, &now.timestamp()],
        )
        .await
        .map_err(db_error)
}

pub(crate) async fn api_keys(
    client: &impl GenericClient,
    vendor: &VendorId,
) -> Result<Vec<ApiKeyInfo>, StoreError> {
    let rows = client
        .query(
            &format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE spl_ven_id = $1 ORDER BY created_at, key_id"),
            &[&vendor.as_str()],
        )
        .await
        .map_err(db_error)?;
    rows.iter().map(read_key).collect()
}

pub(crate) async fn scope_for_key(
    client: &impl GenericClient,
    hash: &SecretHash,
) -> Result<Option<Scope>, StoreError> {
    let statement = client
        .prepare_cached(
            "SELECT spl_ven_id, lrnk_spl_ven_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .await
        .map_err(db_error)?;
    let row = client
        .query_opt(&statement, &[&&hash.0[..]])
        .await
        .map_err(db_error)?;
    row.map(|row| {
        Ok(Scope {
            vendor: columns::vendor(&row, 0)?,
            lower_rank: opt_vendor(&row, 1)?,
        })
    })
    .transpose()
}

const TOKEN_COLUMNS: &str = "token_id, role, created_at, revoked_at";

fn read_token(row: &Row) -> Result<TokenInfo, StoreError> {
    Ok(TokenInfo {
        id: TokenId::parse(row.try_get(0).map_err(db_error)?).map_err(stored::corrupt)?,
        role: Role::parse(row.try_get(1).map_err(db_error)?).map_err(stored::corrupt)?,
        created_at: time(row, 2)?,
        revoked_at: opt_time(row, 3)?,
    })
}

pub(crate) async fn add_token(
    client: &impl GenericClient,
    token: &NewToken,
    now: KstDateTime,
) -> Result<TokenInfo, StoreError> {
    client
        .execute(
            "INSERT INTO api_tokens (token_id, token_hash, role, created_at) VALUES ($1, $2, $3, $4)",
            &[&token.id.as_str(), &&token.hash.0[..], &token.role.as_str(), &now.timestamp()],
        )
        .await
        .map_err(db_error)?;
    Ok(TokenInfo {
        id: token.id.clone(),
        role: token.role,
        created_at: now,
        revoked_at: None,
    })
}

pub(crate) async fn revoke_token(
    client: &impl GenericClient,
    id: &TokenId,
    now: KstDateTime,
) -> Result<TokenInfo, StoreError> {
    match revoke(
        client,
        "api_tokens",
        "token_id",
        TOKEN_COLUMNS,
        id.as_str(),
        now,
    )
    .await?
    {
        Some(row) => read_token(&row),
        None => Err(NotFound::Token(id.clone()).into()),
    }
}

pub(crate) async fn tokens(client: &impl GenericClient) -> Result<Vec<TokenInfo>, StoreError> {
    let rows = client
        .query(
            &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at, token_id"),
            &[],
        )
        .await
        .map_err(db_error)?;
    rows.iter().map(read_token).collect()
}

pub(crate) async fn role_for_token(
    client: &impl GenericClient,
    hash: &SecretHash,
) -> Result<Option<Role>, StoreError> {
    let statement = client
        .prepare_cached("SELECT role FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
        .await
        .map_err(db_error)?;
    let row = client
        .query_opt(&statement, &[&&hash.0[..]])
        .await
        .map_err(db_error)?;
    row.map(|row| Role::parse(row.get::<_, &str>(0)).map_err(stored::corrupt))
        .transpose()
}
