//! `claims-bench`: load a dataset, show query plans, and measure the service against the
//! raw database limit.

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use claims_bench::dataset::Plan;
use claims_bench::load::{Target, load};
use claims_bench::run::{self, Settings};
use claims_bench::scenarios;
use claims_bench::server::default_binary;

#[derive(Debug, Parser)]
#[command(name = "claims-bench", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct DataArgs {
    /// The store: a SQLite file path or a postgres:// URL. An empty store is loaded first.
    #[arg(long)]
    database: String,
    /// Orders in the dataset (about 1.5 items and 0.11 claim lines each).
    #[arg(long, default_value_t = 10_000_000)]
    orders: u64,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load the dataset into an empty store through its bulk path.
    Load(DataArgs),
    /// Print the query plans of the inquiry's statements on a loaded store.
    Explain(DataArgs),
    /// Load each store if it is empty, then measure every scenario over HTTP against
    /// `ssg-claims serve` and the raw limit of the same statements.
    Run(RunArgs),
    /// Measure how soon a webhook receiver hears of a write, and how fast the change feed
    /// reads (a vendor of the run's own is added to each store).
    Events(EventsArgs),
    /// Measure the sandbox's own cost per vendor call: the same inquiry on a node with and
    /// without a sandbox's recording, in this process, one call at a time.
    Sandbox(SandboxArgs),
}

#[derive(Debug, Args)]
struct SandboxArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Inquiries measured on each node.
    #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    calls: u64,
}

#[derive(Debug, Args)]
struct EventsArgs {
    /// A store to measure (repeat for several): a SQLite file path or a postgres:// URL.
    #[arg(long = "database", required = true)]
    databases: Vec<String>,
    /// Orders placed per second while deliveries are timed.
    #[arg(long, default_value_t = 50.0)]
    rate: f64,
    /// Seconds the paced writes last.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=600))]
    seconds: u64,
    /// Full reads of the vendor's feed measured.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=1000))]
    reads: u64,
    /// The ssg-claims binary to run (default: the one next to this program).
    #[arg(long)]
    server_bin: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// A store to measure (repeat for several): a SQLite file path or a postgres:// URL.
    #[arg(long = "database", required = true)]
    databases: Vec<String>,
    /// Orders in the dataset.
    #[arg(long, default_value_t = 10_000_000)]
    orders: u64,
    /// Seconds each scenario runs.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    seconds: u64,
    /// Concurrent clients (and raw workers).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=256))]
    concurrency: u64,
    /// The ssg-claims binary to run (default: the one next to this program).
    #[arg(long)]
    server_bin: Option<std::path::PathBuf>,
    /// Run only these scenarios: raw, json, xml, paced, original, lower, cancel, rows, kept,
    /// poll, stream, lists.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Load(args) => {
            let target = Target::open(&args.database, 4).await?;
            let plan = Plan::new(args.orders);
            let report = load(&target, &plan, 50_000, true).await?;
            println!(
                "{}: loaded {} orders, {} items, {} claim lines in {:.1} s ({:.0} orders/s)",
                target.name(),
                report.orders,
                report.items,
                report.claim_lines,
                report.elapsed.as_secs_f64(),
                report.orders_per_second()
            );
        }
        Command::Run(args) => {
            let settings = Settings {
                orders: args.orders,
                seconds: args.seconds,
                concurrency: args.concurrency as usize,
                server_binary: match args.server_bin {
                    Some(path) => path,
                    None => default_binary()?,
                },
                only: args.only,
            };
            let mut reports = Vec::new();
            for database in &args.databases {
                reports.push(run::run(database, &settings).await?);
            }
            print!("{}", run::render(&reports, &settings));
        }
        Command::Sandbox(args) => {
            let target = Target::open(&args.data.database, 4).await?;
            let plan = Plan::new(args.data.orders);
            load(&target, &plan, 50_000, true).await?;
            let found = claims_bench::sandbox::overhead(
                &target,
                &plan,
                args.calls,
                std::time::Duration::from_secs(300),
            )
            .await?;
            println!(
                "{} at {} orders\n\n{}",
                target.name(),
                args.data.orders,
                found.table()
            );
        }
        Command::Events(args) => {
            if !(0.1..=2_000.0).contains(&args.rate) {
                anyhow::bail!("--rate must be from 0.1 to 2000 orders per second");
            }
            let settings = claims_bench::events::EventsSettings {
                rate: args.rate,
                seconds: args.seconds,
                reads: args.reads as usize,
            };
            let binary = match args.server_bin {
                Some(path) => path,
                None => default_binary()?,
            };
            let mut reports = Vec::new();
            for database in &args.databases {
                reports.push(claims_bench::events::run(&binary, database, &settings).await?);
            }
            print!("{}", claims_bench::events::render(&reports, &settings));
        }
        Command::Explain(args) => {
            let target = Target::open(&args.database, 4).await?;
            let plan = Plan::new(args.orders);
            let mut inquiries = vec![
                scenarios::period(&plan, 123),
                scenarios::lower_rank(&plan),
                scenarios::lower_rank_of_large_parent(&plan),
            ];
            inquiries.extend(scenarios::originals(&target, 1).await?);
            print!("{}", scenarios::explain(&target, &inquiries).await?);
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
