//! The raw limit: the store's own inquiry statements (the key lookup and the page, which
//! PostgreSQL runs as one statement), prepared once per connection and run in a tight loop
//! through the same driver, with no HTTP, no encoding and no domain values — every row is
//! fetched and every column read, nothing more.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use claims_store_postgres::RawInquiry as PgInquiry;
use claims_store_sqlite::{RawInquiry as SqliteInquiry, SqliteOptions, open_reader};

use crate::measure::Measured;

/// Which of an inquiry page's statements a raw loop runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statement {
    /// The page's rows, every column: what an answer read afresh costs the database.
    Rows,
    /// The page's ids only: what it costs when every row is kept by the server.
    Ids,
}

/// Runs `queries` round-robin on `workers` threads, each with its own read connection.
pub fn sqlite(
    path: PathBuf,
    workers: usize,
    duration: Duration,
    max_requests: u64,
    queries: Arc<Vec<SqliteInquiry>>,
    which: Statement,
) -> anyhow::Result<Measured> {
    let started = Instant::now();
    let deadline = started + duration;
    let threads: Vec<_> = (0..workers)
        .map(|worker| {
            let path = path.clone();
            let queries = Arc::clone(&queries);
            std::thread::spawn(move || -> anyhow::Result<Measured> {
                let connection = open_reader(&path, &SqliteOptions::default())?;
                let mut measured = Measured::new();
                for n in 0..max_requests {
                    let now = Instant::now();
                    if now > deadline {
                        break;
                    }
                    let query = &queries[(n as usize * workers + worker) % queries.len()];
                    let mut key = connection.prepare_cached(&query.key_sql)?;
                    let mut found = key.query([&query.key_hash])?;
                    while let Some(row) = found.next()? {
                        std::hint::black_box((row.get_ref(0)?, row.get_ref(1)?));
                    }
                    drop(found);
                    let sql = match which {
                        Statement::Rows => &query.sql,
                        Statement::Ids => &query.ids_sql,
                    };
                    let mut statement = connection.prepare_cached(sql)?;
                    let columns = statement.column_count();
                    let mut rows = statement.query(query.params().as_slice())?;
                    while let Some(row) = rows.next()? {
                        for column in 0..columns {
                            std::hint::black_box(row.get_ref(column)?);
                        }
                    }
                    measured.record(now.elapsed(), 200);
                }
                Ok(measured)
            })
        })
        .collect();
    let mut total = Measured::new();
    for thread in threads {
        let measured = thread
            .join()
            .map_err(|_| anyhow::anyhow!("a raw SQLite worker panicked"))??;
        total.merge(&measured);
    }
    total.elapsed = started.elapsed();
    Ok(total)
}

/// Runs `queries` round-robin on `workers` tasks, each with its own connection.
pub async fn postgres(
    url: &str,
    workers: usize,
    duration: Duration,
    max_requests: u64,
    queries: Arc<Vec<PgInquiry>>,
    which: Statement,
) -> anyhow::Result<Measured> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for worker in 0..workers {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        tokio::spawn(connection);
        let queries = Arc::clone(&queries);
        tasks.push(tokio::spawn(async move {
            let mut statements = Vec::new();
            for query in queries.iter() {
                statements.push(
                    client
                        .prepare(match which {
                            Statement::Rows => &query.sql,
                            Statement::Ids => &query.ids_sql,
                        })
                        .await?,
                );
            }
            let mut measured = Measured::new();
            for n in 0..max_requests {
                let now = Instant::now();
                if now > deadline {
                    break;
                }
                let index = (n as usize * workers + worker) % queries.len();
                let rows = client
                    .query(&statements[index], &queries[index].params())
                    .await?;
                for row in &rows {
                    for column in 0..row.len() {
                        std::hint::black_box(row.try_get::<_, AnyValue<'_>>(column)?);
                    }
                }
                measured.record(now.elapsed(), 200);
            }
            Ok::<_, anyhow::Error>(measured)
        }));
    }
    gather(tasks, started).await
}

/// The loops of `tasks`, started at `started`, measured as one.
pub async fn gather(
    tasks: Vec<tokio::task::JoinHandle<anyhow::Result<Measured>>>,
    started: Instant,
) -> anyhow::Result<Measured> {
    let mut total = Measured::new();
    for task in tasks {
        total.merge(&task.await??);
    }
    total.elapsed = started.elapsed();
    Ok(total)
}

/// A column's bytes as the server sent them, whatever its type: reading a column without
/// converting it.
#[derive(Debug)]
struct AnyValue<'a>(#[allow(dead_code)] Option<&'a [u8]>);

impl<'a> tokio_postgres::types::FromSql<'a> for AnyValue<'a> {
    fn from_sql(
        _: &tokio_postgres::types::Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(AnyValue(Some(raw)))
    }

    fn from_sql_null(
        _: &tokio_postgres::types::Type,
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(AnyValue(None))
    }

    fn accepts(_: &tokio_postgres::types::Type) -> bool {
        true
    }
}
