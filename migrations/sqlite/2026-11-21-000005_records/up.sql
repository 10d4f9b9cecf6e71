-- Data tables declared in schema/ (one SQL table "tbl_<name>" each, created at
-- start-up by src/store/record_tables.rs). This registry gives each a stable
-- numeric id, usable in paths instead of the name.
CREATE TABLE object_types (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- Deleted records, for the change feed: what a client syncing since a time must drop.
CREATE TABLE record_tombstones (
    object_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    deleted_at BIGINT NOT NULL,
    created_by BIGINT,
    read_perm TEXT NOT NULL,
    PRIMARY KEY (object_type, record_id)
);
CREATE INDEX record_tombstones_since ON record_tombstones (object_type, deleted_at, record_id);

-- Asynchronous batch updates and deletes (more than 1000 matches, no triggers).
-- The job walks the matches in id order; `cursor` is the last id done, saved in
-- the same transaction as each chunk, so a restart resumes without repeating work.
CREATE TABLE bulk_operations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    object_type TEXT NOT NULL,
    operation TEXT NOT NULL,
    status TEXT NOT NULL,
    caller_kind TEXT NOT NULL,
    caller_id BIGINT,
    where_json TEXT NOT NULL,
    body TEXT NOT NULL,
    cursor TEXT,
    matched_count BIGINT NOT NULL DEFAULT 0,
    modified_count BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0
);
