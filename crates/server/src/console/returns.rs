//! Returns and exchanges in the console: the agent files one for released items with a
//! preview of every amount (the domain's own plan, computed without writing), and withdraws
//! it from the order page while every pickup is 61; a vendor's staff work their pickups on
//! `/console/returns` — confirm (by courier or their own delivery), complete, refuse — each
//! the store call SSG's pickup calls make, with the user's scope. A confirmation takes effect
//! at most once, as a cancellation's does (`claiming`).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use claims_domain::order::rules;
use claims_domain::{
    Actor, ClaimNo, ExchangeReason, Fault, ItemSeq, KstDate, KstDateTime, OrderNo, Period,
    PickupCarrier, PickupClaim, PickupDate, PickupKind, PickupListing, PickupPlan, PickupQuery,
    PickupReason, PickupRejection, PickupRequestLine, PickupStatus, Quantity, RefusalReason,
    ReturnReason, Scope, Text, Waybill, plan_pickup_on, returnable,
};
use claims_store::{
    Completion, Fingerprint, OrderRecord, PickupStep, RoleKind, StoreError, StoredAnswer,
};
use claims_wire::Lang;
use maud::{Markup, html};
use sha2::{Digest, Sha256};

use super::claiming::{confirm_once, confirmation_token, visible_order};
use super::forms::{
    Picked, PickupBulkForm, PickupForm, PickupLines, PickupStepForm, PickupWithdrawForm,
    ReturnsQuery, given,
};
use super::layout::{Kind, shell, table};
use super::page::{PageError, day, page, see_other};
use super::session::{Posted, Signed};
use super::text::{Words, code_name, iso, percent, won};
use crate::app::state::AppState;

// ---------------------------------------------------------------------------------------
// Words

fn kind_name(lang: Lang, kind: PickupKind) -> &'static str {
    match kind {
        PickupKind::Return => lang.t("반품", "Return"),
        PickupKind::Exchange => lang.t("교환", "Exchange"),
    }
}

fn status_badge(lang: Lang, kind: PickupKind, status: PickupStatus) -> Markup {
    let (class, words) = match (status, kind) {
        (PickupStatus::Requested, _) => ("warn", lang.t("회수지시 (61)", "filed (61)")),
        (PickupStatus::Confirmed, _) => ("warn", lang.t("회수확인 (63)", "confirmed (63)")),
        (PickupStatus::Completed, PickupKind::Return) => {
            ("ok", lang.t("반품완료 (64)", "refunded (64)"))
        }
        (PickupStatus::Completed, PickupKind::Exchange) => {
            ("ok", lang.t("회수완료 (64)", "picked up (64)"))
        }
        (PickupStatus::Refused, _) => ("bad", lang.t("반품거부 (64)", "refused (64)")),
        (PickupStatus::Withdrawn, _) => ("", lang.t("회수철회 (66)", "withdrawn (66)")),
    };
    html! { span.badge class=(class) { (words) } }
}

fn reason_label(lang: Lang, reason: PickupReason) -> String {
    let name = code_name(lang, reason.name(), reason.english());
    match reason.fault() {
        Fault::Customer => format!(
            "{} {name} · {}",
            reason.code(),
            lang.t("고객귀책", "customer's fault")
        ),
        Fault::Vendor => format!("{} {name}", reason.code()),
    }
}

fn reasons(kind: PickupKind) -> Vec<PickupReason> {
    match kind {
        PickupKind::Return => ReturnReason::ALL
            .iter()
            .map(|r| PickupReason::Return(*r))
            .collect(),
        PickupKind::Exchange => ExchangeReason::ALL
            .iter()
            .map(|r| PickupReason::Exchange(*r))
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------
// The order page's section

/// The order's returns and exchanges as the order page shows them to `me` (a vendor user
/// only their own lines), with links to file one and, for an agent, a withdraw form on a
/// claim still all 61.
pub(super) fn order_section(me: &Signed, record: &OrderRecord) -> Markup {
    let lang = me.lang;
    let scope = me.user.role.scope();
    let agent = me.user.role.kind() == RoleKind::ServiceCenter;
    let ord_no = record.order.ord_no();
    let mine = |claim: &PickupClaim| -> Vec<usize> {
        (0..claim.lines.len())
            .filter(|&index| {
                let cost = &claim.lines[index].cost;
                scope.is_none_or(|scope| scope.covers(&cost.vendor, cost.lower_rank.as_ref()))
            })
            .collect()
    };
    let any_returnable = record
        .items
        .iter()
        .any(|item| returnable(item, &record.pickups) > 0);
    let names = PickupWithdrawForm::NAMES;
    let name = |seq: ItemSeq| {
        record
            .order
            .item(seq)
            .map_or(String::new(), |item| item.item_nm.to_string())
    };
    let rows: Vec<Vec<Markup>> = record
        .pickups
        .iter()
        .flat_map(|claim| mine(claim).into_iter().map(move |index| (claim, index)))
        .map(|(claim, index)| {
            let line = &claim.lines[index];
            let withdrawable = agent
                && index == 0
                && claim
                    .lines
                    .iter()
                    .all(|line| line.status == PickupStatus::Requested);
            vec![
                html! { (claim.clm_no) " #" (line.line_seq) },
                html! { (kind_name(lang, claim.kind)) },
                html! { (line.item_seq) " " (name(line.item_seq)) },
                html! { (line.qty) },
                html! {
                    (status_badge(lang, claim.kind, line.status))
                    @if let Some(replacement) = &line.replacement {
                        " " span.badge { (lang.t("교환출고 ", "replacement ")) (replacement.uitem_id) " · " (replacement.status.name()) }
                    }
                },
                html! { (reason_label(lang, claim.reason)) },
                html! { (claim.filed_at.to_wire()) },
                html! {
                    @match claim.kind {
                        PickupKind::Return => (won(lang, line.refund.get())),
                        PickupKind::Exchange => { (lang.t("교환배송비 ", "exchange fee ")) (won(lang, line.cost.exch_shppcst.get())) },
                    }
                },
                html! {
                    @if withdrawable {
                        form.inline method="post" action={ "/console/orders/" (ord_no) "/pickups/withdraw" } {
                            input type="hidden" name=(names.csrf) value=(me.csrf);
                            input type="hidden" name=(names.clm_no) value=(claim.clm_no);
                            button.secondary type="submit" aria-label={ (lang.t("회수철회", "Withdraw")) " " (claim.clm_no) } { (lang.t("회수철회", "Withdraw")) }
                        }
                    }
                },
            ]
        })
        .collect();
    html! {
        h2 { (lang.t("반품·교환", "Returns and exchanges")) }
        @if agent && any_returnable {
            div.actions {
                a.button href={ "/console/orders/" (ord_no) "/return" } { (lang.t("반품 접수", "File a return")) }
                " "
                a.button.secondary href={ "/console/orders/" (ord_no) "/exchange" } { (lang.t("교환 접수", "File an exchange")) }
            }
        }
        @if rows.is_empty() {
            p.muted { (lang.t("반품·교환이 없습니다.", "No returns or exchanges.")) }
        } @else {
            (table(None, None, &[
                (lang.t("클레임 #", "Claim #"), Kind::Text),
                (lang.t("구분", "Kind"), Kind::Text),
                (lang.t("상품", "Item"), Kind::Wrap),
                (lang.t("수량", "Qty"), Kind::Num),
                (lang.t("상태", "Status"), Kind::Text),
                (lang.t("사유", "Reason"), Kind::Wrap),
                (lang.t("접수일시", "Filed at"), Kind::Text),
                (lang.t("환불 / 비용", "Refund / fee"), Kind::Num),
                (lang.t("처리", "Action"), Kind::Text),
            ], rows))
        }
    }
}

/// `POST /console/orders/{ordNo}/pickups/withdraw`: the agent withdraws a return or an
/// exchange. Pressed twice, the second press finds it withdrawn and says so.
pub(super) async fn withdraw(
    State(app): State<AppState>,
    Path(ord_no): Path<String>,
    Posted { me, form }: Posted<PickupWithdrawForm>,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::ServiceCenter])?;
    let lang = me.lang;
    let record = visible_order(&app, &me, &ord_no).await?;
    let ord = record.order.ord_no().clone();
    let clm_no = ClaimNo::parse("clmNo", form.clm_no.trim())
        .ok()
        .filter(|clm_no| record.pickups.iter().any(|claim| &claim.clm_no == clm_no))
        .ok_or_else(|| {
            PageError::not_found(
                lang,
                lang.t(
                    "이 주문의 반품·교환이 아닙니다.",
                    "No such return or exchange of this order.",
                ),
            )
        })?;
    let agent = Actor::Agent(me.agent());
    let done = see_other(&format!("/console/orders/{ord}?withdrawn={clm_no}"));
    match app
        .store
        .withdraw_pickup(&clm_no, &agent, app.clock.now())
        .await
    {
        Ok(_) => {
            tracing::info!(claim.no = %clm_no, agent = %me.user.login, "return or exchange withdrawn from the console");
            Ok(done)
        }
        Err(StoreError::Pickup(PickupRejection::NotWithdrawable { status }))
            if status == PickupStatus::Withdrawn.as_str() =>
        {
            Ok(done)
        }
        Err(error @ StoreError::Pickup(_)) => {
            let error = PageError::store(lang, error);
            Err(PageError::new(StatusCode::CONFLICT, lang, error.message))
        }
        Err(error) => Err(PageError::store(lang, error)),
    }
}

// ---------------------------------------------------------------------------------------
// Filing, with a preview

/// The order's items and returns as a preview saw them: a confirmation made after
/// something else changed them is refused.
fn version(record: &OrderRecord) -> String {
    let mut text = String::new();
    for item in &record.items {
        text.push_str(&format!("{}:{}:{};", item.seq, item.shipped, item.canceled));
    }
    for claim in &record.pickups {
        for line in &claim.lines {
            text.push_str(&format!(
                "{}:{}:{};",
                claim.clm_no,
                line.line_seq,
                line.status.as_str()
            ));
        }
    }
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// What the return or exchange page shows.
#[derive(Debug)]
struct PickupPage {
    kind: PickupKind,
    ord_no: OrderNo,
    items: Vec<FormItem>,
    reason: String,
    text: String,
    preview: Option<Vec<PreviewLine>>,
    message: Option<(StatusCode, String)>,
    version: String,
    confirmation: String,
}

#[derive(Debug)]
struct FormItem {
    seq: ItemSeq,
    name: String,
    option: String,
    shipped: u32,
    returnable: u32,
    typed: String,
    typed_option: String,
}

#[derive(Debug)]
struct PreviewLine {
    item_seq: ItemSeq,
    name: String,
    qty: u32,
    discount: i64,
    fee: i64,
    outbound: i64,
    refund: i64,
    option: String,
}

fn pickup_view(
    kind: PickupKind,
    record: &OrderRecord,
    form: &PickupForm,
    plan: Option<&PickupPlan>,
    message: Option<(StatusCode, String)>,
) -> PickupPage {
    let order = &record.order;
    let name = |seq: ItemSeq| {
        order
            .item(seq)
            .map_or(String::new(), |item| item.item_nm.to_string())
    };
    let items = record
        .items
        .iter()
        .filter(|item| item.shipped > 0)
        .map(|item| FormItem {
            seq: item.seq,
            name: name(item.seq),
            option: order
                .item(item.seq)
                .map_or(String::new(), |ordered| ordered.uitem_id.to_string()),
            shipped: item.shipped,
            returnable: returnable(item, &record.pickups),
            typed: form.lines.qty(item.seq).to_owned(),
            typed_option: form.lines.option(item.seq).to_owned(),
        })
        .collect();
    let preview = plan.map(|plan| {
        plan.lines
            .iter()
            .map(|line| PreviewLine {
                item_seq: line.item_seq,
                name: name(line.item_seq),
                qty: line.qty.get(),
                discount: line.cost.spl_ven_bdn_dc_amt.get(),
                fee: line.cost.ret_shppcst.get() + line.cost.exch_shppcst.get(),
                outbound: line.cost.shpmt_shppcst.get(),
                refund: line.refund.get(),
                option: line
                    .replacement
                    .as_ref()
                    .map_or(String::new(), |(id, _)| id.to_string()),
            })
            .collect()
    });
    PickupPage {
        kind,
        ord_no: order.ord_no().clone(),
        items,
        reason: form.clm_rsn_cd.trim().to_owned(),
        text: form.clm_rsn_cntt.clone(),
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

/// `GET /console/orders/{ordNo}/return`: the form.
pub(super) async fn return_form(
    State(app): State<AppState>,
    me: Signed,
    Path(ord_no): Path<String>,
) -> Result<Response, PageError> {
    empty_form(&app, &me, &ord_no, PickupKind::Return).await
}

/// `GET /console/orders/{ordNo}/exchange`: the form.
pub(super) async fn exchange_form(
    State(app): State<AppState>,
    me: Signed,
    Path(ord_no): Path<String>,
) -> Result<Response, PageError> {
    empty_form(&app, &me, &ord_no, PickupKind::Exchange).await
}

async fn empty_form(
    app: &AppState,
    me: &Signed,
    ord_no: &str,
    kind: PickupKind,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::ServiceCenter])?;
    let record = visible_order(app, me, ord_no).await?;
    let view = pickup_view(kind, &record, &PickupForm::default(), None, None);
    Ok(pickup_page(me, &view))
}

/// `POST /console/orders/{ordNo}/return`: the preview, or the return.
pub(super) async fn file_return(
    State(app): State<AppState>,
    Path(ord_no): Path<String>,
    posted: Posted<PickupForm>,
) -> Result<Response, PageError> {
    file(&app, &ord_no, posted, PickupKind::Return).await
}

/// `POST /console/orders/{ordNo}/exchange`: the preview, or the exchange.
pub(super) async fn file_exchange(
    State(app): State<AppState>,
    Path(ord_no): Path<String>,
    posted: Posted<PickupForm>,
) -> Result<Response, PageError> {
    file(&app, &ord_no, posted, PickupKind::Exchange).await
}

/// The preview, or with `confirm=1`, the return or exchange — at most once per preview.
async fn file(
    app: &AppState,
    ord_no: &str,
    Posted { me, form }: Posted<PickupForm>,
    kind: PickupKind,
) -> Result<Response, PageError> {
    let app = app.clone();
    me.require(&[RoleKind::ServiceCenter])?;
    let lang = me.lang;
    let record = visible_order(&app, &me, ord_no).await?;
    let shown = |record: &OrderRecord, plan, message| {
        Ok(pickup_page(
            &me,
            &pickup_view(kind, record, &form, plan, message),
        ))
    };
    let command = match command(&me, kind, &record, &form) {
        Ok(command) => command,
        Err(message) => {
            return shown(
                &record,
                None,
                Some((StatusCode::UNPROCESSABLE_ENTITY, message)),
            );
        }
    };
    if form.confirm.trim() == "1"
        && let Some(token) = given(&form.confirmation)
    {
        let version_seen = form.version.trim() == version(&record);
        return confirm_once(
            &app,
            &me,
            kind.as_str(),
            token,
            fingerprint(kind, &record, &form),
            |message| shown(&record, None, Some((StatusCode::CONFLICT, message))),
            |key| async {
                if !version_seen {
                    let message = lang
                        .t(
                            "미리보기 이후 주문이 바뀌었습니다. 아래 내용을 다시 확인하세요.",
                            "The order changed after the preview. Check the lines below again.",
                        )
                        .to_owned();
                    return Err(pickup_page(
                        &me,
                        &pickup_view(
                            kind,
                            &record,
                            &form,
                            None,
                            Some((StatusCode::CONFLICT, message)),
                        ),
                    ));
                }
                confirm(&app, &me, &record, &form, kind, &command, key).await
            },
        )
        .await;
    }
    match plan_pickup_on(
        &record.order,
        &record.items,
        &record.claims,
        &record.pickups,
        &command,
    ) {
        Ok(plan) => shown(&record, Some(&plan), None),
        Err(rejection) => {
            let error = PageError::store(lang, rejection.into());
            shown(&record, None, Some((error.status, error.message)))
        }
    }
}

/// What makes two confirmations the same: the kind, the order, the units and options, the
/// reason and the text.
fn fingerprint(kind: PickupKind, record: &OrderRecord, form: &PickupForm) -> Fingerprint {
    let mut hash = Sha256::new();
    hash.update(kind.as_str().as_bytes());
    hash.update([0]);
    hash.update(record.order.ord_no().as_str().as_bytes());
    for item in &record.items {
        hash.update([0]);
        hash.update(form.lines.qty(item.seq).as_bytes());
        hash.update([1]);
        hash.update(form.lines.option(item.seq).as_bytes());
    }
    for field in [&form.clm_rsn_cd, &form.clm_rsn_cntt] {
        hash.update([0]);
        hash.update(field.trim().as_bytes());
    }
    Fingerprint(hash.finalize().into())
}

/// Files the return or exchange a confirmation asks for, recording its outcome under `key`
/// in the same transaction: the redirect to it, or — when nothing was done — the page that
/// says why.
async fn confirm(
    app: &AppState,
    me: &Signed,
    record: &OrderRecord,
    form: &PickupForm,
    kind: PickupKind,
    command: &claims_domain::PickupCommand,
    key: claims_store::IdempotencyKey,
) -> Result<Response, Response> {
    let lang = me.lang;
    let ord = record.order.ord_no().clone();
    let done = Completion {
        key,
        render: Box::new({
            let ord = ord.clone();
            move |claim: &PickupClaim| StoredAnswer {
                status: StatusCode::SEE_OTHER.as_u16(),
                content_type: "text/plain; charset=utf-8".into(),
                location: Some(format!("/console/orders/{ord}?pickup={}", claim.clm_no)),
                body: Vec::new(),
            }
        }),
    };
    match app
        .store
        .file_pickup_once(&ord, command, app.clock.now(), done)
        .await
    {
        Ok(claim) => {
            tracing::info!(order.no = %ord, claim.no = %claim.clm_no, kind = kind.as_str(), agent = %me.user.login, "return or exchange filed from the console");
            Ok(see_other(&format!(
                "/console/orders/{ord}?pickup={}",
                claim.clm_no
            )))
        }
        Err(error @ StoreError::Pickup(_)) => {
            let error = PageError::store(lang, error);
            let fresh = visible_order(app, me, ord.as_str())
                .await
                .map_err(IntoResponse::into_response)?;
            let message = Some((StatusCode::CONFLICT, error.message));
            Err(pickup_page(
                me,
                &pickup_view(kind, &fresh, form, None, message),
            ))
        }
        Err(error) => Err(PageError::store(lang, error).into_response()),
    }
}

/// The return or exchange the form asks for, as the agent signed in; a message naming the
/// field when it cannot be one.
fn command(
    me: &Signed,
    kind: PickupKind,
    record: &OrderRecord,
    form: &PickupForm,
) -> Result<claims_domain::PickupCommand, String> {
    let lang = me.lang;
    let invalid = |e: claims_domain::InvalidValue| match lang {
        Lang::Ko => format!("{} 값이 올바르지 않습니다: {}", e.field, e.problem),
        Lang::En => e.to_string(),
    };
    let mut lines = Vec::new();
    for item in &record.items {
        let name = PickupLines::qty_name(item.seq);
        let value = form.lines.qty(item.seq);
        if value.is_empty() || value == "0" {
            continue;
        }
        let qty = value
            .parse::<i64>()
            .map_err(|_| format!("{name}: {value:?}"))
            .and_then(|n| Quantity::new(&name, n).map_err(|e| e.to_string()))?;
        let option = match (kind, given(form.lines.option(item.seq))) {
            (PickupKind::Exchange, Some(option)) => Some(
                Text::parse(
                    &PickupLines::option_name(item.seq),
                    option,
                    rules::UNIT_ITEM_ID,
                )
                .map_err(invalid)?,
            ),
            _ => None,
        };
        lines.push(PickupRequestLine {
            item_seq: item.seq,
            qty,
            uitem_id: option,
            uitem_nm: None,
        });
    }
    if lines.is_empty() {
        return Err(lang
            .t(
                "반품·교환할 수량을 하나 이상 입력하세요.",
                "Enter the units of at least one item.",
            )
            .to_owned());
    }
    let names = PickupForm::NAMES;
    Ok(claims_domain::PickupCommand {
        actor: Actor::Agent(me.agent()),
        reason: PickupReason::parse(kind, form.clm_rsn_cd.trim()).map_err(invalid)?,
        reason_text: Text::parse(
            names.clm_rsn_cntt,
            form.clm_rsn_cntt.trim(),
            rules::REASON_TEXT,
        )
        .map_err(invalid)?,
        lines,
    })
}

fn pickup_page(me: &Signed, view: &PickupPage) -> Response {
    let lang = me.lang;
    let title = match (lang, view.kind) {
        (Lang::Ko, PickupKind::Return) => format!("주문 {} 반품 접수", view.ord_no),
        (Lang::Ko, PickupKind::Exchange) => format!("주문 {} 교환 접수", view.ord_no),
        (Lang::En, PickupKind::Return) => format!("Return items of order {}", view.ord_no),
        (Lang::En, PickupKind::Exchange) => format!("Exchange items of order {}", view.ord_no),
    };
    let mut response = page(shell(
        me.frame(),
        &title,
        "orders",
        pickup_markup(me, &title, view),
    ));
    if let Some((status, _)) = &view.message {
        *response.status_mut() = *status;
    }
    response
}

fn pickup_markup(me: &Signed, title: &str, view: &PickupPage) -> Markup {
    let lang = me.lang;
    let names = PickupForm::NAMES;
    let exchange = view.kind == PickupKind::Exchange;
    let action = format!("/console/orders/{}/{}", view.ord_no, view.kind.as_str());
    html! {
        h1 { (title) }
        p { a href={ "/console/orders/" (view.ord_no) } { (lang.t("← 주문으로 돌아가기", "← Back to the order")) } }
        @if let Some((_, message)) = &view.message {
            p.notice.error role="alert" { (message) }
        }
        @if let Some(preview) = &view.preview {
            section.card aria-labelledby="preview-title" {
                h2 #preview-title { (lang.t("미리보기", "Preview")) }
                p { (if exchange {
                    lang.t("확인하면 교환이 접수되고, 업체가 회수를 완료하면 교환출고가 나갑니다.", "Confirming files the exchange; its replacement ships once the vendor completes the pickup.")
                } else {
                    lang.t("확인하면 반품이 접수되고, 업체가 회수를 완료하면 아래 금액이 환불됩니다.", "Confirming files the return; the amount below is refunded once the vendor completes the pickup.")
                }) }
                (table(None, Some("preview-title"), &[
                    (lang.t("상품 #", "Item #"), Kind::Text),
                    (lang.t("상품명", "Item"), Kind::Wrap),
                    (lang.t("수량", "Units"), Kind::Num),
                    (lang.t("업체부담할인 환급 (splVenBdnDcAmt)", "Discount given back (splVenBdnDcAmt)"), Kind::Num),
                    (if exchange { lang.t("교환배송비 (exchShppcst)", "Exchange fee (exchShppcst)") } else { lang.t("반품배송비 (retShppcst)", "Return fee (retShppcst)") }, Kind::Num),
                    (lang.t("배송비 환급 (shpmtShppcst)", "Outbound fee refunded (shpmtShppcst)"), Kind::Num),
                    (if exchange { lang.t("교환 옵션", "Replacement option") } else { lang.t("환불액", "Refund") }, Kind::Num),
                ], preview.iter().map(|line| vec![
                    html! { (line.item_seq) },
                    html! { (line.name) },
                    html! { (line.qty) },
                    html! { (won(lang, line.discount)) },
                    html! { (won(lang, line.fee)) },
                    html! { (won(lang, line.outbound)) },
                    html! { @if exchange { (line.option) } @else { strong { (won(lang, line.refund)) } } },
                ]).collect()))
                form method="post" action=(action) {
                    input type="hidden" name=(names.csrf) value=(me.csrf);
                    input type="hidden" name=(names.confirm) value="1";
                    input type="hidden" name=(names.version) value=(view.version);
                    input type="hidden" name=(names.confirmation) value=(view.confirmation);
                    @for item in &view.items {
                        input type="hidden" name=(PickupLines::qty_name(item.seq)) value=(item.typed);
                        @if exchange {
                            input type="hidden" name=(PickupLines::option_name(item.seq)) value=(item.typed_option);
                        }
                    }
                    input type="hidden" name=(names.clm_rsn_cd) value=(view.reason);
                    input type="hidden" name=(names.clm_rsn_cntt) value=(view.text);
                    div.actions {
                        button type="submit" {
                            @if exchange { (lang.t("교환 접수", "File the exchange")) }
                            @else { (lang.t("반품 접수", "File the return")) }
                        }
                    }
                }
            }
        }
        form.card method="post" action=(action) {
            input type="hidden" name=(names.csrf) value=(me.csrf);
            fieldset {
                legend { (lang.t("출고된 상품", "Released items")) }
                @if view.items.is_empty() {
                    p.muted { (lang.t("출고된 상품이 없습니다. 출고 전에는 취소하세요.", "Nothing was released: cancel instead.")) }
                } @else {
                    (table(None, None, &[
                        ("#", Kind::Text),
                        (lang.t("상품명", "Item"), Kind::Wrap),
                        (lang.t("출고", "Shipped"), Kind::Num),
                        (lang.t("반품·교환 가능", "Returnable"), Kind::Num),
                        (lang.t("수량", "Units"), Kind::Text),
                    ], view.items.iter().map(|item| {
                        let name = PickupLines::qty_name(item.seq);
                        let option = PickupLines::option_name(item.seq);
                        vec![
                            html! { (item.seq) },
                            html! { label for=(name) { (item.name) } },
                            html! { (item.shipped) },
                            html! { (item.returnable) },
                            html! {
                                @if item.returnable > 0 {
                                    input id=(name) name=(name) type="number" min="0" max=(item.returnable) inputmode="numeric" value=(item.typed) size="4";
                                    @if exchange {
                                        " "
                                        label.sr-only for=(option) { (lang.t("교환 옵션", "Replacement option")) }
                                        input id=(option) name=(option) type="text" size="8" placeholder=(item.option) value=(item.typed_option) title=(lang.t("교환 옵션 (비우면 같은 옵션)", "Replacement option (empty: the same)"));
                                    }
                                } @else {
                                    span.muted id=(name) { "—" }
                                }
                            },
                        ]
                    }).collect()))
                }
            }
            label for=(names.clm_rsn_cd) { (if exchange { lang.t("교환 사유", "Reason") } else { lang.t("반품 사유", "Reason") }) }
            select id=(names.clm_rsn_cd) name=(names.clm_rsn_cd) required {
                @for reason in reasons(view.kind) {
                    option value=(reason.code()) selected[reason.code() == view.reason] { (reason_label(lang, reason)) }
                }
            }
            label for=(names.clm_rsn_cntt) { (lang.t("상세 사유 (선택)", "Details (optional)")) }
            textarea id=(names.clm_rsn_cntt) name=(names.clm_rsn_cntt) maxlength="1000" { (view.text) }
            div.actions { button type="submit" { (lang.t("미리보기", "Preview")) } }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The vendor's pickups

/// Rows one page of the list shows.
const PAGE_ROWS: usize = 50;
/// Pickups the list reads at most.
const LIST_ROWS: usize = 1_000;

/// Whose pickups the page works: a vendor user's own scope, or the vendor an operator
/// picked (the first one by default); with the vendors an operator can pick from (none for
/// a vendor user).
async fn scope_of(
    app: &AppState,
    me: &Signed,
    vendor: &str,
) -> Result<(Scope, Vec<claims_domain::VendorId>), PageError> {
    me.require(&[RoleKind::Vendor, RoleKind::Admin])?;
    let lang = me.lang;
    if let Some(scope) = me.user.role.scope() {
        return Ok((scope.clone(), Vec::new()));
    }
    let vendors = super::cancellations::top_vendors(app, lang).await?;
    let chosen = match given(vendor) {
        Some(text) => claims_domain::VendorId::parse("vendor", text)
            .ok()
            .filter(|id| vendors.contains(id))
            .ok_or_else(|| {
                PageError::bad_request(lang, lang.t("없는 업체입니다.", "No such vendor."))
            })?,
        None => vendors.first().cloned().ok_or_else(|| {
            PageError::not_found(
                lang,
                lang.t("등록된 업체가 없습니다.", "No vendor is registered."),
            )
        })?,
    };
    Ok((
        Scope {
            vendor: chosen,
            lower_rank: None,
        },
        vendors,
    ))
}

/// What the vendor's page shows.
#[derive(Debug)]
struct ReturnsPage {
    /// The vendor shown, and those an operator can pick from.
    vendor: claims_domain::VendorId,
    vendors: Vec<claims_domain::VendorId>,
    from: KstDate,
    to: KstDate,
    kind: String,
    state: String,
    page: usize,
    pages: usize,
    total: usize,
    notice: Option<Result<String, String>>,
    rows: Vec<PickupRow>,
    /// The query to come back to after an action.
    back: String,
}

#[derive(Debug)]
struct PickupRow {
    clm_no: ClaimNo,
    oror_no: OrderNo,
    line_seq: ItemSeq,
    item_seq: ItemSeq,
    kind: PickupKind,
    item_nm: String,
    qty: u32,
    shpp_no: u64,
    status: PickupStatus,
    reason: PickupReason,
    filed_at: KstDateTime,
    confirmed_at: Option<KstDateTime>,
    auto_completes_at: Option<KstDateTime>,
    refund: i64,
    fee: i64,
    recipient: String,
}

fn pickup_row(listing: &PickupListing) -> PickupRow {
    let line = listing.pickup();
    PickupRow {
        clm_no: listing.claim.clm_no.clone(),
        oror_no: listing.claim.oror_no.clone(),
        line_seq: line.line_seq,
        item_seq: line.item_seq,
        kind: listing.claim.kind,
        item_nm: listing.item.item_nm.to_string(),
        qty: line.qty.get(),
        shpp_no: line.shpp_no.get(),
        status: line.status,
        reason: listing.claim.reason,
        filed_at: listing.claim.filed_at,
        confirmed_at: line.confirmation.as_ref().map(|c| c.at),
        auto_completes_at: line.confirmation.as_ref().map(|c| c.auto_completes_at),
        refund: line.refund.get(),
        fee: line.cost.ret_shppcst.get() + line.cost.exch_shppcst.get(),
        recipient: listing.recipient.name.to_string(),
    }
}

/// What the last action did, as the redirect after it says.
fn done_message(query: &ReturnsQuery, lang: Lang) -> Option<String> {
    if query.did.trim() == "completed-many" {
        let count: usize = query.count.trim().parse().ok()?;
        let failed: usize = query.failed.trim().parse().unwrap_or(0);
        return Some(match (lang, failed) {
            (Lang::Ko, 0) => format!("{count}건을 회수완료했습니다."),
            (Lang::Ko, _) => format!(
                "{count}건을 회수완료했습니다. {failed}건은 상태가 바뀌어 처리하지 않았습니다."
            ),
            (Lang::En, 0) => format!("Completed {count} pickups."),
            (Lang::En, _) => {
                format!(
                    "Completed {count} pickups; {failed} had changed and were left as they are."
                )
            }
        });
    }
    let shpp_no: u64 = query.shpp_no.trim().parse().ok()?;
    Some(match (query.did.trim(), lang) {
        ("confirmed", Lang::Ko) => format!("회수 {shpp_no}을(를) 회수확인했습니다."),
        ("confirmed", Lang::En) => format!("Confirmed pickup {shpp_no}."),
        ("completed", Lang::Ko) => format!("회수 {shpp_no}을(를) 회수완료했습니다."),
        ("completed", Lang::En) => format!("Completed pickup {shpp_no}."),
        ("refused", Lang::Ko) => format!("회수 {shpp_no}의 반품을 거부했습니다."),
        ("refused", Lang::En) => format!("Refused the return of pickup {shpp_no}."),
        _ => return None,
    })
}

/// `/console/returns?from=&to=&kind=&state=&page=`.
pub(super) async fn list(
    State(app): State<AppState>,
    me: Signed,
    Query(query): Query<ReturnsQuery>,
) -> Result<Response, PageError> {
    let notice = done_message(&query, me.lang).map(Ok);
    render(&app, &me, &query, notice).await
}

async fn render(
    app: &AppState,
    me: &Signed,
    query: &ReturnsQuery,
    notice: Option<Result<String, String>>,
) -> Result<Response, PageError> {
    let (scope, vendors) = scope_of(app, me, &query.vendor).await?;
    let lang = me.lang;
    let today = KstDate::of(app.clock.now());
    let to = day(lang, lang.t("끝 날짜", "to"), &query.to)?.unwrap_or(today);
    let from = day(lang, lang.t("시작 날짜", "from"), &query.from)?.unwrap_or(to.plus_days(-7));
    let period = Period::spanning(from, to, 8).map_err(|_| {
        PageError::bad_request(
            lang,
            lang.t(
                "기간은 8일(오늘−7일 … 오늘)까지, 시작이 끝보다 앞서야 합니다.",
                "The period is at most 8 days (today−7 … today), its start before its end.",
            ),
        )
    })?;
    let kinds = match query.kind.trim() {
        "21" => vec![PickupKind::Return],
        "22" => vec![PickupKind::Exchange],
        _ => Vec::new(),
    };
    let statuses = match query.state.trim() {
        state @ ("61" | "63" | "64" | "66") => vec![state.to_owned()],
        _ => Vec::new(),
    };
    let listed = app
        .store
        .pickups(
            &scope,
            &PickupQuery {
                by: PickupDate::Filed,
                period: Some(period),
                kinds,
                statuses,
                lookup: None,
            },
            LIST_ROWS,
        )
        .await
        .map_err(|e| PageError::store(lang, e))?;
    let total = listed.len();
    let pages = total.div_ceil(PAGE_ROWS).max(1);
    let page_no = query
        .page
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=pages).contains(n))
        .unwrap_or(1);
    let rows = listed
        .iter()
        .skip((page_no - 1) * PAGE_ROWS)
        .take(PAGE_ROWS)
        .map(pickup_row)
        .collect();
    let back = format!(
        "vendor={}&from={}&to={}&kind={}&state={}&page={page_no}",
        if vendors.is_empty() {
            ""
        } else {
            scope.vendor.as_str()
        },
        iso(from),
        iso(to),
        percent(query.kind.trim()),
        percent(query.state.trim())
    );
    let refused = matches!(notice, Some(Err(_)));
    let view = ReturnsPage {
        vendor: scope.vendor.clone(),
        vendors,
        from,
        to,
        kind: query.kind.trim().to_owned(),
        state: query.state.trim().to_owned(),
        page: page_no,
        pages,
        total,
        notice,
        rows,
        back,
    };
    let title = lang.t("반품·교환 회수", "Returns and exchanges");
    let mut response = page(shell(
        me.frame(),
        title,
        "returns",
        markup(me, title, &view),
    ));
    if refused {
        *response.status_mut() = StatusCode::CONFLICT;
    }
    Ok(response)
}

fn markup(me: &Signed, title: &str, view: &ReturnsPage) -> Markup {
    let lang = me.lang;
    let names = ReturnsQuery::NAMES;
    let link = |page: usize| {
        format!(
            "/console/returns?vendor={}&from={}&to={}&kind={}&state={}&page={page}",
            if view.vendors.is_empty() {
                ""
            } else {
                view.vendor.as_str()
            },
            iso(view.from),
            iso(view.to),
            percent(&view.kind),
            percent(&view.state)
        )
    };
    html! {
        h1 { (title) }
        @match &view.notice {
            Some(Ok(done)) => p.notice.ok role="status" { (done) },
            Some(Err(error)) => p.notice.error role="alert" { (error) },
            None => {},
        }
        form.card.filters method="get" action="/console/returns" {
            div.row {
                @if !view.vendors.is_empty() {
                    div {
                        label for=(names.vendor) { (lang.t("업체", "Vendor")) }
                        select id=(names.vendor) name=(names.vendor) {
                            @for vendor in &view.vendors {
                                option value=(vendor) selected[vendor == &view.vendor] { (vendor) }
                            }
                        }
                    }
                }
                div {
                    label for=(names.from) { (lang.t("접수일 시작", "Filed from")) }
                    input id=(names.from) name=(names.from) type="date" value=(iso(view.from));
                }
                div {
                    label for=(names.to) { (lang.t("접수일 끝", "Filed to")) }
                    input id=(names.to) name=(names.to) type="date" value=(iso(view.to));
                }
                div {
                    label for=(names.kind) { (lang.t("구분", "Kind")) }
                    select id=(names.kind) name=(names.kind) {
                        option value="" { (lang.t("전체", "All")) }
                        option value="21" selected[view.kind == "21"] { (lang.t("반품회수 (21)", "Returns (21)")) }
                        option value="22" selected[view.kind == "22"] { (lang.t("교환회수 (22)", "Exchanges (22)")) }
                    }
                }
                div {
                    label for=(names.state) { (lang.t("상태", "State")) }
                    select id=(names.state) name=(names.state) {
                        option value="" { (lang.t("전체", "All")) }
                        @for (code, ko, en) in [("61", "회수지시", "filed"), ("63", "회수확인", "confirmed"), ("64", "회수완료", "completed"), ("66", "회수철회", "withdrawn")] {
                            option value=(code) selected[view.state == code] { (code) " " (lang.t(ko, en)) }
                        }
                    }
                }
            }
            div.actions { button type="submit" { (lang.t("조회", "Show")) } }
        }
        p.muted {
            (view.total) (lang.t("건", " pickups"))
            @if view.pages > 1 { " · " (view.page) " / " (view.pages) }
        }
        @if view.rows.is_empty() {
            p.muted { (lang.t("이 기간에 접수된 회수가 없습니다.", "No pickups were filed in this period.")) }
        } @else {
            @if view.rows.iter().any(|row| row.status == PickupStatus::Confirmed) {
                form.inline #bulk-complete method="post" action="/console/returns/complete" {
                    input type="hidden" name=(PickupBulkForm::NAMES.csrf) value=(me.csrf);
                    input type="hidden" name=(PickupBulkForm::NAMES.back) value=(view.back);
                    @if !view.vendors.is_empty() {
                        input type="hidden" name=(PickupBulkForm::NAMES.vendor) value=(view.vendor);
                    }
                    button type="submit" { (lang.t("선택한 회수 완료", "Complete the picked pickups")) }
                    " " span.muted { (lang.t("회수확인(63) 건을 골라 한 번에 회수완료합니다.", "Pick confirmed (63) pickups to complete them at once.")) }
                }
            }
            (table(None, None, &[
                (lang.t("클레임", "Claim"), Kind::Text),
                (lang.t("원주문 · 상품", "Order · item"), Kind::Wrap),
                (lang.t("수량", "Qty"), Kind::Num),
                (lang.t("상태", "State"), Kind::Text),
                (lang.t("사유", "Reason"), Kind::Wrap),
                (lang.t("환불 / 비용", "Refund / fee"), Kind::Num),
                (lang.t("처리", "Action"), Kind::Action),
            ], view.rows.iter().map(|row| vec![
                html! {
                    @if row.status == PickupStatus::Confirmed {
                        input type="checkbox" form="bulk-complete" name=(Picked::name(row.shpp_no)) value=(row.qty)
                            id={ "pick-" (row.shpp_no) } aria-label={ (lang.t("선택", "Pick")) " " (row.shpp_no) };
                        " "
                    }
                    (row.clm_no) " #" (row.line_seq) br;
                    span.badge { (kind_name(lang, row.kind)) } " "
                    span.muted { (lang.t("회수 ", "pickup ")) (row.shpp_no) }
                },
                html! {
                    a href={ "/console/orders/" (row.oror_no) } { (row.oror_no) } " #" (row.item_seq) br;
                    (row.item_nm) br; span.muted { (row.recipient) }
                },
                html! { (row.qty) },
                html! {
                    (status_badge(lang, row.kind, row.status)) br;
                    span.muted { (lang.t("접수 ", "filed ")) (row.filed_at.to_wire()[..16].to_owned()) }
                    @if let Some(at) = row.confirmed_at { br; span.muted { (lang.t("확인 ", "confirmed ")) (at.to_wire()[..16].to_owned()) } }
                    @if let (PickupStatus::Confirmed, Some(at)) = (row.status, row.auto_completes_at) {
                        br; span.muted { (lang.t("자동 회수완료 ", "completes by itself ")) (at.to_wire()[..16].to_owned()) }
                    }
                },
                html! { (reason_label(lang, row.reason)) },
                html! {
                    @match row.kind {
                        PickupKind::Return => { (won(lang, row.refund)) br; span.muted { (lang.t("반품비 ", "fee ")) (won(lang, row.fee)) } },
                        PickupKind::Exchange => { span.muted { (lang.t("교환비 ", "fee ")) (won(lang, row.fee)) } },
                    }
                },
                actions(me, row, &view.back, view),
            ]).collect()))
        }
        @if view.pages > 1 {
            nav.pages aria-label=(lang.t("페이지", "Pages")) {
                @if view.page > 1 { a href=(link(view.page - 1)) rel="prev" { (lang.t("← 이전", "← Previous")) } " " }
                @if view.page < view.pages { a href=(link(view.page + 1)) rel="next" { (lang.t("다음 →", "Next →")) } }
            }
        }
    }
}

/// The forms of a pickup's next steps: confirm while 61; complete, and refuse a return,
/// while 63.
fn actions(me: &Signed, row: &PickupRow, back: &str, view: &ReturnsPage) -> Markup {
    let lang = me.lang;
    let names = PickupStepForm::NAMES;
    let id = row.shpp_no;
    let hidden = |step: &str| {
        html! {
            input type="hidden" name=(names.csrf) value=(me.csrf);
            input type="hidden" name=(names.shpp_no) value=(row.shpp_no);
            input type="hidden" name=(names.qty) value=(row.qty);
            input type="hidden" name=(names.step) value=(step);
            input type="hidden" name=(names.back) value=(back);
            @if !view.vendors.is_empty() {
                input type="hidden" name=(names.vendor) value=(view.vendor);
            }
        }
    };
    html! {
        @match row.status {
            PickupStatus::Requested => {
                details.notices {
                    summary { (lang.t("회수확인", "Confirm")) }
                    form.notice-form method="post" action="/console/returns/step" {
                        (hidden("confirm"))
                        label for={ "type-" (id) } { (lang.t("회수 방법", "How")) }
                        select id={ "type-" (id) } name=(names.shpp_type_dtl_cd) {
                            option value="22" { (lang.t("22 택배", "22 courier")) }
                            option value="14" { (lang.t("14 업체직배송", "14 own delivery")) }
                        }
                        label for={ "carrier-" (id) } { (lang.t("택배사 코드", "Carrier code")) }
                        input id={ "carrier-" (id) } name=(names.delico_ven_id) type="text" size="10" value="0000033011";
                        label for={ "waybill-" (id) } { (lang.t("운송장번호 (숫자)", "Waybill (digits)")) }
                        input id={ "waybill-" (id) } name=(names.wbl_no) type="text" inputmode="numeric" pattern="[0-9]*" size="14";
                        button type="submit" { (lang.t("회수확인", "Confirm")) }
                    }
                }
            }
            PickupStatus::Confirmed => {
                form.inline method="post" action="/console/returns/step" {
                    (hidden("complete"))
                    button type="submit" aria-label={ (lang.t("회수완료", "Complete")) " " (row.shpp_no) } { (lang.t("회수완료", "Complete")) }
                }
                @if row.kind == PickupKind::Return {
                    details.notices {
                        summary { (lang.t("반품거부", "Refuse")) }
                        form.notice-form method="post" action="/console/returns/step" {
                            (hidden("refuse"))
                            label for={ "refusal-" (id) } { (lang.t("거부 사유", "Reason")) }
                            select id={ "refusal-" (id) } name=(names.ret_refus_rsn_cd) {
                                @for reason in RefusalReason::ALL {
                                    option value=(reason.code()) { (reason.code()) " " (code_name(lang, reason.name(), reason.english())) }
                                }
                            }
                            label for={ "memo-" (id) } { (lang.t("메모 (고객에게 보입니다)", "Memo (the customer sees it)")) }
                            input id={ "memo-" (id) } name=(names.memo) type="text" maxlength="500";
                            button.danger type="submit" { (lang.t("반품거부", "Refuse the return")) }
                        }
                    }
                }
            }
            _ => { span.muted { "—" } }
        }
    }
}

/// `POST /console/returns/step`: confirm, complete or refuse a pickup. Pressed twice, the
/// second press finds the step done and says so.
pub(super) async fn step(
    State(app): State<AppState>,
    Posted { me, form }: Posted<PickupStepForm>,
) -> Result<Response, PageError> {
    let (scope, _) = scope_of(&app, &me, &form.vendor).await?;
    let lang = me.lang;
    let bad = |words: &str| PageError::bad_request(lang, words.to_owned());
    let shpp_no = form
        .shpp_no
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| claims_domain::ShippingNo::new("shppNo", n).ok())
        .ok_or_else(|| bad(lang.t("회수를 알 수 없습니다.", "The form names no pickup.")))?;
    let qty = form
        .qty
        .trim()
        .parse::<u32>()
        .map_err(|_| bad(lang.t("수량을 알 수 없습니다.", "The form names no quantity.")))?;
    let (did, step, done_state) = match form.step.trim() {
        "confirm" => {
            let carrier = match form.shpp_type_dtl_cd.trim() {
                "14" => PickupCarrier::Own,
                _ => {
                    let number = form.wbl_no.trim();
                    let carrier = form.delico_ven_id.trim();
                    if number.is_empty() || carrier.is_empty() {
                        return Err(bad(lang.t(
                            "택배사와 운송장 번호는 필수 입력값 입니다.",
                            "A courier pickup needs the carrier and the waybill number.",
                        )));
                    }
                    if !number.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(bad(lang.t(
                            "운송장번호는 숫자만 입력하세요.",
                            "The waybill number is digits only.",
                        )));
                    }
                    PickupCarrier::Courier(
                        Waybill::new(carrier, number).map_err(|e| bad(&e.to_string()))?,
                    )
                }
            };
            (
                "confirmed",
                PickupStep::Confirm {
                    carrier,
                    resell: false,
                    blame: None,
                },
                PickupStatus::Confirmed,
            )
        }
        "complete" => ("completed", PickupStep::Complete, PickupStatus::Completed),
        "refuse" => {
            let reason = RefusalReason::from_code(form.ret_refus_rsn_cd.trim())
                .ok_or_else(|| bad(lang.t("거부 사유를 고르세요.", "Choose a reason.")))?;
            let memo = Text::parse(
                PickupStepForm::NAMES.memo,
                form.memo.trim(),
                rules::REASON_TEXT,
            )
            .map_err(|e| bad(&e.to_string()))?;
            (
                "refused",
                PickupStep::Refuse { reason, memo },
                PickupStatus::Refused,
            )
        }
        _ => {
            return Err(bad(
                lang.t("알 수 없는 요청입니다.", "The form asks for nothing known.")
            ));
        }
    };
    let result = app
        .store
        .pickup_step(shpp_no, &scope, qty, &step, app.clock.now())
        .await;
    let back = form.back.trim();
    // Only the list's own query comes back: nothing else can be put in the link.
    let back = back_of(back);
    match result {
        Ok(_) => {}
        // The same step, pressed again: done already.
        Err(StoreError::Pickup(PickupRejection::PickupNotInState { status }))
            if status == done_state => {}
        Err(error @ (StoreError::Pickup(_) | StoreError::NotFound(_) | StoreError::Invalid(_))) => {
            let message = PageError::store(lang, error).message;
            return render(&app, &me, &back, Some(Err(message))).await;
        }
        Err(error) => return Err(PageError::store(lang, error)),
    }
    tracing::info!(shpp.no = %shpp_no, step = did, user = %me.user.login, "pickup step from the console");
    Ok(see_other(&list_location(
        &back,
        &format!("did={did}&shppNo={shpp_no}"),
    )))
}

/// The most pickups one bulk completion takes.
const BULK_MAX: usize = 100;

/// `POST /console/returns/complete`: completes every picked pickup, each as `step` would; one
/// that changed meanwhile (completed already, refused, withdrawn) is counted and left alone.
/// Pressed twice, the second press finds them done and completes nothing more.
pub(super) async fn complete_picked(
    State(app): State<AppState>,
    Posted { me, form }: Posted<PickupBulkForm>,
) -> Result<Response, PageError> {
    let (scope, _) = scope_of(&app, &me, &form.vendor).await?;
    let lang = me.lang;
    if form.picked.len() > BULK_MAX {
        return Err(PageError::bad_request(
            lang,
            match lang {
                Lang::Ko => format!("한 번에 {BULK_MAX}건까지 처리할 수 있습니다."),
                Lang::En => format!("At most {BULK_MAX} pickups at once."),
            },
        ));
    }
    let (mut done, mut failed) = (0usize, 0usize);
    for (number, qty) in form.picked.iter() {
        let picked = claims_domain::ShippingNo::new("shppNo", number)
            .ok()
            .zip(qty.parse::<u32>().ok());
        let Some((shpp_no, qty)) = picked else {
            failed += 1;
            continue;
        };
        match app
            .store
            .pickup_step(shpp_no, &scope, qty, &PickupStep::Complete, app.clock.now())
            .await
        {
            Ok(_) => done += 1,
            Err(StoreError::Pickup(_) | StoreError::NotFound(_)) => failed += 1,
            Err(error) => return Err(PageError::store(lang, error)),
        }
    }
    tracing::info!(completed = done, failed, user = %me.user.login, "pickups completed in bulk from the console");
    Ok(see_other(&list_location(
        &back_of(form.back.trim()),
        &format!("did=completed-many&count={done}&failed={failed}"),
    )))
}

/// The list's query an action's form carried back: only the list's own fields, so that
/// nothing else can be put in the link it returns to.
fn back_of(text: &str) -> ReturnsQuery {
    format!("/console/returns?{text}")
        .parse::<axum::http::Uri>()
        .ok()
        .and_then(|uri| Query::<ReturnsQuery>::try_from_uri(&uri).ok())
        .map(|Query(query)| query)
        .unwrap_or_default()
}

/// The list as `back` had it, saying what was `done`.
fn list_location(back: &ReturnsQuery, done: &str) -> String {
    format!(
        "/console/returns?vendor={}&from={}&to={}&kind={}&state={}&page={}&{done}",
        percent(back.vendor.trim()),
        percent(back.from.trim()),
        percent(back.to.trim()),
        percent(back.kind.trim()),
        percent(back.state.trim()),
        percent(back.page.trim()),
    )
}
