//! SSG's return and exchange pickup calls on the wire (회수): the vendor's list of pickups
//! (`listExchangeTarget`), its confirmation (`saveConfirmRcov`), completion
//! (`saveCompleteRcov`, the same body under the same root) and a return's refusal
//! (`saveRefusualReturn`, SSG's spelling), with the rows integrations read.
//!
//! The list answers `"exchangeTargets": [{"exchangeTarget": [row, …]}]`, one row as the
//! object itself and none as `[""]`. Codes SSG sends as numbers (`shppDivDtlCd`,
//! `shppStatCd`, `lastShppProgStatDtlCd`) are JSON numbers; the claim's codes (`clmRsnCd`,
//! `retProcStatCd`, `shppcstBdnMainCd`, `retImptMainCd`, `retRefusRsnCd`) are strings.

use claims_domain::order::rules;
use claims_domain::{
    Blame, Fault, PickupCarrier, PickupDate, PickupKind, PickupListing, PickupLookup, PickupQuery,
    PickupStatus, RefusalReason, SHIPPING_SEQ, ShippingDivision, Text, Waybill,
};

use crate::Failure;
use crate::calls::{
    CallRow, CommLookup, Listing, ShippingRef, Value, code_number, comm_lookup, item_id,
    lookup_period, malformed, number, required, shipping_ref, won,
};
use crate::failure::{Field, Malformation};
use crate::request::{Fields, Root, decode_fields};

/// How many days `perdEndDts` may follow `perdStrDts` on the pickup list.
pub const PICKUP_LIST_MAX_SPAN: i32 = 7;

/// The pickup list's rows: `exchangeTargets`/`exchangeTarget`, none as `[""]`.
pub const PICKUP_LISTING: Listing = Listing::WrappedOrBlank {
    list: "exchangeTargets",
    item: "exchangeTarget",
};

/// A comma-separated list of codes, each one of `allowed`.
fn codes<'a>(
    fields: &'a Fields,
    field: Field,
    allowed: &[&str],
    words: &'static str,
) -> Result<Vec<&'a str>, Failure> {
    let Some(value) = fields.get(field) else {
        return Ok(Vec::new());
    };
    value
        .split(',')
        .map(str::trim)
        .filter(|code| !code.is_empty())
        .map(|code| {
            if allowed.contains(&code) {
                Ok(code)
            } else {
                Err(malformed(
                    field,
                    value,
                    Malformation::NotOneOf { allowed: words },
                ))
            }
        })
        .collect()
}

/// Reads the body of `listExchangeTarget` (root `requestExchangeTarget`): `perdType` `01`
/// filed, `02` completed, `03` held (matches nothing), `04` confirmed, `05` withdrawn, over at
/// most 8 days (end − start ≤ 7); `shppDivDtlCds` 21 and/or 22; `shppProgStatDtlCds` a
/// comma list; `commType` `02` (an order number, the original's or the claim's) or `03` (the
/// pickup's shipping number) with `commValue`, when the period may be left out.
/// `retProcStats` is accepted and ignored.
pub fn decode_pickup_list(format: crate::Format, body: &[u8]) -> Result<PickupQuery, Failure> {
    let fields = decode_fields(
        format,
        body,
        Root::Named("requestExchangeTarget"),
        &[
            Field::PerdType,
            Field::PerdStrDts,
            Field::PerdEndDts,
            Field::ShppDivDtlCds,
            Field::ShppProgStatDtlCds,
            Field::RetProcStats,
            Field::CommType,
            Field::CommValue,
        ],
    )?;
    let lookup =
        comm_lookup(&fields, "02", "03", "02 (주문번호), 03 (배송번호)")?.map(
            |lookup| match lookup {
                CommLookup::Order(ord_no) => PickupLookup::Order(ord_no),
                CommLookup::Shipping(shpp_no) => PickupLookup::Shipping(shpp_no),
            },
        );
    let by = match fields.get(Field::PerdType) {
        None if lookup.is_some() => PickupDate::Filed,
        None => {
            return Err(Failure::Required {
                field: Field::PerdType,
            });
        }
        Some(code) => PickupDate::from_code(code).ok_or_else(|| {
            malformed(
                Field::PerdType,
                code,
                Malformation::NotOneOf {
                    allowed: "01, 02, 03, 04, 05",
                },
            )
        })?,
    };
    let period = lookup_period(&fields, lookup.is_some(), PICKUP_LIST_MAX_SPAN)?;
    let kinds = codes(
        &fields,
        Field::ShppDivDtlCds,
        &["21", "22"],
        "21, 22 or 21,22",
    )?
    .into_iter()
    .map(|code| match code {
        "21" => PickupKind::Return,
        _ => PickupKind::Exchange,
    })
    .collect::<Vec<_>>();
    let kinds = if kinds.contains(&PickupKind::Return) && kinds.contains(&PickupKind::Exchange) {
        Vec::new()
    } else {
        kinds
    };
    let statuses = codes(
        &fields,
        Field::ShppProgStatDtlCds,
        &["61", "63", "64", "65", "66"],
        "61, 63, 64, 65, 66 (comma-separated)",
    )?
    .into_iter()
    .map(str::to_owned)
    .collect();
    Ok(PickupQuery {
        by,
        period,
        kinds,
        statuses,
        lookup,
    })
}

/// `saveConfirmRcov` / `saveCompleteRcov`: a step on one pickup of all its units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupCall {
    pub pickup: ShippingRef,
    pub qty: u32,
    /// How it is fetched (confirmation only): a courier with its waybill, or the vendor's own
    /// delivery.
    pub carrier: PickupCarrier,
    /// `resellPsblYn` `Y`.
    pub resell: bool,
    /// `retImptMainCd`, recorded as given.
    pub blame: Option<Blame>,
}

/// Reads the body of `saveConfirmRcov` (with `confirming`) or `saveCompleteRcov` (root
/// `requestConfirmRcov` for both). To confirm, `shppTypeDtlCd` `22` (the default) needs
/// `delicoVenId` and `wblNo`, digits only, and `14` neither; to complete, the waybill is
/// optional and taken as it stands.
pub fn decode_pickup_step(
    format: crate::Format,
    body: &[u8],
    confirming: bool,
) -> Result<PickupCall, Failure> {
    let fields = decode_fields(
        format,
        body,
        Root::Named("requestConfirmRcov"),
        &[
            Field::ShppNo,
            Field::ShppSeq,
            Field::ProcItemQty,
            Field::ShppTypeDtlCd,
            Field::DelicoVenId,
            Field::WblNo,
            Field::ResellPsblYn,
            Field::RetImptMainCd,
        ],
    )?;
    let pickup = shipping_ref(&fields)?;
    let qty = quantity(&fields)?;
    let waybill = match (fields.get(Field::DelicoVenId), fields.get(Field::WblNo)) {
        (Some(carrier), Some(number)) => Some(pickup_waybill(carrier, number)?),
        _ => None,
    };
    let carrier = match (fields.get(Field::ShppTypeDtlCd).unwrap_or("22"), waybill) {
        ("14", _) => PickupCarrier::Own,
        ("22", Some(waybill)) => PickupCarrier::Courier(waybill),
        ("22", None) if confirming => return Err(Failure::PickupWaybillRequired),
        // A completion names no carrier of its own: the confirmation's stands.
        ("22", None) => PickupCarrier::Own,
        (other, _) => {
            return Err(malformed(
                Field::ShppTypeDtlCd,
                other,
                Malformation::NotOneOf {
                    allowed: "22 (택배), 14 (업체직배송)",
                },
            ));
        }
    };
    let resell = match fields.get(Field::ResellPsblYn) {
        None | Some("N") => false,
        Some("Y") => true,
        Some(other) => {
            return Err(malformed(
                Field::ResellPsblYn,
                other,
                Malformation::NotOneOf { allowed: "Y, N" },
            ));
        }
    };
    let blame = match fields.get(Field::RetImptMainCd) {
        None => None,
        Some(code) => Some(Blame::from_code(code).ok_or_else(|| {
            malformed(
                Field::RetImptMainCd,
                code,
                Malformation::NotOneOf {
                    allowed: "10 (고객), 20 (판매자), 30 (택배사)",
                },
            )
        })?),
    };
    Ok(PickupCall {
        pickup,
        qty,
        carrier,
        resell,
        blame,
    })
}

fn quantity(fields: &Fields) -> Result<u32, Failure> {
    let qty = number(fields, Field::ProcItemQty)?;
    u32::try_from(qty).map_err(|_| {
        malformed(
            Field::ProcItemQty,
            &qty.to_string(),
            Malformation::NotANumber,
        )
    })
}

/// A pickup's waybill: the carrier's code, and a number of digits only (SSG's word for
/// anything else, which a client retries on).
fn pickup_waybill(carrier: &str, number: &str) -> Result<Waybill, Failure> {
    if number.is_empty() || carrier.is_empty() {
        return Err(Failure::PickupWaybillRequired);
    }
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Failure::WaybillNotDigits {
            value: number.to_owned(),
        });
    }
    Waybill::new(carrier, number)
        .map_err(|_| malformed(Field::DelicoVenId, carrier, Malformation::NotACode))
}

/// `saveRefusualReturn`: a return's pickup refused, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupRefusalCall {
    pub pickup: ShippingRef,
    pub qty: u32,
    pub reason: RefusalReason,
    pub memo: Text,
}

/// Reads the body of `saveRefusualReturn` (root `requestRefusualReturn`).
pub fn decode_pickup_refusal(
    format: crate::Format,
    body: &[u8],
) -> Result<PickupRefusalCall, Failure> {
    let fields = decode_fields(
        format,
        body,
        Root::Named("requestRefusualReturn"),
        &[
            Field::ShppNo,
            Field::ShppSeq,
            Field::ProcItemQty,
            Field::RetRefusRsnCd,
            Field::RetProcMemoCntt,
        ],
    )?;
    let pickup = shipping_ref(&fields)?;
    let qty = quantity(&fields)?;
    let code = required(&fields, Field::RetRefusRsnCd)?;
    let reason = RefusalReason::from_code(code).ok_or_else(|| {
        malformed(
            Field::RetRefusRsnCd,
            code,
            Malformation::NotOneOf {
                allowed: "11, 12, 13, 19",
            },
        )
    })?;
    let memo = fields.get(Field::RetProcMemoCntt).unwrap_or("");
    let memo = Text::parse(Field::RetProcMemoCntt.name(), memo, rules::REASON_TEXT).map_err(
        |invalid| {
            malformed(
                Field::RetProcMemoCntt,
                memo,
                Malformation::BadText(invalid.problem.to_string()),
            )
        },
    )?;
    Ok(PickupRefusalCall {
        pickup,
        qty,
        reason,
        memo,
    })
}

fn time(at: Option<claims_domain::KstDateTime>) -> String {
    at.map_or_else(String::new, |t| t.to_wire())
}

/// A row of `listExchangeTarget` (and of the `return.*` and `exchange.*` events): the pickup,
/// its claim and the original shipment it fetches.
pub fn pickup_row(listing: &PickupListing) -> CallRow<'_> {
    let claim = &listing.claim;
    let line = listing.pickup();
    let item = &listing.item;
    let recipient = &listing.recipient;
    let division = claim.kind.division();
    // The pickup's shipment: 정상 while it stands, 취소 once withdrawn.
    let (stat_cd, stat_nm) = if line.status == PickupStatus::Withdrawn {
        ("20", "취소")
    } else {
        ("10", "정상")
    };
    let confirmation = line.confirmation.as_ref();
    // The pickup's waybill once confirmed; the original shipment's before.
    let waybill = confirmation
        .and_then(|c| c.carrier.waybill())
        .or(listing.original.waybill.as_ref());
    let fault = claim.fault();
    let (fault_cd, fault_nm) = match fault {
        Fault::Customer => ("10", "고객"),
        Fault::Vendor => ("20", "업체"),
    };
    let blame = confirmation.and_then(|c| c.blame);
    let refusal = line.refusal.as_ref();
    let returns = claim.kind == PickupKind::Return;
    let refunded = returns && line.status == PickupStatus::Completed;
    let oror_no = claim.oror_no.as_str();
    CallRow::default()
        .with("ordNo", claim.clm_no.as_str())
        .with("ordItemSeq", line.line_seq.get())
        .with("orordNo", oror_no)
        .with("orOrdNo", oror_no)
        .with("orordItemSeq", line.item_seq.get())
        .with("shppNo", line.shpp_no.get())
        .with("shppSeq", SHIPPING_SEQ)
        .with("orshppNo", listing.original.shpp_no.get())
        .with("orshppSeq", SHIPPING_SEQ)
        .value("shppDivDtlCd", code_number(division.code()))
        .with("shppDivDtlNm", division.name())
        .value("shppStatCd", code_number(stat_cd))
        .with("shppStatNm", stat_nm)
        .value("lastShppProgStatDtlCd", code_number(line.status.code()))
        .with("lastShppProgStatDtlNm", line.status.name())
        .with(
            "retProcStatCd",
            if returns { line.status.outcome() } else { "" },
        )
        .with(
            "retProcStatNm",
            if returns {
                line.status.outcome_name()
            } else {
                ""
            },
        )
        .value("itemId", item_id(item.item_id.as_str()))
        .with("itemNm", item.item_nm.as_str())
        .with("uitemId", item.uitem_id.as_str())
        .with("uitemNm", item.uitem_nm.as_str())
        .with("dircItemQty", line.qty.get())
        .with(
            "procItemQty",
            if confirmation.is_some() {
                line.qty.get()
            } else {
                0
            },
        )
        .with(
            "refusRetProcQty",
            if line.status == PickupStatus::Refused {
                line.qty.get()
            } else {
                0
            },
        )
        .with("clmRsnCd", claim.reason.code())
        .with("clmRsnNm", claim.reason.name())
        .with("clmRsnCntt", claim.reason_text.as_str())
        .with("shppcstBdnMainCd", fault_cd)
        .with("shppcstBdnMainNm", fault_nm)
        .with(
            "shppTypeDtlCd",
            confirmation.map_or("", |c| c.carrier.code()),
        )
        .with("delicoVenId", waybill.map_or("", |w| w.delico_ven_id()))
        .with("wblNo", waybill.map_or("", |w| w.wbl_no()))
        .with(
            "resellPsblYn",
            confirmation.map_or("", |c| if c.resell { "Y" } else { "N" }),
        )
        .with("retImptMainCd", blame.map_or("", |b| b.code()))
        .with("retImptMainNm", blame.map_or("", |b| b.name()))
        .with("retRefusRsnCd", refusal.map_or("", |r| r.reason.code()))
        .with("retRefusRsnNm", refusal.map_or("", |r| r.reason.name()))
        .with("retProcMemoCntt", refusal.map_or("", |r| r.memo.as_str()))
        .with("refundYn", if refunded { "Y" } else { "N" })
        .value("refundAmt", won(line.refund.get()))
        .with("rcovDircDt", claim.filed_at.to_wire())
        .with("rcovCnfDt", time(confirmation.map(|c| c.at)))
        .with("rcovCmplDt", time(line.ended_at))
        .with("rcovRvkDt", time(line.withdrawn_at))
        .with("ordpeNm", listing.ordpe_nm.as_str())
        .with("rcptpeNm", recipient.name.as_str())
        .with("rcptpeHpno", recipient.phone.as_str())
        .with("shpplocBascAddr", recipient.base_address.as_str())
        .with("shpplocDtlAddr", recipient.detail_address.as_str())
        .with("shpplocZpCd", recipient.postal_code.as_str())
        .with("splVenId", line.cost.vendor.as_str())
        .with(
            "lrnkSplVenId",
            line.cost.lower_rank.as_ref().map_or("", |v| v.as_str()),
        )
        .value(
            "cstInfo",
            Value::Rows(vec![
                CallRow::default()
                    .value("shpmtShppcst", won(line.cost.shpmt_shppcst.get()))
                    .value("retShppcst", won(line.cost.ret_shppcst.get()))
                    .value("exchShppcst", won(line.cost.exch_shppcst.get()))
                    .value("splVenBdnDcAmt", won(line.cost.spl_ven_bdn_dc_amt.get()))
                    .with("splVenId", line.cost.vendor.as_str())
                    .with(
                        "lrnkSplVenId",
                        line.cost.lower_rank.as_ref().map_or("", |v| v.as_str()),
                    ),
            ]),
        )
}

/// The shipping division code of an item row: 11 일반출고, or 15 교환출고 for a replacement.
pub fn shipping_division(replacement: bool) -> ShippingDivision {
    if replacement {
        ShippingDivision::Replacement
    } else {
        ShippingDivision::Ordinary
    }
}
