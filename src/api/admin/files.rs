//! Files and file categories in the admin API: `GET /admin/api/files/`
//! (every file, with `where`), `GET|DELETE /admin/api/files/{id}/` (a file
//! with the record fields holding it; deleting is audited), and
//! `GET|POST /admin/api/file-categories/`, `PUT|DELETE
//! /admin/api/file-categories/{id}/` (each change audited).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::admin_endpoint as endpoint;
use super::AdminCaller;
use crate::api::body::{field, required, Body};
use crate::api::error::ApiError;
use crate::api::file_categories::{self, CategoryView};
use crate::api::files::{file_order, view, FileView, ListQuery};
use crate::api::openapi::{admin_details, file_details as details, Auth};
use crate::api::route_table::{Doc, Endpoint, Method, Tag};
use crate::api::wire::page_of;
use crate::api::AppState;
use crate::auth::{Principal, Scope};
use crate::files::{parse_file_where, CategoryName, Holder};
use crate::records::parse_page;

/// Files and categories.
pub(super) const ENDPOINTS: &[Endpoint] = &[
    endpoint(Method::Get, "/files/", || web::route().to(list),
        Doc::new(Tag::Admin, Auth::Admin, "Every stored file, newest first, with where, order_by, limit, offset and return_total_count as the File API takes them. Scope: files:read.")
            .with(details::file_list)),
    endpoint(Method::Get, "/files/{id}/", || web::route().to(get),
        Doc::new(Tag::Admin, Auth::Admin, "One file, with the record fields holding it (held_by). Scope: files:read.")
            .with(details::admin_file)),
    endpoint(Method::Delete, "/files/{id}/", || web::route().to(delete),
        Doc::new(Tag::Admin, Auth::Admin, "Delete a file and its bytes; records holding it keep a path that answers 404. Audited. Scope: files:write.")
            .with(admin_details::no_content)),
    endpoint(Method::Get, "/file-categories/", || web::route().to(categories),
        Doc::new(Tag::Admin, Auth::Admin, "File categories, each with its number of files. Scope: files:read.")
            .with(details::category_list)),
    endpoint(Method::Post, "/file-categories/", || web::route().to(create_category),
        Doc::new(Tag::Admin, Auth::Admin, "Make a file category; names are unique. Audited. Scope: files:write.")
            .with(details::category_write)),
    endpoint(Method::Put, "/file-categories/{id}/", || web::route().to(rename_category),
        Doc::new(Tag::Admin, Auth::Admin, "Rename a file category (its files too). Audited. Scope: files:write.")
            .with(details::category_write)),
    endpoint(Method::Delete, "/file-categories/{id}/", || web::route().to(delete_category),
        Doc::new(Tag::Admin, Auth::Admin, "Delete a file category; its files keep no category. Audited. Scope: files:write.")
            .with(admin_details::no_content)),
];

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: AdminCaller,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::FilesRead)?;
    let (limit, offset) = parse_page(query.limit.as_deref(), query.offset.as_deref())?;
    let filter = parse_file_where(query.where_json.as_deref())?;
    let with_total = matches!(query.return_total_count.as_deref(), Some("1" | "true"));
    let (rows, total) = state
        .files
        .list_every(
            filter,
            file_order(query.order_by.as_deref())?,
            (limit, offset),
            with_total,
        )
        .await?;
    let objects: Vec<FileView> = rows.into_iter().map(|f| view(&state, f)).collect();
    Ok(HttpResponse::Ok().json(page_of(&req, objects, total, limit, offset)))
}

/// A file with the record fields holding it.
#[derive(Debug, Serialize)]
struct HeldFile {
    #[serde(flatten)]
    file: FileView,
    held_by: Vec<Holder>,
}

async fn get(
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::FilesRead)?;
    let (file, held_by) = state.files.with_holders(&path).await?;
    Ok(HttpResponse::Ok().json(HeldFile {
        file: view(&state, file),
        held_by,
    }))
}

async fn delete(
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::FilesWrite)?;
    state.files.delete_audited(&path, caller.actor).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn categories(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: AdminCaller,
    query: web::Query<file_categories::CategoryQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::FilesRead)?;
    let admin = Principal::Admin(caller.grant.identity.clone());
    file_categories::page(&req, &state, &admin, false, &query).await
}

/// `{name}` of a category.
#[derive(Debug, Deserialize)]
struct CategoryBody {
    #[serde(default, deserialize_with = "field::text")]
    name: Option<String>,
}

impl CategoryBody {
    fn name(&self) -> Result<CategoryName, ApiError> {
        Ok(CategoryName::parse("name", required(&self.name, "name")?)?)
    }
}

async fn create_category(
    state: web::Data<AppState>,
    caller: AdminCaller,
    body: Body<CategoryBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::FilesWrite)?;
    let made = state
        .files
        .create_category(body.0.name()?, caller.actor)
        .await?;
    Ok(HttpResponse::Created().json(CategoryView::from(made)))
}

async fn rename_category(
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: AdminCaller,
    body: Body<CategoryBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::FilesWrite)?;
    let renamed = state
        .files
        .rename_category(&path, body.0.name()?, caller.actor)
        .await?;
    Ok(HttpResponse::Ok().json(CategoryView::from(renamed)))
}

async fn delete_category(
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::FilesWrite)?;
    state.files.delete_category(&path, caller.actor).await?;
    Ok(HttpResponse::NoContent().finish())
}
