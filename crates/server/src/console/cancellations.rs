//! Vendors' pages: the canceled rows of a week (the inquiry's rows, every field), the same
//! rows as CSV and XLSX, and a dashboard of the last 30 days. A vendor user reads with the
//! scope their API key would have; an operator picks the vendor.
//!
//! Downloads and the dashboard are the console's heavy pages: a user makes at most two of
//! them at once. The CSV streams page by page (memory bounded by a page, however long the
//! week); a workbook is built whole, so it holds at most [`MAX_XLSX_ROWS`] rows and a larger
//! week is refused with the way out. The dashboard reads counts per day and reason from the
//! store, never the rows.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use claims_domain::{
    CancelRow, InquiryQuery, KstDate, OrderNo, OriginalOrder, Period, ReasonCode, RowKey, Scope,
    VendorId,
};
use claims_export::{
    CsvStyle, OutputFormat, Part, korean_cost_heading, korean_row_heading, write_rows,
};
use claims_store::{RoleKind, Store, UserRole};
use claims_wire::{COST_FIELDS, Format, Lang, ROW_FIELDS, WireRow};
use futures::stream;
use maud::{Markup, html};

use super::forms::{WeekQuery, given};
use super::layout::{Kind, shell, table};
use super::page::{PageError, day, page};
use super::session::Signed;
use super::text::{Words, code_name, iso, percent, won};
use crate::app::credentials::hash_secret;
use crate::app::limits::Slot;
use crate::app::problem::Problem;
use crate::app::state::AppState;

/// Rows read from the store at a time.
const PAGE: usize = 1_000;
/// Rows the week's page shows at most (the downloads hold every row, up to the inquiry's
/// row maximum).
const SHOWN_ROWS: usize = 1_000;
/// Rows a workbook holds at most: it is built in memory before it is sent.
pub const MAX_XLSX_ROWS: usize = 20_000;
/// How long a heavy page waits for one of its user's others to end.
const HEAVY_WAIT: Duration = Duration::from_secs(2);

/// What a request for the week's rows asks, checked.
#[derive(Debug)]
struct Week {
    scope: Scope,
    period: Period,
    query: InquiryQuery,
    /// The vendors an operator can pick from (empty for a vendor user).
    vendors: Vec<VendorId>,
}

/// A field of the query that does not hold what it should.
fn bad(lang: Lang, what: &str, value: &str) -> PageError {
    PageError::bad_request(
        lang,
        match lang {
            Lang::Ko => format!("{what} 값이 올바르지 않습니다: {value:?}"),
            Lang::En => format!("{what} is not valid: {value:?}"),
        },
    )
}

/// Whose rows the page reads: a vendor user's own scope, or the vendor an operator picked
/// (the first one by default), narrowed to a lower-rank vendor when asked; with the vendors
/// an operator can pick from (none for a vendor user).
async fn scope_of(
    app: &AppState,
    me: &Signed,
    query: &WeekQuery,
) -> Result<(Scope, Vec<VendorId>), PageError> {
    me.require(&[RoleKind::Vendor, RoleKind::Admin])?;
    let lang = me.lang;
    let names = WeekQuery::NAMES;
    let (mut scope, vendors) = match &me.user.role {
        UserRole::Vendor(scope) => (scope.clone(), Vec::new()),
        _ => {
            let vendors = top_vendors(app, lang).await?;
            let chosen = match given(&query.vendor) {
                Some(text) => VendorId::parse(names.vendor, text)
                    .map_err(|_| bad(lang, names.vendor, text))?,
                None => vendors.first().cloned().ok_or_else(|| {
                    PageError::not_found(
                        lang,
                        lang.t("등록된 업체가 없습니다.", "No vendor is registered."),
                    )
                })?,
            };
            let scope = Scope {
                vendor: chosen,
                lower_rank: None,
            };
            (scope, vendors)
        }
    };
    if let Some(text) = given(&query.lrnk) {
        let lower =
            VendorId::parse(names.lrnk, text).map_err(|_| bad(lang, "lrnkSplVenId", text))?;
        match &scope.lower_rank {
            // A narrowed user may only name their own lower-rank vendor.
            Some(mine) if mine != &lower => return Err(bad(lang, "lrnkSplVenId", text)),
            _ => scope.lower_rank = Some(lower),
        }
    }
    Ok((scope, vendors))
}

/// The top-level vendors an operator picks from, by id.
pub(super) async fn top_vendors(app: &AppState, lang: Lang) -> Result<Vec<VendorId>, PageError> {
    Ok(app
        .store
        .vendors()
        .await
        .map_err(|e| PageError::store(lang, e))?
        .into_iter()
        .filter(|vendor| vendor.parent.is_none())
        .map(|vendor| vendor.id)
        .collect())
}

async fn week_of(app: &AppState, me: &Signed, query: &WeekQuery) -> Result<Week, PageError> {
    let (scope, vendors) = scope_of(app, me, query).await?;
    let lang = me.lang;
    let names = WeekQuery::NAMES;
    let today = KstDate::of(app.clock.now());
    let to = day(lang, names.to, &query.to)?.unwrap_or(today);
    let from = day(lang, names.from, &query.from)?.unwrap_or(to.plus_days(-6));
    let period = Period::new(from, to)
        .map_err(|error| PageError::bad_request(lang, period_problem(lang, error, from, to)))?;
    let original = match given(&query.ord_no) {
        Some(text) => Some(OriginalOrder {
            ord_no: OrderNo::parse(names.ord_no, text)
                .map_err(|_| bad(lang, names.ord_no, text))?,
            item_seqs: None,
        }),
        None => None,
    };
    let query = InquiryQuery::new(Some(period), original).expect("a period is a valid inquiry");
    Ok(Week {
        scope,
        period,
        query,
        vendors,
    })
}

/// Why a period cannot be read, naming the dates.
fn period_problem(
    lang: Lang,
    error: claims_domain::PeriodError,
    from: KstDate,
    to: KstDate,
) -> String {
    match (error, lang) {
        (claims_domain::PeriodError::StartAfterEnd, Lang::Ko) => format!(
            "시작일({})이 종료일({})보다 늦습니다. 날짜를 바꿔 주세요.",
            iso(from),
            iso(to)
        ),
        (claims_domain::PeriodError::StartAfterEnd, Lang::En) => format!(
            "The start ({}) is after the end ({}): swap or change the dates.",
            iso(from),
            iso(to)
        ),
        (claims_domain::PeriodError::TooLong { days, max }, Lang::Ko) => format!(
            "{}부터 {}까지 {days}일입니다. 한 번에 {max}일까지 조회합니다 (SSG 조회와 같습니다).",
            iso(from),
            iso(to)
        ),
        (claims_domain::PeriodError::TooLong { days, max }, Lang::En) => format!(
            "{} to {} is {days} days; one view covers {max} at most (as SSG's inquiry does).",
            iso(from),
            iso(to)
        ),
    }
}

/// Rows as the inquiry answers them: encoded by the inquiry's encoder and read back as a
/// client reads the answer, so the page and the files hold exactly the API's values.
fn as_answered(rows: &[CancelRow]) -> Result<Vec<WireRow>, Problem> {
    let answer = claims_wire::encode_success(Format::Json, Lang::Ko, rows);
    claims_wire::decode_answer(Format::Json, &answer)
        .map(|decoded| decoded.rows)
        .map_err(|error| {
            Problem::internal(format!("the inquiry's own answer did not decode: {error}"))
        })
}

/// Up to `cap` rows of the week (and whether there were more), as the inquiry answers them.
async fn rows_of(
    app: &AppState,
    lang: Lang,
    week: &Week,
    cap: usize,
) -> Result<(Vec<WireRow>, bool), PageError> {
    let mut rows = Vec::new();
    let mut after = None;
    loop {
        let page = app
            .store
            .canceled_rows(&week.scope, &week.query, after.as_ref(), PAGE.min(cap + 1))
            .await
            .map_err(|e| PageError::store(lang, e))?;
        after = page.last().map(CancelRow::key);
        let full = page.len() == PAGE.min(cap + 1);
        rows.extend(page);
        if !full || rows.len() > cap {
            break;
        }
    }
    let capped = rows.len() > cap;
    rows.truncate(cap);
    let rows = as_answered(&rows).map_err(|problem| PageError::problem(lang, problem))?;
    Ok((rows, capped))
}

/// The link to the same page for another period.
fn link(base: &str, week: &Week, query: &WeekQuery, from: KstDate, to: KstDate) -> String {
    let names = WeekQuery::NAMES;
    let mut link = format!(
        "{base}?{}={}&{}={}",
        names.from,
        from.compact(),
        names.to,
        to.compact()
    );
    if !week.vendors.is_empty() {
        link.push_str(&format!("&{}={}", names.vendor, week.scope.vendor));
    }
    if let Some(lrnk) = given(&query.lrnk) {
        link.push_str(&format!("&{}={}", names.lrnk, percent(lrnk)));
    }
    if let Some(ord_no) = given(&query.ord_no) {
        link.push_str(&format!("&{}={}", names.ord_no, percent(ord_no)));
    }
    link
}

/// What the week's page shows.
#[derive(Debug)]
struct WeekPage {
    vendors: Vec<VendorId>,
    vendor: VendorId,
    from: KstDate,
    to: KstDate,
    lrnk: String,
    ord_no: String,
    previous: String,
    next: String,
    csv: String,
    xlsx: String,
    /// The same rows with every API field, and back.
    fields: String,
    readable: String,
    /// More rows than the page shows.
    capped: bool,
    rows: Vec<WireRow>,
    /// Lines of the table: one per cost line.
    lines: usize,
}

fn week_view(week: &Week, query: &WeekQuery, rows: Vec<WireRow>, capped: bool) -> WeekPage {
    let (from, to) = (week.period.start(), week.period.end());
    let span = from.days_until(to) + 1;
    let base = "/console/cancellations";
    WeekPage {
        vendors: week.vendors.clone(),
        vendor: week.scope.vendor.clone(),
        from,
        to,
        lrnk: query.lrnk.trim().to_owned(),
        ord_no: query.ord_no.trim().to_owned(),
        previous: link(base, week, query, from.plus_days(-span), from.plus_days(-1)),
        next: link(base, week, query, to.plus_days(1), to.plus_days(span)),
        csv: link("/console/cancellations.csv", week, query, from, to),
        xlsx: link("/console/cancellations.xlsx", week, query, from, to),
        fields: link(base, week, query, from, to) + "&view=fields",
        readable: link(base, week, query, from, to),
        capped,
        lines: rows.iter().map(|row| row.cst_info.len().max(1)).sum(),
        rows,
    }
}

/// `/console/cancellations?from=yyyymmdd&to=yyyymmdd`.
pub(super) async fn week(
    State(app): State<AppState>,
    me: Signed,
    Query(query): Query<WeekQuery>,
) -> Result<Response, PageError> {
    let title = me.lang.t("취소 내역", "Cancellations");
    let week = match week_of(&app, &me, &query).await {
        Ok(week) => week,
        // A query that cannot be read is told on the page, its values kept.
        Err(error) if error.status == StatusCode::BAD_REQUEST => {
            let (_, vendors) = scope_of(&app, &me, &query).await?;
            let today = KstDate::of(app.clock.now());
            let to = day(me.lang, "to", &query.to)
                .ok()
                .flatten()
                .unwrap_or(today);
            let last_week = format!(
                "/console/cancellations?from={}&to={}",
                to.plus_days(-6).compact(),
                to.compact()
            );
            let mut response = page(shell(
                me.frame(),
                title,
                "cancellations",
                refused_markup(me.lang, title, &query, &vendors, &error.message, &last_week),
            ));
            *response.status_mut() = StatusCode::BAD_REQUEST;
            return Ok(response);
        }
        Err(error) => return Err(error),
    };
    let (rows, capped) = rows_of(&app, me.lang, &week, SHOWN_ROWS).await?;
    let fields = query.view.trim() == "fields";
    let view = week_view(&week, &query, rows, capped);
    Ok(page(shell(
        me.frame(),
        title,
        "cancellations",
        week_markup(me.lang, title, &view, fields),
    )))
}

/// The filter form as it was typed, and why it cannot be shown, with the way out.
fn refused_markup(
    lang: Lang,
    title: &str,
    query: &WeekQuery,
    vendors: &[VendorId],
    problem: &str,
    last_week: &str,
) -> Markup {
    html! {
        h1 { (title) }
        p.notice.error role="alert" {
            (problem) " "
            a href=(last_week) { (lang.t("마지막 7일 보기", "Show the last 7 days")) }
        }
        (filters(lang, vendors, query.vendor.trim(), (query.from.trim(), query.to.trim()), query.lrnk.trim(), query.ord_no.trim()))
    }
}

/// The period and filters, as typed (`from`/`to` as the date inputs or the links give
/// them).
fn filters(
    lang: Lang,
    vendors: &[VendorId],
    vendor: &str,
    (from, to): (&str, &str),
    lrnk: &str,
    ord_no: &str,
) -> Markup {
    let names = WeekQuery::NAMES;
    let as_input = |text: &str| match KstDate::parse_compact(&text.replace('-', "")) {
        Ok(date) => iso(date),
        Err(_) => text.to_owned(),
    };
    html! {
        form.card.filters method="get" action="/console/cancellations" {
            div.row {
                @if !vendors.is_empty() {
                    div {
                        label for=(names.vendor) { (lang.t("업체", "Vendor")) }
                        select id=(names.vendor) name=(names.vendor) {
                            @for id in vendors {
                                option value=(id) selected[id.as_str() == vendor] { (id) }
                            }
                        }
                    }
                }
                div {
                    label for=(names.from) { (lang.t("취소일 부터", "Canceled from")) }
                    input id=(names.from) name=(names.from) type="date" value=(as_input(from)) required;
                }
                div {
                    label for=(names.to) { (lang.t("까지 (최대 7일)", "to (7 days at most)")) }
                    input id=(names.to) name=(names.to) type="date" value=(as_input(to)) required;
                }
                div {
                    label for=(names.lrnk) { (lang.t("하위업체 ID", "Lower-rank vendor")) }
                    input id=(names.lrnk) name=(names.lrnk) type="text" inputmode="numeric" size="12" value=(lrnk);
                }
                div {
                    label for=(names.ord_no) { (lang.t("원주문번호", "Original order")) }
                    input id=(names.ord_no) name=(names.ord_no) type="text" size="18" value=(ord_no);
                }
            }
            div.actions { button type="submit" { (lang.t("조회", "Show")) } }
        }
    }
}

fn week_markup(lang: Lang, title: &str, view: &WeekPage, fields: bool) -> Markup {
    html! {
        h1 { (title) }
        (filters(lang, &view.vendors, view.vendor.as_str(), (&iso(view.from), &iso(view.to)), &view.lrnk, &view.ord_no))
        nav.pager aria-label=(lang.t("기간 이동", "Periods")) {
            a href=(view.previous) { (lang.t("← 이전 기간", "← Previous period")) }
            a href=(view.next) { (lang.t("다음 기간 →", "Next period →")) }
            a.button.secondary href=(view.csv) download { (lang.t("CSV 내려받기", "Download CSV")) }
            a.button.secondary href=(view.xlsx) download { (lang.t("엑셀 내려받기", "Download XLSX")) }
            @if fields {
                a href=(view.readable) { (lang.t("읽기 쉬운 목록", "Readable list")) }
            } @else {
                a href=(view.fields) { (lang.t("API 필드 전체 보기", "Every API field")) }
            }
        }
        @if view.capped {
            p.notice.warn role="status" { (lang.t("처음 1,000건만 표시합니다. 전체는 CSV나 엑셀로 내려받으세요.", "Only the first 1,000 rows are shown: download the CSV or the workbook for all of them.")) }
        }
        @if view.rows.is_empty() {
            p.notice role="status" { (lang.t("이 기간에 취소된 상품이 없습니다.", "Nothing was canceled in this period.")) }
        } @else if fields {
            (rows_table(lang, &view.rows, view.lines))
        } @else {
            (readable_table(lang, &view.rows))
        }
    }
}

/// The rows with every field, one line per cost line, as the CSV has them.
fn rows_table(lang: Lang, rows: &[WireRow], lines: usize) -> Markup {
    html! {
        div.scroll tabindex="0" {
            table {
                caption {
                    (rows.len()) (lang.t("건 · ", " rows · ")) (lines) (lang.t("줄", " lines"))
                }
                thead { tr {
                    @for name in ROW_FIELDS {
                        th scope="col" { (heading(lang, korean_row_heading(name), name)) }
                    }
                    @for name in COST_FIELDS {
                        th scope="col" { (heading(lang, korean_cost_heading(name), name)) }
                    }
                } }
                tbody {
                    @for row in rows {
                        @let fields = row.fields();
                        @if row.cst_info.is_empty() {
                            tr { @for (_, value) in &fields { td { (value) } } }
                        }
                        @for cost in &row.cst_info {
                            tr {
                                @for (_, value) in &fields { td { (value) } }
                                @for (_, value) in cost.fields() { td { (value) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The rows as staff read them: when, which order (linked) and item, how many, why and
/// whose fault, and what the vendor bears in won — one line per row (the downloads keep
/// every field).
fn readable_table(lang: Lang, rows: &[WireRow]) -> Markup {
    let amount = |text: &str| text.parse::<i64>().unwrap_or(0);
    table(
        Some(&match lang {
            Lang::Ko => format!("{}건", rows.len()),
            Lang::En => format!("{} rows", rows.len()),
        }),
        None,
        &[
            (lang.t("취소일시", "Canceled"), Kind::Text),
            (lang.t("원주문", "Order"), Kind::Text),
            (lang.t("상품", "Item"), Kind::Wrap),
            (lang.t("수량", "Qty"), Kind::Num),
            (lang.t("사유", "Reason"), Kind::Wrap),
            (lang.t("귀책", "Fault"), Kind::Text),
            (lang.t("업체부담할인 반환", "Vendor discount back"), Kind::Num),
            (lang.t("배송비 환불", "Shipping refunded"), Kind::Num),
        ],
        rows.iter()
            .map(|row| {
                let discount: i64 = row.cst_info.iter().map(|c| amount(&c.spl_ven_bdn_dc_amt)).sum();
                let shipping: i64 = row.cst_info.iter().map(|c| amount(&c.shpmt_shppcst)).sum();
                let fault = claims_domain::Fault::from_code(&row.impt_div_cd)
                    .map_or_else(|| row.impt_div_cd.clone(), |fault| code_name(lang, fault.name(), fault.english()));
                vec![
                    html! { (row.ord_cncl_dts.get(..16).unwrap_or(&row.ord_cncl_dts)) },
                    html! {
                        a href={ "/console/orders/" (row.oror_no) } { (row.oror_no) } " #" (row.oror_item_seq) br;
                        span.muted { (row.ordpe_nm) " · " (row.ord_rcp_media_nm) }
                    },
                    html! {
                        (row.item_nm)
                        @if !row.uitem_nm.is_empty() { br; span.muted { (row.uitem_nm) } }
                    },
                    html! { (row.cncl_item_qty) },
                    html! {
                        (row.clm_rsn_nm)
                        @if !row.clm_rsn_cntt.is_empty() { br; span.muted { (row.clm_rsn_cntt) } }
                    },
                    html! { (fault) },
                    html! { (won(lang, discount)) },
                    html! { (won(lang, shipping)) },
                ]
            })
            .collect(),
    )
}

fn heading(lang: Lang, korean: &str, field: &str) -> Markup {
    match lang {
        Lang::Ko => html! { (korean) br; span.muted { (field) } },
        Lang::En => html! { (field) },
    }
}

/// The file name of a download: `cancellations-0000012345-20261115-20261121.csv`.
fn file_name(week: &Week, extension: &str) -> String {
    let scope = match &week.scope.lower_rank {
        Some(lower) => format!("{}-{lower}", week.scope.vendor),
        None => week.scope.vendor.to_string(),
    };
    format!(
        "cancellations-{scope}-{}-{}.{extension}",
        week.period.start().compact(),
        week.period.end().compact()
    )
}

/// A turn at one of the user's heavy pages, waiting briefly for one of their others to end;
/// refused (429) when they already have as many as they may.
async fn heavy_turn(app: &AppState, me: &Signed) -> Result<Slot, PageError> {
    let heavy = &app.guard.heavy;
    let who = hash_secret(&format!("console-user:{}", me.user.login)).0;
    heavy.take(who, HEAVY_WAIT).await.ok_or_else(|| {
        let lang = me.lang;
        PageError::new(
            StatusCode::TOO_MANY_REQUESTS,
            lang,
            match lang {
                Lang::Ko => format!(
                    "내려받기와 현황은 한 번에 {}개까지입니다. 앞의 것이 끝나면 다시 시도하세요.",
                    heavy.max()
                ),
                Lang::En => format!(
                    "At most {} downloads or dashboards at once: try again when one has finished.",
                    heavy.max()
                ),
            },
        )
    })
}

/// Refuses a week with more rows than `max`, as the inquiry answers code 16: never a file
/// that silently lacks rows.
async fn at_most(
    app: &AppState,
    lang: Lang,
    week: &Week,
    max: usize,
    instead: (&str, &str),
) -> Result<(), PageError> {
    let total = app
        .store
        .count_canceled_rows(&week.scope, &week.query, max + 1)
        .await
        .map_err(|e| PageError::store(lang, e))?;
    if total > max {
        return Err(PageError::bad_request(
            lang,
            match lang {
                Lang::Ko => format!("{max}건이 넘습니다. {}", instead.0),
                Lang::En => format!("More than {max} rows: {}", instead.1),
            },
        ));
    }
    Ok(())
}

fn download_headers(week: &Week, extension: &str, content_type: &'static str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, content_type.parse().expect("a media type"));
    headers.insert(
        CONTENT_DISPOSITION,
        format!("attachment; filename=\"{}\"", file_name(week, extension))
            .parse()
            .expect("a file name of digits and letters"),
    );
    headers.insert(CACHE_CONTROL, "no-store".parse().expect("a directive"));
    headers
}

/// The state of a streamed CSV between pages.
struct CsvPages {
    store: std::sync::Arc<dyn Store>,
    scope: Scope,
    query: InquiryQuery,
    after: Option<RowKey>,
    part: Part,
    done: bool,
    /// Held until the last page is written, or the download is dropped.
    _turn: Slot,
}

impl CsvPages {
    async fn next(&mut self) -> Result<Bytes, std::io::Error> {
        let page = self
            .store
            .canceled_rows(&self.scope, &self.query, self.after.as_ref(), PAGE)
            .await
            .map_err(std::io::Error::other)?;
        self.done = page.len() < PAGE;
        self.after = page.last().map(CancelRow::key);
        let rows = as_answered(&page).map_err(|problem| std::io::Error::other(problem.detail))?;
        let mut out = Vec::with_capacity(rows.len() * 400);
        write_rows(
            OutputFormat::Csv(CsvStyle::Excel),
            &rows,
            self.part,
            &mut out,
        )?;
        self.part = Part::Continuation;
        Ok(Bytes::from(out))
    }
}

/// The week's rows as CSV for Korean Excel: UTF-8 with a byte-order mark, Korean headings;
/// streamed a page at a time.
pub(super) async fn csv(
    State(app): State<AppState>,
    me: Signed,
    Query(query): Query<WeekQuery>,
) -> Result<Response, PageError> {
    let week = week_of(&app, &me, &query).await?;
    let turn = heavy_turn(&app, &me).await?;
    at_most(
        &app,
        me.lang,
        &week,
        app.config.max_rows,
        ("기간을 줄이세요.", "choose a shorter period."),
    )
    .await?;
    let headers = download_headers(&week, "csv", "text/csv; charset=utf-8");
    let pages = CsvPages {
        store: app.store.clone(),
        scope: week.scope,
        query: week.query,
        after: None,
        part: Part::First,
        done: false,
        _turn: turn,
    };
    let body = stream::unfold(pages, |mut pages| async move {
        if pages.done {
            return None;
        }
        match pages.next().await {
            Ok(chunk) => Some((Ok(chunk), pages)),
            Err(error) => {
                // The status line is gone: cutting the download is the honest way to say
                // the file is incomplete.
                tracing::error!(%error, "a CSV download failed midway");
                pages.done = true;
                Some((Err(error), pages))
            }
        }
    });
    Ok((headers, Body::from_stream(body)).into_response())
}

/// The week's rows as an Excel workbook, of at most [`MAX_XLSX_ROWS`] rows (and never more
/// than the inquiry's row maximum).
pub(super) async fn xlsx(
    State(app): State<AppState>,
    me: Signed,
    Query(query): Query<WeekQuery>,
) -> Result<Response, PageError> {
    let week = week_of(&app, &me, &query).await?;
    let _turn = heavy_turn(&app, &me).await?;
    let lang = me.lang;
    let cap = MAX_XLSX_ROWS.min(app.config.max_rows);
    at_most(
        &app,
        lang,
        &week,
        cap,
        (
            "엑셀 파일로는 받을 수 없습니다. CSV로 내려받거나 기간을 줄이세요.",
            "too many for a workbook; download the CSV or choose a shorter period.",
        ),
    )
    .await?;
    let (rows, _) = rows_of(&app, lang, &week, cap).await?;
    let body = tokio::task::spawn_blocking(move || {
        let mut body = Vec::new();
        write_rows(OutputFormat::Xlsx, &rows, Part::First, &mut body).map(|()| body)
    })
    .await
    .map_err(|error| Problem::internal(format!("the workbook could not be made: {error}")))
    .and_then(|written| {
        written
            .map_err(|error| Problem::internal(format!("the rows could not be written: {error}")))
    })
    .map_err(|problem| PageError::problem(lang, problem))?;
    let headers = download_headers(
        &week,
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    );
    Ok((headers, body).into_response())
}

/// What the dashboard shows.
#[derive(Debug)]
struct Dashboard {
    vendors: Vec<VendorId>,
    vendor: VendorId,
    first: KstDate,
    today: KstDate,
    /// Lines per day, every day of the 30.
    days: Vec<(String, u64)>,
    /// Lines per reason, every reason.
    reasons: Vec<(String, u64)>,
    total: u64,
}

fn dashboard_view(
    lang: Lang,
    scope: &Scope,
    vendors: Vec<VendorId>,
    first: KstDate,
    today: KstDate,
    counts: &[claims_store::CancellationCount],
) -> Dashboard {
    let mut per_day: BTreeMap<KstDate, u64> = (0..30).map(|n| (first.plus_days(n), 0)).collect();
    let mut per_reason: BTreeMap<&'static str, u64> = BTreeMap::new();
    for count in counts {
        if let Some(lines) = per_day.get_mut(&count.day) {
            *lines += count.lines;
        }
        *per_reason.entry(count.reason.code()).or_default() += count.lines;
    }
    let days: Vec<(String, u64)> = per_day
        .into_iter()
        .map(|(day, lines)| (day.compact(), lines))
        .collect();
    let reasons = ReasonCode::ALL
        .iter()
        .map(|reason| {
            (
                format!(
                    "{} {}",
                    reason.code(),
                    code_name(lang, reason.name(), reason.english())
                ),
                per_reason.get(reason.code()).copied().unwrap_or(0),
            )
        })
        .collect();
    Dashboard {
        vendors,
        vendor: scope.vendor.clone(),
        first,
        today,
        total: days.iter().map(|(_, n)| n).sum(),
        days,
        reasons,
    }
}

/// `/console/dashboard`: canceled lines per day over the last 30 days and by reason, drawn
/// as SVG on the server, each chart with its numbers in a table beside it.
pub(super) async fn dashboard(
    State(app): State<AppState>,
    me: Signed,
    Query(query): Query<WeekQuery>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let (scope, vendors) = scope_of(&app, &me, &query).await?;
    let _turn = heavy_turn(&app, &me).await?;
    let today = KstDate::of(app.clock.now());
    let first = today.plus_days(-29);
    let end = today.plus_days(1).start().plus_seconds(-1);
    let counts = app
        .store
        .cancellation_counts(&scope, first.start(), end)
        .await
        .map_err(|e| PageError::store(lang, e))?;
    let view = dashboard_view(lang, &scope, vendors, first, today, &counts);
    let title = lang.t("취소 현황", "Cancellation dashboard");
    Ok(page(shell(
        me.frame(),
        title,
        "dashboard",
        dashboard_markup(lang, title, &view),
    )))
}

fn dashboard_markup(lang: Lang, title: &str, view: &Dashboard) -> Markup {
    let names = WeekQuery::NAMES;
    html! {
        h1 { (title) }
        @if !view.vendors.is_empty() {
            form.card method="get" action="/console/dashboard" {
                div.row {
                    div {
                        label for=(names.vendor) { (lang.t("업체", "Vendor")) }
                        select id=(names.vendor) name=(names.vendor) {
                            @for vendor in &view.vendors {
                                option value=(vendor) selected[vendor == &view.vendor] { (vendor) }
                            }
                        }
                    }
                    div { button type="submit" { (lang.t("보기", "Show")) } }
                }
            }
        }
        p {
            (lang.t("최근 30일 취소 줄 수: ", "Canceled lines in the last 30 days: ")) strong { (view.total) }
            " (" (iso(view.first)) " – " (iso(view.today)) ", KST)"
        }
        div.charts {
            section.card { (day_chart(lang, &view.days)) }
            section.card { (reason_chart(lang, &view.reasons)) }
        }
    }
}

/// Columns per day.
fn day_chart(lang: Lang, days: &[(String, u64)]) -> Markup {
    let max = days.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let (width, height, left, bottom, top) = (600.0, 220.0, 36.0, 28.0, 12.0);
    let plot_h = height - bottom - top;
    let slot = (width - left - 8.0) / days.len().max(1) as f64;
    let caption = lang.t("일별 취소 (줄 수)", "Cancellations per day (lines)");
    html! {
        figure {
            figcaption #per-day { (caption) }
            svg.chart viewBox={ "0 0 " (width) " " (height) } role="img" aria-labelledby="per-day" {
                title { (caption) }
                line x1=(left) y1=(top + plot_h) x2=(width - 4.0) y2=(top + plot_h) stroke="#8a94a3" {}
                text x=(left - 6.0) y=(top + 4.0) text-anchor="end" { (max) }
                text x=(left - 6.0) y=(top + plot_h) text-anchor="end" { "0" }
                @for (index, (day, count)) in days.iter().enumerate() {
                    @let h = plot_h * (*count as f64) / (max as f64);
                    @let x = left + slot * index as f64 + 1.0;
                    rect x=(format!("{x:.1}")) y=(format!("{:.1}", top + plot_h - h)) width=(format!("{:.1}", (slot - 2.0).max(1.0))) height=(format!("{h:.1}")) fill="#1f4fa3" {
                        title { (day) ": " (count) }
                    }
                    @if (days.len() - 1 - index) % 7 == 0 {
                        text x=(format!("{:.1}", x + slot / 2.0)) y=(height - 10.0) text-anchor="middle" { (&day[4..6]) "/" (&day[6..]) }
                    }
                }
            }
            details {
                summary { (lang.t("숫자로 보기", "As numbers")) }
                (table(None, None, &[
                    (lang.t("날짜", "Day"), Kind::Text),
                    (lang.t("줄 수", "Lines"), Kind::Num),
                ], days.iter().map(|(day, count)| vec![html! { (day) }, html! { (count) }]).collect()))
            }
        }
    }
}

/// Bars per reason.
fn reason_chart(lang: Lang, reasons: &[(String, u64)]) -> Markup {
    let max = reasons.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let row_h = 30.0;
    let (width, label_w) = (600.0, 230.0);
    let height = row_h * reasons.len() as f64 + 10.0;
    let caption = lang.t("사유별 취소 (줄 수)", "Cancellations by reason (lines)");
    html! {
        figure {
            figcaption #per-reason { (caption) }
            svg.chart viewBox={ "0 0 " (width) " " (height) } role="img" aria-labelledby="per-reason" {
                title { (caption) }
                @for (index, (name, count)) in reasons.iter().enumerate() {
                    @let y = 5.0 + row_h * index as f64;
                    @let w = (width - label_w - 60.0) * (*count as f64) / (max as f64);
                    text x=(label_w - 8.0) y=(y + 19.0) text-anchor="end" { (name) }
                    rect x=(label_w) y=(y + 5.0) width=(format!("{w:.1}")) height=(row_h - 10.0) fill="#1b6e3a" {}
                    text x=(format!("{:.1}", label_w + w + 6.0)) y=(y + 19.0) { (count) }
                }
            }
            details {
                summary { (lang.t("숫자로 보기", "As numbers")) }
                (table(None, None, &[
                    (lang.t("사유", "Reason"), Kind::Text),
                    (lang.t("줄 수", "Lines"), Kind::Num),
                ], reasons.iter().map(|(name, count)| vec![html! { (name) }, html! { (count) }]).collect()))
            }
        }
    }
}
