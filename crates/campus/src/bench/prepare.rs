//! The benchmark's college: the demo college grown to the benchmark's shape (about 800
//! sections of 60 students in the current term, a term of attendance, three assessments
//! per section with marks, published results), made once per data folder; and each run's
//! fixtures: signed-in students, teachers with today's sessions to mark, a registrar, and
//! a fresh section for the registration rush.

use std::time::Instant;

use anyhow::Context;
use sqlx::PgPool;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::Grant;
use crate::audit::AuditContext;
use crate::config::Config;
use crate::db::{CollegeId, begin_for_college};
use crate::identity::signin::{queries as signin, session};
use crate::identity::tokens::{credentials, queries as tokens};

/// Seats per benchmark section (a full class to mark).
pub const SEATS: i64 = 60;
pub const SECTIONS: i64 = 800;

/// What each run drives.
pub struct Fixtures {
    pub college: CollegeId,
    pub term: Uuid,
    /// `name=value` session cookies of signed-in students.
    pub student_cookies: Vec<String>,
    /// Session cookies of the teachers with a class today.
    pub teacher_cookies: Vec<String>,
    /// A student and their password, for the sign-in scenario.
    pub sign_in: (String, String),
    /// (teacher's access token, today's session, its roster).
    pub marking: Vec<(String, Uuid, Vec<Uuid>)>,
    /// The same sessions with their teacher's session cookie.
    pub marking_pages: Vec<(String, Uuid, Vec<Uuid>)>,
    pub registrar_token: String,
    pub registrar_cookie: String,
    /// Surnames to search for.
    pub surnames: Vec<String>,
    /// The rush: a section of `rush_seats` and students' tokens racing for it.
    pub rush_section: Uuid,
    pub rush_seats: i64,
    pub rush_tokens: Vec<String>,
    /// Students with published results this term (report cards).
    pub graded_students: Vec<Uuid>,
    /// The program with the most graded students, and how many it has.
    pub bulk_program: (Uuid, i64),
}

/// Grows the demo college to the benchmark's shape unless it already has it.
pub async fn shape(pool: &PgPool, college: CollegeId) -> anyhow::Result<Uuid> {
    let mut tx = begin_for_college(pool, college).await?;
    let term: Uuid = sqlx::query_scalar!(
        "SELECT id FROM terms WHERE ends_on >= current_date ORDER BY starts_on LIMIT 1"
    )
    .fetch_one(&mut *tx)
    .await
    .context("the demo college has no current term")?;
    let sections: i64 = sqlx::query_scalar!(
        "SELECT count(*) AS \"v!\" FROM sections WHERE term_id = $1",
        term
    )
    .fetch_one(&mut *tx)
    .await?;
    if sections >= SECTIONS {
        tx.commit().await?;
        return Ok(term);
    }
    let started = Instant::now();
    println!("Shaping the benchmark college (once per data folder)...");
    let courses: i64 = sqlx::query_scalar!("SELECT count(*) AS \"v!\" FROM courses")
        .fetch_one(&mut *tx)
        .await?;
    let per_course = (SECTIONS + courses - 1) / courses.max(1);
    sqlx::query!("INSERT INTO sections (college_id, course_id, term_id, code, capacity) \
         SELECT app_current_college(), c.id, $1, 'B' || n, $2 FROM courses c, generate_series(1, $3 - 1) AS n", term, SEATS as i32, per_course as i32)
.execute(&mut *tx)
    .await?;
    sqlx::query!("INSERT INTO section_teachers (college_id, section_id, staff_id) \
         SELECT app_current_college(), s.id, x.staff_id FROM sections s \
         JOIN sections a ON a.college_id = s.college_id AND a.course_id = s.course_id AND a.term_id = s.term_id AND a.code = 'A' \
         JOIN section_teachers x ON x.college_id = a.college_id AND x.section_id = a.id \
         WHERE s.term_id = $1 AND s.code <> 'A' ON CONFLICT DO NOTHING", term)
.execute(&mut *tx)
    .await?;
    // Every section full: seat j of section n goes to student (n * 60 + j) mod N.
    sqlx::query!(
        "DELETE FROM enrollments e USING sections s WHERE s.id = e.section_id AND s.term_id = $1",
        term
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("WITH s AS (SELECT id, row_number() OVER (ORDER BY course_id, code) - 1 AS sn FROM sections WHERE term_id = $1), \
              st AS (SELECT id, row_number() OVER (ORDER BY student_number) - 1 AS rn FROM students WHERE status = 'enrolled'), \
              n AS (SELECT count(*) AS n FROM st) \
         INSERT INTO enrollments (college_id, section_id, student_id, status) \
         SELECT app_current_college(), s.id, st.id, 'enrolled' \
         FROM s CROSS JOIN generate_series(0, $2 - 1) AS seat CROSS JOIN n JOIN st ON st.rn = (s.sn * $2 + seat) % n.n \
         ON CONFLICT DO NOTHING", term, SEATS as i32)
.execute(&mut *tx)
    .await?;
    sqlx::query!("UPDATE sections s SET enrolled = (SELECT count(*) FROM enrollments e WHERE e.college_id = s.college_id \
           AND e.section_id = s.id AND e.status = 'enrolled') WHERE s.term_id = $1", term)
.execute(&mut *tx)
    .await?;
    // A term of attendance: 24 sessions per section, one in ten absences.
    sqlx::query!("INSERT INTO class_sessions (college_id, section_id, held_on, start_minute, end_minute) \
         SELECT app_current_college(), s.id, t.starts_on + k * 3, 540, 600 \
         FROM sections s JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id, generate_series(0, 23) AS k \
         WHERE s.term_id = $1 ON CONFLICT DO NOTHING", term)
.execute(&mut *tx)
    .await?;
    sqlx::query!("INSERT INTO attendance (college_id, session_id, student_id, status) \
         SELECT app_current_college(), cs.id, e.student_id, \
                CASE WHEN abs(hashtext(cs.id::text || e.student_id::text)) % 10 = 0 THEN 'absent' ELSE 'present' END \
         FROM class_sessions cs JOIN sections s ON s.college_id = cs.college_id AND s.id = cs.section_id \
         JOIN enrollments e ON e.college_id = cs.college_id AND e.section_id = cs.section_id AND e.status = 'enrolled' \
         WHERE s.term_id = $1 AND cs.start_minute = 540 \
         ON CONFLICT (college_id, session_id, student_id) DO NOTHING", term)
.execute(&mut *tx)
    .await?;
    // The demo's own coursework (an assignment per section) makes way for the
    // benchmark's three assessments of 100% together.
    sqlx::query!(
        "DELETE FROM assessments a USING sections s WHERE s.id = a.section_id AND s.term_id = $1",
        term
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("INSERT INTO assessments (college_id, section_id, name, kind, weight, max_marks) \
         SELECT app_current_college(), s.id, v.name, v.kind, v.weight, v.max FROM sections s, \
           (VALUES ('Quiz', 'quiz', 20, 20), ('Midterm', 'exam', 30, 50), ('Final', 'exam', 50, 100)) AS v(name, kind, weight, max) \
         WHERE s.term_id = $1 ON CONFLICT DO NOTHING", term)
.execute(&mut *tx)
    .await?;
    sqlx::query!("INSERT INTO marks (college_id, assessment_id, student_id, score) \
         SELECT app_current_college(), a.id, e.student_id, \
                round(a.max_marks * (30 + abs(hashtext(a.id::text || e.student_id::text)) % 71) / 100.0, 1) \
         FROM assessments a JOIN sections s ON s.college_id = a.college_id AND s.id = a.section_id \
         JOIN enrollments e ON e.college_id = a.college_id AND e.section_id = a.section_id AND e.status = 'enrolled' \
         WHERE s.term_id = $1 ON CONFLICT DO NOTHING", term)
.execute(&mut *tx)
    .await?;
    tx.commit().await?;
    // Results go through the workflow itself, a batch of sections per transaction.
    let registrar = registrar(pool, college).await?;
    let grant = Grant::for_system(Permission::MarksEnter, college, registrar, "registrar");
    let context = AuditContext {
        actor: Some(registrar),
        actor_role: Some("registrar".into()),
        request_id: Some("bench:prepare".into()),
        ..AuditContext::default()
    };
    let mut tx = begin_for_college(pool, college).await?;
    let sections: Vec<Uuid> = sqlx::query_scalar!(
        "SELECT id FROM sections WHERE term_id = $1 AND results_status = 'draft' AND enrolled > 0",
        term
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    for batch in sections.chunks(50) {
        let mut tx = begin_for_college(pool, college).await?;
        for section in batch {
            crate::academics::assessment::results::submit(&mut tx, &grant, &context, *section)
                .await
                .map_err(|e| anyhow::anyhow!("submitting results: {e:?}"))?;
            crate::academics::assessment::results::publish(&mut tx, &context, *section)
                .await
                .map_err(|e| anyhow::anyhow!("publishing results: {e:?}"))?;
        }
        tx.commit().await?;
    }
    println!("Shaped in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(term)
}

async fn registrar(pool: &PgPool, college: CollegeId) -> anyhow::Result<Uuid> {
    let mut tx = begin_for_college(pool, college).await?;
    let id: Uuid = sqlx::query_scalar!("SELECT u.id FROM users u JOIN role_assignments r ON r.college_id = u.college_id AND r.user_id = u.id \
         WHERE r.role = 'registrar' ORDER BY u.email LIMIT 1")
    .fetch_one(&mut *tx)
    .await
    .context("the demo college has no registrar")?;
    tx.commit().await?;
    Ok(id)
}

pub(super) async fn access_token(
    conn: &mut sqlx::PgConnection,
    config: &Config,
    college: CollegeId,
    user: Uuid,
) -> anyhow::Result<String> {
    let family = Uuid::new_v4();
    tokens::store_refresh(conn, user, family).await?;
    credentials::issue_access(config, college, user, family)
}

/// A signed-in browser session of `user`, as its `name=value` cookie.
async fn session_cookie(
    conn: &mut sqlx::PgConnection,
    college: CollegeId,
    user: Uuid,
) -> anyhow::Result<String> {
    let token = session::new_token();
    signin::create(
        conn,
        user,
        &token,
        std::time::Duration::from_secs(3600),
        None,
        Some("campus bench"),
    )
    .await?;
    Ok(format!(
        "{}={}",
        session::cookie_name(false),
        session::cookie_value(college, &token)
    ))
}

/// This run's fixtures (tokens and sessions are made directly: signing thousands in
/// through Argon2 would measure nothing but Argon2).
pub async fn fixtures(
    pool: &PgPool,
    config: &Config,
    college: CollegeId,
    term: Uuid,
    clients: usize,
    rush_attempts: usize,
    rush_seats: i64,
) -> anyhow::Result<Fixtures> {
    let registrar = registrar(pool, college).await?;
    let mut tx = begin_for_college(pool, college).await?;
    let students: Vec<(Uuid, Uuid, String)> = sqlx::query!("SELECT st.user_id AS \"user_id!\", st.id, u.email::text AS \"email!\" FROM students st JOIN users u ON u.college_id = st.college_id AND u.id = st.user_id \
         WHERE st.status = 'enrolled' AND EXISTS (SELECT 1 FROM enrollments e WHERE e.student_id = st.id AND e.status = 'enrolled') \
         ORDER BY st.student_number LIMIT $1", (clients * 16) as i64)
    .fetch_all(&mut *tx)
    .await.map(|v| v.into_iter().map(|r| (r.user_id, r.id, r.email)).collect::<Vec<_>>())?;
    anyhow::ensure!(
        !students.is_empty(),
        "the benchmark college has no enrolled students"
    );
    let mut student_cookies = Vec::new();
    for (user, _, _) in &students {
        student_cookies.push(session_cookie(&mut tx, college, *user).await?);
    }
    let sign_in = (students[0].2.clone(), crate::demo::PASSWORD.to_string());

    // Today's session of each of up to 200 sections, to be marked by its teacher.
    sqlx::query!("INSERT INTO class_sessions (college_id, section_id, held_on, start_minute, end_minute) \
         SELECT app_current_college(), id, current_date, 1020, 1080 FROM sections WHERE term_id = $1 AND enrolled >= $2 \
         ON CONFLICT DO NOTHING", term, SEATS as i32)
.execute(&mut *tx)
    .await?;
    let today: Vec<(Uuid, Uuid, Uuid)> = sqlx::query!("SELECT cs.id, cs.section_id, (SELECT sf.user_id FROM section_teachers x JOIN staff sf ON sf.college_id = x.college_id AND sf.id = x.staff_id \
            WHERE x.section_id = cs.section_id AND sf.user_id IS NOT NULL LIMIT 1) AS \"teacher!\" \
         FROM class_sessions cs JOIN sections s ON s.college_id = cs.college_id AND s.id = cs.section_id \
         WHERE s.term_id = $1 AND cs.held_on = current_date AND cs.start_minute = 1020 ORDER BY cs.id LIMIT 200", term)
    .fetch_all(&mut *tx)
    .await.map(|v| v.into_iter().map(|r| (r.id, r.section_id, r.teacher)).collect::<Vec<_>>())?;
    let mut marking = Vec::new();
    let mut teachers = Vec::new();
    let mut teacher_tokens: std::collections::HashMap<Uuid, String> = Default::default();
    for (session_id, section, teacher) in today {
        let roster: Vec<Uuid> = sqlx::query_scalar!("SELECT student_id FROM enrollments WHERE section_id = $1 AND status = 'enrolled' ORDER BY student_id", section)
        .fetch_all(&mut *tx)
        .await?;
        let token = match teacher_tokens.get(&teacher) {
            Some(t) => t.clone(),
            None => {
                let t = access_token(&mut tx, config, college, teacher).await?;
                teacher_tokens.insert(teacher, t.clone());
                t
            }
        };
        marking.push((token, session_id, roster));
        teachers.push(teacher);
    }
    let mut cookie_of: std::collections::HashMap<Uuid, String> = Default::default();
    for teacher in teacher_tokens.keys() {
        cookie_of.insert(*teacher, session_cookie(&mut tx, college, *teacher).await?);
    }
    let teacher_cookies: Vec<String> = cookie_of.values().cloned().collect();
    let marking_pages = marking
        .iter()
        .zip(&teachers)
        .map(|((_, session, roster), teacher)| {
            (cookie_of[teacher].clone(), *session, roster.clone())
        })
        .collect();
    anyhow::ensure!(
        !teacher_cookies.is_empty(),
        "the benchmark college has no teacher with a class today"
    );
    let registrar_token = access_token(&mut tx, config, college, registrar).await?;
    let registrar_cookie = session_cookie(&mut tx, college, registrar).await?;
    let surnames: Vec<String> =
        sqlx::query_scalar!("SELECT DISTINCT last_name FROM students ORDER BY last_name LIMIT 200")
            .fetch_all(&mut *tx)
            .await?;

    // The rush: a new section of a course without prerequisites, an open window, and
    // students not yet in that course racing for it.
    // Earlier runs' racers are let go, so every run has its students to race.
    sqlx::query!("DELETE FROM enrollments e USING sections s WHERE s.id = e.section_id AND s.term_id = $1 AND s.code LIKE 'R%'", term)
.execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE sections SET enrolled = 0 WHERE term_id = $1 AND code LIKE 'R%'",
        term
    )
    .execute(&mut *tx)
    .await?;
    let runs: i64 = sqlx::query_scalar!(
        "SELECT count(*) AS \"v!\" FROM sections WHERE code LIKE 'R%' AND term_id = $1",
        term
    )
    .fetch_one(&mut *tx)
    .await?;
    let (rush_section, course): (Uuid, Uuid) = sqlx::query!("INSERT INTO sections (college_id, course_id, term_id, code, capacity) \
         SELECT app_current_college(), c.id, $1, 'R' || ($2 + 1), $3 FROM courses c \
         WHERE NOT EXISTS (SELECT 1 FROM course_prerequisites p WHERE p.course_id = c.id) ORDER BY c.code LIMIT 1 \
         RETURNING id, course_id", term, runs as i32, rush_seats as i32)
    .fetch_one(&mut *tx)
    .await.map(|r| (r.id, r.course_id))?;
    sqlx::query!("INSERT INTO registration_windows (college_id, term_id, opens_at, closes_at, max_credits) \
         VALUES (app_current_college(), $1, now() - interval '1 hour', now() + interval '1 day', 999)", term)
.execute(&mut *tx)
    .await?;
    let racers: Vec<Uuid> = sqlx::query_scalar!("SELECT st.user_id AS \"v!\" FROM students st WHERE st.status = 'enrolled' AND st.user_id IS NOT NULL \
           AND NOT EXISTS (SELECT 1 FROM enrollments e JOIN sections s ON s.college_id = e.college_id AND s.id = e.section_id \
                           WHERE e.student_id = st.id AND s.course_id = $1) \
         ORDER BY st.student_number DESC LIMIT $2", course, rush_attempts as i64)
    .fetch_all(&mut *tx)
    .await?;
    let mut rush_tokens = Vec::with_capacity(racers.len());
    for user in racers {
        rush_tokens.push(access_token(&mut tx, config, college, user).await?);
    }
    let graded_students: Vec<Uuid> = sqlx::query_scalar!("SELECT DISTINCT r.student_id FROM results r JOIN sections s ON s.college_id = r.college_id AND s.id = r.section_id \
         WHERE s.term_id = $1 AND s.results_status = 'published' LIMIT 2000", term)
    .fetch_all(&mut *tx)
    .await?;
    let bulk_program: (Uuid, i64) = sqlx::query!("SELECT st.program_id, count(DISTINCT st.id) AS \"students!\" FROM students st JOIN results r ON r.college_id = st.college_id AND r.student_id = st.id \
         JOIN sections s ON s.college_id = r.college_id AND s.id = r.section_id \
         WHERE s.term_id = $1 AND s.results_status = 'published' GROUP BY st.program_id ORDER BY 2 DESC LIMIT 1", term)
    .fetch_one(&mut *tx)
    .await.map(|r| (r.program_id, r.students))?;
    tx.commit().await?;
    Ok(Fixtures {
        college,
        term,
        student_cookies,
        teacher_cookies,
        sign_in,
        marking,
        marking_pages,
        registrar_token,
        registrar_cookie,
        surnames,
        rush_section,
        rush_seats,
        rush_tokens,
        graded_students,
        bulk_program,
    })
}
