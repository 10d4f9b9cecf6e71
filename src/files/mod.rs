//! Files (Hydrogen's File API): uploads in two steps — announced, then sent
//! with a single-use authorization — their rows, and the stored bytes.
//! Knows the store and the domain; no actix types.

mod error;
mod filter;
mod name;
mod service;
mod sniff;
mod storage;

pub use crate::store::files::{FileOrder, FileRow};
pub use error::FilesError;
pub use filter::parse_file_where;
pub use name::FileName;
pub use service::{Announced, FileSettings, FilesService, Located};
pub use sniff::shown_inline;
pub use storage::Spool;
