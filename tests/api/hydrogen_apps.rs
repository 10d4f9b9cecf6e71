//! Apps written for Hydrogen, unchanged, on `tests/schema/hydrogen`: its field
//! names (camelCase, double underscores, SQL keywords; `phone` / `email` as
//! ordinary profile fields), a record's author shown to guests through the
//! profile's `guest_view`, a web page on the SDK in Chromium, and the SDK's
//! content library.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{run_node, spawn_app_with, Backend, TestApp};

on_both_backends!(
    tables_take_camel_case_and_keyword_field_names,
    phone_and_email_are_ordinary_profile_fields,
    guests_see_the_guest_view_of_a_records_author,
    a_web_page_on_the_sdk_keeps_camel_case_fields,
    the_sdks_content_library_reads_admin_written_tables,
);

async fn spawn(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| {
        s.schema_dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/hydrogen");
    })
    .await
}

async fn tables_take_camel_case_and_keyword_field_names(backend: Backend) {
    let app = spawn(backend).await;
    let (token, _) = app.register_email("reader@example.com", "secret123").await;
    for (name, order) in [("Dune", 2), ("Emma", 1), ("Ulysses", 3)] {
        app.create_record(
            "book",
            &token,
            json!({"bookName": name, "order": order, "coverImage__URL": format!("https://img.test/{name}.png")}),
        )
        .await;
    }
    let list = app
        .list_records(
            "book",
            Some(&token),
            &[
                (
                    "where",
                    &json!({"bookName": {"$contains": "e"}}).to_string(),
                ),
                ("order_by", "-order"),
                ("keys", "bookName,order,coverImage__URL"),
            ],
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    let names: Vec<&str> = list.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["bookName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ulysses", "Dune"], "{:?}", list.body);
    assert_eq!(
        list.body["objects"][1]["coverImage__URL"],
        "https://img.test/Dune.png"
    );

    let id = list.body["objects"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/hserve/v2.4/table/book/record/{id}/");
    let updated = app
        .put(
            &path,
            Some(&token),
            json!({"$set": {"isPublished": true, "order": 9}}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{:?}", updated.body);
    assert_eq!(
        (
            updated.body["isPublished"].clone(),
            updated.body["order"].clone()
        ),
        (json!(true), json!(9))
    );
    let twice = app
        .post(
            "/hserve/v2.4/table/book/record/",
            Some(&token),
            json!({"bookName": "Dune"}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST, "{:?}", twice.body);
    assert!(
        twice.error_msg().contains("bookName"),
        "{}",
        twice.error_msg()
    );
    let wrong = app
        .post(
            "/hserve/v2.4/table/book/record/",
            Some(&token),
            json!({"bookname": "x"}),
        )
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::BAD_REQUEST,
        "names are exact: {:?}",
        wrong.body
    );
}

async fn phone_and_email_are_ordinary_profile_fields(backend: Backend) {
    let app = spawn(backend).await;
    let (token, id) = app.register_email("ann@example.com", "secret123").await;
    app.set_profile(
        &token,
        json!({"phone": "010-1234", "email": "ann.work@example.com", "avatarUrl": "https://img.test/a.png"}),
    )
    .await;
    let me = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&token))
        .await;
    assert_eq!(me.body["phone"], "010-1234");
    assert_eq!(me.body["email"], "ann.work@example.com");
    assert_eq!(
        me.body["_email"], "ann@example.com",
        "the account's own address is untouched"
    );
    assert_eq!(me.body["_phone"], Value::Null);
    // In a sign-up body the keys stay credentials.
    let r = app
        .post(
            "/hserve/v2.1/register/phone/",
            None,
            json!({"phone": "13800000009", "password": "secret123", "nickname": "Bo"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["_phone"], "+8613800000009");
    assert_eq!(r.body["phone"], Value::Null);
}

/// A blog shows each comment's author to every reader: the profile's
/// `guest_view` is what guests see of an expanded user, and nothing more.
async fn guests_see_the_guest_view_of_a_records_author(backend: Backend) {
    let app = spawn(backend).await;
    let (token, id) = app.register_email("author@example.com", "secret123").await;
    app.set_profile(
        &token,
        json!({"nickname": "Ann", "avatarUrl": "https://img.test/ann.png", "phone": "010-1234"}),
    )
    .await;
    app.create_record("comment", &token, json!({"content": "First!"}))
        .await;
    let as_guest = app
        .list_records("comment", None, &[("expand", "created_by")])
        .await;
    assert_eq!(as_guest.status, StatusCode::OK, "{:?}", as_guest.body);
    let author = &as_guest.body["objects"][0]["created_by"];
    assert_eq!(
        author,
        &json!({"id": id, "nickname": "Ann", "avatarUrl": "https://img.test/ann.png", "_table": "_userprofile"}),
        "the guest view and nothing else"
    );
    let as_user = app
        .list_records("comment", Some(&token), &[("expand", "created_by")])
        .await;
    assert_eq!(
        as_user.body["objects"][0]["created_by"]["phone"],
        "010-1234"
    );
}

/// A bookshelf page on the SDK's web build, in headless Chromium, stores and
/// lists camelCase fields (`tests/browser/sdk_page.js`).
async fn a_web_page_on_the_sdk_keeps_camel_case_fields(backend: Backend) {
    let app = spawn(backend).await;
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-shots");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join(format!("bookshelf-{backend:?}.png"));
    run_node(
        "tests/browser",
        "sdk_page.js",
        &[&app.address, &shot.display().to_string()],
        &[],
        "sdk page: ok",
    )
    .await;
}

/// The content library (`BaaS.ContentGroup`) reads the three tables an admin
/// fills (`tests/sdk/content_library.js`).
async fn the_sdks_content_library_reads_admin_written_tables(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.schema_dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/hydrogen");
        s.admin_token = crate::helpers::ADMIN_TOKEN.into();
    })
    .await;
    let admin = |table: &'static str, body: Value| {
        let app = &app;
        async move {
            let r = app
                .admin(
                    reqwest::Method::POST,
                    &format!("/hserve/v2.4/table/{table}/record/"),
                    Some(body),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{table}: {:?}", r.body);
            r.body["id"].as_str().unwrap().to_owned()
        }
    };
    let group = admin("content_group", json!({"name": "Guides"})).await;
    let travel = admin(
        "content_category",
        json!({"name": "Travel", "group_id": group}),
    )
    .await;
    let asia = admin(
        "content_category",
        json!({"name": "Asia", "group_id": group, "parent": travel}),
    )
    .await;
    let food = admin(
        "content_category",
        json!({"name": "Food", "group_id": group}),
    )
    .await;
    admin(
        "content",
        json!({"title": "Kyoto", "content": "<p>Temples</p>", "group_id": group, "categories": [travel, asia]}),
    )
    .await;
    admin(
        "content",
        json!({"title": "Ramen", "content": "<p>Broth</p>", "group_id": group, "categories": [food]}),
    )
    .await;
    run_node(
        "tests/sdk",
        "content_library.js",
        &[&app.address, &group],
        &[],
        "all steps passed",
    )
    .await;
    let missing_group = app.get("/hserve/v2.2/content/detail/", None).await;
    assert_eq!(missing_group.status, StatusCode::BAD_REQUEST);
    assert!(missing_group.error_msg().starts_with("content_group_id"));
}
