//! The client's address: the TCP peer, or what a trusted proxy says in X-Forwarded-For.
//! Believing that header from anyone else would let a client pick its own address (and
//! dodge per-address limits), so only configured proxies are heard.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

use crate::app::AppState;

/// An address block such as `10.0.0.0/8`, `::1/128` or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for IpNet {
    type Err = String;

    fn from_str(text: &str) -> Result<IpNet, String> {
        let bad = || format!("`{text}` is not an address or a block such as 10.0.0.0/8");
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let addr = canonical(IpAddr::from_str(addr.trim()).map_err(|_| bad())?);
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.trim().parse::<u8>().map_err(|_| bad())?,
            None => max,
        };
        if prefix > max {
            return Err(bad());
        }
        Ok(IpNet { addr, prefix })
    }
}

/// IPv4 peers on a dual-stack socket arrive as ::ffff:a.b.c.d.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The client address of a request, when known (tests that skip the socket have none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientIp>()
            .copied()
            .unwrap_or(ClientIp(None)))
    }
}

/// Whether the request reached the first proxy over TLS, as a trusted proxy reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForwardedTls(pub bool);

pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> ClientIp {
    let Some(peer) = peer.map(canonical) else {
        return ClientIp(None);
    };
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(peer) {
        return ClientIp(Some(peer));
    }
    // Walk the chain from the nearest hop outwards; the first address not of a trusted
    // proxy is the client. Entries further left may be forged by the client itself.
    let chain: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| IpAddr::from_str(part.trim()).ok().map(canonical))
        .collect();
    let client = chain
        .iter()
        .rev()
        .copied()
        .find(|ip| !is_trusted(*ip))
        // Every hop trusted: the leftmost entry is the client's own claim, so the peer
        // it came through stands instead.
        .unwrap_or(peer);
    ClientIp(Some(client))
}

pub async fn middleware(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let trusted = &state.config.trusted_proxies;
    let client = resolve(peer, request.headers(), trusted);
    let from_trusted = peer.is_some_and(|ip| trusted.iter().any(|net| net.contains(canonical(ip))));
    let forwarded_tls = from_trusted
        && request
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
    request.extensions_mut().insert(client);
    request.extensions_mut().insert(ForwardedTls(forwarded_tls));
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert("x-forwarded-for", xff.parse().expect("header"));
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn parses_blocks() {
        let net: IpNet = "10.0.0.0/8".parse().expect("net");
        assert!(net.contains(ip("10.200.3.4")));
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(net.contains(ip("::ffff:10.1.1.1")));
        let one: IpNet = "::1".parse().expect("net");
        assert!(one.contains(ip("::1")));
        assert!("10.0.0.0/33".parse::<IpNet>().is_err());
        assert!("nonsense".parse::<IpNet>().is_err());
        let all: IpNet = "0.0.0.0/0".parse().expect("net");
        assert!(all.contains(ip("8.8.8.8")));
    }

    #[test]
    fn untrusted_peer_is_the_client_whatever_it_claims() {
        let trusted = ["10.0.0.1".parse().expect("net")];
        let got = resolve(Some(ip("203.0.113.9")), &headers("1.2.3.4"), &trusted);
        assert_eq!(got, ClientIp(Some(ip("203.0.113.9"))));
    }

    #[test]
    fn trusted_proxy_names_the_client_and_forged_entries_are_skipped() {
        let trusted = ["10.0.0.0/8".parse().expect("net")];
        // The client forged 6.6.6.6; the proxy appended the real peer 198.51.100.7.
        let got = resolve(
            Some(ip("10.0.0.1")),
            &headers("6.6.6.6, 198.51.100.7, 10.0.0.2"),
            &trusted,
        );
        assert_eq!(got, ClientIp(Some(ip("198.51.100.7"))));
    }

    #[test]
    fn trusted_proxy_without_header_is_the_client() {
        let trusted = ["10.0.0.0/8".parse().expect("net")];
        let got = resolve(Some(ip("10.0.0.1")), &HeaderMap::new(), &trusted);
        assert_eq!(got, ClientIp(Some(ip("10.0.0.1"))));
    }
}
