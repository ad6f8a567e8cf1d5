//! The figures dashboards read from the counts the database keeps (students by program
//! and status, accounts by status, students registered in a term) agree with counting
//! the rows, after inserts, status changes, drops, waitlists and deletions.

use campus::db::begin_for_college;

use crate::util::TestApp;
use crate::util::api::call;
use crate::util::world::{Class, class, world};

/// Each pair: what the kept counts say, and what counting the rows says.
const CHECKS: [(&str, &str); 3] = [
    (
        "SELECT coalesce(string_agg(program_id || ' ' || status || ' ' || students, ', ' ORDER BY program_id, status), '') \
         FROM (SELECT program_id::text, status, students FROM student_counts WHERE students <> 0) c",
        "SELECT coalesce(string_agg(program_id || ' ' || status || ' ' || n, ', ' ORDER BY program_id, status), '') \
         FROM (SELECT program_id::text, status, count(*) AS n FROM students GROUP BY 1, 2) c",
    ),
    (
        "SELECT coalesce(string_agg(status || ' ' || accounts, ', ' ORDER BY status), '') FROM user_counts WHERE accounts <> 0",
        "SELECT coalesce(string_agg(status || ' ' || n, ', ' ORDER BY status), '') \
         FROM (SELECT status, count(*) AS n FROM users GROUP BY status) c",
    ),
    (
        "SELECT coalesce(string_agg(term_id || ' ' || student_id || ' ' || sections, ', ' ORDER BY term_id, student_id), '') \
         FROM (SELECT term_id::text, student_id::text, sections FROM term_students WHERE sections <> 0) c",
        "SELECT coalesce(string_agg(term_id || ' ' || student_id || ' ' || n, ', ' ORDER BY term_id, student_id), '') \
         FROM (SELECT s.term_id::text, e.student_id::text, count(*) AS n FROM enrollments e \
               JOIN sections s ON s.college_id = e.college_id AND s.id = e.section_id \
               WHERE e.status = 'enrolled' GROUP BY 1, 2) c",
    ),
];

async fn agree(app: &TestApp, college: campus::db::CollegeId, when: &str) {
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    for (kept, counted) in CHECKS {
        let kept: String = sqlx::query_scalar(kept)
            .fetch_one(&mut *tx)
            .await
            .expect("kept");
        let counted: String = sqlx::query_scalar(counted)
            .fetch_one(&mut *tx)
            .await
            .expect("counted");
        assert_eq!(kept, counted, "{when}");
        assert!(!counted.is_empty(), "{when}: nothing counted");
    }
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn kept_counts_agree_with_the_rows() {
    let app = TestApp::new().await;
    let w = world(&app, 2).await;
    let Class {
        people, outsider, ..
    } = class(&app, &w, 2).await;
    agree(&app, w.college, "after the class was made").await;

    // The section is full: one more waits (not registered), one drops (the waiting one
    // takes the seat).
    let (_, waiting) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/enroll", w.section),
        &outsider[0].1,
        None,
    )
    .await;
    assert_eq!(waiting["outcome"], "waitlisted", "{waiting}");
    agree(&app, w.college, "after a student was waitlisted").await;
    let (status, dropped) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/drop", w.section),
        &people[0].1,
        None,
    )
    .await;
    assert!(status.is_success(), "{dropped}");
    agree(
        &app,
        w.college,
        "after a drop gave the seat to the waiting student",
    )
    .await;

    // Statuses change, one by one and in bulk; an account is deactivated; a student goes.
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query("UPDATE students SET status = 'on_leave' WHERE id = (SELECT min(id::text)::uuid FROM students)")
        .execute(&mut *tx)
        .await
        .expect("on leave");
    sqlx::query("UPDATE users SET status = 'deactivated' WHERE email = 'tess@alpha.edu'")
        .execute(&mut *tx)
        .await
        .expect("deactivated");
    sqlx::query("UPDATE students SET year_of_study = year_of_study")
        .execute(&mut *tx)
        .await
        .expect("a change that changes no count");
    sqlx::query("DELETE FROM enrollments WHERE section_id = $1")
        .bind(w.advanced)
        .execute(&mut *tx)
        .await
        .expect("enrolments removed");
    tx.commit().await.expect("commit");
    agree(&app, w.college, "after status changes and removals").await;

    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    // An enrolled student, removed with their enrolments.
    sqlx::query("DELETE FROM students WHERE id = $1")
        .bind(people[1].0)
        .execute(&mut *tx)
        .await
        .expect("a student removed");
    tx.commit().await.expect("commit");
    agree(&app, w.college, "after a student was removed").await;
}

/// The attendance tallies against counting the marks.
async fn tallies_agree(app: &TestApp, college: campus::db::CollegeId, when: &str) {
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    let kept: String = sqlx::query_scalar(
        "SELECT coalesce(string_agg(section_id || ' ' || student_id || ' ' || marked || ' ' || attended, ', ' \
           ORDER BY section_id, student_id), '') \
         FROM (SELECT section_id::text, student_id::text, marked, attended FROM attendance_tallies WHERE marked <> 0) t",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("kept");
    let counted: String = sqlx::query_scalar(
        "SELECT coalesce(string_agg(section_id || ' ' || student_id || ' ' || m || ' ' || a, ', ' \
           ORDER BY section_id, student_id), '') \
         FROM (SELECT cs.section_id::text, x.student_id::text, count(*) AS m, \
                      count(*) FILTER (WHERE x.status IN ('present', 'late')) AS a \
               FROM attendance x JOIN class_sessions cs ON cs.college_id = x.college_id AND cs.id = x.session_id \
               GROUP BY 1, 2) c",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("counted");
    tx.commit().await.expect("commit");
    assert_eq!(kept, counted, "{when}");
}

async fn run(app: &TestApp, college: campus::db::CollegeId, statements: &str) {
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    sqlx::raw_sql(sqlx::AssertSqlSafe(statements.to_string()))
        .execute(&mut *tx)
        .await
        .expect(statements);
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn attendance_tallies_agree_with_the_marks() {
    let app = TestApp::new().await;
    let w = world(&app, 5).await;
    let Class { people, .. } = class(&app, &w, 4).await;
    let section = w.section;
    run(
        &app,
        w.college,
        &format!(
            "INSERT INTO class_sessions (college_id, section_id, held_on, start_minute, end_minute) \
             SELECT app_current_college(), '{section}', current_date - d, 540, 600 FROM generate_series(1, 3) AS d; \
             INSERT INTO attendance (college_id, session_id, student_id, status) \
             SELECT app_current_college(), cs.id, e.student_id, \
                    CASE WHEN e.student_id = '{}' THEN 'absent' ELSE 'present' END \
             FROM class_sessions cs JOIN enrollments e ON e.section_id = cs.section_id AND e.status = 'enrolled'",
            people[0].0
        ),
    )
    .await;
    tallies_agree(&app, w.college, "after three sessions were marked").await;
    // Marked again as the service does: changed statuses only.
    run(
        &app,
        w.college,
        &format!(
            "INSERT INTO attendance (college_id, session_id, student_id, status) \
             SELECT app_current_college(), cs.id, e.student_id, 'late' \
             FROM class_sessions cs JOIN enrollments e ON e.section_id = cs.section_id AND e.status = 'enrolled' \
             WHERE cs.held_on = current_date - 1 \
             ON CONFLICT (college_id, session_id, student_id) DO UPDATE SET status = excluded.status \
             WHERE attendance.status IS DISTINCT FROM excluded.status; \
             UPDATE attendance SET status = 'excused' WHERE student_id = '{}'",
            people[1].0
        ),
    )
    .await;
    tallies_agree(&app, w.college, "after marks changed").await;
    run(
        &app,
        w.college,
        &format!(
            "DELETE FROM attendance WHERE student_id = '{}' AND session_id = \
               (SELECT id FROM class_sessions WHERE held_on = current_date - 2)",
            people[2].0
        ),
    )
    .await;
    tallies_agree(&app, w.college, "after a mark was taken away").await;
    run(
        &app,
        w.college,
        "DELETE FROM class_sessions WHERE held_on = current_date - 3",
    )
    .await;
    tallies_agree(&app, w.college, "after a session was taken away").await;
    run(
        &app,
        w.college,
        &format!("DELETE FROM students WHERE id = '{}'", people[3].0),
    )
    .await;
    tallies_agree(&app, w.college, "after a student was removed").await;
    run(
        &app,
        w.college,
        &format!("DELETE FROM sections WHERE id = '{section}'"),
    )
    .await;
    tallies_agree(&app, w.college, "after the section was removed").await;
}
