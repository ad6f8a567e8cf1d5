//! The real server on a loopback port, driven by Debian's headless Chromium through
//! chromedriver (WebDriver). A failing step saves a screenshot and the page's HTML under
//! `target/e2e/` and names them in the panic.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

use super::{TestApp, free_port};

/// The longest a step waits for the state it checks; on a busy machine pages come late,
/// and a step never proceeds on time alone.
const PATIENCE: Duration = Duration::from_secs(20);

pub struct Web {
    pub base: String,
    pub client: Client,
    name: String,
    _driver: tokio::process::Child,
    _server: tokio::task::JoinHandle<()>,
}

impl Web {
    /// Serves `app` on loopback and opens a headless Chromium on it.
    pub async fn start(app: &TestApp, name: &str) -> Web {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let router = app.router.clone();
        let server = tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await;
        });
        let port = free_port();
        let driver = tokio::process::Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect(
                "chromedriver is missing: install Debian's chromium and chromium-driver \
                 (./scripts/test does it when it may)",
            );
        let mut caps = serde_json::Map::new();
        let mut options = serde_json::json!({
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--lang=en-GB"],
        });
        if std::path::Path::new("/usr/bin/chromium").exists() {
            options["binary"] = serde_json::json!("/usr/bin/chromium");
        }
        caps.insert("goog:chromeOptions".into(), options);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let client = loop {
            match ClientBuilder::new(connector.clone())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => break client,
                Err(e) if tokio::time::Instant::now() > deadline => {
                    panic!("chromedriver did not start Chromium: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        Web {
            base,
            client,
            name: name.to_string(),
            _driver: driver,
            _server: server,
        }
    }

    /// Saves the page as it is (screenshot and HTML) and fails the test at `step`.
    pub async fn fail(&self, step: &str, why: &str) -> ! {
        let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../target/e2e")
            .join(&self.name);
        let _ = std::fs::create_dir_all(&folder);
        let slug: String = step
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let png = folder.join(format!("{slug}.png"));
        let html = folder.join(format!("{slug}.html"));
        if let Ok(shot) = self.client.screenshot().await {
            let _ = std::fs::write(&png, shot);
        }
        if let Ok(source) = self.client.source().await {
            let _ = std::fs::write(&html, source);
        }
        let url = self
            .client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        panic!(
            "step `{step}` failed at {url}: {why}\n  screenshot: {}\n  page: {}",
            png.display(),
            html.display()
        );
    }

    pub async fn goto(&self, path: &str) {
        if let Err(e) = self.client.goto(&format!("{}{path}", self.base)).await {
            self.fail(&format!("open {path}"), &e.to_string()).await;
        }
    }

    pub async fn fill(&self, step: &str, css: &str, value: &str) {
        match self.client.find(Locator::Css(css)).await {
            Ok(field) => {
                let _ = field.clear().await;
                if let Err(e) = field.send_keys(value).await {
                    self.fail(step, &format!("typing into {css}: {e}")).await;
                }
            }
            Err(e) => self.fail(step, &format!("no {css}: {e}")).await,
        }
    }

    pub async fn click(&self, step: &str, css: &str) {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => {
                if let Err(e) = element.click().await {
                    self.fail(step, &format!("clicking {css}: {e}")).await;
                }
            }
            Err(e) => self.fail(step, &format!("no {css}: {e}")).await,
        }
    }

    /// Waits (up to `PATIENCE`, for a machine under load) for the page to contain `text`.
    pub async fn expect(&self, step: &str, text: &str) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let source = self.client.source().await.unwrap_or_default();
            if source.contains(text) {
                return;
            }
            if tokio::time::Instant::now() > deadline {
                self.fail(step, &format!("the page does not say \"{text}\""))
                    .await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Signs in through the college's form, answering the second-factor step when asked.
    pub async fn sign_in(&self, college: &str, email: &str, password: &str, totp: &[u8]) {
        self.goto(&format!("/c/{college}/login")).await;
        self.fill(&format!("sign in {email}"), "#email", email)
            .await;
        self.fill(&format!("sign in {email}"), "#password", password)
            .await;
        self.click(
            &format!("sign in {email}"),
            "form[action='/login'] button[type=submit]",
        )
        .await;
        // Wait for where the sign-in leads: the second-factor page or a dashboard.
        let mut url = String::new();
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while tokio::time::Instant::now() < deadline {
            url = self
                .client
                .current_url()
                .await
                .map(|u| u.path().to_string())
                .unwrap_or_default();
            let source = self.client.source().await.unwrap_or_default();
            if url.starts_with("/login/mfa") || source.contains("Welcome, ") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if url.starts_with("/login/mfa") {
            let code = super::fixtures::next_code(email, totp);
            self.fill(&format!("second factor {email}"), "#code", &code)
                .await;
            self.click(
                &format!("second factor {email}"),
                "form[action='/login/mfa'] button[type=submit]",
            )
            .await;
        }
        self.expect(&format!("dashboard of {email}"), "Welcome, ")
            .await;
    }

    pub async fn sign_out(&self, step: &str) {
        self.click(step, "form.signout button[type=submit]").await;
        self.expect(step, "Sign in").await;
    }

    /// Runs `script` in the page and returns what it gives back.
    pub async fn run(&self, step: &str, script: &str) -> serde_json::Value {
        match self.client.execute(script, Vec::new()).await {
            Ok(value) => value,
            Err(e) => self.fail(step, &format!("the script failed: {e}")).await,
        }
    }

    /// Runs an asynchronous `script` (it calls `done(value)`) and returns the value.
    pub async fn run_async(&self, step: &str, script: &str) -> serde_json::Value {
        let wrapped = format!("const done = arguments[arguments.length - 1]; {script}");
        match self.client.execute_async(&wrapped, Vec::new()).await {
            Ok(value) => value,
            Err(e) => self.fail(step, &format!("the script failed: {e}")).await,
        }
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
