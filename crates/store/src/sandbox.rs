//! What a sandbox saw, kept in order: every vendor call with what it asked and was
//! answered, every feed read and acknowledged webhook delivery, every scenario step as it
//! ran. The server writes each entry as it happens and reads them back for the report; the
//! store keeps them as they were handed over (`body` is the server's own JSON) and decides
//! nothing about them.

use claims_domain::{KstDateTime, VendorId};

use crate::StoreError;
use crate::sql::{Param, Sql};
use crate::stored;

/// One thing a sandbox saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxEntry {
    /// The vendor whose call, read or delivery it was; none for a scenario's step.
    pub vendor: Option<VendorId>,
    /// When, on the sandbox clock.
    pub at: KstDateTime,
    /// When, on the real clock (milliseconds since the Unix epoch).
    pub real_ms: i64,
    /// What it is (`call`, `feed`, `webhook`, `step`): what `body` holds.
    pub kind: String,
    /// The entry itself, as the server wrote it.
    pub body: String,
}

/// Appends `entry`; its place in the log.
pub(crate) async fn record(sql: &mut dyn Sql, entry: &SandboxEntry) -> Result<u64, StoreError> {
    let vendor = entry.vendor.as_ref().map(VendorId::as_str);
    let row = sql
        .query_opt(
            "INSERT INTO sandbox_log (spl_ven_id, at, real_ms, kind, body) \
             VALUES ($1, $2, $3, $4, $5) RETURNING seq",
            &[
                vendor.into(),
                entry.at.into(),
                Param::Int(entry.real_ms),
                entry.kind.as_str().into(),
                entry.body.as_str().into(),
            ],
        )
        .await?
        .ok_or_else(|| StoreError::internal("INSERT … RETURNING returned no row"))?;
    Ok(row.int(0)? as u64)
}

/// The entries after `after` in the order they were written, at most `limit`: `vendor`'s
/// and the steps' (which belong to no vendor), or every entry.
pub(crate) async fn log(
    sql: &mut dyn Sql,
    vendor: Option<&VendorId>,
    after: u64,
    limit: usize,
) -> Result<Vec<(u64, SandboxEntry)>, StoreError> {
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let columns = "SELECT seq, spl_ven_id, at, real_ms, kind, body FROM sandbox_log";
    let rows = match vendor {
        Some(vendor) => {
            sql.query(
                &format!(
                    "{columns} WHERE (spl_ven_id = $1 OR spl_ven_id IS NULL) AND seq > $2 \
                     ORDER BY seq LIMIT $3"
                ),
                &[vendor.as_str().into(), Param::Int(after), Param::Int(limit)],
            )
            .await?
        }
        None => {
            sql.query(
                &format!("{columns} WHERE seq > $1 ORDER BY seq LIMIT $2"),
                &[Param::Int(after), Param::Int(limit)],
            )
            .await?
        }
    };
    rows.iter()
        .map(|row| {
            let vendor = stored::opt_vendor(row.opt_text(1)?)?;
            Ok((
                row.int(0)? as u64,
                SandboxEntry {
                    vendor,
                    at: row.time(2)?,
                    real_ms: row.int(3)?,
                    kind: row.text(4)?.to_owned(),
                    body: row.text(5)?.to_owned(),
                },
            ))
        })
        .collect()
}
