//! Deliveries, returns and exchanges of the sample data, made through the store's calls on
//! items that shipped: for each top-level vendor, a return and an exchange in every state a
//! vendor meets — filed and waiting (61), confirmed (63), refunded, refused, withdrawn; an
//! exchange whose replacement waits for its pickup, one whose replacement may ship, and one
//! shipped and delivered.

use claims_domain::order::rules;
use claims_domain::{
    Actor, AgentId, Blame, CustomerId, ItemSeq, KstDateTime, OrderNo, PickupCarrier, PickupCommand,
    PickupKind, PickupReason, PickupRequestLine, Quantity, RefusalReason, Release, Scope, Text,
    Waybill,
};
use claims_store::{ItemRef, PickupStep, Store, StoreError};
use rand::Rng;
use rand::rngs::StdRng;

use super::Summary;

/// An item that shipped: its order, sequence, vendor and units, and when.
#[derive(Debug, Clone)]
pub(crate) struct Shipped {
    pub ord_no: OrderNo,
    pub customer: CustomerId,
    pub seq: ItemSeq,
    pub scope: Scope,
    pub at: KstDateTime,
}

/// What to make of one shipped item.
#[derive(Debug, Clone, Copy)]
enum Story {
    ReturnWaiting,
    ReturnConfirmed,
    ReturnRefunded,
    ReturnRefused,
    ReturnWithdrawn,
    ExchangeWaiting,
    ExchangeToShip,
    ExchangeDelivered,
}

const STORIES: &[Story] = &[
    Story::ReturnWaiting,
    Story::ReturnConfirmed,
    Story::ReturnRefunded,
    Story::ReturnRefused,
    Story::ReturnWithdrawn,
    Story::ExchangeWaiting,
    Story::ExchangeToShip,
    Story::ExchangeDelivered,
];

fn text(value: &str) -> Text {
    Text::parse("text", value, rules::REASON_TEXT).expect("sample text is valid")
}

fn courier(rng: &mut StdRng) -> PickupCarrier {
    let number = format!("60{:011}", rng.random_range(0..100_000_000_000u64));
    PickupCarrier::Courier(Waybill::new("0000033011", &number).expect("a valid waybill"))
}

/// Delivers a share of what shipped (from the day after), then plays each story on one
/// item of each top-level vendor that shipped at least a week before `now`.
pub(crate) async fn returns_and_exchanges(
    store: &dyn Store,
    rng: &mut StdRng,
    shipped: &[Shipped],
    vendors: &[&str],
    now: KstDateTime,
    summary: &mut Summary,
) -> Result<(), StoreError> {
    for item in shipped {
        let delivered = item.at.plus_seconds(rng.random_range(20..60) * 3600);
        if delivered < now && rng.random_bool(0.6) {
            let item_ref = ItemRef::Order(item.ord_no.clone(), item.seq);
            match store.deliver(&item_ref, None, delivered).await {
                Ok(_) => summary.deliveries += 1,
                Err(StoreError::Ship(_)) => {}
                Err(other) => return Err(other),
            }
        }
    }
    let week_ago = now.plus_seconds(-7 * 86_400);
    for vendor in vendors {
        let mut candidates = shipped
            .iter()
            .filter(|item| item.scope.vendor.as_str() == *vendor && item.at < week_ago);
        for story in STORIES {
            let Some(item) = candidates.next() else {
                break;
            };
            play(store, rng, item, *story, now, summary).await?;
        }
    }
    Ok(())
}

async fn play(
    store: &dyn Store,
    rng: &mut StdRng,
    item: &Shipped,
    story: Story,
    now: KstDateTime,
    summary: &mut Summary,
) -> Result<(), StoreError> {
    let customer = Actor::Customer(item.customer.clone());
    let agent = Actor::Agent(AgentId::parse("agentId", "agent-desk").expect("valid"));
    let kind = match story {
        Story::ExchangeWaiting | Story::ExchangeToShip | Story::ExchangeDelivered => {
            PickupKind::Exchange
        }
        _ => PickupKind::Return,
    };
    let (actor, code, words) = match story {
        Story::ReturnWaiting => (customer.clone(), "351", "단순 변심"),
        Story::ReturnConfirmed => (agent, "354", "포장 개봉 시 파손 확인"),
        Story::ReturnRefunded => (customer.clone(), "352", "생각보다 크기가 작아요"),
        Story::ReturnRefused => (customer.clone(), "353", ""),
        Story::ReturnWithdrawn => (customer.clone(), "351", "다시 생각해 보니 필요해요"),
        Story::ExchangeWaiting => (customer.clone(), "451", "한 치수 큰 것으로"),
        Story::ExchangeToShip => (agent, "453", "작동 불량, 새 제품으로 교환"),
        Story::ExchangeDelivered => (customer.clone(), "451", "다른 색상으로"),
    };
    let recent = matches!(
        story,
        Story::ReturnWaiting | Story::ReturnConfirmed | Story::ExchangeWaiting
    );
    // Recent stories are filed within the last day; the rest a few days after shipping.
    let filed = if recent {
        now.plus_seconds(-rng.random_range(3..20) * 3600)
    } else {
        item.at.plus_seconds(rng.random_range(30..60) * 3600)
    };
    let command = PickupCommand {
        actor,
        reason: PickupReason::parse(kind, code).expect("a sample reason"),
        reason_text: text(words),
        lines: vec![PickupRequestLine {
            item_seq: item.seq,
            qty: Quantity::new("qty", 1).expect("one"),
            uitem_id: None,
            uitem_nm: None,
        }],
    };
    let claim = match store.file_pickup(&item.ord_no, &command, filed).await {
        Ok(claim) => claim,
        Err(StoreError::Pickup(_)) => {
            summary.refused += 1;
            return Ok(());
        }
        Err(other) => return Err(other),
    };
    match kind {
        PickupKind::Return => summary.returns += 1,
        PickupKind::Exchange => summary.exchanges += 1,
    }
    let line = &claim.lines[0];
    let pickup = line.shpp_no;
    let hour = |n: i64| filed.plus_seconds(n * 3600);
    let blame = match command.reason.fault() {
        claims_domain::Fault::Customer => Blame::Customer,
        claims_domain::Fault::Vendor => Blame::Seller,
    };
    let confirm = |rng: &mut StdRng, own: bool| PickupStep::Confirm {
        carrier: if own {
            PickupCarrier::Own
        } else {
            courier(rng)
        },
        resell: rng.random_bool(0.5),
        blame: Some(blame),
    };
    match story {
        Story::ReturnWaiting | Story::ExchangeWaiting => {}
        Story::ReturnWithdrawn => {
            store
                .withdraw_pickup(&claim.clm_no, &claim.actor, hour(2))
                .await?;
        }
        Story::ReturnConfirmed => {
            let step = confirm(rng, false);
            store
                .pickup_step(pickup, &item.scope, 1, &step, now.plus_seconds(-1800))
                .await?;
        }
        Story::ReturnRefunded | Story::ReturnRefused | Story::ExchangeToShip => {
            let step = confirm(rng, matches!(story, Story::ExchangeToShip));
            store
                .pickup_step(pickup, &item.scope, 1, &step, hour(20))
                .await?;
            let end = match story {
                Story::ReturnRefused => PickupStep::Refuse {
                    reason: RefusalReason::Damaged,
                    memo: text("사용 흔적이 있어 반품 불가"),
                },
                _ => PickupStep::Complete,
            };
            store
                .pickup_step(pickup, &item.scope, 1, &end, hour(44))
                .await?;
        }
        Story::ExchangeDelivered => {
            let step = confirm(rng, false);
            store
                .pickup_step(pickup, &item.scope, 1, &step, hour(20))
                .await?;
            store
                .pickup_step(pickup, &item.scope, 1, &PickupStep::Complete, hour(40))
                .await?;
            let replacement = line
                .replacement
                .as_ref()
                .expect("an exchange has its replacement");
            let shipment = ItemRef::Shipping(replacement.shpp_no);
            store.confirm(&shipment, &item.scope, hour(42)).await?;
            store
                .record_waybill(&shipment, &item.scope, &waybill(rng), hour(43))
                .await?;
            store
                .release(
                    &shipment,
                    &item.scope,
                    Release::Vendor {
                        qty: replacement.qty,
                    },
                    hour(44),
                )
                .await?;
            store.deliver(&shipment, None, hour(70)).await?;
        }
    }
    Ok(())
}

fn waybill(rng: &mut StdRng) -> Waybill {
    match courier(rng) {
        PickupCarrier::Courier(waybill) => waybill,
        PickupCarrier::Own => unreachable!("a courier has a waybill"),
    }
}
