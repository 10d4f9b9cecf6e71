-- The user profile: built-in columns. Custom fields from schema/_userprofile.json
-- are added as columns at start-up (see src/store/ddl.rs).
CREATE TABLE "_userprofile" (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    created_by BIGINT,
    _username TEXT,
    _username_key TEXT,
    _email TEXT,
    _email_verified INTEGER NOT NULL DEFAULT 0,
    _phone TEXT,
    _phone_verified INTEGER NOT NULL DEFAULT 0,
    _provider TEXT NOT NULL DEFAULT '{}',
    _anonymous INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX "uq._userprofile._username_key" ON "_userprofile" (_username_key);
CREATE UNIQUE INDEX "uq._userprofile._email" ON "_userprofile" (_email);
CREATE UNIQUE INDEX "uq._userprofile._phone" ON "_userprofile" (_phone);
CREATE INDEX "ix._userprofile.created_at" ON "_userprofile" (created_at);

-- Password hashes live apart from the profile so no profile query can select them.
CREATE TABLE credentials (
    user_id BIGINT PRIMARY KEY NOT NULL REFERENCES "_userprofile" (id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Sessions are found by the SHA-256 of their token; the token itself is never stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES "_userprofile" (id) ON DELETE CASCADE,
    login_method TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ip_address TEXT,
    user_agent TEXT
);
CREATE INDEX sessions_user_id ON sessions (user_id);

-- Schema history: every column ever added for a declared field, with its kind.
CREATE TABLE schema_columns (
    object_type TEXT NOT NULL,
    field TEXT NOT NULL,
    kind TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (object_type, field)
);
