-- Authorization requests in flight: the state (stored hashed) ties the browser's
-- return to the PKCE verifier, the nonce, the app's callback URL and, when the
-- flow was started by a signed-in user, that user. Single use.
CREATE TABLE oauth_states (
    state_hash TEXT PRIMARY KEY NOT NULL,
    provider TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    callback_url TEXT NOT NULL,
    user_id BIGINT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

-- One-time tokens handed to the app after a successful provider login; the app
-- exchanges one for a session (authenticate) or, only for the user who started
-- the flow (user_id), a link (user-association).
CREATE TABLE oauth_auth_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    profile TEXT NOT NULL,
    user_id BIGINT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

-- Third-party accounts linked to users: one user per provider account, one
-- account per provider per user.
CREATE TABLE oauth_identities (
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES "_userprofile" (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE UNIQUE INDEX oauth_identities_user ON oauth_identities (user_id, provider);
