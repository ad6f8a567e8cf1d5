//! Courses from a CSV, with the registers' import rules (preview, every problem by line
//! and column, all rows or none, a row whose code exists updating that course). Two
//! passes: the courses first, then their prerequisites, so a course may need one that
//! comes later in the file.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::academics::catalog::course_edit::{self, CourseForm};
use crate::academics::catalog::model::NewCourseInput;
use crate::academics::catalog::queries;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::error::{AppError, AppResult, FieldError};
use crate::institution::setup::import::{self, Import, Report};
use crate::institution::setup::import_pages::{self, ImportWords};

pub const COURSES: Import = Import {
    page: "/catalog/courses/import",
    required: &["code", "title", "credits", "department"],
    optional: &["description", "prerequisites"],
    example: "CS201,Data structures,4,CSE,Lists trees and graphs,CS101",
};

const WORDS: ImportWords = ImportWords {
    area: ("Catalog", "/catalog"),
    title: "Catalog",
    list_href: "/catalog",
    many: "courses",
    import: COURSES,
};

/// Reads, checks and writes the file's courses; with `preview` or any problem, the
/// caller rolls back and nothing is written.
pub async fn run(
    conn: &mut PgConnection,
    context: &AuditContext,
    text: &str,
    preview: bool,
) -> Result<Report, AppError> {
    let mut report = Report::default();
    let mut needing: Vec<(usize, Uuid, String, Vec<String>)> = Vec::new();
    for (line, cells) in import::read_rows(&COURSES, WORDS.many, text, &mut report)? {
        let cell = |name: &str| cells.get(name).cloned().unwrap_or_default();
        let code = cell("code").to_uppercase();
        let Ok(credits) = cell("credits").parse::<f64>() else {
            report.problem(line, "credits", "must be a number such as 4 or 3.5");
            continue;
        };
        let existing: Option<Uuid> =
            sqlx::query_scalar!("SELECT id FROM courses WHERE code = $1", &code)
                .fetch_optional(&mut *conn)
                .await?;
        let saved = import::in_savepoint(conn, &mut report, line, async |conn| match existing {
            None => {
                let input = NewCourseInput {
                    code: code.clone(),
                    title: cell("title"),
                    credits,
                    department: cell("department"),
                    description: Some(cell("description")),
                    prerequisites: Vec::new(),
                };
                queries::create_course(conn, context, &input).await
            }
            Some(id) => {
                let now = queries::find(conn, id).await?.ok_or(AppError::NotFound)?;
                let form = CourseForm {
                    title: cell("title"),
                    credits: cell("credits"),
                    department: cell("department"),
                    description: match cells.get("description") {
                        Some(d) => d.clone(),
                        None => now.description.clone().unwrap_or_default(),
                    },
                    // Kept until the second pass sets the file's.
                    prerequisites: now.prerequisites.join(" "),
                };
                course_edit::save(conn, context, id, &form)
                    .await
                    .map(|c| c.id)
            }
        })
        .await?;
        let Some(id) = saved else { continue };
        if existing.is_some() {
            report.updated += 1;
        } else {
            report.created += 1;
        }
        if let Some(wanted) = cells.get("prerequisites") {
            needing.push((line, id, code, course_edit::prerequisite_codes(wanted)));
        }
    }
    for (line, id, code, wanted) in needing {
        import::in_savepoint(conn, &mut report, line, async |conn| {
            course_edit::set_prerequisites(conn, context, id, &code, &wanted).await
        })
        .await?;
    }
    import::finish(conn, context, WORDS.many, &mut report, preview).await?;
    Ok(report)
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    import_pages::view(
        &state,
        &principal,
        jar,
        StatusCode::OK,
        &WORDS,
        None,
        Vec::<FieldError>::new(),
    )
}

pub async fn import_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    multipart: Multipart,
) -> AppResult<Response> {
    import_pages::handle(
        &state,
        &principal,
        jar,
        multipart,
        &WORDS,
        async |conn, text, preview| run(conn, &context, text, preview).await,
    )
    .await
}

/// Imports courses from CSV (code, title, credits, department; optionally description
/// and prerequisites, codes separated by spaces or semicolons): a preview reports every
/// problem by line and column; an import writes all rows or none, a row whose code
/// exists updating that course.
#[utoipa::path(post, path = "/api/v1/courses/import", tag = "catalog", request_body(content = crate::institution::setup::api::ImportForm, content_type = "multipart/form-data"), security(("bearer" = [])),
    responses((status = 200, description = "Previewed, or written (`committed`)", body = Report),
        (status = 400, description = "Not a CSV of courses: a column Campus does not know, or none missing", body = crate::web::errors::ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Problems found, nothing written (the report); or no file (problem details)", content((Report = "application/json"), (crate::web::errors::ProblemDocument = "application/problem+json")))))]
pub async fn import_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    multipart: Multipart,
) -> AppResult<(StatusCode, Json<Report>)> {
    crate::institution::setup::api::import_with(
        &state,
        &principal,
        multipart,
        async |conn, text, preview| run(conn, &context, text, preview).await,
    )
    .await
}
