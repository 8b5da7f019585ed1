//! What a request's handlers tell the access log: the vendor, the result code, and the
//! cause of a failure that is ours — logged once, by the access log, whatever surface
//! answered.

use std::sync::{Arc, OnceLock};

use axum::http::Extensions;

/// What handlers learn of a request that the access log and the metrics report. Each is
/// set at most once.
#[derive(Debug, Default)]
pub struct Notes {
    vendor: OnceLock<String>,
    result_code: OnceLock<&'static str>,
}

impl Notes {
    /// The notes of the request with these extensions, when it passed through the access log.
    pub fn of(extensions: &Extensions) -> Option<Arc<Notes>> {
        extensions.get::<Arc<Notes>>().cloned()
    }

    pub fn vendor(&self, id: &str) {
        let _ = self.vendor.set(id.to_owned());
    }

    pub fn result_code(&self, code: &'static str) {
        let _ = self.result_code.set(code);
    }

    /// The result code noted, or "".
    pub fn noted_result_code(&self) -> &'static str {
        self.result_code.get().copied().unwrap_or("")
    }

    /// The vendor noted, or "".
    pub fn noted_vendor(&self) -> &str {
        self.vendor.get().map_or("", String::as_str)
    }
}

/// Why a request failed on our side (the database unreachable, a bug): carried in the
/// answer's extensions from whichever surface answered to the access log, which logs it
/// once in the request's span. The answer itself never shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// The database could not be reached (a warning), or anything else (an error).
    pub unavailable: bool,
    /// What happened, for operators.
    pub detail: String,
}

impl Cause {
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Cause {
            unavailable: true,
            detail: detail.into(),
        }
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        Cause {
            unavailable: false,
            detail: detail.into(),
        }
    }

    /// Logs the cause, once, as its kind deserves.
    pub fn log(&self) {
        if self.unavailable {
            tracing::warn!(error = %self.detail, "the database is unavailable");
        } else {
            tracing::error!(error = %self.detail, "the request failed");
        }
    }
}
