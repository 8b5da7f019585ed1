//! Free text that is safe to store and to put on either wire format.

use std::fmt;

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::InvalidValue;

/// A piece of human text: a name, an item name, a reason.
///
/// It holds no control characters other than line breaks and tabs where the field allows
/// them, so it can always be written as XML 1.0 and JSON; no character that disguises the
/// text around it ([`is_disguising`]); and it is bounded in length (counted in characters,
/// so Korean text gets the same room as Latin text).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Text(String);

/// What a field accepts.
#[derive(Debug, Clone, Copy)]
pub struct TextRule {
    pub max_chars: usize,
    pub allow_empty: bool,
    pub allow_line_breaks: bool,
}

impl TextRule {
    /// A one-line label such as a name.
    pub const fn line(max_chars: usize) -> Self {
        Self {
            max_chars,
            allow_empty: false,
            allow_line_breaks: false,
        }
    }

    /// Like [`TextRule::line`], but the empty string is allowed.
    pub const fn optional_line(max_chars: usize) -> Self {
        Self {
            max_chars,
            allow_empty: true,
            allow_line_breaks: false,
        }
    }

    /// Several lines, possibly empty (a free-text reason).
    pub const fn paragraph(max_chars: usize) -> Self {
        Self {
            max_chars,
            allow_empty: true,
            allow_line_breaks: true,
        }
    }
}

impl Text {
    /// Checks `value` against `rule`. Surrounding whitespace is kept as given for
    /// paragraphs and trimmed for one-line values.
    pub fn parse(field: &str, value: &str, rule: TextRule) -> Result<Self, InvalidValue> {
        let value = if rule.allow_line_breaks {
            value
        } else {
            value.trim()
        };
        if value.is_empty() && !rule.allow_empty {
            return Err(InvalidValue::new(field, "must not be empty"));
        }
        let mut chars = 0usize;
        for c in value.chars() {
            chars += 1;
            let allowed = !c.is_control()
                || (rule.allow_line_breaks && matches!(c, '\n' | '\r' | '\t'))
                || (!rule.allow_line_breaks && c == '\t');
            if !allowed || is_xml_forbidden(c) {
                return Err(InvalidValue::new(
                    field,
                    format!("contains the control character U+{:04X}", c as u32),
                ));
            }
            if is_disguising(c) {
                return Err(InvalidValue::new(
                    field,
                    format!(
                        "contains the invisible character U+{:04X}, which changes how the text \
                         around it is shown; remove it",
                        c as u32
                    ),
                ));
            }
        }
        if chars > rule.max_chars {
            return Err(InvalidValue::new(
                field,
                format!(
                    "is {chars} characters long; at most {} allowed",
                    rule.max_chars
                ),
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// Wraps text read back from our own store, where it was checked on the way in.
    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Whether `c` changes how the text around it is shown without being seen itself, so that a
/// name or reason could pose as something else on a screen or in a spreadsheet: Unicode's
/// format characters (bidirectional embeddings, overrides and isolates U+202A–U+202E and
/// U+2066–U+2069, marks such as U+200E, zero-width space U+200B, word joiner U+2060, the
/// byte-order mark U+FEFF, tags, …) and the Hangul fillers, which draw nothing. The
/// zero-width joiner and non-joiner (U+200D, U+200C) are allowed: scripts and emoji need them
/// to render correctly.
pub fn is_disguising(c: char) -> bool {
    match c {
        '\u{200C}' | '\u{200D}' => false,
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' => true,
        _ => c.general_category() == GeneralCategory::Format,
    }
}

/// Characters XML 1.0 cannot carry at all, even escaped (the non-characters U+FFFE/U+FFFF).
fn is_xml_forbidden(c: char) -> bool {
    matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_text_is_trimmed_and_bounded() {
        let rule = TextRule::line(4);
        assert_eq!(
            Text::parse("ordpeNm", "  홍길동 ", rule).unwrap().as_str(),
            "홍길동"
        );
        assert!(Text::parse("ordpeNm", "   ", rule).is_err());
        let err = Text::parse("ordpeNm", "가나다라마", rule).unwrap_err();
        assert_eq!(err.field, "ordpeNm");
        assert!(err.problem.contains("5 characters"));
    }

    #[test]
    fn control_characters_are_refused_but_paragraphs_keep_line_breaks() {
        assert!(Text::parse("itemNm", "a\u{1}b", TextRule::line(10)).is_err());
        assert!(Text::parse("itemNm", "a\nb", TextRule::line(10)).is_err());
        assert!(Text::parse("itemNm", "a\u{FFFE}", TextRule::line(10)).is_err());
        let text = Text::parse("clmRsnCntt", "첫 줄\r\n둘째 줄", TextRule::paragraph(100)).unwrap();
        assert_eq!(text.as_str(), "첫 줄\r\n둘째 줄");
    }

    #[test]
    fn characters_that_disguise_text_are_refused_and_named() {
        for c in [
            '\u{202A}',
            '\u{202E}',
            '\u{2066}',
            '\u{2069}',
            '\u{200B}',
            '\u{200E}',
            '\u{2060}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{3164}',
            '\u{E0041}',
        ] {
            let value = format!("홍{c}길동");
            let err = Text::parse("ordpeNm", &value, TextRule::line(10)).unwrap_err();
            assert_eq!(err.field, "ordpeNm");
            assert!(
                err.problem.contains(&format!("U+{:04X}", c as u32)),
                "{}",
                err.problem
            );
        }
        // Joiners shape scripts and emoji; they stay.
        for ok in ["👩\u{200D}💻", "می\u{200C}خواهم", "홍길동", "M&M's"] {
            assert!(
                Text::parse("itemNm", ok, TextRule::line(20)).is_ok(),
                "{ok}"
            );
        }
    }

    #[test]
    fn markup_characters_are_ordinary_text() {
        let text = Text::parse("itemNm", "M&M's <대용량>", TextRule::line(50)).unwrap();
        assert_eq!(text.as_str(), "M&M's <대용량>");
    }
}
