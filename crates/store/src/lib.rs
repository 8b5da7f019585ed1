//! The storage seam of `ssg-claims`.
//!
//! [`Store`] is everything the service asks of a database. It is implemented once, for
//! every [`Backend`] (the embedded SQLite file, PostgreSQL): what the service writes, and
//! what it reads but the inquiry, are scripts written once over [`sql::Sql`] (`orders`,
//! `shipping`, `requests`, `events`, `webhooks`, `admin`, `console`, `idempotency`), on
//! tables declared once ([`tables`]). Each operation is declared once, below, as its
//! signature and the script it runs (see `declare`): the trait method and its
//! implementation both follow. A backend only binds parameters, reads columns, runs scripts
//! in its transactions and serves the inquiry, its hot path, straight from its driver's
//! buffers. `conformance` (the `testing` feature) holds the scenarios every backend must
//! pass, written once.
//!
//! Invariant: the store decides nothing itself. Every rule (who may cancel, how much, what
//! it refunds, whether an item may ship) is asked of `claims-domain` inside the write
//! transaction, on state read under that transaction's lock; scripts only read, lock and
//! write.

use std::fmt;

use async_trait::async_trait;
use claims_domain::{
    Actor, CancelCommand, CancelRejection, CancelRequest, CancelRow, Claim, ClaimNo, ClockAnchor,
    ClockMove, CustomerId, DelayReason, DeliveredQuery, InquiryQuery, InvalidValue, ItemSeq,
    ItemState, KstDate, KstDateTime, Moved, NewEvent, NewOrder, NoSellReason, OrderNo, PendingLine,
    Period, PickupClaim, PickupCommand, PickupListing, PickupQuery, PickupRejection, Quantity,
    Release, RequestId, RowKey, RowSink, Scope, ShipRejection, ShippingItem, ShippingNo,
    ShippingStatus, Text, VendorId, Waybill,
};
use claims_domain::{DeliveryAttempt, EndpointStatus, Webhook, WebhookId, WebhookSecret};

pub mod admin;
pub mod bulk;
mod clock;
#[cfg(feature = "testing")]
pub mod conformance;
pub mod console;
mod credentials;
mod declare;
pub mod deferred;
mod events;
pub use events::{EVENTS_CHANNEL, events_after_sql};
pub mod idempotency;
mod nodes;
mod nosell;
pub use nosell::{DueNoSell, Executed};
mod orders;
pub use orders::OrderCursor;
mod pickups;
mod requests;
mod returns;
mod sandbox;
pub use returns::{DuePickup, PickupStep, replacement_item, replacement_shipping};
pub use sandbox::SandboxEntry;
mod secrets;
pub use secrets::SecretsKey;
mod shipping;
pub mod sql;
pub mod stored;
pub mod tables;
mod users;
mod webhooks;
pub use webhooks::KEPT_ATTEMPTS;

pub use admin::KEY_LOOKUP_SQL;
pub use console::{CancellationCount, Waiting};
pub use credentials::{
    ApiKeyInfo, KeyId, NewApiKey, NewToken, Role, SecretHash, TokenId, TokenInfo,
};
pub use idempotency::{
    Begin, Completion, Fingerprint, IdempotencyKey, Quota, StoredAnswer, Usage, Window,
};
pub use sql::Backend;
pub use users::{Login, NewSession, NewUser, Password, RoleKind, Session, User, UserRole};

use declare::store;
use sql::script;

/// Any error a database driver reports.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A vendor to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVendor {
    pub id: VendorId,
    pub name: Text,
    /// Set for a lower-rank vendor: the vendor it ranks under. Only one level exists.
    pub parent: Option<VendorId>,
}

/// A registered vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vendor {
    pub id: VendorId,
    pub name: Text,
    pub parent: Option<VendorId>,
    pub created_at: KstDateTime,
}

/// An order with where each of its items stands and the claims made against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    pub order: NewOrder,
    /// One per item, in sequence order.
    pub items: Vec<ItemState>,
    /// In the order they were made.
    pub claims: Vec<Claim>,
    /// In the order they were filed.
    pub cancel_requests: Vec<CancelRequest>,
    /// Its returns and exchanges, in the order they were filed.
    pub pickups: Vec<PickupClaim>,
}

impl OrderRecord {
    /// The order as the cancellation rules see it.
    pub fn state(&self) -> claims_domain::OrderState {
        claims_domain::OrderState {
            ord_no: self.order.ord_no().clone(),
            customer_id: self.order.customer_id().clone(),
            items: self.items.clone(),
            shipping_fees: self.order.shipping_fees().to_vec(),
        }
    }

    /// The items with a pending cancel request line.
    pub fn pending_items(&self) -> Vec<ItemSeq> {
        self.cancel_requests
            .iter()
            .flat_map(|request| &request.lines)
            .filter(|line| line.status == claims_domain::LineStatus::Requested)
            .map(|line| line.item_seq)
            .collect()
    }
}

/// The outcome of placing an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    /// A new order.
    Created(OrderRecord),
    /// The same order was placed before; this is it, as stored.
    Existing(OrderRecord),
}

/// A shipment (release) that was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    pub ord_no: OrderNo,
    pub item_seq: ItemSeq,
    pub qty: Quantity,
    pub shipped_at: KstDateTime,
    /// The cancel requests whose line for the item it rejected (at most one line is pending
    /// per item).
    pub rejected: Vec<RequestId>,
}

/// An event as stored: its place in its vendor's sequence, when it happened, and what it
/// is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub sequence: u64,
    pub occurred_at: KstDateTime,
    pub event: NewEvent,
}

/// A page of a scope's events, and how far its vendor's sequence was read for it: past
/// `through`, nothing the scope may see is left unread (a narrowed scope's cursor moves
/// past its parent's other events, so that it never reads them again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventsPage {
    pub events: Vec<StoredEvent>,
    /// The last sequence read; at least the last event's.
    pub through: u64,
}

/// What a page of a vendor's events is written from (see [`Store::event_sources`]).
#[derive(Debug, Clone, Default)]
pub struct EventSources {
    /// Each order named, once, in the order first named.
    pub orders: Vec<OrderRecord>,
    /// The inquiry rows of the claims' original orders, every vendor's, in the inquiry's
    /// order.
    pub claim_rows: Vec<CancelRow>,
}

/// Where a vendor's event sequence stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EventHead {
    /// The last sequence given (0: none yet).
    pub last: u64,
    /// Events through this sequence were removed by retention.
    pub purged_through: u64,
}

/// An attempt to deliver to an endpoint, as the node that made it under its lease records
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempted {
    /// The node holding the lease.
    pub node: String,
    /// The endpoint as the attempt left it: its cursor, failures, next attempt, status and
    /// errors.
    pub after: Webhook,
    /// The lease, kept until then while there is more to deliver; `None` gives it up.
    pub lease_until: Option<KstDateTime>,
    /// The attempt, for the delivery log; `None` when the cursor only moved past events the
    /// endpoint does not receive.
    pub log: Option<DeliveryAttempt>,
}

/// What a replay of an endpoint did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replayed {
    /// The endpoint starts again from the cursor asked for.
    Done(Box<Webhook>),
    /// It was replayed too recently: when its last replay was.
    TooSoon(KstDateTime),
}

/// A waybill that was recorded, and the shipment it made when a cancel request was pending
/// for the item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waybilled {
    /// Where the item stands afterwards.
    pub state: ItemState,
    pub shipment: Option<Shipment>,
}

/// How the console ships an item in one step: with a waybill or without one, and whether
/// a cancel request pending for it may be rejected by shipping it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispatch {
    /// Recorded before the release; an item still instructed is confirmed first.
    pub waybill: Option<Waybill>,
    /// `false`: an item the customer asked to cancel is left as it is
    /// ([`Dispatched::Requested`]); `true`: shipping it rejects their request.
    pub reject_request: bool,
}

/// What [`Store::dispatch`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dispatched {
    Shipped(Shipment),
    /// Nothing: a cancel request is pending for the item and the caller did not agree to
    /// reject it.
    Requested,
}

/// An item, as a call names it: by its order and sequence (the platform API, the approval of
/// a cancel request), or by its shipping number (SSG's shipping calls).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemRef {
    Order(OrderNo, ItemSeq),
    Shipping(ShippingNo),
}

/// Something asked for does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotFound {
    #[error("no vendor {0}")]
    Vendor(VendorId),
    #[error("no order {0}")]
    Order(OrderNo),
    #[error("order {0} has no item {1}")]
    Item(OrderNo, ItemSeq),
    #[error("no item with shipping number {0}")]
    Shipping(ShippingNo),
    #[error("no cancel request {0}")]
    CancelRequest(RequestId),
    #[error("no API key {0}")]
    ApiKey(KeyId),
    #[error("no token {0}")]
    Token(TokenId),
    #[error("no console user {0}")]
    User(Login),
    #[error("no pickup with shipping number {0}")]
    Pickup(ShippingNo),
    #[error("no return or exchange {0}")]
    PickupClaim(ClaimNo),
}

/// A write that clashes with what is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    #[error("vendor {0} already exists")]
    VendorExists(VendorId),
    #[error("order {0} was already placed with different contents")]
    OrderDiffers(OrderNo),
    #[error("console user {0} already exists")]
    UserExists(Login),
    #[error("the sandbox clock shows {shown} and moves only forward, not to {asked}")]
    ClockBackwards {
        shown: KstDateTime,
        asked: KstDateTime,
    },
}

/// What reading one page of an inquiry found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InquiryPage {
    /// The key's scope; `None` when the key is unknown or revoked, and then nothing was read.
    pub scope: Option<Scope>,
    /// Rows handed to the sink.
    pub rows: usize,
    /// Where the last row handed over sits, to continue after it.
    pub last: Option<RowKey>,
}

/// The one error type of the storage boundary.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    NotFound(#[from] NotFound),
    #[error(transparent)]
    Conflict(#[from] Conflict),
    /// Input that is well-formed on its own but does not fit what is stored (an order
    /// naming an unknown vendor, for example).
    #[error(transparent)]
    Invalid(#[from] InvalidValue),
    #[error(transparent)]
    Cancel(#[from] CancelRejection),
    #[error(transparent)]
    Ship(#[from] ShipRejection),
    #[error(transparent)]
    Pickup(#[from] PickupRejection),
    /// The database cannot be reached now; the request may succeed later.
    #[error("the database is unavailable")]
    Unavailable(#[source] BoxError),
    /// Anything else: a bug, corrupt data, a full disk.
    #[error("the database failed")]
    Internal(#[source] BoxError),
}

impl StoreError {
    pub fn internal(error: impl Into<BoxError>) -> Self {
        StoreError::Internal(error.into())
    }
}

/// The schema a database is at, and the one this program was built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaStatus {
    pub current: i64,
    pub expected: i64,
}

impl SchemaStatus {
    /// The database is at exactly the version this program knows: not behind (migrations
    /// pending) and not ahead (migrated by a newer program).
    pub fn is_current(self) -> bool {
        self.current == self.expected
    }
}

/// One connection pool of a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// Its name in metrics: `writer` and `readers` for SQLite, `main` for PostgreSQL.
    pub name: &'static str,
    /// The most connections it opens.
    pub max: usize,
    /// Connections checked out now.
    pub in_use: usize,
    /// Connections open and waiting to be used.
    pub idle: usize,
    /// Calls waiting for a connection.
    pub waiting: usize,
}

store! {
    /// Everything the service asks of a database.
    ///
    /// Every method is atomic: it happens completely or not at all. Times are passed in by the
    /// caller, which owns the clock.
    trait {
        /// The connection pools and how busy they are, as of now.
        fn pools(&self) -> Vec<PoolStatus>;
        /// Finishes with the database: waits for calls in flight, lets the database tidy up
        /// (SQLite folds its write-ahead log back into the file), and closes every connection.
        /// Calls made afterwards fail as unavailable.
        async fn close(&self);
        /// The platform's one-step shipment of an item: confirmed if it was not, and released
        /// (see [`Store::release`] with [`Release::OneStep`]).
        async fn ship(
            &self,
            ord_no: &OrderNo,
            item_seq: ItemSeq,
            scope: &Scope,
            now: KstDateTime,
        ) -> Result<Shipment, StoreError> {
            let item = ItemRef::Order(ord_no.clone(), item_seq);
            self.release(&item, scope, Release::OneStep, now).await
        }
        /// The session of `hash` if it was seen since `idle_since` and opened since
        /// `opened_since`; it counts as seen `now`.
        async fn console_session(
            &self,
            hash: &SecretHash,
            now: KstDateTime,
            idle_since: KstDateTime,
            opened_since: KstDateTime,
        ) -> Result<Option<Session>, StoreError>;
    }
    impl {
        fn pools(&self) -> Vec<PoolStatus> {
            Backend::pools(self)
        }

        async fn close(&self) {
            Backend::close(self).await;
        }

        async fn console_session(
            &self,
            hash: &SecretHash,
            now: KstDateTime,
            idle_since: KstDateTime,
            opened_since: KstDateTime,
        ) -> Result<Option<Session>, StoreError> {
            let hash = *hash;
            let found = self
                .read(script(move |sql| {
                    Box::pin(async move {
                        console::session(sql, &hash, idle_since, opened_since).await
                    })
                }))
                .await?;
            let Some((session, last_seen)) = found else {
                return Ok(None);
            };
            // Reading pages writes only when the last-seen time would lag too far behind.
            if now.unix_seconds() - last_seen.unix_seconds() >= console::TOUCH_EVERY_SECS {
                self.write(script(move |sql| {
                    Box::pin(async move { console::touch_session(sql, &hash, now).await })
                }))
                .await?;
            }
            Ok(Some(session))
        }
    }
    backend {
        /// Reaches the database and reads the version of its schema.
        fn readiness() -> SchemaStatus;
        /// Up to `limit` rows of the inquiry within `scope`, in answer order (cancel time, claim
        /// number, line), starting after `after` when given.
        fn canceled_rows(
            scope: &Scope,
            query: &InquiryQuery,
            after: Option<&RowKey>,
            limit: usize,
        ) -> Vec<CancelRow>;
        /// One page of the inquiry on behalf of the holder of the API key with hash `key`: the
        /// key is looked up and the page read together (one round trip where the database
        /// allows), so every page checks the key afresh. Rows go to `sink` as they are read,
        /// without being copied into owned values; the sink is handed back.
        fn inquiry_page(
            key: &SecretHash,
            query: &InquiryQuery,
            after: Option<&RowKey>,
            limit: usize,
            sink: Box<dyn RowSink>,
        ) -> (InquiryPage, Box<dyn RowSink>);
        /// How many rows the inquiry has, counting no further than `cap`.
        fn count_canceled_rows(scope: &Scope, query: &InquiryQuery, cap: usize) -> usize;
    }
    scripts {
        #[traced(vendor.id = %vendor.id)]
        write add_vendor(vendor: NewVendor, now: KstDateTime) -> Vendor
            = admin::add_vendor(&vendor, now);
        read vendor(id: &VendorId) -> Option<Vendor>
            = admin::vendor(&id);
        /// All vendors, ordered by id.
        read vendors() -> Vec<Vendor>
            = admin::vendors();
        /// Records a key. Its scope must name a top-level vendor and, if narrowed, one of that
        /// vendor's lower-rank vendors.
        #[traced(vendor.id = %key.scope.vendor, key.id = %key.id)]
        write add_api_key(key: NewApiKey, now: KstDateTime) -> ApiKeyInfo
            = admin::add_api_key(&key, now);
        /// Revokes a key, effective for every request that starts after this returns.
        /// Revoking a revoked key changes nothing and succeeds.
        #[traced(key.id = %id)]
        write revoke_api_key(id: &KeyId, now: KstDateTime) -> ApiKeyInfo
            = admin::revoke_api_key(&id, now);
        /// A vendor's keys — or every vendor's, by vendor, with `None` — revoked ones included,
        /// oldest first.
        read api_keys(vendor: Option<&VendorId>) -> Vec<ApiKeyInfo>
            = admin::api_keys(vendor.as_ref());
        /// The scope of the live (not revoked) key with this hash.
        read scope_for_key(hash: &SecretHash) -> Option<Scope>
            = admin::scope_for_key(&hash);
        /// Records a platform token (its hash only).
        #[traced(token.id = %token.id, token.role = %token.role)]
        write add_token(token: NewToken, now: KstDateTime) -> TokenInfo
            = admin::add_token(&token, now);
        /// Revokes a token, effective for every request that starts after this returns.
        #[traced(token.id = %id)]
        write revoke_token(id: &TokenId, now: KstDateTime) -> TokenInfo
            = admin::revoke_token(&id, now);
        /// All platform tokens, revoked ones included, oldest first.
        read tokens() -> Vec<TokenInfo>
            = admin::tokens();
        /// The role of the live (not revoked) token with this hash.
        read role_for_token(hash: &SecretHash) -> Option<Role>
            = admin::role_for_token(&hash);
        /// Places an order, or returns the stored one if the same order was placed before.
        /// Every vendor it names must exist, each lower-rank vendor under its item's vendor.
        #[traced(order.no = %order.ord_no())]
        write place_order(order: NewOrder, now: KstDateTime) -> Placed
            = orders::place(&order, now, None);
        /// [`Store::place_order`], recording the answer `done` renders for its idempotency
        /// key in the same transaction.
        #[traced(order.no = %order.ord_no())]
        write place_order_once(order: NewOrder, now: KstDateTime, done: Completion<Placed>) -> Placed
            = orders::place(&order, now, Some(done));
        read order(ord_no: &OrderNo) -> Option<OrderRecord>
            = orders::load(&ord_no);
        /// One claim, by its number.
        read claim(clm_no: &ClaimNo) -> Option<Claim>
            = orders::claim(&clm_no);
        /// Up to `limit` orders of a customer, newest first (receipt time, then order number),
        /// after `after` when given.
        read orders_of_customer(
            customer: &CustomerId,
            after: Option<&OrderCursor>,
            limit: usize,
        ) -> Vec<OrderRecord>
            = orders::of_customer(&customer, after.as_ref(), limit);
        /// Cancels items of an order as one claim, numbered by the store, at `now`.
        #[traced(order.no = %ord_no)]
        write cancel(ord_no: &OrderNo, command: &CancelCommand, now: KstDateTime) -> Claim
            = orders::cancel(&ord_no, &command, now, None);
        /// [`Store::cancel`], recording the answer `done` renders for its idempotency key in
        /// the same transaction.
        #[traced(order.no = %ord_no)]
        write cancel_once(
            ord_no: &OrderNo,
            command: &CancelCommand,
            now: KstDateTime,
            done: Completion<Claim>,
        ) -> Claim
            = orders::cancel(&ord_no, &command, now, Some(done));
        /// Claims an idempotency key for a request with `fingerprint`, or says why not
        /// (see [`idempotency::decide`]); a new key only while its credential keeps less than
        /// `window.quota`.
        write idempotency_begin(
            key: &IdempotencyKey,
            fingerprint: Fingerprint,
            window: Window,
        ) -> Begin
            = idempotency::begin(&key, fingerprint, window);
        /// Records the answer of a claimed key's request that changed nothing (a refusal).
        write idempotency_finish(key: &IdempotencyKey, answer: StoredAnswer, now: KstDateTime) -> ()
            = idempotency::record(&key, &answer, now);
        /// Forgets a claimed key whose request failed in a way that may pass, so that a retry
        /// runs again.
        write idempotency_release(key: &IdempotencyKey) -> ()
            = idempotency::release(&key);
        /// Forgets up to `limit` keys first used before `lapsed_before`, in one short
        /// transaction that never waits for a key in use; returns how many it forgot.
        write purge_idempotency_keys(lapsed_before: KstDateTime, limit: usize) -> usize
            = idempotency::purge(lapsed_before, limit);
        /// What the credential with this hash keeps for replays now.
        read idempotency_usage(owner: &SecretHash) -> Usage
            = idempotency::usage(&owner);
        /// Confirms an item (주문확인) for the vendor holding `scope`: 배송지시 → 피킹완료, which
        /// closes direct cancellation. Confirming a confirmed item changes nothing. Returns where
        /// the item stands.
        #[traced(item = ?item)]
        write confirm(item: &ItemRef, scope: &Scope, now: KstDateTime) -> ItemState
            = shipping::confirm(&item, &scope, now);
        /// Records the waybill of a confirmed item for the vendor holding `scope`. When a cancel
        /// request is pending for the item, it ships at once and the request's line is rejected,
        /// in the same transaction.
        #[traced(item = ?item)]
        write record_waybill(
            item: &ItemRef,
            scope: &Scope,
            waybill: &Waybill,
            now: KstDateTime,
        ) -> Waybilled
            = shipping::record_waybill(&item, &scope, &waybill, now);
        /// Releases an item (출고완료) for the vendor holding `scope`, as `how` says: its open units
        /// ship, closing every cancellation, and a pending cancel request line for it is rejected
        /// in the same transaction.
        #[traced(item = ?item)]
        write release(item: &ItemRef, scope: &Scope, how: Release, now: KstDateTime) -> Shipment
            = shipping::release(&item, &scope, how, now);
        /// Ships an item as the console's shipping queue does, in one transaction under the
        /// order's lock: the check for a pending cancel request, confirming an instructed
        /// item, the waybill and the release — so that a request filed a moment before is
        /// never rejected unless `how` agrees to it.
        #[traced(item = ?item)]
        write dispatch(item: &ItemRef, scope: &Scope, how: &Dispatch, now: KstDateTime) -> Dispatched
            = shipping::dispatch(&item, &scope, &how, now);
        /// Records that a released item reached the customer (배송완료): for the vendor holding
        /// `scope`, or with `None` on the carrier's word (the platform). From the KST day after
        /// its release; once. Returns where the item stands.
        #[traced(item = ?item)]
        write deliver(item: &ItemRef, scope: Option<&Scope>, now: KstDateTime) -> ItemState
            = shipping::deliver(&item, scope.as_ref(), now);
        /// The vendor's delivered items as `query` asks, by the date it filters on, then order
        /// and item; at most `limit`.
        read delivered_items(scope: &Scope, query: &DeliveredQuery, limit: usize) -> Vec<ShippingItem>
            = shipping::delivered(&scope, &query, limit);
        /// The vendor's items at `stage` (instructed, or confirmed) with units open, of orders
        /// received within `period`, oldest order first; at most `limit`.
        read shipping_items(
            scope: &Scope,
            stage: ShippingStatus,
            period: Period,
            limit: usize,
        ) -> Vec<ShippingItem>
            = shipping::list(&scope, stage, period, limit);
        /// Files a cancel request for confirmed items of an order as `id`, at `now`: all of it,
        /// or nothing.
        #[traced(order.no = %ord_no, request.id = %id)]
        write file_cancel_request(
            ord_no: &OrderNo,
            command: &CancelCommand,
            id: RequestId,
            now: KstDateTime,
        ) -> CancelRequest
            = requests::file(&ord_no, &command, id, now, None);
        /// [`Store::file_cancel_request`], recording the answer `done` renders for its
        /// idempotency key in the same transaction.
        #[traced(order.no = %ord_no, request.id = %id)]
        write file_cancel_request_once(
            ord_no: &OrderNo,
            command: &CancelCommand,
            id: RequestId,
            now: KstDateTime,
            done: Completion<CancelRequest>,
        ) -> CancelRequest
            = requests::file(&ord_no, &command, id, now, Some(done));
        /// One cancel request, with its lines.
        read cancel_request(id: &RequestId) -> Option<CancelRequest>
            = requests::one(&id);
        /// Withdraws every pending line of a cancel request on behalf of `actor`. Returns the
        /// request as it stands afterwards.
        #[traced(request.id = %id)]
        write withdraw_cancel_request(
            id: &RequestId,
            actor: &Actor,
            now: KstDateTime,
        ) -> CancelRequest
            = requests::withdraw(&id, &actor, now);
        /// The vendor holding `scope` approves the pending cancel request line of an item: the
        /// cancellation takes effect now, as a claim of its own.
        #[traced(order.no = %ord_no, item.seq = %item_seq)]
        write approve_cancel_request(
            ord_no: &OrderNo,
            item_seq: ItemSeq,
            scope: &Scope,
            now: KstDateTime,
        ) -> Claim
            = requests::approve(&ord_no, item_seq, &scope, now);
        /// The vendor's pending cancel request lines, of requests filed within `period`, oldest
        /// first; at most `limit`.
        read pending_cancel_lines(scope: &Scope, period: Period, limit: usize) -> Vec<PendingLine>
            = requests::pending_lines(&scope, period, limit);
        /// Up to `limit` of the events `scope` may see after sequence `after` of its vendor, in
        /// sequence order (a narrowed key sees those about its lower-rank vendor's items), and
        /// how far the sequence was read. Every event is written in the transaction of its
        /// change, and a vendor's events commit in sequence order, so reading on from
        /// `through` never misses one.
        read events_after(scope: &Scope, after: u64, limit: usize) -> EventsPage
            = events::after(&scope, after, limit);
        /// What a page of events is written from, read at once whatever the page's length:
        /// the orders `ord_nos` name (each once, those that exist) and every vendor's inquiry
        /// rows of the original orders `claim_orders`.
        read event_sources(ord_nos: &[OrderNo], claim_orders: &[OrderNo]) -> EventSources
            = orders::event_sources(&ord_nos, &claim_orders);
        /// Where a vendor's event sequence stands.
        read event_head(vendor: &VendorId) -> EventHead
            = events::head(&vendor);
        /// Removes up to `limit` events that occurred before `before`, in one short transaction;
        /// returns how many it removed.
        write purge_events(before: KstDateTime, limit: usize) -> usize
            = events::purge(before, limit);
        /// Registers an endpoint; it receives the events its vendor gets from now on.
        #[traced(webhook.id = %webhook.id)]
        write add_webhook(webhook: Webhook) -> Webhook
            = webhooks::add(webhook);
        /// The endpoints of `vendor`, or of every vendor.
        read webhooks(vendor: Option<&VendorId>) -> Vec<Webhook>
            = webhooks::list(vendor.as_ref());
        read webhook(id: &WebhookId) -> Option<Webhook>
            = webhooks::get(&id);
        /// Removes an endpoint and its delivery log; whether it existed.
        #[traced(webhook.id = %id)]
        write delete_webhook(id: &WebhookId) -> bool
            = webhooks::delete(&id);
        /// Signs with `secret` from now on, and with the secret it replaces until `until`.
        #[traced(webhook.id = %id)]
        write rotate_webhook_secret(
            id: &WebhookId,
            secret: WebhookSecret,
            until: KstDateTime,
        ) -> Option<Webhook>
            = webhooks::rotate(&id, &secret, until);
        /// Makes an endpoint `status` and due at `now`, from `cursor` or where it stands,
        /// taking its lease from any node that held it.
        #[traced(webhook.id = %id)]
        write restart_webhook(
            id: &WebhookId,
            status: EndpointStatus,
            cursor: Option<u64>,
            now: KstDateTime,
        ) -> Option<Webhook>
            = webhooks::restart(&id, status, cursor, now);
        /// Replays an endpoint from `cursor` (keeping its status), unless it was replayed
        /// since `cooled_since`; `None` when there is no such endpoint.
        #[traced(webhook.id = %id)]
        write replay_webhook(
            id: &WebhookId,
            cursor: u64,
            now: KstDateTime,
            cooled_since: KstDateTime,
        ) -> Option<Replayed>
            = webhooks::replay(&id, cursor, now, cooled_since);
        /// An endpoint's most recent attempts, newest first.
        read webhook_deliveries(id: &WebhookId, limit: usize) -> Vec<DeliveryAttempt>
            = webhooks::deliveries(&id, limit);
        /// Whether any endpoint has events due at `now` and nobody delivering to it.
        read webhooks_due(now: KstDateTime) -> bool
            = webhooks::any_due(now);
        /// Leases up to `limit` such endpoints to `node` until `until`; on PostgreSQL, an
        /// endpoint another node is leasing at the same moment is passed over.
        write lease_webhooks(
            node: &str,
            now: KstDateTime,
            until: KstDateTime,
            limit: usize,
        ) -> Vec<Webhook>
            = webhooks::lease(&node, now, until, limit);
        /// Records an attempt under its node's lease; `None` when the lease is lost (then
        /// nothing is written).
        write webhook_attempted(attempted: Attempted) -> Option<Webhook>
            = webhooks::attempted(&attempted);
        /// Gives up `node`'s lease on an endpoint.
        write release_webhook(id: &WebhookId, node: &str) -> ()
            = webhooks::release(&id, &node);
        /// Appends what a sandbox saw; its place in the log.
        write record_sandbox(entry: SandboxEntry) -> u64
            = sandbox::record(&entry);
        /// What a sandbox saw after `after`, in order, at most `limit`: `vendor`'s and the
        /// scenario's steps, or everything.
        read sandbox_log(vendor: Option<&VendorId>, after: u64, limit: usize) -> Vec<(u64, SandboxEntry)>
            = sandbox::log(vendor.as_ref(), after, limit);
        /// Records that `node` is alive at `now`, forgets nodes not seen since `live_since`, and
        /// counts the live nodes sharing this database (this one included).
        write heartbeat(node: &str, now: KstDateTime, live_since: KstDateTime) -> usize
            = nodes::heartbeat(&node, now, live_since);
        /// Forgets `node`, which is shutting down.
        write leave(node: &str) -> ()
            = nodes::leave(&node);
        /// The scope of a live key (`None` when unknown or revoked) and its vendor's change
        /// count: the sequence of the vendor's last event, which every claim bumps in its own
        /// transaction. An inquiry answer read after the count was read is current for as long
        /// as the count stays the same.
        read key_version(hash: &SecretHash) -> Option<(Scope, u64)>
            = admin::key_version(&hash);
        /// Records a console user (its password already hashed).
        #[traced(user.login = %user.login)]
        write add_console_user(user: NewUser, now: KstDateTime) -> User
            = console::add_user(&user, now);
        /// Every console user, by login.
        read console_users() -> Vec<User>
            = console::users();
        /// A console user and their password's hash, to check a sign-in.
        read console_credentials(login: &Login) -> Option<(User, String)>
            = console::credentials(&login);
        /// Removes a console user and ends their sessions.
        #[traced(user.login = %login)]
        write delete_console_user(login: &Login) -> ()
            = console::delete_user(&login);
        write open_console_session(session: NewSession, now: KstDateTime) -> ()
            = console::open_session(&session, now);
        write end_console_session(hash: &SecretHash) -> ()
            = console::end_session(&hash);
        /// Drops up to `limit` sessions last seen before `before`; how many.
        write purge_console_sessions(before: KstDateTime, limit: usize) -> usize
            = console::purge_sessions(before, limit);
        /// Up to `limit` orders whose orderer is named exactly `name`, received within
        /// `from ..= to`, newest first.
        read orders_by_orderer(
            name: &str,
            from: KstDateTime,
            to: KstDateTime,
            limit: usize,
        ) -> Vec<OrderNo>
            = console::orders_by_orderer(&name, from, to, limit);
        /// Up to `limit` orders received within `from ..= to` that a partial `term` names:
        /// an order-number or name prefix (orderer or recipient), or phone digits; newest
        /// first.
        read search_orders(
            term: &str,
            from: KstDateTime,
            to: KstDateTime,
            limit: usize,
        ) -> Vec<OrderNo>
            = console::search_orders(&term, from, to, limit);
        /// The orders agent `agent` acted on since `since`, with the last time, newest first.
        read orders_touched_by(agent: &str, since: KstDateTime, limit: usize) -> Vec<(OrderNo, KstDateTime)>
            = console::orders_touched_by(&agent, since, limit);
        /// What waits for the vendor holding `scope` (see [`console::Waiting`]).
        read waiting(scope: &Scope, since: KstDateTime, today: KstDateTime) -> Waiting
            = console::waiting(&scope, since, today);
        /// The lines `scope` may see that were canceled within `from ..= to`, counted per
        /// KST day and reason, by day then reason.
        read cancellation_counts(
            scope: &Scope,
            from: KstDateTime,
            to: KstDateTime,
        ) -> Vec<CancellationCount>
            = console::cancellation_counts(&scope, from, to);
        /// Registers an item as out of stock (판매불가) for the vendor holding `scope`, naming
        /// its `item_id` too: it cannot ship, and is canceled at 17:00 KST the next day unless
        /// withdrawn first. Returns where the item stands.
        #[traced(item = ?item)]
        write register_no_sell(
            item: &ItemRef,
            item_id: &str,
            scope: &Scope,
            reason: NoSellReason,
            text: &Text,
            now: KstDateTime,
        ) -> ItemState
            = nosell::register(&item, &item_id, &scope, reason, &text, now);
        /// Withdraws the item's registration before it runs.
        #[traced(item = ?item)]
        write withdraw_no_sell(item: &ItemRef, item_id: &str, scope: &Scope, now: KstDateTime) -> ItemState
            = nosell::withdraw(&item, &item_id, &scope, now);
        /// Sends a delay notice (출고지연) for the item: released by `until` at the latest.
        #[traced(item = ?item)]
        write notify_delay(
            item: &ItemRef,
            item_id: &str,
            scope: &Scope,
            reason: DelayReason,
            until: KstDate,
            now: KstDateTime,
        ) -> ItemState
            = nosell::delay(&item, &item_id, &scope, reason, until, now);
        /// Up to `limit` registrations in force due by `by`, earliest first.
        read due_no_sells(by: KstDateTime, limit: usize) -> Vec<DueNoSell>
            = nosell::due(by, limit);
        /// Executes a due registration at `now` — pending cancel request lines of the item
        /// approved, then its open units canceled as the vendor's claim — exactly once however
        /// many nodes try: `None` when there is nothing (left) to do.
        #[traced(order.no = %ord_no, item.seq = %item_seq)]
        write execute_no_sell(ord_no: &OrderNo, item_seq: ItemSeq, now: KstDateTime) -> Option<Executed>
            = nosell::execute(&ord_no, item_seq, now);
        /// Files a return or an exchange of items of `ord_no` as one claim numbered by the store,
        /// each line a pickup (and an exchange's replacement) with its own shipping number: all
        /// of it, or nothing.
        #[traced(order.no = %ord_no)]
        write file_pickup(ord_no: &OrderNo, command: &PickupCommand, now: KstDateTime) -> PickupClaim
            = returns::file(&ord_no, &command, now, None);
        /// [`Store::file_pickup`], recording the answer `done` renders for its idempotency key
        /// in the same transaction.
        #[traced(order.no = %ord_no)]
        write file_pickup_once(
            ord_no: &OrderNo,
            command: &PickupCommand,
            now: KstDateTime,
            done: Completion<PickupClaim>,
        ) -> PickupClaim
            = returns::file(&ord_no, &command, now, Some(done));
        /// One return or exchange, by its claim number.
        read pickup_claim(clm_no: &ClaimNo) -> Option<PickupClaim>
            = pickups::claim(&clm_no);
        /// Withdraws a whole return or exchange on behalf of `actor` while every pickup is
        /// still 회수지시 (61). Returns the claim as it stands afterwards.
        #[traced(claim.no = %clm_no)]
        write withdraw_pickup(clm_no: &ClaimNo, actor: &Actor, now: KstDateTime) -> PickupClaim
            = returns::withdraw(&clm_no, &actor, now);
        /// The vendor holding `scope` confirms, completes or refuses its pickup numbered
        /// `shpp_no`, of `qty` units (all of them). Returns the claim as it stands afterwards.
        #[traced(shpp.no = %shpp_no)]
        write pickup_step(
            shpp_no: ShippingNo,
            scope: &Scope,
            qty: u32,
            step: &PickupStep,
            now: KstDateTime,
        ) -> PickupClaim
            = returns::step(shpp_no, &scope, qty, &step, now);
        /// The pickups `scope` may see that `query` asks for, by the date its period is on, then
        /// claim number and line; at most `limit`.
        read pickups(scope: &Scope, query: &PickupQuery, limit: usize) -> Vec<PickupListing>
            = returns::list(&scope, &query, limit);
        /// Up to `limit` confirmed pickups that complete by themselves by `by`, earliest first.
        read due_pickups(by: KstDateTime, limit: usize) -> Vec<DuePickup>
            = returns::due(by, limit);
        /// Completes a confirmed pickup that fell due at `now`, exactly once however many nodes
        /// try: `None` when there is nothing (left) to do.
        #[traced(shpp.no = %shpp_no)]
        write auto_complete_pickup(shpp_no: ShippingNo, now: KstDateTime) -> Option<PickupClaim>
            = returns::auto_complete(shpp_no, now);
        /// The sandbox clock, if one was started.
        read sandbox_clock() -> Option<ClockAnchor>
            = clock::get();
        /// Moves the sandbox clock as `how` says, at the real moment `real_ms` (milliseconds
        /// since the epoch): forward only ([`Conflict::ClockBackwards`]), decided under the
        /// clock's lock, so that two moves at once both count. Starts it at `start` first
        /// when it was not started.
        write move_sandbox_clock(how: ClockMove, real_ms: i64, start: ClockAnchor) -> Moved
            = clock::shift(how, real_ms, start, None);
        /// [`Store::move_sandbox_clock`], recording the answer `done` renders for its
        /// idempotency key in the same transaction.
        write move_sandbox_clock_once(
            how: ClockMove,
            real_ms: i64,
            start: ClockAnchor,
            done: Completion<Moved>,
        ) -> Moved
            = clock::shift(how, real_ms, start, Some(done));
        /// Starts the sandbox clock at `anchor` unless it runs already; the clock as it stands.
        write start_sandbox_clock(anchor: ClockAnchor) -> ClockAnchor
            = clock::start(anchor);
    }
}
