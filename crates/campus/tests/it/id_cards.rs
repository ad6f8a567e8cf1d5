//! Student identity cards: a photo on the record, the card as PDF for the student and
//! the registrar (not for another student), and its public verification page.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::db::begin_for_college;
use serde_json::json;

use crate::util::TestApp;
use crate::util::api::{call, call_multipart, issue};
use crate::util::app::body_text;
use crate::util::fixtures;
use crate::util::world::{Class, class, token_of, world};

#[tokio::test]
async fn students_get_identity_cards_with_their_photo_and_a_verification_page() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class {
        people, outsider, ..
    } = class(&app, &w, 1).await;
    let (student, student_token) = people[0].clone();
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    let mut png = Vec::new();
    image::RgbImage::from_fn(240, 320, |x, y| {
        image::Rgb([(x % 200) as u8, (y % 200) as u8, 120])
    })
    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
    .expect("encode");

    let photo = format!("/api/v1/students/{student}/photo");
    let (status, _) = call_multipart(
        &app,
        "POST",
        &photo,
        &student_token,
        &[],
        &[("file", "me.png", &png)],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "students do not set their card photo"
    );
    let (status, _) = call_multipart(
        &app,
        "POST",
        &photo,
        &registrar,
        &[],
        &[("file", "me.png", b"%PDF-1.7 not a photo")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call_multipart(
        &app,
        "POST",
        &photo,
        &registrar,
        &[],
        &[("file", "me.pdf", b"%PDF-1.7")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a PDF is not a photograph"
    );
    let (status, _) = call_multipart(
        &app,
        "POST",
        &photo,
        &registrar,
        &[],
        &[("file", "me.png", &png)],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let card = format!("/api/v1/students/{student}/id-card");
    let (status, kind, pdf, _) = issue(&app, &card, &student_token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "application/pdf");
    assert!(
        pdf.starts_with(b"%PDF-") && pdf.len() > 5_000,
        "with the photo inside"
    );
    let (status, ..) = issue(&app, &card, &outsider[0].1).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let code: String =
        sqlx::query_scalar("SELECT code FROM issued_documents WHERE kind = 'id_card'")
            .fetch_one(&mut *tx)
            .await
            .expect("issued");
    tx.commit().await.expect("commit");
    let page = body_text(app.get(&format!("/c/alpha/verify/{code}")).await).await;
    assert!(
        page.contains("Identity card") && page.contains("Genuine") && page.contains("Student No0"),
        "{page}"
    );

    // Former students get no card.
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/students/{student}/status"),
        &registrar,
        Some(json!({"status": "withdrawn", "reason": "Left the college"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, ..) = issue(&app, &card, &registrar).await;
    assert_eq!(status, StatusCode::CONFLICT);
}
