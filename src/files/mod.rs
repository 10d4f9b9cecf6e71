//! Files (Hydrogen's File API): uploads in two steps — announced, then sent
//! with a single-use authorization — their rows, and the stored bytes.
//! Knows the store and the domain; no actix types.

mod admin_files;
mod categories;
mod error;
mod filter;
mod image_versions;
mod local_storage;
mod name;
mod object_storage;
mod service;
mod sniff;
mod spool;
mod storage;
mod versions;

pub use crate::store::file_categories::{CategoryOrder, CategoryRow};
pub use crate::store::files::{FileOrder, FileRow};
pub use admin_files::Holder;
pub use categories::{Category, CategoryName};
pub use error::FilesError;
pub use filter::{parse_category_where, parse_file_where};
pub use image_versions::{Version, VersionSpec};
pub use name::FileName;
pub use object_storage::ObjectSettings;
pub use service::{Announced, FileSettings, FilesService, Located};
pub use sniff::shown_inline;
pub use spool::Spool;
pub use storage::{StorageSettings, Stored};
