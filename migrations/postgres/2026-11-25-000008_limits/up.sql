-- Attempt counters every node shares: one row per limit key (a client
-- address, an account identifier) and fixed time window.
CREATE TABLE rate_counters (
    key TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_counters_window ON rate_counters (window_start);

-- Periodic work one node at a time (the janitor): who holds it, until when.
CREATE TABLE leases (
    name TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,
    until BIGINT NOT NULL
);
