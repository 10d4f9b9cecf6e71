DROP TABLE oauth_identities;
DROP TABLE oauth_auth_tokens;
DROP TABLE oauth_states;
