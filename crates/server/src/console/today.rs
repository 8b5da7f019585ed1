//! A vendor's first screen, "오늘 할 일": what waits — cancel requests to answer (and how
//! long the oldest has waited), items to confirm and to release, today's cancellations —
//! each a link into its queue; and `/console/waiting`, the same counts as JSON for the
//! script that keeps every page's badges fresh.

use axum::Json;
use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Response};
use claims_store::Waiting;
use claims_wire::Lang;
use maud::{Markup, html};
use serde::Serialize;

use super::layout::shell;
use super::page::{PageError, page};
use super::session::{Signed, waiting};
use super::text::{Words, age};
use crate::app::state::AppState;

/// A request waiting longer than this is late.
const LATE_SECONDS: i64 = 24 * 3600;

fn scope_of(me: &Signed) -> Result<claims_domain::Scope, PageError> {
    me.vendor_scope((
        "업체 사용자의 첫 화면입니다.",
        "This is a vendor user's first screen.",
    ))
}

/// The counts, as the page and the script show them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Counts {
    requests: u64,
    to_confirm: u64,
    to_release: u64,
    canceled_today: u64,
    /// Returns' and exchanges' pickups to confirm or complete.
    pickups: u64,
    /// What the menu's 배송 처리 badge counts.
    shipping: u64,
    /// How long the oldest request has waited, in words ("" when none waits).
    oldest: String,
    /// Whether the oldest request waited more than a day.
    late: bool,
    /// The words the script shows when new requests arrive.
    news: &'static str,
}

fn counts(waiting: Waiting, now: claims_domain::KstDateTime, lang: Lang) -> Counts {
    let waited = waiting
        .oldest_request
        .map(|filed| now.unix_seconds() - filed.unix_seconds());
    Counts {
        requests: waiting.requests,
        to_confirm: waiting.to_confirm,
        to_release: waiting.to_release,
        canceled_today: waiting.canceled_today,
        pickups: waiting.pickups,
        shipping: waiting.requests + waiting.to_confirm + waiting.to_release,
        oldest: waited.map_or_else(String::new, |seconds| age(lang, seconds)),
        late: waited.is_some_and(|seconds| seconds >= LATE_SECONDS),
        news: lang.t(
            "새 취소신청이 들어왔습니다.",
            "A new cancel request has arrived.",
        ),
    }
}

/// What waits for the signed-in vendor: as the request's extractor read it for the menu,
/// or read now.
async fn waiting_of(
    app: &AppState,
    me: &Signed,
    scope: &claims_domain::Scope,
) -> Result<Waiting, PageError> {
    match me.waiting {
        Some(waiting) => Ok(waiting),
        None => Ok(waiting(app, scope)
            .await
            .map_err(|e| PageError::store(me.lang, e))?
            .unwrap_or_default()),
    }
}

/// `/console/today`.
pub(super) async fn today(State(app): State<AppState>, me: Signed) -> Result<Response, PageError> {
    let scope = scope_of(&me)?;
    let lang = me.lang;
    let now = app.clock.now();
    let counts = counts(waiting_of(&app, &me, &scope).await?, now, lang);
    let title = lang.t("오늘 할 일", "To do today");
    Ok(page(shell(
        me.frame(),
        title,
        "today",
        markup(lang, title, &counts, now),
    )))
}

fn markup(lang: Lang, title: &str, counts: &Counts, now: claims_domain::KstDateTime) -> Markup {
    let tile = |href: &str, key: &str, label: &str, count: u64, urgent: bool, note: Markup| {
        html! {
            a.tile.urgent[urgent] href=(href) {
                span.label { (label) }
                strong data-waiting=(key) { (count) }
                (note)
            }
        }
    };
    html! {
        h1 { (title) }
        p.muted {
            (now.to_wire()[..16].to_owned()) (lang.t(" 기준. 숫자는 1분마다 새로 고쳐집니다.", " — the counts refresh every minute."))
        }
        div.tiles {
            (tile(
                "/console/shipping?tab=requests#queue",
                "requests",
                lang.t("승인을 기다리는 취소신청", "Cancel requests to answer"),
                counts.requests,
                counts.requests > 0,
                html! {
                    span.note data-waiting="oldest" {
                        @if !counts.oldest.is_empty() {
                            (lang.t("가장 오래된 신청 ", "oldest waiting ")) (counts.oldest)
                            @if counts.late { (lang.t(" — 늦었습니다", " — late")) }
                        }
                    }
                },
            ))
            (tile(
                "/console/shipping?tab=confirm#queue",
                "toConfirm",
                lang.t("주문확인할 상품", "Items to confirm"),
                counts.to_confirm,
                false,
                html! { span.note { (lang.t("배송지시 상태", "instructed")) } },
            ))
            (tile(
                "/console/shipping?tab=release#queue",
                "toRelease",
                lang.t("출고할 상품", "Items to release"),
                counts.to_release,
                false,
                html! { span.note { (lang.t("운송장을 입력해 출고", "enter waybills and release")) } },
            ))
            (tile(
                "/console/returns",
                "pickups",
                lang.t("회수를 기다리는 반품·교환", "Returns and exchanges to pick up"),
                counts.pickups,
                false,
                html! { span.note { (lang.t("회수확인·회수완료", "confirm, then complete")) } },
            ))
            (tile(
                "/console/cancellations",
                "canceledToday",
                lang.t("오늘 취소된 상품", "Canceled today"),
                counts.canceled_today,
                false,
                html! { span.note { (lang.t("포장 전에 확인하세요", "check before packing")) } },
            ))
        }
        section.card {
            h2 { (lang.t("순서", "In order")) }
            ol {
                li { (lang.t("취소신청부터 답하세요: 승인하면 취소되고, 출고하면 신청이 거부됩니다.", "Answer cancel requests first: approving cancels; releasing rejects the request.")) }
                li { (lang.t("오늘 취소된 상품은 포장하지 마세요.", "Do not pack what was canceled today.")) }
                li { (lang.t("주문확인 후 운송장을 입력해 출고하세요 — 여러 건은 운송장 양식으로 한 번에.", "Confirm, then release with waybills — many at once with the waybill sheet.")) }
            }
        }
    }
}

/// `/console/waiting`: the counts as JSON, for the script (never cached).
pub(super) async fn counts_json(
    State(app): State<AppState>,
    me: Signed,
) -> Result<Response, PageError> {
    let scope = scope_of(&me)?;
    let counts = counts(
        waiting_of(&app, &me, &scope).await?,
        app.clock.now(),
        me.lang,
    );
    Ok(([(CACHE_CONTROL, "no-store")], Json(counts)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_request_is_told_as_a_wait() {
        let now = claims_domain::KstDateTime::parse("t", "2026-12-07 12:00:00").unwrap();
        let waiting = Waiting {
            requests: 2,
            oldest_request: Some(now.plus_seconds(-26 * 3600)),
            to_confirm: 5,
            to_release: 7,
            canceled_today: 1,
            pickups: 3,
        };
        let counts = counts(waiting, now, Lang::Ko);
        assert_eq!(
            (counts.shipping, counts.oldest.as_str(), counts.late),
            (14, "26시간", true)
        );
        let none = counts_for_nothing(now);
        assert_eq!((none.oldest.as_str(), none.late), ("", false));
    }

    fn counts_for_nothing(now: claims_domain::KstDateTime) -> Counts {
        counts(Waiting::default(), now, Lang::Ko)
    }
}
