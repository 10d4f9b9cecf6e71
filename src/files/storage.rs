//! Stored bytes on the local disk, under `<data_dir>/files`: each file at
//! `<id>/<key>`, where the key is the random part of its URL. An upload is
//! spooled to `.incoming/` first and moved into place in one rename once it
//! is accepted, so a half-written file is never served.

use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt;

use super::error::FilesError;

/// How many leading bytes are kept to sniff the type and read an image's
/// size (a JPEG's size may follow tens of KiB of metadata).
const HEAD_BYTES: usize = 64 * 1024;

/// The local store of file bytes.
#[derive(Debug, Clone)]
pub struct LocalStorage {
    root: PathBuf,
}

impl LocalStorage {
    /// A store rooted at `root` (made if missing).
    pub fn open(root: PathBuf) -> Result<Self, FilesError> {
        std::fs::create_dir_all(root.join(".incoming")).map_err(FilesError::Storage)?;
        Ok(Self { root })
    }

    /// Where the bytes of file `id` with `key` live.
    pub fn path_of(&self, id: &str, key: &str) -> PathBuf {
        self.root.join(id).join(key)
    }

    /// A new spool taking at most `limit` bytes.
    pub async fn spool(&self, limit: u64) -> Result<Spool, FilesError> {
        let path = self
            .root
            .join(".incoming")
            .join(hex::encode(rand::random::<[u8; 16]>()));
        let file = tokio::fs::File::create(&path)
            .await
            .map_err(FilesError::Storage)?;
        Ok(Spool {
            path,
            file: Some(file),
            written: 0,
            limit,
            head: Vec::new(),
        })
    }

    /// Moves a finished spool into place as the bytes of `id` with `key`.
    pub async fn keep(&self, mut spool: Spool, id: &str, key: &str) -> Result<(), FilesError> {
        if let Some(mut file) = spool.file.take() {
            file.flush().await.map_err(FilesError::Storage)?;
            file.sync_all().await.map_err(FilesError::Storage)?;
        }
        let target = self.path_of(id, key);
        if let Some(dir) = target.parent() {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(FilesError::Storage)?;
        }
        tokio::fs::rename(&spool.path, &target)
            .await
            .map_err(FilesError::Storage)?;
        spool.path = PathBuf::new();
        Ok(())
    }

    /// Removes spools older than `age` (left by a stopped process).
    pub async fn remove_spools_older_than(
        &self,
        age: std::time::Duration,
    ) -> Result<(), FilesError> {
        let mut entries = tokio::fs::read_dir(self.root.join(".incoming"))
            .await
            .map_err(FilesError::Storage)?;
        while let Some(entry) = entries.next_entry().await.map_err(FilesError::Storage)? {
            let old = entry
                .metadata()
                .await
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|elapsed| elapsed > age);
            if old {
                remove_quietly(&entry.path());
            }
        }
        Ok(())
    }

    /// Removes the bytes of `id` (a missing file is no error).
    pub async fn remove(&self, id: &str) -> Result<(), FilesError> {
        match tokio::fs::remove_dir_all(self.root.join(id)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(FilesError::Storage(e)),
            _ => Ok(()),
        }
    }
}

/// An upload being received: written to a temporary file, its first bytes
/// kept to sniff its type. Dropped before it is kept, it leaves nothing.
#[derive(Debug)]
pub struct Spool {
    path: PathBuf,
    file: Option<tokio::fs::File>,
    written: u64,
    limit: u64,
    head: Vec<u8>,
}

impl Spool {
    /// Appends `chunk`; past the limit the upload is refused.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), FilesError> {
        let len = u64::try_from(chunk.len()).unwrap_or(u64::MAX);
        if self.written.saturating_add(len) > self.limit {
            return Err(FilesError::TooLarge { limit: self.limit });
        }
        if self.head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        if let Some(file) = self.file.as_mut() {
            file.write_all(chunk).await.map_err(FilesError::Storage)?;
        }
        self.written += len;
        Ok(())
    }

    /// Bytes received.
    pub fn len(&self) -> u64 {
        self.written
    }

    /// Whether nothing was received.
    pub fn is_empty(&self) -> bool {
        self.written == 0
    }

    /// The first bytes received.
    pub fn head(&self) -> &[u8] {
        &self.head
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            remove_quietly(&self.path);
        }
    }
}

fn remove_quietly(path: &Path) {
    if let Err(e) = std::fs::remove_file(path) {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!(error = %e, path = %path.display(), "an unfinished upload was not removed");
        }
    }
}
