//! The floor below the surfaces: what the vendor API, the platform API, the console and the
//! background work all stand on. The node's state and settings, credentials, the words of
//! every refusal, SSG's envelope, events as vendors receive them, the guard in front of
//! every surface, kept answers and the metrics.
//!
//! Nothing here imports a surface (`vendor_api`, `ssg_calls`, `platform`, `console`) or
//! the background work (`work`); `tests/floors.rs` holds every file to that.

pub mod answers;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod due;
pub mod envelope;
pub mod events;
pub mod limits;
pub mod metrics;
pub mod notes;
pub mod problem;
pub mod sandbox;
pub mod settings;
pub mod sign_ins;
pub mod state;
