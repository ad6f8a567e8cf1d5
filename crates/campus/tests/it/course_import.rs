//! Courses imported from CSV as other products export them (a byte-order mark, CRLF,
//! quoted cells, columns in their own order, prerequisites naming a course further down
//! the file): every problem named by line and column and nothing written, then all rows
//! written, and the same file again changing nothing.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use serde_json::{Value, json};

use crate::util::api::{call, call_multipart, token_with_code};
use crate::util::fixtures::{self, PASSWORD, TOTP_SECRET};
use crate::util::html::Doc;
use crate::util::{Browser, TestApp};

fn problems(report: &Value) -> Vec<(u64, String)> {
    report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap_or_default(),
                e["column"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

async fn courses(app: &TestApp, college: campus::db::CollegeId) -> i64 {
    let mut tx = campus::db::begin_for_college(&app.pool, college)
        .await
        .expect("tx");
    let n = sqlx::query_scalar("SELECT count(*) FROM courses")
        .fetch_one(&mut *tx)
        .await
        .expect("count");
    tx.commit().await.expect("commit");
    n
}

#[tokio::test]
async fn courses_import_in_two_passes_all_or_nothing() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let admin = token_with_code(&app, "alpha", "admin@alpha.edu", PASSWORD, TOTP_SECRET).await;
    let (status, answer) = call(
        &app,
        "POST",
        "/api/v1/departments",
        &admin,
        Some(json!({"code": "CSE", "name": "Computing"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let import = |csv: &'static str, preview: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            call_multipart(
                app,
                "POST",
                "/api/v1/courses/import",
                &admin,
                &[("preview", preview)],
                &[("file", "courses.csv", csv.as_bytes())],
            )
            .await
        }
    };

    let bad = "\u{feff}Title,Code,Credits,Department,Prerequisites\r\n\
               \"Data structures, advanced\",CS301,4,CSE,CS201\r\n\
               Programming,CS101,four,CSE,\r\n\
               Loops,CS401,3,CSE,CS402\r\n\
               Loops back,CS402,3,CSE,CS401\r\n\
               Sums,MA101,3,MATH,\r\n\
               =cmd|' /C calc'!A0,MA102,3,CSE,\r\n\
               Data structures,CS201,4,CSE,\"CS101; CS999\"\r\n";
    let (status, report) = import(bad, "false").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
    assert_eq!(report["committed"], false);
    assert_eq!(report["rows"], 7);
    let mut found = problems(&report);
    found.sort();
    assert_eq!(
        found,
        [
            (3, "credits".to_string()),
            (5, "prerequisites".to_string()),
            (6, "department".to_string()),
            (7, "title".to_string()),
            (8, "prerequisites".to_string()),
            (8, "prerequisites".to_string()),
        ],
        "{report}"
    );
    assert_eq!(courses(&app, college).await, 0, "nothing written");

    let good = "\u{feff}Title,Code,Credits,Department,Prerequisites,Description\r\n\
                \"Data structures, advanced\",CS301,4,CSE,CS201,\r\n\
                Data structures,CS201,4,CSE,CS101,Lists and trees\r\n\
                Programming,CS101,4,cse,,\r\n";
    let (status, report) = import(good, "true").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (report["created"].as_u64(), report["committed"].as_bool()),
        (Some(3), Some(false))
    );
    let (status, report) = import(good, "false").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["committed"], true);
    let (status, report) = import(good, "false").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (report["created"].as_u64(), report["updated"].as_u64()),
        (Some(0), Some(3))
    );

    assert_eq!(courses(&app, college).await, 3);
    let mut tx = campus::db::begin_for_college(&app.pool, college)
        .await
        .expect("tx");
    let needs: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.code, p.code FROM course_prerequisites cp \
         JOIN courses c ON c.id = cp.course_id JOIN courses p ON p.id = cp.prerequisite_id ORDER BY 1",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("prerequisites");
    tx.commit().await.expect("commit");
    assert_eq!(
        needs,
        [
            ("CS201".to_string(), "CS101".to_string()),
            ("CS301".to_string(), "CS201".to_string())
        ]
    );

    // A column Campus does not know is the file's problem, named.
    let (status, problem) = import(
        "code,title,credits,department,colour\r\nX1,Y,1,CSE,red\r\n",
        "true",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(problem.to_string().contains("colour"), "{problem}");

    // The page: the form, and a preview's problems listed.
    let mut browser = Browser::new(&app);
    browser.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;
    let page = browser.get("/catalog/courses/import").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.csrf();
    let previewed = browser
        .post_multipart(
            "/catalog/courses/import",
            &[("_csrf", &csrf), ("mode", "preview")],
            &[("file", "courses.csv", bad.as_bytes())],
        )
        .await;
    // CS101 exists by now: only CS999 is unknown on line 8.
    assert_eq!(previewed.status, StatusCode::UNPROCESSABLE_ENTITY);
    let doc = Doc::parse(&previewed.html);
    assert!(
        doc.text(".alert-error").contains("5 problems in 7 rows"),
        "{}",
        doc.text(".alert-error")
    );
    let actions = fixtures::audit_actions(&app.pool, college).await;
    assert!(actions.iter().any(|a| a == "setup.imported"));
}
