//! A student import run: the file checked, its students and guardians matched against
//! the college's, and, unless a preview or a problem stops it, every row written in a few
//! set-based statements (20,000 students in seconds) or none. Running the same file again
//! changes nothing: students are matched by number, guardians by email (or, without one,
//! by name among the student's guardians), links by the pair.

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::{self, AuditContext, Entry};
use crate::error::AppError;
use crate::students::import::model::{ImportReport, MAX_LISTED, StudentRow, parse};

/// Checks the file and, unless a preview or a problem stops it, writes every row.
pub async fn run(
    conn: &mut PgConnection,
    context: &AuditContext,
    text: &str,
    preview: bool,
) -> Result<ImportReport, AppError> {
    let programs: HashMap<String, Uuid> =
        sqlx::query_as::<_, (String, Uuid)>("SELECT code, id FROM programs")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    let parsed = parse(text, &programs)?;
    let numbers: Vec<String> = parsed.rows.iter().map(|(_, r)| r.number.clone()).collect();
    let existing: HashMap<String, Uuid> = sqlx::query_as::<_, (String, Uuid)>(
        "SELECT student_number, id FROM students WHERE student_number = ANY($1)",
    )
    .bind(&numbers)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let mut report = ImportReport {
        rows: parsed.count,
        students_existing: existing.len(),
        students_new: parsed.rows.len() - existing.len(),
        ignored_columns: parsed.ignored,
        error_count: parsed.errors.len(),
        errors: parsed.errors.into_iter().take(MAX_LISTED).collect(),
        ..ImportReport::default()
    };
    let plan = plan_guardians(conn, &parsed.rows, &existing).await?;
    report.guardians_new = plan.new.len();
    report.links_new = plan.links_new;
    if preview || report.error_count > 0 {
        return Ok(report);
    }
    write(conn, &parsed.rows, &plan).await?;
    let digest: String = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    audit::record(
        conn,
        context,
        Entry::new("students.imported").after(serde_json::json!({
            "rows": report.rows, "students_new": report.students_new,
            "students_existing": report.students_existing, "guardians_new": report.guardians_new,
            "links_new": report.links_new, "file_sha256": digest,
        })),
    )
    .await?;
    report.committed = true;
    Ok(report)
}

/// Guardians to make and links to write: a guardian with an email is the college's
/// guardian of that email (one record for siblings); one without is matched by name
/// among the student's guardians.
struct NewGuardian {
    id: Uuid,
    first: String,
    last: String,
    email: Option<String>,
    phone: Option<String>,
}

struct GuardianPlan {
    new: Vec<NewGuardian>,
    /// (student number, guardian id, relationship).
    links: Vec<(String, Uuid, String)>,
    links_new: usize,
}

async fn plan_guardians(
    conn: &mut PgConnection,
    rows: &[(usize, StudentRow)],
    existing_students: &HashMap<String, Uuid>,
) -> Result<GuardianPlan, sqlx::Error> {
    let emails: Vec<String> = rows
        .iter()
        .flat_map(|(_, r)| r.guardians.iter().filter_map(|g| g.email.clone()))
        .collect();
    let mut by_email: HashMap<String, Uuid> = sqlx::query_as::<_, (String, Uuid)>(
        "SELECT lower(email::text), id FROM guardians WHERE email = ANY($1::citext[])",
    )
    .bind(&emails)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let student_ids: Vec<Uuid> = existing_students.values().copied().collect();
    // Links that exist: (student id, guardian id), and guardians by name per student.
    let current: Vec<(Uuid, Uuid, String)> = sqlx::query!("SELECT l.student_id, g.id, lower(g.first_name || ' ' || g.last_name) AS \"name!\" FROM student_guardians l \
         JOIN guardians g ON g.college_id = l.college_id AND g.id = l.guardian_id WHERE l.student_id = ANY($1)", &student_ids)
    .fetch_all(&mut *conn)
    .await.map(|v| v.into_iter().map(|r| (r.student_id, r.id, r.name)).collect::<Vec<_>>())?;
    let linked: HashSet<(Uuid, Uuid)> = current.iter().map(|(s, g, _)| (*s, *g)).collect();
    let mut by_name: HashMap<(Uuid, String), Uuid> = current
        .into_iter()
        .map(|(s, g, name)| ((s, name), g))
        .collect();
    let mut plan = GuardianPlan {
        new: Vec::new(),
        links: Vec::new(),
        links_new: 0,
    };
    let mut planned_links: HashSet<(String, Uuid)> = HashSet::new();
    for (_, row) in rows {
        let student = existing_students.get(&row.number).copied();
        for g in &row.guardians {
            let name = format!("{} {}", g.first, g.last).to_lowercase();
            let found = match (&g.email, student) {
                (Some(email), _) => by_email.get(email).copied(),
                (None, Some(student)) => by_name.get(&(student, name.clone())).copied(),
                (None, None) => None,
            };
            let id = found.unwrap_or_else(|| {
                let id = Uuid::new_v4();
                plan.new.push(NewGuardian {
                    id,
                    first: g.first.clone(),
                    last: g.last.clone(),
                    email: g.email.clone(),
                    phone: g.phone.clone(),
                });
                if let Some(email) = &g.email {
                    by_email.insert(email.clone(), id);
                }
                if let Some(student) = student {
                    by_name.insert((student, name.clone()), id);
                }
                id
            });
            if planned_links.insert((row.number.clone(), id)) {
                if !student.is_some_and(|s| linked.contains(&(s, id))) {
                    plan.links_new += 1;
                }
                plan.links
                    .push((row.number.clone(), id, g.relationship.clone()));
            }
        }
    }
    Ok(plan)
}

async fn write(
    conn: &mut PgConnection,
    rows: &[(usize, StudentRow)],
    plan: &GuardianPlan,
) -> Result<(), sqlx::Error> {
    fn column<R, T>(rows: &[R], f: impl Fn(&R) -> T) -> Vec<T> {
        rows.iter().map(f).collect()
    }
    let numbers: Vec<String> = rows.iter().map(|(_, r)| r.number.clone()).collect();
    // Status changes of known students go through their history, never through an
    // import: the status is set for new students only.
    sqlx::query!("INSERT INTO students (college_id, student_number, first_name, last_name, email, date_of_birth, phone, \
            address, program_id, admitted_on, year_of_study, status) \
         SELECT app_current_college(), n, f, l, e::citext, b, p, a, g, ad, y, s \
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::text[], \
                     $8::uuid[], $9::date[], $10::int2[], $11::text[]) AS t(n, f, l, e, b, p, a, g, ad, y, s) \
         ON CONFLICT (college_id, student_number) DO UPDATE SET first_name = EXCLUDED.first_name, \
            last_name = EXCLUDED.last_name, email = coalesce(EXCLUDED.email, students.email), \
            date_of_birth = coalesce(EXCLUDED.date_of_birth, students.date_of_birth), \
            phone = coalesce(EXCLUDED.phone, students.phone), address = coalesce(EXCLUDED.address, students.address), \
            program_id = EXCLUDED.program_id, admitted_on = EXCLUDED.admitted_on, year_of_study = EXCLUDED.year_of_study \
         WHERE (students.first_name, students.last_name, students.email, students.date_of_birth, students.phone, \
                students.address, students.program_id, students.admitted_on, students.year_of_study) \
           IS DISTINCT FROM (EXCLUDED.first_name, EXCLUDED.last_name, coalesce(EXCLUDED.email, students.email), \
                coalesce(EXCLUDED.date_of_birth, students.date_of_birth), coalesce(EXCLUDED.phone, students.phone), \
                coalesce(EXCLUDED.address, students.address), EXCLUDED.program_id, EXCLUDED.admitted_on, \
                EXCLUDED.year_of_study)",
        &numbers,
        &column(rows, |(_, r)| r.first.clone()),
        &column(rows, |(_, r)| r.last.clone()),
        &column(rows, |(_, r)| r.email.clone()) as &[Option<String>],
        &column(rows, |(_, r)| r.born) as &[Option<time::Date>],
        &column(rows, |(_, r)| r.phone.clone()) as &[Option<String>],
        &column(rows, |(_, r)| r.address.clone()) as &[Option<String>],
        &column(rows, |(_, r)| r.program),
        &column(rows, |(_, r)| r.admitted),
        &column(rows, |(_, r)| r.year),
        &column(rows, |(_, r)| r.status.clone()),
    )
.execute(&mut *conn)
    .await?;
    if !plan.new.is_empty() {
        sqlx::query!("INSERT INTO guardians (college_id, id, first_name, last_name, email, phone) \
             SELECT app_current_college(), i, f, l, e::citext, p \
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(i, f, l, e, p)",
            &column(&plan.new, |g| g.id),
            &column(&plan.new, |g| g.first.clone()),
            &column(&plan.new, |g| g.last.clone()),
            &column(&plan.new, |g| g.email.clone()) as &[Option<String>],
            &column(&plan.new, |g| g.phone.clone()) as &[Option<String>],
        )
.execute(&mut *conn)
        .await?;
    }
    if !plan.links.is_empty() {
        // Links named by an import are confirmed by the college that imports them.
        sqlx::query!("INSERT INTO student_guardians (college_id, student_id, guardian_id, relationship) \
             SELECT app_current_college(), s.id, t.g, t.r \
             FROM unnest($1::text[], $2::uuid[], $3::text[]) AS t(n, g, r) \
             JOIN students s ON s.college_id = app_current_college() AND s.student_number = t.n \
             ON CONFLICT (college_id, student_id, guardian_id) DO UPDATE SET relationship = EXCLUDED.relationship \
             WHERE student_guardians.relationship IS DISTINCT FROM EXCLUDED.relationship",
            &column(&plan.links, |l| l.0.clone()),
            &column(&plan.links, |l| l.1),
            &column(&plan.links, |l| l.2.clone()),
        )
.execute(&mut *conn)
        .await?;
    }
    Ok(())
}
