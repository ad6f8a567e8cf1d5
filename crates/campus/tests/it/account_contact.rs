//! Every user keeps their own contact details and photograph, on `/account` and through
//! `PATCH /api/v1/users/me`: a student's phone and address reach their record (and its
//! history); wrong input is named by field with nothing written.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use serde_json::json;

use crate::util::api::{call, call_multipart, token_with_code};
use crate::util::fixtures::{self, PASSWORD, TOTP_SECRET};
use crate::util::html::Doc;
use crate::util::world::{students, token_of, world};
use crate::util::{Browser, TestApp};

#[tokio::test]
async fn users_keep_their_own_contact_details_and_photo() {
    let app = TestApp::new().await;
    let w = world(&app, 30).await;
    fixtures::user(
        &app.pool,
        w.college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    fixtures::user(&app.pool, w.college, "tess@alpha.edu", &[Role::Teacher]).await;
    let admin = token_with_code(&app, "alpha", "admin@alpha.edu", PASSWORD, TOTP_SECRET).await;
    let (student, own) = students(&app, &w, 1).await.remove(0);

    let (status, answer) = call(
        &app,
        "PATCH",
        "/api/v1/users/me",
        &own,
        Some(json!({"phone": "call me maybe", "display_name": ""})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let (_, before) = call(&app, "GET", "/api/v1/users/me/contact", &own, None).await;
    assert_eq!(
        before["phone"],
        serde_json::Value::Null,
        "nothing half-written"
    );

    let (status, saved) = call(
        &app,
        "PATCH",
        "/api/v1/users/me",
        &own,
        Some(json!({"phone": "+91 98765 43210", "address": "12 Lake Road, Pune"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["phone"], "+91 98765 43210");
    assert_eq!(saved["has_address"], true);
    // The student's record says the same, and keeps the change in its history.
    let (_, record) = call(
        &app,
        "GET",
        &format!("/api/v1/students/{student}"),
        &admin,
        None,
    )
    .await;
    assert_eq!(record["phone"], "+91 98765 43210", "{record}");
    assert_eq!(record["address"], "12 Lake Road, Pune");
    let fields: Vec<&str> = record["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["field"].as_str())
        .collect();
    assert!(
        fields.contains(&"phone") && fields.contains(&"address"),
        "{record}"
    );

    // A teacher keeps no address here; a name and phone they do.
    let teacher = token_of(&app, "tess@alpha.edu").await;
    let (status, answer) = call(
        &app,
        "PATCH",
        "/api/v1/users/me",
        &teacher,
        Some(json!({"address": "Somewhere"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let (status, saved) = call(
        &app,
        "PATCH",
        "/api/v1/users/me",
        &teacher,
        Some(json!({"display_name": "Tess T."})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, me) = call(&app, "GET", "/api/v1/users/me", &teacher, None).await;
    assert_eq!(
        me["display_name"], "Tess T.",
        "the signed-in name follows at once"
    );

    // A photograph: an image that opens, or refused.
    let mut png = Vec::new();
    image::RgbImage::from_fn(120, 150, |x, y| {
        image::Rgb([(x % 200) as u8, (y % 200) as u8, 90])
    })
    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
    .expect("encode");
    let (status, _) = call_multipart(
        &app,
        "POST",
        "/api/v1/users/me/photo",
        &teacher,
        &[],
        &[("photo", "me.png", b"not an image")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call_multipart(
        &app,
        "POST",
        "/api/v1/users/me/photo",
        &teacher,
        &[],
        &[("photo", "me.png", &png)],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, contact) = call(&app, "GET", "/api/v1/users/me/contact", &teacher, None).await;
    assert_eq!(contact["has_photo"], true);

    let actions = fixtures::audit_actions(&app.pool, w.college).await;
    assert!(
        actions.iter().any(|a| a == "account.contact_changed"),
        "{actions:?}"
    );
    assert!(
        actions.iter().any(|a| a == "account.photo_changed"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn the_account_page_saves_contact_details_and_a_photo() {
    let app = TestApp::new().await;
    let w = world(&app, 30).await;
    fixtures::user(&app.pool, w.college, "tess@alpha.edu", &[Role::Teacher]).await;
    let mut teacher = Browser::new(&app);
    teacher.sign_in("alpha", "tess@alpha.edu", PASSWORD).await;
    let dashboard = teacher.get("/dashboard").await;
    assert!(
        Doc::parse(&dashboard.html).has("nav a[href='/account']"),
        "the account in the navigation"
    );

    let page = teacher.get("/account").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let doc = Doc::parse(&page.html);
    assert!(!doc.has("#address"), "no address for staff");
    let refused = teacher
        .post(
            "/account",
            &[
                ("_csrf", &page.csrf()),
                ("display_name", "Tess"),
                ("phone", "ring ring"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    let doc = Doc::parse(&refused.html);
    doc.expect_text("#phone-error", "phone number");
    assert_eq!(doc.attr("#phone", "value").as_deref(), Some("ring ring"));
    let saved = teacher
        .post(
            "/account",
            &[
                ("_csrf", &page.csrf()),
                ("display_name", "Tess"),
                ("phone", "+91 90000 12345"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let page = teacher.get("/account").await;
    let doc = Doc::parse(&page.html);
    doc.expect_text("main .alert-success", "Your contact details are saved");
    assert_eq!(
        doc.attr("#phone", "value").as_deref(),
        Some("+91 90000 12345")
    );

    let mut png = Vec::new();
    image::RgbImage::from_fn(60, 80, |x, y| {
        image::Rgb([(x % 200) as u8, (y % 200) as u8, 30])
    })
    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
    .expect("encode");
    let uploaded = teacher
        .post_multipart(
            "/account/photo",
            &[("_csrf", &page.csrf())],
            &[("photo", "me.png", &png)],
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.html);
    let page = teacher.get("/account").await;
    assert!(Doc::parse(&page.html).has("img[src='/account/photo']"));
    let photo = teacher.follow("/account/photo").await;
    assert_eq!(photo.status(), StatusCode::OK);
}
