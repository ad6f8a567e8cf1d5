//! Every guarded route, tried as every built-in role and as a user of another college:
//! a role without the route's permission gets 403, a role with it is let through, and
//! another college's objects are not found.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use campus::access::permissions::Role;
use campus::access::routes::Access;

use crate::util::api::token_with_code;
use crate::util::fixtures::{self, PASSWORD};
use crate::util::{Browser, TestApp};

/// Routes left out of the sweep, and why.
const SKIPPED: [&str; 1] = [
    "/logout", // ends the session the sweep is using; tested on its own
];

/// `path` in the college `alpha`: `{id}` is `id`, `{slug}` is `alpha` and a static file
/// is `campus.css`; other parameters stay as they are.
fn concrete_in_alpha(path: &str, id: &str) -> String {
    path.replace("{id}", id)
        .replace("{slug}", "alpha")
        .replace("{*name}", "campus.css")
}

#[tokio::test]
async fn every_route_answers_every_role_as_its_permissions_say() {
    let app = TestApp::new().await;
    let alpha = fixtures::college(&app.pool, "alpha").await;
    let target = fixtures::user(&app.pool, alpha, "target@alpha.edu", &[Role::Student])
        .await
        .to_string();
    let specs: Vec<_> = campus::router::routes()
        .specs()
        .into_iter()
        .filter(|s| s.access != Access::Public && !SKIPPED.contains(&s.path))
        .collect();
    let mut checked = 0;
    for role in Role::COLLEGE {
        let email = format!("{}@alpha.edu", role.as_str());
        fixtures::user(&app.pool, alpha, &email, &[role]).await;
        let mut browser = Browser::new(&app);
        let signed_in = browser.sign_in("alpha", &email, PASSWORD).await;
        assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{role}");
        let csrf = browser.get("/account/sessions").await.csrf();
        let token = token_with_code(&app, "alpha", &email, PASSWORD, fixtures::TOTP_SECRET).await;

        for spec in &specs {
            let allowed = match spec.access.permission() {
                Some(permission) => role
                    .grants()
                    .iter()
                    .any(|(p, s)| *p == permission && spec.access.admits(*s)),
                None => true,
            };
            let path = concrete_in_alpha(spec.path, &target);
            let status = if path.starts_with("/api/") {
                let mut request = Request::builder()
                    .method(spec.method.clone())
                    .uri(&path)
                    .header(header::AUTHORIZATION, format!("Bearer {token}"));
                let body = if spec.method == Method::GET {
                    Body::empty()
                } else {
                    request = request.header(header::CONTENT_TYPE, "application/json");
                    Body::from("{}")
                };
                app.send(request.body(body).expect("request"))
                    .await
                    .status()
            } else if spec.method == Method::GET {
                browser.get(&path).await.status
            } else {
                browser.post(&path, &[("_csrf", &csrf)]).await.status
            };
            if allowed {
                assert!(
                    status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                    "{role} should reach {} {path} but got {status}",
                    spec.method
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{role} reached {} {path}",
                    spec.method
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 300, "only {checked} checks");
}

#[tokio::test]
async fn another_colleges_administrator_finds_nothing_here() {
    let app = TestApp::new().await;
    let alpha = fixtures::college(&app.pool, "alpha").await;
    let beta = fixtures::college(&app.pool, "beta").await;
    let victim = fixtures::user(&app.pool, alpha, "victim@alpha.edu", &[Role::Teacher])
        .await
        .to_string();
    fixtures::user(&app.pool, beta, "admin@beta.edu", &[Role::CollegeAdmin]).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("beta", "admin@beta.edu", PASSWORD).await;
    let csrf = browser.get("/account/sessions").await.csrf();
    let specs: Vec<_> = campus::router::routes()
        .specs()
        .into_iter()
        .filter(|s| s.path.contains("{id}") && !s.path.starts_with("/api/"))
        // Only routes an administrator may use at all; the others answer 403 anyway.
        .filter(|s| match s.access.permission() {
            Some(p) => Role::CollegeAdmin.grants().iter().any(|(g, _)| *g == p),
            None => true,
        })
        .collect();
    assert!(!specs.is_empty());
    for spec in specs {
        let path = concrete_in_alpha(spec.path, &victim);
        let page = if spec.method == Method::GET {
            browser.get(&path).await
        } else {
            browser.post(&path, &[("_csrf", &csrf)]).await
        };
        // 400: an upload route refuses a body that is not an upload form, before it
        // looks anything up.
        assert!(
            page.status == StatusCode::NOT_FOUND
                || page.status == StatusCode::UNPROCESSABLE_ENTITY
                || page.status == StatusCode::BAD_REQUEST,
            "{} {path} as another college's admin: {}",
            spec.method,
            page.status
        );
    }
    // The victim is untouched.
    let mut tx = campus::db::begin_for_college(&app.pool, alpha)
        .await
        .expect("tx");
    let (status, roles): (String, i64) = sqlx::query_as(
        "SELECT u.status, (SELECT count(*) FROM role_assignments r WHERE r.user_id = u.id) FROM users u WHERE u.email = 'victim@alpha.edu'",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("victim");
    assert_eq!((status.as_str(), roles), ("active", 1));
}
