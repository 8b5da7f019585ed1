//! Incremental sync: each run reads from where the last one completed, re-reading an overlap
//! so that rows committed late are not missed, and emits only rows it has not emitted
//! before. The state lives in a small JSON file, replaced atomically after a complete run.

use std::collections::BTreeSet;
use std::path::Path;

use claims_domain::KstDate;
use claims_wire::WireRow;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a run remembers for the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    pub version: u32,
    pub base_url: String,
    /// Tells whose key the state belongs to, without holding the key.
    pub key_fingerprint: String,
    /// The last day of the last complete run (`yyyymmdd`).
    pub through: String,
    /// Rows already emitted on the days the next run re-reads.
    pub seen: BTreeSet<Seen>,
    /// Where `--follow` is in the change feed (absent until it first follows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// A row already emitted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Seen {
    /// Its `ordCnclDts` day, `yyyymmdd`.
    pub day: String,
    pub ord_no: String,
    pub ord_item_seq: String,
}

/// Why the state cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("cannot read the state file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the state file {path} is not a state this program wrote: {detail}")]
    Corrupt { path: String, detail: String },
    #[error("cannot write the state file {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("the state file belongs to {what}; use another state file for this one")]
    Mismatch { what: String },
    #[error("the first run needs a start: give --from")]
    NoStart,
}

const VERSION: u32 = 1;

/// A short fingerprint of a key (the first 16 hex digits of its SHA-256).
pub fn fingerprint(key: &str) -> String {
    let digest = Sha256::digest(key.trim().to_ascii_lowercase().as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The `yyyymmdd` day of an `ordCnclDts` (`yyyy-MM-dd HH:mm:ss`).
fn day_of(row: &WireRow) -> String {
    row.ord_cncl_dts
        .get(..10)
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_digit)
        .collect()
}

impl SyncState {
    /// The state in `path`, or `None` when there is no such file yet.
    pub fn load(path: &Path) -> Result<Option<Self>, SyncError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(SyncError::Read {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        let state: SyncState = serde_json::from_str(&text).map_err(|err| SyncError::Corrupt {
            path: path.display().to_string(),
            detail: err.to_string(),
        })?;
        if state.version != VERSION || KstDate::parse_compact(&state.through).is_err() {
            return Err(SyncError::Corrupt {
                path: path.display().to_string(),
                detail: format!("version {} through {:?}", state.version, state.through),
            });
        }
        Ok(Some(state))
    }

    /// Writes the state to `path` atomically: a temporary file beside it, synced, renamed
    /// over it. A crash leaves either the old state or the new, never half of one.
    pub fn save(&self, path: &Path) -> Result<(), SyncError> {
        use std::io::Write as _;
        let error = |source| SyncError::Write {
            path: path.display().to_string(),
            source,
        };
        let text = serde_json::to_string_pretty(self).expect("a state serializes");
        let temporary = path.with_extension("tmp");
        let mut file = std::fs::File::create(&temporary).map_err(error)?;
        file.write_all(text.as_bytes()).map_err(error)?;
        file.sync_all().map_err(error)?;
        drop(file);
        std::fs::rename(&temporary, path).map_err(error)
    }

    /// Refuses a state written for another site or key.
    pub fn check(&self, base_url: &str, key: &str) -> Result<(), SyncError> {
        if self.base_url != base_url {
            return Err(SyncError::Mismatch {
                what: format!("another site ({})", self.base_url),
            });
        }
        if self.key_fingerprint != fingerprint(key) {
            return Err(SyncError::Mismatch {
                what: "another API key".into(),
            });
        }
        Ok(())
    }
}

/// The days the next run reads: from the state's last day less the overlap (or `from` on a
/// first run) to `to`. `None` when there is nothing to read: `to` is before the day the
/// state is through, so the run would only move the state backwards.
pub fn next_range(
    state: Option<&SyncState>,
    from: Option<KstDate>,
    to: KstDate,
    overlap_days: u32,
) -> Result<Option<(KstDate, KstDate)>, SyncError> {
    let start = match state {
        Some(state) => {
            let through = KstDate::parse_compact(&state.through).expect("checked on load");
            if to < through {
                return Ok(None);
            }
            through.plus_days(1 - overlap_days as i32)
        }
        None => from.ok_or(SyncError::NoStart)?,
    };
    Ok((start <= to).then_some((start, to)))
}

/// Keeps the rows not emitted before and the state for the next run, which will re-read
/// from `to` less the overlap.
pub fn advance(
    state: Option<SyncState>,
    rows: Vec<WireRow>,
    to: KstDate,
    overlap_days: u32,
    base_url: &str,
    key: &str,
) -> (Vec<WireRow>, SyncState) {
    let cursor = state.as_ref().and_then(|state| state.cursor.clone());
    let mut seen = state.map(|state| state.seen).unwrap_or_default();
    let fresh: Vec<WireRow> = rows
        .into_iter()
        .filter(|row| {
            seen.insert(Seen {
                day: day_of(row),
                ord_no: row.ord_no.clone(),
                ord_item_seq: row.ord_item_seq.clone(),
            })
        })
        .collect();
    let next_start = to.plus_days(1 - overlap_days as i32).compact();
    seen.retain(|row| row.day >= next_start);
    let state = SyncState {
        version: VERSION,
        base_url: base_url.to_owned(),
        key_fingerprint: fingerprint(key),
        through: to.compact(),
        seen,
        cursor,
    };
    (fresh, state)
}

impl SyncState {
    /// Keeps the rows of `rows` not emitted before (noting them as emitted), for a follower
    /// of the feed: a claim's rows can also have come through an inquiry run.
    pub fn fresh(&mut self, rows: Vec<WireRow>) -> Vec<WireRow> {
        rows.into_iter()
            .filter(|row| {
                self.seen.insert(Seen {
                    day: day_of(row),
                    ord_no: row.ord_no.clone(),
                    ord_item_seq: row.ord_item_seq.clone(),
                })
            })
            .collect()
    }

    /// Forgets emitted rows from before `day` (what an inquiry run would re-read is kept).
    pub fn forget_before(&mut self, day: KstDate) {
        let day = day.compact();
        self.seen.retain(|row| row.day >= day);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> KstDate {
        KstDate::parse_compact(s).unwrap()
    }

    fn row(time: &str, no: &str) -> WireRow {
        WireRow {
            ord_cncl_dts: time.into(),
            ord_no: no.into(),
            ord_item_seq: "1".into(),
            ..WireRow::default()
        }
    }

    #[test]
    fn runs_resume_with_an_overlap_and_emit_each_row_once() {
        assert!(matches!(
            next_range(None, None, date("20261010"), 1),
            Err(SyncError::NoStart)
        ));
        let (from, to) = next_range(None, Some(date("20261001")), date("20261010"), 1)
            .unwrap()
            .unwrap();
        let (first, state) = advance(
            None,
            vec![
                row("2026-10-02 10:00:00", "A"),
                row("2026-10-10 09:00:00", "B"),
            ],
            to,
            1,
            "http://x",
            "key",
        );
        assert_eq!((from, first.len()), (date("20261001"), 2));
        assert_eq!(state.through, "20261010");
        // Only the day re-read next time is remembered.
        assert_eq!(state.seen.len(), 1);

        let (from, to) = next_range(Some(&state), None, date("20261012"), 1)
            .unwrap()
            .unwrap();
        assert_eq!(from, date("20261010"));
        assert_eq!(
            next_range(Some(&state), None, date("20261009"), 3).unwrap(),
            None,
            "never back before the state"
        );
        let (second, state) = advance(
            Some(state),
            vec![
                row("2026-10-10 09:00:00", "B"),
                row("2026-10-10 23:59:59", "C"),
            ],
            to,
            1,
            "http://x",
            "key",
        );
        let emitted: Vec<&str> = second.iter().map(|r| r.ord_no.as_str()).collect();
        assert_eq!(emitted, ["C"], "B was emitted by the first run");
        assert!(
            state.check("http://x", "KEY").is_ok(),
            "keys compare case-insensitively"
        );
        assert!(state.check("http://y", "key").is_err());
        assert!(state.check("http://x", "other").is_err());
    }

    #[test]
    fn state_files_are_written_atomically_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert_eq!(SyncState::load(&path).unwrap(), None);
        let (_, state) = advance(
            None,
            vec![row("2026-10-10 09:00:00", "B")],
            date("20261010"),
            1,
            "u",
            "k",
        );
        state.save(&path).unwrap();
        assert_eq!(SyncState::load(&path).unwrap(), Some(state));
        assert!(!path.with_extension("tmp").exists());
        std::fs::write(&path, "{not json").unwrap();
        assert!(matches!(
            SyncState::load(&path),
            Err(SyncError::Corrupt { .. })
        ));
    }
}
