//! Keeps requests to user-given URLs off private, loopback, link-local and other non-public
//! addresses (PRODUCT.md "Outbound URLs"), so a custom API address cannot be pointed at the
//! server's own network or a cloud metadata service.
//!
//! Two checks, because either alone can be bypassed:
//! - [`check_url`] before a request, on the URL's literal IP or on every address its host name
//!   resolves to (tokio's `lookup_host`), giving a clear error;
//! - [`PublicOnlyResolver`], the HTTP client's DNS resolver, which refuses the same addresses at
//!   connection time, so a name that resolved to a public address a moment ago and to `10.0.0.5`
//!   now (DNS rebinding) still cannot be reached.
//!
//! Redirects are followed only to the same host (see `http`), so neither check is skipped by a
//! `302` to a literal private address, and a custom auth header never travels to another host.
//! Both are switched off by `allow_private_addresses`, for development and tests only.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::CrmError;

/// Why an address is not public, in words for an error message; `None` for a public address.
pub fn non_public_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => v6_reason(v6),
    }
}

/// Whether a request may go to `ip` when private addresses are not allowed.
pub fn is_public(ip: IpAddr) -> bool {
    non_public_reason(ip).is_none()
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, _, _) => "unspecified",
        (127, _, _) => "loopback",
        (10, _, _) | (192, 168, _) => "private network",
        (172, b, _) if (16..=31).contains(&b) => "private network",
        (169, 254, _) => "link-local",
        (100, b, _) if (64..=127).contains(&b) => "shared (carrier-grade NAT)",
        (192, 0, 0) => "reserved (IETF protocol)",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "reserved (documentation)",
        (198, 18..=19, _) => "reserved (benchmarking)",
        (192, 88, 99) => "reserved (6to4 relay)",
        (224..=239, _, _) => "multicast",
        (240..=255, _, _) => "reserved",
        _ => return None,
    })
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    // An IPv4 address carried inside IPv6 is judged as that IPv4 address: ::ffff:10.0.0.1 is a
    // private address however it is written.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_reason(v4);
    }
    let segments = ip.segments();
    let embedded_v4 =
        |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    match segments[0] {
        // IPv4-compatible (deprecated, ::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d).
        0 if segments[1..6].iter().all(|s| *s == 0) => {
            return v4_reason(embedded_v4(segments[6], segments[7])).or(Some("reserved"));
        }
        0x64 if segments[1] == 0xff9b && segments[2..6].iter().all(|s| *s == 0) => {
            return v4_reason(embedded_v4(segments[6], segments[7]));
        }
        // 6to4 (2002:a.b.c.d::/48).
        0x2002 => return v4_reason(embedded_v4(segments[1], segments[2])),
        _ => {}
    }
    Some(match segments[0] {
        s if s & 0xfe00 == 0xfc00 => "private network (unique local)",
        s if s & 0xffc0 == 0xfe80 => "link-local",
        s if s & 0xffc0 == 0xfec0 => "private network (site-local)",
        s if s & 0xff00 == 0xff00 => "multicast",
        0x2001 if segments[1] == 0x0db8 => "reserved (documentation)",
        0x0100 if segments[1..4].iter().all(|s| *s == 0) => "reserved (discard)",
        _ => return None,
    })
}

/// Checks a URL a request is about to go to: `http` or `https`, a host, and — unless
/// `allow_private` — `https` only and a host that is, or resolves only to, public addresses.
pub async fn check_url(url: &Url, allow_private: bool) -> Result<(), CrmError> {
    let scheme = url.scheme();
    if scheme != "https" && scheme != "http" {
        return Err(CrmError::config(format!(
            "the URL scheme {scheme:?} is not http(s)"
        )));
    }
    let host = url
        .host_str()
        .ok_or_else(|| CrmError::config("the URL has no host"))?;
    if allow_private {
        return Ok(());
    }
    let literal = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = literal.parse::<IpAddr>() {
        refuse_non_public(host, ip)?;
    } else {
        let port = url.port_or_known_default().unwrap_or(443);
        let addrs = tokio::net::lookup_host((host, port))
            .await
            .map_err(|_| CrmError::config(format!("the host {host} could not be resolved")))?;
        let mut any = false;
        for addr in addrs {
            any = true;
            refuse_non_public(host, addr.ip())?;
        }
        if !any {
            return Err(CrmError::config(format!("the host {host} has no address")));
        }
    }
    // Checked after the address, so a private address is named as such.
    if scheme == "http" {
        return Err(CrmError::config(
            "the URL must use https: the API's credentials would travel unencrypted",
        ));
    }
    Ok(())
}

fn refuse_non_public(host: &str, ip: IpAddr) -> Result<(), CrmError> {
    match non_public_reason(ip) {
        Some(reason) => Err(CrmError::AddressNotAllowed {
            host: host.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// A name resolved to a non-public address at connection time.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves to a {reason} address")]
pub(crate) struct BlockedAddress {
    pub host: String,
    pub reason: &'static str,
}

/// The HTTP client's resolver when private addresses are not allowed: the system resolver,
/// refusing a name with any non-public address among its answers.
#[derive(Debug, Default)]
pub(crate) struct PublicOnlyResolver;

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(reason) = addrs.iter().find_map(|a| non_public_reason(a.ip())) {
                return Err(Box::new(BlockedAddress { host, reason }) as _);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an IP address")
    }

    #[test]
    fn private_loopback_link_local_and_unspecified_addresses_are_not_public() {
        for (addr, reason) in [
            ("127.0.0.1", "loopback"),
            ("127.8.9.10", "loopback"),
            ("10.1.2.3", "private network"),
            ("172.16.0.1", "private network"),
            ("172.31.255.255", "private network"),
            ("192.168.1.1", "private network"),
            ("169.254.169.254", "link-local"),
            ("0.0.0.0", "unspecified"),
            ("100.64.0.1", "shared (carrier-grade NAT)"),
            ("224.0.0.1", "multicast"),
            ("255.255.255.255", "reserved"),
            ("::1", "loopback"),
            ("::", "unspecified"),
            ("fe80::1", "link-local"),
            ("fd00::1", "private network (unique local)"),
            ("::ffff:10.0.0.1", "private network"),
            ("::ffff:127.0.0.1", "loopback"),
            ("64:ff9b::a9fe:a9fe", "link-local"),
            ("2002:c0a8:0101::1", "private network"),
            ("2001:db8::1", "reserved (documentation)"),
            ("ff02::1", "multicast"),
        ] {
            assert_eq!(non_public_reason(ip(addr)), Some(reason), "{addr}");
        }
    }

    #[test]
    fn ordinary_internet_addresses_are_public() {
        for addr in [
            "8.8.8.8",
            "172.32.0.1",
            "172.15.255.255",
            "100.128.0.1",
            "104.16.0.1",
            "2606:4700::1111",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip(addr)), "{addr}");
        }
    }

    #[tokio::test]
    async fn literal_private_urls_are_refused_before_any_connection() {
        for url in [
            "https://127.0.0.1/api",
            "https://10.0.0.8:8443/leads",
            "http://169.254.169.254/latest/meta-data",
            "https://[::1]/x",
            "https://[::ffff:192.168.0.1]/x",
        ] {
            let url = Url::parse(url).expect("a URL");
            let error = check_url(&url, false).await.expect_err("refused");
            assert!(
                matches!(error, CrmError::AddressNotAllowed { .. }),
                "{url}: {error:?}"
            );
        }
        let url = Url::parse("http://127.0.0.1:9/").expect("a URL");
        assert_eq!(check_url(&url, true).await, Ok(()));
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_refused() {
        let url = Url::parse("https://localhost:8443/leads").expect("a URL");
        let error = check_url(&url, false).await.expect_err("refused");
        assert!(
            matches!(error, CrmError::AddressNotAllowed { ref host, .. } if host == "localhost"),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn other_schemes_are_refused() {
        let url = Url::parse("ftp://8.8.8.8/x").expect("a URL");
        assert!(matches!(
            check_url(&url, true).await,
            Err(CrmError::InvalidConfig { .. })
        ));
        let plain = Url::parse("http://8.8.8.8/x").expect("a URL");
        assert!(matches!(
            check_url(&plain, false).await,
            Err(CrmError::InvalidConfig { .. })
        ));
    }
}
