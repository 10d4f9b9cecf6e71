//! The API specification, as tests: every behaviour on SQLite and on Postgres.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod helpers;

mod account;
mod account_deletion;
mod account_proofs;
mod admin_api;
mod anonymous;
mod browser_pages;
mod change_feed;
mod cluster;
mod concurrency;
mod console;
mod dev_log;
mod device_login;
mod docs_examples;
mod email;
mod file_categories;
mod file_fields;
mod files;
mod files_limits;
mod files_s3;
mod hostile_input;
mod http_basics;
mod hydrogen_apps;
mod hydrogen_requests;
mod image_versions;
mod janitor;
mod login;
mod mini_program;
mod native_token;
mod oauth;
mod profile_engine;
mod profile_writes;
mod query_budget;
mod records_access;
mod records_batch;
mod records_constraints;
mod records_crud;
mod records_query;
mod records_upsert;
mod register;
mod schema_cli;
mod schema_evolution;
mod schema_examples;
mod schema_reload;
mod schema_vocabulary;
mod sdk_compat;

mod security;
mod security_admin;
mod security_limits;
mod security_takeover;
mod seed_anjuke;
mod seed_dating;
mod seed_sealtalk;
mod seed_thinksns;
mod settings_messages;
mod sms;
mod smtp;
mod startup_errors;
mod two_nodes;
mod user_info;
mod user_list;
mod user_lookup;
mod user_update;
