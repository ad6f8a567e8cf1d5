//! Results: a college's grading scale, and each section's results moving draft ->
//! submitted -> published. A teacher submits a section whose assessments weigh 100% and
//! whose marks are complete; the grades are computed then and stored. A registrar
//! publishes them (students see them, passed courses count as completed) or returns them
//! to the teacher with a reason. Published results are locked by the database; an
//! amendment (service.rs) changes them with a reason. And a student's published record,
//! term by term, with term and cumulative averages.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::academics::assessment::grading::{self, Band, Component, Graded, Scale};
use crate::academics::assessment::model::{
    CourseResult, MarkRow, MissingMarks, Record, RecordRow, SectionResults, Status, StudentResult,
    TermRecord,
};
use crate::access::principal::Grant;
use crate::access::reach::authorize_section;
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};

/// The college's scale, or the built-in one when it has not set its own.
pub async fn scale(conn: &mut PgConnection) -> Result<Scale, sqlx::Error> {
    let bands: Vec<Band> = sqlx::query_as!(Band, "SELECT letter, min_percent::float8 AS \"min_percent!\", grade_points::float8 AS \"grade_points!\", passing \
         FROM grade_bands ORDER BY min_percent DESC")
    .fetch_all(conn)
    .await?;
    Ok(if bands.is_empty() {
        Scale::built_in()
    } else {
        Scale { bands }
    })
}

/// Replaces the college's scale. Results already graded keep the grade they were given.
pub async fn replace_scale(
    conn: &mut PgConnection,
    context: &AuditContext,
    bands: Vec<Band>,
) -> Result<Scale, AppError> {
    let new = Scale::new(bands).map_err(AppError::Validation)?;
    let before = scale(conn).await?;
    sqlx::query!("DELETE FROM grade_bands")
        .execute(&mut *conn)
        .await?;
    let letters: Vec<String> = new.bands.iter().map(|b| b.letter.clone()).collect();
    let mins: Vec<f64> = new.bands.iter().map(|b| b.min_percent).collect();
    let points: Vec<f64> = new.bands.iter().map(|b| b.grade_points).collect();
    let passing: Vec<bool> = new.bands.iter().map(|b| b.passing).collect();
    sqlx::query!(
        "INSERT INTO grade_bands (college_id, letter, min_percent, grade_points, passing) \
         SELECT app_current_college(), l, m::numeric, p::numeric, ok \
         FROM unnest($1::text[], $2::float8[], $3::float8[], $4::bool[]) AS t(l, m, p, ok)",
        &letters,
        &mins,
        &points,
        &passing
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("grading.scale_replaced")
            .object("grading_scale", "college")
            .before(serde_json::to_value(&before.bands).unwrap_or_default())
            .after(serde_json::to_value(&new.bands).unwrap_or_default()),
    )
    .await?;
    Ok(new)
}

/// A section's results status, read under the section's row lock when `lock` is set, so
/// that a transition and a marks entry cannot interleave.
pub async fn status(
    conn: &mut PgConnection,
    section: Uuid,
    lock: bool,
) -> Result<Status, AppError> {
    let sql = if lock {
        "SELECT results_status FROM sections WHERE id = $1 FOR UPDATE"
    } else {
        "SELECT results_status FROM sections WHERE id = $1"
    };
    let text: Option<String> = sqlx::query_scalar(sql)
        .bind(section)
        .fetch_optional(conn)
        .await?;
    text.map(|t| Status::parse(&t)).ok_or(AppError::NotFound)
}

/// Refuses a change of marks or assessments unless the section's results are a draft.
pub async fn ensure_draft(conn: &mut PgConnection, section: Uuid) -> Result<(), AppError> {
    match status(conn, section, true).await? {
        Status::Draft => Ok(()),
        Status::Submitted => Err(AppError::Conflict(
            "the results of this section were submitted for publishing: a registrar must return them before marks or assessments change".into(),
        )),
        Status::Published => Err(AppError::Conflict(
            "the results of this section are published and locked: a change needs an amendment with a reason".into(),
        )),
    }
}

/// Grades every enrolled student of a section from its marks with the college's scale.
pub(super) async fn compute(
    conn: &mut PgConnection,
    section: Uuid,
    only: Option<Uuid>,
) -> Result<Vec<StudentResult>, sqlx::Error> {
    let scale = scale(conn).await?;
    let rows: Vec<MarkRow> = sqlx::query_as!(MarkRow, "SELECT st.id AS student_id, st.student_number, st.first_name || ' ' || st.last_name AS \"name!\", \
            a.weight::float8 AS \"weight!\", a.max_marks::float8 AS \"max_marks!\", m.score::float8 AS \"score?\" \
         FROM enrollments e JOIN students st ON st.college_id = e.college_id AND st.id = e.student_id \
         JOIN assessments a ON a.college_id = e.college_id AND a.section_id = e.section_id \
         LEFT JOIN marks m ON m.college_id = a.college_id AND m.assessment_id = a.id AND m.student_id = st.id \
         WHERE e.section_id = $1 AND e.status = 'enrolled' AND ($2::uuid IS NULL OR st.id = $2) \
         ORDER BY st.last_name, st.first_name, st.id", section, only)
    .fetch_all(conn)
    .await?;
    let mut out: Vec<StudentResult> = Vec::new();
    let mut components: Vec<Component> = Vec::new();
    let mut flush = |row: &MarkRow, components: &mut Vec<Component>| {
        let percent = grading::course_percent(components);
        let band = scale.grade(percent);
        out.push(StudentResult {
            student_id: row.student_id,
            student_number: row.student_number.clone(),
            name: row.name.clone(),
            percent,
            letter: band.letter.clone(),
            grade_points: band.grade_points,
            passed: band.passing,
        });
        components.clear();
    };
    for (i, row) in rows.iter().enumerate() {
        components.push(Component {
            weight: row.weight,
            score: row.score,
            max_marks: row.max_marks,
        });
        if rows
            .get(i + 1)
            .is_none_or(|next| next.student_id != row.student_id)
        {
            flush(row, &mut components);
        }
    }
    Ok(out)
}

pub async fn of_section(
    conn: &mut PgConnection,
    section: Uuid,
) -> Result<SectionResults, AppError> {
    let status = status(conn, section, false).await?;
    let total_weight: f64 = sqlx::query_scalar!(
        "SELECT coalesce(sum(weight), 0)::float8 AS \"v!\" FROM assessments WHERE section_id = $1",
        section
    )
    .fetch_one(&mut *conn)
    .await?;
    let missing: Vec<MissingMarks> = sqlx::query_as!(MissingMarks, "SELECT a.name AS assessment, count(*) AS \"missing!\" FROM assessments a \
         JOIN enrollments e ON e.college_id = a.college_id AND e.section_id = a.section_id AND e.status = 'enrolled' \
         WHERE a.section_id = $1 AND NOT EXISTS (SELECT 1 FROM marks m WHERE m.college_id = a.college_id \
            AND m.assessment_id = a.id AND m.student_id = e.student_id) \
         GROUP BY a.name ORDER BY a.name", section)
    .fetch_all(&mut *conn)
    .await?;
    let results = if status == Status::Draft {
        compute(conn, section, None).await?
    } else {
        sqlx::query_as!(
            StudentResult,
            "SELECT r.student_id, st.student_number, st.first_name || ' ' || st.last_name AS \"name!\", \
                r.percent::float8 AS \"percent!\", r.letter, r.grade_points::float8 AS \"grade_points!\", r.passed \
             FROM results r JOIN students st ON st.college_id = r.college_id AND st.id = r.student_id \
             WHERE r.section_id = $1 ORDER BY st.last_name, st.first_name, st.id",
            section
        )
        .fetch_all(&mut *conn)
        .await?
    };
    Ok(SectionResults {
        section_id: section,
        status,
        total_weight,
        missing,
        results,
    })
}

pub(super) async fn store(
    conn: &mut PgConnection,
    section: Uuid,
    results: &[StudentResult],
) -> Result<(), sqlx::Error> {
    let students: Vec<Uuid> = results.iter().map(|r| r.student_id).collect();
    let percents: Vec<f64> = results.iter().map(|r| r.percent).collect();
    let letters: Vec<String> = results.iter().map(|r| r.letter.clone()).collect();
    let points: Vec<f64> = results.iter().map(|r| r.grade_points).collect();
    let passed: Vec<bool> = results.iter().map(|r| r.passed).collect();
    sqlx::query!("INSERT INTO results (college_id, section_id, student_id, percent, letter, grade_points, credits, passed) \
         SELECT app_current_college(), $1, s, p::numeric, l, g::numeric, c.credits, ok \
         FROM unnest($2::uuid[], $3::float8[], $4::text[], $5::float8[], $6::bool[]) AS t(s, p, l, g, ok) \
         CROSS JOIN (SELECT co.credits FROM sections se JOIN courses co ON co.college_id = se.college_id AND co.id = se.course_id WHERE se.id = $1) c \
         ON CONFLICT (college_id, section_id, student_id) DO UPDATE SET percent = excluded.percent, \
            letter = excluded.letter, grade_points = excluded.grade_points, passed = excluded.passed, updated_at = now()", section, &students, &percents, &letters, &points, &passed)
    .execute(conn)
    .await?;
    Ok(())
}

/// The teacher hands a section's results in: assessments must weigh 100% and every
/// enrolled student must have every mark.
pub async fn submit(
    conn: &mut PgConnection,
    grant: &Grant,
    context: &AuditContext,
    section: Uuid,
) -> Result<SectionResults, AppError> {
    authorize_section(conn, grant, section).await?;
    match status(conn, section, true).await? {
        Status::Draft => {}
        Status::Submitted => {
            return Err(AppError::Conflict(
                "the results of this section are already submitted".into(),
            ));
        }
        Status::Published => {
            return Err(AppError::Conflict(
                "the results of this section are already published".into(),
            ));
        }
    }
    let draft = of_section(conn, section).await?;
    let mut errors = Vec::new();
    if (draft.total_weight - 100.0).abs() > 0.005 {
        errors.push(FieldError::new(
            "assessments",
            format!(
                "the section's assessments weigh {}%; they must add up to 100% before results are submitted",
                draft.total_weight
            ),
        ));
    }
    for m in &draft.missing {
        errors.push(FieldError::new(
            "marks",
            format!(
                "{}: {} student(s) have no mark yet (enter 0 for a student who missed it)",
                m.assessment, m.missing
            ),
        ));
    }
    if draft.results.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(
            "section",
            "no student is enrolled in this section",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    sqlx::query!("DELETE FROM results WHERE section_id = $1", section)
        .execute(&mut *conn)
        .await?;
    store(conn, section, &draft.results).await?;
    set_status(conn, section, Status::Submitted).await?;
    audit::record(
        conn,
        context,
        Entry::new("results.submitted")
            .object("section", section)
            .after(serde_json::json!({ "students": draft.results.len() })),
    )
    .await?;
    Ok(SectionResults {
        status: Status::Submitted,
        ..draft
    })
}

async fn set_status(
    conn: &mut PgConnection,
    section: Uuid,
    status: Status,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE sections SET results_status = $2, results_changed_at = now() WHERE id = $1",
        section,
        status.as_str()
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Publishes submitted results: students and guardians see them, passed courses count as
/// completed for prerequisites, and the marks are locked.
pub async fn publish(
    conn: &mut PgConnection,
    context: &AuditContext,
    section: Uuid,
) -> Result<(), AppError> {
    if status(conn, section, true).await? != Status::Submitted {
        return Err(AppError::Conflict(
            "only submitted results can be published".into(),
        ));
    }
    set_status(conn, section, Status::Published).await?;
    let completed = sqlx::query!(
        "INSERT INTO course_completions (college_id, student_id, course_id, completed_on) \
         SELECT r.college_id, r.student_id, s.course_id, current_date FROM results r \
         JOIN sections s ON s.college_id = r.college_id AND s.id = r.section_id \
         WHERE r.section_id = $1 AND r.passed ON CONFLICT DO NOTHING",
        section
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    // A pass clears a requirement carried from an earlier term.
    sqlx::query!(
        "UPDATE carried_requirements cr SET cleared_at = now() FROM results r \
         JOIN sections s ON s.college_id = r.college_id AND s.id = r.section_id \
         WHERE r.section_id = $1 AND r.passed AND cr.student_id = r.student_id \
           AND cr.course_id = s.course_id AND cr.cleared_at IS NULL",
        section
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("results.published")
            .object("section", section)
            .after(serde_json::json!({ "completions_added": completed })),
    )
    .await?;
    Ok(())
}

pub(super) fn reason_of(reason: &str) -> Result<&str, AppError> {
    let reason = reason.trim();
    if (5..=500).contains(&reason.chars().count()) {
        Ok(reason)
    } else {
        Err(AppError::Validation(vec![FieldError::new(
            "reason",
            "say why, in 5 to 500 characters",
        )]))
    }
}

/// Sends submitted results back to the teacher as a draft, with a reason.
pub async fn return_to_draft(
    conn: &mut PgConnection,
    context: &AuditContext,
    section: Uuid,
    reason: &str,
) -> Result<(), AppError> {
    let reason = reason_of(reason)?;
    if status(conn, section, true).await? != Status::Submitted {
        return Err(AppError::Conflict(
            "only submitted results can be returned to the teacher".into(),
        ));
    }
    set_status(conn, section, Status::Draft).await?;
    audit::record(
        conn,
        context,
        Entry::new("results.returned")
            .object("section", section)
            .after(serde_json::json!({ "reason": reason })),
    )
    .await?;
    Ok(())
}

pub async fn record_of(conn: &mut PgConnection, student: Uuid) -> Result<Record, sqlx::Error> {
    let rows: Vec<RecordRow> = sqlx::query!(
        "SELECT t.id AS term_id, t.name AS term, y.name AS academic_year, t.starts_on, \
            c.code AS course_code, c.title AS course_title, r.credits::float8 AS \"credits!\", \
            r.percent::float8 AS \"percent!\", r.letter, r.grade_points::float8 AS \"grade_points!\", r.passed \
         FROM results r JOIN sections s ON s.college_id = r.college_id AND s.id = r.section_id \
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id \
         JOIN academic_years y ON y.college_id = t.college_id AND y.id = t.academic_year_id \
         WHERE r.student_id = $1 AND s.results_status = 'published' \
         ORDER BY t.starts_on, c.code",
        student
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| RecordRow {
        term_id: r.term_id,
        term: r.term,
        academic_year: r.academic_year,
        starts_on: r.starts_on,
        course: CourseResult {
            course_code: r.course_code,
            course_title: r.course_title,
            credits: r.credits,
            percent: r.percent,
            letter: r.letter,
            grade_points: r.grade_points,
            passed: r.passed,
        },
    })
    .collect();
    let mut terms: Vec<TermRecord> = Vec::new();
    let mut graded: Vec<Graded> = Vec::new();
    for row in rows {
        graded.push(Graded {
            course: row.course.course_code.clone(),
            term_order: row.starts_on.to_julian_day().into(),
            credits: row.course.credits,
            grade_points: row.course.grade_points,
        });
        if terms.last().is_none_or(|t| t.term_id != row.term_id) {
            terms.push(TermRecord {
                term_id: row.term_id,
                term: row.term,
                academic_year: row.academic_year,
                starts_on: row.starts_on,
                courses: Vec::new(),
                gpa: None,
                credits_attempted: 0.0,
                credits_earned: 0.0,
            });
        }
        if let Some(term) = terms.last_mut() {
            term.courses.push(row.course);
        }
    }
    for term in &mut terms {
        let courses: Vec<Graded> = term
            .courses
            .iter()
            .map(|c| Graded {
                course: c.course_code.clone(),
                term_order: 0,
                credits: c.credits,
                grade_points: c.grade_points,
            })
            .collect();
        term.gpa = grading::gpa(&courses);
        term.credits_attempted = term.courses.iter().map(|c| c.credits).sum();
        term.credits_earned = term
            .courses
            .iter()
            .filter(|c| c.passed)
            .map(|c| c.credits)
            .sum();
    }
    let cumulative_gpa = grading::cumulative_gpa(&graded);
    // Earned credits count each passed course once.
    let mut passed: Vec<(&str, f64)> = Vec::new();
    for term in &terms {
        for c in term.courses.iter().filter(|c| c.passed) {
            if !passed.iter().any(|(code, _)| *code == c.course_code) {
                passed.push((&c.course_code, c.credits));
            }
        }
    }
    let credits_earned = passed.iter().map(|(_, c)| c).sum();
    let carried: Vec<String> = sqlx::query_scalar!("SELECT c.code FROM carried_requirements cr JOIN courses c ON c.college_id = cr.college_id AND c.id = cr.course_id \
         WHERE cr.student_id = $1 AND cr.cleared_at IS NULL ORDER BY c.code", student)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Record {
        student_id: student,
        terms,
        cumulative_gpa,
        credits_earned,
        carried,
    })
}
