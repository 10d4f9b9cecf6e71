//! Hydrogen row ACL entries (`read_perm`, `write_perm`): who besides the record's
//! creator and admins may read or write it.

use super::InvalidInput;

/// One ACL entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AclEntry {
    /// `user:anonymous`: for reads everyone, even without a token; for writes
    /// every session, anonymous (device) logins included.
    Anonymous,
    /// `user:*`: every registered (not anonymous) logged-in user.
    AnyUser,
    /// `user:<id>`: one user.
    User(i64),
    /// `gid:<id>`: a user group. Accepted for compatibility; Protium has no
    /// groups yet, so it grants nothing.
    Group(i64),
}

/// Most entries in one ACL.
pub const MAX_ACL_ENTRIES: usize = 100;

impl AclEntry {
    /// Parses one entry of the ACL named `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, InvalidInput> {
        let bad = || {
            InvalidInput::new(
                field,
                format!("'{raw}' is not an ACL entry; use user:anonymous, user:*, user:<id> or gid:<id>"),
            )
        };
        let id = |s: &str| s.parse::<i64>().ok().filter(|n| *n > 0);
        match raw {
            "user:anonymous" => Ok(Self::Anonymous),
            "user:*" => Ok(Self::AnyUser),
            _ => {
                if let Some(n) = raw.strip_prefix("user:").and_then(id) {
                    Ok(Self::User(n))
                } else if let Some(n) = raw.strip_prefix("gid:").and_then(id) {
                    Ok(Self::Group(n))
                } else {
                    Err(bad())
                }
            }
        }
    }

    /// Parses a JSON array of entries (duplicates removed, order kept).
    pub fn parse_list(field: &str, value: &serde_json::Value) -> Result<Vec<Self>, InvalidInput> {
        let items = value
            .as_array()
            .ok_or_else(|| InvalidInput::new(field, "must be an array of ACL entries"))?;
        if items.len() > MAX_ACL_ENTRIES {
            return Err(InvalidInput::new(
                field,
                format!("at most {MAX_ACL_ENTRIES} entries"),
            ));
        }
        let mut out: Vec<Self> = Vec::with_capacity(items.len());
        for item in items {
            let raw = item
                .as_str()
                .ok_or_else(|| InvalidInput::new(field, "ACL entries are strings"))?;
            let entry = Self::parse(field, raw)?;
            if !out.contains(&entry) {
                out.push(entry);
            }
        }
        Ok(out)
    }

    /// The wire form.
    pub fn to_wire(self) -> String {
        match self {
            Self::Anonymous => "user:anonymous".into(),
            Self::AnyUser => "user:*".into(),
            Self::User(id) => format!("user:{id}"),
            Self::Group(id) => format!("gid:{id}"),
        }
    }
}

/// The wire form of a list, as a JSON array.
pub fn acl_json(entries: &[AclEntry]) -> serde_json::Value {
    serde_json::Value::Array(
        entries
            .iter()
            .map(|e| serde_json::Value::String(e.to_wire()))
            .collect(),
    )
}

#[cfg(test)]
#[path = "acl_test.rs"]
mod tests;
