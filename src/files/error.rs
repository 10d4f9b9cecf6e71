//! The single error type of the files layer.

use crate::domain::InvalidInput;
use crate::store::StoreError;

/// A file operation failed.
#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    /// Bad input, naming the field.
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// No such file, or not one the caller may see.
    #[error("Not found.")]
    NotFound,
    /// The file is larger than the server takes.
    #[error("file: larger than the {limit} bytes this server takes")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// Keeping the file would pass a quota.
    #[error("file: {0}")]
    Quota(String),
    /// The caller has this many uploads started and not finished.
    #[error(
        "too many uploads started and not finished: at most {0} at a time; send their files or wait until they expire"
    )]
    TooManyPending(i64),
    /// The stored bytes could not be written, read or removed.
    #[error("file storage: {0}")]
    Storage(#[source] std::io::Error),
    /// Files are kept on the local disk, and this database's are on another
    /// node's.
    #[error(
        "PROTIUM_FILE_STORAGE=local keeps uploaded files on one disk, and this database's files \
         are on another node's disk (the one whose data_dir/files/.disk-id is {holder}): this \
         node would not find them. With several nodes set PROTIUM_FILE_STORAGE=s3 and the \
         PROTIUM_S3_* settings (docs/files.md), or mount one shared directory as every node's \
         data_dir/files; a node that replaces that one takes over its data_dir/files whole"
    )]
    OtherDisk {
        /// The name of the disk holding the files.
        holder: String,
    },
    /// The object store refused or could not be reached.
    #[error("file storage: the object store failed: {0}")]
    Objects(#[source] object_store::Error),
    /// Storage of the rows failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
