//! The client's address: the peer's, unless the peer is a proxy the settings
//! trust (`trusted_proxies`), in which case the forwarding headers
//! (`Forwarded`, `X-Forwarded-For`) are read from the nearest hop back, past
//! every trusted proxy. Headers from anyone else are ignored, so a client
//! cannot pick the address its attempts are counted under.

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnet::IpNet;

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma list of addresses or networks (`10.0.0.0/8, 127.0.0.1`).
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("'{s}' is not an address or a network such as 10.0.0.0/8"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The address of the client behind `req`.
    pub fn client(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        if !self.trusts(peer) {
            return Some(peer);
        }
        let hops = forwarded_hops(req);
        let mut client = peer;
        for hop in hops.iter().rev() {
            client = *hop;
            if !self.trusts(*hop) {
                break;
            }
        }
        Some(client)
    }
}

/// The addresses the forwarding headers list, nearest last: `Forwarded`'s
/// `for=` values when present, else `X-Forwarded-For`.
fn forwarded_hops(req: &HttpRequest) -> Vec<IpAddr> {
    let values = |name: &str| -> Vec<String> {
        req.headers()
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().to_owned())
            .collect()
    };
    let forwarded: Vec<IpAddr> = values("forwarded")
        .iter()
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.eq_ignore_ascii_case("for").then(|| parse_node(value))?
            })
        })
        .collect();
    if !forwarded.is_empty() {
        return forwarded;
    }
    values("x-forwarded-for")
        .iter()
        .filter_map(|s| parse_node(s))
        .collect()
}

/// `203.0.113.7`, `"[2001:db8::1]:4711"`, `192.0.2.1:80` → the address.
fn parse_node(raw: &str) -> Option<IpAddr> {
    let s = raw.trim().trim_matches('"');
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    s.rsplit_once(':')?.0.parse().ok()
}

#[cfg(test)]
#[path = "client_address_test.rs"]
mod tests;
