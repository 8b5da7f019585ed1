//! SSG's vendor API: `POST /api/clm/cncl/ord/inquiry.ssg`.
//!
//! The order of checks decides which error a caller sees when several apply: the answer's
//! format (`Accept`) first, since every later error must be written in it; then the
//! request's `Content-Type`; then the key; then the body's size, syntax and fields; then the
//! number of rows.

use std::any::Any;
use std::io;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use axum::routing::post;
use bytes::Bytes;
use claims_domain::{InquiryQuery, RowKey, RowSink};
use claims_store::{InquiryPage, SecretHash, StoreError};
use claims_wire::{AuthFailure, Failure, Format, RowEncoder, decode_request, request_format};
use futures::{StreamExt, stream};
use tracing::Span;

use crate::app::answers::{AnswerKey, PageEncoder};
use crate::app::envelope::{CallError, Reply, credential, header, read_body};
use crate::app::limits::Slot;
use crate::app::notes::Notes;
use crate::app::state::AppState;

/// The path of the canceled-order inquiry.
pub const INQUIRY_PATH: &str = "/api/clm/cncl/ord/inquiry.ssg";

pub(crate) fn router() -> Router<AppState> {
    Router::new().route(INQUIRY_PATH, post(inquiry))
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
    let reply = match Reply::of(headers, app.config.errors, notes) {
        Ok(reply) => reply,
        // Nothing the caller accepts can be written; JSON is the fallback.
        Err((json, failure)) => return json.failure(&failure),
    };
    let sent_format = request_format(header(headers, &CONTENT_TYPE));
    let result = match sent_format {
        Ok(sent_format) => answer(&app, headers, body, sent_format, &reply).await,
        Err(failure) => Err(failure.into()),
    };
    result.unwrap_or_else(|error| reply.error(&error))
}

async fn answer(
    app: &AppState,
    headers: &HeaderMap,
    body: Body,
    sent_format: Format,
    reply: &Reply,
) -> Result<Response, CallError> {
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
                .await?
                .ok_or(Failure::Auth(AuthFailure::Invalid))?;
            Err(failure.into())
        }
    }
}

/// Takes back the encoder handed to the store, counting how its rows were written.
fn encoder(sink: Box<dyn RowSink>, app: &AppState) -> PageEncoder {
    let sink: Box<dyn Any + Send> = sink;
    let encoder = *sink
        .downcast::<PageEncoder>()
        .expect("the store hands back the sink it was given");
    if encoder.keeps_rows() {
        app.metrics
            .inquiry_row_cache(encoder.reused, encoder.encoded);
    }
    encoder
}

/// Bytes to reserve for a page of `rows` rows.
fn capacity(rows: usize) -> usize {
    256 + rows.min(1_000) * 900
}

/// Bytes to reserve for a first page: enough for the ~100 rows of a typical week in
/// either format, so the buffer never grows for one; a longer answer grows it as it goes.
/// (Reserving a whole page's 900 KB, as a streamed page does, made every answer a large
/// allocation the allocator hands back to the system and faults in again, page by page.)
const FIRST_PAGE_BYTES: usize = 128 * 1024;

/// Answers a valid query. The first page is read together with the key's scope and encoded
/// straight from the store's buffers. A short answer goes out in one piece; a full first
/// page means a long answer, which is counted against the row maximum first and then
/// streamed page by page, so memory stays bounded by a page.
async fn respond(
    app: &AppState,
    key: SecretHash,
    query: InquiryQuery,
    reply: &Reply,
) -> Result<Response, CallError> {
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
                .await?
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
    let short = |page: &InquiryPage, mut first: PageEncoder| {
        Span::current().record("rows", page.rows);
        app.metrics.inquiry_answered(page.rows);
        first.keep_new_rows();
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
        .await?;
    if total > max {
        return Err(Failure::TooManyRows { max }.into());
    }
    Span::current().record("rows", total);
    app.metrics.inquiry_answered(total);
    let pages = Pages {
        app: app.clone(),
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
/// valid), encoded after the answer's head, with the rows kept for reuse.
async fn first_page(
    app: &AppState,
    key: &SecretHash,
    query: &InquiryQuery,
    limit: usize,
    reply: &Reply,
) -> Result<(InquiryPage, PageEncoder), CallError> {
    let head = RowEncoder::with_head(
        reply.format,
        reply.lang,
        capacity(limit).min(FIRST_PAGE_BYTES),
    );
    let sink = PageEncoder::new(head, reply.format, app.rows.clone());
    let (page, sink) = app
        .store
        .inquiry_page(key, query, None, limit, Box::new(sink))
        .await?;
    let scope = page
        .scope
        .as_ref()
        .ok_or(Failure::Auth(AuthFailure::Invalid))?;
    reply.vendor(scope.vendor.as_str());
    Ok((page, encoder(sink, app)))
}

/// How long a large answer waits for one of its key's other large answers to end.
const STREAM_WAIT: Duration = Duration::from_secs(1);
/// When a key refused a stream slot is told to ask again.
const STREAM_RETRY_AFTER_SECS: u64 = 5;

/// The state of a streamed answer between pages. Its later pages' rows are encoded as they
/// are read and not kept: a long answer would push out every vendor's short ones.
struct Pages {
    app: AppState,
    key: SecretHash,
    query: InquiryQuery,
    after: Option<RowKey>,
    page: usize,
    /// Rows sent so far.
    rows: usize,
    format: Format,
    done: bool,
    /// Held until the last page is handed over, or the answer is dropped.
    _slot: Slot,
}

impl Pages {
    /// The next page's bytes; the last one ends the answer.
    async fn next(&mut self) -> Result<Bytes, StoreError> {
        let sink = PageEncoder::new(
            RowEncoder::continuing(self.format, self.rows, capacity(self.page)),
            self.format,
            None,
        );
        let (page, sink) = self
            .app
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
        Ok(Bytes::from(encoder(sink, &self.app).finish(self.done)))
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
