//! A minimal browser over the test router: keeps cookies, reads CSRF tokens from pages,
//! submits forms.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};

use super::TestApp;

pub struct Browser<'a> {
    app: &'a TestApp,
    pub cookies: HashMap<String, String>,
}

/// A page as the browser received it.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub html: String,
}

impl Page {
    /// The CSRF token of the first form on the page.
    pub fn csrf(&self) -> String {
        let marker = "name=\"_csrf\" value=\"";
        let start = self
            .html
            .find(marker)
            .map(|i| i + marker.len())
            .expect("a form with a CSRF token");
        let end = self.html[start..].find('"').expect("end of token") + start;
        self.html[start..end].to_string()
    }
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Browser<'a> {
        Browser {
            app,
            cookies: HashMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, request: Request<Body>) -> Page {
        let response: Response<Body> = self.app.send(request).await;
        for value in response.headers().get_all(header::SET_COOKIE) {
            let text = value.to_str().expect("cookie");
            let pair = text.split(';').next().expect("pair");
            let (name, value) = pair.split_once('=').expect("name=value");
            let expired = text.contains("Max-Age=0") || value.is_empty();
            if expired {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().expect("location").to_string());
        // A live stream never ends; its page is only its status (tests that follow the
        // events read the stream themselves).
        let streaming = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        let bytes = if streaming {
            Default::default()
        } else {
            axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
                .await
                .expect("body")
        };
        Page {
            status,
            location,
            // Downloads (a PDF) are kept as far as they are text: enough to check their kind.
            html: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&mut self, uri: &str) -> Page {
        let request = Request::get(uri)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .expect("request");
        self.send(request).await
    }

    /// Posts a form as a browser does, `fields` url-encoded.
    pub async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(fields).expect("form");
        let request = Request::post(uri)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.send(request).await
    }

    /// Posts raw bytes with this content type (hostile input a browser would not send).
    pub async fn post_raw(&mut self, uri: &str, content_type: &str, body: Vec<u8>) -> Page {
        let request = Request::post(uri)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .expect("request");
        self.send(request).await
    }

    /// Opens a server-sent event stream (or any GET) with this browser's cookies and
    /// returns the raw response, its body still streaming.
    pub async fn follow(&self, uri: &str) -> axum::http::Response<Body> {
        let request = Request::get(uri)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .expect("request");
        self.app.send(request).await
    }

    /// Posts a `multipart/form-data` form (an upload) as a browser does.
    pub async fn post_multipart(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Page {
        let (content_type, body) = super::api::multipart(fields, files);
        let request = Request::post(uri)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .expect("request");
        self.send(request).await
    }

    /// Signs in through the real form, answering the second-factor step with the fixture
    /// (or demo) secret when asked; returns the answer to the last form post.
    pub async fn sign_in(&mut self, college: &str, email: &str, password: &str) -> Page {
        let page = self.sign_in_password_only(college, email, password).await;
        let Some(location) = page
            .location
            .clone()
            .filter(|l| l.starts_with("/login/mfa"))
        else {
            return page;
        };
        let secret: &[u8] = if college == "riverside" {
            campus::demo::TOTP_SECRET
        } else {
            super::fixtures::TOTP_SECRET
        };
        let form = self.get(&location).await;
        let code = super::fixtures::next_code(email, secret);
        self.post(
            "/login/mfa",
            &[
                ("_csrf", &form.csrf()),
                ("code", &code),
                ("next", "/dashboard"),
            ],
        )
        .await
    }

    /// The password step alone.
    pub async fn sign_in_password_only(
        &mut self,
        college: &str,
        email: &str,
        password: &str,
    ) -> Page {
        let login = if college == campus::institution::queries::PLATFORM_SLUG {
            "/platform/login".to_string()
        } else {
            format!("/c/{college}/login")
        };
        let form = self.get(&login).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.html);
        let csrf = form.csrf();
        self.post(
            "/login",
            &[
                ("college", college),
                ("email", email),
                ("password", password),
                ("next", "/dashboard"),
                ("_csrf", &csrf),
            ],
        )
        .await
    }
}
