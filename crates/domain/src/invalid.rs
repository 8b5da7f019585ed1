use std::fmt;

/// A value that breaks a domain rule, with the name of the field it came from.
///
/// `field` uses the wire names (`ordNo`, `items[1].qty`) so that an error shown to a caller
/// points at what they sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue {
    pub field: String,
    pub problem: String,
}

impl InvalidValue {
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            problem: problem.into(),
        }
    }

    /// The same problem, reported under a more specific field name
    /// (`qty` becomes `items[2].qty`).
    pub fn at(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for InvalidValue {}
