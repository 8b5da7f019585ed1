//! What a bulk action did, item by item: the outcomes, how the redirect after it carries
//! them (codes the page words itself, so that a link cannot make it say anything else),
//! and the table that tells them.

use claims_domain::{OrderNo, ShipRejection};
use claims_store::StoreError;
use claims_wire::Lang;
use maud::{Markup, html};

use super::queue::Place;
use crate::console::forms::ShippingQuery;
use crate::console::layout::{Kind, table};
use crate::console::text::{Words, percent};

/// The most items the page after a bulk action names one by one (the rest are counted).
const TOLD_MAX: usize = 60;

/// What a bulk form or a sheet does to each item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    Confirm,
    Release,
    Approve,
    /// A waybill sheet: record each row's waybill and release its item.
    Sheet,
}

impl Op {
    pub(super) fn key(self) -> &'static str {
        match self {
            Op::Confirm => "confirm",
            Op::Release => "release",
            Op::Approve => "approve",
            Op::Sheet => "sheet",
        }
    }

    pub(super) fn parse(key: &str) -> Option<Self> {
        [Op::Confirm, Op::Release, Op::Approve, Op::Sheet]
            .into_iter()
            .find(|op| op.key() == key.trim())
    }

    /// What it did to an item, for the line telling so.
    pub(super) fn done(self, lang: Lang) -> &'static str {
        match self {
            Op::Confirm => lang.t("주문확인했습니다", "confirmed"),
            Op::Release | Op::Sheet => lang.t("출고했습니다", "released"),
            Op::Approve => lang.t("취소를 승인했습니다", "cancellation approved"),
        }
    }
}

/// What happened to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Done,
    /// Not released: the customer asked to cancel it and the vendor did not say to reject.
    Requested,
    /// Not this vendor's, or no such item.
    Missing,
    Shipped,
    Canceled,
    NoSell,
    NotConfirmed,
    AwaitingPickup,
    /// No request waits for approval (approved, withdrawn or rejected meanwhile).
    NothingPending,
    /// The carrier or waybill is not 1 to 30 letters, digits or `-`.
    BadWaybill,
    /// A sheet row whose order number or sequence cannot be read.
    BadRow,
    /// Another refusal by the rules.
    Refused,
    /// The server failed; trying again may pass.
    Failed,
}

impl Outcome {
    pub(super) const ALL: [Outcome; 13] = [
        Outcome::Done,
        Outcome::Requested,
        Outcome::Missing,
        Outcome::Shipped,
        Outcome::Canceled,
        Outcome::NoSell,
        Outcome::NotConfirmed,
        Outcome::AwaitingPickup,
        Outcome::NothingPending,
        Outcome::BadWaybill,
        Outcome::BadRow,
        Outcome::Refused,
        Outcome::Failed,
    ];

    pub(super) fn code(self) -> &'static str {
        match self {
            Outcome::Done => "ok",
            Outcome::Requested => "rq",
            Outcome::Missing => "nf",
            Outcome::Shipped => "sh",
            Outcome::Canceled => "cx",
            Outcome::NoSell => "ns",
            Outcome::NotConfirmed => "nc",
            Outcome::AwaitingPickup => "ap",
            Outcome::NothingPending => "np",
            Outcome::BadWaybill => "wb",
            Outcome::BadRow => "br",
            Outcome::Refused => "rf",
            Outcome::Failed => "er",
        }
    }

    pub(super) fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|outcome| outcome.code() == code)
    }

    /// How a store call's failure reads for one item.
    pub(super) fn of_error(error: &StoreError) -> Self {
        match error {
            StoreError::Ship(ShipRejection::NotYourItem) | StoreError::NotFound(_) => {
                Outcome::Missing
            }
            StoreError::Ship(
                ShipRejection::AlreadyShipped
                | ShipRejection::AlreadyDelivered
                | ShipRejection::NotInState { .. },
            ) => Outcome::Shipped,
            StoreError::Ship(ShipRejection::FullyCanceled) => Outcome::Canceled,
            StoreError::Ship(ShipRejection::NoSellRegistered) => Outcome::NoSell,
            StoreError::Ship(ShipRejection::NotConfirmed) => Outcome::NotConfirmed,
            StoreError::Ship(ShipRejection::AwaitingPickup) => Outcome::AwaitingPickup,
            StoreError::Cancel(claims_domain::CancelRejection::NothingPending) => {
                Outcome::NothingPending
            }
            StoreError::Ship(_) | StoreError::Cancel(_) | StoreError::Invalid(_) => {
                Outcome::Refused
            }
            _ => Outcome::Failed,
        }
    }

    pub(super) fn words(self, op: Op, lang: Lang) -> &'static str {
        match self {
            Outcome::Done => op.done(lang),
            Outcome::Requested => lang.t(
                "고객의 취소신청이 있어 출고하지 않았습니다. 확인 후 '취소신청 거부하고 출고'로 출고하세요.",
                "not released: the customer asked to cancel it. Release it with 'Reject and release' if you must.",
            ),
            Outcome::Missing => lang.t(
                "이 업체의 상품이 아니거나 없는 상품입니다.",
                "no such item of this vendor.",
            ),
            Outcome::Shipped => lang.t("이미 출고된 상품입니다.", "already released."),
            Outcome::Canceled => lang.t("모두 취소된 상품입니다.", "every unit was canceled."),
            Outcome::NoSell => lang.t(
                "판매불가로 등록된 상품입니다. 등록을 철회한 뒤 처리하세요.",
                "registered as out of stock: withdraw the registration first.",
            ),
            Outcome::NotConfirmed => lang.t(
                "주문확인 전 상품입니다.",
                "not confirmed yet.",
            ),
            Outcome::AwaitingPickup => lang.t(
                "교환 회수가 끝나야 출고할 수 있습니다.",
                "ships once the exchange's pickup completes.",
            ),
            Outcome::NothingPending => lang.t(
                "승인을 기다리는 취소신청이 없습니다 (이미 처리됨).",
                "no request waits for approval (handled meanwhile).",
            ),
            Outcome::BadWaybill => lang.t(
                "택배사 코드와 운송장 번호는 영문·숫자·'-'로 30자 이내여야 합니다.",
                "the carrier code and waybill must be 1 to 30 letters, digits or '-'.",
            ),
            Outcome::BadRow => lang.t(
                "주문번호나 순번을 읽을 수 없습니다.",
                "the order number or sequence cannot be read.",
            ),
            Outcome::Refused => lang.t(
                "지금 상태에서는 처리할 수 없습니다. 주문 화면에서 상태를 확인하세요.",
                "not allowed in its present state; see the order.",
            ),
            Outcome::Failed => lang.t(
                "서버 오류로 처리하지 못했습니다. 다시 시도하세요.",
                "the server failed; try again.",
            ),
        }
    }
}

/// What an outcome is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Subject {
    Item(OrderNo, u32),
    /// An item the queue no longer lists, by its shipping number.
    Shipping(u64),
    /// A sheet's row that names no item.
    Line(usize),
}

/// One item's outcome, as the page after a bulk action tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Told {
    pub subject: Subject,
    pub outcome: Outcome,
    pub op: Op,
}

impl Told {
    pub(super) fn encode(&self) -> String {
        let code = self.outcome.code();
        match &self.subject {
            Subject::Item(ord_no, seq) => format!("o:{ord_no}:{seq}:{code}"),
            Subject::Shipping(shpp_no) => format!("s:{shpp_no}:{code}"),
            Subject::Line(line) => format!("l:{line}:{code}"),
        }
    }

    pub(super) fn decode(text: &str, op: Op) -> Option<Self> {
        let parts: Vec<&str> = text.split(':').collect();
        let (subject, code) = match parts.as_slice() {
            ["o", ord_no, seq, code] => (
                Subject::Item(OrderNo::parse("ordNo", ord_no).ok()?, seq.parse().ok()?),
                code,
            ),
            ["s", shpp_no, code] => (Subject::Shipping(shpp_no.parse().ok()?), code),
            ["l", line, code] => (Subject::Line(line.parse().ok()?), code),
            _ => return None,
        };
        Some(Told {
            subject,
            outcome: Outcome::parse(code)?,
            op,
        })
    }

    pub(super) fn subject_words(&self, lang: Lang) -> String {
        match (&self.subject, lang) {
            (Subject::Item(ord_no, seq), _) => format!("{ord_no} #{seq}"),
            (Subject::Shipping(shpp_no), Lang::Ko) => format!("배송번호 {shpp_no}"),
            (Subject::Shipping(shpp_no), Lang::En) => format!("shipping no. {shpp_no}"),
            (Subject::Line(line), Lang::Ko) => format!("{line}행"),
            (Subject::Line(line), Lang::En) => format!("line {line}"),
        }
    }
}

/// What the page after a bulk action tells.
#[derive(Debug)]
pub(super) struct ToldPage {
    pub summary: Result<String, String>,
    pub rows: Vec<Told>,
}

/// Reads what a bulk action's redirect carries; `None` when it carries nothing.
pub(super) fn told_of(query: &ShippingQuery, lang: Lang) -> Option<ToldPage> {
    let op = Op::parse(&query.op)?;
    let ok: usize = query.ok.trim().parse().ok()?;
    let more: usize = query.more.trim().parse().unwrap_or(0);
    let rows: Vec<Told> = query
        .rows
        .split(',')
        .filter(|text| !text.is_empty())
        .filter_map(|text| Told::decode(text, op))
        .take(TOLD_MAX)
        .collect();
    let not_done = rows
        .iter()
        .filter(|told| told.outcome != Outcome::Done)
        .count()
        + more;
    // One item: its line is the message.
    if let [told] = rows.as_slice()
        && ok + not_done == 1
    {
        let line = format!(
            "{} — {}",
            told.subject_words(lang),
            told.outcome.words(op, lang)
        );
        return Some(ToldPage {
            summary: if told.outcome == Outcome::Done {
                Ok(line)
            } else {
                Err(line)
            },
            rows: Vec::new(),
        });
    }
    let summary = match lang {
        Lang::Ko => format!(
            "{ok}건 {}. {}",
            op.done(lang),
            if not_done == 0 {
                String::new()
            } else {
                format!("{not_done}건은 처리하지 않았습니다 — 아래 표에서 이유를 확인하세요.")
            }
        ),
        Lang::En => format!(
            "{ok} {}. {}",
            op.done(lang),
            if not_done == 0 {
                String::new()
            } else {
                format!("{not_done} not done — see the table below for why.")
            }
        ),
    };
    let summary = summary.trim().to_owned();
    Some(ToldPage {
        summary: if not_done == 0 {
            Ok(summary)
        } else {
            Err(summary)
        },
        rows,
    })
}

/// The table of what happened to each item named.
pub(super) fn told_table(lang: Lang, rows: &[Told]) -> Markup {
    table(
        Some(lang.t("처리 결과", "What happened")),
        None,
        &[
            (lang.t("상품", "Item"), Kind::Text),
            (lang.t("결과", "Result"), Kind::Wrap),
        ],
        rows.iter()
            .map(|told| {
                vec![
                    html! {
                        @match &told.subject {
                            Subject::Item(ord_no, _) => a href={ "/console/orders/" (ord_no) } { (told.subject_words(lang)) },
                            _ => (told.subject_words(lang)),
                        }
                    },
                    html! {
                        @if told.outcome == Outcome::Done {
                            span.badge.ok { (told.outcome.words(told.op, lang)) }
                        } @else {
                            span.badge.bad { (lang.t("처리 안 됨", "not done")) } " " (told.outcome.words(told.op, lang))
                        }
                    },
                ]
            })
            .collect(),
    )
}

/// The redirect after a bulk action: the queue where it was, the count done, and the items
/// worth a line — those not done first, then those done, [`TOLD_MAX`] at most.
pub(super) fn told_location(place: &Place, op: Op, mut told: Vec<Told>) -> String {
    let ok = told
        .iter()
        .filter(|told| told.outcome == Outcome::Done)
        .count();
    told.sort_by_key(|told| told.outcome == Outcome::Done);
    let more = told
        .iter()
        .skip(TOLD_MAX)
        .filter(|told| told.outcome != Outcome::Done)
        .count();
    let rows: Vec<String> = told.iter().take(TOLD_MAX).map(Told::encode).collect();
    place.location(&format!(
        "&op={}&ok={ok}&more={more}&rows={}#told",
        op.key(),
        percent(&rows.join(","))
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_travel_in_the_address_and_nothing_else_does() {
        let told = Told {
            subject: Subject::Item(OrderNo::parse("o", "20261207000012").unwrap(), 2),
            outcome: Outcome::Requested,
            op: Op::Release,
        };
        assert_eq!(told.encode(), "o:20261207000012:2:rq");
        assert_eq!(Told::decode(&told.encode(), Op::Release), Some(told));
        assert_eq!(
            Told::decode("s:77:sh", Op::Confirm).unwrap().subject,
            Subject::Shipping(77)
        );
        assert_eq!(Told::decode("o:<script>:1:ok", Op::Release), None);
        assert_eq!(Told::decode("o:A-1:1:zz", Op::Release), None);
        for outcome in Outcome::ALL {
            assert_eq!(Outcome::parse(outcome.code()), Some(outcome));
        }
    }

    #[test]
    fn the_page_after_a_bulk_action_counts_and_names() {
        let query = ShippingQuery {
            op: "release".into(),
            ok: "3".into(),
            rows: "o:A-1:1:rq,l:4:br,o:A-2:1:ok".into(),
            ..ShippingQuery::default()
        };
        let page = told_of(&query, Lang::Ko).unwrap();
        assert_eq!(
            page.summary,
            Err(
                "3건 출고했습니다. 2건은 처리하지 않았습니다 — 아래 표에서 이유를 확인하세요."
                    .into()
            )
        );
        assert_eq!(page.rows.len(), 3);
        let one = ShippingQuery {
            op: "confirm".into(),
            ok: "1".into(),
            rows: "o:A-1:1:ok".into(),
            ..ShippingQuery::default()
        };
        assert_eq!(
            told_of(&one, Lang::Ko).unwrap().summary,
            Ok("A-1 #1 — 주문확인했습니다".into())
        );
    }
}
