//! How tokio-postgres runs the shared scripts: each [`Param`] bound as the type the server
//! inferred for its placeholder, each column read into a [`Cell`] by its type, statements
//! prepared once per connection.

use std::error::Error;

use async_trait::async_trait;
use bytes::BytesMut;
use claims_store::sql::{Cell, Dialect, Param, Row, Sql};
use claims_store::stored::{self, corrupt};
use claims_store::{SecretsKey, StoreError};
use deadpool_postgres::GenericClient;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use crate::error::db_error;

/// A connection or transaction, as scripts see it.
pub(crate) struct PgSql<'c, C> {
    client: &'c C,
    secrets: Option<&'c SecretsKey>,
}

impl<'c, C: GenericClient + Sync> PgSql<'c, C> {
    pub(crate) fn new(client: &'c C, secrets: Option<&'c SecretsKey>) -> Self {
        Self { client, secrets }
    }
}

/// A [`Param`] bound as the type of its placeholder: an integer as `smallint`, `integer`
/// or `bigint`, an instant as `timestamptz`.
#[derive(Debug)]
struct Bound<'a>(Param<'a>);

impl ToSql for Bound<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self.0 {
            Param::Null => Ok(IsNull::Yes),
            Param::Text(text) => text.to_sql(ty, out),
            Param::Int(value) => match *ty {
                Type::INT2 => i16::try_from(value)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(value)?.to_sql(ty, out),
                _ => value.to_sql(ty, out),
            },
            Param::Time(time) => time.timestamp().to_sql(ty, out),
            Param::Bytes(bytes) => bytes.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        // Checked value by value in `to_sql`, against the type the server asks for.
        true
    }

    to_sql_checked!();
}

/// Column `index` of `row` as a cell, read as its type says.
fn cell(row: &tokio_postgres::Row, index: usize) -> Result<Cell, StoreError> {
    fn read<'r, T: tokio_postgres::types::FromSql<'r>>(
        row: &'r tokio_postgres::Row,
        index: usize,
    ) -> Result<Option<T>, StoreError> {
        row.try_get::<_, Option<T>>(index).map_err(db_error)
    }
    let ty = row.columns()[index].type_();
    Ok(match *ty {
        Type::INT2 => read::<i16>(row, index)?.map_or(Cell::Null, |v| Cell::Int(v.into())),
        Type::INT4 => read::<i32>(row, index)?.map_or(Cell::Null, |v| Cell::Int(v.into())),
        Type::INT8 => read::<i64>(row, index)?.map_or(Cell::Null, Cell::Int),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
            read::<String>(row, index)?.map_or(Cell::Null, Cell::Text)
        }
        Type::TIMESTAMPTZ => match read::<jiff::Timestamp>(row, index)? {
            Some(time) => Cell::Time(stored::time(time.as_second())?),
            None => Cell::Null,
        },
        Type::BYTEA => read::<Vec<u8>>(row, index)?.map_or(Cell::Null, Cell::Bytes),
        Type::BOOL => read::<bool>(row, index)?.map_or(Cell::Null, |v| Cell::Int(v.into())),
        _ => {
            return Err(corrupt(format!(
                "column {index} has the unexpected type {ty}"
            )));
        }
    })
}

impl<C: GenericClient + Sync> PgSql<'_, C> {
    /// `sql` prepared on this connection, once: later calls find it in the cache.
    async fn prepare(&self, sql: &str) -> Result<tokio_postgres::Statement, StoreError> {
        self.client.prepare_cached(sql).await.map_err(db_error)
    }
}

/// The parameters as the driver takes them.
fn bound<'a>(params: &'a [Param<'a>]) -> Vec<Bound<'a>> {
    params.iter().map(|param| Bound(*param)).collect()
}

fn refs<'a>(bound: &'a [Bound<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    bound
        .iter()
        .map(|param| param as &(dyn ToSql + Sync))
        .collect()
}

#[async_trait]
impl<C: GenericClient + Sync> Sql for PgSql<'_, C> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn secrets(&self) -> Option<&SecretsKey> {
        self.secrets
    }

    async fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        let statement = self.prepare(sql).await?;
        let bound = bound(params);
        let rows = self
            .client
            .query(&statement, &refs(&bound))
            .await
            .map_err(db_error)?;
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|index| cell(row, index))
                    .collect::<Result<_, _>>()
                    .map(Row::new)
            })
            .collect()
    }

    async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
        let statement = self.prepare(sql).await?;
        let bound = bound(params);
        self.client
            .execute(&statement, &refs(&bound))
            .await
            .map_err(db_error)
    }
}
