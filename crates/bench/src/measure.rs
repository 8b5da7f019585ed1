//! Measurements: latency histograms and their summary.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;

/// What a load loop observed.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Latencies in microseconds.
    pub latency: Histogram<u64>,
    /// Answers by HTTP status (raw loops count everything as 200).
    pub statuses: BTreeMap<u16, u64>,
    /// Requests that failed without an answer.
    pub failures: u64,
    pub elapsed: Duration,
}

impl Measured {
    pub fn new() -> Self {
        Self {
            latency: Histogram::new_with_bounds(1, 120_000_000, 3).expect("valid bounds"),
            statuses: BTreeMap::new(),
            failures: 0,
            elapsed: Duration::ZERO,
        }
    }

    pub fn record(&mut self, latency: Duration, status: u16) {
        let micros = (latency.as_micros() as u64).clamp(1, 120_000_000);
        self.latency.saturating_record(micros);
        *self.statuses.entry(status).or_default() += 1;
    }

    pub fn merge(&mut self, other: &Measured) {
        self.latency.add(&other.latency).expect("same bounds");
        for (status, count) in &other.statuses {
            *self.statuses.entry(*status).or_default() += count;
        }
        self.failures += other.failures;
        self.elapsed = self.elapsed.max(other.elapsed);
    }

    pub fn requests(&self) -> u64 {
        self.latency.len()
    }

    pub fn per_second(&self) -> f64 {
        self.requests() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// A latency quantile in milliseconds.
    pub fn millis(&self, quantile: f64) -> f64 {
        self.latency.value_at_quantile(quantile) as f64 / 1_000.0
    }

    /// `200: 1234, 409: 5` — the statuses seen.
    pub fn status_summary(&self) -> String {
        let mut parts: Vec<String> = self
            .statuses
            .iter()
            .map(|(status, count)| format!("{status}: {count}"))
            .collect();
        if self.failures > 0 {
            parts.push(format!("failed: {}", self.failures));
        }
        parts.join(", ")
    }
}

impl Default for Measured {
    fn default() -> Self {
        Self::new()
    }
}
