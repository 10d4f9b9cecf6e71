//! Stored bytes on the local disk, under `<data_dir>/files`: each file at
//! `<id>/<key>`, where the key is the random part of its URL. A spooled
//! upload is moved into place in one rename once it is accepted, so a
//! half-written file is never served. One node only: another node cannot
//! read these bytes.

use std::path::PathBuf;

use super::error::FilesError;
use super::spool::Spool;

/// The local store of file bytes.
#[derive(Debug, Clone)]
pub struct LocalStorage {
    root: PathBuf,
}

impl LocalStorage {
    /// A store rooted at `root` (made if missing).
    pub fn open(root: PathBuf) -> Result<Self, FilesError> {
        std::fs::create_dir_all(&root).map_err(FilesError::Storage)?;
        Ok(Self { root })
    }

    /// This disk's name: a random id kept in `<root>/.disk-id`, made on
    /// first use. A directory shared by several nodes has one name.
    pub fn disk_id(&self) -> Result<String, FilesError> {
        let path = self.root.join(".disk-id");
        let made = hex::encode(rand::random::<[u8; 16]>());
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                std::io::Write::write_all(&mut file, made.as_bytes())
                    .map_err(FilesError::Storage)?;
                Ok(made)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let kept = std::fs::read_to_string(&path).map_err(FilesError::Storage)?;
                Ok(kept.trim().to_owned())
            }
            Err(e) => Err(FilesError::Storage(e)),
        }
    }

    /// Where the bytes of file `id` with `key` live.
    pub fn path_of(&self, id: &str, key: &str) -> PathBuf {
        self.root.join(id).join(key)
    }

    /// Moves a finished spool into place as the bytes of `id` with `key`.
    pub async fn keep(&self, mut spool: Spool, id: &str, key: &str) -> Result<(), FilesError> {
        let from = spool.finish().await?.to_path_buf();
        let target = self.path_of(id, key);
        if let Some(dir) = target.parent() {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(FilesError::Storage)?;
        }
        tokio::fs::rename(&from, &target)
            .await
            .map_err(FilesError::Storage)?;
        spool.moved();
        Ok(())
    }

    /// The whole file `id` with `key`.
    pub async fn read_all(&self, id: &str, key: &str) -> Result<Vec<u8>, FilesError> {
        tokio::fs::read(self.path_of(id, key))
            .await
            .map_err(FilesError::Storage)
    }

    /// The version `name` of the file `id` with `key`, if it was made.
    pub async fn version(
        &self,
        id: &str,
        key: &str,
        name: &str,
    ) -> Result<Option<Vec<u8>>, FilesError> {
        match tokio::fs::read(self.root.join(id).join(format!("{key}.v.{name}"))).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(FilesError::Storage(e)),
        }
    }

    /// How many versions of the file `id` with `key` are kept.
    pub async fn version_count(&self, id: &str, key: &str) -> Result<usize, FilesError> {
        let mut entries = tokio::fs::read_dir(self.root.join(id))
            .await
            .map_err(FilesError::Storage)?;
        let prefix = format!("{key}.v.");
        let mut count = 0;
        while let Some(entry) = entries.next_entry().await.map_err(FilesError::Storage)? {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                count += 1;
            }
        }
        Ok(count)
    }

    /// Keeps the version `name` of the file `id` with `key` (written aside,
    /// then renamed into place, so a half-written version is never read).
    pub async fn keep_version(
        &self,
        id: &str,
        key: &str,
        name: &str,
        bytes: &[u8],
    ) -> Result<(), FilesError> {
        let dir = self.root.join(id);
        let aside = dir.join(format!(
            ".{key}.v.{name}.{}",
            hex::encode(rand::random::<[u8; 8]>())
        ));
        tokio::fs::write(&aside, bytes)
            .await
            .map_err(FilesError::Storage)?;
        tokio::fs::rename(&aside, dir.join(format!("{key}.v.{name}")))
            .await
            .map_err(FilesError::Storage)
    }

    /// Removes the bytes of `id`, its versions too (a missing file is no
    /// error).
    pub async fn remove(&self, id: &str) -> Result<(), FilesError> {
        match tokio::fs::remove_dir_all(self.root.join(id)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(FilesError::Storage(e)),
            _ => Ok(()),
        }
    }
}
