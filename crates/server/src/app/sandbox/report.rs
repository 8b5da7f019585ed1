//! The report: what an integration received, when, and what it missed or did that would
//! have hurt a customer — worked out from the facts (`Facts`: the vendor's cancellations
//! and lines as they truly are, and everything the sandbox saw) by pure functions, so the
//! same facts always give the same report on any node.

use std::collections::BTreeMap;

use claims_domain::{KstDate, KstDateTime};
use serde::Serialize;

use super::record::{CallKind, CallRecord, DeliveryRecord, RowId, StepRecord};

/// A cancellation received more than this long after it took effect is late.
pub const LATE_AFTER_SECS: i64 = 10 * 60;
/// A cancel request pending longer than this is unanswered.
pub const UNANSWERED_AFTER_SECS: i64 = 24 * 3600;
/// An approval's claim is made in the approval's own second; this much either side counts.
const SAME_MOMENT_SECS: i64 = 2;

/// A cancellation of the vendor's: one claim line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancellation {
    pub row: RowId,
    pub oror_no: String,
    pub oror_item_seq: u32,
    pub qty: u32,
    /// Its `ordCnclDts`.
    pub effective_at: KstDateTime,
    /// When it became visible (later than `effective_at` for a late commit).
    pub visible_at: KstDateTime,
}

/// A line (an order's item) of the vendor's, as it truly stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub oror_no: String,
    pub item_seq: u32,
    pub shpp_no: u64,
    pub ordered: u32,
    pub canceled: u32,
    pub shipped: u32,
    pub returned: u32,
    /// `instructed`, `confirmed`, `delayed`, `released`, `canceled`, `returned`, `exchanged`.
    pub status: &'static str,
}

/// A cancel request line still waiting for the vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub oror_no: String,
    pub item_seq: u32,
    pub filed_at: KstDateTime,
}

/// One thing the sandbox saw, at its time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    Call(KstDateTime, CallRecord),
    Delivery(KstDateTime, DeliveryRecord),
    Step(KstDateTime, StepRecord),
}

/// Everything a report is made from.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub vendor: String,
    /// The report's time (the sandbox clock's now) and where the sandbox began.
    pub now: Option<KstDateTime>,
    pub began: Option<KstDateTime>,
    pub cancellations: Vec<Cancellation>,
    pub lines: Vec<Line>,
    pub pending: Vec<Pending>,
    /// In the order it happened.
    pub seen: Vec<Seen>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub vendor: String,
    pub period: Span,
    pub summary: Summary,
    pub cancellations: Vec<Received>,
    pub coverage: Vec<Span>,
    pub findings: Vec<Finding>,
    /// The scenario's steps as they ran.
    pub steps: Vec<StepRun>,
}

/// A scenario step as it ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepRun {
    pub step: usize,
    pub action: String,
    #[serde(serialize_with = "wire")]
    pub at: KstDateTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ord_no: Option<String>,
    /// `ok`, or why the platform API refused it.
    pub outcome: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    #[serde(serialize_with = "wire")]
    pub from: KstDateTime,
    #[serde(serialize_with = "wire")]
    pub to: KstDateTime,
}

/// A time as the report writes it: `yyyy-MM-dd HH:mm:ss`, KST.
fn wire<S: serde::Serializer>(at: &KstDateTime, to: S) -> Result<S::Ok, S::Error> {
    to.serialize_str(&at.to_wire())
}

fn opt_wire<S: serde::Serializer>(at: &Option<KstDateTime>, to: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => to.serialize_str(&at.to_wire()),
        None => to.serialize_none(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub cancellations: usize,
    pub received: usize,
    pub missed: usize,
    pub median_lag_seconds: Option<i64>,
    pub max_lag_seconds: Option<i64>,
    pub harmful: usize,
}

/// A cancellation and when it reached the vendor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Received {
    pub ord_no: String,
    pub ord_item_seq: u32,
    #[serde(rename = "orordNo")]
    pub oror_no: String,
    #[serde(rename = "orordItemSeq")]
    pub oror_item_seq: u32,
    pub qty: u32,
    #[serde(serialize_with = "wire")]
    pub effective_at: KstDateTime,
    #[serde(serialize_with = "opt_wire")]
    pub received_at: Option<KstDateTime>,
    pub lag_seconds: Option<i64>,
    /// `inquiry`, `order-detail`, `approve`, `feed` or `webhook`.
    pub via: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    /// Where in the log it was received (what came before it and after, within a second).
    #[serde(skip)]
    pub received_in_log: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub kind: &'static str,
    pub harmful: bool,
    #[serde(serialize_with = "wire")]
    pub at: KstDateTime,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ord_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
}

impl Finding {
    fn new(kind: &'static str, harmful: bool, at: KstDateTime, detail: String) -> Self {
        Finding {
            kind,
            harmful,
            at,
            detail,
            ord_no: None,
            step: None,
        }
    }

    fn about(mut self, ord_no: &str, step: Option<usize>) -> Self {
        self.ord_no = Some(ord_no.to_owned());
        self.step = step;
        if let Some(step) = step {
            self.detail.push_str(&format!(" (step {step})"));
        }
        self
    }
}

/// The report the facts give.
pub fn report(facts: &Facts) -> Report {
    let now = facts
        .now
        .or_else(|| facts.seen.last().map(Seen::at))
        .unwrap_or_else(|| KstDateTime::from_timestamp(jiff::Timestamp::UNIX_EPOCH));
    let began = facts
        .began
        .or_else(|| facts.seen.first().map(Seen::at))
        .unwrap_or(now);
    let calls: Vec<(KstDateTime, &CallRecord)> = facts
        .seen
        .iter()
        .filter_map(|seen| match seen {
            Seen::Call(at, call) => Some((*at, call)),
            _ => None,
        })
        .collect();
    let steps: Vec<(KstDateTime, &StepRecord)> = facts
        .seen
        .iter()
        .filter_map(|seen| match seen {
            Seen::Step(at, step) => Some((*at, step)),
            _ => None,
        })
        .collect();

    let received: Vec<Received> = facts
        .cancellations
        .iter()
        .map(|c| {
            let first = first_received(c, &facts.seen);
            let received_in_log = first.map(|(index, ..)| index);
            let (received_at, via) = first.map(|(_, at, via)| (at, via)).unzip();
            Received {
                ord_no: c.row.0.clone(),
                ord_item_seq: c.row.1,
                oror_no: c.oror_no.clone(),
                oror_item_seq: c.oror_item_seq,
                qty: c.qty,
                effective_at: c.effective_at,
                received_at,
                lag_seconds: received_at
                    .map(|at| (at.unix_seconds() - c.effective_at.unix_seconds()).max(0)),
                via: via.map(str::to_owned),
                step: step_of(c, &steps),
                received_in_log,
            }
        })
        .collect();

    let mut findings = Vec::new();
    for r in &received {
        let what = format!(
            "cancellation {}-{} of order {} item {} ({} unit{}) at {}",
            r.ord_no,
            r.ord_item_seq,
            r.oror_no,
            r.oror_item_seq,
            r.qty,
            if r.qty == 1 { "" } else { "s" },
            r.effective_at
        );
        match r.lag_seconds {
            None if r.effective_at <= now => findings.push(
                Finding::new(
                    "missed-cancellation",
                    true,
                    r.effective_at,
                    format!("{what} was never received"),
                )
                .about(&r.oror_no, r.step),
            ),
            Some(lag) if lag > LATE_AFTER_SECS => findings.push(
                Finding::new(
                    "late-cancellation",
                    false,
                    r.effective_at,
                    format!(
                        "{what} was received {lag} s later, by {}",
                        r.via.as_deref().unwrap_or("?")
                    ),
                )
                .about(&r.oror_no, r.step),
            ),
            _ => {}
        }
    }

    let coverage = coverage(&calls);
    for gap in gaps(&coverage) {
        findings.push(Finding::new(
            "coverage-gap",
            false,
            gap.from,
            format!(
                "no inquiry window covered {} to {}: a cancellation made then is found only by a later, wider inquiry",
                gap.from, gap.to
            ),
        ));
    }

    shipping_findings(facts, &received, &steps, &mut findings);

    for pending in &facts.pending {
        let due = pending.filed_at.plus_seconds(UNANSWERED_AFTER_SECS);
        if due <= now {
            findings.push(
                Finding::new(
                    "request-unanswered",
                    false,
                    due,
                    format!(
                        "the cancel request on order {} item {} filed at {} is still waiting after 24 hours",
                        pending.oror_no, pending.item_seq, pending.filed_at
                    ),
                )
                .about(&pending.oror_no, step_on(&pending.oror_no, pending.filed_at, &steps)),
            );
        }
    }

    call_findings(&calls, &mut findings);

    findings.sort_by(|a, b| (a.at, a.kind).cmp(&(b.at, b.kind)));
    let mut lags: Vec<i64> = received.iter().filter_map(|r| r.lag_seconds).collect();
    lags.sort_unstable();
    let summary = Summary {
        cancellations: received.len(),
        received: lags.len(),
        missed: findings
            .iter()
            .filter(|f| f.kind == "missed-cancellation")
            .count(),
        median_lag_seconds: (!lags.is_empty()).then(|| lags[lags.len() / 2]),
        max_lag_seconds: lags.last().copied(),
        harmful: findings.iter().filter(|f| f.harmful).count(),
    };
    Report {
        vendor: facts.vendor.clone(),
        period: Span {
            from: began,
            to: now,
        },
        summary,
        cancellations: received,
        coverage,
        findings,
        steps: steps
            .iter()
            .map(|(at, step)| StepRun {
                step: step.step,
                action: step.action.clone(),
                at: *at,
                ord_no: step.ord_no.clone(),
                outcome: step.outcome.clone(),
            })
            .collect(),
    }
}

impl Seen {
    pub fn at(&self) -> KstDateTime {
        match self {
            Seen::Call(at, _) | Seen::Delivery(at, _) | Seen::Step(at, _) => *at,
        }
    }
}

/// Where in the log, when and how a cancellation first reached the vendor.
fn first_received(c: &Cancellation, seen: &[Seen]) -> Option<(usize, KstDateTime, &'static str)> {
    seen.iter()
        .enumerate()
        .find_map(|(index, seen)| received_by(c, seen).map(|(at, via)| (index, at, via)))
}

/// Whether one thing the sandbox saw brought a cancellation to the vendor.
fn received_by(c: &Cancellation, seen: &Seen) -> Option<(KstDateTime, &'static str)> {
    match seen {
        Seen::Call(at, call) if call.done && call.rows.contains(&c.row) => {
            Some((*at, call.kind.name()))
        }
        // An order's detail shows every cancellation of it visible then.
        Seen::Call(at, call)
            if call.kind == CallKind::OrderDetail
                && call.done
                && call.ord_no.as_deref() == Some(&c.oror_no)
                && *at >= c.visible_at =>
        {
            Some((*at, call.kind.name()))
        }
        // The vendor's own approval made it.
        Seen::Call(at, call)
            if call.kind == CallKind::Approve
                && call.done
                && call.ord_no.as_deref() == Some(&c.oror_no)
                && call.item_seq == Some(c.oror_item_seq)
                && (at.unix_seconds() - c.effective_at.unix_seconds()).abs()
                    <= SAME_MOMENT_SECS =>
        {
            Some((*at, call.kind.name()))
        }
        Seen::Delivery(at, delivery) if delivery.rows.contains(&c.row) => Some((
            *at,
            if delivery.via == "webhook" {
                "webhook"
            } else {
                "feed"
            },
        )),
        _ => None,
    }
}

/// The step that made a cancellation: the one that recorded its claim, or else the last
/// step on its order up to the moment it took effect.
fn step_of(c: &Cancellation, steps: &[(KstDateTime, &StepRecord)]) -> Option<usize> {
    steps
        .iter()
        .find(|(_, step)| step.clm_no.as_deref() == Some(&c.row.0))
        .map(|(_, step)| step.step)
        .or_else(|| step_on(&c.oror_no, c.effective_at, steps))
}

fn step_on(ord_no: &str, by: KstDateTime, steps: &[(KstDateTime, &StepRecord)]) -> Option<usize> {
    steps
        .iter()
        .filter(|(at, step)| *at <= by && step.ord_no.as_deref() == Some(ord_no))
        .map(|(_, step)| step.step)
        .next_back()
}

/// What the vendor's inquiries covered: each from its period's first day 00:00:00 to the
/// earlier of its last day 23:59:59 and the moment it was answered; merged where they
/// overlap or touch.
pub fn coverage(calls: &[(KstDateTime, &CallRecord)]) -> Vec<Span> {
    let mut spans: Vec<Span> = calls
        .iter()
        .filter(|(_, call)| call.kind == CallKind::Inquiry && call.code == "00")
        .filter_map(|(at, call)| {
            let (from, to) = call.period.as_ref()?;
            let from = KstDate::parse_compact(from).ok()?.start();
            let to = KstDate::parse_compact(to)
                .ok()?
                .plus_days(1)
                .start()
                .plus_seconds(-1)
                .min(*at);
            (from <= to).then_some(Span { from, to })
        })
        .collect();
    spans.sort_by_key(|span| span.from);
    let mut merged: Vec<Span> = Vec::new();
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.from <= last.to.plus_seconds(1) => last.to = last.to.max(span.to),
            _ => merged.push(span),
        }
    }
    merged
}

fn gaps(coverage: &[Span]) -> Vec<Span> {
    coverage
        .windows(2)
        .map(|pair| Span {
            from: pair[0].to.plus_seconds(1),
            to: pair[1].from.plus_seconds(-1),
        })
        .collect()
}

/// Waybills and releases sent for items the vendor should not ship.
fn shipping_findings(
    facts: &Facts,
    received: &[Received],
    steps: &[(KstDateTime, &StepRecord)],
    findings: &mut Vec<Finding>,
) {
    let lines: BTreeMap<u64, &Line> = facts.lines.iter().map(|l| (l.shpp_no, l)).collect();
    // One finding per item: a waybill and the release after it are one mistake.
    let mut told = std::collections::BTreeSet::new();
    let ships = facts
        .seen
        .iter()
        .enumerate()
        .filter_map(|(index, seen)| match seen {
            Seen::Call(at, call) if call.kind.ships() => Some((index, at, call)),
            _ => None,
        });
    for (index, at, call) in ships {
        let Some(line) = call.shpp_no.and_then(|no| lines.get(&no)) else {
            continue;
        };
        if told.contains(&line.shpp_no) {
            continue;
        }
        let before = findings.len();
        let what = if call.kind == CallKind::Waybill {
            "a waybill"
        } else {
            "a release"
        };
        let item = format!("order {} item {}", line.oror_no, line.item_seq);
        // Cancellations of the item that had taken effect (and could be seen) by then.
        let effective: Vec<&Received> = received
            .iter()
            .filter(|r| r.oror_no == line.oror_no && r.oror_item_seq == line.item_seq)
            .filter(|r| {
                facts
                    .cancellations
                    .iter()
                    .any(|c| c.row == (r.ord_no.clone(), r.ord_item_seq) && c.visible_at <= *at)
            })
            .collect();
        let unknown: Vec<&&Received> = effective
            .iter()
            .filter(|r| r.received_in_log.is_none_or(|got| got > index))
            .collect();
        if let Some(first) = unknown.first() {
            findings.push(
                Finding::new(
                    "shipped-after-cancel",
                    true,
                    *at,
                    format!(
                        "{what} was sent for {item} at {at}, after its cancellation {}-{} at {} and before the vendor received it (answered {})",
                        first.ord_no, first.ord_item_seq, first.effective_at, call.code
                    ),
                )
                .about(&line.oror_no, first.step),
            );
            told.insert(line.shpp_no);
            continue;
        }
        let canceled: u32 = effective.iter().map(|r| r.qty).sum();
        if canceled >= line.ordered && canceled > 0 {
            findings.push(
                Finding::new(
                    "ship-canceled",
                    true,
                    *at,
                    format!("{what} was sent for {item} at {at}, which was canceled in full (answered {})", call.code),
                )
                .about(&line.oror_no, effective.first().and_then(|r| r.step)),
            );
        } else if call.desc.contains("판매불가") {
            findings.push(
                Finding::new(
                    "ship-while-no-sell",
                    true,
                    *at,
                    format!("{what} was sent for {item} at {at} while it was registered out of stock (answered {})", call.code),
                )
                .about(&line.oror_no, step_on(&line.oror_no, *at, steps)),
            );
        }
        if findings.len() > before {
            told.insert(line.shpp_no);
        }
    }
}

/// Unclear answers left unchecked, and approvals sent again.
fn call_findings(calls: &[(KstDateTime, &CallRecord)], findings: &mut Vec<Finding>) {
    let same_item = |a: &CallRecord, b: &CallRecord| {
        a.shpp_no == b.shpp_no && a.ord_no == b.ord_no && a.item_seq == b.item_seq
    };
    for (index, (at, call)) in calls.iter().enumerate() {
        let unclear = matches!(call.code.as_str(), "90" | "91")
            || matches!(call.trap.as_deref(), Some("answer-500" | "slow-then-done"));
        if unclear && !call.kind.reads() {
            let followed = calls[index + 1..].iter().any(|(_, later)| {
                later.kind.reads() || (later.kind == call.kind && same_item(later, call))
            });
            if !followed {
                let mut finding = Finding::new(
                    "error-not-retried",
                    false,
                    *at,
                    format!(
                        "{} at {} was answered {}{} and neither sent again nor followed by a read that shows what happened",
                        call.path,
                        at,
                        if call.code.is_empty() {
                            "nothing"
                        } else {
                            &call.code
                        },
                        call.trap
                            .as_deref()
                            .map(|t| format!(" ({t})"))
                            .unwrap_or_default()
                    ),
                );
                if let Some(ord_no) = &call.ord_no {
                    finding = finding.about(ord_no, call.step);
                } else if let Some(step) = call.step {
                    finding.step = Some(step);
                    finding.detail.push_str(&format!(" (step {step})"));
                }
                findings.push(finding);
            }
        }
        if call.kind == CallKind::Approve {
            let earlier = calls[..index].iter().find(|(_, before)| {
                before.kind == CallKind::Approve && before.done && same_item(before, call)
            });
            if let Some((first_at, first)) = earlier {
                findings.push(
                    Finding::new(
                        "approval-repeated",
                        false,
                        *at,
                        format!(
                            "the approval of order {} item {} was sent again at {}; the one at {} had taken effect{}",
                            call.ord_no.as_deref().unwrap_or("?"),
                            call.item_seq.unwrap_or(0),
                            at,
                            first_at,
                            if first.code == "00" { "" } else { " though it was answered as failed" }
                        ),
                    )
                    .about(call.ord_no.as_deref().unwrap_or(""), first.step),
                );
            }
        }
    }
}

/// A line as the integration believes it stands (what it sends to reconcile).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Believed {
    #[serde(rename = "orordNo")]
    pub oror_no: String,
    #[serde(rename = "orordItemSeq")]
    pub oror_item_seq: u32,
    pub status: String,
    #[serde(default)]
    pub canceled_qty: Option<u32>,
    #[serde(default)]
    pub shipped_qty: Option<u32>,
    #[serde(default)]
    pub returned_qty: Option<u32>,
}

/// The statuses a believed line may have.
pub const STATUSES: &[&str] = &[
    "instructed",
    "confirmed",
    "delayed",
    "released",
    "canceled",
    "returned",
    "exchanged",
];

/// Adds to `report` what the integration's view gets wrong: a line whose state or
/// quantities differ from the truth (`state-drift`), a line that is not the vendor's or
/// does not exist (`unknown-line`), a line of the vendor's the view lacks (`line-missing`).
pub fn reconcile(report: &mut Report, lines: &[Line], believed: &[Believed], now: KstDateTime) {
    let mut findings = Vec::new();
    for view in believed {
        let Some(line) = lines
            .iter()
            .find(|line| line.oror_no == view.oror_no && line.item_seq == view.oror_item_seq)
        else {
            findings.push(
                Finding::new(
                    "unknown-line",
                    false,
                    now,
                    format!(
                        "order {} item {} is not a line of this vendor's",
                        view.oror_no, view.oror_item_seq
                    ),
                )
                .about(&view.oror_no, None),
            );
            continue;
        };
        let mut wrong = Vec::new();
        if view.status != line.status {
            wrong.push(format!("status {} (it is {})", view.status, line.status));
        }
        for (name, believed, truth) in [
            ("canceledQty", view.canceled_qty, line.canceled),
            ("shippedQty", view.shipped_qty, line.shipped),
            ("returnedQty", view.returned_qty, line.returned),
        ] {
            if let Some(believed) = believed
                && believed != truth
            {
                wrong.push(format!("{name} {believed} (it is {truth})"));
            }
        }
        if !wrong.is_empty() {
            findings.push(
                Finding::new(
                    "state-drift",
                    true,
                    now,
                    format!(
                        "order {} item {} is believed {}",
                        line.oror_no,
                        line.item_seq,
                        wrong.join(", ")
                    ),
                )
                .about(&line.oror_no, None),
            );
        }
    }
    for line in lines {
        let known = believed
            .iter()
            .any(|view| view.oror_no == line.oror_no && view.oror_item_seq == line.item_seq);
        if !known {
            findings.push(
                Finding::new(
                    "line-missing",
                    false,
                    now,
                    format!(
                        "order {} item {} ({}) is missing from the view",
                        line.oror_no, line.item_seq, line.status
                    ),
                )
                .about(&line.oror_no, None),
            );
        }
    }
    report.summary.harmful += findings.iter().filter(|f| f.harmful).count();
    report.findings.extend(findings);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> KstDateTime {
        KstDateTime::parse("at", text).unwrap()
    }

    fn call(kind: CallKind, code: &str) -> CallRecord {
        CallRecord {
            status: 200,
            code: code.to_owned(),
            done: code == "00",
            ..CallRecord::asked(&format!("/{}", kind.name()), kind)
        }
    }

    fn approve(code: &str, trap: Option<&str>, done: bool) -> CallRecord {
        CallRecord {
            ord_no: Some("O1".into()),
            item_seq: Some(1),
            trap: trap.map(str::to_owned),
            step: trap.map(|_| 4),
            done,
            ..call(CallKind::Approve, code)
        }
    }

    fn kinds(report: &Report) -> Vec<&'static str> {
        report.findings.iter().map(|f| f.kind).collect()
    }

    fn facts(seen: Vec<Seen>) -> Facts {
        Facts {
            vendor: "0000012345".into(),
            now: Some(at("2026-12-08 12:00:00")),
            began: Some(at("2026-12-08 09:00:00")),
            seen,
            ..Facts::default()
        }
    }

    #[test]
    fn an_unclear_answer_needs_the_same_call_or_a_read_after_it() {
        let trapped = approve("91", Some("answer-91-but-done"), true);
        // Believed and left: not retried.
        let left = report(&facts(vec![Seen::Call(
            at("2026-12-08 10:00:00"),
            trapped.clone(),
        )]));
        assert_eq!(kinds(&left), ["error-not-retried"]);
        assert_eq!(left.findings[0].step, Some(4));
        assert!(!left.findings[0].harmful);
        // Followed by a read of the cancel requests: fine.
        let read = report(&facts(vec![
            Seen::Call(at("2026-12-08 10:00:00"), trapped.clone()),
            Seen::Call(
                at("2026-12-08 10:01:00"),
                call(CallKind::CancelRequests, "00"),
            ),
        ]));
        assert_eq!(kinds(&read), Vec::<&str>::new());
        // Sent again after it took effect: worth knowing, not harmful.
        let again = report(&facts(vec![
            Seen::Call(at("2026-12-08 10:00:00"), trapped),
            Seen::Call(at("2026-12-08 10:00:05"), approve("31", None, false)),
        ]));
        assert_eq!(kinds(&again), ["approval-repeated"]);
        assert!(again.findings[0].detail.contains("answered as failed"));
        // A 500 that did nothing, then nothing: not retried.
        let dropped = report(&facts(vec![Seen::Call(
            at("2026-12-08 10:00:00"),
            CallRecord {
                status: 500,
                ..approve("91", Some("answer-500"), false)
            },
        )]));
        assert_eq!(kinds(&dropped), ["error-not-retried"]);
    }

    #[test]
    fn shipping_a_registered_item_and_an_unanswered_request_are_told() {
        let line = Line {
            oror_no: "O2".into(),
            item_seq: 1,
            shpp_no: 77,
            ordered: 2,
            canceled: 0,
            shipped: 0,
            returned: 0,
            status: "confirmed",
        };
        let refused = CallRecord {
            shpp_no: Some(77),
            desc: "판매불가 등록된 상품입니다.".into(),
            ..call(CallKind::Waybill, "31")
        };
        let mut facts = facts(vec![Seen::Call(at("2026-12-08 10:00:00"), refused)]);
        facts.lines = vec![line];
        facts.pending = vec![Pending {
            oror_no: "O3".into(),
            item_seq: 1,
            filed_at: at("2026-12-07 11:00:00"),
        }];
        let made = report(&facts);
        assert_eq!(kinds(&made), ["ship-while-no-sell", "request-unanswered"]);
        assert!(made.findings[0].harmful);
        assert_eq!(made.findings[0].ord_no.as_deref(), Some("O2"));
        assert_eq!(made.findings[1].at, at("2026-12-08 11:00:00"));
        assert!(!made.findings[1].harmful);
    }

    #[test]
    fn coverage_merges_windows_that_touch_and_a_late_receipt_is_told_past_ten_minutes() {
        let poll = |when: &str, from: &str, to: &str, rows: Vec<RowId>| {
            Seen::Call(
                at(when),
                CallRecord {
                    period: Some((from.into(), to.into())),
                    rows,
                    done: true,
                    ..call(CallKind::Inquiry, "00")
                },
            )
        };
        let c = |seq: u32, effective: &str| Cancellation {
            row: ("C1".into(), seq),
            oror_no: "O1".into(),
            oror_item_seq: 1,
            qty: 1,
            effective_at: at(effective),
            visible_at: at(effective),
        };
        let mut facts = facts(vec![
            poll("2026-12-07 23:00:00", "20261207", "20261207", vec![]),
            poll(
                "2026-12-08 09:10:00",
                "20261208",
                "20261208",
                vec![("C1".into(), 1)],
            ),
            poll(
                "2026-12-08 09:20:01",
                "20261208",
                "20261208",
                vec![("C1".into(), 2)],
            ),
        ]);
        facts.cancellations = vec![c(1, "2026-12-08 09:00:00"), c(2, "2026-12-08 09:10:00")];
        let made = report(&facts);
        // 23:00:01 to midnight was never read; the two windows of the 8th merge.
        assert_eq!(made.coverage.len(), 2);
        assert_eq!(made.coverage[1].to, at("2026-12-08 09:20:01"));
        assert_eq!(kinds(&made), ["coverage-gap", "late-cancellation"]);
        assert_eq!(made.findings[0].at, at("2026-12-07 23:00:01"));
        // 600 s is in time; 601 s is late.
        assert_eq!(made.cancellations[0].lag_seconds, Some(600));
        assert_eq!(made.cancellations[1].lag_seconds, Some(601));
        assert_eq!(made.summary.median_lag_seconds, Some(601));
    }
}
