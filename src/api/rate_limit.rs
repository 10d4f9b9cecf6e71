//! Per-client-address limits on the endpoints that spend a password hash or
//! send something (register, login, resets, code requests), counted in the
//! database every node shares ([`Limits`]), per address as
//! [`TrustedProxies`] finds it.

use std::net::IpAddr;

use actix_web::HttpRequest;

use super::client_address::TrustedProxies;
use super::error::ApiError;
use crate::auth::{Limits, Window};

/// One limit: `name` keeps its counters apart from other limits'.
#[derive(Debug, Clone)]
pub struct RateLimit {
    name: &'static str,
    window: Window,
    limits: Limits,
    proxies: TrustedProxies,
}

impl RateLimit {
    /// `window.hits` attempts per address per window (0: no limit).
    pub fn new(
        name: &'static str,
        window: Window,
        limits: Limits,
        proxies: TrustedProxies,
    ) -> Self {
        Self {
            name,
            window,
            limits,
            proxies,
        }
    }

    /// Counts one attempt from the request's client; refuses with 429 (and
    /// `Retry-After`) past the limit.
    pub async fn check(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let Some(client) = self.proxies.client(req) else {
            return Ok(());
        };
        let key = format!("{}:{}", self.name, client_key(client));
        Ok(self.limits.count(key, self.window, "this address").await?)
    }
}

/// The rate-limit key of an address: IPv6 clients usually hold a whole /64, so
/// they are counted per /64 network.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(std::net::Ipv6Addr::from(network))
        }
        v4 => v4,
    }
}

#[cfg(test)]
#[path = "rate_limit_test.rs"]
mod tests;
