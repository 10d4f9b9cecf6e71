//! Relations read with a record: viewer-relative flags (`viewer_link`: does
//! a record of T link the viewer and this record?) and reverse relations
//! (`related`: the records of T pointing at this one, on `expand`). Neither
//! is stored. Each is checked against its table once every file is compiled.

use std::path::Path;

use serde_json::Value;

use super::counters::{check_filter, pointer_to};
use super::error::SchemaError;
use super::extension::{ReadLinkedExtension, ReadRule, RelatedExtension, ViewerLinkExtension};
use super::field::FieldKind;
use super::load::Registry;
use super::object_type::{ObjectType, PROFILE_TYPE};
use super::EXTENSION_KEYWORD;

/// Most related records one `expand` returns per record.
pub const MAX_RELATED: u32 = 100;

/// A viewer-relative flag, compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewerLink {
    /// The table holding the links.
    pub table: String,
    /// Its pointer to the viewing user.
    pub viewer: String,
    /// Its pointer to this record.
    pub record: String,
    /// Field values a link must have.
    pub filter: Vec<(String, Value)>,
}

/// A read grant through links, compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadLinked {
    /// The table holding the links.
    pub table: String,
    /// Its pointer to the user who may read.
    pub viewer: String,
    /// Its pointer to the record's owner (`created_by`).
    pub owner: String,
    /// A link from the viewer to the owner must exist as well.
    pub mutual: bool,
    /// Field values a link must have.
    pub filter: Vec<(String, Value)>,
}

/// Compiles `read_linked` on a field whose read rule is `read`.
pub fn read_linked(
    read: Option<ReadRule>,
    ext: &ReadLinkedExtension,
) -> Result<ReadLinked, String> {
    if read != Some(ReadRule::Owner) {
        return Err("read_linked widens \"read\": \"owner\"; declare that read rule".into());
    }
    if ext.both_ways {
        return Err("both_ways let a viewer grant themselves the owner's field by making a link; \
                    use \"mutual\": true (both users made a link) or drop it (the owner's link grants)"
            .into());
    }
    if ext.owner != "created_by" {
        return Err(format!(
            "owner is '{}': a grant must come from the owner, so owner is \"created_by\" \
             (the user who made the link)",
            ext.owner
        ));
    }
    if ext.viewer == "created_by" {
        return Err("viewer is a user pointer the link's creator sets, not \"created_by\"".into());
    }
    Ok(ReadLinked {
        table: ext.table.clone(),
        viewer: ext.viewer.clone(),
        owner: ext.owner.clone(),
        mutual: ext.mutual,
        filter: literals(&ext.where_),
    })
}

/// A reverse relation, compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// The table whose records are returned.
    pub table: String,
    /// Its pointer to this record.
    pub pointer: String,
    /// Their order (`-created_at` by default).
    pub order_by: String,
    /// How many at most.
    pub limit: u32,
    /// Field values they must have.
    pub filter: Vec<(String, Value)>,
}

fn literals(map: &Option<serde_json::Map<String, Value>>) -> Vec<(String, Value)> {
    map.iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Compiles `viewer_link` on a field of `kind`.
pub fn viewer_link(kind: FieldKind, ext: &ViewerLinkExtension) -> Result<ViewerLink, String> {
    if kind != FieldKind::Boolean {
        return Err("a viewer_link field is a boolean".into());
    }
    Ok(ViewerLink {
        table: ext.table.clone(),
        viewer: ext.viewer.clone(),
        record: ext.record.clone(),
        filter: literals(&ext.where_),
    })
}

/// Compiles `related` on a field of `kind`.
pub fn related(kind: FieldKind, ext: &RelatedExtension) -> Result<Related, String> {
    if kind != FieldKind::Array {
        return Err("a related field is an array".into());
    }
    let limit = ext.limit.unwrap_or(10);
    if !(1..=MAX_RELATED).contains(&limit) {
        return Err(format!("limit is 1 to {MAX_RELATED}"));
    }
    Ok(Related {
        table: ext.table.clone(),
        pointer: ext.pointer.clone(),
        order_by: ext.order_by.clone().unwrap_or_else(|| "-created_at".into()),
        limit,
        filter: literals(&ext.where_),
    })
}

/// Checks every relation of `registry` against the table it reads.
pub fn check_relations(dir: &Path, registry: &Registry) -> Result<(), SchemaError> {
    for object in std::iter::once(&registry.profile).chain(registry.tables.values()) {
        for field in &object.fields {
            let at = format!("/properties/{}/{EXTENSION_KEYWORD}", field.name.as_str());
            let fail = |key: &str, message: String| {
                SchemaError::new(
                    dir.join(format!("{}.json", object.name)),
                    format!("{at}/{key}"),
                    message,
                )
            };
            if let Some(link) = &field.viewer_link {
                let source =
                    data_table(registry, &link.table).map_err(|m| fail("viewer_link/table", m))?;
                pointer_to(source, &link.viewer, PROFILE_TYPE)
                    .map_err(|m| fail("viewer_link/viewer", m))?;
                pointer_to(source, &link.record, &object.name)
                    .map_err(|m| fail("viewer_link/record", m))?;
                check_filter(source, &link.filter, true)
                    .map_err(|m| fail("viewer_link/where", m))?;
            }
            if let Some(grant) = &field.read_linked {
                let source =
                    data_table(registry, &grant.table).map_err(|m| fail("read_linked/table", m))?;
                pointer_to(source, &grant.viewer, PROFILE_TYPE)
                    .map_err(|m| fail("read_linked/viewer", m))?;
                pointer_to(source, &grant.owner, PROFILE_TYPE)
                    .map_err(|m| fail("read_linked/owner", m))?;
                check_filter(source, &grant.filter, true)
                    .map_err(|m| fail("read_linked/where", m))?;
                owner_only_links(source).map_err(|m| fail("read_linked", m))?;
            }
            if let Some(rel) = &field.related {
                let source =
                    data_table(registry, &rel.table).map_err(|m| fail("related/table", m))?;
                pointer_to(source, &rel.pointer, &object.name)
                    .map_err(|m| fail("related/pointer", m))?;
                check_filter(source, &rel.filter, true).map_err(|m| fail("related/where", m))?;
                let order = rel.order_by.trim_start_matches('-');
                let sortable = source.lookup(order).is_some_and(|f| {
                    f.is_stored() && !f.kind.is_json() && f.read == ReadRule::Public
                });
                if !sortable {
                    return Err(fail(
                        "related/order_by",
                        format!(
                            "'{order}' is not a public, sortable field of '{}'",
                            source.name
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A grant through links holds only while the viewer cannot make or change
/// the owner's links: rows of `source` must be written by their creator alone
/// by default, so its pointers and the `where` fields (whose write rules are
/// `owner`, `admin` or `nobody`) are the creator's, an admin's or the
/// server's, unless the owner shares a link's write permission themselves.
fn owner_only_links(source: &ObjectType) -> Result<(), String> {
    if !source.rules.default_write.is_empty() {
        return Err(format!(
            "the links of '{}' are writable by others by default (its write permission): \
             a viewer could change a link the owner made; leave its write permission to the creator",
            source.name
        ));
    }
    Ok(())
}

fn data_table<'a>(registry: &'a Registry, name: &str) -> Result<&'a ObjectType, String> {
    match registry.tables.get(name) {
        Some(t) => Ok(t),
        None => Err(format!("no schema file declares the data table '{name}'")),
    }
}

#[cfg(test)]
#[path = "relations_test.rs"]
mod tests;
