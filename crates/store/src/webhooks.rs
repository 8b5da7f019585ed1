//! Vendors' webhook endpoints: registering and managing them, and the dispatcher's side —
//! leasing endpoints with events due, recording each attempt, dropping old attempts.
//!
//! Every write the dispatcher makes is conditioned on its lease (`lease_owner`): an
//! endpoint resumed, replayed or deleted meanwhile loses its lease, so a node still busy
//! with its old position writes nothing and stops.

use claims_domain::{
    DeliveryAttempt, EndpointStatus, KstDateTime, VendorId, Webhook, WebhookId, WebhookSecret,
};

use crate::sql::{Param, Sql};
use crate::tables::{DeliveryRow, WebhookRow, select};
use crate::{Attempted, Replayed, StoreError, events, secrets};

/// Attempts kept per endpoint in its delivery log.
pub const KEPT_ATTEMPTS: i64 = 1_000;

fn read_all(sql: &dyn Sql, rows: &[crate::sql::Row]) -> Result<Vec<Webhook>, StoreError> {
    rows.iter()
        .map(|row| WebhookRow::read(row)?.into_webhook(sql.secrets()))
        .collect()
}

fn returning() -> String {
    format!("RETURNING {}", WebhookRow::COLUMNS.join(", "))
}

/// Registers `webhook`, starting after the last event its vendor has now.
pub(crate) async fn add(sql: &mut dyn Sql, mut webhook: Webhook) -> Result<Webhook, StoreError> {
    webhook.cursor = events::head(sql, &webhook.scope.vendor).await?.last;
    let row = WebhookRow::of(&webhook, sql.secrets());
    sql.execute(&WebhookRow::insert_sql(), &row.params())
        .await?;
    Ok(webhook)
}

/// The endpoints of `vendor` (all of them, when `None`), oldest first.
pub(crate) async fn list(
    sql: &mut dyn Sql,
    vendor: Option<&VendorId>,
) -> Result<Vec<Webhook>, StoreError> {
    let columns = select(WebhookRow::TABLE, WebhookRow::COLUMNS);
    let rows = match vendor {
        Some(vendor) => {
            sql.query(
                &format!("{columns} WHERE spl_ven_id = $1 ORDER BY created_at, webhook_id"),
                &[vendor.as_str().into()],
            )
            .await?
        }
        None => {
            sql.query(&format!("{columns} ORDER BY created_at, webhook_id"), &[])
                .await?
        }
    };
    read_all(sql, &rows)
}

pub(crate) async fn get(sql: &mut dyn Sql, id: &WebhookId) -> Result<Option<Webhook>, StoreError> {
    let columns = select(WebhookRow::TABLE, WebhookRow::COLUMNS);
    sql.query_opt(
        &format!("{columns} WHERE webhook_id = $1"),
        &[id.as_str().into()],
    )
    .await?
    .map(|row| WebhookRow::read(&row)?.into_webhook(sql.secrets()))
    .transpose()
}

/// Removes an endpoint and its log; whether it existed.
pub(crate) async fn delete(sql: &mut dyn Sql, id: &WebhookId) -> Result<bool, StoreError> {
    sql.execute(
        "DELETE FROM webhook_deliveries WHERE webhook_id = $1",
        &[id.as_str().into()],
    )
    .await?;
    Ok(sql
        .execute(
            "DELETE FROM webhooks WHERE webhook_id = $1",
            &[id.as_str().into()],
        )
        .await?
        > 0)
}

/// Signs with `secret` from now on, and with the current secret beside it until `until`.
pub(crate) async fn rotate(
    sql: &mut dyn Sql,
    id: &WebhookId,
    secret: &WebhookSecret,
    until: KstDateTime,
) -> Result<Option<Webhook>, StoreError> {
    let rows = sql
        .query(
            &format!(
                "UPDATE webhooks SET previous_secret = secret, previous_until = $3, secret = $2 \
                 WHERE webhook_id = $1 {}",
                returning()
            ),
            &[
                id.as_str().into(),
                secrets::keep(sql.secrets(), secret.expose())
                    .as_str()
                    .into(),
                until.into(),
            ],
        )
        .await?;
    Ok(read_all(sql, &rows)?.pop())
}

/// Makes the endpoint active and due now from `cursor` (where it stands, when `None`),
/// taking its lease from whoever held it.
pub(crate) async fn restart(
    sql: &mut dyn Sql,
    id: &WebhookId,
    status: EndpointStatus,
    cursor: Option<u64>,
    now: KstDateTime,
) -> Result<Option<Webhook>, StoreError> {
    let rows = sql
        .query(
            &format!(
                "UPDATE webhooks SET status = $2, cursor = COALESCE($3, cursor), failures = 0, \
                 next_attempt_at = $4, lease_owner = NULL, lease_until = NULL \
                 WHERE webhook_id = $1 {}",
                returning()
            ),
            &[
                id.as_str().into(),
                status.name().into(),
                cursor.map(|cursor| cursor as i64).into(),
                now.into(),
            ],
        )
        .await?;
    Ok(read_all(sql, &rows)?.pop())
}

/// Replays an endpoint from `cursor` (as [`restart`] does, keeping its status), unless it
/// was replayed since `cooled_since`; in one statement, so that replays sent at once make
/// one. `None` when there is no such endpoint.
pub(crate) async fn replay(
    sql: &mut dyn Sql,
    id: &WebhookId,
    cursor: u64,
    now: KstDateTime,
    cooled_since: KstDateTime,
) -> Result<Option<Replayed>, StoreError> {
    let rows = sql
        .query(
            &format!(
                "UPDATE webhooks SET cursor = $2, failures = 0, next_attempt_at = $3, \
                 lease_owner = NULL, lease_until = NULL, replayed_at = $3 \
                 WHERE webhook_id = $1 AND (replayed_at IS NULL OR replayed_at < $4) {}",
                returning()
            ),
            &[
                id.as_str().into(),
                Param::Int(cursor as i64),
                now.into(),
                cooled_since.into(),
            ],
        )
        .await?;
    if let Some(hook) = read_all(sql, &rows)?.pop() {
        return Ok(Some(Replayed::Done(Box::new(hook))));
    }
    let last = sql
        .query_opt(
            "SELECT replayed_at FROM webhooks WHERE webhook_id = $1",
            &[id.as_str().into()],
        )
        .await?;
    Ok(match last {
        Some(row) => Some(Replayed::TooSoon(row.time(0)?)),
        None => None,
    })
}

/// The endpoint's most recent attempts, newest first.
pub(crate) async fn deliveries(
    sql: &mut dyn Sql,
    id: &WebhookId,
    limit: usize,
) -> Result<Vec<DeliveryAttempt>, StoreError> {
    let columns = select(DeliveryRow::TABLE, DeliveryRow::COLUMNS);
    let rows = sql
        .query(
            &format!("{columns} WHERE webhook_id = $1 ORDER BY attempt_no DESC LIMIT $2"),
            &[id.as_str().into(), Param::Int(limit as i64)],
        )
        .await?;
    rows.iter()
        .map(|row| DeliveryRow::read(row)?.into_attempt())
        .collect()
}

/// The condition of an endpoint with events due at `$now` that nobody delivers to.
const DUE: &str = "status = 'active' AND next_attempt_at <= $1 \
     AND (lease_until IS NULL OR lease_until < $1) \
     AND EXISTS (SELECT 1 FROM event_heads h \
                 WHERE h.spl_ven_id = webhooks.spl_ven_id AND h.last_seq > webhooks.cursor)";

/// Whether any endpoint has events due at `now` (a cheap look before leasing).
pub(crate) async fn any_due(sql: &mut dyn Sql, now: KstDateTime) -> Result<bool, StoreError> {
    Ok(sql
        .query_opt(
            &format!("SELECT 1 FROM webhooks WHERE {DUE} LIMIT 1"),
            &[now.into()],
        )
        .await?
        .is_some())
}

/// Leases up to `limit` endpoints with events due to `node` until `until`, longest waiting
/// first. Endpoints another transaction is leasing are passed over, never waited for.
pub(crate) async fn lease(
    sql: &mut dyn Sql,
    node: &str,
    now: KstDateTime,
    until: KstDateTime,
    limit: usize,
) -> Result<Vec<Webhook>, StoreError> {
    let rows = sql
        .query(
            &format!(
                "UPDATE webhooks SET lease_owner = $2, lease_until = $3 WHERE webhook_id IN \
                 (SELECT webhook_id FROM webhooks WHERE {DUE} \
                  ORDER BY next_attempt_at LIMIT $4{}) {}",
                sql.dialect().for_update_skip_locked(),
                returning()
            ),
            &[
                now.into(),
                node.into(),
                until.into(),
                Param::Int(limit as i64),
            ],
        )
        .await?;
    read_all(sql, &rows)
}

/// Records an attempt made under `node`'s lease and what it did to the endpoint; `None`
/// when the lease is no longer the node's (nothing is written then).
pub(crate) async fn attempted(
    sql: &mut dyn Sql,
    attempted: &Attempted,
) -> Result<Option<Webhook>, StoreError> {
    let after = &attempted.after;
    let rows = sql
        .query(
            &format!(
                "UPDATE webhooks SET cursor = $3, failures = $4, next_attempt_at = $5, \
                 status = $6, last_error = COALESCE($7, last_error), \
                 last_delivered_at = COALESCE($8, last_delivered_at), \
                 lease_owner = $9, lease_until = $10, attempts_made = attempts_made + 1 \
                 WHERE webhook_id = $1 AND lease_owner = $2 {}",
                returning()
            ),
            &[
                after.id.as_str().into(),
                attempted.node.as_str().into(),
                Param::Int(after.cursor as i64),
                Param::Int(i64::from(after.failures)),
                after.next_attempt_at.into(),
                after.status.name().into(),
                after.last_error.as_deref().into(),
                after.last_delivered_at.into(),
                attempted
                    .lease_until
                    .map(|_| attempted.node.as_str())
                    .into(),
                attempted.lease_until.into(),
            ],
        )
        .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let stored = WebhookRow::read(row)?;
    let attempt_no = stored.attempts_made;
    let webhook = stored.into_webhook(sql.secrets())?;
    if let Some(log) = &attempted.log {
        let row = DeliveryRow::of(&webhook.id, attempt_no, log);
        sql.execute(&DeliveryRow::insert_sql(), &row.params())
            .await?;
        sql.execute(
            "DELETE FROM webhook_deliveries WHERE webhook_id = $1 AND attempt_no <= $2",
            &[
                webhook.id.as_str().into(),
                Param::Int(attempt_no - KEPT_ATTEMPTS),
            ],
        )
        .await?;
    }
    Ok(Some(webhook))
}

/// Gives up `node`'s lease on the endpoint, if it still holds it.
pub(crate) async fn release(
    sql: &mut dyn Sql,
    id: &WebhookId,
    node: &str,
) -> Result<(), StoreError> {
    sql.execute(
        "UPDATE webhooks SET lease_owner = NULL, lease_until = NULL \
         WHERE webhook_id = $1 AND lease_owner = $2",
        &[id.as_str().into(), node.into()],
    )
    .await?;
    Ok(())
}
