//! Who belongs to a section: its teachers (and staff whose coursework grant reaches the
//! whole college) and its enrolled students. Coursework is visible to them only.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::Principal;
use crate::access::reach::authorize_section;
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    /// May post, grade and see everything of the section.
    Teacher,
    /// An enrolled student, by their student id.
    Student(Uuid),
}

/// `NotFound` for no such section, `Forbidden` for someone outside it.
pub async fn member(
    conn: &mut PgConnection,
    principal: &Principal,
    section: Uuid,
) -> Result<Member, AppError> {
    if let Some(grant) = principal.grant(Permission::CourseworkManage) {
        match authorize_section(conn, &grant, section).await {
            Ok(()) => return Ok(Member::Teacher),
            Err(AppError::Forbidden) => {}
            Err(other) => return Err(other),
        }
    }
    let student: Option<Uuid> = sqlx::query_scalar(
        "SELECT st.id FROM students st JOIN enrollments e ON e.college_id = st.college_id AND e.student_id = st.id \
         WHERE st.user_id = $1 AND e.section_id = $2 AND e.status = 'enrolled'",
    )
    .bind(principal.user_id)
    .bind(section)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(student) = student {
        return Ok(Member::Student(student));
    }
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sections WHERE id = $1)")
        .bind(section)
        .fetch_one(conn)
        .await?;
    Err(if exists {
        AppError::Forbidden
    } else {
        AppError::NotFound
    })
}

/// Like [`member`], but only teachers pass.
pub async fn teacher(
    conn: &mut PgConnection,
    principal: &Principal,
    section: Uuid,
) -> Result<(), AppError> {
    match member(conn, principal, section).await? {
        Member::Teacher => Ok(()),
        Member::Student(_) => Err(AppError::Forbidden),
    }
}
