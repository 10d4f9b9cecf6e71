//! The one object service: create, get, update and delete rows of any object
//! type — the user profile and every data table — through the same rules.
//! Lists are in `list.rs`, batch and bulk operations in `batch.rs` and `bulk.rs`.
//!
//! Rules: every request loads the live schema once; every write runs in one
//! transaction that holds the row (or the owner's lock), checks permissions
//! inside it, applies atomic operators to the current value and validates the
//! result, so concurrent writes never lose an update or break a limit.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::audit;
use super::error::RecordsError;
use super::fields::{acl_of, owner_of, parse_id, readable_columns};
use super::prepare::{prepare_create, prepare_update};
use super::present::finish;
use super::shape::Shape;
use super::who::{Access, Viewer, Who};
use super::write::{delete_checked, explain_taken, insert_checked, update_checked};
use crate::domain::Principal;
use crate::domain::{FileLinks, UserId};
use crate::schema::{LiveSchema, ObjectType, Snapshot, PROFILE_TYPE};
use crate::store::audit::Actor;
use crate::store::{objects, AnyConnection, Store};

/// A row before a write (none for a creation) and after it.
type Written = (Option<Map<String, Value>>, Map<String, Value>);

/// Which object type a request addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// The user profile (`/user/info/` endpoints).
    Users,
    /// A data table by name or numeric id (`/table/:table/` endpoints).
    Table(&'a str),
}

/// Reads and writes rows of every object type; cheap to clone.
#[derive(Clone, Debug)]
pub struct Records {
    pub(super) store: Store,
    pub(super) live: LiveSchema,
    /// Seconds deletions are kept for the change feed.
    pub(super) feed_horizon: i64,
    /// When this node last wrote each active user's last-active time.
    pub(super) active: super::last_active::ActiveTracker,
    /// The URLs file fields store.
    pub(super) links: FileLinks,
}

/// How long deletions stay in the change feed unless set: 30 days.
pub const DEFAULT_FEED_HORIZON: i64 = 30 * 86_400;

/// The object type `target` names in `snapshot`.
pub(super) fn resolve<'s>(
    snapshot: &'s Snapshot,
    target: Target<'_>,
) -> Result<&'s ObjectType, RecordsError> {
    match target {
        Target::Users => Ok(snapshot.profile()),
        Target::Table(key) => snapshot
            .table(key)
            .ok_or_else(|| RecordsError::NoTable(key.to_owned())),
    }
}

/// The object type called `name` (inside a transaction, after `resolve`).
pub(super) fn named<'s>(
    snapshot: &'s Snapshot,
    name: &str,
) -> Result<&'s ObjectType, RecordsError> {
    snapshot
        .get(name)
        .ok_or_else(|| RecordsError::NoTable(name.to_owned()))
}

impl Records {
    /// Builds the service over the live schema; file fields store URLs
    /// under `links` (the server's public URL).
    pub fn new(store: Store, live: LiveSchema, links: FileLinks) -> Self {
        Self {
            store,
            live,
            feed_horizon: DEFAULT_FEED_HORIZON,
            active: Default::default(),
            links,
        }
    }

    /// Keeps deletions for the change feed `seconds` long; an older feed
    /// position is answered with [`RecordsError::Gone`].
    pub fn with_feed_horizon(mut self, seconds: i64) -> Self {
        self.feed_horizon = seconds;
        self
    }

    /// The live schema this service reads.
    pub fn live(&self) -> &LiveSchema {
        &self.live
    }

    /// Creates one row of a data table from a flat body; returns it as the
    /// caller sees it. Users are created by signing up, never here.
    #[tracing::instrument(skip(self, caller, body))]
    pub async fn create(
        &self,
        caller: &Principal,
        table: &str,
        body: Value,
        expand: Option<&str>,
    ) -> Result<Map<String, Value>, RecordsError> {
        self.create_as(Who::of(caller), table, body, expand, None)
            .await
    }

    /// [`Self::create`] for any caller; with an `actor`, the creation is
    /// audited in its transaction.
    pub async fn create_as(
        &self,
        who: Who,
        table: &str,
        body: Value,
        expand: Option<&str>,
        actor: Option<Actor>,
    ) -> Result<Map<String, Value>, RecordsError> {
        let snapshot = self.live.load();
        let object = resolve(&snapshot, Target::Table(table))?;
        let shape = Shape::parse(object, Viewer::for_queries(who), None, expand)?;
        may_create(who, object)?;
        let row = prepare_create(object, who, &body)?;
        let name = object.name.clone();
        let audit = actor.map(|a| (a, "create"));
        let links = self.links.clone();
        self.write_one(
            snapshot,
            name,
            who,
            shape,
            audit,
            move |conn, snapshot, object| {
                Ok((
                    None,
                    insert_checked(conn, snapshot, object, who, &links, row)?,
                ))
            },
        )
        .await
    }

    /// Runs `write` on the object type `name` in one transaction (auditing it
    /// when asked), names the fields of a unique violation, and shapes the row
    /// it returns.
    async fn write_one<W>(
        &self,
        snapshot: Arc<Snapshot>,
        name: String,
        who: Who,
        shape: Shape,
        audit: Option<(Actor, &'static str)>,
        write: W,
    ) -> Result<Map<String, Value>, RecordsError>
    where
        W: FnOnce(&mut AnyConnection, &Snapshot, &ObjectType) -> Result<Written, RecordsError>
            + Send
            + 'static,
    {
        self.write_one_reporting(snapshot, name, who, shape, audit, write)
            .await
            .map(|(row, _)| row)
    }

    /// [`Self::write_one`], also saying whether the row is new (the write
    /// had no row before).
    pub(super) async fn write_one_reporting<W>(
        &self,
        snapshot: Arc<Snapshot>,
        name: String,
        who: Who,
        shape: Shape,
        audit: Option<(Actor, &'static str)>,
        write: W,
    ) -> Result<(Map<String, Value>, bool), RecordsError>
    where
        W: FnOnce(&mut AnyConnection, &Snapshot, &ObjectType) -> Result<Written, RecordsError>
            + Send
            + 'static,
    {
        self.store
            .transaction(move |conn| {
                let object = named(&snapshot, &name)?;
                let (before, after) =
                    write(conn, &snapshot, object).map_err(|e| explain_taken(object, e))?;
                if let Some((actor, verb)) = &audit {
                    audit::record(conn, actor, verb, object, before.as_ref(), Some(&after))?;
                }
                let created = before.is_none();
                let mut rows = [after];
                finish(conn, &snapshot, object, who, &mut rows, &shape)?;
                let [row] = rows;
                Ok((row, created))
            })
            .await
    }

    /// The row `id` if the caller may read it (404 otherwise), shaped by
    /// `keys` and `expand`.
    #[tracing::instrument(skip(self, caller))]
    pub async fn get(
        &self,
        caller: &Principal,
        target: Target<'_>,
        id: &str,
        keys: Option<&str>,
        expand: Option<&str>,
    ) -> Result<Map<String, Value>, RecordsError> {
        self.get_as(Who::of(caller), target, id, keys, expand).await
    }

    /// [`Self::get`] for any caller. `keys` and `expand` may name what the
    /// caller may read on this row (an owner's own fields included).
    pub async fn get_as(
        &self,
        who: Who,
        target: Target<'_>,
        id: &str,
        keys: Option<&str>,
        expand: Option<&str>,
    ) -> Result<Map<String, Value>, RecordsError> {
        let snapshot = self.live.load();
        let object = resolve(&snapshot, target)?;
        // Unknown fields are refused before any storage access; what this
        // caller may read is known once the row is.
        Shape::parse(object, Viewer::widest(who), keys, expand)?;
        let id = parse_id(object, id).ok_or(RecordsError::NotFound)?;
        let name = object.name.clone();
        let (keys, expand) = (keys.map(str::to_owned), expand.map(str::to_owned));
        self.store
            .run(move |conn| {
                let object = named(&snapshot, &name)?;
                let columns = readable_columns(object, Viewer::widest(who));
                let table = objects::sql_table(object);
                let row = objects::get(conn, &table, &columns, &id, false)?
                    .ok_or(RecordsError::NotFound)?;
                let owner = owner_of(object, &row);
                if !who.may(Access::Read, owner, &acl_of(object, &row, Access::Read)) {
                    return Err(RecordsError::NotFound);
                }
                let viewer = Viewer::of_row(who, owner);
                let shape = Shape::parse(object, viewer, keys.as_deref(), expand.as_deref())?;
                let mut rows = [row];
                finish(conn, &snapshot, object, who, &mut rows, &shape)?;
                let [row] = rows;
                Ok(row)
            })
            .await
    }

    /// Updates the row `id` with `{$set, $unset}` or a flat body whose values
    /// may be atomic operators; returns it as the caller sees it.
    #[tracing::instrument(skip(self, caller, body))]
    pub async fn update(
        &self,
        caller: &Principal,
        target: Target<'_>,
        id: &str,
        body: Map<String, Value>,
        expand: Option<&str>,
    ) -> Result<Map<String, Value>, RecordsError> {
        self.update_as(Who::of(caller), target, id, body, expand, None)
            .await
    }

    /// [`Self::update`] for any caller, the server included (which may also
    /// set `write: nobody` fields); with an `actor`, the update is audited in
    /// its transaction (the changed fields, old and new).
    pub async fn update_as(
        &self,
        who: Who,
        target: Target<'_>,
        id: &str,
        body: Map<String, Value>,
        expand: Option<&str>,
        actor: Option<Actor>,
    ) -> Result<Map<String, Value>, RecordsError> {
        let snapshot = self.live.load();
        let object = resolve(&snapshot, target)?;
        let shape = Shape::parse(object, Viewer::for_queries(who), None, expand)?;
        if who.is_guest() {
            return Err(RecordsError::Unauthorized);
        }
        let id = parse_id(object, id).ok_or(RecordsError::NotFound)?;
        let changes = prepare_update(object, who, &body)?;
        let name = object.name.clone();
        let audit = actor.map(|a| (a, "update"));
        let links = self.links.clone();
        self.write_one(
            snapshot,
            name,
            who,
            shape,
            audit,
            move |conn, snapshot, object| {
                let updated = update_checked(conn, snapshot, object, who, &links, &id, &changes)?;
                Ok((Some(updated.before), updated.after))
            },
        )
        .await
    }

    /// Deletes the row `id` of a data table (leaving a tombstone for the
    /// change feed).
    #[tracing::instrument(skip(self, caller))]
    pub async fn delete(
        &self,
        caller: &Principal,
        table: &str,
        id: &str,
    ) -> Result<(), RecordsError> {
        self.delete_as(Who::of(caller), Target::Table(table), id, None)
            .await
    }

    /// [`Self::delete`] for any caller and any object type (users: admins
    /// only); with an `actor`, the deletion is audited in its transaction.
    pub async fn delete_as(
        &self,
        who: Who,
        target: Target<'_>,
        id: &str,
        actor: Option<Actor>,
    ) -> Result<(), RecordsError> {
        let snapshot = self.live.load();
        let object = resolve(&snapshot, target)?;
        if who.is_guest() {
            return Err(RecordsError::Unauthorized);
        }
        let id = parse_id(object, id).ok_or(RecordsError::NotFound)?;
        let name = object.name.clone();
        self.store
            .transaction(move |conn| {
                let object = named(&snapshot, &name)?;
                if let (true, crate::query::SqlValue::Int(user)) = (object.is_profile(), &id) {
                    if who.is_admin() {
                        super::owner_deleted::on_owner_deleted(conn, &snapshot, *user)?;
                    }
                }
                let gone = delete_checked(conn, object, who, &id)?;
                if let Some(actor) = &actor {
                    audit::record(conn, actor, "delete", object, Some(&gone), None)?;
                }
                Ok(())
            })
            .await
    }

    /// The full profile of `user_id` as its owner sees it (login responses,
    /// account updates).
    pub async fn get_own(&self, user_id: UserId) -> Result<Map<String, Value>, RecordsError> {
        let owner = Who::client(Some(user_id.get()), false);
        self.get_as(owner, Target::Users, &user_id.to_string(), None, None)
            .await
    }
}

/// 401 for guests, 403 for callers the type's `create` rule leaves out; users
/// are created by signing up only.
pub(super) fn may_create(who: Who, object: &ObjectType) -> Result<(), RecordsError> {
    if object.name == PROFILE_TYPE {
        return Err(RecordsError::Forbidden(
            "users are created by signing up".into(),
        ));
    }
    if who.may_create(&object.rules.create) {
        return Ok(());
    }
    if who.is_guest() {
        return Err(RecordsError::Unauthorized);
    }
    Err(RecordsError::Forbidden(format!(
        "you may not create records in table '{}'",
        object.name
    )))
}

impl Records {
    /// Every data table with its numeric id and number of records.
    pub async fn counts(&self) -> Result<Vec<(String, Option<i64>, i64)>, RecordsError> {
        let snapshot = self.live.load();
        self.store
            .run(move |conn| {
                let mut out = Vec::new();
                for object in snapshot.tables() {
                    let all = crate::query::Condition::And(Vec::new());
                    let n = objects::count(conn, &objects::sql_table(object), &all)?;
                    out.push((object.name.clone(), snapshot.table_id(&object.name), n));
                }
                Ok(out)
            })
            .await
    }
}
