//! Administration: migrations, vendors, API keys and platform tokens.

use anyhow::Context;
use claims_domain::order::rules;
use claims_domain::{Scope, Text, VendorId};
use claims_server::credentials::{issue_api_key, issue_token};
use claims_server::settings::Settings;
use claims_server::{Clock, SystemClock};
use claims_store::{KeyId, NewVendor, Role, StoreError, TokenId};
use claims_store_postgres::PgStore;
use claims_store_sqlite::{SqliteOptions, SqliteStore};

use crate::database::{self, Database};
use crate::{KeyCommand, TokenCommand, VendorCommand};

/// `backup --to FILE`: a consistent copy of the database while it is in use.
pub async fn backup(to: &std::path::Path, settings: &Settings) -> anyhow::Result<()> {
    if to.exists() {
        anyhow::bail!(
            "{} already exists: a backup never overwrites a file",
            to.display()
        );
    }
    match Database::parse(&settings.database)? {
        Database::Sqlite(path) => {
            claims_store_sqlite::backup_file(&path, to)
                .await
                .map_err(explain)
                .with_context(|| format!("cannot back up {}", path.display()))?;
            println!(
                "Copied {} to {} (one consistent snapshot; restore by putting the copy in the database's place while no server runs).",
                path.display(),
                to.display()
            );
        }
        Database::Postgres(url) => {
            // pg_dump takes one consistent snapshot without blocking writers; it is
            // PostgreSQL's own tool and must match the server's major version.
            let status = std::process::Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
                .arg(to)
                .arg(&url)
                .status();
            match status {
                Ok(status) if status.success() => println!(
                    "Wrote a pg_dump archive to {} (restore with: pg_restore --no-owner --dbname <an empty database> {}).",
                    to.display(),
                    to.display()
                ),
                Ok(status) => anyhow::bail!("pg_dump failed ({status}); see its message above"),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
                    "pg_dump is not installed: install PostgreSQL's client tools (Debian: apt-get install postgresql-client), or back up with: pg_dump --format=custom --file {} <the database URL>",
                    to.display()
                ),
                Err(error) => anyhow::bail!("cannot run pg_dump: {error}"),
            }
        }
    }
    Ok(())
}

pub async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    match Database::parse(&settings.database)? {
        Database::Sqlite(path) => {
            SqliteStore::open(&path, SqliteOptions::default())
                .await
                .with_context(|| {
                    format!("cannot migrate the SQLite database {}", path.display())
                })?;
            println!(
                "{}: schema version {}, up to date",
                path.display(),
                claims_store_sqlite::SCHEMA_VERSION
            );
        }
        Database::Postgres(url) => {
            let store = PgStore::open(&url, database::postgres_options(settings))
                .await
                .context("cannot migrate the PostgreSQL database")?;
            println!(
                "{}: schema version {}, up to date",
                store.target(),
                claims_store_postgres::SCHEMA_VERSION
            );
        }
    }
    Ok(())
}

fn vendor_id(flag: &str, value: &str) -> anyhow::Result<VendorId> {
    VendorId::parse(flag, value).map_err(|err| anyhow::anyhow!("--{}", err))
}

/// Turns a store error into a message for the command line.
pub fn explain(error: StoreError) -> anyhow::Error {
    match error {
        StoreError::Invalid(invalid) => anyhow::anyhow!("{invalid}"),
        other => anyhow::Error::new(other),
    }
}

pub async fn vendor(command: VendorCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        VendorCommand::Add {
            id, name, parent, ..
        } => {
            let vendor = NewVendor {
                id: vendor_id("id", &id)?,
                name: Text::parse("name", &name, rules::ORDERER_NAME)
                    .map_err(|err| anyhow::anyhow!("--{err}"))?,
                parent: parent
                    .as_deref()
                    .map(|p| vendor_id("parent", p))
                    .transpose()?,
            };
            let store = database::open(settings).await?;
            let added = store
                .add_vendor(vendor, SystemClock.now())
                .await
                .map_err(explain)?;
            match &added.parent {
                Some(parent) => println!(
                    "Registered lower-rank vendor {} {} under {parent}.",
                    added.id, added.name
                ),
                None => println!("Registered vendor {} {}.", added.id, added.name),
            }
        }
        VendorCommand::List { .. } => {
            let store = database::open(settings).await?;
            let vendors = store.vendors().await.map_err(explain)?;
            if vendors.is_empty() {
                println!(
                    "No vendors yet: add one with `ssg-claims vendor add --id 0000012345 --name NAME`."
                );
                return Ok(());
            }
            println!("{:<10}  {:<10}  NAME", "SPLVENID", "PARENT");
            for vendor in vendors {
                println!(
                    "{:<10}  {:<10}  {}",
                    vendor.id,
                    vendor.parent.as_ref().map_or("-", VendorId::as_str),
                    vendor.name
                );
            }
        }
    }
    Ok(())
}

fn describe_scope(scope: &Scope) -> String {
    match &scope.lower_rank {
        Some(lower) => format!("{} narrowed to {lower}", scope.vendor),
        None => scope.vendor.to_string(),
    }
}

pub async fn key(command: KeyCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        KeyCommand::Issue {
            vendor, lower_rank, ..
        } => {
            let scope = Scope {
                vendor: vendor_id("vendor", &vendor)?,
                lower_rank: lower_rank
                    .as_deref()
                    .map(|l| vendor_id("lower-rank", l))
                    .transpose()?,
            };
            let store = database::open(settings).await?;
            let (info, secret) = issue_api_key(&*store, scope, SystemClock.now())
                .await
                .map_err(explain)?;
            eprintln!(
                "Issued {} for vendor {}. The key is shown this once; store it now:",
                info.id,
                describe_scope(&info.scope)
            );
            println!("{}", secret.expose());
        }
        KeyCommand::Revoke { key_id, .. } => {
            let id = KeyId::parse(&key_id).map_err(|err| anyhow::anyhow!("{err}"))?;
            let store = database::open(settings).await?;
            let info = store
                .revoke_api_key(&id, SystemClock.now())
                .await
                .map_err(explain)?;
            println!(
                "Revoked {} of vendor {} (since {} KST).",
                info.id,
                describe_scope(&info.scope),
                info.revoked_at.map(|t| t.to_wire()).unwrap_or_default()
            );
        }
        KeyCommand::List { vendor, .. } => {
            let vendor = vendor_id("vendor", &vendor)?;
            let store = database::open(settings).await?;
            let keys = store.api_keys(&vendor).await.map_err(explain)?;
            if keys.is_empty() {
                println!(
                    "Vendor {vendor} has no keys: issue one with `ssg-claims key issue --vendor {vendor}`."
                );
                return Ok(());
            }
            println!(
                "{:<20}  {:<10}  {:<19}  {:<19}",
                "KEY ID", "LOWER", "CREATED (KST)", "REVOKED (KST)"
            );
            for key in keys {
                println!(
                    "{:<20}  {:<10}  {:<19}  {:<19}",
                    key.id,
                    key.scope.lower_rank.as_ref().map_or("-", VendorId::as_str),
                    key.created_at.to_wire(),
                    key.revoked_at
                        .map_or_else(|| "-".to_owned(), |t| t.to_wire())
                );
            }
        }
    }
    Ok(())
}

/// Platform tokens: create, list, revoke.
pub async fn token(command: TokenCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create { role, .. } => {
            let role = Role::parse(&role).map_err(|err| anyhow::anyhow!("--{err}"))?;
            let store = database::open(settings).await?;
            let (info, secret) = issue_token(&*store, role, SystemClock.now())
                .await
                .map_err(explain)?;
            eprintln!(
                "Created {} with role {}. The token is shown this once; store it now:",
                info.id, info.role
            );
            println!("{}", secret.expose());
        }
        TokenCommand::List { .. } => {
            let store = database::open(settings).await?;
            let tokens = store.tokens().await.map_err(explain)?;
            if tokens.is_empty() {
                println!("No tokens yet: create one with `ssg-claims token create --role admin`.");
                return Ok(());
            }
            println!(
                "{:<20}  {:<14}  {:<19}  REVOKED (KST)",
                "TOKEN ID", "ROLE", "CREATED (KST)"
            );
            for token in tokens {
                println!(
                    "{:<20}  {:<14}  {:<19}  {}",
                    token.id,
                    token.role,
                    token.created_at.to_wire(),
                    token
                        .revoked_at
                        .map_or_else(|| "-".to_owned(), |t| t.to_wire())
                );
            }
        }
        TokenCommand::Revoke { token_id, .. } => {
            let id = TokenId::parse(&token_id).map_err(|err| anyhow::anyhow!("{err}"))?;
            let store = database::open(settings).await?;
            let info = store
                .revoke_token(&id, SystemClock.now())
                .await
                .map_err(explain)?;
            println!("Revoked {} ({}).", info.id, info.role);
        }
    }
    Ok(())
}
