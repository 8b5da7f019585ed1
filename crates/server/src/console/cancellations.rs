//! Vendors' pages: the canceled rows of a week (the inquiry's rows, every field), the same
//! rows as CSV and XLSX, and a dashboard of the last 30 days. A vendor user reads with the
//! scope their API key would have; an operator picks the vendor.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use claims_domain::{
    InquiryQuery, KstDate, OrderNo, OriginalOrder, Period, ReasonCode, Scope, VendorId,
};
use claims_export::{
    CsvStyle, OutputFormat, Part, korean_cost_heading, korean_row_heading, write_rows,
};
use claims_store::UserRole;
use claims_wire::{COST_FIELDS, Format, Lang, ROW_FIELDS, WireRow};
use maud::{Markup, html};

use super::layout::{Kind, shell, table};
use super::orders::{code_name, iso};
use super::{App, PageError, Signed, Words, day, given, page};
use crate::app::state::AppState;

/// Rows read from the store at a time.
const PAGE: usize = 1_000;
/// Rows the week's page shows at most (the downloads hold every row, up to the inquiry's
/// row maximum).
const SHOWN_ROWS: usize = 1_000;
/// Rows a dashboard counts at most.
const DASHBOARD_ROWS: usize = 200_000;

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct WeekQuery {
    from: Option<String>,
    to: Option<String>,
    /// An operator's choice of vendor.
    vendor: Option<String>,
    /// Narrows to one lower-rank vendor.
    lrnk: Option<String>,
    /// Narrows to one original order.
    #[serde(rename = "ordNo")]
    ord_no: Option<String>,
}

/// What a request for the week's rows asks, checked.
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
    me.require(&["vendor", "admin"])?;
    let lang = me.lang;
    let (mut scope, vendors) = match &me.user.role {
        UserRole::Vendor(scope) => (scope.clone(), Vec::new()),
        _ => {
            let vendors: Vec<VendorId> = app
                .store
                .vendors()
                .await
                .map_err(|e| PageError::store(lang, e))?
                .into_iter()
                .filter(|vendor| vendor.parent.is_none())
                .map(|vendor| vendor.id)
                .collect();
            let chosen = match given(&query.vendor) {
                Some(text) => {
                    VendorId::parse("vendor", text).map_err(|_| bad(lang, "vendor", text))?
                }
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
        let lower = VendorId::parse("lrnk", text).map_err(|_| bad(lang, "lrnkSplVenId", text))?;
        match &scope.lower_rank {
            // A narrowed user may only name their own lower-rank vendor.
            Some(mine) if mine != &lower => return Err(bad(lang, "lrnkSplVenId", text)),
            _ => scope.lower_rank = Some(lower),
        }
    }
    Ok((scope, vendors))
}

async fn week_of(app: &AppState, me: &Signed, query: &WeekQuery) -> Result<Week, PageError> {
    let (scope, vendors) = scope_of(app, me, query).await?;
    let lang = me.lang;
    let today = KstDate::of(app.clock.now());
    let to = day(lang, "to", &query.to)?.unwrap_or(today);
    let from = day(lang, "from", &query.from)?.unwrap_or(to.plus_days(-6));
    let period = Period::new(from, to).map_err(|_| {
        PageError::bad_request(
            lang,
            lang.t(
                "기간은 시작일부터 7일 이내여야 합니다 (SSG 조회와 같습니다).",
                "A period covers at most 7 days, start to end (as SSG's inquiry does).",
            ),
        )
    })?;
    let original = match given(&query.ord_no) {
        Some(text) => Some(OriginalOrder {
            ord_no: OrderNo::parse("ordNo", text).map_err(|_| bad(lang, "ordNo", text))?,
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

/// Every row of the week, as the inquiry answers them: encoded by the inquiry's encoder and
/// read back as a client reads the answer, so the page and the files hold exactly the
/// API's values.
async fn rows_of(
    app: &AppState,
    lang: Lang,
    scope: &Scope,
    query: &InquiryQuery,
    cap: usize,
) -> Result<(Vec<WireRow>, bool), PageError> {
    let mut rows = Vec::new();
    let mut after = None;
    loop {
        let page = app
            .store
            .canceled_rows(scope, query, after.as_ref(), PAGE)
            .await
            .map_err(|e| PageError::store(lang, e))?;
        after = page.last().map(|row| row.key());
        let full = page.len() == PAGE;
        rows.extend(page);
        if !full || rows.len() > cap {
            break;
        }
    }
    let capped = rows.len() > cap;
    rows.truncate(cap);
    let answer = claims_wire::encode_success(Format::Json, Lang::Ko, &rows);
    let decoded = claims_wire::decode_answer(Format::Json, &answer).map_err(|error| {
        PageError::problem(
            lang,
            crate::app::problem::Problem::internal(format!(
                "the inquiry's own answer did not decode: {error}"
            )),
        )
    })?;
    Ok((decoded.rows, capped))
}

/// The link to the same page for another period.
fn link(base: &str, week: &Week, query: &WeekQuery, from: KstDate, to: KstDate) -> String {
    let mut link = format!("{base}?from={}&to={}", from.compact(), to.compact());
    if !week.vendors.is_empty() {
        link.push_str(&format!("&vendor={}", week.scope.vendor));
    }
    if let Some(lrnk) = given(&query.lrnk) {
        link.push_str(&format!("&lrnk={}", super::percent(lrnk)));
    }
    if let Some(ord_no) = given(&query.ord_no) {
        link.push_str(&format!("&ordNo={}", super::percent(ord_no)));
    }
    link
}

/// `/console/cancellations?from=yyyymmdd&to=yyyymmdd`.
pub(super) async fn week(
    State(app): App,
    me: Signed,
    Query(query): Query<WeekQuery>,
) -> Result<Response, PageError> {
    let week = week_of(&app, &me, &query).await?;
    let lang = me.lang;
    let shown = SHOWN_ROWS;
    let (rows, capped) = rows_of(&app, lang, &week.scope, &week.query, shown).await?;
    let (from, to) = (week.period.start(), week.period.end());
    let span = from.days_until(to) + 1;
    let previous = link(
        "/console/cancellations",
        &week,
        &query,
        from.plus_days(-span),
        from.plus_days(-1),
    );
    let next = link(
        "/console/cancellations",
        &week,
        &query,
        to.plus_days(1),
        to.plus_days(span),
    );
    let csv = link("/console/cancellations.csv", &week, &query, from, to);
    let xlsx = link("/console/cancellations.xlsx", &week, &query, from, to);
    let title = lang.t("취소 내역", "Cancellations");
    let lines: usize = rows.iter().map(|row| row.cst_info.len().max(1)).sum();
    let content = html! {
        h1 { (title) }
        form.card method="get" action="/console/cancellations" {
            div.row {
                @if !week.vendors.is_empty() {
                    div {
                        label for="vendor" { (lang.t("업체", "Vendor")) }
                        select #vendor name="vendor" {
                            @for vendor in &week.vendors {
                                option value=(vendor) selected[vendor == &week.scope.vendor] { (vendor) }
                            }
                        }
                    }
                }
                div {
                    label for="from" { (lang.t("취소일 부터", "Canceled from")) }
                    input #from name="from" type="date" value=(iso(from)) required;
                }
                div {
                    label for="to" { (lang.t("까지 (최대 7일)", "to (7 days at most)")) }
                    input #to name="to" type="date" value=(iso(to)) required;
                }
                div {
                    label for="lrnk" { (lang.t("하위업체 ID", "Lower-rank vendor")) }
                    input #lrnk name="lrnk" type="text" inputmode="numeric" size="12"
                        value=(query.lrnk.as_deref().unwrap_or(""));
                }
                div {
                    label for="ordNo" { (lang.t("원주문번호", "Original order")) }
                    input #ordNo name="ordNo" type="text" size="18"
                        value=(query.ord_no.as_deref().unwrap_or(""));
                }
                div { button type="submit" { (lang.t("조회", "Show")) } }
            }
        }
        nav.pager aria-label=(lang.t("기간 이동", "Periods")) {
            a href=(previous) { (lang.t("← 이전 기간", "← Previous period")) }
            a href=(next) { (lang.t("다음 기간 →", "Next period →")) }
            a.button.secondary href=(csv) download { (lang.t("CSV 내려받기", "Download CSV")) }
            a.button.secondary href=(xlsx) download { (lang.t("엑셀 내려받기", "Download XLSX")) }
        }
        @if capped {
            p.notice.warn role="status" { (lang.t("처음 1,000건만 표시합니다. 전체는 CSV나 엑셀로 내려받으세요.", "Only the first 1,000 rows are shown: download the CSV or the workbook for all of them.")) }
        }
        @if rows.is_empty() {
            p.notice role="status" { (lang.t("이 기간에 취소된 상품이 없습니다.", "Nothing was canceled in this period.")) }
        } @else {
            (rows_table(lang, &rows, lines))
        }
    };
    Ok(page(shell(&me, title, "cancellations", content)))
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

async fn download(
    app: &AppState,
    me: &Signed,
    query: &WeekQuery,
    format: OutputFormat,
    extension: &str,
    content_type: &'static str,
) -> Result<Response, PageError> {
    let week = week_of(app, me, query).await?;
    let max = app.config.max_rows;
    let (rows, capped) = rows_of(app, me.lang, &week.scope, &week.query, max).await?;
    if capped {
        // As the inquiry answers code 16: never a file that silently lacks rows.
        return Err(PageError::bad_request(
            me.lang,
            match me.lang {
                Lang::Ko => format!("{max}건이 넘습니다. 기간을 줄이세요."),
                Lang::En => format!("More than {max} rows: choose a shorter period."),
            },
        ));
    }
    let mut body = Vec::new();
    write_rows(format, &rows, Part::First, &mut body).map_err(|error| {
        PageError::problem(
            me.lang,
            crate::app::problem::Problem::internal(format!(
                "the rows could not be written: {error}"
            )),
        )
    })?;
    Ok((
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file_name(&week, extension)),
            ),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

/// The week's rows as CSV for Korean Excel: UTF-8 with a byte-order mark, Korean headings.
pub(super) async fn csv(
    State(app): App,
    me: Signed,
    Query(query): Query<WeekQuery>,
) -> Result<Response, PageError> {
    download(
        &app,
        &me,
        &query,
        OutputFormat::Csv(CsvStyle::Excel),
        "csv",
        "text/csv; charset=utf-8",
    )
    .await
}

/// The week's rows as an Excel workbook.
pub(super) async fn xlsx(
    State(app): App,
    me: Signed,
    Query(query): Query<WeekQuery>,
) -> Result<Response, PageError> {
    download(
        &app,
        &me,
        &query,
        OutputFormat::Xlsx,
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    .await
}

/// `/console/dashboard`: canceled lines per day over the last 30 days and by reason, drawn
/// as SVG on the server, each chart with its numbers in a table beside it.
pub(super) async fn dashboard(
    State(app): App,
    me: Signed,
    Query(query): Query<WeekQuery>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let today = KstDate::of(app.clock.now());
    let first = today.plus_days(-29);
    // The 30 days in five periods of up to 7 days, read as the inquiry reads them.
    let mut per_day: BTreeMap<String, u64> =
        (0..30).map(|n| (first.plus_days(n).compact(), 0)).collect();
    let mut per_reason: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut capped = false;
    let mut counted = 0usize;
    let (scope, vendors) = scope_of(&app, &me, &query).await?;
    let mut start = first;
    while start <= today && counted < DASHBOARD_ROWS {
        let end = start.plus_days(6).min(today);
        let period = Period::new(start, end).expect("at most seven days");
        let (rows, more) = rows_of(
            &app,
            lang,
            &scope,
            &InquiryQuery::by_period(period),
            DASHBOARD_ROWS - counted,
        )
        .await?;
        capped |= more;
        counted += rows.len();
        for row in &rows {
            if let Some(day) =
                per_day.get_mut(&row.ord_cncl_dts.get(..10).unwrap_or("").replace('-', ""))
            {
                *day += 1;
            }
            if let Some(reason) = ReasonCode::from_code(&row.clm_rsn_cd) {
                *per_reason.entry(reason.code()).or_default() += 1;
            }
        }
        start = end.plus_days(1);
    }
    let title = lang.t("취소 현황", "Cancellation dashboard");
    let days: Vec<(String, u64)> = per_day.into_iter().collect();
    let reasons: Vec<(String, u64)> = ReasonCode::ALL
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
    let total: u64 = days.iter().map(|(_, n)| n).sum();
    let content = html! {
        h1 { (title) }
        @if !vendors.is_empty() {
            form.card method="get" action="/console/dashboard" {
                div.row {
                    div {
                        label for="vendor" { (lang.t("업체", "Vendor")) }
                        select #vendor name="vendor" {
                            @for vendor in &vendors {
                                option value=(vendor) selected[vendor == &scope.vendor] { (vendor) }
                            }
                        }
                    }
                    div { button type="submit" { (lang.t("보기", "Show")) } }
                }
            }
        }
        p {
            (lang.t("최근 30일 취소 줄 수: ", "Canceled lines in the last 30 days: ")) strong { (total) }
            " (" (iso(first)) " – " (iso(today)) ", KST)"
        }
        @if capped {
            p.notice.warn { (lang.t("행이 너무 많아 일부만 집계했습니다.", "Too many rows: only part of them were counted.")) }
        }
        div.charts {
            section.card { (day_chart(lang, &days)) }
            section.card { (reason_chart(lang, &reasons)) }
        }
    };
    Ok(page(shell(&me, title, "dashboard", content)))
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
