//! Image versions by URL suffix (`<path>!/fw/200`, `!/both/400x400`,
//! `!/format/webp`, …): made on first request within bounds, kept, served
//! with the same safety headers; unknown processing and images too large to
//! process are 400s, checked before anything is decoded.

use std::io::Cursor;

use reqwest::StatusCode;

use crate::files::{upload, PNG};
use crate::helpers::{spawn_app_public, Backend};

on_both_backends!(
    an_image_is_served_resized_and_converted_by_its_suffix,
    unknown_processing_and_oversized_images_are_refused,
    one_file_keeps_a_bounded_number_of_versions,
);

/// A `w`×`h` PNG.
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::DynamicImage::new_rgb8(w, h)
        .write_to(Cursor::new(&mut bytes), image::ImageFormat::Png)
        .unwrap();
    bytes
}

/// The status, type and pixel size of what `url` serves.
async fn fetch(url: &str) -> (StatusCode, String, Option<(u32, u32)>, Vec<u8>) {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status();
    let kind = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = r.bytes().await.unwrap().to_vec();
    let size = image::load_from_memory(&bytes)
        .ok()
        .map(|i| (i.width(), i.height()));
    (status, kind, size, bytes)
}

async fn an_image_is_served_resized_and_converted_by_its_suffix(backend: Backend) {
    let app = spawn_app_public(backend, |_| {}).await;
    let (token, _) = app.register_email("ann@example.com", "password-1").await;
    let (_, path) = upload(&app, &token, "photo.png", &png(64, 32)).await;

    let (status, kind, size, first) = fetch(&format!("{path}!/fw/16")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "image/png");
    assert_eq!(size, Some((16, 8)));
    // Kept: the second request gets the same bytes.
    assert_eq!(fetch(&format!("{path}!/fw/16")).await.3, first);

    let (status, kind, size, _) = fetch(&format!("{path}!/both/10x10/format/webp")).await;
    assert_eq!(
        (status, kind.as_str(), size),
        (StatusCode::OK, "image/webp", Some((10, 10)))
    );
    let (_, kind, size, _) = fetch(&format!("{path}!/fwfh/20x20/format/jpg/quality/60")).await;
    assert_eq!((kind.as_str(), size), ("image/jpeg", Some((20, 10))));
    // Never larger than the source.
    assert_eq!(fetch(&format!("{path}!/sq/500")).await.2, Some((32, 32)));

    let r = reqwest::get(format!("{path}!/fh/4")).await.unwrap();
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .starts_with("sandbox"));

    // Many versions asked for at once are all made.
    let asked: Vec<_> = (1..=8)
        .map(|w| {
            let url = format!("{path}!/fw/{w}");
            tokio::spawn(async move { fetch(&url).await })
        })
        .collect();
    for (w, one) in (1..=8).zip(asked) {
        let (status, _, size, _) = one.await.unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(size.map(|s| s.0), Some(w));
    }
}

async fn unknown_processing_and_oversized_images_are_refused(backend: Backend) {
    let app = spawn_app_public(backend, |_| {}).await;
    let (token, _) = app.register_email("ann@example.com", "password-1").await;
    let (_, picture) = upload(&app, &token, "pixel.png", PNG).await;
    for bad in [
        "!/rotate/90",
        "!/fw/0",
        "!/fw/10/fh/10",
        "!/format/bmp",
        "!/fw",
    ] {
        let r = reqwest::get(format!("{picture}{bad}")).await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(
            body["error_msg"]
                .as_str()
                .unwrap()
                .starts_with("image version"),
            "{bad}: {body}"
        );
    }
    let (_, text) = upload(&app, &token, "notes.txt", b"just text").await;
    let r = reqwest::get(format!("{text}!/fw/10")).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // A PNG whose header claims 30000 × 30000 pixels: refused on the
    // header, never decoded.
    let mut bomb = PNG.to_vec();
    bomb[16..20].copy_from_slice(&30_000_u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&30_000_u32.to_be_bytes());
    let (_, bomb_path) = upload(&app, &token, "bomb.png", &bomb).await;
    let r = reqwest::get(format!("{bomb_path}!/fw/10")).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["error_msg"].as_str().unwrap().contains("megapixels"),
        "{body}"
    );
    // The file itself is still served as stored.
    assert_eq!(
        reqwest::get(&bomb_path).await.unwrap().status(),
        StatusCode::OK
    );
}

async fn one_file_keeps_a_bounded_number_of_versions(backend: Backend) {
    let app = spawn_app_public(backend, |_| {}).await;
    let (token, _) = app.register_email("ann@example.com", "password-1").await;
    let (_, path) = upload(&app, &token, "photo.png", &png(64, 32)).await;
    // 24 versions are made and kept; a 25th size is refused, naming the
    // limit, while every kept one is still served.
    for w in 1..=24 {
        assert_eq!(
            fetch(&format!("{path}!/fw/{w}")).await.0,
            StatusCode::OK,
            "{w}"
        );
    }
    let r = reqwest::get(format!("{path}!/fw/25")).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["error_msg"].as_str().unwrap().contains("24 versions"),
        "{body}"
    );
    assert_eq!(fetch(&format!("{path}!/fw/16")).await.2, Some((16, 8)));
}
