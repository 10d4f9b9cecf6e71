-- A sign-in is bound to the browser that started it: the provider's
-- authorization URL waits here until the browser opens Protium's start page,
-- which sets a cookie whose hash is kept; the return from the provider must
-- bring that cookie.
ALTER TABLE oauth_states ADD COLUMN authorize_url TEXT NOT NULL DEFAULT '';
ALTER TABLE oauth_states ADD COLUMN browser_hash TEXT;
