//! Protium: a schema-driven backend-as-a-service speaking the Hydrogen client API.
//!
//! Layers, each depending only on those to its right:
//! `startup → api → { auth, records } → { store, query } → { schema, domain }`.
//! `config` is read only by `startup`. See `docs/ARCHITECTURE.md`.

pub mod admin;
pub mod api;
pub mod auth;
pub mod config;
pub mod domain;
pub mod notify;
pub mod query;
pub mod records;
pub mod schema;
pub mod startup;
pub mod store;
pub mod telemetry;
