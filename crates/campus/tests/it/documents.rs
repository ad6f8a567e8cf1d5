//! Documents: report cards and transcripts as PDF with a verification page that shows no
//! more than the document, mark sheets with defused cells, and a program's report cards
//! printed as one job.

use std::io::Read;

use axum::http::{StatusCode, header};
use campus::access::permissions::Role;
use campus::db::begin_for_college;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::util::TestApp;
use crate::util::api::{call, download, issue};
use crate::util::app::body_text;
use crate::util::fixtures::{self, PASSWORD};
use crate::util::html::Doc;
use crate::util::world::{Class, World, class, same_password, token_of, world};

/// A class of two whose results are published: 90% (O) and 34% (F).
async fn published(app: &TestApp) -> (World, Class, String) {
    let w = world(app, 10).await;
    let class = class(app, &w, 2).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = token_of(app, "reg@alpha.edu").await;
    let (_, exam) = call(
        app,
        "POST",
        &format!("/api/v1/sections/{}/assessments", w.section),
        &class.tess,
        Some(json!({"name": "Exam", "kind": "exam", "weight": 100, "max_marks": 100})),
    )
    .await;
    let marks = json!({"marks": [
        {"student_id": class.people[0].0, "score": 90},
        {"student_id": class.people[1].0, "score": 34},
    ]});
    call(
        app,
        "PUT",
        &format!(
            "/api/v1/assessments/{}/marks",
            exam["id"].as_str().expect("id")
        ),
        &class.tess,
        Some(marks),
    )
    .await;
    let (status, body) = call(
        app,
        "POST",
        &format!("/api/v1/sections/{}/results/submit", w.section),
        &class.tess,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = call(
        app,
        "POST",
        &format!("/api/v1/sections/{}/results/publish", w.section),
        &registrar,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    (w, class, registrar)
}

async fn codes(app: &TestApp, w: &World) -> Vec<(String, String)> {
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query_as("SELECT code, kind FROM issued_documents ORDER BY issued_at")
        .fetch_all(&mut *tx)
        .await
        .expect("codes")
}

#[tokio::test]
async fn transcripts_and_report_cards_are_issued_and_verifiable() {
    let app = TestApp::new().await;
    let (w, Class { people, other, .. }, _) = published(&app).await;
    let mine = format!("/api/v1/students/{}/transcript", people[0].0);
    let (status, kind, pdf, _) = issue(&app, &mine, &people[0].1).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "application/pdf");
    assert!(
        pdf.starts_with(b"%PDF-") && pdf.len() > 5_000,
        "{}",
        pdf.len()
    );
    let (status, ..) = issue(&app, &mine, &people[1].1).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "another student's transcript"
    );
    let (status, ..) = issue(&app, &mine, &other).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a teacher who does not teach them"
    );

    let card = format!(
        "/api/v1/students/{}/report-card?term={}",
        people[0].0, w.term
    );
    let (status, kind, pdf, _) = issue(&app, &card, &people[0].1).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/pdf"));
    assert!(pdf.starts_with(b"%PDF-"));
    // To look at one: CAMPUS_SAMPLE_PDF=/tmp/card.pdf cargo nextest run documents
    if let Ok(path) = std::env::var("CAMPUS_SAMPLE_PDF") {
        std::fs::write(path, &pdf).expect("write the sample");
    }
    let elsewhere = format!(
        "/api/v1/students/{}/report-card?term={}",
        people[0].0,
        Uuid::new_v4()
    );
    let (status, _, body, _) = issue(&app, &elsewhere, &people[0].1).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8_lossy(&body).contains("no published results"));
    let (status, ..) = issue(
        &app,
        &format!("/api/v1/students/{}/report-card?term=soon", people[0].0),
        &people[0].1,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let issued = codes(&app, &w).await;
    assert_eq!(
        issued.iter().map(|(_, k)| k.as_str()).collect::<Vec<_>>(),
        ["transcript", "report_card"]
    );
    assert!(
        fixtures::audit_actions(&app.pool, w.college)
            .await
            .iter()
            .any(|a| a == "document.issued")
    );

    // The public page: genuine, with what the document shows and nothing else; the
    // college's page leads to it.
    let landing = body_text(app.get("/c/alpha").await).await;
    assert!(
        Doc::parse(&landing).has("a[href='/c/alpha/verify']"),
        "{landing}"
    );
    let form = app.get("/c/alpha/verify").await;
    assert_eq!(form.status(), StatusCode::OK);
    let (code, _) = &issued[0];
    let page = app.get(&format!("/c/alpha/verify/{code}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = body_text(page).await;
    let doc = Doc::parse(&html);
    doc.expect_text("main .alert-success", "Genuine");
    doc.expect_text("section[aria-labelledby=doc] dl.facts dd", "S00000");
    doc.expect_text("section[aria-labelledby=doc] table tbody td", "CS101");
    assert!(
        doc.texts("section[aria-labelledby=doc] table tbody td:nth-child(4)")
            .iter()
            .any(|grade| grade == "O"),
        "{html}"
    );
    assert!(!html.contains("S00001"), "another student's data");
    // (Only as a figure of its own: the random verification code may hold "90".)
    assert!(
        [">90", "90%", "90.", " 90 "]
            .iter()
            .all(|p| !html.contains(p)),
        "percentages are not on the page: {html}"
    );
    let typed = format!(
        "/c/alpha/verify?code={}",
        code.to_lowercase()
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    );
    let redirected = app.get(&typed).await;
    assert_eq!(redirected.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        redirected.headers()[header::LOCATION],
        format!("/c/alpha/verify/{code}").as_str()
    );
    let unknown = app.get("/c/alpha/verify/ZZZZZZZZZZZZZZZZ").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    Doc::parse(&body_text(unknown).await).expect_text(".alert-error", "No document of");
    let garbage = app.get("/c/alpha/verify/%3Cscript%3E").await;
    assert_eq!(garbage.status(), StatusCode::NOT_FOUND);
    assert!(!body_text(garbage).await.contains("<script>"));
    // The code belongs to its college only.
    fixtures::college(&app.pool, "beta").await;
    let other_college = app.get(&format!("/c/beta/verify/{code}")).await;
    assert_eq!(other_college.status(), StatusCode::NOT_FOUND);

    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query("UPDATE issued_documents SET revoked_at = now(), revoked_reason = 'issued in error' WHERE code = $1")
        .bind(code)
        .execute(&mut *tx)
        .await
        .expect("revoke");
    tx.commit().await.expect("commit");
    let html = body_text(app.get(&format!("/c/alpha/verify/{code}")).await).await;
    let doc = Doc::parse(&html);
    doc.expect_text(".alert-error", "was revoked");
    doc.expect_text(".alert-error", "issued in error");
    assert!(!html.contains("Genuine"));
    assert!(!doc.has("main .alert-success"));

    // The student's results page offers both documents, as forms with CSRF tokens.
    same_password(&app, &w, "s0@alpha.edu", "tess@alpha.edu").await;
    let mut browser = crate::util::Browser::new(&app);
    browser.sign_in("alpha", "s0@alpha.edu", PASSWORD).await;
    let page = browser.get("/results").await;
    Doc::parse(&page.html).expect_text(
        &format!("form[action='/students/{}/transcript'] button", people[0].0),
        "Download transcript",
    );
    let forged = browser
        .post(&format!("/students/{}/transcript", people[0].0), &[])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no CSRF token");
    let pdf = browser
        .post(
            &format!("/students/{}/transcript", people[0].0),
            &[("_csrf", &page.csrf())],
        )
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.html.starts_with("%PDF-"));
}

#[tokio::test]
async fn mark_sheets_come_as_csv_and_xlsx_with_formulas_defused() {
    let app = TestApp::new().await;
    let (
        w,
        Class {
            people,
            tess,
            other,
            ..
        },
        _,
    ) = published(&app).await;
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query("UPDATE students SET first_name = '=HYPERLINK(\"http://evil\")' WHERE id = $1")
        .bind(people[1].0)
        .execute(&mut *tx)
        .await
        .expect("rename");
    tx.commit().await.expect("commit");
    let sheet = format!("/api/v1/sections/{}/marksheet", w.section);
    let (status, kind, csv, _) = download(&app, &sheet, &tess).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/csv"));
    let csv = String::from_utf8(csv).expect("utf8");
    assert!(
        csv.starts_with("Student number,Name,\"Exam (out of 100, 100%)\",Percent,Grade,Results"),
        "{csv}"
    );
    assert!(
        csv.contains("S00000,Student No0,90,90,O,published"),
        "{csv}"
    );
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    let (status, kind, xlsx, _) = download(&app, &format!("{sheet}?format=xlsx"), &tess).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.contains("spreadsheetml"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("xlsx is a zip");
    let mut strings = String::new();
    archive
        .by_name("xl/sharedStrings.xml")
        .expect("strings")
        .read_to_string(&mut strings)
        .expect("read");
    assert!(strings.contains("'=HYPERLINK"), "{strings}");
    let (status, kind, pdf, _) = download(&app, &format!("{sheet}?format=pdf"), &tess).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/pdf"));
    assert!(pdf.starts_with(b"%PDF-"));
    let (status, ..) = download(&app, &format!("{sheet}?format=odt"), &tess).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, ..) = download(&app, &sheet, &other).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, ..) = download(&app, &sheet, &people[0].1).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "students do not get the sheet"
    );
}

#[tokio::test]
async fn a_registrar_prints_a_programs_report_cards_as_one_job() {
    let app = TestApp::new().await;
    let (w, Class { tess, .. }, registrar) = published(&app).await;
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let program: Uuid = sqlx::query_scalar("SELECT id FROM programs")
        .fetch_one(&mut *tx)
        .await
        .expect("program");
    tx.commit().await.expect("commit");
    let request = json!({"program_id": program, "term_id": w.term});
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/report-card-jobs",
        &tess,
        Some(request.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = call(
        &app,
        "POST",
        "/api/v1/report-card-jobs",
        &registrar,
        Some(json!({"program_id": Uuid::new_v4(), "term_id": w.term})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem.to_string().contains("no such program"));
    // A kind must be one of the two the API document names; left out, report cards.
    for kind in ["", "transcripts"] {
        let (status, problem) = call(
            &app,
            "POST",
            "/api/v1/report-card-jobs",
            &registrar,
            Some(json!({"program_id": program, "term_id": w.term, "kind": kind})),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{kind:?}: {problem}"
        );
        assert!(problem.to_string().contains("kind"), "{problem}");
    }
    let (status, created) = call(
        &app,
        "POST",
        "/api/v1/report-card-jobs",
        &registrar,
        Some(request),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{created}");
    let job = created["id"].as_str().expect("id").to_string();

    let runner = campus::documents::jobs::service::Runner {
        pool: app.pool.clone(),
        files: app.state.files.clone(),
        base_url: "http://campus.test".into(),
    };
    assert_eq!(runner.run_due().await.expect("run"), 1);
    let (_, view): (StatusCode, Value) = call(
        &app,
        "GET",
        &format!("/api/v1/report-card-jobs/{job}"),
        &registrar,
        None,
    )
    .await;
    assert_eq!(view["status"], "done", "{view}");
    assert_eq!(
        (view["done"].clone(), view["total"].clone()),
        (json!(2), json!(2))
    );
    let (status, kind, zipped, _) = download(
        &app,
        &format!("/api/v1/report-card-jobs/{job}/download"),
        &registrar,
    )
    .await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/zip"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zipped)).expect("zip");
    assert_eq!(archive.len(), 2);
    let mut first = Vec::new();
    archive
        .by_index(0)
        .expect("entry")
        .read_to_end(&mut first)
        .expect("read");
    assert!(first.starts_with(b"%PDF-"));
    assert_eq!(
        codes(&app, &w).await.len(),
        2,
        "each card is issued with its own code"
    );
    assert_eq!(
        runner.run_due().await.expect("run"),
        0,
        "nothing left to do"
    );

    // The page lists the job with its download.
    let mut browser = crate::util::Browser::new(&app);
    browser.sign_in("alpha", "reg@alpha.edu", PASSWORD).await;
    let page = browser.get("/documents/report-cards").await;
    assert!(
        Doc::parse(&page.html).has(&format!(
            "table tbody a[href='/documents/report-cards/{job}/download']"
        )),
        "{}",
        page.html
    );
}

/// Why each identity card issued was revoked (`None`: it stands), oldest first.
async fn card_standing(app: &TestApp, w: &World) -> Vec<Option<String>> {
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query_scalar(
        "SELECT revoked_reason FROM issued_documents WHERE kind = 'id_card' ORDER BY issued_at",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("cards")
}

/// After issue: grades amended later supersede a transcript, a registrar revokes a
/// document with a reason, identity cards are revoked when replaced or when the student
/// leaves, documents are issued only by POST, and one account's daily allowance holds.
#[tokio::test]
async fn issued_documents_are_superseded_revoked_and_limited() {
    let app = TestApp::new().await;
    let (w, Class { people, .. }, registrar) = published(&app).await;
    let (student, token) = (people[0].0, people[0].1.clone());

    // Only by POST: a GET (a link, an image on another site) issues nothing.
    for path in ["transcript", "id-card", "portfolio"] {
        let (status, ..) =
            download(&app, &format!("/api/v1/students/{student}/{path}"), &token).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
    }
    let (status, ..) = issue(
        &app,
        &format!("/api/v1/students/{student}/transcript"),
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (transcript_code, _) = codes(&app, &w).await.remove(0);

    // A grade amended after issue: the transcript shows as superseded.
    let exam: uuid::Uuid = {
        let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
        sqlx::query_scalar("SELECT id FROM assessments LIMIT 1")
            .fetch_one(&mut *tx)
            .await
            .expect("exam")
    };
    let (status, body) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/results/amend", w.section),
        &registrar,
        Some(json!({"student_id": student, "assessment_id": exam, "score": 80, "reason": "re-marked paper"})),
    )
    .await;
    assert!(status.is_success(), "{status} {body}");
    let html = body_text(app.get(&format!("/c/alpha/verify/{transcript_code}")).await).await;
    Doc::parse(&html).expect_text(".alert-warning", "Superseded");

    // The registrar revokes it with a reason; the student cannot.
    let (status, list) = call(
        &app,
        "GET",
        &format!("/api/v1/students/{student}/documents"),
        &registrar,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let document = list[0]["id"].as_str().expect("id").to_string();
    assert!(list[0]["superseded_at"].is_string(), "{list}");
    let revoke = format!("/api/v1/documents/{document}/revoke");
    let (status, _) = call(
        &app,
        "POST",
        &revoke,
        &token,
        Some(json!({"reason": "mine"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = call(
        &app,
        "POST",
        &revoke,
        &registrar,
        Some(json!({"reason": ""})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = call(
        &app,
        "POST",
        &revoke,
        &registrar,
        Some(json!({"reason": "issued with an error"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        &app,
        "POST",
        &revoke,
        &registrar,
        Some(json!({"reason": "again"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let html = body_text(app.get(&format!("/c/alpha/verify/{transcript_code}")).await).await;
    let doc = Doc::parse(&html);
    doc.expect_text(".alert-error", "revoked");
    doc.expect_text(".alert-error", "issued with an error");

    // Identity cards: a new card replaces the old; leaving the college revokes the rest.
    for _ in 0..2 {
        let (status, ..) = issue(
            &app,
            &format!("/api/v1/students/{student}/id-card"),
            &registrar,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(
        card_standing(&app, &w).await,
        [Some("replaced by a newer card".to_string()), None]
    );
    let (status, body) = call(
        &app,
        "POST",
        &format!("/api/v1/students/{student}/status"),
        &registrar,
        Some(json!({"status": "withdrawn", "reason": "moved to another city"})),
    )
    .await;
    assert!(status.is_success(), "{status} {body}");
    assert!(
        card_standing(&app, &w)
            .await
            .iter()
            .all(|r| r.as_deref().is_some_and(|r| !r.is_empty())),
        "a card outlived the student's leaving"
    );

    // One account's daily allowance: the hundredth document today is the last.
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query(
        "INSERT INTO issued_documents (college_id, code, kind, student_id, contents, pdf_sha256, issued_by) \
         SELECT app_current_college(), upper(substr(md5(g::text), 1, 16)), 'transcript', $1, '{}', \
                md5(g::text) || md5(g::text), (SELECT user_id FROM students WHERE id = $1) \
         FROM generate_series(1, 100) g",
    )
    .bind(people[1].0)
    .execute(&mut *tx)
    .await
    .expect("earlier documents");
    tx.commit().await.expect("commit");
    let (status, ..) = issue(
        &app,
        &format!("/api/v1/students/{}/transcript", people[1].0),
        &people[1].1,
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}
