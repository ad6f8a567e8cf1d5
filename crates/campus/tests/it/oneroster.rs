//! OneRoster: a 1.1 or 1.2 bulk archive previews with every problem named by file, line
//! and column, imports all or nothing, imports again without duplicating, and exports
//! back with formula cells defused; hostile archives are refused.

use std::io::{Read, Write};

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::db::begin_for_college;

use crate::util::TestApp;
use crate::util::api::{call_multipart, download};
use crate::util::db::scalar;
use crate::util::fixtures;
use crate::util::world::{token_of, world};

fn zipped(entries: &[(&str, String)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in entries {
        zip.start_file(*name, options).expect("start");
        zip.write_all(text.as_bytes()).expect("write");
    }
    zip.finish().expect("finish").into_inner()
}

fn archive_11(users_extra: &str, birth: &str) -> Vec<u8> {
    zipped(&[
        ("manifest.csv", "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.academicSessions,bulk\nfile.orgs,bulk\nfile.courses,bulk\nfile.classes,bulk\nfile.users,bulk\nfile.enrollments,bulk\nfile.demographics,bulk\nfile.results,absent\nsource.systemName,OtherSIS\n".into()),
        ("orgs.csv", "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nsch1,active,,Alpha High,school,ALPHA,\ndep1,active,,Computing,department,CSE,sch1\n".into()),
        ("academicSessions.csv", "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\nyr40,active,,2040-41,schoolYear,2040-07-01,2041-06-30,,2041\nt40,active,,Fall 2040,term,2040-07-15,2040-12-15,yr40,2041\ngp1,active,,Quarter 1,gradingPeriod,2040-07-15,2040-09-30,t40,2041\n".into()),
        ("courses.csv", "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes,metadata.vendor\nc1,active,,yr40,Compilers,CS 301,,dep1,,,x\n".into()),
        ("classes.csv", "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\ncl1,active,,Compilers A,,c1,A,scheduled,Room 1,sch1,t40,,,\n".into()),
        ("users.csv", format!("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\nstu1,active,,true,sch1,student,ada.l,,Ada,Lovelace,,OR-0001,ada.or@alpha.edu,,,par1,,\npar1,active,,true,sch1,parent,anne.b,,Anne,Byron,,,anne.or@example.org,,+44 20 7946 0000,stu1,,\ntea1,active,,true,sch1,teacher,tess.t,,Tess,Turing,,T-0001,tess.or@alpha.edu,,,,,\n{users_extra}")),
        ("enrollments.csv", "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\ne1,active,,cl1,sch1,stu1,student,false,,\ne2,active,,cl1,sch1,tea1,teacher,true,,\n".into()),
        ("demographics.csv", format!("sourcedId,status,dateLastModified,birthDate,sex\nstu1,active,,{birth},female\n")),
        ("results.csv", "sourcedId\n".into()),
    ])
}

async fn import(
    app: &TestApp,
    token: &str,
    bytes: &[u8],
    preview: &str,
    program: &str,
) -> (StatusCode, serde_json::Value) {
    call_multipart(
        app,
        "POST",
        "/api/v1/oneroster/import",
        token,
        &[("preview", preview), ("program", program)],
        &[("file", "roster.zip", bytes)],
    )
    .await
}

#[tokio::test]
async fn oneroster_archives_import_all_or_nothing_again_without_duplicates_and_export() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    fixtures::user(&app.pool, w.college, "t@alpha.edu", &[Role::Teacher]).await;
    let teacher = token_of(&app, "t@alpha.edu").await;
    let good = archive_11("", "2008-04-30");

    let (status, _) = import(&app, &teacher, &good, "true", "BSC-CS").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // OneRoster has no programs: new students need one chosen.
    let (status, report) = import(&app, &registrar, &good, "true", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
    assert!(report.to_string().contains("need a program"), "{report}");
    let (status, report) = import(&app, &registrar, &good, "true", "BSC-CS").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["version"], "1.1");
    for (field, n) in [
        ("years_new", 1),
        ("terms_new", 1),
        ("courses_new", 1),
        ("sections_new", 1),
        ("students_new", 1),
        ("staff_new", 1),
        ("guardians_new", 1),
        ("links_new", 1),
        ("enrollments", 1),
        ("teaching", 1),
    ] {
        assert_eq!(report[field], n, "{field}: {report}");
    }
    assert!(
        report["ignored"].to_string().contains("grading periods"),
        "{report}"
    );
    assert_eq!(
        scalar::<i64>(&app, w.college, "SELECT count(*) FROM students").await,
        0,
        "a preview writes nothing"
    );

    // Problems are named by file, line and column, and stop the whole import.
    let bad = archive_11(
        "stu2,active,,true,sch1,student,bob,,=cmd|' /C calc'!A0,Brown,,OR-0002,,,,,,\nstu3,active,,true,sch1,wizard,cy,,Cy,C,,OR-0003,,,,,,\n",
        "31/31/2008",
    );
    let (status, report) = import(&app, &registrar, &bad, "false", "BSC-CS").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
    let named = |file: &str, line: u64, column: &str| {
        report["problems"]
            .as_array()
            .expect("problems")
            .iter()
            .any(|p| p["file"] == file && p["line"].as_u64() == Some(line) && p["column"] == column)
    };
    assert!(named("users.csv", 5, "givenName"), "{report}");
    assert!(named("users.csv", 6, "role"), "{report}");
    assert!(named("demographics.csv", 2, "birthDate"), "{report}");
    assert_eq!(
        scalar::<i64>(&app, w.college, "SELECT count(*) FROM students").await,
        0
    );

    // The import, then the same archive again.
    let (status, report) = import(&app, &registrar, &good, "false", "BSC-CS").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["committed"], true);
    assert_eq!(scalar::<i64>(&app, w.college, "SELECT count(*) FROM students WHERE student_number = 'OR-0001' AND date_of_birth = '2008-04-30'").await, 1);
    assert_eq!(
        scalar::<i64>(&app, w.college, "SELECT count(*) FROM student_guardians").await,
        1
    );
    assert_eq!(
        scalar::<i64>(
            &app,
            w.college,
            "SELECT count(*) FROM courses WHERE code = 'CS-301'"
        )
        .await,
        1
    );
    assert_eq!(
        scalar::<i64>(&app, w.college, "SELECT count(*) FROM section_teachers").await,
        1
    );
    assert_eq!(scalar::<i64>(&app, w.college, "SELECT count(*) FROM users u JOIN role_assignments r ON r.user_id = u.id WHERE u.email = 'tess.or@alpha.edu' AND r.role = 'teacher'").await, 1);
    let (status, again) = import(&app, &registrar, &good, "false", "BSC-CS").await;
    assert_eq!(status, StatusCode::OK, "{again}");
    for field in [
        "years_new",
        "terms_new",
        "courses_new",
        "sections_new",
        "students_new",
        "staff_new",
        "guardians_new",
    ] {
        assert_eq!(again[field], 0, "{field}: {again}");
    }
    assert_eq!(again["students_existing"], 1);
    assert_eq!(
        scalar::<i64>(&app, w.college, "SELECT count(*) FROM students").await,
        1
    );
    assert_eq!(
        scalar::<i64>(&app, w.college, "SELECT count(*) FROM guardians").await,
        1
    );
    assert_eq!(
        scalar::<i64>(&app, w.college, "SELECT count(*) FROM enrollments").await,
        1
    );

    // 1.2: roles in roles.csv, user profiles tolerated.
    let v12 = zipped(&[
        ("manifest.csv", "propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.users,bulk\nfile.roles,bulk\nfile.userProfiles,bulk\n".into()),
        ("users.csv", "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns\nstu9,active,,true,zed,,Zed,Zhou,,OR-0009,,,,,,,,,,,,sch1,\n".into()),
        ("roles.csv", "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\nr9,active,,stu9,primary,student,,,sch1,\n".into()),
        ("userProfiles.csv", "sourcedId,status,dateLastModified,userSourcedId,profileType,vendorId,applicationId,description,credentialType,username,password\np9,active,,stu9,lms,acme,,,password,zed,\n".into()),
    ]);
    let (status, report) = import(&app, &registrar, &v12, "false", "BSC-CS").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["students_new"], 1);
    assert_eq!(
        scalar::<i64>(&app, w.college, "SELECT count(*) FROM students").await,
        2
    );

    // Hostile archives.
    let bomb = {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("manifest.csv", options).expect("start");
        zip.write_all(b"propertyName,value\noneroster.version,1.1\n")
            .expect("write");
        zip.start_file("users.csv", options).expect("start");
        zip.write_all(&vec![b'a'; 70 * 1024 * 1024]).expect("write");
        zip.finish().expect("finish").into_inner()
    };
    let (status, body) = import(&app, &registrar, &bomb, "true", "BSC-CS").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "file", "{body}");
    let escape = zipped(&[
        ("manifest.csv", "propertyName,value\n".into()),
        ("../../etc/cron.d/x", "x".into()),
    ]);
    let (status, _) = import(&app, &registrar, &escape, "true", "BSC-CS").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Export, with a formula defused.
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query("UPDATE students SET last_name = '=HYPERLINK(\"http://x\")' WHERE student_number = 'OR-0009'")
        .execute(&mut *tx)
        .await
        .expect("rename");
    tx.commit().await.expect("commit");
    for version in ["1.1", "1.2"] {
        let (status, kind, bytes, _) = download(
            &app,
            &format!("/api/v1/oneroster/export?version={version}"),
            &registrar,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(kind, "application/zip");
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        let mut read = |name: &str| {
            let mut text = String::new();
            archive
                .by_name(name)
                .expect(name)
                .read_to_string(&mut text)
                .expect("read");
            text
        };
        assert!(read("manifest.csv").contains(&format!("oneroster.version,{version}")));
        let users = read("users.csv");
        assert!(
            users.contains("stu1") && users.contains("OR-0001"),
            "imported ids come back: {users}"
        );
        assert!(
            users.contains("'=HYPERLINK") && !users.contains(",=HYPERLINK"),
            "{users}"
        );
        assert!(read("enrollments.csv").contains("cl1"));
        if version == "1.2" {
            assert!(read("roles.csv").contains("student"));
        }
    }
    let (status, _) = crate::util::api::call(
        &app,
        "GET",
        "/api/v1/oneroster/export?version=2.0",
        &registrar,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// An archive as other products write it: file names in another case, columns in
/// another order with vendor `ext_` and `metadata.` columns, a term without a parent
/// school year, a course without a courseCode, a class whose course is not in the
/// archive, identifiers that are usernames and emails, users without email, dates with
/// times or as M/D/YYYY, and OneRoster 1.0's `userSourcedId` in demographics.
#[tokio::test]
async fn archives_shaped_like_other_exporters_import() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    let archive = zipped(&[
        ("Manifest.csv", "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.academicSessions,bulk\nfile.orgs,bulk\nfile.courses,bulk\nfile.classes,bulk\nfile.users,bulk\nfile.enrollments,bulk\nfile.demographics,bulk\nsource.systemName,ExporterX\n".into()),
        ("ORGS.csv", "sourcedId,name,type,identifier,parentSourcedId,status,dateLastModified,ext_district\nsch9,Alpha High,school,,,active,2023-05-01T18:25:43.511Z,D1\n".into()),
        ("academicsessions.csv", "title,sourcedId,type,startDate,endDate,parentSourcedId,schoolYear,status,dateLastModified\nSpring 2042,term42,term,1/05/2042,2042-06-30T00:00:00Z,,2042,active,2017-05-06 08:01:05\n".into()),
        ("courses.csv", "sourcedId,title,orgSourcedId,courseCode,status,dateLastModified,metadata.vendor.code\nALG-2,Algebra Two,sch9,,active,,v-17\n".into()),
        ("Classes.csv", "sourcedId,title,courseSourcedId,termSourcedIds,classCode,classType,schoolSourcedId,status\nk1,Algebra Two A,ALG-2,term42,A,scheduled,sch9,active\nk2,Geometry B,GEO-1,term42,B,scheduled,sch9,active\n".into()),
        ("users.csv", "role,sourcedId,enabledUser,orgSourcedIds,username,givenName,familyName,identifier,email,status,ext_grade\nstudent,u-mary,true,sch9,mary.jones,Mary,Jones,,,active,10\nteacher,u-tom,true,sch9,tom.teach@alpha.edu,Tom,Teach,,,active,\n".into()),
        ("enrollments.csv", "sourcedId,classSourcedId,schoolSourcedId,userSourcedId,role,status\nen1,k1,sch9,u-mary,student,active\nen2,k1,sch9,u-tom,teacher,active\nen3,k2,sch9,u-mary,student,active\n".into()),
        ("demographics.csv", "userSourcedId,birthDate,sex,status\nu-mary,2008-04-30T00:00:00Z,female,active\n".into()),
    ]);
    let (status, report) = import(&app, &registrar, &archive, "false", "BSC-CS").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        scalar::<i64>(&app, w.college, "SELECT count(*) FROM students WHERE student_number = 'MARY-JONES' AND date_of_birth = '2008-04-30'").await,
        1
    );
    assert_eq!(
        scalar::<i64>(
            &app,
            w.college,
            "SELECT count(*) FROM staff WHERE staff_number = 'TOM-TEACH'"
        )
        .await,
        1
    );
    assert_eq!(
        scalar::<i64>(
            &app,
            w.college,
            "SELECT count(*) FROM courses WHERE code IN ('ALG-2', 'GEO-1')"
        )
        .await,
        2,
        "a course without a code, and one made from its class"
    );
    assert_eq!(
        scalar::<i64>(
            &app,
            w.college,
            "SELECT count(*) FROM terms WHERE name = 'Spring 2042' AND starts_on = '2042-01-05'"
        )
        .await,
        1,
        "a term without a parent, dated M/D/YYYY"
    );
    assert_eq!(
        scalar::<i64>(&app, w.college, "SELECT count(*) FROM enrollments").await,
        2
    );
}

/// A delta archive after a bulk one: rows marked `tobedeleted` drop the enrollment,
/// end the teaching and deactivate the account, records with history are kept (and
/// said so), and active rows update as in a bulk archive.
#[tokio::test]
async fn delta_archives_apply_their_changes() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    let (status, report) = import(
        &app,
        &registrar,
        &archive_11("", "2008-04-30"),
        "false",
        "BSC-CS",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        scalar::<i64>(
            &app,
            w.college,
            "SELECT count(*) FROM enrollments WHERE status = 'enrolled'"
        )
        .await,
        1
    );
    // Someone waits for the class's one seat: the delta's drop hands it to them.
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::raw_sql(
        "INSERT INTO students (college_id, student_number, first_name, last_name, email, program_id, admitted_on) \
           SELECT app_current_college(), 'W-1', 'Wanda', 'Waiting', 'wanda@alpha.edu', id, current_date FROM programs; \
         UPDATE sections SET capacity = 1 WHERE code = 'A' AND enrolled = 1; \
         INSERT INTO enrollments (college_id, section_id, student_id, status) \
           SELECT app_current_college(), s.id, st.id, 'waitlisted' FROM sections s, students st \
           WHERE s.enrolled = 1 AND st.student_number = 'W-1';",
    )
    .execute(&mut *tx)
    .await
    .expect("waiting student");
    tx.commit().await.expect("commit");
    let delta = zipped(&[
        ("manifest.csv", "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.academicSessions,absent\nfile.orgs,absent\nfile.courses,delta\nfile.classes,absent\nfile.users,delta\nfile.enrollments,delta\nfile.demographics,absent\n".into()),
        ("courses.csv", "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes\nc1,tobedeleted,2041-01-02T10:00:00Z,yr40,Compilers,CS 301,,dep1,,\n".into()),
        ("users.csv", "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\ntea1,tobedeleted,2041-01-02T10:00:00Z,true,sch1,teacher,tess.t,,Tess,Turing,,T-0001,tess.or@alpha.edu,,,,,\n".into()),
        ("enrollments.csv", "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\ne1,tobedeleted,2041-01-02T10:00:00Z,cl1,sch1,stu1,student,false,,\ne2,tobedeleted,2041-01-02T10:00:00Z,cl1,sch1,tea1,teacher,true,,\n".into()),
    ]);
    let (status, report) = import(&app, &registrar, &delta, "false", "BSC-CS").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["dropped"], 1, "{report}");
    assert_eq!(report["deactivated"], 1, "{report}");
    assert!(
        report["ignored"].to_string().contains("courses.csv"),
        "{report}"
    );
    assert_eq!(
        scalar::<i64>(
            &app,
            w.college,
            "SELECT count(*) FROM enrollments e JOIN students st ON st.id = e.student_id \
             WHERE e.status = 'enrolled' AND st.student_number = 'W-1'"
        )
        .await,
        1,
        "the waiting student got the freed seat"
    );
    assert_eq!(
        scalar::<i64>(
            &app,
            w.college,
            "SELECT count(*) FROM enrollments WHERE status = 'enrolled'"
        )
        .await,
        1
    );
    assert_eq!(
        scalar::<i64>(
            &app,
            w.college,
            "SELECT count(*) FROM mail_outbox WHERE to_address = 'wanda@alpha.edu'"
        )
        .await,
        1,
        "and was told"
    );
    assert_eq!(scalar::<i64>(&app, w.college, "SELECT count(*) FROM section_teachers st JOIN staff sf ON sf.id = st.staff_id WHERE sf.staff_number = 'T-0001'").await, 0);
    assert_eq!(scalar::<i64>(&app, w.college, "SELECT count(*) FROM users WHERE email = 'tess.or@alpha.edu' AND status = 'deactivated'").await, 1);
    assert_eq!(
        scalar::<i64>(
            &app,
            w.college,
            "SELECT count(*) FROM courses WHERE code = 'CS-301'"
        )
        .await,
        1,
        "kept"
    );

    // dateLastModified: a newer row applies, an older one afterwards does not.
    let users_delta = |name: &str, at: &str| {
        zipped(&[
            ("manifest.csv", "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.users,delta\n".into()),
            ("users.csv", format!("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\nstu1,active,{at},true,sch1,student,ada.l,,{name},Lovelace,,OR-0001,ada.or@alpha.edu,,,,,\n")),
        ])
    };
    let (status, report) = import(
        &app,
        &registrar,
        &users_delta("Augusta", "2041-02-01T09:00:00Z"),
        "false",
        "BSC-CS",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let (status, report) = import(
        &app,
        &registrar,
        &users_delta("Older", "2041-01-15 09:00:00"),
        "false",
        "BSC-CS",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(
        report["ignored"].to_string().contains("older than"),
        "{report}"
    );
    assert_eq!(
        scalar::<i64>(
            &app,
            w.college,
            "SELECT count(*) FROM students WHERE first_name = 'Augusta'"
        )
        .await,
        1,
        "an older row was applied over a newer one"
    );
}
