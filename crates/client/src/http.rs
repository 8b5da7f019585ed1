//! One inquiry over HTTP, with timeouts and retries.

use std::time::Duration;

use claims_wire::{Format, InquiryRequest, ResultCode, WireRow, decode_answer, encode_request};
use rand::Rng;

/// What the client needs to reach an inquiry endpoint.
#[derive(Clone)]
pub struct ClientConfig {
    /// The site, such as `https://eapi.ssgadm.com` or `http://127.0.0.1:8080`.
    pub base_url: String,
    /// The vendor API key.
    pub key: String,
    /// The format of requests and answers.
    pub format: Format,
    /// Sent as `Accept-Language`: `en` asks for English `resultDesc`; `None` leaves
    /// the server's default (Korean).
    pub language: Option<String>,
    /// The longest one attempt may take.
    pub timeout: Duration,
    /// Attempts after the first, for failures that may pass.
    pub retries: u32,
    /// The first backoff; it doubles with each retry, with jitter, up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("key", &"..")
            .field("format", &self.format)
            .field("language", &self.language)
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .finish()
    }
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, key: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            key: key.into(),
            format: Format::Json,
            language: None,
            timeout: Duration::from_secs(30),
            retries: 5,
            backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(10),
        }
    }
}

/// Why an inquiry failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The server refused the request itself (result codes 10–16); retrying cannot help.
    #[error("the server refused the request (result code {code}): {desc}")]
    Rejected { code: String, desc: String },
    /// The key was refused (result code 20).
    #[error("the API key was refused (result code 20): {desc}")]
    Unauthorized { desc: String },
    /// Still rate limited (result code 29, HTTP 429) after every retry.
    #[error("still rate limited after {attempts} attempts: {desc}")]
    RateLimited { attempts: u32, desc: String },
    /// The service stayed unavailable (result code 90, HTTP 502–504) through every retry.
    #[error("the service stayed unavailable through {attempts} attempts: {desc}")]
    Unavailable { attempts: u32, desc: String },
    /// The server failed (result code 91 or an unexpected status).
    #[error("the server failed (HTTP {status}, result code {code}): {desc}")]
    Server {
        status: u16,
        code: String,
        desc: String,
    },
    /// No answer: connection refused or cut, timed out.
    #[error("no answer after {attempts} attempts: {detail}")]
    Network { attempts: u32, detail: String },
    /// An answer that could not be read.
    #[error("the answer could not be read: {0}")]
    Unreadable(String),
}

/// One attempt's outcome, before retries are decided.
enum Attempt {
    Rows(Vec<WireRow>),
    /// May pass; wait at least this long (from `Retry-After`) before the next attempt.
    Retry {
        error: ClientError,
        after: Option<Duration>,
    },
    Fail(ClientError),
}

/// An inquiry client for one key and site.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    config: ClientConfig,
    url: String,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("ssg-claims/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| ClientError::Network {
                attempts: 0,
                detail: format!("cannot build an HTTP client: {err}"),
            })?;
        let url = format!(
            "{}/api/clm/cncl/ord/inquiry.ssg",
            config.base_url.trim_end_matches('/')
        );
        Ok(Self { http, config, url })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Runs one inquiry, retrying what may pass: rate limits (honouring `Retry-After`),
    /// unavailability and lost connections. Refusals are returned at once.
    pub async fn inquire(&self, request: &InquiryRequest) -> Result<Vec<WireRow>, ClientError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.attempt(request, attempt).await {
                Attempt::Rows(rows) => return Ok(rows),
                Attempt::Fail(error) => return Err(error),
                Attempt::Retry { error, after } => {
                    if attempt > self.config.retries {
                        return Err(error);
                    }
                    tokio::time::sleep(self.delay(attempt, after)).await;
                }
            }
        }
    }

    /// The wait before retry `attempt` (1-based): `Retry-After` when the server gave one,
    /// else exponential backoff with full jitter.
    fn delay(&self, attempt: u32, after: Option<Duration>) -> Duration {
        if let Some(after) = after {
            return after.min(Duration::from_secs(120));
        }
        let exponential = self
            .config
            .backoff
            .saturating_mul(1 << attempt.saturating_sub(1).min(16))
            .min(self.config.max_backoff);
        exponential.mul_f64(rand::rng().random_range(0.5..=1.0))
    }

    async fn attempt(&self, request: &InquiryRequest, attempt: u32) -> Attempt {
        let format = self.config.format;
        let mut post = self
            .http
            .post(&self.url)
            .header("Authorization", self.config.key.as_str())
            .header("Content-Type", format.media_type())
            .header("Accept", format.media_type());
        if let Some(language) = &self.config.language {
            post = post.header("Accept-Language", language.as_str());
        }
        let sent = post.body(encode_request(format, request)).send().await;
        let response = match sent {
            Ok(response) => response,
            Err(err) => {
                return Attempt::Retry {
                    error: ClientError::Network {
                        attempts: attempt,
                        detail: describe(&err),
                    },
                    after: None,
                };
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(err) => {
                return Attempt::Retry {
                    error: ClientError::Network {
                        attempts: attempt,
                        detail: format!("the answer was cut: {}", describe(&err)),
                    },
                    after: None,
                };
            }
        };
        let answer = match decode_answer(format, &body) {
            Ok(answer) => answer,
            // A gateway in front of the service may answer in its own way.
            Err(_) if matches!(status, 429 | 502..=504) => {
                let error = if status == 429 {
                    ClientError::RateLimited {
                        attempts: attempt,
                        desc: format!("HTTP {status}"),
                    }
                } else {
                    ClientError::Unavailable {
                        attempts: attempt,
                        desc: format!("HTTP {status}"),
                    }
                };
                return Attempt::Retry {
                    error,
                    after: retry_after,
                };
            }
            Err(err) => {
                return Attempt::Fail(ClientError::Unreadable(format!("HTTP {status}: {err}")));
            }
        };
        let desc = answer.result_desc.clone();
        let code = ResultCode::from_code(&answer.result_code);
        match code {
            Some(ResultCode::Success) => Attempt::Rows(answer.rows),
            Some(ResultCode::RateLimited) => Attempt::Retry {
                error: ClientError::RateLimited {
                    attempts: attempt,
                    desc,
                },
                after: retry_after,
            },
            Some(ResultCode::Unavailable) => Attempt::Retry {
                error: ClientError::Unavailable {
                    attempts: attempt,
                    desc,
                },
                after: retry_after,
            },
            Some(ResultCode::AuthFailed) => Attempt::Fail(ClientError::Unauthorized { desc }),
            Some(code) if code.is_refusal() => Attempt::Fail(ClientError::Rejected {
                code: code.as_str().to_owned(),
                desc,
            }),
            _ => Attempt::Fail(ClientError::Server {
                status,
                code: answer.result_code,
                desc,
            }),
        }
    }
}

/// A transport error in one line, with its causes.
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "cannot connect".to_owned()
    } else {
        error.to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
