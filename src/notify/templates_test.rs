//! Unit tests of `templates`.

use super::*;

#[test]
fn built_in_templates_render_in_both_languages() {
    let t = Templates::load(None).unwrap();
    let ctx = serde_json::json!({"app_name": "Demo", "email": "a@example.com", "link": "https://x.test/v?token=1&a=2", "hours": 24});
    let en = t.mail(Locale::En, "verify_email", &ctx).unwrap();
    assert_eq!(en.subject, "Confirm your email address for Demo");
    assert!(en.text.contains("https://x.test/v?token=1&a=2"));
    assert!(
        en.html.contains("token=1&amp;a=2") && !en.html.contains("token=1&a=2"),
        "html is escaped"
    );
    let zh = t.mail(Locale::Zh, "verify_email", &ctx).unwrap();
    assert!(zh.subject.contains("邮箱"));
}

#[test]
fn html_escapes_user_values() {
    let t = Templates::load(None).unwrap();
    let ctx = serde_json::json!({"app_name": "A", "email": "<script>x</script>@e.com"});
    let page = t.page(Locale::En, "page_verified", &ctx).unwrap();
    assert!(!page.contains("<script>x"));
}

#[test]
fn files_override_built_ins_and_broken_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("en")).unwrap();
    std::fs::write(
        dir.path().join("en/verify_email.subject.txt"),
        "Welcome to {{ app_name }}!",
    )
    .unwrap();
    let t = Templates::load(Some(dir.path().to_path_buf())).unwrap();
    let mail = t
        .mail(
            Locale::En,
            "verify_email",
            &serde_json::json!({"app_name": "Demo"}),
        )
        .unwrap();
    assert_eq!(mail.subject, "Welcome to Demo!");
    std::fs::write(dir.path().join("en/verify_email.subject.txt"), "{% if %}").unwrap();
    let err = Templates::load(Some(dir.path().to_path_buf()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("en/verify_email.subject.txt"), "{err}");
}

#[test]
fn strings_fill_placeholders() {
    let t = Templates::load(None).unwrap();
    assert_eq!(
        t.string(Locale::En, "policy", &[("min", "6"), ("max", "20")]),
        "6 to 20 characters (accented letters, Chinese characters and emoji count as 2 to 4)."
    );
}
