//! Logging: `tracing` with an env-filter, as text or JSON lines.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. `filter` uses `tracing` directives
/// (`info`, `protium=debug,actix_web=warn`; settings checks refuse invalid ones,
/// which would fall back to `info` here).
/// Calling it twice is harmless (tests).
pub fn init(filter: &str, json: bool) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only on a terminal: a log written to a file stays plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
