//! The PostgreSQL store: the scale-out backend. Any number of stateless API nodes share one
//! database; everything that must be unique or serialized across them (claim numbers,
//! writes to one order) is decided by the database.
//!
//! Each call takes a connection from a bounded pool and must finish within the configured
//! timeout; when the database is unreachable, calls fail fast with
//! [`StoreError::Unavailable`] and succeed again as soon as it is back, with no restart.
//!
//! Invariant: this crate holds SQL and nothing else. Rules come from `claims-domain`;
//! everything it returns has passed the domain's checks again on the way out.

mod bulk;
mod error;
mod inquiry;
mod listen;
mod schema;
mod sql;
#[cfg(feature = "testing")]
pub mod testing;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use claims_domain::{CancelRow, InquiryQuery, RowKey, RowSink, Scope};
use claims_store::bulk::BulkOrder;
use claims_store::sql::Script;
use claims_store::{
    Backend, InquiryPage, PoolStatus, SchemaStatus, SecretHash, SecretsKey, StoreError,
};
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use tokio::time::timeout;
use tokio_postgres::NoTls;

pub use inquiry::{RawInquiry, read_view};
pub use listen::listen_for_events;
pub use schema::SCHEMA_VERSION;

use crate::error::{db_error, pool_error, timed_out};
use crate::sql::PgSql;

/// Settings of a [`PgStore`].
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// Connections this node keeps at most.
    pub pool_size: usize,
    /// The longest any one call may take, waiting for a connection included; past it the
    /// call fails as unavailable.
    pub timeout: Duration,
    /// The longest opening a connection may take.
    pub connect_timeout: Duration,
    /// The key webhook secrets are sealed with at rest (in clear without one).
    pub secrets: Option<SecretsKey>,
}

impl Default for PgOptions {
    fn default() -> Self {
        Self {
            pool_size: 16,
            timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(3),
            secrets: None,
        }
    }
}

/// The PostgreSQL store.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    options: PgOptions,
    /// Where the database is, without the password, for logs.
    target: String,
    /// The schema version the database was at when this store opened it.
    migrated_from: i32,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("target", &self.target)
            .field("options", &self.options)
            .finish()
    }
}

/// `user@host:port/dbname` of a configuration, never its password.
fn describe(config: &tokio_postgres::Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{}@{}:{port}/{}",
        config.get_user().unwrap_or("?"),
        hosts.join(","),
        config.get_dbname().unwrap_or("?")
    )
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/dbname`) and
    /// brings its schema up to date.
    pub async fn open(url: &str, options: PgOptions) -> Result<Self, StoreError> {
        let mut config = tokio_postgres::Config::from_str(url).map_err(|err| {
            // The driver's message never repeats the URL, so the password cannot leak.
            StoreError::internal(format!("the PostgreSQL URL is not valid: {err}"))
        })?;
        config
            .connect_timeout(options.connect_timeout)
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(30))
            .application_name("ssg-claims");
        let target = describe(&config);
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(options.timeout))
            .create_timeout(Some(options.connect_timeout))
            .recycle_timeout(Some(options.timeout))
            .build()
            .map_err(|err| {
                StoreError::internal(format!("cannot build the connection pool: {err}"))
            })?;
        let mut store = Self {
            pool,
            options,
            target,
            migrated_from: 0,
        };
        store.migrated_from = store
            .run(async |client: &mut Object| schema::migrate(client).await)
            .await?;
        tracing::info!(database = %store.target, "PostgreSQL store ready");
        Ok(store)
    }

    /// Writes `orders` (checked for consistency first) with `COPY`, in one transaction. For
    /// trusted bulk data only: it does not apply the cancellation rules, it only refuses
    /// inconsistent states. Not bound by the per-call timeout.
    pub async fn bulk_load(&self, orders: Vec<BulkOrder>) -> Result<(), StoreError> {
        let mut client = self.pool.get().await.map_err(pool_error)?;
        bulk::load(&mut client, &orders).await
    }

    /// After a bulk load: `VACUUM ANALYZE`, which refreshes the planner's statistics and
    /// sets the hint bits and the visibility map of the new rows, as autovacuum would some
    /// time later. Without it the first reads of freshly loaded rows write (hint bits) and
    /// index scans visit the heap, which measurements would take for the service's cost.
    pub async fn vacuum_analyze(&self) -> Result<(), StoreError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        client
            .batch_execute("VACUUM ANALYZE")
            .await
            .map_err(db_error)
    }

    /// The schema version the database was at before this store opened it (0 for an empty
    /// database); it is at [`SCHEMA_VERSION`] now.
    pub fn migrated_from(&self) -> i32 {
        self.migrated_from
    }

    /// `user@host:port/dbname`, without the password.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The schema version the database is at.
    pub async fn schema_version(&self) -> Result<i32, StoreError> {
        self.run(async |client: &mut Object| schema::current_version(client).await)
            .await
    }

    /// Runs `work` on a pooled connection within the timeout. A connection whose call timed
    /// out is closed rather than returned to the pool, since it may be stuck.
    async fn run<R>(
        &self,
        work: impl AsyncFnOnce(&mut Object) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let mut client = timeout(self.options.timeout, self.pool.get())
            .await
            .map_err(|_| timed_out())?
            .map_err(pool_error)?;
        match timeout(self.options.timeout, work(&mut client)).await {
            Ok(result) => result,
            Err(_) => {
                drop(Object::take(client));
                Err(timed_out())
            }
        }
    }
}

#[async_trait]
impl Backend for PgStore {
    async fn read<R: Send + 'static>(&self, script: Script<R>) -> Result<R, StoreError> {
        let secrets = self.options.secrets.as_ref();
        self.run(async |client: &mut Object| script(&mut PgSql::new(&*client, secrets)).await)
            .await
    }

    async fn write<R: Send + 'static>(&self, script: Script<R>) -> Result<R, StoreError> {
        let secrets = self.options.secrets.as_ref();
        self.run(async |client: &mut Object| {
            let tx = client.transaction().await.map_err(db_error)?;
            let result = script(&mut PgSql::new(&tx, secrets)).await?;
            tx.commit().await.map_err(db_error)?;
            Ok(result)
        })
        .await
    }

    async fn readiness(&self) -> Result<SchemaStatus, StoreError> {
        let current = self
            .run(async |client: &mut Object| schema::current_version(client).await)
            .await?;
        Ok(SchemaStatus {
            current: i64::from(current),
            expected: i64::from(SCHEMA_VERSION),
        })
    }

    fn pools(&self) -> Vec<PoolStatus> {
        let status = self.pool.status();
        vec![PoolStatus {
            name: "main",
            max: status.max_size,
            in_use: status.size.saturating_sub(status.available),
            idle: status.available,
            waiting: status.waiting,
        }]
    }

    async fn close(&self) {
        // Stops handing out connections, drops the idle ones, and closes each busy one as
        // it comes back; waiting a little lets the calls in flight finish first.
        let deadline = tokio::time::Instant::now() + self.options.timeout;
        while self.pool.status().available < self.pool.status().size
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.pool.close();
    }

    async fn canceled_rows(
        &self,
        scope: &Scope,
        query: &InquiryQuery,
        after: Option<&RowKey>,
        limit: usize,
    ) -> Result<Vec<CancelRow>, StoreError> {
        self.run(async |client: &mut Object| {
            inquiry::canceled_rows(&*client, scope, query, after, limit).await
        })
        .await
    }

    async fn inquiry_page(
        &self,
        key: &SecretHash,
        query: &InquiryQuery,
        after: Option<&RowKey>,
        limit: usize,
        mut sink: Box<dyn RowSink>,
    ) -> Result<(InquiryPage, Box<dyn RowSink>), StoreError> {
        let page = self
            .run(async |client: &mut Object| {
                inquiry::inquiry_page(&*client, key, query, after, limit, &mut *sink).await
            })
            .await?;
        Ok((page, sink))
    }

    async fn count_canceled_rows(
        &self,
        scope: &Scope,
        query: &InquiryQuery,
        cap: usize,
    ) -> Result<usize, StoreError> {
        self.run(async |client: &mut Object| {
            inquiry::count_canceled_rows(&*client, scope, query, cap).await
        })
        .await
    }
}
