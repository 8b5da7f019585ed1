//! Signing in and out: passwords checked against their Argon2id hashes, sessions opened in
//! the store (any node serves them) behind an `HttpOnly`, `SameSite=Strict` cookie, failed
//! attempts slowed per (login, client address) and per client address
//! ([`crate::app::sign_ins`]).

use std::net::IpAddr;
use std::time::Instant;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use claims_store::{Login, NewSession, Password};
use claims_wire::Lang;
use maud::html;

use super::forms::{SignInForm, SignInQuery, SignOutForm};
use super::layout;
use super::page::{PageError, page, see_other};
use super::session::{
    Posted, SESSION_COOKIE, cookie, home_of, lang_of, safe_next, same, session_of,
};
use super::text::Words;
use crate::app::credentials::hash_secret;
use crate::app::sign_ins::Attempt;
use crate::app::state::AppState;

/// The cookie that ties the sign-in form to the browser that asked for it.
const SIGN_IN_COOKIE: &str = "console_sign_in";

/// Hashes a password with Argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane) and a
/// random salt, as a PHC string.
pub fn hash_password(password: &Password) -> String {
    let salt =
        SaltString::encode_b64(&rand::random::<[u8; 16]>()).expect("16 bytes make a valid salt");
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .expect("Argon2 with its default parameters hashes any password")
        .to_string()
}

/// A new random password people can read aloud: 14 letters and digits, none that look
/// alike (about 80 bits).
pub fn new_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXY23456789";
    (0..14)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Whether `password` matches `hash`; a hash that cannot be read matches nothing.
fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash of a password nobody has, checked when the login does not exist, so that an
/// unknown login takes as long to refuse as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        hash_password(&Password::parse("no user has this password").expect("long enough"))
    })
}

/// 32 random bytes as lowercase hex.
fn random_token() -> String {
    rand::random::<[u8; 32]>()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The sign-in page.
pub(super) async fn form(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<SignInQuery>,
) -> Response {
    let lang = lang_of(&headers);
    if let Ok(Some(session)) = session_of(&app, &headers).await {
        return see_other(home_of(&session.user));
    }
    sign_in_page(lang, StatusCode::OK, None, "", safe_next(&query.next))
}

/// The form, with a fresh token tied to this browser by a cookie.
fn sign_in_page(
    lang: Lang,
    status: StatusCode,
    error: Option<&str>,
    login: &str,
    next: Option<&str>,
) -> Response {
    let token = random_token();
    let title = lang.t("로그인", "Sign in");
    let names = SignInForm::NAMES;
    let body = layout::bare(
        lang,
        title,
        html! {
            form.card.sign-in method="post" action="/console/login" {
                h1 { (lang.t("ssg-claims 콘솔 로그인", "Sign in to the ssg-claims console")) }
                @if let Some(error) = error {
                    p.notice.error role="alert" { (error) }
                }
                input type="hidden" name=(names.csrf) value=(token);
                @if let Some(next) = next {
                    input type="hidden" name=(names.next) value=(next);
                }
                label for=(names.login) { (lang.t("아이디", "Login")) }
                input id=(names.login) name=(names.login) type="text" autocomplete="username" required value=(login)
                    autocapitalize="none" spellcheck="false";
                label for=(names.password) { (lang.t("비밀번호", "Password")) }
                input id=(names.password) name=(names.password) type="password" autocomplete="current-password" required;
                div.actions { button type="submit" { (lang.t("로그인", "Sign in")) } }
                p.muted {
                    a href={ "/console/language?to=" (if lang == Lang::Ko { "en" } else { "ko" }) "&next=/console/login" } {
                        (if lang == Lang::Ko { "English" } else { "한국어" })
                    }
                }
            }
        },
    );
    let mut response = page(body);
    *response.status_mut() = status;
    response.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_str(&format!(
            "{SIGN_IN_COOKIE}={token}; Path=/console/login; HttpOnly; SameSite=Strict; Max-Age=3600"
        ))
        .expect("a cookie of hex digits"),
    );
    response
}

/// The client's address: the connection's, or — from a trusted proxy — the one its
/// `X-Forwarded-For` names.
fn client_address(
    app: &AppState,
    peer: Option<axum::Extension<ConnectInfo<std::net::SocketAddr>>>,
    headers: &HeaderMap,
) -> IpAddr {
    let peer = peer.map_or(
        IpAddr::from([0, 0, 0, 0]),
        |axum::Extension(ConnectInfo(addr))| addr.ip(),
    );
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    app.config.console.trusted_proxies.client(peer, &forwarded)
}

/// Checks a sign-in and opens a session.
pub(super) async fn sign_in(
    State(app): State<AppState>,
    peer: Option<axum::Extension<ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let lang = lang_of(&headers);
    let next = safe_next(&form.next).map(str::to_owned);
    let typed = form.login.trim().to_owned();
    let tied = cookie(&headers, SIGN_IN_COOKIE).unwrap_or("");
    if !same(form.csrf.trim(), tied) {
        return PageError::forbidden(
            lang,
            lang.t(
                "로그인 양식이 만료되었습니다. 다시 시도하세요.",
                "The sign-in form has expired. Try again.",
            ),
        )
        .into_response();
    }
    let refuse =
        |message: &str, status| sign_in_page(lang, status, Some(message), &typed, next.as_deref());
    let wrong = lang.t(
        "아이디 또는 비밀번호가 맞지 않습니다.",
        "The login or the password is wrong.",
    );
    let Ok(login) = Login::parse(&typed) else {
        return refuse(wrong, StatusCode::UNAUTHORIZED);
    };
    let address = client_address(&app, peer, &headers);
    let attempt = Attempt::new(login.as_str(), address);
    let wait_again = |secs: u64| {
        let message = match lang {
            Lang::Ko => format!("로그인 실패가 반복되었습니다. {secs}초 뒤에 다시 시도하세요."),
            Lang::En => format!("Too many failed sign-ins. Try again in {secs} s."),
        };
        let mut response = refuse(&message, StatusCode::TOO_MANY_REQUESTS);
        response
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(secs));
        response
    };
    // Counted before anything is hashed, so attempts sent at once meet the same count.
    if let Err(wait) = app.sign_ins.begin(&attempt, Instant::now()) {
        return wait_again(wait.as_secs().max(1));
    }
    let found = match app.store.console_credentials(&login).await {
        Ok(found) => found,
        Err(error) => return PageError::store(lang, error).into_response(),
    };
    let Some(_hashing) = app.sign_ins.hasher().await else {
        tracing::warn!(client = %address, "every password hasher is busy; a sign-in is told to retry");
        let mut response = refuse(
            lang.t(
                "로그인 요청이 많습니다. 잠시 뒤 다시 시도하세요.",
                "Many sign-ins at once. Try again in a moment.",
            ),
            StatusCode::SERVICE_UNAVAILABLE,
        );
        response
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(1));
        return response;
    };
    let password = form.password;
    let hash = found
        .as_ref()
        .map_or_else(|| decoy_hash().to_owned(), |(_, hash)| hash.clone());
    let matches = tokio::task::spawn_blocking(move || verify(&password, &hash))
        .await
        .unwrap_or(false);
    let user = match (found, matches) {
        (Some((user, _)), true) => user,
        _ => {
            tracing::warn!(console.login = %login, client = %address, "a console sign-in failed");
            return refuse(wrong, StatusCode::UNAUTHORIZED);
        }
    };
    app.sign_ins.succeeded(&attempt);
    let token = random_token();
    let session = NewSession {
        hash: hash_secret(&token),
        login: user.login.clone(),
        csrf: random_token(),
    };
    if let Err(error) = app
        .store
        .open_console_session(session, app.clock.now())
        .await
    {
        return PageError::store(lang, error).into_response();
    }
    tracing::info!(console.login = %user.login, role = user.role.name(), client = %address, "signed in to the console");
    let mut response = see_other(next.as_deref().unwrap_or(home_of(&user)));
    let secure = if app.config.console.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let headers = response.headers_mut();
    headers.append(
        SET_COOKIE,
        HeaderValue::from_str(&format!(
            "{SESSION_COOKIE}={token}; Path=/console; HttpOnly; SameSite=Strict{secure}"
        ))
        .expect("a cookie of hex digits"),
    );
    headers.append(
        SET_COOKIE,
        HeaderValue::from_static("console_sign_in=; Path=/console/login; Max-Age=0"),
    );
    response
}

/// Ends the session at once.
pub(super) async fn sign_out(
    State(app): State<AppState>,
    headers: HeaderMap,
    Posted { me, .. }: Posted<SignOutForm>,
) -> Result<Response, PageError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        app.store
            .end_console_session(&hash_secret(token))
            .await
            .map_err(|error| PageError::store(me.lang, error))?;
    }
    tracing::info!(console.login = %me.user.login, "signed out of the console");
    let mut response = see_other("/console/login");
    response.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_static(
            "console_session=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0",
        ),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let password = Password::parse("correct horse battery").unwrap();
        let hash = hash_password(&password);
        assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
        assert!(verify("correct horse battery", &hash));
        assert!(!verify("correct horse batterY", &hash));
        assert!(!verify("correct horse battery", "not a hash"));
        assert_ne!(hash, hash_password(&password), "salted");
    }
}
