//! SSG's vendor API: `POST /api/clm/cncl/ord/inquiry.ssg`.
//!
//! The order of checks decides which error a caller sees when several apply: the answer's
//! format (`Accept`) first, since every later error must be written in it; then the
//! request's `Content-Type`; then the key; then the body's size, syntax and fields; then the
//! number of rows.

use std::any::Any;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{ACCEPT, ACCEPT_LANGUAGE, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use claims_domain::{InquiryQuery, RowKey, RowSink};
use claims_store::{InquiryPage, SecretHash, Store, StoreError};
use claims_wire::{
    AuthFailure, Failure, Format, Lang, MAX_BODY_BYTES, RowEncoder, Unreadable, decode_request,
    encode_failure, language, request_format, response_format,
};
use futures::{StreamExt, stream};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tracing::Span;

use crate::answers::AnswerKey;
use crate::credentials::{Unusable, hash_secret, presented};
use crate::limits::StreamSlot;
use crate::observe::Notes;
use crate::{AppState, ErrorStyle};

/// The path of the canceled-order inquiry.
pub const INQUIRY_PATH: &str = "/api/clm/cncl/ord/inquiry.ssg";

pub(crate) fn router() -> Router<AppState> {
    Router::new().route(INQUIRY_PATH, post(inquiry))
}

/// How the answer is written, once the headers have been read.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub format: Format,
    pub lang: Lang,
    pub style: ErrorStyle,
    /// Where the access log learns the result code and the vendor.
    pub notes: Option<Arc<Notes>>,
}

impl Reply {
    pub(crate) fn vendor(&self, vendor: &str) {
        Span::current().record("vendor.id", vendor);
        if let Some(notes) = &self.notes {
            notes.vendor(vendor);
        }
    }

    fn result_code(&self, code: &'static str) {
        Span::current().record("result.code", code);
        if let Some(notes) = &self.notes {
            notes.result_code(code);
        }
    }

    pub(crate) fn failure(&self, failure: &Failure) -> Response {
        let status = match self.style {
            ErrorStyle::Http => StatusCode::from_u16(failure.http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            ErrorStyle::Ssg => StatusCode::INTERNAL_SERVER_ERROR,
        };
        self.result_code(failure.code().as_str());
        let body = encode_failure(self.format, self.lang, failure);
        let mut response = (
            status,
            [(
                CONTENT_TYPE,
                HeaderValue::from_static(self.format.content_type()),
            )],
            body,
        )
            .into_response();
        if let Some(secs) = failure.retry_after_secs() {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }

    pub(crate) fn success(&self, body: Body) -> Response {
        self.result_code("00");
        (
            StatusCode::OK,
            [(
                CONTENT_TYPE,
                HeaderValue::from_static(self.format.content_type()),
            )],
            body,
        )
            .into_response()
    }
}

/// Refuses a request before it reaches the inquiry (load shedding, rate limits, deadlines),
/// in the format and language its headers ask for (JSON when they ask for nothing usable).
pub(crate) fn refuse(
    headers: &HeaderMap,
    style: ErrorStyle,
    notes: Option<Arc<Notes>>,
    failure: &Failure,
) -> Response {
    let sent = request_format(header(headers, &CONTENT_TYPE)).ok();
    Reply {
        format: response_format(header(headers, &ACCEPT), sent).unwrap_or(Format::Json),
        lang: language(header(headers, &ACCEPT_LANGUAGE)),
        style,
        notes,
    }
    .failure(failure)
}

/// A header's value as text; a value that is not visible ASCII reads as the replacement
/// character, which no check accepts.
pub(crate) fn header<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers
        .get(name)
        .map(|value| value.to_str().unwrap_or("\u{FFFD}"))
}

#[tracing::instrument(
    name = "inquiry",
    skip_all,
    fields(vendor.id = tracing::field::Empty, result.code = tracing::field::Empty, rows = tracing::field::Empty)
)]
async fn inquiry(State(app): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    let notes = Notes::of(&parts.extensions);
    let lang = language(header(headers, &ACCEPT_LANGUAGE));
    let sent_format = request_format(header(headers, &CONTENT_TYPE));
    let style = app.config.errors;
    let format = match response_format(header(headers, &ACCEPT), sent_format.as_ref().ok().copied())
    {
        Ok(format) => format,
        // Nothing the caller accepts can be written; JSON is the fallback.
        Err(failure) => {
            return Reply {
                format: Format::Json,
                lang,
                style,
                notes,
            }
            .failure(&failure);
        }
    };
    let reply = Reply {
        format,
        lang,
        style,
        notes,
    };
    let result = match sent_format {
        Ok(sent_format) => answer(&app, headers, body, sent_format, &reply).await,
        Err(failure) => Err(failure),
    };
    result.unwrap_or_else(|failure| reply.failure(&failure))
}

async fn answer(
    app: &AppState,
    headers: &HeaderMap,
    body: Body,
    sent_format: Format,
    reply: &Reply,
) -> Result<Response, Failure> {
    let key = credential(headers)?;
    let query = match read_body(headers, body).await {
        Ok(body) => decode_request(sent_format, &body).and_then(|request| request.to_query()),
        Err(failure) => Err(failure),
    };
    match query {
        Ok(query) => respond(app, key, query, reply).await,
        // The key is looked up together with the first page; when there is no page to read,
        // it is looked up alone, so that a bad key is reported before a bad body.
        Err(failure) => {
            app.store
                .scope_for_key(&key)
                .await
                .map_err(store_failure)?
                .ok_or(Failure::Auth(AuthFailure::Invalid))?;
            Err(failure)
        }
    }
}

/// The hash of the API key in `Authorization` (raw, as SSG sends it, or `Bearer <key>`).
pub(crate) fn credential(headers: &HeaderMap) -> Result<SecretHash, Failure> {
    match presented(headers) {
        Ok(key) => Ok(hash_secret(key)),
        Err(Unusable::Missing) => Err(Failure::Auth(AuthFailure::Missing)),
        Err(Unusable::NotText | Unusable::TooLong) => Err(Failure::Auth(AuthFailure::Invalid)),
    }
}

/// Reads the body, refusing one over the limit before reading it whole: at once when its
/// declared length is too large, as soon as the limit is passed otherwise.
pub(crate) async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, Failure> {
    let too_large = || {
        Failure::Unreadable(Unreadable::TooLarge {
            limit: MAX_BODY_BYTES,
        })
    };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Err(_) => Err(Failure::Unreadable(Unreadable::Syntax(
            "the body could not be read completely".into(),
        ))),
    }
}

/// Maps a store error to the vendor API's codes, logging the ones that are ours.
pub(crate) fn store_failure(error: StoreError) -> Failure {
    match error {
        StoreError::Unavailable(cause) => {
            tracing::warn!(error = %cause, "database unavailable");
            Failure::Unavailable
        }
        other => {
            tracing::error!(error = ?other, "vendor call failed");
            Failure::Internal
        }
    }
}

/// Takes back the encoder handed to the store.
fn encoder(sink: Box<dyn RowSink>) -> RowEncoder {
    let sink: Box<dyn Any + Send> = sink;
    *sink
        .downcast::<RowEncoder>()
        .expect("the store hands back the sink it was given")
}

/// Bytes to reserve for a page of `rows` rows.
fn capacity(rows: usize) -> usize {
    256 + rows.min(1_000) * 900
}

/// Answers a valid query. The first page is read together with the key's scope and encoded
/// straight from the store's buffers. A short answer goes out in one piece; a full first
/// page means a long answer, which is counted against the row maximum first and then
/// streamed page by page, so memory stays bounded by a page.
async fn respond(
    app: &AppState,
    key: SecretHash,
    query: InquiryQuery,
    reply: &Reply,
) -> Result<Response, Failure> {
    let max = app.config.max_rows.max(1);
    let page_rows = app.config.page_rows.max(1);
    let limit = page_rows.min(max);
    // With answers kept: the key's scope and its vendor's change count first, and the kept
    // answer if nothing changed since it was read.
    let kept = match &app.answers {
        Some(answers) => {
            let (scope, version) = app
                .store
                .key_version(&key)
                .await
                .map_err(store_failure)?
                .ok_or(Failure::Auth(AuthFailure::Invalid))?;
            reply.vendor(scope.vendor.as_str());
            let answer_key = AnswerKey {
                scope,
                query: query.clone(),
                format: reply.format,
                lang: reply.lang,
                version,
            };
            if let Some((answer, rows)) = answers.get(&answer_key) {
                app.metrics.inquiry_cache(true);
                Span::current().record("rows", rows);
                app.metrics.inquiry_answered(rows);
                return Ok(reply.success(Body::from(answer)));
            }
            app.metrics.inquiry_cache(false);
            Some((answers, answer_key))
        }
        None => None,
    };
    let (mut page, mut first) = first_page(app, &key, &query, limit, reply).await?;
    let short = |page: &InquiryPage, first: RowEncoder| {
        Span::current().record("rows", page.rows);
        app.metrics.inquiry_answered(page.rows);
        let mut answer = first.finish(true);
        if kept.is_some() {
            // The encoder's buffer is sized for a full page; a kept answer holds only its
            // own bytes.
            answer.shrink_to_fit();
        }
        let answer = Bytes::from(answer);
        // Kept only if the store read the same scope the count was read for (a key
        // revoked and reissued in between would not be).
        if let Some((answers, answer_key)) = &kept
            && page.scope.as_ref() == Some(&answer_key.scope)
        {
            answers.keep(answer_key.clone(), answer.clone(), page.rows);
        }
        reply.success(Body::from(answer))
    };
    if page.rows < limit {
        return Ok(short(&page, first));
    }
    // A full first page makes a large answer, which holds one of its key's stream slots
    // until it has all been handed to the connection. A request that must wait for a slot
    // lets its page go meanwhile (so that waiting requests hold no memory) and reads it
    // again once it has one.
    let streams = &app.guard.streams;
    let slot =
        match streams.try_take(key.0) {
            Some(slot) => slot,
            None => {
                drop(first);
                let slot = streams.take(key.0, STREAM_WAIT).await.ok_or_else(|| {
                    Failure::TooManyStreams {
                        max: streams.max(),
                        retry_after_secs: STREAM_RETRY_AFTER_SECS,
                    }
                })?;
                (page, first) = first_page(app, &key, &query, limit, reply).await?;
                if page.rows < limit {
                    return Ok(short(&page, first));
                }
                slot
            }
        };
    let scope = page.scope.clone().expect("first_page checks the key");
    let total = app
        .store
        .count_canceled_rows(&scope, &query, max + 1)
        .await
        .map_err(store_failure)?;
    if total > max {
        return Err(Failure::TooManyRows { max });
    }
    Span::current().record("rows", total);
    app.metrics.inquiry_answered(total);
    let pages = Pages {
        store: app.store.clone(),
        key,
        query,
        after: page.last,
        page: page_rows,
        rows: page.rows,
        format: reply.format,
        done: total == page.rows,
        _slot: slot,
    };
    Ok(reply.success(stream_answer(first.finish(pages.done), pages)))
}

/// The first page of an answer, read together with the key (refused when it is not
/// valid), encoded after the answer's head.
async fn first_page(
    app: &AppState,
    key: &SecretHash,
    query: &InquiryQuery,
    limit: usize,
    reply: &Reply,
) -> Result<(InquiryPage, RowEncoder), Failure> {
    let head = RowEncoder::with_head(reply.format, reply.lang, capacity(limit));
    let (page, sink) = app
        .store
        .inquiry_page(key, query, None, limit, Box::new(head))
        .await
        .map_err(store_failure)?;
    let scope = page
        .scope
        .as_ref()
        .ok_or(Failure::Auth(AuthFailure::Invalid))?;
    reply.vendor(scope.vendor.as_str());
    Ok((page, encoder(sink)))
}

/// How long a large answer waits for one of its key's other large answers to end.
const STREAM_WAIT: Duration = Duration::from_secs(1);
/// When a key refused a stream slot is told to ask again.
const STREAM_RETRY_AFTER_SECS: u64 = 5;

/// The state of a streamed answer between pages.
struct Pages {
    store: Arc<dyn Store>,
    key: SecretHash,
    query: InquiryQuery,
    after: Option<RowKey>,
    page: usize,
    /// Rows sent so far.
    rows: usize,
    format: Format,
    done: bool,
    /// Held until the last page is handed over, or the answer is dropped.
    _slot: StreamSlot,
}

impl Pages {
    /// The next page's bytes; the last one ends the answer.
    async fn next(&mut self) -> Result<Bytes, StoreError> {
        let sink = RowEncoder::continuing(self.format, self.rows, capacity(self.page));
        let (page, sink) = self
            .store
            .inquiry_page(
                &self.key,
                &self.query,
                self.after.as_ref(),
                self.page,
                Box::new(sink),
            )
            .await?;
        if page.scope.is_none() {
            return Err(StoreError::internal(
                "the key was revoked while its answer was streaming",
            ));
        }
        self.rows += page.rows;
        self.done = page.rows < self.page;
        self.after = page.last;
        Ok(Bytes::from(encoder(sink).finish(self.done)))
    }
}

fn stream_answer(head: Vec<u8>, pages: Pages) -> Body {
    let rest = stream::unfold(pages, |mut pages| async move {
        if pages.done {
            return None;
        }
        match pages.next().await {
            Ok(chunk) => Some((Ok(chunk), pages)),
            Err(error) => {
                // The status line is gone; cutting the connection is the only honest way
                // left to say the answer is incomplete.
                tracing::error!(error = ?error, "a streamed answer failed midway");
                pages.done = true;
                Some((
                    Err(io::Error::other("the answer could not be completed")),
                    pages,
                ))
            }
        }
    });
    Body::from_stream(
        stream::once(async move { Ok::<_, io::Error>(Bytes::from(head)) }).chain(rest),
    )
}
