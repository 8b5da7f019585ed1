//! SSG's shipping and cancel-request calls on the wire: their request bodies and query
//! strings, and their answers, in both formats.
//!
//! The answers use the inquiry's envelope (`result.{resultCode, resultMessage, resultDesc}`)
//! with the call's data beside those three. Lists come as SSG's XStream writes them: the
//! shipping lists wrapped twice (`"shppDirections": [{"shppDirection": [row, …]}]`, a single
//! row as the object itself, none as `[]`), the claim calls' `resultData` as a plain array.
//! In JSON, values SSG sends as numbers are numbers; identifiers with leading zeros, codes
//! and text are strings. In XML every value is text.

use std::borrow::Cow;

use claims_domain::{
    CancelRequest, Claim, DelayReason, ItemSeq, ItemState, KstDate, LineStatus, NewOrder,
    NoSellReason, OrderNo, PendingLine, Period, PeriodError, Quantity, SHIPPING_SEQ, Scope,
    ShippingItem, ShippingNo, Text, TextRule, Waybill,
};
use claims_domain::{DeliveredBy, DeliveredQuery, Lookup};

use crate::failure::{Field, Malformation};
use crate::request::{Fields, Root, decode_fields, parse_date};
use crate::response::{escape_xml_bytes, success_desc, write_envelope_head, write_json_string};
use crate::{Failure, Format, Lang, ResultCode};

/// How many days `perdEndDts` may follow `perdStrDts` on a shipping list: integrations ask
/// for today−180 … today.
pub const SHIPPING_LIST_MAX_SPAN: i32 = 180;
/// How many days `perdEndDts` may follow `perdStrDts` on the cancel-request list:
/// integrations ask for today−7 … today.
pub const CANCEL_REQUESTS_MAX_SPAN: i32 = 7;

/// A shipping list of SSG's: items to confirm, or items to release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShippingList {
    /// `listShppDirection`: items in 배송지시.
    Directions,
    /// `listWarehouseOut`: items in 피킹완료.
    WarehouseOut,
}

impl ShippingList {
    fn root(self) -> &'static str {
        match self {
            ShippingList::Directions => "requestShppDirection",
            ShippingList::WarehouseOut => "requestWarehouseOut",
        }
    }

    /// The period types the call takes (all filter on the order date here).
    fn period_types(self) -> &'static [&'static str] {
        match self {
            ShippingList::Directions => &["01", "02", "03"],
            ShippingList::WarehouseOut => &["01", "02", "03", "04"],
        }
    }

    /// The answer's list and row elements.
    pub fn listing(self) -> Listing {
        match self {
            ShippingList::Directions => Listing::Wrapped {
                list: "shppDirections",
                item: "shppDirection",
            },
            ShippingList::WarehouseOut => Listing::Wrapped {
                list: "warehouseOuts",
                item: "warehouseOut",
            },
        }
    }
}

pub(crate) fn required(fields: &Fields, field: Field) -> Result<&str, Failure> {
    fields.get(field).ok_or(Failure::Required { field })
}

pub(crate) fn malformed(field: Field, value: &str, problem: Malformation) -> Failure {
    Failure::Malformed {
        field,
        value: value.to_owned(),
        problem,
    }
}

/// A positive whole number written in digits.
pub(crate) fn number(fields: &Fields, field: Field) -> Result<u64, Failure> {
    let value = required(fields, field)?;
    value
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0 && value.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| malformed(field, value, Malformation::NotANumber))
}

/// A period from `perdStrDts` and `perdEndDts`, the end at most `max_span` days after the
/// start.
pub(crate) fn period(fields: &Fields, max_span: i32) -> Result<Period, Failure> {
    let start = required(fields, Field::PerdStrDts)?;
    let end = required(fields, Field::PerdEndDts)?;
    let from = parse_date(Field::PerdStrDts, start)?;
    let to = parse_date(Field::PerdEndDts, end)?;
    Period::spanning(from, to, max_span + 1).map_err(|err| match err {
        PeriodError::StartAfterEnd => Failure::StartAfterEnd {
            start: start.to_owned(),
            end: end.to_owned(),
        },
        PeriodError::TooLong { days, max } => Failure::PeriodTooLong { days, max },
    })
}

/// What a shipping list asks: a period on the order date, and the filters integrations send
/// for exchange replacements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShippingQuery {
    pub period: Period,
    /// `shppStatCd`: `10` items that may ship, `30` replacements waiting for their pickup
    /// (none: both).
    pub waiting: Option<bool>,
    /// `shppDivDtlCd`: `11` the orders' own items, `15` exchange replacements (none: both).
    pub replacements: Option<bool>,
}

impl ShippingQuery {
    /// Whether `item` is one the filters let through.
    pub fn admits(&self, item: &ShippingItem) -> bool {
        let waiting = item
            .exchange
            .as_ref()
            .is_some_and(|of| of.status == claims_domain::ReplacementStatus::Waiting);
        self.waiting.is_none_or(|w| w == waiting)
            && self
                .replacements
                .is_none_or(|r| r == item.exchange.is_some())
    }
}

/// Reads the body of a shipping list call: its period on the order date, the end at most
/// 180 days after the start (`perdType` must be one the call takes; each filters on the
/// order date here, and on the filing of the exchange for a replacement), and the optional
/// `shppStatCd` (10, 30) and `shppDivDtlCd` (11, 15) filters.
pub fn decode_shipping_list(
    format: Format,
    body: &[u8],
    list: ShippingList,
) -> Result<ShippingQuery, Failure> {
    let fields = decode_fields(
        format,
        body,
        Root::Named(list.root()),
        &[
            Field::PerdType,
            Field::PerdStrDts,
            Field::PerdEndDts,
            Field::ShppStatCd,
            Field::ShppDivDtlCd,
        ],
    )?;
    let perd_type = required(&fields, Field::PerdType)?;
    if !list.period_types().contains(&perd_type) {
        let allowed = match list {
            ShippingList::Directions => "01, 02, 03",
            ShippingList::WarehouseOut => "01, 02, 03, 04",
        };
        return Err(malformed(
            Field::PerdType,
            perd_type,
            Malformation::NotOneOf { allowed },
        ));
    }
    let waiting = match fields.get(Field::ShppStatCd) {
        None => None,
        Some("10") => Some(false),
        Some("30") => Some(true),
        Some(other) => {
            return Err(malformed(
                Field::ShppStatCd,
                other,
                Malformation::NotOneOf {
                    allowed: "10 (정상), 30 (대기)",
                },
            ));
        }
    };
    let replacements = match fields.get(Field::ShppDivDtlCd) {
        None => None,
        Some("11") => Some(false),
        Some("15") => Some(true),
        Some(other) => {
            return Err(malformed(
                Field::ShppDivDtlCd,
                other,
                Malformation::NotOneOf {
                    allowed: "11 (일반출고), 15 (교환출고)",
                },
            ));
        }
    };
    Ok(ShippingQuery {
        period: period(&fields, SHIPPING_LIST_MAX_SPAN)?,
        waiting,
        replacements,
    })
}

/// An item as SSG's shipping calls name it: `shppNo` and `shppSeq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShippingRef {
    pub shpp_no: ShippingNo,
    /// Always 1 for an item of this service; another names no item.
    pub shpp_seq: u64,
}

impl ShippingRef {
    /// Whether it can name an item here at all.
    pub fn is_ours(self) -> bool {
        self.shpp_seq == u64::from(SHIPPING_SEQ)
    }
}

pub(crate) fn shipping_ref(fields: &Fields) -> Result<ShippingRef, Failure> {
    let shpp_no = number(fields, Field::ShppNo)?;
    let shpp_no = ShippingNo::new(Field::ShppNo.name(), shpp_no).map_err(|_| {
        malformed(
            Field::ShppNo,
            &shpp_no.to_string(),
            Malformation::NotANumber,
        )
    })?;
    Ok(ShippingRef {
        shpp_no,
        shpp_seq: number(fields, Field::ShppSeq)?,
    })
}

/// Reads the body of `updateOrderSubjectManage` (confirming an item).
pub fn decode_confirm(format: Format, body: &[u8]) -> Result<ShippingRef, Failure> {
    let fields = decode_fields(
        format,
        body,
        Root::Named("requestOrderSubjectManage"),
        &[Field::ShppNo, Field::ShppSeq],
    )?;
    shipping_ref(&fields)
}

/// `saveWblNo`: a waybill for an item. `shppTypeCd` and `shppTypeDtlCd` are taken as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaybillCall {
    pub item: ShippingRef,
    pub waybill: Waybill,
}

pub fn decode_waybill(format: Format, body: &[u8]) -> Result<WaybillCall, Failure> {
    let fields = decode_fields(
        format,
        body,
        Root::Named("requestWhOutCompleteProcess"),
        &[
            Field::ShppNo,
            Field::ShppSeq,
            Field::WblNo,
            Field::DelicoVenId,
            Field::ShppTypeCd,
            Field::ShppTypeDtlCd,
        ],
    )?;
    let item = shipping_ref(&fields)?;
    let wbl_no = required(&fields, Field::WblNo)?;
    let delico = required(&fields, Field::DelicoVenId)?;
    let waybill = Waybill::new(delico, wbl_no).map_err(|invalid| {
        let field = if invalid.field == Field::WblNo.name() {
            Field::WblNo
        } else {
            Field::DelicoVenId
        };
        let value = if field == Field::WblNo {
            wbl_no
        } else {
            delico
        };
        malformed(field, value, Malformation::NotACode)
    })?;
    Ok(WaybillCall { item, waybill })
}

/// `saveWhOutCompleteProcess`: releasing an item's `procItemQty` units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReleaseCall {
    pub item: ShippingRef,
    pub qty: Quantity,
}

pub fn decode_release(format: Format, body: &[u8]) -> Result<ReleaseCall, Failure> {
    let fields = decode_fields(
        format,
        body,
        Root::Named("requestWhOutCompleteProcess"),
        &[Field::ShppNo, Field::ShppSeq, Field::ProcItemQty],
    )?;
    let item = shipping_ref(&fields)?;
    let qty = number(&fields, Field::ProcItemQty)?;
    let qty = Quantity::new(Field::ProcItemQty.name(), qty as i64).map_err(|_| {
        malformed(
            Field::ProcItemQty,
            &qty.to_string(),
            Malformation::NotANumber,
        )
    })?;
    Ok(ReleaseCall { item, qty })
}

/// The longest `shortgProcDtlc` (what the vendor writes about an out-of-stock item), in
/// characters.
pub const NO_SELL_TEXT_MAX_CHARS: usize = 200;

/// What `saveNoSellRequestRegist` asks (`scEvnt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoSellEvent {
    /// `I`: register the item as out of stock, for `reason`, with the vendor's words.
    Register { reason: NoSellReason, text: Text },
    /// `D`: withdraw the registration in force.
    Withdraw,
}

/// `saveNoSellRequestRegist`: an out-of-stock registration or its withdrawal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoSellCall {
    pub item: ShippingRef,
    /// The item's `itemId`, as the vendor knows it: it must be the item's.
    pub item_id: String,
    pub event: NoSellEvent,
}

/// Reads the body of `saveNoSellRequestRegist` (root `requestNoSellRequestRegist`).
pub fn decode_no_sell(format: Format, body: &[u8]) -> Result<NoSellCall, Failure> {
    let fields = decode_fields(
        format,
        body,
        Root::Named("requestNoSellRequestRegist"),
        &[
            Field::ShppNo,
            Field::ShppSeq,
            Field::ItemId,
            Field::ScEvnt,
            Field::ShortgRsnCd,
            Field::ShortgProcDtlc,
        ],
    )?;
    let item = shipping_ref(&fields)?;
    let item_id = required(&fields, Field::ItemId)?.to_owned();
    let event = match required(&fields, Field::ScEvnt)? {
        "I" => {
            let code = required(&fields, Field::ShortgRsnCd)?;
            let reason = NoSellReason::from_code(code).ok_or_else(|| {
                malformed(
                    Field::ShortgRsnCd,
                    code,
                    Malformation::NotOneOf {
                        allowed: "08 (상품정보오류), 09 (결품)",
                    },
                )
            })?;
            let written = fields.get(Field::ShortgProcDtlc).unwrap_or("");
            let text = Text::parse(
                Field::ShortgProcDtlc.name(),
                written,
                TextRule::paragraph(NO_SELL_TEXT_MAX_CHARS),
            )
            .map_err(|invalid| {
                malformed(
                    Field::ShortgProcDtlc,
                    written,
                    Malformation::BadText(invalid.problem),
                )
            })?;
            NoSellEvent::Register { reason, text }
        }
        "D" => NoSellEvent::Withdraw,
        other => {
            return Err(malformed(
                Field::ScEvnt,
                other,
                Malformation::NotOneOf {
                    allowed: "I (register), D (withdraw)",
                },
            ));
        }
    };
    Ok(NoSellCall {
        item,
        item_id,
        event,
    })
}

/// `listShppingDelay`: a delay notice for an item (a write, whatever its name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelayCall {
    pub item: ShippingRef,
    pub item_id: String,
    pub reason: DelayReason,
    /// The new release date (`whinExpcDt`); how far ahead it may be is the rules' to say.
    pub until: KstDate,
}

/// Reads the body of `listShppingDelay` (root `requestShppingDelay`).
pub fn decode_delay(format: Format, body: &[u8]) -> Result<DelayCall, Failure> {
    let fields = decode_fields(
        format,
        body,
        Root::Named("requestShppingDelay"),
        &[
            Field::ShppNo,
            Field::ShppSeq,
            Field::ItemId,
            Field::ShortgRsnCd,
            Field::WhinExpcDt,
        ],
    )?;
    let item = shipping_ref(&fields)?;
    let item_id = required(&fields, Field::ItemId)?.to_owned();
    let code = required(&fields, Field::ShortgRsnCd)?;
    let reason = DelayReason::from_code(code).ok_or_else(|| {
        malformed(
            Field::ShortgRsnCd,
            code,
            Malformation::NotOneOf {
                allowed: "01 (공급/출고 지연), 03 (주문제작)",
            },
        )
    })?;
    let until = parse_date(Field::WhinExpcDt, required(&fields, Field::WhinExpcDt)?)?;
    Ok(DelayCall {
        item,
        item_id,
        reason,
        until,
    })
}

/// A delay notice's date the rules refused: outside the days after `today`, at most
/// `max_days` ahead (code 11).
pub fn delay_date_refused(until: KstDate, today: KstDate, max_days: u32) -> Failure {
    malformed(
        Field::WhinExpcDt,
        &until.compact(),
        Malformation::DateOutOfRange {
            today: today.compact(),
            max_days,
        },
    )
}

/// Reads the body of `saveDeliveryEnd` (root `requestDeliveryEnd`): the shipment delivered.
pub fn decode_delivery_end(format: Format, body: &[u8]) -> Result<ShippingRef, Failure> {
    let fields = decode_fields(
        format,
        body,
        Root::Named("requestDeliveryEnd"),
        &[Field::ShppNo, Field::ShppSeq],
    )?;
    shipping_ref(&fields)
}

/// How many days `perdEndDts` may follow `perdStrDts` on the delivered list: a week, unless
/// an item is looked up (`commType`), when the period is not limited.
pub const DELIVERED_MAX_SPAN: i32 = 7;

/// The longest period a lookup may name, in days (it is "not limited"; this only keeps a
/// typo from asking for centuries).
const LOOKUP_MAX_SPAN: i32 = 3_660;

/// Reads the body of `listDeliveryEnd` (root `requestDeliveryEnd`): `perdType` `01` delivery,
/// `02` release, `03`/`04` order date, over at most 7 days; or `commType` `01` (original
/// order number) / `02` (shipping number) with `commValue`, when the period may be left out.
pub fn decode_delivered_list(format: Format, body: &[u8]) -> Result<DeliveredQuery, Failure> {
    let fields = decode_fields(
        format,
        body,
        Root::Named("requestDeliveryEnd"),
        &[
            Field::PerdType,
            Field::PerdStrDts,
            Field::PerdEndDts,
            Field::CommType,
            Field::CommValue,
        ],
    )?;
    let lookup =
        comm_lookup(&fields, "01", "02", "01 (원주문번호), 02 (배송번호)")?.map(|lookup| {
            match lookup {
                CommLookup::Order(ord_no) => Lookup::Order(ord_no),
                CommLookup::Shipping(shpp_no) => Lookup::Shipping(shpp_no),
            }
        });
    let by = match fields.get(Field::PerdType) {
        None if lookup.is_some() => DeliveredBy::Delivered,
        None => {
            return Err(Failure::Required {
                field: Field::PerdType,
            });
        }
        Some("01") => DeliveredBy::Delivered,
        Some("02") => DeliveredBy::Released,
        Some("03" | "04") => DeliveredBy::Ordered,
        Some(other) => {
            return Err(malformed(
                Field::PerdType,
                other,
                Malformation::NotOneOf {
                    allowed: "01, 02, 03, 04",
                },
            ));
        }
    };
    let period = lookup_period(&fields, lookup.is_some(), DELIVERED_MAX_SPAN)?;
    Ok(DeliveredQuery { by, period, lookup })
}

/// A shipment or order a later list call looks up (`commType` with `commValue`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CommLookup {
    Order(OrderNo),
    Shipping(ShippingNo),
}

/// The lookup `commType` and `commValue` ask for, the call's codes for an order number and
/// a shipping number being `order` and `shipping` (`allowed` names them for a refusal).
pub(crate) fn comm_lookup(
    fields: &Fields,
    order: &str,
    shipping: &str,
    allowed: &'static str,
) -> Result<Option<CommLookup>, Failure> {
    let Some(kind) = fields.get(Field::CommType) else {
        return Ok(None);
    };
    let value = required(fields, Field::CommValue)?;
    if kind == order {
        let ord_no = OrderNo::parse(Field::CommValue.name(), value)
            .map_err(|_| malformed(Field::CommValue, value, Malformation::NotAnOrderNumber))?;
        Ok(Some(CommLookup::Order(ord_no)))
    } else if kind == shipping {
        let n = number(fields, Field::CommValue)?;
        let shpp_no = ShippingNo::new(Field::CommValue.name(), n)
            .map_err(|_| malformed(Field::CommValue, value, Malformation::NotANumber))?;
        Ok(Some(CommLookup::Shipping(shpp_no)))
    } else {
        Err(malformed(
            Field::CommType,
            kind,
            Malformation::NotOneOf { allowed },
        ))
    }
}

/// The period of a list call that may look something up instead: left out with a lookup
/// (then not held to a week, since one client sends 15 days), else at most `max_span`.
pub(crate) fn lookup_period(
    fields: &Fields,
    looked_up: bool,
    max_span: i32,
) -> Result<Option<Period>, Failure> {
    let dates = (fields.get(Field::PerdStrDts), fields.get(Field::PerdEndDts));
    match (dates, looked_up) {
        ((None, None), true) => Ok(None),
        (_, true) => Ok(Some(period(fields, LOOKUP_MAX_SPAN)?)),
        (_, false) => Ok(Some(period(fields, max_span)?)),
    }
}

/// A row of `listDeliveryEnd`: the warehouse-out row of a delivered shipment (`51`), with
/// when it was delivered (`shppDt`) and released (`whoutDt`), and `orOrdNo` beside
/// `orordNo` (a client reads that spelling).
pub fn delivered_row(item: &ShippingItem) -> CallRow<'_> {
    let time =
        |at: Option<claims_domain::KstDateTime>| at.map_or_else(String::new, |t| t.to_wire());
    shipping_row(item, ShippingList::WarehouseOut)
        .with("shppDt", time(item.state.delivered_at))
        .with("whoutDt", time(item.state.shipped_at))
        .with("reOrderYn", "N")
        .with("orOrdNo", item.ord_no.as_str())
}

/// `listDeliveryEnd`'s answer: `"deliveryEnds": [{"deliveryEnd": …}]`, none as `[""]`.
pub const DELIVERED_LISTING: Listing = Listing::WrappedOrBlank {
    list: "deliveryEnds",
    item: "deliveryEnd",
};

/// Fields from a query string's pairs (the names the call takes; others ignored).
pub fn query_fields<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    wanted: &[Field],
) -> Fields {
    let mut fields = Fields::default();
    for (name, value) in pairs {
        if let Some(field) = wanted.iter().copied().find(|f| f.name() == name) {
            fields.set(field, value);
        }
    }
    fields
}

/// The period of `GET /api/claim/v2/cancel/requests` (today−7 … today at the longest).
pub fn cancel_requests_period(query: &Fields) -> Result<Period, Failure> {
    period(query, CANCEL_REQUESTS_MAX_SPAN)
}

/// The item whose pending cancel request line an approval names: the original order item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApproveCall {
    pub ord_no: OrderNo,
    pub item_seq: ItemSeq,
}

/// The fields an approval takes, from its query string or its body.
pub const APPROVE_FIELDS: &[Field] = &[Field::OrdNo, Field::OrdItemSeq];

/// Reads an approval's `ordNo` and `ordItemSeq`.
pub fn approve_call(fields: &Fields) -> Result<ApproveCall, Failure> {
    let ord_no = required(fields, Field::OrdNo)?;
    let ord_no = OrderNo::parse(Field::OrdNo.name(), ord_no)
        .map_err(|_| malformed(Field::OrdNo, ord_no, Malformation::NotAnOrderNumber))?;
    let seq = number(fields, Field::OrdItemSeq)?;
    let item_seq = ItemSeq::new(Field::OrdItemSeq.name(), seq as i64).map_err(|_| {
        malformed(
            Field::OrdItemSeq,
            &seq.to_string(),
            Malformation::NotANumber,
        )
    })?;
    Ok(ApproveCall { ord_no, item_seq })
}

/// Reads an approval's body (`{"ordNo", "ordItemSeq"}`); an empty body gives no fields.
pub fn decode_approve_body(format: Format, body: &[u8]) -> Result<Fields, Failure> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Fields::default());
    }
    decode_fields(format, body, Root::Any, APPROVE_FIELDS)
}

// ---------------------------------------------------------------------------------------
// Answers

/// A value in an answer: text, or a number SSG sends as a JSON number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    Text(Cow<'a, str>),
    Number(u64),
    /// Nested rows under the field's name: a JSON array of objects, in XML one element per
    /// row (the inquiry's `cstInfo`).
    Rows(Vec<CallRow<'a>>),
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(text: &'a str) -> Self {
        Value::Text(Cow::Borrowed(text))
    }
}

impl From<String> for Value<'_> {
    fn from(text: String) -> Self {
        Value::Text(Cow::Owned(text))
    }
}

impl From<u64> for Value<'_> {
    fn from(number: u64) -> Self {
        Value::Number(number)
    }
}

impl From<u32> for Value<'_> {
    fn from(number: u32) -> Self {
        Value::Number(u64::from(number))
    }
}

/// An amount in won: a number (amounts are never negative).
pub(crate) fn won(amount: i64) -> Value<'static> {
    Value::Number(amount.max(0) as u64)
}

/// A code SSG sends as a number (`shppProgStatDtlCd`).
pub(crate) fn code_number(code: &str) -> Value<'static> {
    Value::Number(code.parse().expect("numeric codes are digits"))
}

/// `itemId`: SSG's are numbers; one that is not all digits (or too large to be read
/// exactly) stays text.
pub(crate) fn item_id(id: &str) -> Value<'_> {
    match id.parse::<u64>() {
        Ok(n) if n <= ShippingNo::MAX && id.bytes().all(|b| b.is_ascii_digit()) => Value::Number(n),
        _ => Value::Text(Cow::Borrowed(id)),
    }
}

/// One row of an answer: fields in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallRow<'a>(pub Vec<(&'static str, Value<'a>)>);

impl<'a> CallRow<'a> {
    pub(crate) fn with(mut self, name: &'static str, value: impl Into<Value<'a>>) -> Self {
        self.0.push((name, value.into()));
        self
    }

    pub(crate) fn value(mut self, name: &'static str, value: Value<'a>) -> Self {
        self.0.push((name, value));
        self
    }
}

/// How an answer's rows are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// `"list": [{"item": rows}]`, where `rows` is the one row itself when there is one,
    /// and the list is `[]` when there is none. XML: `<list><item>…</item>…</list>`.
    Wrapped {
        list: &'static str,
        item: &'static str,
    },
    /// `"name": [rows]`. XML: one `<name>` element per row.
    Flat(&'static str),
    /// As [`Listing::Wrapped`], but no row is `"list": [""]` — the empty string SSG's later
    /// calls send in the wrapper's place (clients test for it). XML: the wrapper, empty.
    WrappedOrBlank {
        list: &'static str,
        item: &'static str,
    },
}

fn write_value(format: Format, name: &str, value: &Value<'_>, out: &mut Vec<u8>) {
    match (value, format) {
        (Value::Number(n), _) => out.extend_from_slice(n.to_string().as_bytes()),
        (Value::Text(text), Format::Json) => write_json_string(text, out),
        (Value::Text(text), Format::Xml) => escape_xml_bytes(text, out),
        (Value::Rows(rows), Format::Json) => {
            out.push(b'[');
            for (index, row) in rows.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_row(format, row, name, out);
            }
            out.push(b']');
        }
        (Value::Rows(rows), Format::Xml) => {
            for row in rows {
                write_row(format, row, name, out);
            }
        }
    }
}

fn write_row(format: Format, row: &CallRow<'_>, element: &str, out: &mut Vec<u8>) {
    match format {
        Format::Json => {
            out.push(b'{');
            for (index, (name, value)) in row.0.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                out.push(b'"');
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b"\":");
                write_value(format, name, value, out);
            }
            out.push(b'}');
        }
        Format::Xml => {
            open(element, out);
            for (name, value) in &row.0 {
                if let Value::Rows(_) = value {
                    // Each nested row is an element of the field's name already.
                    write_value(format, name, value, out);
                    continue;
                }
                open(name, out);
                write_value(format, name, value, out);
                close(name, out);
            }
            close(element, out);
        }
    }
}

fn open(name: &str, out: &mut Vec<u8>) {
    out.push(b'<');
    out.extend_from_slice(name.as_bytes());
    out.push(b'>');
}

fn close(name: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(b"</");
    out.extend_from_slice(name.as_bytes());
    out.push(b'>');
}

fn success_head(format: Format, lang: Lang, out: &mut Vec<u8>) {
    write_envelope_head(
        format,
        ResultCode::Success,
        "SUCCESS",
        success_desc(lang),
        out,
    );
}

fn tail(format: Format, out: &mut Vec<u8>) {
    match format {
        Format::Json => out.extend_from_slice(b"}}"),
        Format::Xml => out.extend_from_slice(b"</result>"),
    }
}

/// A successful answer holding `rows`.
pub fn encode_rows(format: Format, lang: Lang, listing: Listing, rows: &[CallRow<'_>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + rows.len() * 600);
    success_head(format, lang, &mut out);
    match (format, listing) {
        (
            Format::Json,
            Listing::Wrapped { list, item } | Listing::WrappedOrBlank { list, item },
        ) => {
            out.extend_from_slice(format!(",\"{list}\":[").as_bytes());
            match rows {
                [] if matches!(listing, Listing::WrappedOrBlank { .. }) => {
                    out.extend_from_slice(b"\"\"");
                }
                [] => {}
                [one] => {
                    out.extend_from_slice(format!("{{\"{item}\":").as_bytes());
                    write_row(format, one, item, &mut out);
                    out.push(b'}');
                }
                many => {
                    out.extend_from_slice(format!("{{\"{item}\":[").as_bytes());
                    for (index, row) in many.iter().enumerate() {
                        if index > 0 {
                            out.push(b',');
                        }
                        write_row(format, row, item, &mut out);
                    }
                    out.extend_from_slice(b"]}");
                }
            }
            out.push(b']');
        }
        (Format::Json, Listing::Flat(name)) => {
            out.extend_from_slice(format!(",\"{name}\":[").as_bytes());
            for (index, row) in rows.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_row(format, row, name, &mut out);
            }
            out.push(b']');
        }
        (Format::Xml, Listing::Wrapped { list, item } | Listing::WrappedOrBlank { list, item }) => {
            open(list, &mut out);
            for row in rows {
                write_row(format, row, item, &mut out);
            }
            close(list, &mut out);
        }
        (Format::Xml, Listing::Flat(name)) => {
            for row in rows {
                write_row(format, row, name, &mut out);
            }
        }
    }
    tail(format, &mut out);
    out
}

/// `rows` as a JSON array of objects, as a list of the call's answer holds them (for the
/// event feed, which carries the same rows).
pub fn encode_json_rows(rows: &[CallRow<'_>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + rows.len() * 600);
    out.push(b'[');
    for (index, row) in rows.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        write_row(Format::Json, row, "", &mut out);
    }
    out.push(b']');
    out
}

/// A successful answer with nothing but the envelope (a call that changed something).
pub fn encode_done(format: Format, lang: Lang) -> Vec<u8> {
    let mut out = Vec::with_capacity(160);
    success_head(format, lang, &mut out);
    tail(format, &mut out);
    out
}

/// A row of `listShppDirection` or `listWarehouseOut`.
pub fn shipping_row(item: &ShippingItem, list: ShippingList) -> CallRow<'_> {
    let state = &item.state;
    let status = state.shipping_status();
    let order_item = &item.item;
    let recipient = &item.recipient;
    let ord_no = item.ord_no.as_str();
    let seq = order_item.seq.get();
    // A replacement stands under the exchange's number, for an item of the original order.
    let (oror_no, oror_seq) = match &item.exchange {
        Some(of) => (of.oror_no.as_str(), of.item_seq.get()),
        None => (ord_no, seq),
    };
    let (stat_cd, stat_nm) = item
        .exchange
        .as_ref()
        .map_or(("10", "정상"), |of| (of.status.code(), of.status.name()));
    let division = crate::pickups::shipping_division(item.exchange.is_some());
    let row = CallRow::default()
        .with("ordNo", ord_no)
        .with("ordItemSeq", seq)
        .with("orordNo", oror_no)
        .with("orordItemSeq", oror_seq)
        .with("shppNo", state.shpp_no.get())
        .with("shppSeq", SHIPPING_SEQ)
        .value("shppStatCd", code_number(stat_cd))
        .with("shppStatNm", stat_nm)
        .value("shppDivDtlCd", code_number(division.code()))
        .with("shppDivDtlNm", division.name())
        .value("shppProgStatDtlCd", code_number(status.code()))
        .with("shppProgStatDtlNm", status.name())
        .with("shppTypeCd", "20")
        .with("shppTypeDtlCd", "22")
        .value("itemId", item_id(order_item.item_id.as_str()))
        .with("itemNm", order_item.item_nm.as_str())
        .with("uitemId", order_item.uitem_id.as_str())
        .with("uitemNm", order_item.uitem_nm.as_str())
        .with("dircItemQty", state.ordered)
        .with("cnclItemQty", state.canceled)
        .with("ordQty", state.open())
        .value("sellprc", won(order_item.unit_price.get()))
        .value("shppcst", won(item.shipping_fee.get()))
        .with("ordRcpDts", item.received_at.to_wire())
        .with("ordpeNm", item.ordpe_nm.as_str())
        .with("rcptpeNm", recipient.name.as_str())
        .with("rcptpeHpno", recipient.phone.as_str())
        .with("shpplocBascAddr", recipient.base_address.as_str())
        .with("shpplocDtlAddr", recipient.detail_address.as_str())
        .with("shpplocZpCd", recipient.postal_code.as_str())
        .with("ordMemoCntt", recipient.memo.as_str())
        .with("splVenId", order_item.vendor.as_str())
        .with(
            "lrnkSplVenId",
            order_item.lower_rank.as_ref().map_or("", |v| v.as_str()),
        );
    match list {
        ShippingList::Directions => row,
        ShippingList::WarehouseOut => row
            .value("lastShppProgStatDtlCd", code_number(status.code()))
            .with(
                "ordCnfmDts",
                state.confirmed_at.map_or_else(String::new, |t| t.to_wire()),
            )
            .with("wblNo", state.waybill.as_ref().map_or("", |w| w.wbl_no()))
            .with(
                "delicoVenId",
                state.waybill.as_ref().map_or("", |w| w.delico_ven_id()),
            )
            .with(
                "whinExpcDt",
                state
                    .delay
                    .as_ref()
                    .map_or_else(String::new, |delay| delay.until.compact()),
            )
            .with(
                "delayNts",
                state.delay.as_ref().map_or(0, |delay| delay.notices),
            ),
    }
}

/// A row of `GET /api/claim/v2/cancel/requests`.
pub fn pending_line_row(pending: &PendingLine) -> CallRow<'_> {
    let ord_no = pending.oror_no.as_str();
    let seq = pending.line.item_seq.get();
    CallRow::default()
        .with("ordNo", ord_no)
        .with("ordItemSeq", seq)
        .with("orordNo", ord_no)
        .with("orordItemSeq", seq)
        .with("shppNo", pending.shpp_no.get())
        .with("shppSeq", SHIPPING_SEQ)
        .with("clmDemndDts", pending.filed_at.to_wire())
        .value("itemId", item_id(pending.item.item_id.as_str()))
        .with("itemNm", pending.item.item_nm.as_str())
        .with("uitemId", pending.item.uitem_id.as_str())
        .with("uitemNm", pending.item.uitem_nm.as_str())
        .with("procOrdQty", pending.line.qty.get())
        .with("clmRsnCd", pending.reason.code())
        .with("clmRsnNm", pending.reason.name())
        .with("clmRsnCntt", pending.reason_text.as_str())
        .with("imptDivCd", pending.fault.code())
        .with("clmProgStatCd", pending.line.status.code())
}

/// The rows of `GET /api/claim/v2/order/{orordNo}` for the vendor holding `scope`: one per
/// item of its (`ordItemDiv` 011), one per cancellation in effect (021, `clmProgStatCd` 20)
/// and one per pending cancel request line (021, 10). Empty when the order has no item of
/// the vendor's.
pub fn order_detail_rows<'a>(
    order: &'a NewOrder,
    items: &'a [ItemState],
    claims: &'a [Claim],
    requests: &'a [CancelRequest],
    pickups: &'a [claims_domain::PickupClaim],
    scope: &Scope,
) -> Vec<CallRow<'a>> {
    let ord_no = order.ord_no().as_str();
    let mine = |vendor: &claims_domain::VendorId, lower: Option<&claims_domain::VendorId>| {
        scope.covers(vendor, lower)
    };
    let mut rows = Vec::new();
    for (item, state) in order.items().iter().zip(items) {
        if !mine(&item.vendor, item.lower_rank.as_ref()) {
            continue;
        }
        let seq = item.seq.get();
        rows.push(
            CallRow::default()
                .with("ordItemDiv", "011")
                .with("ordNo", ord_no)
                .with("ordItemSeq", seq)
                .with("orordNo", ord_no)
                .with("orordItemSeq", seq)
                .value("itemId", item_id(item.item_id.as_str()))
                .with("itemNm", item.item_nm.as_str())
                .with("uitemId", item.uitem_id.as_str())
                .with("dircItemQty", state.ordered)
                .with("cnclQty", state.canceled)
                .with("shpmtQty", state.shipped)
                .value(
                    "shppProgStatDtlCd",
                    code_number(state.shipping_status().code()),
                ),
        );
    }
    for claim in claims {
        for line in &claim.lines {
            let Some(item) = order.item(line.item_seq) else {
                continue;
            };
            if !mine(&item.vendor, item.lower_rank.as_ref()) {
                continue;
            }
            rows.push(cancel_row(
                claim.clm_no.as_str(),
                line.line_seq.get(),
                ord_no,
                item,
                line.qty.get(),
                LineStatus::Approved,
            ));
        }
    }
    for request in requests {
        for line in &request.lines {
            if line.status != LineStatus::Requested {
                continue;
            }
            let Some(item) = order.item(line.item_seq) else {
                continue;
            };
            if !mine(&item.vendor, item.lower_rank.as_ref()) {
                continue;
            }
            rows.push(cancel_row(
                ord_no,
                line.item_seq.get(),
                ord_no,
                item,
                line.qty.get(),
                LineStatus::Requested,
            ));
        }
    }
    for claim in pickups {
        for line in &claim.lines {
            let shown = !matches!(
                line.status,
                claims_domain::PickupStatus::Withdrawn | claims_domain::PickupStatus::Refused
            );
            let Some(item) = order.item(line.item_seq) else {
                continue;
            };
            if !shown || !mine(&line.cost.vendor, line.cost.lower_rank.as_ref()) {
                continue;
            }
            rows.extend(pickup_detail_rows(claim, line, ord_no, item));
        }
    }
    rows
}

/// The order detail's rows of a return's or an exchange's line: `031` a return's pickup
/// (with `retProcStatCd`), `041` an exchange's pickup and `042` its replacement.
fn pickup_detail_rows<'a>(
    claim: &'a claims_domain::PickupClaim,
    line: &'a claims_domain::PickupLine,
    oror_no: &'a str,
    item: &'a claims_domain::NewOrderItem,
) -> Vec<CallRow<'a>> {
    let head = |div: &'static str, seq: u32, uitem_id: &'a str| {
        CallRow::default()
            .with("ordItemDiv", div)
            .with("ordNo", claim.clm_no.as_str())
            .with("ordItemSeq", seq)
            .with("orordNo", oror_no)
            .with("orordItemSeq", item.seq.get())
            .value("itemId", item_id(item.item_id.as_str()))
            .with("itemNm", item.item_nm.as_str())
            .with("uitemId", uitem_id)
            .with("dircItemQty", line.qty.get())
            .with("cnclQty", 0u32)
    };
    let pickup = |div| {
        head(div, line.line_seq.get(), item.uitem_id.as_str())
            .with("shpmtQty", 0u32)
            .value("lastShppProgStatDtlCd", code_number(line.status.code()))
    };
    match (claim.kind, &line.replacement) {
        (claims_domain::PickupKind::Return, _) => {
            vec![pickup("031").with("retProcStatCd", line.status.outcome())]
        }
        (claims_domain::PickupKind::Exchange, replacement) => {
            let mut rows = vec![pickup("041")];
            if let Some(replacement) = replacement {
                let shipped = if replacement.shipped_at.is_some() {
                    replacement.qty.get()
                } else {
                    0
                };
                let status = replacement.shipping_status(&line.cost.vendor);
                rows.push(
                    head(
                        "042",
                        replacement.line_seq.get(),
                        replacement.uitem_id.as_str(),
                    )
                    .with("shpmtQty", shipped)
                    .value("shppProgStatDtlCd", code_number(status.code())),
                );
            }
            rows
        }
    }
}

fn cancel_row<'a>(
    ord_no: &'a str,
    ord_item_seq: u32,
    oror_no: &'a str,
    item: &'a claims_domain::NewOrderItem,
    qty: u32,
    status: LineStatus,
) -> CallRow<'a> {
    // A pending line cancels nothing yet: its units are asked (`procOrdQty`), and `cnclQty`
    // stays 0, since integrations read `cnclQty > 0` as a cancellation done.
    let pending = status == LineStatus::Requested;
    let row = CallRow::default()
        .with("ordItemDiv", "021")
        .with("ordNo", ord_no)
        .with("ordItemSeq", ord_item_seq)
        .with("orordNo", oror_no)
        .with("orordItemSeq", item.seq.get())
        .value("itemId", item_id(item.item_id.as_str()))
        .with("itemNm", item.item_nm.as_str())
        .with("uitemId", item.uitem_id.as_str())
        .with("dircItemQty", item.qty.get())
        .with("cnclQty", if pending { 0 } else { qty })
        .with("shpmtQty", 0u32)
        .with("clmProgStatCd", status.code());
    if pending {
        row.with("procOrdQty", qty)
    } else {
        row
    }
}
