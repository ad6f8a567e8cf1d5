//! The parent portal: each confirmed child's attendance, published results and week,
//! read from academics. Children come only from confirmed links of the signed-in
//! account, so a parent can never name another child here.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::academics::assessment::results;
use crate::academics::attendance::queries as attendance;
use crate::academics::timetable::queries as timetable;
use crate::guardians::model::{Child, ChildRow};

/// The account's confirmed children with everything the portal shows of them.
pub async fn children(conn: &mut PgConnection, user: Uuid) -> Result<Vec<Child>, sqlx::Error> {
    let rows: Vec<ChildRow> = sqlx::query_as!(ChildRow, "SELECT st.id AS student_id, st.first_name || ' ' || st.last_name AS \"name!\", st.student_number, \
            p.name AS \"program!\", st.year_of_study, st.status, l.relationship \
         FROM guardians g JOIN student_guardians l ON l.college_id = g.college_id AND l.guardian_id = g.id \
         JOIN students st ON st.college_id = l.college_id AND st.id = l.student_id \
         JOIN programs p ON p.college_id = st.college_id AND p.id = st.program_id \
         WHERE g.user_id = $1 ORDER BY st.first_name, st.last_name", user)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(Child {
            attendance: attendance::of_student(conn, row.student_id).await?,
            results: results::record_of(conn, row.student_id).await?,
            timetable: timetable::of_student(conn, row.student_id).await?,
            student_id: row.student_id,
            name: row.name,
            student_number: row.student_number,
            program: row.program,
            year_of_study: row.year_of_study,
            status: row.status,
            relationship: row.relationship,
        });
    }
    Ok(out)
}
