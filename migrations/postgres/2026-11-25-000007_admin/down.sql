DROP TABLE schema_versions;
DROP TABLE audit_log;
DROP TABLE api_keys;
DROP TABLE admin_sessions;
DROP TABLE admin_accounts;
ALTER TABLE "_userprofile" DROP COLUMN _disabled;
