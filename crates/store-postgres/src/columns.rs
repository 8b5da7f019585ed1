//! Reading typed columns of a row, with driver errors and corrupt values as store errors.

use claims_domain::{KstDateTime, VendorId};
use claims_store::{StoreError, stored};
use tokio_postgres::Row;

use crate::error::db_error;

pub(crate) fn time(row: &Row, index: usize) -> Result<KstDateTime, StoreError> {
    let value: jiff::Timestamp = row.try_get(index).map_err(db_error)?;
    stored::time(value.as_second())
}

pub(crate) fn opt_time(row: &Row, index: usize) -> Result<Option<KstDateTime>, StoreError> {
    let value: Option<jiff::Timestamp> = row.try_get(index).map_err(db_error)?;
    value.map(|v| stored::time(v.as_second())).transpose()
}

pub(crate) fn int(row: &Row, index: usize) -> Result<i64, StoreError> {
    row.try_get::<_, i32>(index)
        .map(i64::from)
        .map_err(db_error)
}

pub(crate) fn big(row: &Row, index: usize) -> Result<i64, StoreError> {
    row.try_get::<_, i64>(index).map_err(db_error)
}

pub(crate) fn string(row: &Row, index: usize) -> Result<String, StoreError> {
    row.try_get::<_, String>(index).map_err(db_error)
}

pub(crate) fn vendor(row: &Row, index: usize) -> Result<VendorId, StoreError> {
    stored::vendor(row.try_get(index).map_err(db_error)?)
}

pub(crate) fn opt_vendor(row: &Row, index: usize) -> Result<Option<VendorId>, StoreError> {
    stored::opt_vendor(row.try_get::<_, Option<&str>>(index).map_err(db_error)?)
}
