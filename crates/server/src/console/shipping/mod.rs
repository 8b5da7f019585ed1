//! A vendor's shipping queue: cancel requests waiting for approval, items to confirm
//! (주문확인) and to release (출고), delayed and out-of-stock items — one tab each, with a
//! search, pages, checkboxes for acting on many items at once (`bulk`), carrier and waybill
//! per item, and a waybill sheet to upload. Each action is the store call SSG's own calls
//! make, with the vendor user's scope; after it the queue comes back where it was.
//!
//! An item the customer asked to cancel is marked wherever it shows, and nothing ships it
//! without the vendor's explicit word: the store checks for the request under the order's
//! lock ([`claims_store::Store::dispatch`]), so a request filed a moment before is never
//! rejected unasked.

mod bulk;
mod notices;
mod queue;
mod told;
mod view;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use claims_domain::{
    DelayReason, ItemSeq, NoSellReason, OrderNo, ShipRejection, ShippingNo, Text, TextRule,
};
use claims_store::{Dispatch, Dispatched, ItemRef, StoreError};
use claims_wire::Lang;

pub(super) use bulk::{bulk, waybill_template, waybills};

use super::forms::{DelayForm, ItemForm, NoSellForm, ShippingQuery};
use super::page::{PageError, day};
use super::session::{Posted, Signed};
use super::text::Words;
use crate::app::state::AppState;
use notices::NO_SELL_TEXT_MAX;
use queue::{Place, Tab, scope_of};
use view::{Asked, back, refusal, render};

/// What the last one-item action did, as the redirect after it says: the action and the
/// item (the page words the message itself, so a link cannot make it say anything else).
fn done_message(done: &ShippingQuery, lang: Lang) -> Option<String> {
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

/// `/console/shipping?tab=&q=&page=`.
pub(crate) async fn list(
    State(app): State<AppState>,
    me: Signed,
    Query(query): Query<ShippingQuery>,
) -> Result<Response, PageError> {
    let told = told::told_of(&query, me.lang);
    let notice = done_message(&query, me.lang)
        .map(Ok)
        .or_else(|| told.as_ref().map(|told| told.summary.clone()));
    let mut response = render(
        &app,
        &me,
        Asked::of(&query.tab, &query.q, &query.page),
        notice,
        told.map(|told| told.rows).unwrap_or_default(),
    )
    .await?;
    // What an earlier action did is news, not a refusal of this page.
    *response.status_mut() = StatusCode::OK;
    Ok(response)
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

/// What the one-item forms do to an item.
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

/// An action on the one item the form names, with the vendor user's scope, through the
/// store call SSG's own calls make. (The queue's own buttons go through [`bulk`]; these
/// addresses stay for links and scripts written against them.)
async fn act(
    app: &AppState,
    Posted { me, form }: Posted<ItemForm>,
    action: Action,
) -> Result<Response, PageError> {
    let scope = scope_of(&me)?;
    let (ord_no, seq) = item_of(&me, &form)?;
    let item = match form.shpp_no.trim().parse::<u64>().ok() {
        // An exchange's replacement, under the exchange's claim number.
        Some(number) => ItemRef::Shipping(ShippingNo::new("shppNo", number).map_err(|_| {
            PageError::bad_request(
                me.lang,
                me.lang
                    .t("상품을 알 수 없습니다.", "The form does not name an item."),
            )
        })?),
        None => ItemRef::Order(ord_no.clone(), seq),
    };
    let now = app.clock.now();
    let result = match action {
        Action::Confirm => app.store.confirm(&item, &scope, now).await.map(|_| ()),
        Action::Release => {
            let how = Dispatch {
                waybill: None,
                reject_request: form.reject_request.trim() == "1",
            };
            match app.store.dispatch(&item, &scope, &how, now).await {
                Ok(Dispatched::Shipped(_)) => Ok(()),
                Ok(Dispatched::Requested) => {
                    let message = match me.lang {
                        Lang::Ko => format!(
                            "{ord_no} #{seq}에는 고객의 취소신청이 있어 출고하지 않았습니다. 출고하면 취소신청이 거부됩니다. 확인란을 선택하고 다시 출고하세요."
                        ),
                        Lang::En => format!(
                            "{ord_no} #{seq} was not released: the customer asked to cancel it, and releasing rejects their request. Tick the box to release it all the same."
                        ),
                    };
                    let place = Place {
                        tab: Tab::Release,
                        q: String::new(),
                        page: 1,
                    };
                    return refusal(app, &me, place, message).await;
                }
                Err(error) => Err(error),
            }
        }
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

pub(crate) async fn confirm(
    State(app): State<AppState>,
    posted: Posted<ItemForm>,
) -> Result<Response, PageError> {
    act(&app, posted, Action::Confirm).await
}

pub(crate) async fn release(
    State(app): State<AppState>,
    posted: Posted<ItemForm>,
) -> Result<Response, PageError> {
    act(&app, posted, Action::Release).await
}

pub(crate) async fn approve(
    State(app): State<AppState>,
    posted: Posted<ItemForm>,
) -> Result<Response, PageError> {
    act(&app, posted, Action::Approve).await
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
pub(crate) async fn no_sell(
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
pub(crate) async fn delay(
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
