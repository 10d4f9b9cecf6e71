//! At most a few costly requests of one caller run at once on a node — list
//! queries, aggregates, feed pages and batch writes — so one client sending
//! many in parallel cannot take every pooled connection: past the cap the
//! request is answered 429 at once. Admins are not capped.
//!
//! A caller is a user by id, and a guest by client address. Anonymous
//! sessions cost nothing to open, so each also counts under its client
//! address, with the guests there: opening more of them does not multiply
//! the cap.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::HttpRequest;

use super::client_address::TrustedProxies;
use super::error::ApiError;
use crate::auth::Principal;

/// The per-caller cap of running costly requests.
#[derive(Debug, Clone)]
pub struct QueryGate {
    max: usize,
    running: Arc<Mutex<HashMap<String, usize>>>,
    proxies: TrustedProxies,
}

/// A running request; leaving its places when dropped.
#[derive(Debug)]
pub struct QueryPermit {
    keys: Vec<String>,
    running: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for QueryPermit {
    fn drop(&mut self) {
        if self.keys.is_empty() {
            return;
        }
        if let Ok(mut running) = self.running.lock() {
            for key in self.keys.drain(..) {
                if let Some(n) = running.get_mut(&key) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        running.remove(&key);
                    }
                }
            }
        }
    }
}

impl QueryGate {
    /// At most `max` requests per caller at once.
    pub fn new(max: usize, proxies: TrustedProxies) -> Self {
        Self {
            max,
            running: Arc::default(),
            proxies,
        }
    }

    /// The key of the client address behind `req`.
    fn address(&self, req: &HttpRequest) -> String {
        format!(
            "addr:{}",
            self.proxies
                .client(req)
                .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
        )
    }

    /// A place for one more request of the caller, or 429 when they have
    /// `max` running: a registered user counts by id, a guest by client
    /// address, an anonymous session by both (every key must have room).
    pub fn enter(&self, req: &HttpRequest, caller: &Principal) -> Result<QueryPermit, ApiError> {
        let keys = match caller {
            Principal::Admin(_) => Vec::new(),
            Principal::User {
                id,
                anonymous: false,
                ..
            } => vec![format!("user:{}", id.get())],
            Principal::User {
                id,
                anonymous: true,
                ..
            } => vec![format!("user:{}", id.get()), self.address(req)],
            Principal::Guest => vec![self.address(req)],
        };
        if !keys.is_empty() {
            let mut running = self
                .running
                .lock()
                .map_err(|_| ApiError::Internal("query gate poisoned".into()))?;
            if keys
                .iter()
                .any(|k| running.get(k).copied().unwrap_or(0) >= self.max)
            {
                return Err(ApiError::TooManyQueries(self.max));
            }
            for k in &keys {
                *running.entry(k.clone()).or_insert(0) += 1;
            }
        }
        Ok(QueryPermit {
            keys,
            running: self.running.clone(),
        })
    }
}
