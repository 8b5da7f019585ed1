//! The stored tables, each declared once: its columns, in order, as the fields of a row
//! type, which binds them as [`Param`]s for writing and reads them back from a [`Row`]; and
//! the mapping between a row and the domain's values. Adding a column means a migration per
//! backend, one field here, and then whatever the compiler points at (the mapping's struct
//! literal and its destructuring).
//!
//! The inquiry reads `claim_lines` through its own column list (`stored::ROW_COLUMNS`),
//! straight from the driver's buffers; everything else reads and writes through these.

use std::borrow::Cow;

use claims_domain::{
    Actor, AgentId, CancelRequest, Claim, ClaimLine, CostLine, CustomerId, EventType, ItemSeq,
    ItemState, KstDateTime, LineStatus, NewEvent, NewOrder, NewOrderItem, OrderNo, Recipient,
    RequestLine, Scope, ShippingFee, Subject, VendorId, Waybill,
};
use claims_domain::{
    Blame, PickupCarrier, PickupClaim, PickupConfirmation, PickupKind, PickupLine, PickupReason,
    PickupRefusal, PickupStatus, RefusalReason, Replacement, ReplacementStatus,
};
use claims_domain::{Delay, DelayReason, KstDate, NoSell, NoSellReason, NoSellStatus};
use claims_domain::{DeliveryAttempt, EndpointStatus, Target, Webhook, WebhookId, WebhookSecret};

use crate::secrets::{self, SecretsKey};
use crate::sql::{Param, Row};
use crate::stored::{self, corrupt};
use crate::users::{Login, NewSession, NewUser, User, UserRole};
use crate::{ApiKeyInfo, KeyId, Role, StoreError, StoredEvent, TokenId, TokenInfo, Vendor};

/// A type a column holds: how it is bound, and how it is read back.
pub trait Column: Sized {
    fn param(&self) -> Param<'_>;
    fn read(row: &Row, index: usize) -> Result<Self, StoreError>;
}

impl Column for Cow<'_, str> {
    fn param(&self) -> Param<'_> {
        Param::Text(self)
    }
    fn read(row: &Row, index: usize) -> Result<Self, StoreError> {
        Ok(Cow::Owned(row.text(index)?.to_owned()))
    }
}

impl Column for Option<Cow<'_, str>> {
    fn param(&self) -> Param<'_> {
        self.as_deref().into()
    }
    fn read(row: &Row, index: usize) -> Result<Self, StoreError> {
        Ok(row.opt_text(index)?.map(|text| Cow::Owned(text.to_owned())))
    }
}

impl Column for Cow<'_, [u8]> {
    fn param(&self) -> Param<'_> {
        Param::Bytes(self)
    }
    fn read(row: &Row, index: usize) -> Result<Self, StoreError> {
        Ok(Cow::Owned(row.bytes(index)?.to_vec()))
    }
}

impl Column for Option<Cow<'_, [u8]>> {
    fn param(&self) -> Param<'_> {
        self.as_deref().into()
    }
    fn read(row: &Row, index: usize) -> Result<Self, StoreError> {
        Ok(row
            .opt_bytes(index)?
            .map(|bytes| Cow::Owned(bytes.to_vec())))
    }
}

impl Column for i64 {
    fn param(&self) -> Param<'_> {
        Param::Int(*self)
    }
    fn read(row: &Row, index: usize) -> Result<Self, StoreError> {
        row.int(index)
    }
}

impl Column for Option<i64> {
    fn param(&self) -> Param<'_> {
        (*self).into()
    }
    fn read(row: &Row, index: usize) -> Result<Self, StoreError> {
        row.opt_int(index)
    }
}

impl Column for KstDateTime {
    fn param(&self) -> Param<'_> {
        Param::Time(*self)
    }
    fn read(row: &Row, index: usize) -> Result<Self, StoreError> {
        row.time(index)
    }
}

impl Column for Option<KstDateTime> {
    fn param(&self) -> Param<'_> {
        (*self).into()
    }
    fn read(row: &Row, index: usize) -> Result<Self, StoreError> {
        row.opt_time(index)
    }
}

/// Declares a table's row type: one field per column, in the table's column order.
macro_rules! table {
    (
        $(#[$meta:meta])*
        $name:ident in $table:literal {
            $($(#[$field_meta:meta])* $field:ident: $ty:ty),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name<'a> {
            $($(#[$field_meta])* pub $field: $ty,)+
        }

        impl<'a> $name<'a> {
            pub const TABLE: &'static str = $table;
            /// The columns, in the order of the fields, of [`Self::params`] and of [`Self::read`].
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),+];

            /// The row's values, bound in [`Self::COLUMNS`] order.
            pub fn params(&self) -> Vec<Param<'_>> {
                vec![$(Column::param(&self.$field)),+]
            }

            /// Reads a row selected with [`Self::COLUMNS`] (see [`select`]).
            pub fn read(row: &Row) -> Result<Self, StoreError> {
                Self::read_at(row, 0)
            }

            /// Reads [`Self::COLUMNS`] selected from column `first` on (see [`columns`]).
            pub fn read_at(row: &Row, first: usize) -> Result<Self, StoreError> {
                let mut columns = first..;
                Ok(Self {
                    $($field: Column::read(row, columns.next().expect("an endless range"))?,)+
                })
            }

            /// `INSERT INTO` the table, one placeholder per column.
            pub fn insert_sql() -> String {
                insert_sql(Self::TABLE, Self::COLUMNS)
            }
        }
    };
}

/// `INSERT INTO table (a, b, …) VALUES ($1, $2, …)`.
pub fn insert_sql(table: &str, columns: &[&str]) -> String {
    let placeholders: Vec<String> = (1..=columns.len()).map(|n| format!("${n}")).collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        placeholders.join(", ")
    )
}

/// `SELECT a, b, … FROM table`, for `read`; the caller appends the rest.
pub fn select(table: &str, columns: &[&str]) -> String {
    format!("SELECT {} FROM {table}", columns.join(", "))
}

/// `alias.a, alias.b, …`: a table's columns in a join, read back with `read_at`.
pub fn columns(alias: &str, columns: &[&str]) -> String {
    columns
        .iter()
        .map(|column| format!("{alias}.{column}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Borrows a required text value.
fn text(value: &str) -> Cow<'_, str> {
    Cow::Borrowed(value)
}

/// Borrows an optional vendor id.
fn opt_vendor(value: &Option<VendorId>) -> Option<Cow<'_, str>> {
    value.as_ref().map(|vendor| text(vendor.as_str()))
}

table! {
    /// `vendors`: the registry of vendors and their lower-rank vendors.
    VendorRow in "vendors" {
        spl_ven_id: Cow<'a, str>,
        name: Cow<'a, str>,
        /// Set for a lower-rank vendor: the vendor it ranks under.
        parent_spl_ven_id: Option<Cow<'a, str>>,
        created_at: KstDateTime,
    }
}

impl<'a> VendorRow<'a> {
    pub fn of(vendor: &'a Vendor) -> Self {
        Self {
            spl_ven_id: text(vendor.id.as_str()),
            name: text(vendor.name.as_str()),
            parent_spl_ven_id: opt_vendor(&vendor.parent),
            created_at: vendor.created_at,
        }
    }

    pub fn into_vendor(self) -> Result<Vendor, StoreError> {
        Ok(Vendor {
            id: stored::vendor(&self.spl_ven_id)?,
            name: stored::text(self.name.into_owned()),
            parent: stored::opt_vendor(self.parent_spl_ven_id.as_deref())?,
            created_at: self.created_at,
        })
    }
}

table! {
    /// `api_keys`: vendor API keys, by the SHA-256 of the key.
    ApiKeyRow in "api_keys" {
        key_id: Cow<'a, str>,
        key_hash: Cow<'a, [u8]>,
        spl_ven_id: Cow<'a, str>,
        lrnk_spl_ven_id: Option<Cow<'a, str>>,
        created_at: KstDateTime,
        revoked_at: Option<KstDateTime>,
    }
}

impl ApiKeyRow<'_> {
    pub fn into_info(self) -> Result<ApiKeyInfo, StoreError> {
        Ok(ApiKeyInfo {
            id: KeyId::parse("keyId", &self.key_id).map_err(corrupt)?,
            scope: Scope {
                vendor: stored::vendor(&self.spl_ven_id)?,
                lower_rank: stored::opt_vendor(self.lrnk_spl_ven_id.as_deref())?,
            },
            created_at: self.created_at,
            revoked_at: self.revoked_at,
        })
    }
}

table! {
    /// `api_tokens`: platform tokens, by the SHA-256 of the token.
    TokenRow in "api_tokens" {
        token_id: Cow<'a, str>,
        token_hash: Cow<'a, [u8]>,
        role: Cow<'a, str>,
        created_at: KstDateTime,
        revoked_at: Option<KstDateTime>,
        label: Cow<'a, str>,
    }
}

impl TokenRow<'_> {
    pub fn into_info(self) -> Result<TokenInfo, StoreError> {
        Ok(TokenInfo {
            id: TokenId::parse("tokenId", &self.token_id).map_err(corrupt)?,
            role: Role::parse(&self.role).map_err(corrupt)?,
            label: stored::text(self.label.into_owned()),
            created_at: self.created_at,
            revoked_at: self.revoked_at,
        })
    }
}

table! {
    /// `orders`: one row per order, as placed.
    OrderRow in "orders" {
        ord_no: Cow<'a, str>,
        ordpe_nm: Cow<'a, str>,
        customer_id: Cow<'a, str>,
        ord_rcp_media_cd: Cow<'a, str>,
        ord_rcp_dts: KstDateTime,
        created_at: KstDateTime,
        rcptpe_nm: Cow<'a, str>,
        rcptpe_hpno: Cow<'a, str>,
        shpploc_basc_addr: Cow<'a, str>,
        shpploc_dtl_addr: Cow<'a, str>,
        shpploc_zp_cd: Cow<'a, str>,
        ord_memo_cntt: Cow<'a, str>,
    }
}

impl<'a> OrderRow<'a> {
    pub fn of(order: &'a NewOrder, placed_at: KstDateTime) -> Self {
        let recipient = order.recipient();
        Self {
            ord_no: text(order.ord_no().as_str()),
            ordpe_nm: text(order.ordpe_nm().as_str()),
            customer_id: text(order.customer_id().as_str()),
            ord_rcp_media_cd: text(order.media().code()),
            ord_rcp_dts: order.received_at(),
            created_at: placed_at,
            rcptpe_nm: text(recipient.name.as_str()),
            rcptpe_hpno: text(recipient.phone.as_str()),
            shpploc_basc_addr: text(recipient.base_address.as_str()),
            shpploc_dtl_addr: text(recipient.detail_address.as_str()),
            shpploc_zp_cd: text(recipient.postal_code.as_str()),
            ord_memo_cntt: text(recipient.memo.as_str()),
        }
    }

    /// The recipient the order carries (every field empty when it carries none).
    pub fn recipient(&self) -> Recipient {
        let field = |value: &Cow<'_, str>| stored::text(value.clone().into_owned());
        Recipient {
            name: field(&self.rcptpe_nm),
            phone: field(&self.rcptpe_hpno),
            base_address: field(&self.shpploc_basc_addr),
            detail_address: field(&self.shpploc_dtl_addr),
            postal_code: field(&self.shpploc_zp_cd),
            memo: field(&self.ord_memo_cntt),
        }
    }

    pub fn customer_id(&self) -> Result<CustomerId, StoreError> {
        CustomerId::parse("customerId", &self.customer_id).map_err(corrupt)
    }
}

table! {
    /// `order_shipping_fees`: the shipping fee each vendor charged on an order.
    FeeRow in "order_shipping_fees" {
        ord_no: Cow<'a, str>,
        spl_ven_id: Cow<'a, str>,
        amount: i64,
        /// The return and exchange fees, when the order gave them.
        ret_shppcst: Option<i64>,
        exch_shppcst: Option<i64>,
    }
}

impl<'a> FeeRow<'a> {
    pub fn of(ord_no: &'a OrderNo, fee: &'a ShippingFee) -> Self {
        Self {
            ord_no: text(ord_no.as_str()),
            spl_ven_id: text(fee.vendor.as_str()),
            amount: fee.amount.get(),
            ret_shppcst: fee.return_fee.map(claims_domain::Won::get),
            exch_shppcst: fee.exchange_fee.map(claims_domain::Won::get),
        }
    }

    pub fn into_fee(self) -> Result<ShippingFee, StoreError> {
        Ok(ShippingFee {
            vendor: stored::vendor(&self.spl_ven_id)?,
            amount: stored::won(self.amount)?,
            return_fee: self.ret_shppcst.map(stored::won).transpose()?,
            exchange_fee: self.exch_shppcst.map(stored::won).transpose()?,
        })
    }
}

table! {
    /// `order_items`: each line of an order with where it stands.
    ItemRow in "order_items" {
        ord_no: Cow<'a, str>,
        ord_item_seq: i64,
        item_id: Cow<'a, str>,
        item_nm: Cow<'a, str>,
        uitem_id: Cow<'a, str>,
        uitem_nm: Cow<'a, str>,
        qty: i64,
        unit_price: i64,
        spl_ven_id: Cow<'a, str>,
        lrnk_spl_ven_id: Option<Cow<'a, str>>,
        spl_ven_bdn_dc_amt: i64,
        canceled_qty: i64,
        shipped_qty: i64,
        refunded_dc_amt: i64,
        shipped_at: Option<KstDateTime>,
        last_canceled_at: Option<KstDateTime>,
        shpp_no: i64,
        /// The order's, copied for the vendor's shipping lists.
        ord_rcp_dts: KstDateTime,
        confirmed_at: Option<KstDateTime>,
        wbl_no: Option<Cow<'a, str>>,
        delico_ven_id: Option<Cow<'a, str>>,
        /// The latest out-of-stock registration: its status, reason, text, when it was
        /// made, when it is due, when it ended.
        no_sell_status: Option<Cow<'a, str>>,
        no_sell_rsn_cd: Option<Cow<'a, str>>,
        no_sell_text: Option<Cow<'a, str>>,
        no_sell_at: Option<KstDateTime>,
        no_sell_due: Option<KstDateTime>,
        no_sell_ended_at: Option<KstDateTime>,
        /// The latest delay notice: its reason, the new release date (yyyymmdd), how many
        /// were sent, when the latest was.
        delay_rsn_cd: Option<Cow<'a, str>>,
        whin_expc_dt: Option<Cow<'a, str>>,
        delay_nts: i64,
        delayed_at: Option<KstDateTime>,
        /// When the shipment reached the customer (배송완료).
        delivered_at: Option<KstDateTime>,
    }
}

impl<'a> ItemRow<'a> {
    /// An item of `order` and where it stands.
    pub fn of(order: &'a NewOrder, item: &'a NewOrderItem, state: &'a ItemState) -> Self {
        Self {
            ord_no: text(order.ord_no().as_str()),
            ord_item_seq: i64::from(item.seq.get()),
            item_id: text(item.item_id.as_str()),
            item_nm: text(item.item_nm.as_str()),
            uitem_id: text(item.uitem_id.as_str()),
            uitem_nm: text(item.uitem_nm.as_str()),
            qty: i64::from(item.qty.get()),
            unit_price: item.unit_price.get(),
            spl_ven_id: text(item.vendor.as_str()),
            lrnk_spl_ven_id: opt_vendor(&item.lower_rank),
            spl_ven_bdn_dc_amt: item.discount.get(),
            canceled_qty: i64::from(state.canceled),
            shipped_qty: i64::from(state.shipped),
            refunded_dc_amt: state.refunded_discount.get(),
            shipped_at: state.shipped_at,
            last_canceled_at: state.last_canceled_at,
            shpp_no: state.shpp_no.get() as i64,
            ord_rcp_dts: order.received_at(),
            confirmed_at: state.confirmed_at,
            wbl_no: state.waybill.as_ref().map(|w| text(w.wbl_no())),
            delico_ven_id: state.waybill.as_ref().map(|w| text(w.delico_ven_id())),
            no_sell_status: state.no_sell.as_ref().map(|n| text(n.status.name())),
            no_sell_rsn_cd: state.no_sell.as_ref().map(|n| text(n.reason.code())),
            no_sell_text: state.no_sell.as_ref().map(|n| text(n.text.as_str())),
            no_sell_at: state.no_sell.as_ref().map(|n| n.registered_at),
            no_sell_due: state.no_sell.as_ref().map(|n| n.executes_at),
            no_sell_ended_at: state.no_sell.as_ref().and_then(|n| n.ended_at),
            delay_rsn_cd: state.delay.as_ref().map(|d| text(d.reason.code())),
            whin_expc_dt: state.delay.as_ref().map(|d| Cow::Owned(d.until.compact())),
            delay_nts: state.delay.as_ref().map_or(0, |d| i64::from(d.notices)),
            delayed_at: state.delay.as_ref().map(|d| d.noticed_at),
            delivered_at: state.delivered_at,
        }
    }

    /// The item as ordered, and where it stands; every value checked again.
    pub fn into_item(self) -> Result<(NewOrderItem, ItemState), StoreError> {
        let seq = stored::seq(self.ord_item_seq)?;
        let vendor = stored::vendor(&self.spl_ven_id)?;
        let lower_rank = stored::opt_vendor(self.lrnk_spl_ven_id.as_deref())?;
        let qty = stored::qty(self.qty)?;
        let discount = stored::won(self.spl_ven_bdn_dc_amt)?;
        let state = ItemState {
            seq,
            vendor: vendor.clone(),
            lower_rank: lower_rank.clone(),
            ordered: qty.get(),
            canceled: stored::count(self.canceled_qty)?,
            shipped: stored::count(self.shipped_qty)?,
            discount,
            refunded_discount: stored::won(self.refunded_dc_amt)?,
            shipped_at: self.shipped_at,
            last_canceled_at: self.last_canceled_at,
            shpp_no: stored::shipping_no(self.shpp_no)?,
            confirmed_at: self.confirmed_at,
            waybill: match (self.delico_ven_id, self.wbl_no) {
                (Some(carrier), Some(number)) => {
                    Some(Waybill::new(&carrier, &number).map_err(corrupt)?)
                }
                (None, None) => None,
                _ => return Err(corrupt(format!("item {seq} has half a waybill"))),
            },
            no_sell: match (
                self.no_sell_status,
                self.no_sell_rsn_cd,
                self.no_sell_at,
                self.no_sell_due,
            ) {
                (Some(status), Some(reason), Some(registered_at), Some(executes_at)) => {
                    Some(NoSell {
                        status: NoSellStatus::from_name(&status)
                            .ok_or_else(|| corrupt(format!("no-sell status {status:?}")))?,
                        reason: NoSellReason::from_code(&reason)
                            .ok_or_else(|| corrupt(format!("no-sell reason {reason:?}")))?,
                        text: stored::text(
                            self.no_sell_text.map_or_else(String::new, Cow::into_owned),
                        ),
                        registered_at,
                        executes_at,
                        ended_at: self.no_sell_ended_at,
                    })
                }
                (None, None, None, None) => None,
                _ => return Err(corrupt(format!("item {seq} has half a registration"))),
            },
            delay: match (self.delay_rsn_cd, self.whin_expc_dt, self.delayed_at) {
                (Some(reason), Some(until), Some(noticed_at)) => Some(Delay {
                    reason: DelayReason::from_code(&reason)
                        .ok_or_else(|| corrupt(format!("delay reason {reason:?}")))?,
                    until: KstDate::parse_compact(&until).map_err(|_| {
                        corrupt(format!("whin_expc_dt {until:?} is no yyyymmdd date"))
                    })?,
                    notices: stored::count(self.delay_nts)?,
                    noticed_at,
                }),
                (None, None, None) => None,
                _ => return Err(corrupt(format!("item {seq} has half a delay notice"))),
            },
            delivered_at: self.delivered_at,
        };
        let item = NewOrderItem {
            seq,
            item_id: stored::text(self.item_id.into_owned()),
            item_nm: stored::text(self.item_nm.into_owned()),
            uitem_id: stored::text(self.uitem_id.into_owned()),
            uitem_nm: stored::text(self.uitem_nm.into_owned()),
            qty,
            unit_price: stored::won(self.unit_price)?,
            vendor,
            lower_rank,
            discount,
        };
        Ok((item, state))
    }
}

table! {
    /// `claims`: one row per claim; `claim_id` is the sequence behind its number.
    ClaimRow in "claims" {
        claim_id: i64,
        clm_no: Cow<'a, str>,
        oror_no: Cow<'a, str>,
        ord_cncl_dts: KstDateTime,
        clm_rsn_cd: Cow<'a, str>,
        clm_rsn_cntt: Cow<'a, str>,
        impt_div_cd: Cow<'a, str>,
        /// Set when the customer canceled, through the storefront.
        customer_id: Option<Cow<'a, str>>,
        /// Set when a service-center agent canceled.
        agent_id: Option<Cow<'a, str>>,
        /// Set when the item's vendor gave it up (an out-of-stock registration executed).
        spl_ven_id: Option<Cow<'a, str>>,
    }
}

impl<'a> ClaimRow<'a> {
    pub fn of(claim_id: u64, claim: &'a Claim) -> Self {
        let (customer_id, agent_id, spl_ven_id) = match &claim.actor {
            Actor::Customer(customer) => (Some(text(customer.as_str())), None, None),
            Actor::Agent(agent) => (None, Some(text(agent.as_str())), None),
            Actor::Vendor(vendor) => (None, None, Some(text(vendor.as_str()))),
        };
        Self {
            claim_id: claim_id as i64,
            clm_no: text(claim.clm_no.as_str()),
            oror_no: text(claim.oror_no.as_str()),
            ord_cncl_dts: claim.canceled_at,
            clm_rsn_cd: text(claim.reason.code()),
            clm_rsn_cntt: text(claim.reason_text.as_str()),
            impt_div_cd: text(claim.fault.code()),
            customer_id,
            agent_id,
            spl_ven_id,
        }
    }

    /// The claim, with `lines` (read from `claim_lines`).
    pub fn into_claim(self, lines: Vec<ClaimLine>) -> Result<Claim, StoreError> {
        let actor = match (self.customer_id, self.agent_id, self.spl_ven_id) {
            (Some(customer), None, None) => {
                Actor::Customer(CustomerId::parse("customerId", &customer).map_err(corrupt)?)
            }
            (None, Some(agent), None) => {
                Actor::Agent(AgentId::parse("agentId", &agent).map_err(corrupt)?)
            }
            (None, None, Some(vendor)) => Actor::Vendor(stored::vendor(&vendor)?),
            _ => {
                return Err(corrupt(format!(
                    "claim {} has no single actor",
                    self.clm_no
                )));
            }
        };
        Ok(Claim {
            clm_no: stored::claim_no(&self.clm_no)?,
            oror_no: stored::order_no(&self.oror_no)?,
            canceled_at: self.ord_cncl_dts,
            reason: stored::reason(&self.clm_rsn_cd)?,
            reason_text: stored::text(self.clm_rsn_cntt.into_owned()),
            fault: stored::fault(&self.impt_div_cd)?,
            actor,
            lines,
        })
    }
}

table! {
    /// `claim_lines`: one row per claim line, holding exactly one row of the inquiry's
    /// answer with everything it shows (the order's and item's fields copied, since orders
    /// never change once placed).
    ClaimLineRow in "claim_lines" {
        spl_ven_id: Cow<'a, str>,
        ord_cncl_dts: KstDateTime,
        clm_no: Cow<'a, str>,
        clm_item_seq: i64,
        lrnk_spl_ven_id: Option<Cow<'a, str>>,
        oror_no: Cow<'a, str>,
        oror_item_seq: i64,
        ordpe_nm: Cow<'a, str>,
        ord_rcp_media_cd: Cow<'a, str>,
        ord_rcp_dts: KstDateTime,
        item_id: Cow<'a, str>,
        item_nm: Cow<'a, str>,
        uitem_id: Cow<'a, str>,
        uitem_nm: Cow<'a, str>,
        dirc_item_qty: i64,
        clm_rsn_cd: Cow<'a, str>,
        clm_rsn_cntt: Cow<'a, str>,
        impt_div_cd: Cow<'a, str>,
        cncl_item_qty: i64,
        shpmt_shppcst: i64,
        ret_shppcst: i64,
        exch_shppcst: i64,
        spl_ven_bdn_dc_amt: i64,
    }
}

impl<'a> ClaimLineRow<'a> {
    /// A line of `claim` against `order`. Fails when the line names no item of the order.
    pub fn of(
        order: &'a NewOrder,
        claim: &'a Claim,
        line: &'a ClaimLine,
    ) -> Result<Self, StoreError> {
        let item = order
            .item(line.item_seq)
            .ok_or_else(|| StoreError::internal("a claim line names no item of its order"))?;
        Ok(Self {
            spl_ven_id: text(line.cost.vendor.as_str()),
            ord_cncl_dts: claim.canceled_at,
            clm_no: text(claim.clm_no.as_str()),
            clm_item_seq: i64::from(line.line_seq.get()),
            lrnk_spl_ven_id: opt_vendor(&line.cost.lower_rank),
            oror_no: text(order.ord_no().as_str()),
            oror_item_seq: i64::from(line.item_seq.get()),
            ordpe_nm: text(order.ordpe_nm().as_str()),
            ord_rcp_media_cd: text(order.media().code()),
            ord_rcp_dts: order.received_at(),
            item_id: text(item.item_id.as_str()),
            item_nm: text(item.item_nm.as_str()),
            uitem_id: text(item.uitem_id.as_str()),
            uitem_nm: text(item.uitem_nm.as_str()),
            dirc_item_qty: i64::from(item.qty.get()),
            clm_rsn_cd: text(claim.reason.code()),
            clm_rsn_cntt: text(claim.reason_text.as_str()),
            impt_div_cd: text(claim.fault.code()),
            cncl_item_qty: i64::from(line.qty.get()),
            shpmt_shppcst: line.cost.shpmt_shppcst.get(),
            ret_shppcst: line.cost.ret_shppcst.get(),
            exch_shppcst: line.cost.exch_shppcst.get(),
            spl_ven_bdn_dc_amt: line.cost.spl_ven_bdn_dc_amt.get(),
        })
    }

    /// The claim line this row records (its number and its original item, quantity and
    /// cost line).
    pub fn into_line(self) -> Result<ClaimLine, StoreError> {
        Ok(ClaimLine {
            line_seq: stored::seq(self.clm_item_seq)?,
            item_seq: stored::seq(self.oror_item_seq)?,
            qty: stored::qty(self.cncl_item_qty)?,
            cost: CostLine {
                shpmt_shppcst: stored::won(self.shpmt_shppcst)?,
                ret_shppcst: stored::won(self.ret_shppcst)?,
                exch_shppcst: stored::won(self.exch_shppcst)?,
                spl_ven_bdn_dc_amt: stored::won(self.spl_ven_bdn_dc_amt)?,
                vendor: stored::vendor(&self.spl_ven_id)?,
                lower_rank: stored::opt_vendor(self.lrnk_spl_ven_id.as_deref())?,
            },
        })
    }
}

table! {
    /// `cancel_requests`: one row per cancel request, as filed.
    RequestRow in "cancel_requests" {
        request_id: Cow<'a, str>,
        oror_no: Cow<'a, str>,
        clm_demnd_dts: KstDateTime,
        clm_rsn_cd: Cow<'a, str>,
        clm_rsn_cntt: Cow<'a, str>,
        impt_div_cd: Cow<'a, str>,
        agent_id: Cow<'a, str>,
    }
}

impl<'a> RequestRow<'a> {
    pub fn of(request: &'a CancelRequest) -> Self {
        Self {
            request_id: text(request.id.as_str()),
            oror_no: text(request.oror_no.as_str()),
            clm_demnd_dts: request.filed_at,
            clm_rsn_cd: text(request.reason.code()),
            clm_rsn_cntt: text(request.reason_text.as_str()),
            impt_div_cd: text(request.fault.code()),
            agent_id: text(request.agent.as_str()),
        }
    }

    /// The request, with `lines` (read from `cancel_request_lines`).
    pub fn into_request(self, lines: Vec<RequestLine>) -> Result<CancelRequest, StoreError> {
        Ok(CancelRequest {
            id: stored::request_id(&self.request_id)?,
            oror_no: stored::order_no(&self.oror_no)?,
            filed_at: self.clm_demnd_dts,
            reason: stored::reason(&self.clm_rsn_cd)?,
            reason_text: stored::text(self.clm_rsn_cntt.into_owned()),
            fault: stored::fault(&self.impt_div_cd)?,
            agent: AgentId::parse("agentId", &self.agent_id).map_err(corrupt)?,
            lines,
        })
    }
}

table! {
    /// `cancel_request_lines`: one row per item of a cancel request, with where it stands.
    RequestLineRow in "cancel_request_lines" {
        request_id: Cow<'a, str>,
        oror_no: Cow<'a, str>,
        ord_item_seq: i64,
        /// The item's vendors and the request's filing time, copied for the vendor's list.
        spl_ven_id: Cow<'a, str>,
        lrnk_spl_ven_id: Option<Cow<'a, str>>,
        clm_demnd_dts: KstDateTime,
        qty: i64,
        clm_prog_stat_cd: Cow<'a, str>,
        ended_at: Option<KstDateTime>,
        /// The claim its approval made.
        clm_no: Option<Cow<'a, str>>,
    }
}

impl<'a> RequestLineRow<'a> {
    /// A line of `request` for `item`.
    pub fn of(request: &'a CancelRequest, line: &'a RequestLine, item: &'a NewOrderItem) -> Self {
        Self {
            request_id: text(request.id.as_str()),
            oror_no: text(request.oror_no.as_str()),
            ord_item_seq: i64::from(line.item_seq.get()),
            spl_ven_id: text(item.vendor.as_str()),
            lrnk_spl_ven_id: opt_vendor(&item.lower_rank),
            clm_demnd_dts: request.filed_at,
            qty: i64::from(line.qty.get()),
            clm_prog_stat_cd: text(line.status.code()),
            ended_at: line.ended_at,
            clm_no: line.claim.as_ref().map(|claim| text(claim.as_str())),
        }
    }

    pub fn into_line(self) -> Result<RequestLine, StoreError> {
        let status = LineStatus::from_code(&self.clm_prog_stat_cd).ok_or_else(|| {
            corrupt(format!(
                "cancel request line status {:?}",
                self.clm_prog_stat_cd
            ))
        })?;
        Ok(RequestLine {
            item_seq: stored::seq(self.ord_item_seq)?,
            qty: stored::qty(self.qty)?,
            status,
            ended_at: self.ended_at,
            claim: self.clm_no.as_deref().map(stored::claim_no).transpose()?,
        })
    }
}

table! {
    /// `events`: one row per event, naming what it is about.
    EventRow in "events" {
        spl_ven_id: Cow<'a, str>,
        seq: i64,
        lrnk_spl_ven_id: Option<Cow<'a, str>>,
        event_type: Cow<'a, str>,
        occurred_at: KstDateTime,
        oror_no: Cow<'a, str>,
        clm_no: Option<Cow<'a, str>>,
        request_id: Option<Cow<'a, str>>,
        line_status: Option<Cow<'a, str>>,
        /// Comma-separated item sequences, for request and order events.
        item_seqs: Option<Cow<'a, str>>,
    }
}

impl<'a> EventRow<'a> {
    /// `event` as the `seq`th of its vendor, at `now`.
    pub fn of(event: &'a NewEvent, seq: u64, now: KstDateTime) -> Self {
        let items = |items: &[ItemSeq]| {
            Some(Cow::Owned(
                items
                    .iter()
                    .map(|seq| seq.get().to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            ))
        };
        let (oror_no, clm_no, request_id, line_status, item_seqs) = match &event.subject {
            Subject::Claim { oror_no, clm_no } => (
                text(oror_no.as_str()),
                Some(text(clm_no.as_str())),
                None,
                None,
                None,
            ),
            Subject::Request {
                oror_no,
                request,
                items: seqs,
                status,
            } => (
                text(oror_no.as_str()),
                None,
                Some(text(request.as_str())),
                Some(text(status.code())),
                items(seqs),
            ),
            Subject::Order {
                ord_no,
                items: seqs,
            } => (text(ord_no.as_str()), None, None, None, items(seqs)),
            Subject::Item { ord_no, item } => (
                text(ord_no.as_str()),
                None,
                None,
                None,
                items(std::slice::from_ref(item)),
            ),
            Subject::Pickup {
                oror_no,
                clm_no,
                lines,
                status,
            } => (
                text(oror_no.as_str()),
                Some(text(clm_no.as_str())),
                None,
                Some(text(status.as_str())),
                items(lines),
            ),
            Subject::Replacement {
                oror_no,
                clm_no,
                lines,
            } => (
                text(oror_no.as_str()),
                Some(text(clm_no.as_str())),
                None,
                None,
                items(lines),
            ),
        };
        Self {
            spl_ven_id: text(event.vendor.as_str()),
            seq: seq as i64,
            lrnk_spl_ven_id: opt_vendor(&event.lower_rank),
            event_type: text(event.kind.name()),
            occurred_at: now,
            oror_no,
            clm_no,
            request_id,
            line_status,
            item_seqs,
        }
    }

    pub fn into_event(self) -> Result<StoredEvent, StoreError> {
        let kind = EventType::from_name(&self.event_type)
            .ok_or_else(|| corrupt(format!("event type {:?}", self.event_type)))?;
        let oror_no = stored::order_no(&self.oror_no)?;
        let items = || -> Result<Vec<ItemSeq>, StoreError> {
            self.item_seqs
                .as_deref()
                .unwrap_or("")
                .split(',')
                .filter(|seq| !seq.is_empty())
                .map(|seq| {
                    let n = seq
                        .parse::<i64>()
                        .map_err(|_| corrupt(format!("event item {seq:?}")))?;
                    stored::seq(n)
                })
                .collect()
        };
        let clm_no = || {
            stored::claim_no(
                self.clm_no
                    .as_deref()
                    .ok_or_else(|| corrupt("a claim event without its claim"))?,
            )
        };
        let subject = match kind {
            EventType::ClaimCreated => Subject::Claim {
                oror_no,
                clm_no: clm_no()?,
            },
            EventType::ReturnCreated
            | EventType::ReturnWithdrawn
            | EventType::ReturnCompleted
            | EventType::ReturnRefused
            | EventType::ExchangeCreated
            | EventType::ExchangeWithdrawn
            | EventType::ExchangeCompleted => Subject::Pickup {
                oror_no,
                clm_no: clm_no()?,
                lines: items()?,
                status: self
                    .line_status
                    .as_deref()
                    .and_then(PickupStatus::from_name)
                    .ok_or_else(|| corrupt("a pickup event without its status"))?,
            },
            EventType::OrderInstructed if self.clm_no.is_some() => Subject::Replacement {
                oror_no,
                clm_no: clm_no()?,
                lines: items()?,
            },
            EventType::OrderInstructed => Subject::Order {
                ord_no: oror_no,
                items: items()?,
            },
            EventType::ItemNoSellRegistered
            | EventType::ItemNoSellWithdrawn
            | EventType::ItemDelayed => Subject::Item {
                ord_no: oror_no,
                item: items()?
                    .first()
                    .copied()
                    .ok_or_else(|| corrupt("an item event without its item"))?,
            },
            _ => Subject::Request {
                oror_no,
                request: stored::request_id(
                    self.request_id
                        .as_deref()
                        .ok_or_else(|| corrupt("a request event without its request"))?,
                )?,
                items: items()?,
                status: self
                    .line_status
                    .as_deref()
                    .and_then(LineStatus::from_code)
                    .ok_or_else(|| corrupt("a request event without its status"))?,
            },
        };
        let sequence = u64::try_from(self.seq).map_err(|_| corrupt("a negative sequence"))?;
        Ok(StoredEvent {
            sequence,
            occurred_at: self.occurred_at,
            event: NewEvent {
                kind,
                vendor: stored::vendor(&self.spl_ven_id)?,
                lower_rank: stored::opt_vendor(self.lrnk_spl_ven_id.as_deref())?,
                subject,
            },
        })
    }
}

table! {
    /// `idempotency_keys`: a key per caller, with the answer its request got (`status` is
    /// NULL while the request is in flight).
    IdempotencyRow in "idempotency_keys" {
        owner: Cow<'a, [u8]>,
        idem_key: Cow<'a, str>,
        fingerprint: Cow<'a, [u8]>,
        status: Option<i64>,
        content_type: Option<Cow<'a, str>>,
        location: Option<Cow<'a, str>>,
        body: Option<Cow<'a, [u8]>>,
        created_at: KstDateTime,
        updated_at: KstDateTime,
    }
}

table! {
    /// `pickup_claims`: a return or an exchange, as filed.
    PickupClaimRow in "pickup_claims" {
        claim_id: i64,
        clm_no: Cow<'a, str>,
        oror_no: Cow<'a, str>,
        kind: Cow<'a, str>,
        clm_rsn_cd: Cow<'a, str>,
        clm_rsn_cntt: Cow<'a, str>,
        customer_id: Option<Cow<'a, str>>,
        agent_id: Option<Cow<'a, str>>,
        filed_at: KstDateTime,
    }
}

impl<'a> PickupClaimRow<'a> {
    pub fn of(claim_id: u64, claim: &'a PickupClaim) -> Self {
        let (customer_id, agent_id) = match &claim.actor {
            Actor::Customer(customer) => (Some(text(customer.as_str())), None),
            Actor::Agent(agent) => (None, Some(text(agent.as_str()))),
            // Vendors file no returns; the domain gives them no way to.
            Actor::Vendor(vendor) => (None, Some(text(vendor.as_str()))),
        };
        Self {
            claim_id: claim_id as i64,
            clm_no: text(claim.clm_no.as_str()),
            oror_no: text(claim.oror_no.as_str()),
            kind: text(claim.kind.as_str()),
            clm_rsn_cd: text(claim.reason.code()),
            clm_rsn_cntt: text(claim.reason_text.as_str()),
            customer_id,
            agent_id,
            filed_at: claim.filed_at,
        }
    }

    /// The claim, with `lines` (read from `pickups`).
    pub fn into_claim(self, lines: Vec<PickupLine>) -> Result<PickupClaim, StoreError> {
        let kind = PickupKind::from_name(&self.kind)
            .ok_or_else(|| corrupt(format!("pickup claim kind {:?}", self.kind)))?;
        let actor = match (self.customer_id, self.agent_id) {
            (Some(customer), None) => {
                Actor::Customer(CustomerId::parse("customerId", &customer).map_err(corrupt)?)
            }
            (None, Some(agent)) => {
                Actor::Agent(AgentId::parse("agentId", &agent).map_err(corrupt)?)
            }
            _ => {
                return Err(corrupt(format!(
                    "pickup claim {} has no single actor",
                    self.clm_no
                )));
            }
        };
        Ok(PickupClaim {
            clm_no: stored::claim_no(&self.clm_no)?,
            oror_no: stored::order_no(&self.oror_no)?,
            kind,
            reason: PickupReason::parse(kind, &self.clm_rsn_cd).map_err(corrupt)?,
            reason_text: stored::text(self.clm_rsn_cntt.into_owned()),
            actor,
            filed_at: self.filed_at,
            lines,
        })
    }
}

table! {
    /// `pickups`: one row per pickup line of a return or an exchange, with the exchange's
    /// replacement beside it.
    PickupRow in "pickups" {
        clm_no: Cow<'a, str>,
        line_seq: i64,
        oror_no: Cow<'a, str>,
        ord_item_seq: i64,
        qty: i64,
        shpp_no: i64,
        spl_ven_id: Cow<'a, str>,
        lrnk_spl_ven_id: Option<Cow<'a, str>>,
        status: Cow<'a, str>,
        shpmt_shppcst: i64,
        ret_shppcst: i64,
        exch_shppcst: i64,
        spl_ven_bdn_dc_amt: i64,
        refund_amt: i64,
        filed_at: KstDateTime,
        confirmed_at: Option<KstDateTime>,
        shpp_type_dtl_cd: Option<Cow<'a, str>>,
        delico_ven_id: Option<Cow<'a, str>>,
        wbl_no: Option<Cow<'a, str>>,
        resell_psbl_yn: Option<Cow<'a, str>>,
        ret_impt_main_cd: Option<Cow<'a, str>>,
        auto_complete_at: Option<KstDateTime>,
        ended_at: Option<KstDateTime>,
        ret_refus_rsn_cd: Option<Cow<'a, str>>,
        ret_proc_memo_cntt: Option<Cow<'a, str>>,
        withdrawn_at: Option<KstDateTime>,
        rpl_line_seq: Option<i64>,
        rpl_shpp_no: Option<i64>,
        rpl_uitem_id: Option<Cow<'a, str>>,
        rpl_uitem_nm: Option<Cow<'a, str>>,
        rpl_status: Option<Cow<'a, str>>,
        rpl_confirmed_at: Option<KstDateTime>,
        rpl_delico_ven_id: Option<Cow<'a, str>>,
        rpl_wbl_no: Option<Cow<'a, str>>,
        rpl_shipped_at: Option<KstDateTime>,
        rpl_delivered_at: Option<KstDateTime>,
    }
}

impl<'a> PickupRow<'a> {
    pub fn of(claim: &'a PickupClaim, line: &'a PickupLine) -> Self {
        let confirmation = line.confirmation.as_ref();
        let waybill = confirmation.and_then(|c| c.carrier.waybill());
        let replacement = line.replacement.as_ref();
        Self {
            clm_no: text(claim.clm_no.as_str()),
            line_seq: i64::from(line.line_seq.get()),
            oror_no: text(claim.oror_no.as_str()),
            ord_item_seq: i64::from(line.item_seq.get()),
            qty: i64::from(line.qty.get()),
            shpp_no: line.shpp_no.get() as i64,
            spl_ven_id: text(line.cost.vendor.as_str()),
            lrnk_spl_ven_id: opt_vendor(&line.cost.lower_rank),
            status: text(line.status.as_str()),
            shpmt_shppcst: line.cost.shpmt_shppcst.get(),
            ret_shppcst: line.cost.ret_shppcst.get(),
            exch_shppcst: line.cost.exch_shppcst.get(),
            spl_ven_bdn_dc_amt: line.cost.spl_ven_bdn_dc_amt.get(),
            refund_amt: line.refund.get(),
            filed_at: claim.filed_at,
            confirmed_at: confirmation.map(|c| c.at),
            shpp_type_dtl_cd: confirmation.map(|c| text(c.carrier.code())),
            delico_ven_id: waybill.map(|w| text(w.delico_ven_id())),
            wbl_no: waybill.map(|w| text(w.wbl_no())),
            resell_psbl_yn: confirmation.map(|c| text(if c.resell { "Y" } else { "N" })),
            ret_impt_main_cd: confirmation.and_then(|c| c.blame).map(|b| text(b.code())),
            auto_complete_at: confirmation.map(|c| c.auto_completes_at),
            ended_at: line.ended_at,
            ret_refus_rsn_cd: line.refusal.as_ref().map(|r| text(r.reason.code())),
            ret_proc_memo_cntt: line.refusal.as_ref().map(|r| text(r.memo.as_str())),
            withdrawn_at: line.withdrawn_at,
            rpl_line_seq: replacement.map(|r| i64::from(r.line_seq.get())),
            rpl_shpp_no: replacement.map(|r| r.shpp_no.get() as i64),
            rpl_uitem_id: replacement.map(|r| text(r.uitem_id.as_str())),
            rpl_uitem_nm: replacement.map(|r| text(r.uitem_nm.as_str())),
            rpl_status: replacement.map(|r| text(r.status.as_str())),
            rpl_confirmed_at: replacement.and_then(|r| r.confirmed_at),
            rpl_delico_ven_id: replacement
                .and_then(|r| r.waybill.as_ref())
                .map(|w| text(w.delico_ven_id())),
            rpl_wbl_no: replacement
                .and_then(|r| r.waybill.as_ref())
                .map(|w| text(w.wbl_no())),
            rpl_shipped_at: replacement.and_then(|r| r.shipped_at),
            rpl_delivered_at: replacement.and_then(|r| r.delivered_at),
        }
    }

    /// The claim number and the pickup line, every value checked again.
    pub fn into_line(self) -> Result<PickupLine, StoreError> {
        let item_seq = stored::seq(self.ord_item_seq)?;
        let status = PickupStatus::from_name(&self.status)
            .ok_or_else(|| corrupt(format!("pickup status {:?}", self.status)))?;
        let confirmation = match self.confirmed_at {
            None => None,
            Some(at) => Some(PickupConfirmation {
                at,
                carrier: match (
                    self.shpp_type_dtl_cd.as_deref(),
                    self.delico_ven_id,
                    self.wbl_no,
                ) {
                    (Some("22"), Some(carrier), Some(number)) => {
                        PickupCarrier::Courier(Waybill::new(&carrier, &number).map_err(corrupt)?)
                    }
                    (Some("14"), None, None) => PickupCarrier::Own,
                    (kind, ..) => {
                        return Err(corrupt(format!(
                            "pickup {} carried by {kind:?}",
                            self.shpp_no
                        )));
                    }
                },
                resell: self.resell_psbl_yn.as_deref() == Some("Y"),
                blame: match self.ret_impt_main_cd.as_deref() {
                    None => None,
                    Some(code) => Some(
                        Blame::from_code(code).ok_or_else(|| corrupt(format!("blame {code:?}")))?,
                    ),
                },
                auto_completes_at: self.auto_complete_at.ok_or_else(|| {
                    corrupt(format!("pickup {} without its due time", self.shpp_no))
                })?,
            }),
        };
        let refusal = match (self.ret_refus_rsn_cd, self.ret_proc_memo_cntt) {
            (Some(code), memo) => Some(PickupRefusal {
                reason: RefusalReason::from_code(&code)
                    .ok_or_else(|| corrupt(format!("refusal reason {code:?}")))?,
                memo: stored::text(memo.map_or_else(String::new, Cow::into_owned)),
            }),
            (None, _) => None,
        };
        let vendor = stored::vendor(&self.spl_ven_id)?;
        let replacement = match (self.rpl_line_seq, self.rpl_shpp_no, self.rpl_status) {
            (Some(line_seq), Some(shpp_no), Some(status)) => Some(Replacement {
                line_seq: stored::seq(line_seq)?,
                shpp_no: stored::shipping_no(shpp_no)?,
                qty: stored::qty(self.qty)?,
                uitem_id: stored::text(self.rpl_uitem_id.map_or_else(String::new, Cow::into_owned)),
                uitem_nm: stored::text(self.rpl_uitem_nm.map_or_else(String::new, Cow::into_owned)),
                status: ReplacementStatus::from_name(&status)
                    .ok_or_else(|| corrupt(format!("replacement status {status:?}")))?,
                confirmed_at: self.rpl_confirmed_at,
                waybill: match (self.rpl_delico_ven_id, self.rpl_wbl_no) {
                    (Some(carrier), Some(number)) => {
                        Some(Waybill::new(&carrier, &number).map_err(corrupt)?)
                    }
                    (None, None) => None,
                    _ => return Err(corrupt(format!("replacement {shpp_no} has half a waybill"))),
                },
                shipped_at: self.rpl_shipped_at,
                delivered_at: self.rpl_delivered_at,
            }),
            (None, None, None) => None,
            _ => {
                return Err(corrupt(format!(
                    "pickup {} has half a replacement",
                    self.shpp_no
                )));
            }
        };
        Ok(PickupLine {
            line_seq: stored::seq(self.line_seq)?,
            item_seq,
            qty: stored::qty(self.qty)?,
            shpp_no: stored::shipping_no(self.shpp_no)?,
            status,
            cost: CostLine {
                shpmt_shppcst: stored::won(self.shpmt_shppcst)?,
                ret_shppcst: stored::won(self.ret_shppcst)?,
                exch_shppcst: stored::won(self.exch_shppcst)?,
                spl_ven_bdn_dc_amt: stored::won(self.spl_ven_bdn_dc_amt)?,
                vendor,
                lower_rank: stored::opt_vendor(self.lrnk_spl_ven_id.as_deref())?,
            },
            refund: stored::won(self.refund_amt)?,
            confirmation,
            ended_at: self.ended_at,
            refusal,
            withdrawn_at: self.withdrawn_at,
            replacement,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::Cell;

    #[test]
    fn a_row_type_binds_and_reads_its_columns_in_order() {
        assert_eq!(
            FeeRow::COLUMNS,
            [
                "ord_no",
                "spl_ven_id",
                "amount",
                "ret_shppcst",
                "exch_shppcst"
            ]
        );
        assert_eq!(
            FeeRow::insert_sql(),
            "INSERT INTO order_shipping_fees (ord_no, spl_ven_id, amount, ret_shppcst, exch_shppcst) \
             VALUES ($1, $2, $3, $4, $5)"
        );
        let row = FeeRow {
            ord_no: "O-1".into(),
            spl_ven_id: "0000012345".into(),
            amount: 3000,
            ret_shppcst: None,
            exch_shppcst: Some(5000),
        };
        assert_eq!(
            row.params(),
            [
                Param::Text("O-1"),
                Param::Text("0000012345"),
                Param::Int(3000),
                Param::Null,
                Param::Int(5000)
            ]
        );
        let read = FeeRow::read(&Row::new(vec![
            Cell::Text("O-1".into()),
            Cell::Text("0000012345".into()),
            Cell::Int(3000),
            Cell::Null,
            Cell::Int(5000),
        ]))
        .unwrap();
        assert_eq!(read, row);
        assert_eq!(ClaimLineRow::COLUMNS.len(), 23);
        assert_eq!(ItemRow::COLUMNS.len(), 32);
    }
}

table! {
    /// `webhooks`: one row per endpoint, with where it stands in its vendor's sequence and
    /// who delivers to it.
    WebhookRow in "webhooks" {
        webhook_id: Cow<'a, str>,
        spl_ven_id: Cow<'a, str>,
        lrnk_spl_ven_id: Option<Cow<'a, str>>,
        url: Cow<'a, str>,
        event_types: Cow<'a, str>,
        status: Cow<'a, str>,
        secret: Cow<'a, str>,
        previous_secret: Option<Cow<'a, str>>,
        previous_until: Option<KstDateTime>,
        cursor: i64,
        failures: i64,
        next_attempt_at: KstDateTime,
        last_error: Option<Cow<'a, str>>,
        last_delivered_at: Option<KstDateTime>,
        created_at: KstDateTime,
        attempts_made: i64,
        lease_owner: Option<Cow<'a, str>>,
        lease_until: Option<KstDateTime>,
    }
}

impl<'a> WebhookRow<'a> {
    /// A new endpoint's row: nobody delivers to it yet. Its secrets are sealed with `key`
    /// when there is one.
    pub fn of(webhook: &'a Webhook, key: Option<&SecretsKey>) -> Self {
        Self {
            webhook_id: text(webhook.id.as_str()),
            spl_ven_id: text(webhook.scope.vendor.as_str()),
            lrnk_spl_ven_id: opt_vendor(&webhook.scope.lower_rank),
            url: text(webhook.url.as_str()),
            event_types: Cow::Owned(
                webhook
                    .types
                    .iter()
                    .map(|kind| kind.name())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            status: text(webhook.status.name()),
            secret: Cow::Owned(secrets::keep(key, webhook.secret.expose())),
            previous_secret: webhook
                .previous_secret
                .as_ref()
                .map(|(secret, _)| Cow::Owned(secrets::keep(key, secret.expose()))),
            previous_until: webhook.previous_secret.as_ref().map(|(_, until)| *until),
            cursor: webhook.cursor as i64,
            failures: i64::from(webhook.failures),
            next_attempt_at: webhook.next_attempt_at,
            last_error: webhook.last_error.as_deref().map(text),
            last_delivered_at: webhook.last_delivered_at,
            created_at: webhook.created_at,
            attempts_made: 0,
            lease_owner: None,
            lease_until: None,
        }
    }

    /// The endpoint, its secrets opened with `key` where they were sealed.
    pub fn into_webhook(self, key: Option<&SecretsKey>) -> Result<Webhook, StoreError> {
        let types = self
            .event_types
            .split(',')
            .filter(|name| !name.is_empty())
            .map(|name| {
                EventType::from_name(name).ok_or_else(|| corrupt(format!("event type {name:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let secret =
            |stored: &str| WebhookSecret::parse(&secrets::read(key, stored)?).map_err(corrupt);
        let previous_secret = match (self.previous_secret.as_deref(), self.previous_until) {
            (Some(previous), Some(until)) => Some((secret(previous)?, until)),
            _ => None,
        };
        Ok(Webhook {
            id: WebhookId::parse("webhook_id", &self.webhook_id).map_err(corrupt)?,
            scope: Scope {
                vendor: stored::vendor(&self.spl_ven_id)?,
                lower_rank: stored::opt_vendor(self.lrnk_spl_ven_id.as_deref())?,
            },
            url: Target::stored(&self.url),
            types,
            status: EndpointStatus::from_name(&self.status)
                .ok_or_else(|| corrupt(format!("endpoint status {:?}", self.status)))?,
            secret: secret(&self.secret)?,
            previous_secret,
            cursor: u64::try_from(self.cursor).map_err(corrupt)?,
            failures: u32::try_from(self.failures).map_err(corrupt)?,
            next_attempt_at: self.next_attempt_at,
            last_error: self.last_error.map(Cow::into_owned),
            last_delivered_at: self.last_delivered_at,
            created_at: self.created_at,
        })
    }
}

table! {
    /// `webhook_deliveries`: an endpoint's recent delivery attempts, numbered per endpoint.
    DeliveryRow in "webhook_deliveries" {
        webhook_id: Cow<'a, str>,
        attempt_no: i64,
        event_id: Cow<'a, str>,
        seq: i64,
        attempt: i64,
        http_status: Option<i64>,
        error: Option<Cow<'a, str>>,
        duration_ms: i64,
        attempted_at: KstDateTime,
    }
}

impl<'a> DeliveryRow<'a> {
    pub fn of(webhook: &'a WebhookId, attempt_no: i64, attempt: &'a DeliveryAttempt) -> Self {
        Self {
            webhook_id: text(webhook.as_str()),
            attempt_no,
            event_id: text(&attempt.event_id),
            seq: attempt.sequence as i64,
            attempt: i64::from(attempt.attempt),
            http_status: attempt.status.map(i64::from),
            error: attempt.error.as_deref().map(text),
            duration_ms: attempt.duration_ms as i64,
            attempted_at: attempt.at,
        }
    }

    pub fn into_attempt(self) -> Result<DeliveryAttempt, StoreError> {
        Ok(DeliveryAttempt {
            event_id: self.event_id.into_owned(),
            sequence: u64::try_from(self.seq).map_err(corrupt)?,
            attempt: u32::try_from(self.attempt).map_err(corrupt)?,
            status: self
                .http_status
                .map(u16::try_from)
                .transpose()
                .map_err(corrupt)?,
            error: self.error.map(Cow::into_owned),
            duration_ms: u64::try_from(self.duration_ms).map_err(corrupt)?,
            at: self.attempted_at,
        })
    }
}

table! {
    /// `console_users`: people who sign in to the web console.
    ConsoleUserRow in "console_users" {
        login: Cow<'a, str>,
        role: Cow<'a, str>,
        /// Set for a vendor user: the vendor it works for.
        spl_ven_id: Option<Cow<'a, str>>,
        /// Set for a vendor user narrowed to one lower-rank vendor.
        lrnk_spl_ven_id: Option<Cow<'a, str>>,
        password_hash: Cow<'a, str>,
        created_at: KstDateTime,
    }
}

impl<'a> ConsoleUserRow<'a> {
    pub fn of(user: &'a NewUser, now: KstDateTime) -> Self {
        let scope = user.role.scope();
        Self {
            login: text(user.login.as_str()),
            role: text(user.role.name()),
            spl_ven_id: scope.map(|scope| text(scope.vendor.as_str())),
            lrnk_spl_ven_id: scope.and_then(|scope| opt_vendor(&scope.lower_rank)),
            password_hash: text(&user.password_hash),
            created_at: now,
        }
    }

    pub fn into_user(self) -> Result<User, StoreError> {
        let scope = match &self.spl_ven_id {
            Some(vendor) => Some(Scope {
                vendor: VendorId::parse("splVenId", vendor).map_err(corrupt)?,
                lower_rank: self
                    .lrnk_spl_ven_id
                    .as_deref()
                    .map(|lower| VendorId::parse("lrnkSplVenId", lower))
                    .transpose()
                    .map_err(corrupt)?,
            }),
            None => None,
        };
        Ok(User {
            login: Login::parse(&self.login).map_err(corrupt)?,
            role: UserRole::parse(&self.role, scope).map_err(corrupt)?,
            created_at: self.created_at,
        })
    }
}

table! {
    /// `console_sessions`: signed-in sessions, by the SHA-256 of their cookie.
    SessionRow in "console_sessions" {
        session_hash: Cow<'a, [u8]>,
        login: Cow<'a, str>,
        csrf: Cow<'a, str>,
        created_at: KstDateTime,
        last_seen_at: KstDateTime,
    }
}

impl<'a> SessionRow<'a> {
    pub fn of(session: &'a NewSession, now: KstDateTime) -> Self {
        Self {
            session_hash: Cow::Borrowed(&session.hash.0),
            login: text(session.login.as_str()),
            csrf: text(&session.csrf),
            created_at: now,
            last_seen_at: now,
        }
    }
}
