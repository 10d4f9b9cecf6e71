//! Built-in account columns of `_userprofile`: finding a user by login identifier
//! and reading or changing the identifiers. Custom columns go through [`super::rows`].

use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::QueryableByName;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::exec;
use super::sql_dialect as sql;
use crate::query::{SqlFragment, SqlIdent, SqlValue};

/// The table of user profiles.
pub const PROFILE_TABLE: &str = "_userprofile";

/// [`PROFILE_TABLE`] as an identifier.
static PROFILE: SqlIdent = SqlIdent::from_static(PROFILE_TABLE);

/// Which built-in column identifies the user at login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginColumn {
    /// `_email` (stored lower-case).
    Email,
    /// `_username_key` (the username lower-cased).
    Username,
    /// `_phone`.
    Phone,
}

impl LoginColumn {
    /// The column name.
    pub fn column(self) -> &'static str {
        match self {
            Self::Email => "_email",
            Self::Username => "_username_key",
            Self::Phone => "_phone",
        }
    }

    /// The column saying whether the identifier was proven (a username needs
    /// no proof: `None`).
    pub fn verified_column(self) -> Option<&'static str> {
        match self {
            Self::Email => Some("_email_verified"),
            Self::Username => None,
            Self::Phone => Some("_phone_verified"),
        }
    }
}

/// What login needs of a user.
#[derive(Debug, QueryableByName)]
pub struct LoginRow {
    /// User id.
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// argon2id PHC string, if the user has a password.
    #[diesel(sql_type = Nullable<Text>)]
    pub password_hash: Option<String>,
    /// Disabled by an admin (0/1).
    #[diesel(sql_type = BigInt)]
    pub disabled: i64,
    /// The identifier it was found by is proven (0/1; a username always is):
    /// only a proven identifier may be proven again to sign in or reset.
    #[diesel(sql_type = BigInt)]
    pub verified: i64,
}

/// The account identifiers of a user.
#[derive(Debug, Clone, QueryableByName)]
pub struct AccountRow {
    /// `_username`.
    #[diesel(sql_type = Nullable<Text>)]
    pub username: Option<String>,
    /// `_email`.
    #[diesel(sql_type = Nullable<Text>)]
    pub email: Option<String>,
    /// `_phone`.
    #[diesel(sql_type = Nullable<Text>)]
    pub phone: Option<String>,
    /// `_anonymous` as 0/1.
    #[diesel(sql_type = BigInt)]
    pub anonymous: i64,
    /// `_email_verified` as 0/1.
    #[diesel(sql_type = BigInt)]
    pub email_verified: i64,
    /// `_phone_verified` as 0/1.
    #[diesel(sql_type = BigInt)]
    pub phone_verified: i64,
    /// `_disabled` as 0/1.
    #[diesel(sql_type = BigInt)]
    pub disabled: i64,
}

/// The user whose `column` equals `value`, with their password hash.
pub fn find_login(
    conn: &mut AnyConnection,
    column: LoginColumn,
    value: &str,
) -> Result<Option<LoginRow>, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT p.id AS id, c.password_hash AS password_hash, ");
    q.push("CAST(CASE WHEN p._disabled THEN 1 ELSE 0 END AS BIGINT) AS disabled, ");
    match column.verified_column() {
        Some(flag) => {
            q.push("CAST(CASE WHEN p.")
                .push_ident(&SqlIdent::from_static(flag))
                .push(" THEN 1 ELSE 0 END AS BIGINT)");
        }
        None => {
            q.push("CAST(1 AS BIGINT)");
        }
    }
    q.push(" AS verified FROM ").push_ident(&PROFILE);
    q.push(" p LEFT JOIN credentials c ON c.user_id = p.id WHERE p.")
        .push_ident(&SqlIdent::from_static(column.column()));
    q.push(" = ").push_bind(SqlValue::Text(value.to_owned()));
    Ok(exec::load::<LoginRow>(conn, &q)?.into_iter().next())
}

/// Takes the unproven `value` of `column` (a phone or an email) away from the
/// account that holds it, unless that account is `except`: whoever proved the
/// identifier owns it, and an account that merely typed it in loses it (a
/// squatter who set someone else's number keeps their account, without the
/// number). Returns the account it was taken from.
pub fn release_unproven(
    conn: &mut AnyConnection,
    column: LoginColumn,
    value: &str,
    except: Option<i64>,
) -> Result<Option<i64>, StoreError> {
    let Some(flag) = column.verified_column() else {
        return Ok(None);
    };
    let Some(holder) = find_login(conn, column, value)? else {
        return Ok(None);
    };
    if holder.verified != 0 || Some(holder.id) == except {
        return Ok(None);
    }
    let set = [
        (column.column().to_owned(), SqlValue::Null),
        (flag.to_owned(), SqlValue::Bool(false)),
    ];
    let guard = Some((column.column(), SqlValue::Text(value.to_owned())));
    let released =
        super::object_writes::update(conn, PROFILE_TABLE, &SqlValue::Int(holder.id), guard, &set)?;
    Ok(released.then_some(holder.id))
}

/// The identifiers of user `id`; with `lock`, the row is locked until the
/// transaction ends (`FOR UPDATE` on Postgres; SQLite's write transactions are
/// already exclusive).
pub fn account(
    conn: &mut AnyConnection,
    id: i64,
    lock: bool,
) -> Result<Option<AccountRow>, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT _username AS username, _email AS email, _phone AS phone, ");
    q.push("CAST(CASE WHEN _anonymous THEN 1 ELSE 0 END AS BIGINT) AS anonymous, ");
    q.push("CAST(CASE WHEN _email_verified THEN 1 ELSE 0 END AS BIGINT) AS email_verified, ");
    q.push("CAST(CASE WHEN _phone_verified THEN 1 ELSE 0 END AS BIGINT) AS phone_verified, ");
    q.push("CAST(CASE WHEN _disabled THEN 1 ELSE 0 END AS BIGINT) AS disabled FROM ");
    q.push_ident(&PROFILE)
        .push(" WHERE id = ")
        .push_bind(SqlValue::Int(id));
    if lock {
        sql::push_row_lock(&mut q);
    }
    Ok(exec::load::<AccountRow>(conn, &q)?.into_iter().next())
}

/// What a request's session resolves to.
#[derive(Debug, QueryableByName)]
pub struct SessionUser {
    /// The session's user.
    #[diesel(sql_type = BigInt)]
    pub user_id: i64,
    /// Unix seconds.
    #[diesel(sql_type = BigInt)]
    pub expires_at: i64,
    /// The user is anonymous (0/1).
    #[diesel(sql_type = BigInt)]
    pub anonymous: i64,
    /// The user is disabled (0/1).
    #[diesel(sql_type = BigInt)]
    pub disabled: i64,
}

/// The user and expiry of the session stored under `token_hash`.
pub fn session_user(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<SessionUser>, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT s.user_id AS user_id, s.expires_at AS expires_at, ");
    q.push("CAST(CASE WHEN p._anonymous THEN 1 ELSE 0 END AS BIGINT) AS anonymous, ");
    q.push(
        "CAST(CASE WHEN p._disabled THEN 1 ELSE 0 END AS BIGINT) AS disabled FROM sessions s JOIN ",
    );
    q.push_ident(&PROFILE)
        .push(" p ON p.id = s.user_id WHERE s.token_hash = ");
    q.push_bind(SqlValue::Text(token_hash.to_owned()));
    Ok(exec::load::<SessionUser>(conn, &q)?.into_iter().next())
}

/// Users created per day (days since the epoch, UTC) at or after `since`, oldest first.
pub fn signups_per_day(
    conn: &mut AnyConnection,
    since: i64,
) -> Result<Vec<(i64, i64)>, StoreError> {
    #[derive(QueryableByName)]
    struct DayRow {
        #[diesel(sql_type = BigInt)]
        day: i64,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT CAST(created_at / 86400 AS BIGINT) AS day, COUNT(*) AS n FROM ")
        .push_ident(&PROFILE)
        .push(" WHERE created_at >= ")
        .push_bind(SqlValue::Int(since))
        .push(" GROUP BY CAST(created_at / 86400 AS BIGINT) ORDER BY day");
    Ok(exec::load::<DayRow>(conn, &q)?
        .into_iter()
        .map(|r| (r.day, r.n))
        .collect())
}

/// How many users there are: (all, anonymous, disabled).
pub fn user_counts(conn: &mut AnyConnection) -> Result<(i64, i64, i64), StoreError> {
    #[derive(QueryableByName)]
    struct Counts {
        #[diesel(sql_type = BigInt)]
        total: i64,
        #[diesel(sql_type = BigInt)]
        anonymous: i64,
        #[diesel(sql_type = BigInt)]
        disabled: i64,
    }
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT COUNT(*) AS total, ")
        .push("CAST(COALESCE(SUM(CASE WHEN _anonymous THEN 1 ELSE 0 END), 0) AS BIGINT) AS anonymous, ")
        .push("CAST(COALESCE(SUM(CASE WHEN _disabled THEN 1 ELSE 0 END), 0) AS BIGINT) AS disabled FROM ")
        .push_ident(&PROFILE);
    Ok(exec::load::<Counts>(conn, &q)?
        .first()
        .map_or((0, 0, 0), |c| (c.total, c.anonymous, c.disabled)))
}
