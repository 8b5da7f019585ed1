//! Idempotency keys: claimed in their own transaction, answered in the write's (see
//! `claims_store::idempotency` for the rules).

use claims_domain::KstDateTime;
use claims_store::idempotency::{Decision, Kept, decide};
use claims_store::stored::{corrupt, time};
use claims_store::{
    Begin, Fingerprint, IdempotencyKey, SecretHash, StoreError, StoredAnswer, Usage, Window,
};
use rusqlite::{Connection, OptionalExtension, params};

use crate::convert::db_error;
use crate::orders::immediate;

pub(crate) fn begin(
    connection: &mut Connection,
    key: &IdempotencyKey,
    fingerprint: Fingerprint,
    window: Window,
) -> Result<Begin, StoreError> {
    let tx = immediate(connection)?;
    let kept = tx
        .query_row(
            "SELECT fingerprint, status, content_type, location, body, created_at, updated_at \
             FROM idempotency_keys WHERE owner = ?1 AND idem_key = ?2",
            params![&key.owner.0[..], key.key],
            |row| {
                Ok((
                    row.get::<_, Vec<u8>>(0)?,
                    row.get::<_, Option<u16>>(1)?,
                    row.get::<_, Option<String>>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    row.get::<_, Option<Vec<u8>>>(4)?,
                    row.get::<_, i64>(5)?,
                    row.get::<_, i64>(6)?,
                ))
            },
        )
        .optional()
        .map_err(db_error)?
        .map(
            |(stored, status, content_type, location, body, created, updated)| {
                let fingerprint = <[u8; 32]>::try_from(stored.as_slice())
                    .map_err(|_| corrupt("an idempotency key's fingerprint"))?;
                Ok::<_, StoreError>(Kept {
                    fingerprint: Fingerprint(fingerprint),
                    answer: status.map(|status| StoredAnswer {
                        status,
                        content_type: content_type.unwrap_or_default(),
                        location,
                        body: body.unwrap_or_default(),
                    }),
                    created_at: time(created)?,
                    updated_at: time(updated)?,
                })
            },
        )
        .transpose()?;
    let new_key = kept.is_none();
    let begin = match decide(kept, fingerprint, &window) {
        Decision::Claim if new_key && !window.quota.admits(usage(&tx, &key.owner)?) => {
            Begin::OverQuota(usage(&tx, &key.owner)?)
        }
        Decision::Claim => {
            tx.execute(
                "INSERT INTO idempotency_keys (owner, idem_key, fingerprint, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?4) \
                 ON CONFLICT (owner, idem_key) DO UPDATE SET fingerprint = excluded.fingerprint, \
                 status = NULL, content_type = NULL, location = NULL, body = NULL, \
                 created_at = excluded.created_at, updated_at = excluded.updated_at",
                params![
                    &key.owner.0[..],
                    key.key,
                    &fingerprint.0[..],
                    window.now.unix_seconds()
                ],
            )
            .map_err(db_error)?;
            Begin::Proceed
        }
        Decision::Answer(begin) => begin,
    };
    tx.commit().map_err(db_error)?;
    Ok(begin)
}

/// Records `answer` for a claimed key, inside the caller's transaction.
pub(crate) fn record(
    connection: &Connection,
    key: &IdempotencyKey,
    answer: &StoredAnswer,
    now: KstDateTime,
) -> Result<(), StoreError> {
    let changed = connection
        .execute(
            "UPDATE idempotency_keys SET status = ?3, content_type = ?4, location = ?5, body = ?6, \
             updated_at = ?7 WHERE owner = ?1 AND idem_key = ?2",
            params![
                &key.owner.0[..],
                key.key,
                answer.status,
                answer.content_type,
                answer.location,
                answer.body,
                now.unix_seconds()
            ],
        )
        .map_err(db_error)?;
    if changed != 1 {
        return Err(StoreError::internal(
            "an idempotency key was answered without being claimed",
        ));
    }
    Ok(())
}

pub(crate) fn finish(
    connection: &mut Connection,
    key: &IdempotencyKey,
    answer: &StoredAnswer,
    now: KstDateTime,
) -> Result<(), StoreError> {
    let tx = immediate(connection)?;
    record(&tx, key, answer, now)?;
    tx.commit().map_err(db_error)
}

pub(crate) fn release(connection: &Connection, key: &IdempotencyKey) -> Result<(), StoreError> {
    connection
        .execute(
            "DELETE FROM idempotency_keys WHERE owner = ?1 AND idem_key = ?2 AND status IS NULL",
            params![&key.owner.0[..], key.key],
        )
        .map_err(db_error)?;
    Ok(())
}

/// What `owner` keeps now, as the triggers of schema 5 count it.
pub(crate) fn usage(connection: &Connection, owner: &SecretHash) -> Result<Usage, StoreError> {
    let (keys, bytes): (i64, i64) = connection
        .prepare_cached(
            "SELECT coalesce(sum(keys), 0), coalesce(sum(bytes), 0) \
             FROM idempotency_usage WHERE owner = ?1",
        )
        .map_err(db_error)?
        .query_row([&owner.0[..]], |row| Ok((row.get(0)?, row.get(1)?)))
        .map_err(db_error)?;
    Ok(Usage {
        keys: u64::try_from(keys).unwrap_or(0),
        bytes: u64::try_from(bytes).unwrap_or(0),
    })
}

/// Forgets up to `limit` lapsed keys, oldest first.
pub(crate) fn purge(
    connection: &mut Connection,
    lapsed_before: KstDateTime,
    limit: usize,
) -> Result<usize, StoreError> {
    let tx = immediate(connection)?;
    let purged = tx
        .execute(
            "DELETE FROM idempotency_keys WHERE rowid IN \
             (SELECT rowid FROM idempotency_keys WHERE created_at < ?1 \
              ORDER BY created_at LIMIT ?2)",
            params![
                lapsed_before.unix_seconds(),
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
        )
        .map_err(db_error)?;
    tx.commit().map_err(db_error)?;
    Ok(purged)
}
