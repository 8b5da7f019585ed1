//! What the shipping queue is made of: its tabs, where a visitor stands in it (tab,
//! search, page), the vendor's lists read with its scope, and each row as the page shows
//! it.

use claims_domain::{
    Delay, ItemSeq, KstDate, KstDateTime, NoSell, OrderNo, PendingLine, Period, ReasonCode, Scope,
    ShippingItem, ShippingNo, ShippingStatus,
};
use claims_wire::Lang;

use crate::app::state::AppState;
use crate::console::page::PageError;
use crate::console::session::Signed;
use crate::console::text::{Words, percent};

/// Items read per list: more than any vendor has open at once; the page shows them
/// [`PAGE_ROWS`] at a time.
pub(super) const LIST_ROWS: usize = 5_000;

/// The carrier a waybill names unless another is typed (CJ대한통운, as SSG numbers it).
pub(super) const DEFAULT_CARRIER: &str = "0000033011";

pub(super) fn scope_of(me: &Signed) -> Result<Scope, PageError> {
    me.vendor_scope((
        "업체 사용자만 배송을 처리할 수 있습니다.",
        "Only a vendor's users handle shipping.",
    ))
}

/// The queue a tab shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tab {
    /// Cancel requests waiting for the vendor's approval.
    Requests,
    /// Items in 배송지시.
    Confirm,
    /// Items confirmed or delayed, to release.
    Release,
    /// Items with a delay notice.
    Delayed,
    /// Items registered as out of stock.
    NoSell,
}

impl Tab {
    pub(super) const ALL: [Tab; 5] = [
        Tab::Requests,
        Tab::Confirm,
        Tab::Release,
        Tab::Delayed,
        Tab::NoSell,
    ];

    pub(super) fn key(self) -> &'static str {
        match self {
            Tab::Requests => "requests",
            Tab::Confirm => "confirm",
            Tab::Release => "release",
            Tab::Delayed => "delayed",
            Tab::NoSell => "nosell",
        }
    }

    pub(super) fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|tab| tab.key() == key.trim())
    }

    pub(super) fn name(self, lang: Lang) -> &'static str {
        match self {
            Tab::Requests => lang.t("취소신청", "Cancel requests"),
            Tab::Confirm => lang.t("주문확인 대기", "To confirm"),
            Tab::Release => lang.t("출고 대기", "To release"),
            Tab::Delayed => lang.t("출고지연", "Delayed"),
            Tab::NoSell => lang.t("판매불가", "Out of stock"),
        }
    }
}

/// Where the queue stands: the tab, the search and the page, as links and redirects
/// carry them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Place {
    pub tab: Tab,
    pub q: String,
    pub page: usize,
}

impl Place {
    /// The queue's address at this place, with `extra` (already encoded) after it.
    pub(super) fn location(&self, extra: &str) -> String {
        let mut location = format!("/console/shipping?tab={}", self.tab.key());
        if !self.q.is_empty() {
            location.push_str(&format!("&q={}", percent(&self.q)));
        }
        if self.page > 1 {
            location.push_str(&format!("&page={}", self.page));
        }
        location.push_str(extra);
        location
    }

    pub(super) fn of(tab: &str, q: &str, page: &str) -> Option<Self> {
        Some(Place {
            tab: Tab::parse(tab)?,
            q: q.trim().to_owned(),
            page: page.trim().parse().unwrap_or(1).max(1),
        })
    }
}

#[derive(Debug)]
pub(super) struct PendingRow {
    pub(super) oror_no: OrderNo,
    pub(super) item_seq: ItemSeq,
    pub(super) shpp_no: u64,
    pub(super) item_nm: String,
    pub(super) uitem_nm: String,
    pub(super) qty: u32,
    pub(super) reason: ReasonCode,
    pub(super) reason_text: String,
    pub(super) filed_at: KstDateTime,
}

#[derive(Debug)]
pub(super) struct ItemRow {
    pub ord_no: OrderNo,
    pub seq: ItemSeq,
    pub shpp_no: u64,
    pub item_id: String,
    pub(super) item_nm: String,
    pub(super) uitem_nm: String,
    pub(super) open: u32,
    pub(super) received_at: KstDateTime,
    pub(super) orderer: String,
    pub(super) recipient: String,
    pub(super) phone: String,
    pub(super) shipping_fee: i64,
    pub(super) instructed: bool,
    /// The out-of-stock registration in force, if any: the item cannot ship.
    pub registered: Option<NoSell>,
    pub delay: Option<Delay>,
    /// Set for an exchange's replacement (교환출고): whether it still waits for its pickup.
    pub(super) replacement: Option<bool>,
    /// The order its link opens: the original order of a replacement.
    pub(super) link: OrderNo,
    /// Whether the customer's cancel request for it is pending: releasing it rejects it.
    pub(super) pending: bool,
}

impl ItemRow {
    pub(super) fn of(item: &ShippingItem, instructed: bool, pending: &[ShippingNo]) -> Self {
        ItemRow {
            pending: pending.contains(&item.state.shpp_no),
            link: item
                .exchange
                .as_ref()
                .map_or_else(|| item.ord_no.clone(), |of| of.oror_no.clone()),
            replacement: item
                .exchange
                .as_ref()
                .map(|of| of.status == claims_domain::ReplacementStatus::Waiting),
            ord_no: item.ord_no.clone(),
            seq: item.item.seq,
            shpp_no: item.state.shpp_no.get(),
            item_id: item.item.item_id.as_str().to_owned(),
            item_nm: item.item.item_nm.as_str().to_owned(),
            uitem_nm: item.item.uitem_nm.as_str().to_owned(),
            open: item.state.open(),
            received_at: item.received_at,
            orderer: item.ordpe_nm.as_str().to_owned(),
            recipient: item.recipient.name.as_str().to_owned(),
            phone: item.recipient.phone.as_str().to_owned(),
            shipping_fee: item.shipping_fee.get(),
            instructed,
            registered: item.state.registered_no_sell().cloned(),
            delay: item.state.delay.clone(),
        }
    }

    /// Whether the tab's bulk action applies to it.
    pub(super) fn pickable(&self, tab: Tab) -> bool {
        self.registered.is_none()
            && self.replacement != Some(true)
            && match tab {
                Tab::Confirm => self.instructed,
                Tab::Release => !self.instructed,
                _ => false,
            }
    }

    pub(super) fn matches(&self, q: &Search) -> bool {
        q.text(&[
            self.ord_no.as_str(),
            self.link.as_str(),
            &self.item_nm,
            &self.item_id,
            &self.uitem_nm,
            &self.orderer,
            &self.recipient,
        ]) || q.phone(&self.phone)
    }
}

/// A search as typed: text any field may contain (case aside), and phone digits.
#[derive(Debug)]
pub(super) struct Search {
    pub(super) lower: String,
    pub(super) digits: String,
}

impl Search {
    pub(super) fn new(q: &str) -> Self {
        Search {
            lower: q.trim().to_lowercase(),
            digits: q.chars().filter(char::is_ascii_digit).collect(),
        }
    }

    pub(super) fn text(&self, fields: &[&str]) -> bool {
        self.lower.is_empty()
            || fields
                .iter()
                .any(|field| field.to_lowercase().contains(&self.lower))
    }

    /// Four digits or more find a phone number however it was written.
    pub(super) fn phone(&self, phone: &str) -> bool {
        self.digits.len() >= 4
            && phone
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
                .contains(&self.digits)
    }
}

/// The lists the queue is made of, read with the vendor's scope.
pub(super) struct Lists {
    pub(super) pending: Vec<PendingLine>,
    pub(super) instructed: Vec<ShippingItem>,
    pub(super) confirmed: Vec<ShippingItem>,
}

/// Reads what waits for the vendor: its open items of the last 180 days (SSG's shipping
/// lists' reach) and every pending cancel request.
pub(super) async fn lists(app: &AppState, scope: &Scope, lang: Lang) -> Result<Lists, PageError> {
    let today = KstDate::of(app.clock.now());
    let half_year = Period::spanning(today.plus_days(-179), today, 180).expect("180 days");
    let store = |e| PageError::store(lang, e);
    Ok(Lists {
        pending: app
            .store
            .pending_cancel_lines(scope, half_year, LIST_ROWS)
            .await
            .map_err(store)?,
        instructed: app
            .store
            .shipping_items(scope, ShippingStatus::Instructed, half_year, LIST_ROWS)
            .await
            .map_err(store)?,
        confirmed: app
            .store
            .shipping_items(scope, ShippingStatus::Confirmed, half_year, LIST_ROWS)
            .await
            .map_err(store)?,
    })
}
