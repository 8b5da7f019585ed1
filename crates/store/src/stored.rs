//! Reading back what a backend stored: every value passes the domain's checks again on the
//! way out, and one that does not is reported as corruption rather than trusted.

use claims_domain::{
    CancelRowRef, ClaimNo, CostLineRef, Fault, InvalidValue, ItemSeq, KstDateTime, MediaCode,
    OrderNo, Quantity, ReasonCode, RowId, RowSink, Text, VendorId, Won,
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

pub fn claim_no(no: &str) -> Result<ClaimNo, StoreError> {
    ClaimNo::parse("clmNo", no).map_err(corrupt_value)
}

pub fn request_id(id: &str) -> Result<claims_domain::RequestId, StoreError> {
    claims_domain::RequestId::parse("requestId", id).map_err(corrupt_value)
}

pub fn seq(n: i64) -> Result<ItemSeq, StoreError> {
    ItemSeq::new("ordItemSeq", n).map_err(corrupt_value)
}

pub fn shipping_no(n: i64) -> Result<claims_domain::ShippingNo, StoreError> {
    let n = u64::try_from(n).map_err(|_| corrupt(format!("shipping number {n}")))?;
    claims_domain::ShippingNo::new("shppNo", n).map_err(corrupt_value)
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

/// The columns of an inquiry row, as both backends name them in their `claim_lines`
/// table, in the order [`cancel_row`] reads them.
pub const ROW_COLUMNS: &str = "ordpe_nm, ord_rcp_media_cd, oror_no, oror_item_seq, \
     clm_no, clm_item_seq, item_nm, item_id, clm_rsn_cd, clm_rsn_cntt, impt_div_cd, \
     ord_cncl_dts, cncl_item_qty, ord_rcp_dts, dirc_item_qty, uitem_id, uitem_nm, \
     shpmt_shppcst, ret_shppcst, exch_shppcst, spl_ven_bdn_dc_amt, spl_ven_id, lrnk_spl_ven_id";

/// One selected row's columns by position (from 0, in [`ROW_COLUMNS`] order), read through
/// a backend's driver without copying: each backend says how its driver reads a column,
/// [`cancel_row`] says which column is which.
pub trait RowColumns<'r> {
    fn text(&self, index: usize) -> Result<&'r str, StoreError>;
    /// A text column that may be NULL.
    fn opt_text(&self, index: usize) -> Result<Option<&'r str>, StoreError>;
    /// A sequence number or quantity.
    fn count(&self, index: usize) -> Result<u32, StoreError>;
    /// An amount in won.
    fn amount(&self, index: usize) -> Result<i64, StoreError>;
    fn time(&self, index: usize) -> Result<KstDateTime, StoreError>;
}

/// Reads a row selected with [`ROW_COLUMNS`] as a view borrowing the driver's buffers.
pub fn cancel_row<'r>(columns: &impl RowColumns<'r>) -> Result<CancelRowRef<'r>, StoreError> {
    Ok(CancelRowRef {
        ordpe_nm: columns.text(0)?,
        media: media(columns.text(1)?)?,
        oror_no: columns.text(2)?,
        oror_item_seq: columns.count(3)?,
        clm_no: columns.text(4)?,
        clm_item_seq: columns.count(5)?,
        item_nm: columns.text(6)?,
        item_id: columns.text(7)?,
        reason: reason(columns.text(8)?)?,
        reason_text: columns.text(9)?,
        fault: fault(columns.text(10)?)?,
        canceled_at: columns.time(11)?,
        qty: columns.count(12)?,
        received_at: columns.time(13)?,
        ordered_qty: columns.count(14)?,
        uitem_id: columns.text(15)?,
        uitem_nm: columns.text(16)?,
        cost: CostLineRef {
            shpmt_shppcst: columns.amount(17)?,
            ret_shppcst: columns.amount(18)?,
            exch_shppcst: columns.amount(19)?,
            spl_ven_bdn_dc_amt: columns.amount(20)?,
            vendor: columns.text(21)?,
            lower_rank: columns.opt_text(22)?.unwrap_or(""),
        },
    })
}

/// The columns that place a row in an inquiry's answer (with the vendor, which every
/// inquiry's conditions fix, the stored line's primary key), in this order: what a page's id
/// scan reads.
pub const ID_COLUMNS: &str = "ord_cncl_dts, clm_no, clm_item_seq";

/// A page's row ids, as an id scan read them, held apart from the driver's buffers (the scan
/// is done before any row is read in full).
#[derive(Debug)]
pub struct PageIds<'v> {
    vendor: &'v str,
    /// Each row's time, line and the range of its claim number in `clm_nos`.
    ids: Vec<(KstDateTime, u32, std::ops::Range<usize>)>,
    clm_nos: String,
}

impl<'v> PageIds<'v> {
    /// The ids of a page of `vendor`'s rows.
    pub fn new(vendor: &'v str) -> Self {
        Self {
            vendor,
            ids: Vec::new(),
            clm_nos: String::new(),
        }
    }

    pub fn push(&mut self, canceled_at: KstDateTime, clm_no: &str, clm_item_seq: u32) {
        let start = self.clm_nos.len();
        self.clm_nos.push_str(clm_no);
        self.ids
            .push((canceled_at, clm_item_seq, start..self.clm_nos.len()));
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn get(&self, index: usize) -> RowId<'_> {
        let (canceled_at, clm_item_seq, clm_no) = &self.ids[index];
        RowId {
            vendor: self.vendor,
            canceled_at: *canceled_at,
            clm_no: &self.clm_nos[clm_no.clone()],
            clm_item_seq: *clm_item_seq,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = RowId<'_>> {
        (0..self.len()).map(|index| self.get(index))
    }

    /// Asks `sink` for each row in order; gives back, for each, whether it holds the row.
    pub fn find_in(&self, sink: &mut dyn RowSink) -> Vec<bool> {
        self.iter().map(|id| sink.find_row(&id)).collect()
    }

    /// Where the page ends, for the next page to start after.
    pub fn last(&self) -> Result<Option<claims_domain::RowKey>, StoreError> {
        let Some(index) = self.len().checked_sub(1) else {
            return Ok(None);
        };
        let id = self.get(index);
        Ok(Some(claims_domain::RowKey {
            canceled_at: id.canceled_at,
            clm_no: claim_no(id.clm_no)?,
            clm_item_seq: seq(i64::from(id.clm_item_seq))?,
        }))
    }
}

/// Whether a row read in full is the one its id scan found (a claim line never changes or
/// goes away, so anything else is corruption or a bug).
pub fn check_found(id: &RowId<'_>, row: &CancelRowRef<'_>) -> Result<(), StoreError> {
    if RowId::of(row) == *id {
        Ok(())
    } else {
        Err(StoreError::internal(format!(
            "claim line {}-{} of {} was read as {}-{}",
            id.clm_no, id.clm_item_seq, id.vendor, row.clm_no, row.clm_item_seq
        )))
    }
}

/// Remembers where the last row of a page sits, without allocating per row.
#[derive(Debug, Default)]
pub struct LastRow {
    at: Option<KstDateTime>,
    clm_no: String,
    seq: u32,
}

impl LastRow {
    pub fn note(&mut self, row: &CancelRowRef<'_>) {
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
            clm_no: claim_no(&self.clm_no)?,
            clm_item_seq: seq(i64::from(self.seq))?,
        }))
    }
}
