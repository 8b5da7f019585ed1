//! Turning SQLite values and errors into domain values and store errors.

use claims_domain::{
    Fault, InvalidValue, ItemSeq, KstDateTime, MediaCode, OrderNo, Quantity, ReasonCode, Text,
    VendorId, Won,
};
use claims_store::StoreError;
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

/// A stored value that no longer passes the domain's checks: the file was edited by hand
/// or is corrupt.
pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::internal(format!("corrupt data in the database: {what}"))
}

fn corrupt_value(error: InvalidValue) -> StoreError {
    corrupt(error)
}

pub(crate) fn time(seconds: i64) -> Result<KstDateTime, StoreError> {
    KstDateTime::from_unix_seconds(seconds).ok_or_else(|| corrupt(format!("time {seconds}")))
}

pub(crate) fn opt_time(seconds: Option<i64>) -> Result<Option<KstDateTime>, StoreError> {
    seconds.map(time).transpose()
}

pub(crate) fn vendor(id: &str) -> Result<VendorId, StoreError> {
    VendorId::parse("splVenId", id).map_err(corrupt_value)
}

pub(crate) fn opt_vendor(id: Option<&str>) -> Result<Option<VendorId>, StoreError> {
    id.map(vendor).transpose()
}

pub(crate) fn order_no(no: &str) -> Result<OrderNo, StoreError> {
    OrderNo::parse("ordNo", no).map_err(corrupt_value)
}

pub(crate) fn seq(n: i64) -> Result<ItemSeq, StoreError> {
    ItemSeq::new("ordItemSeq", n).map_err(corrupt_value)
}

pub(crate) fn qty(n: i64) -> Result<Quantity, StoreError> {
    Quantity::new("qty", n).map_err(corrupt_value)
}

pub(crate) fn won(n: i64) -> Result<Won, StoreError> {
    Won::new("amount", n).map_err(corrupt_value)
}

pub(crate) fn count(n: i64) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| corrupt(format!("count {n}")))
}

pub(crate) fn media(code: &str) -> Result<MediaCode, StoreError> {
    MediaCode::from_code(code).ok_or_else(|| corrupt(format!("media code {code:?}")))
}

pub(crate) fn reason(code: &str) -> Result<ReasonCode, StoreError> {
    ReasonCode::from_code(code).ok_or_else(|| corrupt(format!("reason code {code:?}")))
}

pub(crate) fn fault(code: &str) -> Result<Fault, StoreError> {
    Fault::from_code(code).ok_or_else(|| corrupt(format!("fault code {code:?}")))
}

pub(crate) fn text(value: String) -> Text {
    Text::from_stored(value)
}
