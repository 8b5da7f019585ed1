//! Idempotency keys: claimed in their own transaction, answered in the write's (see
//! `claims_store::idempotency` for the rules). Two nodes claiming one key at once meet on
//! the primary key: the second insert waits for the first and then finds its row.

use claims_domain::KstDateTime;
use claims_store::idempotency::{Decision, Kept, decide};
use claims_store::stored::corrupt;
use claims_store::{
    Begin, Fingerprint, IdempotencyKey, SecretHash, StoreError, StoredAnswer, Usage, Window,
};
use deadpool_postgres::{GenericClient, Object};

use crate::columns::time;
use crate::error::db_error;

pub(crate) async fn begin(
    client: &mut Object,
    key: &IdempotencyKey,
    fingerprint: Fingerprint,
    window: Window,
) -> Result<Begin, StoreError> {
    let tx = client.transaction().await.map_err(db_error)?;
    let owner = &key.owner.0[..];
    // Within its quota (the usual case), a credential's new key is claimed by inserting it;
    // two nodes claiming one key at once meet on the primary key. Past its quota, only a
    // key it already holds may go on. Concurrent claims may each pass the check, so a
    // credential can end a few keys over its quota, never more than its requests in flight.
    let admitted = window.quota.admits(usage(&tx, &key.owner).await?);
    if admitted {
        let inserted = tx
            .execute(
                "INSERT INTO idempotency_keys (owner, idem_key, fingerprint, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4) ON CONFLICT (owner, idem_key) DO NOTHING",
                &[
                    &owner,
                    &key.key,
                    &&fingerprint.0[..],
                    &window.now.timestamp(),
                ],
            )
            .await
            .map_err(db_error)?;
        if inserted == 1 {
            tx.commit().await.map_err(db_error)?;
            return Ok(Begin::Proceed);
        }
    }
    let begin = match kept(&tx, key).await? {
        None => Begin::OverQuota(usage(&tx, &key.owner).await?),
        Some(kept) => match decide(Some(kept), fingerprint, &window) {
            Decision::Claim => {
                tx.execute(
                    "UPDATE idempotency_keys SET fingerprint = $3, status = NULL, \
                     content_type = NULL, location = NULL, body = NULL, created_at = $4, \
                     updated_at = $4 WHERE owner = $1 AND idem_key = $2",
                    &[
                        &owner,
                        &key.key,
                        &&fingerprint.0[..],
                        &window.now.timestamp(),
                    ],
                )
                .await
                .map_err(db_error)?;
                Begin::Proceed
            }
            Decision::Answer(begin) => begin,
        },
    };
    tx.commit().await.map_err(db_error)?;
    Ok(begin)
}

/// What is kept for `key`, locked for the transaction.
async fn kept(tx: &impl GenericClient, key: &IdempotencyKey) -> Result<Option<Kept>, StoreError> {
    let Some(row) = tx
        .query_opt(
            "SELECT fingerprint, status, content_type, location, body, created_at, updated_at \
             FROM idempotency_keys WHERE owner = $1 AND idem_key = $2 FOR UPDATE",
            &[&&key.owner.0[..], &key.key],
        )
        .await
        .map_err(db_error)?
    else {
        return Ok(None);
    };
    let stored: Vec<u8> = row.try_get(0).map_err(db_error)?;
    let status: Option<i32> = row.try_get(1).map_err(db_error)?;
    Ok(Some(Kept {
        fingerprint: Fingerprint(
            <[u8; 32]>::try_from(stored.as_slice())
                .map_err(|_| corrupt("an idempotency key's fingerprint"))?,
        ),
        answer: match status {
            Some(status) => Some(StoredAnswer {
                status: u16::try_from(status).map_err(|_| corrupt("an answer's status"))?,
                content_type: row
                    .try_get::<_, Option<String>>(2)
                    .map_err(db_error)?
                    .unwrap_or_default(),
                location: row.try_get(3).map_err(db_error)?,
                body: row
                    .try_get::<_, Option<Vec<u8>>>(4)
                    .map_err(db_error)?
                    .unwrap_or_default(),
            }),
            None => None,
        },
        created_at: time(&row, 5)?,
        updated_at: time(&row, 6)?,
    }))
}

/// What `owner` keeps now, as the triggers of schema 4 count it.
pub(crate) async fn usage(
    client: &impl GenericClient,
    owner: &SecretHash,
) -> Result<Usage, StoreError> {
    let statement = client
        .prepare_cached(
            "SELECT coalesce(sum(keys), 0)::bigint, coalesce(sum(bytes), 0)::bigint \
             FROM idempotency_usage WHERE owner = $1",
        )
        .await
        .map_err(db_error)?;
    let row = client
        .query_one(&statement, &[&&owner.0[..]])
        .await
        .map_err(db_error)?;
    let (keys, bytes): (i64, i64) = (row.get(0), row.get(1));
    Ok(Usage {
        keys: u64::try_from(keys).unwrap_or(0),
        bytes: u64::try_from(bytes).unwrap_or(0),
    })
}

/// Forgets up to `limit` lapsed keys, oldest first, skipping any a request holds locked.
pub(crate) async fn purge(
    client: &Object,
    lapsed_before: KstDateTime,
    limit: usize,
) -> Result<usize, StoreError> {
    let purged = client
        .execute(
            "DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY( \
             SELECT ctid FROM idempotency_keys WHERE created_at < $1 \
             ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED))",
            &[
                &lapsed_before.timestamp(),
                &i64::try_from(limit).unwrap_or(i64::MAX),
            ],
        )
        .await
        .map_err(db_error)?;
    Ok(usize::try_from(purged).unwrap_or(usize::MAX))
}

/// Records `answer` for a claimed key, inside the caller's transaction.
pub(crate) async fn record(
    client: &impl GenericClient,
    key: &IdempotencyKey,
    answer: &StoredAnswer,
    now: KstDateTime,
) -> Result<(), StoreError> {
    let changed = client
        .execute(
            "UPDATE idempotency_keys SET status = $3, content_type = $4, location = $5, body = $6, \
             updated_at = $7 WHERE owner = $1 AND idem_key = $2",
            &[
                &&key.owner.0[..],
                &key.key,
                &i32::from(answer.status),
                &answer.content_type,
                &answer.location,
                &answer.body,
                &now.timestamp(),
            ],
        )
        .await
        .map_err(db_error)?;
    if changed != 1 {
        return Err(StoreError::internal(
            "an idempotency key was answered without being claimed",
        ));
    }
    Ok(())
}

pub(crate) async fn release(client: &Object, key: &IdempotencyKey) -> Result<(), StoreError> {
    client
        .execute(
            "DELETE FROM idempotency_keys WHERE owner = $1 AND idem_key = $2 AND status IS NULL",
            &[&&key.owner.0[..], &key.key],
        )
        .await
        .map_err(db_error)?;
    Ok(())
}
