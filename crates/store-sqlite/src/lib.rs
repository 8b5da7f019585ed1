//! The embedded store: one SQLite file, created and migrated on first use.
//!
//! Writes go through a single connection (SQLite has one writer at a time anyway), each in a
//! `BEGIN IMMEDIATE` transaction; reads go through a small pool of read-only connections,
//! which WAL mode lets run beside the writer. All SQLite calls run on tokio's blocking pool.
//!
//! Invariant: this crate holds SQL and nothing else. Rules come from `claims-domain`;
//! everything it returns has passed the domain's checks again on the way out.

mod bulk;
mod convert;
mod inquiry;
mod pool;
mod schema;
mod sql;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use claims_domain::{CancelRow, InquiryQuery, RowKey, RowSink, Scope};
use claims_store::bulk::BulkOrder;
use claims_store::sql::Script;
use claims_store::{
    Backend, InquiryPage, PoolStatus, SchemaStatus, SecretHash, SecretsKey, StoreError,
};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};

pub use inquiry::{RawInquiry, read_view};
pub use schema::SCHEMA_VERSION;

use crate::convert::db_error;
use crate::inquiry::Filter;
use crate::pool::{Opener, Pool};

/// Each connection's page cache (negative: KiB), 8 MiB.
const CACHE_KIB: i64 = -8_192;
/// The writer's page cache while it bulk-loads, 512 MiB: the secondary indexes on random
/// keys (orderer, customer) are written all over as rows arrive, and once they outgrow the
/// ordinary cache almost every insert reads and writes back pages of them.
const BULK_CACHE_KIB: i64 = -524_288;

/// How hard SQLite works to keep a committed write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `synchronous = FULL`: a commit reaches the disk before it is acknowledged, so it
    /// survives a crash of the process, the OS or the machine. The default.
    #[default]
    Full,
    /// `synchronous = NORMAL`: a commit survives a crash of the process but may be lost
    /// with the last moments before a power failure. Faster; for demos and bulk loads.
    Normal,
}

/// Settings of a [`SqliteStore`].
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    pub durability: Durability,
    /// Read connections (the writer is one more).
    pub readers: usize,
    /// How long a statement waits for a lock held by another process before failing.
    pub busy_timeout: Duration,
    /// The key webhook secrets are sealed with at rest (in clear without one).
    pub secrets: Option<SecretsKey>,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            durability: Durability::Full,
            readers: 4,
            busy_timeout: Duration::from_secs(5),
            secrets: None,
        }
    }
}

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    options: SqliteOptions,
    writer: Pool,
    readers: Pool,
    /// Set by the first `close`; later ones do nothing.
    closed: std::sync::atomic::AtomicBool,
    /// The schema versions before and after opening.
    migrated: Migrated,
}

/// What opening a store did to its schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrated {
    /// The version the database was at (0 for a new file).
    pub from: i64,
    /// The version it is at now: this build's.
    pub to: i64,
}

fn configure(
    connection: &Connection,
    options: &SqliteOptions,
    read_only: bool,
) -> rusqlite::Result<()> {
    connection.busy_timeout(options.busy_timeout)?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.pragma_update(
        None,
        "synchronous",
        match options.durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        },
    )?;
    // 8 MiB per connection: hot index pages stay in memory; the OS page cache holds the rest,
    // so a long answer cannot grow the process by more than this per connection.
    connection.pragma_update(None, "cache_size", CACHE_KIB)?;
    connection.pragma_update(None, "temp_store", "MEMORY")?;
    if read_only {
        connection.pragma_update(None, "query_only", "ON")?;
    }
    connection.set_prepared_statement_cache_capacity(64);
    // Plans never depend on bound values (every index the hot reads need is named or is the
    // primary key). Without this, a statement with a bound `LIMIT` is marked to be planned
    // again whenever that parameter is bound, and the statement cache clears every binding
    // when a statement goes back: each inquiry page, list and feed read was parsed and
    // planned anew on every run (a tenth of the server's CPU under inquiry load).
    connection.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

/// Opens a read-only connection configured exactly as the store's readers are (for the
/// raw-limit benchmark, which must measure the same connection the store uses).
pub fn open_reader(path: &Path, options: &SqliteOptions) -> rusqlite::Result<Connection> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&connection, options, true)?;
    Ok(connection)
}

impl SqliteStore {
    /// Opens the database at `path`, creating the file and its schema if needed and
    /// applying any migrations it lacks.
    pub async fn open(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let setup_path = path.clone();
        let setup_options = options.clone();
        let (writer, migrated) =
            tokio::task::spawn_blocking(move || -> Result<(Connection, Migrated), StoreError> {
                // A new database holds webhook secrets, password hashes and customers'
                // names and addresses: only its owner may read it (SQLite gives its
                // write-ahead log and shared-memory files the same permissions).
                if !setup_path.exists() {
                    create_private(&setup_path).map_err(|err| {
                        StoreError::internal(format!(
                            "cannot create the database file {}: {err}",
                            setup_path.display()
                        ))
                    })?;
                }
                let mut connection = Connection::open(&setup_path).map_err(|err| {
                    StoreError::internal(format!(
                        "cannot open the database file {}: {err}",
                        setup_path.display()
                    ))
                })?;
                let mode: String = connection
                    .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
                    .map_err(db_error)?;
                if !mode.eq_ignore_ascii_case("wal") {
                    return Err(StoreError::internal(format!(
                        "the database file {} cannot use write-ahead logging (journal mode {mode})",
                        setup_path.display()
                    )));
                }
                configure(&connection, &setup_options, false).map_err(db_error)?;
                let from = schema::current_version(&connection)?;
                let to = schema::migrate(&mut connection)?;
                Ok((connection, Migrated { from, to }))
            })
            .await
            .map_err(|err| StoreError::internal(format!("opening the database failed: {err}")))??;

        let opener = |read_only: bool| -> Opener {
            let path = path.clone();
            let options = options.clone();
            Box::new(move || {
                if read_only {
                    return open_reader(&path, &options).map_err(db_error);
                }
                let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                let connection = Connection::open_with_flags(&path, flags).map_err(db_error)?;
                configure(&connection, &options, false).map_err(db_error)?;
                Ok(connection)
            })
        };
        let store = Self {
            inner: Arc::new(Inner {
                path: path.clone(),
                options: options.clone(),
                // The connection that ran the migrations becomes the writer.
                writer: Pool::new("writer", 1, opener(false), vec![writer]),
                readers: Pool::new("readers", options.readers.max(1), opener(true), Vec::new()),
                closed: std::sync::atomic::AtomicBool::new(false),
                migrated,
            }),
        };
        Backend::readiness(&store).await?;
        Ok(store)
    }

    /// Writes `orders` (checked for consistency first) in one transaction, with
    /// `synchronous = OFF` and a 512 MiB page cache for its duration (see
    /// `BULK_CACHE_KIB`). For trusted bulk data only: it does not apply
    /// the cancellation rules, it only refuses inconsistent states.
    pub async fn bulk_load(&self, orders: Vec<BulkOrder>) -> Result<(), StoreError> {
        let durability = self.inner.options.durability;
        self.inner
            .writer
            .run(move |connection| {
                connection
                    .pragma_update(None, "synchronous", "OFF")
                    .map_err(db_error)?;
                connection
                    .pragma_update(None, "cache_size", BULK_CACHE_KIB)
                    .map_err(db_error)?;
                let result = bulk::load(connection, orders);
                let restored_cache = connection
                    .pragma_update(None, "cache_size", CACHE_KIB)
                    .map_err(db_error);
                let restored = connection
                    .pragma_update(
                        None,
                        "synchronous",
                        match durability {
                            Durability::Full => "FULL",
                            Durability::Normal => "NORMAL",
                        },
                    )
                    .map_err(db_error);
                result.and(restored).and(restored_cache)
            })
            .await
    }

    /// What opening the store did to its schema.
    pub fn migrated(&self) -> Migrated {
        self.inner.migrated
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `work` on a read-only connection.
    async fn read_with<R, F>(&self, work: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, StoreError> + Send + 'static,
    {
        self.inner.readers.run(work).await
    }
}

#[async_trait]
impl Backend for SqliteStore {
    async fn read<R: Send + 'static>(&self, script: Script<R>) -> Result<R, StoreError> {
        self.inner
            .readers
            .run({
                let secrets = self.inner.options.secrets.clone();
                move |connection| sql::read(connection, secrets.as_ref(), script)
            })
            .await
    }

    async fn write<R: Send + 'static>(&self, script: Script<R>) -> Result<R, StoreError> {
        self.inner
            .writer
            .run({
                let secrets = self.inner.options.secrets.clone();
                move |connection| sql::write(connection, secrets.as_ref(), script)
            })
            .await
    }

    async fn readiness(&self) -> Result<SchemaStatus, StoreError> {
        let current = self
            .read_with(|connection| schema::current_version(connection))
            .await?;
        Ok(SchemaStatus {
            current,
            expected: SCHEMA_VERSION,
        })
    }

    fn pools(&self) -> Vec<PoolStatus> {
        vec![self.inner.writer.status(), self.inner.readers.status()]
    }

    async fn close(&self) {
        if self
            .inner
            .closed
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return;
        }
        self.inner.readers.close().await;
        // Fold the write-ahead log back into the database file, so that the file alone
        // is the whole database again (for copies and backups made while stopped).
        let checkpoint = self
            .inner
            .writer
            .run(|connection| {
                connection
                    .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                    .map_err(db_error)
            })
            .await;
        if let Err(error) = checkpoint {
            tracing::warn!(%error, "could not checkpoint the write-ahead log on close");
        }
        self.inner.writer.close().await;
    }

    async fn canceled_rows(
        &self,
        scope: &Scope,
        query: &InquiryQuery,
        after: Option<&RowKey>,
        limit: usize,
    ) -> Result<Vec<CancelRow>, StoreError> {
        let filter = Filter::new(scope, query, after);
        self.read_with(move |connection| inquiry::canceled_rows(connection, &filter, limit))
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
        // A sink that keeps rows usually needs the page's ids and a row or two: a short,
        // bounded read, done on this thread (see `Pool::run_here`). Only a page with many
        // rows it lacks is read in full, on a blocking thread.
        if sink.keeps_rows()
            && let Some(page) = self
                .inner
                .readers
                .run_here(|connection| {
                    inquiry::page_of_kept_rows(connection, key, query, after, limit, &mut *sink)
                })
                .await?
        {
            return Ok((page, sink));
        }
        let key = *key;
        let query = query.clone();
        let after = after.cloned();
        self.read_with(move |connection| {
            let page =
                inquiry::inquiry_page(connection, &key, &query, after.as_ref(), limit, &mut *sink)?;
            Ok((page, sink))
        })
        .await
    }

    async fn count_canceled_rows(
        &self,
        scope: &Scope,
        query: &InquiryQuery,
        cap: usize,
    ) -> Result<usize, StoreError> {
        let filter = Filter::new(scope, query, None);
        self.read_with(move |connection| inquiry::count_canceled_rows(connection, &filter, cap))
            .await
    }
}

/// Writes a consistent copy of the database file `from` to `to`, a file that must not exist
/// yet, while servers keep using the database: `VACUUM INTO` on a read-only connection of
/// its own copies one snapshot (every transaction committed before it began, none after),
/// compacted, without blocking writers and without changing anything in `from` (not even
/// its schema). The copy is a complete database, with no write-ahead log beside it.
/// Creates an empty file only its owner may read and write (0600), failing if it exists.
pub fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop)
}

pub async fn backup_file(from: impl AsRef<Path>, to: impl AsRef<Path>) -> Result<(), StoreError> {
    let (from, to) = (from.as_ref().to_path_buf(), to.as_ref().to_path_buf());
    tokio::task::spawn_blocking(move || {
        if !from.exists() {
            return Err(StoreError::internal(format!(
                "{} does not exist: there is nothing to back up",
                from.display()
            )));
        }
        if to.exists() {
            return Err(StoreError::internal(format!(
                "{} already exists: a backup never overwrites a file",
                to.display()
            )));
        }
        let target = to
            .to_str()
            .ok_or_else(|| StoreError::internal("the backup's path is not valid UTF-8"))?;
        // Created empty, readable by its owner only, before SQLite writes the copy into it.
        create_private(&to).map_err(|err| {
            StoreError::internal(format!("cannot create {}: {err}", to.display()))
        })?;
        let connection = Connection::open_with_flags(
            &from,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(db_error)?;
        connection
            .busy_timeout(Duration::from_secs(30))
            .map_err(db_error)?;
        let application_id: i64 = connection
            .pragma_query_value(None, "application_id", |row| row.get(0))
            .map_err(db_error)?;
        if application_id != schema::APPLICATION_ID {
            return Err(StoreError::internal(format!(
                "{} is not an ssg-claims database",
                from.display()
            )));
        }
        connection
            .execute("VACUUM INTO ?1", [target])
            .map(|_| ())
            .map_err(db_error)
    })
    .await
    .map_err(StoreError::internal)?
}
