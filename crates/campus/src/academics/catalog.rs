//! Courses and sections: parsed input and queries.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};

#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
pub struct NewCourseInput {
    /// e.g. `CS101`: capital letters, digits and hyphens.
    pub code: String,
    pub title: String,
    /// 0.5 to 40.
    pub credits: f64,
    /// The department's code, e.g. `CSE`.
    pub department: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Codes of courses that must be passed first.
    #[serde(default)]
    pub prerequisites: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CourseView {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub credits: f64,
    pub department: String,
    pub description: Option<String>,
    pub prerequisites: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct SectionView {
    pub id: Uuid,
    pub course_code: String,
    pub code: String,
    pub term: String,
    pub capacity: i32,
    pub enrolled: i32,
    pub waitlisted: i64,
    pub room: Option<String>,
    pub teachers: Vec<String>,
}

const COURSE: &str = "SELECT c.id, c.code, c.title, c.credits::float8 AS credits, d.code AS department, \
        c.description, coalesce(array_agg(p.code ORDER BY p.code) FILTER (WHERE p.code IS NOT NULL), '{}') AS prerequisites \
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
    sqlx::query_as(
        "SELECT s.id, c.code AS course_code, s.code, t.name AS term, s.capacity, s.enrolled, \
            (SELECT count(*) FROM enrollments e WHERE e.college_id = s.college_id AND e.section_id = s.id AND e.status = 'waitlisted') AS waitlisted, \
            r.code AS room, \
            coalesce((SELECT array_agg(st.first_name || ' ' || st.last_name ORDER BY st.last_name) FROM section_teachers x \
               JOIN staff st ON st.college_id = x.college_id AND st.id = x.staff_id \
               WHERE x.college_id = s.college_id AND x.section_id = s.id), '{}') AS teachers \
         FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id \
         LEFT JOIN rooms r ON r.college_id = s.college_id AND r.id = s.room_id \
         WHERE s.course_id = $1 ORDER BY t.starts_on, s.code",
    )
    .bind(course)
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
        sqlx::query_as("SELECT id, code FROM courses WHERE code = ANY($1)")
            .bind(&wanted)
            .fetch_all(&mut *conn)
            .await?;
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

#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
pub struct NewSectionInput {
    pub course_id: Uuid,
    pub term_id: Uuid,
    /// e.g. `A`.
    pub code: String,
    pub capacity: i32,
    pub room_id: Option<Uuid>,
    /// Staff ids of the teachers.
    #[serde(default)]
    pub teachers: Vec<Uuid>,
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
    if !exists(conn, "courses", input.course_id).await? {
        errors.push(FieldError::new(
            "course_id",
            "is not a course of this college",
        ));
    }
    if !exists(conn, "terms", input.term_id).await? {
        errors.push(FieldError::new("term_id", "is not a term of this college"));
    }
    if let Some(room) = input.room_id
        && !exists(conn, "rooms", room).await?
    {
        errors.push(FieldError::new("room_id", "is not a room of this college"));
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
