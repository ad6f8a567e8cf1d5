//! Achievements: students record them with evidence, reviewers within reach decide (never
//! on their own), approvals earn the college's points, the student's page hears of it
//! live, and the verified portfolio's public page shows what was verified and what has
//! been revoked since.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::db::begin_for_college;
use futures_util::StreamExt;
use serde_json::json;
use uuid::Uuid;

use crate::util::TestApp;
use crate::util::api::{call, call_multipart, download, id, issue};
use crate::util::app::body_text;
use crate::util::db::scalar;
use crate::util::fixtures::{self, PASSWORD};
use crate::util::html::Doc;
use crate::util::world::{Class, class, students, world};

/// A real PNG photograph stand-in (so the portfolio has a thumbnail to make).
fn png() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(800, 600, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut bytes = Vec::new();
    picture
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .expect("encode");
    bytes
}

#[tokio::test]
async fn achievements_are_verified_within_reach_and_portfolios_show_revocations() {
    let app = TestApp::with_settings(&[("CAMPUS_UPLOAD_LIMIT_BYTES", "2000000")]).await;
    let w = world(&app, 10).await;
    let Class {
        people,
        outsider,
        tess,
        other,
    } = class(&app, &w, 2).await;
    let (ada, ada_token) = people[0].clone();
    // Tess belongs to the students' department; the other teacher to none.
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query(
        "UPDATE staff SET department_id = (SELECT id FROM departments) WHERE staff_number = 'ST9'",
    )
    .execute(&mut *tx)
    .await
    .expect("department");
    tx.commit().await.expect("commit");
    fixtures::user(
        &app.pool,
        w.college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    let code = fixtures::next_code("admin@alpha.edu", fixtures::TOTP_SECRET);
    let (_, login) =
        crate::util::api::login(&app, "alpha", "admin@alpha.edu", PASSWORD, Some(&code)).await;
    let admin = login["access_token"].as_str().expect("token").to_string();
    let (status, _) = call(
        &app,
        "PUT",
        "/api/v1/activity-points",
        &admin,
        Some(json!([{"category": "technical", "points": 20}, {"category": "sports", "points": 5}])),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        &app,
        "PUT",
        "/api/v1/activity-points",
        &admin,
        Some(json!([{"category": "cooking", "points": 20}])),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Bad input is refused and nothing is written.
    let photo = png();
    let today = time::OffsetDateTime::now_utc().date();
    let fields = |title: &'static str, category: &'static str, on: String| {
        vec![
            ("title", title.to_string()),
            ("category", category.to_string()),
            ("achieved_on", on),
            ("organiser", "IEEE student branch".to_string()),
            ("description", "First place of 40 teams.".to_string()),
        ]
    };
    let as_refs = |f: &[(&'static str, String)]| -> Vec<(&'static str, String)> { f.to_vec() };
    for (form, files, why) in [
        (
            fields(
                "Hackathon winner",
                "technical",
                (today + time::Duration::days(30)).to_string(),
            ),
            vec![],
            "a date in the future",
        ),
        (
            fields("Hackathon winner", "cooking", today.to_string()),
            vec![],
            "an unknown category",
        ),
        (
            fields("Hackathon winner", "technical", today.to_string()),
            vec![("file", "certificate.png", b"%PDF-1.7 not a png".to_vec())],
            "evidence that is not what its name says",
        ),
    ] {
        let form = as_refs(&form);
        let text: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let files: Vec<(&str, &str, &[u8])> = files
            .iter()
            .map(|(f, n, b)| (*f, *n, b.as_slice()))
            .collect();
        let (status, body) = call_multipart(
            &app,
            "POST",
            "/api/v1/me/achievements",
            &ada_token,
            &text,
            &files,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {body}");
    }
    assert_eq!(
        scalar::<i64>(&app, w.college, "SELECT count(*) FROM achievements").await,
        0
    );
    assert_eq!(
        scalar::<i64>(&app, w.college, "SELECT count(*) FROM stored_files").await,
        0
    );
    let big = vec![0u8; 2_100_000];
    let (status, _) = call_multipart(
        &app,
        "POST",
        "/api/v1/me/achievements",
        &ada_token,
        &[("title", "Too big")],
        &[("file", "huge.png", &big)],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an oversized upload"
    );

    // Ada records two; the first with a photograph.
    let on = (today - time::Duration::days(3)).to_string();
    let (status, hack) = call_multipart(
        &app,
        "POST",
        "/api/v1/me/achievements",
        &ada_token,
        &[
            ("title", "Hackathon winner"),
            ("category", "technical"),
            ("achieved_on", &on),
            ("organiser", "IEEE student branch"),
        ],
        &[("file", "podium.png", &photo)],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{hack}");
    let hack = id(&hack);
    let (status, run) = call_multipart(
        &app,
        "POST",
        "/api/v1/me/achievements",
        &ada_token,
        &[
            ("title", "Inter-college 10k run"),
            ("category", "sports"),
            ("achieved_on", &on),
            ("organiser", "Sports council"),
        ],
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    let run = id(&run);

    // Who sees them: Ada and her department's teacher; not another student.
    let list = format!("/api/v1/students/{ada}/achievements");
    let (status, mine) = call(&app, "GET", &list, &ada_token, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine.as_array().expect("list").len(), 2);
    let evidence = mine
        .as_array()
        .expect("list")
        .iter()
        .find(|a| a["title"] == "Hackathon winner")
        .expect("hackathon")["files"][0]["id"]
        .as_str()
        .expect("file")
        .to_string();
    let (status, _) = call(&app, "GET", &list, &outsider[0].1, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, ..) = download(&app, &format!("/api/v1/files/{evidence}"), &outsider[0].1).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another student's evidence");
    let (status, _, bytes_back, _) =
        download(&app, &format!("/api/v1/files/{evidence}"), &tess).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes_back, photo);

    // Ada's page follows her achievements live.
    crate::util::world::same_password(&app, &w, "s0@alpha.edu", "tess@alpha.edu").await;
    let mut browser = crate::util::Browser::new(&app);
    browser.sign_in("alpha", "s0@alpha.edu", PASSWORD).await;
    let response = browser.follow("/achievements/events").await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut events = response.into_body().into_data_stream();

    // Reviewers: the other teacher (no department) cannot; Tess approves once.
    let decide = |a: &str| format!("/api/v1/achievements/{a}/decision");
    let (status, _) = call(
        &app,
        "POST",
        &decide(&hack),
        &other,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &app,
        "POST",
        &decide(&hack),
        &ada_token,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "students do not approve");
    let (status, queue) = call(&app, "GET", "/api/v1/achievements", &tess, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(queue.as_array().expect("queue").len(), 2, "{queue}");
    let (status, _) = call(
        &app,
        "POST",
        &decide(&hack),
        &tess,
        Some(json!({"decision": "reject"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a rejection needs a reason"
    );
    let (status, _) = call(
        &app,
        "POST",
        &decide(&hack),
        &tess,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        &app,
        "POST",
        &decide(&hack),
        &tess,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let mut heard = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !heard.contains("event: changed") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no live event: {heard}"
        );
        // The listener may still be starting: each new record publishes again.
        if let Ok(Some(Ok(chunk))) =
            tokio::time::timeout(std::time::Duration::from_millis(700), events.next()).await
        {
            heard.push_str(&String::from_utf8_lossy(&chunk));
        } else {
            call_multipart(
                &app,
                "POST",
                "/api/v1/me/achievements",
                &ada_token,
                &[
                    ("title", "Volunteer day"),
                    ("category", "volunteering"),
                    ("achieved_on", &on),
                    ("organiser", "NSS unit"),
                ],
                &[],
            )
            .await;
        }
    }

    // A student organizer of sports decides on sports only, and never on their own.
    let (organizer, organizer_token) = students(&app, &w, 1).await.remove(0);
    let organizer_user: Uuid = {
        let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
        let user: Uuid = sqlx::query_scalar("SELECT user_id FROM students WHERE id = $1")
            .bind(organizer)
            .fetch_one(&mut *tx)
            .await
            .expect("user");
        sqlx::query("INSERT INTO role_assignments (college_id, user_id, role) VALUES (app_current_college(), $1, 'student_organizer')")
            .bind(user)
            .execute(&mut *tx)
            .await
            .expect("role");
        tx.commit().await.expect("commit");
        user
    };
    // Roles are read at every request, so the token made before the role works.
    let (status, queue) = call(&app, "GET", "/api/v1/achievements", &organizer_token, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(queue, json!([]), "no category assigned yet");
    let (status, _) = call(
        &app,
        "PUT",
        "/api/v1/achievement-organizers",
        &admin,
        Some(json!({"user_id": organizer_user, "categories": ["sports"]})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        &app,
        "POST",
        &decide(&run),
        &organizer_token,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "sports is theirs");
    let (status, own) = call_multipart(
        &app,
        "POST",
        "/api/v1/me/achievements",
        &organizer_token,
        &[
            ("title", "Own sports medal"),
            ("category", "sports"),
            ("achieved_on", &on),
            ("organiser", "Sports council"),
        ],
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = call(
        &app,
        "POST",
        &decide(&id(&own)),
        &organizer_token,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "nobody approves their own");

    // Points by the rules: 20 + 5.
    let (_, mine) = call(&app, "GET", &list, &tess, None).await;
    let points: i64 = mine
        .as_array()
        .expect("list")
        .iter()
        .filter(|a| a["status"] == "approved")
        .map(|a| a["points"].as_i64().expect("points"))
        .sum();
    assert_eq!(points, 25, "{mine}");

    // The portfolio, and its public page before and after a revocation.
    let (status, kind, pdf, _) = issue(
        &app,
        &format!("/api/v1/students/{ada}/portfolio"),
        &ada_token,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    let (status, ..) = issue(
        &app,
        &format!("/api/v1/students/{ada}/portfolio"),
        &outsider[0].1,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let code: String = {
        let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
        let code = sqlx::query_scalar("SELECT code FROM issued_documents WHERE kind = 'portfolio'")
            .fetch_one(&mut *tx)
            .await
            .expect("issued");
        tx.commit().await.expect("commit");
        code
    };
    let verify = body_text(app.get(&format!("/c/alpha/verify/{code}")).await).await;
    let doc = Doc::parse(&verify);
    let rows = "section[aria-labelledby=doc] table tbody tr";
    doc.expect_text(&format!("{rows} > td:nth-child(1)"), "Hackathon winner");
    doc.expect_text(&format!("{rows} > td:nth-child(4)"), "Tess Teach");
    doc.expect_text(
        &format!("{rows} > td:nth-child(1)"),
        "Inter-college 10k run",
    );
    assert!(
        doc.texts(&format!("{rows} > td:nth-child(6) .badge"))
            .iter()
            .all(|standing| standing != "Revoked"),
        "{verify}"
    );
    assert!(
        !verify.contains("Volunteer day"),
        "only approved ones: {verify}"
    );
    let (status, _) = call(
        &app,
        "POST",
        &decide(&hack),
        &tess,
        Some(json!({"decision": "revoke", "comment": "The organiser withdrew the prize"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let verify = body_text(app.get(&format!("/c/alpha/verify/{code}")).await).await;
    let doc = Doc::parse(&verify);
    doc.expect_text(&format!("{rows} > td:nth-child(6) .badge"), "Revoked");
    doc.expect_text(&format!("{rows} > td:nth-child(6)"), "withdrew the prize");
    let (_, mine) = call(&app, "GET", &list, &ada_token, None).await;
    assert!(mine.to_string().contains("revoked"));

    let actions = fixtures::audit_actions(&app.pool, w.college).await;
    for action in [
        "achievement.recorded",
        "achievement.approved",
        "achievement.revoked",
        "achievement.rules_changed",
        "achievement.organizer_set",
        "document.issued",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

#[tokio::test]
async fn the_student_hub_records_and_the_review_page_decides() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    class(&app, &w, 1).await;
    // Browser journey: sign in as a student through the pages.
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query("UPDATE staff SET department_id = (SELECT id FROM departments)")
        .execute(&mut *tx)
        .await
        .expect("department");
    tx.commit().await.expect("commit");
    crate::util::world::same_password(&app, &w, "s0@alpha.edu", "tess@alpha.edu").await;
    let mut student = crate::util::Browser::new(&app);
    student.sign_in("alpha", "s0@alpha.edu", PASSWORD).await;
    let hub = student.get("/achievements").await;
    assert_eq!(hub.status, StatusCode::OK);
    assert_eq!(
        Doc::parse(&hub.html)
            .attr("section#my-achievements", "data-live-events")
            .as_deref(),
        Some("/achievements/events")
    );
    let on = time::OffsetDateTime::now_utc().date().to_string();
    let refused = student
        .post_multipart(
            "/achievements",
            &[
                ("_csrf", &hub.csrf()),
                ("title", "x"),
                ("category", "technical"),
                ("achieved_on", &on),
                ("organiser", "IEEE"),
            ],
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let doc = Doc::parse(&refused.html);
    doc.expect_text(".alert-error", "3 to 200 characters");
    doc.expect_text("#title-error", "3 to 200 characters");
    assert_eq!(
        doc.attr("input#organiser", "value").as_deref(),
        Some("IEEE")
    );
    let saved = student
        .post_multipart(
            "/achievements",
            &[
                ("_csrf", &hub.csrf()),
                ("title", "Robotics finalist"),
                ("category", "technical"),
                ("achieved_on", &on),
                ("organiser", "IEEE"),
            ],
            &[],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    assert_eq!(saved.location.as_deref(), Some("/achievements"));
    let doc = Doc::parse(&student.get("/achievements").await.html);
    doc.expect_text(
        "main .alert-success[role=status]",
        "Robotics finalist recorded. It waits for a reviewer",
    );
    doc.expect_text("#my-achievements article h3", "Robotics finalist");
    assert_eq!(doc.text("#my-achievements article h3 .badge"), "Submitted");

    let mut teacher = crate::util::Browser::new(&app);
    teacher.sign_in("alpha", "tess@alpha.edu", PASSWORD).await;
    let queue = teacher.get("/achievements/review").await;
    Doc::parse(&queue.html).expect_text(
        "section[aria-labelledby=list] article h3",
        "Robotics finalist",
    );
    let achievement: Uuid = {
        let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
        let id = sqlx::query_scalar("SELECT id FROM achievements")
            .fetch_one(&mut *tx)
            .await
            .expect("id");
        tx.commit().await.expect("commit");
        id
    };
    let done = teacher
        .post(
            &format!("/achievements/{achievement}/decision"),
            &[
                ("_csrf", &queue.csrf()),
                ("decision", "approve"),
                ("back", "submitted"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        done.location.as_deref(),
        Some("/achievements/review?status=submitted")
    );
    let after = teacher.get("/achievements/review?status=submitted").await;
    let doc = Doc::parse(&after.html);
    doc.expect_text(
        "main .alert-success[role=status]",
        "Approved; the student sees it now",
    );
    assert!(
        !doc.texts("section[aria-labelledby=list] article h3")
            .iter()
            .any(|title| title.contains("Robotics finalist")),
        "left the queue"
    );
    let hub = student.get("/achievements").await;
    let doc = Doc::parse(&hub.html);
    assert_eq!(doc.text("#my-achievements article h3 .badge"), "Approved");
    doc.expect_text("#my-achievements article p.muted", "Approved by Tess");
    assert_eq!(doc.text("h2#mine"), "Yours · 0 activity points");
    let forged = student
        .post(
            &format!("/achievements/{achievement}/decision"),
            &[
                ("_csrf", &hub.csrf()),
                ("decision", "revoke"),
                ("comment", "mine"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}
