//! A vendor's client for SSG's canceled-order inquiry, for the real SSG or `ssg-claims`.
//!
//! SSG answers at most seven days per request. [`Client::fetch_range`] reads any range in
//! seven-day windows with bounded concurrency, retries what may pass (rate limits, honouring
//! `Retry-After`; unavailability; lost connections) and never what cannot (refusals),
//! de-duplicates on (`ordNo`, `ordItemSeq`) and returns rows in the API's order — or, if any
//! window still failed, an error naming every such window and no rows at all. [`sync`] adds
//! incremental runs that emit each row once.
//!
//! Invariant: no server code. The wire shapes come from `claims-wire`, dates from
//! `claims-domain`; the rest is HTTP.

pub mod feed;
mod http;
mod range;
pub mod sync;

pub use http::{Client, ClientConfig, ClientError};
pub use range::{Filter, RangeError, Window, dedupe, windows};

/// Today in KST, by this machine's clock.
pub fn today() -> claims_domain::KstDate {
    claims_domain::KstDate::of(claims_domain::KstDateTime::from_timestamp(
        jiff::Timestamp::now(),
    ))
}
