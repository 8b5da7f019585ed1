//! The platform API's JSON bodies, and their conversion to and from domain values.
//!
//! Field names follow SSG's where SSG has one; amounts are whole won as JSON numbers.
//! Requests are strict (unknown fields are refused, so a typo never goes unnoticed);
//! conversion names the offending field the way the caller wrote it (`items[1].qty`).

use claims_domain::order::rules;
use claims_domain::{
    Actor, AgentId, CancelCommand, CancelRequest, Claim, ClaimNo, CustomerId, Fault, InvalidValue,
    ItemSeq, ItemState, KstDateTime, MediaCode, NewOrder, NewOrderItem, OrderNo, PickupClaim,
    PickupCommand, PickupKind, PickupReason, PickupRequestLine, Quantity, ReasonCode, Recipient,
    ShippingFee, Text, VendorId, Won, completed_units, returnable,
};
use claims_store::{ApiKeyInfo, OrderRecord, Role, Shipment, Vendor};
use serde::{Deserialize, Serialize};

/// `POST /v1/vendors`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VendorBody {
    pub spl_ven_id: String,
    pub name: String,
    #[serde(default)]
    pub parent_spl_ven_id: Option<String>,
}

/// A vendor, as answered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VendorView {
    pub spl_ven_id: String,
    pub name: String,
    pub parent_spl_ven_id: Option<String>,
    pub created_at: String,
}

impl From<&Vendor> for VendorView {
    fn from(vendor: &Vendor) -> Self {
        Self {
            spl_ven_id: vendor.id.to_string(),
            name: vendor.name.to_string(),
            parent_spl_ven_id: vendor.parent.as_ref().map(VendorId::to_string),
            created_at: vendor.created_at.to_wire(),
        }
    }
}

/// `POST /v1/vendors/{splVenId}/keys`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyBody {
    #[serde(default)]
    pub lrnk_spl_ven_id: Option<String>,
}

/// An API key, as answered. `api_key` is present only in the answer that issues it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    pub key_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    pub spl_ven_id: String,
    pub lrnk_spl_ven_id: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl KeyView {
    pub fn new(info: &ApiKeyInfo, api_key: Option<String>) -> Self {
        Self {
            key_id: info.id.to_string(),
            api_key,
            spl_ven_id: info.scope.vendor.to_string(),
            lrnk_spl_ven_id: info.scope.lower_rank.as_ref().map(VendorId::to_string),
            created_at: info.created_at.to_wire(),
            revoked_at: info.revoked_at.map(KstDateTime::to_wire),
        }
    }
}

/// A shipping fee of an order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FeeBody {
    pub spl_ven_id: String,
    pub amount: i64,
    /// The fee a return at the customer's fault pays; by default `amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ret_shppcst: Option<i64>,
    /// The fee an exchange at the customer's fault pays; by default twice `amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exch_shppcst: Option<i64>,
}

/// An item of an order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ItemBody {
    pub ord_item_seq: i64,
    pub item_id: String,
    pub item_nm: String,
    #[serde(default)]
    pub uitem_id: String,
    #[serde(default)]
    pub uitem_nm: String,
    pub qty: i64,
    pub unit_price: i64,
    pub spl_ven_id: String,
    #[serde(default)]
    pub lrnk_spl_ven_id: String,
    #[serde(default)]
    pub spl_ven_bdn_dc_amt: i64,
}

/// `POST /v1/orders`: an order as the storefront places it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderBody {
    pub ord_no: String,
    pub ordpe_nm: String,
    pub customer_id: String,
    pub ord_rcp_media_cd: String,
    pub ord_rcp_dts: String,
    #[serde(default)]
    pub shipping_fees: Vec<FeeBody>,
    pub items: Vec<ItemBody>,
    /// The recipient, each field optional; the vendor's shipping lists show it.
    #[serde(flatten)]
    pub recipient: RecipientBody,
}

/// Who receives an order and where (every field optional, empty when not given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecipientBody {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rcptpe_nm: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rcptpe_hpno: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub shpploc_basc_addr: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub shpploc_dtl_addr: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub shpploc_zp_cd: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ord_memo_cntt: String,
}

impl RecipientBody {
    fn to_recipient(&self) -> Result<Recipient, InvalidValue> {
        Ok(Recipient {
            name: Text::parse("rcptpeNm", &self.rcptpe_nm, rules::RECIPIENT_NAME)?,
            phone: Text::parse("rcptpeHpno", &self.rcptpe_hpno, rules::PHONE)?,
            base_address: Text::parse("shpplocBascAddr", &self.shpploc_basc_addr, rules::ADDRESS)?,
            detail_address: Text::parse("shpplocDtlAddr", &self.shpploc_dtl_addr, rules::ADDRESS)?,
            postal_code: Text::parse("shpplocZpCd", &self.shpploc_zp_cd, rules::POSTAL_CODE)?,
            memo: Text::parse("ordMemoCntt", &self.ord_memo_cntt, rules::MEMO)?,
        })
    }

    fn of(recipient: &Recipient) -> Self {
        Self {
            rcptpe_nm: recipient.name.to_string(),
            rcptpe_hpno: recipient.phone.to_string(),
            shpploc_basc_addr: recipient.base_address.to_string(),
            shpploc_dtl_addr: recipient.detail_address.to_string(),
            shpploc_zp_cd: recipient.postal_code.to_string(),
            ord_memo_cntt: recipient.memo.to_string(),
        }
    }
}

fn optional_vendor(field: &str, value: &str) -> Result<Option<VendorId>, InvalidValue> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        VendorId::parse(field, value).map(Some)
    }
}

impl OrderBody {
    /// Checks every field and the order as a whole.
    pub fn to_order(&self) -> Result<NewOrder, InvalidValue> {
        let recipient = self.recipient.to_recipient()?;
        let items = self
            .items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let at = |name: &str| format!("items[{index}].{name}");
                Ok(NewOrderItem {
                    seq: ItemSeq::new(&at("ordItemSeq"), item.ord_item_seq)?,
                    item_id: Text::parse(&at("itemId"), &item.item_id, rules::ITEM_ID)?,
                    item_nm: Text::parse(&at("itemNm"), &item.item_nm, rules::ITEM_NAME)?,
                    uitem_id: Text::parse(&at("uitemId"), &item.uitem_id, rules::UNIT_ITEM_ID)?,
                    uitem_nm: Text::parse(&at("uitemNm"), &item.uitem_nm, rules::UNIT_ITEM_NAME)?,
                    qty: Quantity::new(&at("qty"), item.qty)?,
                    unit_price: Won::new(&at("unitPrice"), item.unit_price)?,
                    vendor: VendorId::parse(&at("splVenId"), &item.spl_ven_id)?,
                    lower_rank: optional_vendor(&at("lrnkSplVenId"), &item.lrnk_spl_ven_id)?,
                    discount: Won::new(&at("splVenBdnDcAmt"), item.spl_ven_bdn_dc_amt)?,
                })
            })
            .collect::<Result<Vec<_>, InvalidValue>>()?;
        let fees = self
            .shipping_fees
            .iter()
            .enumerate()
            .map(|(index, fee)| {
                Ok(ShippingFee {
                    vendor: VendorId::parse(
                        &format!("shippingFees[{index}].splVenId"),
                        &fee.spl_ven_id,
                    )?,
                    amount: Won::new(&format!("shippingFees[{index}].amount"), fee.amount)?,
                    return_fee: fee
                        .ret_shppcst
                        .map(|amount| {
                            Won::new(&format!("shippingFees[{index}].retShppcst"), amount)
                        })
                        .transpose()?,
                    exchange_fee: fee
                        .exch_shppcst
                        .map(|amount| {
                            Won::new(&format!("shippingFees[{index}].exchShppcst"), amount)
                        })
                        .transpose()?,
                })
            })
            .collect::<Result<Vec<_>, InvalidValue>>()?;
        NewOrder::new(
            OrderNo::parse("ordNo", &self.ord_no)?,
            Text::parse("ordpeNm", &self.ordpe_nm, rules::ORDERER_NAME)?,
            CustomerId::parse("customerId", &self.customer_id)?,
            MediaCode::parse("ordRcpMediaCd", &self.ord_rcp_media_cd)?,
            KstDateTime::parse("ordRcpDts", &self.ord_rcp_dts)?,
            fees,
            items,
        )
        .map(|order| order.with_recipient(recipient))
    }

    /// The body that places `order`.
    pub fn from_order(order: &NewOrder) -> Self {
        Self {
            ord_no: order.ord_no().to_string(),
            ordpe_nm: order.ordpe_nm().to_string(),
            customer_id: order.customer_id().as_str().to_owned(),
            ord_rcp_media_cd: order.media().code().to_owned(),
            ord_rcp_dts: order.received_at().to_wire(),
            shipping_fees: order
                .shipping_fees()
                .iter()
                .map(|fee| FeeBody {
                    spl_ven_id: fee.vendor.to_string(),
                    amount: fee.amount.get(),
                    ret_shppcst: fee.return_fee.map(Won::get),
                    exch_shppcst: fee.exchange_fee.map(Won::get),
                })
                .collect(),
            items: order
                .items()
                .iter()
                .map(|item| ItemBody {
                    ord_item_seq: i64::from(item.seq.get()),
                    item_id: item.item_id.to_string(),
                    item_nm: item.item_nm.to_string(),
                    uitem_id: item.uitem_id.to_string(),
                    uitem_nm: item.uitem_nm.to_string(),
                    qty: i64::from(item.qty.get()),
                    unit_price: item.unit_price.get(),
                    spl_ven_id: item.vendor.to_string(),
                    lrnk_spl_ven_id: item
                        .lower_rank
                        .as_ref()
                        .map(VendorId::to_string)
                        .unwrap_or_default(),
                    spl_ven_bdn_dc_amt: item.discount.get(),
                })
                .collect(),
            recipient: RecipientBody::of(order.recipient()),
        }
    }
}

/// An item of an order, as answered: as placed, plus where it stands.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemView {
    #[serde(flatten)]
    pub item: ItemBody,
    pub canceled_qty: u32,
    pub shipped_qty: u32,
    pub open_qty: u32,
    /// `ordered`, `confirmed`, `shipped` or `canceled`.
    pub status: &'static str,
    /// `instructed`, `confirmed`, `delayed` or `released`.
    pub shipping_status: &'static str,
    /// The item's shipping number (`shppNo`), by which SSG's shipping calls name it.
    pub shpp_no: u64,
    pub confirmed_at: Option<String>,
    pub wbl_no: Option<String>,
    pub delico_ven_id: Option<String>,
    pub shipped_at: Option<String>,
    /// The item's latest out-of-stock registration, if it was ever registered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_sell: Option<NoSellView>,
    /// The item's latest delay notice, if one was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<DelayView>,
    pub delivered_at: Option<String>,
    /// Units returned (refunded) and exchanged (their pickups completed).
    pub returned_qty: u32,
    pub exchanged_qty: u32,
    /// Units that may still be returned or exchanged: shipped, less those returned,
    /// exchanged or on their way back.
    pub returnable_qty: u32,
}

/// An out-of-stock registration, as answered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoSellView {
    /// `registered`, `executed`, `withdrawn` or `void`.
    pub status: &'static str,
    pub shortg_rsn_cd: &'static str,
    pub shortg_rsn_nm: &'static str,
    pub shortg_proc_dtlc: String,
    pub registered_at: String,
    /// 17:00:00 KST the day after it was registered.
    pub executes_at: String,
    /// When it was withdrawn or ran.
    pub ended_at: Option<String>,
}

/// A delay notice, as answered (the latest).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DelayView {
    pub shortg_rsn_cd: &'static str,
    pub shortg_rsn_nm: &'static str,
    /// The new release date, `yyyymmdd`.
    pub whin_expc_dt: String,
    /// Notices sent so far.
    pub notices: u32,
    pub noticed_at: String,
}

/// An order, as answered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
    pub ord_no: String,
    pub ordpe_nm: String,
    pub customer_id: String,
    pub ord_rcp_media_cd: String,
    pub ord_rcp_media_nm: &'static str,
    pub ord_rcp_dts: String,
    pub shipping_fees: Vec<FeeBody>,
    #[serde(flatten)]
    pub recipient: RecipientBody,
    pub items: Vec<ItemView>,
    pub claims: Vec<ClaimView>,
    pub cancel_requests: Vec<CancelRequestView>,
    pub returns: Vec<PickupClaimView>,
    pub exchanges: Vec<PickupClaimView>,
}

impl From<&OrderRecord> for OrderView {
    fn from(record: &OrderRecord) -> Self {
        let body = OrderBody::from_order(&record.order);
        let items = body
            .items
            .into_iter()
            .zip(&record.items)
            .map(|(item, state): (ItemBody, &ItemState)| {
                let (returned_qty, exchanged_qty) = completed_units(state, &record.pickups);
                ItemView {
                    item,
                    delivered_at: state.delivered_at.map(KstDateTime::to_wire),
                    returned_qty,
                    exchanged_qty,
                    returnable_qty: returnable(state, &record.pickups),
                    canceled_qty: state.canceled,
                    shipped_qty: state.shipped,
                    open_qty: state.open(),
                    status: state.status().as_str(),
                    shipping_status: state.shipping_status().as_str(),
                    shpp_no: state.shpp_no.get(),
                    confirmed_at: state.confirmed_at.map(KstDateTime::to_wire),
                    wbl_no: state.waybill.as_ref().map(|w| w.wbl_no().to_owned()),
                    delico_ven_id: state.waybill.as_ref().map(|w| w.delico_ven_id().to_owned()),
                    shipped_at: state.shipped_at.map(KstDateTime::to_wire),
                    no_sell: state.no_sell.as_ref().map(|no_sell| NoSellView {
                        status: no_sell.status.name(),
                        shortg_rsn_cd: no_sell.reason.code(),
                        shortg_rsn_nm: no_sell.reason.name(),
                        shortg_proc_dtlc: no_sell.text.to_string(),
                        registered_at: no_sell.registered_at.to_wire(),
                        executes_at: no_sell.executes_at.to_wire(),
                        ended_at: no_sell.ended_at.map(KstDateTime::to_wire),
                    }),
                    delay: state.delay.as_ref().map(|delay| DelayView {
                        shortg_rsn_cd: delay.reason.code(),
                        shortg_rsn_nm: delay.reason.name(),
                        whin_expc_dt: delay.until.compact(),
                        notices: delay.notices,
                        noticed_at: delay.noticed_at.to_wire(),
                    }),
                }
            })
            .collect();
        let of_kind = |kind: PickupKind| {
            record
                .pickups
                .iter()
                .filter(|claim| claim.kind == kind)
                .map(PickupClaimView::from)
                .collect()
        };
        Self {
            ord_no: body.ord_no,
            ordpe_nm: body.ordpe_nm,
            customer_id: body.customer_id,
            ord_rcp_media_cd: body.ord_rcp_media_cd,
            ord_rcp_media_nm: record.order.media().name(),
            ord_rcp_dts: body.ord_rcp_dts,
            shipping_fees: body.shipping_fees,
            recipient: body.recipient,
            items,
            claims: record.claims.iter().map(ClaimView::from).collect(),
            cancel_requests: record
                .cancel_requests
                .iter()
                .map(CancelRequestView::from)
                .collect(),
            returns: of_kind(PickupKind::Return),
            exchanges: of_kind(PickupKind::Exchange),
        }
    }
}

/// `POST /v1/orders/{ordNo}/cancellations`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancellationBody {
    pub items: Vec<CancelLineBody>,
    pub clm_rsn_cd: String,
    #[serde(default)]
    pub clm_rsn_cntt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impt_div_cd: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// On a sandbox only: the time the claim carries (`ordCnclDts`), earlier than now — a
    /// claim that commits late, after polls whose window already covered its time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_at: Option<String>,
}

/// A line of a cancellation request.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelLineBody {
    pub ord_item_seq: i64,
    pub qty: i64,
}

impl CancellationBody {
    /// The command this body asks for, made by a caller with `role`: the storefront cancels
    /// for a customer (`customerId`), the service center as an agent (`agentId`).
    pub fn to_command(&self, role: Role) -> Result<CancelCommand, InvalidValue> {
        let actor = actor(
            role,
            self.customer_id.as_deref(),
            self.agent_id.as_deref(),
            "cancels",
        )?;
        let lines = self
            .items
            .iter()
            .enumerate()
            .map(|(index, line)| {
                Ok((
                    ItemSeq::new(&format!("items[{index}].ordItemSeq"), line.ord_item_seq)?,
                    Quantity::new(&format!("items[{index}].qty"), line.qty)?,
                ))
            })
            .collect::<Result<Vec<_>, InvalidValue>>()?;
        let fault = self
            .impt_div_cd
            .as_deref()
            .map(|code| Fault::parse("imptDivCd", code))
            .transpose()?;
        CancelCommand::new(
            actor,
            lines,
            ReasonCode::parse("clmRsnCd", &self.clm_rsn_cd)?,
            Text::parse("clmRsnCntt", &self.clm_rsn_cntt, rules::REASON_TEXT)?,
            fault,
        )
    }
}

/// Who canceled: `{"customerId": …}`, `{"agentId": …}`, or the vendor (an out-of-stock
/// registration executed) `{"splVenId": …}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CanceledBy {
    CustomerId(String),
    AgentId(String),
    SplVenId(String),
}

/// A cost line of a claim line, as answered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CostView {
    pub shpmt_shppcst: i64,
    pub ret_shppcst: i64,
    pub exch_shppcst: i64,
    pub spl_ven_bdn_dc_amt: i64,
    pub spl_ven_id: String,
    pub lrnk_spl_ven_id: String,
}

/// A line of a claim, as answered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimLineView {
    pub ord_item_seq: u32,
    #[serde(rename = "orordItemSeq")]
    pub oror_item_seq: u32,
    pub qty: u32,
    pub cst_info: Vec<CostView>,
}

/// A claim, as answered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimView {
    pub ord_no: String,
    #[serde(rename = "orordNo")]
    pub oror_no: String,
    pub ord_cncl_dts: String,
    pub clm_rsn_cd: &'static str,
    pub clm_rsn_nm: &'static str,
    pub clm_rsn_cntt: String,
    pub impt_div_cd: &'static str,
    pub canceled_by: CanceledBy,
    pub lines: Vec<ClaimLineView>,
}

impl From<&Claim> for ClaimView {
    fn from(claim: &Claim) -> Self {
        Self {
            ord_no: claim.clm_no.to_string(),
            oror_no: claim.oror_no.to_string(),
            ord_cncl_dts: claim.canceled_at.to_wire(),
            clm_rsn_cd: claim.reason.code(),
            clm_rsn_nm: claim.reason.name(),
            clm_rsn_cntt: claim.reason_text.to_string(),
            impt_div_cd: claim.fault.code(),
            canceled_by: match &claim.actor {
                Actor::Customer(customer) => CanceledBy::CustomerId(customer.as_str().to_owned()),
                Actor::Agent(agent) => CanceledBy::AgentId(agent.as_str().to_owned()),
                Actor::Vendor(vendor) => CanceledBy::SplVenId(vendor.as_str().to_owned()),
            },
            lines: claim
                .lines
                .iter()
                .map(|line| ClaimLineView {
                    ord_item_seq: line.line_seq.get(),
                    oror_item_seq: line.item_seq.get(),
                    qty: line.qty.get(),
                    cst_info: vec![CostView {
                        shpmt_shppcst: line.cost.shpmt_shppcst.get(),
                        ret_shppcst: line.cost.ret_shppcst.get(),
                        exch_shppcst: line.cost.exch_shppcst.get(),
                        spl_ven_bdn_dc_amt: line.cost.spl_ven_bdn_dc_amt.get(),
                        spl_ven_id: line.cost.vendor.to_string(),
                        lrnk_spl_ven_id: line
                            .cost
                            .lower_rank
                            .as_ref()
                            .map(VendorId::to_string)
                            .unwrap_or_default(),
                    }],
                })
                .collect(),
        }
    }
}

/// A shipment, as answered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShipmentView {
    pub ord_no: String,
    pub ord_item_seq: u32,
    pub qty: u32,
    pub shipped_at: String,
    /// The cancel requests whose pending line for the item the shipment rejected.
    pub rejected_requests: Vec<String>,
}

impl From<&Shipment> for ShipmentView {
    fn from(shipment: &Shipment) -> Self {
        Self {
            ord_no: shipment.ord_no.to_string(),
            ord_item_seq: shipment.item_seq.get(),
            qty: shipment.qty.get(),
            shipped_at: shipment.shipped_at.to_wire(),
            rejected_requests: shipment
                .rejected
                .iter()
                .map(|id| id.as_str().to_owned())
                .collect(),
        }
    }
}

/// `POST /v1/cancel-requests/{requestId}/withdrawal`: who withdraws it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WithdrawalBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
}

impl WithdrawalBody {
    /// Who withdraws, for a caller with `role`: the storefront for the order's customer,
    /// the service center as an agent.
    pub fn to_actor(&self, role: Role) -> Result<Actor, InvalidValue> {
        actor(
            role,
            self.customer_id.as_deref(),
            self.agent_id.as_deref(),
            "withdraws",
        )
    }
}

/// The actor a caller with `role` names: the storefront acts for a customer
/// (`customerId`), the service center and operators as an agent (`agentId`).
fn actor(
    role: Role,
    customer_id: Option<&str>,
    agent_id: Option<&str>,
    verb: &str,
) -> Result<Actor, InvalidValue> {
    match role {
        Role::Storefront => {
            if agent_id.is_some() {
                return Err(InvalidValue::new(
                    "agentId",
                    format!("the storefront {verb} for customers: send customerId, not agentId"),
                ));
            }
            let customer = customer_id.ok_or_else(|| {
                InvalidValue::new(
                    "customerId",
                    format!("is required: the customer who {verb}"),
                )
            })?;
            Ok(Actor::Customer(CustomerId::parse("customerId", customer)?))
        }
        Role::ServiceCenter | Role::Admin => {
            if customer_id.is_some() {
                return Err(InvalidValue::new(
                    "customerId",
                    format!("the service center {verb} as an agent: send agentId, not customerId"),
                ));
            }
            let agent = agent_id.ok_or_else(|| {
                InvalidValue::new("agentId", format!("is required: the agent who {verb}"))
            })?;
            Ok(Actor::Agent(AgentId::parse("agentId", agent)?))
        }
    }
}

/// A line of a cancel request, as answered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestLineView {
    pub ord_item_seq: u32,
    pub qty: u32,
    /// `requested`, `approved`, `withdrawn` or `rejected`.
    pub status: &'static str,
    /// `clmProgStatCd`: 10, 20, 30 or 40.
    pub clm_prog_stat_cd: &'static str,
    pub ended_at: Option<String>,
    /// The claim its approval made.
    pub claim_ord_no: Option<String>,
}

/// A cancel request, as answered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelRequestView {
    pub request_id: String,
    #[serde(rename = "orordNo")]
    pub oror_no: String,
    pub clm_demnd_dts: String,
    /// `requested` while a line is pending; then `approved`, `withdrawn` or `rejected` when
    /// every line ended that way, else `closed`.
    pub status: &'static str,
    pub clm_rsn_cd: &'static str,
    pub clm_rsn_nm: &'static str,
    pub clm_rsn_cntt: String,
    pub impt_div_cd: &'static str,
    pub agent_id: String,
    pub lines: Vec<RequestLineView>,
}

impl From<&CancelRequest> for CancelRequestView {
    fn from(request: &CancelRequest) -> Self {
        Self {
            request_id: request.id.as_str().to_owned(),
            oror_no: request.oror_no.to_string(),
            clm_demnd_dts: request.filed_at.to_wire(),
            status: request.status().as_str(),
            clm_rsn_cd: request.reason.code(),
            clm_rsn_nm: request.reason.name(),
            clm_rsn_cntt: request.reason_text.to_string(),
            impt_div_cd: request.fault.code(),
            agent_id: request.agent.as_str().to_owned(),
            lines: request
                .lines
                .iter()
                .map(|line| RequestLineView {
                    ord_item_seq: line.item_seq.get(),
                    qty: line.qty.get(),
                    status: line.status.as_str(),
                    clm_prog_stat_cd: line.status.code(),
                    ended_at: line.ended_at.map(KstDateTime::to_wire),
                    claim_ord_no: line.claim.as_ref().map(ClaimNo::to_string),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> OrderBody {
        serde_json::from_str(
            r#"{"ordNo": "20261120000A3F", "ordpeNm": "홍길동", "customerId": "c-1001",
                "ordRcpMediaCd": "30", "ordRcpDts": "2026-11-20 09:50:17",
                "shippingFees": [{"splVenId": "0000012345", "amount": 3000}],
                "items": [{"ordItemSeq": 1, "itemId": "1000028463390", "itemNm": "유기농 우유 1L",
                           "uitemId": "00001", "uitemNm": "", "qty": 2, "unitPrice": 4500,
                           "splVenId": "0000012345", "lrnkSplVenId": "", "splVenBdnDcAmt": 1000}],
                "rcptpeNm": "홍길동", "shpplocBascAddr": "서울특별시 중구 소공로 63"}"#,
        )
        .unwrap()
    }

    #[test]
    fn an_order_body_round_trips() {
        let order = body().to_order().unwrap();
        assert_eq!(OrderBody::from_order(&order), body());
    }

    #[test]
    fn errors_name_the_field_as_sent() {
        let mut bad = body();
        bad.items[0].qty = 0;
        assert_eq!(bad.to_order().unwrap_err().field, "items[0].qty");
        let mut bad = body();
        bad.shipping_fees[0].amount = -1;
        assert_eq!(bad.to_order().unwrap_err().field, "shippingFees[0].amount");
        let mut bad = body();
        bad.ord_rcp_dts = "2026-11-20T09:50:17".into();
        assert_eq!(bad.to_order().unwrap_err().field, "ordRcpDts");
        assert!(serde_json::from_str::<OrderBody>(r#"{"ordNo": "x", "extra": 1}"#).is_err());
        let mut typo = serde_json::to_value(body()).unwrap();
        typo["rcptpeNam"] = "홍길동".into();
        let refused = serde_json::from_value::<OrderBody>(typo).unwrap_err();
        assert!(refused.to_string().contains("rcptpeNam"), "{refused}");
        let mut bad = body();
        bad.recipient.shpploc_zp_cd = "123456789012".into();
        assert_eq!(bad.to_order().unwrap_err().field, "shpplocZpCd");
    }

    #[test]
    fn who_may_say_whom() {
        let cancellation =
            |customer: Option<&str>, agent: Option<&str>, fault: Option<&str>| CancellationBody {
                items: vec![CancelLineBody {
                    ord_item_seq: 1,
                    qty: 1,
                }],
                clm_rsn_cd: "251".into(),
                clm_rsn_cntt: String::new(),
                impt_div_cd: fault.map(str::to_owned),
                customer_id: customer.map(str::to_owned),
                agent_id: agent.map(str::to_owned),
                effective_at: None,
            };
        assert!(
            cancellation(Some("c-1"), None, None)
                .to_command(Role::Storefront)
                .is_ok()
        );
        assert_eq!(
            cancellation(None, None, None)
                .to_command(Role::Storefront)
                .unwrap_err()
                .field,
            "customerId"
        );
        assert_eq!(
            cancellation(Some("c-1"), Some("a-1"), None)
                .to_command(Role::Storefront)
                .unwrap_err()
                .field,
            "agentId"
        );
        assert_eq!(
            cancellation(Some("c-1"), None, Some("20"))
                .to_command(Role::Storefront)
                .unwrap_err()
                .field,
            "imptDivCd"
        );
        let agent = cancellation(None, Some("a-1"), Some("20"))
            .to_command(Role::ServiceCenter)
            .unwrap();
        assert_eq!(agent.fault(), Fault::Vendor);
        assert_eq!(
            cancellation(None, Some("a-1"), Some("30"))
                .to_command(Role::ServiceCenter)
                .unwrap_err()
                .field,
            "imptDivCd"
        );
    }
}

/// `POST /v1/orders/{ordNo}/returns` and `…/exchanges`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PickupBody {
    pub items: Vec<PickupLineBody>,
    pub clm_rsn_cd: String,
    #[serde(default)]
    pub clm_rsn_cntt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
}

/// A line of a return or exchange: the item, its units, and for an exchange the
/// replacement's option (the item's own by default).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PickupLineBody {
    pub ord_item_seq: i64,
    pub qty: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uitem_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uitem_nm: Option<String>,
}

impl PickupBody {
    /// The command this body asks for, of `kind`, made by a caller with `role`.
    pub fn to_command(&self, kind: PickupKind, role: Role) -> Result<PickupCommand, InvalidValue> {
        let actor = actor(
            role,
            self.customer_id.as_deref(),
            self.agent_id.as_deref(),
            match kind {
                PickupKind::Return => "returns",
                PickupKind::Exchange => "exchanges",
            },
        )?;
        if self.items.is_empty() {
            return Err(InvalidValue::new(
                "items",
                "is empty: name at least one item and its units",
            ));
        }
        let lines = self
            .items
            .iter()
            .enumerate()
            .map(|(index, line)| {
                let option = |field: &str, value: &Option<String>, rule| {
                    value
                        .as_deref()
                        .map(|value| Text::parse(&format!("items[{index}].{field}"), value, rule))
                        .transpose()
                };
                let (uitem_id, uitem_nm) = (
                    option("uitemId", &line.uitem_id, rules::UNIT_ITEM_ID)?,
                    option("uitemNm", &line.uitem_nm, rules::ITEM_NAME)?,
                );
                if kind == PickupKind::Return && (uitem_id.is_some() || uitem_nm.is_some()) {
                    return Err(InvalidValue::new(
                        format!("items[{index}].uitemId"),
                        "names an exchange's replacement option: a return takes none",
                    ));
                }
                Ok(PickupRequestLine {
                    item_seq: ItemSeq::new(
                        &format!("items[{index}].ordItemSeq"),
                        line.ord_item_seq,
                    )?,
                    qty: Quantity::new(&format!("items[{index}].qty"), line.qty)?,
                    uitem_id,
                    uitem_nm,
                })
            })
            .collect::<Result<Vec<_>, InvalidValue>>()?;
        Ok(PickupCommand {
            actor,
            reason: PickupReason::parse(kind, self.clm_rsn_cd.trim())?,
            reason_text: Text::parse("clmRsnCntt", &self.clm_rsn_cntt, rules::REASON_TEXT)?,
            lines,
        })
    }
}

/// Who filed a return or exchange.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RequestedBy {
    CustomerId(String),
    AgentId(String),
}

/// An exchange's replacement, as answered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplacementView {
    pub ord_item_seq: u32,
    pub shpp_no: u64,
    pub shpp_seq: u32,
    pub qty: u32,
    pub uitem_id: String,
    pub uitem_nm: String,
    /// `30` waiting for the pickup, `10` may ship, `20` canceled with its exchange.
    pub shpp_stat_cd: &'static str,
    /// Where it stands on its way: `instructed`, `confirmed`, `released`, `delivered`.
    pub shipping_status: &'static str,
}

/// A pickup line of a return or exchange, as answered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PickupLineView {
    pub ord_item_seq: u32,
    pub oror_item_seq: u32,
    pub qty: u32,
    pub shpp_no: u64,
    pub shpp_seq: u32,
    /// `requested`, `confirmed`, `completed`, `refused` or `withdrawn`.
    pub status: &'static str,
    pub last_shpp_prog_stat_dtl_cd: &'static str,
    pub ret_proc_stat_cd: &'static str,
    /// What the line refunds on completion (returns).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_amt: Option<i64>,
    /// When it was refunded ("" until then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refunded_at: Option<String>,
    pub cst_info: Vec<CostView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<ReplacementView>,
}

/// A return or an exchange, as answered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PickupClaimView {
    pub ord_no: String,
    pub oror_no: String,
    /// `return` or `exchange`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The lines' status when they agree, else `in-progress` or `closed`.
    pub status: &'static str,
    pub rcov_dirc_dt: String,
    pub clm_rsn_cd: &'static str,
    pub clm_rsn_nm: &'static str,
    pub clm_rsn_cntt: String,
    /// `10` the customer's fault (pays), `20` the vendor's.
    pub shppcst_bdn_main_cd: &'static str,
    pub requested_by: RequestedBy,
    /// What its completed lines refunded (returns).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refunded_amt: Option<i64>,
    pub lines: Vec<PickupLineView>,
}

fn cost(cost: &claims_domain::CostLine) -> CostView {
    CostView {
        shpmt_shppcst: cost.shpmt_shppcst.get(),
        ret_shppcst: cost.ret_shppcst.get(),
        exch_shppcst: cost.exch_shppcst.get(),
        spl_ven_bdn_dc_amt: cost.spl_ven_bdn_dc_amt.get(),
        spl_ven_id: cost.vendor.to_string(),
        lrnk_spl_ven_id: cost
            .lower_rank
            .as_ref()
            .map(VendorId::to_string)
            .unwrap_or_default(),
    }
}

impl From<&PickupClaim> for PickupClaimView {
    fn from(claim: &PickupClaim) -> Self {
        let returns = claim.kind == PickupKind::Return;
        Self {
            ord_no: claim.clm_no.to_string(),
            oror_no: claim.oror_no.to_string(),
            kind: claim.kind.as_str(),
            status: claim.status(),
            rcov_dirc_dt: claim.filed_at.to_wire(),
            clm_rsn_cd: claim.reason.code(),
            clm_rsn_nm: claim.reason.name(),
            clm_rsn_cntt: claim.reason_text.to_string(),
            shppcst_bdn_main_cd: claim.fault().code(),
            requested_by: match &claim.actor {
                Actor::Customer(customer) => RequestedBy::CustomerId(customer.to_string()),
                Actor::Agent(agent) => RequestedBy::AgentId(agent.to_string()),
                Actor::Vendor(vendor) => RequestedBy::AgentId(vendor.to_string()),
            },
            refunded_amt: returns.then(|| claim.refunded().get()),
            lines: claim
                .lines
                .iter()
                .map(|line| PickupLineView {
                    ord_item_seq: line.line_seq.get(),
                    oror_item_seq: line.item_seq.get(),
                    qty: line.qty.get(),
                    shpp_no: line.shpp_no.get(),
                    shpp_seq: claims_domain::SHIPPING_SEQ,
                    status: line.status.as_str(),
                    last_shpp_prog_stat_dtl_cd: line.status.code(),
                    ret_proc_stat_cd: if returns { line.status.outcome() } else { "" },
                    refund_amt: returns.then(|| line.refund.get()),
                    refunded_at: returns.then(|| {
                        line.refunded_at()
                            .map(|at| at.to_wire())
                            .unwrap_or_default()
                    }),
                    cst_info: vec![cost(&line.cost)],
                    replacement: line.replacement.as_ref().map(|r| ReplacementView {
                        ord_item_seq: r.line_seq.get(),
                        shpp_no: r.shpp_no.get(),
                        shpp_seq: claims_domain::SHIPPING_SEQ,
                        qty: r.qty.get(),
                        uitem_id: r.uitem_id.to_string(),
                        uitem_nm: r.uitem_nm.to_string(),
                        shpp_stat_cd: r.status.code(),
                        shipping_status: r.shipping_status(&line.cost.vendor).as_str(),
                    }),
                })
                .collect(),
        }
    }
}
