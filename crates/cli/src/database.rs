//! Opening the store a `--database` value names.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use claims_store::{SecretsKey, Store};
use claims_store_postgres::{PgOptions, PgStore};
use claims_store_sqlite::{SqliteOptions, SqliteStore};

use claims_server::settings::Settings;

/// What a `--database` value points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    /// A PostgreSQL URL (kept out of messages: it may hold a password).
    Postgres(String),
}

impl Database {
    pub fn parse(value: &str) -> anyhow::Result<Self> {
        let value = value.trim();
        if value.is_empty() {
            bail!("--database is empty: give a SQLite file path or a postgres:// URL");
        }
        if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            return Ok(Database::Postgres(value.to_owned()));
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

/// The `--database` value fit for a log line: a URL's password replaced by `***`.
pub fn redacted(value: &str) -> String {
    let Some((scheme, rest)) = value.split_once("://") else {
        return value.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            let hidden = if userinfo.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{hidden}@{host}{path}")
        }
        None => value.to_owned(),
    }
}

/// A URL's password taken out: the URL without it, and the password (percent-decoding is
/// left to libpq's reading of `PGPASSWORD`, so a password is returned as written, decoded).
pub fn without_password(value: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = value.split_once("://") else {
        return (value.to_owned(), None);
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, password)) => (
                format!("{scheme}://{user}@{host}{path}"),
                Some(percent_decode(password)),
            ),
            None => (value.to_owned(), None),
        },
        None => (value.to_owned(), None),
    }
}

/// `%XX` escapes decoded (as a URL's userinfo writes special characters); anything else as
/// it is. Written here for the one use above rather than taking a crate for it.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = (bytes[index] == b'%')
            .then(|| text.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                index += 3;
            }
            None => {
                out.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The environment variable that holds the key webhook secrets are sealed with at rest.
/// Read from the environment only — never a flag (other users see a process's arguments)
/// nor the settings file.
pub const SECRETS_KEY: &str = "SSG_CLAIMS_SECRETS_KEY";

/// The key webhook secrets are sealed with, when [`SECRETS_KEY`] is set.
pub fn secrets_key() -> anyhow::Result<Option<SecretsKey>> {
    match std::env::var(SECRETS_KEY) {
        Ok(text) if !text.trim().is_empty() => SecretsKey::parse(SECRETS_KEY, &text)
            .map(Some)
            .map_err(|invalid| anyhow::anyhow!("{invalid}")),
        _ => Ok(None),
    }
}

pub fn postgres_options(settings: &Settings) -> anyhow::Result<PgOptions> {
    Ok(PgOptions {
        pool_size: settings.db_pool_size as usize,
        timeout: settings.db_timeout(),
        secrets: secrets_key()?,
        ..PgOptions::default()
    })
}

pub fn sqlite_options() -> anyhow::Result<SqliteOptions> {
    Ok(SqliteOptions {
        secrets: secrets_key()?,
        ..SqliteOptions::default()
    })
}

/// The stores this process opened, closed by [`close_all`] when its command ends.
static OPENED: std::sync::Mutex<Vec<Arc<dyn Store>>> = std::sync::Mutex::new(Vec::new());

/// Opens (and creates or migrates, if needed) the store `args` names. It is closed when the
/// command ends ([`close_all`]).
pub async fn open(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    let store = open_store(settings).await?;
    OPENED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(Arc::clone(&store));
    Ok(store)
}

/// Opens the store `settings` names only if it exists already: for a command that reads or
/// changes what is there (a list, a show, a revocation, a step on an order), so that a
/// mistyped or missing `--database` is an error that says so rather than a new, empty
/// database. (PostgreSQL databases are never created here.)
pub async fn open_existing(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    if let Database::Sqlite(path) = Database::parse(&settings.database)? {
        if !path.exists() {
            anyhow::bail!(
                "there is no database at {}: name one with --database (or SSG_CLAIMS_DATABASE), or create it with `ssg-claims migrate`",
                path.display()
            );
        }
    }
    open(settings).await
}

/// Closes every store this process opened: SQLite folds its write-ahead log back into the
/// database file, so that the file alone is the whole database once a command has ended
/// (copying it is then a complete backup); PostgreSQL's connections end cleanly.
pub async fn close_all() {
    let stores: Vec<Arc<dyn Store>> = std::mem::take(
        &mut *OPENED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    for store in stores {
        store.close().await;
    }
}

async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    match Database::parse(&settings.database)? {
        Database::Sqlite(path) => {
            let store = SqliteStore::open(&path, sqlite_options()?)
                .await
                .with_context(|| format!("cannot open the SQLite database {}", path.display()))?;
            Ok(Arc::new(store))
        }
        Database::Postgres(url) => {
            let store = PgStore::open(&url, postgres_options(settings)?)
                .await
                .context("cannot open the PostgreSQL database")?;
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
        assert_eq!(
            Database::parse("postgres://u@h/claims").unwrap(),
            Database::Postgres("postgres://u@h/claims".into())
        );
        assert!(Database::parse("").is_err());
        assert_eq!(
            redacted("postgres://claims:s3cret@db:5432/claims?sslmode=disable"),
            "postgres://claims:***@db:5432/claims?sslmode=disable"
        );
        assert_eq!(
            redacted("postgres://claims@db/claims"),
            "postgres://claims@db/claims"
        );
        assert_eq!(redacted("claims.db"), "claims.db");
        assert!(Database::parse("sqlite://").is_err());
        assert_eq!(
            without_password("postgres://claims:s%40cret@db:5432/claims"),
            (
                "postgres://claims@db:5432/claims".to_owned(),
                Some("s@cret".to_owned())
            )
        );
        assert_eq!(
            without_password("postgres://claims@db/claims"),
            ("postgres://claims@db/claims".to_owned(), None)
        );
    }
}
