//! The console's page shell: the head, the navigation for the user's role, the language
//! switch and sign-out, and the one stylesheet, served from the binary.

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use claims_store::UserRole;
use claims_wire::Lang;
use maud::{DOCTYPE, Markup, html};

use claims_store::User;

use super::text::{Words, iso, percent};

/// Who a page is for: what its frame shows of the signed-in user, and the token its
/// sign-out form carries.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame<'a> {
    pub user: &'a User,
    pub csrf: &'a str,
    pub lang: Lang,
    /// The page's own address, to come back to after switching the language.
    pub here: &'a str,
    /// What waits for a vendor user: the menu's badges.
    pub waiting: Option<claims_store::Waiting>,
    /// Whether the service runs a sandbox: its report is in the menu.
    pub sandbox: bool,
}

/// A page for a signed-in user: `active` names the navigation entry it belongs to.
pub(super) fn shell(me: Frame<'_>, title: &str, active: &str, content: Markup) -> Markup {
    let lang = me.lang;
    let mut entries: Vec<(&str, &str, &str)> = Vec::new();
    match &me.user.role {
        UserRole::Admin => {
            entries.push((
                "dashboard",
                "/console/dashboard",
                lang.t("현황", "Dashboard"),
            ));
            entries.push(("orders", "/console/orders", lang.t("주문 찾기", "Orders")));
            entries.push((
                "cancellations",
                "/console/cancellations",
                lang.t("취소 내역", "Cancellations"),
            ));
            entries.push((
                "returns",
                "/console/returns",
                lang.t("반품·교환", "Returns"),
            ));
            entries.push(("admin", "/console/admin/vendors", lang.t("관리", "Admin")));
        }
        UserRole::ServiceCenter => {
            entries.push(("orders", "/console/orders", lang.t("주문 찾기", "Orders")));
        }
        UserRole::Vendor(_) => {
            entries.push(("today", "/console/today", lang.t("오늘 할 일", "To do")));
            entries.push((
                "shipping",
                "/console/shipping",
                lang.t("배송 처리", "Shipping"),
            ));
            entries.push((
                "cancellations",
                "/console/cancellations",
                lang.t("취소 내역", "Cancellations"),
            ));
            entries.push((
                "returns",
                "/console/returns",
                lang.t("반품·교환", "Returns"),
            ));
            entries.push((
                "dashboard",
                "/console/dashboard",
                lang.t("현황", "Dashboard"),
            ));
        }
    }
    if me.sandbox && !matches!(me.user.role, UserRole::ServiceCenter) {
        entries.push((
            "sandbox",
            "/console/sandbox",
            lang.t("샌드박스 보고서", "Sandbox report"),
        ));
    }
    let role = match &me.user.role {
        UserRole::Admin => lang.t("운영자", "Operator").to_owned(),
        UserRole::ServiceCenter => lang.t("고객센터 상담원", "Service-center agent").to_owned(),
        UserRole::Vendor(scope) => match &scope.lower_rank {
            Some(lower) => format!("{} {} / {}", lang.t("업체", "Vendor"), scope.vendor, lower),
            None => format!("{} {}", lang.t("업체", "Vendor"), scope.vendor),
        },
    };
    let (other, other_name) = match lang {
        Lang::Ko => ("en", "English"),
        Lang::En => ("ko", "한국어"),
    };
    document(
        lang,
        title,
        html! {
            a.skip href="#main" { (lang.t("본문으로 건너뛰기", "Skip to content")) }
            header.top {
                a.brand href="/console/" { "ssg-claims" }
                nav aria-label=(lang.t("주 메뉴", "Main")) {
                    ul {
                        @for (key, href, name) in &entries {
                            li {
                                a href=(href) aria-current=[(*key == active).then_some("page")] {
                                    (name) (menu_badge(lang, key, me.waiting))
                                }
                            }
                        }
                    }
                }
                div.who {
                    span { (me.user.login) " · " (role) }
                    a href={ "/console/language?to=" (other) "&next=" (percent(me.here)) } lang=(other) { (other_name) }
                    form method="post" action="/console/logout" {
                        input type="hidden" name="csrf" value=(me.csrf);
                        button type="submit" { (lang.t("로그아웃", "Sign out")) }
                    }
                }
            }
            @if me.waiting.is_some() {
                div #waiting-news.notice.warn.news aria-live="polite" hidden {}
            }
            main #main { (content) }
        },
    )
}

/// The badge a menu entry carries: on 배송 처리 the items waiting for the vendor (red while
/// a cancel request waits), on 취소 내역 today's cancellations, on 반품·교환 the pickups to
/// confirm or complete. The script refreshes them
/// (`data-waiting`).
fn menu_badge(lang: Lang, key: &str, waiting: Option<claims_store::Waiting>) -> Markup {
    let Some(waiting) = waiting else {
        return html! {};
    };
    let (count, urgent, what) = match key {
        "shipping" => (
            waiting.requests + waiting.to_confirm + waiting.to_release,
            waiting.requests > 0,
            lang.t("처리할 항목", "items to handle"),
        ),
        "cancellations" => (
            waiting.canceled_today,
            false,
            lang.t("오늘 취소", "canceled today"),
        ),
        "returns" => (
            waiting.pickups,
            false,
            lang.t("회수 대기", "pickups waiting"),
        ),
        _ => return html! {},
    };
    html! {
        " " span.count.urgent[urgent] data-waiting=(key) hidden[count == 0] {
            span.visually-hidden { (what) " " } span.n { (count) }
        }
    }
}

/// A page without navigation: sign-in and errors.
pub(super) fn bare(lang: Lang, title: &str, content: Markup) -> Markup {
    document(
        lang,
        title,
        html! {
            header.top { a.brand href="/console/" { "ssg-claims" } }
            main #main { (content) }
        },
    )
}

fn document(lang: Lang, title: &str, body: Markup) -> Markup {
    let code = match lang {
        Lang::Ko => "ko",
        Lang::En => "en",
    };
    html! {
        (DOCTYPE)
        html lang=(code) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · ssg-claims" }
                link rel="stylesheet" href="/console/assets/console.css";
                script src="/console/assets/console.js" defer {}
            }
            body { (body) }
        }
    }
}

/// How a column of a [`table`] is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Text,
    /// Right-aligned, in tabular figures.
    Num,
    /// Long text that may wrap.
    Wrap,
    /// Forms: wide enough for the fields they open.
    Action,
}

/// A column: its heading and kind.
pub(super) type Col<'a> = (&'a str, Kind);

/// A table of `rows` under `cols`. On a phone it stacks: each row a block, each cell under
/// its column's name (taken from `data-label`), so nothing hides off the right edge.
pub(super) fn table(
    caption: Option<&str>,
    labelled_by: Option<&str>,
    cols: &[Col<'_>],
    rows: Vec<Vec<Markup>>,
) -> Markup {
    let class = |kind: Kind| match kind {
        Kind::Text => None,
        Kind::Num => Some("num"),
        Kind::Wrap => Some("wrap"),
        Kind::Action => Some("action"),
    };
    html! {
        div.scroll tabindex="0" {
            table.stack aria-labelledby=[labelled_by] {
                @if let Some(caption) = caption { caption { (caption) } }
                thead { tr { @for (name, kind) in cols {
                    th scope="col" class=[class(*kind)] { (name) }
                } } }
                tbody { @for row in rows { tr {
                    @for ((name, kind), cell) in cols.iter().zip(row) {
                        td class=[class(*kind)] data-label=(name) { (cell) }
                    }
                } } }
            }
        }
    }
}

/// The script: what pages do better with it — the menu's counts kept fresh, a word when a
/// new cancel request arrives, picking every row of a queue at once. Every page works
/// without it.
pub(super) async fn script() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("console.js"),
    )
}

/// The stylesheet: system fonts (Noto Sans CJK where installed), no asset from elsewhere.
pub(super) async fn stylesheet() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("console.css"),
    )
}

/// What a vendor told about an item, as badges: its out-of-stock registration (when it
/// will be canceled, or how it ended) and its latest delay notice.
pub(super) fn notice_badges(
    lang: Lang,
    no_sell: Option<&claims_domain::NoSell>,
    delay: Option<&claims_domain::Delay>,
) -> Markup {
    use claims_domain::NoSellStatus;
    html! {
        @if let Some(no_sell) = no_sell {
            @match no_sell.status {
                NoSellStatus::Registered => {
                    " " span.badge.bad title=(no_sell.text.as_str()) {
                        (lang.t("판매불가", "out of stock")) " · "
                        (no_sell.executes_at.to_wire()[..16].to_owned())
                        (lang.t(" 자동 취소 예정", " canceled then"))
                    }
                }
                NoSellStatus::Executed => {
                    " " span.badge { (lang.t("판매불가 취소됨", "canceled: out of stock")) }
                }
                NoSellStatus::Void => {
                    " " span.badge { (lang.t("판매불가 (취소할 수량 없음)", "out of stock (nothing left)")) }
                }
                NoSellStatus::Withdrawn => {}
            }
        }
        @if let Some(delay) = delay {
            " " span.badge.warn title=(delay.reason.name()) {
                (lang.t("출고 예정 ", "ships by ")) (iso(delay.until))
                @if delay.notices > 1 { " (" (delay.notices) (lang.t("회 안내", " notices")) ")" }
            }
        }
    }
}
