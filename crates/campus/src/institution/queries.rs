//! Institution queries. The directory reads across colleges through the owner-defined
//! `public_colleges()` function (public fields only); everything else runs inside a
//! transaction acting for one college.

use sqlx::{PgConnection, PgPool};

use crate::db::CollegeId;
use crate::institution::model::{
    CampusInfo, CollegeProfile, CollegeSummary, DepartmentInfo, Figures, NewCollege, ProgramInfo,
    TermInfo,
};

/// A department joined with one of its programs (or none).
struct DepartmentProgram {
    code: String,
    name: String,
    program_code: Option<String>,
    program_name: Option<String>,
    level: Option<String>,
    duration_years: Option<i16>,
}

/// The slug of the platform tenant, where the installation's operators sign in.
pub const PLATFORM_SLUG: &str = "platform";

pub async fn platform_tenant(pool: &PgPool) -> Result<Option<CollegeSummary>, sqlx::Error> {
    sqlx::query_as!(
        CollegeSummary,
        r#"SELECT id AS "id!: CollegeId", slug AS "slug!", name AS "name!", short_name AS "short_name?", tagline AS "tagline?"
           FROM platform_tenant()"#
    )
    .fetch_optional(pool)
    .await
}

pub async fn directory(pool: &PgPool) -> Result<Vec<CollegeSummary>, sqlx::Error> {
    sqlx::query_as!(
        CollegeSummary,
        r#"SELECT id AS "id!: CollegeId", slug AS "slug!", name AS "name!", short_name AS "short_name?", tagline AS "tagline?"
           FROM public_colleges()"#
    )
    .fetch_all(pool)
    .await
}

pub async fn find_by_slug(
    pool: &PgPool,
    slug: &str,
) -> Result<Option<CollegeSummary>, sqlx::Error> {
    sqlx::query_as!(
        CollegeSummary,
        r#"SELECT id AS "id!: CollegeId", slug AS "slug!", name AS "name!", short_name AS "short_name?", tagline AS "tagline?"
           FROM public_colleges() WHERE slug = $1"#,
        slug
    )
    .fetch_optional(pool)
    .await
}

/// Inserts a college. The connection's transaction must act for `id` already (RLS
/// checks the new row against it).
pub async fn insert_college(
    conn: &mut PgConnection,
    id: CollegeId,
    college: &NewCollege,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO colleges (id, slug, name, short_name, tagline, email, phone, website, address) \
         VALUES ($1, $2, $3, $4, $5, $6::text, $7, $8, $9)",
        id as CollegeId,
        college.slug.as_str(),
        college.name,
        college.short_name,
        college.tagline,
        college.email,
        college.phone,
        college.website,
        college.address,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The public profile of the college the transaction acts for.
pub async fn profile(
    conn: &mut PgConnection,
    summary: CollegeSummary,
) -> Result<CollegeProfile, sqlx::Error> {
    let contact = sqlx::query!("SELECT email::text, phone, website, address FROM colleges")
        .fetch_one(&mut *conn)
        .await?;
    let campuses = sqlx::query_as!(
        CampusInfo,
        "SELECT code, name, address AS \"address?\" FROM campuses ORDER BY name"
    )
    .fetch_all(&mut *conn)
    .await?;
    let rows = sqlx::query_as!(
        DepartmentProgram,
        r#"SELECT d.code, d.name, p.code AS "program_code?", p.name AS "program_name?",
                  p.level AS "level?", p.duration_years AS "duration_years?"
           FROM departments d LEFT JOIN programs p
             ON p.college_id = d.college_id AND p.department_id = d.id
           ORDER BY d.name, p.name"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut departments: Vec<DepartmentInfo> = Vec::new();
    for row in rows {
        if departments.last().is_none_or(|d| d.code != row.code) {
            departments.push(DepartmentInfo {
                code: row.code,
                name: row.name,
                programs: Vec::new(),
            });
        }
        if let (Some(code), Some(name), Some(level), Some(duration_years), Some(dept)) = (
            row.program_code,
            row.program_name,
            row.level,
            row.duration_years,
            departments.last_mut(),
        ) {
            dept.programs.push(ProgramInfo {
                code,
                name,
                level,
                duration_years,
            });
        }
    }
    let terms = sqlx::query_as!(
        TermInfo,
        r#"SELECT t.name, y.name AS academic_year, t.starts_on, t.ends_on,
                  t.is_current AS "current!"
           FROM terms t JOIN academic_years y
             ON y.college_id = t.college_id AND y.id = t.academic_year_id
           WHERE t.ends_on >= current_date ORDER BY t.starts_on LIMIT 4"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let counts = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM students WHERE status = 'enrolled') AS "students!",
                  (SELECT count(*) FROM staff WHERE status = 'active') AS "staff!",
                  (SELECT count(*) FROM departments) AS "departments!",
                  (SELECT count(*) FROM programs) AS "programs!""#
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(CollegeProfile {
        summary,
        email: contact.email,
        phone: contact.phone,
        website: contact.website,
        address: contact.address,
        campuses,
        departments,
        terms,
        figures: Figures {
            students: counts.students,
            staff: counts.staff,
            departments: counts.departments,
            programs: counts.programs,
        },
    })
}
