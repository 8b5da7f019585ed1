//! Returns and exchanges as read: an order's claims of pickups, each with its lines, and one
//! claim by its number. Every script that changes them (`returns`) and every read of an
//! order (`orders`) builds on these.

use std::collections::BTreeMap;

use claims_domain::{ClaimNo, OrderNo, PickupClaim, PickupLine};

use crate::StoreError;
use crate::sql::{ByOrder, Sql, rows_of_orders};
use crate::stored;
use crate::tables::{PickupClaimRow, PickupRow, select};

/// Every return and exchange of `ord_no`, in the order they were filed, each with its lines.
pub(crate) async fn of_order(
    sql: &mut dyn Sql,
    ord_no: &OrderNo,
) -> Result<Vec<PickupClaim>, StoreError> {
    Ok(of_orders(sql, std::slice::from_ref(ord_no))
        .await?
        .remove(ord_no.as_str())
        .unwrap_or_default())
}

/// [`of_order`] for each of `ord_nos`, by order number.
pub(crate) async fn of_orders(
    sql: &mut dyn Sql,
    ord_nos: &[OrderNo],
) -> Result<ByOrder<PickupClaim>, StoreError> {
    let select_lines = select(PickupRow::TABLE, PickupRow::COLUMNS);
    let mut lines: BTreeMap<String, Vec<PickupLine>> = BTreeMap::new();
    for row in rows_of_orders(sql, &select_lines, "oror_no", ord_nos, "clm_no, line_seq").await? {
        let row = PickupRow::read(&row)?;
        let clm_no = row.clm_no.clone().into_owned();
        lines.entry(clm_no).or_default().push(row.into_line()?);
    }
    let mut claims = ByOrder::new();
    if lines.is_empty() {
        return Ok(claims);
    }
    let select_claims = select(PickupClaimRow::TABLE, PickupClaimRow::COLUMNS);
    for row in rows_of_orders(sql, &select_claims, "oror_no", ord_nos, "claim_id").await? {
        let row = PickupClaimRow::read(&row)?;
        let mut claim_lines = lines.remove(row.clm_no.as_ref()).unwrap_or_default();
        claim_lines.sort_by_key(|line| line.line_seq);
        let oror_no = row.oror_no.clone().into_owned();
        claims
            .entry(oror_no)
            .or_default()
            .push(row.into_claim(claim_lines)?);
    }
    Ok(claims)
}

/// One return or exchange by its number.
pub(crate) async fn claim(
    sql: &mut dyn Sql,
    clm_no: &ClaimNo,
) -> Result<Option<PickupClaim>, StoreError> {
    let Some(oror_no) = original_of(sql, clm_no).await? else {
        return Ok(None);
    };
    Ok(of_order(sql, &oror_no)
        .await?
        .into_iter()
        .find(|claim| &claim.clm_no == clm_no))
}

pub(crate) async fn original_of(
    sql: &mut dyn Sql,
    clm_no: &ClaimNo,
) -> Result<Option<OrderNo>, StoreError> {
    sql.query_opt(
        "SELECT oror_no FROM pickup_claims WHERE clm_no = $1",
        &[clm_no.as_str().into()],
    )
    .await?
    .map(|row| stored::order_no(row.text(0)?))
    .transpose()
}
