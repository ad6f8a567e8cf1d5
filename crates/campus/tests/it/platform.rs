//! The platform's operators: they sign in to the platform tenant, see colleges' figures
//! (never their rows), and create colleges; nobody else reaches the platform.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::db::begin_for_college;
use campus::people::model::Email;

use crate::util::fixtures::{self, PASSWORD, delivered_mail, mail_dir};
use crate::util::html::Doc;
use crate::util::{Browser, TestApp};

async fn platform_admin(app: &TestApp) {
    let hash = campus::identity::signin::password::hash(PASSWORD).expect("hash");
    let email = Email::parse("email", "ops@campus.example").expect("email");
    let (tenant, user) = campus::platform::create_admin(&app.pool, &email, "Olga Ops", &hash)
        .await
        .expect("create")
        .expect("new");
    let mut tx = begin_for_college(&app.pool, tenant).await.expect("tx");
    campus::identity::mfa::queries::enable_with_secret(
        &mut tx,
        &app.state.config.field_keys,
        user,
        fixtures::TOTP_SECRET,
    )
    .await
    .expect("mfa");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn operators_create_colleges_and_see_only_figures() {
    let mail = mail_dir();
    let app = TestApp::with_settings(&[("CAMPUS_MAIL_DIR", mail.to_str().expect("path"))]).await;
    let alpha = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, alpha, "t@alpha.edu", &[Role::Teacher]).await;
    platform_admin(&app).await;

    let mut ops = Browser::new(&app);
    let signed_in = ops
        .sign_in("platform", "ops@campus.example", PASSWORD)
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.html
    );
    let dashboard = ops.get("/dashboard").await;
    assert_eq!(
        Doc::parse(&dashboard.html).text("h2#platform"),
        "Colleges on this platform"
    );
    let page = ops.get("/platform").await;
    assert_eq!(page.status, StatusCode::OK);
    Doc::parse(&page.html).expect_text(
        "section[aria-labelledby=colleges] table tbody td a",
        "College alpha",
    );

    // Figures, not rows: the operator's user list is the platform's own.
    let users = ops.get("/admin/users").await;
    Doc::parse(&users.html).expect_text("table tbody td[data-label=Email]", "ops@campus.example");
    assert!(
        !users.html.contains("t@alpha.edu"),
        "an operator saw a college's users"
    );

    let csrf = page.csrf();
    let bad = ops
        .post(
            "/platform/colleges",
            &[
                ("_csrf", &csrf),
                ("slug", "alpha"),
                ("name", "Again"),
                ("admin_email", "a@b.edu"),
                ("admin_name", "A"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    Doc::parse(&bad.html).expect_text(
        "input[name=slug] + p.field-error",
        "another college has this name",
    );
    let created = ops
        .post(
            "/platform/colleges",
            &[
                ("_csrf", &csrf),
                ("slug", "beta"),
                ("name", "Beta College"),
                ("admin_email", "head@beta.edu"),
                ("admin_name", "Bea Head"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let directory = campus::institution::queries::directory(&app.pool)
        .await
        .expect("directory");
    let mut slugs: Vec<&str> = directory.iter().map(|c| c.slug.as_str()).collect();
    slugs.sort_unstable();
    assert_eq!(
        slugs,
        ["alpha", "beta"],
        "the platform tenant is not a college"
    );
    let mails = delivered_mail(&app, &mail).await;
    assert!(
        mails.iter().any(|m| m.contains("head@beta.edu")),
        "no invitation for the new admin"
    );
    std::fs::remove_dir_all(mail).ok();
}

#[tokio::test]
async fn nobody_else_reaches_the_platform() {
    let app = TestApp::new().await;
    let alpha = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, alpha, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let sneaky = fixtures::user(&app.pool, alpha, "sneaky@alpha.edu", &[Role::Teacher]).await;
    // Even holding the role's name in a college gives nothing.
    let owner = app.db.owner_pool().await;
    let mut tx = begin_for_college(&owner, alpha).await.expect("tx");
    sqlx::query("INSERT INTO role_assignments (college_id, user_id, role) VALUES (app_current_college(), $1, 'platform_admin')")
        .bind(sneaky)
        .execute(&mut *tx)
        .await
        .expect("role");
    tx.commit().await.expect("commit");
    for email in ["admin@alpha.edu", "sneaky@alpha.edu"] {
        let mut browser = Browser::new(&app);
        browser.sign_in("alpha", email, PASSWORD).await;
        assert_eq!(
            browser.get("/platform").await.status,
            StatusCode::FORBIDDEN,
            "{email}"
        );
    }
    // The figures function gives nothing to a college's transaction.
    let mut tx = begin_for_college(&app.pool, alpha).await.expect("tx");
    assert!(
        campus::platform::stats(&mut tx)
            .await
            .expect("stats")
            .is_empty()
    );
    // The platform has no college page: its "home" is the installation's front page.
    let home = app.get("/c/platform").await;
    assert_eq!(home.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        home.headers()
            .get(axum::http::header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/")
    );
}
