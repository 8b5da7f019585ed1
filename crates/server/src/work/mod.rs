//! Work a `serve` node does apart from any request: webhook dispatch, housekeeping,
//! membership among the nodes, and work that falls due at a time (`schedule`). Each is a task `serve` owns, bounded and cancelled on
//! shutdown, its state in the store so that another node can take over. Work calls the
//! same store and floor (`app`) that the surfaces call — never a surface.

pub mod housekeeping;
pub mod membership;
pub mod schedule;
pub mod webhooks;
