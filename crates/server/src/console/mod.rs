//! The web console at `/console/`: pages for the people in the cancellation policy —
//! service-center agents, vendors' staff and operators — rendered on the server (maud
//! templates compiled in), every asset served from here, every task a plain HTML form that
//! works without script. Korean unless the browser prefers English or the user switches.
//!
//! The console is another door to the same rules: it calls the store and the domain exactly
//! as the APIs do, and a vendor user acts with the [`Scope`](claims_domain::Scope) an API key
//! of theirs would have, so it sees exactly what that key sees.
//!
//! How a page is built: its handler reads a typed form or query (`forms`), fetches what
//! the page needs, hands it to a pure function that builds the page's view (a struct of
//! what to show, every rule already decided), and renders that view with maud; a template
//! only shows. Every form that changes state comes through `session::Posted`, which
//! checks its CSRF token, and answers with a redirect.

mod admin;
mod auth;
mod cancellations;
mod claiming;
mod forms;
mod layout;
mod orders;
mod page;
mod returns;
mod sandbox;
mod session;
mod shipping;
mod text;
mod today;

use axum::Router;
use axum::extract::{Query, Request};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use claims_wire::Lang;

pub use auth::{hash_password, new_password};
use forms::LanguageQuery;
use page::{PageError, harden, see_other};
use session::{LANG_COOKIE, Signed, cookie, home_of, lang_of, safe_next};
use text::Words;

use crate::app::credentials::hash_secret;
use crate::app::limits::{Kind, Presented, Refusal};
use crate::app::notes::Notes;
use crate::app::state::AppState;

/// The console's routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/console", get(|| async { see_other("/console/") }))
        .route("/console/", get(home))
        .route("/console/assets/console.css", get(layout::stylesheet))
        .route("/console/assets/console.js", get(layout::script))
        .route("/console/today", get(today::today))
        .route("/console/waiting", get(today::counts_json))
        .route("/console/language", get(language))
        .route("/console/login", get(auth::form).post(auth::sign_in))
        .route("/console/logout", post(auth::sign_out))
        .route("/console/orders", get(orders::search))
        .route("/console/orders/{ord_no}", get(orders::show))
        .route(
            "/console/orders/{ord_no}/cancel",
            get(orders::cancel_form).post(orders::cancel),
        )
        .route(
            "/console/orders/{ord_no}/requests/withdraw",
            post(orders::withdraw_request_post),
        )
        .route(
            "/console/orders/{ord_no}/pickups/withdraw",
            post(returns::withdraw),
        )
        .route(
            "/console/orders/{ord_no}/return",
            get(returns::return_form).post(returns::file_return),
        )
        .route(
            "/console/orders/{ord_no}/exchange",
            get(returns::exchange_form).post(returns::file_exchange),
        )
        .route("/console/returns", get(returns::list))
        .route("/console/returns/step", post(returns::step))
        .route("/console/returns/complete", post(returns::complete_picked))
        .route("/console/cancellations", get(cancellations::week))
        .route("/console/cancellations.csv", get(cancellations::csv))
        .route("/console/cancellations.xlsx", get(cancellations::xlsx))
        .route("/console/dashboard", get(cancellations::dashboard))
        .route("/console/sandbox", get(sandbox::show))
        .route("/console/shipping", get(shipping::list))
        .route("/console/shipping/confirm", post(shipping::confirm))
        .route("/console/shipping/release", post(shipping::release))
        .route("/console/shipping/approve", post(shipping::approve))
        .route("/console/shipping/bulk", post(shipping::bulk))
        .route("/console/shipping/waybills", post(shipping::waybills))
        .route(
            "/console/shipping/waybills.xlsx",
            get(shipping::waybill_template),
        )
        .route("/console/shipping/no-sell", post(shipping::no_sell))
        .route("/console/shipping/delay", post(shipping::delay))
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
        .route("/console/admin/keys/issued", get(admin::key_issued))
        .route("/console/admin/tokens/issued", get(admin::token_issued))
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
        .layer(axum::middleware::from_fn(hardened))
}

/// Every console answer carries the headers that keep pages from being framed or sniffed.
async fn hardened(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    harden(&mut response);
    response
}

/// The console session a request presents, for the guard's rate limit per session.
pub(crate) fn credential(headers: &HeaderMap) -> Option<Presented> {
    cookie(headers, session::SESSION_COOKIE).map(|token| Presented {
        kind: Kind::Session,
        hash: hash_secret(token).0,
    })
}

/// How the console refuses what the guard stops: a page saying to come back in a moment.
pub(crate) fn refuse(
    headers: &HeaderMap,
    _notes: Option<std::sync::Arc<Notes>>,
    refusal: Refusal,
) -> Response {
    let lang = lang_of(headers);
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
    harden(&mut response);
    response
}

/// Whether `path` is the console's, so an unknown one gets the console's 404 page.
pub(crate) fn is_console_path(path: &str) -> bool {
    path == "/console" || path.starts_with("/console/")
}

/// The console's answer to an address it does not have.
pub(crate) fn not_found(headers: &HeaderMap) -> Response {
    let lang = lang_of(headers);
    let mut response =
        PageError::not_found(lang, lang.t("없는 페이지입니다.", "There is no such page."))
            .into_response();
    harden(&mut response);
    response
}

async fn home(me: Signed) -> Response {
    see_other(home_of(&me.user))
}

/// Switches the console's language (a cookie) and goes back where the user was.
async fn language(Query(query): Query<LanguageQuery>) -> Response {
    let to = match query.to.as_str() {
        "en" => "en",
        _ => "ko",
    };
    let mut response = see_other(safe_next(&query.next).unwrap_or("/console/"));
    response.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_str(&format!(
            "{LANG_COOKIE}={to}; Path=/console; SameSite=Strict; Max-Age=31536000"
        ))
        .expect("a cookie of fixed text"),
    );
    response
}
