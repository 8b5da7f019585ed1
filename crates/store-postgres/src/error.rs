//! Turning driver and pool errors into store errors.

use claims_store::StoreError;
use deadpool_postgres::PoolError;

/// Maps a driver error: a lost connection, a server shutting down or refusing connections,
/// or a transaction the server aborted to break a conflict may succeed later (code 90);
/// anything else is internal.
pub(crate) fn db_error(error: tokio_postgres::Error) -> StoreError {
    if error.is_closed() {
        return StoreError::Unavailable(Box::new(error));
    }
    let retryable = match error.code() {
        Some(state) => {
            let code = state.code();
            code.starts_with("08") // connection exception
                || code.starts_with("53") // insufficient resources: too many connections, disk full
                || code.starts_with("57P") // operator intervention: shutdown, cannot connect now
                || code == "40001" // serialization failure
                || code == "40P01" // deadlock detected
        }
        // No SQL state: the failure happened on the way to the server (I/O, timeout).
        None => {
            let source = std::error::Error::source(&error);
            source.is_some_and(|source| source.downcast_ref::<std::io::Error>().is_some())
        }
    };
    if retryable {
        StoreError::Unavailable(Box::new(error))
    } else {
        StoreError::Internal(Box::new(error))
    }
}

pub(crate) fn pool_error(error: PoolError) -> StoreError {
    match error {
        PoolError::Backend(error) => db_error(error),
        PoolError::Timeout(_) => {
            StoreError::Unavailable("no database connection became available in time".into())
        }
        other => StoreError::Unavailable(Box::new(other)),
    }
}

/// The database did not answer within the configured time.
pub(crate) fn timed_out() -> StoreError {
    StoreError::Unavailable("the database did not answer in time".into())
}
