//! Administration: migrations, vendors, API keys, platform tokens and console users.

use anyhow::Context;
use claims_domain::order::rules;
use claims_domain::{Scope, Text, VendorId};
use claims_server::credentials::{issue_api_key, issue_token};
use claims_server::settings::Settings;
use claims_server::store_now;
use claims_store::{
    KeyId, Login, NewUser, NewVendor, Password, Role, StoreError, TokenId, UserRole,
};
use claims_store_postgres::PgStore;
use claims_store_sqlite::SqliteStore;

use crate::database::{self, Database};
use crate::{KeyCommand, TokenCommand, UserCommand, VendorCommand};

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
            out!(
                "Copied {} to {} (one consistent snapshot; restore by putting the copy in the database's place while no server runs).",
                path.display(),
                to.display()
            );
        }
        Database::Postgres(url) => {
            // pg_dump takes one consistent snapshot without blocking writers; it is
            // PostgreSQL's own tool and must match the server's major version.
            // The password goes through the environment, never the command line, where
            // other users of the machine could read it.
            let (url, password) = database::without_password(&url);
            // The archive holds what the database holds: only its owner may read it.
            claims_store_sqlite::create_private(to)
                .with_context(|| format!("cannot create {}", to.display()))?;
            let mut pg_dump = std::process::Command::new("pg_dump");
            pg_dump
                .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
                .arg(to)
                .arg(&url);
            if let Some(password) = password {
                pg_dump.env("PGPASSWORD", password);
            }
            let status = pg_dump.status();
            match status {
                Ok(status) if status.success() => out!(
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
    let (target, from, to) = match Database::parse(&settings.database)? {
        Database::Sqlite(path) => {
            let store = SqliteStore::open(&path, database::sqlite_options()?)
                .await
                .with_context(|| {
                    format!("cannot migrate the SQLite database {}", path.display())
                })?;
            let migrated = store.migrated();
            claims_store::Store::close(&store).await;
            (path.display().to_string(), migrated.from, migrated.to)
        }
        Database::Postgres(url) => {
            let store = PgStore::open(&url, database::postgres_options(settings)?)
                .await
                .context("cannot migrate the PostgreSQL database")?;
            claims_store::Store::close(&store).await;
            (
                store.target().to_owned(),
                i64::from(store.migrated_from()),
                i64::from(claims_store_postgres::SCHEMA_VERSION),
            )
        }
    };
    out!("{}", migration_report(&target, from, to));
    Ok(())
}

/// What `migrate` says it did.
pub(crate) fn migration_report(target: &str, from: i64, to: i64) -> String {
    match from {
        0 => format!("{target}: created, at schema version {to}"),
        _ if from == to => format!("{target}: already at schema version {to}; nothing to apply"),
        _ => format!(
            "{target}: applied migrations {} to {to} (was at schema version {from})",
            from + 1
        ),
    }
}

fn vendor_id(flag: &str, value: &str) -> anyhow::Result<VendorId> {
    VendorId::parse(flag, value).map_err(|err| anyhow::anyhow!("--{}", err))
}

/// Prints `rows` under `headings`, each column as wide as its widest cell (in terminal
/// columns: Korean takes two), two spaces apart.
pub fn print_table(headings: &[&str], rows: Vec<Vec<String>>) {
    use unicode_width::UnicodeWidthStr;
    let widths: Vec<usize> = (0..headings.len())
        .map(|column| {
            rows.iter()
                .map(|row| row[column].width())
                .chain([headings[column].width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (column, cell) in cells.iter().enumerate() {
            text.push_str(cell);
            if column + 1 < cells.len() {
                text.push_str(&" ".repeat(widths[column] - cell.width() + 2));
            }
        }
        out!("{text}");
    };
    line(headings.to_vec());
    for row in &rows {
        line(row.iter().map(String::as_str).collect());
    }
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
                .add_vendor(vendor, store_now(&*store).await?)
                .await
                .map_err(explain)?;
            match &added.parent {
                Some(parent) => out!(
                    "Registered lower-rank vendor {} {} under {parent}.",
                    added.id,
                    added.name
                ),
                None => out!("Registered vendor {} {}.", added.id, added.name),
            }
        }
        VendorCommand::List { .. } => {
            let store = database::open_existing(settings).await?;
            let vendors = store.vendors().await.map_err(explain)?;
            if vendors.is_empty() {
                out!(
                    "No vendors yet: add one with `ssg-claims vendor add --id 0000012345 --name NAME`."
                );
                return Ok(());
            }
            print_table(
                &["SPLVENID", "PARENT", "NAME"],
                vendors
                    .iter()
                    .map(|vendor| {
                        vec![
                            vendor.id.to_string(),
                            vendor
                                .parent
                                .as_ref()
                                .map_or("-", VendorId::as_str)
                                .to_owned(),
                            vendor.name.to_string(),
                        ]
                    })
                    .collect(),
            );
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
            let (info, secret) = issue_api_key(&*store, scope, store_now(&*store).await?)
                .await
                .map_err(explain)?;
            eprintln!(
                "Issued {} for vendor {}. The key is shown this once; store it now:",
                info.id,
                describe_scope(&info.scope)
            );
            out!("{}", secret.expose());
        }
        KeyCommand::Revoke { key_id, .. } => {
            let id = KeyId::parse("keyId", &key_id).map_err(|err| anyhow::anyhow!("{err}"))?;
            let store = database::open_existing(settings).await?;
            let info = store
                .revoke_api_key(&id, store_now(&*store).await?)
                .await
                .map_err(explain)?;
            out!(
                "Revoked {} of vendor {} (since {} KST).",
                info.id,
                describe_scope(&info.scope),
                info.revoked_at.map(|t| t.to_wire()).unwrap_or_default()
            );
        }
        KeyCommand::List { vendor, .. } => {
            let vendor = vendor
                .as_deref()
                .map(|v| vendor_id("vendor", v))
                .transpose()?;
            let store = database::open_existing(settings).await?;
            let keys = store.api_keys(vendor.as_ref()).await.map_err(explain)?;
            if keys.is_empty() {
                match &vendor {
                    Some(vendor) => out!(
                        "Vendor {vendor} has no keys: issue one with `ssg-claims key issue --vendor {vendor}`."
                    ),
                    None => out!(
                        "No keys yet: issue one with `ssg-claims key issue --vendor SPLVENID`."
                    ),
                }
                return Ok(());
            }
            print_table(
                &[
                    "KEY ID",
                    "VENDOR",
                    "LOWER",
                    "CREATED (KST)",
                    "REVOKED (KST)",
                ],
                keys.iter()
                    .map(|key| {
                        vec![
                            key.id.to_string(),
                            key.scope.vendor.to_string(),
                            key.scope
                                .lower_rank
                                .as_ref()
                                .map_or_else(|| "-".to_owned(), VendorId::to_string),
                            key.created_at.to_wire(),
                            key.revoked_at
                                .map_or_else(|| "-".to_owned(), |t| t.to_wire()),
                        ]
                    })
                    .collect(),
            );
        }
    }
    Ok(())
}

/// Platform tokens: create, list, revoke.
pub async fn token(command: TokenCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create { role, label, .. } => {
            let role = Role::parse(&role).map_err(|err| anyhow::anyhow!("--{err}"))?;
            let label = Text::parse("--label", &label, rules::LABEL)
                .map_err(|err| anyhow::anyhow!("{err}"))?;
            let store = database::open(settings).await?;
            let (info, secret) = issue_token(&*store, role, label, store_now(&*store).await?)
                .await
                .map_err(explain)?;
            eprintln!(
                "Created {} with role {}. The token is shown this once; store it now:",
                info.id, info.role
            );
            out!("{}", secret.expose());
        }
        TokenCommand::List { .. } => {
            let store = database::open_existing(settings).await?;
            let tokens = store.tokens().await.map_err(explain)?;
            if tokens.is_empty() {
                out!("No tokens yet: create one with `ssg-claims token create --role admin`.");
                return Ok(());
            }
            print_table(
                &[
                    "TOKEN ID",
                    "ROLE",
                    "LABEL",
                    "CREATED (KST)",
                    "REVOKED (KST)",
                ],
                tokens
                    .iter()
                    .map(|token| {
                        vec![
                            token.id.to_string(),
                            token.role.to_string(),
                            if token.label.is_empty() {
                                "-".to_owned()
                            } else {
                                token.label.to_string()
                            },
                            token.created_at.to_wire(),
                            token
                                .revoked_at
                                .map_or_else(|| "-".to_owned(), |t| t.to_wire()),
                        ]
                    })
                    .collect(),
            );
        }
        TokenCommand::Revoke { token_id, .. } => {
            let id =
                TokenId::parse("tokenId", &token_id).map_err(|err| anyhow::anyhow!("{err}"))?;
            let store = database::open_existing(settings).await?;
            let info = store
                .revoke_token(&id, store_now(&*store).await?)
                .await
                .map_err(explain)?;
            out!("Revoked {} ({}).", info.id, info.role);
        }
    }
    Ok(())
}

/// Console users: add (the password from standard input), list, remove.
pub async fn user(command: UserCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            login,
            role,
            vendor,
            lower_rank,
            ..
        } => {
            let login = Login::parse(&login).map_err(|err| anyhow::anyhow!("--{err}"))?;
            let scope = match vendor {
                Some(vendor) => Some(Scope {
                    vendor: VendorId::parse("--vendor", &vendor)
                        .map_err(|err| anyhow::anyhow!("{err}"))?,
                    lower_rank: lower_rank
                        .map(|lower| VendorId::parse("--lower-rank", &lower))
                        .transpose()
                        .map_err(|err| anyhow::anyhow!("{err}"))?,
                }),
                None => None,
            };
            let role = UserRole::parse(&role, scope).map_err(|err| anyhow::anyhow!("--{err}"))?;
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).map_err(|err| {
                anyhow::anyhow!("cannot read the password from standard input: {err}")
            })?;
            let typed = line.strip_suffix('\n').unwrap_or(&line);
            let typed = typed.strip_suffix('\r').unwrap_or(typed);
            let password = Password::parse(typed).map_err(|err| anyhow::anyhow!("{err}"))?;
            let password_hash = claims_server::console::hash_password(&password);
            let store = database::open(settings).await?;
            let user = store
                .add_console_user(
                    NewUser {
                        login,
                        role,
                        password_hash,
                    },
                    store_now(&*store).await?,
                )
                .await
                .map_err(explain)?;
            out!(
                "Added console user {} ({}). They sign in at /console/login.",
                user.login,
                user.role.name()
            );
        }
        UserCommand::List { .. } => {
            let store = database::open_existing(settings).await?;
            let users = store.console_users().await.map_err(explain)?;
            if users.is_empty() {
                out!(
                    "No console users yet: add one with `ssg-claims user add --login admin --role admin --password-stdin`."
                );
                return Ok(());
            }
            print_table(
                &["LOGIN", "ROLE", "VENDOR", "LOWER-RANK", "ADDED (KST)"],
                users
                    .iter()
                    .map(|user| {
                        let scope = user.role.scope();
                        vec![
                            user.login.to_string(),
                            user.role.name().to_owned(),
                            scope.map_or_else(|| "-".to_owned(), |s| s.vendor.to_string()),
                            scope
                                .and_then(|s| s.lower_rank.as_ref())
                                .map_or_else(|| "-".to_owned(), ToString::to_string),
                            user.created_at.to_wire(),
                        ]
                    })
                    .collect(),
            );
        }
        UserCommand::Remove { login } => {
            let login = Login::parse(&login).map_err(|err| anyhow::anyhow!("{err}"))?;
            let store = database::open_existing(settings).await?;
            store.delete_console_user(&login).await.map_err(explain)?;
            out!("Removed console user {login}; their sessions have ended.");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::migration_report;

    #[test]
    fn migrate_says_what_it_applied() {
        assert_eq!(
            migration_report("c.db", 0, 7),
            "c.db: created, at schema version 7"
        );
        assert_eq!(
            migration_report("c.db", 7, 7),
            "c.db: already at schema version 7; nothing to apply"
        );
        assert_eq!(
            migration_report("c.db", 5, 7),
            "c.db: applied migrations 6 to 7 (was at schema version 5)"
        );
    }
}
