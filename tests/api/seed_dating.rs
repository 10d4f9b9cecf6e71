//! The dating app (seed 000) on `schema/examples/dating`, in the app's order:
//! a device login, sign-up with profile fields, profile edits under the
//! seed's enums, what others see and what only the owner sees, posts, likes,
//! comments, the homepage (latest posts, post count, gifts by sender), the
//! position track and feedback.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};

on_both_backends!(the_dating_app_walks_its_operations);

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let r = app.post(path, Some(token), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {:?}", r.body);
    r.body
}

async fn the_dating_app_walks_its_operations(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| {
        s.schema_dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/examples/dating");
        s.admin_token = ADMIN_TOKEN.into();
    })
    .await;

    // A phone logs in by its device (m_user/login): "not registered" first,
    // then signed up; the same device always gets the same user.
    let by_device = |create: bool| {
        app.post(
            "/hserve/v2.0/login/device/",
            None,
            json!({"device_id": "a1b2c3d4e5f6a7b8-dating", "platform": "android", "create_user": create}),
        )
    };
    assert_eq!(by_device(false).await.status, StatusCode::NOT_FOUND);
    let device = by_device(true).await;
    assert_eq!(device.status, StatusCode::CREATED, "{:?}", device.body);
    let device_token = device.body["token"].as_str().unwrap().to_owned();
    assert_eq!(
        by_device(false).await.body["user_id"],
        device.body["user_id"]
    );
    assert_eq!(
        device.body["device_type"], "android",
        "the server keeps the platform"
    );
    let refused = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&device_token),
            json!({"device_type": "ios"}),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "clients cannot write it"
    );
    assert!(
        refused.error_msg().contains("device_type"),
        "{}",
        refused.error_msg()
    );

    // Users by device type: another phone on iOS, then counted per platform.
    let iphone = app
        .post(
            "/hserve/v2.0/login/device/",
            None,
            json!({"device_id": "f0e1d2c3b4a59687-dating", "platform": "iOS"}),
        )
        .await;
    assert_eq!(iphone.status, StatusCode::CREATED, "{:?}", iphone.body);
    assert_eq!(iphone.body["device_type"], "ios");
    let by_platform = app
        .get(
            "/hserve/v2.4/user/aggregate/?group_by=device_type&order_by=device_type&where=%7B%22device_type%22%3A%7B%22%24exists%22%3Atrue%7D%7D",
            Some(&device_token),
        )
        .await;
    assert_eq!(by_platform.status, StatusCode::OK, "{:?}", by_platform.body);
    assert_eq!(
        by_platform.body["objects"],
        json!([{"group": {"device_type": "android"}, "count": 1, "sum": {}}, {"group": {"device_type": "ios"}, "count": 1, "sum": {}}])
    );
    let ios_users = app
        .get(
            "/hserve/v2.2/user/info/?where=%7B%22device_type%22%3A%22ios%22%7D&return_total_count=1",
            Some(&device_token),
        )
        .await;
    assert_eq!(
        ios_users.body["meta"]["total_count"], 1,
        "{:?}",
        ios_users.body
    );
    assert_eq!(ios_users.body["objects"][0]["id"], iphone.body["user_id"]);

    // The review account signs in with an account and a password (audit_login).
    let (_, reviewer_id) = app.register_username("reviewer", "secret123").await;
    let audit = app
        .post(
            "/hserve/v2.1/login/username/",
            None,
            json!({"username": "reviewer", "password": "secret123"}),
        )
        .await;
    assert_eq!(audit.status, StatusCode::CREATED, "{:?}", audit.body);
    assert_eq!(audit.body["user_id"], reviewer_id);

    // Sign-up with the profile the app collects.
    let signup = app
        .post(
            "/hserve/v2.1/register/email/",
            None,
            json!({"email": "lin@example.com", "password": "secret123", "nickname": "阙子雄",
                   "gender": "male", "age": 24, "sex_attitude": "open", "degree": "doctor",
                   "icon": "fda32fdaxfda23"}),
        )
        .await;
    assert_eq!(signup.status, StatusCode::CREATED, "{:?}", signup.body);
    let lin = signup.body["token"].as_str().unwrap().to_owned();
    let lin_id = signup.body["user_id"].as_i64().unwrap();
    let (mei, _) = app.register_email("mei@example.com", "secret123").await;

    // Profile edits follow the seed's enums and limits.
    app.set_profile(
        &lin,
        json!({"degree": "pro_training", "job": "student", "video_price": 1}),
    )
    .await;
    let bad = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&lin),
            json!({"degree": "senior_middle"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.error_msg().starts_with("degree:"),
        "{}",
        bad.error_msg()
    );
    let young = app
        .put("/hserve/v2.5/user/info/", Some(&lin), json!({"age": 16}))
        .await;
    assert!(
        young.error_msg().starts_with("age:"),
        "{}",
        young.error_msg()
    );

    // An admin grants 30 days of VIP; the owner sees it, others do not.
    let until = chrono::Utc::now() + chrono::Duration::days(30) + chrono::Duration::hours(1);
    let vip = app
        .admin_api(
            Method::PATCH,
            &format!("/users/{lin_id}/"),
            ADMIN_TOKEN,
            Some(json!({"vip_expires_at": until.to_rfc3339()})),
        )
        .await;
    assert!(vip.status.is_success(), "{:?}", vip.body);
    let own = app
        .get(&format!("/hserve/v2.5/user/info/{lin_id}/"), Some(&lin))
        .await
        .body;
    assert_eq!(
        (
            own["is_vip"].clone(),
            own["vip_left"].clone(),
            own["profit"].clone()
        ),
        (json!(true), json!(30), json!(0))
    );
    let seen = app
        .get(&format!("/hserve/v2.5/user/info/{lin_id}/"), Some(&mei))
        .await
        .body;
    assert_eq!(seen["nickname"], "阙子雄");
    assert_eq!(
        seen["profit"], 0,
        "the homepage shows the profit to everyone"
    );
    for hidden in ["is_vip", "vip_left", "im_token", "vip_expires_at"] {
        assert!(
            seen.get(hidden).is_none(),
            "{hidden} shown to another user: {seen}"
        );
    }

    // The homepage's media: a background video and a spoken introduction,
    // and what callers see or hear before a chat.
    app.set_profile(
        &lin,
        json!({"background": {"type": "video", "key": "bg-1"},
               "audio_intro": {"type": "audio", "key": "ai-1", "duration": 7},
               "video_chat_media": {"type": "video", "key": "vc-1"},
               "audio_chat_media": {"type": "audio", "key": "ac-1"}}),
    )
    .await;
    let wrong_media = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&lin),
            json!({"background": {"type": "gif", "key": "x"}}),
        )
        .await;
    assert_eq!(
        wrong_media.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        wrong_media.body
    );

    // Posts, likes and comments, from the device user too.
    let picture =
        json!({"post_type": "picture", "text": "hi", "media": [{"type": "picture", "key": "k1"}]});
    let p1 = post(
        &app,
        "/hserve/v2.4/table/post/record/",
        &lin,
        picture.clone(),
    )
    .await;
    for _ in 0..6 {
        post(
            &app,
            "/hserve/v2.4/table/post/record/",
            &lin,
            picture.clone(),
        )
        .await;
    }
    // The newest post is audio: the homepage's posts are video and pictures.
    let audio = post(
        &app,
        "/hserve/v2.4/table/post/record/",
        &lin,
        json!({"post_type": "audio", "media": [{"type": "audio", "key": "a1"}]}),
    )
    .await;
    let p1_id = p1["id"].as_str().unwrap();
    post(
        &app,
        "/hserve/v2.4/table/like/record/",
        &device_token,
        json!({"target_type": "post", "target_id": p1_id}),
    )
    .await;
    let twice = app
        .post(
            "/hserve/v2.4/table/like/record/",
            Some(&device_token),
            json!({"target_type": "post", "target_id": p1_id}),
        )
        .await;
    assert_eq!(
        twice.status,
        StatusCode::BAD_REQUEST,
        "one like per user and post"
    );
    // Unlike, and like again.
    let device_id = device.body["user_id"].clone();
    let unlike = app
        .send(
            Method::DELETE,
            &format!(
                "/hserve/v2.4/table/like/record/?{}",
                serde_urlencoded::to_string([(
                    "where",
                    json!({"created_by": device_id, "target_type": "post", "target_id": p1_id})
                        .to_string()
                )])
                .unwrap()
            ),
            Some(&format!("Hydrogen-r1 {device_token}")),
            None,
        )
        .await;
    assert_eq!(unlike.status, StatusCode::OK, "{:?}", unlike.body);
    post(
        &app,
        "/hserve/v2.4/table/like/record/",
        &device_token,
        json!({"target_type": "post", "target_id": p1_id}),
    )
    .await;
    post(
        &app,
        "/hserve/v2.4/table/comment/record/",
        &mei,
        json!({"target_type": "post", "target_id": p1_id, "content": "好看"}),
    )
    .await;
    let comments = app
        .get_query(
            "/hserve/v2.4/table/comment/record/",
            Some(&device_token),
            &[
                (
                    "where",
                    &json!({"target_type": "post", "target_id": p1_id}).to_string(),
                ),
                ("expand", "created_by"),
                ("return_total_count", "1"),
            ],
        )
        .await;
    assert_eq!(
        comments.body["meta"]["total_count"], 1,
        "{:?}",
        comments.body
    );

    // Gifts, then the homepage: the latest five posts, the post count, and
    // gifts by sender and code.
    for (token, code, count) in [
        (&mei, "villa", 2),
        (&mei, "villa", 3),
        (&device_token, "rose", 1),
    ] {
        post(
            &app,
            "/hserve/v2.4/table/gift/record/",
            token,
            json!({"receiver": lin_id, "code": code, "count": count}),
        )
        .await;
    }
    let home = app
        .get_query(
            &format!("/hserve/v2.5/user/info/{lin_id}/"),
            Some(&mei),
            &[("expand", "posts")],
        )
        .await;
    assert_eq!(home.body["post_count"], 8, "{:?}", home.body);
    let shown = home.body["posts"].as_array().unwrap();
    assert_eq!(shown.len(), 5);
    assert!(
        shown
            .iter()
            .all(|p| p["post_type"] == "picture" && p["id"] != audio["id"]),
        "{shown:?}"
    );
    for field in ["background", "audio_intro"] {
        assert!(home.body.get(field).is_some(), "{field} on the homepage");
    }

    // A user's chat media (user_chat_media): one profile field per chat type.
    let media = app
        .get_query(
            &format!("/hserve/v2.5/user/info/{lin_id}/"),
            Some(&mei),
            &[("keys", "video_chat_media")],
        )
        .await;
    assert_eq!(
        media.body["video_chat_media"],
        json!({"type": "video", "key": "vc-1"})
    );
    let gifts = app
        .get_query(
            "/hserve/v2.4/table/gift/aggregate/",
            Some(&mei),
            &[
                ("where", &json!({"receiver": {"$eq": lin_id}}).to_string()),
                ("group_by", "created_by,code"),
                ("sum", "count"),
            ],
        )
        .await;
    assert_eq!(gifts.status, StatusCode::OK, "{:?}", gifts.body);
    let groups = gifts.body["objects"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{groups:?}");
    assert_eq!(groups[0]["group"]["code"], "villa");
    assert_eq!(groups[0]["sum"]["count"], 5);

    // The position track: one per user; the app re-posts its position and
    // push switch, and the first report creates it.
    let report = json!({"push_status": true, "reports": {"$incr_by": 1},
                        "location": {"type": "Point", "coordinates": [121.47, 31.23]}});
    let upsert = "/hserve/v2.4/table/track/record/?upsert=created_by";
    let first = app.post(upsert, Some(&device_token), report.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let later = app.post(upsert, Some(&device_token), report).await;
    assert_eq!(later.status, StatusCode::OK, "{:?}", later.body);
    assert_eq!(later.body["id"], first.body["id"]);
    assert_eq!(later.body["reports"], 2);
    let second = app
        .post(
            "/hserve/v2.4/table/track/record/",
            Some(&device_token),
            json!({"push_status": false}),
        )
        .await;
    assert_eq!(second.status, StatusCode::BAD_REQUEST, "one track per user");

    // Feedback: anyone sends it; only its author and admins read it.
    let fb = post(
        &app,
        "/hserve/v2.4/table/feedback/record/",
        &device_token,
        json!({"content": "卡顿"}),
    )
    .await;
    let other = app
        .get(
            &format!(
                "/hserve/v2.5/table/feedback/record/{}/",
                fb["id"].as_str().unwrap()
            ),
            Some(&mei),
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}
