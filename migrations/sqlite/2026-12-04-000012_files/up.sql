-- Uploaded files (Hydrogen's File API). A row exists from the first step of
-- an upload; its bytes are stored once the upload is accepted. The upload's
-- authorization is kept hashed and is used once. Width and height are read
-- from an image's header when its bytes arrive.
CREATE TABLE uploaded_files (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    mime_type TEXT NOT NULL DEFAULT '',
    size BIGINT NOT NULL DEFAULT 0,
    width INTEGER,
    height INTEGER,
    category_id TEXT,
    category_name TEXT,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    upload_hash TEXT,
    upload_expires BIGINT NOT NULL,
    stored BOOLEAN NOT NULL DEFAULT FALSE,
    detached_at BIGINT
);
CREATE INDEX uploaded_files_owner ON uploaded_files (created_by, created_at);
CREATE INDEX uploaded_files_pending ON uploaded_files (stored, upload_expires);

-- Which record's file field holds which file, kept in each write's
-- transaction. A file is removed by the janitor only when no row here names
-- it (the foreign key refuses the delete otherwise), some time after the
-- last record let go of it (detached_at).
CREATE TABLE file_attachments (
    file_id TEXT NOT NULL REFERENCES uploaded_files (id),
    object_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    field TEXT NOT NULL,
    PRIMARY KEY (object_type, record_id, field, file_id)
);
CREATE INDEX file_attachments_file ON file_attachments (file_id);
CREATE INDEX uploaded_files_detached ON uploaded_files (detached_at);

-- The disk that holds the files while they are kept on a node's local disk:
-- the first node to start with local storage names its disk here, and a node
-- with another disk is refused (the files would be missing there).
CREATE TABLE file_disk (
    id INTEGER PRIMARY KEY NOT NULL,
    disk TEXT NOT NULL,
    claimed_at BIGINT NOT NULL
);

-- File categories, managed by admins; an upload may name one (by id or name).
CREATE TABLE file_categories (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX uploaded_files_category ON uploaded_files (category_id);
