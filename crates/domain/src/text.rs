//! Free text that is safe to store and to put on either wire format.

use std::fmt;

use crate::InvalidValue;

/// A piece of human text: a name, an item name, a reason.
///
/// It holds no control characters other than line breaks and tabs where the field allows
/// them, so it can always be written as XML 1.0 and JSON, and it is bounded in length
/// (counted in characters, so Korean text gets the same room as Latin text).
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
    fn markup_characters_are_ordinary_text() {
        let text = Text::parse("itemNm", "M&M's <대용량>", TextRule::line(50)).unwrap();
        assert_eq!(text.as_str(), "M&M's <대용량>");
    }
}
