//! What the admin API does with files: every file listed, one file with the
//! records holding it, and deletions audited.

use super::error::FilesError;
use super::service::FilesService;
use crate::query::Condition;
use crate::store::audit::{self, Actor};
use crate::store::file_attachments;
use crate::store::files::{self, FileOrder, FileRow};

/// A record field holding a file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Holder {
    /// The object type (`_userprofile` for a user).
    pub object_type: String,
    /// The record's (or user's) id.
    pub record_id: String,
    /// The field.
    pub field: String,
}

impl FilesService {
    /// A page of every stored file matching `filter`, and the total when
    /// asked.
    pub async fn list_every(
        &self,
        filter: Condition,
        order: FileOrder,
        page: (i64, i64),
        with_total: bool,
    ) -> Result<(Vec<FileRow>, Option<i64>), FilesError> {
        self.store
            .run(move |conn| {
                let rows = files::list(conn, None, &filter, order, page.0, page.1)?;
                let total = if with_total {
                    Some(files::count(conn, None, &filter)?)
                } else {
                    None
                };
                Ok::<_, FilesError>((rows, total))
            })
            .await
    }

    /// The stored file `id` and the record fields holding it.
    pub async fn with_holders(&self, id: &str) -> Result<(FileRow, Vec<Holder>), FilesError> {
        let id = id.to_owned();
        self.store
            .run(move |conn| {
                let file = files::get(conn, &id)?
                    .filter(|f| f.stored)
                    .ok_or(FilesError::NotFound)?;
                let holders = file_attachments::holders(conn, &id)?
                    .into_iter()
                    .map(|(object_type, record_id, field)| Holder {
                        object_type,
                        record_id,
                        field,
                    })
                    .collect();
                Ok::<_, FilesError>((file, holders))
            })
            .await
    }

    /// Deletes the file `id` (its row, then its bytes), audited as `actor`'s.
    pub async fn delete_audited(&self, id: &str, actor: Actor) -> Result<(), FilesError> {
        let id = id.to_owned();
        let row = self
            .store
            .transaction(move |conn| {
                let row = files::get(conn, &id)?.ok_or(FilesError::NotFound)?;
                files::delete(conn, &id)?;
                let changes = serde_json::json!({ "name": row.name, "size": row.size });
                audit::insert(
                    conn,
                    &actor.entry("file.delete", "file", Some(id.clone()), &changes),
                )?;
                Ok::<_, FilesError>(row)
            })
            .await?;
        self.remove_bytes(&row).await
    }
}
