//! Korean Standard Time: calendar dates, instants at second precision, and the inquiry period.
//!
//! SSG writes every date and time in KST (Asia/Seoul). Instants are kept as UTC timestamps
//! and turned into KST only at the edges, through the time zone database bundled into the
//! binary, so the result never depends on the host's zone files or `TZ`.

use std::fmt;
use std::sync::LazyLock;

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use crate::InvalidValue;

static SEOUL: LazyLock<TimeZone> = LazyLock::new(|| {
    TimeZone::get("Asia/Seoul").expect("the bundled time zone database holds Asia/Seoul")
});

/// The Asia/Seoul time zone.
pub fn seoul() -> &'static TimeZone {
    &SEOUL
}

/// A calendar date in KST.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KstDate(Date);

/// Why a `yyyymmdd` date was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// Not eight ASCII digits.
    NotEightDigits,
    /// Eight digits, but no such day (`20261131`).
    NoSuchDay,
}

impl KstDate {
    /// Parses SSG's compact form `yyyymmdd`: exactly eight digits naming a real day.
    pub fn parse_compact(value: &str) -> Result<Self, DateError> {
        let bytes = value.as_bytes();
        if bytes.len() != 8 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(DateError::NotEightDigits);
        }
        let number = |range: std::ops::Range<usize>| {
            bytes[range]
                .iter()
                .fold(0i32, |n, b| n * 10 + i32::from(b - b'0'))
        };
        let (year, month, day) = (number(0..4), number(4..6), number(6..8));
        if year == 0 {
            return Err(DateError::NoSuchDay);
        }
        Date::new(year as i16, month as i8, day as i8)
            .map(KstDate)
            .map_err(|_| DateError::NoSuchDay)
    }

    pub fn from_ymd(year: i16, month: i8, day: i8) -> Option<Self> {
        Date::new(year, month, day).ok().map(KstDate)
    }

    /// The KST calendar date of an instant.
    pub fn of(instant: KstDateTime) -> Self {
        KstDate(instant.civil().date())
    }

    /// The first second of this day in KST.
    pub fn start(self) -> KstDateTime {
        let zoned = self
            .0
            .to_zoned(seoul().clone())
            .expect("every date of jiff's range has a start of day in Asia/Seoul");
        KstDateTime(zoned.timestamp())
    }

    /// The day `days` after this one (before it when negative).
    /// Whether it is a Monday to Friday (holidays are not known here).
    pub fn is_weekday(self) -> bool {
        !matches!(
            self.0.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        )
    }

    pub fn plus_days(self, days: i32) -> Self {
        KstDate(
            self.0
                .checked_add(days.days())
                .expect("date arithmetic stays within jiff's range"),
        )
    }

    /// Whole days from `self` to `later` (negative when `later` comes first).
    pub fn days_until(self, later: KstDate) -> i32 {
        // `Date - Date` yields a span in days; days between dates of jiff's range fit in i32.
        let span = later.0 - self.0;
        span.get_days()
    }

    /// `yyyymmdd`.
    pub fn compact(self) -> String {
        format!(
            "{:04}{:02}{:02}",
            self.0.year(),
            self.0.month(),
            self.0.day()
        )
    }
}

impl fmt::Debug for KstDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for KstDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An instant at whole-second precision: an absolute point in time, held as UTC (seconds
/// since the Unix epoch, as the stores keep it), and *shown* in KST as
/// `yyyy-MM-dd HH:mm:ss`. The name says how it is written on the wire, not what it holds:
/// comparing, storing and doing arithmetic on it never involves the time zone; only
/// [`KstDateTime::to_wire`], [`KstDateTime::parse`] and [`KstDate::of`] do.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KstDateTime(Timestamp);

impl KstDateTime {
    /// The length of the wire form, `yyyy-MM-dd HH:mm:ss`.
    pub const WIRE_LEN: usize = 19;

    /// The instant `seconds` after the Unix epoch, or `None` outside the supported range
    /// (years 1 to 9999 in KST).
    pub fn from_unix_seconds(seconds: i64) -> Option<Self> {
        // Keep to instants whose KST calendar form has four-digit years.
        const MIN: i64 = -62_135_596_800 - 9 * 3600 + 86_400; // 0001-01-02 UTC, safely positive in KST
        const MAX: i64 = 253_402_300_799 - 9 * 3600; // 9999-12-31 23:59:59 KST
        if !(MIN..=MAX).contains(&seconds) {
            return None;
        }
        Timestamp::from_second(seconds).ok().map(KstDateTime)
    }

    /// Truncates a timestamp to the second (a clock reading, for example).
    pub fn from_timestamp(timestamp: Timestamp) -> Self {
        let seconds = timestamp.as_second();
        Self::from_unix_seconds(seconds)
            .unwrap_or_else(|| panic!("timestamp {timestamp} is outside the years 1 to 9999"))
    }

    pub fn unix_seconds(self) -> i64 {
        self.0.as_second()
    }

    pub fn timestamp(self) -> Timestamp {
        self.0
    }

    /// This instant `seconds` later (earlier when negative).
    pub fn plus_seconds(self, seconds: i64) -> Self {
        Self::from_unix_seconds(self.unix_seconds() + seconds)
            .expect("instant arithmetic stays within the years 1 to 9999")
    }

    fn civil(self) -> DateTime {
        seoul().to_offset(self.0).to_datetime(self.0)
    }

    /// Parses `yyyy-MM-dd HH:mm:ss` read as KST.
    pub fn parse(field: &str, value: &str) -> Result<Self, InvalidValue> {
        let invalid = || {
            InvalidValue::new(
                field,
                format!("must be a KST date-time written yyyy-MM-dd HH:mm:ss, got {value:?}"),
            )
        };
        let b = value.as_bytes();
        if b.len() != Self::WIRE_LEN
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b' '
            || b[13] != b':'
            || b[16] != b':'
        {
            return Err(invalid());
        }
        let number = |range: std::ops::Range<usize>| -> Option<i32> {
            b[range].iter().try_fold(0i32, |n, c| {
                c.is_ascii_digit().then(|| n * 10 + i32::from(c - b'0'))
            })
        };
        let parts = (
            number(0..4),
            number(5..7),
            number(8..10),
            number(11..13),
            number(14..16),
            number(17..19),
        );
        let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s)) = parts else {
            return Err(invalid());
        };
        if y == 0 {
            return Err(invalid());
        }
        let civil = DateTime::new(y as i16, mo as i8, d as i8, h as i8, mi as i8, s as i8, 0)
            .map_err(|_| invalid())?;
        // A wall-clock time that KST skipped or repeated (only in 1987-88) resolves the way
        // RFC 5545 does: the earlier offset for repeated times, shifted forward for gaps.
        let timestamp = seoul()
            .to_ambiguous_timestamp(civil)
            .compatible()
            .map_err(|_| invalid())?;
        Self::from_unix_seconds(timestamp.as_second()).ok_or_else(invalid)
    }

    /// Writes the wire form `yyyy-MM-dd HH:mm:ss` into `out` (exactly 19 bytes, ASCII).
    pub fn write_wire(self, out: &mut [u8; Self::WIRE_LEN]) {
        let dt = self.civil();
        let put = |out: &mut [u8; Self::WIRE_LEN], at: usize, width: usize, mut value: i32| {
            for i in (at..at + width).rev() {
                out[i] = b'0' + (value % 10) as u8;
                value /= 10;
            }
        };
        put(out, 0, 4, i32::from(dt.year()));
        out[4] = b'-';
        put(out, 5, 2, i32::from(dt.month()));
        out[7] = b'-';
        put(out, 8, 2, i32::from(dt.day()));
        out[10] = b' ';
        put(out, 11, 2, i32::from(dt.hour()));
        out[13] = b':';
        put(out, 14, 2, i32::from(dt.minute()));
        out[16] = b':';
        put(out, 17, 2, i32::from(dt.second()));
    }

    /// The wire form as a string.
    pub fn to_wire(self) -> String {
        let mut buf = [0u8; Self::WIRE_LEN];
        self.write_wire(&mut buf);
        buf.iter().map(|&b| b as char).collect()
    }
}

impl fmt::Debug for KstDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} KST", self.to_wire())
    }
}

impl fmt::Display for KstDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_wire())
    }
}

/// The period of an inquiry: whole KST days from `start` to `end`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    start: KstDate,
    end: KstDate,
}

/// Why a period was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodError {
    /// The start date comes after the end date.
    StartAfterEnd,
    /// The period covers more calendar days than `max`; `days` is how many.
    TooLong { days: i32, max: i32 },
}

impl Period {
    /// The most calendar days one inquiry may cover: `end - start` is at most 6.
    pub const MAX_DAYS: i32 = 7;

    pub fn new(start: KstDate, end: KstDate) -> Result<Self, PeriodError> {
        Self::spanning(start, end, Self::MAX_DAYS)
    }

    /// A period of at most `max_days` calendar days (SSG's shipping lists take 180, its
    /// cancel requests 8: today−7 to today).
    pub fn spanning(start: KstDate, end: KstDate, max_days: i32) -> Result<Self, PeriodError> {
        let apart = start.days_until(end);
        if apart < 0 {
            return Err(PeriodError::StartAfterEnd);
        }
        if apart >= max_days {
            return Err(PeriodError::TooLong {
                days: apart + 1,
                max: max_days,
            });
        }
        Ok(Self { start, end })
    }

    pub fn start(self) -> KstDate {
        self.start
    }

    pub fn end(self) -> KstDate {
        self.end
    }

    /// The instants covered: from `start 00:00:00` KST included to the first second of the
    /// day after `end` excluded (so `end 23:59:59` is the last second inside).
    pub fn bounds(self) -> (KstDateTime, KstDateTime) {
        (self.start.start(), self.end.plus_days(1).start())
    }

    /// Whether `instant` falls inside the period.
    pub fn contains(self, instant: KstDateTime) -> bool {
        let (from, until) = self.bounds();
        from <= instant && instant < until
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> KstDate {
        KstDate::parse_compact(s).unwrap()
    }

    #[test]
    fn compact_dates_must_be_real_days() {
        assert_eq!(date("20261128").compact(), "20261128");
        assert_eq!(date("20240229").compact(), "20240229");
        assert_eq!(
            KstDate::parse_compact("20261131"),
            Err(DateError::NoSuchDay)
        );
        assert_eq!(
            KstDate::parse_compact("20230229"),
            Err(DateError::NoSuchDay)
        );
        assert_eq!(
            KstDate::parse_compact("00000101"),
            Err(DateError::NoSuchDay)
        );
        for bad in [
            "2026-11-28",
            "2026112",
            "202611288",
            "2026112a",
            "",
            " 20261128",
            "２０２６１１２８",
        ] {
            assert_eq!(
                KstDate::parse_compact(bad),
                Err(DateError::NotEightDigits),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn kst_is_nine_hours_ahead_of_utc() {
        let midnight = date("20261122").start();
        // 2026-11-22 00:00:00 KST is 2026-11-21 15:00:00 UTC.
        assert_eq!(midnight.unix_seconds(), 1_795_273_200);
        assert_eq!(midnight.to_wire(), "2026-11-22 00:00:00");
        assert_eq!(KstDate::of(midnight), date("20261122"));
        assert_eq!(KstDate::of(midnight.plus_seconds(-1)), date("20261121"));
    }

    #[test]
    fn wire_date_times_round_trip() {
        for text in [
            "2026-11-22 10:02:11",
            "2026-11-22 00:00:00",
            "2026-11-22 23:59:59",
            "1999-12-31 23:59:59",
            "2000-02-29 12:00:00",
        ] {
            let instant = KstDateTime::parse("ordRcpDts", text).unwrap();
            assert_eq!(instant.to_wire(), text);
        }
        for bad in [
            "2026-11-22T10:02:11",
            "2026-11-31 10:00:00",
            "2026-11-22 24:00:00",
            "2026-11-22 10:02",
            "2026-11-22 10:02:1x",
            "+026-11-22 10:02:11",
        ] {
            assert!(KstDateTime::parse("ordRcpDts", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn periods_cover_at_most_seven_calendar_days() {
        assert!(Period::new(date("20261122"), date("20261128")).is_ok());
        assert!(Period::new(date("20261122"), date("20261122")).is_ok());
        assert_eq!(
            Period::new(date("20261122"), date("20261129")),
            Err(PeriodError::TooLong { days: 8, max: 7 })
        );
        assert_eq!(
            Period::new(date("20261128"), date("20261122")),
            Err(PeriodError::StartAfterEnd)
        );
        // Across a month and a year end.
        assert!(Period::new(date("20261228"), date("20270103")).is_ok());
        assert!(Period::new(date("20261228"), date("20270104")).is_err());
    }

    #[test]
    fn period_bounds_include_the_last_second_of_the_end_day() {
        let period = Period::new(date("20261122"), date("20261128")).unwrap();
        let first = KstDateTime::parse("t", "2026-11-22 00:00:00").unwrap();
        let last = KstDateTime::parse("t", "2026-11-28 23:59:59").unwrap();
        assert!(period.contains(first));
        assert!(period.contains(last));
        assert!(!period.contains(first.plus_seconds(-1)));
        assert!(!period.contains(last.plus_seconds(1)));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Any day from 2000 to 2099.
        fn day() -> impl Strategy<Value = KstDate> {
            (0i32..36_500).prop_map(|n| date("20000101").plus_days(n))
        }

        proptest! {
            /// A period is valid exactly when it runs forward over at most seven calendar
            /// days, and then holds exactly the instants of its days in KST.
            #[test]
            fn periods_are_one_to_seven_kst_days(
                start in day(),
                apart in -3i32..12,
                probe in -2i32..10,
                second in 0i64..86_400,
            ) {
                let end = start.plus_days(apart);
                match Period::new(start, end) {
                    Ok(period) => {
                        prop_assert!((0..=6).contains(&apart));
                        let (from, until) = period.bounds();
                        prop_assert_eq!(from, start.start());
                        prop_assert_eq!(until, end.plus_days(1).start());
                        prop_assert!(period.contains(until.plus_seconds(-1)));
                        prop_assert!(!period.contains(until));
                        let instant = start.plus_days(probe).start().plus_seconds(second);
                        let inside = (0..=apart).contains(&probe);
                        prop_assert_eq!(period.contains(instant), inside);
                        prop_assert_eq!(KstDate::of(instant), start.plus_days(probe));
                    }
                    Err(PeriodError::StartAfterEnd) => prop_assert!(apart < 0),
                    Err(PeriodError::TooLong { days, .. }) => {
                        prop_assert!(apart >= 7);
                        prop_assert_eq!(days, apart + 1);
                    }
                }
            }

            /// Compact dates read back as themselves; anything else is refused, never
            /// misread.
            #[test]
            fn compact_dates_round_trip(start in day(), noise in "[0-9]{0,10}") {
                let compact = start.compact();
                prop_assert_eq!(KstDate::parse_compact(&compact), Ok(start));
                if let Ok(parsed) = KstDate::parse_compact(&noise) {
                    prop_assert_eq!(parsed.compact(), noise);
                }
            }
        }
    }
}
