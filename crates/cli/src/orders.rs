//! Orders from the command line, as an operator handles them: import, show, cancel (for a
//! customer or as an agent), confirm and ship (for a vendor), cancel requests (filed and
//! withdrawn by an agent, approved for a vendor).

use std::io::Read as _;

use anyhow::{Context, bail};
use claims_domain::order::rules;
use claims_domain::{
    Actor, AgentId, CancelCommand, CancelRequest, Claim, CustomerId, Fault, ItemSeq, OrderNo,
    Quantity, ReasonCode, Release, RequestId, Scope, Text, VendorId, Waybill,
};
use claims_server::platform::dto::{OrderBody, OrderView};
use claims_server::store_now;
use claims_store::{ItemRef, OrderRecord, Placed, Shipment, Store, StoreError};

use crate::admin::explain;
use claims_server::settings::Settings;

use crate::{
    CancelArgs, CancelRequestCommand, ConfirmArgs, OrderCommand, ShipArgs, VendorArgs, database,
};

/// Reads orders from a file (or standard input for `-`): one order object, or an array.
fn read_orders(path: &str) -> anyhow::Result<Vec<OrderBody>> {
    let text = if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read orders from standard input")?;
        text
    } else {
        std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?
    };
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{path} is not valid JSON"))?;
    let many = match value {
        serde_json::Value::Array(items) => items,
        single => vec![single],
    };
    many.into_iter()
        .enumerate()
        .map(|(index, value)| {
            serde_json::from_value(value).with_context(|| {
                format!(
                    "{path}: order #{} does not match the order format",
                    index + 1
                )
            })
        })
        .collect()
}

pub async fn order(command: OrderCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        OrderCommand::Import { file, .. } => import(&file, settings).await,
        OrderCommand::Show { ord_no, json, .. } => {
            let ord_no =
                OrderNo::parse("ORDNO", &ord_no).map_err(|err| anyhow::anyhow!("{err}"))?;
            let store = database::open_existing(settings).await?;
            let Some(record) = store.order(&ord_no).await.map_err(explain)? else {
                bail!("no order {ord_no}");
            };
            if json {
                out!(
                    "{}",
                    serde_json::to_string_pretty(&OrderView::from(&record))?
                );
            } else {
                print_order(&record);
            }
            Ok(())
        }
    }
}

async fn import(file: &str, settings: &Settings) -> anyhow::Result<()> {
    let bodies = read_orders(file)?;
    let store = database::open(settings).await?;
    let (mut created, mut existing, mut failed) = (0, 0, 0);
    for body in bodies {
        let result = match body.to_order() {
            Ok(order) => store
                .place_order(order, store_now(&*store).await?)
                .await
                .map_err(explain),
            Err(invalid) => Err(anyhow::anyhow!("{invalid}")),
        };
        match result {
            Ok(Placed::Created(_)) => {
                created += 1;
                out!("{}: placed", body.ord_no);
            }
            Ok(Placed::Existing(_)) => {
                existing += 1;
                out!("{}: already placed, identical", body.ord_no);
            }
            Err(err) => {
                failed += 1;
                eprintln!("{}: refused: {err:#}", body.ord_no);
            }
        }
    }
    eprintln!("{created} placed, {existing} already present, {failed} refused.");
    if failed > 0 {
        bail!("{failed} order(s) could not be imported");
    }
    Ok(())
}

fn print_order(record: &OrderRecord) {
    let order = &record.order;
    out!(
        "Order {}  {} ({})  received {} KST via {} ({})",
        order.ord_no(),
        order.ordpe_nm(),
        order.customer_id().as_str(),
        order.received_at(),
        order.media().name(),
        order.media().code()
    );
    for fee in order.shipping_fees() {
        out!("  shipping fee of {}: {} won", fee.vendor, fee.amount);
    }
    out!(
        "\n{:>4}  {:>8}  {:<30}  {:>5}  {:>8}  {:>7}  {:>4}  {:<9}  {:<10}  {:<21}  DISCOUNT",
        "SEQ",
        "SHPPNO",
        "ITEM",
        "QTY",
        "CANCELED",
        "SHIPPED",
        "OPEN",
        "STATUS",
        "SHIPPING",
        "VENDOR"
    );
    for (item, state) in order.items().iter().zip(&record.items) {
        let vendor = match &item.lower_rank {
            Some(lower) => format!("{}/{lower}", item.vendor),
            None => item.vendor.to_string(),
        };
        out!(
            "{:>4}  {:>8}  {}  {:>5}  {:>8}  {:>7}  {:>4}  {:<9}  {:<10}  {:<21}  {} (returned {})",
            item.seq,
            state.shpp_no,
            fit(item.item_nm.as_str(), 30),
            item.qty,
            state.canceled,
            state.shipped,
            state.open(),
            state.status().as_str(),
            state.shipping_status().as_str(),
            vendor,
            item.discount,
            state.refunded_discount
        );
    }
    for request in &record.cancel_requests {
        out!();
        print_request(request);
    }
    if record.claims.is_empty() {
        out!("\nNo claims.");
    }
    for claim in &record.claims {
        out!();
        print_claim(claim);
    }
}

/// `text` cut and padded to `columns` terminal columns (Korean takes two per character).
fn fit(text: &str, columns: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    let mut out = String::new();
    let mut used = 0;
    if text.width() > columns {
        for c in text.chars() {
            let width = c.width().unwrap_or(0);
            if used + width + 1 > columns {
                break;
            }
            out.push(c);
            used += width;
        }
        out.push('…');
        used += 1;
    } else {
        out.push_str(text);
        used = text.width();
    }
    out.extend(std::iter::repeat_n(' ', columns.saturating_sub(used)));
    out
}

fn print_claim(claim: &Claim) {
    let by = match &claim.actor {
        Actor::Customer(customer) => format!("customer {}", customer.as_str()),
        Actor::Agent(agent) => format!("agent {}", agent.as_str()),
        Actor::Vendor(vendor) => format!("vendor {} (out of stock)", vendor.as_str()),
    };
    out!(
        "Claim {} at {} KST by {by}: {} {} (imptDivCd {} {}){}",
        claim.clm_no,
        claim.canceled_at,
        claim.reason.code(),
        claim.reason.name(),
        claim.fault.code(),
        claim.fault.name(),
        if claim.reason_text.is_empty() {
            String::new()
        } else {
            format!(" \"{}\"", claim.reason_text.as_str().replace('\n', " / "))
        }
    );
    out!(
        "  {:>4}  {:>4}  {:>5}  {:>14}  {:>12}  VENDOR",
        "LINE",
        "ITEM",
        "QTY",
        "splVenBdnDcAmt",
        "shpmtShppcst"
    );
    for line in &claim.lines {
        out!(
            "  {:>4}  {:>4}  {:>5}  {:>14}  {:>12}  {}{}",
            line.line_seq,
            line.item_seq,
            line.qty,
            line.cost.spl_ven_bdn_dc_amt,
            line.cost.shpmt_shppcst,
            line.cost.vendor,
            line.cost
                .lower_rank
                .as_ref()
                .map(|l| format!("/{l}"))
                .unwrap_or_default()
        );
    }
}

/// Parses `SEQ:QTY`.
fn parse_line(value: &str) -> anyhow::Result<(ItemSeq, Quantity)> {
    let (seq, qty) = value
        .split_once(':')
        .with_context(|| format!("--item {value:?} must be SEQ:QTY, like 1:2"))?;
    let seq: i64 = seq
        .trim()
        .parse()
        .with_context(|| format!("--item {value:?}: {seq:?} is not an item number"))?;
    let qty: i64 = qty
        .trim()
        .parse()
        .with_context(|| format!("--item {value:?}: {qty:?} is not a quantity"))?;
    Ok((
        ItemSeq::new("--item SEQ", seq).map_err(|err| anyhow::anyhow!("{err}"))?,
        Quantity::new("--item QTY", qty).map_err(|err| anyhow::anyhow!("{err}"))?,
    ))
}

pub async fn cancel(args: CancelArgs, settings: &Settings) -> anyhow::Result<()> {
    let ord_no = OrderNo::parse("ORDNO", &args.ord_no).map_err(|err| anyhow::anyhow!("{err}"))?;
    let lines = args
        .items
        .iter()
        .map(|item| parse_line(item))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let actor = actor_of(args.agent.as_deref(), args.customer.as_deref(), "cancels")?;
    let command = CancelCommand::new(
        actor,
        lines,
        ReasonCode::parse("--reason", &args.reason).map_err(|err| anyhow::anyhow!("{err}"))?,
        Text::parse(
            "--text",
            args.text.as_deref().unwrap_or(""),
            rules::REASON_TEXT,
        )
        .map_err(|err| anyhow::anyhow!("{err}"))?,
        args.fault
            .as_deref()
            .map(|code| Fault::parse("--fault", code))
            .transpose()
            .map_err(|err| anyhow::anyhow!("{err}"))?,
    )
    .map_err(|err| anyhow::anyhow!("{err}"))?;
    let store = database::open_existing(settings).await?;
    let claim = store
        .cancel(&ord_no, &command, store_now(&*store).await?)
        .await
        .map_err(|err| explain_for(err, &ord_no))?;
    print_claim(&claim);
    Ok(())
}

/// Who acts, from `--agent` or `--customer` (exactly one).
fn actor_of(agent: Option<&str>, customer: Option<&str>, verb: &str) -> anyhow::Result<Actor> {
    let invalid = |err: claims_domain::InvalidValue| anyhow::anyhow!("{err}");
    match (agent, customer) {
        (Some(agent), None) => Ok(Actor::Agent(
            AgentId::parse("--agent", agent).map_err(invalid)?,
        )),
        (None, Some(customer)) => Ok(Actor::Customer(
            CustomerId::parse("--customer", customer).map_err(invalid)?,
        )),
        _ => bail!("say who {verb}: --agent ID or --customer ID"),
    }
}

fn explain_for(error: StoreError, ord_no: &OrderNo) -> anyhow::Error {
    match error {
        StoreError::Cancel(rejection) => anyhow::anyhow!("order {ord_no}: {rejection}"),
        StoreError::Ship(rejection) => anyhow::anyhow!("order {ord_no}: {rejection}"),
        other => explain(other),
    }
}

/// The vendor scope an operator acts for.
fn scope_of(args: &VendorArgs) -> anyhow::Result<Scope> {
    Ok(Scope {
        vendor: VendorId::parse("--vendor", &args.vendor)
            .map_err(|err| anyhow::anyhow!("{err}"))?,
        lower_rank: args
            .lower_rank
            .as_deref()
            .map(|lower| VendorId::parse("--lower-rank", lower))
            .transpose()
            .map_err(|err| anyhow::anyhow!("{err}"))?,
    })
}

fn item_of(ord_no: &str, seq: u32) -> anyhow::Result<(OrderNo, ItemSeq)> {
    Ok((
        OrderNo::parse("ORDNO", ord_no).map_err(|err| anyhow::anyhow!("{err}"))?,
        ItemSeq::new("SEQ", i64::from(seq)).map_err(|err| anyhow::anyhow!("{err}"))?,
    ))
}

pub async fn confirm(args: ConfirmArgs, settings: &Settings) -> anyhow::Result<()> {
    let (ord_no, seq) = item_of(&args.ord_no, args.seq)?;
    let scope = scope_of(&args.vendor)?;
    let store = database::open_existing(settings).await?;
    let state = store
        .confirm(
            &ItemRef::Order(ord_no.clone(), seq),
            &scope,
            store_now(&*store).await?,
        )
        .await
        .map_err(|err| explain_for(err, &ord_no))?;
    out!(
        "Item {seq} of order {ord_no} (shppNo {}) is confirmed (피킹완료) since {} KST.",
        state.shpp_no,
        state
            .confirmed_at
            .map(|at| at.to_string())
            .unwrap_or_default()
    );
    Ok(())
}

fn print_shipment(shipment: &Shipment) {
    out!(
        "Released {} unit(s) of item {} of order {} at {} KST (출고완료).",
        shipment.qty,
        shipment.item_seq,
        shipment.ord_no,
        shipment.shipped_at
    );
    for id in &shipment.rejected {
        out!("Cancel request {id} was pending for the item: rejected (취소거부).");
    }
}

pub async fn ship(args: ShipArgs, settings: &Settings) -> anyhow::Result<()> {
    let (ord_no, seq) = item_of(&args.ord_no, args.seq)?;
    let scope = scope_of(&args.vendor)?;
    let waybill = args
        .waybill
        .as_deref()
        .map(|value| {
            let (carrier, number) = value
                .split_once(':')
                .with_context(|| format!("--waybill {value:?} must be CARRIER:NUMBER"))?;
            Waybill::new(carrier, number).map_err(|err| anyhow::anyhow!("--waybill: {err}"))
        })
        .transpose()?;
    let store: std::sync::Arc<dyn Store> = database::open_existing(settings).await?;
    let item = ItemRef::Order(ord_no.clone(), seq);
    let shipment = match waybill {
        None => store
            .ship(&ord_no, seq, &scope, store_now(&*store).await?)
            .await
            .map_err(|err| explain_for(err, &ord_no))?,
        Some(waybill) => {
            let recorded = store
                .record_waybill(&item, &scope, &waybill, store_now(&*store).await?)
                .await
                .map_err(|err| explain_for(err, &ord_no))?;
            out!(
                "Waybill {} of carrier {} recorded.",
                waybill.wbl_no(),
                waybill.delico_ven_id()
            );
            match recorded.shipment {
                Some(shipment) => shipment,
                None => {
                    let qty = Quantity::new("open", i64::from(recorded.state.open()))
                        .map_err(|err| anyhow::anyhow!("{err}"))?;
                    store
                        .release(
                            &item,
                            &scope,
                            Release::Vendor { qty },
                            store_now(&*store).await?,
                        )
                        .await
                        .map_err(|err| explain_for(err, &ord_no))?
                }
            }
        }
    };
    print_shipment(&shipment);
    Ok(())
}

fn print_request(request: &CancelRequest) {
    out!(
        "Cancel request {} filed {} KST by agent {}: {} {} (imptDivCd {}) — {}",
        request.id,
        request.filed_at,
        request.agent.as_str(),
        request.reason.code(),
        request.reason.name(),
        request.fault.code(),
        request.status().as_str()
    );
    for line in &request.lines {
        out!(
            "  item {:>3}  qty {:>3}  {} {}{}{}",
            line.item_seq,
            line.qty,
            line.status.code(),
            line.status.name(),
            line.ended_at
                .map(|at| format!(" at {at} KST"))
                .unwrap_or_default(),
            line.claim
                .as_ref()
                .map(|claim| format!(", claim {claim}"))
                .unwrap_or_default()
        );
    }
}

pub async fn cancel_request(
    command: CancelRequestCommand,
    settings: &Settings,
) -> anyhow::Result<()> {
    let invalid = |err: claims_domain::InvalidValue| anyhow::anyhow!("{err}");
    match command {
        CancelRequestCommand::File {
            ord_no,
            items,
            reason,
            text,
            agent,
            fault,
            ..
        } => {
            let ord_no = OrderNo::parse("ORDNO", &ord_no).map_err(invalid)?;
            let lines = items
                .iter()
                .map(|item| parse_line(item))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let command = CancelCommand::new(
                Actor::Agent(AgentId::parse("--agent", &agent).map_err(invalid)?),
                lines,
                ReasonCode::parse("--reason", &reason).map_err(invalid)?,
                Text::parse("--text", text.as_deref().unwrap_or(""), rules::REASON_TEXT)
                    .map_err(invalid)?,
                fault
                    .as_deref()
                    .map(|code| Fault::parse("--fault", code))
                    .transpose()
                    .map_err(invalid)?,
            )
            .map_err(invalid)?;
            let store = database::open_existing(settings).await?;
            let request = store
                .file_cancel_request(
                    &ord_no,
                    &command,
                    claims_server::new_request_id(),
                    store_now(&*store).await?,
                )
                .await
                .map_err(|err| explain_for(err, &ord_no))?;
            print_request(&request);
        }
        CancelRequestCommand::Withdraw {
            request_id,
            agent,
            customer,
            ..
        } => {
            let id = RequestId::parse("REQUEST_ID", &request_id).map_err(invalid)?;
            let actor = actor_of(agent.as_deref(), customer.as_deref(), "withdraws")?;
            let store = database::open_existing(settings).await?;
            let request = store
                .withdraw_cancel_request(&id, &actor, store_now(&*store).await?)
                .await
                .map_err(|err| match err {
                    StoreError::Cancel(rejection) => anyhow::anyhow!("request {id}: {rejection}"),
                    other => explain(other),
                })?;
            print_request(&request);
        }
        CancelRequestCommand::Approve {
            ord_no,
            seq,
            vendor,
            ..
        } => {
            let (ord_no, seq) = item_of(&ord_no, seq)?;
            let scope = scope_of(&vendor)?;
            let store = database::open_existing(settings).await?;
            let claim = store
                .approve_cancel_request(&ord_no, seq, &scope, store_now(&*store).await?)
                .await
                .map_err(|err| explain_for(err, &ord_no))?;
            out!(
                "Approved: the cancellation takes effect as claim {}.",
                claim.clm_no
            );
            print_claim(&claim);
        }
    }
    Ok(())
}
