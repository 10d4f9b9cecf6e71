//! The audit log: what admins (and schema reloads) did, written in the
//! transaction of the change it records; and failed admin sign-ins, which
//! change nothing and are written on their own.

use diesel::prelude::*;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::tables::audit_log;

/// One entry to write.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    /// Unix seconds.
    pub at: i64,
    /// Who: `admin:<email>`, `key:<id>:<name>`, `token`, `node:<host>`, or
    /// `guest` (a failed admin sign-in: nobody is authenticated).
    pub actor: String,
    /// What: `user.update`, `user.disable`, `record.delete`, `key.create`,
    /// `schema.reload`, `admin.sign_in`, `admin.sign_in_failed`, …
    pub action: String,
    /// The kind of object: `_userprofile`, a table name, `api_key`, `schema`.
    pub target_type: String,
    /// Its id, if any.
    pub target_id: Option<String>,
    /// JSON: the changed fields with old and new values (never secrets), or details.
    pub changes: String,
    /// The client address.
    pub ip: Option<String>,
    /// The request id.
    pub request_id: Option<String>,
}

/// Who acted, from where: what a request knows of an audit entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    /// `admin:<email>`, `key:<id>:<name>`, `token`, `node:<host>:<pid>`.
    pub name: String,
    /// The client address.
    pub ip: Option<String>,
    /// The request id.
    pub request_id: Option<String>,
}

impl Actor {
    /// The entry recording `action` on `target_type`/`target_id` now.
    pub fn entry(
        &self,
        action: &str,
        target_type: &str,
        target_id: Option<String>,
        changes: &serde_json::Value,
    ) -> AuditEntry {
        AuditEntry {
            at: crate::domain::now_unix(),
            actor: self.name.clone(),
            action: action.to_owned(),
            target_type: target_type.to_owned(),
            target_id,
            changes: changes.to_string(),
            ip: self.ip.clone(),
            request_id: self.request_id.clone(),
        }
    }
}

/// A stored entry.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    /// Id (increasing).
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// Kind of object.
    pub target_type: String,
    /// Its id.
    pub target_id: Option<String>,
    /// JSON details.
    pub changes: String,
    /// Client address.
    pub ip: Option<String>,
    /// Request id.
    pub request_id: Option<String>,
}

/// Writes one entry.
pub fn insert(conn: &mut AnyConnection, entry: &AuditEntry) -> Result<(), StoreError> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(entry.at),
            audit_log::actor.eq(&entry.actor),
            audit_log::action.eq(&entry.action),
            audit_log::target_type.eq(&entry.target_type),
            audit_log::target_id.eq(&entry.target_id),
            audit_log::changes.eq(&entry.changes),
            audit_log::ip.eq(&entry.ip),
            audit_log::request_id.eq(&entry.request_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// Filters of the audit log; each given one must match.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Exactly this actor.
    pub actor: Option<String>,
    /// Exactly this action, or every action starting with it when it ends in `.`.
    pub action: Option<String>,
    /// This kind of object.
    pub target_type: Option<String>,
    /// This object.
    pub target_id: Option<String>,
    /// At or after (unix seconds).
    pub since: Option<i64>,
    /// Before (unix seconds).
    pub until: Option<i64>,
    /// Entries older than this id (paging backwards).
    pub before_id: Option<i64>,
}

/// Entries matching `filter`, newest first, at most `limit`.
pub fn list(
    conn: &mut AnyConnection,
    filter: &AuditFilter,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    let mut q = audit_log::table.select(AuditRow::as_select()).into_boxed();
    if let Some(a) = &filter.actor {
        q = q.filter(audit_log::actor.eq(a.clone()));
    }
    match &filter.action {
        Some(a) if a.ends_with('.') => q = q.filter(audit_log::action.like(format!("{a}%"))),
        Some(a) => q = q.filter(audit_log::action.eq(a.clone())),
        None => {}
    }
    if let Some(t) = &filter.target_type {
        q = q.filter(audit_log::target_type.eq(t.clone()));
    }
    if let Some(t) = &filter.target_id {
        q = q.filter(audit_log::target_id.eq(t.clone()));
    }
    if let Some(s) = filter.since {
        q = q.filter(audit_log::at.ge(s));
    }
    if let Some(u) = filter.until {
        q = q.filter(audit_log::at.lt(u));
    }
    if let Some(b) = filter.before_id {
        q = q.filter(audit_log::id.lt(b));
    }
    Ok(q.order(audit_log::id.desc()).limit(limit).load(conn)?)
}
