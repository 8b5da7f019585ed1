//! The platform API's failures as `application/problem+json` (RFC 9457), each with a
//! stable `type`: a [`Problem`] is written here, and only here.

use axum::http::HeaderValue;
use axum::http::header::{CONTENT_LANGUAGE, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::response::{IntoResponse, Response};
use claims_store::StoredAnswer;
use claims_wire::Lang;
use serde::Serialize;

use crate::app::notes::Cause;
pub(crate) use crate::app::problem::{Problem, ProblemKind};

#[derive(Serialize)]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    type_uri: String,
    title: &'static str,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

/// The problem's body in `lang`.
fn body(problem: &Problem, lang: Lang) -> Vec<u8> {
    let detail = problem.detail_in(lang);
    let body = ProblemBody {
        type_uri: problem.kind.type_uri(),
        title: match lang {
            Lang::En => problem.kind.title(),
            Lang::Ko => problem.kind.title_ko(),
        },
        status: problem.kind.status().as_u16(),
        detail: &detail,
        field: problem.field.as_deref(),
    };
    serde_json::to_vec(&body).expect("a problem serializes")
}

/// The problem's status and body, as an idempotency key keeps them (in English: a replay
/// repeats the first answer byte for byte).
pub(crate) fn to_answer(problem: &Problem) -> StoredAnswer {
    StoredAnswer {
        status: problem.kind.status().as_u16(),
        content_type: PROBLEM_JSON.to_owned(),
        location: None,
        body: body(problem, Lang::En),
    }
}

/// Whether `Accept-Language` prefers Korean to English: the platform API answers problems
/// in English unless Korean is asked for (the vendor API, like SSG, is Korean by default).
pub(crate) fn prefers_korean(accept_language: Option<&str>) -> bool {
    claims_wire::preferred_language(accept_language) == Some(Lang::Ko)
}

/// Rewrites a problem answer in Korean for a request that prefers it: the handler's
/// [`Problem`] travels in the answer's extensions to here, where the request's
/// `Accept-Language` is known.
pub(crate) async fn in_korean(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let korean = prefers_korean(
        request
            .headers()
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok()),
    );
    let mut response = next.run(request).await;
    if korean && let Some(problem) = response.extensions_mut().remove::<Problem>() {
        let body = body(&problem, Lang::Ko);
        response
            .headers_mut()
            .remove(axum::http::header::CONTENT_LENGTH);
        response
            .headers_mut()
            .insert(CONTENT_LANGUAGE, HeaderValue::from_static("ko"));
        *response.body_mut() = axum::body::Body::from(body);
    }
    response
}

const PROBLEM_JSON: &str = "application/problem+json";

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut response = (
            self.kind.status(),
            [(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))],
            body(&self, Lang::En),
        )
            .into_response();
        if self.kind == ProblemKind::Unauthenticated {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some(cause) = &self.cause {
            response.extensions_mut().insert(Cause::clone(cause));
        }
        response.extensions_mut().insert(self);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_only_when_preferred_to_english() {
        assert!(!prefers_korean(None));
        assert!(prefers_korean(Some("ko")));
        assert!(prefers_korean(Some("ko-KR,ko;q=0.9,en-US;q=0.8")));
        assert!(!prefers_korean(Some("en-US,en;q=0.9,ko;q=0.8")));
        assert!(prefers_korean(Some("fr, ko;q=0.5")));
        assert!(!prefers_korean(Some("fr")));
        assert!(!prefers_korean(Some("ko;q=0")));
    }
}
