//! The service center's pages: finding orders, an order as it stands, and cancelling part
//! of it — with a preview of each line's refund, computed by the domain without writing,
//! before anything is done.

use std::collections::{BTreeSet, HashMap};

use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use claims_domain::order::rules;
use claims_domain::{
    Actor, CancelCommand, CancelPreview, ClaimNo, CustomerId, Fault, KstDate, KstDateTime, OrderNo,
    Quantity, ReasonCode, ShippingStatus, Text, preview_cancellation,
};
use claims_store::{OrderRecord, UserRole};
use claims_wire::Lang;
use maud::{Markup, html};

use super::layout::{Kind, shell, table, won};
use super::{App, PageError, Signed, Words, day, field, page, see_other};

/// Orders a search shows at most.
const MAX_FOUND: usize = 50;

#[derive(Debug, serde::Deserialize)]
pub(super) struct SearchQuery {
    q: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// `/console/orders?q=`: an order number, a claim number, a customer id, or the orderer's
/// name within a date range (the last 90 days unless given).
pub(super) async fn search(
    State(app): App,
    me: Signed,
    Query(query): Query<SearchQuery>,
) -> Result<Response, PageError> {
    me.require(&["service-center", "admin"])?;
    let lang = me.lang;
    let q = query.q.as_deref().unwrap_or("").trim().to_owned();
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
    let mut found: Vec<OrderRecord> = Vec::new();
    if !q.is_empty() {
        let mut numbers: BTreeSet<OrderNo> = BTreeSet::new();
        if let Ok(ord_no) = OrderNo::parse("q", &q) {
            numbers.insert(ord_no);
        }
        if let Ok(clm_no) = ClaimNo::parse("q", &q)
            && let Some(claim) = app
                .store
                .claim(&clm_no)
                .await
                .map_err(|e| PageError::store(lang, e))?
        {
            numbers.insert(claim.oror_no);
        }
        let names = app
            .store
            .orders_by_orderer(&q, from.start(), end_of(to), MAX_FOUND)
            .await
            .map_err(|e| PageError::store(lang, e))?;
        numbers.extend(names);
        for ord_no in numbers {
            if let Some(record) = app
                .store
                .order(&ord_no)
                .await
                .map_err(|e| PageError::store(lang, e))?
            {
                found.push(record);
            }
        }
        if let Ok(customer) = CustomerId::parse("q", &q) {
            let theirs = app
                .store
                .orders_of_customer(&customer, None, MAX_FOUND)
                .await
                .map_err(|e| PageError::store(lang, e))?;
            for record in theirs {
                if !found
                    .iter()
                    .any(|f| f.order.ord_no() == record.order.ord_no())
                {
                    found.push(record);
                }
            }
        }
        found.sort_by(|a, b| {
            (b.order.received_at(), b.order.ord_no())
                .cmp(&(a.order.received_at(), a.order.ord_no()))
        });
        found.truncate(MAX_FOUND);
    }
    let title = lang.t("주문 찾기", "Find orders");
    let content = html! {
        h1 { (title) }
        form.card method="get" action="/console/orders" role="search" {
            div.row {
                div {
                    label for="q" { (lang.t("주문번호, 클레임번호, 고객 ID 또는 주문자명", "Order number, claim number, customer id or orderer's name")) }
                    input #q name="q" type="search" value=(q) required size="32";
                }
                div {
                    label for="from" { (lang.t("주문일 (이름 검색) 부터", "Ordered from (name search)")) }
                    input #from name="from" type="date" value=(iso(from));
                }
                div {
                    label for="to" { (lang.t("까지", "to")) }
                    input #to name="to" type="date" value=(iso(to));
                }
                div { button type="submit" { (lang.t("찾기", "Search")) } }
            }
        }
        @if !q.is_empty() {
            @if found.is_empty() {
                p.notice role="status" { (lang.t("찾은 주문이 없습니다.", "No order found.")) }
            } @else {
                (table(Some(&format!("{}{}", found.len(), lang.t("건의 주문", " orders"))), None, &[
                    (lang.t("주문번호", "Order"), Kind::Text),
                    (lang.t("주문일시", "Received"), Kind::Text),
                    (lang.t("주문자", "Orderer"), Kind::Text),
                    (lang.t("고객 ID", "Customer"), Kind::Text),
                    (lang.t("상품", "Items"), Kind::Num),
                    (lang.t("남은 수량", "Open units"), Kind::Num),
                ], found.iter().map(|record| vec![
                    html! { a href={ "/console/orders/" (record.order.ord_no()) } { (record.order.ord_no()) } },
                    html! { (record.order.received_at().to_wire()) },
                    html! { (record.order.ordpe_nm().as_str()) },
                    html! { (record.order.customer_id()) },
                    html! { (record.items.len()) },
                    html! { (record.items.iter().map(|item| item.open()).sum::<u32>()) },
                ]).collect()))
            }
        }
    };
    Ok(page(shell(&me, title, "orders", content)))
}

/// `2026-11-21`, as date inputs want it.
pub(super) fn iso(date: KstDate) -> String {
    let compact = date.compact();
    format!("{}-{}-{}", &compact[..4], &compact[4..6], &compact[6..])
}

/// The order, or a 404 for a number that names none — and, for a vendor user, for an order
/// without any item of theirs.
async fn visible_order(
    app: &crate::app::state::AppState,
    me: &Signed,
    ord_no: &str,
) -> Result<OrderRecord, PageError> {
    let lang = me.lang;
    let missing = || {
        PageError::not_found(
            lang,
            match lang {
                Lang::Ko => format!("주문 {ord_no}을(를) 찾을 수 없습니다."),
                Lang::En => format!("There is no order {ord_no}."),
            },
        )
    };
    let ord_no = OrderNo::parse("ordNo", ord_no).map_err(|_| missing())?;
    let record = app
        .store
        .order(&ord_no)
        .await
        .map_err(|e| PageError::store(lang, e))?
        .ok_or_else(missing)?;
    if let UserRole::Vendor(scope) = &me.user.role
        && !record
            .items
            .iter()
            .any(|item| scope.covers(&item.vendor, item.lower_rank.as_ref()))
    {
        return Err(missing());
    }
    Ok(record)
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct ShowQuery {
    claim: Option<String>,
    request: Option<String>,
}

/// `/console/orders/{ordNo}`: items, claims with their cost lines, cancel requests. A vendor
/// user sees only their own items and lines.
pub(super) async fn show(
    State(app): App,
    me: Signed,
    Path(ord_no): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, PageError> {
    me.require(&["service-center", "admin", "vendor"])?;
    let record = visible_order(&app, &me, &ord_no).await?;
    let lang = me.lang;
    let scope = me.user.role.scope().cloned();
    let mine = |vendor: &claims_domain::VendorId, lower: Option<&claims_domain::VendorId>| {
        scope
            .as_ref()
            .is_none_or(|scope| scope.covers(vendor, lower))
    };
    let order = &record.order;
    let title = match lang {
        Lang::Ko => format!("주문 {}", order.ord_no()),
        Lang::En => format!("Order {}", order.ord_no()),
    };
    let can_cancel =
        me.user.role == UserRole::ServiceCenter && record.items.iter().any(|item| item.open() > 0);
    let content = html! {
        h1 { (title) }
        // Told only of a claim or request this order has, so a link cannot make the page
        // say something that did not happen.
        @if let Some(claim) = query.claim.as_deref().and_then(|no| record.claims.iter().find(|c| c.clm_no.as_str() == no)) {
            p.notice.ok role="status" { (lang.t("취소되었습니다. 클레임 번호: ", "Canceled. Claim number: ")) strong { (claim.clm_no) } }
        }
        @if let Some(request) = query.request.as_deref().and_then(|id| record.cancel_requests.iter().find(|r| r.id.as_str() == id)) {
            p.notice.ok role="status" { (lang.t("취소신청을 접수했습니다. 업체가 승인하면 취소됩니다. 신청 번호: ", "Cancel request filed; the cancellation takes effect when the vendor approves it. Request: ")) strong { (request.id) } }
        }
        section.card {
            dl.facts {
                dt { (lang.t("주문자", "Orderer")) } dd { (order.ordpe_nm().as_str()) }
                dt { (lang.t("고객 ID", "Customer id")) } dd { (order.customer_id()) }
                dt { (lang.t("주문일시", "Received")) } dd { (order.received_at().to_wire()) " KST" }
                dt { (lang.t("주문매체", "Channel")) } dd { (code_name(lang, order.media().name(), order.media().english())) }
                @if !order.recipient().name.as_str().is_empty() {
                    dt { (lang.t("수취인", "Recipient")) } dd { (order.recipient().name.as_str()) }
                }
            }
            @if can_cancel {
                div.actions { a.button href={ "/console/orders/" (order.ord_no()) "/cancel" } { (lang.t("취소하기", "Cancel items")) } }
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
        ], record.items.iter().filter(|item| mine(&item.vendor, item.lower_rank.as_ref())).map(|item| {
            let detail = order.item(item.seq);
            vec![
                html! { (item.seq) },
                html! { (detail.map_or("", |d| d.item_nm.as_str())) },
                html! { (item.vendor) @if let Some(lower) = &item.lower_rank { " / " (lower) } },
                html! { (item.ordered) },
                html! { (item.canceled) },
                html! { (item.shipped) },
                html! { (item.open()) },
                shipping_badge(lang, item.shipping_status(), item.open()),
                html! { (won(lang, detail.map_or(0, |d| d.unit_price.get()))) },
                html! { (won(lang, item.discount.get())) },
            ]
        }).collect()))
        h2 { (lang.t("클레임", "Claims")) }
        @let claims: Vec<_> = record.claims.iter().filter(|claim| claim.lines.iter().any(|line| mine(&line.cost.vendor, line.cost.lower_rank.as_ref()))).collect();
        @if claims.is_empty() {
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
            ], claims.iter().flat_map(|claim| claim.lines.iter().filter(|line| mine(&line.cost.vendor, line.cost.lower_rank.as_ref())).map(move |line| vec![
                html! { (claim.clm_no) },
                html! { (claim.canceled_at.to_wire()) },
                html! { (code_name(lang, claim.reason.name(), claim.reason.english())) },
                html! { (code_name(lang, claim.fault.name(), claim.fault.english())) },
                html! { (actor(lang, &claim.actor)) },
                html! { (line.item_seq) },
                html! { (line.qty) },
                html! { (won(lang, line.cost.spl_ven_bdn_dc_amt.get())) },
                html! { (won(lang, line.cost.shpmt_shppcst.get())) },
            ])).collect()))
        }
        h2 { (lang.t("취소신청", "Cancel requests")) }
        @let requests: Vec<_> = record.cancel_requests.iter().filter(|request| request.lines.iter().any(|line| record.items.iter().any(|item| item.seq == line.item_seq && mine(&item.vendor, item.lower_rank.as_ref())))).collect();
        @if requests.is_empty() {
            p.muted { (lang.t("취소신청이 없습니다.", "No cancel requests.")) }
        } @else {
            (table(None, None, &[
                (lang.t("신청", "Request"), Kind::Text),
                (lang.t("신청일시", "Filed at"), Kind::Text),
                (lang.t("상담원", "Agent"), Kind::Text),
                (lang.t("상품 #", "Item #"), Kind::Text),
                (lang.t("수량", "Qty"), Kind::Num),
                (lang.t("상태", "Status"), Kind::Text),
            ], requests.iter().flat_map(|request| request.lines.iter().map(move |line| vec![
                html! { (request.id) },
                html! { (request.filed_at.to_wire()) },
                html! { (request.agent) },
                html! { (line.item_seq) },
                html! { (line.qty) },
                line_status(lang, line.status),
            ])).collect()))
        }
    };
    Ok(page(shell(&me, &title, "orders", content)))
}

/// A code's name: SSG's Korean, or the English one.
pub(super) fn code_name(lang: Lang, korean: &str, english: &str) -> String {
    match lang {
        Lang::Ko => korean.to_owned(),
        Lang::En => english.to_owned(),
    }
}

fn actor(lang: Lang, actor: &Actor) -> String {
    match actor {
        Actor::Customer(id) => format!("{} {id}", lang.t("고객", "customer")),
        Actor::Agent(id) => format!("{} {id}", lang.t("상담원", "agent")),
    }
}

fn line_status(lang: Lang, status: claims_domain::LineStatus) -> Markup {
    use claims_domain::LineStatus::*;
    let class = match status {
        Requested => "badge warn",
        Approved => "badge ok",
        Withdrawn => "badge",
        Rejected => "badge bad",
    };
    let english = match status {
        Requested => "requested",
        Approved => "approved",
        Withdrawn => "withdrawn",
        Rejected => "rejected (shipped)",
    };
    html! { span class=(class) { (code_name(lang, status.name(), english)) } }
}

fn shipping_badge(lang: Lang, status: ShippingStatus, open: u32) -> Markup {
    let (class, english) = match status {
        ShippingStatus::Instructed => ("badge", "instructed"),
        ShippingStatus::Confirmed => ("badge warn", "confirmed"),
        ShippingStatus::Released => ("badge ok", "released"),
    };
    html! {
        span class=(class) { (code_name(lang, status.name(), english)) }
        @if open == 0 && status != ShippingStatus::Released {
            " " span.badge.bad { (lang.t("전량 취소", "all canceled")) }
        }
    }
}

/// The items' state as the preview saw it: a confirmation made after something changed is
/// refused (and so is a second click of the same confirmation).
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
    let digest = <sha2::Sha256 as sha2::Digest>::digest(text.as_bytes());
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// `GET /console/orders/{ordNo}/cancel`: the form.
pub(super) async fn cancel_form(
    State(app): App,
    me: Signed,
    Path(ord_no): Path<String>,
) -> Result<Response, PageError> {
    me.require(&["service-center"])?;
    let record = visible_order(&app, &me, &ord_no).await?;
    Ok(cancel_page(&me, &record, &HashMap::new(), None, None))
}

/// `POST /console/orders/{ordNo}/cancel`: the preview, or with `confirm=1`, the cancellation
/// (or the cancel request, for confirmed items).
pub(super) async fn cancel(
    State(app): App,
    me: Signed,
    Path(ord_no): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    me.require(&["service-center"])?;
    me.check(&form)?;
    let lang = me.lang;
    let record = visible_order(&app, &me, &ord_no).await?;
    let command = match command(&me, &record, &form) {
        Ok(command) => command,
        Err(message) => {
            let message = (StatusCode::UNPROCESSABLE_ENTITY, message);
            return Ok(cancel_page(&me, &record, &form, None, Some(message)));
        }
    };
    let now = app.clock.now();
    let preview =
        match preview_cancellation(&record.state(), &record.pending_items(), &command, now) {
            Ok(preview) => preview,
            Err(rejection) => {
                let error = PageError::store(lang, rejection.into());
                let message = (error.status, error.message);
                return Ok(cancel_page(&me, &record, &form, None, Some(message)));
            }
        };
    if field(&form, "confirm") != "1" {
        return Ok(cancel_page(&me, &record, &form, Some(&preview), None));
    }
    if field(&form, "version") != version(&record) {
        let message = lang
            .t(
                "미리보기 이후 주문이 바뀌었습니다. 아래 내용을 다시 확인하세요.",
                "The order changed after the preview. Check the lines below again.",
            )
            .to_owned();
        let message = (StatusCode::CONFLICT, message);
        return Ok(cancel_page(
            &me,
            &record,
            &form,
            Some(&preview),
            Some(message),
        ));
    }
    let ord = record.order.ord_no().clone();
    let written = match preview {
        CancelPreview::Direct(_) => app.store.cancel(&ord, &command, now).await.map(|claim| {
            app.metrics.claim_recorded(claim.lines.len());
            tracing::info!(order.no = %ord, claim.no = %claim.clm_no, agent = %me.user.login, "claim recorded from the console");
            format!("?claim={}", claim.clm_no)
        }),
        CancelPreview::Request(_) => app
            .store
            .file_cancel_request(&ord, &command, crate::app::state::new_request_id(), now)
            .await
            .map(|request| {
                tracing::info!(order.no = %ord, request.id = %request.id, agent = %me.user.login, "cancel request filed from the console");
                format!("?request={}", request.id)
            }),
    };
    match written {
        Ok(done) => Ok(see_other(&format!("/console/orders/{ord}{done}"))),
        // Shipped or canceled meanwhile: said in place, on the order as it stands now.
        Err(error @ (claims_store::StoreError::Cancel(_) | claims_store::StoreError::Ship(_))) => {
            let error = PageError::store(lang, error);
            let message = (StatusCode::CONFLICT, error.message);
            let fresh = visible_order(&app, &me, &ord_no).await?;
            Ok(cancel_page(&me, &fresh, &form, None, Some(message)))
        }
        Err(error) => Err(PageError::store(lang, error)),
    }
}

/// The cancellation the form asks for, as the agent signed in; a message naming the field
/// when it cannot be one.
fn command(
    me: &Signed,
    record: &OrderRecord,
    form: &HashMap<String, String>,
) -> Result<CancelCommand, String> {
    let lang = me.lang;
    let mut lines = Vec::new();
    for item in &record.items {
        let name = format!("qty_{}", item.seq);
        let value = field(form, &name);
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
    let invalid = |e: claims_domain::InvalidValue| match lang {
        Lang::Ko => format!("{} 값이 올바르지 않습니다: {}", e.field, e.problem),
        Lang::En => e.to_string(),
    };
    let reason = ReasonCode::parse("clmRsnCd", field(form, "clmRsnCd")).map_err(invalid)?;
    let fault = Fault::parse("imptDivCd", field(form, "imptDivCd")).map_err(invalid)?;
    let text = Text::parse("clmRsnCntt", field(form, "clmRsnCntt"), rules::REASON_TEXT)
        .map_err(invalid)?;
    CancelCommand::new(Actor::Agent(me.agent()), lines, reason, text, Some(fault)).map_err(invalid)
}

/// The cancel form, optionally with a preview to confirm and a message.
fn cancel_page(
    me: &Signed,
    record: &OrderRecord,
    form: &HashMap<String, String>,
    preview: Option<&CancelPreview>,
    message: Option<(StatusCode, String)>,
) -> Response {
    let lang = me.lang;
    let order = &record.order;
    let ord_no = order.ord_no();
    let title = match lang {
        Lang::Ko => format!("주문 {ord_no} 취소"),
        Lang::En => format!("Cancel items of order {ord_no}"),
    };
    let action = format!("/console/orders/{ord_no}/cancel");
    let chosen_reason = field(form, "clmRsnCd");
    let chosen_fault = field(form, "imptDivCd");
    let reason_text = field(form, "clmRsnCntt");
    let pending = record.pending_items();
    let content = html! {
        h1 { (title) }
        p { a href={ "/console/orders/" (ord_no) } { (lang.t("← 주문으로 돌아가기", "← Back to the order")) } }
        @if let Some((_, message)) = &message {
            p.notice.error role="alert" { (message) }
        }
        @if let Some(preview) = preview {
            @let (plan, requested) = match preview {
                CancelPreview::Direct(plan) => (plan, false),
                CancelPreview::Request(plan) => (plan, true),
            };
            section.card aria-labelledby="preview-title" {
                h2 #preview-title { (lang.t("미리보기", "Preview")) }
                @if requested {
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
                ], plan.lines.iter().map(|line| vec![
                    html! { (line.item_seq) },
                    html! { (order.item(line.item_seq).map_or("", |item| item.item_nm.as_str())) },
                    html! { (line.qty) },
                    html! { (won(lang, line.discount_refund.get())) },
                    html! { (won(lang, line.shipping_refund.get())) },
                ]).collect()))
                form method="post" action=(action) {
                    input type="hidden" name="csrf" value=(me.csrf);
                    input type="hidden" name="confirm" value="1";
                    input type="hidden" name="version" value=(version(record));
                    @for item in &record.items {
                        @let name = format!("qty_{}", item.seq);
                        input type="hidden" name=(name) value=(field(form, &name));
                    }
                    input type="hidden" name="clmRsnCd" value=(chosen_reason);
                    input type="hidden" name="imptDivCd" value=(chosen_fault);
                    input type="hidden" name="clmRsnCntt" value=(reason_text);
                    div.actions {
                        button type="submit" {
                            @if requested { (lang.t("취소신청 접수", "File the cancel request")) }
                            @else { (lang.t("취소 확정", "Confirm the cancellation")) }
                        }
                    }
                }
            }
        }
        form.card method="post" action=(action) {
            input type="hidden" name="csrf" value=(me.csrf);
            fieldset {
                legend { (lang.t("취소할 수량", "Units to cancel")) }
                (table(None, None, &[
                    ("#", Kind::Text),
                    (lang.t("상품명", "Item"), Kind::Wrap),
                    (lang.t("배송 상태", "Shipping"), Kind::Text),
                    (lang.t("남은 수량", "Open"), Kind::Num),
                    (lang.t("취소 수량", "Cancel"), Kind::Text),
                ], record.items.iter().map(|item| {
                    let name = format!("qty_{}", item.seq);
                    let item_nm = order.item(item.seq).map_or("", |i| i.item_nm.as_str());
                    let open_to_cancel = item.open() > 0
                        && item.shipping_status() != ShippingStatus::Released
                        && !pending.contains(&item.seq);
                    vec![
                        html! { (item.seq) },
                        html! { label for=(name) { (item_nm) } },
                        html! {
                            (shipping_badge(lang, item.shipping_status(), item.open()))
                            @if pending.contains(&item.seq) { " " span.badge.warn { (lang.t("취소신청 중", "request pending")) } }
                        },
                        html! { (item.open()) },
                        html! {
                            @if open_to_cancel {
                                input id=(name) name=(name) type="number" min="0" max=(item.open()) inputmode="numeric" value=(field(form, &name)) size="4";
                            } @else {
                                span.muted id=(name) { "—" }
                            }
                        },
                    ]
                }).collect()))
            }
            div.row {
                div {
                    label for="clmRsnCd" { (lang.t("취소 사유", "Reason")) }
                    select #clmRsnCd name="clmRsnCd" required {
                        @for reason in ReasonCode::ALL {
                            option value=(reason.code()) selected[reason.code() == chosen_reason] {
                                (reason.code()) " " (code_name(lang, reason.name(), reason.english()))
                            }
                        }
                    }
                }
                div {
                    label for="imptDivCd" { (lang.t("귀책", "At fault")) }
                    select #imptDivCd name="imptDivCd" required {
                        @for fault in Fault::ALL {
                            option value=(fault.code()) selected[fault.code() == chosen_fault] {
                                (fault.code()) " " (code_name(lang, fault.name(), fault.english()))
                            }
                        }
                    }
                }
            }
            label for="clmRsnCntt" { (lang.t("상세 사유 (선택)", "Details (optional)")) }
            textarea #clmRsnCntt name="clmRsnCntt" maxlength="1000" { (reason_text) }
            div.actions { button type="submit" { (lang.t("미리보기", "Preview")) } }
        }
    };
    let mut response = page(shell(me, &title, "orders", content));
    if let Some((status, _)) = message {
        *response.status_mut() = status;
    }
    response
}

/// The last second of a KST day.
fn end_of(date: KstDate) -> KstDateTime {
    date.plus_days(1).start().plus_seconds(-1)
}
