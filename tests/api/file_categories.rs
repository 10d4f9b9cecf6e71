//! File categories and files in the admin API: admins make, rename and
//! delete categories (audited); uploads name one by id or name; users list
//! them with their file counts as the SDK's `FileCategory` reads them; the
//! admin API lists every file, shows the records holding one, and deletes
//! it under the `files:write` scope (audited).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::files::{announce_in, create_category, send_bytes, upload, PNG};
use crate::helpers::{spawn_app_public, Backend, TestApp, ADMIN_TOKEN};

on_both_backends!(
    admins_manage_categories_and_uploads_name_them,
    the_admin_api_lists_shows_and_deletes_files,
);

async fn app(backend: Backend, schema: &str) -> TestApp {
    let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(schema);
    spawn_app_public(backend, |s| {
        s.admin_token = ADMIN_TOKEN.into();
        s.schema_dir = schema;
    })
    .await
}

/// The audit actions recorded on `target_type`, oldest first.
async fn audited(app: &TestApp, target_type: &str) -> Vec<String> {
    let r = app
        .admin(
            Method::GET,
            &format!("/admin/api/audit/?target_type={target_type}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let mut actions: Vec<String> = r.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    actions.reverse();
    actions
}

fn names(list: &Value) -> Vec<(String, i64)> {
    list["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["files"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn admins_manage_categories_and_uploads_name_them(backend: Backend) {
    let app = app(backend, "schema").await;
    let (ann, _) = app.register_email("ann@example.com", "password-1").await;
    let pics = create_category(&app, "pics").await;
    create_category(&app, "docs").await;
    for (body, field) in [
        (json!({"name": "pics"}), "name"),
        (json!({"name": "  "}), "name"),
        (json!({}), "name"),
    ] {
        let r = app
            .admin(
                Method::POST,
                "/admin/api/file-categories/",
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {:?}", r.body);
        assert!(r.error_msg().starts_with(field), "{}", r.error_msg());
    }
    // Only admins make categories.
    let r = app
        .post(
            "/admin/api/file-categories/",
            Some(&ann),
            json!({"name": "mine"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);

    // An upload names its category by id or by name; an unknown one is refused.
    let r = app
        .post(
            "/hserve/v2.1/upload/",
            Some(&ann),
            json!({"filename": "a.png", "category_id": pics}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        send_bytes(&r.body, "a.png", PNG).await.status,
        StatusCode::OK
    );
    let picture = r.body["id"].as_str().unwrap().to_owned();
    let doc = announce_in(&app, &ann, "b.txt", Some("docs")).await;
    assert_eq!(
        send_bytes(&doc, "b.txt", b"text").await.status,
        StatusCode::OK
    );
    for (body, field) in [
        (
            json!({"filename": "c.txt", "category_name": "nope"}),
            "category_name",
        ),
        (
            json!({"filename": "c.txt", "category_id": "0123456789abcdef01234567"}),
            "category_id",
        ),
    ] {
        let r = app.post("/hserve/v2.1/upload/", Some(&ann), body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
        assert!(r.error_msg().starts_with(field), "{}", r.error_msg());
    }

    // Users list them as FileCategory.find reads them, with file counts.
    let list = app
        .get(
            "/hserve/v2.2/file-category/?order_by=name&return_total_count=1",
            Some(&ann),
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(names(&list.body), [("docs".into(), 1), ("pics".into(), 1)]);
    assert_eq!(list.body["meta"]["total_count"], 2);
    let filtered = app
        .get_query(
            "/hserve/v2.2/file-category/",
            Some(&ann),
            &[("where", r#"{"name":{"$contains":"pic"}}"#)],
        )
        .await;
    assert_eq!(names(&filtered.body), [("pics".into(), 1)]);
    let one = app
        .get(&format!("/hserve/v1.3/file-category/{pics}/"), Some(&ann))
        .await;
    assert_eq!(
        (one.body["name"].as_str(), one.body["files"].as_i64()),
        (Some("pics"), Some(1))
    );
    assert_eq!(
        app.get("/hserve/v2.2/file-category/", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // FileCategory.getFileList: the files whose category_id is in the list.
    let in_pics = app
        .get_query(
            "/hserve/v2.2/uploaded-file/",
            Some(&ann),
            &[(
                "where",
                &json!({"category_id": {"$in": [pics]}}).to_string(),
            )],
        )
        .await;
    let ids: Vec<&str> = in_pics.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [picture.as_str()]);

    // A rename follows onto the files; a deletion leaves them without one.
    let r = app
        .admin(
            Method::PUT,
            &format!("/admin/api/file-categories/{pics}/"),
            Some(json!({"name": "photos"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let file = app
        .get(
            &format!("/hserve/v2.1/uploaded-file/{picture}/"),
            Some(&ann),
        )
        .await;
    assert_eq!(file.body["category"]["name"], "photos");
    let r = app
        .admin(
            Method::DELETE,
            &format!("/admin/api/file-categories/{pics}/"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let file = app
        .get(
            &format!("/hserve/v2.1/uploaded-file/{picture}/"),
            Some(&ann),
        )
        .await;
    assert!(file.body["category"].is_null(), "{:?}", file.body);
    assert_eq!(
        audited(&app, "file_category").await,
        [
            "file_category.create",
            "file_category.create",
            "file_category.update",
            "file_category.delete"
        ]
    );
}

async fn the_admin_api_lists_shows_and_deletes_files(backend: Backend) {
    let app = app(backend, "tests/schema/files").await;
    let (ann, _) = app.register_email("ann@example.com", "password-1").await;
    let (cover, path) = upload(&app, &ann, "cover.png", PNG).await;
    let (_, _) = upload(&app, &ann, "loose.txt", b"loose").await;
    let album = app
        .post(
            "/hserve/v2.4/table/album/record/",
            Some(&ann),
            json!({"cover": cover}),
        )
        .await;
    assert_eq!(album.status, StatusCode::CREATED, "{:?}", album.body);

    let list = app
        .admin(
            Method::GET,
            "/admin/api/files/?order_by=name&return_total_count=1",
            None,
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(list.body["meta"]["total_count"], 2);
    assert_eq!(list.body["objects"][0]["name"], "cover.png");
    let shown = app
        .admin(Method::GET, &format!("/admin/api/files/{cover}/"), None)
        .await;
    assert_eq!(
        shown.body["held_by"],
        json!([{"object_type": "album", "record_id": album.body["id"], "field": "cover"}])
    );

    // A key that may only read files may not delete one.
    let key = app
        .admin(
            Method::POST,
            "/admin/api/keys/",
            Some(json!({"name": "reader", "scopes": ["files:read"]})),
        )
        .await;
    assert_eq!(key.status, StatusCode::CREATED, "{:?}", key.body);
    let reader = format!("Bearer {}", key.body["key"].as_str().unwrap());
    let r = app
        .send(Method::GET, "/admin/api/files/", Some(&reader), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .send(
            Method::DELETE,
            &format!("/admin/api/files/{cover}/"),
            Some(&reader),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    assert!(r.error_msg().contains("files:write"), "{}", r.error_msg());

    let r = app
        .admin(Method::DELETE, &format!("/admin/api/files/{cover}/"), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        reqwest::get(&path).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(audited(&app, "file").await, ["file.delete"]);
}
