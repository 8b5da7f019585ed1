//! The sandbox's eyes on the vendor calls (only on a node that runs a sandbox): every call
//! is recorded as it was asked and answered — with the cancellations its answer carried —
//! and a playing scenario's triggers and traps fire on it. The call itself is served as
//! always, by the surface behind this layer, unless a trap answers it.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use claims_domain::VendorId;
use claims_wire::calls::{self, APPROVE_FIELDS};
use claims_wire::{Failure, Format, Unreadable, decode_answer, decode_request, request_format};

use crate::app::envelope::{Reply, credential, header};
use crate::app::notes::Notes;
use crate::app::sandbox::hooks::{SLOW_ANSWER, Trap};
use crate::app::sandbox::log;
use crate::app::sandbox::record::{self, CallKind, CallRecord};
use crate::app::state::AppState;

/// The kind of call a path names (the surfaces' paths are theirs; the router passes this).
pub(crate) type Kinds = fn(&str) -> CallKind;

/// The layer: the node carries it only when it runs a sandbox. Answers are held whole to be
/// read back (a sandbox's answers are small); the request body is read once, under twice
/// the surfaces' own limit, and handed on.
pub(crate) async fn watch(
    State((app, kinds)): State<(AppState, Kinds)>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let kind = kinds(&path);
    let uri = request.uri().clone();
    let notes = Notes::of(request.extensions());
    let (parts, body) = request.into_parts();
    let reply = Reply::of(&parts.headers, app.config.errors, notes.clone())
        .unwrap_or_else(|(json, _)| json);
    let limit = claims_wire::MAX_BODY_BYTES * 2;
    let Ok(body) = to_bytes(body, limit).await else {
        return reply.failure(&Failure::Unreadable(Unreadable::TooLarge { limit }));
    };
    let hooks = app.scenario.as_deref();
    // The key's vendor is looked up before the call only when a trigger waits for one
    // vendor's call; otherwise the surface tells it (or the 500 trap's lookup, below).
    let mut vendor = match hooks {
        Some(hooks) if hooks.names_a_vendor() => key_vendor(&app, &parts.headers).await,
        _ => None,
    };
    let mut asked = asked(kind, &path, &uri, &parts.headers, &body);
    let firing = hooks
        .map(|hooks| hooks.fire(kind, vendor.as_ref().map(VendorId::as_str)))
        .unwrap_or_default();
    let at = app.clock.now();
    if let Some((step, trap)) = firing.trap {
        asked.trap = Some(trap.name().to_owned());
        asked.step = Some(step);
        tracing::info!(step, path, trap = trap.name(), "sandbox trap");
    }

    let response = match firing.trap {
        Some((_, Trap::Answer500)) => {
            if vendor.is_none() {
                vendor = key_vendor(&app, &parts.headers).await;
            }
            let mut refused = reply.failure(&Failure::Internal);
            *refused.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            refused
        }
        _ => next.run(Request::from_parts(parts, Body::from(body))).await,
    };
    let (mut head, answer) = response.into_parts();
    let mut answer = to_bytes(answer, usize::MAX).await.unwrap_or_default();
    asked.status = head.status.as_u16();
    read_answer(&mut asked, kind, format_of(&head.headers), &answer);
    let vendor = vendor.or_else(|| {
        notes
            .as_deref()
            .and_then(|notes| VendorId::parse("splVenId", notes.noted_vendor()).ok())
    });
    // The call took effect; its answer says 91.
    if let Some((_, Trap::AnswerNinetyOneButDone)) = firing.trap {
        let (refused_head, refused_body) = reply.failure(&Failure::Internal).into_parts();
        head.status = refused_head.status;
        head.headers = refused_head.headers;
        answer = to_bytes(refused_body, usize::MAX).await.unwrap_or_default();
    }
    log::write_at(&app, vendor, at, record::CALL, &asked).await;
    if let Some(hooks) = hooks {
        hooks.fired(&firing.steps, at);
    }
    // The call took effect; its answer waits past most clients' timeouts.
    if let Some((_, Trap::SlowThenDone)) = firing.trap {
        tokio::time::sleep(SLOW_ANSWER).await;
    }
    head.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(head, Body::from(answer))
}

/// The vendor of the key a request presents, if it is a live key.
async fn key_vendor(app: &AppState, headers: &axum::http::HeaderMap) -> Option<VendorId> {
    let hash = credential(headers).ok()?;
    let scope = app.store.scope_for_key(&hash).await.ok().flatten()?;
    Some(scope.vendor)
}

/// What a call asked: its period or item, as far as it can be read.
fn asked(
    kind: CallKind,
    path: &str,
    uri: &axum::http::Uri,
    headers: &axum::http::HeaderMap,
    body: &Bytes,
) -> CallRecord {
    let mut asked = CallRecord::asked(path, kind);
    let format = request_format(header(headers, &axum::http::header::CONTENT_TYPE)).ok();
    let pairs: Vec<(String, String)> = axum::extract::Query::try_from_uri(uri)
        .map(|axum::extract::Query(pairs)| pairs)
        .unwrap_or_default();
    match (kind, format) {
        (CallKind::Inquiry, Some(format)) => {
            if let Ok(request) = decode_request(format, body) {
                if let (Some(from), Some(to)) = (request.perd_str_dts, request.perd_end_dts) {
                    asked.period = Some((from.trim().to_owned(), to.trim().to_owned()));
                }
            }
        }
        (CallKind::Confirm, Some(format)) => {
            asked.shpp_no = calls::decode_confirm(format, body)
                .ok()
                .map(|item| item.shpp_no.get());
        }
        (CallKind::Waybill, Some(format)) => {
            asked.shpp_no = calls::decode_waybill(format, body)
                .ok()
                .map(|call| call.item.shpp_no.get());
        }
        (CallKind::Release, Some(format)) => {
            asked.shpp_no = calls::decode_release(format, body)
                .ok()
                .map(|call| call.item.shpp_no.get());
        }
        (CallKind::Approve, _) => {
            let mut fields = calls::query_fields(
                pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                APPROVE_FIELDS,
            );
            if let Some(format) = format
                && let Ok(from_body) = calls::decode_approve_body(format, body)
                && calls::approve_call(&from_body).is_ok()
            {
                fields = from_body;
            }
            if let Ok(call) = calls::approve_call(&fields) {
                asked.ord_no = Some(call.ord_no.to_string());
                asked.item_seq = Some(call.item_seq.get());
            }
        }
        (CallKind::OrderDetail, _) => {
            asked.ord_no = path.rsplit('/').next().map(str::to_owned);
        }
        _ => {}
    }
    asked
}

/// The answer's format, by its `Content-Type`.
fn format_of(headers: &axum::http::HeaderMap) -> Format {
    match header(headers, &axum::http::header::CONTENT_TYPE) {
        Some(kind) if kind.contains("xml") => Format::Xml,
        _ => Format::Json,
    }
}

/// The answer's result code and description, and an inquiry's rows.
fn read_answer(asked: &mut CallRecord, kind: CallKind, format: Format, answer: &[u8]) {
    if kind == CallKind::Inquiry
        && let Ok(read) = decode_answer(format, answer)
    {
        asked.code = read.result_code;
        asked.desc = read.result_desc;
        asked.rows = read
            .rows
            .into_iter()
            .filter_map(|row| Some((row.ord_no, row.ord_item_seq.parse().ok()?)))
            .collect();
    } else {
        let text = String::from_utf8_lossy(answer);
        asked.code = element(&text, "resultCode").unwrap_or_default();
        asked.desc = element(&text, "resultDesc").unwrap_or_default();
    }
    asked.done = asked.code == "00";
}

/// The first value of `name` in a JSON or XML answer, found by its text (SSG's answers
/// put the result's fields once, near the top, in either format).
fn element(text: &str, name: &str) -> Option<String> {
    if let Some(start) = text.find(&format!("<{name}>")) {
        let rest = &text[start + name.len() + 2..];
        return rest
            .find(&format!("</{name}>"))
            .map(|end| rest[..end].trim().to_owned());
    }
    let start = text.find(&format!("\"{name}\""))?;
    let rest = text[start + name.len() + 2..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    match rest.strip_prefix('"') {
        Some(quoted) => quoted.find('"').map(|end| quoted[..end].to_owned()),
        None => Some(
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_result_is_read_from_either_format() {
        let json = r#"{"result": {"resultCode": "31", "resultMessage": "x", "resultDesc": "판매불가 등록된 상품입니다."}}"#;
        assert_eq!(element(json, "resultCode").as_deref(), Some("31"));
        assert_eq!(
            element(json, "resultDesc").as_deref(),
            Some("판매불가 등록된 상품입니다.")
        );
        let number = r#"{"result": {"resultCode": 0}}"#;
        assert_eq!(element(number, "resultCode").as_deref(), Some("0"));
        let xml = "<result><resultCode>00</resultCode><resultDesc/></result>";
        assert_eq!(element(xml, "resultCode").as_deref(), Some("00"));
        assert_eq!(element("<x/>", "resultCode"), None);
    }
}
