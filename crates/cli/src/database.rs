//! Opening the store a `--database` value names.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use claims_store::Store;
use claims_store_sqlite::{SqliteOptions, SqliteStore};

/// What a `--database` value points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
}

impl Database {
    pub fn parse(value: &str) -> anyhow::Result<Self> {
        let value = value.trim();
        if value.is_empty() {
            bail!("--database is empty: give a SQLite file path");
        }
        if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            bail!(
                "--database names a PostgreSQL server, which this build cannot use yet; give a SQLite file path"
            );
        }
        let path = value
            .strip_prefix("sqlite://")
            .or_else(|| value.strip_prefix("sqlite:"))
            .unwrap_or(value);
        if path.is_empty() {
            bail!("--database {value:?} names no file");
        }
        Ok(Database::Sqlite(PathBuf::from(path)))
    }
}

/// Opens (and creates or migrates, if needed) the store `value` names.
pub async fn open(value: &str) -> anyhow::Result<Arc<dyn Store>> {
    match Database::parse(value)? {
        Database::Sqlite(path) => {
            let store = SqliteStore::open(&path, SqliteOptions::default())
                .await
                .with_context(|| format!("cannot open the SQLite database {}", path.display()))?;
            Ok(Arc::new(store))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_values() {
        assert_eq!(
            Database::parse("claims.db").unwrap(),
            Database::Sqlite("claims.db".into())
        );
        assert_eq!(
            Database::parse("sqlite:///var/lib/x.db").unwrap(),
            Database::Sqlite("/var/lib/x.db".into())
        );
        assert_eq!(
            Database::parse("sqlite:x.db").unwrap(),
            Database::Sqlite("x.db".into())
        );
        assert!(Database::parse("").is_err());
        assert!(Database::parse("sqlite://").is_err());
        assert!(Database::parse("postgres://localhost/claims").is_err());
    }
}
