//! The user profile: read one, list many, update one's own custom fields.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::access::{readable_columns, ProfileCatalog, Viewer, BUILTIN_FIELDS};
use super::error::RecordsError;
use super::list::{parse_page, Keys, ListParams, ListResult};
use crate::auth::Principal;
use crate::domain::{now_unix, InvalidInput, UserId};
use crate::query::{parse_order_by, parse_where, OrderBy, QueryField, SqlValue};
use crate::schema::{FieldKind, ObjectType, WriteRule};
use crate::store::rows::{self, Assign, Page};
use crate::store::users::PROFILE_TABLE;
use crate::store::Store;

/// Reads and writes user profiles; cheap to clone.
#[derive(Clone, Debug)]
pub struct ProfileService {
    store: Store,
    profile: Arc<ObjectType>,
}

impl ProfileService {
    /// Builds the service over the compiled profile type.
    pub fn new(store: Store, profile: Arc<ObjectType>) -> Self {
        Self { store, profile }
    }

    /// The profile of `user_id` as `caller` may see it, with `keys` applied.
    #[tracing::instrument(skip(self, caller))]
    pub async fn get(
        &self,
        caller: &Principal,
        user_id: UserId,
        keys: Option<&str>,
    ) -> Result<Map<String, Value>, RecordsError> {
        let viewer = Viewer::of(caller, user_id.get());
        let keys = Keys::parse(
            keys,
            &ProfileCatalog {
                profile: &self.profile,
                viewer,
            },
        )?;
        let columns = readable_columns(&self.profile, viewer);
        let id = user_id.get();
        let mut record = self
            .store
            .run(move |conn| rows::select_by_id(conn, PROFILE_TABLE, &columns, id))
            .await?
            .ok_or(RecordsError::NotFound)?;
        finish(&mut record, &keys);
        Ok(record)
    }

    /// A page of profiles. Filters, sorting and keys may name only fields that are
    /// public (all fields for admins); the caller's own row also shows its owner fields.
    #[tracing::instrument(skip(self, caller))]
    pub async fn list(
        &self,
        caller: &Principal,
        params: ListParams,
    ) -> Result<ListResult, RecordsError> {
        let query_viewer = Viewer::for_queries(caller);
        let catalog = ProfileCatalog {
            profile: &self.profile,
            viewer: query_viewer,
        };
        let cond = parse_where(params.where_json.as_deref(), &catalog)?;
        let mut order = parse_order_by(params.order_by.as_deref(), &catalog)?;
        if order.is_empty() {
            order.push(OrderBy {
                field: QueryField {
                    column: "created_at".into(),
                    kind: FieldKind::Integer,
                },
                descending: true,
            });
        }
        let keys = Keys::parse(params.keys.as_deref(), &catalog)?;
        let (limit, offset) = parse_page(params.limit.as_deref(), params.offset.as_deref())?;
        let me = caller.user_id().map(UserId::get);
        let widest = if query_viewer == Viewer::Admin || me.is_none() {
            query_viewer
        } else {
            Viewer::Owner
        };
        let columns = readable_columns(&self.profile, widest);
        let public: Vec<String> = readable_columns(&self.profile, query_viewer)
            .into_iter()
            .map(|c| c.name)
            .collect();
        let want_total = params.return_total_count;
        let (mut objects, total_count) = self
            .store
            .run(move |conn| {
                let page = Page {
                    order: &order,
                    tie_breaker: "id",
                    limit,
                    offset,
                    near: None,
                };
                let objects = rows::select(conn, PROFILE_TABLE, &columns, &cond, &page)?;
                let total = if want_total {
                    Some(rows::count(conn, PROFILE_TABLE, &cond)?)
                } else {
                    None
                };
                Ok((objects, total))
            })
            .await?;
        for record in &mut objects {
            let own = me.is_some() && record.get("id").and_then(Value::as_i64) == me;
            if !own {
                record.retain(|k, _| public.iter().any(|p| p == k));
            }
            finish(record, &keys);
        }
        Ok(ListResult {
            objects,
            total_count,
            limit,
            offset,
        })
    }

    /// Updates the caller's own profile from a flat body of declared fields;
    /// numbers accept `{"$incr_by": n}`. Returns the updated profile (owner view).
    #[tracing::instrument(skip(self, caller, body))]
    pub async fn update_own(
        &self,
        caller: &Principal,
        body: Map<String, Value>,
    ) -> Result<Map<String, Value>, RecordsError> {
        let user_id = caller.user_id().ok_or(RecordsError::Unauthorized)?;
        let mut set: Vec<(String, Assign)> = Vec::with_capacity(body.len() + 1);
        let mut incremented = Vec::new();
        for (name, value) in &body {
            let assign = self.assignment(caller, name, value)?;
            if matches!(assign, Assign::IncrBy(_)) {
                incremented.push(name.clone());
            }
            set.push((name.clone(), assign));
        }
        set.push((
            "updated_at".into(),
            Assign::Value(SqlValue::Int(now_unix())),
        ));
        let id = user_id.get();
        let profile = self.profile.clone();
        let columns = readable_columns(&self.profile, Viewer::Owner);
        let mut record = self
            .store
            .transaction(move |conn| {
                rows::update(conn, PROFILE_TABLE, id, &set)?;
                let record = rows::select_by_id(conn, PROFILE_TABLE, &columns, id)?.ok_or(
                    crate::store::StoreError::Corrupt("profile vanished during update".into()),
                )?;
                // An increment may push a number out of its declared range: check the result.
                for name in &incremented {
                    if let (Some(field), Some(value)) = (profile.field(name), record.get(name)) {
                        field
                            .validate(value)
                            .map_err(|e| crate::store::StoreError::Rejected(e.to_string()))?;
                    }
                }
                Ok(record)
            })
            .await
            .map_err(|e| match e {
                crate::store::StoreError::Rejected(msg) => match msg.split_once(": ") {
                    Some((field, rule)) => RecordsError::Invalid(InvalidInput::new(field, rule)),
                    None => RecordsError::Invalid(InvalidInput::new("value", msg)),
                },
                other => other.into(),
            })?;
        finish(&mut record, &Keys::All);
        Ok(record)
    }

    /// Checks one field of an update body and turns it into an assignment.
    fn assignment(
        &self,
        caller: &Principal,
        name: &str,
        value: &Value,
    ) -> Result<Assign, RecordsError> {
        if name == "user_id" || BUILTIN_FIELDS.iter().any(|(n, _, _)| *n == name) {
            let hint = if name.starts_with('_') {
                "; use PUT /hserve/v2.2/user/account/"
            } else {
                ""
            };
            return Err(RecordsError::Forbidden(format!(
                "{name}: is a built-in field and cannot be set here{hint}"
            )));
        }
        let field = self
            .profile
            .field(name)
            .ok_or_else(|| InvalidInput::new(name, "is not a field of the user profile"))?;
        let allowed = match field.write {
            WriteRule::Owner => true,
            WriteRule::Admin => caller.is_admin(),
            WriteRule::Nobody => false,
        };
        if !allowed {
            let who = if field.write == WriteRule::Admin {
                "only by admins"
            } else {
                "only by the server"
            };
            return Err(RecordsError::Forbidden(format!(
                "{name}: may be written {who}"
            )));
        }
        if let Value::Object(ops) = value {
            if let Some((op, operand)) = ops.iter().next().filter(|(k, _)| k.starts_with('$')) {
                return match (op.as_str(), ops.len()) {
                    ("$incr_by", 1) if field.kind.is_numeric() => {
                        let n = operand
                            .as_number()
                            .ok_or_else(|| InvalidInput::new(name, "$incr_by takes a number"))?;
                        let v = match (field.kind, n.as_i64()) {
                            (FieldKind::Integer, Some(i)) => SqlValue::Int(i),
                            (FieldKind::Integer, None) => {
                                return Err(InvalidInput::new(
                                    name,
                                    "$incr_by on an integer field takes an integer",
                                )
                                .into())
                            }
                            _ => SqlValue::Float(n.as_f64().unwrap_or(0.0)),
                        };
                        Ok(Assign::IncrBy(v))
                    }
                    ("$incr_by", 1) => Err(InvalidInput::new(
                        name,
                        "$incr_by applies to number fields only",
                    )
                    .into()),
                    _ => Err(InvalidInput::new(
                        name,
                        format!("unsupported update operator '{op}' on the user profile"),
                    )
                    .into()),
                };
            }
        }
        field.validate(value)?;
        Ok(Assign::Value(rows::to_sql_value(field.kind, value)))
    }
}

/// Adds the `user_id` alias and applies the key selection.
fn finish(record: &mut Map<String, Value>, keys: &Keys) {
    if let Some(id) = record.get("id").cloned() {
        record.insert("user_id".into(), id);
    }
    keys.apply(record);
}

impl ProfileService {
    /// The full profile of `user_id` as its owner sees it (login responses, account updates).
    pub async fn get_own(&self, user_id: UserId) -> Result<Map<String, Value>, RecordsError> {
        let columns = readable_columns(&self.profile, Viewer::Owner);
        let id = user_id.get();
        let mut record = self
            .store
            .run(move |conn| rows::select_by_id(conn, PROFILE_TABLE, &columns, id))
            .await?
            .ok_or(RecordsError::NotFound)?;
        finish(&mut record, &Keys::All);
        Ok(record)
    }
}
