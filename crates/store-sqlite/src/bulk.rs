//! Bulk loading in one large transaction with prepared statements and, for the load's
//! duration, `synchronous = OFF`: a crash mid-load loses the load, never a committed write.

use claims_domain::{Actor, VendorId};
use claims_store::StoreError;
use claims_store::bulk::BulkOrder;
use rusqlite::{Connection, TransactionBehavior, params};

use crate::convert::db_error;

pub(crate) fn load(connection: &mut Connection, orders: &[BulkOrder]) -> Result<(), StoreError> {
    for order in orders {
        order.check()?;
    }
    let tx = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db_error)?;
    {
        let mut insert_order = tx
            .prepare_cached(
                "INSERT INTO orders (ord_no, ordpe_nm, customer_id, ord_rcp_media_cd, ord_rcp_dts, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(db_error)?;
        let mut insert_fee = tx
            .prepare_cached(
                "INSERT INTO order_shipping_fees (ord_no, spl_ven_id, amount) VALUES (?1, ?2, ?3)",
            )
            .map_err(db_error)?;
        let mut insert_item = tx
            .prepare_cached(
                "INSERT INTO order_items (ord_no, ord_item_seq, item_id, item_nm, uitem_id, uitem_nm, qty, \
                 unit_price, spl_ven_id, lrnk_spl_ven_id, spl_ven_bdn_dc_amt, canceled_qty, shipped_qty, \
                 refunded_dc_amt, shipped_at, last_canceled_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            )
            .map_err(db_error)?;
        let mut insert_claim = tx
            .prepare_cached(
                "INSERT INTO claims (claim_id, clm_no, oror_no, ord_cncl_dts, clm_rsn_cd, clm_rsn_cntt, \
                 impt_div_cd, customer_id, agent_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .map_err(db_error)?;
        let mut insert_line = tx
            .prepare_cached(
                "INSERT INTO claim_lines (spl_ven_id, ord_cncl_dts, clm_no, clm_item_seq, lrnk_spl_ven_id, \
                 oror_no, oror_item_seq, ordpe_nm, ord_rcp_media_cd, ord_rcp_dts, item_id, item_nm, uitem_id, \
                 uitem_nm, dirc_item_qty, clm_rsn_cd, clm_rsn_cntt, impt_div_cd, cncl_item_qty, \
                 shpmt_shppcst, ret_shppcst, exch_shppcst, spl_ven_bdn_dc_amt) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
            )
            .map_err(db_error)?;
        for bulk in orders {
            let order = &bulk.record.order;
            let ord_no = order.ord_no().as_str();
            insert_order
                .execute(params![
                    ord_no,
                    order.ordpe_nm().as_str(),
                    order.customer_id().as_str(),
                    order.media().code(),
                    order.received_at().unix_seconds(),
                    bulk.placed_at.unix_seconds()
                ])
                .map_err(db_error)?;
            for fee in order.shipping_fees() {
                insert_fee
                    .execute(params![ord_no, fee.vendor.as_str(), fee.amount.get()])
                    .map_err(db_error)?;
            }
            for (item, state) in order.items().iter().zip(&bulk.record.items) {
                insert_item
                    .execute(params![
                        ord_no,
                        item.seq.get(),
                        item.item_id.as_str(),
                        item.item_nm.as_str(),
                        item.uitem_id.as_str(),
                        item.uitem_nm.as_str(),
                        item.qty.get(),
                        item.unit_price.get(),
                        item.vendor.as_str(),
                        item.lower_rank.as_ref().map(VendorId::as_str),
                        item.discount.get(),
                        state.canceled,
                        state.shipped,
                        state.refunded_discount.get(),
                        state.shipped_at.map(|t| t.unix_seconds()),
                        state.last_canceled_at.map(|t| t.unix_seconds())
                    ])
                    .map_err(db_error)?;
            }
            for (claim, id) in bulk.record.claims.iter().zip(&bulk.claim_ids) {
                let (customer, agent) = match &claim.actor {
                    Actor::Customer(customer) => (Some(customer.as_str()), None),
                    Actor::Agent(agent) => (None, Some(agent.as_str())),
                };
                insert_claim
                    .execute(params![
                        *id as i64,
                        claim.clm_no.as_str(),
                        ord_no,
                        claim.canceled_at.unix_seconds(),
                        claim.reason.code(),
                        claim.reason_text.as_str(),
                        claim.fault.code(),
                        customer,
                        agent
                    ])
                    .map_err(db_error)?;
                for line in &claim.lines {
                    let item = order.item(line.item_seq).ok_or_else(|| {
                        StoreError::internal("a claim line names no item of its order")
                    })?;
                    insert_line
                        .execute(params![
                            line.cost.vendor.as_str(),
                            claim.canceled_at.unix_seconds(),
                            claim.clm_no.as_str(),
                            line.line_seq.get(),
                            line.cost.lower_rank.as_ref().map(VendorId::as_str),
                            ord_no,
                            line.item_seq.get(),
                            order.ordpe_nm().as_str(),
                            order.media().code(),
                            order.received_at().unix_seconds(),
                            item.item_id.as_str(),
                            item.item_nm.as_str(),
                            item.uitem_id.as_str(),
                            item.uitem_nm.as_str(),
                            item.qty.get(),
                            claim.reason.code(),
                            claim.reason_text.as_str(),
                            claim.fault.code(),
                            line.qty.get(),
                            line.cost.shpmt_shppcst.get(),
                            line.cost.ret_shppcst.get(),
                            line.cost.exch_shppcst.get(),
                            line.cost.spl_ven_bdn_dc_amt.get()
                        ])
                        .map_err(db_error)?;
                }
            }
        }
    }
    tx.commit().map_err(db_error)
}
