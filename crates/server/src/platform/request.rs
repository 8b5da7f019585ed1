//! What a platform API handler reads of its request — who is calling ([`Caller`]), path
//! and query parameters, JSON bodies — each way it can be wrong answered as a problem; and
//! the JSON answers it writes.

use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use claims_domain::Scope;
use claims_store::{Role, SecretHash};
use serde::de::DeserializeOwned;

use super::problem::{Problem, ProblemKind};
use crate::app::credentials::{TOKEN_PREFIX, Unusable, hash_secret, presented};
use crate::app::notes::Notes;
use crate::app::state::AppState;

/// Who is calling, and the hash of the credential they called with.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    who: Who,
    credential: SecretHash,
}

#[derive(Debug, Clone)]
enum Who {
    /// A platform token's holder.
    Token(Role),
    /// A vendor, by its API key.
    Vendor(Scope),
}

impl Caller {
    /// The hash of the caller's credential: what idempotency keys belong to.
    pub(crate) fn credential(&self) -> SecretHash {
        self.credential
    }

    /// The caller's role, if it is one of `allowed`.
    pub(crate) fn role(&self, allowed: &[Role]) -> Result<Role, Problem> {
        let names: Vec<&str> = allowed.iter().map(|role| role.as_str()).collect();
        match &self.who {
            Who::Token(role) if allowed.contains(role) => Ok(*role),
            Who::Token(role) => Err(Problem::new(
                ProblemKind::Forbidden,
                format!(
                    "a {role} token may not do this; it takes a token of {}",
                    names.join(" or ")
                ),
            )
            .ko(format!(
                "{role} 토큰으로는 할 수 없습니다. {} 토큰이 필요합니다.",
                names.join(" 또는 ")
            ))),
            Who::Vendor(_) => Err(Problem::new(
                ProblemKind::Forbidden,
                format!(
                    "a vendor API key may not do this; it takes a token of {}",
                    names.join(" or ")
                ),
            )
            .ko(format!(
                "업체 API 키로는 할 수 없습니다. {} 토큰이 필요합니다.",
                names.join(" 또는 ")
            ))),
        }
    }

    /// The vendor's scope, if the caller is a vendor.
    pub(crate) fn vendor(&self) -> Result<&Scope, Problem> {
        match &self.who {
            Who::Vendor(scope) => Ok(scope),
            Who::Token(role) => Err(Problem::new(
                ProblemKind::Forbidden,
                format!(
                    "only the item's vendor, with its API key, may do this; a {role} token may not"
                ),
            )
            .ko(format!(
                "상품의 업체만 자기 API 키로 할 수 있습니다. {role} 토큰으로는 할 수 없습니다."
            ))),
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Problem> {
        let unauthenticated =
            |detail: &str, ko: &str| Problem::new(ProblemKind::Unauthenticated, detail).ko(ko);
        let credential = presented(&parts.headers).map_err(|unusable| match unusable {
            Unusable::NotText => unauthenticated(
                "the Authorization header is not valid text",
                "Authorization 헤더가 올바른 텍스트가 아닙니다.",
            ),
            Unusable::Missing | Unusable::TooLong => unauthenticated(
                "send Authorization: Bearer <token or vendor API key>",
                "Authorization: Bearer <토큰 또는 업체 API 키>를 보내세요.",
            ),
        })?;
        let hash = hash_secret(credential);
        let who = if credential.starts_with(TOKEN_PREFIX) {
            let role = app.store.role_for_token(&hash).await?;
            role.map(Who::Token).ok_or_else(|| {
                unauthenticated(
                    "the token is unknown or was revoked",
                    "없거나 폐기된 토큰입니다.",
                )
            })?
        } else {
            let scope = app.store.scope_for_key(&hash).await?.ok_or_else(|| {
                unauthenticated(
                    "the credential is unknown or was revoked",
                    "없거나 폐기된 인증 정보입니다.",
                )
            })?;
            if let Some(notes) = Notes::of(&parts.extensions) {
                notes.vendor(scope.vendor.as_str());
            }
            Who::Vendor(scope)
        };
        Ok(Caller {
            who,
            credential: hash,
        })
    }
}

/// Path parameters, with malformed ones answered as problems.
#[derive(Debug)]
pub(crate) struct Segments<T>(pub T);

impl<T, S> FromRequestParts<S> for Segments<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| Segments(value))
            .map_err(|rejection| Problem::new(ProblemKind::InvalidInput, rejection.body_text()))
    }
}

/// Query parameters, with malformed ones answered as problems.
#[derive(Debug)]
pub(crate) struct Params<T>(pub T);

impl<T, S> FromRequestParts<S> for Params<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| Params(value))
            .map_err(|rejection| Problem::new(ProblemKind::InvalidInput, rejection.body_text()))
    }
}

/// A JSON body, with every way it can be wrong answered as a problem.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub T);

impl<T> FromRequest<AppState> for JsonBody<T>
where
    T: DeserializeOwned,
{
    type Rejection = Problem;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, Problem> {
        let raw = RawJson::from_request(request, app).await?;
        Ok(JsonBody(raw.value))
    }
}

/// A JSON body with the bytes it was read from (for idempotency fingerprints).
#[derive(Debug)]
pub(crate) struct RawJson<T> {
    pub value: T,
    pub bytes: Bytes,
}

impl<T> FromRequest<AppState> for RawJson<T>
where
    T: DeserializeOwned,
{
    type Rejection = Problem;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, Problem> {
        let headers = request.headers().clone();
        let bytes = read_bytes(request, app).await?;
        let value = parse_json(&headers, &bytes, false)?;
        Ok(RawJson { value, bytes })
    }
}

pub(crate) async fn read_bytes(request: Request, app: &AppState) -> Result<Bytes, Problem> {
    Bytes::from_request(request, app)
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                let limit = app.config.limits.platform_body_bytes;
                Problem::new(
                    ProblemKind::BodyTooLarge,
                    format!("the body is larger than {limit} bytes"),
                )
                .ko(format!("본문이 {limit}바이트를 넘습니다."))
            } else {
                Problem::new(ProblemKind::InvalidInput, rejection.body_text())
            }
        })
}

/// Parses a JSON body; an empty one reads as the type's default when `empty_is_default`.
pub(crate) fn parse_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    bytes: &[u8],
    empty_is_default: bool,
) -> Result<T, Problem> {
    if empty_is_default && bytes.iter().all(u8::is_ascii_whitespace) {
        return serde_json::from_str("{}")
            .map_err(|err| Problem::new(ProblemKind::InvalidInput, err.to_string()));
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    let is_json = media.eq_ignore_ascii_case("application/json")
        || media.to_ascii_lowercase().ends_with("+json");
    if !is_json {
        return Err(Problem::new(
            ProblemKind::UnsupportedMediaType,
            format!("send the body as application/json, not {content_type:?}"),
        )
        .ko(format!(
            "본문을 {content_type:?}이(가) 아닌 application/json으로 보내세요."
        )));
    }
    serde_json::from_slice(bytes).map_err(|err| {
        Problem::new(
            ProblemKind::InvalidInput,
            format!("the body does not match the expected JSON: {err}"),
        )
        .ko(format!("본문이 기대한 JSON 형식과 다릅니다: {err}"))
    })
}

/// A JSON answer with a status.
pub(crate) fn json(status: StatusCode, value: &impl serde::Serialize) -> Response {
    (status, axum::Json(value)).into_response()
}

/// A 201 answer: `value`, with `Location` naming what was created.
pub(crate) fn created(location: &str, value: &impl serde::Serialize) -> Response {
    let mut response = json(StatusCode::CREATED, value);
    if let Ok(location) = axum::http::HeaderValue::from_str(location) {
        response
            .headers_mut()
            .insert(axum::http::header::LOCATION, location);
    }
    response
}
