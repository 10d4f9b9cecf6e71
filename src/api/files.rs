//! Hydrogen's File API.
//!
//! Uploads take two steps, as the SDK's `File.upload` makes them:
//! `POST /hserve/v2.1/upload/` (`{filename, category_id?, category_name?}`)
//! announces the file and answers its `id`, final `path`, the `upload_url` and
//! a single-use `policy` + `authorization`; the client then posts the bytes
//! as `multipart/form-data` (`file`, `policy`, `authorization`) to
//! `POST /files/upload/` — without its session, which the SDK does not send
//! there: the authorization is the authority. Files are read, listed and
//! deleted by their owner (or an admin) under `…/uploaded-file/`, and served
//! at their `path`: `GET /files/<id>/<key>/<name>` with their sniffed type,
//! `Range` and `ETag`, `nosniff`, a sandboxing CSP, and as a download unless
//! they are images, audio, video or PDF.

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::body::{field, required, Body, BodyOrEmpty};
use super::error::ApiError;
use super::extract::LoggedIn;
use super::file_serving;
use super::openapi::{file_details as details, Auth};
use super::route_table::{Doc, Endpoint, Method, Tag};
use super::wire::page_of;
use super::{versions, AppState};
use crate::domain::InvalidInput;
use crate::files::{parse_file_where, FileName, FileOrder, FileRow};
use crate::records::parse_page;

/// The File API.
pub(super) const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(
        Method::Post,
        "/upload/",
        versions::UPLOAD,
        || web::route().to(announce),
        Doc::new(Tag::Files, Auth::User, "Start an upload: the file's id and final path, and where and with what single-use authority to send its bytes (multipart file, policy, authorization to upload_url).")
            .with(details::upload),
    ),
    Endpoint::new(
        Method::Get,
        "/uploaded-file/{id}/",
        versions::UPLOADED_FILE,
        || web::route().to(get),
        Doc::new(Tag::Files, Auth::User, "One of the caller's files (an admin: any).")
            .with(details::file),
    ),
    Endpoint::new(
        Method::Delete,
        "/uploaded-file/{id}/",
        versions::UPLOADED_FILE,
        || web::route().to(delete),
        Doc::new(Tag::Files, Auth::User, "Delete one of the caller's files, its bytes too.")
            .with(details::no_content),
    ),
    Endpoint::new(
        Method::Get,
        "/uploaded-file/",
        versions::UPLOADED_FILE,
        || web::route().to(list),
        Doc::new(Tag::Files, Auth::User, "The caller's files (an admin: every file), newest first.")
            .with(details::file_list),
    ),
    Endpoint::new(
        Method::Delete,
        "/uploaded-file/",
        versions::UPLOADED_FILE,
        || web::route().to(delete_many),
        Doc::new(Tag::Files, Auth::User, "Delete the files id__in names that the caller may delete; the others are skipped.")
            .with(details::file_delete_many),
    ),
];

/// The routes outside `/hserve`: the upload target and the files themselves.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/files/upload/", web::post().to(receive))
        .route(
            "/files/{id}/{key}/{tail:.+}",
            web::get().to(file_serving::serve),
        )
        .route(
            "/files/{id}/{key}/{tail:.+}",
            web::head().to(file_serving::serve),
        );
}

/// `{filename, category_id?, category_name?}` of step one (SDK builds before
/// 3.21 send `categoryID`/`categoryName` under those names too).
#[derive(Debug, Deserialize)]
struct AnnounceBody {
    #[serde(default, deserialize_with = "field::text")]
    filename: Option<String>,
    #[serde(default, deserialize_with = "field::text", alias = "categoryID")]
    category_id: Option<String>,
    #[serde(default, deserialize_with = "field::text", alias = "categoryName")]
    category_name: Option<String>,
}

/// Step one's answer (`file_link` is `path` under the name SDK 2.0 reads).
#[derive(Debug, Serialize)]
struct AnnounceAnswer {
    id: String,
    policy: String,
    authorization: String,
    upload_url: String,
    path: String,
    file_link: String,
    name: String,
    cdn_path: String,
    created_at: i64,
}

async fn announce(
    state: web::Data<AppState>,
    caller: LoggedIn,
    body: Body<AnnounceBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let name = FileName::parse(required(&body.filename, "filename")?)?;
    let done = state
        .files
        .announce(&caller.0, name, body.category_id, body.category_name)
        .await?;
    Ok(HttpResponse::Ok().json(AnnounceAnswer {
        id: done.file.id,
        policy: done.policy,
        authorization: done.authorization,
        upload_url: done.upload_url,
        file_link: done.path.clone(),
        cdn_path: done.path.clone(),
        path: done.path,
        name: done.file.name,
        created_at: done.file.created_at,
    }))
}

/// Step two's answer, in the shape of the form API the SDK was written for.
#[derive(Debug, Serialize)]
struct Received {
    code: u16,
    message: &'static str,
    url: String,
    time: i64,
    mimetype: String,
    file_size: i64,
    /// For images whose header could be read, as the storage form API answers.
    #[serde(rename = "image-width", skip_serializing_if = "Option::is_none")]
    image_width: Option<i32>,
    #[serde(rename = "image-height", skip_serializing_if = "Option::is_none")]
    image_height: Option<i32>,
    #[serde(rename = "image-type", skip_serializing_if = "Option::is_none")]
    image_type: Option<String>,
}

/// Longest `policy` or `authorization` field read, and longest other field
/// passed over.
const MAX_TOKEN_BYTES: usize = 4096;

/// Most parts one upload form may have.
const MAX_PARTS: usize = 16;

/// `POST /files/upload/`: the bytes of an announced file, with its policy
/// and single-use authorization. The SDK sends the file part first, so it is
/// spooled (within the size limit) before the authorization is checked; a
/// refused upload leaves nothing behind.
async fn receive(
    state: web::Data<AppState>,
    mut form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let mut spool = None;
    let (mut policy, mut authorization) = (String::new(), String::new());
    let mut parts = 0;
    while let Some(part) = form.next().await {
        let mut part = part.map_err(|e| bad_form(&e))?;
        parts += 1;
        if parts > MAX_PARTS {
            return Err(ApiError::BadRequest(format!(
                "request body: at most {MAX_PARTS} form fields"
            )));
        }
        let name = part.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" if spool.is_some() => {
                return Err(InvalidInput::new("file", "is one file per upload").into());
            }
            "file" => {
                let mut file = state.files.spool().await?;
                while let Some(chunk) = part.next().await {
                    file.write(&chunk.map_err(|e| bad_form(&e))?).await?;
                }
                spool = Some(file);
            }
            "policy" | "authorization" => {
                let mut text = Vec::new();
                while let Some(chunk) = part.next().await {
                    text.extend_from_slice(&chunk.map_err(|e| bad_form(&e))?);
                    if text.len() > MAX_TOKEN_BYTES {
                        return Err(InvalidInput::new(name.as_str(), "is too long").into());
                    }
                }
                let text = String::from_utf8(text)
                    .map_err(|_| InvalidInput::new(name.as_str(), "must be text"))?;
                if name == "policy" {
                    policy = text;
                } else {
                    authorization = text;
                }
            }
            // Other form fields are ignored, as the form API does, within
            // the same bound.
            _ => {
                let mut seen = 0;
                while let Some(chunk) = part.next().await {
                    seen += chunk.map_err(|e| bad_form(&e))?.len();
                    if seen > MAX_TOKEN_BYTES {
                        return Err(InvalidInput::new(name.as_str(), "is too long").into());
                    }
                }
            }
        }
    }
    let spool = spool.ok_or_else(|| InvalidInput::new("file", "is required"))?;
    if policy.is_empty() {
        return Err(InvalidInput::new("policy", "is required").into());
    }
    if authorization.is_empty() {
        return Err(InvalidInput::new("authorization", "is required").into());
    }
    let file = state.files.accept(spool, &policy, &authorization).await?;
    Ok(HttpResponse::Ok().json(Received {
        code: 200,
        message: "ok",
        url: state.files.url_of(&file),
        time: file.created_at,
        image_width: file.width,
        image_height: file.height,
        image_type: file
            .width
            .and_then(|_| file.mime_type.strip_prefix("image/"))
            .map(str::to_ascii_uppercase),
        mimetype: file.mime_type,
        file_size: file.size,
    }))
}

fn bad_form(e: &actix_multipart::MultipartError) -> ApiError {
    ApiError::BadRequest(format!("request body: not a readable multipart form ({e})"))
}

/// A file as the SDK reads it.
#[derive(Debug, Serialize)]
pub(super) struct FileView {
    id: String,
    name: String,
    path: String,
    cdn_path: String,
    mime_type: String,
    size: i64,
    created_at: i64,
    category: Option<Category>,
}

/// The category an upload named.
#[derive(Debug, Serialize)]
struct Category {
    id: Option<String>,
    name: Option<String>,
}

pub(super) fn view(state: &AppState, file: FileRow) -> FileView {
    let path = state.files.url_of(&file);
    let category =
        (file.category_id.is_some() || file.category_name.is_some()).then_some(Category {
            id: file.category_id,
            name: file.category_name,
        });
    FileView {
        id: file.id,
        name: file.name,
        cdn_path: path.clone(),
        path,
        mime_type: file.mime_type,
        size: file.size,
        created_at: file.created_at,
        category,
    }
}

async fn get(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    caller: LoggedIn,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let file = state.files.get(&caller.0, &id).await?;
    Ok(HttpResponse::Ok().json(view(&state, file)))
}

async fn delete(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    caller: LoggedIn,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    state.files.delete(&caller.0, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `{"id__in": [ids]}` of a bulk delete.
#[derive(Debug, Deserialize)]
struct DeleteMany {
    #[serde(default)]
    #[serde(rename = "id__in")]
    id_in: Option<serde_json::Value>,
}

async fn delete_many(
    state: web::Data<AppState>,
    caller: LoggedIn,
    body: BodyOrEmpty<DeleteMany>,
) -> Result<HttpResponse, ApiError> {
    let ids: Vec<String> = match body.0.id_in {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| InvalidInput::new("id__in", "must be a list of file ids"))?,
        Some(serde_json::Value::String(list)) => {
            list.split(',').map(|s| s.trim().to_owned()).collect()
        }
        _ => return Err(InvalidInput::new("id__in", "is required: a list of file ids").into()),
    };
    if ids.len() > 1000 {
        return Err(InvalidInput::new("id__in", "names at most 1000 files").into());
    }
    state.files.delete_many(&caller.0, &ids).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The query of a file list.
#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    pub(super) limit: Option<String>,
    pub(super) offset: Option<String>,
    pub(super) order_by: Option<String>,
    #[serde(rename = "where")]
    pub(super) where_json: Option<String>,
    pub(super) return_total_count: Option<String>,
}

/// The order a file list's `order_by` asks for (newest first unless told).
pub(super) fn file_order(raw: Option<&str>) -> Result<FileOrder, InvalidInput> {
    Ok(match raw.map(str::trim) {
        None | Some("") | Some("-created_at") => FileOrder::NewestFirst,
        Some("created_at") => FileOrder::OldestFirst,
        Some("name") => FileOrder::Name,
        Some("-name") => FileOrder::NameDesc,
        Some("size") => FileOrder::Size,
        Some("-size") => FileOrder::SizeDesc,
        Some(_) => {
            return Err(InvalidInput::new(
                "order_by",
                "must be created_at, name or size, each with - for descending",
            ))
        }
    })
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: LoggedIn,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let version = path.into_inner();
    let (limit, offset) = parse_page(query.limit.as_deref(), query.offset.as_deref())?;
    let order = file_order(query.order_by.as_deref())?;
    let filter = parse_file_where(query.where_json.as_deref())?;
    let with_total = match query.return_total_count.as_deref() {
        Some(flag) => matches!(flag, "1" | "true"),
        None => versions::counts_by_default(&version),
    };
    let (rows, total) = state
        .files
        .list(&caller.0, filter, order, limit, offset, with_total)
        .await?;
    let objects: Vec<FileView> = rows.into_iter().map(|f| view(&state, f)).collect();
    Ok(HttpResponse::Ok().json(page_of(&req, objects, total, limit, offset)))
}
