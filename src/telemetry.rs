//! Logging: `tracing` with an env-filter, as text or JSON lines.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. `filter` uses `tracing` directives
/// (`info`, `protium=debug,actix_web=warn`); invalid directives fall back to `info`.
/// Calling it twice is harmless (tests).
pub fn init(filter: &str, json: bool) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
