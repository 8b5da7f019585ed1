//! How rusqlite runs the shared scripts: [`Param`]s bound as SQLite values, columns read
//! into [`Cell`]s, `$1` placeholders spelled `?1`, and a script driven to completion on the
//! blocking thread that holds the connection.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use async_trait::async_trait;
use claims_store::sql::{Cell, Dialect, Param, Row, Script, Sql, question_mark_placeholders};
use claims_store::{SecretsKey, StoreError};
use rusqlite::Connection;
use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};

use crate::convert::db_error;

/// A connection, as scripts see it. Holding it mutably keeps it `Send`, as scripts must be.
pub(crate) struct SqliteSql<'c> {
    connection: &'c mut Connection,
    secrets: Option<&'c SecretsKey>,
}

impl<'c> SqliteSql<'c> {
    pub(crate) fn new(connection: &'c mut Connection, secrets: Option<&'c SecretsKey>) -> Self {
        Self {
            connection,
            secrets,
        }
    }
}

/// A [`Param`] as rusqlite binds it: instants as Unix seconds.
struct Bound<'a>(Param<'a>);

impl ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            Param::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Param::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            Param::Int(value) => ToSqlOutput::Owned(value.into()),
            Param::Time(time) => ToSqlOutput::Owned(time.unix_seconds().into()),
            Param::Bytes(bytes) => ToSqlOutput::Borrowed(ValueRef::Blob(bytes)),
        })
    }
}

fn cell(value: ValueRef<'_>) -> Result<Cell, StoreError> {
    Ok(match value {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(value) => Cell::Int(value),
        ValueRef::Text(text) => Cell::Text(
            std::str::from_utf8(text)
                .map_err(|_| claims_store::stored::corrupt("text that is not UTF-8"))?
                .to_owned(),
        ),
        ValueRef::Blob(bytes) => Cell::Bytes(bytes.to_vec()),
        ValueRef::Real(value) => {
            return Err(claims_store::stored::corrupt(format!(
                "a real number {value} where none is stored"
            )));
        }
    })
}

impl SqliteSql<'_> {
    fn statement(&self, sql: &str) -> Result<rusqlite::CachedStatement<'_>, StoreError> {
        self.connection
            .prepare_cached(&question_mark_placeholders(sql))
            .map_err(db_error)
    }
}

fn bound<'a>(params: &'a [Param<'a>]) -> impl Iterator<Item = Bound<'a>> {
    params.iter().map(|param| Bound(*param))
}

#[async_trait]
impl Sql for SqliteSql<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn secrets(&self) -> Option<&SecretsKey> {
        self.secrets
    }

    async fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        let mut statement = self.statement(sql)?;
        let width = statement.column_count();
        let mut rows = statement
            .query(rusqlite::params_from_iter(bound(params)))
            .map_err(db_error)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db_error)? {
            let cells = (0..width)
                .map(|index| cell(row.get_ref(index).map_err(db_error)?))
                .collect::<Result<_, _>>()?;
            out.push(Row::new(cells));
        }
        Ok(out)
    }

    async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
        let changed = self
            .statement(sql)?
            .execute(rusqlite::params_from_iter(bound(params)))
            .map_err(db_error)?;
        Ok(changed as u64)
    }
}

/// Drives a script over [`SqliteSql`] to its end. SQLite's statements run when called, so
/// such a script never waits: it is ready the first time it is polled. (One that is not
/// would be a bug, and is reported as one rather than blocking the thread.)
pub(crate) fn finish<T>(
    future: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    let future = pin!(future);
    match future.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(result) => result,
        Poll::Pending => Err(StoreError::internal(
            "a SQLite script waited, which a synchronous driver never does",
        )),
    }
}

/// Runs `script` on `connection` outside a transaction of its own.
pub(crate) fn read<R>(
    connection: &mut Connection,
    secrets: Option<&SecretsKey>,
    script: Script<R>,
) -> Result<R, StoreError> {
    finish(script(&mut SqliteSql::new(connection, secrets)))
}

/// Runs `script` in a `BEGIN IMMEDIATE` transaction, which takes SQLite's write lock before
/// anything is read; committed when the script succeeds, rolled back when it fails.
pub(crate) fn write<R>(
    connection: &mut Connection,
    secrets: Option<&SecretsKey>,
    script: Script<R>,
) -> Result<R, StoreError> {
    connection
        .execute_batch("BEGIN IMMEDIATE")
        .map_err(db_error)?;
    let result = finish(script(&mut SqliteSql::new(connection, secrets)));
    let ended = match &result {
        Ok(_) => connection.execute_batch("COMMIT"),
        Err(_) => connection.execute_batch("ROLLBACK"),
    };
    if let Err(error) = ended {
        // A failed COMMIT leaves the transaction open; end it so the connection is usable.
        let _ = connection.execute_batch("ROLLBACK");
        if result.is_ok() {
            return Err(db_error(error));
        }
    }
    result
}
