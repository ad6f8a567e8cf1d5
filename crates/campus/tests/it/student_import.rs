//! Importing students with guardians from CSV: a preview names every problem by line and
//! column, an import writes all rows or none, and running the same file again changes
//! nothing.

use axum::http::StatusCode;
use campus::access::permissions::Role;

use crate::util::TestApp;
use crate::util::api::call_multipart;
use crate::util::db::scalar;
use crate::util::fixtures;
use crate::util::world::{token_of, world};

/// How many rows `table` holds in `college`.
async fn rows_in(app: &TestApp, college: campus::db::CollegeId, table: &str) -> i64 {
    scalar(app, college, &format!("SELECT count(*) FROM {table}")).await
}

const GOOD: &str = "student_number,first_name,last_name,email,date_of_birth,program,admitted_on,year_of_study,guardian_first_name,guardian_last_name,guardian_email,guardian_relationship,guardian2_first_name,guardian2_last_name,guardian2_relationship,vendor_x\n\
S2026-0001,Ada,Lovelace,ada@alpha.edu,2008-04-30,BSC-CS,2026-07-01,1,Anne,Byron,anne@example.org,mother,George,Byron,father,7\n\
S2026-0002,Ben,Lovelace,,2009-01-02,bsc-cs,2026-07-01,1,Anne,Byron,ANNE@example.org,mother,,,,8\n\
S2026-0003,Cy,Okafor,,,BSC-CS,2026-07-01,2,,,,,,,,9\n";

#[tokio::test]
async fn students_and_guardians_import_all_or_nothing_and_again_without_duplicates() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    fixtures::user(&app.pool, w.college, "t@alpha.edu", &[Role::Teacher]).await;
    let teacher = token_of(&app, "t@alpha.edu").await;
    let import = |text: &'static str, preview: &'static str| {
        let registrar = registrar.clone();
        let app = &app;
        async move {
            call_multipart(
                app,
                "POST",
                "/api/v1/students/import",
                &registrar,
                &[("preview", preview)],
                &[("file", "students.csv", text.as_bytes())],
            )
            .await
        }
    };

    let (status, _) = call_multipart(
        &app,
        "POST",
        "/api/v1/students/import",
        &teacher,
        &[],
        &[("file", "s.csv", GOOD.as_bytes())],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A preview writes nothing and says what an import would do.
    let (status, report) = import(GOOD, "true").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["rows"], 3);
    assert_eq!(report["students_new"], 3);
    assert_eq!(
        report["guardians_new"], 2,
        "siblings share their mother: {report}"
    );
    assert_eq!(report["links_new"], 3);
    assert_eq!(report["ignored_columns"][0], "vendor_x");
    assert_eq!(report["committed"], false);
    assert_eq!(rows_in(&app, w.college, "students").await, 0);

    // One bad row stops the whole file, and every problem is named.
    let bad = "student_number,first_name,last_name,program,admitted_on,guardian_email\n\
S2026-0001,Ada,Lovelace,BSC-CS,2026-07-01,\n\
S2026-0001,=cmd|' /C calc'!A0,X,BSC-CS,2026-13-01,not-an-email\n\
S2026-0009,Zed,Q,NOPE,2026-07-01,\n";
    let (status, report) = import(bad, "false").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
    let problems: Vec<(u64, String)> = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().expect("line"),
                e["column"].as_str().expect("column").to_string(),
            )
        })
        .collect();
    for expected in [
        (3, "student_number"),
        (3, "first_name"),
        (3, "admitted_on"),
        (3, "guardian_email"),
        (4, "program"),
    ] {
        assert!(
            problems.contains(&(expected.0, expected.1.to_string())),
            "{expected:?} in {problems:?}"
        );
    }
    assert_eq!(report["committed"], false);
    assert_eq!(
        rows_in(&app, w.college, "students").await,
        0,
        "nothing half-written"
    );

    // Unreadable files are refused whole.
    let (status, _) = call_multipart(
        &app,
        "POST",
        "/api/v1/students/import",
        &registrar,
        &[("preview", "false")],
        &[("file", "s.csv", b"first_name,last_name\nA,B\n")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "required columns");
    let (status, _) = call_multipart(
        &app,
        "POST",
        "/api/v1/students/import",
        &registrar,
        &[("preview", "false")],
        &[("file", "s.csv", b"\xff\xfe\x00s\x00t")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "not UTF-8");

    // The import, then the same file again.
    let (status, report) = import(GOOD, "false").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["committed"], true);
    assert_eq!(rows_in(&app, w.college, "students").await, 3);
    assert_eq!(rows_in(&app, w.college, "guardians").await, 2);
    assert_eq!(rows_in(&app, w.college, "student_guardians").await, 3);
    let (status, again) = import(GOOD, "false").await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        (
            again["students_new"].as_i64(),
            again["students_existing"].as_i64()
        ),
        (Some(0), Some(3))
    );
    assert_eq!(
        (again["guardians_new"].as_i64(), again["links_new"].as_i64()),
        (Some(0), Some(0)),
        "{again}"
    );
    assert_eq!(rows_in(&app, w.college, "students").await, 3);
    assert_eq!(rows_in(&app, w.college, "guardians").await, 2);
    assert_eq!(rows_in(&app, w.college, "student_guardians").await, 3);

    // Imported students are found by the search.
    let (_, found) =
        crate::util::api::call(&app, "GET", "/api/v1/students?q=okaf", &registrar, None).await;
    assert_eq!(
        found["students"][0]["student_number"], "S2026-0003",
        "{found}"
    );
    assert!(
        fixtures::audit_actions(&app.pool, w.college)
            .await
            .iter()
            .any(|a| a == "students.imported")
    );
}
