//! The change feed (`GET /v1/events`): a vendor's events in order, read with long polls.
//! `ssg-claims cancels --follow` tails it for new claims.

use std::time::Duration;

use claims_wire::WireRow;
use rand::Rng;
use serde::Deserialize;

use crate::{Client, ClientError};

/// A page of the feed.
#[derive(Debug, Clone, Deserialize)]
pub struct EventPage {
    pub events: Vec<FeedEvent>,
    #[serde(rename = "nextCursor")]
    pub next_cursor: String,
    #[serde(rename = "hasMore")]
    pub has_more: bool,
}

/// One event, its rows as sent.
#[derive(Debug, Clone, Deserialize)]
pub struct FeedEvent {
    pub id: String,
    pub sequence: u64,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: Vec<serde_json::Value>,
}

impl FeedEvent {
    /// The rows of a `claim.created` event, as the inquiry writes them; none for others.
    pub fn claim_rows(&self) -> Result<Vec<WireRow>, ClientError> {
        if self.kind != "claim.created" {
            return Ok(Vec::new());
        }
        self.data
            .iter()
            .map(|row| {
                serde_json::from_value(row.clone()).map_err(|err| {
                    ClientError::Unreadable(format!(
                        "event {}: a row that is not a claim row: {err}",
                        self.id
                    ))
                })
            })
            .collect()
    }
}

/// Why reading the feed failed.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// The cursor is older than the feed keeps: read the gap with the inquiry, then start
    /// again without a cursor.
    #[error("the cursor is older than the feed keeps (HTTP 410)")]
    Expired,
    #[error(transparent)]
    Client(#[from] ClientError),
}

impl Client {
    /// One page of the feed after `after` (from the oldest kept event without it), waiting up
    /// to `wait` for an event when there is none yet. Rate limits, unavailability and lost
    /// connections are retried as inquiries are.
    pub async fn events(
        &self,
        after: Option<&str>,
        wait: Duration,
        limit: usize,
    ) -> Result<EventPage, FeedError> {
        let url = format!("{}/v1/events", self.config().base_url.trim_end_matches('/'));
        // The long poll ends well before the request's own timeout.
        let wait = wait.min(self.config().timeout.saturating_sub(Duration::from_secs(5)));
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let mut query = vec![
                ("limit", limit.to_string()),
                ("wait", wait.as_secs().to_string()),
            ];
            if let Some(after) = after {
                query.push(("after", after.to_owned()));
            }
            let sent = self
                .http()
                .get(&url)
                .bearer_auth(&self.config().key)
                .query(&query)
                .send()
                .await;
            let retry = |detail: String, after: Option<Duration>| (detail, after);
            let failure = match sent {
                Err(err) => retry(format!("no answer: {err}"), None),
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get("retry-after")
                        .and_then(|value| value.to_str().ok())
                        .and_then(|value| value.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    match status {
                        200 => {
                            return response.json::<EventPage>().await.map_err(|err| {
                                FeedError::Client(ClientError::Unreadable(format!(
                                    "a feed page: {err}"
                                )))
                            });
                        }
                        410 => return Err(FeedError::Expired),
                        401 | 403 => {
                            let desc = response.text().await.unwrap_or_default();
                            return Err(ClientError::Unauthorized { desc }.into());
                        }
                        429 | 502..=504 => retry(format!("HTTP {status}"), retry_after),
                        _ => {
                            let desc = response.text().await.unwrap_or_default();
                            return Err(ClientError::Server {
                                status,
                                code: String::new(),
                                desc,
                            }
                            .into());
                        }
                    }
                }
            };
            let (detail, retry_after) = failure;
            if attempt > self.config().retries {
                return Err(ClientError::Unavailable {
                    attempts: attempt,
                    desc: detail,
                }
                .into());
            }
            let backoff = retry_after.unwrap_or_else(|| {
                self.config()
                    .backoff
                    .saturating_mul(1 << attempt.saturating_sub(1).min(16))
                    .min(self.config().max_backoff)
                    .mul_f64(rand::rng().random_range(0.5..=1.0))
            });
            tokio::time::sleep(backoff).await;
        }
    }
}
