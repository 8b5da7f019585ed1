//! What the sandbox writes to its log (`Store::record_sandbox`), one JSON body per entry:
//! a vendor's call as it was asked and answered, a read of the feed or an acknowledged
//! webhook delivery with the cancellations it carried, a scenario step as it ran.

use serde::{Deserialize, Serialize};

/// The kinds of vendor call the sandbox tells apart: a scenario's trigger names one
/// (`on = "inquiry"`), and the report reads each by its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallKind {
    /// The canceled-order inquiry.
    Inquiry,
    /// `listShppDirection` or `listWarehouseOut`.
    ShippingList,
    Confirm,
    Waybill,
    Release,
    /// Approving a cancel request line.
    Approve,
    /// Listing pending cancel request lines.
    CancelRequests,
    /// An order's detail.
    OrderDetail,
    /// Anything else (notices, deliveries, pickups, unknown paths).
    Other,
}

impl CallKind {
    /// The kinds a scenario's step may wait for (`on = "…"`).
    pub const TRIGGERS: [CallKind; 6] = [
        CallKind::Inquiry,
        CallKind::ShippingList,
        CallKind::Confirm,
        CallKind::Waybill,
        CallKind::Release,
        CallKind::Approve,
    ];

    /// The trigger a scenario names.
    pub fn trigger(name: &str) -> Option<CallKind> {
        Self::TRIGGERS.into_iter().find(|kind| kind.name() == name)
    }

    /// The name a scenario uses.
    pub fn name(self) -> &'static str {
        match self {
            CallKind::Inquiry => "inquiry",
            CallKind::ShippingList => "shipping-list",
            CallKind::Confirm => "confirm",
            CallKind::Waybill => "waybill",
            CallKind::Release => "release",
            CallKind::Approve => "approve",
            CallKind::CancelRequests => "cancel-requests",
            CallKind::OrderDetail => "order-detail",
            CallKind::Other => "other",
        }
    }

    /// Whether its answer shows the state of what an earlier call changed (so that a call
    /// after an unclear answer reveals the outcome).
    pub fn reads(self) -> bool {
        matches!(
            self,
            CallKind::Inquiry
                | CallKind::ShippingList
                | CallKind::CancelRequests
                | CallKind::OrderDetail
        )
    }

    /// Whether it ships an item (a waybill or a release).
    pub fn ships(self) -> bool {
        matches!(self, CallKind::Waybill | CallKind::Release)
    }
}

/// A cancellation as rows carry it: the claim's number (`ordNo`) and line (`ordItemSeq`).
pub type RowId = (String, u32);

/// A vendor call, as it was asked and answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallRecord {
    pub path: String,
    pub kind: CallKind,
    /// The answer's HTTP status and SSG result code (`""` when the answer had none).
    pub status: u16,
    pub code: String,
    #[serde(default)]
    pub desc: String,
    /// An inquiry's period as asked (`perdStrDts`, `perdEndDts`, `yyyymmdd`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<(String, String)>,
    /// The item a shipping call names (`shppNo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shpp_no: Option<u64>,
    /// The order (and item) an approval or an order detail names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ord_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_seq: Option<u32>,
    /// The trap that answered, and the scenario step that armed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trap: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    /// Whether the call took effect (a trap may say otherwise).
    #[serde(default)]
    pub done: bool,
    /// The cancellations its answer carried.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<RowId>,
}

impl CallRecord {
    /// A call to `path` as it was asked, before anything of its answer is known.
    pub fn asked(path: &str, kind: CallKind) -> Self {
        CallRecord {
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
        }
    }
}

/// Cancellations that reached a vendor outside a call: a read of the feed, or a webhook
/// delivery its endpoint acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRecord {
    /// `feed` or `webhook`.
    pub via: String,
    pub rows: Vec<RowId>,
}

/// A scenario step as it ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepRecord {
    /// Its number in the scenario, from 1.
    pub step: usize,
    /// What it did: an action's name, or a trap's.
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ord_no: Option<String>,
    /// The claim it made, when it made one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clm_no: Option<String>,
    /// For a late commit: the time the claim carries, earlier than when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_at: Option<String>,
    /// How it went: `ok`, or what refused it.
    pub outcome: String,
}

/// The log's kinds.
pub const CALL: &str = "call";
pub const DELIVERY: &str = "delivery";
pub const STEP: &str = "step";

/// The cancellations a JSON value carries: every object with `ordCnclDts`, `ordNo` and
/// `ordItemSeq` (the inquiry's row, as the feed and webhooks write it), however deep.
pub fn claim_rows(value: &serde_json::Value) -> Vec<RowId> {
    let mut rows = Vec::new();
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            serde_json::Value::Array(values) => stack.extend(values),
            serde_json::Value::Object(fields) => {
                if fields.contains_key("ordCnclDts")
                    && let (Some(no), Some(seq)) = (
                        fields.get("ordNo").and_then(text),
                        fields.get("ordItemSeq").and_then(text),
                    )
                    && let Ok(seq) = seq.parse::<u32>()
                {
                    rows.push((no, seq));
                }
                stack.extend(fields.values());
            }
            _ => {}
        }
    }
    rows.sort();
    rows.dedup();
    rows
}

/// A JSON string or number as text.
fn text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_found_wherever_an_event_holds_them() {
        let event = serde_json::json!({
            "seq": 3,
            "type": "claim.created",
            "data": {"rows": [
                {"ordNo": "C1", "ordItemSeq": 1, "ordCnclDts": "20261208 091500"},
                {"ordNo": "C1", "ordItemSeq": "2", "ordCnclDts": "20261208 091500",
                 "cstInfo": [{"ordNo": "C1", "ordItemSeq": 2}]},
            ]},
            "other": {"ordNo": "S1", "ordItemSeq": 1},
        });
        assert_eq!(
            claim_rows(&event),
            vec![("C1".to_owned(), 1), ("C1".to_owned(), 2)]
        );
    }
}
