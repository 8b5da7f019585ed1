//! Who is asking: the session cookie turned into the signed-in user (or a redirect to the
//! sign-in page), the page's language, the roles a page lets in, and forms that change
//! state checked against the session's CSRF token before their handler runs.

use axum::extract::{Form, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use claims_store::{RoleKind, Session, StoreError, User, UserRole};
use claims_wire::Lang;
use serde::de::DeserializeOwned;

use super::forms::Posting;
use super::layout::Frame;
use super::page::{PageError, see_other};
use super::text::{Words, percent};
use crate::app::credentials::hash_secret;
use crate::app::state::AppState;

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "console_session";
/// The language cookie's name.
pub(crate) const LANG_COOKIE: &str = "console_lang";

/// The value of cookie `name`, from the request's `Cookie` headers. (Written by hand: a
/// `name=value; name=value` list is all the console reads, and a cookie crate would add a
/// dependency for one split.)
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
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
pub(crate) fn lang_of(headers: &HeaderMap) -> Lang {
    match cookie(headers, LANG_COOKIE) {
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

/// A `next` address to return to: only a path of the console itself, never another site,
/// and never one with a control character.
pub(crate) fn safe_next(next: &str) -> Option<&str> {
    Some(next).filter(|next| {
        next.starts_with("/console/")
            && !next.starts_with("//")
            && !next.contains('\\')
            && !next.chars().any(char::is_control)
    })
}

/// Where each role starts.
pub(crate) fn home_of(user: &User) -> &'static str {
    match user.role {
        UserRole::Admin => "/console/dashboard",
        UserRole::ServiceCenter => "/console/orders",
        UserRole::Vendor(_) => "/console/today",
    }
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
    /// What waits for a vendor user, for the menu's badges (read for pages, not for forms).
    pub waiting: Option<claims_store::Waiting>,
    /// Whether the service runs a sandbox (its report is then in the menu).
    pub sandbox: bool,
}

impl Signed {
    /// The agent id an agent's cancellations record: the login.
    pub fn agent(&self) -> claims_domain::AgentId {
        claims_domain::AgentId::parse("agentId", self.user.login.as_str())
            .expect("a login is a valid agent id")
    }

    /// What the page's frame shows of this user.
    pub fn frame(&self) -> Frame<'_> {
        Frame {
            user: &self.user,
            csrf: &self.csrf,
            lang: self.lang,
            here: &self.here,
            waiting: self.waiting,
            sandbox: self.sandbox,
        }
    }

    /// Lets through only the roles named.
    pub fn require(&self, allowed: &[RoleKind]) -> Result<(), PageError> {
        if allowed.contains(&self.user.role.kind()) {
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

    /// The scope of a vendor user; others are refused with `refusal`'s words.
    pub fn vendor_scope(&self, refusal: (&str, &str)) -> Result<claims_domain::Scope, PageError> {
        match self.user.role.scope() {
            Some(scope) => Ok(scope.clone()),
            None => Err(PageError::forbidden(
                self.lang,
                self.lang.t(refusal.0, refusal.1),
            )),
        }
    }
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Response> {
        let lang = lang_of(&parts.headers);
        let here = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
        let session = session_of(app, &parts.headers)
            .await
            .map_err(|error| PageError::store(lang, error).into_response())?;
        match session {
            Some(session) => {
                // Pages show the counts in their menu; forms and downloads (a file) do not.
                let page = parts.method == Method::GET
                    && !parts.uri.path().ends_with(".csv")
                    && !parts.uri.path().ends_with(".xlsx");
                let waiting = match (page, session.user.role.scope()) {
                    (true, Some(scope)) => waiting(app, scope)
                        .await
                        .map_err(|error| PageError::store(lang, error).into_response())?,
                    _ => None,
                };
                Ok(Signed {
                    user: session.user,
                    csrf: session.csrf,
                    lang,
                    here,
                    waiting,
                    sandbox: app.sandbox.is_some(),
                })
            }
            None => {
                let next = if parts.method == Method::GET {
                    format!("?next={}", percent(&here))
                } else {
                    String::new()
                };
                Err(see_other(&format!("/console/login{next}")))
            }
        }
    }
}

/// How far back the shipping lists reach (SSG's 180 days), for the counts of what waits.
pub(crate) const SHIPPING_DAYS: i32 = 180;

/// What waits for the vendor holding `scope`, now.
pub(crate) async fn waiting(
    app: &AppState,
    scope: &claims_domain::Scope,
) -> Result<Option<claims_store::Waiting>, StoreError> {
    let today = claims_domain::KstDate::of(app.clock.now());
    app.store
        .waiting(
            scope,
            today.plus_days(1 - SHIPPING_DAYS).start(),
            today.start(),
        )
        .await
        .map(Some)
}

/// The live session the request's cookie opens, if any (it counts as used now).
pub(crate) async fn session_of(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Session>, StoreError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let now = app.clock.now();
    let idle = app.config.console.idle.as_secs() as i64;
    let lifetime = app.config.console.lifetime.as_secs() as i64;
    app.store
        .console_session(
            &hash_secret(token),
            now,
            now.plus_seconds(-idle),
            now.plus_seconds(-lifetime),
        )
        .await
}

/// Compares two tokens in time that does not depend on where they differ; an empty token
/// matches nothing.
pub(crate) fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    !a.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A form that changes state, from a signed-in user, with this session's CSRF token: the
/// only way a handler receives one. A form without the token is refused (403) before its
/// handler runs; a form that cannot be read is refused naming why.
#[derive(Debug)]
pub(crate) struct Posted<F> {
    pub me: Signed,
    pub form: F,
}

impl<F> FromRequest<AppState> for Posted<F>
where
    F: Posting + DeserializeOwned + Send,
{
    type Rejection = Response;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let me = Signed::from_request_parts(&mut parts, app).await?;
        let lang = me.lang;
        let request = Request::from_parts(parts, body);
        let Form(form) = Form::<F>::from_request(request, app)
            .await
            .map_err(|rejection| {
                PageError::bad_request(
                    lang,
                    match lang {
                        Lang::Ko => format!("양식을 읽을 수 없습니다: {}", rejection.body_text()),
                        Lang::En => format!("The form cannot be read: {}", rejection.body_text()),
                    },
                )
                .into_response()
            })?;
        if !same(form.csrf(), &me.csrf) {
            return Err(PageError::forbidden(
                lang,
                lang.t(
                    "이 양식은 만료되었거나 다른 곳에서 보내졌습니다. 페이지를 새로 고친 뒤 다시 시도하세요.",
                    "This form has expired or was sent from elsewhere. Reload the page and try again.",
                ),
            )
            .into_response());
        }
        Ok(Posted { me, form })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
        assert!(!same("", ""));
    }

    #[test]
    fn next_stays_in_the_console_and_holds_no_control_character() {
        assert_eq!(
            safe_next("/console/orders?q=1"),
            Some("/console/orders?q=1")
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/console/",
            "/console/\\evil",
            "/console/\u{1}",
            "/console/\u{0}",
            "/console/\u{7f}",
            "/console/a\r\nSet-Cookie: x",
            "/api/clm",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }
}
