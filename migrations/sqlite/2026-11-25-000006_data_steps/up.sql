-- One-time data steps run by start-up (for example normalising stored values
-- after a storage rule changed); each runs once, under the start-up lock.
CREATE TABLE data_steps (
    name TEXT PRIMARY KEY NOT NULL,
    applied_at BIGINT NOT NULL
);
