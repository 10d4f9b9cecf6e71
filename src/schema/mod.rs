//! Schema files: reading, checking and compiling the JSON Schema files of
//! `PROTIUM_SCHEMA_DIR` into a typed model. Pure: no I/O beyond reading the files,
//! no database, no HTTP.
//!
//! Rules: one file per object type, named after it (`_userprofile.json` for the user
//! profile). Standard keywords keep their meaning and are enforced by the `jsonschema`
//! crate; what JSON Schema cannot say lives under the one extension keyword
//! [`EXTENSION_KEYWORD`] (see `docs/schema.md`). Any fault stops start-up with the
//! file name and the JSON pointer of the fault.

mod builtin;
mod counters;
mod error;
mod evolution;
mod expr;
mod extension;
mod field;
mod field_checks;
mod field_compile;
mod field_keywords;
mod field_placement;
mod file_compile;
mod file_rules;
mod guards;
mod live;
mod load;
mod object_type;
mod relations;
mod table_rules;

pub use builtin::is_builtin_name;
pub use counters::{Counter, CounterLink};
pub use error::SchemaError;
pub use evolution::{narrowings, Narrowing, NarrowingStep};
pub use expr::{from_cel, now as cel_now, to_cel, Expr};
pub use extension::{
    vocabulary_schema, FieldExtension, FileExtension, FindBy, GeoKind, GuardRefusal, OwnerDeleted,
    ReadRule, TableExtension, WriteRule,
};
pub use field::{nul_path, Builtin, Field, FieldKind, FieldName, PointerTarget};
pub use field_keywords::{ByteLimits, Generator, Mask};
pub use file_compile::compile_file;
pub use file_rules::{FileFacts, FileRules, MediaPattern};
pub use guards::Guard;
pub use live::{LiveSchema, Snapshot};
pub use load::{load_dir, Registry, CREDENTIAL_KEYS};
pub use object_type::{ObjectType, TypeClass, PROFILE_TYPE};
pub use relations::{ReadLinked, Related, ViewerLink, MAX_RELATED};
pub use table_rules::{TableRules, UniqueRule};

/// Most fields one object type may declare (SQLite reads a row through one
/// `json_object` call of at most 1000 arguments).
pub const MAX_FIELDS: usize = 400;

/// The extension keyword holding Protium's own vocabulary.
pub const EXTENSION_KEYWORD: &str = "x-protium";
