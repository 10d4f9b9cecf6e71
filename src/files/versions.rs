//! Serving image versions: a version is looked up beside its file, made
//! when missing (a few at once, off the async threads), and kept — at most
//! [`MAX_VERSIONS`] of one file, so asking for every size one by one cannot
//! fill the disk or keep the CPU busy.

use super::error::FilesError;
use super::image_versions::{Version, VersionSpec};
use super::service::FilesService;
use crate::domain::InvalidInput;
use crate::store::files::FileRow;

/// Most versions kept of one file.
pub const MAX_VERSIONS: usize = 24;

impl FilesService {
    /// The version `spec` of the stored image `file`, made on first request.
    pub async fn version(&self, file: &FileRow, spec: &VersionSpec) -> Result<Version, FilesError> {
        let dimensions = file
            .width
            .zip(file.height)
            .map(|(w, h)| (i64::from(w), i64::from(h)));
        VersionSpec::check_source(&file.mime_type, file.size, dimensions)?;
        let name = spec.key();
        let media_type = spec.media_type_for(&file.mime_type);
        let kept = |bytes| Version { bytes, media_type };
        let (id, key) = (&file.id, &file.storage_key);
        if let Some(bytes) = self.storage.version(id, key, &name).await? {
            return Ok(kept(bytes));
        }
        let _turn = self
            .versions
            .acquire()
            .await
            .map_err(|e| FilesError::Storage(std::io::Error::other(e)))?;
        // Made by another request while this one waited?
        if let Some(bytes) = self.storage.version(id, key, &name).await? {
            return Ok(kept(bytes));
        }
        if self.storage.version_count(id, key).await? >= MAX_VERSIONS {
            return Err(InvalidInput::new(
                "image version",
                format!(
                    "this image has {MAX_VERSIONS} versions already, the most one file keeps: \
                     ask for one of the sizes already made"
                ),
            )
            .into());
        }
        let source = self.storage.read_all(id, key).await?;
        let (spec, source_type) = (spec.clone(), file.mime_type.clone());
        let version = tokio::task::spawn_blocking(move || spec.render(&source, &source_type))
            .await
            .map_err(|e| FilesError::Storage(std::io::Error::other(e)))??;
        self.storage
            .keep_version(id, key, &name, version.bytes.clone())
            .await?;
        Ok(version)
    }
}
