//! Acting on many items at once: the queue's checkboxes (confirm, approve, release with a
//! carrier and waybill per item), its one-item buttons (the same form, one item), and the
//! waybill sheet (a template to download; a filled CSV or XLSX to upload). Each item is its
//! own store call — one that fails leaves the others done — and what happened to each is
//! told after the redirect ([`super::told`]).

use std::collections::HashMap;

use axum::extract::{Multipart, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use claims_domain::{ItemSeq, OrderNo, ShippingNo, Waybill};
use claims_export::waybills::{self, SheetError, TemplateRow};
use claims_store::{Dispatch, Dispatched, ItemRef, StoreError};
use claims_wire::Lang;

use super::queue::{DEFAULT_CARRIER, Place, Tab, lists, scope_of};
use super::told::{Op, Outcome, Subject, Told, told_location};
use super::view::refusal;
use crate::app::state::AppState;
use crate::console::forms::{BulkShippingForm, ShippingRows};
use crate::console::page::{PageError, see_other};
use crate::console::session::{Posted, Signed, same};
use crate::console::text::Words;

/// The most items one press acts on.
const BULK_MAX: usize = 200;

/// `POST /console/shipping/bulk`: the queue's checkboxes or one of its item buttons.
pub(crate) async fn bulk(
    State(app): State<AppState>,
    Posted { me, form }: Posted<BulkShippingForm>,
) -> Result<Response, PageError> {
    let scope = scope_of(&me)?;
    let lang = me.lang;
    let place = Place::of(&form.tab, &form.q, &form.page).unwrap_or(Place {
        tab: Tab::Confirm,
        q: String::new(),
        page: 1,
    });
    let bad = |message: &str| PageError::bad_request(lang, message);
    let (op, picked): (Op, Vec<u64>) = match form.only.split_once(':') {
        Some((op, shpp_no)) => (
            Op::parse(op)
                .ok_or_else(|| bad(lang.t("알 수 없는 요청입니다.", "Unknown action.")))?,
            vec![shpp_no.trim().parse().map_err(|_| {
                bad(lang.t("상품을 알 수 없습니다.", "The form does not name an item."))
            })?],
        ),
        None => (
            Op::parse(&form.op)
                .ok_or_else(|| bad(lang.t("알 수 없는 요청입니다.", "Unknown action.")))?,
            form.rows
                .picked
                .iter()
                .filter(|(_, checked)| !checked.trim().is_empty())
                .map(|(shpp_no, _)| *shpp_no)
                .collect(),
        ),
    };
    if picked.is_empty() {
        let message = lang.t(
            "처리할 상품을 하나 이상 고르세요.",
            "Pick at least one item first.",
        );
        return refusal(&app, &me, place, message.to_owned()).await;
    }
    if picked.len() > BULK_MAX {
        let message = match lang {
            Lang::Ko => format!("한 번에 {BULK_MAX}건까지 처리합니다. 고른 상품을 줄이세요."),
            Lang::En => format!("At most {BULK_MAX} items at once; pick fewer."),
        };
        return refusal(&app, &me, place, message).await;
    }
    // What the queue lists, to name each item by its order and to find its request.
    let lists = lists(&app, &scope, lang).await?;
    let requests: HashMap<u64, (OrderNo, ItemSeq)> = lists
        .pending
        .iter()
        .map(|line| {
            (
                line.shpp_no.get(),
                (line.oror_no.clone(), line.line.item_seq),
            )
        })
        .collect();
    let mut named = requests.clone();
    named.extend(lists.instructed.iter().chain(&lists.confirmed).map(|item| {
        (
            item.state.shpp_no.get(),
            (item.ord_no.clone(), item.item.seq),
        )
    }));
    let now = app.clock.now();
    let mut told = Vec::with_capacity(picked.len());
    for shpp_no in picked {
        let item = ShippingNo::new("shppNo", shpp_no)
            .map(ItemRef::Shipping)
            .map_err(
                |_| bad(lang.t("상품을 알 수 없습니다.", "The form does not name an item.")),
            )?;
        let outcome = match op {
            Op::Confirm => outcome(app.store.confirm(&item, &scope, now).await.map(|_| ())),
            Op::Approve => match requests.get(&shpp_no) {
                Some((ord_no, seq)) => outcome(
                    app.store
                        .approve_cancel_request(ord_no, *seq, &scope, now)
                        .await
                        .map(|claim| {
                            app.metrics.claim_recorded(claim.lines.len());
                            tracing::info!(order.no = %ord_no, claim.no = %claim.clm_no, "cancel request approved from the console");
                        }),
                ),
                None => Outcome::NothingPending,
            },
            Op::Release | Op::Sheet => {
                let rows = &form.rows;
                let waybill = ShippingRows::typed(&rows.waybill, shpp_no);
                let carrier = ShippingRows::typed(&rows.carrier, shpp_no);
                let reject = form.reject_requests.trim() == "1"
                    || ShippingRows::typed(&rows.reject, shpp_no) == "1";
                dispatch(&app, &item, &scope, carrier, waybill, reject).await
            }
        };
        let subject = named
            .get(&shpp_no)
            .map_or(Subject::Shipping(shpp_no), |(ord_no, seq)| {
                Subject::Item(ord_no.clone(), seq.get())
            });
        told.push(Told {
            subject,
            outcome,
            op,
        });
    }
    Ok(see_other(&told_location(&place, op, told)))
}

/// How a store call went for one item.
fn outcome(result: Result<(), StoreError>) -> Outcome {
    match result {
        Ok(()) => Outcome::Done,
        Err(error) => {
            let outcome = Outcome::of_error(&error);
            if outcome == Outcome::Failed {
                tracing::warn!(error = %error, "a bulk shipping step failed");
            }
            outcome
        }
    }
}

/// Releases one item with its waybill (none when `waybill` is empty), rejecting its
/// customer's cancel request only when `reject` says so.
async fn dispatch(
    app: &AppState,
    item: &ItemRef,
    scope: &claims_domain::Scope,
    carrier: &str,
    waybill: &str,
    reject: bool,
) -> Outcome {
    let waybill = if waybill.is_empty() {
        None
    } else {
        let carrier = if carrier.is_empty() {
            DEFAULT_CARRIER
        } else {
            carrier
        };
        match Waybill::new(carrier, waybill) {
            Ok(waybill) => Some(waybill),
            Err(_) => return Outcome::BadWaybill,
        }
    };
    let how = Dispatch {
        waybill,
        reject_request: reject,
    };
    match app.store.dispatch(item, scope, &how, app.clock.now()).await {
        Ok(Dispatched::Shipped(_)) => Outcome::Done,
        Ok(Dispatched::Requested) => Outcome::Requested,
        Err(error) => outcome(Err(error)),
    }
}

/// `GET /console/shipping/waybills.xlsx`: the items waiting for release, as a sheet to
/// fill in.
pub(crate) async fn waybill_template(
    State(app): State<AppState>,
    me: Signed,
) -> Result<Response, PageError> {
    let scope = scope_of(&me)?;
    let lists = lists(&app, &scope, me.lang).await?;
    let rows: Vec<TemplateRow<'_>> = lists
        .confirmed
        .iter()
        .filter(|item| {
            item.state.registered_no_sell().is_none()
                && item
                    .exchange
                    .as_ref()
                    .is_none_or(|of| of.status != claims_domain::ReplacementStatus::Waiting)
        })
        .map(|item| TemplateRow {
            ord_no: item.ord_no.as_str(),
            seq: item.item.seq.get(),
            item_nm: item.item.item_nm.as_str(),
            qty: item.state.open(),
            recipient: item.recipient.name.as_str(),
            carrier: DEFAULT_CARRIER,
        })
        .collect();
    let workbook = waybills::template(&rows).map_err(|error| {
        tracing::warn!(error = %error, "the waybill template could not be written");
        PageError::store(me.lang, StoreError::internal(error.to_string()))
    })?;
    let today = claims_domain::KstDate::of(app.clock.now()).compact();
    Ok((
        [
            (
                CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"waybills-{}-{today}.xlsx\"",
                    scope.vendor
                ),
            ),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        workbook,
    )
        .into_response())
}

/// `POST /console/shipping/waybills` (multipart: `csrf`, `tab`, `sheet`): each filled row's
/// waybill recorded and its item released; a row naming an item the customer asked to
/// cancel is left alone and told so.
pub(crate) async fn waybills(
    State(app): State<AppState>,
    me: Signed,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let scope = scope_of(&me)?;
    let lang = me.lang;
    let unreadable = |error: String| {
        PageError::bad_request(
            lang,
            match lang {
                Lang::Ko => format!("올린 양식을 읽을 수 없습니다: {error}"),
                Lang::En => format!("The upload cannot be read: {error}"),
            },
        )
    };
    let (mut csrf, mut tab, mut sheet) = (String::new(), String::new(), None);
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| unreadable(error.body_text()))?
    {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(|e| unreadable(e.body_text()))?,
            Some("tab") => tab = field.text().await.map_err(|e| unreadable(e.body_text()))?,
            Some("sheet") => {
                sheet = Some(field.bytes().await.map_err(|e| unreadable(e.body_text()))?)
            }
            _ => {}
        }
    }
    if !same(&csrf, &me.csrf) {
        return Err(PageError::forbidden(
            lang,
            lang.t(
                "이 양식은 만료되었거나 다른 곳에서 보내졌습니다. 페이지를 새로 고친 뒤 다시 시도하세요.",
                "This form has expired or was sent from elsewhere. Reload the page and try again.",
            ),
        ));
    }
    let place = Place {
        tab: Tab::parse(&tab).unwrap_or(Tab::Release),
        q: String::new(),
        page: 1,
    };
    let lines = match waybills::read(sheet.as_deref().unwrap_or_default()) {
        Ok(lines) if lines.is_empty() => {
            let message = lang.t(
                "운송장번호가 채워진 행이 없습니다.",
                "No row of the sheet has a waybill number.",
            );
            return refusal(&app, &me, place, message.to_owned()).await;
        }
        Ok(lines) => lines,
        Err(error) => {
            let message = sheet_error(lang, &error);
            return refusal(&app, &me, place, message).await;
        }
    };
    let mut told = Vec::with_capacity(lines.len());
    for line in lines {
        let item = OrderNo::parse("ordNo", &line.ord_no).ok().zip(
            line.seq
                .parse::<i64>()
                .ok()
                .and_then(|n| ItemSeq::new("ordItemSeq", n).ok()),
        );
        let Some((ord_no, seq)) = item else {
            told.push(Told {
                subject: Subject::Line(line.line),
                outcome: Outcome::BadRow,
                op: Op::Sheet,
            });
            continue;
        };
        let target = ItemRef::Order(ord_no.clone(), seq);
        let outcome = dispatch(&app, &target, &scope, &line.carrier, &line.waybill, false).await;
        told.push(Told {
            subject: Subject::Item(ord_no, seq.get()),
            outcome,
            op: Op::Sheet,
        });
    }
    tracing::info!(rows = told.len(), "waybill sheet applied from the console");
    Ok(see_other(&told_location(&place, Op::Sheet, told)))
}

/// Why a sheet cannot be read, in the user's words.
fn sheet_error(lang: Lang, error: &SheetError) -> String {
    match (error, lang) {
        (SheetError::Empty, Lang::Ko) => "올린 파일이 비어 있습니다.".to_owned(),
        (SheetError::Unreadable(why), Lang::Ko) => {
            format!("CSV(UTF-8)나 XLSX 파일이 아닙니다: {why}")
        }
        (SheetError::MissingColumn(column), Lang::Ko) => {
            format!("첫 행(제목)에 {column} 열이 없습니다. 양식을 내려받아 쓰세요.")
        }
        (SheetError::TooManyRows(rows), Lang::Ko) => format!(
            "{rows}행입니다. 한 번에 {}행까지 올릴 수 있습니다.",
            waybills::MAX_ROWS
        ),
        (error, Lang::En) => format!("The sheet cannot be used: {error}."),
    }
}
