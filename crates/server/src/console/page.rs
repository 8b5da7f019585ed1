//! What every page answers with: an HTML page that is never cached and never framed, a
//! redirect after a form (post, redirect, get), and [`PageError`], a page that could not be
//! shown as asked, told in the user's words.

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use claims_domain::KstDate;
use claims_store::StoreError;
use claims_wire::Lang;
use maud::{Markup, html};

use super::layout;
use super::text::Words;
use crate::app::notes::Cause;
use crate::app::problem::{Problem, ProblemKind};

/// The headers every console answer carries: nothing may frame a page, sniff its type or
/// learn where a link came from; pages run no script from elsewhere.
pub(crate) fn harden(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
}

/// An HTML page, never cached (pages hold customers' data).
pub(crate) fn page(markup: Markup) -> Response {
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        markup.into_string(),
    )
        .into_response()
}

/// A redirect to `location`, a path this console built (the console's start should it not
/// be a valid header).
pub(crate) fn see_other(location: &str) -> Response {
    let location =
        HeaderValue::from_str(location).unwrap_or_else(|_| HeaderValue::from_static("/console/"));
    (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()
}

/// A day from a date input (`2026-11-21`) or a query (`20261121`); `None` when not given.
pub(crate) fn day(lang: Lang, label: &str, value: &str) -> Result<Option<KstDate>, PageError> {
    let Some(text) = super::forms::given(value) else {
        return Ok(None);
    };
    KstDate::parse_compact(&text.replace('-', ""))
        .map(Some)
        .map_err(|_| {
            PageError::bad_request(
                lang,
                match lang {
                    Lang::Ko => format!("{label} 날짜가 올바르지 않습니다: {text:?}"),
                    Lang::En => format!("the {label} date is not a date: {text:?}"),
                },
            )
        })
}

/// A page that could not be shown as asked: its status and what to tell the user; when
/// the failure is ours, its cause for the access log (never for the page).
#[derive(Debug)]
pub(crate) struct PageError {
    pub status: StatusCode,
    pub lang: Lang,
    pub message: String,
    cause: Option<Cause>,
}

impl PageError {
    pub fn new(status: StatusCode, lang: Lang, message: impl Into<String>) -> Self {
        Self {
            status,
            lang,
            message: message.into(),
            cause: None,
        }
    }

    pub fn not_found(lang: Lang, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, lang, message)
    }

    pub fn forbidden(lang: Lang, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, lang, message)
    }

    pub fn bad_request(lang: Lang, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, lang, message)
    }

    /// A store failure, told in the words every surface uses for it (in the page's
    /// language); one of ours only as such.
    pub fn store(lang: Lang, error: StoreError) -> Self {
        Self::problem(lang, Problem::from(error))
    }

    pub fn problem(lang: Lang, problem: Problem) -> Self {
        let message = match problem.kind {
            ProblemKind::Internal => lang
                .t(
                    "서버 오류가 발생했습니다. 잠시 뒤 다시 시도하세요.",
                    "The server failed. Try again in a moment.",
                )
                .to_owned(),
            _ => problem.detail_in(lang),
        };
        Self {
            cause: problem.cause.as_deref().cloned(),
            ..Self::new(problem.kind.status(), lang, message)
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let lang = self.lang;
        let title = match self.status {
            StatusCode::NOT_FOUND => lang.t("찾을 수 없습니다", "Not found"),
            StatusCode::FORBIDDEN => lang.t("허용되지 않습니다", "Not allowed"),
            StatusCode::TOO_MANY_REQUESTS => lang.t("잠시 기다려 주세요", "Please wait"),
            status if status.is_server_error() => lang.t("서버 오류", "Server error"),
            _ => lang.t("처리할 수 없습니다", "Cannot do that"),
        };
        let body = layout::bare(
            lang,
            title,
            html! {
                h1 { (title) }
                p.notice.error role="alert" { (self.message) }
                p { a href="/console/" { (lang.t("처음으로", "Back to the start")) } }
            },
        );
        let mut response = page(body);
        *response.status_mut() = self.status;
        if let Some(cause) = self.cause {
            response.extensions_mut().insert(cause);
        }
        response
    }
}
