//! Stored files served at their `path`: `GET /files/<id>/<key>/<name>`
//! with their sniffed type, `Range`, `ETag`/`If-None-Match`, immutable
//! caching, `nosniff`, a sandboxing CSP and `attachment` unless they are
//! images, audio, video or PDF. From the disk through `actix-files`; from
//! the object store streamed through, one range per request.

use actix_files::{HttpRange, NamedFile};
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::TryStreamExt;

use super::error::ApiError;
use super::AppState;
use crate::files::{shown_inline, FileRow, FilesError, Stored, VersionSpec};

/// `GET /files/<id>/<key>/<name>`: a stored file's bytes;
/// `…/<name>!/<processing>` an image version of it.
pub(super) async fn serve(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, key, tail) = path.into_inner();
    // A name holds no '/', so the first "!/" starts the processing.
    let processing = tail
        .trim_end_matches('/')
        .split_once("!/")
        .map(|(_, spec)| VersionSpec::parse(spec))
        .transpose()?;
    let found = state.files.locate(&id, &key).await?;
    if let Some(spec) = processing {
        let version = state.files.version(&found.file, &spec).await?;
        return Ok(with_safety(
            HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, version.media_type))
                .insert_header(ContentDisposition {
                    disposition: DispositionType::Inline,
                    parameters: vec![DispositionParam::Filename(found.file.name.clone())],
                })
                .body(version.bytes),
        ));
    }
    let mime: mime_guess::mime::Mime = found
        .file
        .mime_type
        .parse()
        .unwrap_or(mime_guess::mime::APPLICATION_OCTET_STREAM);
    let inline = shown_inline(&found.file.mime_type);
    let disposition = ContentDisposition {
        disposition: if inline {
            DispositionType::Inline
        } else {
            DispositionType::Attachment
        },
        parameters: vec![DispositionParam::Filename(found.file.name.clone())],
    };
    let response = match &found.stored {
        Stored::Path(path) => NamedFile::open_async(path)
            .await
            .map_err(|e| ApiError::from(FilesError::Storage(e)))?
            .set_content_type(mime)
            .set_content_disposition(disposition)
            .prefer_utf8(true)
            .into_response(&req),
        Stored::Object => serve_object(&req, &state, &found.file, mime, disposition).await?,
    };
    Ok(with_safety(response))
}

/// `response` with what every served file carries: `nosniff`, a sandboxing
/// CSP, and immutable caching (the bytes at a path never change).
fn with_safety(mut response: HttpResponse) -> HttpResponse {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static("sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    response
}

/// A file in the object store, streamed through: one byte range when
/// asked (206, or 416 past its end), 304 when the client has it — the
/// bytes at a path never change, so the path's key is its `ETag`.
async fn serve_object(
    req: &HttpRequest,
    state: &AppState,
    file: &FileRow,
    mime: mime_guess::mime::Mime,
    disposition: ContentDisposition,
) -> Result<HttpResponse, ApiError> {
    let etag = header::EntityTag::new_strong(file.storage_key.clone());
    let size = u64::try_from(file.size).unwrap_or(0);
    let mut answer = HttpResponse::Ok();
    answer
        .insert_header(header::ETag(etag.clone()))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header(header::ContentType(mime))
        .insert_header(disposition);
    let cached = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == etag.to_string() || t.trim() == "*")
        });
    if cached {
        return Ok(answer.status(StatusCode::NOT_MODIFIED).finish());
    }
    let range = match req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
    {
        None => None,
        Some(asked) => match HttpRange::parse(asked, size).as_deref() {
            Ok([one]) => Some(one.start..one.start + one.length),
            // Several ranges: the whole file, as a server may answer.
            Ok(_) => None,
            Err(_) => {
                return Ok(HttpResponse::RangeNotSatisfiable()
                    .insert_header((header::CONTENT_RANGE, format!("bytes */{size}")))
                    .finish())
            }
        },
    };
    let body = state.files.read(file, range.clone()).await?;
    if let Some(r) = &range {
        answer.status(StatusCode::PARTIAL_CONTENT).insert_header((
            header::CONTENT_RANGE,
            format!("bytes {}-{}/{size}", r.start, r.end.saturating_sub(1)),
        ));
    }
    let length = range.map_or(size, |r| r.end - r.start);
    Ok(answer
        .no_chunking(length)
        .streaming(body.map_err(ApiError::from)))
}
