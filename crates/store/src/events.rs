//! Events, written in the transaction of their change, and read back in each vendor's
//! sequence. See the `events` migration for why a vendor's sequence has no gaps a reader
//! could step over: the vendor's `event_heads` row is held from the event's insert to the
//! commit.

use claims_domain::{KstDateTime, NewEvent, Scope, VendorId};

use crate::sql::{Dialect, Param, Sql};
use crate::tables::{EventRow, select};
use crate::{EventHead, EventsPage, StoreError, StoredEvent};

/// Appends `events` as of `now`, each the next of its vendor. Vendors' rows are taken in
/// vendor order, so two transactions never wait for each other in a cycle. Called last in
/// a write, so that a vendor's row is held as briefly as possible.
pub(crate) async fn append(
    sql: &mut dyn Sql,
    mut events: Vec<NewEvent>,
    now: KstDateTime,
) -> Result<(), StoreError> {
    events.sort_by(|a, b| (&a.vendor, &a.lower_rank).cmp(&(&b.vendor, &b.lower_rank)));
    for event in &events {
        let seq = sql
            .query_one(
                "INSERT INTO event_heads (spl_ven_id, last_seq) VALUES ($1, 1) \
                 ON CONFLICT (spl_ven_id) DO UPDATE SET last_seq = event_heads.last_seq + 1 \
                 RETURNING last_seq",
                &[event.vendor.as_str().into()],
            )
            .await?
            .int(0)?;
        let row = EventRow::of(event, seq as u64, now);
        sql.execute(&EventRow::insert_sql(), &row.params()).await?;
    }
    if sql.dialect() == Dialect::Postgres && !events.is_empty() {
        // Delivered at commit, to every node listening: their long polls and webhook
        // dispatch look at once instead of at their next periodic look.
        let mut vendors: Vec<&str> = events.iter().map(|event| event.vendor.as_str()).collect();
        vendors.dedup();
        sql.execute(
            "SELECT pg_notify($1, $2)",
            &[EVENTS_CHANNEL.into(), vendors.join(",").as_str().into()],
        )
        .await?;
    }
    Ok(())
}

/// The PostgreSQL notification channel a transaction that appends events notifies, with
/// the vendors whose sequences moved (comma-separated) as the payload.
pub const EVENTS_CHANNEL: &str = "ssg_claims_events";

/// Up to `limit` of the events `scope` may see after sequence `after`, in sequence order,
/// and how far the vendor's sequence was read: a whole vendor's key sees all of its
/// vendor's; a narrowed key, those about its lower-rank vendor's items (read through
/// `events_by_lower_rank`, never its parent's whole sequence).
///
/// The head is read first: a vendor's events commit in sequence order (its head row is
/// held from an event's insert to the commit), so every event up to the head read has
/// committed, and the page may say it read that far even where none of them were the
/// scope's — a cursor then moves past what it has no reason to read again.
pub(crate) async fn after(
    sql: &mut dyn Sql,
    scope: &Scope,
    after: u64,
    limit: usize,
) -> Result<EventsPage, StoreError> {
    let last = head(sql, &scope.vendor).await?.last;
    if last <= after {
        return Ok(EventsPage {
            events: Vec::new(),
            through: after,
        });
    }
    let lower = scope.lower_rank.as_ref().map(|lower| lower.as_str());
    let mut params = vec![
        scope.vendor.as_str().into(),
        Param::Int(after as i64),
        Param::Int(last as i64),
        Param::Int(limit as i64),
    ];
    params.extend(lower.map(Param::from));
    let statement = events_after_sql(sql.dialect(), lower.is_some());
    let rows = sql.query(&statement, &params).await?;
    let events: Vec<StoredEvent> = rows
        .iter()
        .map(|row| EventRow::read(row)?.into_event())
        .collect::<Result<_, _>>()?;
    let through = match events.last() {
        Some(event) if events.len() == limit => event.sequence,
        _ => last,
    };
    Ok(EventsPage { events, through })
}

/// The statement `after` reads a page with: `$1` the vendor, `$2` and `$3` the
/// sequences after and through, `$4` the limit, and for a narrowed scope `$5` its
/// lower-rank vendor. Public for the backends' tests of its plan.
pub fn events_after_sql(dialect: Dialect, narrowed: bool) -> String {
    let columns = select(EventRow::TABLE, EventRow::COLUMNS);
    if narrowed {
        let index = dialect.indexed_by("events_by_lower_rank");
        format!(
            "{columns}{index} WHERE spl_ven_id = $1 AND lrnk_spl_ven_id = $5 \
             AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4"
        )
    } else {
        format!("{columns} WHERE spl_ven_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4")
    }
}

/// Where a vendor's sequence stands.
pub(crate) async fn head(sql: &mut dyn Sql, vendor: &VendorId) -> Result<EventHead, StoreError> {
    let row = sql
        .query_opt(
            "SELECT last_seq, purged_through FROM event_heads WHERE spl_ven_id = $1",
            &[vendor.as_str().into()],
        )
        .await?;
    Ok(match row {
        Some(row) => EventHead {
            last: row.int(0)? as u64,
            purged_through: row.int(1)? as u64,
        },
        None => EventHead::default(),
    })
}

/// Removes up to `limit` events that occurred before `before`, oldest first, noting for each
/// vendor how far its events are gone; returns how many it removed.
pub(crate) async fn purge(
    sql: &mut dyn Sql,
    before: KstDateTime,
    limit: usize,
) -> Result<usize, StoreError> {
    let doomed = sql
        .query(
            "SELECT spl_ven_id, seq FROM events WHERE occurred_at < $1 \
             ORDER BY occurred_at LIMIT $2",
            &[before.into(), Param::Int(limit as i64)],
        )
        .await?;
    let mut through: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
    for row in &doomed {
        let vendor = row.text(0)?.to_owned();
        let seq = row.int(1)?;
        sql.execute(
            "DELETE FROM events WHERE spl_ven_id = $1 AND seq = $2",
            &[vendor.as_str().into(), Param::Int(seq)],
        )
        .await?;
        let highest = through.entry(vendor).or_insert(seq);
        *highest = (*highest).max(seq);
    }
    for (vendor, seq) in &through {
        sql.execute(
            "UPDATE event_heads SET purged_through = $2 \
             WHERE spl_ven_id = $1 AND purged_through < $2",
            &[vendor.as_str().into(), Param::Int(*seq)],
        )
        .await?;
    }
    Ok(doomed.len())
}
