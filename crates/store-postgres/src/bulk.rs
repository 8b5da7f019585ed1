//! Bulk loading with `COPY … FROM STDIN`, one transaction per call. The rows are the
//! service's own (`claims_store::bulk`), encoded in COPY's text format.

use std::fmt::Write as _;

use bytes::Bytes;
use claims_store::StoreError;
use claims_store::bulk::BulkOrder;
use claims_store::sql::Param;
use futures::SinkExt;

use crate::error::db_error;

/// The rows of one table in COPY's text format.
struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    text: String,
}

impl Rows {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Self {
        Self {
            table,
            columns,
            text: String::with_capacity(1 << 20),
        }
    }

    /// Appends a row of `params`, in the table's column order.
    fn push(&mut self, params: &[Param<'_>]) {
        for (index, param) in params.iter().enumerate() {
            if index > 0 {
                self.text.push('\t');
            }
            match *param {
                Param::Null => self.text.push_str("\\N"),
                Param::Text(value) => {
                    for c in value.chars() {
                        match c {
                            '\\' => self.text.push_str("\\\\"),
                            '\t' => self.text.push_str("\\t"),
                            '\n' => self.text.push_str("\\n"),
                            '\r' => self.text.push_str("\\r"),
                            other => self.text.push(other),
                        }
                    }
                }
                Param::Int(value) => {
                    let _ = write!(self.text, "{value}");
                }
                Param::Time(value) => {
                    let _ = write!(self.text, "{}", value.timestamp());
                }
                Param::Bytes(bytes) => {
                    // bytea's hex form, its backslash escaped for COPY.
                    self.text.push_str("\\\\x");
                    for byte in bytes {
                        let _ = write!(self.text, "{byte:02x}");
                    }
                }
            }
        }
        self.text.push('\n');
    }

    fn statement(&self) -> String {
        format!(
            "COPY {} ({}) FROM STDIN",
            self.table,
            self.columns.join(", ")
        )
    }
}

async fn copy(tx: &deadpool_postgres::Transaction<'_>, rows: Rows) -> Result<(), StoreError> {
    let sink = tx.copy_in(&rows.statement()).await.map_err(db_error)?;
    futures::pin_mut!(sink);
    sink.send(Bytes::from(rows.text)).await.map_err(db_error)?;
    sink.close().await.map_err(db_error)?;
    Ok(())
}

pub(crate) async fn load(
    client: &mut deadpool_postgres::Object,
    orders: &[BulkOrder],
) -> Result<(), StoreError> {
    use claims_store::tables::{ClaimLineRow, ClaimRow, FeeRow, ItemRow, OrderRow};
    for order in orders {
        order.check()?;
    }
    let mut tables = [
        Rows::new(OrderRow::TABLE, OrderRow::COLUMNS),
        Rows::new(FeeRow::TABLE, FeeRow::COLUMNS),
        Rows::new(ItemRow::TABLE, ItemRow::COLUMNS),
        Rows::new(ClaimRow::TABLE, ClaimRow::COLUMNS),
        Rows::new(ClaimLineRow::TABLE, ClaimLineRow::COLUMNS),
    ];
    for order in orders {
        let rows = order.rows()?;
        let [order_rows, fee_rows, item_rows, claim_rows, line_rows] = &mut tables;
        order_rows.push(&rows.order.params());
        rows.fees
            .iter()
            .for_each(|row| fee_rows.push(&row.params()));
        rows.items
            .iter()
            .for_each(|row| item_rows.push(&row.params()));
        rows.claims
            .iter()
            .for_each(|row| claim_rows.push(&row.params()));
        rows.lines
            .iter()
            .for_each(|row| line_rows.push(&row.params()));
    }
    // The rows were checked above, so the per-row foreign-key triggers can be skipped, as a
    // restore does, where the role may (superusers); elsewhere they simply run.
    let _ = client
        .batch_execute("SET session_replication_role = replica")
        .await;
    let result = copy_all(client, tables).await;
    let _ = client.batch_execute("RESET session_replication_role").await;
    result
}

async fn copy_all(
    client: &mut deadpool_postgres::Object,
    tables: [Rows; 5],
) -> Result<(), StoreError> {
    let tx = client.transaction().await.map_err(db_error)?;
    tx.batch_execute("SET LOCAL synchronous_commit = off")
        .await
        .map_err(db_error)?;
    // In the order of their foreign keys.
    for rows in tables {
        copy(&tx, rows).await?;
    }
    // New claims made through the service continue after the loaded ones.
    tx.execute(
        "SELECT setval(pg_get_serial_sequence('claims', 'claim_id'), \
                greatest((SELECT max(claim_id) FROM claims), 1))",
        &[],
    )
    .await
    .map_err(db_error)?;
    // And new items' shipping numbers after the loaded ones.
    tx.execute(
        "SELECT setval(pg_get_serial_sequence('order_items', 'shpp_no'), \
                greatest((SELECT max(shpp_no) FROM order_items), 1))",
        &[],
    )
    .await
    .map_err(db_error)?;
    tx.commit().await.map_err(db_error)
}
