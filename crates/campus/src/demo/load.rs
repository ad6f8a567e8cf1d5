//! Writes a generated college in one transaction. Rows go in as arrays through `unnest`,
//! one statement per table and chunk: tens of thousands of rows a second, and row-level
//! security still checks every row (COPY would be faster but RLS refuses it).

use super::generate::DemoCollege;
use sqlx::PgConnection;

const CHUNK: usize = 10_000;

/// Runs `insert` over `rows` in chunks.
async fn chunked<T, F>(
    conn: &mut PgConnection,
    rows: &[T],
    mut insert: F,
) -> Result<(), sqlx::Error>
where
    F: AsyncFnMut(&mut PgConnection, &[T]) -> Result<(), sqlx::Error>,
{
    for chunk in rows.chunks(CHUNK) {
        insert(conn, chunk).await?;
    }
    Ok(())
}

fn col<T, U>(rows: &[T], f: impl Fn(&T) -> U) -> Vec<U> {
    rows.iter().map(f).collect()
}

pub async fn load(conn: &mut PgConnection, c: &DemoCollege) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO campuses (college_id, id, code, name, address) \
         VALUES (app_current_college(), $1, 'MAIN', 'Riverside Main Campus', \
                 '1 College Road, Riverside')",
        c.campus_id
    )
    .execute(&mut *conn)
    .await?;

    sqlx::query!(
        "INSERT INTO buildings (college_id, id, campus_id, code, name, floors) \
         SELECT app_current_college(), id, $1, code, name, floors \
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::int2[]) AS t(id, code, name, floors)",
        c.campus_id,
        &col(&c.buildings, |b| b.id),
        &col(&c.buildings, |b| b.code.clone()),
        &col(&c.buildings, |b| b.name.clone()),
        &col(&c.buildings, |b| b.floors)
    )
    .execute(&mut *conn)
    .await?;

    chunked(conn, &c.rooms, async |conn, rows| {
        sqlx::query!(
            "INSERT INTO rooms (college_id, id, building_id, code, name, kind, floor, capacity) \
             SELECT app_current_college(), * FROM unnest($1::uuid[], $2::uuid[], $3::text[], \
                 $4::text[], $5::text[], $6::int2[], $7::int4[])",
            &col(rows, |r| r.id),
            &col(rows, |r| r.building_id),
            &col(rows, |r| r.code.clone()),
            &col(rows, |r| r.name.clone()),
            &col(rows, |r| r.kind) as &[&str],
            &col(rows, |r| r.floor),
            &col(rows, |r| r.capacity)
        )
        .execute(conn)
        .await
        .map(drop)
    })
    .await?;

    sqlx::query!("INSERT INTO departments (college_id, id, code, name, building_id) \
         SELECT app_current_college(), * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[])", &col(&c.departments, |d| d.id), &col(&c.departments, |d| d.code.clone()), &col(&c.departments, |d| d.name.clone()), &col(&c.departments, |d| d.building_id))
.execute(&mut *conn)
    .await?;

    sqlx::query!(
        "INSERT INTO programs (college_id, id, department_id, code, name, level, duration_years) \
         SELECT app_current_college(), * FROM unnest($1::uuid[], $2::uuid[], $3::text[], \
             $4::text[], $5::text[], $6::int2[])",
        &col(&c.programs, |p| p.id),
        &col(&c.programs, |p| p.department_id),
        &col(&c.programs, |p| p.code.clone()),
        &col(&c.programs, |p| p.name.clone()),
        &col(&c.programs, |p| p.level.clone()),
        &col(&c.programs, |p| p.years)
    )
    .execute(&mut *conn)
    .await?;

    sqlx::query!("INSERT INTO academic_years (college_id, id, name, starts_on, ends_on) \
         SELECT app_current_college(), * FROM unnest($1::uuid[], $2::text[], $3::date[], $4::date[])", &col(&c.years, |y| y.id), &col(&c.years, |y| y.name.clone()), &col(&c.years, |y| y.starts_on), &col(&c.years, |y| y.ends_on))
.execute(&mut *conn)
    .await?;

    sqlx::query!(
        "INSERT INTO terms (college_id, id, academic_year_id, name, starts_on, ends_on) \
         SELECT app_current_college(), * FROM unnest($1::uuid[], $2::uuid[], $3::text[], \
             $4::date[], $5::date[])",
        &col(&c.terms, |t| t.id),
        &col(&c.terms, |t| t.year_id),
        &col(&c.terms, |t| t.name.clone()),
        &col(&c.terms, |t| t.starts_on),
        &col(&c.terms, |t| t.ends_on)
    )
    .execute(&mut *conn)
    .await?;

    chunked(conn, &c.users, async |conn, rows| {
        sqlx::query!(
            "INSERT INTO users (college_id, id, email, display_name, status) \
             SELECT app_current_college(), id, email, display_name, 'active' \
             FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(id, email, display_name)",
            &col(rows, |u| u.id),
            &col(rows, |u| u.email.clone()),
            &col(rows, |u| u.display_name.clone())
        )
        .execute(conn)
        .await
        .map(drop)
    })
    .await?;

    chunked(conn, &c.roles, async |conn, rows| {
        sqlx::query!(
            "INSERT INTO role_assignments (college_id, user_id, role) \
             SELECT app_current_college(), * FROM unnest($1::uuid[], $2::text[])",
            &col(rows, |r| r.user_id),
            &col(rows, |r| r.role.as_str()) as &[&str]
        )
        .execute(conn)
        .await
        .map(drop)
    })
    .await?;

    chunked(conn, &c.staff, async |conn, rows| {
        sqlx::query!("INSERT INTO staff (college_id, id, user_id, staff_number, first_name, last_name, \
                 title, department_id, email, phone, joined_on) \
             SELECT app_current_college(), * FROM unnest($1::uuid[], $2::uuid[], $3::text[], \
                 $4::text[], $5::text[], $6::text[], $7::uuid[], $8::text[], $9::text[], $10::date[])", &col(rows, |s| s.id), &col(rows, |s| s.user_id), &col(rows, |s| s.number.clone()), &col(rows, |s| s.first.clone()), &col(rows, |s| s.last.clone()), &col(rows, |s| s.title.clone()), &col(rows, |s| s.department_id) as &[Option<uuid::Uuid>], &col(rows, |s| s.email.clone()), &col(rows, |s| s.phone.clone()), &col(rows, |s| s.joined_on))
.execute(conn)
        .await
        .map(drop)
    })
    .await?;

    chunked(conn, &c.students, async |conn, rows| {
        sqlx::query!("INSERT INTO students (college_id, id, user_id, student_number, first_name, last_name, \
                 date_of_birth, email, phone, address, program_id, admitted_on, year_of_study, status) \
             SELECT app_current_college(), * FROM unnest($1::uuid[], $2::uuid[], $3::text[], \
                 $4::text[], $5::text[], $6::date[], $7::text[], $8::text[], $9::text[], \
                 $10::uuid[], $11::date[], $12::int2[], $13::text[])", &col(rows, |s| s.id), &col(rows, |s| s.user_id), &col(rows, |s| s.number.clone()), &col(rows, |s| s.first.clone()), &col(rows, |s| s.last.clone()), &col(rows, |s| s.date_of_birth), &col(rows, |s| s.email.clone()), &col(rows, |s| s.phone.clone()), &col(rows, |s| s.address.clone()), &col(rows, |s| s.program_id), &col(rows, |s| s.admitted_on), &col(rows, |s| s.year_of_study), &col(rows, |s| s.status) as &[&str])
.execute(conn)
        .await
        .map(drop)
    })
    .await?;

    chunked(conn, &c.guardians, async |conn, rows| {
        sqlx::query!("INSERT INTO guardians (college_id, id, user_id, first_name, last_name, email, phone, address) \
             SELECT app_current_college(), * FROM unnest($1::uuid[], $2::uuid[], $3::text[], \
                 $4::text[], $5::text[], $6::text[], $7::text[])", &col(rows, |g| g.id), &col(rows, |g| g.user_id), &col(rows, |g| g.first.clone()), &col(rows, |g| g.last.clone()), &col(rows, |g| g.email.clone()), &col(rows, |g| g.phone.clone()), &col(rows, |g| g.address.clone()))
.execute(conn)
        .await
        .map(drop)
    })
    .await?;

    chunked(conn, &c.links, async |conn, rows| {
        sqlx::query!("INSERT INTO student_guardians (college_id, student_id, guardian_id, relationship, is_primary) \
             SELECT app_current_college(), * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bool[])", &col(rows, |l| l.student_id), &col(rows, |l| l.guardian_id), &col(rows, |l| l.relationship) as &[&str], &col(rows, |l| l.primary))
.execute(conn)
        .await
        .map(drop)
    })
    .await?;
    Ok(())
}
