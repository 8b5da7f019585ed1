//! A small pool of SQLite connections used from async code.
//!
//! Written here rather than taken from `deadpool-sqlite` because that pool checks every
//! connection with an extra query on each checkout, which doubles the blocking-thread
//! round trips of the inquiry, the hot path. This one hands out an idle connection, runs
//! the caller's closure on tokio's blocking pool, and puts the connection back. A closure
//! that panics loses its connection; the next checkout opens a fresh one.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rusqlite::Connection;
use tokio::sync::Semaphore;

use claims_store::{PoolStatus, StoreError};

/// Opens and prepares a new connection.
pub(crate) type Opener = Box<dyn Fn() -> Result<Connection, StoreError> + Send + Sync>;

pub(crate) struct Pool {
    name: &'static str,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
    open: std::sync::Arc<Opener>,
    size: usize,
    /// Calls waiting for a permit, for metrics.
    waiting: AtomicUsize,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").field("size", &self.size).finish()
    }
}

impl Pool {
    /// A pool named `name` of at most `size` connections, starting with the `ready` ones.
    pub(crate) fn new(
        name: &'static str,
        size: usize,
        open: Opener,
        ready: Vec<Connection>,
    ) -> Self {
        Self {
            name,
            idle: Mutex::new(ready),
            permits: Semaphore::new(size),
            open: std::sync::Arc::new(open),
            size,
            waiting: AtomicUsize::new(0),
        }
    }

    pub(crate) fn status(&self) -> PoolStatus {
        PoolStatus {
            name: self.name,
            max: self.size,
            in_use: self.size.saturating_sub(self.permits.available_permits()),
            idle: self.idle.lock().expect("pool lock poisoned").len(),
            waiting: self.waiting.load(Ordering::Relaxed),
        }
    }

    /// Waits for the calls in flight, then closes every connection. Later calls fail as
    /// unavailable.
    pub(crate) async fn close(&self) {
        if let Ok(all) = self.permits.acquire_many(self.size as u32).await {
            self.permits.close();
            drop(all);
        }
        let idle = std::mem::take(&mut *self.idle.lock().expect("pool lock poisoned"));
        drop(idle);
    }

    /// Waits for a permit and takes an idle connection, if there is one.
    async fn checkout(
        &self,
    ) -> Result<(tokio::sync::SemaphorePermit<'_>, Option<Connection>), StoreError> {
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let permit = self.permits.acquire().await;
        self.waiting.fetch_sub(1, Ordering::Relaxed);
        let Ok(permit) = permit else {
            return Err(StoreError::Unavailable("the database is closed".into()));
        };
        let idle = self.idle.lock().expect("pool lock poisoned").pop();
        Ok((permit, idle))
    }

    fn checkin(&self, connection: Connection) {
        self.idle
            .lock()
            .expect("pool lock poisoned")
            .push(connection);
    }

    /// Runs `work` on a connection of the pool, on a blocking thread.
    pub(crate) async fn run<R, F>(&self, work: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let (_permit, idle) = self.checkout().await?;
        let open = std::sync::Arc::clone(&self.open);
        let joined = tokio::task::spawn_blocking(move || {
            let mut connection = match idle {
                Some(connection) => connection,
                None => match open() {
                    Ok(connection) => connection,
                    Err(err) => return (None, Err(err)),
                },
            };
            let result = work(&mut connection);
            (Some(connection), result)
        })
        .await;
        match joined {
            Ok((connection, result)) => {
                if let Some(connection) = connection {
                    self.checkin(connection);
                }
                result
            }
            Err(join_error) => Err(StoreError::internal(format!(
                "a database task failed: {join_error}"
            ))),
        }
    }

    /// Runs `work` on a connection of the pool on the calling thread — a runtime worker.
    /// Only for reads whose work is small and bounded (a few index lookups, a short scan of
    /// keys): handing such a read to a blocking thread and back costs more than the read
    /// itself (two thread wake-ups), but a long read here would hold up the worker's other
    /// tasks.
    pub(crate) async fn run_here<R>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let (_permit, idle) = self.checkout().await?;
        let mut connection = match idle {
            Some(connection) => connection,
            None => (self.open)()?,
        };
        let result = work(&mut connection);
        self.checkin(connection);
        result
    }
}
