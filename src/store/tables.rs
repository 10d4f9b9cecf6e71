//! diesel table definitions of the system tables (see `migrations/`).

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
