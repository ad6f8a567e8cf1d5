//! Setup registers imported from CSV, as files other products and spreadsheets write
//! them (a byte-order mark, words for kinds and levels, quoted cells, CRLF): a preview
//! names every problem by line and column and writes nothing; an import writes all rows
//! or none; the same file again changes nothing; a wrong column is refused by name.

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

#[tokio::test]
async fn rooms_import_all_or_nothing_with_every_problem_named() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let admin = token_with_code(&app, "alpha", "admin@alpha.edu", PASSWORD, TOTP_SECRET).await;
    for (uri, body) in [
        (
            "/api/v1/campuses",
            json!({"code": "MAIN", "name": "Main campus"}),
        ),
        (
            "/api/v1/buildings",
            json!({"code": "ENG", "name": "Engineering", "campus": "MAIN", "floors": 3}),
        ),
    ] {
        let (status, answer) = call(&app, "POST", uri, &admin, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    let import = |csv: &'static str, preview: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            call_multipart(
                app,
                "POST",
                "/api/v1/rooms/import",
                &admin,
                &[("preview", preview)],
                &[("file", "rooms.csv", csv.as_bytes())],
            )
            .await
        }
    };

    // Four bad rows among good ones: each named, nothing written, even asked to import.
    let bad = "\u{feff}code,name,building,kind,capacity,floor,features\r\n\
               ENG-101,Lecture hall 1,ENG,Lecture hall,120,1,projector;wheelchair access\r\n\
               ENG-102,Lab,ENG,sauna,30,1,\r\n\
               ENG-103,=HYPERLINK(\"http://x\"),ENG,lab,30,1,\r\n\
               eng-101,Again,ENG,lab,30,1,\r\n\
               ENG-104,Big lab,NOPE,lab,many,-1,\r\n\
               ENG-105,\"Seminar room, north\",ENG,seminar,25,-1,\r\n";
    let (status, report) = import(bad, "false").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
    assert_eq!(report["committed"], false);
    assert_eq!(report["rows"], 6);
    assert_eq!(
        problems(&report),
        [
            (3, "kind".to_string()),
            (4, "name".to_string()),
            (5, "code".to_string()),
            (6, "capacity".to_string()),
        ],
        "{report}"
    );
    let (_, rooms) = call(&app, "GET", "/api/v1/rooms", &admin, None).await;
    assert_eq!(rooms, json!([]), "nothing half-written");

    // The good rows: previewed (nothing written), then imported.
    let good = "code,name,building,kind,capacity,floor,features\n\
                ENG-101,Lecture hall 1,ENG,Lecture hall,120,1,projector;wheelchair access\n\
                ENG-105,\"Seminar room, north\",ENG,seminar,25,-1,\n";
    let (status, report) = import(good, "true").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (report["created"].clone(), report["committed"].clone()),
        (json!(2), json!(false))
    );
    let (_, rooms) = call(&app, "GET", "/api/v1/rooms", &admin, None).await;
    assert_eq!(rooms, json!([]), "a preview writes nothing");
    let (status, report) = import(good, "false").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["committed"], true);
    let (_, rooms) = call(&app, "GET", "/api/v1/rooms?sort=code", &admin, None).await;
    assert_eq!(rooms[0]["kind"], "lecture_hall", "{rooms}");
    assert_eq!(
        rooms[0]["features"],
        json!(["projector", "wheelchair_access"])
    );
    assert_eq!(rooms[1]["name"], "Seminar room, north");
    assert_eq!(
        rooms[1]["floor"], -1,
        "a basement is a number, not a formula"
    );
    // The same file again changes nothing; a changed capacity updates the room.
    let (_, report) = import(good, "false").await;
    assert_eq!(
        (report["created"].clone(), report["updated"].clone()),
        (json!(0), json!(2))
    );
    let (_, rooms) = call(&app, "GET", "/api/v1/rooms", &admin, None).await;
    assert_eq!(rooms.as_array().map(Vec::len), Some(2));

    // A wrong or missing column refuses the file, naming it.
    let (status, problem) = import(
        "code,name,building,kind,capacity,colour\nX,Y,ENG,lab,1,red\n",
        "true",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("`colour`")),
        "{problem}"
    );
    let (status, problem) = import("code,name,kind,capacity\nX,Y,lab,1\n", "true").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("lacks building")),
        "{problem}"
    );

    let actions = fixtures::audit_actions(&app.pool, college).await;
    assert!(actions.iter().any(|a| a == "setup.imported"), "{actions:?}");
    assert_eq!(
        actions.iter().filter(|a| *a == "room.created").count(),
        2,
        "{actions:?}"
    );
}

#[tokio::test]
async fn departments_and_programs_import_from_the_pages() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let mut admin = Browser::new(&app);
    admin.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;

    let list = admin.get("/setup/departments").await;
    assert!(Doc::parse(&list.html).has("a[href='/setup/departments/import']"));
    let page = admin.get("/setup/departments/import").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let departments = b"code,name\nCSE,Computer Science\nECE,Electronics\n";
    let preview = admin
        .post_multipart(
            "/setup/departments/import",
            &[("_csrf", &page.csrf()), ("mode", "preview")],
            &[("file", "departments.csv", departments)],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.html);
    Doc::parse(&preview.html).expect_text(".alert-success", "would add 2 departments");
    let done = admin
        .post_multipart(
            "/setup/departments/import",
            &[("_csrf", &page.csrf()), ("mode", "import")],
            &[("file", "departments.csv", departments)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(done.location.as_deref(), Some("/setup/departments"));
    let list = admin.get("/setup/departments").await;
    let doc = Doc::parse(&list.html);
    doc.expect_text("main .alert-success", "Imported 2 rows: 2 new departments");
    doc.expect_text(".list-summary", "of 2");

    // Programs: a level in words is read; a bad row is listed by line and column.
    let page = admin.get("/setup/programs/import").await;
    let programs = b"code,name,department,level,duration_years,intake_capacity\n\
                     BTECH-CSE,B.Tech CSE,CSE,Undergraduate,4,120\n\
                     MTECH,M.Tech,MECH,Postgraduate,2,\n\
                     PHD,Doctorate,CSE,doctoral,nine,\n";
    let refused = admin
        .post_multipart(
            "/setup/programs/import",
            &[("_csrf", &page.csrf()), ("mode", "import")],
            &[("file", "programs.csv", programs)],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    let doc = Doc::parse(&refused.html);
    doc.expect_text(".alert-error", "2 problems in 3 rows; nothing was written");
    let lines = doc.texts("td[data-label=Line]");
    let columns = doc.texts("td[data-label=Column]");
    assert_eq!(lines, ["3", "4"]);
    assert_eq!(columns, ["department", "duration_years"]);
    let list = admin.get("/setup/programs").await;
    assert!(
        !Doc::parse(&list.html).has("#records td[data-label=Code]"),
        "nothing half-written"
    );
    // A file with a column Campus does not know: refused under the file field.
    let wrong = admin
        .post_multipart(
            "/setup/programs/import",
            &[("_csrf", &page.csrf()), ("mode", "preview")],
            &[("file", "programs.csv", b"code,name,dept\nX,Y,Z\n")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    Doc::parse(&wrong.html).expect_text("#file-error", "`dept`");
}
