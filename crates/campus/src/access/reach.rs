//! Whether a grant reaches one student's records: their own, a guardian's linked child, a
//! student of a section the user teaches, of the user's department, or anyone in the
//! college. Read paths about one student go through here.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::access::principal::Grant;
use crate::error::AppError;

/// `NotFound` when the student does not exist, `Forbidden` when the grant does not reach them.
pub async fn authorize_student(
    conn: &mut PgConnection,
    grant: &Grant,
    student: Uuid,
) -> Result<(), AppError> {
    // Every scope the user holds the permission at counts, not only the widest.
    let scopes: Vec<&str> = std::iter::once(grant.scope)
        .chain(grant.also.iter().copied())
        .map(|s| s.name())
        .collect();
    let reached: Option<bool> = sqlx::query_scalar(
        "SELECT ('own' = ANY($3) AND st.user_id IS NOT DISTINCT FROM $2) \
            OR ('own_children' = ANY($3) AND EXISTS (SELECT 1 FROM student_guardians l \
                JOIN guardians g ON g.college_id = l.college_id AND g.id = l.guardian_id \
                WHERE l.student_id = st.id AND g.user_id = $2)) \
            OR ('own_sections' = ANY($3) AND EXISTS (SELECT 1 FROM enrollments e \
                JOIN section_teachers x ON x.college_id = e.college_id AND x.section_id = e.section_id \
                JOIN staff sf ON sf.college_id = x.college_id AND sf.id = x.staff_id \
                WHERE e.student_id = st.id AND e.status <> 'dropped' AND sf.user_id = $2)) \
            OR ('department' = ANY($3) AND EXISTS (SELECT 1 FROM programs p \
                JOIN staff sf ON sf.college_id = p.college_id AND sf.department_id = p.department_id \
                WHERE p.id = st.program_id AND sf.user_id = $2)) \
            OR 'college' = ANY($3) OR 'platform' = ANY($3) \
         FROM students st WHERE st.id = $1",
    )
    .bind(student)
    .bind(grant.user_id)
    .bind(&scopes)
    .fetch_optional(conn)
    .await?;
    match reached {
        None => Err(AppError::NotFound),
        Some(true) => Ok(()),
        Some(false) => Err(AppError::Forbidden),
    }
}

/// The students a user may pick from on a results or documents page: themselves, or
/// their linked children.
pub async fn own_students(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT st.id, st.first_name || ' ' || st.last_name FROM students st WHERE st.user_id = $1 \
         UNION ALL \
         SELECT st.id, st.first_name || ' ' || st.last_name FROM guardians g \
         JOIN student_guardians l ON l.college_id = g.college_id AND l.guardian_id = g.id \
         JOIN students st ON st.college_id = l.college_id AND st.id = l.student_id \
         WHERE g.user_id = $1 ORDER BY 2",
    )
    .bind(user)
    .fetch_all(conn)
    .await
}

/// Whether the principal's grant of `permission` reaches the student (`Forbidden` when it
/// is not held or does not reach; `NotFound` when there is no such student).
pub async fn authorize_for(
    conn: &mut PgConnection,
    principal: &crate::access::principal::Principal,
    permission: crate::access::permissions::Permission,
    student: Uuid,
) -> Result<(), AppError> {
    let grant = principal.grant(permission).ok_or(AppError::Forbidden)?;
    authorize_student(conn, &grant, student).await
}
