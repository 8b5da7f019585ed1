//! `ssg-claims`: the one binary of the service.
//!
//! Invariant: this crate is the composition root. It reads settings (flags, then
//! `SSG_CLAIMS_*` environment variables, then defaults), opens the store, wires the server
//! and prints results; it holds no rule of its own.

mod admin;
mod cancels;
mod database;
mod demo;
mod logging;
mod orders;
mod serve;
mod settings;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use settings::{DatabaseArgs, HttpArgs, LogFormat, LogSettings};

/// mimalloc rather than the system allocator: the inquiry allocates and frees many small
/// buffers across threads, where glibc's allocator costs measurably more time and memory
/// (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// SSG.com's canceled-order claims system: the vendor API
/// `POST /api/clm/cncl/ord/inquiry.ssg` and the claims behind it.
#[derive(Debug, Parser)]
#[command(name = "ssg-claims", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// A settings file (TOML). Flags and SSG_CLAIMS_* environment variables override it;
    /// see `ssg-claims config show`.
    #[arg(long, env = "SSG_CLAIMS_CONFIG", global = true, value_name = "PATH")]
    config: Option<PathBuf>,

    /// Log filter, in tracing's syntax: `info`, `debug`, `claims_server=debug,info`.
    #[arg(long, env = "SSG_CLAIMS_LOG", default_value = "info", global = true)]
    log: String,

    /// Log lines as text for people or as JSON objects for log shippers.
    #[arg(
        long,
        env = "SSG_CLAIMS_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    log_format: LogFormat,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the vendor API on a database.
    Serve(ServeArgs),
    /// Serve the vendor API on a fresh temporary store filled with realistic demo data.
    Demo(DemoArgs),
    /// Create the database or bring its schema up to date, then exit.
    Migrate(DatabaseArgs),
    /// Register and list vendors.
    #[command(subcommand)]
    Vendor(VendorCommand),
    /// Issue, list and revoke vendor API keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Create, list and revoke platform API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import and show orders.
    #[command(subcommand)]
    Order(OrderCommand),
    /// Cancel items of an order, as an agent or for a customer.
    Cancel(CancelArgs),
    /// Ship the open units of an item, for its vendor.
    Ship(ShipArgs),
    /// As a vendor: read canceled orders for any range from SSG or an ssg-claims server,
    /// in 7-day windows, retried, de-duplicated; or only what is new since the last run.
    Cancels(CancelsArgs),
    /// Show the settings in effect.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Print the settings in effect, as TOML, with where each comes from and secrets
    /// redacted.
    Show {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        http: HttpArgs,
    },
}

#[derive(Debug, Clone, Args)]
struct ServeArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(flatten)]
    http: HttpArgs,
}

#[derive(Debug, Clone, Args)]
struct DemoArgs {
    #[command(flatten)]
    http: HttpArgs,

    /// How many orders to place over the last 30 days.
    #[arg(long, default_value_t = 3_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    orders: u32,
}

#[derive(Debug, Subcommand)]
enum VendorCommand {
    /// Register a vendor, or a lower-rank vendor under one.
    Add {
        /// The vendor id (`splVenId`): ten digits.
        #[arg(long)]
        id: String,
        /// The vendor's name.
        #[arg(long)]
        name: String,
        /// For a lower-rank vendor: the vendor it ranks under.
        #[arg(long)]
        parent: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List the registered vendors.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
enum KeyCommand {
    /// Issue an API key for a vendor. The key is printed once, on standard output.
    Issue {
        /// The vendor (`splVenId`).
        #[arg(long)]
        vendor: String,
        /// Narrow the key to one of the vendor's lower-rank vendors (`lrnkSplVenId`).
        #[arg(long)]
        lower_rank: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Revoke a key at once.
    Revoke {
        /// The key's id, as `key list` shows it (`key_…`).
        key_id: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List a vendor's keys (ids and scopes; keys themselves are never stored).
    List {
        /// The vendor (`splVenId`).
        #[arg(long)]
        vendor: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token for the platform API. It is printed once, on standard output.
    Create {
        /// admin, storefront or service-center.
        #[arg(long)]
        role: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List the tokens (ids and roles; tokens themselves are never stored).
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Revoke a token at once.
    Revoke {
        /// The token's id, as `token list` shows it (`tok_…`).
        token_id: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
enum OrderCommand {
    /// Place the orders of a JSON file (one order, or an array), in the platform API's
    /// format. Importing an identical order again changes nothing.
    Import {
        /// The file, or `-` for standard input.
        file: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Show an order: its items, where each stands, and its claims.
    Show {
        /// The order number.
        ord_no: String,
        /// Print the platform API's JSON instead of tables.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("canceler").required(true).args(["agent", "customer"])))]
struct CancelArgs {
    /// The order number.
    ord_no: String,
    /// An item and how many of its units to cancel, as SEQ:QTY; repeat for several items.
    #[arg(long = "item", value_name = "SEQ:QTY", required = true, num_args = 1..)]
    items: Vec<String>,
    /// The claim reason code (`clmRsnCd`): 251, 252, 253, 258, 259 or 260.
    #[arg(long)]
    reason: String,
    /// Free text of the reason (`clmRsnCntt`).
    #[arg(long)]
    text: Option<String>,
    /// Cancel as this service-center agent.
    #[arg(long)]
    agent: Option<String>,
    /// Cancel for this customer (who must have placed the order).
    #[arg(long)]
    customer: Option<String>,
    /// Who is at fault (`imptDivCd`): 10 customer, 20 vendor. Only agents may say 20.
    #[arg(long)]
    fault: Option<String>,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Debug, Clone, Args)]
struct ShipArgs {
    /// The order number.
    ord_no: String,
    /// The item's sequence number.
    seq: u32,
    /// The shipping vendor (`splVenId`), which must be the item's.
    #[arg(long)]
    vendor: String,
    /// The lower-rank vendor shipping it, for items fulfilled by one.
    #[arg(long)]
    lower_rank: Option<String>,
    #[command(flatten)]
    database: DatabaseArgs,
}

/// How `cancels` writes rows.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    /// Aligned columns for reading.
    Table,
    /// Every field, one line per cost line (`cstInfo.*` columns).
    Csv,
    /// One JSON object per row, shaped like the API's `data`.
    Jsonl,
    /// One `<result>` document, as the API answers.
    Xml,
}

/// The format `cancels` asks the API for.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum AcceptArg {
    Json,
    Xml,
}

/// The language `cancels` asks the API's messages in.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum LangArg {
    Ko,
    En,
}

#[derive(Debug, Clone, Args)]
struct CancelsArgs {
    /// The site: `https://eapi.ssgadm.com` for SSG, or an ssg-claims server.
    #[arg(
        long,
        env = "SSG_CLAIMS_BASE_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    base_url: String,

    /// The vendor API key. Prefer SSG_CLAIMS_KEY or --key-file: other users of a machine
    /// can see command lines.
    #[arg(
        long,
        env = "SSG_CLAIMS_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    key: Option<cancels::Key>,

    /// A file holding the API key (surrounding whitespace is ignored). Wins over
    /// --key and SSG_CLAIMS_KEY.
    #[arg(long, value_name = "PATH")]
    key_file: Option<PathBuf>,

    /// The first day (KST), `yyyymmdd` or `yyyy-mm-dd`. With --since-last, only for the
    /// first run.
    #[arg(long, value_parser = cancels::parse_day, value_name = "DAY")]
    from: Option<claims_domain::KstDate>,

    /// The last day (KST), included. Default: today.
    #[arg(long, value_parser = cancels::parse_day, value_name = "DAY")]
    to: Option<claims_domain::KstDate>,

    /// Only this original order (`orordNo`). Without --from, all of its cancellations.
    #[arg(long, value_name = "ORORDNO", conflicts_with = "since_last")]
    order: Option<String>,

    /// Only these items of --order (`orordItemSeqs`), like `1,2`.
    #[arg(long, value_name = "SEQS", requires = "order")]
    items: Option<String>,

    /// Incremental sync: read from where the last run with this state file completed and
    /// write only rows not written before. The file is created on the first run (which
    /// needs --from) and replaced only after a complete run.
    #[arg(long, value_name = "STATE_FILE")]
    since_last: Option<PathBuf>,

    /// With --since-last: days before the end of the last run to read again, so that rows
    /// recorded late are not missed.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(0..=31))]
    overlap_days: u32,

    /// How rows are written to standard output.
    #[arg(long, value_enum, default_value = "table")]
    format: FormatArg,

    /// The format to ask the API for.
    #[arg(long, value_enum, default_value = "json")]
    accept: AcceptArg,

    /// The language of the server's messages (`Accept-Language`). Default: the server's,
    /// Korean.
    #[arg(long, value_enum)]
    lang: Option<LangArg>,

    /// Windows read at the same time.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=32))]
    concurrency: u32,

    /// The longest one request may take, in seconds.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout_secs: u64,

    /// Retries of a window after a rate limit (honouring Retry-After), unavailability or
    /// a lost connection. Refused requests are never retried.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(0..=20))]
    retries: u32,
}

impl Command {
    /// The groups of settings this command takes, for the settings file to fill in.
    fn settings(&mut self) -> (Option<&mut DatabaseArgs>, Option<&mut HttpArgs>) {
        match self {
            Command::Serve(args) => (Some(&mut args.database), Some(&mut args.http)),
            Command::Demo(args) => (None, Some(&mut args.http)),
            Command::Config(ConfigCommand::Show { database, http }) => (Some(database), Some(http)),
            Command::Migrate(database)
            | Command::Vendor(
                VendorCommand::Add { database, .. } | VendorCommand::List { database },
            )
            | Command::Key(
                KeyCommand::Issue { database, .. }
                | KeyCommand::Revoke { database, .. }
                | KeyCommand::List { database, .. },
            )
            | Command::Token(
                TokenCommand::Create { database, .. }
                | TokenCommand::List { database }
                | TokenCommand::Revoke { database, .. },
            )
            | Command::Order(
                OrderCommand::Import { database, .. } | OrderCommand::Show { database, .. },
            )
            | Command::Cancel(CancelArgs { database, .. })
            | Command::Ship(ShipArgs { database, .. }) => (Some(database), None),
            Command::Cancels(_) => (None, None),
        }
    }
}

async fn run(cli: Cli, effective: settings::Effective) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve::run(args).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Migrate(database) => admin::migrate(&database).await,
        Command::Vendor(command) => admin::vendor(command).await,
        Command::Key(command) => admin::key(command).await,
        Command::Token(command) => orders::token(command).await,
        Command::Order(command) => orders::order(command).await,
        Command::Cancel(args) => orders::cancel(args).await,
        Command::Ship(args) => orders::ship(args).await,
        Command::Cancels(args) => cancels::run(args).await,
        Command::Config(ConfigCommand::Show { .. }) => {
            print!("{}", settings::render(&effective));
            Ok(())
        }
    }
}

/// Parses the command line, then layers the settings file under it.
fn settings() -> anyhow::Result<(Cli, LogSettings, settings::Effective)> {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    let mut log = LogSettings {
        filter: cli.log.clone(),
        format: cli.log_format,
    };
    let config = cli.config.clone();
    let (database, http) = cli.command.settings();
    let effective = settings::apply(&matches, config.as_deref(), &mut log, database, http)?;
    Ok((cli, log, effective))
}

fn main() -> ExitCode {
    let (cli, log, effective) = match settings() {
        Ok(parsed) => parsed,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::from(2);
        }
    };
    if let Err(err) = logging::init(&log) {
        eprintln!("error: {err:#}");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, effective)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    /// `config show` names a setting's variable as `SSG_CLAIMS_` and its argument's id in
    /// capitals; every argument read from the environment follows that rule.
    #[test]
    fn environment_variables_follow_the_argument_names() {
        fn walk(command: &clap::Command) {
            for arg in command.get_arguments() {
                if let Some(env) = arg.get_env() {
                    let expected =
                        format!("SSG_CLAIMS_{}", arg.get_id().as_str().to_ascii_uppercase());
                    assert_eq!(env.to_str(), Some(expected.as_str()));
                }
            }
            command.get_subcommands().for_each(walk);
        }
        walk(&Cli::command());
    }
}
