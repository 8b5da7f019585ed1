//! The scenario sandbox (`ssg-claims sandbox`): what it records of every vendor call, feed
//! read and acknowledged webhook delivery (`record`, written by `log`), the triggers and traps a scenario
//! arms on the vendor calls (`hooks`), and the report — what an integration received, when,
//! and what it missed or did that would have hurt a customer (`report`, worked out by pure
//! functions from what `truth` reads of the store and the log).

pub mod hooks;
pub mod log;
pub mod record;
pub mod report;
pub mod truth;
