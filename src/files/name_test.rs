use super::FileName;

#[test]
fn a_path_keeps_only_its_last_segment() {
    assert_eq!(
        FileName::parse("../../etc/passwd").unwrap().as_str(),
        "passwd"
    );
    assert_eq!(
        FileName::parse("C:\\photos\\me.jpg").unwrap().as_str(),
        "me.jpg"
    );
    assert_eq!(FileName::parse("a\u{0}b\n.txt").unwrap().as_str(), "ab.txt");
}

#[test]
fn nothing_left_is_refused() {
    for raw in ["", "   ", "..", "a/..", "/"] {
        let e = FileName::parse(raw).unwrap_err();
        assert_eq!(e.to_string(), "filename: must name a file", "{raw:?}");
    }
    assert!(FileName::parse(&"x".repeat(256)).is_err());
}
