//! The service under test, run as its own process (`ssg-claims serve`) so that its memory
//! can be read apart from the load generator's.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};

/// The kernel's clock ticks per second for `/proc/*/stat` (USER_HZ, 100 on Linux).
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

/// A running `ssg-claims serve`, killed when dropped.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    pub address: SocketAddr,
}

/// The `ssg-claims` binary next to this one (both are built into the same target folder).
pub fn default_binary() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe().context("cannot find this program's path")?;
    let binary = me.with_file_name("ssg-claims");
    if !binary.exists() {
        bail!(
            "{} is missing: build it with `cargo build --release -p claims-cli -p claims-bench`",
            binary.display()
        );
    }
    Ok(binary)
}

impl ServerProcess {
    /// Starts the server on a free loopback port with `database` and `pool_size`
    /// connections, and waits until it listens.
    pub fn start(binary: &Path, database: &str, pool_size: usize) -> anyhow::Result<Self> {
        Self::start_with(binary, database, pool_size, &[])
    }

    /// Like [`start`](Self::start), with more settings as environment variables.
    pub fn start_with(
        binary: &Path,
        database: &str,
        pool_size: usize,
        settings: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let mut child = Command::new(binary)
            .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
            .env("SSG_CLAIMS_DB_POOL_SIZE", pool_size.to_string())
            // The load generator is one key hammering the service on purpose; the limits
            // for abuse would measure themselves instead of the service.
            .env("SSG_CLAIMS_RATE_KEY_PER_SECOND", "0")
            .env("SSG_CLAIMS_RATE_TOKEN_PER_SECOND", "0")
            .env("SSG_CLAIMS_MAX_IN_FLIGHT", "100000")
            .env("SSG_CLAIMS_LOG", "warn,ssg_claims=info")
            .envs(settings.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let stderr = child.stderr.take().expect("piped");
        let mut lines = BufReader::new(stderr).lines();
        let address = loop {
            let Some(line) = lines.next() else {
                bail!("the server exited before listening");
            };
            let line = line?;
            if let Some(rest) = line.split("address=").nth(1) {
                break rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .parse::<SocketAddr>()
                    .context("the server logged an unreadable address")?;
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Ok(Self { child, address })
    }

    fn status_field(&self, field: &str) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .with_context(|| format!("no {field} in the server's status"))
    }

    /// Resident memory now, in KiB.
    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        self.status_field("VmRSS:")
    }

    /// Peak resident memory since start or the last [`reset_peak`](Self::reset_peak), KiB.
    pub fn peak_kib(&self) -> anyhow::Result<u64> {
        self.status_field("VmHWM:")
    }

    /// CPU time the server has used, user and system, in seconds.
    pub fn cpu_seconds(&self) -> anyhow::Result<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))?;
        // Fields after the command name (which may hold spaces) start after the last ')'.
        let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |index: usize| -> anyhow::Result<f64> {
            Ok(fields
                .get(index)
                .context("a short /proc stat line")?
                .parse::<f64>()?)
        };
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
        Ok((ticks(11)? + ticks(12)?) / CLOCK_TICKS_PER_SECOND)
    }

    /// Restarts the peak-memory count (Linux: writing 5 to `clear_refs`).
    pub fn reset_peak(&self) -> anyhow::Result<()> {
        std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5")
            .context("cannot reset the server's peak memory count")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
