ALTER TABLE oauth_states DROP COLUMN browser_hash;
ALTER TABLE oauth_states DROP COLUMN authorize_url;
