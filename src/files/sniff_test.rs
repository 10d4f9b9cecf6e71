use super::{media_type, shown_inline};

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d,
];

#[test]
fn the_content_decides_not_the_name() {
    assert_eq!(media_type(PNG, "notes.txt"), "image/png");
    assert_eq!(media_type(b"<html><script>", "photo.png"), "text/plain");
    assert_eq!(
        media_type(&[0xff, 0xfe, 0x00, 0x01, 0x80], "a.bin"),
        "application/octet-stream"
    );
}

#[test]
fn text_takes_its_kind_from_the_name_but_never_becomes_markup_that_runs() {
    assert_eq!(media_type(b"a,b\n1,2\n", "table.csv"), "text/csv");
    assert_eq!(media_type(b"hello", "hello.txt"), "text/plain");
    assert_eq!(media_type(b"<svg onload=alert(1)>", "x.svg"), "text/plain");
    assert_eq!(media_type(b"<p>hi</p>", "page.html"), "text/plain");
    assert_eq!(media_type(b"alert(1)", "app.js"), "text/plain");
}

#[test]
fn only_media_and_pdf_are_shown_in_place() {
    assert!(shown_inline("image/png"));
    assert!(shown_inline("application/pdf"));
    assert!(!shown_inline("image/svg+xml"));
    assert!(!shown_inline("text/html"));
    assert!(!shown_inline("text/plain"));
}
