//! What bounds and tidies the File API: abandoned uploads swept, one user
//! unable to flood uploads, quotas per user and per app under parallel
//! uploads, `where` on file lists, and local storage refusing a second disk.

use reqwest::{multipart, Method, StatusCode};
use serde_json::{json, Value};

use crate::files::{
    announce, announce_in, create_category, files_app, post_form, send_bytes, upload, PNG,
};
use crate::helpers::{eventually, spawn_app_public, Backend};

on_both_backends!(
    abandoned_uploads_are_swept,
    one_user_cannot_flood_uploads,
    a_file_list_is_filtered_with_the_query_language,
    a_node_with_another_disk_is_refused_under_local_storage,
    quotas_hold_per_user_and_per_app_under_parallel_uploads,
);

async fn abandoned_uploads_are_swept(backend: Backend) {
    let app = files_app(backend).await;
    let (token, _) = app.register_email("ann@example.com", "password-1").await;
    let abandoned = announce(&app, &token, "never.txt").await;
    let (kept, _) = upload(&app, &token, "kept.txt", b"kept").await;
    let id = abandoned["id"].as_str().unwrap().to_owned();
    // Its upload expired long ago.
    app.db.execute(&format!(
        "UPDATE uploaded_files SET upload_expires = 0 WHERE id = '{id}'"
    ));
    let db = app.db.clone();
    eventually("the abandoned upload is swept", 10, move || {
        let db = db.clone();
        let id = id.clone();
        async move {
            db.texts(&format!(
                "SELECT id AS v FROM uploaded_files WHERE id = '{id}'"
            ))
            .is_empty()
        }
    })
    .await;
    assert_eq!(
        app.get(&format!("/hserve/v2.1/uploaded-file/{kept}/"), Some(&token))
            .await
            .status,
        StatusCode::OK
    );
}

async fn one_user_cannot_flood_uploads(backend: Backend) {
    let app = files_app(backend).await;
    let (token, _) = app.register_email("ann@example.com", "password-1").await;
    let (bob, _) = app.register_email("bob@example.com", "password-1").await;
    // At most 64 uploads started and not finished at a time, per user.
    let mut first = None;
    for i in 0..64 {
        let announced = announce(&app, &token, &format!("f{i}.txt")).await;
        first.get_or_insert(announced);
    }
    let r = app
        .post(
            "/hserve/v2.1/upload/",
            Some(&token),
            json!({"filename": "one-more.txt"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        r.error_msg().starts_with("too many uploads started"),
        "{:?}",
        r.body
    );
    // Another user is not held up; finishing one frees a place.
    announce(&app, &bob, "bob.txt").await;
    let first = first.unwrap();
    assert_eq!(
        send_bytes(&first, "f0.txt", b"done").await.status,
        StatusCode::OK
    );
    announce(&app, &token, "one-more.txt").await;

    // One form is one file, and every field is bounded.
    let announced = announce(&app, &bob, "two.txt").await;
    let two_files = multipart::Form::new()
        .part(
            "file",
            multipart::Part::bytes(b"a".to_vec()).file_name("a.txt"),
        )
        .part(
            "file",
            multipart::Part::bytes(b"b".to_vec()).file_name("b.txt"),
        )
        .text("policy", announced["policy"].as_str().unwrap().to_owned())
        .text(
            "authorization",
            announced["authorization"].as_str().unwrap().to_owned(),
        );
    let r = post_form(&announced, two_files).await;
    assert_eq!(
        (r.status, r.body["error_msg"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("file: is one file per upload")
        )
    );
    let padded = multipart::Form::new().text("padding", "x".repeat(5000));
    let r = post_form(&announced, padded).await;
    assert_eq!(
        (r.status, r.body["error_msg"].as_str()),
        (StatusCode::BAD_REQUEST, Some("padding: is too long"))
    );
}

async fn a_file_list_is_filtered_with_the_query_language(backend: Backend) {
    let app = files_app(backend).await;
    let (ann, _) = app.register_email("ann@example.com", "password-1").await;
    let (bob, _) = app.register_email("bob@example.com", "password-1").await;
    create_category(&app, "docs").await;
    let (cat, _) = upload(&app, &ann, "cat.png", PNG).await;
    let in_docs = announce_in(&app, &ann, "notes.txt", Some("docs")).await;
    let sent = send_bytes(&in_docs, "notes.txt", b"some notes").await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    let notes = in_docs["id"].as_str().unwrap().to_owned();
    let (_, _) = upload(&app, &bob, "cat-of-bob.png", PNG).await;
    let filtered = |filter: Value| {
        let (app, ann) = (&app, &ann);
        async move {
            let r = app
                .get_query(
                    "/hserve/v2.2/uploaded-file/",
                    Some(ann),
                    &[("where", &filter.to_string()), ("return_total_count", "1")],
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{filter}: {:?}", r.body);
            let mut ids: Vec<String> = r.body["objects"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["id"].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            assert_eq!(r.body["meta"]["total_count"], ids.len(), "{filter}");
            ids
        }
    };
    // The SDK's Query: contains on the name, within the caller's own files.
    assert_eq!(
        filtered(json!({"$and": [{"name": {"$contains": "cat"}}]})).await,
        vec![cat.clone()]
    );
    assert_eq!(
        filtered(json!({"size": {"$gt": 20}})).await,
        vec![cat.clone()]
    );
    assert_eq!(
        filtered(json!({"category_name": "docs", "id": {"$in": [notes.clone()]}})).await,
        vec![notes.clone()]
    );
    let mut both = vec![cat.clone(), notes.clone()];
    both.sort();
    assert_eq!(filtered(json!({})).await, both);
    // Fields other than the file's own, and wrong operators, are 400s naming them.
    for (bad, names) in [
        (json!({"storage_key": "x"}), "storage_key"),
        (json!({"created_by": 1}), "created_by"),
        (json!({"size": {"$contains": "1"}}), "size"),
    ] {
        let r = app
            .get_query(
                "/hserve/v2.2/uploaded-file/",
                Some(&ann),
                &[("where", &bad.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {:?}", r.body);
        assert!(r.error_msg().contains(names), "{}", r.error_msg());
    }
}

async fn a_node_with_another_disk_is_refused_under_local_storage(backend: Backend) {
    let db = std::sync::Arc::new(crate::helpers::TestDb::new(backend));
    let settings = crate::helpers::test_settings(&db, &crate::helpers::default_schema_dir());
    let _first = crate::helpers::start(db.clone(), settings.clone(), backend);
    // A second node on the same disk (a restart, or a shared directory) starts.
    let _same_disk = crate::helpers::start(db.clone(), settings.clone(), backend);
    // A node with a disk of its own would not find the files: refused, saying
    // what to set.
    let elsewhere = tempfile::tempdir().unwrap();
    let mut other = settings.clone();
    other.data_dir = elsewhere.path().to_path_buf();
    let refused = protium::startup::Application::build(&other)
        .err()
        .expect("a second disk is refused")
        .to_string();
    assert!(
        refused.contains("PROTIUM_FILE_STORAGE=s3") && refused.contains("shared directory"),
        "{refused}"
    );
}

async fn quotas_hold_per_user_and_per_app_under_parallel_uploads(backend: Backend) {
    let app = spawn_app_public(backend, |s| {
        s.file_quota_user_bytes = 100;
        s.file_quota_app_bytes = 200;
    })
    .await;
    let (ann, _) = app.register_email("ann@example.com", "password-1").await;
    let (bob, _) = app.register_email("bob@example.com", "password-1").await;
    let (carol, _) = app.register_email("carol@example.com", "password-1").await;

    // Ann: 60 bytes, then 50 more would pass her 100.
    let (first, _) = upload(&app, &ann, "a.bin", &[1; 60]).await;
    let over = announce(&app, &ann, "b.bin").await;
    let r = send_bytes(&over, "b.bin", &[2; 50]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.body);
    let msg = r.body["error_msg"].as_str().unwrap();
    assert!(
        msg.contains("PROTIUM_FILE_QUOTA_USER_BYTES") && msg.contains("110"),
        "{msg}"
    );
    // Deleting makes room.
    let gone = app
        .call(
            Method::DELETE,
            &format!("/hserve/v2.1/uploaded-file/{first}/"),
            Some(&ann),
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    upload(&app, &ann, "b.bin", &[2; 50]).await;

    // Bob sends five 40-byte files at once: exactly two fit his 100.
    let mut announced = Vec::new();
    for i in 0..5 {
        announced.push(announce(&app, &bob, &format!("{i}.bin")).await);
    }
    let sends: Vec<_> = announced
        .into_iter()
        .map(|a| tokio::spawn(async move { send_bytes(&a, "x.bin", &[3; 40]).await.status }))
        .collect();
    let mut statuses = Vec::new();
    for send in sends {
        statuses.push(send.await.unwrap());
    }
    let kept = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::PAYLOAD_TOO_LARGE)
        .count();
    assert_eq!((kept, refused), (2, 3), "{statuses:?}");

    // The app holds 50 + 80; Carol's 40 fits, her next 40 passes the 200.
    upload(&app, &carol, "c.bin", &[4; 40]).await;
    let over = announce(&app, &carol, "d.bin").await;
    let r = send_bytes(&over, "d.bin", &[5; 40]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.body);
    assert!(r.body["error_msg"]
        .as_str()
        .unwrap()
        .contains("PROTIUM_FILE_QUOTA_APP_BYTES"));
}
