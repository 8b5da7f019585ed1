//! Test support: a fresh database per test on the server `TEST_DATABASE_URL` names,
//! dropped when the test ends.
//!
//! Outside CI a missing `TEST_DATABASE_URL` skips the PostgreSQL tests with a message; in
//! CI (`CI=true`) it fails them, so a misconfigured pipeline cannot pass silently.

use std::io::Write as _;
use std::sync::atomic::{AtomicU32, Ordering};

use tokio_postgres::NoTls;

/// The variable naming the PostgreSQL server for tests.
pub const URL_VARIABLE: &str = "TEST_DATABASE_URL";

/// The server's URL, or `None` (after saying so) when PostgreSQL tests should be skipped.
pub fn server_url(test: &str) -> Option<String> {
    match std::env::var(URL_VARIABLE) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            if std::env::var("CI").is_ok_and(|ci| ci == "true") {
                panic!(
                    "{URL_VARIABLE} is not set, but CI=true: the PostgreSQL tests must run in CI"
                );
            }
            // Written to the process's stderr directly, past the test harness's capture, so
            // the skip is visible in a passing run.
            let _ = writeln!(
                std::io::stderr(),
                "skipping {test}: set {URL_VARIABLE} (e.g. postgres://postgres@127.0.0.1:5432/test) to run it on PostgreSQL"
            );
            None
        }
    }
}

/// `url` with its database name replaced by `dbname`.
pub fn with_database(url: &str, dbname: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (before_query, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    let authority = before_query.split('/').next().unwrap_or(before_query);
    let mut out = format!("{scheme}://{authority}/{dbname}");
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// `url` pointing at `address` (`host:port`) instead, with the same user, password,
/// database and parameters.
pub fn with_address(url: &str, address: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let userinfo = authority
        .rsplit_once('@')
        .map(|(userinfo, _)| format!("{userinfo}@"))
        .unwrap_or_default();
    format!("{scheme}://{userinfo}{address}{tail}")
}

/// A database created for one test and dropped (connections and all) when it goes away.
#[derive(Debug)]
pub struct TestDatabase {
    server: String,
    pub name: String,
    pub url: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDatabase {
    /// Creates an empty database on the server at `server_url`.
    pub async fn create(server_url: &str) -> Self {
        let name = format!(
            "claims_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let (client, connection) = tokio_postgres::connect(server_url, NoTls)
            .await
            .unwrap_or_else(|err| panic!("cannot connect to {URL_VARIABLE}: {err}"));
        let driver = tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|err| panic!("cannot create the test database {name}: {err}"));
        drop(client);
        let _ = driver.await;
        Self {
            url: with_database(server_url, &name),
            server: server_url.to_owned(),
            name,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let server = self.server.clone();
        let name = self.name.clone();
        // Drop may run inside an async runtime, which must not be blocked on; a thread of its
        // own with a small runtime does the dropping.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for dropping the test database");
            runtime.block_on(async move {
                let (client, connection) = tokio_postgres::connect(&server, NoTls).await?;
                let driver = tokio::spawn(connection);
                let result = client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
                drop(client);
                let _ = driver.await;
                result
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!(
                "warning: the test database {} could not be dropped",
                self.name
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgresql://u:p@h/db?sslmode=disable", "x"),
            "postgresql://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
        assert_eq!(
            with_address("postgres://u:p@db:5432/claims?x=1", "127.0.0.1:6000"),
            "postgres://u:p@127.0.0.1:6000/claims?x=1"
        );
        assert_eq!(
            with_address("postgres://db/claims", "h:1"),
            "postgres://h:1/claims"
        );
    }
}
