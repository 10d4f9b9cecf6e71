DROP TABLE phone_tokens;
DROP TABLE sms_codes;
