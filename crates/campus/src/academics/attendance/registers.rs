//! Attendance registers for any range of dates: a section's register (students down,
//! sessions across), a student's attendance by course and month, and the students under
//! the college's threshold; on screen, as CSV, XLSX and PDF, and in the API. Each reaches
//! only what the reader's attendance grant reaches (a teacher, their own sections).

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::Date;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::access::reach::{authorize_section, authorize_student, sections};
use crate::app::AppState;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::exports::{self, Cell};
use crate::web::attachment::attachment;
use crate::web::clock::parse_date;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::layout::{Chrome, render};

/// A register's dates and, for a download, its format.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct RangeQuery {
    /// The first day, e.g. `2026-07-01` (default: the term's first day).
    #[param(pattern = "^(\\d{4}-\\d{2}-\\d{2})?$")]
    pub from: String,
    /// The last day, included (default: today, or the term's last day if sooner).
    #[param(pattern = "^(\\d{4}-\\d{2}-\\d{2})?$")]
    pub to: String,
    /// For the list under the threshold: a percentage (default: the college's).
    #[param(value_type = Option<String>, pattern = "^([1-9][0-9]?|100)?$")]
    pub threshold: Option<i16>,
    /// On the pages: `csv`, `xlsx` or `pdf` for a download.
    #[param(pattern = "^(csv|xlsx|pdf)?$")]
    pub format: String,
}

/// The range asked for, the defaults filled in from the current term.
async fn range(conn: &mut PgConnection, query: &RangeQuery) -> Result<(Date, Date), AppError> {
    let mut errors = Vec::new();
    let typed = |field: &str, text: &str, errors: &mut Vec<FieldError>| match text.trim() {
        "" => None,
        t => parse_date(field, t).map_err(|e| errors.push(e)).ok(),
    };
    let from = typed("from", &query.from, &mut errors);
    let to = typed("to", &query.to, &mut errors);
    if !["", "csv", "xlsx", "pdf"].contains(&query.format.trim()) {
        errors.push(FieldError::new("format", "must be csv, xlsx or pdf"));
    }
    if query.threshold.is_some_and(|t| !(1..=100).contains(&t)) {
        errors.push(FieldError::new(
            "threshold",
            "must be a percentage from 1 to 100",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let term = sqlx::query!(
        "SELECT starts_on, least(ends_on, current_date) AS \"until!\" FROM terms \
         ORDER BY is_current DESC, starts_on DESC LIMIT 1"
    )
    .fetch_optional(&mut *conn)
    .await?;
    let today = time::OffsetDateTime::now_utc().date();
    let from = from.or(term.as_ref().map(|t| t.starts_on)).unwrap_or(today);
    let to = to.or(term.as_ref().map(|t| t.until)).unwrap_or(today);
    if to < from {
        return Err(AppError::Validation(vec![FieldError::new(
            "to",
            "must be on or after the first day",
        )]));
    }
    if (to - from).whole_days() > 400 {
        return Err(AppError::Validation(vec![FieldError::new(
            "to",
            "a register covers at most 400 days",
        )]));
    }
    Ok((from, to))
}

fn percent(attended: i64, held: i64) -> Option<f64> {
    (held > 0).then(|| (attended as f64 * 1000.0 / held as f64).round() / 10.0)
}

/// A section's register: sessions across, students down.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = AttendanceRegister)]
pub struct Register {
    pub section: String,
    pub from: String,
    pub to: String,
    /// The sessions, e.g. `2026-12-07 09:00`.
    pub sessions: Vec<String>,
    pub students: Vec<RegisterRow>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = AttendanceRegisterRow)]
pub struct RegisterRow {
    pub student_id: Uuid,
    pub student_number: String,
    pub name: String,
    /// Per session: `P` present, `L` late, `A` absent, `E` excused, empty when unmarked.
    pub marks: Vec<String>,
    pub attended: i64,
    pub held: i64,
    pub percent: Option<f64>,
}

async fn register_of(
    conn: &mut PgConnection,
    section: Uuid,
    from: Date,
    to: Date,
) -> Result<Register, AppError> {
    let label: String = sqlx::query_scalar!(
        "SELECT c.code || ' ' || s.code || ' (' || t.name || ')' FROM sections s \
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id WHERE s.id = $1",
        section
    )
    .fetch_optional(&mut *conn)
    .await?
    .flatten()
    .ok_or(AppError::NotFound)?;
    let sessions = sqlx::query!(
        "SELECT id, held_on, start_minute FROM class_sessions \
         WHERE section_id = $1 AND held_on BETWEEN $2 AND $3 ORDER BY held_on, start_minute",
        section,
        from,
        to
    )
    .fetch_all(&mut *conn)
    .await?;
    let students = sqlx::query!(
        r#"SELECT st.id, st.student_number, st.first_name || ' ' || st.last_name AS "name!"
           FROM enrollments e JOIN students st ON st.college_id = e.college_id AND st.id = e.student_id
           WHERE e.section_id = $1 AND e.status = 'enrolled' ORDER BY st.student_number"#,
        section
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = sessions.iter().map(|s| s.id).collect();
    let marks = sqlx::query!(
        "SELECT session_id, student_id, status FROM attendance WHERE session_id = ANY($1)",
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut by: std::collections::HashMap<(Uuid, Uuid), String> = marks
        .into_iter()
        .map(|m| ((m.session_id, m.student_id), m.status))
        .collect();
    let rows = students
        .into_iter()
        .map(|st| {
            let mut attended = 0;
            let mut held = 0;
            let marks = ids
                .iter()
                .map(|session| match by.remove(&(*session, st.id)).as_deref() {
                    Some("present") => {
                        attended += 1;
                        held += 1;
                        "P".to_string()
                    }
                    Some("late") => {
                        attended += 1;
                        held += 1;
                        "L".to_string()
                    }
                    Some("absent") => {
                        held += 1;
                        "A".to_string()
                    }
                    Some("excused") => "E".to_string(),
                    _ => String::new(),
                })
                .collect();
            RegisterRow {
                student_id: st.id,
                student_number: st.student_number,
                name: st.name,
                marks,
                attended,
                held,
                percent: percent(attended, held),
            }
        })
        .collect();
    Ok(Register {
        section: label,
        from: from.to_string(),
        to: to.to_string(),
        sessions: sessions
            .iter()
            .map(|s| {
                format!(
                    "{} {}",
                    s.held_on,
                    crate::web::clock::show_time(s.start_minute)
                )
            })
            .collect(),
        students: rows,
    })
}

/// A student's attendance: courses down, months across.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = StudentAttendance)]
pub struct ByMonth {
    pub student: String,
    pub from: String,
    pub to: String,
    /// e.g. `2026-12`.
    pub months: Vec<String>,
    pub courses: Vec<CourseMonths>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = StudentAttendanceCourse)]
pub struct CourseMonths {
    pub course: String,
    /// Per month: sessions attended and held.
    pub attended: Vec<i64>,
    pub held: Vec<i64>,
    pub percent: Option<f64>,
}

async fn by_month(
    conn: &mut PgConnection,
    student: Uuid,
    from: Date,
    to: Date,
) -> Result<ByMonth, AppError> {
    let name: String = sqlx::query_scalar!(
        "SELECT student_number || ' ' || first_name || ' ' || last_name FROM students WHERE id = $1",
        student
    )
    .fetch_optional(&mut *conn)
    .await?
    .flatten()
    .ok_or(AppError::NotFound)?;
    let rows = sqlx::query!(
        r#"SELECT c.code || ' ' || c.title AS "course!", to_char(cs.held_on, 'YYYY-MM') AS "month!",
                  count(*) FILTER (WHERE a.status IN ('present', 'late')) AS "attended!",
                  count(*) FILTER (WHERE a.status IN ('present', 'late', 'absent')) AS "held!"
           FROM attendance a
           JOIN class_sessions cs ON cs.college_id = a.college_id AND cs.id = a.session_id
           JOIN sections s ON s.college_id = cs.college_id AND s.id = cs.section_id
           JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           WHERE a.student_id = $1 AND cs.held_on BETWEEN $2 AND $3
           GROUP BY 1, 2 ORDER BY 1, 2"#,
        student,
        from,
        to
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut months: Vec<String> = rows.iter().map(|r| r.month.clone()).collect();
    months.sort();
    months.dedup();
    let mut courses: Vec<CourseMonths> = Vec::new();
    for r in rows {
        let at = months.iter().position(|m| *m == r.month).unwrap_or(0);
        if courses.last().is_none_or(|c| c.course != r.course) {
            courses.push(CourseMonths {
                course: r.course.clone(),
                attended: vec![0; months.len()],
                held: vec![0; months.len()],
                percent: None,
            });
        }
        if let Some(c) = courses.last_mut() {
            c.attended[at] = r.attended;
            c.held[at] = r.held;
        }
    }
    for c in &mut courses {
        c.percent = percent(c.attended.iter().sum(), c.held.iter().sum());
    }
    Ok(ByMonth {
        student: name,
        from: from.to_string(),
        to: to.to_string(),
        months,
        courses,
    })
}

/// A student under the threshold in a section.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = AttendanceBelow)]
pub struct Below {
    pub student_id: Uuid,
    pub student_number: String,
    pub name: String,
    pub section_id: Uuid,
    pub section: String,
    pub attended: i64,
    pub held: i64,
    pub percent: f64,
}

async fn below(
    conn: &mut PgConnection,
    grant: &Grant,
    from: Date,
    to: Date,
    threshold: i16,
) -> Result<Vec<Below>, sqlx::Error> {
    let sql = format!(
        "SELECT st.id, st.student_number, st.first_name || ' ' || st.last_name, s.id, c.code || ' ' || s.code, \
                count(*) FILTER (WHERE a.status IN ('present', 'late')), \
                count(*) FILTER (WHERE a.status IN ('present', 'late', 'absent')) \
         FROM sections s \
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         JOIN class_sessions cs ON cs.college_id = s.college_id AND cs.section_id = s.id AND cs.held_on BETWEEN $2 AND $3 \
         JOIN attendance a ON a.college_id = cs.college_id AND a.session_id = cs.id \
         JOIN students st ON st.college_id = a.college_id AND st.id = a.student_id \
         WHERE {} \
         GROUP BY st.id, st.student_number, st.first_name, st.last_name, s.id, c.code, s.code \
         HAVING count(*) FILTER (WHERE a.status IN ('present', 'late', 'absent')) > 0 \
            AND 100.0 * count(*) FILTER (WHERE a.status IN ('present', 'late')) \
                < $4 * count(*) FILTER (WHERE a.status IN ('present', 'late', 'absent')) \
         ORDER BY 5, 2 LIMIT 5000",
        sections(grant).sql("$1")
    );
    let rows: Vec<(Uuid, String, String, Uuid, String, i64, i64)> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(grant.user_id)
            .bind(from)
            .bind(to)
            .bind(f64::from(threshold))
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(
            |(student_id, student_number, name, section_id, section, attended, held)| Below {
                student_id,
                student_number,
                name,
                section_id,
                section,
                attended,
                held,
                percent: percent(attended, held).unwrap_or(0.0),
            },
        )
        .collect())
}

/// A table as the pages show it and the downloads carry it.
struct Table {
    title: String,
    subtitle: String,
    header: Vec<String>,
    text_columns: usize,
    rows: Vec<Vec<Cell>>,
    file: String,
}

fn number(value: Option<f64>) -> Cell {
    value.map_or(Cell::Empty, Cell::Number)
}

impl Register {
    fn table(&self) -> Table {
        let mut header = vec!["Student number".to_string(), "Name".to_string()];
        header.extend(self.sessions.iter().cloned());
        header.extend(["Attended".into(), "Held".into(), "Percent".into()]);
        Table {
            title: format!("Attendance register: {}", self.section),
            subtitle: format!("{} to {}", self.from, self.to),
            header,
            text_columns: 2 + self.sessions.len(),
            rows: self
                .students
                .iter()
                .map(|r| {
                    let mut row = vec![
                        Cell::Text(r.student_number.clone()),
                        Cell::Text(r.name.clone()),
                    ];
                    row.extend(r.marks.iter().map(|m| Cell::Text(m.clone())));
                    row.extend([
                        Cell::Number(r.attended as f64),
                        Cell::Number(r.held as f64),
                        number(r.percent),
                    ]);
                    row
                })
                .collect(),
            file: format!("register-{}", self.section),
        }
    }
}

impl ByMonth {
    fn table(&self) -> Table {
        let mut header = vec!["Course".to_string()];
        header.extend(self.months.iter().cloned());
        header.push("Percent".into());
        Table {
            title: format!("Attendance: {}", self.student),
            subtitle: format!(
                "{} to {}; each month: sessions attended of those held",
                self.from, self.to
            ),
            header,
            text_columns: 1 + self.months.len(),
            rows: self
                .courses
                .iter()
                .map(|c| {
                    let mut row = vec![Cell::Text(c.course.clone())];
                    row.extend(c.attended.iter().zip(&c.held).map(|(a, h)| {
                        if *h == 0 {
                            Cell::Empty
                        } else {
                            Cell::Text(format!("{a} of {h}"))
                        }
                    }));
                    row.push(number(c.percent));
                    row
                })
                .collect(),
            file: format!("attendance-{}", self.student),
        }
    }
}

fn below_table(list: &[Below], from: Date, to: Date, threshold: i16) -> Table {
    Table {
        title: format!("Students under {threshold}% attendance"),
        subtitle: format!("{from} to {to}"),
        header: [
            "Student number",
            "Name",
            "Section",
            "Attended",
            "Held",
            "Percent",
        ]
        .map(String::from)
        .to_vec(),
        text_columns: 3,
        rows: list
            .iter()
            .map(|b| {
                vec![
                    Cell::Text(b.student_number.clone()),
                    Cell::Text(b.name.clone()),
                    Cell::Text(b.section.clone()),
                    Cell::Number(b.attended as f64),
                    Cell::Number(b.held as f64),
                    Cell::Number(b.percent),
                ]
            })
            .collect(),
        file: format!("under-{threshold}-percent"),
    }
}

#[derive(Template)]
#[template(path = "academics/attendance_register.html")]
struct TablePage {
    chrome: Chrome,
    heading: String,
    subtitle: String,
    action: String,
    from: String,
    to: String,
    threshold: Option<i16>,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    download: String,
}

/// Where a table is shown: its page's address, its dates and threshold.
struct Shown {
    action: String,
    range: (Date, Date),
    threshold: Option<i16>,
}

/// The table on screen, or as the download `format` asks for.
async fn respond(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    table: Table,
    format: &str,
    shown: Shown,
) -> AppResult<Response> {
    let Shown {
        action,
        range,
        threshold,
    } = shown;
    let file: String = table
        .file
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    match format {
        "csv" => Ok(attachment(
            exports::csv(&table.header, &table.rows)?,
            "text/csv; charset=utf-8",
            &format!("{file}.csv"),
        )),
        "xlsx" => Ok(attachment(
            exports::xlsx("Attendance", &table.header, &table.rows)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{file}.xlsx"),
        )),
        "pdf" => {
            let college: String = {
                let mut tx = begin_for_college(&state.db, principal.college).await?;
                let name = sqlx::query_scalar!("SELECT name FROM colleges")
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                name
            };
            let bytes = tokio::task::spawn_blocking(move || {
                crate::documents::sheet::pdf(
                    &table.title,
                    &table.subtitle,
                    &college,
                    &table.header,
                    table.text_columns,
                    &table.rows,
                )
            })
            .await
            .map_err(|e| AppError::Internal(e.into()))??;
            Ok(attachment(bytes, "application/pdf", &format!("{file}.pdf")))
        }
        "" => {
            let (csrf, jar) = crate::web::csrf::for_page(state, Some(principal), jar);
            let separator = if action.contains('?') { '&' } else { '?' };
            let download = format!(
                "{action}{separator}from={}&to={}{}",
                range.0,
                range.1,
                threshold.map_or_else(String::new, |t| format!("&threshold={t}"))
            );
            let page = TablePage {
                chrome: Chrome::signed_in(
                    table.title.clone(),
                    principal,
                    csrf,
                    "/attendance/below",
                ),
                heading: table.title,
                subtitle: table.subtitle,
                action,
                from: range.0.to_string(),
                to: range.1.to_string(),
                threshold,
                header: table.header,
                rows: table
                    .rows
                    .iter()
                    .map(|row| row.iter().map(Cell::as_text).collect())
                    .collect(),
                download,
            };
            Ok((jar, render(&page)?).into_response())
        }
        _ => Err(AppError::Validation(vec![FieldError::new(
            "format",
            "must be csv, xlsx or pdf",
        )])),
    }
}

pub async fn section_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_section(&mut tx, &grant, section).await?;
    let (from, to) = range(&mut tx, &query).await?;
    let register = register_of(&mut tx, section, from, to).await?;
    tx.commit().await?;
    let action = format!("/attendance/sections/{section}");
    respond(
        &state,
        &principal,
        jar,
        register.table(),
        &query.format,
        Shown {
            action,
            range: (from, to),
            threshold: None,
        },
    )
    .await
}

pub async fn student_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiPath(student): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let (from, to) = range(&mut tx, &query).await?;
    let months = by_month(&mut tx, student, from, to).await?;
    tx.commit().await?;
    let action = format!("/attendance/students/{student}");
    respond(
        &state,
        &principal,
        jar,
        months.table(),
        &query.format,
        Shown {
            action,
            range: (from, to),
            threshold: None,
        },
    )
    .await
}

pub async fn below_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (from, to) = range(&mut tx, &query).await?;
    // `range` refused a threshold outside 1 to 100.
    let threshold = match query.threshold {
        Some(t) => t,
        None => crate::academics::attendance::panels::threshold(&mut tx).await?,
    };
    let list = below(&mut tx, &grant, from, to, threshold).await?;
    tx.commit().await?;
    let table = below_table(&list, from, to, threshold);
    respond(
        &state,
        &principal,
        jar,
        table,
        &query.format,
        Shown {
            action: "/attendance/below".into(),
            range: (from, to),
            threshold: Some(threshold),
        },
    )
    .await
}

/// A section's attendance register for a range of days.
#[utoipa::path(get, path = "/api/v1/sections/{id}/attendance-register", tag = "attendance", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id"), RangeQuery),
    responses((status = 200, description = "Sessions across, students down", body = Register),
        (status = 403, description = "Not a section this account may see", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A bad date", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn section_api(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiPath(section): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> AppResult<Json<Register>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_section(&mut tx, &grant, section).await?;
    let (from, to) = range(&mut tx, &query).await?;
    let register = register_of(&mut tx, section, from, to).await?;
    tx.commit().await?;
    Ok(Json(register))
}

/// A student's attendance by course and month for a range of days.
#[utoipa::path(get, path = "/api/v1/students/{id}/attendance", tag = "attendance", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The student's id"), RangeQuery),
    responses((status = 200, description = "Courses down, months across", body = ByMonth),
        (status = 403, description = "Not a student this account may see", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A bad date", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn student_api(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiPath(student): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> AppResult<Json<ByMonth>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let (from, to) = range(&mut tx, &query).await?;
    let months = by_month(&mut tx, student, from, to).await?;
    tx.commit().await?;
    Ok(Json(months))
}

/// The students under a threshold (default: the college's) in the sections this
/// account reaches, for a range of days.
#[utoipa::path(get, path = "/api/v1/attendance/below", tag = "attendance", security(("bearer" = [])),
    params(RangeQuery),
    responses((status = 200, description = "Students and sections under the threshold", body = [Below]),
        (status = 422, description = "A bad date or threshold", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn below_api(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> AppResult<Json<Vec<Below>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (from, to) = range(&mut tx, &query).await?;
    // `range` refused a threshold outside 1 to 100.
    let threshold = match query.threshold {
        Some(t) => t,
        None => crate::academics::attendance::panels::threshold(&mut tx).await?,
    };
    let list = below(&mut tx, &grant, from, to, threshold).await?;
    tx.commit().await?;
    Ok(Json(list))
}
