//! Results: grading scales, the draft -> submitted -> published workflow, the database's
//! lock on published marks, amendments with reasons, and records with GPA.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::db::begin_for_college;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::util::TestApp;
use crate::util::api::{call, id};
use crate::util::fixtures::{self, PASSWORD};
use crate::util::html::Doc;
use crate::util::world::{Class, class, token_of, world};

fn letters(results: &Value) -> Vec<String> {
    let mut out: Vec<(String, String)> = results["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["student_number"].as_str().expect("number").to_string(),
                r["letter"].as_str().expect("letter").to_string(),
            )
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, l)| l).collect()
}

#[tokio::test]
async fn results_move_from_draft_to_published_and_stay_locked() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class {
        people,
        tess,
        other,
        ..
    } = class(&app, &w, 3).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    let base = format!("/api/v1/sections/{}", w.section);
    let (_, midterm) = call(
        &app,
        "POST",
        &format!("{base}/assessments"),
        &tess,
        Some(json!({"name": "Midterm", "kind": "exam", "weight": 40, "max_marks": 50})),
    )
    .await;
    let submit = format!("{base}/results/submit");
    let (status, problem) = call(&app, "POST", &submit, &tess, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem.to_string().contains("weigh 40%"),
        "the missing weight is named: {problem}"
    );
    let (_, last) = call(
        &app,
        "POST",
        &format!("{base}/assessments"),
        &tess,
        Some(json!({"name": "Final", "kind": "exam", "weight": 60, "max_marks": 100})),
    )
    .await;
    let enter = |assessment: &Value, scores: [f64; 3]| {
        let marks: Vec<Value> = people
            .iter()
            .zip(scores)
            .map(|((student, _), score)| json!({"student_id": student, "score": score}))
            .collect();
        (
            format!("/api/v1/assessments/{}/marks", id(assessment)),
            json!({ "marks": marks }),
        )
    };
    let (uri, body) = enter(&midterm, [45.0, 20.0, 35.0]);
    assert_eq!(
        call(&app, "PUT", &uri, &tess, Some(body)).await.0,
        StatusCode::NO_CONTENT
    );
    let (status, problem) = call(&app, "POST", &submit, &tess, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem
            .to_string()
            .contains("Final: 3 student(s) have no mark yet"),
        "{problem}"
    );
    let (uri, body) = enter(&last, [90.0, 30.0, 75.0]);
    call(&app, "PUT", &uri, &tess, Some(body)).await;

    // Draft: grades computed on the fly. 90%, 34% and 73% on the built-in scale.
    let (status, draft) = call(&app, "GET", &format!("{base}/results"), &tess, None).await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    assert_eq!(draft["status"], "draft");
    assert_eq!(letters(&draft), ["O", "F", "A"]);
    assert_eq!(
        call(&app, "GET", &format!("{base}/results"), &other, None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    assert_eq!(
        call(&app, "POST", &submit, &other, None).await.0,
        StatusCode::FORBIDDEN,
        "another teacher's section"
    );
    let (status, submitted) = call(&app, "POST", &submit, &tess, None).await;
    assert_eq!(status, StatusCode::OK, "{submitted}");
    assert_eq!(submitted["status"], "submitted");
    let (uri, body) = enter(&last, [10.0, 10.0, 10.0]);
    let (status, problem) = call(&app, "PUT", &uri, &tess, Some(body.clone())).await;
    assert_eq!(status, StatusCode::CONFLICT, "marks of submitted results");
    assert!(problem.to_string().contains("registrar must return"));

    // Returned with a reason, corrected, submitted again.
    let back = format!("{base}/results/return");
    assert_eq!(
        call(
            &app,
            "POST",
            &back,
            &tess,
            Some(json!({"reason": "please recheck"}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN,
        "teachers cannot return results"
    );
    assert_eq!(
        call(&app, "POST", &back, &registrar, Some(json!({"reason": ""})))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        call(
            &app,
            "POST",
            &back,
            &registrar,
            Some(json!({"reason": "Final of the third student looks wrong"}))
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    let (uri, body) = enter(&last, [90.0, 30.0, 80.0]);
    assert_eq!(
        call(&app, "PUT", &uri, &tess, Some(body.clone())).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        call(&app, "POST", &submit, &tess, None).await.0,
        StatusCode::OK
    );

    // Nothing visible to students before publishing.
    let (_, record) = call(&app, "GET", "/api/v1/me/record", &people[0].1, None).await;
    assert_eq!(record["terms"], json!([]), "{record}");

    let publish = format!("{base}/results/publish");
    assert_eq!(
        call(&app, "POST", &publish, &tess, None).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&app, "POST", &publish, &registrar, None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        call(&app, "POST", &publish, &registrar, None).await.0,
        StatusCode::CONFLICT,
        "published twice"
    );

    // The database itself refuses a change to published marks.
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let error = sqlx::query("UPDATE marks SET score = 0")
        .execute(&mut *tx)
        .await
        .expect_err("published marks are locked");
    assert_eq!(
        error.as_database_error().and_then(|d| d.constraint()),
        Some("results_published_locked")
    );
    drop(tx);
    let (status, _) = call(&app, "PUT", &uri, &tess, Some(body.clone())).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Records: term GPA, cumulative GPA and credits.
    let (_, record) = call(&app, "GET", "/api/v1/me/record", &people[0].1, None).await;
    assert_eq!(record["terms"][0]["courses"][0]["letter"], "O");
    assert_eq!(record["terms"][0]["gpa"], 10.0);
    assert_eq!(record["cumulative_gpa"], 10.0);
    assert_eq!(record["credits_earned"], 4.0);
    let (_, record) = call(&app, "GET", "/api/v1/me/record", &people[1].1, None).await;
    assert_eq!(record["terms"][0]["courses"][0]["letter"], "F");
    assert_eq!(record["terms"][0]["gpa"], 0.0);
    assert_eq!(record["credits_earned"], 0.0);
    let (_, record) = call(&app, "GET", "/api/v1/me/record", &people[2].1, None).await;
    assert_eq!(record["terms"][0]["courses"][0]["letter"], "A", "76%");

    // Another student's record is not theirs to read; the teacher of the section may.
    let theirs = format!("/api/v1/students/{}/record", people[1].0);
    assert_eq!(
        call(&app, "GET", &theirs, &people[0].1, None).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&app, "GET", &theirs, &other, None).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&app, "GET", &theirs, &tess, None).await.0,
        StatusCode::OK
    );

    // Passing completes the course (prerequisites); failing does not.
    let completed = |student: Uuid| {
        let pool = app.pool.clone();
        let college = w.college;
        async move {
            let mut tx = begin_for_college(&pool, college).await.expect("tx");
            let n: i64 =
                sqlx::query_scalar("SELECT count(*) FROM course_completions WHERE student_id = $1")
                    .bind(student)
                    .fetch_one(&mut *tx)
                    .await
                    .expect("count");
            n
        }
    };
    assert_eq!(completed(people[0].0).await, 1);
    assert_eq!(completed(people[1].0).await, 0);

    // An amendment needs the permission and a reason, regrades, and is audited.
    let amend = format!("{base}/results/amend");
    let change = |reason: &str| json!({"student_id": people[1].0, "assessment_id": id(&last), "score": 70, "reason": reason});
    assert_eq!(
        call(&app, "POST", &amend, &tess, Some(change("re-marked paper")))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&app, "POST", &amend, &registrar, Some(change(" ")))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut over = change("re-marked paper");
    over["score"] = json!(101);
    assert_eq!(
        call(&app, "POST", &amend, &registrar, Some(over)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (status, regraded) = call(
        &app,
        "POST",
        &amend,
        &registrar,
        Some(change("re-marked paper after a recount")),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{regraded}");
    assert_eq!(regraded["letter"], "B", "16 + 42 = 58%");
    assert_eq!(completed(people[1].0).await, 1);
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let (before, after): (Value, Value) =
        sqlx::query_as("SELECT before, after FROM audit_log WHERE action = 'results.amended'")
            .fetch_one(&mut *tx)
            .await
            .expect("audited");
    assert_eq!(before["letter"], "F");
    assert_eq!(before["score"], 30.0);
    assert_eq!(after["letter"], "B");
    assert_eq!(after["reason"], "re-marked paper after a recount");
    drop(tx);
    let actions = fixtures::audit_actions(&app.pool, w.college).await;
    for action in ["results.submitted", "results.returned", "results.published"] {
        assert!(actions.iter().any(|a| a == action), "{action} audited");
    }

    // A new scale grades from then on; published grades stay as graded.
    let scale = "/api/v1/grading-scale";
    let (status, problem) = call(
        &app,
        "PUT",
        scale,
        &registrar,
        Some(json!({"bands": [{"letter": "A", "min_percent": 50, "grade_points": 4, "passing": true}]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem.to_string().contains("start at 0%"), "{problem}");
    let bands = json!({"bands": [
        {"letter": "A", "min_percent": 85, "grade_points": 4, "passing": true},
        {"letter": "B", "min_percent": 70, "grade_points": 3, "passing": true},
        {"letter": "C", "min_percent": 55, "grade_points": 2, "passing": true},
        {"letter": "F", "min_percent": 0, "grade_points": 0, "passing": false},
    ]});
    assert_eq!(
        call(&app, "PUT", scale, &tess, Some(bands.clone())).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, saved) = call(&app, "PUT", scale, &registrar, Some(bands)).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, read) = call(&app, "GET", scale, &people[0].1, None).await;
    assert_eq!(read["bands"][0]["letter"], "A");
    let (_, record) = call(&app, "GET", "/api/v1/me/record", &people[0].1, None).await;
    assert_eq!(record["terms"][0]["courses"][0]["letter"], "O");

    // The pages: a student's record, the registrar's lists and section page.
    let mut browser = crate::util::Browser::new(&app);
    browser.sign_in("alpha", "reg@alpha.edu", PASSWORD).await;
    let list = browser.get("/results?status=published").await;
    assert_eq!(list.status, StatusCode::OK);
    Doc::parse(&list.html).expect_text(
        "section[aria-labelledby=sections] table tbody td a",
        "CS101 A: Programming",
    );
    let page = browser
        .get(&format!("/sections/{}/results", w.section))
        .await;
    let doc = Doc::parse(&page.html);
    assert_eq!(doc.text(".page-header .lead .badge"), "Published");
    assert_eq!(
        doc.text("form[action$='/results/amend'] h2"),
        "Amend a published mark"
    );
    let refused = browser
        .post(
            &format!("/sections/{}/results/amend", w.section),
            &[
                ("_csrf", &page.csrf()),
                ("student_id", &people[0].0.to_string()),
                ("assessment_id", &id(&last)),
                ("score", "50"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let doc = Doc::parse(&refused.html);
    doc.expect_text(".alert-error", "5 to 500 characters");
    doc.expect_text("#reason-error", "5 to 500 characters");
    assert_eq!(
        doc.attr("#score", "value").as_deref(),
        Some("50"),
        "the typed mark is kept"
    );
    let grading = browser.get("/grading").await;
    assert!(
        Doc::parse(&grading.html).has("input[name^='min_'][value='85']"),
        "{}",
        grading.html
    );
    let refused = browser
        .post(
            "/grading",
            &[
                ("_csrf", &grading.csrf()),
                ("letter_0", "A"),
                ("min_0", "50"),
                ("points_0", "4"),
                ("passing_0", "on"),
                ("letter_1", "B"),
                ("min_1", "60"),
                ("points_1", "3"),
                ("passing_1", "on"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let doc = Doc::parse(&refused.html);
    doc.expect_text(".alert-error", "must start at 0%");
    assert!(
        doc.has("input[name='min_1'][value='60']"),
        "the scale comes back as typed: {}",
        refused.html
    );
}

#[tokio::test]
async fn a_teacher_submits_through_the_section_page() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class { people, tess, .. } = class(&app, &w, 1).await;
    let (_, exam) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/assessments", w.section),
        &tess,
        Some(json!({"name": "Exam", "kind": "exam", "weight": 100, "max_marks": 100})),
    )
    .await;
    let mut browser = crate::util::Browser::new(&app);
    browser.sign_in("alpha", "tess@alpha.edu", PASSWORD).await;
    let uri = format!("/sections/{}/results", w.section);
    let page = browser.get(&uri).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    Doc::parse(&page.html).expect_text("main .stack > p", "Exam (1 student)");
    let refused = browser
        .post(&format!("{uri}/submit"), &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    Doc::parse(&refused.html).expect_text(".alert-error", "no mark yet");
    call(
        &app,
        "PUT",
        &format!("/api/v1/assessments/{}/marks", id(&exam)),
        &tess,
        Some(json!({"marks": [{"student_id": people[0].0, "score": 64}]})),
    )
    .await;
    let page = browser.get(&uri).await;
    let doc = Doc::parse(&page.html);
    assert!(
        doc.texts("table tbody td:nth-child(4)")
            .iter()
            .any(|grade| grade == "B+"),
        "64% is B+: {}",
        page.html
    );
    let done = browser
        .post(&format!("{uri}/submit"), &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(done.location.as_deref(), Some(uri.as_str()));
    let page = browser.get(&uri).await;
    let doc = Doc::parse(&page.html);
    doc.expect_text(
        "main .alert-success[role=status]",
        "submitted for publishing: 1 student graded",
    );
    assert_eq!(doc.text(".page-header .lead .badge"), "Submitted");
    assert!(!doc.has(&format!("form[action='{uri}/submit']")));
    let again = browser
        .post(&format!("{uri}/submit"), &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    Doc::parse(&again.html).expect_text(".alert-error", "already submitted");
}

#[tokio::test]
async fn year_end_rolls_over_once_and_transcripts_keep_the_past() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class { people, tess, .. } = class(&app, &w, 3).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    // s1 and s2 are in the final year of the three-year program.
    sqlx::query("UPDATE students SET year_of_study = 3 WHERE id = ANY($1)")
        .bind(vec![people[1].0, people[2].0])
        .execute(&mut *tx)
        .await
        .expect("final year");
    let (same_year, next_year): (Uuid, Uuid) = sqlx::query_as(
        "WITH y AS (INSERT INTO academic_years (college_id, name, starts_on, ends_on) \
                    VALUES (app_current_college(), 'Next', current_date + 201, current_date + 565) RETURNING id), \
              a AS (INSERT INTO terms (college_id, academic_year_id, name, starts_on, ends_on) \
                    SELECT app_current_college(), academic_year_id, 'Later term', current_date + 110, current_date + 190 FROM terms RETURNING id), \
              b AS (INSERT INTO terms (college_id, academic_year_id, name, starts_on, ends_on) \
                    SELECT app_current_college(), id, 'First of next', current_date + 210, current_date + 300 FROM y RETURNING id) \
         SELECT a.id, b.id FROM a, b",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("terms");
    tx.commit().await.expect("commit");

    let (_, exam) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/assessments", w.section),
        &tess,
        Some(json!({"name": "Exam", "kind": "exam", "weight": 100, "max_marks": 100})),
    )
    .await;
    let marks: Vec<Value> = people
        .iter()
        .zip([95, 20, 70])
        .map(|((s, _), score)| json!({"student_id": s, "score": score}))
        .collect();
    call(
        &app,
        "PUT",
        &format!("/api/v1/assessments/{}/marks", id(&exam)),
        &tess,
        Some(json!({ "marks": marks })),
    )
    .await;
    call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/results/submit", w.section),
        &tess,
        None,
    )
    .await;

    let rollover = format!("/api/v1/terms/{}/rollover", w.term);
    let (status, plan) = call(
        &app,
        "GET",
        &format!("{rollover}?to={next_year}"),
        &registrar,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!(plan["unpublished_sections"], json!(["CS101 A"]));
    let run = |to: Uuid| json!({ "to_term_id": to });
    let (status, problem) = call(&app, "POST", &rollover, &registrar, Some(run(next_year))).await;
    assert_eq!(status, StatusCode::CONFLICT, "results not yet published");
    assert!(problem.to_string().contains("CS101 A"));
    assert_eq!(
        call(&app, "POST", &rollover, &tess, Some(run(next_year)))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/results/publish", w.section),
        &registrar,
        None,
    )
    .await;
    let (status, _) = call(
        &app,
        "GET",
        &format!("{rollover}?to={}", w.term),
        &registrar,
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a term does not follow itself"
    );

    let (_, plan) = call(
        &app,
        "GET",
        &format!("{rollover}?to={same_year}"),
        &registrar,
        None,
    )
    .await;
    assert_eq!(plan["crosses_year"], false);
    assert_eq!(
        (plan["promoted"].clone(), plan["carried"].clone()),
        (json!(0), json!(1))
    );
    let (_, plan) = call(
        &app,
        "GET",
        &format!("{rollover}?to={next_year}"),
        &registrar,
        None,
    )
    .await;
    assert_eq!(plan["crosses_year"], true);
    // s0 and the student outside the section move up; s2 graduates; s1 carries CS101.
    assert_eq!(plan["promoted"], 2, "{plan}");
    assert_eq!(plan["graduating"], 1);
    assert_eq!(plan["held_in_final_year"], 1);
    assert_eq!(plan["carried"], 1);

    let (status, done) = call(&app, "POST", &rollover, &registrar, Some(run(next_year))).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done["ran_at"].is_string());
    let (status, again) = call(&app, "POST", &rollover, &registrar, Some(run(next_year))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["ran_at"], done["ran_at"], "the first run's answer");
    let (status, _) = call(&app, "POST", &rollover, &registrar, Some(run(same_year))).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "already rolled over elsewhere"
    );

    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let state: Vec<(i16, String)> = sqlx::query_as(
        "SELECT year_of_study, status FROM students WHERE id = ANY($1) ORDER BY student_number",
    )
    .bind(people.iter().map(|p| p.0).collect::<Vec<_>>())
    .fetch_all(&mut *tx)
    .await
    .expect("students");
    assert_eq!(
        state,
        [
            (2, "enrolled".to_string()),
            (3, "enrolled".to_string()),
            (3, "graduated".to_string())
        ],
        "promoted once, even after two runs"
    );
    let closed: bool = sqlx::query_scalar("SELECT closed_at IS NOT NULL FROM terms WHERE id = $1")
        .bind(w.term)
        .fetch_one(&mut *tx)
        .await
        .expect("term");
    assert!(closed);
    drop(tx);

    let (_, record) = call(&app, "GET", "/api/v1/me/record", &people[1].1, None).await;
    assert_eq!(record["carried"], json!(["CS101"]));
    let (_, record) = call(&app, "GET", "/api/v1/me/record", &people[0].1, None).await;
    assert_eq!(
        record["terms"][0]["term"], "This term",
        "the past term stays"
    );
    assert_eq!(record["terms"][0]["gpa"], 10.0);

    let mut browser = crate::util::Browser::new(&app);
    browser.sign_in("alpha", "reg@alpha.edu", PASSWORD).await;
    let page = browser
        .get(&format!("/terms/rollover?from={}&to={next_year}", w.term))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    Doc::parse(&page.html).expect_text("h2#plan", "Already rolled over");
}
