//! Exams: papers scheduled in the calendar's exam periods with rooms and invigilators,
//! every clash refused by name (students at two papers at once, an invigilator twice, a
//! day outside the exam periods, a quiz), the day seated with papers sharing a room,
//! the student's papers and hall ticket (verifiable), a program's hall tickets printed
//! as one job, and the pages that do all of it.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use serde_json::{Value, json};

use crate::util::api::{call, download, field_errors, id, token_with_code};
use crate::util::fixtures::{self, PASSWORD, TOTP_SECRET};
use crate::util::html::Doc;
use crate::util::world::{students, world};
use crate::util::{Browser, TestApp};

fn messages(answer: &Value) -> String {
    answer["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["message"].as_str())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .unwrap_or_default()
}

fn in_days(days: i64) -> String {
    (time::OffsetDateTime::now_utc().date() + time::Duration::days(days)).to_string()
}

struct Exams {
    admin: String,
    room: Value,
    asha: Value,
    ben: Value,
    cs101_final: String,
    cs201_final: String,
    students: Vec<(uuid::Uuid, String)>,
}

/// A room, two invigilators, an exam period three weeks on, each section's final exam
/// and three students in both sections.
async fn set_up(app: &TestApp, w: &crate::util::world::World) -> Exams {
    fixtures::user(
        &app.pool,
        w.college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    let admin = token_with_code(app, "alpha", "admin@alpha.edu", PASSWORD, TOTP_SECRET).await;
    for (uri, body) in [
        ("/api/v1/campuses", json!({"code": "MAIN", "name": "Main"})),
        (
            "/api/v1/buildings",
            json!({"code": "ENG", "name": "Engineering", "campus": "MAIN", "floors": 3}),
        ),
        (
            "/api/v1/rooms",
            json!({"code": "SEM-1", "name": "Seminar", "building": "ENG", "kind": "seminar", "capacity": 10}),
        ),
        (
            "/api/v1/calendar",
            json!({"kind": "exam_period", "name": "End-term exams", "starts_on": in_days(20), "ends_on": in_days(30)}),
        ),
    ] {
        let (status, answer) = call(app, "POST", uri, &admin, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{uri}: {answer}");
    }
    let (_, rooms) = call(app, "GET", "/api/v1/rooms", &admin, None).await;
    let room = rooms[0]["id"].clone();
    let mut staff = Vec::new();
    for (number, first, last) in [("ST-1", "Asha", "Rao"), ("ST-2", "Ben", "Ode")] {
        let (status, made) = call(
            app,
            "POST",
            "/api/v1/staff",
            &admin,
            Some(json!({"staff_number": number, "first_name": first, "last_name": last})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        staff.push(made["id"].clone());
    }
    let mut finals = Vec::new();
    for section in [w.section, w.advanced] {
        let (status, made) = call(
            app,
            "POST",
            &format!("/api/v1/sections/{section}/assessments"),
            &admin,
            Some(json!({"name": "Final exam", "kind": "exam", "weight": 60, "max_marks": 100})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        finals.push(id(&made));
    }
    let people = students(app, w, 3).await;
    for (student, token) in &people {
        let (status, answer) = call(
            app,
            "POST",
            &format!("/api/v1/sections/{}/enroll", w.section),
            token,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let (status, answer) = call(
            app,
            "POST",
            &format!("/api/v1/sections/{}/override", w.advanced),
            &admin,
            Some(json!({"student_id": student, "reason": "Transfer credit for CS101"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    Exams {
        admin,
        room,
        asha: staff[0].clone(),
        ben: staff[1].clone(),
        cs101_final: finals[0].clone(),
        cs201_final: finals[1].clone(),
        students: people,
    }
}

#[tokio::test]
async fn papers_are_scheduled_seated_and_ticketed_with_every_clash_named() {
    let app = TestApp::new().await;
    let w = world(&app, 30).await;
    let e = set_up(&app, &w).await;
    let day = in_days(21);
    let paper = |assessment: &str, date: &str, starts: &str, invigilator: &Value| {
        json!({"assessment_id": assessment, "date": date, "starts": starts, "duration_minutes": 180,
               "rooms": [e.room], "invigilators": [invigilator]})
    };

    // Outside the exam periods, and a paper that is no exam, are refused by field.
    let (status, answer) = call(
        &app,
        "POST",
        "/api/v1/exam-sittings",
        &e.admin,
        Some(paper(&e.cs101_final, &in_days(5), "09:30", &e.asha)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(field_errors(&answer), ["date"], "{answer}");
    assert!(messages(&answer).contains("End-term exams"), "{answer}");

    let (status, first) = call(
        &app,
        "POST",
        "/api/v1/exam-sittings",
        &e.admin,
        Some(paper(&e.cs101_final, &day, "09:30", &e.asha)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let first = id(&first);

    // CS201's paper at the same time: its students and Asha are elsewhere then.
    let (status, answer) = call(
        &app,
        "POST",
        "/api/v1/exam-sittings",
        &e.admin,
        Some(paper(&e.cs201_final, &day, "11:00", &e.asha)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(
        field_errors(&answer),
        ["starts", "invigilators"],
        "{answer}"
    );
    let said = messages(&answer);
    assert!(
        said.contains("3 of its students sit CS101 A Final exam then"),
        "{said}"
    );
    assert!(
        said.contains("Asha Rao invigilates CS101 A Final exam then"),
        "{said}"
    );
    let (status, second) = call(
        &app,
        "POST",
        "/api/v1/exam-sittings",
        &e.admin,
        Some(paper(&e.cs201_final, &day, "14:00", &e.ben)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let second = id(&second);
    // The same paper twice, and a change that would make the clash, are refused too.
    let (status, answer) = call(
        &app,
        "POST",
        "/api/v1/exam-sittings",
        &e.admin,
        Some(paper(&e.cs201_final, &in_days(22), "14:00", &e.ben)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(field_errors(&answer), ["assessment_id"], "{answer}");
    let (status, answer) = call(
        &app,
        "PATCH",
        &format!("/api/v1/exam-sittings/{second}"),
        &e.admin,
        Some(json!({"starts": "10:00"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(field_errors(&answer), ["starts"], "{answer}");

    // The day seated: both papers' students in the seminar room, seats 1 to 3 each.
    let (status, seated) = call(
        &app,
        "POST",
        &format!("/api/v1/exam-sittings/{first}/seating"),
        &e.admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{seated}");
    assert_eq!(seated["students"], 6, "{seated}");
    let (_, plan) = call(
        &app,
        "GET",
        &format!("/api/v1/exam-sittings/{first}/seating"),
        &e.admin,
        None,
    )
    .await;
    let seats: Vec<i64> = plan
        .as_array()
        .expect("seats")
        .iter()
        .filter_map(|s| s["seat"].as_i64())
        .collect();
    assert_eq!(seats, [1, 2, 3], "{plan}");
    let (_, report) = call(
        &app,
        "GET",
        &format!("/api/v1/exams/clashes?term={}", w.term),
        &e.admin,
        None,
    )
    .await;
    assert_eq!(report, json!([]), "nothing clashes once seated");

    // The exam timetable by invigilator; the student's papers with their seats.
    let (_, bens) = call(
        &app,
        "GET",
        &format!(
            "/api/v1/exam-sittings?term={}&invigilator={}",
            w.term,
            e.ben.as_str().unwrap_or_default()
        ),
        &e.admin,
        None,
    )
    .await;
    assert_eq!(bens.as_array().map(Vec::len), Some(1), "{bens}");
    let (_, student) = &e.students[0];
    let (status, mine) = call(&app, "GET", "/api/v1/me/exams", student, None).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine.as_array().map(Vec::len), Some(2), "{mine}");
    assert_eq!(mine[0]["room"], "SEM-1");
    assert!(mine[0]["seat"].as_i64().is_some(), "{mine}");
    let (status, kind, pdf, _) = download(&app, "/api/v1/me/hall-ticket", student).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/pdf"));
    assert!(pdf.starts_with(b"%PDF-"));
    let code: String = {
        let mut tx = campus::db::begin_for_college(&app.pool, w.college)
            .await
            .expect("tx");
        sqlx::query_scalar("SELECT code FROM issued_documents WHERE kind = 'hall_ticket'")
            .fetch_one(&mut *tx)
            .await
            .expect("issued")
    };
    let mut visitor = Browser::new(&app);
    let verified = visitor.get(&format!("/c/alpha/verify/{code}")).await;
    assert_eq!(verified.status, StatusCode::OK);
    let doc = Doc::parse(&verified.html);
    doc.expect_text("main", "Hall ticket");
    doc.expect_text("main table", "CS201");

    // A program's hall tickets as one job.
    let (_, programs) = call(&app, "GET", "/api/v1/programs", &e.admin, None).await;
    let (status, job) = call(
        &app,
        "POST",
        "/api/v1/report-card-jobs",
        &e.admin,
        Some(json!({"program_id": programs[0]["id"], "term_id": w.term, "kind": "hall_tickets"})),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let runner = campus::documents::jobs::service::Runner {
        pool: app.pool.clone(),
        files: app.state.files.clone(),
        base_url: "http://campus.test".into(),
    };
    assert_eq!(runner.run_due().await.expect("run"), 1);
    let (_, view) = call(
        &app,
        "GET",
        &format!("/api/v1/report-card-jobs/{}", id(&job)),
        &e.admin,
        None,
    )
    .await;
    assert_eq!(view["status"], "done", "{view}");
    assert_eq!(view["kind"], "hall_tickets");
    assert_eq!(view["done"], 3, "{view}");

    // Cancelled, a paper leaves the student's timetable.
    let (status, _) = call(
        &app,
        "DELETE",
        &format!("/api/v1/exam-sittings/{second}"),
        &e.admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, mine) = call(&app, "GET", "/api/v1/me/exams", student, None).await;
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "{mine}");

    let actions = fixtures::audit_actions(&app.pool, w.college).await;
    for action in [
        "exam.sitting_scheduled",
        "exam.seated",
        "exam.sitting_cancelled",
        "document.issued",
        "document.job_finished",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

#[tokio::test]
async fn the_exam_pages_schedule_name_clashes_and_show_the_student_their_papers() {
    let app = TestApp::new().await;
    let w = world(&app, 30).await;
    let e = set_up(&app, &w).await;
    let day = in_days(22);
    let mut admin = Browser::new(&app);
    admin.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;
    let form = admin.get("/exams/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    let room = e.room.as_str().unwrap_or_default().to_string();
    let asha = e.asha.as_str().unwrap_or_default().to_string();
    let scheduled = admin
        .post(
            "/exams",
            &[
                ("_csrf", &form.csrf()),
                ("assessment_id", &e.cs101_final),
                ("date", &day),
                ("starts", "09:30"),
                ("duration_minutes", "180"),
                ("rooms", &room),
                ("invigilators", &asha),
            ],
        )
        .await;
    assert_eq!(
        scheduled.status,
        StatusCode::SEE_OTHER,
        "{}",
        scheduled.html
    );
    let refused = admin
        .post(
            "/exams",
            &[
                ("_csrf", &form.csrf()),
                ("assessment_id", &e.cs201_final),
                ("date", &day),
                ("starts", "10:00"),
                ("duration_minutes", "long"),
                ("rooms", &room),
                ("invigilators", &asha),
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
    doc.expect_text("#duration_minutes-error", "whole number");
    doc.expect_text(
        ".error-summary",
        "Asha Rao invigilates CS101 A Final exam then",
    );
    assert_eq!(
        doc.attr("#duration_minutes", "value").as_deref(),
        Some("long")
    );

    let list = admin.get(&format!("/exams?term={}", w.term)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.html);
    let doc = Doc::parse(&list.html);
    doc.expect_text("main table", "CS101 A");
    let sitting = doc
        .attr("main table a[href^='/exams/']", "href")
        .expect("the paper's link");
    let page = admin.get(&sitting).await;
    let seated = admin
        .post(&format!("{sitting}/seat"), &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(seated.status, StatusCode::SEE_OTHER, "{}", seated.html);
    let page = admin.get(&sitting).await;
    let doc = Doc::parse(&page.html);
    doc.expect_text("main .alert-success", "3 students seated");
    doc.expect_text("#plan ~ div table", "S0");

    // The student's own page lists the paper with the room and offers the hall ticket.
    let mut tx = campus::db::begin_for_college(&app.pool, w.college)
        .await
        .expect("tx");
    let email: String = sqlx::query_scalar(
        "SELECT u.email::text FROM users u JOIN students s ON s.user_id = u.id WHERE s.id = $1",
    )
    .bind(e.students[0].0)
    .fetch_one(&mut *tx)
    .await
    .expect("email");
    sqlx::query("UPDATE users SET password_hash = $1 WHERE email = $2")
        .bind(fixtures::password_hash())
        .bind(&email)
        .execute(&mut *tx)
        .await
        .expect("password");
    tx.commit().await.expect("commit");
    let mut student = Browser::new(&app);
    student.sign_in("alpha", &email, PASSWORD).await;
    let mine = student.get("/exams/mine").await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.html);
    let doc = Doc::parse(&mine.html);
    doc.expect_text("main table", "SEM-1");
    assert!(doc.has("a[href='/exams/hall-ticket']"));
    let _ = &e.ben;
}
