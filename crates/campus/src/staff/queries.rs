//! Staff records in the database: search (names, numbers, emails; department and status
//! filters; pages) and the sorted, counted list the page shows and exports, within the
//! reader's scope, a staff member's profile with what they teach, and the teachers a
//! grant reaches.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::access::principal::Grant;
use crate::error::{AppError, FieldError};
use crate::staff::model::{
    ListFilter, Profile, STATUSES, SearchPage, SearchQuery, StaffLine, Teaching,
};
use crate::web::list::Listing;

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
    errors.extend(check_status(&query.status));
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut sql = sqlx::QueryBuilder::<sqlx::Postgres>::new(format!("{COLUMNS}{FROM}"));
    push_conditions(&mut sql, grant, &query.q, &query.department, &query.status);
    sql.push(" ORDER BY sf.last_name, sf.first_name, sf.staff_number LIMIT ")
        .push_bind(limit + 1)
        .push(" OFFSET ")
        .push_bind(query.offset);
    let mut staff: Vec<StaffLine> = sql.build_query_as().fetch_all(conn).await?;
    let next_offset = (staff.len() as i64 > limit).then_some(query.offset + limit);
    staff.truncate(limit as usize);
    Ok(SearchPage { staff, next_offset })
}

/// A staff member as lists show them.
const COLUMNS: &str = "SELECT sf.id, sf.staff_number, sf.first_name || ' ' || sf.last_name AS name, \
    sf.title, d.name AS department, sf.status";

/// Where lines come from; the conditions follow.
const FROM: &str = " FROM staff sf \
    LEFT JOIN departments d ON d.college_id = sf.college_id AND d.id = sf.department_id WHERE ";

fn check_status(status: &str) -> Vec<FieldError> {
    if !status.is_empty() && !STATUSES.contains(&status) {
        vec![FieldError::new(
            "status",
            "must be active, on_leave or left",
        )]
    } else {
        Vec::new()
    }
}

/// The staff the grant reaches, narrowed by the words of `q` (each somewhere in the
/// number, name or email), a department's code and a status, every value bound.
fn push_conditions(
    sql: &mut sqlx::QueryBuilder<sqlx::Postgres>,
    grant: &Grant,
    q: &str,
    department: &str,
    status: &str,
) {
    crate::access::reach::staff(grant).push(sql);
    if !department.trim().is_empty() {
        sql.push(" AND d.code = upper(")
            .push_bind(department.trim().to_string())
            .push(")");
    }
    if !status.trim().is_empty() {
        sql.push(" AND sf.status = ")
            .push_bind(status.trim().to_string());
    }
    let words: Vec<String> = crate::students::model::search_words(q)
        .into_iter()
        .map(|w| format!("%{}%", w.replace(['%', '_', '\\'], "")))
        .collect();
    if !words.is_empty() {
        sql.push(
            " AND (SELECT bool_and(lower(sf.staff_number || ' ' || sf.first_name || ' ' || sf.last_name || ' ' || coalesce(sf.email::text, '')) LIKE w) \
               FROM unnest(",
        )
        .push_bind(words)
        .push("::text[]) AS w)");
    }
}

/// A line of the list with the count of every line its filters select.
#[derive(sqlx::FromRow)]
struct Counted {
    #[sqlx(flatten)]
    line: StaffLine,
    total: i64,
}

/// The columns the staff list sorts by, the first its default.
pub const SORTABLE: [&str; 5] = ["name", "number", "title", "department", "status"];

/// The fixed order of a sort key, each ending in a unique tie-breaker.
fn order_of(sort: &str) -> &'static [&'static str] {
    match sort {
        "number" => &["sf.staff_number", "sf.id"],
        "title" => &["sf.title", "sf.last_name", "sf.first_name", "sf.id"],
        "department" => &["d.name", "sf.last_name", "sf.first_name", "sf.id"],
        "status" => &["sf.status", "sf.last_name", "sf.first_name", "sf.id"],
        _ => &["sf.last_name", "sf.first_name", "sf.id"],
    }
}

/// One page of the staff list (or, for its CSV, the first `listing.limit()` lines),
/// sorted as `listing` says, with the count of every staff member the filters select
/// within the grant's reach (in the same statement).
pub async fn list(
    conn: &mut PgConnection,
    grant: &Grant,
    filter: &ListFilter,
    listing: &Listing,
) -> Result<(Vec<StaffLine>, i64), AppError> {
    let errors = check_status(filter.status.trim());
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut sql = sqlx::QueryBuilder::<sqlx::Postgres>::new(format!(
        "{COLUMNS}, count(*) OVER () AS total{FROM}"
    ));
    push_conditions(
        &mut sql,
        grant,
        &filter.q,
        &filter.department,
        &filter.status,
    );
    sql.push(" ORDER BY ");
    for (i, column) in order_of(&listing.sort).iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push(*column).push(" ").push(listing.direction());
    }
    sql.push(" LIMIT ")
        .push_bind(listing.limit())
        .push(" OFFSET ")
        .push_bind(listing.offset());
    let rows: Vec<Counted> = sql.build_query_as().fetch_all(conn).await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok((rows.into_iter().map(|r| r.line).collect(), total))
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
            sf.email::text AS email, sf.phone, sf.joined_on, sf.status, sf.employment_type, sf.user_id, \
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
        employment_type: found.employment_type,
        user_id: found.user_id,
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
