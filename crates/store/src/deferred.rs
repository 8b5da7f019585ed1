//! A store whose database is not reachable yet: a server can start serving (and say it is
//! not ready) while it keeps trying to connect, instead of exiting because the database
//! came up a few seconds after it.

use std::sync::{Mutex, OnceLock, PoisonError};

use async_trait::async_trait;
use claims_domain::{InquiryQuery, RowKey, RowSink, Scope};

use crate::sql::{Backend, Script};
use crate::{CancelRow, InquiryPage, PoolStatus, SchemaStatus, SecretHash, StoreError};

/// A backend that exists once [`Deferred::set`] hands it over; until then every call is
/// answered as unavailable, naming why the database is not there yet.
#[derive(Debug)]
pub struct Deferred<B> {
    backend: OnceLock<B>,
    /// The last reason the database could not be reached.
    waiting: Mutex<String>,
}

impl<B: Backend> Deferred<B> {
    pub fn new() -> Self {
        Self {
            backend: OnceLock::new(),
            waiting: Mutex::new("connecting to the database".into()),
        }
    }

    /// The backend, once connected. A second one is refused (handed back).
    pub fn set(&self, backend: B) -> Result<(), B> {
        self.backend.set(backend)
    }

    /// Notes why the database cannot be reached yet, for the answers meanwhile.
    pub fn waiting(&self, why: impl Into<String>) {
        *self.waiting.lock().unwrap_or_else(PoisonError::into_inner) = why.into();
    }

    pub fn is_connected(&self) -> bool {
        self.backend.get().is_some()
    }

    fn backend(&self) -> Result<&B, StoreError> {
        self.backend.get().ok_or_else(|| {
            let why = self
                .waiting
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            StoreError::Unavailable(format!("the database is not reachable yet: {why}").into())
        })
    }
}

impl<B: Backend> Default for Deferred<B> {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl<B: Backend> Backend for Deferred<B> {
    async fn read<R: Send + 'static>(&self, script: Script<R>) -> Result<R, StoreError> {
        self.backend()?.read(script).await
    }

    async fn write<R: Send + 'static>(&self, script: Script<R>) -> Result<R, StoreError> {
        self.backend()?.write(script).await
    }

    async fn readiness(&self) -> Result<SchemaStatus, StoreError> {
        self.backend()?.readiness().await
    }

    fn pools(&self) -> Vec<PoolStatus> {
        self.backend.get().map(B::pools).unwrap_or_default()
    }

    async fn close(&self) {
        if let Some(backend) = self.backend.get() {
            backend.close().await;
        }
    }

    async fn canceled_rows(
        &self,
        scope: &Scope,
        query: &InquiryQuery,
        after: Option<&RowKey>,
        limit: usize,
    ) -> Result<Vec<CancelRow>, StoreError> {
        self.backend()?
            .canceled_rows(scope, query, after, limit)
            .await
    }

    async fn inquiry_page(
        &self,
        key: &SecretHash,
        query: &InquiryQuery,
        after: Option<&RowKey>,
        limit: usize,
        sink: Box<dyn RowSink>,
    ) -> Result<(InquiryPage, Box<dyn RowSink>), StoreError> {
        self.backend()?
            .inquiry_page(key, query, after, limit, sink)
            .await
    }

    async fn count_canceled_rows(
        &self,
        scope: &Scope,
        query: &InquiryQuery,
        cap: usize,
    ) -> Result<usize, StoreError> {
        self.backend()?.count_canceled_rows(scope, query, cap).await
    }
}
