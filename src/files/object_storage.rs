//! Stored bytes in an S3-compatible object store, shared by any number of
//! nodes: each file at `<prefix><id>/<key>`. A spooled upload is sent once
//! it is accepted — in one request up to [`SINGLE_PUT`] bytes, in parts
//! above — so memory stays bounded whatever the file's size, and the object
//! exists only once it is whole.

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use tokio::io::AsyncReadExt;

use super::error::FilesError;
use super::spool::Spool;

/// Largest file sent in one request; larger ones go in parts.
const SINGLE_PUT: u64 = 8 * 1024 * 1024;

/// Size of each part of a larger file (S3 takes parts of 5 MiB and more).
const PART: usize = 8 * 1024 * 1024;

/// Where the object store is and how to reach it.
#[derive(Debug, Clone)]
pub struct ObjectSettings {
    /// The store's URL (`http://` allowed, for a private network).
    pub endpoint: String,
    /// The bucket; it must exist.
    pub bucket: String,
    /// The bucket's region.
    pub region: String,
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Prefix of every object's key.
    pub prefix: String,
}

/// Bytes in an object store; cheap to clone.
#[derive(Debug, Clone)]
pub struct ObjectStorage {
    store: Arc<AmazonS3>,
    prefix: String,
}

impl ObjectStorage {
    /// The store `settings` names (nothing is sent until it is used).
    pub fn open(settings: &ObjectSettings) -> Result<Self, FilesError> {
        let store = AmazonS3Builder::new()
            .with_endpoint(&settings.endpoint)
            .with_allow_http(settings.endpoint.starts_with("http://"))
            .with_virtual_hosted_style_request(false)
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(&settings.secret_access_key)
            .build()
            .map_err(FilesError::Objects)?;
        Ok(Self {
            store: Arc::new(store),
            prefix: settings.prefix.clone(),
        })
    }

    fn path_of(&self, id: &str, key: &str) -> ObjectPath {
        ObjectPath::from(format!("{}{id}/{key}", self.prefix))
    }

    /// Sends a finished spool as the bytes of `id` with `key`.
    pub async fn keep(&self, mut spool: Spool, id: &str, key: &str) -> Result<(), FilesError> {
        let size = spool.len();
        let mut file = tokio::fs::File::open(spool.finish().await?)
            .await
            .map_err(FilesError::Storage)?;
        let path = self.path_of(id, key);
        if size <= SINGLE_PUT {
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            file.read_to_end(&mut bytes)
                .await
                .map_err(FilesError::Storage)?;
            self.store
                .put(&path, PutPayload::from(bytes))
                .await
                .map_err(FilesError::Objects)?;
            return Ok(());
        }
        let upload = self
            .store
            .put_multipart(&path)
            .await
            .map_err(FilesError::Objects)?;
        let mut parts = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut chunk = vec![0_u8; 256 * 1024];
        loop {
            let read = match file.read(&mut chunk).await {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    // Best effort: a failed abort leaves parts the store expires.
                    let _ = parts.abort().await;
                    return Err(FilesError::Storage(e));
                }
            };
            if let Err(e) = parts.wait_for_capacity(2).await {
                let _ = parts.abort().await;
                return Err(FilesError::Objects(e));
            }
            parts.write(&chunk[..read]);
        }
        parts.finish().await.map_err(FilesError::Objects)?;
        Ok(())
    }

    /// The bytes of `id` with `key`, or the `range` of them, as they arrive.
    pub async fn read(
        &self,
        id: &str,
        key: &str,
        range: Option<Range<u64>>,
    ) -> Result<BoxStream<'static, Result<Bytes, FilesError>>, FilesError> {
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        let got = self
            .store
            .get_opts(&self.path_of(id, key), options)
            .await
            .map_err(|e| match e {
                object_store::Error::NotFound { .. } => FilesError::NotFound,
                other => FilesError::Objects(other),
            })?;
        Ok(got.into_stream().map_err(FilesError::Objects).boxed())
    }

    /// Removes the bytes of `id` and its versions (a missing object is no
    /// error).
    pub async fn remove(&self, id: &str) -> Result<(), FilesError> {
        let prefix = ObjectPath::from(format!("{}{id}", self.prefix));
        let objects: Vec<ObjectPath> = self
            .store
            .list(Some(&prefix))
            .map_ok(|meta| meta.location)
            .try_collect()
            .await
            .map_err(FilesError::Objects)?;
        for path in objects {
            match self.store.delete(&path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(FilesError::Objects(e)),
            }
        }
        Ok(())
    }

    /// The whole object of `id` with `key`.
    pub async fn read_all(&self, id: &str, key: &str) -> Result<Vec<u8>, FilesError> {
        let got = self
            .store
            .get(&self.path_of(id, key))
            .await
            .map_err(FilesError::Objects)?;
        Ok(got.bytes().await.map_err(FilesError::Objects)?.to_vec())
    }

    /// The version `name` of `id` with `key`, if it was made.
    pub async fn version(
        &self,
        id: &str,
        key: &str,
        name: &str,
    ) -> Result<Option<Vec<u8>>, FilesError> {
        let path = ObjectPath::from(format!("{}{id}/{key}.v.{name}", self.prefix));
        match self.store.get(&path).await {
            Ok(got) => Ok(Some(
                got.bytes().await.map_err(FilesError::Objects)?.to_vec(),
            )),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(FilesError::Objects(e)),
        }
    }

    /// How many versions of `id` with `key` are kept.
    pub async fn version_count(&self, id: &str, key: &str) -> Result<usize, FilesError> {
        let prefix = ObjectPath::from(format!("{}{id}", self.prefix));
        let marker = format!("{key}.v.");
        let names: Vec<ObjectPath> = self
            .store
            .list(Some(&prefix))
            .map_ok(|meta| meta.location)
            .try_collect()
            .await
            .map_err(FilesError::Objects)?;
        Ok(names
            .iter()
            .filter(|p| p.filename().is_some_and(|f| f.starts_with(&marker)))
            .count())
    }

    /// Keeps the version `name` of `id` with `key`.
    pub async fn keep_version(
        &self,
        id: &str,
        key: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<(), FilesError> {
        let path = ObjectPath::from(format!("{}{id}/{key}.v.{name}", self.prefix));
        self.store
            .put(&path, PutPayload::from(bytes))
            .await
            .map_err(FilesError::Objects)?;
        Ok(())
    }
}
