//! The files service: announcing an upload, accepting its bytes once, and
//! reading, listing and deleting files as their owner (or an admin).

use std::sync::Arc;

use base64::Engine;
use sha2::{Digest, Sha256};

use super::categories::named_by;
use super::error::FilesError;
use super::name::FileName;
use super::sniff::{dimensions, media_type};
use super::spool::{Spool, Spools};
use super::storage::{Storage, StorageSettings, Stored};
use crate::domain::{now_unix, FileLinks, InvalidInput, Principal, RecordId};
use crate::query::Condition;
use crate::store::files::{self, FileOrder, FileRow, Measured, NewFile};
use crate::store::{object_writes, Store};

/// How the files service is set up.
#[derive(Debug, Clone)]
pub struct FileSettings {
    /// Builds file URLs under the server's public URL.
    pub links: FileLinks,
    /// Largest upload, in bytes.
    pub max_bytes: u64,
    /// Seconds an upload's authorization stays usable.
    pub upload_ttl: i64,
    /// Seconds a file no record holds any more is kept.
    pub detached_ttl: i64,
    /// Bytes one user's stored files may take (0: no limit).
    pub quota_user: i64,
    /// Bytes every stored file may take together (0: no limit).
    pub quota_app: i64,
}

/// What the first step of an upload answers: the file's id and final URL,
/// where to send the bytes, and the single-use authority to send them.
#[derive(Debug, Clone)]
pub struct Announced {
    /// The file row.
    pub file: FileRow,
    /// Names the file the authorization is for.
    pub policy: String,
    /// The single-use authorization (shown once, stored hashed).
    pub authorization: String,
    /// Where the bytes go.
    pub upload_url: String,
    /// The file's URL once stored.
    pub path: String,
}

/// A stored file's bytes, for serving.
#[derive(Debug)]
pub struct Located {
    /// Where the bytes are.
    pub stored: Stored,
    /// The file row.
    pub file: FileRow,
}

/// Files: rows in the store, bytes in the storage; cheap to clone.
#[derive(Debug, Clone)]
pub struct FilesService {
    pub(super) store: Store,
    pub(super) storage: Storage,
    spools: Spools,
    settings: Arc<FileSettings>,
    /// Image versions being made at once, at most.
    pub(super) versions: Arc<tokio::sync::Semaphore>,
}

/// Uploads one user may have started and not finished at a time.
const MAX_PENDING: i64 = 64;

/// The policy's content: which file the authorization is for, and until when.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Policy {
    file_id: String,
    expires: i64,
}

fn hash(authorization: &str) -> String {
    hex::encode(Sha256::digest(authorization.as_bytes()))
}

/// Whose files a caller sees: an admin every one, a user their own.
fn owner_filter(caller: &Principal) -> Result<Option<i64>, FilesError> {
    match caller {
        Principal::Admin(_) => Ok(None),
        Principal::User { id, .. } => Ok(Some(id.get())),
        Principal::Guest => Err(FilesError::NotFound),
    }
}

impl FilesService {
    /// The service over `store`, keeping bytes in `storage` and spooling
    /// uploads under `spools`.
    pub fn new(
        store: Store,
        storage: &StorageSettings,
        spools: std::path::PathBuf,
        settings: FileSettings,
    ) -> Result<Self, FilesError> {
        Ok(Self {
            store,
            storage: Storage::open(storage)?,
            spools: Spools::open(spools)?,
            settings: Arc::new(settings),
            versions: Arc::new(tokio::sync::Semaphore::new(2)),
        })
    }

    /// With local storage: names this node's disk as the one holding the
    /// database's files, or refuses if another node's disk already does.
    /// Start-up work (it blocks).
    pub fn claim_disk(&self) -> Result<(), FilesError> {
        let Storage::Local(local) = &self.storage else {
            return Ok(());
        };
        let ours = local.disk_id()?;
        let (holder, _since) = self
            .store
            .run_blocking(|conn| files::claim_disk(conn, &ours, now_unix()))?;
        if holder == ours {
            Ok(())
        } else {
            Err(FilesError::OtherDisk { holder })
        }
    }

    /// The largest upload taken, in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.settings.max_bytes
    }

    /// The URL of a file.
    pub fn url_of(&self, file: &FileRow) -> String {
        self.settings
            .links
            .url(&file.id, &file.storage_key, &file.name)
    }

    /// Step one of an upload by `caller`: the file row and the authority to
    /// send its bytes once, within the upload's time.
    pub async fn announce(
        &self,
        caller: &Principal,
        name: FileName,
        category_id: Option<String>,
        category_name: Option<String>,
    ) -> Result<Announced, FilesError> {
        let created_by = match caller {
            Principal::User { id, .. } => Some(id.get()),
            Principal::Admin(_) => None,
            Principal::Guest => return Err(FilesError::NotFound),
        };
        let id = RecordId::generate().to_string();
        let key = hex::encode(rand::random::<[u8; 16]>());
        let authorization = format!("upl_{}", hex::encode(rand::random::<[u8; 32]>()));
        let now = now_unix();
        let expires = now + self.settings.upload_ttl;
        let policy = serde_json::to_vec(&Policy {
            file_id: id.clone(),
            expires,
        })
        .map_err(|e| FilesError::Storage(std::io::Error::other(e)))?;
        let policy = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(policy);
        let row = {
            let hash = hash(&authorization);
            let (id, key, name) = (id.clone(), key.clone(), name.as_str().to_owned());
            self.store
                .transaction(move |conn| {
                    if let Some(owner) = created_by {
                        if files::pending_count(conn, owner, now)? >= MAX_PENDING {
                            return Err(FilesError::TooManyPending(MAX_PENDING));
                        }
                    }
                    let category =
                        named_by(conn, category_id.as_deref(), category_name.as_deref())?;
                    files::insert(
                        conn,
                        &NewFile {
                            id: &id,
                            name: &name,
                            storage_key: &key,
                            category_id: category.as_ref().map(|c| c.id.as_str()),
                            category_name: category.as_ref().map(|c| c.name.as_str()),
                            created_by,
                            created_at: now,
                            upload_hash: &hash,
                            upload_expires: expires,
                        },
                    )?;
                    Ok(files::get(conn, &id)?)
                })
                .await?
                .ok_or(FilesError::NotFound)?
        };
        let path = self.url_of(&row);
        Ok(Announced {
            file: row,
            policy,
            authorization,
            upload_url: self.settings.links.upload_url(),
            path,
        })
    }

    /// A spool for the bytes of an upload, within the size limit.
    pub async fn spool(&self) -> Result<Spool, FilesError> {
        self.spools.spool(self.settings.max_bytes).await
    }

    /// Step two: the bytes in `spool`, sent with `policy` and
    /// `authorization`. The authorization is used up whatever follows; the
    /// bytes are kept only if they are right.
    pub async fn accept(
        &self,
        spool: Spool,
        policy: &str,
        authorization: &str,
    ) -> Result<FileRow, FilesError> {
        let refused = || {
            FilesError::Invalid(InvalidInput::new(
                "authorization",
                "is wrong, used or expired: ask for a new upload (POST /hserve/v2.1/upload/)",
            ))
        };
        let policy: Policy = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(policy.trim())
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| {
                FilesError::Invalid(InvalidInput::new("policy", "is not one this server gave"))
            })?;
        let hash = hash(authorization.trim());
        let now = now_unix();
        let file_id = policy.file_id.clone();
        let row = self
            .store
            .run(move |conn| files::claim(conn, &file_id, &hash, now))
            .await?
            .ok_or_else(refused)?;
        if spool.is_empty() {
            return Err(InvalidInput::new("file", "is empty").into());
        }
        let size = i64::try_from(spool.len()).unwrap_or(i64::MAX);
        self.reserve(&row, size).await?;
        let mime_type = media_type(spool.head(), &row.name);
        let measured = Measured {
            size,
            dimensions: dimensions(spool.head(), &mime_type),
            mime_type,
        };
        self.storage.keep(spool, &row.id, &row.storage_key).await?;
        let (id, stored) = (row.id.clone(), measured.clone());
        self.store
            .run(move |conn| files::mark_stored(conn, &id, &stored))
            .await?;
        Ok(FileRow {
            size: measured.size,
            width: measured.dimensions.map(|d| d.0),
            height: measured.dimensions.map(|d| d.1),
            mime_type: measured.mime_type,
            stored: true,
            ..row
        })
    }

    /// Notes `size` bytes for the claimed upload `file` if the quotas allow
    /// them, or refuses naming the quota. Under the app's lock and then the
    /// owner's, so uploads in parallel (on any node) cannot pass a quota
    /// together.
    async fn reserve(&self, file: &FileRow, size: i64) -> Result<(), FilesError> {
        let (per_user, per_app) = (self.settings.quota_user, self.settings.quota_app);
        if per_user == 0 && per_app == 0 {
            return Ok(());
        }
        let (id, owner) = (file.id.clone(), file.created_by);
        self.store
            .transaction(move |conn| {
                if per_app > 0 {
                    object_writes::lock_key(conn, "uploaded_files", "app")?;
                    let after = files::bytes_held(conn, None)?.saturating_add(size);
                    if after > per_app {
                        return Err(FilesError::Quota(format!(
                            "the app's files would take {after} bytes; it keeps at most \
                             {per_app} (PROTIUM_FILE_QUOTA_APP_BYTES)"
                        )));
                    }
                }
                if let (true, Some(user)) = (per_user > 0, owner) {
                    object_writes::lock_owner(conn, "uploaded_files", user)?;
                    let after = files::bytes_held(conn, Some(user))?.saturating_add(size);
                    if after > per_user {
                        return Err(FilesError::Quota(format!(
                            "your files would take {after} bytes; each user keeps at most \
                             {per_user} (PROTIUM_FILE_QUOTA_USER_BYTES): delete some first"
                        )));
                    }
                }
                files::reserve(conn, &id, size)?;
                Ok(())
            })
            .await
    }

    /// The stored file `id`, if `caller` may see it (its owner, or an admin).
    pub async fn get(&self, caller: &Principal, id: &str) -> Result<FileRow, FilesError> {
        let owner = owner_filter(caller)?;
        let id = id.to_owned();
        let row = self
            .store
            .run(move |conn| files::get(conn, &id))
            .await?
            .filter(|f| f.stored && (owner.is_none() || f.created_by == owner))
            .ok_or(FilesError::NotFound)?;
        Ok(row)
    }

    /// A page of the files `caller` sees that match `filter`, and their
    /// total when asked.
    pub async fn list(
        &self,
        caller: &Principal,
        filter: Condition,
        order: FileOrder,
        limit: i64,
        offset: i64,
        with_total: bool,
    ) -> Result<(Vec<FileRow>, Option<i64>), FilesError> {
        let owner = owner_filter(caller)?;
        self.store
            .run(move |conn| {
                let rows = files::list(conn, owner, &filter, order, limit, offset)?;
                let total = if with_total {
                    Some(files::count(conn, owner, &filter)?)
                } else {
                    None
                };
                Ok::<_, FilesError>((rows, total))
            })
            .await
    }

    /// Deletes the file `id` if `caller` may (its owner, or an admin): the row,
    /// then the bytes.
    pub async fn delete(&self, caller: &Principal, id: &str) -> Result<(), FilesError> {
        let row = self.get(caller, id).await?;
        let row_id = row.id.clone();
        if self
            .store
            .transaction(move |conn| Ok::<_, FilesError>(files::delete(conn, &row_id)?))
            .await?
        {
            self.storage.remove(&row.id).await?;
        }
        Ok(())
    }

    /// Removes the bytes of a file whose row is gone.
    pub(super) async fn remove_bytes(&self, file: &FileRow) -> Result<(), FilesError> {
        self.storage.remove(&file.id).await
    }

    /// Deletes each of `ids` the caller may delete; the others are skipped.
    /// Answers how many went.
    pub async fn delete_many(
        &self,
        caller: &Principal,
        ids: &[String],
    ) -> Result<usize, FilesError> {
        let mut deleted = 0;
        for id in ids {
            match self.delete(caller, id).await {
                Ok(()) => deleted += 1,
                Err(FilesError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(deleted)
    }

    /// Removes what unfinished uploads left — files announced but never
    /// stored once their upload has expired (their rows, and any bytes), and
    /// spools older than an upload may last — and the files no record has
    /// held for the detached time. Answers how many files went.
    pub async fn sweep(&self) -> Result<usize, FilesError> {
        let now = now_unix();
        let (unstored, detached) = (
            now - self.settings.upload_ttl,
            now - self.settings.detached_ttl,
        );
        let gone = self
            .store
            .run(move |conn| {
                let mut gone = files::delete_unstored(conn, unstored)?;
                gone.extend(files::delete_detached(conn, detached)?);
                Ok::<_, FilesError>(gone)
            })
            .await?;
        for (id, _key) in &gone {
            self.storage.remove(id).await?;
        }
        let age = std::time::Duration::from_secs(
            u64::try_from(self.settings.upload_ttl.saturating_mul(2)).unwrap_or(u64::MAX),
        );
        self.spools.remove_older_than(age).await?;
        Ok(gone.len())
    }

    /// The bytes of the stored file `id` whose URL key is `key`.
    pub async fn locate(&self, id: &str, key: &str) -> Result<Located, FilesError> {
        let id = id.to_owned();
        let file = self
            .store
            .run(move |conn| files::get(conn, &id))
            .await?
            .filter(|f| f.stored && constant_time_eq(f.storage_key.as_bytes(), key.as_bytes()))
            .ok_or(FilesError::NotFound)?;
        Ok(Located {
            stored: self.storage.stored(&file.id, &file.storage_key),
            file,
        })
    }

    /// The bytes of a located file in the object store, or a `range` of
    /// them, as they arrive.
    pub async fn read(
        &self,
        file: &FileRow,
        range: Option<std::ops::Range<u64>>,
    ) -> Result<
        futures_util::stream::BoxStream<'static, Result<bytes::Bytes, FilesError>>,
        FilesError,
    > {
        self.storage.read(&file.id, &file.storage_key, range).await
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
