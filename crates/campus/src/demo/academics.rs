//! The demo college's teaching: four courses per department (each needing the one
//! before), a section of each in the current term with a teacher of the department and
//! two weekly meetings in a room of the department's building, an open registration
//! window, first-year students enrolled in their department's first course while seats
//! last, their coursework (an assignment, a quiz marked but for a few, a reading, an online
//! meeting), and last term's results.

use sqlx::PgConnection;

/// Seats in each demo section.
const SEATS: i32 = 60;

pub async fn load(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(
        "INSERT INTO courses (college_id, department_id, code, title, credits) \
         SELECT app_current_college(), d.id, d.code || (100 * n + 1)::text, \
                (ARRAY['Foundations of ', 'Methods in ', 'Topics in ', 'Advanced '])[n] || d.name, \
                (ARRAY[4, 4, 3, 3])[n] \
         FROM departments d, generate_series(1, 4) AS n; \
         INSERT INTO course_prerequisites (college_id, course_id, prerequisite_id) \
         SELECT app_current_college(), c.id, p.id FROM courses c JOIN courses p \
           ON p.department_id = c.department_id \
          AND p.code = regexp_replace(c.code, '[0-9]+$', '') || ((substring(c.code FROM '[0-9]+$')::int) - 100)::text \
         WHERE substring(c.code FROM '[0-9]+$')::int > 101;",
    )
    .execute(&mut *conn)
    .await?;
    // The term running today, or else the next one.
    let term: Option<uuid::Uuid> = sqlx::query_scalar!(
        "SELECT id FROM terms WHERE ends_on >= current_date ORDER BY starts_on LIMIT 1"
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(term) = term else { return Ok(()) };
    sqlx::query!(
        "INSERT INTO sections (college_id, course_id, term_id, code, capacity) \
         SELECT app_current_college(), id, $1, 'A', $2 FROM courses",
        term,
        SEATS
    )
    .execute(&mut *conn)
    .await?;
    // Each course of a department gets its own teacher (round robin over the
    // department's staff) and its own slots, so no teacher is booked twice.
    sqlx::raw_sql(
        "WITH ranked AS ( \
            SELECT s.id AS section_id, s.term_id, c.department_id, \
                   row_number() OVER (PARTITION BY c.department_id ORDER BY c.code) - 1 AS i \
            FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id), \
         staffed AS ( \
            SELECT st.id, st.department_id, \
                   row_number() OVER (PARTITION BY st.department_id ORDER BY st.staff_number) - 1 AS j, \
                   count(*) OVER (PARTITION BY st.department_id) AS n \
            FROM staff st WHERE st.department_id IS NOT NULL) \
         INSERT INTO section_teachers (college_id, section_id, staff_id) \
         SELECT app_current_college(), r.section_id, t.id FROM ranked r JOIN staffed t \
           ON t.department_id = r.department_id AND t.j = r.i % t.n;",
    )
    .execute(&mut *conn)
    .await?;
    let meetings: Vec<(uuid::Uuid, uuid::Uuid, i64)> = sqlx::query!("SELECT s.id, s.term_id, row_number() OVER (PARTITION BY c.department_id ORDER BY c.code) - 1 AS \"position!\" \
         FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id")
    .fetch_all(&mut *conn)
    .await.map(|v| v.into_iter().map(|r| (r.id, r.term_id, r.position)).collect::<Vec<_>>())?;
    for (section, term, i) in meetings {
        // Course i of a department: weekdays i+1 and i+2 (Monday to Friday), at 9:00.
        for day in [i + 1, i + 2] {
            let weekday = ((day - 1) % 5 + 1) as i16;
            let meeting: uuid::Uuid = sqlx::query_scalar!("INSERT INTO section_meetings (college_id, section_id, term_id, weekday, start_minute, end_minute) \
                 VALUES (app_current_college(), $1, $2, $3, $4, $5) RETURNING id", section, term, weekday, 540 + 100 * (i as i32), 630 + 100 * (i as i32))
            .fetch_one(&mut *conn)
            .await?;
            sqlx::query!("INSERT INTO teacher_bookings (college_id, meeting_id, staff_id, term_id, weekday, start_minute, end_minute) \
                 SELECT app_current_college(), m.id, x.staff_id, m.term_id, m.weekday, m.start_minute, m.end_minute \
                 FROM section_meetings m JOIN section_teachers x ON x.college_id = m.college_id AND x.section_id = m.section_id \
                 WHERE m.id = $1", meeting)
.execute(&mut *conn)
            .await?;
        }
    }
    // Each section meets in a room of its department's building, a room of its own, so
    // no two meetings share a room at once (a building short of rooms leaves the rest
    // without one).
    sqlx::query!(
        "WITH placed AS ( \
            SELECT s.id AS section_id, d.building_id, \
                   row_number() OVER (PARTITION BY d.building_id ORDER BY c.code) AS k \
            FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
            JOIN departments d ON d.college_id = c.college_id AND d.id = c.department_id \
            WHERE s.term_id = $1), \
         teaching_rooms AS ( \
            SELECT r.id AS room_id, r.building_id, \
                   row_number() OVER (PARTITION BY r.building_id ORDER BY \
                     CASE r.kind WHEN 'lecture_hall' THEN 0 WHEN 'classroom' THEN 1 WHEN 'lab' THEN 2 ELSE 3 END, \
                     r.code) AS k \
            FROM rooms r WHERE r.kind IN ('lecture_hall', 'classroom', 'lab', 'seminar')) \
         UPDATE section_meetings m SET room_id = t.room_id \
         FROM placed p JOIN teaching_rooms t ON t.building_id = p.building_id AND t.k = p.k \
         WHERE m.section_id = p.section_id",
        term
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("INSERT INTO registration_windows (college_id, term_id, opens_at, closes_at, max_credits) \
         VALUES (app_current_college(), $1, now() - interval '7 days', now() + interval '30 days', 20)", term)
.execute(&mut *conn)
    .await?;
    // The bell schedule the meetings keep to, and a calendar: a holiday and an event in
    // the weeks ahead, the term's last two weeks for examinations (left out while they
    // run: the demo shows a teaching day).
    sqlx::query!(
        "INSERT INTO bell_periods (college_id, name, start_minute, end_minute) \
         SELECT app_current_college(), 'Period ' || row_number() OVER (ORDER BY start_minute), start_minute, end_minute \
         FROM (SELECT DISTINCT start_minute, end_minute FROM section_meetings) m"
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO calendar_entries (college_id, kind, name, starts_on, ends_on, notes) \
         SELECT app_current_college(), e.kind, e.name, e.starts_on, e.ends_on, e.notes \
         FROM terms t, LATERAL (VALUES \
             ('holiday', 'Founders'' Day', current_date + 10, current_date + 10, 'The college is closed.'), \
             ('event', 'Annual sports meet', current_date + 17, current_date + 18, 'On the main ground; classes as usual.'), \
             ('exam_period', 'End-of-term examinations', t.ends_on - 13, t.ends_on, '')) AS e(kind, name, starts_on, ends_on, notes) \
         WHERE t.id = $1 \
           AND NOT (e.kind <> 'event' AND current_date BETWEEN e.starts_on AND e.ends_on)",
        term
    )
    .execute(&mut *conn)
    .await?;
    // First-year students take their department's first course, while seats last.
    sqlx::raw_sql(
        "WITH eligible AS ( \
            SELECT st.id AS student_id, s.id AS section_id, \
                   row_number() OVER (PARTITION BY s.id ORDER BY st.student_number) AS k \
            FROM students st JOIN programs p ON p.college_id = st.college_id AND p.id = st.program_id \
            JOIN courses c ON c.college_id = p.college_id AND c.department_id = p.department_id \
             AND c.code ~ '101$' \
            JOIN sections s ON s.college_id = c.college_id AND s.course_id = c.id \
            WHERE st.status = 'enrolled' AND st.year_of_study = 1), \
         chosen AS (INSERT INTO enrollments (college_id, section_id, student_id, status) \
            SELECT app_current_college(), section_id, student_id, 'enrolled' FROM eligible \
            WHERE k <= 50 RETURNING section_id) \
         UPDATE sections s SET enrolled = counted.n \
         FROM (SELECT section_id, count(*) AS n FROM chosen GROUP BY section_id) AS counted \
         WHERE s.id = counted.section_id;",
    )
    .execute(&mut *conn)
    .await?;
    coursework(conn, term).await?;
    past_term(conn).await?;
    Ok(())
}

/// An assignment due next week, a quiz marked for most students (a few marks still to
/// enter), a reading and an online office hour in each section with students, so
/// students and teachers find coursework on their pages.
async fn coursework(conn: &mut PgConnection, term: uuid::Uuid) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(
        "WITH a AS (INSERT INTO assessments (college_id, section_id, name, kind, weight, max_marks) \
                    SELECT app_current_college(), id, 'Problem set 1', 'assignment', 20, 20 FROM sections WHERE enrolled > 0 \
                    RETURNING id, section_id) \
         INSERT INTO assignments (college_id, section_id, assessment_id, title, instructions, due_at, created_by) \
         SELECT app_current_college(), a.section_id, a.id, 'Problem set 1', \
                'Answer the five questions of chapter 1. Show your working; a scanned page or a PDF is fine.', \
                date_trunc('day', now()) + interval '7 days 17 hours', \
                (SELECT st.user_id FROM section_teachers x JOIN staff st ON st.college_id = x.college_id AND st.id = x.staff_id \
                 WHERE x.section_id = a.section_id LIMIT 1) \
         FROM a; \
         INSERT INTO materials (college_id, section_id, title, description, link) \
         SELECT app_current_college(), id, 'Course outline', 'Topics week by week, readings and how the course is assessed.', \
                'https://www.example.edu/outline' FROM sections WHERE enrolled > 0;",
    )
    .execute(&mut *conn)
    .await?;
    // Quiz 1, held last week: one student in four still has no mark.
    sqlx::query!(
        "WITH q AS (INSERT INTO assessments (college_id, section_id, name, kind, weight, max_marks) \
                    SELECT app_current_college(), id, 'Quiz 1', 'quiz', 10, 10 FROM sections \
                    WHERE term_id = $1 AND enrolled > 0 RETURNING id, section_id) \
         INSERT INTO marks (college_id, assessment_id, student_id, score, entered_by, entered_at) \
         SELECT app_current_college(), q.id, e.student_id, 4 + abs(hashtext(q.id::text || e.student_id::text)) % 7, \
                (SELECT st.user_id FROM section_teachers x JOIN staff st ON st.college_id = x.college_id \
                   AND st.id = x.staff_id WHERE x.section_id = q.section_id ORDER BY st.staff_number LIMIT 1), \
                now() - interval '5 days' \
         FROM q JOIN enrollments e ON e.college_id = app_current_college() AND e.section_id = q.section_id \
           AND e.status = 'enrolled' \
         WHERE abs(hashtext(e.student_id::text || 'quiz')) % 4 <> 0",
        term
    )
    .execute(&mut *conn)
    .await?;
    // An online office hour in two days' time, with the link to join.
    sqlx::query!(
        "INSERT INTO online_meetings (college_id, section_id, title, starts_at, ends_at, link, agenda, created_by) \
         SELECT app_current_college(), s.id, 'Office hour: questions on problem set 1', \
                date_trunc('day', now()) + interval '2 days 11 hours', \
                date_trunc('day', now()) + interval '2 days 11 hours 45 minutes', \
                'https://meet.example.edu/' || lower(c.code) || '-' || lower(s.code), \
                'Bring the questions you are stuck on; we go through them together.', \
                (SELECT st.user_id FROM section_teachers x JOIN staff st ON st.college_id = x.college_id \
                   AND st.id = x.staff_id WHERE x.section_id = s.id ORDER BY st.staff_number LIMIT 1) \
         FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         WHERE s.term_id = $1 AND s.enrolled > 0",
        term
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The term before the current one, over: second-year students took their department's
/// first course then, and its results are published (so records, GPAs, report cards and
/// transcripts have something to show).
async fn past_term(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    let term: Option<uuid::Uuid> = sqlx::query_scalar!(
        "SELECT id FROM terms WHERE ends_on < current_date ORDER BY ends_on DESC LIMIT 1"
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(term) = term else { return Ok(()) };
    // Only a uuid and a constant are formatted in.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "INSERT INTO sections (college_id, course_id, term_id, code, capacity) \
         SELECT app_current_college(), id, '{term}', 'A', {SEATS} FROM courses WHERE code ~ '101$'; \
         INSERT INTO section_teachers (college_id, section_id, staff_id) \
         SELECT app_current_college(), p.id, x.staff_id FROM sections p \
         JOIN sections c ON c.college_id = p.college_id AND c.course_id = p.course_id AND c.term_id <> p.term_id \
         JOIN section_teachers x ON x.college_id = c.college_id AND x.section_id = c.id \
         WHERE p.term_id = '{term}'; \
         WITH eligible AS ( \
            SELECT st.id AS student_id, s.id AS section_id, \
                   row_number() OVER (PARTITION BY s.id ORDER BY st.student_number) AS k \
            FROM students st JOIN programs p ON p.college_id = st.college_id AND p.id = st.program_id \
            JOIN courses c ON c.college_id = p.college_id AND c.department_id = p.department_id AND c.code ~ '101$' \
            JOIN sections s ON s.college_id = c.college_id AND s.course_id = c.id AND s.term_id = '{term}' \
            WHERE st.status = 'enrolled' AND st.year_of_study = 2), \
         chosen AS (INSERT INTO enrollments (college_id, section_id, student_id, status) \
            SELECT app_current_college(), section_id, student_id, 'enrolled' FROM eligible WHERE k <= 40 RETURNING section_id) \
         UPDATE sections s SET enrolled = counted.n \
         FROM (SELECT section_id, count(*) AS n FROM chosen GROUP BY section_id) AS counted WHERE s.id = counted.section_id; \
         INSERT INTO assessments (college_id, section_id, name, kind, weight, max_marks) \
         SELECT app_current_college(), s.id, v.name, v.kind, v.weight, v.max FROM sections s, \
           (VALUES ('Midterm', 'exam', 40, 50), ('Final', 'exam', 60, 100)) AS v(name, kind, weight, max) \
         WHERE s.term_id = '{term}'; \
         INSERT INTO marks (college_id, assessment_id, student_id, score) \
         SELECT app_current_college(), a.id, e.student_id, \
                round(a.max_marks * (30 + abs(hashtext(a.name || e.student_id::text)) % 71) / 100.0, 1) \
         FROM assessments a JOIN sections s ON s.college_id = a.college_id AND s.id = a.section_id \
         JOIN enrollments e ON e.college_id = a.college_id AND e.section_id = a.section_id AND e.status = 'enrolled' \
         WHERE s.term_id = '{term}';"
    )))
    .execute(&mut *conn)
    .await?;
    let registrar: Option<uuid::Uuid> = sqlx::query_scalar!(
        "SELECT r.user_id FROM role_assignments r WHERE r.role = 'registrar' LIMIT 1"
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(registrar) = registrar else {
        return Ok(());
    };
    let college: uuid::Uuid = sqlx::query_scalar!("SELECT app_current_college() AS \"v!\"")
        .fetch_one(&mut *conn)
        .await?;
    let grant = crate::access::principal::Grant::for_system(
        crate::access::permissions::Permission::MarksEnter,
        crate::db::CollegeId(college),
        registrar,
        "registrar",
    );
    let context = crate::audit::AuditContext {
        actor: Some(registrar),
        actor_role: Some("registrar".into()),
        request_id: Some("demo".into()),
        ..crate::audit::AuditContext::default()
    };
    let sections: Vec<uuid::Uuid> = sqlx::query_scalar!(
        "SELECT s.id FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         WHERE s.term_id = $1 AND s.enrolled > 0 ORDER BY c.code",
        term
    )
    .fetch_all(&mut *conn)
    .await?;
    // Every section's results are published but the last one's, submitted and waiting
    // for the registrar (when there are several).
    let waiting = sections.len().checked_sub(1).filter(|last| *last > 0);
    for (i, section) in sections.into_iter().enumerate() {
        // Demo data is made consistent above; a refusal here would be a bug to see.
        let published = async {
            crate::academics::assessment::results::submit(conn, &grant, &context, section).await?;
            if Some(i) == waiting {
                return Ok(());
            }
            crate::academics::assessment::results::publish(conn, &context, section).await
        }
        .await;
        if let Err(e) = published {
            tracing::warn!(error = ?e, "a demo section's results were not published");
        }
    }
    Ok(())
}
