//! The live schema: one compiled, immutable [`Snapshot`] behind a swappable
//! pointer. A request loads the snapshot once and sees one consistent version;
//! a reload swaps in a new one while requests in flight finish on the old.

use std::collections::BTreeMap;
use std::sync::Arc;

use arc_swap::ArcSwap;

use super::load::Registry;
use super::object_type::{ObjectType, PROFILE_TYPE};

/// Every object type of one schema version, with the numeric ids the database
/// gave the data tables.
#[derive(Debug)]
pub struct Snapshot {
    /// Counts swaps since start (1 for the first snapshot).
    pub version: u64,
    /// The digest of the files (see [`Registry::fingerprint`]).
    pub digest: String,
    profile: ObjectType,
    tables: BTreeMap<String, ObjectType>,
    ids: BTreeMap<String, i64>,
}

impl Snapshot {
    /// A snapshot of `registry`; `ids` are the tables' numeric ids.
    pub fn new(registry: Registry, ids: BTreeMap<String, i64>) -> Self {
        Self {
            version: 0,
            digest: registry.fingerprint().0,
            profile: registry.profile,
            tables: registry.tables,
            ids,
        }
    }

    /// The user profile.
    pub fn profile(&self) -> &ObjectType {
        &self.profile
    }

    /// The object type called `name`: the profile or a data table.
    pub fn get(&self, name: &str) -> Option<&ObjectType> {
        if name == PROFILE_TYPE {
            Some(&self.profile)
        } else {
            self.tables.get(name)
        }
    }

    /// The data table named `key`, or whose numeric id is `key`.
    pub fn table(&self, key: &str) -> Option<&ObjectType> {
        if let Some(t) = self.tables.get(key) {
            return Some(t);
        }
        let id = key.parse::<i64>().ok()?;
        let name = self.ids.iter().find(|(_, v)| **v == id)?.0;
        self.tables.get(name)
    }

    /// Every data table, by name.
    pub fn tables(&self) -> impl Iterator<Item = &ObjectType> {
        self.tables.values()
    }

    /// The numeric id of the data table `name`.
    pub fn table_id(&self, name: &str) -> Option<i64> {
        self.ids.get(name).copied()
    }
}

/// The swappable pointer to the current snapshot; cheap to clone, shared by
/// every service.
#[derive(Debug, Clone)]
pub struct LiveSchema {
    current: Arc<ArcSwap<Snapshot>>,
}

impl LiveSchema {
    /// Starts with `first` (version 1).
    pub fn new(mut first: Snapshot) -> Self {
        first.version = 1;
        Self {
            current: Arc::new(ArcSwap::from_pointee(first)),
        }
    }

    /// The current snapshot; hold it for the whole request.
    pub fn load(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Makes `next` current; returns its version.
    pub fn swap(&self, mut next: Snapshot) -> u64 {
        let version = self.current.load().version + 1;
        next.version = version;
        self.current.store(Arc::new(next));
        version
    }
}
