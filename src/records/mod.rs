//! Records: the schema-driven objects as the API sees them. Validates input
//! against the object type, enforces who may read and write each field, and
//! calls the store. The user profile (`_userprofile`) is the first such object.
//!
//! Rules: output contains only fields the viewer may read; filters, sorting and
//! key selection may name only such fields, so a query cannot reveal another
//! user's private value; writes are checked field by field before any storage call.

mod access;
mod acl;
mod batch;
mod bulk;
mod catalog;
mod changes;
mod error;
mod list;
mod present;
mod profile;
mod table;
mod table_fields;
mod table_list;
mod update_ops;

pub use access::{Viewer, BUILTIN_FIELDS};
pub use acl::Who;
pub use batch::{BatchOutcome, BatchParams};
pub use catalog::{Catalog, TableEntry};
pub use error::RecordsError;
pub use list::{ListParams, ListResult};
pub use profile::ProfileService;
pub use table::TableService;
pub use table_list::RecordListParams;
