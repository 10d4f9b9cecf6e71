//! One-time data steps: rewriting stored values once after a storage rule
//! changed, recorded in `data_steps` so each runs once per database (under the
//! caller's transaction and start-up lock).

use diesel::sql_types::Text;
use diesel::QueryableByName;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::exec;
use crate::domain::{now_unix, IsoDate};
use crate::query::{SqlFragment, SqlIdent, SqlValue};
use crate::schema::{FieldKind, ObjectType, PROFILE_TYPE};

/// The one-time step that rewrote profile dates stored as sent into the UTC
/// form record dates use.
const PROFILE_DATES_STEP: &str = "profile-dates-utc";

#[derive(QueryableByName)]
struct DateRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    value: String,
}

/// Once per database: profile date fields used to be stored as sent; rewrite
/// them in the UTC form (`2018-09-26T03:22:51.100000Z`) so that text order is
/// time order. Values that do not parse are left alone (and logged). The rows'
/// `updated_at` is kept: the values mean the same instants.
pub fn normalise_profile_dates(
    conn: &mut AnyConnection,
    profile: &ObjectType,
) -> Result<(), StoreError> {
    let dialect = conn.dialect();
    once(conn, PROFILE_DATES_STEP, |conn| {
        for field in profile.fields.iter().filter(|f| f.kind == FieldKind::Date) {
            let column = field.name.as_str();
            let ident = SqlIdent::from(&field.name);
            let profile = SqlIdent::from_static(PROFILE_TYPE);
            let mut rows = SqlFragment::new(dialect);
            rows.push("SELECT id, ")
                .push_ident(&ident)
                .push(" AS value FROM ")
                .push_ident(&profile)
                .push(" WHERE ")
                .push_ident(&ident)
                .push(" IS NOT NULL");
            for row in exec::load::<DateRow>(conn, &rows)? {
                let Ok(date) = IsoDate::parse(column, &row.value) else {
                    tracing::warn!(
                        user_id = row.id,
                        field = column,
                        "a stored date does not parse; left as it is"
                    );
                    continue;
                };
                if date.stored() != row.value {
                    let mut fix = SqlFragment::new(dialect);
                    fix.push("UPDATE ")
                        .push_ident(&profile)
                        .push(" SET ")
                        .push_ident(&ident)
                        .push(" = ")
                        .push_bind(SqlValue::Text(date.stored()))
                        .push(" WHERE id = ")
                        .push_bind(SqlValue::Int(row.id));
                    exec::execute(conn, &fix)?;
                }
            }
        }
        Ok(())
    })
}

/// Runs `work` once per database under the step name `name`: does nothing
/// when the step is recorded already, records it after `work` succeeds (in the
/// caller's transaction).
pub fn once(
    conn: &mut AnyConnection,
    name: &str,
    work: impl FnOnce(&mut AnyConnection) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let dialect = conn.dialect();
    let mut done = SqlFragment::new(dialect);
    done.push("SELECT COUNT(*) AS n FROM data_steps WHERE name = ")
        .push_bind(SqlValue::Text(name.to_owned()));
    if exec::load::<exec::IntRow>(conn, &done)?
        .first()
        .is_some_and(|r| r.n > 0)
    {
        return Ok(());
    }
    work(conn)?;
    let mut mark = SqlFragment::new(dialect);
    mark.push("INSERT INTO data_steps (name, applied_at) VALUES (")
        .push_bind(SqlValue::Text(name.to_owned()))
        .push(", ")
        .push_bind(SqlValue::Int(now_unix()))
        .push(")");
    exec::execute(conn, &mark)?;
    Ok(())
}

/// Once per data table: log the rows and deletions stored before the change
/// log existed, so a first sync (`since=0`) still sees them.
pub fn backfill_change_log(
    conn: &mut AnyConnection,
    name: &str,
    table: &str,
) -> Result<(), StoreError> {
    once(conn, &format!("change-log:{name}"), |conn| {
        let rows = super::change_log::backfill(conn, name, table)?;
        if rows > 0 {
            tracing::info!(table = name, rows, "change log filled from stored records");
        }
        Ok(())
    })
}
