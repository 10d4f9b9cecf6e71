//! At most a few list queries of one caller run at once on a node, so one
//! client sending many costly queries in parallel cannot take every pooled
//! connection: past the cap the request is answered 429 at once.
//! Admins are not capped.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::HttpRequest;

use super::client_address::TrustedProxies;
use super::error::ApiError;
use crate::auth::Principal;

/// The per-caller cap of running list queries.
#[derive(Debug, Clone)]
pub struct QueryGate {
    max: usize,
    running: Arc<Mutex<HashMap<String, usize>>>,
    proxies: TrustedProxies,
}

/// A running query; leaving its place when dropped.
#[derive(Debug)]
pub struct QueryPermit {
    key: Option<String>,
    running: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for QueryPermit {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else {
            return;
        };
        if let Ok(mut running) = self.running.lock() {
            if let Some(n) = running.get_mut(&key) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    running.remove(&key);
                }
            }
        }
    }
}

impl QueryGate {
    /// At most `max` queries per caller at once.
    pub fn new(max: usize, proxies: TrustedProxies) -> Self {
        Self {
            max,
            running: Arc::default(),
            proxies,
        }
    }

    /// A place for one more query of the caller (a user by id, a guest by
    /// client address), or 429 when they have `max` running.
    pub fn enter(&self, req: &HttpRequest, caller: &Principal) -> Result<QueryPermit, ApiError> {
        let key = match caller {
            Principal::Admin(_) => None,
            Principal::User { id, .. } => Some(format!("user:{}", id.get())),
            Principal::Guest => Some(format!(
                "addr:{}",
                self.proxies
                    .client(req)
                    .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
            )),
        };
        if let Some(k) = &key {
            let mut running = self
                .running
                .lock()
                .map_err(|_| ApiError::Internal("query gate poisoned".into()))?;
            let n = running.entry(k.clone()).or_insert(0);
            if *n >= self.max {
                return Err(ApiError::TooManyQueries(self.max));
            }
            *n += 1;
        }
        Ok(QueryPermit {
            key,
            running: self.running.clone(),
        })
    }
}
