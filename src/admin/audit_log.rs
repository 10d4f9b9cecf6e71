//! Reading the audit log (entries are written by the services that make each
//! change, in the change's transaction).

use crate::store::audit::{self, AuditFilter, AuditRow};
use crate::store::{Store, StoreError};

/// The audit log; cheap to clone.
#[derive(Debug, Clone)]
pub struct AuditLog {
    store: Store,
}

impl AuditLog {
    /// Over the application's store.
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Entries matching `filter`, newest first, at most `limit`.
    pub async fn list(&self, filter: AuditFilter, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
        self.store
            .run(move |conn| audit::list(conn, &filter, limit))
            .await
    }
}
