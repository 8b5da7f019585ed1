//! `ssg-claims`: the one binary of the service.
//!
//! Invariant: this crate is the composition root. It reads settings (flags, then
//! `SSG_CLAIMS_*` environment variables, then defaults), opens the store, wires the server
//! and prints results; it holds no rule of its own.

/// `println!` for a command's output: when whoever reads it closed the pipe early (`| head`),
/// the command ends quietly, as command-line tools do, instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(error) = writeln!(std::io::stdout(), $($arg)*) {
            $crate::output_failed(error);
        }
    }};
}

mod admin;
mod cancels;
mod database;
mod demo;
mod logging;
mod orders;
mod sandbox;
mod serve;
mod settings;

use std::path::PathBuf;
use std::process::ExitCode;

use claims_server::settings::Settings;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use settings::{DATABASE, Flags, HTTP, LOG};

/// mimalloc rather than the system allocator: the inquiry allocates and frees many small
/// buffers across threads, where glibc's allocator costs measurably more time and memory
/// (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// SSG.com's claims system: the vendor API (`POST /api/clm/cncl/ord/inquiry.ssg` and SSG's
/// shipping, cancel-request, return and exchange calls), the platform API for storefronts and
/// service centers, and the web console for agents, vendors' staff and operators at
/// `/console/`.
#[derive(Debug, Parser)]
#[command(name = "ssg-claims", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// A settings file (TOML). Flags and SSG_CLAIMS_* environment variables override it;
    /// see `ssg-claims config show`.
    #[arg(long, env = "SSG_CLAIMS_CONFIG", global = true, value_name = "PATH")]
    config: Option<PathBuf>,

    /// Log what the command does (info), not only warnings and errors. `serve` and `demo`
    /// log at info anyway; --log sets any filter.
    #[arg(short, long, global = true)]
    verbose: bool,

    #[command(flatten)]
    log: Flags<LOG>,

    #[command(flatten)]
    database: Flags<DATABASE>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the vendor API, the platform API and the console on a database.
    Serve(ServeArgs),
    /// Serve the vendor API, the platform API and the console on a fresh temporary store filled
    /// with realistic demo data, as a sandbox whose clock can be moved; prints keys, tokens,
    /// console users and curls to try.
    Demo(DemoArgs),
    /// Play a marketplace day against your integration on a fresh sandbox, hours in
    /// minutes, and report what it missed: every cancellation, when it reached you, and
    /// each finding (a missed or late cancellation, a coverage gap, an item shipped after
    /// its cancellation, an error not retried…). Exit status 1 when a finding is harmful.
    Sandbox(SandboxArgs),
    /// Create the database or bring its schema up to date, then exit.
    Migrate,
    /// Write a consistent copy of the database while it is in use: SQLite's online copy to
    /// a new file, or pg_dump's custom-format archive for PostgreSQL.
    Backup(BackupArgs),
    /// Register and list vendors.
    #[command(subcommand)]
    Vendor(VendorCommand),
    /// Issue, list and revoke vendor API keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Create, list and remove console users (people who sign in at /console/).
    #[command(subcommand)]
    User(UserCommand),
    /// Create, list and revoke platform API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import and show orders.
    #[command(subcommand)]
    Order(OrderCommand),
    /// Operator: cancel items of an order, as a service-center agent or for a customer.
    Cancel(CancelArgs),
    /// Operator: confirm an item for its vendor (주문확인): it can then be canceled only
    /// through a cancel request.
    Confirm(ConfirmArgs),
    /// Operator: release (ship) the open units of an item for its vendor, rejecting a
    /// pending cancel request; with --waybill, as SSG's calls do it (waybill, then release
    /// of a confirmed item), else in one step.
    Ship(ShipArgs),
    /// Operator: file, withdraw or approve cancel requests for confirmed items.
    #[command(subcommand)]
    CancelRequest(CancelRequestCommand),
    /// Vendor client: read canceled orders for any range from SSG or an ssg-claims server,
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
        settings: Flags<HTTP>,
    },
}

#[derive(Debug, Clone, Args)]
struct BackupArgs {
    /// The file to write; it must not exist yet.
    #[arg(long, value_name = "FILE")]
    to: PathBuf,
}

#[derive(Debug, Clone, Args)]
struct ServeArgs {
    #[command(flatten)]
    settings: Flags<HTTP>,
}

#[derive(Debug, Clone, Args)]
struct DemoArgs {
    #[command(flatten)]
    http: Flags<HTTP>,

    /// How many orders to place over the last 30 days.
    #[arg(long, default_value_t = 3_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    orders: u32,
}

#[derive(Debug, Clone, Args)]
struct SandboxArgs {
    #[command(flatten)]
    http: Flags<HTTP>,

    /// The day to play: a built-in scenario's name (see --list) or a TOML file.
    #[arg(long, value_name = "NAME|FILE", default_value = "marketplace-day")]
    scenario: String,

    /// How fast the sandbox clock runs, in times real time: 1440 plays a day in a minute;
    /// 0 stands still (only POST /v1/sandbox/clock moves it).
    #[arg(long, default_value_t = 1.0)]
    speed: f64,

    /// Run this shell command while the day plays, with SSG_BASE_URL, SSG_API_KEY (and
    /// SSG_API_KEYS when there are several) set; when the day ends or it exits, report and
    /// exit 1 on a harmful finding.
    #[arg(long, value_name = "CMD")]
    run_client: Option<String>,

    /// Write the report here as JSON when the day ends.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,

    /// Describe the built-in scenarios and exit.
    #[arg(long)]
    list: bool,

    /// Print a built-in scenario's file (to copy and change) and exit.
    #[arg(long, value_name = "NAME")]
    print: Option<String>,
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
    },
    /// List the registered vendors.
    List {},
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
    },
    /// Revoke a key at once.
    Revoke {
        /// The key's id, as `key list` shows it (`key_…`).
        key_id: String,
    },
    /// List the keys of a vendor, or of every vendor (ids and scopes; keys themselves are
    /// never stored).
    List {
        /// Only this vendor's keys (`splVenId`).
        #[arg(long)]
        vendor: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token for the platform API. It is printed once, on standard output.
    Create {
        /// admin, storefront or service-center.
        #[arg(long)]
        role: String,
        /// What the token is for, shown by `token list` (e.g. "storefront backend, prod").
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List the tokens (ids and roles; tokens themselves are never stored).
    List {},
    /// Revoke a token at once.
    Revoke {
        /// The token's id, as `token list` shows it (`tok_…`).
        token_id: String,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a console user. The password is read from standard input (one line), never from
    /// the command line.
    Add {
        /// The login: 3 to 64 of a-z, 0-9, '.', '_', '-', '@'. An agent's login is the
        /// agentId their cancellations record.
        #[arg(long)]
        login: String,
        /// admin, service-center or vendor.
        #[arg(long)]
        role: String,
        /// For a vendor user: the vendor (splVenId) they work for.
        #[arg(long)]
        vendor: Option<String>,
        /// For a vendor user: narrow them to one lower-rank vendor (lrnkSplVenId).
        #[arg(long, requires = "vendor")]
        lower_rank: Option<String>,
        /// Read the password from standard input (required: passwords never go on a
        /// command line, where other users of the machine can see them).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List the console users.
    List {},
    /// Remove a console user and end their sessions.
    Remove {
        /// The login.
        login: String,
    },
}

#[derive(Debug, Subcommand)]
enum OrderCommand {
    /// Place the orders of a JSON file (one order, or an array), in the platform API's
    /// format. Importing an identical order again changes nothing.
    Import {
        /// The file, or `-` for standard input.
        file: String,
    },
    /// Show an order: its items, where each stands, and its claims.
    Show {
        /// The order number.
        ord_no: String,
        /// Print the platform API's JSON instead of tables.
        #[arg(long)]
        json: bool,
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
}

/// The vendor an operator acts for.
#[derive(Debug, Clone, Args)]
struct VendorArgs {
    /// The vendor (`splVenId`), which must be the item's.
    #[arg(long)]
    vendor: String,
    /// The lower-rank vendor, for items fulfilled by one.
    #[arg(long)]
    lower_rank: Option<String>,
}

#[derive(Debug, Clone, Args)]
struct ConfirmArgs {
    /// The order number.
    ord_no: String,
    /// The item's sequence number.
    seq: u32,
    #[command(flatten)]
    vendor: VendorArgs,
}

#[derive(Debug, Clone, Args)]
struct ShipArgs {
    /// The order number.
    ord_no: String,
    /// The item's sequence number.
    seq: u32,
    #[command(flatten)]
    vendor: VendorArgs,
    /// Record this waybill first, as CARRIER:NUMBER (`delicoVenId`:`wblNo`), then release
    /// the confirmed item; a pending cancel request makes the waybill release it at once.
    #[arg(long, value_name = "CARRIER:NUMBER")]
    waybill: Option<String>,
}

#[derive(Debug, Subcommand)]
enum CancelRequestCommand {
    /// File a cancel request for confirmed items of an order, as a service-center agent.
    File {
        /// The order number.
        ord_no: String,
        /// An item and how many of its units to cancel, as SEQ:QTY; repeat for several.
        #[arg(long = "item", value_name = "SEQ:QTY", required = true, num_args = 1..)]
        items: Vec<String>,
        /// The claim reason code (`clmRsnCd`): 251, 252, 253, 258, 259 or 260.
        #[arg(long)]
        reason: String,
        /// Free text of the reason (`clmRsnCntt`).
        #[arg(long)]
        text: Option<String>,
        /// The agent who files it.
        #[arg(long)]
        agent: String,
        /// Who is at fault (`imptDivCd`): 10 customer, 20 vendor.
        #[arg(long)]
        fault: Option<String>,
    },
    /// Withdraw what is still pending of a cancel request.
    #[command(group(clap::ArgGroup::new("withdrawer").required(true).args(["agent", "customer"])))]
    Withdraw {
        /// The request's id (creq_…).
        request_id: String,
        /// Withdraw as this service-center agent.
        #[arg(long)]
        agent: Option<String>,
        /// Withdraw for this customer (who must have placed the order).
        #[arg(long)]
        customer: Option<String>,
    },
    /// Approve the pending cancel request line of an item, for its vendor: the cancellation
    /// takes effect now, as a claim.
    Approve {
        /// The original order number.
        ord_no: String,
        /// The item's sequence number.
        seq: u32,
        #[command(flatten)]
        vendor: VendorArgs,
    },
}

/// How `cancels` writes rows.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    /// Aligned columns for reading.
    Table,
    /// Every field, one line per cost line; ready for Excel (UTF-8 byte-order mark, Korean
    /// headings) unless --plain.
    Csv,
    /// An Excel workbook (redirect standard output to a .xlsx file).
    Xlsx,
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

    /// With --since-last: keep running, and write each new cancellation's rows as it
    /// happens (from the change feed, long-polled), keeping the feed's cursor in the state
    /// file so that a restart resumes without a gap or a repeat. Needs an ssg-claims server.
    #[arg(long, requires = "since_last")]
    follow: bool,

    /// With --since-last: days before the end of the last run to read again, so that rows
    /// recorded late are not missed.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(0..=31))]
    overlap_days: u32,

    /// How rows are written to standard output.
    #[arg(long, value_enum, default_value = "table")]
    format: FormatArg,

    /// With --format csv: for tools rather than Excel — the API's field names as headings
    /// (`cstInfo.*` for cost lines), and no byte-order mark.
    #[arg(long)]
    plain: bool,

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

async fn run(cli: Cli, settings: Settings, effective: settings::Effective) -> anyhow::Result<()> {
    let settings = &settings;
    match cli.command {
        Command::Serve(_) => serve::run(settings).await,
        Command::Demo(args) => demo::run(args, settings, &effective).await,
        Command::Sandbox(args) => sandbox::run(args, settings, &effective).await,
        Command::Migrate => admin::migrate(settings).await,
        Command::Backup(args) => admin::backup(&args.to, settings).await,
        Command::Vendor(command) => admin::vendor(command, settings).await,
        Command::Key(command) => admin::key(command, settings).await,
        Command::Token(command) => admin::token(command, settings).await,
        Command::User(command) => admin::user(command, settings).await,
        Command::Order(command) => orders::order(command, settings).await,
        Command::Cancel(args) => orders::cancel(args, settings).await,
        Command::Confirm(args) => orders::confirm(args, settings).await,
        Command::Ship(args) => orders::ship(args, settings).await,
        Command::CancelRequest(command) => orders::cancel_request(command, settings).await,
        Command::Cancels(args) => cancels::run(args).await,
        Command::Config(ConfigCommand::Show { .. }) => {
            print!("{}", settings::render(&effective));
            Ok(())
        }
    }
}

/// Parses the command line, then layers the settings file under it.
fn parse() -> anyhow::Result<(Cli, Settings, settings::Effective)> {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    let (settings, effective) = settings::resolve(&matches, cli.config.as_deref())?;
    Ok((cli, settings, effective))
}

/// Ends the process after its output could not be written: quietly when the reader is gone
/// (a broken pipe), else saying why.
fn output_failed(error: std::io::Error) -> ! {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("error: cannot write the output: {error}");
    std::process::exit(1);
}

fn main() -> ExitCode {
    let (cli, settings, effective) = match parse() {
        Ok(parsed) => parsed,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::from(2);
        }
    };
    let mut settings = settings;
    // The server logs what it does; other commands print their result and log only
    // warnings and errors, unless asked (-v) or given a filter.
    let log_given = effective
        .shown
        .iter()
        .any(|shown| shown.key == "log.filter" && shown.source != settings::Source::Default);
    let quiet = !cli.verbose
        && !matches!(
            cli.command,
            Command::Serve(_) | Command::Demo(_) | Command::Sandbox(_)
        );
    if quiet && !log_given {
        settings.log = "warn".into();
    }
    if let Err(err) = logging::init(&settings) {
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
    let result = runtime.block_on(async {
        let result = run(cli, settings, effective).await;
        database::close_all().await;
        result
    });
    match result {
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
    fn the_readme_names_every_code_as_the_domain_does() {
        use claims_domain::{Fault, LineStatus, MediaCode, ReasonCode, ShippingStatus};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
        let rows = MediaCode::ALL
            .iter()
            .map(|c| (c.code(), c.name(), c.english()))
            .chain(
                ReasonCode::ALL
                    .iter()
                    .map(|c| (c.code(), c.name(), c.english())),
            )
            .chain(Fault::ALL.iter().map(|c| (c.code(), c.name(), c.english())));
        for (code, name, english) in rows {
            let row = format!("| `{code}` | {name} | {english} |");
            assert!(readme.contains(&row), "the README's code tables lack {row}");
        }
        for status in ShippingStatus::ALL {
            let row = format!("| `{}` | {} |", status.code(), status.name());
            assert!(readme.contains(&row), "{row}");
        }
        for status in LineStatus::ALL {
            let row = format!("| `{}` | {} |", status.code(), status.name());
            assert!(readme.contains(&row), "{row}");
        }
    }

    #[test]
    fn the_readme_the_sample_file_and_config_show_list_every_declared_setting() {
        use claims_server::settings::SETTINGS;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let declared: Vec<String> = SETTINGS.iter().map(|s| s.key.to_owned()).collect();

        // The README's table: description, key, flag, variable, default — each as declared.
        let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
        let table_start = readme.find("| setting | file key |").unwrap();
        let table: &str = readme[table_start..].split("\n\n").next().unwrap();
        let rows: Vec<Vec<String>> = table
            .lines()
            .skip(2)
            .map(|line| {
                line.trim_matches('|')
                    .split(" | ")
                    .map(|cell| cell.trim().to_owned())
                    .collect()
            })
            .collect();
        let in_readme: Vec<String> = rows
            .iter()
            .map(|row| row[1].trim_matches('`').to_owned())
            .collect();
        assert_eq!(in_readme, declared, "the README's table, in order");
        for (row, setting) in rows.iter().zip(SETTINGS) {
            assert!(
                row[2].starts_with(&format!("`--{}", setting.flag())),
                "{}: flag {}",
                setting.key,
                row[2]
            );
            assert_eq!(row[3], format!("`{}`", setting.env()), "{}", setting.key);
            assert_eq!(
                row[4],
                format!("`{}`", setting.default_toml().trim_matches('"')),
                "{}: default",
                setting.key
            );
        }

        // The sample settings file sets every one of them.
        let sample = std::fs::read_to_string(root.join("deploy/config.toml")).unwrap();
        let table: toml::Table = toml::from_str(&sample).unwrap();
        let mut in_sample: Vec<String> = table
            .iter()
            .flat_map(|(section, keys)| {
                keys.as_table()
                    .unwrap()
                    .keys()
                    .map(move |key| format!("{section}.{key}"))
            })
            .collect();
        let mut sorted = declared.clone();
        in_sample.sort();
        sorted.sort();
        assert_eq!(in_sample, sorted, "deploy/config.toml");

        // `config show`, in order.
        let matches = Cli::command().get_matches_from(["ssg-claims", "config", "show"]);
        let (_, effective) = settings::resolve(&matches, None).unwrap();
        let rendered = settings::render(&effective);
        let mut section = "";
        let mut shown = Vec::new();
        for line in rendered.lines() {
            if let Some(name) = line.strip_prefix('[') {
                section = name.trim_end_matches(']');
            } else if let Some((key, _)) = line.split_once(" = ") {
                shown.push(format!("{section}.{key}"));
            }
        }
        assert_eq!(shown, declared, "config show");
    }

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
