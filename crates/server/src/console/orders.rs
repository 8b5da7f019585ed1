//! The service center's pages: finding orders, an order as it stands, and cancelling part
//! of it — with a preview of each line's refund, computed by the domain without writing,
//! before anything is done.
//!
//! A confirmation takes effect at most once, however often it is sent (a double click, a
//! reload, a retry, a second tab): the preview hands out a one-time token, and the
//! confirmation claims it as an idempotency key of the agent's, recorded in the same
//! transaction as the claim or the cancel request it makes. A second submit of the same
//! preview is answered with the first one's result; one sent while the first is still
//! running waits for it.

use std::collections::BTreeSet;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use claims_domain::order::rules;
use claims_domain::{
    Actor, CancelCommand, CancelPreview, ClaimNo, CustomerId, Fault, ItemSeq, KstDate, KstDateTime,
    LineStatus, OrderNo, Quantity, ReasonCode, ShippingStatus, Text, VendorId, agent_may_cancel,
    preview_cancellation,
};
use claims_store::{
    Completion, Fingerprint, IdempotencyKey, OrderRecord, RoleKind, StoreError, StoredAnswer,
    UserRole,
};
use claims_wire::Lang;
use maud::{Markup, html};
use sha2::{Digest, Sha256};

use super::claiming::{confirm_once, confirmation_token, visible_order};
use super::forms::{CancelForm, OrderQuery, Quantities, RequestWithdrawalForm, SearchQuery, given};
use super::layout::{Kind, notice_badges, shell, table};
use super::page::{PageError, day, page, see_other};
use super::returns;
use super::session::{Posted, Signed};
use super::text::{Words, code_name, iso, won};
use crate::app::state::{AppState, new_request_id};

/// Orders a search shows at most.
const MAX_FOUND: usize = 50;
/// The agent's recent orders: how far back, and how many.
const RECENT_DAYS: i32 = 14;
const RECENT_ORDERS: usize = 10;

/// The last second of a KST day.
fn end_of(date: KstDate) -> KstDateTime {
    date.plus_days(1).start().plus_seconds(-1)
}

// ---------------------------------------------------------------------------------------
// Search

/// What the search page shows.
#[derive(Debug)]
struct SearchPage {
    q: String,
    from: KstDate,
    to: KstDate,
    /// `None` before a search.
    found: Option<Vec<FoundOrder>>,
    /// The orders this agent acted on lately, newest first.
    recent: Vec<(OrderNo, KstDateTime)>,
}

/// One order found.
#[derive(Debug)]
struct FoundOrder {
    ord_no: OrderNo,
    received_at: KstDateTime,
    orderer: String,
    customer: String,
    items: usize,
    open: u32,
}

/// The search page of what was found, newest first, at most [`MAX_FOUND`].
fn search_view(
    q: String,
    from: KstDate,
    to: KstDate,
    found: Option<Vec<OrderRecord>>,
) -> SearchPage {
    let found = found.map(|mut records| {
        records.sort_by(|a, b| {
            (b.order.received_at(), b.order.ord_no())
                .cmp(&(a.order.received_at(), a.order.ord_no()))
        });
        records.dedup_by(|a, b| a.order.ord_no() == b.order.ord_no());
        records.truncate(MAX_FOUND);
        records
            .iter()
            .map(|record| FoundOrder {
                ord_no: record.order.ord_no().clone(),
                received_at: record.order.received_at(),
                orderer: record.order.ordpe_nm().as_str().to_owned(),
                customer: record.order.customer_id().to_string(),
                items: record.items.len(),
                open: record.items.iter().map(|item| item.open()).sum(),
            })
            .collect()
    });
    SearchPage {
        q,
        from,
        to,
        found,
        recent: Vec::new(),
    }
}

/// `/console/orders?q=`: an order number, a claim number, a customer id, or the orderer's
/// name within a date range (the last 90 days unless given).
pub(super) async fn search(
    State(app): State<AppState>,
    me: Signed,
    Query(query): Query<SearchQuery>,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::ServiceCenter, RoleKind::Admin])?;
    let lang = me.lang;
    let q = query.q.trim().to_owned();
    let today = KstDate::of(app.clock.now());
    let from = day(lang, "from", &query.from)?.unwrap_or(today.plus_days(-90));
    let to = day(lang, "to", &query.to)?.unwrap_or(today);
    if from > to {
        return Err(PageError::bad_request(
            lang,
            lang.t(
                "시작일이 종료일보다 늦습니다.",
                "The start date is after the end date.",
            ),
        ));
    }
    let found = if q.is_empty() {
        None
    } else {
        Some(find(&app, lang, &q, from, to).await?)
    };
    let mut view = search_view(q, from, to, found);
    if view.found.is_none() {
        view.recent = app
            .store
            .orders_touched_by(
                me.user.login.as_str(),
                today.plus_days(-RECENT_DAYS).start(),
                RECENT_ORDERS,
            )
            .await
            .map_err(|e| PageError::store(lang, e))?;
    }
    Ok(page(shell(
        me.frame(),
        lang.t("주문 찾기", "Find orders"),
        "orders",
        search_markup(lang, &view),
    )))
}

/// Every order `q` names: by order number, by a claim's number, by customer id, or — among
/// orders received within `from ..= to` — by the start of an order number, of the
/// orderer's or recipient's name (a family name is enough), or by phone digits.
async fn find(
    app: &AppState,
    lang: Lang,
    q: &str,
    from: KstDate,
    to: KstDate,
) -> Result<Vec<OrderRecord>, PageError> {
    let store = |e| PageError::store(lang, e);
    let mut numbers: BTreeSet<OrderNo> = BTreeSet::new();
    if let Ok(ord_no) = OrderNo::parse("q", q) {
        numbers.insert(ord_no);
    }
    if let Ok(clm_no) = ClaimNo::parse("q", q)
        && let Some(claim) = app.store.claim(&clm_no).await.map_err(store)?
    {
        numbers.insert(claim.oror_no);
    }
    let partial = app
        .store
        .search_orders(q, from.start(), end_of(to), MAX_FOUND)
        .await
        .map_err(store)?;
    numbers.extend(partial);
    let mut found = Vec::new();
    for ord_no in numbers {
        if let Some(record) = app.store.order(&ord_no).await.map_err(store)? {
            found.push(record);
        }
    }
    if let Ok(customer) = CustomerId::parse("q", q) {
        let theirs = app
            .store
            .orders_of_customer(&customer, None, MAX_FOUND)
            .await
            .map_err(store)?;
        found.extend(theirs);
    }
    Ok(found)
}

fn search_markup(lang: Lang, view: &SearchPage) -> Markup {
    let names = SearchQuery::NAMES;
    html! {
        h1 { (lang.t("주문 찾기", "Find orders")) }
        form.card method="get" action="/console/orders" role="search" {
            div.row {
                div.grow {
                    label for=(names.q) { (lang.t("주문번호, 클레임번호, 고객 ID, 이름 또는 전화번호", "Order or claim number, customer id, name or phone")) }
                    input id=(names.q) name=(names.q) type="search" value=(view.q) required size="32" aria-describedby="search-hint"
                        placeholder=(lang.t("예: 2026120700, 김민준, 김, 5678", "e.g. 2026120700, Kim, 5678"));
                    p #search-hint.muted.hint { (lang.t("주문번호 앞자리, 성이나 이름, 전화번호 4자리 이상으로도 찾습니다.", "The start of an order number, a family or full name, or 4+ phone digits also work.")) }
                }
                div {
                    label for=(names.from) { (lang.t("주문일 부터", "Ordered from")) }
                    input id=(names.from) name=(names.from) type="date" value=(iso(view.from));
                }
                div {
                    label for=(names.to) { (lang.t("까지", "to")) }
                    input id=(names.to) name=(names.to) type="date" value=(iso(view.to));
                }
                div { button type="submit" { (lang.t("찾기", "Search")) } }
            }
        }
        @if let Some(found) = &view.found {
            @if found.is_empty() {
                p.notice role="status" { (lang.t(
                    "찾은 주문이 없습니다. 주문일 기간을 넓히거나, 이름 대신 전화번호 뒷자리나 주문번호 앞자리로 찾아 보세요.",
                    "No order found. Widen the order dates, or try phone digits or the start of the order number."
                )) }
            } @else {
                (table(Some(&format!("{}{}", found.len(), lang.t("건의 주문", " orders"))), None, &[
                    (lang.t("주문번호", "Order"), Kind::Text),
                    (lang.t("주문일시", "Received"), Kind::Text),
                    (lang.t("주문자", "Orderer"), Kind::Text),
                    (lang.t("고객 ID", "Customer"), Kind::Text),
                    (lang.t("상품", "Items"), Kind::Num),
                    (lang.t("남은 수량", "Open units"), Kind::Num),
                ], found.iter().map(|order| vec![
                    html! { a href={ "/console/orders/" (order.ord_no) } { (order.ord_no) } },
                    html! { (order.received_at.to_wire()) },
                    html! { (order.orderer) },
                    html! { (order.customer) },
                    html! { (order.items) },
                    html! { (order.open) },
                ]).collect()))
            }
        } @else if !view.recent.is_empty() {
            h2 { (lang.t("최근 처리한 주문", "Orders you handled lately")) }
            ul.recent {
                @for (ord_no, when) in &view.recent {
                    li { a href={ "/console/orders/" (ord_no) } { (ord_no) } " " span.muted { (when.to_wire()[..16].to_owned()) } }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// An order

/// What the order page shows: only the viewer's own items and lines for a vendor user.
#[derive(Debug)]
struct OrderPage {
    ord_no: OrderNo,
    /// What the redirect after an action says was done (only of this order's own).
    done: Option<Done>,
    orderer: String,
    customer: String,
    received_at: KstDateTime,
    media: (&'static str, &'static str),
    recipient: Option<Recipient>,
    /// Whether the viewer may cancel something of the order now.
    can_cancel: bool,
    /// Whether the viewer may withdraw a pending cancel request (an agent, for the customer).
    can_withdraw: bool,
    items: Vec<ItemLine>,
    claims: Vec<ClaimLine>,
    requests: Vec<RequestLine>,
}

/// Who receives the order, as the agent reads it to the customer.
#[derive(Debug)]
struct Recipient {
    name: String,
    phone: String,
    address: String,
}

#[derive(Debug)]
enum Done {
    Canceled(ClaimNo),
    /// A cancel request withdrawn from the page (its number on the order).
    RequestWithdrawn(usize),
    Requested(String),
    /// A return or an exchange filed.
    Filed(ClaimNo, claims_domain::PickupKind),
    Withdrawn(ClaimNo),
}

#[derive(Debug)]
struct ItemLine {
    seq: ItemSeq,
    name: String,
    option: String,
    vendor: VendorId,
    /// The vendor's registered name (empty when unknown).
    vendor_name: String,
    lower_rank: Option<VendorId>,
    ordered: u32,
    canceled: u32,
    shipped: u32,
    open: u32,
    shipping: ShippingStatus,
    price: i64,
    discount: i64,
    /// The vendor's latest out-of-stock registration and delay notice.
    no_sell: Option<claims_domain::NoSell>,
    delay: Option<claims_domain::Delay>,
    /// Whether the customer's cancel request for it is pending.
    requested: bool,
}

#[derive(Debug)]
struct ClaimLine {
    clm_no: ClaimNo,
    canceled_at: KstDateTime,
    reason: ReasonCode,
    fault: Fault,
    actor: Actor,
    item_seq: ItemSeq,
    qty: u32,
    discount_refund: i64,
    shipping_refund: i64,
}

#[derive(Debug)]
struct RequestLine {
    id: String,
    /// The request's number on the order: 1 for the first filed.
    number: usize,
    /// Whether this is the first line of its request (which carries its withdrawal).
    first: bool,
    /// Whether any line of the request is still pending.
    pending: bool,
    filed_at: KstDateTime,
    agent: String,
    item_seq: ItemSeq,
    qty: u32,
    status: LineStatus,
}

/// The order page for `role`: what it may see of `record`, and what it may do.
fn order_view(
    record: &OrderRecord,
    role: &UserRole,
    query: &OrderQuery,
    vendor_names: &std::collections::HashMap<VendorId, String>,
) -> OrderPage {
    let scope = role.scope();
    let mine = |vendor: &VendorId, lower: Option<&VendorId>| {
        scope.is_none_or(|scope| scope.covers(vendor, lower))
    };
    let order = &record.order;
    let pending = record.pending_items();
    let done = if let Some(claim) =
        given(&query.claim).and_then(|no| record.claims.iter().find(|c| c.clm_no.as_str() == no))
    {
        Some(Done::Canceled(claim.clm_no.clone()))
    } else if let Some(request) = given(&query.request)
        .and_then(|id| record.cancel_requests.iter().find(|r| r.id.as_str() == id))
    {
        Some(Done::Requested(request.id.to_string()))
    } else if let Some(claim) =
        given(&query.pickup).and_then(|no| record.pickups.iter().find(|c| c.clm_no.as_str() == no))
    {
        Some(Done::Filed(claim.clm_no.clone(), claim.kind))
    } else if let Some(number) = given(&query.request_withdrawn).and_then(|id| {
        record
            .cancel_requests
            .iter()
            .position(|r| r.id.as_str() == id)
    }) {
        Some(Done::RequestWithdrawn(number + 1))
    } else {
        given(&query.withdrawn)
            .and_then(|no| record.pickups.iter().find(|c| c.clm_no.as_str() == no))
            .map(|claim| Done::Withdrawn(claim.clm_no.clone()))
    };
    let items = record
        .items
        .iter()
        .filter(|item| mine(&item.vendor, item.lower_rank.as_ref()))
        .map(|item| {
            let detail = order.item(item.seq);
            ItemLine {
                seq: item.seq,
                name: detail.map_or(String::new(), |d| d.item_nm.as_str().to_owned()),
                option: detail.map_or(String::new(), |d| d.uitem_nm.as_str().to_owned()),
                vendor: item.vendor.clone(),
                vendor_name: vendor_names.get(&item.vendor).cloned().unwrap_or_default(),
                lower_rank: item.lower_rank.clone(),
                ordered: item.ordered,
                canceled: item.canceled,
                shipped: item.shipped,
                open: item.open(),
                shipping: item.shipping_status(),
                price: detail.map_or(0, |d| d.unit_price.get()),
                discount: item.discount.get(),
                no_sell: item.no_sell.clone(),
                delay: item.delay.clone(),
                requested: pending.contains(&item.seq),
            }
        })
        .collect();
    let claims = record
        .claims
        .iter()
        .flat_map(|claim| {
            claim
                .lines
                .iter()
                .filter(|line| mine(&line.cost.vendor, line.cost.lower_rank.as_ref()))
                .map(move |line| ClaimLine {
                    clm_no: claim.clm_no.clone(),
                    canceled_at: claim.canceled_at,
                    reason: claim.reason,
                    fault: claim.fault,
                    actor: claim.actor.clone(),
                    item_seq: line.item_seq,
                    qty: line.qty.get(),
                    discount_refund: line.cost.spl_ven_bdn_dc_amt.get(),
                    shipping_refund: line.cost.shpmt_shppcst.get(),
                })
        })
        .collect();
    let visible_item = |seq: ItemSeq| {
        record
            .items
            .iter()
            .any(|item| item.seq == seq && mine(&item.vendor, item.lower_rank.as_ref()))
    };
    let requests = record
        .cancel_requests
        .iter()
        .enumerate()
        .flat_map(|(index, request)| {
            let pending = request
                .lines
                .iter()
                .any(|line| line.status == LineStatus::Requested);
            request
                .lines
                .iter()
                .filter(|line| visible_item(line.item_seq))
                .enumerate()
                .map(move |(at, line)| RequestLine {
                    id: request.id.to_string(),
                    number: index + 1,
                    first: at == 0,
                    pending,
                    filed_at: request.filed_at,
                    agent: request.agent.to_string(),
                    item_seq: line.item_seq,
                    qty: line.qty.get(),
                    status: line.status,
                })
        })
        .collect();
    let to = order.recipient();
    let recipient = (!to.name.is_empty()).then(|| Recipient {
        name: to.name.as_str().to_owned(),
        phone: to.phone.as_str().to_owned(),
        address: [
            to.postal_code.as_str(),
            to.base_address.as_str(),
            to.detail_address.as_str(),
        ]
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" "),
    });
    OrderPage {
        ord_no: order.ord_no().clone(),
        done,
        orderer: order.ordpe_nm().as_str().to_owned(),
        customer: order.customer_id().to_string(),
        received_at: order.received_at(),
        media: (order.media().name(), order.media().english()),
        recipient,
        can_withdraw: *role == UserRole::ServiceCenter,
        can_cancel: *role == UserRole::ServiceCenter
            && record
                .items
                .iter()
                .any(|item| agent_may_cancel(item, &pending)),
        items,
        claims,
        requests,
    }
}

/// `/console/orders/{ordNo}`: items, claims with their cost lines, cancel requests. A vendor
/// user sees only their own items and lines.
pub(super) async fn show(
    State(app): State<AppState>,
    me: Signed,
    Path(ord_no): Path<String>,
    Query(query): Query<OrderQuery>,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::ServiceCenter, RoleKind::Admin, RoleKind::Vendor])?;
    let record = visible_order(&app, &me, &ord_no).await?;
    let vendor_names = app
        .store
        .vendors()
        .await
        .map_err(|e| PageError::store(me.lang, e))?
        .into_iter()
        .map(|vendor| (vendor.id, vendor.name.as_str().to_owned()))
        .collect();
    let view = order_view(&record, &me.user.role, &query, &vendor_names);
    let title = match me.lang {
        Lang::Ko => format!("주문 {}", view.ord_no),
        Lang::En => format!("Order {}", view.ord_no),
    };
    let pickups = returns::order_section(&me, &record);
    Ok(page(shell(
        me.frame(),
        &title,
        "orders",
        order_markup(&me, &title, &view, pickups),
    )))
}

fn order_markup(me: &Signed, title: &str, view: &OrderPage, pickups: Markup) -> Markup {
    let lang = me.lang;
    html! {
        h1 { (title) }
        @match &view.done {
            Some(Done::Canceled(clm_no)) => p.notice.ok role="status" { (lang.t("취소되었습니다. 클레임 번호: ", "Canceled. Claim number: ")) strong { (clm_no) } },
            Some(Done::Requested(id)) => p.notice.ok role="status" { (lang.t("취소신청을 접수했습니다. 업체가 승인하면 취소됩니다. 신청 번호: ", "Cancel request filed; the cancellation takes effect when the vendor approves it. Request: ")) strong { (id) } },
            Some(Done::Filed(clm_no, kind)) => p.notice.ok role="status" {
                @match kind {
                    claims_domain::PickupKind::Return => (lang.t("반품을 접수했습니다. 업체가 회수를 완료하면 환불됩니다. 클레임 번호: ", "Return filed; it is refunded once the vendor completes the pickup. Claim: ")),
                    claims_domain::PickupKind::Exchange => (lang.t("교환을 접수했습니다. 업체가 회수를 완료하면 교환출고가 나갑니다. 클레임 번호: ", "Exchange filed; the replacement ships once the vendor completes the pickup. Claim: ")),
                }
                strong { (clm_no) }
            },
            Some(Done::Withdrawn(clm_no)) => p.notice.ok role="status" { (lang.t("회수철회했습니다: ", "Withdrawn: ")) strong { (clm_no) } },
            Some(Done::RequestWithdrawn(number)) => p.notice.ok role="status" {
                (lang.t("취소신청 ", "Cancel request ")) strong { "#" (number) } (lang.t("을(를) 철회했습니다. 상품은 그대로 배송됩니다.", " withdrawn: the items ship as ordered."))
            },
            None => {},
        }
        section.card {
            dl.facts {
                dt { (lang.t("주문자", "Orderer")) } dd { (view.orderer) }
                dt { (lang.t("고객 ID", "Customer id")) } dd { (view.customer) }
                dt { (lang.t("주문일시", "Received")) } dd { (view.received_at.to_wire()) " KST" }
                dt { (lang.t("주문매체", "Channel")) } dd { (code_name(lang, view.media.0, view.media.1)) }
                @if let Some(recipient) = &view.recipient {
                    dt { (lang.t("수취인", "Recipient")) } dd { (recipient.name) }
                    @if !recipient.phone.is_empty() {
                        dt { (lang.t("연락처", "Phone")) } dd { (recipient.phone) }
                    }
                    @if !recipient.address.is_empty() {
                        dt { (lang.t("배송지", "Address")) } dd { (recipient.address) }
                    }
                }
            }
            @if view.can_cancel {
                div.actions { a.button href={ "/console/orders/" (view.ord_no) "/cancel" } { (lang.t("취소하기", "Cancel items")) } }
            }
        }
        h2 { (lang.t("상품", "Items")) }
        (table(None, None, &[
            ("#", Kind::Text),
            (lang.t("상품명", "Item"), Kind::Wrap),
            (lang.t("업체", "Vendor"), Kind::Text),
            (lang.t("주문", "Ordered"), Kind::Num),
            (lang.t("취소", "Canceled"), Kind::Num),
            (lang.t("출고", "Shipped"), Kind::Num),
            (lang.t("남음", "Open"), Kind::Num),
            (lang.t("배송 상태", "Shipping"), Kind::Text),
            (lang.t("판매가", "Price"), Kind::Num),
            (lang.t("업체부담할인", "Vendor discount"), Kind::Num),
        ], view.items.iter().map(|item| vec![
            html! { (item.seq) },
            html! { (item.name) @if !item.option.is_empty() { br; span.muted { (item.option) } } },
            html! {
                @if item.vendor_name.is_empty() { (item.vendor) } @else { (item.vendor_name) br; span.muted { (item.vendor) } }
                @if let Some(lower) = &item.lower_rank { " / " (lower) }
            },
            html! { (item.ordered) },
            html! { (item.canceled) },
            html! { (item.shipped) },
            html! { (item.open) },
            html! {
                (shipping_badge(lang, item.shipping, item.open))
                @if item.requested { " " span.badge.bad { (lang.t("취소신청 중", "cancel requested")) } }
                (notice_badges(lang, item.no_sell.as_ref(), item.delay.as_ref()))
            },
            html! { (won(lang, item.price)) },
            html! { (won(lang, item.discount)) },
        ]).collect()))
        h2 { (lang.t("클레임", "Claims")) }
        @if view.claims.is_empty() {
            p.muted { (lang.t("취소된 상품이 없습니다.", "Nothing has been canceled.")) }
        } @else {
            (table(None, None, &[
                (lang.t("클레임번호", "Claim"), Kind::Text),
                (lang.t("취소일시", "Canceled at"), Kind::Text),
                (lang.t("사유", "Reason"), Kind::Text),
                (lang.t("귀책", "Fault"), Kind::Text),
                (lang.t("처리자", "By"), Kind::Text),
                (lang.t("상품 #", "Item #"), Kind::Text),
                (lang.t("수량", "Qty"), Kind::Num),
                (lang.t("업체부담할인 환급", "Discount refund"), Kind::Num),
                (lang.t("배송비 환급", "Shipping refund"), Kind::Num),
            ], view.claims.iter().map(|line| vec![
                html! { (line.clm_no) },
                html! { (line.canceled_at.to_wire()) },
                html! { (code_name(lang, line.reason.name(), line.reason.english())) },
                html! { (code_name(lang, line.fault.name(), line.fault.english())) },
                html! { (actor(lang, &line.actor)) },
                html! { (line.item_seq) },
                html! { (line.qty) },
                html! { (won(lang, line.discount_refund)) },
                html! { (won(lang, line.shipping_refund)) },
            ]).collect()))
        }
        h2 { (lang.t("취소신청", "Cancel requests")) }
        @if view.requests.is_empty() {
            p.muted { (lang.t("취소신청이 없습니다.", "No cancel requests.")) }
        } @else {
            (table(None, None, &[
                (lang.t("신청", "Request"), Kind::Text),
                (lang.t("신청일시", "Filed at"), Kind::Text),
                (lang.t("상담원", "Agent"), Kind::Text),
                (lang.t("상품 #", "Item #"), Kind::Text),
                (lang.t("수량", "Qty"), Kind::Num),
                (lang.t("상태", "Status"), Kind::Text),
                (lang.t("처리", "Action"), Kind::Text),
            ], view.requests.iter().map(|line| vec![
                html! { strong { "#" (line.number) } br; span.muted title=(line.id) { (line.id[..8].to_owned()) "…" } },
                html! { (line.filed_at.to_wire()[..16].to_owned()) },
                html! { (line.agent) },
                html! { (line.item_seq) },
                html! { (line.qty) },
                line_status(lang, line.status),
                html! {
                    @if view.can_withdraw && line.first && line.pending {
                        (withdraw_request(me, &view.ord_no, line))
                    }
                },
            ]).collect()))
        }
        (pickups)
    }
}

/// Withdrawing a pending cancel request on the customer's word: folded away behind a
/// summary that says what it does, so that one click never does it.
fn withdraw_request(me: &Signed, ord_no: &OrderNo, line: &RequestLine) -> Markup {
    let lang = me.lang;
    let names = RequestWithdrawalForm::NAMES;
    html! {
        details.notices {
            summary { (lang.t("신청 철회", "Withdraw")) }
            form.notice-form method="post" action={ "/console/orders/" (ord_no) "/requests/withdraw" } {
                input type="hidden" name=(names.csrf) value=(me.csrf);
                input type="hidden" name=(names.request_id) value=(line.id);
                p.notice.warn { (lang.t(
                    "고객이 취소를 원하지 않을 때만 철회하세요. 철회하면 이 신청의 모든 상품이 그대로 배송됩니다.",
                    "Withdraw only when the customer no longer wants to cancel: every item of this request then ships as ordered."
                )) }
                button.danger type="submit" { (lang.t("취소신청 #", "Withdraw request #")) (line.number) (lang.t(" 철회", "")) }
            }
        }
    }
}

/// `POST /console/orders/{ordNo}/requests/withdraw`: an agent withdraws a pending cancel
/// request for the customer. Pressed twice, the second press finds it withdrawn and says
/// so on the order page as the first did.
pub(super) async fn withdraw_request_post(
    State(app): State<AppState>,
    Path(ord_no): Path<String>,
    Posted { me, form }: Posted<RequestWithdrawalForm>,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::ServiceCenter])?;
    let lang = me.lang;
    let record = visible_order(&app, &me, &ord_no).await?;
    let missing = || {
        PageError::not_found(
            lang,
            lang.t(
                "이 주문에 그런 취소신청이 없습니다.",
                "The order has no such cancel request.",
            ),
        )
    };
    let id = claims_domain::RequestId::parse("requestId", form.request_id.trim())
        .map_err(|_| missing())?;
    if !record
        .cancel_requests
        .iter()
        .any(|request| request.id == id)
    {
        return Err(missing());
    }
    let result = app
        .store
        .withdraw_cancel_request(&id, &Actor::Agent(me.agent()), app.clock.now())
        .await;
    match result {
        Ok(_) | Err(StoreError::Cancel(claims_domain::CancelRejection::NothingPending)) => {
            tracing::info!(order.no = %record.order.ord_no(), request.id = %id, "cancel request withdrawn from the console");
            Ok(see_other(&format!(
                "/console/orders/{}?{}={id}",
                record.order.ord_no(),
                OrderQuery::NAMES.request_withdrawn
            )))
        }
        Err(error) => Err(PageError::store(lang, error)),
    }
}

fn actor(lang: Lang, actor: &Actor) -> String {
    match actor {
        Actor::Customer(id) => format!("{} {id}", lang.t("고객", "customer")),
        Actor::Agent(id) => format!("{} {id}", lang.t("상담원", "agent")),
        Actor::Vendor(id) => format!("{} {id}", lang.t("업체(판매불가)", "vendor (out of stock)")),
    }
}

fn line_status(lang: Lang, status: LineStatus) -> Markup {
    let (class, english) = match status {
        LineStatus::Requested => ("badge warn", "requested"),
        LineStatus::Approved => ("badge ok", "approved"),
        LineStatus::Withdrawn => ("badge", "withdrawn"),
        LineStatus::Rejected => ("badge bad", "rejected (shipped)"),
    };
    html! { span class=(class) { (code_name(lang, status.name(), english)) } }
}

fn shipping_badge(lang: Lang, status: ShippingStatus, open: u32) -> Markup {
    let (class, english) = match status {
        ShippingStatus::Instructed => ("badge", "instructed"),
        ShippingStatus::Confirmed => ("badge warn", "confirmed"),
        ShippingStatus::Delayed => ("badge warn", "delayed"),
        ShippingStatus::Released => ("badge ok", "released"),
        ShippingStatus::Delivered => ("badge ok", "delivered"),
    };
    html! {
        span class=(class) { (code_name(lang, status.name(), english)) }
        @if open == 0 && !status.is_shipped() {
            " " span.badge.bad { (lang.t("전량 취소", "all canceled")) }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Cancelling

/// The items' state as the preview saw it: a confirmation made after something else
/// changed the order is refused.
fn version(record: &OrderRecord) -> String {
    let pending = record.pending_items();
    let mut text = String::new();
    for item in &record.items {
        text.push_str(&format!(
            "{}:{}:{}:{}:{};",
            item.seq,
            item.canceled,
            item.shipped,
            item.confirmed_at.is_some(),
            pending.contains(&item.seq)
        ));
    }
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// What the cancel page shows: each item with what may be done to it, what was typed, the
/// preview (when asked) and a message.
#[derive(Debug)]
struct CancelPage {
    ord_no: OrderNo,
    items: Vec<CancelItem>,
    reason: String,
    fault: String,
    text: String,
    preview: Option<PreviewView>,
    message: Option<(StatusCode, String)>,
    /// The order's state and a one-time token, carried by the confirmation.
    version: String,
    confirmation: String,
    /// The latest claim or cancel request already made on the order — what a reload after
    /// a confirmation would otherwise hide: what, when, by whom.
    latest: Option<(String, KstDateTime, Actor)>,
}

#[derive(Debug)]
struct CancelItem {
    seq: ItemSeq,
    name: String,
    shipping: ShippingStatus,
    open: u32,
    pending: bool,
    /// Whether the agent may ask to cancel units of it now.
    cancellable: bool,
    typed: String,
}

#[derive(Debug)]
struct PreviewView {
    /// A cancel request is filed (the vendor confirmed the items) rather than a claim made.
    requested: bool,
    lines: Vec<PreviewLine>,
}

#[derive(Debug)]
struct PreviewLine {
    item_seq: ItemSeq,
    name: String,
    qty: u32,
    discount_refund: i64,
    shipping_refund: i64,
    /// What the customer gets back for the line (the domain's `customer_refund`).
    customer_refund: i64,
}

/// The cancel page of `record`, with what `form` holds, the preview and a message.
fn cancel_view(
    record: &OrderRecord,
    form: &CancelForm,
    preview: Option<&CancelPreview>,
    message: Option<(StatusCode, String)>,
) -> CancelPage {
    let order = &record.order;
    let pending = record.pending_items();
    let name = |seq: ItemSeq| {
        order
            .item(seq)
            .map_or(String::new(), |item| item.item_nm.as_str().to_owned())
    };
    let items = record
        .items
        .iter()
        .map(|item| CancelItem {
            seq: item.seq,
            name: name(item.seq),
            shipping: item.shipping_status(),
            open: item.open(),
            pending: pending.contains(&item.seq),
            cancellable: agent_may_cancel(item, &pending),
            typed: form.quantities.typed(item.seq).to_owned(),
        })
        .collect();
    let preview = preview.map(|preview| {
        let (plan, requested) = match preview {
            CancelPreview::Direct(plan) => (plan, false),
            CancelPreview::Request(plan) => (plan, true),
        };
        PreviewView {
            requested,
            lines: plan
                .lines
                .iter()
                .map(|line| PreviewLine {
                    item_seq: line.item_seq,
                    name: name(line.item_seq),
                    qty: line.qty.get(),
                    discount_refund: line.discount_refund.get(),
                    shipping_refund: line.shipping_refund.get(),
                    customer_refund: order
                        .item(line.item_seq)
                        .map_or(0, |item| line.customer_refund(item.unit_price).get()),
                })
                .collect(),
        }
    });
    let latest_claim = record
        .claims
        .iter()
        .max_by_key(|claim| claim.canceled_at)
        .map(|claim| {
            (
                claim.clm_no.to_string(),
                claim.canceled_at,
                claim.actor.clone(),
            )
        });
    let latest_request = record
        .cancel_requests
        .iter()
        .enumerate()
        .max_by_key(|(_, request)| request.filed_at)
        .map(|(index, request)| {
            (
                format!("#{}", index + 1),
                request.filed_at,
                Actor::Agent(request.agent.clone()),
            )
        });
    let latest = match (latest_claim, latest_request) {
        (Some(claim), Some(request)) => Some(if request.1 > claim.1 { request } else { claim }),
        (claim, request) => claim.or(request),
    };
    CancelPage {
        ord_no: order.ord_no().clone(),
        latest,
        items,
        reason: form.clm_rsn_cd.trim().to_owned(),
        fault: form.impt_div_cd.trim().to_owned(),
        text: form.clm_rsn_cntt.clone(),
        // A fresh token for each preview shown; a confirmation carries the one it saw.
        confirmation: if preview.is_some() {
            confirmation_token()
        } else {
            String::new()
        },
        preview,
        message,
        version: version(record),
    }
}

/// `GET /console/orders/{ordNo}/cancel`: the form.
pub(super) async fn cancel_form(
    State(app): State<AppState>,
    me: Signed,
    Path(ord_no): Path<String>,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::ServiceCenter])?;
    let record = visible_order(&app, &me, &ord_no).await?;
    let view = cancel_view(&record, &CancelForm::default(), None, None);
    Ok(cancel_page(&me, &view))
}

/// `POST /console/orders/{ordNo}/cancel`: the preview, or with `confirm=1`, the cancellation
/// (or the cancel request, for confirmed items) — at most once per preview.
pub(super) async fn cancel(
    State(app): State<AppState>,
    Path(ord_no): Path<String>,
    Posted { me, form }: Posted<CancelForm>,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::ServiceCenter])?;
    let lang = me.lang;
    let record = visible_order(&app, &me, &ord_no).await?;
    let shown = |record: &OrderRecord, preview, message| {
        Ok(cancel_page(
            &me,
            &cancel_view(record, &form, preview, message),
        ))
    };
    let command = match command(&me, &record, &form) {
        Ok(command) => command,
        Err(message) => {
            return shown(
                &record,
                None,
                Some((StatusCode::UNPROCESSABLE_ENTITY, message)),
            );
        }
    };
    let confirming = form.confirm.trim() == "1";
    if confirming && let Some(token) = given(&form.confirmation) {
        // A preview confirmed before (or being confirmed now) answers with its outcome.
        return confirm_once(
            &app,
            &me,
            "cancel",
            token,
            fingerprint(&record, &form),
            |message| shown(&record, None, Some((StatusCode::CONFLICT, message))),
            |key| confirm(&app, &me, &record, &form, &command, key),
        )
        .await;
    }
    let now = app.clock.now();
    let preview =
        match preview_cancellation(&record.state(), &record.pending_items(), &command, now) {
            Ok(preview) => preview,
            Err(rejection) => {
                let error = PageError::store(lang, rejection.into());
                return shown(&record, None, Some((error.status, error.message)));
            }
        };
    shown(&record, Some(&preview), None)
}

/// What makes two confirmations the same: the order, the units, the reason, the fault and
/// the text.
fn fingerprint(record: &OrderRecord, form: &CancelForm) -> Fingerprint {
    let mut hash = Sha256::new();
    hash.update(record.order.ord_no().as_str().as_bytes());
    for item in &record.items {
        hash.update([0]);
        hash.update(form.quantities.typed(item.seq).as_bytes());
    }
    for field in [&form.clm_rsn_cd, &form.impt_div_cd, &form.clm_rsn_cntt] {
        hash.update([0]);
        hash.update(field.trim().as_bytes());
    }
    Fingerprint(hash.finalize().into())
}

/// Makes the cancellation (or the cancel request) a confirmation asks for, recording its
/// outcome under `key` in the same transaction: the redirect to it, or — when nothing was
/// done — the page that says why.
async fn confirm(
    app: &AppState,
    me: &Signed,
    record: &OrderRecord,
    form: &CancelForm,
    command: &CancelCommand,
    key: IdempotencyKey,
) -> Result<Response, Response> {
    let lang = me.lang;
    if form.version.trim() != version(record) {
        let message = lang
            .t(
                "미리보기 이후 주문이 바뀌었습니다. 아래 내용을 다시 확인하세요.",
                "The order changed after the preview. Check the lines below again.",
            )
            .to_owned();
        let view = cancel_view(record, form, None, Some((StatusCode::CONFLICT, message)));
        return Err(cancel_page(me, &view));
    }
    let ord = record.order.ord_no().clone();
    let now = app.clock.now();
    let location = |done: String| format!("/console/orders/{ord}{done}");
    let seen_other = |location: String| StoredAnswer {
        status: StatusCode::SEE_OTHER.as_u16(),
        content_type: "text/plain; charset=utf-8".into(),
        location: Some(location),
        body: Vec::new(),
    };
    let preview = preview_cancellation(&record.state(), &record.pending_items(), command, now);
    let written = match preview {
        Ok(CancelPreview::Request(_)) => {
            let done = Completion {
                key,
                render: Box::new({
                    let ord = ord.clone();
                    move |request: &claims_domain::CancelRequest| {
                        seen_other(format!("/console/orders/{ord}?request={}", request.id))
                    }
                }),
            };
            app.store
                .file_cancel_request_once(&ord, command, new_request_id(), now, done)
                .await
                .map(|request| {
                    tracing::info!(order.no = %ord, request.id = %request.id, agent = %me.user.login, "cancel request filed from the console");
                    location(format!("?request={}", request.id))
                })
        }
        _ => {
            let done = Completion {
                key,
                render: Box::new({
                    let ord = ord.clone();
                    move |claim: &claims_domain::Claim| {
                        seen_other(format!("/console/orders/{ord}?claim={}", claim.clm_no))
                    }
                }),
            };
            app.store
                .cancel_once(&ord, command, now, done)
                .await
                .map(|claim| {
                    app.metrics.claim_recorded(claim.lines.len());
                    tracing::info!(order.no = %ord, claim.no = %claim.clm_no, agent = %me.user.login, "claim recorded from the console");
                    location(format!("?claim={}", claim.clm_no))
                })
        }
    };
    match written {
        Ok(location) => Ok(see_other(&location)),
        // Shipped or canceled meanwhile: said in place, on the order as it stands now.
        Err(error @ (StoreError::Cancel(_) | StoreError::Ship(_))) => {
            let error = PageError::store(lang, error);
            let fresh = visible_order(app, me, ord.as_str())
                .await
                .map_err(IntoResponse::into_response)?;
            let message = Some((StatusCode::CONFLICT, error.message));
            Err(cancel_page(me, &cancel_view(&fresh, form, None, message)))
        }
        Err(error) => Err(PageError::store(lang, error).into_response()),
    }
}

/// The cancellation the form asks for, as the agent signed in; a message naming the field
/// when it cannot be one.
fn command(me: &Signed, record: &OrderRecord, form: &CancelForm) -> Result<CancelCommand, String> {
    let lang = me.lang;
    let mut lines = Vec::new();
    for item in &record.items {
        let name = Quantities::name(item.seq);
        let value = form.quantities.typed(item.seq);
        if value.is_empty() || value == "0" {
            continue;
        }
        let qty = value
            .parse::<i64>()
            .map_err(|_| format!("{name}: {value:?}"))
            .and_then(|n| Quantity::new(&name, n).map_err(|e| e.to_string()))?;
        lines.push((item.seq, qty));
    }
    if lines.is_empty() {
        return Err(lang
            .t(
                "취소할 수량을 하나 이상 입력하세요.",
                "Enter a quantity to cancel for at least one item.",
            )
            .to_owned());
    }
    let names = CancelForm::NAMES;
    let invalid = |e: claims_domain::InvalidValue| match lang {
        Lang::Ko => format!("{} 값이 올바르지 않습니다: {}", e.field, e.problem),
        Lang::En => e.to_string(),
    };
    let reason = ReasonCode::parse(names.clm_rsn_cd, form.clm_rsn_cd.trim()).map_err(invalid)?;
    let fault = Fault::parse(names.impt_div_cd, form.impt_div_cd.trim()).map_err(invalid)?;
    let text = Text::parse(
        names.clm_rsn_cntt,
        form.clm_rsn_cntt.trim(),
        rules::REASON_TEXT,
    )
    .map_err(invalid)?;
    CancelCommand::new(Actor::Agent(me.agent()), lines, reason, text, Some(fault)).map_err(invalid)
}

/// The cancel page as a response, with the message's status.
fn cancel_page(me: &Signed, view: &CancelPage) -> Response {
    let lang = me.lang;
    let title = match lang {
        Lang::Ko => format!("주문 {} 취소", view.ord_no),
        Lang::En => format!("Cancel items of order {}", view.ord_no),
    };
    let mut response = page(shell(
        me.frame(),
        &title,
        "orders",
        cancel_markup(me, &title, view),
    ));
    if let Some((status, _)) = &view.message {
        *response.status_mut() = *status;
    }
    response
}

fn cancel_markup(me: &Signed, title: &str, view: &CancelPage) -> Markup {
    let lang = me.lang;
    let names = CancelForm::NAMES;
    let action = format!("/console/orders/{}/cancel", view.ord_no);
    html! {
        h1 { (title) }
        p { a href={ "/console/orders/" (view.ord_no) } { (lang.t("← 주문으로 돌아가기", "← Back to the order")) } }
        @if let Some((_, message)) = &view.message {
            p.notice.error role="alert" { (message) }
        }
        @if let Some((what, when, by)) = &view.latest {
            p.notice.warn {
                (lang.t("이 주문에는 이미 처리된 취소가 있습니다. 가장 최근: ", "This order already has cancellations. The latest: "))
                strong { (what) } " · " (when.to_wire()[..16].to_owned()) " · " (actor(lang, by))
                (lang.t(". 같은 취소를 두 번 하지 않도록 확인하세요.", ". Make sure you are not doing it twice."))
            }
        }
        @if let Some(preview) = &view.preview {
            section.card aria-labelledby="preview-title" {
                h2 #preview-title { (lang.t("미리보기", "Preview")) }
                @if preview.requested {
                    p.notice.warn { (lang.t(
                        "업체가 주문을 확인한 상품입니다. 취소신청이 접수되고, 업체가 승인하면 아래 금액으로 취소됩니다.",
                        "The vendor has confirmed these items: a cancel request is filed, and when the vendor approves it they are canceled with the refunds below."
                    )) }
                } @else {
                    p { (lang.t("확인하면 아래와 같이 바로 취소됩니다.", "Confirming cancels at once, as below.")) }
                }
                (table(None, Some("preview-title"), &[
                    (lang.t("상품 #", "Item #"), Kind::Text),
                    (lang.t("상품명", "Item"), Kind::Wrap),
                    (lang.t("취소 수량", "Qty"), Kind::Num),
                    (lang.t("업체부담할인 환급 (splVenBdnDcAmt)", "Discount refund (splVenBdnDcAmt)"), Kind::Num),
                    (lang.t("배송비 환급 (shpmtShppcst)", "Shipping refund (shpmtShppcst)"), Kind::Num),
                    (lang.t("고객 환불액", "Customer's refund"), Kind::Num),
                ], preview.lines.iter().map(|line| vec![
                    html! { (line.item_seq) },
                    html! { (line.name) },
                    html! { (line.qty) },
                    html! { (won(lang, line.discount_refund)) },
                    html! { (won(lang, line.shipping_refund)) },
                    html! { strong { (won(lang, line.customer_refund)) } },
                ]).collect()))
                p.total {
                    (lang.t("고객에게 돌아가는 금액: ", "The customer gets back: "))
                    strong { (won(lang, preview.lines.iter().map(|line| line.customer_refund).sum())) }
                    span.muted { (lang.t(" (판매가 × 수량 − 업체부담할인 몫 + 배송비 환급)", " (price × units − the discount's share + shipping refunded)")) }
                }
                form method="post" action=(action) {
                    input type="hidden" name=(names.csrf) value=(me.csrf);
                    input type="hidden" name=(names.confirm) value="1";
                    input type="hidden" name=(names.version) value=(view.version);
                    input type="hidden" name=(names.confirmation) value=(view.confirmation);
                    @for item in &view.items {
                        input type="hidden" name=(Quantities::name(item.seq)) value=(item.typed);
                    }
                    input type="hidden" name=(names.clm_rsn_cd) value=(view.reason);
                    input type="hidden" name=(names.impt_div_cd) value=(view.fault);
                    input type="hidden" name=(names.clm_rsn_cntt) value=(view.text);
                    div.actions {
                        button type="submit" {
                            @if preview.requested { (lang.t("취소신청 접수", "File the cancel request")) }
                            @else { (lang.t("취소 확정", "Confirm the cancellation")) }
                        }
                    }
                }
            }
        }
        form.card method="post" action=(action) {
            input type="hidden" name=(names.csrf) value=(me.csrf);
            fieldset {
                legend { (lang.t("취소할 수량", "Units to cancel")) }
                (table(None, None, &[
                    ("#", Kind::Text),
                    (lang.t("상품명", "Item"), Kind::Wrap),
                    (lang.t("배송 상태", "Shipping"), Kind::Text),
                    (lang.t("남은 수량", "Open"), Kind::Num),
                    (lang.t("취소 수량", "Cancel"), Kind::Text),
                ], view.items.iter().map(|item| {
                    let name = Quantities::name(item.seq);
                    vec![
                        html! { (item.seq) },
                        html! { label for=(name) { (item.name) } },
                        html! {
                            (shipping_badge(lang, item.shipping, item.open))
                            @if item.pending { " " span.badge.warn { (lang.t("취소신청 중", "request pending")) } }
                        },
                        html! { (item.open) },
                        html! {
                            @if item.cancellable {
                                input id=(name) name=(name) type="number" min="0" max=(item.open) inputmode="numeric" value=(item.typed) size="4";
                            } @else {
                                span.muted id=(name) { "—" }
                            }
                        },
                    ]
                }).collect()))
            }
            div.row {
                div {
                    label for=(names.clm_rsn_cd) { (lang.t("취소 사유", "Reason")) }
                    select id=(names.clm_rsn_cd) name=(names.clm_rsn_cd) required {
                        @for reason in ReasonCode::BY_PEOPLE {
                            option value=(reason.code()) selected[reason.code() == view.reason] {
                                (reason.code()) " " (code_name(lang, reason.name(), reason.english()))
                            }
                        }
                    }
                }
                div {
                    label for=(names.impt_div_cd) { (lang.t("귀책", "At fault")) }
                    select id=(names.impt_div_cd) name=(names.impt_div_cd) required {
                        @for fault in Fault::ALL {
                            option value=(fault.code()) selected[fault.code() == view.fault] {
                                (fault.code()) " " (code_name(lang, fault.name(), fault.english()))
                            }
                        }
                    }
                }
            }
            label for=(names.clm_rsn_cntt) { (lang.t("상세 사유 (선택)", "Details (optional)")) }
            textarea id=(names.clm_rsn_cntt) name=(names.clm_rsn_cntt) maxlength="1000" { (view.text) }
            div.actions { button type="submit" { (lang.t("미리보기", "Preview")) } }
        }
    }
}
