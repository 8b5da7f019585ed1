//! Vendors, API keys and platform tokens, as scripts every backend runs. Only the key
//! lookup is public: backends run it inside the inquiry's own read.

use std::collections::BTreeMap;

use claims_domain::vendors::{self, ScopeRejection, Standing};
use claims_domain::{KstDateTime, Scope, VendorId};

use crate::sql::Sql;
use crate::stored::{self, corrupt};
use crate::tables::{ApiKeyRow, TokenRow, VendorRow, select};
use crate::{
    ApiKeyInfo, Conflict, KeyId, NewApiKey, NewToken, NewVendor, NotFound, Role, SecretHash,
    StoreError, TokenId, TokenInfo, Vendor,
};

/// Where a vendor id stands in the registry.
pub(crate) async fn standing(sql: &mut dyn Sql, id: &VendorId) -> Result<Standing, StoreError> {
    let row = sql
        .query_opt(
            "SELECT parent_spl_ven_id FROM vendors WHERE spl_ven_id = $1",
            &[id.as_str().into()],
        )
        .await?;
    Ok(match row {
        None => Standing::Unknown,
        Some(row) => match row.opt_text(0)? {
            None => Standing::TopLevel,
            Some(parent) => Standing::LowerRankOf(stored::vendor(parent)?),
        },
    })
}

/// The standings of `ids`, for the domain's checks.
pub(crate) async fn standings(
    sql: &mut dyn Sql,
    ids: Vec<VendorId>,
) -> Result<BTreeMap<VendorId, Standing>, StoreError> {
    let mut out = BTreeMap::new();
    for id in ids {
        let standing = standing(sql, &id).await?;
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

pub(crate) async fn add_vendor(
    sql: &mut dyn Sql,
    vendor: &NewVendor,
    now: KstDateTime,
) -> Result<Vendor, StoreError> {
    if standing(sql, &vendor.id).await? != Standing::Unknown {
        return Err(Conflict::VendorExists(vendor.id.clone()).into());
    }
    if let Some(parent) = &vendor.parent {
        vendors::check_parent(parent, standing(sql, parent).await?)?;
    }
    let vendor = Vendor {
        id: vendor.id.clone(),
        name: vendor.name.clone(),
        parent: vendor.parent.clone(),
        created_at: now,
    };
    // Two nodes registering one vendor at once meet on the primary key.
    let inserted = sql
        .execute(
            &format!(
                "{} ON CONFLICT (spl_ven_id) DO NOTHING",
                VendorRow::insert_sql()
            ),
            &VendorRow::of(&vendor).params(),
        )
        .await?;
    if inserted == 0 {
        return Err(Conflict::VendorExists(vendor.id).into());
    }
    Ok(vendor)
}

pub(crate) async fn vendor(sql: &mut dyn Sql, id: &VendorId) -> Result<Option<Vendor>, StoreError> {
    let statement = format!(
        "{} WHERE spl_ven_id = $1",
        select(VendorRow::TABLE, VendorRow::COLUMNS)
    );
    sql.query_opt(&statement, &[id.as_str().into()])
        .await?
        .map(|row| VendorRow::read(&row)?.into_vendor())
        .transpose()
}

pub(crate) async fn vendors(sql: &mut dyn Sql) -> Result<Vec<Vendor>, StoreError> {
    let statement = format!(
        "{} ORDER BY spl_ven_id",
        select(VendorRow::TABLE, VendorRow::COLUMNS)
    );
    sql.query(&statement, &[])
        .await?
        .iter()
        .map(|row| VendorRow::read(row)?.into_vendor())
        .collect()
}

/// Checks a key's scope against the hierarchy.
pub(crate) async fn check_scope(sql: &mut dyn Sql, scope: &Scope) -> Result<(), StoreError> {
    let ids = std::iter::once(&scope.vendor)
        .chain(&scope.lower_rank)
        .cloned()
        .collect();
    let standings = standings(sql, ids).await?;
    vendors::check_key_scope(scope, lookup(&standings)).map_err(|rejection| match rejection {
        ScopeRejection::UnknownVendor(vendor) => NotFound::Vendor(vendor).into(),
        ScopeRejection::Invalid(invalid) => invalid.into(),
    })
}

pub(crate) async fn add_api_key(
    sql: &mut dyn Sql,
    key: &NewApiKey,
    now: KstDateTime,
) -> Result<ApiKeyInfo, StoreError> {
    check_scope(sql, &key.scope).await?;
    let row = ApiKeyRow {
        key_id: key.id.as_str().into(),
        key_hash: (&key.hash.0[..]).into(),
        spl_ven_id: key.scope.vendor.as_str().into(),
        lrnk_spl_ven_id: key.scope.lower_rank.as_ref().map(|v| v.as_str().into()),
        created_at: now,
        revoked_at: None,
    };
    sql.execute(&ApiKeyRow::insert_sql(), &row.params()).await?;
    row.into_info()
}

pub(crate) async fn revoke_api_key(
    sql: &mut dyn Sql,
    id: &KeyId,
    now: KstDateTime,
) -> Result<ApiKeyInfo, StoreError> {
    let row = revoke(
        sql,
        ApiKeyRow::TABLE,
        ApiKeyRow::COLUMNS,
        "key_id",
        id.as_str(),
        now,
    )
    .await?
    .ok_or_else(|| NotFound::ApiKey(id.clone()))?;
    ApiKeyRow::read(&row)?.into_info()
}

/// Revokes the credential `id` of `table` if it is live (a revoked one keeps its time),
/// then reads it back; `None` when there is no such id.
async fn revoke(
    sql: &mut dyn Sql,
    table: &str,
    columns: &[&str],
    id_column: &str,
    id: &str,
    now: KstDateTime,
) -> Result<Option<crate::sql::Row>, StoreError> {
    sql.execute(
        &format!(
            "UPDATE {table} SET revoked_at = $2 WHERE {id_column} = $1 AND revoked_at IS NULL"
        ),
        &[id.into(), now.into()],
    )
    .await?;
    sql.query_opt(
        &format!("{} WHERE {id_column} = $1", select(table, columns)),
        &[id.into()],
    )
    .await
}

pub(crate) async fn api_keys(
    sql: &mut dyn Sql,
    vendor: Option<&VendorId>,
) -> Result<Vec<ApiKeyInfo>, StoreError> {
    let columns = select(ApiKeyRow::TABLE, ApiKeyRow::COLUMNS);
    let rows = match vendor {
        Some(vendor) => {
            let statement = format!("{columns} WHERE spl_ven_id = $1 ORDER BY created_at, key_id");
            sql.query(&statement, &[vendor.as_str().into()]).await?
        }
        None => {
            let statement = format!("{columns} ORDER BY spl_ven_id, created_at, key_id");
            sql.query(&statement, &[]).await?
        }
    };
    rows.iter()
        .map(|row| ApiKeyRow::read(row)?.into_info())
        .collect()
}

/// Looks a live key up by its hash.
pub async fn scope_for_key(
    sql: &mut dyn Sql,
    hash: &SecretHash,
) -> Result<Option<Scope>, StoreError> {
    let row = sql
        .query_opt(KEY_LOOKUP_SQL, &[(&hash.0[..]).into()])
        .await?;
    row.map(|row| {
        Ok(Scope {
            vendor: stored::vendor(row.text(0)?)?,
            lower_rank: stored::opt_vendor(row.opt_text(1)?)?,
        })
    })
    .transpose()
}

/// The scope of a live key and how many changes its vendor has had (the sequence of the
/// vendor's last event: every claim bumps it in its own transaction), read together.
pub(crate) async fn key_version(
    sql: &mut dyn Sql,
    hash: &SecretHash,
) -> Result<Option<(Scope, u64)>, StoreError> {
    let row = sql
        .query_opt(
            "SELECT k.spl_ven_id, k.lrnk_spl_ven_id, COALESCE(h.last_seq, 0) FROM api_keys k \
             LEFT JOIN event_heads h ON h.spl_ven_id = k.spl_ven_id \
             WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
            &[(&hash.0[..]).into()],
        )
        .await?;
    row.map(|row| {
        Ok((
            Scope {
                vendor: stored::vendor(row.text(0)?)?,
                lower_rank: stored::opt_vendor(row.opt_text(1)?)?,
            },
            row.int(2)? as u64,
        ))
    })
    .transpose()
}

/// The statement that looks a live key up by its hash (also run by benchmarks).
pub const KEY_LOOKUP_SQL: &str =
    "SELECT spl_ven_id, lrnk_spl_ven_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL";

pub(crate) async fn add_token(
    sql: &mut dyn Sql,
    token: &NewToken,
    now: KstDateTime,
) -> Result<TokenInfo, StoreError> {
    let row = TokenRow {
        token_id: token.id.as_str().into(),
        token_hash: (&token.hash.0[..]).into(),
        role: token.role.as_str().into(),
        created_at: now,
        revoked_at: None,
        label: token.label.as_str().into(),
    };
    sql.execute(&TokenRow::insert_sql(), &row.params()).await?;
    row.into_info()
}

pub(crate) async fn revoke_token(
    sql: &mut dyn Sql,
    id: &TokenId,
    now: KstDateTime,
) -> Result<TokenInfo, StoreError> {
    let row = revoke(
        sql,
        TokenRow::TABLE,
        TokenRow::COLUMNS,
        "token_id",
        id.as_str(),
        now,
    )
    .await?
    .ok_or_else(|| NotFound::Token(id.clone()))?;
    TokenRow::read(&row)?.into_info()
}

pub(crate) async fn tokens(sql: &mut dyn Sql) -> Result<Vec<TokenInfo>, StoreError> {
    let statement = format!(
        "{} ORDER BY created_at, token_id",
        select(TokenRow::TABLE, TokenRow::COLUMNS)
    );
    sql.query(&statement, &[])
        .await?
        .iter()
        .map(|row| TokenRow::read(row)?.into_info())
        .collect()
}

pub(crate) async fn role_for_token(
    sql: &mut dyn Sql,
    hash: &SecretHash,
) -> Result<Option<Role>, StoreError> {
    let row = sql
        .query_opt(
            "SELECT role FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
            &[(&hash.0[..]).into()],
        )
        .await?;
    row.map(|row| Role::parse(row.text(0)?).map_err(corrupt))
        .transpose()
}
