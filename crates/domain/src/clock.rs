//! The sandbox's clock, as a value: the time it showed at one moment of the real clock, and
//! how fast it runs since. Reading it is arithmetic; moving it makes a new anchor.

use crate::{InvalidValue, KstDateTime};

/// The furthest one move may take the clock, in days.
pub const MAX_ADVANCE_DAYS: i64 = 3_660;

/// A sandbox clock: it showed `at` when the real clock read `real_ms` (milliseconds since
/// the Unix epoch), and runs at `speed_milli` thousandths of real time since (1000: real
/// speed; 0: it stands still).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockAnchor {
    pub real_ms: i64,
    pub at: KstDateTime,
    pub speed_milli: u32,
}

impl ClockAnchor {
    /// The time the clock shows when the real clock reads `real_ms`.
    pub fn now_at(&self, real_ms: i64) -> KstDateTime {
        let elapsed_ms = (real_ms - self.real_ms).max(0);
        let ran_ms = i128::from(elapsed_ms) * i128::from(self.speed_milli) / 1000;
        let seconds = i64::try_from(ran_ms / 1000).unwrap_or(i64::MAX / 2);
        self.at.plus_seconds(seconds)
    }

    /// The same clock, showing `at` from the real moment `real_ms` on (at the same speed).
    pub fn moved_to(&self, at: KstDateTime, real_ms: i64) -> ClockAnchor {
        ClockAnchor {
            real_ms,
            at,
            speed_milli: self.speed_milli,
        }
    }

    /// Decides a move of the clock made at the real moment `real_ms`: forward only (staying
    /// put is allowed), so that nothing that happened is ever dated after what happens next.
    pub fn moved(&self, how: ClockMove, real_ms: i64) -> Result<Moved, ClockBackwards> {
        let shown = self.now_at(real_ms);
        let to = match how {
            ClockMove::By(seconds) => shown.plus_seconds(seconds),
            ClockMove::To(at) => at,
            ClockMove::Speed(speed_milli) => {
                return Ok(Moved {
                    from: shown,
                    to: ClockAnchor {
                        real_ms,
                        at: shown,
                        speed_milli,
                    },
                });
            }
        };
        if to < shown {
            return Err(ClockBackwards { shown, asked: to });
        }
        Ok(Moved {
            from: shown,
            to: self.moved_to(to, real_ms),
        })
    }
}

/// How to move a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMove {
    /// Ahead by this many seconds.
    By(i64),
    /// To this time.
    To(KstDateTime),
    /// Where it stands, running from now on at this many thousandths of real time.
    Speed(u32),
}

/// A move that was made: the time the clock showed, and the clock since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moved {
    pub from: KstDateTime,
    pub to: ClockAnchor,
}

/// A move that would take the clock back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockBackwards {
    pub shown: KstDateTime,
    pub asked: KstDateTime,
}

/// Reads how far to move a clock: an ISO 8601 duration (`PT26H`, `P1D`, `P1DT2H30M`,
/// `PT90S`; jiff's friendly `26h` or `1 day` too), days counting 24 hours (KST keeps no daylight saving time). Months and years,
/// whose length depends on the date, are refused, as is anything beyond
/// [`MAX_ADVANCE_DAYS`]. A negative duration is read as such: moving back is the clock's
/// to refuse.
pub fn parse_advance(field: &str, text: &str) -> Result<i64, InvalidValue> {
    let problem = |what: String| InvalidValue::new(field, what);
    let span: jiff::Span = text.trim().parse().map_err(|_| {
        problem(format!(
            "must be an ISO 8601 duration like PT26H, P1D or P1DT2H30M, got {text:?}"
        ))
    })?;
    if span.get_years() != 0 || span.get_months() != 0 {
        return Err(problem(
            "may not count months or years (their length depends on the date): use days".into(),
        ));
    }
    let seconds = span
        .total((
            jiff::Unit::Second,
            jiff::SpanRelativeTo::days_are_24_hours(),
        ))
        .map_err(|_| problem(format!("is too long: {text:?}")))?;
    if seconds.abs() > (MAX_ADVANCE_DAYS * 86_400) as f64 {
        return Err(problem(format!(
            "is more than {MAX_ADVANCE_DAYS} days: {text:?}"
        )));
    }
    Ok(seconds.trunc() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_move_is_an_iso_duration_in_days_and_time() {
        assert_eq!(parse_advance("advance", "PT26H"), Ok(26 * 3600));
        assert_eq!(parse_advance("advance", "P1D"), Ok(86_400));
        assert_eq!(parse_advance("advance", "P1DT2H30M"), Ok(86_400 + 9_000));
        assert_eq!(parse_advance("advance", "PT90S"), Ok(90));
        assert_eq!(parse_advance("advance", "P1W"), Ok(7 * 86_400));
        assert_eq!(parse_advance("advance", "-PT1H"), Ok(-3600));
        assert_eq!(
            parse_advance("advance", "26h"),
            Ok(26 * 3600),
            "jiff's friendly form too"
        );
        for bad in ["", "P1M", "P1Y", "PT", "P99999D", "tomorrow"] {
            let refused = parse_advance("advance", bad).unwrap_err();
            assert_eq!(refused.field, "advance", "{bad}");
        }
    }

    #[test]
    fn a_clock_runs_at_its_speed_from_its_anchor() {
        let start = KstDateTime::parse("t", "2026-12-08 09:00:00").unwrap();
        let real = ClockAnchor {
            real_ms: 1_000_000,
            at: start,
            speed_milli: 1000,
        };
        assert_eq!(real.now_at(1_000_000), start);
        assert_eq!(real.now_at(1_061_500), start.plus_seconds(61));
        assert_eq!(real.now_at(999_000), start, "never before its anchor");
        let fast = ClockAnchor {
            speed_milli: 1_440_000,
            ..real
        };
        assert_eq!(
            fast.now_at(1_060_000),
            KstDateTime::parse("t", "2026-12-09 09:00:00").unwrap(),
            "a day a minute"
        );
        let still = ClockAnchor {
            speed_milli: 0,
            ..real
        };
        assert_eq!(still.now_at(9_000_000), start);
        let moved = real.moved_to(start.plus_seconds(3600), 2_000_000);
        assert_eq!(moved.now_at(2_000_000), start.plus_seconds(3600));
        assert_eq!(moved.speed_milli, 1000);
    }

    #[test]
    fn a_clock_moves_only_forward() {
        let start = KstDateTime::parse("t", "2026-12-08 09:00:00").unwrap();
        let clock = ClockAnchor {
            real_ms: 0,
            at: start,
            speed_milli: 1000,
        };
        // Ten real seconds later it shows 09:00:10; a day ahead from there.
        let moved = clock.moved(ClockMove::By(86_400), 10_000).unwrap();
        assert_eq!(moved.from, start.plus_seconds(10));
        assert_eq!(moved.to.now_at(10_000), start.plus_seconds(86_410));
        assert_eq!(
            clock.moved(ClockMove::To(start), 10_000),
            Err(ClockBackwards {
                shown: start.plus_seconds(10),
                asked: start
            })
        );
        assert!(clock.moved(ClockMove::By(-1), 10_000).is_err());
        assert!(clock.moved(ClockMove::By(0), 10_000).is_ok(), "staying put");
    }

    #[test]
    fn a_clock_changes_speed_where_it_stands() {
        let start = KstDateTime::parse("t", "2026-12-08 09:00:00").unwrap();
        let fast = ClockAnchor {
            real_ms: 0,
            at: start,
            speed_milli: 1_440_000,
        };
        // A real second later it shows 09:24:00; from there it runs at real speed.
        let slowed = fast.moved(ClockMove::Speed(1000), 1_000).unwrap();
        assert_eq!(slowed.from, start.plus_seconds(1440));
        assert_eq!(slowed.to.now_at(1_000), start.plus_seconds(1440));
        assert_eq!(slowed.to.now_at(3_000), start.plus_seconds(1442));
    }
}
