//! The canceled-order inquiry: what a vendor asks for, what it may see, and the rows.

use crate::{
    ClaimNo, Fault, InvalidValue, ItemSeq, KstDateTime, MediaCode, OrderNo, Period, Quantity,
    ReasonCode, Text, VendorId, Won,
};

/// What an API key may see and act on: a vendor's rows, or only those of one of its
/// lower-rank vendors.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    pub vendor: VendorId,
    pub lower_rank: Option<VendorId>,
}

impl Scope {
    /// Whether something belonging to `vendor` (fulfilled by `lower_rank`) is in scope.
    pub fn covers(&self, vendor: &VendorId, lower_rank: Option<&VendorId>) -> bool {
        &self.vendor == vendor
            && match &self.lower_rank {
                None => true,
                Some(mine) => lower_rank == Some(mine),
            }
    }
}

/// The item sequence numbers of an original-order search (`orordItemSeqs`): distinct,
/// ascending, at least one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemSeqs(Vec<ItemSeq>);

impl ItemSeqs {
    /// The most sequence numbers one search may list.
    pub const MAX: usize = 1000;

    /// Parses `"1,2,3"`: comma-separated positive integers, spaces around them tolerated,
    /// duplicates ignored.
    pub fn parse(field: &str, value: &str) -> Result<Self, InvalidValue> {
        let mut seqs = Vec::new();
        for part in value.split(',') {
            let part = part.trim_matches(|c: char| c == ' ' || c == '\t');
            if part.is_empty() {
                return Err(InvalidValue::new(
                    field,
                    "has an empty entry; write positive integers separated by commas, like 1,2,3",
                ));
            }
            if part.len() > 6 || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(InvalidValue::new(
                    field,
                    format!("has {part:?}, which is not a sequence number between 1 and 999999"),
                ));
            }
            let number: i64 = part.parse().expect("six ASCII digits parse as i64");
            seqs.push(ItemSeq::new(field, number)?);
            if seqs.len() > Self::MAX {
                return Err(InvalidValue::new(
                    field,
                    format!("lists more than {} sequence numbers", Self::MAX),
                ));
            }
        }
        seqs.sort();
        seqs.dedup();
        Ok(Self(seqs))
    }

    pub fn from_seqs(mut seqs: Vec<ItemSeq>) -> Option<Self> {
        seqs.sort();
        seqs.dedup();
        (!seqs.is_empty()).then_some(Self(seqs))
    }

    pub fn as_slice(&self) -> &[ItemSeq] {
        &self.0
    }

    pub fn contains(&self, seq: ItemSeq) -> bool {
        self.0.binary_search(&seq).is_ok()
    }
}

/// A search by original order number, optionally narrowed to some of its items.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OriginalOrder {
    pub ord_no: OrderNo,
    pub item_seqs: Option<ItemSeqs>,
}

/// A valid inquiry: by period, by original order, or by both (then both filters apply).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InquiryQuery {
    period: Option<Period>,
    original: Option<OriginalOrder>,
}

impl InquiryQuery {
    /// `None` when neither filter is given: an inquiry must be narrowed by something.
    pub fn new(period: Option<Period>, original: Option<OriginalOrder>) -> Option<Self> {
        (period.is_some() || original.is_some()).then_some(Self { period, original })
    }

    pub fn by_period(period: Period) -> Self {
        Self {
            period: Some(period),
            original: None,
        }
    }

    pub fn period(&self) -> Option<Period> {
        self.period
    }

    pub fn original(&self) -> Option<&OriginalOrder> {
        self.original.as_ref()
    }

    /// Whether a row answers this query (the store's SQL says the same; tests use this to
    /// compute the expected answer independently).
    pub fn matches(&self, row: &CancelRow) -> bool {
        let in_period = self
            .period
            .is_none_or(|period| period.contains(row.canceled_at));
        let of_order = self.original.as_ref().is_none_or(|original| {
            original.ord_no == row.oror_no
                && original
                    .item_seqs
                    .as_ref()
                    .is_none_or(|seqs| seqs.contains(row.oror_item_seq))
        });
        in_period && of_order
    }
}

/// Where a row sits in the answer's order: cancel time, then claim number, then line.
/// Also the cursor for reading a long answer page by page.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RowKey {
    pub canceled_at: KstDateTime,
    pub clm_no: ClaimNo,
    pub clm_item_seq: ItemSeq,
}

/// A cost line of a claim line (`cstInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostLine {
    /// Outbound shipping fee refunded (`shpmtShppcst`).
    pub shpmt_shppcst: Won,
    /// Return shipping fee (`retShppcst`); always 0 for cancellations.
    pub ret_shppcst: Won,
    /// Exchange shipping fee (`exchShppcst`); always 0 for cancellations.
    pub exch_shppcst: Won,
    /// Vendor-borne discount returned (`splVenBdnDcAmt`).
    pub spl_ven_bdn_dc_amt: Won,
    pub vendor: VendorId,
    pub lower_rank: Option<VendorId>,
}

/// One row of the inquiry: a claim line with what the vendor needs to know of the original
/// order and item. Field names follow SSG's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelRow {
    pub ordpe_nm: Text,
    pub media: MediaCode,
    pub oror_no: OrderNo,
    pub oror_item_seq: ItemSeq,
    /// The claim's order number (`ordNo`).
    pub clm_no: ClaimNo,
    /// The line's position in the claim (`ordItemSeq`).
    pub clm_item_seq: ItemSeq,
    pub item_nm: Text,
    pub item_id: Text,
    pub reason: ReasonCode,
    pub reason_text: Text,
    pub fault: Fault,
    /// `ordCnclDts`.
    pub canceled_at: KstDateTime,
    /// `cnclItemQty`: units canceled by this claim line.
    pub qty: Quantity,
    /// `ordRcpDts`.
    pub received_at: KstDateTime,
    /// `dircItemQty`: units of the original order line.
    pub ordered_qty: Quantity,
    pub uitem_id: Text,
    pub uitem_nm: Text,
    /// Cost lines; the store writes one per claim line, but SSG's format allows several.
    pub cost: Vec<CostLine>,
}

impl CancelRow {
    pub fn key(&self) -> RowKey {
        RowKey {
            canceled_at: self.canceled_at,
            clm_no: self.clm_no.clone(),
            clm_item_seq: self.clm_item_seq,
        }
    }

    /// The row as a view. Its `cost` is the first cost line (zeros when there is none); a
    /// row from SSG's wire may carry more, which stay in `self.cost`.
    pub fn view(&self) -> CancelRowRef<'_> {
        CancelRowRef {
            ordpe_nm: self.ordpe_nm.as_str(),
            media: self.media,
            oror_no: self.oror_no.as_str(),
            oror_item_seq: self.oror_item_seq.get(),
            clm_no: self.clm_no.as_str(),
            clm_item_seq: self.clm_item_seq.get(),
            item_nm: self.item_nm.as_str(),
            item_id: self.item_id.as_str(),
            reason: self.reason,
            reason_text: self.reason_text.as_str(),
            fault: self.fault,
            canceled_at: self.canceled_at,
            qty: self.qty.get(),
            received_at: self.received_at,
            ordered_qty: self.ordered_qty.get(),
            uitem_id: self.uitem_id.as_str(),
            uitem_nm: self.uitem_nm.as_str(),
            cost: self.cost.first().map_or(CostLineRef::ZERO, CostLine::view),
        }
    }

    /// The vendor and lower-rank vendor the row belongs to (those of its item).
    pub fn owner(&self) -> Option<(&VendorId, Option<&VendorId>)> {
        self.cost
            .first()
            .map(|cost| (&cost.vendor, cost.lower_rank.as_ref()))
    }
}

/// A row of the inquiry as a store reads it, borrowing its text from the store's buffers:
/// the answer can be written from it without copying a single value. It has the one cost
/// line every stored claim line has.
///
/// Its text is what the store holds, unchecked; [`CancelRowRef::to_owned_row`] checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancelRowRef<'a> {
    pub ordpe_nm: &'a str,
    pub media: MediaCode,
    pub oror_no: &'a str,
    pub oror_item_seq: u32,
    pub clm_no: &'a str,
    pub clm_item_seq: u32,
    pub item_nm: &'a str,
    pub item_id: &'a str,
    pub reason: ReasonCode,
    pub reason_text: &'a str,
    pub fault: Fault,
    pub canceled_at: KstDateTime,
    pub qty: u32,
    pub received_at: KstDateTime,
    pub ordered_qty: u32,
    pub uitem_id: &'a str,
    pub uitem_nm: &'a str,
    pub cost: CostLineRef<'a>,
}

impl CostLine {
    pub fn view(&self) -> CostLineRef<'_> {
        CostLineRef {
            shpmt_shppcst: self.shpmt_shppcst.get(),
            ret_shppcst: self.ret_shppcst.get(),
            exch_shppcst: self.exch_shppcst.get(),
            spl_ven_bdn_dc_amt: self.spl_ven_bdn_dc_amt.get(),
            vendor: self.vendor.as_str(),
            lower_rank: self.lower_rank.as_ref().map_or("", VendorId::as_str),
        }
    }
}

/// The cost line of a [`CancelRowRef`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostLineRef<'a> {
    pub shpmt_shppcst: i64,
    pub ret_shppcst: i64,
    pub exch_shppcst: i64,
    pub spl_ven_bdn_dc_amt: i64,
    pub vendor: &'a str,
    /// Empty when the item has no lower-rank vendor.
    pub lower_rank: &'a str,
}

impl CostLineRef<'static> {
    /// A cost line of zeros and no vendor.
    pub const ZERO: Self = Self {
        shpmt_shppcst: 0,
        ret_shppcst: 0,
        exch_shppcst: 0,
        spl_ven_bdn_dc_amt: 0,
        vendor: "",
        lower_rank: "",
    };
}

impl CancelRowRef<'_> {
    /// An owned row, every value checked against the domain's rules.
    pub fn to_owned_row(&self) -> Result<CancelRow, InvalidValue> {
        let cost = &self.cost;
        Ok(CancelRow {
            ordpe_nm: Text::from_stored(self.ordpe_nm.to_owned()),
            media: self.media,
            oror_no: OrderNo::parse("orordNo", self.oror_no)?,
            oror_item_seq: ItemSeq::new("orordItemSeq", i64::from(self.oror_item_seq))?,
            clm_no: ClaimNo::parse("ordNo", self.clm_no)?,
            clm_item_seq: ItemSeq::new("ordItemSeq", i64::from(self.clm_item_seq))?,
            item_nm: Text::from_stored(self.item_nm.to_owned()),
            item_id: Text::from_stored(self.item_id.to_owned()),
            reason: self.reason,
            reason_text: Text::from_stored(self.reason_text.to_owned()),
            fault: self.fault,
            canceled_at: self.canceled_at,
            qty: Quantity::new("cnclItemQty", i64::from(self.qty))?,
            received_at: self.received_at,
            ordered_qty: Quantity::new("dircItemQty", i64::from(self.ordered_qty))?,
            uitem_id: Text::from_stored(self.uitem_id.to_owned()),
            uitem_nm: Text::from_stored(self.uitem_nm.to_owned()),
            cost: vec![CostLine {
                shpmt_shppcst: Won::new("shpmtShppcst", cost.shpmt_shppcst)?,
                ret_shppcst: Won::new("retShppcst", cost.ret_shppcst)?,
                exch_shppcst: Won::new("exchShppcst", cost.exch_shppcst)?,
                spl_ven_bdn_dc_amt: Won::new("splVenBdnDcAmt", cost.spl_ven_bdn_dc_amt)?,
                vendor: VendorId::parse("splVenId", cost.vendor)?,
                lower_rank: if cost.lower_rank.is_empty() {
                    None
                } else {
                    Some(VendorId::parse("lrnkSplVenId", cost.lower_rank)?)
                },
            }],
        })
    }
}

/// Which claim line a store found, before it reads the rest of the line: its vendor and its
/// place in the answer's order (together, the stored line's primary key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowId<'a> {
    pub vendor: &'a str,
    pub canceled_at: KstDateTime,
    pub clm_no: &'a str,
    pub clm_item_seq: u32,
}

impl<'a> RowId<'a> {
    /// The id of a row read in full.
    pub fn of(row: &CancelRowRef<'a>) -> Self {
        Self {
            vendor: row.cost.vendor,
            canceled_at: row.canceled_at,
            clm_no: row.clm_no,
            clm_item_seq: row.clm_item_seq,
        }
    }
}

/// Where a store hands the rows of an inquiry page, one at a time, as it reads them. A sink
/// handed to a store comes back as `Box<dyn RowSink>`; being `Any`, it can be turned back into
/// its own type.
///
/// A sink may also keep rows it was handed, and write them again knowing only their
/// [`RowId`]: a claim line never changes once it is written, so a row kept is the row. For
/// such a sink ([`RowSink::keeps_rows`]) a store reads a page's ids first, asks
/// [`RowSink::find_row`] for each in the page's order, and then, again in order, has
/// [`RowSink::held_row`] write each row found and reads in full only the others, handing
/// them to [`RowSink::row`]; or it drops what was found ([`RowSink::drop_held`]) and reads
/// the whole page, when that is cheaper.
pub trait RowSink: Send + std::any::Any {
    fn row(&mut self, row: &CancelRowRef<'_>) -> Result<(), InvalidValue>;

    /// Whether this sink keeps rows (see the trait's description).
    fn keeps_rows(&self) -> bool {
        false
    }

    /// Looks for the row `id` among the rows kept; when it is there, sets it aside for
    /// [`RowSink::held_row`] and says so.
    fn find_row(&mut self, id: &RowId<'_>) -> bool {
        let _ = id;
        false
    }

    /// Writes the earliest row set aside by [`RowSink::find_row`] as the page's next row.
    fn held_row(&mut self) {}

    /// Forgets the rows set aside: the store reads the page in full instead.
    fn drop_held(&mut self) {}
}

/// Collecting owned rows (checked as they come).
impl RowSink for Vec<CancelRow> {
    fn row(&mut self, row: &CancelRowRef<'_>) -> Result<(), InvalidValue> {
        self.push(row.to_owned_row()?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vendor(id: &str) -> VendorId {
        VendorId::parse("splVenId", id).unwrap()
    }

    #[test]
    fn sequence_lists_tolerate_spaces_and_duplicates() {
        let seqs = ItemSeqs::parse("orordItemSeqs", " 3, 1,2 ,3").unwrap();
        let numbers: Vec<u32> = seqs.as_slice().iter().map(|s| s.get()).collect();
        assert_eq!(numbers, [1, 2, 3]);
    }

    #[test]
    fn bad_sequence_lists_are_refused() {
        for bad in [
            "", ",", "1,", "1,,2", "a", "1;2", "0", "-1", "1.5", "+1", "1 2", "9999999",
        ] {
            let err = ItemSeqs::parse("orordItemSeqs", bad).unwrap_err();
            assert_eq!(err.field, "orordItemSeqs", "{bad:?}");
        }
    }

    #[test]
    fn an_inquiry_needs_a_filter() {
        assert!(InquiryQuery::new(None, None).is_none());
    }

    #[test]
    fn narrowed_scopes_see_only_their_lower_rank_vendor() {
        let whole = Scope {
            vendor: vendor("0000012345"),
            lower_rank: None,
        };
        let narrow = Scope {
            vendor: vendor("0000012345"),
            lower_rank: Some(vendor("0000012346")),
        };
        let own = vendor("0000012345");
        let low = vendor("0000012346");
        let sibling = vendor("0000012347");
        assert!(whole.covers(&own, None));
        assert!(whole.covers(&own, Some(&low)));
        assert!(!whole.covers(&vendor("0000099999"), None));
        assert!(narrow.covers(&own, Some(&low)));
        assert!(!narrow.covers(&own, Some(&sibling)));
        assert!(!narrow.covers(&own, None));
    }
}
