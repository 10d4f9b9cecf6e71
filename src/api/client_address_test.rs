//! Unit tests of `client_address`.

use super::*;
use actix_web::test::TestRequest;

fn request(peer: &str, headers: &[(&str, &str)]) -> HttpRequest {
    let mut r = TestRequest::default().peer_addr(peer.parse().unwrap());
    for (k, v) in headers {
        r = r.insert_header((*k, *v));
    }
    r.to_http_request()
}

#[test]
fn headers_from_an_untrusted_peer_are_ignored() {
    let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
    let req = request("198.51.100.9:5000", &[("X-Forwarded-For", "1.2.3.4")]);
    assert_eq!(proxies.client(&req), Some("198.51.100.9".parse().unwrap()));
}

#[test]
fn a_trusted_proxy_passes_on_the_client() {
    let proxies = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1").unwrap();
    // The client forged the first entry; the proxies appended the rest.
    let req = request(
        "127.0.0.1:5000",
        &[("X-Forwarded-For", "6.6.6.6, 203.0.113.7, 10.1.2.3")],
    );
    assert_eq!(proxies.client(&req), Some("203.0.113.7".parse().unwrap()));
    let req = request(
        "127.0.0.1:5000",
        &[("Forwarded", "for=\"[2001:db8::1]:4711\";proto=https")],
    );
    assert_eq!(proxies.client(&req), Some("2001:db8::1".parse().unwrap()));
}

#[test]
fn bad_entries_are_named() {
    let err = TrustedProxies::parse("10.0.0.0/8, proxy.local").unwrap_err();
    assert!(err.contains("'proxy.local'"), "{err}");
    assert!(TrustedProxies::parse("").unwrap().0.is_empty());
}
