//! The demo college: generated, loaded all at once, and shown on the public pages and API.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::db::begin_for_college;
use campus::demo;
use campus::institution::queries;

use crate::util::TestApp;
use crate::util::app::{body_json, body_text};

#[tokio::test]
async fn the_demo_college_loads_and_is_shown() {
    let app = TestApp::new().await;
    let report = demo::ensure(&app.pool, 300, &app.state.config.field_keys)
        .await
        .expect("demo")
        .expect("created");
    assert_eq!(report.students, 300);
    assert_eq!(report.accounts.len(), 13, "one account per built-in role");

    // A second start leaves it alone.
    assert!(
        demo::ensure(&app.pool, 300, &app.state.config.field_keys)
            .await
            .expect("demo")
            .is_none()
    );

    let college = queries::find_by_slug(&app.pool, "riverside")
        .await
        .expect("query")
        .expect("college");
    let mut tx = begin_for_college(&app.pool, college.id).await.expect("tx");
    let (students, guardians, links, users, roles): (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM students), (SELECT count(*) FROM guardians), \
                (SELECT count(*) FROM student_guardians), (SELECT count(*) FROM users), \
                (SELECT count(*) FROM role_assignments)",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("counts");
    tx.commit().await.expect("commit");
    assert_eq!(students, 300);
    assert!(
        guardians >= 280 && links >= 300,
        "{guardians} guardians, {links} links"
    );
    assert!(users > students + guardians, "every person has an account");
    assert!(roles >= users, "every account has a role");

    // The front page goes to the only college; its page shows real figures.
    let response = app.get("/").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/c/riverside");
    let html = body_text(app.get("/c/riverside").await).await;
    assert!(html.contains("Riverside College"));
    assert!(html.contains("Computer Science"), "departments missing");

    let profile = body_json(app.get("/api/v1/colleges/riverside").await).await;
    assert_eq!(profile["slug"], "riverside");
    assert!(profile["figures"]["students"].as_i64().expect("students") > 250);
    assert_eq!(
        profile["departments"]
            .as_array()
            .expect("departments")
            .len(),
        12
    );
    assert!(
        !profile["terms"].as_array().expect("terms").is_empty(),
        "no upcoming terms"
    );

    // Teaching: four courses per department, a section each, timetabled, some enrolled.
    let mut tx = begin_for_college(&app.pool, college.id).await.expect("tx");
    let (courses, sections, meetings, enrolled, over): (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM courses), (SELECT count(*) FROM sections), \
                (SELECT count(*) FROM section_meetings), \
                (SELECT count(*) FROM enrollments WHERE status = 'enrolled'), \
                (SELECT count(*) FROM sections s WHERE s.enrolled <> (SELECT count(*) FROM enrollments e \
                   WHERE e.section_id = s.id AND e.status = 'enrolled'))",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("teaching");
    tx.commit().await.expect("commit");
    // 48 sections this term; last term's 101 course of each of the 12 departments.
    assert_eq!((courses, sections, meetings), (48, 60, 96));
    assert!(enrolled > 0, "no demo enrolments");
    assert_eq!(over, 0, "seat counts disagree with enrolments");
    let mut tx = begin_for_college(&app.pool, college.id).await.expect("tx");
    let (published, results, assignments, materials): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM sections WHERE results_status = 'published'), (SELECT count(*) FROM results), \
                (SELECT count(*) FROM assignments), (SELECT count(*) FROM materials)",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("coursework and results");
    tx.commit().await.expect("commit");
    assert!(
        published > 0 && results > 0,
        "last term's results are published"
    );
    assert!(assignments > 0 && materials > 0, "coursework to find");

    // Every fixed account, one per role, the applicant too (what `campus demo` prints).
    let accounts = demo::accounts(&app.pool).await.expect("accounts");
    assert_eq!(accounts.len(), 13);
    for (role, email) in [
        (Role::CollegeAdmin, "admin@riverside.edu"),
        (Role::Student, "student@riverside.edu"),
        (Role::StudentOrganizer, "organizer@riverside.edu"),
        (Role::Applicant, "applicant@riverside.edu"),
    ] {
        assert!(
            accounts.iter().any(|(r, e, _)| *r == role && e == email),
            "{role} {email} in {accounts:?}"
        );
    }
}

#[tokio::test]
async fn the_directory_lists_several_colleges() {
    let app = TestApp::new().await;
    let html = body_text(app.get("/").await).await;
    assert!(
        html.contains("No college has been set up yet"),
        "empty directory explains itself"
    );
    for slug in ["alpha", "beta"] {
        let id = campus::db::CollegeId(uuid::Uuid::new_v4());
        let mut tx = begin_for_college(&app.pool, id).await.expect("tx");
        let new = campus::institution::model::NewCollege::parse(slug, &format!("{slug} college"))
            .expect("valid");
        queries::insert_college(&mut tx, id, &new)
            .await
            .expect("insert");
        tx.commit().await.expect("commit");
    }
    let response = app.get("/").await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = body_text(response).await;
    assert!(html.contains("/c/alpha") && html.contains("/c/beta"));
    let list = body_json(app.get("/api/v1/colleges").await).await;
    assert_eq!(list.as_array().expect("list").len(), 2);
}
