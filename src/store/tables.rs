//! diesel table definitions of the system tables (see `migrations/`).
//!
//! Two system tables are not here: `record_tombstones` (`read_perm` is `TEXT`
//! on SQLite and `JSONB` on Postgres, and its reads filter by an access rule
//! the query layer renders) and `change_log` (`xid` is an `INTEGER` on SQLite
//! and an `xid8` on Postgres); both are queried as
//! [`crate::query::SqlFragment`]s.

diesel::table! {
    credentials (user_id) {
        user_id -> BigInt,
        password_hash -> Text,
        updated_at -> BigInt,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        login_method -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        ip_address -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    schema_columns (object_type, field) {
        object_type -> Text,
        field -> Text,
        kind -> Text,
        added_at -> BigInt,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        created_at -> BigInt,
        next_attempt_at -> BigInt,
        locked_until -> BigInt,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<BigInt>,
        failed_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    verification_tokens (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        purpose -> Text,
        email -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    verification_codes (id) {
        id -> BigInt,
        user_id -> BigInt,
        purpose -> Text,
        email -> Text,
        code_hmac -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        attempts -> Integer,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    server_secrets (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    sms_codes (id) {
        id -> BigInt,
        phone -> Text,
        code_hmac -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        attempts -> Integer,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    phone_tokens (token_hash) {
        token_hash -> Text,
        phone -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    oauth_states (state_hash) {
        state_hash -> Text,
        provider -> Text,
        pkce_verifier -> Text,
        nonce -> Text,
        callback_url -> Text,
        user_id -> Nullable<BigInt>,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
        authorize_url -> Text,
        browser_hash -> Nullable<Text>,
    }
}

diesel::table! {
    oauth_auth_tokens (token_hash) {
        token_hash -> Text,
        provider -> Text,
        subject -> Text,
        profile -> Text,
        user_id -> Nullable<BigInt>,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    oauth_identities (provider, subject) {
        provider -> Text,
        subject -> Text,
        user_id -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    admin_accounts (id) {
        id -> BigInt,
        email -> Text,
        password_hash -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    admin_sessions (token_hash) {
        token_hash -> Text,
        admin_id -> BigInt,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    api_keys (id) {
        id -> BigInt,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
        scopes -> Text,
        created_at -> BigInt,
        created_by -> Text,
        expires_at -> Nullable<BigInt>,
        last_used_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> BigInt,
        actor -> Text,
        action -> Text,
        target_type -> Text,
        target_id -> Nullable<Text>,
        changes -> Text,
        ip -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    schema_versions (id) {
        id -> BigInt,
        digest -> Text,
        files -> Text,
        ddl -> Text,
        applied_at -> BigInt,
        applied_by -> Text,
    }
}

diesel::table! {
    /// Attempt counters per limit key and fixed window (`hits` is an
    /// `INTEGER` on both backends).
    rate_counters (key, window_start) {
        key -> Text,
        window_start -> BigInt,
        hits -> Integer,
    }
}

diesel::table! {
    /// Periodic work one node at a time: who holds it, until when.
    leases (name) {
        name -> Text,
        holder -> Text,
        until -> BigInt,
    }
}

diesel::table! {
    /// Installations bound to users, keyed by the hash of the device id.
    devices (device_hash) {
        device_hash -> Text,
        user_id -> BigInt,
        platform -> Text,
        created_at -> BigInt,
        last_login_at -> BigInt,
    }
}

diesel::table! {
    uploaded_files (id) {
        id -> Text,
        name -> Text,
        storage_key -> Text,
        mime_type -> Text,
        size -> BigInt,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        category_id -> Nullable<Text>,
        category_name -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> BigInt,
        upload_hash -> Nullable<Text>,
        upload_expires -> BigInt,
        stored -> Bool,
        detached_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    file_categories (id) {
        id -> Text,
        name -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    file_disk (id) {
        id -> Integer,
        disk -> Text,
        claimed_at -> BigInt,
    }
}

diesel::table! {
    file_attachments (object_type, record_id, field, file_id) {
        file_id -> Text,
        object_type -> Text,
        record_id -> Text,
        field -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(admin_accounts, admin_sessions);
diesel::allow_tables_to_appear_in_same_query!(uploaded_files, file_attachments);

#[cfg(test)]
#[path = "tables_test.rs"]
mod tests;
