//! What the dashboard shows of student records: a student's own record and guardians,
//! a parent's children, the enrolment of the college (by status, program and department)
//! and of a department.

use sqlx::PgConnection;
use uuid::Uuid;

/// A student as a dashboard card names them.
pub struct StudentCard {
    pub id: Uuid,
    pub student_number: String,
    pub name: String,
    pub program: String,
    pub year_of_study: i16,
    pub status: String,
}

#[derive(Debug, serde::Deserialize)]
pub struct GuardianLine {
    pub name: String,
    pub relationship: String,
    pub phone: Option<String>,
}

/// The signed-in student's own record, with their guardians when `with_guardians`, in
/// one statement.
pub async fn own_record(
    conn: &mut PgConnection,
    user: Uuid,
    with_guardians: bool,
) -> Result<Option<(StudentCard, Vec<GuardianLine>)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT s.id, s.student_number, s.first_name || ' ' || s.last_name AS "name!",
            p.name AS program, s.year_of_study, s.status,
            CASE WHEN $2 THEN (SELECT coalesce(json_agg(json_build_object(
                    'name', g.first_name || ' ' || g.last_name, 'relationship', l.relationship,
                    'phone', g.phone) ORDER BY l.is_primary DESC, g.first_name || ' ' || g.last_name), '[]')
                 FROM student_guardians l JOIN guardians g ON g.college_id = l.college_id AND g.id = l.guardian_id
                 WHERE l.college_id = s.college_id AND l.student_id = s.id) END
                AS "guardians: sqlx::types::Json<Vec<GuardianLine>>"
         FROM students s JOIN programs p ON p.college_id = s.college_id AND p.id = s.program_id
         WHERE s.user_id = $1"#,
        user,
        with_guardians
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| {
        (
            StudentCard {
                id: r.id,
                student_number: r.student_number,
                name: r.name,
                program: r.program,
                year_of_study: r.year_of_study,
                status: r.status,
            },
            r.guardians.map(|g| g.0).unwrap_or_default(),
        )
    }))
}

/// The students a parent is the guardian of.
pub async fn children(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<Vec<StudentCard>, sqlx::Error> {
    sqlx::query_as!(
        StudentCard,
        r#"SELECT s.id, s.student_number, s.first_name || ' ' || s.last_name AS "name!",
            p.name AS program, s.year_of_study, s.status
         FROM guardians g
         JOIN student_guardians l ON l.college_id = g.college_id AND l.guardian_id = g.id
         JOIN students s ON s.college_id = l.college_id AND s.id = l.student_id
         JOIN programs p ON p.college_id = s.college_id AND p.id = s.program_id
         WHERE g.user_id = $1 ORDER BY 3"#,
        user
    )
    .fetch_all(conn)
    .await
}

/// The college's students by status, the largest group first.
pub async fn by_status(conn: &mut PgConnection) -> Result<Vec<(String, i64)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"SELECT status, sum(students)::int8 AS "students!" FROM student_counts
         GROUP BY status HAVING sum(students) > 0 ORDER BY 2 DESC"#
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.status, r.students))
    .collect())
}

/// Enrolled students of the eight largest programs.
pub async fn by_program(conn: &mut PgConnection) -> Result<Vec<(String, i64)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"SELECT p.name, sum(c.students)::int8 AS "students!" FROM student_counts c JOIN programs p
             ON p.college_id = c.college_id AND p.id = c.program_id
         WHERE c.status = 'enrolled' GROUP BY p.name HAVING sum(c.students) > 0
         ORDER BY 2 DESC, p.name LIMIT 8"#
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.name, r.students))
    .collect())
}

/// The department of the staff member `user` and its enrolled students.
pub async fn of_own_department(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<Option<(String, i64)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"SELECT d.name, (SELECT coalesce(sum(c.students), 0)::int8 FROM student_counts c JOIN programs p
                 ON p.college_id = c.college_id AND p.id = c.program_id
               WHERE p.department_id = d.id AND c.status = 'enrolled') AS "students!"
         FROM staff st JOIN departments d ON d.college_id = st.college_id AND d.id = st.department_id
         WHERE st.user_id = $1"#,
        user
    )
    .fetch_optional(conn)
    .await?
    .map(|r| (r.name, r.students)))
}

/// Enrolled students of a program or a department, named by code and name.
pub struct Enrolled {
    pub code: String,
    pub name: String,
    pub students: i64,
}

/// Enrolled students of each department (through its programs), the largest first.
pub async fn by_department_enrolled(conn: &mut PgConnection) -> Result<Vec<Enrolled>, sqlx::Error> {
    sqlx::query_as!(
        Enrolled,
        r#"SELECT d.code, d.name, coalesce(sum(c.students), 0)::int8 AS "students!" FROM departments d
         LEFT JOIN programs p ON p.college_id = d.college_id AND p.department_id = d.id
         LEFT JOIN student_counts c ON c.college_id = p.college_id AND c.program_id = p.id AND c.status = 'enrolled'
         GROUP BY d.id, d.code, d.name ORDER BY 3 DESC, d.code LIMIT 16"#
    )
    .fetch_all(conn)
    .await
}

/// Enrolled students of the twelve largest programs.
pub async fn by_program_enrolled(conn: &mut PgConnection) -> Result<Vec<Enrolled>, sqlx::Error> {
    sqlx::query_as!(
        Enrolled,
        r#"SELECT p.code, p.name, sum(c.students)::int8 AS "students!" FROM student_counts c JOIN programs p
             ON p.college_id = c.college_id AND p.id = c.program_id
         WHERE c.status = 'enrolled' GROUP BY p.id, p.code, p.name HAVING sum(c.students) > 0
         ORDER BY 3 DESC, p.code LIMIT 12"#
    )
    .fetch_all(conn)
    .await
}

/// An enrolled student with a guardian, to open a profile from (the first by number).
pub async fn a_student(conn: &mut PgConnection) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT s.id FROM students s WHERE s.status = 'enrolled' \
         AND EXISTS (SELECT 1 FROM student_guardians l WHERE l.college_id = s.college_id AND l.student_id = s.id) \
         ORDER BY s.student_number LIMIT 1"
    )
    .fetch_optional(conn)
    .await
}
