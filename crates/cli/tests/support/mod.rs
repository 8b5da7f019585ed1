//! Running the `ssg-claims` binary as a user does.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

/// The binary, with `database` (a file path or a PostgreSQL URL) as its store.
pub fn ssg_claims(database: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ssg-claims"));
    command
        .env("SSG_CLAIMS_DATABASE", database)
        .env("SSG_CLAIMS_LOG", "info");
    command
}

pub fn run(command: &mut Command) -> Output {
    let output = command.output().expect("the binary runs");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Registers vendor `id` named `name` in `database`.
pub fn add_vendor(database: impl AsRef<std::ffi::OsStr>, id: &str, name: &str) {
    run(ssg_claims(database).args(["vendor", "add", "--id", id, "--name", name]));
}

/// Issues an API key for vendor `id` and returns it.
pub fn issue_key(database: impl AsRef<std::ffi::OsStr>, id: &str) -> String {
    let issued = run(ssg_claims(database).args(["key", "issue", "--vendor", id]));
    stdout(&issued).trim().to_owned()
}

/// Creates a platform token with `role` and returns it.
pub fn create_token(database: impl AsRef<std::ffi::OsStr>, role: &str) -> String {
    let created = run(ssg_claims(database).args(["token", "create", "--role", role]));
    stdout(&created).trim().to_owned()
}

/// Kills the server when the test ends, however it ends.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `serve` on a free port and returns it with its base URL.
pub fn serve(database: impl AsRef<std::ffi::OsStr>) -> (Server, String) {
    let running = Running::start(ssg_claims(database).args(["serve", "--listen", "127.0.0.1:0"]));
    (running.server, running.base)
}

/// A server process whose log is kept, line by line, for the test to read.
pub struct Running {
    pub server: Server,
    pub base: String,
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Running {
    /// Spawns `command` (a `serve` or `demo` listening on port 0, logging as text or JSON)
    /// and waits for it to log its address.
    pub fn start(command: &mut Command) -> Running {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (address_tx, address_rx) = std::sync::mpsc::channel();
        let kept = std::sync::Arc::clone(&log);
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(address) = address_in(&line) {
                    let _ = address_tx.send(address);
                }
                kept.lock().unwrap().push(line);
            }
        });
        let address = address_rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the server logs its address");
        Running {
            server: Server(child),
            base: format!("http://{address}"),
            log,
        }
    }

    pub fn pid(&self) -> u32 {
        self.server.0.id()
    }

    /// Sends SIGTERM, as a service manager does.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait_exit(&mut self, limit: std::time::Duration) -> Option<std::process::ExitStatus> {
        let started = std::time::Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.server.0.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        None
    }

    pub fn log_lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

/// The listening address in a "serving" log line, text (`address=…`) or JSON
/// (`"address":"…"`).
fn address_in(line: &str) -> Option<String> {
    if let Some(rest) = line.split("address=").nth(1) {
        return rest.split_whitespace().next().map(str::to_owned);
    }
    let rest = line.split("\"address\":\"").nth(1)?;
    rest.split('"').next().map(str::to_owned)
}

/// Runs `test` on a fresh PostgreSQL database (its URL), dropped afterwards; skipped with a
/// visible message when `TEST_DATABASE_URL` is unset.
pub fn on_postgres(what: &str, test: impl FnOnce(&str)) {
    let Some(server) = claims_store_postgres::testing::server_url(what) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let database = runtime.block_on(claims_store_postgres::testing::TestDatabase::create(
        &server,
    ));
    test(&database.url);
    runtime.block_on(async move { drop(database) });
}
