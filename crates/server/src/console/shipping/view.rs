//! The shipping page: the tabs with their counts, the search, the queue's table with its
//! checkboxes, carrier and waybill inputs and one-item buttons (all of one bulk form), the
//! waybill sheet's upload, the pages; and the answer after an action on one item.

use axum::http::StatusCode;
use axum::response::Response;
use claims_domain::{ItemSeq, KstDate, KstDateTime, OrderNo, ShipRejection, ShippingNo};
use claims_store::StoreError;
use claims_wire::Lang;
use maud::{Markup, html};

use super::notices::notices;
use super::queue::{DEFAULT_CARRIER, ItemRow, PendingRow, Place, Search, Tab, lists, scope_of};
use super::told::{Op, Told, told_table};
use crate::app::state::AppState;
use crate::console::forms::{BulkShippingForm, ShippingRows};
use crate::console::layout::{Kind, notice_badges, shell, table};
use crate::console::page::{PageError, page, see_other};
use crate::console::session::Signed;
use crate::console::text::{Words, age, code_name, percent, won};

/// Rows per page.
const PAGE_ROWS: usize = 50;

/// A request waiting longer than this is marked as late.
const LATE_REQUEST_HOURS: i64 = 24;

/// The queue a request asks for: a known tab, or (`None`) the first with work in it.
#[derive(Debug)]
pub(super) struct Asked {
    pub(super) tab: Option<Tab>,
    pub(super) q: String,
    pub(super) page: usize,
}

impl Asked {
    /// From a query string's `tab`, `q` and `page`, as typed.
    pub(super) fn of(tab: &str, q: &str, page: &str) -> Self {
        Asked {
            tab: Tab::parse(tab),
            q: q.trim().to_owned(),
            page: page.trim().parse().unwrap_or(1),
        }
    }
}

impl From<Place> for Asked {
    fn from(place: Place) -> Self {
        Asked {
            tab: Some(place.tab),
            q: place.q,
            page: place.page,
        }
    }
}

/// What the shipping page shows.
#[derive(Debug)]
struct ShippingPage {
    /// Today on the service's clock: delay notices may name tomorrow to 30 days ahead.
    pub(super) today: KstDate,
    pub(super) now: KstDateTime,
    pub(super) place: Place,
    /// What the last action did (`Ok`) or why it could not (`Err`).
    pub(super) notice: Option<Result<String, String>>,
    /// Each item of the last bulk action or sheet that is worth a line.
    pub(super) told: Vec<Told>,
    /// Items per tab, before the search.
    pub(super) counts: [(Tab, usize); 5],
    /// Rows the search leaves, and the pages they fill.
    pub(super) found: usize,
    pub(super) pages: usize,
    pub(super) requests: Vec<PendingRow>,
    pub(super) items: Vec<ItemRow>,
}

/// The page: the queue asked for, what the last action did (`Ok`) or why it could not
/// (`Err`), and the items of the last bulk action worth a line.
pub(super) async fn render(
    app: &AppState,
    me: &Signed,
    asked: Asked,
    notice: Option<Result<String, String>>,
    told: Vec<Told>,
) -> Result<Response, PageError> {
    let scope = scope_of(me)?;
    let lang = me.lang;
    let now = app.clock.now();
    let lists = lists(app, &scope, lang).await?;
    let requested: Vec<ShippingNo> = lists.pending.iter().map(|line| line.shpp_no).collect();
    let items: Vec<ItemRow> = lists
        .instructed
        .iter()
        .map(|item| ItemRow::of(item, true, &requested))
        .chain(
            lists
                .confirmed
                .iter()
                .map(|item| ItemRow::of(item, false, &requested)),
        )
        .collect();
    let in_tab = |tab: Tab, item: &ItemRow| match tab {
        Tab::Requests => false,
        Tab::Confirm => item.instructed,
        Tab::Release => !item.instructed,
        Tab::Delayed => item.delay.is_some(),
        Tab::NoSell => item.registered.is_some(),
    };
    let counts = Tab::ALL.map(|tab| {
        let count = match tab {
            Tab::Requests => lists.pending.len(),
            _ => items.iter().filter(|item| in_tab(tab, item)).count(),
        };
        (tab, count)
    });
    // Without a tab asked for: the first with work in it.
    let place = Place {
        tab: asked.tab.unwrap_or_else(|| {
            counts
                .iter()
                .find(|(tab, count)| *count > 0 && *tab != Tab::Delayed && *tab != Tab::NoSell)
                .map_or(Tab::Confirm, |(tab, _)| *tab)
        }),
        q: asked.q,
        page: asked.page.max(1),
    };
    let search = Search::new(&place.q);
    let requests: Vec<PendingRow> = lists
        .pending
        .iter()
        .filter(|_| place.tab == Tab::Requests)
        .filter(|line| {
            search.text(&[
                line.oror_no.as_str(),
                line.item.item_nm.as_str(),
                line.item.item_id.as_str(),
            ])
        })
        .map(|line| PendingRow {
            oror_no: line.oror_no.clone(),
            item_seq: line.line.item_seq,
            shpp_no: line.shpp_no.get(),
            item_nm: line.item.item_nm.as_str().to_owned(),
            uitem_nm: line.item.uitem_nm.as_str().to_owned(),
            qty: line.line.qty.get(),
            reason: line.reason,
            reason_text: line.reason_text.as_str().to_owned(),
            filed_at: line.filed_at,
        })
        .collect();
    let items: Vec<ItemRow> = items
        .into_iter()
        .filter(|item| in_tab(place.tab, item) && item.matches(&search))
        .collect();
    let found = if place.tab == Tab::Requests {
        requests.len()
    } else {
        items.len()
    };
    let pages = found.div_ceil(PAGE_ROWS).max(1);
    // A page that emptied (its items were shipped) shows the last one left.
    let place = Place {
        page: place.page.min(pages),
        ..place
    };
    let skip = (place.page - 1) * PAGE_ROWS;
    let view = ShippingPage {
        today: KstDate::of(now),
        now,
        notice,
        told,
        counts,
        found,
        pages,
        requests: requests.into_iter().skip(skip).take(PAGE_ROWS).collect(),
        items: items.into_iter().skip(skip).take(PAGE_ROWS).collect(),
        place,
    };
    let refused = matches!(view.notice, Some(Err(_)));
    let title = lang.t("배송 처리", "Shipping");
    let mut response = page(shell(
        me.frame(),
        title,
        "shipping",
        markup(me, title, &view),
    ));
    if refused {
        *response.status_mut() = StatusCode::CONFLICT;
    }
    Ok(response)
}

fn markup(me: &Signed, title: &str, view: &ShippingPage) -> Markup {
    let lang = me.lang;
    let place = &view.place;
    let names = BulkShippingForm::NAMES;
    let first = (place.page - 1) * PAGE_ROWS + 1;
    let shown = view.items.len().max(view.requests.len());
    html! {
        h1 { (title) }
        // What the last action did: where the redirect after it scrolls to.
        div #told {
            @match &view.notice {
                Some(Ok(done)) => p.notice.ok role="status" { (done) },
                Some(Err(error)) => p.notice.error role="alert" { (error) },
                None => {},
            }
            @if !view.told.is_empty() {
                (told_table(lang, &view.told))
            }
        }
        nav.tabs aria-label=(lang.t("배송 처리 목록", "Shipping queues")) {
            ul {
                @for (tab, count) in &view.counts {
                    li {
                        a href=(Place { tab: *tab, q: String::new(), page: 1 }.location("#queue"))
                            aria-current=[(*tab == place.tab).then_some("page")] {
                            (tab.name(lang)) " "
                            span.count.urgent[*tab == Tab::Requests && *count > 0] { (count) }
                        }
                    }
                }
            }
        }
        form.card.filters.search method="get" action="/console/shipping" role="search" {
            input type="hidden" name="tab" value=(place.tab.key());
            div.row {
                div.grow {
                    label for="q" { (lang.t("검색", "Search")) }
                    input #q type="search" name="q" value=(place.q)
                        placeholder=(lang.t("주문번호, 상품명, 주문자·수취인, 전화번호", "Order, item, orderer or recipient, phone"));
                }
                div.actions {
                    button type="submit" { (lang.t("찾기", "Find")) }
                    @if !place.q.is_empty() {
                        a.button.secondary href=(Place { q: String::new(), page: 1, ..place.clone() }.location("#queue")) { (lang.t("검색 지우기", "Clear")) }
                    }
                }
            }
        }
        @if matches!(place.tab, Tab::Confirm | Tab::Release) {
            (sheet_form(me, place))
        }
        h2 #queue { (place.tab.name(lang)) " " span.muted { "(" (view.found) (lang.t("건", "")) ")" } }
        form #bulk method="post" action="/console/shipping/bulk" {
            input type="hidden" name=(names.csrf) value=(me.csrf);
            input type="hidden" name=(names.tab) value=(place.tab.key());
            input type="hidden" name=(names.q) value=(place.q);
            input type="hidden" name=(names.page) value=(place.page);
            @if shown > 0 {
                @match tab_op(place.tab) {
                    Some(Op::Release) => div.toolbar {
                        (pick_all(lang))
                        label.check {
                            input type="checkbox" name=(names.reject_requests) value="1";
                            " " (lang.t("고른 상품 중 취소신청이 있는 상품도 출고합니다 (고객의 취소신청이 거부됩니다)", "Also release picked items the customer asked to cancel (their requests are rejected)"))
                        }
                        button type="submit" name=(names.op) value=(Op::Release.key()) { (lang.t("고른 상품 출고", "Release the picked items")) }
                    },
                    Some(op) => div.toolbar {
                        (pick_all(lang))
                        button type="submit" name=(names.op) value=(op.key()) {
                            @if op == Op::Approve { (lang.t("고른 취소신청 승인", "Approve the picked requests")) }
                            @else { (lang.t("고른 상품 주문확인", "Confirm the picked items")) }
                        }
                    },
                    None => {},
                }
            }
        }
        @if shown == 0 {
            p.muted {
                @if place.q.is_empty() { (lang.t("처리할 것이 없습니다.", "Nothing waits here.")) }
                @else { (lang.t("찾는 항목이 없습니다. 검색어를 바꾸거나 지워 보세요.", "Nothing matches. Change or clear the search.")) }
            }
        } @else if place.tab == Tab::Requests {
            (requests_table(me, view))
        } @else {
            (items_table(me, view))
        }
        @if view.pages > 1 {
            nav.pager aria-label=(lang.t("쪽", "Pages")) {
                @if place.page > 1 {
                    a href=(Place { page: place.page - 1, ..place.clone() }.location("#queue")) { (lang.t("← 이전", "← Previous")) }
                }
                span { (first) "–" (first + shown - 1) " / " (view.found) }
                @if place.page < view.pages {
                    a href=(Place { page: place.page + 1, ..place.clone() }.location("#queue")) { (lang.t("다음 →", "Next →")) }
                }
            }
        }
    }
}

/// The script's button that ticks every row of this page (hidden without script).
fn pick_all(lang: Lang) -> Markup {
    html! {
        button.secondary type="button" data-pick-all="bulk" hidden { (lang.t("이 쪽 모두 선택", "Pick all on this page")) }
    }
}

/// A checkbox of the bulk form for item `shpp_no`, named for screen readers.
fn pick(lang: Lang, shpp_no: u64, ord_no: &OrderNo, seq: ItemSeq) -> Markup {
    html! {
        input type="checkbox" form="bulk" name=(ShippingRows::pick_name(shpp_no)) value="1"
            aria-label={ (lang.t("선택", "Pick")) " " (ord_no) " #" (seq) };
    }
}

/// A button of the bulk form that acts on one item.
fn one(op: Op, shpp_no: u64, label: &str, class: &str, named: &str) -> Markup {
    html! {
        button type="submit" form="bulk" name=(BulkShippingForm::NAMES.only)
            value={ (op.key()) ":" (shpp_no) } class=(class) aria-label={ (label) " " (named) } { (label) }
    }
}

fn requests_table(me: &Signed, view: &ShippingPage) -> Markup {
    let lang = me.lang;
    table(
        None,
        Some("queue"),
        &[
            (lang.t("선택", "Pick"), Kind::Text),
            (lang.t("원주문번호", "Order"), Kind::Text),
            (lang.t("상품", "Item"), Kind::Wrap),
            (lang.t("수량", "Qty"), Kind::Num),
            (lang.t("사유", "Reason"), Kind::Wrap),
            (lang.t("신청", "Filed"), Kind::Text),
            (lang.t("처리", "Action"), Kind::Text),
        ],
        view.requests
            .iter()
            .map(|line| {
                let named = format!("{} #{}", line.oror_no, line.item_seq);
                let waited = view.now.unix_seconds() - line.filed_at.unix_seconds();
                vec![
                    pick(lang, line.shpp_no, &line.oror_no, line.item_seq),
                    html! { a href={ "/console/orders/" (line.oror_no) } { (line.oror_no) } " #" (line.item_seq) },
                    html! {
                        (line.item_nm)
                        @if !line.uitem_nm.is_empty() { br; span.muted { (line.uitem_nm) } }
                    },
                    html! { (line.qty) },
                    html! {
                        (code_name(lang, line.reason.name(), line.reason.english()))
                        @if !line.reason_text.is_empty() { br; span.muted { (line.reason_text) } }
                    },
                    html! {
                        (line.filed_at.to_wire()[..16].to_owned()) br;
                        @if waited >= LATE_REQUEST_HOURS * 3600 {
                            span.badge.bad { (age(lang, waited)) (lang.t(" 대기", " waiting")) }
                        } @else {
                            span.badge.warn { (age(lang, waited)) (lang.t(" 대기", " waiting")) }
                        }
                    },
                    one(Op::Approve, line.shpp_no, lang.t("승인", "Approve"), "", &named),
                ]
            })
            .collect(),
    )
}

fn items_table(me: &Signed, view: &ShippingPage) -> Markup {
    let lang = me.lang;
    let tab = view.place.tab;
    table(
        None,
        Some("queue"),
        &[
            (lang.t("선택", "Pick"), Kind::Text),
            (lang.t("주문번호", "Order"), Kind::Text),
            (lang.t("상품", "Item"), Kind::Wrap),
            (lang.t("수량", "Open"), Kind::Num),
            (lang.t("주문일시", "Received"), Kind::Text),
            (lang.t("주문자 · 수취인", "Orderer · recipient"), Kind::Text),
            (lang.t("배송비", "Shipping fee"), Kind::Num),
            (lang.t("처리", "Action"), Kind::Action),
        ],
        view.items
            .iter()
            .map(|item| {
                vec![
                    html! {
                        @if item.pickable(tab) { (pick(lang, item.shpp_no, &item.ord_no, item.seq)) }
                    },
                    html! { a href={ "/console/orders/" (item.link) } { (item.ord_no) } " #" (item.seq) },
                    html! {
                        (item.item_nm)
                        @if !item.uitem_nm.is_empty() { br; span.muted { (item.uitem_nm) } }
                        @if item.pending {
                            " " span.badge.bad { (lang.t("취소신청 중", "cancel requested")) }
                        }
                        @if let Some(waiting) = item.replacement {
                            " " span.badge.warn { (lang.t("교환출고", "exchange replacement")) }
                            @if waiting { " " span.badge { (lang.t("회수 대기", "waiting for pickup")) } }
                        }
                        (notice_badges(lang, item.registered.as_ref(), item.delay.as_ref()))
                    },
                    html! { (item.open) },
                    html! { (item.received_at.to_wire()[..16].to_owned()) },
                    html! {
                        (item.orderer)
                        @if item.recipient != item.orderer && !item.recipient.is_empty() { " · " (item.recipient) }
                    },
                    html! { (won(lang, item.shipping_fee)) },
                    action(me, view.today, item),
                ]
            })
            .collect(),
    )
}

/// What an item's row offers: confirming it, releasing it with a carrier and waybill
/// (asking first when the customer asked to cancel it), the vendor's notices.
fn action(me: &Signed, today: KstDate, item: &ItemRow) -> Markup {
    let lang = me.lang;
    let named = format!("{} #{}", item.ord_no, item.seq);
    let shpp_no = item.shpp_no;
    html! {
        @if item.replacement == Some(true) {
            span.muted { (lang.t("회수 완료 후 출고", "ships once the pickup completes")) }
        } @else if item.registered.is_none() {
            @if item.instructed {
                (one(Op::Confirm, shpp_no, lang.t("주문확인", "Confirm"), "secondary", &named))
            } @else {
                div.waybill {
                    input type="text" form="bulk" name=(ShippingRows::carrier_name(shpp_no))
                        value=(DEFAULT_CARRIER) size="10" maxlength="30" autocomplete="off"
                        aria-label={ (lang.t("택배사 코드", "Carrier code")) " " (named) };
                    input type="text" form="bulk" name=(ShippingRows::waybill_name(shpp_no))
                        size="14" maxlength="30" inputmode="numeric" autocomplete="off"
                        placeholder=(lang.t("운송장 번호", "Waybill no."))
                        aria-label={ (lang.t("운송장 번호", "Waybill number")) " " (named) };
                    @if !item.pending {
                        (one(Op::Release, shpp_no, lang.t("출고완료", "Release"), "", &named))
                    }
                }
                @if item.pending {
                    details.notices {
                        summary { (lang.t("출고완료", "Release")) }
                        div.notice-form {
                            p.notice.warn { (lang.t(
                                "고객이 이 상품의 취소를 신청했습니다. 출고하면 취소신청이 거부되고 고객에게 상품이 배송됩니다.",
                                "The customer asked to cancel this item. Releasing it rejects their request and the parcel goes to them."
                            )) }
                            label.check {
                                input type="checkbox" form="bulk" name=(ShippingRows::reject_name(shpp_no)) value="1";
                                " " (lang.t("취소신청을 거부하고 출고합니다", "Reject the request and release"))
                            }
                            (one(Op::Release, shpp_no, lang.t("취소신청 거부하고 출고", "Reject and release"), "danger", &named))
                        }
                    }
                }
            }
        }
        @if item.replacement.is_none() {
            (notices(me, today, item))
        }
    }
}

/// The queue an action on one item returns to: the tab that lists it.
fn tab_for(did: &str) -> Tab {
    match did {
        "confirmed" | "registered" | "withdrawn" => Tab::Confirm,
        "approved" => Tab::Requests,
        "delayed" => Tab::Delayed,
        _ => Tab::Release,
    }
}

/// After a one-item action: on success, back to the queue (a redirect, so that reloading
/// does not repeat it) saying what was done; a refusal by the rules (shipped or canceled
/// meanwhile, an item that is not the vendor's) is told on the page at once; other
/// failures are errors. An item of another vendor is told as a missing one, as the APIs
/// tell it.
pub(super) async fn back(
    app: &AppState,
    me: &Signed,
    did: &str,
    (ord_no, seq): (OrderNo, ItemSeq),
    result: Result<(), StoreError>,
) -> Result<Response, PageError> {
    let place = Place {
        tab: tab_for(did),
        q: String::new(),
        page: 1,
    };
    match result {
        Ok(()) => Ok(see_other(&place.location(&format!(
            "&did={did}&ordNo={}&seq={seq}#told",
            percent(ord_no.as_str())
        )))),
        Err(StoreError::Ship(ShipRejection::NotYourItem) | StoreError::NotFound(_)) => {
            let message = match me.lang {
                Lang::Ko => format!("주문 {ord_no}에 {seq}번 상품이 없습니다."),
                Lang::En => format!("Order {ord_no} has no item {seq}."),
            };
            refusal(app, me, place, message).await
        }
        Err(error @ (StoreError::Cancel(_) | StoreError::Ship(_) | StoreError::Invalid(_))) => {
            let message = PageError::store(me.lang, error).message;
            refusal(app, me, place, message).await
        }
        Err(error) => Err(PageError::store(me.lang, error)),
    }
}

/// The queue at `place`, telling why an action was refused (409).
pub(super) async fn refusal(
    app: &AppState,
    me: &Signed,
    place: Place,
    message: String,
) -> Result<Response, PageError> {
    render(app, me, place.into(), Some(Err(message)), Vec::new()).await
}

/// The upload form of a waybill sheet, with the link to its template.
pub(super) fn sheet_form(me: &Signed, place: &Place) -> Markup {
    let lang = me.lang;
    html! {
        details.card.sheet {
            summary { (lang.t("운송장 일괄 등록 (엑셀·CSV)", "Waybills from a sheet (Excel or CSV)")) }
            p {
                (lang.t("출고 대기 상품을 ", "Download the items waiting for release as "))
                a href="/console/shipping/waybills.xlsx" download { (lang.t("운송장 양식 (XLSX)", "the waybill template (XLSX)")) }
                (lang.t("으로 내려받아 운송장번호를 채운 뒤 올리세요. 올린 행마다 운송장을 등록하고 출고하며, 결과를 행마다 알려 드립니다. 취소신청이 있는 상품은 출고하지 않습니다.",
                    ", fill in the waybill numbers and upload it: each row's waybill is recorded and its item released, and each row's result is shown. Items the customer asked to cancel are left alone."))
            }
            p.muted { (lang.t("열: 주문번호, 순번, 택배사코드(비우면 0000033011), 운송장번호 — 다른 열은 읽지 않습니다. 한 번에 1,000행까지.",
                "Columns: 주문번호 (ordNo), 순번 (ordItemSeq), 택배사코드 (delicoVenId; blank: 0000033011), 운송장번호 (wblNo) — others are ignored. Up to 1,000 rows at once.")) }
            form method="post" action="/console/shipping/waybills" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(me.csrf);
                input type="hidden" name="tab" value=(place.tab.key());
                label for="sheet" { (lang.t("파일", "File")) }
                input #sheet type="file" name="sheet" required accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
                div.actions { button type="submit" { (lang.t("올리고 출고", "Upload and release")) } }
            }
        }
    }
}

/// What a tab's checkboxes do, if anything.
fn tab_op(tab: Tab) -> Option<Op> {
    match tab {
        Tab::Requests => Some(Op::Approve),
        Tab::Confirm => Some(Op::Confirm),
        Tab::Release => Some(Op::Release),
        Tab::Delayed | Tab::NoSell => None,
    }
}
