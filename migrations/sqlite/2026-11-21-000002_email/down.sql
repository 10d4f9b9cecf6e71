DROP TABLE server_secrets;
DROP TABLE verification_codes;
DROP TABLE verification_tokens;
DROP TABLE outbox;
