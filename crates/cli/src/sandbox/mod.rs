//! `ssg-claims sandbox`: a fresh store, a marketplace day played against an integration on
//! the sandbox clock, and the report of what it missed.
//!
//! It starts like `demo` (a temporary SQLite store, `sandbox = true`, insecure webhook
//! targets allowed), registers the scenario's vendors with a key each and the sandbox's
//! tokens and console users, starts the clock at the scenario's start and speed, and plays
//! the steps (`player`) while serving. With `--run-client` the integrator's command runs
//! beside it (under libfaketime when its clock must differ from the real one); when the day
//! ends, or the command exits, the report is written and summed up, and the exit status is
//! 1 when it holds a harmful finding.

pub mod player;
pub mod scenario;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use claims_domain::order::rules;
use claims_domain::{ClockAnchor, KstDateTime, Scope, Text, VendorId};
use claims_server::app::sandbox::hooks::Hooks;
use claims_server::app::sandbox::report::{self, Report};
use claims_server::app::sandbox::truth;
use claims_server::credentials::{Secret, issue_api_key, issue_token};
use claims_server::settings::Settings;
use claims_server::{AppState, Clock, INQUIRY_PATH, SandboxClock, SystemClock, real_ms, router};
use claims_store::{NewVendor, Role, Store};

use crate::SandboxArgs;
use crate::serve::{Shutdown, bind, run_node};
use crate::settings::Effective;
use player::{Player, Tokens};
use scenario::{BUILT_IN, Scenario};

/// The vendors a scenario without `[[vendor]]` plays with: the demo's.
const DEFAULT_VENDORS: &[(&str, &str, Option<&str>)] = &[
    ("0000012345", "(주)한빛유통", None),
    ("0000012346", "한빛유통 신선센터", Some("0000012345")),
    ("0000023456", "바른생활가전", None),
];

/// The fastest clock a sandbox runs (a year in under six minutes).
const MAX_SPEED: f64 = 100_000.0;

pub async fn run(
    args: SandboxArgs,
    settings: &Settings,
    effective: &Effective,
) -> anyhow::Result<()> {
    if args.list {
        print!("{}", list());
        return Ok(());
    }
    if let Some(name) = &args.print {
        let (_, _, text) = BUILT_IN
            .iter()
            .find(|(built_in, ..)| built_in == name)
            .with_context(|| {
                format!("there is no built-in scenario {name:?}; --list names them")
            })?;
        print!("{text}");
        return Ok(());
    }
    // Everything the day needs is checked before it starts.
    let scenario = Scenario::load(&args.scenario)
        .map_err(|invalid| anyhow::anyhow!("the scenario cannot be played: {invalid}"))?;
    if !args.speed.is_finite() || !(0.0..=MAX_SPEED).contains(&args.speed) {
        anyhow::bail!(
            "--speed must be a number from 0 to {MAX_SPEED}, got {}",
            args.speed
        );
    }
    let speed_milli = (args.speed * 1000.0).round() as u32;
    if let Some(report) = &args.report {
        check_writable(report)?;
    }
    let settings = &crate::demo::sandbox_defaults(settings, effective);
    let listener = bind(settings.listen).await?;
    let address = listener.local_addr()?;
    let (dir, store) = crate::demo::temporary_store("ssg-claims-sandbox-").await?;

    let real_now = SystemClock.now();
    let start = scenario.start.unwrap_or(real_now);
    let end = scenario.end(start);
    let vendors = register_vendors(&*store, &scenario, real_now).await?;
    let mut keys = Vec::new();
    for (id, name, parent) in &vendors {
        let scope = match parent {
            Some(parent) => Scope {
                vendor: parent.clone(),
                lower_rank: Some(id.clone()),
            },
            None => Scope {
                vendor: id.clone(),
                lower_rank: None,
            },
        };
        let (_, secret) = issue_api_key(&*store, scope, real_now).await?;
        keys.push((id.clone(), name.clone(), parent.clone(), secret));
    }
    let mut tokens = Vec::new();
    for role in [Role::Storefront, Role::ServiceCenter, Role::Admin] {
        let label = Text::parse("label", "sandbox", rules::LABEL).expect("a valid label");
        tokens.push(issue_token(&*store, role, label, real_now).await?.1);
    }
    let users = crate::demo::console_users(&*store, real_now, &console_people(&vendors)).await?;

    let anchor = store
        .start_sandbox_clock(ClockAnchor {
            real_ms: real_ms(),
            at: start,
            speed_milli,
        })
        .await?;
    let (hooks, heard) = Hooks::new();
    let hooks = Arc::new(hooks);
    let state = AppState::new(Arc::clone(&store), settings.config())
        .with_sandbox(SandboxClock::new(anchor))
        .with_scenario(Arc::clone(&hooks));
    let player = Player {
        app: state.clone(),
        router: router(state.clone()),
        tokens: Tokens {
            storefront: tokens[0].expose().to_owned(),
            service_center: tokens[1].expose().to_owned(),
            admin: tokens[2].expose().to_owned(),
        },
        scenario: scenario.clone(),
        start,
        end,
        speed_milli,
    };

    // The day starts before anyone is told where to call: the steps due at the start have
    // run and the player stands ready for the clock's first move.
    let day = tokio::spawn(player.play(heard));
    if !hooks.caught_up(start).await {
        eprintln!(
            "warning: the scenario's player was slow to start; the first steps may come late"
        );
    }
    let shutdown = Shutdown::listen()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let stop_serving = async move {
        tokio::select! {
            () = shutdown.signalled() => {},
            _ = stopped => {},
        }
    };
    // Whoever reads the banner may stop reading once it has what it wants: the sandbox
    // plays on rather than dying on a closed pipe.
    let _ = writeln!(
        std::io::stdout(),
        "{}",
        banner(
            address, &scenario, start, end, args.speed, &keys, &tokens, &users
        )
    );
    let server = {
        let state = state.clone();
        let settings = settings.clone();
        tokio::spawn(async move { run_node(stop_serving, listener, state, &settings).await })
    };

    let base = format!("http://{address}");
    let reported: Vec<VendorId> = keys
        .iter()
        .map(|(id, _, parent, _)| parent.clone().unwrap_or_else(|| id.clone()))
        .fold(Vec::new(), |mut seen, id| {
            if !seen.contains(&id) {
                seen.push(id);
            }
            seen
        });
    match &args.run_client {
        Some(command) => {
            let secrets: Vec<&str> = keys.iter().map(|(.., secret)| secret.expose()).collect();
            let mut child = spawn_client(command, &base, &secrets, &state, speed_milli)?;
            tokio::select! {
                played = day => {
                    stop_client(&mut child).await;
                    let status = child.wait().await;
                    if let Ok(played) = played {
                        eprintln!(
                            "The day is over: {} steps ran ({} refused), {} never came; the client was stopped ({}).",
                            played.ran, played.refused, played.left, describe(status)
                        );
                    }
                }
                status = child.wait() => {
                    eprintln!("The client ended ({}) before the day did; reporting now.", describe(status));
                }
            }
            let harmful = report_all(&state, &reported, args.report.as_deref()).await?;
            let _ = stop.send(());
            let _ = server.await;
            drop(dir);
            if harmful > 0 {
                anyhow::bail!(
                    "the report holds {harmful} harmful finding{}",
                    if harmful == 1 { "" } else { "s" }
                );
            }
            Ok(())
        }
        None => {
            let mut server = server;
            tokio::select! {
                played = day => {
                    if let Ok(played) = played {
                        eprintln!(
                            "The day is over: {} steps ran ({} refused), {} never came.",
                            played.ran, played.refused, played.left
                        );
                    }
                    report_all(&state, &reported, args.report.as_deref()).await?;
                    // The day is over: the clock runs on at real speed, so that the console's
                    // sessions and the report's "now" behave as people expect.
                    if speed_milli != 1000 {
                        slow_down(&state).await;
                    }
                    eprintln!("Still serving (the report stays at {base}/v1/sandbox/report and {base}/console/sandbox); Ctrl-C ends the sandbox.");
                    let _ = (&mut server).await;
                }
                _ = &mut server => {
                    eprintln!("Stopped before the day was over.");
                }
            }
            drop(stop);
            drop(dir);
            Ok(())
        }
    }
}

/// Sets the sandbox clock to run at real speed from where it stands.
async fn slow_down(state: &AppState) {
    let start = ClockAnchor {
        real_ms: real_ms(),
        at: SystemClock.now(),
        speed_milli: 1000,
    };
    match state
        .store
        .move_sandbox_clock(claims_domain::ClockMove::Speed(1000), real_ms(), start)
        .await
    {
        Ok(moved) => {
            if let Some(clock) = &state.sandbox {
                clock.follow(moved.to);
            }
            eprintln!(
                "The clock stands at {} and runs at real speed from now on.",
                moved.to.at
            );
        }
        Err(error) => eprintln!("warning: the clock could not be slowed to real speed: {error}"),
    }
}

fn describe(status: std::io::Result<std::process::ExitStatus>) -> String {
    match status {
        Ok(status) => status.to_string(),
        Err(error) => format!("its status could not be read: {error}"),
    }
}

/// The built-in scenarios, described.
fn list() -> String {
    let mut out = String::from(
        "Built-in scenarios (print one with --print NAME, change it, play it with --scenario FILE):\n\n",
    );
    for (name, about, _) in BUILT_IN {
        let _ = writeln!(out, "  {name:<16} {about}");
    }
    out
}

/// Refuses a report path whose directory does not exist, before the day starts.
fn check_writable(path: &Path) -> anyhow::Result<()> {
    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty());
    if let Some(dir) = dir
        && !dir.is_dir()
    {
        anyhow::bail!(
            "--report {}: the directory {} does not exist",
            path.display(),
            dir.display()
        );
    }
    Ok(())
}

/// Registers the scenario's vendors (or the demo's): (id, name, parent).
async fn register_vendors(
    store: &dyn Store,
    scenario: &Scenario,
    now: KstDateTime,
) -> anyhow::Result<Vec<(VendorId, String, Option<VendorId>)>> {
    let vendors: Vec<(VendorId, String, Option<VendorId>)> = if scenario.vendors.is_empty() {
        DEFAULT_VENDORS
            .iter()
            .map(|(id, name, parent)| {
                (
                    VendorId::parse("splVenId", id).expect("valid"),
                    (*name).to_owned(),
                    parent.map(|p| VendorId::parse("parent", p).expect("valid")),
                )
            })
            .collect()
    } else {
        scenario
            .vendors
            .iter()
            .map(|vendor| {
                (
                    vendor.id.clone(),
                    vendor.name.clone(),
                    vendor.parent.clone(),
                )
            })
            .collect()
    };
    // Parents first, so that a lower-rank vendor finds its parent.
    let mut ordered: Vec<_> = vendors
        .iter()
        .filter(|(.., parent)| parent.is_none())
        .collect();
    ordered.extend(vendors.iter().filter(|(.., parent)| parent.is_some()));
    for (id, name, parent) in ordered {
        let vendor = NewVendor {
            id: id.clone(),
            name: Text::parse("name", name, rules::ORDERER_NAME)
                .map_err(|invalid| anyhow::anyhow!("vendor {id}: {invalid}"))?,
            parent: parent.clone(),
        };
        store
            .add_vendor(vendor, now)
            .await
            .with_context(|| format!("vendor {id} could not be registered"))?;
    }
    Ok(vendors)
}

/// The console users: an operator, an agent, and the staff of each top-level vendor.
fn console_people(
    vendors: &[(VendorId, String, Option<VendorId>)],
) -> Vec<(String, String, claims_store::UserRole)> {
    let mut people = vec![
        (
            "admin".to_owned(),
            "operator".to_owned(),
            claims_store::UserRole::Admin,
        ),
        (
            "agent.kim".to_owned(),
            "service-center agent".to_owned(),
            claims_store::UserRole::ServiceCenter,
        ),
    ];
    for (id, name, parent) in vendors {
        if parent.is_none() {
            people.push((
                format!("vendor.{id}"),
                format!("staff of {id} {name}"),
                claims_store::UserRole::Vendor(Scope {
                    vendor: id.clone(),
                    lower_rank: None,
                }),
            ));
        }
    }
    people
}

/// Runs the integrator's command with the sandbox's address and keys, its clock set to
/// the sandbox's (libfaketime) when that differs from the real one.
fn spawn_client(
    command: &str,
    base: &str,
    keys: &[&str],
    state: &AppState,
    speed_milli: u32,
) -> anyhow::Result<tokio::process::Child> {
    let now = state.clock.now();
    let offset = now.unix_seconds() - SystemClock.now().unix_seconds();
    let real = offset.abs() < 2 && speed_milli == 1000;
    let mut child = if real {
        tokio::process::Command::new("sh")
    } else {
        match faketime() {
            Some(faketime) => {
                let spec = if speed_milli == 0 {
                    // The clock stands until it is moved: the client's too.
                    now.to_wire()
                } else {
                    format!(
                        "{}{} x{}",
                        if offset < 0 { "-" } else { "+" },
                        offset.abs(),
                        f64::from(speed_milli) / 1000.0
                    )
                };
                eprintln!(
                    "The client runs under libfaketime ({spec:?}, TZ=Asia/Seoul), so its clock shows sandbox time."
                );
                let mut faked = tokio::process::Command::new(faketime);
                faked.arg("-f").arg(spec).arg("sh");
                faked
            }
            None => {
                eprintln!(
                    "warning: faketime is not installed (Debian: apt-get install faketime), so the client's clock shows the real time while the sandbox shows {now}; a client that takes \"today\" from its own clock will ask for the wrong days. It can read the sandbox's time from GET /v1/sandbox/clock or any answer's Date header."
                );
                tokio::process::Command::new("sh")
            }
        }
    };
    child
        .arg("-c")
        .arg(command)
        .env("SSG_BASE_URL", base)
        .env("SSG_API_KEY", keys.first().copied().unwrap_or(""))
        .env("TZ", "Asia/Seoul")
        .kill_on_drop(true);
    // Its own process group, so that the whole command (a shell, libfaketime's wrapper, what
    // they start) is stopped with it.
    #[cfg(unix)]
    child.process_group(0);
    if keys.len() > 1 {
        child.env("SSG_API_KEYS", keys.join(" "));
    }
    child
        .spawn()
        .with_context(|| format!("the client command could not be started: {command}"))
}

/// Stops the client's whole process group: SIGTERM, then SIGKILL after two seconds.
async fn stop_client(child: &mut tokio::process::Child) {
    #[cfg(unix)]
    if let Some(pid) = child.id() {
        let group = format!("-{pid}");
        let signal = |name: &str| {
            std::process::Command::new("kill")
                .args([name, "--", &group])
                .stderr(std::process::Stdio::null())
                .status()
        };
        let _ = signal("-TERM");
        if tokio::time::timeout(std::time::Duration::from_secs(2), child.wait())
            .await
            .is_ok()
        {
            return;
        }
        let _ = signal("-KILL");
    }
    let _ = child.start_kill();
}

/// The `faketime` wrapper, if installed.
fn faketime() -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("faketime"))
            .find(|path| path.is_file())
    })
}

/// Reports on every vendor: prints each summary, writes the file; the number of harmful
/// findings.
async fn report_all(
    state: &AppState,
    vendors: &[VendorId],
    file: Option<&Path>,
) -> anyhow::Result<usize> {
    let mut reports = Vec::new();
    for vendor in vendors {
        let facts = truth::facts(state, vendor, &[]).await?;
        reports.push(report::report(&facts));
    }
    for report in &reports {
        eprint!("{}", summary(report));
    }
    if let Some(file) = file {
        let json = if reports.len() == 1 {
            serde_json::to_vec_pretty(&reports[0])
        } else {
            serde_json::to_vec_pretty(&reports)
        }?;
        std::fs::write(file, json)
            .with_context(|| format!("the report could not be written to {}", file.display()))?;
        eprintln!("The report is in {}.", file.display());
    }
    Ok(reports.iter().map(|report| report.summary.harmful).sum())
}

/// A report in a few lines.
pub fn summary(report: &Report) -> String {
    let s = &report.summary;
    let lag = |secs: Option<i64>| secs.map_or_else(|| "-".to_owned(), |secs| format!("{secs} s"));
    let mut out = format!(
        "\nVendor {}: {} cancellations, {} received, {} missed; lag median {}, max {}; {} harmful finding{}.\n",
        report.vendor,
        s.cancellations,
        s.received,
        s.missed,
        lag(s.median_lag_seconds),
        lag(s.max_lag_seconds),
        s.harmful,
        if s.harmful == 1 { "" } else { "s" }
    );
    for finding in &report.findings {
        let _ = writeln!(
            out,
            "  {} {:<20} {}  {}",
            if finding.harmful { "✗" } else { "·" },
            finding.kind,
            finding.at,
            finding.detail
        );
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn banner(
    address: std::net::SocketAddr,
    scenario: &Scenario,
    start: KstDateTime,
    end: KstDateTime,
    speed: f64,
    keys: &[(VendorId, String, Option<VendorId>, Secret)],
    tokens: &[Secret],
    users: &[(String, String, String)],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nssg-claims sandbox is playing {:?} at http://{address}\n  the day: {start} to {end} (KST, sandbox time), at {speed}x real time{}\n",
        scenario.name,
        if speed == 0.0 {
            " (the clock moves only when POST /v1/sandbox/clock moves it)"
        } else {
            ""
        }
    );
    let _ = writeln!(out, "API keys (this sandbox only):");
    for (id, name, parent, secret) in keys {
        let scope = parent
            .as_ref()
            .map_or_else(|| id.to_string(), |p| format!("{p}/{id}"));
        let _ = writeln!(out, "  {scope:<22} {}  {name}", secret.expose());
    }
    let _ = writeln!(
        out,
        "\nPlatform tokens: storefront {}  service-center {}  admin {}",
        tokens[0].expose(),
        tokens[1].expose(),
        tokens[2].expose()
    );
    let _ = writeln!(
        out,
        "\nConsole users at http://{address}/console/ (passwords shown once):"
    );
    for (login, what, password) in users {
        let _ = writeln!(out, "  {login:<22} {password}  {what}");
    }
    let key = keys.first().map_or("", |(.., secret)| secret.expose());
    let _ = writeln!(
        out,
        "\nThe vendor API: POST http://{address}{INQUIRY_PATH} (and every SSG call beside it).\nThe sandbox's time: curl -sS http://{address}/v1/sandbox/clock -H 'Authorization: Bearer {key}'\nThe report so far: curl -sS http://{address}/v1/sandbox/report -H 'Authorization: Bearer {key}'\n"
    );
    out
}
