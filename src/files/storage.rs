//! Where file bytes are kept: the local disk (one node, nothing to set up)
//! or an S3-compatible object store (any number of nodes). Uploads are
//! spooled locally in both cases ([`super::spool`]).

use std::ops::Range;
use std::path::PathBuf;

use bytes::Bytes;
use futures_util::stream::BoxStream;

use super::error::FilesError;
use super::local_storage::LocalStorage;
use super::object_storage::{ObjectSettings, ObjectStorage};
use super::spool::Spool;

/// Which storage, and where.
#[derive(Debug, Clone)]
pub enum StorageSettings {
    /// Under this directory of the local disk.
    Local(PathBuf),
    /// In this object store.
    Objects(ObjectSettings),
}

/// The storage of file bytes; cheap to clone.
#[derive(Debug, Clone)]
pub enum Storage {
    /// On the local disk.
    Local(LocalStorage),
    /// In an object store.
    Objects(ObjectStorage),
}

/// Where a stored file's bytes can be read.
#[derive(Debug)]
pub enum Stored {
    /// A file on the local disk.
    Path(PathBuf),
    /// An object in the object store.
    Object,
}

impl Storage {
    /// The storage `settings` name.
    pub fn open(settings: &StorageSettings) -> Result<Self, FilesError> {
        Ok(match settings {
            StorageSettings::Local(root) => Self::Local(LocalStorage::open(root.clone())?),
            StorageSettings::Objects(s) => Self::Objects(ObjectStorage::open(s)?),
        })
    }

    /// Keeps a finished spool as the bytes of `id` with `key`.
    pub async fn keep(&self, spool: Spool, id: &str, key: &str) -> Result<(), FilesError> {
        match self {
            Self::Local(local) => local.keep(spool, id, key).await,
            Self::Objects(objects) => objects.keep(spool, id, key).await,
        }
    }

    /// Where the bytes of `id` with `key` are read.
    pub fn stored(&self, id: &str, key: &str) -> Stored {
        match self {
            Self::Local(local) => Stored::Path(local.path_of(id, key)),
            Self::Objects(_) => Stored::Object,
        }
    }

    /// The bytes of `id` with `key` (or a `range` of them) from the object
    /// store; local files are served from their path instead.
    pub async fn read(
        &self,
        id: &str,
        key: &str,
        range: Option<Range<u64>>,
    ) -> Result<BoxStream<'static, Result<Bytes, FilesError>>, FilesError> {
        match self {
            Self::Objects(objects) => objects.read(id, key, range).await,
            Self::Local(_) => Err(FilesError::NotFound),
        }
    }

    /// Removes the bytes of `id` and its versions (missing bytes are no
    /// error).
    pub async fn remove(&self, id: &str) -> Result<(), FilesError> {
        match self {
            Self::Local(local) => local.remove(id).await,
            Self::Objects(objects) => objects.remove(id).await,
        }
    }

    /// The whole file `id` with `key` (for making a version of it).
    pub async fn read_all(&self, id: &str, key: &str) -> Result<Vec<u8>, FilesError> {
        match self {
            Self::Local(local) => local.read_all(id, key).await,
            Self::Objects(objects) => objects.read_all(id, key).await,
        }
    }

    /// The version `name` of the file `id` with `key`, if it was made.
    pub async fn version(
        &self,
        id: &str,
        key: &str,
        name: &str,
    ) -> Result<Option<Vec<u8>>, FilesError> {
        match self {
            Self::Local(local) => local.version(id, key, name).await,
            Self::Objects(objects) => objects.version(id, key, name).await,
        }
    }

    /// How many versions of the file `id` with `key` are kept.
    pub async fn version_count(&self, id: &str, key: &str) -> Result<usize, FilesError> {
        match self {
            Self::Local(local) => local.version_count(id, key).await,
            Self::Objects(objects) => objects.version_count(id, key).await,
        }
    }

    /// Keeps the version `name` of the file `id` with `key`.
    pub async fn keep_version(
        &self,
        id: &str,
        key: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<(), FilesError> {
        match self {
            Self::Local(local) => local.keep_version(id, key, name, &bytes).await,
            Self::Objects(objects) => objects.keep_version(id, key, name, bytes).await,
        }
    }
}
