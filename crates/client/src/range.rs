//! Any range of days, read in windows of at most seven KST days, de-duplicated and in the
//! answer's order.

use std::collections::BTreeMap;
use std::fmt;

use claims_domain::{KstDate, Period};
use claims_wire::{InquiryRequest, WireRow};
use futures::StreamExt;

use crate::{Client, ClientError};

/// A window of days, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Window {
    pub start: KstDate,
    pub end: KstDate,
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", self.start.compact(), self.end.compact())
    }
}

/// Splits `from..=to` into consecutive windows of at most [`Period::MAX_DAYS`] days. The
/// windows meet without overlapping: each day (and each second of it) is in exactly one.
pub fn windows(from: KstDate, to: KstDate) -> Vec<Window> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let end = start.plus_days(Period::MAX_DAYS - 1).min(to);
        out.push(Window { start, end });
        start = end.plus_days(1);
    }
    out
}

/// What to ask of each window besides its period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this original order (`orordNo`).
    pub order: Option<String>,
    /// Only these of its items (`orordItemSeqs`, like `1,2`).
    pub items: Option<String>,
}

impl Filter {
    fn request(&self, window: Option<Window>) -> InquiryRequest {
        InquiryRequest {
            perd_str_dts: window.map(|w| w.start.compact()),
            perd_end_dts: window.map(|w| w.end.compact()),
            oror_no: self.order.clone(),
            oror_item_seqs: self.items.clone(),
        }
    }
}

/// Windows that could not be read, each with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeError {
    /// The windows of the range.
    pub windows: usize,
    pub failed: Vec<(Window, ClientError)>,
}

impl fmt::Display for RangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.failed.len();
        match self.failed.as_slice() {
            // A refused key or request fails every window alike: say it once.
            [(first, error), .., (last, _)]
                if count == self.windows && self.failed.iter().all(|(_, other)| other == error) =>
            {
                write!(
                    f,
                    "none of the {count} windows {}–{} could be read: {error}",
                    first.start.compact(),
                    last.end.compact()
                )
            }
            _ => {
                write!(f, "{count} window(s) could not be read:")?;
                for (window, error) in &self.failed {
                    write!(f, "\n  {window}: {error}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for RangeError {}

/// Puts rows in the answer's order (cancel time, claim number, line), keeping one row per
/// (`ordNo`, `ordItemSeq`).
pub fn dedupe(rows: impl IntoIterator<Item = WireRow>) -> Vec<WireRow> {
    let mut unique: BTreeMap<(String, String), WireRow> = BTreeMap::new();
    for row in rows {
        unique.entry(row.key()).or_insert(row);
    }
    let mut out: Vec<WireRow> = unique.into_values().collect();
    out.sort_by_key(WireRow::sort_key);
    out
}

impl Client {
    /// Reads every row of `from..=to` (with `filter`), `concurrency` windows at a time.
    /// Either every window is read and the rows come back complete, de-duplicated and in
    /// order, or the error lists every window that failed after its retries. `progress` is
    /// told of each window done.
    pub async fn fetch_range(
        &self,
        from: KstDate,
        to: KstDate,
        filter: &Filter,
        concurrency: usize,
        progress: impl Fn(Window),
    ) -> Result<Vec<WireRow>, RangeError> {
        let windows = windows(from, to);
        let mut results = futures::stream::iter(windows.iter().copied())
            .map(
                |window| async move { (window, self.inquire(&filter.request(Some(window))).await) },
            )
            .buffer_unordered(concurrency.max(1));
        let mut rows = Vec::new();
        let mut failed = Vec::new();
        while let Some((window, result)) = results.next().await {
            match result {
                Ok(found) => rows.extend(found),
                Err(error) => failed.push((window, error)),
            }
            progress(window);
        }
        if failed.is_empty() {
            Ok(dedupe(rows))
        } else {
            failed.sort_by_key(|(window, _)| *window);
            Err(RangeError {
                windows: windows.len(),
                failed,
            })
        }
    }

    /// Reads the rows of one original order, whatever their dates.
    pub async fn fetch_order(&self, filter: &Filter) -> Result<Vec<WireRow>, ClientError> {
        Ok(dedupe(self.inquire(&filter.request(None)).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> KstDate {
        KstDate::parse_compact(s).unwrap()
    }

    #[test]
    fn ranges_split_into_weeks_that_meet() {
        let split = windows(date("20261001"), date("20261020"));
        let shown: Vec<String> = split.iter().map(|w| w.to_string()).collect();
        assert_eq!(
            shown,
            [
                "20261001–20261007",
                "20261008–20261014",
                "20261015–20261020"
            ]
        );
        for window in &split {
            assert!(Period::new(window.start, window.end).is_ok());
        }
        assert_eq!(windows(date("20261001"), date("20261001")).len(), 1);
        assert!(windows(date("20261002"), date("20261001")).is_empty());
        // A quarter and across a year's end.
        let quarter = windows(date("20261001"), date("20261231"));
        assert_eq!(quarter.len(), 14);
        assert_eq!(quarter.last().unwrap().end, date("20261231"));
        let days: i32 = quarter.iter().map(|w| w.start.days_until(w.end) + 1).sum();
        assert_eq!(days, 92);
    }

    #[test]
    fn failures_name_their_windows_or_say_once_that_all_failed_alike() {
        let split = windows(date("20261001"), date("20261020"));
        let refused = ClientError::Unauthorized { desc: "no".into() };
        let down = ClientError::Unavailable {
            attempts: 3,
            desc: "down".into(),
        };
        let all = RangeError {
            windows: 3,
            failed: split.iter().map(|w| (*w, refused.clone())).collect(),
        };
        assert_eq!(
            all.to_string(),
            "none of the 3 windows 20261001–20261020 could be read: \
             the API key was refused (result code 20): no"
        );
        let some = RangeError {
            windows: 3,
            failed: vec![(split[0], down.clone()), (split[2], down)],
        };
        let text = some.to_string();
        assert!(text.starts_with("2 window(s) could not be read:"), "{text}");
        assert!(text.contains("\n  20261001–20261007: the service stayed unavailable"));
        assert!(text.contains("\n  20261015–20261020: "));
        assert!(!text.contains("20261008"));
    }

    #[test]
    fn duplicates_go_and_order_is_the_answers() {
        let row = |time: &str, no: &str, seq: &str| WireRow {
            ord_cncl_dts: time.into(),
            ord_no: no.into(),
            ord_item_seq: seq.into(),
            ..WireRow::default()
        };
        let rows = vec![
            row("2026-10-02 00:00:00", "B", "10"),
            row("2026-10-01 23:59:59", "A", "1"),
            row("2026-10-02 00:00:00", "B", "2"),
            row("2026-10-01 23:59:59", "A", "1"),
        ];
        let keys: Vec<(String, String)> = dedupe(rows).iter().map(WireRow::key).collect();
        assert_eq!(
            keys,
            [
                ("A".into(), "1".into()),
                ("B".into(), "2".into()),
                ("B".into(), "10".into())
            ]
        );
    }
}
