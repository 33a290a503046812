//! Where a webhook may point: `https` URLs of public addresses, unless the configuration allows
//! plain `http` or the operator's own networks. Names are checked when they are resolved for each
//! connection, so a name that later turns to a private address is refused then too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use actix_tls::connect::Resolve;
use futures_util::future::LocalBoxFuture;
use url::{Host, Url};

use crate::config::WebhookConfig;

/// Why a URL cannot receive webhooks, for the subscriber.
pub fn check_url(value: &str, config: &WebhookConfig) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|error| format!("not an absolute URL: {error}"))?;
    match url.scheme() {
        "https" => {}
        "http" if config.allow_http => {}
        "http" => return Err("must be https".to_owned()),
        other => return Err(format!("must be https, not {other}")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials: authenticate the sender by the signature".to_owned());
    }
    if url.fragment().is_some() {
        return Err("must not have a fragment".to_owned());
    }
    let literal = match url.host() {
        None => return Err("must name a host".to_owned()),
        Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        Some(Host::Domain(name)) if name.eq_ignore_ascii_case("localhost") => {
            Some(IpAddr::V4(Ipv4Addr::LOCALHOST))
        }
        Some(Host::Domain(_)) => None,
    };
    match literal {
        Some(ip) if !allowed(ip, config) => Err(format!("{ip} is not a public address")),
        _ => Ok(url),
    }
}

/// Whether webhooks may connect to `ip`.
pub fn allowed(ip: IpAddr, config: &WebhookConfig) -> bool {
    config.allow_private_addresses || is_public(ip)
}

/// Whether `ip` is a global unicast address: not loopback, private, shared (CGNAT), link-local,
/// unique local, multicast, documentation, benchmarking or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(mapped) => is_public_v4(mapped),
            None => is_public_v6(ip),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || first == 0x2001 && ip.segments()[1] == 0x0db8
        || first == 0x0064 && ip.segments()[1] == 0xff9b)
}

/// The resolver of the delivering client: the system's, refusing a name if any of its addresses is
/// not allowed, so that the connection goes only where the check said.
pub struct GuardedResolver {
    pub config: WebhookConfig,
}

impl Resolve for GuardedResolver {
    fn lookup<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> LocalBoxFuture<'a, Result<Vec<SocketAddr>, Box<dyn std::error::Error>>> {
        Box::pin(async move {
            let name = format!("{host}:{port}");
            let addresses: Vec<SocketAddr> = actix_web::rt::task::spawn_blocking(move || {
                std::net::ToSocketAddrs::to_socket_addrs(&name).map(Iterator::collect)
            })
            .await??;
            match addresses
                .iter()
                .find(|address| !allowed(address.ip(), &self.config))
            {
                Some(address) => Err(format!(
                    "{host} resolves to {}, which is not a public address",
                    address.ip()
                )
                .into()),
                None => Ok(addresses),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> WebhookConfig {
        WebhookConfig::default()
    }

    #[test]
    fn private_and_special_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::",
        ] {
            assert!(!is_public(ip.parse().expect("an address")), "{ip} passed");
        }
        for ip in ["193.166.3.1", "8.8.8.8", "2001:4860:4860::8888"] {
            assert!(is_public(ip.parse().expect("an address")), "{ip} refused");
        }
    }

    #[test]
    fn urls_must_be_https_to_a_public_host() {
        assert!(check_url("https://hooks.example.fi/in", &strict()).is_ok());
        for url in [
            "http://hooks.example.fi/in",
            "ftp://hooks.example.fi/in",
            "https://user:pw@hooks.example.fi/in",
            "https://127.0.0.1/in",
            "https://[::1]/in",
            "https://localhost:8443/in",
            "https://169.254.169.254/latest/meta-data",
            "hooks.example.fi/in",
        ] {
            assert!(check_url(url, &strict()).is_err(), "{url} passed");
        }
        let open = WebhookConfig {
            allow_http: true,
            allow_private_addresses: true,
            ..strict()
        };
        assert!(check_url("http://127.0.0.1:9000/in", &open).is_ok());
    }
}
