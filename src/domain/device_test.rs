use super::*;

#[test]
fn device_ids_are_long_random_looking_strings() {
    assert!(DeviceId::parse("3f2a9c1e-77b0-4c1d-9a8e").is_ok());
    assert!(DeviceId::parse("short").is_err());
    assert!(DeviceId::parse("has spaces in it ........").is_err());
    let a = DeviceId::parse("0123456789abcdef").unwrap().hash();
    assert_eq!(a.len(), 64);
    assert_ne!(a, "0123456789abcdef");
}

#[test]
fn platforms_are_short_names() {
    assert_eq!(Platform::parse(" iOS ").unwrap().as_str(), "ios");
    assert!(Platform::parse("").is_err());
    assert!(Platform::parse("windows phone").is_err());
}
