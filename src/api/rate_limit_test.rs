//! Unit tests of `rate_limit`.

use super::*;

#[test]
fn ipv6_clients_are_counted_per_64_network() {
    let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
    let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
    let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
    assert_eq!(client_key(a), client_key(b));
    assert_ne!(client_key(a), client_key(c));
    let v4: IpAddr = "192.0.2.7".parse().unwrap();
    assert_eq!(client_key(v4), v4);
}
