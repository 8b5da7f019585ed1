//! Inquiry answers kept for reuse. Vendors poll the same few windows over and over, and most
//! answers are the very bytes sent a minute earlier. An answer is kept under its key's
//! scope, the query, the format, the language and the vendor's change count (the sequence
//! of its last event, which every claim bumps in its own transaction); every request reads
//! the count afresh from the database with the key, so a claim committed before a request
//! began always misses the old answer — on every node, since the count lives in the
//! database, not here.
//!
//! An answer read after the count was read may hold claims committed after it: reused
//! under that count, it is only ever fresher than needed.

use bytes::Bytes;
use claims_domain::{InquiryQuery, Scope};
use claims_wire::{Format, Lang};

/// What an answer depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct AnswerKey {
    pub scope: Scope,
    pub query: InquiryQuery,
    pub format: Format,
    pub lang: Lang,
    /// The vendor's change count when the answer was read.
    pub version: u64,
}

/// Encoded answers, weighed by their bytes, the least recently used dropped past the bound.
pub(crate) struct Answers {
    /// Each answer with its row count (for the metrics).
    kept: moka::sync::Cache<AnswerKey, (Bytes, usize)>,
}

impl std::fmt::Debug for Answers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answers")
            .field("entries", &self.kept.entry_count())
            .field("bytes", &self.kept.weighted_size())
            .finish()
    }
}

impl Answers {
    /// Keeps up to `bytes` of answers; `None` when 0 (no reuse at all).
    pub(crate) fn new(bytes: u64) -> Option<Answers> {
        (bytes > 0).then(|| Answers {
            kept: moka::sync::Cache::builder()
                .max_capacity(bytes)
                .weigher(|key: &AnswerKey, (answer, _): &(Bytes, usize)| {
                    // The answer, and roughly what its key holds.
                    u32::try_from(answer.len() + 128 + key.scope.vendor.as_str().len())
                        .unwrap_or(u32::MAX)
                })
                .build(),
        })
    }

    /// A kept answer and its row count.
    pub(crate) fn get(&self, key: &AnswerKey) -> Option<(Bytes, usize)> {
        self.kept.get(key)
    }

    pub(crate) fn keep(&self, key: AnswerKey, answer: Bytes, rows: usize) {
        self.kept.insert(key, (answer, rows));
    }
}
