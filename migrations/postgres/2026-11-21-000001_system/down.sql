DROP TABLE schema_columns;
DROP TABLE sessions;
DROP TABLE credentials;
DROP TABLE "_userprofile";
