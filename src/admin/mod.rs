//! Admin services: what the admin API, the console and the command line do
//! beyond a client's rights — the live schema's lifecycle, schema evolution,
//! users and records as admins see them — each write audited in its own
//! transaction.

mod schema_control;

pub use schema_control::{node_name, FileWatcher, LoadError, Reloaded, SchemaControl};
