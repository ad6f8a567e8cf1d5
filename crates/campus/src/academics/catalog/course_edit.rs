//! A course edited, retired (kept with its sections and results, offered for no new
//! section) or deleted while it has no section: on the course's page and through the
//! API. Its code stays: transcripts and report cards already issued name it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::{CookieJar, Form};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::academics::catalog::model::CourseView;
use crate::academics::catalog::queries;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::institution::setup::pages::FormPage;
use crate::institution::setup::view::{Field, Kind};
use crate::web::csrf;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::form::{self, Done};
use crate::web::layout::Chrome;

/// A course's editable fields as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CourseForm {
    pub title: String,
    pub credits: String,
    /// The department's code.
    pub department: String,
    pub description: String,
    /// Codes of the courses to pass first, separated by commas or spaces.
    pub prerequisites: String,
}

/// The fields of a course to change; the others stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = CoursePatch)]
#[serde(default)]
pub struct Patch {
    #[schema(min_length = 2, max_length = 200)]
    pub title: Option<String>,
    /// 0.5 to 40, in halves.
    #[schema(minimum = 0.5, maximum = 40)]
    pub credits: Option<f64>,
    /// The department's code.
    pub department: Option<String>,
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    /// Codes of the courses to pass first (replacing the list).
    pub prerequisites: Option<Vec<String>>,
}

pub fn form_of(course: &CourseView) -> CourseForm {
    CourseForm {
        title: course.title.clone(),
        credits: course.credits.to_string(),
        department: course.department.clone(),
        description: course.description.clone().unwrap_or_default(),
        prerequisites: course.prerequisites.join(", "),
    }
}

impl Patch {
    fn over(self, mut form: CourseForm) -> CourseForm {
        if let Some(v) = self.title {
            form.title = v;
        }
        if let Some(v) = self.credits {
            form.credits = v.to_string();
        }
        if let Some(v) = self.department {
            form.department = v;
        }
        if let Some(v) = self.description {
            form.description = v;
        }
        if let Some(v) = self.prerequisites {
            form.prerequisites = v.join(", ");
        }
        form
    }
}

/// The course codes of a prerequisites field: separated by commas, semicolons or spaces.
pub fn prerequisite_codes(typed: &str) -> Vec<String> {
    typed
        .split([',', ' ', ';'])
        .map(|p| p.trim().to_uppercase())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The ids of the prerequisites wanted for `course` (coded `code`), with the problems:
/// an unknown code, or a prerequisite that needs the course (a loop).
async fn check_prerequisites(
    conn: &mut PgConnection,
    course: Uuid,
    code: &str,
    wanted: &[String],
) -> Result<(Vec<Uuid>, Vec<FieldError>), sqlx::Error> {
    let mut errors = Vec::new();
    let found = sqlx::query!("SELECT id, code FROM courses WHERE code = ANY($1)", wanted)
        .fetch_all(&mut *conn)
        .await?;
    for p in wanted {
        if !found.iter().any(|f| &f.code == p) {
            errors.push(FieldError::new(
                "prerequisites",
                format!("`{p}` is not a course of this college"),
            ));
        }
    }
    let ids: Vec<Uuid> = found.iter().map(|f| f.id).collect();
    // A prerequisite that needs this course (directly or further down) would make a loop.
    let loop_through = sqlx::query_scalar!(
        r#"WITH RECURSIVE needs(id) AS (
               SELECT unnest($1::uuid[])
               UNION SELECT cp.prerequisite_id FROM course_prerequisites cp JOIN needs n ON cp.course_id = n.id)
           SELECT c.code FROM needs n JOIN courses c ON c.id = n.id WHERE n.id = $2 LIMIT 1"#,
        &ids,
        course
    )
    .fetch_optional(&mut *conn)
    .await?;
    if ids.contains(&course) || loop_through.is_some() {
        errors.push(FieldError::new(
            "prerequisites",
            format!("{code} cannot need itself, directly or through another course"),
        ));
    }
    Ok((ids, errors))
}

async fn write_prerequisites(
    conn: &mut PgConnection,
    course: Uuid,
    ids: &[Uuid],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM course_prerequisites WHERE course_id = $1",
        course
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO course_prerequisites (college_id, course_id, prerequisite_id) \
         SELECT app_current_college(), $1, unnest($2::uuid[])",
        course,
        ids
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets a course's prerequisites alone (an import's second pass, once every course of
/// the file exists), refused by field as in the form.
pub async fn set_prerequisites(
    conn: &mut PgConnection,
    context: &AuditContext,
    course: Uuid,
    code: &str,
    wanted: &[String],
) -> Result<(), AppError> {
    let (ids, errors) = check_prerequisites(conn, course, code, wanted).await?;
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    write_prerequisites(conn, course, &ids).await?;
    audit::record(
        conn,
        context,
        Entry::new("catalog.course_changed")
            .object("course", course)
            .after(serde_json::json!({ "prerequisites": wanted })),
    )
    .await?;
    Ok(())
}

/// Saves the course's fields: refused by field, nothing written, when one is wrong, a
/// department or prerequisite is unknown, or a prerequisite would make a loop.
pub async fn save(
    conn: &mut PgConnection,
    context: &AuditContext,
    course: Uuid,
    typed: &CourseForm,
) -> Result<CourseView, AppError> {
    let before = queries::find(conn, course)
        .await?
        .ok_or(AppError::NotFound)?;
    sqlx::query!("SELECT id FROM courses WHERE id = $1 FOR UPDATE", course)
        .fetch_one(&mut *conn)
        .await?;
    let mut errors = Vec::new();
    let title = typed.title.trim();
    if !(2..=200).contains(&title.chars().count()) {
        errors.push(FieldError::new("title", "must be 2 to 200 characters"));
    }
    let credits = typed.credits.trim().parse::<f64>().ok();
    if !credits.is_some_and(|c| c > 0.0 && c <= 40.0 && (c * 2.0).fract() == 0.0) {
        errors.push(FieldError::new(
            "credits",
            "must be between 0.5 and 40, in halves",
        ));
    }
    let description = typed.description.trim();
    if description.chars().count() > 4000 {
        errors.push(FieldError::new(
            "description",
            "must be at most 4,000 characters",
        ));
    }
    let department = sqlx::query!(
        r#"SELECT id, retired_at IS NOT NULL AS "retired!" FROM departments WHERE code = $1"#,
        typed.department.trim().to_uppercase()
    )
    .fetch_optional(&mut *conn)
    .await?;
    let department = match department {
        None => {
            errors.push(FieldError::new(
                "department",
                "is not a department code of this college",
            ));
            None
        }
        Some(d) if d.retired && typed.department.trim().to_uppercase() != before.department => {
            errors.push(FieldError::new("department", "is retired"));
            None
        }
        Some(d) => Some(d.id),
    };
    let wanted = prerequisite_codes(&typed.prerequisites);
    let (ids, problems) = check_prerequisites(conn, course, &before.code, &wanted).await?;
    errors.extend(problems);
    let (Some(credits), Some(department)) = (credits, department) else {
        return Err(AppError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    sqlx::query!(
        "UPDATE courses SET title = $2, credits = $3::float8::numeric, department_id = $4, description = $5 WHERE id = $1",
        course,
        title,
        credits,
        department,
        (!description.is_empty()).then_some(description)
    )
    .execute(&mut *conn)
    .await?;
    write_prerequisites(conn, course, &ids).await?;
    let after = queries::find(conn, course)
        .await?
        .ok_or(AppError::NotFound)?;
    audit::record(
        conn,
        context,
        Entry::new("catalog.course_changed")
            .object("course", course)
            .before(serde_json::to_value(form_of(&before)).unwrap_or_default())
            .after(serde_json::to_value(form_of(&after)).unwrap_or_default()),
    )
    .await?;
    Ok(after)
}

/// Retires a course (no new section may offer it) or brings it back.
async fn set_retired(
    conn: &mut PgConnection,
    context: &AuditContext,
    course: Uuid,
    retired: bool,
) -> Result<CourseView, AppError> {
    let changed = sqlx::query!(
        "UPDATE courses SET retired_at = CASE WHEN $2 THEN now() END \
         WHERE id = $1 AND (retired_at IS NOT NULL) <> $2 RETURNING id",
        course,
        retired
    )
    .fetch_optional(&mut *conn)
    .await?;
    let after = queries::find(conn, course)
        .await?
        .ok_or(AppError::NotFound)?;
    if changed.is_some() {
        audit::record(
            conn,
            context,
            Entry::new(if retired {
                "catalog.course_retired"
            } else {
                "catalog.course_restored"
            })
            .object("course", course),
        )
        .await?;
    }
    Ok(after)
}

/// Deletes a course no section offers; otherwise refuses, naming them.
async fn delete(
    conn: &mut PgConnection,
    context: &AuditContext,
    course: Uuid,
) -> Result<(), AppError> {
    let found = queries::find(conn, course)
        .await?
        .ok_or(AppError::NotFound)?;
    let r = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM sections WHERE course_id = $1) AS "sections!",
                  (SELECT count(*) FROM course_prerequisites WHERE prerequisite_id = $1) AS "needed!""#,
        course
    )
    .fetch_one(&mut *conn)
    .await?;
    if r.sections > 0 || r.needed > 0 {
        let mut uses = Vec::new();
        if r.sections > 0 {
            uses.push(format!(
                "{} section{}",
                r.sections,
                if r.sections == 1 { "" } else { "s" }
            ));
        }
        if r.needed > 0 {
            uses.push(format!(
                "{} course{} as a prerequisite",
                r.needed,
                if r.needed == 1 { "" } else { "s" }
            ));
        }
        return Err(AppError::Conflict(format!(
            "{} is used by {}, so it cannot be deleted. Retire it instead: it stays in the records and is offered no more.",
            found.code,
            uses.join(" and ")
        )));
    }
    sqlx::query!(
        "DELETE FROM course_prerequisites WHERE course_id = $1",
        course
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM courses WHERE id = $1", course)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        context,
        Entry::new("catalog.course_deleted")
            .object("course", course)
            .before(serde_json::to_value(form_of(&found)).unwrap_or_default()),
    )
    .await?;
    Ok(())
}

async fn render(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    course: &CourseView,
    typed: &CourseForm,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let departments = queries::departments(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let heading = format!("Edit {}", course.code);
    let fields = vec![
        Field::new("title", "Title", Kind::Text, &typed.title),
        Field::new("credits", "Credits", Kind::Text, &typed.credits).hint("0.5 to 40, in halves"),
        Field::new(
            "department",
            "Department",
            Kind::Select,
            &typed.department.trim().to_uppercase(),
        )
        .options(departments),
        Field::new(
            "prerequisites",
            "Prerequisites",
            Kind::Text,
            &typed.prerequisites,
        )
        .hint("Codes of the courses to pass first, separated by commas"),
        Field::new(
            "description",
            "Description",
            Kind::Textarea,
            &typed.description,
        ),
    ];
    let page = FormPage {
        chrome: Chrome::signed_in(heading.clone(), principal, csrf.clone(), "/catalog"),
        csrf,
        area: ("Catalog", "/catalog"),
        title: "Catalog",
        list_href: "/catalog",
        heading,
        what: "The course".to_string(),
        action: format!("/catalog/courses/{}/edit", course.id),
        button: "Save the changes".to_string(),
        back: format!("/catalog/courses/{}", course.id),
        fields,
        errors: errors.into(),
    };
    page.respond(jar)
}

pub async fn edit_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(course): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = queries::find(&mut tx, course)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    render(
        &state,
        &principal,
        jar,
        &found,
        &form_of(&found),
        Vec::new(),
    )
    .await
}

pub async fn edit(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(course): ApiPath<Uuid>,
    Form(typed): Form<CourseForm>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = queries::find(&mut tx, course)
        .await?
        .ok_or(AppError::NotFound)?;
    let result = save(&mut tx, &context, course, &typed).await;
    form::settle(&state, tx, result)
        .done(|c| {
            Done::to(format!("/catalog/courses/{course}")).message(format!("{} saved", c.code))
        })
        .again(async |errors| render(&state, &principal, jar, &found, &typed, errors).await)
        .await
}

async fn retired_page(
    state: &AppState,
    principal: &Principal,
    context: &AuditContext,
    course: Uuid,
    retired: bool,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let c = set_retired(&mut tx, context, course, retired).await?;
    tx.commit().await?;
    let said = if retired {
        format!("{} retired: no new section may offer it", c.code)
    } else {
        format!("{} is offered again", c.code)
    };
    Ok(Done::to(format!("/catalog/courses/{course}"))
        .message(said)
        .respond(state))
}

pub async fn retire_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(course): ApiPath<Uuid>,
) -> AppResult<Response> {
    retired_page(&state, &principal, &context, course, true).await
}

pub async fn restore_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(course): ApiPath<Uuid>,
) -> AppResult<Response> {
    retired_page(&state, &principal, &context, course, false).await
}

/// Changes the fields sent of a course; its code stays.
#[utoipa::path(patch, path = "/api/v1/courses/{id}", tag = "catalog", request_body = Patch, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The course's id")),
    responses((status = 200, description = "Saved", body = CourseView),
        (status = 404, description = "No such course", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field is wrong", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn patch_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(course): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<Patch>,
) -> AppResult<Json<CourseView>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = queries::find(&mut tx, course)
        .await?
        .ok_or(AppError::NotFound)?;
    let saved = save(&mut tx, &context, course, &patch.over(form_of(&found))).await?;
    tx.commit().await?;
    Ok(Json(saved))
}

/// Retires a course: kept with its sections and results, offered for no new section.
#[utoipa::path(post, path = "/api/v1/courses/{id}/retire", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The course's id")),
    responses((status = 200, description = "Retired", body = CourseView),
        (status = 404, description = "No such course", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn retire_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(course): ApiPath<Uuid>,
) -> AppResult<Json<CourseView>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let c = set_retired(&mut tx, &context, course, true).await?;
    tx.commit().await?;
    Ok(Json(c))
}

/// Offers a retired course again.
#[utoipa::path(post, path = "/api/v1/courses/{id}/restore", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The course's id")),
    responses((status = 200, description = "Offered again", body = CourseView),
        (status = 404, description = "No such course", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn restore_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(course): ApiPath<Uuid>,
) -> AppResult<Json<CourseView>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let c = set_retired(&mut tx, &context, course, false).await?;
    tx.commit().await?;
    Ok(Json(c))
}

/// Deletes a course no section offers and no course needs; otherwise 409, naming them.
#[utoipa::path(delete, path = "/api/v1/courses/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The course's id")),
    responses((status = 204, description = "Deleted"),
        (status = 404, description = "No such course", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "In use", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn delete_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(course): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    delete(&mut tx, &context, course).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
