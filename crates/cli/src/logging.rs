//! Log lines: text for people or JSON for log shippers, on standard error.
//!
//! Two defences keep a log line what it says it is. Values a caller sends reach span fields
//! only after validation (see the platform handlers), and the text format escapes every
//! control character inside a line ([`Escaped`]), so that no value — an error message of the
//! database quoting a caller's input, say — can start a line of its own or move the cursor.
//! JSON lines need no such help: JSON escapes them. And libraries that log statement
//! parameters at debug level (tokio-postgres logs every parameter, credential hashes and
//! customers' names among them) stay at `info` unless the filter names them.

use std::io::{self, Write};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;

use claims_server::settings::{LogFormat, Settings};

/// Libraries that log the parameters of statements at debug level.
const PARAMETER_LOGGERS: &[&str] = &["tokio_postgres"];

/// The filter `log` asks for, with [`PARAMETER_LOGGERS`] held at `info` when it would let
/// them log below that and does not name them itself.
pub fn filter(settings: &Settings) -> anyhow::Result<EnvFilter> {
    let invalid = |err: &dyn std::fmt::Display| {
        anyhow::anyhow!("--log {:?} is not a valid log filter: {err}", settings.log)
    };
    let mut filter = EnvFilter::try_new(&settings.log).map_err(|err| invalid(&err))?;
    if filter
        .max_level_hint()
        .is_some_and(|max| max > LevelFilter::INFO)
    {
        for target in PARAMETER_LOGGERS {
            if !settings.log.contains(target) {
                let directive = format!("{target}=info")
                    .parse()
                    .map_err(|err| invalid(&err))?;
                filter = filter.add_directive(directive);
            }
        }
    }
    Ok(filter)
}

pub fn init(settings: &Settings) -> anyhow::Result<()> {
    let builder = tracing_subscriber::fmt().with_env_filter(filter(settings)?);
    match settings.log_format {
        LogFormat::Text => {
            let ansi = io::IsTerminal::is_terminal(&io::stderr());
            builder
                .with_ansi(ansi)
                .with_writer(Escaped {
                    keep_escape: ansi,
                    make: io::stderr,
                })
                .init();
        }
        // Every line carries the spans it happened in, so a request's id is on each.
        LogFormat::Json => builder
            .with_writer(io::stderr)
            .json()
            .with_current_span(false)
            .with_span_list(true)
            .init(),
    }
    Ok(())
}

/// Makes writers that escape control characters inside each log line.
///
/// `tracing-subscriber`'s text format writes field values as they are; escaping them in a
/// writer, where each event arrives as one finished line, covers every field and message
/// at once. Written here because no logging crate offers it as an option.
#[derive(Debug, Clone, Copy)]
struct Escaped<M> {
    /// Keep ESC: the formatter itself colours lines for a terminal with escape sequences.
    keep_escape: bool,
    make: M,
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Escaped<M> {
    type Writer = EscapedWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        EscapedWriter {
            keep_escape: self.keep_escape,
            inner: self.make.make_writer(),
        }
    }
}

#[derive(Debug)]
struct EscapedWriter<W> {
    keep_escape: bool,
    inner: W,
}

impl<W: Write> Write for EscapedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write_all(&escape_line(buf, self.keep_escape))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// `line` with its control characters written as `\n`, `\r` or `\u{XX}`, but for tabs, a
/// final line break and (with `keep_escape`) ESC. The C1 controls (U+0080–U+009F), which
/// some terminals obey as well, are escaped too.
fn escape_line(line: &[u8], keep_escape: bool) -> Vec<u8> {
    let (body, end) = match line.strip_suffix(b"\n") {
        Some(body) => (body, &b"\n"[..]),
        None => (line, &b""[..]),
    };
    let mut out = Vec::with_capacity(line.len() + 16);
    let mut bytes = body.iter().copied().peekable();
    while let Some(byte) = bytes.next() {
        match byte {
            b'\t' => out.push(byte),
            0x1b if keep_escape => out.push(byte),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0x00..=0x1f | 0x7f => out.extend_from_slice(format!("\\u{{{byte:x}}}").as_bytes()),
            // U+0080–U+009F are C2 80–C2 9F in UTF-8.
            0xc2 if bytes
                .peek()
                .is_some_and(|next| (0x80..=0x9f).contains(next)) =>
            {
                let next = bytes.next().expect("peeked");
                out.extend_from_slice(format!("\\u{{{:x}}}", u32::from(next)).as_bytes());
            }
            _ => out.push(byte),
        }
    }
    out.extend_from_slice(end);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(line: &str, keep_escape: bool) -> String {
        String::from_utf8(escape_line(line.as_bytes(), keep_escape)).unwrap()
    }

    #[test]
    fn a_value_cannot_start_a_line_of_its_own() {
        let forged = "INFO request: order.no=A\n2026-12-01T00:00:00Z  INFO API key revoked\n";
        assert_eq!(
            escaped(forged, false),
            "INFO request: order.no=A\\n2026-12-01T00:00:00Z  INFO API key revoked\n"
        );
        assert_eq!(
            escaped("a\rb\u{8}c\u{7f}\n", false),
            "a\\rb\\u{8}c\\u{7f}\n"
        );
        assert_eq!(
            escaped("탭\t한글 \u{9b}2J\n", false),
            "탭\t한글 \\u{9b}2J\n"
        );
    }

    #[test]
    fn colours_survive_only_on_a_terminal() {
        assert_eq!(
            escaped("\u{1b}[1mINFO\u{1b}[0m\n", true),
            "\u{1b}[1mINFO\u{1b}[0m\n"
        );
        assert_eq!(escaped("\u{1b}[2J\n", false), "\\u{1b}[2J\n");
    }

    #[test]
    fn parameter_loggers_stay_at_info_unless_named() {
        let settings = |spec: &str| Settings {
            log: spec.to_owned(),
            ..Settings::default()
        };
        let shown = |spec: &str| filter(&settings(spec)).unwrap().to_string();
        assert!(
            shown("debug").contains("tokio_postgres=info"),
            "{}",
            shown("debug")
        );
        assert!(shown("claims_server=trace,warn").contains("tokio_postgres=info"));
        assert!(!shown("info").contains("tokio_postgres"));
        assert!(!shown("warn").contains("tokio_postgres"));
        // Asked for by name: as asked.
        assert_eq!(
            shown("debug,tokio_postgres=debug")
                .matches("tokio_postgres")
                .count(),
            1
        );
        assert!(filter(&settings("=nonsense=")).is_err());
    }
}
