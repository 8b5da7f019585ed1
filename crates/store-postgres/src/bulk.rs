//! Bulk loading with `COPY … FROM STDIN`, one transaction per call.

use std::fmt::Write as _;

use bytes::Bytes;
use claims_domain::{Actor, KstDateTime};
use claims_store::StoreError;
use claims_store::bulk::BulkOrder;
use futures::SinkExt;

use crate::error::db_error;

/// Rows of one table in COPY's text format.
struct Rows(String);

impl Rows {
    fn new() -> Self {
        Self(String::with_capacity(1 << 20))
    }

    /// Appends a value, escaped as COPY's text format wants; `None` is NULL.
    fn text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            None => self.0.push_str("\\N"),
            Some(value) => {
                for c in value.chars() {
                    match c {
                        '\\' => self.0.push_str("\\\\"),
                        '\t' => self.0.push_str("\\t"),
                        '\n' => self.0.push_str("\\n"),
                        '\r' => self.0.push_str("\\r"),
                        other => self.0.push(other),
                    }
                }
            }
        }
        self.0.push('\t');
        self
    }

    fn int(&mut self, value: impl std::fmt::Display) -> &mut Self {
        let _ = write!(self.0, "{value}\t");
        self
    }

    fn time(&mut self, value: Option<KstDateTime>) -> &mut Self {
        match value {
            Some(value) => {
                let _ = write!(self.0, "{}\t", value.timestamp());
            }
            None => self.0.push_str("\\N\t"),
        }
        self
    }

    /// Ends the row (replacing the last tab by a newline).
    fn end(&mut self) {
        self.0.pop();
        self.0.push('\n');
    }
}

async fn copy(
    tx: &deadpool_postgres::Transaction<'_>,
    statement: &str,
    rows: Rows,
) -> Result<(), StoreError> {
    let sink = tx.copy_in(statement).await.map_err(db_error)?;
    futures::pin_mut!(sink);
    sink.send(Bytes::from(rows.0)).await.map_err(db_error)?;
    sink.close().await.map_err(db_error)?;
    Ok(())
}

pub(crate) async fn load(
    client: &mut deadpool_postgres::Object,
    orders: &[BulkOrder],
) -> Result<(), StoreError> {
    for order in orders {
        order.check()?;
    }
    let (mut order_rows, mut fee_rows, mut item_rows, mut claim_rows, mut line_rows) = (
        Rows::new(),
        Rows::new(),
        Rows::new(),
        Rows::new(),
        Rows::new(),
    );
    for bulk in orders {
        let order = &bulk.record.order;
        let ord_no = order.ord_no().as_str();
        order_rows
            .text(Some(ord_no))
            .text(Some(order.ordpe_nm().as_str()))
            .text(Some(order.customer_id().as_str()))
            .text(Some(order.media().code()))
            .time(Some(order.received_at()))
            .time(Some(bulk.placed_at))
            .end();
        for fee in order.shipping_fees() {
            fee_rows
                .text(Some(ord_no))
                .text(Some(fee.vendor.as_str()))
                .int(fee.amount.get())
                .end();
        }
        for (item, state) in order.items().iter().zip(&bulk.record.items) {
            item_rows
                .text(Some(ord_no))
                .int(item.seq.get())
                .text(Some(item.item_id.as_str()))
                .text(Some(item.item_nm.as_str()))
                .text(Some(item.uitem_id.as_str()))
                .text(Some(item.uitem_nm.as_str()))
                .int(item.qty.get())
                .int(item.unit_price.get())
                .text(Some(item.vendor.as_str()))
                .text(item.lower_rank.as_ref().map(|v| v.as_str()))
                .int(item.discount.get())
                .int(state.canceled)
                .int(state.shipped)
                .int(state.refunded_discount.get())
                .time(state.shipped_at)
                .time(state.last_canceled_at)
                .end();
        }
        for (claim, id) in bulk.record.claims.iter().zip(&bulk.claim_ids) {
            let (customer, agent) = match &claim.actor {
                Actor::Customer(customer) => (Some(customer.as_str()), None),
                Actor::Agent(agent) => (None, Some(agent.as_str())),
            };
            claim_rows
                .int(id)
                .text(Some(claim.clm_no.as_str()))
                .text(Some(ord_no))
                .time(Some(claim.canceled_at))
                .text(Some(claim.reason.code()))
                .text(Some(claim.reason_text.as_str()))
                .text(Some(claim.fault.code()))
                .text(customer)
                .text(agent)
                .end();
            for line in &claim.lines {
                let item = order.item(line.item_seq).ok_or_else(|| {
                    StoreError::internal("a claim line names no item of its order")
                })?;
                line_rows
                    .text(Some(line.cost.vendor.as_str()))
                    .time(Some(claim.canceled_at))
                    .text(Some(claim.clm_no.as_str()))
                    .int(line.line_seq.get())
                    .text(line.cost.lower_rank.as_ref().map(|v| v.as_str()))
                    .text(Some(ord_no))
                    .int(line.item_seq.get())
                    .text(Some(order.ordpe_nm().as_str()))
                    .text(Some(order.media().code()))
                    .time(Some(order.received_at()))
                    .text(Some(item.item_id.as_str()))
                    .text(Some(item.item_nm.as_str()))
                    .text(Some(item.uitem_id.as_str()))
                    .text(Some(item.uitem_nm.as_str()))
                    .int(item.qty.get())
                    .text(Some(claim.reason.code()))
                    .text(Some(claim.reason_text.as_str()))
                    .text(Some(claim.fault.code()))
                    .int(line.qty.get())
                    .int(line.cost.shpmt_shppcst.get())
                    .int(line.cost.ret_shppcst.get())
                    .int(line.cost.exch_shppcst.get())
                    .int(line.cost.spl_ven_bdn_dc_amt.get())
                    .end();
            }
        }
    }
    // The rows were checked above, so the per-row foreign-key triggers can be skipped, as a
    // restore does, where the role may (superusers); elsewhere they simply run.
    let _ = client
        .batch_execute("SET session_replication_role = replica")
        .await;
    let result = copy_all(
        client, order_rows, fee_rows, item_rows, claim_rows, line_rows,
    )
    .await;
    let _ = client.batch_execute("RESET session_replication_role").await;
    result
}

async fn copy_all(
    client: &mut deadpool_postgres::Object,
    order_rows: Rows,
    fee_rows: Rows,
    item_rows: Rows,
    claim_rows: Rows,
    line_rows: Rows,
) -> Result<(), StoreError> {
    let tx = client.transaction().await.map_err(db_error)?;
    tx.batch_execute("SET LOCAL synchronous_commit = off")
        .await
        .map_err(db_error)?;
    copy(
        &tx,
        "COPY orders (ord_no, ordpe_nm, customer_id, ord_rcp_media_cd, ord_rcp_dts, created_at) FROM STDIN",
        order_rows,
    )
    .await?;
    copy(
        &tx,
        "COPY order_shipping_fees (ord_no, spl_ven_id, amount) FROM STDIN",
        fee_rows,
    )
    .await?;
    copy(
        &tx,
        "COPY order_items (ord_no, ord_item_seq, item_id, item_nm, uitem_id, uitem_nm, qty, unit_price, \
         spl_ven_id, lrnk_spl_ven_id, spl_ven_bdn_dc_amt, canceled_qty, shipped_qty, refunded_dc_amt, \
         shipped_at, last_canceled_at) FROM STDIN",
        item_rows,
    )
    .await?;
    copy(
        &tx,
        "COPY claims (claim_id, clm_no, oror_no, ord_cncl_dts, clm_rsn_cd, clm_rsn_cntt, impt_div_cd, \
         customer_id, agent_id) FROM STDIN",
        claim_rows,
    )
    .await?;
    copy(
        &tx,
        "COPY claim_lines (spl_ven_id, ord_cncl_dts, clm_no, clm_item_seq, lrnk_spl_ven_id, oror_no, \
         oror_item_seq, ordpe_nm, ord_rcp_media_cd, ord_rcp_dts, item_id, item_nm, uitem_id, uitem_nm, \
         dirc_item_qty, clm_rsn_cd, clm_rsn_cntt, impt_div_cd, cncl_item_qty, shpmt_shppcst, \
         ret_shppcst, exch_shppcst, spl_ven_bdn_dc_amt) FROM STDIN",
        line_rows,
    )
    .await?;
    // New claims made through the service continue after the loaded ones.
    tx.execute(
        "SELECT setval(pg_get_serial_sequence('claims', 'claim_id'), \
                greatest((SELECT max(claim_id) FROM claims), 1))",
        &[],
    )
    .await
    .map_err(db_error)?;
    tx.commit().await.map_err(db_error)
}
