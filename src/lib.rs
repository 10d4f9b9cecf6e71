//! Protium: a schema-driven backend-as-a-service speaking the Hydrogen client API.
//!
//! Layers: what each module may import (`startup` and `main` compose them
//! all). `docs/ARCHITECTURE.md` draws the same table, and the layer test
//! (`layers_test.rs`) holds both to what the code imports.
//!
//! | Module | Knows about |
//! |---|---|
//! | `domain/` | nothing |
//! | `schema/` | domain |
//! | `query/` | schema, domain |
//! | `store/` | query, schema, domain |
//! | `notify/` | store, domain |
//! | `auth/` | store, notify, query, schema, domain, config |
//! | `records/` | store, query, schema, domain |
//! | `files/` | store, query, schema, domain |
//! | `admin/` | store, schema, domain |
//! | `api/` | auth, records, files, admin, store, notify, query, schema, domain |
//! | `config/` | domain, notify |

pub mod admin;
pub mod api;
pub mod auth;
pub mod config;
pub mod domain;
pub mod files;
pub mod notify;
pub mod query;
pub mod records;
pub mod schema;
pub mod startup;
pub mod store;
pub mod telemetry;

#[cfg(test)]
#[path = "layers_test.rs"]
mod layers_test;
