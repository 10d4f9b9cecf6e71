-- Every write of a record, in an order the change feed can serve without ever
-- skipping one: `xid` is the writing transaction, and the feed serves only
-- entries of transactions older than every transaction still running.
CREATE TABLE change_log (
    seq BIGSERIAL PRIMARY KEY,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    object_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    deleted BOOLEAN NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX change_log_feed ON change_log (object_type, xid, seq);
CREATE INDEX change_log_at ON change_log (at);
