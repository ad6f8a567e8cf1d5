//! The benchmark's timetable and exam scenarios: the timetable builder's page for a
//! program year of 60 sections (its clash detection included), the term's exam clash
//! check over every section's paper (about 800 papers, 20,000 students), and a
//! program's hall tickets printed as one job.

use std::time::{Duration, Instant};

use anyhow::Context;
use reqwest::{Client, StatusCode};
use sqlx::PgPool;
use uuid::Uuid;

use super::load::{Bound, Outcome, drive};
use super::measured;
use crate::db::{CollegeId, begin_for_college};

/// Sections the builder's program year holds.
const YEAR_SECTIONS: i64 = 60;

/// What the scenarios use.
pub struct Academic {
    pub term: Uuid,
    /// The program year drawn by the builder, and how many sections it has.
    pub program: Uuid,
    pub sections: i64,
    /// Papers scheduled in the term.
    pub sittings: i64,
    /// The program whose hall tickets are printed, and how many of its students sit.
    pub ticket_program: (Uuid, i64),
}

/// Gives the program with the most students a first year of courses with 60 sections,
/// each meeting three times a week in the bell periods (some at once, as a real first
/// draft would), and a paper for every section of the term in an exam period. Made
/// once per data folder.
pub async fn prepare(pool: &PgPool, college: CollegeId, term: Uuid) -> anyhow::Result<Academic> {
    let mut tx = begin_for_college(pool, college).await?;
    let program: Uuid = sqlx::query_scalar!(
        "SELECT program_id FROM students GROUP BY program_id ORDER BY count(*) DESC, program_id LIMIT 1"
    )
    .fetch_one(&mut *tx)
    .await
    .context("the benchmark college has no students")?;
    let listed: i64 = sqlx::query_scalar!(
        "SELECT count(*) AS \"v!\" FROM program_courses WHERE program_id = $1 AND year_of_study = 1",
        program
    )
    .fetch_one(&mut *tx)
    .await?;
    if listed == 0 {
        sqlx::query!(
            "WITH c AS (SELECT course_id, count(*) AS n FROM sections WHERE term_id = $1 GROUP BY course_id), \
                  run AS (SELECT course_id, n, sum(n) OVER (ORDER BY course_id)::bigint AS total FROM c) \
             INSERT INTO program_courses (college_id, program_id, year_of_study, course_id) \
             SELECT app_current_college(), $2, 1, course_id FROM run WHERE total - n < $3::bigint",
            term,
            program,
            YEAR_SECTIONS
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO section_meetings (college_id, section_id, term_id, weekday, start_minute, end_minute) \
             SELECT app_current_college(), s.id, s.term_id, 1 + (k + abs(hashtext(s.id::text))) % 5, p.start_minute, p.end_minute \
             FROM sections s \
             JOIN program_courses pc ON pc.college_id = s.college_id AND pc.course_id = s.course_id \
               AND pc.program_id = $2 AND pc.year_of_study = 1 \
             CROSS JOIN generate_series(0, 2) AS k \
             CROSS JOIN LATERAL (SELECT b.start_minute, b.end_minute FROM bell_periods b WHERE NOT b.is_break \
                 ORDER BY b.start_minute \
                 OFFSET abs(hashtext(s.id::text || k::text)) % greatest((SELECT count(*) FROM bell_periods WHERE NOT is_break), 1) \
                 LIMIT 1) AS p \
             WHERE s.term_id = $1 \
               AND NOT EXISTS (SELECT 1 FROM section_meetings m WHERE m.college_id = s.college_id AND m.section_id = s.id)",
            term,
            program
        )
        .execute(&mut *tx)
        .await?;
    }
    let sections: i64 = sqlx::query_scalar!(
        "SELECT count(*) AS \"v!\" FROM sections s JOIN program_courses pc ON pc.college_id = s.college_id \
           AND pc.course_id = s.course_id AND pc.program_id = $2 AND pc.year_of_study = 1 WHERE s.term_id = $1",
        term,
        program
    )
    .fetch_one(&mut *tx)
    .await?;
    // A paper for each section (its first exam, else its first assessment), ten days of
    // two slots in an exam period a month on.
    sqlx::query!(
        "INSERT INTO calendar_entries (college_id, kind, name, starts_on, ends_on) \
         SELECT app_current_college(), 'exam_period', 'Benchmark exams', current_date + 30, current_date + 44 \
         WHERE NOT EXISTS (SELECT 1 FROM calendar_entries WHERE kind = 'exam_period' \
             AND starts_on <= current_date + 44 AND ends_on >= current_date + 30)"
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "WITH papers AS (SELECT DISTINCT ON (s.id) s.id AS section_id, s.term_id, a.id AS assessment_id, \
                  row_number() OVER (ORDER BY s.id) AS n \
             FROM sections s JOIN assessments a ON a.college_id = s.college_id AND a.section_id = s.id \
             WHERE s.term_id = $1 ORDER BY s.id, (a.kind = 'exam') DESC, a.name) \
         INSERT INTO exam_sittings (college_id, assessment_id, section_id, term_id, starts_at, ends_at) \
         SELECT app_current_college(), assessment_id, section_id, term_id, \
                (current_date + 30 + (n % 10)::int)::timestamptz + CASE WHEN (n / 10) % 2 = 0 THEN interval '9 hours 30 minutes' ELSE interval '14 hours' END, \
                (current_date + 30 + (n % 10)::int)::timestamptz + CASE WHEN (n / 10) % 2 = 0 THEN interval '12 hours 30 minutes' ELSE interval '17 hours' END \
         FROM papers ON CONFLICT DO NOTHING",
        term
    )
    .execute(&mut *tx)
    .await?;
    let sittings: i64 = sqlx::query_scalar!(
        "SELECT count(*) AS \"v!\" FROM exam_sittings WHERE term_id = $1",
        term
    )
    .fetch_one(&mut *tx)
    .await?;
    let ticket_program = sqlx::query!(
        "SELECT st.program_id, count(DISTINCT st.id) AS \"students!\" FROM students st \
         JOIN enrollments e ON e.college_id = st.college_id AND e.student_id = st.id AND e.status = 'enrolled' \
         JOIN exam_sittings x ON x.college_id = e.college_id AND x.section_id = e.section_id AND x.term_id = $1 \
         GROUP BY st.program_id ORDER BY abs(count(DISTINCT st.id) - 1000), st.program_id LIMIT 1",
        term
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| (r.program_id, r.students))
    .context("no student sits a paper")?;
    tx.commit().await?;
    Ok(Academic {
        term,
        program,
        sections,
        sittings,
        ticket_program,
    })
}

/// Runs the three scenarios as the registrar.
pub async fn scenarios(
    client: &Client,
    base: &str,
    clients: usize,
    window: Bound,
    registrar_cookie: &str,
    registrar_token: &str,
    a: &Academic,
) -> anyhow::Result<Vec<Outcome>> {
    let mut results = Vec::new();
    // One coordinator at a time (the page's own latency), then many at once.
    for (name, clients) in [
        ("timetable builder, a program year (1 client)", 1),
        ("timetable builder, a program year", clients),
    ] {
        let (c, b, cookie) = (
            client.clone(),
            base.to_string(),
            registrar_cookie.to_string(),
        );
        let page = format!(
            "/timetable/builder?term={}&program={}&year=1",
            a.term, a.program
        );
        let mut outcome = measured(
            client,
            base,
            drive(
                name,
                clients,
                window,
                move |_| c.get(format!("{b}{page}")).header("cookie", &cookie),
                |s| s == StatusCode::OK,
            ),
        )
        .await;
        outcome.note = format!(
            "{} sections, 3 meetings each, overlaps named {}",
            a.sections, outcome.note
        );
        results.push(outcome);
    }

    // The term's exam clash check, one request at a time.
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut lines = 0;
    let started = Instant::now();
    for _ in 0..5 {
        let one = Instant::now();
        let response = client
            .get(format!("{base}/api/v1/exams/clashes?term={}", a.term))
            .bearer_auth(registrar_token)
            .send()
            .await?;
        let ok = response.status() == StatusCode::OK;
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        latencies.push(one.elapsed().as_micros() as u64);
        errors += usize::from(!ok);
        lines = body.as_array().map_or(0, Vec::len);
    }
    latencies.sort_unstable();
    results.push(Outcome {
        name: "exam clash check of the term".into(),
        clients: 1,
        requests: latencies.len(),
        errors,
        elapsed: started.elapsed(),
        latencies,
        queries_per_request: None,
        note: format!(
            "{} papers; {lines} clashes and unseated papers named",
            a.sittings
        ),
    });

    // A program's hall tickets as one job, timed from request to finished archive.
    let started = Instant::now();
    let created: serde_json::Value = client
        .post(format!("{base}/api/v1/report-card-jobs"))
        .bearer_auth(registrar_token)
        .json(&serde_json::json!({
            "program_id": a.ticket_program.0, "term_id": a.term, "kind": "hall_tickets",
        }))
        .send()
        .await?
        .json()
        .await?;
    let job = created["id"]
        .as_str()
        .with_context(|| format!("no job: {created}"))?
        .to_string();
    let (status, done) = loop {
        let view: serde_json::Value = client
            .get(format!("{base}/api/v1/report-card-jobs/{job}"))
            .bearer_auth(registrar_token)
            .send()
            .await?
            .json()
            .await?;
        let status = view["status"].as_str().unwrap_or_default().to_string();
        if status == "done" || status == "failed" || started.elapsed() > Duration::from_secs(900) {
            break (status, view["done"].as_i64().unwrap_or(0));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let elapsed = started.elapsed();
    let per_thousand = elapsed.as_secs_f64() * 1000.0 / (done.max(1) as f64);
    results.push(Outcome {
        name: "a program's hall tickets (one job)".into(),
        clients: 1,
        requests: done as usize,
        errors: usize::from(status != "done"),
        elapsed,
        latencies: Vec::new(),
        queries_per_request: None,
        note: format!(
            "{done} tickets in {:.1} s ({status}): {per_thousand:.1} s per 1,000",
            elapsed.as_secs_f64()
        ),
    });
    Ok(results)
}
