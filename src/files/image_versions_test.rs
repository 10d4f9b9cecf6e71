use super::*;

/// A `w`×`h` PNG.
fn png(w: u32, h: u32) -> Vec<u8> {
    let image = DynamicImage::new_rgb8(w, h);
    let mut bytes = Vec::new();
    image
        .write_to(Cursor::new(&mut bytes), ImageFormat::Png)
        .expect("a png");
    bytes
}

fn size_of(version: &Version) -> (u32, u32) {
    let image = image::load_from_memory(&version.bytes).expect("a readable version");
    (image.width(), image.height())
}

fn made(spec: &str, source: &[u8]) -> Version {
    VersionSpec::parse(spec)
        .expect("a spec")
        .render(source, "image/png")
        .expect("a version")
}

#[test]
fn each_resize_keeps_to_its_box_and_never_enlarges() {
    let source = png(100, 50);
    assert_eq!(size_of(&made("/fw/20", &source)), (20, 10));
    assert_eq!(size_of(&made("/fh/10", &source)), (20, 10));
    assert_eq!(size_of(&made("/fwfh/40x40", &source)), (40, 20));
    assert_eq!(size_of(&made("/both/30x30", &source)), (30, 30));
    assert_eq!(size_of(&made("/sq/1000", &source)), (50, 50));
    assert_eq!(size_of(&made("/fw/4000", &source)), (100, 50));
}

#[test]
fn the_format_follows_the_suffix_or_the_source() {
    let source = png(10, 10);
    assert_eq!(made("/fw/5", &source).media_type, "image/png");
    let webp = made("/fw/5/format/webp", &source);
    assert_eq!(webp.media_type, "image/webp");
    assert_eq!(size_of(&webp), (5, 5));
    assert_eq!(
        made("/format/jpg/quality/50", &source).media_type,
        "image/jpeg"
    );
}

#[test]
fn unknown_or_malformed_processing_is_refused() {
    for bad in [
        "/rotate/90",
        "/fw",
        "/fw/0",
        "/fw/99999",
        "/both/10",
        "/format/bmp",
        "/quality/101",
        "/fw/10/fh/10",
    ] {
        assert!(VersionSpec::parse(bad).is_err(), "{bad}");
    }
    assert_ne!(
        VersionSpec::parse("/fw/10").unwrap().key(),
        VersionSpec::parse("/fw/10/format/webp").unwrap().key()
    );
}

#[test]
fn oversized_or_unreadable_sources_are_refused_before_decoding() {
    assert!(VersionSpec::check_source("image/png", 1000, Some((100, 100))).is_ok());
    let huge = VersionSpec::check_source("image/png", 1000, Some((50_000, 50_000)));
    assert!(huge.unwrap_err().rule.contains("megapixels"));
    assert!(VersionSpec::check_source("image/svg+xml", 10, Some((1, 1))).is_err());
    assert!(VersionSpec::check_source("image/png", MAX_SOURCE_BYTES + 1, Some((1, 1))).is_err());
    assert!(VersionSpec::check_source("image/png", 10, None).is_err());
    let garbage = VersionSpec::parse("/fw/10")
        .unwrap()
        .render(b"\x89PNG\r\n\x1a\nnot really", "image/png");
    assert!(garbage.is_err());
}
