//! The web console at `/console/`: pages for the people in the cancellation policy —
//! service-center agents, vendors' staff and operators — rendered on the server (maud
//! templates compiled in), every asset served from here, every task a plain HTML form that
//! works without script. Korean unless the browser prefers English or the user switches.
//!
//! The console is another door to the same rules: it calls the store and the domain exactly
//! as the APIs do, and a vendor user acts with the [`Scope`](claims_domain::Scope) an API key
//! of theirs would have, so it sees exactly what that key sees. Each page builds one view of
//! domain values; templates compute no rule.

mod admin;
mod auth;
mod cancellations;
mod layout;
mod orders;
mod shipping;

use std::collections::HashMap;

use axum::Router;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use claims_store::{StoreError, User, UserRole};
use claims_wire::Lang;
use maud::{Markup, html};

pub use auth::{hash_password, new_password};

use crate::app::credentials::hash_secret;
use crate::app::limits::{Kind, Presented, Refusal};
use crate::app::problem::{Problem, ProblemKind};
use crate::app::state::AppState;

/// The console's routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/console", get(|| async { see_other("/console/") }))
        .route("/console/", get(home))
        .route("/console/assets/console.css", get(layout::stylesheet))
        .route("/console/language", get(language))
        .route("/console/login", get(auth::form).post(auth::sign_in))
        .route("/console/logout", post(auth::sign_out))
        .route("/console/orders", get(orders::search))
        .route("/console/orders/{ord_no}", get(orders::show))
        .route(
            "/console/orders/{ord_no}/cancel",
            get(orders::cancel_form).post(orders::cancel),
        )
        .route("/console/cancellations", get(cancellations::week))
        .route("/console/cancellations.csv", get(cancellations::csv))
        .route("/console/cancellations.xlsx", get(cancellations::xlsx))
        .route("/console/dashboard", get(cancellations::dashboard))
        .route("/console/shipping", get(shipping::list))
        .route("/console/shipping/confirm", post(shipping::confirm))
        .route("/console/shipping/release", post(shipping::release))
        .route("/console/shipping/approve", post(shipping::approve))
        .route(
            "/console/admin",
            get(|| async { see_other("/console/admin/vendors") }),
        )
        .route(
            "/console/admin/vendors",
            get(admin::vendors).post(admin::add_vendor),
        )
        .route(
            "/console/admin/keys",
            get(admin::keys).post(admin::issue_key),
        )
        .route("/console/admin/keys/revoke", post(admin::revoke_key))
        .route(
            "/console/admin/tokens",
            get(admin::tokens).post(admin::create_token),
        )
        .route("/console/admin/tokens/revoke", post(admin::revoke_token))
        .route(
            "/console/admin/users",
            get(admin::users).post(admin::add_user),
        )
        .route("/console/admin/users/delete", post(admin::delete_user))
}

/// The console session a request presents, for the guard's rate limit per session.
pub(crate) fn credential(headers: &HeaderMap) -> Option<Presented> {
    cookie(headers, auth::SESSION_COOKIE).map(|token| Presented {
        kind: Kind::Session,
        hash: hash_secret(token).0,
    })
}

/// How the console refuses what the guard stops: a page saying to come back in a moment.
pub(crate) fn refuse(
    headers: &HeaderMap,
    _notes: Option<std::sync::Arc<crate::app::notes::Notes>>,
    refusal: Refusal,
) -> Response {
    let lang = lang_of(headers, None);
    let (status, message, retry_after) = match refusal {
        Refusal::Busy | Refusal::TooSlow => (
            StatusCode::SERVICE_UNAVAILABLE,
            lang.t(
                "지금은 요청이 많아 처리할 수 없습니다. 잠시 뒤 다시 시도하세요.",
                "The console is busy. Try again in a moment.",
            )
            .to_owned(),
            1,
        ),
        Refusal::RateLimited { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            match lang {
                Lang::Ko => {
                    format!("요청이 너무 많습니다. {retry_after_secs}초 뒤에 다시 시도하세요.")
                }
                Lang::En => format!("Too many requests. Try again in {retry_after_secs} s."),
            },
            retry_after_secs,
        ),
    };
    let mut response = PageError::new(status, lang, message).into_response();
    response.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        HeaderValue::from(retry_after),
    );
    response
}

/// Whether `path` is the console's, so an unknown one gets the console's 404 page.
pub(crate) fn is_console_path(path: &str) -> bool {
    path == "/console" || path.starts_with("/console/")
}

/// The console's answer to an address it does not have.
pub(crate) fn not_found(headers: &HeaderMap) -> Response {
    let lang = lang_of(headers, None);
    PageError::not_found(lang, lang.t("없는 페이지입니다.", "There is no such page."))
        .into_response()
}

/// Where each role starts.
fn home_of(user: &User) -> &'static str {
    match user.role {
        UserRole::Admin => "/console/dashboard",
        UserRole::ServiceCenter => "/console/orders",
        UserRole::Vendor(_) => "/console/cancellations",
    }
}

async fn home(me: Signed) -> Response {
    see_other(home_of(&me.user))
}

fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(
            LOCATION,
            HeaderValue::from_str(location).expect("a path we built"),
        )],
    )
        .into_response()
}

/// A `next` address to return to: only a path of the console itself, never another site.
fn safe_next(next: Option<&str>) -> Option<&str> {
    next.filter(|next| {
        next.starts_with("/console/")
            && !next.starts_with("//")
            && !next.contains(['\\', '\r', '\n'])
    })
}

/// The language cookie's name.
const LANG_COOKIE: &str = "console_lang";

/// The value of cookie `name`, from the request's `Cookie` headers. (Written by hand: a
/// `name=value; name=value` list is all the console reads, and a cookie crate would add a
/// dependency for one split.)
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The page's language: the user's choice (cookie), else what the browser prefers between
/// Korean and English, else Korean.
fn lang_of(headers: &HeaderMap, chosen: Option<&str>) -> Lang {
    let choice = chosen.or_else(|| cookie(headers, LANG_COOKIE));
    match choice {
        Some("en") => Lang::En,
        Some("ko") => Lang::Ko,
        _ => claims_wire::preferred_language(
            headers
                .get(axum::http::header::ACCEPT_LANGUAGE)
                .and_then(|value| value.to_str().ok()),
        )
        .unwrap_or(Lang::Ko),
    }
}

/// Words in the page's language.
trait Words {
    fn t<'a>(self, ko: &'a str, en: &'a str) -> &'a str;
}

impl Words for Lang {
    fn t<'a>(self, ko: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ko => ko,
            Lang::En => en,
        }
    }
}

#[derive(Debug, serde::Deserialize)]
struct LanguageQuery {
    to: Option<String>,
    next: Option<String>,
}

/// Switches the console's language (a cookie) and goes back where the user was.
async fn language(Query(query): Query<LanguageQuery>) -> Response {
    let to = match query.to.as_deref() {
        Some("en") => "en",
        _ => "ko",
    };
    let mut response = see_other(safe_next(query.next.as_deref()).unwrap_or("/console/"));
    response.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_str(&format!(
            "{LANG_COOKIE}={to}; Path=/console; SameSite=Strict; Max-Age=31536000"
        ))
        .expect("a cookie we built"),
    );
    response
}

/// A signed-in user, from the session cookie; without a live session, the browser is sent
/// to the sign-in page and back here afterwards.
#[derive(Debug, Clone)]
pub(crate) struct Signed {
    pub user: User,
    pub csrf: String,
    pub lang: Lang,
    /// The path (and query) of this page.
    pub here: String,
}

impl Signed {
    /// The agent id an agent's cancellations record: the login.
    fn agent(&self) -> claims_domain::AgentId {
        claims_domain::AgentId::parse("agentId", self.user.login.as_str())
            .expect("a login is a valid agent id")
    }

    /// Refuses a form without this session's CSRF token.
    fn check(&self, form: &HashMap<String, String>) -> Result<(), PageError> {
        let sent = form.get("csrf").map(String::as_str).unwrap_or("");
        if auth::same(sent, &self.csrf) {
            Ok(())
        } else {
            Err(PageError::forbidden(
                self.lang,
                self.lang.t(
                    "이 양식은 만료되었거나 다른 곳에서 보내졌습니다. 페이지를 새로 고친 뒤 다시 시도하세요.",
                    "This form has expired or was sent from elsewhere. Reload the page and try again.",
                ),
            ))
        }
    }

    /// Lets through only the roles named.
    fn require(&self, allowed: &[&str]) -> Result<(), PageError> {
        if allowed.contains(&self.user.role.name()) {
            Ok(())
        } else {
            Err(PageError::forbidden(
                self.lang,
                self.lang.t(
                    "이 페이지를 볼 권한이 없습니다.",
                    "You are not allowed to see this page.",
                ),
            ))
        }
    }
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Response> {
        let lang = lang_of(&parts.headers, None);
        let here = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
        let to_sign_in = || {
            let next = if parts.method == axum::http::Method::GET {
                format!("?next={}", percent(&here))
            } else {
                String::new()
            };
            see_other(&format!("/console/login{next}"))
        };
        let session = session_of(app, &parts.headers)
            .await
            .map_err(|error| PageError::store(lang, error).into_response())?;
        match session {
            Some(session) => Ok(Signed {
                user: session.user,
                csrf: session.csrf,
                lang,
                here,
            }),
            None => Err(to_sign_in()),
        }
    }
}

/// The live session the request's cookie opens, if any (it counts as used now).
async fn session_of(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<Option<claims_store::Session>, StoreError> {
    let Some(token) = cookie(headers, auth::SESSION_COOKIE) else {
        return Ok(None);
    };
    let now = app.clock.now();
    let idle = app.config.console.idle.as_secs() as i64;
    app.store
        .console_session(&hash_secret(token), now, now.plus_seconds(-idle))
        .await
}

/// A query or form value that was given: trimmed, and not empty.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A day from a date input (`2026-11-21`) or a query (`20261121`); `None` when not given.
fn day(
    lang: Lang,
    name: &str,
    value: &Option<String>,
) -> Result<Option<claims_domain::KstDate>, PageError> {
    let Some(text) = given(value) else {
        return Ok(None);
    };
    claims_domain::KstDate::parse_compact(&text.replace('-', ""))
        .map(Some)
        .map_err(|_| {
            PageError::bad_request(
                lang,
                match lang {
                    Lang::Ko => format!("{name} 날짜가 올바르지 않습니다: {text:?}"),
                    Lang::En => format!("the {name} date is not a date: {text:?}"),
                },
            )
        })
}

/// What a query string may hold as it is: unreserved characters, and `/` so that a `next`
/// path stays readable.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// `text` for a query string: everything else percent-encoded.
fn percent(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, QUERY_VALUE).to_string()
}

/// A page that could not be shown as asked: its status and what to tell the user.
#[derive(Debug)]
pub(crate) struct PageError {
    status: StatusCode,
    lang: Lang,
    message: String,
}

impl PageError {
    fn new(status: StatusCode, lang: Lang, message: impl Into<String>) -> Self {
        Self {
            status,
            lang,
            message: message.into(),
        }
    }

    fn not_found(lang: Lang, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, lang, message)
    }

    fn forbidden(lang: Lang, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, lang, message)
    }

    fn bad_request(lang: Lang, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, lang, message)
    }

    /// A store failure, told as the platform API tells it (in the page's language); an
    /// internal one is logged once here and told only as such.
    fn store(lang: Lang, error: StoreError) -> Self {
        Self::problem(lang, Problem::from(error))
    }

    fn problem(lang: Lang, problem: Problem) -> Self {
        if problem.kind == ProblemKind::Internal {
            tracing::error!(detail = %problem.detail, "a console page failed");
        }
        let message = match problem.kind {
            ProblemKind::Internal => lang
                .t(
                    "서버 오류가 발생했습니다. 잠시 뒤 다시 시도하세요.",
                    "The server failed. Try again in a moment.",
                )
                .to_owned(),
            _ => problem.detail_in(lang),
        };
        Self::new(problem.kind.status(), lang, message)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let lang = self.lang;
        let title = match self.status {
            StatusCode::NOT_FOUND => lang.t("찾을 수 없습니다", "Not found"),
            StatusCode::FORBIDDEN => lang.t("허용되지 않습니다", "Not allowed"),
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
        response
    }
}

/// An HTML page, never cached (pages hold customers' data).
fn page(markup: Markup) -> Response {
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        markup.into_string(),
    )
        .into_response()
}

/// The `value` of form field `name`, trimmed; empty when missing.
fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map_or("", |value| value.trim())
}

/// `State` for handlers that need the app.
type App = State<AppState>;
