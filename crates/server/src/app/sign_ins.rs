//! Failed console sign-ins, which slow the next attempts: kept beside the other guards of
//! the node, since the console's sign-in page and the node's state both reach it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed sign-ins per login and per client address, on this node. After
/// five failures in a row, each further attempt must wait twice as long as the
/// last (1 s, 2 s, 4 s … up to 5 minutes); a success clears the login's count. Kept in
/// memory: an attacker spread over several nodes meets each node's count, which still
/// slows guessing by the same factor per node.
#[derive(Debug, Default)]
pub struct SignIns {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl SignIns {
    const FREE: u32 = 5;
    const LONGEST: Duration = Duration::from_secs(300);
    /// Entries kept at most; the oldest are forgotten beyond.
    const MAX_ENTRIES: usize = 100_000;

    fn wait_of(count: u32) -> Duration {
        if count < Self::FREE {
            Duration::ZERO
        } else {
            Duration::from_secs(1u64 << (count - Self::FREE).min(16)).min(Self::LONGEST)
        }
    }

    /// How long the caller must still wait before trying `keys` again.
    pub(crate) fn must_wait(&self, keys: &[String], now: Instant) -> Duration {
        let failures = self.failures.lock().expect("never poisoned");
        keys.iter()
            .filter_map(|key| failures.get(key))
            .map(|(count, last)| (*last + Self::wait_of(*count)).saturating_duration_since(now))
            .max()
            .unwrap_or(Duration::ZERO)
    }

    pub(crate) fn failed(&self, keys: &[String], now: Instant) {
        let mut failures = self.failures.lock().expect("never poisoned");
        if failures.len() >= Self::MAX_ENTRIES {
            let stale = now.checked_sub(Self::LONGEST * 2).unwrap_or(now);
            failures.retain(|_, (_, last)| *last > stale);
        }
        for key in keys {
            let entry = failures.entry(key.clone()).or_insert((0, now));
            *entry = (entry.0.saturating_add(1), now);
        }
    }

    pub(crate) fn succeeded(&self, login: &str) {
        self.failures
            .lock()
            .expect("never poisoned")
            .remove(&format!("login:{login}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_slow_each_login_and_address_and_a_success_clears_the_login() {
        let sign_ins = SignIns::default();
        let keys = vec!["login:kim".to_owned(), "addr:10.0.0.1".to_owned()];
        let start = Instant::now();
        for _ in 0..SignIns::FREE {
            assert_eq!(sign_ins.must_wait(&keys, start), Duration::ZERO);
            sign_ins.failed(&keys, start);
        }
        assert_eq!(sign_ins.must_wait(&keys, start), Duration::from_secs(1));
        sign_ins.failed(&keys, start);
        assert_eq!(sign_ins.must_wait(&keys, start), Duration::from_secs(2));
        assert_eq!(
            sign_ins.must_wait(&keys, start + Duration::from_secs(2)),
            Duration::ZERO
        );
        // Another login from the same address still waits; the login itself is cleared.
        sign_ins.succeeded("kim");
        let other = vec!["login:lee".to_owned(), "addr:10.0.0.1".to_owned()];
        assert_eq!(sign_ins.must_wait(&other, start), Duration::from_secs(2));
        for _ in 0..40 {
            sign_ins.failed(&keys, start);
        }
        assert_eq!(sign_ins.must_wait(&keys, start), SignIns::LONGEST);
    }
}
