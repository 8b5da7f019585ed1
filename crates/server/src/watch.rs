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
use claims_wire::{Failure, Format, decode_answer, decode_request, request_format};

use crate::app::envelope::{Reply, credential, header};
use crate::app::notes::Notes;
use crate::app::sandbox::hooks::{SLOW_ANSWER, Trap};
use crate::app::sandbox::log;
use crate::app::sandbox::record::{self, CallKind, CallRecord};
use crate::app::state::AppState;

/// The kind of call a path names (the surfaces' paths are theirs; the router passes this).
pub(crate) type Kinds = fn(&str) -> CallKind;

/// The largest answer read back for the record: a sandbox's answers are small, and one
/// larger is passed on without its rows.
const MAX_ANSWER_BYTES: usize = 64 << 20;

pub(crate) async fn watch(
    State((app, kinds)): State<(AppState, Kinds)>,
    request: Request,
    next: Next,
) -> Response {
    if app.sandbox.is_none() {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    let kind = kinds(&path);
    let uri = request.uri().clone();
    let notes = Notes::of(request.extensions());
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, claims_wire::MAX_BODY_BYTES * 2).await else {
        // Too large to be a call: the surface refuses it as it would.
        return next.run(Request::from_parts(parts, Body::empty())).await;
    };
    let vendor = match credential(&parts.headers) {
        Ok(hash) => app
            .store
            .scope_for_key(&hash)
            .await
            .ok()
            .flatten()
            .map(|scope| scope.vendor),
        Err(_) => None,
    };
    let mut asked = asked(kind, &path, &uri, &parts.headers, &body);
    let firing = match &app.scenario {
        Some(hooks) => hooks.fire(kind, vendor.as_ref().map(VendorId::as_str)),
        None => Default::default(),
    };
    let at = app.clock.now();
    let reply = Reply::of(&parts.headers, app.config.errors, notes.clone())
        .unwrap_or_else(|(json, _)| json);

    let trap = firing.trap;
    let response = if let Some((step, Trap::Answer500)) = trap {
        asked.trap = Some(Trap::Answer500.name().to_owned());
        asked.step = Some(step);
        let mut refused = reply.failure(&Failure::Internal);
        *refused.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        refused
    } else {
        next.run(Request::from_parts(parts, Body::from(body))).await
    };
    let (mut head, answer) = response.into_parts();
    let answer = to_bytes(answer, MAX_ANSWER_BYTES).await.unwrap_or_default();
    asked.status = head.status.as_u16();
    let format = format_of(&head.headers);
    read_answer(&mut asked, kind, format, &answer);
    let vendor = vendor.or_else(|| {
        notes
            .as_deref()
            .and_then(|notes| VendorId::parse("splVenId", notes.noted_vendor()).ok())
    });

    let mut answer = answer;
    let mut slow = false;
    match trap {
        Some((step, trap @ Trap::AnswerNinetyOneButDone)) => {
            asked.trap = Some(trap.name().to_owned());
            asked.step = Some(step);
            let refused = reply.failure(&Failure::Internal);
            let (refused_head, refused_body) = refused.into_parts();
            head.status = refused_head.status;
            head.headers = refused_head.headers;
            answer = to_bytes(refused_body, MAX_ANSWER_BYTES)
                .await
                .unwrap_or_default();
            tracing::info!(
                step,
                path,
                "sandbox trap: the call took effect and is answered 91"
            );
        }
        Some((step, trap @ Trap::SlowThenDone)) => {
            asked.trap = Some(trap.name().to_owned());
            asked.step = Some(step);
            slow = true;
        }
        Some((step, Trap::Answer500)) => {
            tracing::info!(
                step,
                path,
                "sandbox trap: the call is answered 500 and nothing is done"
            );
        }
        None => {}
    }
    log::write_at(&app, vendor, at, record::CALL, &asked).await;
    if let Some(hooks) = &app.scenario {
        hooks.fired(&firing.steps, at);
    }
    if slow {
        tracing::info!(path, "sandbox trap: the call took effect; the answer waits");
        tokio::time::sleep(SLOW_ANSWER).await;
    }
    head.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(head, Body::from(answer))
}

/// What a call asked: its period or item, as far as it can be read.
fn asked(
    kind: CallKind,
    path: &str,
    uri: &axum::http::Uri,
    headers: &axum::http::HeaderMap,
    body: &Bytes,
) -> CallRecord {
    let mut asked = CallRecord {
        path: path.to_owned(),
        kind,
        status: 0,
        code: String::new(),
        desc: String::new(),
        period: None,
        shpp_no: None,
        ord_no: None,
        item_seq: None,
        trap: None,
        step: None,
        done: false,
        rows: Vec::new(),
    };
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
