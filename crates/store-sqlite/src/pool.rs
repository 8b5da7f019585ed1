//! A small pool of SQLite connections used from async code.
//!
//! Written here rather than taken from `deadpool-sqlite` because that pool checks every
//! connection with an extra query on each checkout, which doubles the blocking-thread
//! round trips of the inquiry, the hot path. This one hands out an idle connection, runs
//! the caller's closure on tokio's blocking pool, and puts the connection back. A closure
//! that panics loses its connection; the next checkout opens a fresh one.

use std::sync::Mutex;

use rusqlite::Connection;
use tokio::sync::Semaphore;

use claims_store::StoreError;

/// Opens and prepares a new connection.
pub(crate) type Opener = Box<dyn Fn() -> Result<Connection, StoreError> + Send + Sync>;

pub(crate) struct Pool {
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
    open: std::sync::Arc<Opener>,
    size: usize,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").field("size", &self.size).finish()
    }
}

impl Pool {
    /// A pool of at most `size` connections, starting with the `ready` ones.
    pub(crate) fn new(size: usize, open: Opener, ready: Vec<Connection>) -> Self {
        Self {
            idle: Mutex::new(ready),
            permits: Semaphore::new(size),
            open: std::sync::Arc::new(open),
            size,
        }
    }

    /// Runs `work` on a connection of the pool, on a blocking thread.
    pub(crate) async fn run<R, F>(&self, work: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("the pool's semaphore is never closed");
        let idle = self.idle.lock().expect("pool lock poisoned").pop();
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
                    self.idle
                        .lock()
                        .expect("pool lock poisoned")
                        .push(connection);
                }
                result
            }
            Err(join_error) => Err(StoreError::internal(format!(
                "a database task failed: {join_error}"
            ))),
        }
    }
}
