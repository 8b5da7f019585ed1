//! Bulk loading in one large transaction with prepared statements and, for the load's
//! duration, `synchronous = OFF`: a crash mid-load loses the load, never a committed write.
//! The rows are the service's own (`claims_store::bulk`).

use claims_store::StoreError;
use claims_store::bulk::{self, BulkOrder};
use claims_store::sql::script;
use rusqlite::Connection;

pub(crate) fn load(connection: &mut Connection, orders: Vec<BulkOrder>) -> Result<(), StoreError> {
    crate::sql::write(
        connection,
        None,
        script(move |sql| Box::pin(async move { bulk::insert(sql, &orders).await })),
    )
}
