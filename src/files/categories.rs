//! File categories: admins make, rename and delete them (each audited);
//! signed-in users list them with how many files each holds; an upload
//! names one by id or by name, and an unknown one is refused.

use super::error::FilesError;
use super::service::FilesService;
use crate::domain::{now_unix, InvalidInput, Principal, RecordId};
use crate::query::Condition;
use crate::store::audit::{self, Actor};
use crate::store::file_categories::{self, CategoryOrder, CategoryRow};
use crate::store::{AnyConnection, StoreError};

/// Longest category name, in characters.
const MAX_NAME: usize = 64;

/// A category's name: 1 to 64 characters, no control characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryName(String);

impl CategoryName {
    /// Parses the name given in `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, InvalidInput> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME {
            return Err(InvalidInput::new(
                field,
                format!("a category's name has 1 to {MAX_NAME} characters"),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(InvalidInput::new(field, "may not hold control characters"));
        }
        Ok(Self(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A category and how many stored files it holds.
#[derive(Debug, Clone)]
pub struct Category {
    /// The row.
    pub row: CategoryRow,
    /// Stored files in it.
    pub files: i64,
}

/// The category an upload names: by `id`, else by `name`; unknown ones are
/// refused naming the field.
pub(super) fn named_by(
    conn: &mut AnyConnection,
    id: Option<&str>,
    name: Option<&str>,
) -> Result<Option<CategoryRow>, FilesError> {
    let (found, field, given) = match (id, name) {
        (Some(id), _) => (file_categories::get(conn, id)?, "category_id", id),
        (None, Some(name)) => (file_categories::named(conn, name)?, "category_name", name),
        (None, None) => return Ok(None),
    };
    found.map(Some).ok_or_else(|| {
        InvalidInput::new(
            field,
            format!("no file category '{given}' (admins make them)"),
        )
        .into()
    })
}

/// A clash on the unique name as the 400 it is.
fn name_taken(e: StoreError) -> FilesError {
    match e {
        StoreError::Unique { .. } => {
            InvalidInput::new("name", "another file category has this name").into()
        }
        other => other.into(),
    }
}

impl FilesService {
    /// A page of the categories matching `filter`, with their file counts
    /// and their total when asked; for signed-in callers.
    pub async fn categories(
        &self,
        caller: &Principal,
        filter: Condition,
        order: CategoryOrder,
        page: (i64, i64),
        with_total: bool,
    ) -> Result<(Vec<Category>, Option<i64>), FilesError> {
        if matches!(caller, Principal::Guest) {
            return Err(FilesError::NotFound);
        }
        self.store
            .run(move |conn| {
                let rows = file_categories::list(conn, &filter, order, page.0, page.1)?;
                let total = if with_total {
                    Some(file_categories::count(conn, &filter)?)
                } else {
                    None
                };
                Ok::<_, FilesError>((with_counts(conn, rows)?, total))
            })
            .await
    }

    /// The category `id`, with its file count.
    pub async fn category(&self, caller: &Principal, id: &str) -> Result<Category, FilesError> {
        if matches!(caller, Principal::Guest) {
            return Err(FilesError::NotFound);
        }
        let id = id.to_owned();
        self.store
            .run(move |conn| {
                let row = file_categories::get(conn, &id)?.ok_or(FilesError::NotFound)?;
                with_counts(conn, vec![row])?
                    .pop()
                    .ok_or(FilesError::NotFound)
            })
            .await
    }

    /// Makes a category, audited as `actor`'s.
    pub async fn create_category(
        &self,
        name: CategoryName,
        actor: Actor,
    ) -> Result<Category, FilesError> {
        let now = now_unix();
        let row = CategoryRow {
            id: RecordId::generate().to_string(),
            name: name.as_str().to_owned(),
            created_at: now,
            updated_at: now,
        };
        self.store
            .transaction(move |conn| {
                file_categories::insert(conn, &row).map_err(name_taken)?;
                let changes = serde_json::json!({ "name": row.name });
                audit::insert(
                    conn,
                    &actor.entry(
                        "file_category.create",
                        "file_category",
                        Some(row.id.clone()),
                        &changes,
                    ),
                )?;
                Ok::<_, FilesError>(Category { row, files: 0 })
            })
            .await
    }

    /// Renames the category `id` (and its files' category name), audited.
    pub async fn rename_category(
        &self,
        id: &str,
        name: CategoryName,
        actor: Actor,
    ) -> Result<Category, FilesError> {
        let id = id.to_owned();
        self.store
            .transaction(move |conn| {
                let before = file_categories::get(conn, &id)?.ok_or(FilesError::NotFound)?;
                file_categories::rename(conn, &id, name.as_str(), now_unix())
                    .map_err(name_taken)?;
                let changes = serde_json::json!({ "name": [before.name, name.as_str()] });
                audit::insert(
                    conn,
                    &actor.entry(
                        "file_category.update",
                        "file_category",
                        Some(id.clone()),
                        &changes,
                    ),
                )?;
                let row = file_categories::get(conn, &id)?.ok_or(FilesError::NotFound)?;
                with_counts(conn, vec![row])?
                    .pop()
                    .ok_or(FilesError::NotFound)
            })
            .await
    }

    /// Deletes the category `id`; its files keep no category. Audited.
    pub async fn delete_category(&self, id: &str, actor: Actor) -> Result<(), FilesError> {
        let id = id.to_owned();
        self.store
            .transaction(move |conn| {
                let before = file_categories::get(conn, &id)?.ok_or(FilesError::NotFound)?;
                file_categories::delete(conn, &id)?;
                let changes = serde_json::json!({ "name": before.name });
                audit::insert(
                    conn,
                    &actor.entry(
                        "file_category.delete",
                        "file_category",
                        Some(id.clone()),
                        &changes,
                    ),
                )?;
                Ok::<_, FilesError>(())
            })
            .await
    }
}

/// `rows` with the number of stored files in each.
fn with_counts(
    conn: &mut AnyConnection,
    rows: Vec<CategoryRow>,
) -> Result<Vec<Category>, StoreError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let counts = file_categories::file_counts(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| Category {
            files: counts.get(&row.id).copied().unwrap_or(0),
            row,
        })
        .collect())
}
