//! Catalog queries: courses with their prerequisites, sections with their teachers,
//! registration windows, a student's enrolments, and the lookups the catalog's pages and
//! endpoints need.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::academics::catalog::model::{
    CourseFilter, CourseLine, CourseView, EnrollmentView, NewCourseInput, NewSectionInput,
    NewWindowInput, SectionView,
};
use crate::access::principal::Principal;
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, AppResult, FieldError};

const COURSE: &str = "SELECT c.id, c.code, c.title, c.credits::float8 AS credits, d.code AS department, \
        c.description, c.retired_at IS NOT NULL AS retired, coalesce(array_agg(p.code ORDER BY p.code) FILTER (WHERE p.code IS NOT NULL), '{}') AS prerequisites \
     FROM courses c JOIN departments d ON d.college_id = c.college_id AND d.id = c.department_id \
     LEFT JOIN course_prerequisites cp ON cp.college_id = c.college_id AND cp.course_id = c.id \
     LEFT JOIN courses p ON p.college_id = cp.college_id AND p.id = cp.prerequisite_id";

pub async fn search(
    conn: &mut PgConnection,
    q: &str,
    limit: i64,
) -> Result<Vec<CourseView>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COURSE} WHERE ($1 = '' OR to_tsvector('simple', c.code || ' ' || c.title) @@ plainto_tsquery('simple', $1) \
              OR c.code ILIKE $1 || '%') \
         GROUP BY c.college_id, c.id, d.code ORDER BY c.code LIMIT $2"
    )))
    .bind(q.trim())
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// One page of the catalog's list (or, for its CSV, up to `limit` courses from the first):
/// the courses `filter` selects, sorted by one of `COURSE_SORTS` in the direction asked,
/// the code breaking ties. `sort` only chooses among fixed columns; it is never placed
/// in the statement. Each row carries how many courses the filters select.
pub async fn page(
    conn: &mut PgConnection,
    filter: &CourseFilter,
    sort: &str,
    desc: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<CourseLine>, sqlx::Error> {
    let mut sql = sqlx::QueryBuilder::<sqlx::Postgres>::new(
        "SELECT c.id, c.code, c.title, c.credits::float8 AS credits, d.code AS department, \
            coalesce(array_agg(p.code ORDER BY p.code) FILTER (WHERE p.code IS NOT NULL), '{}') AS prerequisites, \
            count(*) OVER () AS total \
         FROM courses c JOIN departments d ON d.college_id = c.college_id AND d.id = c.department_id \
         LEFT JOIN course_prerequisites cp ON cp.college_id = c.college_id AND cp.course_id = c.id \
         LEFT JOIN courses p ON p.college_id = cp.college_id AND p.id = cp.prerequisite_id \
         WHERE true",
    );
    let q = filter.q.trim();
    if !q.is_empty() {
        sql.push(
            " AND (to_tsvector('simple', c.code || ' ' || c.title) @@ plainto_tsquery('simple', ",
        )
        .push_bind(q.to_string())
        .push(") OR c.code ILIKE ")
        .push_bind(q.to_string())
        .push(" || '%')");
    }
    let department = filter.department.trim();
    if !department.is_empty() {
        sql.push(" AND d.code = upper(")
            .push_bind(department.to_string())
            .push(")");
    }
    let column = match sort {
        "title" => "c.title",
        "department" => "d.code",
        "credits" => "c.credits",
        _ => "c.code",
    };
    sql.push(" GROUP BY c.college_id, c.id, d.code ORDER BY ")
        .push(column)
        .push(if desc { " DESC" } else { " ASC" })
        .push(", c.code, c.id LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    sql.build_query_as().fetch_all(conn).await
}

/// The college's departments as (code, "code name"), for the catalog's filter.
pub async fn departments(conn: &mut PgConnection) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query!("SELECT code, code || ' ' || name AS \"label!\" FROM departments ORDER BY code")
        .fetch_all(conn)
        .await
        .map(|v| v.into_iter().map(|r| (r.code, r.label)).collect::<Vec<_>>())
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Option<CourseView>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COURSE} WHERE c.id = $1 GROUP BY c.college_id, c.id, d.code"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn sections_of(
    conn: &mut PgConnection,
    course: Uuid,
) -> Result<Vec<SectionView>, sqlx::Error> {
    sqlx::query_as!(SectionView, "SELECT s.id, c.code AS course_code, s.code, t.name AS term, s.capacity, s.enrolled, \
            (SELECT count(*) FROM enrollments e WHERE e.college_id = s.college_id AND e.section_id = s.id AND e.status = 'waitlisted') AS \"waitlisted!\", \
            r.code AS \"room?\", \
            coalesce((SELECT array_agg(st.first_name || ' ' || st.last_name ORDER BY st.last_name) FROM section_teachers x \
               JOIN staff st ON st.college_id = x.college_id AND st.id = x.staff_id \
               WHERE x.college_id = s.college_id AND x.section_id = s.id), '{}') AS \"teachers!\" \
         FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id \
         LEFT JOIN rooms r ON r.college_id = s.college_id AND r.id = s.room_id \
         WHERE s.course_id = $1 ORDER BY t.starts_on, s.code", course)
    .fetch_all(conn)
    .await
}

/// Creates a course after checking every field; unknown department or prerequisite
/// codes and a taken code are field errors.
pub async fn create_course(
    conn: &mut PgConnection,
    context: &AuditContext,
    input: &NewCourseInput,
) -> Result<Uuid, AppError> {
    let mut errors = Vec::new();
    let code = input.code.trim().to_uppercase();
    let valid_code = (2..=20).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if !valid_code {
        errors.push(FieldError::new(
            "code",
            "use 2 to 20 capital letters, digits and hyphens, starting with a letter",
        ));
    }
    let title = input.title.trim();
    if !(2..=200).contains(&title.chars().count()) {
        errors.push(FieldError::new("title", "must be 2 to 200 characters"));
    }
    if !(input.credits > 0.0 && input.credits <= 40.0) || (input.credits * 2.0).fract() != 0.0 {
        errors.push(FieldError::new(
            "credits",
            "must be between 0.5 and 40, in halves",
        ));
    }
    let department: Option<Uuid> = sqlx::query_scalar!(
        "SELECT id FROM departments WHERE code = $1",
        input.department.trim().to_uppercase()
    )
    .fetch_optional(&mut *conn)
    .await?;
    if department.is_none() {
        errors.push(FieldError::new(
            "department",
            "is not a department code of this college",
        ));
    }
    let wanted: Vec<String> = input
        .prerequisites
        .iter()
        .map(|p| p.trim().to_uppercase())
        .filter(|p| !p.is_empty())
        .collect();
    let found: Vec<(Uuid, String)> =
        sqlx::query!("SELECT id, code FROM courses WHERE code = ANY($1)", &wanted)
            .fetch_all(&mut *conn)
            .await
            .map(|v| v.into_iter().map(|r| (r.id, r.code)).collect::<Vec<_>>())?;
    for p in &wanted {
        if !found.iter().any(|(_, c)| c == p) {
            errors.push(FieldError::new(
                "prerequisites",
                format!("`{p}` is not a course of this college"),
            ));
        }
    }
    let taken: bool = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM courses WHERE code = $1) AS \"v!\"",
        &code
    )
    .fetch_one(&mut *conn)
    .await?;
    if taken {
        errors.push(FieldError::new("code", "another course has this code"));
    }
    let Some(department) = department.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let id: Uuid = sqlx::query_scalar!(
        "INSERT INTO courses (college_id, department_id, code, title, credits, description) \
         VALUES (app_current_college(), $1, $2, $3, $4::float8::numeric, $5) RETURNING id",
        department,
        &code,
        title,
        input.credits,
        input
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty()),
    )
    .fetch_one(&mut *conn)
    .await?;
    for (prerequisite, _) in &found {
        sqlx::query!("INSERT INTO course_prerequisites (college_id, course_id, prerequisite_id) VALUES (app_current_college(), $1, $2)", id, prerequisite)
            .execute(&mut *conn)
            .await?;
    }
    audit::record(
        conn,
        context,
        Entry::new("catalog.course_created")
            .object("course", id)
            .after(serde_json::json!({
                "code": code, "title": title, "credits": input.credits, "prerequisites": wanted,
            })),
    )
    .await?;
    Ok(id)
}

/// Whether a row with `id` exists in `table` (a fixed name from this module) of the
/// transaction's college.
async fn exists(
    conn: &mut PgConnection,
    table: &'static str,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT EXISTS (SELECT 1 FROM {table} WHERE id = $1)"
    )))
    .bind(id)
    .fetch_one(conn)
    .await
}

pub async fn create_section(
    conn: &mut PgConnection,
    context: &AuditContext,
    input: &NewSectionInput,
) -> Result<Uuid, AppError> {
    let mut errors = Vec::new();
    let code = input.code.trim().to_uppercase();
    if code.is_empty()
        || code.len() > 10
        || !code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
    {
        errors.push(FieldError::new(
            "code",
            "use 1 to 10 capital letters, digits and hyphens",
        ));
    }
    if !(1..=5000).contains(&input.capacity) {
        errors.push(FieldError::new("capacity", "must be between 1 and 5000"));
    }
    let course = sqlx::query!(
        r#"SELECT code, retired_at IS NOT NULL AS "retired!" FROM courses WHERE id = $1"#,
        input.course_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    match course {
        None => errors.push(FieldError::new(
            "course_id",
            "is not a course of this college",
        )),
        Some(c) if c.retired => errors.push(FieldError::new(
            "course_id",
            format!("{} is retired: no new section may offer it", c.code),
        )),
        Some(_) => {}
    }
    if !exists(conn, "terms", input.term_id).await? {
        errors.push(FieldError::new("term_id", "is not a term of this college"));
    }
    if let Some(room) = input.room_id {
        let found = sqlx::query!(
            r#"SELECT code, capacity, retired_at IS NOT NULL AS "retired!" FROM rooms WHERE id = $1"#,
            room
        )
        .fetch_optional(&mut *conn)
        .await?;
        match found {
            None => errors.push(FieldError::new("room_id", "is not a room of this college")),
            Some(r) if r.retired => errors.push(FieldError::new(
                "room_id",
                format!("room {} is retired", r.code),
            )),
            // A section never has more seats than its room.
            Some(r) if r.capacity < input.capacity => errors.push(FieldError::new(
                "room_id",
                format!(
                    "room {} seats {}, fewer than the section's {}",
                    r.code, r.capacity, input.capacity
                ),
            )),
            Some(_) => {}
        }
    }
    for teacher in &input.teachers {
        if !exists(conn, "staff", *teacher).await? {
            errors.push(FieldError::new(
                "teachers",
                format!("{teacher} is not a staff member of this college"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let id: Uuid = sqlx::query_scalar!(
        "INSERT INTO sections (college_id, course_id, term_id, code, capacity, room_id) \
         VALUES (app_current_college(), $1, $2, $3, $4, $5) \
         ON CONFLICT ON CONSTRAINT sections_code_unique DO NOTHING RETURNING id",
        input.course_id,
        input.term_id,
        &code,
        input.capacity,
        input.room_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| {
        AppError::Validation(vec![FieldError::new(
            "code",
            "this course already has a section with this code in that term",
        )])
    })?;
    for teacher in &input.teachers {
        sqlx::query!("INSERT INTO section_teachers (college_id, section_id, staff_id) VALUES (app_current_college(), $1, $2) ON CONFLICT DO NOTHING", id, teacher)
            .execute(&mut *conn)
            .await?;
    }
    audit::record(conn, context, Entry::new("catalog.section_created").object("section", id).after(serde_json::json!({
        "course_id": input.course_id, "term_id": input.term_id, "code": code, "capacity": input.capacity,
    }))).await?;
    Ok(id)
}

pub async fn create_window(
    conn: &mut PgConnection,
    context: &AuditContext,
    input: &NewWindowInput,
) -> Result<Uuid, AppError> {
    let mut errors = Vec::new();
    if input.closes_at <= input.opens_at {
        errors.push(FieldError::new("closes_at", "must be after opens_at"));
    }
    let max_credits = input.max_credits.unwrap_or(30.0);
    if !(max_credits > 0.0 && max_credits <= 100.0) {
        errors.push(FieldError::new("max_credits", "must be between 0 and 100"));
    }
    if input.year_of_study.is_some_and(|y| !(1..=10).contains(&y)) {
        errors.push(FieldError::new("year_of_study", "must be between 1 and 10"));
    }
    let term: bool = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM terms WHERE id = $1) AS \"v!\"",
        input.term_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if !term {
        errors.push(FieldError::new("term_id", "is not a term of this college"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let id: Uuid = sqlx::query_scalar!("INSERT INTO registration_windows (college_id, term_id, opens_at, closes_at, program_id, year_of_study, max_credits) \
         VALUES (app_current_college(), $1, $2, $3, $4, $5, $6::float8::numeric) RETURNING id", input.term_id, input.opens_at, input.closes_at, input.program_id, input.year_of_study, max_credits)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| match e.as_database_error().map(|d| d.is_foreign_key_violation()) {
        Some(true) => AppError::Validation(vec![FieldError::new("program_id", "is not a program of this college")]),
        _ => e.into(),
    })?;
    audit::record(conn, context, Entry::new("registration.window_created").object("registration_window", id).after(serde_json::json!({
        "term_id": input.term_id, "program_id": input.program_id, "year_of_study": input.year_of_study, "max_credits": max_credits,
    }))).await?;
    Ok(id)
}

/// The student record of a user, if they have one.
pub async fn student_of(conn: &mut PgConnection, user: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM students WHERE user_id = $1 AND status = 'enrolled'",
        user
    )
    .fetch_optional(conn)
    .await
}

/// The caller's own student record, read in the request's transaction.
pub async fn own_student(conn: &mut PgConnection, principal: &Principal) -> AppResult<Uuid> {
    let student = student_of(conn, principal.user_id).await?;
    student.ok_or_else(|| {
        AppError::Validation(vec![FieldError::new(
            "student",
            "your account has no enrolled student record",
        )])
    })
}

pub async fn of_student(
    conn: &mut PgConnection,
    student: Uuid,
) -> Result<Vec<EnrollmentView>, sqlx::Error> {
    sqlx::query_as!(EnrollmentView, "SELECT s.id AS section_id, c.code AS course_code, c.title AS course_title, s.code AS section, \
            t.name AS \"term!\", c.credits::float8 AS \"credits!\", e.status, \
            CASE WHEN e.status = 'waitlisted' THEN (SELECT count(*) FROM enrollments w \
               WHERE w.college_id = e.college_id AND w.section_id = e.section_id AND w.status = 'waitlisted' \
                 AND w.created_at <= e.created_at) END AS \"waitlist_position?\" \
         FROM enrollments e JOIN sections s ON s.college_id = e.college_id AND s.id = e.section_id \
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id \
         WHERE e.student_id = $1 AND e.status <> 'dropped' ORDER BY t.starts_on, c.code", student)
    .fetch_all(conn)
    .await
}

/// Terms that have not ended, earliest first: the terms a new section may be offered in.
pub async fn current_terms(conn: &mut PgConnection) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    sqlx::query!("SELECT id, name FROM terms WHERE ends_on >= current_date ORDER BY starts_on")
        .fetch_all(conn)
        .await
        .map(|v| v.into_iter().map(|r| (r.id, r.name)).collect::<Vec<_>>())
}

/// The course a section offers.
pub async fn course_of_section(
    conn: &mut PgConnection,
    section: Uuid,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT course_id FROM sections WHERE id = $1", section)
        .fetch_optional(conn)
        .await
}

/// Whether a student with this id is one of the transaction's college.
pub async fn student_exists(conn: &mut PgConnection, student: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM students WHERE id = $1) AS \"v!\"",
        student
    )
    .fetch_one(conn)
    .await
}
