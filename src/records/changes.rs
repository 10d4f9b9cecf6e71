//! The change feed for sync (`GET …/table/:table/changes/?since=&cursor=&limit=`):
//! every record changed after a position, and the deletions, in the order of
//! the change log (`store::change_log`), which no later entry can overtake:
//! a client that follows the cursors sees every write, however slow its
//! transaction. The position is a unix time (`since`) or the `cursor` of the
//! previous page: sealed ([`feed_cursor`]), since it stands for a place in
//! the log that may be a write the caller cannot read. A cursor that does not
//! open is a 400 naming `cursor`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::RecordsError;
use super::fields::{id_text, parse_id, readable_columns};
use super::list::visible;
use super::present::present;
use super::relations::read_grants;
use super::service::{named, resolve, Records, Target};
use super::who::{Access, Viewer, Who};
use crate::domain::now_unix;
use crate::domain::Principal;
use crate::query::{Condition, QueryError};
use crate::schema::Snapshot;
use crate::store::change_log::{self, Entry, Start};
use crate::store::AnyConnection;
use crate::store::{objects, tombstones};

use super::feed_cursor::CursorKey;

/// Largest page of the feed.
pub const MAX_FEED: i64 = 1000;

/// A deleted record in the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    /// Its id.
    pub id: String,
    /// When it was deleted (unix seconds).
    pub deleted_at: i64,
}

/// One page of the change feed.
#[derive(Debug, Clone)]
pub struct ChangePage {
    /// Records changed (created or updated), as the caller sees them.
    pub objects: Vec<Map<String, Value>>,
    /// Records deleted.
    pub deleted: Vec<Deletion>,
    /// Where the next page starts.
    pub cursor: String,
    /// Whether more changes are ready now.
    pub has_more: bool,
}

fn bad_cursor() -> QueryError {
    QueryError::new("cursor", "is not a cursor this server returned")
}

/// Parses the position: `cursor` wins over `since`. Returns where to start
/// and the time the position stands for (for the horizon). Cursors of
/// earlier versions — `<time>:<id>` and the unsealed `<xid>.<seq>.<time>` —
/// restart from their second, as `since` would: what they say is never
/// trusted as a place in the log.
fn position(
    key: &CursorKey,
    since: Option<&str>,
    cursor: Option<&str>,
) -> Result<(Start, i64), QueryError> {
    if let Some(c) = cursor.map(str::trim).filter(|c| !c.is_empty()) {
        if let Some((position, at)) = key.open(c) {
            return Ok((Start::After(position), at));
        }
        let legacy_time = match c.split_once(':') {
            Some((t, _)) => t.parse::<i64>().ok(),
            None => match c.split('.').collect::<Vec<_>>().as_slice() {
                [xid, seq, at] if xid.parse::<i64>().is_ok() && seq.parse::<i64>().is_ok() => {
                    at.parse::<i64>().ok()
                }
                _ => None,
            },
        };
        return match legacy_time.filter(|t| *t >= 0) {
            Some(t) => Ok((Start::Since(t - 1), t)),
            None => Err(bad_cursor()),
        };
    }
    let t = match since.map(str::trim).filter(|s| !s.is_empty()) {
        None => 0,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| QueryError::new("since", "must be a unix time in seconds"))?,
    };
    Ok((Start::Since(t), t.saturating_add(1)))
}

impl Records {
    /// One page of the change feed of `table`.
    #[tracing::instrument(skip(self, caller))]
    pub async fn changes(
        &self,
        caller: &Principal,
        table: &str,
        since: Option<&str>,
        cursor: Option<&str>,
        limit: Option<&str>,
    ) -> Result<ChangePage, RecordsError> {
        let page = self
            .changes_of(caller, &[table], false, since, cursor, limit)
            .await?;
        Ok(ChangePage {
            objects: page.objects.into_iter().map(|(_, row)| row).collect(),
            deleted: page.deleted.into_iter().map(|(_, d)| d).collect(),
            cursor: page.cursor,
            has_more: page.has_more,
        })
    }

    /// One page of the change feed over several `tables` with one cursor and,
    /// with `profile`, the caller's own profile when it changed since the
    /// position's time (SealTalk's "sync since a version").
    #[tracing::instrument(skip(self, caller))]
    pub async fn changes_of(
        &self,
        caller: &Principal,
        tables: &[&str],
        profile: bool,
        since: Option<&str>,
        cursor: Option<&str>,
        limit: Option<&str>,
    ) -> Result<MultiPage, RecordsError> {
        let who = Who::of(caller);
        let snapshot = self.live.load();
        let names = feed_tables(&snapshot, tables)?;
        let given = [since, cursor]
            .iter()
            .any(|p| p.is_some_and(|p| !p.trim().is_empty()));
        let (since, cursor) = (since.map(str::to_owned), cursor.map(str::to_owned));
        let feed_horizon = self.feed_horizon;
        let limit = feed_limit(limit)?;
        let own = match (profile, who.user) {
            (true, Some(user)) => Some(user),
            _ => None,
        };
        let (page, t) = self
            .store
            .run(move |conn| {
                let sealer = CursorKey::load(conn)?;
                let (start, t) = position(&sealer, since.as_deref(), cursor.as_deref())?;
                // `since=0` (position 1) is a first sync: it needs no deletions.
                if given && t > 1 && t < now_unix() - feed_horizon {
                    return Err(RecordsError::Gone(format!(
                        "the change feed keeps changes for {} days and this position is older; \
                         list the table again and follow the feed from now",
                        feed_horizon / 86_400
                    )));
                }
                let window = Window::read(conn, &sealer, &names, start, limit)?;
                let page = window.present(conn, &snapshot, who, &names)?;
                Ok::<_, RecordsError>((page, t))
            })
            .await?;
        let profile = match own {
            Some(user) => {
                let me = self.get_own(crate::domain::UserId::from_db(user)).await?;
                let changed = me.get("updated_at").and_then(Value::as_i64).unwrap_or(0);
                (changed >= t).then_some(me)
            }
            None => None,
        };
        Ok(MultiPage { profile, ..page })
    }
}

/// The tables a feed follows, each once, resolved against the schema.
fn feed_tables(snapshot: &Snapshot, tables: &[&str]) -> Result<Vec<String>, RecordsError> {
    let mut names = Vec::with_capacity(tables.len());
    for table in tables {
        let name = resolve(snapshot, Target::Table(table))?.name.clone();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        return Err(QueryError::new("tables", "name at least one table").into());
    }
    Ok(names)
}

/// A feed page's size: 100 unless `limit` asks for 1 to [`MAX_FEED`].
fn feed_limit(limit: Option<&str>) -> Result<i64, QueryError> {
    match limit.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(100),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_FEED).contains(n))
            .ok_or_else(|| {
                QueryError::new("limit", format!("must be an integer from 1 to {MAX_FEED}"))
            }),
    }
}

/// One page of log entries, where the next page starts, and which entry is
/// the last of each record (the one that decides what the page says of it).
struct Window {
    entries: Vec<Entry>,
    latest: Vec<usize>,
    has_more: bool,
    cursor: String,
}

impl Window {
    /// Up to `limit` settled entries of `names` from `start`.
    fn read(
        conn: &mut AnyConnection,
        sealer: &CursorKey,
        names: &[String],
        start: Start,
        limit: i64,
    ) -> Result<Self, RecordsError> {
        let mut entries = change_log::page(conn, names, start, limit + 1)?;
        let has_more = entries.len() as i64 > limit;
        entries.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let cursor = match (entries.last(), start) {
            (Some(e), _) => sealer.seal(e.position(), e.at),
            (None, Start::After(p)) => sealer.seal(p, now_unix()),
            // Nothing since a time: every settled entry is older, so the next
            // page starts after the last of them.
            (None, Start::Since(_)) => {
                sealer.seal(change_log::last_settled(conn, names)?, now_unix())
            }
        };
        let mut last: BTreeMap<(String, String), usize> = BTreeMap::new();
        for (i, e) in entries.iter().enumerate() {
            last.insert((e.object_type.clone(), e.record_id.clone()), i);
        }
        let mut latest: Vec<usize> = last.values().copied().collect();
        latest.sort_unstable();
        Ok(Window {
            entries,
            latest,
            has_more,
            cursor,
        })
    }

    /// The ids of `name`'s records whose last entry is a write (or, with
    /// `deleted`, a deletion).
    fn ids_of(&self, name: &str, deleted: bool) -> Vec<String> {
        self.latest
            .iter()
            .map(|i| &self.entries[*i])
            .filter(|e| e.object_type == name && e.deleted == deleted)
            .map(|e| e.record_id.clone())
            .collect()
    }

    /// The page as `who` sees it: each changed record they may read, as they
    /// see it now, and each deletion of a record they could read, in log order.
    fn present(
        self,
        conn: &mut AnyConnection,
        snapshot: &Snapshot,
        who: Who,
        names: &[String],
    ) -> Result<MultiPage, RecordsError> {
        // Tombstones keep their ACL as JSON; live rows have the ACL index.
        let tomb_acl = who
            .acl_filter(Access::Read, None)
            .unwrap_or_else(|| Condition::And(Vec::new()));
        let mut rows: BTreeMap<(String, String), Map<String, Value>> = BTreeMap::new();
        let mut seen: Vec<(String, String)> = Vec::new();
        for name in names {
            let object = named(snapshot, name)?;
            let keys: Vec<_> = self
                .ids_of(name, false)
                .iter()
                .filter_map(|id| parse_id(object, id))
                .collect();
            let columns = readable_columns(object, Viewer::widest(who));
            let acl = visible(object, who, Access::Read, Condition::And(Vec::new()));
            let found =
                objects::get_many(conn, &objects::sql_table(object), &columns, &keys, &acl)?;
            let grants = read_grants(conn, snapshot, object, who, &found)?;
            for mut row in found {
                let id = id_text(&row);
                present(object, who, &mut row, &grants);
                rows.insert((name.clone(), id), row);
            }
            for id in tombstones::visible(conn, name, &self.ids_of(name, true), &tomb_acl)? {
                seen.push((name.clone(), id));
            }
        }
        let (mut objects, mut deleted) = (Vec::new(), Vec::new());
        for i in self.latest {
            let e = &self.entries[i];
            let key = (e.object_type.clone(), e.record_id.clone());
            if e.deleted {
                if seen.contains(&key) {
                    let d = Deletion {
                        id: e.record_id.clone(),
                        deleted_at: e.at,
                    };
                    deleted.push((e.object_type.clone(), d));
                }
            } else if let Some(row) = rows.remove(&key) {
                objects.push((e.object_type.clone(), row));
            }
        }
        Ok(MultiPage {
            objects,
            deleted,
            profile: None,
            cursor: self.cursor,
            has_more: self.has_more,
        })
    }
}

/// One page of the feed over several tables.
#[derive(Debug, Clone)]
pub struct MultiPage {
    /// Changed records with their table, in log order.
    pub objects: Vec<(String, Map<String, Value>)>,
    /// Deleted records with their table.
    pub deleted: Vec<(String, Deletion)>,
    /// The caller's profile, when asked for and changed since the position's time.
    pub profile: Option<Map<String, Value>>,
    /// Where the next page starts.
    pub cursor: String,
    /// Whether more changes are ready now.
    pub has_more: bool,
}
