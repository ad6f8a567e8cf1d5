//! Requests Campus makes to addresses that someone else chose: a college's sign-on
//! provider and whatever its discovery document names. Each address is https, resolves
//! only to public addresses (loopback, private, link-local, shared and metadata
//! addresses are refused unless the `sso_allowed_hosts` setting names them) and is
//! connected to at exactly the address that was checked, so a name cannot be re-pointed
//! between the check and the request. Every answer is read within a time limit and up
//! to a size limit.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::config::{Config, Mode};
use crate::error::AppError;
use crate::web::client_ip::IpNet;

/// The most an answer may hold (a discovery document, a key set, a token answer).
pub const MAX_ANSWER_BYTES: usize = 256 * 1024;
const TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Why an address was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

fn allowed(config: &Config, host: &str, ip: Option<IpAddr>) -> bool {
    config.sso_allowed_hosts.iter().any(|entry| {
        entry.eq_ignore_ascii_case(host)
            || ip.is_some_and(|ip| entry.parse::<IpNet>().is_ok_and(|net| net.contains(ip)))
    })
}

/// Whether an address is one only this machine or its own networks should reach.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local() // 169.254/16, where cloud metadata lives
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // shared address space
                || (a == 192 && b == 0 && v4.octets()[2] == 0) // IETF protocol assignments
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
                || (first == 0x0064 && v6.segments()[1] == 0xff9b) // NAT64 to anywhere
        }
    }
}

/// Checks `url` and finds the address to connect to.
pub async fn check(config: &Config, url: &str) -> Result<(reqwest::Url, SocketAddr), Refused> {
    let parsed =
        reqwest::Url::parse(url).map_err(|_| Refused(format!("`{url}` is not an address")))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| Refused(format!("`{url}` names no host")))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let named = allowed(config, &host, None);
    match parsed.scheme() {
        "https" => {}
        // A provider named in the allow-list may speak plain http in development (a
        // test provider on loopback); never in production.
        "http" if named && config.mode == Mode::Development => {}
        _ => return Err(Refused(format!("`{url}` is not an https address"))),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Refused(format!("`{url}` carries credentials")));
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addresses: Vec<SocketAddr> = tokio::time::timeout(
        CONNECT_TIMEOUT,
        tokio::net::lookup_host((host.as_str(), port)),
    )
    .await
    .map_err(|_| Refused(format!("`{host}` could not be resolved in time")))?
    .map_err(|_| Refused(format!("`{host}` does not resolve")))?
    .collect();
    let Some(first) = addresses.first().copied() else {
        return Err(Refused(format!("`{host}` does not resolve")));
    };
    for address in &addresses {
        let ip = address.ip();
        if is_internal(ip) && !named && !allowed(config, &host, Some(ip)) {
            return Err(Refused(format!(
                "`{host}` is an internal address ({ip}); name it in sso_allowed_hosts to allow it"
            )));
        }
    }
    Ok((parsed, first))
}

/// A client that connects to `url`'s host at exactly `address`.
fn client(url: &reqwest::Url, address: SocketAddr) -> Result<reqwest::Client, AppError> {
    crate::crypto::install_tls_provider();
    let mut builder = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none());
    if let Some(host) = url.host_str() {
        builder = builder.resolve(host, address);
    }
    builder.build().map_err(|e| AppError::Internal(e.into()))
}

/// What went wrong talking to the provider, as users and the log see it.
#[derive(Debug)]
pub enum Failure {
    Refused(Refused),
    Unanswered(String),
}

impl Failure {
    pub fn log(&self, what: &str) {
        match self {
            Failure::Refused(Refused(why)) => {
                tracing::warn!(%why, what, "single sign-on refused an address")
            }
            Failure::Unanswered(why) => {
                tracing::warn!(%why, what, "single sign-on got no usable answer")
            }
        }
    }
}

/// A form posted with the client's credentials (a token exchange).
pub struct Post<'a> {
    pub fields: &'a [(&'a str, &'a str)],
    pub user: &'a str,
    pub secret: &'a str,
}

/// GETs (or POSTs `form` to) `url` after checking it; the JSON answer, at most
/// `MAX_ANSWER_BYTES`, within the time limit.
pub async fn fetch_json<T: serde::de::DeserializeOwned>(
    config: &Config,
    url: &str,
    form: Option<Post<'_>>,
) -> Result<T, Failure> {
    let (url, address) = check(config, url).await.map_err(Failure::Refused)?;
    let client = client(&url, address).map_err(|e| Failure::Unanswered(format!("{e:?}")))?;
    let request = match form {
        Some(post) => client
            .post(url.clone())
            .basic_auth(post.user, Some(post.secret))
            .form(post.fields),
        None => client.get(url.clone()),
    };
    let mut response = request
        .send()
        .await
        .map_err(|e| Failure::Unanswered(e.to_string()))?;
    if !response.status().is_success() {
        return Err(Failure::Unanswered(format!("status {}", response.status())));
    }
    if response
        .content_length()
        .is_some_and(|length| length > MAX_ANSWER_BYTES as u64)
    {
        return Err(Failure::Unanswered("the answer is too large".into()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Failure::Unanswered(e.to_string()))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(Failure::Unanswered("the answer is too large".into()));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body)
        .map_err(|e| Failure::Unanswered(format!("not the JSON expected: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(settings: &[(&str, &str)]) -> Config {
        let env: std::collections::HashMap<String, String> = settings
            .iter()
            .chain([("CAMPUS_SECRET_KEY", "9c1f0e7a3b5d8f2e4a6c0b1d3f5e7a9c")].iter())
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let overrides = crate::config::Overrides {
            data_dir: Some(std::env::temp_dir().join("campus-outbound-test")),
            ..Default::default()
        };
        Config::load(&overrides, &|name| env.get(name).cloned()).expect("config")
    }

    #[tokio::test]
    async fn addresses_are_https_and_public_unless_allowed() {
        let plain = config(&[]);
        for refused in [
            "http://example.org/token",
            "https://127.0.0.1/token",
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.5/jwks",
            "https://[::1]/jwks",
            "https://user:pw@example.org/x",
            "ftp://example.org/x",
            "not a url",
        ] {
            assert!(check(&plain, refused).await.is_err(), "{refused}");
        }
        let allowed = config(&[("CAMPUS_SSO_ALLOWED_HOSTS", "127.0.0.1,10.0.0.0/8")]);
        assert!(check(&allowed, "http://127.0.0.1:9/x").await.is_ok());
        assert!(check(&allowed, "https://10.0.0.5/jwks").await.is_ok());
        assert!(check(&allowed, "https://169.254.169.254/").await.is_err());
        let production = config(&[
            ("CAMPUS_MODE", "production"),
            ("CAMPUS_SECRET_KEY", "k3J9x2Lq8Vn4Rt7Wz1Pc6Ys0Bm5Hd2Gf"),
            ("CAMPUS_SSO_ALLOWED_HOSTS", "127.0.0.1"),
        ]);
        assert!(
            check(&production, "http://127.0.0.1:9/x").await.is_err(),
            "plain http is for development only"
        );
        assert!(check(&production, "https://127.0.0.1:9/x").await.is_ok());
    }

    #[test]
    fn internal_addresses_are_known() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(is_internal(internal.parse().expect("ip")), "{internal}");
        }
        for public in ["93.184.216.34", "2606:2800:220:1::1", "8.8.8.8"] {
            assert!(!is_internal(public.parse().expect("ip")), "{public}");
        }
    }
}
