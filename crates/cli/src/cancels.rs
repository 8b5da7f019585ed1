//! `ssg-claims cancels`: a vendor's pull of canceled orders from SSG or from `ssg-claims`.
//!
//! Everything happens in `claims-client`; this module reads the settings, draws the progress
//! bar and decides what reaches standard output: the whole result or nothing.

use std::io::{IsTerminal as _, Write as _};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use claims_client::sync::{self, SyncState};
use claims_client::{Client, ClientConfig, Filter, windows};
use claims_domain::KstDate;
use claims_export::{CsvStyle, OutputFormat, Part, write_rows};
use claims_wire::{Format, WireRow};

use crate::{AcceptArg, CancelsArgs, FormatArg, LangArg};

/// A key that never shows itself: not in `Debug`, not in errors.
#[derive(Clone)]
pub struct Key(String);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

impl std::str::FromStr for Key {
    type Err = std::convert::Infallible;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(Key(value.to_owned()))
    }
}

/// A day as `yyyymmdd` or `yyyy-mm-dd`, in KST.
pub fn parse_day(value: &str) -> Result<KstDate, String> {
    let digits: String = match value.as_bytes() {
        [_, _, _, _, b'-', _, _, b'-', _, _] => value.replace('-', ""),
        _ => value.to_owned(),
    };
    KstDate::parse_compact(&digits)
        .map_err(|_| format!("{value:?} is not a day; write it as yyyymmdd or yyyy-mm-dd"))
}

pub async fn run(args: CancelsArgs) -> anyhow::Result<()> {
    let base_url = args.base_url.trim_end_matches('/').to_owned();
    let key = read_key(args.key.as_ref(), args.key_file.as_deref())?;
    let config = ClientConfig {
        format: match args.accept {
            AcceptArg::Json => Format::Json,
            AcceptArg::Xml => Format::Xml,
        },
        language: args.lang.map(|lang| {
            match lang {
                LangArg::Ko => "ko",
                LangArg::En => "en",
            }
            .to_owned()
        }),
        timeout: Duration::from_secs(args.timeout_secs),
        retries: args.retries,
        ..ClientConfig::new(base_url.clone(), key.clone())
    };
    let client = Client::new(config)?;
    let filter = Filter {
        order: args.order.clone(),
        items: args.items.clone(),
    };
    let to = args.to.unwrap_or_else(claims_client::today);
    if args.plain && !matches!(args.format, FormatArg::Csv) {
        bail!("--plain is for --format csv");
    }
    if matches!(args.format, FormatArg::Xlsx) && std::io::stdout().is_terminal() {
        bail!(
            "--format xlsx writes a workbook: redirect standard output to a file, like > cancels.xlsx"
        );
    }
    let format = match args.format {
        FormatArg::Table => OutputFormat::Table,
        FormatArg::Csv if args.plain => OutputFormat::Csv(CsvStyle::Plain),
        FormatArg::Csv => OutputFormat::Csv(CsvStyle::Excel),
        FormatArg::Xlsx => OutputFormat::Xlsx,
        FormatArg::Jsonl => OutputFormat::Jsonl,
        FormatArg::Xml => OutputFormat::Xml,
    };

    if let Some(state_file) = &args.since_last {
        if args.follow {
            return follow(&args, &client, state_file, &base_url, &key, format).await;
        }
        return since_last(&args, &client, state_file, &base_url, &key, to, format).await;
    }
    let rows = match (args.from, &filter.order) {
        (Some(from), _) => fetch(&client, from, to, &filter, args.concurrency as usize).await?,
        (None, Some(order)) => client
            .fetch_order(&filter)
            .await
            .with_context(|| format!("cannot read the cancellations of order {order}"))?,
        (None, None) => bail!(
            "say what to read: --from DAY [--to DAY], --order ORORDNO, or --since-last STATE_FILE"
        ),
    };
    emit(format, &rows, Part::First)?;
    tracing::info!(rows = rows.len(), "rows written");
    Ok(())
}

/// The key from `--key-file`, else from `--key` or `SSG_CLAIMS_KEY`.
fn read_key(key: Option<&Key>, key_file: Option<&Path>) -> anyhow::Result<String> {
    let key = match (key_file, key) {
        (Some(path), _) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the key file {}", path.display()))?
            .trim()
            .to_owned(),
        (None, Some(Key(key))) => key.trim().to_owned(),
        (None, None) => bail!("no API key: set SSG_CLAIMS_KEY or give --key-file PATH"),
    };
    if key.is_empty() {
        bail!("the API key is empty");
    }
    if key.chars().any(|c| c.is_control() || c.is_whitespace()) {
        bail!("the API key holds whitespace or control characters; check the key file");
    }
    Ok(key)
}

/// Every row of `from..=to`, or an error naming each window that could not be read.
async fn fetch(
    client: &Client,
    from: KstDate,
    to: KstDate,
    filter: &Filter,
    concurrency: usize,
) -> anyhow::Result<Vec<WireRow>> {
    if from > to {
        bail!("--from {} is after --to {}", from.compact(), to.compact());
    }
    let count = windows(from, to).len() as u64;
    // Drawn only on a terminal, and only when there is progress to see.
    let bar = if count > 1 {
        indicatif::ProgressBar::new(count)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} windows {elapsed}")
            .expect("a valid template"),
    );
    let result = client
        .fetch_range(from, to, filter, concurrency, |_| bar.inc(1))
        .await;
    bar.finish_and_clear();
    let rows = result.map_err(|error| {
        anyhow::anyhow!(
            "{error}\nnothing was written: the range {}–{} is incomplete",
            from.compact(),
            to.compact()
        )
    })?;
    tracing::info!(
        from = %from.compact(),
        to = %to.compact(),
        windows = count,
        "read every window"
    );
    Ok(rows)
}

fn emit(format: OutputFormat, rows: &[WireRow], part: Part) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    write_rows(format, rows, part, &mut out).context("cannot write the rows")?;
    out.flush().context("cannot write the rows")
}

/// `--follow`: catches up as `--since-last` does, then tails the change feed and writes each
/// new claim's rows as they come, saving the feed's cursor after every write. A first follow
/// (or one whose cursor expired) notes where the feed ends *before* catching up through the
/// inquiry, then follows from there, skipping rows the catch-up already wrote: nothing falls
/// between the two, and nothing is written twice.
async fn follow(
    args: &CancelsArgs,
    client: &Client,
    state_file: &Path,
    base_url: &str,
    key: &str,
    format: OutputFormat,
) -> anyhow::Result<()> {
    const WAIT: Duration = Duration::from_secs(25);
    const PAGE: usize = 1_000;
    loop {
        let state = SyncState::load(state_file)?;
        if let Some(state) = &state {
            state.check(base_url, key)?;
        }
        let mut state = match state {
            Some(state) if state.cursor.is_some() => state,
            // Where the feed ends now, then everything up to today through the inquiry.
            _ => {
                let end = feed_end(client).await?;
                since_last(
                    args,
                    client,
                    state_file,
                    base_url,
                    key,
                    claims_client::today(),
                    format,
                )
                .await?;
                let mut state =
                    SyncState::load(state_file)?.context("the catch-up run left no state")?;
                state.cursor = Some(end);
                state.save(state_file)?;
                state
            }
        };
        tracing::info!(
            cursor = state.cursor.as_deref(),
            "following the change feed"
        );
        loop {
            let page = match client.events(state.cursor.as_deref(), WAIT, PAGE).await {
                Ok(page) => page,
                Err(claims_client::feed::FeedError::Expired) => {
                    tracing::warn!(
                        "the feed no longer holds events after the saved cursor; catching up through the inquiry"
                    );
                    state.cursor = None;
                    state.save(state_file)?;
                    break;
                }
                Err(error) => return Err(error).context("cannot read the change feed"),
            };
            let mut rows = Vec::new();
            for event in &page.events {
                rows.extend(event.claim_rows()?);
            }
            let fresh = state.fresh(rows);
            if !fresh.is_empty() {
                emit(format, &fresh, Part::Continuation)?;
                tracing::info!(rows = fresh.len(), "new cancellations written");
            }
            state.cursor = Some(page.next_cursor);
            state.forget_before(claims_client::today().plus_days(-(args.overlap_days as i32)));
            state.through = state.through.clone().max(claims_client::today().compact());
            state.save(state_file).with_context(|| {
                format!(
                    "the rows were written, but the state was not saved (state file {})",
                    state_file.display()
                )
            })?;
        }
    }
}

/// The cursor at the current end of the feed.
async fn feed_end(client: &Client) -> anyhow::Result<String> {
    let mut cursor: Option<String> = None;
    loop {
        let page = client
            .events(cursor.as_deref(), Duration::ZERO, 1_000)
            .await
            .context("cannot read the change feed; --follow needs an ssg-claims server")?;
        cursor = Some(page.next_cursor);
        if !page.has_more {
            return Ok(cursor.expect("set above"));
        }
    }
}

/// Reads from where the state says the last run completed, emits only rows not emitted
/// before, and then — only then — records the new state.
async fn since_last(
    args: &CancelsArgs,
    client: &Client,
    state_file: &Path,
    base_url: &str,
    key: &str,
    to: KstDate,
    format: OutputFormat,
) -> anyhow::Result<()> {
    let state = SyncState::load(state_file)?;
    if let Some(state) = &state {
        state.check(base_url, key)?;
    }
    let overlap = args.overlap_days;
    let Some((from, to)) = sync::next_range(state.as_ref(), args.from, to, overlap)? else {
        tracing::info!(
            through = state.as_ref().map(|s| s.through.as_str()),
            "the state is already past --to; nothing to read"
        );
        return Ok(());
    };
    let rows = fetch(
        client,
        from,
        to,
        &Filter::default(),
        args.concurrency as usize,
    )
    .await?;
    let read = rows.len();
    // A run after the first continues the same output (`>> cancels.csv`): no heading again.
    let part = if state.is_some() {
        Part::Continuation
    } else {
        Part::First
    };
    let (fresh, next) = sync::advance(state, rows, to, overlap, base_url, key);
    emit(format, &fresh, part)?;
    next.save(state_file).with_context(|| {
        format!(
            "the rows were written, but the state was not saved; the next run will write \
             them again (state file {})",
            state_file.display()
        )
    })?;
    tracing::info!(
        from = %from.compact(),
        to = %to.compact(),
        read,
        new = fresh.len(),
        "synced"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_in_both_spellings() {
        assert_eq!(parse_day("20261001"), parse_day("2026-10-01"));
        assert_eq!(parse_day("20261001").unwrap().compact(), "20261001");
        let error = parse_day("2026-10-32").unwrap_err();
        assert!(error.contains("2026-10-32"), "{error}");
        assert!(parse_day("2026/10/01").is_err());
    }

    #[test]
    fn keys_never_show_themselves() {
        let key: Key = "0f1e2d3c-secret".parse().unwrap();
        assert!(!format!("{key:?}").contains("secret"));
    }
}
