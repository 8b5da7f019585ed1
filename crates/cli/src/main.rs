//! `ssg-claims`: the one binary of the service.
//!
//! Invariant: this crate is the composition root. It reads settings (flags, then
//! `SSG_CLAIMS_*` environment variables, then defaults), opens the store, wires the server
//! and prints results; it holds no rule of its own.

mod admin;
mod cancels;
mod database;
mod demo;
mod orders;
mod serve;

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

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

    /// Log filter, in tracing's syntax: `info`, `debug`, `claims_server=debug,info`.
    #[arg(long, env = "SSG_CLAIMS_LOG", default_value = "info", global = true)]
    log: String,
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
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
struct DatabaseArgs {
    /// The database: a SQLite file path (created if missing), `sqlite://PATH`, or a
    /// PostgreSQL URL `postgres://user:password@host:port/dbname`.
    #[arg(long, env = "SSG_CLAIMS_DATABASE", default_value = "ssg-claims.db")]
    database: String,

    /// PostgreSQL: connections this process keeps at most.
    #[arg(long, env = "SSG_CLAIMS_DB_POOL_SIZE", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1000))]
    db_pool_size: u32,

    /// PostgreSQL: the longest one database call may take, in milliseconds, before the
    /// request is answered as unavailable (503).
    #[arg(long, env = "SSG_CLAIMS_DB_TIMEOUT_MS", default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    db_timeout_ms: u64,
}

/// How the vendor API answers errors.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum ErrorsArg {
    /// Each result code with its own HTTP status.
    Http,
    /// Every error with HTTP 500, as SSG does.
    Ssg,
}

#[derive(Debug, Clone, Args)]
struct HttpArgs {
    /// The address to listen on.
    #[arg(long, env = "SSG_CLAIMS_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,

    /// How errors are answered: with their own HTTP status, or all with 500 like SSG.
    #[arg(long, env = "SSG_CLAIMS_ERRORS", value_enum, default_value = "http")]
    errors: ErrorsArg,

    /// The most rows one inquiry may answer; more is result code 16.
    #[arg(long, env = "SSG_CLAIMS_MAX_ROWS", default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..))]
    max_rows: u32,
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
    key_file: Option<std::path::PathBuf>,

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
    since_last: Option<std::path::PathBuf>,

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

impl HttpArgs {
    fn config(&self) -> claims_server::Config {
        claims_server::Config {
            errors: match self.errors {
                ErrorsArg::Http => claims_server::ErrorStyle::Http,
                ErrorsArg::Ssg => claims_server::ErrorStyle::Ssg,
            },
            max_rows: self.max_rows as usize,
            ..claims_server::Config::default()
        }
    }
}

fn init_logging(filter: &str) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .map_err(|err| anyhow::anyhow!("--log {filter:?} is not a valid log filter: {err}"))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<()> {
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
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(err) = init_logging(&cli.log) {
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
    match runtime.block_on(run(cli)) {
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
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
