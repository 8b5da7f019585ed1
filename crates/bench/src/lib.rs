//! Benchmarks of `ssg-claims`: a realistic dataset loaded through each store's bulk path,
//! closed-loop HTTP load against the real server, and the raw database limit — the store's
//! own inquiry SQL in a tight loop through the same driver — to compare it with.
//!
//! Invariant: only loopback addresses, and every load loop is bounded in time and count.

pub mod dataset;
pub mod events;
pub mod http;
pub mod lists;
pub mod load;
pub mod measure;
pub mod raw;
pub mod run;
pub mod sandbox;
pub mod scenarios;
pub mod server;
