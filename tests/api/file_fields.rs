//! File fields (`"x-protium": {"file": …}`): a record or profile holds
//! uploaded files as the SDK's file objects, built by the server from the
//! stored file; a caller attaches only their own uploads (or an admin's);
//! each field's rules are judged on what the server measured.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::files::{announce, upload, PNG};
use crate::helpers::{eventually, spawn_app_public, Backend, TestApp, ADMIN_TOKEN};

on_both_backends!(
    a_record_holds_the_file_object_the_server_built,
    a_caller_attaches_only_their_own_uploads_or_an_admins,
    editing_a_record_keeps_files_someone_else_attached,
    a_file_fields_rules_are_judged_on_the_stored_bytes,
    the_profile_holds_a_file_like_any_table,
    a_file_no_record_holds_is_removed_and_a_held_one_never,
);

const ALBUMS: &str = "/hserve/v2.4/table/album/record/";

/// A server over `tests/schema/files` whose URLs can be followed.
async fn app(backend: Backend) -> TestApp {
    app_with(backend, |_| {}).await
}

/// [`app`] with further settings.
async fn app_with(backend: Backend, tweak: impl FnOnce(&mut protium::config::Settings)) -> TestApp {
    spawn_app_public(backend, |s| {
        s.schema_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/files");
        s.admin_token = ADMIN_TOKEN.into();
        s.file_max_bytes = 64 * 1024;
        tweak(s);
    })
    .await
}

/// The HTTP status of `url`.
async fn status_of(url: &str) -> StatusCode {
    reqwest::get(url).await.unwrap().status()
}

/// A PNG whose header says `width` × `height` (the pixels are not read).
fn png_of(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = PNG.to_vec();
    bytes[16..20].copy_from_slice(&width.to_be_bytes());
    bytes[20..24].copy_from_slice(&height.to_be_bytes());
    bytes
}

/// A GIF header of 1 × 1.
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

async fn a_record_holds_the_file_object_the_server_built(backend: Backend) {
    let app = app(backend).await;
    let (ann, _) = app.register_email("ann@example.com", "password-1").await;
    let (cover, path) = upload(&app, &ann, "cover.png", PNG).await;
    let (photo, _) = upload(&app, &ann, "photo.png", PNG).await;

    // The SDK sends the file object it got; a made-up name, size or URL in
    // it changes nothing.
    let forged =
        json!({"id": cover, "name": "evil.exe", "size": 1, "path": "http://evil.example/x"});
    let r = app
        .post(
            ALBUMS,
            Some(&ann),
            json!({"title": "summer", "cover": forged, "photos": [photo, {"id": cover}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let stored = &r.body["cover"];
    assert_eq!(stored["id"], cover.as_str());
    assert_eq!(stored["name"], "cover.png");
    assert_eq!(stored["path"], path.as_str());
    assert_eq!(stored["mime_type"], "image/png");
    assert_eq!(stored["size"], PNG.len());
    assert!(stored["created_at"].is_i64());
    let photos: Vec<&str> = r.body["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(photos, ["photo.png", "cover.png"]);

    // Read back as stored, and its URL serves the bytes.
    let id = r.body["id"].as_str().unwrap();
    let read = app.get(&format!("{ALBUMS}{id}/"), Some(&ann)).await;
    assert_eq!(read.body["cover"], *stored);
    let served = reqwest::get(read.body["cover"]["path"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(served.bytes().await.unwrap().as_ref(), PNG);

    // Queries on file fields: $exists and $isnull, nothing else.
    app.post(ALBUMS, Some(&ann), json!({"title": "bare"})).await;
    let with_cover = app
        .get_query(
            ALBUMS,
            Some(&ann),
            &[("where", r#"{"cover":{"$exists":true}}"#)],
        )
        .await;
    assert_eq!(with_cover.body["objects"].as_array().unwrap().len(), 1);
    assert_eq!(with_cover.body["objects"][0]["title"], "summer");
    let bare = app
        .get_query(
            ALBUMS,
            Some(&ann),
            &[("where", r#"{"cover":{"$isnull":true}}"#)],
        )
        .await;
    assert_eq!(bare.body["objects"][0]["title"], "bare");
    let eq = app
        .get_query(
            ALBUMS,
            Some(&ann),
            &[("where", &json!({"cover": {"$eq": cover}}).to_string())],
        )
        .await;
    assert_eq!(eq.status, StatusCode::BAD_REQUEST, "{:?}", eq.body);
    assert!(eq.body["error_msg"].as_str().unwrap().contains("cover"));
}

async fn a_caller_attaches_only_their_own_uploads_or_an_admins(backend: Backend) {
    let app = app(backend).await;
    let (ann, _) = app.register_email("ann@example.com", "password-1").await;
    let (bob, _) = app.register_email("bob@example.com", "password-2").await;
    let (anns, _) = upload(&app, &ann, "mine.png", PNG).await;
    let announced_only = announce(&app, &ann, "later.png").await;
    let admin_auth = format!("Bearer {ADMIN_TOKEN}");

    // Another user's file, an unknown id and a file whose bytes never came
    // are refused alike: the answer does not tell whether the file exists.
    let mut refusals = Vec::new();
    for id in [
        anns.as_str(),
        "0123456789abcdef01234567",
        announced_only["id"].as_str().unwrap(),
    ] {
        let r = app.post(ALBUMS, Some(&bob), json!({"cover": id})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
        let msg = r.body["error_msg"].as_str().unwrap().replace(id, "<id>");
        assert!(msg.contains("cover"), "{msg}");
        refusals.push(msg);
    }
    assert_eq!(refusals[0], refusals[1]);
    assert_eq!(refusals[1], refusals[2]);
    for bad in [json!(42), json!({"name": "x.png"}), json!(["a"])] {
        let r = app.post(ALBUMS, Some(&bob), json!({"cover": bad})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {:?}", r.body);
        assert!(r.body["error_msg"].as_str().unwrap().contains("cover"));
    }
    let r = app
        .post(ALBUMS, Some(&bob), json!({"photos": "not a list"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["error_msg"].as_str().unwrap().contains("photos"));

    // A file an admin uploaded may be attached by anyone; an admin may
    // attach anyone's.
    let r = app
        .send(
            Method::POST,
            "/hserve/v2.1/upload/",
            Some(&admin_auth),
            Some(json!({"filename": "banner.png"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let sent = crate::files::send_bytes(&r.body, "banner.png", PNG).await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    let banner = r.body["id"].as_str().unwrap();
    let r = app.post(ALBUMS, Some(&bob), json!({"cover": banner})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["cover"]["name"], "banner.png");
    let r = app
        .admin(Method::POST, ALBUMS, Some(json!({"cover": anns})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);

    // Nothing of a refused batch row is kept; the others go in.
    let r = app
        .post(
            "/hserve/v2.4/table/album/record/",
            Some(&bob),
            json!([{"title": "ok", "cover": banner}, {"title": "no", "cover": anns}]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["succeed"], 1, "{:?}", r.body);
}

async fn editing_a_record_keeps_files_someone_else_attached(backend: Backend) {
    let app = app(backend).await;
    let (ann, _) = app.register_email("ann@example.com", "password-1").await;
    let (bob, _) = app.register_email("bob@example.com", "password-2").await;
    let (anns, _) = upload(&app, &ann, "cover.png", PNG).await;
    let (other, _) = upload(&app, &ann, "other.png", PNG).await;
    let created = app
        .post(
            ALBUMS,
            Some(&ann),
            json!({"title": "shared", "cover": anns, "write_perm": ["user:*"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let url = format!("{ALBUMS}{}/", created.body["id"].as_str().unwrap());

    // Bob edits the title, and sends the record back whole as the SDK may.
    let r = app
        .put(
            &url,
            Some(&bob),
            json!({"title": "renamed", "cover": created.body["cover"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["cover"], created.body["cover"]);
    // Putting another of Ann's files there is attaching it: refused.
    let r = app.put(&url, Some(&bob), json!({"cover": other})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    let r = app.put(&url, Some(&bob), json!({"cover": null})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(
        r.body.get("cover").is_none_or(Value::is_null),
        "{:?}",
        r.body
    );
}

async fn a_file_fields_rules_are_judged_on_the_stored_bytes(backend: Backend) {
    let app = app(backend).await;
    let (ann, _) = app.register_email("ann@example.com", "password-1").await;

    // The upload answers an image's size, as the storage form API does.
    let announced = announce(&app, &ann, "wide.png").await;
    let wide_png = png_of(65, 10);
    let r = crate::files::send_bytes(&announced, "wide.png", &wide_png).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["image-width"], 65);
    assert_eq!(r.body["image-height"], 10);
    assert_eq!(r.body["image-type"], "PNG");
    let wide = announced["id"].as_str().unwrap().to_owned();

    let (text, _) = upload(&app, &ann, "fake.png", b"not a picture at all").await;
    let mut big_png = png_of(8, 8);
    big_png.resize(5000, 0);
    let (big, _) = upload(&app, &ann, "big.png", &big_png).await;
    let (gif, _) = upload(&app, &ann, "anim.gif", GIF).await;
    let (small, _) = upload(&app, &ann, "small.png", &png_of(64, 64)).await;

    let profile = "/hserve/v2.5/user/info/";
    for (id, rule) in [
        (&text, "(types)"),
        (&big, "(max_bytes)"),
        (&wide, "(max_width)"),
    ] {
        let r = app.put(profile, Some(&ann), json!({"avatar": id})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{rule}: {:?}", r.body);
        let msg = r.body["error_msg"].as_str().unwrap();
        assert!(msg.contains("avatar") && msg.contains(rule), "{msg}");
    }
    let r = app.put(profile, Some(&ann), json!({"avatar": small})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    // A list checks each file; its own maxItems holds.
    let r = app
        .post(ALBUMS, Some(&ann), json!({"photos": [small, gif]}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    let msg = r.body["error_msg"].as_str().unwrap();
    assert!(msg.contains("photos") && msg.contains("image/gif"), "{msg}");
    let r = app
        .post(
            ALBUMS,
            Some(&ann),
            json!({"photos": [small, small, small, small]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    assert!(r.body["error_msg"].as_str().unwrap().contains("maxItems"));
    // A field without rules takes any file.
    let r = app
        .post(ALBUMS, Some(&ann), json!({"attachment": text}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["attachment"]["mime_type"], "text/plain");
}

async fn the_profile_holds_a_file_like_any_table(backend: Backend) {
    let app = app(backend).await;
    let (ann, ann_id) = app.register_email("ann@example.com", "password-1").await;
    let (bob, _) = app.register_email("bob@example.com", "password-2").await;
    let (avatar, path) = upload(&app, &ann, "me.png", PNG).await;
    let r = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&ann),
            json!({"avatar": {"id": avatar}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // Another user sees the picture on Ann's profile.
    let seen = app
        .get(&format!("/hserve/v2.5/user/info/{ann_id}/"), Some(&bob))
        .await;
    assert_eq!(seen.status, StatusCode::OK, "{:?}", seen.body);
    assert_eq!(seen.body["avatar"]["path"], path.as_str());
    assert_eq!(seen.body["avatar"]["name"], "me.png");
}

async fn a_file_no_record_holds_is_removed_and_a_held_one_never(backend: Backend) {
    let app = app_with(backend, |s| {
        s.detached_file_ttl = 0;
        s.janitor_interval = 1;
    })
    .await;
    let (ann, _) = app.register_email("ann@example.com", "password-1").await;
    let (shared, shared_path) = upload(&app, &ann, "shared.png", PNG).await;
    let (photo, photo_path) = upload(&app, &ann, "photo.png", PNG).await;
    let (_, library_path) = upload(&app, &ann, "library.png", PNG).await;
    let create = |body: Value| {
        let (app, ann) = (&app, &ann);
        async move {
            let r = app.post(ALBUMS, Some(ann), body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
            format!("{ALBUMS}{}/", r.body["id"].as_str().unwrap())
        }
    };
    let first = create(json!({"cover": shared})).await;
    let second = create(json!({"cover": shared})).await;
    let third = create(json!({"photos": [photo]})).await;

    // The photo let go of by its only record goes; the shared file, still
    // held by the second album, stays; a file never attached stays (the
    // File API's library).
    let r = app.call(Method::DELETE, &first, Some(&ann), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let r = app.put(&third, Some(&ann), json!({"photos": []})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let url = photo_path.clone();
    eventually("the detached photo is removed", 15, move || {
        let url = url.clone();
        async move { status_of(&url).await == StatusCode::NOT_FOUND }
    })
    .await;
    let gone = app
        .get(&format!("/hserve/v2.1/uploaded-file/{photo}/"), Some(&ann))
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    // Two more sweeps, to be sure they leave the held file alone.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(status_of(&shared_path).await, StatusCode::OK);
    assert_eq!(status_of(&library_path).await, StatusCode::OK);

    // Taking a detached file back before the sweep keeps it: the file is
    // let go of and taken back again and again while the janitor runs, and
    // whenever a record holds it, it is served.
    for _ in 0..40 {
        let r = app.put(&second, Some(&ann), json!({"cover": null})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let r = app.put(&second, Some(&ann), json!({"cover": shared})).await;
        if r.status == StatusCode::BAD_REQUEST {
            break; // swept while nothing held it: gone for good, correctly
        }
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(status_of(&shared_path).await, StatusCode::OK);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Deleting the last record holding it removes it.
    let r = app.put(&second, Some(&ann), json!({"cover": null})).await;
    assert_eq!(r.status, StatusCode::OK);
    let url = shared_path.clone();
    eventually(
        "the shared file is removed with its last holder",
        15,
        move || {
            let url = url.clone();
            async move { status_of(&url).await == StatusCode::NOT_FOUND }
        },
    )
    .await;
    assert_eq!(status_of(&library_path).await, StatusCode::OK);
}
