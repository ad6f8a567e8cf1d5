//! The second factor: enrolment, sign-in with codes and recovery codes, roles and
//! colleges that require it, an administrator's reset; and encrypted fields.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::db::begin_for_college;
use campus::identity::mfa::{codes, queries as mfa};
use serde_json::Value;
use uuid::Uuid;

use crate::util::fixtures::{self, PASSWORD, audit_actions};
use crate::util::html::Doc;
use crate::util::{Browser, TestApp};

async fn pending_secret(app: &TestApp, college: campus::db::CollegeId, user: Uuid) -> Vec<u8> {
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    let secret = mfa::pending_secret(&mut tx, &app.state.config.field_keys, user)
        .await
        .expect("secret");
    tx.commit().await.expect("commit");
    secret
}

async fn api_login(app: &TestApp, email: &str, code: Option<&str>) -> (StatusCode, Value) {
    crate::util::api::login(app, "alpha", email, PASSWORD, code).await
}

#[tokio::test]
async fn a_user_enrols_and_then_signs_in_with_codes() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    let user = fixtures::user(&app.pool, college, "t@alpha.edu", &[Role::Teacher]).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("alpha", "t@alpha.edu", PASSWORD).await;

    let page = browser.get("/account/mfa").await;
    assert_eq!(page.status, StatusCode::OK);
    let doc = Doc::parse(&page.html);
    assert!(
        doc.has("section[aria-labelledby=enrol] .qr svg"),
        "no QR code drawn"
    );
    let secret = pending_secret(&app, college, user).await;
    assert!(
        doc.text("section[aria-labelledby=enrol] code.mono")
            .contains(&codes::base32(&secret)),
        "the manual key is not shown"
    );
    let csrf = page.csrf();
    let wrong = browser
        .post(
            "/account/mfa/confirm",
            &[("_csrf", &csrf), ("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let code = fixtures::next_code("t@alpha.edu/enrol", &secret);
    let enrolled = browser
        .post("/account/mfa/confirm", &[("_csrf", &csrf), ("code", &code)])
        .await;
    assert_eq!(enrolled.status, StatusCode::OK, "{}", enrolled.html);
    let doc = Doc::parse(&enrolled.html);
    let shown = "section[aria-labelledby=codes] ul.mono";
    assert!(doc.has(shown), "recovery codes shown");
    let codes: Vec<String> = doc
        .texts(&format!("{shown} > li"))
        .into_iter()
        .take(codes::RECOVERY_CODES)
        .collect();
    assert_eq!(codes.len(), 10);

    // Signing in now takes the password and a code.
    let mut other = Browser::new(&app);
    let first = other
        .sign_in_password_only("alpha", "t@alpha.edu", PASSWORD)
        .await;
    assert!(
        first
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with("/login/mfa"))
    );
    assert!(
        !other.cookies.contains_key("campus_session"),
        "a session before the second factor"
    );
    assert_eq!(other.get("/dashboard").await.status, StatusCode::SEE_OTHER);
    let form = other.get("/login/mfa").await;
    let bad = other
        .post("/login/mfa", &[("_csrf", &form.csrf()), ("code", "123456")])
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    let ok = other
        .post(
            "/login/mfa",
            &[("_csrf", &form.csrf()), ("code", &codes[0])],
        )
        .await;
    assert_eq!(
        ok.status,
        StatusCode::SEE_OTHER,
        "a recovery code was refused: {}",
        ok.html
    );
    assert_eq!(other.get("/dashboard").await.status, StatusCode::OK);

    // A recovery code works once; the API asks for a code too.
    let (status, problem) = api_login(&app, "t@alpha.edu", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(problem["type"], "/api/docs#problem-mfa-required");
    let (status, _) = api_login(&app, "t@alpha.edu", Some(&codes[0])).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a recovery code worked twice"
    );
    let fresh = fixtures::next_code("t@alpha.edu/enrol", &secret);
    let (status, tokens) = api_login(&app, "t@alpha.edu", Some(&fresh)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let (status, _) = api_login(&app, "t@alpha.edu", Some(&fresh)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a TOTP code was replayed");

    let actions = audit_actions(&app.pool, college).await;
    assert!(actions.contains(&"auth.mfa_enrolled".to_string()));
}

#[tokio::test]
async fn required_roles_must_enrol_before_anything_else() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    let admin = fixtures::user(&app.pool, college, "admin@alpha.edu", &[]).await;
    // The role is given after the fixture, so no second factor is set up for it.
    let owner = app.db.owner_pool().await;
    let mut tx = begin_for_college(&owner, college).await.expect("tx");
    sqlx::query("INSERT INTO role_assignments (college_id, user_id, role) VALUES (app_current_college(), $1, 'principal')")
        .bind(admin)
        .execute(&mut *tx)
        .await
        .expect("role");
    tx.commit().await.expect("commit");

    let mut browser = Browser::new(&app);
    let signed_in = browser.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    for path in ["/dashboard", "/admin/audit", "/account/sessions"] {
        let page = browser.get(path).await;
        assert_eq!(
            page.location.as_deref(),
            Some("/account/mfa"),
            "{path} opened before enrolment"
        );
    }
    assert_eq!(browser.get("/account/mfa").await.status, StatusCode::OK);
    let (status, problem) = api_login(&app, "admin@alpha.edu", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(problem["type"], "/api/docs#problem-mfa-enrollment-required");

    let secret = pending_secret(&app, college, admin).await;
    let page = browser.get("/account/mfa").await;
    let done = browser
        .post(
            "/account/mfa/confirm",
            &[
                ("_csrf", &page.csrf()),
                ("code", &fixtures::next_code("p@enrol", &secret)),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(browser.get("/dashboard").await.status, StatusCode::OK);
    // A required second factor cannot be switched off by its owner.
    let refused = browser
        .post(
            "/account/mfa/disable",
            &[("_csrf", &page.csrf()), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_college_can_require_it_of_all_staff_and_an_admin_can_reset_it() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let teacher = fixtures::user(&app.pool, college, "t@alpha.edu", &[Role::Teacher]).await;
    fixtures::user(&app.pool, college, "s@alpha.edu", &[Role::Student]).await;
    let mut admin = Browser::new(&app);
    admin.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;
    let settings = admin.get("/admin/settings").await;
    assert_eq!(settings.status, StatusCode::OK);
    let saved = admin
        .post(
            "/admin/settings",
            &[
                ("_csrf", &settings.csrf()),
                ("mfa_required_for_staff", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);

    let mut t = Browser::new(&app);
    t.sign_in("alpha", "t@alpha.edu", PASSWORD).await;
    assert_eq!(
        t.get("/dashboard").await.location.as_deref(),
        Some("/account/mfa")
    );
    let mut s = Browser::new(&app);
    s.sign_in("alpha", "s@alpha.edu", PASSWORD).await;
    assert_eq!(
        s.get("/dashboard").await.status,
        StatusCode::OK,
        "students are not staff"
    );

    // The teacher enrols, loses the phone; the admin removes the factor.
    let secret = pending_secret(&app, college, teacher).await;
    let page = t.get("/account/mfa").await;
    t.post(
        "/account/mfa/confirm",
        &[
            ("_csrf", &page.csrf()),
            ("code", &fixtures::next_code("t@enrol2", &secret)),
        ],
    )
    .await;
    assert_eq!(t.get("/dashboard").await.status, StatusCode::OK);
    let user_page = admin.get(&format!("/admin/users/{teacher}")).await;
    assert_eq!(
        Doc::parse(&user_page.html).text(&format!(
            "form[action='/admin/users/{teacher}/reset-mfa'] button"
        )),
        "Remove the second factor"
    );
    let reset = admin
        .post(
            &format!("/admin/users/{teacher}/reset-mfa"),
            &[("_csrf", &user_page.csrf())],
        )
        .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.get("/dashboard").await.status,
        StatusCode::SEE_OTHER,
        "a reset kept the sessions"
    );
    let actions = audit_actions(&app.pool, college).await;
    assert!(
        actions.contains(&"user.mfa_reset".to_string())
            && actions.contains(&"college.settings_changed".to_string())
    );
}

#[tokio::test]
async fn national_ids_are_encrypted_masked_and_survive_a_key_rotation() {
    let first_key = campus::crypto::FieldKeys::generate_entry("k1");
    let app = TestApp::with_settings(&[("CAMPUS_FIELD_KEYS", &first_key)]).await;
    let college = fixtures::college(&app.pool, "alpha").await;
    let keys = app.state.config.field_keys.clone();
    fixtures::user_with_keys(
        &app.pool,
        &keys,
        college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    let clerk = fixtures::user(&app.pool, college, "c@alpha.edu", &[Role::Accountant]).await;
    let mut admin = Browser::new(&app);
    admin.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;
    let page = admin.get(&format!("/admin/users/{clerk}")).await;
    let saved = admin
        .post(
            &format!("/admin/users/{clerk}"),
            &[
                ("_csrf", &page.csrf()),
                ("display_name", "Cal Clerk"),
                ("email", "c@alpha.edu"),
                ("status", "active"),
                ("national_id", "AB-9876-5432"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let shown = admin.get(&format!("/admin/users/{clerk}")).await;
    Doc::parse(&shown.html).expect_text("dl.facts dd", "•••• 5432");
    assert!(
        !shown.html.contains("AB-9876"),
        "the national id shown in full"
    );

    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    let stored: String = sqlx::query_scalar("SELECT national_id_enc FROM users WHERE id = $1")
        .bind(clerk)
        .fetch_one(&mut *tx)
        .await
        .expect("stored");
    assert!(stored.starts_with("v1:k1:") && !stored.contains("9876"));
    // A value copied onto another row does not decrypt there.
    let keys = &app.state.config.field_keys;
    assert!(
        keys.decrypt(&format!("users.national_id:{}", Uuid::new_v4()), &stored)
            .is_err()
    );

    // Rotate: add k2, re-encrypt, and the value still reads back.
    let second_key = campus::crypto::FieldKeys::generate_entry("k2");
    let rotated =
        campus::crypto::FieldKeys::parse(&[first_key.clone(), second_key.clone()]).expect("keys");
    let changed = campus::users::service::reencrypt(&mut tx, &rotated)
        .await
        .expect("rotate");
    assert!(
        changed >= 2,
        "the national id and the admin's TOTP secret: {changed}"
    );
    let stored: String = sqlx::query_scalar("SELECT national_id_enc FROM users WHERE id = $1")
        .bind(clerk)
        .fetch_one(&mut *tx)
        .await
        .expect("stored");
    assert!(stored.starts_with("v1:k2:"));
    let only_new = campus::crypto::FieldKeys::parse(&[second_key]).expect("keys");
    assert_eq!(
        only_new
            .decrypt(&format!("users.national_id:{clerk}"), &stored)
            .as_deref(),
        Ok("AB-9876-5432")
    );
    assert_eq!(
        campus::users::service::reencrypt(&mut tx, &rotated)
            .await
            .expect("again"),
        0
    );
}

#[tokio::test]
async fn second_factor_codes_cannot_be_guessed_past_the_lock() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    // The right password each time, then a wrong code: the count must keep growing.
    for _ in 0..5 {
        let (status, _) = api_login(&app, "admin@alpha.edu", Some("000000")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let right = fixtures::next_code("admin@alpha.edu", fixtures::TOTP_SECRET);
    let (status, _) = api_login(&app, "admin@alpha.edu", Some(&right)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "codes could be guessed without end"
    );
    // The browser's code step honours the lock too.
    let mut browser = Browser::new(&app);
    let page = browser
        .sign_in_password_only("alpha", "admin@alpha.edu", PASSWORD)
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNAUTHORIZED,
        "a locked account reached the code step"
    );
}
