//! Sign-in, sessions, CSRF, route guards and dashboards, through the real router.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::access::routes::Access;
use campus::db::begin_for_college;

use crate::util::fixtures::{self, PASSWORD, audit_actions};
use crate::util::html::Doc;
use crate::util::{Browser, TestApp};

#[tokio::test]
async fn signing_in_lands_on_the_dashboard_and_signing_out_ends_the_session() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "reg@alpha.edu", &[Role::Registrar]).await;

    let mut browser = Browser::new(&app);
    let signed_in = browser.sign_in("alpha", "reg@alpha.edu", PASSWORD).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.html
    );
    assert_eq!(signed_in.location.as_deref(), Some("/dashboard"));
    let session_cookie = browser
        .cookies
        .get("campus_session")
        .expect("session cookie")
        .clone();
    assert!(session_cookie.len() > 40);

    let dashboard = browser.get("/dashboard").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    let doc = Doc::parse(&dashboard.html);
    doc.expect_text("h1", "Welcome, User reg@alpha.edu");
    doc.expect_text(".page-header .lead", "Registrar");

    let csrf = dashboard.csrf();
    let out = browser.post("/logout", &[("_csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(!browser.cookies.contains_key("campus_session"));

    // The old cookie no longer signs anyone in.
    browser
        .cookies
        .insert("campus_session".into(), session_cookie);
    let after = browser.get("/dashboard").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(after.location.as_deref(), Some("/login?next=/dashboard"));

    let actions = audit_actions(&app.pool, college).await;
    assert_eq!(actions, ["auth.login", "auth.logout"]);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_account_get_the_same_answer() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "reg@alpha.edu", &[Role::Registrar]).await;
    let mut browser = Browser::new(&app);

    let wrong = browser
        .sign_in("alpha", "reg@alpha.edu", "not the password at all")
        .await;
    let unknown = browser.sign_in("alpha", "nobody@alpha.edu", PASSWORD).await;
    let no_college = browser.sign_in("alpha", "reg@alpha.edu", "").await;
    for page in [&wrong, &unknown, &no_college] {
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        Doc::parse(&page.html)
            .expect_text(".alert-error", "do not match an account of this college");
        assert!(
            !page.html.contains("nobody@alpha.edu is not"),
            "reveals the account"
        );
    }
    assert!(!browser.cookies.contains_key("campus_session"));
    let actions = audit_actions(&app.pool, college).await;
    assert_eq!(
        actions,
        [
            "auth.login_failed",
            "auth.login_failed",
            "auth.login_failed"
        ]
    );
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    let user = fixtures::user(&app.pool, college, "reg@alpha.edu", &[Role::Registrar]).await;
    let mut browser = Browser::new(&app);
    for _ in 0..5 {
        browser
            .sign_in("alpha", "reg@alpha.edu", "guess guess guess")
            .await;
    }
    let refused = browser.sign_in("alpha", "reg@alpha.edu", PASSWORD).await;
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "the right password got through a lock"
    );

    // When the lock has passed, the right password works and the counter resets.
    let owner = app.db.owner_pool().await;
    let mut tx = begin_for_college(&owner, college).await.expect("tx");
    sqlx::query("UPDATE users SET locked_until = now() - interval '1 second' WHERE id = $1")
        .bind(user)
        .execute(&mut *tx)
        .await
        .expect("unlock");
    tx.commit().await.expect("commit");
    let ok = browser.sign_in("alpha", "reg@alpha.edu", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_post_without_a_valid_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "reg@alpha.edu", &[Role::Registrar]).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("alpha", "reg@alpha.edu", PASSWORD).await;

    for fields in [vec![], vec![("_csrf", "forged-token")]] {
        let refused = browser.post("/logout", &fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(
            Doc::parse(&refused.html).text("h1"),
            "This form has expired"
        );
    }
    // A sign-in form posted without the pre-sign-in token is refused too.
    let mut stranger = Browser::new(&app);
    let refused = stranger
        .post(
            "/login",
            &[
                ("college", "alpha"),
                ("email", "reg@alpha.edu"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Still signed in: the refused sign-out did nothing, and the attempts are on record.
    assert_eq!(browser.get("/dashboard").await.status, StatusCode::OK);
    assert_eq!(
        audit_actions(&app.pool, college).await,
        [
            "auth.login",
            "security.csrf_rejected",
            "security.csrf_rejected"
        ]
    );
}

#[tokio::test]
async fn tampered_or_foreign_cookies_sign_nobody_in() {
    let app = TestApp::new().await;
    let alpha = fixtures::college(&app.pool, "alpha").await;
    let beta = fixtures::college(&app.pool, "beta").await;
    fixtures::user(&app.pool, alpha, "reg@alpha.edu", &[Role::Registrar]).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("alpha", "reg@alpha.edu", PASSWORD).await;
    let cookie = browser.cookies["campus_session"].clone();
    let (_, token) = cookie.split_once('.').expect("college.token");

    for forged in [
        format!("{}.{token}", beta.0),
        format!(
            "{}.{}{}",
            alpha.0,
            if token.starts_with('x') { 'y' } else { 'x' },
            &token[1..]
        ),
        "garbage".to_string(),
    ] {
        browser
            .cookies
            .insert("campus_session".into(), forged.clone());
        let page = browser.get("/dashboard").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{forged} signed in");
    }
}

#[tokio::test]
async fn sessions_can_be_listed_and_revoked_but_only_ones_own() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "one@alpha.edu", &[Role::Teacher]).await;
    fixtures::user(&app.pool, college, "two@alpha.edu", &[Role::Teacher]).await;
    let mut laptop = Browser::new(&app);
    let mut phone = Browser::new(&app);
    let mut other = Browser::new(&app);
    laptop.sign_in("alpha", "one@alpha.edu", PASSWORD).await;
    phone.sign_in("alpha", "one@alpha.edu", PASSWORD).await;
    other.sign_in("alpha", "two@alpha.edu", PASSWORD).await;

    let page = laptop.get("/account/sessions").await;
    assert_eq!(page.status, StatusCode::OK);
    let doc = Doc::parse(&page.html);
    assert_eq!(
        doc.count("table tbody tr form[action$='/revoke']"),
        2,
        "two sessions listed"
    );
    assert_eq!(doc.text("table tbody td .badge"), "this browser");

    // The other user's session ids are not ours to revoke.
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    let ids: Vec<(uuid::Uuid, String)> = sqlx::query_as(
        "SELECT s.id, u.email::text FROM sessions s JOIN users u ON u.id = s.user_id ORDER BY s.created_at",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("sessions");
    tx.commit().await.expect("commit");
    let phone_session = ids[1].0;
    let other_session = ids[2].0;
    let csrf = page.csrf();
    let refused = laptop
        .post(
            &format!("/account/sessions/{other_session}/revoke"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get("/dashboard").await.status, StatusCode::OK);

    let done = laptop
        .post(
            &format!("/account/sessions/{phone_session}/revoke"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        phone.get("/dashboard").await.status,
        StatusCode::SEE_OTHER,
        "revoked session still works"
    );
    assert_eq!(laptop.get("/dashboard").await.status, StatusCode::OK);
}

#[tokio::test]
async fn changing_the_password_signs_out_everywhere_else() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "one@alpha.edu", &[Role::Teacher]).await;
    let mut laptop = Browser::new(&app);
    let mut phone = Browser::new(&app);
    laptop.sign_in("alpha", "one@alpha.edu", PASSWORD).await;
    phone.sign_in("alpha", "one@alpha.edu", PASSWORD).await;
    let before = laptop.cookies["campus_session"].clone();

    let form = laptop.get("/account/password").await;
    let csrf = form.csrf();
    let weak = laptop
        .post(
            "/account/password",
            &[
                ("_csrf", &csrf),
                ("current", PASSWORD),
                ("new", "password123"),
                ("confirm", "password123"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(Doc::parse(&weak.html).has("p.field-error"));
    let wrong_current = laptop
        .post(
            "/account/password",
            &[
                ("_csrf", &csrf),
                ("current", "nope"),
                ("new", "copper meadow quiet harbour"),
                ("confirm", "copper meadow quiet harbour"),
            ],
        )
        .await;
    Doc::parse(&wrong_current.html).expect_text("#current-error", "is not your current password");
    assert_eq!(
        phone.get("/dashboard").await.status,
        StatusCode::OK,
        "a refused change revoked sessions"
    );

    let changed = laptop
        .post(
            "/account/password",
            &[
                ("_csrf", &csrf),
                ("current", PASSWORD),
                ("new", "copper meadow quiet harbour"),
                ("confirm", "copper meadow quiet harbour"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.html);
    assert_ne!(
        laptop.cookies["campus_session"], before,
        "the session id was not renewed"
    );
    assert_eq!(laptop.get("/dashboard").await.status, StatusCode::OK);
    assert_eq!(phone.get("/dashboard").await.status, StatusCode::SEE_OTHER);

    let mut fresh = Browser::new(&app);
    assert_eq!(
        fresh
            .sign_in("alpha", "one@alpha.edu", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        fresh
            .sign_in("alpha", "one@alpha.edu", "copper meadow quiet harbour")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn idle_sessions_expire() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "one@alpha.edu", &[Role::Teacher]).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("alpha", "one@alpha.edu", PASSWORD).await;
    let owner = app.db.owner_pool().await;
    let mut tx = begin_for_college(&owner, college).await.expect("tx");
    sqlx::query("UPDATE sessions SET last_seen_at = now() - interval '2 hours'")
        .execute(&mut *tx)
        .await
        .expect("age");
    tx.commit().await.expect("commit");
    assert_eq!(
        browser.get("/dashboard").await.status,
        StatusCode::SEE_OTHER
    );
}

/// Walks every declared route: anonymous visitors reach only public ones. Pages send
/// them to sign in; the API answers 401.
#[tokio::test]
async fn every_guarded_route_turns_anonymous_visitors_away() {
    let app = TestApp::new().await;
    let specs = campus::router::routes().specs();
    assert!(specs.len() >= 20, "only {} routes declared", specs.len());
    for spec in specs {
        let path = spec
            .path
            .replace("{slug}", "nowhere")
            .replace("{id}", "00000000-0000-0000-0000-000000000000")
            .replace("{*name}", "campus.css")
            .replace("{name}", "nothing.ics");
        let request = axum::http::Request::builder()
            .method(spec.method.clone())
            .uri(&path)
            .body(axum::body::Body::empty())
            .expect("request");
        let response = app.send(request).await;
        let status = response.status();
        match spec.access {
            Access::Public => assert!(
                status != StatusCode::UNAUTHORIZED
                    && response
                        .headers()
                        .get("location")
                        .is_none_or(|l| !l.to_str().unwrap_or("").starts_with("/login?next=")),
                "{} {path} is public but turned an anonymous visitor away ({status})",
                spec.method
            ),
            _ if path.starts_with("/api/") => {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{} {path}", spec.method)
            }
            _ if spec.method == axum::http::Method::GET => {
                assert_eq!(status, StatusCode::SEE_OTHER, "{} {path}", spec.method);
                let location = response.headers()["location"].to_str().expect("location");
                assert!(location.starts_with("/login?next="), "{path} -> {location}");
            }
            // State-changing page routes: CSRF refuses before anything else.
            _ => assert!(
                status == StatusCode::FORBIDDEN || status == StatusCode::SEE_OTHER,
                "{} {path}: {status}",
                spec.method
            ),
        }
    }
}

#[tokio::test]
async fn a_refused_permission_is_a_403_and_is_audited() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "t@alpha.edu", &[Role::Teacher]).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("alpha", "t@alpha.edu", PASSWORD).await;
    for path in ["/admin/audit", "/admin/audit.csv"] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    let actions = audit_actions(&app.pool, college).await;
    assert_eq!(actions, ["auth.login", "authz.denied", "authz.denied"]);
}

/// Every demo account signs in and lands on a dashboard with its own panels.
#[tokio::test]
async fn every_built_in_role_has_a_dashboard_of_real_data() {
    let app = TestApp::new().await;
    let report = campus::demo::create(&app.pool, 40, &app.state.config.field_keys)
        .await
        .expect("demo");
    for (role, email, name) in report.accounts {
        let mut browser = Browser::new(&app);
        let signed_in = browser
            .sign_in_password_only("riverside", &email, campus::demo::PASSWORD)
            .await;
        assert_eq!(
            signed_in.status,
            StatusCode::SEE_OTHER,
            "{role}: {}",
            signed_in.html
        );
        if role.needs_second_factor() {
            // Admins and principals prove a second factor before any page opens.
            let location = signed_in.location.clone().expect("location");
            assert!(
                location.starts_with("/login/mfa"),
                "{role} skipped the second factor"
            );
            let form = browser.get(&location).await;
            let code = crate::util::fixtures::next_code(&email, campus::demo::TOTP_SECRET);
            let done = browser
                .post(
                    "/login/mfa",
                    &[
                        ("_csrf", &form.csrf()),
                        ("code", &code),
                        ("next", "/dashboard"),
                    ],
                )
                .await;
            assert_eq!(done.status, StatusCode::SEE_OTHER, "{role}: {}", done.html);
        }
        let page = browser.get("/dashboard").await;
        assert_eq!(page.status, StatusCode::OK, "{role}");
        let doc = Doc::parse(&page.html);
        assert!(
            doc.text("h1").contains(&format!("Welcome, {name}")),
            "{role}"
        );
        assert!(
            doc.text(".page-header .lead").contains(role.label()),
            "{role}"
        );
        // The panel's heading (the teacher's panel is headed by the department's name).
        let (panel, expect) = match role {
            Role::CollegeAdmin | Role::Principal => ("main h2", "Recent activity"),
            Role::Registrar | Role::Counselor => ("main h2", "Students by status"),
            // Their module is not in Campus yet, and the dashboard says so plainly.
            Role::Accountant | Role::Warden | Role::Librarian => {
                ("main .todo p", "not part of Campus yet")
            }
            Role::AcademicCoordinator => ("main h2", "Staff by department"),
            Role::Teacher => ("main .stat-label", "students enrolled in the department"),
            Role::Student | Role::StudentOrganizer => ("main h2", "Your record"),
            Role::Parent => ("main h2", "Your children"),
            Role::Applicant => ("main h2", "Your applications"),
            Role::PlatformAdmin => ("main h2", "Colleges on this platform"),
        };
        assert!(
            doc.texts(panel).iter().any(|t| t.contains(expect)),
            "{role}: no \"{expect}\" in `{panel}`"
        );
        let audit = browser.get("/admin/audit").await.status;
        let may_audit = matches!(role, Role::CollegeAdmin | Role::Principal);
        assert_eq!(audit == StatusCode::OK, may_audit, "{role} audit: {audit}");
    }
}
