//! Hydrogen's File API: an upload in the SDK's two steps (announce, then the
//! bytes with a single-use authorization), the file served safely at its
//! path, and read, listed and deleted by its owner only.

use reqwest::{multipart, Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{spawn_app_public, Backend, Reply, TestApp, ADMIN_TOKEN};

on_both_backends!(
    a_file_uploads_in_two_steps_and_is_served_at_its_path,
    an_authorization_opens_one_upload_only,
    bad_uploads_are_refused_and_leave_nothing,
    only_the_owner_reads_lists_and_deletes_a_file,
    the_content_not_the_name_decides_how_a_file_is_served,
);

/// A valid 1×1 transparent PNG (68 bytes).
pub(crate) const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0b, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x02, 0x00,
    0x00, 0x05, 0x00, 0x01, 0x7a, 0x5e, 0xab, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44,
    0xae, 0x42, 0x60, 0x82,
];

/// A server whose public URL is its own address, so the URLs it hands out
/// (the upload target, the file's path) can be followed; files up to 1 KiB.
pub(crate) async fn files_app(backend: Backend) -> TestApp {
    spawn_app_public(backend, |s| {
        s.file_max_bytes = 1024;
        s.janitor_interval = 1;
        s.admin_token = ADMIN_TOKEN.into();
    })
    .await
}

/// Makes the file category `name` with the admin token; its id.
pub(crate) async fn create_category(app: &TestApp, name: &str) -> String {
    let r = app
        .admin(
            Method::POST,
            "/admin/api/file-categories/",
            Some(json!({"name": name})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

/// Step one: announces `filename` as the user of `token`.
pub(crate) async fn announce(app: &TestApp, token: &str, filename: &str) -> Value {
    announce_in(app, token, filename, None).await
}

/// Step one, naming the file's category.
pub(crate) async fn announce_in(
    app: &TestApp,
    token: &str,
    filename: &str,
    category: Option<&str>,
) -> Value {
    let mut body = json!({ "filename": filename });
    if let Some(name) = category {
        body["category_name"] = name.into();
    }
    let r = app.post("/hserve/v2.1/upload/", Some(token), body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

/// Step two, as the SDK's web build sends it: the file part first, then the
/// policy and the authorization, and no session or client id.
pub(crate) async fn send_bytes(announced: &Value, name: &str, bytes: &[u8]) -> Reply {
    let form = multipart::Form::new()
        .part(
            "file",
            multipart::Part::bytes(bytes.to_vec())
                .file_name(name.to_owned())
                .mime_str("application/octet-stream")
                .unwrap(),
        )
        .text("policy", announced["policy"].as_str().unwrap().to_owned())
        .text(
            "authorization",
            announced["authorization"].as_str().unwrap().to_owned(),
        );
    post_form(announced, form).await
}

/// Uploads `bytes` as `name` for the user of `token`; the file's id and path.
pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    name: &str,
    bytes: &[u8],
) -> (String, String) {
    let announced = announce(app, token, name).await;
    let r = send_bytes(&announced, name, bytes).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    (
        announced["id"].as_str().unwrap().to_owned(),
        announced["path"].as_str().unwrap().to_owned(),
    )
}

async fn a_file_uploads_in_two_steps_and_is_served_at_its_path(backend: Backend) {
    let app = files_app(backend).await;
    let (token, _) = app.register_email("ann@example.com", "password-1").await;
    create_category(&app, "docs").await;
    let announced = announce_in(&app, &token, "hello.txt", Some("docs")).await;
    let path = announced["path"].as_str().unwrap();
    assert!(
        path.starts_with(&app.address) && path.ends_with("/hello.txt"),
        "{path}"
    );
    assert_eq!(announced["file_link"], announced["path"]);
    assert!(announced["upload_url"]
        .as_str()
        .unwrap()
        .starts_with(&app.address));

    let r = send_bytes(&announced, "hello.txt", b"hello, world").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["code"], 200);
    assert_eq!(r.body["url"], announced["path"]);
    assert_eq!(r.body["file_size"], 12);
    assert_eq!(r.body["mimetype"], "text/plain");
    assert_eq!(r.body["time"], announced["created_at"]);

    let served = reqwest::get(path).await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    let headers = served.headers().clone();
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .starts_with("sandbox"));
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(served.bytes().await.unwrap().as_ref(), b"hello, world");

    // A range, and a revalidation by ETag.
    let part = reqwest::Client::new()
        .get(path)
        .header("Range", "bytes=0-4")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.bytes().await.unwrap().as_ref(), b"hello");
    let etag = headers["etag"].to_str().unwrap();
    let again = reqwest::Client::new()
        .get(path)
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let detail = app
        .get(
            &format!(
                "/hserve/v2.1/uploaded-file/{}/",
                announced["id"].as_str().unwrap()
            ),
            Some(&token),
        )
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    assert_eq!(detail.body["name"], "hello.txt");
    assert_eq!(detail.body["size"], 12);
    assert_eq!(detail.body["path"], announced["path"]);
    assert_eq!(detail.body["category"]["name"], "docs");
}

async fn an_authorization_opens_one_upload_only(backend: Backend) {
    let app = files_app(backend).await;
    let (token, _) = app.register_email("ann@example.com", "password-1").await;
    let first = announce(&app, &token, "a.txt").await;
    let second = announce(&app, &token, "b.txt").await;

    // A wrong authorization, and one given for another file.
    let mut forged = first.clone();
    forged["authorization"] = json!("upl_0000");
    let r = send_bytes(&forged, "a.txt", b"x").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body["error_msg"]
            .as_str()
            .unwrap()
            .starts_with("authorization:"),
        "{:?}",
        r.body
    );
    let mut crossed = first.clone();
    crossed["authorization"] = second["authorization"].clone();
    assert_eq!(
        send_bytes(&crossed, "a.txt", b"x").await.status,
        StatusCode::BAD_REQUEST
    );

    // The right one works once; sent again (in parallel too) it is refused.
    let (one, two) = tokio::join!(
        send_bytes(&first, "a.txt", b"first"),
        send_bytes(&first, "a.txt", b"again"),
    );
    let mut statuses = [one.status, two.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::BAD_REQUEST],
        "{one:?} {two:?}"
    );
    let served = reqwest::get(first["path"].as_str().unwrap()).await.unwrap();
    let bytes = served.bytes().await.unwrap();
    assert!(bytes.as_ref() == b"first" || bytes.as_ref() == b"again");
    assert_eq!(
        send_bytes(&first, "a.txt", b"third").await.status,
        StatusCode::BAD_REQUEST
    );
    // Step one needs a session.
    let r = app
        .post("/hserve/v2.1/upload/", None, json!({"filename": "x.txt"}))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

async fn bad_uploads_are_refused_and_leave_nothing(backend: Backend) {
    let app = files_app(backend).await;
    let (token, _) = app.register_email("ann@example.com", "password-1").await;
    let incoming = app.db.data_dir.path().join("files/.incoming");

    let r = app
        .post("/hserve/v2.1/upload/", Some(&token), json!({}))
        .await;
    assert_eq!(
        (r.status, r.error_msg()),
        (StatusCode::BAD_REQUEST, "filename: is required")
    );
    let r = app
        .post(
            "/hserve/v2.1/upload/",
            Some(&token),
            json!({"filename": ".."}),
        )
        .await;
    assert_eq!(r.error_msg(), "filename: must name a file");
    let r = app
        .post("/hserve/v2.1/upload/", Some(&token), json!({"filename": 7}))
        .await;
    assert_eq!(r.error_msg(), "filename: must be a string");

    // `../` in a name keeps only the last segment.
    let traversal = announce(&app, &token, "../../secret.txt").await;
    assert!(traversal["path"].as_str().unwrap().ends_with("/secret.txt"));
    assert_eq!(traversal["name"], "secret.txt");

    // Larger than the server takes: 413 naming the limit; the authorization
    // is not used up by bytes that never arrived whole.
    let big = announce(&app, &token, "big.bin").await;
    let r = send_bytes(&big, "big.bin", &[7u8; 2048]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        r.body["error_msg"],
        "file: larger than the 1024 bytes this server takes"
    );

    // Empty: refused, and that authorization is spent.
    let empty = announce(&app, &token, "empty.txt").await;
    let r = send_bytes(&empty, "empty.txt", b"").await;
    assert_eq!(
        (r.status, r.body["error_msg"].as_str()),
        (StatusCode::BAD_REQUEST, Some("file: is empty"))
    );

    // A form without the file, or not a form at all.
    let form = multipart::Form::new()
        .text("policy", "x")
        .text("authorization", "y");
    let resp = reqwest::Client::new()
        .post(big["upload_url"].as_str().unwrap())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error_msg"], "file: is required");
    let resp = reqwest::Client::new()
        .post(big["upload_url"].as_str().unwrap())
        .body("plain")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);

    // Nothing half-written is left, and no refused file is listed or served.
    let left: Vec<_> = std::fs::read_dir(&incoming).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    let list = app
        .get(
            "/hserve/v2.2/uploaded-file/?return_total_count=1",
            Some(&token),
        )
        .await;
    assert_eq!(list.body["meta"]["total_count"], 0, "{:?}", list.body);
    let served = reqwest::get(big["path"].as_str().unwrap()).await.unwrap();
    assert_eq!(served.status(), StatusCode::NOT_FOUND);
}

async fn only_the_owner_reads_lists_and_deletes_a_file(backend: Backend) {
    let app = files_app(backend).await;
    let (ann, _) = app.register_email("ann@example.com", "password-1").await;
    let (bob, _) = app.register_email("bob@example.com", "password-1").await;
    let (one, path) = upload(&app, &ann, "one.txt", b"1").await;
    let (two, _) = upload(&app, &ann, "two.txt", b"22").await;
    let (bobs, _) = upload(&app, &bob, "bob.txt", b"333").await;

    let list = app
        .get(
            "/hserve/v2.2/uploaded-file/?order_by=size&return_total_count=1",
            Some(&ann),
        )
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let ids: Vec<&str> = list.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [one.as_str(), two.as_str()]);
    assert_eq!(list.body["meta"]["total_count"], 2);
    // SDK 2.x lists (v2.1) carry the count unasked.
    let old = app.get("/hserve/v2.1/uploaded-file/", Some(&ann)).await;
    assert_eq!(old.body["meta"]["total_count"], 2);
    let r = app
        .get("/hserve/v2.2/uploaded-file/?order_by=owner", Some(&ann))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error_msg().starts_with("order_by:"));

    // Bob neither sees nor deletes Ann's file: 404, as for no file.
    let r = app
        .get(&format!("/hserve/v2.1/uploaded-file/{one}/"), Some(&bob))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .call(
            Method::DELETE,
            &format!("/hserve/v2.1/uploaded-file/{one}/"),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.get("/hserve/v2.1/uploaded-file/", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // A bulk delete skips what the caller may not delete.
    let r = app
        .call(
            Method::DELETE,
            "/hserve/v2.1/uploaded-file/",
            Some(&bob),
            Some(json!({"id__in": [one, bobs]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/hserve/v2.1/uploaded-file/{one}/"), Some(&ann))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/hserve/v2.1/uploaded-file/{bobs}/"), Some(&bob))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Ann deletes hers: gone from the API and from its path.
    let r = app
        .call(
            Method::DELETE,
            &format!("/hserve/v2.1/uploaded-file/{one}/"),
            Some(&ann),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/hserve/v2.1/uploaded-file/{one}/"), Some(&ann))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        reqwest::get(&path).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // A path with the wrong key finds nothing either.
    let (_, kept) = upload(&app, &ann, "kept.txt", b"k").await;
    let mut segments: Vec<&str> = kept.rsplitn(3, '/').collect();
    segments[1] = "00000000000000000000000000000000";
    segments.reverse();
    assert_eq!(
        reqwest::get(segments.join("/")).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

/// Uploads `bytes` as `name` and fetches it: the type the upload answered,
/// and the served `Content-Type` and `Content-Disposition`.
async fn served_as(app: &TestApp, token: &str, name: &str, bytes: &[u8]) -> [String; 3] {
    let announced = announce(app, token, name).await;
    let r = send_bytes(&announced, name, bytes).await;
    let served = reqwest::get(announced["path"].as_str().unwrap())
        .await
        .unwrap();
    let header = |h: &str| served.headers()[h].to_str().unwrap().to_owned();
    [
        r.body["mimetype"].as_str().unwrap().to_owned(),
        header("content-type"),
        header("content-disposition"),
    ]
}

async fn the_content_not_the_name_decides_how_a_file_is_served(backend: Backend) {
    let app = files_app(backend).await;
    let (token, _) = app.register_email("ann@example.com", "password-1").await;
    // An image named as text is an image, shown in place.
    let [sniffed, served, disposition] = served_as(&app, &token, "pixel.txt", PNG).await;
    assert_eq!(
        (sniffed.as_str(), served.as_str()),
        ("image/png", "image/png")
    );
    assert!(disposition.starts_with("inline"), "{disposition}");
    // Markup named as an image is text, and a download.
    let markup = b"<html><script>alert(1)</script>";
    let [sniffed, served, disposition] = served_as(&app, &token, "photo.png", markup).await;
    assert_eq!(sniffed, "text/plain");
    assert!(served.starts_with("text/plain"), "{served}");
    assert!(disposition.starts_with("attachment"), "{disposition}");
}

/// Posts `form` to the upload target `announced` names.
pub(crate) async fn post_form(announced: &Value, form: multipart::Form) -> Reply {
    let resp = reqwest::Client::new()
        .post(announced["upload_url"].as_str().unwrap())
        .multipart(form)
        .send()
        .await
        .expect("form sent");
    let status = resp.status();
    Reply {
        status,
        body: resp.json().await.unwrap_or(Value::Null),
        retry_after: None,
    }
}
