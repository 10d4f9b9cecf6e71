//! The admin console's files (`admin/` at the top of the repository), served at
//! `/admin/`: embedded in release builds, read from disk in debug builds
//! (`rust-embed` does both). `index.html` is never cached and names the assets
//! under `/admin/v/<version>/`, where `<version>` is a digest of every file, so
//! the assets themselves are cached for a year; every answer has a strong ETag
//! and a strict Content-Security-Policy (no inline script, no other host).
//! Also `GET /`: a small page naming the server and linking to the console and
//! the API reference.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

/// The console's files.
#[derive(RustEmbed)]
#[folder = "admin/"]
struct ConsoleFiles;

/// The policy every console answer carries.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
                   frame-ancestors 'none'; form-action 'self'";

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(root))
        .route("/admin/", web::get().to(index))
        .route("/admin/v/{version}/{path:.*}", web::get().to(asset));
}

/// A digest of every file: the assets' version.
fn version() -> String {
    let mut all = Sha256::new();
    for name in ConsoleFiles::iter() {
        if let Some(file) = ConsoleFiles::get(&name) {
            all.update(name.as_bytes());
            all.update(file.metadata.sha256_hash());
        }
    }
    hex::encode(&all.finalize()[..8])
}

fn etag_of(bytes: &[u8]) -> String {
    format!("\"{}\"", hex::encode(&Sha256::digest(bytes)[..16]))
}

/// The file's answer, or 304 when the client has it.
fn respond(req: &HttpRequest, bytes: Vec<u8>, mime: &str, cache: &'static str) -> HttpResponse {
    let etag = etag_of(&bytes);
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    if fresh {
        return response.finish();
    }
    response
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_str(mime)
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        ))
        .body(bytes)
}

async fn index(req: HttpRequest) -> HttpResponse {
    let Some(file) = ConsoleFiles::get("index.html") else {
        return HttpResponse::NotFound().finish();
    };
    let html = String::from_utf8_lossy(&file.data).replace("{{version}}", &version());
    respond(
        &req,
        html.into_bytes(),
        "text/html; charset=utf-8",
        "no-cache",
    )
}

async fn asset(req: HttpRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (wanted, name) = path.into_inner();
    // The trailing slash the server adds to every path is not part of a file name.
    let name = name.trim_end_matches('/');
    let Some(file) = ConsoleFiles::get(name).filter(|_| name != "index.html") else {
        return HttpResponse::NotFound().finish();
    };
    let cache = if wanted == version() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mime = match file.metadata.mimetype() {
        m if m.starts_with("text/") || m.contains("javascript") || m.contains("json") => {
            format!("{m}; charset=utf-8")
        }
        m => m.to_owned(),
    };
    respond(&req, file.data.into_owned(), &mime, cache)
}

/// What answers at `/` for a program: the server and where its parts are.
#[derive(Debug, serde::Serialize)]
struct ServerInfo {
    name: &'static str,
    version: &'static str,
    console: &'static str,
    docs: &'static str,
    openapi: &'static str,
}

async fn root(req: HttpRequest) -> HttpResponse {
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if !wants_html {
        return HttpResponse::Ok().json(ServerInfo {
            name: "Protium",
            version: env!("CARGO_PKG_VERSION"),
            console: "/admin/",
            docs: "/docs/",
            openapi: "/openapi.json",
        });
    }
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>Protium</title></head><body>\
         <main><h1>Protium {}</h1><p>A schema-driven backend speaking the Hydrogen client API.</p>\
         <ul><li><a href=\"admin/\">Admin console</a></li><li><a href=\"docs/\">API reference</a></li>\
         <li><a href=\"openapi.json\">OpenAPI document</a></li></ul></main></body></html>",
        env!("CARGO_PKG_VERSION")
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, "default-src 'none'"))
        .body(html)
}
