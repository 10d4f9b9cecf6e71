//! Per-client-address rate limits: on the endpoints that spend a password hash
//! or send mail (register, login, reset), so guessing passwords is slow and
//! cannot starve others, and on SMS code requests.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use actix_web::HttpRequest;
use governor::{DefaultKeyedRateLimiter, Quota};

use super::error::ApiError;

/// A keyed limiter: `per_minute` requests per address, in bursts of up to a quarter of that.
#[derive(Clone)]
pub struct RateLimit {
    limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    calls: Arc<AtomicU32>,
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimit")
            .field("enabled", &self.limiter.is_some())
            .finish()
    }
}

impl RateLimit {
    /// `per_minute` requests per address per minute, in bursts of a quarter of
    /// that; 0 disables the limit.
    pub fn new(per_minute: u32) -> Self {
        Self::with_quota(per_minute, Quota::per_minute)
    }

    /// `per_hour` requests per address per hour, in bursts of a quarter of that;
    /// 0 disables the limit.
    pub fn per_hour(per_hour: u32) -> Self {
        Self::with_quota(per_hour, Quota::per_hour)
    }

    fn with_quota(n: u32, quota: fn(NonZeroU32) -> Quota) -> Self {
        let limiter = NonZeroU32::new(n).map(|rate| {
            let burst = NonZeroU32::new((n / 4).max(1)).unwrap_or(NonZeroU32::MIN);
            Arc::new(governor::RateLimiter::keyed(quota(rate).allow_burst(burst)))
        });
        Self {
            limiter,
            calls: Arc::new(AtomicU32::new(0)),
        }
    }

    /// Counts one attempt from the request's peer address; refuses with 429 past the limit.
    pub fn check(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let (Some(limiter), Some(peer)) = (&self.limiter, req.peer_addr()) else {
            return Ok(());
        };
        // Forget idle addresses now and then so the table stays small.
        if self.calls.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
            limiter.retain_recent();
        }
        limiter
            .check_key(&client_key(peer.ip()))
            .map_err(|not_until| ApiError::TooManyRequests {
                retry_in: not_until
                    .wait_time_from(governor::clock::Clock::now(
                        &governor::clock::DefaultClock::default(),
                    ))
                    .as_secs()
                    .max(1),
            })
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
