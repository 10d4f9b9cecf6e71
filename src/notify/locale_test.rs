//! Unit tests of `locale`.

use super::*;

#[test]
fn reads_tags_and_accept_language() {
    assert_eq!(Locale::from_tag("zh_CN"), Some(Locale::Zh));
    assert_eq!(Locale::from_tag("en-US"), Some(Locale::En));
    assert_eq!(Locale::from_tag("fr"), None);
    assert_eq!(
        Locale::from_accept_language("fr-FR,zh-CN;q=0.9,en;q=0.8"),
        Some(Locale::Zh)
    );
    assert_eq!(
        Locale::from_accept_language("en;q=0.5, zh;q=0.7"),
        Some(Locale::Zh)
    );
    assert_eq!(Locale::from_accept_language("de"), None);
}

#[test]
fn user_language_wins_over_the_request() {
    assert_eq!(Locale::pick(Some("zh"), Some("en")), Locale::Zh);
    assert_eq!(Locale::pick(None, Some("zh-TW")), Locale::Zh);
    assert_eq!(Locale::pick(Some("xx"), None), Locale::En);
}
