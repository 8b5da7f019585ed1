//! A vendor's shipping page: items to confirm (주문확인) and to release (출고), and cancel
//! requests waiting for the vendor's approval; for each open item, the vendor's notices —
//! out of stock (판매불가, canceled at 17:00 the next day unless withdrawn first) and a
//! delay (출고지연) — each action the store call SSG's own calls make, with the vendor
//! user's scope.

use axum::extract::{Query, State};
use axum::response::Response;
use claims_domain::{
    Delay, DelayReason, ItemSeq, KstDate, KstDateTime, MAX_DELAY_DAYS, NoSell, NoSellReason,
    OrderNo, Period, ReasonCode, Release, Scope, ShipRejection, ShippingItem, ShippingStatus, Text,
    TextRule,
};
use claims_store::{ItemRef, StoreError};
use claims_wire::Lang;
use maud::{Markup, html};

use super::forms::{DelayForm, ItemForm, NoSellForm, ShippingDone};
use super::layout::{Kind, notice_badges, shell, table};
use super::page::{PageError, day, page, see_other};
use super::session::{Posted, Signed};
use super::text::{Words, code_name, iso, percent, won};
use crate::app::state::AppState;

/// Rows each list shows at most.
const LIST_ROWS: usize = 500;

fn scope_of(me: &Signed) -> Result<Scope, PageError> {
    me.vendor_scope((
        "업체 사용자만 배송을 처리할 수 있습니다.",
        "Only a vendor's users handle shipping.",
    ))
}

/// What the last action did, as the redirect after it says: the action and the item (the
/// page words the message itself, so a link cannot make it say anything else).
fn done_message(done: &ShippingDone, lang: Lang) -> Option<String> {
    let ord_no = OrderNo::parse("ordNo", done.ord_no.trim()).ok()?;
    let seq: u32 = done.seq.trim().parse().ok()?;
    Some(match (done.did.trim(), lang) {
        ("confirmed", Lang::Ko) => format!("{ord_no} #{seq} 주문확인했습니다."),
        ("confirmed", Lang::En) => format!("Confirmed {ord_no} #{seq}."),
        ("released", Lang::Ko) => format!("{ord_no} #{seq} 출고했습니다."),
        ("released", Lang::En) => format!("Released {ord_no} #{seq}."),
        ("approved", Lang::Ko) => format!("{ord_no} #{seq} 취소를 승인했습니다."),
        ("approved", Lang::En) => format!("Approved the cancellation of {ord_no} #{seq}."),
        ("registered", Lang::Ko) => format!(
            "{ord_no} #{seq} 판매불가로 등록했습니다. 철회하지 않으면 다음 날 17:00에 취소됩니다."
        ),
        ("registered", Lang::En) => format!(
            "Registered {ord_no} #{seq} as out of stock: it is canceled at 17:00 tomorrow unless you withdraw it."
        ),
        ("withdrawn", Lang::Ko) => format!("{ord_no} #{seq} 판매불가 등록을 철회했습니다."),
        ("withdrawn", Lang::En) => {
            format!("Withdrew the out-of-stock registration of {ord_no} #{seq}.")
        }
        ("delayed", Lang::Ko) => format!("{ord_no} #{seq} 출고지연을 안내했습니다."),
        ("delayed", Lang::En) => format!("Sent a delay notice for {ord_no} #{seq}."),
        _ => return None,
    })
}

/// `/console/shipping`.
pub(super) async fn list(
    State(app): State<AppState>,
    me: Signed,
    Query(done): Query<ShippingDone>,
) -> Result<Response, PageError> {
    let notice = done_message(&done, me.lang).map(Ok);
    render(&app, &me, notice).await
}

/// What the shipping page shows: what waits for the vendor, each with the action it takes.
#[derive(Debug)]
struct ShippingPage {
    /// Today on the service's clock: delay notices may name tomorrow to 30 days ahead.
    today: KstDate,
    /// What the last action did (`Ok`) or why it could not (`Err`).
    notice: Option<Result<String, String>>,
    pending: Vec<PendingRow>,
    instructed: Vec<ItemRow>,
    confirmed: Vec<ItemRow>,
}

#[derive(Debug)]
struct PendingRow {
    oror_no: OrderNo,
    item_seq: ItemSeq,
    item_nm: String,
    qty: u32,
    reason: ReasonCode,
    filed_at: KstDateTime,
}

#[derive(Debug)]
struct ItemRow {
    ord_no: OrderNo,
    seq: ItemSeq,
    item_id: String,
    item_nm: String,
    open: u32,
    received_at: KstDateTime,
    recipient: String,
    shipping_fee: i64,
    /// The out-of-stock registration in force, if any: the item cannot ship.
    registered: Option<NoSell>,
    delay: Option<Delay>,
    /// Set for an exchange's replacement (교환출고): its shipping number, by which the
    /// page's actions name it, and whether it still waits for its pickup.
    replacement: Option<(u64, bool)>,
    /// The order its link opens: the original order of a replacement.
    link: OrderNo,
    /// Whether the customer's cancel request for it is pending: releasing it rejects it.
    pending: bool,
}

fn item_row(item: &ShippingItem, pending: &[claims_domain::ShippingNo]) -> ItemRow {
    ItemRow {
        pending: pending.contains(&item.state.shpp_no),
        link: item
            .exchange
            .as_ref()
            .map_or_else(|| item.ord_no.clone(), |of| of.oror_no.clone()),
        replacement: item.exchange.as_ref().map(|of| {
            (
                item.state.shpp_no.get(),
                of.status == claims_domain::ReplacementStatus::Waiting,
            )
        }),
        ord_no: item.ord_no.clone(),
        seq: item.item.seq,
        item_id: item.item.item_id.as_str().to_owned(),
        item_nm: item.item.item_nm.as_str().to_owned(),
        open: item.state.open(),
        received_at: item.received_at,
        recipient: item.recipient.name.as_str().to_owned(),
        shipping_fee: item.shipping_fee.get(),
        registered: item.state.registered_no_sell().cloned(),
        delay: item.state.delay.clone(),
    }
}

/// The page, with what the last action did (`Ok`) or why it could not (`Err`).
async fn render(
    app: &AppState,
    me: &Signed,
    notice: Option<Result<String, String>>,
) -> Result<Response, PageError> {
    let scope = scope_of(me)?;
    let lang = me.lang;
    let today = KstDate::of(app.clock.now());
    // SSG's shipping lists cover 180 days; its cancel-request list, today−7 to today.
    let half_year = Period::spanning(today.plus_days(-179), today, 180).expect("180 days");
    let week = Period::spanning(today.plus_days(-7), today, 8).expect("8 days");
    let store = |e| PageError::store(lang, e);
    let instructed = app
        .store
        .shipping_items(&scope, ShippingStatus::Instructed, half_year, LIST_ROWS)
        .await
        .map_err(store)?;
    let confirmed = app
        .store
        .shipping_items(&scope, ShippingStatus::Confirmed, half_year, LIST_ROWS)
        .await
        .map_err(store)?;
    let pending = app
        .store
        .pending_cancel_lines(&scope, week, LIST_ROWS)
        .await
        .map_err(store)?;
    let requested: Vec<claims_domain::ShippingNo> =
        pending.iter().map(|line| line.shpp_no).collect();
    let refused = matches!(notice, Some(Err(_)));
    let view = ShippingPage {
        today,
        notice,
        pending: pending
            .iter()
            .map(|line| PendingRow {
                oror_no: line.oror_no.clone(),
                item_seq: line.line.item_seq,
                item_nm: line.item.item_nm.as_str().to_owned(),
                qty: line.line.qty.get(),
                reason: line.reason,
                filed_at: line.filed_at,
            })
            .collect(),
        instructed: instructed
            .iter()
            .map(|item| item_row(item, &requested))
            .collect(),
        confirmed: confirmed
            .iter()
            .map(|item| item_row(item, &requested))
            .collect(),
    };
    let title = lang.t("배송 처리", "Shipping");
    let mut response = page(shell(
        me.frame(),
        title,
        "shipping",
        markup(me, title, &view),
    ));
    if refused {
        *response.status_mut() = axum::http::StatusCode::CONFLICT;
    }
    Ok(response)
}

fn markup(me: &Signed, title: &str, view: &ShippingPage) -> Markup {
    let lang = me.lang;
    let names = ItemForm::NAMES;
    let action = |path: &str, ord_no: &OrderNo, seq: ItemSeq, label: &str, class: &str| -> Markup {
        html! {
            form.inline method="post" action=(path) {
                input type="hidden" name=(names.csrf) value=(me.csrf);
                input type="hidden" name=(names.ord_no) value=(ord_no);
                input type="hidden" name=(names.ord_item_seq) value=(seq);
                button type="submit" class=(class) aria-label={ (label) " " (ord_no) " #" (seq) } { (label) }
            }
        }
    };
    // A replacement is named by its shipping number; it has no notices of its own.
    let shipment = |path: &str, item: &ItemRow, shpp_no: u64, label: &str, class: &str| -> Markup {
        html! {
            form.inline method="post" action=(path) {
                input type="hidden" name=(names.csrf) value=(me.csrf);
                input type="hidden" name=(names.ord_no) value=(item.ord_no);
                input type="hidden" name=(names.ord_item_seq) value=(item.seq);
                input type="hidden" name=(names.shpp_no) value=(shpp_no);
                button type="submit" class=(class) aria-label={ (label) " " (item.ord_no) " #" (item.seq) } { (label) }
            }
        }
    };
    html! {
        h1 { (title) }
        @match &view.notice {
            Some(Ok(done)) => p.notice.ok role="status" { (done) },
            Some(Err(error)) => p.notice.error role="alert" { (error) },
            None => {},
        }
        h2 #pending { (lang.t("승인을 기다리는 취소신청", "Cancel requests waiting for approval")) " (" (view.pending.len()) ")" }
        @if view.pending.is_empty() {
            p.muted { (lang.t("기다리는 취소신청이 없습니다.", "No cancel request is waiting.")) }
        } @else {
            (table(None, Some("pending"), &[
                (lang.t("원주문번호", "Order"), Kind::Text),
                ("#", Kind::Text),
                (lang.t("상품명", "Item"), Kind::Wrap),
                (lang.t("수량", "Qty"), Kind::Num),
                (lang.t("사유", "Reason"), Kind::Text),
                (lang.t("신청일시", "Filed at"), Kind::Text),
                (lang.t("처리", "Action"), Kind::Text),
            ], view.pending.iter().map(|line| vec![
                html! { a href={ "/console/orders/" (line.oror_no) } { (line.oror_no) } },
                html! { (line.item_seq) },
                html! { (line.item_nm) },
                html! { (line.qty) },
                html! { (code_name(lang, line.reason.name(), line.reason.english())) },
                html! { (line.filed_at.to_wire()) },
                action("/console/shipping/approve", &line.oror_no, line.item_seq, lang.t("승인", "Approve"), ""),
            ]).collect()))
        }
        (items(lang, "instructed", lang.t("주문확인할 상품 (배송지시)", "To confirm (instructed)"), &view.instructed, |item| {
            html! {
                @match item.replacement {
                    Some((_, true)) => span.muted { (lang.t("회수 완료 후 출고", "ships once the pickup completes")) },
                    Some((shpp_no, false)) => (shipment("/console/shipping/confirm", item, shpp_no, lang.t("주문확인", "Confirm"), "secondary")),
                    None => {
                        @if item.registered.is_none() {
                            (action("/console/shipping/confirm", &item.ord_no, item.seq, lang.t("주문확인", "Confirm"), "secondary"))
                        }
                        (notices(me, view.today, item))
                    }
                }
            }
        }))
        (items(lang, "confirmed", lang.t("출고할 상품 (피킹완료·출고지연)", "To release (confirmed or delayed)"), &view.confirmed, |item| {
            html! {
                @match item.replacement {
                    Some((shpp_no, _)) => (shipment("/console/shipping/release", item, shpp_no, lang.t("출고완료", "Release"), "")),
                    None => {
                        @if item.registered.is_none() {
                            @if item.pending {
                                (release_requested(me, item))
                            } @else {
                                (action("/console/shipping/release", &item.ord_no, item.seq, lang.t("출고완료", "Release"), ""))
                            }
                        }
                        (notices(me, view.today, item))
                    }
                }
            }
        }))
    }
}

/// The vendor's notices for an open item: withdrawing its out-of-stock registration while
/// one is in force; otherwise registering one (reason and words) or sending a delay notice
/// (reason and the new date, tomorrow to 30 days ahead), folded away under one summary.
fn notices(me: &Signed, today: KstDate, item: &ItemRow) -> Markup {
    let lang = me.lang;
    let no_sell = NoSellForm::NAMES;
    let delay = DelayForm::NAMES;
    let hidden = |csrf: &str, ord_no: &str, seq: &str, item_id: &str| {
        html! {
            input type="hidden" name=(csrf) value=(me.csrf);
            input type="hidden" name=(ord_no) value=(item.ord_no);
            input type="hidden" name=(seq) value=(item.seq);
            input type="hidden" name=(item_id) value=(item.item_id);
        }
    };
    let id = format!("{}-{}", item.ord_no, item.seq);
    html! {
        @if item.registered.is_some() {
            form.inline method="post" action="/console/shipping/no-sell" {
                (hidden(no_sell.csrf, no_sell.ord_no, no_sell.ord_item_seq, no_sell.item_id))
                input type="hidden" name=(no_sell.sc_evnt) value="D";
                button type="submit" class="secondary" aria-label={ (lang.t("판매불가 철회", "Withdraw out of stock")) " " (item.ord_no) " #" (item.seq) } {
                    (lang.t("판매불가 철회", "Withdraw out of stock"))
                }
            }
        } @else {
            details.notices {
                summary { (lang.t("판매불가·지연", "Out of stock · delay")) }
                form.notice-form method="post" action="/console/shipping/no-sell" {
                    (hidden(no_sell.csrf, no_sell.ord_no, no_sell.ord_item_seq, no_sell.item_id))
                    input type="hidden" name=(no_sell.sc_evnt) value="I";
                    label for={ "nosell-reason-" (id) } { (lang.t("판매불가 사유", "Reason")) }
                    select id={ "nosell-reason-" (id) } name=(no_sell.shortg_rsn_cd) {
                        @for reason in NoSellReason::ALL {
                            option value=(reason.code()) selected[*reason == NoSellReason::OutOfStock] {
                                (reason.code()) " " (code_name(lang, reason.name(), reason.english()))
                            }
                        }
                    }
                    label for={ "nosell-text-" (id) } { (lang.t("내용 (고객에게 보이는 취소 사유)", "Details (the customer sees them)")) }
                    input id={ "nosell-text-" (id) } name=(no_sell.shortg_proc_dtlc) maxlength=(NO_SELL_TEXT_MAX) type="text";
                    button type="submit" class="danger" { (lang.t("판매불가 등록 (내일 17:00 취소)", "Register out of stock (canceled 17:00 tomorrow)")) }
                }
                form.notice-form method="post" action="/console/shipping/delay" {
                    (hidden(delay.csrf, delay.ord_no, delay.ord_item_seq, delay.item_id))
                    label for={ "delay-reason-" (id) } { (lang.t("지연 사유", "Delay reason")) }
                    select id={ "delay-reason-" (id) } name=(delay.shortg_rsn_cd) {
                        @for reason in DelayReason::ALL {
                            option value=(reason.code()) { (reason.code()) " " (code_name(lang, reason.name(), reason.english())) }
                        }
                    }
                    label for={ "delay-date-" (id) } { (lang.t("출고 예정일", "New release date")) }
                    input id={ "delay-date-" (id) } name=(delay.whin_expc_dt) type="date" required
                        min=(iso(today.plus_days(1))) max=(iso(today.plus_days(MAX_DELAY_DAYS)))
                        value=(iso(item.delay.as_ref().map_or(today.plus_days(1), |delay| delay.until)));
                    button type="submit" class="secondary" { (lang.t("출고지연 안내", "Send delay notice")) }
                }
            }
        }
    }
}

/// Releasing an item the customer asked to cancel: a form that says so and asks the vendor
/// to confirm that the request is rejected.
fn release_requested(me: &Signed, item: &ItemRow) -> Markup {
    let lang = me.lang;
    let names = ItemForm::NAMES;
    let id = format!("reject-{}-{}", item.ord_no, item.seq);
    html! {
        details.notices {
            summary { (lang.t("출고완료", "Release")) }
            form.notice-form method="post" action="/console/shipping/release" {
                input type="hidden" name=(names.csrf) value=(me.csrf);
                input type="hidden" name=(names.ord_no) value=(item.ord_no);
                input type="hidden" name=(names.ord_item_seq) value=(item.seq);
                p.notice.warn { (lang.t(
                    "고객이 이 상품의 취소를 신청했습니다. 출고하면 취소신청이 거부되고 고객에게 상품이 배송됩니다.",
                    "The customer asked to cancel this item. Releasing it rejects their request and the parcel goes to them."
                )) }
                label {
                    input type="checkbox" id=(id) name=(names.reject_request) value="1" required;
                    " " (lang.t("취소신청을 거부하고 출고합니다", "Reject the request and release"))
                }
                button.danger type="submit" { (lang.t("취소신청 거부하고 출고", "Reject and release")) }
            }
        }
    }
}

/// The longest out-of-stock text, as the vendor call takes it.
const NO_SELL_TEXT_MAX: usize = claims_wire::calls::NO_SELL_TEXT_MAX_CHARS;

fn items(
    lang: Lang,
    id: &str,
    title: &str,
    items: &[ItemRow],
    act: impl Fn(&ItemRow) -> Markup,
) -> Markup {
    html! {
        h2 id=(id) { (title) " (" (items.len()) ")" }
        @if items.is_empty() {
            p.muted { (lang.t("없습니다.", "None.")) }
        } @else {
            (table(None, Some(id), &[
                (lang.t("주문번호", "Order"), Kind::Text),
                ("#", Kind::Text),
                (lang.t("상품명", "Item"), Kind::Wrap),
                (lang.t("수량", "Open"), Kind::Num),
                (lang.t("주문일시", "Received"), Kind::Text),
                (lang.t("수취인", "Recipient"), Kind::Text),
                (lang.t("배송비", "Shipping fee"), Kind::Num),
                (lang.t("처리", "Action"), Kind::Text),
            ], items.iter().map(|item| vec![
                html! { a href={ "/console/orders/" (item.link) } { (item.ord_no) } },
                html! { (item.seq) },
                html! {
                    (item.item_nm)
                    @if item.pending {
                        " " span.badge.bad { (lang.t("취소신청 중", "cancel requested")) }
                    }
                    @if let Some((_, waiting)) = item.replacement {
                        " " span.badge.warn { (lang.t("교환출고", "exchange replacement")) }
                        @if waiting { " " span.badge { (lang.t("회수 대기", "waiting for pickup")) } }
                    }
                    (notice_badges(lang, item.registered.as_ref(), item.delay.as_ref()))
                },
                html! { (item.open) },
                html! { (item.received_at.to_wire()) },
                html! { (item.recipient) },
                html! { (won(lang, item.shipping_fee)) },
                act(item),
            ]).collect()))
        }
    }
}

/// The item a shipping form names.
fn item_of(me: &Signed, form: &ItemForm) -> Result<(OrderNo, ItemSeq), PageError> {
    let bad = || {
        PageError::bad_request(
            me.lang,
            me.lang
                .t("상품을 알 수 없습니다.", "The form does not name an item."),
        )
    };
    let ord_no = OrderNo::parse("ordNo", form.ord_no.trim()).map_err(|_| bad())?;
    let seq = form
        .ord_item_seq
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|n| ItemSeq::new("ordItemSeq", n).ok())
        .ok_or_else(bad)?;
    Ok((ord_no, seq))
}

/// After an action: on success, back to the page (a redirect, so that reloading does not
/// repeat it) saying what was done; a refusal by the rules (shipped or canceled meanwhile,
/// an item that is not the vendor's) is told on the page at once; other failures are
/// errors. An item of another vendor is told as a missing one, as the APIs tell it.
async fn back(
    app: &AppState,
    me: &Signed,
    did: &str,
    (ord_no, seq): (OrderNo, ItemSeq),
    result: Result<(), StoreError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(see_other(&format!(
            "/console/shipping?did={did}&ordNo={}&seq={seq}",
            percent(ord_no.as_str())
        ))),
        Err(StoreError::Ship(ShipRejection::NotYourItem) | StoreError::NotFound(_)) => {
            let message = match me.lang {
                Lang::Ko => format!("주문 {ord_no}에 {seq}번 상품이 없습니다."),
                Lang::En => format!("Order {ord_no} has no item {seq}."),
            };
            render(app, me, Some(Err(message))).await
        }
        Err(error @ (StoreError::Cancel(_) | StoreError::Ship(_) | StoreError::Invalid(_))) => {
            let message = PageError::store(me.lang, error).message;
            render(app, me, Some(Err(message))).await
        }
        Err(error) => Err(PageError::store(me.lang, error)),
    }
}

/// What the page's buttons do to an item.
#[derive(Debug, Clone, Copy)]
enum Action {
    /// 주문확인.
    Confirm,
    /// 출고완료, in one step.
    Release,
    /// Approves the item's pending cancel request line.
    Approve,
}

impl Action {
    /// The word the redirect after it carries (`did=`).
    fn done(self) -> &'static str {
        match self {
            Action::Confirm => "confirmed",
            Action::Release => "released",
            Action::Approve => "approved",
        }
    }
}

/// An action on the item the form names, with the vendor user's scope, through the store
/// call SSG's own calls make.
async fn act(
    app: &AppState,
    Posted { me, form }: Posted<ItemForm>,
    action: Action,
) -> Result<Response, PageError> {
    let scope = scope_of(&me)?;
    let (ord_no, seq) = item_of(&me, &form)?;
    let item = match form.shpp_no.trim().parse::<u64>().ok() {
        // An exchange's replacement, under the exchange's claim number.
        Some(number) => ItemRef::Shipping(
            claims_domain::ShippingNo::new("shppNo", number).map_err(|_| {
                PageError::bad_request(
                    me.lang,
                    me.lang
                        .t("상품을 알 수 없습니다.", "The form does not name an item."),
                )
            })?,
        ),
        None => ItemRef::Order(ord_no.clone(), seq),
    };
    let now = app.clock.now();
    if matches!(action, Action::Release)
        && form.reject_request.trim() != "1"
        && requested(app, &ord_no, seq).await?
    {
        let message = match me.lang {
            Lang::Ko => format!(
                "{ord_no} #{seq}에는 고객의 취소신청이 있어 출고하지 않았습니다. 출고하면 취소신청이 거부됩니다. 확인란을 선택하고 다시 출고하세요."
            ),
            Lang::En => format!(
                "{ord_no} #{seq} was not released: the customer asked to cancel it, and releasing rejects their request. Tick the box to release it all the same."
            ),
        };
        return render(app, &me, Some(Err(message))).await;
    }
    let result = match action {
        Action::Confirm => app.store.confirm(&item, &scope, now).await.map(|_| ()),
        Action::Release => app
            .store
            .release(&item, &scope, Release::OneStep, now)
            .await
            .map(|_| ()),
        Action::Approve => app
            .store
            .approve_cancel_request(&ord_no, seq, &scope, now)
            .await
            .map(|claim| {
                app.metrics.claim_recorded(claim.lines.len());
                tracing::info!(order.no = %ord_no, claim.no = %claim.clm_no, "cancel request approved from the console");
            }),
    };
    back(app, &me, action.done(), (ord_no, seq), result).await
}

pub(super) async fn confirm(
    State(app): State<AppState>,
    posted: Posted<ItemForm>,
) -> Result<Response, PageError> {
    act(&app, posted, Action::Confirm).await
}

pub(super) async fn release(
    State(app): State<AppState>,
    posted: Posted<ItemForm>,
) -> Result<Response, PageError> {
    act(&app, posted, Action::Release).await
}

pub(super) async fn approve(
    State(app): State<AppState>,
    posted: Posted<ItemForm>,
) -> Result<Response, PageError> {
    act(&app, posted, Action::Approve).await
}

/// Whether the customer's cancel request for item `seq` of `ord_no` is pending (an order's
/// own item; a replacement has none).
async fn requested(app: &AppState, ord_no: &OrderNo, seq: ItemSeq) -> Result<bool, PageError> {
    let record = app
        .store
        .order(ord_no)
        .await
        .map_err(|e| PageError::store(Lang::Ko, e))?;
    Ok(record.is_some_and(|record| record.pending_items().contains(&seq)))
}

/// The item a notice form names, as an [`ItemForm`] names it.
fn noticed(me: &Signed, ord_no: &str, seq: &str) -> Result<(OrderNo, ItemSeq), PageError> {
    item_of(
        me,
        &ItemForm {
            ord_no: ord_no.to_owned(),
            ord_item_seq: seq.to_owned(),
            ..ItemForm::default()
        },
    )
}

/// `POST /console/shipping/no-sell`: registers the item as out of stock (`I`) or withdraws
/// its registration (`D`). Pressed twice, the second press finds it done and says so.
pub(super) async fn no_sell(
    State(app): State<AppState>,
    Posted { me, form }: Posted<NoSellForm>,
) -> Result<Response, PageError> {
    let scope = scope_of(&me)?;
    let lang = me.lang;
    let (ord_no, seq) = noticed(&me, &form.ord_no, &form.ord_item_seq)?;
    let item = ItemRef::Order(ord_no.clone(), seq);
    let now = app.clock.now();
    let (did, result) = match form.sc_evnt.trim() {
        "I" => {
            let reason = NoSellReason::from_code(form.shortg_rsn_cd.trim()).ok_or_else(|| {
                PageError::bad_request(
                    lang,
                    lang.t("판매불가 사유를 고르세요.", "Choose a reason."),
                )
            })?;
            let text = Text::parse(
                "shortgProcDtlc",
                &form.shortg_proc_dtlc,
                TextRule::paragraph(NO_SELL_TEXT_MAX),
            )
            .map_err(|invalid| PageError::bad_request(lang, invalid.to_string()))?;
            let result = app
                .store
                .register_no_sell(&item, &form.item_id, &scope, reason, &text, now)
                .await;
            (
                "registered",
                match result {
                    Err(StoreError::Ship(ShipRejection::AlreadyRegistered)) => Ok(()),
                    other => other.map(|_| ()),
                },
            )
        }
        "D" => {
            let result = app
                .store
                .withdraw_no_sell(&item, &form.item_id, &scope, now)
                .await;
            (
                "withdrawn",
                match result {
                    Err(StoreError::Ship(ShipRejection::NotRegistered)) => Ok(()),
                    other => other.map(|_| ()),
                },
            )
        }
        _ => {
            return Err(PageError::bad_request(
                lang,
                lang.t("알 수 없는 요청입니다.", "The form asks for nothing known."),
            ));
        }
    };
    back(&app, &me, did, (ord_no, seq), result).await
}

/// `POST /console/shipping/delay`: a delay notice with a new release date.
pub(super) async fn delay(
    State(app): State<AppState>,
    Posted { me, form }: Posted<DelayForm>,
) -> Result<Response, PageError> {
    let scope = scope_of(&me)?;
    let lang = me.lang;
    let (ord_no, seq) = noticed(&me, &form.ord_no, &form.ord_item_seq)?;
    let reason = DelayReason::from_code(form.shortg_rsn_cd.trim()).ok_or_else(|| {
        PageError::bad_request(lang, lang.t("지연 사유를 고르세요.", "Choose a reason."))
    })?;
    let until =
        day(lang, lang.t("출고 예정일", "release"), &form.whin_expc_dt)?.ok_or_else(|| {
            PageError::bad_request(
                lang,
                lang.t("출고 예정일을 고르세요.", "Choose the new release date."),
            )
        })?;
    let result = app
        .store
        .notify_delay(
            &ItemRef::Order(ord_no.clone(), seq),
            &form.item_id,
            &scope,
            reason,
            until,
            app.clock.now(),
        )
        .await
        .map(|_| ());
    back(&app, &me, "delayed", (ord_no, seq), result).await
}
