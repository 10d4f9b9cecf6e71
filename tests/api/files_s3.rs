//! Files in an S3-compatible object store (`PROTIUM_FILE_STORAGE=s3`),
//! against the real SeaweedFS server `scripts/test` starts: the same File
//! API and serving as on the local disk (ranges, `ETag`, the safety
//! headers), large files sent in parts, and two nodes on one database
//! serving each other's uploads.

use std::sync::Arc;

use reqwest::{header, StatusCode};

use crate::files::{announce, send_bytes, upload, PNG};
use crate::helpers::{
    default_schema_dir, spawn_app_public, start, test_settings, use_test_s3, Backend, TestDb,
};

on_both_backends!(
    files_live_in_the_object_store_and_are_served_from_it,
    a_file_uploaded_through_one_node_is_served_by_the_other,
);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `bytes` pseudo-random bytes (no two 4 KiB blocks alike).
fn noise(bytes: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    (0..bytes)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

async fn files_live_in_the_object_store_and_are_served_from_it(backend: Backend) {
    let mut with_s3 = false;
    let app = spawn_app_public(backend, |s| {
        with_s3 = use_test_s3(s);
        s.file_max_bytes = 32 * 1024 * 1024;
    })
    .await;
    if !with_s3 {
        return;
    }
    let (token, _) = app.register_email("ann@example.com", "password-1").await;
    let client = reqwest::Client::new();

    let (id, path) = upload(&app, &token, "hello.txt", b"hello, object store").await;
    let served = client.get(&path).send().await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    let headers = served.headers().clone();
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .starts_with("sandbox"));
    assert!(headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(headers[header::ACCEPT_RANGES], "bytes");
    let etag = headers[header::ETAG].clone();
    assert_eq!(
        served.bytes().await.unwrap().as_ref(),
        b"hello, object store"
    );

    // One range, a range past the end, and a copy the client already has.
    let part = client
        .get(&path)
        .header(header::RANGE, "bytes=7-12")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()[header::CONTENT_RANGE], "bytes 7-12/19");
    assert_eq!(part.bytes().await.unwrap().as_ref(), b"object");
    let past = client
        .get(&path)
        .header(header::RANGE, "bytes=100-200")
        .send()
        .await
        .unwrap();
    assert_eq!(past.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    let again = client
        .get(&path)
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // An image is shown in place.
    let (_, picture) = upload(&app, &token, "pixel.png", PNG).await;
    let shown = client.get(&picture).send().await.unwrap();
    assert!(shown.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("inline"));
    // Its versions are made from the store and kept there.
    for _ in 0..2 {
        let version = client
            .get(format!("{picture}!/fw/1/format/webp"))
            .send()
            .await
            .unwrap();
        assert_eq!(version.status(), StatusCode::OK);
        assert_eq!(version.headers()[header::CONTENT_TYPE], "image/webp");
    }

    // A file larger than one request takes goes in parts and comes back whole.
    let big = noise(12 * 1024 * 1024 + 3);
    let (_, big_path) = upload(&app, &token, "big.bin", &big).await;
    let back = client.get(&big_path).send().await.unwrap();
    assert_eq!(back.status(), StatusCode::OK);
    assert_eq!(back.bytes().await.unwrap().as_ref(), big.as_slice());
    let tail = client
        .get(&big_path)
        .header(header::RANGE, "bytes=9437184-9437199")
        .send()
        .await
        .unwrap();
    assert_eq!(tail.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        tail.bytes().await.unwrap().as_ref(),
        &big[9_437_184..9_437_200]
    );

    // Deleted through the File API, it is gone from its path.
    let r = app
        .call(
            reqwest::Method::DELETE,
            &format!("/hserve/v2.1/uploaded-file/{id}/"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        client.get(&path).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

async fn a_file_uploaded_through_one_node_is_served_by_the_other(backend: Backend) {
    let db = Arc::new(TestDb::new(backend));
    let mut settings = test_settings(&db, &default_schema_dir());
    if !use_test_s3(&mut settings) {
        return;
    }
    let (port_a, port_b) = (free_port(), free_port());
    settings.listen = format!("127.0.0.1:{port_a}");
    settings.public_url = format!("http://127.0.0.1:{port_a}");
    let mut other = settings.clone();
    other.listen = format!("127.0.0.1:{port_b}");
    // Each node has a disk of its own: only the object store is shared.
    let disk_b = tempfile::tempdir().unwrap();
    other.data_dir = disk_b.path().to_path_buf();
    let a = start(db.clone(), settings, backend);
    let b = start(db.clone(), other, backend);
    let (token, _) = a.register_email("ann@example.com", "password-1").await;

    // Uploaded through A, served by B.
    let (_, path) = upload(&a, &token, "from-a.txt", b"written on a").await;
    let on_b = path.replace(&a.address, &b.address);
    assert_ne!(on_b, path);
    let served = reqwest::get(&on_b).await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.bytes().await.unwrap().as_ref(), b"written on a");

    // Announced on A, its bytes sent to B (a balancer may pick either),
    // served by A.
    let mut announced = announce(&a, &token, "to-b.txt").await;
    announced["upload_url"] = format!("{}/files/upload/", b.address).into();
    let sent = send_bytes(&announced, "to-b.txt", b"sent to b").await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    let served = reqwest::get(announced["path"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.bytes().await.unwrap().as_ref(), b"sent to b");
    // Nothing of it stayed on B's disk but the empty spool directory.
    let on_disk: Vec<_> = std::fs::read_dir(disk_b.path().join("files"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(on_disk, [std::ffi::OsString::from(".incoming")]);
    assert_eq!(
        std::fs::read_dir(disk_b.path().join("files/.incoming"))
            .unwrap()
            .count(),
        0
    );
}
