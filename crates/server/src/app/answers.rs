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
//!
//! Below the answers, their rows: an answer that must be read afresh is mostly rows already
//! encoded for the last one, and a claim line never changes, so encoded rows are kept too
//! (`Rows`, written through `PageEncoder`).

use std::collections::VecDeque;
use std::sync::Arc;

use bytes::Bytes;
use claims_domain::{CancelRowRef, InquiryQuery, InvalidValue, RowId, RowSink, Scope};
use claims_wire::{Format, Lang, RowEncoder};

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

/// Encoded inquiry rows kept for reuse, by the row's id and format. A claim line never
/// changes once written, so a kept row is never stale: an answer read afresh — its vendor
/// changed since the answer was kept, or answers are not kept — has the store read only its
/// rows' ids, writes the rows kept here as they are, and reads and encodes only the others.
pub(crate) struct Rows {
    kept: moka::sync::Cache<Box<[u8]>, Bytes>,
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rows")
            .field("entries", &self.kept.entry_count())
            .field("bytes", &self.kept.weighted_size())
            .finish()
    }
}

impl Rows {
    /// Keeps up to `bytes` of rows; `None` when 0 (every row read and encoded each time).
    pub(crate) fn new(bytes: u64) -> Option<Rows> {
        (bytes > 0).then(|| Rows {
            kept: moka::sync::Cache::<Box<[u8]>, Bytes>::builder()
                .max_capacity(bytes)
                .weigher(|id, row| {
                    // The row, its id, and roughly what the cache holds beside each entry.
                    u32::try_from(row.len() + id.len() + 64).unwrap_or(u32::MAX)
                })
                .build(),
        })
    }
}

/// The cache's key for row `id` in `format`, written into `out`: the format, the time and
/// line as fixed-width numbers, the vendor, a NUL (which no vendor id holds) and the claim
/// number.
fn row_key(format: Format, id: &RowId<'_>, out: &mut Vec<u8>) {
    out.clear();
    out.push(match format {
        Format::Json => b'j',
        Format::Xml => b'x',
    });
    out.extend_from_slice(&id.canceled_at.unix_seconds().to_be_bytes());
    out.extend_from_slice(&id.clm_item_seq.to_be_bytes());
    out.extend_from_slice(id.vendor.as_bytes());
    out.push(0);
    out.extend_from_slice(id.clm_no.as_bytes());
}

/// The sink of an inquiry page: its rows encoded after what the answer holds so far, those
/// already kept written as they were kept (when rows are kept at all). The rows it encodes
/// are kept only when the answer turns out short ([`PageEncoder::keep_new_rows`]): a long
/// answer's thousand-row pages would push out every vendor's short ones.
pub(crate) struct PageEncoder {
    encoder: RowEncoder,
    format: Format,
    rows: Option<Arc<Rows>>,
    /// Rows found kept for this page, in the page's order, until they are written.
    held: VecDeque<Bytes>,
    /// Reused for the cache's keys.
    key: Vec<u8>,
    /// The rows encoded here: where each one's cache key is in `new_keys` and its bytes
    /// in the encoder's.
    new_rows: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>,
    new_keys: Vec<u8>,
    /// Rows written from kept rows, and rows encoded.
    pub(crate) reused: usize,
    pub(crate) encoded: usize,
}

impl PageEncoder {
    pub(crate) fn new(encoder: RowEncoder, format: Format, rows: Option<Arc<Rows>>) -> Self {
        Self {
            encoder,
            format,
            rows,
            held: VecDeque::new(),
            key: Vec::new(),
            new_rows: Vec::new(),
            new_keys: Vec::new(),
            reused: 0,
            encoded: 0,
        }
    }

    /// Keeps the rows this page encoded.
    pub(crate) fn keep_new_rows(&mut self) {
        let Some(rows) = &self.rows else {
            return;
        };
        let written = self.encoder.written();
        for (key, row) in self.new_rows.drain(..) {
            rows.kept.insert(
                self.new_keys[key].into(),
                Bytes::copy_from_slice(&written[row]),
            );
        }
        self.new_keys.clear();
    }

    /// The bytes written; with `complete`, the answer's tail is added.
    pub(crate) fn finish(self, complete: bool) -> Vec<u8> {
        self.encoder.finish(complete)
    }
}

impl RowSink for PageEncoder {
    fn row(&mut self, row: &CancelRowRef<'_>) -> Result<(), InvalidValue> {
        self.encoded += 1;
        let len = self.encoder.row_bytes(row).len();
        if self.rows.is_some() {
            let end = self.encoder.written().len();
            row_key(self.format, &RowId::of(row), &mut self.key);
            let start = self.new_keys.len();
            self.new_keys.extend_from_slice(&self.key);
            self.new_rows
                .push((start..self.new_keys.len(), end - len..end));
        }
        Ok(())
    }

    fn keeps_rows(&self) -> bool {
        self.rows.is_some()
    }

    fn find_row(&mut self, id: &RowId<'_>) -> bool {
        let Some(rows) = &self.rows else {
            return false;
        };
        row_key(self.format, id, &mut self.key);
        match rows.kept.get(self.key.as_slice()) {
            Some(row) => {
                self.held.push_back(row);
                true
            }
            None => false,
        }
    }

    fn held_row(&mut self) {
        if let Some(row) = self.held.pop_front() {
            self.reused += 1;
            self.encoder.encoded_row(&row);
        }
    }

    fn drop_held(&mut self) {
        self.held.clear();
    }
}
