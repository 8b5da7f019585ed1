//! Loading the dataset into a store through its bulk path, with a progress bar.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use claims_domain::KstDateTime;
use claims_store::Store;
use claims_store::bulk::BulkOrder;
use claims_store_postgres::{PgOptions, PgStore};
use claims_store_sqlite::{Durability, SqliteOptions, SqliteStore};
use indicatif::{ProgressBar, ProgressStyle};

use crate::dataset::{Generator, Plan};

/// A store under benchmark, with its bulk path.
#[derive(Debug, Clone)]
pub enum Target {
    Sqlite { store: SqliteStore, path: String },
    Postgres { store: PgStore, url: String },
}

impl Target {
    /// Opens (creating the schema if needed) the store `database` names: a SQLite path or a
    /// `postgres://` URL.
    pub async fn open(database: &str, pool_size: usize) -> anyhow::Result<Self> {
        if database.starts_with("postgres://") || database.starts_with("postgresql://") {
            let store = PgStore::open(
                database,
                PgOptions {
                    pool_size,
                    timeout: Duration::from_secs(30),
                    ..PgOptions::default()
                },
            )
            .await
            .context("cannot open the PostgreSQL database")?;
            Ok(Target::Postgres {
                store,
                url: database.to_owned(),
            })
        } else {
            let path = database
                .strip_prefix("sqlite://")
                .unwrap_or(database)
                .to_owned();
            let store = SqliteStore::open(
                &path,
                SqliteOptions {
                    durability: Durability::Normal,
                    readers: pool_size,
                    ..SqliteOptions::default()
                },
            )
            .await
            .with_context(|| format!("cannot open the SQLite database {path}"))?;
            Ok(Target::Sqlite { store, path })
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Target::Sqlite { .. } => "sqlite",
            Target::Postgres { .. } => "postgres",
        }
    }

    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            Target::Sqlite { store, .. } => Arc::new(store.clone()),
            Target::Postgres { store, .. } => Arc::new(store.clone()),
        }
    }

    async fn bulk_load(&self, orders: Vec<BulkOrder>) -> anyhow::Result<()> {
        match self {
            Target::Sqlite { store, .. } => store.bulk_load(orders).await?,
            Target::Postgres { store, .. } => store.bulk_load(orders).await?,
        }
        Ok(())
    }

    /// On PostgreSQL, `VACUUM ANALYZE` after a load: statistics, hint bits and the
    /// visibility map, as autovacuum would set them a while later. SQLite's plans are fixed
    /// by the schema (the primary key and `INDEXED BY`), and its `ANALYZE` would make it
    /// re-plan every inquiry on each new binding (STAT4), so it is not run there.
    async fn vacuum_analyze(&self) -> anyhow::Result<()> {
        if let Target::Postgres { store, .. } = self {
            store.vacuum_analyze().await?;
        }
        Ok(())
    }

    /// How many orders the store holds.
    pub async fn order_count(&self) -> anyhow::Result<u64> {
        match self {
            Target::Sqlite { path, .. } => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || -> anyhow::Result<u64> {
                    let connection = rusqlite::Connection::open(&path)?;
                    let count: i64 =
                        connection
                            .query_row("SELECT count(*) FROM orders", [], |row| row.get(0))?;
                    Ok(count as u64)
                })
                .await?
            }
            Target::Postgres { url, .. } => {
                let (client, connection) =
                    tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
                tokio::spawn(connection);
                let row = client.query_one("SELECT count(*) FROM orders", &[]).await?;
                Ok(row.get::<_, i64>(0) as u64)
            }
        }
    }
}

/// What a load did.
#[derive(Debug, Clone)]
pub struct LoadReport {
    pub orders: u64,
    pub items: u64,
    pub claim_lines: u64,
    pub elapsed: Duration,
}

impl LoadReport {
    pub fn orders_per_second(&self) -> f64 {
        self.orders as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Loads `plan`'s dataset into an empty store. Generation runs on its own thread, one batch
/// ahead of the writer.
pub async fn load(
    target: &Target,
    plan: &Plan,
    batch: usize,
    progress: bool,
) -> anyhow::Result<LoadReport> {
    let existing = target.order_count().await?;
    if existing != 0 {
        bail!(
            "the {} database already holds {existing} orders; load into an empty one",
            target.name()
        );
    }
    let started = Instant::now();
    let store = target.store();
    let registered =
        KstDateTime::from_unix_seconds(plan.start().unix_seconds() - 86_400).expect("in range");
    for vendor in plan.all_vendors() {
        store.add_vendor(vendor, registered).await?;
    }

    let bar = if progress {
        let bar = ProgressBar::new(plan.orders);
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} orders ({per_sec}, {eta} left)",
            )
            .expect("a valid template"),
        );
        bar.set_prefix(format!("loading {}", target.name()));
        bar
    } else {
        ProgressBar::hidden()
    };

    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<BulkOrder>>(2);
    let generator_plan = plan.clone();
    let generator = std::thread::spawn(move || {
        let mut generator = Generator::new(generator_plan);
        while !generator.done() {
            if sender.blocking_send(generator.batch(batch)).is_err() {
                break;
            }
        }
    });
    let (mut orders, mut items, mut claim_lines) = (0u64, 0u64, 0u64);
    while let Some(chunk) = receiver.recv().await {
        orders += chunk.len() as u64;
        items += chunk
            .iter()
            .map(|o| o.record.items.len() as u64)
            .sum::<u64>();
        claim_lines += chunk
            .iter()
            .flat_map(|o| &o.record.claims)
            .map(|c| c.lines.len() as u64)
            .sum::<u64>();
        let size = chunk.len() as u64;
        target.bulk_load(chunk).await?;
        bar.inc(size);
    }
    generator
        .join()
        .map_err(|_| anyhow::anyhow!("the data generator panicked"))?;
    bar.finish_and_clear();
    target.vacuum_analyze().await?;
    Ok(LoadReport {
        orders,
        items,
        claim_lines,
        elapsed: started.elapsed(),
    })
}
