-- Installations bound to users: a device login with the same device id always
-- signs in the same user. The id works like a credential and is kept hashed.
CREATE TABLE devices (
    device_hash TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES "_userprofile" (id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_login_at BIGINT NOT NULL
);
CREATE INDEX devices_user ON devices (user_id);
CREATE INDEX devices_platform ON devices (platform);
