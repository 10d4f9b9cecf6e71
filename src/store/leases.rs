//! Leases (`leases`): periodic work that one node at a time should do. A
//! lease is taken when free or expired, renewed by its holder, and lapses by
//! itself when the holder stops.

use diesel::prelude::*;
use diesel::query_dsl::methods::FilterDsl;
use diesel::upsert::excluded;

use super::connection::{per_backend, AnyConnection};
use super::error::StoreError;
use super::tables::leases;

/// Takes (or renews) lease `name` for `holder` until `until`, when it is free,
/// expired at `now`, or already `holder`'s; returns whether `holder` has it.
/// One conditional upsert (`ON CONFLICT … DO UPDATE … WHERE`), so two nodes
/// never both take it.
pub fn acquire(
    conn: &mut AnyConnection,
    name: &str,
    holder: &str,
    now: i64,
    until: i64,
) -> Result<bool, StoreError> {
    let upsert = diesel::insert_into(leases::table)
        .values((
            leases::name.eq(name),
            leases::holder.eq(holder),
            leases::until.eq(until),
        ))
        .on_conflict(leases::name)
        .do_update()
        .set((
            leases::holder.eq(excluded(leases::holder)),
            leases::until.eq(excluded(leases::until)),
        ));
    // `ON CONFLICT … DO UPDATE … WHERE`: the filter of the upsert's update.
    let take = FilterDsl::filter(
        upsert,
        leases::until
            .lt(now)
            .or(leases::holder.eq(excluded(leases::holder))),
    );
    let changed = per_backend!(conn, c => take.execute(c))?;
    Ok(changed > 0)
}
