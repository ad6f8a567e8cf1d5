//! Student records in the database: search (full-text over numbers, names and
//! addresses, with filters, paginated, within the reader's scope) and the sorted, counted
//! list the page shows and exports, a student's profile, status changes with a date and a
//! reason (one student or several ticked at once), kept as history and audited, and who
//! may read the documents on a record.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::principal::Grant;
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};
use crate::students::model::{
    Guardian, ListFilter, Profile, STATUSES, SearchPage, SearchQuery, StatusChange, StatusInput,
    StudentLine, search_words,
};
use crate::web::list::Listing;

pub async fn search(
    conn: &mut PgConnection,
    grant: &Grant,
    query: &SearchQuery,
) -> Result<SearchPage, AppError> {
    let mut errors = Vec::new();
    let limit = query.limit.unwrap_or(25);
    if !(1..=100).contains(&limit) {
        errors.push(FieldError::new("limit", "must be 1 to 100"));
    }
    if query.offset < 0 || query.offset > 1_000_000 {
        errors.push(FieldError::new("offset", "must be 0 or more"));
    }
    let narrowing = Narrowing {
        q: &query.q,
        status: &query.status,
        program: &query.program,
        year: query.year,
        ids: None,
    };
    errors.extend(narrowing.check());
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut sql = sqlx::QueryBuilder::<sqlx::Postgres>::new(LINE);
    narrowing.push(&mut sql, grant);
    // One more than asked, to know whether another page follows.
    sql.push(" ORDER BY st.last_name, st.first_name, st.student_number LIMIT ")
        .push_bind(limit + 1)
        .push(" OFFSET ")
        .push_bind(query.offset);
    let mut students: Vec<StudentLine> = sql.build_query_as().fetch_all(conn).await?;
    let next_offset = (students.len() as i64 > limit).then_some(query.offset + limit);
    students.truncate(limit as usize);
    Ok(SearchPage {
        students,
        next_offset,
    })
}

/// A student as lists show them, from `students st` (programs by subquery, not a join:
/// the planner then reads the few students the words found first, instead of pairing
/// every program with them). `Narrowing::push` adds where they come from.
const LINE: &str = "SELECT st.id, st.student_number, st.first_name || ' ' || st.last_name AS name, \
    (SELECT p.code || ' ' || p.name FROM programs p WHERE p.college_id = st.college_id AND p.id = st.program_id) AS program, \
    st.year_of_study, st.status";

/// What a list of students is narrowed by: the search's words and filters, and for the
/// ticked students of a bulk action, their ids. Only the filters given go into the
/// statement, so each shape gets a plan that uses the search index (a generic plan with
/// `$1 IS NULL OR ...` would scan every student).
struct Narrowing<'a> {
    q: &'a str,
    status: &'a str,
    program: &'a str,
    year: Option<i16>,
    ids: Option<&'a [Uuid]>,
}

impl Narrowing<'_> {
    fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !self.status.is_empty() && !STATUSES.contains(&self.status) {
            errors.push(FieldError::new(
                "status",
                "must be enrolled, on_leave, suspended, graduated or withdrawn",
            ));
        }
        if self.year.is_some_and(|y| !(1..=10).contains(&y)) {
            errors.push(FieldError::new("year", "must be 1 to 10"));
        }
        errors
    }

    /// `FROM students st WHERE ...`: the filters given, every value bound, and the
    /// students the grant reaches.
    fn push(&self, sql: &mut sqlx::QueryBuilder<sqlx::Postgres>, grant: &Grant) {
        sql.push(" FROM students st WHERE true");
        // Each word narrows by an index range over the student terms (leakproof text
        // comparisons, so row-level security does not stop the index from being used).
        let words = search_words(self.q);
        if !words.is_empty() {
            sql.push(" AND st.id IN (");
            for (i, word) in words.into_iter().enumerate() {
                if i > 0 {
                    sql.push(" INTERSECT ");
                }
                sql.push("SELECT student_id FROM student_search_terms WHERE term >= ")
                    .push_bind(word.clone())
                    .push(" AND term < ")
                    .push_bind(word)
                    .push(" || chr(1114111)");
            }
            sql.push(")");
        }
        if !self.status.is_empty() {
            sql.push(" AND st.status = ")
                .push_bind(self.status.to_string());
        }
        if !self.program.trim().is_empty() {
            sql.push(" AND st.program_id = (SELECT id FROM programs WHERE code = upper(")
                .push_bind(self.program.trim().to_string())
                .push("))");
        }
        if let Some(year) = self.year {
            sql.push(" AND st.year_of_study = ").push_bind(year);
        }
        if let Some(ids) = self.ids {
            sql.push(" AND st.id = ANY(")
                .push_bind(ids.to_vec())
                .push(")");
        }
        sql.push(" AND ");
        crate::access::reach::students(grant).push(sql);
    }
}

/// A line of the list with the count of every line its filters select.
#[derive(sqlx::FromRow)]
struct Counted {
    #[sqlx(flatten)]
    line: StudentLine,
    total: i64,
}

/// The columns the students list sorts by, the first its default.
pub const SORTABLE: [&str; 5] = ["name", "number", "program", "year", "status"];

/// The fixed order of a sort key, each ending in a unique tie-breaker (the key reaches
/// SQL only as one of these).
fn order_of(sort: &str) -> &'static [&'static str] {
    match sort {
        "number" => &["st.student_number", "st.id"],
        // `program` is the output column (the program's code and name).
        "program" => &["program", "st.last_name", "st.first_name", "st.id"],
        "year" => &["st.year_of_study", "st.last_name", "st.first_name", "st.id"],
        "status" => &["st.status", "st.last_name", "st.first_name", "st.id"],
        _ => &["st.last_name", "st.first_name", "st.id"],
    }
}

/// One page of the students list (or, for its CSV, the first `listing.limit()` lines),
/// sorted as `listing` says, with the count of every student the filters select within
/// the grant's reach (in the same statement).
pub async fn list(
    conn: &mut PgConnection,
    grant: &Grant,
    filter: &ListFilter,
    listing: &Listing,
) -> Result<(Vec<StudentLine>, i64), AppError> {
    let mut errors = Vec::new();
    let year = match filter.year.trim() {
        "" => None,
        text => match text.parse::<i16>() {
            Ok(year) => Some(year),
            Err(_) => {
                errors.push(FieldError::new("year", "must be 1 to 10"));
                None
            }
        },
    };
    let narrowing = Narrowing {
        q: &filter.q,
        status: filter.status.trim(),
        program: &filter.program,
        year,
        ids: None,
    };
    errors.extend(narrowing.check());
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut sql = sqlx::QueryBuilder::<sqlx::Postgres>::new(LINE);
    sql.push(", count(*) OVER () AS total");
    narrowing.push(&mut sql, grant);
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

/// The ticked students of a bulk action that the grant reaches, by name.
pub async fn lines_of(
    conn: &mut PgConnection,
    grant: &Grant,
    ids: &[Uuid],
) -> Result<Vec<StudentLine>, AppError> {
    let narrowing = Narrowing {
        q: "",
        status: "",
        program: "",
        year: None,
        ids: Some(ids),
    };
    let mut sql = sqlx::QueryBuilder::<sqlx::Postgres>::new(LINE);
    narrowing.push(&mut sql, grant);
    sql.push(" ORDER BY st.last_name, st.first_name, st.id");
    let lines: Vec<StudentLine> = sql.build_query_as().fetch_all(conn).await?;
    Ok(lines)
}

/// Changes the status of each of `students` as `change_status` does, in the caller's
/// transaction: each must be within the grant's reach, and a refusal for any (a student
/// already of that status, a missing reason) refuses them all, each message naming the
/// student. Returns how many changed.
pub async fn change_statuses(
    conn: &mut PgConnection,
    grant: &Grant,
    context: &AuditContext,
    students: &[Uuid],
    input: &StatusInput,
) -> Result<usize, AppError> {
    let mut ids = students.to_vec();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Err(AppError::Validation(vec![FieldError::new(
            "student",
            "tick the students whose status changes",
        )]));
    }
    if ids.len() > BULK_LIMIT {
        return Err(AppError::Validation(vec![FieldError::new(
            "student",
            format!("tick at most {BULK_LIMIT} students at once"),
        )]));
    }
    for id in &ids {
        crate::access::reach::authorize_student(conn, grant, *id).await?;
    }
    let lines = lines_of(conn, grant, &ids).await?;
    let mut errors: Vec<FieldError> = Vec::new();
    for line in &lines {
        match change_status(conn, context, line.id, input).await {
            Ok(()) => {}
            Err(AppError::Validation(refused)) => {
                for e in refused {
                    let error = match e.field.as_str() {
                        // The one refusal about the student rather than the form.
                        "status" if e.message.starts_with("the student is") => FieldError::new(
                            "student",
                            format!(
                                "{} ({}) {}",
                                line.name,
                                line.student_number,
                                e.message.trim_start_matches("the student ")
                            ),
                        ),
                        "status" => FieldError::new("new_status", e.message),
                        _ => e,
                    };
                    if !errors
                        .iter()
                        .any(|k| k.field == error.field && k.message == error.message)
                    {
                        errors.push(error);
                    }
                }
            }
            Err(other) => return Err(other),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(lines.len())
}

/// The most students one bulk action changes (a page of the list is 25).
pub const BULK_LIMIT: usize = 100;

/// Whether `principal` may see the personal details of a student already found (see
/// `Profile`).
pub async fn sees_personal_details(
    conn: &mut PgConnection,
    principal: &crate::access::principal::Principal,
    student: Uuid,
) -> Result<bool, AppError> {
    match principal.grant(crate::access::permissions::Permission::StudentsPersonal) {
        Some(grant) => crate::access::reach::reaches_known_student(conn, &grant, student).await,
        None => Ok(false),
    }
}

pub async fn profile(conn: &mut PgConnection, student: Uuid) -> Result<Profile, AppError> {
    let found = sqlx::query!(
        "SELECT st.id, st.student_number, st.first_name, st.last_name, st.email::text AS email, st.phone, st.address, \
            st.date_of_birth, p.code || ' ' || p.name AS \"program!\", d.name AS department, \
            extract(year FROM st.admitted_on)::int4 AS \"batch!\", st.year_of_study, st.status, \
            sf.first_name || ' ' || sf.last_name AS advisor \
         FROM students st JOIN programs p ON p.college_id = st.college_id AND p.id = st.program_id \
         JOIN departments d ON d.college_id = p.college_id AND d.id = p.department_id \
         LEFT JOIN staff sf ON sf.college_id = st.college_id AND sf.id = st.advisor_staff_id \
         WHERE st.id = $1",
        student
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let mut profile = Profile {
        id: found.id,
        student_number: found.student_number,
        first_name: found.first_name,
        last_name: found.last_name,
        email: found.email,
        phone: found.phone,
        address: found.address,
        date_of_birth: found.date_of_birth,
        program: found.program,
        department: found.department,
        batch: found.batch,
        year_of_study: found.year_of_study,
        status: found.status,
        advisor: found.advisor,
        guardians: Vec::new(),
        history: Vec::new(),
        changes: Vec::new(),
    };
    profile.guardians = sqlx::query_as!(
        Guardian,
        "SELECT g.id, g.first_name || ' ' || g.last_name AS \"name!\", l.relationship, g.email::text AS email, g.phone AS \"phone?\" \
         FROM student_guardians l JOIN guardians g ON g.college_id = l.college_id AND g.id = l.guardian_id \
         WHERE l.student_id = $1 ORDER BY l.is_primary DESC, 2",
        student
    )
    .fetch_all(&mut *conn)
    .await?;
    profile.history = sqlx::query_as!(
        StatusChange,
        "SELECT h.from_status, h.to_status, h.effective_on, h.reason, u.display_name AS \"changed_by?\", h.changed_at \
         FROM student_status_history h LEFT JOIN users u ON u.college_id = h.college_id AND u.id = h.changed_by \
         WHERE h.student_id = $1 ORDER BY h.changed_at DESC",
        student
    )
    .fetch_all(&mut *conn)
    .await?;
    profile.changes = crate::students::edit::history(conn, student).await?;
    Ok(profile)
}

/// Changes a student's status; the change is kept in the history and audited.
pub async fn change_status(
    conn: &mut PgConnection,
    context: &AuditContext,
    student: Uuid,
    input: &StatusInput,
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    if !STATUSES.contains(&input.status.as_str()) {
        errors.push(FieldError::new(
            "status",
            "must be enrolled, on_leave, suspended, graduated or withdrawn",
        ));
    }
    let reason = input.reason.trim();
    if !(5..=500).contains(&reason.chars().count()) {
        errors.push(FieldError::new("reason", "say why, in 5 to 500 characters"));
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let effective_on = if input.effective_on.trim().is_empty() {
        Some(OffsetDateTime::now_utc().date())
    } else {
        time::Date::parse(input.effective_on.trim(), &format)
            .map_err(|_| {
                errors.push(FieldError::new(
                    "effective_on",
                    "must be a date such as 2026-11-25",
                ))
            })
            .ok()
    };
    let current: Option<String> = sqlx::query_scalar!(
        "SELECT status FROM students WHERE id = $1 FOR UPDATE",
        student
    )
    .fetch_optional(&mut *conn)
    .await?;
    let current = current.ok_or(AppError::NotFound)?;
    if current == input.status {
        errors.push(FieldError::new(
            "status",
            format!(
                "the student is already {}",
                crate::web::words::label(&current).to_lowercase()
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    sqlx::query!(
        "UPDATE students SET status = $2 WHERE id = $1",
        student,
        &input.status
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("INSERT INTO student_status_history (college_id, student_id, from_status, to_status, effective_on, reason, changed_by) \
         VALUES (app_current_college(), $1, $2, $3, $4, $5, $6)", student, &current, &input.status, effective_on, reason, context.actor)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("student.status_changed")
            .object("student", student)
            .before(serde_json::json!({ "status": current }))
            .after(serde_json::json!({ "status": input.status, "effective_on": effective_on.map(|d| d.to_string()), "reason": reason })),
    )
    .await?;
    Ok(())
}

/// Who may read a document on a student's record (papers from their admission): whoever
/// may read the student's personal details. `None` when the file is not one.
pub async fn may_read_document(
    conn: &mut PgConnection,
    principal: &crate::access::principal::Principal,
    file: Uuid,
) -> Result<Option<bool>, AppError> {
    let student: Option<Uuid> = sqlx::query_scalar!(
        "SELECT student_id FROM student_documents WHERE file_id = $1 LIMIT 1",
        file
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(student) = student else {
        return Ok(None);
    };
    Ok(Some(
        match principal.grant(crate::access::permissions::Permission::StudentsPersonal) {
            Some(grant) => crate::access::reach::authorize_student(conn, &grant, student)
                .await
                .is_ok(),
            None => false,
        },
    ))
}

/// The college's programs as (code, "code name"), for the search's filter.
pub async fn programs(conn: &mut PgConnection) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query!("SELECT code, code || ' ' || name AS \"label!\" FROM programs ORDER BY code")
        .fetch_all(conn)
        .await
        .map(|v| v.into_iter().map(|r| (r.code, r.label)).collect::<Vec<_>>())
}

/// The documents on a student's record as (kind, file id, file name, content type, size),
/// by kind and name.
pub async fn documents(
    conn: &mut PgConnection,
    student: Uuid,
) -> Result<Vec<(String, Uuid, String, String, i64)>, sqlx::Error> {
    sqlx::query!(
        "SELECT d.kind, f.id, f.file_name, f.content_type, f.size_bytes FROM student_documents d \
         JOIN stored_files f ON f.college_id = d.college_id AND f.id = d.file_id \
         WHERE d.student_id = $1 ORDER BY d.kind, f.file_name",
        student
    )
    .fetch_all(conn)
    .await
    .map(|v| {
        v.into_iter()
            .map(|r| (r.kind, r.id, r.file_name, r.content_type, r.size_bytes))
            .collect::<Vec<_>>()
    })
}

/// Whether a current student has no sign-in account yet.
pub async fn has_no_account(conn: &mut PgConnection, student: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM students WHERE id = $1 AND user_id IS NULL
                          AND status IN ('enrolled', 'on_leave')) AS "v!""#,
        student
    )
    .fetch_one(conn)
    .await
}
