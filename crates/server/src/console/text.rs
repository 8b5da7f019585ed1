//! How the console writes values for people: words in the page's language, codes by
//! their names, won amounts, dates as date inputs take them, and text for a query string.

use claims_domain::KstDate;
use claims_wire::Lang;

/// Words in the page's language.
pub(crate) trait Words {
    fn t<'a>(self, ko: &'a str, en: &'a str) -> &'a str;
}

impl Words for Lang {
    fn t<'a>(self, ko: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ko => ko,
            Lang::En => en,
        }
    }
}

/// What a query string may hold as it is: unreserved characters, and `/` so that a `next`
/// path stays readable.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// `text` for a query string: everything else percent-encoded.
pub(crate) fn percent(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, QUERY_VALUE).to_string()
}

/// `2026-11-21`, as date inputs want it.
pub(crate) fn iso(date: KstDate) -> String {
    let compact = date.compact();
    format!("{}-{}-{}", &compact[..4], &compact[4..6], &compact[6..])
}

/// A code's name: SSG's Korean, or the English one.
pub(crate) fn code_name(lang: Lang, korean: &str, english: &str) -> String {
    match lang {
        Lang::Ko => korean.to_owned(),
        Lang::En => english.to_owned(),
    }
}

/// A won amount as people read it: `12,300원` / `₩12,300`.
pub(crate) fn won(lang: Lang, amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if amount < 0 { "-" } else { "" };
    match lang {
        Lang::Ko => format!("{sign}{grouped}원"),
        Lang::En => format!("{sign}₩{grouped}"),
    }
}

/// How long `seconds` is, as people say it of a wait: `35분`, `5시간`, `3일` (whole units,
/// rounded down; under a minute is `1분`).
pub(crate) fn age(lang: Lang, seconds: i64) -> String {
    let minutes = (seconds / 60).max(1);
    let (n, ko, en) = if minutes < 60 {
        (minutes, "분", "min")
    } else if minutes < 48 * 60 {
        (minutes / 60, "시간", "h")
    } else {
        (minutes / (24 * 60), "일", "d")
    };
    match lang {
        Lang::Ko => format!("{n}{ko}"),
        Lang::En => format!("{n} {en}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_as_people_say_them() {
        assert_eq!(age(Lang::Ko, 5), "1분");
        assert_eq!(age(Lang::Ko, 35 * 60), "35분");
        assert_eq!(age(Lang::Ko, 5 * 3600 + 59 * 60), "5시간");
        assert_eq!(age(Lang::Ko, 47 * 3600), "47시간");
        assert_eq!(age(Lang::Ko, 3 * 86_400 + 3600), "3일");
        assert_eq!(age(Lang::En, 3 * 86_400), "3 d");
        assert_eq!(won(Lang::Ko, 1_234_500), "1,234,500원");
    }
}
