//! Idempotency keys: a client that retries a write with the same `Idempotency-Key` gets
//! the first answer again instead of a second effect.
//!
//! A key is claimed before the write ([`Begin`]); a write that succeeds records its answer
//! in the same transaction as its effect (`cancel_once`, `place_order_once`), so an answer
//! is kept exactly when the effect happened, even across a crash. Refusals are recorded
//! afterwards ([`Store::idempotency_finish`](crate::Store::idempotency_finish)); failures
//! that may pass release the key so that a retry runs again.

use std::borrow::Cow;

use claims_domain::KstDateTime;

use crate::sql::Sql;
use crate::stored::corrupt;
use crate::tables::{IdempotencyRow, select};
use crate::{SecretHash, StoreError};

/// The longest `Idempotency-Key` accepted.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// An `Idempotency-Key` as a caller sent it. Keys are per caller: two credentials may use
/// the same key for different requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// The SHA-256 of the credential that sent it.
    pub owner: SecretHash,
    pub key: String,
}

/// What makes two requests the same request: their operation, target and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint(pub [u8; 32]);

/// An answer kept for replay, byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    pub content_type: String,
    /// The `Location` header, for answers that create something.
    pub location: Option<String>,
    pub body: Vec<u8>,
}

/// What a caller may do with a key it sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// The key is new (or lapsed, or its earlier request was abandoned): run the request.
    Proceed,
    /// The same request was answered before: answer it again.
    Replay(StoredAnswer),
    /// A request with this key is being handled right now.
    InFlight,
    /// The key was used for a different request.
    Reused,
    /// The key is new, but its credential already keeps as much as its [`Quota`] allows.
    OverQuota(Usage),
}

/// What decides whether a key may be claimed: the moments that say whether a kept key still
/// counts, and how much one credential may keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub now: KstDateTime,
    /// Keys first used before this have lapsed and may be used again.
    pub lapsed_before: KstDateTime,
    /// A request still in flight since before this was abandoned (its process died): its
    /// effect never committed, so it may run again.
    pub abandoned_before: KstDateTime,
    pub quota: Quota,
}

/// How much one credential may keep for replays: keys, and bytes of kept answers. Kept
/// keys count until they are purged (shortly after they lapse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub max_keys: u64,
    pub max_bytes: u64,
}

/// What one credential keeps now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub keys: u64,
    pub bytes: u64,
}

impl Quota {
    /// Whether a credential keeping `usage` may claim one more key.
    pub fn admits(&self, usage: Usage) -> bool {
        usage.keys < self.max_keys && usage.bytes < self.max_bytes
    }
}

/// Renders the answer of a write from its result, inside the write's transaction.
pub type Render<T> = Box<dyn FnOnce(&T) -> StoredAnswer + Send>;

/// The key a write completes, and how to render the answer it keeps.
pub struct Completion<T> {
    pub key: IdempotencyKey,
    pub render: Render<T>,
}

impl<T> std::fmt::Debug for Completion<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Completion")
            .field("key", &self.key.key)
            .finish_non_exhaustive()
    }
}

/// The decision for a key, given what is kept for it: the rule both stores apply inside
/// their transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub fingerprint: Fingerprint,
    /// `Some` once answered.
    pub answer: Option<StoredAnswer>,
    pub created_at: KstDateTime,
    pub updated_at: KstDateTime,
}

/// What to do about a key, and whether the kept record must be (re)claimed for this
/// request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Claim the key (insert, or overwrite a lapsed or abandoned record) and proceed.
    Claim,
    /// Answer without touching the record.
    Answer(Begin),
}

pub fn decide(kept: Option<Kept>, fingerprint: Fingerprint, window: &Window) -> Decision {
    let Some(kept) = kept else {
        return Decision::Claim;
    };
    if kept.created_at < window.lapsed_before {
        return Decision::Claim;
    }
    if kept.fingerprint != fingerprint {
        return Decision::Answer(Begin::Reused);
    }
    match kept.answer {
        Some(answer) => Decision::Answer(Begin::Replay(answer)),
        None if kept.updated_at < window.abandoned_before => Decision::Claim,
        None => Decision::Answer(Begin::InFlight),
    }
}

/// Claims `key` for a request with `fingerprint`, or says why not, in its own transaction.
///
/// Within its quota (the usual case), a credential's new key is claimed by inserting it;
/// two nodes claiming one key at once meet on the primary key. Past its quota, only a key
/// it already holds may go on. Concurrent claims may each pass the check, so a credential
/// can end a few keys over its quota, never more than its requests in flight.
pub(crate) async fn begin(
    sql: &mut dyn Sql,
    key: &IdempotencyKey,
    fingerprint: Fingerprint,
    window: Window,
) -> Result<Begin, StoreError> {
    let owner = &key.owner.0[..];
    if window.quota.admits(usage(sql, &key.owner).await?) {
        let inserted = sql
            .execute(
                "INSERT INTO idempotency_keys (owner, idem_key, fingerprint, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4) ON CONFLICT (owner, idem_key) DO NOTHING",
                &[
                    owner.into(),
                    key.key.as_str().into(),
                    (&fingerprint.0[..]).into(),
                    window.now.into(),
                ],
            )
            .await?;
        if inserted == 1 {
            return Ok(Begin::Proceed);
        }
    }
    let Some(kept) = kept(sql, key).await? else {
        return Ok(Begin::OverQuota(usage(sql, &key.owner).await?));
    };
    match decide(Some(kept), fingerprint, &window) {
        Decision::Claim => {
            sql.execute(
                "UPDATE idempotency_keys SET fingerprint = $3, status = NULL, content_type = NULL, \
                 location = NULL, body = NULL, created_at = $4, updated_at = $4 \
                 WHERE owner = $1 AND idem_key = $2",
                &[
                    owner.into(),
                    key.key.as_str().into(),
                    (&fingerprint.0[..]).into(),
                    window.now.into(),
                ],
            )
            .await?;
            Ok(Begin::Proceed)
        }
        Decision::Answer(begin) => Ok(begin),
    }
}

/// What is kept for `key`, locked for the transaction.
async fn kept(sql: &mut dyn Sql, key: &IdempotencyKey) -> Result<Option<Kept>, StoreError> {
    let statement = format!(
        "{} WHERE owner = $1 AND idem_key = $2{}",
        select(IdempotencyRow::TABLE, IdempotencyRow::COLUMNS),
        sql.dialect().for_update()
    );
    let Some(row) = sql
        .query_opt(
            &statement,
            &[(&key.owner.0[..]).into(), key.key.as_str().into()],
        )
        .await?
    else {
        return Ok(None);
    };
    let row = IdempotencyRow::read(&row)?;
    let answer = match row.status {
        Some(status) => Some(StoredAnswer {
            status: u16::try_from(status).map_err(|_| corrupt("an answer's status"))?,
            content_type: row.content_type.map(Cow::into_owned).unwrap_or_default(),
            location: row.location.map(Cow::into_owned),
            body: row.body.map(Cow::into_owned).unwrap_or_default(),
        }),
        None => None,
    };
    Ok(Some(Kept {
        fingerprint: Fingerprint(
            <[u8; 32]>::try_from(row.fingerprint.as_ref())
                .map_err(|_| corrupt("an idempotency key's fingerprint"))?,
        ),
        answer,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }))
}

/// Records `answer` for a claimed key, inside the caller's transaction.
pub(crate) async fn record(
    sql: &mut dyn Sql,
    key: &IdempotencyKey,
    answer: &StoredAnswer,
    now: KstDateTime,
) -> Result<(), StoreError> {
    let changed = sql
        .execute(
            "UPDATE idempotency_keys SET status = $3, content_type = $4, location = $5, body = $6, \
             updated_at = $7 WHERE owner = $1 AND idem_key = $2",
            &[
                (&key.owner.0[..]).into(),
                key.key.as_str().into(),
                u32::from(answer.status).into(),
                answer.content_type.as_str().into(),
                answer.location.as_deref().into(),
                answer.body.as_slice().into(),
                now.into(),
            ],
        )
        .await?;
    if changed != 1 {
        return Err(StoreError::internal(
            "an idempotency key was answered without being claimed",
        ));
    }
    Ok(())
}

/// Forgets a claimed key whose request did not finish.
pub(crate) async fn release(sql: &mut dyn Sql, key: &IdempotencyKey) -> Result<(), StoreError> {
    sql.execute(
        "DELETE FROM idempotency_keys WHERE owner = $1 AND idem_key = $2 AND status IS NULL",
        &[(&key.owner.0[..]).into(), key.key.as_str().into()],
    )
    .await?;
    Ok(())
}

/// What `owner` keeps now, as the triggers on `idempotency_keys` count it.
pub(crate) async fn usage(sql: &mut dyn Sql, owner: &SecretHash) -> Result<Usage, StoreError> {
    let row = sql
        .query_one(
            "SELECT CAST(coalesce(sum(keys), 0) AS BIGINT), CAST(coalesce(sum(bytes), 0) AS BIGINT) \
             FROM idempotency_usage WHERE owner = $1",
            &[(&owner.0[..]).into()],
        )
        .await?;
    Ok(Usage {
        keys: u64::try_from(row.int(0)?).unwrap_or(0),
        bytes: u64::try_from(row.int(1)?).unwrap_or(0),
    })
}

/// Forgets up to `limit` lapsed keys, oldest first, passing over any a request holds.
pub(crate) async fn purge(
    sql: &mut dyn Sql,
    lapsed_before: KstDateTime,
    limit: usize,
) -> Result<usize, StoreError> {
    let statement = format!(
        "DELETE FROM idempotency_keys WHERE (owner, idem_key) IN \
         (SELECT owner, idem_key FROM idempotency_keys WHERE created_at < $1 \
          ORDER BY created_at LIMIT $2{})",
        sql.dialect().for_update_skip_locked()
    );
    let purged = sql
        .execute(
            &statement,
            &[
                lapsed_before.into(),
                i64::try_from(limit).unwrap_or(i64::MAX).into(),
            ],
        )
        .await?;
    Ok(usize::try_from(purged).unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> KstDateTime {
        KstDateTime::from_unix_seconds(1_800_000_000 + seconds).unwrap()
    }

    #[test]
    fn a_quota_admits_keys_below_both_limits() {
        let quota = Quota {
            max_keys: 2,
            max_bytes: 100,
        };
        assert!(quota.admits(Usage { keys: 1, bytes: 99 }));
        assert!(!quota.admits(Usage { keys: 2, bytes: 0 }));
        assert!(!quota.admits(Usage {
            keys: 0,
            bytes: 100
        }));
    }

    #[test]
    fn a_key_is_claimed_replayed_refused_or_taken_over() {
        let window = Window {
            now: at(100_000),
            lapsed_before: at(100_000 - 86_400),
            abandoned_before: at(100_000 - 120),
            quota: Quota {
                max_keys: 10,
                max_bytes: 1_000,
            },
        };
        let mine = Fingerprint([1; 32]);
        let answer = StoredAnswer {
            status: 201,
            content_type: "application/json".into(),
            location: None,
            body: b"{}".to_vec(),
        };
        let kept = |answer: Option<StoredAnswer>, created: i64, updated: i64| Kept {
            fingerprint: mine,
            answer,
            created_at: at(created),
            updated_at: at(updated),
        };
        assert_eq!(decide(None, mine, &window), Decision::Claim);
        assert_eq!(
            decide(
                Some(kept(Some(answer.clone()), 99_000, 99_000)),
                mine,
                &window
            ),
            Decision::Answer(Begin::Replay(answer.clone()))
        );
        assert_eq!(
            decide(
                Some(kept(Some(answer.clone()), 99_000, 99_000)),
                Fingerprint([2; 32]),
                &window
            ),
            Decision::Answer(Begin::Reused)
        );
        assert_eq!(
            decide(Some(kept(None, 99_990, 99_990)), mine, &window),
            Decision::Answer(Begin::InFlight)
        );
        // In flight for longer than any request may take: its process died before commit.
        assert_eq!(
            decide(Some(kept(None, 99_000, 99_000)), mine, &window),
            Decision::Claim
        );
        // A day old: lapsed, whatever it held, even for another request.
        assert_eq!(
            decide(
                Some(kept(Some(answer), 10_000, 10_000)),
                Fingerprint([3; 32]),
                &window
            ),
            Decision::Claim
        );
    }
}
