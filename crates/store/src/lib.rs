//! The storage seam of `ssg-claims`.
//!
//! [`Store`] is everything the service asks of a database. It is implemented once, for
//! every [`Backend`] (the embedded SQLite file, PostgreSQL): what the service writes, and
//! what it reads but the inquiry, are scripts written once over [`sql::Sql`] (`orders`,
//! `shipping`, `requests`, `admin`, `idempotency`), on tables declared once ([`tables`]); a backend only binds
//! parameters, reads columns, runs scripts in its transactions and serves the inquiry, its
//! hot path, straight from its driver's buffers. `conformance` (the `testing` feature)
//! holds the scenarios every backend must pass, written once.
//!
//! Invariant: the store decides nothing itself. Every rule (who may cancel, how much, what
//! it refunds, whether an item may ship) is asked of `claims-domain` inside the write
//! transaction, on state read under that transaction's lock; scripts only read, lock and
//! write.

use std::fmt;

use async_trait::async_trait;
use claims_domain::{
    Actor, CancelCommand, CancelRejection, CancelRequest, CancelRow, Claim, ClaimNo, CustomerId,
    InquiryQuery, InvalidValue, ItemSeq, ItemState, KstDateTime, NewEvent, NewOrder, OrderNo,
    PendingLine, Period, Quantity, Release, RequestId, RowKey, RowSink, Scope, ShipRejection,
    ShippingItem, ShippingNo, ShippingStatus, Text, VendorId, Waybill,
};
use claims_domain::{DeliveryAttempt, EndpointStatus, Webhook, WebhookId, WebhookSecret};

pub mod admin;
pub mod bulk;
#[cfg(feature = "testing")]
pub mod conformance;
pub mod console;
mod credentials;
pub mod deferred;
mod events;
pub mod idempotency;
mod nodes;
mod orders;
pub use orders::OrderCursor;
mod requests;
mod shipping;
pub mod sql;
pub mod stored;
pub mod tables;
mod webhooks;
pub use webhooks::KEPT_ATTEMPTS;

pub use admin::KEY_LOOKUP_SQL;
pub use console::{Login, NewSession, NewUser, Password, Session, User, UserRole};
pub use credentials::{
    ApiKeyInfo, KeyId, NewApiKey, NewToken, Role, SecretHash, TokenId, TokenInfo,
};
pub use idempotency::{
    Begin, Completion, Fingerprint, IdempotencyKey, Quota, StoredAnswer, Usage, Window,
};
pub use sql::Backend;

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

/// A waybill that was recorded, and the shipment it made when a cancel request was pending
/// for the item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waybilled {
    /// Where the item stands afterwards.
    pub state: ItemState,
    pub shipment: Option<Shipment>,
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

/// Everything the service asks of a database.
///
/// Every method is atomic: it happens completely or not at all. Times are passed in by the
/// caller, which owns the clock.
#[async_trait]
pub trait Store: Send + Sync + fmt::Debug + 'static {
    /// Reaches the database and reads the version of its schema.
    async fn readiness(&self) -> Result<SchemaStatus, StoreError>;

    /// The connection pools and how busy they are, as of now.
    fn pools(&self) -> Vec<PoolStatus>;

    /// Finishes with the database: waits for calls in flight, lets the database tidy up
    /// (SQLite folds its write-ahead log back into the file), and closes every connection.
    /// Calls made afterwards fail as unavailable.
    async fn close(&self);

    async fn add_vendor(&self, vendor: NewVendor, now: KstDateTime) -> Result<Vendor, StoreError>;

    async fn vendor(&self, id: &VendorId) -> Result<Option<Vendor>, StoreError>;

    /// All vendors, ordered by id.
    async fn vendors(&self) -> Result<Vec<Vendor>, StoreError>;

    /// Records a key. Its scope must name a top-level vendor and, if narrowed, one of that
    /// vendor's lower-rank vendors.
    async fn add_api_key(&self, key: NewApiKey, now: KstDateTime)
    -> Result<ApiKeyInfo, StoreError>;

    /// Revokes a key, effective for every request that starts after this returns.
    /// Revoking a revoked key changes nothing and succeeds.
    async fn revoke_api_key(&self, id: &KeyId, now: KstDateTime) -> Result<ApiKeyInfo, StoreError>;

    /// A vendor's keys — or every vendor's, by vendor, with `None` — revoked ones included,
    /// oldest first.
    async fn api_keys(&self, vendor: Option<&VendorId>) -> Result<Vec<ApiKeyInfo>, StoreError>;

    /// The scope of the live (not revoked) key with this hash.
    async fn scope_for_key(&self, hash: &SecretHash) -> Result<Option<Scope>, StoreError>;

    /// Records a platform token (its hash only).
    async fn add_token(&self, token: NewToken, now: KstDateTime) -> Result<TokenInfo, StoreError>;

    /// Revokes a token, effective for every request that starts after this returns.
    async fn revoke_token(&self, id: &TokenId, now: KstDateTime) -> Result<TokenInfo, StoreError>;

    /// All platform tokens, revoked ones included, oldest first.
    async fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError>;

    /// The role of the live (not revoked) token with this hash.
    async fn role_for_token(&self, hash: &SecretHash) -> Result<Option<Role>, StoreError>;

    /// Places an order, or returns the stored one if the same order was placed before.
    /// Every vendor it names must exist, each lower-rank vendor under its item's vendor.
    async fn place_order(&self, order: NewOrder, now: KstDateTime) -> Result<Placed, StoreError>;

    async fn order(&self, ord_no: &OrderNo) -> Result<Option<OrderRecord>, StoreError>;

    /// One claim, by its number.
    async fn claim(&self, clm_no: &ClaimNo) -> Result<Option<Claim>, StoreError>;

    /// Up to `limit` orders of a customer, newest first (receipt time, then order number),
    /// after `after` when given.
    async fn orders_of_customer(
        &self,
        customer: &CustomerId,
        after: Option<&OrderCursor>,
        limit: usize,
    ) -> Result<Vec<OrderRecord>, StoreError>;

    /// Cancels items of an order as one claim, numbered by the store, at `now`.
    async fn cancel(
        &self,
        ord_no: &OrderNo,
        command: &CancelCommand,
        now: KstDateTime,
    ) -> Result<Claim, StoreError>;

    /// [`Store::cancel`], recording the answer `done` renders for its idempotency key in
    /// the same transaction.
    async fn cancel_once(
        &self,
        ord_no: &OrderNo,
        command: &CancelCommand,
        now: KstDateTime,
        done: Completion<Claim>,
    ) -> Result<Claim, StoreError>;

    /// [`Store::place_order`], recording the answer `done` renders for its idempotency key
    /// in the same transaction.
    async fn place_order_once(
        &self,
        order: NewOrder,
        now: KstDateTime,
        done: Completion<Placed>,
    ) -> Result<Placed, StoreError>;

    /// Claims an idempotency key for a request with `fingerprint`, or says why not
    /// (see [`idempotency::decide`]); a new key only while its credential keeps less than
    /// `window.quota`.
    async fn idempotency_begin(
        &self,
        key: &IdempotencyKey,
        fingerprint: Fingerprint,
        window: Window,
    ) -> Result<Begin, StoreError>;

    /// Records the answer of a claimed key's request that changed nothing (a refusal).
    async fn idempotency_finish(
        &self,
        key: &IdempotencyKey,
        answer: StoredAnswer,
        now: KstDateTime,
    ) -> Result<(), StoreError>;

    /// Forgets a claimed key whose request failed in a way that may pass, so that a retry
    /// runs again.
    async fn idempotency_release(&self, key: &IdempotencyKey) -> Result<(), StoreError>;

    /// Forgets up to `limit` keys first used before `lapsed_before`, in one short
    /// transaction that never waits for a key in use; returns how many it forgot.
    async fn purge_idempotency_keys(
        &self,
        lapsed_before: KstDateTime,
        limit: usize,
    ) -> Result<usize, StoreError>;

    /// What the credential with this hash keeps for replays now.
    async fn idempotency_usage(&self, owner: &SecretHash) -> Result<Usage, StoreError>;

    /// Confirms an item (주문확인) for the vendor holding `scope`: 배송지시 → 피킹완료, which
    /// closes direct cancellation. Confirming a confirmed item changes nothing. Returns where
    /// the item stands.
    async fn confirm(
        &self,
        item: &ItemRef,
        scope: &Scope,
        now: KstDateTime,
    ) -> Result<ItemState, StoreError>;

    /// Records the waybill of a confirmed item for the vendor holding `scope`. When a cancel
    /// request is pending for the item, it ships at once and the request's line is rejected,
    /// in the same transaction.
    async fn record_waybill(
        &self,
        item: &ItemRef,
        scope: &Scope,
        waybill: &Waybill,
        now: KstDateTime,
    ) -> Result<Waybilled, StoreError>;

    /// Releases an item (출고완료) for the vendor holding `scope`, as `how` says: its open units
    /// ship, closing every cancellation, and a pending cancel request line for it is rejected
    /// in the same transaction.
    async fn release(
        &self,
        item: &ItemRef,
        scope: &Scope,
        how: Release,
        now: KstDateTime,
    ) -> Result<Shipment, StoreError>;

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

    /// The vendor's items at `stage` (instructed, or confirmed) with units open, of orders
    /// received within `period`, oldest order first; at most `limit`.
    async fn shipping_items(
        &self,
        scope: &Scope,
        stage: ShippingStatus,
        period: Period,
        limit: usize,
    ) -> Result<Vec<ShippingItem>, StoreError>;

    /// Files a cancel request for confirmed items of an order as `id`, at `now`: all of it,
    /// or nothing.
    async fn file_cancel_request(
        &self,
        ord_no: &OrderNo,
        command: &CancelCommand,
        id: RequestId,
        now: KstDateTime,
    ) -> Result<CancelRequest, StoreError>;

    /// One cancel request, with its lines.
    async fn cancel_request(&self, id: &RequestId) -> Result<Option<CancelRequest>, StoreError>;

    /// Withdraws every pending line of a cancel request on behalf of `actor`. Returns the
    /// request as it stands afterwards.
    async fn withdraw_cancel_request(
        &self,
        id: &RequestId,
        actor: &Actor,
        now: KstDateTime,
    ) -> Result<CancelRequest, StoreError>;

    /// The vendor holding `scope` approves the pending cancel request line of an item: the
    /// cancellation takes effect now, as a claim of its own.
    async fn approve_cancel_request(
        &self,
        ord_no: &OrderNo,
        item_seq: ItemSeq,
        scope: &Scope,
        now: KstDateTime,
    ) -> Result<Claim, StoreError>;

    /// The vendor's pending cancel request lines, of requests filed within `period`, oldest
    /// first; at most `limit`.
    async fn pending_cancel_lines(
        &self,
        scope: &Scope,
        period: Period,
        limit: usize,
    ) -> Result<Vec<PendingLine>, StoreError>;

    /// Up to `limit` of the events `scope` may see after sequence `after` of its vendor, in
    /// sequence order (a narrowed key sees those about its lower-rank vendor's items). Every
    /// event is written in the transaction of its change, and a vendor's events commit in
    /// sequence order, so reading on from the last sequence seen never misses one.
    async fn events_after(
        &self,
        scope: &Scope,
        after: u64,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// Where a vendor's event sequence stands.
    async fn event_head(&self, vendor: &VendorId) -> Result<EventHead, StoreError>;

    /// Removes up to `limit` events that occurred before `before`, in one short transaction;
    /// returns how many it removed.
    async fn purge_events(&self, before: KstDateTime, limit: usize) -> Result<usize, StoreError>;

    /// Registers an endpoint; it receives the events its vendor gets from now on.
    async fn add_webhook(&self, webhook: Webhook) -> Result<Webhook, StoreError>;

    /// The endpoints of `vendor`, or of every vendor.
    async fn webhooks(&self, vendor: Option<&VendorId>) -> Result<Vec<Webhook>, StoreError>;

    async fn webhook(&self, id: &WebhookId) -> Result<Option<Webhook>, StoreError>;

    /// Removes an endpoint and its delivery log; whether it existed.
    async fn delete_webhook(&self, id: &WebhookId) -> Result<bool, StoreError>;

    /// Signs with `secret` from now on, and with the secret it replaces until `until`.
    async fn rotate_webhook_secret(
        &self,
        id: &WebhookId,
        secret: WebhookSecret,
        until: KstDateTime,
    ) -> Result<Option<Webhook>, StoreError>;

    /// Makes an endpoint `status` and due at `now`, from `cursor` or where it stands,
    /// taking its lease from any node that held it.
    async fn restart_webhook(
        &self,
        id: &WebhookId,
        status: EndpointStatus,
        cursor: Option<u64>,
        now: KstDateTime,
    ) -> Result<Option<Webhook>, StoreError>;

    /// An endpoint's most recent attempts, newest first.
    async fn webhook_deliveries(
        &self,
        id: &WebhookId,
        limit: usize,
    ) -> Result<Vec<DeliveryAttempt>, StoreError>;

    /// Whether any endpoint has events due at `now` and nobody delivering to it.
    async fn webhooks_due(&self, now: KstDateTime) -> Result<bool, StoreError>;

    /// Leases up to `limit` such endpoints to `node` until `until`; on PostgreSQL, an
    /// endpoint another node is leasing at the same moment is passed over.
    async fn lease_webhooks(
        &self,
        node: &str,
        now: KstDateTime,
        until: KstDateTime,
        limit: usize,
    ) -> Result<Vec<Webhook>, StoreError>;

    /// Records an attempt under its node's lease; `None` when the lease is lost (then
    /// nothing is written).
    async fn webhook_attempted(&self, attempted: Attempted) -> Result<Option<Webhook>, StoreError>;

    /// Gives up `node`'s lease on an endpoint.
    async fn release_webhook(&self, id: &WebhookId, node: &str) -> Result<(), StoreError>;

    /// Records that `node` is alive at `now`, forgets nodes not seen since `live_since`, and
    /// counts the live nodes sharing this database (this one included).
    async fn heartbeat(
        &self,
        node: &str,
        now: KstDateTime,
        live_since: KstDateTime,
    ) -> Result<usize, StoreError>;

    /// Forgets `node`, which is shutting down.
    async fn leave(&self, node: &str) -> Result<(), StoreError>;

    /// The scope of a live key (`None` when unknown or revoked) and its vendor's change
    /// count: the sequence of the vendor's last event, which every claim bumps in its own
    /// transaction. An inquiry answer read after the count was read is current for as long
    /// as the count stays the same.
    async fn key_version(&self, hash: &SecretHash) -> Result<Option<(Scope, u64)>, StoreError>;

    /// Records a console user (its password already hashed).
    async fn add_console_user(&self, user: NewUser, now: KstDateTime) -> Result<User, StoreError>;

    /// Every console user, by login.
    async fn console_users(&self) -> Result<Vec<User>, StoreError>;

    /// A console user and their password's hash, to check a sign-in.
    async fn console_credentials(
        &self,
        login: &Login,
    ) -> Result<Option<(User, String)>, StoreError>;

    /// Removes a console user and ends their sessions.
    async fn delete_console_user(&self, login: &Login) -> Result<(), StoreError>;

    async fn open_console_session(
        &self,
        session: NewSession,
        now: KstDateTime,
    ) -> Result<(), StoreError>;

    /// The session of `hash` if it was seen since `idle_since`; it counts as seen `now`.
    async fn console_session(
        &self,
        hash: &SecretHash,
        now: KstDateTime,
        idle_since: KstDateTime,
    ) -> Result<Option<Session>, StoreError>;

    async fn end_console_session(&self, hash: &SecretHash) -> Result<(), StoreError>;

    /// Drops up to `limit` sessions last seen before `before`; how many.
    async fn purge_console_sessions(
        &self,
        before: KstDateTime,
        limit: usize,
    ) -> Result<usize, StoreError>;

    /// Up to `limit` orders whose orderer is named exactly `name`, received within
    /// `from ..= to`, newest first.
    async fn orders_by_orderer(
        &self,
        name: &str,
        from: KstDateTime,
        to: KstDateTime,
        limit: usize,
    ) -> Result<Vec<OrderNo>, StoreError>;

    /// Up to `limit` rows of the inquiry within `scope`, in answer order (cancel time, claim
    /// number, line), starting after `after` when given.
    async fn canceled_rows(
        &self,
        scope: &Scope,
        query: &InquiryQuery,
        after: Option<&RowKey>,
        limit: usize,
    ) -> Result<Vec<CancelRow>, StoreError>;

    /// One page of the inquiry on behalf of the holder of the API key with hash `key`: the
    /// key is looked up and the page read together (one round trip where the database
    /// allows), so every page checks the key afresh. Rows go to `sink` as they are read,
    /// without being copied into owned values; the sink is handed back.
    async fn inquiry_page(
        &self,
        key: &SecretHash,
        query: &InquiryQuery,
        after: Option<&RowKey>,
        limit: usize,
        sink: Box<dyn RowSink>,
    ) -> Result<(InquiryPage, Box<dyn RowSink>), StoreError>;

    /// How many rows the inquiry has, counting no further than `cap`.
    async fn count_canceled_rows(
        &self,
        scope: &Scope,
        query: &InquiryQuery,
        cap: usize,
    ) -> Result<usize, StoreError>;
}

/// Every backend is a store: the scripts of `orders`, `admin` and `idempotency` run on its
/// connections, and what it does its own way (the inquiry, readiness, pools, closing) is
/// passed through.
#[async_trait]
impl<B: Backend> Store for B {
    async fn readiness(&self) -> Result<SchemaStatus, StoreError> {
        Backend::readiness(self).await
    }

    fn pools(&self) -> Vec<PoolStatus> {
        Backend::pools(self)
    }

    async fn close(&self) {
        Backend::close(self).await;
    }

    #[tracing::instrument(skip_all, fields(vendor.id = %vendor.id))]
    async fn add_vendor(&self, vendor: NewVendor, now: KstDateTime) -> Result<Vendor, StoreError> {
        self.write(script(move |sql| {
            Box::pin(async move { admin::add_vendor(sql, &vendor, now).await })
        }))
        .await
    }

    async fn vendor(&self, id: &VendorId) -> Result<Option<Vendor>, StoreError> {
        let id = id.clone();
        self.read(script(move |sql| {
            Box::pin(async move { admin::vendor(sql, &id).await })
        }))
        .await
    }

    async fn vendors(&self) -> Result<Vec<Vendor>, StoreError> {
        self.read(script(|sql| Box::pin(admin::vendors(sql)))).await
    }

    #[tracing::instrument(skip_all, fields(vendor.id = %key.scope.vendor, key.id = %key.id))]
    async fn add_api_key(
        &self,
        key: NewApiKey,
        now: KstDateTime,
    ) -> Result<ApiKeyInfo, StoreError> {
        self.write(script(move |sql| {
            Box::pin(async move { admin::add_api_key(sql, &key, now).await })
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(key.id = %id))]
    async fn revoke_api_key(&self, id: &KeyId, now: KstDateTime) -> Result<ApiKeyInfo, StoreError> {
        let id = id.clone();
        self.write(script(move |sql| {
            Box::pin(async move { admin::revoke_api_key(sql, &id, now).await })
        }))
        .await
    }

    async fn api_keys(&self, vendor: Option<&VendorId>) -> Result<Vec<ApiKeyInfo>, StoreError> {
        let vendor = vendor.cloned();
        self.read(script(move |sql| {
            Box::pin(async move { admin::api_keys(sql, vendor.as_ref()).await })
        }))
        .await
    }

    async fn scope_for_key(&self, hash: &SecretHash) -> Result<Option<Scope>, StoreError> {
        let hash = *hash;
        self.read(script(move |sql| {
            Box::pin(async move { admin::scope_for_key(sql, &hash).await })
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(token.id = %token.id, token.role = %token.role))]
    async fn add_token(&self, token: NewToken, now: KstDateTime) -> Result<TokenInfo, StoreError> {
        self.write(script(move |sql| {
            Box::pin(async move { admin::add_token(sql, &token, now).await })
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(token.id = %id))]
    async fn revoke_token(&self, id: &TokenId, now: KstDateTime) -> Result<TokenInfo, StoreError> {
        let id = id.clone();
        self.write(script(move |sql| {
            Box::pin(async move { admin::revoke_token(sql, &id, now).await })
        }))
        .await
    }

    async fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        self.read(script(|sql| Box::pin(admin::tokens(sql)))).await
    }

    async fn role_for_token(&self, hash: &SecretHash) -> Result<Option<Role>, StoreError> {
        let hash = *hash;
        self.read(script(move |sql| {
            Box::pin(async move { admin::role_for_token(sql, &hash).await })
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(order.no = %order.ord_no()))]
    async fn place_order(&self, order: NewOrder, now: KstDateTime) -> Result<Placed, StoreError> {
        self.write(script(move |sql| {
            Box::pin(async move { orders::place(sql, &order, now, None).await })
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(order.no = %order.ord_no()))]
    async fn place_order_once(
        &self,
        order: NewOrder,
        now: KstDateTime,
        done: Completion<Placed>,
    ) -> Result<Placed, StoreError> {
        self.write(script(move |sql| {
            Box::pin(async move { orders::place(sql, &order, now, Some(done)).await })
        }))
        .await
    }

    async fn order(&self, ord_no: &OrderNo) -> Result<Option<OrderRecord>, StoreError> {
        let ord_no = ord_no.clone();
        self.read(script(move |sql| {
            Box::pin(async move { orders::load(sql, &ord_no).await })
        }))
        .await
    }

    async fn claim(&self, clm_no: &ClaimNo) -> Result<Option<Claim>, StoreError> {
        let clm_no = clm_no.clone();
        self.read(script(move |sql| {
            Box::pin(async move { orders::claim(sql, &clm_no).await })
        }))
        .await
    }

    async fn orders_of_customer(
        &self,
        customer: &CustomerId,
        after: Option<&OrderCursor>,
        limit: usize,
    ) -> Result<Vec<OrderRecord>, StoreError> {
        let (customer, after) = (customer.clone(), after.cloned());
        self.read(script(move |sql| {
            Box::pin(
                async move { orders::of_customer(sql, &customer, after.as_ref(), limit).await },
            )
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(order.no = %ord_no))]
    async fn cancel(
        &self,
        ord_no: &OrderNo,
        command: &CancelCommand,
        now: KstDateTime,
    ) -> Result<Claim, StoreError> {
        let (ord_no, command) = (ord_no.clone(), command.clone());
        self.write(script(move |sql| {
            Box::pin(async move { orders::cancel(sql, &ord_no, &command, now, None).await })
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(order.no = %ord_no))]
    async fn cancel_once(
        &self,
        ord_no: &OrderNo,
        command: &CancelCommand,
        now: KstDateTime,
        done: Completion<Claim>,
    ) -> Result<Claim, StoreError> {
        let (ord_no, command) = (ord_no.clone(), command.clone());
        self.write(script(move |sql| {
            Box::pin(async move { orders::cancel(sql, &ord_no, &command, now, Some(done)).await })
        }))
        .await
    }

    async fn idempotency_begin(
        &self,
        key: &IdempotencyKey,
        fingerprint: Fingerprint,
        window: Window,
    ) -> Result<Begin, StoreError> {
        let key = key.clone();
        self.write(script(move |sql| {
            Box::pin(async move { idempotency::begin(sql, &key, fingerprint, window).await })
        }))
        .await
    }

    async fn idempotency_finish(
        &self,
        key: &IdempotencyKey,
        answer: StoredAnswer,
        now: KstDateTime,
    ) -> Result<(), StoreError> {
        let key = key.clone();
        self.write(script(move |sql| {
            Box::pin(async move { idempotency::record(sql, &key, &answer, now).await })
        }))
        .await
    }

    async fn idempotency_release(&self, key: &IdempotencyKey) -> Result<(), StoreError> {
        let key = key.clone();
        self.write(script(move |sql| {
            Box::pin(async move { idempotency::release(sql, &key).await })
        }))
        .await
    }

    async fn purge_idempotency_keys(
        &self,
        lapsed_before: KstDateTime,
        limit: usize,
    ) -> Result<usize, StoreError> {
        self.write(script(move |sql| {
            Box::pin(async move { idempotency::purge(sql, lapsed_before, limit).await })
        }))
        .await
    }

    async fn idempotency_usage(&self, owner: &SecretHash) -> Result<Usage, StoreError> {
        let owner = *owner;
        self.read(script(move |sql| {
            Box::pin(async move { idempotency::usage(sql, &owner).await })
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(item = ?item))]
    async fn confirm(
        &self,
        item: &ItemRef,
        scope: &Scope,
        now: KstDateTime,
    ) -> Result<ItemState, StoreError> {
        let (item, scope) = (item.clone(), scope.clone());
        self.write(script(move |sql| {
            Box::pin(async move { shipping::confirm(sql, &item, &scope, now).await })
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(item = ?item))]
    async fn record_waybill(
        &self,
        item: &ItemRef,
        scope: &Scope,
        waybill: &Waybill,
        now: KstDateTime,
    ) -> Result<Waybilled, StoreError> {
        let (item, scope, waybill) = (item.clone(), scope.clone(), waybill.clone());
        self.write(script(move |sql| {
            Box::pin(
                async move { shipping::record_waybill(sql, &item, &scope, &waybill, now).await },
            )
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(item = ?item))]
    async fn release(
        &self,
        item: &ItemRef,
        scope: &Scope,
        how: Release,
        now: KstDateTime,
    ) -> Result<Shipment, StoreError> {
        let (item, scope) = (item.clone(), scope.clone());
        self.write(script(move |sql| {
            Box::pin(async move { shipping::release(sql, &item, &scope, how, now).await })
        }))
        .await
    }

    async fn shipping_items(
        &self,
        scope: &Scope,
        stage: ShippingStatus,
        period: Period,
        limit: usize,
    ) -> Result<Vec<ShippingItem>, StoreError> {
        let scope = scope.clone();
        self.read(script(move |sql| {
            Box::pin(async move { shipping::list(sql, &scope, stage, period, limit).await })
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(order.no = %ord_no, request.id = %id))]
    async fn file_cancel_request(
        &self,
        ord_no: &OrderNo,
        command: &CancelCommand,
        id: RequestId,
        now: KstDateTime,
    ) -> Result<CancelRequest, StoreError> {
        let (ord_no, command) = (ord_no.clone(), command.clone());
        self.write(script(move |sql| {
            Box::pin(async move { requests::file(sql, &ord_no, &command, id, now).await })
        }))
        .await
    }

    async fn cancel_request(&self, id: &RequestId) -> Result<Option<CancelRequest>, StoreError> {
        let id = id.clone();
        self.read(script(move |sql| {
            Box::pin(async move { requests::one(sql, &id).await })
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(request.id = %id))]
    async fn withdraw_cancel_request(
        &self,
        id: &RequestId,
        actor: &Actor,
        now: KstDateTime,
    ) -> Result<CancelRequest, StoreError> {
        let (id, actor) = (id.clone(), actor.clone());
        self.write(script(move |sql| {
            Box::pin(async move { requests::withdraw(sql, &id, &actor, now).await })
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(order.no = %ord_no, item.seq = %item_seq))]
    async fn approve_cancel_request(
        &self,
        ord_no: &OrderNo,
        item_seq: ItemSeq,
        scope: &Scope,
        now: KstDateTime,
    ) -> Result<Claim, StoreError> {
        let (ord_no, scope) = (ord_no.clone(), scope.clone());
        self.write(script(move |sql| {
            Box::pin(async move { requests::approve(sql, &ord_no, item_seq, &scope, now).await })
        }))
        .await
    }

    async fn pending_cancel_lines(
        &self,
        scope: &Scope,
        period: Period,
        limit: usize,
    ) -> Result<Vec<PendingLine>, StoreError> {
        let scope = scope.clone();
        self.read(script(move |sql| {
            Box::pin(async move { requests::pending_lines(sql, &scope, period, limit).await })
        }))
        .await
    }

    async fn events_after(
        &self,
        scope: &Scope,
        after: u64,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let scope = scope.clone();
        self.read(script(move |sql| {
            Box::pin(async move { events::after(sql, &scope, after, limit).await })
        }))
        .await
    }

    async fn event_head(&self, vendor: &VendorId) -> Result<EventHead, StoreError> {
        let vendor = vendor.clone();
        self.read(script(move |sql| {
            Box::pin(async move { events::head(sql, &vendor).await })
        }))
        .await
    }

    async fn purge_events(&self, before: KstDateTime, limit: usize) -> Result<usize, StoreError> {
        self.write(script(move |sql| {
            Box::pin(async move { events::purge(sql, before, limit).await })
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(webhook.id = %webhook.id))]
    async fn add_webhook(&self, webhook: Webhook) -> Result<Webhook, StoreError> {
        self.write(script(move |sql| {
            Box::pin(async move { webhooks::add(sql, webhook).await })
        }))
        .await
    }

    async fn webhooks(&self, vendor: Option<&VendorId>) -> Result<Vec<Webhook>, StoreError> {
        let vendor = vendor.cloned();
        self.read(script(move |sql| {
            Box::pin(async move { webhooks::list(sql, vendor.as_ref()).await })
        }))
        .await
    }

    async fn webhook(&self, id: &WebhookId) -> Result<Option<Webhook>, StoreError> {
        let id = id.clone();
        self.read(script(move |sql| {
            Box::pin(async move { webhooks::get(sql, &id).await })
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(webhook.id = %id))]
    async fn delete_webhook(&self, id: &WebhookId) -> Result<bool, StoreError> {
        let id = id.clone();
        self.write(script(move |sql| {
            Box::pin(async move { webhooks::delete(sql, &id).await })
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(webhook.id = %id))]
    async fn rotate_webhook_secret(
        &self,
        id: &WebhookId,
        secret: WebhookSecret,
        until: KstDateTime,
    ) -> Result<Option<Webhook>, StoreError> {
        let id = id.clone();
        self.write(script(move |sql| {
            Box::pin(async move { webhooks::rotate(sql, &id, &secret, until).await })
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(webhook.id = %id))]
    async fn restart_webhook(
        &self,
        id: &WebhookId,
        status: EndpointStatus,
        cursor: Option<u64>,
        now: KstDateTime,
    ) -> Result<Option<Webhook>, StoreError> {
        let id = id.clone();
        self.write(script(move |sql| {
            Box::pin(async move { webhooks::restart(sql, &id, status, cursor, now).await })
        }))
        .await
    }

    async fn webhook_deliveries(
        &self,
        id: &WebhookId,
        limit: usize,
    ) -> Result<Vec<DeliveryAttempt>, StoreError> {
        let id = id.clone();
        self.read(script(move |sql| {
            Box::pin(async move { webhooks::deliveries(sql, &id, limit).await })
        }))
        .await
    }

    async fn webhooks_due(&self, now: KstDateTime) -> Result<bool, StoreError> {
        self.read(script(move |sql| {
            Box::pin(async move { webhooks::any_due(sql, now).await })
        }))
        .await
    }

    async fn lease_webhooks(
        &self,
        node: &str,
        now: KstDateTime,
        until: KstDateTime,
        limit: usize,
    ) -> Result<Vec<Webhook>, StoreError> {
        let node = node.to_owned();
        self.write(script(move |sql| {
            Box::pin(async move { webhooks::lease(sql, &node, now, until, limit).await })
        }))
        .await
    }

    async fn webhook_attempted(&self, attempted: Attempted) -> Result<Option<Webhook>, StoreError> {
        self.write(script(move |sql| {
            Box::pin(async move { webhooks::attempted(sql, &attempted).await })
        }))
        .await
    }

    async fn release_webhook(&self, id: &WebhookId, node: &str) -> Result<(), StoreError> {
        let id = id.clone();
        let node = node.to_owned();
        self.write(script(move |sql| {
            Box::pin(async move { webhooks::release(sql, &id, &node).await })
        }))
        .await
    }

    async fn heartbeat(
        &self,
        node: &str,
        now: KstDateTime,
        live_since: KstDateTime,
    ) -> Result<usize, StoreError> {
        let node = node.to_owned();
        self.write(script(move |sql| {
            Box::pin(async move { nodes::heartbeat(sql, &node, now, live_since).await })
        }))
        .await
    }

    async fn leave(&self, node: &str) -> Result<(), StoreError> {
        let node = node.to_owned();
        self.write(script(move |sql| {
            Box::pin(async move { nodes::leave(sql, &node).await })
        }))
        .await
    }

    async fn key_version(&self, hash: &SecretHash) -> Result<Option<(Scope, u64)>, StoreError> {
        let hash = *hash;
        self.read(script(move |sql| {
            Box::pin(async move { admin::key_version(sql, &hash).await })
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(user.login = %user.login))]
    async fn add_console_user(&self, user: NewUser, now: KstDateTime) -> Result<User, StoreError> {
        self.write(script(move |sql| {
            Box::pin(async move { console::add_user(sql, &user, now).await })
        }))
        .await
    }

    async fn console_users(&self) -> Result<Vec<User>, StoreError> {
        self.read(script(move |sql| {
            Box::pin(async move { console::users(sql).await })
        }))
        .await
    }

    async fn console_credentials(
        &self,
        login: &Login,
    ) -> Result<Option<(User, String)>, StoreError> {
        let login = login.clone();
        self.read(script(move |sql| {
            Box::pin(async move { console::credentials(sql, &login).await })
        }))
        .await
    }

    #[tracing::instrument(skip_all, fields(user.login = %login))]
    async fn delete_console_user(&self, login: &Login) -> Result<(), StoreError> {
        let login = login.clone();
        self.write(script(move |sql| {
            Box::pin(async move { console::delete_user(sql, &login).await })
        }))
        .await
    }

    async fn open_console_session(
        &self,
        session: NewSession,
        now: KstDateTime,
    ) -> Result<(), StoreError> {
        self.write(script(move |sql| {
            Box::pin(async move { console::open_session(sql, &session, now).await })
        }))
        .await
    }

    async fn console_session(
        &self,
        hash: &SecretHash,
        now: KstDateTime,
        idle_since: KstDateTime,
    ) -> Result<Option<Session>, StoreError> {
        let hash = *hash;
        let found = self
            .read(script(move |sql| {
                Box::pin(async move { console::session(sql, &hash, idle_since).await })
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

    async fn end_console_session(&self, hash: &SecretHash) -> Result<(), StoreError> {
        let hash = *hash;
        self.write(script(move |sql| {
            Box::pin(async move { console::end_session(sql, &hash).await })
        }))
        .await
    }

    async fn purge_console_sessions(
        &self,
        before: KstDateTime,
        limit: usize,
    ) -> Result<usize, StoreError> {
        self.write(script(move |sql| {
            Box::pin(async move { console::purge_sessions(sql, before, limit).await })
        }))
        .await
    }

    async fn orders_by_orderer(
        &self,
        name: &str,
        from: KstDateTime,
        to: KstDateTime,
        limit: usize,
    ) -> Result<Vec<OrderNo>, StoreError> {
        let name = name.to_owned();
        self.read(script(move |sql| {
            Box::pin(async move { console::orders_by_orderer(sql, &name, from, to, limit).await })
        }))
        .await
    }

    async fn canceled_rows(
        &self,
        scope: &Scope,
        query: &InquiryQuery,
        after: Option<&RowKey>,
        limit: usize,
    ) -> Result<Vec<CancelRow>, StoreError> {
        Backend::canceled_rows(self, scope, query, after, limit).await
    }

    async fn inquiry_page(
        &self,
        key: &SecretHash,
        query: &InquiryQuery,
        after: Option<&RowKey>,
        limit: usize,
        sink: Box<dyn RowSink>,
    ) -> Result<(InquiryPage, Box<dyn RowSink>), StoreError> {
        Backend::inquiry_page(self, key, query, after, limit, sink).await
    }

    async fn count_canceled_rows(
        &self,
        scope: &Scope,
        query: &InquiryQuery,
        cap: usize,
    ) -> Result<usize, StoreError> {
        Backend::count_canceled_rows(self, scope, query, cap).await
    }
}
