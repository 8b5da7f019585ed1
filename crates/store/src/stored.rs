//! Reading back what a backend stored: every value passes the domain's checks again on the
//! way out, and one that does not is reported as corruption rather than trusted.

use claims_domain::{
    Fault, InvalidValue, ItemSeq, KstDateTime, MediaCode, OrderNo, Quantity, ReasonCode, Text,
    VendorId, Won,
};

use crate::StoreError;

/// A stored value that no longer passes the domain's checks: the database was edited by
/// hand or is corrupt.
pub fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::internal(format!("corrupt data in the database: {what}"))
}

fn corrupt_value(error: InvalidValue) -> StoreError {
    corrupt(error)
}

pub fn time(seconds: i64) -> Result<KstDateTime, StoreError> {
    KstDateTime::from_unix_seconds(seconds).ok_or_else(|| corrupt(format!("time {seconds}")))
}

pub fn opt_time(seconds: Option<i64>) -> Result<Option<KstDateTime>, StoreError> {
    seconds.map(time).transpose()
}

pub fn vendor(id: &str) -> Result<VendorId, StoreError> {
    VendorId::parse("splVenId", id).map_err(corrupt_value)
}

pub fn opt_vendor(id: Option<&str>) -> Result<Option<VendorId>, StoreError> {
    id.map(vendor).transpose()
}

pub fn order_no(no: &str) -> Result<OrderNo, StoreError> {
    OrderNo::parse("ordNo", no).map_err(corrupt_value)
}

pub fn seq(n: i64) -> Result<ItemSeq, StoreError> {
    ItemSeq::new("ordItemSeq", n).map_err(corrupt_value)
}

pub fn qty(n: i64) -> Result<Quantity, StoreError> {
    Quantity::new("qty", n).map_err(corrupt_value)
}

pub fn won(n: i64) -> Result<Won, StoreError> {
    Won::new("amount", n).map_err(corrupt_value)
}

pub fn count(n: i64) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| corrupt(format!("count {n}")))
}

pub fn media(code: &str) -> Result<MediaCode, StoreError> {
    MediaCode::from_code(code).ok_or_else(|| corrupt(format!("media code {code:?}")))
}

pub fn reason(code: &str) -> Result<ReasonCode, StoreError> {
    ReasonCode::from_code(code).ok_or_else(|| corrupt(format!("reason code {code:?}")))
}

pub fn fault(code: &str) -> Result<Fault, StoreError> {
    Fault::from_code(code).ok_or_else(|| corrupt(format!("fault code {code:?}")))
}

pub fn text(value: String) -> Text {
    Text::from_stored(value)
}

/// Remembers where the last row of a page sits, without allocating per row.
#[derive(Debug, Default)]
pub struct LastRow {
    at: Option<KstDateTime>,
    clm_no: String,
    seq: u32,
}

impl LastRow {
    pub fn note(&mut self, row: &claims_domain::CancelRowRef<'_>) {
        self.at = Some(row.canceled_at);
        self.clm_no.clear();
        self.clm_no.push_str(row.clm_no);
        self.seq = row.clm_item_seq;
    }

    pub fn into_key(self) -> Result<Option<claims_domain::RowKey>, StoreError> {
        let Some(canceled_at) = self.at else {
            return Ok(None);
        };
        Ok(Some(claims_domain::RowKey {
            canceled_at,
            clm_no: order_no(&self.clm_no)?,
            clm_item_seq: seq(i64::from(self.seq))?,
        }))
    }
}
