//! The seam between the statements the service runs and the database that runs them.
//!
//! Everything the service writes, and everything it reads but the inquiry's hot path, is a
//! *script*: an async function over [`Sql`] — a connection or a transaction of some
//! backend — that runs statements with [`Param`]s and reads back owned [`Row`]s. Scripts
//! are written once (`orders`, `admin`, `idempotency`), in SQL both databases understand
//! with `$1`-style placeholders; where the two differ, a script asks the [`Dialect`] for
//! the piece. A backend says only how its driver binds a `Param`, reads a column into a
//! [`Cell`], and runs a script in a transaction ([`Backend`]); [`Store`](crate::Store) is
//! implemented once, for every backend, on top of that.
//!
//! SQLite's driver is synchronous: its `Sql` runs each statement when called, so a script
//! over it never waits and is driven to completion on the blocking thread that holds the
//! connection. PostgreSQL's is asynchronous and awaited as usual.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;
use claims_domain::{InquiryQuery, KstDateTime, RowKey, RowSink, Scope};

use crate::stored::corrupt;
use crate::{CancelRow, InquiryPage, PoolStatus, SchemaStatus, SecretHash, StoreError};

/// A value bound to a statement's placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param<'a> {
    Null,
    Text(&'a str),
    /// An integer of any width; the backend binds it as the column's type wants.
    Int(i64),
    /// An instant: Unix seconds on SQLite, `timestamptz` on PostgreSQL.
    Time(KstDateTime),
    Bytes(&'a [u8]),
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(value: &'a str) -> Self {
        Param::Text(value)
    }
}

impl<'a> From<&'a [u8]> for Param<'a> {
    fn from(value: &'a [u8]) -> Self {
        Param::Bytes(value)
    }
}

impl From<i64> for Param<'_> {
    fn from(value: i64) -> Self {
        Param::Int(value)
    }
}

impl From<u32> for Param<'_> {
    fn from(value: u32) -> Self {
        Param::Int(i64::from(value))
    }
}

impl From<KstDateTime> for Param<'_> {
    fn from(value: KstDateTime) -> Self {
        Param::Time(value)
    }
}

impl<'a, T: Into<Param<'a>>> From<Option<T>> for Param<'a> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Param::Null, Into::into)
    }
}

/// A value read from a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
    /// A `timestamptz` (PostgreSQL; SQLite's instants read as [`Cell::Int`]).
    Time(KstDateTime),
    Bytes(Vec<u8>),
}

/// A row read back: its cells in the order the statement selected them. Reading a cell as
/// the wrong kind is reported as corrupt data, naming the column's position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row(Vec<Cell>);

impl Row {
    pub fn new(cells: Vec<Cell>) -> Self {
        Self(cells)
    }

    fn cell(&self, index: usize) -> Result<&Cell, StoreError> {
        self.0
            .get(index)
            .ok_or_else(|| StoreError::internal(format!("a row has no column {index}")))
    }

    fn wrong(&self, index: usize, want: &str) -> StoreError {
        corrupt(format!(
            "column {index} holds {:?} where {want} was expected",
            self.0.get(index)
        ))
    }

    pub fn opt_text(&self, index: usize) -> Result<Option<&str>, StoreError> {
        match self.cell(index)? {
            Cell::Null => Ok(None),
            Cell::Text(text) => Ok(Some(text)),
            _ => Err(self.wrong(index, "text")),
        }
    }

    pub fn text(&self, index: usize) -> Result<&str, StoreError> {
        self.opt_text(index)?
            .ok_or_else(|| self.wrong(index, "text"))
    }

    pub fn opt_int(&self, index: usize) -> Result<Option<i64>, StoreError> {
        match self.cell(index)? {
            Cell::Null => Ok(None),
            Cell::Int(value) => Ok(Some(*value)),
            _ => Err(self.wrong(index, "an integer")),
        }
    }

    pub fn int(&self, index: usize) -> Result<i64, StoreError> {
        self.opt_int(index)?
            .ok_or_else(|| self.wrong(index, "an integer"))
    }

    pub fn opt_time(&self, index: usize) -> Result<Option<KstDateTime>, StoreError> {
        match self.cell(index)? {
            Cell::Null => Ok(None),
            Cell::Time(time) => Ok(Some(*time)),
            Cell::Int(seconds) => crate::stored::time(*seconds).map(Some),
            _ => Err(self.wrong(index, "an instant")),
        }
    }

    pub fn time(&self, index: usize) -> Result<KstDateTime, StoreError> {
        self.opt_time(index)?
            .ok_or_else(|| self.wrong(index, "an instant"))
    }

    pub fn opt_bytes(&self, index: usize) -> Result<Option<&[u8]>, StoreError> {
        match self.cell(index)? {
            Cell::Null => Ok(None),
            Cell::Bytes(bytes) => Ok(Some(bytes)),
            _ => Err(self.wrong(index, "bytes")),
        }
    }

    pub fn bytes(&self, index: usize) -> Result<&[u8], StoreError> {
        self.opt_bytes(index)?
            .ok_or_else(|| self.wrong(index, "bytes"))
    }
}

/// A [`Row`] read as inquiry columns ([`crate::stored::ROW_COLUMNS`]),
/// for scripts that read a few inquiry rows where both backends run the same SQL.
#[derive(Debug)]
pub struct Cells<'r>(pub &'r Row);

impl<'r> crate::stored::RowColumns<'r> for Cells<'r> {
    fn text(&self, index: usize) -> Result<&'r str, StoreError> {
        self.0.text(index)
    }
    fn opt_text(&self, index: usize) -> Result<Option<&'r str>, StoreError> {
        self.0.opt_text(index)
    }
    fn count(&self, index: usize) -> Result<u32, StoreError> {
        crate::stored::count(self.0.int(index)?)
    }
    fn amount(&self, index: usize) -> Result<i64, StoreError> {
        self.0.int(index)
    }
    fn time(&self, index: usize) -> Result<KstDateTime, StoreError> {
        self.0.time(index)
    }
}

/// Values of several orders, by order number, each order's in its own order.
pub(crate) type ByOrder<T> = std::collections::BTreeMap<String, Vec<T>>;

/// How many order numbers go into one `IN (…)` list: far below either database's limit on
/// parameters, and a page of the change feed (1,000 events) in a few statements.
const ORDERS_PER_STATEMENT: usize = 500;

/// The rows of `select` (a `SELECT … FROM table`) whose `column` is one of `ord_nos`,
/// ordered by `order_by` within each statement: a few statements for any number of orders
/// instead of one per order. Each order's rows come from one statement, so grouping them
/// by order keeps `order_by` within each order.
pub(crate) async fn rows_of_orders(
    sql: &mut dyn Sql,
    select: &str,
    column: &str,
    ord_nos: &[claims_domain::OrderNo],
    order_by: &str,
) -> Result<Vec<Row>, StoreError> {
    let mut rows = Vec::new();
    for chunk in ord_nos.chunks(ORDERS_PER_STATEMENT) {
        let list: Vec<String> = (1..=chunk.len()).map(|at| format!("${at}")).collect();
        let statement = format!(
            "{select} WHERE {column} IN ({}) ORDER BY {order_by}",
            list.join(", ")
        );
        let params: Vec<Param<'_>> = chunk.iter().map(|ord_no| ord_no.as_str().into()).collect();
        rows.extend(sql.query(&statement, &params).await?);
    }
    Ok(rows)
}

/// Which database a script talks to, for the few pieces of SQL the two spell differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// Appended to a `SELECT` that must lock what it reads until the transaction ends.
    /// SQLite needs nothing: its write transactions hold the whole database.
    pub fn for_update(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }

    /// Written after a table's name: read it through `index`. SQLite's planner, without
    /// statistics, may prefer the primary key; PostgreSQL's picks the index by itself.
    pub fn indexed_by(self, index: &str) -> String {
        match self {
            Dialect::Sqlite => format!(" INDEXED BY {index}"),
            Dialect::Postgres => String::new(),
        }
    }

    /// The KST calendar day of the instant in `column`, as days since 1970-01-01 (KST
    /// has no daylight saving: a day is the UTC instant plus nine hours, divided whole).
    pub fn kst_day(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("(({column} + 32400) / 86400)"),
            Dialect::Postgres => {
                format!("(floor((extract(epoch FROM {column}) + 32400) / 86400))::bigint")
            }
        }
    }

    /// Appended to a `SELECT` that must lock what it reads, passing over rows another
    /// transaction holds.
    pub fn for_update_skip_locked(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }
}

/// A connection or transaction of a backend, as scripts see it. Statements use `$1`-style
/// placeholders and no `$` anywhere else.
#[async_trait]
pub trait Sql: Send {
    fn dialect(&self) -> Dialect;

    /// The key webhook secrets are sealed with at rest, when the store was given one.
    fn secrets(&self) -> Option<&crate::SecretsKey> {
        None
    }

    /// Runs `sql` and reads every row it returns.
    async fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError>;

    /// Runs `sql` and says how many rows it changed.
    async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError>;

    /// The first row `sql` returns, if any.
    async fn query_opt(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params).await?.into_iter().next())
    }

    /// The row `sql` returns, which must exist.
    async fn query_one(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Row, StoreError> {
        self.query_opt(sql, params)
            .await?
            .ok_or_else(|| StoreError::internal("a statement that always returns a row did not"))
    }
}

/// A future a script returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Work done on one connection: a script over [`Sql`] with everything it needs moved in.
pub type Script<R> =
    Box<dyn for<'s> FnOnce(&'s mut dyn Sql) -> BoxFuture<'s, Result<R, StoreError>> + Send>;

/// Makes a [`Script`] of a closure that returns a boxed future (the compiler needs the
/// closure's type spelled out to see that the future may borrow the connection).
pub fn script<R, F>(work: F) -> Script<R>
where
    F: for<'s> FnOnce(&'s mut dyn Sql) -> BoxFuture<'s, Result<R, StoreError>> + Send + 'static,
{
    Box::new(work)
}

/// What a database must provide for [`Store`](crate::Store) to run on it: connections to
/// run scripts on, and the few things each does its own way — its schema's version, its
/// pools, closing, and the inquiry, the hot path, read straight from the driver's buffers.
#[async_trait]
pub trait Backend: Send + Sync + fmt::Debug + 'static {
    /// Runs `script` on a connection, outside any transaction of its own (reads).
    async fn read<R: Send + 'static>(&self, script: Script<R>) -> Result<R, StoreError>;

    /// Runs `script` in one write transaction, committed when it succeeds and rolled back
    /// when it fails. What the script reads cannot change before it writes: SQLite takes
    /// its write lock first, PostgreSQL scripts lock what they read (`for_update`).
    async fn write<R: Send + 'static>(&self, script: Script<R>) -> Result<R, StoreError>;

    /// See [`Store::readiness`](crate::Store::readiness).
    async fn readiness(&self) -> Result<SchemaStatus, StoreError>;

    /// See [`Store::pools`](crate::Store::pools).
    fn pools(&self) -> Vec<PoolStatus>;

    /// See [`Store::close`](crate::Store::close).
    async fn close(&self);

    /// See [`Store::canceled_rows`](crate::Store::canceled_rows).
    async fn canceled_rows(
        &self,
        scope: &Scope,
        query: &InquiryQuery,
        after: Option<&RowKey>,
        limit: usize,
    ) -> Result<Vec<CancelRow>, StoreError>;

    /// See [`Store::inquiry_page`](crate::Store::inquiry_page).
    async fn inquiry_page(
        &self,
        key: &SecretHash,
        query: &InquiryQuery,
        after: Option<&RowKey>,
        limit: usize,
        sink: Box<dyn RowSink>,
    ) -> Result<(InquiryPage, Box<dyn RowSink>), StoreError>;

    /// See [`Store::count_canceled_rows`](crate::Store::count_canceled_rows).
    async fn count_canceled_rows(
        &self,
        scope: &Scope,
        query: &InquiryQuery,
        cap: usize,
    ) -> Result<usize, StoreError>;
}

/// Renumbers `$1`-style placeholders for a driver that spells them `?1`.
pub fn question_mark_placeholders(sql: &str) -> String {
    sql.replace('$', "?")
}

/// The parameters of a vendor's list over `period`: `$1` the vendor, `$2`..`$3` the
/// period's bounds, `$4` the limit and, for a narrowed key, `$5` the lower-rank vendor; and
/// the condition that narrows the rows of table `alias` to it (empty for a whole vendor).
pub(crate) fn vendor_window<'a>(
    scope: &'a Scope,
    period: claims_domain::Period,
    limit: usize,
    alias: &str,
) -> (Vec<Param<'a>>, String) {
    let (from, until) = period.bounds();
    let mut params: Vec<Param<'_>> = vec![
        scope.vendor.as_str().into(),
        from.into(),
        until.into(),
        Param::Int(limit as i64),
    ];
    let narrowed = match &scope.lower_rank {
        Some(lower) => {
            params.push(lower.as_str().into());
            format!(" AND {alias}.lrnk_spl_ven_id = $5")
        }
        None => String::new(),
    };
    (params, narrowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_each_kind_and_name_a_mismatch() {
        let at = KstDateTime::from_unix_seconds(1_800_000_000).unwrap();
        let row = Row::new(vec![
            Cell::Text("홍길동".into()),
            Cell::Null,
            Cell::Int(7),
            Cell::Int(1_800_000_000),
            Cell::Time(at),
            Cell::Bytes(vec![1, 2]),
        ]);
        assert_eq!(row.text(0).unwrap(), "홍길동");
        assert_eq!(row.opt_text(1).unwrap(), None);
        assert_eq!(row.int(2).unwrap(), 7);
        assert_eq!(row.time(3).unwrap(), at, "SQLite's seconds");
        assert_eq!(row.time(4).unwrap(), at, "PostgreSQL's timestamptz");
        assert_eq!(row.bytes(5).unwrap(), [1, 2]);
        assert!(format!("{:?}", row.text(2).unwrap_err()).contains("corrupt"));
        assert!(row.int(1).is_err(), "NULL where a value must be");
        assert!(row.int(9).is_err(), "no such column");
    }

    #[test]
    fn params_come_from_plain_values() {
        assert_eq!(Param::from(Some("a")), Param::Text("a"));
        assert_eq!(Param::from(None::<&str>), Param::Null);
        assert_eq!(Param::from(3u32), Param::Int(3));
        assert_eq!(question_mark_placeholders("SELECT $1, $2"), "SELECT ?1, ?2");
    }
}
