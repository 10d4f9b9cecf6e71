//! File categories as the SDK reads them (`FileCategory.find`/`get`):
//! `GET /hserve/v2.2/file-category/` and `GET /hserve/v1.3/file-category/:id/`,
//! each category with how many stored files it holds. Admins manage them
//! through the admin API (`admin/files.rs`).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::LoggedIn;
use super::openapi::{file_details as details, Auth};
use super::route_table::{Doc, Endpoint, Method, Tag};
use super::wire::page_of;
use super::{versions, AppState};
use crate::domain::InvalidInput;
use crate::files::{parse_category_where, Category, CategoryOrder};
use crate::records::parse_page;

/// The categories, for signed-in users.
pub(super) const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(
        Method::Get,
        "/file-category/",
        versions::FILE_CATEGORY,
        || web::route().to(list),
        Doc::new(
            Tag::Files,
            Auth::User,
            "File categories, each with its number of files.",
        )
        .with(details::category_list),
    ),
    Endpoint::new(
        Method::Get,
        "/file-category/{id}/",
        versions::FILE_CATEGORY,
        || web::route().to(get),
        Doc::new(
            Tag::Files,
            Auth::User,
            "One file category, with its number of files.",
        )
        .with(details::category),
    ),
];

/// A category as the SDK reads it.
#[derive(Debug, Serialize)]
pub(super) struct CategoryView {
    id: String,
    name: String,
    files: i64,
    created_at: i64,
    updated_at: i64,
}

impl From<Category> for CategoryView {
    fn from(c: Category) -> Self {
        Self {
            id: c.row.id,
            name: c.row.name,
            files: c.files,
            created_at: c.row.created_at,
            updated_at: c.row.updated_at,
        }
    }
}

/// The query of a category list.
#[derive(Debug, Deserialize)]
pub(super) struct CategoryQuery {
    limit: Option<String>,
    offset: Option<String>,
    order_by: Option<String>,
    #[serde(rename = "where")]
    where_json: Option<String>,
    return_total_count: Option<String>,
}

impl CategoryQuery {
    /// The order asked for (newest first unless told).
    fn order(&self) -> Result<CategoryOrder, InvalidInput> {
        Ok(match self.order_by.as_deref().map(str::trim) {
            None | Some("") | Some("-created_at") => CategoryOrder::NewestFirst,
            Some("created_at") => CategoryOrder::OldestFirst,
            Some("name") => CategoryOrder::Name,
            Some("-name") => CategoryOrder::NameDesc,
            Some(_) => {
                return Err(InvalidInput::new(
                    "order_by",
                    "must be created_at or name, each with - for descending",
                ))
            }
        })
    }
}

/// A page of categories as `query` asks; the total comes when asked, or
/// unasked when `count_by_default` (client lists before v2.2).
pub(super) async fn page(
    req: &HttpRequest,
    state: &AppState,
    caller: &crate::domain::Principal,
    count_by_default: bool,
    query: &CategoryQuery,
) -> Result<HttpResponse, ApiError> {
    let (limit, offset) = parse_page(query.limit.as_deref(), query.offset.as_deref())?;
    let filter = parse_category_where(query.where_json.as_deref())?;
    let with_total = match query.return_total_count.as_deref() {
        Some(flag) => matches!(flag, "1" | "true"),
        None => count_by_default,
    };
    let (rows, total) = state
        .files
        .categories(caller, filter, query.order()?, (limit, offset), with_total)
        .await?;
    let objects: Vec<CategoryView> = rows.into_iter().map(CategoryView::from).collect();
    Ok(HttpResponse::Ok().json(page_of(req, objects, total, limit, offset)))
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: LoggedIn,
    query: web::Query<CategoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let by_default = versions::counts_by_default(&path.into_inner());
    page(&req, &state, &caller.0, by_default, &query).await
}

async fn get(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    caller: LoggedIn,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let category = state.files.category(&caller.0, &id).await?;
    Ok(HttpResponse::Ok().json(CategoryView::from(category)))
}
