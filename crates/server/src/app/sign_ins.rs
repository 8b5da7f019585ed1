//! Console sign-ins: how often one may be tried, and how many passwords are hashed at once.
//!
//! Every attempt counts as a failure the moment it is let through — under the lock, before
//! its password is hashed — and a success takes its count back. So forty attempts sent at
//! once meet the same count as forty sent one after another: five go through, the rest
//! wait. Attempts are counted per (login, client address) and per client address, never
//! per login alone: failures from anywhere cannot lock a login out for everyone, and behind
//! a trusted proxy the address is the client's own (see the console's `trusted_proxies`).
//!
//! Hashing a password takes 19 MiB and a core's worth of work for a moment (Argon2id's
//! defaults), so at most one per core runs at once; a sign-in that finds them all busy
//! waits briefly, then is told to try again.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Failed sign-ins per (login, address) and per address, on this node. After five
/// failures in a row, each further attempt must wait twice as long as the last (1 s, 2 s,
/// 4 s … up to 5 minutes). Kept in memory: an attacker spread over several nodes meets each
/// node's count, which still slows guessing by the same factor per node.
#[derive(Debug)]
pub struct SignIns {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    hashing: std::sync::Arc<Semaphore>,
}

impl Default for SignIns {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        SignIns {
            failures: Mutex::default(),
            hashing: std::sync::Arc::new(Semaphore::new(cores.max(1))),
        }
    }
}

/// What an attempt is counted under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    keys: [String; 2],
}

impl Attempt {
    /// An attempt at `login` from `address`.
    pub fn new(login: &str, address: IpAddr) -> Attempt {
        let address = client_key(address);
        Attempt {
            keys: [
                format!("login:{login}@{address}"),
                format!("addr:{address}"),
            ],
        }
    }
}

/// The part of a client address failures are counted by: the address for IPv4, the /64
/// for IPv6 (one client holds a whole /64).
fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

impl SignIns {
    const FREE: u32 = 5;
    const LONGEST: Duration = Duration::from_secs(300);
    /// Entries kept at most; the oldest are forgotten beyond.
    const MAX_ENTRIES: usize = 100_000;
    /// How long a sign-in waits for a free hasher before it is told to try again.
    const HASH_WAIT: Duration = Duration::from_secs(2);

    fn wait_of(count: u32) -> Duration {
        if count < Self::FREE {
            Duration::ZERO
        } else {
            Duration::from_secs(1u64 << (count - Self::FREE).min(16)).min(Self::LONGEST)
        }
    }

    /// Lets an attempt through, counting it as failed until it succeeds; or, when its login
    /// and address must still wait, how long. An attempt made while it must wait counts as
    /// one more failure (it is not evaluated), so that hammering only lengthens the wait.
    pub fn begin(&self, attempt: &Attempt, now: Instant) -> Result<(), Duration> {
        let mut failures = self.failures.lock().expect("never poisoned");
        let wait = attempt
            .keys
            .iter()
            .filter_map(|key| failures.get(key))
            .map(|(count, last)| (*last + Self::wait_of(*count)).saturating_duration_since(now))
            .max()
            .unwrap_or(Duration::ZERO);
        if failures.len() >= Self::MAX_ENTRIES {
            let stale = now.checked_sub(Self::LONGEST * 2).unwrap_or(now);
            failures.retain(|_, (_, last)| *last > stale);
        }
        for key in &attempt.keys {
            let entry = failures.entry(key.clone()).or_insert((0, now));
            *entry = (entry.0.saturating_add(1), now);
        }
        if wait.is_zero() {
            Ok(())
        } else {
            // Counted above: the wait that now applies.
            let count = failures
                .get(&attempt.keys[0])
                .map_or(0, |(count, _)| *count);
            Err(Self::wait_of(count).max(wait))
        }
    }

    /// The attempt succeeded: its login starts afresh from this address, and the address
    /// takes back the failure it was counted.
    pub fn succeeded(&self, attempt: &Attempt) {
        let mut failures = self.failures.lock().expect("never poisoned");
        failures.remove(&attempt.keys[0]);
        if let Some((count, _)) = failures.get_mut(&attempt.keys[1]) {
            *count = count.saturating_sub(1);
        }
    }

    /// A turn at hashing a password, waiting briefly for one; `None` when every hasher
    /// stayed busy (then the caller says to try again).
    pub async fn hasher(&self) -> Option<OwnedSemaphorePermit> {
        tokio::time::timeout(
            Self::HASH_WAIT,
            std::sync::Arc::clone(&self.hashing).acquire_owned(),
        )
        .await
        .ok()?
        .ok()
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, last))
    }

    #[test]
    fn attempts_count_when_let_through_and_a_success_takes_its_count_back() {
        let sign_ins = SignIns::default();
        let kim = Attempt::new("kim", ip(1));
        let start = Instant::now();
        // Five at once are let through; the sixth, sent with them, already waits — and,
        // not evaluated, counts as one more failure.
        for _ in 0..SignIns::FREE {
            assert_eq!(sign_ins.begin(&kim, start), Ok(()));
        }
        assert_eq!(sign_ins.begin(&kim, start), Err(Duration::from_secs(2)));
        let later = start + Duration::from_secs(2);
        assert_eq!(sign_ins.begin(&kim, later), Ok(()));
        assert_eq!(sign_ins.begin(&kim, later), Err(Duration::from_secs(8)));
        // Another login from the same address waits too (the address is counted).
        let lee = Attempt::new("lee", ip(1));
        assert!(sign_ins.begin(&lee, later).is_err());
        // The same login from elsewhere is not locked out.
        let kim_elsewhere = Attempt::new("kim", ip(2));
        assert_eq!(sign_ins.begin(&kim_elsewhere, start), Ok(()));
        sign_ins.succeeded(&kim_elsewhere);
        // Hammering only lengthens the wait, up to the longest.
        for _ in 0..40 {
            let _ = sign_ins.begin(&kim, later);
        }
        assert_eq!(sign_ins.begin(&kim, later), Err(SignIns::LONGEST));
    }

    #[test]
    fn ipv6_clients_count_by_their_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2::ffff".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(client_key(mapped), "10.0.0.1");
    }
}
