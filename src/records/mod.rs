//! Records: one object engine for every object type — the user profile and each
//! data table. Validates input against the type, enforces who may read and write
//! each row and field, applies update operators, shapes output (`keys`,
//! `expand`, pointers) and calls the store. What differs between the profile and
//! a table is data on the [`crate::schema::ObjectType`], not a second path.
//!
//! Rules: every request loads the live schema once; output contains only fields
//! the viewer may read; filters, sorting and key selection may name only such
//! fields, so a query cannot reveal a private value; writes are checked field by
//! field before any storage call and re-checked under the row's lock. Results
//! are typed: wire shapes and HTTP statuses belong to the API layer.

mod aggregate;
mod attach;
mod audit;
mod batch;
mod bulk;
mod changes;
mod counters;
mod error;
mod feed_cursor;
mod fields;
mod findable;
mod generated;
mod guards;
mod last_active;
mod list;
mod owner_deleted;
mod prepare;
mod present;
mod relations;
mod service;
mod shape;
mod signup;
mod update_ops;
mod upsert;
mod who;
mod write;

pub use aggregate::AggregateParams;
pub use batch::{
    BatchOperation, BatchOutcome, BatchPage, BatchParams, CreateOutcome, RowOutcome, MAX_BATCH,
};
pub use bulk::BulkStatus;
pub use changes::{ChangePage, Deletion, MultiPage};
pub use error::RecordsError;
pub use list::{parse_page, ListParams, ListResult};
pub use service::{Records, Target};
pub use signup::Required;
pub use who::{Role, Viewer, Who};
