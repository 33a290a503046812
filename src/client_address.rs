//! The address a request came from: the peer, or, when the peer is a configured reverse proxy, the
//! client that proxy names in `Forwarded` (RFC 7239) or `X-Forwarded-For`. Limits counted per
//! address must count the real client, not the proxy in front of every client.

use std::net::IpAddr;

use actix_web::{http::header, HttpRequest};

/// Proxies whose forwarding headers are believed: addresses or CIDR ranges (`TRUSTED_PROXIES`).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Parses `10.0.0.5, 10.1.0.0/16, ::1`, naming the first item that is neither.
    pub fn parse(value: &str) -> Result<Self, String> {
        value
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                let (address, bits) = item.split_once('/').unwrap_or((item, ""));
                let address: IpAddr = address.parse().map_err(|_| item.to_owned())?;
                let most = if address.is_ipv4() { 32 } else { 128 };
                let bits = match bits {
                    "" => most,
                    bits => bits
                        .parse()
                        .ok()
                        .filter(|&bits| bits <= most)
                        .ok_or_else(|| item.to_owned())?,
                };
                Ok((address, bits))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0
            .iter()
            .any(|&(network, bits)| within(address, network, bits))
    }
}

fn within(address: IpAddr, network: IpAddr, bits: u8) -> bool {
    let (address, network, width) = match (address, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) => (u128::from(u32::from(a)), u128::from(u32::from(n)), 32),
        (IpAddr::V6(a), IpAddr::V6(n)) => (u128::from(a), u128::from(n), 128),
        _ => return false,
    };
    let shift = width - u32::from(bits);
    shift >= 128 || (address >> shift) == (network >> shift)
}

/// The client's address as text; `unknown` when the connection has none (a Unix socket).
pub fn client_address(req: &HttpRequest) -> String {
    let Some(peer) = req.peer_addr().map(|addr| addr.ip()) else {
        return "unknown".to_owned();
    };
    let trusted = req.app_data::<TrustedProxies>().cloned().unwrap_or_default();
    if !trusted.trusts(peer) {
        return peer.to_string();
    }
    // The nearest hop is last; the client is the last hop that is not one of our proxies.
    forwarded_chain(req)
        .into_iter()
        .rev()
        .find(|hop| !trusted.trusts(*hop))
        .unwrap_or(peer)
        .to_string()
}

fn forwarded_chain(req: &HttpRequest) -> Vec<IpAddr> {
    let joined = |name: header::HeaderName| {
        req.headers()
            .get_all(name)
            .filter_map(|value| value.to_str().ok())
            .collect::<Vec<_>>()
            .join(",")
    };
    let forwarded = joined(header::FORWARDED);
    if !forwarded.is_empty() {
        return forwarded
            .split(',')
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (name, value) = pair.trim().split_once('=')?;
                    name.eq_ignore_ascii_case("for").then(|| parse_node(value))?
                })
            })
            .collect();
    }
    joined(header::X_FORWARDED_FOR)
        .split(',')
        .filter_map(parse_node)
        .collect()
}

/// `192.0.2.60`, `"192.0.2.60:4711"`, `"[2001:db8::1]:4711"` or `2001:db8::1`.
fn parse_node(value: &str) -> Option<IpAddr> {
    let value = value.trim().trim_matches('"');
    if let Ok(address) = value.parse() {
        return Some(address);
    }
    if let Some(rest) = value.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    value.rsplit_once(':')?.0.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_nodes_parse() {
        let trusted = TrustedProxies::parse("10.1.0.0/16, ::1, 192.0.2.1").expect("valid");
        assert!(trusted.trusts("10.1.200.3".parse().expect("ip")));
        assert!(!trusted.trusts("10.2.0.1".parse().expect("ip")));
        assert!(trusted.trusts("::1".parse().expect("ip")));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.example").is_err());
        assert_eq!(parse_node("\"[2001:db8::1]:4711\""), "2001:db8::1".parse().ok());
        assert_eq!(parse_node("192.0.2.60:80"), "192.0.2.60".parse().ok());
        assert_eq!(parse_node("unknown"), None);
    }

    #[test]
    fn only_a_trusted_peer_is_believed() {
        let request = |peer: &str, forwarded: &str| {
            actix_web::test::TestRequest::default()
                .peer_addr(format!("{peer}:5000").parse().expect("socket address"))
                .insert_header(("x-forwarded-for", forwarded))
                .app_data(TrustedProxies::parse("127.0.0.1").expect("valid"))
                .to_http_request()
        };
        assert_eq!(
            client_address(&request("127.0.0.1", "203.0.113.9")),
            "203.0.113.9"
        );
        assert_eq!(
            client_address(&request("198.51.100.7", "203.0.113.9")),
            "198.51.100.7"
        );
        // A client cannot hide behind a forged first hop: the proxy appends what it saw.
        assert_eq!(
            client_address(&request("127.0.0.1", "1.2.3.4, 203.0.113.9")),
            "203.0.113.9"
        );
    }
}
