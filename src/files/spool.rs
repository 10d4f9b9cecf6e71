//! Uploads being received, spooled to `<data_dir>/files/.incoming` within
//! their size limit whatever the storage, so memory stays bounded and a
//! refused or interrupted upload leaves nothing behind.

use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt;

use super::error::FilesError;

/// How many leading bytes are kept to sniff the type and read an image's
/// size (a JPEG's size may follow tens of KiB of metadata).
const HEAD_BYTES: usize = 64 * 1024;

/// The directory uploads are spooled to.
#[derive(Debug, Clone)]
pub struct Spools {
    dir: PathBuf,
}

impl Spools {
    /// Spools under `dir` (made if missing).
    pub fn open(dir: PathBuf) -> Result<Self, FilesError> {
        std::fs::create_dir_all(&dir).map_err(FilesError::Storage)?;
        Ok(Self { dir })
    }

    /// A new spool taking at most `limit` bytes.
    pub async fn spool(&self, limit: u64) -> Result<Spool, FilesError> {
        let path = self.dir.join(hex::encode(rand::random::<[u8; 16]>()));
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

    /// Removes spools older than `age` (left by a stopped process).
    pub async fn remove_older_than(&self, age: std::time::Duration) -> Result<(), FilesError> {
        let mut entries = tokio::fs::read_dir(&self.dir)
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

    /// Writes out and closes the spool's file; answers where it is. The
    /// file is still removed when the spool is dropped, unless
    /// [`Spool::moved`] says it went elsewhere.
    pub(super) async fn finish(&mut self) -> Result<&Path, FilesError> {
        if let Some(mut file) = self.file.take() {
            file.flush().await.map_err(FilesError::Storage)?;
            file.sync_all().await.map_err(FilesError::Storage)?;
        }
        Ok(&self.path)
    }

    /// Notes that the spool's file was moved into place: dropping the spool
    /// removes nothing.
    pub(super) fn moved(mut self) {
        self.path = PathBuf::new();
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
