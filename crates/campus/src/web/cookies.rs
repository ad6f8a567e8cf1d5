//! Cookie names and attributes. Over https every cookie carries the `__Host-` prefix,
//! which makes browsers insist on Secure, Path=/ and no Domain: a neighbouring site on a
//! sibling domain, or a plain-http page on the same host, cannot plant or overwrite it.

use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::config::Config;

/// A cookie's name, plain over http and `__Host-` prefixed over https.
#[derive(Debug, Clone, Copy)]
pub struct CookieName {
    plain: &'static str,
    over_tls: &'static str,
}

impl CookieName {
    /// `over_tls` must be `plain` with the `__Host-` prefix: checked when the constant is
    /// compiled, so a misspelt pair does not build.
    pub const fn new(plain: &'static str, over_tls: &'static str) -> CookieName {
        const PREFIX: &[u8] = b"__Host-";
        let (p, t) = (plain.as_bytes(), over_tls.as_bytes());
        assert!(
            t.len() == PREFIX.len() + p.len(),
            "the name over https is `__Host-` + the plain name"
        );
        let mut i = 0;
        while i < t.len() {
            let expected = if i < PREFIX.len() {
                PREFIX[i]
            } else {
                p[i - PREFIX.len()]
            };
            assert!(
                t[i] == expected,
                "the name over https is `__Host-` + the plain name"
            );
            i += 1;
        }
        CookieName { plain, over_tls }
    }

    pub fn name(self, config: &Config) -> &'static str {
        if config.served_over_tls() {
            self.over_tls
        } else {
            self.plain
        }
    }

    /// The cookie with the attributes every Campus cookie has: Path=/, HttpOnly, Secure
    /// over https; SameSite as given; kept for `max_age`, or for the browser's session.
    pub fn build(
        self,
        config: &Config,
        value: String,
        same_site: SameSite,
        max_age: Option<time::Duration>,
    ) -> Cookie<'static> {
        let cookie = Cookie::build((self.name(config), value))
            .path("/")
            .http_only(true)
            .secure(config.served_over_tls())
            .same_site(same_site);
        match max_age {
            Some(age) => cookie.max_age(age).build(),
            None => cookie.build(),
        }
    }

    pub fn read(self, config: &Config, jar: &CookieJar) -> Option<String> {
        jar.get(self.name(config)).map(|c| c.value().to_string())
    }

    /// `jar` with the cookie removed.
    pub fn remove(self, config: &Config, jar: CookieJar) -> CookieJar {
        jar.remove(Cookie::build(self.name(config)).path("/"))
    }
}
