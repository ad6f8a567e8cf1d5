//! The shared world most feature tests start from: college `alpha` with a department, a
//! program, a term with an open registration window and two courses with a section each
//! ([`world`]); students with accounts made directly ([`students`]); a taught section
//! ([`class`]); and sign-in helpers for the fixture accounts in it.

use campus::access::permissions::Role;
use campus::db::{CollegeId, begin_for_college};
use campus::identity::tokens::{credentials, queries as tokens};
use uuid::Uuid;

use crate::util::TestApp;
use crate::util::api::{self, call};
use crate::util::fixtures::{self, PASSWORD};

/// What [`world`] made: the college, the open term, the CS101 section (`section`, of the
/// seats asked for) and the CS201 section (`advanced`, 50 seats, needing CS101).
pub struct World {
    pub college: CollegeId,
    pub term: Uuid,
    pub section: Uuid,
    pub advanced: Uuid,
}

/// A college with a department, a program, a term with an open window (limit 8
/// credits), course CS101 (4 credits, section of `seats`) and CS201 needing CS101.
pub async fn world(app: &TestApp, seats: i32) -> World {
    let college = fixtures::college(&app.pool, "alpha").await;
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    sqlx::raw_sql(
        "INSERT INTO departments (college_id, code, name) VALUES (app_current_college(), 'CSE', 'Computing'); \
         INSERT INTO programs (college_id, department_id, code, name, level, duration_years) \
           SELECT app_current_college(), id, 'BSC-CS', 'B.Sc. Computing', 'undergraduate', 3 FROM departments; \
         INSERT INTO academic_years (college_id, name, starts_on, ends_on) \
           VALUES (app_current_college(), 'Now', current_date - 100, current_date + 200); \
         INSERT INTO terms (college_id, academic_year_id, name, starts_on, ends_on) \
           SELECT app_current_college(), id, 'This term', current_date - 10, current_date + 100 FROM academic_years; \
         INSERT INTO registration_windows (college_id, term_id, opens_at, closes_at, max_credits) \
           SELECT app_current_college(), id, now() - interval '1 day', now() + interval '1 day', 8 FROM terms; \
         INSERT INTO courses (college_id, department_id, code, title, credits) \
           SELECT app_current_college(), id, 'CS101', 'Programming', 4 FROM departments; \
         INSERT INTO courses (college_id, department_id, code, title, credits) \
           SELECT app_current_college(), id, 'CS201', 'Data structures', 4 FROM departments; \
         INSERT INTO course_prerequisites (college_id, course_id, prerequisite_id) \
           SELECT app_current_college(), a.id, b.id FROM courses a, courses b WHERE a.code = 'CS201' AND b.code = 'CS101';",
    )
    .execute(&mut *tx)
    .await
    .expect("world");
    let term: Uuid = sqlx::query_scalar("SELECT id FROM terms")
        .fetch_one(&mut *tx)
        .await
        .expect("term");
    let mut ids = Vec::new();
    for (course, code, capacity) in [("CS101", "A", seats), ("CS201", "A", 50)] {
        let id: Uuid = sqlx::query_scalar(
            "INSERT INTO sections (college_id, course_id, term_id, code, capacity) \
             SELECT app_current_college(), id, $1, $2, $3 FROM courses WHERE code = $4 RETURNING id",
        )
        .bind(term)
        .bind(code)
        .bind(capacity)
        .bind(course)
        .fetch_one(&mut *tx)
        .await
        .expect("section");
        ids.push(id);
    }
    tx.commit().await.expect("commit");
    World {
        college,
        term,
        section: ids[0],
        advanced: ids[1],
    }
}

/// `count` students with accounts, and an access token for each (made directly: a
/// password sign-in per student would spend the test's time in Argon2).
pub async fn students(app: &TestApp, w: &World, count: usize) -> Vec<(Uuid, String)> {
    let mut out = Vec::new();
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let base: i64 = sqlx::query_scalar("SELECT count(*) FROM students")
        .fetch_one(&mut *tx)
        .await
        .expect("count");
    for n in (base as usize)..(base as usize + count) {
        let user: Uuid = sqlx::query_scalar(
            "INSERT INTO users (college_id, email, display_name, status) VALUES (app_current_college(), $1, $2, 'active') RETURNING id",
        )
        .bind(format!("s{n}@alpha.edu"))
        .bind(format!("Student {n}"))
        .fetch_one(&mut *tx)
        .await
        .expect("user");
        sqlx::query("INSERT INTO role_assignments (college_id, user_id, role) VALUES (app_current_college(), $1, 'student')")
            .bind(user)
            .execute(&mut *tx)
            .await
            .expect("role");
        let student: Uuid = sqlx::query_scalar(
            "INSERT INTO students (college_id, user_id, student_number, first_name, last_name, email, program_id, admitted_on) \
             SELECT app_current_college(), $1, $2, 'Student', $3, $4, id, current_date FROM programs RETURNING id",
        )
        .bind(user)
        .bind(format!("S{n:05}"))
        .bind(format!("No{n}"))
        .bind(format!("s{n}@alpha.edu"))
        .fetch_one(&mut *tx)
        .await
        .expect("student");
        let family = Uuid::new_v4();
        tokens::store_refresh(&mut tx, user, family)
            .await
            .expect("family");
        let token =
            credentials::issue_access(&app.state.config, w.college, user, family).expect("token");
        out.push((student, token));
    }
    tx.commit().await.expect("commit");
    out
}

/// A section with `enrolled` students in it, one student outside it, its
/// teacher Tess and another teacher who does not teach it.
pub struct Class {
    /// The enrolled students: each one's student id and access token.
    pub people: Vec<(Uuid, String)>,
    /// One student not enrolled in the section: id and access token.
    pub outsider: Vec<(Uuid, String)>,
    /// Tess's access token (`tess@alpha.edu`, who teaches the section).
    pub tess: String,
    /// The access token of `other@alpha.edu`, a teacher who does not teach it.
    pub other: String,
}

/// Enrols `enrolled` new students in the world's CS101 section, makes one more outside
/// it, and the two teachers: Tess, assigned to the section, and another.
pub async fn class(app: &TestApp, w: &World, enrolled: usize) -> Class {
    let people = students(app, w, enrolled).await;
    for (_, token) in &people {
        call(
            app,
            "POST",
            &format!("/api/v1/sections/{}/enroll", w.section),
            token,
            None,
        )
        .await;
    }
    let outsider = students(app, w, 1).await;
    let teacher_user =
        fixtures::user(&app.pool, w.college, "tess@alpha.edu", &[Role::Teacher]).await;
    fixtures::user(&app.pool, w.college, "other@alpha.edu", &[Role::Teacher]).await;
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query(
        "WITH t AS (INSERT INTO staff (college_id, user_id, staff_number, first_name, last_name) \
                    VALUES (app_current_college(), $1, 'ST9', 'Tess', 'Teach') RETURNING id) \
         INSERT INTO section_teachers (college_id, section_id, staff_id) SELECT app_current_college(), $2, id FROM t",
    )
    .bind(teacher_user)
    .bind(w.section)
    .execute(&mut *tx)
    .await
    .expect("teacher");
    tx.commit().await.expect("commit");
    let tess = token_of(app, "tess@alpha.edu").await;
    let other = token_of(app, "other@alpha.edu").await;
    Class {
        people,
        outsider,
        tess,
        other,
    }
}

/// An access token for a fixture account of the world's college `alpha`, signed in with
/// the shared fixture password and no second-factor code (see [`api::token`]).
pub async fn token_of(app: &TestApp, email: &str) -> String {
    api::token(app, "alpha", email, PASSWORD).await
}

/// Gives `email` the same password as `like` (fixture accounts have one; generated
/// students have none), so a test can sign them in through the pages.
pub async fn same_password(app: &TestApp, w: &World, email: &str, like: &str) {
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query("UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE email = $2) WHERE email = $1")
        .bind(email)
        .bind(like)
        .execute(&mut *tx)
        .await
        .expect("password");
    tx.commit().await.expect("commit");
}
