//! `/console/sandbox`: the sandbox's report for people — what the vendor's integration
//! received and when, drawn as a timeline on the server (SVG: the time its inquiries
//! covered, each cancellation from when it took effect to when it was received, each call,
//! each finding), then the findings, the cancellations and the scenario's steps as tables.
//! A vendor user sees its own; the operator picks a vendor.

use axum::extract::{Query, State};
use axum::response::Response;
use claims_domain::{KstDateTime, VendorId};
use claims_store::RoleKind;
use claims_wire::Lang;
use maud::{Markup, html};

use super::cancellations::top_vendors;
use super::forms::SandboxQuery;
use super::layout::{Col, Kind, shell, table};
use super::page::{PageError, page};
use super::session::Signed;
use super::text::Words;
use crate::app::sandbox::report::{Report, Seen, report};
use crate::app::sandbox::truth;
use crate::app::state::AppState;

/// `/console/sandbox`.
pub(super) async fn show(
    State(app): State<AppState>,
    me: Signed,
    Query(query): Query<SandboxQuery>,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::Admin, RoleKind::Vendor])?;
    let lang = me.lang;
    if app.sandbox.is_none() {
        return Err(PageError::not_found(
            lang,
            lang.t(
                "이 서비스는 샌드박스가 아닙니다. 보고서는 ssg-claims sandbox에서 볼 수 있습니다.",
                "This service runs no sandbox; the report is shown by ssg-claims sandbox.",
            ),
        ));
    }
    let vendors: Vec<VendorId> = match me.user.role.scope() {
        Some(scope) => vec![scope.vendor.clone()],
        None => top_vendors(&app, lang).await?,
    };
    let chosen = match me.user.role.scope() {
        Some(scope) => Some(scope.vendor.clone()),
        None => match super::forms::given(&query.vendor) {
            Some(id) => Some(VendorId::parse("splVenId", id).map_err(|_| {
                PageError::bad_request(
                    lang,
                    format!(
                        "{}: {id}",
                        lang.t("업체 ID는 숫자 10자리입니다", "A vendor id is ten digits")
                    ),
                )
            })?),
            None => vendors.first().cloned(),
        },
    };
    let title = lang.t("샌드박스 보고서", "Sandbox report");
    let content = match chosen {
        None => html! {
            h1 { (title) }
            p { (lang.t("등록된 업체가 없습니다.", "No vendor is registered.")) }
        },
        Some(vendor) => {
            let facts = truth::facts(&app, &vendor, &[])
                .await
                .map_err(|e| PageError::store(lang, e))?;
            let made = report(&facts);
            markup(
                lang,
                title,
                &vendors,
                &made,
                &facts.seen,
                me.user.role.scope().is_none(),
            )
        }
    };
    Ok(page(shell(me.frame(), title, "sandbox", content)))
}

fn markup(
    lang: Lang,
    title: &str,
    vendors: &[VendorId],
    made: &Report,
    seen: &[Seen],
    choose: bool,
) -> Markup {
    let s = &made.summary;
    let secs = |secs: Option<i64>| secs.map_or_else(|| "–".to_owned(), |secs| format!("{secs}s"));
    let finding_rows: Vec<Vec<Markup>> = made
        .findings
        .iter()
        .map(|f| {
            vec![
                html! { span.badge.bad[f.harmful] { (if f.harmful { lang.t("위험", "harmful") } else { lang.t("참고", "note") }) } },
                html! { code { (f.kind) } },
                html! { (f.at.to_wire()) },
                html! { @if let Some(no) = &f.ord_no { a href={ "/console/orders/" (no) } { (no) } } },
                html! { @if let Some(step) = f.step { (step) } },
                html! { (f.detail) },
            ]
        })
        .collect();
    let cancellation_rows: Vec<Vec<Markup>> = made
        .cancellations
        .iter()
        .map(|c| {
            vec![
                html! { a href={ "/console/orders/" (c.oror_no) } { (c.oror_no) } " #" (c.oror_item_seq) },
                html! { (c.qty) },
                html! { (c.effective_at.to_wire()) },
                html! {
                    @match c.received_at {
                        Some(at) => { (at.to_wire()) },
                        None => { strong.bad { (lang.t("받지 못함", "never")) } },
                    }
                },
                html! { (secs(c.lag_seconds)) },
                html! { (c.via.as_deref().unwrap_or("")) },
                html! { @if let Some(step) = c.step { (step) } },
            ]
        })
        .collect();
    let step_rows: Vec<Vec<Markup>> = made
        .steps
        .iter()
        .map(|step| {
            vec![
                html! { (step.step) },
                html! { code { (step.action) } },
                html! { (step.at.to_wire()) },
                html! { (step.ord_no.as_deref().unwrap_or("")) },
                html! { span.bad[step.outcome != "ok"] { (step.outcome) } },
            ]
        })
        .collect();
    html! {
        h1 { (title) " · " (made.vendor) }
        p.muted {
            (made.period.from.to_wire()) " – " (made.period.to.to_wire())
            (lang.t(" (샌드박스 시각, KST). 새로 고치면 지금까지의 보고서입니다.", " (sandbox time, KST). Reload for the report so far."))
        }
        @if choose && vendors.len() > 1 {
            nav.chooser aria-label=(lang.t("업체", "Vendor")) {
                @for vendor in vendors {
                    a href={ "/console/sandbox?splVenId=" (vendor) }
                        aria-current=[(vendor.as_str() == made.vendor).then_some("page")] { (vendor) }
                    " "
                }
            }
        }
        div.tiles {
            div.tile { span.label { (lang.t("취소", "Cancellations")) } strong { (s.cancellations) } }
            div.tile { span.label { (lang.t("받음", "Received")) } strong { (s.received) } }
            div.tile.urgent[s.missed > 0] { span.label { (lang.t("놓침", "Missed")) } strong { (s.missed) } }
            div.tile { span.label { (lang.t("지연 (중앙값 / 최대)", "Lag (median / max)")) } strong { (secs(s.median_lag_seconds)) " / " (secs(s.max_lag_seconds)) } }
            div.tile.urgent[s.harmful > 0] { span.label { (lang.t("위험한 발견", "Harmful findings")) } strong { (s.harmful) } }
        }
        section.card {
            h2 #timeline { (lang.t("타임라인", "Timeline")) }
            div.scroll tabindex="0" { (timeline(lang, made, seen)) }
            p.muted.legend {
                span.key.cover {} (lang.t(" 조회가 덮은 시간 ", " time the inquiries covered "))
                span.key.got {} (lang.t(" 받은 취소 (발생→수신) ", " cancellation received (effect → receipt) "))
                span.key.miss {} (lang.t(" 놓친 취소 ", " missed cancellation "))
                span.key.call {} (lang.t(" 업체 호출 ", " vendor call "))
                span.key.finding {} (lang.t(" 발견", " finding"))
            }
        }
        h2 #findings { (lang.t("발견", "Findings")) }
        @if finding_rows.is_empty() {
            p.notice.ok { (lang.t("발견이 없습니다: 놓치거나 해가 될 일을 하지 않았습니다.", "No finding: nothing was missed and nothing harmful was done.")) }
        } @else {
            (table(None, Some("findings"), &[
                (lang.t("위험도", "Severity"), Kind::Text),
                (lang.t("종류", "Kind"), Kind::Text),
                (lang.t("시각", "At"), Kind::Text),
                (lang.t("주문", "Order"), Kind::Text),
                (lang.t("단계", "Step"), Kind::Num),
                (lang.t("내용", "Detail"), Kind::Wrap),
            ] as &[Col<'_>], finding_rows))
        }
        h2 #cancellations { (lang.t("취소와 수신", "Cancellations and when they arrived")) }
        (table(None, Some("cancellations"), &[
            (lang.t("주문 · 상품", "Order · item"), Kind::Text),
            (lang.t("수량", "Units"), Kind::Num),
            (lang.t("발생", "Took effect"), Kind::Text),
            (lang.t("수신", "Received"), Kind::Text),
            (lang.t("지연", "Lag"), Kind::Num),
            (lang.t("경로", "Via"), Kind::Text),
            (lang.t("단계", "Step"), Kind::Num),
        ], cancellation_rows))
        @if !step_rows.is_empty() {
            h2 #steps { (lang.t("시나리오 단계", "The scenario's steps")) }
            (table(None, Some("steps"), &[
                (lang.t("단계", "Step"), Kind::Num),
                (lang.t("동작", "Action"), Kind::Text),
                (lang.t("시각", "At"), Kind::Text),
                (lang.t("주문", "Order"), Kind::Text),
                (lang.t("결과", "Outcome"), Kind::Wrap),
            ], step_rows))
        }
    }
}

/// The SVG's width and its rows' heights (user units; it scales to the page).
const WIDTH: f64 = 960.0;
const LEFT: f64 = 104.0;
const RIGHT: f64 = 16.0;
const HEIGHT: f64 = 190.0;

/// The timeline: four lanes over the report's period — coverage, cancellations, calls,
/// findings — with hour ticks.
fn timeline(lang: Lang, made: &Report, seen: &[Seen]) -> Markup {
    let from = made.period.from.unix_seconds();
    let to = made.period.to.unix_seconds().max(from + 60);
    let x = |at: KstDateTime| {
        let t = (at.unix_seconds().clamp(from, to) - from) as f64 / (to - from) as f64;
        LEFT + t * (WIDTH - LEFT - RIGHT)
    };
    let lanes = [
        (30.0, lang.t("조회 범위", "Coverage")),
        (70.0, lang.t("취소", "Cancels")),
        (110.0, lang.t("업체 호출", "Calls")),
        (150.0, lang.t("발견", "Findings")),
    ];
    // Ticks: a round number of hours, at most about eight.
    let span_hours = ((to - from) as f64 / 3600.0).max(1.0);
    let step = [1i64, 2, 3, 4, 6, 12, 24, 48, 168]
        .into_iter()
        .find(|hours| span_hours / *hours as f64 <= 8.0)
        .unwrap_or(336)
        * 3600;
    let first_tick = (from + 9 * 3600).div_euclid(step) * step + step - 9 * 3600;
    let ticks: Vec<KstDateTime> = (0..)
        .map(|n| first_tick + n * step)
        .take_while(|t| *t <= to)
        .filter_map(KstDateTime::from_unix_seconds)
        .collect();
    let label = format!(
        "{} {}, {} {}, {} {}",
        lang.t("취소", "cancellations"),
        made.summary.cancellations,
        lang.t("놓침", "missed"),
        made.summary.missed,
        lang.t("위험한 발견", "harmful findings"),
        made.summary.harmful
    );
    html! {
        svg.timeline viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img" aria-label=(label) xmlns="http://www.w3.org/2000/svg" {
            @for (y, name) in &lanes {
                text.lane x="4" y=(y + 4.0) { (name) }
                line.lane x1=(LEFT) x2=(WIDTH - RIGHT) y1=(y) y2=(y) {}
            }
            @for tick in &ticks {
                line.tick x1=(x(*tick)) x2=(x(*tick)) y1="14" y2="166" {}
                text.tick x=(x(*tick)) y="182" text-anchor="middle" { (tick.to_wire()[11..16].to_owned()) }
            }
            @for span in &made.coverage {
                rect.cover x=(x(span.from)) y="22" width=((x(span.to) - x(span.from)).max(1.0)) height="16" {
                    title { (span.from.to_wire()) " – " (span.to.to_wire()) }
                }
            }
            @for c in &made.cancellations {
                @match c.received_at {
                    Some(got) => {
                        line.got x1=(x(c.effective_at)) x2=(x(got)) y1="70" y2="70" {}
                        circle.got cx=(x(c.effective_at)) cy="70" r="4" {
                            title { (c.oror_no) " #" (c.oror_item_seq) " " (c.effective_at.to_wire()) " → " (got.to_wire()) " (" (c.lag_seconds.unwrap_or(0)) "s, " (c.via.as_deref().unwrap_or("")) ")" }
                        }
                        circle.got.end cx=(x(got)) cy="70" r="2.5" {}
                    },
                    None => {
                        path.miss d={ "M" (x(c.effective_at) - 5.0) " 65 l10 10 m0 -10 l-10 10" } {
                            title { (c.oror_no) " #" (c.oror_item_seq) " " (c.effective_at.to_wire()) " — " (lang.t("받지 못함", "never received")) }
                        }
                    },
                }
            }
            @for one in seen {
                @if let Seen::Call(at, call) = one {
                    line.call.failed[!call.done] x1=(x(*at)) x2=(x(*at)) y1="103" y2="117" {
                        title { (at.to_wire()) " " (call.kind.name()) " → " (if call.code.is_empty() { "-" } else { &call.code }) }
                    }
                }
            }
            @for f in &made.findings {
                path.finding.harmful[f.harmful] d={ "M" (x(f.at)) " 143 l6 7 l-6 7 l-6 -7 z" } {
                    title { (f.kind) " " (f.at.to_wire()) ": " (f.detail) }
                }
            }
        }
    }
}
