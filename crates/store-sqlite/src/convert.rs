//! Turning SQLite errors into store errors; stored values are read with
//! [`claims_store::stored`].

use claims_store::StoreError;
pub(crate) use claims_store::stored::*;
use rusqlite::ErrorCode;

/// Maps a driver error: a busy or unreachable database may recover (code 90), anything
/// else is internal.
pub(crate) fn db_error(error: rusqlite::Error) -> StoreError {
    match &error {
        rusqlite::Error::SqliteFailure(failure, _)
            if matches!(
                failure.code,
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked | ErrorCode::CannotOpen
            ) =>
        {
            StoreError::Unavailable(Box::new(error))
        }
        _ => StoreError::Internal(Box::new(error)),
    }
}
