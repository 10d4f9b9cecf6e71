//! Admin services: what the admin API, the console and the command line do
//! beyond a client's rights — the live schema's lifecycle, schema evolution,
//! users and records as admins see them — each write audited in its own
//! transaction.

mod audit_log;
mod janitor;
mod overview;
mod schema_control;
pub mod schema_ops;

pub use audit_log::AuditLog;
pub use janitor::Janitor;
pub use overview::{DayCount, Overview, OverviewService};
pub use schema_control::{node_name, FileWatcher, LoadError, Reloaded, SchemaControl};
