//! Schema evolution on the command line: `protium schema check | diff | apply
//! | prune`. `diff` is a dry run against the configured database (the DDL that
//! would run, and for each narrowing change the stored rows that would not
//! fit); `apply` applies additive changes, and narrowing ones only when asked
//! and every stored row fits; `prune` drops what no declaration wants any more.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::json;

use super::schema_control::{node_name, LoadError};
use crate::domain::now_unix;
use crate::schema::{self, ObjectType, Registry};
use crate::store::audit::{self, Actor, AuditEntry};
use crate::store::counters;
use crate::store::prune::{self, PrunePlan};
use crate::store::schema_sync::{self, column_decls, Applied, ApplyOptions, NarrowingPolicy};
use crate::store::{objects, AnyConnection, Store, StoreError};

/// Who runs the command line, for the history and the audit log.
fn cli_actor() -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}@{}", node_name().trim_start_matches("node:"))
}

/// A one-line summary of a compiled directory.
pub fn check(dir: &Path) -> Result<String, LoadError> {
    let registry = schema::load_dir(dir)?;
    Ok(format!(
        "ok: {} profile field(s), {} data table(s) in {}",
        registry.profile.fields.len(),
        registry.tables.len(),
        dir.display()
    ))
}

fn run(store: &Store, dir: &Path, options: ApplyOptions) -> Result<Applied, LoadError> {
    let registry = schema::load_dir(dir)?;
    Ok(store.run_blocking(|conn| schema_sync::apply(conn, &registry, &options))?)
}

/// What start-up would do with `dir`, changing nothing: its refusal of a
/// narrowing or type change comes back in `refusal`, worded as start-up's.
pub fn preflight(store: &Store, dir: &Path) -> Result<Applied, LoadError> {
    run(
        store,
        dir,
        ApplyOptions {
            narrowing: NarrowingPolicy::Refuse,
            applied_by: cli_actor(),
            dry_run: true,
        },
    )
}

/// What applying `dir` would do, changing nothing.
pub fn diff(store: &Store, dir: &Path) -> Result<Applied, LoadError> {
    run(
        store,
        dir,
        ApplyOptions {
            narrowing: NarrowingPolicy::WhenRowsFit,
            applied_by: cli_actor(),
            dry_run: true,
        },
    )
}

/// Applies `dir`: additive changes, and narrowing ones with `allow_narrowing`
/// when every stored row fits them.
pub fn apply(store: &Store, dir: &Path, allow_narrowing: bool) -> Result<Applied, LoadError> {
    let narrowing = if allow_narrowing {
        NarrowingPolicy::WhenRowsFit
    } else {
        NarrowingPolicy::Refuse
    };
    run(
        store,
        dir,
        ApplyOptions {
            narrowing,
            applied_by: cli_actor(),
            dry_run: false,
        },
    )
}

/// What pruning would drop, per table (empty plans left out).
pub fn prune_plan(store: &Store, dir: &Path) -> Result<Vec<PrunePlan>, LoadError> {
    let registry = schema::load_dir(dir)?;
    Ok(store.run_blocking(|conn| {
        let mut plans = Vec::new();
        for object in objects_of(&registry) {
            let table = objects::sql_table(object);
            let plan = prune::plan(conn, &table, &column_decls(object), &object.rules.uniques)?;
            if !plan.is_empty() {
                plans.push(plan);
            }
        }
        Ok::<_, crate::store::StoreError>(plans)
    })?)
}

/// Drops what [`prune_plan`] lists; audited. Returns the DDL run.
pub fn prune(store: &Store, plans: &[PrunePlan]) -> Result<Vec<String>, LoadError> {
    let actor = cli_actor();
    Ok(store.run_blocking(|conn| {
        crate::store::schema_transaction(conn, false, |conn| {
            let mut done = Vec::new();
            for plan in plans {
                let ddl = prune::execute(conn, plan)?;
                audit::insert(
                    conn,
                    &AuditEntry {
                        at: now_unix(),
                        actor: actor.clone(),
                        action: "schema.prune".into(),
                        target_type: "schema".into(),
                        target_id: Some(plan.table.clone()),
                        changes:
                            json!({"columns": plan.columns, "indexes": plan.indexes, "ddl": ddl})
                                .to_string(),
                        ip: None,
                        request_id: None,
                    },
                )?;
                done.extend(ddl);
            }
            Ok(done)
        })
    })?)
}

/// Recounts every counter field `dir` declares, in one transaction with its
/// audit entry; returns each counter with the rows it changed.
pub fn recount(store: &Store, dir: &Path) -> Result<Vec<(String, usize)>, LoadError> {
    let registry = schema::load_dir(dir)?;
    let actor = Actor {
        name: cli_actor(),
        ..Actor::default()
    };
    Ok(store.run_blocking(|conn| {
        crate::store::schema_transaction(conn, false, |conn| {
            recount_audited(conn, objects_of(&registry), &actor)
        })
    })?)
}

/// Recounts the counters rows of `types` feed and audits it for `actor`,
/// inside the caller's transaction.
pub(super) fn recount_audited<'a>(
    conn: &mut AnyConnection,
    types: impl Iterator<Item = &'a ObjectType>,
    actor: &Actor,
) -> Result<Vec<(String, usize)>, StoreError> {
    let done = counters::recount_all(conn, types)?;
    let changes: serde_json::Map<String, serde_json::Value> =
        done.iter().map(|(c, n)| (c.clone(), json!(n))).collect();
    audit::insert(
        conn,
        &actor.entry("schema.recount", "schema", None, &changes.into()),
    )?;
    Ok(done)
}

fn objects_of(registry: &Registry) -> impl Iterator<Item = &crate::schema::ObjectType> {
    std::iter::once(&registry.profile).chain(registry.tables.values())
}

/// The report of a diff or an apply, for people.
pub fn describe(applied: &Applied, dry_run: bool) -> String {
    let mut out = String::new();
    let verb = if dry_run { "would run" } else { "ran" };
    if applied.ddl.is_empty() {
        let _ = writeln!(out, "DDL: nothing to do");
    } else {
        let _ = writeln!(out, "DDL ({verb}):");
        for statement in &applied.ddl {
            let _ = writeln!(out, "  {statement};");
        }
    }
    if applied.narrowing.is_empty() {
        let _ = writeln!(out, "narrowing changes: none");
    } else {
        let _ = writeln!(out, "narrowing changes:");
        for n in &applied.narrowing {
            let sample = if n.misfits.sample.is_empty() {
                String::new()
            } else {
                format!(" (e.g. id {})", n.misfits.sample.join(", "))
            };
            let _ = writeln!(
                out,
                "  {}: {} stored row(s) do not fit{sample}",
                n.step.describe(),
                n.misfits.count
            );
        }
    }
    if !applied.hidden.is_empty() {
        let _ = writeln!(
            out,
            "hidden (no longer declared, kept with their data until `protium schema prune`): {}",
            applied.hidden.join(", ")
        );
    }
    if let Some(why) = &applied.refusal {
        let _ = writeln!(out, "apply would be refused: {why}");
    } else if !dry_run {
        let _ = writeln!(
            out,
            "{}",
            if applied.recorded {
                "applied; recorded in the schema history"
            } else {
                "applied; the schema was already recorded"
            }
        );
    }
    out
}

/// The report of a prune plan, for people.
pub fn describe_prune(plans: &[PrunePlan]) -> String {
    if plans.is_empty() {
        return "nothing to prune\n".into();
    }
    let mut out = String::from("prune would drop:\n");
    for plan in plans {
        for column in &plan.columns {
            let _ = writeln!(out, "  column {}.{column} (and its data)", plan.table);
        }
        for index in &plan.indexes {
            let _ = writeln!(out, "  index {index} on {}", plan.table);
        }
    }
    out
}
