//! Staff records in the database: search (names, numbers, emails; department and status
//! filters; pages) within the reader's scope, a staff member's profile with what they
//! teach, and the teachers a grant reaches.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::access::principal::Grant;
use crate::error::{AppError, FieldError};
use crate::staff::model::{Profile, STATUSES, SearchPage, SearchQuery, StaffLine, Teaching};

pub async fn search(
    conn: &mut PgConnection,
    grant: &Grant,
    query: &SearchQuery,
) -> Result<SearchPage, AppError> {
    let limit = query.limit.unwrap_or(25);
    let mut errors = Vec::new();
    if !(1..=100).contains(&limit) {
        errors.push(FieldError::new("limit", "must be 1 to 100"));
    }
    if !(0..=1_000_000).contains(&query.offset) {
        errors.push(FieldError::new("offset", "must be 0 or more"));
    }
    if !query.status.is_empty() && !STATUSES.contains(&query.status.as_str()) {
        errors.push(FieldError::new(
            "status",
            "must be active, on_leave or left",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let words: Vec<String> = crate::students::model::search_words(&query.q)
        .into_iter()
        .map(|w| format!("%{}%", w.replace(['%', '_', '\\'], "")))
        .collect();
    let sql = format!(
        "SELECT sf.id, sf.staff_number, sf.first_name || ' ' || sf.last_name AS name, sf.title, d.name AS department, sf.status \
         FROM staff sf LEFT JOIN departments d ON d.college_id = sf.college_id AND d.id = sf.department_id \
         WHERE {} AND ($2 = '' OR d.code = upper($2)) AND ($3 = '' OR sf.status = $3) \
           AND (SELECT bool_and(lower(sf.staff_number || ' ' || sf.first_name || ' ' || sf.last_name || ' ' || coalesce(sf.email::text, '')) LIKE w) \
                FROM unnest($4::text[]) AS w) IS NOT FALSE \
         ORDER BY sf.last_name, sf.first_name, sf.staff_number LIMIT $5 OFFSET $6",
        crate::access::reach::staff(grant).sql("$1")
    );
    let mut staff: Vec<StaffLine> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(grant.user_id)
        .bind(query.department.trim())
        .bind(query.status.trim())
        .bind(&words)
        .bind(limit + 1)
        .bind(query.offset)
        .fetch_all(conn)
        .await?;
    let next_offset = (staff.len() as i64 > limit).then_some(query.offset + limit);
    staff.truncate(limit as usize);
    Ok(SearchPage { staff, next_offset })
}

/// The staff the grant reaches, as (id, "Last, First"), among those who teach.
pub async fn teachers_within(
    conn: &mut PgConnection,
    grant: &Grant,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT DISTINCT sf.id, sf.last_name || ', ' || sf.first_name FROM staff sf \
         JOIN section_teachers x ON x.college_id = sf.college_id AND x.staff_id = sf.id \
         WHERE {} ORDER BY 2",
        crate::access::reach::staff(grant).sql("$1")
    )))
    .bind(grant.user_id)
    .fetch_all(conn)
    .await
}

/// A staff member's profile, when the grant reaches them.
pub async fn profile(
    conn: &mut PgConnection,
    grant: &Grant,
    id: Uuid,
) -> Result<Profile, AppError> {
    crate::access::reach::authorize_staff(conn, grant, id).await?;
    let found = sqlx::query!(
        "SELECT sf.id, sf.staff_number, sf.first_name, sf.last_name, sf.title, d.name AS \"department?\", \
            sf.email::text AS email, sf.phone, sf.joined_on, sf.status, \
            (SELECT count(*) FROM students st WHERE st.advisor_staff_id = sf.id) AS \"advisees!\", \
            coalesce((SELECT array_agg(r.role ORDER BY r.role) FROM role_assignments r WHERE r.user_id = sf.user_id), '{}') AS \"roles!\" \
         FROM staff sf LEFT JOIN departments d ON d.college_id = sf.college_id AND d.id = sf.department_id WHERE sf.id = $1",
        id
    )
    .fetch_one(&mut *conn)
    .await?;
    let teaching = sqlx::query_as!(
        Teaching,
        "SELECT s.id AS section_id, c.code || ' ' || c.title AS \"course!\", s.code AS section, t.name AS term, s.enrolled \
         FROM section_teachers x JOIN sections s ON s.college_id = x.college_id AND s.id = x.section_id \
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id AND t.ends_on >= current_date \
         WHERE x.staff_id = $1 ORDER BY t.starts_on, c.code, s.code",
        id
    )
    .fetch_all(conn)
    .await?;
    let profile = Profile {
        id: found.id,
        staff_number: found.staff_number,
        first_name: found.first_name,
        last_name: found.last_name,
        title: found.title,
        department: found.department,
        email: found.email,
        phone: found.phone,
        joined_on: found.joined_on,
        status: found.status,
        advisees: found.advisees,
        roles: found.roles,
        teaching,
    };
    Ok(profile)
}

/// The college's departments as (code, "code name"), for the search's filter.
pub async fn departments(conn: &mut PgConnection) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query!("SELECT code, code || ' ' || name AS \"label!\" FROM departments ORDER BY code")
        .fetch_all(conn)
        .await
        .map(|v| v.into_iter().map(|r| (r.code, r.label)).collect::<Vec<_>>())
}
