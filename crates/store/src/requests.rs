//! Cancel requests, as scripts every backend runs in one write transaction: filing one,
//! withdrawing it, the vendor's approval of a line; and the reads that show them. Each
//! change locks the order's row first, as every other change to an order does, so a request
//! line ends exactly once however approvals, withdrawals and shipments of the item race.

use claims_domain::{
    Actor, CancelCommand, CancelRejection, CancelRequest, Claim, ItemSeq, KstDateTime, LineStatus,
    OrderNo, PendingLine, Period, RequestId, Scope, plan_approval, plan_cancel_request,
    plan_withdrawal, request_events,
};

use crate::sql::Sql;
use crate::stored;
use crate::tables::{ItemRow, RequestLineRow, RequestRow, columns, select};
use crate::{Completion, NotFound, StoreError};
use crate::{events, idempotency, orders};

/// One request, with its lines.
pub(crate) async fn one(
    sql: &mut dyn Sql,
    id: &RequestId,
) -> Result<Option<CancelRequest>, StoreError> {
    let statement = format!(
        "{} WHERE request_id = $1",
        select(RequestRow::TABLE, RequestRow::COLUMNS)
    );
    let Some(row) = sql.query_opt(&statement, &[id.as_str().into()]).await? else {
        return Ok(None);
    };
    let statement = format!(
        "{} WHERE request_id = $1 ORDER BY ord_item_seq",
        select(RequestLineRow::TABLE, RequestLineRow::COLUMNS)
    );
    let lines = sql
        .query(&statement, &[id.as_str().into()])
        .await?
        .iter()
        .map(|row| RequestLineRow::read(row)?.into_line())
        .collect::<Result<Vec<_>, _>>()?;
    RequestRow::read(&row)?.into_request(lines).map(Some)
}

/// The items of an order with a pending line.
async fn pending_items(sql: &mut dyn Sql, ord_no: &OrderNo) -> Result<Vec<ItemSeq>, StoreError> {
    sql.query(
        "SELECT ord_item_seq FROM cancel_request_lines \
         WHERE oror_no = $1 AND clm_prog_stat_cd = '10'",
        &[ord_no.as_str().into()],
    )
    .await?
    .iter()
    .map(|row| stored::seq(row.int(0)?))
    .collect()
}

/// Files a cancel request for confirmed items of `ord_no` as `id`, at `now`.
pub(crate) async fn file(
    sql: &mut dyn Sql,
    ord_no: &OrderNo,
    command: &CancelCommand,
    id: RequestId,
    now: KstDateTime,
    done: Option<Completion<CancelRequest>>,
) -> Result<CancelRequest, StoreError> {
    let locked = orders::lock(sql, ord_no)
        .await?
        .ok_or_else(|| NotFound::Order(ord_no.clone()))?;
    let pending = pending_items(sql, ord_no).await?;
    let request = plan_cancel_request(&locked.state, &pending, command, id, now)?;
    sql.execute(
        &RequestRow::insert_sql(),
        &RequestRow::of(&request).params(),
    )
    .await?;
    for line in &request.lines {
        let item = locked
            .order
            .item(line.item_seq)
            .ok_or_else(|| StoreError::internal("a planned request line names no item"))?;
        sql.execute(
            &RequestLineRow::insert_sql(),
            &RequestLineRow::of(&request, line, item).params(),
        )
        .await?;
    }
    let items: Vec<ItemSeq> = request.lines.iter().map(|line| line.item_seq).collect();
    let filed = request_events(&locked.order, &request, &items, LineStatus::Requested);
    events::append(sql, filed, now).await?;
    if let Some(done) = done {
        idempotency::record(sql, &done.key, &(done.render)(&request), now).await?;
    }
    Ok(request)
}

/// Withdraws every pending line of request `id` on behalf of `actor` (a customer only their
/// own order's), at `now`. Returns the request as it stands afterwards.
pub(crate) async fn withdraw(
    sql: &mut dyn Sql,
    id: &RequestId,
    actor: &Actor,
    now: KstDateTime,
) -> Result<CancelRequest, StoreError> {
    let missing = || NotFound::CancelRequest(id.clone());
    let row = sql
        .query_opt(
            "SELECT oror_no FROM cancel_requests WHERE request_id = $1",
            &[id.as_str().into()],
        )
        .await?
        .ok_or_else(missing)?;
    let ord_no = stored::order_no(row.text(0)?)?;
    let locked = orders::lock(sql, &ord_no).await?.ok_or_else(missing)?;
    let request = one(sql, id).await?.ok_or_else(missing)?;
    let withdrawn = plan_withdrawal(&locked.state, &request, actor)?;
    let changed = sql
        .execute(
            "UPDATE cancel_request_lines SET clm_prog_stat_cd = '30', ended_at = $2 \
             WHERE request_id = $1 AND clm_prog_stat_cd = '10'",
            &[id.as_str().into(), now.into()],
        )
        .await?;
    if changed != withdrawn.len() as u64 {
        return Err(StoreError::internal(format!(
            "cancel request {id} changed under its order's lock"
        )));
    }
    let told = request_events(&locked.order, &request, &withdrawn, LineStatus::Withdrawn);
    events::append(sql, told, now).await?;
    one(sql, id).await?.ok_or_else(|| missing().into())
}

/// The vendor holding `scope` approves the pending line for item `seq` of `ord_no`: the
/// cancellation it asked for takes effect now, as a claim of its own. An order or item that
/// does not exist, or is not the vendor's, has no pending line as far as the vendor can tell.
pub(crate) async fn approve(
    sql: &mut dyn Sql,
    ord_no: &OrderNo,
    seq: ItemSeq,
    scope: &Scope,
    now: KstDateTime,
) -> Result<Claim, StoreError> {
    let nothing = || StoreError::from(CancelRejection::NothingPending);
    let Some(locked) = orders::lock(sql, ord_no).await? else {
        return Err(nothing());
    };
    let item = locked.order.item(seq).ok_or_else(nothing)?;
    if !scope.covers(&item.vendor, item.lower_rank.as_ref()) {
        return Err(nothing());
    }
    let row = sql
        .query_opt(
            "SELECT request_id FROM cancel_request_lines \
             WHERE oror_no = $1 AND ord_item_seq = $2 AND clm_prog_stat_cd = '10'",
            &[ord_no.as_str().into(), seq.get().into()],
        )
        .await?
        .ok_or_else(nothing)?;
    let id = stored::request_id(row.text(0)?)?;
    let request = one(sql, &id).await?.ok_or_else(nothing)?;
    let (plan, command) = plan_approval(&locked.state, &request, seq)?;
    let claim = orders::write_claim(sql, &locked.order, plan, &command, now).await?;
    let changed = sql
        .execute(
            "UPDATE cancel_request_lines SET clm_prog_stat_cd = '20', ended_at = $3, clm_no = $4 \
             WHERE request_id = $1 AND ord_item_seq = $2 AND clm_prog_stat_cd = '10'",
            &[
                id.as_str().into(),
                seq.get().into(),
                now.into(),
                claim.clm_no.as_str().into(),
            ],
        )
        .await?;
    if changed != 1 {
        return Err(StoreError::internal(format!(
            "cancel request {id} changed under its order's lock"
        )));
    }
    Ok(claim)
}

/// The pending lines of the vendor holding `scope`, of requests filed within `period`,
/// oldest first; at most `limit`.
pub(crate) async fn pending_lines(
    sql: &mut dyn Sql,
    scope: &Scope,
    period: Period,
    limit: usize,
) -> Result<Vec<PendingLine>, StoreError> {
    let (params, narrowed) = crate::sql::vendor_window(scope, period, limit, "l");
    let statement = format!(
        "SELECT {}, {}, {} \
         FROM cancel_request_lines l \
         JOIN cancel_requests r ON r.request_id = l.request_id \
         JOIN order_items i ON i.ord_no = l.oror_no AND i.ord_item_seq = l.ord_item_seq \
         WHERE l.clm_prog_stat_cd = '10' AND l.spl_ven_id = $1{narrowed} \
         AND l.clm_demnd_dts >= $2 AND l.clm_demnd_dts < $3 \
         ORDER BY l.clm_demnd_dts, l.oror_no, l.ord_item_seq LIMIT $4",
        columns("l", RequestLineRow::COLUMNS),
        columns("r", RequestRow::COLUMNS),
        columns("i", ItemRow::COLUMNS),
    );
    let request_at = RequestLineRow::COLUMNS.len();
    let item_at = request_at + RequestRow::COLUMNS.len();
    sql.query(&statement, &params)
        .await?
        .iter()
        .map(|row| {
            let line = RequestLineRow::read(row)?.into_line()?;
            let request = RequestRow::read_at(row, request_at)?.into_request(Vec::new())?;
            let (item, state) = ItemRow::read_at(row, item_at)?.into_item()?;
            Ok(PendingLine {
                request: request.id,
                oror_no: request.oror_no,
                filed_at: request.filed_at,
                reason: request.reason,
                reason_text: request.reason_text,
                fault: request.fault,
                line,
                item,
                shpp_no: state.shpp_no,
            })
        })
        .collect()
}
