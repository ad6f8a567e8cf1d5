//! Single sign-on, end to end against a small OpenID Connect provider the test runs on
//! loopback: discovery, authorization with PKCE, token exchange, an RS256-signed ID
//! token checked against the provider's JWKS.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use campus::access::permissions::Role;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::util::fixtures::{self, PASSWORD};
use crate::util::{Browser, TestApp};

/// A throw-away 2048-bit RSA key made for these tests (PKCS#1 DER), and its public half.
const PRIVATE_KEY_DER: &str = "MIIEowIBAAKCAQEAsUTsXy1tUAfH8ArkqulIc5MUn6L7MObGcEyfAZBTjPZjqlwRu9VTzLLCy4fYlkkTh3jrfHfaZcuBVaOpN1jN7cS8HZJsYfotxo+ms5iC10A3RftBd8LpOg0pG756r/Zn7sDf17BtmZu+07CDEk/DX/FqVnM9EvUpWYGz+pJLzpWIx8X9YLQJFgv1R+N2SCNka94WzBzGed/9WJJJuIyyhmfYU81JxEohRlbIS2NhQ2D9DXktzk1BfPhmUANKeB1qwCQhI4tOB73YzySZLEkEHZ7sLZUaLICgNZ1jCWBnXocLrnpS4oIHqEhAQpr9LxZtGmSZ+xPdv5aiYmG6Aq4XnQIDAQABAoIBABQ4Y+vxXxQvZweC/pVeOcTxJHuXGCb6U+1QWBzSDS25lyHCEcXGriHdzClyK+rsl/0udlICy9crsOuHWRB2oTq7Y6fN4W4Fnv4UubOntFkAOq3RXKTgB0F3adZ/0jfLGAzcVEwilEXexZQZAMJwdb02aOZGi9NjQp2ylUiCMoJ0S+yFMRNmM76/H0QW7gFd89yKIg5dSn0DPYM7McnqAfws0EDZzouljKDbH38gpCcNlz6KbX+IbJswdxP06IWu+sxKPD5myx7fKbeUiygNv9H5a4lR3Y6Ii7tdmll0V/V3SPg6I9kaBLZIiXRyfbx/XTy0TMFEXw5JIgReo1EcRQMCgYEA+Tj0a/UmaVzaiAyaRtvIRlcA1HJYWNcQymR6Mw6d2gga1qb4jmJFBxLwKOzP8qBJUb16IxRF7HdqZU+e3Ul+JAFegjEWIGwSH1Lcg1Jf6xOxmNSyYevqz26hmG5ss0Q2SCMUzvhzp3j9zjiHP44FqdDTrRxL+Nesd5/4hkqF4bsCgYEAthcKxXg/qOcjNulUle0Vx7/m8oIP4B/ZD4/isxeX1QLe8eZK2OMAUNM7UxRlZaQcifhkIeUYOjQtVnIsJS2uLHPpKo9ilQ6jrIPtLGGX31y5RcLCDdWiSfCY3eaGRqUADNQuU5poCTnQC4KAkNHYJcHRHopldl/ImKtXbCE8SocCgYEA0VTUgIVWcTNr3tBvGUtr6iET8l3k9SIX2VgSCCaj0cny+Q8gQUAraKiwjj9y3wFg9EZpe2OA5ADdniEFeCtNx2JbBpHCWxNLGYJY8/jR1jshdhRZjMRC416yXr2Jkf2ednL4/GtVgXqv/HIgr/JTsXJVCdd1vJszIvt8HRglYhcCgYA0Zf8QgiD3jsPgalaP6jCpUXy47lp5KVECHGqlFLX5cyEKxTVmojQWDiL1LlpbXFVmEpdl9ZH6NceSJ7qyXCnR2u0O9UHuGM9atoAKlG7qtLkP7RKAfqh71IN433xmWdbg2jIWlsk3Vm6a0UwD4I7tlo+B1VuLK9cCr9OxZwL9gwKBgDV5mBlbW+f84M4d2fJXV87zU7UEmES0la84k1tyi8hVOX042WZigdSuEQiVyz2d32sdZ5Pe+H9Ga9E5AxdGRx16mSg+rLYAEbT3UitIm2iO1LYRUEYtRF5VGP77sRDz2gGks8bww2bSvrtDY2VkqLH87tHIRREYRMVNsrod3SCw";
const MODULUS: &str = "sUTsXy1tUAfH8ArkqulIc5MUn6L7MObGcEyfAZBTjPZjqlwRu9VTzLLCy4fYlkkTh3jrfHfaZcuBVaOpN1jN7cS8HZJsYfotxo-ms5iC10A3RftBd8LpOg0pG756r_Zn7sDf17BtmZu-07CDEk_DX_FqVnM9EvUpWYGz-pJLzpWIx8X9YLQJFgv1R-N2SCNka94WzBzGed_9WJJJuIyyhmfYU81JxEohRlbIS2NhQ2D9DXktzk1BfPhmUANKeB1qwCQhI4tOB73YzySZLEkEHZ7sLZUaLICgNZ1jCWBnXocLrnpS4oIHqEhAQpr9LxZtGmSZ-xPdv5aiYmG6Aq4XnQ";
const CLIENT_ID: &str = "campus-test";
const CLIENT_SECRET: &str = "provider-shared-secret";

/// What an issued code stands for: (nonce, PKCE challenge, email).
type Grants = Arc<Mutex<HashMap<String, (String, String, String)>>>;

#[derive(Clone)]
struct Provider {
    base: String,
    /// The account the provider signs in as, and whether it vouches for the email.
    email: Arc<Mutex<(String, bool)>>,
    codes: Grants,
}

async fn discovery(State(p): State<Provider>) -> Json<serde_json::Value> {
    Json(json!({
        "issuer": p.base,
        "authorization_endpoint": format!("{}/authorize", p.base),
        "token_endpoint": format!("{}/token", p.base),
        "jwks_uri": format!("{}/jwks", p.base),
    }))
}

async fn jwks() -> Json<serde_json::Value> {
    Json(
        json!({"keys": [{"kty": "RSA", "kid": "test-key", "use": "sig", "alg": "RS256", "n": MODULUS, "e": "AQAB"}]}),
    )
}

async fn authorize(
    State(p): State<Provider>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    assert_eq!(q.get("client_id").map(String::as_str), Some(CLIENT_ID));
    assert_eq!(
        q.get("code_challenge_method").map(String::as_str),
        Some("S256")
    );
    let code = format!("code-{}", uuid::Uuid::new_v4().simple());
    let (email, _) = p.email.lock().expect("lock").clone();
    p.codes.lock().expect("lock").insert(
        code.clone(),
        (q["nonce"].clone(), q["code_challenge"].clone(), email),
    );
    Redirect::to(&format!(
        "{}?code={code}&state={}",
        q["redirect_uri"], q["state"]
    ))
    .into_response()
}

async fn token(
    State(p): State<Provider>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let expected = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(expected.as_str())
    {
        return (StatusCode::UNAUTHORIZED, "bad client").into_response();
    }
    let Some((nonce, challenge, email)) = p.codes.lock().expect("lock").remove(&f["code"]) else {
        return (StatusCode::BAD_REQUEST, "unknown code").into_response();
    };
    if URL_SAFE_NO_PAD.encode(Sha256::digest(f["code_verifier"].as_bytes())) != challenge {
        return (StatusCode::BAD_REQUEST, "PKCE mismatch").into_response();
    }
    let verified = p.email.lock().expect("lock").1;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = json!({
        "iss": p.base, "aud": CLIENT_ID, "sub": format!("sub-{email}"), "email": email,
        "email_verified": verified, "nonce": nonce, "iat": now, "exp": now + 300,
    });
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("test-key".into());
    let key = EncodingKey::from_rsa_der(&STANDARD.decode(PRIVATE_KEY_DER).expect("der"));
    let id_token = jsonwebtoken::encode(&header, &claims, &key).expect("sign");
    Json(json!({"access_token": "opaque", "token_type": "Bearer", "id_token": id_token}))
        .into_response()
}

#[expect(
    clippy::disallowed_methods,
    reason = "the test's own OIDC provider, not a Campus route"
)]
async fn start_provider() -> Provider {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let provider = Provider {
        base,
        email: Arc::new(Mutex::new((String::new(), true))),
        codes: Arc::new(Mutex::new(HashMap::new())),
    };
    let router = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .with_state(provider.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    provider
}

/// Follows the sign-in from Campus to the provider and back; returns Campus's answer.
async fn sso_round_trip(browser: &mut Browser<'_>) -> crate::util::browser::Page {
    let start = browser.get("/c/alpha/sso").await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.html);
    let to_provider = start.location.expect("to the provider");
    let back = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(&to_provider)
        .send()
        .await
        .expect("provider");
    let location = back.headers()[header::LOCATION]
        .to_str()
        .expect("location")
        .to_string();
    let path = &location[location.find("/sso/callback").expect("callback")..];
    browser.get(path).await
}

#[tokio::test]
async fn people_sign_in_with_the_colleges_provider() {
    let provider = start_provider().await;
    // The test provider is on loopback: only an explicit allow-list lets Campus reach it.
    let app = TestApp::with_settings(&[("CAMPUS_SSO_ALLOWED_HOSTS", "127.0.0.1")]).await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    fixtures::user(&app.pool, college, "t@alpha.edu", &[Role::Teacher]).await;

    let mut admin = Browser::new(&app);
    admin.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;
    let form = admin.get("/admin/sso").await;
    assert_eq!(form.status, StatusCode::OK);
    let bad = admin
        .post(
            "/admin/sso",
            &[
                ("_csrf", &form.csrf()),
                ("issuer", "ftp://x"),
                ("client_id", ""),
                ("allowed_domain", "nodot"),
                ("label", "X"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let saved = admin
        .post(
            "/admin/sso",
            &[
                ("_csrf", &form.csrf()),
                ("issuer", &provider.base),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("allowed_domain", "alpha.edu"),
                ("label", "Alpha accounts"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);

    // The sign-in page offers it; a verified email of a known account signs in.
    let mut browser = Browser::new(&app);
    assert!(
        browser
            .get("/c/alpha/login")
            .await
            .html
            .contains("Sign in with Alpha accounts")
    );
    *provider.email.lock().expect("lock") = ("T@alpha.edu".into(), true);
    let done = sso_round_trip(&mut browser).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(done.location.as_deref(), Some("/dashboard"));
    assert!(
        browser
            .get("/dashboard")
            .await
            .html
            .contains("Welcome, User t@alpha.edu")
    );

    // Refused: an unverified email, another domain, an unknown account.
    for (email, verified) in [
        ("t@alpha.edu", false),
        ("t@elsewhere.edu", true),
        ("ghost@alpha.edu", true),
    ] {
        *provider.email.lock().expect("lock") = (email.into(), verified);
        let mut stranger = Browser::new(&app);
        let page = sso_round_trip(&mut stranger).await;
        assert_eq!(
            page.status,
            StatusCode::FORBIDDEN,
            "{email} ({verified}) signed in"
        );
        assert!(!stranger.cookies.contains_key("campus_session"));
    }

    // A callback whose state was not issued to this browser is refused.
    let mut forger = Browser::new(&app);
    let page = forger.get("/sso/callback?code=anything&state=forged").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    let actions = fixtures::audit_actions(&app.pool, college).await;
    assert!(actions.contains(&"college.sso_configured".to_string()));
    assert!(actions.contains(&"auth.login".to_string()));
}

/// A provider on an internal address (here, loopback) is not reached unless the
/// allow-list setting names it: the start page answers that the provider is unavailable.
#[tokio::test]
async fn an_internal_provider_is_refused_without_the_allow_list() {
    let provider = start_provider().await;
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let mut admin = Browser::new(&app);
    admin.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;
    let form = admin.get("/admin/sso").await;
    let saved = admin
        .post(
            "/admin/sso",
            &[
                ("_csrf", &form.csrf()),
                ("issuer", &provider.base),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("allowed_domain", "alpha.edu"),
                ("label", "Alpha accounts"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let mut browser = Browser::new(&app);
    let start = browser.get("/c/alpha/sso").await;
    assert_eq!(
        start.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        start.html
    );
    assert!(start.location.is_none());
}
