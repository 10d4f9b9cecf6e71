-- Every write of a record, in commit order (SQLite has one writer at a time,
-- so `seq` is commit order; `xid` stays 0): what the change feed serves.
CREATE TABLE change_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    xid INTEGER NOT NULL DEFAULT 0,
    object_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    deleted BOOLEAN NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX change_log_feed ON change_log (object_type, xid, seq);
CREATE INDEX change_log_at ON change_log (at);
