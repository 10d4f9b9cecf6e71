-- SMS codes, keyed by phone number (the user may not exist yet): stored as an
-- HMAC, with a try counter; rows also serve the per-number send limits.
CREATE TABLE sms_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    phone TEXT NOT NULL,
    code_hmac TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    used_at BIGINT
);
CREATE INDEX sms_codes_phone ON sms_codes (phone, created_at);

-- Short-lived proofs that a phone number was verified with a code, usable once
-- to register or reset a password (seed 004's verification_token).
CREATE TABLE phone_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    phone TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
